/* profile.c - API-key profiles: INI files, by name, with the environment's
 * overrides. URL checks are url.c's, key sources keysource.c's.
 *
 * Parsing goes through libinih with our own line reader, for three reasons:
 * we count lines ourselves so every error names file:line; we strip leading
 * blanks so an indented line is never silently glued onto the previous value
 * (inih's multi-line continuation); and we see [section] headers, so an
 * unknown section is an error even when it holds no keys.
 *
 * Values from [secret] are echoed only when they are names (variable,
 * command, file), never data read from those sources.
 */
#include "profile.h"
#include "fileio.h"
#include "keysource.h"
#include "url.h"
#include "paths.h"
#include "redact.h"
#include "trust.h"
#include "textbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <ini.h>

#define PROFILE_MAX_BYTES   (64 * 1024)   /* a profile is a few lines */
#define MSG_MAX             768

/* ---- small string helpers ---- */

static int
is_blank(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* Edit distance of two short names, for "did you mean" hints. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[32], prev, tmp;

	if (la >= 32 || lb >= 32)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (tolower((unsigned char)a[i - 1]) !=
			                      tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* ---- INI parsing ---- */

struct parse_ctx;
struct key_spec;
typedef int (*key_setter)(struct parse_ctx *c, const struct key_spec *k, const char *value);

struct key_spec {
	const char *section;
	const char *name;
	key_setter set;
	size_t offset;          /* long field in struct nc_profile (numbers) */
	long min, max;
};

enum { K_REGION, K_URL, K_ENV, K_COMMAND, K_FILE, K_TIMEOUT, K_CONNECT_TIMEOUT,
       K_RETRY_ATTEMPTS, K_RETRY_MAX_TIME, K_READ_ONLY, K_COUNT };

struct parse_ctx {
	struct nc_profile *p;
	const char *where;        /* file name for messages */
	const char *cursor;       /* reader position in the text */
	int lineno;               /* line the reader handed out last */
	int seen[K_COUNT];        /* line each key was set on, 0 = unset */
	int region_eu;
	int nomem;
	int err_line;             /* first error's line, 0 = none */
	char msg[MSG_MAX];
};

static const char *const SECTIONS[] = { "api", "secret", "http", "safety" };
#define NSECTIONS (sizeof SECTIONS / sizeof SECTIONS[0])

static void ctx_fail(struct parse_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Keep the first error only: later ones are often consequences of it. */
static void
ctx_fail(struct parse_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err_line)
		return;
	c->err_line = c->lineno > 0 ? c->lineno : 1;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
}

/* Values may be written "quoted"; the quotes are not part of them. */
static void
unquote(const char *value, char *buf, size_t bufsz)
{
	size_t len = strlen(value);

	if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0]) {
		value++;
		len -= 2;
	}
	if (len >= bufsz)
		len = bufsz - 1;
	memcpy(buf, value, len);
	buf[len] = '\0';
}

static int
set_string(struct parse_ctx *c, char **field, const char *value)
{
	free(*field);
	*field = strdup(value);
	if (!*field) {
		c->nomem = 1;
		ctx_fail(c, "out of memory");
		return 0;
	}
	return 1;
}

static const char *
comment_hint(const char *value)
{
	return strchr(value, '#') ? " (a comment after a value starts with ' ;', not '#')" : "";
}

static int
set_region(struct parse_ctx *c, const struct key_spec *k, const char *value)
{
	char v[64];

	(void)k;
	unquote(value, v, sizeof v);
	if (strcasecmp(v, "us") == 0)
		c->region_eu = 0;
	else if (strcasecmp(v, "eu") == 0)
		c->region_eu = 1;
	else {
		ctx_fail(c, "bad value '%s' for 'region' in [api]: use region = us or "
		         "region = eu, or url = https://... for a self-hosted Novu%s",
		         value, comment_hint(value));
		return 0;
	}
	return 1;
}

static int
set_url(struct parse_ctx *c, const struct key_spec *k, const char *value)
{
	char v[1024], why[256];
	char *url;
	enum nc_status st;

	(void)k;
	unquote(value, v, sizeof v);
	st = url_check_base(v, &url, why, sizeof why);
	if (st) {
		if (st == NC_E_NOMEM)
			c->nomem = 1;
		/* The value is not echoed: a key pasted into the wrong field
		 * would be printed otherwise. */
		ctx_fail(c, "bad value for 'url' in [api]: %s", why);
		return 0;
	}
	free(c->p->api_url);
	c->p->api_url = url;
	return 1;
}

static int
valid_env_name(const char *s)
{
	if (!(*s == '_' || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || isdigit((unsigned char)*s)))
			return 0;
	return 1;
}

static int
set_env(struct parse_ctx *c, const struct key_spec *k, const char *value)
{
	char v[256];

	(void)k;
	unquote(value, v, sizeof v);
	/* The value is not echoed: a user who pasted the key itself here must
	 * not see it printed back. */
	if (!valid_env_name(v)) {
		ctx_fail(c, "'env' in [secret] must be the NAME of an environment "
		         "variable (A-Z, 0-9, _), e.g. env = NOVU_PROD_KEY, not the key itself");
		return 0;
	}
	return set_string(c, &c->p->key_env, v);
}

static int
set_command(struct parse_ctx *c, const struct key_spec *k, const char *value)
{
	struct keysource_argv a;
	int rc;

	(void)k;
	rc = keysource_split_command(value, &a);
	if (rc == -2) {
		c->nomem = 1;
		ctx_fail(c, "out of memory");
		return 0;
	}
	if (rc == -1) {
		ctx_fail(c, "'command' in [secret] has an unclosed quote or a trailing "
		         "backslash");
		return 0;
	}
	if (a.argc == 0) {
		keysource_argv_free(&a);
		ctx_fail(c, "'command' in [secret] is empty: give a program and its "
		         "arguments, e.g. command = pass show novu/prod");
		return 0;
	}
	keysource_argv_free(&a);
	return set_string(c, &c->p->key_command, value);
}

static int
set_file(struct parse_ctx *c, const struct key_spec *k, const char *value)
{
	char v[1024];

	(void)k;
	unquote(value, v, sizeof v);
	if (!(v[0] == '/' || (v[0] == '~' && v[1] == '/'))) {
		ctx_fail(c, "'file' in [secret] must be an absolute path or start "
		         "with ~/ (the key itself never goes in the profile)");
		return 0;
	}
	return set_string(c, &c->p->key_file, v);
}

static int
set_number(struct parse_ctx *c, const struct key_spec *k, const char *value)
{
	char v[64];
	const char *s;
	long n = 0;

	unquote(value, v, sizeof v);
	for (s = v; *s && isdigit((unsigned char)*s) && n <= k->max; s++)
		n = n * 10 + (*s - '0');
	if (!*v || *s || n < k->min || n > k->max) {
		ctx_fail(c, "bad value '%s' for '%s' in [%s]: use a whole number "
		         "from %ld to %ld%s", value, k->name, k->section, k->min, k->max,
		         comment_hint(value));
		return 0;
	}
	*(long *)(void *)((char *)c->p + k->offset) = n;
	return 1;
}

static int
set_read_only(struct parse_ctx *c, const struct key_spec *k, const char *value)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	char v[64];
	size_t i;

	unquote(value, v, sizeof v);
	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			c->p->read_only = 1;
			return 1;
		}
		if (strcasecmp(v, no[i]) == 0) {
			c->p->read_only = 0;
			return 1;
		}
	}
	ctx_fail(c, "bad value '%s' for '%s' in [%s]: use true or false%s",
	         value, k->name, k->section, comment_hint(value));
	return 0;
}

static const struct key_spec KEYS[K_COUNT] = {
	[K_REGION] = { "api", "region", set_region, 0, 0, 0 },
	[K_URL] = { "api", "url", set_url, 0, 0, 0 },
	[K_ENV] = { "secret", "env", set_env, 0, 0, 0 },
	[K_COMMAND] = { "secret", "command", set_command, 0, 0, 0 },
	[K_FILE] = { "secret", "file", set_file, 0, 0, 0 },
	[K_TIMEOUT] = { "http", "timeout", set_number,
	                offsetof(struct nc_profile, timeout_s), 1, 3600 },
	[K_CONNECT_TIMEOUT] = { "http", "connect_timeout", set_number,
	                        offsetof(struct nc_profile, connect_timeout_s), 1, 600 },
	[K_RETRY_ATTEMPTS] = { "http", "retry_attempts", set_number,
	                       offsetof(struct nc_profile, retry_attempts), 1, 100 },
	[K_RETRY_MAX_TIME] = { "http", "retry_max_time", set_number,
	                       offsetof(struct nc_profile, retry_max_time_s), 1, 86400 },
	[K_READ_ONLY] = { "safety", "read_only", set_read_only, 0, 0, 0 },
};

static int
known_section(const char *name)
{
	size_t i;

	for (i = 0; i < NSECTIONS; i++)
		if (strcasecmp(name, SECTIONS[i]) == 0)
			return 1;
	return 0;
}

static void
report_unknown_section(struct parse_ctx *c, const char *name)
{
	const char *best = NULL;
	size_t i;

	for (i = 0; i < NSECTIONS; i++)
		if (edit_distance(name, SECTIONS[i]) <= 2)
			best = SECTIONS[i];
	if (best)
		ctx_fail(c, "unknown section [%s]: did you mean [%s]?", name, best);
	else
		ctx_fail(c, "unknown section [%s]: the sections are [api], [secret], "
		         "[http] and [safety]", name);
}

static void
report_unknown_key(struct parse_ctx *c, const char *section, const char *name)
{
	char known[256] = "";
	const char *best = NULL;
	size_t i, best_d = 3;

	for (i = 0; i < K_COUNT; i++) {
		size_t d;

		if (strcasecmp(KEYS[i].section, section) != 0)
			continue;
		if (known[0])
			strncat(known, ", ", sizeof known - strlen(known) - 1);
		strncat(known, KEYS[i].name, sizeof known - strlen(known) - 1);
		d = edit_distance(name, KEYS[i].name);
		if (d < best_d) {
			best_d = d;
			best = KEYS[i].name;
		}
	}
	if (best)
		ctx_fail(c, "unknown key '%s' in [%s]: did you mean '%s'?", name, section, best);
	else
		ctx_fail(c, "unknown key '%s' in [%s]: the keys there are %s",
		         name, section, known);
}

/* Our fgets for inih: one call, one line, so c->lineno is the line inih is
 * working on whenever it calls on_key(). */
static char *
text_reader(char *buf, int num, void *stream)
{
	struct parse_ctx *c = stream;
	const char *s = c->cursor, *eol;
	size_t len;

	if (!s || !*s)
		return NULL;
	eol = strchr(s, '\n');
	len = eol ? (size_t)(eol - s) + 1 : strlen(s);
	c->cursor = s + len;
	c->lineno++;
	while (len > 0 && is_blank(*s)) {
		s++;
		len--;
	}
	if (len + 1 > (size_t)num) {
		/* inih would split the line and lose count; a long comment is
		 * harmless, anything else is reported. */
		if (*s != ';' && *s != '#')
			ctx_fail(c, "line is longer than %d characters", num - 3);
		snprintf(buf, (size_t)num, "\n");
		return buf;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');

		if (!end) {
			ctx_fail(c, "section header without a closing ']'");
		} else {
			char name[64];
			size_t n = (size_t)(end - buf - 1);

			if (n >= sizeof name)
				n = sizeof name - 1;
			memcpy(name, buf + 1, n);
			name[n] = '\0';
			if (!known_section(name))
				report_unknown_section(c, name);
		}
	}
	return buf;
}

static int
on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_ctx *c = user;
	size_t i;

	if (!*section) {
		ctx_fail(c, "'%s' is outside any section: put it under [api], [secret], "
		         "[http] or [safety]", name);
		return 0;
	}
	if (!known_section(section))
		return 0;   /* reported at the section header */
	for (i = 0; i < K_COUNT; i++)
		if (strcasecmp(KEYS[i].section, section) == 0 &&
		    strcasecmp(KEYS[i].name, name) == 0)
			break;
	if (i == K_COUNT) {
		report_unknown_key(c, section, name);
		return 0;
	}
	if (c->seen[i]) {
		ctx_fail(c, "'%s' in [%s] is set twice (first on line %d)",
		         KEYS[i].name, KEYS[i].section, c->seen[i]);
		return 0;
	}
	c->seen[i] = c->lineno;
	return KEYS[i].set(c, &KEYS[i], value);
}

/* Checks across keys, once every line has been read. */
static void
finish_parse(struct parse_ctx *c)
{
	struct nc_profile *p = c->p;
	int nsrc = !!c->seen[K_ENV] + !!c->seen[K_COMMAND] + !!c->seen[K_FILE];

	if (nsrc > 1) {
		int line = c->seen[K_ENV];

		if (c->seen[K_COMMAND] > line)
			line = c->seen[K_COMMAND];
		if (c->seen[K_FILE] > line)
			line = c->seen[K_FILE];
		c->lineno = line;
		ctx_fail(c, "[secret] names more than one key source; keep exactly one "
		         "of env, command or file");
		return;
	}
	if (c->seen[K_ENV])
		p->key_source = NC_KEY_ENV;
	else if (c->seen[K_COMMAND])
		p->key_source = NC_KEY_COMMAND;
	else if (c->seen[K_FILE])
		p->key_source = NC_KEY_FILE;
	if (!p->api_url) {
		p->api_url = strdup(c->region_eu ? NC_REGION_EU_URL : NC_REGION_US_URL);
		p->region = strdup(c->region_eu ? "eu" : "us");
	} else {
		p->region = strdup("custom");
	}
	if (!p->api_url || !p->region) {
		c->nomem = 1;
		ctx_fail(c, "out of memory");
	}
}

void
profile_init(struct nc_profile *p)
{
	memset(p, 0, sizeof *p);
	p->key_source = NC_KEY_NONE;
	p->timeout_s = 30;
	p->connect_timeout_s = 10;
	p->retry_attempts = 5;
	p->retry_max_time_s = 60;
	p->read_only = 0;
}

void
profile_clear(struct nc_profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->path);
	free(p->api_url);
	free(p->region);
	free(p->key_env);
	free(p->key_command);
	free(p->key_file);
	keysource_free_secret(p->secret_key);
	free(p->key_origin);
	profile_init(p);
}

/* The profile name for a file: its base name without ".ini". */
static char *
name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;
	char *name;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".ini") == 0)
		len -= 4;
	name = malloc(len + 1);
	if (name) {
		memcpy(name, base, len);
		name[len] = '\0';
	}
	return name;
}

enum nc_status
profile_parse(struct nc_profile *p, const char *text, const char *path,
              struct nc_error *err)
{
	struct parse_ctx c;
	int rc;

	profile_init(p);
	memset(&c, 0, sizeof c);
	c.p = p;
	c.where = path ? path : "(profile)";
	c.cursor = text ? text : "";
	rc = ini_parse_stream(text_reader, &c, on_key, &c);
	if (rc == -2) {
		c.nomem = 1;
		ctx_fail(&c, "out of memory");
	} else if (rc > 0 && (c.err_line == 0 || rc < c.err_line)) {
		/* inih found a line it could not read before any error of ours. */
		c.err_line = 0;
		c.lineno = rc;
		ctx_fail(&c, "cannot read this line: expected 'key = value', "
		         "a [section] or a ; comment");
	}
	if (!c.err_line)
		finish_parse(&c);
	if (!c.err_line && path) {
		p->path = strdup(path);
		p->name = name_from_path(path);
		if (!p->path || !p->name) {
			c.nomem = 1;
			ctx_fail(&c, "out of memory");
		}
	} else if (!c.err_line) {
		p->name = strdup("(text)");
		if (!p->name) {
			c.nomem = 1;
			ctx_fail(&c, "out of memory");
		}
	}
	if (c.err_line) {
		profile_clear(p);
		if (c.nomem)
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		nc_error_set(err, NC_E_CONFIG, NULL, "%s:%d: %s", c.where, c.err_line, c.msg);
		/* Values and names are echoed: hide a key pasted as one. */
		redact_error(err, keysource_env_key(NULL));
		return NC_E_CONFIG;
	}
	return NC_OK;
}

/* ---- files and directories ---- */

char *
profile_config_dir(void)
{
	return paths_config_dir();
}

static int
valid_profile_name(const char *name)
{
	const char *s;

	if (!*name || *name == '.' || strlen(name) > 64)
		return 0;
	for (s = name; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

enum nc_status
profile_list(char ***names, size_t *n, struct nc_error *err)
{
	char *dir, *pdir;
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0, cap = 0;

	*names = NULL;
	*n = 0;
	dir = profile_config_dir();
	if (!dir)
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot find the configuration "
		                    "directory: set HOME or NOVU_CONSOLE_CONFIG_DIR");
	pdir = nc_asprintf("%s/profiles", dir);
	free(dir);
	if (!pdir)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	d = opendir(pdir);
	if (!d) {
		int e = errno;

		if (e == ENOENT || e == ENOTDIR) {
			free(pdir);
			return NC_OK;
		}
		nc_error_set(err, NC_E_IO, NULL, "cannot list profiles in %s: %s",
		             pdir, strerror(e));
		free(pdir);
		return NC_E_IO;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *name;

		if (len <= 4 || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		name = name_from_path(de->d_name);
		if (!name)
			goto nomem;
		if (!valid_profile_name(name)) {
			free(name);
			continue;
		}
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			char **nv = realloc(v, ncap * sizeof *nv);

			if (!nv) {
				free(name);
				goto nomem;
			}
			v = nv;
			cap = ncap;
		}
		v[cnt++] = name;
	}
	closedir(d);
	free(pdir);
	if (cnt)
		qsort(v, cnt, sizeof *v, cmp_names);
	*names = v;
	*n = cnt;
	return NC_OK;
nomem:
	closedir(d);
	free(pdir);
	free_names(v, cnt);
	return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
}

static enum nc_status
profile_not_found(const char *name, const char *file, struct nc_error *err)
{
	char **names;
	size_t n, i;
	char list[512] = "";
	struct nc_error lerr = NC_ERROR_INIT;

	if (profile_list(&names, &n, &lerr) != NC_OK)
		n = 0, names = NULL;
	nc_error_clear(&lerr);
	for (i = 0; i < n; i++) {
		if (i)
			strncat(list, ", ", sizeof list - strlen(list) - 1);
		strncat(list, names[i], sizeof list - strlen(list) - 1);
	}
	free_names(names, n);
	if (n)
		return nc_error_set(err, NC_E_CONFIG, NULL, "no profile named '%s' (%s does "
		                    "not exist); available profiles: %s", name, file, list);
	return nc_error_set(err, NC_E_CONFIG, NULL, "no profile named '%s': there are no "
	                    "profiles yet; create %s (copy one of the examples in the "
	                    "novu-console profiles/ directory)", name, file);
}

static enum nc_status
apply_env_url(struct nc_profile *p, struct nc_error *err)
{
	const char *env = getenv("NOVU_API_URL");
	char why[256];
	char *url, *region;
	enum nc_status st;

	if (!env || !*env)
		return NC_OK;
	st = url_check_base(env, &url, why, sizeof why);
	if (st) {
		if (st == NC_E_NOMEM)
			return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
		return nc_error_set(err, NC_E_CONFIG, NULL, "NOVU_API_URL=%s cannot be "
		                    "used: %s", env, why);
	}
	region = strdup("custom");
	if (!region) {
		free(url);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	free(p->api_url);
	free(p->region);
	p->api_url = url;
	p->region = region;
	return NC_OK;
}

static int
env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

/* No file: the built-in defaults, named after where settings come from. */
static enum nc_status
load_builtin(struct nc_profile *p, struct nc_error *err)
{
	int from_env = env_set("NOVU_API_URL") || keysource_env_key(NULL);

	profile_init(p);
	p->name = strdup(from_env ? "(environment)" : "(none)");
	p->api_url = strdup(NC_REGION_US_URL);
	p->region = strdup("us");
	if (!p->name || !p->api_url || !p->region) {
		profile_clear(p);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	return NC_OK;
}

/* Open a profile and check who can change it before reading a byte of it.
 * *missing is set when it does not exist. */
static enum nc_status
read_profile(const char *file, int *missing, char **text, size_t *len, struct nc_error *err)
{
	struct stat st;
	enum nc_status rc;
	int fd, e;

	*missing = 0;
	/* O_NONBLOCK: a FIFO in its place must not hang the start-up. */
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		*missing = e == ENOENT;
		return *missing ? NC_E_CONFIG : nc_error_set(err, NC_E_CONFIG, NULL,
		                  "cannot read profile %s: %s", file, strerror(e));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = nc_error_set(err, NC_E_CONFIG, NULL, "profile %s is not a regular file", file);
	else
		rc = trust_check_opened(fd, file, "profile", err);
	if (rc) {
		close(fd);
		return rc;
	}
	e = fileio_read_fd(fd, PROFILE_MAX_BYTES, 0, text, len);
	close(fd);
	if (e == EFBIG)
		return nc_error_set(err, NC_E_CONFIG, NULL, "profile %s is larger than "
		                    "%d bytes; is it the right file?", file, PROFILE_MAX_BYTES);
	if (e == ENOMEM)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (e)
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot read profile %s: %s",
		                    file, strerror(e));
	return NC_OK;
}

/* Load `file` as profile `name`. *missing is set when it does not exist. */
static enum nc_status
load_file(struct nc_profile *p, const char *name, const char *file, int *missing,
          struct nc_error *err)
{
	char *text = NULL;
	size_t len = 0;
	enum nc_status st;

	st = read_profile(file, missing, &text, &len, err);
	if (st)
		return st;
	if (memchr(text, '\0', len)) {
		free(text);
		return nc_error_set(err, NC_E_CONFIG, NULL, "profile %s contains NUL bytes; "
		                    "it must be a text file", file);
	}
	st = profile_parse(p, text, file, err);
	free(text);
	if (st)
		return st;
	free(p->name);
	p->name = strdup(name);
	if (!p->name) {
		profile_clear(p);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	return NC_OK;
}

static enum nc_status
load_by_name(struct nc_profile *p, const char *name, struct nc_error *err)
{
	const char *env_name = getenv("NOVU_CONSOLE_PROFILE");
	char *dir, *file;
	enum nc_status st;
	int missing, named = 1;

	profile_init(p);
	if (!name && env_name && *env_name)
		name = env_name;
	if (!name) {
		name = "default";
		named = 0;
	}
	if (!valid_profile_name(name))
		return nc_error_set(err, NC_E_CONFIG, NULL, "bad profile name '%s': use "
		                    "letters, digits, '.', '_' or '-' (the profile is the "
		                    "file profiles/NAME.ini)", name);
	dir = profile_config_dir();
	if (!dir)
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot find the configuration "
		                    "directory: set HOME or NOVU_CONSOLE_CONFIG_DIR");
	file = nc_asprintf("%s/profiles/%s.ini", dir, name);
	free(dir);
	if (!file)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	st = load_file(p, name, file, &missing, err);
	if (missing)
		st = named ? profile_not_found(name, file, err) : load_builtin(p, err);
	free(file);
	if (st)
		return st;
	st = apply_env_url(p, err);
	if (st)
		profile_clear(p);
	return st;
}

enum nc_status
profile_load(struct nc_profile *p, const char *name, struct nc_error *err)
{
	enum nc_status st = load_by_name(p, name, err);

	/* The messages above echo the profile name, NOVU_API_URL and the file's
	 * lines: hide a key pasted into any of them, here, once for all. */
	if (st)
		redact_error(err, keysource_env_key(NULL));
	return st;
}
