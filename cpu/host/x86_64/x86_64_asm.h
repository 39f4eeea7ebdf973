/*
 * x86-64 instruction encoder used by the native backend: legacy prefixes,
 * REX, ModRM/SIB with disp8/disp32, immediates, and the handful of
 * instructions the code generator needs. Everything is written into an
 * X64Asm buffer (the writable view of the code buffer); positions are byte
 * offsets from the start of that buffer. A write past the end sets
 * `overflow` and is dropped, so callers check once at the end.
 *
 * Reference: Intel SDM Vol. 2, chapter 2 (instruction format) and the
 * per-instruction pages of chapters 3-5.
 */
#ifndef DOPPEL_CPU_HOST_X86_64_ASM_H
#define DOPPEL_CPU_HOST_X86_64_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/host/host_asm.h"

typedef enum X64Reg {
    X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
    X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
    X64_NB_REGS,
    X64_NOREG = -1,
} X64Reg;

/* Opcode word: low byte = opcode, the rest selects prefixes and REX bits. */
enum {
    X64_P_0F = 0x100,        /* two-byte opcode 0F xx */
    X64_P_66 = 0x200,        /* operand-size prefix (16-bit) */
    X64_P_F3 = 0x400,        /* REP / mandatory F3 prefix */
    X64_P_F2 = 0x800,        /* mandatory F2 prefix */
    X64_P_W = 0x1000,        /* REX.W (64-bit operand) */
    X64_P_BYTE_R = 0x2000,   /* ModRM.reg names a byte register: spl..dil need REX */
    X64_P_BYTE_RM = 0x4000,  /* ModRM.rm names a byte register */
};

/* Group-1 ALU operations (the /digit of 81/83, and opcode = 01 + 8*op). */
typedef enum X64Alu {
    X64_ADD = 0, X64_OR = 1, X64_ADC = 2, X64_SBB = 3,
    X64_AND = 4, X64_SUB = 5, X64_XOR = 6, X64_CMP = 7,
} X64Alu;

/* Group-2 shift/rotate operations (/digit of C1/D1/D3). */
typedef enum X64Shift {
    X64_ROL = 0, X64_ROR = 1, X64_SHL = 4, X64_SHR = 5, X64_SAR = 7,
} X64Shift;

/* Group-3 unary operations (/digit of F7). */
typedef enum X64Unary {
    X64_NOT = 2, X64_NEG = 3, X64_MUL = 4, X64_IMUL1 = 5, X64_DIV = 6, X64_IDIV = 7,
} X64Unary;

/* Condition codes (tttn field of Jcc/SETcc/CMOVcc). */
typedef enum X64Cond {
    X64_CC_O = 0, X64_CC_NO = 1, X64_CC_B = 2, X64_CC_AE = 3,
    X64_CC_E = 4, X64_CC_NE = 5, X64_CC_BE = 6, X64_CC_A = 7,
    X64_CC_S = 8, X64_CC_NS = 9, X64_CC_P = 10, X64_CC_NP = 11,
    X64_CC_L = 12, X64_CC_GE = 13, X64_CC_LE = 14, X64_CC_G = 15,
} X64Cond;

/* The output buffer (cpu/host/host_asm.h). */
typedef HostAsm X64Asm;

/** Raw bytes. */
void x64_emit8(X64Asm *a, uint8_t v);
void x64_emit32(X64Asm *a, uint32_t v);
void x64_emit64(X64Asm *a, uint64_t v);
/** Overwrite 4 bytes at pos (pos + 4 <= a->pos). */
void x64_patch32(X64Asm *a, size_t pos, uint32_t v);

/** Prefixes, REX and opcode bytes for opc with the given ModRM reg/rm and
 *  SIB index register numbers (X64_NOREG when absent). */
void x64_opc(X64Asm *a, unsigned opc, int r, int rm, int index);
/** opc with a register-direct ModRM (mod = 11). */
void x64_op_rr(X64Asm *a, unsigned opc, int r, int rm);
/** opc with a memory ModRM [base + index << shift + disp]; base may be
 *  X64_NOREG only together with index == X64_NOREG (absolute disp32). */
void x64_op_mem(X64Asm *a, unsigned opc, int r, int base, int index, int shift, int32_t disp);
/** opc with a RIP-relative ModRM to executable address target; imm_bytes
 *  immediate bytes will follow (they count for the displacement). */
void x64_op_rip(X64Asm *a, unsigned opc, int r, uintptr_t target, int imm_bytes);

/* ---- moves ---- */
void x64_mov_rr(X64Asm *a, bool w, int d, int s);
/** d = val (32-bit: zero-extended); shortest encoding. Uses xor for 0
 *  unless keep_flags. */
void x64_movi(X64Asm *a, bool w, int d, uint64_t val, bool keep_flags);
/** Load size_log2 bytes at [base+disp] into d, zero- or sign-extended to
 *  64 bits (w) or 32 bits. */
void x64_load(X64Asm *a, unsigned size_log2, bool sign, bool w, int d, int base, int index, int32_t disp);
/** Store the low size_log2 bytes of s to [base+index+disp]. */
void x64_store(X64Asm *a, unsigned size_log2, int s, int base, int index, int32_t disp);
/** Store an immediate (size <= 4 bytes, or 8 bytes sign-extended from imm32). */
void x64_store_imm(X64Asm *a, unsigned size_log2, int32_t imm, int base, int index, int32_t disp);
void x64_lea(X64Asm *a, bool w, int d, int base, int index, int shift, int32_t disp);
/** Zero/sign extension register to register (size_log2 0, 1 or 2). */
void x64_ext(X64Asm *a, unsigned size_log2, bool sign, bool w, int d, int s);

/* ---- arithmetic ---- */
void x64_alu_rr(X64Asm *a, X64Alu op, bool w, int d, int s);
void x64_alu_ri(X64Asm *a, X64Alu op, bool w, int d, int32_t imm);
/** op dword/qword [base + disp], imm. */
void x64_alu_mi(X64Asm *a, X64Alu op, bool w, int base, int32_t disp, int32_t imm);
void x64_test_rr(X64Asm *a, bool w, int d, int s);
void x64_test_ri(X64Asm *a, bool w, int d, int32_t imm);
void x64_shift_ri(X64Asm *a, X64Shift op, bool w, int d, unsigned count);
void x64_shift_rcl(X64Asm *a, X64Shift op, bool w, int d);
void x64_unary(X64Asm *a, X64Unary op, bool w, int d);
void x64_imul_rr(X64Asm *a, bool w, int d, int s);
void x64_imul_rri(X64Asm *a, bool w, int d, int s, int32_t imm);
void x64_bswap(X64Asm *a, bool w, int d);
void x64_cqo(X64Asm *a, bool w);

/* ---- conditions and control flow ---- */
void x64_setcc(X64Asm *a, X64Cond cc, int d);
void x64_cmov(X64Asm *a, X64Cond cc, bool w, int d, int s);
/** Jcc/JMP/CALL rel32; return the position of the rel32 field. */
size_t x64_jcc32(X64Asm *a, X64Cond cc);
size_t x64_jmp32(X64Asm *a);
size_t x64_call32(X64Asm *a);
/** Short Jcc/JMP rel8; return the position of the rel8 field. */
size_t x64_jcc8(X64Asm *a, X64Cond cc);
size_t x64_jmp8(X64Asm *a);
/** Point the rel8 at field_pos to the current position (must be near). */
void x64_bind_rel8(X64Asm *a, size_t field_pos);
/** Point the rel32 at field_pos to buffer position target. */
void x64_set_rel32(X64Asm *a, size_t field_pos, size_t target);
/** True if a rel32 from the current position can reach executable address. */
bool x64_rel32_reaches(const X64Asm *a, uintptr_t target, int insn_len);
/** Call or jump to an absolute executable address (rel32 if reachable,
 *  else via scratch). */
void x64_call_abs(X64Asm *a, uintptr_t target, int scratch);
void x64_jmp_abs(X64Asm *a, uintptr_t target, int scratch);
void x64_push(X64Asm *a, int r);
void x64_pop(X64Asm *a, int r);
void x64_ret(X64Asm *a);
void x64_mfence(X64Asm *a);
/** Pad with multi-byte NOPs until pos % align == want. */
void x64_align(X64Asm *a, unsigned align, unsigned want);

#endif
