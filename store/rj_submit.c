/* The submit op: a batch of changes to items, budget lines, goals and
 * realisasi, checked against the plan at head in the writer's transaction
 * and written as one revision (rj_store.h says what is checked). */
#include "rj_lmdb.h"

#include <inttypes.h>
#include <stdio.h>

#include "rj_ident.h"
#include "rj_kode.h"

static const char *kind_prefix(int kind)
{
    return kind == K_ITEM ? "item" : kind == K_LINE ? "line" : kind == K_GOAL ? "goal" : "real";
}

static const char *kind_what(int kind)
{
    return kind == K_ITEM   ? "item"
           : kind == K_LINE ? "budget line"
           : kind == K_GOAL ? "goal"
                            : "realisasi";
}

typedef struct touch {
    char key[RJ_VKEY_MAX];
    char kode[RJ_KODE_MAX];
    int kind;
    bool remove;
    bool explicit_change;
    bool recursive;
    int tw, ind;
    Renja__V1__Item item;       /* upsert item, level filled, roll-up cleared */
    Renja__V1__BudgetLine line; /* upsert line */
    Renja__V1__Goal goal;       /* upsert goal, kind filled */
    const Renja__V1__Realisasi *real;
    unsigned fields; /* F_* of a partial upsert; 0: the whole item or line */
    /* Owned by a merged partial upsert (freed with the submit): the item
     * or line at head whose fields it keeps, and its indikator. */
    ProtobufCMessage *head_val;
    Renja__V1__Indikator **ind_ptrs;
    Renja__V1__Indikator *ind_vals;
    size_t idx;        /* 1-based place in the request's changes; 0 when implied */
    char *fill_satuan; /* realisasi given without satuan: its indikator's (owned) */
    lm_roll_item roll; /* an item's pagu before and after, for the roll-ups */
} touch;

/* Fields of a partial upsert (Change.fields). */
enum {
    F_KODE = 1u << 0,
    F_NAMA = 1u << 1,
    F_BIDANG = 1u << 2,
    F_LOKASI = 1u << 3,
    F_PAGU = 1u << 4,
    F_SUMBER = 1u << 5,
    F_IND_NAMA = 1u << 6,
    F_IND_SATUAN = 1u << 7,
    F_IND_TARGET = 1u << 8,
    F_IND_TREN = 1u << 9,
    F_SASARAN = 1u << 10,
};
#define F_IND (F_IND_NAMA | F_IND_SATUAN | F_IND_TARGET | F_IND_TREN)

static const struct {
    const char *name;
    unsigned bits;
    bool line; /* also a field of a budget line */
} field_names[] = {
    {"kode", F_KODE, true},
    {"nama", F_NAMA, true},
    {"bidang", F_BIDANG, false},
    {"lokasi", F_LOKASI, false},
    {"pagu", F_PAGU, true},
    {"sumber_dana", F_SUMBER, false},
    {"indikator", F_IND, false},
    {"indikator.nama", F_IND_NAMA, false},
    {"indikator.satuan", F_IND_SATUAN, false},
    {"indikator.target", F_IND_TARGET, false},
    {"indikator.tren", F_IND_TREN, false},
    {"sasaran", F_SASARAN, false},
};

/* Change.fields as F_* bits; RJ_EINVAL naming an unknown field. */
static int parse_fields(rj_op *op, const Renja__V1__Change *ch, bool line, const char *kode,
                        unsigned *out)
{
    *out = 0;
    for (size_t i = 0; i < ch->n_fields; i++) {
        const char *f = ch->fields[i] ? ch->fields[i] : "";
        unsigned bits = 0;
        for (size_t k = 0; k < sizeof(field_names) / sizeof(field_names[0]); k++)
            if (strcmp(f, field_names[k].name) == 0 && (!line || field_names[k].line))
                bits = field_names[k].bits;
        if (!bits)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "%s %s: unknown field \"%.40s\" in fields; expected %s",
                               line ? "budget line" : "item", kode, f,
                               line ? "kode, nama, pagu"
                                    : "kode, nama, bidang, lokasi, pagu, sumber_dana, indikator, "
                                      "indikator.nama, indikator.satuan, indikator.target, "
                                      "indikator.tren, sasaran");
        *out |= bits;
    }
    return 0;
}

typedef struct submit {
    rj_store *s;
    MDB_txn *txn;
    rj_op *op;
    uint64_t head;
    touch *t;
    size_t n, cap;
    bool sorted;
    bool has_base; /* conflicts are judged against base */
    uint64_t base;
} submit;

static touch *touch_add(submit *sb)
{
    RJ_GROW(sb->t, sb->n + 1, sb->cap, 16);
    touch *t = &sb->t[sb->n++];
    memset(t, 0, sizeof(*t));
    sb->sorted = false;
    return t;
}

static int touch_cmp(const void *a, const void *b)
{
    return strcmp(((const touch *)a)->key, ((const touch *)b)->key);
}

/* Copy src into out of cap bytes, cut to fit (keys and kodes are
 * length-checked on input): the write path's string copies, which
 * snprintf made a measurable share of a one-item submit. */
static void copy_str(char *out, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(out, src, n);
    out[n] = '\0';
}

/* prefix "/" kode into out of RJ_VKEY_MAX bytes, cut to fit. */
static void key_of(char out[RJ_VKEY_MAX], const char *prefix, const char *kode)
{
    size_t p = strlen(prefix);
    copy_str(out, RJ_VKEY_MAX, prefix);
    if (p + 1 < RJ_VKEY_MAX) {
        out[p] = '/';
        copy_str(out + p + 1, RJ_VKEY_MAX - p - 1, kode);
    }
}

static touch *touch_find(submit *sb, const char *key)
{
    if (!sb->sorted) {
        qsort(sb->t, sb->n, sizeof(touch), touch_cmp);
        sb->sorted = true;
    }
    touch probe;
    copy_str(probe.key, sizeof(probe.key), key);
    return bsearch(&probe, sb->t, sb->n, sizeof(touch), touch_cmp);
}

static bool is_editor(const rj_op *op)
{
    return op->who->role == RENJA__V1__ROLE__ROLE_EDITOR;
}

static const char *who_bidang(const rj_op *op)
{
    return op->who->bidang ? op->who->bidang : "";
}

/* A tujuan or sasaran kode (T1, T1.S2), as a realisasi's kode may be. */
static bool is_goal_kode(const char *kode)
{
    return kode && (kode[0] == 'T' || kode[0] == 't');
}

/* The item live at head (before this submit), or NULL. */
static Renja__V1__Item *item_at_head(submit *sb, const char *kode, int *err)
{
    char key[RJ_VKEY_MAX];
    key_of(key, "item", kode);
    MDB_val v;
    int r = lm_val_at(sb->txn, sb->s->vals, sb->op->plan, key, sb->head, &v, NULL);
    if (r < 0) {
        *err = r;
        return NULL;
    }
    if (r != VAL_LIVE)
        return NULL;
    return lm_unpack(&renja__v1__item__descriptor, v.mv_data, v.mv_size);
}

static bool live_at_head(submit *sb, const char *key, int *err)
{
    int r = lm_val_at(sb->txn, sb->s->vals, sb->op->plan, key, sb->head, NULL, NULL);
    if (r < 0)
        *err = r;
    return r == VAL_LIVE;
}

static int editor_may_touch(submit *sb, const char *kode, const char *bidang)
{
    if (strcmp(bidang ? bidang : "", who_bidang(sb->op)) != 0)
        return rj_diag_set(&sb->op->diag, RJ_EPERM,
                           "item %s belongs to bidang '%s'; editor %s may change only items of "
                           "bidang '%s'",
                           kode, bidang ? bidang : "", sb->op->who->name, who_bidang(sb->op));
    return 0;
}

static int canon_kode(rj_op *op, const char *in, char out[RJ_KODE_MAX], rj_level *level,
                      const char *what)
{
    rj_diag d;
    if (!in || !*in)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s: kode is empty", what);
    /* A long input is shown cut short: echoed whole it would push the
     * reason out of the message. */
    if (strlen(in) >= RJ_KODE_MAX)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s kode %.24s... is too long (%zu bytes)", what,
                           in, strlen(in));
    if (rj_kode_parse(in, out, level, &d) < 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s %s: %s", what, in, d.msg);
    if (strcmp(in, out) != 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s kode %s is not canonical; expected %s", what,
                           in, out);
    return 0;
}

static int canon_rekening(rj_op *op, const char *in, char out[RJ_KODE_MAX], int *depth)
{
    rj_diag d;
    if (!in || !*in)
        return rj_diag_set(&op->diag, RJ_EINVAL, "budget line: rekening kode is empty");
    if (strlen(in) >= RJ_KODE_MAX)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "budget line kode %.24s... is too long (%zu bytes)", in, strlen(in));
    if (rj_rekening_parse(in, out, depth, &d) < 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "budget line %s: %s", in, d.msg);
    if (strcmp(in, out) != 0)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "budget line kode %s is not canonical; expected %s", in, out);
    return 0;
}

static const char *level_str(int lv)
{
    return lv >= 1 && lv <= 4 ? rj_level_name((rj_level)lv) : "unspecified";
}

static int canon_goal(rj_op *op, const char *in, char out[RJ_KODE_MAX], rj_goal_kind *kind)
{
    rj_diag d;
    if (!in || !*in)
        return rj_diag_set(&op->diag, RJ_EINVAL, "goal: kode is empty");
    if (rj_goal_parse(in, out, kind, &d) < 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "%s", d.msg);
    if (strcmp(in, out) != 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "goal kode %s is not canonical; expected %s", in,
                           out);
    return 0;
}

/* The sasaran an item names: programs only, canonical sasaran kodes. That
 * they exist is validate's (missing-sasaran), so that a sasaran can be
 * renumbered before or after the programs. */
static int check_sasaran(rj_op *op, const char *kode, rj_level lv, const Renja__V1__Item *it)
{
    if (it->n_sasaran && lv != RJ_LEVEL_PROGRAM)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "item %s: only a program names the sasaran it serves; this is a %s",
                           kode, rj_level_name(lv));
    for (size_t i = 0; i < it->n_sasaran; i++)
        if (rj_goal_kind_of(it->sasaran[i]) != RJ_GOAL_SASARAN)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "item %s: sasaran \"%s\" is not a canonical sasaran kode; "
                               "expected T<n>.S<m>, e.g. T1.S2",
                               kode, it->sasaran[i] ? it->sasaran[i] : "");
    return 0;
}

/* The rows of a realisasi's breakdown: at most RJ_BREAKDOWN_MAX, each
 * naming its lokasi once, values within bounds; on an indikator (that is
 * judged with the indikator, check_breakdown). */
static int check_breakdown_rows(rj_op *op, const char *kode, const Renja__V1__Realisasi *r)
{
    if (!r->n_breakdown)
        return 0;
    if (r->indikator == 0)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi anggaran of %s: a breakdown by lokasi is for realisasi "
                           "kinerja (an indikator)",
                           kode);
    if (r->n_breakdown > RJ_BREAKDOWN_MAX)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi of %s: %zu lokasi in the breakdown; at most %d", kode,
                           r->n_breakdown, RJ_BREAKDOWN_MAX);
    for (size_t i = 0; i < r->n_breakdown; i++) {
        const Renja__V1__BreakdownRow *b = r->breakdown[i];
        if (!b->lokasi || !*b->lokasi)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "realisasi of %s: breakdown row %zu has no lokasi", kode, i + 1);
        const int64_t v[] = {b->num_e4, b->den_e4, b->before_e4, b->after_e4};
        for (int k = 0; k < 4; k++)
            if (v[k] > RJ_BREAKDOWN_VALUE_MAX || v[k] < -RJ_BREAKDOWN_VALUE_MAX)
                return rj_diag_set(&op->diag, RJ_EINVAL,
                                   "realisasi of %s: breakdown row %s: a value beyond 10^11", kode,
                                   b->lokasi);
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->breakdown[j]->lokasi, b->lokasi) == 0)
                return rj_diag_set(&op->diag, RJ_EINVAL,
                                   "realisasi of %s: lokasi \"%s\" appears twice in the "
                                   "breakdown",
                                   kode, b->lokasi);
    }
    return 0;
}

/* A breakdown needs the indikator's formula to add up. */
static int check_breakdown(submit *sb, const touch *t, const Renja__V1__Indikator *ind)
{
    if (t->remove || !t->real || !t->real->n_breakdown ||
        ind->formula != RENJA__V1__FORMULA__FORMULA_NONE)
        return 0;
    return rj_diag_set(&sb->op->diag, RJ_EINVAL,
                       "realisasi of %s: indikator %d has a breakdown by lokasi but no formula; "
                       "declare its formula (ratio or growth) on the indikator",
                       t->kode, t->ind);
}

/* Parse one change into a touch; checks that need nothing but the change
 * itself. */
static int parse_change(submit *sb, const Renja__V1__Change *ch)
{
    rj_op *op = sb->op;
    int err;
    char kode[RJ_KODE_MAX];
    rj_level lv;
    touch *t;
    switch (ch->change_case) {
    case RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM: {
        const Renja__V1__Item *it = ch->upsert_item;
        if ((err = canon_kode(op, it->kode, kode, &lv, "item")) != 0)
            return err;
        if (it->level != RENJA__V1__LEVEL__LEVEL_UNSPECIFIED && (int)it->level != (int)lv)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "item %s: level %s does not fit the kode, which is a %s", kode,
                               level_str(it->level), rj_level_name(lv));
        if (it->has_pagu && (it->pagu < 0 || it->pagu > RJ_PAGU_MAX))
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "item %s: pagu %" PRId64 " is out of range; expected 0 up to the "
                               "limit of Rp 1.000 triliun",
                               kode, it->pagu);
        unsigned fields;
        if ((err = parse_fields(op, ch, false, kode, &fields)) != 0)
            return err;
        if ((err = check_sasaran(op, kode, lv, it)) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_ITEM;
        t->fields = fields;
        t->item = *it;
        t->item.level = (Renja__V1__Level)lv;
        t->item.pagu_rollup = 0;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM:
        if ((err = canon_kode(op, ch->remove_item, kode, &lv, "item")) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_ITEM;
        t->remove = true;
        break;
    case RENJA__V1__CHANGE__CHANGE_UPSERT_LINE: {
        const Renja__V1__BudgetLine *ln = ch->upsert_line;
        int depth;
        if ((err = canon_rekening(op, ln->kode, kode, &depth)) != 0)
            return err;
        unsigned fields;
        if ((err = parse_fields(op, ch, true, kode, &fields)) != 0)
            return err;
        if (ln->has_pagu && (ln->pagu < 0 || ln->pagu > RJ_PAGU_MAX))
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "budget line %s: pagu %" PRId64 " is out of range; expected 0 up "
                               "to the limit of Rp 1.000 triliun",
                               kode, ln->pagu);
        t = touch_add(sb);
        t->kind = K_LINE;
        t->fields = fields;
        t->line = *ln;
        t->line.depth = 0;
        t->line.pagu_rollup = 0;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_REMOVE_LINE: {
        int depth;
        if ((err = canon_rekening(op, ch->remove_line, kode, &depth)) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_LINE;
        t->remove = true;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_UPSERT_GOAL: {
        const Renja__V1__Goal *g = ch->upsert_goal;
        rj_goal_kind gk;
        if ((err = canon_goal(op, g->kode, kode, &gk)) != 0)
            return err;
        if (g->kind != RENJA__V1__GOAL_KIND__GOAL_KIND_UNSPECIFIED && (int)g->kind != (int)gk)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "goal %s: kind %s does not fit the kode, which is a %s", kode,
                               rj_goal_kind_name((rj_goal_kind)g->kind), rj_goal_kind_name(gk));
        t = touch_add(sb);
        t->kind = K_GOAL;
        t->goal = *g;
        t->goal.kind = (Renja__V1__GoalKind)gk;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_REMOVE_GOAL: {
        rj_goal_kind gk;
        if ((err = canon_goal(op, ch->remove_goal, kode, &gk)) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_GOAL;
        t->remove = true;
        break;
    }
    case RENJA__V1__CHANGE__CHANGE_REALISASI: {
        const Renja__V1__Realisasi *r = ch->realisasi;
        rj_goal_kind gk = RJ_GOAL_NONE;
        if (r->kode && (r->kode[0] == 'T' || r->kode[0] == 't')) {
            /* the realisasi of a tujuan or sasaran indikator */
            if ((err = canon_goal(op, r->kode, kode, &gk)) != 0)
                return err;
        } else if ((err = canon_kode(op, r->kode, kode, &lv, "realisasi of item")) != 0)
            return err;
        if (r->tw < 1 || r->tw > 4)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "realisasi of item %s: tw %d is out of range; expected 1..4", kode,
                               r->tw);
        if (r->indikator < 0 || r->indikator > 99)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "realisasi of item %s: indikator %d is out of range; expected "
                               "0 (anggaran) or 1..99",
                               kode, r->indikator);
        if (r->anggaran > RJ_PAGU_MAX || r->anggaran < -RJ_PAGU_MAX)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "realisasi of item %s: anggaran %" PRId64 " is beyond the limit "
                               "of Rp 1.000 triliun",
                               kode, r->anggaran);
        if ((err = check_breakdown_rows(op, kode, r)) != 0)
            return err;
        t = touch_add(sb);
        t->kind = K_REAL;
        t->real = r;
        t->remove = r->clear;
        t->tw = r->tw;
        t->ind = r->indikator;
        break;
    }
    default:
        return rj_diag_set(&op->diag, RJ_EINVAL, "change has no content");
    }
    t->explicit_change = true;
    t->recursive = ch->recursive;
    copy_str(t->kode, sizeof(t->kode), kode);
    if (t->kind == K_REAL)
        snprintf(t->key, sizeof(t->key), "real/%s/%d/%d", kode, t->tw, t->ind);
    else
        key_of(t->key, kind_prefix(t->kind), kode);
    return 0;
}

typedef struct sub_walk {
    submit *sb;
    const touch *root;
    int kind;
    rj_ptrs found;  /* char * keys (live descendants, excluding the root) */
    rj_ptrs bidang; /* char * bidang of each found item (items only) */
} sub_walk;

static int sub_walk_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    sub_walk *w = arg;
    const char *kode = strchr(key, '/') + 1;
    if (w->kind == K_REAL) {
        /* real/<kode>/<tw>/<ind>: the item kode is up to the next '/'. */
        char k[RJ_KODE_MAX];
        const char *slash = strchr(kode, '/');
        size_t n = slash ? (size_t)(slash - kode) : strlen(kode);
        if (n >= sizeof(k))
            return 0;
        memcpy(k, kode, n);
        k[n] = '\0';
        bool in = w->root->recursive ? rj_kode_in_subtree(k, w->root->kode)
                                     : strcmp(k, w->root->kode) == 0;
        if (in)
            rj_ptrs_add(&w->found, rj_strdup(key));
        return 0;
    }
    if (strcmp(kode, w->root->kode) == 0 || !rj_kode_in_subtree(kode, w->root->kode))
        return 0;
    rj_ptrs_add(&w->found, rj_strdup(key));
    if (w->kind == K_ITEM) {
        Renja__V1__Item *it = lm_unpack(&renja__v1__item__descriptor, val->mv_data, val->mv_size);
        rj_ptrs_add(&w->bidang, rj_strdup(it && it->bidang ? it->bidang : ""));
        if (it)
            protobuf_c_message_free_unpacked(&it->base, NULL);
    }
    return 0;
}

static void sub_walk_free(sub_walk *w)
{
    for (size_t i = 0; i < w->found.n; i++)
        free(w->found.v[i]);
    for (size_t i = 0; i < w->bidang.n; i++)
        free(w->bidang.v[i]);
    free(w->found.v);
    free(w->bidang.v);
}

static int conflict_on(submit *sb, const char *key);

typedef struct drop_walk {
    size_t n_ind;  /* indikator the item keeps */
    rj_ptrs found; /* char * realisasi keys of indikator beyond n_ind */
} drop_walk;

static int drop_walk_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)val;
    (void)vrev;
    drop_walk *w = arg;
    const char *ind = strrchr(key, '/'); /* real/<kode>/<tw>/<ind> */
    long v = ind ? strtol(ind + 1, NULL, 10) : 0;
    if (v > 0 && (size_t)v > w->n_ind)
        rj_ptrs_add(&w->found, rj_strdup(key));
    return 0;
}

/* An upsert that keeps fewer indikator than the item has realisasi for
 * takes the realisasi of the dropped indikator with it (tombstones), as a
 * removal takes the realisasi of the item: so a realisasi reported after
 * the author's base is a conflict instead of an orphan nobody sees. */
static int drop_realisasi(submit *sb)
{
    rj_ptrs add = {0};
    int err = 0;
    for (size_t i = 0; i < sb->n && err == 0; i++) {
        const touch *t = &sb->t[i];
        if ((t->kind != K_ITEM && t->kind != K_GOAL) || t->remove || !t->explicit_change)
            continue;
        drop_walk w = {.n_ind = t->kind == K_ITEM ? t->item.n_indikator : t->goal.n_indikator};
        char prefix[RJ_VKEY_MAX];
        snprintf(prefix, sizeof(prefix), "real/%s/", t->kode);
        err = lm_walk(sb->txn, sb->s->vals, sb->op->plan, prefix, sb->head, drop_walk_cb, &w);
        for (size_t k = 0; k < w.found.n; k++)
            rj_ptrs_add(&add, w.found.v[k]);
        free(w.found.v);
    }
    /* Looked up first, then added: touch_add unsorts (and may move) sb->t.
     * An explicit change of such a key in this submit is judged by the
     * realisasi check. */
    size_t m = 0;
    for (size_t k = 0; k < add.n; k++) {
        if (err == 0 && !touch_find(sb, add.v[k]))
            add.v[m++] = add.v[k];
        else
            free(add.v[k]);
    }
    for (size_t k = 0; k < m; k++) {
        touch *t = touch_add(sb);
        t->kind = K_REAL;
        t->remove = true;
        snprintf(t->key, sizeof(t->key), "%s", (char *)add.v[k]);
        free(add.v[k]);
    }
    free(add.v);
    return err ? rj_diag_set(&sb->op->diag, err, "store: read failed") : 0;
}

/* Removal of an item or line: it must be live; its live children decide
 * between refusal and (recursive) tombstoning the subtree. Adds implied
 * touches, so the caller iterates by index over the explicit ones. */
static int check_removal(submit *sb, size_t idx)
{
    rj_op *op = sb->op;
    touch root = sb->t[idx];
    const char *what = kind_what(root.kind);
    int err = 0;
    if (root.kind == K_ITEM) {
        Renja__V1__Item *old = item_at_head(sb, root.kode, &err);
        if (err)
            return rj_diag_set(&op->diag, err, "store: read failed");
        if (!old)
            return rj_diag_set(&op->diag, RJ_ENOTFOUND,
                               "cannot remove item %s: it does not exist at revision %" PRIu64,
                               root.kode, sb->head);
        if (is_editor(op))
            err = editor_may_touch(sb, root.kode, old->bidang);
        protobuf_c_message_free_unpacked(&old->base, NULL);
        if (err)
            return err;
    } else if (!live_at_head(sb, root.key, &err)) {
        if (err)
            return rj_diag_set(&op->diag, err, "store: read failed");
        return rj_diag_set(&op->diag, RJ_ENOTFOUND,
                           "cannot remove %s %s: it does not exist at revision %" PRIu64, what,
                           root.kode, sb->head);
    }

    /* Implied touches are collected first and added after the lookups:
     * adding one unsorts the array, and re-sorting per key would make a
     * large recursive removal quadratic. */
    rj_ptrs add = {0};
    sub_walk w = {.sb = sb, .root = &root, .kind = root.kind};
    char prefix[RJ_VKEY_MAX];
    snprintf(prefix, sizeof(prefix), "%s", root.key);
    err = lm_walk(sb->txn, sb->s->vals, op->plan, prefix, sb->head, sub_walk_cb, &w);
    for (size_t i = 0; err == 0 && i < w.found.n; i++) {
        const char *key = w.found.v[i];
        touch *t = touch_find(sb, key);
        if (!root.recursive) {
            /* A child added after the author's base is a conflict: the
             * author removed a leaf as far as they could see. */
            if ((!t || !t->remove) && (err = conflict_on(sb, key)) != 0)
                continue;
            if (!t || !t->remove)
                err = rj_diag_set(&op->diag, RJ_EINVAL,
                                  "cannot remove %s %s: it has child %s; remove the children "
                                  "first or remove recursively",
                                  what, root.kode, strchr(key, '/') + 1);
            continue;
        }
        if (is_editor(op) && root.kind == K_ITEM &&
            (err = editor_may_touch(sb, strchr(key, '/') + 1, w.bidang.v[i])) != 0)
            continue;
        if (t)
            continue; /* explicitly touched; the parent check judges it */
        rj_ptrs_add(&add, w.found.v[i]);
    }
    for (size_t i = 0; err == 0 && i < add.n; i++) {
        const char *key = add.v[i];
        touch *t = touch_add(sb);
        t->kind = root.kind;
        t->remove = true;
        snprintf(t->key, sizeof(t->key), "%s", key);
        snprintf(t->kode, sizeof(t->kode), "%s", strchr(key, '/') + 1);
    }
    add.n = 0;
    sub_walk_free(&w);
    if (err || root.kind == K_LINE) {
        free(add.v);
        return err;
    }

    /* The realisasi of every removed item (or goal) goes with it. */
    sub_walk r = {.sb = sb, .root = &root, .kind = K_REAL};
    snprintf(prefix, sizeof(prefix), "real/%s", root.kode);
    err = lm_walk(sb->txn, sb->s->vals, op->plan, prefix, sb->head, sub_walk_cb, &r);
    for (size_t i = 0; err == 0 && i < r.found.n; i++)
        if (!touch_find(sb, r.found.v[i])) /* an explicit one on a removed item fails later */
            rj_ptrs_add(&add, r.found.v[i]);
    for (size_t i = 0; err == 0 && i < add.n; i++) {
        touch *t = touch_add(sb);
        t->kind = K_REAL;
        t->remove = true;
        snprintf(t->key, sizeof(t->key), "%s", (char *)add.v[i]);
    }
    free(add.v);
    sub_walk_free(&r);
    return err;
}

/* Does the item exist after this submit? Fills *it (borrowed from the
 * touch) or *owned (unpacked from the store, caller frees). */
static bool item_after(submit *sb, const char *kode, const Renja__V1__Item **it,
                       Renja__V1__Item **owned, int *err)
{
    char key[RJ_VKEY_MAX];
    key_of(key, "item", kode);
    touch *t = touch_find(sb, key);
    *owned = NULL;
    if (t) {
        *it = t->remove ? NULL : &t->item;
        return !t->remove;
    }
    *owned = item_at_head(sb, kode, err);
    *it = *owned;
    return *owned != NULL;
}

typedef struct conflict_list {
    rj_buf msg;
    size_t n;
    uint64_t cache_rev;
    char *cache_author;
} conflict_list;

/* The keys touched (only the implied ones: implied_only) changed by a
 * revision after the base. */
static int check_conflicts(submit *sb, uint64_t base, bool implied_only)
{
    rj_op *op = sb->op;
    conflict_list cl = {0};
    int err = 0;
    for (size_t i = 0; i < sb->n && err == 0; i++) {
        if (implied_only && sb->t[i].explicit_change)
            continue;
        uint64_t vrev = 0;
        int r =
            lm_val_at(sb->txn, sb->s->vals, op->plan, sb->t[i].key, UINT64_MAX - 1, NULL, &vrev);
        if (r < 0) {
            err = rj_diag_set(&op->diag, RJ_EIO, "store: read failed");
            break;
        }
        if (r == VAL_NONE || vrev <= base)
            continue;
        if (cl.cache_rev != vrev) {
            free(cl.cache_author);
            cl.cache_author = NULL;
            cl.cache_rev = vrev;
            kbuf k;
            kb_plan(&k, op->plan);
            kb_u64(&k, vrev);
            MDB_val kv = kb_val(&k), dv;
            if (mdb_get(sb->txn, sb->s->revs, &kv, &dv) == 0) {
                Renja__V1__Revision *rv =
                    lm_unpack(&renja__v1__revision__descriptor, dv.mv_data, dv.mv_size);
                if (rv) {
                    cl.cache_author = rj_strdup(rv->author);
                    protobuf_c_message_free_unpacked(&rv->base, NULL);
                }
            }
        }
        rj_buf_printf(&cl.msg, "%s%s changed in revision %" PRIu64 " by %s", cl.n ? ", " : "",
                      sb->t[i].key, vrev, cl.cache_author ? cl.cache_author : "?");
        cl.n++;
    }
    if (err == 0 && cl.n)
        err = rj_diag_set(&op->diag, RJ_ECONFLICT,
                          "conflict: %s after your base revision %" PRIu64 "; re-read and retry",
                          cl.msg.data, base);
    free(cl.cache_author);
    rj_buf_free(&cl.msg);
    return err;
}

/* RJ_ECONFLICT when key (not touched by this submit) changed after the
 * base: a refusal that follows from a newer revision (a parent removed, an
 * item gone, a child added) is a conflict, so the author re-reads rather
 * than takes their input for wrong. 0 otherwise or without a base. */
static int conflict_on(submit *sb, const char *key)
{
    if (!sb->has_base)
        return 0;
    submit one = *sb;
    touch t;
    memset(&t, 0, sizeof(t));
    snprintf(t.key, sizeof(t.key), "%s", key);
    one.t = &t;
    one.n = 1;
    return check_conflicts(&one, sb->base, false);
}

/* One indikator of a partial upsert: the fields it names from the
 * upsert, the others from indikator `from` at head (or empty). */
static void merge_indikator(Renja__V1__Indikator *out, const Renja__V1__Indikator *up,
                            const Renja__V1__Indikator *from, unsigned fields)
{
    static const Renja__V1__Indikator none = RENJA__V1__INDIKATOR__INIT;
    *out = from ? *from : none;
    if (fields & F_IND_NAMA)
        out->nama = up->nama;
    if (fields & F_IND_SATUAN)
        out->satuan = up->satuan;
    if (fields & F_IND_TARGET) { /* a target in several units is a target too */
        out->has_target = up->has_target;
        out->target_e4 = up->target_e4;
        out->target_text = up->target_text;
        out->n_parts = up->n_parts;
        out->parts = up->parts;
    }
    if (fields & F_IND_TREN)
        out->tren = up->tren;
}

/* Partial upserts become whole ones: the fields they name over the item
 * or line at head, read in this write transaction, so that nothing a
 * concurrent submit wrote in between is lost. */
static int merge_partial(submit *sb)
{
    rj_op *op = sb->op;
    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        if (!t->fields || t->remove || t->kind == K_REAL)
            continue;
        MDB_val v;
        int r = lm_val_at(sb->txn, sb->s->vals, op->plan, t->key, sb->head, &v, NULL);
        if (r < 0)
            return rj_diag_set(&op->diag, RJ_EIO, "store: read failed");
        if (t->kind == K_LINE) {
            Renja__V1__BudgetLine *old =
                r == VAL_LIVE ? lm_unpack(&renja__v1__budget_line__descriptor, v.mv_data, v.mv_size)
                              : NULL;
            if (r == VAL_LIVE && !old)
                return rj_diag_set(&op->diag, RJ_EIO, "store: budget line %s is unreadable",
                                   t->kode);
            if (old) {
                t->head_val = &old->base;
                if (!(t->fields & F_NAMA))
                    t->line.nama = old->nama;
                if (!(t->fields & F_PAGU)) {
                    t->line.has_pagu = old->has_pagu;
                    t->line.pagu = old->pagu;
                }
            }
            continue;
        }
        Renja__V1__Item *old =
            r == VAL_LIVE ? lm_unpack(&renja__v1__item__descriptor, v.mv_data, v.mv_size) : NULL;
        if (r == VAL_LIVE && !old)
            return rj_diag_set(&op->diag, RJ_EIO, "store: item %s is unreadable", t->kode);
        static const Renja__V1__Item none = RENJA__V1__ITEM__INIT;
        const Renja__V1__Item *h = old ? old : &none;
        Renja__V1__Item *it = &t->item;
        t->head_val = old ? &old->base : NULL;
        if (!(t->fields & F_NAMA))
            it->nama = h->nama;
        if (!(t->fields & F_BIDANG))
            it->bidang = h->bidang;
        if (!(t->fields & F_LOKASI))
            it->lokasi = h->lokasi;
        if (!(t->fields & F_PAGU)) {
            it->has_pagu = h->has_pagu;
            it->pagu = h->pagu;
        }
        if (!(t->fields & F_SUMBER))
            it->sumber_dana = h->sumber_dana;
        if (!(t->fields & F_SASARAN)) {
            it->n_sasaran = h->n_sasaran;
            it->sasaran = h->sasaran;
        }
        if (!(t->fields & F_IND)) {
            it->n_indikator = h->n_indikator;
            it->indikator = h->indikator;
        } else if ((t->fields & F_IND) != F_IND && it->n_indikator) {
            size_t n = it->n_indikator;
            t->ind_ptrs = rj_malloc(n * sizeof(*t->ind_ptrs));
            t->ind_vals = rj_malloc(n * sizeof(*t->ind_vals));
            for (size_t k = 0; k < n; k++) {
                merge_indikator(&t->ind_vals[k], it->indikator[k],
                                k < h->n_indikator ? h->indikator[k] : NULL, t->fields);
                t->ind_ptrs[k] = &t->ind_vals[k];
            }
            it->indikator = t->ind_ptrs;
        }
    }
    return 0;
}

static void touches_free(submit *sb)
{
    for (size_t i = 0; i < sb->n; i++) {
        if (sb->t[i].head_val)
            protobuf_c_message_free_unpacked(sb->t[i].head_val, NULL);
        free(sb->t[i].ind_ptrs);
        free(sb->t[i].ind_vals);
        free(sb->t[i].fill_satuan);
    }
    free(sb->t);
}

/* Whether the live value of key at head is exactly the message m would be
 * written as: then writing it changes nothing. */
static int same_at_head(submit *sb, const char *key, const ProtobufCMessage *m, bool *same,
                        MDB_val *old)
{
    MDB_val v = {0};
    *same = false;
    int r = lm_val_at(sb->txn, sb->s->vals, sb->op->plan, key, sb->head, &v, NULL);
    if (old)
        *old = v;
    if (r < 0)
        return r;
    if (r != VAL_LIVE) {
        *same = m == NULL; /* clearing what is not there */
        return 0;
    }
    if (!m)
        return 0;
    size_t len;
    void *buf = lm_pack(m, &len);
    *same = len == v.mv_size && memcmp(buf, v.mv_data, len) == 0;
    free(buf);
    return 0;
}

/* Upserts equal to what the plan has at head, and clears of realisasi that
 * is not there, are no changes: they leave the submit before permissions
 * are judged (an editor may send back a whole export) and make no key of a
 * revision. A submit left with nothing makes no revision at all. */
static int drop_unchanged(submit *sb)
{
    size_t m = 0;
    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        bool same = false;
        int r = 0;
        if (t->kind == K_ITEM && !t->remove) {
            MDB_val old;
            r = same_at_head(sb, t->key, &t->item.base, &same, &old);
            lm_roll_item *ri = &t->roll;
            ri->old_known = r >= 0;
            ri->po = old.mv_data != NULL;
            if (r >= 0 && ri->po && !lm_item_pagu(&old, &ri->ho, &ri->pagu_o))
                r = RJ_EIO;
        } else if (t->kind == K_GOAL && !t->remove)
            r = same_at_head(sb, t->key, &t->goal.base, &same, NULL);
        else if (t->kind == K_LINE && !t->remove)
            r = same_at_head(sb, t->key, &t->line.base, &same, NULL);
        else if (t->kind == K_REAL && t->remove) {
            /* Clearing what is not there, on an item or goal that is: an
             * unknown one stays an error. */
            char ikey[RJ_VKEY_MAX];
            snprintf(ikey, sizeof(ikey), "%s/%s", is_goal_kode(t->kode) ? "goal" : "item", t->kode);
            r = same_at_head(sb, t->key, NULL, &same, NULL);
            if (r == 0 && same && !live_at_head(sb, ikey, &r))
                same = false;
        } else if (t->kind == K_REAL) {
            Renja__V1__Realisasi real = *t->real;
            real.clear = false;
            /* Reported without its unit, a realisasi is stored in its
             * indikator's (fill_satuan): the same again is no change. */
            Renja__V1__Realisasi *stored = NULL;
            MDB_val v;
            if ((!real.satuan || !*real.satuan) &&
                lm_val_at(sb->txn, sb->s->vals, sb->op->plan, t->key, sb->head, &v, NULL) ==
                    VAL_LIVE &&
                (stored = lm_unpack(&renja__v1__realisasi__descriptor, v.mv_data, v.mv_size)) !=
                    NULL)
                real.satuan = stored->satuan;
            r = same_at_head(sb, t->key, &real.base, &same, NULL);
            if (stored)
                protobuf_c_message_free_unpacked(&stored->base, NULL);
        }
        if (r < 0)
            return rj_diag_set(&sb->op->diag, RJ_EIO, "store: read failed");
        if (!same) {
            sb->t[m++] = *t;
            continue;
        }
        if (t->head_val)
            protobuf_c_message_free_unpacked(t->head_val, NULL);
        free(t->ind_ptrs);
        free(t->ind_vals);
        free(t->fill_satuan);
    }
    sb->n = m; /* the order, and so sortedness, is kept */
    return 0;
}

/* A new item belongs to its parent's bidang: what names the parent at head
 * when it is of another bidang (a new sub kegiatan under another bidang's
 * kegiatan would change that kegiatan's roll-up). A parent new in the same
 * submit is judged as itself; a missing one is left to the later checks. */
static int foreign_parent(submit *sb, const char *kode, char *what, size_t cap)
{
    char parent[RJ_KODE_MAX], pkey[RJ_VKEY_MAX];
    if (!rj_kode_parent(kode, parent))
        return 0;
    key_of(pkey, "item", parent);
    if (touch_find(sb, pkey))
        return 0;
    int err = 0;
    Renja__V1__Item *pit = item_at_head(sb, parent, &err);
    if (!pit)
        return err;
    const char *pb = pit->bidang ? pit->bidang : "";
    if (strcmp(pb, who_bidang(sb->op)) != 0)
        snprintf(what, cap,
                 "new item %s would be a child of %s, which belongs to bidang '%.60s' (a new "
                 "child belongs to its parent's bidang)",
                 kode, parent, pb);
    protobuf_c_message_free_unpacked(&pit->base, NULL);
    return 0;
}

/* Every change an editor may not make, named in one refusal: items of
 * another bidang (as they are at head, or as the change would make them),
 * new items under such items, realisasi of such items, and any budget
 * line. */
static int editor_check(submit *sb)
{
    rj_op *op = sb->op;
    const char *mine = who_bidang(op);
    rj_buf list = {0};
    size_t n = 0, shown = 0;
    int err = 0;
    for (size_t i = 0; i < sb->n && err == 0; i++) {
        const touch *t = &sb->t[i];
        if (!t->explicit_change)
            continue;
        char what[RJ_KODE_MAX + 160];
        what[0] = '\0';
        if (t->kind == K_LINE) {
            snprintf(what, sizeof(what), "budget line %s", t->kode);
        } else if (t->kind == K_GOAL) {
            snprintf(what, sizeof(what), "%s %s",
                     rj_goal_kind_of(t->kode) == RJ_GOAL_TUJUAN ? "tujuan" : "sasaran", t->kode);
        } else if (t->kind == K_REAL && is_goal_kode(t->kode)) {
            snprintf(what, sizeof(what), "realisasi of goal %s", t->kode);
        } else {
            Renja__V1__Item *old = item_at_head(sb, t->kode, &err);
            if (err)
                break;
            const char *nb =
                t->kind == K_ITEM && !t->remove && t->item.bidang ? t->item.bidang : "";
            if (old && strcmp(old->bidang ? old->bidang : "", mine) != 0)
                snprintf(what, sizeof(what), "%s %s of bidang '%.60s'",
                         t->kind == K_REAL ? "realisasi of item" : "item", t->kode,
                         old->bidang ? old->bidang : "");
            else if (t->kind == K_ITEM && !t->remove && strcmp(nb, mine) != 0)
                snprintf(what, sizeof(what), "item %s into bidang '%.60s'", t->kode, nb);
            else if (!old && t->kind == K_ITEM && !t->remove &&
                     (err = foreign_parent(sb, t->kode, what, sizeof(what))) != 0)
                break;
            else if (!old && t->kind == K_REAL) {
                /* The item is new in this submit: judged by its upsert. */
            }
            if (old)
                protobuf_c_message_free_unpacked(&old->base, NULL);
        }
        if (!what[0])
            continue;
        n++;
        /* As many as fit in one message; the count says how many in all. */
        if (list.len < RJ_DIAG_MAX - 360) {
            rj_buf_printf(&list, "%schange %zu: %s", shown ? "; " : "", t->idx, what);
            shown++;
        }
    }
    if (err) {
        rj_buf_free(&list);
        return rj_diag_set(&op->diag, err, "store: read failed");
    }
    if (n)
        err = rj_diag_set(&op->diag, RJ_EPERM,
                          "editor %s may change only items of bidang '%s', add items only "
                          "under them, report their realisasi, and change no budget line, "
                          "tujuan or sasaran; %zu "
                          "change(s) refused: %s%s%.0zu%s",
                          op->who->name, mine, n, list.data ? list.data : "",
                          shown < n ? "; and " : "", shown < n ? n - shown : 0,
                          shown < n ? " more" : "");
    rj_buf_free(&list);
    return err;
}

/* A realisasi kinerja reported without its unit is counted in the unit of
 * its indikator at the revision it is reported in: kept, so that a later
 * change of unit does not compare it with a target in another one. */
static void fill_satuan(touch *t, const Renja__V1__Indikator *ind)
{
    if (t->remove || !t->real || (t->real->satuan && *t->real->satuan) || !ind->satuan ||
        !*ind->satuan)
        return;
    free(t->fill_satuan);
    t->fill_satuan = rj_strdup(ind->satuan);
}

/* The goal of a goal realisasi exists after this submit and has the
 * indikator. */
static int check_goal_realisasi(submit *sb, touch *t)
{
    rj_op *op = sb->op;
    char gkey[RJ_VKEY_MAX];
    snprintf(gkey, sizeof(gkey), "goal/%s", t->kode);
    const touch *gt = touch_find(sb, gkey);
    Renja__V1__Goal *owned = NULL;
    size_t n_ind = 0;
    bool ok;
    int err = 0;
    if (gt) {
        ok = !gt->remove;
        n_ind = gt->goal.n_indikator;
        if (ok && t->ind >= 1 && (size_t)t->ind <= n_ind) {
            fill_satuan(t, gt->goal.indikator[t->ind - 1]);
            err = check_breakdown(sb, t, gt->goal.indikator[t->ind - 1]);
        }
    } else {
        MDB_val v;
        int r = lm_val_at(sb->txn, sb->s->vals, op->plan, gkey, sb->head, &v, NULL);
        if (r < 0)
            return rj_diag_set(&op->diag, r, "store: read failed");
        ok = r == VAL_LIVE;
        if (ok && (owned = lm_unpack(&renja__v1__goal__descriptor, v.mv_data, v.mv_size)) != NULL)
            n_ind = owned->n_indikator;
        if (owned && t->ind >= 1 && (size_t)t->ind <= n_ind) {
            fill_satuan(t, owned->indikator[t->ind - 1]);
            err = check_breakdown(sb, t, owned->indikator[t->ind - 1]);
        }
        if (owned)
            protobuf_c_message_free_unpacked(&owned->base, NULL);
        if (!ok && (err = conflict_on(sb, gkey)) != 0)
            return err;
    }
    if (err)
        return err;
    if (!ok)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi of goal %s: no such tujuan or sasaran at the new revision",
                           t->kode);
    if (t->ind == 0)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi of goal %s: indikator 0 is realisasi anggaran, which a "
                           "goal has none of; expected 1..%zu",
                           t->kode, n_ind);
    if ((size_t)t->ind > n_ind)
        return rj_diag_set(&op->diag, RJ_EINVAL,
                           "realisasi of goal %s: indikator %d does not exist; the goal has %zu "
                           "indikator",
                           t->kode, t->ind, n_ind);
    return 0;
}

static int submit_validate(submit *sb)
{
    rj_op *op = sb->op;
    int err;
    Renja__V1__Role role = op->who->role;
    if (role != RENJA__V1__ROLE__ROLE_EDITOR && role != RENJA__V1__ROLE__ROLE_PLANNER &&
        role != RENJA__V1__ROLE__ROLE_ADMIN)
        return rj_diag_set(&op->diag, RJ_EPERM, "%s has role %s, which may not submit changes",
                           op->who->name, rj_role_name(role));
    if (op->n_changes == 0)
        return rj_diag_set(&op->diag, RJ_EINVAL, "nothing to change: the submit has no changes");
    for (size_t i = 0; i < op->n_changes; i++) {
        if ((err = parse_change(sb, op->changes[i])) != 0)
            return err;
        sb->t[sb->n - 1].idx = i + 1;
    }

    /* Duplicate keys within the submit. */
    qsort(sb->t, sb->n, sizeof(touch), touch_cmp);
    sb->sorted = true;
    for (size_t i = 1; i < sb->n; i++)
        if (strcmp(sb->t[i - 1].key, sb->t[i].key) == 0)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "%s appears twice in one submit; give each key once", sb->t[i].key);

    /* What equals the plan at head is no change (partial upserts merged
     * first); then permission, before conflicts: an editor changing another
     * bidang's item is refused as such (RJ_EPERM) whether or not the item
     * also changed after the base. */
    if ((err = merge_partial(sb)) != 0)
        return err;
    if ((err = drop_unchanged(sb)) != 0)
        return err;
    if (sb->n == 0)
        return 0; /* nothing changes: no revision */
    if (is_editor(op) && (err = editor_check(sb)) != 0)
        return err;

    /* Conflicts first: with a stale base, the checks below would judge the
     * changes against a head the author never saw and refuse them as bad
     * input (missing parent, no such item) instead of as a conflict. */
    if (op->has_base) {
        if (op->base > sb->head)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "base revision %" PRIu64 " is after the head %" PRIu64 " of plan %s",
                               op->base, sb->head, op->plan);
        sb->has_base = true;
        sb->base = op->base;
        if ((err = check_conflicts(sb, sb->base, false)) != 0)
            return err;
    }

    /* Removals, which may add implied touches (by index: t may move). */
    {
        /* Collect explicit removal keys first: the array is re-sorted as
         * implied touches are added. */
        rj_ptrs keys = {0};
        for (size_t i = 0; i < sb->n; i++)
            if (sb->t[i].explicit_change && sb->t[i].remove && sb->t[i].kind != K_REAL)
                rj_ptrs_add(&keys, rj_strdup(sb->t[i].key));
        err = 0;
        for (size_t i = 0; i < keys.n && err == 0; i++) {
            touch *t = touch_find(sb, keys.v[i]);
            err = check_removal(sb, (size_t)(t - sb->t));
        }
        for (size_t i = 0; i < keys.n; i++)
            free(keys.v[i]);
        free(keys.v);
        if (err)
            return err;
    }
    if ((err = drop_realisasi(sb)) != 0)
        return err;
    touch_find(sb, ""); /* sort */
    /* What the removals and dropped indikator take with them (children,
     * realisasi) must not have changed after the base either. */
    if (sb->has_base && (err = check_conflicts(sb, sb->base, true)) != 0)
        return err;

    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        if (!t->explicit_change || t->remove || t->kind == K_REAL)
            continue;
        char parent[RJ_KODE_MAX], pkey[RJ_VKEY_MAX];
        bool has = t->kind == K_ITEM   ? rj_kode_parent(t->kode, parent)
                   : t->kind == K_GOAL ? rj_goal_parent(t->kode, parent)
                                       : rj_rekening_parent(t->kode, parent);
        if (!has)
            continue;
        key_of(pkey, kind_prefix(t->kind), parent);
        touch *pt = touch_find(sb, pkey);
        err = 0;
        bool ok = pt ? !pt->remove : live_at_head(sb, pkey, &err);
        if (err)
            return rj_diag_set(&op->diag, err, "store: read failed");
        if (!ok && !pt && (err = conflict_on(sb, pkey)) != 0)
            return err;
        if (!ok)
            return rj_diag_set(&op->diag, RJ_EINVAL,
                               "%s %s: missing parent %s; add the parent first (in this submit "
                               "or before)",
                               kind_what(t->kind), t->kode, parent);
    }

    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        if (t->kind != K_REAL || !t->explicit_change)
            continue;
        if (rj_goal_kind_of(t->kode) != RJ_GOAL_NONE) {
            if ((err = check_goal_realisasi(sb, t)) != 0)
                return err;
            continue;
        }
        const Renja__V1__Item *it;
        Renja__V1__Item *owned;
        err = 0;
        bool ok = item_after(sb, t->kode, &it, &owned, &err);
        if (err)
            return rj_diag_set(&op->diag, err, "store: read failed");
        /* A realisasi whose item was removed after the author's base is a
         * conflict, not bad input. Then permission, before validation: an
         * editor learns nothing about items of other bidang from the
         * validation messages. */
        char ikey[RJ_VKEY_MAX];
        key_of(ikey, "item", t->kode);
        if (!ok && !touch_find(sb, ikey))
            err = conflict_on(sb, ikey);
        if (!err && !ok)
            err = rj_diag_set(&op->diag, RJ_EINVAL,
                              "realisasi of item %s: no such item at the new revision", t->kode);
        else if (!err && is_editor(op))
            err = editor_may_touch(sb, t->kode, it->bidang);
        if (ok && !err && t->ind > 0 && (size_t)t->ind > it->n_indikator)
            err = rj_diag_set(&op->diag, RJ_EINVAL,
                              "realisasi of item %s: indikator %d does not exist; the item has "
                              "%zu indikator",
                              t->kode, t->ind, it->n_indikator);
        if (ok && !err && t->ind > 0) {
            fill_satuan(t, it->indikator[t->ind - 1]);
            err = check_breakdown(sb, t, it->indikator[t->ind - 1]);
        }
        if (owned)
            protobuf_c_message_free_unpacked(&owned->base, NULL);
        if (err)
            return err;
    }

    return 0;
}

static int submit_write(submit *sb, Renja__V1__Plan *p)
{
    rj_op *op = sb->op;
    uint64_t rev = sb->head + 1;
    char **keys = rj_malloc(sb->n * sizeof(char *));
    int rc = 0;
    for (size_t i = 0; i < sb->n && rc == 0; i++) {
        touch *t = &sb->t[i];
        keys[i] = t->key;
        kbuf k;
        lm_vkey(&k, op->plan, t->key, rev);
        void *buf = NULL;
        size_t len = 1;
        unsigned char tomb = TAG_TOMB;
        if (!t->remove) {
            if (t->kind == K_ITEM)
                buf = lm_pack_val(&t->item.base, &len);
            else if (t->kind == K_LINE)
                buf = lm_pack_val(&t->line.base, &len);
            else if (t->kind == K_GOAL)
                buf = lm_pack_val(&t->goal.base, &len);
            else {
                Renja__V1__Realisasi r = *t->real;
                r.clear = false;
                if (t->fill_satuan)
                    r.satuan = t->fill_satuan;
                buf = lm_pack_val(&r.base, &len);
            }
        }
        MDB_val kv = kb_val(&k), dv = {.mv_size = len, .mv_data = buf ? buf : &tomb};
        rc = lm_put(sb->s, sb->txn, sb->s->vals, &kv, &dv, 0);
        free(buf);
    }
    if (rc) {
        free(keys);
        return lm_fail(&op->diag, rc, "write value");
    }
    lm_roll_item *items = rj_malloc((sb->n ? sb->n : 1) * sizeof *items);
    size_t nk = 0;
    for (size_t i = 0; i < sb->n; i++) {
        touch *t = &sb->t[i];
        if (t->kind != K_ITEM)
            continue;
        lm_roll_item *ri = &items[nk++];
        *ri = t->roll;
        ri->kode = t->kode;
        ri->pn = !t->remove;
        ri->hn = !t->remove && t->item.has_pagu;
        ri->pagu_n = ri->hn ? t->item.pagu : 0;
        ri->bidang_n = t->remove ? NULL : t->item.bidang;
        ri->sumber_n = t->remove ? NULL : t->item.sumber_dana;
    }
    /* moved with the batch's other submits, once its ops are done */
    lm_rollup_defer(sb->s, op->plan, sb->head, items, nk);
    free(items);
    Renja__V1__Revision rv = RENJA__V1__REVISION__INIT;
    rv.rev = rev;
    rv.author = (char *)op->who->name;
    rv.bidang = (char *)who_bidang(op);
    rv.time_unix_ms = op->now_ms;
    rv.role = op->who ? op->who->role : RENJA__V1__ROLE__ROLE_UNSPECIFIED;
    rv.client = (char *)(op->client ? op->client : "");
    rv.message = (char *)(op->message ? op->message : "");
    rv.base_rev = op->has_base ? op->base : sb->head;
    rv.keys = keys;
    rv.n_keys = sb->n;
    size_t len;
    void *buf = lm_pack(&rv.base, &len);
    free(keys);
    kbuf k;
    kb_plan(&k, op->plan);
    kb_u64(&k, rev);
    MDB_val kv = kb_val(&k), dv = {.mv_size = len, .mv_data = buf};
    rc = lm_put(sb->s, sb->txn, sb->s->revs, &kv, &dv, MDB_NOOVERWRITE);
    if (rc == 0)
        op->revision = lm_unpack(&renja__v1__revision__descriptor, buf, len);
    free(buf);
    if (rc)
        return lm_fail(&op->diag, rc, "write revision");
    p->head = rev;
    int err = lm_plan_put(sb->s, sb->txn, p, 0, &op->diag);
    if (err == 0)
        op->rev = rev;
    return err;
}

int lm_op_submit(rj_store *s, MDB_txn *txn, rj_op *op)
{
    if (!op->who)
        return rj_diag_set(&op->diag, RJ_EPERM, "submit needs an identity");
    Renja__V1__Plan *p;
    int err = lm_plan_get(s, txn, op->plan, &p, &op->diag);
    if (err)
        return err;
    if (p->locked) {
        err = lm_locked_error(p, &op->diag);
        protobuf_c_message_free_unpacked(&p->base, NULL);
        return err;
    }
    submit sb = {.s = s, .txn = txn, .op = op, .head = p->head};
    err = submit_validate(&sb);
    if (err == 0 && sb.n == 0) {
        op->rev = p->head; /* nothing changed: no revision */
        op->unchanged = true;
    } else if (err == 0)
        err = submit_write(&sb, p);
    touches_free(&sb);
    protobuf_c_message_free_unpacked(&p->base, NULL);
    return err;
}
