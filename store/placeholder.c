/* placeholder until the module lands */
typedef int rj_store_placeholder_t;
