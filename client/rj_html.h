/* A report document (rj_sheet) as one self-contained HTML page: no network,
 * no scripts, a print stylesheet (A4 landscape, table headers repeated on
 * every page, each table starting a page), numbers as the seed prints them
 * (15.320.055.480, (113.206.733), -, 50,00).
 */
#ifndef RJ_HTML_H
#define RJ_HTML_H

#include <stdio.h>

#include "rj_sheet.h"

/* Write doc to out; the caller checks ferror(out). */
void rj_html_write(const rj_doc *doc, FILE *out);

#endif
