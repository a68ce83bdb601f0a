#include "rj_fit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WRAP_MIN 12  /* a wrapped text column keeps at least this many columns */
#define WORD_MAX 20  /* ... or its longest word, up to this */
#define TIGHT_MIN 10 /* ... or, when nothing else fits, this */
#define DROP_MIN 20  /* a column that may be left out is, rather than narrower than this */
#define MAIN_MIN 30  /* narrower than this, the main column moves under its row */
#define GAP 2        /* spaces between columns */

size_t rj_fit_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

/* Bytes of the first n display columns of s. */
static size_t cols_bytes(const char *s, size_t n)
{
    size_t i = 0, c = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == n)
            break;
    return i;
}

/* Display width of the first n bytes of s. */
static size_t span_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xc0) != 0x80;
    return w;
}

static size_t longest_word(const char *s)
{
    size_t best = 0;
    while (*s) {
        s += strspn(s, " ");
        size_t n = strcspn(s, " ");
        if (span_width(s, n) > best)
            best = span_width(s, n);
        s += n;
    }
    return best;
}

/* A cell's lines: text wrapped at spaces to w columns, keeping its leading
 * indentation on every line; a word longer than a line is cut. */
typedef struct lines {
    char **l;
    size_t n;
} lines;

static void lines_add(lines *ls, const char *s, size_t len)
{
    ls->l = rj_realloc(ls->l, (ls->n + 1) * sizeof(char *));
    char *c = rj_malloc(len + 1);
    memcpy(c, s, len);
    c[len] = 0;
    ls->l[ls->n++] = c;
}

static void lines_free(lines *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        free(ls->l[i]);
    free(ls->l);
    *ls = (lines){0};
}

static void wrap(const char *s, size_t w, lines *out)
{
    if (rj_fit_width(s) <= w || w == 0) {
        lines_add(out, s, strlen(s));
        return;
    }
    size_t ind = strspn(s, " ");
    if (ind * 2 > w)
        ind = w / 4;
    s += strspn(s, " ");
    size_t avail = w - ind;
    rj_buf line = {0};
    size_t used = 0; /* display columns of line after the indentation */
    while (*s) {
        size_t n = strcspn(s, " ");
        size_t ww = span_width(s, n);
        if (used && used + 1 + ww > avail) {
            lines_add(out, line.data, line.len);
            line.len = 0, used = 0;
        }
        if (!used)
            for (size_t k = 0; k < ind; k++)
                rj_buf_append(&line, " ", 1);
        else
            rj_buf_append(&line, " ", 1), used++;
        const char *p = s;
        size_t left = n;
        while (ww > avail - used) {
            /* a word wider than the line: cut it */
            size_t take = avail - used;
            size_t bytes = cols_bytes(p, take);
            rj_buf_append(&line, p, bytes);
            lines_add(out, line.data, line.len);
            line.len = 0, used = 0;
            for (size_t k = 0; k < ind; k++)
                rj_buf_append(&line, " ", 1);
            p += bytes, left -= bytes, ww -= take;
        }
        rj_buf_append(&line, p, left);
        used += ww;
        s += n;
        s += strspn(s, " ");
    }
    if (line.len)
        lines_add(out, line.data, line.len);
    rj_buf_free(&line);
}

void rj_fit_paragraph(const char *text, unsigned width, unsigned indent, rj_buf *b)
{
    if (!width || rj_fit_width(text) <= width || indent >= width) {
        rj_buf_puts(b, text);
        rj_buf_puts(b, "\n");
        return;
    }
    /* the first line has the whole width; the others are indented */
    lines first = {0};
    wrap(text, width, &first);
    rj_buf_puts(b, first.l[0]);
    rj_buf_puts(b, "\n");
    size_t off = strlen(first.l[0]);
    lines_free(&first);
    const char *rest = text + off;
    rest += strspn(rest, " ");
    if (!*rest)
        return;
    lines more = {0};
    wrap(rest, width - indent, &more);
    for (size_t i = 0; i < more.n; i++)
        rj_buf_printf(b, "%*s%s\n", (int)indent, "", more.l[i]);
    lines_free(&more);
}

/* --- the layout ---------------------------------------------------------------------- */

typedef struct layout {
    bool *on;     /* column shown in the grid */
    size_t *w;    /* its width */
    size_t main;  /* the stacked column, or SIZE_MAX */
    size_t after; /* the column the stacked lines are indented under */
    bool tight;   /* wrapped columns may be narrower than their longest words */
} layout;

static const char *cell(const rj_grid *g, size_t r, size_t i)
{
    return g->text[r * g->ncols + i];
}

/* Minimal widths for the columns that are on; true if they fit. */
static bool fit_widths(const rj_grid *g, const size_t *nat, layout *L, unsigned width)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; i < g->ncols; i++) {
        if (!L->on[i])
            continue;
        size_t hw = longest_word(cell(g, 0, i));
        size_t cw = 0;
        for (size_t r = 1; r < g->nrows; r++) {
            size_t x = rj_fit_width(cell(g, r, i));
            if (x > cw)
                cw = x;
        }
        if (g->flags[i] & (RJ_FIT_WRAP | RJ_FIT_MAIN)) {
            /* room for its longest word, within reason, so words are rarely cut */
            size_t lw = 0;
            for (size_t r = 1; r < g->nrows; r++) {
                size_t x = longest_word(cell(g, r, i));
                if (x > lw)
                    lw = x;
            }
            size_t m = lw > WORD_MAX ? WORD_MAX : lw < WRAP_MIN ? WRAP_MIN : lw;
            if (L->tight)
                m = lw < TIGHT_MIN ? lw : TIGHT_MIN;
            m = cw < m ? cw : m;
            L->w[i] = m > hw ? m : hw;
        } else
            L->w[i] = cw > hw ? cw : hw;
        total += L->w[i];
        n++;
    }
    total += n ? GAP * (n - 1) : 0;
    if (total > width)
        return false;
    /* The room left goes to the wrapped columns, filling the smallest
     * lack first (a Predikat whole on one line) and sharing the rest evenly. */
    size_t extra = width - total;
    for (;;) {
        size_t k = 0, least = SIZE_MAX, at = SIZE_MAX;
        for (size_t i = 0; i < g->ncols; i++)
            if (L->on[i] && (g->flags[i] & (RJ_FIT_WRAP | RJ_FIT_MAIN)) && L->w[i] < nat[i]) {
                k++;
                if (nat[i] - L->w[i] < least)
                    least = nat[i] - L->w[i], at = i;
            }
        if (!k || !extra)
            break;
        size_t share = extra / k;
        if (least <= share) {
            L->w[at] += least;
            extra -= least;
            continue;
        }
        /* every column lacks more than its share: share it out, the remainder left to right */
        size_t rem = extra - share * k;
        for (size_t i = 0; i < g->ncols; i++)
            if (L->on[i] && (g->flags[i] & (RJ_FIT_WRAP | RJ_FIT_MAIN)) && L->w[i] < nat[i]) {
                L->w[i] += share + (rem ? 1 : 0);
                if (rem)
                    rem--;
            }
        break;
    }
    return true;
}

/* Is the main column left too narrow to read (it would rather move under its row)? */
static bool main_cramped(const rj_grid *g, const size_t *nat, const layout *L)
{
    for (size_t i = 0; i < g->ncols; i++)
        if (L->on[i] && (g->flags[i] & RJ_FIT_MAIN))
            return L->w[i] < MAIN_MIN && L->w[i] < nat[i];
    return false;
}

/* fit_widths, and a column that may be left out is, rather than wrapped
 * into a sliver (the rightmost first). */
static bool fits(const rj_grid *g, const size_t *nat, layout *L, unsigned width)
{
    for (;;) {
        if (!fit_widths(g, nat, L, width))
            return false;
        size_t cramped = SIZE_MAX;
        for (size_t i = 0; i < g->ncols; i++)
            if (L->on[i] && (g->flags[i] & RJ_FIT_DROP) && L->w[i] < DROP_MIN && L->w[i] < nat[i])
                cramped = i;
        if (cramped == SIZE_MAX)
            return true;
        L->on[cramped] = false;
    }
}

/* The smallest change of the table that fits: wrapping, then moving the
 * main column under its row, then leaving out columns. False: even that
 * does not fit. */
static bool plan_once(const rj_grid *g, const size_t *nat, layout *L, unsigned width)
{
    bool *on = rj_malloc(g->ncols ? g->ncols : 1);
    memcpy(on, L->on, g->ncols);
    bool ok = fits(g, nat, L, width) && !main_cramped(g, nat, L);
    if (!ok)
        memcpy(L->on, on, g->ncols);
    free(on);
    if (ok)
        return true;
    for (size_t i = 0; i < g->ncols; i++)
        if (L->on[i] && (g->flags[i] & RJ_FIT_MAIN)) {
            L->on[i] = false;
            L->main = i;
            L->after = i;
            for (size_t k = i; k-- > 0;)
                if (L->on[k]) {
                    L->after = k;
                    break;
                }
            break;
        }
    if (fits(g, nat, L, width))
        return true;
    for (size_t i = g->ncols; i-- > 0;)
        if (L->on[i] && (g->flags[i] & RJ_FIT_DROP)) {
            L->on[i] = false;
            if (fits(g, nat, L, width))
                return true;
        }
    return false;
}

/* The same, first keeping words whole, then letting long words be cut. */
static bool plan(const rj_grid *g, const size_t *nat, layout *L, unsigned width)
{
    bool *on = rj_malloc(g->ncols ? g->ncols : 1);
    memcpy(on, L->on, g->ncols);
    bool ok = plan_once(g, nat, L, width);
    if (!ok) {
        memcpy(L->on, on, g->ncols);
        L->main = L->after = SIZE_MAX;
        L->tight = true;
        ok = plan_once(g, nat, L, width);
    }
    free(on);
    return ok;
}

static void rule(const rj_grid *g, const layout *L, rj_buf *b)
{
    bool first = true;
    for (size_t i = 0; i < g->ncols; i++) {
        if (!L->on[i])
            continue;
        if (!first)
            rj_buf_puts(b, "  ");
        first = false;
        /* no rule under a column without a title (a mark) */
        for (size_t k = 0; k < L->w[i]; k++)
            rj_buf_append(b, *cell(g, 0, i) ? "-" : " ", 1);
    }
    rj_buf_puts(b, "\n");
}

/* Where column i starts on a line. */
static size_t column_at(const rj_grid *g, const layout *L, size_t col)
{
    size_t x = 0;
    bool first = true;
    for (size_t i = 0; i < g->ncols && i <= col; i++) {
        if (!L->on[i])
            continue;
        if (i == col)
            return first ? 0 : x + GAP;
        x += (first ? 0 : GAP) + L->w[i];
        first = false;
    }
    return x;
}

static void render_row(const rj_grid *g, const layout *L, size_t r, const char *moved, rj_buf *b)
{
    lines *ls = rj_calloc(g->ncols ? g->ncols : 1, sizeof(lines));
    size_t height = 1;
    for (size_t i = 0; i < g->ncols; i++) {
        if (!L->on[i])
            continue;
        const char *s = (moved && i == L->after && !*cell(g, r, i)) ? moved : cell(g, r, i);
        if ((g->flags[i] & RJ_FIT_RIGHT) && r > 0)
            lines_add(&ls[i], s, strlen(s));
        else
            wrap(s, L->w[i], &ls[i]);
        if (ls[i].n > height)
            height = ls[i].n;
    }
    for (size_t k = 0; k < height; k++) {
        bool first = true;
        size_t pending = 0; /* spaces owed before the next cell, so lines end without blanks */
        for (size_t i = 0; i < g->ncols; i++) {
            if (!L->on[i])
                continue;
            if (!first)
                pending += GAP;
            first = false;
            const char *s = k < ls[i].n ? ls[i].l[k] : "";
            size_t sw = rj_fit_width(s);
            size_t pad = L->w[i] > sw ? L->w[i] - sw : 0;
            bool right = (g->flags[i] & RJ_FIT_RIGHT) != 0;
            if (right)
                pending += pad;
            if (*s) {
                for (; pending; pending--)
                    rj_buf_append(b, " ", 1);
                rj_buf_puts(b, s);
            }
            if (!right)
                pending += pad;
        }
        rj_buf_puts(b, "\n");
    }
    for (size_t i = 0; i < g->ncols; i++)
        lines_free(&ls[i]);
    free(ls);
}

/* When even the narrowest table is wider than the terminal: one record
 * per row, a line per column ("Uraian  TOTAL BELANJA"), as psql's expanded
 * display does. Every value is there, no number is cut. */
static void render_records(const rj_grid *g, unsigned width, rj_buf *b)
{
    size_t lw = 0;
    for (size_t i = 0; i < g->ncols; i++)
        if (cell(g, 0, i) && rj_fit_width(cell(g, 0, i)) > lw)
            lw = rj_fit_width(cell(g, 0, i));
    if (lw > width / 2)
        lw = width / 2;
    size_t vw = width > lw + GAP ? width - lw - GAP : 1;
    for (size_t r = 1; r < g->nrows; r++) {
        if (r > 1)
            rj_buf_puts(b, "\n");
        for (size_t i = 0; i < g->ncols; i++) {
            const char *v = cell(g, r, i);
            if (!v || !*v)
                continue;
            v += strspn(v, " ");
            if (!(g->flags[i] & RJ_FIT_WRAP) && rj_fit_width(v) > vw) {
                /* a number or a kode is never cut: on a line of its own */
                rj_buf_printf(b, "%s\n  %s\n", cell(g, 0, i), v);
                continue;
            }
            lines name = {0}, val = {0};
            wrap(cell(g, 0, i), lw, &name);
            wrap(v, vw, &val);
            size_t h = name.n > val.n ? name.n : val.n;
            for (size_t k = 0; k < h; k++) {
                const char *nm = k < name.n ? name.l[k] : "";
                if (k < val.n)
                    rj_buf_printf(b, "%s%*s%s\n", nm, (int)(lw + GAP - rj_fit_width(nm)), "",
                                  val.l[k]);
                else
                    rj_buf_printf(b, "%s\n", nm);
            }
            lines_free(&name);
            lines_free(&val);
        }
    }
}

void rj_fit_render(const rj_grid *g, unsigned width, rj_buf *b, rj_buf *dropped)
{
    size_t *nat = rj_calloc(g->ncols ? g->ncols : 1, sizeof(size_t));
    layout L = {rj_calloc(g->ncols ? g->ncols : 1, sizeof(bool)),
                rj_calloc(g->ncols ? g->ncols : 1, sizeof(size_t)), SIZE_MAX, SIZE_MAX, false};
    size_t total = 0, n = 0;
    for (size_t i = 0; i < g->ncols; i++) {
        L.on[i] = g->nrows && cell(g, 0, i) != NULL;
        if (!L.on[i])
            continue;
        for (size_t r = 0; r < g->nrows; r++) {
            size_t x = rj_fit_width(cell(g, r, i));
            if (x > nat[i])
                nat[i] = x;
        }
        L.w[i] = nat[i];
        total += nat[i] + (n++ ? GAP : 0);
    }
    if (width && total > width) {
        bool *all = rj_malloc(g->ncols ? g->ncols : 1);
        memcpy(all, L.on, g->ncols);
        if (!plan(g, nat, &L, width)) {
            free(all);
            render_records(g, width, b);
            free(nat);
            free(L.on);
            free(L.w);
            return;
        }
        for (size_t i = 0; i < g->ncols; i++)
            if (all[i] && !L.on[i] && i != L.main) {
                if (dropped->len)
                    rj_buf_puts(dropped, ", ");
                rj_buf_puts(dropped, cell(g, 0, i));
            }
        free(all);
    }
    size_t indent = L.main == SIZE_MAX ? 0 : column_at(g, &L, L.after) + 2;
    for (size_t r = 0; r < g->nrows; r++) {
        bool foot = g->footer && r == g->nrows - 1;
        if (r == 1 || (foot && r > 1))
            rule(g, &L, b);
        const char *m = L.main == SIZE_MAX ? NULL : cell(g, r, L.main);
        /* A footer's label (Jumlah) stays on its line when there is room. */
        bool moved = m && foot && L.after != L.main && !*cell(g, r, L.after) &&
                     rj_fit_width(m) <= L.w[L.after];
        render_row(g, &L, r, moved ? m : NULL, b);
        if (m && *m && !moved) {
            lines ls = {0};
            size_t lead = strspn(m, " ");
            wrap(m + lead, width > indent + lead ? width - indent - lead : 1, &ls);
            for (size_t k = 0; k < ls.n; k++)
                rj_buf_printf(b, "%*s%s\n", (int)(indent + lead), "", ls.l[k]);
            lines_free(&ls);
        }
    }
    free(nat);
    free(L.on);
    free(L.w);
}
