/* Fuzz target: the handlers against a real store. Each input is a Submit
 * as it arrives off the wire (protobuf bytes), applied through the service
 * functions renjad uses (prepare, rj_store_apply, finish) to a plan seeded
 * in a temporary LMDB store, by an author whose role the first byte picks.
 * Whatever is accepted is then read back through Show, Log, Diff, Validate
 * and Export.
 *
 * Invariants: an accepted submit becomes the plan's head and its revision
 * reads back with the same keys; a refused one changes nothing (the head
 * stays); every read of the plan afterwards succeeds, and their answers
 * pack. The store lives in /dev/shm when there is one (the commits' fsync
 * is then cheap). */
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "renja/v1/renja.pb-c.h"
#include "rj_service.h"
#include "rj_wire.h"

#define PLAN "uji-fuzz/2024"

static rj_store *store;
static char dir[256];
static unsigned long n_inputs, n_unpacked, n_accepted;

static int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void store_drop(void)
{
    rj_store_close(store);
    nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
    store = NULL;
}

static void at_exit(void)
{
    if (getenv("RJ_FUZZ_STATS"))
        fprintf(stderr, "fuzz_handlers: %lu inputs, %lu Submit requests, %lu accepted\n", n_inputs,
                n_unpacked, n_accepted);
    if (store)
        store_drop();
}

static Renja__V1__Identity who_of(int role)
{
    Renja__V1__Identity who = RENJA__V1__IDENTITY__INIT;
    who.name = (char *)"fuzz";
    who.role = (Renja__V1__Role)role;
    who.bidang = (char *)(role == RENJA__V1__ROLE__ROLE_EDITOR ? "Bidang Koperasi" : "");
    return who;
}

/* One write through the service functions, as the daemon does it. */
static int write_op(const rj_service *svc, const ProtobufCMessage *req, int role, uint64_t *rev,
                    bool *unchanged)
{
    Renja__V1__Identity who = who_of(role);
    rj_ctx ctx = {.store = store, .who = &who, .now_ms = 1700000000000};
    rj_op op;
    memset(&op, 0, sizeof(op));
    op.who = &who;
    op.now_ms = ctx.now_ms;
    rj_diag d = {{0}};
    int rc = svc->prepare(&ctx, req, &op, &d);
    if (rc == 0) {
        rj_op *ops[1] = {&op};
        rj_store_apply(store, ops, 1);
        rc = op.err;
        if (rc == 0) {
            ProtobufCMessage *resp = NULL;
            rc = svc->finish(&ctx, &op, &resp, &d);
            if (resp) {
                uint8_t *buf = malloc(protobuf_c_message_get_packed_size(resp) + 1);
                protobuf_c_message_pack(resp, buf);
                free(buf);
                protobuf_c_message_free_unpacked(resp, NULL);
            }
            if (rev)
                *rev = op.rev;
            if (unchanged)
                *unchanged = op.unchanged;
        }
    }
    rj_op_clear(&op);
    return rc;
}

static uint64_t head(void)
{
    rj_snap *snap = NULL;
    FUZZ_CHECK(rj_snap_begin(store, &snap, NULL) == 0, "snapshot");
    Renja__V1__Plan *p = NULL;
    rj_diag d = {{0}};
    FUZZ_CHECK(rj_snap_plan(snap, PLAN, &p, &d) == 0, "the seeded plan: %s", d.msg);
    uint64_t h = p->head;
    protobuf_c_message_free_unpacked(&p->base, NULL);
    rj_snap_end(snap);
    return h;
}

static Renja__V1__Change *item(const char *kode, const char *nama, int64_t pagu)
{
    Renja__V1__Change *c = calloc(1, sizeof(*c));
    Renja__V1__Item *it = calloc(1, sizeof(*it));
    renja__v1__change__init(c);
    renja__v1__item__init(it);
    it->kode = (char *)kode;
    it->nama = (char *)nama;
    it->bidang = (char *)"Bidang Koperasi";
    if (pagu >= 0) {
        it->has_pagu = 1;
        it->pagu = pagu;
    }
    c->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
    c->upsert_item = it;
    return c;
}

static void seed(void)
{
    const char *base =
        access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(dir, sizeof(dir), "%s/renja-fuzz-handlers.XXXXXX", base);
    FUZZ_CHECK(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
    rj_diag d = {{0}};
    FUZZ_CHECK(rj_store_open(dir, &store, &d) == 0, "store: %s", d.msg);
    static bool registered;
    if (!registered)
        atexit(at_exit);
    registered = true;
    Renja__V1__CreatePlanRequest cp = RENJA__V1__CREATE_PLAN_REQUEST__INIT;
    cp.plan = (char *)PLAN;
    cp.nama = (char *)"Dinas Uji";
    FUZZ_CHECK(write_op(&rj_svc_create_plan, &cp.base, RENJA__V1__ROLE__ROLE_PLANNER, NULL, NULL) ==
                   0,
               "create plan");
    Renja__V1__Change *ch[] = {
        item("2.17", "Koperasi", -1),
        item("2.17.01", "Program Penunjang", -1),
        item("2.17.01.1.01", "Perencanaan", -1),
        item("2.17.01.1.01.0001", "Penyusunan Renja", 150000000),
        item("2.17.01.1.01.0002", "Evaluasi Kinerja", 75000000),
        item("2.17.02", "Program Pemberdayaan", 0),
    };
    Renja__V1__SubmitRequest sr = RENJA__V1__SUBMIT_REQUEST__INIT;
    sr.plan = (char *)PLAN;
    sr.message = (char *)"seed";
    sr.changes = ch;
    sr.n_changes = sizeof(ch) / sizeof(ch[0]);
    FUZZ_CHECK(write_op(&rj_svc_submit, &sr.base, RENJA__V1__ROLE__ROLE_PLANNER, NULL, NULL) == 0,
               "seed submit");
    for (size_t i = 0; i < sr.n_changes; i++) {
        free(ch[i]->upsert_item);
        free(ch[i]);
    }
}

/* A read through its service function on a fresh snapshot: must succeed
 * on the seeded plan, and its answer must pack. */
static void read_ok(const rj_service *svc, const ProtobufCMessage *req, const char *what)
{
    Renja__V1__Identity who = who_of(RENJA__V1__ROLE__ROLE_VIEWER);
    rj_ctx ctx = {.store = store, .who = &who, .now_ms = 1700000000000, .max_message = 4 << 20};
    rj_snap *snap = NULL;
    FUZZ_CHECK(rj_snap_begin(store, &snap, NULL) == 0, "snapshot");
    ProtobufCMessage *resp = NULL;
    rj_diag d = {{0}};
    int rc = svc->read(&ctx, snap, req, &resp, &d);
    rj_snap_end(snap);
    FUZZ_CHECK(rc == 0, "%s after an accepted submit: %s", what, d.msg);
    uint8_t *buf = malloc(protobuf_c_message_get_packed_size(resp) + 1);
    protobuf_c_message_pack(resp, buf);
    free(buf);
    rj_svc_answer_free(&ctx, resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A long libFuzzer run starts over with a fresh store now and then,
     * so the plan (and /dev/shm) does not grow without end. */
    static unsigned long accepted_here;
    if (store && accepted_here >= 2000) {
        store_drop();
        accepted_here = 0;
    }
    if (!store)
        seed();
    n_inputs++;
    if (size < 1)
        return 0;
    static const int roles[] = {RENJA__V1__ROLE__ROLE_VIEWER, RENJA__V1__ROLE__ROLE_EDITOR,
                                RENJA__V1__ROLE__ROLE_PLANNER, RENJA__V1__ROLE__ROLE_ADMIN};
    int role = roles[data[0] & 3];
    bool own_plan = data[0] & 4; /* else the plan the input names */
    Renja__V1__SubmitRequest *req = (Renja__V1__SubmitRequest *)protobuf_c_message_unpack(
        &renja__v1__submit_request__descriptor, NULL, size - 1, data + 1);
    if (!req)
        return 0;
    n_unpacked++;
    /* As the daemon: nothing unknown goes on to the store. */
    rj_wire_strip_unknown(&req->base);
    char *named = req->plan;
    if (own_plan)
        req->plan = (char *)PLAN;
    uint64_t before = head(), rev = 0;
    bool unchanged = false;
    int rc = write_op(&rj_svc_submit, &req->base, role, &rev, &unchanged);
    uint64_t after = head();
    if (rc == 0 && unchanged && strcmp(req->plan, PLAN) == 0) {
        /* A submit that changes nothing makes no revision. */
        FUZZ_CHECK(rev == before && after == before,
                   "unchanged submit: rev %llu, head %llu -> %llu", (unsigned long long)rev,
                   (unsigned long long)before, (unsigned long long)after);
    } else if (rc == 0 && strcmp(req->plan, PLAN) == 0) {
        n_accepted++;
        accepted_here++;
        FUZZ_CHECK(rev == before + 1 && after == rev,
                   "accepted submit: rev %llu, head %llu -> %llu", (unsigned long long)rev,
                   (unsigned long long)before, (unsigned long long)after);
        char at[24], from[24];
        snprintf(at, sizeof(at), "%llu", (unsigned long long)rev);
        snprintf(from, sizeof(from), "%llu", (unsigned long long)before);
        Renja__V1__ShowRequest show = RENJA__V1__SHOW_REQUEST__INIT;
        show.plan = (char *)PLAN;
        show.with_realisasi = 1;
        read_ok(&rj_svc_show, &show.base, "Show");
        show.paged = 1;
        read_ok(&rj_svc_show, &show.base, "paged Show");
        Renja__V1__LogRequest log = RENJA__V1__LOG_REQUEST__INIT;
        log.plan = (char *)PLAN;
        log.limit = 4;
        read_ok(&rj_svc_log, &log.base, "Log");
        Renja__V1__DiffRequest diff = RENJA__V1__DIFF_REQUEST__INIT;
        diff.plan = (char *)PLAN;
        diff.from = from;
        diff.to = at;
        read_ok(&rj_svc_diff, &diff.base, "Diff");
        diff.by = (char *)"rekening";
        read_ok(&rj_svc_diff, &diff.base, "Diff by rekening");
        Renja__V1__ValidateRequest val = RENJA__V1__VALIDATE_REQUEST__INIT;
        val.plan = (char *)PLAN;
        read_ok(&rj_svc_validate, &val.base, "Validate");
        Renja__V1__ExportRequest ex = RENJA__V1__EXPORT_REQUEST__INIT;
        ex.plan = (char *)PLAN;
        read_ok(&rj_svc_export, &ex.base, "Export");
    } else if (rc != 0) {
        FUZZ_CHECK(after == before, "a refused submit moved the head %llu -> %llu",
                   (unsigned long long)before, (unsigned long long)after);
    }
    req->plan = named;
    protobuf_c_message_free_unpacked(&req->base, NULL);
    return 0;
}
