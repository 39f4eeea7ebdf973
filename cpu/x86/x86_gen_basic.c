/*
 * Everyday x86 integer instructions (Intel SDM Vol. 2): ADD/OR/ADC/SBB/AND/
 * SUB/XOR/CMP and group 1, TEST, INC/DEC (CF preserved), NOT/NEG (group 3),
 * MOV in all its forms, LEA, XCHG, MOVZX/MOVSX/MOVSXD, ARPL, CBW/CWDE/CDQE,
 * CWD/CDQ/CQO, SETcc/CMOVcc, the flag instructions (CLC/STC/CMC/CLD/STD/
 * CLI/STI, LAHF/SAHF, SALC), XLAT, the NOP forms and UD.
 */
#include <stddef.h>

#include "cpu/x86/x86_helper.h"
#include "cpu/x86/x86_translate.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* dest OP= b, dest being the r/m operand (dest_rm) or register reg. Flags
 * are set after the store so a faulting store leaves them untouched. */
static void gen_alu(DisasX86 *s, X86Insn *in, int op, int size, bool dest_rm, int reg, IrTempId b)
{
    IrContext *ir = s->ir;
    IrTempId addr = -1;
    IrTempId a = dest_rm ? x86_gen_load_rm(s, in, size, &addr) : x86_gen_get_reg(s, in, size, reg);
    IrTempId r = x86_tmp(s), c = -1;
    switch (op) {
    case ALU_ADD: ir_add(ir, r, a, b); break;
    case ALU_OR: ir_or(ir, r, a, b); break;
    case ALU_AND: ir_and(ir, r, a, b); break;
    case ALU_XOR: ir_xor(ir, r, a, b); break;
    case ALU_SUB: case ALU_CMP: ir_sub(ir, r, a, b); break;
    case ALU_ADC:
        c = x86_gen_compute_cf(s);
        ir_add(ir, r, a, b);
        ir_add(ir, r, r, c);
        break;
    case ALU_SBB:
        c = x86_gen_compute_cf(s);
        ir_sub(ir, r, a, b);
        ir_sub(ir, r, r, c);
        break;
    }
    if (op != ALU_CMP) {
        if (dest_rm)
            x86_gen_store_rm(s, in, size, r, addr);
        else
            x86_gen_set_reg(s, in, size, reg, r);
    }
    switch (op) {
    case ALU_ADD: x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_ADDB, size), r, b, -1); break;
    case ALU_ADC: x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_ADCB, size), r, b, c); break;
    case ALU_SUB: case ALU_CMP: x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_SUBB, size), r, b, -1); break;
    case ALU_SBB: x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_SBBB, size), r, b, c); break;
    default: x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_LOGICB, size), r, -1, -1); break;
    }
}

/* 00-3D: the operation is opcode bits 5:3, the form bits 2:0. */
void x86_gen_alu(DisasX86 *s, X86Insn *in)
{
    int op = (in->opcode >> 3) & 7, form = in->opcode & 7;
    int size = (form & 1) ? in->opsize : 1;
    switch (form) {
    case 0: case 1:     /* Eb,Gb / Ev,Gv */
        gen_alu(s, in, op, size, true, 0, x86_gen_get_reg(s, in, size, in->reg));
        break;
    case 2: case 3:     /* Gb,Eb / Gv,Ev */
        gen_alu(s, in, op, size, false, in->reg, x86_gen_load_rm(s, in, size, NULL));
        break;
    default:            /* AL,Ib / rAX,Iz */
        gen_alu(s, in, op, size, false, R_EAX, x86_const(s, in->imm));
        break;
    }
}

/* 80-83 */
void x86_gen_grp1(DisasX86 *s, X86Insn *in)
{
    int size = (in->opcode == 0x80 || in->opcode == 0x82) ? 1 : in->opsize;
    gen_alu(s, in, (in->modrm >> 3) & 7, size, true, 0, x86_const(s, in->imm));
}

static void gen_test(DisasX86 *s, int size, IrTempId a, IrTempId b)
{
    IrTempId r = x86_tmp(s);
    ir_and(s->ir, r, a, b);
    x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_LOGICB, size), r, -1, -1);
}

/* 84/85, A8/A9 */
void x86_gen_test(DisasX86 *s, X86Insn *in)
{
    int size = (in->opcode & 1) ? in->opsize : 1;
    if (in->opcode >= 0xa8)
        gen_test(s, size, x86_gen_get_reg(s, in, size, R_EAX), x86_const(s, in->imm));
    else
        gen_test(s, size, x86_gen_load_rm(s, in, size, NULL), x86_gen_get_reg(s, in, size, in->reg));
}

/* INC/DEC of r/m (reg < 0) or register reg: CF survives (SDM INC, DEC). */
static void gen_incdec(DisasX86 *s, X86Insn *in, bool dec, int size, int reg)
{
    IrTempId addr = -1;
    IrTempId a = reg < 0 ? x86_gen_load_rm(s, in, size, &addr) : x86_gen_get_reg(s, in, size, reg);
    IrTempId cf = x86_gen_compute_cf(s);
    IrTempId r = x86_tmp(s);
    ir_binopi(s->ir, dec ? IR_sub : IR_add, r, a, 1);
    if (reg < 0)
        x86_gen_store_rm(s, in, size, r, addr);
    else
        x86_gen_set_reg(s, in, size, reg, r);
    x86_gen_set_cc(s, x86_cc_op_sized(dec ? CC_OP_DECB : CC_OP_INCB, size), r, cf, -1);
}

/* 40-4F (not in 64-bit mode: REX) */
void x86_gen_incdec_reg(DisasX86 *s, X86Insn *in)
{
    gen_incdec(s, in, in->opcode >= 0x48, in->opsize, in->rm);
}

/* FE: /0 INC Eb, /1 DEC Eb */
void x86_gen_grp4(DisasX86 *s, X86Insn *in)
{
    int op = (in->modrm >> 3) & 7;
    if (op > 1) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    gen_incdec(s, in, op == 1, 1, -1);
}

/* Group 3 /0..3 (F6/F7); MUL/IMUL/DIV/IDIV are x86_gen_muldiv's. */
void x86_gen_grp3(DisasX86 *s, X86Insn *in)
{
    int op = (in->modrm >> 3) & 7;
    int size = in->opcode == 0xf6 ? 1 : in->opsize;
    if (op >= 4) {
        x86_gen_muldiv(s, in);
        return;
    }
    if (op < 2) {           /* TEST r/m, imm (/1 is an alias of /0) */
        gen_test(s, size, x86_gen_load_rm(s, in, size, NULL), x86_const(s, in->imm));
        return;
    }
    IrTempId addr = -1;
    IrTempId a = x86_gen_load_rm(s, in, size, &addr);
    IrTempId r = x86_tmp(s);
    if (op == 2) {          /* NOT: no flags */
        ir_unop(s->ir, IR_not, r, a);
        x86_gen_store_rm(s, in, size, r, addr);
        return;
    }
    ir_unop(s->ir, IR_neg, r, a);   /* NEG = 0 - a: CF = (a != 0) */
    x86_gen_store_rm(s, in, size, r, addr);
    x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_SUBB, size), r, a, -1);
}

/* ---- moves ---- */

/* Linear address of a moffs operand (A0-A3). */
static IrTempId moffs_addr(DisasX86 *s, X86Insn *in)
{
    uint64_t off = (uint64_t)in->imm;
    if (in->addrsize < 8)
        off &= x86_size_mask(in->addrsize);
    return x86_gen_seg_addr(s, x86_insn_seg(in, R_DS), x86_const(s, (int64_t)off));
}

void x86_gen_mov(DisasX86 *s, X86Insn *in)
{
    int size = (in->opcode & 1) ? in->opsize : 1;
    switch (in->opcode) {
    case 0x88: case 0x89:
        x86_gen_store_rm(s, in, size, x86_gen_get_reg(s, in, size, in->reg), -1);
        break;
    case 0x8a: case 0x8b:
        x86_gen_set_reg(s, in, size, in->reg, x86_gen_load_rm(s, in, size, NULL));
        break;
    case 0xa0: case 0xa1:
        x86_gen_set_reg(s, in, size, R_EAX, x86_gen_ld(s, size, moffs_addr(s, in), false));
        break;
    case 0xa2: case 0xa3:
        x86_gen_st(s, size, x86_gen_get_reg(s, in, size, R_EAX), moffs_addr(s, in));
        break;
    case 0xc6: case 0xc7:
        x86_gen_store_rm(s, in, size, x86_const(s, in->imm), -1);
        break;
    default:            /* B0-B7: Zb,Ib; B8-BF: Zv,Iv */
        size = in->opcode >= 0xb8 ? in->opsize : 1;
        x86_gen_set_reg(s, in, size, in->rm, x86_const(s, in->imm));
        break;
    }
}

/* 8C: MOV Ev, Sreg. A register destination gets the selector zero-extended
 * to the operand size; memory is always written with 16 bits. */
void x86_gen_mov_from_seg(DisasX86 *s, X86Insn *in)
{
    int seg = in->reg & 7;
    if (seg >= X86_NB_SEGS) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    IrTempId v = x86_tmp(s);
    ir_ld(s->ir, v, s->ir->env, (int32_t)offsetof(X86Cpu, segs[seg].selector), ir_memop(1, false, false, 0));
    x86_gen_store_rm(s, in, in->mod == 3 ? in->opsize : 2, v, -1);
}

/* 8E: MOV Sreg, Ew. Loading CS is #UD; loading SS opens an interrupt
 * shadow (SDM MOV "Loading the SS register..."). */
void x86_gen_mov_to_seg(DisasX86 *s, X86Insn *in)
{
    int seg = in->reg & 7;
    if (seg >= X86_NB_SEGS || seg == R_CS) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    x86_gen_load_seg(s, seg, x86_gen_load_rm(s, in, 2, NULL));
    if (seg == R_SS) {
        s->set_inhibit_irq = true;
        s->base.is_jmp = X86_DISAS_EOB_NEXT;
    } else if (s->pe) {
        s->base.is_jmp = X86_DISAS_EOB_NEXT;   /* HF_ADDSEG may change */
    }
}

/* 8D: LEA; the address-size offset is truncated to the operand size. */
void x86_gen_lea(DisasX86 *s, X86Insn *in)
{
    if (!x86_require_mem(s, in))
        return;
    x86_gen_set_reg(s, in, in->opsize, in->reg, x86_gen_ea_offset(s, in));
}

/* 86/87 XCHG Eb/Ev, Gb/Gv; 90+r XCHG rAX, r (90 alone is NOP/PAUSE). */
void x86_gen_xchg(DisasX86 *s, X86Insn *in)
{
    if (in->opcode >= 0x90) {
        if (in->rm == 0)
            return;
        IrTempId a = x86_gen_get_reg(s, in, in->opsize, in->rm);
        IrTempId b = x86_gen_get_reg(s, in, in->opsize, R_EAX);
        x86_gen_set_reg(s, in, in->opsize, in->rm, b);
        x86_gen_set_reg(s, in, in->opsize, R_EAX, a);
        return;
    }
    int size = (in->opcode & 1) ? in->opsize : 1;
    IrTempId addr = -1;
    IrTempId a = x86_gen_load_rm(s, in, size, &addr);
    IrTempId b = x86_gen_get_reg(s, in, size, in->reg);
    x86_gen_store_rm(s, in, size, b, addr);
    x86_gen_set_reg(s, in, size, in->reg, a);
}

/* 0F B6/B7 MOVZX, 0F BE/BF MOVSX */
void x86_gen_movx(DisasX86 *s, X86Insn *in)
{
    int ssize = (in->opcode & 1) ? 2 : 1;
    IrTempId v = x86_gen_load_rm(s, in, ssize, NULL);
    if (in->opcode & 8)
        x86_gen_ext(s, v, v, ssize, true);
    x86_gen_set_reg(s, in, in->opsize, in->reg, v);
}

/* 63: MOVSXD in 64-bit mode; ARPL Ew, Gw in protected mode (SDM ARPL). */
void x86_gen_arpl_movsxd(DisasX86 *s, X86Insn *in)
{
    if (s->code64) {
        int ssize = in->opsize == 2 ? 2 : 4;
        IrTempId v = x86_gen_load_rm(s, in, ssize, NULL);
        if (in->opsize == 8)
            x86_gen_ext(s, v, v, 4, true);
        x86_gen_set_reg(s, in, in->opsize, in->reg, v);
        return;
    }
    if (!s->pe || s->vm86) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    IrContext *ir = s->ir;
    IrTempId addr = -1;
    IrTempId d = x86_gen_load_rm(s, in, 2, &addr);
    IrTempId src = x86_gen_get_reg(s, in, 2, in->reg);
    IrTempId drpl = x86_tmp(s), srpl = x86_tmp(s), nd = x86_tmp(s), r = x86_tmp(s);
    ir_binopi(ir, IR_and, drpl, d, 3);
    ir_binopi(ir, IR_and, srpl, src, 3);
    ir_binopi(ir, IR_and, nd, d, ~(int64_t)3);
    ir_or(ir, nd, nd, srpl);
    ir_movcond(ir, IR_COND_LTU, r, drpl, srpl, nd, d);
    x86_gen_store_rm(s, in, 2, r, addr);
    IrTempId f = x86_gen_compute_eflags(s), z = x86_tmp(s);
    ir_setcond(ir, IR_COND_LTU, z, drpl, srpl);
    ir_binopi(ir, IR_shl, z, z, 6);            /* ZF is bit 6 */
    ir_binopi(ir, IR_and, f, f, ~(int64_t)X86_ZF);
    ir_or(ir, f, f, z);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

/* 98: CBW / CWDE / CDQE */
void x86_gen_cbw(DisasX86 *s, X86Insn *in)
{
    int half = in->opsize / 2;
    IrTempId v = x86_tmp(s);
    x86_gen_ext(s, v, s->cpu_regs[R_EAX], half, true);
    x86_gen_set_reg(s, in, in->opsize, R_EAX, v);
}

/* 99: CWD / CDQ / CQO: rDX = copies of rAX's sign bit */
void x86_gen_cwd(DisasX86 *s, X86Insn *in)
{
    IrTempId v = x86_tmp(s);
    ir_sextract(s->ir, v, s->cpu_regs[R_EAX], 8 * (unsigned)in->opsize - 1, 1);
    x86_gen_set_reg(s, in, in->opsize, R_EDX, v);
}

/* 0F 90-9F: SETcc Eb */
void x86_gen_setcc(DisasX86 *s, X86Insn *in)
{
    X86CondExpr c = x86_gen_prepare_cc(s, in->opcode & 15);
    IrTempId v = x86_tmp(s);
    ir_setcond(s->ir, c.cond, v, c.a, c.b);
    x86_gen_store_rm(s, in, 1, v, -1);
}

/* 0F 40-4F: CMOVcc Gv, Ev. The source is read (and may fault) whatever the
 * condition; a 32-bit destination is zero-extended either way. */
void x86_gen_cmovcc(DisasX86 *s, X86Insn *in)
{
    IrTempId v = x86_gen_load_rm(s, in, in->opsize, NULL);
    IrTempId old = x86_gen_get_reg(s, in, in->opsize, in->reg);
    X86CondExpr c = x86_gen_prepare_cc(s, in->opcode & 15);
    IrTempId r = x86_tmp(s);
    ir_movcond(s->ir, c.cond, r, c.a, c.b, v, old);
    x86_gen_set_reg(s, in, in->opsize, in->reg, r);
}

/* ---- flags ---- */

static void gen_update_eflags_bits(DisasX86 *s, IrOpcode opc, int64_t bits)
{
    IrTempId t = x86_tmp(s);
    ir_ld(s->ir, t, s->ir->env, (int32_t)offsetof(X86Cpu, eflags), ir_memop(3, false, false, 0));
    ir_binopi(s->ir, opc, t, t, bits);
    ir_st(s->ir, t, s->ir->env, (int32_t)offsetof(X86Cpu, eflags), ir_memop(3, false, false, 0));
}

/* CLI/STI need CPL <= IOPL in protected mode, IOPL 3 in v86 mode (no VME). */
static bool if_change_allowed(DisasX86 *s)
{
    int iopl = (int)((s->flags & HF_IOPL_MASK) >> HF_IOPL_SHIFT);
    if (s->vm86)
        return iopl == 3;
    return !s->pe || s->cpl <= iopl;
}

/* F5 CMC, F8 CLC, F9 STC, FA CLI, FB STI, FC CLD, FD STD */
void x86_gen_flagop(DisasX86 *s, X86Insn *in)
{
    IrContext *ir = s->ir;
    switch (in->opcode) {
    case 0xf5: case 0xf8: case 0xf9: {
        IrTempId f = x86_gen_compute_eflags(s);
        if (in->opcode == 0xf5)
            ir_binopi(ir, IR_xor, f, f, X86_CF);
        else if (in->opcode == 0xf8)
            ir_binopi(ir, IR_and, f, f, ~(int64_t)X86_CF);
        else
            ir_binopi(ir, IR_or, f, f, X86_CF);
        x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
        break;
    }
    case 0xfa:
        if (!if_change_allowed(s)) {
            x86_gen_exception(s, X86_EXCP_GP, 0);
            return;
        }
        gen_update_eflags_bits(s, IR_and, ~(int64_t)X86_IF);
        break;
    case 0xfb: {
        if (!if_change_allowed(s)) {
            x86_gen_exception(s, X86_EXCP_GP, 0);
            return;
        }
        /* Interrupts stay blocked for one more instruction only if IF was 0
         * (SDM STI). */
        IrTempId old = x86_tmp(s), inh = ir_temp(ir, IR_I32), h = ir_temp(ir, IR_I32);
        ir_ld(ir, old, ir->env, (int32_t)offsetof(X86Cpu, eflags), ir_memop(3, false, false, 0));
        IrTempId nf = x86_tmp(s);
        ir_binopi(ir, IR_or, nf, old, X86_IF);
        ir_st(ir, nf, ir->env, (int32_t)offsetof(X86Cpu, eflags), ir_memop(3, false, false, 0));
        IrTempId bit = x86_tmp(s);
        ir_extract(ir, bit, old, 9, 1);                 /* IF */
        ir_binopi(ir, IR_xor, bit, bit, 1);
        ir_unop(ir, IR_extrl_i64_i32, inh, bit);
        ir_binopi(ir, IR_mul, inh, inh, HF_INHIBIT_IRQ);
        ir_ld(ir, h, ir->env, (int32_t)offsetof(X86Cpu, hflags), ir_memop(2, false, false, 0));
        ir_or(ir, h, h, inh);
        ir_st(ir, h, ir->env, (int32_t)offsetof(X86Cpu, hflags), ir_memop(2, false, false, 0));
        s->base.is_jmp = X86_DISAS_EOB_NEXT;
        break;
    }
    case 0xfc: case 0xfd: {
        IrTempId d = ir_temp(ir, IR_I32);
        ir_movi(ir, d, in->opcode == 0xfc ? 1 : -1);
        ir_st(ir, d, ir->env, (int32_t)offsetof(X86Cpu, df), ir_memop(2, false, false, 0));
        break;
    }
    }
}

/* 9F: LAHF: AH = SF:ZF:0:AF:0:PF:1:CF (always AH, REX or not) */
void x86_gen_lahf(DisasX86 *s, X86Insn *in)
{
    (void)in;
    IrTempId f = x86_gen_compute_eflags(s);
    ir_binopi(s->ir, IR_and, f, f, X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF);
    ir_binopi(s->ir, IR_or, f, f, 2);
    ir_deposit(s->ir, s->cpu_regs[R_EAX], s->cpu_regs[R_EAX], f, 8, 8);
}

/* 9E: SAHF: SF ZF AF PF CF from AH; OF kept */
void x86_gen_sahf(DisasX86 *s, X86Insn *in)
{
    (void)in;
    IrTempId f = x86_gen_compute_eflags(s), ah = x86_tmp(s);
    ir_binopi(s->ir, IR_and, f, f, X86_OF);
    ir_extract(s->ir, ah, s->cpu_regs[R_EAX], 8, 8);
    ir_binopi(s->ir, IR_and, ah, ah, X86_SF | X86_ZF | X86_AF | X86_PF | X86_CF);
    ir_or(s->ir, f, f, ah);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

/* D6: SALC (undocumented): AL = CF ? FF : 00 */
void x86_gen_salc(DisasX86 *s, X86Insn *in)
{
    IrTempId v = x86_gen_compute_cf(s);
    ir_unop(s->ir, IR_neg, v, v);
    x86_gen_set_reg(s, in, 1, R_EAX, v);
}

/* D7: XLAT: AL = [seg:rBX + AL] */
void x86_gen_xlat(DisasX86 *s, X86Insn *in)
{
    IrTempId off = x86_tmp(s), al = x86_tmp(s);
    ir_unop(s->ir, IR_ext8u, al, s->cpu_regs[R_EAX]);
    ir_add(s->ir, off, s->cpu_regs[R_EBX], al);
    if (in->addrsize < 8)
        x86_gen_ext(s, off, off, in->addrsize, false);
    IrTempId v = x86_gen_ld(s, 1, x86_gen_seg_addr(s, x86_insn_seg(in, R_DS), off), false);
    x86_gen_set_reg(s, in, 1, R_EAX, v);
}

/* 0F 0D (PREFETCH, memory only) and 0F 18-1F (hint NOPs): no effect. */
void x86_gen_nop_modrm(DisasX86 *s, X86Insn *in)
{
    if (in->opcode == 0x0d)
        x86_require_mem(s, in);
}

/* 0F 0B UD2, 0F B9 UD1 */
void x86_gen_ud(DisasX86 *s, X86Insn *in)
{
    (void)in;
    x86_gen_exception(s, X86_EXCP_UD, -1);
}
