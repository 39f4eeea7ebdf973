/*
 * x87 instruction helpers (SDM Vol. 1 ch. 8, Vol. 2 instruction pages for
 * D8-DF): the register stack with its tags, stack overflow/underflow (IE
 * with SF, C1 = 1 for overflow, Vol. 1 8.5.1.1), the masked and unmasked
 * exception responses (8.5: after an unmasked IE/DE/ZE the destination and
 * the stack stay unchanged; unmasked OE/UE block a memory store), pending
 * exceptions (#MF with CR0.NE = 1, FERR# with NE = 0: 8.7), loads and
 * stores of every memory format, compares (FCOM/FUCOM C3/C2/C0 and
 * FCOMI/FUCOMI EFLAGS ZF/PF/CF, Table 8-6/8-7), FXAM, FCMOVcc and the
 * one-byte D9 E0-FF group. Environment save/restore is in x87_env.c.
 */
#include "cpu/x86/x87_helper.h"

#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x86_helper_system.h"
#include "cpu/x86/x86_util.h"
#include "cpu/x86/x87_float.h"
#include "cpu/x86/x87_trans.h"

/* ---- register stack ---- */

static int phys(const X86Cpu *env, int i) { return (env->fptop + i) & 7; }

static bool st_empty(const X86Cpu *env, int i)
{
    return ((env->fptags >> (2 * phys(env, i))) & 3) == 3;
}

static X86Float80 st_get(const X86Cpu *env, int i) { return env->fpregs[phys(env, i)]; }

int x87_tag_of(X86Float80 v)
{
    switch (x87_classify(v)) {
    case X87_ZERO: return 1;
    case X87_NORMAL: return 0;
    default: return 2;
    }
}

static void set_tag(X86Cpu *env, int p, int tag)
{
    env->fptags = (uint16_t)((env->fptags & ~(3u << (2 * p))) | ((unsigned)tag << (2 * p)));
}

static void st_set(X86Cpu *env, int i, X86Float80 v)
{
    int p = phys(env, i);
    env->fpregs[p] = v;
    set_tag(env, p, x87_tag_of(v));
}

static void st_pop(X86Cpu *env)
{
    set_tag(env, phys(env, 0), 3);
    env->fptop = (env->fptop + 1) & 7;
}

static void st_push(X86Cpu *env, X86Float80 v)
{
    env->fptop = (env->fptop - 1) & 7;
    st_set(env, 0, v);
}

/* ---- status word and exceptions ---- */

uint16_t x87_get_fsw(const X86Cpu *env)
{
    return (uint16_t)((env->fpus & ~0x3800u) | ((env->fptop & 7u) << 11));
}

void x87_update_es(X86Cpu *env)
{
    bool was = env->fpus & X87_ES;
    if (env->fpus & ~env->fpuc & X87_EXC_MASK)
        env->fpus |= X87_ES | X87_B;
    else
        env->fpus &= (uint16_t)~(X87_ES | X87_B);
    if (was && !(env->fpus & X87_ES) && !(env->cr[0] & X86_CR0_NE) && env->ferr)
        env->ferr(env->ferr_opaque, 0);
}

void x87_check_pending(X86Cpu *env, uintptr_t ra)
{
    if (!(env->fpus & X87_ES))
        return;
    if (env->cr[0] & X86_CR0_NE)
        x86_helper_raise_exception_ra(env, X86_EXCP_MF, -1, ra);
    if (env->ferr)
        env->ferr(env->ferr_opaque, 1);
}

static X87Env fenv(const X86Cpu *env)
{
    X87Env e = { env->fpuc, 0 };
    return e;
}

/* Merge an operation's flags into FSW (C1 replaced; a stack fault's C1
 * comes in through e->flags too). Returns false when an unmasked
 * pre-computation exception (IE, DE, ZE) forbids storing the result. */
static bool commit(X86Cpu *env, const X87Env *e)
{
    uint16_t unmasked = e->flags & ~env->fpuc & (X87_IE | X87_DE | X87_ZE);
    uint16_t exc = e->flags & (X87_EXC_MASK | X87_SF);
    uint16_t c1 = e->flags & X87_C1;
    if (unmasked) {
        exc &= X87_IE | X87_DE | X87_ZE | X87_SF;
        if (!(exc & X87_SF))
            c1 = 0;
    }
    env->fpus = (uint16_t)((env->fpus & ~X87_C1) | exc | c1);
    x87_update_es(env);
    return !unmasked;
}

static void stack_underflow(X87Env *e) { e->flags |= X87_IE | X87_SF; }
static void stack_overflow(X87Env *e) { e->flags |= X87_IE | X87_SF | X87_C1; }

/* Push v (already converted, with its flags in e), checking overflow. */
static void push_checked(X86Cpu *env, X87Env *e, X86Float80 v)
{
    if (!st_empty(env, 7)) {
        stack_overflow(e);
        v = x87_indefinite();
    }
    if (commit(env, e))
        st_push(env, v);
}

/* ---- memory ---- */

static uint64_t addr_add(const X86Cpu *env, uint64_t a, uint64_t off)
{
    a += off;
    return (env->hflags & HF_CS64) ? a : (uint32_t)a;
}

static uint64_t mem_ld(X86Cpu *env, uint64_t addr, int size_log2, uintptr_t ra)
{
    return cpu_ld(&env->common, addr, ir_memop((unsigned)size_log2, false, false, (unsigned)x86_data_mmu_idx(env)), ra);
}

static void mem_st(X86Cpu *env, uint64_t addr, uint64_t v, int size_log2, uintptr_t ra)
{
    cpu_st(&env->common, addr, v, ir_memop((unsigned)size_log2, false, false, (unsigned)x86_data_mmu_idx(env)), ra);
}

static X86Float80 ld_f80(X86Cpu *env, uint64_t addr, uintptr_t ra)
{
    X86Float80 v;
    v.mant = mem_ld(env, addr, 3, ra);
    v.sign_exp = (uint16_t)mem_ld(env, addr_add(env, addr, 8), 1, ra);
    return v;
}

static void st_f80(X86Cpu *env, uint64_t addr, X86Float80 v, uintptr_t ra)
{
    /* both parts probed by the first access of each page; write the high
     * part first so a fault on it leaves memory unchanged in the common
     * case of a page crossing at the end */
    mem_st(env, addr_add(env, addr, 8), v.sign_exp, 1, ra);
    mem_st(env, addr, v.mant, 3, ra);
}

/* Load a memory operand of kind and convert it (flags in e). */
static X86Float80 load_operand(X86Cpu *env, X87Env *e, uint64_t addr, int kind, uintptr_t ra)
{
    switch (kind) {
    case X87_M32FP: return x87_from_f32(e, (uint32_t)mem_ld(env, addr, 2, ra));
    case X87_M64FP: return x87_from_f64(e, mem_ld(env, addr, 3, ra));
    case X87_M80FP: return ld_f80(env, addr, ra);
    case X87_M16INT: return x87_from_int64((int16_t)mem_ld(env, addr, 1, ra));
    case X87_M32INT: return x87_from_int64((int32_t)mem_ld(env, addr, 2, ra));
    case X87_M64INT: return x87_from_int64((int64_t)mem_ld(env, addr, 3, ra));
    default: {
        uint8_t b[10];
        uint64_t lo = mem_ld(env, addr, 3, ra), hi = mem_ld(env, addr_add(env, addr, 8), 1, ra);
        for (int i = 0; i < 8; i++)
            b[i] = (uint8_t)(lo >> (8 * i));
        b[8] = (uint8_t)hi;
        b[9] = (uint8_t)(hi >> 8);
        return x87_from_bcd(b);
    }
    }
}

/* ---- prepare / FWAIT ---- */

void x87_helper_prepare(X86Cpu *env, uint64_t info, uint64_t fip, uint64_t fdp)
{
    x87_check_pending(env, CPU_GETPC());
    if (info & X87_PREP_PTRS) {
        env->fpop = (uint16_t)(info & 0x7ff);
        env->fpip = fip;
        env->fpcs = env->segs[R_CS].selector;
        if (info & X87_PREP_MEM) {
            unsigned seg = (unsigned)(info >> X87_PREP_SEG_SHIFT) & 7;
            env->fpdp = fdp;
            env->fpds = seg < X86_NB_SEGS ? env->segs[seg].selector : 0;
        }
    }
}

void x87_helper_fwait(X86Cpu *env)
{
    x87_check_pending(env, CPU_GETPC());
}

/* ---- arithmetic ---- */

/* op: 0 add, 1 mul, 4 x-y, 5 y-x, 6 x/y, 7 y/x (SDM Vol. 2 FADD..FDIVR). */
static X86Float80 arith(X87Env *e, int op, X86Float80 x, X86Float80 y)
{
    switch (op) {
    case 0: return x87_add(e, x, y);
    case 1: return x87_mul(e, x, y);
    case 4: return x87_sub(e, x, y);
    case 5: return x87_sub(e, y, x);
    case 6: return x87_div(e, x, y);
    default: return x87_div(e, y, x);
    }
}

static void set_cc(X86Cpu *env, uint16_t cc)
{
    env->fpus = (uint16_t)((env->fpus & ~X87_CC_MASK) | cc);
}

static uint16_t cmp_cc(int r)
{
    switch (r) {
    case -1: return X87_C0;
    case 0: return X87_C3;
    case 1: return 0;
    default: return X87_C0 | X87_C2 | X87_C3;
    }
}

/* FCOM-style compare of ST0 with y (already loaded); pops after. */
static void do_fcom(X86Cpu *env, X87Env *e, bool y_empty, X86Float80 y, bool quiet, int pops)
{
    int r;
    if (st_empty(env, 0) || y_empty) {
        stack_underflow(e);
        r = 2;
    } else {
        r = x87_compare(e, st_get(env, 0), y, quiet);
    }
    bool ok = commit(env, e);
    set_cc(env, cmp_cc(r));
    if (ok)
        for (int i = 0; i < pops; i++)
            st_pop(env);
}

void x87_helper_arith_reg(X86Cpu *env, uint64_t op, uint64_t i, uint64_t mode)
{
    int d = mode == X87_AR_ST0 ? 0 : (int)(i & 7), s = mode == X87_AR_ST0 ? (int)(i & 7) : 0;
    X87Env e = fenv(env);
    X86Float80 r;
    if ((op & 7) == 2 || (op & 7) == 3) {       /* FCOM/FCOMP ST(i) */
        do_fcom(env, &e, st_empty(env, (int)(i & 7)), st_get(env, (int)(i & 7)), false, (op & 7) == 3);
        return;
    }
    if (st_empty(env, d) || st_empty(env, s)) {
        stack_underflow(&e);
        r = x87_indefinite();
    } else {
        r = arith(&e, (int)(op & 7), st_get(env, d), st_get(env, s));
    }
    if (commit(env, &e)) {
        st_set(env, d, r);
        if (mode == X87_AR_STI_POP)
            st_pop(env);
    }
}

void x87_helper_arith_mem(X86Cpu *env, uint64_t op, uint64_t addr, uint64_t kind)
{
    uintptr_t ra = CPU_GETPC();
    X87Env e = fenv(env);
    X86Float80 y = load_operand(env, &e, addr, (int)kind, ra);
    if ((kind == X87_M32FP || kind == X87_M64FP) && (e.flags & X87_IE) && x87_classify(y) == X87_QNAN) {
        /* An SNaN operand stays an SNaN for the operation (which raises
         * IE itself and picks the NaN to return, SDM Vol. 1 Table 4-7). */
        y.mant &= ~(1ull << 62);
        e.flags &= (uint16_t)~X87_IE;
    }
    if (st_empty(env, 0)) {
        e.flags = 0;            /* the stack fault wins: no DE/IE from the operand (as the host does) */
    } else {
        /* The load's DE is not raised when ST0 is a NaN/unsupported value
         * or for FDIVR denormal / 0 (ZE only, as x87_div does for
         * registers): observed on Intel hardware by x86diff -fp. */
        X87Class c0 = x87_classify(st_get(env, 0));
        if (c0 >= X87_QNAN || ((op & 7) == 7 && c0 == X87_ZERO))
            e.flags &= (uint16_t)~X87_DE;
    }
    if ((op & 7) == 2 || (op & 7) == 3) {
        if (e.flags & ~env->fpuc & (X87_IE | X87_DE)) {   /* unmasked on the load */
            commit(env, &e);
            return;
        }
        do_fcom(env, &e, false, y, false, (op & 7) == 3);
        return;
    }
    X86Float80 r;
    if (st_empty(env, 0)) {
        stack_underflow(&e);
        r = x87_indefinite();
    } else {
        r = arith(&e, (int)(op & 7), st_get(env, 0), y);
    }
    if (commit(env, &e))
        st_set(env, 0, r);
}

void x87_helper_fcom_reg(X86Cpu *env, uint64_t i, uint64_t quiet, uint64_t pops)
{
    X87Env e = fenv(env);
    do_fcom(env, &e, st_empty(env, (int)(i & 7)), st_get(env, (int)(i & 7)), quiet, (int)pops);
}

void x87_helper_fcomi(X86Cpu *env, uint64_t i, uint64_t quiet, uint64_t pop)
{
    X87Env e = fenv(env);
    int r;
    if (st_empty(env, 0) || st_empty(env, (int)(i & 7))) {
        stack_underflow(&e);
        r = 2;
    } else {
        r = x87_compare(&e, st_get(env, 0), st_get(env, (int)(i & 7)), quiet);
    }
    bool ok = commit(env, &e);
    static const uint64_t fl[4] = { X86_CF, X86_ZF, 0, X86_ZF | X86_PF | X86_CF };
    if (ok || (e.flags & ~env->fpuc & X87_EXC_MASK) == 0)
        x86_set_eflags(env, fl[r + 1], X86_ARITH_FLAGS);
    if (ok && pop)
        st_pop(env);
}

/* ---- loads and stores ---- */

void x87_helper_fld_mem(X86Cpu *env, uint64_t addr, uint64_t kind)
{
    uintptr_t ra = CPU_GETPC();
    X87Env e = fenv(env);
    X86Float80 v = load_operand(env, &e, addr, (int)kind, ra);
    if (!st_empty(env, 7))
        e.flags = 0;            /* stack overflow wins: no IE/DE from the conversion (as the host does) */
    push_checked(env, &e, v);
}

static X86Float80 indefinite_of(void) { return x87_indefinite(); }

void x87_helper_fst_mem(X86Cpu *env, uint64_t addr, uint64_t kind, uint64_t flags)
{
    uintptr_t ra = CPU_GETPC();
    X87Env e = fenv(env);
    bool empty = st_empty(env, 0);
    X86Float80 v = empty ? indefinite_of() : st_get(env, 0);
    if (empty)
        stack_underflow(&e);
    X87Env conv = fenv(env);
    uint64_t bits = 0;
    uint8_t bcd[10];
    switch (kind) {
    case X87_M32FP: bits = x87_to_f32(&conv, v); break;
    case X87_M64FP: bits = x87_to_f64(&conv, v); break;
    case X87_M80FP: break;
    case X87_M16INT: bits = (uint64_t)x87_to_int(&conv, v, 16, flags & X87_ST_TRUNC); break;
    case X87_M32INT: bits = (uint64_t)x87_to_int(&conv, v, 32, flags & X87_ST_TRUNC); break;
    case X87_M64INT: bits = (uint64_t)x87_to_int(&conv, v, 64, flags & X87_ST_TRUNC); break;
    default: x87_to_bcd(&conv, v, bcd); break;
    }
    if (!empty)
        e.flags |= conv.flags;
    /* no store after an unmasked IE/DE or OE/UE (Vol. 1 8.5.4, 8.5.5) */
    bool store = !(e.flags & ~env->fpuc & (X87_IE | X87_DE | X87_ZE | X87_OE | X87_UE));
    if (store) {
        switch (kind) {
        case X87_M32FP: mem_st(env, addr, bits, 2, ra); break;
        case X87_M64FP: mem_st(env, addr, bits, 3, ra); break;
        case X87_M80FP: st_f80(env, addr, v, ra); break;
        case X87_M16INT: mem_st(env, addr, bits, 1, ra); break;
        case X87_M32INT: mem_st(env, addr, bits, 2, ra); break;
        case X87_M64INT: mem_st(env, addr, bits, 3, ra); break;
        default: {
            uint64_t lo = 0;
            for (int i = 0; i < 8; i++)
                lo |= (uint64_t)bcd[i] << (8 * i);
            mem_st(env, addr_add(env, addr, 8), (uint64_t)bcd[8] | (uint64_t)bcd[9] << 8, 1, ra);
            mem_st(env, addr, lo, 3, ra);
            break;
        }
        }
    }
    if (e.flags & ~env->fpuc & (X87_OE | X87_UE))
        e.flags &= (uint16_t)~(X87_PE | X87_C1);
    commit(env, &e);
    if (store && (flags & X87_ST_POP))
        st_pop(env);
}

void x87_helper_fld_sti(X86Cpu *env, uint64_t i)
{
    X87Env e = fenv(env);
    X86Float80 v = st_get(env, (int)(i & 7));
    if (st_empty(env, (int)(i & 7))) {
        /* Underflow reported even if the push also overflows (C1 = 0,
         * as the host does); the indefinite is pushed. */
        stack_underflow(&e);
        if (commit(env, &e))
            st_push(env, x87_indefinite());
        return;
    }
    push_checked(env, &e, v);
}

void x87_helper_fst_sti(X86Cpu *env, uint64_t i, uint64_t pop)
{
    X87Env e = fenv(env);
    X86Float80 v = st_get(env, 0);
    if (st_empty(env, 0)) {
        stack_underflow(&e);
        v = x87_indefinite();
    }
    if (commit(env, &e)) {
        st_set(env, (int)(i & 7), v);
        if (pop)
            st_pop(env);
    }
}

void x87_helper_fxch(X86Cpu *env, uint64_t i)
{
    X87Env e = fenv(env);
    int n = (int)(i & 7);
    X86Float80 a = st_get(env, 0), b = st_get(env, n);
    bool ea = st_empty(env, 0), eb = st_empty(env, n);
    if (ea || eb) {
        stack_underflow(&e);
        if (ea)
            a = x87_indefinite();
        if (eb)
            b = x87_indefinite();
    }
    if (commit(env, &e)) {
        st_set(env, 0, b);
        st_set(env, n, a);
    }
}

void x87_helper_ffree(X86Cpu *env, uint64_t i, uint64_t pop)
{
    set_tag(env, phys(env, (int)(i & 7)), 3);
    if (pop)
        env->fptop = (env->fptop + 1) & 7;
}

void x87_helper_fcmov(X86Cpu *env, uint64_t i, uint64_t cond)
{
    X87Env e = fenv(env);
    int n = (int)(i & 7);
    if (st_empty(env, 0) || st_empty(env, n)) {
        stack_underflow(&e);
        /* The masked response writes the indefinite whatever the
         * condition (observed on Intel hardware by x86diff -fp). */
        if (commit(env, &e))
            st_set(env, 0, x87_indefinite());
        return;
    }
    /* No fault: FSW untouched (SDM FCMOVcc: C1 only set to 0 on underflow). */
    if (cond)
        st_set(env, 0, st_get(env, n));
}

/* ---- control ---- */

uint64_t x87_helper_fnstsw(X86Cpu *env) { return x87_get_fsw(env); }
uint64_t x87_helper_fnstcw(X86Cpu *env) { return env->fpuc; }

void x87_helper_fldcw(X86Cpu *env, uint64_t cw)
{
    x87_check_pending(env, CPU_GETPC());
    env->fpuc = (uint16_t)((cw & 0x1f3f) | 0x40);
    x87_update_es(env);
}

void x87_helper_fnclex(X86Cpu *env)
{
    env->fpus &= (uint16_t)~(X87_EXC_MASK | X87_SF);
    x87_update_es(env);
}

void x87_helper_fninit(X86Cpu *env)
{
    bool es = env->fpus & X87_ES;
    x87_reset(env);
    if (es && !(env->cr[0] & X86_CR0_NE) && env->ferr)
        env->ferr(env->ferr_opaque, 0);
}

void x87_reset(X86Cpu *env)
{
    env->fpuc = 0x037f;
    env->fpus = 0;
    env->fptop = 0;
    env->fptags = 0xffff;
    env->fpop = 0;
    env->fpip = env->fpdp = 0;
    env->fpcs = env->fpds = 0;
}

/* ---- D9 E0-FF: sign, tests, constants, transcendentals, stack ---- */

/* FLD1..FLDZ constants as 128-bit significands (hi, lo) with the biased
 * exponent; rounded to 64 bits per RC when loaded (SDM Vol. 1 8.3.8). */
static const struct { uint16_t exp; uint64_t hi, lo; } x87_consts[7] = {
    { 16383, 0x8000000000000000ull, 0 },                         /* FLD1 */
    { 16384, 0xd49a784bcd1b8afeull, 0x492bf6ff4dafdb4cull },     /* FLDL2T */
    { 16383, 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull },     /* FLDL2E */
    { 16384, 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull },     /* FLDPI */
    { 16381, 0x9a209a84fbcff798ull, 0x8f8959ac0b7c9178ull },     /* FLDLG2 */
    { 16382, 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull },     /* FLDLN2 */
    { 0, 0, 0 },                                                 /* FLDZ */
};

static void fld_const(X86Cpu *env, int k)
{
    X87Env e = fenv(env), r = fenv(env);
    X86Float80 v = x87_make(false, 0, 0);
    if (x87_consts[k].hi)
        v = x87_round_pack(&r, false, x87_consts[k].exp, x87_consts[k].hi, x87_consts[k].lo | (k != 0), 64);
    push_checked(env, &e, v);
}

/* FXAM class codes C3/C2/C0 (SDM Vol. 2 FXAM table). */
static uint16_t fxam_cc(const X86Cpu *env)
{
    X86Float80 v = st_get(env, 0);
    uint16_t c1 = x87_sign(v) ? X87_C1 : 0;
    if (st_empty(env, 0))
        return c1 | X87_C3 | X87_C0;
    switch (x87_classify(v)) {
    case X87_UNSUPPORTED: return c1;
    case X87_QNAN: case X87_SNAN: return c1 | X87_C0;
    case X87_NORMAL: return c1 | X87_C2;
    case X87_INF: return c1 | X87_C2 | X87_C0;
    case X87_ZERO: return c1 | X87_C3;
    default: return c1 | X87_C3 | X87_C2;
    }
}

/* One-operand ST0 -> ST0 operation with underflow handling. */
static void unary(X86Cpu *env, int which)
{
    X87Env e = fenv(env);
    X86Float80 r;
    if (st_empty(env, 0)) {
        stack_underflow(&e);
        r = x87_indefinite();
    } else {
        X86Float80 a = st_get(env, 0);
        switch (which) {
        case 0xe0: r = x87_neg(a); break;
        case 0xe1: r = x87_abs(a); break;
        case 0xf0: r = x87_f2xm1(&e, a); break;
        case 0xfa: r = x87_sqrt(&e, a); break;
        default: r = x87_round_int(&e, a); break;   /* 0xfc */
        }
    }
    if (commit(env, &e))
        st_set(env, 0, r);
}

/* ST1 = f(ST0, ST1), pop (FYL2X, FYL2XP1, FPATAN, FSCALE keeps both). */
static void binary_st1(X86Cpu *env, int which)
{
    X87Env e = fenv(env);
    X86Float80 r;
    if (st_empty(env, 0) || st_empty(env, 1)) {
        stack_underflow(&e);
        r = x87_indefinite();
    } else {
        X86Float80 x = st_get(env, 0), y = st_get(env, 1);
        switch (which) {
        case 0xf1: r = x87_fyl2x(&e, x, y); break;
        case 0xf9: r = x87_fyl2xp1(&e, x, y); break;
        case 0xf3: r = x87_fpatan(&e, x, y); break;
        default: r = x87_scale(&e, x, y); break;    /* 0xfd */
        }
    }
    if (!commit(env, &e))
        return;
    if (which == 0xfd) {
        st_set(env, 0, r);
    } else {
        st_set(env, 1, r);
        st_pop(env);
    }
}

static void fprem(X86Cpu *env, bool nearest)
{
    X87Env e = fenv(env);
    X86Float80 r;
    uint16_t cc = 0;
    bool no_quotient = false;
    if (st_empty(env, 0) || st_empty(env, 1)) {
        stack_underflow(&e);
        r = x87_indefinite();
        no_quotient = true;
    } else {
        X87Class ca = x87_classify(st_get(env, 0)), cb = x87_classify(st_get(env, 1));
        /* NaN, unsupported or invalid (inf dividend, zero divisor) operands:
         * no quotient; the hardware clears C1 and C2, C0 and C3 unchanged
         * (also on a stack underflow). */
        no_quotient = ca >= X87_QNAN || cb >= X87_QNAN || ca == X87_INF || cb == X87_ZERO;
        r = x87_prem(&e, st_get(env, 0), st_get(env, 1), nearest, &cc);
    }
    if (commit(env, &e)) {
        st_set(env, 0, r);
        if (no_quotient)
            env->fpus &= (uint16_t)~X87_C2;
        else
            set_cc(env, cc);
    }
}

/* FXTRACT, FPTAN, FSINCOS: ST0 replaced and one value pushed. */
static void two_results(X86Cpu *env, int which)
{
    X87Env e = fenv(env);
    X86Float80 a = st_get(env, 0), r0 = a, r1 = a;
    bool in_range = true;
    if (st_empty(env, 0)) {
        stack_underflow(&e);
        r0 = r1 = x87_indefinite();
    } else if (!st_empty(env, 7)) {
        stack_overflow(&e);
        r0 = r1 = x87_indefinite();
    } else if (which == 0xf4) {
        r1 = x87_xtract(&e, a, &r0);            /* ST1 = exponent, ST0 = significand */
    } else if (which == 0xf2) {
        in_range = x87_tan(&e, a, &r0);
        r1 = x87_make(false, 16383, 1ull << 63);
        if (x87_classify(r0) == X87_QNAN)
            r1 = r0;
    } else {
        in_range = x87_sincos(&e, a, &r0, &r1);  /* ST1 = sin, ST0 = cos */
    }
    if (!in_range) {
        if (commit(env, &e))
            set_cc(env, X87_C2);
        return;
    }
    if (commit(env, &e)) {
        env->fpus &= (uint16_t)~X87_C2;
        st_set(env, 0, r0);
        st_push(env, r1);
    }
}

static void sin_or_cos(X86Cpu *env, bool cos)
{
    X87Env e = fenv(env);
    X86Float80 s, c;
    if (st_empty(env, 0)) {
        stack_underflow(&e);
        s = c = x87_indefinite();
    } else if (!x87_sincos(&e, st_get(env, 0), cos ? NULL : &s, cos ? &c : NULL)) {
        if (commit(env, &e))
            set_cc(env, X87_C2);
        return;
    }
    if (commit(env, &e)) {
        env->fpus &= (uint16_t)~X87_C2;
        st_set(env, 0, cos ? c : s);
    }
}

void x87_helper_misc(X86Cpu *env, uint64_t modrm)
{
    int m = (int)(modrm & 0xff);
    switch (m) {
    case 0xe0: case 0xe1: case 0xf0: case 0xfa: case 0xfc:
        unary(env, m);
        break;
    case 0xe4: {                                 /* FTST */
        X87Env e = fenv(env);
        do_fcom(env, &e, false, x87_make(false, 0, 0), false, 0);
        break;
    }
    case 0xe5:                                   /* FXAM */
        set_cc(env, fxam_cc(env));
        break;
    case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: case 0xee:
        fld_const(env, m - 0xe8);
        break;
    case 0xf1: case 0xf3: case 0xf9: case 0xfd:
        binary_st1(env, m);
        break;
    case 0xf2: case 0xf4: case 0xfb:
        two_results(env, m);
        break;
    case 0xf5: fprem(env, true); break;
    case 0xf8: fprem(env, false); break;
    case 0xf6:                                   /* FDECSTP */
        env->fptop = (env->fptop - 1) & 7;
        env->fpus &= (uint16_t)~X87_C1;
        break;
    case 0xf7:                                   /* FINCSTP */
        env->fptop = (env->fptop + 1) & 7;
        env->fpus &= (uint16_t)~X87_C1;
        break;
    case 0xfe: sin_or_cos(env, false); break;
    case 0xff: sin_or_cos(env, true); break;
    default: break;                              /* FNOP (D9 D0) */
    }
}

/* ---- descriptors ---- */

const IrHelper x87_helper_prepare_def = {
    "x87_helper_prepare", (void *)x87_helper_prepare, 4, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fwait_def = {
    "x87_helper_fwait", (void *)x87_helper_fwait, 1, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_arith_reg_def = {
    "x87_helper_arith_reg", (void *)x87_helper_arith_reg, 4, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_arith_mem_def = {
    "x87_helper_arith_mem", (void *)x87_helper_arith_mem, 4, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fcom_reg_def = {
    "x87_helper_fcom_reg", (void *)x87_helper_fcom_reg, 4, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fcomi_def = {
    "x87_helper_fcomi", (void *)x87_helper_fcomi, 4, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fld_mem_def = {
    "x87_helper_fld_mem", (void *)x87_helper_fld_mem, 3, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fst_mem_def = {
    "x87_helper_fst_mem", (void *)x87_helper_fst_mem, 4, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fld_sti_def = {
    "x87_helper_fld_sti", (void *)x87_helper_fld_sti, 2, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fst_sti_def = {
    "x87_helper_fst_sti", (void *)x87_helper_fst_sti, 3, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fxch_def = {
    "x87_helper_fxch", (void *)x87_helper_fxch, 2, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_ffree_def = {
    "x87_helper_ffree", (void *)x87_helper_ffree, 3, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fcmov_def = {
    "x87_helper_fcmov", (void *)x87_helper_fcmov, 3, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_misc_def = {
    "x87_helper_misc", (void *)x87_helper_misc, 2, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fldcw_def = {
    "x87_helper_fldcw", (void *)x87_helper_fldcw, 2, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fnclex_def = {
    "x87_helper_fnclex", (void *)x87_helper_fnclex, 1, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fninit_def = {
    "x87_helper_fninit", (void *)x87_helper_fninit, 1, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fldenv_def = {
    "x87_helper_fldenv", (void *)x87_helper_fldenv, 3, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fnstenv_def = {
    "x87_helper_fnstenv", (void *)x87_helper_fnstenv, 3, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_frstor_def = {
    "x87_helper_frstor", (void *)x87_helper_frstor, 3, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fnsave_def = {
    "x87_helper_fnsave", (void *)x87_helper_fnsave, 3, false, IR_I64, IR_CALL_MAY_RAISE };
const IrHelper x87_helper_fnstsw_def = { "x87_helper_fnstsw", (void *)x87_helper_fnstsw, 1, true, IR_I64,
                                         IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS };
const IrHelper x87_helper_fnstcw_def = { "x87_helper_fnstcw", (void *)x87_helper_fnstcw, 1, true, IR_I64,
                                         IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS };
