/* CSV reader (common/rj_csv.c). Invariants: rows and field positions move
 * forward, every field is NUL-terminated at its length, and the rows read
 * back identically after being written again with rj_csv_put. */
#include <stdbool.h>

#include "fuzz_util.h"
#include "rj_csv.h"

typedef struct rows {
    rj_buf text; /* all fields, NUL-separated */
    size_t *counts;
    size_t nrows;
} rows;

/* Read all rows; the rows are appended to out (if not NULL). Returns the
 * rc of the last rj_csv_next. */
static int read_all(const char *text, size_t len, char sep, rows *out)
{
    rj_csv *r = rj_csv_new(text, len, sep);
    const rj_csv_field *f;
    size_t n;
    int rc, last_line = 0;
    rj_diag d = {{0}};
    while ((rc = rj_csv_next(r, &f, &n, &d)) == 1) {
        int row = rj_csv_row_line(r);
        FUZZ_CHECK(n >= 1 && row > last_line, "row at line %d after line %d, %zu fields", row,
                   last_line, n);
        last_line = row;
        for (size_t i = 0; i < n; i++) {
            FUZZ_CHECK(f[i].text[f[i].len] == '\0' && strlen(f[i].text) == f[i].len, "field %zu",
                       i);
            FUZZ_CHECK(f[i].line >= row && f[i].col >= 1, "field %zu at %d:%d in row at line %d", i,
                       f[i].line, f[i].col, row);
            if (i > 0)
                FUZZ_CHECK(f[i].line > f[i - 1].line ||
                               (f[i].line == f[i - 1].line && f[i].col > f[i - 1].col),
                           "field %zu does not start after field %zu", i, i - 1);
        }
        if (out && !(n == 1 && f[0].len == 0)) {
            out->counts = rj_realloc(out->counts, (out->nrows + 1) * sizeof(size_t));
            out->counts[out->nrows++] = n;
            for (size_t i = 0; i < n; i++)
                rj_buf_append(&out->text, f[i].text, f[i].len + 1);
        }
    }
    if (rc < 0)
        FUZZ_CHECK(rc == RJ_EINVAL && d.msg[0], "rc %d without a message", rc);
    else
        FUZZ_CHECK(rc == 0, "rc %d", rc);
    rj_csv_free(r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char sep = rj_csv_sniff(text, size);
    FUZZ_CHECK(sep == ',' || sep == ';', "sniffed '%c'", sep);

    rows first;
    memset(&first, 0, sizeof first);
    if (read_all(text, size, sep, &first) == 0) {
        /* Write every row again and read it back. */
        rj_buf out = {0};
        /* A byte order mark first, as spreadsheets write: the reader skips
         * exactly one, so a field that itself starts with one survives. */
        rj_buf_append(&out, "\xef\xbb\xbf", 3);
        const char *p = first.text.data;
        for (size_t r = 0; r < first.nrows; r++) {
            for (size_t i = 0; i < first.counts[r]; i++) {
                if (i)
                    rj_buf_append(&out, &sep, 1);
                rj_csv_put(&out, p, sep);
                p += strlen(p) + 1;
            }
            rj_buf_append(&out, r % 2 ? "\r\n" : "\n", r % 2 ? 2 : 1);
        }
        rows second;
        memset(&second, 0, sizeof second);
        int rc = read_all(out.data, out.len, sep, &second);
        FUZZ_CHECK(rc == 0, "written rows do not read back");
        FUZZ_CHECK(second.nrows == first.nrows, "%zu rows, then %zu", first.nrows, second.nrows);
        for (size_t r = 0; r < first.nrows; r++)
            FUZZ_CHECK(first.counts[r] == second.counts[r], "row %zu: %zu fields, then %zu", r,
                       first.counts[r], second.counts[r]);
        FUZZ_CHECK(first.text.len == second.text.len &&
                       (first.text.len == 0 ||
                        memcmp(first.text.data, second.text.data, first.text.len) == 0),
                   "fields differ after writing and reading again");
        rj_buf_free(&second.text);
        free(second.counts);
        rj_buf_free(&out);
    }
    rj_buf_free(&first.text);
    free(first.counts);

    /* The other separator too, for the reader's sake. */
    read_all(text, size, sep == ',' ? ';' : ',', NULL);
    return 0;
}
