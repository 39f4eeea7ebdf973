/*
 * CPUID of the "doppel" CPU model and RDTSC (Intel SDM Vol. 2 CPUID, RDTSC;
 * Vol. 3B 17.17 time-stamp counter).
 *
 * Vendor: GenuineIntel, because the reset signature (X86Cpu.cpuid_signature,
 * family 6 model 6 stepping 3 by default) is an Intel family/model and
 * leaf conventions follow Intel: leaves above the maximum return the
 * highest basic leaf, the extended leaves carry only the Intel-defined bits.
 *
 * Feature bits are exactly what doppel executes. One line per advertised
 * bit and the reason it may be set (add a line when a feature lands):
 *
 *   leaf 1 EDX  0  FPU         x87 in software, 80-bit exact (x87_*.c)
 *   leaf 1 EDX  4  TSC         RDTSC (this file); CR4.TSD honoured
 *   leaf 1 EDX  8  CX8         CMPXCHG8B (x86_gen_atomic.c)
 *   leaf 1 EDX 15  CMOV        CMOVcc (translator core)
 *   leaf 1 ECX 13  CX16        CMPXCHG16B (x86_gen_atomic.c)
 *   leaf 1 ECX 23  POPCNT      POPCNT (x86_gen_arith.c)
 *   80000001 ECX 0  LAHF-SAHF  LAHF/SAHF valid in 64-bit mode (core decoder)
 *   80000001 EDX 29 LM         64-bit mode decode and translation
 *   leaf 1 EDX  2  DE          CR4.DE: DR4/DR5 raise #UD (x86_helper_system.c)
 *   leaf 1 EDX  3  PSE         4 MiB pages with CR4.PSE (x86_mmu.c)
 *   leaf 1 EDX  5  MSR         RDMSR/WRMSR (x86_helper_system.c)
 *   leaf 1 EDX  6  PAE         PAE and IA-32e paging (x86_mmu.c)
 *   leaf 1 EDX 11  SEP         SYSENTER/SYSEXIT (x86_helper_system.c)
 *   leaf 1 EDX 12  MTRR        MTRRcap/def/fixed/variable MSRs (stored; caching is not modelled)
 *   leaf 1 EDX 13  PGE         CR4.PGE accepted; global pages flushed on CR3 loads too (x86_mmu.c)
 *   leaf 1 EDX 16  PAT         IA32_PAT MSR (stored; memory types are not modelled)
 *   leaf 1 EDX 9   APIC        local APIC at 0xFEE00000 (devices/apic.c, wired by the PC board)
 *   80000001 EDX 11 SYSCALL    SYSCALL/SYSRET in 64-bit mode (x86_helper_system.c)
 *   80000001 EDX 20 NX         EFER.NXE and the XD bit (x86_mmu.c)
 *   80000001 EDX 27 RDTSCP     RDTSCP and IA32_TSC_AUX (x86_helper_system.c)
 *   leaf 1 EDX 19  CLFSH       CLFLUSH (sse_gen_ext.c: no caches, faults like a load); EBX[15:8] = 8 (64-byte lines)
 *   leaf 1 EDX 23  MMX         MMX on the x87 registers (sse_gen*.c, sse_helper.c)
 *   leaf 1 EDX 24  FXSR        FXSAVE/FXRSTOR and CR4.OSFXSR (sse_helper_state.c)
 *   leaf 1 EDX 25  SSE         SSE, MXCSR, LDMXCSR/STMXCSR, software float (sse_float.c)
 *   leaf 1 EDX 26  SSE2        SSE2 (sse_gen.c, sse_helper_fp.c)
 *   leaf 1 ECX  0  SSE3        SSE3 (sse_gen*.c; FISTTP in x87_gen.c)
 *   leaf 1 ECX  1  PCLMULQDQ   PCLMULQDQ (sse_helper.c)
 *   leaf 1 ECX  9  SSSE3       SSSE3, 0F 38 map (sse_gen_ext.c)
 *   leaf 1 ECX 19  SSE4_1      SSE4.1 (sse_gen_ext.c, sse_helper.c)
 *   leaf 1 ECX 20  SSE4_2      PCMPxSTRx, PCMPGTQ, CRC32 (sse_helper_str.c, sse_helper.c)
 *   leaf 7 EDX 29  ARCH_CAPABILITIES  IA32_ARCH_CAPABILITIES MSR (x86_arch_capabilities below)
 *
 * Not advertised (yet): PSE-36, 1 GiB pages. BMI1/ABM are not advertised, so F3 0F BC/BD
 * run as BSF/BSR (x86_gen_arith.c), as on CPUs without TZCNT/LZCNT.
 */
#include "cpu/x86/x86_cpuid.h"

#include <string.h>

#include "cpu/x86/x86_translate.h"
#include "cpu/x86/x86_util.h"
#include "machine/machine.h"

enum {
    CPUID_MAX_BASIC = 7,
    CPUID_MAX_EXT = 0x80000008u,
    /* leaf 1 */
    CPUID_EDX_FPU = 1u << 0, CPUID_EDX_TSC = 1u << 4, CPUID_EDX_CX8 = 1u << 8, CPUID_EDX_CMOV = 1u << 15,
    CPUID_ECX_CX16 = 1u << 13, CPUID_ECX_POPCNT = 1u << 23,
    /* 0x80000001 */
    CPUID_EXT_ECX_LAHF = 1u << 0, CPUID_EXT_EDX_LM = 1u << 29,
    /* system features (x86_seg.c, x86_mmu.c, x86_helper_system.c) */
    CPUID_EDX_DE = 1u << 2, CPUID_EDX_PSE = 1u << 3, CPUID_EDX_MSR = 1u << 5, CPUID_EDX_PAE = 1u << 6,
    CPUID_EDX_SEP = 1u << 11, CPUID_EDX_MTRR = 1u << 12, CPUID_EDX_PGE = 1u << 13, CPUID_EDX_PAT = 1u << 16,
    CPUID_EDX_APIC = 1u << 9,
    /* MMX/SSE (sse_*.c) */
    CPUID_EDX_CLFSH = 1u << 19, CPUID_EDX_MMX = 1u << 23, CPUID_EDX_FXSR = 1u << 24,
    CPUID_EDX_SSE = 1u << 25, CPUID_EDX_SSE2 = 1u << 26,
    CPUID_ECX_SSE3 = 1u << 0, CPUID_ECX_PCLMULQDQ = 1u << 1, CPUID_ECX_SSSE3 = 1u << 9,
    CPUID_ECX_SSE41 = 1u << 19, CPUID_ECX_SSE42 = 1u << 20,
    CPUID_EBX_CLFLUSH_64 = 8u << 8,
    CPUID_7_EDX_ARCH_CAPABILITIES = 1u << 29,
    CPUID_EXT_EDX_SYSCALL = 1u << 11, CPUID_EXT_EDX_NX = 1u << 20, CPUID_EXT_EDX_RDTSCP = 1u << 27,
    /* 0x80000008: MAXPHYADDR 40 bits, linear addresses 48 bits */
    CPUID_ADDR_SIZES = 40 | 48 << 8,
};

static const char cpuid_vendor[12] = "GenuineIntel";
static const char cpuid_brand[48] = "doppel virtual CPU";

static uint32_t le32(const char *p)
{
    return (uint32_t)(uint8_t)p[0] | (uint32_t)(uint8_t)p[1] << 8 | (uint32_t)(uint8_t)p[2] << 16
           | (uint32_t)(uint8_t)p[3] << 24;
}

/* IA32_ARCH_CAPABILITIES (SDM Vol. 4 table 2-2, MSR 10AH): doppel executes
 * nothing speculatively and has no fill/store buffers a guest could sample,
 * so it is immune to the speculative-execution and data-sampling attacks
 * these bits name. Guests then skip their mitigations (Linux: no page-table
 * isolation, which would flush the TLB on every system call, and no VERW
 * buffer clearing on return to user mode). */
uint64_t x86_arch_capabilities(void)
{
    enum {
        RDCL_NO = 1u << 0,          /* not affected by Meltdown (rogue data cache load) */
        SSB_NO = 1u << 4,           /* no speculative store bypass */
        MDS_NO = 1u << 5,           /* no microarchitectural data sampling */
        IF_PSCHANGE_MC_NO = 1u << 6, /* no machine check on page-size changes */
        TAA_NO = 1u << 8,           /* no TSX asynchronous abort (no TSX either) */
        SBDR_SSDP_NO = 1u << 13,    /* MMIO stale data: no shared-buffer leaks */
        FBSDP_NO = 1u << 14,
        PSDP_NO = 1u << 15,
        GDS_NO = 1u << 26,          /* no gather data sampling */
        RFDS_NO = 1u << 27,         /* no register file data sampling */
    };
    return RDCL_NO | SSB_NO | MDS_NO | IF_PSCHANGE_MC_NO | TAA_NO | SBDR_SSDP_NO | FBSDP_NO | PSDP_NO
           | GDS_NO | RFDS_NO;
}

void x86_cpuid(const X86Cpu *env, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    memset(out, 0, 4 * sizeof(out[0]));
    if (leaf >= 0x80000000u) {
        if (leaf > CPUID_MAX_EXT) {
            leaf = CPUID_MAX_BASIC;         /* Intel: out of range -> highest basic leaf */
        }
    } else if (leaf > CPUID_MAX_BASIC) {
        leaf = CPUID_MAX_BASIC;
    }
    switch (leaf) {
    case 0:
        out[0] = CPUID_MAX_BASIC;
        out[1] = le32(cpuid_vendor);        /* EBX "Genu" */
        out[3] = le32(cpuid_vendor + 4);    /* EDX "ineI" */
        out[2] = le32(cpuid_vendor + 8);    /* ECX "ntel" */
        break;
    case 1:
        out[0] = env->cpuid_signature;
        out[1] = 1u << 16 | CPUID_EBX_CLFLUSH_64;   /* one logical processor, APIC ID 0 */
        out[2] = CPUID_ECX_CX16 | CPUID_ECX_POPCNT
                 | CPUID_ECX_SSE3 | CPUID_ECX_PCLMULQDQ | CPUID_ECX_SSSE3 | CPUID_ECX_SSE41 | CPUID_ECX_SSE42;
        out[3] = CPUID_EDX_FPU | CPUID_EDX_TSC | CPUID_EDX_CX8 | CPUID_EDX_CMOV
                 | CPUID_EDX_DE | CPUID_EDX_PSE | CPUID_EDX_MSR | CPUID_EDX_PAE | CPUID_EDX_SEP
                 | CPUID_EDX_MTRR | CPUID_EDX_PGE | CPUID_EDX_PAT | CPUID_EDX_APIC
                 | CPUID_EDX_CLFSH | CPUID_EDX_MMX | CPUID_EDX_FXSR | CPUID_EDX_SSE | CPUID_EDX_SSE2;
        break;
    case 7:
        if (subleaf == 0) {                 /* max subleaf 0; no EBX/ECX features */
            out[3] = CPUID_7_EDX_ARCH_CAPABILITIES;
        }
        break;
    case 0x80000000u:
        out[0] = CPUID_MAX_EXT;
        break;
    case 0x80000001u:
        out[2] = CPUID_EXT_ECX_LAHF;
        out[3] = CPUID_EXT_EDX_LM | CPUID_EXT_EDX_SYSCALL | CPUID_EXT_EDX_NX | CPUID_EXT_EDX_RDTSCP;
        break;
    case 0x80000002u:
    case 0x80000003u:
    case 0x80000004u: {
        const char *p = cpuid_brand + 16 * (leaf - 0x80000002u);
        for (int i = 0; i < 4; i++) {
            out[i] = le32(p + 4 * i);
        }
        break;
    }
    case 0x80000008u:
        out[0] = CPUID_ADDR_SIZES;
        break;
    default:                                /* 2..6, 0x80000005..7: nothing to report */
        break;
    }
}

uint64_t x86_tsc_read(const X86Cpu *env)
{
    uint64_t t;
    if (env->common.machine) {
        t = (uint64_t)clock_now(&env->common.machine->clock);   /* 1 tick per ns */
    } else {
        t = (uint64_t)env->common.insns_executed;
    }
    return t + env->tsc_offset;
}

/* ---- helpers and translators ---- */

static void helper_cpuid(X86Cpu *env)
{
    uint32_t r[4];
    x86_cpuid(env, (uint32_t)env->regs[R_EAX], (uint32_t)env->regs[R_ECX], r);
    env->regs[R_EAX] = r[0];
    env->regs[R_EBX] = r[1];
    env->regs[R_ECX] = r[2];
    env->regs[R_EDX] = r[3];
}

static void helper_rdtsc(X86Cpu *env)
{
    /* SDM RDTSC: #GP(0) if CR4.TSD = 1 and CPL > 0 */
    if ((env->cr[4] & (1u << 2)) && (env->hflags & HF_CPL_MASK) != 0) {
        x86_helper_raise_exception_ra(env, X86_EXCP_GP, 0, CPU_GETPC());
    }
    uint64_t t = x86_tsc_read(env);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
}

static const IrHelper helper_cpuid_def = { "x86_cpuid", (void *)helper_cpuid, 1, false, IR_I64, 0 };
static const IrHelper helper_rdtsc_def = {
    "x86_rdtsc", (void *)helper_rdtsc, 1, false, IR_I64, IR_CALL_MAY_RAISE,
};

/* CPUID (0F A2) */
void x86_gen_cpuid(DisasX86 *s, X86Insn *in)
{
    (void)in;
    IrTempId env = x86_env(s);
    ir_call(s->ir, &helper_cpuid_def, -1, &env, 1);
}

/* RDTSC (0F 31) */
void x86_gen_rdtsc(DisasX86 *s, X86Insn *in)
{
    (void)in;
    IrTempId env = x86_env(s);
    x86_gen_sync_cc_op(s);                  /* it may raise */
    ir_call(s->ir, &helper_rdtsc_def, -1, &env, 1);
}
