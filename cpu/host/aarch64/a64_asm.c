/*
 * A64 instruction encoder (see a64_asm.h). Section numbers refer to the
 * Arm ARM for A-profile, DDI 0487 (chapter C4 encoding index, C6
 * instruction pages).
 */
#include <string.h>

#include "cpu/host/aarch64/a64_asm.h"

void a64_emit(A64Asm *a, uint32_t insn)
{
    if (a->pos + 4 > a->size) {
        a->overflow = true;
        return;
    }
    memcpy(a->code + a->pos, &insn, 4);     /* A64 code is little-endian */
    a->pos += 4;
}

void a64_emit64(A64Asm *a, uint64_t v)
{
    a64_emit(a, (uint32_t)v);
    a64_emit(a, (uint32_t)(v >> 32));
}

uint32_t a64_read(const A64Asm *a, size_t pos)
{
    uint32_t v = 0;
    if (pos + 4 <= a->pos) {
        memcpy(&v, a->code + pos, 4);
    }
    return v;
}

void a64_patch(A64Asm *a, size_t pos, uint32_t insn)
{
    if (pos + 4 <= a->pos) {
        memcpy(a->code + pos, &insn, 4);
    }
}

static uint32_t sf(bool w) { return w ? 1u << 31 : 0; }
static uint32_t rd(int r) { return (uint32_t)r & 31; }
static uint32_t rn(int r) { return ((uint32_t)r & 31) << 5; }
static uint32_t rm(int r) { return ((uint32_t)r & 31) << 16; }

/* ---- immediates ---- */

/* DecodeBitMasks (DDI 0487 J1.1.3) in reverse: the value must be one
 * element of 2..64 bits, replicated, holding a rotated run of ones. */
bool a64_logic_imm(uint64_t v, bool w, uint32_t *enc)
{
    if (!w) {
        v &= 0xffffffffu;
        v |= v << 32;
    }
    if (v == 0 || v == ~0ull) {
        return false;
    }
    unsigned size = 64;
    while (size > 2) {
        unsigned half = size / 2;
        uint64_t m = (1ull << half) - 1;
        if ((v & m) != ((v >> half) & m)) {
            break;
        }
        size = half;
    }
    uint64_t emask = size == 64 ? ~0ull : (1ull << size) - 1;
    uint64_t e = v & emask;
    unsigned ones = (unsigned)__builtin_popcountll(e);
    uint64_t run = (1ull << ones) - 1;      /* ones < size */
    for (unsigned r = 0; r < size; r++) {
        uint64_t rot = r ? ((run >> r) | (run << (size - r))) & emask : run;
        if (rot == e) {
            uint32_t imms = ((~(size - 1) << 1) & 0x3f) | (ones - 1);
            uint32_t n = size == 64 ? 1 : 0;
            *enc = (n << 12) | (r << 6) | imms;
            return true;
        }
    }
    return false;
}

bool a64_addsub_imm_ok(uint64_t v)
{
    return v < 4096 || ((v & 0xfff) == 0 && v < (1u << 24));
}

/* ---- moves and arithmetic ---- */

void a64_movz(A64Asm *a, bool w, int d, uint16_t imm, int hw)
{
    a64_emit(a, 0x52800000 | sf(w) | ((uint32_t)hw << 21) | ((uint32_t)imm << 5) | rd(d));
}

void a64_movk(A64Asm *a, bool w, int d, uint16_t imm, int hw)
{
    a64_emit(a, 0x72800000 | sf(w) | ((uint32_t)hw << 21) | ((uint32_t)imm << 5) | rd(d));
}

static void a64_movn(A64Asm *a, bool w, int d, uint16_t imm, int hw)
{
    a64_emit(a, 0x12800000 | sf(w) | ((uint32_t)hw << 21) | ((uint32_t)imm << 5) | rd(d));
}

void a64_mov(A64Asm *a, bool w, int d, int s)
{
    if (d != s || !w) {
        a64_logic_rr(a, A64_ORR, w, d, A64_ZR, s, A64_LSL, 0);
    }
}

void a64_movi(A64Asm *a, bool w, int d, uint64_t v)
{
    int nh = w ? 4 : 2;
    int nzero = 0, nones = 0;
    uint32_t enc;

    if (!w) {
        v &= 0xffffffffu;
    }
    for (int i = 0; i < nh; i++) {
        uint16_t h = (uint16_t)(v >> (16 * i));
        nzero += h == 0;
        nones += h == 0xffff;
    }
    int zcost = nh - nzero, ncost = nh - nones;
    if (zcost > 1 && ncost > 1 && a64_logic_imm(v, w, &enc)) {
        a64_logic_ri(a, A64_ORR, w, d, A64_ZR, enc);
        return;
    }
    if (zcost <= ncost) {
        bool first = true;
        for (int i = 0; i < nh; i++) {
            uint16_t h = (uint16_t)(v >> (16 * i));
            if (h == 0) {
                continue;
            }
            if (first) {
                a64_movz(a, w, d, h, i);
            } else {
                a64_movk(a, w, d, h, i);
            }
            first = false;
        }
        if (first) {
            a64_movz(a, w, d, 0, 0);
        }
        return;
    }
    bool first = true;
    for (int i = 0; i < nh; i++) {
        uint16_t h = (uint16_t)(v >> (16 * i));
        if (h == 0xffff) {
            continue;
        }
        if (first) {
            a64_movn(a, w, d, (uint16_t)~h, i);
        } else {
            a64_movk(a, w, d, h, i);
        }
        first = false;
    }
    if (first) {
        a64_movn(a, w, d, 0, 0);
    }
}

void a64_addsub_rr(A64Asm *a, bool w, bool sub, bool setflags, int d, int n, int m, A64Shift sh, unsigned amount)
{
    a64_emit(a, 0x0b000000 | sf(w) | (sub ? 1u << 30 : 0) | (setflags ? 1u << 29 : 0) | ((uint32_t)sh << 22)
                    | rm(m) | ((amount & 63) << 10) | rn(n) | rd(d));
}

void a64_addsub_ri(A64Asm *a, bool w, bool sub, bool setflags, int d, int n, uint64_t v)
{
    uint32_t sh = 0;
    if (v >= 4096) {
        sh = 1;
        v >>= 12;
    }
    a64_emit(a, 0x11000000 | sf(w) | (sub ? 1u << 30 : 0) | (setflags ? 1u << 29 : 0) | (sh << 22)
                    | ((uint32_t)(v & 0xfff) << 10) | rn(n) | rd(d));
}

void a64_add_const(A64Asm *a, bool w, int d, int n, int64_t v, int scratch)
{
    bool sub = v < 0;
    uint64_t m = sub ? 0 - (uint64_t)v : (uint64_t)v;

    if (m == 0) {
        if (d != n) {
            a64_addsub_ri(a, w, false, false, d, n, 0);
        }
    } else if (a64_addsub_imm_ok(m)) {
        a64_addsub_ri(a, w, sub, false, d, n, m);
    } else if (m < (1u << 24)) {
        a64_addsub_ri(a, w, sub, false, d, n, m & 0xfff000);
        a64_addsub_ri(a, w, sub, false, d, d, m & 0xfff);
    } else {
        a64_movi(a, w, scratch, (uint64_t)v);
        a64_addsub_rr(a, w, false, false, d, n, scratch, A64_LSL, 0);
    }
}

void a64_logic_rr(A64Asm *a, A64Logic op, bool w, int d, int n, int m, A64Shift sh, unsigned amount)
{
    a64_emit(a, (uint32_t)op | sf(w) | ((uint32_t)sh << 22) | rm(m) | ((amount & 63) << 10) | rn(n) | rd(d));
}

void a64_logic_ri(A64Asm *a, A64Logic op, bool w, int d, int n, uint32_t enc)
{
    uint32_t base;
    switch (op) {
    case A64_ORR: base = 0x32000000; break;
    case A64_EOR: base = 0x52000000; break;
    case A64_ANDS: base = 0x72000000; break;
    default: base = 0x12000000; break;
    }
    a64_emit(a, base | sf(w) | ((enc & 0x1fff) << 10) | rn(n) | rd(d));
}

void a64_op2(A64Asm *a, A64Op2 op, bool w, int d, int n, int m)
{
    a64_emit(a, (uint32_t)op | sf(w) | rm(m) | rn(n) | rd(d));
}

void a64_op1(A64Asm *a, A64Op1 op, bool w, int d, int n)
{
    a64_emit(a, (uint32_t)op | sf(w) | rn(n) | rd(d));
}

void a64_madd(A64Asm *a, bool w, bool sub, int d, int n, int m, int ra)
{
    a64_emit(a, 0x1b000000 | sf(w) | (sub ? 1u << 15 : 0) | rm(m) | ((uint32_t)(ra & 31) << 10) | rn(n) | rd(d));
}

void a64_mulh(A64Asm *a, bool sign, int d, int n, int m)
{
    a64_emit(a, (sign ? 0x9b407c00u : 0x9bc07c00u) | rm(m) | rn(n) | rd(d));
}

void a64_mull(A64Asm *a, bool sign, int d, int n, int m)
{
    a64_emit(a, (sign ? 0x9b200000u : 0x9ba00000u) | rm(m) | (31u << 10) | rn(n) | rd(d));
}

void a64_bfm(A64Asm *a, int kind, bool w, int d, int n, unsigned immr, unsigned imms)
{
    static const uint32_t base[3] = { 0x13000000, 0x33000000, 0x53000000 };
    a64_emit(a, base[kind] | (w ? 0x80400000u : 0) | ((immr & 63) << 16) | ((imms & 63) << 10) | rn(n) | rd(d));
}

void a64_shift_ri(A64Asm *a, A64Shift sh, bool w, int d, int n, unsigned count)
{
    unsigned width = w ? 64 : 32;
    count &= width - 1;
    switch (sh) {
    case A64_LSL:
        a64_bfm(a, 2, w, d, n, (width - count) & (width - 1), width - 1 - count);
        break;
    case A64_LSR:
        a64_bfm(a, 2, w, d, n, count, width - 1);
        break;
    case A64_ASR:
        a64_bfm(a, 0, w, d, n, count, width - 1);
        break;
    case A64_ROR:   /* EXTR d, n, n, #count */
        a64_emit(a, 0x13800000 | (w ? 0x80400000u : 0) | rm(n) | (count << 10) | rn(n) | rd(d));
        break;
    }
}

void a64_ext(A64Asm *a, unsigned size_log2, bool sign, bool w, int d, int n)
{
    unsigned bits = 8u << size_log2;
    if (!sign && size_log2 == 2) {
        a64_mov(a, false, d, n);             /* W write zero-extends */
    } else if (sign) {
        a64_bfm(a, 0, w, d, n, 0, bits - 1);
    } else {
        a64_bfm(a, 2, false, d, n, 0, bits - 1);
    }
}

void a64_csel(A64Asm *a, int kind, bool w, A64Cond c, int d, int n, int m)
{
    static const uint32_t base[4] = { 0x1a800000, 0x1a800400, 0x5a800000, 0x5a800400 };
    a64_emit(a, base[kind] | sf(w) | rm(m) | ((uint32_t)c << 12) | rn(n) | rd(d));
}

void a64_cset(A64Asm *a, bool w, A64Cond c, int d)
{
    a64_csel(a, 1, w, a64_cond_invert(c), d, A64_ZR, A64_ZR);
}

void a64_popcount(A64Asm *a, bool w, int d, int n)
{
    a64_emit(a, (w ? 0x9e670000u : 0x1e270000u) | rn(n));   /* fmov d0, xn / s0, wn */
    a64_emit(a, 0x0e205800);                                  /* cnt v0.8b, v0.8b */
    a64_emit(a, 0x0e31b800);                                  /* addv b0, v0.8b */
    a64_emit(a, 0x1e260000 | rd(d));                          /* fmov wd, s0 */
}

/* ---- loads and stores ---- */

/* opc field: 0 store, 1 load zero-extending, 2 load signed to 64 bits,
 * 3 load signed to 32 bits. */
static uint32_t ld_opc(unsigned size_log2, bool sign, bool w)
{
    if (!sign || size_log2 == 3 || (size_log2 == 2 && !w)) {
        return 1;
    }
    return w ? 2 : 3;
}

static void ldst(A64Asm *a, unsigned size_log2, uint32_t opc, int t, int base, int64_t off, int scratch)
{
    uint32_t head = ((uint32_t)size_log2 << 30) | (opc << 22);
    if (off >= 0 && (off & ((1 << size_log2) - 1)) == 0 && (off >> size_log2) < 4096) {
        a64_emit(a, 0x39000000 | head | ((uint32_t)(off >> size_log2) << 10) | rn(base) | rd(t));
    } else if (off >= -256 && off < 256) {
        a64_emit(a, 0x38000000 | head | (((uint32_t)off & 0x1ff) << 12) | rn(base) | rd(t));
    } else {
        a64_movi(a, true, scratch, (uint64_t)off);
        a64_emit(a, 0x38206800 | head | rm(scratch) | rn(base) | rd(t));
    }
}

void a64_load(A64Asm *a, unsigned size_log2, bool sign, bool w, int d, int base, int64_t off, int scratch)
{
    ldst(a, size_log2, ld_opc(size_log2, sign, w), d, base, off, scratch);
}

void a64_store(A64Asm *a, unsigned size_log2, int s, int base, int64_t off, int scratch)
{
    ldst(a, size_log2, 0, s, base, off, scratch);
}

void a64_load_rr(A64Asm *a, unsigned size_log2, bool sign, bool w, int d, int base, int index)
{
    a64_emit(a, 0x38206800 | ((uint32_t)size_log2 << 30) | (ld_opc(size_log2, sign, w) << 22) | rm(index)
                    | rn(base) | rd(d));
}

void a64_store_rr(A64Asm *a, unsigned size_log2, int s, int base, int index)
{
    a64_emit(a, 0x38206800 | ((uint32_t)size_log2 << 30) | rm(index) | rn(base) | rd(s));
}

static void pair(A64Asm *a, bool load, int t1, int t2, int base, int off, int mode)
{
    static const uint32_t base_op[3] = { 0xa9000000, 0xa9800000, 0xa8800000 };
    a64_emit(a, base_op[mode] | (load ? 1u << 22 : 0) | (((uint32_t)(off / 8) & 0x7f) << 15) | ((uint32_t)t2 << 10)
                    | rn(base) | rd(t1));
}

void a64_stp(A64Asm *a, int t1, int t2, int base, int off, int mode) { pair(a, false, t1, t2, base, off, mode); }
void a64_ldp(A64Asm *a, int t1, int t2, int base, int off, int mode) { pair(a, true, t1, t2, base, off, mode); }

/* ---- control flow ---- */

size_t a64_b(A64Asm *a)
{
    size_t p = a->pos;
    a64_emit(a, 0x14000000);
    return p;
}

size_t a64_bcond(A64Asm *a, A64Cond c)
{
    size_t p = a->pos;
    a64_emit(a, 0x54000000 | (uint32_t)c);
    return p;
}

size_t a64_cbz(A64Asm *a, bool w, bool nz, int t)
{
    size_t p = a->pos;
    a64_emit(a, (nz ? 0x35000000u : 0x34000000u) | sf(w) | rd(t));
    return p;
}

size_t a64_adr(A64Asm *a, int d)
{
    size_t p = a->pos;
    a64_emit(a, 0x10000000 | rd(d));
    return p;
}

size_t a64_ldr_lit(A64Asm *a, int t)
{
    size_t p = a->pos;
    a64_emit(a, 0x58000000 | rd(t));
    return p;
}

static bool fits_signed(int64_t v, unsigned bits)
{
    return v >= -(1ll << (bits - 1)) && v < (1ll << (bits - 1));
}

void a64_bind(A64Asm *a, size_t pos, size_t target)
{
    uint32_t insn = a64_read(a, pos);
    int64_t delta = (int64_t)target - (int64_t)pos;

    if ((insn & 0x9f000000) == 0x10000000) {            /* ADR: byte offset */
        if (!fits_signed(delta, 21)) {
            a->overflow = true;
            return;
        }
        uint32_t imm = (uint32_t)delta & 0x1fffff;
        insn = (insn & 0x9f00001f) | ((imm & 3) << 29) | ((imm >> 2) << 5);
    } else if ((insn & 0x7c000000) == 0x14000000) {     /* B, BL: imm26 */
        if (!fits_signed(delta / 4, 26)) {
            a->overflow = true;
            return;
        }
        insn = (insn & 0xfc000000) | ((uint32_t)(delta / 4) & 0x3ffffff);
    } else {                                            /* B.cond, CBZ/CBNZ, LDR literal: imm19 */
        if (!fits_signed(delta / 4, 19)) {
            a->overflow = true;
            return;
        }
        insn = (insn & 0xff00001f) | (((uint32_t)(delta / 4) & 0x7ffff) << 5);
    }
    a64_patch(a, pos, insn);
}

bool a64_b_reaches(uintptr_t from, uintptr_t to)
{
    int64_t delta = (int64_t)(to - from);
    return (delta & 3) == 0 && fits_signed(delta / 4, 26);
}

uint32_t a64_b_insn(uintptr_t from, uintptr_t to)
{
    int64_t delta = (int64_t)(to - from);
    return 0x14000000 | ((uint32_t)(delta / 4) & 0x3ffffff);
}

void a64_call_abs(A64Asm *a, uintptr_t target, int scratch)
{
    uintptr_t here = host_asm_rx_here(a);
    if (a64_b_reaches(here, target)) {
        a64_emit(a, 0x94000000 | (a64_b_insn(here, target) & 0x3ffffff));
        return;
    }
    a64_movi(a, true, scratch, (uint64_t)target);
    a64_blr(a, scratch);
}

void a64_jump_abs(A64Asm *a, uintptr_t target, int scratch)
{
    uintptr_t here = host_asm_rx_here(a);
    if (a64_b_reaches(here, target)) {
        a64_emit(a, a64_b_insn(here, target));
        return;
    }
    a64_movi(a, true, scratch, (uint64_t)target);
    a64_br(a, scratch);
}

void a64_br(A64Asm *a, int n) { a64_emit(a, 0xd61f0000 | rn(n)); }
void a64_blr(A64Asm *a, int n) { a64_emit(a, 0xd63f0000 | rn(n)); }
void a64_ret(A64Asm *a) { a64_emit(a, 0xd65f03c0); }
void a64_nop(A64Asm *a) { a64_emit(a, 0xd503201f); }
void a64_dmb_ish(A64Asm *a) { a64_emit(a, 0xd5033bbf); }
