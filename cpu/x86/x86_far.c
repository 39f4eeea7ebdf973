/*
 * Far transfers in protected and long mode (Intel SDM Vol. 2 JMP, CALL,
 * RET, IRET "Operation"; Vol. 3A 5.8 privilege-level changes, call gates,
 * 5.8.6 returns to outer levels): the x86_system.h hooks behind far
 * JMP/CALL/RETF/IRET. Every check and every memory access happens before
 * the first change to the CPU state, so a fault leaves the instruction
 * undone.
 */
#include "cpu/x86/x86_seg.h"

#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x86_system.h"
#include "cpu/x86/x86_util.h"

#define GP(ec) x86_seg_raise(env, X86_EXCP_GP, (ec), retaddr)
#define NP(ec) x86_seg_raise(env, X86_EXCP_NP, (ec), retaddr)

/* A 64-bit code segment descriptor: L = 1, D = 0 (SDM Vol. 3A 5.2.1). */
static bool desc_long64(uint32_t hi)
{
    return (hi & SEG_ATTR_L) && !(hi & SEG_ATTR_DB);
}

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

/* The new rip must lie inside CS (or be canonical for 64-bit code). */
static void check_rip(X86Cpu *env, uint32_t lo, uint32_t hi, uint64_t rip, uintptr_t retaddr)
{
    if ((env->hflags & HF_LMA) && desc_long64(hi)) {
        if (!canonical(rip))
            GP(0);
        return;
    }
    X86Seg tmp;
    x86_seg_cache_from_desc(&tmp, 0, lo, hi);
    if (rip > tmp.limit)
        GP(0);
}

/* Commit a new CS (selector RPL forced to cpl) and CPL. */
static void commit_cs(X86Cpu *env, uint16_t sel, uint32_t lo, uint32_t hi, int cpl, uint64_t rip)
{
    x86_seg_cache_from_desc(&env->segs[R_CS], (uint16_t)((sel & 0xfffc) | cpl), lo, hi | (1u << 8));
    x86_set_cpl(env, cpl);
    env->rip = rip;
    x86_update_hflags(env);
}

/* Code segment reached directly by JMP/CALL (SDM Vol. 3A 5.8.1). */
static void check_direct_code(X86Cpu *env, uint16_t sel, uint32_t hi, uintptr_t retaddr)
{
    int cpl = x86_cpl(env), dpl = x86_desc_dpl(hi), rpl = sel & 3;
    if (!x86_desc_is_code(hi))
        GP(sel & 0xfffc);
    if (x86_desc_conforming(hi) ? dpl > cpl : (rpl > cpl || dpl != cpl))
        GP(sel & 0xfffc);
    if (!x86_desc_p(hi))
        NP(sel & 0xfffc);
}

typedef struct CallGate {
    uint16_t sel;              /* target code selector */
    uint64_t off;
    int size;                  /* push size: 2, 4 or 8 */
    int params;                /* parameter count (legacy gates) */
    uint32_t lo, hi;           /* target code descriptor */
} CallGate;

/* Read and check a call gate and its target code segment (SDM Vol. 3A
 * 5.8.4, 5.8.6 and Figure 5-16 for the 64-bit form). */
static void read_call_gate(X86Cpu *env, uint16_t gsel, uint32_t lo, uint32_t hi, CallGate *g, uintptr_t retaddr)
{
    int cpl = x86_cpl(env), dpl = x86_desc_dpl(hi), type = x86_desc_type(hi);
    bool lma = env->hflags & HF_LMA;
    uint32_t w2 = 0, w3 = 0;
    if (lma && type != X86_DESC_CALL32)
        GP(gsel & 0xfffc);
    if (dpl < cpl || dpl < (gsel & 3))
        GP(gsel & 0xfffc);
    if (!x86_desc_p(hi))
        NP(gsel & 0xfffc);
    if (lma && (!x86_read_desc_upper(env, gsel, &w2, &w3, retaddr) || ((w3 >> 8) & 0x1f) != 0))
        GP(gsel & 0xfffc);
    g->sel = (uint16_t)(lo >> 16);
    g->off = (lo & 0xffff) | (type == X86_DESC_CALL32 ? (hi & 0xffff0000u) : 0) | (uint64_t)w2 << 32;
    g->size = lma ? 8 : type == X86_DESC_CALL32 ? 4 : 2;
    g->params = (int)(hi & 0x1f);
    if ((g->sel & 0xfffc) == 0)
        GP(0);
    if (!x86_read_desc(env, g->sel, &g->lo, &g->hi, retaddr))
        GP(g->sel & 0xfffc);
    if (!x86_desc_is_code(g->hi) || x86_desc_dpl(g->hi) > cpl || (lma && !desc_long64(g->hi)))
        GP(g->sel & 0xfffc);
    if (!x86_desc_p(g->hi))
        NP(g->sel & 0xfffc);
}

void x86_far_jmp_protected(X86Cpu *env, uint16_t sel, uint64_t off, uint64_t next_eip, uintptr_t retaddr)
{
    uint32_t lo, hi;
    int cpl = x86_cpl(env);
    if ((sel & 0xfffc) == 0)
        GP(0);
    if (!x86_read_desc(env, sel, &lo, &hi, retaddr))
        GP(sel & 0xfffc);
    if (x86_desc_s(hi)) {
        check_direct_code(env, sel, hi, retaddr);
        check_rip(env, lo, hi, off, retaddr);
        x86_set_desc_accessed(env, sel, hi, retaddr);
        commit_cs(env, sel, lo, hi, cpl, off);
        return;
    }
    switch (x86_desc_type(hi)) {
    case X86_DESC_CALL16:
    case X86_DESC_CALL32: {
        CallGate g;
        read_call_gate(env, sel, lo, hi, &g, retaddr);
        /* JMP through a gate never changes privilege. */
        if (!x86_desc_conforming(g.hi) && x86_desc_dpl(g.hi) != cpl)
            GP(g.sel & 0xfffc);
        if (g.size == 2)
            g.off &= 0xffff;
        check_rip(env, g.lo, g.hi, g.off, retaddr);
        commit_cs(env, g.sel, g.lo, g.hi, cpl, g.off);
        return;
    }
    case X86_DESC_TASK_GATE:
    case X86_DESC_TSS16_AVAIL:
    case X86_DESC_TSS32_AVAIL:
        if (env->hflags & HF_LMA)
            GP(sel & 0xfffc);
        if (x86_desc_dpl(hi) < cpl || x86_desc_dpl(hi) < (sel & 3))
            GP(sel & 0xfffc);
        if (!x86_desc_p(hi))
            NP(sel & 0xfffc);
        x86_task_switch(env, sel, lo, hi, X86_TASK_JMP, next_eip, retaddr);
        return;
    default:
        GP(sel & 0xfffc);
    }
}

/* CALL through a gate to a more privileged non-conforming segment: switch
 * to the TSS stack of the new level, copy the parameters (SDM Vol. 3A
 * 5.8.5, Figure 5-13). */
static void call_gate_inner(X86Cpu *env, const CallGate *g, uint64_t next_eip, uintptr_t retaddr)
{
    int new_cpl = x86_desc_dpl(g->hi);
    bool lma = env->hflags & HF_LMA;
    uint16_t ss;
    uint64_t sp;
    uint32_t slo = 0, shi = 0;
    x86_tss_stack(env, new_cpl, &ss, &sp, 0, retaddr);
    X86Stack old, st;
    x86_stack_current(env, &old);
    X86Seg new_ss;
    if (lma) {
        ss = (uint16_t)new_cpl;
        new_ss = env->segs[R_SS];
        x86_stack_of(&st, &new_ss, sp, true, new_cpl);
    } else {
        x86_check_new_ss(env, ss, new_cpl, &slo, &shi, 0, retaddr);
        x86_seg_cache_from_desc(&new_ss, ss, slo, shi | (1u << 8));
        x86_stack_of(&st, &new_ss, sp, false, new_cpl);
    }
    int sz = g->size;
    x86_stk_push(env, &st, sz, env->segs[R_SS].selector, retaddr);
    x86_stk_push(env, &st, sz, env->regs[R_ESP] & old.mask, retaddr);
    if (!lma) {
        for (int i = g->params - 1; i >= 0; i--) {
            X86Stack p = old;
            p.sp = old.sp + (uint64_t)(i * sz);
            x86_stk_push(env, &st, sz, x86_stk_pop(env, &p, sz, retaddr), retaddr);
        }
    }
    x86_stk_push(env, &st, sz, env->segs[R_CS].selector, retaddr);
    x86_stk_push(env, &st, sz, next_eip, retaddr);
    uint64_t off = sz == 2 ? g->off & 0xffff : g->off;
    check_rip(env, g->lo, g->hi, off, retaddr);
    if (!lma)
        x86_set_desc_accessed(env, ss, shi, retaddr);
    /* commit */
    if (lma)
        x86_load_null_seg(env, R_SS, ss);
    else
        env->segs[R_SS] = new_ss;
    commit_cs(env, g->sel, g->lo, g->hi, new_cpl, off);
    x86_stk_commit(env, &st);
}

void x86_far_call_protected(X86Cpu *env, uint16_t sel, uint64_t off, int opsize, uint64_t next_eip,
                            uintptr_t retaddr)
{
    uint32_t lo, hi;
    int cpl = x86_cpl(env);
    if ((sel & 0xfffc) == 0)
        GP(0);
    if (!x86_read_desc(env, sel, &lo, &hi, retaddr))
        GP(sel & 0xfffc);
    X86Stack st;
    x86_stack_current(env, &st);
    if (x86_desc_s(hi)) {
        check_direct_code(env, sel, hi, retaddr);
        check_rip(env, lo, hi, off, retaddr);
        x86_stk_push(env, &st, opsize, env->segs[R_CS].selector, retaddr);
        x86_stk_push(env, &st, opsize, next_eip, retaddr);
        x86_set_desc_accessed(env, sel, hi, retaddr);
        commit_cs(env, sel, lo, hi, cpl, off);
        x86_stk_commit(env, &st);
        return;
    }
    switch (x86_desc_type(hi)) {
    case X86_DESC_CALL16:
    case X86_DESC_CALL32: {
        CallGate g;
        read_call_gate(env, sel, lo, hi, &g, retaddr);
        if (!x86_desc_conforming(g.hi) && x86_desc_dpl(g.hi) < cpl) {
            call_gate_inner(env, &g, next_eip, retaddr);
            return;
        }
        uint64_t goff = g.size == 2 ? g.off & 0xffff : g.off;
        check_rip(env, g.lo, g.hi, goff, retaddr);
        if (env->hflags & HF_LMA)
            st.mask = ~0ull, st.base = 0;
        x86_stk_push(env, &st, g.size, env->segs[R_CS].selector, retaddr);
        x86_stk_push(env, &st, g.size, next_eip, retaddr);
        commit_cs(env, g.sel, g.lo, g.hi, cpl, goff);
        x86_stk_commit(env, &st);
        return;
    }
    case X86_DESC_TASK_GATE:
    case X86_DESC_TSS16_AVAIL:
    case X86_DESC_TSS32_AVAIL:
        if (env->hflags & HF_LMA)
            GP(sel & 0xfffc);
        if (x86_desc_dpl(hi) < cpl || x86_desc_dpl(hi) < (sel & 3))
            GP(sel & 0xfffc);
        if (!x86_desc_p(hi))
            NP(sel & 0xfffc);
        x86_task_switch(env, sel, lo, hi, X86_TASK_CALL, next_eip, retaddr);
        return;
    default:
        GP(sel & 0xfffc);
    }
}

/* Code segment a RET/IRET returns to (SDM RET "Operation", protected mode). */
static void check_return_cs(X86Cpu *env, uint16_t cs, uint32_t *lo, uint32_t *hi, uintptr_t retaddr)
{
    int rpl = cs & 3;
    if ((cs & 0xfffc) == 0)
        GP(0);
    if (!x86_read_desc(env, cs, lo, hi, retaddr))
        GP(cs & 0xfffc);
    if (!x86_desc_is_code(*hi) || rpl < x86_cpl(env))
        GP(cs & 0xfffc);
    int dpl = x86_desc_dpl(*hi);
    if (x86_desc_conforming(*hi) ? dpl > rpl : dpl != rpl)
        GP(cs & 0xfffc);
    if (!x86_desc_p(*hi))
        NP(cs & 0xfffc);
}

/* Stack segment of a return to outer level rpl; *null_ok for 64-bit
 * targets at CPL < 3 (SDM IRET "IA-32e mode"). Fills *ss_cache. */
static void check_return_ss(X86Cpu *env, uint16_t ss, int rpl, bool long64, X86Seg *ss_cache, uintptr_t retaddr)
{
    uint32_t lo, hi;
    if ((ss & 0xfffc) == 0) {
        if (!(long64 && rpl != 3 && (ss & 3) == rpl))
            GP(0);
        ss_cache->selector = ss;
        ss_cache->base = 0;
        ss_cache->limit = 0xffffffffu;
        ss_cache->attr = SEG_ATTR_S | SEG_ATTR_P | (0x3u << 8) | (uint32_t)rpl << SEG_ATTR_DPL_SHIFT;
        return;
    }
    if ((ss & 3) != rpl || !x86_read_desc(env, ss, &lo, &hi, retaddr))
        GP(ss & 0xfffc);
    if (!x86_desc_s(hi) || (x86_desc_type(hi) & 0xa) != 0x2 || x86_desc_dpl(hi) != rpl)
        GP(ss & 0xfffc);
    if (!x86_desc_p(hi))
        x86_seg_raise(env, X86_EXCP_SS, ss & 0xfffc, retaddr);
    x86_set_desc_accessed(env, ss, hi, retaddr);
    x86_seg_cache_from_desc(ss_cache, ss, lo, hi | (1u << 8));
}

/* The common tail of RETF and IRET after CS:rIP (and for IRET the flags)
 * were popped from st. */
static void return_to(X86Cpu *env, X86Stack *st, uint16_t cs, uint64_t rip, int opsize, int imm, bool iret,
                      uintptr_t retaddr)
{
    uint32_t lo, hi;
    int cpl = x86_cpl(env), rpl = cs & 3;
    check_return_cs(env, cs, &lo, &hi, retaddr);
    bool long64 = (env->hflags & HF_LMA) && desc_long64(hi);
    /* IRET in 64-bit mode always pops SS:RSP (SDM IRET, IA-32e mode). */
    bool outer = rpl != cpl || (iret && (env->hflags & HF_CS64));
    if (!long64) {
        X86Seg tmp;
        x86_seg_cache_from_desc(&tmp, 0, lo, hi);
        if (rip > tmp.limit)
            GP(0);
    } else if (!canonical(rip)) {
        GP(0);
    }
    if (!outer) {
        st->sp += (uint64_t)imm;
        x86_set_desc_accessed(env, cs, hi, retaddr);
        commit_cs(env, cs, lo, hi, cpl, rip);
        x86_stk_commit(env, st);
        return;
    }
    st->sp += (uint64_t)imm;
    uint64_t sp = x86_stk_pop(env, st, opsize, retaddr);
    uint16_t ss = (uint16_t)x86_stk_pop(env, st, opsize, retaddr);
    X86Seg ss_cache;
    check_return_ss(env, ss, rpl, long64, &ss_cache, retaddr);
    x86_set_desc_accessed(env, cs, hi, retaddr);
    /* commit */
    env->segs[R_SS] = ss_cache;
    commit_cs(env, cs, lo, hi, rpl, rip);
    X86Stack nst;
    x86_stack_of(&nst, &ss_cache, sp + (uint64_t)imm, long64, rpl);
    x86_stk_commit(env, &nst);
    if (rpl != cpl)
        x86_validate_data_segs(env);
    x86_update_hflags(env);
}

void x86_far_ret_protected(X86Cpu *env, int opsize, int imm, uintptr_t retaddr)
{
    X86Stack st;
    x86_stack_current(env, &st);
    uint64_t rip = x86_stk_pop(env, &st, opsize, retaddr);
    uint16_t cs = (uint16_t)x86_stk_pop(env, &st, opsize, retaddr);
    if (opsize == 2)
        rip &= 0xffff;
    return_to(env, &st, cs, rip, opsize, imm, false, retaddr);
}

/* IRET with EFLAGS.VM set in the image, from CPL 0: back to virtual-8086
 * mode (SDM IRET "RETURN-TO-VIRTUAL-8086-MODE"). */
static void iret_to_vm86(X86Cpu *env, X86Stack *st, uint16_t cs, uint64_t rip, uint64_t fl, uintptr_t retaddr)
{
    uint64_t sp = x86_stk_pop(env, st, 4, retaddr);
    uint16_t sel[4];                 /* SS, ES, DS, FS, GS below */
    uint16_t ss = (uint16_t)x86_stk_pop(env, st, 4, retaddr);
    for (int i = 0; i < 4; i++)
        sel[i] = (uint16_t)x86_stk_pop(env, st, 4, retaddr);
    x86_set_eflags(env, fl, 0x3f7fd5u | X86_VM | X86_IOPL | X86_IF | X86_VIF | X86_VIP);
    x86_update_hflags(env);          /* now HF_VM, CPL 3 */
    x86_load_seg_real(env, R_CS, cs);
    x86_load_seg_real(env, R_SS, ss);
    x86_load_seg_real(env, R_ES, sel[0]);
    x86_load_seg_real(env, R_DS, sel[1]);
    x86_load_seg_real(env, R_FS, sel[2]);
    x86_load_seg_real(env, R_GS, sel[3]);
    env->rip = rip & 0xffff;
    env->regs[R_ESP] = sp & 0xffffffffu;
    x86_update_hflags(env);
}

void x86_iret_protected(X86Cpu *env, int opsize, uint64_t next_eip, uintptr_t retaddr)
{
    int cpl = x86_cpl(env);
    if (env->eflags & X86_NT) {
        /* Return from a nested task through the back link (SDM Vol. 3A 7.4). */
        if (env->hflags & HF_LMA)
            GP(0);
        uint32_t lo, hi;
        uint16_t link = (uint16_t)x86_ld_mmu(env, env->tr.base, 2, X86_MMU_KERNEL, retaddr);
        if ((link & 4) || !x86_read_desc(env, link, &lo, &hi, retaddr))
            x86_seg_raise(env, X86_EXCP_TS, link & 0xfffc, retaddr);
        int type = x86_desc_type(hi);
        if (x86_desc_s(hi) || (type != X86_DESC_TSS32_BUSY && type != X86_DESC_TSS16_BUSY))
            x86_seg_raise(env, X86_EXCP_TS, link & 0xfffc, retaddr);
        if (!x86_desc_p(hi))
            NP(link & 0xfffc);
        /* The outgoing task resumes after its IRET (SDM Vol. 3A 7.3 step 8). */
        x86_task_switch(env, link, lo, hi, X86_TASK_IRET, next_eip, retaddr);
        return;
    }
    X86Stack st;
    x86_stack_current(env, &st);
    uint64_t rip = x86_stk_pop(env, &st, opsize, retaddr);
    uint16_t cs = (uint16_t)x86_stk_pop(env, &st, opsize, retaddr);
    uint64_t fl = x86_stk_pop(env, &st, opsize, retaddr);
    if (opsize == 2)
        rip &= 0xffff;
    if (opsize == 4 && (fl & X86_VM) && cpl == 0 && !(env->hflags & HF_LMA)) {
        iret_to_vm86(env, &st, cs, rip, fl, retaddr);
        return;
    }
    int iopl = (int)((env->eflags >> 12) & 3);
    uint64_t mask = X86_ARITH_FLAGS | X86_TF | X86_DF | X86_NT | X86_RF | X86_AC | X86_ID;
    if (cpl == 0)
        mask |= X86_IOPL | X86_VIF | X86_VIP;
    if (cpl <= iopl)
        mask |= X86_IF;
    if (opsize == 2)
        mask &= 0xffff;
    return_to(env, &st, cs, rip, opsize, 0, true, retaddr);
    x86_set_eflags(env, fl, mask);
    x86_update_hflags(env);
}
