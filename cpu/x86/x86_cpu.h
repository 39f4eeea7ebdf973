/*
 * The x86 guest CPU state (Intel SDM Vol. 3A ch. 2-3). X86Cpu starts with
 * the engine's CpuCommon; translated code reaches every field at a fixed
 * offset from env.
 *
 * Arithmetic flags are lazy (x86_flags.h): the last flag-setting operation
 * leaves cc_op, cc_dst, cc_src and cc_src2, and CF/PF/AF/ZF/SF/OF are
 * computed only when something reads them. eflags holds every other bit
 * except DF (kept as df = +1/-1); with cc_op == CC_OP_EFLAGS the six
 * arithmetic flags live in cc_src. Read and write the architectural value
 * only through x86_get_eflags / x86_set_eflags (x86_flags.h).
 */
#ifndef DOPPEL_CPU_X86_X86_CPU_H
#define DOPPEL_CPU_X86_X86_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "cpu/tlb.h"

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS, X86_NB_SEGS };

/* EFLAGS bits (SDM Vol. 1 3.4.3) */
enum {
    X86_CF = 1u << 0, X86_PF = 1u << 2, X86_AF = 1u << 4, X86_ZF = 1u << 6,
    X86_SF = 1u << 7, X86_TF = 1u << 8, X86_IF = 1u << 9, X86_DF = 1u << 10,
    X86_OF = 1u << 11, X86_IOPL = 3u << 12, X86_NT = 1u << 14, X86_RF = 1u << 16,
    X86_VM = 1u << 17, X86_AC = 1u << 18, X86_VIF = 1u << 19, X86_VIP = 1u << 20,
    X86_ID = 1u << 21,
    X86_ARITH_FLAGS = X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF,
};

/* Exceptions (SDM Vol. 3A 6.3.1) */
enum {
    X86_EXCP_DE = 0, X86_EXCP_DB = 1, X86_EXCP_NMI = 2, X86_EXCP_BP = 3, X86_EXCP_OF = 4,
    X86_EXCP_BR = 5, X86_EXCP_UD = 6, X86_EXCP_NM = 7, X86_EXCP_DF = 8, X86_EXCP_TS = 10,
    X86_EXCP_NP = 11, X86_EXCP_SS = 12, X86_EXCP_GP = 13, X86_EXCP_PF = 14, X86_EXCP_MF = 16,
    X86_EXCP_AC = 17, X86_EXCP_MC = 18, X86_EXCP_XM = 19,
    X86_EXCP_SWINT = 0x100,        /* INT n: vector in exception_vector */
    X86_EXCP_HLT = 0x200,          /* HLT executed: halt */
};

/* How a software interrupt was raised (they differ in protected mode). */
enum { X86_SWINT_INTN, X86_SWINT_INT3, X86_SWINT_INTO, X86_SWINT_ICEBP };

/* A segment register with its hidden descriptor cache (SDM Vol. 3A 3.4.3). */
typedef struct X86Seg {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;                /* byte granular (G already applied) */
    uint32_t attr;                 /* descriptor bits 40..55 as attr >> 8: type, S, DPL, P, AVL, L, D/B, G */
} X86Seg;

enum {                             /* X86Seg.attr bits (descriptor high dword bits 8..23) */
    SEG_ATTR_TYPE_MASK = 0xf << 8, SEG_ATTR_S = 1u << 12, SEG_ATTR_DPL_SHIFT = 13,
    SEG_ATTR_P = 1u << 15, SEG_ATTR_L = 1u << 21, SEG_ATTR_DB = 1u << 22, SEG_ATTR_G = 1u << 23,
};

typedef struct X86Table { uint64_t base; uint32_t limit; } X86Table;

/* An x87 register: 80-bit extended precision (SDM Vol. 1 4.2.2), kept as
 * the explicit 64-bit significand and the sign + 15-bit exponent. */
typedef struct X86Float80 { uint64_t mant; uint16_t sign_exp; } X86Float80;

/* Where page walks last found page-table entries in RAM (x86_mmu.c). */
typedef struct X86PteRamCache {
    const uint8_t *host;     /* host address of start; NULL: nothing cached */
    uint64_t start, end;     /* guest-physical RAM range [start, end) */
    unsigned generation;     /* AddressSpace.generation it was found under */
} X86PteRamCache;

/* An XMM register, little-endian lanes. */
typedef union X86Xmm {
    uint8_t b[16];
    uint16_t w[8];
    uint32_t l[4];
    uint64_t q[2];
} X86Xmm;

/* hflags: the mode bits translation depends on = the TB flags. */
enum {
    HF_CPL_MASK = 3u,
    HF_PE = 1u << 2,               /* protected mode */
    HF_CS32 = 1u << 3,             /* default operand/address size 32 */
    HF_SS32 = 1u << 4,             /* stack is 32-bit */
    HF_LMA = 1u << 5,              /* long mode active */
    HF_CS64 = 1u << 6,             /* 64-bit code segment */
    HF_VM = 1u << 7,               /* virtual-8086 */
    HF_ADDSEG = 1u << 8,           /* DS/ES/SS may have a non-zero base: add it */
    HF_INHIBIT_IRQ = 1u << 9,      /* STI / MOV SS shadow */
    HF_TF = 1u << 10,
    HF_IOPL_SHIFT = 11, HF_IOPL_MASK = 3u << 11,
    HF_OSFXSR = 1u << 13,
    HF_EM = 1u << 14, HF_TS = 1u << 15, HF_MP = 1u << 16,
    HF_SMAP_AC = 1u << 17,
    /* Segment checks (x86_seglimit.c, SDM Vol. 3A 5.3): bit HF_SEGCHK_SHIFT + seg
     * says data accesses through segment seg (R_ES..R_GS) need a limit check
     * (never in 64-bit mode, nor for a flat 4 GiB read/write data segment);
     * HF_SEGCHK_SLOW says checked accesses go through the C check because a
     * checked segment is expand-down, unusable or not writable data. */
    HF_SEGCHK_SHIFT = 18, HF_SEGCHK_MASK = 0x3fu << 18,
    HF_SEGCHK_SLOW = 1u << 24,
};

/* MMU indexes (one TLB each). */
enum { X86_MMU_KERNEL = 0, X86_MMU_USER = 1, X86_MMU_PHYS = 2, X86_MMU_MODES = 3 };

typedef struct X86Cpu {
    CpuCommon common;

    uint64_t regs[16];
    uint64_t rip;
    uint64_t cc_dst, cc_src, cc_src2;
    uint32_t cc_op;                /* X86CcOp */
    int32_t df;                    /* +1 or -1 */
    uint64_t eflags;               /* all but the arithmetic flags (see above) */
    uint32_t hflags;

    X86Seg segs[X86_NB_SEGS];
    X86Seg ldt, tr;
    X86Table gdt, idt;
    uint64_t cr[5];
    uint64_t efer;
    uint64_t dr[8];
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t apic_base, pat, tsc_offset, misc_enable;
    uint64_t mtrr_def_type, mtrr_fixed[11], mtrr_var[16];
    bool a20_enabled;
    int exception_vector;          /* vector being raised (exception or INT n) */
    int error_code;
    bool has_error_code;
    uint64_t next_rip;             /* for INT n / syscall: address after the insn */
    int old_exception;             /* for #DF detection, -1 none */
    int swint_kind;                /* with X86_EXCP_SWINT: X86_SWINT_* */
    bool nmi_blocked;              /* NMI handler running (until IRET) */
    uint32_t cpuid_signature;      /* CPUID.1:EAX, also EDX at reset (SDM Vol. 3A 9.1.4) */
    /* system state (x86_seg.c, x86_mmu.c, x86_helper_system.c) */
    uint64_t cr8;                  /* task-priority register (no local APIC yet: stored only) */
    uint64_t tsc_aux;              /* IA32_TSC_AUX, read by RDTSCP */
    bool tlb_lp_valid;             /* large pages mapped since the last full flush: */
    uint64_t tlb_lp_addr, tlb_lp_mask;  /* one aligned range covering all of them (INVLPG) */

    /* Board hook for the maskable interrupt line: acknowledge and return the
     * vector (the PIC's INTA cycle), or -1 if nothing is pending after all. */
    int (*get_intr_vector)(void *opaque);
    void *intr_opaque;

    /* x87 FPU (SDM Vol. 1 ch. 8). ST(i) is fpregs[(fptop + i) & 7]; MMX
     * register i aliases fpregs[i].mant (SDM Vol. 1 9.5). */
    X86Float80 fpregs[8];
    uint16_t fpuc;                 /* control word */
    uint16_t fpus;                 /* status word without TOP (bits 11-13 kept in fptop) */
    uint8_t fptop;
    uint16_t fptags;               /* full tag word, 2 bits per physical register */
    uint16_t fpop;                 /* last non-control opcode (11 bits) */
    uint64_t fpip, fpdp;           /* last instruction / operand pointers */
    uint16_t fpcs, fpds;

    /* SSE (SDM Vol. 1 ch. 10-12). */
    X86Xmm xmm[16];
    uint32_t mxcsr;
    X86Xmm sse_tmp;                /* scratch: the memory operand of the SSE/MMX insn being run (sse_gen*.c) */

    CpuTlb tlb;

    /* Page walks (x86_mmu.c) read page-table entries straight from the RAM
     * range that held the previous one while the memory map is unchanged
     * (generation), skipping the address-space lookup per entry. */
    X86PteRamCache pte_ram;

    /* Board hook for the x87 FERR# output (SDM Vol. 1 8.7, "MS-DOS
     * compatibility"): with CR0.NE = 0 an unmasked x87 exception pending at
     * a waiting FPU instruction asserts FERR# (level 1; the PC routes it to
     * IRQ13 and asserts IGNNE# on a write to port F0h) instead of raising
     * #MF, and FNCLEX/FNINIT/FLDENV/FRSTOR clearing ES deassert it (0). The
     * CPU keeps executing as if IGNNE# were asserted. NULL: no board wiring.
     * Kept across reset (lives after tlb, outside the reset memset). */
    void (*ferr)(void *opaque, int level);
    void *ferr_opaque;
} X86Cpu;

static inline X86Cpu *x86_cpu(CpuCommon *c) { return (X86Cpu *)c; }

/* CR0 bits used by the basic CPU (SDM Vol. 3A 2.5). */
enum { X86_CR0_PE = 1u << 0, X86_CR0_MP = 1u << 1, X86_CR0_EM = 1u << 2, X86_CR0_TS = 1u << 3,
       X86_CR0_PG = 1u << 31 };
enum { X86_CR4_OSFXSR = 1u << 9 };
enum { X86_EFER_LME = 1u << 8, X86_EFER_LMA = 1u << 10 };

struct GuestArch;
/** The x86 guest for the engine (x86_cpu.c). */
extern const struct GuestArch x86_guest;

/** Recompute env->hflags from CR0, CR4, EFER, EFLAGS and the segment
 *  caches (CPL and HF_INHIBIT_IRQ are kept: CPL is set where CS is loaded
 *  in protected mode; real mode forces 0, v86 3). Call after changing any
 *  of them; hflags is the TB key, so translated code must end its block. */
void x86_update_hflags(X86Cpu *env);
/** Gate A20 (the board's port 92h / keyboard-controller output): with A20
 *  off, physical address bit 20 is forced to 0. Flushes the TLB. */
void x86_set_a20(X86Cpu *env, bool enabled);
/** Deliver interrupt/exception vector now (real mode through the IVT,
 *  otherwise x86_system.h): is_sw for INT n/INT3/INTO (returns to
 *  next_eip), else returns to env->rip. */
void x86_deliver_interrupt(X86Cpu *env, int vector, bool is_sw, int error_code, bool has_error_code,
                           uint64_t next_eip);

struct GuestArch;
/** The x86 guest (cpu/x86/x86_cpu.c). */
extern const struct GuestArch x86_guest;

#endif
