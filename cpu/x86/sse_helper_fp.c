/*
 * SSE/SSE2/SSE3/SSE4.1 floating-point instructions on XMM lanes, with the
 * arithmetic of sse_float.c and the MXCSR exception protocol of SDM Vol. 1
 * 11.5.1/11.5.3: every lane is computed; if an unmasked pre-computation
 * exception (IE, DE, ZE) occurred in any lane, only the pre-computation
 * flags are recorded; otherwise all flags are recorded; either way an
 * unmasked exception leaves the destination unchanged and raises #XM
 * (CR4.OSXMMEXCPT = 1) or #UD (SDM Vol. 3A 6.15, interrupt 19).
 */
#include <string.h>

#include "cpu/x86/sse_float.h"
#include "cpu/x86/sse_helper.h"
#include "cpu/x86/x86_util.h"

enum { CR4_OSXMMEXCPT = 1u << 10 };

static uint64_t get(const X86Xmm *v, SseFmt f, int i) { return f == SSE_F32 ? v->l[i] : v->q[i]; }

static void put(X86Xmm *v, SseFmt f, int i, uint64_t x)
{
    if (f == SSE_F32)
        v->l[i] = (uint32_t)x;
    else
        v->q[i] = x;
}

/* DPPS/DPPD (SDM DPPS): products rounded, then summed pairwise. */
static void dot_product(SseFp *st, SseFmt f, X86Xmm *r, const X86Xmm *a, const X86Xmm *b, int imm)
{
    int n = f == SSE_F32 ? 4 : 2;
    uint64_t p[4];
    for (int i = 0; i < n; i++)
        p[i] = ((imm >> (4 + i)) & 1) ? sse_fp_binop(st, f, SSE_MUL, get(a, f, i), get(b, f, i)) : 0;
    uint64_t sum;
    if (n == 4) {
        uint64_t s01 = sse_fp_binop(st, f, SSE_ADD, p[0], p[1]);
        uint64_t s23 = sse_fp_binop(st, f, SSE_ADD, p[2], p[3]);
        sum = sse_fp_binop(st, f, SSE_ADD, s01, s23);
    } else {
        sum = sse_fp_binop(st, f, SSE_ADD, p[0], p[1]);
    }
    for (int i = 0; i < n; i++)
        put(r, f, i, ((imm >> i) & 1) ? sum : 0);
}

/* Compute op into r (a = first source, b = second); returns the scalar
 * result of COMI and CVT*2SI. */
static uint64_t compute(SseFp *st, X86Xmm *r, const X86Xmm *a, const X86Xmm *b, int op, unsigned shape, int imm)
{
    int kind = (int)(shape & SH_KIND);
    SseFmt f = (kind == SH_PS || kind == SH_SS) ? SSE_F32 : SSE_F64;
    int n = kind == SH_PS ? 4 : kind == SH_PD ? 2 : 1;
    int ibits = (shape & SH_INT64) ? 64 : 32;
    switch (op) {
    case SF_ADD: case SF_SUB: case SF_MUL: case SF_DIV: case SF_MIN: case SF_MAX:
        for (int i = 0; i < n; i++)
            put(r, f, i, sse_fp_binop(st, f, (SseOp)(op - SF_ADD), get(a, f, i), get(b, f, i)));
        break;
    case SF_SQRT:
        for (int i = 0; i < n; i++)
            put(r, f, i, sse_fp_sqrt(st, f, get(b, f, i)));
        break;
    case SF_RCP: case SF_RSQRT:
        for (int i = 0; i < n; i++)
            r->l[i] = sse_fp_rcp(b->l[i], op == SF_RSQRT);
        break;
    case SF_CMP:
        for (int i = 0; i < n; i++)
            put(r, f, i, sse_fp_cmp(st, f, imm, get(a, f, i), get(b, f, i)) ? ~0ull : 0);
        break;
    case SF_COMI: case SF_UCOMI:
        return sse_fp_comi(st, f, op == SF_COMI, get(a, f, 0), get(b, f, 0));
    case SF_HADD: case SF_HSUB: {
        SseOp o = op == SF_HADD ? SSE_ADD : SSE_SUB;
        X86Xmm t;
        for (int i = 0; i < n; i++) {
            const X86Xmm *src = i < n / 2 ? a : b;
            int j = (i % (n / 2)) * 2;
            put(&t, f, i, sse_fp_binop(st, f, o, get(src, f, j), get(src, f, j + 1)));
        }
        *r = t;
        break;
    }
    case SF_ADDSUB:
        for (int i = 0; i < n; i++)
            put(r, f, i, sse_fp_binop(st, f, (i & 1) ? SSE_ADD : SSE_SUB, get(a, f, i), get(b, f, i)));
        break;
    case SF_ROUND:
        for (int i = 0; i < n; i++)
            put(r, f, i, sse_fp_round(st, f, get(b, f, i), imm));
        break;
    case SF_DP:
        dot_product(st, f, r, a, b, imm);
        break;
    case SF_CVT_F2F:
        if (kind == SH_SS) {            /* CVTSS2SD */
            r->q[0] = sse_fp_convert(st, SSE_F32, SSE_F64, b->l[0]);
        } else if (kind == SH_SD) {     /* CVTSD2SS */
            r->l[0] = (uint32_t)sse_fp_convert(st, SSE_F64, SSE_F32, b->q[0]);
        } else if (kind == SH_PS) {     /* CVTPS2PD */
            uint32_t lo = b->l[0], hi = b->l[1];
            r->q[0] = sse_fp_convert(st, SSE_F32, SSE_F64, lo);
            r->q[1] = sse_fp_convert(st, SSE_F32, SSE_F64, hi);
        } else {                        /* CVTPD2PS */
            r->l[0] = (uint32_t)sse_fp_convert(st, SSE_F64, SSE_F32, b->q[0]);
            r->l[1] = (uint32_t)sse_fp_convert(st, SSE_F64, SSE_F32, b->q[1]);
            r->q[1] = 0;
        }
        break;
    case SF_CVT_DQ2F:
        if (kind == SH_PS) {            /* CVTDQ2PS, CVTPI2PS (2 lanes) */
            int m = (shape & SH_S64) ? 2 : 4;
            for (int i = 0; i < m; i++)
                r->l[i] = (uint32_t)sse_fp_from_int(st, SSE_F32, (int32_t)b->l[i]);
        } else {                        /* CVTDQ2PD, CVTPI2PD */
            int32_t lo = (int32_t)b->l[0], hi = (int32_t)b->l[1];
            r->q[0] = sse_fp_from_int(st, SSE_F64, lo);
            r->q[1] = sse_fp_from_int(st, SSE_F64, hi);
        }
        break;
    case SF_CVT_F2DQ: case SF_CVTT_F2DQ: {
        bool t = op == SF_CVTT_F2DQ;
        if (kind == SH_PS) {            /* CVT(T)PS2DQ, CVT(T)PS2PI (2 lanes) */
            int m = (shape & SH_D64) ? 2 : 4;
            for (int i = 0; i < m; i++)
                r->l[i] = (uint32_t)sse_fp_to_int(st, SSE_F32, b->l[i], 32, t);
        } else {                        /* CVT(T)PD2DQ, CVT(T)PD2PI */
            uint64_t lo = b->q[0], hi = b->q[1];
            r->l[0] = (uint32_t)sse_fp_to_int(st, SSE_F64, lo, 32, t);
            r->l[1] = (uint32_t)sse_fp_to_int(st, SSE_F64, hi, 32, t);
            if (!(shape & SH_D64))
                r->q[1] = 0;
        }
        break;
    }
    case SF_CVT_SI2F: {
        int64_t v = ibits == 64 ? (int64_t)b->q[0] : (int64_t)(int32_t)b->l[0];
        put(r, f, 0, sse_fp_from_int(st, f, v));
        break;
    }
    case SF_CVT_F2SI: case SF_CVTT_F2SI:
        return sse_fp_to_int(st, f, get(b, f, 0), ibits, op == SF_CVTT_F2SI);
    default:
        break;
    }
    return 0;
}

uint64_t sse_helper_fp(X86Cpu *env, void *d, const void *s, uint64_t op, uint64_t shape, uint64_t imm)
{
    uintptr_t ra = CPU_GETPC();
    X86Xmm a = { { 0 } }, b = { { 0 } };
    size_t dlen = (shape & SH_D64) ? 8 : 16, slen = (shape & SH_S64) ? 8 : 16;
    memcpy(&a, d, dlen);
    memcpy(&b, s, slen);
    X86Xmm r = a;
    SseFp st = { env->mxcsr, 0, 0 };
    uint64_t ret = compute(&st, &r, &a, &b, (int)op, (unsigned)shape, (int)imm);

    uint32_t unmasked = ~(env->mxcsr >> MXCSR_MASK_SHIFT) & MXCSR_FLAGS;
    uint32_t flags = (st.pre & unmasked) ? st.pre : st.pre | st.post;
    env->mxcsr |= flags;
    if (flags & unmasked)
        x86_helper_raise_exception_ra(env, (env->cr[4] & CR4_OSXMMEXCPT) ? X86_EXCP_XM : X86_EXCP_UD, -1, ra);
    if (op != SF_COMI && op != SF_UCOMI && op != SF_CVT_F2SI && op != SF_CVTT_F2SI)
        memcpy(d, &r, dlen);
    return ret;
}

const IrHelper sse_helper_fp_def = {
    "sse_fp", (void *)sse_helper_fp, 6, true, IR_I64, IR_CALL_MAY_RAISE | IR_CALL_NO_WRITE_GLOBALS
};
