/*
 * CpuCommon: the part of every guest CPU struct the engine owns. A guest's
 * CPU struct starts with a CpuCommon (so env == &guest->common) and holds a
 * CpuTlb somewhere inside (GuestArch.tlb_offset). Generated code addresses
 * guest registers as env + offset.
 */
#ifndef DOPPEL_CPU_CPU_H
#define DOPPEL_CPU_CPU_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu/tlb.h"
#include "cpu/tb.h"
#include "machine/log.h"
#include "machine/memory.h"

struct GuestArch;
struct Engine;
struct Machine;

#define CPU_JMP_CACHE_BITS 12
#define CPU_JMP_CACHE_SIZE (1u << CPU_JMP_CACHE_BITS)

/* interrupt_request bits (their meaning beyond these is the guest's). */
enum {
    CPU_INTERRUPT_HARD = 1u << 0,    /* maskable interrupt line (INTR / IRQ) */
    CPU_INTERRUPT_NMI = 1u << 1,
    CPU_INTERRUPT_RESET = 1u << 2,
    CPU_INTERRUPT_EXIT = 1u << 3,    /* leave the run loop (kick) */
    CPU_INTERRUPT_GUEST0 = 1u << 8,  /* first guest-defined bit */
};

typedef struct CpuCommon {
    /* Read by every block's entry code: blocks run only while
     * insn_budget >= their icount. A kick sets it negative. */
    int32_t insn_budget;
    uint32_t interrupt_request;      /* CPU_INTERRUPT_* */

    const struct GuestArch *arch;
    struct Engine *engine;
    struct Machine *machine;
    AddressSpace *mem;               /* guest physical memory */
    AddressSpace *io;                /* port I/O (x86), may be NULL */
    Log *log;
    CpuTlb *tlb;                     /* == (char *)env + arch->tlb_offset */

    int exception_index;             /* -1: none; else guest-defined */
    bool halted;
    bool can_do_io;
    int64_t budget_left;             /* insns of the current run slice not yet handed to insn_budget */
    int64_t insns_executed;          /* retired in the current cpu_exec call */
    sigjmp_buf jmp_env;              /* cpu_loop_exit lands here */
    TranslationBlock *current_tb;
    TranslationBlock *jmp_cache[CPU_JMP_CACHE_SIZE];  /* by virtual pc */

    /* Run-loop bookkeeping private to cpu/exec.c and cpu/tlb.c. */
    int32_t budget_kicked;           /* amount cpu_kick subtracted from insn_budget */
    int32_t restore_unretired;       /* insns of the TB cpu_restore_state found not retired */
    int64_t budget_handed;           /* insn_budget + budget_kicked at the last accounting */
    uint32_t cflags_next_tb;         /* != 0: cflags for the next TB (self-modifying store) */
    unsigned mem_generation;         /* mem->generation the TLB was filled under */
    /* Backends whose helper calls do not return into the code buffer (the
     * interpreter) store here, around each IR_call, a retaddr for the call
     * (an address inside the call's encoded op); cpu_restore_state uses it
     * when the retaddr a helper passes (CPU_GETPC) is not translated code. */
    uintptr_t helper_retaddr;
} CpuCommon;

/** Return address of the current C function: the retaddr helpers pass to
 *  cpu_loop_exit_restore / cpu_raise_exception / cpu_ld / cpu_st. */
#define CPU_GETPC() ((uintptr_t)__builtin_return_address(0))

/** Run guest code for at most max_insns instructions or until a kick/halt.
 *  Returns 0 = budget used, 1 = halted (idle), 2 = exit requested. */
int cpu_exec(CpuCommon *cpu, int64_t max_insns, int64_t *executed);
/** Leave translated code now and return to cpu_exec's loop (state must
 *  already be consistent: helpers call cpu_restore_state first). */
_Noreturn void cpu_loop_exit(CpuCommon *cpu);
/** Restore the guest state of the instruction whose code contains host
 *  address retaddr (from a helper's return address), then cpu_loop_exit. */
_Noreturn void cpu_loop_exit_restore(CpuCommon *cpu, uintptr_t retaddr);
/** Restore guest state for retaddr without leaving; false if retaddr is
 *  not inside translated code (then nothing is changed). */
bool cpu_restore_state(CpuCommon *cpu, uintptr_t retaddr);
/** Raise guest exception excp from a helper: restore, record, exit. */
_Noreturn void cpu_raise_exception(CpuCommon *cpu, int excp, uintptr_t retaddr);
/** Request an exit at the next block boundary (from devices, signals). */
void cpu_kick(CpuCommon *cpu);
/** Set/clear interrupt_request bits; setting kicks. */
void cpu_interrupt(CpuCommon *cpu, uint32_t mask);
void cpu_reset_interrupt(CpuCommon *cpu, uint32_t mask);

#endif
