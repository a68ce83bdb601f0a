/* Program-tree kode and rekening parsing (common/rj_kode.c), and the small
 * name checks beside them. Invariants: a parsed kode is canonical (it parses
 * to itself with the same level, rj_kode_level agrees), its parent is a
 * proper prefix one level up and covers it; the same for rekening. */
#include <stdbool.h>

#include "fuzz_util.h"
#include "rj_ident.h"
#include "rj_kode.h"

static void check_kode(const char *in)
{
    char out[RJ_KODE_MAX];
    rj_level level = RJ_LEVEL_NONE;
    rj_diag d = {{0}};
    int rc = rj_kode_parse(in, out, &level, &d);
    if (rc != 0) {
        FUZZ_CHECK(rc < 0 && d.msg[0] != '\0', "kode '%s' refused without a message", in);
        return;
    }
    FUZZ_CHECK(level >= RJ_LEVEL_URUSAN && level <= RJ_LEVEL_SUB_KEGIATAN, "'%s' level %d", in,
               (int)level);
    FUZZ_CHECK(rj_kode_level(out) == level, "'%s' -> '%s': rj_kode_level %d, parse said %d", in,
               out, (int)rj_kode_level(out), (int)level);

    char again[RJ_KODE_MAX];
    rj_level level2 = RJ_LEVEL_NONE;
    rc = rj_kode_parse(out, again, &level2, &d);
    FUZZ_CHECK(rc == 0 && strcmp(again, out) == 0 && level2 == level,
               "canonical '%s' (from '%s') does not parse to itself", out, in);
    FUZZ_CHECK(rj_kode_in_subtree(out, out) && rj_kode_in_subtree(out, ""), "'%s' subtree", out);
    FUZZ_CHECK(strcmp(rj_level_name(level), "") != 0, "level name");

    char parent[RJ_KODE_MAX];
    bool has = rj_kode_parent(out, parent);
    FUZZ_CHECK(has == (level > RJ_LEVEL_URUSAN), "'%s' level %d has parent %d", out, (int)level,
               has);
    if (has) {
        size_t pl = strlen(parent);
        FUZZ_CHECK(pl < strlen(out) && strncmp(parent, out, pl) == 0 && out[pl] == '.',
                   "parent '%s' is not a prefix of '%s'", parent, out);
        FUZZ_CHECK(rj_kode_level(parent) == level - 1, "parent '%s' of '%s' has level %d", parent,
                   out, (int)rj_kode_level(parent));
        FUZZ_CHECK(rj_kode_in_subtree(out, parent), "'%s' not under its parent '%s'", out, parent);
        FUZZ_CHECK(!rj_kode_in_subtree(parent, out), "parent '%s' under its child '%s'", parent,
                   out);
    }
}

static void check_rekening(const char *in)
{
    char out[RJ_KODE_MAX];
    int depth = 0;
    rj_diag d = {{0}};
    int rc = rj_rekening_parse(in, out, &depth, &d);
    if (rc != 0) {
        FUZZ_CHECK(rc < 0 && d.msg[0] != '\0', "rekening '%s' refused without a message", in);
        return;
    }
    FUZZ_CHECK(depth >= 1 && depth <= 6, "'%s' depth %d", in, depth);
    FUZZ_CHECK(rj_rekening_depth(out) == depth, "'%s' -> '%s': depth %d vs %d", in, out,
               rj_rekening_depth(out), depth);
    char again[RJ_KODE_MAX];
    int depth2 = 0;
    rc = rj_rekening_parse(out, again, &depth2, &d);
    FUZZ_CHECK(rc == 0 && strcmp(again, out) == 0 && depth2 == depth,
               "canonical rekening '%s' (from '%s') does not parse to itself", out, in);
    char parent[RJ_KODE_MAX];
    bool has = rj_rekening_parent(out, parent);
    FUZZ_CHECK(has == (depth > 1), "rekening '%s' depth %d has parent %d", out, depth, has);
    if (has) {
        size_t pl = strlen(parent);
        FUZZ_CHECK(pl < strlen(out) && strncmp(parent, out, pl) == 0 && out[pl] == '.',
                   "rekening parent '%s' is not a prefix of '%s'", parent, out);
        FUZZ_CHECK(rj_rekening_depth(parent) == depth - 1, "rekening parent '%s' of '%s'", parent,
                   out);
        FUZZ_CHECK(rj_kode_in_subtree(out, parent), "rekening '%s' not under '%s'", out, parent);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    check_kode(s);
    check_rekening(s);

    /* Functions that take canonical input must not misbehave on anything. */
    char buf[RJ_KODE_MAX];
    (void)rj_kode_level(s);
    (void)rj_kode_parent(s, buf);
    (void)rj_rekening_depth(s);
    (void)rj_rekening_parent(s, buf);
    (void)rj_kode_in_subtree(s, "2.17");
    (void)rj_kode_in_subtree("2.17.01.1.01.0001", s);
    rj_level lv;
    if (rj_level_parse(s, &lv) == 0)
        FUZZ_CHECK(lv >= RJ_LEVEL_URUSAN && lv <= RJ_LEVEL_SUB_KEGIATAN, "level '%s'", s);
    rj_diag d = {{0}};
    if (rj_plan_id_check(s, &d) != 0)
        FUZZ_CHECK(d.msg[0] != '\0', "plan id refused without a message");
    d.msg[0] = '\0';
    if (rj_stage_name_check(s, &d) != 0)
        FUZZ_CHECK(d.msg[0] != '\0', "stage name refused without a message");
    if (rj_is_decimal(s))
        FUZZ_CHECK(s[0] != '\0' && strspn(s, "0123456789") == strlen(s), "'%s' is not decimal", s);
    free(s);
    return 0;
}
