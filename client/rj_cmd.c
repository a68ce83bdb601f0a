#include "rj_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grpc/health/v1/health.pb-c.h"
#include "renja/v1/renja.pb-c.h"
#include "rj_alloc.h"
#include "rj_help.h"
#include "rj_html.h"
#include "rj_input.h"
#include "rj_ident.h"
#include "rj_kode.h"
#include "rj_methods.h"
#include "rj_num.h"
#include "rj_page.h"
#include "rj_print.h"
#include "rj_progress.h"
#include "rj_report.h"
#include "rj_rpc.h"
#include "rj_wire.h"
#include "rj_xlsx.h"

/* --- talking to the server ------------------------------------------------------ */

static int usage(rj_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage(rj_cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rj_progress_quiet();
    fprintf(cli->err, "%s: ", cli->prog);
    vfprintf(cli->err, fmt, ap);
    fputc('\n', cli->err);
    va_end(ap);
    return RJ_EXIT_USAGE;
}

static int fail(rj_cli *cli, int code, const char *msg)
{
    rj_progress_quiet();
    fprintf(cli->err, "%s: %s\n", cli->prog, msg);
    return code;
}

static int connect_once(rj_cli *cli)
{
    if (cli->rpc)
        return 0;
    rj_diag d = {{0}};
    int rc = rj_rpc_connect_tls(cli->server, cli->timeout_s * 1000, cli->tls, cli->cacert,
                                &cli->rpc, &d);
    if (rc < 0) {
        cli->rpc = NULL;
        if (!d.msg[0])
            snprintf(d.msg, sizeof(d.msg), "cannot connect to %s: %s", cli->server,
                     rj_strerror(rc));
        return fail(cli, RJ_EXIT_UNAVAILABLE, d.msg);
    }
    return 0;
}

/* The daemon names the changes of a refused submit "change N: WHAT" (N
 * counts from 1 in the request); for an import each becomes a line of its
 * own, "FILE:LINE: WHAT". */
static void name_lines(const rj_cli *cli, const char *in, char *out, size_t cap)
{
    size_t o = 0;
    bool any = false;
    while (*in && o + 1 < cap) {
        unsigned long n = 0;
        int used = 0;
        bool at_change = (strncmp(in, ": change ", 9) == 0 || strncmp(in, "; change ", 9) == 0) &&
                         sscanf(in + 9, "%lu: %n", &n, &used) == 1 && used > 0 && n > 0;
        if (!at_change) {
            out[o++] = *in++;
            continue;
        }
        int line = rj_submit_change_line(cli->source, n - 1);
        int w = line ? snprintf(out + o, cap - o, "%s\n  %s:%d: ", any ? "" : ":", cli->source_name,
                                line)
                     : snprintf(out + o, cap - o, "%s\n  change %lu: ", any ? "" : ":", n);
        if (w < 0 || (size_t)w >= cap - o)
            break;
        o += (size_t)w;
        any = true;
        in += 9 + used;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

static int report(rj_cli *cli, int status, rj_diag *d)
{
    if (status < 0)
        status = rj_error_grpc_status(status);
    char msg[RJ_DIAG_MAX * 2 + 128];
    if (cli->source && d->msg[0])
        name_lines(cli, d->msg, msg, sizeof(msg));
    else
        snprintf(msg, sizeof(msg), "%s", d->msg[0] ? d->msg : rj_grpc_status_name(status));
    if (status == RJ_GRPC_NOT_FOUND && cli->quiet_notfound)
        return rj_cli_exit_code(status, cli->kind);
    if (status == RJ_GRPC_UNAUTHENTICATED && !cli->token)
        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
                 " (no token: give --token-file FILE or set RENJA_TOKEN_FILE)");
    fail(cli, 0, msg);
    return rj_cli_exit_code(status, cli->kind);
}

static void done(void *resp)
{
    if (resp)
        protobuf_c_message_free_unpacked(resp, NULL);
}

/* The server's limit on one request message: asked once per connection
 * (ServerInfo); a server that does not say has the default. 0 or the exit
 * code, having said why on stderr. */
static int server_max_message(rj_cli *cli, uint64_t *out)
{
    if (!cli->max_message) {
        Renja__V1__ServerInfoRequest req = RENJA__V1__SERVER_INFO_REQUEST__INIT;
        Renja__V1__ServerInfoResponse *resp = NULL;
        rj_diag d = {{0}};
        const rj_method_info *m = &rj_methods[RJ_METHOD_ServerInfo];
        int st = rj_rpc_call(cli->rpc, m->path, cli->token, &req.base, m->response,
                             (ProtobufCMessage **)&resp, cli->timeout_s * 1000, &d);
        if (st != 0)
            return report(cli, st, &d);
        cli->max_message = resp->max_message_bytes ? resp->max_message_bytes : RJ_WIRE_DEFAULT_MAX;
        done(resp);
    }
    *out = cli->max_message;
    return 0;
}

/* A request bigger than the server takes is refused here, before a byte of
 * it is sent, with its size, the limit and how to raise it. */
static int request_fits(rj_cli *cli, const ProtobufCMessage *req)
{
    size_t len = protobuf_c_message_get_packed_size(req);
    if (len <= RJ_CLI_SMALL_REQUEST)
        return 0;
    uint64_t limit = 0;
    int rc = server_max_message(cli, &limit);
    if (rc || len <= limit)
        return rc;
    char msg[RJ_DIAG_MAX];
    snprintf(msg, sizeof(msg),
             "%s encodes to a request of %zu bytes, over the limit of %" PRIu64
             " bytes that renjad at %s accepts; nothing was sent (split the input, or start "
             "renjad with a larger --max-message BYTES)",
             cli->subject ? cli->subject : "the input", len, limit, cli->server);
    return fail(cli, RJ_EXIT_FAILED, msg);
}

/* A unary call of a method of rj_methods.def; 0 or the exit code, having
 * said why on stderr. */
static int call(rj_cli *cli, rj_method_id method, const ProtobufCMessage *req, void *resp)
{
    const rj_method_info *m = &rj_methods[method];
    int rc = connect_once(cli);
    if (rc)
        return rc;
    if ((rc = request_fits(cli, req)) != 0)
        return rc;
    rj_diag d = {{0}};
    int st = rj_rpc_call(cli->rpc, m->path, cli->token, req, m->response, resp,
                         cli->timeout_s * 1000, &d);
    return st == 0 ? 0 : report(cli, st, &d);
}

/* CALL(cli, Show, req, &resp): the request and answer types are the
 * method's, from the list. */
#define CALL(cli, method, req, resp)                                                               \
    call(cli, RJ_METHOD_##method, &(req).base, (ProtobufCMessage **)(resp))

static ProtobufCMessage **msg_field(ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
    return (ProtobufCMessage **)((char *)m + f->offset);
}

static uint64_t *u64_field(ProtobufCMessage *m, const char *name)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, name);
    return (uint64_t *)((char *)m + f->offset);
}

/* A Diff, Compare, Evaluate or Validate answer whole, following its pages
 * (renja.proto, "Paged answers"): every page after the first is asked at
 * the first page's pin, and its lists go onto the end of the first page's,
 * so what comes out is the answer asked without paged, of any size. */
static int call_paged(rj_cli *cli, rj_method_id method, ProtobufCMessage *req,
                      ProtobufCMessage **out)
{
    const ProtobufCFieldDescriptor *fp =
        protobuf_c_message_descriptor_get_field_by_name(req->descriptor, "paged");
    *(protobuf_c_boolean *)((char *)req + fp->offset) = 1;
    uint64_t *offset = u64_field(req, "offset");
    ProtobufCMessage **pin = msg_field(req, "pin");
    *offset = 0;
    *pin = NULL;
    ProtobufCMessage *all = NULL;
    int rc;
    for (;;) {
        ProtobufCMessage *r = NULL;
        if ((rc = call(cli, method, req, &r)) != 0)
            break;
        uint64_t next = *u64_field(r, "next_offset");
        if (!all) {
            all = r;
            *pin = *msg_field(all, "pin");
        } else {
            rj_page_merge(all, r);
            done(r);
        }
        if (!next || next <= *offset)
            break;
        *offset = next;
    }
    *pin = NULL; /* all's, not the request's */
    *offset = 0;
    if (rc) {
        done(all);
        return rc;
    }
    *u64_field(all, "next_offset") = 0;
    *out = all;
    return 0;
}

#define CALL_PAGED(cli, method, req, resp)                                                         \
    call_paged(cli, RJ_METHOD_##method, &(req).base, (ProtobufCMessage **)(resp))

/* Move the n_src messages of src onto the end of dst (a page into the
 * answer gathered so far); src keeps none. */
static void take_page(void *dst_v, size_t *n_dst, void *src_v, size_t *n_src)
{
    void ***dst = dst_v, ***src = src_v;
    if (*n_src == 0)
        return;
    *dst = rj_realloc(*dst, (*n_dst + *n_src) * sizeof(void *));
    memcpy(*dst + *n_dst, *src, *n_src * sizeof(void *));
    *n_dst += *n_src;
    *n_src = 0;
}

/* Show of the whole answer, following its pages: every page after the
 * first is read at the first page's revision. */
static int show_paged(rj_cli *cli, Renja__V1__ShowRequest *req, Renja__V1__ShowResponse **out)
{
    req->paged = 1;
    req->offset = 0;
    Renja__V1__ShowResponse *all = NULL;
    char at[24];
    for (;;) {
        Renja__V1__ShowResponse *r = NULL;
        int rc = CALL(cli, Show, *req, &r);
        if (rc) {
            done(all);
            return rc;
        }
        uint64_t next = r->next_offset;
        if (!all) {
            all = r;
            snprintf(at, sizeof(at), "%" PRIu64, r->rev);
            req->at = at;
        } else {
            take_page(&all->items, &all->n_items, &r->items, &r->n_items);
            take_page(&all->lines, &all->n_lines, &r->lines, &r->n_lines);
            take_page(&all->realisasi, &all->n_realisasi, &r->realisasi, &r->n_realisasi);
            done(r);
        }
        if (!next || next <= req->offset)
            break;
        req->offset = next;
    }
    all->next_offset = 0;
    *out = all;
    return 0;
}

/* --- argument helpers ---------------------------------------------------------- */

static const char *plan_arg(const rj_args *a)
{
    return a->pos[0];
}

static int kode_arg(rj_cli *cli, const char *in, bool rekening, char out[RJ_KODE_MAX])
{
    rj_diag d = {{0}};
    rj_level lv;
    int depth;
    if (!rekening && (in[0] == 'T' || in[0] == 't')) { /* a tujuan or sasaran */
        if (rj_goal_parse(in, out, NULL, &d))
            return usage(cli, "%s", d.msg);
        return 0;
    }
    if (rekening ? rj_rekening_parse(in, out, &depth, &d) : rj_kode_parse(in, out, &lv, &d)) {
        if (!rekening && in[0] >= '4' && in[0] <= '6')
            return usage(cli, "%s (for a rekening, add --rekening)", d.msg);
        return usage(cli, "%s", d.msg);
    }
    return 0;
}

static int base_arg(rj_cli *cli, const rj_args *a, rj_submit *s)
{
    uint64_t base = 0;
    rj_diag d = {{0}};
    if (rj_args_uint(a, "base", 0, UINT64_MAX, &base, &d))
        return usage(cli, "%s", d.msg);
    if (rj_args_has(a, "base"))
        rj_submit_set_base(s, base);
    return 0;
}

static int submit(rj_cli *cli, rj_submit *s)
{
    Renja__V1__SubmitResponse *resp = NULL;
    int rc = CALL(cli, Submit, *rj_submit_req(s), &resp);
    if (rc == 0 && resp->unchanged)
        fprintf(cli->err, "%s: nothing changed: plan %s stays at revision %" PRIu64 "\n", cli->prog,
                rj_submit_req(s)->plan, resp->rev);
    if (rc == 0)
        rj_print_submit(rj_submit_req(s)->plan, resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

/* --- commands ---------------------------------------------------------------------- */

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* One health check: the gRPC status, *serving set on OK. With quiet, a
 * failure to connect is not reported here (the caller may try again). */
static int health_once(rj_cli *cli, int timeout_ms, bool *serving,
                       Grpc__Health__V1__HealthCheckResponse__ServingStatus *status, rj_diag *d)
{
    *serving = false;
    if (!cli->rpc &&
        rj_rpc_connect_tls(cli->server, timeout_ms, cli->tls, cli->cacert, &cli->rpc, d) < 0) {
        cli->rpc = NULL;
        return RJ_GRPC_UNAVAILABLE;
    }
    Grpc__Health__V1__HealthCheckRequest req = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    Grpc__Health__V1__HealthCheckResponse *resp = NULL;
    int st = rj_rpc_call(cli->rpc, "/grpc.health.v1.Health/Check", NULL, &req.base,
                         &grpc__health__v1__health_check_response__descriptor,
                         (ProtobufCMessage **)&resp, timeout_ms, d);
    if (st == 0) {
        *status = resp->status;
        *serving = resp->status == GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
        done(resp);
    } else {
        /* A connection that failed is not used again. */
        rj_rpc_close(cli->rpc);
        cli->rpc = NULL;
    }
    return st;
}

static int cmd_health(rj_cli *cli, const rj_args *a)
{
    uint64_t wait_s = 0;
    rj_diag d = {{0}};
    if (rj_args_uint(a, "wait", 0, 86400, &wait_s, &d))
        return usage(cli, "%s", d.msg);
    /* --wait: until SERVING or the time is up, trying again every 100 ms
     * (a daemon just started may not listen yet, or still be starting). */
    uint64_t until = mono_ms() + wait_s * 1000;
    Grpc__Health__V1__HealthCheckResponse__ServingStatus status =
        GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__UNKNOWN;
    bool serving = false;
    int st;
    for (;;) {
        rj_diag_clear(&d);
        uint64_t now = mono_ms();
        int left = now < until ? (int)(until - now) : 0;
        int t = wait_s && left < cli->timeout_s * 1000 ? (left > 100 ? left : 100)
                                                       : cli->timeout_s * 1000;
        st = health_once(cli, t, &serving, &status, &d);
        if (serving || mono_ms() + 100 > until)
            break;
        struct timespec nap = {0, 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    if (st != 0) {
        if (wait_s && d.msg[0]) {
            size_t n = strlen(d.msg);
            if (n + 40 < sizeof(d.msg))
                snprintf(d.msg + n, sizeof(d.msg) - n, " (after waiting %" PRIu64 " s)", wait_s);
        }
        return report(cli, st, &d);
    }
    rj_print_health(status, cli->mode, cli->out);
    return serving ? 0 : RJ_EXIT_FAILED;
}

static int cmd_info(rj_cli *cli, const rj_args *a)
{
    Renja__V1__ServerInfoRequest req = RENJA__V1__SERVER_INFO_REQUEST__INIT;
    Renja__V1__ServerInfoResponse *resp = NULL;
    int rc = CALL(cli, ServerInfo, req, &resp);
    if (rc == 0)
        rj_print_info(resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_plan_create(rj_cli *cli, const rj_args *a)
{
    Renja__V1__CreatePlanRequest req = RENJA__V1__CREATE_PLAN_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    const char *nama = rj_args_get(a, "nama");
    if (nama)
        req.nama = (char *)nama;
    Renja__V1__PlanResponse *resp = NULL;
    int rc = CALL(cli, CreatePlan, req, &resp);
    if (rc == 0)
        rj_print_plan(resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_plan_list(rj_cli *cli, const rj_args *a)
{
    Renja__V1__ListPlansRequest req = RENJA__V1__LIST_PLANS_REQUEST__INIT;
    Renja__V1__ListPlansResponse *resp = NULL;
    int rc = CALL(cli, ListPlans, req, &resp);
    if (rc == 0)
        rj_print_plans(resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_plan_lock(rj_cli *cli, const rj_args *a)
{
    Renja__V1__LockPlanRequest req = RENJA__V1__LOCK_PLAN_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    const char *reason = rj_args_get(a, "reason");
    if (reason)
        req.reason = (char *)reason;
    Renja__V1__PlanResponse *resp = NULL;
    int rc = CALL(cli, LockPlan, req, &resp);
    if (rc == 0)
        rj_print_plan(resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_plan_unlock(rj_cli *cli, const rj_args *a)
{
    Renja__V1__UnlockPlanRequest req = RENJA__V1__UNLOCK_PLAN_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    Renja__V1__PlanResponse *resp = NULL;
    int rc = CALL(cli, UnlockPlan, req, &resp);
    if (rc == 0)
        rj_print_plan(resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_token_add(rj_cli *cli, const rj_args *a)
{
    Renja__V1__AddTokenRequest req = RENJA__V1__ADD_TOKEN_REQUEST__INIT;
    req.name = (char *)a->pos[0];
    const char *role = rj_args_get(a, "role");
    if (!role)
        return usage(cli, "token add needs --role viewer|editor|planner|admin");
    int r = rj_role_parse(role);
    if (r == 0)
        return usage(cli, "--role %s: expected viewer, editor, planner or admin", role);
    req.role = (Renja__V1__Role)r;
    const char *bidang = rj_args_get(a, "bidang");
    if (bidang)
        req.bidang = (char *)bidang;
    if (r == RENJA__V1__ROLE__ROLE_EDITOR && (!bidang || !*bidang))
        return usage(cli, "an editor token needs --bidang BIDANG (the bidang it may change)");
    Renja__V1__TokenResponse *resp = NULL;
    int rc = CALL(cli, AddToken, req, &resp);
    if (rc == 0) {
        fprintf(cli->err, "%s: token \"%s\" (%s%s%s) created; it is shown only once\n", cli->prog,
                resp->identity ? resp->identity->name : req.name, role, bidang ? ", " : "",
                bidang ? bidang : "");
        fprintf(cli->out, "%s\n", resp->token);
    }
    done(resp);
    return rc;
}

static int cmd_token_list(rj_cli *cli, const rj_args *a)
{
    Renja__V1__ListTokensRequest req = RENJA__V1__LIST_TOKENS_REQUEST__INIT;
    Renja__V1__ListTokensResponse *resp = NULL;
    int rc = CALL(cli, ListTokens, req, &resp);
    if (rc == 0)
        rj_print_tokens(resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_token_revoke(rj_cli *cli, const rj_args *a)
{
    Renja__V1__RevokeTokenRequest req = RENJA__V1__REVOKE_TOKEN_REQUEST__INIT;
    req.name = (char *)a->pos[0];
    Renja__V1__TokenResponse *resp = NULL;
    int rc = CALL(cli, RevokeToken, req, &resp);
    if (rc == 0)
        fprintf(cli->err, "%s: token \"%s\" revoked; it is refused from its next call on\n",
                cli->prog, req.name);
    done(resp);
    return rc;
}

/* The whole file, from a path or "-" (stdin), at most RJ_INPUT_MAX_SIZE
 * bytes: a bigger file is refused without reading it all. */
static int read_file(rj_cli *cli, const char *path, rj_buf *b)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        char msg[RJ_DIAG_MAX];
        snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
        return fail(cli, RJ_EXIT_FAILED, msg);
    }
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b->len + n > RJ_INPUT_MAX_SIZE) {
            if (f != stdin)
                fclose(f);
            char msg[RJ_DIAG_MAX];
            snprintf(msg, sizeof(msg), "%s: larger than the limit of %u bytes", path,
                     RJ_INPUT_MAX_SIZE);
            return fail(cli, RJ_EXIT_INVALID, msg);
        }
        rj_buf_append(b, chunk, n);
    }
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (err) {
        char msg[RJ_DIAG_MAX];
        snprintf(msg, sizeof(msg), "%s: read error", path);
        return fail(cli, RJ_EXIT_FAILED, msg);
    }
    return 0;
}

static int show_head(rj_cli *cli, const char *plan, const char *kode,
                     Renja__V1__ShowResponse **resp)
{
    Renja__V1__ShowRequest req = RENJA__V1__SHOW_REQUEST__INIT;
    req.plan = (char *)plan;
    if (kode)
        req.kode = (char *)kode;
    return show_paged(cli, &req, resp);
}

/* Only the plan's head revision, for a new item: the newest entry of the
 * log, rather than the whole plan. NOT_FOUND when the plan does not exist. */
static int plan_head(rj_cli *cli, const char *plan, Renja__V1__ShowResponse **resp)
{
    Renja__V1__LogRequest req = RENJA__V1__LOG_REQUEST__INIT;
    req.plan = (char *)plan;
    req.limit = 1;
    Renja__V1__LogResponse *log = NULL;
    int rc = CALL(cli, Log, req, &log);
    if (rc)
        return rc;
    Renja__V1__ShowResponse *r = rj_malloc(sizeof(*r));
    renja__v1__show_response__init(r);
    r->rev = log->n_revisions ? log->revisions[0]->rev : 0;
    done(log);
    *resp = r;
    return 0;
}

static int cmd_import(rj_cli *cli, const rj_args *a)
{
    rj_input_format fmt = RJ_INPUT_AUTO;
    const char *inf = rj_args_get(a, "input-format");
    if (inf) {
        if (strcmp(inf, "csv") == 0)
            fmt = RJ_INPUT_CSV;
        else if (strcmp(inf, "json") == 0)
            fmt = RJ_INPUT_JSON;
        else
            return usage(cli, "--input-format %s: expected csv or json", inf);
    }
    const char *msg = rj_args_get(a, "message");
    rj_submit *s = rj_submit_new(plan_arg(a), msg ? msg : "");
    int rc = base_arg(cli, a, s);
    rj_buf text = {0};
    if (rc == 0)
        rc = read_file(cli, a->pos[1], &text);
    if (rc == 0) {
        rj_diag d = {{0}};
        const char *name = strcmp(a->pos[1], "-") == 0 ? "<stdin>" : a->pos[1];
        cli->subject = name;
        if (fmt == RJ_INPUT_AUTO)
            fmt = rj_input_format_of(name);
        if (rj_input_read(s, name, text.len ? text.data : "", text.len, fmt, &d) < 0)
            rc = fail(cli, RJ_EXIT_INVALID, d.msg);
    }
    rj_buf_free(&text);
    if (rc == 0 && rj_args_has(a, "replace")) {
        Renja__V1__ShowResponse *head = NULL;
        rc = show_head(cli, plan_arg(a), NULL, &head);
        if (rc == 0) {
            rj_submit_replace(s, head);
            if (!rj_submit_req(s)->has_base)
                rj_submit_set_base(s, head->rev);
        }
        done(head);
    }
    if (rc == 0) {
        cli->source = s;
        cli->source_name = strcmp(a->pos[1], "-") == 0 ? "<stdin>" : a->pos[1];
        rc = submit(cli, s);
        cli->source = NULL;
    }
    rj_submit_free(s);
    return rc;
}

/* indikator.N of set numbers the item's indikator without holes: N may be
 * one of those the item has (at head, or made by an earlier assignment) or
 * the next one. */
static int indikator_gaps(rj_cli *cli, const rj_args *a, const char *kode, size_t have)
{
    for (int i = 2; i < a->npos; i++) {
        const char *as = a->pos[i];
        if (strncmp(as, "indikator.", 10) != 0)
            continue;
        unsigned long no = strtoul(as + 10, NULL, 10);
        if (no > have + 1)
            return usage(cli,
                         "%.*s: item %s has %zu indikator; number them without holes: the next "
                         "is indikator.%zu",
                         (int)strcspn(as, "="), as, kode, have, have + 1);
        if (no == have + 1)
            have++;
    }
    return 0;
}

static int cmd_set(rj_cli *cli, const rj_args *a)
{
    bool rekening = rj_args_has(a, "rekening");
    char kode[RJ_KODE_MAX];
    int rc = kode_arg(cli, a->pos[1], rekening, kode);
    if (rc)
        return rc;
    /* Every assignment is checked before anything is sent. */
    rj_submit *s = rj_submit_new(plan_arg(a), "");
    rj_diag d = {{0}};
    Renja__V1__Item *scratch_item = rekening ? NULL : rj_submit_upsert_item(s, NULL, kode);
    Renja__V1__BudgetLine *scratch_line = rekening ? rj_submit_upsert_line(s, NULL, kode) : NULL;
    for (int i = 2; i < a->npos && rc == 0; i++)
        if ((rekening ? rj_set_line_field(s, scratch_line, a->pos[i], &d)
                      : rj_set_item_field(s, scratch_item, a->pos[i], &d)) < 0)
            rc = usage(cli, "%s", d.msg);
    rj_submit_free(s);
    if (rc)
        return rc;

    const char *msg = rj_args_get(a, "message");
    s = rj_submit_new(plan_arg(a), msg ? msg : "");
    if ((rc = base_arg(cli, a, s)) != 0) {
        rj_submit_free(s);
        return rc;
    }
    /* Read the item at head; a missing item is created. NOT_FOUND on the
     * item is told apart from a missing plan by asking for the plan's head. */
    Renja__V1__ShowResponse *head = NULL;
    cli->quiet_notfound = true;
    rc = show_head(cli, plan_arg(a), kode, &head);
    cli->quiet_notfound = false;
    if (rc == RJ_EXIT_NOTFOUND)
        rc = plan_head(cli, plan_arg(a), &head);
    if (rc == 0) {
        const Renja__V1__Item *found = NULL;
        const Renja__V1__BudgetLine *found_line = NULL;
        for (size_t i = 0; !rekening && i < head->n_items; i++)
            if (strcmp(head->items[i]->kode, kode) == 0)
                found = head->items[i];
        for (size_t i = 0; rekening && i < head->n_lines; i++)
            if (strcmp(head->lines[i]->kode, kode) == 0)
                found_line = head->lines[i];
        if (!rj_submit_req(s)->has_base)
            rj_submit_set_base(s, head->rev);
        if (!rekening)
            rc = indikator_gaps(cli, a, kode, found ? found->n_indikator : 0);
        if (rc) {
        } else if (rekening) {
            Renja__V1__BudgetLine *l = rj_submit_upsert_line(s, found_line, kode);
            for (int i = 2; i < a->npos; i++)
                rj_set_line_field(s, l, a->pos[i], &d);
        } else {
            Renja__V1__Item *it = rj_submit_upsert_item(s, found, kode);
            for (int i = 2; i < a->npos; i++)
                rj_set_item_field(s, it, a->pos[i], &d);
        }
        /* Only the fields assigned: the store keeps the others as they are
         * at head, and the base makes a change since the read a conflict. */
        rj_set_partial(s, (const char *const *)a->pos + 2, (size_t)(a->npos - 2));
        if (rc == 0)
            rc = submit(cli, s);
    }
    done(head);
    rj_submit_free(s);
    return rc;
}

static const Renja__V1__Realisasi *find_real(const Renja__V1__ShowResponse *h, const char *kode,
                                             int tw, int ind)
{
    for (size_t i = 0; i < h->n_realisasi; i++) {
        const Renja__V1__Realisasi *r = h->realisasi[i];
        if (r->tw == tw && r->indikator == ind && strcmp(r->kode, kode) == 0)
            return r;
    }
    return NULL;
}

/* rm PLAN KODE --indikator N: the item without its indikator N, in one
 * revision based on the head read here; the indikator after it move up one
 * number and take their realisasi along (indikator N's realisasi goes), so
 * that a realisasi reported in between is a conflict, as for any removal. */
static int rm_indikator(rj_cli *cli, const rj_args *a, const char *kode, rj_submit *s)
{
    uint64_t no = 0;
    rj_diag d = {{0}};
    if (rj_args_uint(a, "indikator", 1, 99, &no, &d))
        return usage(cli, "%s", d.msg);
    Renja__V1__ShowRequest req = RENJA__V1__SHOW_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    req.kode = (char *)kode;
    req.with_realisasi = 1;
    Renja__V1__ShowResponse *head = NULL;
    int rc = CALL(cli, Show, req, &head);
    if (rc)
        return rc;
    const Renja__V1__Item *found = NULL;
    for (size_t i = 0; i < head->n_items; i++)
        if (strcmp(head->items[i]->kode, kode) == 0)
            found = head->items[i];
    size_t n = found ? found->n_indikator : 0;
    if (!found) {
        char m[RJ_DIAG_MAX];
        snprintf(m, sizeof(m), "item %s does not exist in %s", kode, plan_arg(a));
        rc = fail(cli, RJ_EXIT_NOTFOUND, m);
    } else if (no > n) {
        char m[RJ_DIAG_MAX];
        snprintf(m, sizeof(m), "item %s has %zu indikator; there is no indikator %" PRIu64, kode, n,
                 no);
        rc = fail(cli, RJ_EXIT_NOTFOUND, m);
    }
    if (rc == 0) {
        if (!rj_submit_req(s)->has_base)
            rj_submit_set_base(s, head->rev);
        Renja__V1__Item *it = rj_submit_upsert_item(s, found, kode);
        memmove(&it->indikator[no - 1], &it->indikator[no], (n - no) * sizeof(*it->indikator));
        it->n_indikator--;
        /* Realisasi of indikator k+1 becomes that of k; the last number's
         * goes with the shorter list (the store removes it). */
        for (int tw = 1; tw <= 4; tw++)
            for (size_t k = no; k < n; k++) {
                const Renja__V1__Realisasi *next = find_real(head, kode, tw, (int)k + 1);
                const Renja__V1__Realisasi *cur = find_real(head, kode, tw, (int)k);
                if (!next && !cur)
                    continue;
                Renja__V1__Realisasi *r = rj_submit_realisasi(s, kode, tw, (int)k);
                if (next) {
                    r->value_e4 = next->value_e4;
                    r->text = rj_submit_keep_str(s, next->text);
                } else
                    r->clear = 1;
            }
        rc = submit(cli, s);
    }
    done(head);
    return rc;
}

static int cmd_rm(rj_cli *cli, const rj_args *a)
{
    bool rekening = rj_args_has(a, "rekening");
    char kode[RJ_KODE_MAX];
    int rc = kode_arg(cli, a->pos[1], rekening, kode);
    if (rc)
        return rc;
    const char *msg = rj_args_get(a, "message");
    rj_submit *s = rj_submit_new(plan_arg(a), msg ? msg : "");
    if (rj_args_has(a, "indikator") && (rekening || rj_args_has(a, "recursive")))
        rc = usage(cli, "rm --indikator N removes an indikator of an item: not with --rekening or "
                        "--recursive");
    else if ((rc = base_arg(cli, a, s)) == 0 && rj_args_has(a, "indikator"))
        rc = rm_indikator(cli, a, kode, s);
    else if (rc == 0) {
        if (rekening)
            rj_submit_remove_line(s, kode);
        else if (rj_goal_kind_of(kode) != RJ_GOAL_NONE)
            rj_submit_remove_goal(s, kode, rj_args_has(a, "recursive"));
        else
            rj_submit_remove_item(s, kode, rj_args_has(a, "recursive"));
        rc = submit(cli, s);
    }
    rj_submit_free(s);
    return rc;
}

static int cmd_realisasi(rj_cli *cli, const rj_args *a)
{
    char kode[RJ_KODE_MAX];
    int rc = kode_arg(cli, a->pos[1], false, kode);
    if (rc)
        return rc;
    rj_diag d = {{0}};
    uint64_t tw = 0, ind = 1;
    if (!rj_args_has(a, "tw"))
        return usage(cli, "--tw N (1..4) is required");
    if (rj_args_uint(a, "tw", 1, 4, &tw, &d) || rj_args_uint(a, "indikator", 1, 999, &ind, &d))
        return usage(cli, "%s", d.msg);
    const char *angg = rj_args_get(a, "anggaran");
    bool clear = rj_args_has(a, "clear");
    if (angg && (a->npos > 2 || rj_args_has(a, "indikator")))
        return usage(cli, "give either --indikator I VALUE or --anggaran RUPIAH");
    if (!angg && !clear && a->npos != 3)
        return usage(cli, "expected a VALUE (or --anggaran RUPIAH)");
    int64_t v = 0;
    bool present = true;
    if (angg) {
        if (rj_money_parse(angg, &v, &present, &d) < 0 || !present)
            return usage(cli, "--anggaran: %s", present ? d.msg : "expected rupiah");
    } else if (!clear && rj_dec_parse(a->pos[2], &v, &d) < 0)
        return usage(cli, "%s", d.msg);
    const char *msg = rj_args_get(a, "message");
    rj_submit *s = rj_submit_new(plan_arg(a), msg ? msg : "");
    if ((rc = base_arg(cli, a, s)) == 0) {
        Renja__V1__Realisasi *r = rj_submit_realisasi(s, kode, (int)tw, angg ? 0 : (int)ind);
        if (clear)
            r->clear = 1;
        else if (angg)
            r->anggaran = v;
        else {
            r->value_e4 = v;
            r->text = (char *)a->pos[2];
        }
        rc = submit(cli, s);
        /* The text points into argv, not into the submit. */
        r->text = (char *)"";
    }
    rj_submit_free(s);
    return rc;
}

static int cmd_show(rj_cli *cli, const rj_args *a)
{
    bool lines = rj_args_has(a, "lines");
    char kode[RJ_KODE_MAX] = "";
    int rc;
    if (a->npos > 1 && (rc = kode_arg(cli, a->pos[1], lines, kode)) != 0)
        return rc;
    Renja__V1__ShowRequest req = RENJA__V1__SHOW_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    req.kode = kode;
    const char *at = rj_args_get(a, "at");
    if (at)
        req.at = (char *)at;
    req.with_realisasi = rj_args_has(a, "realisasi");
    Renja__V1__ShowResponse *resp = NULL;
    rc = show_paged(cli, &req, &resp);
    if (rc == 0)
        rj_print_show(resp, lines, req.with_realisasi, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_log(rj_cli *cli, const rj_args *a)
{
    char kode[RJ_KODE_MAX] = "";
    int rc;
    if (a->npos > 1 && (rc = kode_arg(cli, a->pos[1], rj_args_has(a, "rekening"), kode)) != 0)
        return rc;
    uint64_t limit = 0;
    rj_diag d = {{0}};
    if (rj_args_uint(a, "limit", 0, UINT32_MAX, &limit, &d))
        return usage(cli, "%s", d.msg);
    uint64_t before = 0;
    if (rj_args_uint(a, "before", 1, UINT64_MAX, &before, &d))
        return usage(cli, "%s", d.msg);
    Renja__V1__LogRequest req = RENJA__V1__LOG_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    req.kode = kode;
    req.events = rj_args_has(a, "events");
    if (req.events) {
        if (kode[0])
            return usage(cli, "log --events lists the plan's events; it takes no KODE");
        req.limit = (uint32_t)limit;
        Renja__V1__LogResponse *resp = NULL;
        rc = CALL(cli, Log, req, &resp);
        if (rc == 0)
            rj_print_events(resp, cli->mode, cli->out);
        done(resp);
        return rc;
    }
    req.before = before;
    req.paged = 1;
    /* The daemon answers in pages; follow them until the limit or the
     * plan's first revision. */
    Renja__V1__LogResponse *all = NULL;
    for (;;) {
        req.limit = (uint32_t)(limit ? limit - (all ? all->n_revisions : 0) : 0);
        Renja__V1__LogResponse *r = NULL;
        rc = CALL(cli, Log, req, &r);
        if (rc) {
            done(all);
            return rc;
        }
        uint64_t next = r->next_before;
        if (!all) {
            all = r;
        } else {
            take_page(&all->revisions, &all->n_revisions, &r->revisions, &r->n_revisions);
            take_page(&all->history, &all->n_history, &r->history, &r->n_history);
            done(r);
        }
        if (!next || (req.before && next >= req.before) || (limit && all->n_revisions >= limit))
            break;
        req.before = next;
    }
    all->next_before = 0;
    rj_print_log(all, cli->mode, cli->out);
    done(all);
    return 0;
}

static bool is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int mo = atoi(s + 5), da = atoi(s + 8);
    return mo >= 1 && mo <= 12 && da >= 1 && da <= 31;
}

static int cmd_stage_set(rj_cli *cli, const rj_args *a)
{
    rj_diag d = {{0}};
    const char *rev = rj_args_get(a, "rev");
    uint64_t r = 0, order = 0;
    if (!rev)
        return usage(cli, "--rev REV is required (a revision number or head)");
    if (strcmp(rev, "head") != 0 && rj_args_uint(a, "rev", 1, UINT64_MAX, &r, &d))
        return usage(cli, "%s", d.msg);
    if (rj_args_uint(a, "order", 0, INT32_MAX, &order, &d))
        return usage(cli, "%s", d.msg);
    const char *date = rj_args_get(a, "date");
    if (date && !is_date(date))
        return usage(cli, "--date %s: expected YYYY-MM-DD", date);
    Renja__V1__Stage st = RENJA__V1__STAGE__INIT;
    st.name = (char *)a->pos[1];
    st.rev = r;
    if (rj_args_get(a, "title"))
        st.title = (char *)rj_args_get(a, "title");
    if (rj_args_get(a, "basis"))
        st.basis = (char *)rj_args_get(a, "basis");
    if (date)
        st.date = (char *)date;
    st.order = (int32_t)order;
    Renja__V1__SetStageRequest req = RENJA__V1__SET_STAGE_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    req.stage = &st;
    Renja__V1__SetStageResponse *resp = NULL;
    int rc = CALL(cli, SetStage, req, &resp);
    if (rc == 0)
        rj_print_stage_set(req.plan, resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_stage_list(rj_cli *cli, const rj_args *a)
{
    Renja__V1__ListStagesRequest req = RENJA__V1__LIST_STAGES_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    Renja__V1__ListStagesResponse *resp = NULL;
    int rc = CALL(cli, ListStages, req, &resp);
    if (rc == 0)
        rj_print_stages(req.plan, resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_diff(rj_cli *cli, const rj_args *a)
{
    Renja__V1__DiffRequest req = RENJA__V1__DIFF_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    req.from = (char *)a->pos[1];
    req.to = (char *)a->pos[2];
    const char *level = rj_args_get(a, "level");
    if (level) {
        rj_level lv;
        if (rj_level_parse(level, &lv) < 0)
            return usage(cli, "--level %s: expected urusan, program, kegiatan or sub-kegiatan",
                         level);
        req.level = (Renja__V1__Level)lv;
    }
    const char *by = rj_args_get(a, "by");
    if (by) {
        if (strcmp(by, "bidang") && strcmp(by, "sumber-dana") && strcmp(by, "rekening"))
            return usage(cli, "--by %s: expected bidang, sumber-dana or rekening", by);
        req.by = (char *)by;
    }
    req.all = rj_args_has(a, "all");
    if (req.all && rj_args_has(a, "changed-only"))
        return usage(cli, "--all and --changed-only exclude each other");
    Renja__V1__DiffResponse *resp = NULL;
    int rc = CALL_PAGED(cli, Diff, req, &resp);
    if (rc == 0) {
        rj_print_diff(resp, rj_args_has(a, "changed-only"), cli->mode, cli->out);
        if (rj_args_has(a, "exit-code") && rj_print_diff_changed(resp))
            rc = RJ_EXIT_CHANGES;
    }
    done(resp);
    return rc;
}

static int cmd_compare(rj_cli *cli, const rj_args *a)
{
    Renja__V1__CompareRequest req = RENJA__V1__COMPARE_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    req.refs = (char **)&a->pos[1];
    req.n_refs = (size_t)a->npos - 1;
    req.deltas = rj_args_has(a, "deltas");
    int what = rj_args_has(a, "items") + rj_args_has(a, "lines") + rj_args_has(a, "all-rows");
    if (what > 1)
        return usage(cli, "give one of --items, --lines, --all-rows");
    req.what = (char *)(rj_args_has(a, "items")      ? "items"
                        : rj_args_has(a, "all-rows") ? "all"
                                                     : "lines");
    Renja__V1__CompareResponse *resp = NULL;
    int rc = CALL_PAGED(cli, Compare, req, &resp);
    if (rc == 0)
        rj_print_compare(resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_eval(rj_cli *cli, const rj_args *a)
{
    rj_diag d = {{0}};
    uint64_t tw = 0;
    if (!rj_args_has(a, "tw"))
        return usage(cli, "--tw N (1..4) is required");
    if (rj_args_uint(a, "tw", 1, 4, &tw, &d))
        return usage(cli, "%s", d.msg);
    Renja__V1__EvaluateRequest req = RENJA__V1__EVALUATE_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    req.tw = (int32_t)tw;
    if (rj_args_get(a, "at"))
        req.at = (char *)rj_args_get(a, "at");
    if (rj_args_get(a, "realisasi-at"))
        req.realisasi_at = (char *)rj_args_get(a, "realisasi-at");
    Renja__V1__EvaluateResponse *resp = NULL;
    int rc = CALL_PAGED(cli, Evaluate, req, &resp);
    if (rc == 0)
        rj_print_eval(resp, cli->mode, cli->out);
    done(resp);
    return rc;
}

static int cmd_validate(rj_cli *cli, const rj_args *a)
{
    Renja__V1__ValidateRequest req = RENJA__V1__VALIDATE_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    if (rj_args_get(a, "at"))
        req.at = (char *)rj_args_get(a, "at");
    Renja__V1__ValidateResponse *resp = NULL;
    int rc = CALL_PAGED(cli, Validate, req, &resp);
    if (rc == 0) {
        rj_print_validate(resp, cli->mode, cli->out);
        for (size_t i = 0; i < resp->n_findings; i++)
            if (strcmp(resp->findings[i]->severity, "error") == 0)
                rc = RJ_EXIT_INVALID;
    }
    done(resp);
    return rc;
}

static int cmd_export(rj_cli *cli, const rj_args *a)
{
    Renja__V1__ExportRequest req = RENJA__V1__EXPORT_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    if (rj_args_get(a, "at"))
        req.at = (char *)rj_args_get(a, "at");
    req.paged = 1;
    /* Pages after the first are read at the first page's revision. */
    Renja__V1__ExportResponse *resp = NULL;
    char at[24];
    int rc;
    for (;;) {
        Renja__V1__ExportResponse *r = NULL;
        rc = CALL(cli, Export, req, &r);
        if (rc) {
            done(resp);
            resp = NULL;
            break;
        }
        uint64_t next = r->next_offset;
        if (!resp) {
            resp = r;
            snprintf(at, sizeof(at), "%" PRIu64, r->rev);
            req.at = at;
        } else {
            take_page(&resp->items, &resp->n_items, &r->items, &r->n_items);
            take_page(&resp->lines, &resp->n_lines, &r->lines, &r->n_lines);
            take_page(&resp->realisasi, &resp->n_realisasi, &r->realisasi, &r->n_realisasi);
            done(r);
        }
        if (!next || next <= req.offset)
            break;
        req.offset = next;
    }
    if (rc == 0)
        /* The import format: plain RFC 4180 csv even with --excel. */
        rj_print_export(resp,
                        cli->mode == RJ_OUT_CSV || cli->mode == RJ_OUT_CSV_EXCEL ? RJ_OUT_CSV
                                                                                 : RJ_OUT_JSON,
                        cli->out);
    done(resp);
    return rc;
}

typedef struct watch_ctx {
    rj_cli *cli;
    const char *plan;
} watch_ctx;

static int watch_cb(const ProtobufCMessage *msg, void *arg)
{
    watch_ctx *w = arg;
    rj_print_revision(w->plan, (const Renja__V1__Revision *)msg, w->cli->mode, w->cli->out);
    /* A reader that went away ends the watch. */
    return ferror(w->cli->out) ? 1 : 0;
}

static void on_sigint(int sig)
{
    (void)sig;
    /* Every line is flushed as it is printed, so nothing is lost. */
    _exit(0);
}

static int cmd_watch(rj_cli *cli, const rj_args *a)
{
    rj_diag d = {{0}};
    uint64_t from = 0;
    if (rj_args_uint(a, "from", 0, UINT64_MAX, &from, &d))
        return usage(cli, "%s", d.msg);
    int rc = connect_once(cli);
    if (rc)
        return rc;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    Renja__V1__WatchRequest req = RENJA__V1__WATCH_REQUEST__INIT;
    req.plan = (char *)plan_arg(a);
    req.from = from;
    watch_ctx w = {cli, req.plan};
    if (cli->header && cli->mode == RJ_OUT_TSV)
        fprintf(cli->out, "rev\ttime\tauthor\tbidang\tmessage\n");
    const rj_method_info *m = &rj_methods[RJ_METHOD_Watch];
    int st =
        rj_rpc_stream(cli->rpc, m->path, cli->token, &req.base, m->response, watch_cb, &w, 0, &d);
    if (st == RJ_GRPC_CANCELLED && ferror(cli->out))
        return RJ_EXIT_OK;
    return st == 0 ? 0 : report(cli, st, &d);
}

/* import and export with a progress line on a terminal when they take a while */
static int cmd_import_progress(rj_cli *cli, const rj_args *a)
{
    char what[512];
    snprintf(what, sizeof(what), "%s: %s into %s", cli->prog, a->pos[1], a->pos[0]);
    rj_progress_start(cli->err, what);
    int rc = cmd_import(cli, a);
    rj_progress_end();
    return rc;
}

static int cmd_export_progress(rj_cli *cli, const rj_args *a)
{
    char what[512];
    snprintf(what, sizeof(what), "%s: %s", cli->prog, a->pos[0]);
    rj_progress_start(cli->err, what);
    int rc = cmd_export(cli, a);
    rj_progress_end();
    return rc;
}

static int cmd_completion(rj_cli *cli, const rj_args *a)
{
    if (rj_help_completion(a->pos[0], cli->out) < 0)
        return usage(cli, "%s: expected bash or zsh", a->pos[0]);
    return 0;
}

/* --- completion candidates (renja __complete) ------------------------------------------- */

static void complete_plans(rj_cli *cli, FILE *out)
{
    Renja__V1__ListPlansRequest req = RENJA__V1__LIST_PLANS_REQUEST__INIT;
    Renja__V1__ListPlansResponse *resp = NULL;
    if (CALL(cli, ListPlans, req, &resp) == 0)
        for (size_t i = 0; i < resp->n_plans; i++)
            fprintf(out, "%s\n", resp->plans[i]->id);
    done(resp);
}

static void complete_stages(rj_cli *cli, const char *plan, FILE *out)
{
    fprintf(out, "head\n");
    if (!plan)
        return;
    Renja__V1__ListStagesRequest req = RENJA__V1__LIST_STAGES_REQUEST__INIT;
    req.plan = (char *)plan;
    Renja__V1__ListStagesResponse *resp = NULL;
    if (CALL(cli, ListStages, req, &resp) == 0)
        for (size_t i = 0; i < resp->n_stages; i++)
            fprintf(out, "%s\n", resp->stages[i]->name);
    done(resp);
}

/* Candidates for a value named by a metavariable (REF, bash|zsh, PLAN). */
static void complete_value(rj_cli *cli, const char *meta, const char *plan, FILE *out)
{
    if (strcmp(meta, "PLAN") == 0)
        complete_plans(cli, out);
    else if (strcmp(meta, "REF") == 0 || strcmp(meta, "FROM") == 0 || strcmp(meta, "TO") == 0 ||
             strcmp(meta, "STAGE") == 0 || strcmp(meta, "NAME") == 0)
        complete_stages(cli, plan, out);
    else if (strcmp(meta, "FORMAT") == 0)
        fprintf(out, "table\ncsv\ntsv\njson\n");
    else if (strchr(meta, '|'))
        for (const char *p = meta; *p;) {
            size_t n = strcspn(p, "|");
            /* FILE|- offers no words: the shell completes file names */
            if (!(n == 1 && *p == '-') && strncmp(p, "FILE", n) != 0)
                fprintf(out, "%.*s\n", (int)n, p);
            p += n + (p[n] ? 1 : 0);
        }
}

/* The metavariable of positional argument k of c: "PLAN", "FROM", ...;
 * the last one repeats when it ends in "...". */
static bool positional_meta(const rj_command *c, int k, char *out, size_t n)
{
    const char *tok[16];
    size_t len[16];
    int ntok = 0;
    for (const char *p = c->args ? c->args : ""; *p && ntok < 16;) {
        p += strspn(p, " ");
        size_t l = strcspn(p, " ");
        if (l)
            tok[ntok] = p, len[ntok++] = l;
        p += l;
    }
    if (ntok == 0)
        return false;
    if (k >= ntok) {
        if (len[ntok - 1] < 3 || strncmp(tok[ntok - 1] + len[ntok - 1] - 3, "...", 3) != 0)
            return false;
        k = ntok - 1;
    }
    const char *t = tok[k];
    size_t l = len[k];
    while (l && *t == '[')
        t++, l--;
    while (l && (t[l - 1] == ']' || t[l - 1] == '.'))
        l--;
    snprintf(out, n, "%.*s", (int)l, t);
    return true;
}

static const rj_flag *global_named(const char *w)
{
    for (const rj_flag *f = rj_cli_globals; f->name; f++)
        if (strcmp(w + 2, f->name) == 0)
            return f;
    return NULL;
}

static void complete_flags(const rj_command *c, FILE *out)
{
    for (const rj_flag *f = c ? c->flags : NULL; f && f->name; f++)
        fprintf(out, "%s%s\n", rj_cli_dashes(f), f->name);
    for (const rj_flag *f = c ? c->flags : NULL; f && f->name; f++)
        if (rj_cli_flag_letter(f))
            fprintf(out, "-%c\n", rj_cli_flag_letter(f));
    for (const rj_flag *f = rj_cli_globals; f->name; f++)
        fprintf(out, "--%s\n", f->name);
    fprintf(out, "--help\n");
}

/* argv: the words after "renja", the last one being completed (maybe "").
 * Prints the candidates, one per line; the shell filters them by prefix. */
static int complete(rj_cli *cli, int argc, char **argv)
{
    FILE *out = cli->out;
    if (argc < 1)
        return 0;
    const char *cur = argv[argc - 1];
    const rj_command *c = NULL;
    const char *name = NULL, *pos[RJ_ARGS_MAX];
    int npos = 0;
    const char *want = NULL; /* metavariable of the value the previous flag takes */
    rj_diag d = {{0}};
    for (int i = 0; i < argc - 1; i++) {
        const char *w = argv[i];
        want = NULL;
        bool dash2 = strncmp(w, "--", 2) == 0;
        if (dash2 || (c && w[0] == '-' && w[1] && !w[2] && rj_cli_flag(c, w + 1, 1))) {
            const rj_flag *f = dash2 ? global_named(w) : rj_cli_flag(c, w + 1, 1);
            if (!f && c && dash2)
                f = rj_cli_flag(c, w + 2, strlen(w + 2));
            if (f && f->arg) {
                if (i + 1 < argc - 1) {
                    if (dash2 && global_named(w))
                        rj_cli_global(cli, 2, argv + i, &d);
                    i++;
                } else
                    want = f->arg;
            } else if (strchr(w, '='))
                rj_cli_global(cli, 1, argv + i, &d);
            continue;
        }
        if (!name) {
            name = w;
            int used;
            c = rj_cli_find(rj_commands, 1, argv + i, &used);
            if (c && c->sub)
                c = NULL;
            continue;
        }
        if (!c && strcmp(name, "help") != 0) {
            char *two[] = {(char *)name, (char *)w};
            int used;
            c = rj_cli_find(rj_commands, 2, two, &used);
            continue;
        }
        if (npos < RJ_ARGS_MAX)
            pos[npos++] = w;
    }
    if (want) {
        complete_value(cli, want, npos ? pos[0] : NULL, out);
        return 0;
    }
    if (strncmp(cur, "-", 1) == 0) {
        complete_flags(c, out);
        return 0;
    }
    if (!name || (name && strcmp(name, "help") == 0 && npos == 0 && !c)) {
        if (name && strcmp(name, "help") == 0)
            for (int i = 0; rj_help_topics[i]; i++)
                fprintf(out, "%s\n", rj_help_topics[i]);
        const char *prev = "";
        for (const rj_command *k = rj_commands; k->name; k++) {
            if (strcmp(k->name, prev) != 0)
                fprintf(out, "%s\n", k->name);
            prev = k->name;
        }
        if (!name)
            fprintf(out, "help\n");
        return 0;
    }
    if (!c) {
        for (const rj_command *k = rj_commands; k->name; k++)
            if (k->sub && strcmp(k->name, name) == 0)
                fprintf(out, "%s\n", k->sub);
        return 0;
    }
    char meta[64];
    if (positional_meta(c, npos, meta, sizeof(meta)))
        complete_value(cli, meta, npos ? pos[0] : NULL, out);
    return 0;
}

/* --- report ------------------------------------------------------------------------------ */

/* Progress on a terminal, for plans of at least this many rows. */
#define REPORT_PROGRESS_MIN 1000

typedef struct report_ctx {
    rj_cli *cli;
    bool progress;
    Renja__V1__ListStagesResponse *stages;
    Renja__V1__ListPlansResponse *plans;
    Renja__V1__DiffResponse *diff;
    Renja__V1__ShowResponse *show_from, *show_to, *show_at, *show_head;
    Renja__V1__EvaluateResponse *eval;
    Renja__V1__CompareResponse *compare;
    Renja__V1__ValidateResponse *validate[RJ_REPORT_MAX_VALIDATE];
    char **stage_refs;
    size_t nstage_refs;
    char *stages_arg; /* the copy of --stages the refs point into */
} report_ctx;

static void report_step(report_ctx *x, const char *what)
{
    if (x->progress)
        fprintf(x->cli->err, "\r\033[Kreport: %s", what);
}

static void report_rows_cb(size_t done, size_t total, void *arg)
{
    report_ctx *x = arg;
    if (x->progress)
        fprintf(x->cli->err, "\r\033[Kreport: writing rows %zu of %zu", done, total);
}

static void report_free(report_ctx *x)
{
    done(x->stages), done(x->plans), done(x->diff), done(x->eval), done(x->compare);
    done(x->show_from), done(x->show_head);
    if (x->show_to != x->show_from)
        done(x->show_to);
    if (x->show_at != x->show_from && x->show_at != x->show_to)
        done(x->show_at);
    for (int i = 0; i < RJ_REPORT_MAX_VALIDATE; i++)
        done(x->validate[i]);
    free(x->stage_refs);
    free(x->stages_arg);
}

static int stage_order_cmp(const void *a, const void *b)
{
    const Renja__V1__Stage *x = *(Renja__V1__Stage *const *)a, *y = *(Renja__V1__Stage *const *)b;
    return (x->order > y->order) - (x->order < y->order);
}

static int report_show(rj_cli *cli, const char *plan, const char *at, bool realisasi,
                       Renja__V1__ShowResponse **resp)
{
    Renja__V1__ShowRequest req = RENJA__V1__SHOW_REQUEST__INIT;
    req.plan = (char *)plan;
    req.at = (char *)at;
    req.with_realisasi = realisasi;
    return show_paged(cli, &req, resp);
}

/* The stages to compare: --stages S1,S2,... or every stage in order (a
 * plan without stages: --from and --to). */
static int report_stage_refs(report_ctx *x, const rj_args *a, const rj_report_in *in)
{
    const char *arg = rj_args_get(a, "stages");
    if (!arg) {
        x->stage_refs = rj_calloc(x->stages->n_stages + 2, sizeof(char *));
        for (size_t i = 0; i < x->stages->n_stages; i++)
            x->stage_refs[x->nstage_refs++] = x->stages->stages[i]->name;
        if (x->nstage_refs == 0) {
            x->stage_refs[x->nstage_refs++] = (char *)in->from;
            x->stage_refs[x->nstage_refs++] = (char *)in->to;
        }
        return 0;
    }
    x->stages_arg = rj_strdup(arg);
    x->stage_refs = rj_calloc(strlen(arg) / 2 + 2, sizeof(char *));
    for (char *save = NULL, *t = strtok_r(x->stages_arg, ",", &save); t;
         t = strtok_r(NULL, ",", &save))
        x->stage_refs[x->nstage_refs++] = t;
    if (x->nstage_refs == 0)
        return usage(x->cli, "--stages %s: expected stage names separated by commas", arg);
    return 0;
}

/* The latest triwulan with any realisasi reported (1 when none is). */
static int report_latest_tw(report_ctx *x, const char *plan, int *tw)
{
    int rc = report_show(x->cli, plan, "head", true, &x->show_head);
    if (rc)
        return rc;
    *tw = 1;
    for (size_t i = 0; i < x->show_head->n_realisasi; i++)
        if (x->show_head->realisasi[i]->tw > *tw)
            *tw = x->show_head->realisasi[i]->tw;
    return 0;
}

static int report_fetch(report_ctx *x, const rj_args *a, rj_report_in *in)
{
    rj_cli *cli = x->cli;
    const char *plan = plan_arg(a);
    Renja__V1__ListStagesRequest sreq = RENJA__V1__LIST_STAGES_REQUEST__INIT;
    sreq.plan = (char *)plan;
    int rc = CALL(cli, ListStages, sreq, &x->stages);
    if (rc)
        return rc;
    if (x->stages->n_stages > 1)
        qsort(x->stages->stages, x->stages->n_stages, sizeof(*x->stages->stages), stage_order_cmp);
    size_t ns = x->stages->n_stages;
    in->from = rj_args_get(a, "from");
    in->to = rj_args_get(a, "to");
    if ((!in->from || !in->to) && ns == 0)
        return fail(cli, RJ_EXIT_FAILED,
                    "report: the plan has no stages; give --from REF and --to REF");
    if (!in->from)
        in->from = x->stages->stages[0]->name;
    if (!in->to)
        in->to = x->stages->stages[ns - 1]->name;
    in->at = rj_args_get(a, "at") ? rj_args_get(a, "at") : in->from;
    if ((rc = report_stage_refs(x, a, in)) != 0)
        return rc;
    Renja__V1__ListPlansRequest preq = RENJA__V1__LIST_PLANS_REQUEST__INIT;
    if ((rc = CALL(cli, ListPlans, preq, &x->plans)) != 0)
        return rc;
    for (size_t i = 0; i < x->plans->n_plans; i++)
        if (strcmp(x->plans->plans[i]->id, plan) == 0)
            in->plan_nama = x->plans->plans[i]->nama;

    Renja__V1__DiffRequest dreq = RENJA__V1__DIFF_REQUEST__INIT;
    dreq.plan = (char *)plan, dreq.from = (char *)in->from, dreq.to = (char *)in->to;
    dreq.all = true;
    if ((rc = CALL_PAGED(cli, Diff, dreq, &x->diff)) != 0)
        return rc;
    x->progress = x->progress && x->diff->n_rows >= REPORT_PROGRESS_MIN;
    report_step(x, "reading the plan at both stages");
    if ((rc = report_show(cli, plan, in->from, false, &x->show_from)) != 0)
        return rc;
    x->show_to = x->show_from;
    if (strcmp(in->to, in->from) != 0 &&
        (rc = report_show(cli, plan, in->to, false, &x->show_to)) != 0)
        return rc;
    x->show_at = strcmp(in->at, in->from) == 0 ? x->show_from
                 : strcmp(in->at, in->to) == 0 ? x->show_to
                                               : NULL;
    if (!x->show_at && (rc = report_show(cli, plan, in->at, false, &x->show_at)) != 0)
        return rc;
    if (!rj_args_has(a, "tw") && (rc = report_latest_tw(x, plan, &in->tw)) != 0)
        return rc;

    report_step(x, "evaluating (Tabel 2-1)");
    Renja__V1__EvaluateRequest ereq = RENJA__V1__EVALUATE_REQUEST__INIT;
    ereq.plan = (char *)plan, ereq.tw = in->tw, ereq.at = (char *)in->at;
    if ((rc = CALL_PAGED(cli, Evaluate, ereq, &x->eval)) != 0)
        return rc;
    report_step(x, "comparing the stages (Tabel 3.2)");
    Renja__V1__CompareRequest creq = RENJA__V1__COMPARE_REQUEST__INIT;
    creq.plan = (char *)plan, creq.refs = x->stage_refs, creq.n_refs = x->nstage_refs;
    creq.what = (char *)"lines";
    if ((rc = CALL_PAGED(cli, Compare, creq, &x->compare)) != 0)
        return rc;
    report_step(x, "validating");
    const char *vrefs[2] = {in->from, in->to};
    size_t nv = x->diff->from_rev == x->diff->to_rev ? 1 : 2;
    for (size_t i = 0; i < nv; i++) {
        Renja__V1__ValidateRequest vreq = RENJA__V1__VALIDATE_REQUEST__INIT;
        vreq.plan = (char *)plan, vreq.at = (char *)vrefs[i];
        if ((rc = CALL_PAGED(cli, Validate, vreq, &x->validate[i])) != 0)
            return rc;
        in->validate[i] = x->validate[i];
        in->validate_ref[i] = vrefs[i];
    }
    in->nvalidate = nv;
    in->plan = plan;
    in->stages = x->stages;
    in->diff = x->diff;
    in->show_from = x->show_from, in->show_to = x->show_to, in->show_at = x->show_at;
    in->eval = x->eval;
    in->compare = x->compare;
    return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Put the finished temporary file in place: without --force, only where
 * nothing is (link fails on an existing name), so a file that appeared
 * meanwhile is not replaced either. */
static int report_commit(rj_cli *cli, const char *tmp, const char *path, bool force)
{
    char msg[RJ_DIAG_MAX];
    if (force ? rename(tmp, path) == 0 : link(tmp, path) == 0) {
        if (!force)
            unlink(tmp);
        return 0;
    }
    int err = errno;
    unlink(tmp);
    if (err == EEXIST)
        snprintf(msg, sizeof(msg), "%s exists; give --force to replace it", path);
    else
        snprintf(msg, sizeof(msg), "%s: %s", path, strerror(err));
    return fail(cli, RJ_EXIT_FAILED, msg);
}

static int report_write(report_ctx *x, const rj_doc *doc, const char *path, bool xlsx, bool force)
{
    rj_cli *cli = x->cli;
    char msg[RJ_DIAG_MAX];
    char *tmp = rj_asprintf("%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
        free(tmp);
        return fail(cli, RJ_EXIT_FAILED, msg);
    }
    /* mkstemp makes the file 0600; a report is an ordinary file. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    int rc = 0;
    if (xlsx) {
        close(fd);
        rj_diag d = {{0}};
        if (rj_xlsx_write(doc, tmp, report_rows_cb, x, &d) < 0)
            rc = fail(cli, RJ_EXIT_FAILED, d.msg);
    } else {
        FILE *f = fdopen(fd, "w");
        if (!f) {
            close(fd);
            rc = fail(cli, RJ_EXIT_FAILED, strerror(errno));
        } else {
            rj_html_write(doc, f);
            bool bad = ferror(f) != 0;
            if (fclose(f) != 0 || bad) {
                snprintf(msg, sizeof(msg), "%s: cannot write the file", path);
                rc = fail(cli, RJ_EXIT_FAILED, msg);
            }
        }
    }
    if (rc == 0)
        rc = report_commit(cli, tmp, path, force);
    else
        unlink(tmp);
    free(tmp);
    return rc;
}

static int cmd_report(rj_cli *cli, const rj_args *a)
{
    const char *path = rj_args_get(a, "o") ? rj_args_get(a, "o") : rj_args_get(a, "output");
    if (!path || !*path)
        return usage(cli, "report: -o FILE.xlsx or -o FILE.html is required");
    bool xlsx = ends_with(path, ".xlsx");
    if (!xlsx && !ends_with(path, ".html") && !ends_with(path, ".htm"))
        return usage(cli, "report: -o %s: the name must end in .xlsx or .html", path);
    bool force = rj_args_has(a, "force");
    if (!force && access(path, F_OK) == 0) {
        char msg[RJ_DIAG_MAX];
        snprintf(msg, sizeof(msg), "%s exists; give --force to replace it", path);
        return fail(cli, RJ_EXIT_FAILED, msg);
    }
    rj_diag d = {{0}};
    uint64_t tw = 0;
    if (rj_args_uint(a, "tw", 1, 4, &tw, &d))
        return usage(cli, "%s", d.msg);
    report_ctx x = {.cli = cli, .progress = isatty(fileno(cli->err))};
    rj_report_in in = {.tw = (int)tw};
    int rc = report_fetch(&x, a, &in);
    if (rc == 0) {
        report_step(&x, "building the tables");
        rj_doc *doc = rj_report_build(&in);
        rc = report_write(&x, doc, path, xlsx, force);
        rj_doc_free(doc);
    }
    if (x.progress)
        fputs("\r\033[K", cli->err);
    report_free(&x);
    return rc;
}

/* --- the table ------------------------------------------------------------------------ */

/* Flags shared by several commands. */
#define F_MESSAGE                                                                                  \
    {                                                                                              \
        "message", "TEXT", "the message of the new revision, as a commit message"                  \
    }
#define F_BASE                                                                                     \
    {                                                                                              \
        "base", "REV",                                                                             \
            "the revision your change is based on: refused as a conflict (exit 3) if someone "     \
            "changed "                                                                             \
            "the same item after it (default: the head revision)"                                  \
    }
#define F_AT(what)                                                                                 \
    {                                                                                              \
        "at", "REF",                                                                               \
            "the point to read " what " at: a stage name, a revision number or head "              \
            "(default head)"                                                                       \
    }
#define F_END                                                                                      \
    {                                                                                              \
        NULL, NULL, NULL                                                                           \
    }

const rj_command rj_commands[] = {
    {"health", NULL, "",
     "SERVING or not (exit 0 only when SERVING); needs no token; --wait retries until SERVING",
     (const rj_flag[]){{"wait", "SECONDS",
                        "retry for up to SECONDS until the daemon answers SERVING (a daemon just "
                        "started)"},
                       F_END},
     0, 0, cmd_health, RJ_REQ_NONE,
     "Asks the standard gRPC health service. Prints SERVING, NOT_SERVING (the daemon is "
     "shutting down) or SERVICE_UNKNOWN; exit 0 only for SERVING, 6 when nothing answers.",
     "renja health\n"
     "renja --server 127.0.0.1:7024 health"},
    {"info", NULL, "", "server version, uptime, request size limit and who you are", NULL, 0, 0,
     cmd_info, RJ_REQ_READ,
     "Prints the daemon's version, when it started, the largest request it accepts, and the "
     "name, role and bidang of the "
     "token you use.",
     "renja info"},
    {"plan", "create", "PLAN", "create a plan (PLAN is opd-slug/tahun, e.g. diskopukm-sumsel/2024)",
     (const rj_flag[]){{"nama", "TEXT", "the name of the perangkat daerah, as a title"}, F_END}, 1,
     1, cmd_plan_create, RJ_REQ_WRITE,
     "PLAN names one Renja: the perangkat daerah as a lowercase slug and the fiscal year. "
     "Prints the plan id.",
     "renja plan create diskopukm-sumsel/2024 --nama \"Dinas Koperasi dan UKM Provinsi Sumatera "
     "Selatan\""},
    {"plan", "list", "", "list the plans", NULL, 0, 0, cmd_plan_list, RJ_REQ_READ,
     "One record per plan: id, nama, head revision, whether it is locked, by whom, and when it "
     "was created.",
     "renja plan list\n"
     "renja --format tsv plan list | cut -f1"},
    {"plan", "lock", "PLAN", "lock a plan against changes",
     (const rj_flag[]){{"reason", "TEXT", "why, shown to whoever is refused a change"}, F_END}, 1,
     1, cmd_plan_lock, RJ_REQ_WRITE,
     "A locked plan refuses every change (exit 1) until a planner unlocks it; reads go on.",
     "renja plan lock diskopukm-sumsel/2024 --reason \"APBD-P 2024 ditetapkan\""},
    {"plan", "unlock", "PLAN", "unlock a plan", NULL, 1, 1, cmd_plan_unlock, RJ_REQ_WRITE, NULL,
     "renja plan unlock diskopukm-sumsel/2024"},
    {"import", NULL, "PLAN FILE|-", "one revision from a CSV or JSON file (docs/import-format.md)",
     (const rj_flag[]){F_MESSAGE,
                       F_BASE,
                       {"input-format", "csv|json",
                        "the format of FILE (default: by its extension; - is read as JSON "
                        "unless this says csv)"},
                       {"replace", NULL,
                        "make the plan exactly the file: items and budget lines the file "
                        "leaves out are removed"},
                       F_END},
     2, 2, cmd_import_progress, RJ_REQ_SUBMIT,
     "Reads the whole FILE (or standard input for -), checks it, and submits it as one "
     "revision: all of it or nothing. Prints the new revision number. A file that does not "
     "parse is refused with its line and column (exit 7).",
     "renja import diskopukm-sumsel/2024 02-apbd.json --message \"APBD induk\"\n"
     "renja export diskopukm-sumsel/2024 --at apbd | renja import diskopukm-sumsel/2024 - "
     "--replace"},
    {"set", NULL, "PLAN KODE FIELD=VALUE...",
     "one revision changing one item (fields: nama bidang lokasi pagu sumber-dana "
     "indikator.N.nama|satuan|target|tren)",
     (const rj_flag[]){F_MESSAGE,
                       F_BASE,
                       {"rekening", NULL,
                        "KODE is a budget line (kode rekening, e.g. 5.1.02.01.01.0024): only "
                        "nama= and pagu="},
                       F_END},
     3, -1, cmd_set, RJ_REQ_SUBMIT,
     "Changes the named fields of one item and keeps the others; an item that does not exist "
     "yet is created (its parent must exist). Fields: nama=, bidang=, lokasi=, pagu= (pagu=- "
     "clears it), sumber-dana=, and per indikator N (from 1) indikator.N.nama=, .satuan=, "
     ".target=, .tren=positif|negatif. Values are written as people write them: "
     "pagu=15.320.055.480, indikator.1.target=12,23. Prints the new revision number.",
     "renja set diskopukm-sumsel/2024 2.17.01.1.06.0009 pagu=382.350.747 --message "
     "\"pergeseran\"\n"
     "renja set diskopukm-sumsel/2024 2.17.01.1.01.0001 indikator.1.target=2"},
    {"rm", NULL, "PLAN KODE",
     "remove an item (with --recursive, its subtree), a budget line, or an item's indikator N",
     (const rj_flag[]){{"recursive", NULL, "remove the item and everything below it"},
                       {"rekening", NULL, "KODE is a budget line (kode rekening)"},
                       {"indikator", "N",
                        "remove the item's indikator N with its realisasi; the indikator after "
                        "it move up one number"},
                       F_MESSAGE,
                       F_BASE,
                       F_END},
     2, 2, cmd_rm, RJ_REQ_SUBMIT,
     "An item with children is refused unless --recursive is given. Prints the new revision "
     "number.",
     "renja rm diskopukm-sumsel/2024 2.17.01.1.07.0005 --message \"sub kegiatan ditiadakan\"\n"
     "renja rm diskopukm-sumsel/2024 2.17.01.1.01.0001 --indikator 2"},
    {"realisasi", NULL, "PLAN KODE [VALUE]", "report realisasi (cumulative s.d. TW N)",
     (const rj_flag[]){{"tw", "N", "the triwulan, 1 to 4: VALUE is the realisasi up to its end"},
                       {"indikator", "I", "which indikator of the item, from 1 (default 1)"},
                       {"anggaran", "RUPIAH",
                        "report the realisasi anggaran (money spent) instead of an indikator"},
                       F_MESSAGE,
                       F_BASE,
                       {"clear", NULL, "withdraw the realisasi reported for this triwulan"},
                       F_END},
     2, 3, cmd_realisasi, RJ_REQ_SUBMIT,
     "Reports one realisasi of one sub kegiatan: the value of an indikator (VALUE, e.g. 1 or "
     "45,5) or, with --anggaran, the rupiah spent, each cumulative up to the end of triwulan "
     "N. Prints the new revision number.",
     "renja realisasi diskopukm-sumsel/2024 2.17.01.1.01.0001 --tw 2 --indikator 1 1\n"
     "renja realisasi diskopukm-sumsel/2024 2.17.01.1.01.0001 --tw 2 --anggaran 22.900.000"},
    {"show", NULL, "PLAN [KODE]", "the tree or a subtree as of a point",
     (const rj_flag[]){
         F_AT("the plan"),
         {"lines", NULL, "the budget lines (kode rekening) instead of the program tree"},
         {"realisasi", NULL, "the realisasi reported, one record per report"},
         F_END},
     1, 2, cmd_show, RJ_REQ_READ,
     "One record per item: kode, nama, bidang, the declared pagu, the sum of its children "
     "(Jumlah) and its indikator. With KODE, only that item and what is below it.",
     "renja show diskopukm-sumsel/2024 2.17.01 --at apbd\n"
     "renja show diskopukm-sumsel/2024 --lines --at apbd-p"},
    {"log", NULL, "PLAN [KODE]",
     "revisions of the plan (who, role, from where), or those touching one item; --events: "
     "lock, unlock, stage set",
     (const rj_flag[]){{"limit", "N", "at most N revisions, the newest first (default all)"},
                       {"before", "REV", "only the revisions before REV (the next page by hand)"},
                       {"events", NULL, "the plan's events instead: lock, unlock, stage set"},
                       {"rekening", NULL, "KODE is a budget line (kode rekening)"},
                       F_END},
     1, 2, cmd_log, RJ_REQ_READ,
     "One record per revision, newest first: number, time, author, bidang and message. With "
     "KODE, only the revisions that touched the item or its subtree, and what each changed.",
     "renja log diskopukm-sumsel/2024 --limit 5\n"
     "renja log diskopukm-sumsel/2024 2.17.01.1.06.0009"},
    {"stage", "set", "PLAN NAME", "name a revision as a stage (tahapan)",
     (const rj_flag[]){{"rev", "REV", "the revision the stage names: a number or head (required)"},
                       {"title", "T", "the stage as the document titles it"},
                       {"basis", "B", "its legal basis (dasar hukum), e.g. the Perda or Perkada"},
                       {"date", "YYYY-MM-DD", "the date of its basis"},
                       {"order", "N", "its place among the stages (default: after the others)"},
                       F_END},
     2, 2, cmd_stage_set, RJ_REQ_WRITE,
     "A stage is a name for a revision (apbd, apbd-p, ...); diff, compare, eval and --at take "
     "stage names. A stage never moves once set. Prints the stage name.",
     "renja stage set diskopukm-sumsel/2024 apbd --rev 2 --title \"APBD 2024\" --basis \"Perda "
     "APBD 2024\"\n"
     "renja stage set diskopukm-sumsel/2024 apbd-p --rev head --date 2024-09-30"},
    {"stage", "list", "PLAN", "the stages of a plan", NULL, 1, 1, cmd_stage_list, RJ_REQ_READ,
     "One record per stage in its order: name, revision, title, basis, date, order, who set it.",
     "renja stage list diskopukm-sumsel/2024"},
    {"diff", NULL, "PLAN FROM TO", "what changed between two points (Tabel 3.3)",
     (const rj_flag[]){
         {"level", "L",
          "only rows at level L and above: urusan, program, kegiatan or "
          "sub-kegiatan"},
         {"by", "bidang|sumber-dana|rekening",
          "group the sub kegiatan by bidang or sumber dana, or show the budget "
          "lines down to jenis"},
         {"all", NULL, "every row, the unchanged too"},
         {"changed-only", NULL, "leave out rows whose pagu, targets and fields did not change"},
         {"exit-code", NULL,
          "exit 8 when there are differences and 0 when there are none, as git "
          "diff --exit-code does"},
         F_END},
     3, 3, cmd_diff, RJ_REQ_READ,
     "FROM and TO are stage names, revision numbers or head. One row per item whose pagu or "
     "targets differ: pagu before and after, the difference and its percentage, with the "
     "total as Jumlah; the human table marks added and removed rows in its Ket. column.",
     "renja diff diskopukm-sumsel/2024 apbd apbd-p\n"
     "renja diff diskopukm-sumsel/2024 apbd apbd-p --by bidang"},
    {"compare", NULL, "PLAN STAGE...", "pagu across stages (Tabel 3.2)",
     (const rj_flag[]){
         {"deltas", NULL, "the difference between each stage and the next instead of the pagu"},
         {"items", NULL, "the program tree instead of the budget lines"},
         {"lines", NULL, "the budget lines (the default)"},
         {"all-rows", NULL, "both the program tree and the budget lines"},
         F_END},
     2, -1, cmd_compare, RJ_REQ_READ,
     "One column per stage, in the order given, and the change from the first stage to the "
     "last in percent.",
     "renja compare diskopukm-sumsel/2024 apbd perkada-1 perkada-8 apbd-p\n"
     "renja compare diskopukm-sumsel/2024 apbd apbd-p --items"},
    {"eval", NULL, "PLAN", "capaian kinerja per indikator (Tabel 2-1)",
     (const rj_flag[]){{"tw", "N", "the triwulan, 1 to 4 (required)"},
                       F_AT("the targets"),
                       {"realisasi-at", "REF", "the point to read the realisasi at (default head)"},
                       F_END},
     1, 1, cmd_eval, RJ_REQ_READ,
     "One row per indikator of each sub kegiatan: target, realisasi up to triwulan N, capaian "
     "and predikat (Permendagri 86/2017), then how many rows have each predikat and which sub "
     "kegiatan met their target or have not started.",
     "renja eval diskopukm-sumsel/2024 --tw 2 --at apbd\n"
     "renja --format json eval diskopukm-sumsel/2024 --tw 2 --at apbd-p"},
    {"validate", NULL, "PLAN", "consistency report; exit 7 if any error",
     (const rj_flag[]){F_AT("the plan"), F_END}, 1, 1, cmd_validate, RJ_REQ_READ,
     "One record per finding: severity, kode, rule and message. Errors (a pagu that differs "
     "from the sum of its children, a missing parent, ...) make the exit status 7; warnings "
     "do not.",
     "renja validate diskopukm-sumsel/2024 --at apbd-p\n"
     "renja --format json validate diskopukm-sumsel/2024"},
    {"export", NULL, "PLAN", "the whole plan, importable again (JSON, or CSV with --format csv)",
     (const rj_flag[]){F_AT("the plan"), F_END}, 1, 1, cmd_export_progress, RJ_REQ_READ,
     "Prints the plan as import reads it (docs/import-format.md): items, budget lines, "
     "realisasi and stages in JSON, or items and budget lines in CSV.",
     "renja export diskopukm-sumsel/2024 --at apbd > apbd.json\n"
     "renja --format csv export diskopukm-sumsel/2024 > renja.csv"},
    {"watch", NULL, "PLAN", "one line per new revision until interrupted",
     (const rj_flag[]){
         {"from", "REV", "start with revision REV (default: only revisions made from now on)"},
         F_END},
     1, 1, cmd_watch, RJ_REQ_READ,
     "Prints each revision as it is made (tsv: rev, time, author, bidang, message; json: one "
     "object per line) until interrupted.",
     "renja watch diskopukm-sumsel/2024\n"
     "renja --format json watch diskopukm-sumsel/2024 --from 4"},
    {"completion", NULL, "bash|zsh", "a shell completion script", NULL, 1, 1, cmd_completion,
     RJ_REQ_NONE,
     "Prints a script that completes commands, flags, plan ids and stage names (asked of the "
     "server when it answers). Load it from your shell's startup file.",
     "source <(renja completion bash)\n"
     "renja completion zsh > \"${fpath[1]}/_renja\""},
    {"report", NULL, "PLAN",
     "Tabel 2-1, 2, 3.3 and 3.2 and the validate findings as a workbook or a printable page",
     (const rj_flag[]){
         {"o", "FILE.xlsx|FILE.html",
          "the file to write (required): a workbook (.xlsx) or one printable HTML "
          "page (.html)"},
         {"output", "FILE", "the same as -o"},
         {"from", "REF", "Tabel 3.3's sebelum (default: the first stage)"},
         {"to", "REF", "Tabel 3.3's sesudah (default: the last stage)"},
         {"stages", "S1,S2,...", "the columns of Tabel 3.2, in order (default: every stage)"},
         {"tw", "N", "Tabel 2-1 up to triwulan N (default: the latest with any realisasi)"},
         {"at", "REF", "the point Tabel 2-1's targets are read at (default: the --from stage)"},
         {"force", NULL, "replace FILE if it exists"},
         F_END},
     1, 1, cmd_report, RJ_REQ_READ,
     "Writes the Renja Perubahan's tables, ready to hand on, for any plan at any stages "
     "(renja help reports). An existing FILE is not replaced without --force; the file is "
     "written under a temporary name beside it and put in place whole. Nothing is printed on "
     "standard output.",
     "renja report diskopukm-sumsel/2024 --from apbd --to apbd-p -o renja-perubahan.xlsx\n"
     "renja report diskopukm-sumsel/2024 -o renja-perubahan.html --force"},
    {"token", "add", "NAME", "admins: a new token, printed once as the only line on stdout",
     (const rj_flag[]){
         {"role", "viewer|editor|planner|admin", "what the token may do (required)"},
         {"bidang", "BIDANG", "the bidang an editor may write (required for an editor)"},
         F_END},
     1, 1, cmd_token_add, RJ_REQ_WRITE,
     "Adds a token over the API (admins only) and prints it once, alone on stdout, so a script "
     "can capture it.",
     "renja token add umkm --role editor --bidang \"Bidang Pemberdayaan Usaha Kecil\""},
    {"token", "list", "", "admins: the tokens by name, role and bidang (never a secret)", NULL, 0,
     0, cmd_token_list, RJ_REQ_READ, NULL, "renja token list"},
    {"token", "revoke", "NAME", "admins: revoke a token; refused from its next call on", NULL, 1, 1,
     cmd_token_revoke, RJ_REQ_WRITE, NULL, "renja token revoke umkm"},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, RJ_REQ_NONE, NULL, NULL},
};

/* renja help [COMMAND|TOPIC]: 0, or 2 for a word that names neither. */
static int help(rj_cli *cli, int argc, char **argv)
{
    if (argc == 0) {
        rj_help_all(rj_commands, cli->out);
        return 0;
    }
    if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        rj_help_help(cli->out);
        return 0;
    }
    int used;
    const rj_command *c = rj_cli_find(rj_commands, argc, argv, &used);
    if (c) {
        rj_help_command(c, cli->out);
        return 0;
    }
    if (rj_help_topic(argv[0], cli->out))
        return 0;
    /* "help plan": every plan subcommand */
    bool any = false;
    for (const rj_command *k = rj_commands; k->name; k++)
        if (k->sub && strcmp(k->name, argv[0]) == 0) {
            if (any)
                fputc('\n', cli->out);
            rj_help_command(k, cli->out);
            any = true;
        }
    if (any)
        return 0;
    return usage(cli, "help %s: no such command or topic (see renja help)", argv[0]);
}

int rj_cmd_main(int argc, char **argv)
{
    rj_cli cli = {
        .server = getenv("RENJA_SERVER"),
        .token = getenv("RENJA_TOKEN"),
        .mode = isatty(STDOUT_FILENO) ? RJ_OUT_TABLE : RJ_OUT_TSV,
        .timeout_s = RJ_CLI_DEFAULT_TIMEOUT,
        .out = stdout,
        .err = stderr,
        .prog = "renja",
    };
    if (!cli.server || !*cli.server)
        cli.server = RJ_CLI_DEFAULT_SERVER;
    if (cli.token && !*cli.token)
        cli.token = NULL;
    const char *envfmt = getenv("RENJA_FORMAT");
    if (envfmt && *envfmt) {
        int m = rj_out_mode_parse(envfmt);
        if (m < 0)
            return usage(&cli, "RENJA_FORMAT=%s: expected table, csv, tsv or json", envfmt);
        cli.mode = (rj_out_mode)m;
    }
    rj_print_default_zone();
    if (!cli.token) {
        const char *f = getenv("RENJA_TOKEN_FILE");
        cli.token_file = f && *f ? f : NULL;
    }
    const char *ca = getenv("RENJA_CACERT");
    if (ca && *ca) {
        cli.cacert = ca;
        cli.tls = true;
    }
    rj_diag d = {{0}};
    int i = 1;
    if (i < argc && strcmp(argv[i], "__complete") == 0) {
        /* Candidates for the shell's completion: quiet, and quick when no
         * server answers. */
        FILE *null = fopen("/dev/null", "w");
        cli.err = null ? null : stderr;
        cli.timeout_s = 2;
        int rc = complete(&cli, argc - 2, argv + 2);
        if (cli.rpc)
            rj_rpc_close(cli.rpc);
        if (null)
            fclose(null);
        return rc;
    }
    while (i < argc && strncmp(argv[i], "-", 1) == 0) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return help(&cli, 0, NULL);
        if (strcmp(argv[i], "--version") == 0) {
            printf("renja %s\n", RENJA_VERSION);
            return 0;
        }
        int used = rj_cli_global(&cli, argc - i, argv + i, &d);
        if (used < 0)
            return usage(&cli, "%s", d.msg);
        if (used == 0)
            return usage(&cli, "unknown option %s (see renja help)", argv[i]);
        i += used;
    }
    if (i >= argc)
        return usage(&cli, "no command given (see renja help)");
    if (strcmp(argv[i], "help") == 0)
        return help(&cli, argc - i - 1, argv + i + 1);
    int used = 0;
    const rj_command *c = rj_cli_find(rj_commands, argc - i, argv + i, &used);
    if (!c) {
        /* "plan" alone, or an unknown word. */
        for (const rj_command *k = rj_commands; k->name; k++)
            if (strcmp(k->name, argv[i]) == 0)
                return usage(&cli, "%s: expected a subcommand (see renja help %s)", argv[i],
                             argv[i]);
        return usage(&cli, "unknown command \"%s\" (see renja help)", argv[i]);
    }
    i += used;
    /* From here on every message names the command as typed ("renja set: ..."). */
    char prog[64];
    snprintf(prog, sizeof(prog), "renja %s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
    cli.prog = prog;
    for (int k = i; k < argc && strcmp(argv[k], "--") != 0; k++)
        if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
            rj_help_command(c, stdout);
            return 0;
        }
    rj_args a;
    if (rj_cli_parse(&cli, c, argc - i, argv + i, &a, &d) < 0 || rj_cli_resolve(&cli, &d) < 0)
        return usage(&cli, "%s", d.msg);
    if (c->min_pos > 0 && c->args && strncmp(c->args, "PLAN", 4) == 0 &&
        rj_plan_id_check(a.pos[0], &d) != 0)
        return usage(&cli, "%s", d.msg);
    if (cli.token_file && c->kind != RJ_REQ_NONE && rj_cli_token_load(&cli, &d) != 0)
        return usage(&cli, "%s", d.msg);
    /* TLS is for TCP: the Unix socket is plaintext (and $RENJA_CACERT does
     * not apply to it). */
    if (cli.tls && strncmp(cli.server, "unix:", 5) == 0) {
        if (cli.tls_given)
            return usage(&cli,
                         "--cacert and --tls are for a HOST:PORT server; %s is a Unix socket, "
                         "which is plaintext",
                         cli.server);
        cli.tls = false;
        cli.cacert = NULL;
    }
    if (cli.cacert && c->run != cmd_completion && access(cli.cacert, R_OK) != 0)
        return usage(&cli, "%s %s: %s", cli.tls_given ? "--cacert" : "RENJA_CACERT", cli.cacert,
                     strerror(errno));
    cli.kind = c->kind;
    rj_out_layout lay = {.width = 0, .wide = cli.wide, .header = cli.header};
    struct winsize ws;
    if (cli.mode == RJ_OUT_TABLE && !cli.wide && isatty(STDOUT_FILENO) &&
        ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        lay.width = ws.ws_col;
    rj_out_set_layout(&lay);
    /* A closed reader (renja ... | head) is not an error of ours. */
    signal(SIGPIPE, SIG_IGN);
    int rc = c->run(&cli, &a);
    if (fflush(cli.out) != 0 && rc == 0 && errno != EPIPE)
        rc = fail(&cli, RJ_EXIT_FAILED, "cannot write the output");
    if (cli.rpc)
        rj_rpc_close(cli.rpc);
    return rc;
}
