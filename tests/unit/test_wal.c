/* The write-ahead log (store/rj_wal.c): a store that writes through the log
 * and dies without closing comes back with every write it made; a power
 * loss is simulated by putting back the data file as the last checkpoint
 * flushed it (with none, all, or only the meta pages of the later unsynced
 * commits) and cutting the log at every byte offset of its last records.
 * Each case opens the store as renjad's tools would, and checks the plan's
 * head and the exact pagu of every revision. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "test_store_util.h"

#define PLAN "diskop-wal/2024"

static Renja__V1__Identity planner;

/* Revision r sets 2.17's pagu to pagu_of(r). */
static int64_t pagu_of(uint64_t r)
{
    return (int64_t)r * 1000 + 7;
}

static void submit_rev(rj_store *s, uint64_t want)
{
    changes c = {0};
    ch_item(&c, "2.17", "", pagu_of(want), 0);
    uint64_t rev = 0;
    char diag[RJ_DIAG_MAX];
    assert_int_equal(submit1(s, PLAN, &planner, &c, false, 0, &rev, diag), 0);
    assert_int_equal(rev, want);
}

/* The plan's head, and whether every revision up to it holds its pagu. */
static uint64_t check_store(rj_store *s)
{
    rj_snap *snap;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    uint64_t head = 0;
    rj_diag d;
    assert_int_equal(rj_snap_resolve(snap, PLAN, "head", &head, &d), 0);
    for (uint64_t r = 1; r <= head; r++) {
        Renja__V1__Item *it = NULL;
        assert_int_equal(rj_snap_item(snap, PLAN, "2.17", r, &it, &d), 0);
        assert_true(it->has_pagu);
        assert_int_equal(it->pagu, pagu_of(r));
        protobuf_c_message_free_unpacked(&it->base, NULL);
    }
    rj_snap_end(snap);
    return head;
}

static char *path_in(const char *dir, const char *name)
{
    return rj_asprintf("%s/%s", dir, name);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    unsigned char *b = rj_malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = pread(fd, b + got, (size_t)st.st_size - got, (off_t)got);
        assert_true(r > 0);
        got += (size_t)r;
    }
    close(fd);
    *n = got;
    return b;
}

static void spill(const char *path, const unsigned char *b, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b, n), (ssize_t)n);
    close(fd);
}

static void copy_file(const char *from, const char *to)
{
    size_t n;
    unsigned char *b = slurp(from, &n);
    spill(to, b, n);
    free(b);
}

/* A dir for cases where fsync costs nothing, if the machine has one. */
static char *fast_dir(void)
{
    char tmpl[] = "/dev/shm/renja-wal-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? rj_strdup(d) : tmp_dir();
}

static void open_logged(const char *dir, rj_store **s)
{
    rj_diag d;
    rj_diag_clear(&d);
    int rc = rj_store_open_ex(dir, RJ_STORE_LOG | RJ_STORE_OWNER, s, &d);
    if (rc)
        fail_msg("open %s: %s", dir, d.msg);
}

/* In a child process: a new logging store in dir holding the plan. */
static rj_store *child_store(const char *dir)
{
    rj_store *s;
    open_logged(dir, &s);
    if (simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &planner, "Dinas", NULL) != 0)
        _exit(2);
    return s;
}

/* The child pid has exited with 0: it ended without closing its store. */
static void wait_child(pid_t pid)
{
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Revision r's record: 2.17 with indikators_of(r) indikator, from none
 * to a record of about 100 KiB, so that records end anywhere in a block,
 * fill several, and outgrow the direct write's buffer. */
static int indikators_of(uint64_t r)
{
    return r % 23 == 0 ? 3000 : (int)(r * 37 % 200);
}

static void submit_sized(rj_store *s, uint64_t want)
{
    changes c = {0};
    ch_item(&c, "2.17", "", pagu_of(want), indikators_of(want));
    uint64_t rev = 0;
    char diag[RJ_DIAG_MAX];
    assert_int_equal(submit1(s, PLAN, &planner, &c, false, 0, &rev, diag), 0);
    assert_int_equal(rev, want);
}

/* In a child process: a new logging store in dir that makes revisions 1
 * to revs with submit and dies without closing (no checkpoint); with
 * buffered, its records are written and then flushed. */
static void crash_after(const char *dir, uint64_t revs, void (*submit)(rj_store *, uint64_t),
                        bool buffered)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (buffered)
            setenv("RENJA_WAL_DIRECT", "0", 1);
        rj_store *s = child_store(dir);
        if (buffered && rj_store_log_direct(s))
            _exit(4);
        for (uint64_t r = 1; r <= revs; r++)
            submit(s, r);
        _exit(0); /* no close, no checkpoint */
    }
    wait_child(pid);
}

/* The store crash_after left, opened: the plan and every revision
 * replayed from the log, each with its pagu. */
static rj_store *reopen_all(const char *dir, uint64_t revs)
{
    rj_store *s;
    rj_diag d;
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    assert_int_equal(rj_store_recovered(s), revs + 1);
    assert_int_equal(check_store(s), revs);
    return s;
}

/* A logging store that dies without closing: every write comes back. */
static void test_exit_without_close(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    crash_after(dir, 40, submit_rev, false);
    rj_store *s = reopen_all(dir, 40);
    submit_rev(s, 41);
    rj_store_close(s);
    /* Opened again: nothing left to replay, everything there. */
    rj_diag d;
    assert_int_equal(rj_store_open(dir, &s, &d), 0);
    assert_int_equal(rj_store_recovered(s), 0);
    assert_int_equal(check_store(s), 41);
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

/* Records of every size, written directly (O_DIRECT | O_DSYNC, where the
 * file system takes it) or written and flushed (RENJA_WAL_DIRECT=0); the
 * store dies without closing, and every record comes back, with the
 * indikators of the revisions around the biggest. */
static void sizes_come_back(bool buffered)
{
    char *dir = tmp_dir();
    crash_after(dir, 60, submit_sized, buffered);
    rj_store *s = reopen_all(dir, 60);
    rj_snap *snap;
    rj_diag d;
    assert_int_equal(rj_snap_begin(s, &snap, NULL), 0);
    for (uint64_t r = 44; r <= 47; r++) {
        Renja__V1__Item *it = NULL;
        assert_int_equal(rj_snap_item(snap, PLAN, "2.17", r, &it, &d), 0);
        assert_int_equal(it->n_indikator, (size_t)indikators_of(r));
        protobuf_c_message_free_unpacked(&it->base, NULL);
    }
    rj_snap_end(snap);
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

static void test_record_sizes_direct(void **state)
{
    (void)state;
    sizes_come_back(false);
}

static void test_record_sizes_buffered(void **state)
{
    (void)state;
    sizes_come_back(true);
}

/* A clean close leaves an empty log: the next open replays nothing. */
static void test_close_checkpoints(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    rj_store *s;
    open_logged(dir, &s);
    assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &planner, "Dinas", NULL), 0);
    for (uint64_t r = 1; r <= 5; r++)
        submit_rev(s, r);
    assert_int_equal(rj_store_log_records(s), 6);
    rj_store_close(s);
    open_logged(dir, &s);
    assert_int_equal(rj_store_recovered(s), 0);
    assert_int_equal(rj_store_log_records(s), 0);
    assert_int_equal(check_store(s), 5);
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

/* A new log is written, not left sparse: a checkpoint's header write into
 * a hole needs a block, which a full disk does not have. */
static void test_new_log_has_no_holes(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    rj_store *s;
    open_logged(dir, &s);
    char *path = rj_asprintf("%s/renja.wal", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    if ((off_t)st.st_blocks * 512 < st.st_size)
        fail_msg("renja.wal: %lld bytes, %lld of them allocated", (long long)st.st_size,
                 (long long)st.st_blocks * 512);
    free(path);
    rj_store_close(s);
    rm_rf(dir);
    free(dir);
}

enum { DATA_ALL, DATA_NONE, DATA_METAS, N_DATA };
static const char *data_case[] = {"every unsynced page written", "no unsynced page written",
                                  "only the unsynced meta pages written"};

#define BEFORE 5 /* revisions in the checkpoint */
#define AFTER 3  /* revisions only in the log */

/* Power loss after AFTER unsynced commits, at every cut of the log. */
static void test_power_loss_every_cut(void **state)
{
    (void)state;
    char *dir = fast_dir();
    char *keep = fast_dir();
    char *img = path_in(keep, "data.checkpoint"), *crash = path_in(keep, "data.crash"),
         *wal = path_in(keep, "wal.crash");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        rj_store *s = child_store(dir);
        for (uint64_t r = 1; r <= BEFORE; r++)
            submit_rev(s, r);
        rj_diag d;
        if (rj_store_checkpoint(s, &d) != 0)
            _exit(3);
        /* What the disk holds after the checkpoint's flush. */
        char *data = path_in(dir, "data.mdb");
        copy_file(data, img);
        for (uint64_t r = BEFORE + 1; r <= BEFORE + AFTER; r++)
            submit_rev(s, r);
        copy_file(data, crash);
        char *log = path_in(dir, RJ_WAL_NAME);
        copy_file(log, wal);
        _exit(0);
    }
    wait_child(pid);

    size_t n_img, n_crash, n_wal;
    unsigned char *b_img = slurp(img, &n_img), *b_crash = slurp(crash, &n_crash),
                  *b_wal = slurp(wal, &n_wal);
    /* The records start after the two header slots; they end at the last
     * byte that is not zero (the log is written ahead in zeros). */
    size_t psize = (size_t)sysconf(_SC_PAGESIZE);
    size_t slot = (64 + 2 * psize + 4095) / 4096 * 4096, start = 2 * slot, end = n_wal;
    while (end > start && b_wal[end - 1] == 0)
        end--;
    assert_true(end > start);
    /* The variant of the data file: the crash's meta pages over the
     * checkpoint's pages. */
    unsigned char *b_metas = rj_malloc(n_img);
    memcpy(b_metas, b_img, n_img);
    memcpy(b_metas, b_crash, 2 * psize);
    assert_memory_not_equal(b_img, b_crash, 2 * psize);

    char *data = path_in(dir, "data.mdb"), *log = path_in(dir, RJ_WAL_NAME),
         *lock = path_in(dir, "lock.mdb");
    size_t cases = 0;
    for (int v = 0; v < N_DATA; v++) {
        uint64_t last = BEFORE;
        for (size_t cut = start; cut <= end; cut++) {
            if (v == DATA_ALL)
                spill(data, b_crash, n_crash);
            else if (v == DATA_NONE)
                spill(data, b_img, n_img);
            else
                spill(data, b_metas, n_img);
            spill(log, b_wal, cut);
            unlink(lock);
            rj_store *s;
            rj_diag d;
            rj_diag_clear(&d);
            if (rj_store_open(dir, &s, &d) != 0)
                fail_msg("%s, log cut at %zu: open: %s", data_case[v], cut, d.msg);
            uint64_t head = check_store(s);
            /* Every complete record is there, none is half there, and a
             * longer log never has fewer revisions. */
            if (head < last || head > BEFORE + AFTER)
                fail_msg("%s, log cut at %zu: head %llu after %llu", data_case[v], cut,
                         (unsigned long long)head, (unsigned long long)last);
            last = head;
            /* The store takes writes after. */
            submit_rev(s, head + 1);
            rj_store_close(s);
            cases++;
        }
        if (last != BEFORE + AFTER)
            fail_msg("%s: the whole log gives head %llu", data_case[v], (unsigned long long)last);
    }
    printf("power loss: %zu cases (%zu bytes of log records, 3 states of the data file)\n", cases,
           end - start);
    free(b_img);
    free(b_crash);
    free(b_wal);
    free(b_metas);
    free(data);
    free(log);
    free(lock);
    free(img);
    free(crash);
    free(wal);
    rm_rf(dir);
    rm_rf(keep);
    free(dir);
    free(keep);
}

/* A restore replaces the data file; the log of the old one must not be
 * applied to it. */
static void test_restore_drops_log(void **state)
{
    (void)state;
    char *dir = tmp_dir(), *other = tmp_dir();
    char *backup = path_in(other, "b.mdb");
    rj_store *s;
    open_logged(dir, &s);
    assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &planner, "Dinas", NULL), 0);
    for (uint64_t r = 1; r <= 3; r++)
        submit_rev(s, r);
    rj_diag d;
    assert_int_equal(rj_store_backup(s, backup, &d), 0);
    rj_store_close(s);
    pid_t pid = fork();
    if (pid == 0) {
        open_logged(dir, &s);
        for (uint64_t r = 4; r <= 9; r++)
            submit_rev(s, r);
        _exit(0);
    }
    wait_child(pid);
    assert_int_equal(rj_store_restore(dir, backup, &d), 0);
    char *log = path_in(dir, RJ_WAL_NAME);
    assert_int_equal(access(log, F_OK), -1);
    open_logged(dir, &s);
    assert_int_equal(rj_store_recovered(s), 0);
    assert_int_equal(check_store(s), 3);
    rj_store_close(s);
    free(log);
    free(backup);
    rm_rf(dir);
    rm_rf(other);
    free(dir);
    free(other);
}

static off_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

/* A checkpoint is due after 1,000 records, or once the data file grew by
 * 2 MiB since the last one (the figures the README gives), and not before
 * either; it is near at half of either. */
static void test_checkpoint_due(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    char *data = path_in(dir, "data.mdb");
    rj_store *s;
    open_logged(dir, &s);
    assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &planner, "Dinas", NULL), 0);
    rj_diag d;
    for (int round = 0; round < 2; round++) {
        assert_int_equal(rj_store_checkpoint(s, &d), 0);
        assert_int_equal(rj_store_log_records(s), 0);
        assert_false(rj_store_checkpoint_due(s));
        assert_false(rj_store_checkpoint_near(s));
        off_t at = file_size(data);
        uint64_t head = check_store(s), n = 0, near = 0;
        off_t near_at = 0;
        while (!rj_store_checkpoint_due(s)) {
            submit_rev(s, head + ++n);
            assert_true(n <= 1000);
            if (!near && rj_store_checkpoint_near(s)) {
                near = n;
                near_at = file_size(data);
            }
        }
        /* due: at the 1,000th record, or earlier only after 2 MiB */
        if (n < 1000)
            assert_true(file_size(data) - at >= (off_t)2 << 20);
        else
            assert_int_equal(rj_store_log_records(s), 1000);
        /* near (the pre-flush starts): half-way, by the same measures */
        assert_true(near > 0 && near <= 500 && near < n);
        if (near < 500)
            assert_true(near_at - at >= (off_t)1 << 20);
    }
    rj_store_close(s);
    free(data);
    rm_rf(dir);
    free(dir);
}

/* A log whose header is garbage: the store is not opened (its meta pages
 * cannot be trusted) and the refusal names the file; the data file is left
 * as it was. */
static void test_bad_header_refused(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    rj_store *s;
    open_logged(dir, &s);
    assert_int_equal(simple_op(s, RJ_OP_CREATE_PLAN, PLAN, &planner, "Dinas", NULL), 0);
    submit_rev(s, 1);
    rj_store_close(s);
    char *log = path_in(dir, RJ_WAL_NAME), *data = path_in(dir, "data.mdb");
    size_t n_data, n_log;
    unsigned char *before = slurp(data, &n_data), *b = slurp(log, &n_log);
    for (size_t i = 0; i < n_log && i < 65536; i++)
        b[i] ^= 0x5a;
    spill(log, b, n_log);
    rj_diag d;
    rj_diag_clear(&d);
    assert_int_equal(rj_store_open(dir, &s, &d), RJ_EIO);
    assert_non_null(strstr(d.msg, RJ_WAL_NAME));
    assert_non_null(strstr(d.msg, "no valid header"));
    size_t n_after;
    unsigned char *after = slurp(data, &n_after);
    assert_int_equal(n_after, n_data);
    assert_memory_equal(after, before, n_data);
    free(before);
    free(after);
    free(b);
    free(log);
    free(data);
    rm_rf(dir);
    free(dir);
}

int main(void)
{
    planner = ident("perencana", RENJA__V1__ROLE__ROLE_PLANNER, "");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_without_close),   cmocka_unit_test(test_close_checkpoints),
        cmocka_unit_test(test_power_loss_every_cut), cmocka_unit_test(test_restore_drops_log),
        cmocka_unit_test(test_checkpoint_due),       cmocka_unit_test(test_bad_header_refused),
        cmocka_unit_test(test_new_log_has_no_holes), cmocka_unit_test(test_record_sizes_direct),
        cmocka_unit_test(test_record_sizes_buffered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
