/* A preload for fault tests: makes the flushes of renjad's write-ahead log
 * (or of its data file) fail, as a disk that cannot write does.
 *
 *   LD_PRELOAD=librenja_failsync.so RENJA_FAILSYNC=CONTROL renjad ...
 *
 * While the file CONTROL exists, fsync, fdatasync and sync_file_range of a
 * file named renja.wal (or the name in RENJA_FAILSYNC_FILE, e.g. data.mdb)
 * fail with EIO: always if CONTROL holds "always", once if it holds "once" (CONTROL
 * is then removed). So does a pwrite to such a file opened with O_DSYNC,
 * which is a write and its flush in one call. With RENJA_FAILSYNC_NODIRECT
 * set, an open with O_DIRECT fails with EINVAL, as on a file system that
 * does not take it. Every other call goes through. */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_wal(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof(path) - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    size_t len = (size_t)n;
    const char *name = getenv("RENJA_FAILSYNC_FILE");
    if (!name || !*name)
        name = "renja.wal";
    size_t nl = strlen(name);
    return len > nl && path[len - nl - 1] == '/' && strcmp(path + len - nl, name) == 0;
}

static int should_fail(int fd)
{
    const char *control = getenv("RENJA_FAILSYNC");
    if (!control || !is_wal(fd))
        return 0;
    int c = open(control, O_RDONLY | O_CLOEXEC);
    if (c < 0)
        return 0;
    char mode[16] = {0};
    ssize_t n = read(c, mode, sizeof(mode) - 1);
    close(c);
    if (n > 0 && strncmp(mode, "once", 4) == 0) {
        unlink(control);
        return 1;
    }
    return n > 0 && strncmp(mode, "always", 6) == 0;
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    if (should_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (should_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}

int sync_file_range(int fd, off_t off, off_t n, unsigned int flags)
{
    static int (*real)(int, off_t, off_t, unsigned int);
    if (!real)
        real = (int (*)(int, off_t, off_t, unsigned int))dlsym(RTLD_NEXT, "sync_file_range");
    if (should_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return real(fd, off, n, flags);
}

/* pwrite and pwrite64 are one function on 64-bit glibc; both names are
 * taken, whichever the caller was linked against. */
static ssize_t dsync_pwrite(const char *name, int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (!real)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, name);
    int fl = getenv("RENJA_FAILSYNC") ? fcntl(fd, F_GETFL) : -1;
    if (fl >= 0 && (fl & O_DSYNC) == O_DSYNC && should_fail(fd)) {
        errno = EIO;
        return -1;
    }
    return real(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return dsync_pwrite("pwrite", fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    return dsync_pwrite("pwrite64", fd, buf, n, off);
}

static int open_as(const char *name, const char *path, int flags, va_list ap)
{
    static int (*real[2])(const char *, int, ...);
    int i = strcmp(name, "open") == 0 ? 0 : 1;
    if (!real[i])
        real[i] = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, name);
    mode_t mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
    if ((flags & O_DIRECT) && getenv("RENJA_FAILSYNC_NODIRECT")) {
        errno = EINVAL;
        return -1;
    }
    return real[i](path, flags, mode);
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int fd = open_as("open", path, flags, ap);
    va_end(ap);
    return fd;
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int fd = open_as("open64", path, flags, ap);
    va_end(ap);
    return fd;
}
