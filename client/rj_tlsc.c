#include "rj_tlsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "rj_alloc.h"

struct rj_tlsc {
    SSL_CTX *ctx;
    SSL *ssl;
    int first; /* the first byte the server sent, -1 before any */
};

/* What the server says first tells a plaintext server apart: a TLS server
 * answers with a handshake record (22) or an alert (21). */
static long first_byte_cb(BIO *b, int oper, const char *argp, size_t len, int argi, long argl,
                          int ret, size_t *processed)
{
    rj_tlsc *t = (rj_tlsc *)BIO_get_callback_arg(b);
    if (oper == (BIO_CB_READ | BIO_CB_RETURN) && ret > 0 && processed && *processed > 0 &&
        t->first < 0)
        t->first = (unsigned char)argp[0];
    return ret;
}

/* What the verification found first, for the message. */
typedef struct verify_note {
    int err;
    char subject[256];
    char not_after[64];
} verify_note;

static int note_index = -1;

static int verify_cb(int ok, X509_STORE_CTX *sctx)
{
    if (ok)
        return ok;
    SSL *ssl = X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx());
    verify_note *n = ssl && note_index >= 0 ? SSL_get_ex_data(ssl, note_index) : NULL;
    if (n && !n->err) {
        n->err = X509_STORE_CTX_get_error(sctx);
        X509 *x = X509_STORE_CTX_get_current_cert(sctx);
        if (x) {
            X509_NAME_oneline(X509_get_subject_name(x), n->subject, sizeof(n->subject));
            BIO *b = BIO_new(BIO_s_mem());
            if (b && ASN1_TIME_print(b, X509_get0_notAfter(x))) {
                int len = BIO_read(b, n->not_after, sizeof(n->not_after) - 1);
                n->not_after[len > 0 ? len : 0] = '\0';
            }
            BIO_free(b);
        }
    }
    return ok; /* the handshake fails; the note says why */
}

static void ssl_reason(char *out, size_t len)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    snprintf(out, len, "%s", r ? r : "connection closed");
    ERR_clear_error();
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int verify_failed(const verify_note *n, const char *addr, const char *host,
                         const char *cafile, rj_diag *d)
{
    char ca[320];
    if (cafile)
        snprintf(ca, sizeof(ca), "CA %s", cafile);
    else
        snprintf(ca, sizeof(ca), "the system's CA certificates (--tls)");
    switch (n->err) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
        return rj_diag_set(d, RJ_EUNAVAIL,
                           "certificate verify failed: host name mismatch: the server's "
                           "certificate is not for %s, server %s, %s",
                           host, addr, ca);
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return rj_diag_set(d, RJ_EUNAVAIL,
                           "certificate verify failed: IP address mismatch: the server's "
                           "certificate is not for %s, server %s, %s",
                           host, addr, ca);
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return rj_diag_set(d, RJ_EUNAVAIL,
                           "certificate verify failed: certificate has expired (%s, not valid "
                           "after %s), server %s, %s",
                           n->subject, n->not_after, addr, ca);
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return rj_diag_set(d, RJ_EUNAVAIL,
                           "certificate verify failed: certificate is not yet valid (%s), server "
                           "%s, %s",
                           n->subject, addr, ca);
    default:
        return rj_diag_set(d, RJ_EUNAVAIL, "certificate verify failed: %s (%s), server %s, %s",
                           X509_verify_cert_error_string(n->err), n->subject, addr, ca);
    }
}

int rj_tlsc_connect(int fd, const char *addr, const char *host, const char *cafile, int timeout_ms,
                    rj_tlsc **out, rj_diag *d)
{
    *out = NULL;
    if (note_index < 0)
        note_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    ERR_clear_error();
    char why[256];
    rj_tlsc *t = rj_calloc(1, sizeof(*t));
    t->ctx = SSL_CTX_new(TLS_client_method());
    if (!t->ctx) {
        ssl_reason(why, sizeof(why));
        free(t);
        return rj_diag_set(d, RJ_EINTERNAL, "TLS: cannot make a context: %s", why);
    }
    SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, verify_cb);
    int ok = cafile ? SSL_CTX_load_verify_locations(t->ctx, cafile, NULL)
                    : SSL_CTX_set_default_verify_paths(t->ctx);
    if (ok != 1) {
        ssl_reason(why, sizeof(why));
        rj_tlsc_free(t);
        if (cafile)
            return rj_diag_set(d, RJ_EINVAL,
                               "--cacert %s: cannot read CA certificates from it: %s (expected "
                               "PEM certificates)",
                               cafile, why);
        return rj_diag_set(d, RJ_EINVAL, "--tls: cannot load the system's CA certificates: %s",
                           why);
    }
    t->ssl = SSL_new(t->ctx);
    verify_note note = {0};
    if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1) {
        ssl_reason(why, sizeof(why));
        rj_tlsc_free(t);
        return rj_diag_set(d, RJ_EINTERNAL, "TLS: cannot start: %s", why);
    }
    SSL_set_ex_data(t->ssl, note_index, &note);
    t->first = -1;
    BIO_set_callback_arg(SSL_get_rbio(t->ssl), (char *)t);
    BIO_set_callback_ex(SSL_get_rbio(t->ssl), first_byte_cb);
    unsigned char ip[16];
    bool is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
    if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host);
    } else {
        SSL_set_tlsext_host_name(t->ssl, host);
        SSL_set1_host(t->ssl, host);
    }
    static const unsigned char alpn[] = {2, 'h', '2'};
    SSL_set_alpn_protos(t->ssl, alpn, sizeof(alpn));
    SSL_set_connect_state(t->ssl);

    uint64_t until = timeout_ms > 0 ? now_ms() + (uint64_t)timeout_ms : 0;
    for (;;) {
        ERR_clear_error();
        int r = SSL_do_handshake(t->ssl);
        if (r == 1)
            break;
        int e = SSL_get_error(t->ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            if (note.err) {
                ERR_clear_error();
                SSL_set_ex_data(t->ssl, note_index, NULL);
                rj_tlsc_free(t);
                return verify_failed(&note, addr, host, cafile, d);
            }
            int first = t->first;
            ssl_reason(why, sizeof(why));
            SSL_set_ex_data(t->ssl, note_index, NULL);
            rj_tlsc_free(t);
            if (first >= 0 && first != 21 && first != 22)
                return rj_diag_set(d, RJ_EUNAVAIL,
                                   "TLS handshake with %s failed: the server does not speak TLS "
                                   "(a plaintext port? then leave out --cacert/--tls and "
                                   "$RENJA_CACERT)",
                                   addr);
            if (first < 0)
                return rj_diag_set(d, RJ_EUNAVAIL,
                                   "TLS handshake with %s failed: the server closed the "
                                   "connection without a word (%s; see its log)",
                                   addr, why);
            const char *hint = strstr(why, "no application protocol")
                                   ? " (the server does not offer HTTP/2, ALPN h2)"
                                   : "";
            return rj_diag_set(d, RJ_EUNAVAIL, "TLS handshake with %s failed: %s%s", addr, why,
                               hint);
        }
        struct pollfd p = {.fd = fd, .events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT};
        int wait = -1;
        if (until) {
            uint64_t now = now_ms();
            wait = now >= until ? 0 : (int)(until - now);
        }
        int rc;
        do
            rc = poll(&p, 1, wait);
        while (rc < 0 && errno == EINTR);
        if (rc == 0) {
            SSL_set_ex_data(t->ssl, note_index, NULL);
            rj_tlsc_free(t);
            bool whole = timeout_ms % 1000 == 0;
            return rj_diag_set(d, RJ_EUNAVAIL,
                               "TLS handshake with %s failed: no answer within %d %s (--timeout "
                               "SECONDS waits longer)",
                               addr, whole ? timeout_ms / 1000 : timeout_ms, whole ? "s" : "ms");
        }
    }
    SSL_set_ex_data(t->ssl, note_index, NULL);
    BIO_set_callback_ex(SSL_get_rbio(t->ssl), NULL); /* the first byte is known */
    const unsigned char *proto = NULL;
    unsigned plen = 0;
    SSL_get0_alpn_selected(t->ssl, &proto, &plen);
    if (plen != 2 || memcmp(proto, "h2", 2) != 0) {
        rj_tlsc_free(t);
        return rj_diag_set(d, RJ_EUNAVAIL,
                           "TLS handshake with %s: the server did not agree on HTTP/2 (ALPN h2); "
                           "is it a gRPC server?",
                           addr);
    }
    *out = t;
    return 0;
}

void rj_tlsc_free(rj_tlsc *t)
{
    if (!t)
        return;
    SSL_free(t->ssl); /* leaves the socket open: rj_rpc closes it */
    SSL_CTX_free(t->ctx);
    free(t);
}

ssize_t rj_tlsc_send(rj_tlsc *t, const void *buf, size_t len, bool *again, char *why,
                     size_t why_len)
{
    *again = false;
    ERR_clear_error();
    errno = 0;
    int n = SSL_write(t->ssl, buf, len > (1u << 30) ? 1 << 30 : (int)len);
    if (n > 0)
        return n;
    int e = SSL_get_error(t->ssl, n);
    if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
        *again = true;
        return -1;
    }
    if (e == SSL_ERROR_SYSCALL && errno)
        snprintf(why, why_len, "%s", strerror(errno));
    else
        ssl_reason(why, why_len);
    return -1;
}

ssize_t rj_tlsc_recv(rj_tlsc *t, void *buf, size_t len, bool *again, char *why, size_t why_len)
{
    *again = false;
    ERR_clear_error();
    errno = 0;
    int n = SSL_read(t->ssl, buf, len > (1u << 30) ? 1 << 30 : (int)len);
    if (n > 0)
        return n;
    int e = SSL_get_error(t->ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        *again = true;
        return -1;
    }
    if (e == SSL_ERROR_ZERO_RETURN) {
        ERR_clear_error();
        return 0;
    }
    unsigned long err = ERR_peek_last_error();
    if ((e == SSL_ERROR_SYSCALL && errno == 0) ||
        (err && ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
        ERR_clear_error();
        return 0; /* the server closed without close_notify */
    }
    if (e == SSL_ERROR_SYSCALL && errno)
        snprintf(why, why_len, "%s", strerror(errno));
    else
        ssl_reason(why, why_len);
    return -1;
}

bool rj_tlsc_buffered(const rj_tlsc *t)
{
    return SSL_pending(t->ssl) > 0;
}
