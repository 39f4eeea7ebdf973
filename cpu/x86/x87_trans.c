/*
 * x87 transcendental instructions in software (see x87_trans.h; SDM Vol. 2
 * F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN, FSIN, FCOS, FSINCOS and their
 * special-value tables; Vol. 1 8.3.10 for the 66-bit pi).
 *
 * Internal arithmetic is a small software float "Big": sign, unbiased
 * exponent and a 128-bit significand (truncating operations, error a few
 * units of 2^-127). Functions are evaluated by power series after argument
 * reduction, then rounded once to 64 bits per RC with a sticky bit (the
 * results are inexact unless a special case says otherwise).
 */
#include "cpu/x86/x87_trans.h"

enum { BIAS = 16383 };

/* value = (hi:lo) / 2^127 * 2^exp; zero has hi = lo = 0. */
typedef struct Big { bool neg; int32_t exp; uint64_t hi, lo; } Big;

static int clz64(uint64_t x) { return x ? __builtin_clzll(x) : 64; }

static Big big_norm(Big a)
{
    if (!a.hi && !a.lo)
        return a;
    int s = a.hi ? clz64(a.hi) : 64 + clz64(a.lo);
    if (s >= 64) {
        a.hi = a.lo << (s - 64);
        a.lo = 0;
    } else if (s) {
        a.hi = (a.hi << s) | (a.lo >> (64 - s));
        a.lo <<= s;
    }
    a.exp -= s;
    return a;
}

static Big big_make(bool neg, int32_t exp, uint64_t hi, uint64_t lo)
{
    Big b = { neg, exp, hi, lo };
    return big_norm(b);
}

static bool big_zero(Big a) { return !a.hi && !a.lo; }

static Big big_from(X86Float80 v)
{
    if (x87_classify(v) == X87_ZERO)
        return big_make(x87_sign(v), 0, 0, 0);
    int32_t e;
    uint64_t m;
    x87_unpack(v, &e, &m);
    return big_make(x87_sign(v), e - BIAS, m, 0);
}

static Big big_int(int64_t v)
{
    bool neg = v < 0;
    uint64_t m = neg ? 0 - (uint64_t)v : (uint64_t)v;
    return big_make(neg, 127, 0, m);
}

static void mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *lo = (mid << 32) | (uint32_t)p00;
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

static Big big_mul(Big a, Big b)
{
    if (big_zero(a) || big_zero(b))
        return big_make(a.neg ^ b.neg, 0, 0, 0);
    uint64_t hh, hl, h1, l1, h2, l2, lh, ll;
    mul64(a.hi, b.hi, &hh, &hl);
    mul64(a.hi, b.lo, &h1, &l1);
    mul64(a.lo, b.hi, &h2, &l2);
    mul64(a.lo, b.lo, &lh, &ll);
    (void)ll;
    /* sum of the 256-bit product's upper 128 bits (lower words dropped) */
    uint64_t w1 = hl, w0 = hh, c = 0;
    uint64_t t = w1 + h1;
    c += t < w1;
    w1 = t;
    t = w1 + h2;
    c += t < w1;
    w1 = t;
    uint64_t x = l1 + l2;
    uint64_t cx = x < l1;
    x += lh;
    cx += x < lh;
    t = w1 + cx;
    c += t < w1;
    w1 = t;
    w0 += c;
    /* product of [1,2) x [1,2) at bit 254 of 256: value = w0:w1 / 2^126 */
    return big_make(a.neg ^ b.neg, a.exp + b.exp + 1, w0, w1);
}

/* |a| + |b| or |a| - |b| helpers on normalized values */
static void shr128(uint64_t *hi, uint64_t *lo, int n)
{
    if (n <= 0)
        return;
    if (n >= 128) {
        *hi = *lo = 0;
    } else if (n >= 64) {
        *lo = *hi >> (n - 64);
        *hi = 0;
    } else {
        *lo = (*lo >> n) | (*hi << (64 - n));
        *hi >>= n;
    }
}

static Big big_add(Big a, Big b)
{
    if (big_zero(a))
        return b;
    if (big_zero(b))
        return a;
    if (b.exp > a.exp || (b.exp == a.exp && (b.hi > a.hi || (b.hi == a.hi && b.lo > a.lo)))) {
        Big t = a;
        a = b;
        b = t;
    }
    /* headroom: one bit */
    uint64_t ah = a.hi, al = a.lo, bh = b.hi, bl = b.lo;
    shr128(&ah, &al, 1);
    shr128(&bh, &bl, 1 + (a.exp - b.exp));
    uint64_t hi, lo;
    if (a.neg == b.neg) {
        lo = al + bl;
        hi = ah + bh + (lo < al);
    } else {
        lo = al - bl;
        hi = ah - bh - (al < bl);
    }
    return big_make(a.neg, a.exp + 1, hi, lo);
}

static Big big_sub(Big a, Big b)
{
    b.neg = !b.neg;
    return big_add(a, b);
}

/* a / b by restoring division (128 quotient bits). */
static Big big_div(Big a, Big b)
{
    uint64_t rh = a.hi, rl = a.lo, qh = 0, ql = 0;
    bool carry = false;
    for (int i = 0; i < 128; i++) {
        bool ge = carry || rh > b.hi || (rh == b.hi && rl >= b.lo);
        if (ge) {
            uint64_t nl = rl - b.lo;
            rh = rh - b.hi - (rl < b.lo);
            rl = nl;
        }
        qh = (qh << 1) | (ql >> 63);
        ql = (ql << 1) | ge;
        carry = rh >> 63;
        rh = (rh << 1) | (rl >> 63);
        rl <<= 1;
    }
    return big_make(a.neg ^ b.neg, a.exp - b.exp, qh, ql);
}

static Big big_div_small(Big a, uint32_t n)
{
    uint64_t limbs[4] = { a.hi >> 32, (uint32_t)a.hi, a.lo >> 32, (uint32_t)a.lo }, rem = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t cur = (rem << 32) | limbs[i];
        limbs[i] = cur / n;
        rem = cur % n;
    }
    return big_make(a.neg, a.exp, limbs[0] << 32 | limbs[1], limbs[2] << 32 | limbs[3]);
}

/* Round to extended per RC; inexact results carry a sticky bit. */
static X86Float80 big_round(X87Env *e, Big a, bool exact)
{
    if (big_zero(a))
        return x87_make(a.neg, 0, 0);
    int32_t exp = a.exp + BIAS;
    if (exp > 0x9000)
        exp = 0x9000;
    if (exp < -0x9000)
        exp = -0x9000;
    return x87_round_pack(e, a.neg, exp, a.hi, a.lo | !exact, 64);
}

/* constants (128-bit significands, mpmath) */
static Big c_pi(int32_t exp) { return big_make(false, exp, 0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull); }
static Big c_ln2(void) { return big_make(false, -1, 0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull); }
static Big c_log2e(void) { return big_make(false, 0, 0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull); }
static Big c_sqrt2(void) { return big_make(false, 0, 0xb504f333f9de6484ull, 0x597d89b3754abe9full); }
static Big big_one(void) { return big_make(false, 0, 1ull << 63, 0); }

/* Below 2^-130 relative, a series term no longer matters. */
static bool negligible(Big term, Big sum)
{
    return big_zero(term) || term.exp < sum.exp - 130;
}

/* sin r, cos r for |r| <= ~pi/4 (Taylor). */
static void sincos_series(Big r, Big *s, Big *c)
{
    Big r2 = big_mul(r, r);
    Big term = r, sum = r;
    for (uint32_t k = 1; k < 40; k++) {
        term = big_div_small(big_mul(term, r2), (2 * k) * (2 * k + 1));
        term.neg = !term.neg;
        sum = big_add(sum, term);
        if (negligible(term, sum))
            break;
    }
    *s = sum;
    if (r2.exp < -140) {                /* cos r = 1 - r^2/2: just below 1 */
        *c = big_make(false, -1, ~0ull, ~0ull);
        return;
    }
    term = big_one();
    sum = term;
    for (uint32_t k = 1; k < 40; k++) {
        term = big_div_small(big_mul(term, r2), (2 * k - 1) * (2 * k));
        term.neg = !term.neg;
        sum = big_add(sum, term);
        if (negligible(term, sum))
            break;
    }
    *c = sum;
}

/* atanh-based ln: ln(m) = 2 atanh(t), t = (m-1)/(m+1). */
static Big atanh_series(Big t)
{
    Big t2 = big_mul(t, t), p = t, sum = t;
    for (uint32_t k = 1; k < 200; k++) {
        p = big_mul(p, t2);
        Big term = big_div_small(p, 2 * k + 1);
        sum = big_add(sum, term);
        if (negligible(term, sum))
            break;
    }
    sum.exp++;
    return sum;
}

static Big atan_series(Big t)
{
    Big t2 = big_mul(t, t), p = t, sum = t;
    for (uint32_t k = 1; k < 400; k++) {
        p = big_mul(p, t2);
        p.neg = !p.neg;
        Big term = big_div_small(p, 2 * k + 1);
        sum = big_add(sum, term);
        if (negligible(term, sum))
            break;
    }
    return sum;
}

/* atan(t) for 0 <= t <= 1 */
static Big big_atan01(Big t)
{
    Big tan_pi8 = big_make(false, -2, 0xd413cccfe7799211ull, 0x65f626cdd52afa7cull);  /* sqrt2 - 1 */
    bool gt = t.exp > tan_pi8.exp || (t.exp == tan_pi8.exp && t.hi > tan_pi8.hi);
    if (!gt)
        return atan_series(t);
    Big one = big_one();
    Big u = big_div(big_sub(t, one), big_add(t, one));
    return big_add(c_pi(-1), atan_series(u));
}

static bool nan_or_bad(X87Env *e, X86Float80 a, X86Float80 b, X86Float80 *r)
{
    X87Class ca = x87_classify(a), cb = x87_classify(b);
    if (ca == X87_UNSUPPORTED || cb == X87_UNSUPPORTED) {
        e->flags |= X87_IE;
        *r = x87_indefinite();
        return true;
    }
    if (ca == X87_QNAN || ca == X87_SNAN || cb == X87_QNAN || cb == X87_SNAN) {
        *r = x87_propagate_nan(e, a, b);
        return true;
    }
    return false;
}

/* DE for denormal operands, raised after the invalid-operand checks. */
static void denormal_check(X87Env *e, X86Float80 a, X86Float80 b)
{
    if (x87_classify(a) == X87_DENORMAL || x87_classify(b) == X87_DENORMAL)
        e->flags |= X87_DE;
}

static X86Float80 invalid(X87Env *e)
{
    e->flags |= X87_IE;
    return x87_indefinite();
}

static X86Float80 inf(bool neg) { return x87_make(neg, 0x7fff, 1ull << 63); }

X86Float80 x87_f2xm1(X87Env *e, X86Float80 a)
{
    X86Float80 r;
    if (nan_or_bad(e, a, a, &r))
        return r;
    X87Class c = x87_classify(a);
    denormal_check(e, a, a);
    if (c == X87_ZERO)
        return a;
    if (c == X87_INF)
        return x87_sign(a) ? x87_make(true, BIAS, 1ull << 63) : a;
    Big x = big_from(a);
    if (x.exp > 0 || (x.exp == 0 && (x.hi != 1ull << 63 || x.lo))) {
        e->flags |= X87_PE;             /* |a| > 1: the hardware leaves it */
        return a;
    }
    if (x.exp == 0 && x.hi == 1ull << 63 && !x.lo)        /* +-1: exact 1 or -0.5 */
        return x.neg ? x87_make(true, BIAS - 1, 1ull << 63) : x87_make(false, BIAS, 1ull << 63);
    Big y = big_mul(x, c_ln2()), term = y, sum = y;
    for (uint32_t k = 2; k < 80; k++) {
        term = big_div_small(big_mul(term, y), k);
        sum = big_add(sum, term);
        if (negligible(term, sum))
            break;
    }
    return big_round(e, sum, false);
}

/* log2(x) for finite x > 0; *exact if x is a power of two. */
static Big big_log2(X86Float80 x, bool *exact)
{
    int32_t ex;
    uint64_t m;
    x87_unpack(x, &ex, &m);
    int32_t k = ex - BIAS;
    *exact = m == 1ull << 63;
    if (*exact)
        return big_int(k);
    Big mb = big_make(false, 0, m, 0);
    Big s2 = c_sqrt2();
    if (mb.hi > s2.hi) {
        mb.exp--;
        k++;
    }
    Big one = big_one();
    Big t = big_div(big_sub(mb, one), big_add(mb, one));
    Big l = big_mul(atanh_series(t), c_log2e());
    return big_add(big_int(k), l);
}

X86Float80 x87_fyl2x(X87Env *e, X86Float80 x, X86Float80 y)
{
    X86Float80 r;
    X87Class cx = x87_classify(x), cy = x87_classify(y);
    if (nan_or_bad(e, x, y, &r))
        return r;
    bool sy = x87_sign(y);
    if (x87_sign(x) && cx != X87_ZERO)
        return invalid(e);
    if ((cx == X87_ZERO && cy == X87_ZERO) || (cx == X87_INF && cy == X87_ZERO))
        return invalid(e);
    if (cx != X87_ZERO)                 /* log2(0): ZE alone */
        denormal_check(e, x, y);
    if (cx == X87_ZERO) {
        if (cy == X87_ZERO)
            return invalid(e);
        if (cy != X87_INF)
            e->flags |= X87_ZE;
        return inf(!sy);
    }
    if (cx == X87_INF) {
        if (cy == X87_ZERO)
            return invalid(e);
        return inf(sy);
    }
    bool exact;
    Big l = big_log2(x, &exact);
    if (cy == X87_INF) {
        if (big_zero(l))
            return invalid(e);
        return inf(sy ^ l.neg);
    }
    if (cy == X87_ZERO || big_zero(l))
        return x87_make(sy ^ l.neg, 0, 0);
    return big_round(e, big_mul(big_from(y), l), exact);
}

X86Float80 x87_fyl2xp1(X87Env *e, X86Float80 x, X86Float80 y)
{
    X86Float80 r;
    X87Class cx = x87_classify(x), cy = x87_classify(y);
    if (nan_or_bad(e, x, y, &r))
        return r;
    bool sx = x87_sign(x), sy = x87_sign(y);
    if (cx == X87_INF && (sx || cy == X87_ZERO))
        return invalid(e);
    denormal_check(e, x, y);
    if (cx == X87_ZERO) {
        if (cy == X87_INF)
            return invalid(e);
        return x87_make(sx ^ sy, 0, 0);
    }
    if (cx == X87_INF)
        return sx ? invalid(e) : (cy == X87_ZERO ? invalid(e) : inf(sy));
    Big bx = big_from(x), one = big_one();
    if (sx && (bx.exp > 0 || (bx.exp == 0)))            /* x <= -1 */
        return invalid(e);
    if (cy == X87_INF)
        return inf(sy ^ sx);
    if (cy == X87_ZERO)
        return x87_make(sx ^ sy, 0, 0);
    Big t = big_div(bx, big_add(bx, big_add(one, one)));
    Big l = big_mul(atanh_series(t), c_log2e());
    return big_round(e, big_mul(big_from(y), l), false);
}

X86Float80 x87_fpatan(X87Env *e, X86Float80 x, X86Float80 y)
{
    X86Float80 r;
    X87Class cx = x87_classify(x), cy = x87_classify(y);
    if (nan_or_bad(e, x, y, &r))
        return r;
    bool sx = x87_sign(x), sy = x87_sign(y);
    Big res;
    denormal_check(e, x, y);
    if (cy == X87_ZERO) {
        if (!sx)
            return x87_make(sy, 0, 0);
        res = c_pi(1);
    } else if (cy == X87_INF) {
        if (cx == X87_INF)
            res = sx ? big_make(false, 1, 0x96cbe3f9990e91a7ull, 0x9394c9e8a0a5159cull) : c_pi(-1);
        else
            res = c_pi(0);
    } else if (cx == X87_INF) {
        if (!sx)
            return x87_make(sy, 0, 0);
        res = c_pi(1);
    } else if (cx == X87_ZERO) {
        res = c_pi(0);
    } else {
        Big bx = big_from(x), by = big_from(y);
        bx.neg = by.neg = false;
        bool swap = by.exp > bx.exp || (by.exp == bx.exp && (by.hi > bx.hi || (by.hi == bx.hi && by.lo > bx.lo)));
        Big a = swap ? big_atan01(big_div(bx, by)) : big_atan01(big_div(by, bx));
        if (swap)
            a = big_sub(c_pi(0), a);
        if (sx)
            a = big_sub(c_pi(1), a);
        res = a;
    }
    res.neg = sy;
    return big_round(e, res, false);
}

/* Reduce |a| (finite, < 2^63) by the 66-bit pi/2 (exactly): r and the
 * quadrant. */
static Big reduce(X86Float80 a, int *quadrant)
{
    Big x = big_from(a);
    x.neg = false;
    *quadrant = 0;
    if (x.exp < -1)                       /* |x| < 0.5: nothing to reduce */
        return x;
    /* X = |x| * 2^65 as a 128-bit integer */
    int32_t ea;
    uint64_t m;
    x87_unpack(a, &ea, &m);
    int sh = (ea - BIAS) - 63 + 65;       /* >= 1 here */
    uint64_t Xh = sh >= 64 ? m << (sh - 64) : m >> (64 - sh), Xl = sh >= 64 ? 0 : m << sh;
    if (sh >= 128)
        Xh = Xl = 0;
    /* Q = pi66 / 2 in units of 2^-65 (66 bits) */
    const uint64_t Qh = 0x3, Ql = 0x243f6a8885a308d3ull;
    uint64_t rh = 0, rl = 0, q = 0;
    for (int i = 127; i >= 0; i--) {
        rh = (rh << 1) | (rl >> 63);
        rl = (rl << 1) | ((i >= 64 ? Xh >> (i - 64) : Xl >> i) & 1);
        q <<= 1;
        if (rh > Qh || (rh == Qh && rl >= Ql)) {
            uint64_t nl = rl - Ql;
            rh = rh - Qh - (rl < Ql);
            rl = nl;
            q |= 1;
        }
    }
    bool neg = false;
    /* r > Q/2: take r - Q */
    uint64_t hh = Qh >> 1, hl = (Ql >> 1) | (Qh << 63);
    if (rh > hh || (rh == hh && rl > hl)) {
        uint64_t nl = Ql - rl;
        rh = Qh - rh - (Ql < rl);
        rl = nl;
        neg = true;
        q++;
    }
    *quadrant = (int)(q & 3);
    return big_make(neg, 127 - 65, rh, rl);
}

/* Common checks of FSIN/FCOS/FSINCOS/FPTAN: false = out of range. */
static bool trig_pre(X87Env *e, X86Float80 a, X86Float80 *nan, bool *done)
{
    *done = false;
    X87Class c = x87_classify(a);
    if (nan_or_bad(e, a, a, nan)) {
        *done = true;
        return true;
    }
    if (c == X87_INF) {
        *nan = invalid(e);
        *done = true;
        return true;
    }
    denormal_check(e, a, a);
    return x87_exp(a) < BIAS + 63;
}

bool x87_sincos(X87Env *e, X86Float80 a, X86Float80 *s, X86Float80 *c)
{
    X86Float80 n;
    bool done;
    if (!trig_pre(e, a, &n, &done))
        return false;
    if (done) {
        if (s)
            *s = n;
        if (c)
            *c = n;
        return true;
    }
    if (x87_classify(a) == X87_ZERO) {
        if (s)
            *s = a;
        if (c)
            *c = x87_make(false, BIAS, 1ull << 63);
        return true;
    }
    int q;
    Big r = reduce(a, &q), sr, cr;
    sincos_series(r, &sr, &cr);
    Big sv = (q & 1) ? cr : sr, cv = (q & 1) ? sr : cr;
    if (q == 2 || q == 3)
        sv.neg = !sv.neg;
    if (q == 1 || q == 2)
        cv.neg = !cv.neg;
    if (x87_sign(a))
        sv.neg = !sv.neg;
    X87Env es = *e, ec = *e;
    if (s)
        *s = big_round(&es, sv, false);
    if (c)
        *c = big_round(&ec, cv, false);
    if (s && c)     /* FSINCOS: C1 of the value left in ST0 (the cosine) */
        e->flags = (es.flags & (uint16_t)~X87_C1) | ec.flags;
    else
        e->flags = s ? es.flags : ec.flags;
    return true;
}

bool x87_tan(X87Env *e, X86Float80 a, X86Float80 *t)
{
    X86Float80 n;
    bool done;
    if (!trig_pre(e, a, &n, &done))
        return false;
    if (done) {
        *t = n;
        return true;
    }
    if (x87_classify(a) == X87_ZERO) {
        *t = a;
        return true;
    }
    int q;
    Big r = reduce(a, &q), sr, cr;
    sincos_series(r, &sr, &cr);
    Big v = (q & 1) ? big_div(cr, sr) : big_div(sr, cr);
    if (q & 1)
        v.neg = !v.neg;
    if (x87_sign(a))
        v.neg = !v.neg;
    *t = big_round(e, v, false);
    return true;
}
