/* The two systemd protocols renjad speaks, without libsystemd:
 * sd_notify (a datagram to $NOTIFY_SOCKET) and socket activation
 * ($LISTEN_PID, $LISTEN_FDS, fds from 3). */
#ifndef RJ_SD_H
#define RJ_SD_H

#define RJ_SD_MAX_FDS 16

/* Send "READY=1", "STOPPING=1", ... when $NOTIFY_SOCKET is set; else no-op. */
void rj_sd_notify(const char *state);
/* The listening fds systemd passed to this process (0 when none); unsets
 * the variables so children do not inherit them. */
int rj_sd_listen_fds(int *fds, int max);

#endif
