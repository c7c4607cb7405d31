/* uiops.c - clipboard (OSC 52 + file) and $VISUAL/$EDITOR. */
#include "uiops.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "curses_compat.h"
#include "draft.h"
#include "paths.h"
#include "import.h"

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
base64(const char *s, size_t n)
{
	char *out = must_malloc((n + 2) / 3 * 4 + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		*o++ = b64[p[i] >> 2];
		*o++ = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = b64[p[i + 2] & 63];
	}
	if (i < n) {
		*o++ = b64[p[i] >> 2];
		if (i + 1 < n) {
			*o++ = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = b64[(p[i + 1] & 15) << 2];
		} else {
			*o++ = b64[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *
expand_home(const char *path)
{
	char *p = paths_expand_home(path);

	return p ? p : must_strdup(path);   /* no home: the path as typed */
}

char *
path_for_display(const char *path)
{
	const char *home = getenv("HOME");
	size_t hl = home ? strlen(home) : 0;

	if (hl > 1 && strncmp(path, home, hl) == 0 && path[hl] == '/')
		return must_asprintf("~%s", path + hl);
	return must_strdup(path);
}

/* Write text to <state>/<name>, 0600. Returns the path or NULL. */
static char *
save_copy(const char *text, const char *name, char *errbuf, size_t errsize)
{
	char *dir = draft_state_dir(), *path;
	int fd;
	size_t len = strlen(text);

	if (!dir) {
		snprintf(errbuf, errsize, "out of memory");
		return NULL;
	}
	paths_mkdir_private(dir);   /* a failure shows at open() below */
	path = must_asprintf("%s/%s", dir, name);
	free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, text, len) != (ssize_t)len ||
	    write(fd, "\n", 1) != 1) {
		snprintf(errbuf, errsize, "cannot write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

void
clip_copy(struct app *a, const char *text, const char *file_name, const char *what)
{
	char errbuf[300], *path, *shown;

	if (!a->opt->no_display) {
		char *enc = base64(text, strlen(text));

		/* Straight to the terminal, between two curses updates. Inside
		 * tmux this needs set-clipboard on (or external). */
		fprintf(stdout, "\033]52;c;%s\a", enc);
		fflush(stdout);
		free(enc);
	}
	path = save_copy(text, file_name, errbuf, sizeof(errbuf));
	if (!path) {
		app_message(a, MSG_ERROR, "copied %s to the clipboard, but %s", what, errbuf);
		return;
	}
	shown = path_for_display(path);
	app_message(a, MSG_OK, "copied %s (OSC 52) and saved it to %s", what, shown);
	free(shown);
	free(path);
}

static int
write_temp(const char *text, const char *suffix, char *path, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	int fd, slen = (int)strlen(suffix);
	size_t len = strlen(text);

	snprintf(path, size, "%s/novu-console-XXXXXX%s", tmp && *tmp ? tmp : "/tmp", suffix);
	fd = mkstemps(path, slen);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}

/* Run `editor file` through the shell (editors are often "code -w"),
 * ignoring ^C meanwhile as system(3) does. Returns the exit status. */
static int
run_editor(const char *editor, const char *file)
{
	struct sigaction ign, old_int, old_quit;
	pid_t pid;
	int status = -1;
	char *cmd = must_asprintf("%s \"$1\"", editor);

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, "sh", file, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	free(cmd);
	return status;
}

int
ui_edit_external(struct app *a, const char *text, const char *suffix, char **out,
                 char *errbuf, size_t errsize)
{
	struct nc_error err = NC_ERROR_INIT;
	const char *editor = getenv("VISUAL");
	char path[4096];
	size_t len;
	int status;

	*out = NULL;
	if (!editor || !*editor)
		editor = getenv("EDITOR");
	if (!editor || !*editor)
		editor = "vi";
	if (write_temp(text ? text : "", suffix, path, sizeof(path)) != 0) {
		snprintf(errbuf, errsize, "cannot write a temporary file: %s", strerror(errno));
		return -1;
	}
	def_prog_mode();
	endwin();
	status = run_editor(editor, path);
	reset_prog_mode();
	clearok(curscr, TRUE);
	app_redraw(a);
	if (status != 0) {
		snprintf(errbuf, errsize, "%s exited with status %d; the field is unchanged (%s kept)",
		         editor, WIFEXITED(status) ? WEXITSTATUS(status) : -1, path);
		return -1;
	}
	if (import_read_file(path, out, &len, &err) != NC_OK) {
		snprintf(errbuf, errsize, "%s", err.message ? err.message : "cannot read it back");
		nc_error_clear(&err);
		return -1;
	}
	unlink(path);
	/* Editors add a final newline; a field does not need it. */
	while (len && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\r'))
		(*out)[--len] = '\0';
	return 0;
}
