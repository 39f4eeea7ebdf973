/*
 * AArch64 code generation for IR ops: one emitter per op kind, built on
 * the register allocator (a64_regalloc.c) and the encoder (a64_asm.c).
 * A64 is three-address, so an output may go to any register, including
 * that of an input dying at the op (a64_ra_take); emitters write their
 * output register only in their last instruction, so it may alias an
 * input. Constants become ADD/SUB (imm12) or logical (bitmask) immediates
 * where they fit. The IR's "never trapping" division semantics are those
 * of UDIV/SDIV (x/0 = 0, MIN/-1 = MIN), and its shift counts modulo the
 * width are those of LSLV/LSRV/ASRV/RORV. Guest memory ops are in
 * a64_mem.c.
 */
#include <stddef.h>
#include <stdlib.h>

#include "cpu/host/aarch64/a64_int.h"

static IrTempId arg(const A64Backend *be, int i) { return a64_arg(be, i); }
static bool op_w(const A64Backend *be) { return a64_op_w(be); }
static unsigned op_bits(const A64Backend *be) { return op_w(be) ? 64 : 32; }
static A64Asm *as(A64Backend *be) { return &be->as; }
static bool is_const(const A64Backend *be, IrTempId t) { return a64_ra_const(be, t, &(int64_t){ 0 }); }

/* Value of constant t as a signed number of width w. */
static bool const_val(const A64Backend *be, IrTempId t, bool w, int64_t *v)
{
    int64_t x;
    if (!a64_ra_const(be, t, &x)) {
        return false;
    }
    *v = w ? x : (int64_t)(int32_t)(uint32_t)x;
    return true;
}

/* Output register for an op whose inputs (args ia, ib; -1 for none) are
 * loaded: a dying input's register, else a free one. */
static int out_reg(A64Backend *be, int ia, int ib)
{
    int r = ia >= 0 ? a64_ra_take(be, ia, arg(be, ia)) : -1;
    if (r < 0 && ib >= 0) {
        r = a64_ra_take(be, ib, arg(be, ib));
    }
    if (r < 0) {
        r = a64_ra_scratch(be, 0);
    }
    return r;
}

/* ---- labels ---- */

static void label_ref(A64Backend *be, int label, size_t pos)
{
    if (be->nlabel_refs == be->cap_label_refs) {
        int cap = be->cap_label_refs ? be->cap_label_refs * 2 : 64;
        A64LabelRef *r = realloc(be->label_refs, (size_t)cap * sizeof(*r));
        if (!r) {
            be->error = true;
            return;
        }
        be->label_refs = r;
        be->cap_label_refs = cap;
    }
    be->label_refs[be->nlabel_refs++] = (A64LabelRef){ label, pos };
}

/* ---- moves and ALU ---- */

static void gen_movi_to(A64Backend *be, IrTempId d, int64_t v)
{
    int r = a64_ra_scratch(be, 0);
    a64_movi(as(be), op_w(be), r, (uint64_t)v);
    a64_ra_set_out(be, d, r);
}

/* d = args[is]: copies, or renames a dying register. */
static void gen_mov_from(A64Backend *be, int is)
{
    IrTempId d = arg(be, 0), s = arg(be, is);
    int64_t v;

    if (a64_ra_const(be, s, &v)) {
        gen_movi_to(be, d, v);
        return;
    }
    int rs = a64_ra_load(be, s, 0);
    int r = a64_ra_take(be, is, s);
    if (r < 0) {
        r = a64_ra_scratch(be, 0);
        a64_mov(as(be), op_w(be), r, rs);
    }
    a64_ra_set_out(be, d, r);
}

typedef enum ArithKind { AR_ADD, AR_SUB, AR_AND, AR_OR, AR_XOR, AR_ANDC } ArithKind;

static const A64Logic logic_op[] = { [AR_AND] = A64_AND, [AR_OR] = A64_ORR, [AR_XOR] = A64_EOR,
                                     [AR_ANDC] = A64_BIC };

static void gen_arith(A64Backend *be, ArithKind k)
{
    bool w = op_w(be);
    bool commutative = k != AR_SUB && k != AR_ANDC;
    int ia = 1, ib = 2;
    int64_t v;

    if (commutative && is_const(be, arg(be, 1)) && !is_const(be, arg(be, 2))) {
        ia = 2;
        ib = 1;
    }
    if (const_val(be, arg(be, ib), w, &v) && !is_const(be, arg(be, ia))) {
        int ra = a64_ra_load(be, arg(be, ia), 0);
        uint32_t enc;
        if (k == AR_ADD || k == AR_SUB) {
            bool sub = k == AR_SUB;
            uint64_t m = (uint64_t)v;
            if (v < 0 && (w || v != INT32_MIN) && v != INT64_MIN) {
                sub = !sub;
                m = 0 - (uint64_t)v;
            }
            if (a64_addsub_imm_ok(m)) {
                int rd = out_reg(be, ia, -1);
                a64_addsub_ri(as(be), w, sub, false, rd, ra, m);
                a64_ra_set_out(be, arg(be, 0), rd);
                return;
            }
        } else {
            uint64_t imm = k == AR_ANDC ? ~(uint64_t)v : (uint64_t)v;
            if (a64_logic_imm(imm, w, &enc)) {
                int rd = out_reg(be, ia, -1);
                a64_logic_ri(as(be), k == AR_ANDC ? A64_AND : logic_op[k], w, rd, ra, enc);
                a64_ra_set_out(be, arg(be, 0), rd);
                return;
            }
        }
    }
    int ra = a64_ra_load(be, arg(be, ia), 0);
    int rb = a64_ra_load(be, arg(be, ib), 0);
    int rd = out_reg(be, ia, ib);
    if (k == AR_ADD || k == AR_SUB) {
        a64_addsub_rr(as(be), w, k == AR_SUB, false, rd, ra, rb, A64_LSL, 0);
    } else {
        a64_logic_rr(as(be), logic_op[k], w, rd, ra, rb, A64_LSL, 0);
    }
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_neg_not(A64Backend *be, bool is_not)
{
    bool w = op_w(be);
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rd = out_reg(be, 1, -1);
    if (is_not) {
        a64_logic_rr(as(be), A64_ORN, w, rd, A64_ZR, ra, A64_LSL, 0);
    } else {
        a64_addsub_rr(as(be), w, true, false, rd, A64_ZR, ra, A64_LSL, 0);
    }
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_shift(A64Backend *be, A64Shift sh, bool rotl)
{
    bool w = op_w(be);
    unsigned width = op_bits(be);
    int64_t cv;

    if (a64_ra_const(be, arg(be, 2), &cv)) {
        unsigned count = (unsigned)cv & (width - 1);
        if (rotl) {
            count = (width - count) & (width - 1);
        }
        int ra = a64_ra_load(be, arg(be, 1), 0);
        int rd = out_reg(be, 1, -1);
        if (count) {
            a64_shift_ri(as(be), sh, w, rd, ra, count);
        } else {
            a64_mov(as(be), w, rd, ra);
        }
        a64_ra_set_out(be, arg(be, 0), rd);
        return;
    }
    static const A64Op2 var_op[] = { [A64_LSL] = A64_LSLV, [A64_LSR] = A64_LSRV, [A64_ASR] = A64_ASRV,
                                     [A64_ROR] = A64_RORV };
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rb = a64_ra_load(be, arg(be, 2), 0);
    if (rotl) {
        /* rotl n = rotr (-n mod width); RORV takes the count modulo width */
        a64_addsub_rr(as(be), w, true, false, A64_TMP0, A64_ZR, rb, A64_LSL, 0);
        rb = A64_TMP0;
    }
    int rd = out_reg(be, 1, 2);
    a64_op2(as(be), var_op[sh], w, rd, ra, rb);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_mul(A64Backend *be)
{
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rb = a64_ra_load(be, arg(be, 2), 0);
    int rd = out_reg(be, 1, 2);
    a64_madd(as(be), op_w(be), false, rd, ra, rb, A64_ZR);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_mul2(A64Backend *be, bool sign)
{
    A64Asm *a = as(be);
    int ra = a64_ra_load(be, arg(be, 2), 0);
    int rb = a64_ra_load(be, arg(be, 3), 0);
    int rlo = out_reg(be, 2, 3);
    int rhi = out_reg(be, 2, 3);

    if (op_w(be)) {
        a64_madd(a, true, false, A64_TMP0, ra, rb, A64_ZR);
        a64_mulh(a, sign, rhi, ra, rb);
        a64_mov(a, true, rlo, A64_TMP0);
    } else {
        a64_mull(a, sign, A64_TMP0, ra, rb);
        a64_mov(a, false, rlo, A64_TMP0);
        a64_shift_ri(a, A64_LSR, true, rhi, A64_TMP0, 32);
    }
    a64_ra_set_out(be, arg(be, 0), rlo);
    a64_ra_set_out(be, arg(be, 1), rhi);
}

/* UDIV/SDIV never trap and give x/0 = 0 and MIN/-1 = MIN, as the IR
 * wants; the remainder a - (a/b)*b then gives x%0 = x and MIN%-1 = 0. */
static void gen_divrem(A64Backend *be, bool sign, bool rem)
{
    bool w = op_w(be);
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rb = a64_ra_load(be, arg(be, 2), 0);
    int rd = out_reg(be, 1, 2);
    if (rem) {
        a64_op2(as(be), sign ? A64_SDIV : A64_UDIV, w, A64_TMP0, ra, rb);
        a64_madd(as(be), w, true, rd, A64_TMP0, rb, ra);
    } else {
        a64_op2(as(be), sign ? A64_SDIV : A64_UDIV, w, rd, ra, rb);
    }
    a64_ra_set_out(be, arg(be, 0), rd);
}

/* ---- comparisons ---- */

static IrCond cond_swap(IrCond c)
{
    switch (c) {
    case IR_COND_LT: return IR_COND_GT;
    case IR_COND_GT: return IR_COND_LT;
    case IR_COND_LE: return IR_COND_GE;
    case IR_COND_GE: return IR_COND_LE;
    case IR_COND_LTU: return IR_COND_GTU;
    case IR_COND_GTU: return IR_COND_LTU;
    case IR_COND_LEU: return IR_COND_GEU;
    case IR_COND_GEU: return IR_COND_LEU;
    default: return c;
    }
}

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

static A64Cmp cmp_prepare(A64Backend *be, IrCond cond, int ia, int ib)
{
    A64Cmp c = { .cond = cond, .w = be->ir->temps[arg(be, ia)].type == IR_I64, .rb = -1 };
    bool tst = cond == IR_COND_TSTEQ || cond == IR_COND_TSTNE;
    int64_t v;

    if (is_const(be, arg(be, ia)) && !is_const(be, arg(be, ib))) {
        int t = ia;
        ia = ib;
        ib = t;
        c.cond = cond_swap(cond);
    }
    c.ra = a64_ra_load(be, arg(be, ia), 0);
    if (const_val(be, arg(be, ib), c.w, &v)) {
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
    c.rb = a64_ra_load(be, arg(be, ib), 0);
    return c;
}

/* Set the flags for c; returns the A64 condition that is true. */
static A64Cond cmp_emit(A64Backend *be, const A64Cmp *c)
{
    bool tst = c->cond == IR_COND_TSTEQ || c->cond == IR_COND_TSTNE;
    A64Asm *a = as(be);

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

static void gen_setcond(A64Backend *be)
{
    IrCond cond = (IrCond)be->op->args[3];

    if (cond == IR_COND_NEVER || cond == IR_COND_ALWAYS || cond >= IR_NB_CONDS) {
        gen_movi_to(be, arg(be, 0), cond == IR_COND_ALWAYS);
        return;
    }
    A64Cmp c = cmp_prepare(be, cond, 1, 2);
    int rd = out_reg(be, 1, c.rb >= 0 ? 2 : -1);
    A64Cond cc = cmp_emit(be, &c);
    a64_cset(as(be), op_w(be), cc, rd);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_movcond(A64Backend *be)
{
    IrCond cond = (IrCond)be->op->args[5];

    if (cond == IR_COND_ALWAYS) {
        gen_mov_from(be, 3);
        return;
    }
    if (cond == IR_COND_NEVER || cond >= IR_NB_CONDS) {
        gen_mov_from(be, 4);
        return;
    }
    A64Cmp c = cmp_prepare(be, cond, 1, 2);
    int rv1 = a64_ra_load(be, arg(be, 3), 0);
    int rv2 = a64_ra_load(be, arg(be, 4), 0);
    int rd = out_reg(be, 4, 3);
    A64Cond cc = cmp_emit(be, &c);
    a64_csel(as(be), 0, op_w(be), cc, rd, rv1, rv2);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_brcond(A64Backend *be)
{
    IrCond cond = (IrCond)be->op->args[2];
    int label = (int)be->op->args[3];

    if (cond == IR_COND_NEVER || cond >= IR_NB_CONDS) {
        a64_ra_bb_end(be);
        return;
    }
    if (cond == IR_COND_ALWAYS) {
        a64_ra_bb_end(be);
        label_ref(be, label, a64_b(as(be)));
        return;
    }
    A64Cmp c = cmp_prepare(be, cond, 0, 1);
    a64_ra_bb_end(be);       /* stores only: the loaded operands stay valid */
    if ((c.cond == IR_COND_EQ || c.cond == IR_COND_NE) && c.rb < 0 && !c.neg && c.imm == 0) {
        label_ref(be, label, a64_cbz(as(be), c.w, c.cond == IR_COND_NE, c.ra));
        return;
    }
    A64Cond cc = cmp_emit(be, &c);
    label_ref(be, label, a64_bcond(as(be), cc));
}

/* ---- extensions, bit fields, bytes ---- */

static void gen_ext(A64Backend *be, unsigned size_log2, bool sign, bool w)
{
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rd = out_reg(be, 1, -1);
    a64_ext(as(be), size_log2, sign, w, rd, ra);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_extrh(A64Backend *be)
{
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rd = out_reg(be, 1, -1);
    a64_shift_ri(as(be), A64_LSR, true, rd, ra, 32);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_extract(A64Backend *be, bool sign)
{
    bool w = op_w(be);
    unsigned width = op_bits(be);
    unsigned pos = (unsigned)be->op->args[2] & (width - 1);
    unsigned len = (unsigned)be->op->args[3];

    if (len == 0 || pos + len > width) {
        len = width - pos;     /* malformed: keep it harmless */
    }
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rd = out_reg(be, 1, -1);
    /* UBFX/SBFX d, n, #pos, #len */
    a64_bfm(as(be), sign ? 0 : 2, w, rd, ra, pos, pos + len - 1);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_deposit(A64Backend *be)
{
    A64Asm *a = as(be);
    bool w = op_w(be);
    unsigned width = op_bits(be);
    unsigned pos = (unsigned)be->op->args[3] & (width - 1);
    unsigned len = (unsigned)be->op->args[4];
    int64_t bv;

    if (len == 0 || pos + len > width) {
        len = width - pos;
    }
    if (len == width) {
        gen_mov_from(be, 2);
        return;
    }
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rb;
    if (a64_ra_const(be, arg(be, 2), &bv)) {
        rb = A64_TMP0;
        if (bv == 0) {
            rb = A64_ZR;
        } else {
            a64_movi(a, w, rb, (uint64_t)bv);
        }
    } else {
        rb = a64_ra_load(be, arg(be, 2), 0);
    }
    int rd = a64_ra_take(be, 1, arg(be, 1));
    if (rd < 0) {
        rd = a64_ra_scratch(be, 0);
        a64_mov(a, w, rd, ra);
    }
    /* BFI d, b, #pos, #len */
    a64_bfm(a, 1, w, rd, rb, (width - pos) & (width - 1), len - 1);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_bswap(A64Backend *be, unsigned size_log2)
{
    A64Asm *a = as(be);
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rd = out_reg(be, 1, -1);
    if (size_log2 == 3) {
        a64_op1(a, A64_REV64, true, rd, ra);
    } else if (size_log2 == 2) {
        a64_op1(a, A64_REV32, false, rd, ra);       /* REV w: upper half zeroed */
    } else {
        a64_op1(a, A64_REV32, false, A64_TMP0, ra);
        a64_shift_ri(a, A64_LSR, false, rd, A64_TMP0, 16);
    }
    a64_ra_set_out(be, arg(be, 0), rd);
}

/* clz/ctz: CLZ (of the bit-reversed value for ctz) gives the width for a
 * zero input; any other if_zero value is selected with CSEL. */
static void gen_count_zeros(A64Backend *be, bool leading)
{
    A64Asm *a = as(be);
    bool w = op_w(be);
    int64_t zv;
    bool plain = a64_ra_const(be, arg(be, 2), &zv) && (uint64_t)zv == op_bits(be);
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rz = plain ? -1 : a64_ra_load(be, arg(be, 2), 0);
    int rd = out_reg(be, 1, plain ? -1 : 2);
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
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_ctpop(A64Backend *be)
{
    int ra = a64_ra_load(be, arg(be, 1), 0);
    int rd = out_reg(be, 1, -1);
    a64_popcount(as(be), op_w(be), rd, ra);
    a64_ra_set_out(be, arg(be, 0), rd);
}

/* ---- host memory ---- */

static void gen_ld(A64Backend *be)
{
    IrMemOp mo = (IrMemOp)be->op->args[3];
    int32_t off = (int32_t)be->op->args[2];
    bool w = op_w(be);
    unsigned size = mo & IR_MO_SIZE;

    if (!w && size == 3) {
        size = 2;
    }
    int rbase = a64_ra_load(be, arg(be, 1), 0);
    int rd = out_reg(be, 1, -1);
    int64_t rel = off;
    if (rbase == A64_ENV_REG) {
        rbase = a64_env_base(off, &rel);
    }
    a64_load(as(be), size, (mo & IR_MO_SIGN) != 0, w, rd, rbase, rel, A64_TMP0);
    a64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_st(A64Backend *be)
{
    IrMemOp mo = (IrMemOp)be->op->args[3];
    int32_t off = (int32_t)be->op->args[2];
    unsigned size = mo & IR_MO_SIZE;
    int64_t v;

    if (!op_w(be) && size == 3) {
        size = 2;
    }
    int rbase = a64_ra_load(be, arg(be, 1), 0);
    int rv = a64_ra_const(be, arg(be, 0), &v) && v == 0 ? A64_ZR : a64_ra_load(be, arg(be, 0), 0);
    int64_t rel = off;
    if (rbase == A64_ENV_REG) {
        rbase = a64_env_base(off, &rel);
    }
    a64_store(as(be), size, rv, rbase, rel, A64_TMP0);
}

/* ---- helper calls (AAPCS64: arguments in x0-x5, result in x0) ---- */

static void gen_call(A64Backend *be)
{
    const IrOp *op = be->op;
    const IrHelper *h = (const IrHelper *)(intptr_t)op->args[op->nout + op->nin];
    int nin = op->nin > IR_MAX_CALL_ARGS ? IR_MAX_CALL_ARGS : op->nin;
    uint32_t argmask = 0;

    if (!(h->flags & IR_CALL_NO_WRITE_GLOBALS)) {
        a64_ra_save_globals(be);
    } else if (!(h->flags & IR_CALL_NO_READ_GLOBALS) || (h->flags & IR_CALL_MAY_RAISE)) {
        a64_ra_sync_globals(be);
    }
    for (int i = 0; i < nin; i++) {
        argmask |= A64_REG_BIT(i);
    }
    be->locked |= argmask;
    for (int i = 0; i < nin; i++) {
        a64_ra_load_into(be, arg(be, op->nout + i), A64_X0 + i);
    }
    /* Inputs dying here need not survive the call. */
    for (int i = op->nout; i < op->nout + nin; i++) {
        if (op->dead & (1u << i)) {
            a64_ra_dead(be, arg(be, i));
        }
    }
    a64_ra_free_call_clobbered(be);
    a64_call_abs(as(be), (uintptr_t)h->fn, A64_TMP0);
    if (op->nout) {
        if (be->ir->temps[arg(be, 0)].type == IR_I32) {
            a64_mov(as(be), false, A64_X0, A64_X0);   /* zero-extend */
        }
        a64_ra_set_out(be, arg(be, 0), A64_X0);
    }
}

/* ---- block exits ---- */

static void gen_exit(A64Backend *be, uint64_t value)
{
    a64_movi(as(be), true, A64_X0, value);
    a64_jump_abs(as(be), be->epilogue, A64_TMP0);
}

/* goto_tb: a B that patch_jump rewrites with one aligned 32-bit store,
 * then a far path for destinations a B cannot reach:
 *     jmp:    B reset           (chained: B dest, or NOP to use the far path)
 *             LDR x16, lit
 *             BR x16
 *     lit:    .quad dest        (8-byte aligned, also one atomic store)
 *     reset:  exit to the engine with tb | slot */
static void gen_goto_tb(A64Backend *be)
{
    A64Asm *a = as(be);
    int n = (int)be->op->args[0] & 1;

    a64_ra_bb_end(be);
    while (a->pos % 8 != 4 && !a->overflow) {
        a64_nop(a);
    }
    size_t jmp = a->pos;
    if (jmp + 20 >= TB_NO_JUMP) {
        be->error = true;      /* offsets are 16-bit in TranslationBlock */
    }
    size_t b = a64_b(a);
    size_t ldr = a64_ldr_lit(a, A64_TMP0);
    a64_br(a, A64_TMP0);
    size_t lit = a->pos;
    size_t reset = lit + 8;
    a64_emit64(a, (uint64_t)((uintptr_t)a->rx + reset));
    a64_bind(a, b, reset);
    a64_bind(a, ldr, lit);
    be->tb->jmp_insn_offset[n] = (uint16_t)jmp;
    be->tb->jmp_reset_offset[n] = (uint16_t)reset;
}

static void gen_lookup_and_goto(A64Backend *be)
{
    A64Asm *a = as(be);

    a64_ra_bb_end(be);
    a64_mov(a, true, A64_X0, A64_ENV_REG);
    a64_call_abs(a, (uintptr_t)engine_lookup_tb, A64_TMP0);
    size_t miss = a64_cbz(a, true, false, A64_X0);
    a64_load(a, 3, false, true, A64_TMP0, A64_X0, (int64_t)offsetof(TranslationBlock, host_code), A64_TMP1);
    a64_br(a, A64_TMP0);
    a64_bind(a, miss, a->pos);
    gen_exit(be, TB_EXIT_NOCHAIN);
}

/* ---- the op loop ---- */

static void gen_op(A64Backend *be, const IrOp *op, int *insn)
{
    bool w = op->type == IR_I64;

    switch ((IrOpcode)op->opc) {
    case IR_mov: gen_mov_from(be, 1); break;
    case IR_movi: gen_movi_to(be, arg(be, 0), op->args[1]); break;
    case IR_add: gen_arith(be, AR_ADD); break;
    case IR_sub: gen_arith(be, AR_SUB); break;
    case IR_and: gen_arith(be, AR_AND); break;
    case IR_or: gen_arith(be, AR_OR); break;
    case IR_xor: gen_arith(be, AR_XOR); break;
    case IR_andc: gen_arith(be, AR_ANDC); break;
    case IR_mul: gen_mul(be); break;
    case IR_mulu2: gen_mul2(be, false); break;
    case IR_muls2: gen_mul2(be, true); break;
    case IR_divu: gen_divrem(be, false, false); break;
    case IR_divs: gen_divrem(be, true, false); break;
    case IR_remu: gen_divrem(be, false, true); break;
    case IR_rems: gen_divrem(be, true, true); break;
    case IR_neg: gen_neg_not(be, false); break;
    case IR_not: gen_neg_not(be, true); break;
    case IR_shl: gen_shift(be, A64_LSL, false); break;
    case IR_shr: gen_shift(be, A64_LSR, false); break;
    case IR_sar: gen_shift(be, A64_ASR, false); break;
    case IR_rotl: gen_shift(be, A64_ROR, true); break;
    case IR_rotr: gen_shift(be, A64_ROR, false); break;
    case IR_setcond: gen_setcond(be); break;
    case IR_movcond: gen_movcond(be); break;
    case IR_brcond: gen_brcond(be); break;
    case IR_ext8s: gen_ext(be, 0, true, w); break;
    case IR_ext8u: gen_ext(be, 0, false, w); break;
    case IR_ext16s: gen_ext(be, 1, true, w); break;
    case IR_ext16u: gen_ext(be, 1, false, w); break;
    case IR_ext32s: gen_ext(be, 2, true, true); break;
    case IR_ext32u: gen_ext(be, 2, false, true); break;
    case IR_extu_i32_i64: gen_ext(be, 2, false, true); break;
    case IR_exts_i32_i64: gen_ext(be, 2, true, true); break;
    case IR_extrl_i64_i32: gen_ext(be, 2, false, false); break;
    case IR_extrh_i64_i32: gen_extrh(be); break;
    case IR_extract: gen_extract(be, false); break;
    case IR_sextract: gen_extract(be, true); break;
    case IR_deposit: gen_deposit(be); break;
    case IR_bswap16: gen_bswap(be, 1); break;
    case IR_bswap32: gen_bswap(be, 2); break;
    case IR_bswap64: gen_bswap(be, 3); break;
    case IR_clz: gen_count_zeros(be, true); break;
    case IR_ctz: gen_count_zeros(be, false); break;
    case IR_ctpop: gen_ctpop(be); break;
    case IR_ld: gen_ld(be); break;
    case IR_st: gen_st(be); break;
    case IR_gld: a64_gen_guest_mem(be, false); break;
    case IR_gst: a64_gen_guest_mem(be, true); break;
    case IR_call: gen_call(be); break;
    case IR_set_label:
        a64_ra_bb_end(be);
        if (op->args[0] >= 0 && op->args[0] < be->ir->nlabels) {
            be->label_pos[op->args[0]] = (long)be->as.pos;
        }
        break;
    case IR_br:
        a64_ra_bb_end(be);
        label_ref(be, (int)op->args[0], a64_b(as(be)));
        break;
    case IR_goto_tb: gen_goto_tb(be); break;
    case IR_exit_tb:
        a64_ra_bb_end(be);
        gen_exit(be, (uint64_t)op->args[0]);
        break;
    case IR_lookup_and_goto: gen_lookup_and_goto(be); break;
    case IR_insn_start:
        if (*insn > 0 && be->tb->insn_end && (uint32_t)*insn <= be->tb->icount) {
            be->tb->insn_end[*insn - 1] = (uint32_t)be->as.pos;
        }
        if (be->tb->insn_data && (uint32_t)*insn < be->tb->icount) {
            for (int i = 0; i < IR_INSN_WORDS; i++) {
                be->tb->insn_data[*insn * IR_INSN_WORDS + i] = (uint64_t)op->args[i];
            }
        }
        (*insn)++;
        break;
    case IR_mb:
        a64_dmb_ish(as(be));
        break;
    case IR_discard:
        a64_ra_dead(be, arg(be, 0));
        break;
    case IR_NB_OPS:
        break;
    }
}

bool a64_gen_body(A64Backend *be)
{
    A64Asm *a = as(be);
    IrContext *ir = be->ir;
    TranslationBlock *tb = be->tb;
    int insn = 0;
    bool fell_off = true;

    /* Budget check: run only if insn_budget >= icount (signed), then
     * charge it. */
    a64_load(a, 2, false, false, A64_TMP0, A64_ENV_REG, be->layout.budget_offset, A64_TMP1);
    if (a64_addsub_imm_ok(tb->icount)) {
        a64_addsub_ri(a, false, true, true, A64_ZR, A64_TMP0, tb->icount);
    } else {
        a64_movi(a, false, A64_TMP1, tb->icount);
        a64_addsub_rr(a, false, true, true, A64_ZR, A64_TMP0, A64_TMP1, A64_LSL, 0);
    }
    be->exit_req_pos = a64_bcond(a, A64_LT);
    if (tb->icount) {
        if (a64_addsub_imm_ok(tb->icount)) {
            a64_addsub_ri(a, false, true, false, A64_TMP0, A64_TMP0, tb->icount);
        } else {
            a64_addsub_rr(a, false, true, false, A64_TMP0, A64_TMP0, A64_TMP1, A64_LSL, 0);
        }
        a64_store(a, 2, A64_TMP0, A64_ENV_REG, be->layout.budget_offset, A64_TMP1);
    }

    for (int i = 0; i < ir->nops && !be->error; i++) {
        const IrOp *op = &ir->ops[i];
        be->op = op;
        gen_op(be, op, &insn);
        a64_ra_after_op(be, op);
        a64_ra_end_op(be);
        fell_off = !(ir_op_defs[op->opc].flags & IR_OPF_NORETURN);
    }
    if (insn > 0 && tb->insn_end && (uint32_t)insn <= tb->icount) {
        tb->insn_end[insn - 1] = (uint32_t)a->pos;
    }
    if (fell_off) {
        /* Front ends end every block with an exit; never run into the
         * out-of-line code if one did not. */
        a64_ra_bb_end(be);
        gen_exit(be, TB_EXIT_NOCHAIN);
    }
    return !be->error;
}
