/* The versioned store on LMDB.
 *
 * Named databases (all keys are byte strings, compared by memcmp):
 *   meta    "schema" -> decimal schema version
 *   plans   plan id -> packed Plan (head revision lives here)
 *   revs    plan NUL u64be(rev) -> packed Revision
 *   vals    plan NUL key NUL u64be(~rev) -> 0x01 + packed value, or 0x00 (tombstone)
 *   stages  plan NUL name -> packed Stage
 *   tokens  "h/" sha256hex(token) -> packed Identity; "n/" name -> sha256hex
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
 * would wait for itself.
 *
 * The initial map is 1 GiB; the environment variable RENJA_MAPSIZE (bytes,
 * >= 65536) overrides it, so tests can start tiny and exercise growth.
 */
#include "rj_store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rj_alloc.h"
#include "rj_ident.h"
#include "rj_kode.h"
#include "rj_sha256.h"

#define DEFAULT_MAPSIZE ((size_t)1 << 30)
/* Private code: an LMDB write ran out of map; the whole batch is redone. */
#define ERR_MAPFULL (-1000)

#define TAG_TOMB 0x00
#define TAG_LIVE 0x01

struct rj_store {
    MDB_env *env;
    MDB_dbi meta, plans, revs, vals, stages, tokens, events;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int readers;
    bool resizing;
    char *dir;
};

struct rj_snap {
    rj_store *s;
    MDB_txn *txn;
    /* rj_snap_pin: plan read as of a head and a list of stages */
    const char *pin_plan;
    uint64_t pin_head;
    char *const *pin_stages;
    size_t n_pin_stages;
};

/* --- small helpers ------------------------------------------------------ */

typedef struct kbuf {
    unsigned char b[512];
    size_t n;
} kbuf;

static void kb_put(kbuf *k, const void *p, size_t n)
{
    /* Every key component is length-checked on input; overflow is our bug. */
    if (k->n + n > sizeof(k->b))
        abort();
    memcpy(k->b + k->n, p, n);
    k->n += n;
}

static void kb_str(kbuf *k, const char *s)
{
    kb_put(k, s, strlen(s));
}

static void kb_nul(kbuf *k)
{
    kb_put(k, "", 1);
}

static void kb_u64(kbuf *k, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    kb_put(k, b, 8);
}

static uint64_t get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

static MDB_val kb_val(kbuf *k)
{
    return (MDB_val){.mv_size = k->n, .mv_data = k->b};
}

static int mdb_fail(rj_diag *d, int rc, const char *what)
{
    if (rc == MDB_MAP_FULL)
        return ERR_MAPFULL;
    return rj_diag_set(d, RJ_EIO, "store: %s: %s", what, mdb_strerror(rc));
}

static void fmt_time(int64_t ms, char out[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

typedef struct ptrs {
    void **v;
    size_t n, cap;
} ptrs;

static void ptrs_push(ptrs *p, void *x)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = rj_realloc(p->v, p->cap * sizeof(void *));
    }
    p->v[p->n++] = x;
}

void rj_msgs_free(void **msgs, size_t n)
{
    if (!msgs)
        return;
    for (size_t i = 0; i < n; i++)
        if (msgs[i])
            protobuf_c_message_free_unpacked(msgs[i], NULL);
    free(msgs);
}

void rj_strs_free(char **strs, size_t n)
{
    if (!strs)
        return;
    for (size_t i = 0; i < n; i++)
        free(strs[i]);
    free(strs);
}

static void *unpack(const ProtobufCMessageDescriptor *desc, const void *data, size_t len)
{
    return protobuf_c_message_unpack(desc, NULL, len, data);
}

static void *pack(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    void *buf = rj_malloc(*len + 1);
    protobuf_c_message_pack(m, buf);
    return buf;
}

/* 0x01 + packed message, the form of a live value in vals. */
static void *pack_val(const ProtobufCMessage *m, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    unsigned char *buf = rj_malloc(n + 1);
    buf[0] = TAG_LIVE;
    protobuf_c_message_pack(m, buf + 1);
    *len = n + 1;
    return buf;
}

/* --- reader accounting and map growth ------------------------------------ */

static void readers_enter(rj_store *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->resizing)
        pthread_cond_wait(&s->cv, &s->mu);
    s->readers++;
    pthread_mutex_unlock(&s->mu);
}

static void readers_leave(rj_store *s)
{
    pthread_mutex_lock(&s->mu);
    s->readers--;
    if (s->readers == 0)
        pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* Set the map size (0: adopt the size another process grew it to) once no
 * read transaction of ours is live. The caller holds no transaction. */
static int set_mapsize(rj_store *s, size_t size)
{
    pthread_mutex_lock(&s->mu);
    while (s->resizing)
        pthread_cond_wait(&s->cv, &s->mu);
    s->resizing = true;
    while (s->readers > 0)
        pthread_cond_wait(&s->cv, &s->mu);
    int rc = mdb_env_set_mapsize(s->env, size);
    s->resizing = false;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static int grow_map(rj_store *s)
{
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    return set_mapsize(s, info.me_mapsize * 2);
}

static int read_begin(rj_store *s, MDB_txn **txn)
{
    for (;;) {
        readers_enter(s);
        int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
        if (rc == 0)
            return 0;
        readers_leave(s);
        if (rc != MDB_MAP_RESIZED)
            return rc;
        if ((rc = set_mapsize(s, 0)) != 0)
            return rc;
    }
}

static void read_end(rj_store *s, MDB_txn *txn)
{
    mdb_txn_abort(txn);
    readers_leave(s);
}

static int write_begin(rj_store *s, MDB_txn **txn)
{
    for (;;) {
        int rc = mdb_txn_begin(s->env, NULL, 0, txn);
        if (rc != MDB_MAP_RESIZED)
            return rc;
        if ((rc = set_mapsize(s, 0)) != 0)
            return rc;
    }
}

/* --- versioned values ----------------------------------------------------- */

enum { VAL_NONE = 0, VAL_TOMB = 1, VAL_LIVE = 2 };

static void vkey(kbuf *k, const char *plan, const char *key, uint64_t rev)
{
    k->n = 0;
    kb_str(k, plan);
    kb_nul(k);
    kb_str(k, key);
    kb_nul(k);
    kb_u64(k, ~rev);
}

/* The newest version of key with revision <= rev. On VAL_LIVE, *val points
 * at the packed message (inside LMDB, valid for the transaction). */
static int val_at(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *key, uint64_t rev,
                  MDB_val *val, uint64_t *vrev)
{
    kbuf k;
    vkey(&k, plan, key, rev);
    size_t prefix = k.n - 8;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, dbi, &c);
    if (rc)
        return RJ_EIO;
    MDB_val kv = kb_val(&k), dv;
    rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
    int res = VAL_NONE;
    if (rc == 0 && kv.mv_size == k.n && memcmp(kv.mv_data, k.b, prefix) == 0) {
        if (vrev)
            *vrev = ~get_u64((const unsigned char *)kv.mv_data + prefix);
        if (dv.mv_size >= 1 && ((unsigned char *)dv.mv_data)[0] == TAG_LIVE) {
            res = VAL_LIVE;
            if (val) {
                val->mv_data = (unsigned char *)dv.mv_data + 1;
                val->mv_size = dv.mv_size - 1;
            }
        } else {
            res = VAL_TOMB;
        }
    } else if (rc != 0 && rc != MDB_NOTFOUND) {
        res = RJ_EIO;
    }
    mdb_cursor_close(c);
    return res;
}

typedef int (*walk_cb)(const char *key, MDB_val *val, uint64_t vrev, void *arg);

/* Call cb for every key starting with kprefix whose newest version <= rev
 * is live, in key order. Two seeks per distinct key: one to its version as
 * of rev, one past all its versions. */
static int walk(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *kprefix, uint64_t rev,
                walk_cb cb, void *arg)
{
    kbuf start;
    start.n = 0;
    kb_str(&start, plan);
    kb_nul(&start);
    size_t plen = start.n;
    kb_str(&start, kprefix);
    size_t splen = start.n;

    MDB_cursor *c;
    if (mdb_cursor_open(txn, dbi, &c))
        return RJ_EIO;
    kbuf seek = start;
    int rc, err = 0;
    for (;;) {
        MDB_val kv = kb_val(&seek), dv;
        rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
        if (rc)
            break;
        if (kv.mv_size < splen + 9 || memcmp(kv.mv_data, start.b, splen) != 0)
            break;
        const unsigned char *kb = kv.mv_data;
        size_t klen = kv.mv_size - plen - 9;
        char key[256];
        if (klen >= sizeof(key) || kb[plen + klen] != 0) {
            err = RJ_EINTERNAL;
            break;
        }
        memcpy(key, kb + plen, klen);
        key[klen] = '\0';
        uint64_t vr = ~get_u64(kb + kv.mv_size - 8);
        if (vr > rev) {
            /* The newest version is after rev: seek to the one as of rev. */
            kbuf at;
            vkey(&at, plan, key, rev);
            kv = kb_val(&at);
            rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
            if (rc && rc != MDB_NOTFOUND) {
                err = RJ_EIO;
                break;
            }
            if (rc == 0 && kv.mv_size == at.n && memcmp(kv.mv_data, at.b, at.n - 8) == 0)
                vr = ~get_u64((const unsigned char *)kv.mv_data + at.n - 8);
            else
                dv.mv_size = 0; /* no version <= rev */
        }
        if (dv.mv_size >= 1 && ((unsigned char *)dv.mv_data)[0] == TAG_LIVE) {
            MDB_val v = {.mv_size = dv.mv_size - 1, .mv_data = (unsigned char *)dv.mv_data + 1};
            if ((err = cb(key, &v, vr, arg)) != 0)
                break;
        }
        /* Past every version of key: key followed by 0x01. */
        seek.n = 0;
        kb_str(&seek, plan);
        kb_nul(&seek);
        kb_str(&seek, key);
        kb_put(&seek, "\x01", 1);
    }
    mdb_cursor_close(c);
    if (err)
        return err;
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : RJ_EIO;
}

/* --- plans ---------------------------------------------------------------- */

static int plan_get(rj_store *s, MDB_txn *txn, const char *plan, Renja__V1__Plan **out, rj_diag *d)
{
    /* An empty key is refused by LMDB itself (MDB_BAD_VALSIZE, an internal
     * error to the caller): an empty plan id is the caller's mistake. */
    if (!plan || !*plan)
        return rj_diag_set(d, RJ_EINVAL,
                           "plan id is empty; expected opd-slug/tahun, e.g. diskopukm-sumsel/2024");
    if (strlen(plan) > 80)
        return rj_diag_set(d, RJ_ENOTFOUND, "plan '%.80s...' not found", plan);
    MDB_val k = {.mv_size = strlen(plan), .mv_data = (void *)plan}, v;
    int rc = mdb_get(txn, s->plans, &k, &v);
    if (rc == MDB_NOTFOUND)
        return rj_diag_set(d, RJ_ENOTFOUND,
                           "plan %s not found; create it with `renja plan "
                           "create %s`",
                           plan, plan);
    if (rc)
        return mdb_fail(d, rc, "read plan");
    *out = unpack(&renja__v1__plan__descriptor, v.mv_data, v.mv_size);
    if (!*out)
        return rj_diag_set(d, RJ_EINTERNAL, "plan %s: stored record does not decode", plan);
    return 0;
}

static int plan_put(rj_store *s, MDB_txn *txn, const Renja__V1__Plan *p, unsigned flags, rj_diag *d)
{
    size_t len;
    void *buf = pack(&p->base, &len);
    MDB_val k = {.mv_size = strlen(p->id), .mv_data = p->id}, v = {.mv_size = len, .mv_data = buf};
    int rc = mdb_put(txn, s->plans, &k, &v, flags);
    free(buf);
    if (rc == MDB_KEYEXIST)
        return rj_diag_set(d, RJ_EEXIST, "plan %s already exists", p->id);
    return rc ? mdb_fail(d, rc, "write plan") : 0;
}

static Renja__V1__Plan *plan_copy(const Renja__V1__Plan *p)
{
    size_t len;
    void *buf = pack(&p->base, &len);
    Renja__V1__Plan *c = unpack(&renja__v1__plan__descriptor, buf, len);
    free(buf);
    return c;
}

static int need_planner(rj_op *op, const char *what)
{
    if (!op->who)
        return rj_diag_set(&op->diag, RJ_EPERM, "%s needs an identity", what);
    if (op->who->role != RENJA__V1__ROLE__ROLE_PLANNER &&
        op->who->role != RENJA__V1__ROLE__ROLE_ADMIN)
        return rj_diag_set(&op->diag, RJ_EPERM, "%s needs role planner or admin; %s has role %s",
                           what, op->who->name, rj_role_name(op->who->role));
    return 0;
}

static int op_create_plan(rj_store *s, MDB_txn *txn, rj_op *op)
{
    int err;
    if ((err = need_planner(op, "creating a plan")) != 0)
        return err;
    if ((err = rj_plan_id_check(op->plan, &op->diag)) != 0)
        return err;
    Renja__V1__Plan p = RENJA__V1__PLAN__INIT;
    p.id = (char *)op->plan;
    p.nama = (char *)(op->nama ? op->nama : "");
    p.created_unix_ms = op->now_ms;
    if ((err = plan_put(s, txn, &p, MDB_NOOVERWRITE, &op->diag)) != 0)
        return err;
    op->plan_out = plan_copy(&p);
    return 0;
}

/* Events: key plan NUL ~seq, so a plan's newest event comes first. */
static int event_add(rj_store *s, MDB_txn *txn, rj_op *op, const char *action, const char *detail,
                     uint64_t head)
{
    kbuf k = {.n = 0};
    kb_str(&k, op->plan);
    kb_nul(&k);
    size_t pre = k.n;
    uint64_t seq = 1;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->events, &c);
    if (rc)
        return mdb_fail(&op->diag, rc, "read events");
    MDB_val kv = kb_val(&k), dv;
    rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
    if (rc == 0 && kv.mv_size == pre + 8 && memcmp(kv.mv_data, k.b, pre) == 0)
        seq = ~get_u64((const unsigned char *)kv.mv_data + pre) + 1;
    mdb_cursor_close(c);
    kb_u64(&k, ~seq);
    Renja__V1__PlanEvent ev = RENJA__V1__PLAN_EVENT__INIT;
    ev.action = (char *)action;
    ev.detail = (char *)(detail ? detail : "");
    ev.name = (char *)(op->who && op->who->name ? op->who->name : "");
    ev.role = op->who ? op->who->role : RENJA__V1__ROLE__ROLE_UNSPECIFIED;
    ev.bidang = (char *)(op->who && op->who->bidang ? op->who->bidang : "");
    ev.client = (char *)(op->client ? op->client : "");
    ev.time_unix_ms = op->now_ms;
    ev.head = head;
    size_t len;
    void *buf = pack(&ev.base, &len);
    kv = kb_val(&k);
    dv = (MDB_val){.mv_size = len, .mv_data = buf};
    rc = mdb_put(txn, s->events, &kv, &dv, MDB_NOOVERWRITE);
    free(buf);
    return rc ? mdb_fail(&op->diag, rc, "write event") : 0;
}

int rj_snap_events(rj_snap *snap, const char *plan, uint64_t limit, Renja__V1__PlanEvent ***out,
                   size_t *n)
{
    *out = NULL;
    *n = 0;
    kbuf k = {.n = 0};
    kb_str(&k, plan);
    kb_nul(&k);
    MDB_cursor *c;
    if (mdb_cursor_open(snap->txn, snap->s->events, &c))
        return RJ_EIO;
    ptrs list = {0};
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
    while (rc == 0 && kv.mv_size == k.n + 8 && memcmp(kv.mv_data, k.b, k.n) == 0 &&
           (limit == 0 || list.n < limit)) {
        void *m = unpack(&renja__v1__plan_event__descriptor, dv.mv_data, dv.mv_size);
        if (m)
            ptrs_push(&list, m);
        rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND) {
        rj_msgs_free(list.v, list.n);
        return RJ_EIO;
    }
    *out = (Renja__V1__PlanEvent **)list.v;
    *n = list.n;
    return 0;
}

static int locked_error(const Renja__V1__Plan *p, rj_diag *d)
{
    char t[40];
    fmt_time(p->locked_unix_ms, t);
    /* The reason is cut short so that a long one leaves the advice in. */
    return rj_diag_set(d, RJ_ELOCKED,
                       "plan %s is locked by %s since %s%s%.200s; a planner can unlock it", p->id,
                       p->locked_by, t, p->lock_reason[0] ? ": " : "", p->lock_reason);
}

static int op_lock_plan(rj_store *s, MDB_txn *txn, rj_op *op, bool lock)
{
    int err;
    if ((err = need_planner(op, lock ? "locking a plan" : "unlocking a plan")) != 0)
        return err;
    Renja__V1__Plan *p;
    if ((err = plan_get(s, txn, op->plan, &p, &op->diag)) != 0)
        return err;
    if (lock && p->locked) {
        err = locked_error(p, &op->diag);
    } else if (!lock && !p->locked) {
        err = rj_diag_set(&op->diag, RJ_ELOCKED, "plan %s is not locked", p->id);
    } else {
        /* The strings are swapped in and out so the unpacked message frees
         * only what it allocated. */
        char *by = p->locked_by, *why = p->lock_reason;
        p->locked = lock;
        p->locked_by = lock ? (char *)op->who->name : (char *)"";
        p->lock_reason = lock ? (char *)(op->reason ? op->reason : "") : (char *)"";
        p->locked_unix_ms = lock ? op->now_ms : 0;
        err = plan_put(s, txn, p, 0, &op->diag);
        if (err == 0)
            err = event_add(s, txn, op, lock ? "lock" : "unlock", lock ? p->lock_reason : "",
                            p->head);
        if (err == 0)
            op->plan_out = plan_copy(p);
        p->locked_by = by;
        p->lock_reason = why;
    }
    protobuf_c_message_free_unpacked(&p->base, NULL);
    return err;
}

/* --- stages --------------------------------------------------------------- */

static void stage_key(kbuf *k, const char *plan, const char *name)
{
    k->n = 0;
    kb_str(k, plan);
    kb_nul(k);
    kb_str(k, name);
}

static int stages_list(rj_store *s, MDB_txn *txn, const char *plan, ptrs *out)
{
    kbuf k;
    stage_key(&k, plan, "");
    MDB_cursor *c;
    if (mdb_cursor_open(txn, s->stages, &c))
        return RJ_EIO;
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
    while (rc == 0 && kv.mv_size >= k.n && memcmp(kv.mv_data, k.b, k.n) == 0) {
        Renja__V1__Stage *st = unpack(&renja__v1__stage__descriptor, dv.mv_data, dv.mv_size);
        if (st)
            ptrs_push(out, st);
        rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
    }
    mdb_cursor_close(c);
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : RJ_EIO;
}

static int stage_cmp(const void *a, const void *b)
{
    const Renja__V1__Stage *x = *(Renja__V1__Stage *const *)a, *y = *(Renja__V1__Stage *const *)b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int op_set_stage(rj_store *s, MDB_txn *txn, rj_op *op)
{
    int err;
    if ((err = need_planner(op, "setting a stage")) != 0)
        return err;
    if (!op->stage)
        return rj_diag_set(&op->diag, RJ_EINVAL, "set stage: no stage given");
    if ((err = rj_stage_name_check(op->stage->name, &op->diag)) != 0)
        return err;
    Renja__V1__Plan *p;
    if ((err = plan_get(s, txn, op->plan, &p, &op->diag)) != 0)
        return err;
    uint64_t head = p->head;
    protobuf_c_message_free_unpacked(&p->base, NULL);

    kbuf k;
    stage_key(&k, op->plan, op->stage->name);
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_get(txn, s->stages, &kv, &dv);
    if (rc == 0) {
        Renja__V1__Stage *old = unpack(&renja__v1__stage__descriptor, dv.mv_data, dv.mv_size);
        err = rj_diag_set(&op->diag, RJ_EEXIST,
                          "stage %s of plan %s is already set to revision %" PRIu64
                          "; a stage never moves",
                          op->stage->name, op->plan, old ? old->rev : 0);
        if (old)
            protobuf_c_message_free_unpacked(&old->base, NULL);
        return err;
    }
    if (rc != MDB_NOTFOUND)
        return mdb_fail(&op->diag, rc, "read stage");

    uint64_t rev = op->stage->rev ? op->stage->rev : head;
    if (rev > head)
        return rj_diag_set(&op->diag, RJ_ENOTFOUND,
                           "revision %" PRIu64 " not found in plan %s; head is %" PRIu64, rev,
                           op->plan, head);
    int32_t order = op->stage->order;
    if (order == 0) {
        ptrs all = {0};
        if ((err = stages_list(s, txn, op->plan, &all)) != 0)
            return err;
        order = (int32_t)all.n + 1;
        rj_msgs_free(all.v, all.n);
    }
    Renja__V1__Stage st = *op->stage;
    st.rev = rev;
    st.order = order;
    st.set_by = (char *)(op->who->name);
    st.time_unix_ms = op->now_ms;
    size_t len;
    void *buf = pack(&st.base, &len);
    dv = (MDB_val){.mv_size = len, .mv_data = buf};
    kv = kb_val(&k);
    rc = mdb_put(txn, s->stages, &kv, &dv, MDB_NOOVERWRITE);
    if (rc == 0)
        op->stage_out = unpack(&renja__v1__stage__descriptor, buf, len);
    free(buf);
    if (rc)
        return mdb_fail(&op->diag, rc, "write stage");
    char detail[300];
    snprintf(detail, sizeof(detail), "%.200s at rev %llu", st.name, (unsigned long long)rev);
    return event_add(s, txn, op, "stage set", detail, head);
}

/* --- submit --------------------------------------------------------------- */

enum { K_ITEM, K_LINE, K_REAL, K_GOAL };

static const char *kind_prefix(int kind)
{
    return kind == K_ITEM ? "item" : kind == K_LINE ? "line" : kind == K_GOAL ? "goal" : "real";
}

static const char *kind_what(int kind)
{
    return kind == K_ITEM   ? "item"
           : kind == K_LINE ? "budget line"
           : kind == K_GOAL ? "goal"
                            : "realisasi";
}

typedef struct touch {
    char key[96];
    char kode[RJ_KODE_MAX];
    int kind;
    bool remove;
    bool explicit_change;
    bool recursive;
    int tw, ind;
    Renja__V1__Item item;       /* upsert item, level filled, roll-up cleared */
    Renja__V1__BudgetLine line; /* upsert line */
    Renja__V1__Goal goal;       /* upsert goal, kind filled */
    const Renja__V1__Realisasi *real;
    unsigned fields; /* F_* of a partial upsert; 0: the whole item or line */
    /* Owned by a merged partial upsert (freed with the submit): the item
     * or line at head whose fields it keeps, and its indikator. */
    ProtobufCMessage *head_val;
    Renja__V1__Indikator **ind_ptrs;
    Renja__V1__Indikator *ind_vals;
    size_t idx;        /* 1-based place in the request's changes; 0 when implied */
    char *fill_satuan; /* realisasi given without satuan: its indikator's (owned) */
} touch;

/* Fields of a partial upsert (Change.fields). */
enum {
    F_KODE = 1u << 0,
    F_NAMA = 1u << 1,
    F_BIDANG = 1u << 2,
    F_LOKASI = 1u << 3,
    F_PAGU = 1u << 4,
    F_SUMBER = 1u << 5,
    F_IND_NAMA = 1u << 6,
    F_IND_SATUAN = 1u << 7,
    F_IND_TARGET = 1u << 8,
    F_IND_TREN = 1u << 9,
    F_SASARAN = 1u << 10,
};
#define F_IND (F_IND_NAMA | F_IND_SATUAN | F_IND_TARGET | F_IND_TREN)

static const struct {
    const char *name;
    unsigned bits;
    bool line; /* also a field of a budget line */
} field_names[] = {
    {"kode", F_KODE, true},
    {"nama", F_NAMA, true},
    {"bidang", F_BIDANG, false},
    {"lokasi", F_LOKASI, false},
    {"pagu", F_PAGU, true},
    {"sumber_dana", F_SUMBER, false},
    {"indikator", F_IND, false},
    {"indikator.nama", F_IND_NAMA, false},
    {"indikator.satuan", F_IND_SATUAN, false},
    {"indikator.target", F_IND_TARGET, false},
    {"indikator.tren", F_IND_TREN, false},
    {"sasaran", F_SASARAN, false},
};

/* Change.fields as F_* bits; RJ_EINVAL naming an unknown field. */
static int parse_fields(rj_op *op, const Renja__V1__Change *ch, bool line, const char *kode,
                        unsigned *out)
{
    *out = 0;
    for (size_t i = 0; i < ch->n_fields; i++) {
        const char *f = ch->fields[i] ? ch->fields[i] : "";
        unsigned bits = 0;
        for (size_t k = 0; k < sizeof(field_names) / sizeof(field_names[0]); k++)
            if (strcmp(f, field_names[k].name) == 0 && (!line || field_names[k].line))
                bits = field_names[k].bits;
        if (!bits)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "%s %s: unknown field \"%.40s\" in fields; expected %s",
                               line ? "budget line" : "item", kode, f,
                               line ? "kode, nama, pagu"
                                    : "kode, nama, bidang, lokasi, pagu, sumber_dana, indikator, "
                                      "indikator.nama, indikator.satuan, indikator.target, "
                                      "indikator.tren, sasaran");
        *out |= bits;
    }
    return 0;
}

typedef struct submit {
    rj_store *s;
    MDB_txn *txn;
    rj_op *op;
    uint64_t head;
    touch *t;
    size_t n, cap;
    bool sorted;
    bool has_base; /* conflicts are judged against base */
    uint64_t base;
} submit;

static touch *touch_add(submit *sb)
{
    if (sb->n == sb->cap) {
        sb->cap = sb->cap ? sb->cap * 2 : 16;
        sb->t = rj_realloc(sb->t, sb->cap * sizeof(touch));
    }
    touch *t = &sb->t[sb->n++];
    memset(t, 0, sizeof(*t));
    sb->sorted = false;
    return t;
}

static int touch_cmp(const void *a, const void *b)
{
    return strcmp(((const touch *)a)->key, ((const touch *)b)->key);
}

static touch *touch_find(submit *sb, const char *key)
{
    if (!sb->sorted) {
        qsort(sb->t, sb->n, sizeof(touch), touch_cmp);
        sb->sorted = true;
    }
    touch probe;
    snprintf(probe.key, sizeof(probe.key), "%s", key);
    return bsearch(&probe, sb->t, sb->n, sizeof(touch), touch_cmp);
}

static bool is_editor(const rj_op *op)
{
    return op->who->role == RENJA__V1__ROLE__ROLE_EDITOR;
}

static const char *who_bidang(const rj_op *op)
{
    return op->who->bidang ? op->who->bidang : "";
}

/* A tujuan or sasaran kode (T1, T1.S2), as a realisasi's kode may be. */
static bool is_goal_kode(const char *kode)
{
    return kode && (kode[0] == 'T' || kode[0] == 't');
}

/* The item live at head (before this submit), or NULL. */
static Renja__V1__Item *item_at_head(submit *sb, const char *kode, int *err)
{
    char key[96];
    snprintf(key, sizeof(key), "item/%s", kode);
    MDB_val v;
    int r = val_at(sb->txn, sb->s->vals, sb->op->plan, key, sb->head, &v, NULL);
    if (r < 0) {
        *err = r;
        return NULL;
    }
    if (r != VAL_LIVE)
        return NULL;
    return unpack(&renja__v1__item__descriptor, v.mv_data, v.mv_size);
}

static bool live_at_head(submit *sb, const char *key, int *err)
{
    int r = val_at(sb->txn, sb->s->vals, sb->op->plan, key, sb->head, NULL, NULL);
    if (r < 0)
        *err = r;
    return r == VAL_LIVE;
}

static int editor_may_touch(submit *sb, const char *kode, const char *bidang)
{
    if (strcmp(bidang ? bidang : "", who_bidang(sb->op)) != 0)
        return rj_diag_set(&sb->op->diag, RJ_EPERM,
                           "item %s belongs to bidang '%s'; editor %s may change only items of "
                           "bidang '%s'",
                           kode, bidang ? bidang : "", sb->op->who->name, who_bidang(sb->op));
    return 0;
}

static int canon_kode(rj_op *op, const char *in, char out[RJ_KODE_MAX], rj_level *level,
                      const char *what)
{
    rj_diag d;
    if (!in || !*in)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s: kode is empty", what);
    /* A long input is shown cut short: echoed whole it would push the
     * reason out of the message. */
    if (strlen(in) >= RJ_KODE_MAX)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s kode %.24s... is too long (%zu bytes)", what,
                           in, strlen(in));
    if (rj_kode_parse(in, out, level, &d) < 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s %s: %s", what, in, d.msg);
    if (strcmp(in, out) != 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s kode %s is not canonical; expected %s", what,
                           in, out);
    return 0;
}

static int canon_rekening(rj_op *op, const char *in, char out[RJ_KODE_MAX], int *depth)
{
    rj_diag d;
    if (!in || !*in)
        return rj_diag_set(&op->diag, RJ_EINVAL, "budget line: rekening kode is empty");
    if (strlen(in) >= RJ_KODE_MAX)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "budget line kode %.24s... is too long (%zu bytes)", in, strlen(in));
    if (rj_rekening_parse(in, out, depth, &d) < 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "budget line %s: %s", in, d.msg);
    if (strcmp(in, out) != 0)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "budget line kode %s is not canonical; expected %s", in, out);
    return 0;
}

static const char *level_str(int lv)
{
    return lv >= 1 && lv <= 4 ? rj_level_name((rj_level)lv) : "unspecified";
}

/* Parse one change into a touch; checks that need nothing but the change
 * itself. */
static int canon_goal(rj_op *op, const char *in, char out[RJ_KODE_MAX], rj_goal_kind *kind)
{
    rj_diag d;
    if (!in || !*in)
        return rj_diag_set(&op->diag, RJ_EINVAL, "goal: kode is empty");
    if (rj_goal_parse(in, out, kind, &d) < 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s", d.msg);
    if (strcmp(in, out) != 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "goal kode %s is not canonical; expected %s", in,
                           out);
    return 0;
}

/* The sasaran an item names: programs only, canonical sasaran kodes. That
 * they exist is validate's (missing-sasaran), so that a sasaran can be
 * renumbered before or after the programs. */
static int check_sasaran(rj_op *op, const char *kode, rj_level lv, const Renja__V1__Item *it)
{
    if (it->n_sasaran && lv != RJ_LEVEL_PROGRAM)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "item %s: only a program names the sasaran it serves; this is a %s",
                           kode, rj_level_name(lv));
    for (size_t i = 0; i < it->n_sasaran; i++)
        if (rj_goal_kind_of(it->sasaran[i]) != RJ_GOAL_SASARAN)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "item %s: sasaran \"%s\" is not a canonical sasaran kode; "
                               "expected T<n>.S<m>, e.g. T1.S2",
                               kode, it->sasaran[i] ? it->sasaran[i] : "");
    return 0;
}

#define RJ_BREAKDOWN_MAX 1000
#define RJ_BREAKDOWN_VALUE_MAX 1000000000000000LL /* 10^11 in e4: no sum leaves int64 */

/* The rows of a realisasi's breakdown: at most RJ_BREAKDOWN_MAX, each
 * naming its lokasi once, values within bounds; on an indikator (that is
 * judged with the indikator, check_breakdown). */
static int check_breakdown_rows(rj_op *op, const char *kode, const Renja__V1__Realisasi *r)
{
    if (!r->n_breakdown)
        return 0;
    if (r->indikator == 0)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi anggaran of %s: a breakdown by lokasi is for realisasi "
                           "kinerja (an indikator)",
                           kode);
    if (r->n_breakdown > RJ_BREAKDOWN_MAX)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi of %s: %zu lokasi in the breakdown; at most %d", kode,
                           r->n_breakdown, RJ_BREAKDOWN_MAX);
    for (size_t i = 0; i < r->n_breakdown; i++) {
        const Renja__V1__BreakdownRow *b = r->breakdown[i];
        if (!b->lokasi || !*b->lokasi)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "realisasi of %s: breakdown row %zu has no lokasi", kode, i + 1);
        const int64_t v[] = {b->num_e4, b->den_e4, b->before_e4, b->after_e4};
        for (int k = 0; k < 4; k++)
            if (v[k] > RJ_BREAKDOWN_VALUE_MAX || v[k] < -RJ_BREAKDOWN_VALUE_MAX)
                return rj_diag_set(&op->diag, RJ_EINVAL,
                                   "realisasi of %s: breakdown row %s: a value beyond 10^11", kode,
                                   b->lokasi);
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->breakdown[j]->lokasi, b->lokasi) == 0)
                return rj_diag_set(&op->diag, RJ_EINVAL,
                                   "realisasi of %s: lokasi \"%s\" appears twice in the "
                                   "breakdown",
                                   kode, b->lokasi);
    }
    return 0;
}

/* A breakdown needs the indikator's formula to add up. */
static int check_breakdown(submit *sb, const touch *t, const Renja__V1__Indikator *ind)
{
    if (t->remove || !t->real || !t->real->n_breakdown ||
        ind->formula != RENJA__V1__FORMULA__FORMULA_NONE)
        return 0;
    return rj_diag_set(&sb->op->diag, RJ_EINVAL,
                       "realisasi of %s: indikator %d has a breakdown by lokasi but no formula; "
                       "declare its formula (ratio or growth) on the indikator",
                       t->kode, t->ind);
}

static int parse_change(submit *sb, const Renja__V1__Change *ch)
{
    rj_op *op = sb->op;
    int err;
    char kode[RJ_KODE_MAX];
    rj_level lv;
    touch *t;
    switch (ch->change_case) {
    case RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM: {
        const Renja__V1__Item *it = ch->upsert_item;
        if ((err = canon_kode(op, it->kode, kode, &lv, "item")) != 0)
            return err;
        if (it->level != RENJA__V1__LEVEL__LEVEL_UNSPECIFIED && (int)it->level != (int)lv)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "item %s: level %s does not fit the kode, which is a %s", kode,
                               level_str(it->level), rj_level_name(lv));
        if (it->has_pagu && (it->pagu < 0 || it->pagu > RJ_PAGU_MAX))
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "item %s: pagu %" PRId64 " is out of range; expected 0 up to the "
                               "limit of Rp 1.000 triliun",
                               kode, it->pagu);
        unsigned fields;
        if ((err = parse_fields(op, ch, false, kode, &fields)) != 0)
            return err;
        if ((err = check_sasaran(op, kode, lv, it)) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_ITEM;
        t->fields = fields;
        t->item = *it;
        t->item.level = (Renja__V1__Level)lv;
        t->item.pagu_rollup = 0;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM:
        if ((err = canon_kode(op, ch->remove_item, kode, &lv, "item")) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_ITEM;
        t->remove = true;
        break;
    case RENJA__V1__CHANGE__CHANGE_UPSERT_LINE: {
        const Renja__V1__BudgetLine *ln = ch->upsert_line;
        int depth;
        if ((err = canon_rekening(op, ln->kode, kode, &depth)) != 0)
            return err;
        unsigned fields;
        if ((err = parse_fields(op, ch, true, kode, &fields)) != 0)
            return err;
        if (ln->has_pagu && (ln->pagu < 0 || ln->pagu > RJ_PAGU_MAX))
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "budget line %s: pagu %" PRId64 " is out of range; expected 0 up "
                               "to the limit of Rp 1.000 triliun",
                               kode, ln->pagu);
        t = touch_add(sb);
        t->kind = K_LINE;
        t->fields = fields;
        t->line = *ln;
        t->line.depth = 0;
        t->line.pagu_rollup = 0;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_REMOVE_LINE: {
        int depth;
        if ((err = canon_rekening(op, ch->remove_line, kode, &depth)) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_LINE;
        t->remove = true;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_UPSERT_GOAL: {
        const Renja__V1__Goal *g = ch->upsert_goal;
        rj_goal_kind gk;
        if ((err = canon_goal(op, g->kode, kode, &gk)) != 0)
            return err;
        if (g->kind != RENJA__V1__GOAL_KIND__GOAL_KIND_UNSPECIFIED && (int)g->kind != (int)gk)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "goal %s: kind %s does not fit the kode, which is a %s", kode,
                               rj_goal_kind_name((rj_goal_kind)g->kind), rj_goal_kind_name(gk));
        t = touch_add(sb);
        t->kind = K_GOAL;
        t->goal = *g;
        t->goal.kind = (Renja__V1__GoalKind)gk;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_REMOVE_GOAL: {
        rj_goal_kind gk;
        if ((err = canon_goal(op, ch->remove_goal, kode, &gk)) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_GOAL;
        t->remove = true;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_REALISASI: {
        const Renja__V1__Realisasi *r = ch->realisasi;
        rj_goal_kind gk = RJ_GOAL_NONE;
        if (r->kode && (r->kode[0] == 'T' || r->kode[0] == 't')) {
            /* the realisasi of a tujuan or sasaran indikator */
            if ((err = canon_goal(op, r->kode, kode, &gk)) != 0)
                return err;
        } else if ((err = canon_kode(op, r->kode, kode, &lv, "realisasi of item")) != 0)
            return err;
        if (r->tw < 1 || r->tw > 4)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "realisasi of item %s: tw %d is out of range; expected 1..4", kode,
                               r->tw);
        if (r->indikator < 0 || r->indikator > 99)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "realisasi of item %s: indikator %d is out of range; expected "
                               "0 (anggaran) or 1..99",
                               kode, r->indikator);
        if (r->anggaran > RJ_PAGU_MAX || r->anggaran < -RJ_PAGU_MAX)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "realisasi of item %s: anggaran %" PRId64 " is beyond the limit "
                               "of Rp 1.000 triliun",
                               kode, r->anggaran);
        if ((err = check_breakdown_rows(op, kode, r)) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_REAL;
        t->real = r;
        t->remove = r->clear;
        t->tw = r->tw;
        t->ind = r->indikator;
        break;
    }
    default:
        return rj_diag_set(&op->diag, RJ_EINVAL, "change has no content");
    }
    t->explicit_change = true;
    t->recursive = ch->recursive;
    snprintf(t->kode, sizeof(t->kode), "%s", kode);
    if (t->kind == K_REAL)
        snprintf(t->key, sizeof(t->key), "real/%s/%d/%d", kode, t->tw, t->ind);
    else
        snprintf(t->key, sizeof(t->key), "%s/%s", kind_prefix(t->kind), kode);
    return 0;
}

typedef struct sub_walk {
    submit *sb;
    const touch *root;
    int kind;
    ptrs found;  /* char * keys (live descendants, excluding the root) */
    ptrs bidang; /* char * bidang of each found item (items only) */
} sub_walk;

static int sub_walk_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    sub_walk *w = arg;
    const char *kode = strchr(key, '/') + 1;
    if (w->kind == K_REAL) {
        /* real/<kode>/<tw>/<ind>: the item kode is up to the next '/'. */
        char k[RJ_KODE_MAX];
        const char *slash = strchr(kode, '/');
        size_t n = slash ? (size_t)(slash - kode) : strlen(kode);
        if (n >= sizeof(k))
            return 0;
        memcpy(k, kode, n);
        k[n] = '\0';
        bool in = w->root->recursive ? rj_kode_in_subtree(k, w->root->kode)
                                     : strcmp(k, w->root->kode) == 0;
        if (in)
            ptrs_push(&w->found, rj_strdup(key));
        return 0;
    }
    if (strcmp(kode, w->root->kode) == 0 || !rj_kode_in_subtree(kode, w->root->kode))
        return 0;
    ptrs_push(&w->found, rj_strdup(key));
    if (w->kind == K_ITEM) {
        Renja__V1__Item *it = unpack(&renja__v1__item__descriptor, val->mv_data, val->mv_size);
        ptrs_push(&w->bidang, rj_strdup(it && it->bidang ? it->bidang : ""));
        if (it)
            protobuf_c_message_free_unpacked(&it->base, NULL);
    }
    return 0;
}

static void sub_walk_free(sub_walk *w)
{
    for (size_t i = 0; i < w->found.n; i++)
        free(w->found.v[i]);
    for (size_t i = 0; i < w->bidang.n; i++)
        free(w->bidang.v[i]);
    free(w->found.v);
    free(w->bidang.v);
}

static int conflict_on(submit *sb, const char *key);

typedef struct drop_walk {
    size_t n_ind; /* indikator the item keeps */
    ptrs found;   /* char * realisasi keys of indikator beyond n_ind */
} drop_walk;

static int drop_walk_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)val;
    (void)vrev;
    drop_walk *w = arg;
    const char *ind = strrchr(key, '/'); /* real/<kode>/<tw>/<ind> */
    long v = ind ? strtol(ind + 1, NULL, 10) : 0;
    if (v > 0 && (size_t)v > w->n_ind)
        ptrs_push(&w->found, rj_strdup(key));
    return 0;
}

/* An upsert that keeps fewer indikator than the item has realisasi for
 * takes the realisasi of the dropped indikator with it (tombstones), as a
 * removal takes the realisasi of the item: so a realisasi reported after
 * the author's base is a conflict instead of an orphan nobody sees. */
static int drop_realisasi(submit *sb)
{
    ptrs add = {0};
    int err = 0;
    for (size_t i = 0; i < sb->n && err == 0; i++) {
        const touch *t = &sb->t[i];
        if ((t->kind != K_ITEM && t->kind != K_GOAL) || t->remove || !t->explicit_change)
            continue;
        drop_walk w = {.n_ind = t->kind == K_ITEM ? t->item.n_indikator : t->goal.n_indikator};
        char prefix[96];
        snprintf(prefix, sizeof(prefix), "real/%s/", t->kode);
        err = walk(sb->txn, sb->s->vals, sb->op->plan, prefix, sb->head, drop_walk_cb, &w);
        for (size_t k = 0; k < w.found.n; k++)
            ptrs_push(&add, w.found.v[k]);
        free(w.found.v);
    }
    /* Looked up first, then added: touch_add unsorts (and may move) sb->t.
     * An explicit change of such a key in this submit is judged by the
     * realisasi check. */
    size_t m = 0;
    for (size_t k = 0; k < add.n; k++) {
        if (err == 0 && !touch_find(sb, add.v[k]))
            add.v[m++] = add.v[k];
        else
            free(add.v[k]);
    }
    for (size_t k = 0; k < m; k++) {
        touch *t = touch_add(sb);
        t->kind = K_REAL;
        t->remove = true;
        snprintf(t->key, sizeof(t->key), "%s", (char *)add.v[k]);
        free(add.v[k]);
    }
    free(add.v);
    return err ? rj_diag_set(&sb->op->diag, err, "store: read failed") : 0;
}

/* Removal of an item or line: it must be live; its live children decide
 * between refusal and (recursive) tombstoning the subtree. Adds implied
 * touches, so the caller iterates by index over the explicit ones. */
static int check_removal(submit *sb, size_t idx)
{
    rj_op *op = sb->op;
    touch root = sb->t[idx];
    const char *what = kind_what(root.kind);
    int err = 0;
    if (root.kind == K_ITEM) {
        Renja__V1__Item *old = item_at_head(sb, root.kode, &err);
        if (err)
            return rj_diag_set(&op->diag, err, "store: read failed");
        if (!old)
            return rj_diag_set(&op->diag, RJ_ENOTFOUND,
                               "cannot remove item %s: it does not exist at revision %" PRIu64,
                               root.kode, sb->head);
        if (is_editor(op))
            err = editor_may_touch(sb, root.kode, old->bidang);
        protobuf_c_message_free_unpacked(&old->base, NULL);
        if (err)
            return err;
    } else if (!live_at_head(sb, root.key, &err)) {
        if (err)
            return rj_diag_set(&op->diag, err, "store: read failed");
        return rj_diag_set(&op->diag, RJ_ENOTFOUND,
                           "cannot remove %s %s: it does not exist at revision %" PRIu64, what,
                           root.kode, sb->head);
    }

    /* Implied touches are collected first and added after the lookups:
     * adding one unsorts the array, and re-sorting per key would make a
     * large recursive removal quadratic. */
    ptrs add = {0};
    sub_walk w = {.sb = sb, .root = &root, .kind = root.kind};
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "%s", root.key);
    err = walk(sb->txn, sb->s->vals, op->plan, prefix, sb->head, sub_walk_cb, &w);
    for (size_t i = 0; err == 0 && i < w.found.n; i++) {
        const char *key = w.found.v[i];
        touch *t = touch_find(sb, key);
        if (!root.recursive) {
            /* A child added after the author's base is a conflict: the
             * author removed a leaf as far as they could see. */
            if ((!t || !t->remove) && (err = conflict_on(sb, key)) != 0)
                continue;
            if (!t || !t->remove)
                err = rj_diag_set(&op->diag, RJ_EINVAL,
                                  "cannot remove %s %s: it has child %s; remove the children "
                                  "first or remove recursively",
                                  what, root.kode, strchr(key, '/') + 1);
            continue;
        }
        if (is_editor(op) && root.kind == K_ITEM &&
            (err = editor_may_touch(sb, strchr(key, '/') + 1, w.bidang.v[i])) != 0)
            continue;
        if (t)
            continue; /* explicitly touched; the parent check judges it */
        ptrs_push(&add, w.found.v[i]);
    }
    for (size_t i = 0; err == 0 && i < add.n; i++) {
        const char *key = add.v[i];
        touch *t = touch_add(sb);
        t->kind = root.kind;
        t->remove = true;
        snprintf(t->key, sizeof(t->key), "%s", key);
        snprintf(t->kode, sizeof(t->kode), "%s", strchr(key, '/') + 1);
    }
    add.n = 0;
    sub_walk_free(&w);
    if (err || root.kind == K_LINE) {
        free(add.v);
        return err;
    }

    /* The realisasi of every removed item (or goal) goes with it. */
    sub_walk r = {.sb = sb, .root = &root, .kind = K_REAL};
    snprintf(prefix, sizeof(prefix), "real/%s", root.kode);
    err = walk(sb->txn, sb->s->vals, op->plan, prefix, sb->head, sub_walk_cb, &r);
    for (size_t i = 0; err == 0 && i < r.found.n; i++)
        if (!touch_find(sb, r.found.v[i])) /* an explicit one on a removed item fails later */
            ptrs_push(&add, r.found.v[i]);
    for (size_t i = 0; err == 0 && i < add.n; i++) {
        touch *t = touch_add(sb);
        t->kind = K_REAL;
        t->remove = true;
        snprintf(t->key, sizeof(t->key), "%s", (char *)add.v[i]);
    }
    free(add.v);
    sub_walk_free(&r);
    return err;
}

/* Does the item exist after this submit? Fills *it (borrowed from the
 * touch) or *owned (unpacked from the store, caller frees). */
static bool item_after(submit *sb, const char *kode, const Renja__V1__Item **it,
                       Renja__V1__Item **owned, int *err)
{
    char key[96];
    snprintf(key, sizeof(key), "item/%s", kode);
    touch *t = touch_find(sb, key);
    *owned = NULL;
    if (t) {
        *it = t->remove ? NULL : &t->item;
        return !t->remove;
    }
    *owned = item_at_head(sb, kode, err);
    *it = *owned;
    return *owned != NULL;
}

typedef struct conflict_list {
    rj_buf msg;
    size_t n;
    uint64_t cache_rev;
    char *cache_author;
} conflict_list;

/* The keys touched (only the implied ones: implied_only) changed by a
 * revision after the base. */
static int check_conflicts(submit *sb, uint64_t base, bool implied_only)
{
    rj_op *op = sb->op;
    conflict_list cl = {0};
    int err = 0;
    for (size_t i = 0; i < sb->n && err == 0; i++) {
        if (implied_only && sb->t[i].explicit_change)
            continue;
        uint64_t vrev = 0;
        int r = val_at(sb->txn, sb->s->vals, op->plan, sb->t[i].key, UINT64_MAX - 1, NULL, &vrev);
        if (r < 0) {
            err = rj_diag_set(&op->diag, RJ_EIO, "store: read failed");
            break;
        }
        if (r == VAL_NONE || vrev <= base)
            continue;
        if (cl.cache_rev != vrev) {
            free(cl.cache_author);
            cl.cache_author = NULL;
            cl.cache_rev = vrev;
            kbuf k = {.n = 0};
            kb_str(&k, op->plan);
            kb_nul(&k);
            kb_u64(&k, vrev);
            MDB_val kv = kb_val(&k), dv;
            if (mdb_get(sb->txn, sb->s->revs, &kv, &dv) == 0) {
                Renja__V1__Revision *rv =
                    unpack(&renja__v1__revision__descriptor, dv.mv_data, dv.mv_size);
                if (rv) {
                    cl.cache_author = rj_strdup(rv->author);
                    protobuf_c_message_free_unpacked(&rv->base, NULL);
                }
            }
        }
        rj_buf_printf(&cl.msg, "%s%s changed in revision %" PRIu64 " by %s", cl.n ? ", " : "",
                      sb->t[i].key, vrev, cl.cache_author ? cl.cache_author : "?");
        cl.n++;
    }
    if (err == 0 && cl.n)
        err = rj_diag_set(&op->diag, RJ_ECONFLICT,
                          "conflict: %s after your base revision %" PRIu64 "; re-read and retry",
                          cl.msg.data, base);
    free(cl.cache_author);
    rj_buf_free(&cl.msg);
    return err;
}

/* RJ_ECONFLICT when key (not touched by this submit) changed after the
 * base: a refusal that follows from a newer revision (a parent removed, an
 * item gone, a child added) is a conflict, so the author re-reads rather
 * than takes their input for wrong. 0 otherwise or without a base. */
static int conflict_on(submit *sb, const char *key)
{
    if (!sb->has_base)
        return 0;
    submit one = *sb;
    touch t;
    memset(&t, 0, sizeof(t));
    snprintf(t.key, sizeof(t.key), "%s", key);
    one.t = &t;
    one.n = 1;
    return check_conflicts(&one, sb->base, false);
}

/* One indikator of a partial upsert: the fields it names from the
 * upsert, the others from indikator `from` at head (or empty). */
static void merge_indikator(Renja__V1__Indikator *out, const Renja__V1__Indikator *up,
                            const Renja__V1__Indikator *from, unsigned fields)
{
    static const Renja__V1__Indikator none = RENJA__V1__INDIKATOR__INIT;
    *out = from ? *from : none;
    if (fields & F_IND_NAMA)
        out->nama = up->nama;
    if (fields & F_IND_SATUAN)
        out->satuan = up->satuan;
    if (fields & F_IND_TARGET) { /* a target in several units is a target too */
        out->has_target = up->has_target;
        out->target_e4 = up->target_e4;
        out->target_text = up->target_text;
        out->n_parts = up->n_parts;
        out->parts = up->parts;
    }
    if (fields & F_IND_TREN)
        out->tren = up->tren;
}

/* Partial upserts become whole ones: the fields they name over the item
 * or line at head, read in this write transaction, so that nothing a
 * concurrent submit wrote in between is lost. */
static int merge_partial(submit *sb)
{
    rj_op *op = sb->op;
    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        if (!t->fields || t->remove || t->kind == K_REAL)
            continue;
        MDB_val v;
        int r = val_at(sb->txn, sb->s->vals, op->plan, t->key, sb->head, &v, NULL);
        if (r < 0)
            return rj_diag_set(&op->diag, RJ_EIO, "store: read failed");
        if (t->kind == K_LINE) {
            Renja__V1__BudgetLine *old =
                r == VAL_LIVE ? unpack(&renja__v1__budget_line__descriptor, v.mv_data, v.mv_size)
                              : NULL;
            if (r == VAL_LIVE && !old)
                return rj_diag_set(&op->diag, RJ_EIO, "store: budget line %s is unreadable",
                                   t->kode);
            if (old) {
                t->head_val = &old->base;
                if (!(t->fields & F_NAMA))
                    t->line.nama = old->nama;
                if (!(t->fields & F_PAGU)) {
                    t->line.has_pagu = old->has_pagu;
                    t->line.pagu = old->pagu;
                }
            }
            continue;
        }
        Renja__V1__Item *old =
            r == VAL_LIVE ? unpack(&renja__v1__item__descriptor, v.mv_data, v.mv_size) : NULL;
        if (r == VAL_LIVE && !old)
            return rj_diag_set(&op->diag, RJ_EIO, "store: item %s is unreadable", t->kode);
        static const Renja__V1__Item none = RENJA__V1__ITEM__INIT;
        const Renja__V1__Item *h = old ? old : &none;
        Renja__V1__Item *it = &t->item;
        t->head_val = old ? &old->base : NULL;
        if (!(t->fields & F_NAMA))
            it->nama = h->nama;
        if (!(t->fields & F_BIDANG))
            it->bidang = h->bidang;
        if (!(t->fields & F_LOKASI))
            it->lokasi = h->lokasi;
        if (!(t->fields & F_PAGU)) {
            it->has_pagu = h->has_pagu;
            it->pagu = h->pagu;
        }
        if (!(t->fields & F_SUMBER))
            it->sumber_dana = h->sumber_dana;
        if (!(t->fields & F_SASARAN)) {
            it->n_sasaran = h->n_sasaran;
            it->sasaran = h->sasaran;
        }
        if (!(t->fields & F_IND)) {
            it->n_indikator = h->n_indikator;
            it->indikator = h->indikator;
        } else if ((t->fields & F_IND) != F_IND && it->n_indikator) {
            size_t n = it->n_indikator;
            t->ind_ptrs = rj_malloc(n * sizeof(*t->ind_ptrs));
            t->ind_vals = rj_malloc(n * sizeof(*t->ind_vals));
            for (size_t k = 0; k < n; k++) {
                merge_indikator(&t->ind_vals[k], it->indikator[k],
                                k < h->n_indikator ? h->indikator[k] : NULL, t->fields);
                t->ind_ptrs[k] = &t->ind_vals[k];
            }
            it->indikator = t->ind_ptrs;
        }
    }
    return 0;
}

static void touches_free(submit *sb)
{
    for (size_t i = 0; i < sb->n; i++) {
        if (sb->t[i].head_val)
            protobuf_c_message_free_unpacked(sb->t[i].head_val, NULL);
        free(sb->t[i].ind_ptrs);
        free(sb->t[i].ind_vals);
        free(sb->t[i].fill_satuan);
    }
    free(sb->t);
}

/* Whether the live value of key at head is exactly the message m would be
 * written as: then writing it changes nothing. */
static int same_at_head(submit *sb, const char *key, const ProtobufCMessage *m, bool *same)
{
    MDB_val v;
    *same = false;
    int r = val_at(sb->txn, sb->s->vals, sb->op->plan, key, sb->head, &v, NULL);
    if (r < 0)
        return r;
    if (r != VAL_LIVE) {
        *same = m == NULL; /* clearing what is not there */
        return 0;
    }
    if (!m)
        return 0;
    size_t len;
    void *buf = pack(m, &len);
    *same = len == v.mv_size && memcmp(buf, v.mv_data, len) == 0;
    free(buf);
    return 0;
}

/* Upserts equal to what the plan has at head, and clears of realisasi that
 * is not there, are no changes: they leave the submit before permissions
 * are judged (an editor may send back a whole export) and make no key of a
 * revision. A submit left with nothing makes no revision at all. */
static int drop_unchanged(submit *sb)
{
    size_t m = 0;
    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        bool same = false;
        int r = 0;
        if (t->kind == K_ITEM && !t->remove)
            r = same_at_head(sb, t->key, &t->item.base, &same);
        else if (t->kind == K_GOAL && !t->remove)
            r = same_at_head(sb, t->key, &t->goal.base, &same);
        else if (t->kind == K_LINE && !t->remove)
            r = same_at_head(sb, t->key, &t->line.base, &same);
        else if (t->kind == K_REAL && t->remove) {
            /* Clearing what is not there, on an item or goal that is: an
             * unknown one stays an error. */
            char ikey[96];
            snprintf(ikey, sizeof(ikey), "%s/%s", is_goal_kode(t->kode) ? "goal" : "item", t->kode);
            r = same_at_head(sb, t->key, NULL, &same);
            if (r == 0 && same && !live_at_head(sb, ikey, &r))
                same = false;
        } else if (t->kind == K_REAL) {
            Renja__V1__Realisasi real = *t->real;
            real.clear = false;
            /* Reported without its unit, a realisasi is stored in its
             * indikator's (fill_satuan): the same again is no change. */
            Renja__V1__Realisasi *stored = NULL;
            MDB_val v;
            if ((!real.satuan || !*real.satuan) &&
                val_at(sb->txn, sb->s->vals, sb->op->plan, t->key, sb->head, &v, NULL) ==
                    VAL_LIVE &&
                (stored = unpack(&renja__v1__realisasi__descriptor, v.mv_data, v.mv_size)) != NULL)
                real.satuan = stored->satuan;
            r = same_at_head(sb, t->key, &real.base, &same);
            if (stored)
                protobuf_c_message_free_unpacked(&stored->base, NULL);
        }
        if (r < 0)
            return rj_diag_set(&sb->op->diag, RJ_EIO, "store: read failed");
        if (!same) {
            sb->t[m++] = *t;
            continue;
        }
        if (t->head_val)
            protobuf_c_message_free_unpacked(t->head_val, NULL);
        free(t->ind_ptrs);
        free(t->ind_vals);
        free(t->fill_satuan);
    }
    sb->n = m; /* the order, and so sortedness, is kept */
    return 0;
}

/* A new item belongs to its parent's bidang: what names the parent at head
 * when it is of another bidang (a new sub kegiatan under another bidang's
 * kegiatan would change that kegiatan's roll-up). A parent new in the same
 * submit is judged as itself; a missing one is left to the later checks. */
static int foreign_parent(submit *sb, const char *kode, char *what, size_t cap)
{
    char parent[RJ_KODE_MAX], pkey[96];
    if (!rj_kode_parent(kode, parent))
        return 0;
    snprintf(pkey, sizeof(pkey), "item/%s", parent);
    if (touch_find(sb, pkey))
        return 0;
    int err = 0;
    Renja__V1__Item *pit = item_at_head(sb, parent, &err);
    if (!pit)
        return err;
    const char *pb = pit->bidang ? pit->bidang : "";
    if (strcmp(pb, who_bidang(sb->op)) != 0)
        snprintf(what, cap,
                 "new item %s would be a child of %s, which belongs to bidang '%.60s' (a new "
                 "child belongs to its parent's bidang)",
                 kode, parent, pb);
    protobuf_c_message_free_unpacked(&pit->base, NULL);
    return 0;
}

/* Every change an editor may not make, named in one refusal: items of
 * another bidang (as they are at head, or as the change would make them),
 * new items under such items, realisasi of such items, and any budget
 * line. */
static int editor_check(submit *sb)
{
    rj_op *op = sb->op;
    const char *mine = who_bidang(op);
    rj_buf list = {0};
    size_t n = 0, shown = 0;
    int err = 0;
    for (size_t i = 0; i < sb->n && err == 0; i++) {
        const touch *t = &sb->t[i];
        if (!t->explicit_change)
            continue;
        char what[RJ_KODE_MAX + 160];
        what[0] = '\0';
        if (t->kind == K_LINE) {
            snprintf(what, sizeof(what), "budget line %s", t->kode);
        } else if (t->kind == K_GOAL) {
            snprintf(what, sizeof(what), "%s %s",
                     rj_goal_kind_of(t->kode) == RJ_GOAL_TUJUAN ? "tujuan" : "sasaran", t->kode);
        } else if (t->kind == K_REAL && is_goal_kode(t->kode)) {
            snprintf(what, sizeof(what), "realisasi of goal %s", t->kode);
        } else {
            Renja__V1__Item *old = item_at_head(sb, t->kode, &err);
            if (err)
                break;
            const char *nb =
                t->kind == K_ITEM && !t->remove && t->item.bidang ? t->item.bidang : "";
            if (old && strcmp(old->bidang ? old->bidang : "", mine) != 0)
                snprintf(what, sizeof(what), "%s %s of bidang '%.60s'",
                         t->kind == K_REAL ? "realisasi of item" : "item", t->kode,
                         old->bidang ? old->bidang : "");
            else if (t->kind == K_ITEM && !t->remove && strcmp(nb, mine) != 0)
                snprintf(what, sizeof(what), "item %s into bidang '%.60s'", t->kode, nb);
            else if (!old && t->kind == K_ITEM && !t->remove &&
                     (err = foreign_parent(sb, t->kode, what, sizeof(what))) != 0)
                break;
            else if (!old && t->kind == K_REAL) {
                /* The item is new in this submit: judged by its upsert. */
            }
            if (old)
                protobuf_c_message_free_unpacked(&old->base, NULL);
        }
        if (!what[0])
            continue;
        n++;
        /* As many as fit in one message; the count says how many in all. */
        if (list.len < RJ_DIAG_MAX - 360) {
            rj_buf_printf(&list, "%schange %zu: %s", shown ? "; " : "", t->idx, what);
            shown++;
        }
    }
    if (err) {
        rj_buf_free(&list);
        return rj_diag_set(&op->diag, err, "store: read failed");
    }
    if (n)
        err = rj_diag_set(&op->diag, RJ_EPERM,
                          "editor %s may change only items of bidang '%s', add items only "
                          "under them, report their realisasi, and change no budget line, "
                          "tujuan or sasaran; %zu "
                          "change(s) refused: %s%s%.0zu%s",
                          op->who->name, mine, n, list.data ? list.data : "",
                          shown < n ? "; and " : "", shown < n ? n - shown : 0,
                          shown < n ? " more" : "");
    rj_buf_free(&list);
    return err;
}

/* A realisasi kinerja reported without its unit is counted in the unit of
 * its indikator at the revision it is reported in: kept, so that a later
 * change of unit does not compare it with a target in another one. */
static void fill_satuan(touch *t, const Renja__V1__Indikator *ind)
{
    if (t->remove || !t->real || (t->real->satuan && *t->real->satuan) || !ind->satuan ||
        !*ind->satuan)
        return;
    free(t->fill_satuan);
    t->fill_satuan = rj_strdup(ind->satuan);
}

/* The goal of a goal realisasi exists after this submit and has the
 * indikator. */
static int check_goal_realisasi(submit *sb, touch *t)
{
    rj_op *op = sb->op;
    char gkey[96];
    snprintf(gkey, sizeof(gkey), "goal/%s", t->kode);
    const touch *gt = touch_find(sb, gkey);
    Renja__V1__Goal *owned = NULL;
    size_t n_ind = 0;
    bool ok;
    int err = 0;
    if (gt) {
        ok = !gt->remove;
        n_ind = gt->goal.n_indikator;
        if (ok && t->ind >= 1 && (size_t)t->ind <= n_ind) {
            fill_satuan(t, gt->goal.indikator[t->ind - 1]);
            err = check_breakdown(sb, t, gt->goal.indikator[t->ind - 1]);
        }
    } else {
        MDB_val v;
        int r = val_at(sb->txn, sb->s->vals, op->plan, gkey, sb->head, &v, NULL);
        if (r < 0)
            return rj_diag_set(&op->diag, r, "store: read failed");
        ok = r == VAL_LIVE;
        if (ok && (owned = unpack(&renja__v1__goal__descriptor, v.mv_data, v.mv_size)) != NULL)
            n_ind = owned->n_indikator;
        if (owned && t->ind >= 1 && (size_t)t->ind <= n_ind) {
            fill_satuan(t, owned->indikator[t->ind - 1]);
            err = check_breakdown(sb, t, owned->indikator[t->ind - 1]);
        }
        if (owned)
            protobuf_c_message_free_unpacked(&owned->base, NULL);
        if (!ok && (err = conflict_on(sb, gkey)) != 0)
            return err;
    }
    if (err)
        return err;
    if (!ok)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi of goal %s: no such tujuan or sasaran at the new revision",
                           t->kode);
    if (t->ind == 0)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi of goal %s: indikator 0 is realisasi anggaran, which a "
                           "goal has none of; expected 1..%zu",
                           t->kode, n_ind);
    if ((size_t)t->ind > n_ind)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi of goal %s: indikator %d does not exist; the goal has %zu "
                           "indikator",
                           t->kode, t->ind, n_ind);
    return 0;
}

static int submit_validate(submit *sb)
{
    rj_op *op = sb->op;
    int err;
    Renja__V1__Role role = op->who->role;
    if (role != RENJA__V1__ROLE__ROLE_EDITOR && role != RENJA__V1__ROLE__ROLE_PLANNER &&
        role != RENJA__V1__ROLE__ROLE_ADMIN)
        return rj_diag_set(&op->diag, RJ_EPERM, "%s has role %s, which may not submit changes",
                           op->who->name, rj_role_name(role));
    if (op->n_changes == 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "nothing to change: the submit has no changes");
    for (size_t i = 0; i < op->n_changes; i++) {
        if ((err = parse_change(sb, op->changes[i])) != 0)
            return err;
        sb->t[sb->n - 1].idx = i + 1;
    }

    /* Duplicate keys within the submit. */
    qsort(sb->t, sb->n, sizeof(touch), touch_cmp);
    sb->sorted = true;
    for (size_t i = 1; i < sb->n; i++)
        if (strcmp(sb->t[i - 1].key, sb->t[i].key) == 0)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "%s appears twice in one submit; give each key once", sb->t[i].key);

    /* What equals the plan at head is no change (partial upserts merged
     * first); then permission, before conflicts: an editor changing another
     * bidang's item is refused as such (RJ_EPERM) whether or not the item
     * also changed after the base. */
    if ((err = merge_partial(sb)) != 0)
        return err;
    if ((err = drop_unchanged(sb)) != 0)
        return err;
    if (sb->n == 0)
        return 0; /* nothing changes: no revision */
    if (is_editor(op) && (err = editor_check(sb)) != 0)
        return err;

    /* Conflicts first: with a stale base, the checks below would judge the
     * changes against a head the author never saw and refuse them as bad
     * input (missing parent, no such item) instead of as a conflict. */
    if (op->has_base) {
        if (op->base > sb->head)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "base revision %" PRIu64 " is after the head %" PRIu64 " of plan %s",
                               op->base, sb->head, op->plan);
        sb->has_base = true;
        sb->base = op->base;
        if ((err = check_conflicts(sb, sb->base, false)) != 0)
            return err;
    }

    /* Removals, which may add implied touches (by index: t may move). */
    {
        /* Collect explicit removal keys first: the array is re-sorted as
         * implied touches are added. */
        ptrs keys = {0};
        for (size_t i = 0; i < sb->n; i++)
            if (sb->t[i].explicit_change && sb->t[i].remove && sb->t[i].kind != K_REAL)
                ptrs_push(&keys, rj_strdup(sb->t[i].key));
        err = 0;
        for (size_t i = 0; i < keys.n && err == 0; i++) {
            touch *t = touch_find(sb, keys.v[i]);
            err = check_removal(sb, (size_t)(t - sb->t));
        }
        for (size_t i = 0; i < keys.n; i++)
            free(keys.v[i]);
        free(keys.v);
        if (err)
            return err;
    }
    if ((err = drop_realisasi(sb)) != 0)
        return err;
    touch_find(sb, ""); /* sort */
    /* What the removals and dropped indikator take with them (children,
     * realisasi) must not have changed after the base either. */
    if (sb->has_base && (err = check_conflicts(sb, sb->base, true)) != 0)
        return err;

    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        if (!t->explicit_change || t->remove || t->kind == K_REAL)
            continue;
        char parent[RJ_KODE_MAX], pkey[96];
        bool has = t->kind == K_ITEM   ? rj_kode_parent(t->kode, parent)
                   : t->kind == K_GOAL ? rj_goal_parent(t->kode, parent)
                                       : rj_rekening_parent(t->kode, parent);
        if (!has)
            continue;
        snprintf(pkey, sizeof(pkey), "%s/%s", kind_prefix(t->kind), parent);
        touch *pt = touch_find(sb, pkey);
        err = 0;
        bool ok = pt ? !pt->remove : live_at_head(sb, pkey, &err);
        if (err)
            return rj_diag_set(&op->diag, err, "store: read failed");
        if (!ok && !pt && (err = conflict_on(sb, pkey)) != 0)
            return err;
        if (!ok)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "%s %s: missing parent %s; add the parent first (in this submit "
                               "or before)",
                               kind_what(t->kind), t->kode, parent);
    }

    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        if (t->kind != K_REAL || !t->explicit_change)
            continue;
        if (rj_goal_kind_of(t->kode) != RJ_GOAL_NONE) {
            if ((err = check_goal_realisasi(sb, t)) != 0)
                return err;
            continue;
        }
        const Renja__V1__Item *it;
        Renja__V1__Item *owned;
        err = 0;
        bool ok = item_after(sb, t->kode, &it, &owned, &err);
        if (err)
            return rj_diag_set(&op->diag, err, "store: read failed");
        /* A realisasi whose item was removed after the author's base is a
         * conflict, not bad input. Then permission, before validation: an
         * editor learns nothing about items of other bidang from the
         * validation messages. */
        char ikey[96];
        snprintf(ikey, sizeof(ikey), "item/%s", t->kode);
        if (!ok && !touch_find(sb, ikey))
            err = conflict_on(sb, ikey);
        if (!err && !ok)
            err = rj_diag_set(&op->diag, RJ_EINVAL,
                              "realisasi of item %s: no such item at the new revision", t->kode);
        else if (!err && is_editor(op))
            err = editor_may_touch(sb, t->kode, it->bidang);
        if (ok && !err && t->ind > 0 && (size_t)t->ind > it->n_indikator)
            err = rj_diag_set(&op->diag, RJ_EINVAL,
                              "realisasi of item %s: indikator %d does not exist; the item has "
                              "%zu indikator",
                              t->kode, t->ind, it->n_indikator);
        if (ok && !err && t->ind > 0) {
            fill_satuan(t, it->indikator[t->ind - 1]);
            err = check_breakdown(sb, t, it->indikator[t->ind - 1]);
        }
        if (owned)
            protobuf_c_message_free_unpacked(&owned->base, NULL);
        if (err)
            return err;
    }

    return 0;
}

static int submit_write(submit *sb, Renja__V1__Plan *p)
{
    rj_op *op = sb->op;
    uint64_t rev = sb->head + 1;
    char **keys = rj_malloc(sb->n * sizeof(char *));
    int rc = 0;
    for (size_t i = 0; i < sb->n && rc == 0; i++) {
        touch *t = &sb->t[i];
        keys[i] = t->key;
        kbuf k;
        vkey(&k, op->plan, t->key, rev);
        void *buf = NULL;
        size_t len = 1;
        unsigned char tomb = TAG_TOMB;
        if (!t->remove) {
            if (t->kind == K_ITEM)
                buf = pack_val(&t->item.base, &len);
            else if (t->kind == K_LINE)
                buf = pack_val(&t->line.base, &len);
            else if (t->kind == K_GOAL)
                buf = pack_val(&t->goal.base, &len);
            else {
                Renja__V1__Realisasi r = *t->real;
                r.clear = false;
                if (t->fill_satuan)
                    r.satuan = t->fill_satuan;
                buf = pack_val(&r.base, &len);
            }
        }
        MDB_val kv = kb_val(&k), dv = {.mv_size = len, .mv_data = buf ? buf : &tomb};
        rc = mdb_put(sb->txn, sb->s->vals, &kv, &dv, 0);
        free(buf);
    }
    if (rc) {
        free(keys);
        return mdb_fail(&op->diag, rc, "write value");
    }
    Renja__V1__Revision rv = RENJA__V1__REVISION__INIT;
    rv.rev = rev;
    rv.author = (char *)op->who->name;
    rv.bidang = (char *)who_bidang(op);
    rv.time_unix_ms = op->now_ms;
    rv.role = op->who ? op->who->role : RENJA__V1__ROLE__ROLE_UNSPECIFIED;
    rv.client = (char *)(op->client ? op->client : "");
    rv.message = (char *)(op->message ? op->message : "");
    rv.base_rev = op->has_base ? op->base : sb->head;
    rv.keys = keys;
    rv.n_keys = sb->n;
    size_t len;
    void *buf = pack(&rv.base, &len);
    free(keys);
    kbuf k = {.n = 0};
    kb_str(&k, op->plan);
    kb_nul(&k);
    kb_u64(&k, rev);
    MDB_val kv = kb_val(&k), dv = {.mv_size = len, .mv_data = buf};
    rc = mdb_put(sb->txn, sb->s->revs, &kv, &dv, MDB_NOOVERWRITE);
    if (rc == 0)
        op->revision = unpack(&renja__v1__revision__descriptor, buf, len);
    free(buf);
    if (rc)
        return mdb_fail(&op->diag, rc, "write revision");
    p->head = rev;
    int err = plan_put(sb->s, sb->txn, p, 0, &op->diag);
    if (err == 0)
        op->rev = rev;
    return err;
}

static int op_submit(rj_store *s, MDB_txn *txn, rj_op *op)
{
    if (!op->who)
        return rj_diag_set(&op->diag, RJ_EPERM, "submit needs an identity");
    Renja__V1__Plan *p;
    int err = plan_get(s, txn, op->plan, &p, &op->diag);
    if (err)
        return err;
    if (p->locked) {
        err = locked_error(p, &op->diag);
        protobuf_c_message_free_unpacked(&p->base, NULL);
        return err;
    }
    submit sb = {.s = s, .txn = txn, .op = op, .head = p->head};
    err = submit_validate(&sb);
    if (err == 0 && sb.n == 0) {
        op->rev = p->head; /* nothing changed: no revision */
        op->unchanged = true;
    } else if (err == 0)
        err = submit_write(&sb, p);
    touches_free(&sb);
    protobuf_c_message_free_unpacked(&p->base, NULL);
    return err;
}

/* --- apply ----------------------------------------------------------------- */

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

static int token_add_txn(rj_store *s, MDB_txn *txn, const char *name, Renja__V1__Role role,
                         const char *bidang, char out[RJ_TOKEN_MAX], rj_diag *d);
static int token_check(const char *name, Renja__V1__Role role, const char *bidang, rj_diag *d);
static int token_revoke_txn(rj_store *s, MDB_txn *txn, const char *name, Renja__V1__Identity **id,
                            rj_diag *d);

static Renja__V1__Identity *identity_new(const char *name, Renja__V1__Role role, const char *bidang)
{
    Renja__V1__Identity *id = rj_malloc(sizeof(*id));
    renja__v1__identity__init(id);
    id->name = rj_strdup(name ? name : "");
    id->role = role;
    id->bidang = rj_strdup(bidang ? bidang : "");
    return id;
}

static int op_token(rj_store *s, MDB_txn *txn, rj_op *op)
{
    const Renja__V1__Identity *t = op->token;
    if (!t)
        return rj_diag_set(&op->diag, RJ_EINVAL, "token operation without a token");
    if (op->kind == RJ_OP_TOKEN_REVOKE)
        return token_revoke_txn(s, txn, t->name, &op->token_id, &op->diag);
    int err = token_check(t->name, t->role, t->bidang, &op->diag);
    if (err == 0)
        err = token_add_txn(s, txn, t->name, t->role, t->bidang, op->token_out, &op->diag);
    if (err == 0)
        op->token_id = identity_new(t->name, t->role, t->bidang);
    return err;
}

static int apply_one(rj_store *s, MDB_txn *txn, rj_op *op)
{
    switch (op->kind) {
    case RJ_OP_CREATE_PLAN:
        return op_create_plan(s, txn, op);
    case RJ_OP_LOCK_PLAN:
        return op_lock_plan(s, txn, op, true);
    case RJ_OP_UNLOCK_PLAN:
        return op_lock_plan(s, txn, op, false);
    case RJ_OP_SUBMIT:
        return op_submit(s, txn, op);
    case RJ_OP_SET_STAGE:
        return op_set_stage(s, txn, op);
    case RJ_OP_TOKEN_ADD:
    case RJ_OP_TOKEN_REVOKE:
        return op_token(s, txn, op);
    }
    return rj_diag_set(&op->diag, RJ_EINVAL, "unknown write operation %d", (int)op->kind);
}

/* Whether a failed commit ran out of disk. LMDB reports a short write
 * (what a full disk gives) as EIO, not ENOSPC: an EIO with next to nothing
 * left on the data dir's file system counts as full too. */
static bool disk_full(rj_store *s, int rc)
{
    if (rc == ENOSPC || rc == EDQUOT)
        return true;
    struct statvfs fs;
    if (rc != EIO || statvfs(s->dir, &fs) != 0)
        return false;
    uint64_t avail = (uint64_t)(geteuid() == 0 ? fs.f_bfree : fs.f_bavail) * fs.f_frsize;
    return avail < (64u << 20);
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
    for (;;) {
        for (size_t i = 0; i < n; i++)
            op_reset(ops[i]);
        MDB_txn *txn;
        int rc = write_begin(s, &txn);
        bool full = false;
        if (rc == 0) {
            for (size_t i = 0; i < n && !full; i++) {
                MDB_txn *child;
                rc = mdb_txn_begin(s->env, txn, 0, &child);
                if (rc) {
                    full = rc == MDB_MAP_FULL;
                    break;
                }
                int err = apply_one(s, child, ops[i]);
                if (err == 0) {
                    rc = mdb_txn_commit(child);
                    if (rc == MDB_MAP_FULL)
                        full = true;
                    else if (rc)
                        break;
                } else {
                    mdb_txn_abort(child);
                    if (err == ERR_MAPFULL)
                        full = true;
                    ops[i]->err = err;
                    rj_op_clear(ops[i]);
                }
            }
            if (full || rc) {
                mdb_txn_abort(txn);
            } else {
                rc = mdb_txn_commit(txn);
                full = rc == MDB_MAP_FULL;
            }
        }
        if (full) {
            if ((rc = grow_map(s)) == 0)
                continue;
        }
        if (rc == 0)
            return 0;
        bool nospace = disk_full(s, rc);
        for (size_t i = 0; i < n; i++) {
            op_reset(ops[i]);
            if (nospace)
                ops[i]->err = rj_diag_set(&ops[i]->diag, RJ_ETOOBIG,
                                          "disk full on %s: the change was not stored; free "
                                          "space there and retry",
                                          s->dir);
            else
                ops[i]->err = rj_diag_set(&ops[i]->diag, RJ_EIO, "store: commit failed: %s",
                                          mdb_strerror(rc));
        }
        return nospace ? RJ_ETOOBIG : RJ_EIO;
    }
}

/* --- environment ------------------------------------------------------------ */

static int read_schema(MDB_txn *txn, MDB_dbi meta, long *version)
{
    MDB_val k = {.mv_size = 6, .mv_data = "schema"}, v;
    int rc = mdb_get(txn, meta, &k, &v);
    if (rc)
        return rc;
    char buf[24];
    size_t n = v.mv_size < sizeof(buf) - 1 ? v.mv_size : sizeof(buf) - 1;
    memcpy(buf, v.mv_data, n);
    buf[n] = '\0';
    *version = strtol(buf, NULL, 10);
    return 0;
}

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

int rj_store_open(const char *dir, rj_store **out, rj_diag *d)
{
    *out = NULL;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return rj_diag_set(d, RJ_EIO, "cannot create data dir %s: %s", dir, strerror(errno));
    rj_store *s = rj_calloc(1, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->dir = rj_strdup(dir);
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, 8);
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

    MDB_txn *txn;
    rc = write_begin(s, &txn);
    if (rc) {
        rj_diag_set(d, RJ_EIO, "cannot open store in %s: %s", dir, mdb_strerror(rc));
        rj_store_close(s);
        return RJ_EIO;
    }
    int err = 0;
    struct {
        const char *name;
        MDB_dbi *dbi;
    } dbs[] = {{"meta", &s->meta},    {"plans", &s->plans},   {"revs", &s->revs},
               {"vals", &s->vals},    {"stages", &s->stages}, {"tokens", &s->tokens},
               {"events", &s->events}};
    for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]) && rc == 0; i++)
        rc = mdb_dbi_open(txn, dbs[i].name, MDB_CREATE, dbs[i].dbi);
    long version = 0;
    if (rc == 0) {
        rc = read_schema(txn, s->meta, &version);
        if (rc == MDB_NOTFOUND) {
            char buf[16];
            int n = snprintf(buf, sizeof(buf), "%d", RJ_SCHEMA_VERSION);
            MDB_val k = {.mv_size = 6, .mv_data = "schema"},
                    v = {.mv_size = (size_t)n, .mv_data = buf};
            rc = mdb_put(txn, s->meta, &k, &v, 0);
        } else if (rc == 0 && version > RJ_SCHEMA_VERSION) {
            err = rj_diag_set(d, RJ_ESCHEMA,
                              "store in %s has schema version %ld; this build of renja supports "
                              "schema version %d; use a newer renja",
                              dir, version, RJ_SCHEMA_VERSION);
        }
    }
    if (rc || err) {
        mdb_txn_abort(txn);
        if (!err)
            err = rj_diag_set(d, RJ_EIO, "cannot open store in %s: %s", dir, mdb_strerror(rc));
        rj_store_close(s);
        return err;
    }
    rc = mdb_txn_commit(txn);
    if (rc) {
        rj_diag_set(d, RJ_EIO, "cannot open store in %s: %s", dir, mdb_strerror(rc));
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
        mdb_env_close(s->env);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->dir);
    free(s);
}

int rj_store_reader_check(rj_store *s, int *dead)
{
    int n = 0;
    int rc = mdb_reader_check(s->env, &n);
    if (dead)
        *dead = n;
    return rc ? RJ_EIO : 0;
}

/* A single-file copy: mdb_env_copy2() would write a directory-style env
 * when given a path, so the file is created here (O_EXCL: never overwrite an
 * earlier backup) and handed to mdb_env_copyfd2(). The copy runs its own
 * read transaction, so it counts as a reader for map growth. */
int rj_store_backup(rj_store *s, const char *out_file, rj_diag *d)
{
    int fd = open(out_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return rj_diag_set(d, errno == EEXIST ? RJ_EEXIST : RJ_EIO, "backup file %s: %s%s",
                           out_file, strerror(errno),
                           errno == EEXIST ? "; refusing to overwrite it" : "");
    int rc;
    for (;;) {
        readers_enter(s);
        rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
        readers_leave(s);
        /* Another process (the daemon, while `renjad backup` runs beside
         * it) grew the map after we opened the store: adopt its size, as
         * read_begin does, and copy again from the start. */
        if (rc != MDB_MAP_RESIZED)
            break;
        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
            rc = errno;
            break;
        }
        if ((rc = set_mapsize(s, 0)) != 0)
            break;
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = errno;
    if (close(fd) < 0 && rc == 0)
        rc = errno;
    if (rc) {
        unlink(out_file);
        return rj_diag_set(d, RJ_EIO, "backup to %s failed: %s", out_file, mdb_strerror(rc));
    }
    return 0;
}

static int check_backup_file(const char *in_file, rj_diag *d)
{
    MDB_env *env;
    int rc = mdb_env_create(&env);
    if (rc)
        return rj_diag_set(d, RJ_EIO, "restore: %s", mdb_strerror(rc));
    mdb_env_set_maxdbs(env, 8);
    rc = mdb_env_open(env, in_file, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK, 0600);
    if (rc) {
        mdb_env_close(env);
        return rj_diag_set(d, RJ_EINVAL, "%s is not a renja backup (not an LMDB file: %s)", in_file,
                           mdb_strerror(rc));
    }
    MDB_txn *txn;
    MDB_dbi meta;
    long version = 0;
    int err = 0;
    rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, "meta", 0, &meta);
        if (rc == 0)
            rc = read_schema(txn, meta, &version);
        mdb_txn_abort(txn);
    }
    if (rc)
        err = rj_diag_set(d, RJ_EINVAL, "%s is not a renja backup (no schema record: %s)", in_file,
                          mdb_strerror(rc));
    else if (version > RJ_SCHEMA_VERSION)
        err = rj_diag_set(d, RJ_ESCHEMA,
                          "backup %s has schema version %ld; this build of renja supports "
                          "schema version %d",
                          in_file, version, RJ_SCHEMA_VERSION);
    mdb_env_close(env);
    return err;
}

int rj_store_restore(const char *dir, const char *in_file, rj_diag *d)
{
    int err = check_backup_file(in_file, d);
    if (err)
        return err;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return rj_diag_set(d, RJ_EIO, "cannot create data dir %s: %s", dir, strerror(errno));
    char *tmp = rj_asprintf("%s/data.mdb.restore", dir);
    char *dst = rj_asprintf("%s/data.mdb", dir);
    char *lock = rj_asprintf("%s/lock.mdb", dir);
    int in = open(in_file, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const char *step = in < 0 ? in_file : tmp;
    bool ok = in >= 0 && out >= 0;
    char buf[1 << 16];
    while (ok) {
        ssize_t r = read(in, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ok = r == 0;
            break;
        }
        for (ssize_t off = 0; off < r && ok;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            ok = w > 0;
            off += w > 0 ? w : 0;
        }
    }
    /* fsync before rename so that the name never points at a partial file,
     * then fsync the directory so that the rename itself is durable. */
    ok = ok && fsync(out) == 0;
    if (out >= 0 && close(out) < 0)
        ok = false;
    if (in >= 0)
        close(in);
    if (ok) {
        step = dst;
        ok = rename(tmp, dst) == 0;
    }
    if (ok && unlink(lock) < 0 && errno != ENOENT) {
        step = lock;
        ok = false;
    }
    if (ok) {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    } else {
        err =
            rj_diag_set(d, RJ_EIO, "restore into %s failed at %s: %s", dir, step, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    free(dst);
    free(lock);
    return err;
}

/* --- tokens ----------------------------------------------------------------- */

static void tok_key(kbuf *k, const char *kind, const char *s)
{
    k->n = 0;
    kb_str(k, kind);
    kb_str(k, s);
}

static int token_add_txn(rj_store *s, MDB_txn *txn, const char *name, Renja__V1__Role role,
                         const char *bidang, char out[RJ_TOKEN_MAX], rj_diag *d)
{
    kbuf nk;
    tok_key(&nk, "n/", name);
    MDB_val kv = kb_val(&nk), dv;
    int rc = mdb_get(txn, s->tokens, &kv, &dv);
    if (rc == 0)
        return rj_diag_set(d, RJ_EEXIST, "a token named %s already exists; revoke it first", name);
    if (rc != MDB_NOTFOUND)
        return mdb_fail(d, rc, "read token");
    unsigned char raw[32];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t r = getrandom(raw + got, sizeof(raw) - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return rj_diag_set(d, RJ_EIO, "getrandom: %s", strerror(errno));
        got += (size_t)r;
    }
    memcpy(out, "rjt_", 4);
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 4 + 2 * i, 3, "%02x", raw[i]);
    char hex[65];
    rj_sha256_hex(out, strlen(out), hex);

    Renja__V1__Identity id = RENJA__V1__IDENTITY__INIT;
    id.name = (char *)name;
    id.role = role;
    id.bidang = (char *)(bidang ? bidang : "");
    size_t len;
    void *buf = pack(&id.base, &len);
    kbuf hk;
    tok_key(&hk, "h/", hex);
    kv = kb_val(&hk);
    dv = (MDB_val){.mv_size = len, .mv_data = buf};
    rc = mdb_put(txn, s->tokens, &kv, &dv, MDB_NOOVERWRITE);
    free(buf);
    if (rc == 0) {
        kv = kb_val(&nk);
        dv = (MDB_val){.mv_size = 64, .mv_data = hex};
        rc = mdb_put(txn, s->tokens, &kv, &dv, MDB_NOOVERWRITE);
    }
    return rc ? mdb_fail(d, rc, "write token") : 0;
}

static int token_check(const char *name, Renja__V1__Role role, const char *bidang, rj_diag *d)
{
    size_t nl = name ? strlen(name) : 0;
    if (nl == 0 || nl > 128)
        return rj_diag_set(d, RJ_EINVAL, "token name must be 1..128 characters");
    if (role < RENJA__V1__ROLE__ROLE_VIEWER || role > RENJA__V1__ROLE__ROLE_ADMIN)
        return rj_diag_set(d, RJ_EINVAL,
                           "token role %d is not valid; expected viewer, editor, planner or admin",
                           (int)role);
    if (role == RENJA__V1__ROLE__ROLE_EDITOR && (!bidang || !*bidang))
        return rj_diag_set(d, RJ_EINVAL, "an editor token needs a bidang (the one it may change)");
    return 0;
}

int rj_store_token_add(rj_store *s, const char *name, Renja__V1__Role role, const char *bidang,
                       char out[RJ_TOKEN_MAX], rj_diag *d)
{
    int cerr = token_check(name, role, bidang, d);
    if (cerr)
        return cerr;
    for (;;) {
        MDB_txn *txn;
        int rc = write_begin(s, &txn);
        if (rc)
            return mdb_fail(d, rc, "begin write");
        int err = token_add_txn(s, txn, name, role, bidang, out, d);
        if (err == 0) {
            rc = mdb_txn_commit(txn);
            err = rc ? mdb_fail(d, rc, "commit token") : 0;
        } else {
            mdb_txn_abort(txn);
        }
        if (err == ERR_MAPFULL) {
            if ((rc = grow_map(s)) != 0)
                return rj_diag_set(d, RJ_EIO, "store: grow map: %s", mdb_strerror(rc));
            continue;
        }
        if (err)
            memset(out, 0, RJ_TOKEN_MAX);
        return err;
    }
}

int rj_store_token_auth(rj_store *s, const char *token, Renja__V1__Identity **out, rj_diag *d)
{
    *out = NULL;
    size_t n = token ? strlen(token) : 0;
    if (n < 5 || n >= RJ_TOKEN_MAX || strncmp(token, "rjt_", 4) != 0)
        return rj_diag_set(d, RJ_EAUTH, "missing or malformed token");
    char hex[65];
    rj_sha256_hex(token, n, hex);
    kbuf k;
    tok_key(&k, "h/", hex);
    MDB_txn *txn;
    if (read_begin(s, &txn))
        return rj_diag_set(d, RJ_EIO, "store: cannot begin read");
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_get(txn, s->tokens, &kv, &dv);
    int err = RJ_EAUTH;
    if (rc == 0) {
        /* The lookup is by hash; compare the stored key to the computed hash
         * without an early exit all the same. */
        unsigned char diff = 0;
        MDB_cursor *c;
        MDB_val fk = kb_val(&k), fv;
        if (mdb_cursor_open(txn, s->tokens, &c) == 0) {
            if (mdb_cursor_get(c, &fk, &fv, MDB_SET_KEY) == 0 && fk.mv_size == k.n) {
                for (size_t i = 0; i < k.n; i++)
                    diff |= ((const unsigned char *)fk.mv_data)[i] ^ k.b[i];
                if (diff == 0) {
                    *out = unpack(&renja__v1__identity__descriptor, fv.mv_data, fv.mv_size);
                    err = *out ? 0 : RJ_EINTERNAL;
                }
            }
            mdb_cursor_close(c);
        }
    } else if (rc != MDB_NOTFOUND) {
        err = RJ_EIO;
    }
    read_end(s, txn);
    if (err == RJ_EAUTH)
        rj_diag_set(d, RJ_EAUTH, "unknown or revoked token");
    else if (err)
        rj_diag_set(d, err, "store: token lookup failed");
    return err;
}

static int token_list_txn(rj_store *s, MDB_txn *txn, Renja__V1__Identity ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    MDB_cursor *c;
    ptrs list = {0};
    int rc = mdb_cursor_open(txn, s->tokens, &c);
    if (rc == 0) {
        MDB_val kv = {.mv_size = 2, .mv_data = "n/"}, dv;
        rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
        while (rc == 0 && kv.mv_size >= 2 && memcmp(kv.mv_data, "n/", 2) == 0) {
            kbuf hk = {.n = 0};
            kb_str(&hk, "h/");
            kb_put(&hk, dv.mv_data, dv.mv_size);
            MDB_val hv = kb_val(&hk), iv;
            if (mdb_get(txn, s->tokens, &hv, &iv) == 0) {
                void *m = unpack(&renja__v1__identity__descriptor, iv.mv_data, iv.mv_size);
                if (m)
                    ptrs_push(&list, m);
            }
            rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
        }
        mdb_cursor_close(c);
    }
    if (rc && rc != MDB_NOTFOUND) {
        rj_msgs_free(list.v, list.n);
        return RJ_EIO;
    }
    *out = (Renja__V1__Identity **)list.v;
    *n = list.n;
    return 0;
}

int rj_store_token_list(rj_store *s, Renja__V1__Identity ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    if (read_begin(s, &txn))
        return RJ_EIO;
    int rc = token_list_txn(s, txn, out, n);
    read_end(s, txn);
    return rc;
}

int rj_snap_tokens(rj_snap *snap, Renja__V1__Identity ***out, size_t *n)
{
    return token_list_txn(snap->s, snap->txn, out, n);
}

static int token_revoke_txn(rj_store *s, MDB_txn *txn, const char *name, Renja__V1__Identity **id,
                            rj_diag *d)
{
    if (!name || !*name || strlen(name) > 128)
        return rj_diag_set(d, RJ_ENOTFOUND, "no token named '%s'", name ? name : "");
    kbuf nk;
    tok_key(&nk, "n/", name);
    MDB_val kv = kb_val(&nk), dv;
    int rc = mdb_get(txn, s->tokens, &kv, &dv);
    if (rc == MDB_NOTFOUND)
        return rj_diag_set(d, RJ_ENOTFOUND, "no token named %s", name);
    if (rc)
        return mdb_fail(d, rc, "read token");
    kbuf hk = {.n = 0};
    kb_str(&hk, "h/");
    kb_put(&hk, dv.mv_data, dv.mv_size);
    MDB_val hv = kb_val(&hk), iv;
    if (id && mdb_get(txn, s->tokens, &hv, &iv) == 0)
        *id = unpack(&renja__v1__identity__descriptor, iv.mv_data, iv.mv_size);
    rc = mdb_del(txn, s->tokens, &hv, NULL);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    kv = kb_val(&nk);
    if (rc == 0)
        rc = mdb_del(txn, s->tokens, &kv, NULL);
    return rc ? mdb_fail(d, rc, "revoke token") : 0;
}

int rj_store_token_revoke(rj_store *s, const char *name, rj_diag *d)
{
    for (;;) {
        MDB_txn *txn;
        int rc = write_begin(s, &txn);
        if (rc)
            return mdb_fail(d, rc, "begin write");
        int err = token_revoke_txn(s, txn, name, NULL, d);
        if (err) {
            mdb_txn_abort(txn);
            if (err == ERR_MAPFULL && grow_map(s) == 0)
                continue;
            return err;
        }
        rc = mdb_txn_commit(txn);
        if (rc == MDB_MAP_FULL && grow_map(s) == 0)
            continue;
        return rc ? mdb_fail(d, rc, "revoke token") : 0;
    }
}

int rj_store_token_count(rj_store *s, size_t *n)
{
    *n = 0;
    MDB_txn *txn;
    if (read_begin(s, &txn))
        return RJ_EIO;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->tokens, &c);
    if (rc == 0) {
        MDB_val kv = {.mv_size = 2, .mv_data = "n/"}, dv;
        rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
        while (rc == 0 && kv.mv_size >= 2 && memcmp(kv.mv_data, "n/", 2) == 0) {
            (*n)++;
            rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
        }
        mdb_cursor_close(c);
    }
    read_end(s, txn);
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : RJ_EIO;
}

/* --- reads ------------------------------------------------------------------ */

int rj_snap_begin(rj_store *s, rj_snap **out)
{
    MDB_txn *txn;
    *out = NULL;
    if (read_begin(s, &txn))
        return RJ_EIO;
    rj_snap *snap = rj_calloc(1, sizeof(*snap));
    snap->s = s;
    snap->txn = txn;
    *out = snap;
    return 0;
}

void rj_snap_end(rj_snap *snap)
{
    if (!snap)
        return;
    read_end(snap->s, snap->txn);
    free(snap);
}

int rj_snap_plan(rj_snap *snap, const char *plan, Renja__V1__Plan **out, rj_diag *d)
{
    *out = NULL;
    return plan_get(snap->s, snap->txn, plan, out, d);
}

int rj_snap_plans(rj_snap *snap, Renja__V1__Plan ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    MDB_cursor *c;
    if (mdb_cursor_open(snap->txn, snap->s->plans, &c))
        return RJ_EIO;
    ptrs list = {0};
    MDB_val kv, dv;
    int rc = mdb_cursor_get(c, &kv, &dv, MDB_FIRST);
    while (rc == 0) {
        void *m = unpack(&renja__v1__plan__descriptor, dv.mv_data, dv.mv_size);
        if (m)
            ptrs_push(&list, m);
        rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (rc != MDB_NOTFOUND) {
        rj_msgs_free(list.v, list.n);
        return RJ_EIO;
    }
    *out = (Renja__V1__Plan **)list.v;
    *n = list.n;
    return 0;
}

static bool pinned(const rj_snap *snap, const char *plan)
{
    return snap->pin_plan && strcmp(snap->pin_plan, plan) == 0;
}

static int plan_head(rj_snap *snap, const char *plan, uint64_t *head, rj_diag *d)
{
    Renja__V1__Plan *p;
    int err = plan_get(snap->s, snap->txn, plan, &p, d);
    if (err)
        return err;
    *head = pinned(snap, plan) && snap->pin_head < p->head ? snap->pin_head : p->head;
    protobuf_c_message_free_unpacked(&p->base, NULL);
    return 0;
}

int rj_snap_pin(rj_snap *snap, const char *plan, uint64_t head, char *const *stages, size_t n,
                rj_diag *d)
{
    uint64_t now;
    snap->pin_plan = NULL;
    int err = plan_head(snap, plan, &now, d);
    if (err)
        return err;
    if (head > now)
        return rj_diag_set(d, RJ_EINVAL,
                           "pin.head %" PRIu64 " is beyond the head %" PRIu64
                           " of plan %s: the pin is not from this plan's history; ask again "
                           "from the first page, without a pin",
                           head, now, plan);
    snap->pin_plan = plan;
    snap->pin_head = head;
    snap->pin_stages = stages;
    snap->n_pin_stages = n;
    return 0;
}

static bool stage_pinned(const rj_snap *snap, const char *name)
{
    for (size_t i = 0; i < snap->n_pin_stages; i++)
        if (strcmp(snap->pin_stages[i], name) == 0)
            return true;
    return false;
}

int rj_snap_resolve(rj_snap *snap, const char *plan, const char *ref, uint64_t *rev, rj_diag *d)
{
    uint64_t head;
    int err = plan_head(snap, plan, &head, d);
    if (err)
        return err;
    if (!ref || !*ref || strcmp(ref, "head") == 0) {
        *rev = head;
        return 0;
    }
    if (rj_is_decimal(ref)) {
        errno = 0;
        unsigned long long v = strtoull(ref, NULL, 10);
        if (errno || v > head)
            return rj_diag_set(d, RJ_ENOTFOUND,
                               "revision %s not found in plan %s; head is %" PRIu64, ref, plan,
                               head);
        *rev = v;
        return 0;
    }
    if (strlen(ref) <= 64 && (!pinned(snap, plan) || stage_pinned(snap, ref))) {
        kbuf k;
        stage_key(&k, plan, ref);
        MDB_val kv = kb_val(&k), dv;
        int rc = mdb_get(snap->txn, snap->s->stages, &kv, &dv);
        if (rc == 0) {
            Renja__V1__Stage *st = unpack(&renja__v1__stage__descriptor, dv.mv_data, dv.mv_size);
            if (!st)
                return rj_diag_set(d, RJ_EINTERNAL, "stage %s does not decode", ref);
            *rev = st->rev;
            protobuf_c_message_free_unpacked(&st->base, NULL);
            return 0;
        }
        if (rc != MDB_NOTFOUND)
            return mdb_fail(d, rc, "read stage");
    }
    return rj_diag_set(d, RJ_ENOTFOUND,
                       "no stage or revision '%s' in plan %s; expected 'head', a revision "
                       "number up to %" PRIu64 ", or a stage name (see `renja stage list %s`)",
                       ref, plan, head, plan);
}

int rj_snap_stages(rj_snap *snap, const char *plan, Renja__V1__Stage ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!plan || strlen(plan) > 80)
        return RJ_ENOTFOUND;
    ptrs list = {0};
    int err = stages_list(snap->s, snap->txn, plan, &list);
    if (err) {
        rj_msgs_free(list.v, list.n);
        return err;
    }
    if (pinned(snap, plan)) { /* stages set since the pin are not there yet */
        size_t w = 0;
        for (size_t i = 0; i < list.n; i++) {
            Renja__V1__Stage *st = list.v[i];
            if (stage_pinned(snap, st->name))
                list.v[w++] = st;
            else
                protobuf_c_message_free_unpacked(&st->base, NULL);
        }
        list.n = w;
    }
    if (list.n)
        qsort(list.v, list.n, sizeof(void *), stage_cmp);
    *out = (Renja__V1__Stage **)list.v;
    *n = list.n;
    return 0;
}

int rj_snap_revision(rj_snap *snap, const char *plan, uint64_t rev, Renja__V1__Revision **out,
                     rj_diag *d)
{
    *out = NULL;
    if (!plan || strlen(plan) > 80)
        return rj_diag_set(d, RJ_ENOTFOUND, "plan not found");
    kbuf k = {.n = 0};
    kb_str(&k, plan);
    kb_nul(&k);
    kb_u64(&k, rev);
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_get(snap->txn, snap->s->revs, &kv, &dv);
    if (rc == MDB_NOTFOUND)
        return rj_diag_set(d, RJ_ENOTFOUND, "revision %" PRIu64 " not found in plan %s", rev, plan);
    if (rc)
        return mdb_fail(d, rc, "read revision");
    *out = unpack(&renja__v1__revision__descriptor, dv.mv_data, dv.mv_size);
    return *out ? 0 : rj_diag_set(d, RJ_EINTERNAL, "revision %" PRIu64 " does not decode", rev);
}

static bool rev_matches(const Renja__V1__Revision *rv, const char *key, bool subtree)
{
    bool item = strncmp(key, "item/", 5) == 0;
    for (size_t i = 0; i < rv->n_keys; i++) {
        if (strcmp(rv->keys[i], key) == 0)
            return true;
        if (subtree && item && strncmp(rv->keys[i], "item/", 5) == 0 &&
            rj_kode_in_subtree(rv->keys[i] + 5, key + 5))
            return true;
    }
    return false;
}

int rj_snap_log_page(rj_snap *snap, const char *plan, const char *key, bool subtree, uint64_t limit,
                     uint64_t before, size_t max_bytes, Renja__V1__Revision ***out, size_t *n,
                     bool *more)
{
    *out = NULL;
    *n = 0;
    *more = false;
    uint64_t head;
    int err = plan_head(snap, plan, &head, NULL);
    if (err)
        return err;
    if (before && before - 1 < head)
        head = before - 1;
    ptrs list = {0};
    MDB_cursor *c;
    if (mdb_cursor_open(snap->txn, snap->s->revs, &c))
        return RJ_EIO;
    kbuf k = {.n = 0};
    kb_str(&k, plan);
    kb_nul(&k);
    size_t plen = k.n;
    kb_u64(&k, head);
    MDB_val kv = kb_val(&k), dv;
    size_t bytes = 0;
    int rc = head ? mdb_cursor_get(c, &kv, &dv, MDB_SET_KEY) : MDB_NOTFOUND;
    while (rc == 0 && kv.mv_size == plen + 8 && memcmp(kv.mv_data, k.b, plen) == 0) {
        Renja__V1__Revision *rv = unpack(&renja__v1__revision__descriptor, dv.mv_data, dv.mv_size);
        if (rv && (!key || rev_matches(rv, key, subtree))) {
            if (max_bytes && list.n > 0 && bytes + dv.mv_size > max_bytes) {
                protobuf_c_message_free_unpacked(&rv->base, NULL);
                *more = true;
                break;
            }
            bytes += dv.mv_size;
            ptrs_push(&list, rv);
            if (limit && list.n >= limit)
                break;
        } else if (rv) {
            protobuf_c_message_free_unpacked(&rv->base, NULL);
        }
        rc = mdb_cursor_get(c, &kv, &dv, MDB_PREV);
    }
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND) {
        rj_msgs_free(list.v, list.n);
        return RJ_EIO;
    }
    *out = (Renja__V1__Revision **)list.v;
    *n = list.n;
    return 0;
}

int rj_snap_log(rj_snap *snap, const char *plan, const char *key, bool subtree, uint64_t limit,
                Renja__V1__Revision ***out, size_t *n)
{
    bool more;
    return rj_snap_log_page(snap, plan, key, subtree, limit, 0, 0, out, n, &more);
}

static int get_one(rj_snap *snap, const char *plan, const char *key, uint64_t rev,
                   const ProtobufCMessageDescriptor *desc, void **out)
{
    *out = NULL;
    if (!plan || strlen(plan) > 80 || strlen(key) > 200)
        return RJ_ENOTFOUND;
    MDB_val v;
    int r = val_at(snap->txn, snap->s->vals, plan, key, rev, &v, NULL);
    if (r < 0)
        return r;
    if (r != VAL_LIVE)
        return RJ_ENOTFOUND;
    *out = unpack(desc, v.mv_data, v.mv_size);
    return *out ? 0 : RJ_EINTERNAL;
}

int rj_snap_key_known(rj_snap *snap, const char *plan, const char *key, bool *known)
{
    *known = false;
    if (!plan || strlen(plan) > 80 || strlen(key) > 200)
        return 0;
    /* The newest version of any revision: live or a tombstone, it existed. */
    int r = val_at(snap->txn, snap->s->vals, plan, key, UINT64_MAX, NULL, NULL);
    if (r < 0)
        return r;
    *known = r != VAL_NONE;
    return 0;
}

int rj_snap_item(rj_snap *snap, const char *plan, const char *kode, uint64_t rev,
                 Renja__V1__Item **out)
{
    char key[128];
    if (strlen(kode) >= RJ_KODE_MAX)
        return RJ_ENOTFOUND;
    snprintf(key, sizeof(key), "item/%s", kode);
    return get_one(snap, plan, key, rev, &renja__v1__item__descriptor, (void **)out);
}

int rj_snap_line(rj_snap *snap, const char *plan, const char *kode, uint64_t rev,
                 Renja__V1__BudgetLine **out)
{
    char key[128];
    if (strlen(kode) >= RJ_KODE_MAX)
        return RJ_ENOTFOUND;
    snprintf(key, sizeof(key), "line/%s", kode);
    int err = get_one(snap, plan, key, rev, &renja__v1__budget_line__descriptor, (void **)out);
    if (err == 0)
        (*out)->depth = rj_rekening_depth((*out)->kode);
    return err;
}

int rj_snap_real(rj_snap *snap, const char *plan, const char *kode, int tw, int indikator,
                 uint64_t rev, Renja__V1__Realisasi **out)
{
    char key[128];
    if (strlen(kode) >= RJ_KODE_MAX)
        return RJ_ENOTFOUND;
    snprintf(key, sizeof(key), "real/%s/%d/%d", kode, tw, indikator);
    return get_one(snap, plan, key, rev, &renja__v1__realisasi__descriptor, (void **)out);
}

typedef struct list_walk {
    const char *prefix;
    const ProtobufCMessageDescriptor *desc;
    int kind;
    ptrs out;
} list_walk;

static int list_walk_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    list_walk *w = arg;
    const char *kode = strchr(key, '/') + 1;
    char k[RJ_KODE_MAX];
    if (w->kind == K_REAL) {
        const char *slash = strchr(kode, '/');
        size_t n = slash ? (size_t)(slash - kode) : 0;
        if (n == 0 || n >= sizeof(k))
            return 0;
        memcpy(k, kode, n);
        k[n] = '\0';
        kode = k;
    }
    if (!rj_kode_in_subtree(kode, w->prefix))
        return 0;
    void *m = unpack(w->desc, val->mv_data, val->mv_size);
    if (!m)
        return RJ_EINTERNAL;
    if (w->kind == K_LINE) {
        Renja__V1__BudgetLine *ln = m;
        ln->depth = rj_rekening_depth(ln->kode);
    }
    ptrs_push(&w->out, m);
    return 0;
}

static int real_cmp(const void *a, const void *b)
{
    const Renja__V1__Realisasi *x = *(Renja__V1__Realisasi *const *)a;
    const Renja__V1__Realisasi *y = *(Renja__V1__Realisasi *const *)b;
    int c = strcmp(x->kode, y->kode);
    if (c)
        return c;
    if (x->tw != y->tw)
        return x->tw < y->tw ? -1 : 1;
    return x->indikator < y->indikator ? -1 : x->indikator > y->indikator;
}

static int list_values(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev, int kind,
                       void ***out, size_t *n)
{
    static const char *const kinds[] = {"item/", "line/", "real/", "goal/"};
    static const ProtobufCMessageDescriptor *const descs[] = {
        &renja__v1__item__descriptor, &renja__v1__budget_line__descriptor,
        &renja__v1__realisasi__descriptor, &renja__v1__goal__descriptor};
    *out = NULL;
    *n = 0;
    if (!prefix)
        prefix = "";
    uint64_t head;
    int err = plan_head(snap, plan, &head, NULL);
    if (err)
        return err;
    if (strlen(prefix) >= RJ_KODE_MAX)
        return 0;
    char kp[64];
    snprintf(kp, sizeof(kp), "%s%s", kinds[kind], prefix);
    list_walk w = {.prefix = prefix, .desc = descs[kind], .kind = kind};
    err = walk(snap->txn, snap->s->vals, plan, kp, rev, list_walk_cb, &w);
    if (err) {
        rj_msgs_free(w.out.v, w.out.n);
        return err;
    }
    /* Items and lines come in key order, which is tree order; realisasi
     * keys ("real/<kode>/<tw>/<ind>") are not, so they are sorted. */
    if (kind == K_REAL && w.out.n)
        qsort(w.out.v, w.out.n, sizeof(void *), real_cmp);
    *out = w.out.v;
    *n = w.out.n;
    return 0;
}

int rj_snap_items(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Item ***out, size_t *n)
{
    return list_values(snap, plan, prefix, rev, K_ITEM, (void ***)out, n);
}

int rj_snap_lines(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__BudgetLine ***out, size_t *n)
{
    return list_values(snap, plan, prefix, rev, K_LINE, (void ***)out, n);
}

int rj_snap_reals(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Realisasi ***out, size_t *n)
{
    return list_values(snap, plan, prefix, rev, K_REAL, (void ***)out, n);
}

int rj_snap_goals(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Goal ***out, size_t *n)
{
    return list_values(snap, plan, prefix, rev, K_GOAL, (void ***)out, n);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rj_snap_changed_keys(rj_snap *snap, const char *plan, uint64_t from, uint64_t to, char ***keys,
                         size_t *n)
{
    *keys = NULL;
    *n = 0;
    uint64_t head;
    int err = plan_head(snap, plan, &head, NULL);
    if (err)
        return err;
    if (to > head)
        to = head;
    if (from >= to)
        return 0;
    ptrs list = {0};
    MDB_cursor *c;
    if (mdb_cursor_open(snap->txn, snap->s->revs, &c))
        return RJ_EIO;
    kbuf k = {.n = 0};
    kb_str(&k, plan);
    kb_nul(&k);
    size_t plen = k.n;
    kb_u64(&k, from + 1);
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
    while (rc == 0 && kv.mv_size == plen + 8 && memcmp(kv.mv_data, k.b, plen) == 0 &&
           get_u64((const unsigned char *)kv.mv_data + plen) <= to) {
        Renja__V1__Revision *rv = unpack(&renja__v1__revision__descriptor, dv.mv_data, dv.mv_size);
        if (!rv) {
            err = RJ_EINTERNAL;
            break;
        }
        for (size_t i = 0; i < rv->n_keys; i++)
            ptrs_push(&list, rj_strdup(rv->keys[i]));
        protobuf_c_message_free_unpacked(&rv->base, NULL);
        rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (!err && rc && rc != MDB_NOTFOUND)
        err = RJ_EIO;
    if (err) {
        rj_strs_free((char **)list.v, list.n);
        return err;
    }
    if (list.n == 0)
        return 0;
    qsort(list.v, list.n, sizeof(char *), str_cmp);
    size_t u = 0;
    for (size_t i = 0; i < list.n; i++) {
        if (u && strcmp(list.v[u - 1], list.v[i]) == 0)
            free(list.v[i]);
        else
            list.v[u++] = list.v[i];
    }
    *keys = (char **)list.v;
    *n = u;
    return 0;
}
