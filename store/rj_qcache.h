/* A cache of the pagu tree of a plan per revision, for diffs whose cost
 * should follow the size of the change. Internal to the query engines
 * (rj_query.h exposes the handle as rj_query_cache).
 *
 * Revisions are immutable, so an entry never goes stale. An entry for a
 * revision is built from a cached revision of the same plan plus the keys
 * changed in between (one point read per changed item), or, when no
 * cached revision is near, from one range scan. Each entry carries its
 * pagu tree (rj_tree.h), computed once when it is built, so that a diff
 * near it adjusts only the changed nodes. One cache serves one store;
 * it is shared by threads (a mutex guards the table, entries are
 * reference-counted and immutable once published).
 */
#ifndef RJ_QCACHE_H
#define RJ_QCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rj_kode.h"
#include "rj_store.h"
#include "rj_tree.h"

typedef struct rj_query_cache rj_query_cache;

/* One item as the pagu tree sees it. Strings are interned in the cache and
 * live as long as the cache. */
typedef struct rj_qrec {
    char kode[RJ_KODE_MAX];
    bool has_pagu;
    int level;
    int64_t pagu;
    const char *bidang;
    const char *sumber_dana;
    /* the pagu tree at this revision (rj_tree.h), filled when the entry is
     * built: index of the nearest present ancestor or RJ_TREE_ROOT */
    size_t parent;
    size_t n_children;
    int64_t child_sum;
    int64_t effective;
} rj_qrec;

typedef struct rj_qtree {
    char *plan;
    uint64_t rev;
    size_t n;
    rj_qrec *recs; /* sorted by kode */
    bool tree_ok;  /* false when a sum left int64: the tree fields are unset */
    int64_t total; /* the plan total (sum of the roots' effective pagu) */
    /* owned by the cache */
    int refs;
    uint64_t used; /* LRU clock */
} rj_qtree;

rj_query_cache *rj_qcache_new(size_t max_revisions);
void rj_qcache_free(rj_query_cache *c);

/* The items of plan at rev; release with rj_qcache_release. *scanned tells
 * whether a range scan was needed (for tests and benchmarks). rev must be
 * at most the plan's head as snap sees it (RJ_ENOTFOUND otherwise). */
int rj_qcache_items(rj_query_cache *c, rj_snap *snap, const char *plan, uint64_t rev,
                    const rj_qtree **out, bool *scanned, rj_diag *d);
void rj_qcache_release(rj_query_cache *c, const rj_qtree *t);

/* The cached revision of plan nearest to a or b (both at most the head
 * snap sees), referenced, without building anything; *out is NULL when
 * the cache holds no usable revision of plan. */
int rj_qcache_peek(rj_query_cache *c, rj_snap *snap, const char *plan, uint64_t a, uint64_t b,
                   const rj_qtree **out, rj_diag *d);

#endif
