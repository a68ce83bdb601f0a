#include "rj_out.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_csv.h"
#include "rj_fit.h"
#include "rj_json.h"

/* --- values ------------------------------------------------------------------------------- */

typedef enum val_kind { V_NULL, V_STR, V_INT, V_BOOL, V_DEC, V_PCT, V_OBJECT, V_ARRAY } val_kind;

struct rj_val {
    val_kind kind;
    bool lines;
    int64_t v;
    char *s;
    char **keys;    /* V_OBJECT: the key of each member */
    rj_val **items; /* V_OBJECT, V_ARRAY */
    size_t n, cap;
};

static rj_val *val_new(val_kind k)
{
    rj_val *v = rj_calloc(1, sizeof(*v));
    v->kind = k;
    return v;
}

rj_val *rj_val_object(void)
{
    return val_new(V_OBJECT);
}

rj_val *rj_val_array(void)
{
    return val_new(V_ARRAY);
}

void rj_val_free(rj_val *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        if (v->keys)
            free(v->keys[i]);
        rj_val_free(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v->s);
    free(v);
}

void rj_val_lines(rj_val *v)
{
    v->lines = true;
}

void rj_val_add(rj_val *p, const char *key, rj_val *v)
{
    if (!v)
        v = val_new(V_NULL);
    if (p->n == p->cap) {
        p->cap = rj_grow_cap(p->cap, p->n + 1, 8);
        p->items = rj_realloc_array(p->items, p->cap, sizeof(*p->items));
        if (p->kind == V_OBJECT)
            p->keys = rj_realloc_array(p->keys, p->cap, sizeof(*p->keys));
    }
    if (p->kind == V_OBJECT)
        p->keys[p->n] = rj_strdup(key ? key : "");
    p->items[p->n++] = v;
}

static void add_scalar(rj_val *p, const char *key, val_kind k, int64_t n, const char *s)
{
    rj_val *v = val_new(k);
    v->v = n;
    v->s = s ? rj_strdup(s) : NULL;
    rj_val_add(p, key, v);
}

void rj_val_null(rj_val *p, const char *key)
{
    add_scalar(p, key, V_NULL, 0, NULL);
}
void rj_val_str(rj_val *p, const char *key, const char *s)
{
    add_scalar(p, key, s ? V_STR : V_NULL, 0, s);
}
void rj_val_int(rj_val *p, const char *key, int64_t v)
{
    add_scalar(p, key, V_INT, v, NULL);
}
void rj_val_bool(rj_val *p, const char *key, bool v)
{
    add_scalar(p, key, V_BOOL, v, NULL);
}
void rj_val_dec(rj_val *p, const char *key, int64_t e4)
{
    add_scalar(p, key, V_DEC, e4, NULL);
}
void rj_val_pct(rj_val *p, const char *key, int64_t e2)
{
    add_scalar(p, key, V_PCT, e2, NULL);
}
void rj_val_dec_or_null(rj_val *p, const char *key, bool has, int64_t e4)
{
    add_scalar(p, key, has ? V_DEC : V_NULL, e4, NULL);
}
void rj_val_pct_or_null(rj_val *p, const char *key, bool has, int64_t e2)
{
    add_scalar(p, key, has ? V_PCT : V_NULL, e2, NULL);
}

void rj_val_strs(rj_val *p, const char *key, char *const *s, size_t n)
{
    rj_val *a = rj_val_add_array(p, key);
    for (size_t i = 0; i < n; i++)
        rj_val_str(a, NULL, s[i]);
}

rj_val *rj_val_add_object(rj_val *p, const char *key)
{
    rj_val *v = rj_val_object();
    rj_val_add(p, key, v);
    return v;
}

rj_val *rj_val_add_array(rj_val *p, const char *key)
{
    rj_val *v = rj_val_array();
    rj_val_add(p, key, v);
    return v;
}

static void indent(rj_buf *b, int level)
{
    for (int i = 0; i < level; i++)
        rj_buf_puts(b, "  ");
}

/* level: how many containers written one member per line are around v. */
static void val_write(const rj_val *v, int level, rj_buf *b)
{
    char n[RJ_NUM_MAX];
    switch (v->kind) {
    case V_NULL:
        rj_buf_puts(b, "null");
        return;
    case V_STR:
        rj_json_put_str(b, v->s);
        return;
    case V_INT:
        rj_buf_printf(b, "%" PRId64, v->v);
        return;
    case V_BOOL:
        rj_buf_puts(b, v->v ? "true" : "false");
        return;
    case V_DEC:
        rj_dec_format(v->v, RJ_NUM_PLAIN, n);
        rj_buf_puts(b, n);
        return;
    case V_PCT:
        rj_pct_format(v->v, RJ_NUM_PLAIN, n);
        rj_buf_puts(b, n);
        return;
    case V_OBJECT:
    case V_ARRAY:
        break;
    }
    bool obj = v->kind == V_OBJECT;
    rj_buf_puts(b, obj ? "{" : "[");
    int inner = v->lines ? level + 1 : level;
    for (size_t i = 0; i < v->n; i++) {
        if (v->lines) {
            rj_buf_puts(b, i ? ",\n" : "\n");
            indent(b, inner);
        } else if (i)
            rj_buf_puts(b, ", ");
        if (obj) {
            rj_json_put_str(b, v->keys[i]);
            rj_buf_puts(b, ": ");
        }
        val_write(v->items[i], inner, b);
    }
    if (v->lines && v->n) {
        rj_buf_puts(b, "\n");
        indent(b, level);
    }
    rj_buf_puts(b, obj ? "}" : "]");
}

void rj_val_print(const rj_val *v, FILE *out)
{
    rj_buf b = {0};
    val_write(v, 0, &b);
    rj_buf_puts(&b, "\n");
    fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
}

/* --- numbers in text ---------------------------------------------------------------------- */

/* An Indonesian Excel reads 12,23 as a number and 12.23 as a date or text. */
static void decimal_comma(char *n)
{
    for (char *p = n; *p; p++)
        if (*p == '.')
            *p = ',';
}

void rj_out_text_dec(rj_out_mode m, int64_t e4, char out[RJ_NUM_MAX])
{
    rj_dec_format(e4, m == RJ_OUT_TABLE ? RJ_NUM_HUMAN : RJ_NUM_PLAIN, out);
    if (m == RJ_OUT_CSV_EXCEL)
        decimal_comma(out);
}

void rj_out_prose_dec(rj_out_mode m, int64_t e4, char out[RJ_NUM_MAX])
{
    rj_dec_format(e4, m == RJ_OUT_TABLE || m == RJ_OUT_CSV_EXCEL ? RJ_NUM_HUMAN : RJ_NUM_PLAIN,
                  out);
}

void rj_out_text_money(rj_out_mode m, int64_t v, char out[RJ_NUM_MAX])
{
    rj_money_format(v, m == RJ_OUT_TABLE ? RJ_NUM_HUMAN : RJ_NUM_PLAIN, out);
}

void rj_out_text_pct(rj_out_mode m, int64_t e2, char out[RJ_NUM_MAX])
{
    rj_pct_format(e2, m == RJ_OUT_TABLE ? RJ_NUM_HUMAN : RJ_NUM_PLAIN, out);
    if (m == RJ_OUT_CSV_EXCEL)
        decimal_comma(out);
}

void rj_out_written(rj_out_mode m, const char *text, bool has, int64_t e4, rj_buf *b)
{
    char n[RJ_NUM_MAX];
    if (m == RJ_OUT_TABLE && text && *text)
        rj_buf_puts(b, text);
    else if (has) {
        rj_out_text_dec(m, e4, n);
        rj_buf_puts(b, n);
    }
}

/* --- tables ------------------------------------------------------------------------------- */

typedef enum cell_kind {
    C_NULL,
    C_STR,
    C_INT,
    C_BOOL,
    C_MONEY,
    C_DEC,
    C_PCT,
    C_VAL,
    C_WRITTEN, /* rj_table_written: s the text as written, v the number if has */
} cell_kind;

typedef struct cell {
    cell_kind kind;
    int64_t v; /* C_STR: the depth of an indented nama */
    char *s;
    rj_val *val;
    bool has; /* C_WRITTEN: v holds a number */
} cell;

typedef struct col {
    char *key, *title;
    unsigned flags;
} col;

typedef struct row {
    cell *cells; /* one per column, null until given */
    size_t n;    /* the cells up to the last one given */
    size_t next; /* the column of the next cell */
} row;

struct rj_table {
    char *records;
    col *cols;
    size_t ncols;
    rj_val *meta; /* an object: the members before the records */
    row *rows;
    size_t nrows, caprows;
    row footer;
    bool has_footer;
    rj_buf notes;
    row *cur;
};

static rj_out_layout layout;

void rj_out_set_layout(const rj_out_layout *l)
{
    layout = *l;
}

const rj_out_layout *rj_out_get_layout(void)
{
    return &layout;
}

int rj_out_mode_parse(const char *s)
{
    static const char *names[] = {"table", "tsv", "csv", "json"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

rj_table *rj_table_new(const char *records)
{
    rj_table *t = rj_calloc(1, sizeof(*t));
    t->records = rj_strdup(records);
    t->meta = rj_val_object();
    return t;
}

static void row_free(row *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->cells[i].s);
        rj_val_free(r->cells[i].val);
    }
    free(r->cells);
}

void rj_table_free(rj_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        free(t->cols[i].key), free(t->cols[i].title);
    free(t->cols);
    rj_val_free(t->meta);
    for (size_t i = 0; i < t->nrows; i++)
        row_free(&t->rows[i]);
    free(t->rows);
    row_free(&t->footer);
    rj_buf_free(&t->notes);
    free(t->records);
    free(t);
}

void rj_table_col(rj_table *t, const char *key, const char *title, unsigned flags)
{
    t->cols = rj_realloc(t->cols, (t->ncols + 1) * sizeof(*t->cols));
    t->cols[t->ncols++] = (col){rj_strdup(key), rj_strdup(title ? title : key), flags};
}

void rj_table_meta(rj_table *t, const char *key, rj_val *v)
{
    rj_val_add(t->meta, key, v);
}

void rj_table_meta_str(rj_table *t, const char *key, const char *s)
{
    rj_val_str(t->meta, key, s);
}

void rj_table_meta_int(rj_table *t, const char *key, int64_t v)
{
    rj_val_int(t->meta, key, v);
}

void rj_table_row(rj_table *t)
{
    RJ_GROW(t->rows, t->nrows + 1, t->caprows, 16);
    t->cur = &t->rows[t->nrows++];
    *t->cur = (row){rj_calloc(t->ncols, sizeof(cell)), 0, 0};
}

void rj_table_footer(rj_table *t)
{
    row_free(&t->footer);
    t->footer = (row){rj_calloc(t->ncols, sizeof(cell)), 0, 0};
    t->has_footer = true;
    t->cur = &t->footer;
}

void rj_table_at(rj_table *t, const char *key)
{
    if (!t->cur)
        return;
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].key, key) == 0) {
            t->cur->next = i;
            return;
        }
    t->cur->next = t->ncols; /* no such column: a bug of the caller */
}

static void add(rj_table *t, cell c)
{
    /* More cells than columns is a bug of the caller. */
    if (!t->cur || t->cur->next >= t->ncols) {
        free(c.s);
        rj_val_free(c.val);
        return;
    }
    cell *slot = &t->cur->cells[t->cur->next++];
    free(slot->s);
    rj_val_free(slot->val);
    *slot = c;
    if (t->cur->n < t->cur->next)
        t->cur->n = t->cur->next;
}

void rj_table_null(rj_table *t)
{
    add(t, (cell){C_NULL, 0, NULL, NULL, false});
}
void rj_table_str(rj_table *t, const char *s)
{
    add(t, (cell){s ? C_STR : C_NULL, 0, s ? rj_strdup(s) : NULL, NULL, false});
}
void rj_table_indented(rj_table *t, const char *s, int depth)
{
    add(t, (cell){s ? C_STR : C_NULL, depth, s ? rj_strdup(s) : NULL, NULL, false});
}
void rj_table_written(rj_table *t, const char *text, bool has, int64_t e4)
{
    if (!has && !(text && *text))
        add(t, (cell){C_NULL, 0, NULL, NULL, false});
    else
        add(t, (cell){C_WRITTEN, e4, rj_strdup(text ? text : ""), NULL, has});
}
void rj_table_int(rj_table *t, int64_t v)
{
    add(t, (cell){C_INT, v, NULL, NULL, false});
}
void rj_table_bool(rj_table *t, bool v)
{
    add(t, (cell){C_BOOL, v, NULL, NULL, false});
}
void rj_table_money(rj_table *t, int64_t v)
{
    add(t, (cell){C_MONEY, v, NULL, NULL, false});
}
void rj_table_dec(rj_table *t, int64_t v)
{
    add(t, (cell){C_DEC, v, NULL, NULL, false});
}
void rj_table_pct(rj_table *t, int64_t v)
{
    add(t, (cell){C_PCT, v, NULL, NULL, false});
}
void rj_table_val(rj_table *t, rj_val *v)
{
    add(t, (cell){v ? C_VAL : C_NULL, 0, NULL, v, false});
}

void rj_table_note(rj_table *t, const char *text)
{
    rj_buf_puts(&t->notes, text);
    rj_buf_puts(&t->notes, "\n");
}

static bool shown(const col *c, rj_out_mode m)
{
    if (m != RJ_OUT_TABLE && (c->flags & RJ_COL_TABLE_ONLY))
        return false;
    if (m == RJ_OUT_JSON)
        return !(c->flags & RJ_COL_FLAT_ONLY);
    if (c->flags & RJ_COL_JSON_ONLY)
        return false;
    return m != RJ_OUT_TABLE || !(c->flags & RJ_COL_NO_TABLE);
}

/* The text of a cell in a flat mode. */
static void cell_text(const cell *c, rj_out_mode m, rj_buf *b)
{
    char n[RJ_NUM_MAX];
    switch (c->kind) {
    case C_NULL:
    case C_VAL:
        break;
    case C_WRITTEN:
        rj_out_written(m, c->s, c->has, c->v, b);
        break;
    case C_STR:
        for (int64_t i = 1; m == RJ_OUT_TABLE && i < c->v && i < 8; i++)
            rj_buf_puts(b, "  ");
        rj_buf_puts(b, c->s);
        break;
    case C_INT:
        rj_buf_printf(b, "%" PRId64, c->v);
        break;
    case C_BOOL:
        rj_buf_puts(b, m == RJ_OUT_TABLE ? (c->v ? "ya" : "tidak") : c->v ? "true" : "false");
        break;
    case C_MONEY:
        /* The printed tables write a zero amount as "-". */
        if (m == RJ_OUT_TABLE && c->v == 0)
            rj_buf_puts(b, "-");
        else {
            rj_out_text_money(m, c->v, n);
            rj_buf_puts(b, n);
        }
        break;
    case C_DEC:
        rj_out_text_dec(m, c->v, n);
        rj_buf_puts(b, n);
        break;
    case C_PCT:
        rj_out_text_pct(m, c->v, n);
        rj_buf_puts(b, n);
        if (m == RJ_OUT_TABLE)
            rj_buf_puts(b, "%");
        break;
    }
}

static void cell_json(const cell *c, rj_buf *b)
{
    rj_val v = {.v = c->v, .s = c->s};
    switch (c->kind) {
    case C_VAL:
        val_write(c->val, 1, b);
        return;
    case C_NULL:
        v.kind = V_NULL;
        break;
    case C_STR:
        v.kind = V_STR;
        break;
    case C_INT:
    case C_MONEY:
        v.kind = V_INT;
        break;
    case C_BOOL:
        v.kind = V_BOOL;
        break;
    case C_DEC:
        v.kind = V_DEC;
        break;
    case C_WRITTEN:
        v.kind = c->has ? V_DEC : V_NULL;
        break;
    case C_PCT:
        v.kind = V_PCT;
        break;
    }
    val_write(&v, 1, b);
}

static const cell *cell_at(const row *r, size_t i)
{
    static const cell none = {C_NULL, 0, NULL, NULL, false};
    return i < r->n ? &r->cells[i] : &none;
}

static void print_json(const rj_table *t, FILE *out)
{
    rj_buf b = {0};
    /* {meta..., "records": [ one record per line ]}: the members of
     * meta as val_write writes an object's, then the records. */
    rj_buf_puts(&b, "{");
    for (size_t i = 0; i < t->meta->n; i++) {
        rj_json_put_str(&b, t->meta->keys[i]);
        rj_buf_puts(&b, ": ");
        val_write(t->meta->items[i], 0, &b);
        rj_buf_puts(&b, ", ");
    }
    rj_json_put_str(&b, t->records);
    rj_buf_puts(&b, ": [");
    for (size_t r = 0; r < t->nrows; r++) {
        rj_buf_puts(&b, r ? ",\n  {" : "\n  {");
        bool first = true;
        for (size_t i = 0; i < t->ncols; i++) {
            if (!shown(&t->cols[i], RJ_OUT_JSON))
                continue;
            if (!first)
                rj_buf_puts(&b, ", ");
            first = false;
            rj_json_put_str(&b, t->cols[i].key);
            rj_buf_puts(&b, ": ");
            cell_json(cell_at(&t->rows[r], i), &b);
        }
        rj_buf_puts(&b, "}");
    }
    rj_buf_puts(&b, t->nrows ? "\n]}\n" : "]}\n");
    fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
}

static void tsv_put(rj_buf *b, const char *s)
{
    /* One record per line: tabs and newlines inside a value are escaped. */
    for (; *s; s++) {
        if (*s == '\t')
            rj_buf_puts(b, "\\t");
        else if (*s == '\n')
            rj_buf_puts(b, "\\n");
        else if (*s == '\r')
            rj_buf_puts(b, "\\r");
        else if (*s == '\\')
            rj_buf_puts(b, "\\\\");
        else
            rj_buf_append(b, s, 1);
    }
}

static void print_delimited(const rj_table *t, rj_out_mode m, FILE *out)
{
    rj_buf b = {0}, v = {0};
    bool excel = m == RJ_OUT_CSV_EXCEL, csv = m == RJ_OUT_CSV || excel;
    char sep = excel ? ';' : csv ? ',' : '\t';
    const char *eol = excel ? "\r\n" : "\n";
    bool first = true;
    if (excel)
        rj_buf_puts(&b, "\xef\xbb\xbf");
    if (csv || layout.header) {
        for (size_t i = 0; i < t->ncols; i++) {
            if (!shown(&t->cols[i], m))
                continue;
            if (!first)
                rj_buf_append(&b, &sep, 1);
            first = false;
            if (csv)
                rj_csv_put(&b, t->cols[i].key, sep);
            else
                tsv_put(&b, t->cols[i].key);
        }
        rj_buf_puts(&b, eol);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        first = true;
        for (size_t i = 0; i < t->ncols; i++) {
            if (!shown(&t->cols[i], m))
                continue;
            if (!first)
                rj_buf_append(&b, &sep, 1);
            first = false;
            v.len = 0;
            cell_text(cell_at(&t->rows[r], i), m, &v);
            rj_buf_append(&v, "", 1);
            if (csv)
                rj_csv_put(&b, v.data, sep);
            else
                tsv_put(&b, v.data);
        }
        rj_buf_puts(&b, eol);
    }
    if (b.len)
        fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
    rj_buf_free(&v);
}

static bool right_aligned(const rj_table *t, size_t i)
{
    for (size_t r = 0; r < t->nrows; r++) {
        cell_kind k = cell_at(&t->rows[r], i)->kind;
        if (k != C_NULL)
            return k == C_INT || k == C_MONEY || k == C_DEC || k == C_PCT;
    }
    return false;
}

static unsigned fit_flags(const rj_table *t, size_t i)
{
    unsigned f = t->cols[i].flags, out = 0;
    if (right_aligned(t, i))
        out |= RJ_FIT_RIGHT;
    else if (f & RJ_COL_WRAP)
        out |= RJ_FIT_WRAP;
    if (f & RJ_COL_MAIN)
        out |= RJ_FIT_MAIN | RJ_FIT_WRAP;
    if (f & RJ_COL_DROP)
        out |= RJ_FIT_DROP;
    return out;
}

static void print_table(const rj_table *t, FILE *out)
{
    size_t nr = t->nrows + 1 + (t->has_footer ? 1 : 0);
    size_t nc = t->ncols ? t->ncols : 1;
    char **text = rj_calloc(nr * nc, sizeof(char *));
    unsigned *flags = rj_calloc(nc, sizeof(unsigned));
    rj_buf v = {0};
    for (size_t i = 0; i < t->ncols; i++) {
        if (!shown(&t->cols[i], RJ_OUT_TABLE))
            continue;
        flags[i] = fit_flags(t, i);
        for (size_t r = 0; r < nr; r++) {
            v.len = 0;
            if (r == 0)
                rj_buf_puts(&v, t->cols[i].title);
            else {
                const row *rw = r <= t->nrows ? &t->rows[r - 1] : &t->footer;
                cell_text(cell_at(rw, i), RJ_OUT_TABLE, &v);
            }
            rj_buf_append(&v, "", 1);
            /* Newlines would break the alignment. */
            for (char *p = v.data; *p; p++)
                if (*p == '\n' || *p == '\r' || *p == '\t')
                    *p = ' ';
            text[r * t->ncols + i] = rj_strdup(v.data);
        }
    }
    rj_grid g = {nr, t->ncols, (const char *const *)text, flags, t->has_footer};
    rj_buf b = {0}, dropped = {0};
    rj_fit_render(&g, layout.wide ? 0 : layout.width, &b, &dropped);
    if (t->notes.len)
        rj_buf_append(&b, t->notes.data, t->notes.len);
    if (dropped.len) {
        rj_buf note = {0};
        rj_buf_printf(&note, "Kolom yang tidak muat: %.*s (--wide menampilkan semua).",
                      (int)dropped.len, dropped.data);
        rj_buf_append(&note, "", 1);
        rj_fit_paragraph(note.data, layout.width, 0, &b);
        rj_buf_free(&note);
    }
    fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
    rj_buf_free(&dropped);
    rj_buf_free(&v);
    for (size_t k = 0; k < nr * t->ncols; k++)
        free(text[k]);
    free(text);
    free(flags);
}

void rj_out_paragraph(FILE *out, const char *text)
{
    rj_buf b = {0};
    rj_fit_paragraph(text, layout.wide ? 0 : layout.width, 2, &b);
    fwrite(b.data, 1, b.len, out);
    rj_buf_free(&b);
}

void rj_table_print(const rj_table *t, rj_out_mode mode, FILE *out)
{
    switch (mode) {
    case RJ_OUT_JSON:
        print_json(t, out);
        break;
    case RJ_OUT_TSV:
    case RJ_OUT_CSV:
    case RJ_OUT_CSV_EXCEL:
        print_delimited(t, mode, out);
        break;
    case RJ_OUT_TABLE:
        print_table(t, out);
        break;
    }
}
