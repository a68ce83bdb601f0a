/* Printing of every response of the client through the one printer
 * (rj_out): which records, which columns, which JSON keys (docs/cli.md). The
 * functions only read the responses; they are called by the command
 * handlers and, with hand-built responses, by the tests.
 */
#ifndef RJ_PRINT_H
#define RJ_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "grpc/health/v1/health.pb-c.h"
#include "renja/v1/renja.pb-c.h"
#include "rj_out.h"

/* Write commands: the new revision (or the name created) alone on a line;
 * {"rev": N, ...} in json. */
void rj_print_submit(const char *plan, const Renja__V1__SubmitResponse *r, rj_out_mode m,
                     FILE *out);
void rj_print_plan(const Renja__V1__PlanResponse *r, rj_out_mode m, FILE *out);
void rj_print_stage_set(const char *plan, const Renja__V1__SetStageResponse *r, rj_out_mode m,
                        FILE *out);

/* Listing commands. */
void rj_print_tokens(const Renja__V1__ListTokensResponse *r, rj_out_mode m, FILE *out);
void rj_print_plans(const Renja__V1__ListPlansResponse *r, rj_out_mode m, FILE *out);
void rj_print_stages(const char *plan, const Renja__V1__ListStagesResponse *r, rj_out_mode m,
                     FILE *out);
void rj_print_log(const Renja__V1__LogResponse *r, rj_out_mode m, FILE *out);
/* log --events: lock, unlock and stage set, newest first. */
void rj_print_events(const Renja__V1__LogResponse *r, rj_out_mode m, FILE *out);
/* lines: the budget lines instead of the items; realisasi: the reported
 * realisasi (in json as "realisasi" beside the items). */
void rj_print_show(const Renja__V1__ShowResponse *r, bool lines, bool realisasi, rj_out_mode m,
                   FILE *out);
/* changed_only: leave out rows whose pagu, targets and fields are equal. */
void rj_print_diff(const Renja__V1__DiffResponse *r, bool changed_only, rj_out_mode m, FILE *out);
/* Does the diff show any difference (diff --exit-code)? */
bool rj_print_diff_changed(const Renja__V1__DiffResponse *r);
void rj_print_eval(const Renja__V1__EvaluateResponse *r, rj_out_mode m, FILE *out);
void rj_print_compare(const Renja__V1__CompareResponse *r, rj_out_mode m, FILE *out);
void rj_print_validate(const Renja__V1__ValidateResponse *r, rj_out_mode m, FILE *out);

/* export: the import format of docs/import-format.md; JSON unless m is
 * RJ_OUT_CSV. */
void rj_print_export(const Renja__V1__ExportResponse *r, rj_out_mode m, FILE *out);
/* watch: one line per revision (tsv: rev, time, author, bidang, message;
 * json: one object per line). */
void rj_print_revision(const char *plan, const Renja__V1__Revision *rev, rj_out_mode m, FILE *out);
void rj_print_info(const Renja__V1__ServerInfoResponse *r, rj_out_mode m, FILE *out);
void rj_print_health(Grpc__Health__V1__HealthCheckResponse__ServingStatus s, rj_out_mode m,
                     FILE *out);

/* A time in Unix milliseconds ("" for 0): for machine formats in UTC, ISO
 * 8601 with its offset ("2024-08-16T10:00:00Z"); for people (RJ_OUT_TABLE)
 * in the zone of $TZ, "2024-08-16 17:00:00 WIB" (main makes an unset TZ
 * WIB, see rj_print_default_zone). */
void rj_print_time(int64_t unix_ms, rj_out_mode m, char out[48]);
/* The zone of times shown to people when TZ is unset: WIB (UTC+7), that of
 * the plans' own region; call before the first time is printed. */
void rj_print_default_zone(void);

#endif
