/*
 * AArch64 instruction selection: the register file the allocator
 * (cpu/host/regalloc.c) works with and one emitter per family of IR data
 * ops (the native_isel_* of cpu/host/native_gen.h, called by the
 * host-neutral driver native_gen.c), built on the encoder (a64_asm.c).
 * A64 is three-address, so an output may go to any register, including
 * that of an input dying at the op (native_take); emitters write their
 * output register only in their last instruction, so it may alias an
 * input. Constants become ADD/SUB (imm12) or logical (bitmask) immediates
 * where they fit. The IR's "never trapping" division semantics are those
 * of UDIV/SDIV (x/0 = 0, MIN/-1 = MIN), and its shift counts modulo the
 * width are those of LSLV/LSRV/ASRV/RORV. Guest memory ops are in
 * a64_mem.c.
 */
#include <stddef.h>

#include "cpu/host/aarch64/a64_int.h"

static IrTempId arg(const NativeGen *g, int i) { return native_arg(g, i); }
static bool op_w(const NativeGen *g) { return native_op_w(g); }
static unsigned op_bits(const NativeGen *g) { return op_w(g) ? 64 : 32; }
static A64Asm *as(NativeGen *g) { return &g->as; }
static bool is_const(const NativeGen *g, IrTempId t) { return ra_const(&g->ra, t, &(int64_t){ 0 }); }

/* Value of constant t as a signed number of width w. */
static bool const_val(const NativeGen *g, IrTempId t, bool w, int64_t *v)
{
    int64_t x;
    if (!ra_const(&g->ra, t, &x)) {
        return false;
    }
    *v = w ? x : (int64_t)(int32_t)(uint32_t)x;
    return true;
}

/* Output register for an op whose inputs (args ia, ib; -1 for none) are
 * loaded: a dying input's register, else a free one. */
static int out_reg(NativeGen *g, int ia, int ib)
{
    int r = ia >= 0 ? native_take(g, ia) : -1;
    if (r < 0 && ib >= 0) {
        r = native_take(g, ib);
    }
    if (r < 0) {
        r = ra_scratch(&g->ra, 0);
    }
    return r;
}

/* The register file (roles in a64_int.h). Allocation order: callee-saved
 * first (they survive helper calls), then the temporaries x9-x15 and x8,
 * and the argument registers x7..x0 last (calls load their arguments
 * there). */
const RegAllocHost native_host_regs = {
    .name = "aarch64",
    .order = {
        A64_X20, A64_X21, A64_X22, A64_X23, A64_X24, A64_X25, A64_X26, A64_X27,
        A64_X9, A64_X10, A64_X11, A64_X12, A64_X13, A64_X14, A64_X15, A64_X8,
        A64_X7, A64_X6, A64_X5, A64_X4, A64_X3, A64_X2, A64_X1, A64_X0, -1,
    },
    .caller_saved = A64_CALLER_SAVED,
    .env_reg = A64_ENV_REG,
    .frame_reg = A64_SP,
};

/* The instructions the register allocator emits. */
void ra_host_mov(HostAsm *a, bool w, int dst, int src) { a64_mov(a, w, dst, src); }
void ra_host_movi(HostAsm *a, bool w, int r, uint64_t val) { a64_movi(a, w, r, val); }

/* Homes: the env fields of globals are reached from x19 or x28
 * (a64_env_base), spill slots from sp. */
void ra_host_load(HostAsm *a, bool w, int r, int base, int32_t disp)
{
    int64_t rel = disp;
    if (base == A64_ENV_REG) {
        base = a64_env_base(disp, &rel);
    }
    a64_load(a, w ? 3 : 2, false, w, r, base, rel, A64_TMP1);
}

void ra_host_store(HostAsm *a, bool w, int r, int base, int32_t disp)
{
    int64_t rel = disp;
    if (base == A64_ENV_REG) {
        base = a64_env_base(disp, &rel);
    }
    a64_store(a, w ? 3 : 2, r, base, rel, A64_TMP1);
}

/* ---- moves and ALU ---- */

void native_isel_movi(NativeGen *g, IrTempId d, int64_t v)
{
    int r = ra_scratch(&g->ra, 0);
    a64_movi(as(g), op_w(g), r, (uint64_t)v);
    ra_set_out(&g->ra, d, r);
}

static const A64Logic logic_op[IR_NB_OPS] = { [IR_and] = A64_AND, [IR_or] = A64_ORR, [IR_xor] = A64_EOR,
                                                [IR_andc] = A64_BIC };

/* add sub and or xor andc */
void native_isel_alu(NativeGen *g, IrOpcode k)
{
    bool w = op_w(g);
    bool commutative = k != IR_sub && k != IR_andc;
    int ia = 1, ib = 2;
    int64_t v;

    if (commutative && is_const(g, arg(g, 1)) && !is_const(g, arg(g, 2))) {
        ia = 2;
        ib = 1;
    }
    if (const_val(g, arg(g, ib), w, &v) && !is_const(g, arg(g, ia))) {
        int ra = ra_load(&g->ra, arg(g, ia), 0);
        uint32_t enc;
        if (k == IR_add || k == IR_sub) {
            bool sub = k == IR_sub;
            uint64_t m = (uint64_t)v;
            if (v < 0 && (w || v != INT32_MIN) && v != INT64_MIN) {
                sub = !sub;
                m = 0 - (uint64_t)v;
            }
            if (a64_addsub_imm_ok(m)) {
                int rd = out_reg(g, ia, -1);
                a64_addsub_ri(as(g), w, sub, false, rd, ra, m);
                ra_set_out(&g->ra, arg(g, 0), rd);
                return;
            }
        } else {
            uint64_t imm = k == IR_andc ? ~(uint64_t)v : (uint64_t)v;
            if (a64_logic_imm(imm, w, &enc)) {
                int rd = out_reg(g, ia, -1);
                a64_logic_ri(as(g), k == IR_andc ? A64_AND : logic_op[k], w, rd, ra, enc);
                ra_set_out(&g->ra, arg(g, 0), rd);
                return;
            }
        }
    }
    int ra = ra_load(&g->ra, arg(g, ia), 0);
    int rb = ra_load(&g->ra, arg(g, ib), 0);
    int rd = out_reg(g, ia, ib);
    if (k == IR_add || k == IR_sub) {
        a64_addsub_rr(as(g), w, k == IR_sub, false, rd, ra, rb, A64_LSL, 0);
    } else {
        a64_logic_rr(as(g), logic_op[k], w, rd, ra, rb, A64_LSL, 0);
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_unary(NativeGen *g, IrOpcode opc)
{
    bool is_not = opc == IR_not;
    bool w = op_w(g);
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_reg(g, 1, -1);
    if (is_not) {
        a64_logic_rr(as(g), A64_ORN, w, rd, A64_ZR, ra, A64_LSL, 0);
    } else {
        a64_addsub_rr(as(g), w, true, false, rd, A64_ZR, ra, A64_LSL, 0);
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_shift(NativeGen *g, IrOpcode opc)
{
    static const A64Shift shift_of[IR_NB_OPS] = {
        [IR_shl] = A64_LSL, [IR_shr] = A64_LSR, [IR_sar] = A64_ASR, [IR_rotl] = A64_ROR, [IR_rotr] = A64_ROR,
    };
    A64Shift sh = shift_of[opc];
    bool rotl = opc == IR_rotl;
    bool w = op_w(g);
    unsigned width = op_bits(g);
    int64_t cv;

    if (ra_const(&g->ra, arg(g, 2), &cv)) {
        unsigned count = (unsigned)cv & (width - 1);
        if (rotl) {
            count = (width - count) & (width - 1);
        }
        int ra = ra_load(&g->ra, arg(g, 1), 0);
        int rd = out_reg(g, 1, -1);
        if (count) {
            a64_shift_ri(as(g), sh, w, rd, ra, count);
        } else {
            a64_mov(as(g), w, rd, ra);
        }
        ra_set_out(&g->ra, arg(g, 0), rd);
        return;
    }
    static const A64Op2 var_op[] = { [A64_LSL] = A64_LSLV, [A64_LSR] = A64_LSRV, [A64_ASR] = A64_ASRV,
                                     [A64_ROR] = A64_RORV };
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rb = ra_load(&g->ra, arg(g, 2), 0);
    if (rotl) {
        /* rotl n = rotr (-n mod width); RORV takes the count modulo width */
        a64_addsub_rr(as(g), w, true, false, A64_TMP0, A64_ZR, rb, A64_LSL, 0);
        rb = A64_TMP0;
    }
    int rd = out_reg(g, 1, 2);
    a64_op2(as(g), var_op[sh], w, rd, ra, rb);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_mul(NativeGen *g)
{
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rb = ra_load(&g->ra, arg(g, 2), 0);
    int rd = out_reg(g, 1, 2);
    a64_madd(as(g), op_w(g), false, rd, ra, rb, A64_ZR);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_mul2(NativeGen *g, bool sign)
{
    A64Asm *a = as(g);
    int ra = ra_load(&g->ra, arg(g, 2), 0);
    int rb = ra_load(&g->ra, arg(g, 3), 0);
    int rlo = out_reg(g, 2, 3);
    int rhi = out_reg(g, 2, 3);

    if (op_w(g)) {
        a64_madd(a, true, false, A64_TMP0, ra, rb, A64_ZR);
        a64_mulh(a, sign, rhi, ra, rb);
        a64_mov(a, true, rlo, A64_TMP0);
    } else {
        a64_mull(a, sign, A64_TMP0, ra, rb);
        a64_mov(a, false, rlo, A64_TMP0);
        a64_shift_ri(a, A64_LSR, true, rhi, A64_TMP0, 32);
    }
    ra_set_out(&g->ra, arg(g, 0), rlo);
    ra_set_out(&g->ra, arg(g, 1), rhi);
}

/* UDIV/SDIV never trap and give x/0 = 0 and MIN/-1 = MIN, as the IR
 * wants; the remainder a - (a/b)*b then gives x%0 = x and MIN%-1 = 0. */
void native_isel_divrem(NativeGen *g, bool sign, bool rem)
{
    bool w = op_w(g);
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rb = ra_load(&g->ra, arg(g, 2), 0);
    int rd = out_reg(g, 1, 2);
    if (rem) {
        a64_op2(as(g), sign ? A64_SDIV : A64_UDIV, w, A64_TMP0, ra, rb);
        a64_madd(as(g), w, true, rd, A64_TMP0, rb, ra);
    } else {
        a64_op2(as(g), sign ? A64_SDIV : A64_UDIV, w, rd, ra, rb);
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

/* ---- comparisons ---- */

static const A64Cond cond_map[IR_NB_CONDS] = {
    [IR_COND_EQ] = A64_EQ, [IR_COND_NE] = A64_NE,
    [IR_COND_LT] = A64_LT, [IR_COND_GE] = A64_GE,
    [IR_COND_LE] = A64_LE, [IR_COND_GT] = A64_GT,
    [IR_COND_LTU] = A64_LO, [IR_COND_GEU] = A64_HS,
    [IR_COND_LEU] = A64_LS, [IR_COND_GTU] = A64_HI,
    [IR_COND_TSTEQ] = A64_EQ, [IR_COND_TSTNE] = A64_NE,
};

/* A comparison with its operands loaded, not yet emitted. */
typedef struct A64Cmp {
    IrCond cond;
    bool w;
    int ra, rb;            /* rb < 0: immediate form */
    bool neg;              /* CMN instead of CMP */
    uint64_t imm;          /* imm12 (ADD/SUB) or bitmask encoding (TST) */
} A64Cmp;

static A64Cmp cmp_prepare(NativeGen *g, IrCond cond, int ia, int ib)
{
    A64Cmp c = { .cond = cond, .w = g->ir->temps[arg(g, ia)].type == IR_I64, .rb = -1 };
    bool tst = cond == IR_COND_TSTEQ || cond == IR_COND_TSTNE;
    int64_t v;

    if (is_const(g, arg(g, ia)) && !is_const(g, arg(g, ib))) {
        int t = ia;
        ia = ib;
        ib = t;
        c.cond = native_cond_swap(cond);
    }
    c.ra = ra_load(&g->ra, arg(g, ia), 0);
    if (const_val(g, arg(g, ib), c.w, &v)) {
        uint32_t enc;
        if (tst && a64_logic_imm((uint64_t)v, c.w, &enc)) {
            c.imm = enc;
            return c;
        }
        if (!tst && v >= 0 && a64_addsub_imm_ok((uint64_t)v)) {
            c.imm = (uint64_t)v;
            return c;
        }
        if (!tst && v < 0 && v > -(1ll << 24) && a64_addsub_imm_ok(0 - (uint64_t)v)) {
            c.imm = 0 - (uint64_t)v;
            c.neg = true;
            return c;
        }
    }
    c.rb = ra_load(&g->ra, arg(g, ib), 0);
    return c;
}

/* Set the flags for c; returns the A64 condition that is true. */
static A64Cond cmp_emit(NativeGen *g, const A64Cmp *c)
{
    bool tst = c->cond == IR_COND_TSTEQ || c->cond == IR_COND_TSTNE;
    A64Asm *a = as(g);

    if (c->rb >= 0) {
        if (tst) {
            a64_logic_rr(a, A64_ANDS, c->w, A64_ZR, c->ra, c->rb, A64_LSL, 0);
        } else {
            a64_addsub_rr(a, c->w, true, true, A64_ZR, c->ra, c->rb, A64_LSL, 0);
        }
    } else if (tst) {
        a64_logic_ri(a, A64_ANDS, c->w, A64_ZR, c->ra, (uint32_t)c->imm);
    } else {
        a64_addsub_ri(a, c->w, !c->neg, true, A64_ZR, c->ra, c->imm);
    }
    return cond_map[c->cond];
}

void native_isel_setcond(NativeGen *g, IrCond cond)
{
    A64Cmp c = cmp_prepare(g, cond, 1, 2);
    int rd = out_reg(g, 1, c.rb >= 0 ? 2 : -1);
    A64Cond cc = cmp_emit(g, &c);
    a64_cset(as(g), op_w(g), cc, rd);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_movcond(NativeGen *g, IrCond cond)
{
    A64Cmp c = cmp_prepare(g, cond, 1, 2);
    int rv1 = ra_load(&g->ra, arg(g, 3), 0);
    int rv2 = ra_load(&g->ra, arg(g, 4), 0);
    int rd = out_reg(g, 4, 3);
    A64Cond cc = cmp_emit(g, &c);
    a64_csel(as(g), 0, op_w(g), cc, rd, rv1, rv2);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_brcond(NativeGen *g, IrCond cond, int label)
{
    A64Cmp c = cmp_prepare(g, cond, 0, 1);

    ra_bb_end(&g->ra);       /* stores only: the loaded operands stay valid */
    if ((c.cond == IR_COND_EQ || c.cond == IR_COND_NE) && c.rb < 0 && !c.neg && c.imm == 0) {
        native_label_ref(g, label, a64_cbz(as(g), c.w, c.cond == IR_COND_NE, c.ra));
        return;
    }
    A64Cond cc = cmp_emit(g, &c);
    native_label_ref(g, label, a64_bcond(as(g), cc));
}

/* ---- extensions, bit fields, bytes ---- */

void native_isel_ext(NativeGen *g, unsigned size_log2, bool sign, bool w)
{
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_reg(g, 1, -1);
    a64_ext(as(g), size_log2, sign, w, rd, ra);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_extrh(NativeGen *g)
{
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_reg(g, 1, -1);
    a64_shift_ri(as(g), A64_LSR, true, rd, ra, 32);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_extract(NativeGen *g, bool sign, unsigned pos, unsigned len)
{
    bool w = op_w(g);
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_reg(g, 1, -1);
    /* UBFX/SBFX d, n, #pos, #len */
    a64_bfm(as(g), sign ? 0 : 2, w, rd, ra, pos, pos + len - 1);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_deposit(NativeGen *g, unsigned pos, unsigned len)
{
    A64Asm *a = as(g);
    bool w = op_w(g);
    unsigned width = op_bits(g);
    int64_t bv;
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rb;
    if (ra_const(&g->ra, arg(g, 2), &bv)) {
        rb = A64_TMP0;
        if (bv == 0) {
            rb = A64_ZR;
        } else {
            a64_movi(a, w, rb, (uint64_t)bv);
        }
    } else {
        rb = ra_load(&g->ra, arg(g, 2), 0);
    }
    int rd = native_take(g, 1);
    if (rd < 0) {
        rd = ra_scratch(&g->ra, 0);
        a64_mov(a, w, rd, ra);
    }
    /* BFI d, b, #pos, #len */
    a64_bfm(a, 1, w, rd, rb, (width - pos) & (width - 1), len - 1);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_bswap(NativeGen *g, unsigned size_log2)
{
    A64Asm *a = as(g);
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_reg(g, 1, -1);
    if (size_log2 == 3) {
        a64_op1(a, A64_REV64, true, rd, ra);
    } else if (size_log2 == 2) {
        a64_op1(a, A64_REV32, false, rd, ra);       /* REV w: upper half zeroed */
    } else {
        a64_op1(a, A64_REV32, false, A64_TMP0, ra);
        a64_shift_ri(a, A64_LSR, false, rd, A64_TMP0, 16);
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

/* clz/ctz: CLZ (of the bit-reversed value for ctz) gives the width for a
 * zero input; any other if_zero value is selected with CSEL. */
void native_isel_count_zeros(NativeGen *g, bool leading)
{
    A64Asm *a = as(g);
    bool w = op_w(g);
    int64_t zv;
    bool plain = ra_const(&g->ra, arg(g, 2), &zv) && (uint64_t)zv == op_bits(g);
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rz = plain ? -1 : ra_load(&g->ra, arg(g, 2), 0);
    int rd = out_reg(g, 1, plain ? -1 : 2);
    int src = ra;

    if (!leading) {
        a64_op1(a, A64_RBIT, w, A64_TMP0, ra);
        src = A64_TMP0;
    }
    if (plain) {
        a64_op1(a, A64_CLZ, w, rd, src);
    } else {
        a64_op1(a, A64_CLZ, w, A64_TMP0, src);
        a64_addsub_ri(a, w, true, true, A64_ZR, ra, 0);      /* cmp ra, #0 */
        a64_csel(a, 0, w, A64_EQ, rd, rz, A64_TMP0);
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_ctpop(NativeGen *g)
{
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_reg(g, 1, -1);
    a64_popcount(as(g), op_w(g), rd, ra);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

/* ---- host memory ---- */

void native_isel_ld(NativeGen *g, unsigned size, bool sign, int32_t off)
{
    int rbase = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_reg(g, 1, -1);
    int64_t rel = off;
    if (rbase == A64_ENV_REG) {
        rbase = a64_env_base(off, &rel);
    }
    a64_load(as(g), size, sign, op_w(g), rd, rbase, rel, A64_TMP0);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_st(NativeGen *g, unsigned size, int32_t off)
{
    int64_t v;
    int rbase = ra_load(&g->ra, arg(g, 1), 0);
    int rv = ra_const(&g->ra, arg(g, 0), &v) && v == 0 ? A64_ZR : ra_load(&g->ra, arg(g, 0), 0);
    int64_t rel = off;
    if (rbase == A64_ENV_REG) {
        rbase = a64_env_base(off, &rel);
    }
    a64_store(as(g), size, rv, rbase, rel, A64_TMP0);
}

void native_isel_mb(NativeGen *g)
{
    a64_dmb_ish(as(g));
}
