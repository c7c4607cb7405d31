/* keysource.h - where the secret key comes from: the environment
 * (NOVU_SECRET_KEY, else NOVU_API_KEY), a profile's [secret] env, command
 * (fork/execvp, no shell, first line of stdout, 30 s limit) or file (0600
 * and ours, like ssh). profile_resolve_key() (declared in profile.h) is
 * implemented here.
 *
 * Secrets: the key is only ever copied into buffers wiped with
 * explicit_bzero; error messages name the source (variable, program, file),
 * never data read from it.
 *
 * Ownership: struct keysource_argv owns its arrays (keysource_argv_free);
 * keysource_env_key() returns the environment's own string (borrowed).
 */
#ifndef NC_KEYSOURCE_H
#define NC_KEYSOURCE_H

#include <stddef.h>
#include "apierror.h"

/* A command line split into words, shell-like but with no expansion. */
struct keysource_argv {
	char **argv;       /* argc words and a NULL, pointing into buf */
	char *buf;
	size_t argc;
};

/* Split on blanks; '...' is literal, "..." allows \" and \\, and a backslash
 * outside quotes escapes the next character. Returns 0, -1 on unbalanced
 * quotes or a trailing backslash, -2 when out of memory (a is then empty). */
int keysource_split_command(const char *cmd, struct keysource_argv *a);
void keysource_argv_free(struct keysource_argv *a);

/* The key set in the environment (NOVU_SECRET_KEY, else NOVU_API_KEY), or
 * NULL; *var (when var is non-NULL) receives the variable's name. The one
 * place that says which variables hold the key and in which order. */
const char *keysource_env_key(const char **var);

/* Wipe a NUL-terminated secret and free it (NULL is fine). */
void keysource_free_secret(char *s);

#endif
