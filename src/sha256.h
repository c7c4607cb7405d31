/* sha256.h - SHA-256 (FIPS 180-4): name-based transactionIds in the core,
 * request fingerprints in the sandbox's request log and idempotency store. */
#ifndef NC_SHA256_H
#define NC_SHA256_H

#include <stddef.h>

/* The 32-byte digest of len bytes at data. */
void sha256(const void *data, size_t len, unsigned char digest[32]);
/* Lower-case hex digest into out[65]. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
