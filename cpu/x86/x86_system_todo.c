/*
 * x86_unimplemented_stop: the clean stop for a CPU feature doppel lacks.
 * (The x86_system.h hooks themselves are implemented by x86_seg.c,
 * x86_far.c, x86_excp.c and x86_mmu.c.)
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
