/* Blocking gRPC client over one HTTP/2 connection (nghttp2): cleartext, or
 * TLS on TCP (rj_tlsc.h).
 * Links neither LMDB nor the store. One rj_rpc per thread. */
#ifndef RJ_RPC_H
#define RJ_RPC_H

#include <stdbool.h>

#include <protobuf-c/protobuf-c.h>

#include "rj_error.h"

typedef struct rj_rpc rj_rpc;

/* Connect to "unix:/path" or "HOST:PORT". Returns RJ_EUNAVAIL (with a
 * message naming the address and the OS error) when nothing listens. */
int rj_rpc_connect(const char *addr, int timeout_ms, rj_rpc **out, rj_diag *d);
/* The same over TLS for a TCP address when tls is set: the server's
 * certificate verified against cafile (NULL: the system's CA
 * certificates) and the address's host; a Unix socket stays plaintext.
 * Failures of the handshake are RJ_EUNAVAIL with a message that names the
 * case; RJ_EINVAL when cafile cannot be read. */
int rj_rpc_connect_tls(const char *addr, int timeout_ms, bool tls, const char *cafile, rj_rpc **out,
                       rj_diag *d);
void rj_rpc_close(rj_rpc *rpc);

/* A unary call on path ("/renja.v1.Renja/Show"). token may be NULL (no
 * authorization header). timeout_ms > 0 sends grpc-timeout and bounds the
 * wait. Returns the gRPC status (0 = OK); on 0 *resp is an unpacked message
 * of resp_desc (free with protobuf_c_message_free_unpacked). On failure d
 * holds the decoded grpc-message, or a transport error with status
 * RJ_GRPC_UNAVAILABLE. */
int rj_rpc_call(rj_rpc *rpc, const char *path, const char *token, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **resp,
                int timeout_ms, rj_diag *d);

/* Server streaming: on_msg is called for each message (the message is freed
 * after it returns); a non-zero return cancels the call (RST_STREAM) and
 * rj_rpc_stream returns RJ_GRPC_CANCELLED. Otherwise returns the final
 * status like rj_rpc_call. */
int rj_rpc_stream(rj_rpc *rpc, const char *path, const char *token, const ProtobufCMessage *req,
                  const ProtobufCMessageDescriptor *resp_desc,
                  int (*on_msg)(const ProtobufCMessage *msg, void *arg), void *arg, int timeout_ms,
                  rj_diag *d);

#endif
