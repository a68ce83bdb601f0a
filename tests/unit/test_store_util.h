/* Helpers shared by the store's unit tests: temp dirs, identities, changes
 * and one-op submits. Header-only; each test program includes it once. */
#ifndef TEST_STORE_UTIL_H
#define TEST_STORE_UTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rj_alloc.h"
#include "rj_store.h"

static inline int rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void rm_rf(const char *dir)
{
    nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *tmp_dir(void)
{
    char tmpl[] = "/tmp/renja-store-XXXXXX";
    char *d = mkdtemp(tmpl);
    if (!d)
        abort();
    return rj_strdup(d);
}

static inline Renja__V1__Identity ident(const char *name, Renja__V1__Role role, const char *bidang)
{
    Renja__V1__Identity id = RENJA__V1__IDENTITY__INIT;
    id.name = (char *)name;
    id.role = role;
    id.bidang = (char *)bidang;
    return id;
}

/* Changes built here own their strings and are freed with changes_free. */
typedef struct changes {
    Renja__V1__Change **v;
    size_t n, cap;
} changes;

static inline Renja__V1__Change *ch_new(changes *c)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = rj_realloc(c->v, c->cap * sizeof(*c->v));
    }
    Renja__V1__Change *ch = rj_malloc(sizeof(*ch));
    renja__v1__change__init(ch);
    c->v[c->n++] = ch;
    return ch;
}

static inline void ch_item(changes *c, const char *kode, const char *bidang, int64_t pagu,
                           int n_ind)
{
    Renja__V1__Change *ch = ch_new(c);
    Renja__V1__Item *it = rj_malloc(sizeof(*it));
    renja__v1__item__init(it);
    it->kode = rj_strdup(kode);
    it->nama = rj_asprintf("nama %s", kode);
    it->bidang = rj_strdup(bidang);
    it->has_pagu = pagu >= 0;
    it->pagu = pagu;
    it->sumber_dana = rj_strdup("DAU");
    it->lokasi = rj_strdup("");
    it->n_indikator = (size_t)n_ind;
    it->indikator = n_ind ? rj_calloc((size_t)n_ind, sizeof(*it->indikator)) : NULL;
    for (int i = 0; i < n_ind; i++) {
        Renja__V1__Indikator *ind = rj_malloc(sizeof(*ind));
        renja__v1__indikator__init(ind);
        ind->nama = rj_asprintf("indikator %d", i + 1);
        ind->satuan = rj_strdup("dok");
        ind->has_target = true;
        ind->target_e4 = (i + 1) * 10000;
        ind->target_text = rj_strdup("");
        it->indikator[i] = ind;
    }
    ch->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
    ch->upsert_item = it;
}

static inline void ch_line(changes *c, const char *kode, int64_t pagu)
{
    Renja__V1__Change *ch = ch_new(c);
    Renja__V1__BudgetLine *ln = rj_malloc(sizeof(*ln));
    renja__v1__budget_line__init(ln);
    ln->kode = rj_strdup(kode);
    ln->nama = rj_asprintf("rekening %s", kode);
    ln->has_pagu = true;
    ln->pagu = pagu;
    ch->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_LINE;
    ch->upsert_line = ln;
}

static inline void ch_remove(changes *c, const char *kode, bool recursive)
{
    Renja__V1__Change *ch = ch_new(c);
    ch->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM;
    ch->remove_item = rj_strdup(kode);
    ch->recursive = recursive;
}

static inline void ch_remove_line(changes *c, const char *kode, bool recursive)
{
    Renja__V1__Change *ch = ch_new(c);
    ch->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_LINE;
    ch->remove_line = rj_strdup(kode);
    ch->recursive = recursive;
}

static inline void ch_real(changes *c, const char *kode, int tw, int ind, int64_t value, bool clear)
{
    Renja__V1__Change *ch = ch_new(c);
    Renja__V1__Realisasi *r = rj_malloc(sizeof(*r));
    renja__v1__realisasi__init(r);
    r->kode = rj_strdup(kode);
    r->tw = tw;
    r->indikator = ind;
    if (ind == 0)
        r->anggaran = value;
    else
        r->value_e4 = value;
    r->text = rj_strdup("");
    r->clear = clear;
    ch->change_case = RENJA__V1__CHANGE__CHANGE_REALISASI;
    ch->realisasi = r;
}

static inline void changes_free(changes *c)
{
    for (size_t i = 0; i < c->n; i++)
        protobuf_c_message_free_unpacked(&c->v[i]->base, NULL);
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

static inline void op_submit_init(rj_op *op, const char *plan, const Renja__V1__Identity *who,
                                  changes *c, bool has_base, uint64_t base)
{
    memset(op, 0, sizeof(*op));
    op->kind = RJ_OP_SUBMIT;
    op->plan = plan;
    op->who = who;
    op->now_ms = 1718000000000;
    op->message = "test";
    op->has_base = has_base;
    op->base = base;
    op->changes = c->v;
    op->n_changes = c->n;
}

/* One submit in its own batch; frees the changes. Returns op.err; the
 * diagnostic is copied into diag (may be NULL). */
static inline int submit1(rj_store *s, const char *plan, const Renja__V1__Identity *who, changes *c,
                          bool has_base, uint64_t base, uint64_t *rev, char *diag)
{
    rj_op op;
    op_submit_init(&op, plan, who, c, has_base, base);
    rj_op *ops[] = {&op};
    rj_store_apply(s, ops, 1);
    if (rev)
        *rev = op.rev;
    if (diag)
        snprintf(diag, RJ_DIAG_MAX, "%s", op.diag.msg);
    int err = op.err;
    rj_op_clear(&op);
    changes_free(c);
    return err;
}

static inline int simple_op(rj_store *s, rj_op_kind kind, const char *plan,
                            const Renja__V1__Identity *who, const char *arg, char *diag)
{
    rj_op op;
    memset(&op, 0, sizeof(op));
    op.kind = kind;
    op.plan = plan;
    op.who = who;
    op.now_ms = 1718000000000;
    op.nama = arg;
    op.reason = arg;
    rj_op *ops[] = {&op};
    rj_store_apply(s, ops, 1);
    if (diag)
        snprintf(diag, RJ_DIAG_MAX, "%s", op.diag.msg);
    int err = op.err;
    rj_op_clear(&op);
    return err;
}

#endif
