/* Tokens: only a token's SHA-256 is stored ("h/" hash -> Identity), with
 * "n/" name -> hash so names are unique and a token can be revoked by name. */
#include "rj_lmdb.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

#include "rj_sha256.h"

static void tok_key(kbuf *k, const char *kind, const char *s)
{
    k->n = 0;
    kb_str(k, kind);
    kb_str(k, s);
}

static int token_add_txn(rj_store *s, MDB_txn *txn, const char *name, Renja__V1__Role role,
                         const char *bidang, char out[RJ_TOKEN_MAX], rj_diag *d)
{
    kbuf nk;
    tok_key(&nk, "n/", name);
    MDB_val kv = kb_val(&nk), dv;
    int rc = mdb_get(txn, s->tokens, &kv, &dv);
    if (rc == 0)
        return rj_diag_set(d, RJ_EEXIST, "a token named %s already exists; revoke it first", name);
    if (rc != MDB_NOTFOUND)
        return lm_fail(d, rc, "read token");
    unsigned char raw[32];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t r = getrandom(raw + got, sizeof(raw) - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return rj_diag_set(d, RJ_EIO, "getrandom: %s", strerror(errno));
        got += (size_t)r;
    }
    memcpy(out, "rjt_", 4);
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 4 + 2 * i, 3, "%02x", raw[i]);
    char hex[65];
    rj_sha256_hex(out, strlen(out), hex);

    Renja__V1__Identity id = RENJA__V1__IDENTITY__INIT;
    id.name = (char *)name;
    id.role = role;
    id.bidang = (char *)(bidang ? bidang : "");
    size_t len;
    void *buf = lm_pack(&id.base, &len);
    kbuf hk;
    tok_key(&hk, "h/", hex);
    kv = kb_val(&hk);
    dv = (MDB_val){.mv_size = len, .mv_data = buf};
    rc = lm_put(s, txn, s->tokens, &kv, &dv, MDB_NOOVERWRITE);
    free(buf);
    if (rc == 0) {
        kv = kb_val(&nk);
        dv = (MDB_val){.mv_size = 64, .mv_data = hex};
        rc = lm_put(s, txn, s->tokens, &kv, &dv, MDB_NOOVERWRITE);
    }
    return rc ? lm_fail(d, rc, "write token") : 0;
}

static int token_check(const char *name, Renja__V1__Role role, const char *bidang, rj_diag *d)
{
    size_t nl = name ? strlen(name) : 0;
    if (nl == 0 || nl > RJ_TOKEN_NAME_MAX)
        return rj_diag_set(d, RJ_EINVAL, "token name must be 1..%d characters", RJ_TOKEN_NAME_MAX);
    if (role < RENJA__V1__ROLE__ROLE_VIEWER || role > RENJA__V1__ROLE__ROLE_ADMIN)
        return rj_diag_set(d, RJ_EINVAL,
                           "token role %d is not valid; expected viewer, editor, planner or admin",
                           (int)role);
    if (role == RENJA__V1__ROLE__ROLE_EDITOR && (!bidang || !*bidang))
        return rj_diag_set(d, RJ_EINVAL, "an editor token needs a bidang (the one it may change)");
    return 0;
}

typedef struct token_write {
    const char *name;
    Renja__V1__Role role;
    const char *bidang;
    char *out;
    rj_diag *d;
} token_write;

static int add_fn(rj_store *s, MDB_txn *txn, void *arg)
{
    token_write *w = arg;
    return token_add_txn(s, txn, w->name, w->role, w->bidang, w->out, w->d);
}

int rj_store_token_add(rj_store *s, const char *name, Renja__V1__Role role, const char *bidang,
                       char out[RJ_TOKEN_MAX], rj_diag *d)
{
    int cerr = token_check(name, role, bidang, d);
    if (cerr)
        return cerr;
    token_write w = {.name = name, .role = role, .bidang = bidang, .out = out, .d = d};
    int err = lm_write(s, add_fn, &w, d);
    if (err)
        explicit_bzero(out, RJ_TOKEN_MAX);
    return err;
}

/* The hashes of the last tokens this thread accepted: the same token comes
 * with every call of a client, and its SHA-256 is most of the cost of a
 * lookup. Only the hash is remembered, never whether the token is valid:
 * each call still looks the hash up, so a revoked token is refused at
 * once. The token compare reads all RJ_TOKEN_MAX bytes of every entry,
 * taking the same time whatever matches. */
#define HASH_CACHE 8

typedef struct hash_entry {
    char token[RJ_TOKEN_MAX]; /* zero-padded */
    char hex[65];
} hash_entry;

static __thread hash_entry hash_cache[HASH_CACHE];
static __thread unsigned hash_next;

static void token_hash(const char *token, size_t n, char hex[65], bool *cached)
{
    char padded[RJ_TOKEN_MAX] = {0};
    memcpy(padded, token, n);
    int hit = -1;
    for (int i = 0; i < HASH_CACHE; i++) {
        unsigned char diff = 0;
        for (size_t j = 0; j < RJ_TOKEN_MAX; j++)
            diff |= (unsigned char)(hash_cache[i].token[j] ^ padded[j]);
        if (diff == 0 && hash_cache[i].hex[0])
            hit = i;
    }
    *cached = hit >= 0;
    if (hit >= 0)
        memcpy(hex, hash_cache[hit].hex, 65);
    else
        rj_sha256_hex(token, n, hex);
    explicit_bzero(padded, sizeof(padded));
}

static void token_hash_keep(const char *token, size_t n, const char hex[65])
{
    hash_entry *e = &hash_cache[hash_next++ % HASH_CACHE];
    memset(e->token, 0, sizeof(e->token));
    memcpy(e->token, token, n);
    memcpy(e->hex, hex, 65);
}

/* The token's identity as of txn (s's, or NULL: a read of its own). */
static int token_auth(rj_store *s, MDB_txn *in, const char *token, Renja__V1__Identity **out,
                      rj_diag *d)
{
    *out = NULL;
    size_t n = token ? strlen(token) : 0;
    if (n < 5 || n >= RJ_TOKEN_MAX || strncmp(token, "rjt_", 4) != 0)
        return rj_diag_set(d, RJ_EAUTH, "missing or malformed token");
    char hex[65];
    bool cached;
    token_hash(token, n, hex, &cached);
    kbuf k;
    tok_key(&k, "h/", hex);
    MDB_txn *txn = in;
    if (!txn && lm_read_begin(s, &txn))
        return rj_diag_set(d, RJ_EIO, "store: cannot begin read");
    /* Found by the hash's exact key: only a token with that hash (and so,
     * but for a SHA-256 collision, that token) has one. */
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_get(txn, s->tokens, &kv, &dv);
    int err = RJ_EAUTH;
    if (rc == 0) {
        *out = lm_unpack(&renja__v1__identity__descriptor, dv.mv_data, dv.mv_size);
        err = *out ? 0 : RJ_EINTERNAL;
    } else if (rc != MDB_NOTFOUND) {
        err = RJ_EIO;
    }
    if (!in)
        lm_read_end(s, txn);
    if (err == 0 && !cached)
        token_hash_keep(token, n, hex);
    if (err == RJ_EAUTH)
        rj_diag_set(d, RJ_EAUTH, "unknown or revoked token");
    else if (err)
        rj_diag_set(d, err, "store: token lookup failed");
    return err;
}

int rj_store_token_auth(rj_store *s, const char *token, Renja__V1__Identity **out, rj_diag *d)
{
    return token_auth(s, NULL, token, out, d);
}

int rj_snap_token_auth(rj_snap *snap, const char *token, Renja__V1__Identity **out, rj_diag *d)
{
    return token_auth(snap->s, snap->txn, token, out, d);
}

typedef struct token_scan {
    MDB_txn *txn;
    MDB_dbi dbi;
    rj_ptrs list;
    size_t n;
} token_scan;

/* "n/" name -> hash: the identity under "h/" hash. */
static int list_fn(MDB_val *key, MDB_val *val, void *arg)
{
    (void)key;
    token_scan *t = arg;
    kbuf hk;
    tok_key(&hk, "h/", "");
    kb_put(&hk, val->mv_data, val->mv_size);
    MDB_val hv = kb_val(&hk), iv;
    if (mdb_get(t->txn, t->dbi, &hv, &iv) == 0) {
        void *m = lm_unpack(&renja__v1__identity__descriptor, iv.mv_data, iv.mv_size);
        if (m)
            rj_ptrs_add(&t->list, m);
    }
    return 0;
}

static int count_fn(MDB_val *key, MDB_val *val, void *arg)
{
    (void)key;
    (void)val;
    ((token_scan *)arg)->n++;
    return 0;
}

static int token_list_txn(rj_store *s, MDB_txn *txn, Renja__V1__Identity ***out, size_t *n,
                          rj_diag *d)
{
    *out = NULL;
    *n = 0;
    token_scan t = {.txn = txn, .dbi = s->tokens};
    int err = lm_scan(txn, s->tokens, "n/", 2, list_fn, &t, "list tokens", d);
    if (err) {
        rj_msgs_free(t.list.v, t.list.n);
        return err;
    }
    *out = (Renja__V1__Identity **)t.list.v;
    *n = t.list.n;
    return 0;
}

int rj_store_token_list(rj_store *s, Renja__V1__Identity ***out, size_t *n, rj_diag *d)
{
    *out = NULL;
    *n = 0;
    MDB_txn *txn;
    int rc = lm_read_begin(s, &txn);
    if (rc)
        return lm_fail(d, rc, "begin read");
    int err = token_list_txn(s, txn, out, n, d);
    lm_read_end(s, txn);
    return err;
}

int rj_snap_tokens(rj_snap *snap, Renja__V1__Identity ***out, size_t *n, rj_diag *d)
{
    return token_list_txn(snap->s, snap->txn, out, n, d);
}

static int token_revoke_txn(rj_store *s, MDB_txn *txn, const char *name, Renja__V1__Identity **id,
                            rj_diag *d)
{
    if (!name || !*name || strlen(name) > RJ_TOKEN_NAME_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "no token named '%s'", name ? name : "");
    kbuf nk;
    tok_key(&nk, "n/", name);
    MDB_val kv = kb_val(&nk), dv;
    int rc = mdb_get(txn, s->tokens, &kv, &dv);
    if (rc == MDB_NOTFOUND)
        return rj_diag_set(d, RJ_ENOTFOUND, "no token named %s", name);
    if (rc)
        return lm_fail(d, rc, "read token");
    kbuf hk;
    tok_key(&hk, "h/", "");
    kb_put(&hk, dv.mv_data, dv.mv_size);
    MDB_val hv = kb_val(&hk), iv;
    if (id && mdb_get(txn, s->tokens, &hv, &iv) == 0)
        *id = lm_unpack(&renja__v1__identity__descriptor, iv.mv_data, iv.mv_size);
    rc = lm_del(s, txn, s->tokens, &hv);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    kv = kb_val(&nk);
    if (rc == 0)
        rc = lm_del(s, txn, s->tokens, &kv);
    return rc ? lm_fail(d, rc, "revoke token") : 0;
}

static int revoke_fn(rj_store *s, MDB_txn *txn, void *arg)
{
    token_write *w = arg;
    return token_revoke_txn(s, txn, w->name, NULL, w->d);
}

int rj_store_token_revoke(rj_store *s, const char *name, rj_diag *d)
{
    token_write w = {.name = name, .d = d};
    return lm_write(s, revoke_fn, &w, d);
}

int rj_store_token_count(rj_store *s, size_t *n, rj_diag *d)
{
    *n = 0;
    MDB_txn *txn;
    int rc = lm_read_begin(s, &txn);
    if (rc)
        return lm_fail(d, rc, "begin read");
    token_scan t = {0};
    int err = lm_scan(txn, s->tokens, "n/", 2, count_fn, &t, "count tokens", d);
    lm_read_end(s, txn);
    *n = t.n;
    return err;
}

static Renja__V1__Identity *identity_new(const char *name, Renja__V1__Role role, const char *bidang)
{
    Renja__V1__Identity *id = rj_malloc(sizeof(*id));
    renja__v1__identity__init(id);
    id->name = rj_strdup(name ? name : "");
    id->role = role;
    id->bidang = rj_strdup(bidang ? bidang : "");
    return id;
}

int lm_op_token(rj_store *s, MDB_txn *txn, rj_op *op)
{
    const Renja__V1__Identity *t = op->token;
    if (!t)
        return rj_diag_set(&op->diag, RJ_EINVAL, "token operation without a token");
    if (op->kind == RJ_OP_TOKEN_REVOKE)
        return token_revoke_txn(s, txn, t->name, &op->token_id, &op->diag);
    int err = token_check(t->name, t->role, t->bidang, &op->diag);
    if (err == 0)
        err = token_add_txn(s, txn, t->name, t->role, t->bidang, op->token_out, &op->diag);
    if (err == 0)
        op->token_id = identity_new(t->name, t->role, t->bidang);
    return err;
}
