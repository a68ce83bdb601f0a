#include "rj_input.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rj_alloc.h"
#include "rj_csv.h"
#include "rj_json.h"
#include "rj_kode.h"
#include "rj_num.h"
#include "rj_utf8.h"

/* Every allocation hanging from the request is recorded here and freed at
 * once: protobuf-c's free_unpacked cannot be used on a hand-built message
 * whose empty strings point at protobuf_c_empty_string. */
struct rj_submit {
    Renja__V1__SubmitRequest req;
    void **ptrs;
    size_t n, cap;
    size_t changes_cap;
    int cur_line; /* the file line the reader is at, for the next changes */
    int *lines;   /* per change: its file line, 0 when it has none */
};

static void *keep(rj_submit *s, void *p)
{
    RJ_GROW(s->ptrs, s->n + 1, s->cap, 64);
    s->ptrs[s->n++] = p;
    return p;
}

static char *sdup(rj_submit *s, const char *str)
{
    return keep(s, rj_strdup(str ? str : ""));
}

/* Grow an array kept in the pool (old may be NULL). */
static void *regrow(rj_submit *s, void *old, size_t size)
{
    void *p = rj_realloc(old, size);
    if (old) {
        for (size_t i = s->n; i-- > 0;)
            if (s->ptrs[i] == old) {
                s->ptrs[i] = p;
                return p;
            }
    }
    return keep(s, p);
}

rj_submit *rj_submit_new(const char *plan, const char *message)
{
    rj_submit *s = rj_calloc(1, sizeof(*s));
    renja__v1__submit_request__init(&s->req);
    s->req.plan = sdup(s, plan);
    s->req.message = sdup(s, message);
    return s;
}

void rj_submit_free(rj_submit *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->ptrs[i]);
    free(s->ptrs);
    free(s->req.changes);
    free(s->lines);
    free(s);
}

Renja__V1__SubmitRequest *rj_submit_req(rj_submit *s)
{
    return &s->req;
}

void rj_submit_set_base(rj_submit *s, uint64_t rev)
{
    s->req.has_base = 1;
    s->req.base_rev = rev;
}

static Renja__V1__Change *add_change(rj_submit *s)
{
    if (s->req.n_changes == s->changes_cap) {
        s->changes_cap = rj_grow_cap(s->changes_cap, s->changes_cap + 1, 16);
        s->req.changes = rj_realloc_array(s->req.changes, s->changes_cap, sizeof(*s->req.changes));
        s->lines = rj_realloc_array(s->lines, s->changes_cap, sizeof(*s->lines));
    }
    s->lines[s->req.n_changes] = s->cur_line;
    Renja__V1__Change *c = keep(s, rj_malloc(sizeof(*c)));
    renja__v1__change__init(c);
    s->req.changes[s->req.n_changes++] = c;
    return c;
}

static Renja__V1__Indikator *add_indikator(rj_submit *s, Renja__V1__Item *it)
{
    it->indikator = regrow(s, it->indikator, (it->n_indikator + 1) * sizeof(*it->indikator));
    Renja__V1__Indikator *k = keep(s, rj_malloc(sizeof(*k)));
    renja__v1__indikator__init(k);
    k->nama = sdup(s, "");
    k->satuan = sdup(s, "");
    k->target_text = sdup(s, "");
    it->indikator[it->n_indikator++] = k;
    return k;
}

void rj_submit_target_part(rj_submit *s, Renja__V1__Indikator *k, int64_t value_e4,
                           const char *satuan)
{
    k->parts = regrow(s, k->parts, (k->n_parts + 1) * sizeof(*k->parts));
    Renja__V1__TargetPart *p = keep(s, rj_malloc(sizeof(*p)));
    renja__v1__target_part__init(p);
    p->value_e4 = value_e4;
    p->satuan = sdup(s, satuan);
    k->parts[k->n_parts++] = p;
}

void rj_submit_add_sasaran(rj_submit *s, Renja__V1__Item *it, const char *kode)
{
    it->sasaran = regrow(s, it->sasaran, (it->n_sasaran + 1) * sizeof(*it->sasaran));
    it->sasaran[it->n_sasaran++] = sdup(s, kode);
}

Renja__V1__Indikator *rj_submit_goal_indikator(rj_submit *s, Renja__V1__Goal *g)
{
    g->indikator = regrow(s, g->indikator, (g->n_indikator + 1) * sizeof(*g->indikator));
    Renja__V1__Indikator *k = keep(s, rj_malloc(sizeof(*k)));
    renja__v1__indikator__init(k);
    k->nama = sdup(s, "");
    k->satuan = sdup(s, "");
    k->target_text = sdup(s, "");
    g->indikator[g->n_indikator++] = k;
    return k;
}

Renja__V1__Goal *rj_submit_upsert_goal(rj_submit *s, const char *kode)
{
    Renja__V1__Goal *g = keep(s, rj_malloc(sizeof(*g)));
    renja__v1__goal__init(g);
    g->kode = sdup(s, kode);
    g->kind = (Renja__V1__GoalKind)rj_goal_kind_of(kode);
    g->nama = sdup(s, "");
    Renja__V1__Change *c = add_change(s);
    c->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_GOAL;
    c->upsert_goal = g;
    return g;
}

void rj_submit_remove_goal(rj_submit *s, const char *kode, bool recursive)
{
    Renja__V1__Change *c = add_change(s);
    c->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_GOAL;
    c->remove_goal = sdup(s, kode);
    c->recursive = recursive;
}

Renja__V1__Item *rj_submit_upsert_item(rj_submit *s, const Renja__V1__Item *src, const char *kode)
{
    Renja__V1__Item *it = keep(s, rj_malloc(sizeof(*it)));
    renja__v1__item__init(it);
    if (src) {
        it->kode = sdup(s, src->kode);
        it->level = src->level;
        it->nama = sdup(s, src->nama);
        it->bidang = sdup(s, src->bidang);
        it->lokasi = sdup(s, src->lokasi);
        it->has_pagu = src->has_pagu;
        it->pagu = src->pagu;
        it->sumber_dana = sdup(s, src->sumber_dana);
        for (size_t i = 0; i < src->n_sasaran; i++)
            rj_submit_add_sasaran(s, it, src->sasaran[i]);
        for (size_t i = 0; i < src->n_indikator; i++) {
            const Renja__V1__Indikator *a = src->indikator[i];
            Renja__V1__Indikator *k = add_indikator(s, it);
            k->nama = sdup(s, a->nama);
            k->satuan = sdup(s, a->satuan);
            k->has_target = a->has_target;
            k->target_e4 = a->target_e4;
            k->target_text = sdup(s, a->target_text);
            k->tren = a->tren;
            k->formula = a->formula;
            for (size_t j = 0; j < a->n_parts; j++)
                rj_submit_target_part(s, k, a->parts[j]->value_e4, a->parts[j]->satuan);
        }
    } else {
        it->kode = sdup(s, kode);
        it->level = (Renja__V1__Level)rj_kode_level(kode);
        it->nama = sdup(s, "");
        it->bidang = sdup(s, "");
        it->lokasi = sdup(s, "");
        it->sumber_dana = sdup(s, "");
    }
    Renja__V1__Change *c = add_change(s);
    c->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM;
    c->upsert_item = it;
    return it;
}

Renja__V1__BudgetLine *rj_submit_upsert_line(rj_submit *s, const Renja__V1__BudgetLine *src,
                                             const char *kode)
{
    Renja__V1__BudgetLine *l = keep(s, rj_malloc(sizeof(*l)));
    renja__v1__budget_line__init(l);
    l->kode = sdup(s, src ? src->kode : kode);
    l->nama = sdup(s, src ? src->nama : "");
    if (src) {
        l->has_pagu = src->has_pagu;
        l->pagu = src->pagu;
    }
    Renja__V1__Change *c = add_change(s);
    c->change_case = RENJA__V1__CHANGE__CHANGE_UPSERT_LINE;
    c->upsert_line = l;
    return l;
}

void rj_submit_partial(rj_submit *s, const char *field)
{
    if (!s->req.n_changes)
        return;
    Renja__V1__Change *c = s->req.changes[s->req.n_changes - 1];
    for (size_t i = 0; i < c->n_fields; i++)
        if (strcmp(c->fields[i], field) == 0)
            return;
    c->fields = regrow(s, c->fields, (c->n_fields + 1) * sizeof(*c->fields));
    c->fields[c->n_fields++] = sdup(s, field);
}

void rj_submit_remove_item(rj_submit *s, const char *kode, bool recursive)
{
    Renja__V1__Change *c = add_change(s);
    c->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM;
    c->remove_item = sdup(s, kode);
    c->recursive = recursive;
}

void rj_submit_remove_line(rj_submit *s, const char *kode)
{
    Renja__V1__Change *c = add_change(s);
    c->change_case = RENJA__V1__CHANGE__CHANGE_REMOVE_LINE;
    c->remove_line = sdup(s, kode);
}

Renja__V1__Realisasi *rj_submit_realisasi(rj_submit *s, const char *kode, int tw, int indikator)
{
    Renja__V1__Realisasi *r = keep(s, rj_malloc(sizeof(*r)));
    renja__v1__realisasi__init(r);
    r->kode = sdup(s, kode);
    r->tw = tw;
    r->indikator = indikator;
    r->text = sdup(s, "");
    Renja__V1__Change *c = add_change(s);
    c->change_case = RENJA__V1__CHANGE__CHANGE_REALISASI;
    c->realisasi = r;
    return r;
}

rj_input_format rj_input_format_of(const char *name)
{
    size_t n = strlen(name);
    if (n >= 4 && strcasecmp(name + n - 4, ".csv") == 0)
        return RJ_INPUT_CSV;
    return RJ_INPUT_JSON;
}

/* --- values ----------------------------------------------------------------- */

/* A JSON number is plain notation: "105.787" is a hundred and five, not
 * rj_num's human "105 thousand", so it is read here, exactly. */
static int json_dec(const char *t, int64_t *out)
{
    const char *p = t;
    bool neg = *p == '-';
    if (neg)
        p++;
    int64_t ip = 0, fp = 0;
    int fd = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (ip > (INT64_MAX / RJ_DEC_SCALE - 9) / 10)
            return RJ_EOVERFLOW;
        ip = ip * 10 + (*p - '0');
    }
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++) {
            if (++fd > 4)
                return RJ_EINVAL;
            fp = fp * 10 + (*p - '0');
        }
    if (*p)
        return RJ_EINVAL; /* exponent */
    for (; fd < 4; fd++)
        fp *= 10;
    *out = (ip * RJ_DEC_SCALE + fp) * (neg ? -1 : 1);
    return 0;
}

/* --- JSON import -------------------------------------------------------------- */

typedef struct seen {
    const char *kode; /* canonical, owned by the submit */
    int line, col;
    bool line_kind; /* a budget line rather than an item */
} seen;

typedef struct reader {
    rj_submit *s;
    const char *name;
    rj_diag *d;
    seen *seen;
    size_t n_seen, cap_seen;
    Renja__V1__Realisasi *last_real; /* CSV: the realisasi a rincian row adds to */
    Renja__V1__Goal *last_goal;      /* CSV: the goal a continuation row adds to */
} reader;

static int jerr(reader *r, const rj_json *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int jerr(reader *r, const rj_json *at, const char *fmt, ...)
{
    char msg[RJ_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rj_diag_set(r->d, RJ_EINVAL, "%s:%d:%d: %s", r->name, rj_json_line(at), rj_json_col(at),
                       msg);
}

static void add_seen(reader *r, const char *kode, int line, int col, bool line_kind)
{
    RJ_GROW(r->seen, r->n_seen + 1, r->cap_seen, 64);
    r->seen[r->n_seen++] = (seen){kode, line, col, line_kind};
}

static int seen_cmp(const void *a, const void *b)
{
    const seen *x = a, *y = b;
    if (x->line_kind != y->line_kind)
        return x->line_kind - y->line_kind;
    int c = strcmp(x->kode, y->kode);
    if (c)
        return c;
    return x->line != y->line ? x->line - y->line : x->col - y->col;
}

/* Duplicates are found once at the end by sorting, so a big file costs
 * n log n rather than n squared. */
static int check_duplicates(reader *r)
{
    if (r->n_seen > 1)
        qsort(r->seen, r->n_seen, sizeof(*r->seen), seen_cmp);
    for (size_t i = 1; i < r->n_seen; i++) {
        const seen *a = &r->seen[i - 1], *b = &r->seen[i];
        if (a->line_kind == b->line_kind && strcmp(a->kode, b->kode) == 0)
            return rj_diag_set(
                r->d, RJ_EINVAL, "%s:%d:%d: %s \"%s\" appears twice, also on line %d", r->name,
                b->line, b->col, b->line_kind ? "rekening" : "kode", b->kode, a->line);
    }
    return 0;
}

static int check_keys(reader *r, const rj_json *obj, const char *what, const char *const *known)
{
    for (size_t i = 0; i < rj_json_len(obj); i++) {
        const char *k = rj_json_key_at(obj, i);
        bool ok = false;
        for (const char *const *p = known; *p; p++)
            ok = ok || strcmp(*p, k) == 0;
        if (!ok) {
            char list[512] = "";
            for (const char *const *p = known; *p; p++) {
                if (p != known)
                    strncat(list, ", ", sizeof(list) - strlen(list) - 1);
                strncat(list, *p, sizeof(list) - strlen(list) - 1);
            }
            return jerr(r, rj_json_at(obj, i), "unknown member \"%s\" of %s (known: %s)", k, what,
                        list);
        }
    }
    return 0;
}

/* A string member: absent or null is "". */
static int jstr(reader *r, const rj_json *obj, const char *key, const char **out)
{
    const rj_json *v = rj_json_get(obj, key);
    *out = "";
    if (!v || rj_json_kind(v) == RJ_JSON_NULL)
        return 0;
    if (rj_json_kind(v) != RJ_JSON_STRING)
        return jerr(r, v, "\"%s\": expected a string, found %s", key,
                    rj_json_type_name(rj_json_kind(v)));
    *out = rj_json_text(v);
    return 0;
}

static int jmoney(reader *r, const rj_json *obj, const char *key, const char *kode, int64_t *out,
                  bool *present)
{
    const rj_json *v = rj_json_get(obj, key);
    *present = false;
    *out = 0;
    if (!v || rj_json_kind(v) == RJ_JSON_NULL)
        return 0;
    rj_diag nd;
    if (rj_json_kind(v) == RJ_JSON_NUMBER) {
        const char *t = rj_json_text(v);
        const char *p = t + (*t == '-');
        if (strspn(p, "0123456789") != strlen(p))
            return jerr(r, v, "kode \"%s\": %s %s: expected whole rupiah (an integer)", kode, key,
                        t);
        if (rj_money_parse(t, out, present, &nd) < 0)
            return jerr(r, v, "kode \"%s\": %s: %s", kode, key, nd.msg);
        return 0;
    }
    if (rj_json_kind(v) != RJ_JSON_STRING)
        return jerr(r, v, "kode \"%s\": %s: expected rupiah as a number or a string, found %s",
                    kode, key, rj_json_type_name(rj_json_kind(v)));
    if (rj_money_parse(rj_json_text(v), out, present, &nd) < 0)
        return jerr(r, v, "kode \"%s\": %s: %s", kode, key, nd.msg);
    return 0;
}

/* A decimal member given as a JSON number or a string as written. *present
 * is false when absent or null. */
static int jdec(reader *r, const rj_json *v, const char *what, const char *kode, int64_t *out,
                bool *present)
{
    *present = false;
    *out = 0;
    if (!v || rj_json_kind(v) == RJ_JSON_NULL)
        return 0;
    rj_diag nd;
    if (rj_json_kind(v) == RJ_JSON_NUMBER) {
        int rc = json_dec(rj_json_text(v), out);
        if (rc < 0)
            return jerr(r, v,
                        "kode \"%s\": %s %s: expected a number with at most 4 decimal places and "
                        "no exponent",
                        kode, what, rj_json_text(v));
    } else if (rj_json_kind(v) == RJ_JSON_STRING) {
        if (rj_dec_parse(rj_json_text(v), out, &nd) < 0)
            return jerr(r, v, "kode \"%s\": %s: %s%s", kode, what, nd.msg,
                        rj_dec_ambiguous(rj_json_text(v))
                            ? ""
                            : " (text that is not a number goes in target_text or text)");
    } else
        return jerr(r, v, "kode \"%s\": %s: expected a number or a string, found %s", kode, what,
                    rj_json_type_name(rj_json_kind(v)));
    *present = true;
    return 0;
}

static int jkode(reader *r, const rj_json *obj, const char *key, bool rekening,
                 char out[RJ_KODE_MAX])
{
    const rj_json *v = rj_json_get(obj, key);
    if (!v)
        return jerr(r, obj, "expected a \"%s\" member", key);
    if (rj_json_kind(v) != RJ_JSON_STRING)
        return jerr(r, v, "\"%s\": expected a string, found %s", key,
                    rj_json_type_name(rj_json_kind(v)));
    rj_diag kd;
    rj_level lv;
    int depth;
    int rc = rekening ? rj_rekening_parse(rj_json_text(v), out, &depth, &kd)
                      : rj_kode_parse(rj_json_text(v), out, &lv, &kd);
    if (rc < 0)
        return jerr(r, v, "%s", kd.msg);
    return 0;
}

/* A kode of the program tree, or of a tujuan or sasaran (T1, T1.S2). */
static int jkode_or_goal(reader *r, const rj_json *obj, const char *key, char out[RJ_KODE_MAX])
{
    const rj_json *v = rj_json_get(obj, key);
    if (v && rj_json_kind(v) == RJ_JSON_STRING &&
        (rj_json_text(v)[0] == 'T' || rj_json_text(v)[0] == 't')) {
        rj_diag kd;
        if (rj_goal_parse(rj_json_text(v), out, NULL, &kd) < 0)
            return jerr(r, v, "%s", kd.msg);
        return 0;
    }
    return jkode(r, obj, key, false, out);
}

static int jint(reader *r, const rj_json *obj, const char *key, int lo, int hi, int *out,
                bool required)
{
    const rj_json *v = rj_json_get(obj, key);
    if (!v || rj_json_kind(v) == RJ_JSON_NULL) {
        if (required)
            return jerr(r, obj, "expected a \"%s\" member (%d..%d)", key, lo, hi);
        *out = 0;
        return 0;
    }
    const char *t = rj_json_text(v);
    if (rj_json_kind(v) != RJ_JSON_NUMBER || strspn(t, "0123456789") != strlen(t) ||
        strlen(t) > 6 || atoi(t) < lo || atoi(t) > hi)
        return jerr(r, v, "\"%s\": expected an integer %d..%d", key, lo, hi);
    *out = atoi(t);
    return 0;
}

static int jtren(reader *r, const rj_json *obj, Renja__V1__Tren *out)
{
    const char *t;
    int rc = jstr(r, obj, "tren", &t);
    if (rc < 0)
        return rc;
    if (!*t || strcmp(t, "positif") == 0)
        *out = RENJA__V1__TREN__TREN_POSITIF;
    else if (strcmp(t, "negatif") == 0)
        *out = RENJA__V1__TREN__TREN_NEGATIF;
    else
        return jerr(r, rj_json_get(obj, "tren"), "tren \"%s\": expected positif or negatif", t);
    return 0;
}

static int expect_kind(reader *r, const rj_json *v, rj_json_type t, const char *what)
{
    if (rj_json_kind(v) != t)
        return jerr(r, v, "%s: expected %s %s, found %s", what, t == RJ_JSON_ARRAY ? "an" : "an",
                    rj_json_type_name(t), rj_json_type_name(rj_json_kind(v)));
    return 0;
}

static int json_indikator(reader *r, const rj_json *o, const char *kode, Renja__V1__Item *it,
                          Renja__V1__Goal *g);
static int json_parts(reader *r, const rj_json *ko, const char *kode, Renja__V1__Indikator *k);
static int json_breakdown(reader *r, const rj_json *o, const char *kode, Renja__V1__Realisasi *re);

static int json_item(reader *r, const rj_json *o)
{
    static const char *const known[] = {"kode",      "level",   "nama",        "bidang",
                                        "lokasi",    "pagu",    "pagu_rollup", "sumber_dana",
                                        "indikator", "sasaran", NULL};
    char kode[RJ_KODE_MAX];
    int rc;
    if ((rc = expect_kind(r, o, RJ_JSON_OBJECT, "items[]")) < 0 ||
        (rc = check_keys(r, o, "an item", known)) < 0 ||
        (rc = jkode(r, o, "kode", false, kode)) < 0)
        return rc;
    Renja__V1__Item *it = rj_submit_upsert_item(r->s, NULL, kode);
    const rj_json *kv = rj_json_get(o, "kode");
    add_seen(r, it->kode, rj_json_line(kv), rj_json_col(kv), false);
    const char *t;
    if ((rc = jstr(r, o, "nama", &t)) < 0)
        return rc;
    it->nama = sdup(r->s, t);
    if ((rc = jstr(r, o, "bidang", &t)) < 0)
        return rc;
    it->bidang = sdup(r->s, t);
    if ((rc = jstr(r, o, "lokasi", &t)) < 0)
        return rc;
    it->lokasi = sdup(r->s, t);
    if ((rc = jstr(r, o, "sumber_dana", &t)) < 0)
        return rc;
    it->sumber_dana = sdup(r->s, t);
    bool present;
    if ((rc = jmoney(r, o, "pagu", kode, &it->pagu, &present)) < 0)
        return rc;
    it->has_pagu = present;
    /* Keys the item does not have keep the item's fields as they are. */
    static const char *const fields[] = {"nama",        "bidang",    "lokasi",  "pagu",
                                         "sumber_dana", "indikator", "sasaran", NULL};
    /* Whole with every field but sasaran (which export leaves out when a
     * program names none). */
    bool whole = true;
    for (const char *const *f = fields; *f && strcmp(*f, "sasaran") != 0; f++)
        whole = whole && rj_json_get(o, *f);
    if (!whole) {
        rj_submit_partial(r->s, "kode");
        for (const char *const *f = fields; *f; f++)
            if (rj_json_get(o, *f))
                rj_submit_partial(r->s, *f);
    }
    const rj_json *sa = rj_json_get(o, "sasaran");
    if (sa && rj_json_kind(sa) != RJ_JSON_NULL) {
        if ((rc = expect_kind(r, sa, RJ_JSON_ARRAY, "sasaran")) < 0)
            return rc;
        for (size_t i = 0; i < rj_json_len(sa); i++) {
            const rj_json *e = rj_json_at(sa, i);
            char g[RJ_KODE_MAX];
            rj_goal_kind gk;
            rj_diag kd;
            if ((rc = expect_kind(r, e, RJ_JSON_STRING, "sasaran[]")) < 0)
                return rc;
            if (rj_goal_parse(rj_json_text(e), g, &gk, &kd) < 0)
                return jerr(r, e, "%s", kd.msg);
            if (gk != RJ_GOAL_SASARAN)
                return jerr(r, e,
                            "kode \"%s\": sasaran \"%s\" is a tujuan; expected a sasaran "
                            "T<n>.S<m>",
                            kode, g);
            rj_submit_add_sasaran(r->s, it, g);
        }
    }
    return json_indikator(r, o, kode, it, NULL);
}

/* The "indikator" array of an item (it) or a goal (g). */
static int json_indikator(reader *r, const rj_json *o, const char *kode, Renja__V1__Item *it,
                          Renja__V1__Goal *g)
{
    const char *t;
    bool present;
    int rc;
    const rj_json *ind = rj_json_get(o, "indikator");
    if (!ind || rj_json_kind(ind) == RJ_JSON_NULL)
        return 0;
    if ((rc = expect_kind(r, ind, RJ_JSON_ARRAY, "indikator")) < 0)
        return rc;
    for (size_t i = 0; i < rj_json_len(ind); i++) {
        static const char *const kknown[] = {"nama", "satuan", "target",  "target_text",
                                             "tren", "parts",  "formula", NULL};
        const rj_json *ko = rj_json_at(ind, i);
        if ((rc = expect_kind(r, ko, RJ_JSON_OBJECT, "indikator[]")) < 0 ||
            (rc = check_keys(r, ko, "an indikator", kknown)) < 0)
            return rc;
        Renja__V1__Indikator *k = it ? add_indikator(r->s, it) : rj_submit_goal_indikator(r->s, g);
        if ((rc = jstr(r, ko, "nama", &t)) < 0)
            return rc;
        k->nama = sdup(r->s, t);
        if ((rc = jstr(r, ko, "satuan", &t)) < 0)
            return rc;
        k->satuan = sdup(r->s, t);
        const rj_json *tv = rj_json_get(ko, "target");
        if ((rc = jdec(r, tv, "target", kode, &k->target_e4, &present)) < 0)
            return rc;
        k->has_target = present;
        if ((rc = jstr(r, ko, "target_text", &t)) < 0)
            return rc;
        /* Without target_text, a target written as a string is its text;
         * a JSON number is plain notation, not how the source wrote it. */
        if (!rj_json_get(ko, "target_text") && tv && rj_json_kind(tv) == RJ_JSON_STRING)
            t = rj_json_text(tv);
        k->target_text = sdup(r->s, t);
        if ((rc = jtren(r, ko, &k->tren)) < 0)
            return rc;
        if ((rc = json_parts(r, ko, kode, k)) < 0)
            return rc;
        if ((rc = jstr(r, ko, "formula", &t)) < 0)
            return rc;
        if (strcmp(t, "ratio") == 0)
            k->formula = RENJA__V1__FORMULA__FORMULA_RATIO;
        else if (strcmp(t, "growth") == 0)
            k->formula = RENJA__V1__FORMULA__FORMULA_GROWTH;
        else if (*t)
            return jerr(r, rj_json_get(ko, "formula"),
                        "kode \"%s\": formula \"%s\": expected ratio or growth", kode, t);
    }
    return 0;
}

/* "breakdown": [{"lokasi": ..., "num": .., "den": ..}] (a ratio) or
 * [{"lokasi": ..., "before": .., "after": ..}] (a growth). */
static int json_breakdown(reader *r, const rj_json *o, const char *kode, Renja__V1__Realisasi *re)
{
    const rj_json *a = rj_json_get(o, "breakdown");
    int rc;
    if (!a || rj_json_kind(a) == RJ_JSON_NULL)
        return 0;
    if ((rc = expect_kind(r, a, RJ_JSON_ARRAY, "breakdown")) < 0)
        return rc;
    size_t n = rj_json_len(a);
    re->breakdown = regrow(r->s, re->breakdown, (n ? n : 1) * sizeof(*re->breakdown));
    for (size_t i = 0; i < n; i++) {
        static const char *const known[] = {"lokasi", "num", "den", "before", "after", "pct", NULL};
        const rj_json *bo = rj_json_at(a, i);
        if ((rc = expect_kind(r, bo, RJ_JSON_OBJECT, "breakdown[]")) < 0 ||
            (rc = check_keys(r, bo, "a breakdown row", known)) < 0)
            return rc;
        Renja__V1__BreakdownRow *b = keep(r->s, rj_malloc(sizeof(*b)));
        renja__v1__breakdown_row__init(b);
        const char *t;
        if ((rc = jstr(r, bo, "lokasi", &t)) < 0)
            return rc;
        b->lokasi = sdup(r->s, t);
        bool pn, pd, pb, pa;
        if ((rc = jdec(r, rj_json_get(bo, "num"), "num", kode, &b->num_e4, &pn)) < 0 ||
            (rc = jdec(r, rj_json_get(bo, "den"), "den", kode, &b->den_e4, &pd)) < 0 ||
            (rc = jdec(r, rj_json_get(bo, "before"), "before", kode, &b->before_e4, &pb)) < 0 ||
            (rc = jdec(r, rj_json_get(bo, "after"), "after", kode, &b->after_e4, &pa)) < 0)
            return rc;
        if (!((pn && pd && !pb && !pa) || (pb && pa && !pn && !pd)))
            return jerr(r, bo,
                        "kode \"%s\": a breakdown row has \"num\" and \"den\" (a ratio) or "
                        "\"before\" and \"after\" (a growth)",
                        kode);
        re->breakdown[re->n_breakdown++] = b;
    }
    return 0;
}

/* "parts": a target in several units, [{"value": 12, "satuan": "bulan"},
 * ...]. Without a target or satuan of its own the indikator takes the
 * first part's (what readers without parts see); with them they must be
 * the first part's. */
static int json_parts(reader *r, const rj_json *ko, const char *kode, Renja__V1__Indikator *k)
{
    const rj_json *pa = rj_json_get(ko, "parts");
    int rc;
    if (!pa || rj_json_kind(pa) == RJ_JSON_NULL)
        return 0;
    if ((rc = expect_kind(r, pa, RJ_JSON_ARRAY, "parts")) < 0)
        return rc;
    for (size_t i = 0; i < rj_json_len(pa); i++) {
        static const char *const known[] = {"value", "satuan", NULL};
        const rj_json *po = rj_json_at(pa, i);
        const char *u;
        int64_t v;
        bool present;
        if ((rc = expect_kind(r, po, RJ_JSON_OBJECT, "parts[]")) < 0 ||
            (rc = check_keys(r, po, "a target part", known)) < 0 ||
            (rc = jdec(r, rj_json_get(po, "value"), "parts[].value", kode, &v, &present)) < 0 ||
            (rc = jstr(r, po, "satuan", &u)) < 0)
            return rc;
        if (!present || !*u)
            return jerr(r, po, "kode \"%s\": a target part needs a \"value\" and a \"satuan\"",
                        kode);
        rj_submit_target_part(r->s, k, v, u);
    }
    if (!k->n_parts)
        return 0;
    const Renja__V1__TargetPart *first = k->parts[0];
    if (!*k->satuan)
        k->satuan = sdup(r->s, first->satuan);
    if (!k->has_target) {
        k->has_target = true;
        k->target_e4 = first->value_e4;
    }
    if (k->target_e4 != first->value_e4 || strcmp(k->satuan, first->satuan) != 0)
        return jerr(r, pa,
                    "kode \"%s\": target and satuan must be those of the first part "
                    "(or left out)",
                    kode);
    return 0;
}

static int json_goal(reader *r, const rj_json *o)
{
    static const char *const known[] = {"kode", "kind", "nama", "indikator", NULL};
    char kode[RJ_KODE_MAX];
    int rc;
    if ((rc = expect_kind(r, o, RJ_JSON_OBJECT, "goals[]")) < 0 ||
        (rc = check_keys(r, o, "a tujuan or sasaran", known)) < 0)
        return rc;
    const rj_json *kv = rj_json_get(o, "kode");
    if (!kv)
        return jerr(r, o, "expected a \"kode\" member (T1 or T1.S2)");
    if (rj_json_kind(kv) != RJ_JSON_STRING)
        return jerr(r, kv, "\"kode\": expected a string, found %s",
                    rj_json_type_name(rj_json_kind(kv)));
    rj_diag kd;
    rj_goal_kind gk;
    if (rj_goal_parse(rj_json_text(kv), kode, &gk, &kd) < 0)
        return jerr(r, kv, "%s", kd.msg);
    const char *t;
    if ((rc = jstr(r, o, "kind", &t)) < 0)
        return rc;
    if (*t && strcmp(t, rj_goal_kind_name(gk)) != 0)
        return jerr(r, rj_json_get(o, "kind"), "kode \"%s\" is a %s, not a %s", kode,
                    rj_goal_kind_name(gk), t);
    Renja__V1__Goal *g = rj_submit_upsert_goal(r->s, kode);
    if ((rc = jstr(r, o, "nama", &t)) < 0)
        return rc;
    g->nama = sdup(r->s, t);
    return json_indikator(r, o, kode, NULL, g);
}

static int json_line(reader *r, const rj_json *o)
{
    static const char *const known[] = {"kode", "nama", "pagu", "pagu_rollup", "depth", NULL};
    char kode[RJ_KODE_MAX];
    int rc;
    if ((rc = expect_kind(r, o, RJ_JSON_OBJECT, "lines[]")) < 0 ||
        (rc = check_keys(r, o, "a budget line", known)) < 0 ||
        (rc = jkode(r, o, "kode", true, kode)) < 0)
        return rc;
    Renja__V1__BudgetLine *l = rj_submit_upsert_line(r->s, NULL, kode);
    const rj_json *kv = rj_json_get(o, "kode");
    add_seen(r, l->kode, rj_json_line(kv), rj_json_col(kv), true);
    if (!rj_json_get(o, "nama") || !rj_json_get(o, "pagu")) {
        rj_submit_partial(r->s, "kode");
        if (rj_json_get(o, "nama"))
            rj_submit_partial(r->s, "nama");
        if (rj_json_get(o, "pagu"))
            rj_submit_partial(r->s, "pagu");
    }
    const char *t;
    if ((rc = jstr(r, o, "nama", &t)) < 0)
        return rc;
    l->nama = sdup(r->s, t);
    bool present;
    if ((rc = jmoney(r, o, "pagu", kode, &l->pagu, &present)) < 0)
        return rc;
    l->has_pagu = present;
    return 0;
}

static int json_realisasi(reader *r, const rj_json *o)
{
    static const char *const known[] = {"kode",   "tw",       "indikator", "value",     "text",
                                        "satuan", "anggaran", "clear",     "breakdown", NULL};
    char kode[RJ_KODE_MAX];
    int rc, tw, ind;
    if ((rc = expect_kind(r, o, RJ_JSON_OBJECT, "realisasi[]")) < 0 ||
        (rc = check_keys(r, o, "a realisasi", known)) < 0 ||
        (rc = jkode_or_goal(r, o, "kode", kode)) < 0 ||
        (rc = jint(r, o, "tw", 1, 4, &tw, true)) < 0 ||
        (rc = jint(r, o, "indikator", 1, 999, &ind, false)) < 0)
        return rc;
    Renja__V1__Realisasi *re = rj_submit_realisasi(r->s, kode, tw, ind);
    const rj_json *clear = rj_json_get(o, "clear");
    if (clear && rj_json_kind(clear) == RJ_JSON_TRUE) {
        re->clear = 1;
        return 0;
    }
    bool present;
    if (ind > 0) {
        const rj_json *v = rj_json_get(o, "value");
        if ((rc = jdec(r, v, "value", kode, &re->value_e4, &present)) < 0)
            return rc;
        if (!present)
            return jerr(r, o, "kode \"%s\": expected a \"value\" for indikator %d", kode, ind);
        const char *t;
        if ((rc = jstr(r, o, "text", &t)) < 0)
            return rc;
        if (!rj_json_get(o, "text") && rj_json_kind(v) == RJ_JSON_STRING)
            t = rj_json_text(v);
        re->text = sdup(r->s, t);
        if ((rc = jstr(r, o, "satuan", &t)) < 0)
            return rc;
        re->satuan = sdup(r->s, t);
        return json_breakdown(r, o, kode, re);
    }
    if ((rc = jmoney(r, o, "anggaran", kode, &re->anggaran, &present)) < 0)
        return rc;
    if (!present)
        return jerr(r, o, "kode \"%s\": expected \"indikator\" with \"value\", or \"anggaran\"",
                    kode);
    return 0;
}

static int json_remove(reader *r, const rj_json *o)
{
    static const char *const known[] = {"kode", "line", "goal", "recursive", NULL};
    char kode[RJ_KODE_MAX];
    int rc;
    if ((rc = expect_kind(r, o, RJ_JSON_OBJECT, "remove[]")) < 0 ||
        (rc = check_keys(r, o, "a removal", known)) < 0)
        return rc;
    const rj_json *gv = rj_json_get(o, "goal");
    if (gv) {
        rj_diag kd;
        if ((rc = expect_kind(r, gv, RJ_JSON_STRING, "\"goal\"")) < 0)
            return rc;
        if (rj_goal_parse(rj_json_text(gv), kode, NULL, &kd) < 0)
            return jerr(r, gv, "%s", kd.msg);
        const rj_json *rec = rj_json_get(o, "recursive");
        rj_submit_remove_goal(r->s, kode, rec && rj_json_kind(rec) == RJ_JSON_TRUE);
        return 0;
    }
    if (rj_json_get(o, "line")) {
        if ((rc = jkode(r, o, "line", true, kode)) < 0)
            return rc;
        rj_submit_remove_line(r->s, kode);
        return 0;
    }
    if (!rj_json_get(o, "kode"))
        return jerr(r, o,
                    "expected \"kode\" (an item), \"line\" (a rekening) or \"goal\" (a "
                    "tujuan or sasaran)");
    if ((rc = jkode(r, o, "kode", false, kode)) < 0)
        return rc;
    const rj_json *rec = rj_json_get(o, "recursive");
    rj_submit_remove_item(r->s, kode, rec && rj_json_kind(rec) == RJ_JSON_TRUE);
    return 0;
}

static int read_json(reader *r, const char *text, size_t len)
{
    rj_json *root = NULL;
    rj_diag pd;
    int rc = rj_json_parse(text, len, 0, &root, &pd);
    if (rc < 0)
        return rj_diag_set(r->d, rc, "%s:%s", r->name, pd.msg);
    static const char *const known[] = {"plan",  "nama",      "rev",    "goals",  "items",
                                        "lines", "realisasi", "remove", "stages", NULL};
    static const struct {
        const char *key;
        int (*fn)(reader *, const rj_json *);
    } parts[] = {{"goals", json_goal},
                 {"items", json_item},
                 {"lines", json_line},
                 {"realisasi", json_realisasi},
                 {"remove", json_remove}};
    if ((rc = expect_kind(r, root, RJ_JSON_OBJECT, "the document")) < 0 ||
        (rc = check_keys(r, root, "the document", known)) < 0)
        goto out;
    for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++) {
        const rj_json *a = rj_json_get(root, parts[p].key);
        if (!a || rj_json_kind(a) == RJ_JSON_NULL)
            continue;
        if ((rc = expect_kind(r, a, RJ_JSON_ARRAY, parts[p].key)) < 0)
            goto out;
        for (size_t i = 0; i < rj_json_len(a); i++) {
            r->s->cur_line = rj_json_line(rj_json_at(a, i));
            if ((rc = parts[p].fn(r, rj_json_at(a, i))) < 0)
                goto out;
        }
    }
out:
    rj_json_free(root);
    return rc;
}

/* --- CSV import ----------------------------------------------------------------- */

enum {
    C_TIPE,
    C_KODE,
    C_NAMA,
    C_BIDANG,
    C_LOKASI,
    C_SUMBER,
    C_PAGU,
    C_INDIKATOR,
    C_SATUAN,
    C_TARGET,
    C_TARGET_TEXT,
    C_TREN,
    C_TW,
    C_IND_NO,
    C_REAL,
    C_REAL_TEXT,
    C_ANGGARAN,
    C_SASARAN,
    C_FORMULA,
    C_PARTS,
    C_REAL_SATUAN,
    C_NUM,
    C_DEN,
    C_BEFORE,
    C_AFTER,
    C_N
};
static const char *const csv_cols[C_N] = {"tipe",
                                          "kode",
                                          "nama",
                                          "bidang",
                                          "lokasi",
                                          "sumber_dana",
                                          "pagu",
                                          "indikator",
                                          "satuan",
                                          "target",
                                          "target_text",
                                          "tren",
                                          "tw",
                                          "indikator_no",
                                          "realisasi",
                                          "realisasi_text",
                                          "anggaran",
                                          "sasaran",
                                          "formula",
                                          "parts",
                                          "realisasi_satuan",
                                          "num",
                                          "den",
                                          "before",
                                          "after"};
#define CSV_KNOWN                                                                                  \
    "tipe, kode, nama, bidang, lokasi, sumber_dana, pagu, indikator, satuan, target, "             \
    "target_text, tren, tw, indikator_no, realisasi, realisasi_text, anggaran, sasaran, "          \
    "formula, parts, realisasi_satuan, num, den, before, after"

static int cerr(reader *r, const rj_csv_field *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int cerr(reader *r, const rj_csv_field *f, const char *fmt, ...)
{
    char msg[RJ_DIAG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return rj_diag_set(r->d, RJ_EINVAL, "%s:%d:%d: %s", r->name, f->line, f->col, msg);
}

typedef struct csv_row {
    reader *r;
    const rj_csv_field *f;
    const int *col;
} csv_row;

static const char *cell(const csv_row *w, int k)
{
    return w->col[k] >= 0 ? w->f[w->col[k]].text : "";
}

static const rj_csv_field *cellf(const csv_row *w, int k)
{
    return &w->f[w->col[k] >= 0 ? w->col[k] : w->col[C_KODE]];
}

/* The indikator of a row, appended to it. With a target_text column the
 * target is a number (or empty) and the text is the text cell; without
 * one the target cell is the text as written, and its value when it is a
 * number. A number whose reading would be a guess is refused. */
static int csv_formula_parts(const csv_row *w, Renja__V1__Indikator *k, const char *kode);

static int csv_indikator(const csv_row *w, Renja__V1__Item *it, Renja__V1__Goal *g,
                         const char *kode)
{
    reader *r = w->r;
    Renja__V1__Tren tren = RENJA__V1__TREN__TREN_POSITIF;
    const char *tr = cell(w, C_TREN);
    if (strcmp(tr, "negatif") == 0)
        tren = RENJA__V1__TREN__TREN_NEGATIF;
    else if (*tr && strcmp(tr, "positif") != 0)
        return cerr(r, cellf(w, C_TREN), "kode \"%s\": tren \"%s\": expected positif or negatif",
                    kode, tr);
    const char *tt = cell(w, C_TARGET);
    int64_t target = 0;
    bool has_target = false;
    rj_diag nd;
    if (*tt) {
        has_target = rj_dec_parse(tt, &target, &nd) == 0;
        if (!has_target && (w->col[C_TARGET_TEXT] >= 0 || rj_dec_ambiguous(tt)))
            return cerr(r, cellf(w, C_TARGET), "kode \"%s\": target: %s%s", kode, nd.msg,
                        rj_dec_ambiguous(tt) ? "" : " (text goes in the target_text column)");
    }
    const char *text = w->col[C_TARGET_TEXT] >= 0 ? cell(w, C_TARGET_TEXT) : tt;
    if (w->col[C_TARGET] < 0 && *text) {
        /* Only a text column: its value when it is a number. */
        if (rj_dec_ambiguous(text))
            return cerr(r, cellf(w, C_TARGET_TEXT), "kode \"%s\": target_text: %s", kode,
                        (rj_dec_parse(text, &target, &nd), nd.msg));
        has_target = rj_dec_parse(text, &target, &nd) == 0;
        if (!has_target)
            target = 0;
    }
    if (!*cell(w, C_INDIKATOR) && !*cell(w, C_SATUAN) && !*tt && !*text && !*tr &&
        !*cell(w, C_PARTS) && !*cell(w, C_FORMULA))
        return 0;
    Renja__V1__Indikator *k = it ? add_indikator(r->s, it) : rj_submit_goal_indikator(r->s, g);
    k->nama = sdup(r->s, cell(w, C_INDIKATOR));
    k->satuan = sdup(r->s, cell(w, C_SATUAN));
    k->target_text = sdup(r->s, text);
    k->has_target = has_target;
    k->target_e4 = target;
    k->tren = tren;
    return csv_formula_parts(w, k, kode);
}

/* formula: ratio or growth; parts: "12 bulan; 3 dok" (value and satuan,
 * parts separated by ';'). */
static int csv_formula_parts(const csv_row *w, Renja__V1__Indikator *k, const char *kode)
{
    reader *r = w->r;
    const char *f = cell(w, C_FORMULA);
    if (strcmp(f, "ratio") == 0)
        k->formula = RENJA__V1__FORMULA__FORMULA_RATIO;
    else if (strcmp(f, "growth") == 0)
        k->formula = RENJA__V1__FORMULA__FORMULA_GROWTH;
    else if (*f)
        return cerr(r, cellf(w, C_FORMULA), "kode \"%s\": formula \"%s\": expected ratio or growth",
                    kode, f);
    const char *p = cell(w, C_PARTS);
    while (*p) {
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char part[256];
        snprintf(part, sizeof(part), "%.*s", (int)(n < sizeof(part) ? n : sizeof(part) - 1), p);
        char *v = part;
        while (*v == ' ')
            v++;
        char *sp = strchr(v, ' ');
        int64_t val;
        rj_diag nd;
        if (!sp || !sp[1])
            return cerr(r, cellf(w, C_PARTS),
                        "kode \"%s\": parts: \"%s\": expected a value and a satuan, e.g. "
                        "\"12 bulan; 3 dok\"",
                        kode, part);
        *sp = '\0';
        char *u = sp + 1;
        size_t ul = strlen(u);
        while (ul && u[ul - 1] == ' ')
            u[--ul] = '\0';
        if (rj_dec_parse(v, &val, &nd) < 0)
            return cerr(r, cellf(w, C_PARTS), "kode \"%s\": parts: %s", kode, nd.msg);
        rj_submit_target_part(r->s, k, val, u);
        p = end ? end + 1 : p + n;
    }
    return 0;
}

static bool looks_rekening(const char *k)
{
    /* Rekening start with 4 (pendapatan), 5 (belanja) or 6 (pembiayaan);
     * urusan codes do not. */
    return k[0] >= '4' && k[0] <= '6';
}

/* Cells of the columns in cols[] (ending with -1) must be empty on a row
 * of this tipe. */
static int csv_only_empty(const csv_row *w, const char *tipe, const int *cols)
{
    for (; *cols >= 0; cols++)
        if (*cell(w, *cols))
            return cerr(w->r, cellf(w, *cols),
                        "column \"%s\" has a value on a row of tipe %s: expected it empty",
                        csv_cols[*cols], tipe);
    return 0;
}

/* A tipe rincian row: one lokasi of the breakdown of the realisasi row
 * just before it (same kode, tw and indikator_no). */
static int csv_rincian(const csv_row *w)
{
    reader *r = w->r;
    Renja__V1__Realisasi *re = r->last_real;
    const char *k = cell(w, C_KODE), *tw = cell(w, C_TW), *no = cell(w, C_IND_NO);
    char want_tw[16], want_no[16];
    if (re) {
        snprintf(want_tw, sizeof(want_tw), "%d", re->tw);
        snprintf(want_no, sizeof(want_no), "%d", re->indikator);
    }
    char kode[RJ_KODE_MAX];
    rj_diag kd;
    rj_level lv;
    bool ok = (k[0] == 'T' || k[0] == 't') ? rj_goal_parse(k, kode, NULL, &kd) == 0
                                           : rj_kode_parse(k, kode, &lv, &kd) == 0;
    if (!re || !ok || strcmp(kode, re->kode) != 0 || strcmp(tw, want_tw) != 0 ||
        strcmp(no, want_no) != 0)
        return cerr(r, cellf(w, C_KODE),
                    "a rincian row (kode \"%s\", tw \"%s\", indikator_no \"%s\") must follow "
                    "the realisasi row of the same kode, tw and indikator_no",
                    k, tw, no);
    Renja__V1__BreakdownRow *b = keep(r->s, rj_malloc(sizeof(*b)));
    renja__v1__breakdown_row__init(b);
    b->lokasi = sdup(r->s, cell(w, C_LOKASI));
    static const int cols[] = {C_NUM, C_DEN, C_BEFORE, C_AFTER};
    int64_t *vals[] = {&b->num_e4, &b->den_e4, &b->before_e4, &b->after_e4};
    for (int i = 0; i < 4; i++) {
        const char *v = cell(w, cols[i]);
        rj_diag nd;
        if (*v && rj_dec_parse(v, vals[i], &nd) < 0)
            return cerr(r, cellf(w, cols[i]), "kode \"%s\": %s: %s", kode, csv_cols[cols[i]],
                        nd.msg);
    }
    re->breakdown = regrow(r->s, re->breakdown, (re->n_breakdown + 1) * sizeof(*re->breakdown));
    re->breakdown[re->n_breakdown++] = b;
    return 0;
}

/* tipe tujuan or sasaran: a goal row, or one more indikator of the goal of
 * the row before (same kode). */
static int csv_goal(const csv_row *w, const char *tipe)
{
    reader *r = w->r;
    char kode[RJ_KODE_MAX];
    rj_diag kd;
    rj_goal_kind gk;
    const rj_csv_field *kf = cellf(w, C_KODE);
    if (rj_goal_parse(kf->text, kode, &gk, &kd) < 0)
        return cerr(r, kf, "%s", kd.msg);
    if (strcasecmp(tipe, rj_goal_kind_name(gk)) != 0)
        return cerr(r, cellf(w, C_TIPE), "kode \"%s\" is a %s, not a %s", kode,
                    rj_goal_kind_name(gk), tipe);
    Renja__V1__Goal *g = r->last_goal;
    if (!g || strcmp(g->kode, kode) != 0) {
        g = rj_submit_upsert_goal(r->s, kode);
        g->nama = sdup(r->s, cell(w, C_NAMA));
        r->last_goal = g;
    }
    return csv_indikator(w, NULL, g, kode);
}

static int csv_realisasi(const csv_row *w)
{
    reader *r = w->r;
    char kode[RJ_KODE_MAX];
    rj_diag kd;
    rj_level lv;
    const rj_csv_field *kf = cellf(w, C_KODE);
    if ((kf->text[0] == 'T' || kf->text[0] == 't') ? rj_goal_parse(kf->text, kode, NULL, &kd) < 0
                                                   : rj_kode_parse(kf->text, kode, &lv, &kd) < 0)
        return cerr(r, kf, "%s", kd.msg);
    static const int item_cols[] = {C_NAMA,      C_BIDANG,  C_LOKASI, C_SUMBER,      C_PAGU,
                                    C_INDIKATOR, C_SATUAN,  C_TARGET, C_TARGET_TEXT, C_TREN,
                                    C_SASARAN,   C_FORMULA, C_PARTS,  C_NUM,         C_DEN,
                                    C_BEFORE,    C_AFTER,   -1};
    int rc = csv_only_empty(w, "realisasi", item_cols);
    if (rc)
        return rc;
    const char *tw = cell(w, C_TW), *no = cell(w, C_IND_NO);
    if (strlen(tw) != 1 || tw[0] < '1' || tw[0] > '4')
        return cerr(r, cellf(w, C_TW), "kode \"%s\": tw \"%s\": expected 1, 2, 3 or 4", kode, tw);
    int ind = 0;
    if (*no) {
        char *end;
        long v = strtol(no, &end, 10);
        if (*end || v < 1 || v > 99 || !isdigit((unsigned char)no[0]))
            return cerr(r, cellf(w, C_IND_NO),
                        "kode \"%s\": indikator_no \"%s\": expected an indikator number 1..99",
                        kode, no);
        ind = (int)v;
    }
    const char *val = cell(w, C_REAL), *angg = cell(w, C_ANGGARAN);
    rj_diag nd;
    if (ind > 0) {
        if (*angg)
            return cerr(r, cellf(w, C_ANGGARAN),
                        "kode \"%s\": anggaran on a row with indikator_no: expected realisasi "
                        "anggaran on a row of its own, without indikator_no",
                        kode);
        int64_t v;
        if (!*val)
            return cerr(r, cellf(w, C_REAL), "kode \"%s\": expected a realisasi for indikator %d",
                        kode, ind);
        if (rj_dec_parse(val, &v, &nd) < 0)
            return cerr(r, cellf(w, C_REAL), "kode \"%s\": realisasi: %s", kode, nd.msg);
        Renja__V1__Realisasi *re = rj_submit_realisasi(r->s, kode, tw[0] - '0', ind);
        re->value_e4 = v;
        re->text = sdup(r->s, w->col[C_REAL_TEXT] >= 0 ? cell(w, C_REAL_TEXT) : val);
        re->satuan = sdup(r->s, cell(w, C_REAL_SATUAN));
        r->last_real = re;
        return 0;
    }
    if (*val || *cell(w, C_REAL_TEXT))
        return cerr(r, cellf(w, *val ? C_REAL : C_REAL_TEXT),
                    "kode \"%s\": realisasi without indikator_no: expected the indikator number "
                    "in indikator_no",
                    kode);
    int64_t a;
    bool present = false;
    if (rj_money_parse(angg, &a, &present, &nd) < 0)
        return cerr(r, cellf(w, C_ANGGARAN), "kode \"%s\": anggaran: %s", kode, nd.msg);
    if (!present)
        return cerr(r, cellf(w, C_ANGGARAN),
                    "kode \"%s\": expected indikator_no with realisasi, or anggaran", kode);
    Renja__V1__Realisasi *re = rj_submit_realisasi(r->s, kode, tw[0] - '0', 0);
    re->anggaran = a;
    return 0;
}

/* The fields a row of a file with these columns sets; NULL-ended. Every
 * item field present: the item is written whole. */
static size_t csv_fields(const int *col, bool line, const char **out)
{
    static const struct {
        int c;
        const char *name;
        bool line;
    } map[] = {{C_NAMA, "nama", true},
               {C_BIDANG, "bidang", false},
               {C_LOKASI, "lokasi", false},
               {C_PAGU, "pagu", true},
               {C_SUMBER, "sumber_dana", false},
               {C_INDIKATOR, "indikator.nama", false},
               {C_SATUAN, "indikator.satuan", false},
               {C_TARGET, "indikator.target", false},
               {C_TREN, "indikator.tren", false}};
    size_t n = 0, want = 0;
    out[n++] = "kode";
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (line && !map[i].line)
            continue;
        want++;
        if (col[map[i].c] >= 0 || (map[i].c == C_TARGET && col[C_TARGET_TEXT] >= 0))
            out[n++] = map[i].name;
    }
    if (n == want + 1)
        n = 0;
    else if (!line && col[C_SASARAN] >= 0) /* named when given; never needed for whole */
        out[n++] = "sasaran";
    out[n] = NULL;
    return n;
}

static int read_csv(reader *r, const char *text, size_t len)
{
    rj_csv *c = rj_csv_new(text, len, rj_csv_sniff(text, len));
    const rj_csv_field *f;
    size_t n, ncols;
    int col[C_N];
    int rc = rj_csv_next(c, &f, &n, r->d);
    if (rc <= 0) {
        if (rc == 0)
            rc = rj_diag_set(
                r->d, RJ_EINVAL, "%s:1:1: empty file: expected a header line (%s, ...)", r->name,
                "kode,nama,bidang,lokasi,sumber_dana,pagu,indikator,satuan,target,tren");
        else {
            rj_diag pd = *r->d;
            rc = rj_diag_set(r->d, rc, "%s:%s", r->name, pd.msg);
        }
        goto out;
    }
    for (int i = 0; i < C_N; i++)
        col[i] = -1;
    /* Trailing columns without a name (a spreadsheet's empty columns) are
     * ignored; their cells must then be empty. */
    ncols = n;
    while (ncols > 0 && !*f[ncols - 1].text)
        ncols--;
    for (size_t i = 0; i < ncols; i++) {
        int k = -1;
        for (int j = 0; j < C_N; j++)
            if (strcasecmp(f[i].text, csv_cols[j]) == 0)
                k = j;
        if (k < 0) {
            char shown[64];
            snprintf(shown, sizeof(shown), "%.40s%s", f[i].text,
                     strlen(f[i].text) > 40 ? "..." : "");
            for (char *p = shown; *p; p++)
                if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                    *p = '?';
            rc = *f[i].text ? cerr(r, &f[i], "unknown column \"%s\" in the header (known: %s)",
                                   shown, CSV_KNOWN)
                            : cerr(r, &f[i],
                                   "column %zu has no name in the header, but a later one has: "
                                   "expected a column name (known: %s)",
                                   i + 1, CSV_KNOWN);
            goto out;
        }
        if (col[k] >= 0) {
            rc = cerr(r, &f[i], "column \"%s\" appears twice in the header", csv_cols[k]);
            goto out;
        }
        col[k] = (int)i;
    }
    if (col[C_KODE] < 0) {
        rc = cerr(r, &f[0], "the header has no \"kode\" column");
        goto out;
    }
    const char *item_fields[C_N + 2], *line_fields[C_N + 2];
    csv_fields(col, false, item_fields);
    csv_fields(col, true, line_fields);
    Renja__V1__Item *prev = NULL; /* the item of the previous row, for more indikator */
    int prev_line = 0;
    size_t rows = 0;
    while ((rc = rj_csv_next(c, &f, &n, r->d)) == 1) {
        int line = rj_csv_row_line(c);
        bool blank = true;
        for (size_t i = 0; i < n && blank; i++)
            blank = !*f[i].text;
        if (blank)
            continue; /* a spreadsheet's empty row */
        rows++;
        r->s->cur_line = line;
        if (n < ncols) {
            rc = rj_diag_set(r->d, RJ_EINVAL,
                             "%s:%d:1: expected %zu fields as in the header, found %zu", r->name,
                             line, ncols, n);
            goto out;
        }
        for (size_t i = ncols; i < n; i++)
            if (*f[i].text) {
                rc = cerr(r, &f[i],
                          "a value in column %zu, which has no name in the header: expected "
                          "%zu fields as in the header",
                          i + 1, ncols);
                goto out;
            }
        csv_row w = {.r = r, .f = f, .col = col};
        const char *tipe = cell(&w, C_TIPE);
        const rj_csv_field *kf = &f[col[C_KODE]];
        char kode[RJ_KODE_MAX];
        rj_diag kd;
        rj_level lv;
        int depth;
        static const int real_cols[] = {C_TW,       C_IND_NO,      C_REAL, C_REAL_TEXT,
                                        C_ANGGARAN, C_REAL_SATUAN, C_NUM,  C_DEN,
                                        C_BEFORE,   C_AFTER,       -1};
        if (strcasecmp(tipe, "realisasi") == 0) {
            prev = NULL;
            if ((rc = csv_realisasi(&w)) != 0)
                goto out;
            continue;
        }
        if (strcasecmp(tipe, "rincian") == 0) {
            prev = NULL;
            if ((rc = csv_rincian(&w)) != 0)
                goto out;
            continue;
        }
        r->last_real = NULL;
        if (strcasecmp(tipe, "tujuan") == 0 || strcasecmp(tipe, "sasaran") == 0) {
            prev = NULL;
            if ((rc = csv_only_empty(&w, tipe, real_cols)) != 0 || (rc = csv_goal(&w, tipe)) != 0)
                goto out;
            continue;
        }
        r->last_goal = NULL;
        if (*tipe && strcasecmp(tipe, "item") != 0 && strcasecmp(tipe, "rekening") != 0 &&
            strcasecmp(tipe, "hapus") != 0) {
            rc = cerr(r, &f[col[C_TIPE]],
                      "tipe \"%s\": expected item, rekening, realisasi, rincian, tujuan, sasaran "
                      "or hapus",
                      tipe);
            goto out;
        }
        if ((rc = csv_only_empty(&w, *tipe ? tipe : "item", real_cols)) != 0)
            goto out;
        if (strcasecmp(tipe, "hapus") == 0) {
            prev = NULL;
            if (looks_rekening(kf->text)) {
                if (rj_rekening_parse(kf->text, kode, &depth, &kd) < 0) {
                    rc = cerr(r, kf, "%s", kd.msg);
                    goto out;
                }
                rj_submit_remove_line(r->s, kode);
            } else {
                if (rj_kode_parse(kf->text, kode, &lv, &kd) < 0) {
                    rc = cerr(r, kf, "%s", kd.msg);
                    goto out;
                }
                rj_submit_remove_item(r->s, kode, false);
            }
            continue;
        }
        int64_t pagu = 0;
        bool has_pagu = false;
        if (col[C_PAGU] >= 0 && rj_money_parse(cell(&w, C_PAGU), &pagu, &has_pagu, &kd) < 0) {
            rc = cerr(r, &f[col[C_PAGU]], "kode \"%s\": pagu: %s", kf->text, kd.msg);
            goto out;
        }
        if (strcasecmp(tipe, "rekening") == 0) {
            prev = NULL;
            if (rj_rekening_parse(kf->text, kode, &depth, &kd) < 0) {
                rc = cerr(r, kf, "%s", kd.msg);
                goto out;
            }
            Renja__V1__BudgetLine *l = rj_submit_upsert_line(r->s, NULL, kode);
            l->nama = sdup(r->s, cell(&w, C_NAMA));
            l->has_pagu = has_pagu;
            l->pagu = pagu;
            for (const char **fl = line_fields; *fl; fl++)
                rj_submit_partial(r->s, *fl);
            add_seen(r, l->kode, kf->line, kf->col, true);
            continue;
        }
        if (rj_kode_parse(kf->text, kode, &lv, &kd) < 0) {
            rc = cerr(r, kf, "%s", kd.msg);
            goto out;
        }
        if (prev && strcmp(prev->kode, kode) == 0) {
            /* A continuation row: item columns empty or equal to the item's. */
            static const int same[] = {C_NAMA, C_BIDANG, C_LOKASI, C_SUMBER};
            const char *have[] = {prev->nama, prev->bidang, prev->lokasi, prev->sumber_dana};
            for (int k = 0; k < 4; k++)
                if (*cell(&w, same[k]) && strcmp(cell(&w, same[k]), have[k]) != 0) {
                    rc = cerr(r, &f[col[same[k]]],
                              "kode \"%s\" repeats the item of line %d with a different %s: "
                              "expected it empty (one more indikator) or a new kode",
                              kode, prev_line, csv_cols[same[k]]);
                    goto out;
                }
            if (has_pagu && (!prev->has_pagu || prev->pagu != pagu)) {
                rc = cerr(r, &f[col[C_PAGU]],
                          "kode \"%s\" repeats the item of line %d with a different pagu: expected "
                          "it empty (one more indikator) or a new kode",
                          kode, prev_line);
                goto out;
            }
            if ((rc = csv_indikator(&w, prev, NULL, kode)) != 0)
                goto out;
            continue;
        }
        Renja__V1__Item *it = rj_submit_upsert_item(r->s, NULL, kode);
        it->nama = sdup(r->s, cell(&w, C_NAMA));
        it->bidang = sdup(r->s, cell(&w, C_BIDANG));
        it->lokasi = sdup(r->s, cell(&w, C_LOKASI));
        it->sumber_dana = sdup(r->s, cell(&w, C_SUMBER));
        it->has_pagu = has_pagu;
        it->pagu = pagu;
        for (const char **fl = item_fields; *fl; fl++)
            rj_submit_partial(r->s, *fl);
        for (const char *sp = cell(&w, C_SASARAN); *sp;) {
            while (*sp == ' ')
                sp++;
            size_t sl = strcspn(sp, " ");
            if (!sl)
                break;
            char in[RJ_KODE_MAX], g[RJ_KODE_MAX];
            rj_goal_kind gk;
            snprintf(in, sizeof(in), "%.*s", (int)(sl < sizeof(in) ? sl : sizeof(in) - 1), sp);
            if (rj_goal_parse(in, g, &gk, &kd) < 0 || gk != RJ_GOAL_SASARAN) {
                rc = cerr(r, &f[col[C_SASARAN]],
                          "kode \"%s\": sasaran \"%s\": expected sasaran kodes T<n>.S<m> "
                          "separated by blanks",
                          kode, in);
                goto out;
            }
            rj_submit_add_sasaran(r->s, it, g);
            sp += sl;
        }
        if ((rc = csv_indikator(&w, it, NULL, kode)) != 0)
            goto out;
        add_seen(r, it->kode, kf->line, kf->col, false);
        prev = it;
        prev_line = line;
    }
    if (rc < 0) {
        rj_diag pd = *r->d;
        rc = rj_diag_set(r->d, rc, "%s:%s", r->name, pd.msg);
        goto out;
    }
    if (rows == 0)
        rc = rj_diag_set(r->d, RJ_EINVAL,
                         "%s:2:1: no rows after the header: expected one row per item", r->name);
out:
    rj_csv_free(c);
    return rc;
}

int rj_input_read(rj_submit *s, const char *name, const char *text, size_t len, rj_input_format fmt,
                  rj_diag *d)
{
    if (len > RJ_INPUT_MAX_SIZE)
        return rj_diag_set(d, RJ_ETOOBIG, "%s: %zu bytes is larger than the limit of %u bytes",
                           name, len, RJ_INPUT_MAX_SIZE);
    if (memchr(text, '\0', len))
        return rj_diag_set(d, RJ_EINVAL,
                           "%s: a NUL byte at offset %zu: expected a text file (JSON or CSV)", name,
                           (size_t)((const char *)memchr(text, '\0', len) - text));
    size_t bad;
    if (!rj_utf8_valid((const uint8_t *)text, len, &bad)) {
        /* Name the place: a spreadsheet saved as Latin-1 is the usual cause. */
        int line = 1, col = 1;
        for (size_t i = 0; i < bad; i++) {
            if (text[i] == '\n')
                line++, col = 1;
            else if (((unsigned char)text[i] & 0xC0) != 0x80)
                col++;
        }
        return rj_diag_set(d, RJ_EINVAL,
                           "%s:%d:%d: byte 0x%02X is not valid UTF-8: save the file as UTF-8", name,
                           line, col, (unsigned char)text[bad]);
    }
    if (fmt == RJ_INPUT_AUTO)
        fmt = rj_input_format_of(name);
    /* A byte order mark, as spreadsheets save "CSV UTF-8". */
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3, len -= 3;
    reader r = {.s = s, .name = name, .d = d};
    size_t before = s->req.n_changes;
    int rc = fmt == RJ_INPUT_CSV ? read_csv(&r, text, len) : read_json(&r, text, len);
    if (rc == 0)
        rc = check_duplicates(&r);
    if (rc == 0 && s->req.n_changes == before)
        rc = rj_diag_set(d, RJ_EINVAL,
                         "%s: nothing to import: expected items, lines, realisasi or removals",
                         name);
    free(r.seen);
    s->cur_line = 0;
    return rc;
}

char *rj_submit_keep_str(rj_submit *s, const char *str)
{
    return sdup(s, str);
}

int rj_submit_change_line(const rj_submit *s, size_t i)
{
    return i < s->req.n_changes && s->lines ? s->lines[i] : 0;
}

/* --- import --replace --------------------------------------------------------------- */

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is anything in sorted[] equal to kode or inside its subtree? Canonical
 * kode sort in tree order, so the subtree follows kode directly. */
static bool keeps_subtree(char **sorted, size_t n, const char *kode)
{
    size_t lo = 0, hi = n, kl = strlen(kode);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(sorted[mid], kode) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strncmp(sorted[lo], kode, kl) == 0 &&
           (sorted[lo][kl] == 0 || sorted[lo][kl] == '.');
}

void rj_submit_replace(rj_submit *s, const Renja__V1__ShowResponse *head)
{
    size_t n = s->req.n_changes, ni = 0, nl = 0;
    char **items = rj_calloc(n + 1, sizeof(char *)), **lines = rj_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const Renja__V1__Change *c = s->req.changes[i];
        if (c->change_case == RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM)
            items[ni++] = c->upsert_item->kode;
        else if (c->change_case == RENJA__V1__CHANGE__CHANGE_UPSERT_LINE)
            lines[nl++] = c->upsert_line->kode;
    }
    /* The file is the whole plan: every upsert is written whole. */
    for (size_t i = 0; i < n; i++)
        s->req.changes[i]->n_fields = 0;
    qsort(items, ni, sizeof(char *), str_cmp);
    qsort(lines, nl, sizeof(char *), str_cmp);
    const char *gone = NULL; /* the last item removed with its subtree */
    for (size_t i = 0; i < head->n_items; i++) {
        const char *k = head->items[i]->kode;
        size_t gl = gone ? strlen(gone) : 0;
        if (gone && strncmp(k, gone, gl) == 0 && k[gl] == '.')
            continue;
        if (keeps_subtree(items, ni, k))
            continue;
        rj_submit_remove_item(s, k, true);
        gone = k;
    }
    /* Tujuan and sasaran the file does not name, sasaran before tujuan. */
    size_t ng = 0;
    char **goals = rj_calloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        if (s->req.changes[i]->change_case == RENJA__V1__CHANGE__CHANGE_UPSERT_GOAL)
            goals[ng++] = s->req.changes[i]->upsert_goal->kode;
    qsort(goals, ng, sizeof(char *), str_cmp);
    for (size_t i = head->n_goals; i-- > 0;) {
        const char *k = head->goals[i]->kode;
        if (!bsearch(&k, goals, ng, sizeof(char *), str_cmp))
            rj_submit_remove_goal(s, k, false);
    }
    free(goals);
    /* Budget lines: children first, so that no parent is left with a child
     * it no longer has. */
    for (size_t i = head->n_lines; i-- > 0;) {
        const char *k = head->lines[i]->kode;
        if (!keeps_subtree(lines, nl, k))
            rj_submit_remove_line(s, k);
    }
    free(items);
    free(lines);
}

/* --- set ---------------------------------------------------------------------------- */

static const char set_fields[] =
    "nama=, bidang=, lokasi=, pagu=, sumber-dana=, indikator.N.nama=, indikator.N.satuan=, "
    "indikator.N.target=, indikator.N.tren=";

int rj_set_item_field(rj_submit *s, Renja__V1__Item *item, const char *assign, rj_diag *d)
{
    const char *eq = strchr(assign, '=');
    if (!eq)
        return rj_diag_set(d, RJ_EINVAL, "\"%s\": expected FIELD=VALUE with FIELD one of %s",
                           assign, set_fields);
    size_t fl = (size_t)(eq - assign);
    const char *v = eq + 1;
    rj_diag nd;
#define IS(name) (fl == strlen(name) && strncmp(assign, name, fl) == 0)
    if (IS("nama"))
        item->nama = sdup(s, v);
    else if (IS("bidang"))
        item->bidang = sdup(s, v);
    else if (IS("lokasi"))
        item->lokasi = sdup(s, v);
    else if (IS("sumber-dana") || IS("sumber_dana"))
        item->sumber_dana = sdup(s, v);
    else if (IS("pagu")) {
        bool present;
        int64_t p;
        if (rj_money_parse(v, &p, &present, &nd) < 0)
            return rj_diag_set(d, RJ_EINVAL, "pagu: %s", nd.msg);
        item->has_pagu = present;
        item->pagu = present ? p : 0;
    } else if (fl > 10 && strncmp(assign, "indikator.", 10) == 0) {
        char *end;
        long no = strtol(assign + 10, &end, 10);
        if (end == assign + 10 || *end != '.' || no < 1 || no > 99)
            return rj_diag_set(d, RJ_EINVAL, "\"%.*s\": expected indikator.N.FIELD with N from 1",
                               (int)fl, assign);
        const char *sub = end + 1;
        size_t sl = (size_t)(eq - sub);
        while (item->n_indikator < (size_t)no)
            add_indikator(s, item);
        Renja__V1__Indikator *k = item->indikator[no - 1];
        if (sl == 4 && strncmp(sub, "nama", 4) == 0)
            k->nama = sdup(s, v);
        else if (sl == 6 && strncmp(sub, "satuan", 6) == 0)
            k->satuan = sdup(s, v);
        else if (sl == 6 && strncmp(sub, "target", 6) == 0) {
            /* Text that is not a number is kept as the target text only;
             * a number whose reading would be a guess is refused. */
            if (rj_dec_ambiguous(v)) {
                rj_dec_parse(v, &k->target_e4, &nd);
                return rj_diag_set(d, RJ_EINVAL, "indikator.%ld.target: %s", no, nd.msg);
            }
            k->has_target = *v && rj_dec_parse(v, &k->target_e4, &nd) == 0;
            if (!k->has_target)
                k->target_e4 = 0;
            k->target_text = sdup(s, v);
        } else if (sl == 4 && strncmp(sub, "tren", 4) == 0) {
            if (strcmp(v, "positif") == 0)
                k->tren = RENJA__V1__TREN__TREN_POSITIF;
            else if (strcmp(v, "negatif") == 0)
                k->tren = RENJA__V1__TREN__TREN_NEGATIF;
            else
                return rj_diag_set(d, RJ_EINVAL, "tren \"%s\": expected positif or negatif", v);
        } else
            return rj_diag_set(d, RJ_EINVAL, "unknown field \"%.*s\": known fields are %s", (int)fl,
                               assign, set_fields);
    } else
        return rj_diag_set(d, RJ_EINVAL, "unknown field \"%.*s\": known fields are %s", (int)fl,
                           assign, set_fields);
#undef IS
    return 0;
}

void rj_set_partial(rj_submit *s, const char *const *assigns, size_t n)
{
    rj_submit_partial(s, "kode");
    for (size_t i = 0; i < n; i++) {
        const char *a = assigns[i], *eq = strchr(a, '=');
        size_t fl = eq ? (size_t)(eq - a) : strlen(a);
        char name[64];
        if (fl > 10 && strncmp(a, "indikator.", 10) == 0) {
            const char *sub = a + 10 + strspn(a + 10, "0123456789");
            snprintf(name, sizeof(name), "indikator%.*s", (int)(a + fl - sub), sub);
        } else
            snprintf(name, sizeof(name), "%.*s", (int)fl, a);
        if (strcmp(name, "sumber-dana") == 0)
            snprintf(name, sizeof(name), "sumber_dana");
        rj_submit_partial(s, name);
    }
}

int rj_set_line_field(rj_submit *s, Renja__V1__BudgetLine *line, const char *assign, rj_diag *d)
{
    const char *eq = strchr(assign, '=');
    size_t fl = eq ? (size_t)(eq - assign) : 0;
    if (eq && fl == 4 && strncmp(assign, "nama", 4) == 0) {
        line->nama = sdup(s, eq + 1);
        return 0;
    }
    if (eq && fl == 4 && strncmp(assign, "pagu", 4) == 0) {
        rj_diag nd;
        bool present;
        int64_t p;
        if (rj_money_parse(eq + 1, &p, &present, &nd) < 0)
            return rj_diag_set(d, RJ_EINVAL, "pagu: %s", nd.msg);
        line->has_pagu = present;
        line->pagu = present ? p : 0;
        return 0;
    }
    return rj_diag_set(d, RJ_EINVAL,
                       "unknown field \"%.*s\" for a rekening: known fields are nama=, pagu=",
                       (int)(eq ? fl : strlen(assign)), assign);
}
