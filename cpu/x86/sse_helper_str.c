/*
 * SSE4.2 string compares PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (Intel
 * SDM Vol. 2 4.1 "Imm8 control byte operation for PCMPESTRI / PCMPESTRM /
 * PCMPISTRI / PCMPISTRM": source format, aggregation, polarity, output
 * selection, and Table 4-7's overrides for invalid elements).
 */
#include <string.h>

#include "cpu/x86/sse_helper.h"

/* Element i of v in format fmt (imm[1:0]: ub, uw, sb, sw), sign-extended
 * for the signed formats. */
static int32_t elem(const X86Xmm *v, int fmt, int i)
{
    switch (fmt & 3) {
    case 0: return v->b[i];
    case 1: return v->w[i];
    case 2: return (int8_t)v->b[i];
    default: return (int16_t)v->w[i];
    }
}

/* Implicit length: elements before the first zero. */
static int implicit_len(const X86Xmm *v, int fmt, int n)
{
    for (int i = 0; i < n; i++)
        if (elem(v, fmt, i) == 0)
            return i;
    return n;
}

/* Explicit length: |reg| saturated to n (32-bit or, with REX.W, 64-bit). */
static int explicit_len(uint64_t reg, bool w, int n)
{
    int64_t v = w ? (int64_t)reg : (int64_t)(int32_t)reg;
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    return a > (uint64_t)n ? n : (int)a;
}

uint64_t sse_helper_pcmpstr(X86Cpu *env, const void *d, const void *s, uint64_t imm, uint64_t mode)
{
    X86Xmm a, b;
    memcpy(&a, d, 16);
    memcpy(&b, s, 16);
    int fmt = (int)(imm & 3), agg = (int)(imm >> 2) & 3, pol = (int)(imm >> 4) & 3;
    int n = (fmt & 1) ? 8 : 16;
    int op = (int)(mode & 0xff);
    bool w = mode & 0x100;
    bool explicit_form = op == SI_PCMPESTRI || op == SI_PCMPESTRM;
    int len1 = explicit_form ? explicit_len(env->regs[R_EAX], w, n) : implicit_len(&a, fmt, n);
    int len2 = explicit_form ? explicit_len(env->regs[R_EDX], w, n) : implicit_len(&b, fmt, n);

    uint32_t res1 = 0;
    for (int j = 0; j < n; j++) {
        bool r = false;
        switch (agg) {
        case 0:                 /* equal any: b[j] is one of a[0..len1) */
            for (int i = 0; i < len1 && j < len2; i++)
                r |= elem(&a, fmt, i) == elem(&b, fmt, j);
            break;
        case 1:                 /* ranges: a[i] <= b[j] <= a[i+1] for a pair */
            for (int i = 0; i + 1 < len1 + 1 && i + 1 < n && j < len2; i += 2) {
                bool lo = elem(&a, fmt, i) <= elem(&b, fmt, j);
                bool hi = i + 1 < len1 && elem(&b, fmt, j) <= elem(&a, fmt, i + 1);
                r |= lo && hi;
            }
            break;
        case 2:                 /* equal each */
            if (j < len1 && j < len2)
                r = elem(&a, fmt, j) == elem(&b, fmt, j);
            else
                r = j >= len1 && j >= len2;
            break;
        default:                /* equal ordered: a occurs in b at j */
            r = true;
            for (int i = 0; i < n - j && r; i++) {
                if (i >= len1)
                    break;      /* needle ended: true */
                if (j + i >= len2)
                    r = false;
                else
                    r = elem(&a, fmt, i) == elem(&b, fmt, j + i);
            }
            break;
        }
        if (r)
            res1 |= 1u << j;
    }
    uint32_t all = (1u << n) - 1, res2;
    switch (pol) {
    case 1: res2 = ~res1 & all; break;
    case 3: res2 = res1 ^ (((1u << len2) - 1) & all); break;
    default: res2 = res1; break;
    }

    uint64_t flags = (res2 ? 0x01u : 0) | (len2 < n ? 0x40u : 0) | (len1 < n ? 0x80u : 0)
                     | ((res2 & 1) ? 0x800u : 0);
    if (op == SI_PCMPESTRI || op == SI_PCMPISTRI) {
        int idx = n;
        if (res2)
            idx = (imm & 0x40) ? 31 - __builtin_clz(res2) : __builtin_ctz(res2);
        return flags | (uint64_t)idx << 32;
    }
    X86Xmm m;
    memset(&m, 0, sizeof(m));
    if (imm & 0x40) {
        for (int i = 0; i < n; i++)
            if ((res2 >> i) & 1) {
                if (n == 16)
                    m.b[i] = 0xff;
                else
                    m.w[i] = 0xffff;
            }
    } else {
        m.l[0] = res2;
    }
    env->xmm[0] = m;
    return flags;
}

const IrHelper sse_helper_pcmpstr_def = {
    "pcmpstr", (void *)sse_helper_pcmpstr, 5, true, IR_I64, IR_CALL_NO_WRITE_GLOBALS
};
