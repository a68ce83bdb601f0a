/* The whole-plan reads into an arena (rj_snap_*_arena, rj_snap_*_revs)
 * give, at every revision, the values rj_snap_items / _lines / _reals give:
 * keys with many versions (more than the walk steps over before it seeks),
 * tombstones, a key removed and added again, values after the revision
 * asked for, and several revisions read in one pass in any order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "test_store_util.h"

#define PLAN "dinas/2024"

static Renja__V1__Identity admin;

static void same_msgs(void **ref, size_t nref, void **got, size_t ngot)
{
    assert_int_equal(nref, ngot);
    for (size_t i = 0; i < nref; i++) {
        const ProtobufCMessage *a = ref[i], *b = got[i];
        size_t na = protobuf_c_message_get_packed_size(a);
        size_t nb = protobuf_c_message_get_packed_size(b);
        assert_int_equal(na, nb);
        unsigned char *pa = rj_malloc(na + 1), *pb = rj_malloc(nb + 1);
        protobuf_c_message_pack(a, pa);
        protobuf_c_message_pack(b, pb);
        assert_memory_equal(pa, pb, na);
        free(pa);
        free(pb);
    }
}

static int real_cmp(const void *a, const void *b)
{
    const Renja__V1__Realisasi *x = *(Renja__V1__Realisasi *const *)a;
    const Renja__V1__Realisasi *y = *(Renja__V1__Realisasi *const *)b;
    int c = strcmp(x->kode, y->kode);
    if (c)
        return c;
    if (x->tw != y->tw)
        return x->tw < y->tw ? -1 : 1;
    return x->indikator < y->indikator ? -1 : x->indikator > y->indikator;
}

static uint64_t build(rj_store *s)
{
    char diag[RJ_DIAG_MAX];
    assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &admin, "Dinas", diag), 0);
    changes c = {0};
    uint64_t rev = 0;
    ch_item(&c, "2.17", "", -1, 0);
    ch_item(&c, "2.17.01", "Sekretariat", -1, 1);
    ch_item(&c, "2.17.01.1.01", "Sekretariat", -1, 0);
    ch_line(&c, "5", 10);
    ch_line(&c, "5.1", 7);
    assert_int_equal(submit1(s, PLAN, &admin, &c, false, 0, &rev, diag), 0);
    /* 20 revisions: sub kegiatan 0001 changes in every one (20 versions),
     * 0002 in every third, 0003 is removed at 8 and back at 14, realisasi
     * of 0001 is reported, changed and cleared. */
    for (int r = 1; r <= 20; r++) {
        ch_item(&c, "2.17.01.1.01.0001", "Sekretariat", 100 + r, 1 + r % 2);
        if (r % 3 == 0 || r == 1)
            ch_item(&c, "2.17.01.1.01.0002", "Umum", 200 + r, 0);
        if (r == 2 || r == 14)
            ch_item(&c, "2.17.01.1.01.0003", "Umum", 300 + r, 1);
        if (r == 8)
            ch_remove(&c, "2.17.01.1.01.0003", false);
        if (r % 4 == 0)
            ch_line(&c, "5.1", 7 + r);
        if (r == 5)
            ch_remove_line(&c, "5", true);
        if (r == 6)
            ch_line(&c, "5", 1);
        if (r >= 3)
            ch_real(&c, "2.17.01.1.01.0001", 1 + r % 4, 1, r * 10000, r == 17);
        if (r == 9)
            ch_real(&c, "2.17.01.1.01.0001", 2, 0, 5000, false);
        assert_int_equal(submit1(s, PLAN, &admin, &c, false, 0, &rev, diag), 0);
    }
    return rev;
}

static void test_arena_reads(void **state)
{
    (void)state;
    admin = ident("admin", RENJA__V1__ROLE__ROLE_ADMIN, "");
    char *dir = tmp_dir();
    rj_store *s;
    rj_diag d = {{0}};
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    uint64_t head = build(s);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, &d), 0);

    /* every revision, read alone */
    for (uint64_t rev = 0; rev <= head; rev++) {
        rj_arena *a = rj_arena_new();
        Renja__V1__Item **ri, **ai;
        Renja__V1__BudgetLine **rl, **al;
        Renja__V1__Realisasi **rr, **ar;
        size_t nri, nai, nrl, nal, nrr, nar;
        assert_int_equal(rj_snap_items(snap, PLAN, "", rev, &ri, &nri, &d), 0);
        assert_int_equal(rj_snap_items_arena(snap, PLAN, rev, RJ_ITEM_ALL, a, &ai, &nai, &d), 0);
        same_msgs((void **)ri, nri, (void **)ai, nai);
        assert_int_equal(rj_snap_lines(snap, PLAN, "", rev, &rl, &nrl, &d), 0);
        assert_int_equal(rj_snap_reals(snap, PLAN, "", rev, &rr, &nrr, &d), 0);
        assert_int_equal(rj_snap_reals_arena(snap, PLAN, rev, a, &ar, &nar, &d), 0);
        if (nar)
            qsort(ar, nar, sizeof *ar, real_cmp);
        same_msgs((void **)rr, nrr, (void **)ar, nar);
        /* lines, and items of the tree view, through the pass over several
         * revisions */
        uint64_t one[] = {rev};
        size_t nb;
        Renja__V1__Item **bi;
        assert_int_equal(rj_snap_items_revs(snap, PLAN, one, 1, RJ_ITEM_TREE, a, &bi, &nb, &d), 0);
        assert_int_equal(nb, nri);
        for (size_t i = 0; i < nb; i++) {
            assert_string_equal(bi[i]->kode, ri[i]->kode);
            assert_string_equal(bi[i]->nama, ri[i]->nama);
            assert_int_equal(bi[i]->has_pagu, ri[i]->has_pagu);
            assert_int_equal(bi[i]->pagu, ri[i]->pagu);
            assert_int_equal(bi[i]->n_indikator, 0); /* not in the view */
        }
        /* the view of Evaluate: all but sumber_dana, sasaran, pagu_rollup */
        Renja__V1__Item **ei;
        size_t ne;
        assert_int_equal(rj_snap_items_arena(snap, PLAN, rev, RJ_ITEM_EVAL, a, &ei, &ne, &d), 0);
        assert_int_equal(ne, nri);
        for (size_t i = 0; i < ne; i++) {
            assert_string_equal(ei[i]->sumber_dana, "");
            free(ri[i]->sumber_dana);
            ri[i]->sumber_dana = rj_strdup("");
        }
        same_msgs((void **)ri, nri, (void **)ei, ne);
        assert_int_equal(rj_snap_lines_revs(snap, PLAN, one, 1, a, &al, &nal, &d), 0);
        same_msgs((void **)rl, nrl, (void **)al, nal);
        rj_msgs_free((void **)ri, nri);
        rj_msgs_free((void **)rl, nrl);
        rj_msgs_free((void **)rr, nrr);
        rj_arena_free(a);
    }

    /* all revisions in one pass, in an order of their own with repeats */
    uint64_t revs[] = {head, 3, 0, 8, 14, 3, 21, 9, 1, 20};
    size_t nrev = sizeof revs / sizeof revs[0];
    rj_arena *a = rj_arena_new();
    Renja__V1__Item **items[10];
    Renja__V1__BudgetLine **lines[10];
    size_t ni[10], nl[10];
    assert_int_equal(rj_snap_items_revs(snap, PLAN, revs, nrev, RJ_ITEM_ALL, a, items, ni, &d), 0);
    assert_int_equal(rj_snap_lines_revs(snap, PLAN, revs, nrev, a, lines, nl, &d), 0);
    for (size_t k = 0; k < nrev; k++) {
        Renja__V1__Item **ri;
        Renja__V1__BudgetLine **rl;
        size_t nri, nrl;
        assert_int_equal(rj_snap_items(snap, PLAN, "", revs[k], &ri, &nri, &d), 0);
        assert_int_equal(rj_snap_lines(snap, PLAN, "", revs[k], &rl, &nrl, &d), 0);
        same_msgs((void **)ri, nri, (void **)items[k], ni[k]);
        same_msgs((void **)rl, nrl, (void **)lines[k], nl[k]);
        rj_msgs_free((void **)ri, nri);
        rj_msgs_free((void **)rl, nrl);
    }
    /* 2.17 never changed after revision 1: one message for all revisions */
    assert_ptr_equal(items[0][0], items[4][0]);
    assert_int_equal(ni[2], 0); /* revision 0: nothing yet */
    rj_arena_free(a);

    /* a plan that is not there */
    a = rj_arena_new();
    Renja__V1__Item **none;
    size_t nn;
    assert_int_equal(rj_snap_items_arena(snap, "nope/2024", head, RJ_ITEM_ALL, a, &none, &nn, &d),
                     RJ_ENOTFOUND);
    assert_int_equal(
        rj_snap_items_revs(snap, "nope/2024", revs, 1, RJ_ITEM_TREE, a, &none, &nn, &d),
        RJ_ENOTFOUND);
    rj_arena_free(a);
    rj_snap_end(snap);
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
