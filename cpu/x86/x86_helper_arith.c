/*
 * Pure C semantics of MUL/IMUL, DIV/IDIV, group 2 shifts and rotates,
 * SHLD/SHRD, BT*, BSF/BSR, POPCNT and the BCD adjusts, with the exact
 * EFLAGS result (Intel SDM Vol. 2 instruction pages; AMD APM Vol. 3).
 *
 * Undefined flags: where the SDM says "undefined", we produce what the
 * AMD host of tests/unit/test_x86_helpers.c produces; each choice is noted
 * next to the code. Everything is plain 64-bit C (no __int128), so it runs
 * the same on every host.
 */
#include "cpu/x86/x86_helper_arith.h"

#include "cpu/x86/x86_cpu.h"

static inline unsigned size_bits(unsigned size) { return 8 * size; }

static inline uint64_t size_sign(unsigned size) { return (uint64_t)1 << (8 * size - 1); }

/* Sign-extend the low 8*size bits of v. */
static inline int64_t sext(unsigned size, uint64_t v)
{
    unsigned sh = 64 - size_bits(size);
    return (int64_t)(v << sh) >> sh;
}

static inline bool parity_even(uint64_t v)
{
    return !(__builtin_popcount((unsigned)(v & 0xff)) & 1);
}

uint32_t x86_flags_szp(unsigned size, uint64_t res)
{
    uint32_t f = 0;
    res &= x86_arith_mask(size);
    if (res == 0) {
        f |= X86_ZF;
    }
    if (res & size_sign(size)) {
        f |= X86_SF;
    }
    if (parity_even(res)) {
        f |= X86_PF;
    }
    return f;
}

/* ---- multiply ---- */

/* 64 x 64 -> 128 unsigned, from 32-bit halves. */
static uint64_t mul64_full(uint64_t a, uint64_t b, uint64_t *hi)
{
    uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl;
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return (mid << 32) | (uint32_t)ll;
}

/*
 * Undefined flags of MUL/IMUL (SDM: SF, ZF, AF, PF undefined): the AMD
 * host leaves them unchanged (measured by test_x86_helpers).
 */
static uint32_t mul_flags(uint32_t old, bool overflow)
{
    uint32_t f = old & (X86_SF | X86_ZF | X86_AF | X86_PF);
    if (overflow) {
        f |= X86_CF | X86_OF;
    }
    return f;
}

uint64_t x86_arith_mul(unsigned size, uint64_t a, uint64_t b, uint64_t *hi, uint32_t *flags)
{
    uint64_t m = x86_arith_mask(size), lo, h;
    a &= m;
    b &= m;
    if (size == 8) {
        lo = mul64_full(a, b, &h);
    } else {
        uint64_t p = a * b;                 /* at most 32 x 32 bits */
        lo = p & m;
        h = (p >> size_bits(size)) & m;
    }
    *hi = h;
    *flags = mul_flags(*flags, h != 0);
    return lo;
}

uint64_t x86_arith_imul(unsigned size, uint64_t a, uint64_t b, uint64_t *hi, uint32_t *flags)
{
    uint64_t m = x86_arith_mask(size), lo, h;
    if (size == 8) {
        lo = mul64_full(a, b, &h);
        /* signed high half = unsigned high half - (a<0 ? b : 0) - (b<0 ? a : 0) */
        if ((int64_t)a < 0) {
            h -= b;
        }
        if ((int64_t)b < 0) {
            h -= a;
        }
    } else {
        int64_t p = sext(size, a) * sext(size, b);   /* fits: at most 32 x 32 bits */
        lo = (uint64_t)p & m;
        h = ((uint64_t)(p >> size_bits(size))) & m;
    }
    /* overflow: the high half is not the sign extension of the low half */
    uint64_t ext = (lo & size_sign(size)) ? m : 0;
    *hi = h;
    *flags = mul_flags(*flags, h != ext);
    return lo;
}

/* ---- divide ---- */

/* Unsigned hi:lo / d with hi < d (so the quotient fits 64 bits): restoring
 * shift-subtract, one quotient bit per step. */
static uint64_t udiv128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
    for (int i = 0; i < 64; i++) {
        uint64_t carry = hi >> 63;
        hi = (hi << 1) | (lo >> 63);
        lo <<= 1;
        if (carry || hi >= d) {
            hi -= d;
            lo |= 1;
        }
    }
    *rem = hi;
    return lo;
}

/* Quotient and remainder of the unsigned 128-bit hi:lo by d; false if d is
 * 0 or the quotient does not fit 64 bits. */
static bool udiv128_checked(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *q, uint64_t *r)
{
    if (d == 0 || hi >= d) {
        return false;
    }
    if (hi == 0) {
        *q = lo / d;
        *r = lo % d;
    } else {
        *q = udiv128(hi, lo, d, r);
    }
    return true;
}

/*
 * Flags after DIV/IDIV: all six are undefined (SDM). The AMD host keeps CF
 * and OF, sets AF and clears SF, ZF and PF (measured by test_x86_helpers).
 */
static uint32_t div_flags(uint32_t old)
{
    return (old & (X86_CF | X86_OF)) | X86_AF;
}

bool x86_arith_div(unsigned size, uint64_t hi, uint64_t lo, uint64_t divisor, uint64_t *quot,
                   uint64_t *rem, uint32_t *flags)
{
    uint64_t m = x86_arith_mask(size), q, r;
    hi &= m;
    lo &= m;
    divisor &= m;
    if (size < 8) {
        /* the dividend has at most 64 bits */
        uint64_t n = (hi << size_bits(size)) | lo;
        if (divisor == 0) {
            return false;
        }
        q = n / divisor;
        r = n % divisor;
        if (q > m) {
            return false;
        }
    } else if (!udiv128_checked(hi, lo, divisor, &q, &r)) {
        return false;
    }
    *quot = q;
    *rem = r;
    *flags = div_flags(*flags);
    return true;
}

bool x86_arith_idiv(unsigned size, uint64_t hi, uint64_t lo, uint64_t divisor, uint64_t *quot,
                    uint64_t *rem, uint32_t *flags)
{
    uint64_t m = x86_arith_mask(size), nhi, nlo, d, q, r;
    bool nneg, dneg;
    /* sign-extend the dividend to 128 bits as nhi:nlo */
    if (size < 8) {
        int64_t n = sext(2 * size > 8 ? 8 : 2 * size, ((hi & m) << size_bits(size)) | (lo & m));
        nlo = (uint64_t)n;
        nhi = n < 0 ? ~(uint64_t)0 : 0;
    } else {
        nlo = lo;
        nhi = hi;
    }
    int64_t sd = sext(size, divisor);
    if (sd == 0) {
        return false;
    }
    nneg = (int64_t)nhi < 0;
    dneg = sd < 0;
    if (nneg) {                     /* 128-bit negate */
        nlo = ~nlo + 1;
        nhi = ~nhi + (nlo == 0);
    }
    d = dneg ? (uint64_t)0 - (uint64_t)sd : (uint64_t)sd;
    if (!udiv128_checked(nhi, nlo, d, &q, &r)) {
        return false;
    }
    /* the magnitude limit: 2^(bits-1) - 1 for a positive quotient, 2^(bits-1) for a negative one */
    if (nneg != dneg) {
        if (q > size_sign(size)) {
            return false;
        }
        q = (uint64_t)0 - q;
    } else if (q >= size_sign(size)) {
        return false;
    }
    if (nneg) {
        r = (uint64_t)0 - r;
    }
    *quot = q & m;
    *rem = r & m;
    *flags = div_flags(*flags);
    return true;
}

/* ---- shifts and rotates ---- */

/* val rotated left by r (0 <= r < bits) within bits. */
static uint64_t rotl_n(uint64_t val, unsigned r, unsigned bits, uint64_t m)
{
    if (r == 0) {
        return val;
    }
    return ((val << r) | (val >> (bits - r))) & m;
}

uint64_t x86_arith_shift(X86ShiftOp op, unsigned size, uint64_t val, uint64_t count, uint32_t *flags)
{
    unsigned bits = size_bits(size);
    uint64_t m = x86_arith_mask(size), sign = size_sign(size), res;
    unsigned c = (unsigned)(count & (size == 8 ? 0x3f : 0x1f));
    uint32_t f = *flags, cf, of;

    val &= m;
    if (c == 0) {
        return val;                 /* count 0: result and flags unchanged */
    }
    switch (op) {
    case X86_SH_ROL: {
        res = rotl_n(val, c % bits, bits, m);
        cf = res & 1;
        of = ((res & sign) != 0) ^ cf;
        *flags = (f & ~(X86_CF | X86_OF)) | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
        return res;
    }
    case X86_SH_ROR: {
        res = rotl_n(val, (bits - c % bits) % bits, bits, m);
        cf = (res & sign) != 0;
        of = cf ^ ((res >> (bits - 2)) & 1);
        *flags = (f & ~(X86_CF | X86_OF)) | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
        return res;
    }
    case X86_SH_RCL:
    case X86_SH_RCR: {
        /* rotate the (bits+1)-bit quantity CF:val; 8/16-bit counts are modulo 9/17 */
        unsigned r = bits < 32 ? c % (bits + 1) : c;
        uint64_t oldcf = (f & X86_CF) ? 1 : 0;
        cf = (unsigned)oldcf;
        res = val;
        if (op == X86_SH_RCR) {
            r = r == 0 ? 0 : bits + 1 - r;          /* right by r = left by bits+1-r */
        }
        for (unsigned i = 0; i < r; i++) {
            unsigned out = (res & sign) != 0;
            res = ((res << 1) | cf) & m;
            cf = out;
        }
        if (op == X86_SH_RCL) {
            of = ((res & sign) != 0) ^ cf;
        } else {
            of = ((res & sign) != 0) ^ ((res >> (bits - 2)) & 1);
        }
        *flags = (f & ~(X86_CF | X86_OF)) | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
        return res;
    }
    case X86_SH_SHL:
    case X86_SH_SAL:
        res = c < 64 ? (val << c) & m : 0;
        cf = c <= bits ? (val >> (bits - c)) & 1 : 0;
        of = ((res & sign) != 0) ^ cf;
        break;
    case X86_SH_SHR:
        res = c < 64 ? val >> c : 0;
        cf = c - 1 < 64 ? (val >> (c - 1)) & 1 : 0;
        /* OF: msb(val) for count 1 (SDM); the AMD host computes the top two
         * result bits' XOR for every count, which is 0 for counts > 1 */
        of = ((res >> (bits - 1)) ^ (res >> (bits - 2))) & 1;
        break;
    default: {                      /* X86_SH_SAR */
        int64_t s = sext(size, val);
        res = (uint64_t)(s >> (c < 64 ? c : 63)) & m;
        cf = (s >> (c - 1 < 64 ? c - 1 : 63)) & 1;
        of = 0;
        break;
    }
    }
    /* AF is undefined for a non-zero count (SDM); the AMD host sets it */
    *flags = x86_flags_szp(size, res) | X86_AF | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
    return res;
}

uint64_t x86_arith_shd(bool right, unsigned size, uint64_t dst, uint64_t src, uint64_t count,
                       uint32_t *flags)
{
    unsigned bits = size_bits(size);
    uint64_t m = x86_arith_mask(size), sign = size_sign(size), res;
    unsigned c = (unsigned)(count & (size == 8 ? 0x3f : 0x1f));
    uint32_t cf;
    bool of;

    dst &= m;
    src &= m;
    if (c == 0) {
        return dst;
    }
    if (size == 2 && c > 16) {
        /* 16-bit with count 17..31: result and flags undefined (SDM). The
         * AMD host rotates src by count - 16 (left for SHLD, right for
         * SHRD), ignores dst, clears CF, and sets OF as below for SHRD and
         * to 0 for SHLD (measured by test_x86_helpers). */
        unsigned r = c - 16;
        res = right ? rotl_n(src, 16 - r, 16, m) : rotl_n(src, r, 16, m);
        of = right && (((res >> 15) ^ (res >> 14)) & 1);
        *flags = x86_flags_szp(size, res) | X86_AF | (of ? X86_OF : 0);
        return res;
    }
    if (!right) {
        res = ((dst << c) | (src >> (bits - c))) & m;
        cf = (dst >> (bits - c)) & 1;
    } else {
        res = ((dst >> c) | (src << (bits - c))) & m;
        cf = (dst >> (c - 1)) & 1;
    }
    /* OF is the sign change for count 1 (SDM), undefined otherwise; the
     * AMD host computes msb(res) ^ CF for SHLD and the XOR of the top two
     * result bits for SHRD, which are the sign change for count 1. AF is
     * undefined; the host sets it. */
    if (!right) {
        /* (16-bit count 16: the host gives OF = CF) */
        of = bits == 16 && c == 16 ? cf : ((res & sign) != 0) ^ cf;
    } else {
        of = ((res >> (bits - 1)) ^ (res >> (bits - 2))) & 1;
    }
    *flags = x86_flags_szp(size, res) | X86_AF | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
    return res;
}

/* ---- bits ---- */

uint64_t x86_arith_bt(X86BitOp op, unsigned size, uint64_t val, unsigned bit, uint32_t *flags)
{
    uint64_t m = x86_arith_mask(size), b = (uint64_t)1 << (bit & (size_bits(size) - 1));
    bool old = (val & b) != 0;
    val &= m;
    switch (op) {
    case X86_BTS: val |= b; break;
    case X86_BTR: val &= ~b; break;
    case X86_BTC: val ^= b; break;
    default: break;
    }
    /* SDM: ZF unaffected, OF/SF/AF/PF undefined; the AMD host leaves them */
    *flags = (*flags & ~X86_CF) | (old ? X86_CF : 0);
    return val;
}

/*
 * BSF/BSR flags: ZF = (src == 0); CF, OF, SF, AF, PF undefined (SDM). The
 * AMD host clears CF/OF/SF/AF and sets PF from the bit index found (as if
 * 0 for a zero source).
 */
uint64_t x86_arith_bsf_bsr(bool reverse, unsigned size, uint64_t dst, uint64_t src, uint32_t *flags)
{
    src &= x86_arith_mask(size);
    if (src == 0) {
        *flags = X86_ZF | X86_PF;
        return dst;
    }
    uint64_t idx = reverse ? (uint64_t)(63 - __builtin_clzll(src)) : (uint64_t)__builtin_ctzll(src);
    *flags = parity_even(idx) ? X86_PF : 0;
    return idx;
}

uint64_t x86_arith_popcnt(unsigned size, uint64_t src, uint32_t *flags)
{
    src &= x86_arith_mask(size);
    *flags = src == 0 ? X86_ZF : 0;
    return (uint64_t)__builtin_popcountll(src);
}

/* ---- BCD (SDM DAA, DAS, AAA, AAS, AAM, AAD "Operation") ---- */

bool x86_arith_bcd(X86BcdOp op, uint16_t ax, uint8_t imm, uint16_t *ax_out, uint32_t *flags)
{
    uint8_t al = ax & 0xff, ah = ax >> 8;
    uint32_t f = *flags;
    bool cf = f & X86_CF, af = f & X86_AF;

    switch (op) {
    case X86_DAA:
    case X86_DAS: {
        uint8_t old_al = al;
        bool old_cf = cf;
        cf = false;
        if ((al & 0x0f) > 9 || af) {
            if (op == X86_DAA) {
                cf = old_cf || al > 0xff - 6;
                al += 6;
            } else {
                cf = old_cf || al < 6;
                al -= 6;
            }
            af = true;
        } else {
            af = false;
        }
        if (old_al > 0x99 || old_cf) {
            al = op == X86_DAA ? al + 0x60 : al - 0x60;
            cf = true;
        } else if (op == X86_DAA) {
            cf = false;
        }
        /* OF undefined: cleared (not measurable on a 64-bit host) */
        f = x86_flags_szp(1, al) | (cf ? X86_CF : 0) | (af ? X86_AF : 0);
        break;
    }
    case X86_AAA:
    case X86_AAS:
        if ((al & 0x0f) > 9 || af) {
            if (op == X86_AAA) {
                ax += 0x106;
            } else {
                ax -= 6;
                ax -= 0x100;
            }
            cf = af = true;
        } else {
            cf = af = false;
        }
        al = (ax & 0xff) & 0x0f;
        ah = ax >> 8;
        /* OF/SF/ZF/PF undefined: SZP of the final AL, OF cleared (chosen) */
        f = x86_flags_szp(1, al) | (cf ? X86_CF : 0) | (af ? X86_AF : 0);
        break;
    case X86_AAM:
        if (imm == 0) {
            return false;
        }
        ah = al / imm;
        al = al % imm;
        /* OF/AF/CF undefined: cleared (chosen) */
        f = x86_flags_szp(1, al);
        break;
    default:                        /* X86_AAD */
        al = (uint8_t)(al + ah * imm);
        ah = 0;
        f = x86_flags_szp(1, al);
        break;
    }
    *ax_out = (uint16_t)(ah << 8 | al);
    *flags = f;
    return true;
}
