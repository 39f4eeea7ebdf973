/*
 * GuestArch: what one guest ISA plugs into the engine. The generic
 * translator loop (cpu/translate.c) calls the translation hooks; the run
 * loop (cpu/exec.c) calls the rest.
 */
#ifndef DOPPEL_CPU_GUEST_H
#define DOPPEL_CPU_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "cpu/ir/ir.h"
#include "cpu/tb.h"

typedef enum DisasJump {
    DISAS_NEXT,        /* keep translating */
    DISAS_TOO_MANY,    /* stop: budget of insns or page end; fall through to pc_next */
    DISAS_NORETURN,    /* the insn emitted its own block exit */
    DISAS_GUEST,       /* first value a guest may use for its own reasons */
} DisasJump;

/* State of one translation, embedded first in the guest's own context. */
typedef struct DisasBase {
    TranslationBlock *tb;
    CpuCommon *cpu;
    IrContext *ir;
    uint64_t pc_first;      /* guest virtual pc of the first insn */
    uint64_t pc_next;       /* of the next insn to translate */
    int num_insns;
    int max_insns;
    int is_jmp;             /* DisasJump or guest value */
} DisasBase;

typedef struct GuestArch {
    const char *name;
    size_t env_size;          /* size of the guest CPU struct (starts with CpuCommon) */
    size_t tlb_offset;        /* offsetof(guest struct, its CpuTlb) */
    size_t disas_size;        /* size of the guest's translation context (starts with DisasBase) */
    int mmu_modes;            /* MMU indexes used (<= TLB_MAX_MMU) */
    /** Declare guest registers as IR globals (once per IrContext). */
    void (*init_ir)(CpuCommon *cpu, IrContext *ir);
    void (*reset)(CpuCommon *cpu);
    /** The TB key of the current state: virtual pc, cs_base, flags; *mmu_idx
     *  gets the MMU index for instruction fetch. */
    void (*tb_key)(CpuCommon *cpu, uint64_t *pc, uint64_t *cs_base, uint32_t *flags, int *mmu_idx);

    /* Translation hooks (db points at the guest's context, DisasBase first). */
    void (*tb_start)(DisasBase *db);
    void (*insn_start)(DisasBase *db);       /* emit ir_insn_start(...) */
    void (*translate_insn)(DisasBase *db);   /* advance pc_next, maybe set is_jmp */
    void (*tb_stop)(DisasBase *db);          /* emit the exits is_jmp asks for */

    /** Put the state recorded by insn_start (IR_INSN_WORDS words) back into the CPU. */
    void (*restore_state)(CpuCommon *cpu, const TranslationBlock *tb, const uint64_t *data);
    /** Page walk for vaddr: call tlb_set_page and return true, or (probe)
     *  return false, or (!probe) raise the guest fault via cpu_loop_exit_restore. */
    bool (*tlb_fill)(CpuCommon *cpu, uint64_t vaddr, int size, MmuAccess access, int mmu_idx,
                     bool probe, uintptr_t retaddr);
    /** Raise an alignment fault for an IR_MO_ALIGN access (does not return). */
    void (*unaligned)(CpuCommon *cpu, uint64_t vaddr, MmuAccess access, int mmu_idx, uintptr_t retaddr);
    /** At a block boundary: take a pending interrupt_request if the guest
     *  state allows; true if it changed the state (pc, mode). */
    bool (*exec_interrupt)(CpuCommon *cpu);
    /** Deliver cpu->exception_index (set by cpu_raise_exception). */
    void (*do_interrupt)(CpuCommon *cpu);
    /** A halted CPU may resume (an enabled interrupt is pending). */
    bool (*has_work)(CpuCommon *cpu);
    void (*dump_state)(CpuCommon *cpu, FILE *f);
    /** Capstone arch and mode for -d in_asm for a TB's flags (may be NULL). */
    void (*disas_mode)(uint32_t flags, int *cs_arch, int *cs_mode);
} GuestArch;

/** Read guest code for the translator (handles page crossing and records
 *  the second page in the TB). */
uint8_t translator_ldub(DisasBase *db, uint64_t vaddr);
uint16_t translator_lduw(DisasBase *db, uint64_t vaddr);
uint32_t translator_ldl(DisasBase *db, uint64_t vaddr);
uint64_t translator_ldq(DisasBase *db, uint64_t vaddr);

#endif
