/*
 * x86-64 instruction selection: the register file the allocator
 * (cpu/host/regalloc.c) works with and one emitter per family of IR data
 * ops (the native_isel_* of cpu/host/native_gen.h, called by the
 * host-neutral driver native_gen.c), built on the encoder (x86_64_asm.c).
 * Two-address x86 forms reuse the register of an input that dies at the
 * op (native_take) so most ops need no extra move. Fixed-register
 * instructions (shift counts in cl, mul/div in rdx:rax) claim their
 * registers explicitly. Guest memory ops are in x86_64_mem.c.
 */
#include <stddef.h>

#include "cpu/host/x86_64/x86_64_int.h"

static IrTempId arg(const NativeGen *g, int i) { return native_arg(g, i); }
static bool op_w(const NativeGen *g) { return native_op_w(g); }
static unsigned op_bits(const NativeGen *g) { return op_w(g) ? 64 : 32; }
static X64Asm *as(NativeGen *g) { return &g->as; }

static bool fits_i32(int64_t v) { return v == (int32_t)v; }

/* Is t a constant usable as a (sign-extended) imm32 for an op of width w? */
static bool imm_ok(const NativeGen *g, IrTempId t, bool w, int32_t *imm)
{
    int64_t v;
    if (!ra_const(&g->ra, t, &v) || (w && !fits_i32(v))) {
        return false;
    }
    *imm = (int32_t)v;
    return true;
}

/* Register for an output computed in place from input arg ia (loaded in ra):
 * the input's own register if it dies here, else a fresh copy. */
static int out_from(NativeGen *g, int ia, int ra, bool w)
{
    int rd = native_take(g, ia);
    if (rd < 0) {
        rd = ra_scratch(&g->ra, 0);
        x64_mov_rr(as(g), w, rd, ra);
    }
    return rd;
}

/* The register file (roles in x86_64_int.h). Allocation order:
 * callee-saved first (they survive calls), then the caller-saved ones with
 * fixed roles (rcx shifts, rax/rdx mul/div) last. */
const RegAllocHost native_host_regs = {
    .name = "x86_64",
    .order = {
        X64_RBX, X64_R12, X64_R13, X64_R14, X64_R15,
        X64_R10, X64_R9, X64_R8, X64_RDI, X64_RSI, X64_RCX, X64_RDX, X64_RAX, -1,
    },
    .caller_saved = X64_CALLER_SAVED,
    .env_reg = X64_ENV_REG,
    .frame_reg = X64_RSP,
};

/* The instructions the register allocator emits. */
void ra_host_mov(HostAsm *a, bool w, int dst, int src) { x64_mov_rr(a, w, dst, src); }
/* keep_flags: a reload may sit between a compare and its use */
void ra_host_movi(HostAsm *a, bool w, int r, uint64_t val) { x64_movi(a, w, r, val, true); }

void ra_host_load(HostAsm *a, bool w, int r, int base, int32_t disp)
{
    x64_load(a, w ? 3 : 2, false, w, r, base, X64_NOREG, disp);
}

void ra_host_store(HostAsm *a, bool w, int r, int base, int32_t disp)
{
    x64_store(a, w ? 3 : 2, r, base, X64_NOREG, disp);
}

/* ---- moves and ALU ---- */

void native_isel_movi(NativeGen *g, IrTempId d, int64_t v)
{
    int rd = ra_scratch(&g->ra, 0);
    x64_movi(as(g), op_w(g), rd, (uint64_t)v, false);
    ra_set_out(&g->ra, d, rd);
}

static void gen_andc(NativeGen *g)
{
    bool w = op_w(g);
    int64_t bv;

    if (ra_const(&g->ra, arg(g, 2), &bv) && (!w || fits_i32(~bv))) {
        int ra = ra_load(&g->ra, arg(g, 1), 0);
        int rd = out_from(g, 1, ra, w);
        x64_alu_ri(as(g), X64_AND, w, rd, (int32_t)~bv);
        ra_set_out(&g->ra, arg(g, 0), rd);
        return;
    }
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rb = ra_load(&g->ra, arg(g, 2), 0);
    int rd = arg(g, 1) != arg(g, 2) ? native_take(g, 2) : -1;
    if (rd >= 0) {
        x64_unary(as(g), X64_NOT, w, rd);
        x64_alu_rr(as(g), X64_AND, w, rd, ra);
    } else {
        x64_mov_rr(as(g), w, X64_TMP_REG, rb);
        x64_unary(as(g), X64_NOT, w, X64_TMP_REG);
        rd = out_from(g, 1, ra, w);
        x64_alu_rr(as(g), X64_AND, w, rd, X64_TMP_REG);
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

/* add sub and or xor with their x86 forms; andc in gen_andc */
void native_isel_alu(NativeGen *g, IrOpcode opc)
{
    static const X64Alu alu_of[IR_NB_OPS] = {
        [IR_add] = X64_ADD, [IR_sub] = X64_SUB, [IR_and] = X64_AND, [IR_or] = X64_OR, [IR_xor] = X64_XOR,
    };
    X64Alu alu = alu_of[opc];
    bool commutative = opc != IR_sub;
    bool w = op_w(g);
    int ia = 1, ib = 2;
    int32_t imm;

    if (opc == IR_andc) {
        gen_andc(g);
        return;
    }

    if (commutative && ra_const(&g->ra, arg(g, 1), &(int64_t){ 0 })
        && !ra_const(&g->ra, arg(g, 2), &(int64_t){ 0 })) {
        ia = 2;
        ib = 1;
    }
    int ra = ra_load(&g->ra, arg(g, ia), 0);
    int rd;
    if (imm_ok(g, arg(g, ib), w, &imm)) {
        rd = native_take(g, ia);
        if (rd < 0) {
            rd = ra_scratch(&g->ra, 0);
            if (alu == X64_ADD) {
                x64_lea(as(g), w, rd, ra, X64_NOREG, 0, imm);
                ra_set_out(&g->ra, arg(g, 0), rd);
                return;
            }
            x64_mov_rr(as(g), w, rd, ra);
        }
        x64_alu_ri(as(g), alu, w, rd, imm);
    } else {
        int rb = ra_load(&g->ra, arg(g, ib), 0);
        rd = native_take(g, ia);
        if (rd >= 0) {
            x64_alu_rr(as(g), alu, w, rd, rb);
        } else if (commutative && (rd = native_take(g, ib)) >= 0) {
            x64_alu_rr(as(g), alu, w, rd, ra);
        } else {
            rd = ra_scratch(&g->ra, 0);
            if (alu == X64_ADD) {
                x64_lea(as(g), w, rd, ra, rb, 0, 0);
            } else {
                x64_mov_rr(as(g), w, rd, ra);
                x64_alu_rr(as(g), alu, w, rd, rb);
            }
        }
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_unary(NativeGen *g, IrOpcode opc)
{
    X64Unary op = opc == IR_neg ? X64_NEG : X64_NOT;
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_from(g, 1, ra, op_w(g));
    x64_unary(as(g), op, op_w(g), rd);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_shift(NativeGen *g, IrOpcode opc)
{
    static const X64Shift shift_of[IR_NB_OPS] = {
        [IR_shl] = X64_SHL, [IR_shr] = X64_SHR, [IR_sar] = X64_SAR, [IR_rotl] = X64_ROL, [IR_rotr] = X64_ROR,
    };
    X64Shift op = shift_of[opc];
    bool w = op_w(g);
    int64_t cv;

    if (ra_const(&g->ra, arg(g, 2), &cv)) {
        int ra = ra_load(&g->ra, arg(g, 1), 0);
        int rd = out_from(g, 1, ra, w);
        unsigned count = (unsigned)cv & (op_bits(g) - 1);
        if (count) {
            x64_shift_ri(as(g), op, w, rd, count);
        }
        ra_set_out(&g->ra, arg(g, 0), rd);
        return;
    }
    /* The count goes to cl; x86 masks it to the operand width, which is
     * exactly the IR's "modulo the width". */
    int ra = ra_load(&g->ra, arg(g, 1), X64_REG_BIT(X64_RCX));
    ra_load_into(&g->ra, arg(g, 2), X64_RCX, false);
    int rd = out_from(g, 1, ra, w);
    x64_shift_rcl(as(g), op, w, rd);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_mul(NativeGen *g)
{
    bool w = op_w(g);
    int ia = 1, ib = 2;
    int32_t imm;

    if (ra_const(&g->ra, arg(g, 1), &(int64_t){ 0 })) {
        ia = 2;
        ib = 1;
    }
    int ra = ra_load(&g->ra, arg(g, ia), 0);
    int rd;
    if (imm_ok(g, arg(g, ib), w, &imm)) {
        rd = native_take(g, ia);
        if (rd < 0) {
            rd = ra_scratch(&g->ra, 0);
        }
        x64_imul_rri(as(g), w, rd, ra, imm);
    } else {
        int rb = ra_load(&g->ra, arg(g, ib), 0);
        if ((rd = native_take(g, ia)) >= 0) {
            x64_imul_rr(as(g), w, rd, rb);
        } else if ((rd = native_take(g, ib)) >= 0) {
            x64_imul_rr(as(g), w, rd, ra);
        } else {
            rd = ra_scratch(&g->ra, 0);
            x64_mov_rr(as(g), w, rd, ra);
            x64_imul_rr(as(g), w, rd, rb);
        }
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

/* Put input arg ia into rax for a destructive rax/rdx instruction and free
 * rdx; returns the register of input ib (never rax or rdx). */
static int setup_rdx_rax(NativeGen *g, int ia, int ib)
{
    RegMask fixed = X64_REG_BIT(X64_RAX) | X64_REG_BIT(X64_RDX);
    int rb = ra_load(&g->ra, arg(g, ib), fixed);

    if (!(ra_reg_of(&g->ra, arg(g, ia)) == X64_RAX && native_take(g, ia) == X64_RAX)) {
        ra_load_into(&g->ra, arg(g, ia), X64_RAX, true);
    }
    ra_claim(&g->ra, X64_RDX);
    return rb;
}

void native_isel_mul2(NativeGen *g, bool sign)
{
    int rb = setup_rdx_rax(g, 2, 3);
    x64_unary(as(g), sign ? X64_IMUL1 : X64_MUL, op_w(g), rb);
    ra_set_out(&g->ra, arg(g, 0), X64_RAX);
    ra_set_out(&g->ra, arg(g, 1), X64_RDX);
}

/* div/rem that never trap (ir_ops.def): x/0 = 0, x%0 = x, MIN/-1 = MIN,
 * MIN%-1 = 0. Dividing by -1 never executes idiv (a / -1 = -a, a % -1 = 0). */
void native_isel_divrem(NativeGen *g, bool sign, bool rem)
{
    X64Asm *a = as(g);
    bool w = op_w(g);
    int rb = setup_rdx_rax(g, 1, 2);
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
    ra_set_out(&g->ra, arg(g, 0), rem ? X64_RDX : X64_RAX);
}

/* ---- comparisons ---- */

typedef struct X64Cmp {
    IrCond cond;
    bool w, imm_b;
    int ra, rb;
    int32_t imm;
} X64Cmp;

static const X64Cond cond_map[IR_NB_CONDS] = {
    [IR_COND_EQ] = X64_CC_E, [IR_COND_NE] = X64_CC_NE,
    [IR_COND_LT] = X64_CC_L, [IR_COND_GE] = X64_CC_GE,
    [IR_COND_LE] = X64_CC_LE, [IR_COND_GT] = X64_CC_G,
    [IR_COND_LTU] = X64_CC_B, [IR_COND_GEU] = X64_CC_AE,
    [IR_COND_LEU] = X64_CC_BE, [IR_COND_GTU] = X64_CC_A,
    [IR_COND_TSTEQ] = X64_CC_E, [IR_COND_TSTNE] = X64_CC_NE,
};

/* Load the operands of "args[ia] cond args[ib]" (type w); no flags yet. */
static X64Cmp cmp_prepare(NativeGen *g, IrCond cond, bool w, int ia, int ib)
{
    X64Cmp c = { .cond = cond, .w = w, .rb = -1 };

    if (ra_const(&g->ra, arg(g, ia), &(int64_t){ 0 }) && !ra_const(&g->ra, arg(g, ib), &(int64_t){ 0 })) {
        int t = ia;
        ia = ib;
        ib = t;
        c.cond = native_cond_swap(cond);
    }
    c.ra = ra_load(&g->ra, arg(g, ia), 0);
    c.imm_b = imm_ok(g, arg(g, ib), w, &c.imm);
    if (!c.imm_b) {
        c.rb = ra_load(&g->ra, arg(g, ib), 0);
    }
    return c;
}

/* Set the flags for c; returns the x86 condition that is true. */
static X64Cond cmp_emit(NativeGen *g, const X64Cmp *c)
{
    bool tst = c->cond == IR_COND_TSTEQ || c->cond == IR_COND_TSTNE;
    X64Asm *a = as(g);

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
static bool input_w(const NativeGen *g, int i)
{
    return g->ir->temps[arg(g, i)].type == IR_I64;
}

void native_isel_setcond(NativeGen *g, IrCond cond)
{
    X64Cmp c = cmp_prepare(g, cond, input_w(g, 1), 1, 2);
    int rd = native_take(g, 1);
    if (rd < 0 && !c.imm_b) {
        rd = native_take(g, 2);
    }
    if (rd < 0) {
        rd = ra_scratch(&g->ra, 0);
    }
    X64Cond cc = cmp_emit(g, &c);
    x64_setcc(as(g), cc, rd);
    x64_ext(as(g), 0, false, false, rd, rd);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_movcond(NativeGen *g, IrCond cond)
{
    bool w = op_w(g);
    X64Cmp c = cmp_prepare(g, cond, input_w(g, 1), 1, 2);
    int rv1 = ra_load(&g->ra, arg(g, 3), 0);
    int rv2 = ra_load(&g->ra, arg(g, 4), 0);
    int rd = native_take(g, 4);
    if (rd < 0) {
        rd = ra_scratch(&g->ra, 0);
        x64_mov_rr(as(g), w, rd, rv2);
    }
    X64Cond cc = cmp_emit(g, &c);
    x64_cmov(as(g), cc, w, rd, rv1);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_brcond(NativeGen *g, IrCond cond, int label)
{
    X64Cmp c = cmp_prepare(g, cond, input_w(g, 0), 0, 1);
    ra_bb_end(&g->ra);       /* stores only: the loaded operands stay valid */
    X64Cond cc = cmp_emit(g, &c);
    native_label_ref(g, label, x64_jcc32(as(g), cc));
}

/* ---- extensions, bit fields, bytes ---- */

void native_isel_ext(NativeGen *g, unsigned size_log2, bool sign, bool w)
{
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = native_take(g, 1);
    if (rd < 0) {
        rd = ra_scratch(&g->ra, 0);
    }
    x64_ext(as(g), size_log2, sign, w, rd, ra);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_extrh(NativeGen *g)
{
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_from(g, 1, ra, true);
    x64_shift_ri(as(g), X64_SHR, true, rd, 32);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_extract(NativeGen *g, bool sign, unsigned pos, unsigned len)
{
    bool w = op_w(g);
    unsigned width = op_bits(g);

    if (pos == 0 && (len == 8 || len == 16 || (len == 32 && w))) {
        native_isel_ext(g, len == 8 ? 0 : len == 16 ? 1 : 2, sign, w);
        return;
    }
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd = out_from(g, 1, ra, w);
    if (pos + len < width) {
        x64_shift_ri(as(g), X64_SHL, w, rd, width - pos - len);
    }
    if (len < width) {
        x64_shift_ri(as(g), sign ? X64_SAR : X64_SHR, w, rd, width - len);
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_deposit(NativeGen *g, unsigned pos, unsigned len)
{
    X64Asm *a = as(g);
    bool w = op_w(g);
    unsigned width = op_bits(g);
    int64_t bv;

    uint64_t lenmask = (1ull << len) - 1;
    uint64_t mask = lenmask << pos;
    bool bconst = ra_const(&g->ra, arg(g, 2), &bv);
    uint64_t field = ((uint64_t)bv & lenmask) << pos;
    int ra = ra_load(&g->ra, arg(g, 1), 0);

    if (!bconst) {
        int rb = ra_load(&g->ra, arg(g, 2), 0);
        x64_mov_rr(a, w, X64_TMP_REG, rb);
        x64_shift_ri(a, X64_SHL, w, X64_TMP_REG, width - len);
        if (width - len - pos) {
            x64_shift_ri(a, X64_SHR, w, X64_TMP_REG, width - len - pos);
        }
    }
    int rd = out_from(g, 1, ra, w);
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
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_bswap(NativeGen *g, unsigned size_log2)
{
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    bool w = size_log2 == 3;
    int rd = out_from(g, 1, ra, w);
    x64_bswap(as(g), w, rd);
    if (size_log2 == 1) {
        x64_shift_ri(as(g), X64_SHR, false, rd, 16);
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

/* clz/ctz: lzcnt/tzcnt (CF = source was zero) when the host has them,
 * else bsr/bsf (ZF = source was zero; bsr gives the index, clz = idx ^ (W-1)). */
void native_isel_count_zeros(NativeGen *g, bool leading)
{
    X64Asm *a = as(g);
    bool w = op_w(g);
    unsigned width = op_bits(g);
    unsigned wb = w ? X64_P_W : 0;
    bool native = leading ? (x64_features(g) & X64_FEAT_LZCNT) : (x64_features(g) & X64_FEAT_BMI1);
    int64_t zv;
    bool zconst = ra_const(&g->ra, arg(g, 2), &zv);
    int ra = ra_load(&g->ra, arg(g, 1), 0);
    int rd;

    if (native) {
        bool need_cmov = !(zconst && (uint64_t)zv == width);
        int rz = need_cmov ? ra_load(&g->ra, arg(g, 2), 0) : -1;
        rd = arg(g, 1) != arg(g, 2) ? native_take(g, 1) : -1;
        if (rd < 0) {
            rd = ra_scratch(&g->ra, 0);
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
            int rz = ra_load(&g->ra, arg(g, 2), 0);
            x64_mov_rr(a, w, X64_TMP_REG, rz);
            if (fix) {
                x64_alu_ri(a, X64_XOR, w, X64_TMP_REG, (int32_t)fix);
            }
        }
        rd = native_take(g, 1);
        if (rd < 0) {
            rd = ra_scratch(&g->ra, 0);
        }
        x64_op_rr(a, X64_P_0F | (leading ? 0xbd : 0xbc) | wb, rd, ra);
        x64_cmov(a, X64_CC_E, w, rd, X64_TMP_REG);
        if (fix) {
            x64_alu_ri(a, X64_XOR, w, rd, (int32_t)fix);
        }
    }
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_ctpop(NativeGen *g)
{
    X64Asm *a = as(g);
    bool w = op_w(g);
    int ra = ra_load(&g->ra, arg(g, 1), 0);

    if (x64_features(g) & X64_FEAT_POPCNT) {
        int rd = native_take(g, 1);
        if (rd < 0) {
            rd = ra_scratch(&g->ra, 0);
        }
        x64_op_rr(a, X64_P_F3 | X64_P_0F | 0xb8 | (w ? X64_P_W : 0), rd, ra);
        ra_set_out(&g->ra, arg(g, 0), rd);
        return;
    }
    /* Bit-slice population count (Hacker's Delight 5-2). */
    static const uint64_t m[4] = { 0x5555555555555555ull, 0x3333333333333333ull,
                                   0x0f0f0f0f0f0f0f0full, 0x0101010101010101ull };
    int rd = out_from(g, 1, ra, w);
    int t = ra_scratch(&g->ra, 0);
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
    x64_shift_ri(a, X64_SHR, w, rd, op_bits(g) - 8);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

/* ---- host memory ---- */

void native_isel_ld(NativeGen *g, unsigned size, bool sign, int32_t off)
{
    int rbase = ra_load(&g->ra, arg(g, 1), 0);
    int rd = native_take(g, 1);
    if (rd < 0) {
        rd = ra_scratch(&g->ra, 0);
    }
    x64_load(as(g), size, sign, op_w(g), rd, rbase, X64_NOREG, off);
    ra_set_out(&g->ra, arg(g, 0), rd);
}

void native_isel_st(NativeGen *g, unsigned size, int32_t off)
{
    int64_t v;
    int rbase = ra_load(&g->ra, arg(g, 1), 0);
    if (ra_const(&g->ra, arg(g, 0), &v) && (size < 3 || fits_i32(v))) {
        x64_store_imm(as(g), size, (int32_t)v, rbase, X64_NOREG, off);
        return;
    }
    int rv = ra_load(&g->ra, arg(g, 0), 0);
    x64_store(as(g), size, rv, rbase, X64_NOREG, off);
}

void native_isel_mb(NativeGen *g)
{
    x64_mfence(as(g));
}
