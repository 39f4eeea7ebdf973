/*
 * C helpers behind the MMX/SSE..SSE4.2 instructions (sse_helper.c integer
 * and shuffle operations, sse_helper_fp.c floating point, sse_helper_state.c
 * FXSAVE/FXRSTOR, LDMXCSR and the MMX state transition).
 *
 * Vector operands are pointers into the X86Cpu: an XMM register, an MMX
 * register (X86Cpu.fpregs[i].mant) or X86Cpu.sse_tmp, where the translator
 * (sse_gen*.c) put a memory operand. len is the vector width in bytes: 8
 * for MMX registers, 16 for XMM registers.
 */
#ifndef DOPPEL_CPU_X86_SSE_HELPER_H
#define DOPPEL_CPU_X86_SSE_HELPER_H

#include <stdint.h>

#include "cpu/ir/ir.h"
#include "cpu/x86/x86_cpu.h"

/* Integer, logic and shuffle operations (sse_helper_int). Unless noted,
 * d = d OP s lane by lane. */
typedef enum SseIntOp {
    SI_PADDB, SI_PADDW, SI_PADDD, SI_PADDQ, SI_PSUBB, SI_PSUBW, SI_PSUBD, SI_PSUBQ,
    SI_PADDSB, SI_PADDSW, SI_PADDUSB, SI_PADDUSW, SI_PSUBSB, SI_PSUBSW, SI_PSUBUSB, SI_PSUBUSW,
    SI_PMULLW, SI_PMULHW, SI_PMULHUW, SI_PMULUDQ, SI_PMADDWD, SI_PSADBW, SI_PAVGB, SI_PAVGW,
    SI_PMINUB, SI_PMAXUB, SI_PMINSW, SI_PMAXSW,
    SI_PCMPEQB, SI_PCMPEQW, SI_PCMPEQD, SI_PCMPGTB, SI_PCMPGTW, SI_PCMPGTD,
    SI_PACKSSWB, SI_PACKUSWB, SI_PACKSSDW,
    SI_PUNPCKLBW, SI_PUNPCKLWD, SI_PUNPCKLDQ, SI_PUNPCKLQDQ,
    SI_PUNPCKHBW, SI_PUNPCKHWD, SI_PUNPCKHDQ, SI_PUNPCKHQDQ,
    SI_PSRLW, SI_PSRLD, SI_PSRLQ, SI_PSRAW, SI_PSRAD, SI_PSLLW, SI_PSLLD, SI_PSLLQ,
    SI_PSRLDQ, SI_PSLLDQ,                  /* byte shift by imm */
    SI_PSHUFW, SI_PSHUFD, SI_PSHUFHW, SI_PSHUFLW,   /* d = shuffle(s, imm) */
    SI_SHUFPS, SI_SHUFPD,                  /* imm */
    SI_UNPCKLPS, SI_UNPCKHPS, SI_UNPCKLPD, SI_UNPCKHPD,
    SI_PMOVMSKB, SI_MOVMSKPS, SI_MOVMSKPD, /* return the mask of s */
    SI_PINSRW, SI_PEXTRW,                  /* imm: lane; PINSRW value in s, PEXTRW returns */
    SI_MASKMOV,                            /* returns nothing: done by the translator */
    /* SSE3 */
    SI_MOVSLDUP, SI_MOVSHDUP, SI_MOVDDUP,
    /* SSSE3 */
    SI_PSHUFB, SI_PHADDW, SI_PHADDD, SI_PHADDSW, SI_PMADDUBSW, SI_PHSUBW, SI_PHSUBD, SI_PHSUBSW,
    SI_PSIGNB, SI_PSIGNW, SI_PSIGND, SI_PMULHRSW, SI_PABSB, SI_PABSW, SI_PABSD, SI_PALIGNR,
    /* SSE4.1 */
    SI_PBLENDVB, SI_BLENDVPS, SI_BLENDVPD, SI_PTEST, SI_PMULDQ, SI_PCMPEQQ, SI_PACKUSDW,
    SI_PMOVSXBW, SI_PMOVSXBD, SI_PMOVSXBQ, SI_PMOVSXWD, SI_PMOVSXWQ, SI_PMOVSXDQ,
    SI_PMOVZXBW, SI_PMOVZXBD, SI_PMOVZXBQ, SI_PMOVZXWD, SI_PMOVZXWQ, SI_PMOVZXDQ,
    SI_PMINSB, SI_PMINSD, SI_PMINUW, SI_PMINUD, SI_PMAXSB, SI_PMAXSD, SI_PMAXUW, SI_PMAXUD,
    SI_PMULLD, SI_PHMINPOSUW, SI_BLENDPS, SI_BLENDPD, SI_PBLENDW, SI_MPSADBW,
    SI_PEXTRB, SI_PEXTRD, SI_PEXTRQ, SI_EXTRACTPS, SI_PINSRB, SI_PINSRD, SI_PINSRQ, SI_INSERTPS,
    /* SSE4.2 and friends */
    SI_PCMPGTQ, SI_PCMPESTRI, SI_PCMPESTRM, SI_PCMPISTRI, SI_PCMPISTRM, SI_PCLMULQDQ,
    SI_NB_OPS
} SseIntOp;

/* Floating-point operations (sse_helper_fp). */
typedef enum SseFpOp {
    SF_ADD, SF_SUB, SF_MUL, SF_DIV, SF_MIN, SF_MAX, SF_SQRT, SF_CMP, SF_RCP, SF_RSQRT,
    SF_COMI, SF_UCOMI,                     /* return ZF/PF/CF */
    SF_HADD, SF_HSUB, SF_ADDSUB, SF_ROUND, SF_DP,
    SF_CVT_F2F,                            /* CVTSS2SD / CVTSD2SS / CVTPS2PD / CVTPD2PS */
    SF_CVT_DQ2F,                           /* CVTDQ2PS / CVTDQ2PD / CVTPI2PS / CVTPI2PD */
    SF_CVT_F2DQ, SF_CVTT_F2DQ,             /* CVT(T)PS2DQ / CVT(T)PD2DQ / CVT(T)PS2PI / CVT(T)PD2PI */
    SF_CVT_SI2F,                           /* CVTSI2SS/SD: s = sse_tmp holding the integer */
    SF_CVT_F2SI, SF_CVTT_F2SI,             /* CVT(T)SS2SI / CVT(T)SD2SI: return the integer */
} SseFpOp;

/* Lane shape of a floating-point operation, plus modifier bits. */
typedef enum SseShape { SH_PS, SH_PD, SH_SS, SH_SD } SseShape;
enum {
    SH_KIND = 3,
    SH_D64 = 1u << 8,          /* d is an MMX register (CVT*2PI) */
    SH_S64 = 1u << 9,          /* s is an MMX register or m64 (CVTPI2*) */
    SH_INT64 = 1u << 10,       /* the integer of CVTSI2S* / CVTS*2SI is 64-bit */
};

/** Integer/shuffle op on d (len bytes) and s; imm is the instruction's
 *  immediate (or the count for shifts by immediate). Returns a result for
 *  the ops that produce a scalar (masks, PEXTR*, PTEST/PCMPxSTRI flags). */
uint64_t sse_helper_int(X86Cpu *env, void *d, const void *s, uint64_t op, uint64_t len, uint64_t imm);
/** Floating-point op (SseFpOp) of shape (SseShape | SH_* bits) under
 *  env->mxcsr: raises #XM/#UD for unmasked exceptions, leaving d
 *  unchanged (SDM Vol. 1 11.5.3). Returns EFLAGS bits or an integer. */
uint64_t sse_helper_fp(X86Cpu *env, void *d, const void *s, uint64_t op, uint64_t shape, uint64_t imm);
/** PCMPxSTRx: d = xmm1, s = xmm2/m128, imm; mode = SI_PCMPESTRI..
 *  SI_PCMPISTRM (E forms take the lengths from EAX/RAX and EDX/RDX, with
 *  REX.W in bit 8 of mode). Mask forms write XMM0. Returns the six
 *  arithmetic flags (EFLAGS positions) | the index (I forms) << 32. */
uint64_t sse_helper_pcmpstr(X86Cpu *env, const void *d, const void *s, uint64_t imm, uint64_t mode);
/** CRC32 (SSE4.2): crc updated with the low size bytes of v (Castagnoli). */
uint64_t sse_helper_crc32(uint64_t crc, uint64_t v, uint64_t size);
/** LDMXCSR: #GP(0) if reserved bits are set. */
void sse_helper_ldmxcsr(X86Cpu *env, uint64_t val);
/** The MMX transition (SDM Vol. 1 9.5.1): #MF if an x87 exception is
 *  pending, then TOP = 0 and all tags valid. */
void sse_helper_mmx_enter(X86Cpu *env);
/** FXSAVE / FXSAVE64 (rex_w) at linear addr (SDM Vol. 2 FXSAVE). */
void sse_helper_fxsave(X86Cpu *env, uint64_t addr, uint64_t rex_w);
/** FXRSTOR / FXRSTOR64. */
void sse_helper_fxrstor(X86Cpu *env, uint64_t addr, uint64_t rex_w);

/** C-level entry points shared with the tests: the x87 part of the
 *  FXSAVE image (bytes 0..159) from / into the state. */
void sse_fxsave_x87(const X86Cpu *env, uint8_t *area, bool rex_w);
void sse_fxrstor_x87(X86Cpu *env, const uint8_t *area, bool rex_w);

extern const IrHelper sse_helper_int_def;
extern const IrHelper sse_helper_fp_def;
extern const IrHelper sse_helper_pcmpstr_def;
extern const IrHelper sse_helper_crc32_def;
extern const IrHelper sse_helper_ldmxcsr_def;
extern const IrHelper sse_helper_mmx_enter_def;
extern const IrHelper sse_helper_fxsave_def;
extern const IrHelper sse_helper_fxrstor_def;

#endif
