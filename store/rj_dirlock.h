/* One process at a time owns a data dir: the daemon for as long as it runs,
 * `renjad init` and `renjad restore` while they work. The lock is a POSIX
 * record lock on DIR/renjad.lock, released by the kernel when its holder
 * exits however it exits; the file also carries the holder's pid as text for
 * a person looking at the dir. Commands that share a live store with the
 * daemon (backup, token) do not take it. */
#ifndef RJ_DIRLOCK_H
#define RJ_DIRLOCK_H

#include <stdbool.h>

#include "rj_error.h"

#define RJ_DIRLOCK_NAME "renjad.lock"

/* Take the lock on dir (which must exist). On success *fd holds it until
 * rj_dirlock_release. If another process holds it: RJ_ELOCKED with a diag
 * naming that process's pid and what was attempted (what, e.g. "restore"). */
int rj_dirlock_take(const char *dir, const char *what, int *fd, rj_diag *d);
void rj_dirlock_release(int fd);

/* Whether dir holds a store (a data.mdb file); false if dir is missing. */
bool rj_store_exists(const char *dir);

#endif
