/*
 * x86 protected-mode segmentation (Intel SDM Vol. 3A 3.4-3.5 descriptors,
 * 5.5-5.7 privilege checks of segment loads, 7.2 TSS, Vol. 1 19.5 I/O
 * permission bitmap): descriptor reads, hidden-cache fills, MOV/POP/LxS to
 * a segment register in protected and long mode, LLDT/LTR.
 *
 * The hidden caches stay loaded when CR0.PE is cleared again, so "unreal"
 * (big real) mode works: real-mode loads change only selector and base.
 */
#include "cpu/x86/x86_seg.h"

#include "cpu/tlb.h"
#include "cpu/x86/x86_system.h"
#include "cpu/x86/x86_util.h"

_Noreturn void x86_seg_raise(X86Cpu *env, int excp, int ec, uintptr_t retaddr)
{
    x86_helper_raise_exception_ra(env, excp, ec, retaddr);
}

static uint32_t memop_of(int size, int mmu)
{
    unsigned l = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    return ir_memop(l, false, false, (unsigned)mmu);
}

/* Linear addresses wrap at 4 GiB outside long mode. */
static uint64_t lin_mask(const X86Cpu *env, uint64_t lin)
{
    return (env->hflags & HF_LMA) ? lin : lin & 0xffffffffu;
}

uint64_t x86_ld_mmu(X86Cpu *env, uint64_t lin, int size, int mmu, uintptr_t retaddr)
{
    return cpu_ld(&env->common, lin_mask(env, lin), memop_of(size, mmu), retaddr);
}

void x86_st_mmu(X86Cpu *env, uint64_t lin, int size, uint64_t val, int mmu, uintptr_t retaddr)
{
    cpu_st(&env->common, lin_mask(env, lin), val & x86_size_mask_c(size), memop_of(size, mmu), retaddr);
}

/* ---- stacks ---- */

void x86_stack_of(X86Stack *st, const X86Seg *ss, uint64_t sp, bool long64, int cpl)
{
    st->base = long64 ? 0 : ss->base;
    st->mask = long64 ? ~0ull : (ss->attr & SEG_ATTR_DB) ? 0xffffffffu : 0xffff;
    st->sp = sp;
    st->mmu = cpl == 3 ? X86_MMU_USER : X86_MMU_KERNEL;
}

void x86_stack_current(const X86Cpu *env, X86Stack *st)
{
    x86_stack_of(st, &env->segs[R_SS], env->regs[R_ESP], env->hflags & HF_CS64, x86_cpl(env));
    if (!(env->hflags & HF_CS64))
        st->mask = (env->hflags & HF_SS32) ? 0xffffffffu : 0xffff;
}

static uint64_t stk_lin(const X86Stack *st)
{
    uint64_t lin = st->base + (st->sp & st->mask);
    return st->mask == ~0ull ? lin : lin & 0xffffffffu;
}

void x86_stk_push(X86Cpu *env, X86Stack *st, int size, uint64_t val, uintptr_t retaddr)
{
    st->sp -= (uint64_t)size;
    cpu_st(&env->common, stk_lin(st), val & x86_size_mask_c(size), memop_of(size, st->mmu), retaddr);
}

uint64_t x86_stk_pop(X86Cpu *env, X86Stack *st, int size, uintptr_t retaddr)
{
    uint64_t v = cpu_ld(&env->common, stk_lin(st), memop_of(size, st->mmu), retaddr);
    st->sp += (uint64_t)size;
    return v;
}

void x86_stk_commit(X86Cpu *env, const X86Stack *st)
{
    if (st->mask == 0xffff)
        env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (st->sp & 0xffff);
    else
        env->regs[R_ESP] = st->sp & st->mask;     /* a 32-bit write zero-extends */
}

/* ---- descriptors ---- */

uint64_t x86_desc_addr(const X86Cpu *env, uint16_t sel)
{
    uint64_t base = (sel & 4) ? env->ldt.base : env->gdt.base;
    return base + (sel & ~7u);
}

/* Limit of the table sel indexes, or -1 if unusable (null LDT). */
static int64_t table_limit(const X86Cpu *env, uint16_t sel)
{
    if (sel & 4) {
        if ((env->ldt.selector & 0xfffc) == 0 || !(env->ldt.attr & SEG_ATTR_P))
            return -1;
        return env->ldt.limit;
    }
    return env->gdt.limit;
}

bool x86_read_desc(X86Cpu *env, uint16_t sel, uint32_t *lo, uint32_t *hi, uintptr_t retaddr)
{
    int64_t limit = table_limit(env, sel);
    if (limit < 0 || (int64_t)(sel & ~7u) + 7 > limit)
        return false;
    uint64_t a = x86_desc_addr(env, sel);
    *lo = (uint32_t)x86_ld_mmu(env, a, 4, X86_MMU_KERNEL, retaddr);
    *hi = (uint32_t)x86_ld_mmu(env, a + 4, 4, X86_MMU_KERNEL, retaddr);
    return true;
}

bool x86_read_desc_upper(X86Cpu *env, uint16_t sel, uint32_t *w2, uint32_t *w3, uintptr_t retaddr)
{
    int64_t limit = table_limit(env, sel);
    if (limit < 0 || (int64_t)(sel & ~7u) + 15 > limit)
        return false;
    uint64_t a = x86_desc_addr(env, sel) + 8;
    *w2 = (uint32_t)x86_ld_mmu(env, a, 4, X86_MMU_KERNEL, retaddr);
    *w3 = (uint32_t)x86_ld_mmu(env, a + 4, 4, X86_MMU_KERNEL, retaddr);
    return true;
}

void x86_seg_cache_from_desc(X86Seg *s, uint16_t sel, uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);
    if (hi & SEG_ATTR_G)
        limit = (limit << 12) | 0xfff;
    s->selector = sel;
    s->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
    s->limit = limit;
    s->attr = hi & 0x00f0ff00u;
}

void x86_set_desc_accessed(X86Cpu *env, uint16_t sel, uint32_t hi, uintptr_t retaddr)
{
    if (hi & (1u << 8))
        return;
    x86_st_mmu(env, x86_desc_addr(env, sel) + 4, 4, hi | (1u << 8), X86_MMU_KERNEL, retaddr);
}

void x86_set_cpl(X86Cpu *env, int cpl)
{
    env->hflags = (env->hflags & ~(uint32_t)HF_CPL_MASK) | (uint32_t)(cpl & 3);
}

void x86_load_null_seg(X86Cpu *env, int seg, uint16_t sel)
{
    X86Seg *s = &env->segs[seg];
    s->selector = sel;
    s->limit = 0;
    if (seg == R_SS && (env->hflags & HF_LMA)) {
        /* 64-bit mode null SS: still usable, DPL = RPL (SDM Vol. 3A 5.9). */
        s->base = 0;
        s->attr = SEG_ATTR_S | SEG_ATTR_P | (0x3u << 8) | (uint32_t)(sel & 3) << SEG_ATTR_DPL_SHIFT;
        s->limit = 0xffffffffu;
        return;
    }
    /* Intel CPUs clear the base on a null load, FS/GS in 64-bit mode too
     * (AMD keeps it; Linux knows both as X86_BUG_NULL_SEG). */
    s->base = 0;
    s->attr = 0;
}

/* MOV/POP Sreg, LxS in protected mode: SDM Vol. 2 MOV "Operation",
 * Vol. 3A 5.7 (data) and 5.8.1 (stack). */
void x86_load_seg_protected(X86Cpu *env, int seg, uint16_t sel, uintptr_t retaddr)
{
    int cpl = x86_cpl(env), rpl = sel & 3;
    uint32_t lo, hi;
    if ((sel & 0xfffc) == 0) {
        if (seg == R_SS && !((env->hflags & HF_CS64) && cpl != 3 && rpl == cpl))
            x86_seg_raise(env, X86_EXCP_GP, 0, retaddr);
        x86_load_null_seg(env, seg, sel);
        x86_update_hflags(env);
        return;
    }
    if (!x86_read_desc(env, sel, &lo, &hi, retaddr))
        x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
    int dpl = x86_desc_dpl(hi), type = x86_desc_type(hi);
    if (!x86_desc_s(hi))
        x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || (type & 0xa) != 0x2)   /* writable data only */
            x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
        if (!x86_desc_p(hi))
            x86_seg_raise(env, X86_EXCP_SS, sel & 0xfffc, retaddr);
    } else {
        if ((type & 0xa) == 0x8)                               /* execute-only code */
            x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
        if (!x86_desc_conforming(hi) && (rpl > dpl || cpl > dpl))
            x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
        if (!x86_desc_p(hi))
            x86_seg_raise(env, X86_EXCP_NP, sel & 0xfffc, retaddr);
    }
    x86_set_desc_accessed(env, sel, hi, retaddr);
    x86_seg_cache_from_desc(&env->segs[seg], sel, lo, hi | (1u << 8));
    x86_update_hflags(env);
}

void x86_validate_data_segs(X86Cpu *env)
{
    static const int segs[4] = { R_ES, R_DS, R_FS, R_GS };
    int cpl = x86_cpl(env);
    for (int i = 0; i < 4; i++) {
        X86Seg *s = &env->segs[segs[i]];
        uint32_t hi = s->attr;
        bool data_or_nc = !(hi & (1u << 11)) || !(hi & (1u << 10));
        if ((s->selector & 0xfffc) == 0 && !(s->attr & SEG_ATTR_P))
            continue;
        if (data_or_nc && x86_desc_dpl(hi) < cpl)
            x86_load_null_seg(env, segs[i], 0);
    }
}

/* ---- TSS ---- */

static bool tss_is_32(const X86Cpu *env)
{
    return (env->tr.attr >> 8) & 8;
}

void x86_tss_stack(X86Cpu *env, int dpl, uint16_t *ss, uint64_t *sp, int ext, uintptr_t retaddr)
{
    if (!(env->tr.attr & SEG_ATTR_P))
        x86_seg_raise(env, X86_EXCP_TS, (env->tr.selector & 0xfffc) | ext, retaddr);
    if (env->hflags & HF_LMA) {
        uint32_t off = 4 + 8 * (uint32_t)dpl;
        if (off + 7 > env->tr.limit)
            x86_seg_raise(env, X86_EXCP_TS, (env->tr.selector & 0xfffc) | ext, retaddr);
        *sp = x86_ld_mmu(env, env->tr.base + off, 8, X86_MMU_KERNEL, retaddr);
        *ss = 0;
        return;
    }
    if (tss_is_32(env)) {
        uint32_t off = 4 + 8 * (uint32_t)dpl;
        if (off + 5 > env->tr.limit)
            x86_seg_raise(env, X86_EXCP_TS, (env->tr.selector & 0xfffc) | ext, retaddr);
        *sp = x86_ld_mmu(env, env->tr.base + off, 4, X86_MMU_KERNEL, retaddr);
        *ss = (uint16_t)x86_ld_mmu(env, env->tr.base + off + 4, 2, X86_MMU_KERNEL, retaddr);
    } else {
        uint32_t off = 2 + 4 * (uint32_t)dpl;
        if (off + 3 > env->tr.limit)
            x86_seg_raise(env, X86_EXCP_TS, (env->tr.selector & 0xfffc) | ext, retaddr);
        *sp = x86_ld_mmu(env, env->tr.base + off, 2, X86_MMU_KERNEL, retaddr);
        *ss = (uint16_t)x86_ld_mmu(env, env->tr.base + off + 2, 2, X86_MMU_KERNEL, retaddr);
    }
}

uint64_t x86_tss_ist(X86Cpu *env, int ist, int ext, uintptr_t retaddr)
{
    uint32_t off = 36 + 8 * (uint32_t)(ist - 1);
    if (!(env->tr.attr & SEG_ATTR_P) || off + 7 > env->tr.limit)
        x86_seg_raise(env, X86_EXCP_TS, (env->tr.selector & 0xfffc) | ext, retaddr);
    return x86_ld_mmu(env, env->tr.base + off, 8, X86_MMU_KERNEL, retaddr);
}

void x86_check_new_ss(X86Cpu *env, uint16_t ss, int dpl, uint32_t *lo, uint32_t *hi, int ext,
                      uintptr_t retaddr)
{
    int ec = (ss & 0xfffc) | ext;
    if ((ss & 0xfffc) == 0 || (ss & 3) != dpl)
        x86_seg_raise(env, X86_EXCP_TS, ec, retaddr);
    if (!x86_read_desc(env, ss, lo, hi, retaddr))
        x86_seg_raise(env, X86_EXCP_TS, ec, retaddr);
    if (!x86_desc_s(*hi) || (x86_desc_type(*hi) & 0xa) != 0x2 || x86_desc_dpl(*hi) != dpl)
        x86_seg_raise(env, X86_EXCP_TS, ec, retaddr);
    if (!x86_desc_p(*hi))
        x86_seg_raise(env, X86_EXCP_SS, ec, retaddr);
}

/* ---- I/O permission ---- */

bool x86_io_needs_check(const X86Cpu *env)
{
    if (!(env->hflags & HF_PE))
        return false;
    if (env->hflags & HF_VM)
        return true;
    return x86_cpl(env) > (int)((env->eflags >> 12) & 3);
}

void x86_check_io(X86Cpu *env, uint16_t port, int size, uintptr_t retaddr)
{
    if (!x86_io_needs_check(env))
        return;
    /* Only a present 32-bit (or 64-bit) TSS has a bitmap (SDM Vol. 1 19.5.2). */
    if (!(env->tr.attr & SEG_ATTR_P) || !tss_is_32(env) || env->tr.limit < 103)
        x86_seg_raise(env, X86_EXCP_GP, 0, retaddr);
    uint32_t base = (uint32_t)x86_ld_mmu(env, env->tr.base + 102, 2, X86_MMU_KERNEL, retaddr);
    uint32_t off = base + port / 8;
    if (off + 1 > env->tr.limit)
        x86_seg_raise(env, X86_EXCP_GP, 0, retaddr);
    uint32_t bits = (uint32_t)x86_ld_mmu(env, env->tr.base + off, 2, X86_MMU_KERNEL, retaddr);
    uint32_t mask = ((1u << size) - 1) << (port & 7);
    if (bits & mask)
        x86_seg_raise(env, X86_EXCP_GP, 0, retaddr);
}

/* ---- LLDT / LTR ---- */

void x86_load_ldt(X86Cpu *env, uint16_t sel, uintptr_t retaddr)
{
    uint32_t lo, hi, w2 = 0, w3 = 0;
    if ((sel & 0xfffc) == 0) {
        env->ldt.selector = sel;
        env->ldt.base = 0;
        env->ldt.limit = 0;
        env->ldt.attr = 0;
        return;
    }
    if ((sel & 4) || !x86_read_desc(env, sel, &lo, &hi, retaddr))
        x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
    if (x86_desc_s(hi) || x86_desc_type(hi) != X86_DESC_LDT)
        x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
    if (!x86_desc_p(hi))
        x86_seg_raise(env, X86_EXCP_NP, sel & 0xfffc, retaddr);
    if ((env->hflags & HF_LMA) && !x86_read_desc_upper(env, sel, &w2, &w3, retaddr))
        x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
    x86_seg_cache_from_desc(&env->ldt, sel, lo, hi);
    if (env->hflags & HF_LMA)
        env->ldt.base |= (uint64_t)w2 << 32;
}

void x86_load_tr(X86Cpu *env, uint16_t sel, uintptr_t retaddr)
{
    uint32_t lo, hi, w2 = 0, w3 = 0;
    if ((sel & 0xfffc) == 0)
        x86_seg_raise(env, X86_EXCP_GP, 0, retaddr);
    if ((sel & 4) || !x86_read_desc(env, sel, &lo, &hi, retaddr))
        x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
    int type = x86_desc_type(hi);
    bool lma = env->hflags & HF_LMA;
    if (x86_desc_s(hi) || (type != X86_DESC_TSS32_AVAIL && (lma || type != X86_DESC_TSS16_AVAIL)))
        x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
    if (!x86_desc_p(hi))
        x86_seg_raise(env, X86_EXCP_NP, sel & 0xfffc, retaddr);
    if (lma && !x86_read_desc_upper(env, sel, &w2, &w3, retaddr))
        x86_seg_raise(env, X86_EXCP_GP, sel & 0xfffc, retaddr);
    hi |= 2u << 8;                                             /* busy */
    x86_st_mmu(env, x86_desc_addr(env, sel) + 4, 4, hi, X86_MMU_KERNEL, retaddr);
    x86_seg_cache_from_desc(&env->tr, sel, lo, hi);
    if (lma)
        env->tr.base |= (uint64_t)w2 << 32;
}
