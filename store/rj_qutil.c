#include "rj_qutil.h"

#include <protobuf-c/protobuf-c.h>

char *rj_q_str(const char *s)
{
    /* protobuf-c leaves its own empty default alone when freeing. */
    if (!s || !*s)
        return (char *)protobuf_c_empty_string;
    return rj_strdup(s);
}

int rj_q_pct_cmp(int64_t num, int64_t den, int64_t t)
{
    /* num/den*100 <=> t  is  num*100 <=> t*den, flipped when den < 0. */
    __int128 l = (__int128)num * 100, r = (__int128)t * den;
    int c = l < r ? -1 : l > r;
    return den < 0 ? -c : c;
}
