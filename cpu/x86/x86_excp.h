/*
 * Exception and interrupt delivery outside real mode (x86_excp.c): the
 * double-fault rules and the triple fault. The delivery itself is the
 * x86_do_interrupt_protected hook of x86_system.h.
 */
#ifndef DOPPEL_CPU_X86_X86_EXCP_H
#define DOPPEL_CPU_X86_X86_EXCP_H

#include <stdbool.h>

#include "cpu/x86/x86_cpu.h"

/** Apply SDM Vol. 3A 6.15 Table 6-5 before delivering exception vector
 *  (0..31, not INT n and not an external interrupt): if an exception was
 *  being delivered (env->old_exception), a contributory or page-fault pair
 *  becomes #DF (error code 0) and a fault while delivering #DF is a triple
 *  fault (does not return). Records the vector being delivered; the
 *  caller clears env->old_exception once delivery has completed. */
int x86_excp_check_nested(X86Cpu *env, int vector, int *error_code, bool *has_error_code);

/** Shutdown after a triple fault (SDM Vol. 3A 6.15 "Interrupt 8"): ask the
 *  board for a reset (STOP_RESET; with -no-reboot the main loop exits) and
 *  stop this CPU. */
_Noreturn void x86_excp_triple_fault(X86Cpu *env);

#endif
