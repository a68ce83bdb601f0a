/* placeholder until the module lands */
typedef int rj_client_placeholder_t;
