/*
 * MMX / SSE2 / SSSE3 / SSE4.1 integer and shuffle operations (Intel SDM
 * Vol. 2, the instruction pages of each mnemonic in SseIntOp), on 8-byte
 * (MMX) or 16-byte (XMM) vectors. Pure lane arithmetic: no exceptions.
 * Operands are copied into local X86Xmm values first, so d and s may be
 * the same register and MMX registers (8 bytes in an X86Float80) are never
 * touched beyond their 8 bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/sse_helper.h"

static int8_t sat8(int32_t v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }
static uint8_t satu8(int32_t v) { return (uint8_t)(v > 255 ? 255 : v < 0 ? 0 : v); }
static int16_t sat16(int32_t v) { return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v); }
static uint16_t satu16(int32_t v) { return (uint16_t)(v > 65535 ? 65535 : v < 0 ? 0 : v); }

/* Shifts by a 64-bit count (SDM PSRLW: counts above the lane width give 0
 * or, for arithmetic shifts, the sign fill). */
static void shift_lanes(X86Xmm *r, const X86Xmm *a, int len, int esize, int kind, uint64_t count)
{
    int bits = esize * 8, n = len / esize;
    for (int i = 0; i < n; i++) {
        uint64_t v;
        switch (esize) {
        case 2: v = a->w[i]; break;
        case 4: v = a->l[i]; break;
        default: v = a->q[i]; break;
        }
        if (kind == 0) {             /* logical right */
            v = count >= (uint64_t)bits ? 0 : v >> count;
        } else if (kind == 1) {      /* arithmetic right */
            int64_t sv = (int64_t)(v << (64 - bits)) >> (64 - bits);
            v = (uint64_t)(sv >> (count >= (uint64_t)bits ? bits - 1 : (int)count));
        } else {                     /* left */
            v = count >= (uint64_t)bits ? 0 : v << count;
        }
        switch (esize) {
        case 2: r->w[i] = (uint16_t)v; break;
        case 4: r->l[i] = (uint32_t)v; break;
        default: r->q[i] = v; break;
        }
    }
}

/* Element i of size esize from vector v. */
static uint64_t lane(const X86Xmm *v, int esize, int i)
{
    switch (esize) {
    case 1: return v->b[i];
    case 2: return v->w[i];
    case 4: return v->l[i];
    default: return v->q[i];
    }
}

static void set_lane(X86Xmm *v, int esize, int i, uint64_t x)
{
    switch (esize) {
    case 1: v->b[i] = (uint8_t)x; break;
    case 2: v->w[i] = (uint16_t)x; break;
    case 4: v->l[i] = (uint32_t)x; break;
    default: v->q[i] = x; break;
    }
}

static int64_t slane(const X86Xmm *v, int esize, int i)
{
    uint64_t x = lane(v, esize, i);
    int sh = 64 - 8 * esize;
    return (int64_t)(x << sh) >> sh;
}

/* PUNPCKL/H: interleave the low (high) halves of a and b. */
static void unpack(X86Xmm *r, const X86Xmm *a, const X86Xmm *b, int len, int esize, bool high)
{
    int n = len / esize, base = high ? n / 2 : 0;
    X86Xmm t;
    for (int i = 0; i < n / 2; i++) {
        set_lane(&t, esize, 2 * i, lane(a, esize, base + i));
        set_lane(&t, esize, 2 * i + 1, lane(b, esize, base + i));
    }
    memcpy(r, &t, (size_t)len);
}

/* PMOVSX / PMOVZX: widen the low lanes of b. */
static void widen(X86Xmm *r, const X86Xmm *b, int from, int to, bool sign)
{
    X86Xmm t;
    for (int i = 0; i < 16 / to; i++)
        set_lane(&t, to, i, sign ? (uint64_t)slane(b, from, i) : lane(b, from, i));
    *r = t;
}

/* Horizontal add/sub (PHADD*, PHSUB*): pairs of a, then pairs of b. */
static void horizontal(X86Xmm *r, const X86Xmm *a, const X86Xmm *b, int len, int esize, bool sub, bool sat)
{
    int n = len / esize;
    X86Xmm t;
    for (int i = 0; i < n; i++) {
        const X86Xmm *src = i < n / 2 ? a : b;
        int j = (i % (n / 2)) * 2;
        int64_t x = slane(src, esize, j), y = slane(src, esize, j + 1);
        int64_t v = sub ? x - y : x + y;
        set_lane(&t, esize, i, (uint64_t)(sat ? sat16((int32_t)v) : v));
    }
    memcpy(r, &t, (size_t)len);
}

static uint64_t clmul(uint64_t a, uint64_t b, uint64_t *hi)
{
    uint64_t lo = 0, h = 0;
    for (int i = 0; i < 64; i++) {
        if ((b >> i) & 1) {
            lo ^= a << i;
            if (i)
                h ^= a >> (64 - i);
        }
    }
    *hi = h;
    return lo;
}

/* The lane-by-lane binary ops: element size and the operation. */
static uint64_t lane_binop(int op, uint64_t x, uint64_t y, int64_t sx, int64_t sy)
{
    switch (op) {
    case SI_PADDB: case SI_PADDW: case SI_PADDD: case SI_PADDQ: return x + y;
    case SI_PSUBB: case SI_PSUBW: case SI_PSUBD: case SI_PSUBQ: return x - y;
    case SI_PADDSB: return (uint64_t)(int64_t)sat8((int32_t)(sx + sy));
    case SI_PADDSW: return (uint64_t)(int64_t)sat16((int32_t)(sx + sy));
    case SI_PADDUSB: return satu8((int32_t)(x + y));
    case SI_PADDUSW: return satu16((int32_t)(x + y));
    case SI_PSUBSB: return (uint64_t)(int64_t)sat8((int32_t)(sx - sy));
    case SI_PSUBSW: return (uint64_t)(int64_t)sat16((int32_t)(sx - sy));
    case SI_PSUBUSB: return satu8((int32_t)x - (int32_t)y);
    case SI_PSUBUSW: return satu16((int32_t)x - (int32_t)y);
    case SI_PMULLW: case SI_PMULLD: return (uint64_t)(sx * sy);
    case SI_PMULHW: return (uint64_t)((sx * sy) >> 16);
    case SI_PMULHUW: return (x * y) >> 16;
    case SI_PMULHRSW: return (uint64_t)((((sx * sy) >> 14) + 1) >> 1);
    case SI_PAVGB: case SI_PAVGW: return (x + y + 1) >> 1;
    case SI_PMINUB: case SI_PMINUW: case SI_PMINUD: return x < y ? x : y;
    case SI_PMAXUB: case SI_PMAXUW: case SI_PMAXUD: return x > y ? x : y;
    case SI_PMINSW: case SI_PMINSB: case SI_PMINSD: return (uint64_t)(sx < sy ? sx : sy);
    case SI_PMAXSW: case SI_PMAXSB: case SI_PMAXSD: return (uint64_t)(sx > sy ? sx : sy);
    case SI_PCMPEQB: case SI_PCMPEQW: case SI_PCMPEQD: case SI_PCMPEQQ: return x == y ? ~0ull : 0;
    case SI_PCMPGTB: case SI_PCMPGTW: case SI_PCMPGTD: case SI_PCMPGTQ: return sx > sy ? ~0ull : 0;
    case SI_PSIGNB: case SI_PSIGNW: case SI_PSIGND: return sy < 0 ? (uint64_t)-sx : sy == 0 ? 0 : x;
    case SI_PABSB: case SI_PABSW: case SI_PABSD: return (uint64_t)(sy < 0 ? -sy : sy);
    default: return 0;
    }
}

static int lane_size(int op)
{
    switch (op) {
    case SI_PADDB: case SI_PSUBB: case SI_PADDSB: case SI_PADDUSB: case SI_PSUBSB: case SI_PSUBUSB:
    case SI_PAVGB: case SI_PMINUB: case SI_PMAXUB: case SI_PCMPEQB: case SI_PCMPGTB:
    case SI_PSIGNB: case SI_PABSB: case SI_PMINSB: case SI_PMAXSB:
        return 1;
    case SI_PADDD: case SI_PSUBD: case SI_PCMPEQD: case SI_PCMPGTD: case SI_PSIGND: case SI_PABSD:
    case SI_PMINSD: case SI_PMINUD: case SI_PMAXSD: case SI_PMAXUD: case SI_PMULLD:
        return 4;
    case SI_PADDQ: case SI_PSUBQ: case SI_PCMPEQQ: case SI_PCMPGTQ:
        return 8;
    default:
        return 2;
    }
}

static bool is_lane_binop(int op)
{
    return op <= SI_PMULHUW || (op >= SI_PAVGB && op <= SI_PCMPGTD)
           || (op >= SI_PSIGNB && op <= SI_PABSD) || op == SI_PCMPEQQ || op == SI_PCMPGTQ
           || (op >= SI_PMINSB && op <= SI_PMULLD);
}

static uint64_t other_op(X86Cpu *env, X86Xmm *r, const X86Xmm *a, const X86Xmm *b, int op, int len, int imm);

/* The ops in the inner loops of glibc's string and memory functions
 * (PCMPEQB, PMINUB, PMOVMSKB, PSUBB, ...), as fixed 16-byte loops the C
 * compiler turns into host vector code; the generic lane-by-lane path
 * below costs a switch per lane. Lanes beyond an MMX operand's 8 bytes are
 * computed from zeros and never stored. Returns false for other ops. */
static bool int_fast_op(int op, X86Xmm *r, const X86Xmm *a, const X86Xmm *b, int n, uint64_t *ret)
{
    switch (op) {
    case SI_PCMPEQB: for (int i = 0; i < 16; i++) r->b[i] = a->b[i] == b->b[i] ? 0xff : 0; return true;
    case SI_PCMPEQW: for (int i = 0; i < 8; i++) r->w[i] = a->w[i] == b->w[i] ? 0xffff : 0; return true;
    case SI_PCMPEQD: for (int i = 0; i < 4; i++) r->l[i] = a->l[i] == b->l[i] ? ~0u : 0; return true;
    case SI_PMINUB: for (int i = 0; i < 16; i++) r->b[i] = a->b[i] < b->b[i] ? a->b[i] : b->b[i]; return true;
    case SI_PMAXUB: for (int i = 0; i < 16; i++) r->b[i] = a->b[i] > b->b[i] ? a->b[i] : b->b[i]; return true;
    case SI_PADDB: for (int i = 0; i < 16; i++) r->b[i] = (uint8_t)(a->b[i] + b->b[i]); return true;
    case SI_PSUBB: for (int i = 0; i < 16; i++) r->b[i] = (uint8_t)(a->b[i] - b->b[i]); return true;
    case SI_PADDD: for (int i = 0; i < 4; i++) r->l[i] = a->l[i] + b->l[i]; return true;
    case SI_PSUBD: for (int i = 0; i < 4; i++) r->l[i] = a->l[i] - b->l[i]; return true;
    case SI_PADDQ: for (int i = 0; i < 2; i++) r->q[i] = a->q[i] + b->q[i]; return true;
    case SI_PSUBQ: for (int i = 0; i < 2; i++) r->q[i] = a->q[i] - b->q[i]; return true;
    case SI_PMOVMSKB: {
        unsigned m = 0;
        for (int i = 0; i < 16; i++)
            m |= (unsigned)(b->b[i] >> 7) << i;
        *ret = n == 8 ? (m & 0xff) : m;
        *r = *a;
        return true;
    }
    default:
        return false;
    }
}

uint64_t sse_helper_int(X86Cpu *env, void *d, const void *s, uint64_t op, uint64_t len, uint64_t imm)
{
    X86Xmm a = { { 0 } }, b = { { 0 } }, r;
    int n = len == 8 ? 8 : 16;
    memcpy(&a, d, (size_t)n);
    memcpy(&b, s, (size_t)n);
    r = a;
    uint64_t ret = 0;
    if (int_fast_op((int)op, &r, &a, &b, n, &ret)) {
        /* done */
    } else if (is_lane_binop((int)op)) {
        int es = lane_size((int)op);
        for (int i = 0; i < n / es; i++)
            set_lane(&r, es, i, lane_binop((int)op, lane(&a, es, i), lane(&b, es, i), slane(&a, es, i),
                                           slane(&b, es, i)));
    } else {
        ret = other_op(env, &r, &a, &b, (int)op, n, (int)imm);
    }
    memcpy(d, &r, (size_t)n);
    return ret;
}

static uint64_t other_op(X86Cpu *env, X86Xmm *r, const X86Xmm *a, const X86Xmm *b, int op, int len, int imm)
{
    X86Xmm t;
    switch (op) {
    case SI_PMULUDQ:
        for (int i = 0; i < len / 8; i++)
            r->q[i] = (uint64_t)a->l[2 * i] * b->l[2 * i];
        break;
    case SI_PMULDQ:
        for (int i = 0; i < 2; i++)
            r->q[i] = (uint64_t)((int64_t)(int32_t)a->l[2 * i] * (int32_t)b->l[2 * i]);
        break;
    case SI_PMADDWD:
        for (int i = 0; i < len / 4; i++)
            r->l[i] = (uint32_t)((int32_t)(int16_t)a->w[2 * i] * (int16_t)b->w[2 * i]
                                 + (int32_t)(int16_t)a->w[2 * i + 1] * (int16_t)b->w[2 * i + 1]);
        break;
    case SI_PMADDUBSW:
        for (int i = 0; i < len / 2; i++)
            r->w[i] = (uint16_t)sat16(a->b[2 * i] * (int8_t)b->b[2 * i] + a->b[2 * i + 1] * (int8_t)b->b[2 * i + 1]);
        break;
    case SI_PSADBW:
        for (int i = 0; i < len / 8; i++) {
            uint32_t sum = 0;
            for (int j = 0; j < 8; j++)
                sum += (uint32_t)abs(a->b[8 * i + j] - b->b[8 * i + j]);
            r->q[i] = sum;
        }
        break;
    case SI_PACKSSWB:
        for (int i = 0; i < len / 2; i++) {
            t.b[i] = (uint8_t)sat8((int16_t)a->w[i]);
            t.b[len / 2 + i] = (uint8_t)sat8((int16_t)b->w[i]);
        }
        memcpy(r, &t, (size_t)len);
        break;
    case SI_PACKUSWB:
        for (int i = 0; i < len / 2; i++) {
            t.b[i] = satu8((int16_t)a->w[i]);
            t.b[len / 2 + i] = satu8((int16_t)b->w[i]);
        }
        memcpy(r, &t, (size_t)len);
        break;
    case SI_PACKSSDW:
    case SI_PACKUSDW:
        for (int i = 0; i < len / 4; i++) {
            int32_t x = (int32_t)a->l[i], y = (int32_t)b->l[i];
            t.w[i] = op == SI_PACKSSDW ? (uint16_t)sat16(x) : satu16(x);
            t.w[len / 4 + i] = op == SI_PACKSSDW ? (uint16_t)sat16(y) : satu16(y);
        }
        memcpy(r, &t, (size_t)len);
        break;
    case SI_PUNPCKLBW: unpack(r, a, b, len, 1, false); break;
    case SI_PUNPCKLWD: unpack(r, a, b, len, 2, false); break;
    case SI_PUNPCKLDQ: case SI_UNPCKLPS: unpack(r, a, b, len, 4, false); break;
    case SI_PUNPCKLQDQ: case SI_UNPCKLPD: unpack(r, a, b, len, 8, false); break;
    case SI_PUNPCKHBW: unpack(r, a, b, len, 1, true); break;
    case SI_PUNPCKHWD: unpack(r, a, b, len, 2, true); break;
    case SI_PUNPCKHDQ: case SI_UNPCKHPS: unpack(r, a, b, len, 4, true); break;
    case SI_PUNPCKHQDQ: case SI_UNPCKHPD: unpack(r, a, b, len, 8, true); break;
    case SI_PSRLW: shift_lanes(r, a, len, 2, 0, b->q[0]); break;
    case SI_PSRLD: shift_lanes(r, a, len, 4, 0, b->q[0]); break;
    case SI_PSRLQ: shift_lanes(r, a, len, 8, 0, b->q[0]); break;
    case SI_PSRAW: shift_lanes(r, a, len, 2, 1, b->q[0]); break;
    case SI_PSRAD: shift_lanes(r, a, len, 4, 1, b->q[0]); break;
    case SI_PSLLW: shift_lanes(r, a, len, 2, 2, b->q[0]); break;
    case SI_PSLLD: shift_lanes(r, a, len, 4, 2, b->q[0]); break;
    case SI_PSLLQ: shift_lanes(r, a, len, 8, 2, b->q[0]); break;
    case SI_PSRLDQ:
    case SI_PSLLDQ: {
        int sh = imm > 16 ? 16 : imm;
        memset(&t, 0, sizeof(t));
        for (int i = 0; i < 16; i++) {
            int src = op == SI_PSRLDQ ? i + sh : i - sh;
            if (src >= 0 && src < 16)
                t.b[i] = a->b[src];
        }
        *r = t;
        break;
    }
    case SI_PSHUFW:
        for (int i = 0; i < 4; i++)
            t.w[i] = b->w[(imm >> (2 * i)) & 3];
        memcpy(r, &t, 8);
        break;
    case SI_PSHUFD:
        for (int i = 0; i < 4; i++)
            t.l[i] = b->l[(imm >> (2 * i)) & 3];
        *r = t;
        break;
    case SI_PSHUFHW:
    case SI_PSHUFLW: {
        int base = op == SI_PSHUFHW ? 4 : 0;
        t = *b;
        for (int i = 0; i < 4; i++)
            t.w[base + i] = b->w[base + ((imm >> (2 * i)) & 3)];
        *r = t;
        break;
    }
    case SI_SHUFPS:
        t.l[0] = a->l[imm & 3];
        t.l[1] = a->l[(imm >> 2) & 3];
        t.l[2] = b->l[(imm >> 4) & 3];
        t.l[3] = b->l[(imm >> 6) & 3];
        *r = t;
        break;
    case SI_SHUFPD:
        t.q[0] = a->q[imm & 1];
        t.q[1] = b->q[(imm >> 1) & 1];
        *r = t;
        break;
    case SI_PMOVMSKB: {
        uint64_t m = 0;
        for (int i = 0; i < len; i++)
            m |= (uint64_t)(b->b[i] >> 7) << i;
        *r = *a;
        return m;
    }
    case SI_MOVMSKPS:
        return (b->l[0] >> 31) | (b->l[1] >> 31) << 1 | (b->l[2] >> 31) << 2 | (b->l[3] >> 31) << 3;
    case SI_MOVMSKPD:
        return (b->q[0] >> 63) | (b->q[1] >> 63) << 1;
    case SI_PINSRW:
        r->w[imm & (len / 2 - 1)] = b->w[0];
        break;
    case SI_PEXTRW:
        return b->w[imm & (len / 2 - 1)];
    case SI_MOVSLDUP:
        t.l[0] = t.l[1] = b->l[0];
        t.l[2] = t.l[3] = b->l[2];
        *r = t;
        break;
    case SI_MOVSHDUP:
        t.l[0] = t.l[1] = b->l[1];
        t.l[2] = t.l[3] = b->l[3];
        *r = t;
        break;
    case SI_MOVDDUP:
        r->q[0] = r->q[1] = b->q[0];
        break;
    case SI_PSHUFB:
        for (int i = 0; i < len; i++)
            t.b[i] = (b->b[i] & 0x80) ? 0 : a->b[b->b[i] & (len - 1)];
        memcpy(r, &t, (size_t)len);
        break;
    case SI_PHADDW: horizontal(r, a, b, len, 2, false, false); break;
    case SI_PHADDD: horizontal(r, a, b, len, 4, false, false); break;
    case SI_PHADDSW: horizontal(r, a, b, len, 2, false, true); break;
    case SI_PHSUBW: horizontal(r, a, b, len, 2, true, false); break;
    case SI_PHSUBD: horizontal(r, a, b, len, 4, true, false); break;
    case SI_PHSUBSW: horizontal(r, a, b, len, 2, true, true); break;
    case SI_PALIGNR: {
        uint8_t cat[32] = { 0 };
        memcpy(cat, b->b, (size_t)len);
        memcpy(cat + len, a->b, (size_t)len);
        for (int i = 0; i < len; i++)
            t.b[i] = i + imm < 2 * len ? cat[i + imm] : 0;
        memcpy(r, &t, (size_t)len);
        break;
    }
    case SI_PBLENDVB:
        for (int i = 0; i < 16; i++)
            if (env->xmm[0].b[i] & 0x80)
                r->b[i] = b->b[i];
        break;
    case SI_BLENDVPS:
        for (int i = 0; i < 4; i++)
            if (env->xmm[0].l[i] >> 31)
                r->l[i] = b->l[i];
        break;
    case SI_BLENDVPD:
        for (int i = 0; i < 2; i++)
            if (env->xmm[0].q[i] >> 63)
                r->q[i] = b->q[i];
        break;
    case SI_PTEST: {         /* ZF = (a AND b) == 0, CF = (NOT a AND b) == 0 */
        bool zf = !((a->q[0] & b->q[0]) | (a->q[1] & b->q[1]));
        bool cf = !((~a->q[0] & b->q[0]) | (~a->q[1] & b->q[1]));
        return (zf ? 0x40u : 0) | (cf ? 1u : 0);
    }
    case SI_PMOVSXBW: widen(r, b, 1, 2, true); break;
    case SI_PMOVSXBD: widen(r, b, 1, 4, true); break;
    case SI_PMOVSXBQ: widen(r, b, 1, 8, true); break;
    case SI_PMOVSXWD: widen(r, b, 2, 4, true); break;
    case SI_PMOVSXWQ: widen(r, b, 2, 8, true); break;
    case SI_PMOVSXDQ: widen(r, b, 4, 8, true); break;
    case SI_PMOVZXBW: widen(r, b, 1, 2, false); break;
    case SI_PMOVZXBD: widen(r, b, 1, 4, false); break;
    case SI_PMOVZXBQ: widen(r, b, 1, 8, false); break;
    case SI_PMOVZXWD: widen(r, b, 2, 4, false); break;
    case SI_PMOVZXWQ: widen(r, b, 2, 8, false); break;
    case SI_PMOVZXDQ: widen(r, b, 4, 8, false); break;
    case SI_PHMINPOSUW: {
        int idx = 0;
        for (int i = 1; i < 8; i++)
            if (b->w[i] < b->w[idx])
                idx = i;
        memset(r, 0, sizeof(*r));
        r->w[0] = b->w[idx];
        r->w[1] = (uint16_t)idx;
        break;
    }
    case SI_BLENDPS:
        for (int i = 0; i < 4; i++)
            if ((imm >> i) & 1)
                r->l[i] = b->l[i];
        break;
    case SI_BLENDPD:
        for (int i = 0; i < 2; i++)
            if ((imm >> i) & 1)
                r->q[i] = b->q[i];
        break;
    case SI_PBLENDW:
        for (int i = 0; i < 8; i++)
            if ((imm >> i) & 1)
                r->w[i] = b->w[i];
        break;
    case SI_MPSADBW: {
        int aoff = ((imm >> 2) & 1) * 4, boff = (imm & 3) * 4;
        for (int i = 0; i < 8; i++) {
            int sum = 0;
            for (int j = 0; j < 4; j++)
                sum += abs(a->b[aoff + i + j] - b->b[boff + j]);
            t.w[i] = (uint16_t)sum;
        }
        *r = t;
        break;
    }
    case SI_PEXTRB: return b->b[imm & 15];
    case SI_PEXTRD: case SI_EXTRACTPS: return b->l[imm & 3];
    case SI_PEXTRQ: return b->q[imm & 1];
    case SI_PINSRB: r->b[imm & 15] = b->b[0]; break;
    case SI_PINSRD: r->l[imm & 3] = b->l[0]; break;
    case SI_PINSRQ: r->q[imm & 1] = b->q[0]; break;
    case SI_INSERTPS: {
        /* s is a register: lane imm[7:6]; memory: the translator loaded the
         * dword into lane 0 and cleared imm[7:6] */
        r->l[(imm >> 4) & 3] = b->l[(imm >> 6) & 3];
        for (int i = 0; i < 4; i++)
            if ((imm >> i) & 1)
                r->l[i] = 0;
        break;
    }
    case SI_PCLMULQDQ: {
        uint64_t hi, lo = clmul(a->q[imm & 1], b->q[(imm >> 4) & 1], &hi);
        r->q[0] = lo;
        r->q[1] = hi;
        break;
    }
    default:
        break;
    }
    return 0;
}

/* CRC32 (SDM CRC32): the iSCSI polynomial 0x11EDC6F41, bit-reflected. */
uint64_t sse_helper_crc32(uint64_t crc, uint64_t v, uint64_t size)
{
    uint32_t c = (uint32_t)crc;
    for (uint64_t i = 0; i < size; i++) {
        c ^= (uint8_t)(v >> (8 * i));
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
    }
    return c;
}

const IrHelper sse_helper_int_def = {
    "sse_int", (void *)sse_helper_int, 6, true, IR_I64, IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS
};
const IrHelper sse_helper_crc32_def = {
    "crc32", (void *)sse_helper_crc32, 3, true, IR_I64,
    IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_PURE
};
