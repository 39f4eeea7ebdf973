/*
 * Translators for the harder x86 integer instructions: MUL/IMUL/DIV/IDIV
 * (group 3 /4../7), IMUL r,r/m[,imm], group 2 shifts and rotates,
 * SHLD/SHRD, BT/BTS/BTR/BTC, BSF/BSR/POPCNT and the BCD adjusts
 * (Intel SDM Vol. 2 instruction pages).
 *
 * The common cases are inline IR with lazy flags: multiplies (CC_OP_MUL),
 * SHL/SHR/SAR (CC_OP_SHL/CC_OP_SAR; with a CL count the old lazy state is
 * kept by movcond when the count is 0), BT* and BSF/BSR/POPCNT
 * (CC_OP_EFLAGS). The rest calls helpers built on the pure semantics of
 * x86_helper_arith.c and leaves CC_OP_EFLAGS.
 *
 * Deliberate difference from the AMD host on documented-undefined flags:
 * the inline multiplies use CC_OP_MUL (SF/ZF/PF from the low half, AF 0)
 * where the host keeps SF/ZF/AF/PF; computing the old flags on every
 * IMUL would cost more than any program can observe legitimately.
 */
#include <stddef.h>

#include "cpu/x86/x86_helper.h"
#include "cpu/x86/x86_helper_arith.h"
#include "cpu/x86/x86_translate.h"
#include "cpu/x86/x86_util.h"

/* Operand size of the r/m operand: byte forms name Eb first. */
static int rm_size(const X86Insn *in)
{
    return in->info->op[0] == Eb ? 1 : in->opsize;
}

/* ---- helpers (called from generated code) ---- */

/* packed: bits 0..3 op, 4..7 size, bit 8 = return the flags instead */
static uint64_t helper_shift(uint64_t packed, uint64_t val, uint64_t count, uint64_t flags)
{
    uint32_t f = (uint32_t)flags & X86_ARITH_FLAGS;
    unsigned size = (packed >> 4) & 0xf;
    uint64_t r = x86_arith_shift((X86ShiftOp)(packed & 7), size, val, count, &f);
    return (packed & 0x100) ? f : r;
}

/* packed: bit 0 = SHRD, bits 4..7 size, bit 8 = return the flags */
static uint64_t helper_shd(uint64_t packed, uint64_t dst, uint64_t src, uint64_t count, uint64_t flags)
{
    uint32_t f = (uint32_t)flags & X86_ARITH_FLAGS;
    unsigned size = (packed >> 4) & 0xf;
    uint64_t r = x86_arith_shd(packed & 1, size, dst, src, count, &f);
    return (packed & 0x100) ? f : r;
}

/* Returns the new AX | flags << 16 (AAM 0 is caught at translation). */
static uint64_t helper_bcd(uint64_t op, uint64_t ax, uint64_t imm, uint64_t flags)
{
    uint32_t f = (uint32_t)flags & X86_ARITH_FLAGS;
    uint16_t out = (uint16_t)ax;
    if (!x86_arith_bcd((X86BcdOp)op, (uint16_t)ax, (uint8_t)imm, &out, &f)) {
        return ax | (uint64_t)(flags & X86_ARITH_FLAGS) << 16;
    }
    return out | (uint64_t)f << 16;
}

/* DIV/IDIV: packed = size | signed << 8. Reads and writes rAX/rDX and the
 * flags in env; #DE leaves everything as it was (SDM DIV/IDIV). */
static void helper_div(X86Cpu *env, uint64_t packed, uint64_t divisor)
{
    unsigned size = packed & 0xf;
    bool sign = packed & 0x100;
    uint64_t m = x86_arith_mask(size), hi, lo, q, r;
    uint32_t f = (uint32_t)x86_get_eflags(env) & X86_ARITH_FLAGS;
    if (size == 1) {
        lo = env->regs[R_EAX] & 0xff;
        hi = (env->regs[R_EAX] >> 8) & 0xff;
    } else {
        lo = env->regs[R_EAX] & m;
        hi = env->regs[R_EDX] & m;
    }
    bool ok = sign ? x86_arith_idiv(size, hi, lo, divisor, &q, &r, &f)
                   : x86_arith_div(size, hi, lo, divisor, &q, &r, &f);
    if (!ok) {
        x86_helper_raise_exception_ra(env, X86_EXCP_DE, -1, CPU_GETPC());
    }
    switch (size) {
    case 1:
        env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | (r << 8) | q;
        break;
    case 2:
        env->regs[R_EAX] = (env->regs[R_EAX] & ~0xffffull) | q;
        env->regs[R_EDX] = (env->regs[R_EDX] & ~0xffffull) | r;
        break;
    default:                        /* 4: zero-extends; 8: q, r already full */
        env->regs[R_EAX] = q;
        env->regs[R_EDX] = r;
        break;
    }
    env->cc_src = f;
    env->cc_op = CC_OP_EFLAGS;
}

static const IrHelper helper_shift_def = {
    "x86_shift", (void *)helper_shift, 4, true, IR_I64,
    IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_PURE,
};
static const IrHelper helper_shd_def = {
    "x86_shd", (void *)helper_shd, 5, true, IR_I64,
    IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_PURE,
};
static const IrHelper helper_bcd_def = {
    "x86_bcd", (void *)helper_bcd, 4, true, IR_I64,
    IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_PURE,
};
static const IrHelper helper_div_def = {
    "x86_div", (void *)helper_div, 3, false, IR_I64, IR_CALL_MAY_RAISE,
};

/* The helper wrote env->cc_op = CC_OP_EFLAGS itself. */
static void cc_op_written_by_helper(DisasX86 *s)
{
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

/* ---- multiply and divide ---- */

/* Low half of a signed or unsigned size-byte product a * b; *ovf gets 1 if
 * the high half is significant (CF = OF), and *hi the high half when hi is
 * not NULL. a and b are zero-extended values. */
static IrTempId gen_mul_parts(DisasX86 *s, int size, bool sign, IrTempId a, IrTempId b,
                              IrTempId *hi, IrTempId *ovf)
{
    IrContext *ir = s->ir;
    IrTempId lo = x86_tmp(s), h = x86_tmp(s), o = x86_tmp(s);
    if (size == 8) {
        ir_mul2(ir, sign ? IR_muls2 : IR_mulu2, lo, h, a, b);
        if (sign) {
            IrTempId ext = x86_tmp(s);
            ir_binopi(ir, IR_sar, ext, lo, 63);
            ir_setcond(ir, IR_COND_NE, o, h, ext);
        } else {
            ir_setcond(ir, IR_COND_NE, o, h, x86_const(s, 0));
        }
    } else {
        IrTempId sa = a, sb = b;
        if (sign) {
            sa = x86_tmp(s);
            sb = x86_tmp(s);
            x86_gen_ext(s, sa, a, size, true);
            x86_gen_ext(s, sb, b, size, true);
        }
        ir_binop(ir, IR_mul, lo, sa, sb);       /* the full product fits 64 bits */
        ir_binopi(ir, sign ? IR_sar : IR_shr, h, lo, 8 * size);
        IrTempId ext = x86_tmp(s);
        x86_gen_ext(s, ext, lo, size, sign);
        ir_setcond(ir, IR_COND_NE, o, lo, ext);
    }
    if (hi) {
        *hi = h;
    }
    *ovf = o;
    return lo;
}

static void gen_mul_acc(DisasX86 *s, X86Insn *in, int size, bool sign, IrTempId src)
{
    IrTempId a = x86_gen_get_reg(s, in, size, R_EAX), hi, ovf;
    IrTempId lo = gen_mul_parts(s, size, sign, a, src, &hi, &ovf);
    if (size == 1) {
        x86_gen_set_reg(s, in, 2, R_EAX, lo);       /* AX = the 16-bit product */
    } else {
        x86_gen_set_reg(s, in, size, R_EAX, lo);
        x86_gen_set_reg(s, in, size, R_EDX, hi);
    }
    x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_MULB, size), lo, ovf, -1);
}

static void gen_div(DisasX86 *s, int size, bool sign, IrTempId src)
{
    IrTempId args[3] = { x86_env(s), x86_const(s, size | (sign ? 0x100 : 0)), src };
    x86_gen_sync_cc_op(s);                  /* the helper reads EFLAGS */
    ir_call(s->ir, &helper_div_def, -1, args, 3);
    cc_op_written_by_helper(s);
}

void x86_gen_muldiv(DisasX86 *s, X86Insn *in)
{
    int size = rm_size(in);
    IrTempId src = x86_gen_load_rm(s, in, size, NULL);
    switch (in->reg & 7) {
    case 4: gen_mul_acc(s, in, size, false, src); break;
    case 5: gen_mul_acc(s, in, size, true, src); break;
    case 6: gen_div(s, size, false, src); break;
    default: gen_div(s, size, true, src); break;
    }
}

/* IMUL Gv, Ev (0F AF) */
void x86_gen_imul2(DisasX86 *s, X86Insn *in)
{
    int size = in->opsize;
    IrTempId b = x86_gen_load_rm(s, in, size, NULL);
    IrTempId a = x86_gen_get_reg(s, in, size, in->reg), ovf;
    IrTempId lo = gen_mul_parts(s, size, true, a, b, NULL, &ovf);
    x86_gen_set_reg(s, in, size, in->reg, lo);
    x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_MULB, size), lo, ovf, -1);
}

/* IMUL Gv, Ev, Iz/Ibs (69, 6B) */
void x86_gen_imul3(DisasX86 *s, X86Insn *in)
{
    int size = in->opsize;
    IrTempId a = x86_gen_load_rm(s, in, size, NULL), ovf;
    IrTempId b = x86_const(s, (int64_t)((uint64_t)in->imm & x86_arith_mask((unsigned)size)));
    IrTempId lo = gen_mul_parts(s, size, true, a, b, NULL, &ovf);
    x86_gen_set_reg(s, in, size, in->reg, lo);
    x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_MULB, size), lo, ovf, -1);
}

/* ---- shifts and rotates ---- */

/* SHL/SHR/SAR inline. val is zero-extended; count is a constant (c >= 0)
 * or the CL value in cl (c < 0). */
static void gen_shift_inline(DisasX86 *s, X86Insn *in, int size, unsigned op, IrTempId val,
                             IrTempId addr, int c, IrTempId cl)
{
    IrContext *ir = s->ir;
    IrTempId v = val, res = x86_tmp(s), pre = x86_tmp(s);
    IrOpcode opc = op == X86_SH_SAR ? IR_sar : op == X86_SH_SHR ? IR_shr : IR_shl;
    X86CcOp cc = x86_cc_op_sized(opc == IR_shl ? CC_OP_SHLB : CC_OP_SARB, size);
    if (op == X86_SH_SAR && size < 8) {
        v = x86_tmp(s);
        x86_gen_ext(s, v, val, size, true);
    }
    if (c >= 0) {
        ir_binopi(ir, opc, res, v, c);
        ir_binopi(ir, opc, pre, v, c - 1);
        x86_gen_store_rm(s, in, size, res, addr);
        x86_gen_set_cc(s, cc, res, pre, -1);
        return;
    }
    IrTempId c1 = x86_tmp(s);
    ir_binopi(ir, IR_sub, c1, cl, 1);           /* count 0: shifts by 63, result unused */
    ir_binop(ir, opc, res, v, cl);
    ir_binop(ir, opc, pre, v, c1);
    x86_gen_store_rm(s, in, size, res, addr);
    /* count 0 keeps the previous lazy state (SDM: flags unaffected) */
    x86_gen_sync_cc_op(s);
    IrTempId zero = x86_const(s, 0), c32 = ir_temp(ir, IR_I32);
    ir_movcond(ir, IR_COND_EQ, s->cpu_cc_dst, cl, zero, s->cpu_cc_dst, res);
    ir_movcond(ir, IR_COND_EQ, s->cpu_cc_src, cl, zero, s->cpu_cc_src, pre);
    ir_unop(ir, IR_extrl_i64_i32, c32, cl);
    ir_movcond(ir, IR_COND_EQ, s->cpu_cc_op, c32, ir_const(ir, IR_I32, 0), s->cpu_cc_op,
               ir_const(ir, IR_I32, cc));
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
}

/* Any group 2 op through the pure helper: value, store, then flags. */
static void gen_shift_helper(DisasX86 *s, X86Insn *in, int size, unsigned op, IrTempId val,
                             IrTempId addr, IrTempId count)
{
    IrTempId old = x86_gen_compute_eflags(s);
    IrTempId res = x86_tmp(s), f = x86_tmp(s);
    IrTempId args[4] = { x86_const(s, op | size << 4), val, count, old };
    ir_call(s->ir, &helper_shift_def, res, args, 4);
    x86_gen_store_rm(s, in, size, res, addr);
    args[0] = x86_const(s, op | size << 4 | 0x100);
    ir_call(s->ir, &helper_shift_def, f, args, 4);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

/* Group 2: C0/C1 (Ib), D0/D1 (1), D2/D3 (CL). */
void x86_gen_grp2(DisasX86 *s, X86Insn *in)
{
    int size = rm_size(in);
    unsigned op = in->reg & 7;
    unsigned cmask = size == 8 ? 0x3f : 0x1f;
    IrTempId addr, val = x86_gen_load_rm(s, in, size, &addr);
    X86Operand cnt = (X86Operand)in->info->op[1];

    if (cnt != CL) {
        int c = cnt == One ? 1 : (int)((uint64_t)in->imm & cmask);
        if (c == 0) {
            /* nothing changes, but a 32-bit register is still written (zero-extended) */
            if (in->mod == 3 && size == 4) {
                x86_gen_set_reg(s, in, size, in->rm, val);
            }
            return;
        }
        if (op >= X86_SH_SHL) {
            gen_shift_inline(s, in, size, op, val, addr, c, -1);
        } else {
            gen_shift_helper(s, in, size, op, val, addr, x86_const(s, c));
        }
        return;
    }
    IrTempId cl = x86_tmp(s);
    ir_binopi(s->ir, IR_and, cl, s->cpu_regs[R_ECX], cmask);
    if (op >= X86_SH_SHL) {
        gen_shift_inline(s, in, size, op, val, addr, -1, cl);
    } else {
        gen_shift_helper(s, in, size, op, val, addr, cl);
    }
}

/* SHLD/SHRD Ev, Gv, Ib/CL (0F A4/A5/AC/AD) */
void x86_gen_shd(DisasX86 *s, X86Insn *in)
{
    int size = in->opsize;
    bool right = in->opcode >= 0xac;
    IrTempId addr, dst = x86_gen_load_rm(s, in, size, &addr);
    IrTempId src = x86_gen_get_reg(s, in, size, in->reg);
    IrTempId count;
    if (in->info->op[2] == CL) {
        count = s->cpu_regs[R_ECX];
    } else {
        count = x86_const(s, in->imm & 0xff);
    }
    IrTempId old = x86_gen_compute_eflags(s);
    IrTempId res = x86_tmp(s), f = x86_tmp(s);
    IrTempId args[5] = { x86_const(s, (right ? 1 : 0) | size << 4), dst, src, count, old };
    ir_call(s->ir, &helper_shd_def, res, args, 5);
    /* Flags before the store: the destination (or CL's own register) may be
     * the register being written, and the flags need the old values. */
    args[0] = x86_const(s, (right ? 1 : 0) | size << 4 | 0x100);
    ir_call(s->ir, &helper_shd_def, f, args, 5);
    x86_gen_store_rm(s, in, size, res, addr);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

/* ---- bit tests and scans ---- */

/* BT/BTS/BTR/BTC Ev,Gv (0F A3/AB/B3/BB) and group 8 Ev,Ib (0F BA /4../7). */
void x86_gen_bt(DisasX86 *s, X86Insn *in)
{
    IrContext *ir = s->ir;
    int size = in->opsize, bits = 8 * size;
    X86BitOp op;
    IrTempId bit = x86_tmp(s), addr = -1, val;

    if (in->opcode == 0xba) {
        if ((in->reg & 7) < 4) {
            x86_gen_exception(s, X86_EXCP_UD, -1);
            return;
        }
        op = (X86BitOp)((in->reg & 7) - 4);
        ir_movi(ir, bit, (int64_t)((uint64_t)in->imm & (uint64_t)(bits - 1)));
        val = x86_gen_load_rm(s, in, size, &addr);
    } else {
        op = in->opcode == 0xa3 ? X86_BT : in->opcode == 0xab ? X86_BTS
             : in->opcode == 0xb3 ? X86_BTR : X86_BTC;
        IrTempId off = x86_gen_get_reg(s, in, size, in->reg);
        ir_binopi(ir, IR_and, bit, off, bits - 1);
        if (in->mod == 3) {
            val = x86_gen_get_reg(s, in, size, in->rm);
        } else {
            /* SDM BT: a register bit offset is signed and selects the
             * operand-sized unit at EA + size * (offset SAR log2(bits)) */
            IrTempId disp = x86_tmp(s), ea = x86_tmp(s);
            x86_gen_ext(s, disp, off, size, true);
            ir_binopi(ir, IR_sar, disp, disp, x86_size_log2(size) + 3);
            ir_binopi(ir, IR_shl, disp, disp, x86_size_log2(size));
            ir_add(ir, ea, x86_gen_ea_offset(s, in), disp);
            if (in->addrsize < 8) {
                x86_gen_ext(s, ea, ea, in->addrsize, false);
            }
            addr = x86_gen_seg_addr(s, x86_insn_seg(in, in->default_seg), ea);
            val = x86_gen_ld(s, size, addr, false);
        }
    }
    IrTempId cf = x86_tmp(s), one = x86_tmp(s);
    ir_binop(ir, IR_shr, cf, val, bit);
    ir_binopi(ir, IR_and, cf, cf, 1);
    IrTempId old = x86_gen_compute_eflags(s);
    if (op != X86_BT) {
        IrTempId nv = x86_tmp(s);
        ir_binop(ir, IR_shl, one, x86_const(s, 1), bit);
        ir_binop(ir, op == X86_BTS ? IR_or : op == X86_BTR ? IR_andc : IR_xor, nv, val, one);
        x86_gen_store_rm(s, in, size, nv, addr);
    }
    /* CF = the bit; the other flags stay as they were (ZF per SDM; OF/SF/AF/PF as the host) */
    IrTempId f = x86_tmp(s);
    ir_binopi(ir, IR_and, f, old, ~(int64_t)X86_CF);
    ir_or(ir, f, f, cf);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

/* PF of the low byte of v as X86_PF or 0. */
static IrTempId gen_pf(DisasX86 *s, IrTempId v)
{
    IrTempId t = x86_tmp(s);
    ir_binopi(s->ir, IR_and, t, v, 0xff);
    ir_unop(s->ir, IR_ctpop, t, t);
    ir_binopi(s->ir, IR_and, t, t, 1);
    ir_binopi(s->ir, IR_xor, t, t, 1);
    ir_binopi(s->ir, IR_shl, t, t, 2);
    return t;
}

/* POPCNT (F3 0F B8), BSF (0F BC), BSR (0F BD). With F3, BC/BD would be
 * TZCNT/LZCNT, but BMI1/ABM are not advertised (x86_cpuid.c), so like
 * CPUs without them the prefix is ignored and they run as BSF/BSR. */
void x86_gen_bitcount(DisasX86 *s, X86Insn *in)
{
    IrContext *ir = s->ir;
    int size = in->opsize;
    IrTempId src = x86_gen_load_rm(s, in, size, NULL);
    IrTempId zero = x86_const(s, 0), f = x86_tmp(s), res = x86_tmp(s);

    if (in->opcode == 0xb8) {
        if (in->rep != 0xf3) {
            x86_gen_exception(s, X86_EXCP_UD, -1);
            return;
        }
        ir_unop(ir, IR_ctpop, res, src);
        x86_gen_set_reg(s, in, size, in->reg, res);
        ir_setcond(ir, IR_COND_EQ, f, src, zero);       /* SDM POPCNT: ZF = (src == 0), rest 0 */
        ir_binopi(ir, IR_shl, f, f, 6);
        x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
        return;
    }
    if (in->opcode == 0xbc) {
        ir_ctz(ir, res, src, zero);
    } else {
        ir_clz(ir, res, src, x86_const(s, 63));
        ir_binopi(ir, IR_xor, res, res, 63);            /* 63 - clz */
    }
    /* zero source: the destination keeps all 64 bits (AMD; the host does
     * this for 32-bit operands too), ZF = 1 and PF as for index 0 */
    IrTempId nv = x86_tmp(s), old = s->cpu_regs[in->reg & 15];
    if (size == 2) {
        IrTempId o16 = x86_gen_get_reg(s, in, 2, in->reg);
        ir_movcond(ir, IR_COND_EQ, nv, src, zero, o16, res);
        x86_gen_set_reg(s, in, 2, in->reg, nv);
    } else {
        ir_movcond(ir, IR_COND_EQ, old, src, zero, old, res);
    }
    IrTempId idx = x86_tmp(s), z = x86_tmp(s);
    ir_movcond(ir, IR_COND_EQ, idx, src, zero, zero, res);
    ir_setcond(ir, IR_COND_EQ, z, src, zero);
    ir_binopi(ir, IR_shl, z, z, 6);
    ir_or(ir, f, gen_pf(s, idx), z);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

/* ---- BCD (invalid in 64-bit mode: the decoder raises #UD) ---- */

void x86_gen_bcd(DisasX86 *s, X86Insn *in)
{
    X86BcdOp op;
    switch (in->opcode) {
    case 0x27: op = X86_DAA; break;
    case 0x2f: op = X86_DAS; break;
    case 0x37: op = X86_AAA; break;
    case 0x3f: op = X86_AAS; break;
    case 0xd4: op = X86_AAM; break;
    default: op = X86_AAD; break;
    }
    uint8_t imm = op >= X86_AAM ? (uint8_t)in->imm : 0;
    if (op == X86_AAM && imm == 0) {
        x86_gen_exception(s, X86_EXCP_DE, -1);      /* SDM AAM: #DE if imm8 = 0 */
        return;
    }
    IrTempId old = x86_gen_compute_eflags(s);
    IrTempId ax = x86_gen_get_reg(s, in, 2, R_EAX), r = x86_tmp(s), f = x86_tmp(s);
    IrTempId args[4] = { x86_const(s, op), ax, x86_const(s, imm), old };
    ir_call(s->ir, &helper_bcd_def, r, args, 4);
    x86_gen_set_reg(s, in, 2, R_EAX, r);
    ir_binopi(s->ir, IR_shr, f, r, 16);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}
