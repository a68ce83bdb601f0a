/* JSON: a small DOM parser and writing helpers.
 *
 * Numbers are kept as their text (rj_json_text) so that callers parse them
 * with rj_dec_parse / rj_money_parse, never through floating point. Every
 * node remembers the line and column (1-based) where it starts, for error
 * messages. A parsed tree is owned by its root: free it with rj_json_free;
 * strings and nodes returned by the accessors live as long as the root.
 */
#ifndef RJ_JSON_H
#define RJ_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rj_alloc.h"
#include "rj_error.h"

#define RJ_JSON_MAX_SIZE (64u << 20) /* bytes of input */
#define RJ_JSON_MAX_DEPTH 64         /* nesting of arrays and objects */

typedef enum rj_json_type {
    RJ_JSON_NULL,
    RJ_JSON_FALSE,
    RJ_JSON_TRUE,
    RJ_JSON_NUMBER,
    RJ_JSON_STRING,
    RJ_JSON_ARRAY,
    RJ_JSON_OBJECT,
} rj_json_type;

typedef struct rj_json rj_json;

/* Parse len bytes of text (need not be NUL-terminated). On error returns
 * RJ_EINVAL (RJ_ETOOBIG beyond RJ_JSON_MAX_SIZE) and d holds
 * "LINE:COL: expected ..., found ...". max_depth 0 means RJ_JSON_MAX_DEPTH. */
int rj_json_parse(const char *text, size_t len, int max_depth, rj_json **out, rj_diag *d);
void rj_json_free(rj_json *j);

rj_json_type rj_json_kind(const rj_json *j);
const char *rj_json_type_name(rj_json_type t); /* "null", "string", ... */
int rj_json_line(const rj_json *j);
int rj_json_col(const rj_json *j);
/* String value (decoded, NUL-terminated; may contain no NUL) or number text;
 * NULL for other types. */
const char *rj_json_text(const rj_json *j);
/* Elements of an array or members of an object. */
size_t rj_json_len(const rj_json *j);
rj_json *rj_json_at(const rj_json *j, size_t i);
const char *rj_json_key_at(const rj_json *j, size_t i); /* objects only */
/* Member of an object by key (the last one if repeated), or NULL. */
rj_json *rj_json_get(const rj_json *j, const char *key);

/* Writing: append a quoted, escaped string (UTF-8 passed through, control
 * characters as \u00XX); s NULL appends null. */
void rj_json_put_str(rj_buf *b, const char *s);

#endif
