/* Speed of validate on a generated plan, in memory (no store): 10 programs
 * x 99 kegiatan x N/990 sub kegiatan (100,001 items by default) and 15
 * budget lines, at two stages. Every kegiatan declares a pagu; two thirds
 * of them differ from the sum of their children, by a figure some other row
 * carries (one budget line, or a figure shared by about 20 rows: too many
 * to name) or by one no row carries. Prints the time of the version rules and of the row-shift rule
 * over both stages, and the number of findings.
 *
 *   bench_validate [items]     (default 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rj_alloc.h"
#include "rj_kode.h"
#include "rj_shift.h"
#include "rj_validate.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static Renja__V1__Item *item(const char *kode, bool has_pagu, int64_t pagu)
{
    Renja__V1__Item *it = rj_malloc(sizeof *it);
    renja__v1__item__init(it);
    it->kode = rj_strdup(kode);
    it->level = (Renja__V1__Level)rj_kode_level(kode);
    it->nama = rj_asprintf("Item %s", kode);
    it->has_pagu = has_pagu;
    it->pagu = pagu;
    return it;
}

/* One stage of the plan; `bump` makes the second stage's figures differ. */
static Renja__V1__Item **make_items(size_t per, int64_t bump, size_t *n)
{
    size_t cap = 1 + 10 * (1 + 99 * (1 + per));
    Renja__V1__Item **it = rj_malloc(cap * sizeof *it);
    size_t k = 0, seq = 0;
    char kode[40];
    it[k++] = item("2.17", false, 0);
    for (int p = 1; p <= 10; p++) {
        snprintf(kode, sizeof kode, "2.17.%02d", p);
        it[k++] = item(kode, false, 0);
        for (int g = 1; g <= 99; g++) {
            snprintf(kode, sizeof kode, "2.17.%02d.1.%02d", p, g);
            size_t parent = k;
            it[k++] = item(kode, true, 0);
            int64_t sum = 0;
            for (size_t s = 1; s <= per; s++, seq++) {
                snprintf(kode, sizeof kode, "2.17.%02d.1.%02d.%04zu", p, g, s);
                /* 5,000 distinct figures: each shared by about 20 rows */
                int64_t v = 1000000 * (int64_t)(1 + seq * 7919 % 5000) + bump;
                it[k++] = item(kode, true, v);
                sum += v;
            }
            switch ((p * 99 + g) % 3) {
            case 0:
                if (g % 2) /* a figure many rows carry: a tie beyond RJ_SHIFT_MAX */
                    it[parent]->pagu = sum + 1000000 * 17 + bump;
                else /* the figure of budget line 5.2.03 alone */
                    it[parent]->pagu = sum + 10000007 + bump;
                break;
            case 1: /* a figure no row carries */
                it[parent]->pagu = sum + 1234567;
                break;
            default:
                it[parent]->pagu = sum;
            }
        }
    }
    *n = k;
    return it;
}

static Renja__V1__BudgetLine **make_lines(int64_t bump, size_t *n)
{
    static const char *kodes[] = {"5",      "5.1",    "5.1.01", "5.1.01.01", "5.1.01.02",
                                  "5.1.02", "5.2",    "5.2.01", "5.2.02",    "5.2.03",
                                  "5.2.04", "5.2.05", "5.2.06", "5.3",       "5.3.01"};
    size_t k = sizeof kodes / sizeof kodes[0];
    Renja__V1__BudgetLine **ln = rj_malloc(k * sizeof *ln);
    for (size_t i = 0; i < k; i++) {
        ln[i] = rj_malloc(sizeof *ln[i]);
        renja__v1__budget_line__init(ln[i]);
        ln[i]->kode = rj_strdup(kodes[i]);
        ln[i]->nama = rj_strdup(kodes[i]);
        ln[i]->has_pagu = strlen(kodes[i]) > 4; /* parents roll up */
        ln[i]->pagu = 1000000 * (int64_t)(i + 1) + 7 + bump;
    }
    *n = k;
    return ln;
}

static void free_all(void *arr, size_t n)
{
    void **a = arr;
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(a[i], NULL);
    free(a);
}

int main(int argc, char **argv)
{
    size_t want = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    size_t per = want / 990 ? want / 990 : 1;
    if (per > 9999) {
        fprintf(stderr, "bench_validate: at most 9999 sub kegiatan per kegiatan\n");
        return 2;
    }
    size_t na, nb, la, lb;
    Renja__V1__Item **a = make_items(per, 0, &na), **b = make_items(per, 1000, &nb);
    Renja__V1__BudgetLine **al = make_lines(0, &la), **bl = make_lines(1000, &lb);

    Renja__V1__ValidateResponse out = RENJA__V1__VALIDATE_RESPONSE__INIT;
    rj_diag d = {{0}};
    double t0 = now_ms();
    if (rj_validate_version(b, nb, bl, lb, &out, &d)) {
        fprintf(stderr, "bench_validate: %s\n", d.msg);
        return 1;
    }
    double t1 = now_ms();
    rj_shift *s = rj_shift_new();
    if (rj_shift_add(s, "apbd", a, na, al, la, &d) ||
        rj_shift_add(s, "apbd-p", b, nb, bl, lb, &d)) {
        fprintf(stderr, "bench_validate: %s\n", d.msg);
        return 1;
    }
    size_t before = out.n_findings;
    rj_shift_report(s, &out);
    double t2 = now_ms();
    rj_validate_sort(&out);
    double t3 = now_ms();
    printf("validate %zu items: version rules %9.1f ms  findings %zu\n", nb, t1 - t0, before);
    printf("validate %zu items: row-shift, two stages %9.1f ms  findings %zu\n", nb, t2 - t1,
           out.n_findings - before);
    printf("validate %zu items: total with sort %9.1f ms\n", nb, t3 - t0);
    rj_shift_free(s);
    protobuf_c_message_free_unpacked(
        (ProtobufCMessage *)memcpy(rj_malloc(sizeof out), &out, sizeof out), NULL);
    free_all(a, na);
    free_all(b, nb);
    free_all(al, la);
    free_all(bl, lb);
    return 0;
}
