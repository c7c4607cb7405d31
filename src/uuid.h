/* uuid.h - random UUID v4 strings for transactionIds and idempotency keys. */
#ifndef NC_UUID_H
#define NC_UUID_H

#define NC_UUID_LEN 36  /* without the terminating NUL */

/* Write a fresh lowercase RFC 4122 version-4 UUID into out (37 bytes),
 * using getrandom(2). Returns 0, or -1 if no randomness is available. */
int uuid_v4(char out[NC_UUID_LEN + 1]);

/* 1 if s is a well-formed UUID (any version, either case), else 0. */
int uuid_is_valid(const char *s);

#endif
