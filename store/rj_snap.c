/* The reads of rj_snap_*: plans, stages, revisions and the log, as-of
 * values and listings, events, changed keys. */
#include "rj_lmdb.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "rj_ident.h"
#include "rj_kode.h"
#include "rj_pbscan.h"

void rj_msgs_free(void **msgs, size_t n)
{
    if (!msgs)
        return;
    for (size_t i = 0; i < n; i++)
        if (msgs[i])
            protobuf_c_message_free_unpacked(msgs[i], NULL);
    free(msgs);
}

void rj_strs_free(char **strs, size_t n)
{
    if (!strs)
        return;
    for (size_t i = 0; i < n; i++)
        free(strs[i]);
    free(strs);
}

/* A read that failed: what, of which plan, and why. */
static int read_failed(rj_diag *d, int err, const char *what, const char *plan)
{
    return rj_diag_set(d, err, "store: %s of plan %s failed: %s", what, plan ? plan : "",
                       rj_strerror(err));
}

int rj_snap_begin(rj_store *s, rj_snap **out, rj_diag *d)
{
    MDB_txn *txn;
    *out = NULL;
    int rc = lm_read_begin(s, &txn);
    if (rc)
        return lm_fail(d, rc, "begin read");
    rj_snap *snap = rj_calloc(1, sizeof(*snap));
    snap->s = s;
    snap->txn = txn;
    *out = snap;
    return 0;
}

void rj_snap_end(rj_snap *snap)
{
    if (!snap)
        return;
    lm_read_end(snap->s, snap->txn);
    free(snap->head_plan);
    free(snap);
}

int rj_snap_plan(rj_snap *snap, const char *plan, Renja__V1__Plan **out, rj_diag *d)
{
    *out = NULL;
    return lm_plan_get(snap->s, snap->txn, plan, out, d);
}

int rj_snap_plans(rj_snap *snap, Renja__V1__Plan ***out, size_t *n, rj_diag *d)
{
    *out = NULL;
    *n = 0;
    rj_ptrs list = {0};
    int err = lm_list(snap->txn, snap->s->plans, NULL, 0, &renja__v1__plan__descriptor, 0, &list,
                      "list plans", d);
    if (err) {
        rj_msgs_free(list.v, list.n);
        return err;
    }
    *out = (Renja__V1__Plan **)list.v;
    *n = list.n;
    return 0;
}

static bool pinned(const rj_snap *snap, const char *plan)
{
    return snap->pin_plan && strcmp(snap->pin_plan, plan) == 0;
}

static int plan_head(rj_snap *snap, const char *plan, uint64_t *head, rj_diag *d)
{
    uint64_t h = snap->head;
    if (!snap->head_plan || strcmp(snap->head_plan, plan) != 0) {
        int err = lm_plan_head(snap->s, snap->txn, plan, &h, d);
        if (err)
            return err;
        free(snap->head_plan);
        snap->head_plan = rj_strdup(plan);
        snap->head = h;
    }
    *head = pinned(snap, plan) && snap->pin_head < h ? snap->pin_head : h;
    return 0;
}

int rj_snap_pin(rj_snap *snap, const char *plan, uint64_t head, char *const *stages, size_t n,
                rj_diag *d)
{
    uint64_t now;
    snap->pin_plan = NULL;
    int err = plan_head(snap, plan, &now, d);
    if (err)
        return err;
    if (head > now)
        return rj_diag_set(d, RJ_EINVAL,
                           "pin.head %" PRIu64 " is beyond the head %" PRIu64
                           " of plan %s: the pin is not from this plan's history; ask again "
                           "from the first page, without a pin",
                           head, now, plan);
    snap->pin_plan = plan;
    snap->pin_head = head;
    snap->pin_stages = stages;
    snap->n_pin_stages = n;
    return 0;
}

static bool stage_pinned(const rj_snap *snap, const char *name)
{
    for (size_t i = 0; i < snap->n_pin_stages; i++)
        if (strcmp(snap->pin_stages[i], name) == 0)
            return true;
    return false;
}

int rj_snap_resolve(rj_snap *snap, const char *plan, const char *ref, uint64_t *rev, rj_diag *d)
{
    uint64_t head;
    int err = plan_head(snap, plan, &head, d);
    if (err)
        return err;
    if (!ref || !*ref || strcmp(ref, "head") == 0) {
        *rev = head;
        return 0;
    }
    if (rj_is_decimal(ref)) {
        errno = 0;
        unsigned long long v = strtoull(ref, NULL, 10);
        if (errno || v > head)
            return rj_diag_set(d, RJ_ENOTFOUND,
                               "revision %s not found in plan %s; head is %" PRIu64, ref, plan,
                               head);
        *rev = v;
        return 0;
    }
    if (strlen(ref) <= RJ_STAGE_NAME_MAX && (!pinned(snap, plan) || stage_pinned(snap, ref))) {
        kbuf k;
        lm_stage_key(&k, plan, ref);
        MDB_val kv = kb_val(&k), dv;
        int rc = mdb_get(snap->txn, snap->s->stages, &kv, &dv);
        if (rc == 0) {
            Renja__V1__Stage *st = lm_unpack(&renja__v1__stage__descriptor, dv.mv_data, dv.mv_size);
            if (!st)
                return rj_diag_set(d, RJ_EINTERNAL, "stage %s does not decode", ref);
            *rev = st->rev;
            protobuf_c_message_free_unpacked(&st->base, NULL);
            return 0;
        }
        if (rc != MDB_NOTFOUND)
            return lm_fail(d, rc, "read stage");
    }
    return rj_diag_set(d, RJ_ENOTFOUND,
                       "no stage or revision '%s' in plan %s; expected 'head', a revision "
                       "number up to %" PRIu64 ", or a stage name (see `renja stage list %s`)",
                       ref, plan, head, plan);
}

int rj_snap_stages(rj_snap *snap, const char *plan, Renja__V1__Stage ***out, size_t *n, rj_diag *d)
{
    *out = NULL;
    *n = 0;
    if (!plan || strlen(plan) > RJ_PLAN_ID_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "plan not found");
    rj_ptrs list = {0};
    int err = lm_stages_list(snap->s, snap->txn, plan, &list, d);
    if (err) {
        rj_msgs_free(list.v, list.n);
        return err;
    }
    if (pinned(snap, plan)) { /* stages set since the pin are not there yet */
        size_t w = 0;
        for (size_t i = 0; i < list.n; i++) {
            Renja__V1__Stage *st = list.v[i];
            if (stage_pinned(snap, st->name))
                list.v[w++] = st;
            else
                protobuf_c_message_free_unpacked(&st->base, NULL);
        }
        list.n = w;
    }
    if (list.n)
        qsort(list.v, list.n, sizeof(void *), lm_stage_cmp);
    *out = (Renja__V1__Stage **)list.v;
    *n = list.n;
    return 0;
}

int rj_snap_revision(rj_snap *snap, const char *plan, uint64_t rev, Renja__V1__Revision **out,
                     rj_diag *d)
{
    *out = NULL;
    if (!plan || strlen(plan) > RJ_PLAN_ID_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "plan not found");
    kbuf k;
    kb_plan(&k, plan);
    kb_u64(&k, rev);
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_get(snap->txn, snap->s->revs, &kv, &dv);
    if (rc == MDB_NOTFOUND)
        return rj_diag_set(d, RJ_ENOTFOUND, "revision %" PRIu64 " not found in plan %s", rev, plan);
    if (rc)
        return lm_fail(d, rc, "read revision");
    *out = lm_unpack(&renja__v1__revision__descriptor, dv.mv_data, dv.mv_size);
    return *out ? 0 : rj_diag_set(d, RJ_EINTERNAL, "revision %" PRIu64 " does not decode", rev);
}

static bool rev_matches(const Renja__V1__Revision *rv, const char *key, bool subtree)
{
    bool item = strncmp(key, "item/", 5) == 0;
    for (size_t i = 0; i < rv->n_keys; i++) {
        if (strcmp(rv->keys[i], key) == 0)
            return true;
        if (subtree && item && strncmp(rv->keys[i], "item/", 5) == 0 &&
            rj_kode_in_subtree(rv->keys[i] + 5, key + 5))
            return true;
    }
    return false;
}

int rj_snap_log_page(rj_snap *snap, const char *plan, const char *key, bool subtree, uint64_t limit,
                     uint64_t before, size_t max_bytes, Renja__V1__Revision ***out, size_t *n,
                     bool *more, rj_diag *d)
{
    *out = NULL;
    *n = 0;
    *more = false;
    uint64_t head;
    int err = plan_head(snap, plan, &head, d);
    if (err)
        return err;
    if (before && before - 1 < head)
        head = before - 1;
    rj_ptrs list = {0};
    MDB_cursor *c;
    int rc = mdb_cursor_open(snap->txn, snap->s->revs, &c);
    if (rc)
        return lm_fail(d, rc, "read log");
    kbuf k;
    kb_plan(&k, plan);
    size_t plen = k.n;
    kb_u64(&k, head);
    MDB_val kv = kb_val(&k), dv;
    size_t bytes = 0;
    rc = head ? mdb_cursor_get(c, &kv, &dv, MDB_SET_KEY) : MDB_NOTFOUND;
    while (rc == 0 && kv.mv_size == plen + 8 && memcmp(kv.mv_data, k.b, plen) == 0) {
        Renja__V1__Revision *rv =
            lm_unpack(&renja__v1__revision__descriptor, dv.mv_data, dv.mv_size);
        if (rv && (!key || rev_matches(rv, key, subtree))) {
            if (max_bytes && list.n > 0 && bytes + dv.mv_size > max_bytes) {
                protobuf_c_message_free_unpacked(&rv->base, NULL);
                *more = true;
                break;
            }
            bytes += dv.mv_size;
            rj_ptrs_add(&list, rv);
            if (limit && list.n >= limit)
                break;
        } else if (rv) {
            protobuf_c_message_free_unpacked(&rv->base, NULL);
        }
        rc = mdb_cursor_get(c, &kv, &dv, MDB_PREV);
    }
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND) {
        rj_msgs_free(list.v, list.n);
        return lm_fail(d, rc, "read log");
    }
    *out = (Renja__V1__Revision **)list.v;
    *n = list.n;
    return 0;
}

int rj_snap_log(rj_snap *snap, const char *plan, const char *key, bool subtree, uint64_t limit,
                Renja__V1__Revision ***out, size_t *n, rj_diag *d)
{
    bool more;
    return rj_snap_log_page(snap, plan, key, subtree, limit, 0, 0, out, n, &more, d);
}

static int get_one(rj_snap *snap, const char *plan, const char *key, uint64_t rev,
                   const ProtobufCMessageDescriptor *desc, void **out, rj_diag *d)
{
    *out = NULL;
    if (!plan || strlen(plan) > RJ_PLAN_ID_MAX || strlen(key) > RJ_FIELD_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "%.40s not found", key);
    MDB_val v;
    int r = lm_val_at(snap->txn, snap->s->vals, plan, key, rev, &v, NULL);
    if (r < 0)
        return read_failed(d, r, key, plan);
    if (r != VAL_LIVE)
        return rj_diag_set(d, RJ_ENOTFOUND, "%s not found at revision %" PRIu64 " of plan %s", key,
                           rev, plan);
    *out = lm_unpack(desc, v.mv_data, v.mv_size);
    return *out ? 0
                : rj_diag_set(d, RJ_EINTERNAL,
                              "%s at revision %" PRIu64 " of plan %s does not decode", key, rev,
                              plan);
}

int rj_snap_key_known(rj_snap *snap, const char *plan, const char *key, bool *known, rj_diag *d)
{
    *known = false;
    if (!plan || strlen(plan) > RJ_PLAN_ID_MAX || strlen(key) > RJ_FIELD_MAX)
        return 0;
    /* The newest version of any revision: live or a tombstone, it existed. */
    int r = lm_val_at(snap->txn, snap->s->vals, plan, key, UINT64_MAX, NULL, NULL);
    if (r < 0)
        return read_failed(d, r, key, plan);
    *known = r != VAL_NONE;
    return 0;
}

int rj_snap_item(rj_snap *snap, const char *plan, const char *kode, uint64_t rev,
                 Renja__V1__Item **out, rj_diag *d)
{
    char key[RJ_VKEY_MAX];
    if (strlen(kode) >= RJ_KODE_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "item %.24s... not found", kode);
    snprintf(key, sizeof(key), "item/%s", kode);
    return get_one(snap, plan, key, rev, &renja__v1__item__descriptor, (void **)out, d);
}

int rj_snap_rollup(rj_snap *snap, const char *plan, const char *kode, uint64_t rev, rj_rollup *out,
                   rj_diag *d)
{
    memset(out, 0, sizeof *out);
    if (!plan || strlen(plan) > RJ_PLAN_ID_MAX || strlen(kode) >= RJ_KODE_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "no roll-up of %.24s", kode);
    lm_roll r;
    int v = *kode ? lm_roll_at(snap->s, snap->txn, plan, kode, rev, &r)
                  : lm_roll_plan(snap->s, snap->txn, plan, rev, &r);
    if (v == RJ_EOVERFLOW)
        return rj_diag_set(d, v, "the total of plan %s at revision %" PRIu64 " leaves int64", plan,
                           rev);
    if (v < 0)
        return read_failed(d, v, "roll-up", plan);
    if (!*kode && v != VAL_LIVE)
        return rj_diag_set(d, RJ_ENOTFOUND, "plan %s keeps no roll-ups at revision %" PRIu64, plan,
                           rev);
    *out = (rj_rollup){r.n_children, r.child_sum};
    return 0;
}

int rj_snap_groups(rj_snap *snap, const char *plan, const char *by, uint64_t rev,
                   rj_group_sum **out, size_t *n, rj_diag *d)
{
    *out = NULL;
    *n = 0;
    char kind = by && strcmp(by, "bidang") == 0        ? 'b'
                : by && strcmp(by, "sumber-dana") == 0 ? 's'
                                                       : 0;
    if (!kind || !plan || strlen(plan) > RJ_PLAN_ID_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "no group sums by %.24s", by ? by : "");
    int err = lm_groups_at(snap->s, snap->txn, plan, kind, rev, out, n);
    if (err == RJ_ENOTFOUND)
        return rj_diag_set(d, err, "plan %s keeps no group sums at revision %" PRIu64, plan, rev);
    return err ? read_failed(d, err, "group sums", plan) : 0;
}

int rj_snap_line(rj_snap *snap, const char *plan, const char *kode, uint64_t rev,
                 Renja__V1__BudgetLine **out, rj_diag *d)
{
    char key[RJ_VKEY_MAX];
    if (strlen(kode) >= RJ_KODE_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "budget line %.24s... not found", kode);
    snprintf(key, sizeof(key), "line/%s", kode);
    int err = get_one(snap, plan, key, rev, &renja__v1__budget_line__descriptor, (void **)out, d);
    if (err == 0)
        (*out)->depth = rj_rekening_depth((*out)->kode);
    return err;
}

int rj_snap_real(rj_snap *snap, const char *plan, const char *kode, int tw, int indikator,
                 uint64_t rev, Renja__V1__Realisasi **out, rj_diag *d)
{
    char key[RJ_VKEY_MAX];
    if (strlen(kode) >= RJ_KODE_MAX)
        return rj_diag_set(d, RJ_ENOTFOUND, "realisasi of %.24s... not found", kode);
    snprintf(key, sizeof(key), "real/%s/%d/%d", kode, tw, indikator);
    return get_one(snap, plan, key, rev, &renja__v1__realisasi__descriptor, (void **)out, d);
}

typedef struct list_walk {
    const char *prefix;
    const ProtobufCMessageDescriptor *desc;
    int kind;
    rj_ptrs out;
    rj_snap *snap;
} list_walk;

static int list_walk_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    list_walk *w = arg;
    const char *kode = strchr(key, '/') + 1;
    char k[RJ_KODE_MAX];
    if (w->kind == K_REAL) {
        const char *slash = strchr(kode, '/');
        size_t n = slash ? (size_t)(slash - kode) : 0;
        if (n == 0 || n >= sizeof(k))
            return 0;
        memcpy(k, kode, n);
        k[n] = '\0';
        kode = k;
    }
    if (!rj_kode_in_subtree(kode, w->prefix))
        return 0;
    if (w->snap->limited && w->snap->budget-- == 0) {
        w->snap->over = true;
        w->snap->budget = 0;
        return 1;
    }
    void *m = lm_unpack(w->desc, val->mv_data, val->mv_size);
    if (!m)
        return RJ_EINTERNAL;
    if (w->kind == K_LINE) {
        Renja__V1__BudgetLine *ln = m;
        ln->depth = rj_rekening_depth(ln->kode);
    }
    rj_ptrs_add(&w->out, m);
    return 0;
}

static int real_cmp(const void *a, const void *b)
{
    const Renja__V1__Realisasi *x = *(Renja__V1__Realisasi *const *)a;
    const Renja__V1__Realisasi *y = *(Renja__V1__Realisasi *const *)b;
    int c = strcmp(x->kode, y->kode);
    if (c)
        return c;
    if (x->tw != y->tw)
        return x->tw < y->tw ? -1 : 1;
    return x->indikator < y->indikator ? -1 : x->indikator > y->indikator;
}

/* A program-tree kode ("2.17...": a 2-digit second segment) is the prefix
 * of no rekening (a 1-digit one): nothing to walk for it. */
static bool tree_prefix(const char *p)
{
    return p[0] && p[1] == '.' && isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]);
}

static int list_values(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev, int kind,
                       void ***out, size_t *n, rj_diag *d)
{
    static const char *const kinds[] = {"item/", "line/", "real/", "goal/"};
    static const ProtobufCMessageDescriptor *const descs[] = {
        &renja__v1__item__descriptor, &renja__v1__budget_line__descriptor,
        &renja__v1__realisasi__descriptor, &renja__v1__goal__descriptor};
    *out = NULL;
    *n = 0;
    if (!prefix)
        prefix = "";
    uint64_t head;
    int err = plan_head(snap, plan, &head, d);
    if (err)
        return err;
    size_t pl = strlen(prefix);
    if (pl >= RJ_KODE_MAX || (kind == K_LINE && tree_prefix(prefix)))
        return 0;
    /* kinds[kind] and prefix (a Show's every read: no snprintf) */
    char kp[RJ_VKEY_MAX];
    _Static_assert(5 + RJ_KODE_MAX <= RJ_VKEY_MAX, "a value key holds its kind and a kode");
    memcpy(kp, kinds[kind], 5);
    memcpy(kp + 5, prefix, pl + 1);
    list_walk w = {.prefix = prefix, .desc = descs[kind], .kind = kind, .snap = snap};
    err = lm_walk(snap->txn, snap->s->vals, plan, kp, rev, list_walk_cb, &w);
    if (err) {
        rj_msgs_free(w.out.v, w.out.n);
        return read_failed(d, err, kinds[kind], plan);
    }
    /* Items and lines come in key order, which is tree order; realisasi
     * keys ("real/<kode>/<tw>/<ind>") are not, so they are sorted. */
    if (kind == K_REAL && w.out.n)
        qsort(w.out.v, w.out.n, sizeof(void *), real_cmp);
    *out = w.out.v;
    *n = w.out.n;
    return 0;
}

void rj_snap_budget(rj_snap *snap, size_t values)
{
    snap->limited = true;
    snap->budget = values;
    snap->over = false;
}

bool rj_snap_over(const rj_snap *snap)
{
    return snap->over;
}

int rj_snap_items(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Item ***out, size_t *n, rj_diag *d)
{
    return list_values(snap, plan, prefix, rev, K_ITEM, (void ***)out, n, d);
}

int rj_snap_lines(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__BudgetLine ***out, size_t *n, rj_diag *d)
{
    return list_values(snap, plan, prefix, rev, K_LINE, (void ***)out, n, d);
}

int rj_snap_reals(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Realisasi ***out, size_t *n, rj_diag *d)
{
    return list_values(snap, plan, prefix, rev, K_REAL, (void ***)out, n, d);
}

int rj_snap_goals(rj_snap *snap, const char *plan, const char *prefix, uint64_t rev,
                  Renja__V1__Goal ***out, size_t *n, rj_diag *d)
{
    return list_values(snap, plan, prefix, rev, K_GOAL, (void ***)out, n, d);
}

/* --- whole-plan reads into an arena ----------------------------------------- */

typedef struct arena_walk {
    const ProtobufCMessageDescriptor *desc;
    uint64_t fields;
    bool line;
    rj_arena *a;
    rj_ptrs out;
    rj_snap *snap;
} arena_walk;

static int arena_walk_cb(const char *key, MDB_val *val, uint64_t vrev, void *arg)
{
    (void)key;
    (void)vrev;
    arena_walk *w = arg;
    if (w->snap->limited && w->snap->budget-- == 0) {
        w->snap->over = true;
        w->snap->budget = 0;
        return 1;
    }
    ProtobufCMessage *m = rj_arena_alloc(w->a, w->desc->sizeof_message);
    int err = rj_pbscan_decode(w->desc, val->mv_data, val->mv_size, w->fields, w->a, m);
    if (err)
        return err;
    if (w->line) {
        Renja__V1__BudgetLine *ln = (Renja__V1__BudgetLine *)m;
        ln->depth = rj_rekening_depth(ln->kode);
    }
    rj_ptrs_add(&w->out, m);
    return 0;
}

static int arena_values(rj_snap *snap, const char *plan, uint64_t rev, int kind, uint64_t fields,
                        rj_arena *a, void ***out, size_t *n, rj_diag *d)
{
    static const char *const kinds[] = {"item/", "line/", "real/", "goal/"};
    static const ProtobufCMessageDescriptor *const descs[] = {
        &renja__v1__item__descriptor, &renja__v1__budget_line__descriptor,
        &renja__v1__realisasi__descriptor, &renja__v1__goal__descriptor};
    *out = NULL;
    *n = 0;
    uint64_t head;
    int err = plan_head(snap, plan, &head, d);
    if (err)
        return err;
    arena_walk w = {
        .desc = descs[kind], .fields = fields, .line = kind == K_LINE, .a = a, .snap = snap};
    err = lm_walk_read(snap->txn, snap->s->vals, plan, kinds[kind], rev, arena_walk_cb, &w);
    if (err) {
        free(w.out.v);
        return read_failed(d, err, kinds[kind], plan);
    }
    if (w.out.n) {
        *out = rj_arena_alloc(a, w.out.n * sizeof(void *));
        memcpy(*out, w.out.v, w.out.n * sizeof(void *));
    }
    *n = w.out.n;
    free(w.out.v);
    return 0;
}

/* The field numbers of Renja__V1__Item a view fills. */
static uint64_t item_fields(rj_item_view view)
{
    switch (view) {
    case RJ_ITEM_TREE:
        return RJ_PB_FIELD(1) | RJ_PB_FIELD(3) | RJ_PB_FIELD(7) | RJ_PB_FIELD(8);
    case RJ_ITEM_EVAL:
        return UINT64_MAX & ~(RJ_PB_FIELD(9) | RJ_PB_FIELD(10) | RJ_PB_FIELD(11));
    default:
        return UINT64_MAX;
    }
}

typedef struct revs_walk {
    arena_walk w;
    size_t nrev;
    rj_ptrs *out; /* one list per revision */
    ProtobufCMessage **msg;
} revs_walk;

static int revs_walk_cb(const char *key, const MDB_val *vals, const uint64_t *vrevs, void *arg)
{
    (void)key;
    revs_walk *rw = arg;
    for (size_t i = 0; i < rw->nrev; i++) {
        rw->msg[i] = NULL;
        if (!vals[i].mv_data)
            continue;
        for (size_t j = 0; j < i && !rw->msg[i]; j++)
            if (rw->msg[j] && vrevs[j] == vrevs[i])
                rw->msg[i] = rw->msg[j]; /* the same version: decoded once */
        if (!rw->msg[i]) {
            MDB_val v = vals[i];
            size_t before = rw->w.out.n;
            int err = arena_walk_cb(key, &v, vrevs[i], &rw->w);
            if (err)
                return err;
            rw->msg[i] = rw->w.out.v[before];
            rw->w.out.n = before;
        }
        rj_ptrs_add(&rw->out[i], rw->msg[i]);
    }
    return 0;
}

static int arena_values_revs(rj_snap *snap, const char *plan, const uint64_t *revs, size_t nrev,
                             int kind, uint64_t fields, rj_arena *a, void ***out, size_t *n,
                             rj_diag *d)
{
    static const char *const kinds[] = {"item/", "line/"};
    static const ProtobufCMessageDescriptor *const descs[] = {&renja__v1__item__descriptor,
                                                              &renja__v1__budget_line__descriptor};
    for (size_t i = 0; i < nrev; i++) {
        out[i] = NULL;
        n[i] = 0;
    }
    uint64_t head;
    int err = plan_head(snap, plan, &head, d);
    if (err)
        return err;
    revs_walk rw = {
        .w = {.desc = descs[kind], .fields = fields, .line = kind == K_LINE, .a = a, .snap = snap},
        .nrev = nrev,
        .out = rj_calloc(nrev, sizeof(rj_ptrs)),
        .msg = rj_calloc(nrev, sizeof(ProtobufCMessage *))};
    err = lm_walk_revs(snap->txn, snap->s->vals, plan, kinds[kind], revs, nrev, revs_walk_cb, &rw);
    for (size_t i = 0; i < nrev; i++) {
        if (!err && rw.out[i].n) {
            out[i] = rj_arena_alloc(a, rw.out[i].n * sizeof(void *));
            memcpy(out[i], rw.out[i].v, rw.out[i].n * sizeof(void *));
            n[i] = rw.out[i].n;
        }
        free(rw.out[i].v);
    }
    free(rw.out);
    free(rw.msg);
    free(rw.w.out.v);
    return err ? read_failed(d, err, kinds[kind], plan) : 0;
}

int rj_snap_items_revs(rj_snap *snap, const char *plan, const uint64_t *revs, size_t nrev,
                       rj_item_view view, rj_arena *a, Renja__V1__Item ***out, size_t *n,
                       rj_diag *d)
{
    return arena_values_revs(snap, plan, revs, nrev, K_ITEM, item_fields(view), a, (void ***)out, n,
                             d);
}

int rj_snap_lines_revs(rj_snap *snap, const char *plan, const uint64_t *revs, size_t nrev,
                       rj_arena *a, Renja__V1__BudgetLine ***out, size_t *n, rj_diag *d)
{
    return arena_values_revs(snap, plan, revs, nrev, K_LINE, UINT64_MAX, a, (void ***)out, n, d);
}

int rj_snap_items_arena(rj_snap *snap, const char *plan, uint64_t rev, rj_item_view view,
                        rj_arena *a, Renja__V1__Item ***out, size_t *n, rj_diag *d)
{
    return arena_values(snap, plan, rev, K_ITEM, item_fields(view), a, (void ***)out, n, d);
}

int rj_snap_reals_arena(rj_snap *snap, const char *plan, uint64_t rev, rj_arena *a,
                        Renja__V1__Realisasi ***out, size_t *n, rj_diag *d)
{
    return arena_values(snap, plan, rev, K_REAL, UINT64_MAX, a, (void ***)out, n, d);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rj_snap_changed_keys(rj_snap *snap, const char *plan, uint64_t from, uint64_t to, char ***keys,
                         size_t *n, rj_diag *d)
{
    *keys = NULL;
    *n = 0;
    uint64_t head;
    int err = plan_head(snap, plan, &head, d);
    if (err)
        return err;
    if (to > head)
        to = head;
    if (from >= to)
        return 0;
    rj_ptrs list = {0};
    MDB_cursor *c;
    int rc = mdb_cursor_open(snap->txn, snap->s->revs, &c);
    if (rc)
        return lm_fail(d, rc, "read changed keys");
    kbuf k;
    kb_plan(&k, plan);
    size_t plen = k.n;
    kb_u64(&k, from + 1);
    MDB_val kv = kb_val(&k), dv;
    rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
    while (rc == 0 && kv.mv_size == plen + 8 && memcmp(kv.mv_data, k.b, plen) == 0 &&
           get_u64((const unsigned char *)kv.mv_data + plen) <= to) {
        Renja__V1__Revision *rv =
            lm_unpack(&renja__v1__revision__descriptor, dv.mv_data, dv.mv_size);
        if (!rv) {
            err = RJ_EINTERNAL;
            break;
        }
        for (size_t i = 0; i < rv->n_keys; i++)
            rj_ptrs_add(&list, rj_strdup(rv->keys[i]));
        protobuf_c_message_free_unpacked(&rv->base, NULL);
        rc = mdb_cursor_get(c, &kv, &dv, MDB_NEXT);
    }
    mdb_cursor_close(c);
    if (!err && rc && rc != MDB_NOTFOUND)
        err = RJ_EIO;
    if (err) {
        rj_strs_free((char **)list.v, list.n);
        return read_failed(d, err, "changed keys", plan);
    }
    if (list.n == 0)
        return 0;
    qsort(list.v, list.n, sizeof(char *), str_cmp);
    size_t u = 0;
    for (size_t i = 0; i < list.n; i++) {
        if (u && strcmp(list.v[u - 1], list.v[i]) == 0)
            free(list.v[i]);
        else
            list.v[u++] = list.v[i];
    }
    *keys = (char **)list.v;
    *n = u;
    return 0;
}

/* Events: key plan NUL ~seq, so a plan's newest event comes first. */
int rj_snap_events(rj_snap *snap, const char *plan, uint64_t limit, Renja__V1__PlanEvent ***out,
                   size_t *n, rj_diag *d)
{
    *out = NULL;
    *n = 0;
    kbuf k;
    kb_plan(&k, plan);
    rj_ptrs list = {0};
    int err = lm_list(snap->txn, snap->s->events, k.b, k.n, &renja__v1__plan_event__descriptor,
                      limit, &list, "read events", d);
    if (err) {
        rj_msgs_free(list.v, list.n);
        return err;
    }
    *out = (Renja__V1__PlanEvent **)list.v;
    *n = list.n;
    return 0;
}
