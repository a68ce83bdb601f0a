/* Speed of the query engines on a generated plan in a temp store:
 * 100,000 sub kegiatan under 10 programs x 10 kegiatan; diff of two
 * revisions with 10, 1,000 and 100,000 changed items; evaluation of the
 * whole plan; compare of seven stages; validate of head with those stages.
 * One line per figure.
 *
 *   bench_query [sub_kegiatan]     (default 100000, at most 10 x 10 x 9999)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rj_alloc.h"
#include "rj_query.h"

#define PLAN "bench/2024"
#define CHUNK 10000

static Renja__V1__Identity admin = {PROTOBUF_C_MESSAGE_INIT(&renja__v1__identity__descriptor),
                                    "admin", RENJA__V1__ROLE__ROLE_ADMIN, ""};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_query: %s: %s\n", what, msg);
    exit(1);
}

typedef struct batch {
    Renja__V1__Change **c;
    size_t n, cap;
} batch;

static Renja__V1__Change *add(batch *b)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->c = rj_realloc(b->c, b->cap * sizeof *b->c);
    }
    Renja__V1__Change *x = rj_malloc(sizeof *x);
    renja__v1__change__init(x);
    b->c[b->n++] = x;
    return x;
}

static void item(batch *b, const char *kode, bool has_pagu, int64_t pagu, bool ind)
{
    Renja__V1__Change *x = add(b);
    Renja__V1__Item *it = rj_malloc(sizeof *it);
    renja__v1__item__init(it);
    it->kode = rj_strdup(kode);
    it->nama = rj_asprintf("Sub kegiatan %s", kode);
    it->bidang = rj_strdup("Sekretariat");
    it->sumber_dana = rj_strdup("PAD");
    it->has_pagu = has_pagu;
    it->pagu = pagu;
    if (ind) {
        Renja__V1__Indikator *in = rj_malloc(sizeof *in);
        renja__v1__indikator__init(in);
        in->nama = rj_strdup("Dokumen");
        in->satuan = rj_strdup("Dokumen");
        in->has_target = true;
        in->target_e4 = 12 * 10000;
        in->target_text = rj_strdup("12");
        it->indikator = rj_malloc(sizeof *it->indikator);
        it->indikator[0] = in;
        it->n_indikator = 1;
    }
    x->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
    x->upsert_item = it;
}

static uint64_t submit(rj_store *s, batch *b)
{
    rj_op op = {.kind = RJ_OP_SUBMIT,
                .plan = PLAN,
                .who = &admin,
                .now_ms = 1,
                .message = "bench",
                .changes = b->c,
                .n_changes = b->n};
    rj_op *ops[] = {&op};
    if (rj_store_apply(s, ops, 1) || op.err)
        die("submit", op.diag.msg);
    uint64_t rev = op.rev;
    rj_op_clear(&op);
    for (size_t i = 0; i < b->n; i++)
        protobuf_c_message_free_unpacked(&b->c[i]->base, NULL);
    b->n = 0;
    return rev;
}

static void stage(rj_store *s, const char *name, uint64_t rev, int order)
{
    Renja__V1__Stage st = RENJA__V1__STAGE__INIT;
    st.name = (char *)name;
    st.rev = rev;
    st.order = order;
    rj_op op = {.kind = RJ_OP_SET_STAGE, .plan = PLAN, .who = &admin, .now_ms = 1, .stage = &st};
    rj_op *ops[] = {&op};
    if (rj_store_apply(s, ops, 1) || op.err)
        die("stage", op.diag.msg);
    rj_op_clear(&op);
}

static void sub_kode(char *out, size_t i)
{
    /* 10 programs x 10 kegiatan x (n / 100) sub kegiatan */
    snprintf(out, 32, "2.17.%02zu.1.%02zu.%04zu", i / 10000 % 10 + 1, i / 1000 % 10 + 1,
             i % 1000 + 1);
}

/* Change the pagu of `count` sub kegiatan spread over the plan; returns the
 * last revision. */
static uint64_t change(rj_store *s, size_t n, size_t count, int64_t bump)
{
    batch b = {0};
    uint64_t rev = 0;
    size_t step = n / count;
    for (size_t k = 0; k < count; k++) {
        char kode[32];
        sub_kode(kode, k * step);
        item(&b, kode, true, 1000000 + (int64_t)(k * step) + bump, true);
        if (b.n == CHUNK)
            rev = submit(s, &b);
    }
    if (b.n)
        rev = submit(s, &b);
    free(b.c);
    return rev;
}

static void bench_diff_by(rj_store *s, uint64_t from, uint64_t to, const char *label,
                          const char *by)
{
    rj_snap *snap;
    rj_snap_begin(s, &snap, NULL);
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    char f[24], t[24];
    snprintf(f, sizeof f, "%llu", (unsigned long long)from);
    snprintf(t, sizeof t, "%llu", (unsigned long long)to);
    req.plan = PLAN;
    req.from = f;
    req.to = t;
    req.by = (char *)by;
    Renja__V1__DiffResponse out = RENJA__V1__DIFF_RESPONSE__INIT;
    rj_diag d = {{0}};
    double t0 = now_ms();
    if (rj_query_diff(snap, &req, &out, &d))
        die("diff", d.msg);
    double t1 = now_ms();
    printf("diff %-34s %9.1f ms  rows %zu  total delta %lld\n", label, t1 - t0, out.n_rows,
           (long long)out.total->delta);
    rj_query_clear(&out.base);
    rj_snap_end(snap);
}

static void bench_diff(rj_store *s, uint64_t from, uint64_t to, const char *label)
{
    bench_diff_by(s, from, to, label, "");
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    if (n < 1000 || n > 100000)
        die("usage", "sub kegiatan between 1000 and 100000");
    n -= n % 1000;
    char dir[] = "/tmp/rj_bench_query_XXXXXX";
    if (!mkdtemp(dir))
        die("mkdtemp", dir);
    rj_store *s;
    rj_diag d = {{0}};
    if (rj_store_open(dir, &s, &d))
        die("open", d.msg);
    rj_op op = {
        .kind = RJ_OP_CREATE_PLAN, .plan = PLAN, .who = &admin, .now_ms = 1, .nama = "Bench"};
    rj_op *ops[] = {&op};
    if (rj_store_apply(s, ops, 1) || op.err)
        die("create", op.diag.msg);
    rj_op_clear(&op);

    double t0 = now_ms();
    batch b = {0};
    item(&b, "2.17", false, 0, false);
    for (int p = 1; p <= 10; p++) {
        char k[32];
        snprintf(k, sizeof k, "2.17.%02d", p);
        item(&b, k, false, 0, true);
        for (int g = 1; g <= 10; g++) {
            snprintf(k, sizeof k, "2.17.%02d.1.%02d", p, g);
            item(&b, k, false, 0, true);
        }
    }
    submit(s, &b);
    for (size_t i = 0; i < n; i++) {
        char kode[32];
        sub_kode(kode, i);
        item(&b, kode, true, 1000000 + (int64_t)i, true);
        if (b.n == CHUNK)
            submit(s, &b);
    }
    uint64_t base = b.n ? submit(s, &b) : 0;
    if (!base) {
        rj_snap *snap;
        rj_snap_begin(s, &snap, NULL);
        rj_snap_resolve(snap, PLAN, "head", &base, NULL);
        rj_snap_end(snap);
    }
    /* realisasi of triwulan II for every sub kegiatan */
    for (size_t i = 0; i < n; i++) {
        char kode[32];
        sub_kode(kode, i);
        Renja__V1__Change *x = add(&b);
        Renja__V1__Realisasi *r = rj_malloc(sizeof *r);
        renja__v1__realisasi__init(r);
        r->kode = rj_strdup(kode);
        r->tw = 2;
        r->indikator = 1;
        r->value_e4 = (int64_t)(i % 15) * 10000;
        r->text = rj_strdup("");
        x->change_case = RENJA__V1__CHANGE__CHANGE_REALISASI;
        x->realisasi = r;
        if (b.n == CHUNK)
            base = submit(s, &b);
    }
    if (b.n)
        base = submit(s, &b);
    free(b.c);
    printf("load %zu sub kegiatan + realisasi         %9.1f ms  head %llu\n", n, now_ms() - t0,
           (unsigned long long)base);

    uint64_t r10 = change(s, n, 10, 1);
    uint64_t r1k = change(s, n, 1000, 2);
    uint64_t r100k = change(s, n, n, 3);
    bench_diff(s, base, r10, "10 changed");
    bench_diff(s, r10, r1k, "1000 changed");
    bench_diff(s, r1k, r100k, "all sub kegiatan changed");
    bench_diff(s, r100k, base, "backwards, all changed");
    /* Groups from the stored group sums: the same cost as a plain diff. */
    bench_diff_by(s, base, r10, "10 changed, by bidang", "bidang");
    bench_diff_by(s, r10, r1k, "1000 changed, by sumber dana", "sumber-dana");
    /* the first diff after a start: the store opened again, nothing held */
    rj_store_close(s);
    if (rj_store_open(dir, &s, &d))
        die("reopen", d.msg);
    bench_diff(s, base, r10, "10 changed, first after reopening");
    bench_diff_by(s, base, r10, "10 by bidang, first after reopening", "bidang");
    bench_diff(s, r1k, r100k, "all changed, first after reopening");

    rj_snap *snap;
    rj_snap_begin(s, &snap, NULL);
    Renja__V1__EvaluateRequest er = RENJA__V1__EVALUATE_REQUEST__INIT;
    er.plan = PLAN;
    er.tw = 2;
    Renja__V1__EvaluateResponse eo = RENJA__V1__EVALUATE_RESPONSE__INIT;
    rj_arena *answer = rj_arena_new();
    t0 = now_ms();
    if (rj_query_evaluate(snap, &er, &eo, answer, &d))
        die("evaluate", d.msg);
    printf("evaluate whole plan                      %9.1f ms  rows %zu  met %zu\n", now_ms() - t0,
           eo.n_rows, eo.summary->n_met);
    rj_arena_free(answer);
    rj_snap_end(snap);

    const char *names[] = {"s1", "s2", "s3", "s4", "s5", "s6", "s7"};
    uint64_t revs[] = {base, base, r10, r10, r1k, r100k, r100k};
    for (int i = 0; i < 7; i++)
        stage(s, names[i], revs[i], i + 1);
    rj_snap_begin(s, &snap, NULL);
    Renja__V1__CompareRequest cr = RENJA__V1__COMPARE_REQUEST__INIT;
    cr.plan = PLAN;
    cr.what = "items";
    Renja__V1__CompareResponse co = RENJA__V1__COMPARE_RESPONSE__INIT;
    t0 = now_ms();
    if (rj_query_compare(snap, &cr, &co, &d))
        die("compare", d.msg);
    printf("compare seven stages (items)             %9.1f ms  rows %zu\n", now_ms() - t0,
           co.n_rows);
    rj_query_clear(&co.base);
    rj_snap_end(snap);

    /* validate reads every stage up to head (row-shift, satuan-changed) */
    rj_snap_begin(s, &snap, NULL);
    Renja__V1__ValidateRequest vr = RENJA__V1__VALIDATE_REQUEST__INIT;
    vr.plan = PLAN;
    Renja__V1__ValidateResponse vo = RENJA__V1__VALIDATE_RESPONSE__INIT;
    t0 = now_ms();
    if (rj_query_validate(snap, &vr, &vo, &d))
        die("validate", d.msg);
    printf("validate head with seven stages          %9.1f ms  findings %zu\n", now_ms() - t0,
           vo.n_findings);
    rj_query_clear(&vo.base);
    rj_snap_end(snap);

    rj_store_close(s);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_query: could not remove %s\n", dir);
    return 0;
}
