/*
 * Differential test of doppel's SSE semantics against the host CPU (x86-64
 * hosts only): every helper operation (cpu/x86/sse_helper*.c, with the
 * software float of sse_float.c) runs on random and edge-case inputs -
 * NaNs with payloads, SNaNs, infinities, denormals, values at the
 * underflow and overflow boundaries, integer saturation edges - under a
 * random MXCSR (all four rounding modes, DAZ and FTZ on and off,
 * exceptions masked), and the destination bits and the MXCSR flags must
 * equal what the host instruction produced (Intel SDM Vol. 1 ch. 4, 10, 11
 * define the results; the host is the oracle).
 *
 * Each host instruction is a 16-byte stub in a table assembled below from
 * the X-macro lists: xmm0 = destination/first source, xmm1 = second
 * source, rax/rdx for integer operands and results, flags via PUSHF. The
 * MMX forms run the same way on mm0/mm1.
 *
 * RCPPS/RSQRTPS are approximations whose bits differ between CPU vendors
 * (the SDM bounds only their relative error): they are checked against
 * that bound instead.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/sse_float.h"
#include "cpu/x86/sse_helper.h"

#define ITERS 3000

typedef enum { K_VEC, K_COMI, K_TOINT, K_FROMINT, K_INT, K_MMX, K_MASK, K_STR, K_CRC } Kind;

typedef struct Case {
    const char *insn;
    Kind kind;
    int op;         /* SseFpOp / SseIntOp */
    int shape;      /* float: SseShape | SH_*; int: lane hint for the generator */
    int imm;
} Case;

/* X(asm, kind, op, shape, imm): stub i is at test_sse_stubs + 16 * i. */
#define CASES(X) \
    X("addps %xmm1, %xmm0", K_VEC, SF_ADD, SH_PS, 0) \
    X("addpd %xmm1, %xmm0", K_VEC, SF_ADD, SH_PD, 0) \
    X("addss %xmm1, %xmm0", K_VEC, SF_ADD, SH_SS, 0) \
    X("addsd %xmm1, %xmm0", K_VEC, SF_ADD, SH_SD, 0) \
    X("subps %xmm1, %xmm0", K_VEC, SF_SUB, SH_PS, 0) \
    X("subsd %xmm1, %xmm0", K_VEC, SF_SUB, SH_SD, 0) \
    X("mulps %xmm1, %xmm0", K_VEC, SF_MUL, SH_PS, 0) \
    X("mulpd %xmm1, %xmm0", K_VEC, SF_MUL, SH_PD, 0) \
    X("mulss %xmm1, %xmm0", K_VEC, SF_MUL, SH_SS, 0) \
    X("divps %xmm1, %xmm0", K_VEC, SF_DIV, SH_PS, 0) \
    X("divpd %xmm1, %xmm0", K_VEC, SF_DIV, SH_PD, 0) \
    X("divsd %xmm1, %xmm0", K_VEC, SF_DIV, SH_SD, 0) \
    X("minps %xmm1, %xmm0", K_VEC, SF_MIN, SH_PS, 0) \
    X("maxps %xmm1, %xmm0", K_VEC, SF_MAX, SH_PS, 0) \
    X("minsd %xmm1, %xmm0", K_VEC, SF_MIN, SH_SD, 0) \
    X("maxpd %xmm1, %xmm0", K_VEC, SF_MAX, SH_PD, 0) \
    X("sqrtps %xmm1, %xmm0", K_VEC, SF_SQRT, SH_PS, 0) \
    X("sqrtpd %xmm1, %xmm0", K_VEC, SF_SQRT, SH_PD, 0) \
    X("sqrtss %xmm1, %xmm0", K_VEC, SF_SQRT, SH_SS, 0) \
    X("sqrtsd %xmm1, %xmm0", K_VEC, SF_SQRT, SH_SD, 0) \
    X("cmpps $0, %xmm1, %xmm0", K_VEC, SF_CMP, SH_PS, 0) \
    X("cmpps $1, %xmm1, %xmm0", K_VEC, SF_CMP, SH_PS, 1) \
    X("cmpps $2, %xmm1, %xmm0", K_VEC, SF_CMP, SH_PS, 2) \
    X("cmpps $3, %xmm1, %xmm0", K_VEC, SF_CMP, SH_PS, 3) \
    X("cmppd $4, %xmm1, %xmm0", K_VEC, SF_CMP, SH_PD, 4) \
    X("cmppd $5, %xmm1, %xmm0", K_VEC, SF_CMP, SH_PD, 5) \
    X("cmpss $6, %xmm1, %xmm0", K_VEC, SF_CMP, SH_SS, 6) \
    X("cmpsd $7, %xmm1, %xmm0", K_VEC, SF_CMP, SH_SD, 7) \
    X("comiss %xmm1, %xmm0\n pushfq\n pop %rax", K_COMI, SF_COMI, SH_SS, 0) \
    X("ucomiss %xmm1, %xmm0\n pushfq\n pop %rax", K_COMI, SF_UCOMI, SH_SS, 0) \
    X("comisd %xmm1, %xmm0\n pushfq\n pop %rax", K_COMI, SF_COMI, SH_SD, 0) \
    X("ucomisd %xmm1, %xmm0\n pushfq\n pop %rax", K_COMI, SF_UCOMI, SH_SD, 0) \
    X("haddps %xmm1, %xmm0", K_VEC, SF_HADD, SH_PS, 0) \
    X("hsubpd %xmm1, %xmm0", K_VEC, SF_HSUB, SH_PD, 0) \
    X("addsubps %xmm1, %xmm0", K_VEC, SF_ADDSUB, SH_PS, 0) \
    X("addsubpd %xmm1, %xmm0", K_VEC, SF_ADDSUB, SH_PD, 0) \
    X("cvtss2sd %xmm1, %xmm0", K_VEC, SF_CVT_F2F, SH_SS, 0) \
    X("cvtsd2ss %xmm1, %xmm0", K_VEC, SF_CVT_F2F, SH_SD, 0) \
    X("cvtps2pd %xmm1, %xmm0", K_VEC, SF_CVT_F2F, SH_PS, 0) \
    X("cvtpd2ps %xmm1, %xmm0", K_VEC, SF_CVT_F2F, SH_PD, 0) \
    X("cvtdq2ps %xmm1, %xmm0", K_VEC, SF_CVT_DQ2F, SH_PS, 0) \
    X("cvtdq2pd %xmm1, %xmm0", K_VEC, SF_CVT_DQ2F, SH_PD, 0) \
    X("cvtps2dq %xmm1, %xmm0", K_VEC, SF_CVT_F2DQ, SH_PS, 0) \
    X("cvttps2dq %xmm1, %xmm0", K_VEC, SF_CVTT_F2DQ, SH_PS, 0) \
    X("cvtpd2dq %xmm1, %xmm0", K_VEC, SF_CVT_F2DQ, SH_PD, 0) \
    X("cvttpd2dq %xmm1, %xmm0", K_VEC, SF_CVTT_F2DQ, SH_PD, 0) \
    X("roundps $0, %xmm1, %xmm0", K_VEC, SF_ROUND, SH_PS, 0) \
    X("roundps $9, %xmm1, %xmm0", K_VEC, SF_ROUND, SH_PS, 9) \
    X("roundpd $2, %xmm1, %xmm0", K_VEC, SF_ROUND, SH_PD, 2) \
    X("roundss $4, %xmm1, %xmm0", K_VEC, SF_ROUND, SH_SS, 4) \
    X("roundsd $3, %xmm1, %xmm0", K_VEC, SF_ROUND, SH_SD, 3) \
    X("dpps $0xff, %xmm1, %xmm0", K_VEC, SF_DP, SH_PS, 0xff) \
    X("dpps $0x5a, %xmm1, %xmm0", K_VEC, SF_DP, SH_PS, 0x5a) \
    X("dppd $0x31, %xmm1, %xmm0", K_VEC, SF_DP, SH_PD, 0x31) \
    X("cvtss2si %xmm1, %eax", K_TOINT, SF_CVT_F2SI, SH_SS, 0) \
    X("cvttss2si %xmm1, %rax", K_TOINT, SF_CVTT_F2SI, SH_SS | SH_INT64, 0) \
    X("cvtsd2si %xmm1, %rax", K_TOINT, SF_CVT_F2SI, SH_SD | SH_INT64, 0) \
    X("cvttsd2si %xmm1, %eax", K_TOINT, SF_CVTT_F2SI, SH_SD, 0) \
    X("cvtsi2ss %eax, %xmm0", K_FROMINT, SF_CVT_SI2F, SH_SS, 0) \
    X("cvtsi2ssq %rax, %xmm0", K_FROMINT, SF_CVT_SI2F, SH_SS | SH_INT64, 0) \
    X("cvtsi2sdq %rax, %xmm0", K_FROMINT, SF_CVT_SI2F, SH_SD | SH_INT64, 0) \
    X("paddb %xmm1, %xmm0", K_INT, SI_PADDB, 1, 0) \
    X("paddsw %xmm1, %xmm0", K_INT, SI_PADDSW, 2, 0) \
    X("paddusb %xmm1, %xmm0", K_INT, SI_PADDUSB, 1, 0) \
    X("psubsb %xmm1, %xmm0", K_INT, SI_PSUBSB, 1, 0) \
    X("psubusw %xmm1, %xmm0", K_INT, SI_PSUBUSW, 2, 0) \
    X("psubq %xmm1, %xmm0", K_INT, SI_PSUBQ, 8, 0) \
    X("pmullw %xmm1, %xmm0", K_INT, SI_PMULLW, 2, 0) \
    X("pmulhw %xmm1, %xmm0", K_INT, SI_PMULHW, 2, 0) \
    X("pmulhuw %xmm1, %xmm0", K_INT, SI_PMULHUW, 2, 0) \
    X("pmuludq %xmm1, %xmm0", K_INT, SI_PMULUDQ, 4, 0) \
    X("pmaddwd %xmm1, %xmm0", K_INT, SI_PMADDWD, 2, 0) \
    X("psadbw %xmm1, %xmm0", K_INT, SI_PSADBW, 1, 0) \
    X("pavgb %xmm1, %xmm0", K_INT, SI_PAVGB, 1, 0) \
    X("pminsw %xmm1, %xmm0", K_INT, SI_PMINSW, 2, 0) \
    X("pmaxub %xmm1, %xmm0", K_INT, SI_PMAXUB, 1, 0) \
    X("pcmpgtd %xmm1, %xmm0", K_INT, SI_PCMPGTD, 4, 0) \
    X("pcmpeqw %xmm1, %xmm0", K_INT, SI_PCMPEQW, 2, 0) \
    X("pcmpeqb %xmm1, %xmm0", K_INT, SI_PCMPEQB, 1, 0) \
    X("pcmpeqd %xmm1, %xmm0", K_INT, SI_PCMPEQD, 4, 0) \
    X("pminub %xmm1, %xmm0", K_INT, SI_PMINUB, 1, 0) \
    X("psubb %xmm1, %xmm0", K_INT, SI_PSUBB, 1, 0) \
    X("paddd %xmm1, %xmm0", K_INT, SI_PADDD, 4, 0) \
    X("psubd %xmm1, %xmm0", K_INT, SI_PSUBD, 4, 0) \
    X("paddq %xmm1, %xmm0", K_INT, SI_PADDQ, 8, 0) \
    X("packsswb %xmm1, %xmm0", K_INT, SI_PACKSSWB, 2, 0) \
    X("packuswb %xmm1, %xmm0", K_INT, SI_PACKUSWB, 2, 0) \
    X("packssdw %xmm1, %xmm0", K_INT, SI_PACKSSDW, 4, 0) \
    X("punpcklbw %xmm1, %xmm0", K_INT, SI_PUNPCKLBW, 1, 0) \
    X("punpckhwd %xmm1, %xmm0", K_INT, SI_PUNPCKHWD, 2, 0) \
    X("punpckhqdq %xmm1, %xmm0", K_INT, SI_PUNPCKHQDQ, 8, 0) \
    X("psraw %xmm1, %xmm0", K_INT, SI_PSRAW, 9, 0) \
    X("psrld %xmm1, %xmm0", K_INT, SI_PSRLD, 9, 0) \
    X("psllq %xmm1, %xmm0", K_INT, SI_PSLLQ, 9, 0) \
    X("pshufd $0x1b, %xmm1, %xmm0", K_INT, SI_PSHUFD, 4, 0x1b) \
    X("pshufhw $0x93, %xmm1, %xmm0", K_INT, SI_PSHUFHW, 2, 0x93) \
    X("pshuflw $0x4e, %xmm1, %xmm0", K_INT, SI_PSHUFLW, 2, 0x4e) \
    X("shufps $0x72, %xmm1, %xmm0", K_INT, SI_SHUFPS, 4, 0x72) \
    X("shufpd $0x2, %xmm1, %xmm0", K_INT, SI_SHUFPD, 8, 2) \
    X("unpcklps %xmm1, %xmm0", K_INT, SI_UNPCKLPS, 4, 0) \
    X("psrldq $3, %xmm0", K_INT, SI_PSRLDQ, 1, 3) \
    X("pslldq $13, %xmm0", K_INT, SI_PSLLDQ, 1, 13) \
    X("movshdup %xmm1, %xmm0", K_INT, SI_MOVSHDUP, 4, 0) \
    X("movddup %xmm1, %xmm0", K_INT, SI_MOVDDUP, 8, 0) \
    X("pshufb %xmm1, %xmm0", K_INT, SI_PSHUFB, 1, 0) \
    X("phaddw %xmm1, %xmm0", K_INT, SI_PHADDW, 2, 0) \
    X("phaddsw %xmm1, %xmm0", K_INT, SI_PHADDSW, 2, 0) \
    X("phsubd %xmm1, %xmm0", K_INT, SI_PHSUBD, 4, 0) \
    X("pmaddubsw %xmm1, %xmm0", K_INT, SI_PMADDUBSW, 1, 0) \
    X("psignw %xmm1, %xmm0", K_INT, SI_PSIGNW, 2, 0) \
    X("pmulhrsw %xmm1, %xmm0", K_INT, SI_PMULHRSW, 2, 0) \
    X("pabsb %xmm1, %xmm0", K_INT, SI_PABSB, 1, 0) \
    X("pabsd %xmm1, %xmm0", K_INT, SI_PABSD, 4, 0) \
    X("palignr $5, %xmm1, %xmm0", K_INT, SI_PALIGNR, 1, 5) \
    X("palignr $21, %xmm1, %xmm0", K_INT, SI_PALIGNR, 1, 21) \
    X("pmuldq %xmm1, %xmm0", K_INT, SI_PMULDQ, 4, 0) \
    X("pcmpeqq %xmm1, %xmm0", K_INT, SI_PCMPEQQ, 8, 0) \
    X("packusdw %xmm1, %xmm0", K_INT, SI_PACKUSDW, 4, 0) \
    X("pmovsxbw %xmm1, %xmm0", K_INT, SI_PMOVSXBW, 1, 0) \
    X("pmovzxwq %xmm1, %xmm0", K_INT, SI_PMOVZXWQ, 2, 0) \
    X("pmovsxdq %xmm1, %xmm0", K_INT, SI_PMOVSXDQ, 4, 0) \
    X("pminsb %xmm1, %xmm0", K_INT, SI_PMINSB, 1, 0) \
    X("pmaxud %xmm1, %xmm0", K_INT, SI_PMAXUD, 4, 0) \
    X("pminuw %xmm1, %xmm0", K_INT, SI_PMINUW, 2, 0) \
    X("pmulld %xmm1, %xmm0", K_INT, SI_PMULLD, 4, 0) \
    X("phminposuw %xmm1, %xmm0", K_INT, SI_PHMINPOSUW, 2, 0) \
    X("blendps $5, %xmm1, %xmm0", K_INT, SI_BLENDPS, 4, 5) \
    X("pblendw $0xa6, %xmm1, %xmm0", K_INT, SI_PBLENDW, 2, 0xa6) \
    X("mpsadbw $5, %xmm1, %xmm0", K_INT, SI_MPSADBW, 1, 5) \
    X("insertps $0x9a, %xmm1, %xmm0", K_INT, SI_INSERTPS, 4, 0x9a) \
    X("pcmpgtq %xmm1, %xmm0", K_INT, SI_PCMPGTQ, 8, 0) \
    X("pclmulqdq $0x10, %xmm1, %xmm0", K_INT, SI_PCLMULQDQ, 8, 0x10) \
    X("pmovmskb %xmm1, %eax", K_MASK, SI_PMOVMSKB, 16, 0) \
    X("movmskps %xmm1, %eax", K_MASK, SI_MOVMSKPS, 16, 0) \
    X("movmskpd %xmm1, %eax", K_MASK, SI_MOVMSKPD, 16, 0) \
    X("pextrw $5, %xmm1, %eax", K_MASK, SI_PEXTRW, 16, 5) \
    X("paddusw %mm1, %mm0", K_MMX, SI_PADDUSW, 2, 0) \
    X("pcmpeqb %mm1, %mm0", K_MMX, SI_PCMPEQB, 1, 0) \
    X("pminub %mm1, %mm0", K_MMX, SI_PMINUB, 1, 0) \
    X("paddq %mm1, %mm0", K_MMX, SI_PADDQ, 8, 0) \
    X("psubsb %mm1, %mm0", K_MMX, SI_PSUBSB, 1, 0) \
    X("pmaddwd %mm1, %mm0", K_MMX, SI_PMADDWD, 2, 0) \
    X("packsswb %mm1, %mm0", K_MMX, SI_PACKSSWB, 2, 0) \
    X("punpckhbw %mm1, %mm0", K_MMX, SI_PUNPCKHBW, 1, 0) \
    X("punpckldq %mm1, %mm0", K_MMX, SI_PUNPCKLDQ, 4, 0) \
    X("psrlw %mm1, %mm0", K_MMX, SI_PSRLW, 9, 0) \
    X("pshufw $0xb1, %mm1, %mm0", K_MMX, SI_PSHUFW, 2, 0xb1) \
    X("psadbw %mm1, %mm0", K_MMX, SI_PSADBW, 1, 0) \
    X("pmuludq %mm1, %mm0", K_MMX, SI_PMULUDQ, 4, 0) \
    X("pshufb %mm1, %mm0", K_MMX, SI_PSHUFB, 1, 0) \
    X("phsubsw %mm1, %mm0", K_MMX, SI_PHSUBSW, 2, 0) \
    X("palignr $3, %mm1, %mm0", K_MMX, SI_PALIGNR, 1, 3) \
    X("pcmpistri $0x00, %xmm1, %xmm0\n pushfq\n pop %rax\n shl $32, %rcx\n or %rcx, %rax", \
      K_STR, SI_PCMPISTRI, 0, 0x00) \
    X("pcmpistri $0x0c, %xmm1, %xmm0\n pushfq\n pop %rax\n shl $32, %rcx\n or %rcx, %rax", \
      K_STR, SI_PCMPISTRI, 0, 0x0c) \
    X("pcmpistri $0x44, %xmm1, %xmm0\n pushfq\n pop %rax\n shl $32, %rcx\n or %rcx, %rax", \
      K_STR, SI_PCMPISTRI, 0, 0x44) \
    X("pcmpistrm $0x49, %xmm1, %xmm0\n pushfq\n pop %rax", K_STR, SI_PCMPISTRM, 0, 0x49) \
    X("pcmpestri $0x38, %xmm1, %xmm0\n pushfq\n pop %rax\n shl $32, %rcx\n or %rcx, %rax", \
      K_STR, SI_PCMPESTRI, 0, 0x38) \
    X("pcmpestri $0x05, %xmm1, %xmm0\n pushfq\n pop %rax\n shl $32, %rcx\n or %rcx, %rax", \
      K_STR, SI_PCMPESTRI, 0, 0x05) \
    X("pcmpestrm $0x1a, %xmm1, %xmm0\n pushfq\n pop %rax", K_STR, SI_PCMPESTRM, 0, 0x1a) \
    X("pcmpestrm $0x72, %xmm1, %xmm0\n pushfq\n pop %rax", K_STR, SI_PCMPESTRM, 0, 0x72) \
    X("crc32b %dl, %eax", K_CRC, 0, 1, 0) \
    X("crc32w %dx, %eax", K_CRC, 0, 2, 0) \
    X("crc32q %rdx, %rax", K_CRC, 0, 8, 0)

#define STUB(insn, kind, op, shape, imm) ".balign 16\n" insn "\n ret\n"
__asm__(".text\n"
        ".globl test_sse_stubs\n"
        ".hidden test_sse_stubs\n"
        ".balign 16\n"
        "test_sse_stubs:\n" CASES(STUB) ".balign 16\n");
#undef STUB
extern const uint8_t test_sse_stubs[];

#define ENTRY(insn, kind, op, shape, imm) { insn, kind, op, shape, imm },
static const Case cases[] = { CASES(ENTRY) };
#undef ENTRY

typedef struct HostRegs { X86Xmm x0, x1; uint64_t rax, rdx; uint32_t mxcsr; } HostRegs;

/* Run stub i with xmm0/xmm1 (or mm0/mm1), rax, rdx and MXCSR from r. */
static void run_stub(int i, HostRegs *r, bool mmx)
{
    const void *fn = test_sse_stubs + 16 * i;
    uint32_t saved;
    if (mmx) {
        __asm__ volatile("stmxcsr %[saved]\n\t"
                         "ldmxcsr %[mx]\n\t"
                         "movq %[x0], %%mm0\n\t"
                         "movq %[x1], %%mm1\n\t"
                         "sub $128, %%rsp\n\t"
                         "call *%[fn]\n\t"
                         "add $128, %%rsp\n\t"
                         "movq %%mm0, %[x0]\n\t"
                         "emms\n\t"
                         "stmxcsr %[mx]\n\t"
                         "ldmxcsr %[saved]\n\t"
                         : [x0] "+m"(r->x0.q[0]), [mx] "+m"(r->mxcsr), [saved] "=m"(saved)
                         : [x1] "m"(r->x1.q[0]), [fn] "r"(fn)
                         : "rax", "rcx", "rdx", "mm0", "mm1", "cc", "memory");
        return;
    }
    __asm__ volatile("stmxcsr %[saved]\n\t"
                     "ldmxcsr %[mx]\n\t"
                     "movdqu %[x0], %%xmm0\n\t"
                     "movdqu %[x1], %%xmm1\n\t"
                     "mov %[rax], %%rax\n\t"
                     "mov %[rdx], %%rdx\n\t"
                     "sub $128, %%rsp\n\t"
                     "call *%[fn]\n\t"
                     "add $128, %%rsp\n\t"
                     "movdqu %%xmm0, %[x0]\n\t"
                     "mov %%rax, %[rax]\n\t"
                     "stmxcsr %[mx]\n\t"
                     "ldmxcsr %[saved]\n\t"
                     : [x0] "+m"(r->x0), [rax] "+m"(r->rax), [mx] "+m"(r->mxcsr), [saved] "=m"(saved)
                     : [x1] "m"(r->x1), [rdx] "m"(r->rdx), [fn] "r"(fn)
                     : "rax", "rcx", "rdx", "xmm0", "xmm1", "cc", "memory");
}

/* ---- input generators ---- */

static uint64_t rnd(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* An interesting float of format f (mant bits, ebits). */
static uint64_t gen_float(uint64_t *s, int mant, int ebits)
{
    uint64_t r = rnd(s), sign = (r & 1) << (mant + ebits);
    uint64_t emax = (1ull << ebits) - 1, fmask = (1ull << mant) - 1;
    uint64_t frac = rnd(s) & fmask;
    uint64_t bias = emax >> 1;
    switch ((r >> 1) % 14) {
    case 0: return sign;
    case 1: return sign | emax << mant;
    case 2: return sign | emax << mant | 1ull << (mant - 1) | (frac >> 3);          /* QNaN */
    case 3: return sign | emax << mant | ((frac >> 2) | 1);                          /* SNaN */
    case 4: return sign | (frac ? frac : 1);                                          /* denormal */
    case 5: return sign | (frac >> (r >> 8) % mant);                                  /* tiny denormal */
    case 6: return sign | (1 + (r >> 8) % 3) << mant | frac;                          /* near min normal */
    case 7: return sign | (emax - 1 - (r >> 8) % 3) << mant | frac;                   /* near max */
    case 8: return sign | (bias - 2 + (r >> 8) % 5) << mant | (frac & ~(fmask >> 4)); /* near 1, short */
    case 9: return sign | (bias + (r >> 8) % 32) << mant | (frac & ~(fmask >> 8));    /* integers-ish */
    case 10: return sign | (bias + 30 + (r >> 8) % 36) << mant | frac;                /* int32/64 edges */
    case 11: return sign | (bias - mant - 2 + (r >> 8) % 4) << mant | frac;           /* rounds to 0/1 */
    default: return mant + ebits + 1 >= 64 ? rnd(s) : rnd(s) & ((1ull << (mant + ebits + 1)) - 1);
    }
}

/* A second operand related to a (cancellation, alignment, boundaries). */
static uint64_t gen_related(uint64_t *s, uint64_t a, int mant, int ebits)
{
    uint64_t r = rnd(s), top = 1ull << (mant + ebits), emask = ((1ull << ebits) - 1) << mant;
    switch (r % 8) {
    case 0: return a ^ top;                                            /* -a */
    case 1: return (a ^ top) + ((r >> 8) % 5) - 2;                     /* cancellation */
    case 2: return a + ((r >> 8) % 3);
    case 3: {                                                          /* exponent nearby */
        int64_t e = (int64_t)((a & emask) >> mant) + (int64_t)((r >> 8) % 61) - 30;
        if (e < 1) e = 1;
        if (e > (1 << ebits) - 2) e = (1 << ebits) - 2;
        return (a & ~emask) ^ ((uint64_t)e << mant) ^ (rnd(s) & ((1ull << mant) - 1) & -(uint64_t)((r >> 20) & 1));
    }
    case 4: {                                                          /* product/quotient near the edges */
        uint64_t bias = ((1ull << ebits) - 1) >> 1;
        int64_t ea = (int64_t)((a & emask) >> mant) - (int64_t)bias;
        int64_t want = (r & 0x100) ? -(int64_t)bias - (int64_t)((r >> 9) % (mant + 3)) : (int64_t)bias;
        int64_t e = want - ea + (int64_t)bias + (int64_t)((r >> 16) % 3) - 1;
        if ((r >> 24) & 1) e = ea + (int64_t)bias - want + (int64_t)bias;
        if (e < 1) e = 1;
        if (e > (int64_t)(1 << ebits) - 2) e = (1 << ebits) - 2;
        return (rnd(s) & top) | (uint64_t)e << mant | (rnd(s) & ((1ull << mant) - 1));
    }
    default: return gen_float(s, mant, ebits);
    }
}

static void gen_fp_operands(uint64_t *s, X86Xmm *a, X86Xmm *b, bool f32)
{
    int n = f32 ? 4 : 2;
    for (int i = 0; i < n; i++) {
        uint64_t x = f32 ? gen_float(s, 23, 8) : gen_float(s, 52, 11);
        uint64_t y = (rnd(s) & 1) ? (f32 ? gen_related(s, x, 23, 8) : gen_related(s, x, 52, 11))
                                  : (f32 ? gen_float(s, 23, 8) : gen_float(s, 52, 11));
        if (f32) {
            a->l[i] = (uint32_t)x;
            b->l[i] = (uint32_t)y;
        } else {
            a->q[i] = x;
            b->q[i] = y;
        }
    }
}

/* Integer vectors biased toward saturation edges. */
static void gen_int_vec(uint64_t *s, X86Xmm *v, int esize)
{
    static const uint64_t edges[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
                                      0x80000000, 0xffffffff, 0x8000000000000000ull, ~0ull };
    if (esize > 8)
        esize = 1;
    for (int i = 0; i < 16 / esize; i++) {
        uint64_t r = rnd(s), x = (r & 3) ? rnd(s) : edges[(r >> 2) % 13];
        for (int k = 0; k < esize; k++)
            v->b[i * esize + k] = (uint8_t)(x >> (8 * k));
    }
}

static void gen_str(uint64_t *s, X86Xmm *v)
{
    for (int i = 0; i < 16; i++) {
        uint64_t r = rnd(s);
        v->b[i] = (r % 11 == 0) ? 0 : (uint8_t)("abcAZ09\x80\xff"[r % 9]);
    }
}

static uint32_t gen_mxcsr(uint64_t *s)
{
    uint64_t r = rnd(s);
    return MXCSR_MASKS | (uint32_t)(r & 3) << MXCSR_RC_SHIFT | ((r & 4) ? MXCSR_DAZ : 0)
           | ((r & 8) ? MXCSR_FTZ : 0);
}

/* ---- the comparison ---- */

static int run_case(const Case *c, int idx, uint64_t *seed, int iters, int *mismatch_budget)
{
    int mismatches = 0;
    X86Cpu *env = calloc(1, sizeof(X86Cpu));
    for (int it = 0; it < iters; it++) {
        HostRegs h;
        memset(&h, 0, sizeof(h));
        bool fp = c->kind == K_VEC || c->kind == K_COMI || c->kind == K_TOINT || c->kind == K_FROMINT;
        bool f32 = fp && ((c->shape & SH_KIND) == SH_PS || (c->shape & SH_KIND) == SH_SS);
        if (fp) {
            gen_fp_operands(seed, &h.x0, &h.x1, f32);
            if (c->op == SF_CVT_DQ2F)
                gen_int_vec(seed, &h.x1, 4);
        } else if (c->kind == K_STR) {
            gen_str(seed, &h.x0);
            gen_str(seed, &h.x1);
            if (rnd(seed) & 1)
                memcpy(&h.x1.b[rnd(seed) % 8], &h.x0.b[0], 4);
        } else {
            gen_int_vec(seed, &h.x0, c->shape);
            gen_int_vec(seed, &h.x1, c->shape);
            if (c->shape == 9)          /* shift count: mostly in range */
                h.x1.q[0] = (rnd(seed) & 3) ? rnd(seed) % 70 : rnd(seed);
        }
        h.rax = rnd(seed);
        h.rdx = rnd(seed);
        if (c->kind == K_FROMINT && (rnd(seed) & 1))
            h.rax = (uint64_t)(int64_t)(int32_t)(rnd(seed) >> (rnd(seed) % 40));
        if (c->kind == K_STR) {
            h.rax = (uint64_t)((int64_t)(rnd(seed) % 41) - 20);
            h.rdx = (uint64_t)((int64_t)(rnd(seed) % 41) - 20);
        }
        h.mxcsr = gen_mxcsr(seed);

        /* doppel */
        memset(env, 0, sizeof(*env));
        env->mxcsr = h.mxcsr;
        env->regs[R_EAX] = h.rax;
        env->regs[R_EDX] = h.rdx;
        X86Xmm d = h.x0, src = h.x1;
        uint64_t got_r = 0, exp_r = 0;
        switch (c->kind) {
        case K_VEC:
            sse_helper_fp(env, &d, &src, (uint64_t)c->op, (uint64_t)c->shape, (uint64_t)c->imm);
            break;
        case K_COMI:
            got_r = sse_helper_fp(env, &d, &src, (uint64_t)c->op, (uint64_t)c->shape, 0);
            break;
        case K_TOINT:
            got_r = sse_helper_fp(env, &d, &src, (uint64_t)c->op, (uint64_t)c->shape, 0);
            break;
        case K_FROMINT: {
            X86Xmm t = { .q = { h.rax, 0 } };
            sse_helper_fp(env, &d, &t, (uint64_t)c->op, (uint64_t)c->shape, 0);
            break;
        }
        case K_INT:
            if (c->op == SI_PSRLDQ || c->op == SI_PSLLDQ)
                src = d;
            sse_helper_int(env, &d, &src, (uint64_t)c->op, 16, (uint64_t)c->imm);
            break;
        case K_MMX:
            sse_helper_int(env, &d, &src, (uint64_t)c->op, 8, (uint64_t)c->imm);
            break;
        case K_MASK:
            got_r = sse_helper_int(env, &d, &src, (uint64_t)c->op, 16, (uint64_t)c->imm);
            d = h.x0;
            break;
        case K_STR:
            env->xmm[0] = h.x0;
            got_r = sse_helper_pcmpstr(env, &d, &src, (uint64_t)c->imm, (uint64_t)c->op);
            if (c->op == SI_PCMPISTRM || c->op == SI_PCMPESTRM)
                d = env->xmm[0];
            break;
        case K_CRC:
            got_r = sse_helper_crc32(h.rax & 0xffffffffu, h.rdx, (uint64_t)c->shape);
            break;
        }

        /* host */
        HostRegs in = h;
        run_stub(idx, &h, c->kind == K_MMX);
        switch (c->kind) {
        case K_COMI: exp_r = h.rax & 0x8d5; break;
        case K_TOINT: exp_r = (c->shape & SH_INT64) ? h.rax : (h.rax & 0xffffffffu); break;
        case K_MASK: exp_r = h.rax & 0xffffffffu; break;
        case K_STR:
            exp_r = h.rax & (0x8d5 | 0xffffffff00000000ull);
            got_r &= 0x8d5 | 0xffffffff00000000ull;
            break;
        case K_CRC: exp_r = h.rax & 0xffffffffu; break;
        default: break;
        }
        bool vec_cmp = c->kind != K_COMI && c->kind != K_TOINT && c->kind != K_CRC;
        size_t vlen = c->kind == K_MMX ? 8 : 16;
        uint32_t got_flags = env->mxcsr & MXCSR_FLAGS, exp_flags = h.mxcsr & MXCSR_FLAGS;
        if (!fp)
            got_flags = exp_flags = 0;
        if ((vec_cmp && memcmp(&d, &h.x0, vlen)) || got_r != exp_r || got_flags != exp_flags) {
            mismatches++;
            if ((*mismatch_budget)-- > 0)
                printf("MISMATCH %s mxcsr=%04x a=%016llx:%016llx b=%016llx:%016llx rax=%llx rdx=%llx\n"
                       "   host  %016llx:%016llx r=%llx flags=%02x\n"
                       "   doppel %016llx:%016llx r=%llx flags=%02x\n",
                       c->insn, in.mxcsr, (unsigned long long)in.x0.q[1], (unsigned long long)in.x0.q[0],
                       (unsigned long long)in.x1.q[1], (unsigned long long)in.x1.q[0],
                       (unsigned long long)in.rax, (unsigned long long)in.rdx,
                       (unsigned long long)h.x0.q[1], (unsigned long long)h.x0.q[0],
                       (unsigned long long)exp_r, exp_flags, (unsigned long long)d.q[1],
                       (unsigned long long)d.q[0], (unsigned long long)got_r, got_flags);
        }
    }
    free(env);
    return mismatches;
}

START_TEST(differential_all)
{
    int ncases = (int)(sizeof(cases) / sizeof(cases[0]));
    uint64_t seed = 0x5eed5eed12345ull;
    int total = 0, budget = 40, compared = 0;
    for (int i = 0; i < ncases; i++) {
        int m = run_case(&cases[i], i, &seed, ITERS, &budget);
        compared += ITERS;
        if (m)
            printf("%-40.40s %d/%d mismatches\n", cases[i].insn, m, ITERS);
        total += m;
    }
    printf("test_sse_host: %d instruction forms, %d comparisons, %d mismatches\n", ncases, compared, total);
    ck_assert_int_eq(total, 0);
}
END_TEST

/* RCPPS/RSQRTPS: |relative error| <= 1.5 * 2^-12 (SDM RCPPS, RSQRTPS),
 * special values exact, no MXCSR flags. */
START_TEST(rcp_rsqrt_error_bound)
{
    uint64_t seed = 77;
    X86Cpu *env = calloc(1, sizeof(X86Cpu));
    for (int it = 0; it < 20000; it++) {
        bool rs = it & 1;
        X86Xmm d = { { 0 } }, s = { { 0 } };
        uint32_t x = (uint32_t)rnd(&seed);
        x = (x & 0x807fffffu) | (uint32_t)(20 + rnd(&seed) % 215) << 23;
        if (rs)
            x &= 0x7fffffffu;
        s.l[0] = x;
        env->mxcsr = MXCSR_RESET;
        sse_helper_fp(env, &d, &s, rs ? SF_RSQRT : SF_RCP, SH_SS, 0);
        float fx, fr;
        memcpy(&fx, &x, 4);
        memcpy(&fr, &d.l[0], 4);
        double exact = rs ? 1.0 / sqrt((double)fx) : 1.0 / (double)fx;
        double err = fabs(((double)fr - exact) / exact);
        ck_assert_msg(err <= 1.5 / 4096, "x=%08x r=%08x err=%g", x, d.l[0], err);
        ck_assert_uint_eq(env->mxcsr & MXCSR_FLAGS, 0);
    }
    X86Xmm d = { { 0 } }, s = { .l = { 0x00000000u, 0xff800000u, 0x7fc01234u, 0x80000001u } };
    env->mxcsr = MXCSR_RESET;
    sse_helper_fp(env, &d, &s, SF_RCP, SH_PS, 0);
    ck_assert_uint_eq(d.l[0], 0x7f800000u);    /* 1/+0 = +inf */
    ck_assert_uint_eq(d.l[1], 0x80000000u);    /* 1/-inf = -0 */
    ck_assert_uint_eq(d.l[2], 0x7fc01234u);    /* QNaN passes */
    ck_assert_uint_eq(d.l[3], 0xff800000u);    /* denormal counts as -0 */
    free(env);
}
END_TEST

static Suite *sse_host_suite(void)
{
    Suite *s = suite_create("sse_host");
    TCase *tc = tcase_create("diff");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, differential_all);
    tcase_add_test(tc, rcp_rsqrt_error_bound);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sse_host_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
