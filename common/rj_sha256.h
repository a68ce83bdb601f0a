/* SHA-256 (FIPS 180-4), one-shot over a buffer the caller owns. No state is
 * kept between calls; safe from any thread. */
#ifndef RJ_SHA256_H
#define RJ_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* The 32-byte digest of data[0..len) into out. */
void rj_sha256(const void *data, size_t len, uint8_t out[32]);
/* The digest as 64 lowercase hex digits and a NUL into out. */
void rj_sha256_hex(const void *data, size_t len, char out[65]);

#endif
