/* UTF-8 checking for text that crosses a boundary: request strings in the
 * daemon, import files in the client. */
#ifndef RJ_UTF8_H
#define RJ_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when p[0..n) is well-formed UTF-8 without NUL bytes (no overlong
 * forms, no surrogates, nothing past U+10FFFF); otherwise *bad gets the
 * offset of the first offending byte. */
bool rj_utf8_valid(const uint8_t *p, size_t n, size_t *bad);

#endif
