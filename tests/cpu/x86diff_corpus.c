/*
 * x86diff corpus files (see x86diff_corpus.h). Record layout, all fields
 * little-endian:
 *   u64 index; u8 flags (bit 0: -fp); u32 code_len; code bytes; u32 ninsns;
 *   ninsns x (u16 insn_off, u32 insn_undef); u32 final_undef;
 *   init:   16 x u64 regs, u64 rip, u64 rflags, data page, FXSAVE image;
 *   expect: 16 x u64 regs, u64 rip, u64 rflags, i32 exception, FXSAVE image,
 *           u32 ndiff, ndiff x (u16 offset, u8 byte): data bytes that
 *           differ from init's.
 */
#include <string.h>

#include "tests/cpu/x86diff_corpus.h"

static const char header[] = "doppel x86diff corpus 1\n";

static void put(FILE *f, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    fwrite(b, 1, (size_t)bytes, f);
}

static bool get(FILE *f, uint64_t *v, int bytes)
{
    uint8_t b[8];
    if (fread(b, 1, (size_t)bytes, f) != (size_t)bytes)
        return false;
    *v = 0;
    for (int i = 0; i < bytes; i++)
        *v |= (uint64_t)b[i] << (8 * i);
    return true;
}

FILE *diff_corpus_create(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return NULL;
    }
    fputs(header, f);
    return f;
}

FILE *diff_corpus_open(const char *path)
{
    char buf[sizeof(header)];
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    if (!fgets(buf, sizeof(buf), f) || strcmp(buf, header) != 0) {
        fprintf(stderr, "x86diff: %s is not an x86diff corpus (version 1)\n", path);
        fclose(f);
        return NULL;
    }
    return f;
}

static void put_regs(FILE *f, const DiffState *s)
{
    for (int r = 0; r < 16; r++)
        put(f, s->regs[r], 8);
    put(f, s->rip, 8);
    put(f, s->rflags, 8);
}

bool diff_corpus_write(FILE *f, const DiffRecord *r)
{
    const DiffLayout *l = &r->lay;
    put(f, r->index, 8);
    put(f, r->fp ? 1 : 0, 1);
    put(f, l->len, 4);
    fwrite(l->code, 1, l->len, f);
    put(f, (uint32_t)l->ninsns, 4);
    for (int i = 0; i < l->ninsns; i++) {
        put(f, l->insn_off[i], 2);
        put(f, l->insn_undef[i], 4);
    }
    put(f, l->final_undef, 4);
    put_regs(f, &r->init);
    fwrite(r->init.data, 1, DIFF_DATA_SIZE, f);
    fwrite(r->init.fx, 1, FX_SIZE, f);
    put_regs(f, &r->expect);
    put(f, (uint32_t)r->expect.exception, 4);
    fwrite(r->expect.fx, 1, FX_SIZE, f);
    uint32_t ndiff = 0;
    for (unsigned i = 0; i < DIFF_DATA_SIZE; i++)
        ndiff += r->expect.data[i] != r->init.data[i];
    put(f, ndiff, 4);
    for (unsigned i = 0; i < DIFF_DATA_SIZE; i++)
        if (r->expect.data[i] != r->init.data[i]) {
            put(f, i, 2);
            put(f, r->expect.data[i], 1);
        }
    return !ferror(f);
}

static bool get_regs(FILE *f, DiffState *s)
{
    for (int r = 0; r < 16; r++)
        if (!get(f, &s->regs[r], 8))
            return false;
    return get(f, &s->rip, 8) && get(f, &s->rflags, 8);
}

int diff_corpus_read(FILE *f, DiffRecord *r)
{
    uint64_t v;
    memset(r, 0, sizeof(*r));
    if (!get(f, &r->index, 8))
        return 0;
    DiffLayout *l = &r->lay;
    if (!get(f, &v, 1) || v > 1)
        goto bad;
    r->fp = v & 1;
    if (!get(f, &v, 4) || v > DIFF_CODE_MAX)
        goto bad;
    l->len = (size_t)v;
    if (fread(l->code, 1, l->len, f) != l->len || !get(f, &v, 4)
        || v > sizeof(l->insn_off) / sizeof(l->insn_off[0]))
        goto bad;
    l->ninsns = (int)v;
    for (int i = 0; i < l->ninsns; i++) {
        uint64_t off, undef;
        if (!get(f, &off, 2) || !get(f, &undef, 4) || off >= l->len)
            goto bad;
        l->insn_off[i] = (uint16_t)off;
        l->insn_undef[i] = (uint32_t)undef;
    }
    if (!get(f, &v, 4))
        goto bad;
    l->final_undef = (uint32_t)v;
    if (!get_regs(f, &r->init) || fread(r->init.data, 1, DIFF_DATA_SIZE, f) != DIFF_DATA_SIZE
        || fread(r->init.fx, 1, FX_SIZE, f) != FX_SIZE || !get_regs(f, &r->expect) || !get(f, &v, 4))
        goto bad;
    r->init.exception = DIFF_EXC_NONE;
    r->expect.exception = (int32_t)(uint32_t)v;
    memcpy(r->expect.data, r->init.data, DIFF_DATA_SIZE);
    if (fread(r->expect.fx, 1, FX_SIZE, f) != FX_SIZE || !get(f, &v, 4) || v > DIFF_DATA_SIZE)
        goto bad;
    for (uint64_t n = v; n > 0; n--) {
        uint64_t off, b;
        if (!get(f, &off, 2) || !get(f, &b, 1) || off >= DIFF_DATA_SIZE)
            goto bad;
        r->expect.data[off] = (uint8_t)b;
    }
    return 1;
bad:
    fprintf(stderr, "x86diff: corpus record after test %llu is malformed\n", (unsigned long long)r->index);
    return -1;
}
