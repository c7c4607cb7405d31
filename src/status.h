/* status.h - result codes shared by every core module.
 *
 * Every core function that can fail returns enum nc_status (curl's CURLcode
 * idiom): callers write `st = f(); if (st) return st;`. NC_OK is 0.
 * Details of a failure travel in a struct nc_error (apierror.h).
 */
#ifndef NC_STATUS_H
#define NC_STATUS_H

/* X-macro: code, exit code for the headless commands, message. */
#define NC_STATUS_INFO(S) \
	S(NC_OK,          0, "ok") \
	S(NC_E_USAGE,     2, "usage error") \
	S(NC_E_INVALID,   2, "invalid request (nothing was sent)") \
	S(NC_E_CONFIG,    2, "configuration error") \
	S(NC_E_READONLY,  2, "profile is read-only") \
	S(NC_E_API,       3, "the API refused the request") \
	S(NC_E_NETWORK,   4, "network failure") \
	S(NC_E_SERVER,    4, "server error") \
	S(NC_E_ABORTED,   4, "stopped by the user") \
	S(NC_E_IO,        1, "file or storage error") \
	S(NC_E_NOMEM,     1, "out of memory")

enum nc_status {
#define NC_STATUS_ENUM(code, exit, msg) code,
	NC_STATUS_INFO(NC_STATUS_ENUM)
#undef NC_STATUS_ENUM
	NC_STATUS_COUNT
};

/* Static string, never NULL. */
const char *nc_status_message(enum nc_status st);
/* Process exit code for the headless commands: 0 ok, 2 usage/validation,
 * 3 API refused, 4 network/server after retries, 1 local failure. */
int nc_status_exit_code(enum nc_status st);

#endif
