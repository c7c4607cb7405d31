/* sha256.h - SHA-256 (FIPS 180-4), used to fingerprint request bodies for
 * the request log and the idempotency store. */
#ifndef SB_SHA256_H
#define SB_SHA256_H

#include <stddef.h>

/* Lower-case hex digest of len bytes at data into out[65]. */
void sha256_hex(const void *data, size_t len, char out[65]);

#endif
