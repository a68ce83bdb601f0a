/* The Renja Perubahan's tables as a document (rj_sheet), from the answers
 * of the existing RPCs: Tabel 2-1 (Evaluate, Show), Tabel 2 (not yet in
 * the model: header and a note), Tabel 3.3 (Diff with all rows, Show at
 * both ends), Tabel 3.2 (Compare of the stages) and the validate findings.
 *
 * Only reads the responses; the caller keeps them alive during
 * rj_report_build and owns them. The document is the caller's
 * (rj_doc_free).
 */
#ifndef RJ_REPORT_H
#define RJ_REPORT_H

#include <stddef.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_sheet.h"

#define RJ_REPORT_MAX_VALIDATE 2

typedef struct rj_report_in {
    const char *plan;                            /* "diskopukm-sumsel/2024" */
    const char *plan_nama;                       /* the plan's nama, may be "" */
    const Renja__V1__ListStagesResponse *stages; /* for titles; may be NULL */
    const char *from, *to;                       /* refs of Tabel 3.3 */
    int tw;                                      /* triwulan of Tabel 2-1 */
    const char *at;                              /* ref of Tabel 2-1's targets */
    const Renja__V1__DiffResponse *diff;         /* Diff(from, to, all) */
    const Renja__V1__ShowResponse *show_from, *show_to, *show_at;
    const Renja__V1__EvaluateResponse *eval;
    const Renja__V1__CompareResponse *compare;
    const Renja__V1__ValidateResponse *validate[RJ_REPORT_MAX_VALIDATE];
    const char *validate_ref[RJ_REPORT_MAX_VALIDATE];
    size_t nvalidate;
} rj_report_in;

rj_doc *rj_report_build(const rj_report_in *in);

/* The column header of a stage in Tabel 3.2: its title in capitals, with
 * its date ("05 FEB 2024") unless the title already carries it. */
void rj_report_stage_header(const char *title, const char *date, char *out, size_t n);

#endif
