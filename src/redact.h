/* redact.h - a key pasted in the wrong place is never printed back.
 *
 * Messages that echo user input (profile parse errors, URL errors, the
 * CLI's usage errors) go through redact_secrets() before anyone sees them.
 * The one rule for "looks like a key", applied to each token (a maximal run
 * of letters, digits, '_' and '-'):
 *   - it contains 32 or more hex digits in a row (a Novu secret key is 32
 *     lower-case hex characters);
 *   - it starts with "sk_" or "sk-" and 8 or more characters follow;
 *   - it is 24 or more characters long and mixes lower case, upper case and
 *     digits (a long random token).
 * Besides, every occurrence of the configured key itself (known_key, when
 * it is 8 characters or more) is hidden, whatever it looks like.
 * Each hidden token becomes REDACT_MASK. UUIDs, names, paths and URLs made
 * of ordinary words are left alone.
 *
 * Ownership: redact_secrets() returns a malloc'd string; redact_error()
 * replaces the strings inside the struct nc_error it is given.
 */
#ifndef NC_REDACT_H
#define NC_REDACT_H

#include <stddef.h>
#include "apierror.h"

#define REDACT_MASK "<hidden: looks like a key>"

/* 1 if the len bytes at s, one token, look like a key by the rule above. */
int redact_token_is_secret(const char *s, size_t len);

/* A copy of text with secret-looking tokens and known_key (may be NULL)
 * replaced by REDACT_MASK. NULL when out of memory. */
char *redact_secrets(const char *text, const char *known_key);

/* Redact err's message and field messages in place. When out of memory the
 * secret characters are overwritten with '*' instead, so nothing is ever
 * left unredacted. err may be NULL. */
void redact_error(struct nc_error *err, const char *known_key);

#endif
