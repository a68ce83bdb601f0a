/* What the client sends: SubmitRequests built from files (JSON and CSV, see
 * docs/import-format.md) and from `set` assignments.
 *
 * An rj_submit owns one Renja__V1__SubmitRequest and every string, message
 * and array hanging from it, until rj_submit_free. Nothing here talks to the
 * server, so all of it is testable on its own.
 */
#ifndef RJ_INPUT_H
#define RJ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_error.h"

#define RJ_INPUT_MAX_SIZE (64u << 20) /* bytes of an import file */

typedef enum rj_input_format {
    RJ_INPUT_AUTO, /* by extension: .csv is CSV, anything else JSON */
    RJ_INPUT_JSON,
    RJ_INPUT_CSV,
} rj_input_format;

typedef struct rj_submit rj_submit;

rj_submit *rj_submit_new(const char *plan, const char *message);
void rj_submit_free(rj_submit *s);
/* The request; valid until rj_submit_free. */
Renja__V1__SubmitRequest *rj_submit_req(rj_submit *s);
void rj_submit_set_base(rj_submit *s, uint64_t rev);
/* A copy of src (or, with src NULL, a new empty item with kode and level)
 * added to the request as an upsert; the returned item may be edited. */
Renja__V1__Item *rj_submit_upsert_item(rj_submit *s, const Renja__V1__Item *src, const char *kode);
Renja__V1__BudgetLine *rj_submit_upsert_line(rj_submit *s, const Renja__V1__BudgetLine *src,
                                             const char *kode);
/* Make the last upsert added partial: it sets only the fields named so
 * (Change.fields in model.proto; call once per field, "kode" first) and
 * the store keeps the others as they are at head. */
void rj_submit_partial(rj_submit *s, const char *field);
void rj_submit_remove_item(rj_submit *s, const char *kode, bool recursive);
void rj_submit_remove_line(rj_submit *s, const char *kode);
Renja__V1__Realisasi *rj_submit_realisasi(rj_submit *s, const char *kode, int tw, int indikator);
/* One more part (value, satuan) of the target of indikator k. */
void rj_submit_target_part(rj_submit *s, Renja__V1__Indikator *k, int64_t value_e4,
                           const char *satuan);
/* One more sasaran (canonical kode, copied) named by program it. */
void rj_submit_add_sasaran(rj_submit *s, Renja__V1__Item *it, const char *kode);
/* A new tujuan or sasaran (canonical kode) upserted by the request, empty
 * but for kode and kind; and one more (empty) indikator of it. */
Renja__V1__Goal *rj_submit_upsert_goal(rj_submit *s, const char *kode);
Renja__V1__Indikator *rj_submit_goal_indikator(rj_submit *s, Renja__V1__Goal *g);
void rj_submit_remove_goal(rj_submit *s, const char *kode, bool recursive);

/* "items.csv" -> RJ_INPUT_CSV, "-" or anything else -> RJ_INPUT_JSON. */
rj_input_format rj_input_format_of(const char *name);
/* Read a whole import file (len bytes of text) into s. name is used in
 * messages only. On error returns RJ_EINVAL (RJ_ETOOBIG over
 * RJ_INPUT_MAX_SIZE) and d holds "NAME:LINE:COL: what was wrong, what was
 * expected"; s may then hold a partial request and must not be sent. */
int rj_input_read(rj_submit *s, const char *name, const char *text, size_t len, rj_input_format fmt,
                  rj_diag *d);
/* A copy of str that s owns. */
char *rj_submit_keep_str(rj_submit *s, const char *str);
/* The file line that change i (0-based) was read from, 0 if none. */
int rj_submit_change_line(const rj_submit *s, size_t i);
/* For import --replace: add removals for the items, budget lines, tujuan
 * and sasaran of head that s does not upsert (children before parents are covered by removing
 * the topmost missing item recursively when nothing of its subtree stays). */
void rj_submit_replace(rj_submit *s, const Renja__V1__ShowResponse *head);

/* Apply one `set` assignment "FIELD=VALUE" (docs/cli.md, renja set) to
 * item, whose strings belong to s. RJ_EINVAL with d naming the known
 * fields or the expected value. */
int rj_set_item_field(rj_submit *s, Renja__V1__Item *item, const char *assign, rj_diag *d);
/* Make the upsert that n assignments (each accepted by rj_set_item_field
 * or rj_set_line_field) were applied to, the last one added, set only the
 * fields they name. */
void rj_set_partial(rj_submit *s, const char *const *assigns, size_t n);
/* The same for a budget line (set --rekening): nama=, pagu=. */
int rj_set_line_field(rj_submit *s, Renja__V1__BudgetLine *line, const char *assign, rj_diag *d);

#endif
