/* TEMPORARY stand-ins for common/rj_sha256.h until it lands in this tree.
 * Delete this file (and tmp_standins.c) once common/ has the real ones. */
#ifndef RJ_TMP_STANDINS_H
#define RJ_TMP_STANDINS_H

#include <stddef.h>

void rj_sha256_hex(const void *data, size_t len, char out[65]);

#endif
