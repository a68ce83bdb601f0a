/* Unit tests of the store on a real LMDB environment in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <lmdb.h>
#include <pthread.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "rj_kode.h"

#include "test_store_util.h"

#define PLAN "diskopukm-sumsel/2024"

static Renja__V1__Identity admin, planner, editor, editor2, viewer;

typedef struct fx {
    char *dir;
    rj_store *s;
} fx;

static int setup(void **state)
{
    admin = ident("admin", RENJA__V1__ROLE__ROLE_ADMIN, "");
    planner = ident("perencana", RENJA__V1__ROLE__ROLE_PLANNER, "");
    editor = ident("bidang-umkm", RENJA__V1__ROLE__ROLE_EDITOR, "umkm");
    editor2 = ident("bidang-koperasi", RENJA__V1__ROLE__ROLE_EDITOR, "koperasi");
    viewer = ident("tamu", RENJA__V1__ROLE__ROLE_VIEWER, "");
    fx *f = rj_calloc(1, sizeof(*f));
    f->dir = tmp_dir();
    rj_diag d;
    assert_int_equal(rj_store_open(f->dir, &f->s, &d), 0);
    assert_int_equal(simple_op(f->s, RJ_OP_CREATE_PLAN, PLAN, &planner, "Dinas Koperasi", NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rj_store_close(f->s);
    rm_rf(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* The program tree the tests start from (revision 1). */
static uint64_t seed_tree(rj_store *s)
{
    changes c = {0};
    ch_item(&c, "2.17", "", -1, 0);
    ch_item(&c, "2.17.01", "", -1, 0);
    ch_item(&c, "2.17.01.1.01", "umkm", -1, 0);
    ch_item(&c, "2.17.01.1.01.0001", "umkm", 1000000, 2);
    ch_item(&c, "2.17.01.1.01.0002", "umkm", 2000000, 1);
    ch_item(&c, "2.17.02", "", -1, 0);
    ch_item(&c, "2.17.02.1.01", "koperasi", -1, 0);
    ch_item(&c, "2.17.02.1.01.0001", "koperasi", 500000, 1);
    ch_line(&c, "5", 3500000);
    ch_line(&c, "5.1", 3500000);
    ch_line(&c, "5.1.02", 3500000);
    uint64_t rev = 0;
    char diag[RJ_DIAG_MAX];
    assert_int_equal(submit1(s, PLAN, &planner, &c, true, 0, &rev, diag), 0);
    return rev;
}

static int item_exists(rj_store *s, const char *kode, uint64_t rev)
{
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    Renja__V1__Item *it = NULL;
    int err = rj_snap_item(snap, PLAN, kode, rev, &it, NULL);
    if (it)
        protobuf_c_message_free_unpacked(&it->base, NULL);
    rj_snap_end(snap);
    return err == 0;
}

static uint64_t head_of(rj_store *s, const char *plan)
{
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    uint64_t rev = 0;
    assert_int_equal(rj_snap_resolve(snap, plan, "head", &rev, NULL), 0);
    rj_snap_end(snap);
    return rev;
}

static void test_plans(void **state)
{
    fx *f = *state;
    char diag[RJ_DIAG_MAX];
    assert_int_equal(simple_op(f->s, RJ_OP_CREATE_PLAN, PLAN, &planner, "again", diag), RJ_EEXIST);
    assert_non_null(strstr(diag, PLAN));
    assert_int_equal(simple_op(f->s, RJ_OP_CREATE_PLAN, "Dinas/2024", &planner, "", diag),
                     RJ_EINVAL);
    assert_non_null(strstr(diag, "opd-slug/tahun"));
    assert_int_equal(simple_op(f->s, RJ_OP_CREATE_PLAN, "dinas/24", &planner, "", diag), RJ_EINVAL);
    assert_int_equal(simple_op(f->s, RJ_OP_CREATE_PLAN, "bappeda-sumsel/2025", &admin, "B", diag),
                     0);
    assert_int_equal(simple_op(f->s, RJ_OP_CREATE_PLAN, "x-y/2025", &editor, "", diag), RJ_EPERM);

    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    Renja__V1__Plan **plans;
    size_t n;
    assert_int_equal(rj_snap_plans(snap, &plans, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(plans[0]->id, "bappeda-sumsel/2025");
    assert_string_equal(plans[1]->id, PLAN);
    assert_string_equal(plans[1]->nama, "Dinas Koperasi");
    rj_msgs_free((void **)plans, n);
    Renja__V1__Plan *p;
    assert_int_equal(rj_snap_plan(snap, "nope-x/2024", &p, NULL), RJ_ENOTFOUND);
    rj_snap_end(snap);

    uint64_t r1 = seed_tree(f->s);
    assert_int_equal(r1, 1);
    assert_int_equal(simple_op(f->s, RJ_OP_LOCK_PLAN, PLAN, &planner, "APBD-P ditetapkan", diag),
                     0);
    assert_int_equal(simple_op(f->s, RJ_OP_LOCK_PLAN, PLAN, &planner, "again", diag), RJ_ELOCKED);
    changes c = {0};
    ch_item(&c, "2.17.01.1.01.0003", "umkm", 5, 0);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_ELOCKED);
    assert_string_equal(diag,
                        "plan diskopukm-sumsel/2024 is locked by perencana since "
                        "2024-06-10 06:13:20 UTC: APBD-P ditetapkan; a planner can unlock it");
    /* Naming a stage on a locked plan is what one does after locking. */
    Renja__V1__Stage st = RENJA__V1__STAGE__INIT;
    st.name = "apbd-p-2024";
    rj_op op = {.kind = RJ_OP_SET_STAGE, .plan = PLAN, .who = &planner, .stage = &st};
    rj_op *ops[] = {&op};
    assert_int_equal(rj_store_apply(f->s, ops, 1), 0);
    assert_int_equal(op.err, 0);
    rj_op_clear(&op);

    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    assert_int_equal(rj_snap_plan(snap, PLAN, &p, NULL), 0);
    assert_true(p->locked);
    assert_string_equal(p->locked_by, "perencana");
    assert_string_equal(p->lock_reason, "APBD-P ditetapkan");
    assert_int_equal(p->head, 1);
    protobuf_c_message_free_unpacked(&p->base, NULL);
    rj_snap_end(snap);

    assert_int_equal(simple_op(f->s, RJ_OP_UNLOCK_PLAN, PLAN, &editor, NULL, diag), RJ_EPERM);
    assert_int_equal(simple_op(f->s, RJ_OP_UNLOCK_PLAN, PLAN, &planner, NULL, diag), 0);
    assert_int_equal(simple_op(f->s, RJ_OP_UNLOCK_PLAN, PLAN, &planner, NULL, diag), RJ_ELOCKED);
    ch_item(&c, "2.17.01.1.01.0003", "umkm", 5, 0);
    uint64_t rev;
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), 0);
    assert_int_equal(rev, 2);

    /* Nothing to change. */
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "nothing to change"));
    /* A pagu past the bound is refused: sums of it would leave int64. */
    ch_item(&c, "2.17.01.1.01.0003", "umkm", RJ_PAGU_MAX + 1, 0);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "Rp 1.000 triliun"));
    ch_item(&c, "2.17.01.1.01.0003", "umkm", RJ_PAGU_MAX, 0);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), 0);
    /* Unknown plan. */
    ch_item(&c, "2.17", "", 5, 0);
    assert_int_equal(submit1(f->s, "nope-x/2024", &planner, &c, false, 0, &rev, diag),
                     RJ_ENOTFOUND);
}

static int set_stage(rj_store *s, const char *name, uint64_t rev, int order, char *diag,
                     uint64_t *got)
{
    Renja__V1__Stage st = RENJA__V1__STAGE__INIT;
    st.name = (char *)name;
    st.rev = rev;
    st.order = order;
    st.title = "judul";
    rj_op op = {.kind = RJ_OP_SET_STAGE, .plan = PLAN, .who = &planner, .stage = &st, .now_ms = 5};
    rj_op *ops[] = {&op};
    rj_store_apply(s, ops, 1);
    snprintf(diag, RJ_DIAG_MAX, "%s", op.diag.msg);
    if (got && op.stage_out)
        *got = op.stage_out->rev;
    int err = op.err;
    rj_op_clear(&op);
    return err;
}

static void test_stages(void **state)
{
    fx *f = *state;
    char diag[RJ_DIAG_MAX];
    seed_tree(f->s);
    uint64_t got = 0;
    assert_int_equal(set_stage(f->s, "rancangan-apbd-2024", 0, 0, diag, &got), 0);
    assert_int_equal(got, 1);
    changes c = {0};
    ch_item(&c, "2.17.01.1.01.0001", "umkm", 1500000, 2);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), 0);
    /* Never moves, even when asked for the same revision. */
    assert_int_equal(set_stage(f->s, "rancangan-apbd-2024", 2, 0, diag, NULL), RJ_EEXIST);
    assert_non_null(strstr(diag, "rancangan-apbd-2024"));
    assert_non_null(strstr(diag, "revision 1"));
    assert_int_equal(set_stage(f->s, "perkada-1-2024", 2, 0, diag, &got), 0);
    assert_int_equal(got, 2);
    assert_int_equal(set_stage(f->s, "perkada-8-2024", 2, 0, diag, &got), 0); /* shared rev */
    assert_int_equal(set_stage(f->s, "future", 3, 0, diag, NULL), RJ_ENOTFOUND);
    assert_int_equal(set_stage(f->s, "Perkada", 0, 0, diag, NULL), RJ_EINVAL);
    assert_int_equal(set_stage(f->s, "12", 0, 0, diag, NULL), RJ_EINVAL);
    assert_int_equal(set_stage(f->s, "head", 0, 0, diag, NULL), RJ_EINVAL);
    assert_int_equal(set_stage(f->s, "-x", 0, 0, diag, NULL), RJ_EINVAL);
    assert_int_equal(set_stage(f->s, "", 0, 0, diag, NULL), RJ_EINVAL);
    assert_int_equal(set_stage(f->s, "a", 0, 0, diag, NULL), 0);
    assert_int_equal(set_stage(f->s, "induk", 1, 0, diag, NULL), 0);

    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    uint64_t rev;
    assert_int_equal(rj_snap_resolve(snap, PLAN, "head", &rev, NULL), 0);
    assert_int_equal(rev, 2);
    assert_int_equal(rj_snap_resolve(snap, PLAN, "", &rev, NULL), 0);
    assert_int_equal(rev, 2);
    assert_int_equal(rj_snap_resolve(snap, PLAN, "1", &rev, NULL), 0);
    assert_int_equal(rev, 1);
    assert_int_equal(rj_snap_resolve(snap, PLAN, "rancangan-apbd-2024", &rev, NULL), 0);
    assert_int_equal(rev, 1);
    assert_int_equal(rj_snap_resolve(snap, PLAN, "perkada-8-2024", &rev, NULL), 0);
    assert_int_equal(rev, 2);
    rj_diag d;
    assert_int_equal(rj_snap_resolve(snap, PLAN, "3", &rev, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "head is 2"));
    assert_int_equal(rj_snap_resolve(snap, PLAN, "perkada-9", &rev, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "perkada-9"));

    Renja__V1__Stage **st;
    size_t n;
    assert_int_equal(rj_snap_stages(snap, PLAN, &st, &n, NULL), 0);
    assert_int_equal(n, 5);
    const char *want[] = {"rancangan-apbd-2024", "perkada-1-2024", "perkada-8-2024", "a", "induk"};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(st[i]->name, want[i]);
        assert_int_equal(st[i]->order, (int)i + 1);
        assert_string_equal(st[i]->set_by, "perencana");
        assert_int_equal(st[i]->time_unix_ms, 5);
    }
    rj_msgs_free((void **)st, n);

    /* As-of reads through a stage. */
    Renja__V1__Item *it;
    assert_int_equal(rj_snap_item(snap, PLAN, "2.17.01.1.01.0001", 1, &it, NULL), 0);
    assert_int_equal(it->pagu, 1000000);
    assert_int_equal(it->level, RENJA__V1__LEVEL__LEVEL_SUB_KEGIATAN);
    protobuf_c_message_free_unpacked(&it->base, NULL);
    assert_int_equal(rj_snap_item(snap, PLAN, "2.17.01.1.01.0001", 2, &it, NULL), 0);
    assert_int_equal(it->pagu, 1500000);
    protobuf_c_message_free_unpacked(&it->base, NULL);
    rj_snap_end(snap);
    assert_int_equal(set_stage(f->s, "later", 0, 0, diag, NULL), 0);
    (void)editor2;
}

static rj_op *new_submit(const Renja__V1__Identity *who, changes *c, uint64_t base)
{
    rj_op *op = rj_calloc(1, sizeof(*op));
    op_submit_init(op, PLAN, who, c, true, base);
    return op;
}

static void test_conflicts(void **state)
{
    fx *f = *state;
    char diag[RJ_DIAG_MAX];
    uint64_t base = seed_tree(f->s);

    /* Separate batches, same item, same base: first wins. */
    changes a = {0}, b = {0};
    ch_item(&a, "2.17.01.1.01.0001", "umkm", 1100000, 2);
    ch_item(&b, "2.17.01.1.01.0001", "umkm", 1200000, 2);
    uint64_t rev;
    assert_int_equal(submit1(f->s, PLAN, &editor, &a, true, base, &rev, diag), 0);
    assert_int_equal(rev, 2);
    assert_int_equal(submit1(f->s, PLAN, &planner, &b, true, base, &rev, diag), RJ_ECONFLICT);
    assert_string_equal(diag, "conflict: item/2.17.01.1.01.0001 changed in revision 2 by "
                              "bidang-umkm after your base revision 1; re-read and retry");

    /* Different items from the same base both win. */
    ch_item(&a, "2.17.01.1.01.0002", "umkm", 2100000, 1);
    ch_item(&b, "2.17.02.1.01.0001", "koperasi", 600000, 1);
    assert_int_equal(submit1(f->s, PLAN, &editor, &a, true, base, &rev, diag), 0);
    assert_int_equal(rev, 3);
    assert_int_equal(submit1(f->s, PLAN, &editor2, &b, true, base, &rev, diag), 0);
    assert_int_equal(rev, 4);

    /* The same in one batch: same item -> exactly one wins; different -> both. */
    changes c1 = {0}, c2 = {0}, c3 = {0};
    ch_item(&c1, "2.17.01.1.01.0002", "umkm", 1, 1);
    ch_item(&c2, "2.17.01.1.01.0002", "umkm", 2, 1);
    ch_item(&c3, "2.17.02.1.01.0001", "koperasi", 3, 1);
    rj_op *ops[] = {new_submit(&editor, &c1, 4), new_submit(&planner, &c2, 4),
                    new_submit(&editor2, &c3, 4)};
    assert_int_equal(rj_store_apply(f->s, ops, 3), 0);
    assert_int_equal(ops[0]->err, 0);
    assert_int_equal(ops[0]->rev, 5);
    assert_int_equal(ops[1]->err, RJ_ECONFLICT);
    assert_non_null(strstr(ops[1]->diag.msg, "item/2.17.01.1.01.0002 changed in revision 5"));
    assert_int_equal(ops[2]->err, 0);
    assert_int_equal(ops[2]->rev, 6);
    assert_non_null(ops[2]->revision);
    assert_int_equal(ops[2]->revision->base_rev, 4);
    assert_string_equal(ops[2]->revision->author, "bidang-koperasi");
    assert_string_equal(ops[2]->revision->bidang, "koperasi");
    for (int i = 0; i < 3; i++) {
        rj_op_clear(ops[i]);
        free(ops[i]);
    }
    changes_free(&c1);
    changes_free(&c2);
    changes_free(&c3);

    /* Several keys in conflict are all named. */
    ch_item(&a, "2.17.01.1.01.0002", "umkm", 7, 1);
    ch_item(&a, "2.17.02.1.01.0001", "koperasi", 7, 1);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, 1, &rev, diag), RJ_ECONFLICT);
    assert_non_null(strstr(diag, "item/2.17.01.1.01.0002 changed in revision 5 by bidang-umkm"));
    assert_non_null(strstr(diag, "item/2.17.02.1.01.0001 changed in revision 6 by "
                                 "bidang-koperasi"));
    /* Base after head. */
    ch_item(&a, "2.17.01.1.01.0002", "umkm", 7, 1);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, 99, &rev, diag), RJ_EINVAL);
    /* Without a base, last writer wins; base_rev records the head. */
    ch_item(&a, "2.17.01.1.01.0002", "umkm", 8, 1);
    rj_op op;
    op_submit_init(&op, PLAN, &planner, &a, false, 0);
    rj_op *one[] = {&op};
    assert_int_equal(rj_store_apply(f->s, one, 1), 0);
    assert_int_equal(op.err, 0);
    assert_int_equal(op.revision->base_rev, 6);
    assert_int_equal(op.revision->n_keys, 1);
    assert_string_equal(op.revision->keys[0], "item/2.17.01.1.01.0002");
    rj_op_clear(&op);
    changes_free(&a);
}

/* Every live item's parent is live at rev: no orphans. */
static void assert_no_orphans(rj_store *s, uint64_t rev)
{
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    Renja__V1__Item **items;
    size_t n;
    assert_int_equal(rj_snap_items(snap, PLAN, "", rev, &items, &n, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        char parent[RJ_KODE_MAX];
        if (!rj_kode_parent(items[i]->kode, parent))
            continue;
        Renja__V1__Item *p = NULL;
        if (rj_snap_item(snap, PLAN, parent, rev, &p, NULL) != 0)
            fail_msg("item %s at revision %" PRIu64 " has no parent %s", items[i]->kode, rev,
                     parent);
        protobuf_c_message_free_unpacked(&p->base, NULL);
    }
    rj_msgs_free((void **)items, n);
    Renja__V1__Realisasi **reals;
    assert_int_equal(rj_snap_reals(snap, PLAN, "", rev, &reals, &n, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        Renja__V1__Item *it = NULL;
        if (rj_snap_item(snap, PLAN, reals[i]->kode, rev, &it, NULL) != 0)
            fail_msg("realisasi of %s at revision %" PRIu64 " has no item", reals[i]->kode, rev);
        protobuf_c_message_free_unpacked(&it->base, NULL);
    }
    rj_msgs_free((void **)reals, n);
    rj_snap_end(snap);
}

/* Two submits from the same base in one batch; returns their errors. */
static void batch2(rj_store *s, changes *a, const Renja__V1__Identity *wa, changes *b,
                   const Renja__V1__Identity *wb, uint64_t base, int *ea, int *eb, char *diag_b)
{
    rj_op *ops[] = {new_submit(wa, a, base), new_submit(wb, b, base)};
    assert_int_equal(rj_store_apply(s, ops, 2), 0);
    *ea = ops[0]->err;
    *eb = ops[1]->err;
    snprintf(diag_b, RJ_DIAG_MAX, "%s", ops[1]->diag.msg);
    for (int i = 0; i < 2; i++) {
        rj_op_clear(ops[i]);
        free(ops[i]);
    }
    changes_free(a);
    changes_free(b);
}

/* Parent/child interplay between two authors from the same base: one
 * removes a kegiatan recursively, the other adds a sub kegiatan under it or
 * reports realisasi on it. Whatever the order, in separate batches or in
 * one, the later one is refused (a conflict, or a missing parent / item)
 * and no orphan is left behind. */
static void test_conflict_parent_child(void **state)
{
    fx *f = *state;
    char diag[RJ_DIAG_MAX];
    uint64_t base = seed_tree(f->s), rev;
    changes a = {0}, b = {0};

    /* Removal first: the added child has no parent any more, because of a
     * revision after the author's base: a conflict naming the parent. */
    ch_remove(&a, "2.17.01.1.01", true);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, base, &rev, diag), 0);
    ch_item(&b, "2.17.01.1.01.0003", "umkm", 5, 0);
    assert_int_equal(submit1(f->s, PLAN, &editor, &b, true, base, &rev, diag), RJ_ECONFLICT);
    assert_string_equal(diag, "conflict: item/2.17.01.1.01 changed in revision 2 by perencana "
                              "after your base revision 1; re-read and retry");
    /* From the new head it is plain bad input. */
    ch_item(&b, "2.17.01.1.01.0003", "umkm", 5, 0);
    assert_int_equal(submit1(f->s, PLAN, &editor, &b, true, head_of(f->s, PLAN), NULL, diag),
                     RJ_EINVAL);
    assert_non_null(strstr(diag, "missing parent 2.17.01.1.01"));
    assert_false(item_exists(f->s, "2.17.01.1.01.0003", head_of(f->s, PLAN)));
    /* ... and a change to a child the removal took is a conflict. */
    ch_item(&b, "2.17.01.1.01.0001", "umkm", 5, 0);
    assert_int_equal(submit1(f->s, PLAN, &editor, &b, true, base, &rev, diag), RJ_ECONFLICT);
    assert_non_null(strstr(diag, "item/2.17.01.1.01.0001 changed in revision 2"));
    assert_no_orphans(f->s, head_of(f->s, PLAN));

    /* The child first: the recursive removal would take it unseen. */
    base = head_of(f->s, PLAN);
    ch_item(&b, "2.17.02.1.01.0002", "koperasi", 5, 0);
    assert_int_equal(submit1(f->s, PLAN, &editor2, &b, true, base, &rev, diag), 0);
    ch_remove(&a, "2.17.02.1.01", true);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, base, &rev, diag), RJ_ECONFLICT);
    assert_non_null(strstr(diag, "item/2.17.02.1.01.0002 changed in revision 3"));
    assert_true(item_exists(f->s, "2.17.02.1.01.0002", head_of(f->s, PLAN)));
    /* A non-recursive removal that saw no children at its base. */
    ch_remove(&a, "2.17.02.1.01.0001", false);
    ch_remove(&a, "2.17.02.1.01", false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, base, &rev, diag), RJ_ECONFLICT);
    assert_non_null(strstr(diag, "item/2.17.02.1.01.0002 changed in revision 3"));
    ch_remove(&a, "2.17.02.1.01.0001", false);
    ch_remove(&a, "2.17.02.1.01", false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, head_of(f->s, PLAN), &rev, diag),
                     RJ_EINVAL);
    assert_non_null(strstr(diag, "has child 2.17.02.1.01.0002"));
    assert_no_orphans(f->s, head_of(f->s, PLAN));

    /* The same two in one batch, both orders. */
    ch_item(&a, "2.17.03", "", -1, 0);
    ch_item(&a, "2.17.03.1.01", "umkm", -1, 0);
    ch_item(&a, "2.17.03.1.01.0001", "umkm", 1, 1);
    ch_item(&a, "2.17.04", "", -1, 0);
    ch_item(&a, "2.17.04.1.01", "umkm", -1, 0);
    ch_item(&a, "2.17.04.1.01.0001", "umkm", 1, 1);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, head_of(f->s, PLAN), &base, diag), 0);
    int ea, eb;
    ch_remove(&a, "2.17.03.1.01", true);
    ch_item(&b, "2.17.03.1.01.0002", "umkm", 5, 0);
    batch2(f->s, &a, &planner, &b, &editor, base, &ea, &eb, diag);
    assert_int_equal(ea, 0);
    assert_int_equal(eb, RJ_ECONFLICT);
    assert_non_null(strstr(diag, "item/2.17.03.1.01 changed in revision"));
    ch_item(&a, "2.17.04.1.01.0002", "umkm", 5, 0);
    ch_remove(&b, "2.17.04.1.01", true);
    batch2(f->s, &a, &editor, &b, &planner, base, &ea, &eb, diag);
    assert_int_equal(ea, 0);
    assert_int_equal(eb, RJ_ECONFLICT);
    assert_non_null(strstr(diag, "item/2.17.04.1.01.0002"));
    assert_true(item_exists(f->s, "2.17.04.1.01.0002", head_of(f->s, PLAN)));
    assert_no_orphans(f->s, head_of(f->s, PLAN));

    /* Realisasi against a removal, both orders, one batch each. */
    ch_item(&a, "2.17.05", "", -1, 0);
    ch_item(&a, "2.17.05.1.01", "umkm", -1, 0);
    ch_item(&a, "2.17.05.1.01.0001", "umkm", 1, 1);
    ch_item(&a, "2.17.05.1.01.0002", "umkm", 1, 1);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, head_of(f->s, PLAN), &base, diag), 0);
    ch_remove(&a, "2.17.05.1.01.0001", false);
    ch_real(&b, "2.17.05.1.01.0001", 1, 1, 10000, false);
    batch2(f->s, &a, &planner, &b, &editor, base, &ea, &eb, diag);
    assert_int_equal(ea, 0);
    assert_int_equal(eb, RJ_ECONFLICT);
    assert_non_null(strstr(diag, "item/2.17.05.1.01.0001 changed in revision"));
    ch_real(&a, "2.17.05.1.01.0002", 1, 1, 10000, false);
    ch_remove(&b, "2.17.05.1.01", true);
    batch2(f->s, &a, &editor, &b, &planner, base, &ea, &eb, diag);
    assert_int_equal(ea, 0);
    assert_int_equal(eb, RJ_ECONFLICT);
    assert_non_null(strstr(diag, "real/2.17.05.1.01.0002/1/1"));
    /* An upsert that drops an indikator takes its realisasi with it, as a
     * removal does; so a realisasi of that indikator reported after the
     * author's base is a conflict, not silently orphaned. */
    ch_item(&a, "2.17.06", "", -1, 0);
    ch_item(&a, "2.17.06.1.01", "umkm", -1, 0);
    ch_item(&a, "2.17.06.1.01.0001", "umkm", 1, 3);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, head_of(f->s, PLAN), &base, diag), 0);
    ch_real(&b, "2.17.06.1.01.0001", 1, 3, 70000, false);
    ch_real(&b, "2.17.06.1.01.0001", 1, 2, 20000, false);
    assert_int_equal(submit1(f->s, PLAN, &editor, &b, true, base, &rev, diag), 0);
    ch_item(&a, "2.17.06.1.01.0001", "umkm", 1, 2);
    assert_int_equal(submit1(f->s, PLAN, &planner, &a, true, base, NULL, diag), RJ_ECONFLICT);
    assert_non_null(strstr(diag, "real/2.17.06.1.01.0001/1/3 changed in revision"));
    assert_null(strstr(diag, "real/2.17.06.1.01.0001/1/2"));
    /* From the new head the drop goes through and removes that realisasi. */
    ch_item(&a, "2.17.06.1.01.0001", "umkm", 1, 2);
    rj_op op;
    op_submit_init(&op, PLAN, &planner, &a, true, rev);
    rj_op *one[] = {&op};
    assert_int_equal(rj_store_apply(f->s, one, 1), 0);
    assert_int_equal(op.err, 0);
    assert_int_equal(op.revision->n_keys, 2);
    assert_string_equal(op.revision->keys[0], "item/2.17.06.1.01.0001");
    assert_string_equal(op.revision->keys[1], "real/2.17.06.1.01.0001/1/3");
    rj_op_clear(&op);
    changes_free(&a);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    Renja__V1__Realisasi *re = NULL;
    assert_int_equal(
        rj_snap_real(snap, PLAN, "2.17.06.1.01.0001", 1, 3, head_of(f->s, PLAN), &re, NULL),
        RJ_ENOTFOUND);
    assert_int_equal(
        rj_snap_real(snap, PLAN, "2.17.06.1.01.0001", 1, 2, head_of(f->s, PLAN), &re, NULL), 0);
    protobuf_c_message_free_unpacked(&re->base, NULL);
    rj_snap_end(snap);

    /* Realisasi on an item removed in an earlier revision. */
    ch_real(&b, "2.17.05.1.01.0001", 2, 0, 500, false);
    assert_int_equal(submit1(f->s, PLAN, &editor, &b, false, 0, &rev, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "no such item"));
    assert_no_orphans(f->s, head_of(f->s, PLAN));
}

static void test_atomic(void **state)
{
    fx *f = *state;
    char diag[RJ_DIAG_MAX];
    seed_tree(f->s);
    changes c = {0};
    ch_item(&c, "2.17.01.1.01.0003", "umkm", 10, 0);
    ch_line(&c, "5.1.02.01", 10);
    ch_item(&c, "2.17.01.1.01.0004", "umkm", -5, 0); /* has_pagu false: fine */
    c.v[2]->upsert_item->has_pagu = true;            /* pagu -5: refused */
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "2.17.01.1.01.0004"));
    assert_non_null(strstr(diag, "pagu"));
    assert_int_equal(head_of(f->s, PLAN), 1);
    assert_false(item_exists(f->s, "2.17.01.1.01.0003", 2));
    assert_false(item_exists(f->s, "2.17.01.1.01.0003", UINT64_MAX - 1));

    /* Non-canonical kode, level mismatch. */
    ch_item(&c, "2.17.01.101.0003", "umkm", 10, 0);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "expected 2.17.01.1.01.0003"));
    ch_item(&c, "2.17.01.1.01.0003", "umkm", 10, 0);
    c.v[0]->upsert_item->level = RENJA__V1__LEVEL__LEVEL_PROGRAM;
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "level"));
    ch_line(&c, "5.1.2", 10);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "expected 5.1.02"));
    assert_int_equal(head_of(f->s, PLAN), 1);
}

static void test_roles(void **state)
{
    fx *f = *state;
    char diag[RJ_DIAG_MAX];
    seed_tree(f->s);
    changes c = {0};
    ch_item(&c, "2.17.01.1.01.0003", "umkm", 10, 0);
    assert_int_equal(submit1(f->s, PLAN, &viewer, &c, false, 0, NULL, diag), RJ_EPERM);
    assert_non_null(strstr(diag, "viewer"));
    ch_item(&c, "2.17.01.1.01.0003", "umkm", 10, 0);
    assert_int_equal(submit1(f->s, PLAN, &editor2, &c, false, 0, NULL, diag), RJ_EPERM);
    assert_non_null(strstr(diag, "2.17.01.1.01.0003"));
    assert_non_null(strstr(diag, "umkm"));
    /* An editor may not take over another bidang's item. */
    ch_item(&c, "2.17.02.1.01.0001", "umkm", 10, 0);
    assert_int_equal(submit1(f->s, PLAN, &editor, &c, false, 0, NULL, diag), RJ_EPERM);
    assert_non_null(strstr(diag, "koperasi"));
    ch_remove(&c, "2.17.02.1.01.0001", false);
    assert_int_equal(submit1(f->s, PLAN, &editor, &c, false, 0, NULL, diag), RJ_EPERM);
    ch_line(&c, "5.1.02.01", 10);
    assert_int_equal(submit1(f->s, PLAN, &editor, &c, false, 0, NULL, diag), RJ_EPERM);
    assert_non_null(strstr(diag, "5.1.02.01"));
    ch_real(&c, "2.17.02.1.01.0001", 1, 1, 5, false);
    assert_int_equal(submit1(f->s, PLAN, &editor, &c, false, 0, NULL, diag), RJ_EPERM);
    assert_int_equal(head_of(f->s, PLAN), 1);

    uint64_t rev;
    ch_item(&c, "2.17.01.1.01.0003", "umkm", 10, 0);
    ch_real(&c, "2.17.01.1.01.0001", 2, 1, 30000, false);
    ch_real(&c, "2.17.01.1.01.0001", 2, 0, 250000, false);
    assert_int_equal(submit1(f->s, PLAN, &editor, &c, false, 0, &rev, diag), 0);
    assert_int_equal(rev, 2);
    ch_remove(&c, "2.17.01.1.01.0003", false);
    assert_int_equal(submit1(f->s, PLAN, &editor, &c, false, 0, &rev, diag), 0);
    assert_int_equal(rev, 3);
}

static void test_tree_rules(void **state)
{
    fx *f = *state;
    char diag[RJ_DIAG_MAX];
    seed_tree(f->s);
    changes c = {0};
    uint64_t rev;
    ch_item(&c, "2.17.03.1.01.0001", "umkm", 10, 0);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "missing parent 2.17.03.1.01"));
    /* Parents in the same submit, in any order. */
    ch_item(&c, "2.17.03.1.01.0001", "umkm", 10, 0);
    ch_item(&c, "2.17.03.1.01", "umkm", -1, 0);
    ch_item(&c, "2.17.03", "", -1, 0);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), 0);
    ch_line(&c, "5.2.01", 10);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "missing parent 5.2"));
    ch_line(&c, "6", 10); /* top-level rekening: no parent */
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), 0);
    ch_item(&c, "2.17.01.1.01.0001", "umkm", 10, 1);
    ch_item(&c, "2.17.01.1.01.0001", "umkm", 11, 1);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "item/2.17.01.1.01.0001 appears twice"));

    /* Realisasi rules. */
    ch_real(&c, "2.17.01.1.01.0001", 5, 1, 1, false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "tw 5"));
    ch_real(&c, "2.17.01.1.01.0001", 1, 3, 1, false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "indikator 3"));
    ch_real(&c, "2.17.01.1.01.0009", 1, 0, 1, false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    ch_real(&c, "2.17.01.1.01.0001", 1, 2, 77, false);
    ch_real(&c, "2.17.01.1.01.0002", 4, 0, 99, false);
    ch_real(&c, "2.17.02.1.01.0001", 4, 0, 98, false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), 0);
    uint64_t with_real = rev;
    ch_real(&c, "2.17.01.1.01.0002", 4, 0, 0, true);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), 0);

    /* Removal rules. */
    ch_remove(&c, "2.17.01.1.01", false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "child 2.17.01.1.01.0001"));
    ch_remove(&c, "2.17.01.1.01.0007", false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_ENOTFOUND);
    ch_remove_line(&c, "5.1", false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    /* Remove both children and the parent explicitly: fine. */
    ch_remove(&c, "2.17.03.1.01.0001", false);
    ch_remove(&c, "2.17.03.1.01", false);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), 0);

    uint64_t before = rev;
    ch_remove(&c, "2.17.01", true);
    rj_op op;
    op_submit_init(&op, PLAN, &planner, &c, true, before);
    rj_op *ops[] = {&op};
    assert_int_equal(rj_store_apply(f->s, ops, 1), 0);
    assert_int_equal(op.err, 0);
    /* item 2.17.01, 1.01, .0001, .0002 + realisasi of .0001 (the cleared one
     * of .0002 is not live) */
    assert_int_equal(op.revision->n_keys, 5);
    assert_string_equal(op.revision->keys[0], "item/2.17.01");
    assert_string_equal(op.revision->keys[4], "real/2.17.01.1.01.0001/1/2");
    rev = op.rev;
    rj_op_clear(&op);
    changes_free(&c);

    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    Renja__V1__Item **items;
    size_t n;
    assert_int_equal(rj_snap_items(snap, PLAN, "", rev, &items, &n, NULL), 0);
    assert_int_equal(n, 5); /* 2.17, 2.17.02, 2.17.02.1.01, 2.17.02.1.01.0001, 2.17.03 */
    assert_string_equal(items[0]->kode, "2.17");
    assert_string_equal(items[1]->kode, "2.17.02");
    assert_string_equal(items[4]->kode, "2.17.03");
    rj_msgs_free((void **)items, n);
    assert_int_equal(rj_snap_items(snap, PLAN, "2.17.01", before, &items, &n, NULL), 0);
    assert_int_equal(n, 4);
    assert_string_equal(items[0]->kode, "2.17.01");
    assert_string_equal(items[3]->kode, "2.17.01.1.01.0002");
    rj_msgs_free((void **)items, n);
    Renja__V1__Realisasi **reals;
    assert_int_equal(rj_snap_reals(snap, PLAN, "", with_real, &reals, &n, NULL), 0);
    assert_int_equal(n, 3);
    assert_string_equal(reals[0]->kode, "2.17.01.1.01.0001");
    assert_string_equal(reals[1]->kode, "2.17.01.1.01.0002");
    assert_int_equal(reals[1]->anggaran, 99);
    rj_msgs_free((void **)reals, n);
    assert_int_equal(rj_snap_reals(snap, PLAN, "", rev, &reals, &n, NULL), 0);
    assert_int_equal(n, 1);
    rj_msgs_free((void **)reals, n);
    Renja__V1__BudgetLine **lines;
    assert_int_equal(rj_snap_lines(snap, PLAN, "5.1", rev, &lines, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(lines[1]->depth, 3);
    rj_msgs_free((void **)lines, n);

    /* The log of one item and of a subtree. */
    Renja__V1__Revision **log;
    assert_int_equal(rj_snap_log(snap, PLAN, "item/2.17.01.1.01.0001", false, 0, &log, &n, NULL),
                     0);
    assert_int_equal(n, 2); /* created in 1, removed in the last */
    assert_int_equal(log[0]->rev, rev);
    assert_int_equal(log[1]->rev, 1);
    rj_msgs_free((void **)log, n);
    assert_int_equal(rj_snap_log(snap, PLAN, "item/2.17.03", true, 0, &log, &n, NULL), 0);
    assert_int_equal(n, 2);
    rj_msgs_free((void **)log, n);
    assert_int_equal(rj_snap_log(snap, PLAN, NULL, false, 2, &log, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_int_equal(log[0]->rev, rev);
    rj_msgs_free((void **)log, n);
    char **keys;
    assert_int_equal(rj_snap_changed_keys(snap, PLAN, before, rev, &keys, &n, NULL), 0);
    assert_int_equal(n, 5);
    rj_strs_free(keys, n);
    assert_int_equal(rj_snap_changed_keys(snap, PLAN, 0, 1, &keys, &n, NULL), 0);
    assert_int_equal(n, 11);
    assert_string_equal(keys[0], "item/2.17");
    assert_string_equal(keys[10], "line/5.1.02");
    rj_strs_free(keys, n);
    rj_snap_end(snap);
}

typedef struct reader_arg {
    rj_store *s;
    _Atomic int stop;
    long reads;
} reader_arg;

/* Reads all the time while the writer grows the map under it. */
static void *reader_main(void *p)
{
    reader_arg *r = p;
    while (!r->stop) {
        rj_snap *snap;
        if (rj_snap_begin(r->s, &snap, NULL) != 0)
            abort();
        Renja__V1__Item **items;
        size_t n;
        uint64_t head = 0;
        if (rj_snap_resolve(snap, PLAN, "head", &head, NULL) != 0 ||
            rj_snap_items(snap, PLAN, "", head, &items, &n, NULL) != 0)
            abort();
        /* 3 parents, then 50 items per revision after the first */
        if (n != (head ? 3 + 50 * (head - 1) : 0))
            abort();
        rj_msgs_free((void **)items, n);
        rj_snap_end(snap);
        r->reads++;
    }
    return NULL;
}

static void test_map_growth(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    setenv("RENJA_MAPSIZE", "262144", 1);
    rj_store *s;
    rj_diag d;
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    unsetenv("RENJA_MAPSIZE");
    assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &planner, "x", NULL), 0);
    changes c = {0};
    ch_item(&c, "2.17", "", -1, 0);
    ch_item(&c, "2.17.01", "", -1, 0);
    ch_item(&c, "2.17.01.1.01", "", -1, 0);
    assert_int_equal(submit1(s, PLAN, &planner, &c, false, 0, NULL, NULL), 0);
    /* About 2 MB of values: the map has to double several times, while
     * another thread keeps reading. */
    reader_arg ra = {.s = s};
    pthread_t rth;
    assert_int_equal(pthread_create(&rth, NULL, reader_main, &ra), 0);
    rj_snap *reader;
    for (int b = 0; b < 20; b++) {
        /* a reader open between batches must not block growth forever */
        assert_int_equal(rj_snap_begin(s, &reader, NULL), 0);
        rj_snap_end(reader);
        for (int i = 0; i < 50; i++) {
            char kode[32];
            snprintf(kode, sizeof(kode), "2.17.01.1.01.%04d", b * 50 + i + 1);
            ch_item(&c, kode, "umkm", b * 50 + i, 3);
            free(c.v[c.n - 1]->upsert_item->lokasi);
            c.v[c.n - 1]->upsert_item->lokasi = rj_malloc(2001);
            memset(c.v[c.n - 1]->upsert_item->lokasi, 'x', 2000);
            c.v[c.n - 1]->upsert_item->lokasi[2000] = '\0';
        }
        char diag[RJ_DIAG_MAX];
        assert_int_equal(submit1(s, PLAN, &planner, &c, false, 0, NULL, diag), 0);
    }
    ra.stop = 1;
    pthread_join(rth, NULL);
    assert_true(ra.reads > 0);
    rj_store_close(s);
    char *path = rj_asprintf("%s/data.mdb", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 262144 * 4);
    free(path);
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    Renja__V1__Item **items;
    size_t n;
    assert_int_equal(rj_snap_items(snap, PLAN, "", 21, &items, &n, NULL), 0);
    assert_int_equal(n, 1003);
    assert_int_equal(items[1002]->pagu, 999);
    assert_int_equal(strlen(items[1002]->lokasi), 2000);
    rj_msgs_free((void **)items, n);
    rj_snap_end(snap);
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

typedef struct grow_writer_arg {
    rj_store *s;
    _Atomic int done;
    int err;
} grow_writer_arg;

/* Ten submits of about 100 kB each, from another thread. */
static void *grow_writer_main(void *p)
{
    grow_writer_arg *w = p;
    for (int b = 0; b < 10 && w->err == 0; b++) {
        changes c = {0};
        for (int i = 0; i < 50; i++) {
            char kode[32];
            snprintf(kode, sizeof(kode), "2.17.01.1.01.%04d", b * 50 + i + 1);
            ch_item(&c, kode, "umkm", b * 50 + i, 1);
            free(c.v[c.n - 1]->upsert_item->lokasi);
            c.v[c.n - 1]->upsert_item->lokasi = rj_malloc(2001);
            memset(c.v[c.n - 1]->upsert_item->lokasi, 'y', 2000);
            c.v[c.n - 1]->upsert_item->lokasi[2000] = '\0';
        }
        w->err = submit1(w->s, PLAN, &planner, &c, false, 0, NULL, NULL);
    }
    w->done = 1;
    return NULL;
}

static size_t snap_count(rj_snap *snap, uint64_t rev)
{
    Renja__V1__Item **items;
    size_t n;
    assert_int_equal(rj_snap_items(snap, PLAN, "", rev, &items, &n, NULL), 0);
    rj_msgs_free((void **)items, n);
    return n;
}

/* A snapshot held by one thread while the writer, in another, needs to grow
 * the map: the growth waits for it (the snapshot keeps reading its own
 * revision meanwhile), and goes on once it ends; no deadlock. */
static void test_growth_waits_for_held_snapshot(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    setenv("RENJA_MAPSIZE", "131072", 1);
    rj_store *s;
    rj_diag d;
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    unsetenv("RENJA_MAPSIZE");
    assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &planner, "x", NULL), 0);
    changes c = {0};
    ch_item(&c, "2.17", "", -1, 0);
    ch_item(&c, "2.17.01", "", -1, 0);
    ch_item(&c, "2.17.01.1.01", "", -1, 0);
    assert_int_equal(submit1(s, PLAN, &planner, &c, false, 0, NULL, NULL), 0);

    rj_snap *held;
    assert_int_equal(rj_snap_begin(s, &held, NULL), 0);
    grow_writer_arg wa = {.s = s};
    pthread_t wth;
    alarm(120); /* a deadlock fails the test instead of hanging it */
    assert_int_equal(pthread_create(&wth, NULL, grow_writer_main, &wa), 0);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(snap_count(held, 1), 3);
        uint64_t head;
        assert_int_equal(rj_snap_resolve(held, PLAN, "head", &head, NULL), 0);
        assert_int_equal(head, 1);
        usleep(10000);
    }
    /* 500 kB do not fit in 128 kB: the writer is waiting for this snapshot. */
    assert_false(wa.done);
    rj_snap_end(held);
    pthread_join(wth, NULL);
    alarm(0);
    assert_int_equal(wa.err, 0);
    assert_int_equal(head_of(s, PLAN), 11);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    assert_int_equal(snap_count(snap, 11), 503);
    assert_int_equal(snap_count(snap, 1), 3);
    rj_snap_end(snap);
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

/* Another process (renjad backup or renjad token add beside the daemon)
 * may grow the map after this one opened the store. Reads adopt the new
 * size; a backup must too, not fail with MDB_MAP_RESIZED. */
static void test_backup_after_other_process_grew_map(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    setenv("RENJA_MAPSIZE", "131072", 1);
    rj_store *s;
    rj_diag d;
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &planner, "x", NULL), 0);
    changes c = {0};
    ch_item(&c, "2.17", "", -1, 0);
    ch_item(&c, "2.17.01", "", -1, 0);
    ch_item(&c, "2.17.01.1.01", "", -1, 0);
    assert_int_equal(submit1(s, PLAN, &planner, &c, false, 0, NULL, NULL), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* The child opens its own environment and never touches s. */
        rj_store *cs;
        rj_diag cd;
        if (rj_store_open(dir, &cs, &cd) != 0)
            _exit(2);
        grow_writer_arg wa = {.s = cs};
        grow_writer_main(&wa);
        rj_store_close(cs);
        _exit(wa.err == 0 ? 0 : 3);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    unsetenv("RENJA_MAPSIZE");

    char *file = rj_asprintf("%s.backup", dir);
    if (rj_store_backup(s, file, &d) != 0)
        fail_msg("backup: %s", d.msg);
    assert_int_equal(head_of(s, PLAN), 11);
    rj_store_close(s);

    char *dir2 = tmp_dir();
    rm_rf(dir2);
    assert_int_equal(rj_store_restore(dir2, file, &d), 0);
    assert_int_equal(rj_store_open(dir2, &s, &d), 0);
    assert_int_equal(head_of(s, PLAN), 11);
    rj_store_close(s);
    unlink(file);
    free(file);
    rm_rf(dir2);
    free(dir2);
    rm_rf(dir);
    free(dir);
}

static void test_schema_newer(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    rj_store *s;
    rj_diag d;
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    rj_store_close(s);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta;
    assert_int_equal(mdb_env_create(&env), 0);
    mdb_env_set_maxdbs(env, 8);
    assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    MDB_val k = {6, "schema"}, v = {1, "7"};
    assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    assert_int_equal(rj_store_open(dir, &s, &d), RJ_ESCHEMA);
    assert_null(s);
    assert_non_null(strstr(d.msg, "schema version 7"));
    assert_non_null(strstr(d.msg, "supports schema version 3"));
    rm_rf(dir);
    free(dir);
}

static void test_tokens(void **state)
{
    fx *f = *state;
    size_t n;
    assert_int_equal(rj_store_token_count(f->s, &n, NULL), 0);
    assert_int_equal(n, 0);
    char tok[RJ_TOKEN_MAX], tok2[RJ_TOKEN_MAX], tok3[RJ_TOKEN_MAX];
    rj_diag d;
    assert_int_equal(rj_store_token_add(f->s, "admin", RENJA__V1__ROLE__ROLE_ADMIN, "", tok, &d),
                     0);
    assert_int_equal(strlen(tok), 68);
    assert_memory_equal(tok, "rjt_", 4);
    assert_int_equal(strspn(tok + 4, "0123456789abcdef"), 64); /* 256 random bits */
    assert_int_equal(
        rj_store_token_add(f->s, "bidang-umkm", RENJA__V1__ROLE__ROLE_EDITOR, "umkm", tok2, &d), 0);
    assert_string_not_equal(tok, tok2);
    assert_int_equal(rj_store_token_add(f->s, "admin", RENJA__V1__ROLE__ROLE_VIEWER, "", tok3, &d),
                     RJ_EEXIST);
    assert_int_equal(rj_store_token_add(f->s, "x", (Renja__V1__Role)9, "", tok3, &d), RJ_EINVAL);

    Renja__V1__Identity *id;
    assert_int_equal(rj_store_token_auth(f->s, tok2, &id, &d), 0);
    assert_string_equal(id->name, "bidang-umkm");
    assert_int_equal(id->role, RENJA__V1__ROLE__ROLE_EDITOR);
    assert_string_equal(id->bidang, "umkm");
    protobuf_c_message_free_unpacked(&id->base, NULL);
    char bad[RJ_TOKEN_MAX];
    memcpy(bad, tok2, sizeof(bad));
    bad[10] = bad[10] == 'a' ? 'b' : 'a';
    assert_int_equal(rj_store_token_auth(f->s, bad, &id, &d), RJ_EAUTH);
    assert_int_equal(rj_store_token_auth(f->s, "", &id, &d), RJ_EAUTH);
    assert_int_equal(rj_store_token_auth(f->s, "rjt_", &id, &d), RJ_EAUTH);

    Renja__V1__Identity **ids;
    assert_int_equal(rj_store_token_list(f->s, &ids, &n, NULL), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0]->name, "admin");
    assert_string_equal(ids[1]->name, "bidang-umkm");
    rj_msgs_free((void **)ids, n);

    assert_int_equal(rj_store_token_revoke(f->s, "bidang-umkm", &d), 0);
    assert_int_equal(rj_store_token_revoke(f->s, "bidang-umkm", &d), RJ_ENOTFOUND);
    assert_int_equal(rj_store_token_auth(f->s, tok2, &id, &d), RJ_EAUTH);
    assert_int_equal(rj_store_token_auth(f->s, tok, &id, &d), 0);
    protobuf_c_message_free_unpacked(&id->base, NULL);
    assert_int_equal(rj_store_token_count(f->s, &n, NULL), 0);
    assert_int_equal(n, 1);
}

typedef struct writer_arg {
    rj_store *s;
    _Atomic int stop;
    _Atomic int done;
} writer_arg;

static void *writer_main(void *p)
{
    writer_arg *w = p;
    for (int i = 0; !w->stop || i < 20; i++) {
        changes c = {0};
        char kode[32];
        snprintf(kode, sizeof(kode), "2.17.01.1.01.%04d", 10 + i % 500);
        ch_item(&c, kode, "umkm", i, 1);
        if (i % 3 == 0)
            ch_line(&c, "5.1.02", i);
        if (submit1(w->s, PLAN, &planner, &c, false, 0, NULL, NULL) != 0)
            abort();
        if (i % 7 == 6) {
            ch_real(&c, kode, 1 + i % 4, i % 2, i, false);
            if (submit1(w->s, PLAN, &planner, &c, false, 0, NULL, NULL) != 0)
                abort();
        }
        w->done = i + 1;
    }
    return NULL;
}

static void compare_at(rj_store *a, rj_store *b, uint64_t rev)
{
    rj_snap *sa, *sb;
    assert_int_equal(rj_snap_begin(a, &sa, NULL), 0);
    assert_int_equal(rj_snap_begin(b, &sb, NULL), 0);
    void **x, **y;
    size_t nx, ny;
    for (int kind = 0; kind < 3; kind++) {
        int (*fn)(rj_snap *, const char *, const char *, uint64_t, void ***, size_t *) =
            kind == 0   ? (void *)rj_snap_items
            : kind == 1 ? (void *)rj_snap_lines
                        : (void *)rj_snap_reals;
        assert_int_equal(fn(sa, PLAN, "", rev, &x, &nx), 0);
        assert_int_equal(fn(sb, PLAN, "", rev, &y, &ny), 0);
        assert_int_equal(nx, ny);
        for (size_t i = 0; i < nx; i++) {
            size_t lx = protobuf_c_message_get_packed_size(x[i]);
            size_t ly = protobuf_c_message_get_packed_size(y[i]);
            assert_int_equal(lx, ly);
            uint8_t *bx = rj_malloc(lx), *by = rj_malloc(ly);
            protobuf_c_message_pack(x[i], bx);
            protobuf_c_message_pack(y[i], by);
            assert_memory_equal(bx, by, lx);
            free(bx);
            free(by);
        }
        if (kind == 0)
            assert_true(nx > 4);
        rj_msgs_free(x, nx);
        rj_msgs_free(y, ny);
    }
    rj_snap_end(sa);
    rj_snap_end(sb);
}

static void test_backup_restore(void **state)
{
    fx *f = *state;
    seed_tree(f->s);
    writer_arg w = {.s = f->s};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer_main, &w), 0);
    while (w.done < 30)
        usleep(1000);
    char *file = rj_asprintf("%s.backup", f->dir);
    rj_diag d;
    assert_int_equal(rj_store_backup(f->s, file, &d), 0);
    assert_int_equal(rj_store_backup(f->s, file, &d), RJ_EEXIST);
    w.stop = 1;
    pthread_join(th, NULL);

    char *dir2 = tmp_dir();
    rm_rf(dir2); /* restore creates the dir */
    assert_int_equal(rj_store_restore(dir2, file, &d), 0);
    rj_store *s2;
    assert_int_equal(rj_store_open(dir2, &s2, &d), 0);
    uint64_t h2 = head_of(s2, PLAN), h1 = head_of(f->s, PLAN);
    assert_true(h2 >= 30);
    assert_true(h2 <= h1);
    compare_at(f->s, s2, h2);
    compare_at(f->s, s2, h2 / 2);
    rj_store_close(s2);

    /* Not a backup: refused, dir untouched. */
    char *junk = rj_asprintf("%s.junk", f->dir);
    FILE *fp = fopen(junk, "w");
    fputs("not lmdb", fp);
    fclose(fp);
    assert_int_equal(rj_store_restore(dir2, junk, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "not a renja backup"));
    assert_int_equal(rj_store_open(dir2, &s2, &d), 0);
    assert_int_equal(head_of(s2, PLAN), h2);
    rj_store_close(s2);
    unlink(junk);
    free(junk);

    unlink(file);
    free(file);
    rm_rf(dir2);
    free(dir2);
}

static void test_reopen(void **state)
{
    fx *f = *state;
    seed_tree(f->s);
    char diag[RJ_DIAG_MAX];
    assert_int_equal(set_stage(f->s, "induk", 0, 0, diag, NULL), 0);
    char tok[RJ_TOKEN_MAX];
    rj_diag d;
    assert_int_equal(rj_store_token_add(f->s, "a", RENJA__V1__ROLE__ROLE_ADMIN, "", tok, &d), 0);
    rj_store_close(f->s);
    assert_int_equal(rj_store_open(f->dir, &f->s, &d), 0);
    assert_int_equal(head_of(f->s, PLAN), 1);
    assert_true(item_exists(f->s, "2.17.02.1.01.0001", 1));
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    uint64_t rev;
    assert_int_equal(rj_snap_resolve(snap, PLAN, "induk", &rev, NULL), 0);
    assert_int_equal(rev, 1);
    Renja__V1__Revision *rv;
    assert_int_equal(rj_snap_revision(snap, PLAN, 1, &rv, NULL), 0);
    assert_string_equal(rv->author, "perencana");
    assert_int_equal(rv->n_keys, 11);
    protobuf_c_message_free_unpacked(&rv->base, NULL);
    assert_int_equal(rj_snap_revision(snap, PLAN, 2, &rv, NULL), RJ_ENOTFOUND);
    rj_snap_end(snap);
    Renja__V1__Identity *id;
    assert_int_equal(rj_store_token_auth(f->s, tok, &id, &d), 0);
    protobuf_c_message_free_unpacked(&id->base, NULL);
    int dead = -1;
    assert_int_equal(rj_store_reader_check(f->s, &dead), 0);
    assert_int_equal(dead, 0);
}

/* fields of a change: only these are set, the store keeps the others as
 * they are at head, read in the write (so two partial submits of one
 * item in one batch both land). */
static void ch_fields(changes *c, const char *const *names)
{
    Renja__V1__Change *ch = c->v[c->n - 1];
    for (; *names; names++) {
        ch->fields = rj_realloc(ch->fields, (ch->n_fields + 1) * sizeof(*ch->fields));
        ch->fields[ch->n_fields++] = rj_strdup(*names);
    }
}

static Renja__V1__Item *item_at(rj_store *s, const char *kode, uint64_t rev)
{
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    Renja__V1__Item *it = NULL;
    assert_int_equal(rj_snap_item(snap, PLAN, kode, rev, &it, NULL), 0);
    rj_snap_end(snap);
    return it;
}

static void test_partial_upsert(void **state)
{
    fx *f = *state;
    char diag[RJ_DIAG_MAX];
    uint64_t base = seed_tree(f->s), rev;
    const char *k = "2.17.01.1.01.0001";

    /* pagu only: nama, sumber dana and both indikator stay. */
    changes c = {0};
    ch_item(&c, k, "umkm", 7777, 0);
    ch_fields(&c, (const char *[]){"kode", "pagu", NULL});
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, true, base, &rev, diag), 0);
    Renja__V1__Item *it = item_at(f->s, k, rev);
    assert_int_equal(it->pagu, 7777);
    assert_string_equal(it->nama, "nama 2.17.01.1.01.0001");
    assert_string_equal(it->sumber_dana, "DAU");
    assert_int_equal(it->n_indikator, 2);
    assert_int_equal(it->indikator[1]->target_e4, 20000);
    protobuf_c_message_free_unpacked(&it->base, NULL);

    /* One field of each indikator: the list is the upsert's, the rest of
     * indikator N is indikator N at head. */
    ch_item(&c, k, "umkm", -1, 3);
    for (int i = 0; i < 3; i++) {
        free(c.v[0]->upsert_item->indikator[i]->satuan);
        c.v[0]->upsert_item->indikator[i]->satuan = rj_asprintf("s%d", i + 1);
    }
    ch_fields(&c, (const char *[]){"kode", "indikator.satuan", NULL});
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), 0);
    it = item_at(f->s, k, rev);
    assert_int_equal(it->n_indikator, 3);
    assert_string_equal(it->indikator[0]->satuan, "s1");
    assert_string_equal(it->indikator[2]->satuan, "s3");
    assert_string_equal(it->indikator[1]->nama, "indikator 2");
    assert_int_equal(it->indikator[1]->target_e4, 20000);
    assert_string_equal(it->indikator[2]->nama, "");
    assert_false(it->indikator[2]->has_target);
    assert_int_equal(it->pagu, 7777);
    protobuf_c_message_free_unpacked(&it->base, NULL);

    /* Two partial submits of one item in one batch (no base): both land. */
    changes a = {0}, b = {0};
    int ea, eb;
    ch_item(&a, k, "umkm", 1234, 0);
    ch_fields(&a, (const char *[]){"kode", "pagu", NULL});
    ch_item(&b, k, "umkm", -1, 0);
    free(b.v[0]->upsert_item->lokasi);
    b.v[0]->upsert_item->lokasi = rj_strdup("Palembang");
    ch_fields(&b, (const char *[]){"kode", "lokasi", NULL});
    rj_op *ops[] = {new_submit(&editor, &a, 0), new_submit(&editor, &b, 0)};
    ops[0]->has_base = ops[1]->has_base = false;
    assert_int_equal(rj_store_apply(f->s, ops, 2), 0);
    ea = ops[0]->err, eb = ops[1]->err;
    for (int i = 0; i < 2; i++) {
        rj_op_clear(ops[i]);
        free(ops[i]);
    }
    changes_free(&a);
    changes_free(&b);
    assert_int_equal(ea, 0);
    assert_int_equal(eb, 0);
    it = item_at(f->s, k, head_of(f->s, PLAN));
    assert_int_equal(it->pagu, 1234);
    assert_string_equal(it->lokasi, "Palembang");
    assert_int_equal(it->n_indikator, 3);
    protobuf_c_message_free_unpacked(&it->base, NULL);

    /* A budget line: nama only keeps the pagu. */
    ch_line(&c, "5.1.02", 1);
    ch_fields(&c, (const char *[]){"kode", "nama", NULL});
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, &rev, diag), 0);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    Renja__V1__BudgetLine *ln = NULL;
    assert_int_equal(rj_snap_line(snap, PLAN, "5.1.02", rev, &ln, NULL), 0);
    rj_snap_end(snap);
    assert_int_equal(ln->pagu, 3500000);
    assert_string_equal(ln->nama, "rekening 5.1.02");
    protobuf_c_message_free_unpacked(&ln->base, NULL);

    /* Permission follows the item's bidang when the upsert has none. */
    ch_item(&c, "2.17.02.1.01.0001", "", 99, 0);
    ch_fields(&c, (const char *[]){"kode", "pagu", NULL});
    assert_int_equal(submit1(f->s, PLAN, &editor, &c, false, 0, NULL, diag), RJ_EPERM);
    assert_non_null(strstr(diag, "koperasi"));
    ch_item(&c, "2.17.02.1.01.0001", "", 99, 0);
    ch_fields(&c, (const char *[]){"kode", "pagu", NULL});
    assert_int_equal(submit1(f->s, PLAN, &editor2, &c, false, 0, &rev, diag), 0);
    it = item_at(f->s, "2.17.02.1.01.0001", rev);
    assert_string_equal(it->bidang, "koperasi");
    assert_int_equal(it->pagu, 99);
    protobuf_c_message_free_unpacked(&it->base, NULL);
    /* A new item without bidang is of no bidang: not an editor's. */
    ch_item(&c, "2.17.01.1.01.0009", "", 5, 0);
    ch_fields(&c, (const char *[]){"kode", "pagu", NULL});
    assert_int_equal(submit1(f->s, PLAN, &editor, &c, false, 0, NULL, diag), RJ_EPERM);

    /* An unknown field name is refused, naming the known ones. */
    ch_item(&c, k, "umkm", 1, 0);
    ch_fields(&c, (const char *[]){"kode", "pagu_rollup", NULL});
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "unknown field \"pagu_rollup\""));
    assert_non_null(strstr(diag, "indikator.target"));
    ch_line(&c, "5.1.02", 1);
    ch_fields(&c, (const char *[]){"kode", "bidang", NULL});
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, diag), RJ_EINVAL);
    assert_non_null(strstr(diag, "expected kode, nama, pagu"));
}

/* Every read says what failed where: the plan not found (with the advice to
 * create it), the value not found at which revision, the id too long to be
 * one. */
static void test_reader_diag(void **state)
{
    fx *f = *state;
    changes c = {0};
    ch_item(&c, "2.17", "", -1, 0);
    assert_int_equal(submit1(f->s, PLAN, &planner, &c, false, 0, NULL, NULL), 0);
    rj_snap *snap;
    rj_diag d;
    assert_int_equal(rj_snap_begin(f->s, &snap, &d), 0);

    Renja__V1__Item *it = NULL;
    rj_diag_clear(&d);
    assert_int_equal(rj_snap_item(snap, PLAN, "2.17.99", 1, &it, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "item/2.17.99 not found at revision 1 of plan " PLAN));
    rj_diag_clear(&d);
    assert_int_equal(rj_snap_item(snap, PLAN, "2.17", 1, &it, &d), 0);
    protobuf_c_message_free_unpacked(&it->base, NULL);

    Renja__V1__Item **items = NULL;
    size_t n = 0;
    rj_diag_clear(&d);
    assert_int_equal(rj_snap_items(snap, "nope/2024", "", 1, &items, &n, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "plan nope/2024 not found; create it with"));
    rj_diag_clear(&d);
    Renja__V1__Goal **goals = NULL;
    assert_int_equal(rj_snap_goals(snap, "", "", 1, &goals, &n, &d), RJ_EINVAL);
    assert_non_null(strstr(d.msg, "plan id is empty"));

    Renja__V1__Revision **revs = NULL;
    rj_diag_clear(&d);
    assert_int_equal(rj_snap_log(snap, "nope/2024", NULL, false, 0, &revs, &n, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "plan nope/2024 not found"));
    char **keys = NULL;
    rj_diag_clear(&d);
    assert_int_equal(rj_snap_changed_keys(snap, "nope/2024", 0, 1, &keys, &n, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "plan nope/2024 not found"));

    char longid[RJ_PLAN_ID_MAX + 2];
    memset(longid, 'a', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    Renja__V1__Stage **stages = NULL;
    rj_diag_clear(&d);
    assert_int_equal(rj_snap_stages(snap, longid, &stages, &n, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "not found"));
    rj_diag_clear(&d);
    assert_int_equal(rj_snap_items(snap, longid, "", 1, &items, &n, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "not found"));
    rj_snap_end(snap);
}

/* Token writes go through the one write helper: on a tiny map they grow
 * it and retry, adding and revoking alike, and a reader sees them all. */
static void test_token_growth(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    setenv("RENJA_MAPSIZE", "65536", 1);
    rj_store *s;
    rj_diag d;
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    unsetenv("RENJA_MAPSIZE");
    char bidang[180];
    memset(bidang, 'b', sizeof(bidang) - 1);
    bidang[sizeof(bidang) - 1] = '\0';
    enum { N = 600 };
    for (int i = 0; i < N; i++) {
        char name[32], tok[RJ_TOKEN_MAX];
        snprintf(name, sizeof(name), "editor-%04d", i);
        rj_diag_clear(&d);
        if (rj_store_token_add(s, name, RENJA__V1__ROLE__ROLE_EDITOR, bidang, tok, &d) != 0)
            fail_msg("token add %d: %s", i, d.msg);
    }
    size_t n = 0;
    assert_int_equal(rj_store_token_count(s, &n, &d), 0);
    assert_int_equal(n, N);
    Renja__V1__Identity **ids = NULL;
    assert_int_equal(rj_store_token_list(s, &ids, &n, &d), 0);
    assert_int_equal(n, N);
    assert_string_equal(ids[N - 1]->name, "editor-0599");
    assert_string_equal(ids[N - 1]->bidang, bidang);
    rj_msgs_free((void **)ids, n);
    for (int i = 0; i < N; i += 2) {
        char name[32];
        snprintf(name, sizeof(name), "editor-%04d", i);
        rj_diag_clear(&d);
        if (rj_store_token_revoke(s, name, &d) != 0)
            fail_msg("token revoke %d: %s", i, d.msg);
    }
    assert_int_equal(rj_store_token_count(s, &n, &d), 0);
    assert_int_equal(n, N / 2);
    assert_int_equal(rj_store_token_revoke(s, "editor-0000", &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "no token named editor-0000"));
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict_parent_child, setup, teardown),
        cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tree_rules, setup, teardown),
        cmocka_unit_test(test_map_growth),
        cmocka_unit_test(test_growth_waits_for_held_snapshot),
        cmocka_unit_test(test_backup_after_other_process_grew_map),
        cmocka_unit_test(test_schema_newer),
        cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_upsert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_diag, setup, teardown),
        cmocka_unit_test(test_token_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
