/*
 * Small C-side utilities shared by the x86 helpers, interrupt delivery and
 * the system code: mode tests, real-mode segment loads, stack pushes and
 * pops through the softmmu (SDM Vol. 1 6.2 stack; Vol. 3A 20.1 real mode).
 */
#ifndef DOPPEL_CPU_X86_X86_UTIL_H
#define DOPPEL_CPU_X86_X86_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/ir/ir.h"
#include "cpu/x86/x86_cpu.h"

/** Mask of the low size bytes. */
static inline uint64_t x86_size_mask_c(int size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/** Real-address or virtual-8086 mode: segment = selector << 4. */
static inline bool x86_real_or_vm86(const X86Cpu *env)
{
    return !(env->hflags & HF_PE) || (env->hflags & HF_VM);
}

/** MMU index of data accesses at the current CPL. */
static inline int x86_data_mmu_idx(const X86Cpu *env)
{
    return (env->hflags & HF_CPL_MASK) == 3 ? X86_MMU_USER : X86_MMU_KERNEL;
}

/** Load a segment register the real-mode way: selector and base = sel << 4;
 *  in v86 mode also limit 0xffff and a DPL 3 data descriptor (SDM Vol. 3A
 *  20.2.1). Limit and attributes are kept in real mode ("unreal" mode). */
void x86_load_seg_real(X86Cpu *env, int seg, uint16_t sel);

/* The linear address translated code substitutes for a data access that
 * fails its segment check (x86_seglimit.c): not canonical, never mapped, so
 * the access reaches x86_tlb_fill, which raises #GP(0), or #SS(0) with
 * X86_SEG_FAULT_SS set. */
#define X86_SEG_FAULT_ADDR (1ull << 62)
#define X86_SEG_FAULT_SS (1ull << 61)
/** True for the two addresses above (not canonical, so no real access
 *  in any mode can produce them). */
static inline bool x86_is_seg_fault_addr(uint64_t vaddr)
{
    return (vaddr & ~(X86_SEG_FAULT_SS | 0xffffffffull)) == X86_SEG_FAULT_ADDR;
}

/** The HF_SEGCHK_* bits for env's segment caches, given the mode bits
 *  (HF_PE, HF_VM, HF_CS64) already computed in hflags. */
uint32_t x86_segchk_hflags(const X86Cpu *env, uint32_t hflags);
/** Check an access of size bytes at offset off of segment seg (limit,
 *  expand-down, and in protected mode null/type rules; nothing in 64-bit
 *  mode): -1 if allowed, else the exception (X86_EXCP_SS for SS, else
 *  X86_EXCP_GP; error code 0). */
int x86_seg_check(const X86Cpu *env, int seg, uint64_t off, int size, bool write);
/** x86_seg_check, raising the exception (error code 0) via retaddr. */
void x86_seg_check_ra(X86Cpu *env, int seg, uint64_t off, int size, bool write, uintptr_t retaddr);

/** Push val (size bytes) below stack pointer value sp through SS; returns
 *  the new sp (ESP itself is not written: call x86_set_sp when done). */
uint64_t x86_stack_push(X86Cpu *env, uint64_t sp, int size, uint64_t val, uintptr_t retaddr);
/** Pop size bytes at *sp through SS and advance *sp. */
uint64_t x86_stack_pop(X86Cpu *env, uint64_t *sp, int size, uintptr_t retaddr);
/** Write a stack pointer value into rSP with the stack width's rules. */
void x86_set_sp(X86Cpu *env, uint64_t sp);

/** Raise exception excp with error code (< 0: none) from C code running
 *  on behalf of the instruction at retaddr (0: state already current). */
_Noreturn void x86_helper_raise_exception_ra(X86Cpu *env, int excp, int error_code, uintptr_t retaddr);

#endif
