/* The write-ahead log (see rj_lmdb.h, "the write-ahead log").
 *
 * File layout of DIR/renja.wal:
 *   two header slots of SLOT bytes each, then records.
 *   slot:   magic[8] version:u32 psize:u32 gen:u64 ckpt_txnid:u64 epoch:u64
 *           crc:u32 (zero to byte 64), then the data file's two meta pages
 *           as they were when the checkpoint made them durable (2 * psize
 *           bytes). The valid slot with the higher gen is the header. Every
 *           checkpoint writes the other slot with gen + 1; one that empties
 *           the log also starts a new epoch.
 *   record: len:u32 crc:u32 txnid:u64 epoch:u64, then len bytes of entries;
 *           crc covers txnid, epoch and the entries. Records are written
 *           from the start of the record area in each epoch, over those of
 *           earlier ones: a record of another epoch ends the log.
 *   entry:  op:u8 (1 put, 2 delete) dbi:u8 klen:u32 vlen:u32 key val
 * Integers are little-endian. CRCs are CRC-32C.
 */
#include "rj_lmdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rj_dirlock.h"

#define WAL_MAGIC "RJWAL\0\0\1"
#define WAL_VERSION 1
#define FIELDS 64
#define REC_HDR 24
/* The unit of a direct write to the log: offsets, lengths and the buffer
 * are aligned to it (a multiple of any logical block size in use). */
#define WAL_BLOCK 4096

enum { OP_PUT = 1, OP_DEL = 2 };

/* A checkpoint is due after this many records, or once the data file has
 * grown by this many pages since the last one (rj_store_checkpoint_due).
 * The pin holds every page a commit replaced until the next checkpoint, so
 * the records bound what the data file carries beside its data: with
 * one-item submits at 8 clients, 60,000 of them left a 114 MB file (53 MB
 * of data) at 1000 records, 91 MB at 500 and 72 MB at 250, and renjad maps
 * all of it; each halving costs a few per cent of Submits per second. */
#define CHECKPOINT_RECORDS 500
#ifndef CHECKPOINT_PAGES
#define CHECKPOINT_PAGES 512
#endif

/* --- CRC-32C ----------------------------------------------------------------- */

/* Slicing by 8: eight bytes per step through eight tables. */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[0][i] = c;
    }
    for (int t = 1; t < 8; t++)
        for (int i = 0; i < 256; i++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

static uint32_t crc_add(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    crc = ~crc;
    for (; n >= 8; n -= 8, b += 8) {
        uint32_t lo = crc ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                             (uint32_t)b[3] << 24);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][b[4]] ^
              crc_table[2][b[5]] ^ crc_table[1][b[6]] ^ crc_table[0][b[7]];
    }
    while (n--)
        crc = crc_table[0][(crc ^ *b++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* --- little-endian fields ---------------------------------------------------- */

static void put32(unsigned char *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *b)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

static uint64_t get64le(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* --- the databases, by number --------------------------------------------------- */

static MDB_dbi *dbi_at(rj_store *s, unsigned i)
{
    MDB_dbi *t[] = {&s->meta,   &s->plans,  &s->revs,   &s->vals,
                    &s->stages, &s->tokens, &s->events, &s->rollups, &s->groups};
    return i < sizeof(t) / sizeof(t[0]) ? t[i] : NULL;
}

static int dbi_number(rj_store *s, MDB_dbi dbi)
{
    MDB_dbi *p;
    for (unsigned i = 0; (p = dbi_at(s, i)) != NULL; i++)
        if (*p == dbi)
            return (int)i;
    abort(); /* a database this file does not know: our bug */
}

/* --- the record of the write being made ----------------------------------------- */

static void log_entry(rj_store *s, int op, MDB_dbi dbi, const MDB_val *k, const MDB_val *v)
{
    size_t vlen = v ? v->mv_size : 0;
    size_t need = 10 + k->mv_size + vlen;
    if (s->ln == 0)
        s->ln = REC_HDR; /* the record's header, filled in by lm_wal_append */
    s->lb = rj_grow(s->lb, s->ln + need, &s->lcap, 1, 4096);
    unsigned char *b = s->lb + s->ln;
    b[0] = (unsigned char)op;
    b[1] = (unsigned char)dbi_number(s, dbi);
    put32(b + 2, (uint32_t)k->mv_size);
    put32(b + 6, (uint32_t)vlen);
    memcpy(b + 10, k->mv_data, k->mv_size);
    if (vlen)
        memcpy(b + 10 + k->mv_size, v->mv_data, vlen);
    s->ln += need;
}

int lm_put(rj_store *s, MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v, unsigned flags)
{
    int rc = mdb_put(txn, dbi, k, v, flags);
    if (rc == 0 && s->logged)
        log_entry(s, OP_PUT, dbi, k, v);
    return rc;
}

int lm_del(rj_store *s, MDB_txn *txn, MDB_dbi dbi, MDB_val *k)
{
    int rc = mdb_del(txn, dbi, k, NULL);
    if (rc == 0 && s->logged)
        log_entry(s, OP_DEL, dbi, k, NULL);
    return rc;
}

size_t lm_log_mark(rj_store *s)
{
    return s->ln;
}

void lm_log_rewind(rj_store *s, size_t mark)
{
    s->ln = mark;
}

/* --- files ------------------------------------------------------------------------- */

static size_t slot_size(unsigned psize)
{
    size_t n = FIELDS + 2 * (size_t)psize;
    return (n + 4095) / 4096 * 4096;
}

static int full_pwrite(int fd, const void *p, size_t n, off_t off)
{
    const char *b = p;
    while (n) {
        ssize_t w = pwrite(fd, b, n, off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        b += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

static int full_pread(int fd, void *p, size_t n, off_t off, size_t *got)
{
    char *b = p;
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, b + done, n - done, off + (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return 0;
}

int lm_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int rc = fsync(fd) < 0 ? errno : 0;
    close(fd);
    return rc;
}

/* A failed flush of the log. The kernel may have dropped the pages it could
 * not write, so nothing about the file is known any more: the log takes no
 * more records until renjad is restarted (which reads the file as it is). */
static int wal_break(rj_store *s, int e, const char *step, rj_diag *d)
{
    if (!s->wal_broken) {
        s->wal_broken = true;
        snprintf(s->wal_why, sizeof(s->wal_why), "%s failed: %s", step, strerror(e));
    }
    return rj_diag_set(d, RJ_EIO,
                       "store: write-ahead log %s/" RJ_WAL_NAME
                       ": %s; writes are refused until renjad is restarted",
                       s->dir, s->wal_why);
}

typedef struct header {
    uint64_t gen, ckpt, epoch;
} header;

/* The header: the valid slot with the higher gen; -1 when neither is. */
static int read_header(int fd, unsigned psize, unsigned char **slot_out, header *h)
{
    size_t n = FIELDS + 2 * (size_t)psize;
    int best = -1;
    unsigned char *best_slot = NULL;
    for (int i = 0; i < 2; i++) {
        unsigned char *slot = rj_malloc(n);
        size_t got;
        bool ok = full_pread(fd, slot, n, (off_t)(i * slot_size(psize)), &got) == 0 && got == n &&
                  memcmp(slot, WAL_MAGIC, 8) == 0 && get32(slot + 8) == WAL_VERSION &&
                  get32(slot + 12) == psize;
        if (ok) {
            uint32_t crc = crc_add(0, slot, 40);
            crc = crc_add(crc, slot + FIELDS, 2 * (size_t)psize);
            ok = crc == get32(slot + 40) && (best < 0 || get64le(slot + 16) > h->gen);
        }
        if (!ok) {
            free(slot);
            continue;
        }
        free(best_slot);
        best_slot = slot;
        best = i;
        h->gen = get64le(slot + 16);
        h->ckpt = get64le(slot + 24);
        h->epoch = get64le(slot + 32);
    }
    if (slot_out)
        *slot_out = best_slot;
    else
        free(best_slot);
    return best;
}

/* Write header slot number (gen % 2) with the meta pages. */
static int write_header(int fd, unsigned psize, const header *h, const unsigned char *metas)
{
    size_t n = FIELDS + 2 * (size_t)psize;
    unsigned char *slot = rj_calloc(1, n);
    memcpy(slot, WAL_MAGIC, 8);
    put32(slot + 8, WAL_VERSION);
    put32(slot + 12, psize);
    put64(slot + 16, h->gen);
    put64(slot + 24, h->ckpt);
    put64(slot + 32, h->epoch);
    memcpy(slot + FIELDS, metas, 2 * (size_t)psize);
    uint32_t crc = crc_add(0, slot, 40);
    crc = crc_add(crc, slot + FIELDS, 2 * (size_t)psize);
    put32(slot + 40, crc);
    int rc = full_pwrite(fd, slot, n, (off_t)(h->gen % 2 * slot_size(psize)));
    free(slot);
    return rc;
}

/* --- records ----------------------------------------------------------------------- */

/* The log is written ahead of its records in zeros, so that a record's
 * fdatasync flushes its data only, not a new size or extent. */
#define EXTEND_STEP ((off_t)1 << 20)

static int extend(rj_store *s, off_t need)
{
    static const unsigned char zeros[65536];
    off_t to = (need + EXTEND_STEP - 1) / EXTEND_STEP * EXTEND_STEP;
    for (off_t at = s->wal_alloc; at < to;) {
        size_t n = (size_t)(to - at < (off_t)sizeof(zeros) ? to - at : (off_t)sizeof(zeros));
        int rc = full_pwrite(s->wal_fd, zeros, n, at);
        if (rc)
            return rc;
        at += (off_t)n;
    }
    s->wal_alloc = to;
    return 0;
}

/* Zero the record header at off: the log ends there. */
static int unwrite(rj_store *s, off_t off)
{
    static const unsigned char zeros[REC_HDR];
    if (full_pwrite(s->wal_fd, zeros, REC_HDR, off) != 0 || fdatasync(s->wal_fd) < 0)
        return -1;
    return 0;
}

/* blk's first head bytes, the start of the block the log ends in, read
 * back from the file (after the end moved back). */
static int blk_load(rj_store *s)
{
    size_t head = (size_t)(s->wal_end % WAL_BLOCK), got = 0;
    int rc = head ? full_pread(s->wal_fd, s->blk, head, s->wal_end - (off_t)head, &got) : 0;
    return rc ? rc : got < head ? EIO : 0;
}

/* A buffer of a few blocks is kept; one that a big record grew is let go. */
#define BLK_KEEP (4 * WAL_BLOCK)

static int blk_reserve(rj_store *s, size_t head, size_t len)
{
    if (len <= s->blk_cap && (s->blk_cap <= BLK_KEEP || len > BLK_KEEP))
        return 0;
    size_t cap = len > BLK_KEEP ? len : BLK_KEEP;
    void *b;
    if (posix_memalign(&b, WAL_BLOCK, cap) != 0)
        return ENOMEM;
    if (s->blk)
        memcpy(b, s->blk, head);
    free(s->blk);
    s->blk = b;
    s->blk_cap = cap;
    return 0;
}

/* Write blk's first len bytes (whole blocks) through fd at the block the
 * log ends in. */
static int blk_write(rj_store *s, int fd, size_t len)
{
    off_t at = s->wal_end - s->wal_end % WAL_BLOCK;
    ssize_t w;
    do
        w = pwrite(fd, s->blk, len, at);
    while (w < 0 && errno == EINTR);
    return w == (ssize_t)len ? 0 : w < 0 ? errno : EIO;
}

/* Append n bytes at wal_end through the O_DIRECT | O_DSYNC descriptor: the
 * block the log ends in is written again whole, its first bytes as they
 * were, zeros after the record to the end of its last block (what follows
 * the log's end anyway). Durable when it returns: one write and the
 * device's flush, with no page cache to write back first. A torn write of
 * the first block rewrites the earlier record's bytes with the same bytes. */
static int direct_append(rj_store *s, const unsigned char *rec, size_t n)
{
    size_t head = (size_t)(s->wal_end % WAL_BLOCK);
    size_t len = (head + n + WAL_BLOCK - 1) / WAL_BLOCK * WAL_BLOCK;
    int rc = blk_reserve(s, head, len);
    if (rc)
        return rc;
    memcpy(s->blk + head, rec, n);
    memset(s->blk + head + n, 0, len - head - n);
    if ((rc = blk_write(s, s->wal_dfd, len)) != 0)
        return rc;
    size_t tail = (head + n) % WAL_BLOCK;
    memmove(s->blk, s->blk + head + n - tail, tail);
    /* the record is durable: a buffer that cannot shrink is kept */
    if (s->blk_cap > BLK_KEEP)
        (void)blk_reserve(s, tail, tail);
    return 0;
}

/* Records through O_DIRECT | O_DSYNC where the file system takes it (not
 * tmpfs) and RENJA_WAL_DIRECT is not 0; a probe write of the block the log
 * ends in tells. Otherwise they are written and then flushed. */
static void direct_open(rj_store *s)
{
    const char *e = getenv("RENJA_WAL_DIRECT");
    if ((e && strcmp(e, "0") == 0) || s->wal_fd < 0)
        return;
    char *path = rj_asprintf("%s/" RJ_WAL_NAME, s->dir);
    int fd = open(path, O_WRONLY | O_DIRECT | O_DSYNC | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return;
    s->wal_dfd = fd;
    int rc = extend(s, s->wal_end + WAL_BLOCK);
    if (rc == 0 && fdatasync(s->wal_fd) < 0)
        rc = errno;
    if (rc == 0)
        rc = blk_reserve(s, 0, BLK_KEEP);
    if (rc == 0)
        rc = blk_load(s);
    if (rc == 0) {
        size_t head = (size_t)(s->wal_end % WAL_BLOCK);
        memset(s->blk + head, 0, WAL_BLOCK - head);
        rc = blk_write(s, fd, WAL_BLOCK);
    }
    if (rc) {
        close(fd);
        s->wal_dfd = -1;
    }
}

int lm_wal_append(rj_store *s, MDB_txn *txn, rj_diag *d)
{
    if (!s->logged || s->ln == 0)
        return 0;
    if (s->wal_broken)
        return wal_break(s, 0, "", d);
    unsigned char *b = s->lb;
    put32(b, (uint32_t)(s->ln - REC_HDR));
    put64(b + 8, (uint64_t)mdb_txn_id(txn));
    put64(b + 16, s->wal_epoch);
    put32(b + 4, crc_add(0, b + 8, s->ln - 8));
    int rc = 0;
    if (s->wal_end + (off_t)s->ln > s->wal_alloc) {
        /* a direct write finds the new zeros on disk, none in the page
         * cache for it to write out first */
        rc = extend(s, s->wal_end + (off_t)s->ln + (s->wal_dfd >= 0 ? WAL_BLOCK : 0));
        if (rc == 0 && s->wal_dfd >= 0 && fdatasync(s->wal_fd) < 0)
            rc = errno;
    }
    if (rc == 0 && s->wal_dfd >= 0) {
        rc = direct_append(s, b, s->ln);
    } else if (rc == 0) {
        rc = full_pwrite(s->wal_fd, b, s->ln, s->wal_end);
        if (rc == 0 && fdatasync(s->wal_fd) < 0)
            rc = errno;
    }
    if (rc) {
        /* Take the record back so that a later start does not apply a
         * write that was reported as failed; if even that fails, stop. */
        if (unwrite(s, s->wal_end) != 0)
            return wal_break(s, rc, "flush", d);
        if (rc == ENOSPC || rc == EDQUOT)
            return lm_write_failed(s, rc, "write-ahead log", d);
        return rj_diag_set(d, RJ_EIO, "store: write-ahead log %s/" RJ_WAL_NAME ": %s", s->dir,
                           strerror(rc));
    }
    s->wal_last = s->wal_end;
    s->wal_end += (off_t)s->ln;
    s->wal_records++;
    return 0;
}

void lm_wal_unappend(rj_store *s)
{
    if (!s->logged || s->wal_last < 0)
        return;
    if (unwrite(s, s->wal_last) != 0) {
        wal_break(s, errno, "taking back a record", NULL);
        return;
    }
    s->wal_end = s->wal_last;
    s->wal_last = -1;
    s->wal_records--;
    int rc = s->wal_dfd >= 0 ? blk_load(s) : 0;
    if (rc)
        wal_break(s, rc, "taking back a record", NULL);
}

/* The records of the header's epoch after its checkpoint, as offsets into buf. */
typedef struct records {
    unsigned char *buf;
    size_t len;
    size_t *at;
    size_t n, cap;
    off_t end; /* file offset just past the last good record */
} records;

static int read_records(int fd, unsigned psize, const header *h, records *r)
{
    memset(r, 0, sizeof(*r));
    off_t start = (off_t)(2 * slot_size(psize));
    r->end = start;
    struct stat st;
    if (fstat(fd, &st) < 0)
        return errno;
    if (st.st_size <= start)
        return 0;
    r->len = (size_t)(st.st_size - start);
    r->buf = rj_malloc(r->len);
    size_t got;
    int rc = full_pread(fd, r->buf, r->len, start, &got);
    if (rc)
        return rc;
    r->len = got;
    uint64_t prev = 0;
    size_t off = 0;
    while (off + REC_HDR <= r->len) {
        const unsigned char *b = r->buf + off;
        size_t len = get32(b);
        if (len > r->len - off - REC_HDR)
            break;
        if (get32(b + 4) != crc_add(0, b + 8, len + REC_HDR - 8))
            break;
        /* Records before a checkpoint of another process (which keeps
         * the epoch) are covered by it: skipped by their txnid. */
        uint64_t txnid = get64le(b + 8);
        if (get64le(b + 16) != h->epoch || txnid <= prev)
            break;
        prev = txnid;
        if (txnid > h->ckpt) {
            r->at = rj_grow(r->at, r->n + 1, &r->cap, sizeof(*r->at), 64);
            r->at[r->n++] = off;
        }
        off += REC_HDR + len;
    }
    r->end = start + (off_t)off;
    return 0;
}

static void records_free(records *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r->at);
    free(r);
}

/* Apply the records, all in one transaction. */
static int replay_fn(rj_store *s, MDB_txn *txn, void *arg)
{
    records *r = arg;
    for (size_t i = 0; i < r->n; i++) {
        const unsigned char *b = r->buf + r->at[i];
        size_t len = get32(b), off = REC_HDR;
        while (off + 10 <= REC_HDR + len) {
            const unsigned char *e = b + off;
            size_t kl = get32(e + 2), vl = get32(e + 6);
            MDB_dbi *dbi = dbi_at(s, e[1]);
            if (!dbi || kl + vl > REC_HDR + len - off - 10 || (e[0] != OP_PUT && e[0] != OP_DEL))
                return RJ_EIO;
            MDB_val k = {.mv_size = kl, .mv_data = (void *)(e + 10)};
            MDB_val v = {.mv_size = vl, .mv_data = (void *)(e + 10 + kl)};
            int rc = e[0] == OP_PUT ? mdb_put(txn, *dbi, &k, &v, 0) : mdb_del(txn, *dbi, &k, NULL);
            if (rc == MDB_MAP_FULL)
                return ERR_MAPFULL;
            if (rc && !(rc == MDB_NOTFOUND && e[0] == OP_DEL))
                return RJ_EIO;
            off += 10 + kl + vl;
        }
    }
    return 0;
}

/* --- checkpoints --------------------------------------------------------------------- */

/* Make everything committed durable in the data file and name it in the
 * log's header; with truncate, drop the records it covers. Holds LMDB's
 * write lock throughout, so no commit (of this process or another) comes
 * between the flush and the meta pages read for the header. In the
 * logging process a new pin then holds the checkpoint's pages. */
static int checkpoint(rj_store *s, bool truncate, rj_diag *d)
{
    MDB_txn *w;
    int rc = mdb_txn_begin(s->env, NULL, 0, &w);
    if (rc == MDB_MAP_RESIZED) {
        if ((rc = lm_set_mapsize(s, 0)) == 0)
            rc = mdb_txn_begin(s->env, NULL, 0, &w);
    }
    if (rc)
        return lm_write_failed(s, rc, "checkpoint", d);
    uint64_t ckpt = (uint64_t)mdb_txn_id(w) - 1;
    int dfd;
    rc = mdb_env_sync(s->env, 1);
    if (rc == 0)
        rc = __atomic_load_n(&s->preflush_err, __ATOMIC_ACQUIRE);
    if (rc == 0)
        rc = mdb_env_get_fd(s->env, &dfd);
    unsigned char *metas = rj_malloc(2 * (size_t)s->psize);
    size_t got = 0;
    if (rc == 0 && (rc = full_pread(dfd, metas, 2 * (size_t)s->psize, 0, &got)) == 0 &&
        got < 2 * (size_t)s->psize)
        rc = EIO;
    /* Another process may have written a header since ours. */
    header h = {.gen = s->wal_gen, .epoch = s->wal_epoch};
    if (rc == 0) {
        header cur = {0};
        if (read_header(s->wal_fd, s->psize, NULL, &cur) >= 0 && cur.gen > h.gen)
            h = cur;
        h.gen++;
        h.ckpt = ckpt;
        if (truncate)
            h.epoch++;
        rc = write_header(s->wal_fd, s->psize, &h, metas);
    }
    if (rc == 0 && fdatasync(s->wal_fd) < 0)
        rc = errno;
    free(metas);
    if (rc) {
        mdb_txn_abort(w);
        return wal_break(s, rc, "checkpoint", d);
    }
    s->wal_gen = h.gen;
    s->wal_epoch = h.epoch;
    MDB_envinfo info;
    if (mdb_env_info(s->env, &info) == 0)
        s->ckpt_last_pgno = info.me_last_pgno;
    if (truncate) {
        /* The records are covered now: the next ones overwrite them. */
        s->wal_end = (off_t)(2 * slot_size(s->psize));
        s->wal_last = -1;
        s->wal_records = 0;
    }
    if (s->logged) {
        MDB_txn *pin;
        rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &pin);
        if (rc) {
            mdb_txn_abort(w);
            return wal_break(s, rc, "pinning the checkpoint", d);
        }
        if (s->pin)
            mdb_txn_abort(s->pin);
        s->pin = pin;
    }
    mdb_txn_abort(w);
    return 0;
}

int lm_wal_after_commit(rj_store *s, rj_diag *d)
{
    s->wal_last = -1;
    if (s->wal_fd < 0 || s->logged)
        return 0;
    return checkpoint(s, false, d);
}

/* A new log: header slot 1 (gen 1) naming the current state, slot 0 empty,
 * written under another name and renamed, so the name never points at a
 * partial header. */
static int wal_create(rj_store *s, rj_diag *d)
{
    char *path = rj_asprintf("%s/" RJ_WAL_NAME, s->dir);
    char *tmp = rj_asprintf("%s/" RJ_WAL_NAME ".new", s->dir);
    int rc = 0;
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        rc = errno;
    /* Both header slots (and the first records' room) written in zeros,
     * not left as a hole by ftruncate: a checkpoint's header write must
     * never need a block the file system has no more of (a full disk made
     * the first checkpoint into slot 0 fail, and the log stop taking
     * writes). */
    if (rc == 0) {
        s->wal_fd = fd;
        s->wal_alloc = 0;
        rc = extend(s, (off_t)(2 * slot_size(s->psize)));
        s->wal_fd = -1;
    }
    if (rc == 0) {
        s->wal_fd = fd;
        s->wal_gen = 0;
        s->wal_epoch = 0;
        /* checkpoint writes gen 1 into slot 1; the file is renamed after */
        int err = checkpoint(s, true, d);
        s->wal_fd = -1;
        if (err) {
            close(fd);
            unlink(tmp);
            free(path);
            free(tmp);
            s->wal_broken = false;
            return err;
        }
    }
    if (rc == 0 && rename(tmp, path) < 0)
        rc = errno;
    if (rc == 0)
        rc = lm_sync_dir(s->dir);
    if (rc) {
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        rj_diag_set(d, RJ_EIO, "cannot create the write-ahead log %s: %s", path, strerror(rc));
        free(path);
        free(tmp);
        return RJ_EIO;
    }
    s->wal_fd = fd;
    free(path);
    free(tmp);
    return 0;
}

/* --- open and close ---------------------------------------------------------------------- */

int lm_wal_before_env(rj_store *s, unsigned flags, rj_diag *d)
{
    pthread_once(&crc_once, crc_init);
    /* Until the env is open and recovered, writes are LMDB's own synced
     * commits; the store logs from the end of lm_wal_after_env. */
    s->logged = false;
    s->log_wanted = flags & RJ_STORE_LOG;
    s->wal_fd = -1;
    s->wal_dfd = -1;
    s->wal_last = -1;
    s->psize = (unsigned)sysconf(_SC_PAGESIZE);
    char *path = rj_asprintf("%s/" RJ_WAL_NAME, s->dir);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(path);
        if (e == ENOENT)
            return 0; /* created after the open when this process logs */
        return rj_diag_set(d, RJ_EIO, "cannot open the write-ahead log %s/" RJ_WAL_NAME ": %s",
                           s->dir, strerror(e));
    }
    free(path);
    s->wal_fd = fd;
    struct stat st;
    if (fstat(fd, &st) == 0)
        s->wal_alloc = st.st_size;
    unsigned char *slot = NULL;
    unsigned psize = s->psize;
    header h = {0};
    if (read_header(fd, psize, &slot, &h) < 0)
        return rj_diag_set(d, RJ_EIO,
                           "the write-ahead log %s/" RJ_WAL_NAME
                           " has no valid header; the store cannot be opened safely (restore "
                           "a backup)",
                           s->dir);
    s->wal_gen = h.gen;
    s->wal_epoch = h.epoch;
    records *r = rj_calloc(1, sizeof(*r));
    int rc = read_records(fd, psize, &h, r);
    if (rc) {
        free(slot);
        records_free(r);
        return rj_diag_set(d, RJ_EIO, "cannot read the write-ahead log %s/" RJ_WAL_NAME ": %s",
                           s->dir, strerror(rc));
    }
    s->wal_end = r->end;

    /* The data file as the checkpoint left it, and nothing logged since:
     * nothing to do. Anything else is a crash after the checkpoint. */
    char *data = rj_asprintf("%s/data.mdb", s->dir);
    int dfd = open(data, O_RDWR | O_CLOEXEC);
    free(data);
    if (dfd < 0) {
        free(slot);
        records_free(r);
        return rj_diag_set(d, RJ_EIO, "cannot open %s/data.mdb: %s", s->dir, strerror(errno));
    }
    unsigned char *now = rj_malloc(2 * (size_t)psize);
    size_t got = 0;
    rc = full_pread(dfd, now, 2 * (size_t)psize, 0, &got);
    bool same =
        rc == 0 && got == 2 * (size_t)psize && memcmp(now, slot + FIELDS, 2 * (size_t)psize) == 0;
    free(now);
    int lock_fd = -1;
    bool may = true;
    if ((!same || r->n) && !(flags & RJ_STORE_OWNER)) {
        /* Recovery rewrites the data file's meta pages: only while no other
         * process (a running daemon) has the store. */
        rj_diag ld;
        may = rj_dirlock_take(s->dir, "recovery", &lock_fd, &ld) == 0;
    }
    if ((!same || r->n) && may) {
        rc = full_pwrite(dfd, slot + FIELDS, 2 * (size_t)psize, 0);
        if (rc == 0 && fdatasync(dfd) < 0)
            rc = errno;
        s->recover = r;
        r = NULL;
        s->recover_lock = lock_fd;
    } else {
        rj_dirlock_release(lock_fd);
    }
    close(dfd);
    free(slot);
    if (r) {
        records_free(r);
    }
    if (rc)
        return rj_diag_set(d, RJ_EIO, "recovery: cannot write %s/data.mdb: %s", s->dir,
                           strerror(rc));
    return 0;
}

int lm_wal_after_env(rj_store *s, rj_diag *d)
{
    int err = 0;
    records *r = s->recover;
    if (r) {
        s->recover = NULL;
        rj_diag rd;
        rj_diag_clear(&rd);
        if (r->n)
            err = lm_write(s, replay_fn, r, &rd);
        if (err)
            rj_diag_set(d, RJ_EIO, "recovery: replaying the write-ahead log %s/" RJ_WAL_NAME ": %s",
                        s->dir, rd.msg[0] ? rd.msg : rj_strerror(err));
        else if (!s->log_wanted)
            err = checkpoint(s, true, d);
        s->recovered = r->n;
        records_free(r);
        if (err) {
            rj_dirlock_release(s->recover_lock);
            s->recover_lock = -1;
            return err;
        }
    }
    if (s->log_wanted) {
        s->logged = true;
        err = s->wal_fd < 0 ? wal_create(s, d) : checkpoint(s, true, d);
        if (err == 0) {
            int rc = mdb_env_set_flags(s->env, MDB_NOSYNC, 1);
            if (rc)
                err = rj_diag_set(d, RJ_EIO, "store: %s", mdb_strerror(rc));
            else
                direct_open(s);
        }
    }
    rj_dirlock_release(s->recover_lock);
    s->recover_lock = -1;
    return err;
}

void lm_wal_close(rj_store *s)
{
    if (s->logged && s->wal_fd >= 0 && !s->wal_broken) {
        rj_diag d;
        rj_diag_clear(&d);
        /* An empty log takes no room while the daemon is stopped. */
        if (checkpoint(s, true, &d) == 0 && ftruncate(s->wal_fd, s->wal_end) == 0)
            s->wal_alloc = s->wal_end;
    }
    if (s->pin)
        mdb_txn_abort(s->pin);
    s->pin = NULL;
    records_free(s->recover);
    s->recover = NULL;
    if (s->recover_lock >= 0)
        rj_dirlock_release(s->recover_lock);
    s->recover_lock = -1;
    if (s->wal_fd >= 0)
        close(s->wal_fd);
    s->wal_fd = -1;
    if (s->wal_dfd >= 0)
        close(s->wal_dfd);
    s->wal_dfd = -1;
    free(s->blk);
    s->blk = NULL;
    s->blk_cap = 0;
    free(s->lb);
    s->lb = NULL;
}

/* --- the store's own calls ------------------------------------------------------------------- */

int rj_store_checkpoint(rj_store *s, rj_diag *d)
{
    if (!s->logged || s->wal_fd < 0)
        return 0;
    if (s->wal_broken)
        return wal_break(s, 0, "", d);
    return checkpoint(s, true, d);
}

/* Whether 1/part of a checkpoint's worth was written since the last. */
static bool written_since(rj_store *s, unsigned part)
{
    if (!s->logged || s->wal_broken || s->wal_records == 0)
        return false;
    if (s->wal_records >= CHECKPOINT_RECORDS / part)
        return true;
    /* The pages the records replaced are not reused until then: the file
     * grows by what every write since the checkpoint rewrote. */
    MDB_envinfo info;
    return mdb_env_info(s->env, &info) == 0 &&
           info.me_last_pgno >= s->ckpt_last_pgno + CHECKPOINT_PAGES / part;
}

bool rj_store_checkpoint_due(rj_store *s)
{
    return written_since(s, 1);
}

bool rj_store_checkpoint_near(rj_store *s)
{
    return written_since(s, 2);
}

/* The pre-flush writes the data file out a chunk at a time, at most two
 * chunks in the disk's queue, and then flushes it. One fdatasync of it all
 * put tens of megabytes in the queue at once, and every log flush of the
 * write batches meanwhile waited behind them: 2 to 9 ms each instead of
 * 0.3 ms (perf trace, 8 clients submitting). One chunk at a time made the
 * pre-flush last 2.5 times as long, and the file grew meanwhile. */
#ifndef PREFLUSH_CHUNK
#define PREFLUSH_CHUNK (256 << 10)
#endif

int rj_store_preflush(rj_store *s)
{
    int fd;
    if (!s->logged || mdb_env_get_fd(s->env, &fd) != 0)
        return 0;
    struct stat st;
    int e = fstat(fd, &st) == 0 ? 0 : errno;
    /* the next chunk's write is started before the last one is waited for */
    for (off_t off = 0; e == 0 && off < st.st_size + PREFLUSH_CHUNK; off += PREFLUSH_CHUNK) {
        if (off < st.st_size && sync_file_range(fd, off, PREFLUSH_CHUNK, SYNC_FILE_RANGE_WRITE) != 0)
            e = errno;
        else if (off > 0 && sync_file_range(fd, off - PREFLUSH_CHUNK, PREFLUSH_CHUNK,
                                            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                                SYNC_FILE_RANGE_WAIT_AFTER) != 0)
            e = errno;
    }
    /* A file system without it leaves the whole flush to fdatasync. */
    if (e == EINVAL || e == ESPIPE || e == ENOSYS || e == EOPNOTSUPP)
        e = 0;
    if (e == 0 && fdatasync(fd) != 0)
        e = errno;
    if (e)
        __atomic_store_n(&s->preflush_err, e, __ATOMIC_RELEASE);
    return e;
}

uint64_t rj_store_log_records(rj_store *s)
{
    /* A broken log takes no checkpoint either: nothing to wait for. */
    return s->logged && !s->wal_broken ? s->wal_records : 0;
}

bool rj_store_log_direct(rj_store *s)
{
    return s->wal_dfd >= 0;
}

uint64_t rj_store_recovered(rj_store *s)
{
    return s->recovered;
}
