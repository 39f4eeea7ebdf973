/*
 * Pure C semantics of the harder x86 integer instructions: multiply,
 * divide, shifts and rotates, double shifts, bit tests and scans, POPCNT
 * and the BCD adjusts (Intel SDM Vol. 2, AMD APM Vol. 3).
 *
 * Every function works on an operand size in bytes (1, 2, 4 or 8), takes
 * operands zero-extended to 64 bits and returns results zero-extended.
 * "flags" is the six arithmetic EFLAGS bits (X86_ARITH_FLAGS): on entry the
 * flags before the instruction (some instructions read CF/AF or leave
 * flags alone), on return the flags after it. Flags the manuals leave
 * undefined are set the way the AMD (Zen) host of the differential test
 * (tests/unit/test_x86_helpers.c) sets them; the comments in the .c file
 * say which choice was measured and which could not be.
 *
 * Nothing here touches a CPU: the translator's helpers (x86_gen_arith.c)
 * wrap these and raise #DE where a function reports it.
 */
#ifndef DOPPEL_CPU_X86_X86_HELPER_ARITH_H
#define DOPPEL_CPU_X86_X86_HELPER_ARITH_H

#include <stdbool.h>
#include <stdint.h>

/* Group 2 operations in ModRM.reg order (SDM Vol. 2 Table A-6). */
typedef enum X86ShiftOp {
    X86_SH_ROL, X86_SH_ROR, X86_SH_RCL, X86_SH_RCR,
    X86_SH_SHL, X86_SH_SHR, X86_SH_SAL, X86_SH_SAR,
} X86ShiftOp;

/* BT family (0F A3/AB/B3/BB, group 8 /4../7 minus 4). */
typedef enum X86BitOp { X86_BT, X86_BTS, X86_BTR, X86_BTC } X86BitOp;

/* BCD adjusts. */
typedef enum X86BcdOp { X86_DAA, X86_DAS, X86_AAA, X86_AAS, X86_AAM, X86_AAD } X86BcdOp;

/** All ones in the low 8*size bits. */
static inline uint64_t x86_arith_mask(unsigned size)
{
    return size >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * size)) - 1;
}

/** SF, ZF and PF of a result of the given size (SDM Vol. 1 3.4.3.1). */
uint32_t x86_flags_szp(unsigned size, uint64_t res);

/** MUL: unsigned a * b; returns the low half, *hi the high half.
 *  CF = OF = (hi != 0) (SDM MUL). */
uint64_t x86_arith_mul(unsigned size, uint64_t a, uint64_t b, uint64_t *hi, uint32_t *flags);
/** IMUL (all forms): signed a * b; returns the low half, *hi the high half.
 *  CF = OF = (the product does not fit the low half) (SDM IMUL). */
uint64_t x86_arith_imul(unsigned size, uint64_t a, uint64_t b, uint64_t *hi, uint32_t *flags);

/** DIV: hi:lo / divisor (each size bytes). Returns false for #DE (divisor
 *  0 or quotient too large: SDM DIV); the outputs are untouched then. */
bool x86_arith_div(unsigned size, uint64_t hi, uint64_t lo, uint64_t divisor, uint64_t *quot,
                   uint64_t *rem, uint32_t *flags);
/** IDIV: signed hi:lo / divisor, quotient truncated toward zero, remainder
 *  with the dividend's sign. False for #DE (SDM IDIV). */
bool x86_arith_idiv(unsigned size, uint64_t hi, uint64_t lo, uint64_t divisor, uint64_t *quot,
                    uint64_t *rem, uint32_t *flags);

/** Group 2 shift/rotate of val by count (the raw CL or imm8: masking to 5
 *  or 6 bits, and the modulo 9/17 of RCL/RCR, happen here). */
uint64_t x86_arith_shift(X86ShiftOp op, unsigned size, uint64_t val, uint64_t count, uint32_t *flags);
/** SHLD (right = false) or SHRD (right = true) of dst with bits from src. */
uint64_t x86_arith_shd(bool right, unsigned size, uint64_t dst, uint64_t src, uint64_t count,
                       uint32_t *flags);

/** BT/BTS/BTR/BTC on bit (bit < 8 * size: the caller masks): CF = old bit;
 *  returns the new value. */
uint64_t x86_arith_bt(X86BitOp op, unsigned size, uint64_t val, unsigned bit, uint32_t *flags);
/** BSF (reverse = false) or BSR of src: returns the new destination, which
 *  is dst (unchanged) when src is 0 (ZF = 1). */
uint64_t x86_arith_bsf_bsr(bool reverse, unsigned size, uint64_t dst, uint64_t src, uint32_t *flags);
/** POPCNT: ZF = (src == 0), the other five flags cleared (SDM POPCNT). */
uint64_t x86_arith_popcnt(unsigned size, uint64_t src, uint32_t *flags);

/** DAA/DAS/AAA/AAS/AAM/AAD on AX with immediate imm (AAM/AAD base).
 *  Returns false for AAM with imm == 0 (#DE); otherwise the new AX. */
bool x86_arith_bcd(X86BcdOp op, uint16_t ax, uint8_t imm, uint16_t *ax_out, uint32_t *flags);

#endif
