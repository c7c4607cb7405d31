/* test_url.c - the base URL rule (url.c): what is accepted and how it is
 * normalised, what is refused and why, and that the HTTP layer and the
 * profile loader apply the same loopback rule. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "profile.h"
#include "url.h"

static const struct { const char *in, *out; } accepted[] = {
	{ "https://api.novu.co", "https://api.novu.co" },
	{ "https://api.novu.co/", "https://api.novu.co" },
	{ "https://novu.example.com/api/", "https://novu.example.com/api" },
	{ "https://novu.example.com/api//", "https://novu.example.com/api" },
	{ "HTTPS://EU.API.NOVU.CO/api/", "https://EU.API.NOVU.CO/api" },
	{ "https://novu.example.com:8443", "https://novu.example.com:8443" },
	{ "https://novu.example.com:080/", "https://novu.example.com:80" },
	{ "https://x.com/api/v1beta", "https://x.com/api/v1beta" },
	{ "https://x.com/a%20b", "https://x.com/a%20b" },
	{ "http://127.0.0.1:3000", "http://127.0.0.1:3000" },
	{ "http://127.9.8.7/api", "http://127.9.8.7/api" },
	{ "HTTP://127.1.2.3", "http://127.1.2.3" },
	{ "http://127.1", "http://127.0.0.1" },           /* as curl will connect */
	{ "http://localhost:8080/", "http://localhost:8080" },
	{ "http://LOCALHOST", "http://LOCALHOST" },
	{ "http://localhost.:9", "http://localhost.:9" },   /* fully qualified */
	{ "http://[::1]:4000", "http://[::1]:4000" },
	{ "http://[0:0:0:0:0:0:0:1]", "http://[::1]" },
};

static const struct { const char *in, *why; } refused[] = {
	{ "http://novu.example.com", "only allowed to this machine" },
	{ "http://10.0.0.1:3000", "use https://" },
	{ "http://128.0.0.1", "use https://" },
	{ "http://127.0.0.1.evil.com", "use https://" },
	{ "http://localhost.evil.com", "use https://" },
	{ "http://127.0.0.1.:3", "use https://" },          /* a name, not the address */
	{ "http://localhost..:9", "use https://" },
	{ "http://[::2]", "use https://" },
	{ "http://[::ffff:127.0.0.1]", "use https://" },
	{ "ftp://127.0.0.1", "must start with https://" },
	{ "api.novu.co", "must start with https://" },
	{ "", "must start with https://" },
	{ "https:/x.com", "must start with https://" },
	{ "https:x.com", "must start with https://" },
	{ "https://", "no host" },
	{ "https:///x.com", "no host" },
	{ "https://u:p@x.com", "user:password@" },
	{ "https://@x.com", "user:password@" },
	{ "http://u@localhost", "user:password@" },
	{ "https://x.com:99999", "port" },
	{ "https://x.com:0", "port" },
	{ "https://x.com:/", "port" },
	{ "https://x.com:+80", "port" },
	{ "https://x.com:abc", "port" },
	{ "https://x.com/api?x=1", "query (?) or fragment (#)" },
	{ "https://x.com?", "query (?) or fragment (#)" },
	{ "https://x.com#top", "query (?) or fragment (#)" },
	{ "https://api.novu.co/v1", "drop the trailing /v1" },
	{ "https://x.com/api/v2/", "drop the trailing /v2" },
	{ "https://x.com/api/../v1", "drop the trailing /v1" },
	{ "https://x .com", "spaces or control characters" },
	{ "https://x.com/\t", "spaces or control characters" },
	{ "http://[::1", "IPv6" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(url, accepted_base_urls_are_normalised)
{
	size_t i;

	for (i = 0; i < N(accepted); i++) {
		char why[256] = "", *out = NULL;

		cr_assert_eq(url_check_base(accepted[i].in, &out, why, sizeof why), NC_OK,
		             "%s: %s", accepted[i].in, why);
		cr_assert_str_eq(out, accepted[i].out, "%s", accepted[i].in);
		cr_assert(url_allowed(accepted[i].in), "%s", accepted[i].in);
		free(out);
	}
}

Test(url, refused_base_urls_say_why_without_quoting_the_url)
{
	size_t i;

	for (i = 0; i < N(refused); i++) {
		static char untouched[] = "untouched";
		char why[256] = "", *out = untouched;

		cr_assert_eq(url_check_base(refused[i].in, &out, why, sizeof why), NC_E_CONFIG,
		             "%s was accepted", refused[i].in);
		cr_assert_null(out, "%s", refused[i].in);
		cr_assert(strstr(why, refused[i].why), "%s: want '%s' in '%s'", refused[i].in,
		          refused[i].why, why);
		if (strlen(refused[i].in) > 8)
			cr_assert_null(strstr(why, refused[i].in), "%s is quoted: %s",
			               refused[i].in, why);
	}
	cr_assert_eq(url_check_base(NULL, NULL, (char[64]){ 0 }, 64), NC_E_CONFIG);
}

Test(url, validate_only_without_out)
{
	char why[128];

	cr_assert_eq(url_check_base("https://api.novu.co/", NULL, why, sizeof why), NC_OK);
	cr_assert_eq(url_check_base("http://api.novu.co/", NULL, why, sizeof why), NC_E_CONFIG);
}

Test(url, loopback_hosts_as_curl_returns_them)
{
	static const struct { const char *host; int want; } hosts[] = {
		{ "localhost", 1 }, { "LocalHost", 1 }, { "localhost.", 1 },
		{ "127.0.0.1", 1 }, { "127.255.255.254", 1 }, { "[::1]", 1 },
		{ "localhost..", 0 }, { "localhostx", 0 }, { "128.0.0.1", 0 },
		{ "127.0.0.1.", 0 }, { "::1", 0 }, { "[::2]", 0 }, { "", 0 }, { NULL, 0 },
	};
	size_t i;

	for (i = 0; i < N(hosts); i++)
		cr_assert_eq(url_host_is_loopback(hosts[i].host), hosts[i].want, "%s",
		             hosts[i].host ? hosts[i].host : "(null)");
}

/* The HTTP layer (what is sent) and the profile loader (what is configured)
 * agree on every URL, including http://localhost.:9, which the loader
 * used to refuse while the client accepted it. */
Test(url, http_layer_and_profile_loader_agree)
{
	static const char *const urls[] = {
		"http://localhost.:9", "http://localhost:9", "http://127.0.0.1:9",
		"http://[::1]:9", "http://127.1:9", "https://api.novu.co",
		"http://localhost..:9", "http://api.novu.co", "http://127.0.0.1.evil.com",
		"http://[::2]:9",
	};
	size_t i;

	for (i = 0; i < N(urls); i++) {
		struct nc_profile p;
		struct nc_error err = NC_ERROR_INIT;
		char text[256];
		int loaded;

		snprintf(text, sizeof text, "[api]\nurl = %s\n", urls[i]);
		loaded = profile_parse(&p, text, NULL, &err) == NC_OK;
		cr_assert_eq(loaded, http_url_allowed(urls[i]), "%s: loader %d, client %d (%s)",
		             urls[i], loaded, http_url_allowed(urls[i]),
		             err.message ? err.message : "");
		profile_clear(&p);
		nc_error_clear(&err);
	}
}
