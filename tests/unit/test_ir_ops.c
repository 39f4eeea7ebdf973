/*
 * Every IR op on every host backend (the table test_backends[] below),
 * with edge values, against expectations computed here in plain C (not
 * by ir_eval_op, so the evaluator is checked too). The rules tested are
 * the ones cpu/ir/ir_ops.def defines: shift/rotate counts modulo the
 * width; divs/divu/rems/remu never trap (x/0 = 0, x%0 = x, MIN/-1 = MIN,
 * MIN%-1 = 0); clz/ctz give in1 for a zero input; bswap16 swaps the low
 * 16 bits and zeroes the rest. Control flow, helper calls, guest memory
 * through the TLB, restore data (insn_end), goto_tb chaining and the
 * budget check are checked as backend.h specifies them.
 */
#include "tests/unit/ir_harness.h"

/* The backends under test: the interpreter and this host's native backend
 * if it has one (filled in main). */
static const HostBackend *test_backends[2];
static int nbackends;

static const uint64_t edge[] = {
    0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 31, 32, 33, 63, 64, 65,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
    0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffffffeull,
    0x123456789abcdef0ull, 0xfedcba9876543210ull, 0xffffffff80000000ull,
};
#define NEDGE ((int)(sizeof(edge) / sizeof(edge[0])))

/* ---- reference semantics, written with C's own types ---- */

static int ref_clz64(uint64_t x) { int n = 0; while (n < 64 && !(x & (1ull << (63 - n)))) n++; return n; }
static int ref_ctz64(uint64_t x) { int n = 0; while (n < 64 && !(x & (1ull << n))) n++; return n; }
static int ref_pop64(uint64_t x) { int n = 0; for (; x; x &= x - 1) n++; return n; }

static uint64_t ref_bin32(IrOpcode opc, uint32_t x, uint32_t y)
{
    int32_t sx = (int32_t)x, sy = (int32_t)y;
    unsigned n = y % 32;
    switch (opc) {
    case IR_add: return x + y;
    case IR_sub: return x - y;
    case IR_mul: return (uint32_t)((uint64_t)x * y);
    case IR_divu: return y ? x / y : 0;
    case IR_divs: return y == 0 ? 0 : (sx == INT32_MIN && sy == -1) ? x : (uint32_t)(sx / sy);
    case IR_remu: return y ? x % y : x;
    case IR_rems: return y == 0 ? x : sy == -1 ? 0 : (uint32_t)(sx % sy);
    case IR_and: return x & y;
    case IR_or: return x | y;
    case IR_xor: return x ^ y;
    case IR_andc: return x & ~y;
    case IR_shl: return x << n;
    case IR_shr: return x >> n;
    case IR_sar: return (uint32_t)(sx >> n);
    case IR_rotl: return n ? (x << n) | (x >> (32 - n)) : x;
    case IR_rotr: return n ? (x >> n) | (x << (32 - n)) : x;
    case IR_clz: return x ? (uint32_t)(ref_clz64(x) - 32) : y;
    case IR_ctz: return x ? (uint32_t)ref_ctz64(x) : y;
    default: ck_abort_msg("no reference for op %d", opc); return 0;
    }
}

static uint64_t ref_bin64(IrOpcode opc, uint64_t x, uint64_t y)
{
    int64_t sx = (int64_t)x, sy = (int64_t)y;
    unsigned n = y % 64;
    switch (opc) {
    case IR_add: return x + y;
    case IR_sub: return x - y;
    case IR_mul: return x * y;
    case IR_divu: return y ? x / y : 0;
    case IR_divs: return y == 0 ? 0 : (sx == INT64_MIN && sy == -1) ? x : (uint64_t)(sx / sy);
    case IR_remu: return y ? x % y : x;
    case IR_rems: return y == 0 ? x : sy == -1 ? 0 : (uint64_t)(sx % sy);
    case IR_and: return x & y;
    case IR_or: return x | y;
    case IR_xor: return x ^ y;
    case IR_andc: return x & ~y;
    case IR_shl: return x << n;
    case IR_shr: return x >> n;
    case IR_sar: return (uint64_t)(sx >> n);
    case IR_rotl: return n ? (x << n) | (x >> (64 - n)) : x;
    case IR_rotr: return n ? (x >> n) | (x << (64 - n)) : x;
    case IR_clz: return x ? (uint64_t)ref_clz64(x) : y;
    case IR_ctz: return x ? (uint64_t)ref_ctz64(x) : y;
    default: ck_abort_msg("no reference for op %d", opc); return 0;
    }
}

static uint64_t ref_un(IrOpcode opc, IrType ty, uint64_t x)
{
    uint64_t m = ty == IR_I32 ? 0xffffffffull : ~0ull;
    x &= m;
    uint64_t r;
    switch (opc) {
    case IR_mov: r = x; break;
    case IR_neg: r = 0 - x; break;
    case IR_not: r = ~x; break;
    case IR_ext8s: r = (uint64_t)(int64_t)(int8_t)x; break;
    case IR_ext8u: r = (uint8_t)x; break;
    case IR_ext16s: r = (uint64_t)(int64_t)(int16_t)x; break;
    case IR_ext16u: r = (uint16_t)x; break;
    case IR_ext32s: r = (uint64_t)(int64_t)(int32_t)x; break;
    case IR_ext32u: r = (uint32_t)x; break;
    case IR_bswap16: r = __builtin_bswap16((uint16_t)x); break;
    case IR_bswap32: r = __builtin_bswap32((uint32_t)x); break;
    case IR_bswap64: r = __builtin_bswap64(x); break;
    case IR_ctpop: r = (uint64_t)ref_pop64(x); break;
    default: ck_abort_msg("no reference for op %d", opc); return 0;
    }
    return r & m;
}

static bool ref_cond(IrCond c, IrType ty, uint64_t x, uint64_t y)
{
    if (ty == IR_I32) {
        uint32_t a = (uint32_t)x, b = (uint32_t)y;
        int32_t sa = (int32_t)a, sb = (int32_t)b;
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
        case IR_COND_TSTEQ: return !(a & b);
        default: return (a & b) != 0;
        }
    }
    int64_t sa = (int64_t)x, sb = (int64_t)y;
    switch (c) {
    case IR_COND_NEVER: return false;
    case IR_COND_ALWAYS: return true;
    case IR_COND_EQ: return x == y;
    case IR_COND_NE: return x != y;
    case IR_COND_LT: return sa < sb;
    case IR_COND_GE: return sa >= sb;
    case IR_COND_LE: return sa <= sb;
    case IR_COND_GT: return sa > sb;
    case IR_COND_LTU: return x < y;
    case IR_COND_GEU: return x >= y;
    case IR_COND_LEU: return x <= y;
    case IR_COND_GTU: return x > y;
    case IR_COND_TSTEQ: return !(x & y);
    default: return (x & y) != 0;
    }
}

/* ---- helpers to build blocks ---- */

static IrTempId reg(Harness *h, IrType ty, int i)
{
    return ty == IR_I64 ? h->r[i] : h->w[i];
}

static void set_reg(Harness *h, IrType ty, int i, uint64_t v)
{
    if (ty == IR_I64)
        h->cpu->r[i] = v;
    else
        h->cpu->w[i] = (uint32_t)v;
}

static uint64_t get_reg(Harness *h, IrType ty, int i)
{
    return ty == IR_I64 ? h->cpu->r[i] : h->cpu->w[i];
}

/* Operand i (0/1) of value v per mode: 0 = NORMAL temp loaded from a
 * global, 1 = b constant, 2 = a constant, 3 = the global itself. */
static IrTempId operand(Harness *h, IrType ty, int i, uint64_t v, int mode)
{
    set_reg(h, ty, i, v);
    if ((mode == 1 && i == 1) || (mode == 2 && i == 0))
        return ir_const(&h->ir, ty, (int64_t)v);
    if (mode == 3)
        return reg(h, ty, i);
    IrTempId t = ir_temp(&h->ir, ty);
    ir_mov(&h->ir, t, reg(h, ty, i));
    return t;
}

/* d = opc(a, b) with the given operand mode; d is written to r2/w2. */
static uint64_t run_binop(Harness *h, IrOpcode opc, IrType ty, uint64_t a, uint64_t b, int mode)
{
    harness_begin(h);
    IrTempId ta = operand(h, ty, 0, a, mode), tb = operand(h, ty, 1, b, mode);
    set_reg(h, ty, 2, 0x5a5a5a5a5a5a5a5aull);
    if (mode == 3) {
        ir_binop(&h->ir, opc, reg(h, ty, 2), ta, tb);
    } else {
        IrTempId d = ir_temp(&h->ir, ty);
        ir_binop(&h->ir, opc, d, ta, tb);
        ir_mov(&h->ir, reg(h, ty, 2), d);
    }
    ir_exit_tb(&h->ir, 0);
    ck_assert_uint_eq(harness_run(h, false), 0);   /* exit_tb(v) returns v */
    return get_reg(h, ty, 2);
}

static const IrOpcode binops[] = {
    IR_add, IR_sub, IR_mul, IR_divu, IR_divs, IR_remu, IR_rems, IR_and, IR_or, IR_xor,
    IR_andc, IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr, IR_clz, IR_ctz,
};

START_TEST(test_binops)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    for (size_t o = 0; o < sizeof(binops) / sizeof(binops[0]); o++) {
        for (int t = 0; t < 2; t++) {
            IrType ty = t ? IR_I64 : IR_I32;
            for (int x = 0; x < NEDGE; x++) {
                for (int y = 0; y < NEDGE; y++) {
                    uint64_t a = edge[x], b = edge[y];
                    uint64_t want = ty == IR_I64 ? ref_bin64(binops[o], a, b)
                                                 : ref_bin32(binops[o], (uint32_t)a, (uint32_t)b);
                    for (int mode = 0; mode < 4; mode++) {
                        uint64_t got = run_binop(&h, binops[o], ty, a, b, mode);
                        ck_assert_msg(got == want, "%s_%s(0x%llx, 0x%llx) mode %d: got 0x%llx want 0x%llx",
                                      ir_op_defs[binops[o]].name, t ? "i64" : "i32",
                                      (unsigned long long)a, (unsigned long long)b, mode,
                                      (unsigned long long)got, (unsigned long long)want);
                    }
                }
            }
        }
    }
    harness_destroy(&h);
}
END_TEST

/* Spot checks of the rules with literal expectations (not just the model). */
START_TEST(test_binop_rules)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    ck_assert_uint_eq(run_binop(&h, IR_shl, IR_I32, 1, 32, 0), 1);          /* 32 % 32 = 0 */
    ck_assert_uint_eq(run_binop(&h, IR_shl, IR_I32, 1, 31, 0), 0x80000000u);
    ck_assert_uint_eq(run_binop(&h, IR_shl, IR_I64, 1, 64, 0), 1);
    ck_assert_uint_eq(run_binop(&h, IR_shl, IR_I64, 1, 63, 1), 0x8000000000000000ull);
    ck_assert_uint_eq(run_binop(&h, IR_sar, IR_I32, 0x80000000u, 31, 0), 0xffffffffu);
    ck_assert_uint_eq(run_binop(&h, IR_sar, IR_I64, 0x8000000000000000ull, 64, 0), 0x8000000000000000ull);
    ck_assert_uint_eq(run_binop(&h, IR_rotl, IR_I32, 0x80000001u, 1, 0), 3);
    ck_assert_uint_eq(run_binop(&h, IR_rotr, IR_I64, 1, 65, 0), 0x8000000000000000ull);
    ck_assert_uint_eq(run_binop(&h, IR_divu, IR_I32, 7, 0, 0), 0);
    ck_assert_uint_eq(run_binop(&h, IR_divs, IR_I32, 0x80000000u, 0xffffffffu, 0), 0x80000000u);
    ck_assert_uint_eq(run_binop(&h, IR_divs, IR_I64, 0x8000000000000000ull, ~0ull, 1), 0x8000000000000000ull);
    ck_assert_uint_eq(run_binop(&h, IR_rems, IR_I64, 0x8000000000000000ull, ~0ull, 0), 0);
    ck_assert_uint_eq(run_binop(&h, IR_remu, IR_I64, 1234, 0, 0), 1234);
    ck_assert_uint_eq(run_binop(&h, IR_rems, IR_I32, (uint32_t)-7, 0, 2), (uint32_t)-7);
    ck_assert_uint_eq(run_binop(&h, IR_rems, IR_I32, (uint32_t)-7, 2, 0), (uint32_t)-1);
    ck_assert_uint_eq(run_binop(&h, IR_divs, IR_I32, (uint32_t)-7, 2, 0), (uint32_t)-3);
    ck_assert_uint_eq(run_binop(&h, IR_clz, IR_I32, 0, 99, 0), 99);
    ck_assert_uint_eq(run_binop(&h, IR_clz, IR_I32, 1, 99, 0), 31);
    ck_assert_uint_eq(run_binop(&h, IR_ctz, IR_I64, 0, 64, 0), 64);
    ck_assert_uint_eq(run_binop(&h, IR_ctz, IR_I64, 0x8000000000000000ull, 0, 0), 63);
    harness_destroy(&h);
}
END_TEST

static uint64_t run_unop(Harness *h, IrOpcode opc, IrType tin, IrType tout, uint64_t a, int mode)
{
    harness_begin(h);
    IrTempId ta;
    set_reg(h, tin, 0, a);
    if (mode == 1)
        ta = ir_const(&h->ir, tin, (int64_t)a);
    else if (mode == 2)
        ta = reg(h, tin, 0);
    else {
        ta = ir_temp(&h->ir, tin);
        ir_mov(&h->ir, ta, reg(h, tin, 0));
    }
    IrTempId d = ir_temp(&h->ir, tout);
    ir_unop(&h->ir, opc, d, ta);
    ir_mov(&h->ir, reg(h, tout, 2), d);
    ir_exit_tb(&h->ir, 0);
    harness_run(h, false);
    return get_reg(h, tout, 2);
}

START_TEST(test_unops)
{
    static const IrOpcode ops32[] = { IR_mov, IR_neg, IR_not, IR_ext8s, IR_ext8u, IR_ext16s, IR_ext16u,
                                      IR_bswap16, IR_bswap32, IR_ctpop };
    static const IrOpcode ops64[] = { IR_ext32s, IR_ext32u, IR_bswap64 };
    Harness h;
    harness_init(&h, test_backends[_i]);
    for (int x = 0; x < NEDGE; x++) {
        for (int mode = 0; mode < 3; mode++) {
            for (int t = 0; t < 2; t++) {
                IrType ty = t ? IR_I64 : IR_I32;
                for (size_t o = 0; o < sizeof(ops32) / sizeof(ops32[0]); o++) {
                    uint64_t got = run_unop(&h, ops32[o], ty, ty, edge[x], mode);
                    ck_assert_msg(got == ref_un(ops32[o], ty, edge[x]), "%s_%d(0x%llx) mode %d: 0x%llx",
                                  ir_op_defs[ops32[o]].name, t, (unsigned long long)edge[x], mode,
                                  (unsigned long long)got);
                }
            }
            for (size_t o = 0; o < sizeof(ops64) / sizeof(ops64[0]); o++)
                ck_assert_uint_eq(run_unop(&h, ops64[o], IR_I64, IR_I64, edge[x], mode),
                                  ref_un(ops64[o], IR_I64, edge[x]));
            uint32_t lo = (uint32_t)edge[x];
            ck_assert_uint_eq(run_unop(&h, IR_extu_i32_i64, IR_I32, IR_I64, edge[x], mode), lo);
            ck_assert_uint_eq(run_unop(&h, IR_exts_i32_i64, IR_I32, IR_I64, edge[x], mode),
                              (uint64_t)(int64_t)(int32_t)lo);
            ck_assert_uint_eq(run_unop(&h, IR_extrl_i64_i32, IR_I64, IR_I32, edge[x], mode), lo);
            ck_assert_uint_eq(run_unop(&h, IR_extrh_i64_i32, IR_I64, IR_I32, edge[x], mode), edge[x] >> 32);
        }
    }
    /* bswap16 swaps the low 16 bits only and clears the rest. */
    ck_assert_uint_eq(run_unop(&h, IR_bswap16, IR_I64, IR_I64, 0x1122334455667788ull, 0), 0x8877);
    ck_assert_uint_eq(run_unop(&h, IR_bswap32, IR_I64, IR_I64, 0x1122334455667788ull, 0), 0x88776655);
    ck_assert_uint_eq(run_unop(&h, IR_ctpop, IR_I32, IR_I32, 0xffffffffffull, 0), 32);
    harness_destroy(&h);
}
END_TEST

START_TEST(test_mul2)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    for (int x = 0; x < NEDGE; x++) {
        for (int y = 0; y < NEDGE; y++) {
            for (int t = 0; t < 2; t++) {
                for (int s = 0; s < 2; s++) {
                    IrType ty = t ? IR_I64 : IR_I32;
                    uint64_t a = edge[x], b = edge[y], lo, hi;
                    if (ty == IR_I64) {
                        unsigned __int128 p = s ? (unsigned __int128)((__int128)(int64_t)a * (int64_t)b)
                                                : (unsigned __int128)a * b;
                        lo = (uint64_t)p;
                        hi = (uint64_t)(p >> 64);
                    } else {
                        uint64_t p = s ? (uint64_t)((int64_t)(int32_t)a * (int32_t)b)
                                       : (uint64_t)(uint32_t)a * (uint32_t)b;
                        lo = (uint32_t)p;
                        hi = (uint32_t)(p >> 32);
                    }
                    harness_begin(&h);
                    IrTempId ta = operand(&h, ty, 0, a, y & 1 ? 0 : 1);
                    IrTempId tb2 = operand(&h, ty, 1, b, 0);
                    IrTempId dl = ir_temp(&h.ir, ty), dh = ir_temp(&h.ir, ty);
                    ir_mul2(&h.ir, s ? IR_muls2 : IR_mulu2, dl, dh, ta, tb2);
                    ir_mov(&h.ir, reg(&h, ty, 2), dl);
                    ir_mov(&h.ir, reg(&h, ty, 3), dh);
                    ir_exit_tb(&h.ir, 0);
                    harness_run(&h, false);
                    ck_assert_msg(get_reg(&h, ty, 2) == lo && get_reg(&h, ty, 3) == hi,
                                  "mul%c2 t%d 0x%llx*0x%llx", s ? 's' : 'u', t,
                                  (unsigned long long)a, (unsigned long long)b);
                }
            }
        }
    }
    harness_destroy(&h);
}
END_TEST

START_TEST(test_conds)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    for (int c = 0; c < IR_NB_CONDS; c++) {
        for (int t = 0; t < 2; t++) {
            IrType ty = t ? IR_I64 : IR_I32;
            for (int x = 0; x < NEDGE; x += 2) {
                for (int y = 0; y < NEDGE; y++) {
                    uint64_t a = edge[x], b = edge[y];
                    bool want = ref_cond((IrCond)c, ty, a, b);
                    int mode = (x + y) % 3;
                    /* setcond */
                    harness_begin(&h);
                    IrTempId ta = operand(&h, ty, 0, a, mode), tb2 = operand(&h, ty, 1, b, mode);
                    ir_setcond(&h.ir, (IrCond)c, reg(&h, ty, 2), ta, tb2);
                    /* movcond, values from globals */
                    set_reg(&h, ty, 4, 0x1111);
                    set_reg(&h, ty, 5, 0x2222);
                    ir_movcond(&h.ir, (IrCond)c, reg(&h, ty, 3), ta, tb2, reg(&h, ty, 4), reg(&h, ty, 5));
                    ir_exit_tb(&h.ir, 0);
                    harness_run(&h, false);
                    ck_assert_msg(get_reg(&h, ty, 2) == want, "setcond %d t%d 0x%llx 0x%llx", c, t,
                                  (unsigned long long)a, (unsigned long long)b);
                    ck_assert_uint_eq(get_reg(&h, ty, 3), want ? 0x1111 : 0x2222);
                    /* brcond */
                    harness_begin(&h);
                    IrLabel l = ir_new_label(&h.ir);
                    ta = operand(&h, ty, 0, a, mode);
                    tb2 = operand(&h, ty, 1, b, mode);
                    ir_brcond(&h.ir, (IrCond)c, ta, tb2, l);
                    ir_movi(&h.ir, h.r[6], 2);
                    ir_exit_tb(&h.ir, 0);
                    ir_set_label(&h.ir, l);
                    ir_movi(&h.ir, h.r[6], 1);
                    ir_exit_tb(&h.ir, 0);
                    harness_run(&h, false);
                    ck_assert_msg(h.cpu->r[6] == (want ? 1u : 2u), "brcond %d t%d 0x%llx 0x%llx", c, t,
                                  (unsigned long long)a, (unsigned long long)b);
                }
            }
        }
    }
    harness_destroy(&h);
}
END_TEST

START_TEST(test_bitfields)
{
    static const unsigned fields[][2] = {
        { 0, 1 }, { 0, 8 }, { 3, 5 }, { 8, 8 }, { 0, 31 }, { 1, 31 }, { 31, 1 }, { 0, 32 }, { 16, 16 },
        { 0, 64 }, { 32, 32 }, { 63, 1 }, { 1, 63 }, { 13, 40 }, { 0, 63 },
    };
    Harness h;
    harness_init(&h, test_backends[_i]);
    for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
        unsigned pos = fields[f][0], len = fields[f][1];
        for (int t = 0; t < 2; t++) {
            IrType ty = t ? IR_I64 : IR_I32;
            unsigned w = t ? 64 : 32;
            if (pos + len > w)
                continue;
            uint64_t wm = t ? ~0ull : 0xffffffffull;
            uint64_t m = len == 64 ? ~0ull : ((1ull << len) - 1);
            for (int x = 0; x < NEDGE; x++) {
                uint64_t a = edge[x] & wm, b = edge[NEDGE - 1 - x] & wm;
                uint64_t ext = (a >> pos) & m;
                uint64_t sext = (len < 64 && (ext >> (len - 1)) & 1) ? (ext | ~m) & wm : ext;
                uint64_t dep = ((a & ~(m << pos)) | ((b & m) << pos)) & wm;
                harness_begin(&h);
                IrTempId ta = operand(&h, ty, 0, a, x % 3), tb2 = operand(&h, ty, 1, b, x % 3);
                ir_extract(&h.ir, reg(&h, ty, 2), ta, pos, len);
                ir_sextract(&h.ir, reg(&h, ty, 3), ta, pos, len);
                ir_deposit(&h.ir, reg(&h, ty, 4), ta, tb2, pos, len);
                ir_exit_tb(&h.ir, 0);
                harness_run(&h, false);
                ck_assert_msg(get_reg(&h, ty, 2) == ext, "extract t%d %u,%u", t, pos, len);
                ck_assert_msg(get_reg(&h, ty, 3) == sext, "sextract t%d %u,%u of 0x%llx: 0x%llx", t, pos,
                              len, (unsigned long long)a, (unsigned long long)get_reg(&h, ty, 3));
                ck_assert_msg(get_reg(&h, ty, 4) == dep, "deposit t%d %u,%u", t, pos, len);
            }
        }
    }
    harness_destroy(&h);
}
END_TEST

/* ld/st on host memory relative to env, every size and sign. */
START_TEST(test_ld_st)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    int32_t mem = (int32_t)offsetof(TestCpu, mem);
    for (unsigned size = 0; size < 4; size++) {
        harness_begin(&h);
        h.cpu->r[0] = 0x8182838485868788ull;
        memset(h.cpu->mem, 0xee, sizeof(h.cpu->mem));
        ir_st(&h.ir, h.r[0], h.ir.env, mem + 16, ir_memop(size, false, false, 0));
        ir_ld(&h.ir, h.r[1], h.ir.env, mem + 16, ir_memop(size, false, false, 0));
        ir_ld(&h.ir, h.r[2], h.ir.env, mem + 16, ir_memop(size, true, false, 0));
        if (size < 3) {
            ir_ld(&h.ir, h.w[1], h.ir.env, mem + 16, ir_memop(size, false, false, 0));
            ir_ld(&h.ir, h.w[2], h.ir.env, mem + 16, ir_memop(size, true, false, 0));
        }
        ir_exit_tb(&h.ir, 0);
        harness_run(&h, false);
        unsigned n = 1u << size;
        uint64_t m = n == 8 ? ~0ull : ((1ull << (8 * n)) - 1);
        uint64_t v;
        memcpy(&v, &h.cpu->mem[16], 8);
        ck_assert_uint_eq(h.cpu->mem[16 + n], 0xee);   /* no byte past the access written */
        ck_assert_uint_eq(h.cpu->r[1], 0x8182838485868788ull & m);
        ck_assert_uint_eq(h.cpu->r[2], n == 8 ? 0x8182838485868788ull : ((0x8182838485868788ull & m) | ~m));
        if (size < 3) {
            ck_assert_uint_eq(h.cpu->w[1], (uint32_t)(0x8182838485868788ull & m));
            ck_assert_uint_eq(h.cpu->w[2], (uint32_t)((0x8182838485868788ull & m) | ~m));
        }
    }
    harness_destroy(&h);
}
END_TEST

/* Helpers of 0..6 arguments: each returns a distinct mix of its args. */
static uint64_t h_ret0(void) { return 42; }
static uint64_t h_ret1(uint64_t a) { return a * 3; }
static uint64_t h_ret2(uint64_t a, uint64_t b) { return a - b; }
static uint64_t h_ret3(uint64_t a, uint64_t b, uint64_t c) { return a + 2 * b + 3 * c; }
static uint64_t h_ret4(uint64_t a, uint64_t b, uint64_t c, uint64_t d) { return a ^ (b << 8) ^ (c << 16) ^ (d << 24); }
static uint64_t h_ret5(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    return a + 10 * b + 100 * c + 1000 * d + 10000 * e;
}
static uint64_t h_ret6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
    return a + 10 * b + 100 * c + 1000 * d + 10000 * e + 100000 * f;
}
/* Writes a global behind the IR's back and reads another. */
static void h_env(uint64_t env, uint64_t v)
{
    TestCpu *cpu = (TestCpu *)(uintptr_t)env;
    cpu->r[5] = v + cpu->r[4];
}

START_TEST(test_calls)
{
    static const IrHelper helpers[] = {
        { "h_ret0", (void *)h_ret0, 0, true, IR_I64, IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS },
        { "h_ret1", (void *)h_ret1, 1, true, IR_I64, IR_CALL_PURE },
        { "h_ret2", (void *)h_ret2, 2, true, IR_I64, 0 },
        { "h_ret3", (void *)h_ret3, 3, true, IR_I64, 0 },
        { "h_ret4", (void *)h_ret4, 4, true, IR_I64, 0 },
        { "h_ret5", (void *)h_ret5, 5, true, IR_I64, 0 },
        { "h_ret6", (void *)h_ret6, 6, true, IR_I64, 0 },
    };
    static const IrHelper henv = { "h_env", (void *)h_env, 2, false, IR_I64, 0 };
    static const IrHelper hret32 = { "h_ret2_32", (void *)h_ret2, 2, true, IR_I32, 0 };
    const uint64_t want[7] = { 42, 3, 1 - 2, 1 + 4 + 9, 1 ^ (2 << 8) ^ (3 << 16) ^ (4 << 24), 54321, 654321 };
    Harness h;
    harness_init(&h, test_backends[_i]);
    for (int n = 0; n <= 6; n++) {
        harness_begin(&h);
        IrTempId args[6];
        for (int i = 0; i < n; i++) {
            args[i] = ir_temp(&h.ir, IR_I64);
            ir_movi(&h.ir, args[i], i + 1);
        }
        if (n >= 2)
            args[1] = ir_const(&h.ir, IR_I64, 2);   /* a constant argument */
        IrTempId d = ir_temp(&h.ir, IR_I64);
        ir_call(&h.ir, &helpers[n], d, args, n);
        ir_mov(&h.ir, h.r[0], d);
        ir_exit_tb(&h.ir, 0);
        harness_run(&h, false);
        ck_assert_msg(h.cpu->r[0] == want[n], "%d args: 0x%llx", n, (unsigned long long)h.cpu->r[0]);
    }
    /* i32 result is truncated; env argument; globals synced around a call. */
    harness_begin(&h);
    h.cpu->r[4] = 0;
    ir_movi(&h.ir, h.r[4], 1000);                   /* must reach env before the call */
    IrTempId a2[2] = { h.ir.env, ir_const(&h.ir, IR_I64, 7) };
    ir_call(&h.ir, &henv, -1, a2, 2);
    IrTempId t = ir_temp(&h.ir, IR_I64);
    ir_add(&h.ir, t, h.r[5], ir_const(&h.ir, IR_I64, 1));   /* must see the helper's write */
    ir_mov(&h.ir, h.r[6], t);
    IrTempId b2[2] = { ir_const(&h.ir, IR_I64, 0x100000005ull), ir_const(&h.ir, IR_I64, 7) };
    ir_call(&h.ir, &hret32, h.w[0], b2, 2);
    ir_exit_tb(&h.ir, 0);
    harness_run(&h, false);
    ck_assert_uint_eq(h.cpu->r[5], 1007);
    ck_assert_uint_eq(h.cpu->r[6], 1008);
    ck_assert_uint_eq(h.cpu->w[0], 0xfffffffeu);
    harness_destroy(&h);
}
END_TEST

START_TEST(test_loop)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    /* sum = 0; i = 10; do { sum += i; i--; } while (i != 0) -> 55, with
     * LOCAL temps across the backward branch and a NORMAL temp inside. */
    for (int opt = 0; opt < 2; opt++) {
        harness_begin(&h);
        IrTempId sum = ir_temp_local(&h.ir, IR_I64), i = ir_temp_local(&h.ir, IR_I32);
        IrLabel top = ir_new_label(&h.ir), skip = ir_new_label(&h.ir);
        ir_movi(&h.ir, sum, 0);
        ir_movi(&h.ir, i, 10);
        ir_set_label(&h.ir, top);
        IrTempId wide = ir_temp(&h.ir, IR_I64);
        ir_unop(&h.ir, IR_extu_i32_i64, wide, i);
        ir_add(&h.ir, sum, sum, wide);
        ir_binopi(&h.ir, IR_sub, i, i, 1);
        ir_brcondi(&h.ir, IR_COND_NE, i, 0, top);
        ir_mov(&h.ir, h.r[0], sum);
        ir_br(&h.ir, skip);
        ir_movi(&h.ir, h.r[0], 999);                 /* unreachable */
        ir_set_label(&h.ir, skip);
        ir_exit_tb(&h.ir, 0);
        harness_run(&h, opt);
        ck_assert_uint_eq(h.cpu->r[0], 55);
    }
    harness_destroy(&h);
}
END_TEST

/* Guest memory: TLB fast path, and the slow path for misses, flagged
 * entries, page crossings and unaligned IR_MO_ALIGN accesses. */
START_TEST(test_guest_memory)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    uint8_t *page = aligned_alloc(TLB_PAGE_SIZE, TLB_PAGE_SIZE);
    ck_assert_ptr_nonnull(page);
    memset(page, 0, TLB_PAGE_SIZE);
    const uint64_t gva = 0x7ffff000ull;
    TlbEntry *e = &h.cpu->tlb.table[1][tlb_index(gva)];
    e->addr_read = gva;
    e->addr_write = gva;
    e->addend = (uintptr_t)page - (uintptr_t)gva;
    for (unsigned size = 0; size < 4; size++) {
        harness_begin(&h);
        unsigned n = 1u << size;
        h.cpu->r[0] = gva + 0x10;
        h.cpu->r[1] = 0xf1f2f3f4f5f6f7f8ull;
        ir_gst(&h.ir, h.r[1], h.r[0], ir_memop(size, false, true, 1));
        ir_gld(&h.ir, h.r[2], h.r[0], ir_memop(size, true, true, 1));
        ir_gld(&h.ir, h.r[3], h.r[0], ir_memop(size, false, false, 1));
        if (size < 3)
            ir_gld(&h.ir, h.w[3], h.r[0], ir_memop(size, true, false, 1));
        ir_exit_tb(&h.ir, 0);
        harness_run(&h, false);
        ck_assert_int_eq(h.cpu->slow_loads + h.cpu->slow_stores, 0);
        for (unsigned i = 0; i < 8; i++)   /* little-endian, n bytes only */
            ck_assert_uint_eq(page[0x10 + i], i < n ? (uint8_t)(0xf8 - i) : 0);
        uint64_t m = n == 8 ? ~0ull : ((1ull << (8 * n)) - 1);
        ck_assert_uint_eq(h.cpu->r[3], 0xf1f2f3f4f5f6f7f8ull & m);
        ck_assert_uint_eq(h.cpu->r[2], (0xf1f2f3f4f5f6f7f8ull & m) | ~m);
        if (size < 3)
            ck_assert_uint_eq(h.cpu->w[3], (uint32_t)((0xf1f2f3f4f5f6f7f8ull & m) | ~m));
        memset(page, 0, 64);
    }
    /* Slow paths: (address, memop, flags on the entry) */
    struct { uint64_t addr; IrMemOp mo; uint64_t flag; } slow[] = {
        { 0x12345000, ir_memop(2, false, false, 1), 0 },                 /* miss */
        { gva + 0xffe, ir_memop(2, false, false, 1), 0 },                /* crosses the page */
        { gva + 0x11, ir_memop(1, false, true, 1), 0 },                  /* unaligned, checked */
        { gva + 0x20, ir_memop(2, false, false, 1), TLB_MMIO },          /* flagged entry */
        { gva + 0x20, ir_memop(2, false, false, 2), 0 },                 /* other mmu index */
    };
    for (size_t k = 0; k < sizeof(slow) / sizeof(slow[0]); k++) {
        e->addr_read = gva | slow[k].flag;
        e->addr_write = gva | slow[k].flag;
        harness_begin(&h);
        h.cpu->slow_loads = h.cpu->slow_stores = 0;
        h.cpu->slow_ret = 0x8899aabbccddeeffull;
        h.cpu->r[0] = slow[k].addr;
        h.cpu->r[1] = 0x55;
        IrMemOp smo = slow[k].mo | IR_MO_SIGN;
        ir_gld(&h.ir, h.r[2], h.r[0], smo);
        ir_gst(&h.ir, h.r[1], h.r[0], slow[k].mo);
        ir_exit_tb(&h.ir, 0);
        harness_run(&h, false);
        ck_assert_int_eq(h.cpu->slow_loads, 1);
        ck_assert_int_eq(h.cpu->slow_stores, 1);
        ck_assert_uint_eq(h.cpu->slow_addr, slow[k].addr);
        ck_assert_uint_eq(h.cpu->slow_val, 0x55);
        ck_assert_uint_eq(h.cpu->slow_memop, slow[k].mo);
        unsigned bits = 8u << (slow[k].mo & IR_MO_SIZE);
        uint64_t m = (1ull << bits) - 1;
        uint64_t v = 0x8899aabbccddeeffull & m;
        ck_assert_uint_eq(h.cpu->r[2], (v >> (bits - 1)) ? v | ~m : v);   /* sign-extended by memop */
    }
    /* An unaligned access without IR_MO_ALIGN inside the page stays fast. */
    e->addr_read = e->addr_write = gva;
    harness_begin(&h);
    h.cpu->slow_loads = 0;
    h.cpu->r[0] = gva + 0x31;
    page[0x31] = 0x34;
    page[0x32] = 0x12;
    ir_gld(&h.ir, h.r[2], h.r[0], ir_memop(1, false, false, 1));
    ir_exit_tb(&h.ir, 0);
    harness_run(&h, false);
    ck_assert_int_eq(h.cpu->slow_loads, 0);
    ck_assert_uint_eq(h.cpu->r[2], 0x1234);
    free(page);
    harness_destroy(&h);
}
END_TEST

/* Records where the helper was called from, the way cpu_restore_state
 * sees it: its return address if that is in translated code, else the
 * interpreter's helper_retaddr. */
static __attribute__((noinline)) void h_where(uint64_t env)
{
    TestCpu *cpu = (TestCpu *)(uintptr_t)env;
    uintptr_t ra = CPU_GETPC();
    cpu->slow_ret = ra;
    cpu->slow_val = cpu->common.helper_retaddr;
}

/* insn_start data and insn_end offsets; a slow-path or helper retaddr maps
 * back to the guest instruction that made the access or call. */
START_TEST(test_restore_mapping)
{
    static const IrHelper where = { "where", (void *)h_where, 1, false, IR_I64, 0 };
    Harness h;
    harness_init(&h, test_backends[_i]);
    for (int faulting = 0; faulting < 3; faulting++) {
        ir_reset(&h.ir);
        for (int k = 0; k < 3; k++) {
            ir_insn_start(&h.ir, 0x2000 + 4 * (uint64_t)k, 0x100 + (uint64_t)k);
            ir_binopi(&h.ir, IR_add, h.r[1], h.r[1], k + 1);
            if (k == faulting) {
                ir_gld(&h.ir, h.r[2], h.r[0], ir_memop(2, false, false, 0));
                IrTempId env[1] = { h.ir.env };
                ir_call(&h.ir, &where, -1, env, 1);
            }
            ir_binopi(&h.ir, IR_xor, h.r[3], h.r[3], k + 1);
        }
        ir_exit_tb(&h.ir, 0);
        h.cpu->r[0] = 0x5000;   /* TLB invalid: slow path */
        h.cpu->slow_retaddr = 0;
        harness_run(&h, false);
        ck_assert_uint_eq(h.tb.icount, 3);
        for (int k = 0; k < 3; k++) {
            ck_assert_uint_eq(h.insn_data[2 * k], 0x2000 + 4 * (uint64_t)k);
            ck_assert_uint_eq(h.insn_data[2 * k + 1], 0x100 + (uint64_t)k);
            if (k > 0)
                ck_assert_uint_gt(h.insn_end[k], h.insn_end[k - 1]);
        }
        ck_assert_uint_le(h.insn_end[2], h.tb.host_size);
        uintptr_t off = h.cpu->slow_retaddr - (uintptr_t)h.tb.host_code;
        ck_assert_uint_lt(off, h.tb.host_size);
        int found = 0;
        while (found < 3 && off >= h.insn_end[found])
            found++;
        ck_assert_int_eq(found, faulting);
        uintptr_t ra = h.cpu->slow_ret, code = (uintptr_t)h.tb.host_code;
        if (ra < code || ra >= code + h.tb.host_size)
            ra = (uintptr_t)h.cpu->slow_val;
        ck_assert_uint_gt(ra, code);
        off = ra - code;
        ck_assert_uint_lt(off, h.tb.host_size);
        found = 0;
        while (found < 3 && off > h.insn_end[found])   /* insn_end[i-1] < off <= insn_end[i] */
            found++;
        ck_assert_int_eq(found, faulting);
        ck_assert_uint_eq(h.cpu->common.helper_retaddr, 0);
    }
    harness_destroy(&h);
}
END_TEST

/* Budget check at entry, exit_tb values, goto_tb chaining and unchaining,
 * lookup_and_goto. */
START_TEST(test_exits_and_chaining)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    static TranslationBlock a, b;
    static uint32_t a_end[TEST_MAX_INSNS], b_end[TEST_MAX_INSNS];
    static uint64_t a_data[TEST_MAX_INSNS * 2], b_data[TEST_MAX_INSNS * 2];
    h.cb.used = h.cb.prologue_size;

    /* B: two insns, r0 += 10, leaves through exit_tb(b | 1) */
    ir_reset(&h.ir);
    ir_insn_start(&h.ir, 0x3000, 0);
    ir_binopi(&h.ir, IR_add, h.r[0], h.r[0], 10);
    ir_insn_start(&h.ir, 0x3004, 0);
    ir_exit_tb(&h.ir, (uintptr_t)&b | TB_EXIT_SLOT1);
    harness_gen(&h, &b, b_end, b_data, false, true);
    ck_assert_uint_eq(b.icount, 2);

    /* A: r0 += 1; goto_tb 0; exit_tb(a | 0) */
    ir_reset(&h.ir);
    ir_insn_start(&h.ir, 0x2000, 0);
    ir_binopi(&h.ir, IR_add, h.r[0], h.r[0], 1);
    ir_goto_tb(&h.ir, 0);
    ir_exit_tb(&h.ir, (uintptr_t)&a | TB_EXIT_SLOT0);
    harness_gen(&h, &a, a_end, a_data, true, true);
    ck_assert_uint_ne(a.jmp_insn_offset[0], TB_NO_JUMP);
    ck_assert_uint_eq(a.jmp_insn_offset[1], TB_NO_JUMP);

    CpuCommon *cpu = &h.cpu->common;
    h.cpu->r[0] = 0;
    cpu->insn_budget = 5;
    ck_assert_uint_eq(harness_exec(&h, &a), (uintptr_t)&a | TB_EXIT_SLOT0);
    ck_assert_uint_eq(h.cpu->r[0], 1);
    ck_assert_int_eq(cpu->insn_budget, 4);

    /* Budget too small: nothing runs, nothing is charged. */
    cpu->insn_budget = 0;
    ck_assert_uint_eq(harness_exec(&h, &a), (uintptr_t)&a | TB_EXIT_REQUESTED);
    ck_assert_uint_eq(h.cpu->r[0], 1);
    ck_assert_int_eq(cpu->insn_budget, 0);
    cpu->insn_budget = -5;   /* kicked */
    ck_assert_uint_eq(harness_exec(&h, &a), (uintptr_t)&a | TB_EXIT_REQUESTED);

    /* Chained: A continues into B, which checks the budget itself. */
    a.jmp_dest[0] = &b;
    h.be->patch_jump(h.bs, &h.cb, &a, 0, &b);
    cpu->insn_budget = 3;
    ck_assert_uint_eq(harness_exec(&h, &a), (uintptr_t)&b | TB_EXIT_SLOT1);
    ck_assert_uint_eq(h.cpu->r[0], 12);
    ck_assert_int_eq(cpu->insn_budget, 0);
    cpu->insn_budget = 2;   /* enough for A, not for B */
    ck_assert_uint_eq(harness_exec(&h, &a), (uintptr_t)&b | TB_EXIT_REQUESTED);
    ck_assert_uint_eq(h.cpu->r[0], 13);
    ck_assert_int_eq(cpu->insn_budget, 1);

    /* Unchained again. */
    a.jmp_dest[0] = NULL;
    h.be->patch_jump(h.bs, &h.cb, &a, 0, NULL);
    cpu->insn_budget = 100;
    ck_assert_uint_eq(harness_exec(&h, &a), (uintptr_t)&a | TB_EXIT_SLOT0);
    ck_assert_uint_eq(h.cpu->r[0], 14);

    /* lookup_and_goto: hit continues in B, miss returns TB_EXIT_NOCHAIN. */
    static TranslationBlock c;
    static uint32_t c_end[TEST_MAX_INSNS];
    static uint64_t c_data[TEST_MAX_INSNS * 2];
    ir_reset(&h.ir);
    ir_insn_start(&h.ir, 0x4000, 0);
    ir_binopi(&h.ir, IR_add, h.r[0], h.r[0], 100);
    ir_lookup_and_goto(&h.ir);
    harness_gen(&h, &c, c_end, c_data, false, true);
    h.cpu->lookup_result = &b;
    ck_assert_uint_eq(harness_exec(&h, &c), (uintptr_t)&b | TB_EXIT_SLOT1);
    ck_assert_uint_eq(h.cpu->r[0], 124);
    h.cpu->lookup_result = NULL;
    ck_assert_uint_eq(harness_exec(&h, &c), TB_EXIT_NOCHAIN);
    ck_assert_uint_eq(h.cpu->r[0], 224);
    ck_assert_int_eq(h.cpu->lookups, 2);
    harness_destroy(&h);
}
END_TEST

START_TEST(test_code_buffer)
{
    CodeBuffer cb;
    ck_assert(code_buffer_init(&cb, 100000, true));
    ck_assert_ptr_ne(cb.rw, cb.rx);           /* W^X: two views */
    ck_assert_uint_ge(cb.size, 100000);
    cb.rw[1234] = 0xab;                       /* same memory */
    ck_assert_uint_eq(cb.rx[1234], 0xab);
    ck_assert_ptr_eq(code_rx(&cb, cb.rw + 10), cb.rx + 10);
    ck_assert_ptr_eq(code_rw(&cb, cb.rx + 10), cb.rw + 10);
    code_buffer_sync(&cb, cb.rx, 16);
    code_buffer_destroy(&cb);
    ck_assert(code_buffer_init(&cb, 4096, false));
    ck_assert_ptr_eq(cb.rw, cb.rx);
    code_buffer_destroy(&cb);
}
END_TEST

/* gen_tb reports a full buffer instead of writing past it. */
START_TEST(test_buffer_full)
{
    Harness h;
    harness_init(&h, test_backends[_i]);
    harness_begin(&h);
    for (int i = 0; i < 50; i++)
        ir_binopi(&h.ir, IR_add, h.r[0], h.r[0], i);
    ir_exit_tb(&h.ir, 0);
    ir_liveness(&h.ir);
    TranslationBlock tb;
    memset(&tb, 0, sizeof(tb));
    tb.insn_end = h.insn_end;
    tb.insn_data = h.insn_data;
    tb.icount = 1;
    h.cb.used = h.cb.size - 64;
    ck_assert(!h.be->gen_tb(h.bs, &h.cb, &h.ir, &tb));
    ck_assert_uint_eq(h.cb.used, h.cb.size - 64);
    harness_destroy(&h);
}
END_TEST

static Suite *ir_ops_suite(void)
{
    Suite *s = suite_create("ir_ops");
    TCase *tc = tcase_create("backends");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_binops, 0, nbackends);
    tcase_add_loop_test(tc, test_binop_rules, 0, nbackends);
    tcase_add_loop_test(tc, test_unops, 0, nbackends);
    tcase_add_loop_test(tc, test_mul2, 0, nbackends);
    tcase_add_loop_test(tc, test_conds, 0, nbackends);
    tcase_add_loop_test(tc, test_bitfields, 0, nbackends);
    tcase_add_loop_test(tc, test_ld_st, 0, nbackends);
    tcase_add_loop_test(tc, test_calls, 0, nbackends);
    tcase_add_loop_test(tc, test_loop, 0, nbackends);
    tcase_add_loop_test(tc, test_guest_memory, 0, nbackends);
    tcase_add_loop_test(tc, test_restore_mapping, 0, nbackends);
    tcase_add_loop_test(tc, test_exits_and_chaining, 0, nbackends);
    tcase_add_loop_test(tc, test_buffer_full, 0, nbackends);
    tcase_add_test(tc, test_code_buffer);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    test_backends[nbackends++] = &host_backend_interp;
    if (host_backend_native())
        test_backends[nbackends++] = host_backend_native();
    SRunner *sr = srunner_create(ir_ops_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
