/*
 * Temporary implementations of the x86_system.h hooks (protected mode,
 * long mode, paging) until the system code lands: each reports the missing
 * feature once on the log and stops the VM cleanly.
 */
#include "cpu/x86/x86_system.h"

#include "machine/machine.h"

_Noreturn void x86_unimplemented_stop(X86Cpu *env, const char *what)
{
    CpuCommon *cpu = &env->common;
    fprintf(log_stream(cpu->log), "doppel: x86 %s is not implemented yet (rip=%#llx): stopping\n", what,
            (unsigned long long)env->rip);
    if (cpu->machine)
        machine_request_stop(cpu->machine, STOP_EXIT, 1);
    /* Halt for good: no maskable interrupt or NMI can wake the CPU. */
    env->eflags &= ~(uint64_t)X86_IF;
    env->nmi_blocked = true;
    cpu->halted = true;
    cpu->exception_index = -1;
    cpu_loop_exit(cpu);
}

void x86_load_seg_protected(X86Cpu *env, int seg, uint16_t sel, uintptr_t retaddr)
{
    (void)seg; (void)sel;
    if (retaddr)
        cpu_restore_state(&env->common, retaddr);
    x86_unimplemented_stop(env, "protected-mode segment load");
}

void x86_far_jmp_protected(X86Cpu *env, uint16_t sel, uint64_t off, uint64_t next_eip, uintptr_t retaddr)
{
    (void)sel; (void)off; (void)next_eip;
    if (retaddr)
        cpu_restore_state(&env->common, retaddr);
    x86_unimplemented_stop(env, "protected-mode far JMP");
}

void x86_far_call_protected(X86Cpu *env, uint16_t sel, uint64_t off, int opsize, uint64_t next_eip,
                            uintptr_t retaddr)
{
    (void)sel; (void)off; (void)opsize; (void)next_eip;
    if (retaddr)
        cpu_restore_state(&env->common, retaddr);
    x86_unimplemented_stop(env, "protected-mode far CALL");
}

void x86_far_ret_protected(X86Cpu *env, int opsize, int imm, uintptr_t retaddr)
{
    (void)opsize; (void)imm;
    if (retaddr)
        cpu_restore_state(&env->common, retaddr);
    x86_unimplemented_stop(env, "protected-mode far RET");
}

void x86_iret_protected(X86Cpu *env, int opsize, uintptr_t retaddr)
{
    (void)opsize;
    if (retaddr)
        cpu_restore_state(&env->common, retaddr);
    x86_unimplemented_stop(env, "protected-mode IRET");
}

void x86_do_interrupt_protected(X86Cpu *env, int vector, bool is_sw, int error_code, bool has_error_code,
                                uint64_t next_eip)
{
    (void)is_sw; (void)error_code; (void)has_error_code; (void)next_eip;
    char what[64];
    snprintf(what, sizeof(what), "protected-mode interrupt delivery (vector %d)", vector);
    x86_unimplemented_stop(env, what);
}

bool x86_tlb_fill_paging(X86Cpu *env, uint64_t vaddr, int size, int access, int mmu_idx, bool probe,
                         uintptr_t retaddr)
{
    (void)vaddr; (void)size; (void)access; (void)mmu_idx;
    if (probe)
        return false;
    if (retaddr)
        cpu_restore_state(&env->common, retaddr);
    x86_unimplemented_stop(env, "paging (CR0.PG=1)");
}
