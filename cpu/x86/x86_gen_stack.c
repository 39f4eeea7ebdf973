/*
 * x86 stack and segment-register instructions (Intel SDM Vol. 2): PUSH/POP
 * (register, immediate, Ev, segment registers), PUSHA/POPA, PUSHF/POPF,
 * ENTER/LEAVE, and the far-pointer loads LES/LDS/LSS/LFS/LGS. Every store
 * goes out before rSP changes, so a fault leaves the instruction undone.
 */
#include <stddef.h>

#include "cpu/x86/x86_helper.h"
#include "cpu/x86/x86_translate.h"

/* 50+r PUSH r; 68 PUSH Iz; 6A PUSH Ibs */
void x86_gen_push(DisasX86 *s, X86Insn *in)
{
    IrTempId v = in->opcode >= 0x68 ? x86_const(s, in->imm) : x86_gen_get_reg(s, in, in->opsize, in->rm);
    x86_gen_push_val(s, in, in->opsize, v);
}

/* 58+r POP r; 8F /0 POP Ev. POP rSP leaves the popped value in rSP; a
 * memory destination based on rSP uses rSP after the increment. */
void x86_gen_pop(DisasX86 *s, X86Insn *in)
{
    int size = in->opsize;
    IrTempId v = x86_gen_pop_peek(s, in, size);
    if (in->opcode == 0x8f && in->mod != 3) {
        s->popl_esp_hack = size;
        IrTempId addr = x86_gen_ea(s, in);
        s->popl_esp_hack = 0;
        x86_gen_st(s, size, v, addr);
        x86_gen_sp_add(s, in, size);
        return;
    }
    x86_gen_sp_add(s, in, size);
    x86_gen_set_reg(s, in, size, in->rm, v);
}

/* 60: PUSHA/PUSHAD: AX CX DX BX (original) SP BP SI DI */
void x86_gen_pusha(DisasX86 *s, X86Insn *in)
{
    int size = in->opsize;
    for (int i = 0; i < 8; i++) {
        IrTempId addr = x86_gen_stack_addr(s, in, s->cpu_regs[R_ESP], -(int64_t)(i + 1) * size);
        x86_gen_st(s, size, s->cpu_regs[i], addr);
    }
    x86_gen_sp_add(s, in, -8 * (int64_t)size);
}

/* 61: POPA/POPAD: DI SI BP (SP skipped) BX DX CX AX */
void x86_gen_popa(DisasX86 *s, X86Insn *in)
{
    int size = in->opsize;
    IrTempId v[8];
    for (int i = 0; i < 8; i++) {
        int reg = 7 - i;
        v[reg] = -1;
        if (reg == R_ESP)
            continue;
        v[reg] = x86_gen_ld(s, size, x86_gen_stack_addr(s, in, s->cpu_regs[R_ESP], (int64_t)i * size), false);
    }
    for (int reg = 0; reg < 8; reg++)
        if (v[reg] >= 0)
            x86_gen_set_reg(s, in, size, reg, v[reg]);
    x86_gen_sp_add(s, in, 8 * (int64_t)size);
}

static int iopl_of(DisasX86 *s)
{
    return (int)((s->flags & HF_IOPL_MASK) >> HF_IOPL_SHIFT);
}

/* 9C: PUSHF/PUSHFD/PUSHFQ: the image has VM and RF clear. */
void x86_gen_pushf(DisasX86 *s, X86Insn *in)
{
    if (s->vm86 && iopl_of(s) != 3) {
        x86_gen_exception(s, X86_EXCP_GP, 0);
        return;
    }
    IrTempId f = x86_tmp(s);
    IrTempId args[1] = { x86_env(s) };
    x86_gen_helper_call(s, &x86_helper_read_eflags_def, f, args, 1);
    ir_binopi(s->ir, IR_and, f, f, ~(int64_t)(X86_VM | X86_RF));
    x86_gen_push_val(s, in, in->opsize, f);
}

/* 9D: POPF/POPFD/POPFQ. Which bits may change (SDM POPF "Operation"):
 * IOPL only at CPL 0, IF only at CPL <= IOPL; VM, VIP, VIF, RF never; a
 * 16-bit POPF only touches the low word. Ends the block (IF, TF, IOPL). */
void x86_gen_popf(DisasX86 *s, X86Insn *in)
{
    int iopl = iopl_of(s);
    if (s->vm86 && iopl != 3) {
        x86_gen_exception(s, X86_EXCP_GP, 0);
        return;
    }
    uint64_t mask = X86_ARITH_FLAGS | X86_TF | X86_DF | X86_NT;
    if (in->opsize >= 4)
        mask |= X86_AC | X86_ID;
    if (s->vm86)
        mask |= X86_IF;
    else if (!s->pe || s->cpl == 0)
        mask |= X86_IF | X86_IOPL;
    else if (s->cpl <= iopl)
        mask |= X86_IF;
    if (in->opsize == 2)
        mask &= 0xffff;
    IrTempId v = x86_gen_pop_peek(s, in, in->opsize);
    IrTempId args[3] = { x86_env(s), v, x86_const(s, (int64_t)mask) };
    x86_gen_helper_call(s, &x86_helper_write_eflags_def, -1, args, 3);
    x86_set_cc_op(s, CC_OP_DYNAMIC);    /* the helper left CC_OP_EFLAGS in env */
    x86_gen_sp_add(s, in, in->opsize);
    s->base.is_jmp = X86_DISAS_EOB_NEXT;
}

/* Write a value to rBP with the stack width (ENTER's frame pointer). */
static void set_bp_stackwidth(DisasX86 *s, X86Insn *in, IrTempId v)
{
    x86_gen_set_reg(s, in, s->stack_size, R_EBP, v);
}

/* C8: ENTER imm16, imm8 (SDM ENTER "Operation"; nesting level mod 32). */
void x86_gen_enter(DisasX86 *s, X86Insn *in)
{
    IrContext *ir = s->ir;
    int size = in->opsize;
    int64_t alloc = in->imm & 0xffff;
    int level = (int)(in->imm2 & 31);
    IrTempId sp = s->cpu_regs[R_ESP];

    /* push rBP */
    x86_gen_st(s, size, s->cpu_regs[R_EBP], x86_gen_stack_addr(s, in, sp, -size));
    /* frame_temp = rSP after that push */
    IrTempId frame = x86_tmp(s);
    ir_binopi(ir, IR_sub, frame, sp, size);
    if (s->stack_size < 8)
        x86_gen_ext(s, frame, frame, s->stack_size, false);
    if (level > 0) {
        for (int i = 1; i < level; i++) {
            IrTempId src = x86_tmp(s);
            ir_binopi(ir, IR_sub, src, s->cpu_regs[R_EBP], (int64_t)i * size);
            if (s->stack_size < 8)
                x86_gen_ext(s, src, src, s->stack_size, false);
            IrTempId v = x86_gen_ld(s, size, x86_gen_seg_addr(s, R_SS, src), false);
            x86_gen_st(s, size, v, x86_gen_stack_addr(s, in, sp, -(int64_t)(i + 1) * size));
        }
        x86_gen_st(s, size, frame, x86_gen_stack_addr(s, in, sp, -(int64_t)(level + 1) * size));
    }
    IrTempId nsp = x86_tmp(s);
    ir_binopi(ir, IR_sub, nsp, sp, (int64_t)(level + 1) * size + alloc);
    set_bp_stackwidth(s, in, frame);
    x86_gen_set_reg(s, in, s->stack_size, R_ESP, nsp);
}

/* C9: LEAVE: rSP = rBP (stack width), then POP rBP */
void x86_gen_leave(DisasX86 *s, X86Insn *in)
{
    int size = in->opsize;
    IrTempId v = x86_gen_ld(s, size, x86_gen_stack_addr(s, in, s->cpu_regs[R_EBP], 0), false);
    IrTempId nsp = x86_tmp(s);
    ir_binopi(s->ir, IR_add, nsp, s->cpu_regs[R_EBP], size);
    x86_gen_set_reg(s, in, s->stack_size, R_ESP, nsp);
    x86_gen_set_reg(s, in, size, R_EBP, v);
}

/* Segment register of PUSH/POP sreg opcodes. */
static int sreg_of(X86Insn *in)
{
    if (in->map == 1)
        return in->opcode < 0xa8 ? R_FS : R_GS;
    return (in->opcode >> 3) & 3;   /* 06/07 ES, 0E CS, 16/17 SS, 1E/1F DS */
}

/* 06 0E 16 1E, 0F A0 0F A8: PUSH sreg (the selector zero-extended to the
 * operand size). */
void x86_gen_push_seg(DisasX86 *s, X86Insn *in)
{
    IrTempId v = x86_tmp(s);
    ir_ld(s->ir, v, s->ir->env, (int32_t)offsetof(X86Cpu, segs[sreg_of(in)].selector),
          ir_memop(1, false, false, 0));
    x86_gen_push_val(s, in, in->opsize, v);
}

/* 07 17 1F, 0F A1 0F A9: POP sreg. POP SS opens an interrupt shadow. */
void x86_gen_pop_seg(DisasX86 *s, X86Insn *in)
{
    int seg = sreg_of(in);
    IrTempId v = x86_gen_pop_peek(s, in, in->opsize);
    x86_gen_load_seg(s, seg, v);
    x86_gen_sp_add(s, in, in->opsize);
    if (seg == R_SS) {
        s->set_inhibit_irq = true;
        s->base.is_jmp = X86_DISAS_EOB_NEXT;
    } else if (s->pe) {
        s->base.is_jmp = X86_DISAS_EOB_NEXT;
    }
}

/* C4 LES, C5 LDS, 0F B2 LSS, 0F B4 LFS, 0F B5 LGS: Gv, Mp */
void x86_gen_load_far_ptr(DisasX86 *s, X86Insn *in)
{
    if (!x86_require_mem(s, in))
        return;
    int seg;
    if (in->map == 0)
        seg = in->opcode == 0xc4 ? R_ES : R_DS;
    else
        seg = in->opcode == 0xb2 ? R_SS : in->opcode == 0xb4 ? R_FS : R_GS;
    IrTempId addr = x86_gen_ea(s, in);
    IrTempId off = x86_gen_ld(s, in->opsize, addr, false);
    IrTempId sel = x86_gen_ld(s, 2, x86_gen_addr_add(s, addr, in->opsize), false);
    x86_gen_load_seg(s, seg, sel);
    x86_gen_set_reg(s, in, in->opsize, in->reg, off);
    if (s->pe)
        s->base.is_jmp = X86_DISAS_EOB_NEXT;
}
