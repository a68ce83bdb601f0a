#include "rj_ident.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "rj_limits.h"

bool rj_is_decimal(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool slug_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (!first && c == '-');
}

int rj_plan_id_check(const char *id, rj_diag *d)
{
    const char *slash = id ? strchr(id, '/') : NULL;
    bool ok = slash != NULL;
    if (ok) {
        size_t n = (size_t)(slash - id);
        ok = n >= 2 && n <= RJ_SLUG_MAX;
        for (size_t i = 0; ok && i < n; i++)
            ok = slug_char(id[i], i == 0);
        ok = ok && strlen(slash + 1) == 4 && rj_is_decimal(slash + 1);
    }
    if (!ok)
        return rj_diag_set(d, RJ_EINVAL,
                           /* cut short: a long id would push the advice out */
                           "plan id '%.80s' is not of the form opd-slug/tahun, e.g. "
                           "diskopukm-sumsel/2024 (slug: a-z, 0-9, '-', 2..%d characters; "
                           "tahun: 4 digits)",
                           id ? id : "", RJ_SLUG_MAX);
    return 0;
}

int rj_stage_name_check(const char *name, rj_diag *d)
{
    size_t n = name ? strlen(name) : 0;
    bool ok = n >= 1 && n <= RJ_STAGE_NAME_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = slug_char(name[i], i == 0);
    if (!ok)
        return rj_diag_set(d, RJ_EINVAL,
                           "stage name '%.80s' is not valid; expected [a-z0-9][a-z0-9-]{0,%d}, "
                           "e.g. perkada-8-2024",
                           name ? name : "", RJ_STAGE_NAME_MAX - 1);
    if (rj_is_decimal(name) || strcmp(name, "head") == 0)
        return rj_diag_set(d, RJ_EINVAL,
                           "stage name '%s' would read as a revision ref; use a name that "
                           "is not a number and not 'head'",
                           name);
    return 0;
}

static const char *const role_names[] = {"", "viewer", "editor", "planner", "admin"};

const char *rj_role_name(int role)
{
    return role > 0 && role <= 4 ? role_names[role] : "";
}

int rj_role_parse(const char *name)
{
    for (int i = 1; i <= 4; i++)
        if (name && strcmp(name, role_names[i]) == 0)
            return i;
    return 0;
}
