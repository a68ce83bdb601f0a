/* Randomized model test of the store: thousands of random submits over
 * several plans go both through rj_store_apply() (in batches of random size,
 * as the daemon's group commit does) and into a plain in-memory model; as-of
 * reads, changed-key queries and diffs (by bidang, sumber dana and rekening
 * too) at random revisions must agree with the model; the
 * model's diff is rj_diff_compute on both versions read whole from the
 * model, with no changed-key list (a full recomputation).
 *
 * The seed is printed; set RENJA_SEED to replay a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>

#include "rj_diff.h"
#include "rj_kode.h"
#include "rj_query.h"
#include "test_store_util.h"

#define N_PLANS 3
#define N_SUBMITS 3000

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static int rnd_n(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

/* --- the model ------------------------------------------------------------ */

typedef struct hist {
    uint64_t rev;
    uint8_t *bytes; /* NULL: tombstone */
    size_t len;
} hist;

typedef struct mkey {
    char *key;
    hist *h;
    size_t n;
} mkey;

typedef struct mplan {
    char id[40];
    mkey *keys; /* sorted by key */
    size_t n_keys;
    uint64_t head;
    char ***rev_keys; /* [rev] sorted keys of revision rev (1-based) */
    size_t *rev_nkeys;
} mplan;

static mplan plans[N_PLANS];

static mkey *model_find(mplan *p, const char *key, bool create)
{
    size_t lo = 0, hi = p->n_keys;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(p->keys[mid].key, key);
        if (c == 0)
            return &p->keys[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!create)
        return NULL;
    p->keys = rj_realloc(p->keys, (p->n_keys + 1) * sizeof(mkey));
    memmove(&p->keys[lo + 1], &p->keys[lo], (p->n_keys - lo) * sizeof(mkey));
    p->n_keys++;
    p->keys[lo] = (mkey){.key = rj_strdup(key)};
    return &p->keys[lo];
}

/* The version of k as of rev, or NULL when absent or removed. */
static const hist *model_at(const mkey *k, uint64_t rev)
{
    const hist *best = NULL;
    for (size_t i = 0; i < k->n && k->h[i].rev <= rev; i++)
        best = &k->h[i];
    return best && best->bytes ? best : NULL;
}

static const hist *model_get(mplan *p, const char *key, uint64_t rev)
{
    mkey *k = model_find(p, key, false);
    return k ? model_at(k, rev) : NULL;
}

static uint64_t model_newest(mplan *p, const char *key)
{
    mkey *k = model_find(p, key, false);
    return k && k->n ? k->h[k->n - 1].rev : 0;
}

/* --- pending writes of one generated submit ------------------------------------ */

typedef struct pw {
    char key[96];
    uint8_t *bytes;
    size_t len;
} pw;

typedef struct pending {
    pw *w;
    size_t n;
} pending;

static pw *pending_find(pending *pd, const char *key)
{
    for (size_t i = 0; i < pd->n; i++)
        if (strcmp(pd->w[i].key, key) == 0)
            return &pd->w[i];
    return NULL;
}

static void pending_add(pending *pd, const char *key, const ProtobufCMessage *m)
{
    pd->w = rj_realloc(pd->w, (pd->n + 1) * sizeof(pw));
    pw *w = &pd->w[pd->n++];
    snprintf(w->key, sizeof(w->key), "%s", key);
    w->bytes = NULL;
    w->len = 0;
    if (m) {
        w->len = protobuf_c_message_get_packed_size(m);
        w->bytes = rj_malloc(w->len + 1);
        protobuf_c_message_pack(m, w->bytes);
    }
}

static void pending_free(pending *pd)
{
    for (size_t i = 0; i < pd->n; i++)
        free(pd->w[i].bytes);
    free(pd->w);
    pd->w = NULL;
    pd->n = 0;
}

static int pw_cmp(const void *a, const void *b)
{
    return strcmp(((const pw *)a)->key, ((const pw *)b)->key);
}

static void model_commit(mplan *p, pending *pd)
{
    uint64_t rev = ++p->head;
    qsort(pd->w, pd->n, sizeof(pw), pw_cmp);
    p->rev_keys = rj_realloc(p->rev_keys, (rev + 1) * sizeof(char **));
    p->rev_nkeys = rj_realloc(p->rev_nkeys, (rev + 1) * sizeof(size_t));
    p->rev_keys[rev] = rj_malloc(pd->n * sizeof(char *));
    p->rev_nkeys[rev] = pd->n;
    for (size_t i = 0; i < pd->n; i++) {
        mkey *k = model_find(p, pd->w[i].key, true);
        k->h = rj_realloc(k->h, (k->n + 1) * sizeof(hist));
        k->h[k->n++] = (hist){.rev = rev, .bytes = pd->w[i].bytes, .len = pd->w[i].len};
        pd->w[i].bytes = NULL;
        p->rev_keys[rev][i] = k->key;
    }
    pending_free(pd);
}

/* --- universe of kodes ------------------------------------------------------ */

static char item_kodes[64][RJ_KODE_MAX];
static int n_item_kodes;
static const char *line_kodes[] = {"5",         "5.1",       "5.2",         "5.1.01",
                                   "5.1.02",    "5.2.01",    "5.1.01.01",   "5.1.01.02",
                                   "5.1.02.01", "5.2.01.01", "5.1.01.01.01"};
#define N_LINES (int)(sizeof(line_kodes) / sizeof(line_kodes[0]))

static void make_universe(void)
{
    const char *urusan[] = {"2.17", "2.18"};
    for (int u = 0; u < 2; u++) {
        snprintf(item_kodes[n_item_kodes++], RJ_KODE_MAX, "%s", urusan[u]);
        for (int pr = 1; pr <= 3; pr++) {
            snprintf(item_kodes[n_item_kodes++], RJ_KODE_MAX, "%s.%02d", urusan[u], pr);
            for (int k = 1; k <= 2; k++) {
                snprintf(item_kodes[n_item_kodes++], RJ_KODE_MAX, "%s.%02d.1.%02d", urusan[u], pr,
                         k);
                for (int sk = 1; sk <= 3; sk++)
                    snprintf(item_kodes[n_item_kodes++], RJ_KODE_MAX, "%s.%02d.1.%02d.%04d",
                             urusan[u], pr, k, sk);
            }
        }
    }
}

/* --- generation --------------------------------------------------------------- */

static bool pending_touches_subtree(pending *pd, const char *kind, const char *kode)
{
    size_t kl = strlen(kind);
    for (size_t i = 0; i < pd->n; i++) {
        const char *key = pd->w[i].key;
        char k[RJ_KODE_MAX];
        const char *rest;
        if (strncmp(key, kind, kl) == 0) {
            rest = key + kl;
        } else if (strcmp(kind, "item/") == 0 && strncmp(key, "real/", 5) == 0) {
            rest = key + 5;
        } else {
            continue;
        }
        size_t n = strcspn(rest, "/");
        memcpy(k, rest, n);
        k[n] = '\0';
        if (rj_kode_in_subtree(k, kode))
            return true;
    }
    return false;
}

static bool live_after(mplan *p, pending *pd, const char *key)
{
    pw *w = pending_find(pd, key);
    if (w)
        return w->bytes != NULL;
    return model_get(p, key, p->head) != NULL;
}

/* Number of indikator of an item live at head (or -1). */
static int head_indikator(mplan *p, const char *kode)
{
    char key[96];
    snprintf(key, sizeof(key), "item/%s", kode);
    const hist *h = model_get(p, key, p->head);
    if (!h)
        return -1;
    Renja__V1__Item *it = renja__v1__item__unpack(NULL, h->len, h->bytes);
    int n = (int)it->n_indikator;
    protobuf_c_message_free_unpacked(&it->base, NULL);
    return n;
}

/* The satuan of indikator ind (1-based) of kode at head, malloc'd, or NULL:
 * what the store records for a realisasi reported without one. */
static char *head_satuan(mplan *p, const char *kode, int ind)
{
    char key[96];
    snprintf(key, sizeof(key), "item/%s", kode);
    const hist *h = model_get(p, key, p->head);
    if (!h || ind < 1)
        return NULL;
    Renja__V1__Item *it = renja__v1__item__unpack(NULL, h->len, h->bytes);
    char *s = NULL;
    if ((size_t)ind <= it->n_indikator && it->indikator[ind - 1]->satuan &&
        *it->indikator[ind - 1]->satuan)
        s = rj_strdup(it->indikator[ind - 1]->satuan);
    protobuf_c_message_free_unpacked(&it->base, NULL);
    return s;
}

static void gen_upsert_item(mplan *p, changes *c, pending *pd)
{
    const char *kode = item_kodes[rnd_n(n_item_kodes)];
    char key[96], parent[RJ_KODE_MAX], pkey[96];
    snprintf(key, sizeof(key), "item/%s", kode);
    if (pending_find(pd, key))
        return;
    /* A realisasi of this submit was checked against the item at head. */
    char rprefix[96];
    int rl = snprintf(rprefix, sizeof(rprefix), "real/%s/", kode);
    for (size_t i = 0; i < pd->n; i++)
        if (strncmp(pd->w[i].key, rprefix, (size_t)rl) == 0)
            return;
    if (rj_kode_parent(kode, parent)) {
        snprintf(pkey, sizeof(pkey), "item/%s", parent);
        if (!live_after(p, pd, pkey))
            return;
    }
    ch_item(c, kode, rnd_n(2) ? "umkm" : "koperasi", rnd_n(4) ? rnd_n(1000000) : -1, rnd_n(4));
    Renja__V1__Item *it = c->v[c->n - 1]->upsert_item;
    rj_level lv = rj_kode_level(kode);
    if (rnd_n(2))
        it->level = (Renja__V1__Level)lv;
    Renja__V1__Item exp = *it;
    exp.level = (Renja__V1__Level)lv;
    pending_add(pd, key, &exp.base);
    /* The realisasi of indikator the item no longer has go with them. */
    for (size_t i = 0; i < p->n_keys; i++) {
        const char *k = p->keys[i].key;
        if (strncmp(k, rprefix, (size_t)rl) != 0 || !model_at(&p->keys[i], p->head))
            continue;
        int ind = atoi(strrchr(k, '/') + 1);
        if (ind > 0 && (size_t)ind > it->n_indikator)
            pending_add(pd, k, NULL);
    }
}

/* Tombstones for a removal of item kode (recursive or a leaf) as the store
 * makes them: every live item of the subtree and their live realisasi. */
static void gen_remove_item(mplan *p, changes *c, pending *pd)
{
    const char *kode = item_kodes[rnd_n(n_item_kodes)];
    char key[96];
    snprintf(key, sizeof(key), "item/%s", kode);
    if (!model_get(p, key, p->head) || pending_touches_subtree(pd, "item/", kode))
        return;
    bool children = false;
    for (size_t i = 0; i < p->n_keys; i++) {
        const char *k = p->keys[i].key;
        if (!model_at(&p->keys[i], p->head))
            continue;
        const char *rest = k + 5;
        char kk[RJ_KODE_MAX];
        size_t n = strcspn(rest, "/");
        memcpy(kk, rest, n);
        kk[n] = '\0';
        bool item = strncmp(k, "item/", 5) == 0, real = strncmp(k, "real/", 5) == 0;
        if ((!item && !real) || !rj_kode_in_subtree(kk, kode))
            continue;
        if (item && strcmp(kk, kode) != 0)
            children = true;
    }
    ch_remove(c, kode, children);
    for (size_t i = 0; i < p->n_keys; i++) {
        const char *k = p->keys[i].key;
        if (!model_at(&p->keys[i], p->head))
            continue;
        const char *rest = k + 5;
        char kk[RJ_KODE_MAX];
        size_t n = strcspn(rest, "/");
        memcpy(kk, rest, n);
        kk[n] = '\0';
        if ((strncmp(k, "item/", 5) == 0 || strncmp(k, "real/", 5) == 0) &&
            rj_kode_in_subtree(kk, kode))
            pending_add(pd, k, NULL);
    }
}

static void gen_line(mplan *p, changes *c, pending *pd)
{
    const char *kode = line_kodes[rnd_n(N_LINES)];
    char key[96], parent[RJ_KODE_MAX], pkey[96];
    snprintf(key, sizeof(key), "line/%s", kode);
    if (pending_touches_subtree(pd, "line/", kode))
        return;
    bool live = model_get(p, key, p->head) != NULL;
    if (live && rnd_n(3) == 0) {
        bool children = false;
        for (size_t i = 0; i < p->n_keys; i++)
            if (strncmp(p->keys[i].key, "line/", 5) == 0 && model_at(&p->keys[i], p->head) &&
                strcmp(p->keys[i].key + 5, kode) != 0 &&
                rj_kode_in_subtree(p->keys[i].key + 5, kode))
                children = true;
        ch_remove_line(c, kode, children);
        for (size_t i = 0; i < p->n_keys; i++)
            if (strncmp(p->keys[i].key, "line/", 5) == 0 && model_at(&p->keys[i], p->head) &&
                rj_kode_in_subtree(p->keys[i].key + 5, kode))
                pending_add(pd, p->keys[i].key, NULL);
        return;
    }
    if (rj_rekening_parent(kode, parent)) {
        snprintf(pkey, sizeof(pkey), "line/%s", parent);
        if (!live_after(p, pd, pkey))
            return;
    }
    ch_line(c, kode, rnd_n(5000000));
    Renja__V1__BudgetLine exp = *c->v[c->n - 1]->upsert_line;
    exp.depth = rj_rekening_depth(kode);
    pending_add(pd, key, &exp.base);
}

static void gen_real(mplan *p, changes *c, pending *pd)
{
    const char *kode = item_kodes[rnd_n(n_item_kodes)];
    char ikey[96], key[96];
    snprintf(ikey, sizeof(ikey), "item/%s", kode);
    int n_ind = head_indikator(p, kode);
    if (n_ind < 0 || pending_find(pd, ikey) || pending_touches_subtree(pd, "item/", kode))
        return; /* only items live at head and untouched by this submit */
    int tw = 1 + rnd_n(4), ind = rnd_n(n_ind + 1);
    snprintf(key, sizeof(key), "real/%s/%d/%d", kode, tw, ind);
    if (pending_find(pd, key))
        return;
    bool clear = rnd_n(5) == 0;
    ch_real(c, kode, tw, ind, rnd_n(1000000) - 1000, clear);
    Renja__V1__Realisasi exp = *c->v[c->n - 1]->realisasi;
    exp.clear = false;
    char *satuan = head_satuan(p, kode, ind);
    if (satuan)
        exp.satuan = satuan;
    pending_add(pd, key, clear ? NULL : &exp.base);
    free(satuan);
}

/* A write of the value a key already has at head (or a removal of what is
 * not there) is no change: the store leaves it out of the revision, and
 * makes no revision when nothing is left. */
static void drop_unchanged(mplan *p, pending *pd)
{
    size_t m = 0;
    for (size_t i = 0; i < pd->n; i++) {
        pw *w = &pd->w[i];
        const hist *h = model_get(p, w->key, p->head);
        bool same =
            w->bytes ? h && h->len == w->len && memcmp(h->bytes, w->bytes, w->len) == 0 : h == NULL;
        if (same)
            free(w->bytes);
        else
            pd->w[m++] = *w;
    }
    pd->n = m;
}

/* One generated submit, kept alive until its batch is applied. */
typedef struct gen {
    rj_op op;
    changes c;
    pending pd;
    int plan;
    int expect;     /* 0, RJ_ECONFLICT or RJ_EINVAL */
    bool unchanged; /* expect 0 and no revision */
} gen;

static Renja__V1__Identity planner;

static void generate(gen *g)
{
    memset(g, 0, sizeof(*g));
    g->plan = rnd_n(N_PLANS);
    mplan *p = &plans[g->plan];
    int want = 1 + rnd_n(rnd_n(4) == 0 ? 12 : 3);
    for (int tries = 0; g->c.n < (size_t)want && tries < 200; tries++) {
        int r = rnd_n(10);
        if (r < 5)
            gen_upsert_item(p, &g->c, &g->pd);
        else if (r < 6)
            gen_remove_item(p, &g->c, &g->pd);
        else if (r < 8)
            gen_line(p, &g->c, &g->pd);
        else
            gen_real(p, &g->c, &g->pd);
    }
    bool has_base = rnd_n(2);
    uint64_t base = p->head;
    if (has_base && p->head > 0 && rnd_n(3) == 0)
        base = p->head - (uint64_t)rnd_n((int)(p->head < 20 ? p->head : 20) + 1);
    g->expect = g->c.n ? 0 : RJ_EINVAL; /* nothing to change */
    /* What equals head is no change, and so no conflict either. */
    drop_unchanged(p, &g->pd);
    if (has_base && g->expect == 0)
        for (size_t i = 0; i < g->pd.n; i++)
            if (model_newest(p, g->pd.w[i].key) > base)
                g->expect = RJ_ECONFLICT;
    if (g->expect == 0 && rnd_n(25) == 0) {
        /* A bad change at the end: the whole submit must be refused. */
        ch_item(&g->c, "2.19.01.1.01.0001", "umkm", 1, 0); /* parent missing */
        g->expect = RJ_EINVAL;
    }
    op_submit_init(&g->op, p->id, &planner, &g->c, has_base, base);
    if (g->expect == 0) {
        g->unchanged = g->pd.n == 0;
        if (!g->unchanged)
            model_commit(p, &g->pd); /* later submits of the batch see it */
    }
}

/* --- checks ------------------------------------------------------------------ */

static void expect_msg(const hist *h, const ProtobufCMessage *m, const char *key)
{
    if (!h) {
        fail_msg("%s: store has a value, model has none", key);
        return;
    }
    size_t len = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = rj_malloc(len + 1);
    protobuf_c_message_pack(m, buf);
    if (len != h->len || memcmp(buf, h->bytes, len) != 0)
        fail_msg("%s: store and model differ", key);
    free(buf);
}

static void check_list(rj_snap *snap, mplan *p, const char *kind, const char *prefix, uint64_t rev)
{
    void **got;
    size_t n;
    int err;
    if (strcmp(kind, "item/") == 0)
        err = rj_snap_items(snap, p->id, prefix, rev, (Renja__V1__Item ***)&got, &n, NULL);
    else if (strcmp(kind, "line/") == 0)
        err = rj_snap_lines(snap, p->id, prefix, rev, (Renja__V1__BudgetLine ***)&got, &n, NULL);
    else
        err = rj_snap_reals(snap, p->id, prefix, rev, (Renja__V1__Realisasi ***)&got, &n, NULL);
    assert_int_equal(err, 0);
    /* The model's keys in key order; realisasi in (kode, tw, ind) order,
     * which for tw and ind < 10 equals key order within one kode. */
    size_t j = 0;
    const hist **want = rj_calloc(p->n_keys + 1, sizeof(*want));
    const char **wkeys = rj_calloc(p->n_keys + 1, sizeof(*wkeys));
    size_t nw = 0;
    for (size_t i = 0; i < p->n_keys; i++) {
        const char *k = p->keys[i].key;
        if (strncmp(k, kind, 5) != 0)
            continue;
        char kk[RJ_KODE_MAX];
        size_t kl = strcspn(k + 5, "/");
        memcpy(kk, k + 5, kl);
        kk[kl] = '\0';
        if (!rj_kode_in_subtree(kk, prefix))
            continue;
        const hist *h = model_at(&p->keys[i], rev);
        if (h) {
            want[nw] = h;
            wkeys[nw++] = k;
        }
    }
    if (strcmp(kind, "real/") == 0) {
        /* key order puts "2.17.01.1.01/" after "2.17.01.1.01.0001/": sort by kode */
        for (size_t a = 1; a < nw; a++)
            for (size_t b = a; b > 0; b--) {
                char ka[RJ_KODE_MAX], kb[RJ_KODE_MAX];
                size_t la = strcspn(wkeys[b - 1] + 5, "/"), lb = strcspn(wkeys[b] + 5, "/");
                memcpy(ka, wkeys[b - 1] + 5, la);
                ka[la] = '\0';
                memcpy(kb, wkeys[b] + 5, lb);
                kb[lb] = '\0';
                if (strcmp(ka, kb) <= 0)
                    break;
                const hist *th = want[b];
                want[b] = want[b - 1];
                want[b - 1] = th;
                const char *tk = wkeys[b];
                wkeys[b] = wkeys[b - 1];
                wkeys[b - 1] = tk;
            }
    }
    if (n != nw)
        fail_msg("plan %s rev %" PRIu64 " %s prefix '%s': store has %zu, model %zu", p->id, rev,
                 kind, prefix, n, nw);
    for (j = 0; j < n; j++)
        expect_msg(want[j], got[j], wkeys[j]);
    free(want);
    free(wkeys);
    rj_msgs_free(got, n);
}

/* --- diffs ----------------------------------------------------------------------- */

/* The live values of kind ("item/" or "line/") at rev, unpacked, in kode order. */
static void **model_list(mplan *p, const char *kind, uint64_t rev, size_t *n)
{
    void **out = rj_calloc(p->n_keys + 1, sizeof(*out));
    *n = 0;
    bool item = strcmp(kind, "item/") == 0;
    for (size_t i = 0; i < p->n_keys; i++) {
        if (strncmp(p->keys[i].key, kind, 5) != 0)
            continue;
        const hist *h = model_at(&p->keys[i], rev);
        if (!h)
            continue;
        out[(*n)++] = item ? (void *)renja__v1__item__unpack(NULL, h->len, h->bytes)
                           : (void *)renja__v1__budget_line__unpack(NULL, h->len, h->bytes);
    }
    return out;
}

static void expect_same_packed(const ProtobufCMessage *a, const ProtobufCMessage *b,
                               const char *what, size_t i, uint64_t from, uint64_t to)
{
    size_t la = protobuf_c_message_get_packed_size(a), lb = protobuf_c_message_get_packed_size(b);
    uint8_t *ba = rj_malloc(la + 1), *bb = rj_malloc(lb + 1);
    protobuf_c_message_pack(a, ba);
    protobuf_c_message_pack(b, bb);
    bool same = la == lb && memcmp(ba, bb, la) == 0;
    free(ba);
    free(bb);
    if (!same)
        fail_msg("diff %" PRIu64 " -> %" PRIu64 ": %s %zu differs from the model", from, to, what,
                 i);
}

static void expect_same_diff(const Renja__V1__DiffResponse *want,
                             const Renja__V1__DiffResponse *got, uint64_t from, uint64_t to,
                             const char *how)
{
    if (want->n_rows != got->n_rows)
        fail_msg("diff %" PRIu64 " -> %" PRIu64 " (%s): %zu rows, model %zu", from, to, how,
                 got->n_rows, want->n_rows);
    assert_int_equal(got->from_rev, from);
    assert_int_equal(got->to_rev, to);
    expect_same_packed(&want->total->base, &got->total->base, "total", 0, from, to);
    for (size_t i = 0; i < want->n_rows; i++)
        expect_same_packed(&want->rows[i]->base, &got->rows[i]->base, "row", i, from, to);
    assert_int_equal(want->n_groups, got->n_groups);
    for (size_t i = 0; i < want->n_groups; i++)
        expect_same_packed(&want->groups[i]->base, &got->groups[i]->base, "group", i, from, to);
}

static int diffs_checked, diff_rows_seen;

/* Diff from -> to of plan p: the store's diff (from its stored roll-ups
 * and group sums, or from the items) against a full recomputation from the
 * model. */
static void check_diff(rj_snap *snap, mplan *p, uint64_t from, uint64_t to)
{
    static const char *const bys[] = {"", "", "bidang", "sumber-dana", "rekening"};
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    char fs[24], ts[24];
    snprintf(fs, sizeof(fs), "%" PRIu64, from);
    snprintf(ts, sizeof(ts), "%" PRIu64, to);
    req.plan = p->id;
    req.from = fs;
    req.to = ts;
    req.by = (char *)bys[rnd_n(5)];
    req.level = rnd_n(3) ? RENJA__V1__LEVEL__LEVEL_UNSPECIFIED : (Renja__V1__Level)(1 + rnd_n(4));
    req.all = rnd_n(6) == 0;

    size_t nfi, nti, nfl, ntl;
    void **fi = model_list(p, "item/", from, &nfi), **ti = model_list(p, "item/", to, &nti);
    void **fl = model_list(p, "line/", from, &nfl), **tl = model_list(p, "line/", to, &ntl);
    rj_diff_input in = {
        .from_items = (Renja__V1__Item **)fi,
        .n_from_items = nfi,
        .to_items = (Renja__V1__Item **)ti,
        .n_to_items = nti,
        .from_lines = (Renja__V1__BudgetLine **)fl,
        .n_from_lines = nfl,
        .to_lines = (Renja__V1__BudgetLine **)tl,
        .n_to_lines = ntl,
        .level = (rj_level)req.level,
        .by = req.by,
        .all = req.all,
    };
    Renja__V1__DiffResponse want = RENJA__V1__DIFF_RESPONSE__INIT;
    Renja__V1__DiffResponse got = RENJA__V1__DIFF_RESPONSE__INIT;
    rj_diag d;
    assert_int_equal(rj_diff_compute(&in, &want, &d), 0);
    if (rj_query_diff(snap, &req, &got, &d) != 0)
        fail_msg("diff %s -> %s of %s: %s", fs, ts, p->id, d.msg);
    expect_same_diff(&want, &got, from, to, "store");
    rj_query_clear(&got.base);
    diffs_checked++;
    diff_rows_seen += (int)want.n_rows;
    rj_query_clear(&want.base);
    rj_msgs_free(fi, nfi);
    rj_msgs_free(ti, nti);
    rj_msgs_free(fl, nfl);
    rj_msgs_free(tl, ntl);
}

static void check_plan_at(rj_store *s, mplan *p, uint64_t rev)
{
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    const char *prefix = rnd_n(3) ? item_kodes[rnd_n(n_item_kodes)] : "";
    check_list(snap, p, "item/", prefix, rev);
    check_list(snap, p, "item/", "", rev);
    check_list(snap, p, "real/", prefix, rev);
    check_list(snap, p, "line/", rnd_n(2) ? line_kodes[rnd_n(N_LINES)] : "", rev);

    /* Single as-of reads. */
    const char *kode = item_kodes[rnd_n(n_item_kodes)];
    char key[96];
    snprintf(key, sizeof(key), "item/%s", kode);
    Renja__V1__Item *it = NULL;
    int err = rj_snap_item(snap, p->id, kode, rev, &it, NULL);
    const hist *h = model_get(p, key, rev);
    assert_int_equal(err, h ? 0 : RJ_ENOTFOUND);
    if (it) {
        expect_msg(h, &it->base, key);
        protobuf_c_message_free_unpacked(&it->base, NULL);
    }
    const char *lk = line_kodes[rnd_n(N_LINES)];
    snprintf(key, sizeof(key), "line/%s", lk);
    Renja__V1__BudgetLine *ln = NULL;
    err = rj_snap_line(snap, p->id, lk, rev, &ln, NULL);
    h = model_get(p, key, rev);
    assert_int_equal(err, h ? 0 : RJ_ENOTFOUND);
    if (ln) {
        expect_msg(h, &ln->base, key);
        protobuf_c_message_free_unpacked(&ln->base, NULL);
    }
    int tw = 1 + rnd_n(4), ind = rnd_n(3);
    snprintf(key, sizeof(key), "real/%s/%d/%d", kode, tw, ind);
    Renja__V1__Realisasi *re = NULL;
    err = rj_snap_real(snap, p->id, kode, tw, ind, rev, &re, NULL);
    h = model_get(p, key, rev);
    assert_int_equal(err, h ? 0 : RJ_ENOTFOUND);
    if (re) {
        expect_msg(h, &re->base, key);
        protobuf_c_message_free_unpacked(&re->base, NULL);
    }

    /* Changed keys between two revisions. */
    uint64_t from = p->head ? (uint64_t)rnd_n((int)p->head + 1) : 0;
    uint64_t to = from + (uint64_t)rnd_n((int)(p->head - from) + 1);
    char **keys;
    size_t n;
    assert_int_equal(rj_snap_changed_keys(snap, p->id, from, to, &keys, &n, NULL), 0);
    size_t nw = 0;
    char **want = NULL;
    for (uint64_t r = from + 1; r <= to; r++) {
        want = rj_realloc(want, (nw + p->rev_nkeys[r] + 1) * sizeof(char *));
        for (size_t i = 0; i < p->rev_nkeys[r]; i++)
            want[nw++] = p->rev_keys[r][i];
    }
    /* sort + unique */
    for (size_t a = 1; a < nw; a++)
        for (size_t b = a; b > 0 && strcmp(want[b - 1], want[b]) > 0; b--) {
            char *t = want[b];
            want[b] = want[b - 1];
            want[b - 1] = t;
        }
    size_t u = 0;
    for (size_t i = 0; i < nw; i++)
        if (u == 0 || strcmp(want[u - 1], want[i]) != 0)
            want[u++] = want[i];
    if (u != n)
        fail_msg("plan %s changed keys (%" PRIu64 ", %" PRIu64 "]: store %zu, model %zu", p->id,
                 from, to, n, u);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(keys[i], want[i]);
    free(want);
    rj_strs_free(keys, n);

    /* Diffs: rev against a random revision, both directions, and itself;
     * now and then a near neighbour. */
    uint64_t other = p->head ? (uint64_t)rnd_n((int)p->head + 1) : 0;
    if (rnd_n(3) == 0 && rev > 0)
        other = rev - 1 - (uint64_t)rnd_n((int)(rev < 3 ? rev : 3));
    int pick = rnd_n(12);
    if (pick < 3)
        check_diff(snap, p, other, rev);
    else if (pick < 6)
        check_diff(snap, p, rev, other);
    else if (pick == 6)
        check_diff(snap, p, rev, rev);

    Renja__V1__Plan *pl;
    assert_int_equal(rj_snap_plan(snap, p->id, &pl, NULL), 0);
    assert_int_equal(pl->head, p->head);
    protobuf_c_message_free_unpacked(&pl->base, NULL);
    rj_snap_end(snap);
}

static void test_model(void **state)
{
    (void)state;
    const char *env = getenv("RENJA_SEED");
    uint64_t seed = env && *env ? strtoull(env, NULL, 10) : 20240816;
    if (seed == 0)
        seed = 1;
    rng_state = seed;
    printf("test_store_model: seed %" PRIu64 " (set RENJA_SEED to replay)\n", seed);
    fflush(stdout);
    planner = ident("perencana", RENJA__V1__ROLE__ROLE_PLANNER, "");
    make_universe();

    char *dir = tmp_dir();
    rj_store *s;
    rj_diag d;
    /* A small map, so that batches also run into MDB_MAP_FULL and redo. */
    setenv("RENJA_MAPSIZE", "131072", 0);
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    for (int i = 0; i < N_PLANS; i++) {
        snprintf(plans[i].id, sizeof(plans[i].id), "opd-%d/2024", i + 1);
        assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, plans[i].id, &planner, "", NULL), 0);
    }

    int done = 0, ok = 0, conflicts = 0, refused = 0, batches = 0;
    while (done < N_SUBMITS) {
        int nb = 1 + rnd_n(rnd_n(3) == 0 ? 16 : 4);
        gen *g = rj_calloc((size_t)nb, sizeof(gen));
        rj_op **ops = rj_calloc((size_t)nb, sizeof(rj_op *));
        uint64_t expect_rev[16];
        for (int i = 0; i < nb; i++) {
            generate(&g[i]);
            ops[i] = &g[i].op;
            expect_rev[i] = g[i].expect == 0 ? plans[g[i].plan].head : 0;
        }
        assert_int_equal(rj_store_apply(s, ops, (size_t)nb), 0);
        batches++;
        for (int i = 0; i < nb; i++) {
            if (g[i].op.err != g[i].expect && getenv("RENJA_MODEL_DEBUG")) {
                mplan *dp = &plans[g[i].plan];
                for (size_t k = 0; k < dp->n_keys; k++) {
                    fprintf(stderr, "%s:", dp->keys[k].key);
                    for (size_t h = 0; h < dp->keys[k].n; h++)
                        fprintf(stderr, " %" PRIu64 "%s", dp->keys[k].h[h].rev,
                                dp->keys[k].h[h].bytes ? "" : "x");
                    fprintf(stderr, "\n");
                }
                for (int b = 0; b < nb; b++)
                    fprintf(stderr, "op %d plan %d expect %d err %d rev %" PRIu64 " %s\n", b,
                            g[b].plan, g[b].expect, g[b].op.err, g[b].op.rev, g[b].op.diag.msg);
            }
            if (g[i].op.err != g[i].expect)
                fail_msg("submit %d: store said %d (%s), model expected %d", done + i, g[i].op.err,
                         g[i].op.diag.msg, g[i].expect);
            if (g[i].expect == 0) {
                assert_int_equal(g[i].op.rev, expect_rev[i]);
                if (g[i].op.unchanged != g[i].unchanged)
                    fail_msg("submit %d: store says unchanged %d, model %d", done + i,
                             g[i].op.unchanged, g[i].unchanged);
                ok++;
            } else if (g[i].expect == RJ_ECONFLICT) {
                conflicts++;
            } else {
                refused++;
            }
            rj_op_clear(&g[i].op);
            changes_free(&g[i].c);
            pending_free(&g[i].pd);
        }
        free(g);
        free(ops);
        done += nb;
        if (rnd_n(4) == 0) {
            mplan *p = &plans[rnd_n(N_PLANS)];
            check_plan_at(s, p, p->head ? (uint64_t)rnd_n((int)p->head + 1) : 0);
            check_plan_at(s, p, p->head);
        }
    }
    /* A final sweep over many revisions of every plan. */
    for (int i = 0; i < N_PLANS; i++)
        for (uint64_t r = 0; r <= plans[i].head; r += 1 + (uint64_t)rnd_n(5))
            check_plan_at(s, &plans[i], r);
    /* Reopen: everything still there. */
    rj_store_close(s);
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    for (int i = 0; i < N_PLANS; i++)
        check_plan_at(s, &plans[i], plans[i].head);
    printf("test_store_model: %d submits in %d batches: %d committed, %d conflicts, %d refused\n",
           done, batches, ok, conflicts, refused);
    printf("test_store_model: %d diffs checked, %d rows\n", diffs_checked, diff_rows_seen);
    assert_true(diffs_checked > 100);
    assert_true(ok > N_SUBMITS / 2);
    assert_true(conflicts > 0);
    assert_true(refused > 0);

    rj_store_close(s);
    rm_rf(dir);
    free(dir);
    for (int i = 0; i < N_PLANS; i++) {
        for (size_t k = 0; k < plans[i].n_keys; k++) {
            for (size_t h = 0; h < plans[i].keys[k].n; h++)
                free(plans[i].keys[k].h[h].bytes);
            free(plans[i].keys[k].h);
            free(plans[i].keys[k].key);
        }
        free(plans[i].keys);
        for (uint64_t r = 1; r <= plans[i].head; r++)
            free(plans[i].rev_keys[r]);
        free(plans[i].rev_keys);
        free(plans[i].rev_nkeys);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
