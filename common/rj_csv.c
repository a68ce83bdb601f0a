#include "rj_csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct rj_csv {
    const char *s;
    size_t len, pos;
    int line;
    size_t line_start;
    char sep;
    int row_line;
    rj_buf text;  /* field texts of the current row, NUL-separated */
    size_t *offs; /* offsets of field texts into text */
    rj_csv_field *fields;
    size_t n, cap;
};

char rj_csv_sniff(const char *text, size_t len)
{
    const char *nl = memchr(text, '\n', len);
    size_t l = nl ? (size_t)(nl - text) : len;
    bool comma = memchr(text, ',', l) != NULL, semi = memchr(text, ';', l) != NULL;
    return semi && !comma ? ';' : ',';
}

rj_csv *rj_csv_new(const char *text, size_t len, char sep)
{
    rj_csv *r = rj_calloc(1, sizeof(*r));
    r->s = text;
    r->len = len;
    r->line = 1;
    r->sep = sep;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        r->pos = r->line_start = 3;
    return r;
}

void rj_csv_free(rj_csv *r)
{
    if (!r)
        return;
    rj_buf_free(&r->text);
    free(r->offs);
    free(r->fields);
    free(r);
}

int rj_csv_row_line(const rj_csv *r)
{
    return r->row_line;
}

static void add_field(rj_csv *r, size_t off, int line, int col)
{
    if (r->n == r->cap) {
        r->cap = rj_grow_cap(r->cap, r->n + 1, 16);
        r->offs = rj_realloc_array(r->offs, r->cap, sizeof(*r->offs));
        r->fields = rj_realloc_array(r->fields, r->cap, sizeof(*r->fields));
    }
    r->offs[r->n] = off;
    r->fields[r->n].line = line;
    r->fields[r->n].col = col;
    r->n++;
}

static void newline(rj_csv *r)
{
    r->line++;
    r->line_start = r->pos;
}

int rj_csv_next(rj_csv *r, const rj_csv_field **fields, size_t *n, rj_diag *d)
{
    /* Skip empty lines between rows. */
    while (r->pos < r->len && (r->s[r->pos] == '\n' || r->s[r->pos] == '\r')) {
        r->pos++;
        if (r->s[r->pos - 1] == '\n')
            newline(r);
    }
    if (r->pos >= r->len)
        return 0;
    r->text.len = 0;
    r->n = 0;
    r->row_line = r->line;
    for (;;) {
        /* At the start of a field. */
        int line = r->line, col = (int)(r->pos - r->line_start) + 1;
        size_t off = r->text.len;
        add_field(r, off, line, col);
        if (r->pos < r->len && r->s[r->pos] == '"') {
            r->pos++;
            for (;;) {
                if (r->pos >= r->len)
                    return rj_diag_set(d, RJ_EINVAL,
                                       "%d:%d: quoted field is not closed (expected '\"')", line,
                                       col);
                char c = r->s[r->pos++];
                if (c == '"') {
                    if (r->pos < r->len && r->s[r->pos] == '"') {
                        rj_buf_append(&r->text, "\"", 1);
                        r->pos++;
                        continue;
                    }
                    break;
                }
                rj_buf_append(&r->text, &c, 1);
                if (c == '\n')
                    newline(r);
            }
            /* After the closing quote: separator, end of line or input. A
             * CR counts as an end of line only before LF or at the end of
             * the input, as for unquoted fields: a lone CR ending the row
             * here would leave the line count behind. */
            if (r->pos < r->len && r->s[r->pos] == '\r' &&
                (r->pos + 1 == r->len || r->s[r->pos + 1] == '\n'))
                r->pos++;
            if (r->pos < r->len && r->s[r->pos] != r->sep && r->s[r->pos] != '\n')
                return rj_diag_set(d, RJ_EINVAL,
                                   "%d:%d: expected '%c' or end of line after the closing quote",
                                   r->line, (int)(r->pos - r->line_start) + 1, r->sep);
        } else {
            while (r->pos < r->len) {
                char c = r->s[r->pos];
                if (c == r->sep || c == '\n')
                    break;
                if (c == '\r' && (r->pos + 1 >= r->len || r->s[r->pos + 1] == '\n'))
                    break;
                if (c == '"')
                    return rj_diag_set(d, RJ_EINVAL,
                                       "%d:%d: a quote inside an unquoted field (quote the whole "
                                       "field and double the quote)",
                                       r->line, (int)(r->pos - r->line_start) + 1);
                rj_buf_append(&r->text, &c, 1);
                r->pos++;
            }
        }
        rj_buf_append(&r->text, "", 1);
        if (r->pos < r->len && r->s[r->pos] == r->sep) {
            r->pos++;
            continue;
        }
        /* End of the row. */
        if (r->pos < r->len && r->s[r->pos] == '\r')
            r->pos++;
        if (r->pos < r->len && r->s[r->pos] == '\n') {
            r->pos++;
            newline(r);
        }
        break;
    }
    for (size_t i = 0; i < r->n; i++) {
        r->fields[i].text = r->text.data + r->offs[i];
        r->fields[i].len = strlen(r->fields[i].text);
    }
    *fields = r->fields;
    *n = r->n;
    return 1;
}

void rj_csv_put(rj_buf *b, const char *s, char sep)
{
    if (!s)
        s = "";
    if (!strchr(s, sep) && !strchr(s, '"') && !strchr(s, '\n') && !strchr(s, '\r')) {
        rj_buf_puts(b, s);
        return;
    }
    rj_buf_append(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            rj_buf_append(b, "\"", 1);
        rj_buf_append(b, p, 1);
    }
    rj_buf_append(b, "\"", 1);
}
