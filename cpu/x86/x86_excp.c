/*
 * Exception and interrupt delivery in protected mode (Intel SDM Vol. 3A
 * 6.10-6.14: IDT gates, privilege change to the TSS stack, error codes,
 * interrupt vs trap gates, exits from virtual-8086 mode in 20.3.1) and in
 * IA-32e mode (6.14: 16-byte gates, IST stacks, 16-byte stack alignment),
 * plus the double-fault rules (6.15 Table 6-5) and triple fault.
 *
 * Faults during delivery (IDT/GDT reads, the pushes) are raised with
 * retaddr 0: the CPU state is still that of the interrupted instruction,
 * and nothing has been committed yet.
 */
#include "cpu/x86/x86_excp.h"

#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x86_seg.h"
#include "cpu/x86/x86_system.h"
#include "cpu/x86/x86_util.h"
#include "machine/machine.h"

#define RAISE(excp, ec) x86_seg_raise(env, (excp), (ec), 0)

/* ---- double and triple faults ---- */

enum { CLASS_BENIGN, CLASS_CONTRIBUTORY, CLASS_PF, CLASS_DF };

static int excp_class(int v)
{
    switch (v) {
    case X86_EXCP_DE: case X86_EXCP_TS: case X86_EXCP_NP: case X86_EXCP_SS: case X86_EXCP_GP:
        return CLASS_CONTRIBUTORY;
    case X86_EXCP_PF:
        return CLASS_PF;
    case X86_EXCP_DF:
        return CLASS_DF;
    default:
        return CLASS_BENIGN;
    }
}

_Noreturn void x86_excp_triple_fault(X86Cpu *env)
{
    log_printf(env->common.log, LOG_int | LOG_guest_errors, "x86: triple fault at %04x:%llx, shutdown\n",
               env->segs[R_CS].selector, (unsigned long long)env->rip);
    env->old_exception = -1;
    if (env->common.machine)
        machine_request_stop(env->common.machine, STOP_RESET, 0);
    /* Shutdown: only a reset (or INIT) leaves this state. */
    env->eflags &= ~(uint64_t)X86_IF;
    env->nmi_blocked = true;
    env->common.halted = true;
    env->common.exception_index = -1;
    cpu_loop_exit(&env->common);
}

int x86_excp_check_nested(X86Cpu *env, int vector, int *error_code, bool *has_error_code)
{
    int oc = env->old_exception >= 0 ? excp_class(env->old_exception) : CLASS_BENIGN;
    int nc = excp_class(vector);
    if (oc == CLASS_DF && (nc == CLASS_CONTRIBUTORY || nc == CLASS_PF))
        x86_excp_triple_fault(env);
    if ((oc == CLASS_CONTRIBUTORY && nc == CLASS_CONTRIBUTORY) || (oc == CLASS_PF && nc != CLASS_BENIGN)) {
        log_printf(env->common.log, LOG_int, "x86: vector %d while delivering %d: #DF\n", vector,
                   env->old_exception);
        vector = X86_EXCP_DF;
        *error_code = 0;
        *has_error_code = true;
    }
    env->old_exception = vector;
    return vector;
}

/* ---- the gate ---- */

typedef struct Gate {
    int type;                  /* 5, 6, 7, 14, 15 */
    uint16_t sel;
    uint64_t off;
    int ist;
    uint32_t clo, chi;         /* target code descriptor */
} Gate;

/* Flags an interrupt or trap gate clears (SDM Vol. 3A 6.12.1.3). */
static void clear_flags_on_entry(X86Cpu *env, int type)
{
    uint64_t clear = X86_TF | X86_VM | X86_RF | X86_NT;
    if (!(type & 1))
        clear |= X86_IF;
    x86_set_eflags(env, 0, clear);
}

/* Target code segment of an interrupt/trap gate (SDM Vol. 3A 6.12.1.1). */
static void check_gate_code(X86Cpu *env, Gate *g, int ext, bool need64)
{
    if ((g->sel & 0xfffc) == 0)
        RAISE(X86_EXCP_GP, ext);
    if (!x86_read_desc(env, g->sel, &g->clo, &g->chi, 0))
        RAISE(X86_EXCP_GP, (g->sel & 0xfffc) | ext);
    if (!x86_desc_is_code(g->chi) || x86_desc_dpl(g->chi) > x86_cpl(env)
        || (need64 && (!(g->chi & SEG_ATTR_L) || (g->chi & SEG_ATTR_DB))))
        RAISE(X86_EXCP_GP, (g->sel & 0xfffc) | ext);
    if (!x86_desc_p(g->chi))
        RAISE(X86_EXCP_NP, (g->sel & 0xfffc) | ext);
}

static void commit_cs(X86Cpu *env, const Gate *g, int cpl)
{
    x86_seg_cache_from_desc(&env->segs[R_CS], (uint16_t)((g->sel & 0xfffc) | cpl), g->clo, g->chi | (1u << 8));
    x86_set_cpl(env, cpl);
    env->rip = g->off;
}

/* Task gate in the IDT: switch tasks, then push the error code on the new
 * task's stack (SDM Vol. 3A 6.12.2). */
static void deliver_task_gate(X86Cpu *env, uint32_t lo, int ext, int ec, bool has_ec, uint64_t ret)
{
    uint16_t tss = (uint16_t)(lo >> 16);
    uint32_t tlo, thi;
    if ((tss & 4) || !x86_read_desc(env, tss, &tlo, &thi, 0))
        RAISE(X86_EXCP_GP, (tss & 0xfffc) | ext);
    int type = x86_desc_type(thi);
    if (x86_desc_s(thi) || (type != X86_DESC_TSS32_AVAIL && type != X86_DESC_TSS16_AVAIL))
        RAISE(X86_EXCP_GP, (tss & 0xfffc) | ext);
    if (!x86_desc_p(thi))
        RAISE(X86_EXCP_NP, (tss & 0xfffc) | ext);
    x86_task_switch(env, tss, tlo, thi, X86_TASK_CALL, ret, 0);
    if (has_ec) {
        X86Stack st;
        x86_stack_current(env, &st);
        x86_stk_push(env, &st, type == X86_DESC_TSS32_AVAIL ? 4 : 2, (uint64_t)ec, 0);
        x86_stk_commit(env, &st);
    }
}

/* 32-bit protected mode and virtual-8086 mode (SDM Vol. 3A 6.12.1, 20.3.1). */
static void deliver_pm(X86Cpu *env, int vector, bool is_sw, bool dpl_check, int ec, bool has_ec, uint64_t ret)
{
    int ext = is_sw ? 0 : 1, cpl = x86_cpl(env);
    int idt_ec = vector * 8 + 2 + ext;
    if ((uint64_t)vector * 8 + 7 > env->idt.limit)
        RAISE(X86_EXCP_GP, idt_ec);
    uint64_t a = env->idt.base + (uint64_t)vector * 8;
    uint32_t lo = (uint32_t)x86_ld_mmu(env, a, 4, X86_MMU_KERNEL, 0);
    uint32_t hi = (uint32_t)x86_ld_mmu(env, a + 4, 4, X86_MMU_KERNEL, 0);
    Gate g = { .type = (int)((hi >> 8) & 0x1f) };
    if (g.type != X86_DESC_TASK_GATE && g.type != X86_DESC_INT16 && g.type != X86_DESC_TRAP16
        && g.type != X86_DESC_INT32 && g.type != X86_DESC_TRAP32)
        RAISE(X86_EXCP_GP, idt_ec);
    if (dpl_check && x86_desc_dpl(hi) < cpl)
        RAISE(X86_EXCP_GP, vector * 8 + 2);
    if (!x86_desc_p(hi))
        RAISE(X86_EXCP_NP, idt_ec);
    if (g.type == X86_DESC_TASK_GATE) {
        deliver_task_gate(env, lo, ext, ec, has_ec, ret);
        return;
    }
    bool gate32 = g.type & 8;
    g.sel = (uint16_t)(lo >> 16);
    g.off = (lo & 0xffff) | (gate32 ? (hi & 0xffff0000u) : 0);
    check_gate_code(env, &g, ext, false);

    bool vm86 = env->hflags & HF_VM;
    bool inner = !x86_desc_conforming(g.chi) && x86_desc_dpl(g.chi) < cpl;
    int new_cpl = cpl;
    X86Stack st;
    X86Seg new_ss = env->segs[R_SS];
    uint32_t slo = 0, shi = 0;
    uint16_t ss = 0;
    if (inner) {
        new_cpl = x86_desc_dpl(g.chi);
        uint64_t sp;
        x86_tss_stack(env, new_cpl, &ss, &sp, ext, 0);
        x86_check_new_ss(env, ss, new_cpl, &slo, &shi, ext, 0);
        x86_seg_cache_from_desc(&new_ss, ss, slo, shi | (1u << 8));
        x86_stack_of(&st, &new_ss, sp, false, new_cpl);
    } else if (vm86) {
        RAISE(X86_EXCP_GP, (g.sel & 0xfffc) | ext);
    } else {
        x86_stack_current(env, &st);
    }
    if (vm86 && new_cpl != 0)
        RAISE(X86_EXCP_GP, (g.sel & 0xfffc) | ext);

    int sz = gate32 ? 4 : 2;
    uint64_t fl = x86_get_eflags(env);
    if (inner) {
        if (vm86) {
            x86_stk_push(env, &st, sz, env->segs[R_GS].selector, 0);
            x86_stk_push(env, &st, sz, env->segs[R_FS].selector, 0);
            x86_stk_push(env, &st, sz, env->segs[R_DS].selector, 0);
            x86_stk_push(env, &st, sz, env->segs[R_ES].selector, 0);
        }
        x86_stk_push(env, &st, sz, env->segs[R_SS].selector, 0);
        x86_stk_push(env, &st, sz, env->regs[R_ESP], 0);
    }
    x86_stk_push(env, &st, sz, fl, 0);
    x86_stk_push(env, &st, sz, env->segs[R_CS].selector, 0);
    x86_stk_push(env, &st, sz, ret, 0);
    if (has_ec)
        x86_stk_push(env, &st, sz, (uint64_t)(uint32_t)ec, 0);
    if (inner)
        x86_set_desc_accessed(env, ss, shi, 0);
    x86_set_desc_accessed(env, g.sel, g.chi, 0);

    /* commit */
    if (inner)
        env->segs[R_SS] = new_ss;
    if (vm86) {
        x86_load_null_seg(env, R_ES, 0);
        x86_load_null_seg(env, R_DS, 0);
        x86_load_null_seg(env, R_FS, 0);
        x86_load_null_seg(env, R_GS, 0);
    }
    commit_cs(env, &g, new_cpl);
    x86_stk_commit(env, &st);
    clear_flags_on_entry(env, g.type);
    x86_update_hflags(env);
}

/* IA-32e mode: 64-bit gates only (SDM Vol. 3A 6.14.1-6.14.5). */
static void deliver_long(X86Cpu *env, int vector, bool is_sw, bool dpl_check, int ec, bool has_ec, uint64_t ret)
{
    int ext = is_sw ? 0 : 1, cpl = x86_cpl(env);
    int idt_ec = vector * 8 + 2 + ext;
    if ((uint64_t)vector * 16 + 15 > env->idt.limit)
        RAISE(X86_EXCP_GP, idt_ec);
    uint64_t a = env->idt.base + (uint64_t)vector * 16;
    uint32_t lo = (uint32_t)x86_ld_mmu(env, a, 4, X86_MMU_KERNEL, 0);
    uint32_t hi = (uint32_t)x86_ld_mmu(env, a + 4, 4, X86_MMU_KERNEL, 0);
    uint32_t w2 = (uint32_t)x86_ld_mmu(env, a + 8, 4, X86_MMU_KERNEL, 0);
    Gate g = { .type = (int)((hi >> 8) & 0x1f) };
    if (g.type != X86_DESC_INT32 && g.type != X86_DESC_TRAP32)
        RAISE(X86_EXCP_GP, idt_ec);
    if (dpl_check && x86_desc_dpl(hi) < cpl)
        RAISE(X86_EXCP_GP, vector * 8 + 2);
    if (!x86_desc_p(hi))
        RAISE(X86_EXCP_NP, idt_ec);
    g.sel = (uint16_t)(lo >> 16);
    g.off = (lo & 0xffff) | (hi & 0xffff0000u) | (uint64_t)w2 << 32;
    g.ist = (int)(hi & 7);
    check_gate_code(env, &g, ext, true);

    bool inner = !x86_desc_conforming(g.chi) && x86_desc_dpl(g.chi) < cpl;
    int new_cpl = inner ? x86_desc_dpl(g.chi) : cpl;
    uint64_t rsp;
    if (g.ist) {
        rsp = x86_tss_ist(env, g.ist, ext, 0);
    } else if (inner) {
        uint16_t ss;
        x86_tss_stack(env, new_cpl, &ss, &rsp, ext, 0);
    } else {
        rsp = (env->hflags & HF_CS64) ? env->regs[R_ESP]
              : (env->hflags & HF_SS32) ? (env->regs[R_ESP] & 0xffffffffu) : (env->regs[R_ESP] & 0xffff);
    }
    X86Stack st = { .base = 0, .sp = rsp & ~15ull, .mask = ~0ull,
                    .mmu = new_cpl == 3 ? X86_MMU_USER : X86_MMU_KERNEL };
    X86Stack old;
    x86_stack_current(env, &old);
    x86_stk_push(env, &st, 8, env->segs[R_SS].selector, 0);
    x86_stk_push(env, &st, 8, env->regs[R_ESP] & old.mask, 0);
    x86_stk_push(env, &st, 8, x86_get_eflags(env), 0);
    x86_stk_push(env, &st, 8, env->segs[R_CS].selector, 0);
    x86_stk_push(env, &st, 8, ret, 0);
    if (has_ec)
        x86_stk_push(env, &st, 8, (uint64_t)(uint32_t)ec, 0);
    x86_set_desc_accessed(env, g.sel, g.chi, 0);

    /* commit */
    if (inner)
        x86_load_null_seg(env, R_SS, (uint16_t)new_cpl);
    commit_cs(env, &g, new_cpl);
    env->regs[R_ESP] = st.sp;
    clear_flags_on_entry(env, g.type);
    x86_update_hflags(env);
}

void x86_do_interrupt_protected(X86Cpu *env, int vector, bool is_sw, int error_code, bool has_error_code,
                                uint64_t next_eip)
{
    /* INT n, INT3 and INTO check the gate DPL; ICEBP (INT1) does not. */
    bool dpl_check = is_sw && env->swint_kind != X86_SWINT_ICEBP;
    uint64_t ret = is_sw ? next_eip : env->rip;
    /* Only #DF, #TS, #NP, #SS, #GP, #PF and #AC push an error code
     * (SDM Vol. 3A Table 6-1). */
    bool ec_vector = vector == X86_EXCP_DF || (vector >= X86_EXCP_TS && vector <= X86_EXCP_PF)
                     || vector == X86_EXCP_AC;
    if (is_sw || !ec_vector)
        has_error_code = false;
    if (env->hflags & HF_LMA)
        deliver_long(env, vector, is_sw, dpl_check, error_code, has_error_code, ret);
    else
        deliver_pm(env, vector, is_sw, dpl_check, error_code, has_error_code, ret);
}
