/* Replays a fuzz target without libFuzzer, so that every build (gcc, plain
 * or with sanitizers) runs the corpus and a fixed stream of generated inputs
 * through the target as a CTest test.
 *
 * Usage: fuzz_<target> CORPUS_DIR [COUNT]
 *   1. every regular file in CORPUS_DIR, in name order;
 *   2. COUNT (default 20000, else env RJ_FUZZ_COUNT) inputs from a
 *      fixed-seed generator: corpus files mutated (bit flips, byte edits,
 *      inserts, deletes, splices of two files, interesting bytes) and some
 *      purely random buffers.
 * The run is deterministic: a failure reproduces with the same arguments.
 * The target reports problems by crashing or aborting, as under libFuzzer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536

typedef struct seed {
    uint8_t *data;
    size_t len;
} seed;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: small, fast and the same on every platform. */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rng_below(size_t n)
{
    return n ? (size_t)(rng() % n) : 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_file(const char *path, seed *out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (!buf)
        return -1;
    out->data = buf;
    out->len = len;
    return 0;
}

static const char *save_path;

/* Run the target on an exact-size heap copy so ASan sees any overread.
 * With RJ_FUZZ_SAVE=FILE each input is first written to FILE, so after a
 * crash FILE holds the input that caused it. */
static void run(const uint8_t *p, size_t n)
{
    if (save_path) {
        FILE *f = fopen(save_path, "wb");
        if (f) {
            fwrite(p, 1, n, f);
            fclose(f);
        }
    }
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        abort();
    if (n)
        memcpy(copy, p, n);
    LLVMFuzzerTestOneInput(copy, n);
    free(copy);
}

static const uint8_t interesting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '"', '\\', ',', ';', '.',
                                      '-',  '(',  ')',  '%',  '[',  ']', '{',  '}', ':', '\n',
                                      '\r', ' ',  '0',  '9',  'e',  'u', 'R',  'p'};

static size_t mutate(uint8_t *buf, size_t len, const seed *seeds, size_t nseeds)
{
    int rounds = 1 + (int)rng_below(4);
    for (int r = 0; r < rounds; r++) {
        switch (rng_below(8)) {
        case 0: /* flip a bit */
            if (len)
                buf[rng_below(len)] ^= (uint8_t)(1u << rng_below(8));
            break;
        case 1: /* set a byte to an interesting value */
            if (len)
                buf[rng_below(len)] = interesting[rng_below(sizeof interesting)];
            break;
        case 2: /* random byte */
            if (len)
                buf[rng_below(len)] = (uint8_t)rng();
            break;
        case 3: /* insert an interesting byte */
            if (len < FUZZ_MAX_INPUT) {
                size_t at = rng_below(len + 1);
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = interesting[rng_below(sizeof interesting)];
                len++;
            }
            break;
        case 4: /* delete a run */
            if (len) {
                size_t at = rng_below(len);
                size_t n = 1 + rng_below(len - at < 16 ? len - at : 16);
                memmove(buf + at, buf + at + n, len - at - n);
                len -= n;
            }
            break;
        case 5: /* duplicate a run */
            if (len) {
                size_t at = rng_below(len);
                size_t n = 1 + rng_below(len - at < 32 ? len - at : 32);
                if (len + n <= FUZZ_MAX_INPUT) {
                    size_t to = rng_below(len + 1);
                    uint8_t tmp[32];
                    memcpy(tmp, buf + at, n);
                    memmove(buf + to + n, buf + to, len - to);
                    memcpy(buf + to, tmp, n);
                    len += n;
                }
            }
            break;
        case 6: /* splice in a piece of another seed */
            if (nseeds) {
                const seed *o = &seeds[rng_below(nseeds)];
                if (o->len) {
                    size_t from = rng_below(o->len);
                    size_t n = 1 + rng_below(o->len - from < 64 ? o->len - from : 64);
                    if (len + n <= FUZZ_MAX_INPUT) {
                        size_t to = rng_below(len + 1);
                        memmove(buf + to + n, buf + to, len - to);
                        memcpy(buf + to, o->data + from, n);
                        len += n;
                    }
                }
            }
            break;
        default: /* truncate */
            if (len)
                len = rng_below(len + 1);
            break;
        }
    }
    return len;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR [COUNT]\n", argv[0]);
        return 2;
    }
    long count = 20000;
    const char *env = getenv("RJ_FUZZ_COUNT");
    save_path = getenv("RJ_FUZZ_SAVE");
    if (argc > 2)
        count = strtol(argv[2], NULL, 10);
    else if (env)
        count = strtol(env, NULL, 10);

    DIR *dir = opendir(argv[1]);
    if (!dir) {
        fprintf(stderr, "%s: cannot open corpus directory\n", argv[1]);
        return 2;
    }
    char **names = NULL;
    size_t nnames = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (nnames + 1) * sizeof *names);
        if (!names)
            abort();
        names[nnames++] = strdup(e->d_name);
    }
    closedir(dir);
    if (nnames)
        qsort(names, nnames, sizeof *names, name_cmp);

    seed *seeds = calloc(nnames ? nnames : 1, sizeof *seeds);
    size_t nseeds = 0;
    for (size_t i = 0; i < nnames; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (read_file(path, &seeds[nseeds]) != 0) {
            fprintf(stderr, "%s: cannot read\n", path);
            return 2;
        }
        run(seeds[nseeds].data, seeds[nseeds].len);
        nseeds++;
    }

    uint8_t *buf = malloc(FUZZ_MAX_INPUT);
    if (!buf)
        abort();
    for (long i = 0; i < count; i++) {
        size_t len;
        if (nseeds == 0 || rng_below(10) == 0) {
            len = rng_below(rng_below(4) == 0 ? 1024 : 64);
            for (size_t k = 0; k < len; k++)
                buf[k] = (uint8_t)rng();
        } else {
            const seed *s = &seeds[rng_below(nseeds)];
            len = s->len < FUZZ_MAX_INPUT ? s->len : FUZZ_MAX_INPUT;
            memcpy(buf, s->data, len);
            len = mutate(buf, len, seeds, nseeds);
        }
        run(buf, len);
    }
    printf("%s: %zu corpus files and %ld generated inputs: 0 failures\n", argv[0], nseeds, count);

    free(buf);
    for (size_t i = 0; i < nseeds; i++)
        free(seeds[i].data);
    free(seeds);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return 0;
}
