/*
 * Hardware task switching (Intel SDM Vol. 3A 7.3, TSS layouts in 7.2.1
 * Figure 7-2 (32-bit) and 7.6 Figure 7-11 (16-bit)): JMP/CALL to a TSS or
 * task gate, interrupts through a task gate, IRET with NT = 1. Only legacy
 * protected mode has it; the callers refuse it in IA-32e mode.
 *
 * The checks up to the commit point raise in the old task; after the
 * state is saved and the new one loaded, a bad segment in the new TSS
 * raises #TS in the context of the new task, as on hardware.
 */
#include "cpu/x86/x86_seg.h"

#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x86_mmu.h"
#include "cpu/x86/x86_system.h"
#include "cpu/x86/x86_util.h"

#define KLD(a, n) x86_ld_mmu(env, (a), (n), X86_MMU_KERNEL, retaddr)
#define KST(a, n, v) x86_st_mmu(env, (a), (n), (v), X86_MMU_KERNEL, retaddr)

typedef struct TaskState {
    uint32_t cr3, eip, eflags, regs[8];
    uint16_t segs[X86_NB_SEGS], ldt;
} TaskState;

static void read_tss(X86Cpu *env, uint64_t base, bool is32, TaskState *ts, uintptr_t retaddr)
{
    if (is32) {
        ts->cr3 = (uint32_t)KLD(base + 28, 4);
        ts->eip = (uint32_t)KLD(base + 32, 4);
        ts->eflags = (uint32_t)KLD(base + 36, 4);
        for (int i = 0; i < 8; i++)
            ts->regs[i] = (uint32_t)KLD(base + 40 + 4 * (uint64_t)i, 4);
        for (int i = 0; i < X86_NB_SEGS; i++)
            ts->segs[i] = (uint16_t)KLD(base + 72 + 4 * (uint64_t)i, 2);
        ts->ldt = (uint16_t)KLD(base + 96, 2);
    } else {
        ts->cr3 = 0;
        ts->eip = (uint32_t)KLD(base + 14, 2);
        ts->eflags = (uint32_t)KLD(base + 16, 2);
        for (int i = 0; i < 8; i++)
            ts->regs[i] = (uint32_t)KLD(base + 18 + 2 * (uint64_t)i, 2) | 0xffff0000u;
        for (int i = 0; i < 4; i++)              /* ES, CS, SS, DS */
            ts->segs[i] = (uint16_t)KLD(base + 34 + 2 * (uint64_t)i, 2);
        ts->segs[R_FS] = ts->segs[R_GS] = 0;
        ts->ldt = (uint16_t)KLD(base + 42, 2);
    }
}

static void save_tss(X86Cpu *env, uint64_t base, bool is32, uint32_t eip, uint32_t eflags, uintptr_t retaddr)
{
    if (is32) {
        KST(base + 32, 4, eip);
        KST(base + 36, 4, eflags);
        for (int i = 0; i < 8; i++)
            KST(base + 40 + 4 * (uint64_t)i, 4, env->regs[i]);
        for (int i = 0; i < X86_NB_SEGS; i++)
            KST(base + 72 + 4 * (uint64_t)i, 2, env->segs[i].selector);
    } else {
        KST(base + 14, 2, eip);
        KST(base + 16, 2, eflags);
        for (int i = 0; i < 8; i++)
            KST(base + 18 + 2 * (uint64_t)i, 2, env->regs[i]);
        for (int i = 0; i < 4; i++)
            KST(base + 34 + 2 * (uint64_t)i, 2, env->segs[i].selector);
    }
}

static void set_busy(X86Cpu *env, uint16_t sel, bool busy, uintptr_t retaddr)
{
    uint64_t a = x86_desc_addr(env, sel) + 4;
    uint32_t hi = (uint32_t)KLD(a, 4);
    hi = busy ? hi | (2u << 8) : hi & ~(2u << 8);
    KST(a, 4, hi);
}

/* Load a segment register of the new task (SDM Vol. 3A 7.3 step 13): a
 * bad selector is #TS(selector). */
static void load_task_seg(X86Cpu *env, int seg, uint16_t sel, uintptr_t retaddr)
{
    uint32_t lo, hi;
    int cpl = x86_cpl(env);
    if ((sel & 0xfffc) == 0) {
        if (seg == R_SS || seg == R_CS)
            x86_seg_raise(env, X86_EXCP_TS, 0, retaddr);
        x86_load_null_seg(env, seg, sel);
        return;
    }
    if (!x86_read_desc(env, sel, &lo, &hi, retaddr) || !x86_desc_s(hi))
        x86_seg_raise(env, X86_EXCP_TS, sel & 0xfffc, retaddr);
    int dpl = x86_desc_dpl(hi), type = x86_desc_type(hi);
    bool bad;
    if (seg == R_CS)
        bad = !x86_desc_is_code(hi) || (x86_desc_conforming(hi) ? dpl > cpl : dpl != cpl);
    else if (seg == R_SS)
        bad = (type & 0xa) != 0x2 || dpl != cpl || (sel & 3) != cpl;
    else
        bad = (type & 0xa) == 0x8 || (!x86_desc_conforming(hi) && ((sel & 3) > dpl || cpl > dpl));
    if (bad)
        x86_seg_raise(env, X86_EXCP_TS, sel & 0xfffc, retaddr);
    if (!x86_desc_p(hi))
        x86_seg_raise(env, seg == R_SS ? X86_EXCP_SS : X86_EXCP_NP, sel & 0xfffc, retaddr);
    x86_seg_cache_from_desc(&env->segs[seg], sel, lo, hi | (1u << 8));
}

void x86_task_switch(X86Cpu *env, uint16_t tss_sel, uint32_t lo, uint32_t hi, int source, uint64_t next_eip,
                     uintptr_t retaddr)
{
    /* A task gate names the TSS. */
    if (x86_desc_type(hi) == X86_DESC_TASK_GATE) {
        tss_sel = (uint16_t)(lo >> 16);
        if ((tss_sel & 4) || !x86_read_desc(env, tss_sel, &lo, &hi, retaddr))
            x86_seg_raise(env, X86_EXCP_GP, tss_sel & 0xfffc, retaddr);
        int t = x86_desc_type(hi);
        if (x86_desc_s(hi) || (t != X86_DESC_TSS32_AVAIL && t != X86_DESC_TSS16_AVAIL))
            x86_seg_raise(env, X86_EXCP_GP, tss_sel & 0xfffc, retaddr);
        if (!x86_desc_p(hi))
            x86_seg_raise(env, X86_EXCP_NP, tss_sel & 0xfffc, retaddr);
    }
    X86Seg ntss;
    x86_seg_cache_from_desc(&ntss, tss_sel, lo, hi);
    bool new32 = x86_desc_type(hi) & 8;
    if (ntss.limit < (new32 ? 103u : 43u))
        x86_seg_raise(env, X86_EXCP_TS, tss_sel & 0xfffc, retaddr);
    bool old32 = (env->tr.attr >> 8) & 8;
    if (!(env->tr.attr & SEG_ATTR_P) || env->tr.limit < (old32 ? 103u : 43u))
        x86_seg_raise(env, X86_EXCP_TS, env->tr.selector & 0xfffc, retaddr);

    TaskState ts;
    read_tss(env, ntss.base, new32, &ts, retaddr);
    uint32_t old_flags = (uint32_t)x86_get_eflags(env);
    if (source == X86_TASK_IRET)
        old_flags &= ~(uint32_t)X86_NT;
    /* Save the outgoing task, then the busy bits and the back link. */
    save_tss(env, env->tr.base, old32, (uint32_t)next_eip, old_flags, retaddr);
    if (source != X86_TASK_CALL)
        set_busy(env, env->tr.selector, false, retaddr);
    if (source == X86_TASK_CALL) {
        KST(ntss.base, 2, env->tr.selector);
        ts.eflags |= X86_NT;
    }
    if (source != X86_TASK_IRET)
        set_busy(env, tss_sel, true, retaddr);

    /* Commit point: from here on the new task's context. */
    retaddr = 0;                /* faults from here on are the new task's: no restore */
    env->tr = ntss;
    env->tr.attr |= 2u << 8;
    env->cr[0] |= X86_CR0_TS;
    if (new32 && (env->cr[0] & X86_CR0_PG)) {
        env->cr[3] = ts.cr3;
        x86_mmu_flush(env);
    }
    for (int i = 0; i < 8; i++)
        env->regs[i] = new32 ? ts.regs[i] : (env->regs[i] & ~0xffffull) | (ts.regs[i] & 0xffff);
    x86_set_eflags(env, ts.eflags, new32 ? 0x3f7fd5u | X86_VM | X86_IOPL | X86_IF : 0xffd5u);
    env->rip = ts.eip;
    x86_update_hflags(env);
    if (env->eflags & X86_VM) {
        for (int i = 0; i < X86_NB_SEGS; i++)
            x86_load_seg_real(env, i, ts.segs[i]);
        x86_update_hflags(env);
        return;
    }
    for (int i = 0; i < X86_NB_SEGS; i++)
        env->segs[i].selector = ts.segs[i];
    x86_set_cpl(env, ts.segs[R_CS] & 3);
    /* LDT first: the segment selectors may index it. */
    uint32_t llo, lhi;
    if ((ts.ldt & 0xfffc) != 0
        && (!x86_read_desc(env, ts.ldt & ~4, &llo, &lhi, retaddr) || x86_desc_s(lhi)
            || x86_desc_type(lhi) != X86_DESC_LDT || (ts.ldt & 4)))
        x86_seg_raise(env, X86_EXCP_TS, ts.ldt & 0xfffc, retaddr);
    x86_load_ldt(env, ts.ldt, retaddr);
    load_task_seg(env, R_CS, ts.segs[R_CS], retaddr);
    load_task_seg(env, R_SS, ts.segs[R_SS], retaddr);
    load_task_seg(env, R_ES, ts.segs[R_ES], retaddr);
    load_task_seg(env, R_DS, ts.segs[R_DS], retaddr);
    load_task_seg(env, R_FS, ts.segs[R_FS], retaddr);
    load_task_seg(env, R_GS, ts.segs[R_GS], retaddr);
    x86_update_hflags(env);
}
