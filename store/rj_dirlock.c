#include "rj_dirlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rj_dirlock_take(const char *dir, const char *what, int *fd, rj_diag *d)
{
    *fd = -1;
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, RJ_DIRLOCK_NAME) >= sizeof(path))
        return rj_diag_set(d, RJ_EINVAL, "data dir path %s is too long", dir);
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0)
        return rj_diag_set(d, RJ_EIO, "cannot open lock file %s: %s", path, strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    if (fcntl(f, F_SETLK, &fl) < 0) {
        int e = errno;
        if (e != EAGAIN && e != EACCES) {
            close(f);
            return rj_diag_set(d, RJ_EIO, "cannot lock %s: %s", path, strerror(e));
        }
        /* The kernel knows the holder: ask it rather than trust the text. */
        struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
        long pid = 0;
        if (fcntl(f, F_GETLK, &q) == 0 && q.l_type != F_UNLCK)
            pid = (long)q.l_pid;
        close(f);
        if (pid > 0)
            return rj_diag_set(d, RJ_ELOCKED,
                               "%s: data dir %s is in use by renjad (pid %ld); stop that process "
                               "first",
                               what, dir, pid);
        return rj_diag_set(d, RJ_ELOCKED,
                           "%s: data dir %s is in use by another process; stop it first", what,
                           dir);
    }
    char line[32];
    int n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
    if (ftruncate(f, 0) < 0 || pwrite(f, line, (size_t)n, 0) != n) {
        int e = errno;
        close(f);
        return rj_diag_set(d, RJ_EIO, "cannot write lock file %s: %s", path, strerror(e));
    }
    *fd = f;
    return 0;
}

void rj_dirlock_release(int fd)
{
    if (fd < 0)
        return;
    /* The pid text goes with the lock; the file itself stays (removing it
     * would race with a process opening it to take the lock). */
    if (ftruncate(fd, 0) < 0) {
        /* nothing to do: the lock is released by close all the same */
    }
    close(fd);
}

bool rj_store_exists(const char *dir)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/data.mdb", dir) >= sizeof(path))
        return false;
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
