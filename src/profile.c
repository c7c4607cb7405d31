/* profile.c - API-key profiles: INI files, URL resolution and key sources.
 *
 * Parsing goes through libinih with our own line reader, for three reasons:
 * we count lines ourselves so every error names file:line; we strip leading
 * blanks so an indented line is never silently glued onto the previous value
 * (inih's multi-line continuation); and we see [section] headers, so an
 * unknown section is an error even when it holds no keys.
 *
 * The secret key is only ever copied into buffers we wipe with
 * explicit_bzero, and no error message quotes it: values from [secret] are
 * echoed only when they are names (variable, command, file), never data read
 * from those sources.
 */
#include "profile.h"
#include "paths.h"
#include "textbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ini.h>

#define PROFILE_MAX_BYTES   (64 * 1024)   /* a profile is a few lines */
#define KEY_MAX_BYTES       (64 * 1024)   /* read cap for key files/commands */
#define KEY_COMMAND_TIMEOUT_MS 30000
#define STDERR_KEEP         1024          /* command stderr shown on failure */
#define MSG_MAX             768

/* ---- small string helpers ---- */

static void
free_secret(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
wipe_free(char *buf, size_t size)
{
	if (buf) {
		explicit_bzero(buf, size);
		free(buf);
	}
}

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

/* ---- URL checks ---- */

static int
host_is_loopback(const char *host, size_t len)
{
	size_t i;
	int dots = 0;

	if ((len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
	    (len == 5 && memcmp(host, "[::1]", 5) == 0))
		return 1;
	/* 127.0.0.0/8 written as a dotted quad */
	if (len < 9 || strncmp(host, "127.", 4) != 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (host[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)host[i]))
			return 0;
	}
	return dots == 3;
}

/* Validate a base URL. On success returns a malloc'd copy without trailing
 * slashes; on failure NULL with the reason in why (and *nomem set if that was
 * the cause). */
static char *
normalize_url(const char *url, char *why, size_t whysz, int *nomem)
{
	const char *p, *auth, *host_end, *path;
	size_t len, hlen;
	int https;
	char *out;

	*nomem = 0;
	for (p = url; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(why, whysz, "it contains spaces or control characters");
			return NULL;
		}
	}
	if (strncasecmp(url, "https://", 8) == 0)
		https = 1;
	else if (strncasecmp(url, "http://", 7) == 0)
		https = 0;
	else {
		snprintf(why, whysz, "it must start with https://");
		return NULL;
	}
	auth = url + (https ? 8 : 7);
	path = auth + strcspn(auth, "/?#");
	if (path == auth) {
		snprintf(why, whysz, "it has no host name");
		return NULL;
	}
	if (memchr(auth, '@', (size_t)(path - auth))) {
		snprintf(why, whysz, "it must not contain user:password@");
		return NULL;
	}
	if (strpbrk(path, "?#")) {
		snprintf(why, whysz, "it must not contain a query (?) or fragment (#)");
		return NULL;
	}
	if (*auth == '[') {
		host_end = memchr(auth, ']', (size_t)(path - auth));
		if (!host_end) {
			snprintf(why, whysz, "its IPv6 host has no closing ']'");
			return NULL;
		}
		host_end++;
	} else {
		host_end = memchr(auth, ':', (size_t)(path - auth));
		if (!host_end)
			host_end = path;
	}
	hlen = (size_t)(host_end - auth);
	if (hlen == 0) {
		snprintf(why, whysz, "it has no host name");
		return NULL;
	}
	if (host_end < path) {
		const char *q;
		long port = 0;

		if (*host_end != ':' || host_end + 1 == path) {
			snprintf(why, whysz, "its port is malformed");
			return NULL;
		}
		for (q = host_end + 1; q < path; q++) {
			if (!isdigit((unsigned char)*q) || port > 65535) {
				snprintf(why, whysz, "its port is malformed");
				return NULL;
			}
			port = port * 10 + (*q - '0');
		}
		if (port < 1 || port > 65535) {
			snprintf(why, whysz, "its port is out of range");
			return NULL;
		}
	}
	if (!https && !host_is_loopback(auth, hlen)) {
		snprintf(why, whysz, "plain http:// is only allowed to this machine "
		         "(localhost, 127.0.0.1, [::1]); use https://");
		return NULL;
	}
	len = strlen(url);
	while (len > (size_t)(path - url) && url[len - 1] == '/')
		len--;
	if (len >= 3 && url[len - 3] == '/' && url[len - 2] == 'v' &&
	    isdigit((unsigned char)url[len - 1]) && len - 3 >= (size_t)(path - url)) {
		snprintf(why, whysz, "drop the trailing /v%c: the console adds /v1/..., "
		         "/v2/... itself", url[len - 1]);
		return NULL;
	}
	out = malloc(len + 1);
	if (!out) {
		*nomem = 1;
		snprintf(why, whysz, "out of memory");
		return NULL;
	}
	memcpy(out, url, len);
	out[len] = '\0';
	return out;
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
	int nomem;

	(void)k;
	unquote(value, v, sizeof v);
	url = normalize_url(v, why, sizeof why, &nomem);
	if (!url) {
		if (nomem)
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

/* A command line split into words, shell-like but with no expansion. */
struct argvec {
	char **argv;
	char *buf;
	size_t argc;
};

static void
argvec_free(struct argvec *a)
{
	free(a->argv);
	free(a->buf);
	memset(a, 0, sizeof *a);
}

/* Split on blanks; '...' is literal, "..." allows \" and \\, and a backslash
 * outside quotes escapes the next character. Returns -1 on unbalanced quotes
 * or a trailing backslash, -2 when out of memory, 0 on success. */
static int
split_command(const char *cmd, struct argvec *a)
{
	size_t len = strlen(cmd);
	char *w;
	int in_word = 0;
	char quote = 0;

	memset(a, 0, sizeof *a);
	a->buf = malloc(2 * len + 2);
	a->argv = calloc(len / 2 + 2, sizeof *a->argv);
	if (!a->buf || !a->argv) {
		argvec_free(a);
		return -2;
	}
	w = a->buf;
	for (; *cmd; cmd++) {
		char ch = *cmd;

		if (quote == '\'') {
			if (ch == '\'')
				quote = 0;
			else
				*w++ = ch;
			continue;
		}
		if (quote == '"') {
			if (ch == '"')
				quote = 0;
			else if (ch == '\\' && (cmd[1] == '"' || cmd[1] == '\\'))
				*w++ = *++cmd;
			else
				*w++ = ch;
			continue;
		}
		if (is_blank(ch)) {
			if (in_word) {
				*w++ = '\0';
				in_word = 0;
			}
			continue;
		}
		if (!in_word) {
			a->argv[a->argc++] = w;
			in_word = 1;
		}
		if (ch == '\'' || ch == '"')
			quote = ch;
		else if (ch == '\\') {
			if (!cmd[1]) {
				argvec_free(a);
				return -1;
			}
			*w++ = *++cmd;
		} else
			*w++ = ch;
	}
	if (quote) {
		argvec_free(a);
		return -1;
	}
	*w = '\0';
	a->argv[a->argc] = NULL;
	return 0;
}

static int
set_command(struct parse_ctx *c, const struct key_spec *k, const char *value)
{
	struct argvec a;
	int rc;

	(void)k;
	rc = split_command(value, &a);
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
		argvec_free(&a);
		ctx_fail(c, "'command' in [secret] is empty: give a program and its "
		         "arguments, e.g. command = pass show novu/prod");
		return 0;
	}
	argvec_free(&a);
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
	free_secret(p->secret_key);
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
		return nc_error_set(err, NC_E_CONFIG, NULL, "%s:%d: %s",
		                    c.where, c.err_line, c.msg);
	}
	return NC_OK;
}

/* ---- files and directories ---- */

char *
profile_config_dir(void)
{
	return paths_config_dir();
}

/* "~/x" -> "$HOME/x"; anything else is copied. */
static char *
expand_home(const char *path)
{
	char *home, *out;

	if (path[0] != '~' || path[1] != '/')
		return strdup(path);
	home = paths_home();
	if (!home)
		return NULL;
	out = nc_asprintf("%s%s", home, path + 1);
	free(home);
	return out;
}

/* Read a whole small regular file. Returns 0, or an errno value (EFBIG when
 * larger than max, EINVAL when not a regular file). */
static int
read_small_file(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t used = 0;
	int fd, e = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) != 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	else if ((unsigned long long)st.st_size > max)
		e = EFBIG;
	if (e) {
		close(fd);
		return e;
	}
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + used, max - used);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			break;
		}
		if (r == 0)
			break;
		used += (size_t)r;
		if (used == max)
			break;
	}
	close(fd);
	if (e) {
		free(buf);
		return e;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
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
	int nomem;

	if (!env || !*env)
		return NC_OK;
	url = normalize_url(env, why, sizeof why, &nomem);
	if (!url) {
		if (nomem)
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
	int from_env = env_set("NOVU_API_URL") || env_set("NOVU_SECRET_KEY") ||
	               env_set("NOVU_API_KEY");

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

/* Load `file` as profile `name`. *missing is set when it does not exist. */
static enum nc_status
load_file(struct nc_profile *p, const char *name, const char *file, int *missing,
          struct nc_error *err)
{
	char *text = NULL;
	size_t len = 0;
	enum nc_status st;
	int e;

	*missing = 0;
	e = read_small_file(file, PROFILE_MAX_BYTES, &text, &len);
	if (e == ENOENT) {
		*missing = 1;
		return NC_E_CONFIG;
	}
	if (e == EFBIG)
		return nc_error_set(err, NC_E_CONFIG, NULL, "profile %s is larger than "
		                    "%d bytes; is it the right file?", file, PROFILE_MAX_BYTES);
	if (e == EINVAL)
		return nc_error_set(err, NC_E_CONFIG, NULL, "profile %s is not a regular file",
		                    file);
	if (e == ENOMEM)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (e)
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot read profile %s: %s",
		                    file, strerror(e));
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

enum nc_status
profile_load(struct nc_profile *p, const char *name, struct nc_error *err)
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

/* ---- the secret key ---- */

/* Take ownership of `raw`, a buffer of rawsz bytes (wiped whole and freed
 * here in every case): trim it, drop an "ApiKey " prefix a user may have
 * pasted, and check it is one token. */
static enum nc_status
set_key(struct nc_profile *p, char *raw, size_t rawsz, const char *origin,
        struct nc_error *err)
{
	char *s = raw, *e, *key;
	const char *q;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	if (strncmp(s, "ApiKey ", 7) == 0)
		s += 7;
	if (!*s) {
		wipe_free(raw, rawsz);
		return nc_error_set(err, NC_E_CONFIG, NULL, "the key from %s is empty", origin);
	}
	for (q = s; *q; q++) {
		if ((unsigned char)*q <= ' ' || *q == 0x7f) {
			wipe_free(raw, rawsz);
			return nc_error_set(err, NC_E_CONFIG, NULL, "the key from %s contains "
			                    "spaces or control characters; it must be the key "
			                    "alone on one line", origin);
		}
	}
	key = strdup(s);
	wipe_free(raw, rawsz);
	p->key_origin = strdup(origin);
	if (!key || !p->key_origin) {
		free_secret(key);
		free(p->key_origin);
		p->key_origin = NULL;
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	p->secret_key = key;
	return NC_OK;
}

static enum nc_status
key_from_env(struct nc_profile *p, const char *var, struct nc_error *err)
{
	const char *v = getenv(var);
	char *raw, origin[300];

	if (!v || !*v) {
		if (p->path)
			return nc_error_set(err, NC_E_CONFIG, NULL, "profile '%s' reads the key "
			                    "from $%s, which is not set: export %s=... or change "
			                    "[secret] in %s", p->name, var, var, p->path);
		return nc_error_set(err, NC_E_CONFIG, NULL, "the key variable $%s is not "
		                    "set: export %s=...", var, var);
	}
	raw = strdup(v);
	if (!raw)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	snprintf(origin, sizeof origin, "env %s", var);
	return set_key(p, raw, strlen(raw) + 1, origin, err);
}

/* First line of a buffer (the rest is wiped). */
static void
keep_first_line(char *buf)
{
	char *nl = strchr(buf, '\n');

	if (nl)
		explicit_bzero(nl, strlen(nl));
}

static enum nc_status
key_from_file(struct nc_profile *p, struct nc_error *err)
{
	char origin[1100];
	char *path, *buf;
	struct stat st;
	size_t used = 0;
	int fd;

	path = expand_home(p->key_file);
	if (!path)
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot expand %s: HOME is not "
		                    "set", p->key_file);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		nc_error_set(err, NC_E_CONFIG, NULL, "cannot open key file %s: %s%s", path,
		             strerror(e), e == ENOENT ? " (fix [secret] file = ... in the "
		             "profile, or create the file with mode 600)" : "");
		free(path);
		return NC_E_CONFIG;
	}
	/* Check the file we opened, not the name: no race with a swap. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		nc_error_set(err, NC_E_CONFIG, NULL, "key file %s is not a regular file", path);
		free(path);
		return NC_E_CONFIG;
	}
	if (st.st_uid != getuid()) {
		close(fd);
		nc_error_set(err, NC_E_CONFIG, NULL, "key file %s belongs to uid %lu, not "
		             "to you (uid %lu): use a key file you own (mode 600)", path,
		             (unsigned long)st.st_uid, (unsigned long)getuid());
		free(path);
		return NC_E_CONFIG;
	}
	if (st.st_mode & 077) {
		close(fd);
		nc_error_set(err, NC_E_CONFIG, NULL, "UNPROTECTED KEY FILE: %s has mode %04o, "
		             "so others can read the key; the key was not used. Run: "
		             "chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		free(path);
		return NC_E_CONFIG;
	}
	buf = malloc(KEY_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		free(path);
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	}
	for (;;) {
		ssize_t r = read(fd, buf + used, KEY_MAX_BYTES - used);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (used += (size_t)r) == KEY_MAX_BYTES)
			break;
	}
	close(fd);
	buf[used] = '\0';
	if (memchr(buf, '\0', used))
		buf[0] = '\0';  /* binary: report as no key rather than half of one */
	keep_first_line(buf);
	free(path);
	snprintf(origin, sizeof origin, "file %s", p->key_file);
	return set_key(p, buf, KEY_MAX_BYTES + 1, origin, err);
}

/* ---- key command: fork/execvp, no shell ----
 * Messages name only argv[0]: the arguments may be anything, even a key. */

struct cmd_out {
	char *out;         /* stdout, capped at KEY_MAX_BYTES */
	size_t out_len;
	char err[STDERR_KEEP + 1];
	size_t err_len;
	int exec_errno;    /* execvp failed with this */
	int status;        /* waitpid status */
	int timed_out;
};

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* pipe2() is a GNU extension; the window between pipe() and FD_CLOEXEC only
 * matters if another thread forks meanwhile, and then the child merely holds
 * a pipe end a little longer. */
static int
pipe_cloexec(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* In the child: only async-signal-safe calls until execvp. */
static void __attribute__((noreturn))
child_exec(char **argv, int out_w, int err_w, int status_w)
{
	sigset_t none;
	long fd, maxfd = sysconf(_SC_OPEN_MAX);
	int devnull = open("/dev/null", O_RDONLY);
	int e;

	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out_w, 1);
	dup2(err_w, 2);
	/* Nothing of ours (database, sockets) leaks into the command. */
	if (maxfd < 0 || maxfd > 65536)
		maxfd = 65536;
	for (fd = 3; fd < maxfd; fd++)
		if (fd != status_w)
			close((int)fd);
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	e = errno;
	if (write(status_w, &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

/* Read what is available from *fd into buf (up to cap, discarding beyond).
 * Closes *fd at end of file. */
static void
drain(int *fd, char *buf, size_t *len, size_t cap)
{
	char scratch[4096];

	while (*fd >= 0) {
		ssize_t r;

		if (*len < cap)
			r = read(*fd, buf + *len, cap - *len);
		else
			r = read(*fd, scratch, sizeof scratch);
		if (r > 0) {
			if (*len < cap)
				*len += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			close_fd(fd);
		break;  /* EAGAIN or error */
	}
	explicit_bzero(scratch, sizeof scratch);
}

/* Run argv, collecting output until it exits or the time limit passes. We
 * stop at the child's exit rather than at end of file, so a daemon it
 * started (gpg-agent) that keeps the pipe open cannot stall us. */
static int
run_capture(char **argv, struct cmd_out *r)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, ps[2] = { -1, -1 };
	long deadline;
	pid_t pid;
	int exited = 0;

	memset(r, 0, sizeof *r);
	r->out = malloc(KEY_MAX_BYTES + 1);
	if (!r->out)
		return ENOMEM;
	if (pipe_cloexec(po) || pipe_cloexec(pe) || pipe_cloexec(ps)) {
		int e = errno;

		close_fd(&po[0]), close_fd(&po[1]), close_fd(&pe[0]), close_fd(&pe[1]);
		close_fd(&ps[0]), close_fd(&ps[1]);
		return e;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close_fd(&po[0]), close_fd(&po[1]), close_fd(&pe[0]), close_fd(&pe[1]);
		close_fd(&ps[0]), close_fd(&ps[1]);
		return e;
	}
	if (pid == 0)
		child_exec(argv, po[1], pe[1], ps[1]);
	close_fd(&po[1]);
	close_fd(&pe[1]);
	close_fd(&ps[1]);
	set_nonblock(po[0]);
	set_nonblock(pe[0]);
	deadline = now_ms() + KEY_COMMAND_TIMEOUT_MS;
	while (!exited) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		long left;

		if (waitpid(pid, &r->status, WNOHANG) == pid) {
			exited = 1;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
				;
			r->timed_out = 1;
			break;
		}
		if (po[0] >= 0)
			fds[nfds++] = (struct pollfd){ .fd = po[0], .events = POLLIN };
		if (pe[0] >= 0)
			fds[nfds++] = (struct pollfd){ .fd = pe[0], .events = POLLIN };
		/* Short waits once both pipes are closed: we only wait for exit. */
		poll(fds, nfds, nfds ? (int)(left < 100 ? left : 100) : 10);
		drain(&po[0], r->out, &r->out_len, KEY_MAX_BYTES);
		drain(&pe[0], r->err, &r->err_len, STDERR_KEEP);
	}
	drain(&po[0], r->out, &r->out_len, KEY_MAX_BYTES);
	drain(&pe[0], r->err, &r->err_len, STDERR_KEEP);
	r->out[r->out_len] = '\0';
	r->err[r->err_len] = '\0';
	if (read(ps[0], &r->exec_errno, sizeof r->exec_errno) != (ssize_t)sizeof r->exec_errno)
		r->exec_errno = 0;
	close_fd(&po[0]);
	close_fd(&pe[0]);
	close_fd(&ps[0]);
	return 0;
}

/* The command's stderr as one line for an error message. */
static const char *
stderr_summary(struct cmd_out *r)
{
	char *s;

	for (s = r->err; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
	while (s > r->err && s[-1] == ' ')
		*--s = '\0';
	return r->err;
}

static enum nc_status
key_from_command(struct nc_profile *p, struct nc_error *err)
{
	struct argvec a;
	struct cmd_out r;
	char origin[300];
	enum nc_status st;
	int rc;

	rc = split_command(p->key_command, &a);
	if (rc == -2)
		return nc_error_set(err, NC_E_NOMEM, NULL, "out of memory");
	if (rc == -1 || a.argc == 0) {
		argvec_free(&a);
		return nc_error_set(err, NC_E_CONFIG, NULL, "cannot split the key command "
		                    "into words (unclosed quote?)");
	}
	snprintf(origin, sizeof origin, "command %s", a.argv[0]);
	rc = run_capture(a.argv, &r);
	if (rc) {
		st = nc_error_set(err, rc == ENOMEM ? NC_E_NOMEM : NC_E_CONFIG, NULL,
		                  "cannot run the key command %s: %s", a.argv[0], strerror(rc));
	} else if (r.exec_errno) {
		st = nc_error_set(err, NC_E_CONFIG, NULL, "cannot run the key command: %s "
		                  "(fix [secret] command = ... in %s; the key itself never "
		                  "goes in the profile)",
		                  strerror(r.exec_errno), p->path ? p->path : "the profile");
	} else if (r.timed_out) {
		st = nc_error_set(err, NC_E_CONFIG, NULL, "the key command '%s' did not "
		                  "finish within %d s and was stopped%s%s", a.argv[0],
		                  KEY_COMMAND_TIMEOUT_MS / 1000, r.err_len ? ": " : "",
		                  stderr_summary(&r));
	} else if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
		char how[64];

		if (WIFSIGNALED(r.status))
			snprintf(how, sizeof how, "was killed by signal %d", WTERMSIG(r.status));
		else
			snprintf(how, sizeof how, "failed with exit status %d",
			         WEXITSTATUS(r.status));
		st = nc_error_set(err, NC_E_CONFIG, NULL, "the key command '%s' %s%s%s",
		                  a.argv[0], how, r.err_len ? ": " : "",
		                  stderr_summary(&r));
	} else {
		keep_first_line(r.out);
		if (!r.out[strspn(r.out, " \t\r")])
			st = nc_error_set(err, NC_E_CONFIG, NULL, "the key command '%s' printed "
			                  "nothing on its first line of output", a.argv[0]);
		else {
			st = set_key(p, r.out, KEY_MAX_BYTES + 1, origin, err);
			r.out = NULL;   /* set_key took it */
		}
	}
	wipe_free(r.out, KEY_MAX_BYTES + 1);
	argvec_free(&a);
	return st;
}

enum nc_status
profile_resolve_key(struct nc_profile *p, struct nc_error *err)
{
	free_secret(p->secret_key);
	free(p->key_origin);
	p->secret_key = NULL;
	p->key_origin = NULL;
	if (env_set("NOVU_SECRET_KEY"))
		return key_from_env(p, "NOVU_SECRET_KEY", err);
	if (env_set("NOVU_API_KEY"))
		return key_from_env(p, "NOVU_API_KEY", err);
	switch (p->key_source) {
	case NC_KEY_ENV:
		return key_from_env(p, p->key_env, err);
	case NC_KEY_COMMAND:
		return key_from_command(p, err);
	case NC_KEY_FILE:
		return key_from_file(p, err);
	case NC_KEY_NONE:
		break;
	}
	return NC_OK;
}
