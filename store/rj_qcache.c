#include "rj_qcache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rj_alloc.h"

struct rj_query_cache {
    pthread_mutex_t mu;
    size_t max;
    rj_qtree **e;
    size_t n;
    uint64_t clock;
    char **strs; /* interned bidang / sumber dana */
    size_t n_strs, cap_strs;
};

rj_query_cache *rj_qcache_new(size_t max_revisions)
{
    rj_query_cache *c = rj_calloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    c->max = max_revisions ? max_revisions : 1;
    c->e = rj_calloc(c->max + 1, sizeof *c->e);
    return c;
}

static void tree_free(rj_qtree *t)
{
    free(t->plan);
    free(t->recs);
    free(t);
}

void rj_qcache_free(rj_query_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        tree_free(c->e[i]);
    for (size_t i = 0; i < c->n_strs; i++)
        free(c->strs[i]);
    free(c->strs);
    free(c->e);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Under c->mu. Few distinct values (bidang, sumber dana): linear search. */
static const char *intern(rj_query_cache *c, const char *s)
{
    if (!s)
        s = "";
    for (size_t i = c->n_strs; i-- > 0;)
        if (strcmp(c->strs[i], s) == 0)
            return c->strs[i];
    RJ_GROW(c->strs, c->n_strs + 1, c->cap_strs, 16);
    return c->strs[c->n_strs++] = rj_strdup(s);
}

/* Under c->mu (for intern). */
static void rec_fill(rj_query_cache *c, rj_qrec *r, const Renja__V1__Item *it)
{
    snprintf(r->kode, sizeof r->kode, "%s", it->kode);
    r->has_pagu = it->has_pagu;
    r->pagu = it->pagu;
    r->level = it->level ? (int)it->level : (int)rj_kode_level(it->kode);
    r->bidang = intern(c, it->bidang);
    r->sumber_dana = intern(c, it->sumber_dana);
}

static void rec_set(rj_query_cache *c, rj_qrec *r, const Renja__V1__Item *it)
{
    pthread_mutex_lock(&c->mu);
    rec_fill(c, r, it);
    pthread_mutex_unlock(&c->mu);
}

static int scan(rj_query_cache *c, rj_snap *snap, const char *plan, uint64_t rev, rj_qtree *t)
{
    Renja__V1__Item **items;
    size_t n;
    int err = rj_snap_items(snap, plan, "", rev, &items, &n, NULL);
    if (err)
        return err;
    t->recs = rj_calloc(n ? n : 1, sizeof *t->recs);
    t->n = n;
    /* One lock for the whole scan, not one per item. */
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < n; i++)
        rec_fill(c, &t->recs[i], items[i]);
    pthread_mutex_unlock(&c->mu);
    rj_msgs_free((void **)items, n);
    return 0;
}

/* base plus the changed item keys read at rev; keys sorted. */
static int derive(rj_query_cache *c, rj_snap *snap, const char *plan, uint64_t rev,
                  const rj_qtree *base, char **keys, size_t nk, rj_qtree *t)
{
    t->recs = rj_calloc(base->n + nk + 1, sizeof *t->recs);
    size_t b = 0, n = 0;
    for (size_t k = 0; k <= nk; k++) {
        const char *ck = NULL;
        if (k < nk) {
            if (strncmp(keys[k], "item/", 5) != 0)
                continue;
            ck = keys[k] + 5;
        }
        while (b < base->n && (!ck || strcmp(base->recs[b].kode, ck) < 0))
            t->recs[n++] = base->recs[b++];
        if (!ck)
            break;
        if (b < base->n && strcmp(base->recs[b].kode, ck) == 0)
            b++;
        Renja__V1__Item *it = NULL;
        int err = rj_snap_item(snap, plan, ck, rev, &it, NULL);
        if (err == RJ_ENOTFOUND)
            continue;
        if (err)
            return err;
        rec_set(c, &t->recs[n++], it);
        protobuf_c_message_free_unpacked(&it->base, NULL);
    }
    t->n = n;
    return 0;
}

/* The pagu tree of the entry, once, so that diffs near this revision can
 * adjust the few nodes that change instead of rolling up every node. */
static void tree_fill(rj_qtree *t)
{
    rj_tree_node *nodes = rj_calloc(t->n ? t->n : 1, sizeof *nodes);
    for (size_t i = 0; i < t->n; i++) {
        nodes[i].kode = t->recs[i].kode;
        nodes[i].has_pagu = t->recs[i].has_pagu;
        nodes[i].pagu = t->recs[i].pagu;
    }
    t->tree_ok =
        rj_tree_compute(nodes, t->n, NULL) == 0 && rj_tree_total(nodes, t->n, &t->total, NULL) == 0;
    for (size_t i = 0; t->tree_ok && i < t->n; i++) {
        t->recs[i].parent = nodes[i].parent;
        t->recs[i].n_children = nodes[i].n_children;
        t->recs[i].child_sum = nodes[i].child_sum;
        t->recs[i].effective = nodes[i].effective;
    }
    free(nodes);
}

static rj_qtree *find(rj_query_cache *c, const char *plan, uint64_t rev)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i]->rev == rev && strcmp(c->e[i]->plan, plan) == 0)
            return c->e[i];
    return NULL;
}

/* The cached revision of plan nearest to rev, referenced; NULL if none.
 * Only revisions up to head, the newest the caller's snapshot sees: an
 * entry built by a newer snapshot is correct, but the keys changed between
 * it and rev are in revisions this snapshot cannot read, so a tree derived
 * from it would be the newer one under rev's number. */
static rj_qtree *nearest(rj_query_cache *c, const char *plan, uint64_t rev, uint64_t head)
{
    rj_qtree *best = NULL;
    for (size_t i = 0; i < c->n; i++) {
        rj_qtree *x = c->e[i];
        if (strcmp(x->plan, plan) != 0 || x->rev > head)
            continue;
        uint64_t dx = x->rev > rev ? x->rev - rev : rev - x->rev;
        uint64_t db = best ? (best->rev > rev ? best->rev - rev : rev - best->rev) : UINT64_MAX;
        if (dx < db)
            best = x;
    }
    if (best)
        best->refs++;
    return best;
}

int rj_qcache_items(rj_query_cache *c, rj_snap *snap, const char *plan, uint64_t rev,
                    const rj_qtree **out, bool *scanned, rj_diag *d)
{
    *scanned = false;
    /* A revision past the snapshot's head would read as the head and be
     * cached under a number that later means something else. */
    uint64_t head;
    int err = rj_snap_resolve(snap, plan, "head", &head, d);
    if (err)
        return err;
    if (rev > head)
        return rj_diag_set(d, RJ_ENOTFOUND, "revision %llu not found in plan %s; head is %llu",
                           (unsigned long long)rev, plan, (unsigned long long)head);
    pthread_mutex_lock(&c->mu);
    rj_qtree *hit = find(c, plan, rev);
    if (hit) {
        hit->refs++;
        hit->used = ++c->clock;
        pthread_mutex_unlock(&c->mu);
        *out = hit;
        return 0;
    }
    rj_qtree *base = nearest(c, plan, rev, head);
    pthread_mutex_unlock(&c->mu);

    rj_qtree *t = rj_calloc(1, sizeof *t);
    t->plan = rj_strdup(plan);
    t->rev = rev;
    bool derived = false;
    if (base) {
        char **keys = NULL;
        size_t nk = 0;
        uint64_t lo = base->rev < rev ? base->rev : rev, hi = base->rev < rev ? rev : base->rev;
        err = rj_snap_changed_keys(snap, plan, lo, hi, &keys, &nk, d);
        /* point reads beat a scan while few items changed */
        if (!err && nk <= base->n / 4 + 64) {
            err = derive(c, snap, plan, rev, base, keys, nk, t);
            derived = err == 0;
        }
        rj_strs_free(keys, nk);
        rj_qcache_release(c, base);
    }
    if (!err && !derived) {
        free(t->recs);
        t->recs = NULL;
        err = scan(c, snap, plan, rev, t);
        *scanned = err == 0;
    }
    if (err) {
        tree_free(t);
        return rj_diag_set(d, err, "reading plan %s at revision %llu failed", plan,
                           (unsigned long long)rev);
    }
    tree_fill(t);

    pthread_mutex_lock(&c->mu);
    rj_qtree *again = find(c, plan, rev);
    if (again) { /* another thread built it meanwhile */
        tree_free(t);
        t = again;
    } else {
        /* evict the least recently used entry nobody holds */
        if (c->n >= c->max) {
            size_t victim = SIZE_MAX;
            for (size_t i = 0; i < c->n; i++)
                if (c->e[i]->refs == 0 &&
                    (victim == SIZE_MAX || c->e[i]->used < c->e[victim]->used))
                    victim = i;
            if (victim != SIZE_MAX) {
                tree_free(c->e[victim]);
                c->e[victim] = c->e[--c->n];
            }
        }
        if (c->n < c->max)
            c->e[c->n++] = t;
        else
            t->refs = -1; /* cache full of held entries: caller-only, freed on release */
    }
    if (t->refs >= 0)
        t->refs++;
    t->used = ++c->clock;
    pthread_mutex_unlock(&c->mu);
    *out = t;
    return 0;
}

void rj_qcache_release(rj_query_cache *c, const rj_qtree *ct)
{
    rj_qtree *t = (rj_qtree *)ct;
    if (!t)
        return;
    /* refs of a published entry changes under c->mu in other threads:
     * read it under the lock too (an unlocked read is a data race). */
    pthread_mutex_lock(&c->mu);
    bool private = t->refs < 0; /* never published: only the caller has it */
    if (!private)
        t->refs--;
    pthread_mutex_unlock(&c->mu);
    if (private)
        tree_free(t);
}

int rj_qcache_peek(rj_query_cache *c, rj_snap *snap, const char *plan, uint64_t a, uint64_t b,
                   const rj_qtree **out, rj_diag *d)
{
    *out = NULL;
    uint64_t head;
    int err = rj_snap_resolve(snap, plan, "head", &head, d);
    if (err)
        return err;
    pthread_mutex_lock(&c->mu);
    rj_qtree *best = NULL;
    uint64_t db = UINT64_MAX;
    for (size_t i = 0; i < c->n; i++) {
        rj_qtree *x = c->e[i];
        /* newer than the snapshot: see nearest() */
        if (strcmp(x->plan, plan) != 0 || x->rev > head)
            continue;
        uint64_t da = x->rev > a ? x->rev - a : a - x->rev;
        uint64_t dbb = x->rev > b ? x->rev - b : b - x->rev;
        uint64_t dx = da < dbb ? da : dbb;
        if (dx < db) {
            best = x;
            db = dx;
        }
    }
    if (best) {
        best->refs++;
        best->used = ++c->clock;
    }
    pthread_mutex_unlock(&c->mu);
    *out = best;
    return 0;
}
