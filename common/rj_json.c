#include "rj_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rj_json {
    rj_json_type type;
    int line, col;
    char *text;      /* string value or number text */
    rj_json **items; /* array elements or object values */
    char **keys;     /* object keys, parallel to items */
    size_t n, cap;
};

typedef struct parser {
    const char *s;
    size_t len, pos;
    int line;
    size_t line_start;
    int max_depth;
    rj_diag *d;
} parser;

static int col_of(const parser *p)
{
    return (int)(p->pos - p->line_start) + 1;
}

static void describe(const parser *p, char out[32])
{
    if (p->pos >= p->len) {
        snprintf(out, 32, "end of input");
        return;
    }
    unsigned char c = (unsigned char)p->s[p->pos];
    if (c >= 0x20 && c < 0x7f)
        snprintf(out, 32, "'%c'", c);
    else
        snprintf(out, 32, "byte 0x%02x", c);
}

static int fail(parser *p, const char *expected)
{
    char found[32];
    describe(p, found);
    return rj_diag_set(p->d, RJ_EINVAL, "%d:%d: expected %s, found %s", p->line, col_of(p),
                       expected, found);
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c == '\n') {
            p->line++;
            p->line_start = p->pos + 1;
        } else if (c != ' ' && c != '\t' && c != '\r')
            break;
        p->pos++;
    }
}

static rj_json *node_new(parser *p, rj_json_type t)
{
    rj_json *j = rj_calloc(1, sizeof(*j));
    j->type = t;
    j->line = p->line;
    j->col = col_of(p);
    return j;
}

static void node_add(rj_json *j, char *key, rj_json *v)
{
    if (j->n == j->cap) {
        j->cap = rj_grow_cap(j->cap, j->n + 1, 4);
        j->items = rj_realloc_array(j->items, j->cap, sizeof(*j->items));
        if (j->type == RJ_JSON_OBJECT)
            j->keys = rj_realloc_array(j->keys, j->cap, sizeof(*j->keys));
    }
    if (j->type == RJ_JSON_OBJECT)
        j->keys[j->n] = key;
    j->items[j->n++] = v;
}

static int hex4(parser *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        if (p->pos >= p->len)
            return fail(p, "four hex digits after \\u");
        char c = p->s[p->pos];
        unsigned h;
        if (c >= '0' && c <= '9')
            h = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            h = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            h = (unsigned)(c - 'A' + 10);
        else
            return fail(p, "four hex digits after \\u");
        v = v * 16 + h;
        p->pos++;
    }
    *out = v;
    return 0;
}

static void put_utf8(rj_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80)
        u[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
        u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
    else
        u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
    rj_buf_append(b, u, n);
}

/* At the opening quote. Returns the decoded string in *out (owned). */
static int parse_string(parser *p, char **out)
{
    rj_buf b = {0};
    p->pos++;
    for (;;) {
        if (p->pos >= p->len) {
            rj_buf_free(&b);
            return fail(p, "'\"' closing the string");
        }
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20) {
            rj_buf_free(&b);
            return fail(p, "'\"' closing the string (control characters must be escaped)");
        }
        if (c != '\\') {
            rj_buf_append(&b, &p->s[p->pos++], 1);
            continue;
        }
        p->pos++;
        char e = p->pos < p->len ? p->s[p->pos] : 0;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e && simple) {
            static const char repl[] = "\"\\/\b\f\n\r\t";
            rj_buf_append(&b, &repl[simple - "\"\\/bfnrt"], 1);
            p->pos++;
            continue;
        }
        if (e != 'u') {
            rj_buf_free(&b);
            return fail(p, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
        p->pos++;
        unsigned cp = 0, lo = 0; /* set by hex4; zeroed for -O3 flow analysis */
        if (hex4(p, &cp) < 0) {
            rj_buf_free(&b);
            return RJ_EINVAL;
        }
        if (cp >= 0xd800 && cp < 0xdc00) {
            if (p->pos + 1 >= p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                rj_buf_free(&b);
                return fail(p, "\\u low surrogate after a high surrogate");
            }
            p->pos += 2;
            if (hex4(p, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
                rj_buf_free(&b);
                return rj_diag_set(p->d, RJ_EINVAL,
                                   "%d:%d: expected a low surrogate \\uDC00..\\uDFFF", p->line,
                                   col_of(p));
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp < 0xe000) {
            rj_buf_free(&b);
            return rj_diag_set(p->d, RJ_EINVAL, "%d:%d: unpaired low surrogate in \\u escape",
                               p->line, col_of(p));
        } else if (cp == 0) {
            rj_buf_free(&b);
            return rj_diag_set(p->d, RJ_EINVAL, "%d:%d: \\u0000 is not allowed in a string",
                               p->line, col_of(p));
        }
        put_utf8(&b, cp);
    }
    rj_buf_append(&b, "", 1);
    *out = b.data;
    return 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int parse_number(parser *p, rj_json *j)
{
    size_t start = p->pos;
    if (p->pos < p->len && p->s[p->pos] == '-')
        p->pos++;
    if (p->pos >= p->len || !is_digit(p->s[p->pos]))
        return fail(p, "a digit");
    if (p->s[p->pos] == '0')
        p->pos++;
    else
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos]))
            return fail(p, "a digit after the decimal point");
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos]))
            return fail(p, "a digit in the exponent");
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    }
    j->text = rj_strndup(p->s + start, p->pos - start);
    return 0;
}

static int parse_value(parser *p, int depth, rj_json **out);

static int parse_container(parser *p, int depth, rj_json *j)
{
    bool obj = j->type == RJ_JSON_OBJECT;
    char close = obj ? '}' : ']';
    if (depth >= p->max_depth)
        return rj_diag_set(p->d, RJ_EINVAL, "%d:%d: nesting deeper than %d levels", p->line,
                           col_of(p), p->max_depth);
    p->pos++;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (obj) {
            if (p->pos >= p->len || p->s[p->pos] != '"')
                return fail(p, "'\"' starting a member name");
            int rc = parse_string(p, &key);
            if (rc < 0)
                return rc;
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':') {
                free(key);
                return fail(p, "':' after the member name");
            }
            p->pos++;
        }
        rj_json *v = NULL;
        int rc = parse_value(p, depth + 1, &v);
        if (rc < 0) {
            free(key);
            return rc;
        }
        node_add(j, key, v);
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            return 0;
        }
        return fail(p, obj ? "',' or '}'" : "',' or ']'");
    }
}

static int parse_literal(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return fail(p, "a value (object, array, string, number, true, false or null)");
    p->pos += n;
    return 0;
}

static int parse_value(parser *p, int depth, rj_json **out)
{
    skip_ws(p);
    if (p->pos >= p->len)
        return fail(p, "a value");
    char c = p->s[p->pos];
    rj_json *j;
    int rc;
    switch (c) {
    case '{':
    case '[':
        j = node_new(p, c == '{' ? RJ_JSON_OBJECT : RJ_JSON_ARRAY);
        rc = parse_container(p, depth, j);
        break;
    case '"':
        j = node_new(p, RJ_JSON_STRING);
        rc = parse_string(p, &j->text);
        break;
    case 't':
        j = node_new(p, RJ_JSON_TRUE);
        rc = parse_literal(p, "true");
        break;
    case 'f':
        j = node_new(p, RJ_JSON_FALSE);
        rc = parse_literal(p, "false");
        break;
    case 'n':
        j = node_new(p, RJ_JSON_NULL);
        rc = parse_literal(p, "null");
        break;
    default:
        if (c != '-' && !is_digit(c))
            return fail(p, "a value (object, array, string, number, true, false or null)");
        j = node_new(p, RJ_JSON_NUMBER);
        rc = parse_number(p, j);
        break;
    }
    if (rc < 0) {
        rj_json_free(j);
        return rc;
    }
    *out = j;
    return 0;
}

int rj_json_parse(const char *text, size_t len, int max_depth, rj_json **out, rj_diag *d)
{
    *out = NULL;
    if (len > RJ_JSON_MAX_SIZE)
        return rj_diag_set(d, RJ_ETOOBIG, "input of %zu bytes is larger than the limit of %u bytes",
                           len, RJ_JSON_MAX_SIZE);
    parser p = {.s = text,
                .len = len,
                .line = 1,
                .max_depth = max_depth > 0 ? max_depth : RJ_JSON_MAX_DEPTH,
                .d = d};
    /* A UTF-8 byte order mark is tolerated, as spreadsheets write one. */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        p.pos = p.line_start = 3;
    rj_json *j = NULL;
    int rc = parse_value(&p, 0, &j);
    if (rc < 0)
        return rc;
    skip_ws(&p);
    if (p.pos < p.len) {
        rj_json_free(j);
        return fail(&p, "end of input after the value");
    }
    *out = j;
    return 0;
}

void rj_json_free(rj_json *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++) {
        rj_json_free(j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->text);
    free(j);
}

rj_json_type rj_json_kind(const rj_json *j)
{
    return j->type;
}

const char *rj_json_type_name(rj_json_type t)
{
    static const char *names[] = {"null", "false", "true", "number", "string", "array", "object"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

int rj_json_line(const rj_json *j)
{
    return j->line;
}
int rj_json_col(const rj_json *j)
{
    return j->col;
}

const char *rj_json_text(const rj_json *j)
{
    return j->type == RJ_JSON_STRING || j->type == RJ_JSON_NUMBER ? j->text : NULL;
}

size_t rj_json_len(const rj_json *j)
{
    return j->type == RJ_JSON_ARRAY || j->type == RJ_JSON_OBJECT ? j->n : 0;
}

rj_json *rj_json_at(const rj_json *j, size_t i)
{
    return i < rj_json_len(j) ? j->items[i] : NULL;
}

const char *rj_json_key_at(const rj_json *j, size_t i)
{
    return j->type == RJ_JSON_OBJECT && i < j->n ? j->keys[i] : NULL;
}

rj_json *rj_json_get(const rj_json *j, const char *key)
{
    if (!j || j->type != RJ_JSON_OBJECT)
        return NULL;
    for (size_t i = j->n; i-- > 0;)
        if (strcmp(j->keys[i], key) == 0)
            return j->items[i];
    return NULL;
}

void rj_json_put_str(rj_buf *b, const char *s)
{
    if (!s) {
        rj_buf_puts(b, "null");
        return;
    }
    rj_buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            rj_buf_puts(b, "\\\"");
            break;
        case '\\':
            rj_buf_puts(b, "\\\\");
            break;
        case '\n':
            rj_buf_puts(b, "\\n");
            break;
        case '\r':
            rj_buf_puts(b, "\\r");
            break;
        case '\t':
            rj_buf_puts(b, "\\t");
            break;
        default:
            if (*p < 0x20)
                rj_buf_printf(b, "\\u%04x", *p);
            else
                rj_buf_append(b, p, 1);
        }
    }
    rj_buf_append(b, "\"", 1);
}
