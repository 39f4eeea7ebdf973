/*
 * Software binary32/binary64 for the SSE instructions (see sse_float.h).
 *
 * Numbers are unpacked to sign, unbiased exponent and a 63-bit significand
 * with its leading one at bit 62 (value = sig * 2^(exp - 62)); operations
 * compute an exact or sticky-bit-truncated significand (128-bit integer
 * arithmetic) and round_pack() rounds once, with the x86 rules:
 *  - tininess is detected after rounding (SDM Vol. 1 4.9.1.5: the result
 *    is tiny if, rounded as if the exponent range were unbounded, it is
 *    below the smallest normal); masked underflow sets UE only when the
 *    result is also inexact, unmasked underflow whenever it is tiny;
 *  - FTZ (with UE masked) turns a tiny result into a signed zero, UE + PE;
 *  - DAZ turns denormal inputs into signed zeros, without DE;
 *  - NaNs (SDM Vol. 1 Table 4-7): an SNaN operand raises IE; the result is
 *    the first source if it is a NaN, else the second, quieted; invalid
 *    operations return the QNaN indefinite (sign set, quiet bit only).
 */
#include "cpu/x86/sse_float.h"

#include <stddef.h>

typedef struct FmtInfo { int mant, ebits, bias; } FmtInfo;
static const FmtInfo fmt_info[2] = { { 23, 8, 127 }, { 52, 11, 1023 } };

enum { C_ZERO, C_NORM, C_INF, C_QNAN, C_SNAN };

typedef struct Unp {
    int cls;
    bool sign;
    bool denorm;        /* was a denormal (before DAZ) */
    int32_t exp;
    uint64_t sig;       /* C_NORM: leading one at bit 62 */
} Unp;

typedef unsigned __int128 u128;

static uint64_t emax_field(const FmtInfo *fi) { return (1ull << fi->ebits) - 1; }
static uint64_t sign_bit(const FmtInfo *fi) { return 1ull << (fi->mant + fi->ebits); }
static uint64_t quiet_bit(const FmtInfo *fi) { return 1ull << (fi->mant - 1); }
static uint64_t frac_mask(const FmtInfo *fi) { return (1ull << fi->mant) - 1; }

static uint64_t default_nan(const FmtInfo *fi)
{
    return sign_bit(fi) | (emax_field(fi) << fi->mant) | quiet_bit(fi);
}

static uint64_t pack_inf(const FmtInfo *fi, bool sign)
{
    return (sign ? sign_bit(fi) : 0) | (emax_field(fi) << fi->mant);
}

static uint64_t pack_zero(const FmtInfo *fi, bool sign) { return sign ? sign_bit(fi) : 0; }

static int clz64(uint64_t v) { return v ? __builtin_clzll(v) : 64; }

static bool is_nan(const Unp *u) { return u->cls == C_QNAN || u->cls == C_SNAN; }

static Unp unpack(const SseFp *st, const FmtInfo *fi, uint64_t v)
{
    Unp u = { 0 };
    u.sign = (v >> (fi->mant + fi->ebits)) & 1;
    uint64_t e = (v >> fi->mant) & emax_field(fi), frac = v & frac_mask(fi);
    if (e == emax_field(fi)) {
        u.cls = !frac ? C_INF : (frac & quiet_bit(fi)) ? C_QNAN : C_SNAN;
    } else if (e == 0) {
        if (!frac) {
            u.cls = C_ZERO;
        } else {
            u.denorm = true;
            if (st->mxcsr & MXCSR_DAZ) {
                u.cls = C_ZERO;
            } else {
                int p = 63 - clz64(frac);
                u.cls = C_NORM;
                u.sig = frac << (62 - p);
                u.exp = 1 - fi->bias - fi->mant + p;
            }
        }
    } else {
        u.cls = C_NORM;
        u.sig = ((1ull << fi->mant) | frac) << (62 - fi->mant);
        u.exp = (int32_t)e - fi->bias;
    }
    return u;
}

/* DE for denormal operands (not with DAZ); a NaN operand takes precedence
 * (SDM Vol. 1 4.9.2: QNaN handling outranks the denormal exception). */
static void note_denormal(SseFp *st, const Unp *a, const Unp *b)
{
    if (st->mxcsr & MXCSR_DAZ)
        return;
    if (is_nan(a) || (b && is_nan(b)))
        return;
    if (a->denorm || (b && b->denorm))
        st->pre |= MXCSR_DE;
}

/* Result for NaN operands of a two-operand instruction. */
static uint64_t propagate_nan(SseFp *st, const FmtInfo *fi, uint64_t a, const Unp *ua, uint64_t b,
                              const Unp *ub)
{
    if (ua->cls == C_SNAN || (ub && ub->cls == C_SNAN))
        st->pre |= MXCSR_IE;
    return (is_nan(ua) ? a : b) | quiet_bit(fi);
}

static uint64_t invalid(SseFp *st, const FmtInfo *fi)
{
    st->pre |= MXCSR_IE;
    return default_nan(fi);
}

/* sig >> shift rounded per rc (sign of the value for directed modes). */
static uint64_t shift_round(uint64_t sig, int shift, int rc, bool sign, bool *inexact)
{
    uint64_t q, rem;
    int cmp;                    /* remainder vs one half: -1, 0, 1 */
    if (shift <= 0) {
        *inexact = false;
        return sig;
    }
    if (shift >= 64) {
        q = 0;
        rem = sig;
        cmp = (shift == 64 && sig == 1ull << 63) ? 0 : (shift == 64 && sig > 1ull << 63) ? 1 : -1;
    } else {
        q = sig >> shift;
        rem = sig & ((1ull << shift) - 1);
        uint64_t half = 1ull << (shift - 1);
        cmp = rem > half ? 1 : rem == half ? 0 : -1;
    }
    *inexact = rem != 0;
    if (!rem)
        return q;
    switch (rc) {
    case SSE_RN: if (cmp > 0 || (cmp == 0 && (q & 1))) q++; break;
    case SSE_RD: if (sign) q++; break;
    case SSE_RU: if (!sign) q++; break;
    default: break;
    }
    return q;
}

/* Round sign * sig * 2^(exp - 62) (sig: leading one at bit 62, bit 0
 * sticky) to the format with rounding control rc. */
static uint64_t round_pack_rc(SseFp *st, const FmtInfo *fi, bool sign, int32_t exp, uint64_t sig, int rc)
{
    const int prec = fi->mant + 1, emin = 1 - fi->bias, emax = fi->bias;
    const int base_shift = 63 - prec;
    bool inexact;
    uint32_t masks = st->mxcsr >> MXCSR_MASK_SHIFT;

    if (exp < emin) {
        /* tininess after rounding: round to prec bits, unbounded exponent */
        uint64_t r = shift_round(sig, base_shift, rc, sign, &inexact);
        int32_t er = exp + ((r >> prec) ? 1 : 0);
        bool tiny = er < emin;
        if (tiny && (st->mxcsr & MXCSR_FTZ) && (masks & MXCSR_UE)) {
            st->post |= MXCSR_UE | MXCSR_PE;
            return pack_zero(fi, sign);
        }
        int shift = base_shift + (emin - exp);
        r = shift_round(sig, shift > 127 ? 127 : shift, rc, sign, &inexact);
        if (inexact)
            st->post |= MXCSR_PE;
        if (tiny && (inexact || !(masks & MXCSR_UE)))
            st->post |= MXCSR_UE;
        /* a carry into bit mant makes the exponent field 1: still right */
        return (sign ? sign_bit(fi) : 0) + r;
    }
    uint64_t r = shift_round(sig, base_shift, rc, sign, &inexact);
    if (r >> prec) {
        r >>= 1;
        exp++;
    }
    if (exp > emax) {
        st->post |= MXCSR_OE | MXCSR_PE;
        bool to_inf = rc == SSE_RN || (rc == SSE_RU && !sign) || (rc == SSE_RD && sign);
        if (to_inf)
            return pack_inf(fi, sign);
        return (sign ? sign_bit(fi) : 0) | ((emax_field(fi) - 1) << fi->mant) | frac_mask(fi);
    }
    if (inexact)
        st->post |= MXCSR_PE;
    return (sign ? sign_bit(fi) : 0) | ((uint64_t)(exp + fi->bias) << fi->mant) | (r & frac_mask(fi));
}

static int mxcsr_rc(const SseFp *st) { return (int)(st->mxcsr >> MXCSR_RC_SHIFT) & 3; }

static uint64_t round_pack(SseFp *st, const FmtInfo *fi, bool sign, int32_t exp, uint64_t sig)
{
    return round_pack_rc(st, fi, sign, exp, sig, mxcsr_rc(st));
}

/* Normalize a nonzero 64-bit magnitude (value = v * 2^(exp - 62)) so the
 * leading one is at bit 62, folding shifted-out bits into bit 0. */
static uint64_t normalize(uint64_t v, int32_t *exp)
{
    int lead = 63 - clz64(v);
    if (lead > 62) {
        int sh = lead - 62;
        v = (v >> sh) | ((v & ((1ull << sh) - 1)) != 0);
        *exp += sh;
    } else {
        v <<= 62 - lead;
        *exp -= 62 - lead;
    }
    return v;
}

/* Same for a 128-bit magnitude with value = v * 2^(exp - 62). */
static uint64_t normalize128(u128 v, int32_t *exp)
{
    uint64_t hi = (uint64_t)(v >> 64);
    int lead = hi ? 127 - clz64(hi) : 63 - clz64((uint64_t)v);
    if (lead > 62) {
        int sh = lead - 62;
        uint64_t r = (uint64_t)(v >> sh) | ((v & (((u128)1 << sh) - 1)) != 0);
        *exp += sh;
        return r;
    }
    *exp -= 62 - lead;
    return (uint64_t)v << (62 - lead);
}

/* ---- add / sub ---- */

static uint64_t add_unp(SseFp *st, const FmtInfo *fi, Unp a, Unp b, bool negate_b)
{
    b.sign ^= negate_b;
    if (a.cls == C_INF || b.cls == C_INF) {
        if (a.cls == C_INF && b.cls == C_INF && a.sign != b.sign)
            return invalid(st, fi);
        return pack_inf(fi, a.cls == C_INF ? a.sign : b.sign);
    }
    if (a.cls == C_ZERO && b.cls == C_ZERO) {
        bool sign = a.sign == b.sign ? a.sign : mxcsr_rc(st) == SSE_RD;
        return pack_zero(fi, sign);
    }
    if (a.cls == C_ZERO)
        return round_pack(st, fi, b.sign, b.exp, b.sig);
    if (b.cls == C_ZERO)
        return round_pack(st, fi, a.sign, a.exp, a.sig);
    if (a.exp < b.exp || (a.exp == b.exp && a.sig < b.sig)) {
        Unp t = a;
        a = b;
        b = t;
    }
    /* |a| >= |b|: align b to a, one guard bit free at the top */
    int32_t d = a.exp - b.exp;
    uint64_t as = a.sig, bs;
    if (d >= 63)
        bs = 1;         /* sticky */
    else if (d > 0)
        bs = (b.sig >> d) | ((b.sig & ((1ull << d) - 1)) != 0);
    else
        bs = b.sig;
    int32_t exp = a.exp;
    if (a.sign == b.sign) {
        uint64_t sum = normalize(as + bs, &exp);     /* as + bs < 2^64 */
        return round_pack(st, fi, a.sign, exp, sum);
    }
    uint64_t s = as - bs;
    if (!s)
        return pack_zero(fi, mxcsr_rc(st) == SSE_RD);
    uint64_t diff = normalize(s, &exp);         /* before exp is read */
    return round_pack(st, fi, a.sign, exp, diff);
}

/* ---- mul / div ---- */

static uint64_t mul_unp(SseFp *st, const FmtInfo *fi, const Unp *a, const Unp *b)
{
    bool sign = a->sign ^ b->sign;
    if (a->cls == C_INF || b->cls == C_INF) {
        if (a->cls == C_ZERO || b->cls == C_ZERO)
            return invalid(st, fi);
        return pack_inf(fi, sign);
    }
    if (a->cls == C_ZERO || b->cls == C_ZERO)
        return pack_zero(fi, sign);
    u128 p = (u128)a->sig * b->sig;     /* value = p * 2^(ea + eb - 124) */
    int32_t exp = a->exp + b->exp - 62;
    uint64_t sig = normalize128(p, &exp);
    return round_pack(st, fi, sign, exp, sig);
}

static uint64_t div_unp(SseFp *st, const FmtInfo *fi, const Unp *a, const Unp *b)
{
    bool sign = a->sign ^ b->sign;
    if (a->cls == C_INF)
        return b->cls == C_INF ? invalid(st, fi) : pack_inf(fi, sign);
    if (b->cls == C_INF)
        return pack_zero(fi, sign);
    if (b->cls == C_ZERO) {
        if (a->cls == C_ZERO)
            return invalid(st, fi);
        st->pre |= MXCSR_ZE;
        return pack_inf(fi, sign);
    }
    if (a->cls == C_ZERO)
        return pack_zero(fi, sign);
    u128 n = (u128)a->sig << 64;
    u128 q = n / b->sig;
    bool sticky = (n % b->sig) != 0;
    /* value = q * 2^(ea - eb - 64) */
    int32_t exp = a->exp - b->exp - 64 + 62;
    uint64_t sig = normalize128(q | sticky, &exp);
    return round_pack(st, fi, sign, exp, sig);
}

uint64_t sse_fp_binop(SseFp *st, SseFmt f, SseOp op, uint64_t a, uint64_t b)
{
    const FmtInfo *fi = &fmt_info[f];
    Unp ua = unpack(st, fi, a), ub = unpack(st, fi, b);
    if (op == SSE_MIN || op == SSE_MAX) {
        /* SDM MINPS/MAXPS: any NaN raises IE and returns the second
         * operand; so does a tie (two zeros of any sign). DAZ-flushed
         * denormals compare as zeros and are returned as such. */
        note_denormal(st, &ua, &ub);
        if (is_nan(&ua) || is_nan(&ub)) {
            st->pre |= MXCSR_IE;
            return ub.cls == C_ZERO ? pack_zero(fi, ub.sign) : b;
        }
        bool lt = sse_fp_cmp(st, f, 1, a, b);
        bool gt = sse_fp_cmp(st, f, 1, b, a);
        bool pick_a = op == SSE_MIN ? lt : gt;
        if (pick_a)
            return ua.cls == C_ZERO ? pack_zero(fi, ua.sign) : a;
        return ub.cls == C_ZERO ? pack_zero(fi, ub.sign) : b;
    }
    if (is_nan(&ua) || is_nan(&ub))
        return propagate_nan(st, fi, a, &ua, b, &ub);
    /* an invalid operation or division by zero outranks DE (SDM Vol. 1
     * 4.9.2): DE only when the operation itself is valid */
    SseFp lane = { st->mxcsr, 0, 0 };
    uint64_t r;
    switch (op) {
    case SSE_ADD: r = add_unp(&lane, fi, ua, ub, false); break;
    case SSE_SUB: r = add_unp(&lane, fi, ua, ub, true); break;
    case SSE_MUL: r = mul_unp(&lane, fi, &ua, &ub); break;
    default: r = div_unp(&lane, fi, &ua, &ub); break;
    }
    if (!(lane.pre & (MXCSR_IE | MXCSR_ZE)))
        note_denormal(st, &ua, &ub);
    st->pre |= lane.pre;
    st->post |= lane.post;
    return r;
}

/* ---- sqrt ---- */

static uint64_t isqrt128(u128 v, bool *inexact)
{
    u128 rem = 0, root = 0;
    for (int i = 0; i < 64; i++) {
        rem = (rem << 2) | (v >> 126);
        v <<= 2;
        root <<= 1;
        u128 trial = (root << 1) | 1;
        if (rem >= trial) {
            rem -= trial;
            root |= 1;
        }
    }
    *inexact = rem != 0;
    return (uint64_t)root;
}

uint64_t sse_fp_sqrt(SseFp *st, SseFmt f, uint64_t a)
{
    const FmtInfo *fi = &fmt_info[f];
    Unp u = unpack(st, fi, a);
    if (is_nan(&u))
        return propagate_nan(st, fi, a, &u, 0, NULL);
    if (u.cls == C_ZERO)
        return pack_zero(fi, u.sign);
    if (u.sign)
        return invalid(st, fi);
    note_denormal(st, &u, NULL);
    if (u.cls == C_INF)
        return pack_inf(fi, false);
    bool odd = u.exp & 1;
    u128 v = (u128)u.sig << (odd ? 63 : 62);
    bool inexact;
    uint64_t r = isqrt128(v, &inexact);
    return round_pack(st, fi, false, u.exp >> 1, r | inexact);
}

/* ---- compare ---- */

/* -1, 0, 1 for ordered a, b (no NaNs). */
static int cmp_ordered(const Unp *a, const Unp *b)
{
    if (a->cls == C_ZERO && b->cls == C_ZERO)
        return 0;
    if (a->sign != b->sign)
        return a->sign ? -1 : 1;
    int mag;
    if (a->cls == b->cls && a->cls == C_INF)
        mag = 0;
    else if (a->cls == C_INF || b->cls == C_ZERO)
        mag = 1;
    else if (b->cls == C_INF || a->cls == C_ZERO)
        mag = -1;
    else if (a->exp != b->exp)
        mag = a->exp > b->exp ? 1 : -1;
    else
        mag = a->sig > b->sig ? 1 : a->sig < b->sig ? -1 : 0;
    return a->sign ? -mag : mag;
}

bool sse_fp_cmp(SseFp *st, SseFmt f, int pred, uint64_t a, uint64_t b)
{
    const FmtInfo *fi = &fmt_info[f];
    Unp ua = unpack(st, fi, a), ub = unpack(st, fi, b);
    pred &= 7;
    bool signaling = pred == 1 || pred == 2 || pred == 5 || pred == 6;
    bool unord = is_nan(&ua) || is_nan(&ub);
    if (ua.cls == C_SNAN || ub.cls == C_SNAN || (unord && signaling))
        st->pre |= MXCSR_IE;
    note_denormal(st, &ua, &ub);
    int c = unord ? 2 : cmp_ordered(&ua, &ub);
    switch (pred) {
    case 0: return c == 0;                   /* EQ */
    case 1: return c == -1;                  /* LT */
    case 2: return c == -1 || c == 0;        /* LE */
    case 3: return unord;                    /* UNORD */
    case 4: return c != 0;                   /* NEQ */
    case 5: return !(c == -1);               /* NLT */
    case 6: return !(c == -1 || c == 0);     /* NLE */
    default: return !unord;                  /* ORD */
    }
}

uint32_t sse_fp_comi(SseFp *st, SseFmt f, bool signaling, uint64_t a, uint64_t b)
{
    const FmtInfo *fi = &fmt_info[f];
    Unp ua = unpack(st, fi, a), ub = unpack(st, fi, b);
    bool unord = is_nan(&ua) || is_nan(&ub);
    if (ua.cls == C_SNAN || ub.cls == C_SNAN || (unord && signaling))
        st->pre |= MXCSR_IE;
    note_denormal(st, &ua, &ub);
    if (unord)
        return 0x45;                         /* ZF PF CF */
    int c = cmp_ordered(&ua, &ub);
    return c == 0 ? 0x40 : c < 0 ? 0x01 : 0;
}

/* ---- conversions ---- */

uint64_t sse_fp_convert(SseFp *st, SseFmt from, SseFmt to, uint64_t a)
{
    const FmtInfo *fa = &fmt_info[from], *ft = &fmt_info[to];
    Unp u = unpack(st, fa, a);
    if (is_nan(&u)) {
        if (u.cls == C_SNAN)
            st->pre |= MXCSR_IE;
        uint64_t frac = a & frac_mask(fa);
        frac = to > from ? frac << (ft->mant - fa->mant) : frac >> (fa->mant - ft->mant);
        return (u.sign ? sign_bit(ft) : 0) | (emax_field(ft) << ft->mant) | frac | quiet_bit(ft);
    }
    note_denormal(st, &u, NULL);
    if (u.cls == C_INF)
        return pack_inf(ft, u.sign);
    if (u.cls == C_ZERO)
        return pack_zero(ft, u.sign);
    return round_pack(st, ft, u.sign, u.exp, u.sig);
}

uint64_t sse_fp_to_int(SseFp *st, SseFmt f, uint64_t a, int bits, bool trunc)
{
    const FmtInfo *fi = &fmt_info[f];
    Unp u = unpack(st, fi, a);
    uint64_t indefinite = 1ull << (bits - 1);
    if (is_nan(&u) || u.cls == C_INF) {
        st->pre |= MXCSR_IE;
        return indefinite;
    }
    if (u.cls == C_ZERO)
        return 0;
    if (u.exp > bits - 1) {
        st->pre |= MXCSR_IE;
        return indefinite;
    }
    if (u.exp == 63) {          /* only -2^63 fits */
        if (u.sign && u.sig == 1ull << 62)
            return indefinite;
        st->pre |= MXCSR_IE;
        return indefinite;
    }
    bool inexact;
    uint64_t q = shift_round(u.sig, 62 - u.exp, trunc ? SSE_RZ : mxcsr_rc(st), u.sign, &inexact);
    if (q > (u.sign ? indefinite : indefinite - 1)) {
        st->pre |= MXCSR_IE;
        return indefinite;
    }
    if (inexact)
        st->post |= MXCSR_PE;
    uint64_t r = u.sign ? (uint64_t)0 - q : q;
    return bits == 32 ? (uint32_t)r : r;
}

uint64_t sse_fp_from_int(SseFp *st, SseFmt f, int64_t v)
{
    const FmtInfo *fi = &fmt_info[f];
    if (!v)
        return 0;
    bool sign = v < 0;
    uint64_t mag = sign ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int32_t exp = 62;
    uint64_t sig = normalize(mag, &exp);
    return round_pack(st, fi, sign, exp, sig);
}

uint64_t sse_fp_round(SseFp *st, SseFmt f, uint64_t a, int imm)
{
    const FmtInfo *fi = &fmt_info[f];
    Unp u = unpack(st, fi, a);
    if (is_nan(&u))
        return propagate_nan(st, fi, a, &u, 0, NULL);
    if (u.cls == C_INF)
        return a;
    if (u.cls == C_ZERO)
        return pack_zero(fi, u.sign);
    int rc = (imm & 4) ? mxcsr_rc(st) : (imm & 3);
    if (u.exp >= fi->mant)
        return a;                            /* already an integer */
    bool inexact;
    uint64_t q = shift_round(u.sig, 62 - u.exp, rc, u.sign, &inexact);
    if (inexact && !(imm & 8))
        st->post |= MXCSR_PE;
    if (!q)
        return pack_zero(fi, u.sign);
    int32_t exp = 62;
    uint64_t sig = normalize(q, &exp);
    SseFp exact = *st;                       /* an integer below 2^mant: exact */
    return round_pack_rc(&exact, fi, u.sign, exp, sig, SSE_RZ);
}

/* RCPSS/RSQRTSS: the SDM only bounds the relative error (|e| <= 1.5 *
 * 2^-12). doppel returns the exact result rounded to 12 significant bits
 * (toward zero) so the bits are the same on every host; they match no
 * particular CPU's table. Denormal inputs count as zero and tiny results
 * flush to zero, whatever DAZ/FTZ say; no flags (SDM RCPSS, RSQRTSS). */
uint32_t sse_fp_rcp(uint32_t a, bool rsqrt)
{
    const FmtInfo *fi = &fmt_info[SSE_F32];
    SseFp st = { MXCSR_MASKS | MXCSR_DAZ | MXCSR_FTZ | (SSE_RZ << MXCSR_RC_SHIFT), 0, 0 };
    Unp u = unpack(&st, fi, a);
    if (is_nan(&u))
        return (uint32_t)(a | quiet_bit(fi));
    if (u.cls == C_ZERO)
        return (uint32_t)pack_inf(fi, u.sign);
    if (rsqrt && u.sign)
        return (uint32_t)default_nan(fi);
    if (u.cls == C_INF)
        return (uint32_t)pack_zero(fi, u.sign);
    uint64_t one = 0x3f800000u;
    uint64_t r = rsqrt ? sse_fp_binop(&st, SSE_F32, SSE_DIV, one, sse_fp_sqrt(&st, SSE_F32, a))
                       : sse_fp_binop(&st, SSE_F32, SSE_DIV, one, a);
    if (((r >> 23) & 0xff) == 0)
        return (uint32_t)(r & 0x80000000u);
    return (uint32_t)(r & ~0x7ffull);
}
