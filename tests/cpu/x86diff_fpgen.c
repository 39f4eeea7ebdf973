/*
 * x86diff FP generator (x86diff -fp): random x87, MMX and SSE..SSE4.2
 * instructions with register operands or a [base + disp32] memory operand
 * in the data page, and random FP initial states (FXSAVE images with a
 * random x87 stack, FCW precision/rounding control, MXCSR rounding/FTZ/DAZ,
 * XMM registers, data-page values) biased to zeros, infinities, NaNs,
 * denormals and values near 1.
 *
 * Exceptions stay masked (FCW bits 0-5, MXCSR bits 7-12 set), so nothing
 * traps; the sticky exception flags are compared instead.
 *
 * Not generated: the transcendentals (F2XM1, FYL2X, FYL2XP1, FPTAN,
 * FPATAN, FSIN, FCOS, FSINCOS), whose results the SDM only bounds (Vol. 1
 * 8.3.10: "within 1 ulp") so an exact comparison is meaningless, and
 * RCPPS/RSQRTPS/RCPSS/RSQRTSS, whose results are implementation-specific
 * approximations (SDM Vol. 2 RCPPS: "relative error <= 1.5*2^-12").
 *
 * x87 condition codes: the SDM "FPU Flags Affected" of each instruction
 * says which of C0-C3 are undefined afterwards (e.g. FADD: "C1 set if
 * result was rounded up; cleared otherwise. C0, C2, C3 undefined"); those
 * become DF_FC* undef bits of the flag analysis.
 */
#include <string.h>

#include "tests/cpu/x86diff_gen.h"

enum { RAX_, RCX_, RDX_, RBX_, RSP_, RBP_, RSI_, RDI_ };

static unsigned rnd(uint64_t *rng, unsigned n)
{
    return (unsigned)(diff_rand(rng) % n);
}

/* ---- values ---- */

static uint64_t rand_f64(uint64_t *rng)
{
    uint64_t sign = (uint64_t)rnd(rng, 2) << 63;
    uint64_t frac = diff_rand(rng) & 0xfffffffffffffull;
    switch (rnd(rng, 10)) {
    case 0: return sign;
    case 1: return sign | 0x7ff0000000000000ull;                            /* inf */
    case 2: return sign | 0x7ff8000000000000ull | (frac >> rnd(rng, 52));   /* QNaN */
    case 3: return sign | 0x7ff0000000000000ull | ((frac >> 1) | 1);        /* SNaN */
    case 4: return sign | (frac >> rnd(rng, 52));                           /* denormal */
    case 5: return sign | ((uint64_t)(1 + rnd(rng, 2)) << 52) | frac;       /* tiny normal */
    case 6: return sign | ((uint64_t)(2045 + rnd(rng, 2)) << 52) | frac;    /* huge */
    case 7: return sign | ((uint64_t)(1023 + rnd(rng, 64) - 8) << 52) | (frac & ~0ull << rnd(rng, 52));
    default: return sign | ((uint64_t)(1 + rnd(rng, 2046)) << 52) | frac;
    }
}

static uint32_t rand_f32(uint64_t *rng)
{
    uint32_t sign = (uint32_t)rnd(rng, 2) << 31;
    uint32_t frac = (uint32_t)diff_rand(rng) & 0x7fffffu;
    switch (rnd(rng, 10)) {
    case 0: return sign;
    case 1: return sign | 0x7f800000u;
    case 2: return sign | 0x7fc00000u | (frac >> rnd(rng, 23));
    case 3: return sign | 0x7f800000u | ((frac >> 1) | 1);
    case 4: return sign | (frac >> rnd(rng, 23));
    case 5: return sign | ((uint32_t)(1 + rnd(rng, 2)) << 23) | frac;
    case 6: return sign | ((uint32_t)(253 + rnd(rng, 2)) << 23) | frac;
    case 7: return sign | ((uint32_t)(127 + rnd(rng, 40) - 8) << 23) | (frac & ~0u << rnd(rng, 23));
    default: return sign | ((uint32_t)(1 + rnd(rng, 254)) << 23) | frac;
    }
}

/* 8 bytes of FP-flavoured data: a double, two floats, a small integer or
 * random bits. */
static uint64_t rand_q(uint64_t *rng)
{
    switch (rnd(rng, 5)) {
    case 0: return rand_f64(rng);
    case 1: return (uint64_t)rand_f32(rng) | (uint64_t)rand_f32(rng) << 32;
    case 2: return (uint64_t)(int64_t)((int)rnd(rng, 2001) - 1000);
    case 3: return diff_rand(rng) >> rnd(rng, 64);
    default: return diff_rand(rng);
    }
}

/* An 80-bit value (SDM Vol. 1 4.2.2 / 8.2): zero, infinity, NaN,
 * denormal, or a normal (explicit integer bit set). */
static void rand_f80(uint64_t *rng, uint8_t *p)
{
    uint64_t m = diff_rand(rng);
    unsigned e;
    switch (rnd(rng, 9)) {
    case 0: m = 0, e = 0; break;
    case 1: m = 1ull << 63, e = 0x7fff; break;
    case 2: m |= 3ull << 62, e = 0x7fff; break;                           /* QNaN */
    case 3: m = (1ull << 63) | ((m >> 2) | 1), e = 0x7fff; break;         /* SNaN */
    case 4: m = (m >> 1) >> rnd(rng, 63), e = 0; break;                   /* denormal */
    case 5: m |= 1ull << 63, e = 1 + rnd(rng, 3); break;
    case 6: m = (m | 1ull << 63) & ~0ull << rnd(rng, 64), e = 0x3fff + rnd(rng, 70) - 6; break;
    default: m |= 1ull << 63, e = 1 + rnd(rng, 0x7ffe); break;
    }
    e |= rnd(rng, 2) << 15;
    memcpy(p, &m, 8);
    p[8] = (uint8_t)e;
    p[9] = (uint8_t)(e >> 8);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void diff_fp_default(uint8_t *fx)
{
    memset(fx, 0, FX_SIZE);
    put16(fx + FX_FCW, 0x037f);
    uint32_t mxcsr = 0x1f80;
    memcpy(fx + FX_MXCSR, &mxcsr, 4);
}

void diff_fp_state(uint64_t *rng, DiffState *st)
{
    static const uint16_t pc[3] = { 0, 2, 3 };      /* PC 01b is reserved (SDM Vol. 1 8.1.5.2) */
    uint8_t *fx = st->fx;
    diff_fp_default(fx);
    put16(fx + FX_FCW, (uint16_t)(0x7f | pc[rnd(rng, 3)] << 8 | rnd(rng, 4) << 10));
    unsigned top = rnd(rng, 8), depth = rnd(rng, 9);
    uint16_t fsw = (uint16_t)((diff_rand(rng) & 0x473f) | top << 11);   /* C0-C3, sticky flags IE..PE */
    put16(fx + FX_FSW, fsw);
    uint8_t ftw = 0;
    for (unsigned i = 0; i < depth; i++) {
        rand_f80(rng, fx + FX_ST + 16 * i);
        ftw |= (uint8_t)(1u << ((top + i) & 7));
    }
    fx[FX_FTW] = ftw;
    uint32_t mxcsr = 0x1f80 | rnd(rng, 4) << 13 | (rnd(rng, 2) ? 0x8000u : 0) | (rnd(rng, 2) ? 0x40u : 0)
                     | ((uint32_t)diff_rand(rng) & 0x3f);
    memcpy(fx + FX_MXCSR, &mxcsr, 4);
    for (int i = 0; i < 32; i++) {
        uint64_t v = rand_q(rng);
        memcpy(fx + FX_XMM + 8 * i, &v, 8);
    }
    for (size_t i = 0; i < DIFF_DATA_SIZE; i += 8)
        if (rnd(rng, 4) != 0) {
            uint64_t v = rand_q(rng);
            memcpy(&st->data[i], &v, 8);
        }
}

/* ---- encoding ---- */

typedef struct FpEnc {
    uint8_t pfx;          /* 0, 66h, F2h or F3h */
    bool w;
    uint8_t opc[4];       /* opcode bytes after REX (0F, 0F 38, ... included) */
    int nopc;
    int reg;              /* ModRM.reg: register 0-15 or /digit */
    int rm;               /* register 0-15, or -1: memory operand */
    int imm;              /* imm8, or -1 */
} FpEnc;

static void fp_emit(const FpEnc *e, int base_reg, int32_t disp, DiffInsn *in)
{
    int n = 0;
    if (e->pfx)
        in->bytes[n++] = e->pfx;
    int b = e->rm >= 0 ? e->rm : base_reg;
    uint8_t rex = (uint8_t)(0x40 | (e->w ? 8 : 0) | (e->reg >= 8 ? 4 : 0) | (b >= 8 ? 1 : 0));
    if (rex != 0x40)
        in->bytes[n++] = rex;
    for (int i = 0; i < e->nopc; i++)
        in->bytes[n++] = e->opc[i];
    if (e->rm >= 0) {
        in->bytes[n++] = (uint8_t)(0xc0 | (e->reg & 7) << 3 | (e->rm & 7));
    } else {
        in->bytes[n++] = (uint8_t)(0x80 | (e->reg & 7) << 3 | (base_reg & 7));
        if ((base_reg & 7) == 4)
            in->bytes[n++] = 0x24;                 /* SIB: no index, base */
        for (int i = 0; i < 4; i++)
            in->bytes[n++] = (uint8_t)((uint32_t)disp >> (8 * i));
    }
    if (e->imm >= 0)
        in->bytes[n++] = (uint8_t)e->imm;
    in->len = (uint8_t)n;
}

/* ---- forms ---- */

enum { K_REG, K_MEM, K_FIXED };      /* x87 operand kinds */
enum { CC_ARITH, CC_ALL, CC_NONE, CC_UNDEF, CC_FCOMI, CC_FCMOV };

typedef struct X87Form {
    const char *name;
    uint8_t opc, digit;  /* digit: ModRM.reg, or the whole second byte for K_FIXED */
    uint8_t kind, cc;
} X87Form;

static const X87Form x87_forms[] = {
    { "fadd", 0xd8, 0, K_REG, CC_ARITH }, { "fmul", 0xd8, 1, K_REG, CC_ARITH },
    { "fcom", 0xd8, 2, K_REG, CC_ALL }, { "fcomp", 0xd8, 3, K_REG, CC_ALL },
    { "fsub", 0xd8, 4, K_REG, CC_ARITH }, { "fsubr", 0xd8, 5, K_REG, CC_ARITH },
    { "fdiv", 0xd8, 6, K_REG, CC_ARITH }, { "fdivr", 0xd8, 7, K_REG, CC_ARITH },
    { "fadd", 0xdc, 0, K_REG, CC_ARITH }, { "fmul", 0xdc, 1, K_REG, CC_ARITH },
    { "fsubr", 0xdc, 4, K_REG, CC_ARITH }, { "fsub", 0xdc, 5, K_REG, CC_ARITH },
    { "fdivr", 0xdc, 6, K_REG, CC_ARITH }, { "fdiv", 0xdc, 7, K_REG, CC_ARITH },
    { "faddp", 0xde, 0, K_REG, CC_ARITH }, { "fmulp", 0xde, 1, K_REG, CC_ARITH },
    { "fsubrp", 0xde, 4, K_REG, CC_ARITH }, { "fsubp", 0xde, 5, K_REG, CC_ARITH },
    { "fdivrp", 0xde, 6, K_REG, CC_ARITH }, { "fdivp", 0xde, 7, K_REG, CC_ARITH },
    { "fld", 0xd9, 0, K_REG, CC_ARITH }, { "fxch", 0xd9, 1, K_REG, CC_ARITH },
    { "ffree", 0xdd, 0, K_REG, CC_UNDEF }, { "fst", 0xdd, 2, K_REG, CC_ARITH },
    { "fstp", 0xdd, 3, K_REG, CC_ARITH }, { "fucom", 0xdd, 4, K_REG, CC_ALL },
    { "fucomp", 0xdd, 5, K_REG, CC_ALL },
    { "fcmovb", 0xda, 0, K_REG, CC_FCMOV }, { "fcmove", 0xda, 1, K_REG, CC_FCMOV },
    { "fcmovbe", 0xda, 2, K_REG, CC_FCMOV }, { "fcmovu", 0xda, 3, K_REG, CC_FCMOV },
    { "fcmovnb", 0xdb, 0, K_REG, CC_FCMOV }, { "fcmovne", 0xdb, 1, K_REG, CC_FCMOV },
    { "fcmovnbe", 0xdb, 2, K_REG, CC_FCMOV }, { "fcmovnu", 0xdb, 3, K_REG, CC_FCMOV },
    { "fucomi", 0xdb, 5, K_REG, CC_FCOMI }, { "fcomi", 0xdb, 6, K_REG, CC_FCOMI },
    { "fucomip", 0xdf, 5, K_REG, CC_FCOMI }, { "fcomip", 0xdf, 6, K_REG, CC_FCOMI },
    { "fchs", 0xd9, 0xe0, K_FIXED, CC_ARITH }, { "fabs", 0xd9, 0xe1, K_FIXED, CC_ARITH },
    { "ftst", 0xd9, 0xe4, K_FIXED, CC_ALL }, { "fxam", 0xd9, 0xe5, K_FIXED, CC_ALL },
    { "fld1", 0xd9, 0xe8, K_FIXED, CC_ARITH }, { "fldl2t", 0xd9, 0xe9, K_FIXED, CC_ARITH },
    { "fldl2e", 0xd9, 0xea, K_FIXED, CC_ARITH }, { "fldpi", 0xd9, 0xeb, K_FIXED, CC_ARITH },
    { "fldlg2", 0xd9, 0xec, K_FIXED, CC_ARITH }, { "fldln2", 0xd9, 0xed, K_FIXED, CC_ARITH },
    { "fldz", 0xd9, 0xee, K_FIXED, CC_ARITH }, { "fxtract", 0xd9, 0xf4, K_FIXED, CC_ARITH },
    { "fprem1", 0xd9, 0xf5, K_FIXED, CC_ALL }, { "fdecstp", 0xd9, 0xf6, K_FIXED, CC_ARITH },
    { "fincstp", 0xd9, 0xf7, K_FIXED, CC_ARITH }, { "fprem", 0xd9, 0xf8, K_FIXED, CC_ALL },
    { "fsqrt", 0xd9, 0xfa, K_FIXED, CC_ARITH }, { "frndint", 0xd9, 0xfc, K_FIXED, CC_ARITH },
    { "fscale", 0xd9, 0xfd, K_FIXED, CC_ARITH }, { "fcompp", 0xde, 0xd9, K_FIXED, CC_ALL },
    { "fucompp", 0xda, 0xe9, K_FIXED, CC_ALL }, { "fnop", 0xd9, 0xd0, K_FIXED, CC_UNDEF },
    { "fnclex", 0xdb, 0xe2, K_FIXED, CC_UNDEF },
    /* memory forms */
    { "fadd_m32", 0xd8, 0, K_MEM, CC_ARITH }, { "fmul_m32", 0xd8, 1, K_MEM, CC_ARITH },
    { "fcom_m32", 0xd8, 2, K_MEM, CC_ALL }, { "fcomp_m32", 0xd8, 3, K_MEM, CC_ALL },
    { "fsub_m32", 0xd8, 4, K_MEM, CC_ARITH }, { "fsubr_m32", 0xd8, 5, K_MEM, CC_ARITH },
    { "fdiv_m32", 0xd8, 6, K_MEM, CC_ARITH }, { "fdivr_m32", 0xd8, 7, K_MEM, CC_ARITH },
    { "fadd_m64", 0xdc, 0, K_MEM, CC_ARITH }, { "fmul_m64", 0xdc, 1, K_MEM, CC_ARITH },
    { "fcom_m64", 0xdc, 2, K_MEM, CC_ALL }, { "fsub_m64", 0xdc, 4, K_MEM, CC_ARITH },
    { "fdivr_m64", 0xdc, 7, K_MEM, CC_ARITH },
    { "fiadd_m32", 0xda, 0, K_MEM, CC_ARITH }, { "fimul_m32", 0xda, 1, K_MEM, CC_ARITH },
    { "ficom_m32", 0xda, 2, K_MEM, CC_ALL }, { "fisub_m32", 0xda, 4, K_MEM, CC_ARITH },
    { "fidiv_m32", 0xda, 6, K_MEM, CC_ARITH }, { "fidivr_m16", 0xde, 7, K_MEM, CC_ARITH },
    { "fiadd_m16", 0xde, 0, K_MEM, CC_ARITH }, { "ficomp_m16", 0xde, 3, K_MEM, CC_ALL },
    { "fld_m32", 0xd9, 0, K_MEM, CC_ARITH }, { "fld_m64", 0xdd, 0, K_MEM, CC_ARITH },
    { "fld_m80", 0xdb, 5, K_MEM, CC_ARITH }, { "fild_m16", 0xdf, 0, K_MEM, CC_ARITH },
    { "fild_m32", 0xdb, 0, K_MEM, CC_ARITH }, { "fild_m64", 0xdf, 5, K_MEM, CC_ARITH },
    { "fst_m32", 0xd9, 2, K_MEM, CC_ARITH }, { "fstp_m32", 0xd9, 3, K_MEM, CC_ARITH },
    { "fst_m64", 0xdd, 2, K_MEM, CC_ARITH }, { "fstp_m64", 0xdd, 3, K_MEM, CC_ARITH },
    { "fstp_m80", 0xdb, 7, K_MEM, CC_ARITH },
    { "fist_m16", 0xdf, 2, K_MEM, CC_ARITH }, { "fistp_m16", 0xdf, 3, K_MEM, CC_ARITH },
    { "fist_m32", 0xdb, 2, K_MEM, CC_ARITH }, { "fistp_m32", 0xdb, 3, K_MEM, CC_ARITH },
    { "fistp_m64", 0xdf, 7, K_MEM, CC_ARITH },
    { "fisttp_m16", 0xdf, 1, K_MEM, CC_ARITH }, { "fisttp_m32", 0xdb, 1, K_MEM, CC_ARITH },
    { "fisttp_m64", 0xdd, 1, K_MEM, CC_ARITH },
    { "fnstcw", 0xd9, 7, K_MEM, CC_UNDEF },             /* SDM FNSTCW: C0-C3 undefined */
};

/* Packed-integer opcodes (0F xx /r) valid on MMX and, with 66h, on XMM. */
static const uint8_t int_ops[] = {
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x74, 0x75, 0x76,
    0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
    0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
    0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
};

/* 66 0F 38 xx (SSSE3/SSE4.1 /r, no immediate). */
static const uint8_t ops_0f38[] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x1c, 0x1d, 0x1e,
    0x10, 0x14, 0x15, 0x17, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28, 0x29, 0x2b, 0x30, 0x31,
    0x32, 0x33, 0x34, 0x35, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41,
};

/* 66 0F 3A xx ib (SSE4.1). */
static const uint8_t ops_0f3a[] = { 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x40, 0x41, 0x42 };

/* SSE float opcodes and the prefixes they take (bit 0: none, 1: 66, 2: F3, 3: F2). */
static const struct { uint8_t opc, pfx; bool imm; } sse_ops[] = {
    { 0x58, 15, false }, { 0x59, 15, false }, { 0x5c, 15, false }, { 0x5d, 15, false }, { 0x5e, 15, false },
    { 0x5f, 15, false }, { 0x51, 15, false }, { 0x54, 3, false }, { 0x55, 3, false }, { 0x56, 3, false },
    { 0x57, 3, false }, { 0x14, 3, false }, { 0x15, 3, false }, { 0xc2, 15, true }, { 0xc6, 3, true },
    { 0x5a, 15, false }, { 0x5b, 7, false }, { 0xe6, 14, false }, { 0x10, 15, false }, { 0x28, 3, false },
    { 0x7c, 10, false }, { 0x7d, 10, false }, { 0xd0, 10, false }, { 0x12, 12, false }, { 0x16, 4, false },
};

static const uint8_t pfx_of[4] = { 0, 0x66, 0xf3, 0xf2 };

static int gpr_dest(uint64_t *rng)
{
    static const int safe[] = { RAX_, RCX_, RDX_, RSI_, RDI_ };
    return safe[rnd(rng, 5)];
}

/* Pick a memory operand at an offset aligned to align inside the page. */
static int32_t mem_disp(uint64_t *rng, uint64_t base_off, unsigned align)
{
    uint64_t off = rnd(rng, DIFF_DATA_SIZE - 16) & ~(uint64_t)(align - 1);
    return (int32_t)((int64_t)off - (int64_t)base_off);
}

static void x87_effect(uint8_t cc, DiffFlagEffect *fx)
{
    switch (cc) {
    case CC_ARITH: fx->def = DF_FC1, fx->undef = DF_FC0 | DF_FC2 | DF_FC3; break;
    case CC_ALL: fx->def = DF_FCC; break;
    case CC_UNDEF: fx->undef = DF_FCC; break;      /* FFREE/FNCLEX: "C0-C3 undefined" */
    /* FCOMI: ZF PF CF set, OF SF AF cleared; C0 C2 C3 unaffected. The SDM
     * says C1 "set to 0", but the Intel host leaves it unchanged when no
     * stack fault occurs: treated as undefined. */
    case CC_FCOMI: fx->def = DF_ARITH, fx->undef = DF_FC1; break;
    /* FCMOVcc: C1 only written (0) on a stack underflow, else unchanged. */
    case CC_FCMOV: fx->undef = DF_FC0 | DF_FC2 | DF_FC3, fx->read = DF_CF | DF_ZF | DF_PF; break;
    default: break;
    }
}

void diff_fp_insn(uint64_t *rng, int base_reg, uint64_t base_off, DiffInsn *out)
{
    memset(out, 0, sizeof(*out));
    FpEnc e = { .pfx = 0, .w = false, .nopc = 2, .opc = { 0x0f, 0 }, .reg = 0, .rm = 0, .imm = -1 };
    bool mem = rnd(rng, 3) == 0;
    unsigned align = 16;
    unsigned cls = rnd(rng, 10);
    if (cls < 4) {                                       /* x87 */
        const X87Form *f = &x87_forms[rnd(rng, sizeof(x87_forms) / sizeof(x87_forms[0]))];
        e.nopc = 1;
        e.opc[0] = f->opc;
        e.reg = f->digit & 7;
        e.rm = f->kind == K_REG ? (int)rnd(rng, 8) : f->kind == K_FIXED ? f->digit & 7 : -1;
        if (f->kind == K_FIXED)
            e.reg = (f->digit >> 3) & 7;
        align = rnd(rng, 2) ? 8 : 1;
        out->name = f->name;
        x87_effect(f->cc, &out->fx);
    } else if (cls < 6) {                                /* MMX / SSE2 integer */
        bool xmm = rnd(rng, 2);
        e.pfx = xmm ? 0x66 : 0;
        int nr = xmm ? 16 : 8;
        e.reg = (int)rnd(rng, (unsigned)nr);
        e.rm = mem ? -1 : (int)rnd(rng, (unsigned)nr);
        align = xmm ? 16 : 8;
        out->name = xmm ? "sse2-int" : "mmx";
        switch (rnd(rng, 12)) {
        case 0:                                          /* shift by immediate */
            e.opc[1] = (uint8_t)(0x71 + rnd(rng, 3));
            e.reg = e.opc[1] == 0x73 ? (xmm ? (int)(2 + rnd(rng, 2) * 4 + rnd(rng, 2)) : (int)(2 + rnd(rng, 2) * 4))
                                     : (int)(2 + 2 * rnd(rng, 3));
            e.rm = (int)rnd(rng, (unsigned)nr);
            e.imm = (int)(rnd(rng, 3) ? rnd(rng, 20) : rnd(rng, 256));
            out->name = xmm ? "sse2-shift-imm" : "mmx-shift-imm";
            break;
        case 1:                                          /* PSHUFW / PSHUFD/HW/LW */
            e.opc[1] = 0x70;
            e.imm = (int)rnd(rng, 256);
            if (xmm)
                e.pfx = pfx_of[1 + rnd(rng, 3)];
            out->name = "pshuf";
            break;
        case 2:                                          /* MOVD/MOVQ to/from a GPR */
            e.opc[1] = rnd(rng, 2) ? 0x6e : 0x7e;
            e.w = rnd(rng, 2);
            if (e.opc[1] == 0x7e && !mem)
                e.rm = gpr_dest(rng);
            else if (!mem)
                e.rm = (int)rnd(rng, 16);
            align = 8;
            out->name = "movd";
            break;
        case 3:                                          /* MOVQ/MOVDQA/MOVDQU loads and stores */
            e.opc[1] = rnd(rng, 2) ? 0x6f : 0x7f;
            if (xmm && rnd(rng, 2))
                e.pfx = 0xf3;
            out->name = "movq/dqa";
            break;
        case 4:                                          /* PMOVMSKB */
            e.opc[1] = 0xd7;
            e.rm = e.reg;                                /* source: the MMX/XMM register */
            e.reg = gpr_dest(rng);
            out->name = "pmovmskb";
            break;
        case 5:
            if (xmm) {                                   /* SSSE3/SSE4.1 0F 38 */
                e.nopc = 3;
                e.opc[1] = 0x38;
                e.opc[2] = ops_0f38[rnd(rng, sizeof(ops_0f38))];
                if (e.opc[2] == 0x10 || e.opc[2] == 0x14 || e.opc[2] == 0x15)
                    e.reg = (int)rnd(rng, 16);           /* implicit XMM0 mask */
                if (e.opc[2] == 0x17)
                    out->fx.def = DF_ARITH;              /* PTEST: ZF CF set, AF OF PF SF cleared */
                out->name = "sse4-0f38";
            } else {
                e.opc[1] = 0x77;                         /* EMMS */
                e.nopc = 2;
                out->name = "emms";
                e.rm = -2;
            }
            break;
        case 6:
            if (xmm) {
                e.nopc = 3;
                e.opc[1] = 0x3a;
                e.opc[2] = ops_0f3a[rnd(rng, sizeof(ops_0f3a))];
                e.imm = (int)rnd(rng, 256);
                if (e.opc[2] <= 0x0b)
                    e.imm &= 0x0f;                       /* ROUND*: bits 4-7 reserved */
                out->name = "sse4-0f3a";
                break;
            }
            /* fall through */
        default:
            e.opc[1] = int_ops[rnd(rng, sizeof(int_ops))];
            break;
        }
    } else if (cls < 9) {                                /* SSE/SSE2 float */
        unsigned k = rnd(rng, sizeof(sse_ops) / sizeof(sse_ops[0]));
        unsigned p;
        do
            p = rnd(rng, 4);
        while (!(sse_ops[k].pfx >> p & 1));
        e.pfx = pfx_of[p];
        e.opc[1] = sse_ops[k].opc;
        e.reg = (int)rnd(rng, 16);
        e.rm = mem ? -1 : (int)rnd(rng, 16);
        if (sse_ops[k].imm)
            e.imm = (int)(e.opc[1] == 0xc2 ? rnd(rng, 8) : rnd(rng, 256));
        if ((e.opc[1] == 0x10 || e.opc[1] == 0x28) && rnd(rng, 2))
            e.opc[1]++;                                  /* store forms */
        out->name = "sse-fp";
        switch (rnd(rng, 8)) {
        case 0:                                          /* (U)COMISS/SD */
            e.pfx = pfx_of[rnd(rng, 2)];
            e.opc[1] = (uint8_t)(0x2e + rnd(rng, 2));
            e.imm = -1;
            out->fx.def = DF_ARITH;                      /* ZF PF CF set, OF SF AF cleared */
            out->name = "comis";
            break;
        case 1:                                          /* CVTSI2SS/SD */
            e.pfx = pfx_of[2 + rnd(rng, 2)];
            e.opc[1] = 0x2a;
            e.w = rnd(rng, 2);
            e.imm = -1;
            if (!mem)
                e.rm = (int)rnd(rng, 16);
            align = 8;
            out->name = "cvtsi2s";
            break;
        case 2:                                          /* CVT(T)SS/SD2SI */
            e.pfx = pfx_of[2 + rnd(rng, 2)];
            e.opc[1] = (uint8_t)(0x2c + rnd(rng, 2));
            e.w = rnd(rng, 2);
            e.imm = -1;
            e.reg = gpr_dest(rng);
            align = 8;
            out->name = "cvts2si";
            break;
        case 3:                                          /* MOVMSKPS/PD */
            e.pfx = pfx_of[rnd(rng, 2)];
            e.opc[1] = 0x50;
            e.imm = -1;
            e.reg = gpr_dest(rng);
            if (e.rm < 0)
                e.rm = (int)rnd(rng, 16);
            out->name = "movmsk";
            break;
        case 4:                                          /* STMXCSR m32 (0F AE /3) */
            if (rnd(rng, 4) == 0) {
                e.pfx = 0;
                e.opc[1] = 0xae;
                e.reg = 3;
                e.rm = -1;
                e.imm = -1;
                out->name = "stmxcsr";
            }
            break;
        default:
            break;
        }
    } else {                                             /* SSE4.2 */
        if (rnd(rng, 2)) {                               /* CRC32 */
            e.pfx = 0xf2;
            e.nopc = 3;
            e.opc[1] = 0x38;
            e.opc[2] = (uint8_t)(0xf0 + rnd(rng, 2));
            e.w = e.opc[2] == 0xf1 && rnd(rng, 2);
            e.reg = gpr_dest(rng);
            if (!mem)
                e.rm = (int)rnd(rng, 16);
            align = 1;
            out->name = "crc32";
        } else {                                         /* PCMPESTRM/ESTRI/ISTRM/ISTRI */
            e.pfx = 0x66;
            e.nopc = 3;
            e.opc[1] = 0x3a;
            e.opc[2] = (uint8_t)(0x60 + rnd(rng, 4));
            e.imm = (int)rnd(rng, 128);
            e.reg = (int)rnd(rng, 16);
            if (!mem)
                e.rm = (int)rnd(rng, 16);
            out->fx.def = DF_ARITH;                      /* CF ZF SF OF set, AF PF cleared */
            out->name = "pcmpstr";
        }
    }
    int32_t disp = mem_disp(rng, base_off, align);
    if (e.rm == -2) {                                    /* no ModRM (EMMS) */
        int n = 0;
        for (int i = 0; i < e.nopc; i++)
            out->bytes[n++] = e.opc[i];
        out->len = (uint8_t)n;
        return;
    }
    fp_emit(&e, base_reg, disp, out);
}
