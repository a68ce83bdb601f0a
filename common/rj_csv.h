/* CSV (RFC 4180): a reader over a buffer with line and column tracking, and
 * a field writer.
 *
 * The reader does not copy the input: the caller keeps the buffer alive
 * while the reader is in use. The fields of a row are owned by the reader
 * and valid until the next rj_csv_next call or rj_csv_free.
 */
#ifndef RJ_CSV_H
#define RJ_CSV_H

#include <stddef.h>

#include "rj_alloc.h"
#include "rj_error.h"

typedef struct rj_csv rj_csv;

typedef struct rj_csv_field {
    const char *text; /* unquoted, NUL-terminated */
    size_t len;
    int line, col; /* where the field starts, 1-based */
} rj_csv_field;

/* The separator for a file: ';' when its first line has a ';' and no ',',
 * else ','. */
char rj_csv_sniff(const char *text, size_t len);

rj_csv *rj_csv_new(const char *text, size_t len, char sep);
void rj_csv_free(rj_csv *r);
/* Read the next row. Returns 1 with *fields / *n set, 0 at the end of the
 * input, or RJ_EINVAL with d holding "LINE:COL: ..." (e.g. an unclosed
 * quote). Empty lines are skipped. */
int rj_csv_next(rj_csv *r, const rj_csv_field **fields, size_t *n, rj_diag *d);
/* Line on which the last row returned starts. */
int rj_csv_row_line(const rj_csv *r);

/* Append s as one field, quoted when it holds sep, a quote, CR or LF. */
void rj_csv_put(rj_buf *b, const char *s, char sep);

#endif
