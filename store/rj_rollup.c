/* Stored roll-ups: the children's effective pagu of every item with
 * children, versioned like the items, kept up to date by each submit along
 * the ancestor path of what it changed, so a diff reads only the changed
 * items and their ancestors (rj_lmdb.h, "stored roll-ups").
 *
 * Why the sums can be moved rather than recomputed: a node's child_sum is
 * the sum of its children's effective pagu, and an item's effective pagu
 * only moves when its own pagu, its presence or its child_sum moves. So a
 * submit visits the changed items and their ancestors, bottom-up: each one
 * takes its old effective pagu away from its old parent and gives its new
 * one to its new parent (the nearest present ancestor at each side). The
 * one case the visit cannot see is an item that appears or disappears above
 * items the submit did not touch: those untouched items change parent. Then
 * the plan's roll-ups are computed again from all its items (rare: adding a
 * program above existing kegiatan, removing a parent but not its children;
 * a submit refuses both, so only a store written otherwise gets there).
 *
 * The plan's total is not stored: it is the sum of its roots' effective
 * pagu, and the roots (urusan, as a submit needs every item's parent) are
 * found with one seek each, skipping their subtrees (lm_roll_plan). So a
 * submit writes one roll-up per ancestor whose child_sum moved and nothing
 * for the plan; the plan's record ("") only says from which revision the
 * roll-ups are known.
 */
#include <stdio.h>

#include "rj_kode.h"
#include "rj_lmdb.h"
#include "rj_pbscan.h"
#include "rj_tree.h"

#define ROLL_LEN 17 /* tag, n_children, child_sum */
#define ITEM_PREFIX "item/"

/* --- values ------------------------------------------------------------------ */

static void put_u64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
}

static int roll_decode(int r, const MDB_val *v, lm_roll *out)
{
    memset(out, 0, sizeof *out);
    if (r != VAL_LIVE)
        return r; /* VAL_NONE, VAL_TOMB (the plan's: not known), RJ_EIO */
    const unsigned char *b = v->mv_data;
    if (v->mv_size == 0)
        return VAL_LIVE; /* the plan's record: known from here */
    if (v->mv_size != ROLL_LEN - 1)
        return RJ_EIO;
    out->n_children = get_u64(b);
    out->child_sum = (int64_t)get_u64(b + 8);
    return VAL_LIVE;
}

int lm_sum_decode(const MDB_val *v, lm_roll *out)
{
    return roll_decode(VAL_LIVE, v, out);
}

int lm_sum_at(MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *key, uint64_t rev,
              lm_roll *out)
{
    MDB_val v;
    int r = lm_val_at(txn, dbi, plan, key, rev, &v, NULL);
    return roll_decode(r, &v, out);
}

int lm_sum_at_cursor(MDB_cursor *c, const char *plan, const char *key, uint64_t rev, lm_roll *out)
{
    kbuf k;
    lm_vkey(&k, plan, key, rev);
    MDB_val v;
    return roll_decode(lm_val_at_cursor(c, &k, &v, NULL), &v, out);
}

int lm_roll_at(rj_store *s, MDB_txn *txn, const char *plan, const char *kode, uint64_t rev,
               lm_roll *out)
{
    return lm_sum_at(txn, s->rollups, plan, kode, rev, out);
}

int lm_sum_put(rj_store *s, MDB_txn *txn, MDB_dbi dbi, const char *plan, const char *key,
               uint64_t rev, const lm_roll *r)
{
    unsigned char b[ROLL_LEN];
    b[0] = TAG_LIVE;
    put_u64(b + 1, r->n_children);
    put_u64(b + 9, (uint64_t)r->child_sum);
    kbuf k;
    lm_vkey(&k, plan, key, rev);
    MDB_val kv = kb_val(&k), dv = {.mv_size = ROLL_LEN, .mv_data = b};
    return lm_put(s, txn, dbi, &kv, &dv, 0);
}

static int roll_put(rj_store *s, MDB_txn *txn, const char *plan, const char *kode, uint64_t rev,
                    const lm_roll *r)
{
    return lm_sum_put(s, txn, s->rollups, plan, kode, rev, r);
}

int lm_sum_mark(rj_store *s, MDB_txn *txn, MDB_dbi dbi, const char *plan, uint64_t rev, bool known)
{
    unsigned char tag = known ? TAG_LIVE : TAG_TOMB;
    kbuf k;
    lm_vkey(&k, plan, "", rev);
    MDB_val kv = kb_val(&k), dv = {.mv_size = 1, .mv_data = &tag};
    return lm_put(s, txn, dbi, &kv, &dv, 0);
}

/* The plan's record at rev: the roll-ups are known (from here on), or not
 * (a sum left int64: diffs read whole sides until they are known again). */
static int plan_mark(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, bool known)
{
    return lm_sum_mark(s, txn, s->rollups, plan, rev, known);
}

/* Fields 7 (has_pagu, varint) and 8 (pagu, zigzag sint64) of a packed
 * Item, without unpacking it. */
bool lm_item_pagu(const MDB_val *val, bool *has_pagu, int64_t *pagu)
{
    uint64_t f[2];
    bool found[2];
    static const unsigned want[2] = {7, 8};
    if (!lm_varints(val, want, 2, f, found))
        return false;
    *has_pagu = found[0] && f[0] != 0;
    *pagu = found[1] ? rj_pbscan_zigzag(f[1]) : 0;
    return true;
}

/* --- computing them again from every item ------------------------------------- */

typedef struct kode_buf {
    char k[RJ_KODE_MAX];
} kode_buf;

typedef struct rebuild_walk {
    rj_tree_node *nodes;
    kode_buf *kodes;
    size_t n, cap, kcap;
    bool bad;
} rebuild_walk;

static int rebuild_item_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)vrev;
    rebuild_walk *rb = arg;
    rb->nodes = rj_grow(rb->nodes, rb->n + 1, &rb->cap, sizeof *rb->nodes, 1024);
    rb->kodes = rj_grow(rb->kodes, rb->n + 1, &rb->kcap, sizeof *rb->kodes, 1024);
    snprintf(rb->kodes[rb->n].k, RJ_KODE_MAX, "%s", key + strlen(ITEM_PREFIX));
    rj_tree_node *nd = &rb->nodes[rb->n++];
    memset(nd, 0, sizeof *nd);
    if (!lm_item_pagu(val, &nd->has_pagu, &nd->pagu))
        return RJ_EIO;
    return 0;
}

typedef struct old_roll {
    kode_buf kode;
    lm_roll r;
} old_roll;

typedef struct old_rolls {
    old_roll *v;
    size_t n, cap;
} old_rolls;

static int old_roll_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)vrev;
    old_rolls *o = arg;
    o->v = rj_grow(o->v, o->n + 1, &o->cap, sizeof *o->v, 256);
    old_roll *x = &o->v[o->n++];
    snprintf(x->kode.k, RJ_KODE_MAX, "%s", key);
    int r = lm_sum_decode(val, &x->r);
    return r < 0 ? r : 0;
}

static bool roll_eq(const lm_roll *a, const lm_roll *b)
{
    return a->n_children == b->n_children && a->child_sum == b->child_sum;
}

int lm_rollup_rebuild(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, rj_diag *d)
{
    rebuild_walk rb = {0};
    old_rolls o = {0};
    int err = lm_walk(txn, s->vals, plan, ITEM_PREFIX, rev, rebuild_item_cb, &rb);
    if (err == 0)
        err = lm_walk(txn, s->rollups, plan, "", rev, old_roll_cb, &o);
    if (err) {
        err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading items for roll-ups failed", plan);
        goto out;
    }
    for (size_t i = 0; i < rb.n; i++)
        rb.nodes[i].kode = rb.kodes[i].k;
    rj_diag td;
    rj_diag_clear(&td);
    bool known = rj_tree_compute(rb.nodes, rb.n, &td) == 0;
    /* The plan's record first among the stored ones: marked known at rev
     * unless it already is (or, when a sum left int64, unknown). */
    size_t i = 0, j = 0;
    lm_roll mark;
    int was = lm_roll_at(s, txn, plan, "", rev, &mark);
    if (was < 0) {
        err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading its roll-up failed", plan);
        goto out;
    }
    if (!known || was != VAL_LIVE)
        err = plan_mark(s, txn, plan, rev, known); /* an MDB code, as roll_put's */
    if (o.n && o.v[0].kode.k[0] == '\0')
        j++;
    /* Every item (a leaf wants zero) against every stored roll-up (a
     * removed item's must go to zero), both in kode order. */
    while (known && (i < rb.n || j < o.n) && err == 0) {
        int c = i >= rb.n ? 1 : j >= o.n ? -1 : strcmp(rb.kodes[i].k, o.v[j].kode.k);
        lm_roll want = {0}, have = {0};
        const char *kode;
        if (c <= 0) {
            want.n_children = rb.nodes[i].n_children;
            want.child_sum = want.n_children ? rb.nodes[i].child_sum : 0;
            kode = rb.kodes[i++].k;
        } else {
            kode = o.v[j].kode.k;
        }
        if (c >= 0)
            have = o.v[j++].r;
        if (!roll_eq(&want, &have))
            err = roll_put(s, txn, plan, kode, rev, &want);
    }
    if (err)
        err = lm_fail(d, err, "write roll-up");
out:
    free(rb.nodes);
    free(rb.kodes);
    free(o.v);
    return err;
}

int lm_rollup_create(rj_store *s, MDB_txn *txn, const char *plan, rj_diag *d)
{
    int rc = plan_mark(s, txn, plan, 0, true);
    return rc ? lm_fail(d, rc, "write roll-up") : 0;
}

/* The length of a canonical item kode's parent (urusan 4, program 7,
 * kegiatan 12, sub kegiatan 17 characters: rj_kode_parent's rule), 0 for
 * an urusan. Submits store canonical kodes only. */
static size_t parent_len(size_t n)
{
    return n == 17 ? 12 : n == 12 ? 7 : n == 7 ? 4 : 0;
}

/* --- a submit's changes ---------------------------------------------------------- */

/* What a batch's pass knows of a node after a plan's submit at rev: its
 * item and (roll_known) its roll-up as of rev, so that the plan's next
 * submit in the batch, which reads as of rev, need not read them again.
 * kode "" holds the plan's record (known). A few entries, replaced in
 * turn. */
#define RKNOWN_MAX 32

typedef struct rknown {
    const char *plan; /* the pending entry's, alive through the flush */
    uint64_t rev;
    char kode[RJ_KODE_MAX];
    bool present, has_pagu, roll_known;
    int64_t pagu;
    lm_roll roll;
} rknown;

typedef struct rcache {
    rknown v[RKNOWN_MAX];
    size_t n, next;
} rcache;

/* The reads of one submit's pass, through one cursor per database. */
typedef struct rctx {
    rj_store *s;
    MDB_txn *txn;
    const char *plan;
    MDB_cursor *cv, *cr;
    rcache *known; /* NULL: none */
} rctx;

static rknown *known_find(const rctx *c, const char *kode, uint64_t rev)
{
    for (size_t i = 0; c->known && i < c->known->n; i++) {
        rknown *k = &c->known->v[i];
        if (k->rev == rev && strcmp(k->kode, kode) == 0 && strcmp(k->plan, c->plan) == 0)
            return k;
    }
    return NULL;
}

/* The entry of kode (any revision), or a free or the oldest one. */
static rknown *known_slot(rctx *c, const char *kode)
{
    rcache *kc = c->known;
    for (size_t i = 0; i < kc->n; i++)
        if (strcmp(kc->v[i].kode, kode) == 0 && strcmp(kc->v[i].plan, c->plan) == 0)
            return &kc->v[i];
    if (kc->n < RKNOWN_MAX)
        return &kc->v[kc->n++];
    rknown *k = &kc->v[kc->next];
    kc->next = (kc->next + 1) % RKNOWN_MAX;
    return k;
}

static void known_put(rctx *c, const char *kode, uint64_t rev, bool present, bool has_pagu,
                      int64_t pagu, const lm_roll *roll)
{
    if (!c->known)
        return;
    rknown *k = known_slot(c, kode);
    k->plan = c->plan;
    k->rev = rev;
    size_t len = strnlen(kode, RJ_KODE_MAX - 1);
    memcpy(k->kode, kode, len);
    k->kode[len] = '\0';
    k->present = present;
    k->has_pagu = has_pagu;
    k->pagu = pagu;
    k->roll_known = roll != NULL;
    k->roll = roll ? *roll : (lm_roll){0};
}

static void ctx_key(kbuf *k, const char *plan, const char *pre, const char *kode, uint64_t rev)
{
    kb_plan(k, plan);
    kb_str(k, pre);
    kb_str(k, kode);
    kb_nul(k);
    kb_u64(k, ~rev);
}

static int ctx_item(rctx *c, const char *kode, uint64_t rev, bool *present, bool *has_pagu,
                    int64_t *pagu)
{
    kbuf k;
    ctx_key(&k, c->plan, ITEM_PREFIX, kode, rev);
    MDB_val v;
    int r = lm_val_at_cursor(c->cv, &k, &v, NULL);
    *present = r == VAL_LIVE;
    *has_pagu = false;
    *pagu = 0;
    if (r < 0)
        return r;
    return r == VAL_LIVE && !lm_item_pagu(&v, has_pagu, pagu) ? RJ_EIO : 0;
}

static int ctx_roll(rctx *c, const char *kode, uint64_t rev, lm_roll *out)
{
    kbuf k;
    ctx_key(&k, c->plan, "", kode, rev);
    MDB_val v;
    return roll_decode(lm_val_at_cursor(c->cr, &k, &v, NULL), &v, out);
}

typedef struct rnode {
    char kode[RJ_KODE_MAX];
    const lm_roll_item *item; /* a changed item; NULL for an ancestor */
    bool po, ho, pn, hn;      /* present, has_pagu: before (o) and after (n) */
    int64_t pagu_o, pagu_n;
    lm_roll raw; /* stored at head (read when something may move it) */
    bool raw_read;
    size_t parent; /* index of the parent kode's node, or RJ_TREE_ROOT */
    int64_t dsum;
    long dn;
} rnode;

static int rnode_cmp(const void *a, const void *b)
{
    const rnode *x = a, *y = b;
    int c = strcmp(x->kode, y->kode);
    return c ? c : (y->item != NULL) - (x->item != NULL); /* changed first */
}

static const char *rnode_kode(const void *arr, size_t i)
{
    return ((const rnode *)arr)[i].kode;
}

static size_t rnode_find(const rnode *v, size_t n, const char *kode)
{
    return rj_tree_find(v, n, rnode_kode, kode);
}

/* The nearest ancestor of v[i] present before (after: after), or
 * RJ_TREE_ROOT, up the parent links rnodes_collect made. */
static size_t rnode_up(const rnode *v, size_t i, bool after)
{
    for (size_t j = v[i].parent; j != RJ_TREE_ROOT; j = v[j].parent)
        if (after ? v[j].pn : v[j].po)
            return j;
    return RJ_TREE_ROOT;
}

typedef struct inside {
    const rnode *v;
    size_t n;
    bool untouched;
} inside;

static int inside_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)val;
    (void)vrev;
    inside *in = arg;
    if (rnode_find(in->v, in->n, key + strlen(ITEM_PREFIX)) == RJ_TREE_ROOT) {
        in->untouched = true;
        return 1;
    }
    return 0;
}

/* Does an item that appears or disappears at v[i] have present
 * descendants the submit did not touch? Then they change parent. (A
 * submit checks that every item's parent is there, so only a store
 * written otherwise gets here with any.) */
static int moves_untouched(rctx *c, uint64_t head, const rnode *v, size_t n, size_t i, bool *yes)
{
    char prefix[RJ_VKEY_MAX];
    snprintf(prefix, sizeof prefix, ITEM_PREFIX "%s.", v[i].kode);
    inside in = {v, n, false};
    /* where it is absent: before when it appears, after when it goes */
    int err =
        lm_walk(c->txn, c->s->vals, c->plan, prefix, v[i].po ? head + 1 : head, inside_cb, &in);
    *yes = in.untouched;
    return err < 0 ? err : 0;
}

static int add_over(int64_t *acc, int64_t v)
{
    return __builtin_add_overflow(*acc, v, acc) ? RJ_EOVERFLOW : 0;
}

/* The nodes: the changed items, each ancestor once, sorted, with their
 * parent links. */
static rnode *rnodes_collect(const lm_roll_item *items, size_t nk, size_t *n)
{
    size_t cap = 0;
    rnode *v = NULL;
    *n = 0;
    for (size_t k = 0; k < nk; k++) {
        size_t len = strlen(items[k].kode);
        if (len >= RJ_KODE_MAX)
            len = RJ_KODE_MAX - 1; /* never: canonical kodes are short */
        for (const lm_roll_item *it = &items[k]; len; it = NULL, len = parent_len(len)) {
            v = rj_grow(v, *n + 1, &cap, sizeof *v, 16);
            rnode *x = &v[(*n)++];
            memset(x, 0, sizeof *x);
            memcpy(x->kode, items[k].kode, len);
            x->item = it;
        }
    }
    if (*n > 1)
        qsort(v, *n, sizeof *v, rnode_cmp);
    size_t w = 0;
    for (size_t i = 0; i < *n; i++)
        if (!w || strcmp(v[w - 1].kode, v[i].kode) != 0)
            v[w++] = v[i];
    *n = w;
    for (size_t i = 0; i < w; i++) {
        char up[RJ_KODE_MAX] = {0};
        size_t pl = parent_len(strlen(v[i].kode));
        memcpy(up, v[i].kode, pl);
        v[i].parent = pl ? rnode_find(v, i, up) : RJ_TREE_ROOT; /* parents sort first */
    }
    return v;
}

static int rnodes_read(rctx *c, uint64_t head, rnode *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rnode *x = &v[i];
        const lm_roll_item *it = x->item;
        int err = 0;
        const rknown *k;
        if (it && it->old_known) {
            x->po = it->po;
            x->ho = it->ho;
            x->pagu_o = it->pagu_o;
        } else if ((k = known_find(c, x->kode, head)) != NULL) {
            x->po = k->present;
            x->ho = k->has_pagu;
            x->pagu_o = k->pagu;
        } else {
            err = ctx_item(c, x->kode, head, &x->po, &x->ho, &x->pagu_o);
        }
        if (it) {
            x->pn = it->pn;
            x->hn = it->hn;
            x->pagu_n = it->pagu_n;
        } else {
            x->pn = x->po;
            x->hn = x->ho;
            x->pagu_n = x->pagu_o;
        }
        if (err)
            return err;
    }
    return 0;
}

/* A node's stored roll-up is read only when something may move it: a
 * changed item that can have children, or an ancestor that children's
 * moves reach. A sub kegiatan (the deepest level) has none. */
static int rnode_raw(rctx *c, uint64_t head, rnode *x)
{
    bool moves = x->dsum || x->dn || (x->item && (x->po != x->pn || !x->ho || !x->hn));
    if (!x->po || !moves || strlen(x->kode) == 17)
        return 0;
    x->raw_read = true;
    const rknown *k = known_find(c, x->kode, head);
    if (k && k->roll_known) {
        x->raw = k->roll;
        return 0;
    }
    return ctx_roll(c, x->kode, head, &x->raw) < 0 ? RJ_EIO : 0;
}

/* Bottom-up (descendants sort after their ancestors): each node's old
 * effective pagu leaves its old parent, its new one joins its new parent.
 * What reaches the top (the plan's total) is not stored. 0, RJ_EOVERFLOW
 * or RJ_EIO. */
static int rnodes_move(rctx *c, uint64_t head, rnode *v, size_t n)
{
    int64_t top = 0;
    for (size_t i = n; i-- > 0;) {
        rnode *x = &v[i];
        if (!x->po && !x->pn)
            continue;
        if (rnode_raw(c, head, x) != 0)
            return RJ_EIO;
        lm_roll ro = x->raw;
        int64_t cs_n = ro.child_sum;
        if (add_over(&cs_n, x->dsum))
            return RJ_EOVERFLOW;
        int64_t eff_o = !x->po ? 0 : x->ho ? x->pagu_o : ro.child_sum;
        int64_t eff_n = !x->pn ? 0 : x->hn ? x->pagu_n : cs_n;
        size_t uo = x->po ? rnode_up(v, i, false) : RJ_TREE_ROOT;
        size_t un = x->pn ? rnode_up(v, i, true) : RJ_TREE_ROOT;
        if (!x->item && uo == un && eff_o == eff_n) {
            x->dsum = cs_n;
            continue; /* an ancestor nothing moved: its parent keeps its share */
        }
        if (x->po) {
            if (eff_o == INT64_MIN || add_over(uo == RJ_TREE_ROOT ? &top : &v[uo].dsum, -eff_o))
                return RJ_EOVERFLOW;
            if (uo != RJ_TREE_ROOT)
                v[uo].dn -= 1;
        }
        if (x->pn) {
            if (add_over(un == RJ_TREE_ROOT ? &top : &v[un].dsum, eff_n))
                return RJ_EOVERFLOW;
            if (un != RJ_TREE_ROOT)
                v[un].dn += 1;
        }
        x->dsum = cs_n; /* from here on: the new child_sum */
    }
    return 0;
}

/* 0 and the moved roll-ups written; 1 when the plan's roll-ups must be
 * computed again from every item; an error. */
static int submit_pass(rctx *c, uint64_t head, const lm_roll_item *items, size_t nk, rj_diag *d)
{
    size_t n;
    rnode *v = rnodes_collect(items, nk, &n);
    int err = rnodes_read(c, head, v, n);
    bool again = false;
    for (size_t i = 0; i < n && !err && !again; i++)
        if (v[i].item && v[i].po != v[i].pn)
            err = moves_untouched(c, head, v, n, i, &again);
    if (!err && !again) {
        err = rnodes_move(c, head, v, n);
        if (err == RJ_EOVERFLOW) {
            again = true; /* the whole computation says where */
            err = 0;
        }
    }
    if (err) {
        free(v);
        return rj_diag_set(d, RJ_EIO, "store: plan %s: reading items for roll-ups failed", c->plan);
    }
    if (again) {
        free(v);
        return 1;
    }
    uint64_t rev = head + 1;
    for (size_t i = 0; i < n && !err; i++) {
        rnode *x = &v[i];
        if (!x->raw_read && !(x->pn && x->dn)) {
            /* nothing moved it: it stays as stored (none for a sub kegiatan) */
            static const lm_roll none = {0};
            known_put(c, x->kode, rev, x->pn, x->hn, x->pagu_n,
                      strlen(x->kode) == 17 ? &none : NULL);
            continue;
        }
        lm_roll want = {0};
        if (x->pn) {
            want.n_children = (uint64_t)((long)x->raw.n_children + x->dn);
            want.child_sum = want.n_children ? x->dsum : 0;
        }
        if (!roll_eq(&want, &x->raw))
            err = roll_put(c->s, c->txn, c->plan, x->kode, rev, &want);
        known_put(c, x->kode, rev, x->pn, x->hn, x->pagu_n, &want);
    }
    if (!err)
        known_put(c, "", rev, true, false, 0, NULL); /* the plan's record: known */
    free(v);
    return err ? lm_fail(d, err, "write roll-up") : 0;
}

static int rollup_submit(rj_store *s, MDB_txn *txn, const char *plan, uint64_t head,
                         const lm_roll_item *items, size_t nk, rcache *known, rj_diag *d)
{
    if (nk == 0)
        return 0;
    rctx c = {s, txn, plan, NULL, NULL, known};
    if (mdb_cursor_open(txn, s->vals, &c.cv) || mdb_cursor_open(txn, s->rollups, &c.cr)) {
        if (c.cv)
            mdb_cursor_close(c.cv);
        return rj_diag_set(d, RJ_EIO, "store: plan %s: cannot read roll-ups", plan);
    }
    lm_roll mark;
    int r = known_find(&c, "", head) ? VAL_LIVE : ctx_roll(&c, "", head, &mark);
    int err;
    if (r < 0)
        err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading its roll-up failed", plan);
    else if (r == VAL_NONE)
        err = 0; /* a plan without roll-ups (none before this schema) */
    else if (r == VAL_TOMB)
        err = 1;
    else
        err = submit_pass(&c, head, items, nk, d);
    mdb_cursor_close(c.cv);
    mdb_cursor_close(c.cr);
    return err == 1 ? lm_rollup_rebuild(s, txn, plan, head + 1, d) : err;
}

int lm_rollup_submit(rj_store *s, MDB_txn *txn, const char *plan, uint64_t head,
                     const lm_roll_item *items, size_t nk, rj_diag *d)
{
    return rollup_submit(s, txn, plan, head, items, nk, NULL, d);
}

/* --- the plan's total ------------------------------------------------------------- */

int lm_roll_plan(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, lm_roll *out)
{
    memset(out, 0, sizeof *out);
    lm_roll mark;
    int r = lm_roll_at(s, txn, plan, "", rev, &mark);
    if (r != VAL_LIVE)
        return r;
    MDB_cursor *cv, *cr;
    if (mdb_cursor_open(txn, s->vals, &cv))
        return RJ_EIO;
    if (mdb_cursor_open(txn, s->rollups, &cr)) {
        mdb_cursor_close(cv);
        return RJ_EIO;
    }
    rctx c = {s, txn, plan, cv, cr, NULL};
    kbuf start, seek;
    kb_plan(&start, plan);
    kb_str(&start, ITEM_PREFIX);
    seek = start;
    int err = VAL_LIVE;
    for (;;) {
        MDB_val kv = kb_val(&seek), dv;
        int rc = mdb_cursor_get(cv, &kv, &dv, MDB_SET_RANGE);
        if (rc || kv.mv_size < start.n + 9 || memcmp(kv.mv_data, start.b, start.n) != 0) {
            err = rc && rc != MDB_NOTFOUND ? RJ_EIO : err;
            break;
        }
        char kode[RJ_KODE_MAX];
        size_t kl = kv.mv_size - start.n - 9;
        if (kl >= sizeof kode) {
            err = RJ_EIO;
            break;
        }
        memcpy(kode, (const char *)kv.mv_data + start.n, kl);
        kode[kl] = '\0';
        bool present, has;
        int64_t pagu;
        lm_roll roll;
        if (ctx_item(&c, kode, rev, &present, &has, &pagu) != 0 ||
            (present && !has && ctx_roll(&c, kode, rev, &roll) < 0)) {
            err = RJ_EIO;
            break;
        }
        seek = start;
        kb_str(&seek, kode);
        if (present) {
            if (add_over(&out->child_sum, has ? pagu : roll.child_sum)) {
                err = RJ_EOVERFLOW;
                break;
            }
            out->n_children++;
            kb_put(&seek, "/", 1); /* past its subtree: '/' follows '.' */
        } else {
            kb_put(&seek, "\x01", 1); /* past its versions: its children may be roots */
        }
    }
    mdb_cursor_close(cv);
    mdb_cursor_close(cr);
    return err;
}

int lm_rollup_migrate(rj_store *s, MDB_txn *txn, long schema, uint64_t *n, rj_diag *d)
{
    *n = 0;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->plans, &c);
    if (rc)
        return lm_fail(d, rc, "read plans");
    rj_ptrs ids = {0};
    MDB_val k, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        Renja__V1__Plan *p = lm_unpack(&renja__v1__plan__descriptor, v.mv_data, v.mv_size);
        if (p)
            rj_ptrs_add(&ids, p);
    }
    mdb_cursor_close(c);
    int err = rc == MDB_NOTFOUND ? 0 : lm_fail(d, rc, "read plans");
    for (size_t i = 0; i < ids.n && !err; i++) {
        const Renja__V1__Plan *p = ids.v[i];
        if (schema < 2)
            err = lm_rollup_rebuild(s, txn, p->id, p->head, d);
        if (!err && schema < 3)
            err = lm_groups_rebuild(s, txn, p->id, p->head, d);
    }
    if (!err)
        *n = ids.n;
    for (size_t i = 0; i < ids.n; i++)
        protobuf_c_message_free_unpacked((ProtobufCMessage *)ids.v[i], NULL);
    free(ids.v);
    return err;
}

/* --- a batch's submits ------------------------------------------------------------- */

struct roll_pending {
    char *plan;
    uint64_t head;
    lm_roll_item *items; /* kodes owned, in kodes; bidang and sumber dana in strs */
    char (*kodes)[RJ_KODE_MAX];
    char *strs;
    size_t n;
};

/* s copied to *at, which moves past it; NULL stays NULL. */
static const char *copy_str(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    memcpy(*at, s, n);
    *at += n;
    return *at - n;
}

void lm_rollup_defer(rj_store *s, const char *plan, uint64_t head, const lm_roll_item *items,
                     size_t n)
{
    if (n == 0)
        return;
    s->rp = rj_grow(s->rp, s->n_rp + 1, &s->cap_rp, sizeof *s->rp, 16);
    struct roll_pending *p = &s->rp[s->n_rp++];
    p->plan = rj_strdup(plan);
    p->head = head;
    p->n = n;
    p->items = rj_malloc(n * sizeof *p->items);
    p->kodes = rj_malloc(n * sizeof *p->kodes);
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += (items[i].bidang_n ? strlen(items[i].bidang_n) + 1 : 0) +
                 (items[i].sumber_n ? strlen(items[i].sumber_n) + 1 : 0);
    p->strs = rj_malloc(total);
    char *at = p->strs;
    for (size_t i = 0; i < n; i++) {
        p->items[i] = items[i];
        size_t len = strnlen(items[i].kode, RJ_KODE_MAX - 1);
        memcpy(p->kodes[i], items[i].kode, len);
        p->kodes[i][len] = '\0';
        p->items[i].kode = p->kodes[i];
        p->items[i].bidang_n = copy_str(&at, items[i].bidang_n);
        p->items[i].sumber_n = copy_str(&at, items[i].sumber_n);
    }
}

size_t lm_rollup_mark(const rj_store *s)
{
    return s->n_rp;
}

void lm_rollup_rewind(rj_store *s, size_t mark)
{
    while (s->n_rp > mark) {
        struct roll_pending *p = &s->rp[--s->n_rp];
        free(p->plan);
        free(p->items);
        free(p->kodes);
        free(p->strs);
    }
}

int lm_rollup_flush(rj_store *s, MDB_txn *txn, rj_diag *d)
{
    int err = 0;
    rcache *known = rj_malloc(sizeof *known);
    known->n = known->next = 0;
    for (size_t i = 0; i < s->n_rp && err == 0; i++) {
        struct roll_pending *p = &s->rp[i];
        err = rollup_submit(s, txn, p->plan, p->head, p->items, p->n, known, d);
        if (err == 0)
            err = lm_groups_submit(s, txn, p->plan, p->head, p->items, p->n, d);
    }
    free(known);
    lm_rollup_rewind(s, 0);
    return err;
}
