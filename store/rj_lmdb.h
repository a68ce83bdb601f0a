/* The store's LMDB layer: shared by the files of store/ that implement
 * rj_store.h, never included outside store/.
 *
 * Named databases (all keys are byte strings, compared by memcmp):
 *   meta    "schema" -> decimal schema version
 *   plans   plan id -> packed Plan (head revision lives here)
 *   revs    plan NUL u64be(rev) -> packed Revision
 *   vals    plan NUL key NUL u64be(~rev) -> 0x01 + packed value, or 0x00 (tombstone)
 *   stages  plan NUL name -> packed Stage
 *   tokens  "h/" sha256hex(token) -> packed Identity; "n/" name -> sha256hex
 *   events  plan NUL u64be(~seq) -> packed PlanEvent
 *   rollups plan NUL kode NUL u64be(~rev) -> 0x01 + u64be(n_children) +
 *           i64be(child_sum); kode "" is the plan itself: its roots and
 *           total, + u64be(n_items) (0x00: not known from that revision on)
 *
 * vals orders the versions of one key newest first (~rev), so "the value of
 * K as of R" is one MDB_SET_RANGE seek to plan.K.~R. The NUL after the key
 * sorts before every printable byte, so all versions of "item/2.17.01" come
 * before "item/2.17.01.1.01": with fixed-width canonical kodes, key order is
 * tree order.
 *
 * Map size and readers. LMDB may only change the map size while no
 * transaction of this process is live: mdb_env_set_mapsize() remaps the file
 * and a reader in another thread would be left with pointers into the old
 * mapping. So every read transaction we open (rj_snap, backup) is counted
 * under s->mu, and growth (on MDB_MAP_FULL inside a write) sets `resizing`,
 * waits for the count to drop to zero, resizes, and lets readers in again.
 * Consequence for callers: the thread that calls rj_store_apply() or
 * rj_store_token_add() must not hold an rj_snap open at the time, or growth
 * would wait for itself. Every write goes through lm_write(), the one place
 * that grows the map and runs the transaction again.
 *
 * The files of store/ and what each holds:
 *   rj_lmdb.c    this layer: handles, values, growth, the write helper,
 *                plan and stage records
 *   rj_store.c   open, close, and rj_store_apply (one batch of ops)
 *   rj_plan.c    the ops on plans: create, lock, unlock, set stage, events
 *   rj_submit.c  the submit op: parsing, checks, merging, writing a revision
 *   rj_token.c   tokens: add, authenticate, list, revoke
 *   rj_backup.c  backup and restore
 *   rj_snap.c    the reads of rj_snap_*
 *   rj_rollup.c  stored roll-ups, kept by each submit
 */
#ifndef RJ_LMDB_H
#define RJ_LMDB_H

#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"
#include "rj_store.h"

/* Private code: an LMDB write ran out of map; lm_write grows the map and
 * runs the transaction again. Never leaves store/. */
#define ERR_MAPFULL (-1000)

/* The first byte of a value in vals. */
#define TAG_TOMB 0x00
#define TAG_LIVE 0x01

struct rj_store {
    MDB_env *env;
    MDB_dbi meta, plans, revs, vals, stages, tokens, events, rollups, groups;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int readers;
    bool resizing;
    char *dir;
    /* the write-ahead log (rj_wal.c) */
    bool log_wanted;       /* opened with RJ_STORE_LOG: the daemon */
    bool logged;           /* writes go through the log (from the end of the open) */
    int wal_fd;            /* -1: the store has no log */
    unsigned psize;        /* LMDB's page size: the meta pages' */
    uint64_t wal_gen;      /* gen of the newest header */
    uint64_t wal_epoch;    /* the records' epoch: one per emptying checkpoint */
    off_t wal_end;         /* where the next record goes */
    off_t wal_alloc;       /* the file's size: zeros after wal_end */
    off_t wal_last;        /* where the last record went, until its commit; -1 */
    uint64_t wal_records;  /* records since the checkpoint */
    size_t ckpt_last_pgno; /* the data file's last page at the checkpoint */
    MDB_txn *pin;          /* holds the checkpoint's pages (logged only) */
    int preflush_err;      /* errno of a failed rj_store_preflush (atomic) */
    unsigned char *lb;     /* the record of the write being made */
    size_t ln, lcap;
    /* Records go to the log through wal_dfd (O_DIRECT | O_DSYNC) where the
     * file system takes it: each append rewrites the block the last one
     * ended in, whose first wal_end % WAL_BLOCK bytes blk holds. */
    int wal_dfd;        /* -1: records are written through wal_fd, then flushed */
    unsigned char *blk; /* WAL_BLOCK-aligned, blk_cap bytes */
    size_t blk_cap;
    bool wal_broken;
    char wal_why[160];
    struct records *recover; /* found at open, replayed once the env is open */
    uint64_t upgraded;       /* plans given stored sums by an upgrade ... */
    long upgraded_from;      /* ... from this schema */
    /* the roll-ups of the batch's submits, moved once its ops are done */
    struct roll_pending *rp;
    size_t n_rp, cap_rp;
    int recover_lock;
    uint64_t recovered;
};

struct rj_snap {
    rj_store *s;
    MDB_txn *txn;
    /* rj_snap_pin: plan read as of a head and a list of stages */
    const char *pin_plan;
    uint64_t pin_head;
    char *const *pin_stages;
    size_t n_pin_stages;
    /* rj_snap_budget: values the list reads may still take; over once a
     * read wanted more */
    size_t budget;
    bool limited, over;
    /* The last plan whose head was read, and that head: a read asks for
     * it several times (the revision, then each kind of value). */
    char *head_plan;
    uint64_t head;
};

/* --- keys ----------------------------------------------------------------- */

/* A key being built. Every component is length-checked on input, so an
 * overflow is our bug and aborts. */
typedef struct kbuf {
    unsigned char b[RJ_LMDB_KEY_MAX];
    size_t n;
} kbuf;

static inline void kb_put(kbuf *k, const void *p, size_t n)
{
    if (k->n + n > sizeof(k->b))
        abort();
    memcpy(k->b + k->n, p, n);
    k->n += n;
}

static inline void kb_str(kbuf *k, const char *s)
{
    kb_put(k, s, strlen(s));
}

static inline void kb_nul(kbuf *k)
{
    kb_put(k, "", 1);
}

static inline void kb_u64(kbuf *k, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    kb_put(k, b, 8);
}

/* plan NUL: the prefix of a plan's keys in revs, vals, stages, events. */
static inline void kb_plan(kbuf *k, const char *plan)
{
    k->n = 0;
    kb_str(k, plan);
    kb_nul(k);
}

static inline uint64_t get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

static inline MDB_val kb_val(kbuf *k)
{
    return (MDB_val){.mv_size = k->n, .mv_data = k->b};
}

/* The kinds of versioned value, by the prefix of their key. */
enum { K_ITEM, K_LINE, K_REAL, K_GOAL };

/* --- errors, messages ------------------------------------------------------ */

/* An LMDB failure as RJ_EIO naming what failed ("store: read plan: ..."),
 * or ERR_MAPFULL for MDB_MAP_FULL. */
int lm_fail(rj_diag *d, int rc, const char *what);

/* A stored message; NULL when it does not decode. */
void *lm_unpack(const ProtobufCMessageDescriptor *desc, const void *data, size_t len);
/* A message packed into a new buffer of *len bytes. */
void *lm_pack(const ProtobufCMessage *m, size_t *len);
/* 0x01 + packed message, the form of a live value in vals. */
void *lm_pack_val(const ProtobufCMessage *m, size_t *len);

/* --- transactions ------------------------------------------------------------ */

/* A read transaction, counted as a reader for map growth. */
int lm_read_begin(rj_store *s, MDB_txn **txn);
void lm_read_end(rj_store *s, MDB_txn *txn);
/* Count a read that is not a transaction of ours (mdb_env_copyfd2). */
void lm_readers_enter(rj_store *s);
void lm_readers_leave(rj_store *s);
/* Set the map size (0: adopt the size another process grew it to) once no
 * read transaction of ours is live. The caller holds no transaction. */
int lm_set_mapsize(rj_store *s, size_t size);

/* The body of a write transaction: 0 to commit, ERR_MAPFULL to run it again
 * on a grown map, any other code to abort and return it. */
typedef int (*lm_write_fn)(rj_store *s, MDB_txn *txn, void *arg);

/* Run fn in a write transaction and commit it. On MDB_MAP_FULL (from fn as
 * ERR_MAPFULL, or from the commit) the map is doubled and fn runs again from
 * the start, so fn must reset whatever an earlier run produced. A failure
 * to begin, commit or grow is RJ_EIO naming the step, or RJ_ETOOBIG "disk
 * full on DIR" when the data dir's file system is full; fn's own errors are
 * returned as they are (with fn's diag). */
int lm_write(rj_store *s, lm_write_fn fn, void *arg, rj_diag *d);
/* The error lm_write gives when step failed with the MDB or errno code rc:
 * RJ_ETOOBIG "disk full on DIR" or RJ_EIO "store: STEP: ...". */
int lm_write_failed(rj_store *s, int rc, const char *step, rj_diag *d);

/* --- the write-ahead log (rj_wal.c) -----------------------------------------------
 *
 * An LMDB commit is durable after two ordered flushes: the data pages, then
 * the meta page. The daemon (RJ_STORE_LOG) makes one instead: every put and
 * delete of a write goes through lm_put / lm_del, which also append it to
 * the write's record; lm_write appends the record to DIR/renja.wal and
 * fdatasyncs it before it commits, and commits without a sync
 * (MDB_NOSYNC). A checkpoint (every so many records, when the writer is
 * idle, at close) flushes the data file, saves its two meta pages in the
 * log's header and empties the log.
 *
 * Why a power loss between checkpoints cannot hurt the checkpoint's pages:
 * the logging process holds a read transaction (the pin) on the
 * checkpoint's snapshot, so LMDB never reuses a page of it, and the only
 * other pages written are the two meta pages, which recovery writes back
 * from the header. Recovery (at open, when the data file's meta pages are
 * not the header's or records follow it) restores them and replays the
 * records in order: every acknowledged write is there again.
 *
 * Another process writing beside the daemon (renjad token) commits with
 * LMDB's own syncs and then checkpoints (without emptying the log), so a
 * later recovery starts from a state that includes its write. */
int lm_put(rj_store *s, MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags);
int lm_del(rj_store *s, MDB_txn *txn, MDB_dbi dbi, MDB_val *k);
/* A child transaction's start in the record, and its undoing. */
size_t lm_log_mark(rj_store *s);
void lm_log_rewind(rj_store *s, size_t mark);
/* lm_write's steps: the record before the commit, taken back when the
 * commit fails; the checkpoint of a process that does not log. */
int lm_wal_append(rj_store *s, MDB_txn *txn, rj_diag *d);
void lm_wal_unappend(rj_store *s);
int lm_wal_after_commit(rj_store *s, rj_diag *d);
/* rj_store_open's steps: read the log and restore the meta pages before
 * the env is opened; replay, checkpoint and switch to MDB_NOSYNC after. */
int lm_wal_before_env(rj_store *s, unsigned flags, rj_diag *d);
int lm_wal_after_env(rj_store *s, rj_diag *d);
void lm_wal_close(rj_store *s);
/* fsync a directory, so that a rename or unlink in it is durable; an errno
 * code on failure. */
int lm_sync_dir(const char *dir);

/* --- scans --------------------------------------------------------------------- */

/* Called for each record of a scan: 0 to go on, 1 to stop, < 0 an error
 * that ends the scan and is returned. */
typedef int (*lm_scan_fn)(MDB_val *key, MDB_val *val, void *arg);

/* Call fn for every record of dbi whose key starts with the plen bytes at
 * prefix (plen 0: every record), in key order. what names the scan in the
 * diag of a read failure. */
int lm_scan(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t plen, lm_scan_fn fn, void *arg,
            const char *what, rj_diag *d);

/* The records lm_scan visits, unpacked as desc, up to limit of them (0: all),
 * pushed onto out. Records that do not decode are skipped. */
int lm_list(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t plen,
            const ProtobufCMessageDescriptor *desc, uint64_t limit, rj_ptrs *out, const char *what,
            rj_diag *d);

/* --- versioned values ------------------------------------------------------------ */

enum { VAL_NONE = 0, VAL_TOMB = 1, VAL_LIVE = 2 };

/* The key of key's version at rev in vals. */
void lm_vkey(kbuf *k, const char *plan, const char *key, uint64_t rev);

/* The newest version of key with revision <= rev: VAL_NONE, VAL_TOMB or
 * VAL_LIVE, or RJ_EIO. On VAL_LIVE, *val (when not NULL) points at the
 * packed message (inside LMDB, valid for the transaction); *vrev (when not
 * NULL) gets the version's revision. */
int lm_val_at(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *key, uint64_t rev,
              MDB_val *val, uint64_t *vrev);
/* The same through an open cursor of dbi, for a run of reads; k is
 * lm_vkey's key. */
int lm_val_at_cursor(MDB_cursor *c, const kbuf *k, MDB_val *val, uint64_t *vrev);

typedef int (*lm_walk_fn)(const char *key, MDB_val *val, uint64_t vrev, void *arg);

/* Call cb for every key starting with kprefix whose newest version <= rev
 * is live, in key order. Two seeks per distinct key: one to its version as
 * of rev, one past all its versions. */
int lm_walk(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *kprefix, uint64_t rev,
            lm_walk_fn cb, void *arg);

/* lm_walk for a read-only transaction whose cb writes nothing: one seek,
 * then the cursor steps (MDB_NEXT) over the versions of each key, seeking
 * only past a key with more than a few versions after rev. key points
 * into LMDB (NUL-terminated there), valid for the transaction. */
int lm_walk_read(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *kprefix, uint64_t rev,
                 lm_walk_fn cb, void *arg);

/* Called once per key for lm_walk_revs: vals[i] is the key's value as of
 * revs[i] (mv_data NULL when it has none or a tombstone), vrevs[i] its
 * version's revision; equal vrevs are the same record. */
typedef int (*lm_walk_revs_fn)(const char *key, const MDB_val *vals, const uint64_t *vrevs,
                               void *arg);

/* lm_walk_read at several revisions at once (any order, nrev >= 1): one
 * pass over the keys, each key's versions stepped through once for all
 * revisions. cb is called for every key with a live value at one of them
 * at least. */
int lm_walk_revs(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *kprefix,
                 const uint64_t *revs, size_t nrev, lm_walk_revs_fn cb, void *arg);

/* --- stored roll-ups (rj_rollup.c) ------------------------------------------------
 *
 * For every item with children, its n_children and child_sum (rj_tree.h)
 * at each revision where they moved. A submit moves them along the
 * ancestor path of the items it changed, as far as something moves
 * (O(changed items x depth) reads, one write per moved ancestor), so a
 * diff reads the changed items and their ancestors and nothing else. The
 * plan's record ("") says from which revision they are known: 0 for plans
 * created with schema 2, the head at the upgrade for older ones; a
 * tombstone from a revision where a sum left int64. */
typedef struct lm_roll {
    uint64_t n_children;
    int64_t child_sum;
} lm_roll;

/* The roll-up of kode as of rev: VAL_LIVE, VAL_NONE (no children, or for
 * "" the plan keeps none at rev), VAL_TOMB (for "": not known at rev) or
 * RJ_EIO. *out is zero unless VAL_LIVE. */
int lm_roll_at(rj_store *s, MDB_txn *txn, const char *plan, const char *kode, uint64_t rev,
               lm_roll *out);
/* The plan's roots and total (the sum of the roots' effective pagu) at
 * rev, one seek per root: VAL_LIVE, VAL_NONE / VAL_TOMB as lm_roll_at's
 * "", RJ_EOVERFLOW, RJ_EIO. */
int lm_roll_plan(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, lm_roll *out);
/* The varint fields (numbers fields[0..n)) of a packed message, read in
 * place: out[i] and found[i] per field (0 and false when absent). false
 * when the bytes are not a message. */
bool lm_varints(const MDB_val *val, const unsigned *fields, size_t n, uint64_t *out, bool *found);
/* Fields has_pagu and pagu of a packed Item, read in place; false when the
 * bytes do not parse. */
bool lm_item_pagu(const MDB_val *val, bool *has_pagu, int64_t *pagu);
/* A changed item of a submit: its canonical kode (borrowed), its presence
 * and declared pagu after the submit and, when old_known, before; its
 * bidang and sumber dana after the submit (borrowed, NULL for none), which
 * the group sums want of a sub kegiatan. */
typedef struct lm_roll_item {
    const char *kode;
    bool old_known;
    bool po, ho, pn, hn;
    int64_t pagu_o, pagu_n;
    const char *bidang_n, *sumber_n;
} lm_roll_item;

/* A new plan's record at revision 0. */
int lm_rollup_create(rj_store *s, MDB_txn *txn, const char *plan, rj_diag *d);
/* A batch's submits leave their roll-ups to the end of the batch: one pass
 * in the batch's transaction touches each page of rollups once, where a
 * pass in each op's child transaction copied them again per op. defer
 * copies what it is given; mark / rewind drop what an aborted op left;
 * flush moves them all, in order, and forgets them (also on failure);
 * clear forgets them. */
void lm_rollup_defer(rj_store *s, const char *plan, uint64_t head, const lm_roll_item *items,
                     size_t n);
size_t lm_rollup_mark(const rj_store *s);
void lm_rollup_rewind(rj_store *s, size_t mark);
int lm_rollup_flush(rj_store *s, MDB_txn *txn, rj_diag *d);
/* Move the roll-ups for a submit at head + 1 of the changed items (in any
 * order; their values, and every earlier revision's roll-ups, are already
 * written in txn). */
int lm_rollup_submit(rj_store *s, MDB_txn *txn, const char *plan, uint64_t head,
                     const lm_roll_item *items, size_t nk, rj_diag *d);
/* Compute the plan's roll-ups at rev from all its items and write the ones
 * that differ from what rev read before (O(items)). */
int lm_rollup_rebuild(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, rj_diag *d);
/* A store of an older schema to this one: every plan's roll-ups (from
 * schema 1) and group sums (from 1 or 2) at its head; *n gets how many
 * plans. */
int lm_rollup_migrate(rj_store *s, MDB_txn *txn, long schema, uint64_t *n, rj_diag *d);

/* The values of rollups and groups: a count and a sum at each revision
 * where they moved, under key; the plan's record (key "") marks from which
 * revision they are known (lm_sum_mark: known, or a tombstone: not known).
 * lm_sum_at answers as lm_roll_at; lm_sum_put and lm_sum_mark give an MDB
 * code. */
int lm_sum_at(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *key, uint64_t rev,
              lm_roll *out);
int lm_sum_at_cursor(MDB_cursor *c, const char *plan, const char *key, uint64_t rev, lm_roll *out);
/* A value as a walk (lm_walk) gives it, past its tag: VAL_LIVE, or RJ_EIO
 * for bytes that are not a sum. */
int lm_sum_decode(const MDB_val *v, lm_roll *out);
int lm_sum_put(rj_store *s, MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *key,
               uint64_t rev, const lm_roll *r);
int lm_sum_mark(rj_store *s, MDB_txn *txn, MDB_dbi dbi, const char *plan, uint64_t rev, bool known);

/* --- stored group sums (rj_groups.c) ----------------------------------------------
 *
 * For a diff by bidang or sumber dana: per plan, for each pair of a
 * bidang and a sumber dana that a sub kegiatan names (key: the bidang,
 * RJ_GROUP_SEP, the sumber dana), the number of such sub kegiatan and the
 * sum of their effective pagu, at each revision where they moved. A sub
 * kegiatan without one names "(tanpa bidang)" / "(tanpa sumber dana)", as
 * a diff shows it. The plan's record says from which revision they are
 * known: 0 for plans created with schema 3, the head at the upgrade for
 * older ones; a tombstone from a revision where a sum left int64 or a
 * pair's key would be longer than RJ_GROUP_KEY_MAX bytes or a name holds
 * RJ_GROUP_SEP (then a diff by bidang reads whole sides, and the next
 * submit computes them again from every item). */
#define RJ_GROUP_KEY_MAX (RJ_VKEY_MAX - 1)
#define RJ_GROUP_SEP '\x1f'
/* A new plan's record at revision 0. */
int lm_groups_create(rj_store *s, MDB_txn *txn, const char *plan, rj_diag *d);
/* Move the group sums for a submit at head + 1 (after its values are
 * written in txn): items as lm_rollup_submit's. */
int lm_groups_submit(rj_store *s, MDB_txn *txn, const char *plan, uint64_t head,
                     const lm_roll_item *items, size_t nk, rj_diag *d);
/* Compute them at rev from every item, writing what differs (O(items)). */
int lm_groups_rebuild(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, rj_diag *d);
/* The groups by bidang (kind 'b') or sumber dana ('s') with a sub
 * kegiatan at rev, in name order, each the sum of its pairs: RJ_ENOTFOUND
 * when the plan keeps none at rev or a group's sum leaves int64; RJ_EIO. */
int lm_groups_at(rj_store *s, MDB_txn *txn, const char *plan, char kind, uint64_t rev,
                 rj_group_sum **out, size_t *n);

/* --- records ---------------------------------------------------------------------- */

/* The plan record; RJ_EINVAL for an empty id, RJ_ENOTFOUND naming it. */
/* Its head only, read from the packed record (no unpack). */
int lm_plan_head(rj_store *s, MDB_txn *txn, const char *plan, uint64_t *head, rj_diag *d);
int lm_plan_get(rj_store *s, MDB_txn *txn, const char *plan, Renja__V1__Plan **out, rj_diag *d);
int lm_plan_put(rj_store *s, MDB_txn *txn, const Renja__V1__Plan *p, unsigned flags, rj_diag *d);
Renja__V1__Plan *lm_plan_copy(const Renja__V1__Plan *p);

void lm_stage_key(kbuf *k, const char *plan, const char *name);
/* The plan's stages in key (name) order, pushed onto out. */
int lm_stages_list(rj_store *s, MDB_txn *txn, const char *plan, rj_ptrs *out, rj_diag *d);
/* (order, name) order of Stage pointers, for qsort. */
int lm_stage_cmp(const void *a, const void *b);

/* The schema version in meta; an MDB_* code on failure. */
int lm_read_schema(MDB_txn *txn, MDB_dbi meta, long *version);

/* --- the ops rj_store_apply runs, each in its own child transaction --------------- */

int lm_op_create_plan(rj_store *s, MDB_txn *txn, rj_op *op);
int lm_op_lock_plan(rj_store *s, MDB_txn *txn, rj_op *op, bool lock);
int lm_op_set_stage(rj_store *s, MDB_txn *txn, rj_op *op);
int lm_op_submit(rj_store *s, MDB_txn *txn, rj_op *op);
int lm_op_token(rj_store *s, MDB_txn *txn, rj_op *op);
/* RJ_ELOCKED naming who locked plan p, when and why. */
int lm_locked_error(const Renja__V1__Plan *p, rj_diag *d);

#endif
