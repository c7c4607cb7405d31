/* url.c - API base URLs through libcurl's URL API (curl_url_set/get), and
 * the loopback rule for plain http://, in one place. */
#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

int
url_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[INET6_ADDRSTRLEN + 1];
	size_t len;

	if (!host)
		return 0;
	/* "localhost." is the same name written fully qualified. */
	if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	/* curl hands IPv6 hosts back in brackets. */
	len = strlen(host);
	if (len > 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof(buf)) {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) == 1)
			return memcmp(&a6, &in6addr_loopback, sizeof(a6)) == 0;
	}
	return 0;
}

/* The parsed URL, or NULL (with curl's reason in *rc when it was the
 * parser that refused). */
static CURLU *
parse_url(const char *url, CURLUcode *rc)
{
	CURLU *u = curl_url();

	*rc = CURLUE_OUT_OF_MEMORY;
	if (!u)
		return NULL;
	*rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (*rc != CURLUE_OK) {
		curl_url_cleanup(u);
		return NULL;
	}
	return u;
}

/* The scheme/host rule on an already parsed URL. */
static int
parts_allowed(CURLU *u)
{
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host) {
		if (strcasecmp(scheme, "https") == 0)
			ok = 1;
		else if (strcasecmp(scheme, "http") == 0)
			ok = url_host_is_loopback(host);
	}
	curl_free(scheme);
	curl_free(host);
	return ok;
}

int
url_allowed(const char *url)
{
	CURLUcode rc;
	CURLU *u;
	int ok;

	if (!url || !*url)
		return 0;
	u = parse_url(url, &rc);
	if (!u)
		return 0;
	ok = parts_allowed(u);
	curl_url_cleanup(u);
	return ok;
}

/* ---- url_check_base ---- */

#define FAIL(...) (snprintf(why, whysz, __VA_ARGS__), NC_E_CONFIG)

/* Length of the "http://" or "https://" the URL starts with, or 0. curl is
 * lenient about the slashes (https:/x, https:///x); users are not held to
 * less than what they would type into a browser, but no more either. */
static size_t
scheme_prefix_len(const char *url)
{
	if (strncasecmp(url, "https://", 8) == 0)
		return 8;
	if (strncasecmp(url, "http://", 7) == 0)
		return 7;
	return 0;
}

/* What curl's parser can refuse, said the way a user can act on it. */
static const char *
parse_reason(CURLUcode rc)
{
	switch (rc) {
	case CURLUE_BAD_PORT_NUMBER:
		return "its port is malformed or not from 1 to 65535";
	case CURLUE_NO_HOST:
		return "it has no host name";
	case CURLUE_BAD_IPV6:
		return "its IPv6 host is malformed (write it as [::1])";
	case CURLUE_BAD_HOSTNAME:
		return "its host name contains characters a host name cannot have";
	default:
		return "it is not a valid URL";
	}
}

/* Checks on the text as written, before curl normalises anything away. */
static enum nc_status
check_written(const char *url, char *why, size_t whysz)
{
	const char *p, *auth, *auth_end;
	size_t pre;

	for (p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return FAIL("it contains spaces or control characters");
	pre = scheme_prefix_len(url);
	if (!pre)
		return FAIL("it must start with https://");
	auth = url + pre;
	auth_end = auth + strcspn(auth, "/?#");
	if (auth_end == auth)
		return FAIL("it has no host name");
	if (memchr(auth, '@', (size_t)(auth_end - auth)))
		return FAIL("it must not contain user:password@");
	if (strpbrk(url, "?#"))
		return FAIL("it must not contain a query (?) or fragment (#)");
	if (auth_end[-1] == ':')
		return FAIL("its port is malformed");   /* "host:" with no number */
	return NC_OK;
}

/* Port 0 parses, but nothing listens there. */
static enum nc_status
check_port(CURLU *u, char *why, size_t whysz)
{
	char *port = NULL;
	enum nc_status st = NC_OK;

	if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port &&
	    strtol(port, NULL, 10) < 1)
		st = FAIL("its port is out of range (1 to 65535)");
	curl_free(port);
	return st;
}

/* A path ending in /v1, /v2...: the console appends /v1/... itself. */
static enum nc_status
check_version_suffix(const char *path, char *why, size_t whysz)
{
	size_t len = strlen(path);

	while (len > 0 && path[len - 1] == '/')
		len--;
	if (len >= 3 && path[len - 3] == '/' && path[len - 2] == 'v' &&
	    isdigit((unsigned char)path[len - 1]))
		return FAIL("drop the trailing /v%c: the console adds /v1/..., /v2/... "
		            "itself", path[len - 1]);
	return NC_OK;
}

/* curl's whole URL without trailing slashes. */
static enum nc_status
normalised(CURLU *u, char **out, char *why, size_t whysz)
{
	char *full = NULL;
	size_t len;

	if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK || !full) {
		curl_free(full);
		snprintf(why, whysz, "out of memory");
		return NC_E_NOMEM;
	}
	len = strlen(full);
	while (len > 0 && full[len - 1] == '/')
		len--;
	*out = malloc(len + 1);
	if (*out) {
		memcpy(*out, full, len);
		(*out)[len] = '\0';
	}
	curl_free(full);
	if (!*out) {
		snprintf(why, whysz, "out of memory");
		return NC_E_NOMEM;
	}
	return NC_OK;
}

static enum nc_status
check_parsed(CURLU *u, char *why, size_t whysz)
{
	char *path = NULL;
	enum nc_status st;

	if (!parts_allowed(u))
		return FAIL("plain http:// is only allowed to this machine (localhost, "
		            "127.0.0.1, [::1]); use https://");
	st = check_port(u, why, whysz);
	if (st)
		return st;
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && path)
		st = check_version_suffix(path, why, whysz);
	curl_free(path);
	return st;
}

enum nc_status
url_check_base(const char *url, char **out, char *why, size_t whysz)
{
	enum nc_status st;
	CURLUcode rc;
	CURLU *u;

	if (out)
		*out = NULL;
	if (!url)
		return FAIL("it is empty");
	st = check_written(url, why, whysz);
	if (st)
		return st;
	u = parse_url(url, &rc);
	if (!u) {
		if (rc == CURLUE_OUT_OF_MEMORY) {
			snprintf(why, whysz, "out of memory");
			return NC_E_NOMEM;
		}
		return FAIL("%s", parse_reason(rc));
	}
	st = check_parsed(u, why, whysz);
	if (!st && out)
		st = normalised(u, out, why, whysz);
	curl_url_cleanup(u);
	return st;
}
