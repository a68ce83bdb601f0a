/* Logging: one line per event on stderr, "renjad: <level>: <text>", so
 * journald keeps each event whole. Never pass a token to these functions. */
#ifndef RJ_LOG_H
#define RJ_LOG_H

typedef enum rj_log_level {
    RJ_LOG_ERROR = 0,
    RJ_LOG_WARN = 1,
    RJ_LOG_INFO = 2,
    RJ_LOG_DEBUG = 3,
} rj_log_level;

void rj_log_set_level(rj_log_level level);
/* "error", "warn", "info", "debug" -> level; -1 when unknown. */
int rj_log_level_parse(const char *s);
void rj_log(rj_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
