/* The versioned store: plans, revisions, stages, items, budget lines,
 * realisasi and tokens in one LMDB environment. Knows nothing of the network.
 *
 * Threads: an rj_store is shared by all threads. Reads go through an
 * rj_snap (one LMDB read transaction, MDB_NOTLS), used by one thread at a
 * time; it may move between threads. Writes go through rj_store_apply(),
 * which must be called from one thread only (the daemon's writer thread).
 *
 * Ownership: every message or array returned to the caller is a fresh copy
 * (protobuf-c unpacked messages); nothing points into LMDB memory. Free a
 * message with protobuf_c_message_free_unpacked(m, NULL) and an array
 * returned as (T ***out, size_t *n) with rj_msgs_free((void **)arr, n).
 *
 * Keys. Every versioned value lives under a key string, also listed in
 * Revision.keys:
 *   "item/<kode>"                 program-tree item (canonical kode)
 *   "line/<kode>"                 budget line (canonical rekening kode)
 *   "goal/<kode>"                 tujuan or sasaran (canonical T1, T1.S2)
 *   "real/<kode>/<tw>/<ind>"      realisasi of an item or a goal; ind 0 =
 *                                 realisasi anggaran (items only)
 * A removal is stored as a tombstone at that revision.
 *
 * Refs: "head" or "" (the plan's head), a decimal revision number (must be
 * <= head), or a stage name.
 */
#ifndef RJ_STORE_H
#define RJ_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "renja/v1/model.pb-c.h"
#include "rj_arena.h"
#include "rj_error.h"
#include "rj_limits.h"

#define RJ_SCHEMA_VERSION 3

typedef struct rj_store rj_store;
typedef struct rj_snap rj_snap;

/* --- environment ------------------------------------------------------- */

/* Open (and create if missing) the environment in dir. Refuses a schema
 * newer than RJ_SCHEMA_VERSION with RJ_ESCHEMA. Clears stale reader slots.
 * Recovers from a crash of a daemon that wrote through the log (see
 * rj_store_open_ex) when no daemon runs on dir. */
int rj_store_open(const char *dir, rj_store **out, rj_diag *d);

/* The write-ahead log, DIR/renja.wal. */
#define RJ_WAL_NAME "renja.wal"
/* Write through the log: one flush per acknowledged write (the daemon). */
#define RJ_STORE_LOG 1u
/* The caller holds the data dir's lock (rj_dirlock.h). */
#define RJ_STORE_OWNER 2u
int rj_store_open_ex(const char *dir, unsigned flags, rj_store **out, rj_diag *d);
/* Closes; a logging store checkpoints first, leaving an empty log. */
void rj_store_close(rj_store *s);
/* Logging store: flush the data file, record the checkpoint, empty the
 * log. RJ_EIO when a flush failed. */
int rj_store_checkpoint(rj_store *s, rj_diag *d);
/* Logging store: whether enough was written since the last checkpoint
 * (1,000 records, or 2 MiB of pages that cannot be reused until the next
 * one) that the writer should make one now. */
bool rj_store_checkpoint_due(rj_store *s);
/* Logging store: half of that written: time to start rj_store_preflush,
 * so that it is done about when the checkpoint is due (the file grows
 * until the checkpoint is made). */
bool rj_store_checkpoint_near(rj_store *s);
/* Logging store: flush the data file ahead of a checkpoint, from a thread
 * of the caller's while writes go on, so that the checkpoint's own flush
 * (which holds up writes) finds little left to write. Safe beside the
 * writer: it makes nothing durable that a checkpoint relies on. A failure
 * is kept, and the next checkpoint fails with it (a page whose write
 * failed may be clean to the next flush, which would not report it).
 * 0, or an errno code. */
int rj_store_preflush(rj_store *s);
/* Records written to the log since the last checkpoint (0 when the store
 * does not log). */
uint64_t rj_store_log_records(rj_store *s);
/* Whether the log's records are written with O_DIRECT | O_DSYNC (one
 * write, durable on return) rather than written and then fdatasync'd: the
 * file system must take O_DIRECT, and RENJA_WAL_DIRECT=0 turns it off. */
bool rj_store_log_direct(rj_store *s);
/* Records replayed from the log when the store was opened. */
uint64_t rj_store_recovered(rj_store *s);
/* Plans given stored sums when this open upgraded the store from an older
 * schema (0: it was this schema already, or new); *from gets that schema
 * and *what names the sums computed ("roll-ups and group sums" from
 * schema 1, "group sums" from 2). */
uint64_t rj_store_upgraded(rj_store *s, long *from, const char **what);
/* Clear reader slots of dead processes; *dead gets how many (may be NULL). */
int rj_store_reader_check(rj_store *s, int *dead);
/* A consistent, compacted copy of the whole environment into out_file while
 * other threads and processes keep reading and writing. */
int rj_store_backup(rj_store *s, const char *out_file, rj_diag *d);
/* Replace (or create) the environment in dir with a backup file. The daemon
 * must not be running on dir. */
int rj_store_restore(const char *dir, const char *in_file, rj_diag *d);

/* --- tokens -------------------------------------------------------------- */

/* Create a token (>= 128 random bits), store only its SHA-256, print it
 * into out. Names are unique (RJ_EEXIST). */
int rj_store_token_add(rj_store *s, const char *name, Renja__V1__Role role, const char *bidang,
                       char out[RJ_TOKEN_MAX], rj_diag *d);
/* Look a presented token up; RJ_EAUTH when unknown or revoked. */
int rj_store_token_auth(rj_store *s, const char *token, Renja__V1__Identity **out, rj_diag *d);
/* The same in a read snapshot (a read's own, so it opens no other). */
int rj_snap_token_auth(rj_snap *snap, const char *token, Renja__V1__Identity **out, rj_diag *d);
int rj_store_token_list(rj_store *s, Renja__V1__Identity ***out, size_t *n, rj_diag *d);
int rj_store_token_revoke(rj_store *s, const char *name, rj_diag *d);
/* The same list as rj_store_token_list, from a read snapshot. */
int rj_snap_tokens(rj_snap *snap, Renja__V1__Identity ***out, size_t *n, rj_diag *d);
/* Number of tokens stored (0 on a store that init never touched). */
int rj_store_token_count(rj_store *s, size_t *n, rj_diag *d);

/* --- reads ------------------------------------------------------------- */

/* Every read takes an rj_diag (may be NULL) that says what failed where:
 * the plan or value not found, or the read that failed and why. */

int rj_snap_begin(rj_store *s, rj_snap **out, rj_diag *d);
void rj_snap_end(rj_snap *snap);

int rj_snap_plan(rj_snap *snap, const char *plan, Renja__V1__Plan **out, rj_diag *d);
int rj_snap_plans(rj_snap *snap, Renja__V1__Plan ***out, size_t *n, rj_diag *d);
/* Resolve a ref (see above) to a revision number. RJ_ENOTFOUND names the
 * ref and what was expected. */
int rj_snap_resolve(rj_snap *snap, const char *plan, const char *ref, uint64_t *rev, rj_diag *d);
/* Stages in (order, name) order. */
int rj_snap_stages(rj_snap *snap, const char *plan, Renja__V1__Stage ***out, size_t *n, rj_diag *d);
/* Read plan from here on as it was when its head was head and its stages
 * were those named (renja.proto, Pin): "head" resolves to head, a revision
 * beyond it is not found, and rj_snap_stages leaves out the stages not
 * named. plan and stages are borrowed until rj_snap_end. RJ_EINVAL when
 * head is beyond the plan's head (the pin is not of this store's plan). */
int rj_snap_pin(rj_snap *snap, const char *plan, uint64_t head, char *const *stages, size_t n,
                rj_diag *d);
int rj_snap_revision(rj_snap *snap, const char *plan, uint64_t rev, Renja__V1__Revision **out,
                     rj_diag *d);
/* Revisions newest first; limit 0 = all. When key is not NULL, only the
 * revisions whose keys include it (or, for "item/<kode>", any key of the
 * subtree under kode when subtree is true). The log rj_snap_log_page
 * reads starts below revision before (0 = at the head) and stops once the
 * revisions taken hold max_bytes (0 = no bound) of stored bytes; *more then
 * says older matching revisions may remain. */
int rj_snap_log(rj_snap *snap, const char *plan, const char *key, bool subtree, uint64_t limit,
                Renja__V1__Revision ***out, size_t *n, rj_diag *d);
int rj_snap_log_page(rj_snap *snap, const char *plan, const char *key, bool subtree, uint64_t limit,
                     uint64_t before, size_t max_bytes, Renja__V1__Revision ***out, size_t *n,
                     bool *more, rj_diag *d);

/* Has key ("item/<kode>", "line/<kode>") ever had a value in plan, live
 * now or removed since? *known gets the answer. */
int rj_snap_key_known(rj_snap *snap, const char *plan, const char *key, bool *known, rj_diag *d);

/* As-of reads at revision rev. RJ_ENOTFOUND when absent or removed. */
int rj_snap_item(rj_snap *snap, const char *plan, const char *kode, uint64_t rev,
                 Renja__V1__Item **out, rj_diag *d);
int rj_snap_line(rj_snap *snap, const char *plan, const char *kode, uint64_t rev,
                 Renja__V1__BudgetLine **out, rj_diag *d);
int rj_snap_real(rj_snap *snap, const char *plan, const char *kode, int tw, int indikator,
                 uint64_t rev, Renja__V1__Realisasi **out, rj_diag *d);
/* The stored roll-up of an item's subtree at rev: n_children and child_sum
 * as rj_tree.h computes them (0 and 0 for a leaf or an absent item), one
 * point read; for kode "" the plan's roots and total (the sum of the roots'
 * effective pagu), one seek per root. RJ_ENOTFOUND when the plan keeps no
 * roll-ups at rev (revisions before the store's upgrade to schema 2, or a
 * sum that left int64): then only the items tell; RJ_EOVERFLOW when the
 * total leaves int64. */
typedef struct rj_rollup {
    uint64_t n_children;
    int64_t child_sum;
} rj_rollup;
int rj_snap_rollup(rj_snap *snap, const char *plan, const char *kode, uint64_t rev, rj_rollup *out,
                   rj_diag *d);
/* The groups of a diff by "bidang" or "sumber-dana" at rev, from the sums
 * the store keeps: each group's name, its number of sub kegiatan and the
 * sum of their effective pagu, in name order; a group with no sub kegiatan
 * at rev is not there. RJ_ENOTFOUND when the plan keeps none at rev
 * (revisions before the store's upgrade to schema 3, a sum that left
 * int64, names too long for a key): then only the items tell. */
typedef struct rj_group_sum {
    char *name;
    uint64_t n;
    int64_t pagu;
} rj_group_sum;
int rj_snap_groups(rj_snap *snap, const char *plan, const char *by, uint64_t rev,
                   rj_group_sum **out, size_t *n, rj_diag *d);
void rj_group_sums_free(rj_group_sum *g, size_t n);
/* At most this many values for the list reads below (items, lines,
 * realisasi, goals) of this snapshot, together: a read that wants more stops
 * short and rj_snap_over() says so; its answer is then incomplete and must
 * be thrown away. For the reads the daemon tries on its loop thread. */
void rj_snap_budget(rj_snap *snap, size_t values);
bool rj_snap_over(const rj_snap *snap);
/* All live values under a kode prefix ("" = all; "2.17.01" matches itself
 * and "2.17.01.*"), in kode (tree) order. pagu_rollup is NOT filled here. */
int rj_snap_items(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Item ***out, size_t *n, rj_diag *d);
int rj_snap_lines(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__BudgetLine ***out, size_t *n, rj_diag *d);
int rj_snap_reals(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Realisasi ***out, size_t *n, rj_diag *d);
int rj_snap_goals(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Goal ***out, size_t *n, rj_diag *d);

/* The fields of an item a whole-plan read below fills; the others stay at
 * their defaults. */
typedef enum rj_item_view {
    RJ_ITEM_TREE, /* kode, nama, has_pagu, pagu: roll-ups and Compare */
    RJ_ITEM_EVAL, /* all but sumber_dana, sasaran and pagu_rollup: Evaluate */
    RJ_ITEM_ALL,
} rj_item_view;

/* Whole-plan reads for the query engines (Compare, Evaluate): the live
 * items or realisasi at rev, decoded straight from the packed values by
 * rj_pbscan.h into arena a, the array included. They live as long as a and
 * are never freed one by one (not with rj_msgs_free, not with
 * protobuf_c_message_free_unpacked). Items come in kode (tree) order,
 * realisasi in key order (not sorted); an item has the fields of view
 * (pagu_rollup is never filled). rj_snap_budget counts each value decoded. RJ_ENOTFOUND
 * for the plan, RJ_EIO for a read failure or a value that does not
 * decode. */
int rj_snap_items_arena(rj_snap *snap, const char *plan, uint64_t rev, rj_item_view view,
                        rj_arena *a, Renja__V1__Item ***out, size_t *n, rj_diag *d);
int rj_snap_reals_arena(rj_snap *snap, const char *plan, uint64_t rev, rj_arena *a,
                        Renja__V1__Realisasi ***out, size_t *n, rj_diag *d);
/* Items (lines) at nrev revisions at once (compare's columns): out[i] and
 * n[i] are those at revs[i], any order, repeats allowed. One pass over the
 * plan's keys; a version that several revisions share is decoded once and
 * its message is in each of their arrays. */
int rj_snap_items_revs(rj_snap *snap, const char *plan, const uint64_t *revs, size_t nrev,
                       rj_item_view view, rj_arena *a, Renja__V1__Item ***out, size_t *n,
                       rj_diag *d);
int rj_snap_lines_revs(rj_snap *snap, const char *plan, const uint64_t *revs, size_t nrev,
                       rj_arena *a, Renja__V1__BudgetLine ***out, size_t *n, rj_diag *d);

/* The plan's events (lock, unlock, stage set), newest first; limit 0 = all. */
int rj_snap_events(rj_snap *snap, const char *plan, uint64_t limit, Renja__V1__PlanEvent ***out,
                   size_t *n, rj_diag *d);

/* The keys changed by revisions in (from, to], sorted, each once. Cost
 * follows the number of revisions and keys in the range, not the plan. */
int rj_snap_changed_keys(rj_snap *snap, const char *plan, uint64_t from, uint64_t to, char ***keys,
                         size_t *n, rj_diag *d);
void rj_strs_free(char **strs, size_t n);

void rj_msgs_free(void **msgs, size_t n);

/* --- writes ------------------------------------------------------------ */

typedef enum rj_op_kind {
    RJ_OP_CREATE_PLAN,
    RJ_OP_LOCK_PLAN,
    RJ_OP_UNLOCK_PLAN,
    RJ_OP_SUBMIT,
    RJ_OP_SET_STAGE,
    RJ_OP_TOKEN_ADD,    /* plan unused */
    RJ_OP_TOKEN_REVOKE, /* plan unused */
} rj_op_kind;

/* One write request. Inputs are borrowed for the duration of
 * rj_store_apply(); outputs are owned by the op (rj_op_clear frees them). */
typedef struct rj_op {
    rj_op_kind kind;
    const char *plan;
    const Renja__V1__Identity *who; /* author: name, role, bidang */
    const char *client;             /* where the call came from, for the audit; may be NULL */
    int64_t now_ms;                 /* wall clock of the request */
    const char *nama;               /* CREATE_PLAN */
    const char *reason;             /* LOCK_PLAN */
    bool has_base;                  /* SUBMIT */
    uint64_t base;
    const char *message;
    Renja__V1__Change **changes;
    size_t n_changes;
    const Renja__V1__Stage *stage;    /* SET_STAGE; stage->rev 0 = head */
    const Renja__V1__Identity *token; /* TOKEN_ADD (name, role, bidang); TOKEN_REVOKE (name) */

    /* results */
    int err;
    rj_diag diag;
    uint64_t rev;                  /* SUBMIT: the new revision */
    Renja__V1__Revision *revision; /* SUBMIT: the stored revision record */
    bool unchanged;                /* SUBMIT: nothing changed; no revision, rev is the head */
    Renja__V1__Plan *plan_out;     /* CREATE/LOCK/UNLOCK */
    Renja__V1__Stage *stage_out;   /* SET_STAGE */
    char token_out[RJ_TOKEN_MAX];  /* TOKEN_ADD: the new secret; rj_op_clear wipes it */
    Renja__V1__Identity *token_id; /* TOKEN_ADD/REVOKE: the token's identity */
} rj_op;

/* Apply ops in one LMDB write transaction, each one atomically (a failing op
 * changes nothing and gets err/diag), commit once and sync, then return: an
 * op with err == 0 is durable. Grows the map on MDB_MAP_FULL and retries.
 * Returns nonzero only when the commit itself failed; every op then carries
 * that error.
 *
 * SUBMIT checks: plan exists and is not locked (RJ_ELOCKED naming who
 * locked it and why); the author's role allows each change (editors: items
 * of their own bidang and realisasi only; planners and admins: anything;
 * viewers: nothing -> RJ_EPERM; tujuan, sasaran and their realisasi are
 * planners' and admins' only); every kode canonical-parsable with its level
 * fitting its place; a child's parent exists at this revision (same submit
 * or earlier); no key twice in one submit; 0 <= pagu <= RJ_PAGU_MAX and
 * |anggaran| <= RJ_PAGU_MAX; with has_base, no key
 * touched by a revision in (base, head] (RJ_ECONFLICT naming each key and
 * the revision that changed it). Errors name the offending kode and field.
 *
 * Unchanged is no change: an upsert equal to the value at head, and a clear
 * of realisasi that is not there, leave the submit before permissions and
 * conflicts are judged (writing what is there loses nobody's change); a
 * submit left with nothing makes no revision (err 0, unchanged, rev the
 * head). An editor's refusal names every change it may not make ("change
 * N: ...", N counting the request's changes from 1).
 *
 * Implied changes: removing an item removes its realisasi (and, recursive,
 * its subtree); an upsert that keeps fewer indikator removes the realisasi
 * of the dropped ones. Their keys are in Revision.keys and conflict-checked
 * like explicit ones. With a base, a refusal that comes from a revision
 * after the base (parent or item removed, child added) is RJ_ECONFLICT too,
 * and conflicts are reported before any other check on the store. */
int rj_store_apply(rj_store *s, rj_op **ops, size_t n);
void rj_op_clear(rj_op *op);

#endif
