#include "rj_tls.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "rj_alloc.h"

/* rj_tls_ctx is an SSL_CTX under another name: the transport never sees
 * OpenSSL's types. */
static SSL_CTX *ctx_of(rj_tls_ctx *c)
{
    return (SSL_CTX *)c;
}

struct rj_tls {
    SSL *ssl;
    BIO *rbio, *wbio; /* owned by ssl */
    bool ready;
    bool not_tls; /* the first byte was not a TLS handshake record */
    bool no_h2;   /* the client's ALPN list had no h2 */
    uint64_t fed;
    char first[16]; /* the first bytes fed, to say what a plaintext client was */
    size_t first_len;
    char offered[96]; /* the client's ALPN protocols when they had no h2 */
};

/* The last OpenSSL error of this thread as text; the queue is cleared. */
static void ssl_reason(char *out, size_t len)
{
    /* The first error is the cause ("bad base64 decode"); the last, where
     * it surfaced ("PEM lib"). */
    unsigned long e = ERR_peek_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    if (r)
        snprintf(out, len, "%s", r);
    else if (e)
        snprintf(out, len, "OpenSSL error %lx", e);
    else
        snprintf(out, len, "unknown error");
    ERR_clear_error();
}

/* ALPN: h2 or nothing. A client offering no h2 gets a fatal
 * no_application_protocol alert, and the log says what it offered. */
static int alpn_select_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                          const unsigned char *in, unsigned int inlen, void *arg)
{
    for (unsigned i = 0; i < inlen;) {
        unsigned n = in[i];
        if (i + 1 + n > inlen)
            break;
        if (n == 2 && memcmp(in + i + 1, "h2", 2) == 0) {
            *out = in + i + 1;
            *outlen = 2;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + n;
    }
    rj_tls *t = SSL_get_app_data(ssl);
    if (t) {
        t->no_h2 = true;
        size_t o = 0;
        for (unsigned i = 0; i < inlen && o + 4 < sizeof(t->offered);) {
            unsigned n = in[i];
            if (i + 1 + n > inlen)
                break;
            int w = snprintf(t->offered + o, sizeof(t->offered) - o, "%s%.*s", o ? ", " : "",
                             (int)n, (const char *)in + i + 1);
            if (w < 0)
                break;
            o += (size_t)w < sizeof(t->offered) - o ? (size_t)w : sizeof(t->offered) - o - 1;
            i += 1 + n;
        }
        for (size_t k = 0; k < o; k++)
            if ((unsigned char)t->offered[k] < 0x20 || (unsigned char)t->offered[k] > 0x7e)
                t->offered[k] = '?';
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}

static void describe_cert(X509 *x, char *about, size_t len)
{
    char subject[256] = "?", serial[80] = "?", expires[64] = "?";
    X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof(subject));
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    if (bn) {
        char *hex = BN_bn2hex(bn);
        if (hex)
            snprintf(serial, sizeof(serial), "%s", hex);
        OPENSSL_free(hex);
        BN_free(bn);
    }
    BIO *b = BIO_new(BIO_s_mem());
    if (b && ASN1_TIME_print(b, X509_get0_notAfter(x))) {
        int n = BIO_read(b, expires, sizeof(expires) - 1);
        expires[n > 0 ? n : 0] = '\0';
    }
    BIO_free(b);
    bool expired = X509_cmp_current_time(X509_get0_notAfter(x)) < 0;
    snprintf(about, len, "subject %s, serial %s, %s %s", subject, serial,
             expired ? "EXPIRED on" : "expires", expires);
}

int rj_tls_ctx_new(const char *cert_file, const char *key_file, rj_tls_ctx **out, char *about,
                   size_t about_len, rj_diag *d)
{
    *out = NULL;
    char why[256];
    /* The files first: "no such file" or "permission denied" says more
     * than OpenSSL's "system lib". */
    const char *files[2] = {cert_file, key_file};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(files[i], "r");
        if (!f)
            return rj_diag_set(d, RJ_EINVAL, "TLS %s %s: %s", i ? "key" : "certificate", files[i],
                               strerror(errno));
        fclose(f);
    }
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        ssl_reason(why, sizeof(why));
        return rj_diag_set(d, RJ_EINTERNAL, "TLS: cannot make a context: %s", why);
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
        ssl_reason(why, sizeof(why));
        SSL_CTX_free(ctx);
        return rj_diag_set(d, RJ_EINVAL,
                           "TLS certificate %s: %s (expected a PEM certificate, then any "
                           "intermediate ones)",
                           cert_file, why);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        unsigned long e = ERR_peek_last_error();
        if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
            ERR_clear_error();
            SSL_CTX_free(ctx);
            return rj_diag_set(d, RJ_EINVAL, "TLS key %s does not belong to the certificate in %s",
                               key_file, cert_file);
        }
        ssl_reason(why, sizeof(why));
        SSL_CTX_free(ctx);
        return rj_diag_set(d, RJ_EINVAL, "TLS key %s: %s (expected an unencrypted PEM private key)",
                           key_file, why);
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        SSL_CTX_free(ctx);
        return rj_diag_set(d, RJ_EINVAL, "TLS key %s does not belong to the certificate in %s",
                           key_file, cert_file);
    }
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select_cb, NULL);
    if (about && about_len)
        describe_cert(SSL_CTX_get0_certificate(ctx), about, about_len);
    *out = (rj_tls_ctx *)ctx;
    return 0;
}

void rj_tls_ctx_free(rj_tls_ctx *ctx)
{
    if (ctx)
        SSL_CTX_free(ctx_of(ctx));
}

rj_tls *rj_tls_new(rj_tls_ctx *ctx)
{
    rj_tls *t = rj_calloc(1, sizeof(*t));
    t->ssl = SSL_new(ctx_of(ctx)); /* holds a reference to ctx */
    t->rbio = BIO_new(BIO_s_mem());
    t->wbio = BIO_new(BIO_s_mem());
    if (!t->ssl || !t->rbio || !t->wbio) {
        BIO_free(t->rbio);
        BIO_free(t->wbio);
        SSL_free(t->ssl);
        free(t);
        ERR_clear_error();
        return NULL;
    }
    /* An empty read BIO means "wait for more", not end of file. */
    BIO_set_mem_eof_return(t->rbio, -1);
    SSL_set_bio(t->ssl, t->rbio, t->wbio);
    SSL_set_accept_state(t->ssl);
    SSL_set_app_data(t->ssl, t);
    return t;
}

void rj_tls_free(rj_tls *t)
{
    if (!t)
        return;
    SSL_free(t->ssl); /* and both BIOs, and its reference to the context */
    free(t);
}

void rj_tls_feed(rj_tls *t, const void *data, size_t len)
{
    if (!len)
        return;
    if (t->fed == 0 && ((const unsigned char *)data)[0] != 0x16)
        t->not_tls = true; /* a TLS connection starts with a handshake record */
    if (t->first_len < sizeof(t->first)) {
        size_t n = sizeof(t->first) - t->first_len;
        n = n < len ? n : len;
        memcpy(t->first + t->first_len, data, n);
        t->first_len += n;
    }
    t->fed += len;
    if (!t->not_tls)
        BIO_write(t->rbio, data, (int)len);
}

static void not_tls_reason(const rj_tls *t, char *why, size_t len)
{
    if (t->first_len >= 4 && memcmp(t->first, "PRI ", 4) == 0)
        snprintf(why, len,
                 "plaintext HTTP/2 on a TLS port (the client must use TLS: renja --cacert FILE "
                 "or --tls)");
    else if (t->first_len >= 4 &&
             (memcmp(t->first, "GET ", 4) == 0 || memcmp(t->first, "POST", 4) == 0 ||
              memcmp(t->first, "HEAD", 4) == 0))
        snprintf(why, len, "plaintext HTTP/1 on a TLS port (the client must use TLS)");
    else
        snprintf(why, len, "not TLS on a TLS port (first byte 0x%02x, expected a ClientHello)",
                 (unsigned char)t->first[0]);
}

/* Why a handshake failed, in words for the log. */
static void handshake_reason(rj_tls *t, char *why, size_t len)
{
    if (t->no_h2) {
        snprintf(why, len,
                 "TLS handshake failed: the client offers no h2 in ALPN (offers: %s); gRPC needs "
                 "HTTP/2",
                 t->offered[0] ? t->offered : "nothing");
        ERR_clear_error();
        return;
    }
    char r[200];
    ssl_reason(r, sizeof(r));
    const char *hint = "";
    if (strstr(r, "alert unknown ca") || strstr(r, "alert bad certificate") ||
        strstr(r, "alert certificate expired") || strstr(r, "alert certificate unknown"))
        hint = " (the client refused this server's certificate)";
    else if (strstr(r, "unsupported protocol") || strstr(r, "version too low"))
        hint = " (the client offers only TLS below 1.2)";
    snprintf(why, len, "TLS handshake failed: %s%s", r, hint);
}

ssize_t rj_tls_read(rj_tls *t, void *buf, size_t cap, char *why, size_t why_len)
{
    why[0] = '\0';
    if (t->not_tls) {
        not_tls_reason(t, why, why_len);
        return -1;
    }
    if (!t->ready) {
        ERR_clear_error();
        int r = SSL_do_handshake(t->ssl);
        if (r != 1) {
            int e = SSL_get_error(t->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                return 0;
            handshake_reason(t, why, why_len);
            return -1;
        }
        const unsigned char *proto = NULL;
        unsigned plen = 0;
        SSL_get0_alpn_selected(t->ssl, &proto, &plen);
        if (plen != 2 || memcmp(proto, "h2", 2) != 0) {
            snprintf(why, why_len,
                     "TLS handshake refused: the client offers no ALPN protocol; gRPC needs h2");
            return -1;
        }
        t->ready = true;
    }
    ERR_clear_error();
    int n = SSL_read(t->ssl, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
    if (n > 0)
        return n;
    int e = SSL_get_error(t->ssl, n);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return 0;
    if (e == SSL_ERROR_ZERO_RETURN) {
        ERR_clear_error();
        return -1; /* close_notify: a clean end, nothing to say */
    }
    char r[200];
    ssl_reason(r, sizeof(r));
    snprintf(why, why_len, "TLS error: %s", r);
    return -1;
}

bool rj_tls_ready(const rj_tls *t)
{
    return t->ready;
}

int rj_tls_write(rj_tls *t, const void *data, size_t len, char *why, size_t why_len)
{
    const char *p = data;
    while (len > 0) {
        int chunk = len > (1u << 30) ? 1 << 30 : (int)len;
        ERR_clear_error();
        int n = SSL_write(t->ssl, p, chunk);
        if (n <= 0) {
            char r[200];
            ssl_reason(r, sizeof(r));
            snprintf(why, why_len, "TLS write failed: %s", r);
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void rj_tls_shutdown(rj_tls *t)
{
    if (t->ready) {
        ERR_clear_error();
        SSL_shutdown(t->ssl);
        ERR_clear_error();
    }
}

size_t rj_tls_pending(const rj_tls *t)
{
    return BIO_ctrl_pending(t->wbio);
}

size_t rj_tls_take(rj_tls *t, void *buf, size_t cap)
{
    int n = BIO_read(t->wbio, buf, cap > INT32_MAX ? INT32_MAX : (int)cap);
    return n > 0 ? (size_t)n : 0;
}
