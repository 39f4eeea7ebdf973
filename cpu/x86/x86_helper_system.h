/*
 * C helpers of the x86 system instructions (x86_helper_system.c) and their
 * IrHelper descriptors for x86_gen_system.c: control and debug registers,
 * MSRs, descriptor-table registers, LAR/LSL/VERR/VERW, the fast system
 * calls, INVLPG and the I/O permission check. Helpers that may fault find
 * their guest instruction through CPU_GETPC().
 */
#ifndef DOPPEL_CPU_X86_X86_HELPER_SYSTEM_H
#define DOPPEL_CPU_X86_X86_HELPER_SYSTEM_H

#include <stdint.h>

#include "cpu/ir/ir.h"
#include "cpu/x86/x86_cpu.h"

/* Control register and EFER bits (SDM Vol. 3A 2.5, 2.2.1). */
enum {
    X86_CR0_ET = 1u << 4, X86_CR0_NE = 1u << 5, X86_CR0_WP = 1u << 16, X86_CR0_AM = 1u << 18,
    X86_CR0_NW = 1u << 29, X86_CR0_CD = 1u << 30,
    X86_CR4_TSD = 1u << 2, X86_CR4_DE = 1u << 3, X86_CR4_PSE = 1u << 4, X86_CR4_PAE = 1u << 5,
    X86_CR4_MCE = 1u << 6, X86_CR4_PGE = 1u << 7, X86_CR4_PCE = 1u << 8, X86_CR4_OSXMMEXCPT = 1u << 10,
    X86_EFER_SCE = 1u << 0, X86_EFER_NXE = 1u << 11,
};

/* MSR numbers (SDM Vol. 4 Table 2-2). */
enum {
    MSR_IA32_TSC = 0x10, MSR_IA32_PLATFORM_ID = 0x17, MSR_IA32_APIC_BASE = 0x1b, MSR_IA32_UCODE_REV = 0x8b, MSR_MTRR_CAP = 0xfe,
    MSR_ARCH_CAPABILITIES = 0x10a,
    MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176,
    MSR_MISC_ENABLE = 0x1a0, MSR_MTRR_PHYSBASE0 = 0x200, MSR_MTRR_FIX64K = 0x250,
    MSR_MTRR_FIX16K_80000 = 0x258, MSR_MTRR_FIX16K_A0000 = 0x259, MSR_MTRR_FIX4K_C0000 = 0x268,
    MSR_PAT = 0x277, MSR_MTRR_DEF_TYPE = 0x2ff,
    MSR_EFER = 0xc0000080u, MSR_STAR = 0xc0000081u, MSR_LSTAR = 0xc0000082u, MSR_CSTAR = 0xc0000083u,
    MSR_FMASK = 0xc0000084u, MSR_FS_BASE = 0xc0000100u, MSR_GS_BASE = 0xc0000101u,
    MSR_KERNEL_GS_BASE = 0xc0000102u, MSR_TSC_AUX = 0xc0000103u,
};

/** MOV to CRn (0, 2, 3, 4, 8) with the SDM's checks and mode switches:
 *  CR0.PG with EFER.LME sets EFER.LMA (SDM Vol. 3A 9.8.5). #GP via retaddr. */
void x86_write_cr(X86Cpu *env, int n, uint64_t val, uintptr_t retaddr);
/** RDMSR: false for an MSR doppel does not have. */
bool x86_msr_read(X86Cpu *env, uint32_t msr, uint64_t *val);
/** WRMSR: false for an unknown MSR or a reserved/invalid value (#GP(0)). */
bool x86_msr_write(X86Cpu *env, uint32_t msr, uint64_t val);

void x86_helper_write_cr(X86Cpu *env, uint64_t n, uint64_t val);
uint64_t x86_helper_read_cr(X86Cpu *env, uint64_t n);
void x86_helper_write_dr(X86Cpu *env, uint64_t n, uint64_t val);
uint64_t x86_helper_read_dr(X86Cpu *env, uint64_t n);
void x86_helper_lmsw(X86Cpu *env, uint64_t val);
void x86_helper_clts(X86Cpu *env);
void x86_helper_rdmsr(X86Cpu *env);
void x86_helper_wrmsr(X86Cpu *env);
void x86_helper_invlpg(X86Cpu *env, uint64_t addr);
void x86_helper_lldt(X86Cpu *env, uint64_t sel);
void x86_helper_ltr(X86Cpu *env, uint64_t sel);
/** LAR (lsl = 0) / LSL (1): the value, or ~0 if ZF is cleared. */
uint64_t x86_helper_lar_lsl(X86Cpu *env, uint64_t sel, uint64_t lsl);
/** VERR (write = 0) / VERW (1): sets ZF. */
void x86_helper_verr_verw(X86Cpu *env, uint64_t sel, uint64_t write);
void x86_helper_syscall(X86Cpu *env, uint64_t next_eip);
void x86_helper_sysret(X86Cpu *env, uint64_t opsize);
void x86_helper_sysenter(X86Cpu *env);
void x86_helper_sysexit(X86Cpu *env, uint64_t opsize);
void x86_helper_swapgs(X86Cpu *env);
void x86_helper_rdtscp(X86Cpu *env);
/** #GP(0) unless ports port..port+size-1 are allowed (TSS I/O bitmap). */
void x86_helper_check_io(X86Cpu *env, uint64_t port, uint64_t size);

extern const IrHelper x86_helper_write_cr_def, x86_helper_read_cr_def, x86_helper_write_dr_def,
    x86_helper_read_dr_def, x86_helper_lmsw_def, x86_helper_clts_def, x86_helper_rdmsr_def,
    x86_helper_wrmsr_def, x86_helper_invlpg_def, x86_helper_lldt_def, x86_helper_ltr_def,
    x86_helper_lar_lsl_def, x86_helper_verr_verw_def, x86_helper_syscall_def, x86_helper_sysret_def,
    x86_helper_sysenter_def, x86_helper_sysexit_def, x86_helper_swapgs_def, x86_helper_rdtscp_def,
    x86_helper_check_io_def;

#endif
