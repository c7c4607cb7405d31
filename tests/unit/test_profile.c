/* test_profile.c - profiles: INI parsing, URL resolution, key sources. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "profile.h"

static char tmpdir[64];

/* Every test starts from a clean environment: with --no-fork (valgrind)
 * tests share one process, so nothing may leak from one to the next. */
static void
setup(void)
{
	static const char *const vars[] = {
		"NOVU_SECRET_KEY", "NOVU_API_KEY", "NOVU_API_URL", "NOVU_CONSOLE_PROFILE",
		"NOVU_CONSOLE_CONFIG_DIR", "NC_TEST_KEY",
	};
	char sub[128];
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/nc-profile-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(sub, sizeof sub, "%s/profiles", tmpdir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	setenv("NOVU_CONSOLE_CONFIG_DIR", tmpdir, 1);
}

/* rm -r for the test's own temporary directory. */
static void
rm_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char sub[1024];

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			rm_tree(sub);
		}
		closedir(d);
	}
	remove(path);
}

static void
teardown(void)
{
	rm_tree(tmpdir);
}

TestSuite(profile, .init = setup, .fini = teardown);

/* Write text to tmpdir/rel with exactly this mode (no umask). */
static void
write_file(const char *rel, const char *text, mode_t mode, char *path, size_t pathsz)
{
	char buf[512];
	int fd;

	if (!path) {
		path = buf;
		pathsz = sizeof buf;
	}
	snprintf(path, pathsz, "%s/%s", tmpdir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert(fd >= 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
write_profile(const char *name, const char *text)
{
	char rel[128];

	snprintf(rel, sizeof rel, "profiles/%s.ini", name);
	write_file(rel, text, 0644, NULL, 0);
}

/* Parse text that must fail; returns the message (static copy). */
static const char *
parse_error(const char *text)
{
	static char msg[1024];
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;
	enum nc_status st = profile_parse(&p, text, "test.ini", &err);

	cr_assert_eq(st, NC_E_CONFIG, "expected a config error for:\n%s", text);
	cr_assert_not_null(err.message);
	snprintf(msg, sizeof msg, "%s", err.message);
	cr_assert_null(p.api_url, "a failed parse leaves nothing allocated");
	nc_error_clear(&err);
	return msg;
}

#define assert_has(hay, needle) \
	cr_assert(strstr((hay), (needle)) != NULL, "expected '%s' in: %s", (needle), (hay))
#define assert_lacks(hay, needle) \
	cr_assert(strstr((hay), (needle)) == NULL, "did not expect '%s' in: %s", (needle), (hay))

/* ---- parsing ---- */

Test(profile, empty_text_gives_defaults)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_parse(&p, "", NULL, &err), NC_OK);
	cr_assert_str_eq(p.api_url, NC_REGION_US_URL);
	cr_assert_str_eq(p.region, "us");
	cr_assert_eq(p.timeout_s, 30);
	cr_assert_eq(p.connect_timeout_s, 10);
	cr_assert_eq(p.retry_attempts, 5);
	cr_assert_eq(p.retry_max_time_s, 60);
	cr_assert_eq(p.read_only, 0);
	cr_assert_eq(p.key_source, NC_KEY_NONE);
	profile_clear(&p);
	cr_assert_null(p.api_url);
}

Test(profile, full_file_is_read)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;
	const char *text =
		"; production\n"
		"# hash comments too\n"
		"[api]\n"
		"region = eu        ; inline comment\n"
		"\n"
		"[secret]\n"
		"command = pass show novu/prod\n"
		"[http]\n"
		"timeout = 12\n"
		"  connect_timeout = 3\n"      /* indented: not a continuation */
		"retry_attempts = 2\n"
		"retry_max_time = 90\n"
		"[safety]\n"
		"read_only = yes\n";

	cr_assert_eq(profile_parse(&p, text, "/x/prod.ini", &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.name, "prod");
	cr_assert_str_eq(p.path, "/x/prod.ini");
	cr_assert_str_eq(p.region, "eu");
	cr_assert_str_eq(p.api_url, NC_REGION_EU_URL);
	cr_assert_eq(p.key_source, NC_KEY_COMMAND);
	cr_assert_str_eq(p.key_command, "pass show novu/prod");
	cr_assert_eq(p.timeout_s, 12);
	cr_assert_eq(p.connect_timeout_s, 3);
	cr_assert_eq(p.retry_attempts, 2);
	cr_assert_eq(p.retry_max_time_s, 90);
	cr_assert_eq(p.read_only, 1);
	profile_clear(&p);
}

Test(profile, url_overrides_region)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_parse(&p, "[api]\nregion = eu\nurl = https://novu.example.com/api/\n",
	                           NULL, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.api_url, "https://novu.example.com/api");
	cr_assert_str_eq(p.region, "custom");
	profile_clear(&p);
	cr_assert_eq(profile_parse(&p, "[api]\nurl = \"https://novu.example.com:8443\"\n",
	                           NULL, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.api_url, "https://novu.example.com:8443");
	profile_clear(&p);
}

Test(profile, plain_http_only_for_loopback)
{
	static const char *const ok[] = {
		"http://127.0.0.1:3000", "http://localhost:8080/", "http://[::1]:4000",
		"HTTP://127.1.2.3", "https://api.novu.co",
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct nc_profile p;
		struct nc_error err = NC_ERROR_INIT;
		char text[256];

		snprintf(text, sizeof text, "[api]\nurl = %s\n", ok[i]);
		cr_assert_eq(profile_parse(&p, text, NULL, &err), NC_OK, "%s: %s", ok[i],
		             err.message);
		profile_clear(&p);
	}
	assert_has(parse_error("[api]\nurl = http://novu.example.com\n"), "https://");
	assert_has(parse_error("[api]\nurl = http://127.0.0.1.evil.com\n"), "https://");
	assert_has(parse_error("[api]\nurl = http://localhost.evil.com\n"), "https://");
	assert_has(parse_error("[api]\nurl = ftp://x\n"), "must start with https://");
	assert_has(parse_error("[api]\nurl = https://\n"), "no host");
	assert_has(parse_error("[api]\nurl = https://u:p@x.com\n"), "user:password@");
	assert_has(parse_error("[api]\nurl = https://x.com:99999\n"), "port");
	assert_has(parse_error("[api]\nurl = https://api.novu.co/v1\n"), "drop the trailing /v1");
}

Test(profile, unknown_key_names_file_line_and_fix)
{
	const char *msg = parse_error("[api]\nregion = us\n[http]\ntiemout = 5\n");

	assert_has(msg, "test.ini:4:");
	assert_has(msg, "unknown key 'tiemout' in [http]");
	assert_has(msg, "did you mean 'timeout'");
	msg = parse_error("[http]\nzzz = 1\n");
	assert_has(msg, "test.ini:2:");
	assert_has(msg, "timeout, connect_timeout, retry_attempts, retry_max_time");
}

Test(profile, unknown_section_is_an_error_even_when_empty)
{
	const char *msg = parse_error("[api]\nregion = us\n\n[htpp]\n");

	assert_has(msg, "test.ini:4:");
	assert_has(msg, "unknown section [htpp]");
	assert_has(msg, "did you mean [http]");
	assert_has(parse_error("[colors]\nfg = red\n"), "unknown section [colors]");
}

Test(profile, bad_values_are_rejected_with_the_fix)
{
	const char *msg = parse_error("[http]\ntimeout = 0\n");

	assert_has(msg, "test.ini:2:");
	assert_has(msg, "'timeout'");
	assert_has(msg, "from 1 to");
	assert_has(parse_error("[http]\nretry_attempts = -1\n"), "retry_attempts");
	assert_has(parse_error("[http]\nconnect_timeout = ten\n"), "connect_timeout");
	assert_has(parse_error("[http]\ntimeout = 99999999999999999999999\n"), "timeout");
	assert_has(parse_error("[http]\ntimeout = 30 # seconds\n"), "starts with ' ;'");
	assert_has(parse_error("[api]\nregion = us-east\n"), "use region = us or region = eu");
	assert_has(parse_error("[safety]\nread_only = maybe\n"), "use true or false");
	assert_has(parse_error("[secret]\nfile = relative/key\n"), "absolute path");
	assert_has(parse_error("[secret]\ncommand = pass 'unclosed\n"), "unclosed quote");
}

Test(profile, read_only_accepts_the_usual_booleans)
{
	static const struct { const char *v; int want; } cases[] = {
		{ "true", 1 }, { "TRUE", 1 }, { "yes", 1 }, { "1", 1 }, { "on", 1 },
		{ "false", 0 }, { "No", 0 }, { "0", 0 }, { "off", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct nc_profile p;
		struct nc_error err = NC_ERROR_INIT;
		char text[64];

		snprintf(text, sizeof text, "[safety]\nread_only = %s\n", cases[i].v);
		cr_assert_eq(profile_parse(&p, text, NULL, &err), NC_OK, "%s", cases[i].v);
		cr_assert_eq(p.read_only, cases[i].want, "read_only = %s", cases[i].v);
		profile_clear(&p);
	}
}

Test(profile, structural_mistakes)
{
	const char *msg = parse_error("[http]\ntimeout = 5\ntimeout = 6\n");

	assert_has(msg, "test.ini:3:");
	assert_has(msg, "set twice (first on line 2)");
	msg = parse_error("[secret]\nenv = A_KEY\nfile = ~/k\n");
	assert_has(msg, "test.ini:3:");
	assert_has(msg, "exactly one");
	assert_has(parse_error("timeout = 5\n[http]\n"), "outside any section");
	msg = parse_error("[api]\nthis line has no equals sign\n");
	assert_has(msg, "test.ini:2:");
	assert_has(msg, "cannot read this line");
	assert_has(parse_error("[api\nregion = us\n"), "closing ']'");
}

Test(profile, long_lines)
{
	char text[1024], comment[400];
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	memset(comment, 'c', sizeof comment - 1);
	comment[sizeof comment - 1] = '\0';
	snprintf(text, sizeof text, "; %s\n[http]\ntimeout = 7\n", comment);
	cr_assert_eq(profile_parse(&p, text, NULL, &err), NC_OK, "%s", err.message);
	cr_assert_eq(p.timeout_s, 7);
	profile_clear(&p);
	snprintf(text, sizeof text, "[api]\nurl = https://%s.com\n", comment);
	assert_has(parse_error(text), "test.ini:2: line is longer than");
}

Test(profile, secret_values_are_not_echoed)
{
	const char *msg = parse_error("[secret]\nenv = sk_live_0123456789abcdef\n");

	assert_has(msg, "NAME of an environment variable");
	assert_lacks(msg, "0123456789abcdef");
	msg = parse_error("[secret]\nkey = sk_live_0123456789abcdef\n");
	assert_has(msg, "unknown key 'key' in [secret]");
	assert_lacks(msg, "0123456789abcdef");
	msg = parse_error("[secret]\nsk_live_0123456789abcdef\n");
	assert_lacks(msg, "0123456789abcdef");
}

/* The annotated examples users copy must parse as they are. */
Test(profile, shipped_examples_parse)
{
	static const struct { const char *file, *region, *url; enum nc_key_source src; } ex[] = {
		{ "us.ini", "us", NC_REGION_US_URL, NC_KEY_ENV },
		{ "eu.ini", "eu", NC_REGION_EU_URL, NC_KEY_COMMAND },
		{ "selfhosted.ini", "custom", NULL, NC_KEY_FILE },
		{ "sandbox.ini", "custom", "http://127.0.0.1:3000", NC_KEY_COMMAND },
	};
	char path[600];
	size_t i;

	for (i = 0; i < sizeof ex / sizeof ex[0]; i++) {
		struct nc_profile p;
		struct nc_error err = NC_ERROR_INIT;
		char *text;
		FILE *f;
		long len;

		snprintf(path, sizeof path, "%s/profiles/%s", NC_SOURCE_DIR, ex[i].file);
		f = fopen(path, "r");
		cr_assert_not_null(f, "%s", path);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = calloc(1, (size_t)len + 1);
		cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		cr_assert_eq(profile_parse(&p, text, path, &err), NC_OK, "%s", err.message);
		cr_assert_str_eq(p.region, ex[i].region, "%s", ex[i].file);
		if (ex[i].url)
			cr_assert_str_eq(p.api_url, ex[i].url, "%s", ex[i].file);
		else
			cr_assert_eq(strncmp(p.api_url, "https://", 8), 0);
		cr_assert_eq(p.key_source, ex[i].src, "%s", ex[i].file);
		profile_clear(&p);
		free(text);
	}
}

/* ---- loading by name ---- */

Test(profile, no_profile_at_all_gives_builtin_defaults)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_load(&p, NULL, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.name, "(none)");
	cr_assert_null(p.path);
	cr_assert_str_eq(p.api_url, NC_REGION_US_URL);
	cr_assert_eq(p.key_source, NC_KEY_NONE);
	profile_clear(&p);
}

Test(profile, default_and_env_selected_profiles)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	write_profile("default", "[api]\nregion = eu\n");
	write_profile("staging", "[http]\ntimeout = 9\n");
	cr_assert_eq(profile_load(&p, NULL, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.name, "default");
	cr_assert_str_eq(p.api_url, NC_REGION_EU_URL);
	cr_assert_not_null(strstr(p.path, "/profiles/default.ini"));
	profile_clear(&p);

	setenv("NOVU_CONSOLE_PROFILE", "staging", 1);
	cr_assert_eq(profile_load(&p, NULL, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.name, "staging");
	cr_assert_eq(p.timeout_s, 9);
	profile_clear(&p);

	/* An explicit name wins over the variable. */
	cr_assert_eq(profile_load(&p, "default", &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.name, "default");
	profile_clear(&p);
}

Test(profile, missing_named_profile_lists_the_available_ones)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_load(&p, "prod", &err), NC_E_CONFIG);
	assert_has(err.message, "no profile named 'prod'");
	assert_has(err.message, "no profiles yet");
	nc_error_clear(&err);

	write_profile("staging", "");
	write_profile("eu", "");
	write_file("profiles/notes.txt", "not a profile", 0644, NULL, 0);
	cr_assert_eq(profile_load(&p, "prod", &err), NC_E_CONFIG);
	assert_has(err.message, "profiles/prod.ini");
	assert_has(err.message, "available profiles: eu, staging");
	nc_error_clear(&err);

	setenv("NOVU_CONSOLE_PROFILE", "nope", 1);
	cr_assert_eq(profile_load(&p, NULL, &err), NC_E_CONFIG);
	assert_has(err.message, "'nope'");
	nc_error_clear(&err);

	cr_assert_eq(profile_load(&p, "../etc/passwd", &err), NC_E_CONFIG);
	assert_has(err.message, "bad profile name");
	nc_error_clear(&err);
}

Test(profile, errors_in_files_name_the_file)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;
	char want[256];

	write_profile("broken", "[api]\nregion = us\n[http]\ntiemout = 5\n");
	cr_assert_eq(profile_load(&p, "broken", &err), NC_E_CONFIG);
	snprintf(want, sizeof want, "%s/profiles/broken.ini:4:", tmpdir);
	assert_has(err.message, want);
	nc_error_clear(&err);
}

Test(profile, list_is_sorted)
{
	char **names;
	size_t n, i;
	struct nc_error err = NC_ERROR_INIT;

	write_profile("zeta", "");
	write_profile("alpha", "");
	write_profile("mid", "");
	write_file("profiles/.hidden.ini", "", 0644, NULL, 0);
	write_file("profiles/readme", "", 0644, NULL, 0);
	cr_assert_eq(profile_list(&names, &n, &err), NC_OK);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(names[0], "alpha");
	cr_assert_str_eq(names[1], "mid");
	cr_assert_str_eq(names[2], "zeta");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

Test(profile, config_dir_follows_xdg_then_home)
{
	char *dir;

	dir = profile_config_dir();
	cr_assert_str_eq(dir, tmpdir);
	free(dir);
	unsetenv("NOVU_CONSOLE_CONFIG_DIR");
	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	dir = profile_config_dir();
	cr_assert_str_eq(dir, "/xdg/conf/novu-console");
	free(dir);
	setenv("XDG_CONFIG_HOME", "relative/ignored", 1);
	setenv("HOME", "/home/someone", 1);
	dir = profile_config_dir();
	cr_assert_str_eq(dir, "/home/someone/.config/novu-console");
	free(dir);
}

Test(profile, novu_api_url_overrides_the_profile)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	write_profile("eu", "[api]\nregion = eu\n");
	setenv("NOVU_API_URL", "http://127.0.0.1:9999/", 1);
	cr_assert_eq(profile_load(&p, "eu", &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.api_url, "http://127.0.0.1:9999");
	cr_assert_str_eq(p.region, "custom");
	profile_clear(&p);

	cr_assert_eq(profile_load(&p, NULL, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.name, "(environment)");
	cr_assert_str_eq(p.api_url, "http://127.0.0.1:9999");
	profile_clear(&p);

	setenv("NOVU_API_URL", "http://novu.example.com", 1);
	cr_assert_eq(profile_load(&p, "eu", &err), NC_E_CONFIG);
	assert_has(err.message, "NOVU_API_URL");
	nc_error_clear(&err);
}

/* ---- the key ---- */

static struct nc_profile
parsed(const char *text)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_parse(&p, text, "k.ini", &err), NC_OK, "%s", err.message);
	return p;
}

Test(profile, no_source_means_no_key)
{
	struct nc_profile p = parsed("");
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK);
	cr_assert_null(p.secret_key);
	profile_clear(&p);
}

Test(profile, env_source)
{
	struct nc_profile p = parsed("[secret]\nenv = NC_TEST_KEY\n");
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "$NC_TEST_KEY, which is not set");
	nc_error_clear(&err);

	setenv("NC_TEST_KEY", "  sk_from_env_1234 \n", 1);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.secret_key, "sk_from_env_1234");
	cr_assert_str_eq(p.key_origin, "env NC_TEST_KEY");
	profile_clear(&p);
	cr_assert_null(p.secret_key);
}

Test(profile, environment_key_overrides_every_source)
{
	struct nc_profile p = parsed("[secret]\ncommand = false\n");
	struct nc_error err = NC_ERROR_INIT;

	setenv("NOVU_API_KEY", "sk_api_key_var", 1);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.secret_key, "sk_api_key_var");
	cr_assert_str_eq(p.key_origin, "env NOVU_API_KEY");

	setenv("NOVU_SECRET_KEY", "sk_secret_key_var", 1);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.secret_key, "sk_secret_key_var");
	cr_assert_str_eq(p.key_origin, "env NOVU_SECRET_KEY");
	profile_clear(&p);
}

Test(profile, pasted_apikey_prefix_and_bad_keys)
{
	struct nc_profile p = parsed("[secret]\nenv = NC_TEST_KEY\n");
	struct nc_error err = NC_ERROR_INIT;

	setenv("NC_TEST_KEY", "ApiKey sk_prefixed", 1);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK);
	cr_assert_str_eq(p.secret_key, "sk_prefixed");

	setenv("NC_TEST_KEY", "sk_two words_secretpart", 1);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "spaces or control characters");
	assert_lacks(err.message, "secretpart");
	cr_assert_null(p.secret_key);
	nc_error_clear(&err);
	profile_clear(&p);
}

Test(profile, key_file_must_be_private)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;
	char keypath[256], text[400], want[300];

	write_file("prod.key", "sk_file_secret_99\nsecond line\n", 0644, keypath,
	           sizeof keypath);
	snprintf(text, sizeof text, "[secret]\nfile = %s\n", keypath);
	p = parsed(text);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "UNPROTECTED KEY FILE");
	snprintf(want, sizeof want, "chmod 600 %s", keypath);
	assert_has(err.message, want);
	assert_lacks(err.message, "sk_file_secret_99");
	cr_assert_null(p.secret_key);
	nc_error_clear(&err);

	cr_assert_eq(chmod(keypath, 0640), 0);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "UNPROTECTED");
	nc_error_clear(&err);

	cr_assert_eq(chmod(keypath, 0600), 0);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.secret_key, "sk_file_secret_99");
	snprintf(want, sizeof want, "file %s", keypath);
	cr_assert_str_eq(p.key_origin, want);

	cr_assert_eq(chmod(keypath, 0400), 0);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	profile_clear(&p);
}

Test(profile, key_file_tilde_and_missing)
{
	struct nc_profile p = parsed("[secret]\nfile = ~/keys/novu.key\n");
	struct nc_error err = NC_ERROR_INIT;
	char dir[128];

	setenv("HOME", tmpdir, 1);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "cannot open key file");
	assert_has(err.message, tmpdir);
	nc_error_clear(&err);

	snprintf(dir, sizeof dir, "%s/keys", tmpdir);
	cr_assert_eq(mkdir(dir, 0700), 0);
	write_file("keys/novu.key", "\t sk_tilde_key \r\n", 0600, NULL, 0);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.secret_key, "sk_tilde_key");
	cr_assert_str_eq(p.key_origin, "file ~/keys/novu.key");
	profile_clear(&p);
}

Test(profile, empty_key_file_is_an_error)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;
	char keypath[256], text[400];

	write_file("empty.key", "\n", 0600, keypath, sizeof keypath);
	snprintf(text, sizeof text, "[secret]\nfile = %s\n", keypath);
	p = parsed(text);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "is empty");
	nc_error_clear(&err);
	profile_clear(&p);
}

Test(profile, key_command_runs_without_a_shell)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	/* Quotes group words; $HOME is not expanded (no shell). */
	p = parsed("[secret]\ncommand = printf \"%s\\n%s\\n\" 'sk_cmd_$HOME' second\n");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.secret_key, "sk_cmd_$HOME");
	cr_assert_str_eq(p.key_origin, "command printf");
	profile_clear(&p);

	p = parsed("[secret]\ncommand = echo sk_echoed\n");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	cr_assert_str_eq(p.secret_key, "sk_echoed");
	profile_clear(&p);
}

Test(profile, failing_key_commands)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	/* Non-zero exit: its stderr is shown, its stdout (maybe a key) is not. */
	p = parsed("[secret]\ncommand = sh -c 'echo sk_leaky_stdout; echo vault is locked >&2; "
	           "exit 3'\n");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "the key command 'sh' failed with exit status 3");
	assert_has(err.message, "vault is locked");
	assert_lacks(err.message, "sk_leaky_stdout");
	cr_assert_null(p.secret_key);
	nc_error_clear(&err);
	profile_clear(&p);

	p = parsed("[secret]\ncommand = true\n");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "printed nothing");
	nc_error_clear(&err);
	profile_clear(&p);

	p = parsed("[secret]\ncommand = printf '\\nsk_on_line_two\\n'\n");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "printed nothing");
	assert_lacks(err.message, "sk_on_line_two");
	nc_error_clear(&err);
	profile_clear(&p);

	p = parsed("[secret]\ncommand = /nonexistent/nc-key-helper --get\n");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "cannot run the key command");
	assert_has(err.message, "No such file");
	nc_error_clear(&err);
	profile_clear(&p);

	/* A key pasted where the command goes is not printed back. */
	p = parsed("[secret]\ncommand = sk_live_pasted_by_mistake_0123456789\n");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_lacks(err.message, "sk_live_pasted_by_mistake");
	nc_error_clear(&err);
	profile_clear(&p);

	p = parsed("[secret]\ncommand = sh -c 'kill -9 $$'\n");
	cr_assert_eq(profile_resolve_key(&p, &err), NC_E_CONFIG);
	assert_has(err.message, "killed by signal 9");
	nc_error_clear(&err);
	profile_clear(&p);
}

/* A helper that leaves a daemon holding its stdout (as `pass` can leave
 * gpg-agent) must not make us wait for that daemon. */
Test(profile, key_command_done_when_it_exits)
{
	struct nc_profile p = parsed("[secret]\ncommand = sh -c 'echo sk_quick; sleep 4 &'\n");
	struct nc_error err = NC_ERROR_INIT;
	struct timespec a, b;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	cr_assert_eq(profile_resolve_key(&p, &err), NC_OK, "%s", err.message);
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	cr_assert_str_eq(p.secret_key, "sk_quick");
	cr_assert(secs < 3.0, "took %.1f s", secs);
	profile_clear(&p);
}
