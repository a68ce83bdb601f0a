/* placeholder until the module lands */
typedef int rj_daemon_placeholder_t;
