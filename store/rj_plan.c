/* The ops on plans: create, lock and unlock, set a stage, and the events
 * they leave in the plan's audit. */
#include "rj_lmdb.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "rj_ident.h"

static void fmt_time(int64_t ms, char out[40])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 40, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static int need_planner(rj_op *op, const char *what)
{
    if (!op->who)
        return rj_diag_set(&op->diag, RJ_EPERM, "%s needs an identity", what);
    if (op->who->role != RENJA__V1__ROLE__ROLE_PLANNER &&
        op->who->role != RENJA__V1__ROLE__ROLE_ADMIN)
        return rj_diag_set(&op->diag, RJ_EPERM, "%s needs role planner or admin; %s has role %s",
                           what, op->who->name, rj_role_name(op->who->role));
    return 0;
}

int lm_op_create_plan(rj_store *s, MDB_txn *txn, rj_op *op)
{
    int err;
    if ((err = need_planner(op, "creating a plan")) != 0)
        return err;
    if ((err = rj_plan_id_check(op->plan, &op->diag)) != 0)
        return err;
    Renja__V1__Plan p = RENJA__V1__PLAN__INIT;
    p.id = (char *)op->plan;
    p.nama = (char *)(op->nama ? op->nama : "");
    p.created_unix_ms = op->now_ms;
    if ((err = lm_plan_put(s, txn, &p, MDB_NOOVERWRITE, &op->diag)) != 0)
        return err;
    if ((err = lm_rollup_create(s, txn, op->plan, &op->diag)) != 0 ||
        (err = lm_groups_create(s, txn, op->plan, &op->diag)) != 0)
        return err;
    op->plan_out = lm_plan_copy(&p);
    return 0;
}

/* Events: key plan NUL ~seq, so a plan's newest event comes first. */
static int event_add(rj_store *s, MDB_txn *txn, rj_op *op, const char *action, const char *detail,
                     uint64_t head)
{
    kbuf k;
    kb_plan(&k, op->plan);
    size_t pre = k.n;
    uint64_t seq = 1;
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->events, &c);
    if (rc)
        return lm_fail(&op->diag, rc, "read events");
    MDB_val kv = kb_val(&k), dv;
    rc = mdb_cursor_get(c, &kv, &dv, MDB_SET_RANGE);
    if (rc == 0 && kv.mv_size == pre + 8 && memcmp(kv.mv_data, k.b, pre) == 0)
        seq = ~get_u64((const unsigned char *)kv.mv_data + pre) + 1;
    mdb_cursor_close(c);
    kb_u64(&k, ~seq);
    Renja__V1__PlanEvent ev = RENJA__V1__PLAN_EVENT__INIT;
    ev.action = (char *)action;
    ev.detail = (char *)(detail ? detail : "");
    ev.name = (char *)(op->who && op->who->name ? op->who->name : "");
    ev.role = op->who ? op->who->role : RENJA__V1__ROLE__ROLE_UNSPECIFIED;
    ev.bidang = (char *)(op->who && op->who->bidang ? op->who->bidang : "");
    ev.client = (char *)(op->client ? op->client : "");
    ev.time_unix_ms = op->now_ms;
    ev.head = head;
    size_t len;
    void *buf = lm_pack(&ev.base, &len);
    kv = kb_val(&k);
    dv = (MDB_val){.mv_size = len, .mv_data = buf};
    rc = lm_put(s, txn, s->events, &kv, &dv, MDB_NOOVERWRITE);
    free(buf);
    return rc ? lm_fail(&op->diag, rc, "write event") : 0;
}

int lm_locked_error(const Renja__V1__Plan *p, rj_diag *d)
{
    char t[40];
    fmt_time(p->locked_unix_ms, t);
    /* The reason is cut short so that a long one leaves the advice in. */
    return rj_diag_set(d, RJ_ELOCKED,
                       "plan %s is locked by %s since %s%s%.200s; a planner can unlock it", p->id,
                       p->locked_by, t, p->lock_reason[0] ? ": " : "", p->lock_reason);
}

int lm_op_lock_plan(rj_store *s, MDB_txn *txn, rj_op *op, bool lock)
{
    int err;
    if ((err = need_planner(op, lock ? "locking a plan" : "unlocking a plan")) != 0)
        return err;
    Renja__V1__Plan *p;
    if ((err = lm_plan_get(s, txn, op->plan, &p, &op->diag)) != 0)
        return err;
    if (lock && p->locked) {
        err = lm_locked_error(p, &op->diag);
    } else if (!lock && !p->locked) {
        err = rj_diag_set(&op->diag, RJ_ELOCKED, "plan %s is not locked", p->id);
    } else {
        /* The strings are swapped in and out so the unpacked message frees
         * only what it allocated. */
        char *by = p->locked_by, *why = p->lock_reason;
        p->locked = lock;
        p->locked_by = lock ? (char *)op->who->name : (char *)"";
        p->lock_reason = lock ? (char *)(op->reason ? op->reason : "") : (char *)"";
        p->locked_unix_ms = lock ? op->now_ms : 0;
        err = lm_plan_put(s, txn, p, 0, &op->diag);
        if (err == 0)
            err = event_add(s, txn, op, lock ? "lock" : "unlock", lock ? p->lock_reason : "",
                            p->head);
        if (err == 0)
            op->plan_out = lm_plan_copy(p);
        p->locked_by = by;
        p->lock_reason = why;
    }
    protobuf_c_message_free_unpacked(&p->base, NULL);
    return err;
}

int lm_op_set_stage(rj_store *s, MDB_txn *txn, rj_op *op)
{
    int err;
    if ((err = need_planner(op, "setting a stage")) != 0)
        return err;
    if (!op->stage)
        return rj_diag_set(&op->diag, RJ_EINVAL, "set stage: no stage given");
    if ((err = rj_stage_name_check(op->stage->name, &op->diag)) != 0)
        return err;
    Renja__V1__Plan *p;
    if ((err = lm_plan_get(s, txn, op->plan, &p, &op->diag)) != 0)
        return err;
    uint64_t head = p->head;
    protobuf_c_message_free_unpacked(&p->base, NULL);

    kbuf k;
    lm_stage_key(&k, op->plan, op->stage->name);
    MDB_val kv = kb_val(&k), dv;
    int rc = mdb_get(txn, s->stages, &kv, &dv);
    if (rc == 0) {
        Renja__V1__Stage *old = lm_unpack(&renja__v1__stage__descriptor, dv.mv_data, dv.mv_size);
        err = rj_diag_set(&op->diag, RJ_EEXIST,
                          "stage %s of plan %s is already set to revision %" PRIu64
                          "; a stage never moves",
                          op->stage->name, op->plan, old ? old->rev : 0);
        if (old)
            protobuf_c_message_free_unpacked(&old->base, NULL);
        return err;
    }
    if (rc != MDB_NOTFOUND)
        return lm_fail(&op->diag, rc, "read stage");

    uint64_t rev = op->stage->rev ? op->stage->rev : head;
    /* A stage never moves: set on a plan with nothing in it yet, it would
     * name the empty plan for good. */
    if (rev == 0)
        return rj_diag_set(&op->diag, RJ_ELOCKED,
                           "plan %s has no revision yet; import the plan first, then set stage "
                           "%s (a stage never moves)",
                           op->plan, op->stage->name);
    if (rev > head)
        return rj_diag_set(&op->diag, RJ_ENOTFOUND,
                           "revision %" PRIu64 " not found in plan %s; head is %" PRIu64, rev,
                           op->plan, head);
    int32_t order = op->stage->order;
    if (order == 0) {
        rj_ptrs all = {0};
        if ((err = lm_stages_list(s, txn, op->plan, &all, &op->diag)) != 0)
            return err;
        order = (int32_t)all.n + 1;
        rj_msgs_free(all.v, all.n);
    }
    Renja__V1__Stage st = *op->stage;
    st.rev = rev;
    st.order = order;
    st.set_by = (char *)(op->who->name);
    st.time_unix_ms = op->now_ms;
    size_t len;
    void *buf = lm_pack(&st.base, &len);
    dv = (MDB_val){.mv_size = len, .mv_data = buf};
    kv = kb_val(&k);
    rc = lm_put(s, txn, s->stages, &kv, &dv, MDB_NOOVERWRITE);
    if (rc == 0)
        op->stage_out = lm_unpack(&renja__v1__stage__descriptor, buf, len);
    free(buf);
    if (rc)
        return lm_fail(&op->diag, rc, "write stage");
    char detail[300];
    snprintf(detail, sizeof(detail), "%.200s at rev %llu", st.name, (unsigned long long)rev);
    return event_add(s, txn, op, "stage set", detail, head);
}

/* --- submit --------------------------------------------------------------- */
