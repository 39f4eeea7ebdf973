/*
 * A64 instruction encoder used by the native AArch64 backend. Every
 * instruction is one little-endian 32-bit word written into an A64Asm
 * buffer (the writable view of the code buffer); positions are byte
 * offsets from the start of that buffer. A write past the end sets
 * `overflow` and is dropped, so callers check once at the end.
 *
 * Register numbers are 0..30 for x0..x30; 31 is xzr/wzr in data
 * processing operands and sp as a base register (A64_SP and A64_ZR name
 * the same number, the instruction decides which it means).
 *
 * Reference: Arm Architecture Reference Manual for A-profile (DDI 0487),
 * chapter C4 "A64 Instruction Set Encoding" and the per-instruction pages
 * of chapter C6.
 */
#ifndef DOPPEL_CPU_HOST_AARCH64_A64_ASM_H
#define DOPPEL_CPU_HOST_AARCH64_A64_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/host/host_asm.h"

enum {
    A64_X0 = 0, A64_X1, A64_X2, A64_X3, A64_X4, A64_X5, A64_X6, A64_X7,
    A64_X8, A64_X9, A64_X10, A64_X11, A64_X12, A64_X13, A64_X14, A64_X15,
    A64_X16, A64_X17, A64_X18, A64_X19, A64_X20, A64_X21, A64_X22, A64_X23,
    A64_X24, A64_X25, A64_X26, A64_X27, A64_X28, A64_X29, A64_X30,
    A64_SP = 31, A64_ZR = 31,
    A64_NB_REGS = 32,
};

/* Condition codes (DDI 0487 C1.2.4). */
typedef enum A64Cond {
    A64_EQ = 0, A64_NE = 1, A64_HS = 2, A64_LO = 3, A64_MI = 4, A64_PL = 5,
    A64_VS = 6, A64_VC = 7, A64_HI = 8, A64_LS = 9, A64_GE = 10, A64_LT = 11,
    A64_GT = 12, A64_LE = 13, A64_AL = 14,
} A64Cond;
static inline A64Cond a64_cond_invert(A64Cond c) { return (A64Cond)(c ^ 1); }

/* Logical (shifted register) operations: opc and N bits (C4.1.95). */
typedef enum A64Logic {
    A64_AND = 0x0a000000, A64_BIC = 0x0a200000, A64_ORR = 0x2a000000, A64_ORN = 0x2a200000,
    A64_EOR = 0x4a000000, A64_EON = 0x4a200000, A64_ANDS = 0x6a000000,
} A64Logic;

/* Two-source data processing (C4.1.96: UDIV, SDIV, LSLV...). */
typedef enum A64Op2 {
    A64_UDIV = 0x1ac00800, A64_SDIV = 0x1ac00c00, A64_LSLV = 0x1ac02000,
    A64_LSRV = 0x1ac02400, A64_ASRV = 0x1ac02800, A64_RORV = 0x1ac02c00,
} A64Op2;

/* One-source data processing (C4.1.96: RBIT, REV16, REV32/REV, CLZ). */
typedef enum A64Op1 {
    A64_RBIT = 0x5ac00000, A64_REV16 = 0x5ac00400, A64_REV32 = 0x5ac00800,
    A64_REV64 = 0x5ac00c00, A64_CLZ = 0x5ac01000,
} A64Op1;

/* Shift kinds of immediate shifts and shifted-register operands. */
typedef enum A64Shift { A64_LSL = 0, A64_LSR = 1, A64_ASR = 2, A64_ROR = 3 } A64Shift;

/* The output buffer (cpu/host/host_asm.h); positions are multiples of 4. */
typedef HostAsm A64Asm;

/** Start assembling into [code, code+size) which executes at rx. */
static inline void a64_asm_init(A64Asm *a, uint8_t *code, uint8_t *rx, size_t size)
{
    host_asm_init(a, code, rx, size);
}
/** Emit one instruction word. */
void a64_emit(A64Asm *a, uint32_t insn);
/** Emit a 64-bit literal (pos must be 8-byte aligned by the caller). */
void a64_emit64(A64Asm *a, uint64_t v);
/** Read/overwrite the instruction at pos (pos < a->pos). */
uint32_t a64_read(const A64Asm *a, size_t pos);
void a64_patch(A64Asm *a, size_t pos, uint32_t insn);

/* ---- immediates ---- */

/** Encode v as a logical (bitmask) immediate for a 32- or 64-bit
 *  operation: *enc gets N:immr:imms (13 bits). False if not encodable. */
bool a64_logic_imm(uint64_t v, bool w, uint32_t *enc);

/* ---- moves and arithmetic (w: 64-bit X form, else 32-bit W form) ---- */

void a64_mov(A64Asm *a, bool w, int d, int s);
/** d = v (32-bit: zero-extended) in the fewest instructions. */
void a64_movi(A64Asm *a, bool w, int d, uint64_t v);
/** MOVZ/MOVK of one halfword (hw = 0..3). */
void a64_movz(A64Asm *a, bool w, int d, uint16_t imm, int hw);
void a64_movk(A64Asm *a, bool w, int d, uint16_t imm, int hw);
/** ADD/SUB (register, optional shift of m); sub/setflags select the op. */
void a64_addsub_rr(A64Asm *a, bool w, bool sub, bool setflags, int d, int n, int m, A64Shift sh, unsigned amount);
/** True if v is an ADD/SUB immediate (imm12, optionally LSL 12). */
bool a64_addsub_imm_ok(uint64_t v);
/** ADD/SUB immediate; v must pass a64_addsub_imm_ok. n/d may be sp. */
void a64_addsub_ri(A64Asm *a, bool w, bool sub, bool setflags, int d, int n, uint64_t v);
/** d = n + v for any v, using scratch if it does not fit in two ADD/SUBs. */
void a64_add_const(A64Asm *a, bool w, int d, int n, int64_t v, int scratch);
/** Logical shifted register: d = n OP (m shifted). */
void a64_logic_rr(A64Asm *a, A64Logic op, bool w, int d, int n, int m, A64Shift sh, unsigned amount);
/** Logical immediate with an encoding from a64_logic_imm (AND/ORR/EOR/ANDS). */
void a64_logic_ri(A64Asm *a, A64Logic op, bool w, int d, int n, uint32_t enc);
void a64_op2(A64Asm *a, A64Op2 op, bool w, int d, int n, int m);
/** One-source op; for A64_REV32 with w=false this is REV (32-bit). */
void a64_op1(A64Asm *a, A64Op1 op, bool w, int d, int n);
/** MADD/MSUB: d = ra +/- n*m. */
void a64_madd(A64Asm *a, bool w, bool sub, int d, int n, int m, int ra);
/** SMULH/UMULH (64-bit). */
void a64_mulh(A64Asm *a, bool sign, int d, int n, int m);
/** SMULL/UMULL: 64-bit d = 32-bit n * m. */
void a64_mull(A64Asm *a, bool sign, int d, int n, int m);
/** SBFM/BFM/UBFM with immr, imms (kind 0 = SBFM, 1 = BFM, 2 = UBFM). */
void a64_bfm(A64Asm *a, int kind, bool w, int d, int n, unsigned immr, unsigned imms);
/** Immediate shifts and rotates (count < width). */
void a64_shift_ri(A64Asm *a, A64Shift sh, bool w, int d, int n, unsigned count);
/** Sign/zero extension of the low 8/16/32 bits (size_log2 0..2). */
void a64_ext(A64Asm *a, unsigned size_log2, bool sign, bool w, int d, int n);
/** CSEL/CSINC/CSINV/CSNEG (kind 0..3): d = cond ? n : f(m). */
void a64_csel(A64Asm *a, int kind, bool w, A64Cond c, int d, int n, int m);
void a64_cset(A64Asm *a, bool w, A64Cond c, int d);
/** Population count of x/w n into d via the SIMD CNT (clobbers v0). */
void a64_popcount(A64Asm *a, bool w, int d, int n);

/* ---- loads and stores ---- */

/** Load 1 << size_log2 bytes at [base + off] into d (sign: to 64 bits if
 *  w, else to 32); any offset, using scratch for large ones. base may be sp. */
void a64_load(A64Asm *a, unsigned size_log2, bool sign, bool w, int d, int base, int64_t off, int scratch);
void a64_store(A64Asm *a, unsigned size_log2, int s, int base, int64_t off, int scratch);
/** Register-offset forms: [base + index]. */
void a64_load_rr(A64Asm *a, unsigned size_log2, bool sign, bool w, int d, int base, int index);
void a64_store_rr(A64Asm *a, unsigned size_log2, int s, int base, int index);
/** STP/LDP of 64-bit registers at [base + off] (off multiple of 8 in
 *  -512..504); mode 0 = offset, 1 = pre-index, 2 = post-index. */
void a64_stp(A64Asm *a, int t1, int t2, int base, int off, int mode);
void a64_ldp(A64Asm *a, int t1, int t2, int base, int off, int mode);

/* ---- control flow ---- */

/** Branches with a placeholder offset; return their position for
 *  a64_bind(). */
size_t a64_b(A64Asm *a);
size_t a64_bcond(A64Asm *a, A64Cond c);
size_t a64_cbz(A64Asm *a, bool w, bool nz, int t);
/** Point the branch (B, BL, B.cond, CBZ/CBNZ, ADR, LDR literal) at pos to
 *  buffer position target. */
void a64_bind(A64Asm *a, size_t pos, size_t target);
/** Encoding of B from executable address from to to (must reach). */
uint32_t a64_b_insn(uintptr_t from, uintptr_t to);
/** True if a B/BL at from reaches to (+-128 MiB). */
bool a64_b_reaches(uintptr_t from, uintptr_t to);
/** Call or jump to an absolute executable address: BL/B if reachable,
 *  else through scratch (MOVZ/MOVK + BLR/BR). */
void a64_call_abs(A64Asm *a, uintptr_t target, int scratch);
void a64_jump_abs(A64Asm *a, uintptr_t target, int scratch);
void a64_br(A64Asm *a, int n);
void a64_blr(A64Asm *a, int n);
void a64_ret(A64Asm *a);
/** ADR d, placeholder; returns its position for a64_bind(). */
size_t a64_adr(A64Asm *a, int d);
/** LDR (literal, 64-bit) t, placeholder; returns its position. */
size_t a64_ldr_lit(A64Asm *a, int t);
void a64_nop(A64Asm *a);
void a64_dmb_ish(A64Asm *a);

#endif
