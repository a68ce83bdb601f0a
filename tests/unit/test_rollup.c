/* Stored roll-ups on a real store in a temp dir: after every submit of a
 * long random run (items added at every level, pagu declared and not,
 * removals, recursive removals), the roll-up the store
 * keeps for every item and for the plan equals what rj_tree computes from
 * all the items at that revision; and again for every revision at the end.
 * Then a sum that leaves int64, and the upgrade from schema 1: roll-ups
 * from the head on, older revisions diffed from the items. */
#include <lmdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rj_diff.h"
#include "rj_engine_fixture.h"
#include "rj_kode.h"
#include "rj_query.h"
#include "rj_tree.h"
#include "test_store_util.h"

#define PLAN "rollup/2024"

static Renja__V1__Identity admin = {PROTOBUF_C_MESSAGE_INIT(&renja__v1__identity__descriptor),
                                    "admin", RENJA__V1__ROLE__ROLE_ADMIN, ""};

/* 2 urusan, 3 programs, 6 kegiatan, 18 sub kegiatan */
static const char *kodes[] = {
    "2.17",
    "2.17.01",
    "2.17.01.1.01",
    "2.17.01.1.01.0001",
    "2.17.01.1.01.0002",
    "2.17.01.1.01.0003",
    "2.17.01.1.02",
    "2.17.01.1.02.0001",
    "2.17.01.1.02.0002",
    "2.17.01.1.02.0003",
    "2.17.02",
    "2.17.02.1.01",
    "2.17.02.1.01.0001",
    "2.17.02.1.01.0002",
    "2.17.02.1.01.0003",
    "2.17.02.1.02",
    "2.17.02.1.02.0001",
    "2.17.02.1.02.0002",
    "2.17.02.1.02.0003",
    "2.18",
    "2.18.01",
    "2.18.01.1.01",
    "2.18.01.1.01.0001",
    "2.18.01.1.01.0002",
    "2.18.01.1.01.0003",
    "2.18.01.1.02",
    "2.18.01.1.02.0001",
    "2.18.01.1.02.0002",
    "2.18.01.1.02.0003",
};
#define NK (sizeof kodes / sizeof kodes[0])

static uint64_t lcg;

static unsigned rnd(unsigned n)
{
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(lcg >> 33) % n;
}

static void create_plan(rj_store *s)
{
    rj_op op = {.kind = RJ_OP_CREATE_PLAN, .plan = PLAN, .who = &admin, .now_ms = 1, .nama = "x"};
    rj_op *ops[] = {&op};
    assert_int_equal(rj_store_apply(s, ops, 1), 0);
    assert_int_equal(op.err, 0);
    rj_op_clear(&op);
}

/* A submit of the changes; 0 when the store refused it (a removal of a
 * parent whose children stay, of an absent item). */
static uint64_t submit(rj_store *s, Renja__V1__Change **c, size_t n)
{
    rj_op op = {.kind = RJ_OP_SUBMIT,
                .plan = PLAN,
                .who = &admin,
                .now_ms = 1,
                .message = "t",
                .changes = c,
                .n_changes = n};
    rj_op *ops[] = {&op};
    assert_int_equal(rj_store_apply(s, ops, 1), 0);
    uint64_t rev = op.err || op.unchanged ? 0 : op.rev;
    if (getenv("ROLLUP_DEBUG") && op.err)
        print_message("refused: %s\n", op.diag.msg);
    rj_op_clear(&op);
    fx_free(c, n);
    return rev;
}

static Renja__V1__Change *upsert_in(const char *kode, bool has_pagu, int64_t pagu,
                                    const char *bidang, const char *sumber)
{
    Renja__V1__Change *x = rj_malloc(sizeof *x);
    renja__v1__change__init(x);
    x->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
    x->upsert_item = fx_item(kode, has_pagu, pagu, NULL, bidang, sumber);
    return x;
}

static Renja__V1__Change *upsert(const char *kode, bool has_pagu, int64_t pagu)
{
    return upsert_in(kode, has_pagu, pagu, "Sekretariat", "PAD");
}

static Renja__V1__Change *removal(const char *kode, bool recursive)
{
    Renja__V1__Change *x = rj_malloc(sizeof *x);
    renja__v1__change__init(x);
    x->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM;
    x->remove_item = rj_strdup(kode);
    x->recursive = recursive;
    return x;
}

/* A new store in a new temp dir, holding the plan. */
static rj_store *new_store(char **dir)
{
    rj_store *s;
    rj_diag d;
    *dir = tmp_dir();
    if (rj_store_open(*dir, &s, &d))
        fail_msg("open %s: %s", *dir, d.msg);
    create_plan(s);
    return s;
}

/* The store closed and its dir removed. */
static void drop_store(rj_store *s, char *dir)
{
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

/* Urusan 2.17, program 2.17.01 and kegiatan 2.17.01.1.01, no pagu, into
 * c[0..3). */
static void kegiatan_path(Renja__V1__Change **c)
{
    c[0] = upsert("2.17", false, 0);
    c[1] = upsert("2.17.01", false, 0);
    c[2] = upsert("2.17.01.1.01", false, 0);
}

/* Urusan 2.<u>, its program and kegiatan (no pagu), and n sub kegiatan at
 * the largest pagu under them, into c; how many changes. */
static size_t full_kegiatan(Renja__V1__Change **c, int u, size_t n)
{
    char kode[32];
    snprintf(kode, sizeof kode, "2.%d", u);
    c[0] = upsert(kode, false, 0);
    snprintf(kode, sizeof kode, "2.%d.01", u);
    c[1] = upsert(kode, false, 0);
    snprintf(kode, sizeof kode, "2.%d.01.1.01", u);
    c[2] = upsert(kode, false, 0);
    for (size_t i = 0; i < n; i++) {
        snprintf(kode, sizeof kode, "2.%d.01.1.01.%04zu", u, i + 1);
        c[3 + i] = upsert(kode, true, RJ_PAGU_MAX);
    }
    return n + 3;
}

/* The stored group sums by ("bidang" or "sumber-dana") at rev against
 * the sub kegiatan among items, nodes: count and effective pagu by name. */
static void check_groups(rj_snap *snap, uint64_t rev, const char *by, Renja__V1__Item **items,
                         const rj_tree_node *nodes, size_t n)
{
    rj_group_sum *g;
    size_t ng;
    rj_diag d;
    assert_int_equal(rj_snap_groups(snap, PLAN, by, rev, &g, &ng, &d), 0);
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (rj_kode_level(items[i]->kode) != RJ_LEVEL_SUB_KEGIATAN)
            continue;
        const char *v = by[0] == 'b' ? items[i]->bidang : items[i]->sumber_dana;
        const char *name = v && *v ? v : by[0] == 'b' ? "(tanpa bidang)" : "(tanpa sumber dana)";
        bool first = true;
        uint64_t count = 0;
        int64_t sum = 0;
        for (size_t j = 0; j < n; j++) {
            if (rj_kode_level(items[j]->kode) != RJ_LEVEL_SUB_KEGIATAN)
                continue;
            const char *w = by[0] == 'b' ? items[j]->bidang : items[j]->sumber_dana;
            const char *wn = w && *w ? w : by[0] == 'b' ? "(tanpa bidang)" : "(tanpa sumber dana)";
            if (strcmp(wn, name) != 0)
                continue;
            first = first && j >= i;
            count++;
            sum += nodes[j].effective;
        }
        if (!first)
            continue; /* counted at its first sub kegiatan */
        seen++;
        size_t k = 0;
        while (k < ng && strcmp(g[k].name, name) != 0)
            k++;
        if (k == ng)
            fail_msg("rev %llu, by %s: no stored group %s", (unsigned long long)rev, by, name);
        if (g[k].n != count || g[k].pagu != sum)
            fail_msg("rev %llu, by %s, %s: stored %llu sub kegiatan, %lld; computed %llu, %lld",
                     (unsigned long long)rev, by, name, (unsigned long long)g[k].n,
                     (long long)g[k].pagu, (unsigned long long)count, (long long)sum);
    }
    if (seen != ng)
        fail_msg("rev %llu, by %s: %zu groups stored, %zu computed", (unsigned long long)rev, by,
                 ng, seen);
    for (size_t k = 1; k < ng; k++)
        assert_true(strcmp(g[k - 1].name, g[k].name) < 0);
    rj_group_sums_free(g, ng);
}

/* Every stored roll-up and group sum at rev against the tree of all items
 * at rev. */
static void check_rev(rj_store *s, uint64_t rev)
{
    rj_snap *snap;
    rj_diag d;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    Renja__V1__Item **items;
    size_t n;
    assert_int_equal(rj_snap_items(snap, PLAN, "", rev, &items, &n, &d), 0);
    rj_tree_node *nodes = rj_calloc(n ? n : 1, sizeof *nodes);
    for (size_t i = 0; i < n; i++) {
        nodes[i].kode = items[i]->kode;
        nodes[i].has_pagu = items[i]->has_pagu;
        nodes[i].pagu = items[i]->pagu;
    }
    int64_t total = 0;
    assert_int_equal(rj_tree_compute(nodes, n, &d), 0);
    assert_int_equal(rj_tree_total(nodes, n, &total, &d), 0);
    uint64_t roots = 0;
    for (size_t i = 0; i < n; i++) {
        rj_rollup r;
        assert_int_equal(rj_snap_rollup(snap, PLAN, nodes[i].kode, rev, &r, &d), 0);
        if (r.n_children != nodes[i].n_children ||
            r.child_sum != (nodes[i].n_children ? nodes[i].child_sum : 0))
            fail_msg("rev %llu, %s: stored %llu children, sum %lld; computed %zu, %lld",
                     (unsigned long long)rev, nodes[i].kode, (unsigned long long)r.n_children,
                     (long long)r.child_sum, nodes[i].n_children, (long long)nodes[i].child_sum);
        roots += nodes[i].parent == RJ_TREE_ROOT;
    }
    rj_rollup p;
    assert_int_equal(rj_snap_rollup(snap, PLAN, "", rev, &p, &d), 0);
    if (p.child_sum != total || p.n_children != roots)
        fail_msg("rev %llu: plan total %lld, %llu roots from the roll-ups; computed %lld, %llu",
                 (unsigned long long)rev, (long long)p.child_sum, (unsigned long long)p.n_children,
                 (long long)total, (unsigned long long)roots);
    check_groups(snap, rev, "bidang", items, nodes, n);
    check_groups(snap, rev, "sumber-dana", items, nodes, n);
    free(nodes);
    fx_free(items, n);
    free(items);
    rj_snap_end(snap);
}

/* A diff by ("bidang", "sumber-dana") from the stored group sums against
 * the diff engine's own groups from both whole sides. */
static void check_by_diff(rj_store *s, uint64_t from, uint64_t to, const char *by)
{
    rj_snap *snap;
    rj_diag d;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    char f[24], t[24];
    snprintf(f, sizeof f, "%llu", (unsigned long long)from);
    snprintf(t, sizeof t, "%llu", (unsigned long long)to);
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    req.plan = PLAN;
    req.from = f;
    req.to = t;
    req.by = (char *)by;
    Renja__V1__DiffResponse got = RENJA__V1__DIFF_RESPONSE__INIT;
    if (rj_query_diff(snap, &req, &got, &d) != 0)
        fail_msg("diff %s..%s by %s: %s", f, t, by, d.msg);
    Renja__V1__Item **fi, **ti;
    size_t nfi, nti;
    assert_int_equal(rj_snap_items(snap, PLAN, "", from, &fi, &nfi, &d), 0);
    assert_int_equal(rj_snap_items(snap, PLAN, "", to, &ti, &nti, &d), 0);
    rj_diff_input in = {
        .from_items = fi, .n_from_items = nfi, .to_items = ti, .n_to_items = nti, .by = by};
    Renja__V1__DiffResponse want = RENJA__V1__DIFF_RESPONSE__INIT;
    assert_int_equal(rj_diff_compute(&in, &want, &d), 0);
    assert_int_equal(got.n_groups, want.n_groups);
    for (size_t i = 0; i < want.n_groups; i++) {
        const Renja__V1__DiffGroup *a = got.groups[i], *b = want.groups[i];
        if (strcmp(a->key, b->key) || strcmp(a->nama, b->nama) || a->pagu_from != b->pagu_from ||
            a->pagu_to != b->pagu_to || a->delta != b->delta || a->has_pct != b->has_pct ||
            a->pct_e2 != b->pct_e2)
            fail_msg("diff %s..%s by %s, group %zu: %s %lld -> %lld; the engine: %s %lld -> %lld",
                     f, t, by, i, a->key, (long long)a->pagu_from, (long long)a->pagu_to, b->key,
                     (long long)b->pagu_from, (long long)b->pagu_to);
    }
    rj_query_clear(&got.base);
    rj_query_clear(&want.base);
    fx_free(fi, nfi);
    free(fi);
    fx_free(ti, nti);
    free(ti);
    rj_snap_end(snap);
}

static void test_random_history(void **state)
{
    (void)state;
    char *dir;
    rj_store *s = new_store(&dir);
    check_rev(s, 0);
    lcg = 20240601;
    uint64_t head = 0;
    size_t made = 0, refused = 0;
    bool present[NK] = {0};
    for (int round = 0; round < 800; round++) {
        Renja__V1__Change *c[4];
        size_t n = 1 + rnd(4);
        bool used[NK] = {0}, next[NK];
        memcpy(next, present, sizeof next);
        for (size_t i = 0; i < n; i++) {
            unsigned k;
            do
                k = rnd(NK);
            while (used[k]);
            used[k] = true;
            unsigned what = rnd(10);
            if (what < 2 && present[k]) {
                c[i] = removal(kodes[k], what == 0);
                next[k] = false;
                for (size_t j = 0; j < NK; j++)
                    if (what == 0 && rj_kode_in_subtree(kodes[j], kodes[k]))
                        next[j] = false;
            } else {
                static const char *bidang[] = {"Sekretariat", "Bidang UMKM", "Bidang Koperasi", ""};
                static const char *sumber[] = {"PAD", "DAK", ""};
                const char *b = bidang[rnd(4)], *sd = sumber[rnd(3)];
                c[i] = upsert_in(kodes[k], what >= 4, (int64_t)rnd(1000000), b, sd);
                next[k] = true;
            }
        }
        uint64_t rev = submit(s, c, n);
        if (!rev) {
            refused++; /* a missing parent, a child left behind */
            continue;
        }
        memcpy(present, next, sizeof next);
        assert_int_equal(rev, head + 1);
        head = rev;
        made++;
        check_rev(s, head);
        if (made % 25 == 0) {
            uint64_t from = rnd((unsigned)head);
            check_by_diff(s, from, head, "bidang");
            check_by_diff(s, head, from, "sumber-dana");
        }
    }
    print_message("%zu revisions, %zu submits refused\n", made, refused);
    assert_true(made > 200);
    for (uint64_t r = 0; r <= head; r++)
        check_rev(s, r);
    drop_store(s, dir);
}

/* A declared pagu stops the move upwards; a recursive removal takes the
 * subtree's figures away. */
static void test_declared_and_removed(void **state)
{
    (void)state;
    char *dir;
    rj_store *s = new_store(&dir);
    rj_diag d;
    Renja__V1__Change *c[5];
    kegiatan_path(c);
    c[3] = upsert("2.17.01.1.01.0001", true, 100);
    c[4] = upsert("2.17.01.1.01.0002", true, 20);
    assert_int_equal(submit(s, c, 5), 1);
    c[0] = upsert("2.17.01.1.01", true, 7);
    assert_int_equal(submit(s, c, 1), 2);
    c[0] = upsert("2.17.01.1.01.0002", true, 25);
    assert_int_equal(submit(s, c, 1), 3);
    c[0] = removal("2.17.01", true);
    assert_int_equal(submit(s, c, 1), 4);
    for (uint64_t r = 0; r <= 4; r++)
        check_rev(s, r);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    rj_rollup p;
    assert_int_equal(rj_snap_rollup(snap, PLAN, "2.17", 1, &p, &d), 0);
    assert_int_equal(p.n_children, 1); /* 2.17.01 */
    assert_int_equal(p.child_sum, 120);
    assert_int_equal(rj_snap_rollup(snap, PLAN, "2.17", 2, &p, &d), 0);
    assert_int_equal(p.child_sum, 7); /* the kegiatan's declared pagu */
    assert_int_equal(rj_snap_rollup(snap, PLAN, "2.17.01.1.01", 3, &p, &d), 0);
    assert_int_equal(p.child_sum, 125); /* checked against the declared 7 */
    assert_int_equal(rj_snap_rollup(snap, PLAN, "2.17", 3, &p, &d), 0);
    assert_int_equal(p.child_sum, 7);
    assert_int_equal(rj_snap_rollup(snap, PLAN, "2.17", 4, &p, &d), 0);
    assert_int_equal(p.n_children, 0);
    assert_int_equal(p.child_sum, 0);
    assert_int_equal(rj_snap_rollup(snap, PLAN, "", 4, &p, &d), 0);
    assert_int_equal(p.n_children, 1); /* 2.17 is the one root */
    assert_int_equal(p.child_sum, 0);
    rj_snap_end(snap);
    drop_store(s, dir);
}

/* 9,300 sub kegiatan at the largest pagu leave int64 in their kegiatan:
 * the plan's roll-ups are not known at that revision, and known again
 * (computed from every item) once the sum fits. */
static void test_sum_leaves_int64(void **state)
{
    (void)state;
    char *dir;
    rj_store *s = new_store(&dir);
    rj_diag d;
    size_t n = 9300;
    Renja__V1__Change **c = rj_calloc(n + 3, sizeof *c);
    assert_int_equal(submit(s, c, full_kegiatan(c, 17, n)), 1);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    rj_rollup p;
    assert_int_equal(rj_snap_rollup(snap, PLAN, "", 1, &p, &d), RJ_ENOTFOUND);
    rj_snap_end(snap);
    for (size_t i = 0; i < 200; i++) {
        char kode[32];
        snprintf(kode, sizeof kode, "2.17.01.1.01.%04zu", i + 1);
        c[i] = upsert(kode, true, 1);
    }
    assert_int_equal(submit(s, c, 200), 2);
    check_rev(s, 2);
    c[0] = upsert("2.17.01.1.01.0001", true, 2);
    assert_int_equal(submit(s, c, 1), 3);
    check_rev(s, 3);
    free(c);
    drop_store(s, dir);
}

/* Several submits in one batch (the daemon's group commit), one of them
 * refused: each revision's roll-ups are those of its own items. */
static void test_batch(void **state)
{
    (void)state;
    char *dir;
    rj_store *s = new_store(&dir);
    Renja__V1__Change *c[3];
    kegiatan_path(c);
    assert_int_equal(submit(s, c, 3), 1);
    enum { N = 12 };
    Renja__V1__Change *cs[N][2];
    rj_op op[N];
    rj_op *ops[N];
    for (int i = 0; i < N; i++) {
        char kode[32];
        snprintf(kode, sizeof kode, "2.17.01.1.01.%04d", i % 5 + 1);
        cs[i][0] = upsert(kode, true, 1000 * (i + 1));
        /* the sixth removes what is not there: refused, the rest go on */
        cs[i][1] = i == 5 ? removal("2.17.02", false) : upsert("2.17.01.1.02", i % 2, 7 * i);
        op[i] = (rj_op){.kind = RJ_OP_SUBMIT,
                        .plan = PLAN,
                        .who = &admin,
                        .now_ms = 1,
                        .message = "t",
                        .changes = cs[i],
                        .n_changes = 2};
        ops[i] = &op[i];
    }
    assert_int_equal(rj_store_apply(s, ops, N), 0);
    uint64_t head = 1;
    for (int i = 0; i < N; i++) {
        if (i == 5)
            assert_int_not_equal(op[i].err, 0);
        else {
            assert_int_equal(op[i].err, 0);
            assert_int_equal(op[i].rev, ++head);
        }
        rj_op_clear(&op[i]);
        fx_free(cs[i], 2);
    }
    for (uint64_t r = 0; r <= head; r++)
        check_rev(s, r);
    drop_store(s, dir);
}

static Renja__V1__DiffResponse *diff(rj_store *s, const char *from, const char *to)
{
    rj_snap *snap;
    rj_diag d;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    req.plan = PLAN;
    req.from = (char *)from;
    req.to = (char *)to;
    Renja__V1__DiffResponse *out = rj_malloc(sizeof *out);
    renja__v1__diff_response__init(out);
    if (rj_query_diff(snap, &req, out, &d) != 0)
        fail_msg("diff %s..%s: %s", from, to, d.msg);
    rj_snap_end(snap);
    return out;
}

/* Two urusan whose sums fit while the plan's total does not: a diff to
 * that revision fails as the full computation fails (RJ_EOVERFLOW), never
 * with a partial answer. */
static void test_total_leaves_int64(void **state)
{
    (void)state;
    char *dir;
    rj_store *s = new_store(&dir);
    rj_diag d;
    size_t n = 4700;
    Renja__V1__Change **c = rj_calloc(n + 3, sizeof *c);
    for (int u = 0; u < 2; u++)
        assert_int_equal(submit(s, c, full_kegiatan(c, 17 + u, n)), (uint64_t)u + 1);
    free(c);
    check_rev(s, 1);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    rj_rollup p;
    assert_int_equal(rj_snap_rollup(snap, PLAN, "", 2, &p, &d), RJ_EOVERFLOW);
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    req.plan = PLAN;
    req.from = "1";
    req.to = "2";
    Renja__V1__DiffResponse out = RENJA__V1__DIFF_RESPONSE__INIT;
    rj_diag_clear(&d);
    assert_int_equal(rj_query_diff(snap, &req, &out, &d), RJ_EOVERFLOW);
    rj_query_clear(&out.base);
    rj_snap_end(snap);
    drop_store(s, dir);
}

/* Take the closed store in dir back to schema 1 (no roll-ups, no group
 * sums) or 2 (no group sums). */
static void to_schema(const char *dir, int schema)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta, rollups, groups;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 16);
    assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    if (schema < 2) {
        assert_int_equal(mdb_dbi_open(txn, "rollups", 0, &rollups), 0);
        assert_int_equal(mdb_drop(txn, rollups, 1), 0);
    }
    assert_int_equal(mdb_dbi_open(txn, "groups", 0, &groups), 0);
    assert_int_equal(mdb_drop(txn, groups, 1), 0);
    char v1[2] = {(char)('0' + schema), 0};
    MDB_val k = {6, "schema"}, v = {1, v1};
    assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* A store of schema 1 (no roll-ups) is upgraded at open: roll-ups from its
 * head on; a diff from an older revision reads the items, and both give
 * the same figures as before the upgrade. */
static void test_upgrade_from_schema_1(void **state)
{
    (void)state;
    char *dir;
    rj_store *s = new_store(&dir);
    rj_diag d;
    Renja__V1__Change *c[4];
    c[0] = upsert("2.17", false, 0);
    c[1] = upsert("2.17.01", true, 500);
    c[2] = upsert("2.17.01.1.01", false, 0);
    c[3] = upsert("2.17.01.1.01.0001", true, 100);
    assert_int_equal(submit(s, c, 4), 1);
    c[0] = upsert("2.17.01.1.01.0002", true, 40);
    assert_int_equal(submit(s, c, 1), 2);
    Renja__V1__DiffResponse *before = diff(s, "1", "2");
    rj_store_close(s);

    to_schema(dir, 1);
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    long from;
    const char *what;
    assert_int_equal(rj_store_upgraded(s, &from, &what), 1); /* one plan */
    assert_int_equal(from, 1);
    assert_string_equal(what, "roll-ups and group sums");
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    rj_rollup p;
    assert_int_equal(rj_snap_rollup(snap, PLAN, "", 1, &p, &d), RJ_ENOTFOUND);
    assert_int_equal(rj_snap_rollup(snap, PLAN, "", 2, &p, &d), 0);
    assert_int_equal(p.child_sum, 500);
    rj_snap_end(snap);
    check_rev(s, 2);
    Renja__V1__DiffResponse *after = diff(s, "1", "2");
    assert_non_null(after->total);
    assert_int_equal(after->total->pagu_from, before->total->pagu_from);
    assert_int_equal(after->total->pagu_to, before->total->pagu_to);
    assert_int_equal(after->total->pagu_to, 500);
    assert_int_equal(after->n_rows, before->n_rows);
    for (size_t i = 0; i < after->n_rows; i++) {
        assert_string_equal(after->rows[i]->kode, before->rows[i]->kode);
        assert_int_equal(after->rows[i]->pagu_from, before->rows[i]->pagu_from);
        assert_int_equal(after->rows[i]->pagu_to, before->rows[i]->pagu_to);
    }
    c[0] = upsert("2.17.01.1.01.0003", true, 1);
    assert_int_equal(submit(s, c, 1), 3);
    check_rev(s, 3);
    check_by_diff(s, 1, 3, "bidang");
    rj_store_close(s);
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    assert_int_equal(rj_store_upgraded(s, &from, &what), 0); /* schema 3 already */
    protobuf_c_message_free_unpacked(&before->base, NULL);
    protobuf_c_message_free_unpacked(&after->base, NULL);
    drop_store(s, dir);
}

/* A store of schema 2 (roll-ups, no group sums): group sums from its head
 * on, a diff by bidang from an older revision reads the items, the same
 * figures either way. */
static void test_upgrade_from_schema_2(void **state)
{
    (void)state;
    char *dir;
    rj_store *s = new_store(&dir);
    rj_diag d;
    Renja__V1__Change *c[5];
    kegiatan_path(c);
    c[3] = upsert_in("2.17.01.1.01.0001", true, 100, "Bidang UMKM", "DAK");
    c[4] = upsert_in("2.17.01.1.01.0002", true, 40, "", "PAD");
    assert_int_equal(submit(s, c, 5), 1);
    c[0] = upsert_in("2.17.01.1.01.0002", true, 45, "Bidang UMKM", "");
    assert_int_equal(submit(s, c, 1), 2);
    rj_store_close(s);
    to_schema(dir, 2);
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    long from;
    const char *what;
    assert_int_equal(rj_store_upgraded(s, &from, &what), 1);
    assert_int_equal(from, 2);
    assert_string_equal(what, "group sums");
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    rj_group_sum *g;
    size_t ng;
    assert_int_equal(rj_snap_groups(snap, PLAN, "bidang", 1, &g, &ng, &d), RJ_ENOTFOUND);
    assert_int_equal(rj_snap_groups(snap, PLAN, "bidang", 2, &g, &ng, &d), 0);
    assert_int_equal(ng, 1);
    assert_string_equal(g[0].name, "Bidang UMKM");
    assert_int_equal(g[0].n, 2);
    assert_int_equal(g[0].pagu, 145);
    rj_group_sums_free(g, ng);
    rj_snap_end(snap);
    check_rev(s, 2);
    check_by_diff(s, 1, 2, "bidang");
    check_by_diff(s, 2, 1, "sumber-dana");
    c[0] = removal("2.17.01.1.01.0001", false);
    assert_int_equal(submit(s, c, 1), 3);
    check_rev(s, 3);
    check_by_diff(s, 2, 3, "bidang");
    check_by_diff(s, 1, 3, "sumber-dana");
    drop_store(s, dir);
}

/* A bidang and sumber dana too long for a pair's key: the group sums are
 * not known from that revision (a diff by bidang reads the items, the same
 * figures), and known again from the submit after the name is shortened;
 * a name holding the separator makes them unknown the same way. */
static void test_long_group_names(void **state)
{
    (void)state;
    char *dir;
    rj_store *s = new_store(&dir);
    rj_diag d;
    char longb[81], longs[41];
    memset(longb, 'b', sizeof longb - 1);
    longb[sizeof longb - 1] = '\0';
    memset(longs, 's', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    Renja__V1__Change *c[4];
    kegiatan_path(c);
    c[3] = upsert_in("2.17.01.1.01.0001", true, 100, "Bidang UMKM", "DAK");
    assert_int_equal(submit(s, c, 4), 1);
    c[0] = upsert_in("2.17.01.1.01.0002", true, 7, longb, longs);
    assert_int_equal(submit(s, c, 1), 2);
    rj_snap *snap;
    rj_group_sum *g;
    size_t ng;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    assert_int_equal(rj_snap_groups(snap, PLAN, "bidang", 1, &g, &ng, &d), 0);
    rj_group_sums_free(g, ng);
    assert_int_equal(rj_snap_groups(snap, PLAN, "bidang", 2, &g, &ng, &d), RJ_ENOTFOUND);
    rj_snap_end(snap);
    check_by_diff(s, 1, 2, "bidang");
    check_by_diff(s, 2, 1, "sumber-dana");
    c[0] = upsert_in("2.17.01.1.01.0001", true, 90, "Bidang UMKM", "DAK");
    assert_int_equal(submit(s, c, 1), 3); /* still not known: the long names stay */
    c[0] = upsert_in("2.17.01.1.01.0002", true, 8, "Bidang UMKM", longs);
    assert_int_equal(submit(s, c, 1), 4);
    check_rev(s, 4);
    check_by_diff(s, 1, 4, "bidang");
    check_by_diff(s, 2, 4, "sumber-dana");
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    assert_int_equal(rj_snap_groups(snap, PLAN, "bidang", 3, &g, &ng, &d), RJ_ENOTFOUND);
    assert_int_equal(rj_snap_groups(snap, PLAN, "bidang", 4, &g, &ng, &d), 0);
    assert_int_equal(ng, 1);
    assert_int_equal(g[0].n, 2);
    assert_int_equal(g[0].pagu, 98);
    rj_group_sums_free(g, ng);
    rj_snap_end(snap);
    /* a name holding the pairs' separator cannot be told apart in a key */
    c[0] = upsert_in("2.17.01.1.01.0003", true, 5, "Bidang\x1fUMKM", "DAK");
    assert_int_equal(submit(s, c, 1), 5);
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);
    assert_int_equal(rj_snap_groups(snap, PLAN, "bidang", 5, &g, &ng, &d), RJ_ENOTFOUND);
    rj_snap_end(snap);
    check_by_diff(s, 4, 5, "bidang");
    check_by_diff(s, 1, 5, "sumber-dana");
    drop_store(s, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_history),
        cmocka_unit_test(test_declared_and_removed),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_sum_leaves_int64),
        cmocka_unit_test(test_total_leaves_int64),
        cmocka_unit_test(test_upgrade_from_schema_1),
        cmocka_unit_test(test_upgrade_from_schema_2),
        cmocka_unit_test(test_long_group_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
