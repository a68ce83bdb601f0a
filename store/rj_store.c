/* The versioned store on LMDB: open and close the environment, and apply a
 * batch of write ops in one transaction. The parts are named in rj_lmdb.h.
 *
 * The initial map is 1 GiB; the environment variable RENJA_MAPSIZE (bytes,
 * >= 65536) overrides it, so tests can start tiny and exercise growth.
 */
#include "rj_lmdb.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAPSIZE ((size_t)1 << 30)

static void op_reset(rj_op *op)
{
    rj_op_clear(op);
    op->err = 0;
    op->rev = 0;
    op->unchanged = false;
    rj_diag_clear(&op->diag);
}

void rj_op_clear(rj_op *op)
{
    if (op->revision)
        protobuf_c_message_free_unpacked(&op->revision->base, NULL);
    if (op->plan_out)
        protobuf_c_message_free_unpacked(&op->plan_out->base, NULL);
    if (op->stage_out)
        protobuf_c_message_free_unpacked(&op->stage_out->base, NULL);
    if (op->token_id)
        protobuf_c_message_free_unpacked(&op->token_id->base, NULL);
    op->revision = NULL;
    op->plan_out = NULL;
    op->stage_out = NULL;
    op->token_id = NULL;
    explicit_bzero(op->token_out, sizeof(op->token_out));
}

static int apply_one(rj_store *s, MDB_txn *txn, rj_op *op)
{
    switch (op->kind) {
    case RJ_OP_CREATE_PLAN:
        return lm_op_create_plan(s, txn, op);
    case RJ_OP_LOCK_PLAN:
        return lm_op_lock_plan(s, txn, op, true);
    case RJ_OP_UNLOCK_PLAN:
        return lm_op_lock_plan(s, txn, op, false);
    case RJ_OP_SUBMIT:
        return lm_op_submit(s, txn, op);
    case RJ_OP_SET_STAGE:
        return lm_op_set_stage(s, txn, op);
    case RJ_OP_TOKEN_ADD:
    case RJ_OP_TOKEN_REVOKE:
        return lm_op_token(s, txn, op);
    }
    return rj_diag_set(&op->diag, RJ_EINVAL, "unknown write operation %d", (int)op->kind);
}

typedef struct batch {
    rj_op **ops;
    size_t n;
    rj_diag diag; /* a failure of the whole batch */
} batch;

/* Each op in its own child transaction, so that a failing op changes
 * nothing; a run after map growth starts every op afresh. */
static int apply_batch(rj_store *s, MDB_txn *txn, void *arg)
{
    batch *b = arg;
    for (size_t i = 0; i < b->n; i++)
        op_reset(b->ops[i]);
    lm_rollup_rewind(s, 0); /* a run after map growth */
    for (size_t i = 0; i < b->n; i++) {
        size_t mark = lm_log_mark(s), rmark = lm_rollup_mark(s);
        MDB_txn *child;
        int rc = mdb_txn_begin(s->env, txn, 0, &child);
        if (rc == MDB_MAP_FULL)
            return ERR_MAPFULL;
        if (rc)
            return lm_write_failed(s, rc, "begin op", &b->diag);
        int err = apply_one(s, child, b->ops[i]);
        if (err == 0) {
            rc = mdb_txn_commit(child);
            if (rc == MDB_MAP_FULL)
                return ERR_MAPFULL;
            if (rc)
                return lm_write_failed(s, rc, "commit failed", &b->diag);
        } else {
            mdb_txn_abort(child);
            lm_log_rewind(s, mark);
            lm_rollup_rewind(s, rmark);
            if (err == ERR_MAPFULL)
                return ERR_MAPFULL;
            b->ops[i]->err = err;
            rj_op_clear(b->ops[i]);
        }
    }
    /* the batch fails as a whole when its roll-ups cannot be written: a
     * store error, never the input's */
    return lm_rollup_flush(s, txn, &b->diag);
}

int rj_store_apply(rj_store *s, rj_op **ops, size_t n)
{
    /* Outputs of a caller's fresh op may be uninitialised: forget them here
     * (never free what we did not allocate); a redo after map growth frees
     * what the previous attempt produced. */
    for (size_t i = 0; i < n; i++) {
        ops[i]->revision = NULL;
        ops[i]->plan_out = NULL;
        ops[i]->stage_out = NULL;
        ops[i]->token_id = NULL;
    }
    batch b = {.ops = ops, .n = n};
    int err = lm_write(s, apply_batch, &b, &b.diag);
    if (err == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        op_reset(ops[i]);
        ops[i]->err = err;
        ops[i]->diag = b.diag;
    }
    return err;
}

/* --- environment ------------------------------------------------------------ */

static size_t initial_mapsize(void)
{
    const char *e = getenv("RENJA_MAPSIZE");
    if (e && *e) {
        char *end;
        unsigned long long v = strtoull(e, &end, 10);
        if (*end == '\0' && v >= 65536)
            return (size_t)v;
    }
    return DEFAULT_MAPSIZE;
}

/* meta "schema" := RJ_SCHEMA_VERSION; an MDB code. */
static int put_schema(rj_store *s, MDB_txn *txn)
{
    char buf[16];
    int n = snprintf(buf, sizeof(buf), "%d", RJ_SCHEMA_VERSION);
    MDB_val k = {.mv_size = 6, .mv_data = "schema"}, v = {.mv_size = (size_t)n, .mv_data = buf};
    return lm_put(s, txn, s->meta, &k, &v, 0);
}

typedef struct open_arg {
    rj_diag d;
    long version; /* the store's schema as found (a new store: this build's) */
} open_arg;

/* Open (creating) the named databases; write the schema version into a new
 * store, refuse a newer one. */
static int open_dbs(rj_store *s, MDB_txn *txn, void *arg)
{
    open_arg *oa = arg;
    struct {
        const char *name;
        MDB_dbi *dbi;
    } dbs[] = {{"meta", &s->meta},     {"plans", &s->plans},     {"revs", &s->revs},
               {"vals", &s->vals},     {"stages", &s->stages},   {"tokens", &s->tokens},
               {"events", &s->events}, {"rollups", &s->rollups}, {"groups", &s->groups}};
    int rc = 0;
    for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]) && rc == 0; i++)
        rc = mdb_dbi_open(txn, dbs[i].name, MDB_CREATE, dbs[i].dbi);
    if (rc == 0) {
        rc = lm_read_schema(txn, s->meta, &oa->version);
        if (rc == MDB_NOTFOUND) {
            oa->version = RJ_SCHEMA_VERSION;
            rc = put_schema(s, txn);
        } else if (rc == 0 && oa->version > RJ_SCHEMA_VERSION) {
            return rj_diag_set(&oa->d, RJ_ESCHEMA,
                               "has schema version %ld; this build of renja supports schema "
                               "version %d; use a newer renja",
                               oa->version, RJ_SCHEMA_VERSION);
        }
    }
    if (rc == MDB_MAP_FULL)
        return ERR_MAPFULL;
    return rc ? rj_diag_set(&oa->d, RJ_EIO, "%s", mdb_strerror(rc)) : 0;
}

/* Schema 1 -> 3 (stored roll-ups and group sums) or 2 -> 3 (group sums),
 * after any replay of the log: the records of a crashed daemon are the old
 * schema's. Run only when open_dbs found an older schema, so an open of a
 * current store makes no second transaction. */
static int migrate(rj_store *s, MDB_txn *txn, void *arg)
{
    open_arg *oa = arg;
    rj_diag *d = &oa->d;
    s->upgraded_from = oa->version;
    int err = lm_rollup_migrate(s, txn, oa->version, &s->upgraded, d);
    if (err)
        return err;
    int rc = put_schema(s, txn);
    return rc ? lm_fail(d, rc, "write schema") : 0;
}

int rj_store_open(const char *dir, rj_store **out, rj_diag *d)
{
    return rj_store_open_ex(dir, 0, out, d);
}

int rj_store_open_ex(const char *dir, unsigned flags, rj_store **out, rj_diag *d)
{
    *out = NULL;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return rj_diag_set(d, RJ_EIO, "cannot create data dir %s: %s", dir, strerror(errno));
    rj_store *s = rj_calloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->dir = rj_strdup(dir);
    s->wal_fd = -1;
    s->wal_dfd = -1;
    s->recover_lock = -1;
    if (lm_wal_before_env(s, flags, d) != 0) {
        rj_store_close(s);
        return RJ_EIO;
    }
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, 16);
    if (rc == 0)
        rc = mdb_env_set_maxreaders(s->env, 512);
    if (rc == 0)
        rc = mdb_env_set_mapsize(s->env, initial_mapsize());
    if (rc == 0)
        rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600);
    if (rc) {
        rj_diag_set(d, RJ_EIO, "cannot open store in %s: %s", dir, mdb_strerror(rc));
        rj_store_close(s);
        return RJ_EIO;
    }
    int dead;
    mdb_reader_check(s->env, &dead);

    open_arg oa = {.version = 0};
    rj_diag_clear(&oa.d);
    int err = lm_write(s, open_dbs, &oa, &oa.d);
    if (err) {
        if (err == RJ_ESCHEMA)
            rj_diag_set(d, err, "store in %s %s", dir, oa.d.msg);
        else
            rj_diag_set(d, RJ_EIO, "cannot open store in %s: %s", dir, oa.d.msg);
        rj_store_close(s);
        return err == RJ_ESCHEMA ? err : RJ_EIO;
    }
    if (lm_wal_after_env(s, d) != 0) {
        rj_store_close(s);
        return RJ_EIO;
    }
    rj_diag_clear(&oa.d);
    if (oa.version < RJ_SCHEMA_VERSION && lm_write(s, migrate, &oa, &oa.d) != 0) {
        rj_diag_set(d, RJ_EIO, "cannot open store in %s: schema %ld to %d: %s", dir, oa.version,
                    RJ_SCHEMA_VERSION, oa.d.msg);
        rj_store_close(s);
        return RJ_EIO;
    }
    *out = s;
    return 0;
}

void rj_store_close(rj_store *s)
{
    if (!s)
        return;
    if (s->env)
        lm_wal_close(s);
    else if (s->wal_fd >= 0)
        close(s->wal_fd);
    if (s->env)
        mdb_env_close(s->env);
    lm_rollup_rewind(s, 0);
    free(s->rp);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->dir);
    free(s);
}

uint64_t rj_store_upgraded(rj_store *s, long *from, const char **what)
{
    *from = s->upgraded_from;
    *what = s->upgraded_from < 2 ? "roll-ups and group sums" : "group sums";
    return s->upgraded;
}

int rj_store_reader_check(rj_store *s, int *dead)
{
    int n = 0;
    int rc = mdb_reader_check(s->env, &n);
    if (dead)
        *dead = n;
    return rc ? RJ_EIO : 0;
}
