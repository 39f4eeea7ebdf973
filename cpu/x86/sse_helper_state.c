/*
 * SSE/MMX state instructions: FXSAVE/FXRSTOR (SDM Vol. 2 FXSAVE, FXRSTOR;
 * image layout Vol. 1 10.5.1 Table 10-2/10-3), LDMXCSR, and the x87 -> MMX
 * transition every MMX instruction makes (Vol. 1 9.5.1).
 *
 * The image is assembled in a local buffer and written, or read whole and
 * checked, before any state changes, so a page fault or a #GP for a bad
 * MXCSR leaves the CPU as it was.
 */
#include <string.h>

#include "cpu/x86/sse_float.h"
#include "cpu/x86/sse_helper.h"
#include "cpu/x86/x86_util.h"

enum { FSW_ES = 1u << 7, CR0_NE = 1u << 5 };

static void put16(uint8_t *p, uint64_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint64_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, v); put32(p + 4, v >> 32); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* The x87 part: FCW, FSW, abridged FTW (bit i = physical register i not
 * empty), FOP, the pointers, and ST0..ST7 in stack order. */
void sse_fxsave_x87(const X86Cpu *env, uint8_t *area, bool rex_w)
{
    put16(area + 0, env->fpuc);
    put16(area + 2, (env->fpus & ~0x3800u) | (uint16_t)((env->fptop & 7) << 11));
    uint8_t ftw = 0;
    for (int i = 0; i < 8; i++)
        if (((env->fptags >> (2 * i)) & 3) != 3)
            ftw |= (uint8_t)(1u << i);
    area[4] = ftw;
    put16(area + 6, env->fpop & 0x7ff);
    if (rex_w) {
        put64(area + 8, env->fpip);
        put64(area + 16, env->fpdp);
    } else {
        put32(area + 8, env->fpip);
        put16(area + 12, env->fpcs);
        put32(area + 16, env->fpdp);
        put16(area + 20, env->fpds);
    }
    for (int i = 0; i < 8; i++) {
        const X86Float80 *r = &env->fpregs[(env->fptop + i) & 7];
        put64(area + 32 + 16 * i, r->mant);
        put16(area + 40 + 16 * i, r->sign_exp);
    }
}

/* Tag of a register that is not empty (SDM Vol. 1 8.1.7): valid 00,
 * zero 01, special 10 (NaN, infinity, denormal, unsupported). */
static unsigned classify_tag(const X86Float80 *r)
{
    unsigned e = r->sign_exp & 0x7fff;
    if (e == 0x7fff)
        return 2;
    if (e == 0)
        return r->mant ? 2 : 1;
    return (r->mant >> 63) ? 0 : 2;
}

void sse_fxrstor_x87(X86Cpu *env, const uint8_t *area, bool rex_w)
{
    uint16_t fsw = get16(area + 2);
    env->fpuc = get16(area + 0);
    env->fptop = (fsw >> 11) & 7;
    env->fpus = fsw & ~0x3800u;
    env->fpop = get16(area + 6) & 0x7ff;
    if (rex_w) {
        env->fpip = get64(area + 8);
        env->fpdp = get64(area + 16);
        env->fpcs = env->fpds = 0;
    } else {
        env->fpip = get32(area + 8);
        env->fpcs = get16(area + 12);
        env->fpdp = get32(area + 16);
        env->fpds = get16(area + 20);
    }
    for (int i = 0; i < 8; i++) {
        X86Float80 *r = &env->fpregs[(env->fptop + i) & 7];
        r->mant = get64(area + 32 + 16 * i);
        r->sign_exp = get16(area + 40 + 16 * i);
    }
    uint16_t tags = 0;
    for (int i = 0; i < 8; i++) {
        unsigned t = ((area[4] >> i) & 1) ? classify_tag(&env->fpregs[i]) : 3;
        tags |= (uint16_t)(t << (2 * i));
    }
    env->fptags = tags;
}

static uint64_t wrap(const X86Cpu *env, uint64_t addr)
{
    return (env->hflags & HF_CS64) ? addr : addr & 0xffffffffu;
}

static int nregs(const X86Cpu *env) { return (env->hflags & HF_CS64) ? 16 : 8; }

void sse_helper_fxsave(X86Cpu *env, uint64_t addr, uint64_t rex_w)
{
    uintptr_t ra = CPU_GETPC();
    if (addr & 15)
        x86_helper_raise_exception_ra(env, X86_EXCP_GP, 0, ra);
    uint8_t area[512];
    memset(area, 0, sizeof(area));
    sse_fxsave_x87(env, area, rex_w != 0);
    put32(area + 24, env->mxcsr);
    put32(area + 28, MXCSR_WRITABLE);
    int n = nregs(env);
    for (int i = 0; i < n; i++) {
        put64(area + 160 + 16 * i, env->xmm[i].q[0]);
        put64(area + 168 + 16 * i, env->xmm[i].q[1]);
    }
    /* bytes 464-511 are left to software (SDM Table 10-2): not written;
     * registers beyond n are reserved here and not written either */
    uint32_t mo = ir_memop(3, false, false, (unsigned)x86_data_mmu_idx(env));
    int end = 160 + 16 * n;
    for (int off = 0; off < end; off += 8)
        cpu_st(&env->common, wrap(env, addr + (uint64_t)off), get64(area + off), mo, ra);
}

void sse_helper_fxrstor(X86Cpu *env, uint64_t addr, uint64_t rex_w)
{
    uintptr_t ra = CPU_GETPC();
    if (addr & 15)
        x86_helper_raise_exception_ra(env, X86_EXCP_GP, 0, ra);
    uint8_t area[512];
    uint32_t mo = ir_memop(3, false, false, (unsigned)x86_data_mmu_idx(env));
    int n = nregs(env);
    int end = 160 + 16 * n;
    for (int off = 0; off < end; off += 8)
        put64(area + off, cpu_ld(&env->common, wrap(env, addr + (uint64_t)off), mo, ra));
    uint32_t mxcsr = get32(area + 24);
    if (mxcsr & ~(uint32_t)MXCSR_WRITABLE)
        x86_helper_raise_exception_ra(env, X86_EXCP_GP, 0, ra);
    sse_fxrstor_x87(env, area, rex_w != 0);
    env->mxcsr = mxcsr;
    for (int i = 0; i < n; i++) {
        env->xmm[i].q[0] = get64(area + 160 + 16 * i);
        env->xmm[i].q[1] = get64(area + 168 + 16 * i);
    }
}

void sse_helper_ldmxcsr(X86Cpu *env, uint64_t val)
{
    if (val & ~(uint64_t)MXCSR_WRITABLE)
        x86_helper_raise_exception_ra(env, X86_EXCP_GP, 0, CPU_GETPC());
    env->mxcsr = (uint32_t)val;
}

void sse_helper_mmx_enter(X86Cpu *env)
{
    /* SDM Vol. 1 9.5.1 and the MMX exception tables (#MF): a pending unmasked x87 exception is
     * reported (#MF) before the MMX instruction runs. With CR0.NE = 0 the
     * x87 code signals FERR# itself, so nothing is raised here. */
    if ((env->fpus & FSW_ES) && (env->cr[0] & CR0_NE))
        x86_helper_raise_exception_ra(env, X86_EXCP_MF, -1, CPU_GETPC());
    env->fptop = 0;
    env->fptags = 0;
}

const IrHelper sse_helper_ldmxcsr_def = {
    "ldmxcsr", (void *)sse_helper_ldmxcsr, 2, false, IR_I64, IR_CALL_MAY_RAISE | IR_CALL_NO_WRITE_GLOBALS
};
const IrHelper sse_helper_mmx_enter_def = {
    "mmx_enter", (void *)sse_helper_mmx_enter, 1, false, IR_I64, IR_CALL_MAY_RAISE | IR_CALL_NO_WRITE_GLOBALS
};
const IrHelper sse_helper_fxsave_def = {
    "fxsave", (void *)sse_helper_fxsave, 3, false, IR_I64, IR_CALL_MAY_RAISE | IR_CALL_NO_WRITE_GLOBALS
};
const IrHelper sse_helper_fxrstor_def = {
    "fxrstor", (void *)sse_helper_fxrstor, 3, false, IR_I64, IR_CALL_MAY_RAISE | IR_CALL_NO_WRITE_GLOBALS
};
