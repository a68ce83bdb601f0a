/* One error space for all of renja.
 *
 * Functions return int: 0 on success, a negative RJ_E* on failure. Library
 * codes (MDB_*, UV_E*, nghttp2) are translated at the module boundary.
 * rj_error_grpc_status() is the one place where an RJ_E* becomes a gRPC
 * status code; the CLI maps gRPC status codes to exit codes in one place too.
 *
 * A failing call that can say more than its code fills an rj_diag: a
 * message a person can act on (what was wrong, where, what was expected).
 */
#ifndef RJ_ERROR_H
#define RJ_ERROR_H

#include <stddef.h>

enum {
    RJ_OK = 0,
    RJ_EINVAL = -1,     /* bad input: INVALID_ARGUMENT */
    RJ_ENOTFOUND = -2,  /* NOT_FOUND */
    RJ_EEXIST = -3,     /* ALREADY_EXISTS */
    RJ_EPERM = -4,      /* PERMISSION_DENIED */
    RJ_EAUTH = -5,      /* UNAUTHENTICATED */
    RJ_ELOCKED = -6,    /* FAILED_PRECONDITION (plan locked, wrong state) */
    RJ_ECONFLICT = -7,  /* ABORTED: changed after the base revision */
    RJ_ETOOBIG = -8,    /* RESOURCE_EXHAUSTED */
    RJ_EUNAVAIL = -9,   /* UNAVAILABLE (shutting down, store closed) */
    RJ_EIO = -10,       /* disk or OS failure: INTERNAL */
    RJ_ESCHEMA = -11,   /* store schema newer than this build: FAILED_PRECONDITION */
    RJ_EOVERFLOW = -12, /* number out of range: INVALID_ARGUMENT */
    RJ_EUNIMPL = -13,   /* UNIMPLEMENTED */
    RJ_ETIMEDOUT = -14, /* DEADLINE_EXCEEDED */
    RJ_EINTERNAL = -15, /* a bug of ours: INTERNAL */
    RJ_EVALID = -16,    /* data rejected by validation: INVALID_ARGUMENT */
    RJ_ECANCELED = -17, /* CANCELLED */
};

/* gRPC status codes (grpc/doc/statuscodes.md). */
enum {
    RJ_GRPC_OK = 0,
    RJ_GRPC_CANCELLED = 1,
    RJ_GRPC_UNKNOWN = 2,
    RJ_GRPC_INVALID_ARGUMENT = 3,
    RJ_GRPC_DEADLINE_EXCEEDED = 4,
    RJ_GRPC_NOT_FOUND = 5,
    RJ_GRPC_ALREADY_EXISTS = 6,
    RJ_GRPC_PERMISSION_DENIED = 7,
    RJ_GRPC_RESOURCE_EXHAUSTED = 8,
    RJ_GRPC_FAILED_PRECONDITION = 9,
    RJ_GRPC_ABORTED = 10,
    RJ_GRPC_OUT_OF_RANGE = 11,
    RJ_GRPC_UNIMPLEMENTED = 12,
    RJ_GRPC_INTERNAL = 13,
    RJ_GRPC_UNAVAILABLE = 14,
    RJ_GRPC_DATA_LOSS = 15,
    RJ_GRPC_UNAUTHENTICATED = 16,
};

#define RJ_DIAG_MAX 1024

typedef struct rj_diag {
    char msg[RJ_DIAG_MAX];
} rj_diag;

/* Short text for an RJ_E* code; never NULL. */
const char *rj_strerror(int err);
/* The gRPC status code for an RJ_E* code (0 for RJ_OK). */
int rj_error_grpc_status(int err);
/* Name of a gRPC status code, e.g. "NOT_FOUND". */
const char *rj_grpc_status_name(int status);

/* Format a message into d (if d is not NULL) and return err, so that
 * `return rj_diag_set(d, RJ_EINVAL, "...", ...);` reads as one step. */
int rj_diag_set(rj_diag *d, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rj_diag_clear(rj_diag *d);

#endif
