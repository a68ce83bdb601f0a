/* The query engines on a read snapshot: Diff, Compare, Evaluate, Validate.
 * Each resolves the request's refs, reads what it needs through the
 * rj_snap (which the caller opened and keeps for the call; one thread at a
 * time) and fills the response with the pure cores of rj_tree.h, rj_diff.h,
 * rj_compare.h, rj_eval.h and rj_validate.h.
 *
 * Responses: out must be an initialised message (e.g. RENJA__V1__..._INIT).
 * Every field filled is malloc'd; free a malloc'd response with
 * protobuf_c_message_free_unpacked(&out->base, NULL), or empty one that
 * lives elsewhere with rj_query_clear(&out->base). On error out may be
 * partly filled: free it the same way.
 *
 * Errors: RJ_ENOTFOUND (plan or ref), RJ_EINVAL (bad by/what/tw, with d
 * naming it), RJ_EOVERFLOW, RJ_EIO.
 *
 * Cost of Diff. The keys changed between the two revisions come from
 * rj_snap_changed_keys() (cost: the revisions in the range). Ancestors'
 * figures and the plan total come from the roll-ups the store keeps
 * (rj_snap_rollup), and a `by` of bidang or sumber-dana from its group
 * sums (rj_snap_groups): a diff reads each changed item and each of its
 * ancestors at both revisions (two point reads apiece), the plan's roots
 * and the groups, so a diff of k changed items costs O(k * depth * log N)
 * beside the budget lines (tens), which are scanned; no cache, no
 * warm-up. What the stored sums do not cover reads the `to` side whole and
 * derives `from` from it by the changed keys (or reads both whole when
 * more than a quarter changed): `all`, revisions from before the store's
 * upgrade (to schema 2 for roll-ups, 3 for group sums), and a sum that
 * left int64 (whose error the full computation names). Rows are built
 * for the changed kodes and their ancestors only (everything with `all`).
 */
#ifndef RJ_QUERY_H
#define RJ_QUERY_H

#include <protobuf-c/protobuf-c.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_arena.h"
#include "rj_error.h"
#include "rj_store.h"
#include "rj_tree.h"

int rj_query_diff(rj_snap *snap, const Renja__V1__DiffRequest *req, Renja__V1__DiffResponse *out,
                  rj_diag *d);

/* refs empty: every stage of the plan, in stage order. Cost: one pass over
 * the plan's items (or lines) for all the refs' distinct revisions
 * together (rj_snap_items_revs), each version read from its packed bytes
 * once. */
int rj_query_compare(rj_snap *snap, const Renja__V1__CompareRequest *req,
                     Renja__V1__CompareResponse *out, rj_diag *d);
/* Cost: one pass over the items at `at` and one over the realisasi at
 * realisasi_at, read from their packed bytes (rj_snap_*_arena). What it
 * puts in out is allocated in a, as rj_eval_compute's: free a, never out. */
int rj_query_evaluate(rj_snap *snap, const Renja__V1__EvaluateRequest *req,
                      Renja__V1__EvaluateResponse *out, rj_arena *a, rj_diag *d);
/* Findings of the version at req->at, plus satuan-changed between each
 * pair of consecutive stages up to that revision. */
int rj_query_validate(rj_snap *snap, const Renja__V1__ValidateRequest *req,
                      Renja__V1__ValidateResponse *out, rj_diag *d);

/* Free everything a response holds and re-initialise it in place. */
void rj_query_clear(ProtobufCMessage *m);

#endif
