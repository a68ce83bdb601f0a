/* Durable 1-item revisions per second through a running renjad, with 1 and
 * with N concurrent clients, each on its own connection, each submitting
 * one-item revisions to its own item (no conflicts) and waiting for the
 * acknowledgement. Prints one line per figure.
 *
 * usage: bench_submit ADDR TOKEN [SECONDS] [CLIENTS...]
 *   e.g. bench_submit unix:/tmp/d/renjad.sock $(cat /tmp/d/admin.token) 5 1 32
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renja/v1/renja.pb-c.h"
#include "rj_methods.h"
#include "rj_rpc.h"

typedef struct worker {
    const char *addr, *token, *plan;
    int id;
    double seconds;
    long done;
    int failed;
} worker;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int submit_item(rj_rpc *rpc, const char *token, const char *plan, const char *kode,
                       const char *nama, long pagu, rj_diag *d)
{
    Renja__V1__Item item = RENJA__V1__ITEM__INIT;
    item.kode = (char *)kode;
    item.nama = (char *)nama;
    item.has_pagu = pagu >= 0;
    item.pagu = pagu >= 0 ? pagu : 0;
    Renja__V1__Change ch = RENJA__V1__CHANGE__INIT;
    ch.change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
    ch.upsert_item = &item;
    Renja__V1__Change *chs[1] = {&ch};
    Renja__V1__SubmitRequest req = RENJA__V1__SUBMIT_REQUEST__INIT;
    req.plan = (char *)plan;
    req.message = "bench";
    req.n_changes = 1;
    req.changes = chs;
    ProtobufCMessage *resp = NULL;
    int st = rj_rpc_call(rpc, RJ_METHOD_PATH(Submit), token, &req.base,
                         &renja__v1__submit_response__descriptor, &resp, 30000, d);
    if (resp)
        protobuf_c_message_free_unpacked(resp, NULL);
    return st;
}

static void *run(void *p)
{
    worker *w = p;
    rj_diag d = {{0}};
    rj_rpc *rpc = NULL;
    if (rj_rpc_connect(w->addr, 5000, &rpc, &d) != 0) {
        fprintf(stderr, "connect: %s\n", d.msg);
        w->failed = 1;
        return NULL;
    }
    char kode[32];
    snprintf(kode, sizeof(kode), "2.17.%02d", w->id % 99 + 1);
    double end = now_s() + w->seconds;
    while (now_s() < end) {
        if (submit_item(rpc, w->token, w->plan, kode, "Program", w->done, &d) != 0) {
            fprintf(stderr, "submit: %s\n", d.msg);
            w->failed = 1;
            break;
        }
        w->done++;
    }
    rj_rpc_close(rpc);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_submit ADDR TOKEN [SECONDS] [CLIENTS...]\n");
        return 2;
    }
    const char *addr = argv[1], *token = argv[2];
    double seconds = argc > 3 ? atof(argv[3]) : 5;
    char plan[64];
    snprintf(plan, sizeof(plan), "bench-%ld/2024", (long)time(NULL) % 100000);

    rj_diag d = {{0}};
    rj_rpc *rpc = NULL;
    if (rj_rpc_connect(addr, 5000, &rpc, &d) != 0) {
        fprintf(stderr, "connect: %s\n", d.msg);
        return 1;
    }
    Renja__V1__CreatePlanRequest cp = RENJA__V1__CREATE_PLAN_REQUEST__INIT;
    cp.plan = plan;
    cp.nama = "bench";
    ProtobufCMessage *resp = NULL;
    if (rj_rpc_call(rpc, RJ_METHOD_PATH(CreatePlan), token, &cp.base,
                    &renja__v1__plan_response__descriptor, &resp, 10000, &d) != 0) {
        fprintf(stderr, "create plan: %s\n", d.msg);
        return 1;
    }
    protobuf_c_message_free_unpacked(resp, NULL);
    if (submit_item(rpc, token, plan, "2.17", "Urusan", -1, &d) != 0) {
        fprintf(stderr, "urusan: %s\n", d.msg);
        return 1;
    }
    rj_rpc_close(rpc);

    int counts[8] = {1, 32};
    int n_counts = 2;
    if (argc > 4) {
        n_counts = 0;
        for (int i = 4; i < argc && n_counts < 8; i++)
            counts[n_counts++] = atoi(argv[i]);
    }
    for (int c = 0; c < n_counts; c++) {
        int n = counts[c];
        worker *ws = calloc((size_t)n, sizeof(*ws));
        pthread_t *th = calloc((size_t)n, sizeof(*th));
        double t0 = now_s();
        for (int i = 0; i < n; i++) {
            ws[i] =
                (worker){.addr = addr, .token = token, .plan = plan, .id = i, .seconds = seconds};
            pthread_create(&th[i], NULL, run, &ws[i]);
        }
        long total = 0;
        int failed = 0;
        for (int i = 0; i < n; i++) {
            pthread_join(th[i], NULL);
            total += ws[i].done;
            failed |= ws[i].failed;
        }
        double dt = now_s() - t0;
        printf("durable 1-item revisions/s via renjad, %d client(s): %.0f (%ld in %.1f s)%s\n", n,
               (double)total / dt, total, dt, failed ? " [errors]" : "");
        free(ws);
        free(th);
    }
    return 0;
}
