/* profile.h - API-key profiles: where to send and where the key comes from.
 *
 * Files: $XDG_CONFIG_HOME/novu-console/profiles/NAME.ini (default
 * ~/.config/...), or the directory in $NOVU_CONSOLE_CONFIG_DIR. INI with
 * comments, parsed by libinih. Format (see the examples in profiles/):
 *
 *   [api]
 *   region = us            ; us | eu (ignored when url is set)
 *   url = https://novu.example.com/api
 *   [secret]               ; exactly one source, tried in this order
 *   env = NOVU_PROD_KEY    ; name of an environment variable
 *   command = pass show novu/prod   ; argv split on blanks, no shell; first line
 *   file = ~/.config/novu-console/prod.key ; must be 0600 and ours (like ssh)
 *   [http]
 *   timeout = 30           ; seconds per attempt
 *   connect_timeout = 10
 *   retry_attempts = 5
 *   retry_max_time = 60    ; seconds across all attempts (--max-wait overrides)
 *   [safety]
 *   read_only = false      ; true: may read and cancel, never send
 *
 * Environment: NOVU_SECRET_KEY (else NOVU_API_KEY) overrides the key source,
 * NOVU_API_URL the URL. The key is never read from argv.
 *
 * Trust: a profile file others could change is refused before it is read
 * (trust.h: ours or root's, not group/other-writable, nor any directory
 * above it up to $HOME). Errors that quote the file's text, the profile name
 * or NOVU_API_URL hide anything that looks like a key (redact.h).
 *
 * Ownership: struct nc_profile owns its strings; profile_clear() frees them
 * and wipes the key with explicit_bzero.
 */
#ifndef NC_PROFILE_H
#define NC_PROFILE_H

#include "apierror.h"

enum nc_key_source { NC_KEY_NONE, NC_KEY_ENV, NC_KEY_COMMAND, NC_KEY_FILE };

struct nc_profile {
	char *name;            /* "default", "prod"... or "(environment)" */
	char *path;            /* file it came from, or NULL */
	char *api_url;         /* resolved base URL, never NULL after load */
	char *region;          /* "us", "eu", "custom" */
	enum nc_key_source key_source;
	char *key_env, *key_command, *key_file;
	long timeout_s, connect_timeout_s, retry_attempts, retry_max_time_s;
	int read_only;
	/* Filled by profile_resolve_key(): */
	char *secret_key;      /* NULL when none configured */
	char *key_origin;      /* "env NOVU_SECRET_KEY", "command pass", "file ~/..." */
};

#define NC_REGION_US_URL "https://api.novu.co"
#define NC_REGION_EU_URL "https://eu.api.novu.co"

/* Defaults: US, 30/10 s, 5 tries, 60 s. Allocates nothing (api_url stays NULL
 * until profile_load/profile_parse), so init-then-load never leaks. */
void profile_init(struct nc_profile *p);
void profile_clear(struct nc_profile *p);

/* Directory holding profiles/ (malloc'd, caller frees). */
char *profile_config_dir(void);

/* profile_load and profile_parse overwrite *p (it need not be initialised;
 * clear one that holds a loaded profile first) and leave it empty on failure.
 *
 * Load profile `name` (NULL: $NOVU_CONSOLE_PROFILE, else "default" if that
 * file exists, else built-in defaults with name "(none)"). A named profile
 * that does not exist is NC_E_CONFIG listing the available names. Unknown
 * keys and bad values are NC_E_CONFIG naming file, line and key.
 * Environment overrides (NOVU_API_URL) are applied. */
enum nc_status profile_load(struct nc_profile *p, const char *name, struct nc_error *err);
/* Parse INI text directly (tests, and profile_load's worker). */
enum nc_status profile_parse(struct nc_profile *p, const char *text, const char *path,
                             struct nc_error *err);

/* Fetch the secret key (implemented in keysource.c): NOVU_SECRET_KEY,
 * NOVU_API_KEY, then the profile's source. Leaves secret_key NULL (NC_OK) when nothing is configured, which
 * means "use the sandbox". A file that is not 0600 or not owned by us, a
 * failing command or an unset named variable is NC_E_CONFIG with the fix
 * (e.g. "chmod 600 FILE"). */
enum nc_status profile_resolve_key(struct nc_profile *p, struct nc_error *err);

/* Names of all profiles in the config dir, sorted (caller frees each and the
 * array). */
enum nc_status profile_list(char ***names, size_t *n, struct nc_error *err);

#endif
