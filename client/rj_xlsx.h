/* A report document (rj_sheet) as an XLSX workbook, through libxlsxwriter:
 * one worksheet per sheet, numbers as numeric cells with display formats,
 * merged and frozen header rows, print setup (A4 landscape, fit to page
 * width, header rows repeated, plan and stages in the page header).
 */
#ifndef RJ_XLSX_H
#define RJ_XLSX_H

#include <stddef.h>

#include "rj_error.h"
#include "rj_sheet.h"

/* Display formats, in the file's own (en-US) notation; an Indonesian
 * Excel shows RJ_XLSX_FMT_MONEY as #.##0;(#.##0);- */
#define RJ_XLSX_FMT_MONEY "#,##0;(#,##0);-"
#define RJ_XLSX_FMT_PCT "#,##0.00"

/* Called every so many rows written: rows done of rows in all. */
typedef void (*rj_progress_cb)(size_t done, size_t total, void *arg);

/* Write doc to path (created or replaced). RJ_EIO with d naming the file
 * and libxlsxwriter's reason on failure. */
int rj_xlsx_write(const rj_doc *doc, const char *path, rj_progress_cb progress, void *arg,
                  rj_diag *d);

#endif
