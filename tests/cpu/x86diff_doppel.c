/*
 * x86diff doppel runner. A flat AddressSpace with one RAM page for data at
 * DIFF_DATA_BASE and one for code at DIFF_CODE_BASE; the sequence is
 * followed by HLT. The CPU is put in 64-bit mode the way the x86 unit
 * tests do it: CR0.PE, EFER.LME|LMA, a CS cache with L=1, flat data
 * segments, CPL 0, without CR0.PG (the x86 core then maps linear to
 * physical addresses, so no page tables are needed; SDM Vol. 3A 9.8.5
 * describes the architectural way in).
 *
 * The GuestArch is a copy of x86_guest whose do_interrupt records the
 * exception vector in env->exception_vector and halts the CPU instead of
 * delivering it, so a #DE or #UD ends the run with the state of the
 * faulting instruction, as a signal does natively.
 */
#include "tests/cpu/x86diff_doppel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine.h"
#include "cpu/guest.h"
#include "cpu/x86/x86_cpu.h"
#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x87_helper.h"
#include "machine/memory.h"

#define DOPPEL_CODE_CACHE (8u << 20)
#define RUN_BUDGET 10000

struct DoppelRunner {
    GuestArch arch;            /* x86_guest with do_interrupt replaced */
    AddressSpace as;
    Engine *e;
    CpuCommon *cpu;
};

/* Stop at the first exception instead of delivering it. */
static void diff_do_interrupt(CpuCommon *cpu)
{
    X86Cpu *env = x86_cpu(cpu);
    int excp = cpu->exception_index;
    cpu->exception_index = -1;
    if (excp == X86_EXCP_SWINT)
        excp = env->exception_vector;
    env->exception_vector = excp;
    cpu->halted = true;
}

static bool no_work(CpuCommon *cpu)
{
    (void)cpu;
    return false;
}

DoppelRunner *doppel_runner_create(const HostBackend *be)
{
    DoppelRunner *dr = calloc(1, sizeof(*dr));
    if (!dr)
        return NULL;
    dr->arch = x86_guest;
    dr->arch.do_interrupt = diff_do_interrupt;
    dr->arch.has_work = no_work;
    as_init(&dr->as, "x86diff", 0);
    if (!as_add_ram(&dr->as, "data", DIFF_DATA_BASE, DIFF_DATA_SIZE, NULL, 0)
        || !as_add_ram(&dr->as, "code", DIFF_CODE_BASE, 4096, NULL, 0)) {
        fprintf(stderr, "x86diff: cannot allocate guest RAM\n");
        doppel_runner_destroy(dr);
        return NULL;
    }
    dr->e = engine_create(&dr->arch, be, DOPPEL_CODE_CACHE, &dr->as, NULL);
    if (dr->e)
        dr->cpu = engine_cpu_create(dr->e, NULL, NULL);
    if (!dr->cpu) {
        fprintf(stderr, "x86diff: cannot create the %s engine\n", be ? be->name : "default");
        doppel_runner_destroy(dr);
        return NULL;
    }
    return dr;
}

void doppel_runner_destroy(DoppelRunner *dr)
{
    if (!dr)
        return;
    if (dr->cpu)
        engine_cpu_destroy(dr->cpu);
    if (dr->e)
        engine_destroy(dr->e);
    as_destroy(&dr->as);
    free(dr);
}

static void set_seg(X86Seg *s, uint16_t sel, uint32_t attr)
{
    s->selector = sel;
    s->base = 0;
    s->limit = 0xffffffffu;
    s->attr = attr;
}

/* 64-bit mode, CPL 0, flat segments (SDM Vol. 3A 3.4.5, 5.2.1). */
static void enter_long_mode(X86Cpu *env)
{
    const uint32_t code = SEG_ATTR_P | SEG_ATTR_S | (0xbu << 8) | SEG_ATTR_G | SEG_ATTR_L;
    const uint32_t data = SEG_ATTR_P | SEG_ATTR_S | (0x3u << 8) | SEG_ATTR_G | SEG_ATTR_DB;
    env->cr[0] |= X86_CR0_PE;
    env->cr[4] |= X86_CR4_OSFXSR | (1u << 10);   /* OSXMMEXCPT: SSE enabled, as Linux runs the native side */
    env->efer = X86_EFER_LME | X86_EFER_LMA;
    set_seg(&env->segs[R_CS], 0x08, code);
    for (int i = 0; i < X86_NB_SEGS; i++)
        if (i != R_CS)
            set_seg(&env->segs[i], 0x10, data);
    env->hflags &= ~(uint32_t)HF_CPL_MASK;
    x86_update_hflags(env);
}

void doppel_run(DoppelRunner *dr, const uint8_t *code, size_t len, const DiffState *init, DiffState *out)
{
    memset(out, 0, sizeof(*out));
    uint8_t page[4096];
    memset(page, 0xf4, sizeof(page));        /* HLT after the sequence (and everywhere else) */
    if (len > sizeof(page) - 1)
        len = sizeof(page) - 1;
    memcpy(page, code, len);

    engine_flush(dr->e);
    CpuCommon *cpu = dr->cpu;
    dr->arch.reset(cpu);
    as_rw(&dr->as, DIFF_CODE_BASE, page, sizeof(page), true);
    as_rw(&dr->as, DIFF_DATA_BASE, (void *)init->data, DIFF_DATA_SIZE, true);

    X86Cpu *env = x86_cpu(cpu);
    enter_long_mode(env);
    memcpy(env->regs, init->regs, sizeof(env->regs));
    env->rip = DIFF_CODE_BASE;
    x86_set_eflags(env, init->rflags, DF_COMPARED);
    env->exception_vector = -1;
    x87_fxrstor_state(env, init->fx);             /* FXRSTOR semantics: abridged tags expanded */
    memcpy(&env->mxcsr, init->fx + FX_MXCSR, 4);
    memcpy(env->xmm, init->fx + FX_XMM, sizeof(env->xmm));

    int64_t executed = 0;
    int rc = cpu_exec(cpu, RUN_BUDGET, &executed);

    memcpy(out->regs, env->regs, sizeof(out->regs));
    out->rflags = x86_get_eflags(env);
    out->rip = env->rip;
    as_rw(&dr->as, DIFF_DATA_BASE, out->data, DIFF_DATA_SIZE, false);
    x87_fxsave_state(env, out->fx);
    memcpy(out->fx + FX_MXCSR, &env->mxcsr, 4);
    memcpy(out->fx + FX_XMM, env->xmm, sizeof(env->xmm));
    if (rc != 1 || !cpu->halted) {
        out->exception = DIFF_EXC_TIMEOUT;
    } else if (env->exception_vector >= 0) {
        out->exception = env->exception_vector;
    } else {
        out->exception = DIFF_EXC_NONE;
        out->rip -= 1;    /* report the HLT's address (the end when it is ours), as natively */
    }
}
