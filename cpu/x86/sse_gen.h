/*
 * Shared pieces of the MMX/SSE translator (sse_gen.c: the 0F map and the
 * common operand code; sse_gen_move.c: data movement and conversions with
 * GPRs; sse_gen_ext.c: the 0F 38 / 0F 3A maps and group 15).
 *
 * Operands live in the X86Cpu: XMM registers, MMX registers (the
 * significands of fpregs[], SDM Vol. 1 9.5) and sse_tmp, which receives a
 * memory operand before a helper runs. Helpers get pointers (env + offset).
 */
#ifndef DOPPEL_CPU_X86_SSE_GEN_H
#define DOPPEL_CPU_X86_SSE_GEN_H

#include <stddef.h>

#include "cpu/x86/sse_helper.h"
#include "cpu/x86/x86_translate.h"

/* Mandatory prefix of an SSE opcode (SDM Vol. 2 2.1.2): F2/F3 win over 66. */
enum { SSE_P_NONE, SSE_P_66, SSE_P_F3, SSE_P_F2 };

/* How a table entry is translated. */
enum {
    SK_UD = 0,      /* not an instruction: #UD */
    SK_MMX,         /* sse_helper_int on MMX registers (d = reg, s = rm / m64) */
    SK_XMM,         /* sse_helper_int on XMM registers (d = reg, s = rm / m128) */
    SK_FP,          /* sse_helper_fp on XMM (shape in the entry) */
    SK_MLOGIC,      /* inline AND/ANDN/OR/XOR on MMX */
    SK_XLOGIC,      /* inline AND/ANDN/OR/XOR on XMM */
    SK_SPECIAL,     /* handled by code in sse_gen_move.c / sse_gen_ext.c */
};

/* SseDesc.msize: 0 = 16 bytes, 16-byte aligned (the legacy SSE rule,
 * SDM Vol. 1 11.4.1); SSE_M16U = 16 bytes, any alignment; else the size. */
enum { SSE_M16U = 17 };

enum { SSE_AND, SSE_ANDN, SSE_OR, SSE_XOR };

typedef struct SseDesc {
    uint8_t kind;       /* SK_* */
    uint8_t op;         /* SseIntOp / SseFpOp / SSE_AND.. */
    uint16_t shape;     /* SK_FP: SseShape | SH_* */
    uint8_t msize;      /* memory operand size */
} SseDesc;

/** Env offset of XMM register r / MMX register r (r & 7) / sse_tmp. */
static inline size_t sse_xmm_off(int r) { return offsetof(X86Cpu, xmm) + 16 * (size_t)(r & 15); }
static inline size_t sse_mmx_off(int r)
{
    return offsetof(X86Cpu, fpregs) + sizeof(X86Float80) * (size_t)(r & 7) + offsetof(X86Float80, mant);
}
static inline size_t sse_tmp_off(void) { return offsetof(X86Cpu, sse_tmp); }

/** The mandatory prefix of in (SSE_P_*). */
int sse_prefix(const X86Insn *in);
/** SSE availability (SDM Vol. 2 exception classes: CR0.EM or !CR4.OSFXSR -> #UD,
 *  CR0.TS -> #NM); false (exception emitted) if the insn cannot run. */
bool sse_check(DisasX86 *s);
/** MMX availability (CR0.EM -> #UD, CR0.TS -> #NM) and the x87 -> MMX
 *  transition (pending x87 exception -> #MF, TOP = 0, tags valid). */
bool sse_mmx_check(DisasX86 *s);
/** After writing MMX register r: its exponent field becomes all ones. */
void sse_mmx_written(DisasX86 *s, int r);
/** Pointer temp env + off. */
IrTempId sse_ptr(DisasX86 *s, size_t off);
/** 1/2/4/8-byte load/store of an env field. */
IrTempId sse_ld_env(DisasX86 *s, size_t off, int size);
void sse_st_env(DisasX86 *s, IrTempId v, size_t off, int size);
/** Copy size (4, 8 or 16) bytes between env fields. */
void sse_copy_env(DisasX86 *s, size_t dst, size_t src, int size);
/** Linear address of the memory operand; with align16, #GP(0) unless it
 *  is 16-byte aligned. The result is a block-local temp. */
IrTempId sse_addr(DisasX86 *s, X86Insn *in, bool align16);
/** Load the memory operand (msize as in SseDesc) into sse_tmp. */
void sse_load_tmp(DisasX86 *s, X86Insn *in, int msize);
/** addr + n with the address-size wrap of the mode. */
IrTempId sse_addr_plus(DisasX86 *s, IrTempId addr, int n);
/** Store size (4, 8, 16) bytes of the env field at off to guest addr. */
void sse_store_mem(DisasX86 *s, IrTempId addr, size_t off, int size);
/** Load size (4, 8, 16) bytes from guest addr into the env field at off,
 *  zero-extending 4 to 8. */
void sse_load_mem(DisasX86 *s, IrTempId addr, size_t off, int size);
/** Run a table entry: operands from in (reg = destination, rm = source). */
void sse_gen_desc(DisasX86 *s, X86Insn *in, const SseDesc *d);

/** Special forms of the 0F map (sse_gen_move.c). */
void sse_gen_special(DisasX86 *s, X86Insn *in, int prefix);

#endif
