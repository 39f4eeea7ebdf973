/*
 * MOO reader (see moo.h). Every length read from the file is checked
 * against the chunk that contains it; unknown chunks are skipped by length.
 */
#include "tests/cpu/moo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t rd32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

bool moo_open(MooFile *f, const char *path, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        snprintf(err, errlen, "cannot open '%s'", path);
        return false;
    }
    size_t cap = 1 << 20;
    f->data = malloc(cap);
    for (;;) {
        if (!f->data) {
            gzclose(gz);
            snprintf(err, errlen, "out of memory reading '%s'", path);
            return false;
        }
        int n = gzread(gz, f->data + f->size, (unsigned)(cap - f->size));
        if (n < 0) {
            gzclose(gz);
            snprintf(err, errlen, "'%s' is not a valid gzip file", path);
            return false;
        }
        if (n == 0)
            break;
        f->size += (size_t)n;
        if (f->size == cap) {
            cap *= 2;
            uint8_t *d = realloc(f->data, cap);
            if (!d)
                free(f->data);
            f->data = d;
        }
    }
    gzclose(gz);
    if (f->size < 8 + 12 || memcmp(f->data, "MOO ", 4) != 0) {
        snprintf(err, errlen, "'%s' is not a MOO file", path);
        return false;
    }
    uint32_t hlen = rd32(f->data + 4);
    if (hlen < 12 || 8 + (size_t)hlen > f->size) {
        snprintf(err, errlen, "'%s': bad MOO header", path);
        return false;
    }
    f->count = rd32(f->data + 12);
    memcpy(f->cpu, f->data + 16, 4);
    f->pos = 8 + hlen;
    return true;
}

void moo_close(MooFile *f)
{
    free(f->data);
    f->data = NULL;
}

void moo_test_free(MooTest *t)
{
    free(t->init.ram);
    free(t->fina.ram);
    t->init.ram = t->fina.ram = NULL;
}

/* Parse a state chunk's subchunks (REGS, RAM) in [p, end). */
static bool parse_state(const uint8_t *p, const uint8_t *end, MooState *s)
{
    while (end - p >= 8) {
        uint32_t len = rd32(p + 4);
        const uint8_t *body = p + 8;
        if (len > (size_t)(end - body))
            return false;
        if (!memcmp(p, "REGS", 4)) {
            if (len < 2)
                return false;
            s->mask = rd16(body);
            const uint8_t *v = body + 2;
            for (int r = 0; r < MOO_NREGS; r++) {
                if (!(s->mask & (1u << r)))
                    continue;
                if (v + 2 > body + len)
                    return false;
                s->regs[r] = rd16(v);
                v += 2;
            }
        } else if (!memcmp(p, "RAM ", 4)) {
            if (len < 4)
                return false;
            uint32_t n = rd32(body);
            if ((uint64_t)n * 5 > len - 4)
                return false;
            s->ram = calloc(n ? n : 1, sizeof(MooRam));
            if (!s->ram)
                return false;
            for (uint32_t i = 0; i < n; i++) {
                s->ram[i].addr = rd32(body + 4 + 5 * i);
                s->ram[i].val = body[4 + 5 * i + 4];
            }
            s->nram = n;
        }
        p = body + len;
    }
    return true;
}

int moo_next(MooFile *f, MooTest *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof(*t));
    while (f->pos + 8 <= f->size) {
        const uint8_t *p = f->data + f->pos;
        uint32_t len = rd32(p + 4);
        if (len > f->size - f->pos - 8) {
            snprintf(err, errlen, "chunk at offset %zu runs past the end", f->pos);
            return -1;
        }
        f->pos += 8 + (size_t)len;
        if (memcmp(p, "TEST", 4) != 0)
            continue;
        if (len < 4) {
            snprintf(err, errlen, "short TEST chunk");
            return -1;
        }
        const uint8_t *q = p + 12, *end = p + 8 + len;
        t->index = rd32(p + 8);
        while (end - q >= 8) {
            uint32_t cl = rd32(q + 4);
            const uint8_t *b = q + 8;
            if (cl > (size_t)(end - b)) {
                snprintf(err, errlen, "test %u: subchunk runs past its test", t->index);
                moo_test_free(t);
                return -1;
            }
            if (!memcmp(q, "NAME", 4) && cl >= 4) {
                uint32_t n = rd32(b);
                if (n > cl - 4)
                    n = cl - 4;
                if (n >= sizeof(t->name))
                    n = sizeof(t->name) - 1;
                memcpy(t->name, b + 4, n);
            } else if (!memcmp(q, "BYTS", 4) && cl >= 4) {
                uint32_t n = rd32(b);
                if (n > cl - 4 || n > sizeof(t->bytes))
                    n = cl - 4 < sizeof(t->bytes) ? cl - 4 : sizeof(t->bytes);
                memcpy(t->bytes, b + 4, n);
                t->nbytes = n;
            } else if (!memcmp(q, "INIT", 4) || !memcmp(q, "FINA", 4)) {
                MooState *s = q[0] == 'I' ? &t->init : &t->fina;
                if (!parse_state(b, b + cl, s)) {
                    snprintf(err, errlen, "test %u: malformed %.4s", t->index, (const char *)q);
                    moo_test_free(t);
                    return -1;
                }
            } else if (!memcmp(q, "EXCP", 4) && cl >= 5) {
                t->has_excp = true;
                t->excp_num = b[0];
                t->excp_flag_addr = rd32(b + 1);
            } else if (!memcmp(q, "HASH", 4) && cl >= 20) {
                for (int i = 0; i < 20; i++)
                    snprintf(t->hash + 2 * i, 3, "%02x", b[i]);
            }
            q = b + cl;
        }
        return 1;
    }
    return 0;
}
