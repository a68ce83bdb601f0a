/* The store's LMDB layer (see rj_lmdb.h): errors, packing, reader
 * accounting and map growth, the write helper, scans, versioned values, and
 * the plan and stage records. */
#include "rj_lmdb.h"
#include "rj_pbscan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

int lm_fail(rj_diag *d, int rc, const char *what)
{
    if (rc == MDB_MAP_FULL)
        return ERR_MAPFULL;
    return rj_diag_set(d, RJ_EIO, "store: %s: %s", what, mdb_strerror(rc));
}

void *lm_unpack(const ProtobufCMessageDescriptor *desc, const void *data, size_t len)
{
    return protobuf_c_message_unpack(desc, NULL, len, data);
}

void *lm_pack(const ProtobufCMessage *m, size_t *len)
{
    *len = protobuf_c_message_get_packed_size(m);
    void *buf = rj_malloc(*len + 1);
    protobuf_c_message_pack(m, buf);
    return buf;
}

void *lm_pack_val(const ProtobufCMessage *m, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    unsigned char *buf = rj_malloc(n + 1);
    buf[0] = TAG_LIVE;
    protobuf_c_message_pack(m, buf + 1);
    *len = n + 1;
    return buf;
}

/* --- reader accounting and map growth ------------------------------------ */

void lm_readers_enter(rj_store *s)
{
    pthread_mutex_lock(&s->mu);
    while (s->resizing)
        pthread_cond_wait(&s->cv, &s->mu);
    s->readers++;
    pthread_mutex_unlock(&s->mu);
}

void lm_readers_leave(rj_store *s)
{
    pthread_mutex_lock(&s->mu);
    s->readers--;
    if (s->readers == 0)
        pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int lm_set_mapsize(rj_store *s, size_t size)
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

static int lm_grow_map(rj_store *s)
{
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    return lm_set_mapsize(s, info.me_mapsize * 2);
}

int lm_read_begin(rj_store *s, MDB_txn **txn)
{
    for (;;) {
        lm_readers_enter(s);
        int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
        if (rc == 0)
            return 0;
        lm_readers_leave(s);
        if (rc != MDB_MAP_RESIZED)
            return rc;
        if ((rc = lm_set_mapsize(s, 0)) != 0)
            return rc;
    }
}

void lm_read_end(rj_store *s, MDB_txn *txn)
{
    mdb_txn_abort(txn);
    lm_readers_leave(s);
}

static int lm_write_begin(rj_store *s, MDB_txn **txn)
{
    for (;;) {
        int rc = mdb_txn_begin(s->env, NULL, 0, txn);
        if (rc != MDB_MAP_RESIZED)
            return rc;
        if ((rc = lm_set_mapsize(s, 0)) != 0)
            return rc;
    }
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

int lm_write_failed(rj_store *s, int rc, const char *step, rj_diag *d)
{
    if (disk_full(s, rc))
        return rj_diag_set(d, RJ_ETOOBIG,
                           "disk full on %s: the change was not stored; free space there and "
                           "retry",
                           s->dir);
    return rj_diag_set(d, RJ_EIO, "store: %s: %s", step, mdb_strerror(rc));
}

int lm_write(rj_store *s, lm_write_fn fn, void *arg, rj_diag *d)
{
    for (;;) {
        MDB_txn *txn;
        int rc = lm_write_begin(s, &txn);
        if (rc)
            return lm_write_failed(s, rc, "begin write", d);
        lm_log_rewind(s, 0);
        int err = fn(s, txn, arg);
        if (err == 0 && (err = lm_wal_append(s, txn, d)) != 0) {
            mdb_txn_abort(txn);
            return err;
        }
        if (err) {
            mdb_txn_abort(txn);
        } else {
            rc = mdb_txn_commit(txn);
            if (rc)
                lm_wal_unappend(s);
            if (rc == MDB_MAP_FULL)
                err = ERR_MAPFULL;
            else if (rc)
                return lm_write_failed(s, rc, "commit failed", d);
            else
                return lm_wal_after_commit(s, d);
        }
        if (err != ERR_MAPFULL)
            return err;
        if ((rc = lm_grow_map(s)) != 0)
            return lm_write_failed(s, rc, "grow map", d);
    }
}

/* --- scans ------------------------------------------------------------------- */

int lm_scan(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t plen, lm_scan_fn fn, void *arg,
            const char *what, rj_diag *d)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, dbi, &c);
    if (rc)
        return lm_fail(d, rc, what);
    MDB_val kv = {.mv_size = plen, .mv_data = (void *)prefix}, dv;
    rc = mdb_cursor_get(c, &kv, &dv, plen ? MDB_SET_RANGE : MDB_FIRST);
    int err = 0;
    while (rc == 0 && kv.mv_size >= plen && (plen == 0 || memcmp(kv.mv_data, prefix, plen) == 0)) {
        if ((err = fn(&kv, &dv, arg)) != 0)
            break;
        rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (err < 0)
        return err;
    if (err == 0 && rc && rc != MDB_NOTFOUND)
        return lm_fail(d, rc, what);
    return 0;
}

typedef struct list_scan {
    const ProtobufCMessageDescriptor *desc;
    uint64_t limit;
    rj_ptrs *out;
} list_scan;

static int list_scan_fn(MDB_val *key, MDB_val *val, void *arg)
{
    (void)key;
    list_scan *l = arg;
    if (l->limit && l->out->n >= l->limit)
        return 1;
    void *m = lm_unpack(l->desc, val->mv_data, val->mv_size);
    if (m)
        rj_ptrs_add(l->out, m);
    return 0;
}

int lm_list(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t plen,
            const ProtobufCMessageDescriptor *desc, uint64_t limit, rj_ptrs *out, const char *what,
            rj_diag *d)
{
    list_scan l = {.desc = desc, .limit = limit, .out = out};
    return lm_scan(txn, dbi, prefix, plen, list_scan_fn, &l, what, d);
}

/* --- versioned values ----------------------------------------------------- */

void lm_vkey(kbuf *k, const char *plan, const char *key, uint64_t rev)
{
    k->n = 0;
    kb_str(k, plan);
    kb_nul(k);
    kb_str(k, key);
    kb_nul(k);
    kb_u64(k, ~rev);
}

int lm_val_at_cursor(MDB_cursor *c, const kbuf *k, MDB_val *val, uint64_t *vrev)
{
    size_t prefix = k->n - 8;
    MDB_val kv = {.mv_size = k->n, .mv_data = (void *)k->b}, dv;
    int rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
    if (rc != 0)
        return rc == MDB_NOTFOUND ? VAL_NONE : RJ_EIO;
    if (kv.mv_size != k->n || memcmp(kv.mv_data, k->b, prefix) != 0)
        return VAL_NONE;
    if (vrev)
        *vrev = ~get_u64((const unsigned char *)kv.mv_data + prefix);
    if (dv.mv_size < 1 || ((unsigned char *)dv.mv_data)[0] != TAG_LIVE)
        return VAL_TOMB;
    if (val) {
        val->mv_data = (unsigned char *)dv.mv_data + 1;
        val->mv_size = dv.mv_size - 1;
    }
    return VAL_LIVE;
}

int lm_val_at(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *key, uint64_t rev,
              MDB_val *val, uint64_t *vrev)
{
    kbuf k;
    lm_vkey(&k, plan, key, rev);
    MDB_cursor *c;
    if (mdb_cursor_open(txn, dbi, &c))
        return RJ_EIO;
    int res = lm_val_at_cursor(c, &k, val, vrev);
    mdb_cursor_close(c);
    return res;
}

/* A walk's first key, plan NUL kprefix, into start; the length of plan NUL. */
static size_t walk_start(kbuf *start, const char *plan, const char *kprefix)
{
    kb_plan(start, plan);
    size_t plen = start->n;
    kb_str(start, kprefix);
    return plen;
}

int lm_walk(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *kprefix, uint64_t rev,
            lm_walk_fn cb, void *arg)
{
    kbuf start;
    size_t plen = walk_start(&start, plan, kprefix), splen = start.n;

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
        char key[RJ_VKEY_MAX];
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
            lm_vkey(&at, plan, key, rev);
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

/* Steps over a key's versions before seeking instead. */
#define WALK_STEPS 8

/* Is the record at kv a version of the key whose record (of ksz bytes) is
 * at kb? */
static bool same_key(const MDB_val *kv, const unsigned char *kb, size_t ksz)
{
    return kv->mv_size == ksz && memcmp(kv->mv_data, kb, ksz - 8) == 0;
}

int lm_walk_read(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *kprefix, uint64_t rev,
                 lm_walk_fn cb, void *arg)
{
    kbuf start;
    size_t plen = walk_start(&start, plan, kprefix), splen = start.n;

    MDB_cursor *c;
    if (mdb_cursor_open(txn, dbi, &c))
        return RJ_EIO;
    MDB_val kv = kb_val(&start), dv;
    int rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE), err = 0;
    while (rc == 0) {
        if (kv.mv_size < splen + 9 || memcmp(kv.mv_data, start.b, splen) != 0)
            break;
        const unsigned char *kb = kv.mv_data;
        size_t ksz = kv.mv_size, klen = ksz - plen - 9;
        if (klen >= RJ_VKEY_MAX || kb[plen + klen] != 0) {
            err = RJ_EINTERNAL;
            break;
        }
        const char *key = (const char *)kb + plen;
        uint64_t vr = ~get_u64(kb + ksz - 8);
        /* The versions come newest first: step to the first one <= rev. */
        int steps = 0;
        while (vr > rev && rc == 0) {
            if (++steps > WALK_STEPS) {
                kbuf at;
                lm_vkey(&at, plan, key, rev);
                kv = kb_val(&at);
                rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
            } else {
                rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
            }
            if (rc || !same_key(&kv, kb, ksz))
                break; /* no version <= rev: kv is the next key's */
            vr = ~get_u64((const unsigned char *)kv.mv_data + ksz - 8);
        }
        if (rc || vr > rev || !same_key(&kv, kb, ksz))
            continue;
        if (dv.mv_size >= 1 && ((unsigned char *)dv.mv_data)[0] == TAG_LIVE) {
            MDB_val v = {.mv_size = dv.mv_size - 1, .mv_data = (unsigned char *)dv.mv_data + 1};
            if ((err = cb(key, &v, vr, arg)) != 0)
                break;
        }
        /* Past the older versions of key. */
        for (steps = 0;; steps++) {
            if (steps == WALK_STEPS) {
                kbuf past;
                past.n = 0;
                kb_put(&past, kb, ksz - 9);
                kb_put(&past, "\x01", 1);
                kv = kb_val(&past);
                rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
                break;
            }
            rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
            if (rc || !same_key(&kv, kb, ksz))
                break;
        }
    }
    mdb_cursor_close(c);
    if (err)
        return err;
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : RJ_EIO;
}

/* Step past the older versions of the key whose record (ksz bytes) is at
 * kb: a few MDB_NEXT, then a seek. */
static int skip_key(MDB_cursor *c, const unsigned char *kb, size_t ksz, MDB_val *kv, MDB_val *dv)
{
    for (int steps = 0;; steps++) {
        if (steps == WALK_STEPS) {
            kbuf past;
            past.n = 0;
            kb_put(&past, kb, ksz - 9);
            kb_put(&past, "\x01", 1);
            *kv = kb_val(&past);
            return mdb_cursor_get(c, kv, dv, MDB_SET_RANGE);
        }
        int rc = mdb_cursor_get(c, kv, dv, MDB_NEXT);
        if (rc || !same_key(kv, kb, ksz))
            return rc;
    }
}

int lm_walk_revs(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *kprefix,
                 const uint64_t *revs, size_t nrev, lm_walk_revs_fn cb, void *arg)
{
    kbuf start;
    size_t plen = walk_start(&start, plan, kprefix), splen = start.n;

    MDB_cursor *c;
    if (mdb_cursor_open(txn, dbi, &c))
        return RJ_EIO;
    MDB_val *vals = rj_calloc(nrev, sizeof *vals);
    uint64_t *vrevs = rj_calloc(nrev, sizeof *vrevs);
    bool *set = rj_calloc(nrev, sizeof *set);
    MDB_val kv = kb_val(&start), dv;
    int rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE), err = 0;
    while (rc == 0) {
        if (kv.mv_size < splen + 9 || memcmp(kv.mv_data, start.b, splen) != 0)
            break;
        const unsigned char *kb = kv.mv_data;
        size_t ksz = kv.mv_size, klen = ksz - plen - 9;
        if (klen >= RJ_VKEY_MAX || kb[plen + klen] != 0) {
            err = RJ_EINTERNAL;
            break;
        }
        const char *key = (const char *)kb + plen;
        size_t left = nrev;
        bool live = false, next_key = false;
        for (size_t i = 0; i < nrev; i++) {
            set[i] = false;
            vals[i] = (MDB_val){0, NULL};
            vrevs[i] = 0;
        }
        /* The versions come newest first: each revision takes the first
         * one at or before it. */
        for (int steps = 0; left > 0;) {
            uint64_t vr = ~get_u64((const unsigned char *)kv.mv_data + ksz - 8), want = 0;
            bool tag = dv.mv_size >= 1 && ((unsigned char *)dv.mv_data)[0] == TAG_LIVE;
            for (size_t i = 0; i < nrev; i++) {
                if (set[i])
                    continue;
                if (vr <= revs[i]) {
                    set[i] = true;
                    left--;
                    vrevs[i] = vr;
                    if (tag) {
                        vals[i].mv_size = dv.mv_size - 1;
                        vals[i].mv_data = (unsigned char *)dv.mv_data + 1;
                        live = true;
                    }
                } else if (revs[i] > want) {
                    want = revs[i];
                }
            }
            if (left == 0)
                break;
            if (++steps > WALK_STEPS) {
                kbuf at;
                lm_vkey(&at, plan, key, want);
                kv = kb_val(&at);
                rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
            } else {
                rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
            }
            if (rc || !same_key(&kv, kb, ksz)) {
                next_key = true; /* kv is the next key's, or the end */
                break;
            }
        }
        if (live && (err = cb(key, vals, vrevs, arg)) != 0)
            break;
        if (!next_key)
            rc = skip_key(c, kb, ksz, &kv, &dv);
    }
    mdb_cursor_close(c);
    free(vals);
    free(vrevs);
    free(set);
    if (err)
        return err;
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : RJ_EIO;
}

bool lm_varints(const MDB_val *val, const unsigned *fields, size_t n, uint64_t *out, bool *found)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        found[i] = false;
    }
    rj_pbscan r = rj_pbscan_init(val->mv_data, val->mv_size);
    rj_pbscan_field f;
    int rc;
    while ((rc = rj_pbscan_next(&r, &f)) == 1)
        for (size_t i = 0; i < n; i++)
            if (f.wt == RJ_PB_VARINT && f.num == fields[i]) {
                out[i] = f.v; /* the last one wins, as in protobuf */
                found[i] = true;
            }
    return rc == 0;
}

/* The plan's record, checked as lm_plan_get checks it. */
static int plan_val(rj_store *s, MDB_txn *txn, const char *plan, MDB_val *v, rj_diag *d)
{
    /* An empty key is refused by LMDB itself (MDB_BAD_VALSIZE, an internal
     * error to the caller): an empty plan id is the caller's mistake. */
    if (!plan || !*plan)
        return rj_diag_set(d, RJ_EINVAL,
                           "plan id is empty; expected opd-slug/tahun, e.g. diskopukm-sumsel/2024");
    if (strlen(plan) > RJ_PLAN_ID_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "plan '%.*s...' not found", RJ_PLAN_ID_MAX, plan);
    MDB_val k = {.mv_size = strlen(plan), .mv_data = (void *)plan};
    int rc = mdb_get(txn, s->plans, &k, v);
    if (rc == MDB_NOTFOUND)
        return rj_diag_set(d, RJ_ENOTFOUND,
                           "plan %s not found; create it with `renja plan "
                           "create %s`",
                           plan, plan);
    return rc ? lm_fail(d, rc, "read plan") : 0;
}

int lm_plan_head(rj_store *s, MDB_txn *txn, const char *plan, uint64_t *head, rj_diag *d)
{
    MDB_val v;
    int err = plan_val(s, txn, plan, &v, d);
    if (err)
        return err;
    static const unsigned field_head = 6;
    bool found;
    if (!lm_varints(&v, &field_head, 1, head, &found))
        return rj_diag_set(d, RJ_EINTERNAL, "plan %s: stored record does not decode", plan);
    return 0;
}

int lm_plan_get(rj_store *s, MDB_txn *txn, const char *plan, Renja__V1__Plan **out, rj_diag *d)
{
    MDB_val v;
    int err = plan_val(s, txn, plan, &v, d);
    if (err)
        return err;
    *out = lm_unpack(&renja__v1__plan__descriptor, v.mv_data, v.mv_size);
    if (!*out)
        return rj_diag_set(d, RJ_EINTERNAL, "plan %s: stored record does not decode", plan);
    return 0;
}

int lm_plan_put(rj_store *s, MDB_txn *txn, const Renja__V1__Plan *p, unsigned flags, rj_diag *d)
{
    size_t len;
    void *buf = lm_pack(&p->base, &len);
    MDB_val k = {.mv_size = strlen(p->id), .mv_data = p->id}, v = {.mv_size = len, .mv_data = buf};
    int rc = lm_put(s, txn, s->plans, &k, &v, flags);
    free(buf);
    if (rc == MDB_KEYEXIST)
        return rj_diag_set(d, RJ_EEXIST, "plan %s already exists", p->id);
    return rc ? lm_fail(d, rc, "write plan") : 0;
}

Renja__V1__Plan *lm_plan_copy(const Renja__V1__Plan *p)
{
    size_t len;
    void *buf = lm_pack(&p->base, &len);
    Renja__V1__Plan *c = lm_unpack(&renja__v1__plan__descriptor, buf, len);
    free(buf);
    return c;
}

void lm_stage_key(kbuf *k, const char *plan, const char *name)
{
    k->n = 0;
    kb_str(k, plan);
    kb_nul(k);
    kb_str(k, name);
}

int lm_stages_list(rj_store *s, MDB_txn *txn, const char *plan, rj_ptrs *out, rj_diag *d)
{
    kbuf k;
    lm_stage_key(&k, plan, "");
    return lm_list(txn, s->stages, k.b, k.n, &renja__v1__stage__descriptor, 0, out, "read stages",
                   d);
}

int lm_stage_cmp(const void *a, const void *b)
{
    const Renja__V1__Stage *x = *(Renja__V1__Stage *const *)a, *y = *(Renja__V1__Stage *const *)b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->name, y->name);
}

int lm_read_schema(MDB_txn *txn, MDB_dbi meta, long *version)
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
