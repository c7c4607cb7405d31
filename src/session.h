/* session.h - everything a front end (headless command or screens) needs to
 * talk to Novu: the active profile, a client, the history store, and, when no
 * key is configured, the local sandbox this session started.
 *
 * Ownership: session_open() fills a caller-provided struct; session_close()
 * stops the sandbox it started, frees the client and closes history.
 */
#ifndef NC_SESSION_H
#define NC_SESSION_H

#include <sys/types.h>
#include "api.h"
#include "histdb.h"
#include "ops.h"
#include "profile.h"

struct nc_session_options {
	const char *profile;      /* --profile, or NULL */
	const char *api_url;      /* --api-url, or NULL */
	const char *history_path; /* NULL: histdb_default_path() */
	int no_sandbox;           /* 1: never start the sandbox (fail instead).
	                             The sandbox is used only when nothing at
	                             all is configured: no key, no profile file,
	                             no URL; a profile or URL without a key is
	                             NC_E_CONFIG. */
	int offline;              /* 1: do not resolve the key nor start anything
	                             (dry-run, history) */
	long max_wait_ms;         /* > 0: each HTTP call's time budget, instead
	                             of the profile's [http] retry_max_time
	                             (--max-wait) */
};

struct nc_session {
	struct nc_profile profile;
	struct nc_client *client;   /* NULL when offline */
	struct nc_history *history; /* NULL if it could not be opened */
	int sandbox;                /* 1: talking to a sandbox we started (the
	                               profile is then named "sandbox") */
	pid_t sandbox_pid;
	char *history_note;         /* e.g. "history was corrupt, moved aside" */
	char *scope;                /* session_run_scope(), set by session_open */
};

enum nc_status session_open(struct nc_session *s, const struct nc_session_options *o,
                            struct nc_error *err);
void session_close(struct nc_session *s);

/* "ENVIRONMENT URL", where sends are checked for a used transactionId or
 * key and what a stored bulk run is tied to: ENVIRONMENT is "key:" and 12
 * hex digits of the key's SHA-256 ("sandbox" for the local sandbox, whose
 * URL is "(local)"; "no-key" when none is set). Profiles sharing a key and
 * URL share it. Caller frees. */
char *session_run_scope(const struct nc_session *s);

/* The use cases' view of this session (ops.h): borrows from s. */
void session_ops(const struct nc_session *s, struct nc_ops *o);

/* Where novu-sandbox is: $NOVU_SANDBOX_BIN, else next to /proc/self/exe,
 * else "novu-sandbox" on PATH. Caller frees. */
char *session_sandbox_path(void);

/* Start the sandbox on a free loopback port; *url receives its base URL
 * (caller frees). The sandbox dies with us (PR_SET_PDEATHSIG). */
enum nc_status sandbox_start(const char *bin, pid_t *pid, char **url, struct nc_error *err);
void sandbox_stop(pid_t pid);

#define NC_SANDBOX_KEY "sk_sandbox_local"

#endif
