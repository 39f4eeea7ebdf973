/*
 * x86-64 code generation for IR ops: one emitter per op kind, built on the
 * register allocator (x86_64_regalloc.c) and the encoder (x86_64_asm.c).
 * Two-address x86 forms reuse the register of an input that dies at the
 * op (x64_ra_take) so most ops need no extra move. Fixed-register
 * instructions (shift counts in cl, mul/div in rdx:rax) claim their
 * registers explicitly. Guest memory ops are in x86_64_mem.c.
 */
#include <stddef.h>
#include <stdlib.h>

#include "cpu/host/x86_64/x86_64_int.h"

static IrTempId arg(const X64Backend *be, int i) { return x64_arg(be, i); }
static bool op_w(const X64Backend *be) { return x64_op_w(be); }
static unsigned op_bits(const X64Backend *be) { return op_w(be) ? 64 : 32; }
static X64Asm *as(X64Backend *be) { return &be->as; }

static bool fits_i32(int64_t v) { return v == (int32_t)v; }

/* Is t a constant usable as a (sign-extended) imm32 for an op of width w? */
static bool imm_ok(const X64Backend *be, IrTempId t, bool w, int32_t *imm)
{
    int64_t v;
    if (!x64_ra_const(be, t, &v) || (w && !fits_i32(v))) {
        return false;
    }
    *imm = (int32_t)v;
    return true;
}

/* Register for an output computed in place from input arg ia (loaded in ra):
 * the input's own register if it dies here, else a fresh copy. */
static int out_from(X64Backend *be, int ia, int ra, bool w)
{
    int rd = x64_ra_take(be, ia, arg(be, ia));
    if (rd < 0) {
        rd = x64_ra_scratch(be, 0);
        x64_mov_rr(as(be), w, rd, ra);
    }
    return rd;
}

/* ---- labels ---- */

static void label_ref(X64Backend *be, int label, size_t field)
{
    if (be->nlabel_refs == be->cap_label_refs) {
        int cap = be->cap_label_refs ? be->cap_label_refs * 2 : 64;
        X64LabelRef *r = realloc(be->label_refs, (size_t)cap * sizeof(*r));
        if (!r) {
            be->error = true;
            return;
        }
        be->label_refs = r;
        be->cap_label_refs = cap;
    }
    be->label_refs[be->nlabel_refs++] = (X64LabelRef){ label, field };
}

static void jump_to_label(X64Backend *be, int cc, int label)
{
    size_t field = cc < 0 ? x64_jmp32(as(be)) : x64_jcc32(as(be), (X64Cond)cc);
    label_ref(be, label, field);
}

/* ---- moves and ALU ---- */

static void gen_movi_to(X64Backend *be, IrTempId d, int64_t v)
{
    int rd = x64_ra_scratch(be, 0);
    x64_movi(as(be), op_w(be), rd, (uint64_t)v, false);
    x64_ra_set_out(be, d, rd);
}

/* d = args[is]: shares nothing, copies or renames a dying register. */
static void gen_mov_from(X64Backend *be, int is)
{
    IrTempId d = arg(be, 0), s = arg(be, is);
    int64_t v;

    if (x64_ra_const(be, s, &v)) {
        gen_movi_to(be, d, v);
        return;
    }
    int rs = x64_ra_load(be, s, 0);
    x64_ra_set_out(be, d, out_from(be, is, rs, op_w(be)));
}

static void gen_alu(X64Backend *be, X64Alu alu, bool commutative)
{
    bool w = op_w(be);
    int ia = 1, ib = 2;
    int32_t imm;

    if (commutative && x64_ra_const(be, arg(be, 1), &(int64_t){ 0 })
        && !x64_ra_const(be, arg(be, 2), &(int64_t){ 0 })) {
        ia = 2;
        ib = 1;
    }
    int ra = x64_ra_load(be, arg(be, ia), 0);
    int rd;
    if (imm_ok(be, arg(be, ib), w, &imm)) {
        rd = x64_ra_take(be, ia, arg(be, ia));
        if (rd < 0) {
            rd = x64_ra_scratch(be, 0);
            if (alu == X64_ADD) {
                x64_lea(as(be), w, rd, ra, X64_NOREG, 0, imm);
                x64_ra_set_out(be, arg(be, 0), rd);
                return;
            }
            x64_mov_rr(as(be), w, rd, ra);
        }
        x64_alu_ri(as(be), alu, w, rd, imm);
    } else {
        int rb = x64_ra_load(be, arg(be, ib), 0);
        rd = x64_ra_take(be, ia, arg(be, ia));
        if (rd >= 0) {
            x64_alu_rr(as(be), alu, w, rd, rb);
        } else if (commutative && (rd = x64_ra_take(be, ib, arg(be, ib))) >= 0) {
            x64_alu_rr(as(be), alu, w, rd, ra);
        } else {
            rd = x64_ra_scratch(be, 0);
            if (alu == X64_ADD) {
                x64_lea(as(be), w, rd, ra, rb, 0, 0);
            } else {
                x64_mov_rr(as(be), w, rd, ra);
                x64_alu_rr(as(be), alu, w, rd, rb);
            }
        }
    }
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_andc(X64Backend *be)
{
    bool w = op_w(be);
    int64_t bv;

    if (x64_ra_const(be, arg(be, 2), &bv) && (!w || fits_i32(~bv))) {
        int ra = x64_ra_load(be, arg(be, 1), 0);
        int rd = out_from(be, 1, ra, w);
        x64_alu_ri(as(be), X64_AND, w, rd, (int32_t)~bv);
        x64_ra_set_out(be, arg(be, 0), rd);
        return;
    }
    int ra = x64_ra_load(be, arg(be, 1), 0);
    int rb = x64_ra_load(be, arg(be, 2), 0);
    int rd = arg(be, 1) != arg(be, 2) ? x64_ra_take(be, 2, arg(be, 2)) : -1;
    if (rd >= 0) {
        x64_unary(as(be), X64_NOT, w, rd);
        x64_alu_rr(as(be), X64_AND, w, rd, ra);
    } else {
        x64_mov_rr(as(be), w, X64_TMP_REG, rb);
        x64_unary(as(be), X64_NOT, w, X64_TMP_REG);
        rd = out_from(be, 1, ra, w);
        x64_alu_rr(as(be), X64_AND, w, rd, X64_TMP_REG);
    }
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_unary(X64Backend *be, X64Unary op)
{
    int ra = x64_ra_load(be, arg(be, 1), 0);
    int rd = out_from(be, 1, ra, op_w(be));
    x64_unary(as(be), op, op_w(be), rd);
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_shift(X64Backend *be, X64Shift op)
{
    bool w = op_w(be);
    int64_t cv;

    if (x64_ra_const(be, arg(be, 2), &cv)) {
        int ra = x64_ra_load(be, arg(be, 1), 0);
        int rd = out_from(be, 1, ra, w);
        unsigned count = (unsigned)cv & (op_bits(be) - 1);
        if (count) {
            x64_shift_ri(as(be), op, w, rd, count);
        }
        x64_ra_set_out(be, arg(be, 0), rd);
        return;
    }
    /* The count goes to cl; x86 masks it to the operand width, which is
     * exactly the IR's "modulo the width". */
    int ra = x64_ra_load(be, arg(be, 1), X64_REG_BIT(X64_RCX));
    x64_ra_load_into(be, arg(be, 2), X64_RCX, false);
    int rd = out_from(be, 1, ra, w);
    x64_shift_rcl(as(be), op, w, rd);
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_mul(X64Backend *be)
{
    bool w = op_w(be);
    int ia = 1, ib = 2;
    int32_t imm;

    if (x64_ra_const(be, arg(be, 1), &(int64_t){ 0 })) {
        ia = 2;
        ib = 1;
    }
    int ra = x64_ra_load(be, arg(be, ia), 0);
    int rd;
    if (imm_ok(be, arg(be, ib), w, &imm)) {
        rd = x64_ra_take(be, ia, arg(be, ia));
        if (rd < 0) {
            rd = x64_ra_scratch(be, 0);
        }
        x64_imul_rri(as(be), w, rd, ra, imm);
    } else {
        int rb = x64_ra_load(be, arg(be, ib), 0);
        if ((rd = x64_ra_take(be, ia, arg(be, ia))) >= 0) {
            x64_imul_rr(as(be), w, rd, rb);
        } else if ((rd = x64_ra_take(be, ib, arg(be, ib))) >= 0) {
            x64_imul_rr(as(be), w, rd, ra);
        } else {
            rd = x64_ra_scratch(be, 0);
            x64_mov_rr(as(be), w, rd, ra);
            x64_imul_rr(as(be), w, rd, rb);
        }
    }
    x64_ra_set_out(be, arg(be, 0), rd);
}

/* Put input arg ia into rax for a destructive rax/rdx instruction and free
 * rdx; returns the register of input ib (never rax or rdx). */
static int setup_rdx_rax(X64Backend *be, int ia, int ib)
{
    uint16_t fixed = X64_REG_BIT(X64_RAX) | X64_REG_BIT(X64_RDX);
    int rb = x64_ra_load(be, arg(be, ib), fixed);

    if (!(be->ts[arg(be, ia)].reg == X64_RAX && x64_ra_take(be, ia, arg(be, ia)) == X64_RAX)) {
        x64_ra_load_into(be, arg(be, ia), X64_RAX, true);
    }
    x64_ra_claim(be, X64_RDX);
    return rb;
}

static void gen_mul2(X64Backend *be, bool sign)
{
    int rb = setup_rdx_rax(be, 2, 3);
    x64_unary(as(be), sign ? X64_IMUL1 : X64_MUL, op_w(be), rb);
    x64_ra_set_out(be, arg(be, 0), X64_RAX);
    x64_ra_set_out(be, arg(be, 1), X64_RDX);
}

/* div/rem that never trap (ir_ops.def): x/0 = 0, x%0 = x, MIN/-1 = MIN,
 * MIN%-1 = 0. Dividing by -1 never executes idiv (a / -1 = -a, a % -1 = 0). */
static void gen_divrem(X64Backend *be, bool sign, bool rem)
{
    X64Asm *a = as(be);
    bool w = op_w(be);
    int rb = setup_rdx_rax(be, 1, 2);
    size_t j_minus1 = 0, j_done1 = 0;

    x64_test_rr(a, w, rb, rb);
    size_t j_zero = x64_jcc8(a, X64_CC_E);
    if (sign) {
        x64_alu_ri(a, X64_CMP, w, rb, -1);
        j_minus1 = x64_jcc8(a, X64_CC_NE);
        if (rem) {
            x64_alu_rr(a, X64_XOR, false, X64_RDX, X64_RDX);
        } else {
            x64_unary(a, X64_NEG, w, X64_RAX);
        }
        j_done1 = x64_jmp8(a);
        x64_bind_rel8(a, j_minus1);
        x64_cqo(a, w);
        x64_unary(a, X64_IDIV, w, rb);
    } else {
        x64_alu_rr(a, X64_XOR, false, X64_RDX, X64_RDX);
        x64_unary(a, X64_DIV, w, rb);
    }
    size_t j_done2 = x64_jmp8(a);
    x64_bind_rel8(a, j_zero);
    if (rem) {
        x64_mov_rr(a, w, X64_RDX, X64_RAX);
    } else {
        x64_alu_rr(a, X64_XOR, false, X64_RAX, X64_RAX);
    }
    if (sign) {
        x64_bind_rel8(a, j_done1);
    }
    x64_bind_rel8(a, j_done2);
    x64_ra_set_out(be, arg(be, 0), rem ? X64_RDX : X64_RAX);
}

/* ---- comparisons ---- */

typedef struct X64Cmp {
    IrCond cond;
    bool w, imm_b;
    int ra, rb;
    int32_t imm;
} X64Cmp;

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

static const X64Cond cond_map[IR_NB_CONDS] = {
    [IR_COND_EQ] = X64_CC_E, [IR_COND_NE] = X64_CC_NE,
    [IR_COND_LT] = X64_CC_L, [IR_COND_GE] = X64_CC_GE,
    [IR_COND_LE] = X64_CC_LE, [IR_COND_GT] = X64_CC_G,
    [IR_COND_LTU] = X64_CC_B, [IR_COND_GEU] = X64_CC_AE,
    [IR_COND_LEU] = X64_CC_BE, [IR_COND_GTU] = X64_CC_A,
    [IR_COND_TSTEQ] = X64_CC_E, [IR_COND_TSTNE] = X64_CC_NE,
};

/* Load the operands of "args[ia] cond args[ib]" (type w); no flags yet. */
static X64Cmp cmp_prepare(X64Backend *be, IrCond cond, bool w, int ia, int ib)
{
    X64Cmp c = { .cond = cond, .w = w, .rb = -1 };

    if (x64_ra_const(be, arg(be, ia), &(int64_t){ 0 }) && !x64_ra_const(be, arg(be, ib), &(int64_t){ 0 })) {
        int t = ia;
        ia = ib;
        ib = t;
        c.cond = cond_swap(cond);
    }
    c.ra = x64_ra_load(be, arg(be, ia), 0);
    c.imm_b = imm_ok(be, arg(be, ib), w, &c.imm);
    if (!c.imm_b) {
        c.rb = x64_ra_load(be, arg(be, ib), 0);
    }
    return c;
}

/* Set the flags for c; returns the x86 condition that is true. */
static X64Cond cmp_emit(X64Backend *be, const X64Cmp *c)
{
    bool tst = c->cond == IR_COND_TSTEQ || c->cond == IR_COND_TSTNE;
    X64Asm *a = as(be);

    if (!c->imm_b) {
        if (tst) {
            x64_test_rr(a, c->w, c->ra, c->rb);
        } else {
            x64_alu_rr(a, X64_CMP, c->w, c->ra, c->rb);
        }
    } else if (tst) {
        x64_test_ri(a, c->w, c->ra, c->imm);
    } else if (c->imm == 0) {
        x64_test_rr(a, c->w, c->ra, c->ra);    /* same flags as cmp r, 0 */
    } else {
        x64_alu_ri(a, X64_CMP, c->w, c->ra, c->imm);
    }
    return cond_map[c->cond];
}

/* Type of a comparison: that of its first input (the op type of setcond /
 * movcond is the output's). */
static bool input_w(const X64Backend *be, int i)
{
    return be->ir->temps[arg(be, i)].type == IR_I64;
}

static void gen_setcond(X64Backend *be)
{
    IrCond cond = (IrCond)be->op->args[3];

    if (cond == IR_COND_NEVER || cond == IR_COND_ALWAYS || cond >= IR_NB_CONDS) {
        gen_movi_to(be, arg(be, 0), cond == IR_COND_ALWAYS);
        return;
    }
    X64Cmp c = cmp_prepare(be, cond, input_w(be, 1), 1, 2);
    int rd = x64_ra_take(be, 1, arg(be, 1));
    if (rd < 0 && !c.imm_b) {
        rd = x64_ra_take(be, 2, arg(be, 2));
    }
    if (rd < 0) {
        rd = x64_ra_scratch(be, 0);
    }
    X64Cond cc = cmp_emit(be, &c);
    x64_setcc(as(be), cc, rd);
    x64_ext(as(be), 0, false, false, rd, rd);
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_movcond(X64Backend *be)
{
    IrCond cond = (IrCond)be->op->args[5];
    bool w = op_w(be);

    if (cond == IR_COND_ALWAYS) {
        gen_mov_from(be, 3);
        return;
    }
    if (cond == IR_COND_NEVER || cond >= IR_NB_CONDS) {
        gen_mov_from(be, 4);
        return;
    }
    X64Cmp c = cmp_prepare(be, cond, input_w(be, 1), 1, 2);
    int rv1 = x64_ra_load(be, arg(be, 3), 0);
    int rv2 = x64_ra_load(be, arg(be, 4), 0);
    int rd = x64_ra_take(be, 4, arg(be, 4));
    if (rd < 0) {
        rd = x64_ra_scratch(be, 0);
        x64_mov_rr(as(be), w, rd, rv2);
    }
    X64Cond cc = cmp_emit(be, &c);
    x64_cmov(as(be), cc, w, rd, rv1);
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_brcond(X64Backend *be)
{
    IrCond cond = (IrCond)be->op->args[2];
    int label = (int)be->op->args[3];

    if (cond == IR_COND_NEVER || cond >= IR_NB_CONDS) {
        x64_ra_bb_end(be);
        return;
    }
    if (cond == IR_COND_ALWAYS) {
        x64_ra_bb_end(be);
        jump_to_label(be, -1, label);
        return;
    }
    X64Cmp c = cmp_prepare(be, cond, input_w(be, 0), 0, 1);
    x64_ra_bb_end(be);       /* stores only: the loaded operands stay valid */
    X64Cond cc = cmp_emit(be, &c);
    jump_to_label(be, cc, label);
}

/* ---- extensions, bit fields, bytes ---- */

static void gen_ext(X64Backend *be, unsigned size_log2, bool sign, bool w)
{
    int ra = x64_ra_load(be, arg(be, 1), 0);
    int rd = x64_ra_take(be, 1, arg(be, 1));
    if (rd < 0) {
        rd = x64_ra_scratch(be, 0);
    }
    x64_ext(as(be), size_log2, sign, w, rd, ra);
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_extrh(X64Backend *be)
{
    int ra = x64_ra_load(be, arg(be, 1), 0);
    int rd = out_from(be, 1, ra, true);
    x64_shift_ri(as(be), X64_SHR, true, rd, 32);
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_extract(X64Backend *be, bool sign)
{
    bool w = op_w(be);
    unsigned width = op_bits(be);
    unsigned pos = (unsigned)be->op->args[2] & (width - 1);
    unsigned len = (unsigned)be->op->args[3];

    if (len == 0 || pos + len > width) {
        len = width - pos;     /* malformed: keep it harmless */
    }
    if (pos == 0 && (len == 8 || len == 16 || (len == 32 && w))) {
        gen_ext(be, len == 8 ? 0 : len == 16 ? 1 : 2, sign, w);
        return;
    }
    int ra = x64_ra_load(be, arg(be, 1), 0);
    int rd = out_from(be, 1, ra, w);
    if (pos + len < width) {
        x64_shift_ri(as(be), X64_SHL, w, rd, width - pos - len);
    }
    if (len < width) {
        x64_shift_ri(as(be), sign ? X64_SAR : X64_SHR, w, rd, width - len);
    }
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_deposit(X64Backend *be)
{
    X64Asm *a = as(be);
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
    uint64_t lenmask = (1ull << len) - 1;
    uint64_t mask = lenmask << pos;
    bool bconst = x64_ra_const(be, arg(be, 2), &bv);
    uint64_t field = ((uint64_t)bv & lenmask) << pos;
    int ra = x64_ra_load(be, arg(be, 1), 0);

    if (!bconst) {
        int rb = x64_ra_load(be, arg(be, 2), 0);
        x64_mov_rr(a, w, X64_TMP_REG, rb);
        x64_shift_ri(a, X64_SHL, w, X64_TMP_REG, width - len);
        if (width - len - pos) {
            x64_shift_ri(a, X64_SHR, w, X64_TMP_REG, width - len - pos);
        }
    }
    int rd = out_from(be, 1, ra, w);
    uint64_t inv = w ? ~mask : (uint32_t)~mask;
    if (!w || fits_i32((int64_t)inv)) {
        x64_alu_ri(a, X64_AND, w, rd, (int32_t)inv);
    } else {
        /* Clear the field without a 64-bit constant: rotate it to the
         * bottom, shift it out and back, rotate home. */
        if (pos) {
            x64_shift_ri(a, X64_ROR, w, rd, pos);
        }
        x64_shift_ri(a, X64_SHR, w, rd, len);
        x64_shift_ri(a, X64_SHL, w, rd, len);
        if (pos) {
            x64_shift_ri(a, X64_ROL, w, rd, pos);
        }
    }
    if (!bconst) {
        x64_alu_rr(a, X64_OR, w, rd, X64_TMP_REG);
    } else if (field && (!w || fits_i32((int64_t)field))) {
        x64_alu_ri(a, X64_OR, w, rd, (int32_t)field);
    } else if (field) {
        x64_movi(a, true, X64_TMP_REG, field, false);
        x64_alu_rr(a, X64_OR, w, rd, X64_TMP_REG);
    }
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_bswap(X64Backend *be, unsigned size_log2)
{
    int ra = x64_ra_load(be, arg(be, 1), 0);
    bool w = size_log2 == 3;
    int rd = out_from(be, 1, ra, w);
    x64_bswap(as(be), w, rd);
    if (size_log2 == 1) {
        x64_shift_ri(as(be), X64_SHR, false, rd, 16);
    }
    x64_ra_set_out(be, arg(be, 0), rd);
}

/* clz/ctz: lzcnt/tzcnt (CF = source was zero) when the host has them,
 * else bsr/bsf (ZF = source was zero; bsr gives the index, clz = idx ^ (W-1)). */
static void gen_count_zeros(X64Backend *be, bool leading)
{
    X64Asm *a = as(be);
    bool w = op_w(be);
    unsigned width = op_bits(be);
    unsigned wb = w ? X64_P_W : 0;
    bool native = leading ? (be->features & X64_FEAT_LZCNT) : (be->features & X64_FEAT_BMI1);
    int64_t zv;
    bool zconst = x64_ra_const(be, arg(be, 2), &zv);
    int ra = x64_ra_load(be, arg(be, 1), 0);
    int rd;

    if (native) {
        bool need_cmov = !(zconst && (uint64_t)zv == width);
        int rz = need_cmov ? x64_ra_load(be, arg(be, 2), 0) : -1;
        rd = arg(be, 1) != arg(be, 2) ? x64_ra_take(be, 1, arg(be, 1)) : -1;
        if (rd < 0) {
            rd = x64_ra_scratch(be, 0);
        }
        x64_op_rr(a, X64_P_F3 | X64_P_0F | (leading ? 0xbd : 0xbc) | wb, rd, ra);
        if (need_cmov) {
            x64_cmov(a, X64_CC_B, w, rd, rz);
        }
    } else {
        uint64_t fix = leading ? width - 1 : 0;
        if (zconst) {
            x64_movi(a, w, X64_TMP_REG, (uint64_t)zv ^ fix, false);
        } else {
            int rz = x64_ra_load(be, arg(be, 2), 0);
            x64_mov_rr(a, w, X64_TMP_REG, rz);
            if (fix) {
                x64_alu_ri(a, X64_XOR, w, X64_TMP_REG, (int32_t)fix);
            }
        }
        rd = x64_ra_take(be, 1, arg(be, 1));
        if (rd < 0) {
            rd = x64_ra_scratch(be, 0);
        }
        x64_op_rr(a, X64_P_0F | (leading ? 0xbd : 0xbc) | wb, rd, ra);
        x64_cmov(a, X64_CC_E, w, rd, X64_TMP_REG);
        if (fix) {
            x64_alu_ri(a, X64_XOR, w, rd, (int32_t)fix);
        }
    }
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_ctpop(X64Backend *be)
{
    X64Asm *a = as(be);
    bool w = op_w(be);
    int ra = x64_ra_load(be, arg(be, 1), 0);

    if (be->features & X64_FEAT_POPCNT) {
        int rd = x64_ra_take(be, 1, arg(be, 1));
        if (rd < 0) {
            rd = x64_ra_scratch(be, 0);
        }
        x64_op_rr(a, X64_P_F3 | X64_P_0F | 0xb8 | (w ? X64_P_W : 0), rd, ra);
        x64_ra_set_out(be, arg(be, 0), rd);
        return;
    }
    /* Bit-slice population count (Hacker's Delight 5-2). */
    static const uint64_t m[4] = { 0x5555555555555555ull, 0x3333333333333333ull,
                                   0x0f0f0f0f0f0f0f0full, 0x0101010101010101ull };
    int rd = out_from(be, 1, ra, w);
    int t = x64_ra_scratch(be, 0);
    /* x & m for a mask constant: imm32 on i32, via r11 on i64 */
    #define AND_MASK(reg, i)                                            \
        do {                                                            \
            if (w) {                                                    \
                x64_movi(a, true, X64_TMP_REG, m[i], false);            \
                x64_alu_rr(a, X64_AND, true, (reg), X64_TMP_REG);       \
            } else {                                                    \
                x64_alu_ri(a, X64_AND, false, (reg), (int32_t)m[i]);    \
            }                                                           \
        } while (0)
    x64_mov_rr(a, w, t, rd);
    x64_shift_ri(a, X64_SHR, w, t, 1);
    AND_MASK(t, 0);
    x64_alu_rr(a, X64_SUB, w, rd, t);
    x64_mov_rr(a, w, t, rd);
    x64_shift_ri(a, X64_SHR, w, t, 2);
    AND_MASK(t, 1);
    AND_MASK(rd, 1);
    x64_alu_rr(a, X64_ADD, w, rd, t);
    x64_mov_rr(a, w, t, rd);
    x64_shift_ri(a, X64_SHR, w, t, 4);
    x64_alu_rr(a, X64_ADD, w, rd, t);
    AND_MASK(rd, 2);
    #undef AND_MASK
    if (w) {
        x64_movi(a, true, X64_TMP_REG, m[3], false);
        x64_imul_rr(a, true, rd, X64_TMP_REG);
    } else {
        x64_imul_rri(a, false, rd, rd, (int32_t)m[3]);
    }
    x64_shift_ri(a, X64_SHR, w, rd, op_bits(be) - 8);
    x64_ra_set_out(be, arg(be, 0), rd);
}

/* ---- host memory ---- */

static void gen_ld(X64Backend *be)
{
    IrMemOp mo = (IrMemOp)be->op->args[3];
    int32_t off = (int32_t)be->op->args[2];
    bool w = op_w(be);
    unsigned size = mo & IR_MO_SIZE;

    if (!w && size == 3) {
        size = 2;
    }
    int rbase = x64_ra_load(be, arg(be, 1), 0);
    int rd = x64_ra_take(be, 1, arg(be, 1));
    if (rd < 0) {
        rd = x64_ra_scratch(be, 0);
    }
    x64_load(as(be), size, (mo & IR_MO_SIGN) != 0, w, rd, rbase, X64_NOREG, off);
    x64_ra_set_out(be, arg(be, 0), rd);
}

static void gen_st(X64Backend *be)
{
    IrMemOp mo = (IrMemOp)be->op->args[3];
    int32_t off = (int32_t)be->op->args[2];
    unsigned size = mo & IR_MO_SIZE;
    int64_t v;

    if (!op_w(be) && size == 3) {
        size = 2;
    }
    int rbase = x64_ra_load(be, arg(be, 1), 0);
    if (x64_ra_const(be, arg(be, 0), &v) && (size < 3 || fits_i32(v))) {
        x64_store_imm(as(be), size, (int32_t)v, rbase, X64_NOREG, off);
        return;
    }
    int rv = x64_ra_load(be, arg(be, 0), 0);
    x64_store(as(be), size, rv, rbase, X64_NOREG, off);
}

/* ---- helper calls ---- */

static const int8_t call_arg_regs[IR_MAX_CALL_ARGS] = {
    X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9,
};

static void gen_call(X64Backend *be)
{
    const IrOp *op = be->op;
    const IrHelper *h = (const IrHelper *)(intptr_t)op->args[op->nout + op->nin];
    int nin = op->nin > IR_MAX_CALL_ARGS ? IR_MAX_CALL_ARGS : op->nin;
    uint16_t argmask = 0;

    if (!(h->flags & IR_CALL_NO_WRITE_GLOBALS)) {
        x64_ra_save_globals(be);
    } else if (!(h->flags & IR_CALL_NO_READ_GLOBALS) || (h->flags & IR_CALL_MAY_RAISE)) {
        x64_ra_sync_globals(be);
    }
    for (int i = 0; i < nin; i++) {
        argmask |= X64_REG_BIT(call_arg_regs[i]);
    }
    be->locked |= argmask;
    for (int i = 0; i < nin; i++) {
        x64_ra_load_into(be, arg(be, op->nout + i), call_arg_regs[i], false);
    }
    /* Inputs dying here need not survive the call. */
    for (int i = op->nout; i < op->nout + nin; i++) {
        if (op->dead & (1u << i)) {
            x64_ra_dead(be, arg(be, i));
        }
    }
    x64_ra_free_call_clobbered(be);
    x64_call_abs(as(be), (uintptr_t)h->fn, X64_TMP_REG);
    if (op->nout) {
        if (be->ir->temps[arg(be, 0)].type == IR_I32) {
            x64_mov_rr(as(be), false, X64_RAX, X64_RAX);   /* zero-extend */
        }
        x64_ra_set_out(be, arg(be, 0), X64_RAX);
    }
}

/* ---- block exits ---- */

static void gen_exit(X64Backend *be, uint64_t value)
{
    x64_movi(as(be), true, X64_RAX, value, false);
    x64_jmp_abs(as(be), be->epilogue, X64_TMP_REG);
}

static void gen_goto_tb(X64Backend *be)
{
    X64Asm *a = as(be);
    int n = (int)be->op->args[0] & 1;

    x64_ra_bb_end(be);
    /* The rel32 must be 4-byte aligned so patch_jump rewrites it with one
     * atomic store while other threads may be executing it. */
    x64_align(a, 4, 3);
    if (a->pos + 5 >= TB_NO_JUMP) {
        be->error = true;      /* offsets are 16-bit in TranslationBlock */
    }
    be->tb->jmp_insn_offset[n] = (uint16_t)a->pos;
    x64_jmp32(a);      /* rel32 0: falls through to the unchained exit */
    be->tb->jmp_reset_offset[n] = (uint16_t)a->pos;
}

static void gen_lookup_and_goto(X64Backend *be)
{
    X64Asm *a = as(be);

    x64_ra_bb_end(be);
    x64_mov_rr(a, true, X64_RDI, X64_ENV_REG);
    x64_call_abs(a, (uintptr_t)engine_lookup_tb, X64_TMP_REG);
    x64_test_rr(a, true, X64_RAX, X64_RAX);
    size_t miss = x64_jcc8(a, X64_CC_E);
    x64_op_mem(a, 0xff, 4, X64_RAX, X64_NOREG, 0, (int32_t)offsetof(TranslationBlock, host_code));
    x64_bind_rel8(a, miss);
    gen_exit(be, TB_EXIT_NOCHAIN);
}

/* ---- the op loop ---- */

static void gen_op(X64Backend *be, const IrOp *op, int *insn)
{
    bool w = op->type == IR_I64;

    switch ((IrOpcode)op->opc) {
    case IR_mov: gen_mov_from(be, 1); break;
    case IR_movi: gen_movi_to(be, arg(be, 0), op->args[1]); break;
    case IR_add: gen_alu(be, X64_ADD, true); break;
    case IR_sub: gen_alu(be, X64_SUB, false); break;
    case IR_and: gen_alu(be, X64_AND, true); break;
    case IR_or: gen_alu(be, X64_OR, true); break;
    case IR_xor: gen_alu(be, X64_XOR, true); break;
    case IR_andc: gen_andc(be); break;
    case IR_mul: gen_mul(be); break;
    case IR_mulu2: gen_mul2(be, false); break;
    case IR_muls2: gen_mul2(be, true); break;
    case IR_divu: gen_divrem(be, false, false); break;
    case IR_divs: gen_divrem(be, true, false); break;
    case IR_remu: gen_divrem(be, false, true); break;
    case IR_rems: gen_divrem(be, true, true); break;
    case IR_neg: gen_unary(be, X64_NEG); break;
    case IR_not: gen_unary(be, X64_NOT); break;
    case IR_shl: gen_shift(be, X64_SHL); break;
    case IR_shr: gen_shift(be, X64_SHR); break;
    case IR_sar: gen_shift(be, X64_SAR); break;
    case IR_rotl: gen_shift(be, X64_ROL); break;
    case IR_rotr: gen_shift(be, X64_ROR); break;
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
    case IR_gld: x64_gen_guest_mem(be, false); break;
    case IR_gst: x64_gen_guest_mem(be, true); break;
    case IR_call: gen_call(be); break;
    case IR_set_label:
        x64_ra_bb_end(be);
        if (op->args[0] >= 0 && op->args[0] < be->ir->nlabels) {
            be->label_pos[op->args[0]] = (long)be->as.pos;
        }
        break;
    case IR_br:
        x64_ra_bb_end(be);
        jump_to_label(be, -1, (int)op->args[0]);
        break;
    case IR_goto_tb: gen_goto_tb(be); break;
    case IR_exit_tb:
        x64_ra_bb_end(be);
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
        x64_mfence(as(be));
        break;
    case IR_discard:
        x64_ra_dead(be, arg(be, 0));
        break;
    case IR_NB_OPS:
        break;
    }
}

bool x64_gen_body(X64Backend *be)
{
    X64Asm *a = as(be);
    IrContext *ir = be->ir;
    TranslationBlock *tb = be->tb;
    int insn = 0;
    bool fell_off = true;

    /* Budget check: run only if insn_budget >= icount, then charge it. */
    x64_alu_mi(a, X64_CMP, false, X64_ENV_REG, be->layout.budget_offset, (int32_t)tb->icount);
    be->exit_req_field = x64_jcc32(a, X64_CC_L);
    if (tb->icount) {
        x64_alu_mi(a, X64_SUB, false, X64_ENV_REG, be->layout.budget_offset, (int32_t)tb->icount);
    }

    for (int i = 0; i < ir->nops && !be->error; i++) {
        const IrOp *op = &ir->ops[i];
        be->op = op;
        gen_op(be, op, &insn);
        x64_ra_after_op(be, op);
        x64_ra_end_op(be);
        fell_off = !(ir_op_defs[op->opc].flags & IR_OPF_NORETURN);
    }
    if (insn > 0 && tb->insn_end && (uint32_t)insn <= tb->icount) {
        tb->insn_end[insn - 1] = (uint32_t)a->pos;
    }
    if (fell_off) {
        /* Front ends end every block with an exit; never run into the
         * out-of-line code if one did not. */
        x64_ra_bb_end(be);
        gen_exit(be, TB_EXIT_NOCHAIN);
    }
    return !be->error;
}
