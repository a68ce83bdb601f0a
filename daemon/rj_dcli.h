/* The command line of renjad as one table: its options (the getopt spec
 * and their help are the same rows) and its commands. --help and the
 * manual page renjad(8) are generated from it.
 */
#ifndef RJ_DCLI_H
#define RJ_DCLI_H

#include <stdio.h>

/* Bounds of --max-message: below 64 KiB a single ordinary command could be
 * refused (clients send anything this small without asking for the limit);
 * above 1 GiB one request could hold most of a small machine's memory. */
#define RJ_MAX_MESSAGE_MIN 65536
#define RJ_MAX_MESSAGE_MAX 1073741824

enum {
    RJ_DOPT_DATA = 1,
    RJ_DOPT_LISTEN,
    RJ_DOPT_LOG,
    RJ_DOPT_NAME,
    RJ_DOPT_ROLE,
    RJ_DOPT_BIDANG,
    RJ_DOPT_DRAIN,
    RJ_DOPT_MAXCONN,
    RJ_DOPT_IDLE,
    RJ_DOPT_MAXMSG,
    RJ_DOPT_MAXUNIX,
    RJ_DOPT_MAXPEER,
    RJ_DOPT_FIRSTCALL,
    RJ_DOPT_ANSWERMEM,
    RJ_DOPT_TLSCERT,
    RJ_DOPT_TLSKEY,
    RJ_DOPT_INSECURE,
    RJ_DOPT_HELP = 'h',
    RJ_DOPT_VERSION = 'V',
};

typedef struct rj_dopt {
    const char *name; /* without "--" */
    const char *arg;  /* metavariable, NULL for a switch */
    int id;           /* getopt_long's value */
    const char *help; /* one sentence */
} rj_dopt;

typedef struct rj_dcmd {
    const char *synopsis; /* after "renjad " */
    const char *help;
} rj_dcmd;

/* Both ended by a row with name (synopsis) NULL. */
extern const rj_dopt rj_dcli_options[];
extern const rj_dcmd rj_dcli_commands[];

/* renjad --help. */
void rj_dcli_usage(FILE *out);
/* renjad(8) in man(7) roff. */
void rj_dcli_man(FILE *out);

#endif
