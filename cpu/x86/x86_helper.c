/*
 * C helpers behind the basic x86 instructions that are not worth inline IR:
 * exceptions and software interrupts, HLT, segment loads and far transfers
 * in real and virtual-8086 mode (SDM Vol. 3A ch. 20; protected mode goes to
 * the x86_system.h hooks), IRET, port I/O and EFLAGS access.
 */
#include "cpu/x86/x86_helper.h"

#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x86_system.h"
#include "cpu/x86/x86_util.h"

/* ---- exceptions ---- */

_Noreturn void x86_helper_raise_exception(X86Cpu *env, uint64_t excp, uint64_t error_code)
{
    env->exception_vector = (int)excp;
    env->has_error_code = (int64_t)error_code >= 0;
    env->error_code = env->has_error_code ? (int)error_code : 0;
    cpu_raise_exception(&env->common, (int)excp, CPU_GETPC());
}

_Noreturn void x86_helper_raise_interrupt(X86Cpu *env, uint64_t vector, uint64_t kind, uint64_t next_eip)
{
    env->exception_vector = (int)(vector & 0xff);
    env->swint_kind = (int)kind;
    env->has_error_code = false;
    env->error_code = 0;
    env->next_rip = next_eip;
    cpu_raise_exception(&env->common, X86_EXCP_SWINT, CPU_GETPC());
}

_Noreturn void x86_helper_single_step(X86Cpu *env)
{
    env->dr[6] |= 1u << 14;         /* DR6.BS (SDM Vol. 3A 17.2.3) */
    x86_helper_raise_exception_ra(env, X86_EXCP_DB, -1, 0);   /* a trap: rip is the next insn */
}

_Noreturn void x86_helper_hlt(X86Cpu *env, uint64_t next_eip)
{
    env->rip = next_eip;
    env->hflags &= ~(uint32_t)HF_INHIBIT_IRQ;
    env->common.halted = true;
    env->common.exception_index = -1;
    cpu_loop_exit(&env->common);
}

/* ---- segments and far transfers ---- */

void x86_helper_load_seg(X86Cpu *env, uint64_t seg, uint64_t sel)
{
    if (seg >= X86_NB_SEGS)
        return;
    if (x86_real_or_vm86(env))
        x86_load_seg_real(env, (int)seg, (uint16_t)sel);
    else
        x86_load_seg_protected(env, (int)seg, (uint16_t)sel, CPU_GETPC());
}

void x86_helper_far_jmp(X86Cpu *env, uint64_t sel, uint64_t off, uint64_t next_eip)
{
    if (x86_real_or_vm86(env)) {
        x86_load_seg_real(env, R_CS, (uint16_t)sel);
        env->rip = off;
        x86_update_hflags(env);
    } else {
        x86_far_jmp_protected(env, (uint16_t)sel, off, next_eip, CPU_GETPC());
    }
}

void x86_helper_far_call(X86Cpu *env, uint64_t sel, uint64_t off, uint64_t opsize, uint64_t next_eip)
{
    uintptr_t ra = CPU_GETPC();
    if (!x86_real_or_vm86(env)) {
        x86_far_call_protected(env, (uint16_t)sel, off, (int)opsize, next_eip, ra);
        return;
    }
    int size = opsize == 4 ? 4 : 2;
    uint64_t sp = env->regs[R_ESP];
    sp = x86_stack_push(env, sp, size, env->segs[R_CS].selector, ra);
    sp = x86_stack_push(env, sp, size, next_eip, ra);
    x86_set_sp(env, sp);
    x86_load_seg_real(env, R_CS, (uint16_t)sel);
    env->rip = off & x86_size_mask_c(size);
    x86_update_hflags(env);
}

void x86_helper_far_ret(X86Cpu *env, uint64_t opsize, uint64_t imm)
{
    uintptr_t ra = CPU_GETPC();
    if (!x86_real_or_vm86(env)) {
        x86_far_ret_protected(env, (int)opsize, (int)imm, ra);
        return;
    }
    int size = opsize == 4 ? 4 : 2;
    uint64_t sp = env->regs[R_ESP];
    uint64_t ip = x86_stack_pop(env, &sp, size, ra);
    uint64_t cs = x86_stack_pop(env, &sp, size, ra);
    x86_set_sp(env, sp + imm);
    x86_load_seg_real(env, R_CS, (uint16_t)cs);
    env->rip = ip;
    x86_update_hflags(env);
}

void x86_helper_iret(X86Cpu *env, uint64_t opsize, uint64_t next_eip)
{
    uintptr_t ra = CPU_GETPC();
    if (env->hflags & HF_VM) {
        if (((env->eflags & X86_IOPL) >> 12) != 3)
            x86_helper_raise_exception_ra(env, X86_EXCP_GP, 0, ra);
    } else if (env->hflags & HF_PE) {
        x86_iret_protected(env, (int)opsize, next_eip, ra);
        env->nmi_blocked = false;
        return;
    }
    /* Real mode (and v86 with IOPL 3): SDM Vol. 2 IRET "REAL-ADDRESS-MODE". */
    int size = opsize == 4 ? 4 : 2;
    uint64_t sp = env->regs[R_ESP];
    uint64_t ip = x86_stack_pop(env, &sp, size, ra);
    uint64_t cs = x86_stack_pop(env, &sp, size, ra);
    uint64_t fl = x86_stack_pop(env, &sp, size, ra);
    x86_set_sp(env, sp);
    x86_load_seg_real(env, R_CS, (uint16_t)cs);
    env->rip = ip;
    uint64_t mask;
    if (env->hflags & HF_VM)     /* IOPL and VM are not changed in v86 mode */
        mask = X86_ARITH_FLAGS | X86_TF | X86_IF | X86_DF | X86_NT | X86_RF | X86_AC | X86_ID;
    else
        mask = X86_ARITH_FLAGS | X86_TF | X86_IF | X86_DF | X86_NT | X86_IOPL | X86_RF | X86_AC | X86_ID;
    if (size == 2)
        mask &= 0xffff;
    x86_set_eflags(env, fl, mask);
    env->nmi_blocked = false;
    x86_update_hflags(env);
}

/* ---- port I/O (no permission checks yet: SDM Vol. 1 19.5 is system work) ---- */

uint64_t x86_helper_in(X86Cpu *env, uint64_t port, uint64_t size)
{
    if (!env->common.io)
        return x86_size_mask_c((int)size);
    uint64_t v = as_read(env->common.io, port & 0xffff, (unsigned)size);
    log_printf(env->common.log, LOG_ioport, "in%c 0x%04x -> 0x%llx\n", size == 1 ? 'b' : size == 2 ? 'w' : 'l',
               (unsigned)(port & 0xffff), (unsigned long long)v);
    return v & x86_size_mask_c((int)size);
}

void x86_helper_out(X86Cpu *env, uint64_t port, uint64_t val, uint64_t size)
{
    log_printf(env->common.log, LOG_ioport, "out%c 0x%04x <- 0x%llx\n", size == 1 ? 'b' : size == 2 ? 'w' : 'l',
               (unsigned)(port & 0xffff), (unsigned long long)(val & x86_size_mask_c((int)size)));
    if (env->common.io)
        as_write(env->common.io, port & 0xffff, val & x86_size_mask_c((int)size), (unsigned)size);
}

/* ---- EFLAGS ---- */

uint64_t x86_helper_read_eflags(X86Cpu *env)
{
    return x86_get_eflags(env);
}

void x86_helper_write_eflags(X86Cpu *env, uint64_t val, uint64_t mask)
{
    x86_set_eflags(env, val, mask);
}

/* ---- descriptors for the translator ---- */

#define RAISES IR_CALL_MAY_RAISE

const IrHelper x86_helper_raise_exception_def = {
    "raise_exception", (void *)x86_helper_raise_exception, 3, false, IR_I64, RAISES };
const IrHelper x86_helper_raise_interrupt_def = {
    "raise_interrupt", (void *)x86_helper_raise_interrupt, 4, false, IR_I64, RAISES };
const IrHelper x86_helper_single_step_def = {
    "single_step", (void *)x86_helper_single_step, 1, false, IR_I64, RAISES };
const IrHelper x86_helper_hlt_def = { "hlt", (void *)x86_helper_hlt, 2, false, IR_I64, RAISES };
const IrHelper x86_helper_load_seg_def = { "load_seg", (void *)x86_helper_load_seg, 3, false, IR_I64, RAISES };
const IrHelper x86_helper_far_jmp_def = { "far_jmp", (void *)x86_helper_far_jmp, 4, false, IR_I64, RAISES };
const IrHelper x86_helper_far_call_def = { "far_call", (void *)x86_helper_far_call, 5, false, IR_I64, RAISES };
const IrHelper x86_helper_far_ret_def = { "far_ret", (void *)x86_helper_far_ret, 3, false, IR_I64, RAISES };
const IrHelper x86_helper_iret_def = { "iret", (void *)x86_helper_iret, 3, false, IR_I64, RAISES };
const IrHelper x86_helper_in_def = {
    "in", (void *)x86_helper_in, 3, true, IR_I64, IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS };
const IrHelper x86_helper_out_def = {
    "out", (void *)x86_helper_out, 4, false, IR_I64, IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS };
const IrHelper x86_helper_read_eflags_def = {
    "read_eflags", (void *)x86_helper_read_eflags, 1, true, IR_I64, IR_CALL_NO_WRITE_GLOBALS };
const IrHelper x86_helper_write_eflags_def = {
    "write_eflags", (void *)x86_helper_write_eflags, 3, false, IR_I64, 0 };
