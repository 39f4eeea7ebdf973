/*
 * Exact semantics of the side-effect-free IR ops on constants, shared by
 * the optimizer (constant folding) and the interpreter backend, so the
 * two can never disagree. i32 values travel zero-extended in uint64_t;
 * every result is truncated to the op's type. All arithmetic is done in
 * uint64_t so nothing here is undefined behaviour (no signed overflow, no
 * shift by >= the width).
 */
#include "cpu/ir/ir.h"

static inline unsigned ir_width(IrType type)
{
    return type == IR_I64 ? 64 : 32;
}

static inline uint64_t ir_trunc(IrType type, uint64_t v)
{
    return type == IR_I64 ? v : (v & 0xffffffffu);
}

/* Mask of the low len bits, 1 <= len <= 64. */
static inline uint64_t ir_mask(unsigned len)
{
    return len >= 64 ? ~0ull : ((1ull << len) - 1);
}

/* Sign-extend the low bits bits of v to 64 bits, without signed arithmetic. */
static inline uint64_t ir_sext(uint64_t v, unsigned bits)
{
    if (bits >= 64)
        return v;
    uint64_t sign = 1ull << (bits - 1);
    return ((v & ir_mask(bits)) ^ sign) - sign;
}

/* Arithmetic right shift of a 64-bit pattern by n (0..63). */
static inline uint64_t ir_sar64(uint64_t v, unsigned n)
{
    if (n == 0)
        return v;
    uint64_t r = v >> n;
    if (v >> 63)
        r |= ~(~0ull >> n);
    return r;
}

/* Signed value of v as a two's complement number of the type's width. */
static inline int64_t ir_signed(IrType type, uint64_t v)
{
    uint64_t s = ir_sext(v, ir_width(type));
    /* Two's complement reinterpretation without implementation-defined casts. */
    return (s >> 63) ? -(int64_t)(~s) - 1 : (int64_t)s;
}

static uint64_t ir_bswap(uint64_t v, unsigned bytes)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < bytes; i++)
        r |= ((v >> (8 * i)) & 0xff) << (8 * (bytes - 1 - i));
    return r;
}

static uint64_t ir_divs(IrType type, uint64_t a, uint64_t b)
{
    int64_t x = ir_signed(type, a), y = ir_signed(type, b);
    if (y == 0)
        return 0;
    if (y == -1)   /* MIN / -1 = MIN: negation modulo 2^width */
        return ir_trunc(type, 0 - a);
    return ir_trunc(type, (uint64_t)(x / y));
}

static uint64_t ir_rems(IrType type, uint64_t a, uint64_t b)
{
    int64_t x = ir_signed(type, a), y = ir_signed(type, b);
    if (y == 0)
        return a;
    if (y == -1)   /* x % -1 = 0, MIN included */
        return 0;
    return ir_trunc(type, (uint64_t)(x % y));
}

bool ir_eval_cond(IrCond c, IrType type, uint64_t a, uint64_t b)
{
    a = ir_trunc(type, a);
    b = ir_trunc(type, b);
    int64_t sa = ir_signed(type, a), sb = ir_signed(type, b);
    switch (c) {
    case IR_COND_NEVER: return false;
    case IR_COND_ALWAYS: return true;
    case IR_COND_EQ: return a == b;
    case IR_COND_NE: return a != b;
    case IR_COND_LT: return sa < sb;
    case IR_COND_GE: return sa >= sb;
    case IR_COND_LE: return sa <= sb;
    case IR_COND_GT: return sa > sb;
    case IR_COND_LTU: return a < b;
    case IR_COND_GEU: return a >= b;
    case IR_COND_LEU: return a <= b;
    case IR_COND_GTU: return a > b;
    case IR_COND_TSTEQ: return (a & b) == 0;
    case IR_COND_TSTNE: return (a & b) != 0;
    default: return false;
    }
}

/* 64x64 -> 128 unsigned multiply from 32-bit pieces. */
static void ir_mulu128(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    *lo = (ll & 0xffffffffu) | (mid << 32);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

void ir_eval_mul2(IrOpcode opc, IrType type, uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
    a = ir_trunc(type, a);
    b = ir_trunc(type, b);
    if (type == IR_I32) {
        uint64_t p = opc == IR_muls2 ? ir_sext(a, 32) * ir_sext(b, 32) : a * b;
        *lo = p & 0xffffffffu;
        *hi = (p >> 32) & 0xffffffffu;
        return;
    }
    uint64_t l, h;
    ir_mulu128(a, b, &l, &h);
    if (opc == IR_muls2) {
        /* signed high = unsigned high - (a<0 ? b : 0) - (b<0 ? a : 0) */
        if (a >> 63)
            h -= b;
        if (b >> 63)
            h -= a;
    }
    *lo = l;
    *hi = h;
}

uint64_t ir_memop_extend(IrMemOp mo, IrType type, uint64_t v)
{
    unsigned bits = 8u << (mo & IR_MO_SIZE);
    v = (mo & IR_MO_SIGN) ? ir_sext(v, bits) : (v & ir_mask(bits));
    return ir_trunc(type, v);
}

uint64_t ir_eval_op(IrOpcode opc, IrType type, uint64_t a, uint64_t b, const int64_t *consts)
{
    unsigned w = ir_width(type);
    uint64_t ra = a;   /* raw input, for the ops whose input type differs */
    a = ir_trunc(type, a);
    b = ir_trunc(type, b);
    uint64_t r;
    switch (opc) {
    case IR_mov: r = a; break;
    case IR_movi: r = (uint64_t)consts[0]; break;
    case IR_add: r = a + b; break;
    case IR_sub: r = a - b; break;
    case IR_mul: r = a * b; break;
    case IR_mulu2:
    case IR_muls2: {
        uint64_t lo, hi;
        ir_eval_mul2(opc, type, a, b, &lo, &hi);
        r = lo;
        break;
    }
    case IR_divu: r = b ? a / b : 0; break;
    case IR_divs: r = ir_divs(type, a, b); break;
    case IR_remu: r = b ? a % b : a; break;
    case IR_rems: r = ir_rems(type, a, b); break;
    case IR_and: r = a & b; break;
    case IR_or: r = a | b; break;
    case IR_xor: r = a ^ b; break;
    case IR_andc: r = a & ~b; break;
    case IR_neg: r = 0 - a; break;
    case IR_not: r = ~a; break;
    case IR_shl: r = a << (b & (w - 1)); break;
    case IR_shr: r = a >> (b & (w - 1)); break;
    case IR_sar: r = ir_sar64(ir_sext(a, w), (unsigned)(b & (w - 1))); break;
    case IR_rotl: {
        unsigned n = (unsigned)(b & (w - 1));
        r = n ? (a << n) | (a >> (w - n)) : a;
        break;
    }
    case IR_rotr: {
        unsigned n = (unsigned)(b & (w - 1));
        r = n ? (a >> n) | (a << (w - n)) : a;
        break;
    }
    case IR_setcond: r = ir_eval_cond((IrCond)consts[0], type, a, b); break;
    case IR_ext8s: r = ir_sext(a, 8); break;
    case IR_ext8u: r = a & 0xff; break;
    case IR_ext16s: r = ir_sext(a, 16); break;
    case IR_ext16u: r = a & 0xffff; break;
    case IR_ext32s: r = ir_sext(a, 32); break;
    case IR_ext32u: r = a & 0xffffffffu; break;
    case IR_extu_i32_i64: r = ra & 0xffffffffu; break;
    case IR_exts_i32_i64: r = ir_sext(ra, 32); break;
    case IR_extrl_i64_i32: r = ra & 0xffffffffu; break;
    case IR_extrh_i64_i32: r = ra >> 32; break;
    case IR_extract: {
        unsigned pos = (unsigned)consts[0] & 63, len = (unsigned)consts[1];
        r = (a >> pos) & ir_mask(len ? len : 1);
        break;
    }
    case IR_sextract: {
        unsigned pos = (unsigned)consts[0] & 63, len = (unsigned)consts[1];
        r = ir_sext(a >> pos, len ? (len > 64 ? 64 : len) : 1);
        break;
    }
    case IR_deposit: {
        unsigned pos = (unsigned)consts[0] & 63, len = (unsigned)consts[1];
        uint64_t m = ir_mask(len ? len : 1) << pos;
        r = (a & ~m) | ((b << pos) & m);
        break;
    }
    case IR_bswap16: r = ir_bswap(a, 2); break;
    case IR_bswap32: r = ir_bswap(a, 4); break;
    case IR_bswap64: r = ir_bswap(a, 8); break;
    case IR_clz:
        if (a == 0)
            r = b;
        else
            r = type == IR_I64 ? (uint64_t)__builtin_clzll(a) : (uint64_t)__builtin_clzll(a) - 32;
        break;
    case IR_ctz: r = a ? (uint64_t)__builtin_ctzll(a) : b; break;
    case IR_ctpop: r = (uint64_t)__builtin_popcountll(a); break;
    default: r = 0; break;
    }
    return ir_trunc(type, r);
}
