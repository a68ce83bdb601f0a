/* The client's side of TLS (OpenSSL) on a connected, non-blocking TCP
 * socket: the handshake with the server's certificate verified against a
 * CA file or the system's roots and its host name (or IP address)
 * checked, SNI sent for names, ALPN h2 offered and required. rj_rpc moves
 * its HTTP/2 bytes through rj_tlsc_send and rj_tlsc_recv instead of
 * send(2) and recv(2). OpenSSL writes to the socket with write(2): the
 * process must ignore SIGPIPE (renja does).
 */
#ifndef RJ_TLSC_H
#define RJ_TLSC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rj_error.h"

typedef struct rj_tlsc rj_tlsc;

/* Handshake on fd, within timeout_ms (0: no bound). addr is the address
 * as the user gave it (for messages), host its host part; cafile NULL
 * means the system's CA certificates. On failure d says what went wrong in
 * words that tell the cases apart (a certificate the CA did not sign, an
 * expired one, one for another host, a server that does not speak TLS, a
 * server without h2): RJ_EUNAVAIL, or RJ_EINVAL when cafile cannot be
 * read. */
int rj_tlsc_connect(int fd, const char *addr, const char *host, const char *cafile, int timeout_ms,
                    rj_tlsc **out, rj_diag *d);
void rj_tlsc_free(rj_tlsc *t);

/* Like send(2)/recv(2) on a non-blocking socket: bytes moved; 0 from recv
 * at the end of the connection; -1 with *again set when the socket would
 * block, else -1 with why filled. */
ssize_t rj_tlsc_send(rj_tlsc *t, const void *buf, size_t len, bool *again, char *why,
                     size_t why_len);
ssize_t rj_tlsc_recv(rj_tlsc *t, void *buf, size_t len, bool *again, char *why, size_t why_len);
/* Decrypted bytes held inside TLS, ready for rj_tlsc_recv without a poll. */
bool rj_tlsc_buffered(const rj_tlsc *t);

#endif
