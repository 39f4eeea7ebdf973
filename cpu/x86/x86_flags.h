/*
 * Lazy x86 condition codes (Intel SDM Vol. 1 3.4.3.1, Appendix A "EFLAGS
 * cross-reference").
 *
 * A flag-writing instruction does not compute CF/PF/AF/ZF/SF/OF. It leaves
 * the kind of operation in cc_op and its inputs/result in cc_dst, cc_src,
 * cc_src2; only an instruction that reads flags computes them (in IR for the
 * common conditions, see x86_gen_prepare_cc, or with x86_cc_compute_all).
 * Flags that the next flag writer overwrites are therefore never computed.
 *
 * Values in cc_dst/cc_src/cc_src2 only matter in their low 8/16/32/64 bits
 * (the size is part of cc_op); upper bits may hold anything.
 *
 * Meaning of the operands per cc_op (a, b = the instruction's operands):
 *   ADD   dst = a + b, src = b
 *   ADC   dst = a + b + c, src = b, src2 = c (carry in, 0 or 1)
 *   SUB   dst = a - b, src = b              (also CMP, NEG with a = 0)
 *   SBB   dst = a - b - c, src = b, src2 = c
 *   LOGIC dst = result                      (CF = OF = AF = 0)
 *   INC   dst = a + 1, src = CF before      (CF is preserved)
 *   DEC   dst = a - 1, src = CF before
 *   SHL   dst = result, src = a << (count - 1): CF = msb(src), OF = CF ^ msb(dst)
 *   SAR   dst = result, src = a >> (count - 1) (arithmetic or logical):
 *         CF = src & 1, OF = msb(src ^ dst)   (also used for SHR)
 *   MUL   dst = low half of the product, src != 0 iff CF = OF = 1
 *         (AF = 0; SF, ZF, PF from dst)
 *   EFLAGS  the six flags are already computed and live in cc_src
 *           (bits in their EFLAGS positions; other bits zero)
 * CC_OP_DYNAMIC is a translation-time value only: "env->cc_op is current".
 */
#ifndef DOPPEL_CPU_X86_X86_FLAGS_H
#define DOPPEL_CPU_X86_X86_FLAGS_H

#include <stdint.h>

#include "cpu/x86/x86_cpu.h"

/* Sized ops come in groups of four: B, W, L, Q (1, 2, 4, 8 bytes). */
typedef enum X86CcOp {
    CC_OP_DYNAMIC,
    CC_OP_EFLAGS,
    CC_OP_ADDB, CC_OP_ADDW, CC_OP_ADDL, CC_OP_ADDQ,
    CC_OP_ADCB, CC_OP_ADCW, CC_OP_ADCL, CC_OP_ADCQ,
    CC_OP_SUBB, CC_OP_SUBW, CC_OP_SUBL, CC_OP_SUBQ,
    CC_OP_SBBB, CC_OP_SBBW, CC_OP_SBBL, CC_OP_SBBQ,
    CC_OP_LOGICB, CC_OP_LOGICW, CC_OP_LOGICL, CC_OP_LOGICQ,
    CC_OP_INCB, CC_OP_INCW, CC_OP_INCL, CC_OP_INCQ,
    CC_OP_DECB, CC_OP_DECW, CC_OP_DECL, CC_OP_DECQ,
    CC_OP_SHLB, CC_OP_SHLW, CC_OP_SHLL, CC_OP_SHLQ,
    CC_OP_SARB, CC_OP_SARW, CC_OP_SARL, CC_OP_SARQ,
    CC_OP_MULB, CC_OP_MULW, CC_OP_MULL, CC_OP_MULQ,
    CC_OP_NB
} X86CcOp;

/** log2 of a size in bytes (1, 2, 4, 8 -> 0..3). */
static inline int x86_size_log2(int size)
{
    return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

/** The sized cc_op of group base_b (a CC_OP_xxxB) for an operand size in bytes. */
static inline X86CcOp x86_cc_op_sized(X86CcOp base_b, int size)
{
    return (X86CcOp)(base_b + x86_size_log2(size));
}

/** For a sized cc_op: the B member of its group; otherwise the op itself. */
static inline X86CcOp x86_cc_op_group(X86CcOp op)
{
    return op >= CC_OP_ADDB ? (X86CcOp)(CC_OP_ADDB + ((op - CC_OP_ADDB) & ~3)) : op;
}

/** For a sized cc_op: the operand size in bytes (0 for DYNAMIC/EFLAGS). */
static inline int x86_cc_op_size(X86CcOp op)
{
    return op >= CC_OP_ADDB ? 1 << ((op - CC_OP_ADDB) & 3) : 0;
}

/** The six arithmetic flags (in EFLAGS bit positions) of a lazy state.
 *  An out-of-range cc_op yields 0 (never trusted blindly). */
uint64_t x86_cc_compute_all(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);
/** CF alone (0 or 1) of a lazy state. */
uint64_t x86_cc_compute_cf(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);

/** Architectural EFLAGS of env (lazy flags and DF folded in, bit 1 set). */
uint64_t x86_get_eflags(const X86Cpu *env);
/** Replace the EFLAGS bits in mask with val's: arithmetic flags go to
 *  CC_OP_EFLAGS, DF to env->df, the rest to env->eflags; hflags bits that
 *  mirror EFLAGS (TF, IOPL, VM) are refreshed. Bit 1 always reads as 1. */
void x86_set_eflags(X86Cpu *env, uint64_t val, uint64_t mask);

#endif
