/* JSON DOM parser (common/rj_json.c) with its depth limit. Invariants: a
 * parsed tree walks cleanly (lengths, keys, lookups of the last repeated
 * key), strings re-encode with rj_json_put_str and parse back equal, and
 * the depth limit accepts exactly the nesting the document has. */
#include <stdbool.h>

#include "fuzz_util.h"
#include "rj_json.h"

static int walk(const rj_json *j, int depth)
{
    rj_json_type t = rj_json_kind(j);
    FUZZ_CHECK(t >= RJ_JSON_NULL && t <= RJ_JSON_OBJECT, "type %d", (int)t);
    FUZZ_CHECK(rj_json_type_name(t) != NULL, "type name");
    FUZZ_CHECK(rj_json_line(j) >= 1 && rj_json_col(j) >= 1, "position %d:%d", rj_json_line(j),
               rj_json_col(j));
    const char *text = rj_json_text(j);
    FUZZ_CHECK((text != NULL) == (t == RJ_JSON_STRING || t == RJ_JSON_NUMBER), "text of a %s",
               rj_json_type_name(t));
    if (t == RJ_JSON_STRING) {
        /* Re-encode and parse back: the same string. */
        rj_buf b = {0};
        rj_json_put_str(&b, text);
        rj_json *back = NULL;
        rj_diag d = {{0}};
        int rc = rj_json_parse(b.data, b.len, 0, &back, &d);
        FUZZ_CHECK(rc == 0 && rj_json_kind(back) == RJ_JSON_STRING &&
                       strcmp(rj_json_text(back), text) == 0,
                   "string does not survive put_str and parse: %s", d.msg);
        rj_json_free(back);
        rj_buf_free(&b);
    }
    int deepest = depth;
    if (t == RJ_JSON_ARRAY || t == RJ_JSON_OBJECT) {
        deepest = depth + 1;
        size_t n = rj_json_len(j);
        for (size_t i = 0; i < n; i++) {
            rj_json *c = rj_json_at(j, i);
            FUZZ_CHECK(c != NULL, "element %zu of %zu missing", i, n);
            if (t == RJ_JSON_OBJECT) {
                const char *key = rj_json_key_at(j, i);
                FUZZ_CHECK(key != NULL, "key %zu", i);
                rj_json *g = rj_json_get(j, key);
                FUZZ_CHECK(g != NULL, "get of an existing key");
                /* The last member with this key wins. */
                size_t last = i;
                for (size_t k = i + 1; k < n; k++)
                    if (strcmp(rj_json_key_at(j, k), key) == 0)
                        last = k;
                FUZZ_CHECK(g == rj_json_at(j, last), "get returned not the last member");
            }
            int sub = walk(c, depth + 1);
            if (sub > deepest)
                deepest = sub;
        }
    } else {
        FUZZ_CHECK(rj_json_len(j) == 0, "length of a scalar");
    }
    return deepest;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rj_json *j = NULL;
    rj_diag d = {{0}};
    int rc = rj_json_parse((const char *)data, size, 0, &j, &d);
    if (rc != 0) {
        FUZZ_CHECK(rc == RJ_EINVAL && d.msg[0] && j == NULL, "rc %d", rc);
        return 0;
    }
    FUZZ_CHECK(j != NULL, "no tree");
    int nesting = walk(j, 0);
    FUZZ_CHECK(nesting <= RJ_JSON_MAX_DEPTH, "nesting %d beyond the limit", nesting);
    rj_json_free(j);

    if (nesting >= 1) {
        j = NULL;
        rc = rj_json_parse((const char *)data, size, nesting, &j, &d);
        FUZZ_CHECK(rc == 0, "nesting %d refused with max_depth %d: %s", nesting, nesting, d.msg);
        rj_json_free(j);
    }
    if (nesting >= 2) {
        j = NULL;
        d.msg[0] = '\0';
        rc = rj_json_parse((const char *)data, size, nesting - 1, &j, &d);
        FUZZ_CHECK(rc == RJ_EINVAL && j == NULL && d.msg[0],
                   "nesting %d accepted with max_depth %d", nesting, nesting - 1);
    }
    return 0;
}
