/*
 * C helpers of the x86 system instructions (Intel SDM Vol. 2 MOV CR/DR,
 * LMSW, CLTS, RDMSR/WRMSR, INVLPG, LLDT, LTR, LAR, LSL, VERR/VERW,
 * SYSCALL/SYSRET, SYSENTER/SYSEXIT, SWAPGS, RDTSCP; Vol. 3A 2.5 control
 * registers, 9.8.5 entering IA-32e mode; Vol. 4 for the MSRs).
 *
 * Privilege (CPL 0) is checked by the translator where it is known at
 * translation time; these helpers check what depends on run-time state.
 */
#include "cpu/x86/x86_helper_system.h"

#include "cpu/x86/x86_cpuid.h"
#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x86_mmu.h"
#include "cpu/x86/x86_seg.h"
#include "cpu/x86/x86_util.h"

#define GP0(ra) x86_seg_raise(env, X86_EXCP_GP, 0, (ra))

/* CR4 bits doppel implements (each needs its CPUID bit, x86_cpuid.c). */
#define CR4_VALID (X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PCE \
                   | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* ---- control registers ---- */

static void write_cr0(X86Cpu *env, uint64_t val, uintptr_t ra)
{
    if (val >> 32)
        GP0(ra);
    /* Reserved bits of CR0[31:0] are ignored; ET is hardwired to 1. */
    val &= X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM
           | X86_CR0_NW | X86_CR0_CD | X86_CR0_PG;
    val |= X86_CR0_ET;
    if ((val & X86_CR0_PG) && !(val & X86_CR0_PE))
        GP0(ra);
    if ((val & X86_CR0_NW) && !(val & X86_CR0_CD))
        GP0(ra);
    uint64_t old = env->cr[0];
    uint64_t efer = env->efer;
    if (!(old & X86_CR0_PG) && (val & X86_CR0_PG) && (efer & X86_EFER_LME)) {
        /* SDM Vol. 3A 9.8.5: paging on with LME = 1 activates IA-32e mode;
         * needs CR4.PAE and must not happen from a 64-bit CS. */
        if (!(env->cr[4] & X86_CR4_PAE) || (env->segs[R_CS].attr & SEG_ATTR_L))
            GP0(ra);
        efer |= X86_EFER_LMA;
    }
    if ((old & X86_CR0_PG) && !(val & X86_CR0_PG) && (efer & X86_EFER_LMA)) {
        if (env->hflags & HF_CS64)            /* leave long mode from compatibility mode only */
            GP0(ra);
        efer &= ~(uint64_t)X86_EFER_LMA;
    }
    env->cr[0] = val;
    env->efer = efer;
    if ((old ^ val) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
        x86_mmu_flush(env);
    x86_update_hflags(env);
}

static void write_cr4(X86Cpu *env, uint64_t val, uintptr_t ra)
{
    if (val & ~(uint64_t)CR4_VALID)
        GP0(ra);
    if ((env->efer & X86_EFER_LMA) && !(val & X86_CR4_PAE))
        GP0(ra);
    uint64_t old = env->cr[4];
    env->cr[4] = val;
    if ((old ^ val) & (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE))
        x86_mmu_flush(env);
    x86_update_hflags(env);
}

void x86_write_cr(X86Cpu *env, int n, uint64_t val, uintptr_t ra)
{
    switch (n) {
    case 0:
        write_cr0(env, val, ra);
        break;
    case 2:
        env->cr[2] = val;
        break;
    case 3:
        if ((env->efer & X86_EFER_LMA) && (val >> 40))      /* above MAXPHYADDR */
            GP0(ra);
        env->cr[3] = (env->efer & X86_EFER_LMA) ? val : val & 0xffffffffu;
        x86_mmu_flush(env);
        break;
    case 4:
        write_cr4(env, val, ra);
        break;
    case 8:
        if (val & ~0xfull)
            GP0(ra);
        env->cr8 = val;
        break;
    default:
        x86_seg_raise(env, X86_EXCP_UD, -1, ra);
    }
}

void x86_helper_write_cr(X86Cpu *env, uint64_t n, uint64_t val)
{
    x86_write_cr(env, (int)n, val, CPU_GETPC());
}

uint64_t x86_helper_read_cr(X86Cpu *env, uint64_t n)
{
    switch (n) {
    case 0: case 2: case 3: case 4:
        return env->cr[n];
    case 8:
        return env->cr8;
    default:
        return 0;
    }
}

void x86_helper_lmsw(X86Cpu *env, uint64_t val)
{
    /* LMSW loads PE, MP, EM, TS; it can set PE but not clear it. */
    write_cr0(env, (env->cr[0] & ~0xeull) | (val & 0xf), CPU_GETPC());
}

void x86_helper_clts(X86Cpu *env)
{
    env->cr[0] &= ~(uint64_t)X86_CR0_TS;
    x86_update_hflags(env);
}

/* ---- debug registers: stored, breakpoints not implemented ---- */

static int dr_index(X86Cpu *env, uint64_t n, uintptr_t ra)
{
    if (n == 4 || n == 5) {
        if (env->cr[4] & X86_CR4_DE)
            x86_seg_raise(env, X86_EXCP_UD, -1, ra);
        return (int)n + 2;
    }
    if (n > 7)
        x86_seg_raise(env, X86_EXCP_UD, -1, ra);
    return (int)n;
}

void x86_helper_write_dr(X86Cpu *env, uint64_t n, uint64_t val)
{
    uintptr_t ra = CPU_GETPC();
    int i = dr_index(env, n, ra);
    if (i >= 6 && (val >> 32))
        GP0(ra);
    if (i == 6)
        val = (val & 0xe00f) | 0xffff0ff0u;
    else if (i == 7)
        val = (val & 0xffff2bffu) | 0x400;
    env->dr[i] = val;
}

uint64_t x86_helper_read_dr(X86Cpu *env, uint64_t n)
{
    return env->dr[dr_index(env, n, CPU_GETPC())];
}

/* ---- MSRs ---- */

static bool pat_valid(uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        unsigned t = (v >> (8 * i)) & 0xff;
        if (t == 2 || t == 3 || t > 7)
            return false;
    }
    return true;
}

/* Index of a fixed-range MTRR MSR in mtrr_fixed[], or -1. */
static int mtrr_fixed_index(uint32_t msr)
{
    if (msr == MSR_MTRR_FIX64K)
        return 0;
    if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000)
        return 1 + (int)(msr - MSR_MTRR_FIX16K_80000);
    if (msr >= MSR_MTRR_FIX4K_C0000 && msr < MSR_MTRR_FIX4K_C0000 + 8)
        return 3 + (int)(msr - MSR_MTRR_FIX4K_C0000);
    return -1;
}

bool x86_msr_read(X86Cpu *env, uint32_t msr, uint64_t *val)
{
    int fx = mtrr_fixed_index(msr);
    if (fx >= 0) {
        *val = env->mtrr_fixed[fx];
        return true;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 16) {
        *val = env->mtrr_var[msr - MSR_MTRR_PHYSBASE0];
        return true;
    }
    switch (msr) {
    case MSR_IA32_TSC: *val = x86_tsc_read(env); break;
    case MSR_IA32_APIC_BASE: *val = env->apic_base; break;
    case MSR_IA32_UCODE_REV: *val = 0; break;
    case MSR_IA32_PLATFORM_ID: *val = 0; break;       /* platform 0 (Linux's microcode loader reads it) */
    case MSR_MTRR_CAP: *val = 0x500 | 8; break;       /* WC, fixed ranges, 8 variable */
    case MSR_ARCH_CAPABILITIES: *val = x86_arch_capabilities(); break;   /* read-only: writes #GP */
    case MSR_SYSENTER_CS: *val = env->sysenter_cs; break;
    case MSR_SYSENTER_ESP: *val = env->sysenter_esp; break;
    case MSR_SYSENTER_EIP: *val = env->sysenter_eip; break;
    case MSR_MISC_ENABLE: *val = env->misc_enable | 1; break;   /* fast strings */
    case MSR_PAT: *val = env->pat; break;
    case MSR_MTRR_DEF_TYPE: *val = env->mtrr_def_type; break;
    case MSR_EFER: *val = env->efer; break;
    case MSR_STAR: *val = env->star; break;
    case MSR_LSTAR: *val = env->lstar; break;
    case MSR_CSTAR: *val = env->cstar; break;
    case MSR_FMASK: *val = env->fmask; break;
    case MSR_FS_BASE: *val = env->segs[R_FS].base; break;
    case MSR_GS_BASE: *val = env->segs[R_GS].base; break;
    case MSR_KERNEL_GS_BASE: *val = env->kernel_gs_base; break;
    case MSR_TSC_AUX: *val = env->tsc_aux; break;
    default: return false;
    }
    return true;
}

static bool write_efer(X86Cpu *env, uint64_t val)
{
    const uint64_t writable = X86_EFER_SCE | X86_EFER_LME | X86_EFER_NXE;
    if (val & ~(writable | X86_EFER_LMA))
        return false;
    /* LME may not change while paging is on (SDM Vol. 3A 9.8.5); LMA is
     * read-only (writes are ignored). */
    if ((env->cr[0] & X86_CR0_PG) && ((val ^ env->efer) & X86_EFER_LME))
        return false;
    uint64_t old = env->efer;
    env->efer = (val & writable) | (old & X86_EFER_LMA);
    if ((old ^ env->efer) & X86_EFER_NXE)
        x86_mmu_flush(env);
    x86_update_hflags(env);
    return true;
}

bool x86_msr_write(X86Cpu *env, uint32_t msr, uint64_t val)
{
    int fx = mtrr_fixed_index(msr);
    if (fx >= 0) {
        env->mtrr_fixed[fx] = val;
        return true;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 16) {
        if (val >> 40)
            return false;
        env->mtrr_var[msr - MSR_MTRR_PHYSBASE0] = val;
        return true;
    }
    switch (msr) {
    case MSR_IA32_TSC:
        env->tsc_offset += val - x86_tsc_read(env);
        return true;
    case MSR_IA32_APIC_BASE:
        /* BSP (bit 8) is read-only; base, x2APIC (bit 10, unsupported) and
         * enable (bit 11) are stored though no local APIC exists yet. */
        if (val & ~(0xfffffff000ull | 0x900))
            return false;
        env->apic_base = (val & (0xfffffff000ull | 0x800)) | (env->apic_base & 0x100);
        return true;
    case MSR_IA32_UCODE_REV:
        return true;
    case MSR_SYSENTER_CS: env->sysenter_cs = val & 0xffff; return true;
    case MSR_SYSENTER_ESP:
    case MSR_SYSENTER_EIP:
        if (!canonical(val))
            return false;
        if (msr == MSR_SYSENTER_ESP)
            env->sysenter_esp = val;
        else
            env->sysenter_eip = val;
        return true;
    case MSR_MISC_ENABLE: env->misc_enable = val; return true;
    case MSR_PAT:
        if (!pat_valid(val))
            return false;
        env->pat = val;
        return true;
    case MSR_MTRR_DEF_TYPE:
        if (val & ~0xcffull)
            return false;
        env->mtrr_def_type = val;
        return true;
    case MSR_EFER: return write_efer(env, val);
    case MSR_STAR: env->star = val; return true;
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_KERNEL_GS_BASE:
        if (!canonical(val))
            return false;
        if (msr == MSR_LSTAR) env->lstar = val;
        else if (msr == MSR_CSTAR) env->cstar = val;
        else if (msr == MSR_FS_BASE) env->segs[R_FS].base = val;
        else if (msr == MSR_GS_BASE) env->segs[R_GS].base = val;
        else env->kernel_gs_base = val;
        return true;
    case MSR_FMASK: env->fmask = val & 0xffffffffu; return true;
    case MSR_TSC_AUX:
        if (val >> 32)
            return false;
        env->tsc_aux = val;
        return true;
    default:
        return false;
    }
}

void x86_helper_rdmsr(X86Cpu *env)
{
    uint64_t v;
    uint32_t msr = (uint32_t)env->regs[R_ECX];
    if (!x86_msr_read(env, msr, &v)) {
        log_printf(env->common.log, LOG_unimp | LOG_guest_errors, "x86: rdmsr 0x%x: #GP\n", msr);
        GP0(CPU_GETPC());
    }
    env->regs[R_EAX] = (uint32_t)v;
    env->regs[R_EDX] = v >> 32;
}

void x86_helper_wrmsr(X86Cpu *env)
{
    uint32_t msr = (uint32_t)env->regs[R_ECX];
    uint64_t v = (env->regs[R_EAX] & 0xffffffffu) | (env->regs[R_EDX] << 32);
    if (!x86_msr_write(env, msr, v)) {
        log_printf(env->common.log, LOG_unimp | LOG_guest_errors, "x86: wrmsr 0x%x <- 0x%llx: #GP\n", msr,
                   (unsigned long long)v);
        GP0(CPU_GETPC());
    }
}

/* ---- TLB and descriptor tables ---- */

void x86_helper_invlpg(X86Cpu *env, uint64_t addr)
{
    x86_mmu_invlpg(env, addr);
}

void x86_helper_lldt(X86Cpu *env, uint64_t sel)
{
    x86_load_ldt(env, (uint16_t)sel, CPU_GETPC());
}

void x86_helper_ltr(X86Cpu *env, uint64_t sel)
{
    x86_load_tr(env, (uint16_t)sel, CPU_GETPC());
}

static void set_zf(X86Cpu *env, bool zf)
{
    x86_set_eflags(env, zf ? X86_ZF : 0, X86_ZF);
}

/* Descriptor visible to LAR/LSL/VERR/VERW at the current CPL (SDM LAR). */
static bool visible_desc(X86Cpu *env, uint16_t sel, uint32_t *lo, uint32_t *hi, uintptr_t ra)
{
    if ((sel & 0xfffc) == 0 || !x86_read_desc(env, sel, lo, hi, ra))
        return false;
    if (x86_desc_conforming(*hi))
        return true;
    int dpl = x86_desc_dpl(*hi);
    return dpl >= x86_cpl(env) && dpl >= (sel & 3);
}

uint64_t x86_helper_lar_lsl(X86Cpu *env, uint64_t sel64, uint64_t lsl)
{
    uintptr_t ra = CPU_GETPC();
    uint16_t sel = (uint16_t)sel64;
    uint32_t lo, hi;
    bool ok = visible_desc(env, sel, &lo, &hi, ra);
    if (ok && !x86_desc_s(hi)) {
        /* system types LAR/LSL accept (SDM LAR Table 3-55, LSL) */
        int t = x86_desc_type(hi);
        bool lma = env->hflags & HF_LMA;
        bool tss_ldt = t == X86_DESC_LDT || t == X86_DESC_TSS32_AVAIL || t == X86_DESC_TSS32_BUSY
                       || (!lma && (t == X86_DESC_TSS16_AVAIL || t == X86_DESC_TSS16_BUSY));
        bool gate = !lsl && (t == X86_DESC_CALL32 || (!lma && (t == X86_DESC_CALL16 || t == X86_DESC_TASK_GATE)));
        ok = tss_ldt || gate;
    }
    set_zf(env, ok);
    if (!ok)
        return ~0ull;
    if (lsl) {
        X86Seg tmp;
        x86_seg_cache_from_desc(&tmp, sel, lo, hi);
        return tmp.limit;
    }
    return hi & 0x00f0ff00u;
}

void x86_helper_verr_verw(X86Cpu *env, uint64_t sel, uint64_t write)
{
    uint32_t lo, hi;
    bool ok = visible_desc(env, (uint16_t)sel, &lo, &hi, CPU_GETPC()) && x86_desc_s(hi);
    if (ok) {
        int t = x86_desc_type(hi);
        ok = write ? (t & 0xa) == 0x2 : (!(t & 8) || (t & 2));
    }
    set_zf(env, ok);
}

/* ---- fast system calls ---- */

/* A flat segment cache with the given type and DPL (SYSCALL/SYSENTER load
 * CS and SS this way, without reading the GDT). */
static void set_flat(X86Seg *s, uint16_t sel, int type, int dpl, bool l, bool db)
{
    s->selector = sel;
    s->base = 0;
    s->limit = 0xffffffffu;
    s->attr = SEG_ATTR_P | SEG_ATTR_S | SEG_ATTR_G | (uint32_t)type << 8 | (uint32_t)dpl << SEG_ATTR_DPL_SHIFT
              | (l ? SEG_ATTR_L : 0) | (db ? SEG_ATTR_DB : 0);
}

void x86_helper_syscall(X86Cpu *env, uint64_t next_eip)
{
    /* Intel: #UD outside 64-bit mode or with EFER.SCE = 0 (SDM SYSCALL). */
    if (!(env->efer & X86_EFER_SCE) || !(env->hflags & HF_CS64))
        x86_seg_raise(env, X86_EXCP_UD, -1, CPU_GETPC());
    uint16_t sel = (uint16_t)(env->star >> 32);
    env->regs[R_ECX] = next_eip;
    env->regs[R_R11] = x86_get_eflags(env) & ~(uint64_t)X86_RF;
    set_flat(&env->segs[R_CS], sel & 0xfffc, 0xb, 0, true, false);
    set_flat(&env->segs[R_SS], (uint16_t)(sel + 8), 0x3, 0, false, true);
    x86_set_eflags(env, 0, env->fmask | X86_RF);
    x86_set_cpl(env, 0);
    env->rip = env->lstar;
    x86_update_hflags(env);
}

void x86_helper_sysret(X86Cpu *env, uint64_t opsize)
{
    uintptr_t ra = CPU_GETPC();
    if (!(env->efer & X86_EFER_SCE) || !(env->hflags & HF_CS64))
        x86_seg_raise(env, X86_EXCP_UD, -1, ra);
    if (x86_cpl(env) != 0)
        GP0(ra);
    uint16_t sel = (uint16_t)(env->star >> 48);
    uint64_t rip = env->regs[R_ECX];
    if (opsize == 8) {
        if (!canonical(rip))
            GP0(ra);
        set_flat(&env->segs[R_CS], (uint16_t)((sel + 16) | 3), 0xb, 3, true, false);
    } else {
        rip &= 0xffffffffu;
        set_flat(&env->segs[R_CS], sel | 3, 0xb, 3, false, true);
    }
    set_flat(&env->segs[R_SS], (uint16_t)((sel + 8) | 3), 0x3, 3, false, true);
    x86_set_eflags(env, (env->regs[R_R11] & 0x3c7fd7u) | 2, 0x3fffffu);
    x86_set_cpl(env, 3);
    env->rip = rip;
    x86_update_hflags(env);
}

void x86_helper_sysenter(X86Cpu *env)
{
    if (!(env->cr[0] & X86_CR0_PE) || (env->sysenter_cs & 0xfffc) == 0)
        GP0(CPU_GETPC());
    bool lma = env->efer & X86_EFER_LMA;
    uint16_t cs = (uint16_t)(env->sysenter_cs & 0xfffc);
    x86_set_eflags(env, 0, X86_VM | X86_IF | X86_RF);
    set_flat(&env->segs[R_CS], cs, 0xb, 0, lma, !lma);
    set_flat(&env->segs[R_SS], (uint16_t)(cs + 8), 0x3, 0, false, true);
    x86_set_cpl(env, 0);
    env->regs[R_ESP] = lma ? env->sysenter_esp : env->sysenter_esp & 0xffffffffu;
    env->rip = lma ? env->sysenter_eip : env->sysenter_eip & 0xffffffffu;
    x86_update_hflags(env);
}

void x86_helper_sysexit(X86Cpu *env, uint64_t opsize)
{
    if (!(env->cr[0] & X86_CR0_PE) || x86_cpl(env) != 0 || (env->sysenter_cs & 0xfffc) == 0)
        GP0(CPU_GETPC());
    uint16_t base = (uint16_t)env->sysenter_cs;
    if (opsize == 8) {
        set_flat(&env->segs[R_CS], (uint16_t)((base + 32) | 3), 0xb, 3, true, false);
        set_flat(&env->segs[R_SS], (uint16_t)((base + 40) | 3), 0x3, 3, false, true);
        env->regs[R_ESP] = env->regs[R_ECX];
        env->rip = env->regs[R_EDX];
    } else {
        set_flat(&env->segs[R_CS], (uint16_t)((base + 16) | 3), 0xb, 3, false, true);
        set_flat(&env->segs[R_SS], (uint16_t)((base + 24) | 3), 0x3, 3, false, true);
        env->regs[R_ESP] = env->regs[R_ECX] & 0xffffffffu;
        env->rip = env->regs[R_EDX] & 0xffffffffu;
    }
    x86_set_cpl(env, 3);
    x86_update_hflags(env);
}

void x86_helper_swapgs(X86Cpu *env)
{
    uint64_t t = env->segs[R_GS].base;
    env->segs[R_GS].base = env->kernel_gs_base;
    env->kernel_gs_base = t;
}

void x86_helper_rdtscp(X86Cpu *env)
{
    if ((env->cr[4] & X86_CR4_TSD) && x86_cpl(env) != 0)
        GP0(CPU_GETPC());
    uint64_t t = x86_tsc_read(env);
    env->regs[R_EAX] = (uint32_t)t;
    env->regs[R_EDX] = t >> 32;
    env->regs[R_ECX] = env->tsc_aux & 0xffffffffu;
}

void x86_helper_check_io(X86Cpu *env, uint64_t port, uint64_t size)
{
    x86_check_io(env, (uint16_t)port, (int)size, CPU_GETPC());
}

/* ---- descriptors for the translator ---- */

#define RAISES IR_CALL_MAY_RAISE
const IrHelper x86_helper_write_cr_def = { "write_cr", (void *)x86_helper_write_cr, 3, false, IR_I64, RAISES };
const IrHelper x86_helper_read_cr_def = {
    "read_cr", (void *)x86_helper_read_cr, 2, true, IR_I64, IR_CALL_NO_WRITE_GLOBALS };
const IrHelper x86_helper_write_dr_def = { "write_dr", (void *)x86_helper_write_dr, 3, false, IR_I64, RAISES };
const IrHelper x86_helper_read_dr_def = { "read_dr", (void *)x86_helper_read_dr, 2, true, IR_I64, RAISES };
const IrHelper x86_helper_lmsw_def = { "lmsw", (void *)x86_helper_lmsw, 2, false, IR_I64, RAISES };
const IrHelper x86_helper_clts_def = { "clts", (void *)x86_helper_clts, 1, false, IR_I64, 0 };
const IrHelper x86_helper_rdmsr_def = { "rdmsr", (void *)x86_helper_rdmsr, 1, false, IR_I64, RAISES };
const IrHelper x86_helper_wrmsr_def = { "wrmsr", (void *)x86_helper_wrmsr, 1, false, IR_I64, RAISES };
const IrHelper x86_helper_invlpg_def = { "invlpg", (void *)x86_helper_invlpg, 2, false, IR_I64, 0 };
const IrHelper x86_helper_lldt_def = { "lldt", (void *)x86_helper_lldt, 2, false, IR_I64, RAISES };
const IrHelper x86_helper_ltr_def = { "ltr", (void *)x86_helper_ltr, 2, false, IR_I64, RAISES };
const IrHelper x86_helper_lar_lsl_def = { "lar_lsl", (void *)x86_helper_lar_lsl, 3, true, IR_I64, RAISES };
const IrHelper x86_helper_verr_verw_def = { "verr_verw", (void *)x86_helper_verr_verw, 3, false, IR_I64, RAISES };
const IrHelper x86_helper_syscall_def = { "syscall", (void *)x86_helper_syscall, 2, false, IR_I64, RAISES };
const IrHelper x86_helper_sysret_def = { "sysret", (void *)x86_helper_sysret, 2, false, IR_I64, RAISES };
const IrHelper x86_helper_sysenter_def = { "sysenter", (void *)x86_helper_sysenter, 1, false, IR_I64, RAISES };
const IrHelper x86_helper_sysexit_def = { "sysexit", (void *)x86_helper_sysexit, 2, false, IR_I64, RAISES };
const IrHelper x86_helper_swapgs_def = { "swapgs", (void *)x86_helper_swapgs, 1, false, IR_I64, 0 };
const IrHelper x86_helper_rdtscp_def = { "rdtscp", (void *)x86_helper_rdtscp, 1, false, IR_I64, RAISES };
const IrHelper x86_helper_check_io_def = {
    "check_io", (void *)x86_helper_check_io, 3, false, IR_I64, RAISES | IR_CALL_NO_WRITE_GLOBALS };
