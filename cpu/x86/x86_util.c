/*
 * C-side utilities shared by x86 helpers and interrupt delivery: real-mode
 * segment loads and stack accesses through the softmmu (SDM Vol. 1 6.2,
 * Vol. 3A 20.1.1, 20.2.1).
 */
#include "cpu/x86/x86_util.h"

#include "cpu/tlb.h"

void x86_load_seg_real(X86Cpu *env, int seg, uint16_t sel)
{
    if (seg < 0 || seg >= X86_NB_SEGS)
        return;
    X86Seg *s = &env->segs[seg];
    s->selector = sel;
    s->base = (uint64_t)sel << 4;
    if (env->hflags & HF_VM) {
        s->limit = 0xffff;
        s->attr = SEG_ATTR_P | SEG_ATTR_S | (3u << SEG_ATTR_DPL_SHIFT) | (seg == R_CS ? 0xb00 : 0x300);
    }
}

/* Stack width of the current SS (64-bit mode: 8). */
static int stack_width(const X86Cpu *env)
{
    if (env->hflags & HF_CS64)
        return 8;
    return (env->hflags & HF_SS32) ? 4 : 2;
}

/* Linear address of an access of size bytes at SS:sp (checked against the
 * SS limit outside 64-bit mode: #SS(0), SDM Vol. 3A 5.3). */
static uint64_t stack_linear(X86Cpu *env, uint64_t sp, int size, bool write, uintptr_t retaddr)
{
    int w = stack_width(env);
    if (w == 8)
        return sp;
    uint64_t off = sp & x86_size_mask_c(w);
    x86_seg_check_ra(env, R_SS, off, size, write, retaddr);
    return (env->segs[R_SS].base + off) & 0xffffffffu;
}

static uint32_t size_memop(int size, int mmu)
{
    unsigned l = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
    return ir_memop(l, false, false, (unsigned)mmu);
}

uint64_t x86_stack_push(X86Cpu *env, uint64_t sp, int size, uint64_t val, uintptr_t retaddr)
{
    sp -= (uint64_t)size;
    cpu_st(&env->common, stack_linear(env, sp, size, true, retaddr), val & x86_size_mask_c(size),
           size_memop(size, x86_data_mmu_idx(env)), retaddr);
    return sp;
}

uint64_t x86_stack_pop(X86Cpu *env, uint64_t *sp, int size, uintptr_t retaddr)
{
    uint64_t v = cpu_ld(&env->common, stack_linear(env, *sp, size, false, retaddr), size_memop(size, x86_data_mmu_idx(env)), retaddr);
    *sp += (uint64_t)size;
    return v;
}

void x86_set_sp(X86Cpu *env, uint64_t sp)
{
    switch (stack_width(env)) {
    case 2: env->regs[R_ESP] = (env->regs[R_ESP] & ~0xffffull) | (sp & 0xffff); break;
    case 4: env->regs[R_ESP] = sp & 0xffffffffu; break;
    default: env->regs[R_ESP] = sp; break;
    }
}

_Noreturn void x86_helper_raise_exception_ra(X86Cpu *env, int excp, int error_code, uintptr_t retaddr)
{
    env->exception_vector = excp;
    env->has_error_code = error_code >= 0;
    env->error_code = error_code >= 0 ? error_code : 0;
    cpu_raise_exception(&env->common, excp, retaddr);
}
