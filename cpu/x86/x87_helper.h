/*
 * The x87 instruction helpers (x87_helper.c, x87_env.c): the semantics of
 * every D8-DF instruction on the X86Cpu state, called from code emitted by
 * x87_gen.c, plus the x87 part of FXSAVE/FXRSTOR for the SSE code.
 *
 * Calling sequence of a waiting x87 instruction: x87_helper_prepare (raises
 * a pending unmasked exception: #MF with CR0.NE = 1, FERR# otherwise, and
 * records FOP/FIP/FDP), then one helper for the instruction form. Helpers
 * that touch memory take the linear address and find their instruction
 * through CPU_GETPC() for precise faults; memory is read/written before any
 * FPU state changes, so a fault leaves the FPU untouched.
 */
#ifndef DOPPEL_CPU_X86_X87_HELPER_H
#define DOPPEL_CPU_X86_X87_HELPER_H

#include <stdint.h>

#include "cpu/ir/ir.h"
#include "cpu/x86/x86_cpu.h"

/* Memory operand kinds of x87_helper_fld_mem / fst_mem / arith_mem. */
enum {
    X87_M32FP, X87_M64FP, X87_M80FP, X87_M16INT, X87_M32INT, X87_M64INT, X87_M80BCD,
};

/* x87_helper_prepare info bits: FOP in bits 0-10. */
enum {
    X87_PREP_PTRS = 1u << 16,      /* record FOP, FIP/FCS (non-control instruction) */
    X87_PREP_MEM = 1u << 17,       /* record FDP/FDS too; data segment in bits 20-22 */
    X87_PREP_SEG_SHIFT = 20,
};

/** Power-on state of the FPU (FNINIT values: FCW 037Fh, FSW 0, all tags
 *  empty, pointers 0; SDM Vol. 1 8.1.11 / Vol. 3A 9.1.1). */
void x87_reset(X86Cpu *env);
/** The architectural status word (TOP merged in). */
uint16_t x87_get_fsw(const X86Cpu *env);
/** x87 part of FXSAVE (SDM Vol. 1 10.5.1 Table 10-2, bytes 0-31 and the
 *  ST/MM slots at 32-159): FCW, FSW, abridged FTW, FOP, FIP/FCS, FDP/FDS
 *  (64-bit offsets, the FXSAVE64 layout, when in 64-bit mode), 16-byte
 *  register slots. Bytes 24-31 (MXCSR)
 *  and 160+ are left to the caller. */
void x87_fxsave_state(X86Cpu *env, uint8_t *area512);
/** x87 part of FXRSTOR from the same layout (abridged tags expanded). */
void x87_fxrstor_state(X86Cpu *env, const uint8_t *area512);

/* ---- helpers called from translated code (descriptors below) ---- */
void x87_helper_prepare(X86Cpu *env, uint64_t info, uint64_t fip, uint64_t fdp);
void x87_helper_fwait(X86Cpu *env);
void x87_helper_arith_reg(X86Cpu *env, uint64_t op, uint64_t i, uint64_t mode);
void x87_helper_arith_mem(X86Cpu *env, uint64_t op, uint64_t addr, uint64_t kind);
void x87_helper_fcom_reg(X86Cpu *env, uint64_t i, uint64_t quiet, uint64_t pops);
void x87_helper_fcomi(X86Cpu *env, uint64_t i, uint64_t quiet, uint64_t pop);
void x87_helper_fld_mem(X86Cpu *env, uint64_t addr, uint64_t kind);
void x87_helper_fst_mem(X86Cpu *env, uint64_t addr, uint64_t kind, uint64_t flags);
void x87_helper_fld_sti(X86Cpu *env, uint64_t i);
void x87_helper_fst_sti(X86Cpu *env, uint64_t i, uint64_t pop);
void x87_helper_fxch(X86Cpu *env, uint64_t i);
void x87_helper_ffree(X86Cpu *env, uint64_t i, uint64_t pop);
void x87_helper_fcmov(X86Cpu *env, uint64_t i, uint64_t cond);
void x87_helper_misc(X86Cpu *env, uint64_t modrm);
uint64_t x87_helper_fnstsw(X86Cpu *env);
uint64_t x87_helper_fnstcw(X86Cpu *env);
void x87_helper_fldcw(X86Cpu *env, uint64_t cw);
void x87_helper_fnclex(X86Cpu *env);
void x87_helper_fninit(X86Cpu *env);
void x87_helper_fldenv(X86Cpu *env, uint64_t addr, uint64_t size32);
void x87_helper_fnstenv(X86Cpu *env, uint64_t addr, uint64_t size32);
void x87_helper_frstor(X86Cpu *env, uint64_t addr, uint64_t size32);
void x87_helper_fnsave(X86Cpu *env, uint64_t addr, uint64_t size32);

/* x87_helper_fst_mem flags */
enum { X87_ST_POP = 1, X87_ST_TRUNC = 2 };
/* x87_helper_arith_reg mode */
enum { X87_AR_ST0 = 0, X87_AR_STI = 1, X87_AR_STI_POP = 2 };

extern const IrHelper x87_helper_prepare_def, x87_helper_fwait_def, x87_helper_arith_reg_def,
    x87_helper_arith_mem_def, x87_helper_fcom_reg_def, x87_helper_fcomi_def, x87_helper_fld_mem_def,
    x87_helper_fst_mem_def, x87_helper_fld_sti_def, x87_helper_fst_sti_def, x87_helper_fxch_def,
    x87_helper_ffree_def, x87_helper_fcmov_def, x87_helper_misc_def, x87_helper_fnstsw_def,
    x87_helper_fnstcw_def, x87_helper_fldcw_def, x87_helper_fnclex_def, x87_helper_fninit_def,
    x87_helper_fldenv_def, x87_helper_fnstenv_def, x87_helper_frstor_def, x87_helper_fnsave_def;

/* ---- shared by x87_helper.c and x87_env.c ---- */
/** Recompute ES/B from the exception flags and masks; drives FERR# down
 *  when ES clears with CR0.NE = 0. */
void x87_update_es(X86Cpu *env);
/** Tag (0 valid, 1 zero, 2 special) a register holding v would get. */
int x87_tag_of(X86Float80 v);
/** Raise the pending unmasked exception, if any (waiting instructions). */
void x87_check_pending(X86Cpu *env, uintptr_t ra);

#endif
