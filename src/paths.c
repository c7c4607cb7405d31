/* paths.c - XDG base directories for config (profiles) and state (history,
 * drafts). */
#include "paths.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
paths_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *out = malloc(n);

	if (out)
		snprintf(out, n, "%s/%s", dir, name);
	return out;
}

char *
paths_home(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home == '/')
		return strdup(home);
	pw = getpwuid(getuid());
	if (pw && pw->pw_dir && *pw->pw_dir == '/')
		return strdup(pw->pw_dir);
	return NULL;
}

/* Our override, else the XDG variable, else the default under home. */
static char *
app_dir(const char *override_var, const char *xdg_var, const char *home_default)
{
	const char *dir = getenv(override_var);
	const char *xdg = getenv(xdg_var);
	char *home, *base, *out;

	if (dir && *dir)
		return strdup(dir);
	if (xdg && *xdg == '/')
		return paths_join(xdg, "novu-console");
	home = paths_home();
	if (!home)
		return NULL;
	base = paths_join(home, home_default);
	free(home);
	if (!base)
		return NULL;
	out = paths_join(base, "novu-console");
	free(base);
	return out;
}

char *
paths_config_dir(void)
{
	return app_dir("NOVU_CONSOLE_CONFIG_DIR", "XDG_CONFIG_HOME", ".config");
}

char *
paths_state_dir(void)
{
	return app_dir("NOVU_CONSOLE_STATE_DIR", "XDG_STATE_HOME", ".local/state");
}

char *
paths_expand_home(const char *path)
{
	char *home, *out;

	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
		return strdup(path);
	home = paths_home();
	if (!home)
		return NULL;
	out = path[1] ? paths_join(home, path + 2) : strdup(home);
	free(home);
	return out;
}

int
paths_mkdir_private(const char *dir)
{
	char *copy = strdup(dir), *s;
	int e = 0;

	if (!copy)
		return ENOMEM;
	for (s = copy + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char saved = *s;

			*s = '\0';
			if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
				e = errno;
				break;
			}
			*s = saved;
			if (!saved)
				break;
		}
	}
	free(copy);
	return e;
}
