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
 * program above existing kegiatan, removing a parent but not its children).
 */
#include <stdio.h>

#include "rj_kode.h"
#include "rj_lmdb.h"
#include "rj_tree.h"

#define ROLL_LEN 17 /* tag, n_children, child_sum */
#define ROOT_LEN 25 /* tag, n_roots, total, n_items */
#define ITEM_PREFIX "item/"

/* --- values ------------------------------------------------------------------ */

static void put_u64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
}

int lm_roll_at(rj_store *s, MDB_txn *txn, const char *plan, const char *kode, uint64_t rev,
               lm_roll *out)
{
    MDB_val v;
    memset(out, 0, sizeof *out);
    int r = lm_val_at(txn, s->rollups, plan, kode, rev, &v, NULL);
    if (r != VAL_LIVE)
        return r; /* VAL_NONE, VAL_TOMB (the root: not known), RJ_EIO */
    const unsigned char *b = v.mv_data;
    if (v.mv_size != ROLL_LEN - 1 && v.mv_size != ROOT_LEN - 1)
        return RJ_EIO;
    out->n_children = get_u64(b);
    out->child_sum = (int64_t)get_u64(b + 8);
    if (v.mv_size == ROOT_LEN - 1)
        out->n_items = get_u64(b + 16);
    return VAL_LIVE;
}

static int roll_put(rj_store *s, MDB_txn *txn, const char *plan, const char *kode, uint64_t rev,
                    const lm_roll *r, bool root)
{
    unsigned char b[ROOT_LEN];
    b[0] = TAG_LIVE;
    put_u64(b + 1, r->n_children);
    put_u64(b + 9, (uint64_t)r->child_sum);
    put_u64(b + 17, r->n_items);
    kbuf k;
    lm_vkey(&k, plan, kode, rev);
    MDB_val kv = kb_val(&k), dv = {.mv_size = root ? ROOT_LEN : ROLL_LEN, .mv_data = b};
    return lm_put(s, txn, s->rollups, &kv, &dv, 0);
}

/* The plan's roll-ups from rev on are not known (a sum left int64): diffs
 * read whole sides. */
static int root_unknown(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev)
{
    unsigned char tomb = TAG_TOMB;
    kbuf k;
    lm_vkey(&k, plan, "", rev);
    MDB_val kv = kb_val(&k), dv = {.mv_size = 1, .mv_data = &tomb};
    return lm_put(s, txn, s->rollups, &kv, &dv, 0);
}

/* Fields 7 (has_pagu, varint) and 8 (pagu, zigzag sint64) of a packed
 * Item, without unpacking it. false when the bytes are not a message. */
static bool get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return false;
        unsigned char c = *(*p)++;
        *v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

bool lm_item_pagu(const MDB_val *val, bool *has_pagu, int64_t *pagu)
{
    const unsigned char *p = val->mv_data, *end = p + val->mv_size;
    *has_pagu = false;
    *pagu = 0;
    while (p < end) {
        uint64_t tag, v;
        if (!get_varint(&p, end, &tag))
            return false;
        switch (tag & 7) {
        case 0:
            if (!get_varint(&p, end, &v))
                return false;
            if (tag >> 3 == 7)
                *has_pagu = v != 0;
            else if (tag >> 3 == 8)
                *pagu = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            break;
        case 1:
            if (end - p < 8)
                return false;
            p += 8;
            break;
        case 2:
            if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p))
                return false;
            p += v;
            break;
        case 5:
            if (end - p < 4)
                return false;
            p += 4;
            break;
        default:
            return false;
        }
    }
    return true;
}

/* An item's presence and declared pagu at rev: 0, or RJ_EIO. */
static int item_state(rj_store *s, MDB_txn *txn, const char *plan, const char *kode, uint64_t rev,
                      bool *present, bool *has_pagu, int64_t *pagu)
{
    char key[RJ_VKEY_MAX];
    snprintf(key, sizeof key, ITEM_PREFIX "%s", kode);
    MDB_val v;
    int r = lm_val_at(txn, s->vals, plan, key, rev, &v, NULL);
    *present = r == VAL_LIVE;
    *has_pagu = false;
    *pagu = 0;
    if (r < 0)
        return r;
    if (r == VAL_LIVE && !lm_item_pagu(&v, has_pagu, pagu))
        return RJ_EIO;
    return 0;
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
    rj_store *s;
    MDB_txn *txn;
    const char *plan;
    uint64_t rev;
} old_rolls;

static int old_roll_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)val;
    (void)vrev;
    old_rolls *o = arg;
    o->v = rj_grow(o->v, o->n + 1, &o->cap, sizeof *o->v, 256);
    old_roll *x = &o->v[o->n++];
    snprintf(x->kode.k, RJ_KODE_MAX, "%s", key);
    int r = lm_roll_at(o->s, o->txn, o->plan, key, o->rev, &x->r);
    return r < 0 ? r : 0;
}

static bool roll_eq(const lm_roll *a, const lm_roll *b)
{
    return a->n_children == b->n_children && a->child_sum == b->child_sum &&
           a->n_items == b->n_items;
}

int lm_rollup_rebuild(rj_store *s, MDB_txn *txn, const char *plan, uint64_t rev, rj_diag *d)
{
    rebuild_walk rb = {0};
    old_rolls o = {.s = s, .txn = txn, .plan = plan, .rev = rev};
    int err = lm_walk(txn, s->vals, plan, ITEM_PREFIX, rev, rebuild_item_cb, &rb);
    if (err == 0)
        err = lm_walk(txn, s->rollups, plan, "", rev, old_roll_cb, &o);
    if (err) {
        err = rj_diag_set(d, RJ_EIO, "store: plan %s: reading items for roll-ups failed", plan);
        goto out;
    }
    for (size_t i = 0; i < rb.n; i++)
        rb.nodes[i].kode = rb.kodes[i].k;
    int64_t total = 0;
    rj_diag td;
    rj_diag_clear(&td);
    if (rj_tree_compute(rb.nodes, rb.n, &td) != 0 ||
        rj_tree_total(rb.nodes, rb.n, &total, &td) != 0) {
        err = root_unknown(s, txn, plan, rev);
        err = err ? lm_fail(d, err, "write roll-up") : 0;
        goto out;
    }
    /* Every item (a leaf wants zero) against every stored roll-up (a
     * removed item's must go to zero); both in kode order, the root ("")
     * first among the stored ones. */
    lm_roll root = {.n_items = rb.n, .child_sum = total};
    for (size_t i = 0; i < rb.n; i++)
        root.n_children += rb.nodes[i].parent == RJ_TREE_ROOT;
    size_t i = 0, j = 0;
    bool had_root = o.n && o.v[0].kode.k[0] == '\0';
    if (!had_root || !roll_eq(&o.v[j++].r, &root))
        err = roll_put(s, txn, plan, "", rev, &root, true);
    while ((i < rb.n || j < o.n) && err == 0) {
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
            err = roll_put(s, txn, plan, kode, rev, &want, false);
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
    lm_roll root = {0};
    int rc = roll_put(s, txn, plan, "", 0, &root, true);
    return rc ? lm_fail(d, rc, "write roll-up") : 0;
}

/* --- a submit's changes ---------------------------------------------------------- */

typedef struct rnode {
    char kode[RJ_KODE_MAX];
    bool changed;
    bool po, ho, pn, hn; /* present, has_pagu: before (o) and after (n) */
    int64_t pagu_o, pagu_n;
    lm_roll raw; /* stored at head */
    int64_t dsum;
    long dn;
} rnode;

static int rnode_cmp(const void *a, const void *b)
{
    const rnode *x = a, *y = b;
    int c = strcmp(x->kode, y->kode);
    return c ? c : (int)y->changed - (int)x->changed; /* changed first */
}

static size_t rnode_find(const rnode *v, size_t n, const char *kode)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v[mid].kode, kode);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return RJ_TREE_ROOT;
}

/* The nearest ancestor of v[i] present before (after: after), or
 * RJ_TREE_ROOT; every ancestor of a node is in v. */
static size_t rnode_up(const rnode *v, size_t n, size_t i, bool after)
{
    char cur[RJ_KODE_MAX], up[RJ_KODE_MAX];
    memcpy(cur, v[i].kode, sizeof cur);
    while (rj_kode_parent(cur, up)) {
        size_t j = rnode_find(v, n, up);
        if (j != RJ_TREE_ROOT && (after ? v[j].pn : v[j].po))
            return j;
        memcpy(cur, up, sizeof cur);
    }
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
 * descendants the submit did not touch? Then they change parent. */
static int moves_untouched(rj_store *s, MDB_txn *txn, const char *plan, uint64_t head,
                           const rnode *v, size_t n, size_t i, bool *yes)
{
    char prefix[RJ_VKEY_MAX];
    snprintf(prefix, sizeof prefix, ITEM_PREFIX "%s.", v[i].kode);
    inside in = {v, n, false};
    /* where it is absent: before when it appears, after when it goes */
    int err = lm_walk(txn, s->vals, plan, prefix, v[i].po ? head + 1 : head, inside_cb, &in);
    *yes = in.untouched;
    return err < 0 ? err : 0;
}

static int add_over(int64_t *acc, int64_t v)
{
    return __builtin_add_overflow(*acc, v, acc) ? RJ_EOVERFLOW : 0;
}

/* The nodes: the changed kodes, each ancestor once. */
static rnode *rnodes_collect(char *const *kodes, size_t nk, size_t *n)
{
    size_t cap = 0;
    rnode *v = NULL;
    *n = 0;
    for (size_t k = 0; k < nk; k++) {
        char cur[RJ_KODE_MAX], up[RJ_KODE_MAX];
        snprintf(cur, sizeof cur, "%s", kodes[k]);
        for (bool changed = true;; changed = false) {
            v = rj_grow(v, *n + 1, &cap, sizeof *v, 16);
            memset(&v[*n], 0, sizeof *v);
            memcpy(v[*n].kode, cur, sizeof cur);
            v[(*n)++].changed = changed;
            if (!rj_kode_parent(cur, up))
                break;
            memcpy(cur, up, sizeof cur);
        }
    }
    if (*n)
        qsort(v, *n, sizeof *v, rnode_cmp);
    size_t w = 0;
    for (size_t i = 0; i < *n; i++)
        if (!w || strcmp(v[w - 1].kode, v[i].kode) != 0)
            v[w++] = v[i];
    *n = w;
    return v;
}

static int rnodes_read(rj_store *s, MDB_txn *txn, const char *plan, uint64_t head, rnode *v,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rnode *x = &v[i];
        int err = item_state(s, txn, plan, x->kode, head, &x->po, &x->ho, &x->pagu_o);
        if (!err && x->changed)
            err = item_state(s, txn, plan, x->kode, head + 1, &x->pn, &x->hn, &x->pagu_n);
        else {
            x->pn = x->po;
            x->hn = x->ho;
            x->pagu_n = x->pagu_o;
        }
        if (!err && (x->po || x->pn) && lm_roll_at(s, txn, plan, x->kode, head, &x->raw) < 0)
            err = RJ_EIO;
        if (err)
            return err;
    }
    return 0;
}

/* Bottom-up (descendants sort after their ancestors): each node's old
 * effective pagu leaves its old parent, its new one joins its new parent. */
static int rnodes_move(rnode *v, size_t n, lm_roll *root)
{
    int64_t root_dsum = 0;
    long root_dn = 0;
    for (size_t i = n; i-- > 0;) {
        rnode *x = &v[i];
        if (!x->po && !x->pn)
            continue;
        lm_roll ro = x->po ? x->raw : (lm_roll){0};
        int64_t cs_n = ro.child_sum;
        if (add_over(&cs_n, x->dsum))
            return RJ_EOVERFLOW;
        int64_t eff_o = !x->po ? 0 : x->ho ? x->pagu_o : ro.child_sum;
        int64_t eff_n = !x->pn ? 0 : x->hn ? x->pagu_n : cs_n;
        if (x->po) {
            size_t u = rnode_up(v, n, i, false);
            int64_t *ds = u == RJ_TREE_ROOT ? &root_dsum : &v[u].dsum;
            if (eff_o == INT64_MIN || add_over(ds, -eff_o))
                return RJ_EOVERFLOW;
            *(u == RJ_TREE_ROOT ? &root_dn : &v[u].dn) -= 1;
            root->n_items--;
        }
        if (x->pn) {
            size_t u = rnode_up(v, n, i, true);
            int64_t *ds = u == RJ_TREE_ROOT ? &root_dsum : &v[u].dsum;
            if (add_over(ds, eff_n))
                return RJ_EOVERFLOW;
            *(u == RJ_TREE_ROOT ? &root_dn : &v[u].dn) += 1;
            root->n_items++;
        }
        x->dsum = cs_n; /* from here on: the new child_sum */
    }
    if (add_over(&root->child_sum, root_dsum))
        return RJ_EOVERFLOW;
    root->n_children = (uint64_t)((long)root->n_children + root_dn);
    return 0;
}

int lm_rollup_submit(rj_store *s, MDB_txn *txn, const char *plan, uint64_t head, char *const *kodes,
                     size_t nk, rj_diag *d)
{
    lm_roll root;
    int r = lm_roll_at(s, txn, plan, "", head, &root);
    if (r < 0)
        return rj_diag_set(d, RJ_EIO, "store: plan %s: reading its roll-up failed", plan);
    if (r == VAL_NONE)
        return 0; /* a plan without roll-ups (none before this schema) */
    if (nk == 0)
        return 0;
    if (r == VAL_TOMB)
        return lm_rollup_rebuild(s, txn, plan, head + 1, d);
    size_t n;
    rnode *v = rnodes_collect(kodes, nk, &n);
    int err = rnodes_read(s, txn, plan, head, v, n);
    bool rebuild = false;
    for (size_t i = 0; i < n && !err && !rebuild; i++)
        if (v[i].changed && v[i].po != v[i].pn)
            err = moves_untouched(s, txn, plan, head, v, n, i, &rebuild);
    if (err) {
        free(v);
        return rj_diag_set(d, RJ_EIO, "store: plan %s: reading items for roll-ups failed", plan);
    }
    lm_roll was = root;
    /* n_items counts changed nodes only: an unchanged one is at both sides */
    if (!rebuild && rnodes_move(v, n, &root) != 0)
        rebuild = true; /* a sum left int64: the whole computation says where */
    if (rebuild) {
        free(v);
        return lm_rollup_rebuild(s, txn, plan, head + 1, d);
    }
    uint64_t rev = head + 1;
    if (!roll_eq(&was, &root))
        err = roll_put(s, txn, plan, "", rev, &root, true);
    for (size_t i = 0; i < n && !err; i++) {
        rnode *x = &v[i];
        if (!x->po && !x->pn)
            continue;
        lm_roll want = {0};
        if (x->pn) {
            want.n_children = (uint64_t)((long)(x->po ? x->raw.n_children : 0) + x->dn);
            want.child_sum = want.n_children ? x->dsum : 0;
        }
        if (!roll_eq(&want, &x->raw))
            err = roll_put(s, txn, plan, x->kode, rev, &want, false);
    }
    free(v);
    return err ? lm_fail(d, err, "write roll-up") : 0;
}

int lm_rollup_migrate(rj_store *s, MDB_txn *txn, rj_diag *d)
{
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
        err = lm_rollup_rebuild(s, txn, p->id, p->head, d);
    }
    for (size_t i = 0; i < ids.n; i++)
        protobuf_c_message_free_unpacked((ProtobufCMessage *)ids.v[i], NULL);
    free(ids.v);
    return err;
}
