/* Stored group sums: for each pair of a bidang and a sumber dana that a
 * sub kegiatan of a plan names, the count of such sub kegiatan and the sum
 * of their effective pagu, versioned like the items and moved by each
 * submit for the sub kegiatan it changed, so a diff by bidang or sumber
 * dana reads the pairs at both revisions (few: bidang times sumber dana)
 * and the changed items, not every sub kegiatan (rj_lmdb.h, "stored group
 * sums"). One record per pair, not one per bidang and one per sumber dana:
 * a submit that moves a sub kegiatan's pagu writes one record, not two.
 *
 * A sub kegiatan is the deepest item level, so its effective pagu is its
 * declared pagu (or 0): a submit knows every move from the sub kegiatan it
 * changed, their version at head (read here) and after (given). A pair
 * whose last sub kegiatan left stays stored with count 0: not a group. */
#include <stdio.h>
#include <stdlib.h>

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

/* One sub kegiatan entering (+1) or leaving (-1) a pair. */
typedef struct gmove {
    size_t off, len; /* the pair's key in the pass's names */
    int64_t dn, dsum;
} gmove;

typedef struct gpass {
    char *names; /* every move's key, copied: the values they come from
                  * may move when the transaction writes */
    size_t nn, ncap;
    gmove *v;
    size_t n, cap;
    bool unknown; /* a key too long, a name with the separator, a sum out of int64 */
} gpass;

static void field_or_none(const char **v, size_t *len, const char *none)
{
    if (!*v || !*len) {
        *v = none;
        *len = strlen(none);
    }
}

/* A sub kegiatan's move out of (sign -1) or into (+1) the pair it names. */
static void pass_item(gpass *p, const gfields *g, int sign)
{
    int64_t eff = g->has ? g->pagu : 0;
    const char *b = g->bidang, *sd = g->sumber;
    size_t bl = g->bl, sl = g->sl;
    field_or_none(&b, &bl, "(tanpa bidang)");
    field_or_none(&sd, &sl, "(tanpa sumber dana)");
    if ((sign < 0 && eff == INT64_MIN) || bl + 1 + sl > RJ_GROUP_KEY_MAX ||
        memchr(b, RJ_GROUP_SEP, bl) || memchr(sd, RJ_GROUP_SEP, sl)) {
        p->unknown = true;
        return;
    }
    size_t len = bl + 1 + sl;
    p->names = rj_grow(p->names, p->nn + len, &p->ncap, 1, 256);
    memcpy(p->names + p->nn, b, bl);
    p->names[p->nn + bl] = RJ_GROUP_SEP;
    memcpy(p->names + p->nn + bl + 1, sd, sl);
    p->v = rj_grow(p->v, p->n + 1, &p->cap, sizeof *p->v, 8);
    p->v[p->n++] = (gmove){p->nn, len, sign, sign * eff};
    p->nn += len;
}

/* Key order of two moves; names is the pass's names. */
static int move_cmp(const void *a, const void *b, void *names)
{
    const gmove *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp((const char *)names + x->off, (const char *)names + y->off, n);
    return c ? c : x->len < y->len ? -1 : x->len > y->len;
}

/* Sort and add up the moves of each group: p->v[0..n) one per group, in
 * key order. */
static size_t pass_merge(gpass *p)
{
    if (p->n > 1)
        qsort_r(p->v, p->n, sizeof *p->v, move_cmp, p->names);
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (m && move_cmp(&p->v[m - 1], &p->v[i], p->names) == 0) {
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
    free(p->names);
    free(p->v);
}

static void group_key(char out[RJ_VKEY_MAX], const gpass *p, const gmove *g)
{
    memcpy(out, p->names + g->off, g->len);
    out[g->len] = '\0';
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
    int r = lm_sum_decode(val, &st->v[st->n++]);
    return r < 0 ? r : 0;
}

int lm_groups_rebuild(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, rj_diag *d)
{
    gpass p = {0};
    stored st = {0};
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
            group_key(key, &p, &p.v[i]);
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
    MDB_cursor *cg = NULL, *cv = NULL;
    if (mdb_cursor_open(txn, s->groups, &cg) || mdb_cursor_open(txn, s->vals, &cv)) {
        if (cg)
            mdb_cursor_close(cg);
        return rj_diag_set(d, RJ_EIO, "store: plan %s: cannot read group sums", plan);
    }
    lm_roll mark;
    int r = lm_sum_at_cursor(cg, plan, "", head, &mark);
    gpass p = {0};
    int err = 0;
    if (r < 0)
        err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading its group sums failed", plan);
    if (r != VAL_LIVE)
        goto out; /* none (before schema 3), an error, or not known: below */
    for (size_t i = 0; i < nk && !err; i++) {
        const lm_roll_item *it = &items[i];
        if (rj_kode_level(it->kode) != RJ_LEVEL_SUB_KEGIATAN)
            continue;
        if (!it->old_known || it->po) {
            kbuf k;
            char key[RJ_VKEY_MAX];
            snprintf(key, sizeof key, ITEM_PREFIX "%s", it->kode);
            lm_vkey(&k, plan, key, head);
            MDB_val v;
            int vr = lm_val_at_cursor(cv, &k, &v, NULL);
            gfields g;
            if (vr < 0 || (vr == VAL_LIVE && scan_item(&v, &g) != 0))
                err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading item %s failed", plan,
                                  it->kode);
            else if (vr == VAL_LIVE)
                pass_item(&p, &g, -1);
        }
        if (it->pn) {
            gfields g = {it->bidang_n,
                         it->sumber_n,
                         it->bidang_n ? strlen(it->bidang_n) : 0,
                         it->sumber_n ? strlen(it->sumber_n) : 0,
                         it->hn,
                         it->pagu_n};
            pass_item(&p, &g, 1);
        }
    }
    size_t n = err ? 0 : pass_merge(&p);
    uint64_t rev = head + 1;
    for (size_t i = 0; i < n && !err && !p.unknown; i++) {
        if (p.v[i].dn == 0 && p.v[i].dsum == 0)
            continue;
        char key[RJ_VKEY_MAX];
        group_key(key, &p, &p.v[i]);
        lm_roll g;
        if (lm_sum_at_cursor(cg, plan, key, head, &g) < 0) {
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
out:
    mdb_cursor_close(cg);
    mdb_cursor_close(cv);
    pass_free(&p);
    if (r == VAL_TOMB) /* not known at head: from every item */
        return lm_groups_rebuild(s, txn, plan, head + 1, d);
    return err;
}

/* --- reading them ------------------------------------------------------------------ */

typedef struct gread {
    rj_group_sum *v;
    size_t n, cap;
    char kind;
} gread;

static int read_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)vrev;
    gread *g = arg;
    if (!*key)
        return 0; /* the plan's record */
    const char *sep = strchr(key, RJ_GROUP_SEP);
    lm_roll r;
    if (!sep || lm_sum_decode(val, &r) < 0)
        return RJ_EIO;
    if (r.n_children == 0)
        return 0;
    char *name = g->kind == 'b' ? rj_strndup(key, (size_t)(sep - key)) : rj_strdup(sep + 1);
    g->v = rj_grow(g->v, g->n + 1, &g->cap, sizeof *g->v, 16);
    g->v[g->n++] = (rj_group_sum){name, r.n_children, r.child_sum};
    return 0;
}

static int sum_cmp(const void *a, const void *b)
{
    return strcmp(((const rj_group_sum *)a)->name, ((const rj_group_sum *)b)->name);
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
    gread g = {.kind = kind};
    int err = lm_walk(txn, s->groups, plan, "", rev, read_cb, &g);
    if (err) {
        rj_group_sums_free(g.v, g.n);
        return RJ_EIO;
    }
    /* the pairs of each bidang (or sumber dana) added up */
    if (g.n > 1)
        qsort(g.v, g.n, sizeof *g.v, sum_cmp);
    size_t m = 0;
    for (size_t i = 0; i < g.n; i++) {
        if (m && strcmp(g.v[m - 1].name, g.v[i].name) == 0) {
            g.v[m - 1].n += g.v[i].n;
            bool over = __builtin_add_overflow(g.v[m - 1].pagu, g.v[i].pagu, &g.v[m - 1].pagu);
            free(g.v[i].name);
            if (over) { /* the items tell, and say what overflowed */
                for (size_t j = i + 1; j < g.n; j++)
                    free(g.v[j].name);
                rj_group_sums_free(g.v, m);
                return RJ_ENOTFOUND;
            }
        } else {
            g.v[m++] = g.v[i];
        }
    }
    *out = g.v;
    *n = m;
    return 0;
}

void rj_group_sums_free(rj_group_sum *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(g[i].name);
    free(g);
}
