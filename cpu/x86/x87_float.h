/*
 * Software 80-bit extended precision arithmetic for the x87 FPU (Intel SDM
 * Vol. 1 ch. 4.2, 4.8, 4.9 and ch. 8). Bit-identical on every host: only
 * 64-bit integer arithmetic is used, never the host's long double.
 *
 * Every operation takes an X87Env: the control word in force (exception
 * masks, precision control PC, rounding control RC) and an output set of
 * status bits. Operations OR into env->flags the exception bits they raise
 * (X87_IE..X87_PE, FSW positions) and X87_C1 when the result was rounded
 * up in magnitude. They return the architectural result for the masked
 * case; for unmasked OE/UE the result carries the exponent bias adjustment
 * of SDM Vol. 1 8.5.4/8.5.5 (+-24576). The caller (x87_helper.c) decides
 * whether to store it: after an unmasked IE, DE or ZE the destination must
 * stay unchanged (SDM Vol. 1 4.9.2), after an unmasked OE/UE a memory
 * destination stays unchanged.
 */
#ifndef DOPPEL_CPU_X86_X87_FLOAT_H
#define DOPPEL_CPU_X86_X87_FLOAT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/x86/x86_cpu.h"

/* Status word bits (SDM Vol. 1 8.1.3, Figure 8-4). The exception bits
 * double as the control word mask bits (Figure 8-6). */
enum {
    X87_IE = 1u << 0, X87_DE = 1u << 1, X87_ZE = 1u << 2, X87_OE = 1u << 3,
    X87_UE = 1u << 4, X87_PE = 1u << 5, X87_SF = 1u << 6, X87_ES = 1u << 7,
    X87_C0 = 1u << 8, X87_C1 = 1u << 9, X87_C2 = 1u << 10, X87_C3 = 1u << 14,
    X87_B = 1u << 15,
    X87_EXC_MASK = 0x3f,
    X87_CC_MASK = X87_C0 | X87_C1 | X87_C2 | X87_C3,
};

/* Control word fields. */
enum {
    X87_RC_NEAREST = 0, X87_RC_DOWN = 1, X87_RC_UP = 2, X87_RC_CHOP = 3,
    X87_PC_24 = 0, X87_PC_53 = 2, X87_PC_64 = 3,
};

typedef struct X87Env {
    uint16_t cw;        /* control word in force */
    uint16_t flags;     /* out: X87_IE..X87_SF raised, X87_C1 if rounded up */
} X87Env;

/* Operand classes (SDM Vol. 1 8.2.2, Table 8-3; unsupported: 8.2.2). */
typedef enum X87Class {
    X87_ZERO, X87_NORMAL, X87_DENORMAL, X87_INF, X87_QNAN, X87_SNAN, X87_UNSUPPORTED,
} X87Class;

/** Class of an 80-bit value. Pseudo-denormals count as X87_DENORMAL;
 *  pseudo-NaN, pseudo-infinity and unnormals as X87_UNSUPPORTED. */
X87Class x87_classify(X86Float80 a);

/** A value from its parts. */
static inline X86Float80 x87_make(bool sign, uint16_t exp, uint64_t mant)
{
    X86Float80 r = { mant, (uint16_t)((sign ? 0x8000u : 0) | (exp & 0x7fff)) };
    return r;
}
static inline bool x87_sign(X86Float80 a) { return a.sign_exp >> 15; }
static inline int x87_exp(X86Float80 a) { return a.sign_exp & 0x7fff; }
static inline X86Float80 x87_neg(X86Float80 a) { a.sign_exp ^= 0x8000; return a; }
static inline X86Float80 x87_abs(X86Float80 a) { a.sign_exp &= 0x7fff; return a; }

/** The QNaN floating-point indefinite 0xFFFF C000000000000000 (Table 4-3). */
static inline X86Float80 x87_indefinite(void) { return x87_make(true, 0x7fff, 0xc000000000000000ull); }

/* ---- arithmetic (PC applies: SDM Vol. 1 8.1.5.2) ---- */
/** a + b, a - b, a * b, a / b, sqrt(a), rounded per RC and PC. */
X86Float80 x87_add(X87Env *e, X86Float80 a, X86Float80 b);
X86Float80 x87_sub(X87Env *e, X86Float80 a, X86Float80 b);
X86Float80 x87_mul(X87Env *e, X86Float80 a, X86Float80 b);
X86Float80 x87_div(X87Env *e, X86Float80 a, X86Float80 b);
X86Float80 x87_sqrt(X87Env *e, X86Float80 a);

/* ---- other operations (64-bit precision) ---- */
/** FRNDINT: round to an integral value per RC. */
X86Float80 x87_round_int(X87Env *e, X86Float80 a);
/** FSCALE: a * 2^trunc(b). */
X86Float80 x87_scale(X87Env *e, X86Float80 a, X86Float80 b);
/** FXTRACT: *exp_out = the unbiased exponent of a as a value, returns the
 *  significand (exponent 0). */
X86Float80 x87_xtract(X87Env *e, X86Float80 a, X86Float80 *exp_out);
/** FPREM (nearest = false) / FPREM1 (true). *cc gets C0..C3 (FSW
 *  positions): quotient bits Q2 -> C0, Q1 -> C3, Q0 -> C1, and C2 = 1 for
 *  an incomplete (partial) reduction. */
X86Float80 x87_prem(X87Env *e, X86Float80 a, X86Float80 b, bool nearest, uint16_t *cc);

/** Compare a with b: -1 (a < b), 0 (equal), 1 (a > b), 2 (unordered).
 *  quiet (FUCOM): only SNaN raises IE; otherwise any NaN raises IE.
 *  Unsupported operands raise IE and compare unordered. */
int x87_compare(X87Env *e, X86Float80 a, X86Float80 b, bool quiet);

/* ---- conversions ---- */
/** Exact integer to extended. */
X86Float80 x87_from_int64(int64_t v);
/** Extended to a signed integer of bits (16, 32, 64) with RC (truncate if
 *  chop); NaN, infinity or out of range: IE and the integer indefinite
 *  (only the top bit set). Result sign-extended to 64 bits otherwise. */
int64_t x87_to_int(X87Env *e, X86Float80 a, int bits, bool truncate);
/** IEEE single/double to extended (exact; DE for denormals, IE and quieted
 *  for SNaN). */
X86Float80 x87_from_f32(X87Env *e, uint32_t v);
X86Float80 x87_from_f64(X87Env *e, uint64_t v);
/** Extended to single/double with RC and the target's exponent range
 *  (OE/UE/PE as for FST; NaN payloads truncated, SNaN quieted with IE). */
uint32_t x87_to_f32(X87Env *e, X86Float80 a);
uint64_t x87_to_f64(X87Env *e, X86Float80 a);
/** Packed BCD (10 bytes, SDM Vol. 1 4.7) to extended (FBLD). */
X86Float80 x87_from_bcd(const uint8_t bcd[10]);
/** Extended to packed BCD (FBSTP): rounded per RC; out of range, NaN or
 *  infinity: IE and the BCD indefinite. */
void x87_to_bcd(X87Env *e, X86Float80 a, uint8_t bcd[10]);

/* ---- building blocks shared with x87_trans.c ---- */

/** Round the value sign * (hi:lo / 2^127) * 2^(exp - 16383) (hi bit 63 set,
 *  bits below lo bit 0 ORed into lo bit 0) to prec bits of significand
 *  with RC of e, detecting underflow before rounding and overflow after,
 *  and pack it as an extended value (masked and unmasked responses). */
X86Float80 x87_round_pack(X87Env *e, bool sign, int32_t exp, uint64_t hi, uint64_t lo, int prec);
/** NaN result of an operation with NaN operand(s) a and/or b (Table 4-7):
 *  SNaN raise IE and are quieted; of two NaNs the QNaN wins over the SNaN,
 *  else the larger significand. Pass b = a for a single operand. */
X86Float80 x87_propagate_nan(X87Env *e, X86Float80 a, X86Float80 b);
/** Unpack a finite nonzero value: *exp biased, *mant normalized (bit 63
 *  set); pseudo-denormals and denormals normalized. */
void x87_unpack(X86Float80 a, int32_t *exp, uint64_t *mant);

#endif
