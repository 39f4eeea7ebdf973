/*
 * String instructions: MOVS, CMPS, SCAS, LODS, STOS, INS, OUTS with and
 * without REP/REPE/REPNE (Intel SDM Vol. 2 "REP/REPE/REPZ/REPNE/REPNZ",
 * Vol. 1 7.3.9), in 16/32/64-bit address sizes.
 *
 * Operands: the source is seg:rSI (DS unless overridden), the destination
 * ES:rDI (no override); rSI/rDI/rCX are used and updated with the address
 * size (16: low word merged, 32: zero-extended, 64: full); each step moves
 * by +-size as EFLAGS.DF says (env->df = +1/-1).
 *
 * REP is restartable: a pass runs at most X86_REP_BATCH iterations inside
 * the block, then jumps back to the same instruction (chained to itself),
 * so interrupts and the instruction budget are honoured between passes.
 * rCX/rSI/rDI are written back after every iteration, before the next
 * memory access, so a fault leaves them at the faulting iteration and the
 * instruction restarts from there (rip is the instruction's own). For
 * CMPS/SCAS the flags are written only when the instruction leaves a pass,
 * so a fault never pairs a new compare with the old lazy cc_op.
 * A REP string instruction always ends its block.
 */
#include <stddef.h>

#include "cpu/x86/x86_gen_system.h"
#include "cpu/x86/x86_helper.h"
#include "cpu/x86/x86_translate.h"

enum { X86_REP_BATCH = 256 };

typedef enum StrOp { STR_INS, STR_OUTS, STR_MOVS, STR_CMPS, STR_STOS, STR_LODS, STR_SCAS } StrOp;

static StrOp str_op(uint8_t opcode)
{
    switch (opcode & 0xfe) {
    case 0x6c: return STR_INS;
    case 0x6e: return STR_OUTS;
    case 0xa4: return STR_MOVS;
    case 0xa6: return STR_CMPS;
    case 0xaa: return STR_STOS;
    case 0xac: return STR_LODS;
    default: return STR_SCAS;
    }
}

/* Write v into register reg with address-size rules. */
static void set_addr_reg(DisasX86 *s, int addrsize, int reg, IrTempId v)
{
    IrTempId r = s->cpu_regs[reg];
    switch (addrsize) {
    case 2: ir_deposit(s->ir, r, r, v, 0, 16); break;
    case 4: ir_unop(s->ir, IR_ext32u, r, v); break;
    default: ir_mov(s->ir, r, v); break;
    }
}

/* Linear address of seg:reg with the address size. */
static IrTempId str_addr(DisasX86 *s, int addrsize, int seg, int reg)
{
    IrTempId off = x86_tmp(s);
    x86_gen_ext(s, off, s->cpu_regs[reg], addrsize, false);
    return x86_gen_seg_addr(s, seg, off);
}

/* reg += delta (delta = +-size, an i64 temp). */
static void advance(DisasX86 *s, int addrsize, int reg, IrTempId delta)
{
    IrTempId t = x86_tmp(s);
    ir_add(s->ir, t, s->cpu_regs[reg], delta);
    set_addr_reg(s, addrsize, reg, t);
}

/* One iteration. For CMPS/SCAS, a and b receive the compared operands
 * (a - b sets the flags) in the given temps. */
static void str_step(DisasX86 *s, X86Insn *in, StrOp op, int size, IrTempId a, IrTempId b)
{
    IrContext *ir = s->ir;
    int as = in->addrsize;
    int src_seg = x86_insn_seg(in, R_DS);
    IrTempId delta = x86_tmp(s), v;

    ir_ld(ir, delta, ir->env, (int32_t)offsetof(X86Cpu, df), ir_memop(2, true, false, 0));
    if (size > 1) {
        ir_binopi(ir, IR_shl, delta, delta, x86_size_log2(size));
    }
    switch (op) {
    case STR_MOVS:
        v = x86_gen_ld(s, size, str_addr(s, as, src_seg, R_ESI), false);
        x86_gen_st(s, size, v, str_addr(s, as, R_ES, R_EDI));
        advance(s, as, R_ESI, delta);
        advance(s, as, R_EDI, delta);
        break;
    case STR_STOS:
        x86_gen_st(s, size, s->cpu_regs[R_EAX], str_addr(s, as, R_ES, R_EDI));
        advance(s, as, R_EDI, delta);
        break;
    case STR_LODS:
        v = x86_gen_ld(s, size, str_addr(s, as, src_seg, R_ESI), false);
        x86_gen_set_reg(s, in, size, R_EAX, v);
        advance(s, as, R_ESI, delta);
        break;
    case STR_CMPS:
        /* SDM CMPS: flags of [rSI] - [rDI] */
        ir_mov(ir, a, x86_gen_ld(s, size, str_addr(s, as, src_seg, R_ESI), false));
        ir_mov(ir, b, x86_gen_ld(s, size, str_addr(s, as, R_ES, R_EDI), false));
        advance(s, as, R_ESI, delta);
        advance(s, as, R_EDI, delta);
        break;
    case STR_SCAS:
        ir_mov(ir, b, x86_gen_ld(s, size, str_addr(s, as, R_ES, R_EDI), false));
        x86_gen_ext(s, a, s->cpu_regs[R_EAX], size, false);
        advance(s, as, R_EDI, delta);
        break;
    case STR_INS: {
        IrTempId port = x86_tmp(s), addr = str_addr(s, as, R_ES, R_EDI);
        v = x86_tmp(s);
        ir_binopi(ir, IR_and, port, s->cpu_regs[R_EDX], 0xffff);
        x86_gen_check_io(s, port, size);
        IrTempId args[3] = { x86_env(s), port, x86_const(s, size) };
        ir_call(ir, &x86_helper_in_def, v, args, 3);
        x86_gen_st(s, size, v, addr);
        advance(s, as, R_EDI, delta);
        break;
    }
    default: {                      /* STR_OUTS */
        IrTempId port = x86_tmp(s);
        ir_binopi(ir, IR_and, port, s->cpu_regs[R_EDX], 0xffff);
        x86_gen_check_io(s, port, size);
        v = x86_gen_ld(s, size, str_addr(s, as, src_seg, R_ESI), false);
        IrTempId args[4] = { x86_env(s), port, v, x86_const(s, size) };
        ir_call(ir, &x86_helper_out_def, -1, args, 4);
        advance(s, as, R_ESI, delta);
        break;
    }
    }
}

/* Flags of a compare a - b straight into the globals (cc_op included). */
static void write_cmp_flags(DisasX86 *s, int size, IrTempId a, IrTempId b)
{
    ir_sub(s->ir, s->cpu_cc_dst, a, b);
    ir_mov(s->ir, s->cpu_cc_src, b);
    ir_movi(s->ir, s->cpu_cc_op, x86_cc_op_sized(CC_OP_SUBB, size));
}

void x86_gen_string(DisasX86 *s, X86Insn *in)
{
    IrContext *ir = s->ir;
    StrOp op = str_op(in->opcode);
    int size = (in->info->flags & X86F_BYTE) ? 1 : in->opsize;
    bool cmp = op == STR_CMPS || op == STR_SCAS;
    bool io = op == STR_INS || op == STR_OUTS;

    if (io) {
        x86_gen_sync_cc_op(s);      /* port helpers may look at the CPU state */
    }
    if (!in->rep) {
        IrTempId a = x86_tmp(s), b = x86_tmp(s);
        str_step(s, in, op, size, a, b);
        if (cmp) {
            IrTempId d = x86_tmp(s);
            ir_sub(ir, d, a, b);
            x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_SUBB, size), d, b, -1);
        }
        if (io) {
            s->base.is_jmp = X86_DISAS_EOB_NEXT;   /* device state may have changed */
        }
        return;
    }

    int as = in->addrsize;
    IrLabel l_top = ir_new_label(ir), l_exit = ir_new_label(ir), l_done = ir_new_label(ir);
    IrTempId a = x86_tmp_local(s), b = x86_tmp_local(s), n = x86_tmp_local(s);
    IrTempId cx = x86_tmp(s);

    x86_gen_sync_cc_op(s);          /* the exits below leave cc_op in the global */
    x86_gen_ext(s, cx, s->cpu_regs[R_ECX], as, false);
    ir_brcondi(ir, IR_COND_EQ, cx, 0, l_done);          /* rCX = 0: nothing, flags unchanged */
    ir_movi(ir, n, (s->flags & HF_TF) ? 1 : X86_REP_BATCH);   /* TF: trap after each iteration */

    ir_set_label(ir, l_top);
    str_step(s, in, op, size, a, b);
    IrTempId ncx = x86_tmp(s);
    ir_binopi(ir, IR_sub, ncx, s->cpu_regs[R_ECX], 1);
    set_addr_reg(s, as, R_ECX, ncx);
    x86_gen_ext(s, ncx, ncx, as, false);
    ir_brcondi(ir, IR_COND_EQ, ncx, 0, l_exit);
    if (cmp) {
        /* REPE/REPZ (F3) stops when ZF = 0, REPNE/REPNZ (F2) when ZF = 1 */
        ir_brcond(ir, in->rep == 0xf3 ? IR_COND_NE : IR_COND_EQ, a, b, l_exit);
    }
    ir_binopi(ir, IR_sub, n, n, 1);
    ir_brcondi(ir, IR_COND_NE, n, 0, l_top);

    /* batch done, rCX != 0: run this instruction again */
    if (cmp) {
        write_cmp_flags(s, size, a, b);
    }
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
    x86_gen_jmp_to(s, s->eip, 1);

    ir_set_label(ir, l_exit);
    if (cmp) {
        write_cmp_flags(s, size, a, b);
    }
    ir_set_label(ir, l_done);
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
    x86_gen_jmp_to(s, s->next_eip, 0);
}
