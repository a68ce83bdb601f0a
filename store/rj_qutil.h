/* Internal helpers shared by the query engines (rj_tree, rj_diff, rj_eval,
 * rj_validate, rj_compare, rj_query). Not a public contract.
 *
 * Response messages built by the engines hold only malloc'd memory (rj_*
 * allocators), so protobuf_c_message_free_unpacked(msg, NULL) frees them. */
#ifndef RJ_QUTIL_H
#define RJ_QUTIL_H

#include <stdint.h>
#include <string.h>

#include "rj_alloc.h"

/* A malloc'd copy of s, or the protobuf-c empty default for "", for a
 * singular string field: the message stays freeable by
 * protobuf_c_message_free_unpacked either way. Never for a repeated string
 * (protobuf-c frees each element). */
char *rj_q_str(const char *s);

/* Exact comparison of num/den x 100 with a whole percentage t, without
 * rounding: returns <0, 0, >0. den must not be 0. */
int rj_q_pct_cmp(int64_t num, int64_t den, int64_t t);

#endif
