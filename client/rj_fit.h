/* Laying out the human table: a grid of cell texts printed in aligned
 * columns, fitted to the width of the terminal.
 *
 * Numbers are never shortened. To fit, in this order: headers wrap at
 * their spaces; RJ_FIT_WRAP cells wrap at word boundaries (keeping their
 * leading indentation); RJ_FIT_DROP columns are left out, the rightmost
 * first; last, the RJ_FIT_MAIN column (the Uraian) moves to lines of its
 * own under each row. A table that fits, or width 0, is printed with every
 * cell on one line, exactly as it always was.
 */
#ifndef RJ_FIT_H
#define RJ_FIT_H

#include <stdbool.h>
#include <stddef.h>

#include "rj_alloc.h" /* rj_buf */

enum {
    RJ_FIT_RIGHT = 1 << 0, /* right-aligned (numbers); never wrapped */
    RJ_FIT_WRAP = 1 << 1,  /* text that may wrap */
    RJ_FIT_DROP = 1 << 2,  /* may be left out when the table is too wide */
    RJ_FIT_MAIN = 1 << 3,  /* may move under its row (implies RJ_FIT_WRAP) */
};

typedef struct rj_grid {
    size_t nrows, ncols;     /* row 0 is the header */
    const char *const *text; /* nrows * ncols, row-major; NULL: the column is not shown */
    const unsigned *flags;   /* per column */
    bool footer;             /* the last row is a footer: a rule goes above it */
} rj_grid;

/* Append g to b, fitted to width columns (0: not fitted). The titles of the
 * columns left out are appended to dropped, separated by ", ". */
void rj_fit_render(const rj_grid *g, unsigned width, rj_buf *b, rj_buf *dropped);

/* Append text to b wrapped at spaces to width columns (0: as it is), each
 * line after the first indented by indent spaces; ends with a newline. */
void rj_fit_paragraph(const char *text, unsigned width, unsigned indent, rj_buf *b);

/* Display width: UTF-8 continuation bytes take no column. */
size_t rj_fit_width(const char *s);

#endif
