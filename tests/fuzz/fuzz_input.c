/* A whole import file (client/rj_input.c), read as JSON and as CSV into a
 * SubmitRequest, and its lines as `set` assignments. Invariants: a refused file comes with a
 * message; an accepted one yields a request that protobuf-c checks, packs and unpacks to the same
 * bytes, whose kodes are canonical. */
#include <stdbool.h>

#include "fuzz_util.h"
#include "rj_input.h"
#include "rj_kode.h"

static void check_request(Renja__V1__SubmitRequest *req)
{
    const ProtobufCMessage *m = &req->base;
    FUZZ_CHECK(protobuf_c_message_check(m), "request fails protobuf_c_message_check");
    for (size_t i = 0; i < req->n_changes; i++) {
        const Renja__V1__Change *c = req->changes[i];
        switch (c->change_case) {
        case RENJA__V1__CHANGE__CHANGE_UPSERT_ITEM:
            FUZZ_CHECK(rj_kode_level(c->upsert_item->kode) != RJ_LEVEL_NONE,
                       "item kode '%s' is not canonical", c->upsert_item->kode);
            break;
        case RENJA__V1__CHANGE__CHANGE_UPSERT_LINE:
            FUZZ_CHECK(rj_rekening_depth(c->upsert_line->kode) != 0,
                       "line kode '%s' is not canonical", c->upsert_line->kode);
            break;
        case RENJA__V1__CHANGE__CHANGE_REMOVE_ITEM:
            FUZZ_CHECK(rj_kode_level(c->remove_item) != RJ_LEVEL_NONE,
                       "removed kode '%s' is not canonical", c->remove_item);
            break;
        case RENJA__V1__CHANGE__CHANGE_REMOVE_LINE:
            FUZZ_CHECK(rj_rekening_depth(c->remove_line) != 0,
                       "removed rekening '%s' is not canonical", c->remove_line);
            break;
        default:
            break;
        }
    }
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    FUZZ_CHECK(protobuf_c_message_pack(m, buf) == n, "packed size");
    ProtobufCMessage *back = protobuf_c_message_unpack(m->descriptor, NULL, n, buf);
    FUZZ_CHECK(back != NULL, "packed request does not unpack (%zu bytes)", n);
    size_t n2 = protobuf_c_message_get_packed_size(back);
    uint8_t *buf2 = malloc(n2 ? n2 : 1);
    protobuf_c_message_pack(back, buf2);
    FUZZ_CHECK(n2 == n && memcmp(buf, buf2, n) == 0, "request changes through pack and unpack");
    protobuf_c_message_free_unpacked(back, NULL);
    free(buf2);
    free(buf);
}

static void read_as(const uint8_t *data, size_t size, rj_input_format fmt)
{
    rj_submit *s = rj_submit_new("diskopukm-sumsel/2024", "fuzz");
    rj_diag d = {{0}};
    int rc = rj_input_read(s, fmt == RJ_INPUT_CSV ? "in.csv" : "in.json", (const char *)data, size,
                           fmt, &d);
    if (rc == 0)
        check_request(rj_submit_req(s));
    else
        FUZZ_CHECK(rc == RJ_EINVAL && strncmp(d.msg, "in.", 3) == 0,
                   "refused with rc %d and message '%s'", rc, d.msg);
    rj_submit_free(s);
}

/* Each line of the input as a `set` assignment, to an item and to a
 * budget line (the command line is untrusted input too). */
static void set_lines(const uint8_t *data, size_t size)
{
    rj_submit *s = rj_submit_new("diskopukm-sumsel/2024", "fuzz");
    Renja__V1__Item *it = rj_submit_upsert_item(s, NULL, "2.17.01.1.01.0001");
    Renja__V1__BudgetLine *ln = rj_submit_upsert_line(s, NULL, "5.1.01");
    char *text = fuzz_cstr(data, size);
    char *save = NULL;
    int count = 0;
    for (char *a = strtok_r(text, "\n", &save); a && count < 64; a = strtok_r(NULL, "\n", &save)) {
        rj_diag d = {{0}};
        if (rj_set_item_field(s, it, a, &d) != 0)
            FUZZ_CHECK(d.msg[0], "set '%s' on an item refused without a message", a);
        d.msg[0] = '\0';
        if (rj_set_line_field(s, ln, a, &d) != 0)
            FUZZ_CHECK(d.msg[0], "set '%s' on a line refused without a message", a);
        count++;
    }
    check_request(rj_submit_req(s));
    free(text);
    rj_submit_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_as(data, size, RJ_INPUT_JSON);
    read_as(data, size, RJ_INPUT_CSV);
    set_lines(data, size);
    return 0;
}
