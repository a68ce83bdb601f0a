/* Names that are not codes: plan ids, stage names and roles, checked and
 * printed the same way by daemon, store and client. */
#ifndef RJ_IDENT_H
#define RJ_IDENT_H

#include <stdbool.h>

#include "rj_error.h"

/* Plan ids "opd-slug/tahun" (diskopukm-sumsel/2024) and stage names
 * ([a-z0-9][a-z0-9-]{0,63}, not a number, not "head"): RJ_EINVAL with d
 * naming the input and the expected form. */
int rj_plan_id_check(const char *id, rj_diag *d);
int rj_stage_name_check(const char *name, rj_diag *d);
/* Non-empty and only the digits 0-9. */
bool rj_is_decimal(const char *s);

/* Roles, numbered as Renja__V1__Role: 1 viewer, 2 editor, 3 planner,
 * 4 admin. rj_role_name gives "" for anything else; rj_role_parse 0 for an
 * unknown name. */
const char *rj_role_name(int role);
int rj_role_parse(const char *name);

#endif
