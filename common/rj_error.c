#include "rj_error.h"

#include <stdarg.h>
#include <stdio.h>

const char *rj_strerror(int err)
{
    switch (err) {
    case RJ_OK:
        return "success";
    case RJ_EINVAL:
        return "invalid argument";
    case RJ_ENOTFOUND:
        return "not found";
    case RJ_EEXIST:
        return "already exists";
    case RJ_EPERM:
        return "permission denied";
    case RJ_EAUTH:
        return "missing or invalid token";
    case RJ_ELOCKED:
        return "failed precondition";
    case RJ_ECONFLICT:
        return "conflict with a newer revision";
    case RJ_ETOOBIG:
        return "resource exhausted";
    case RJ_EUNAVAIL:
        return "unavailable";
    case RJ_EIO:
        return "input/output error";
    case RJ_ESCHEMA:
        return "unsupported store schema";
    case RJ_EOVERFLOW:
        return "number out of range";
    case RJ_EUNIMPL:
        return "not implemented";
    case RJ_ETIMEDOUT:
        return "deadline exceeded";
    case RJ_EINTERNAL:
        return "internal error";
    case RJ_EVALID:
        return "validation failed";
    case RJ_ECANCELED:
        return "cancelled";
    }
    return "unknown error";
}

int rj_error_grpc_status(int err)
{
    switch (err) {
    case RJ_OK:
        return RJ_GRPC_OK;
    case RJ_EINVAL:
    case RJ_EOVERFLOW:
    case RJ_EVALID:
        return RJ_GRPC_INVALID_ARGUMENT;
    case RJ_ENOTFOUND:
        return RJ_GRPC_NOT_FOUND;
    case RJ_EEXIST:
        return RJ_GRPC_ALREADY_EXISTS;
    case RJ_EPERM:
        return RJ_GRPC_PERMISSION_DENIED;
    case RJ_EAUTH:
        return RJ_GRPC_UNAUTHENTICATED;
    case RJ_ELOCKED:
    case RJ_ESCHEMA:
        return RJ_GRPC_FAILED_PRECONDITION;
    case RJ_ECONFLICT:
        return RJ_GRPC_ABORTED;
    case RJ_ETOOBIG:
        return RJ_GRPC_RESOURCE_EXHAUSTED;
    case RJ_EUNAVAIL:
        return RJ_GRPC_UNAVAILABLE;
    case RJ_EUNIMPL:
        return RJ_GRPC_UNIMPLEMENTED;
    case RJ_ETIMEDOUT:
        return RJ_GRPC_DEADLINE_EXCEEDED;
    case RJ_ECANCELED:
        return RJ_GRPC_CANCELLED;
    }
    return RJ_GRPC_INTERNAL;
}

const char *rj_grpc_status_name(int status)
{
    static const char *const names[] = {
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    };
    if (status < 0 || status >= (int)(sizeof(names) / sizeof(names[0])))
        return "UNKNOWN";
    return names[status];
}

int rj_diag_set(rj_diag *d, int err, const char *fmt, ...)
{
    if (d) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
        va_end(ap);
        /* Cut short inside a UTF-8 sequence, the message would not be
         * UTF-8 any more (gRPC clients then garble all of it): drop the
         * partial character. */
        if (n >= (int)sizeof(d->msg)) {
            size_t len = sizeof(d->msg) - 1, i = len;
            while (i > 0 && ((unsigned char)d->msg[i - 1] & 0xC0) == 0x80)
                i--;
            if (i > 0 && ((unsigned char)d->msg[i - 1] & 0x80)) {
                unsigned char lead = (unsigned char)d->msg[i - 1];
                size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
                if (len - (i - 1) < need)
                    d->msg[i - 1] = '\0';
            }
        }
    }
    return err;
}

void rj_diag_clear(rj_diag *d)
{
    if (d)
        d->msg[0] = '\0';
}
