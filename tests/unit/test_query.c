/* The query glue on a real store in a temp dir: revisions built with
 * rj_store_apply, queried through rj_query_*. */
#include <pthread.h>
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
#include "rj_query.h"

#define PLAN "diskopukm-sumsel/2024"

static Renja__V1__Identity admin = {PROTOBUF_C_MESSAGE_INIT(&renja__v1__identity__descriptor),
                                    "admin", RENJA__V1__ROLE__ROLE_ADMIN, ""};

typedef struct chs {
    Renja__V1__Change *c[64];
    size_t n;
} chs;

static Renja__V1__Change *ch_new(chs *c)
{
    Renja__V1__Change *x = rj_malloc(sizeof *x);
    renja__v1__change__init(x);
    c->c[c->n++] = x;
    return x;
}

static Renja__V1__Item *up_item(chs *c, const char *kode, bool has_pagu, int64_t pagu,
                                const char *bidang)
{
    Renja__V1__Change *x = ch_new(c);
    x->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
    x->upsert_item = fx_item(kode, has_pagu, pagu, NULL, bidang, "PAD");
    return x->upsert_item;
}

static void up_line(chs *c, const char *kode, bool has_pagu, int64_t pagu)
{
    Renja__V1__Change *x = ch_new(c);
    x->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_LINE;
    x->upsert_line = fx_line(kode, has_pagu, pagu, NULL);
}

static void rm_item(chs *c, const char *kode)
{
    Renja__V1__Change *x = ch_new(c);
    x->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM;
    x->remove_item = rj_strdup(kode);
}

static void real(chs *c, const char *kode, int tw, int ind, int64_t v)
{
    Renja__V1__Change *x = ch_new(c);
    x->change_case = RENJA__V1__CHANGE__CHANGE_REALISASI;
    x->realisasi = fx_real(kode, tw, ind, v, 0);
}

static uint64_t submit(rj_store *s, chs *c)
{
    rj_op op = {.kind = RJ_OP_SUBMIT,
                .plan = PLAN,
                .who = &admin,
                .now_ms = 1,
                .message = "t",
                .changes = c->c,
                .n_changes = c->n};
    rj_op *ops[] = {&op};
    assert_int_equal(rj_store_apply(s, ops, 1), 0);
    if (op.err)
        fail_msg("submit: %s", op.diag.msg);
    uint64_t rev = op.rev;
    rj_op_clear(&op);
    fx_free(c->c, c->n);
    c->n = 0;
    return rev;
}

static void stage(rj_store *s, const char *name, uint64_t rev, int order)
{
    Renja__V1__Stage st = RENJA__V1__STAGE__INIT;
    st.name = (char *)name;
    st.title = (char *)name;
    st.rev = rev;
    st.order = order;
    rj_op op = {.kind = RJ_OP_SET_STAGE, .plan = PLAN, .who = &admin, .now_ms = 1, .stage = &st};
    rj_op *ops[] = {&op};
    assert_int_equal(rj_store_apply(s, ops, 1), 0);
    if (op.err)
        fail_msg("stage: %s", op.diag.msg);
    rj_op_clear(&op);
}

typedef struct fx {
    char dir[64];
    rj_store *s;
    uint64_t r1, r2, r3;
} fx;

static int setup(void **state)
{
    fx *f = rj_calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/rj_query_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    rj_diag d;
    assert_int_equal(rj_store_open(f->dir, &f->s, &d), 0);
    rj_op op = {
        .kind = RJ_OP_CREATE_PLAN, .plan = PLAN, .who = &admin, .now_ms = 1, .nama = "Dinas"};
    rj_op *ops[] = {&op};
    assert_int_equal(rj_store_apply(f->s, ops, 1), 0);
    assert_int_equal(op.err, 0);
    rj_op_clear(&op);

    chs c = {0};
    up_item(&c, "2.17", false, 0, "");
    up_item(&c, "2.17.01", false, 0, "Sekretariat");
    up_item(&c, "2.17.01.1.01", false, 0, "Sekretariat");
    Renja__V1__Item *a = up_item(&c, "2.17.01.1.01.0001", true, 100, "Sekretariat");
    fx_ind(a, "Dokumen perencanaan", "Dokumen", true, 300 * 10000, "300");
    up_item(&c, "2.17.01.1.01.0002", true, 200, "Sekretariat");
    up_item(&c, "2.17.02", false, 0, "Bidang Koperasi");
    up_item(&c, "2.17.02.1.01", false, 0, "Bidang Koperasi");
    up_item(&c, "2.17.02.1.01.0001", true, 50, "Bidang Koperasi");
    up_line(&c, "5", false, 0);
    up_line(&c, "5.1", false, 0);
    up_line(&c, "5.1.01", true, 1000);
    up_line(&c, "5.2", true, 300);
    f->r1 = submit(f->s, &c);
    stage(f->s, "apbd", f->r1, 1);

    a = up_item(&c, "2.17.01.1.01.0001", true, 150, "Sekretariat");
    fx_ind(a, "Dokumen perencanaan", "Laporan", true, 300 * 10000, "300");
    up_item(&c, "2.17.02.1.01.0002", true, 10, "Bidang Koperasi");
    up_line(&c, "5.1.01", true, 900);
    f->r2 = submit(f->s, &c);

    rm_item(&c, "2.17.01.1.01.0002");
    real(&c, "2.17.01.1.01.0001", 2, 1, 198 * 10000);
    f->r3 = submit(f->s, &c);
    stage(f->s, "perkada", f->r2, 2);
    stage(f->s, "apbd-p", f->r3, 3);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    rj_store_close(f->s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* The plan total at rev, from a full read. */
static int64_t full_total(rj_snap *snap, uint64_t rev)
{
    Renja__V1__Item **it;
    size_t n;
    assert_int_equal(rj_snap_items(snap, PLAN, "", rev, &it, &n, NULL), 0);
    rj_tree_node *nodes;
    assert_int_equal(rj_tree_items(it, n, &nodes, NULL), 0);
    int64_t t;
    assert_int_equal(rj_tree_total(nodes, n, &t, NULL), 0);
    free(nodes);
    rj_msgs_free((void **)it, n);
    return t;
}

static void test_diff_stages(void **state)
{
    fx *f = *state;
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    req.plan = PLAN;
    req.from = "apbd";
    req.to = "apbd-p";
    Renja__V1__DiffResponse out = RENJA__V1__DIFF_RESPONSE__INIT;
    rj_diag d = {{0}};
    assert_int_equal(rj_query_diff(snap, &req, &out, &d), 0);
    assert_int_equal(out.from_rev, f->r1);
    assert_int_equal(out.to_rev, f->r3);
    assert_int_equal(out.total->pagu_from, 350);
    assert_int_equal(out.total->pagu_to, 210);
    assert_int_equal(out.total->pagu_from, full_total(snap, f->r1));
    assert_int_equal(out.total->pagu_to, full_total(snap, f->r3));
    assert_int_equal(out.total->pct_e2, -4000);
    const Renja__V1__DiffRow *r = fx_row(&out, "2.17.01.1.01.0001", false);
    assert_int_equal(r->change, RENJA__V1__CHANGE_KIND__CHANGE_MODIFIED);
    assert_int_equal(r->delta, 50);
    assert_int_equal(r->n_targets, 1);
    assert_string_equal(r->targets[0]->satuan_to, "Laporan");
    r = fx_row(&out, "2.17.01.1.01.0002", false);
    assert_int_equal(r->change, RENJA__V1__CHANGE_KIND__CHANGE_REMOVED);
    assert_int_equal(r->pagu_from, 200);
    r = fx_row(&out, "2.17.02.1.01.0002", false);
    assert_int_equal(r->change, RENJA__V1__CHANGE_KIND__CHANGE_ADDED);
    r = fx_row(&out, "2.17.01", false);
    assert_int_equal(r->pagu_from, 300);
    assert_int_equal(r->pagu_to, 150);
    assert_null(fx_row(&out, "2.17.02.1.01.0001", false));
    r = fx_row(&out, "5", true);
    assert_int_equal(r->pagu_from, 1300);
    assert_int_equal(r->pagu_to, 1200);
    assert_null(fx_row(&out, "5.2", true));
    rj_query_clear(&out.base);

    /* only the changes of (r2, r3]: 0001 changed in r2 is not a row */
    req.from = "2";
    req.to = "head";
    assert_int_equal(rj_query_diff(snap, &req, &out, &d), 0);
    assert_null(fx_row(&out, "2.17.01.1.01.0001", false));
    assert_non_null(fx_row(&out, "2.17.01.1.01.0002", false));
    assert_int_equal(out.total->pagu_from, full_total(snap, f->r2));
    assert_string_equal(out.to_ref, "head");
    rj_query_clear(&out.base);

    /* backwards: the direction of the diff is kept */
    req.from = "apbd-p";
    req.to = "apbd";
    assert_int_equal(rj_query_diff(snap, &req, &out, &d), 0);
    assert_int_equal(out.total->delta, 140);
    assert_int_equal(fx_row(&out, "2.17.01.1.01.0002", false)->change,
                     RENJA__V1__CHANGE_KIND__CHANGE_ADDED);
    rj_query_clear(&out.base);

    /* the same revision: no rows */
    req.from = "apbd";
    req.to = "1";
    assert_int_equal(rj_query_diff(snap, &req, &out, &d), 0);
    assert_int_equal(out.n_rows, 0);
    assert_int_equal(out.total->delta, 0);
    rj_query_clear(&out.base);

    req.to = "no-such-stage";
    assert_int_equal(rj_query_diff(snap, &req, &out, &d), RJ_ENOTFOUND);
    assert_non_null(strstr(d.msg, "no-such-stage"));
    rj_query_clear(&out.base);
    rj_snap_end(snap);
}

/* Rows from changed keys equal the rows of a full compare of both revisions. */
static void test_diff_equals_full(void **state)
{
    fx *f = *state;
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    req.plan = PLAN;
    req.from = "1";
    req.to = "3";
    req.by = "bidang";
    Renja__V1__DiffResponse a = RENJA__V1__DIFF_RESPONSE__INIT, b = RENJA__V1__DIFF_RESPONSE__INIT;
    assert_int_equal(rj_query_diff(snap, &req, &a, NULL), 0);
    Renja__V1__Item **fi, **ti;
    Renja__V1__BudgetLine **fl, **tl;
    size_t nfi, nti, nfl, ntl;
    assert_int_equal(rj_snap_items(snap, PLAN, "", f->r1, &fi, &nfi, NULL), 0);
    assert_int_equal(rj_snap_items(snap, PLAN, "", f->r3, &ti, &nti, NULL), 0);
    assert_int_equal(rj_snap_lines(snap, PLAN, "", f->r1, &fl, &nfl, NULL), 0);
    assert_int_equal(rj_snap_lines(snap, PLAN, "", f->r3, &tl, &ntl, NULL), 0);
    rj_diff_input in = {fi,  nfi,  ti, nti,           fl,       nfl,  tl,
                        ntl, NULL, 0,  RJ_LEVEL_NONE, "bidang", false};
    assert_int_equal(rj_diff_compute(&in, &b, NULL), 0);
    assert_int_equal(a.n_rows, b.n_rows);
    for (size_t i = 0; i < a.n_rows; i++) {
        assert_string_equal(a.rows[i]->kode, b.rows[i]->kode);
        assert_int_equal(a.rows[i]->change, b.rows[i]->change);
        assert_int_equal(a.rows[i]->pagu_from, b.rows[i]->pagu_from);
        assert_int_equal(a.rows[i]->pagu_to, b.rows[i]->pagu_to);
    }
    assert_int_equal(a.n_groups, 2);
    assert_int_equal(a.n_groups, b.n_groups);
    assert_int_equal(a.groups[1]->pagu_to, b.groups[1]->pagu_to);
    rj_msgs_free((void **)fi, nfi);
    rj_msgs_free((void **)ti, nti);
    rj_msgs_free((void **)fl, nfl);
    rj_msgs_free((void **)tl, ntl);
    rj_query_clear(&a.base);
    rj_query_clear(&b.base);
    rj_snap_end(snap);
}

static void same_diff(const Renja__V1__DiffResponse *a, const Renja__V1__DiffResponse *b)
{
    assert_int_equal(a->total->pagu_from, b->total->pagu_from);
    assert_int_equal(a->total->pagu_to, b->total->pagu_to);
    assert_int_equal(a->n_rows, b->n_rows);
    for (size_t i = 0; i < a->n_rows; i++) {
        const Renja__V1__DiffRow *x = a->rows[i], *y = b->rows[i];
        assert_string_equal(x->kode, y->kode);
        assert_string_equal(x->nama, y->nama);
        assert_string_equal(x->bidang, y->bidang);
        assert_int_equal(x->change, y->change);
        assert_int_equal(x->pagu_from, y->pagu_from);
        assert_int_equal(x->pagu_to, y->pagu_to);
        assert_int_equal(x->n_targets, y->n_targets);
        assert_int_equal(x->rollup_differs, y->rollup_differs);
        assert_int_equal(x->rollup_from, y->rollup_from);
        assert_int_equal(x->rollup_to, y->rollup_to);
    }
    assert_int_equal(a->n_groups, b->n_groups);
    for (size_t i = 0; i < a->n_groups; i++) {
        assert_string_equal(a->groups[i]->key, b->groups[i]->key);
        assert_int_equal(a->groups[i]->pagu_from, b->groups[i]->pagu_from);
        assert_int_equal(a->groups[i]->pagu_to, b->groups[i]->pagu_to);
    }
}

/* The diff of (from, to), by by, against a full compare of both
 * revisions. */
static void check_against_full(rj_snap *snap, uint64_t from, uint64_t to, const char *by)
{
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    char f[24], t[24];
    snprintf(f, sizeof f, "%llu", (unsigned long long)from);
    snprintf(t, sizeof t, "%llu", (unsigned long long)to);
    req.plan = PLAN;
    req.from = f;
    req.to = t;
    req.by = (char *)by;
    Renja__V1__DiffResponse a = RENJA__V1__DIFF_RESPONSE__INIT, b = RENJA__V1__DIFF_RESPONSE__INIT;
    assert_int_equal(rj_query_diff(snap, &req, &a, NULL), 0);
    Renja__V1__Item **fi, **ti;
    Renja__V1__BudgetLine **fl, **tl;
    size_t nfi, nti, nfl, ntl;
    assert_int_equal(rj_snap_items(snap, PLAN, "", from, &fi, &nfi, NULL), 0);
    assert_int_equal(rj_snap_items(snap, PLAN, "", to, &ti, &nti, NULL), 0);
    assert_int_equal(rj_snap_lines(snap, PLAN, "", from, &fl, &nfl, NULL), 0);
    assert_int_equal(rj_snap_lines(snap, PLAN, "", to, &tl, &ntl, NULL), 0);
    rj_diff_input in = {fi, nfi, ti, nti, fl, nfl, tl, ntl, NULL, 0, RJ_LEVEL_NONE, by, false};
    assert_int_equal(rj_diff_compute(&in, &b, NULL), 0);
    same_diff(&a, &b);
    rj_msgs_free((void **)fi, nfi);
    rj_msgs_free((void **)ti, nti);
    rj_msgs_free((void **)fl, nfl);
    rj_msgs_free((void **)tl, ntl);
    rj_query_clear(&a.base);
    rj_query_clear(&b.base);
}

/* Structural changes: a recursive removal (every removed key is a changed
 * key), a leaf kegiatan that gains its first sub kegiatan, a declared
 * parent pagu. */
static void test_diff_structure(void **state)
{
    fx *f = *state;
    chs c = {0};
    up_item(&c, "2.17.03", false, 0, "Bidang UKM");
    up_item(&c, "2.17.03.1.01", true, 500, "Bidang UKM");
    uint64_t r4 = submit(f->s, &c);
    up_item(&c, "2.17.03.1.01.0001", true, 120, "Bidang UKM");
    up_item(&c, "2.17.01", true, 999, "Sekretariat");
    uint64_t r5 = submit(f->s, &c);
    Renja__V1__Change *x = ch_new(&c);
    x->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM;
    x->remove_item = rj_strdup("2.17.02");
    x->recursive = true;
    uint64_t r6 = submit(f->s, &c);
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    check_against_full(snap, f->r3, r4, "");
    check_against_full(snap, r4, r5, "");
    check_against_full(snap, r5, r6, "");
    check_against_full(snap, r6, f->r1, "");
    check_against_full(snap, f->r1, r6, "");
    assert_int_equal(full_total(snap, r4), 710);
    assert_int_equal(full_total(snap, r5), 999 + 60 + 500);

    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    req.plan = PLAN;
    req.from = "5";
    req.to = "6";
    Renja__V1__DiffResponse out = RENJA__V1__DIFF_RESPONSE__INIT;
    assert_int_equal(rj_query_diff(snap, &req, &out, NULL), 0);
    assert_int_equal(fx_row(&out, "2.17.02.1.01.0002", false)->change,
                     RENJA__V1__CHANGE_KIND__CHANGE_REMOVED);
    assert_int_equal(fx_row(&out, "2.17.02", false)->pagu_from, 60);
    assert_int_equal(out.total->delta, -60);
    const Renja__V1__DiffRow *p = fx_row(&out, "2.17.01", false);
    assert_null(p); /* unchanged and no changed descendant */
    rj_query_clear(&out.base);
    req.from = "4";
    req.to = "5";
    assert_int_equal(rj_query_diff(snap, &req, &out, NULL), 0);
    p = fx_row(&out, "2.17.01", false);
    assert_true(p->rollup_differs);
    assert_int_equal(p->pagu_from, 150);
    assert_int_equal(p->pagu_to, 999);
    assert_int_equal(p->rollup_to, 150);
    const Renja__V1__DiffRow *k = fx_row(&out, "2.17.03.1.01", false);
    assert_int_equal(k->change, RENJA__V1__CHANGE_KIND__CHANGE_UNCHANGED);
    assert_true(k->rollup_differs); /* declared 500, its new child 120 */
    assert_int_equal(out.total->pagu_to, 999 + 60 + 500);
    rj_query_clear(&out.base);
    rj_snap_end(snap);
}

/* Every pair of the fixture's revisions, both ways, plain and by each
 * `by`: the diff from the stored roll-ups and group sums answers as the
 * engine does from both whole sides. */
static void test_diff_pairs_equal_full(void **state)
{
    fx *f = *state;
    static const char *const bys[] = {"", "bidang", "sumber-dana", "rekening"};
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    for (uint64_t from = 0; from <= f->r3; from++)
        for (uint64_t to = 0; to <= f->r3; to++)
            for (size_t k = 0; k < sizeof bys / sizeof bys[0]; k++)
                check_against_full(snap, from, to, bys[k]);
    rj_snap_end(snap);
}

static void test_eval_validate_compare(void **state)
{
    fx *f = *state;
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(f->s, &snap, NULL), 0);
    Renja__V1__EvaluateRequest er = RENJA__V1__EVALUATE_REQUEST__INIT;
    er.plan = PLAN;
    er.tw = 2;
    er.at = "apbd-p";
    Renja__V1__EvaluateResponse eo = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_diag d = {{0}};
    rj_arena *a = rj_arena_new(); /* the answer lives there */
    assert_int_equal(rj_query_evaluate(snap, &er, &eo, a, &d), 0);
    assert_int_equal(eo.at_rev, f->r3);
    assert_int_equal(eo.n_rows, 1);
    assert_int_equal(eo.rows[0]->capaian_e2, 6600);
    assert_string_equal(eo.rows[0]->predikat, "Sedang");
    rj_arena_free(a);
    er.realisasi_at = "2"; /* before the realisasi was reported */
    Renja__V1__EvaluateResponse eo2 = RENJA__V1__EVALUATE_RESPONSE__INIT;
    a = rj_arena_new();
    assert_int_equal(rj_query_evaluate(snap, &er, &eo2, a, &d), 0);
    assert_false(eo2.rows[0]->reported);
    assert_int_equal(eo2.summary->not_reported, 1);
    rj_arena_free(a);

    Renja__V1__ValidateRequest vr = RENJA__V1__VALIDATE_REQUEST__INIT;
    vr.plan = PLAN;
    Renja__V1__ValidateResponse vo = RENJA__V1__VALIDATE_RESPONSE__INIT;
    assert_int_equal(rj_query_validate(snap, &vr, &vo, &d), 0);
    assert_int_equal(vo.n_findings, 1);
    assert_string_equal(vo.findings[0]->rule, "satuan-changed");
    assert_string_equal(vo.findings[0]->kode, "2.17.01.1.01.0001");
    assert_non_null(strstr(vo.findings[0]->message, "at apbd to \"Laporan\" at perkada"));
    rj_query_clear(&vo.base);
    vr.at = "apbd"; /* stages after the validated revision are left out */
    assert_int_equal(rj_query_validate(snap, &vr, &vo, &d), 0);
    assert_int_equal(vo.n_findings, 0);
    rj_query_clear(&vo.base);

    Renja__V1__CompareRequest cr = RENJA__V1__COMPARE_REQUEST__INIT;
    cr.plan = PLAN;
    Renja__V1__CompareResponse co = RENJA__V1__COMPARE_RESPONSE__INIT;
    assert_int_equal(rj_query_compare(snap, &cr, &co, &d), 0); /* every stage */
    assert_int_equal(co.n_stages, 3);
    assert_string_equal(co.stages[2]->ref, "apbd-p");
    assert_string_equal(co.stages[2]->title, "apbd-p");
    assert_string_equal(co.rows[0]->kode, "5");
    assert_int_equal(co.rows[0]->n_values, 3);
    assert_int_equal(co.rows[0]->values[0], 1300);
    assert_int_equal(co.rows[0]->values[2], 1200);
    rj_query_clear(&co.base);
    char *refs[] = {"apbd", "head"};
    cr.refs = refs;
    cr.n_refs = 2;
    cr.what = "items";
    cr.deltas = true;
    assert_int_equal(rj_query_compare(snap, &cr, &co, &d), 0);
    assert_string_equal(co.rows[0]->kode, "2.17");
    assert_int_equal(co.rows[0]->n_values, 1);
    assert_int_equal(co.rows[0]->values[0], -140);
    assert_string_equal(co.stages[1]->title, "");
    rj_query_clear(&co.base);
    rj_snap_end(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_diff_stages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diff_equals_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diff_structure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_diff_pairs_equal_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eval_validate_compare, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
