/*
 * Differential tests of the software x87 (cpu/x86/x87_float.c, x87_trans.c,
 * x87_helper.c, x87_env.c, x87_gen.c) against the host's own x87 FPU (this
 * test is built on x86-64 hosts only). Random and edge operands (zeros,
 * denormals, pseudo-denormals, unnormals, infinities, QNaN/SNaN with
 * payloads, extreme exponents, values near 2^63), every rounding mode,
 * precision control and random exception masks run through the helpers on
 * an X86Cpu and through inline asm on the host; the 80-bit results and the
 * whole status word (exception flags, C0-C3, ES, TOP) must agree bit for
 * bit (SDM Vol. 1 ch. 4.8-4.9, 8). Transcendentals must be within 1 ulp.
 * The last tests run x87 code through the translator (x86_rig.h) and
 * compare with the same code executed natively.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cpu/x86/x87_float.h"
#include "cpu/x86/x87_helper.h"
#include "cpu/x86/x87_trans.h"
#include "tests/unit/x86_rig.h"

enum { X86_CR0_NE_TEST = 1u << 5 };    /* CR0.NE (SDM Vol. 3A 2.5) */

typedef struct __attribute__((packed)) H80 { uint64_t m; uint16_t e; } H80;

/* ---- random operands ---- */

typedef struct Rng { uint64_t s; } Rng;

static uint64_t rnd(Rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545f4914f6cdd1dull;
}

static uint64_t rd_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static X86Float80 f80(uint16_t se, uint64_t m) { X86Float80 v = { m, se }; return v; }

static X86Float80 rnd_operand(Rng *r)
{
    uint64_t m = rnd(r), k = rnd(r) % 32;
    uint16_t s = (uint16_t)((rnd(r) & 1) << 15);
    switch (k) {
    case 0: return f80(s, 0);
    case 1: return f80(s, m >> (rnd(r) % 63 + 1));                            /* denormal */
    case 2: return f80(s, m | (1ull << 63));                                  /* pseudo-denormal */
    case 3: return f80(s | 0x7fff, 1ull << 63);                               /* infinity */
    case 4: return f80(s | 0x7fff, (m | (3ull << 62)));                        /* QNaN */
    case 5: return f80(s | 0x7fff, ((m & ~(3ull << 62)) | 1) | (1ull << 63)); /* SNaN */
    case 6: return f80(s | (uint16_t)(rnd(r) % 0x7ffe + 1), m & ~(1ull << 63)); /* unnormal */
    case 7: return f80(s | 0x7fff, m & ~(1ull << 63));                         /* pseudo-NaN/inf */
    case 8: return f80(s | (uint16_t)(1 + rnd(r) % 80), m | (1ull << 63));      /* tiny */
    case 9: return f80(s | (uint16_t)(0x7ffe - rnd(r) % 80), m | (1ull << 63)); /* huge */
    case 10: case 11:                                                          /* around 2^63 / ints */
        return f80(s | (uint16_t)(16383 + 60 + rnd(r) % 6), m | (1ull << 63));
    case 12: return f80(s | (uint16_t)(16383 + rnd(r) % 20), (m | (1ull << 63)) & ~((1ull << (rnd(r) % 64)) - 1));
    case 13: return f80(s | (uint16_t)(16383 - 2 + rnd(r) % 4), (m | (1ull << 63)));
    default: return f80(s | (uint16_t)(16383 - 200 + rnd(r) % 400), m | (1ull << 63));
    }
}

static uint16_t rnd_cw(Rng *r, bool any_masks)
{
    static const uint16_t pcs[3] = { 0x000, 0x200, 0x300 };
    uint16_t cw = (uint16_t)(0x40 | pcs[rnd(r) % 3] | (rnd(r) % 4) << 10);
    if (any_masks && rnd(r) % 4 == 0)
        return (uint16_t)(cw | (rnd(r) & 0x3f));
    return (uint16_t)(cw | 0x3f);
}

/* ---- the emulated FPU ---- */

static X86Cpu *new_env(void)
{
    X86Cpu *env = calloc(1, sizeof(X86Cpu));
    ck_assert_ptr_nonnull(env);
    env->cc_op = CC_OP_EFLAGS;
    env->df = 1;
    x87_reset(env);
    return env;
}

/* FNINIT, FLDCW cw, push b, push a: ST0 = a, ST1 = b. */
static void emu_setup(X86Cpu *env, uint16_t cw, X86Float80 a, X86Float80 b)
{
    x87_reset(env);
    env->fpuc = cw;
    env->fptop = 6;
    env->fpregs[6] = a;
    env->fpregs[7] = b;
    env->fptags = (uint16_t)(0x0fff | (unsigned)x87_tag_of(a) << 12 | (unsigned)x87_tag_of(b) << 14);
}

static X86Float80 emu_st(const X86Cpu *env, int i) { return env->fpregs[(env->fptop + i) & 7]; }

/* ---- the host FPU ---- */

enum { OP_ADD, OP_SUB, OP_SUBR, OP_MUL, OP_DIV, OP_DIVR, OP_SQRT, OP_RNDINT, OP_SCALE, OP_PREM, OP_PREM1,
       OP_XTRACT, OP_COM, OP_UCOM, OP_TST, OP_XAM, OP_F2XM1, OP_YL2X, OP_YL2XP1, OP_PATAN, OP_SIN, OP_COS,
       OP_TAN, OP_SINCOS, OP_NB };
static const char *const op_names[OP_NB] = {
    "fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr", "fsqrt", "frndint", "fscale", "fprem", "fprem1",
    "fxtract", "fcom", "fucom", "ftst", "fxam", "f2xm1", "fyl2x", "fyl2xp1", "fpatan", "fsin", "fcos",
    "fptan", "fsincos",
};

/* The visible FPU state after an operation: FSW, full tag word, ST(0..7). */
typedef struct FpuState { uint16_t sw, tw; X86Float80 st[8]; } FpuState;

/* Host: ST0 = a, ST1 = b, run op, then FNSAVE (non-waiting: a pending
 * unmasked exception does not trap) and parse the 32-bit image. */
static void host_op(int op, uint16_t cw, X86Float80 a, X86Float80 b, FpuState *out)
{
    H80 ha = { a.mant, a.sign_exp }, hb = { b.mant, b.sign_exp };
    uint8_t img[108];
#define HOST(insn)                                                                                 \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\tfnsave %[img]\n\tfninit" \
                     : [img] "=m"(img)                                                             \
                     : [a] "m"(ha), [b] "m"(hb), [cw] "m"(cw)                                     \
                     : "st", "st(1)", "st(2)", "memory")
    switch (op) {
    case OP_ADD: HOST("fadd %%st(1), %%st"); break;
    case OP_SUB: HOST("fsub %%st(1), %%st"); break;
    case OP_SUBR: HOST("fsubr %%st(1), %%st"); break;
    case OP_MUL: HOST("fmul %%st(1), %%st"); break;
    case OP_DIV: HOST("fdiv %%st(1), %%st"); break;
    case OP_DIVR: HOST("fdivr %%st(1), %%st"); break;
    case OP_SQRT: HOST("fsqrt"); break;
    case OP_RNDINT: HOST("frndint"); break;
    case OP_SCALE: HOST("fscale"); break;
    case OP_PREM: HOST("fprem"); break;
    case OP_PREM1: HOST("fprem1"); break;
    case OP_COM: HOST("fcom %%st(1)"); break;
    case OP_UCOM: HOST("fucom %%st(1)"); break;
    case OP_TST: HOST("ftst"); break;
    case OP_XAM: HOST("fxam"); break;
    case OP_F2XM1: HOST("f2xm1"); break;
    case OP_SIN: HOST("fsin"); break;
    case OP_COS: HOST("fcos"); break;
    case OP_XTRACT: HOST("fxtract"); break;
    case OP_TAN: HOST("fptan"); break;
    case OP_SINCOS: HOST("fsincos"); break;
    case OP_YL2X: HOST("fyl2x"); break;
    case OP_YL2XP1: HOST("fyl2xp1"); break;
    default: HOST("fpatan"); break;
    }
#undef HOST
    out->sw = (uint16_t)(img[4] | img[5] << 8);
    out->tw = (uint16_t)(img[8] | img[9] << 8);
    for (int i = 0; i < 8; i++) {
        const uint8_t *p = img + 28 + 10 * i;
        uint64_t m = 0;
        for (int k = 7; k >= 0; k--)
            m = m << 8 | p[k];
        out->st[i] = f80((uint16_t)(p[8] | p[9] << 8), m);
    }
}

static void emu_state(const X86Cpu *env, FpuState *out)
{
    out->sw = x87_get_fsw(env);
    out->tw = 0;
    for (int p = 0; p < 8; p++) {
        unsigned t = ((env->fptags >> (2 * p)) & 3) == 3 ? 3u : (unsigned)x87_tag_of(env->fpregs[p]);
        out->tw |= (uint16_t)(t << (2 * p));
    }
    for (int i = 0; i < 8; i++)
        out->st[i] = emu_st(env, i);
}

/* The same op on the emulated FPU. */
static void emu_op(X86Cpu *env, int op, uint16_t cw, X86Float80 a, X86Float80 b, FpuState *out)
{
    static const int misc[OP_NB] = {
        [OP_SQRT] = 0xfa, [OP_RNDINT] = 0xfc, [OP_SCALE] = 0xfd, [OP_PREM] = 0xf8, [OP_PREM1] = 0xf5,
        [OP_XTRACT] = 0xf4, [OP_TST] = 0xe4, [OP_XAM] = 0xe5, [OP_F2XM1] = 0xf0, [OP_YL2X] = 0xf1,
        [OP_YL2XP1] = 0xf9, [OP_PATAN] = 0xf3, [OP_SIN] = 0xfe, [OP_COS] = 0xff, [OP_TAN] = 0xf2,
        [OP_SINCOS] = 0xfb,
    };
    emu_setup(env, cw, a, b);
    switch (op) {
    case OP_ADD: x87_helper_arith_reg(env, 0, 1, X87_AR_ST0); break;
    case OP_SUB: x87_helper_arith_reg(env, 4, 1, X87_AR_ST0); break;
    case OP_SUBR: x87_helper_arith_reg(env, 5, 1, X87_AR_ST0); break;
    case OP_MUL: x87_helper_arith_reg(env, 1, 1, X87_AR_ST0); break;
    case OP_DIV: x87_helper_arith_reg(env, 6, 1, X87_AR_ST0); break;
    case OP_DIVR: x87_helper_arith_reg(env, 7, 1, X87_AR_ST0); break;
    case OP_COM: x87_helper_fcom_reg(env, 1, 0, 0); break;
    case OP_UCOM: x87_helper_fcom_reg(env, 1, 1, 0); break;
    default: x87_helper_misc(env, (uint64_t)misc[op]); break;
    }
    emu_state(env, out);
}

/* Index of the first differing register, or -1 (empty ones ignored). */
static int state_diff(const FpuState *h, const FpuState *e)
{
    if (h->sw != e->sw || h->tw != e->tw)
        return 8;
    int top = (h->sw >> 11) & 7;
    for (int i = 0; i < 8; i++)
        if (((h->tw >> (2 * ((top + i) & 7))) & 3) != 3
            && (h->st[i].mant != e->st[i].mant || h->st[i].sign_exp != e->st[i].sign_exp))
            return i;
    return -1;
}

static int reported;

static void report(const char *what, uint16_t cw, X86Float80 a, X86Float80 b, const FpuState *h,
                   const FpuState *e, int k)
{
    if (reported++ >= 6)
        return;
    int i = k == 8 ? 0 : k;
    fprintf(stderr, "%s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " | host sw=%04x tw=%04x st%d=%04x:%016"
            PRIx64 " | emu sw=%04x tw=%04x st%d=%04x:%016" PRIx64 "\n", what, cw, a.sign_exp, a.mant, b.sign_exp,
            b.mant, h->sw, h->tw, i, h->st[i].sign_exp, h->st[i].mant, e->sw, e->tw, i, e->st[i].sign_exp,
            e->st[i].mant);
}

/* Run n random cases of op; exact comparison of the FPU state. */
static int diff_op(int op, int n, uint64_t seed)
{
    Rng r = { seed };
    X86Cpu *env = new_env();
    int bad = 0;
    reported = 0;
    for (int i = 0; i < n; i++) {
        X86Float80 a = rnd_operand(&r), b = rnd(&r) % 4 == 0 ? a : rnd_operand(&r);
        if (rnd(&r) % 8 == 0 && x87_classify(a) == X87_NORMAL) {     /* close operands */
            b = a;
            b.mant += rnd(&r) % 16 - 8;
            b.mant |= 1ull << 63;
        }
        if (op == OP_SCALE && rnd(&r) % 2)
            b = x87_from_int64((int64_t)(rnd(&r) % 40000) - 20000);
        uint16_t cw = rnd_cw(&r, true);
        FpuState h, e;
        host_op(op, cw, a, b, &h);
        emu_op(env, op, cw, a, b, &e);
        int k = state_diff(&h, &e);
        if (k >= 0) {
            bad++;
            report(op_names[op], cw, a, b, &h, &e, k);
        }
    }
    free(env);
    return bad;
}

static const int exact_ops[] = { OP_ADD, OP_SUB, OP_SUBR, OP_MUL, OP_DIV, OP_DIVR, OP_SQRT, OP_RNDINT, OP_SCALE,
                                 OP_PREM, OP_PREM1, OP_XTRACT, OP_COM, OP_UCOM, OP_TST, OP_XAM };

START_TEST(test_diff_arith)
{
    int op = exact_ops[_i];
    int bad = diff_op(op, 40000, 0x9e3779b97f4a7c15ull * (uint64_t)(op + 1));
    fprintf(stderr, "%-8s 40000 cases, %d mismatches\n", op_names[op], bad);
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* ---- transcendentals: within 1 ulp ---- */

static __int128 ordinal(X86Float80 v)
{
    __int128 o = (__int128)(v.sign_exp & 0x7fff) * ((__int128)1 << 63) + (v.mant & ~(1ull << 63));
    return (v.sign_exp & 0x8000) ? -o : o;
}

/* Distance in ulps (huge if the classes differ). */
static uint64_t ulp_dist(X86Float80 a, X86Float80 b)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    if (ca == X87_QNAN || ca == X87_SNAN || cb == X87_QNAN || cb == X87_SNAN || ca == X87_INF || cb == X87_INF)
        return a.mant == b.mant && a.sign_exp == b.sign_exp ? 0 : UINT64_MAX;
    __int128 d = ordinal(a) - ordinal(b);
    if (d < 0)
        d = -d;
    return d > (__int128)1 << 62 ? UINT64_MAX : (uint64_t)d;
}

static X86Float80 rnd_in(Rng *r, int emin, int emax)
{
    uint16_t s = (uint16_t)((rnd(r) & 1) << 15);
    return f80(s | (uint16_t)(16383 + emin + (int)(rnd(r) % (uint64_t)(emax - emin + 1))), rnd(r) | (1ull << 63));
}

static const int trans_ops[] = { OP_F2XM1, OP_YL2X, OP_YL2XP1, OP_PATAN, OP_SIN, OP_COS, OP_TAN, OP_SINCOS };
static uint64_t trans_max_ulp[OP_NB];

static int diff_trans(int op, int n, uint64_t seed)
{
    Rng r = { seed };
    X86Cpu *env = new_env();
    int bad = 0;
    reported = 0;
    for (int i = 0; i < n; i++) {
        X86Float80 a, b = rnd_in(&r, -40, 40);
        switch (op) {
        case OP_F2XM1: a = rnd_in(&r, -70, -1); break;
        case OP_YL2X: a = rnd_in(&r, -16000, 16000); a.sign_exp &= 0x7fff; break;
        case OP_YL2XP1: a = rnd_in(&r, -70, -3); break;
        case OP_PATAN: a = rnd_in(&r, -100, 100); b = rnd_in(&r, -100, 100); break;
        default: a = rnd_in(&r, -70, rnd(&r) % 4 ? 8 : 62); break;
        }
        if (rnd(&r) % 8 == 0) {
            a = rnd_operand(&r);
            b = rnd_operand(&r);
            /* outside FYL2XP1's domain |x| < 1 - sqrt(2)/2 the result is
             * undefined (SDM Vol. 2 FYL2XP1) */
            if (op == OP_YL2XP1 && (x87_classify(a) == X87_NORMAL || x87_classify(a) == X87_UNSUPPORTED)
                && (a.sign_exp & 0x7fff) >= 16383 - 2)
                a.sign_exp = (uint16_t)((a.sign_exp & 0x8000) | (16383 - 3));
        }
        uint16_t cw = rnd_cw(&r, false);
        FpuState h, e;
        host_op(op, cw, a, b, &h);
        emu_op(env, op, cw, a, b, &e);
        bool ok = (h.sw & ~X87_C1) == (e.sw & ~X87_C1) && h.tw == e.tw;
        int top = (h.sw >> 11) & 7;
        for (int k = 0; k < 8 && ok; k++) {
            if (((h.tw >> (2 * ((top + k) & 7))) & 3) == 3)
                continue;
            uint64_t d = ulp_dist(h.st[k], e.st[k]);
            if (d > 1)
                ok = false;
            else if (d > trans_max_ulp[op])
                trans_max_ulp[op] = d;
        }
        if (!ok) {
            bad++;
            report(op_names[op], cw, a, b, &h, &e, state_diff(&h, &e));
        }
    }
    free(env);
    return bad;
}

START_TEST(test_diff_trans)
{
    int op = trans_ops[_i];
    int bad = diff_trans(op, 20000, 0x51ed270b27f1a3b5ull * (uint64_t)(op + 7));
    fprintf(stderr, "%-8s 20000 cases, %d mismatches, max %" PRIu64 " ulp\n", op_names[op], bad, trans_max_ulp[op]);
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* ---- conversions: stores to m32fp/m64fp/m16-64int/BCD, loads of m32fp/m64fp/BCD ---- */

enum { CV_F32, CV_F64, CV_I16, CV_I32, CV_I64, CV_TT16, CV_TT32, CV_TT64, CV_BCD, CV_LD32, CV_LD64, CV_LDBCD,
       CV_NB };
static const char *const cv_names[CV_NB] = {
    "fst m32", "fst m64", "fistp m16", "fistp m32", "fistp m64", "fisttp m16", "fisttp m32", "fisttp m64",
    "fbstp", "fld m32", "fld m64", "fbld",
};

/* Host: convert (stores: a to *out; loads: *in to *res); returns FSW. */
static uint16_t host_conv(int k, uint16_t cw, X86Float80 a, uint8_t *mem, X86Float80 *res)
{
    H80 ha = { a.mant, a.sign_exp }, hr = { 0, 0 };
    uint16_t sw;
#define CONV(insn) __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn "\n\tfnstsw %%ax\n\tfninit" \
                                    : "=a"(sw) : [a] "m"(ha), [cw] "m"(cw), [m] "r"(mem) : "st", "memory")
#define LOAD(insn) __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" insn "\n\tfnstsw %%ax\n\tfstpt %[r]\n\tfninit" \
                                    : "=a"(sw), [r] "=m"(hr) : [cw] "m"(cw), [m] "r"(mem) : "st", "memory")
    switch (k) {
    case CV_F32: CONV("fsts (%[m])"); break;
    case CV_F64: CONV("fstl (%[m])"); break;
    case CV_I16: CONV("fistps (%[m])"); break;
    case CV_I32: CONV("fistpl (%[m])"); break;
    case CV_I64: CONV("fistpll (%[m])"); break;
    case CV_TT16: CONV("fisttps (%[m])"); break;
    case CV_TT32: CONV("fisttpl (%[m])"); break;
    case CV_TT64: CONV("fisttpll (%[m])"); break;
    case CV_BCD: CONV("fbstp (%[m])"); break;
    case CV_LD32: LOAD("flds (%[m])"); break;
    case CV_LD64: LOAD("fldl (%[m])"); break;
    default: LOAD("fbld (%[m])"); break;
    }
#undef CONV
#undef LOAD
    *res = f80(hr.e, hr.m);
    return sw;
}

static uint16_t emu_conv(int k, uint16_t cw, X86Float80 a, uint8_t *mem, X86Float80 *res)
{
    X87Env e = { cw, 0 };
    uint64_t v = 0;
    int size = 0;
    switch (k) {
    case CV_F32: v = x87_to_f32(&e, a); size = 4; break;
    case CV_F64: v = x87_to_f64(&e, a); size = 8; break;
    case CV_I16: case CV_TT16: v = (uint64_t)x87_to_int(&e, a, 16, k == CV_TT16); size = 2; break;
    case CV_I32: case CV_TT32: v = (uint64_t)x87_to_int(&e, a, 32, k == CV_TT32); size = 4; break;
    case CV_I64: case CV_TT64: v = (uint64_t)x87_to_int(&e, a, 64, k == CV_TT64); size = 8; break;
    case CV_BCD: x87_to_bcd(&e, a, mem); break;
    case CV_LD32: { uint32_t x; memcpy(&x, mem, 4); *res = x87_from_f32(&e, x); break; }
    case CV_LD64: { uint64_t x; memcpy(&x, mem, 8); *res = x87_from_f64(&e, x); break; }
    default: *res = x87_from_bcd(mem); break;
    }
    if (size)
        memcpy(mem, &v, (size_t)size);
    return e.flags & (X87_EXC_MASK | X87_SF | X87_C1);
}

START_TEST(test_diff_conv)
{
    int k = _i, bad = 0;
    Rng r = { 0x2545f4914f6cdd1dull + (uint64_t)k };
    for (int i = 0; i < 20000; i++) {
        X86Float80 a = rnd_operand(&r);
        uint8_t hm[16], em[16];
        for (int j = 0; j < 16; j++)
            hm[j] = em[j] = (uint8_t)rnd(&r);
        if (k == CV_LD32 && rnd(&r) % 2)       /* denormal, inf, NaN singles */
            hm[3] = em[3] = (uint8_t)((hm[3] & 0x80) | (rnd(&r) % 2 ? 0x7f : 0)), hm[2] |= 0x80, em[2] = hm[2];
        if (k == CV_LDBCD || (k == CV_BCD && rnd(&r) % 2)) {   /* valid BCD digits */
            for (int j = 0; j < 9; j++)
                hm[j] = em[j] = (uint8_t)((rnd(&r) % 10) << 4 | rnd(&r) % 10);
            hm[9] = em[9] = (uint8_t)(rnd(&r) & 0x80);
            if (k == CV_BCD)
                a = x87_from_bcd(hm);
        }
        if (k >= CV_I16 && k <= CV_BCD && rnd(&r) % 2)         /* near the integer limits */
            a = f80((uint16_t)((rnd(&r) & 1) << 15 | (16383 + 14 + rnd(&r) % 52)), rnd(&r) | 1ull << 63);
        uint16_t cw = rnd_cw(&r, false);
        X86Float80 hr = f80(0, 0), er = f80(0, 0);
        uint16_t hsw = host_conv(k, cw, a, hm, &hr) & (X87_EXC_MASK | X87_SF | X87_C1);
        uint16_t esw = emu_conv(k, cw, a, em, &er);
        bool ok = hsw == esw && memcmp(hm, em, 16) == 0 && hr.mant == er.mant && hr.sign_exp == er.sign_exp;
        if (!ok) {
            bad++;
            if (bad <= 6)
                fprintf(stderr, "%s cw=%04x a=%04x:%016" PRIx64 " host sw=%04x mem=%016" PRIx64 "%04x r=%04x:%016" PRIx64
                        " emu sw=%04x mem=%016" PRIx64 "%04x r=%04x:%016" PRIx64 "\n", cv_names[k], cw, a.sign_exp,
                        a.mant, hsw, rd_le(hm, 8), (unsigned)rd_le(hm + 8, 2), hr.sign_exp, hr.mant, esw,
                        rd_le(em, 8), (unsigned)rd_le(em + 8, 2), er.sign_exp, er.mant);
        }
    }
    fprintf(stderr, "%-10s 20000 cases, %d mismatches\n", cv_names[k], bad);
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* FLD1..FLDZ under each rounding mode (SDM Vol. 1 8.3.8). */
START_TEST(test_constants)
{
    static const uint8_t ops[7] = { 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee };
    X86Cpu *env = new_env();
    for (int rc = 0; rc < 4; rc++) {
        uint16_t cw = (uint16_t)(0x37f | rc << 10);
        for (int k = 0; k < 7; k++) {
            H80 h;
            uint16_t sw;
            switch (k) {
            case 0: __asm__ volatile("fninit; fldcw %[cw]; fld1; fnstsw %%ax; fstpt %[h]" : [h] "=m"(h), "=a"(sw) : [cw] "m"(cw) : "st"); break;
            case 1: __asm__ volatile("fninit; fldcw %[cw]; fldl2t; fnstsw %%ax; fstpt %[h]" : [h] "=m"(h), "=a"(sw) : [cw] "m"(cw) : "st"); break;
            case 2: __asm__ volatile("fninit; fldcw %[cw]; fldl2e; fnstsw %%ax; fstpt %[h]" : [h] "=m"(h), "=a"(sw) : [cw] "m"(cw) : "st"); break;
            case 3: __asm__ volatile("fninit; fldcw %[cw]; fldpi; fnstsw %%ax; fstpt %[h]" : [h] "=m"(h), "=a"(sw) : [cw] "m"(cw) : "st"); break;
            case 4: __asm__ volatile("fninit; fldcw %[cw]; fldlg2; fnstsw %%ax; fstpt %[h]" : [h] "=m"(h), "=a"(sw) : [cw] "m"(cw) : "st"); break;
            case 5: __asm__ volatile("fninit; fldcw %[cw]; fldln2; fnstsw %%ax; fstpt %[h]" : [h] "=m"(h), "=a"(sw) : [cw] "m"(cw) : "st"); break;
            default: __asm__ volatile("fninit; fldcw %[cw]; fldz; fnstsw %%ax; fstpt %[h]" : [h] "=m"(h), "=a"(sw) : [cw] "m"(cw) : "st"); break;
            }
            __asm__ volatile("fninit");
            x87_reset(env);
            env->fpuc = cw;
            x87_helper_misc(env, ops[k]);
            X86Float80 v = emu_st(env, 0);
            ck_assert_uint_eq(v.mant, h.m);
            ck_assert_uint_eq(v.sign_exp, h.e);
            ck_assert_uint_eq(x87_get_fsw(env), sw);
        }
    }
    free(env);
}
END_TEST

/* ---- through the translator (x86_rig.h) ---- */

/*
   fninit                 ; DB E3
   fld tword [ebx]        ; DB 2B
   fld qword [ebx+16]     ; DD 43 10
   fmul st0, st1          ; D8 C9
   fadd dword [ebx+24]    ; D8 43 18
   fsqrt                  ; D9 FA
   fldpi                  ; D9 EB
   fdivp st1, st0         ; DE F9
   fsincos                ; D9 FB
   fcomi st0, st1         ; DB F1
   fstp tword [ebx+32]    ; DB 7B 20
   fistp dword [ebx+48]   ; DB 5B 30
   fild word [ebx+26]     ; DF 43 1A
   fsubr st1, st0         ; DC E1     (ST1 = ST0 - ST1)
   fxch st1               ; D9 C9
   fst qword [ebx+56]     ; DD 53 38
   fnstsw ax              ; DF E0
   fnstenv [ebx+64]       ; D9 73 40
   hlt
 */
static const uint8_t prog_x87[] = {
    0xdb, 0xe3, 0xdb, 0x2b, 0xdd, 0x43, 0x10, 0xd8, 0xc9, 0xd8, 0x43, 0x18, 0xd9, 0xfa, 0xd9, 0xeb,
    0xde, 0xf9, 0xd9, 0xfb, 0xdb, 0xf1, 0xdb, 0x7b, 0x20, 0xdb, 0x5b, 0x30, 0xdf, 0x43, 0x1a, 0xdc,
    0xe1, 0xd9, 0xc9, 0xdd, 0x53, 0x38, 0xdf, 0xe0, 0xd9, 0x73, 0x40, 0xf4,
};

static void native_x87(uint8_t *buf, uint64_t *rax, uint64_t *rflags)
{
    uint64_t a = 0, f = 0;
    __asm__ volatile("fninit\n\tfldt (%%rbx)\n\tfldl 16(%%rbx)\n\tfmul %%st(1), %%st\n\tfadds 24(%%rbx)\n\t"
                     "fsqrt\n\tfldpi\n\tfdivrp %%st, %%st(1)\n\tfsincos\n\tfcomi %%st(1), %%st\n\t"
                     "pushfq\n\tpopq %[f]\n\tfstpt 32(%%rbx)\n\tfistpl 48(%%rbx)\n\tfilds 26(%%rbx)\n\t"
                     "fsub %%st, %%st(1)\n\tfxch %%st(1)\n\tfstl 56(%%rbx)\n\tfnstsw %%ax\n\t"
                     "fnstenv 64(%%rbx)\n\tfninit"
                     : "+a"(a), [f] "=r"(f) : "b"(buf) : "memory", "st", "st(1)", "st(2)", "cc");
    *rax = a;
    *rflags = f;
}

static void fill_inputs(uint8_t *p)
{
    memset(p, 0xcc, 128);
    uint64_t m = 0xa000000000000000ull;        /* 2.5 */
    memcpy(p, &m, 8);
    p[8] = 0x00;
    p[9] = 0x40;
    uint64_t d = 0x4008000000000000ull;        /* 3.0 */
    memcpy(p + 16, &d, 8);
    uint32_t f = 0x3fa00000u;                  /* 1.25; its high half 0x3fa0 is the FILD m16 */
    memcpy(p + 24, &f, 4);
}

START_TEST(test_translated_vs_native)
{
    static const int modes[2] = { M32, M64 };
    for (int m = 0; m < 2; m++) {
        Rig r;
        rig_init(&r, _i, modes[m]);
        rig_load(&r, CODE, prog_x87, sizeof(prog_x87));
        fill_inputs(r.ram + DATA);
        r.env->regs[R_EBX] = DATA;
        r.env->regs[R_EAX] = 0;
        rig_run(&r);
        uint8_t buf[128];
        uint64_t rax, rfl;
        fill_inputs(buf);
        native_x87(buf, &rax, &rfl);
        ck_assert_mem_eq(r.ram + DATA + 32, buf + 32, 10);      /* fstp tword */
        ck_assert_mem_eq(r.ram + DATA + 48, buf + 48, 4);       /* fistp dword */
        ck_assert_mem_eq(r.ram + DATA + 56, buf + 56, 8);       /* fst qword */
        ck_assert_mem_eq(r.ram + DATA + 64, buf + 64, 12);      /* FCW, FSW, FTW of fnstenv */
        ck_assert_uint_eq(R(R_EAX) & 0xffff, rax & 0xffff);     /* fnstsw ax */
        ck_assert_uint_eq(arith(&r) & (X86_ZF | X86_PF | X86_CF | X86_OF | X86_SF | X86_AF),
                          rfl & (X86_ZF | X86_PF | X86_CF | X86_OF | X86_SF | X86_AF));
        rig_free(&r);
    }
}
END_TEST

/*
   fninit ; fldcw [0x3000] (ZE unmasked) ; fld1 ; fldz ; fdivp st1, st0 ; fwait ; hlt
   handler (IP 0x0e): mov dx, 0x1234 ; hlt
 */
static const uint8_t prog_rm_mf[] = {
    0xdb, 0xe3, 0xd9, 0x2e, 0x00, 0x30, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, 0x9b, 0xf4,
    0xba, 0x34, 0x12, 0xf4,
};

/* An unmasked ZE leaves ST1 unchanged, sets ES/B, and the next waiting
 * instruction (FWAIT) raises #MF with CR0.NE = 1 (SDM Vol. 1 8.6, 8.7). */
START_TEST(test_mf_on_fwait)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_mf, sizeof(prog_rm_mf));
    wr(&r, DATA, 0x037b, 2);
    set_ivt(&r, X86_EXCP_MF, 0x0100, 0x0e);
    r.env->cr[0] |= X86_CR0_NE_TEST;
    rig_run(&r);
    ck_assert_uint_eq(R(R_EDX) & 0xffff, 0x1234);
    uint16_t sw = x87_get_fsw(r.env);
    ck_assert_uint_eq(sw & (X87_ZE | X87_ES | X87_B), X87_ZE | X87_ES | X87_B);
    ck_assert_uint_eq((sw >> 11) & 7, 6);                     /* nothing popped */
    ck_assert_uint_eq(r.env->fpregs[7].sign_exp, 16383);       /* ST1 = 1.0 unchanged */
    ck_assert_uint_eq(r.env->fpop, 0x6f9);                      /* FOP of the FDIVP */
    rig_free(&r);
}
END_TEST

/* CR0.EM: every x87 instruction raises #NM (SDM Vol. 3A 2.5 Table 2-2). */
START_TEST(test_nm_with_em)
{
    static const uint8_t prog[] = { 0xd9, 0xe8, 0xf4, 0xba, 0x77, 0x00, 0xf4 };   /* fld1; hlt; h: mov dx,0x77; hlt */
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog, sizeof(prog));
    set_ivt(&r, X86_EXCP_NM, 0x0100, 0x03);
    r.env->cr[0] |= X86_CR0_EM;
    x86_update_hflags(r.env);
    rig_run(&r);
    ck_assert_uint_eq(R(R_EDX) & 0xffff, 0x77);
    rig_free(&r);
}
END_TEST

Suite *x87_suite(void);
Suite *x87_suite(void)
{
    Suite *s = suite_create("x87");
    TCase *tc = tcase_create("diff");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_diff_arith, 0, (int)(sizeof(exact_ops) / sizeof(exact_ops[0])));
    tcase_add_loop_test(tc, test_diff_trans, 0, (int)(sizeof(trans_ops) / sizeof(trans_ops[0])));
    tcase_add_loop_test(tc, test_diff_conv, 0, CV_NB);
    tcase_add_test(tc, test_constants);
    suite_add_tcase(s, tc);
    TCase *tr = tcase_create("translated");
    tcase_add_loop_test(tr, test_translated_vs_native, 0, nbackends());
    tcase_add_loop_test(tr, test_mf_on_fwait, 0, nbackends());
    tcase_add_loop_test(tr, test_nm_with_em, 0, nbackends());
    suite_add_tcase(s, tr);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x87_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
