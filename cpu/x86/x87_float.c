/*
 * Software extended precision for the x87 (see x87_float.h): classify,
 * round-and-pack with RC/PC and the masked/unmasked responses of SDM Vol. 1
 * 4.9.1 and 8.5, NaN propagation (Table 4-7), add/sub/mul/div/sqrt, FRNDINT,
 * FSCALE, FXTRACT, FPREM/FPREM1, compares and the conversions from and to
 * integers, IEEE single/double and packed BCD.
 *
 * Internal form of a finite value: sign, biased exponent (int32, may leave
 * the 15-bit range) and a normalized significand. Wide significands are
 * 128 bits as two uint64_t (hi, lo); a set lo bit 0 stands for any nonzero
 * bits shifted out below ("jamming").
 */
#include "cpu/x86/x87_float.h"

#include <string.h>

enum { BIAS = 16383, EXP_MAX = 0x7fff, WRAP = 24576 };

static int clz64(uint64_t x) { return x ? __builtin_clzll(x) : 64; }

/* hi:lo >>= n, ORing lost bits into bit 0. */
static void shr_jam128(uint64_t *hi, uint64_t *lo, int n)
{
    if (n <= 0)
        return;
    if (n >= 128) {
        *lo = (*hi | *lo) != 0;
        *hi = 0;
    } else if (n >= 64) {
        uint64_t lost = (n == 64 ? 0 : *hi << (128 - n)) | *lo;
        *lo = (n == 64 ? *hi : *hi >> (n - 64)) | (lost != 0);
        *hi = 0;
    } else {
        uint64_t lost = *lo << (64 - n);
        *lo = (*lo >> n) | (*hi << (64 - n)) | (lost != 0);
        *hi >>= n;
    }
}

/* hi:lo <<= n (n < 128). */
static void shl128(uint64_t *hi, uint64_t *lo, int n)
{
    if (n <= 0)
        return;
    if (n >= 64) {
        *hi = *lo << (n - 64);
        *lo = 0;
    } else {
        *hi = (*hi << n) | (*lo >> (64 - n));
        *lo <<= n;
    }
}

/* Full 64x64 -> 128 product. */
static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *lo = (mid << 32) | (uint32_t)p00;
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

X87Class x87_classify(X86Float80 a)
{
    int exp = x87_exp(a);
    bool j = a.mant >> 63;
    if (exp == EXP_MAX) {
        if (!j)
            return X87_UNSUPPORTED;
        if ((a.mant << 1) == 0)
            return X87_INF;
        return (a.mant >> 62) & 1 ? X87_QNAN : X87_SNAN;
    }
    if (exp == 0)
        return a.mant == 0 ? X87_ZERO : X87_DENORMAL;
    return j ? X87_NORMAL : X87_UNSUPPORTED;
}

static bool is_nan_class(X87Class c) { return c == X87_QNAN || c == X87_SNAN; }

void x87_unpack(X86Float80 a, int32_t *exp, uint64_t *mant)
{
    int32_t e = x87_exp(a);
    uint64_t m = a.mant;
    if (e == 0)
        e = 1;
    int s = clz64(m);
    *mant = m << s;
    *exp = e - s;
}

X86Float80 x87_propagate_nan(X87Env *e, X86Float80 a, X86Float80 b)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    if (ca == X87_SNAN || cb == X87_SNAN)
        e->flags |= X87_IE;
    bool an = is_nan_class(ca), bn = is_nan_class(cb);
    X86Float80 r;
    if (an && bn) {
        if (ca != cb)
            r = ca == X87_QNAN ? a : b;
        else if (a.mant != b.mant)
            r = a.mant > b.mant ? a : b;
        else
            r = a.sign_exp < b.sign_exp ? a : b;
    } else {
        r = an ? a : b;
    }
    r.mant |= 1ull << 62;
    return r;
}

/* Parameters of one rounding target: significand bits, the normal biased
 * exponent range (in the extended bias), and whether unmasked OE/UE wrap
 * the exponent (register destinations). */
typedef struct RoundTarget { int prec; int32_t emin, emax; bool wrap; } RoundTarget;

/* Round and pack; for targets other than extended the returned exponent is
 * still extended-biased (emin - 1 marks a denormal). */
static X86Float80 round_target(X87Env *e, bool sign, int32_t exp, uint64_t hi, uint64_t lo, const RoundTarget *t)
{
    int rc = (e->cw >> 10) & 3;
    bool ue_masked = e->cw & X87_UE, oe_masked = e->cw & X87_OE;
    bool tiny = exp < t->emin;
    bool denorm = false;
    if (tiny && (ue_masked || !t->wrap)) {
        shr_jam128(&hi, &lo, t->emin - exp);
        exp = t->emin - 1;
        denorm = true;
    }
    uint64_t rbits, half, unit;
    bool lsb;
    if (t->prec == 64) {
        rbits = lo;
        half = 1ull << 63;
        lsb = hi & 1;
        unit = 1;
    } else {
        hi |= lo != 0;
        unit = 1ull << (64 - t->prec);
        rbits = hi & (unit - 1);
        half = unit >> 1;
        lsb = (hi & unit) != 0;
        hi &= ~(unit - 1);
    }
    bool inexact = rbits != 0, inc;
    switch (rc) {
    case X87_RC_NEAREST: inc = rbits > half || (rbits == half && lsb); break;
    case X87_RC_DOWN: inc = inexact && sign; break;
    case X87_RC_UP: inc = inexact && !sign; break;
    default: inc = false; break;
    }
    if (inc) {
        hi += unit;
        if (hi == 0) {
            hi = 1ull << 63;
            exp++;
        } else if (denorm && (hi >> 63)) {
            exp = t->emin;
        }
    }
    if (tiny) {
        if (!ue_masked && t->wrap) {
            e->flags |= X87_UE;
            exp += WRAP;
            if (exp < t->emin) {        /* still tiny: a signed zero */
                e->flags |= X87_PE;
                return x87_make(sign, 0, 0);
            }
        } else if (inexact) {
            e->flags |= X87_UE;
        } else if (!ue_masked) {
            e->flags |= X87_UE;       /* memory target, unmasked: any tiny result */
        }
    }
    if (exp > t->emax) {
        e->flags |= X87_OE;
        if (!oe_masked && t->wrap) {
            exp -= WRAP;
            if (exp > t->emax) {        /* still out of range: infinity */
                e->flags |= X87_PE | X87_C1;
                return x87_make(sign, EXP_MAX, 1ull << 63);
            }
        } else {
            bool to_inf = rc == X87_RC_NEAREST || (rc == X87_RC_UP && !sign) || (rc == X87_RC_DOWN && sign);
            e->flags |= X87_PE;
            if (to_inf) {
                e->flags |= X87_C1;
                return x87_make(sign, EXP_MAX, 1ull << 63);
            }
            uint64_t maxm = t->prec == 64 ? ~0ull : ~((1ull << (64 - t->prec)) - 1);
            return x87_make(sign, (uint16_t)t->emax, maxm);
        }
    }
    if (inexact) {
        e->flags |= X87_PE;
        if (inc)
            e->flags |= X87_C1;
    }
    if (hi == 0)
        exp = 0;
    X86Float80 r = { hi, (uint16_t)((sign ? 0x8000u : 0) | ((uint32_t)exp & 0x7fff)) };
    return r;
}

static int pc_bits(const X87Env *e)
{
    switch ((e->cw >> 8) & 3) {
    case X87_PC_24: return 24;
    case X87_PC_53: return 53;
    default: return 64;
    }
}

X86Float80 x87_round_pack(X87Env *e, bool sign, int32_t exp, uint64_t hi, uint64_t lo, int prec)
{
    RoundTarget t = { prec, 1, EXP_MAX - 1, true };
    return round_target(e, sign, exp, hi, lo, &t);
}

/* Normalize hi:lo (nonzero) so bit 127 is set, adjusting exp, then round. */
static X86Float80 norm_round_pack(X87Env *e, bool sign, int32_t exp, uint64_t hi, uint64_t lo, int prec)
{
    int s = hi ? clz64(hi) : 64 + clz64(lo);
    shl128(&hi, &lo, s);
    return x87_round_pack(e, sign, exp - s, hi, lo, prec);
}

/* Common pre-checks of two-operand arithmetic: unsupported formats and
 * NaNs decide the result; denormal operands raise DE. */
static bool binary_special(X87Env *e, X86Float80 a, X86Float80 b, X87Class ca, X87Class cb, X86Float80 *res)
{
    if (ca == X87_UNSUPPORTED || cb == X87_UNSUPPORTED) {
        e->flags |= X87_IE;
        *res = x87_indefinite();
        return true;
    }
    if (is_nan_class(ca) || is_nan_class(cb)) {
        *res = x87_propagate_nan(e, a, b);
        return true;
    }
    if (ca == X87_DENORMAL || cb == X87_DENORMAL)
        e->flags |= X87_DE;
    return false;
}

static X86Float80 invalid(X87Env *e)
{
    e->flags |= X87_IE;
    return x87_indefinite();
}

static X86Float80 addsub(X87Env *e, X86Float80 a, X86Float80 b, bool negb)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    X86Float80 r;
    if (binary_special(e, a, b, ca, cb, &r))
        return r;
    bool sa = x87_sign(a), sb = x87_sign(b) ^ negb;
    if (ca == X87_INF) {
        if (cb == X87_INF && sa != sb)
            return invalid(e);
        return a;
    }
    if (cb == X87_INF)
        return x87_make(sb, EXP_MAX, 1ull << 63);
    int rc = (e->cw >> 10) & 3;
    if (ca == X87_ZERO && cb == X87_ZERO)
        return x87_make(sa == sb ? sa : rc == X87_RC_DOWN, 0, 0);
    int prec = pc_bits(e);
    int32_t ea, eb;
    uint64_t ma, mb;
    if (ca == X87_ZERO) {
        x87_unpack(b, &eb, &mb);
        return x87_round_pack(e, sb, eb, mb, 0, prec);
    }
    if (cb == X87_ZERO) {
        x87_unpack(a, &ea, &ma);
        return x87_round_pack(e, sa, ea, ma, 0, prec);
    }
    x87_unpack(a, &ea, &ma);
    x87_unpack(b, &eb, &mb);
    if (eb > ea || (eb == ea && mb > ma)) {     /* |a| >= |b| from here */
        int32_t te = ea; ea = eb; eb = te;
        uint64_t tm = ma; ma = mb; mb = tm;
        bool ts = sa; sa = sb; sb = ts;
    }
    /* integer bit at bit 126 of hi:lo */
    uint64_t ahi = ma >> 1, alo = ma << 63, bhi = mb >> 1, blo = mb << 63;
    shr_jam128(&bhi, &blo, ea - eb);
    uint64_t hi, lo;
    if (sa == sb) {
        lo = alo + blo;
        hi = ahi + bhi + (lo < alo);
    } else {
        lo = alo - blo;
        hi = ahi - bhi - (alo < blo);
        if (hi == 0 && lo == 0)
            return x87_make(rc == X87_RC_DOWN, 0, 0);
    }
    return norm_round_pack(e, sa, ea + 1, hi, lo, prec);
}

X86Float80 x87_add(X87Env *e, X86Float80 a, X86Float80 b) { return addsub(e, a, b, false); }
X86Float80 x87_sub(X87Env *e, X86Float80 a, X86Float80 b) { return addsub(e, a, b, true); }

X86Float80 x87_mul(X87Env *e, X86Float80 a, X86Float80 b)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    X86Float80 r;
    if (binary_special(e, a, b, ca, cb, &r))
        return r;
    bool s = x87_sign(a) ^ x87_sign(b);
    if (ca == X87_INF || cb == X87_INF) {
        if (ca == X87_ZERO || cb == X87_ZERO)
            return invalid(e);
        return x87_make(s, EXP_MAX, 1ull << 63);
    }
    if (ca == X87_ZERO || cb == X87_ZERO)
        return x87_make(s, 0, 0);
    int32_t ea, eb;
    uint64_t ma, mb, hi, lo;
    x87_unpack(a, &ea, &ma);
    x87_unpack(b, &eb, &mb);
    mul64(ma, mb, &hi, &lo);
    return norm_round_pack(e, s, ea + eb - BIAS + 1, hi, lo, pc_bits(e));
}

X86Float80 x87_div(X87Env *e, X86Float80 a, X86Float80 b)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    X86Float80 r;
    if (cb == X87_ZERO && ca != X87_UNSUPPORTED && !is_nan_class(ca))
        ca = ca == X87_DENORMAL ? X87_NORMAL : ca;   /* x / 0: ZE (or IE) only, no DE */
    if (binary_special(e, a, b, ca, cb, &r))
        return r;
    bool s = x87_sign(a) ^ x87_sign(b);
    if (ca == X87_INF) {
        if (cb == X87_INF)
            return invalid(e);
        return x87_make(s, EXP_MAX, 1ull << 63);
    }
    if (cb == X87_INF)
        return x87_make(s, 0, 0);
    if (cb == X87_ZERO) {
        if (ca == X87_ZERO)
            return invalid(e);
        e->flags |= X87_ZE;
        return x87_make(s, EXP_MAX, 1ull << 63);
    }
    if (ca == X87_ZERO)
        return x87_make(s, 0, 0);
    int32_t ea, eb;
    uint64_t ma, mb;
    x87_unpack(a, &ea, &ma);
    x87_unpack(b, &eb, &mb);
    /* Restoring division: 70 quotient bits of ma/mb from bit 127 down. */
    uint64_t rem = ma, hi = 0, lo = 0;
    bool carry = false;
    for (int i = 0; i < 70; i++) {
        if (carry || rem >= mb) {
            rem -= mb;
            if (i < 64)
                hi |= 1ull << (63 - i);
            else
                lo |= 1ull << (127 - i);
        }
        carry = rem >> 63;
        rem <<= 1;
    }
    lo |= rem != 0 || carry;
    return norm_round_pack(e, s, ea - eb + BIAS, hi, lo, pc_bits(e));
}

X86Float80 x87_sqrt(X87Env *e, X86Float80 a)
{
    X87Class ca = x87_classify(a);
    X86Float80 r;
    if (x87_sign(a) && (ca == X87_DENORMAL || ca == X87_NORMAL || ca == X87_INF))
        return invalid(e);              /* before DE */
    if (binary_special(e, a, a, ca, ca, &r))
        return r;
    if (ca == X87_ZERO)
        return a;
    if (ca == X87_INF)
        return a;
    int32_t ea;
    uint64_t ma;
    x87_unpack(a, &ea, &ma);
    /* value = ma/2^63 * 2^(ea-BIAS). Radicand R = s * 2^69 with s = ma or
     * 2*ma so that ea - BIAS - (s == 2ma) is even; root has 68 bits. */
    int32_t u = ea - BIAS;
    int odd = u & 1;
    /* radicand bits: s as a 65-bit number (sh:sl) placed at the top of a
     * 136-bit field; digit i takes field bits 135-2i and 134-2i. */
    uint64_t sh = odd ? ma >> 63 : 0, sl = odd ? ma << 1 : ma;   /* s = sh:sl, < 2^65 */
    /* field bit k (0..135) = bit (k - 69) of s */
    uint64_t rhi = 0, rlo = 0, qhi = 0, qlo = 0;  /* remainder, root */
    for (int i = 0; i < 68; i++) {
        int k = 135 - 2 * i;
        unsigned two = 0;
        for (int j = 0; j < 2; j++) {
            int bit = k - j - 69;
            unsigned v = 0;
            if (bit >= 64)
                v = (unsigned)(sh >> (bit - 64)) & 1;
            else if (bit >= 0)
                v = (unsigned)(sl >> bit) & 1;
            two = (two << 1) | v;
        }
        /* rem = rem*4 + two */
        shl128(&rhi, &rlo, 2);
        rlo |= two;
        /* trial = root*4 + 1 */
        uint64_t thi = qhi, tlo = qlo;
        shl128(&thi, &tlo, 2);
        tlo |= 1;
        shl128(&qhi, &qlo, 1);
        if (rhi > thi || (rhi == thi && rlo >= tlo)) {
            uint64_t nlo = rlo - tlo;
            rhi = rhi - thi - (rlo < tlo);
            rlo = nlo;
            qlo |= 1;
        }
    }
    /* root = sqrt(s * 2^69) with s/2^63 in [1,4): sqrt(s/2^63) = root/2^66;
     * root has its msb at bit 66 or 67. */
    uint64_t hi = qhi, lo = qlo;
    shl128(&hi, &lo, 60);          /* msb near bit 127 */
    lo |= (rhi | rlo) != 0;
    /* hi:lo / 2^126 = root/2^66 ; x87 convention is /2^127: exp + 1 */
    int32_t rexp = (u - odd) / 2 + BIAS + 1;
    return norm_round_pack(e, false, rexp, hi, lo, pc_bits(e));
}

/* ---- rounding to integers ---- */

/* Round finite nonzero |a| to an integer per rc (or chop): *mag gets the
 * magnitude if it fits in 64 bits (*big set otherwise, for |a| >= 2^64).
 * Returns whether inexact; *up whether the magnitude was increased. */
static bool round_to_u64(X86Float80 a, int rc, uint64_t *mag, bool *big, bool *up)
{
    int32_t ea;
    uint64_t m;
    x87_unpack(a, &ea, &m);
    bool sign = x87_sign(a);
    int32_t u = ea - BIAS;            /* value = m/2^63 * 2^u */
    *big = false;
    *up = false;
    if (u >= 64) {
        *big = true;
        *mag = 0;
        return false;
    }
    if (u >= 63) {
        *mag = m;
        return false;
    }
    uint64_t ip, frac, half;
    bool rest;
    if (u >= 0) {
        int sh = 63 - u;
        ip = m >> sh;
        frac = m << (64 - sh);   /* fraction bits at the top */
        half = 1ull << 63;
        rest = frac != 0;
    } else {
        ip = 0;
        if (u == -1) {
            frac = m;            /* value in [0.5, 1): fraction = m/2^64 */
        } else {
            frac = u > -64 ? m >> (-u - 1) : 0;
            if (u <= -64 || (m << (64 + u + 1)) != 0)
                frac |= 1;       /* jam (stays below half) */
        }
        half = 1ull << 63;
        rest = true;
    }
    bool inc;
    switch (rc) {
    case X87_RC_NEAREST: inc = frac > half || (frac == half && (ip & 1)); break;
    case X87_RC_DOWN: inc = rest && sign; break;
    case X87_RC_UP: inc = rest && !sign; break;
    default: inc = false; break;
    }
    if (inc) {
        ip++;
        if (ip == 0)
            *big = true;
    }
    *mag = ip;
    *up = inc;
    return rest;
}

X86Float80 x87_round_int(X87Env *e, X86Float80 a)
{
    X87Class c = x87_classify(a);
    X86Float80 r;
    if (binary_special(e, a, a, c, c, &r))
        return r;
    if (c == X87_ZERO || c == X87_INF)
        return a;
    uint64_t mag;
    bool big, up;
    int rc = (e->cw >> 10) & 3;
    bool inexact = round_to_u64(a, rc, &mag, &big, &up);
    if (inexact) {
        e->flags |= X87_PE;
        if (up)
            e->flags |= X87_C1;
    }
    bool s = x87_sign(a);
    if (big) {
        if (!inexact)
            return a;                  /* already integral */
        return x87_make(s, BIAS + 64, 1ull << 63);
    }
    if (mag == 0)
        return x87_make(s, 0, 0);
    int sh = clz64(mag);
    return x87_make(s, (uint16_t)(BIAS + 63 - sh), mag << sh);
}

int64_t x87_to_int(X87Env *e, X86Float80 a, int bits, bool truncate)
{
    uint64_t indef = 1ull << (bits - 1);
    int64_t res_indef = (int64_t)(bits == 64 ? indef : (uint64_t)-(int64_t)indef);
    X87Class c = x87_classify(a);
    if (c == X87_UNSUPPORTED || c == X87_INF || is_nan_class(c)) {
        e->flags |= X87_IE;
        return res_indef;
    }
    if (c == X87_ZERO)
        return 0;
    uint64_t mag;
    bool big, up;
    int rc = truncate ? X87_RC_CHOP : (e->cw >> 10) & 3;
    bool inexact = round_to_u64(a, rc, &mag, &big, &up);
    bool s = x87_sign(a);
    if (big || mag > indef || (mag == indef && !s)) {
        e->flags |= X87_IE;
        return res_indef;
    }
    if (inexact) {
        e->flags |= X87_PE;
        if (up)
            e->flags |= X87_C1;
    }
    return s ? (int64_t)(0 - mag) : (int64_t)mag;
}

X86Float80 x87_from_int64(int64_t v)
{
    if (v == 0)
        return x87_make(false, 0, 0);
    bool s = v < 0;
    uint64_t m = s ? 0 - (uint64_t)v : (uint64_t)v;
    int sh = clz64(m);
    return x87_make(s, (uint16_t)(BIAS + 63 - sh), m << sh);
}

/* ---- IEEE single/double ---- */

static X86Float80 from_ieee(X87Env *e, uint64_t v, int fbits, int ebits)
{
    bool s = (v >> (fbits + ebits)) & 1;
    int32_t ex = (int32_t)((v >> fbits) & ((1u << ebits) - 1));
    uint64_t f = v & ((1ull << fbits) - 1);
    int32_t bias = (1 << (ebits - 1)) - 1;
    if (ex == (1 << ebits) - 1) {
        uint64_t m = (1ull << 63) | (f << (63 - fbits));
        if (f && !(f >> (fbits - 1))) {
            e->flags |= X87_IE;
            m |= 1ull << 62;
        }
        return x87_make(s, EXP_MAX, m);
    }
    if (ex == 0) {
        if (f == 0)
            return x87_make(s, 0, 0);
        e->flags |= X87_DE;
        int sh = clz64(f);
        /* value = f * 2^(1 - bias - fbits) */
        return x87_make(s, (uint16_t)(BIAS + 1 - bias - fbits + 63 - sh), f << sh);
    }
    return x87_make(s, (uint16_t)(ex - bias + BIAS), (1ull << 63) | (f << (63 - fbits)));
}

X86Float80 x87_from_f32(X87Env *e, uint32_t v) { return from_ieee(e, v, 23, 8); }
X86Float80 x87_from_f64(X87Env *e, uint64_t v) { return from_ieee(e, v, 52, 11); }

static uint64_t to_ieee(X87Env *e, X86Float80 a, int fbits, int ebits)
{
    int32_t bias = (1 << (ebits - 1)) - 1, emaxf = (1 << ebits) - 1;
    X87Class c = x87_classify(a);
    uint64_t s = (uint64_t)x87_sign(a) << (fbits + ebits);
    uint64_t inf = (uint64_t)emaxf << fbits;
    switch (c) {
    case X87_UNSUPPORTED:
        e->flags |= X87_IE;
        return (1ull << (fbits + ebits)) | inf | (1ull << (fbits - 1));
    case X87_SNAN:
    case X87_QNAN:
        if (c == X87_SNAN)
            e->flags |= X87_IE;
        return s | inf | (1ull << (fbits - 1)) | ((a.mant << 1) >> (64 - fbits));
    case X87_INF:
        return s | inf;
    case X87_ZERO:
        return s;
    default:
        break;
    }
    int32_t ex;
    uint64_t m;
    x87_unpack(a, &ex, &m);
    RoundTarget t = { fbits + 1, BIAS + 1 - bias, BIAS + emaxf - 1 - bias, false };
    X87Env sub = { e->cw, 0 };
    X86Float80 r = round_target(&sub, x87_sign(a), ex, m, 0, &t);
    e->flags |= sub.flags;
    int32_t rex = x87_exp(r);
    if (rex == EXP_MAX)
        return s | inf;
    uint64_t frac = r.mant >> (63 - fbits);
    if (!(r.mant >> 63))           /* denormal (or zero) */
        return s | frac;
    return s | ((uint64_t)(rex - BIAS + bias) << fbits) | (frac & ((1ull << fbits) - 1));
}

uint32_t x87_to_f32(X87Env *e, X86Float80 a) { return (uint32_t)to_ieee(e, a, 23, 8); }
uint64_t x87_to_f64(X87Env *e, X86Float80 a) { return to_ieee(e, a, 52, 11); }

/* ---- packed BCD (SDM Vol. 1 4.7, FBLD/FBSTP) ---- */

X86Float80 x87_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (uint64_t)(bcd[i] >> 4) * 10 + (bcd[i] & 15);
    X86Float80 r = x87_from_int64((int64_t)v);
    if (bcd[9] & 0x80)
        r = x87_neg(r);
    return r;
}

void x87_to_bcd(X87Env *e, X86Float80 a, uint8_t bcd[10])
{
    X87Class c = x87_classify(a);
    memset(bcd, 0, 10);
    uint64_t mag = 0;
    bool bad = c == X87_UNSUPPORTED || c == X87_INF || is_nan_class(c);
    if (!bad && c != X87_ZERO) {
        bool big, up;
        bool inexact = round_to_u64(a, (e->cw >> 10) & 3, &mag, &big, &up);
        if (big || mag > 999999999999999999ull) {
            bad = true;
        } else if (inexact) {
            e->flags |= X87_PE;
            if (up)
                e->flags |= X87_C1;
        }
    }
    if (bad) {
        e->flags |= X87_IE;
        bcd[7] = 0xc0;
        bcd[8] = bcd[9] = 0xff;
        return;
    }
    for (int i = 0; i < 9; i++) {
        unsigned lo = (unsigned)(mag % 10);
        mag /= 10;
        unsigned hi = (unsigned)(mag % 10);
        mag /= 10;
        bcd[i] = (uint8_t)(hi << 4 | lo);
    }
    bcd[9] = x87_sign(a) ? 0x80 : 0;
}

/* ---- FSCALE, FXTRACT, FPREM ---- */

X86Float80 x87_scale(X87Env *e, X86Float80 a, X86Float80 b)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    X86Float80 r;
    if (binary_special(e, a, b, ca, cb, &r))
        return r;
    if (cb == X87_INF) {
        if (x87_sign(b)) {
            if (ca == X87_INF)
                return invalid(e);
            return x87_make(x87_sign(a), 0, 0);
        }
        if (ca == X87_ZERO)
            return invalid(e);
        return x87_make(x87_sign(a), EXP_MAX, 1ull << 63);
    }
    if (ca == X87_ZERO || ca == X87_INF)
        return a;
    /* n = trunc(b), clamped far outside any reachable exponent */
    int32_t n = 0;
    if (cb != X87_ZERO) {
        int32_t eb;
        uint64_t mb;
        x87_unpack(b, &eb, &mb);
        int32_t u = eb - BIAS;
        if (u >= 0) {
            uint64_t ip = u >= 20 ? (1u << 20) : mb >> (63 - u);
            n = (int32_t)ip;
        }
        if (x87_sign(b))
            n = -n;
    }
    int32_t ea;
    uint64_t ma;
    x87_unpack(a, &ea, &ma);
    return x87_round_pack(e, x87_sign(a), ea + n, ma, 0, 64);
}

X86Float80 x87_xtract(X87Env *e, X86Float80 a, X86Float80 *exp_out)
{
    X87Class c = x87_classify(a);
    X86Float80 r;
    if (binary_special(e, a, a, c, c, &r)) {
        *exp_out = r;
        return r;
    }
    if (c == X87_ZERO) {
        e->flags |= X87_ZE;
        *exp_out = x87_make(true, EXP_MAX, 1ull << 63);
        return a;
    }
    if (c == X87_INF) {
        *exp_out = x87_make(false, EXP_MAX, 1ull << 63);
        return a;
    }
    int32_t ea;
    uint64_t ma;
    x87_unpack(a, &ea, &ma);
    *exp_out = x87_from_int64(ea - BIAS);
    return x87_make(x87_sign(a), BIAS, ma);
}

/* 128-bit compare and subtract helpers for FPREM */
static bool ge128(uint64_t ah, uint64_t al, uint64_t bh, uint64_t bl)
{
    return ah > bh || (ah == bh && al >= bl);
}

static void sub128(uint64_t *ah, uint64_t *al, uint64_t bh, uint64_t bl)
{
    uint64_t l = *al - bl;
    *ah = *ah - bh - (*al < bl);
    *al = l;
}

X86Float80 x87_prem(X87Env *e, X86Float80 a, X86Float80 b, bool nearest, uint16_t *cc)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    X86Float80 r;
    *cc = 0;
    if (ca != X87_UNSUPPORTED && cb != X87_UNSUPPORTED && !is_nan_class(ca) && !is_nan_class(cb)
        && (ca == X87_INF || cb == X87_ZERO))
        return invalid(e);              /* before DE */
    if (binary_special(e, a, b, ca, cb, &r))
        return r;
    if (ca == X87_ZERO)
        return a;
    if (cb == X87_INF) {
        int32_t ea;
        uint64_t ma;
        x87_unpack(a, &ea, &ma);
        return x87_round_pack(e, x87_sign(a), ea, ma, 0, 64);
    }
    int32_t ea, eb;
    uint64_t ma, mb;
    x87_unpack(a, &ea, &ma);
    x87_unpack(b, &eb, &mb);
    int32_t d = ea - eb;
    bool sign = x87_sign(a);
    if (d < -1 || (d == -1 && !nearest))
        return x87_round_pack(e, sign, ea, ma, 0, 64);
    /* rem and divisor as 128-bit integers in units of 2^(unit_exp) */
    uint64_t rh = 0, rl = ma, bh = 0, bl = mb, q = 0;
    int32_t rexp;                       /* biased exponent of the unit 2^63 */
    bool partial = d >= 64;
    if (partial) {
        int n = 32 + d % 32;            /* reduce by n bits (SDM: 32 <= n < 64) */
        int32_t steps = n;
        for (int32_t i = 0; i <= steps; i++) {
            q <<= 1;
            if (ge128(rh, rl, bh, bl)) {
                sub128(&rh, &rl, bh, bl);
                q |= 1;
            }
            if (i < steps)
                shl128(&rh, &rl, 1);
        }
        rexp = eb + (d - n);
        *cc = X87_C2;
    } else if (d == -1) {
        shl128(&bh, &bl, 1);            /* units of a's lsb: b = 2 * mb */
        rexp = ea;
    } else {
        for (int32_t i = 0; i <= d; i++) {
            q <<= 1;
            if (ge128(rh, rl, bh, bl)) {
                sub128(&rh, &rl, bh, bl);
                q |= 1;
            }
            if (i < d)
                shl128(&rh, &rl, 1);
        }
        rexp = eb;
    }
    if (nearest && !partial) {
        uint64_t th = rh, tl = rl;
        shl128(&th, &tl, 1);            /* 2 * rem vs divisor */
        bool gt = ge128(th, tl, bh, bl) && !(th == bh && tl == bl);
        bool eq = th == bh && tl == bl;
        if (gt || (eq && (q & 1))) {
            uint64_t nh = bh, nl = bl;
            sub128(&nh, &nl, rh, rl);
            rh = nh;
            rl = nl;
            sign = !sign;
            q++;
        }
    }
    if (!partial)
        *cc = (uint16_t)(((q & 4) ? X87_C0 : 0) | ((q & 2) ? X87_C3 : 0) | ((q & 1) ? X87_C1 : 0));
    if (rh == 0 && rl == 0)
        return x87_make(x87_sign(a), 0, 0);
    /* value = (rh:rl) * 2^(rexp - BIAS - 63); as hi:lo/2^127 the exponent
     * is rexp + 64 before normalization */
    return norm_round_pack(e, sign, rexp + 64, rh, rl, 64);
}

int x87_compare(X87Env *e, X86Float80 a, X86Float80 b, bool quiet)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    if (ca == X87_UNSUPPORTED || cb == X87_UNSUPPORTED) {
        e->flags |= X87_IE;
        return 2;
    }
    if (is_nan_class(ca) || is_nan_class(cb)) {
        if (!quiet || ca == X87_SNAN || cb == X87_SNAN)
            e->flags |= X87_IE;
        return 2;
    }
    if (ca == X87_DENORMAL || cb == X87_DENORMAL)
        e->flags |= X87_DE;
    if (ca == X87_ZERO && cb == X87_ZERO)
        return 0;
    bool sa = x87_sign(a), sb = x87_sign(b);
    if (ca == X87_ZERO)
        return sb ? 1 : -1;
    if (cb == X87_ZERO)
        return sa ? -1 : 1;
    if (sa != sb)
        return sa ? -1 : 1;
    int32_t ea, eb;
    uint64_t ma, mb;
    if (ca == X87_INF) {
        ea = 0x10000;
        ma = 0;
    } else {
        x87_unpack(a, &ea, &ma);
    }
    if (cb == X87_INF) {
        eb = 0x10000;
        mb = 0;
    } else {
        x87_unpack(b, &eb, &mb);
    }
    int mag = ea != eb ? (ea < eb ? -1 : 1) : ma != mb ? (ma < mb ? -1 : 1) : 0;
    return sa ? -mag : mag;
}
