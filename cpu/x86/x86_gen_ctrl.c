/*
 * x86 control transfer (Intel SDM Vol. 2): Jcc, JMP/CALL/RET near (direct,
 * indirect, RET imm16), LOOP/LOOPE/LOOPNE/JrCXZ, group 5 (INC/DEC/CALL/
 * CALLF/JMP/JMPF/PUSH Ev), far JMP/CALL/RET, INT3/INT n/INTO/ICEBP, IRET,
 * HLT, and port I/O (IN/OUT).
 */
#include "cpu/x86/x86_gen_system.h"
#include "cpu/x86/x86_helper.h"
#include "cpu/x86/x86_translate.h"

/* Branch target: next_eip + displacement at the operand size
 * (EIP/IP wraps at 32/16 bits, SDM JMP "Operation"). */
static uint64_t rel_target(DisasX86 *s, X86Insn *in)
{
    uint64_t t = s->next_eip + (uint64_t)in->imm;
    return in->opsize == 8 ? t : t & x86_size_mask(in->opsize);
}

/* Branch on c: taken -> target (slot 1), else the next insn (slot 0). */
static void gen_cond_jump(DisasX86 *s, X86CondExpr c, uint64_t target)
{
    if (c.cond == IR_COND_ALWAYS) {
        x86_gen_jmp_to(s, target, 0);
        return;
    }
    if (c.cond == IR_COND_NEVER) {
        x86_gen_jmp_to(s, s->next_eip, 0);
        return;
    }
    x86_gen_sync_cc_op(s);      /* both paths leave with env->cc_op current */
    IrLabel taken = ir_new_label(s->ir);
    ir_brcond(s->ir, c.cond, c.a, c.b, taken);
    x86_gen_jmp_to(s, s->next_eip, 0);
    ir_set_label(s->ir, taken);
    x86_gen_jmp_to(s, target, 1);
}

/* 70-7F, 0F 80-8F */
void x86_gen_jcc(DisasX86 *s, X86Insn *in)
{
    gen_cond_jump(s, x86_gen_prepare_cc(s, in->opcode & 15), rel_target(s, in));
}

/* E9, EB */
void x86_gen_jmp(DisasX86 *s, X86Insn *in)
{
    x86_gen_jmp_to(s, rel_target(s, in), 0);
}

/* E8: push the return address, jump */
void x86_gen_call(DisasX86 *s, X86Insn *in)
{
    x86_gen_push_val(s, in, in->opsize, x86_const(s, (int64_t)s->next_eip));
    x86_gen_jmp_to(s, rel_target(s, in), 0);
}

/* C3, C2 imm16 */
void x86_gen_ret(DisasX86 *s, X86Insn *in)
{
    IrTempId eip = x86_gen_pop_peek(s, in, in->opsize);
    int64_t extra = in->opcode == 0xc2 ? (in->imm & 0xffff) : 0;
    x86_gen_sp_add(s, in, in->opsize + extra);
    x86_gen_jmp_indirect(s, eip);
}

/* E0 LOOPNE, E1 LOOPE, E2 LOOP, E3 JCXZ/JECXZ/JRCXZ: the counter is CX,
 * ECX or RCX by address size. */
void x86_gen_loop(DisasX86 *s, X86Insn *in)
{
    IrContext *ir = s->ir;
    int asize = in->addrsize;
    IrTempId mask = x86_const(s, (int64_t)x86_size_mask(asize));
    uint64_t target = rel_target(s, in);
    X86CondExpr c;
    if (in->opcode == 0xe3) {
        c.cond = IR_COND_TSTEQ;
        c.a = s->cpu_regs[R_ECX];
        c.b = mask;
        gen_cond_jump(s, c, target);
        return;
    }
    IrTempId zf = -1;
    if (in->opcode != 0xe2) {
        X86CondExpr z = x86_gen_prepare_cc(s, in->opcode == 0xe1 ? 4 : 5);   /* E / NE */
        zf = x86_tmp(s);
        ir_setcond(ir, z.cond, zf, z.a, z.b);
    }
    IrTempId n = x86_tmp(s);
    ir_binopi(ir, IR_sub, n, s->cpu_regs[R_ECX], 1);
    x86_gen_set_reg(s, in, asize, R_ECX, n);
    if (zf < 0) {
        c.cond = IR_COND_TSTNE;
        c.a = s->cpu_regs[R_ECX];
        c.b = mask;
    } else {
        IrTempId nz = x86_tmp(s);
        ir_setcond(ir, IR_COND_TSTNE, nz, s->cpu_regs[R_ECX], mask);
        ir_and(ir, nz, nz, zf);
        c.cond = IR_COND_NE;
        c.a = nz;
        c.b = x86_const(s, 0);
    }
    gen_cond_jump(s, c, target);
}

/* Far pointer (offset, selector) of an Mp operand. */
static void load_far_pointer(DisasX86 *s, X86Insn *in, IrTempId *off, IrTempId *sel)
{
    IrTempId addr = x86_gen_ea(s, in);
    *off = x86_gen_ld(s, in->opsize, addr, false);
    *sel = x86_gen_ld(s, 2, x86_gen_addr_add(s, addr, in->opsize), false);
}

static void gen_far_jmp(DisasX86 *s, IrTempId sel, IrTempId off)
{
    IrTempId args[4] = { x86_env(s), sel, off, x86_const(s, (int64_t)s->next_eip) };
    x86_gen_helper_call(s, &x86_helper_far_jmp_def, -1, args, 4);
    x86_gen_eob_dynamic(s, s->pe);
}

static void gen_far_call(DisasX86 *s, X86Insn *in, IrTempId sel, IrTempId off)
{
    IrTempId args[5] = { x86_env(s), sel, off, x86_const(s, in->opsize), x86_const(s, (int64_t)s->next_eip) };
    x86_gen_helper_call(s, &x86_helper_far_call_def, -1, args, 5);
    x86_gen_eob_dynamic(s, s->pe);
}

/* 9A CALLF ptr16:16/32, EA JMPF ptr16:16/32 */
void x86_gen_far_direct(DisasX86 *s, X86Insn *in)
{
    IrTempId sel = x86_const(s, in->imm2 & 0xffff), off = x86_const(s, in->imm);
    if (in->opcode == 0x9a)
        gen_far_call(s, in, sel, off);
    else
        gen_far_jmp(s, sel, off);
}

/* CB RETF, CA RETF imm16 */
void x86_gen_retf(DisasX86 *s, X86Insn *in)
{
    int64_t imm = in->opcode == 0xca ? (in->imm & 0xffff) : 0;
    IrTempId args[3] = { x86_env(s), x86_const(s, in->opsize), x86_const(s, imm) };
    x86_gen_helper_call(s, &x86_helper_far_ret_def, -1, args, 3);
    x86_gen_eob_dynamic(s, s->pe);
}

/* FF: /0 INC, /1 DEC, /2 CALL Ev, /3 CALLF Mp, /4 JMP Ev, /5 JMPF Mp, /6 PUSH Ev */
void x86_gen_grp5(DisasX86 *s, X86Insn *in)
{
    int op = (in->modrm >> 3) & 7;
    IrTempId off, sel;
    switch (op) {
    case 0: case 1: {
        /* INC/DEC Ev: same as FE with the operand size (x86_gen_grp4 logic) */
        IrTempId addr = -1;
        IrTempId a = x86_gen_load_rm(s, in, in->opsize, &addr);
        IrTempId cf = x86_gen_compute_cf(s);
        IrTempId r = x86_tmp(s);
        ir_binopi(s->ir, op ? IR_sub : IR_add, r, a, 1);
        x86_gen_store_rm(s, in, in->opsize, r, addr);
        x86_gen_set_cc(s, x86_cc_op_sized(op ? CC_OP_DECB : CC_OP_INCB, in->opsize), r, cf, -1);
        break;
    }
    case 2: {
        IrTempId t = x86_gen_load_rm(s, in, in->opsize, NULL);
        x86_gen_push_val(s, in, in->opsize, x86_const(s, (int64_t)s->next_eip));
        x86_gen_jmp_indirect(s, t);
        break;
    }
    case 4:
        x86_gen_jmp_indirect(s, x86_gen_load_rm(s, in, in->opsize, NULL));
        break;
    case 3: case 5:
        if (!x86_require_mem(s, in))
            return;
        load_far_pointer(s, in, &off, &sel);
        if (op == 3)
            gen_far_call(s, in, sel, off);
        else
            gen_far_jmp(s, sel, off);
        break;
    case 6:
        x86_gen_push_val(s, in, in->opsize, x86_gen_load_rm(s, in, in->opsize, NULL));
        break;
    default:
        x86_gen_exception(s, X86_EXCP_UD, -1);
        break;
    }
}

static void gen_swint(DisasX86 *s, int vector, int kind)
{
    IrTempId args[4] = { x86_env(s), x86_const(s, vector), x86_const(s, kind),
                         x86_const(s, (int64_t)s->next_eip) };
    x86_gen_helper_call(s, &x86_helper_raise_interrupt_def, -1, args, 4);
}

/* CC INT3, CD INT n, CE INTO, F1 ICEBP (INT1) */
void x86_gen_int(DisasX86 *s, X86Insn *in)
{
    switch (in->opcode) {
    case 0xcc:
        gen_swint(s, X86_EXCP_BP, X86_SWINT_INT3);
        break;
    case 0xcd:
        if (s->vm86 && ((s->flags & HF_IOPL_MASK) >> HF_IOPL_SHIFT) != 3) {
            x86_gen_exception(s, X86_EXCP_GP, 0);
            return;
        }
        gen_swint(s, (int)(in->imm & 0xff), X86_SWINT_INTN);
        break;
    case 0xce: {
        /* INTO: #OF only when OF = 1; otherwise a no-op */
        X86CondExpr c = x86_gen_prepare_cc(s, 1);       /* NO */
        x86_gen_sync_cc_op(s);
        IrLabel skip = ir_new_label(s->ir);
        ir_brcond(s->ir, c.cond, c.a, c.b, skip);
        gen_swint(s, X86_EXCP_OF, X86_SWINT_INTO);
        ir_set_label(s->ir, skip);
        return;
    }
    default:
        gen_swint(s, X86_EXCP_DB, X86_SWINT_ICEBP);
        break;
    }
    ir_exit_tb(s->ir, 0);   /* not reached */
    s->base.is_jmp = DISAS_NORETURN;
}

/* 62: BOUND Gv, Ma (not in 64-bit mode): #BR (a fault) unless
 * lower <= index <= upper, all signed, the bounds at [EA] and [EA + size]
 * (SDM Vol. 2 BOUND). A register operand is #UD. */
void x86_gen_bound(DisasX86 *s, X86Insn *in)
{
    if (!x86_require_mem(s, in))
        return;
    IrContext *ir = s->ir;
    int size = in->opsize;
    IrTempId addr = x86_gen_ea(s, in);
    IrTempId lo = x86_gen_ld(s, size, addr, true);
    IrTempId hi = x86_gen_ld(s, size, x86_gen_addr_add(s, addr, size), true);
    IrTempId idx = x86_tmp(s), below = x86_tmp(s), above = x86_tmp(s);
    x86_gen_ext(s, idx, s->cpu_regs[in->reg & 15], size, true);
    ir_setcond(ir, IR_COND_LT, below, idx, lo);
    ir_setcond(ir, IR_COND_GT, above, idx, hi);
    ir_or(ir, below, below, above);
    x86_gen_sync_cc_op(s);      /* both paths below leave with cc_op stored */
    IrLabel ok = ir_new_label(ir);
    ir_brcondi(ir, IR_COND_EQ, below, 0, ok);
    IrTempId args[3] = { x86_env(s), x86_const(s, X86_EXCP_BR), x86_const(s, -1) };
    x86_gen_helper_call(s, &x86_helper_raise_exception_def, -1, args, 3);
    ir_set_label(ir, ok);
}

/* CF: IRET/IRETD/IRETQ */
void x86_gen_iret(DisasX86 *s, X86Insn *in)
{
    IrTempId args[3] = { x86_env(s), x86_const(s, in->opsize), x86_const(s, (int64_t)s->next_eip) };
    x86_gen_helper_call(s, &x86_helper_iret_def, -1, args, 3);
    x86_set_cc_op(s, CC_OP_DYNAMIC);
    x86_gen_eob_dynamic(s, true);
}

/* F4: HLT (CPL 0 only) */
void x86_gen_hlt(DisasX86 *s, X86Insn *in)
{
    (void)in;
    if (s->pe && s->cpl != 0) {
        x86_gen_exception(s, X86_EXCP_GP, 0);
        return;
    }
    IrTempId args[2] = { x86_env(s), x86_const(s, (int64_t)s->next_eip) };
    x86_gen_helper_call(s, &x86_helper_hlt_def, -1, args, 2);
    ir_exit_tb(s->ir, 0);   /* not reached */
    s->base.is_jmp = DISAS_NORETURN;
}

/* Size of IN/OUT's accumulator operand. */
static int io_size(X86Insn *in)
{
    return (in->opcode & 1) ? (in->opsize == 2 ? 2 : 4) : 1;
}

/* E4/E5 IN AL/eAX, imm8; EC/ED IN AL/eAX, DX */
void x86_gen_in(DisasX86 *s, X86Insn *in)
{
    int size = io_size(in);
    IrTempId port;
    if (in->opcode >= 0xec) {
        port = x86_tmp(s);
        ir_unop(s->ir, IR_ext16u, port, s->cpu_regs[R_EDX]);
    } else {
        port = x86_const(s, in->imm & 0xff);
    }
    x86_gen_check_io(s, port, size);
    IrTempId v = x86_tmp(s);
    IrTempId args[3] = { x86_env(s), port, x86_const(s, size) };
    x86_gen_helper_call(s, &x86_helper_in_def, v, args, 3);
    x86_gen_set_reg(s, in, size, R_EAX, v);
}

/* E6/E7 OUT imm8, AL/eAX; EE/EF OUT DX, AL/eAX */
void x86_gen_out(DisasX86 *s, X86Insn *in)
{
    int size = io_size(in);
    IrTempId port;
    if (in->opcode >= 0xee) {
        port = x86_tmp(s);
        ir_unop(s->ir, IR_ext16u, port, s->cpu_regs[R_EDX]);
    } else {
        port = x86_const(s, in->imm & 0xff);
    }
    x86_gen_check_io(s, port, size);
    IrTempId args[4] = { x86_env(s), port, x86_gen_get_reg(s, in, size, R_EAX), x86_const(s, size) };
    x86_gen_helper_call(s, &x86_helper_out_def, -1, args, 4);
}
