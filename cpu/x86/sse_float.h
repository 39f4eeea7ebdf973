/*
 * SSE floating point in software (binary32 / binary64), bit-exact with x86
 * on every host: no host float arithmetic, so NaN propagation, the default
 * NaN, rounding modes, DAZ/FTZ and the six MXCSR exception flags follow
 * the Intel SDM Vol. 1 ch. 4.8-4.9, 10.2.3 and 11.5 whatever the host does.
 *
 * Values travel as raw bits (uint64_t, binary32 in the low 32 bits). Every
 * operation takes an SseFp: the MXCSR it runs under (rounding control, DAZ,
 * FTZ, masks) and the exception flags it raised, split into pre-computation
 * (IE, DE, ZE) and post-computation (OE, UE, PE) flags, which is what
 * decides a packed instruction's #XM (SDM Vol. 1 11.5.1).
 */
#ifndef DOPPEL_CPU_X86_SSE_FLOAT_H
#define DOPPEL_CPU_X86_SSE_FLOAT_H

#include <stdbool.h>
#include <stdint.h>

/* MXCSR (SDM Vol. 1 10.2.3). */
enum {
    MXCSR_IE = 1u << 0, MXCSR_DE = 1u << 1, MXCSR_ZE = 1u << 2, MXCSR_OE = 1u << 3,
    MXCSR_UE = 1u << 4, MXCSR_PE = 1u << 5, MXCSR_FLAGS = 0x3f,
    MXCSR_DAZ = 1u << 6, MXCSR_MASK_SHIFT = 7, MXCSR_MASKS = 0x3fu << 7,
    MXCSR_RC_SHIFT = 13, MXCSR_FTZ = 1u << 15,
    MXCSR_RESET = 0x1f80,
    MXCSR_WRITABLE = 0xffff,       /* the MXCSR_MASK doppel reports in FXSAVE */
};

/* Rounding control values (MXCSR.RC, ROUNDPS imm[1:0]). */
enum { SSE_RN = 0, SSE_RD = 1, SSE_RU = 2, SSE_RZ = 3 };

typedef struct SseFp {
    uint32_t mxcsr;     /* control bits in use (flags ignored) */
    uint32_t pre;       /* IE, DE, ZE raised */
    uint32_t post;      /* OE, UE, PE raised */
} SseFp;

/* The two formats. */
typedef enum SseFmt { SSE_F32, SSE_F64 } SseFmt;

/* Two-operand arithmetic (a is the first source = destination operand). */
typedef enum SseOp { SSE_ADD, SSE_SUB, SSE_MUL, SSE_DIV, SSE_MIN, SSE_MAX } SseOp;

/** a OP b in format f (ADD/SUB/MUL/DIV/MIN/MAX with the SSE rules). */
uint64_t sse_fp_binop(SseFp *st, SseFmt f, SseOp op, uint64_t a, uint64_t b);
/** Square root (SQRTPS/SD...). */
uint64_t sse_fp_sqrt(SseFp *st, SseFmt f, uint64_t a);
/** CMPPS/CMPSS predicate imm (0..7, SDM CMPPS Table 3-1): true or false. */
bool sse_fp_cmp(SseFp *st, SseFmt f, int pred, uint64_t a, uint64_t b);
/** COMISS (signaling = true) / UCOMISS: returns ZF|PF|CF in EFLAGS positions. */
uint32_t sse_fp_comi(SseFp *st, SseFmt f, bool signaling, uint64_t a, uint64_t b);
/** Float to float (CVTSS2SD, CVTSD2SS). */
uint64_t sse_fp_convert(SseFp *st, SseFmt from, SseFmt to, uint64_t a);
/** Float to a signed integer of bits 32 or 64; trunc = CVTT* (round to
 *  zero) else MXCSR rounding. NaN / out of range: IE and the integer
 *  indefinite (only the sign bit set). */
uint64_t sse_fp_to_int(SseFp *st, SseFmt f, uint64_t a, int bits, bool trunc);
/** Signed integer (already sign-extended to 64 bits) to float. */
uint64_t sse_fp_from_int(SseFp *st, SseFmt f, int64_t v);
/** ROUNDPS/SD with imm8 (SDM ROUNDPS: bits 1:0 mode, bit 2 use MXCSR.RC,
 *  bit 3 suppress PE). */
uint64_t sse_fp_round(SseFp *st, SseFmt f, uint64_t a, int imm);
/** RCPSS / RSQRTSS (rsqrt = true) approximations, binary32 only. */
uint32_t sse_fp_rcp(uint32_t a, bool rsqrt);

#endif
