/* test_redact.c - a key pasted in the wrong place is never printed back:
 * the redaction rule (redact.c), and every profile message that echoes
 * user input (values, section and key names, profile names, NOVU_API_URL). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "redact.h"

#define KEY "0123456789abcdef0123456789abcdef"   /* Novu's shape: 32 hex */

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define assert_has(hay, needle) \
	cr_assert(strstr((hay), (needle)) != NULL, "expected '%s' in: %s", (needle), (hay))
#define assert_lacks(hay, needle) \
	cr_assert(strstr((hay), (needle)) == NULL, "did not expect '%s' in: %s", (needle), (hay))

static char tmpdir[64];

static void
setup(void)
{
	char sub[128];

	unsetenv("NOVU_SECRET_KEY");
	unsetenv("NOVU_API_KEY");
	unsetenv("NOVU_API_URL");
	unsetenv("NOVU_CONSOLE_PROFILE");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/nc-redact-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
	snprintf(sub, sizeof sub, "%s/profiles", tmpdir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	setenv("NOVU_CONSOLE_CONFIG_DIR", tmpdir, 1);
}

static void
teardown(void)
{
	char sub[128];

	snprintf(sub, sizeof sub, "%s/profiles", tmpdir);
	rmdir(sub);
	rmdir(tmpdir);
}

TestSuite(redact, .init = setup, .fini = teardown);

Test(redact, tokens_that_look_like_keys)
{
	static const struct { const char *tok; int secret; } cases[] = {
		{ KEY, 1 },
		{ "0123456789ABCDEF0123456789ABCDEF", 1 },
		{ "x" KEY "y", 1 },                              /* glued to other text */
		{ "sk_live_0123456789abcdef", 1 },
		{ "sk-test-abcdefgh", 1 },
		{ "Zm9vYmFyQmF6cXV4MTIzNDU2Nzg5", 1 },           /* long, random */
		{ "0123456789abcdef0123456789abcde", 0 },        /* 31 hex */
		{ "sk_short", 0 },
		{ "00000001-0000-4000-8000-000000000001", 0 },   /* a transaction ID */
		{ "65f1c2d3e4b5a6978812ab34", 0 },               /* a Novu object ID */
		{ "order-shipped", 0 }, { "NOVU_PROD_KEY", 0 }, { "retry_attempts", 0 },
		{ "welcome-onboarding-email-v2", 0 },
	};
	size_t i;

	for (i = 0; i < N(cases); i++)
		cr_assert_eq(redact_token_is_secret(cases[i].tok, strlen(cases[i].tok)),
		             cases[i].secret, "%s", cases[i].tok);
}

Test(redact, secrets_are_replaced_and_the_rest_kept)
{
	char *out = redact_secrets("bad value '" KEY "' for 'region' in [api]", NULL);

	cr_assert_str_eq(out, "bad value '" REDACT_MASK "' for 'region' in [api]");
	free(out);
	out = redact_secrets("/x/profiles/" KEY ".ini", NULL);
	cr_assert_str_eq(out, "/x/profiles/" REDACT_MASK ".ini");
	free(out);
	out = redact_secrets("tx 00000001-0000-4000-8000-000000000001 at /tmp/a.b", NULL);
	cr_assert_str_eq(out, "tx 00000001-0000-4000-8000-000000000001 at /tmp/a.b");
	free(out);
	out = redact_secrets("", NULL);
	cr_assert_str_eq(out, "");
	free(out);
}

Test(redact, the_configured_key_is_hidden_whatever_it_looks_like)
{
	char *out = redact_secrets("unknown command 'plain-words-key' here", "plain-words-key");

	cr_assert_str_eq(out, "unknown command '" REDACT_MASK "' here");
	free(out);
	/* Too short to hide without hiding ordinary words too. */
	out = redact_secrets("use true or false", "true");
	cr_assert_str_eq(out, "use true or false");
	free(out);
}

Test(redact, an_error_is_redacted_in_place)
{
	struct nc_error err = NC_ERROR_INIT;

	nc_error_set(&err, NC_E_USAGE, "region", "bad value '%s'", KEY);
	redact_error(&err, NULL);
	assert_lacks(err.message, KEY);
	assert_has(err.message, REDACT_MASK);
	cr_assert_eq(err.nfields, 1);
	assert_lacks(err.fields[0].message, KEY);
	nc_error_clear(&err);
	redact_error(NULL, NULL);
}

/* ---- the profile's messages ---- */

static const char *
parse_error(const char *text)
{
	static char msg[1024];
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_parse(&p, text, "test.ini", &err), NC_E_CONFIG, "%s", text);
	snprintf(msg, sizeof msg, "%s", err.message);
	nc_error_clear(&err);
	return msg;
}

/* The key pasted as a value, a section or a key name: the message hides it
 * and still names the field and the fix. */
Test(redact, parser_errors_never_echo_a_pasted_key)
{
	static const struct { const char *text, *field, *fix; } cases[] = {
		{ "[api]\nregion = " KEY "\n", "'region' in [api]", "region = us or region = eu" },
		{ "[http]\ntimeout = " KEY "\n", "'timeout' in [http]", "whole number from 1 to" },
		{ "[safety]\nread_only = " KEY "\n", "'read_only' in [safety]", "true or false" },
		{ "[" KEY "]\n", "unknown section", "the sections are [api]" },
		{ "[api]\n" KEY " = 1\n", "unknown key", "the keys there are region, url" },
		{ KEY " = 1\n", "outside any section", "put it under [api]" },
		{ "[api]\nurl = " KEY "\n", "'url' in [api]", "must start with https://" },
		{ "[secret]\nenv = " KEY "\n", "'env' in [secret]", "env = NOVU_PROD_KEY" },
	};
	size_t i;

	for (i = 0; i < N(cases); i++) {
		const char *msg = parse_error(cases[i].text);

		assert_lacks(msg, KEY);
		assert_has(msg, "test.ini:");
		assert_has(msg, cases[i].field);
		assert_has(msg, cases[i].fix);
	}
}

Test(redact, parser_errors_hide_the_configured_key)
{
	const char *msg;

	setenv("NOVU_SECRET_KEY", "not-shaped-like-a-key", 1);
	msg = parse_error("[api]\nregion = not-shaped-like-a-key\n");
	assert_lacks(msg, "not-shaped-like-a-key");
	assert_has(msg, "'region' in [api]");
}

Test(redact, profile_names_never_echo_a_pasted_key)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	cr_assert_eq(profile_load(&p, KEY, &err), NC_E_CONFIG);
	assert_lacks(err.message, KEY);
	assert_has(err.message, "no profile named");
	assert_has(err.message, "create ");
	nc_error_clear(&err);

	setenv("NOVU_CONSOLE_PROFILE", KEY, 1);
	cr_assert_eq(profile_load(&p, NULL, &err), NC_E_CONFIG);
	assert_lacks(err.message, KEY);
	nc_error_clear(&err);
}

Test(redact, novu_api_url_never_echoes_a_pasted_key)
{
	struct nc_profile p;
	struct nc_error err = NC_ERROR_INIT;

	setenv("NOVU_API_URL", KEY, 1);
	cr_assert_eq(profile_load(&p, NULL, &err), NC_E_CONFIG);
	assert_lacks(err.message, KEY);
	assert_has(err.message, "NOVU_API_URL");
	assert_has(err.message, "must start with https://");
	nc_error_clear(&err);
}
