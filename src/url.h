/* url.h - the one rule for where the console may send the key: API base
 * URLs are parsed by libcurl's URL API (the parser that later connects), so
 * a host is judged as curl will see it, not as a hand-written parser guesses.
 *
 * The rule: https:// to any host, or plain http:// only to this machine
 * (a loopback host: 127.0.0.0/8, ::1, localhost, localhost.). Hosts are
 * compared after curl's normalisation, so http://127.1 and http://[0::1]
 * count as loopback, and http://127.0.0.1.example.com does not.
 *
 * Ownership: url_check_base() hands back a malloc'd string the caller frees.
 * Nothing here keeps state.
 */
#ifndef NC_URL_H
#define NC_URL_H

#include <stddef.h>
#include "status.h"

/* 1 if host (as curl returns it: IPv6 in brackets) is a loopback host. */
int url_host_is_loopback(const char *host);

/* 1 if url is https://, or http:// to a loopback host. Anything curl cannot
 * parse, other schemes, NULL and "" are 0. */
int url_allowed(const char *url);

/* Check a base URL given by a user (profile url =, NOVU_API_URL, --api-url).
 * On top of url_allowed(): it must be written with "http://" or "https://",
 * have no spaces or control characters, no user:password@, no query (?) or
 * fragment (#), a port from 1 to 65535, and no trailing /v1 (the console adds
 * the version itself). On success *out (when out is non-NULL) is curl's
 * normalised form without trailing slashes (lower-case scheme, decimal
 * port) and the result is NC_OK. Otherwise NC_E_CONFIG (or NC_E_NOMEM) with
 * the reason in why, a phrase such as "it must start with https://" that
 * never quotes the URL. */
enum nc_status url_check_base(const char *url, char **out, char *why, size_t whysz);

#endif
