/* Store benchmark: prints one line per figure.
 *
 *   bench_store [DIR]     (default: a fresh directory under $TMPDIR or /tmp)
 *   bench_store --raw-lmdb [DIR]   only the raw LMDB figure below
 *
 * First the physical ceiling: raw LMDB synced commits per second, one
 * writer, one 200-byte put per transaction, opened as the store opens its
 * environment (durable commits: no MDB_NOSYNC, no MDB_NOMETASYNC).
 *
 * Durable revisions per second with 1 submitter and with 32 submitters
 * behind one writer thread that batches whatever is pending into one
 * rj_store_apply() (the daemon's group commit); as-of reads of one item and
 * of a 10,000-item plan; changed keys over 1, 100 and 10,000 revisions. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "../unit/test_store_util.h"
#include "rj_kode.h"
#include <lmdb.h>

#define PLAN "bench-opd/2024"
#define BIG "bench-besar/2024"

static Renja__V1__Identity planner;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int err, const char *msg)
{
    fprintf(stderr, "bench_store: %s: %s (%s)\n", what, rj_strerror(err), msg ? msg : "");
    exit(1);
}

static void sub_kode(char out[RJ_KODE_MAX], int i)
{
    /* 100 kegiatan of 2.17.01 .. 2.17.10, up to 9999 sub kegiatan each */
    snprintf(out, RJ_KODE_MAX, "2.17.%02d.1.%02d.%04d", 1 + (i / 100000) % 10, 1 + (i / 10000) % 10,
             1 + i % 9999);
}

/* Sub kegiatan number i (0..9899) of the 10,000-item plan, unique. */
static void big_kode(char out[RJ_KODE_MAX], int i)
{
    snprintf(out, RJ_KODE_MAX, "2.17.%02d.1.%02d.%04d", 1 + i / 990, 1 + i / 99 % 10, 1 + i % 99);
}

static void make_tree(rj_store *s, const char *plan)
{
    char diag[RJ_DIAG_MAX];
    if (simple_op(s, RJ_OP_CREATE_PLAN, plan, &planner, "bench", diag))
        die("create plan", RJ_EINVAL, diag);
    changes c = {0};
    ch_item(&c, "2.17", "", -1, 0);
    for (int p = 1; p <= 10; p++) {
        char k[RJ_KODE_MAX];
        snprintf(k, sizeof(k), "2.17.%02d", p);
        ch_item(&c, k, "", -1, 0);
        for (int g = 1; g <= 10; g++) {
            snprintf(k, sizeof(k), "2.17.%02d.1.%02d", p, g);
            ch_item(&c, k, "umkm", -1, 0);
        }
    }
    int err = submit1(s, plan, &planner, &c, false, 0, NULL, diag);
    if (err)
        die("tree", err, diag);
}

/* --- group commit model ------------------------------------------------------ */

typedef struct req {
    rj_op op;
    changes c;
    int done;
    struct req *next;
} req;

typedef struct queue {
    pthread_mutex_t mu;
    pthread_cond_t have_work, acked;
    req *head, *tail;
    int stop;
    rj_store *s;
    long commits;
} queue;

static void *writer_main(void *arg)
{
    queue *q = arg;
    rj_op *ops[256];
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (!q->head && !q->stop)
            pthread_cond_wait(&q->have_work, &q->mu);
        if (!q->head && q->stop) {
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        req *batch = q->head;
        q->head = q->tail = NULL;
        pthread_mutex_unlock(&q->mu);
        size_t n = 0;
        for (req *r = batch; r; r = r->next)
            ops[n++] = &r->op;
        rj_store_apply(q->s, ops, n);
        q->commits++;
        pthread_mutex_lock(&q->mu);
        for (req *r = batch; r; r = r->next)
            r->done = 1;
        pthread_cond_broadcast(&q->acked);
        pthread_mutex_unlock(&q->mu);
    }
}

typedef struct client {
    queue *q;
    int id, n;
    int failed;
} client;

static void *client_main(void *arg)
{
    client *cl = arg;
    queue *q = cl->q;
    for (int i = 0; i < cl->n; i++) {
        req r;
        memset(&r, 0, sizeof(r));
        char k[RJ_KODE_MAX];
        sub_kode(k, cl->id * 1000 + i % 1000);
        ch_item(&r.c, k, "umkm", i, 1);
        op_submit_init(&r.op, PLAN, &planner, &r.c, false, 0);
        pthread_mutex_lock(&q->mu);
        if (q->tail)
            q->tail->next = &r;
        else
            q->head = &r;
        q->tail = &r;
        pthread_cond_signal(&q->have_work);
        while (!r.done)
            pthread_cond_wait(&q->acked, &q->mu);
        pthread_mutex_unlock(&q->mu);
        if (r.op.err)
            cl->failed++;
        rj_op_clear(&r.op);
        changes_free(&r.c);
    }
    return NULL;
}

static double run_clients(rj_store *s, int n_clients, int per_client, long *commits)
{
    queue q = {.s = s};
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.have_work, NULL);
    pthread_cond_init(&q.acked, NULL);
    pthread_t w;
    pthread_create(&w, NULL, writer_main, &q);
    client *cl = rj_calloc((size_t)n_clients, sizeof(client));
    pthread_t *th = rj_calloc((size_t)n_clients, sizeof(pthread_t));
    double t0 = now_s();
    for (int i = 0; i < n_clients; i++) {
        cl[i] = (client){.q = &q, .id = i, .n = per_client};
        pthread_create(&th[i], NULL, client_main, &cl[i]);
    }
    for (int i = 0; i < n_clients; i++)
        pthread_join(th[i], NULL);
    double dt = now_s() - t0;
    pthread_mutex_lock(&q.mu);
    q.stop = 1;
    pthread_cond_signal(&q.have_work);
    pthread_mutex_unlock(&q.mu);
    pthread_join(w, NULL);
    for (int i = 0; i < n_clients; i++)
        if (cl[i].failed)
            die("client submit", RJ_EINTERNAL, "a submit failed");
    *commits = q.commits;
    free(cl);
    free(th);
    return (double)(n_clients * per_client) / dt;
}

/* Synced one-put commits/s straight on LMDB, in a subdirectory of dir. */
static double raw_lmdb(const char *dir)
{
    char sub[4096];
    snprintf(sub, sizeof(sub), "%s/raw-lmdb", dir);
    mkdir(sub, 0700);
    MDB_env *env;
    MDB_dbi dbi;
    MDB_txn *txn;
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_mapsize(env, 64u << 20);
    if (rc == 0)
        rc = mdb_env_open(env, sub, MDB_NOTLS, 0600);
    if (rc == 0 && (rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
        rc = mdb_dbi_open(txn, NULL, 0, &dbi);
        rc = rc ? rc : mdb_txn_commit(txn);
    }
    if (rc) {
        fprintf(stderr, "bench_store: raw LMDB in %s: %s\n", sub, mdb_strerror(rc));
        exit(1);
    }
    char value[200];
    memset(value, 'v', sizeof(value));
    int n = 2000;
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        char key[32];
        int kn = snprintf(key, sizeof(key), "key-%08d", i);
        MDB_val k = {.mv_size = (size_t)kn, .mv_data = key};
        MDB_val v = {.mv_size = sizeof(value), .mv_data = value};
        if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0 &&
            (rc = mdb_put(txn, dbi, &k, &v, 0)) == 0)
            rc = mdb_txn_commit(txn);
        if (rc) {
            fprintf(stderr, "bench_store: raw LMDB commit: %s\n", mdb_strerror(rc));
            exit(1);
        }
    }
    double rate = n / (now_s() - t0);
    mdb_env_close(env);
    return rate;
}

int main(int argc, char **argv)
{
    planner = ident("perencana", RENJA__V1__ROLE__ROLE_PLANNER, "");
    bool raw_only = argc > 1 && strcmp(argv[1], "--raw-lmdb") == 0;
    if (raw_only)
        argc--, argv++;
    char *dir = argc > 1 ? rj_strdup(argv[1]) : tmp_dir();
    printf("raw LMDB synced commits/s (1 writer, 200-byte put): %.0f\n", raw_lmdb(dir));
    if (raw_only) {
        if (argc <= 1)
            rm_rf(dir);
        free(dir);
        return 0;
    }
    rj_store *s;
    rj_diag d;
    int err = rj_store_open(dir, &s, &d);
    if (err)
        die("open", err, d.msg);
    printf("store in %s\n", dir);
    make_tree(s, PLAN);

    /* 1 submitter: each revision its own durable commit. */
    int n1 = 1000;
    double t0 = now_s();
    for (int i = 0; i < n1; i++) {
        changes c = {0};
        char k[RJ_KODE_MAX];
        sub_kode(k, i);
        ch_item(&c, k, "umkm", i, 1);
        char diag[RJ_DIAG_MAX];
        if ((err = submit1(s, PLAN, &planner, &c, false, 0, NULL, diag)) != 0)
            die("submit", err, diag);
    }
    printf("revisions/s (1 client, durable): %.0f\n", n1 / (now_s() - t0));

    long commits;
    double r32 = run_clients(s, 32, 200, &commits);
    printf("revisions/s (32 clients, durable, group commit): %.0f  (%ld commits for %d "
           "revisions)\n",
           r32, commits, 32 * 200);

    /* The 10,000-item plan with 10,000 one-item revisions on top. */
    make_tree(s, BIG);
    changes c = {0};
    for (int i = 0; i < 9889; i++) {
        char k[RJ_KODE_MAX];
        big_kode(k, i);
        ch_item(&c, k, i % 2 ? "umkm" : "koperasi", 1000 + i, 2);
    }
    char diag[RJ_DIAG_MAX];
    if ((err = submit1(s, BIG, &planner, &c, false, 0, NULL, diag)) != 0)
        die("big submit", err, diag);
    t0 = now_s();
    for (int b = 0; b < 100; b++) {
        rj_op ops[100], *pops[100];
        changes cs[100];
        for (int i = 0; i < 100; i++) {
            int j = (b * 100 + i) % 9889;
            char k[RJ_KODE_MAX];
            big_kode(k, j);
            memset(&cs[i], 0, sizeof(cs[i]));
            ch_item(&cs[i], k, "umkm", 5000 + j, 2);
            op_submit_init(&ops[i], BIG, &planner, &cs[i], false, 0);
            pops[i] = &ops[i];
        }
        rj_store_apply(s, pops, 100);
        for (int i = 0; i < 100; i++) {
            if (ops[i].err)
                die("history submit", ops[i].err, ops[i].diag.msg);
            rj_op_clear(&ops[i]);
            changes_free(&cs[i]);
        }
    }
    printf("revisions/s (batches of 100, durable): %.0f\n", 10000 / (now_s() - t0));

    rj_snap *snap;
    rj_snap_begin(s, &snap, NULL);
    uint64_t head;
    rj_snap_resolve(snap, BIG, "head", &head, NULL);

    /* As-of read of one item at random revisions. */
    int reps = 100000;
    uint64_t x = 88172645463325252ull;
    t0 = now_s();
    for (int i = 0; i < reps; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int j = (int)(x % 9889);
        char k[RJ_KODE_MAX];
        big_kode(k, j);
        Renja__V1__Item *it;
        if (rj_snap_item(snap, BIG, k, 2 + (x >> 20) % (head - 1), &it, NULL) != 0)
            die("as-of item", RJ_ENOTFOUND, k);
        protobuf_c_message_free_unpacked(&it->base, NULL);
    }
    double dt = now_s() - t0;
    printf("as-of read of one item: %.1f us (%.0f reads/s)\n", dt / reps * 1e6, reps / dt);

    /* As-of read of the whole plan, at head and halfway through history. */
    uint64_t at[] = {head, head - 5000};
    for (int a = 0; a < 2; a++) {
        int r = 20;
        size_t n = 0;
        t0 = now_s();
        for (int i = 0; i < r; i++) {
            Renja__V1__Item **items;
            if (rj_snap_items(snap, BIG, "", at[a], &items, &n, NULL) != 0)
                die("as-of plan", RJ_EINTERNAL, "");
            rj_msgs_free((void **)items, n);
        }
        dt = now_s() - t0;
        printf("as-of read of a %zu-item plan (rj_snap_items, rev %" PRIu64 " of %" PRIu64
               "): %.1f ms\n",
               n, at[a], head, dt / r * 1e3);
    }

    /* Changed keys over 1, 100 and 10,000 revisions. */
    uint64_t spans[] = {1, 100, 10000};
    for (int a = 0; a < 3; a++) {
        int r = spans[a] >= 10000 ? 20 : 2000;
        size_t n = 0;
        t0 = now_s();
        for (int i = 0; i < r; i++) {
            char **keys;
            if (rj_snap_changed_keys(snap, BIG, head - spans[a], head, &keys, &n, NULL) != 0)
                die("changed keys", RJ_EINTERNAL, "");
            rj_strs_free(keys, n);
        }
        dt = now_s() - t0;
        printf("changed keys over %" PRIu64 " revisions (%zu keys): %.1f us\n", spans[a], n,
               dt / r * 1e6);
    }
    rj_snap_end(snap);

    /* One revision that removes the whole 10,000-item tree. */
    ch_remove(&c, "2.17", true);
    t0 = now_s();
    uint64_t rrev;
    if ((err = submit1(s, BIG, &planner, &c, false, 0, &rrev, diag)) != 0)
        die("recursive removal", err, diag);
    printf("recursive removal of a 10000-item tree (one durable revision): %.1f ms\n",
           (now_s() - t0) * 1e3);
    rj_store_close(s);
    if (argc <= 1)
        rm_rf(dir);
    free(dir);
    return 0;
}
