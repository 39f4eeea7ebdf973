/*
 * x87 transcendental instructions in software (x87_trans.c): F2XM1, FYL2X,
 * FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS (SDM Vol. 2 instruction pages,
 * Vol. 1 8.3.10). Results are computed with ~120-bit internal precision and
 * rounded once per RC, so they are within 1 ulp of the hardware's; the
 * argument reduction of FSIN/FCOS/FSINCOS/FPTAN uses the 66-bit pi of the
 * hardware (Vol. 1 8.3.10), exactly. PC does not apply.
 */
#ifndef DOPPEL_CPU_X86_X87_TRANS_H
#define DOPPEL_CPU_X86_X87_TRANS_H

#include <stdbool.h>

#include "cpu/x86/x87_float.h"

/** F2XM1: 2^a - 1 for -1 <= a <= 1 (outside: undefined, computed anyway). */
X86Float80 x87_f2xm1(X87Env *e, X86Float80 a);
/** FYL2X: y * log2(x). */
X86Float80 x87_fyl2x(X87Env *e, X86Float80 x, X86Float80 y);
/** FYL2XP1: y * log2(x + 1). */
X86Float80 x87_fyl2xp1(X87Env *e, X86Float80 x, X86Float80 y);
/** FPATAN: the angle of (x, y): atan(y / x) with the quadrant of Table 3-37. */
X86Float80 x87_fpatan(X87Env *e, X86Float80 x, X86Float80 y);
/** FSIN/FCOS/FSINCOS/FPTAN core: for |a| < 2^63 sets *s = sin a, *c = cos a
 *  (either may be NULL) and returns true; for |a| >= 2^63 (or infinite:
 *  IE) returns false with nothing written ("C2 = 1, out of range"), except
 *  that NaN and invalid operands return true with the NaN in *s and *c. */
bool x87_sincos(X87Env *e, X86Float80 a, X86Float80 *s, X86Float80 *c);
/** FPTAN: tan a; same range convention as x87_sincos. */
bool x87_tan(X87Env *e, X86Float80 a, X86Float80 *t);

#endif
