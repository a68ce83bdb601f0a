/* Stored group sums: for each bidang and each sumber dana of a plan, its
 * sub kegiatan's count and effective pagu, versioned like the items and
 * moved by each submit for the sub kegiatan it changed, so a diff by
 * bidang or sumber dana reads the groups at both revisions and the changed
 * items, not every sub kegiatan (rj_lmdb.h, "stored group sums").
 *
 * A sub kegiatan is the deepest item level, so its effective pagu is its
 * declared pagu (or 0): a submit knows every move from the sub kegiatan it
 * changed, their version at head (read here) and after (given). A group
 * whose last sub kegiatan left stays stored with count 0: not a group. */
#include <stdio.h>
#include <stdlib.h>

#include "rj_arena.h"
#include "rj_kode.h"
#include "rj_lmdb.h"
#include "rj_pbscan.h"

#define ITEM_PREFIX "item/"

/* The fields of a packed Item that the groups read. */
typedef struct gfields {
    const char *bidang, *sumber; /* borrowed; NULL for none */
    size_t bl, sl;
    bool has;
    int64_t pagu;
} gfields;

static int scan_item(const MDB_val *v, gfields *g)
{
    memset(g, 0, sizeof *g);
    rj_pbscan r = rj_pbscan_init(v->mv_data, v->mv_size);
    rj_pbscan_field f;
    int rc;
    /* The last of a repeated field wins; a string stops at its first NUL:
     * what protobuf_c_message_unpack gives. */
    while ((rc = rj_pbscan_next(&r, &f)) == 1) {
        if (f.num == 4 && f.wt == RJ_PB_LEN) {
            g->bidang = (const char *)f.data;
            g->bl = strnlen(g->bidang, f.len);
        } else if (f.num == 9 && f.wt == RJ_PB_LEN) {
            g->sumber = (const char *)f.data;
            g->sl = strnlen(g->sumber, f.len);
        } else if (f.num == 7 && f.wt == RJ_PB_VARINT) {
            g->has = f.v != 0;
        } else if (f.num == 8 && f.wt == RJ_PB_VARINT) {
            g->pagu = rj_pbscan_zigzag(f.v);
        }
    }
    return rc;
}

/* One sub kegiatan entering (+1) or leaving (-1) a group. */
typedef struct gmove {
    const char *name; /* in the pass's arena */
    size_t len;
    char kind; /* 'b' bidang, 's' sumber dana */
    int64_t dn, dsum;
} gmove;

typedef struct gpass {
    rj_arena *a; /* the names, created with the first */
    gmove *v;
    size_t n, cap;
    bool unknown; /* a name too long for a key, or a sum out of int64 */
} gpass;

static void pass_push(gpass *p, char kind, const char *name, size_t len, int64_t dn, int64_t dsum)
{
    if (!name || !len) {
        name = kind == 'b' ? "(tanpa bidang)" : "(tanpa sumber dana)";
        len = strlen(name);
    }
    if (len > RJ_GROUP_NAME_MAX) {
        p->unknown = true;
        return;
    }
    if (!p->a)
        p->a = rj_arena_new();
    p->v = rj_grow(p->v, p->n + 1, &p->cap, sizeof *p->v, 64);
    p->v[p->n++] = (gmove){rj_arena_strndup(p->a, name, len), len, kind, dn, dsum};
}

/* A sub kegiatan's moves: out of its groups by old, into them by new. */
static void pass_item(gpass *p, const gfields *g, int sign)
{
    int64_t eff = g->has ? g->pagu : 0;
    if (sign < 0 && eff == INT64_MIN) {
        p->unknown = true;
        return;
    }
    pass_push(p, 'b', g->bidang, g->bl, sign, sign * eff);
    pass_push(p, 's', g->sumber, g->sl, sign, sign * eff);
}

static int move_cmp(const void *a, const void *b)
{
    const gmove *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : x->len < y->len ? -1 : x->len > y->len;
}

/* Sort and add up the moves of each group: p->v[0..n) one per group, in
 * key order. */
static size_t pass_merge(gpass *p)
{
    if (p->n)
        qsort(p->v, p->n, sizeof *p->v, move_cmp);
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (m && move_cmp(&p->v[m - 1], &p->v[i]) == 0) {
            if (__builtin_add_overflow(p->v[m - 1].dn, p->v[i].dn, &p->v[m - 1].dn) ||
                __builtin_add_overflow(p->v[m - 1].dsum, p->v[i].dsum, &p->v[m - 1].dsum))
                p->unknown = true;
        } else {
            p->v[m++] = p->v[i];
        }
    }
    return m;
}

static void pass_free(gpass *p)
{
    rj_arena_free(p->a);
    free(p->v);
}

static void group_key(char out[RJ_VKEY_MAX], const gmove *g)
{
    out[0] = g->kind;
    out[1] = '/';
    memcpy(out + 2, g->name, g->len);
    out[2 + g->len] = '\0';
}

int lm_groups_create(rj_store *s, MDB_txn *txn, const char *plan, rj_diag *d)
{
    int rc = lm_sum_mark(s, txn, s->groups, plan, 0, true);
    return rc ? lm_fail(d, rc, "write group sums") : 0;
}

/* --- from every item ------------------------------------------------------------- */

static int rebuild_item_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)vrev;
    gpass *p = arg;
    const char *kode = key + strlen(ITEM_PREFIX);
    if (rj_kode_level(kode) != RJ_LEVEL_SUB_KEGIATAN)
        return 0;
    gfields g;
    if (scan_item(val, &g) != 0)
        return RJ_EIO;
    pass_item(p, &g, 1);
    return 0;
}

typedef struct stored {
    char (*keys)[RJ_VKEY_MAX];
    lm_roll *v;
    size_t n, cap, kcap;
    MDB_txn *txn;
    MDB_dbi dbi;
    const char *plan;
    uint64_t rev;
} stored;

static int stored_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)vrev;
    stored *st = arg;
    if (!*key)
        return 0; /* the plan's record */
    st->keys = rj_grow(st->keys, st->n + 1, &st->kcap, sizeof *st->keys, 16);
    st->v = rj_grow(st->v, st->n + 1, &st->cap, sizeof *st->v, 16);
    snprintf(st->keys[st->n], RJ_VKEY_MAX, "%s", key);
    (void)val;
    int r = lm_sum_at(st->txn, st->dbi, st->plan, key, st->rev, &st->v[st->n++]);
    return r < 0 ? r : 0;
}

int lm_groups_rebuild(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, rj_diag *d)
{
    gpass p = {0};
    stored st = {.txn = txn, .dbi = s->groups, .plan = plan, .rev = rev};
    int err = lm_walk(txn, s->vals, plan, ITEM_PREFIX, rev, rebuild_item_cb, &p);
    if (!err)
        err = lm_walk(txn, s->groups, plan, "", rev, stored_cb, &st);
    if (err) {
        err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading items for group sums failed", plan);
        goto out;
    }
    size_t n = pass_merge(&p);
    lm_roll mark;
    int was = lm_sum_at(txn, s->groups, plan, "", rev, &mark);
    if (was < 0) {
        err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading its group sums failed", plan);
        goto out;
    }
    if (p.unknown || was != VAL_LIVE)
        err = lm_sum_mark(s, txn, s->groups, plan, rev, !p.unknown);
    /* Every group wanted against every one stored (a group with no sub
     * kegiatan left must go to zero), both in key order. */
    size_t i = 0, j = 0;
    while (!p.unknown && (i < n || j < st.n) && err == 0) {
        char key[RJ_VKEY_MAX];
        if (i < n)
            group_key(key, &p.v[i]);
        int c = i >= n ? 1 : j >= st.n ? -1 : strcmp(key, st.keys[j]);
        lm_roll want = {0}, have = {0};
        if (c <= 0) {
            want.n_children = (uint64_t)p.v[i].dn;
            want.child_sum = p.v[i++].dsum;
        } else {
            snprintf(key, sizeof key, "%s", st.keys[j]);
        }
        if (c >= 0)
            have = st.v[j++];
        if (want.n_children != have.n_children || want.child_sum != have.child_sum)
            err = lm_sum_put(s, txn, s->groups, plan, key, rev, &want);
    }
    if (err)
        err = lm_fail(d, err, "write group sums");
out:
    pass_free(&p);
    free(st.keys);
    free(st.v);
    return err;
}

/* --- a submit ------------------------------------------------------------------- */

int lm_groups_submit(rj_store *s, MDB_txn *txn, const char *plan, uint64_t head,
                     const lm_roll_item *items, size_t nk, rj_diag *d)
{
    lm_roll mark;
    int r = lm_sum_at(txn, s->groups, plan, "", head, &mark);
    if (r < 0)
        return rj_diag_set(d, RJ_EIO, "store: plan %s: reading its group sums failed", plan);
    if (r == VAL_NONE)
        return 0; /* a plan without group sums (none before schema 3) */
    if (r == VAL_TOMB)
        return lm_groups_rebuild(s, txn, plan, head + 1, d);
    gpass p = {0};
    int err = 0;
    for (size_t i = 0; i < nk && !err; i++) {
        const lm_roll_item *it = &items[i];
        if (rj_kode_level(it->kode) != RJ_LEVEL_SUB_KEGIATAN)
            continue;
        if (!it->old_known || it->po) {
            char key[RJ_VKEY_MAX];
            snprintf(key, sizeof key, ITEM_PREFIX "%s", it->kode);
            MDB_val v;
            int vr = lm_val_at(txn, s->vals, plan, key, head, &v, NULL);
            gfields g;
            if (vr < 0 || (vr == VAL_LIVE && scan_item(&v, &g) != 0))
                err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading item %s failed", plan,
                                  it->kode);
            else if (vr == VAL_LIVE)
                pass_item(&p, &g, -1);
        }
        if (it->pn) {
            gfields g = {it->bidang_n, it->sumber_n,          it->bidang_n ? strlen(it->bidang_n) : 0,
                         it->sumber_n ? strlen(it->sumber_n) : 0, it->hn, it->pagu_n};
            pass_item(&p, &g, 1);
        }
    }
    size_t n = err ? 0 : pass_merge(&p);
    uint64_t rev = head + 1;
    for (size_t i = 0; i < n && !err && !p.unknown; i++) {
        if (p.v[i].dn == 0 && p.v[i].dsum == 0)
            continue;
        char key[RJ_VKEY_MAX];
        group_key(key, &p.v[i]);
        lm_roll g;
        int gr = lm_sum_at(txn, s->groups, plan, key, head, &g);
        if (gr < 0) {
            err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading group %s failed", plan, key);
            break;
        }
        if (__builtin_add_overflow(g.child_sum, p.v[i].dsum, &g.child_sum)) {
            p.unknown = true;
            break;
        }
        g.n_children += (uint64_t)p.v[i].dn;
        int rc = lm_sum_put(s, txn, s->groups, plan, key, rev, &g);
        if (rc)
            err = lm_fail(d, rc, "write group sums");
    }
    if (!err && p.unknown) {
        int rc = lm_sum_mark(s, txn, s->groups, plan, rev, false);
        if (rc)
            err = lm_fail(d, rc, "write group sums");
    }
    pass_free(&p);
    return err;
}

/* --- reading them ------------------------------------------------------------------ */

typedef struct gread {
    rj_group_sum *v;
    size_t n, cap;
} gread;

static int read_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)vrev;
    gread *g = arg;
    /* lm_walk gives the value past its tag: count, then sum */
    if (val->mv_size != 16)
        return RJ_EIO;
    const unsigned char *b = val->mv_data;
    uint64_t n = 0, sum = 0;
    for (int i = 0; i < 8; i++) {
        n = n << 8 | b[i];
        sum = sum << 8 | b[8 + i];
    }
    if (n == 0)
        return 0;
    g->v = rj_grow(g->v, g->n + 1, &g->cap, sizeof *g->v, 16);
    g->v[g->n++] = (rj_group_sum){rj_strdup(key + 2), n, (int64_t)sum};
    return 0;
}

int lm_groups_at(rj_store *s, MDB_txn *txn, const char *plan, char kind, uint64_t rev,
                 rj_group_sum **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    lm_roll mark;
    int r = lm_sum_at(txn, s->groups, plan, "", rev, &mark);
    if (r < 0)
        return RJ_EIO;
    if (r != VAL_LIVE)
        return RJ_ENOTFOUND;
    gread g = {0};
    char prefix[3] = {kind, '/', '\0'};
    int err = lm_walk(txn, s->groups, plan, prefix, rev, read_cb, &g);
    if (err) {
        rj_group_sums_free(g.v, g.n);
        return RJ_EIO;
    }
    *out = g.v;
    *n = g.n;
    return 0;
}

void rj_group_sums_free(rj_group_sum *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(g[i].name);
    free(g);
}
