/* Backup (a compacted copy of the live environment) and restore. */
#include "rj_lmdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* A single-file copy: mdb_env_copy2() would write a directory-style env
 * when given a path, so the file is created here (O_EXCL: never overwrite an
 * earlier backup) and handed to mdb_env_copyfd2(). The copy runs its own
 * read transaction, so it counts as a reader for map growth. */
int rj_store_backup(rj_store *s, const char *out_file, rj_diag *d)
{
    int fd = open(out_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return rj_diag_set(d, errno == EEXIST ? RJ_EEXIST : RJ_EIO, "backup file %s: %s%s",
                           out_file, strerror(errno),
                           errno == EEXIST ? "; refusing to overwrite it" : "");
    int rc;
    for (;;) {
        lm_readers_enter(s);
        rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
        lm_readers_leave(s);
        /* Another process (the daemon, while `renjad backup` runs beside
         * it) grew the map after we opened the store: adopt its size, as
         * lm_read_begin does, and copy again from the start. */
        if (rc != MDB_MAP_RESIZED)
            break;
        if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
            rc = errno;
            break;
        }
        if ((rc = lm_set_mapsize(s, 0)) != 0)
            break;
    }
    if (rc == 0 && fsync(fd) < 0)
        rc = errno;
    if (close(fd) < 0 && rc == 0)
        rc = errno;
    if (rc) {
        unlink(out_file);
        return rj_diag_set(d, RJ_EIO, "backup to %s failed: %s", out_file, mdb_strerror(rc));
    }
    return 0;
}

static int check_backup_file(const char *in_file, rj_diag *d)
{
    MDB_env *env;
    int rc = mdb_env_create(&env);
    if (rc)
        return rj_diag_set(d, RJ_EIO, "restore: %s", mdb_strerror(rc));
    mdb_env_set_maxdbs(env, 8);
    rc = mdb_env_open(env, in_file, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK, 0600);
    if (rc) {
        mdb_env_close(env);
        return rj_diag_set(d, RJ_EINVAL, "%s is not a renja backup (not an LMDB file: %s)", in_file,
                           mdb_strerror(rc));
    }
    MDB_txn *txn;
    MDB_dbi meta;
    long version = 0;
    int err = 0;
    rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, "meta", 0, &meta);
        if (rc == 0)
            rc = lm_read_schema(txn, meta, &version);
        mdb_txn_abort(txn);
    }
    if (rc)
        err = rj_diag_set(d, RJ_EINVAL, "%s is not a renja backup (no schema record: %s)", in_file,
                          mdb_strerror(rc));
    else if (version > RJ_SCHEMA_VERSION)
        err = rj_diag_set(d, RJ_ESCHEMA,
                          "backup %s has schema version %ld; this build of renja supports "
                          "schema version %d",
                          in_file, version, RJ_SCHEMA_VERSION);
    mdb_env_close(env);
    return err;
}

int rj_store_restore(const char *dir, const char *in_file, rj_diag *d)
{
    int err = check_backup_file(in_file, d);
    if (err)
        return err;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return rj_diag_set(d, RJ_EIO, "cannot create data dir %s: %s", dir, strerror(errno));
    char *tmp = rj_asprintf("%s/data.mdb.restore", dir);
    char *dst = rj_asprintf("%s/data.mdb", dir);
    char *lock = rj_asprintf("%s/lock.mdb", dir);
    int in = open(in_file, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const char *step = in < 0 ? in_file : tmp;
    bool ok = in >= 0 && out >= 0;
    char buf[1 << 16];
    while (ok) {
        ssize_t r = read(in, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ok = r == 0;
            break;
        }
        for (ssize_t off = 0; off < r && ok;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            ok = w > 0;
            off += w > 0 ? w : 0;
        }
    }
    /* fsync before rename so that the name never points at a partial file,
     * then fsync the directory so that the rename itself is durable. */
    ok = ok && fsync(out) == 0;
    if (out >= 0 && close(out) < 0)
        ok = false;
    if (in >= 0)
        close(in);
    /* The log belongs to the data file it replaces: gone (and the removal
     * durable) first, so that its meta pages are never written into the
     * restored file. */
    char *wal = rj_asprintf("%s/" RJ_WAL_NAME, dir);
    if (ok && unlink(wal) < 0 && errno != ENOENT) {
        step = wal;
        ok = false;
    }
    if (ok)
        lm_sync_dir(dir);
    if (ok) {
        step = dst;
        ok = rename(tmp, dst) == 0;
    }
    if (ok && unlink(lock) < 0 && errno != ENOENT) {
        step = lock;
        ok = false;
    }
    if (ok) {
        lm_sync_dir(dir);
    } else {
        err =
            rj_diag_set(d, RJ_EIO, "restore into %s failed at %s: %s", dir, step, strerror(errno));
        unlink(tmp);
    }
    free(wal);
    free(tmp);
    free(dst);
    free(lock);
    return err;
}

/* --- tokens ----------------------------------------------------------------- */
