/* TEMPORARY stand-ins for common/rj_kode.c and common/rj_sha256.c so that the
 * store builds and is tested before those land. Only the behaviour the store
 * relies on is here. Delete this file once common/ has the real ones. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rj_kode.h"
#include "tmp_standins.h"

static int split(const char *in, char segs[8][8], int *n)
{
    *n = 0;
    const char *p = in;
    if (!*p)
        return -1;
    for (;;) {
        size_t len = 0;
        while (isdigit((unsigned char)p[len]))
            len++;
        if (len == 0 || len > 6 || *n == 8)
            return -1;
        memcpy(segs[*n], p, len);
        segs[*n][len] = '\0';
        (*n)++;
        p += len;
        if (*p == '\0')
            return 0;
        if (*p != '.')
            return -1;
        p++;
    }
}

static int join(char segs[8][8], int n, const int *widths, char out[RJ_KODE_MAX])
{
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(segs[i]);
        if ((int)len > widths[i])
            return -1;
        if (i)
            out[o++] = '.';
        for (size_t k = len; k < (size_t)widths[i]; k++)
            out[o++] = '0';
        memcpy(out + o, segs[i], len);
        o += len;
    }
    out[o] = '\0';
    return 0;
}

static const int kode_widths[6] = {1, 2, 2, 1, 2, 4};
static const int rek_widths[6] = {1, 1, 2, 2, 2, 4};

int rj_kode_parse(const char *in, char out[RJ_KODE_MAX], rj_level *level, rj_diag *d)
{
    char segs[8][8];
    int n;
    if (split(in, segs, &n) < 0)
        return rj_diag_set(d, RJ_EINVAL, "kode %s: expected U.BB.PP.L.KK.SSSS", in);
    if (n >= 4 && strlen(segs[3]) == 3) { /* L and KK joined: 101 */
        for (int i = n; i > 4; i--)
            memcpy(segs[i], segs[i - 1], 8);
        memcpy(segs[4], segs[3] + 1, 3); /* two digits and the NUL */
        segs[3][1] = '\0';
        n++;
    }
    if (n > 6 || n == 1 || n == 4 || join(segs, n, kode_widths, out) < 0)
        return rj_diag_set(d, RJ_EINVAL, "kode %s: expected U.BB.PP.L.KK.SSSS", in);
    if (level)
        *level = n == 2 ? RJ_LEVEL_URUSAN
                 : n == 3 ? RJ_LEVEL_PROGRAM
                 : n == 5 ? RJ_LEVEL_KEGIATAN
                          : RJ_LEVEL_SUB_KEGIATAN;
    return 0;
}

rj_level rj_kode_level(const char *canon)
{
    char out[RJ_KODE_MAX];
    rj_level lv;
    if (strlen(canon) >= RJ_KODE_MAX || rj_kode_parse(canon, out, &lv, NULL) < 0 ||
        strcmp(out, canon) != 0)
        return RJ_LEVEL_NONE;
    return lv;
}

bool rj_kode_parent(const char *canon, char out[RJ_KODE_MAX])
{
    rj_level lv = rj_kode_level(canon);
    static const size_t lens[] = {0, 0, 4, 7, 12};
    if (lv <= RJ_LEVEL_URUSAN)
        return false;
    memcpy(out, canon, lens[lv]);
    out[lens[lv]] = '\0';
    return true;
}

bool rj_kode_in_subtree(const char *canon, const char *prefix)
{
    size_t n = strlen(prefix);
    if (n == 0)
        return true;
    return strncmp(canon, prefix, n) == 0 && (canon[n] == '\0' || canon[n] == '.');
}

int rj_rekening_parse(const char *in, char out[RJ_KODE_MAX], int *depth, rj_diag *d)
{
    char segs[8][8];
    int n;
    if (split(in, segs, &n) < 0 || n > 6 || join(segs, n, rek_widths, out) < 0)
        return rj_diag_set(d, RJ_EINVAL, "rekening %s: expected 5.1.01.01.01.0001", in);
    if (depth)
        *depth = n;
    return 0;
}

int rj_rekening_depth(const char *canon)
{
    char out[RJ_KODE_MAX];
    int depth;
    if (strlen(canon) >= RJ_KODE_MAX || rj_rekening_parse(canon, out, &depth, NULL) < 0 ||
        strcmp(out, canon) != 0)
        return 0;
    return depth;
}

bool rj_rekening_parent(const char *canon, char out[RJ_KODE_MAX])
{
    int depth = rj_rekening_depth(canon);
    if (depth <= 1)
        return false;
    const char *dot = strrchr(canon, '.');
    memcpy(out, canon, (size_t)(dot - canon));
    out[dot - canon] = '\0';
    return true;
}

/* SHA-256 (FIPS 180-4). */
static const uint32_t k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const unsigned char *b)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], bb = h[1], c = h[2], dd = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + k256[i] +
                      w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));
        hh = g;
        g = f;
        f = e;
        e = dd + t1;
        dd = c;
        c = bb;
        bb = a;
        a = t1 + t2;
    }
    h[0] += a, h[1] += bb, h[2] += c, h[3] += dd, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void rj_sha256_hex(const void *data, size_t len, char out[65])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    size_t left = len;
    while (left >= 64) {
        sha_block(h, p);
        p += 64;
        left -= 64;
    }
    unsigned char tail[128] = {0};
    memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tl = left < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tl - 1 - i] = (unsigned char)(bits >> (8 * i));
    sha_block(h, tail);
    if (tl == 128)
        sha_block(h, tail + 64);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08x", h[i]);
}

const char *rj_level_name(rj_level level)
{
    switch (level) {
    case RJ_LEVEL_URUSAN: return "urusan";
    case RJ_LEVEL_PROGRAM: return "program";
    case RJ_LEVEL_KEGIATAN: return "kegiatan";
    case RJ_LEVEL_SUB_KEGIATAN: return "sub kegiatan";
    default: return "none";
    }
}
