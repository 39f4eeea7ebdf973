/*
 * Tests of the IR passes (cpu/ir/ir_opt.c, ir_liveness.c, ir_verify.c,
 * ir_dump.c): constant folding and algebraic identities, copy propagation
 * and its limits (labels are merge points; NORMAL temps die at block
 * ends; helpers clobber globals), dead-code removal, the dead/sync bits
 * backends rely on (ir.h), and that optimizing never changes what a block
 * computes (randomized blocks run optimized and unoptimized on the
 * interpreter).
 */
#include "tests/unit/ir_harness.h"

static int count_op(const IrContext *ir, IrOpcode opc)
{
    int n = 0;
    for (int i = 0; i < ir->nops; i++)
        n += ir->ops[i].opc == opc;
    return n;
}

static const IrOp *find_op(const IrContext *ir, IrOpcode opc, int nth)
{
    for (int i = 0; i < ir->nops; i++) {
        if (ir->ops[i].opc == opc && nth-- == 0)
            return &ir->ops[i];
    }
    return NULL;
}

START_TEST(test_fold_constants)
{
    Harness h;
    harness_init(&h, &host_backend_interp);
    harness_begin(&h);
    IrTempId t1 = ir_temp(&h.ir, IR_I32), t2 = ir_temp(&h.ir, IR_I32), t3 = ir_temp(&h.ir, IR_I32);
    ir_movi(&h.ir, t1, 5);
    ir_binopi(&h.ir, IR_add, t2, t1, 3);          /* 8 */
    ir_binopi(&h.ir, IR_shl, t3, t2, 33);         /* count mod 32: 16 */
    ir_mov(&h.ir, h.w[0], t3);
    IrTempId m = ir_temp(&h.ir, IR_I64), d = ir_temp(&h.ir, IR_I64);
    ir_movi(&h.ir, m, INT64_MIN);
    ir_binopi(&h.ir, IR_divs, d, m, -1);           /* MIN / -1 = MIN */
    ir_mov(&h.ir, h.r[0], d);
    IrTempId lo = ir_temp(&h.ir, IR_I64), hi = ir_temp(&h.ir, IR_I64);
    ir_mul2(&h.ir, IR_muls2, lo, hi, ir_const(&h.ir, IR_I64, -3), ir_const(&h.ir, IR_I64, 5));
    ir_mov(&h.ir, h.r[1], lo);
    ir_mov(&h.ir, h.r[2], hi);
    ir_setcond(&h.ir, IR_COND_LTU, h.w[1], ir_const(&h.ir, IR_I32, -1), ir_const(&h.ir, IR_I32, 1));
    ir_exit_tb(&h.ir, 0);
    ir_optimize(&h.ir);
    ck_assert(ir_verify(&h.ir, stderr));
    ck_assert_int_eq(count_op(&h.ir, IR_add) + count_op(&h.ir, IR_shl) + count_op(&h.ir, IR_divs)
                     + count_op(&h.ir, IR_muls2) + count_op(&h.ir, IR_setcond) + count_op(&h.ir, IR_mov), 0);
    /* Only the global results remain, as movi. */
    ck_assert_int_eq(count_op(&h.ir, IR_movi), 5);
    const IrOp *op = find_op(&h.ir, IR_movi, 0);
    ck_assert_int_eq(op->args[0], h.w[0]);
    ck_assert_int_eq(op->args[1], 16);
    harness_run(&h, false);
    ck_assert_uint_eq(h.cpu->w[0], 16);
    ck_assert_uint_eq(h.cpu->r[0], 0x8000000000000000ull);
    ck_assert_uint_eq(h.cpu->r[1], (uint64_t)-15);
    ck_assert_uint_eq(h.cpu->r[2], ~0ull);
    ck_assert_uint_eq(h.cpu->w[1], 0);
    harness_destroy(&h);
}
END_TEST

START_TEST(test_identities)
{
    Harness h;
    harness_init(&h, &host_backend_interp);
    harness_begin(&h);
    IrTempId x = h.r[0];
    ir_binopi(&h.ir, IR_add, h.r[1], x, 0);     /* x */
    ir_binopi(&h.ir, IR_mul, h.r[2], x, 1);     /* x */
    ir_binopi(&h.ir, IR_and, h.r[3], x, 0);     /* 0 */
    ir_xor(&h.ir, h.r[4], x, x);                /* 0 */
    ir_sub(&h.ir, h.r[5], x, x);                /* 0 */
    ir_binopi(&h.ir, IR_or, h.r[6], x, -1);     /* -1 */
    ir_binopi(&h.ir, IR_shl, h.r[7], x, 64);    /* x (count mod 64) */
    ir_setcond(&h.ir, IR_COND_LEU, h.w[0], h.w[1], h.w[1]);  /* 1 */
    ir_exit_tb(&h.ir, 0);
    int before = h.ir.nops;
    ir_optimize(&h.ir);
    ck_assert_int_eq(h.ir.nops, before);
    ck_assert_int_eq(count_op(&h.ir, IR_add) + count_op(&h.ir, IR_mul) + count_op(&h.ir, IR_and)
                     + count_op(&h.ir, IR_xor) + count_op(&h.ir, IR_sub) + count_op(&h.ir, IR_or)
                     + count_op(&h.ir, IR_shl) + count_op(&h.ir, IR_setcond), 0);
    ck_assert_int_eq(count_op(&h.ir, IR_mov), 3);
    ck_assert_int_eq(count_op(&h.ir, IR_movi), 5);
    h.cpu->r[0] = 0x1234;
    harness_run(&h, false);
    ck_assert_uint_eq(h.cpu->r[1], 0x1234);
    ck_assert_uint_eq(h.cpu->r[2], 0x1234);
    ck_assert_uint_eq(h.cpu->r[3], 0);
    ck_assert_uint_eq(h.cpu->r[4], 0);
    ck_assert_uint_eq(h.cpu->r[5], 0);
    ck_assert_uint_eq(h.cpu->r[6], ~0ull);
    ck_assert_uint_eq(h.cpu->r[7], 0x1234);
    ck_assert_uint_eq(h.cpu->w[0], 1);
    harness_destroy(&h);
}
END_TEST

START_TEST(test_copy_propagation)
{
    Harness h;
    harness_init(&h, &host_backend_interp);
    harness_begin(&h);
    IrTempId t = ir_temp(&h.ir, IR_I64), t2 = ir_temp(&h.ir, IR_I64);
    ir_mov(&h.ir, t, h.r[0]);
    ir_binopi(&h.ir, IR_add, t2, t, 1);
    ir_mov(&h.ir, h.r[1], t2);
    ir_exit_tb(&h.ir, 0);
    ir_optimize(&h.ir);
    /* The add reads g_r0 directly; the copy is gone. */
    const IrOp *add = find_op(&h.ir, IR_add, 0);
    ck_assert_ptr_nonnull(add);
    ck_assert_int_eq(add->args[1], h.r[0]);
    ck_assert_int_eq(count_op(&h.ir, IR_mov), 1);
    h.cpu->r[0] = 41;
    harness_run(&h, false);
    ck_assert_uint_eq(h.cpu->r[1], 42);

    /* A copy expires when its source is written again. */
    harness_begin(&h);
    t = ir_temp(&h.ir, IR_I64);
    ir_mov(&h.ir, t, h.r[0]);
    ir_binopi(&h.ir, IR_add, h.r[0], h.r[0], 100);
    ir_mov(&h.ir, h.r[1], t);
    ir_exit_tb(&h.ir, 0);
    h.cpu->r[0] = 1;
    harness_run(&h, true);
    ck_assert_uint_eq(h.cpu->r[1], 1);
    ck_assert_uint_eq(h.cpu->r[0], 101);
    harness_destroy(&h);
}
END_TEST

/* Facts known on one path must not survive a label other paths reach. */
START_TEST(test_no_fold_across_label)
{
    Harness h;
    harness_init(&h, &host_backend_interp);
    for (int local = 0; local < 2; local++) {
        harness_begin(&h);
        IrLabel l = ir_new_label(&h.ir);
        IrTempId v = local ? ir_temp_local(&h.ir, IR_I64) : h.r[0];
        ir_movi(&h.ir, v, 5);
        ir_brcondi(&h.ir, IR_COND_EQ, h.r[2], 0, l);
        ir_movi(&h.ir, v, 9);
        ir_set_label(&h.ir, l);
        ir_mov(&h.ir, h.r[1], v);
        ir_exit_tb(&h.ir, 0);
        h.cpu->r[2] = 0;   /* branch taken: v = 5 */
        harness_run(&h, true);
        ck_assert_uint_eq(h.cpu->r[1], 5);
        h.cpu->r[2] = 1;
        ck_assert_uint_eq(harness_exec(&h, &h.tb), 0);   /* exit_tb(0) */
        ck_assert_uint_eq(h.cpu->r[1], 9);
    }
    /* A NORMAL temp's copy is not used past a brcond (it is dead there). */
    harness_begin(&h);
    IrLabel l = ir_new_label(&h.ir);
    IrTempId t = ir_temp(&h.ir, IR_I64);
    ir_binopi(&h.ir, IR_add, t, h.r[0], 1);
    ir_mov(&h.ir, h.r[3], t);
    ir_brcondi(&h.ir, IR_COND_NE, h.r[2], 0, l);
    ir_binopi(&h.ir, IR_add, h.r[4], h.r[3], 1);
    ir_set_label(&h.ir, l);
    ir_exit_tb(&h.ir, 0);
    ir_optimize(&h.ir);
    const IrOp *add2 = find_op(&h.ir, IR_add, 1);
    ck_assert_ptr_nonnull(add2);
    ck_assert_int_eq(add2->args[1], h.r[3]);
    /* ... but within the block it is. */
    const IrOp *mov = find_op(&h.ir, IR_mov, 0);
    ck_assert_int_eq(mov->args[1], t);
    harness_destroy(&h);
}
END_TEST

static uint64_t pure_helper(uint64_t a) { return a + 1; }
static void clobber_helper(uint64_t env) { ((TestCpu *)(uintptr_t)env)->r[0] = 777; }

/* Helpers that may write globals make known global values unknown. */
START_TEST(test_call_clobbers_globals)
{
    static const IrHelper clob = { "clobber", (void *)clobber_helper, 1, false, IR_I64, 0 };
    Harness h;
    harness_init(&h, &host_backend_interp);
    harness_begin(&h);
    ir_movi(&h.ir, h.r[0], 5);
    IrTempId a[1] = { h.ir.env };
    ir_call(&h.ir, &clob, -1, a, 1);
    ir_mov(&h.ir, h.r[1], h.r[0]);
    ir_exit_tb(&h.ir, 0);
    harness_run(&h, true);
    ck_assert_uint_eq(h.cpu->r[1], 777);
    harness_destroy(&h);
}
END_TEST

START_TEST(test_dead_code)
{
    static const IrHelper pure = { "pure", (void *)pure_helper, 1, true, IR_I64, IR_CALL_PURE };
    static const IrHelper impure = { "impure", (void *)pure_helper, 1, true, IR_I64,
                                     IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS };
    Harness h;
    harness_init(&h, &host_backend_interp);
    harness_begin(&h);
    IrTempId t1 = ir_temp(&h.ir, IR_I64), t2 = ir_temp(&h.ir, IR_I64), t3 = ir_temp(&h.ir, IR_I64);
    IrTempId lo = ir_temp(&h.ir, IR_I64), hi = ir_temp(&h.ir, IR_I64), r = ir_temp(&h.ir, IR_I64);
    ir_binopi(&h.ir, IR_add, t1, h.r[0], 1);                          /* unused: removed */
    ir_binop(&h.ir, IR_mul, t2, h.r[0], h.r[0]);                      /* feeds only t3: removed */
    ir_binop(&h.ir, IR_sub, t3, t2, h.r[1]);                          /* unused: removed */
    ir_ld(&h.ir, t1, h.ir.env, (int32_t)offsetof(TestCpu, mem), IR_MO_64);  /* unused: removed */
    ir_movi(&h.ir, h.r[2], 1);                                        /* overwritten: removed */
    ir_movi(&h.ir, h.r[2], 2);
    ir_mul2(&h.ir, IR_mulu2, lo, hi, h.r[0], h.r[1]);                 /* hi unused: becomes mul */
    ir_mov(&h.ir, h.r[3], lo);
    IrTempId a[1] = { h.r[0] };
    ir_call(&h.ir, &pure, r, a, 1);                                   /* pure, unused: removed */
    ir_call(&h.ir, &impure, r, a, 1);                                 /* kept */
    ir_st(&h.ir, h.r[0], h.ir.env, (int32_t)offsetof(TestCpu, mem), IR_MO_64);  /* kept */
    ir_exit_tb(&h.ir, 0);
    ir_movi(&h.ir, h.r[4], 1);                                        /* unreachable: removed */
    ck_assert_int_eq(h.ir.nops, 14);
    ir_optimize(&h.ir);
    ck_assert(ir_verify(&h.ir, stderr));
    /* insn_start, movi r2, mul, mov r3, call impure, st, exit_tb */
    ck_assert_int_eq(h.ir.nops, 7);
    ck_assert_int_eq(count_op(&h.ir, IR_mulu2), 0);
    ck_assert_int_eq(count_op(&h.ir, IR_mul), 1);
    ck_assert_int_eq(count_op(&h.ir, IR_call), 1);
    ck_assert_int_eq(count_op(&h.ir, IR_st), 1);
    ck_assert_int_eq(find_op(&h.ir, IR_movi, 0)->args[1], 2);
    h.cpu->r[0] = 6;
    h.cpu->r[1] = 7;
    harness_run(&h, false);
    ck_assert_uint_eq(h.cpu->r[2], 2);
    ck_assert_uint_eq(h.cpu->r[3], 42);
    ck_assert_uint_eq(h.cpu->r[4], 0);
    harness_destroy(&h);
}
END_TEST

/* dead/sync bits as ir.h documents them. */
START_TEST(test_liveness_bits)
{
    static const IrHelper writes = { "writes", (void *)pure_helper, 1, true, IR_I64, 0 };
    static const IrHelper reads = { "reads", (void *)pure_helper, 1, true, IR_I64, IR_CALL_NO_WRITE_GLOBALS };
    static const IrHelper none = { "none", (void *)pure_helper, 1, true, IR_I64,
                                   IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS };
    IrContext ir;
    ir_init(&ir);
    IrTempId g0 = ir_global(&ir, IR_I64, 64, "a"), g1 = ir_global(&ir, IR_I64, 72, "b");

    /* t = g0 + 1; g1 = t; exit: g0 and t die where last read; g1 is
     * written for the exit: dead in a register, must be synced. */
    ir_reset(&ir);
    IrTempId t = ir_temp(&ir, IR_I64);
    ir_binopi(&ir, IR_add, t, g0, 1);
    ir_mov(&ir, g1, t);
    ir_exit_tb(&ir, 0);
    ir_liveness(&ir);
    ck_assert_uint_eq(ir.ops[0].dead, 1u << 1);     /* g0 input */
    ck_assert_uint_eq(ir.ops[0].sync, 0);
    ck_assert_uint_eq(ir.ops[1].dead, (1u << 0) | (1u << 1));
    ck_assert_uint_eq(ir.ops[1].sync, 1u << 0);

    /* g0 = g0 + 1 before calls of each kind, g0 read after the call. */
    const IrHelper *hs[3] = { &writes, &reads, &none };
    const uint16_t want_dead[3] = { 1u << 0, 0, 0 }, want_sync[3] = { 1u << 0, 1u << 0, 0 };
    for (int k = 0; k < 3; k++) {
        ir_reset(&ir);
        IrTempId r = ir_temp(&ir, IR_I64);
        ir_binopi(&ir, IR_add, g0, g0, 1);
        IrTempId a[1] = { g1 };
        ir_call(&ir, hs[k], r, a, 1);
        ir_add(&ir, g0, g0, r);
        ir_exit_tb(&ir, 0);
        ir_liveness(&ir);
        /* bit 1 (the old g0 read by the add) is always dead: overwritten */
        ck_assert_uint_eq(ir.ops[0].dead & 2, 2);
        ck_assert_msg((ir.ops[0].dead & 1) == want_dead[k] && ir.ops[0].sync == want_sync[k],
                      "helper %s: dead %x sync %x", hs[k]->name, ir.ops[0].dead, ir.ops[0].sync);
    }

    /* A write before a block end or a may-raise op is synced, a write
     * overwritten in the same block is not. */
    ir_reset(&ir);
    IrLabel l = ir_new_label(&ir);
    ir_movi(&ir, g0, 1);
    ir_movi(&ir, g0, 2);
    ir_brcondi(&ir, IR_COND_EQ, g1, 0, l);
    ir_movi(&ir, g1, 3);
    ir_gld(&ir, g0, g1, ir_memop(3, false, false, 0));
    ir_set_label(&ir, l);
    ir_exit_tb(&ir, 0);
    ir_liveness(&ir);
    ck_assert_uint_eq(ir.ops[0].sync, 0);
    ck_assert_uint_eq(ir.ops[0].dead, 1);
    ck_assert_uint_eq(ir.ops[1].sync, 1);
    ck_assert_uint_eq(ir.ops[1].dead, 1);   /* globals are reloaded after a block end */
    ck_assert_uint_eq(ir.ops[3].sync, 1);   /* stored before gld (may raise) ... */
    ck_assert_uint_eq(ir.ops[3].dead, 0);   /* ... and still needed as gld's address */
    ck_assert_uint_eq(ir.ops[4].dead, (1u << 0) | (1u << 1));
    ck_assert_uint_eq(ir.ops[4].sync, 1);

    /* A LOCAL temp read in a loop body stays live across the back edge. */
    ir_reset(&ir);
    IrTempId lt = ir_temp_local(&ir, IR_I64);
    IrLabel top = ir_new_label(&ir);
    ir_movi(&ir, lt, 10);
    ir_set_label(&ir, top);
    ir_add(&ir, g0, g0, lt);
    ir_binopi(&ir, IR_sub, g1, g1, 1);
    ir_brcondi(&ir, IR_COND_NE, g1, 0, top);
    ir_exit_tb(&ir, 0);
    ir_liveness(&ir);
    ck_assert_uint_eq(ir.ops[2].dead & (1u << 2), 0);   /* lt not dead after the add */
    ck_assert_uint_eq(ir.ops[0].dead, 0);
    ir_destroy(&ir);
}
END_TEST

START_TEST(test_verify_and_dump)
{
    IrContext ir;
    ir_init(&ir);
    IrTempId g = ir_global(&ir, IR_I32, 64, "eax");
    ir_reset(&ir);
    IrLabel l = ir_new_label(&ir);
    IrTempId t = ir_temp(&ir, IR_I32), lt = ir_temp_local(&ir, IR_I64);
    ir_insn_start(&ir, 0x1000, 0);
    ir_binopi(&ir, IR_add, t, g, 0x10);
    ir_brcondi(&ir, IR_COND_LTU, t, 0, l);
    ir_gld(&ir, lt, ir.env, ir_memop(2, true, true, 1));
    ir_set_label(&ir, l);
    ir_exit_tb(&ir, 0);
    ck_assert(ir_verify(&ir, NULL));
    ir_liveness(&ir);
    char buf[2048];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    ir_dump(&ir, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(buf, "add_i32 t"));
    ck_assert_ptr_nonnull(strstr(buf, "g_eax, $0x10"));
    ck_assert_ptr_nonnull(strstr(buf, "ltu, L0"));
    ck_assert_ptr_nonnull(strstr(buf, "L0:"));
    ck_assert_ptr_nonnull(strstr(buf, "s32+al+mmu1"));
    ck_assert_ptr_nonnull(strstr(buf, "gld_i64 l"));

    /* Broken IR is reported. */
    ir_reset(&ir);
    ir_insn_start(&ir, 0, 0);
    t = ir_temp(&ir, IR_I32);
    IrTempId t64 = ir_temp(&ir, IR_I64);
    ir_binop(&ir, IR_add, t, t, t64);                 /* type mismatch */
    ck_assert(!ir_verify(&ir, NULL));
    ir_reset(&ir);
    ir_br(&ir, ir_new_label(&ir));                    /* label never set */
    ck_assert(!ir_verify(&ir, NULL));
    ir_reset(&ir);
    ir_movi(&ir, ir_temp(&ir, IR_I32), 1);
    ir.ops[0].args[0] = ir_const(&ir, IR_I32, 3);    /* writes a constant */
    ck_assert(!ir_verify(&ir, NULL));
    ir_reset(&ir);
    ir_extract(&ir, ir_temp(&ir, IR_I32), g, 30, 4);  /* field past the width */
    ck_assert(!ir_verify(&ir, NULL));
    ir_destroy(&ir);
}
END_TEST

/* ---- randomized blocks: optimized == unoptimized ---- */

typedef struct Rng { uint64_t s; } Rng;
static unsigned rng_next(Rng *r, unsigned n)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((r->s >> 33) % n);
}

static IrTempId rand_src(Harness *h, Rng *r, IrType ty, const IrTempId *tmp, int ntmp)
{
    static const int64_t consts[] = { 0, 1, -1, 2, 31, 32, 63, 64, 0x80000000, INT64_MIN, 0xff };
    unsigned k = rng_next(r, 4);
    if (k == 0)
        return ir_const(&h->ir, ty, consts[rng_next(r, sizeof(consts) / sizeof(consts[0]))]);
    if (k == 1 && ntmp > 0)
        return tmp[rng_next(r, (unsigned)ntmp)];
    return ty == IR_I64 ? h->r[rng_next(r, 4)] : h->w[rng_next(r, 4)];
}

static void build_random_block(Harness *h, uint64_t seed)
{
    static const IrOpcode ops[] = { IR_add, IR_sub, IR_mul, IR_divu, IR_divs, IR_remu, IR_rems, IR_and,
                                    IR_or, IR_xor, IR_andc, IR_shl, IR_shr, IR_sar, IR_rotl, IR_rotr,
                                    IR_clz, IR_ctz };
    static const IrOpcode unops[] = { IR_mov, IR_neg, IR_not, IR_ext8s, IR_ext16u, IR_bswap16, IR_ctpop };
    Rng r = { seed };
    harness_begin(h);
    IrTempId loc = ir_temp_local(&h->ir, IR_I64);
    ir_mov(&h->ir, loc, h->r[3]);
    IrTempId tmp[2][16];
    int ntmp[2] = { 0, 0 };
    IrLabel pending = -1;
    for (int i = 0; i < 40; i++) {
        IrType ty = rng_next(&r, 2) ? IR_I64 : IR_I32;
        int t = ty == IR_I64;
        unsigned kind = rng_next(&r, 12);
        IrTempId a = rand_src(h, &r, ty, tmp[t], ntmp[t]);
        IrTempId b = rand_src(h, &r, ty, tmp[t], ntmp[t]);
        IrTempId d;
        if (rng_next(&r, 3) == 0 || ntmp[t] == 16)
            d = rng_next(&r, 5) == 0 && t ? loc : (t ? h->r[rng_next(&r, 4)] : h->w[rng_next(&r, 4)]);
        else
            d = tmp[t][ntmp[t]++] = ir_temp(&h->ir, ty);
        if (kind < 7) {
            ir_binop(&h->ir, ops[rng_next(&r, sizeof(ops) / sizeof(ops[0]))], d, a, b);
        } else if (kind < 9) {
            ir_unop(&h->ir, unops[rng_next(&r, sizeof(unops) / sizeof(unops[0]))], d, a);
        } else if (kind == 9) {
            ir_setcond(&h->ir, (IrCond)rng_next(&r, IR_NB_CONDS), d, a, b);
        } else if (kind == 10) {
            ir_movcond(&h->ir, (IrCond)rng_next(&r, IR_NB_CONDS), d, a, b, b, a);
        } else {
            ir_movi(&h->ir, d, (int64_t)rng_next(&r, 1000) - 500);
            if (pending < 0) {
                pending = ir_new_label(&h->ir);
                ir_brcond(&h->ir, (IrCond)rng_next(&r, IR_NB_CONDS), a, b, pending);
            } else {
                ir_set_label(&h->ir, pending);
                pending = -1;
            }
            ntmp[0] = ntmp[1] = 0;   /* NORMAL temps die at block ends */
        }
    }
    if (pending >= 0)
        ir_set_label(&h->ir, pending);
    ir_add(&h->ir, h->r[4], h->r[4], loc);
    ir_exit_tb(&h->ir, 0);
}

START_TEST(test_optimizer_preserves_semantics)
{
    Harness h;
    harness_init(&h, &host_backend_interp);
    for (uint64_t seed = 1; seed <= 400; seed++) {
        uint64_t init_r[TEST_NREGS], res[2][TEST_NREGS];
        uint32_t init_w[TEST_NREGS], resw[2][TEST_NREGS];
        Rng r = { seed * 977 };
        for (int i = 0; i < TEST_NREGS; i++) {
            init_r[i] = (uint64_t)rng_next(&r, 1u << 30) << rng_next(&r, 40);
            init_w[i] = (uint32_t)rng_next(&r, 1u << 31);
        }
        for (int opt = 0; opt < 2; opt++) {
            memcpy(h.cpu->r, init_r, sizeof(init_r));
            memcpy(h.cpu->w, init_w, sizeof(init_w));
            build_random_block(&h, seed);
            harness_run(&h, opt);
            memcpy(res[opt], h.cpu->r, sizeof(init_r));
            memcpy(resw[opt], h.cpu->w, sizeof(init_w));
        }
        if (memcmp(res[0], res[1], sizeof(res[0])) || memcmp(resw[0], resw[1], sizeof(resw[0]))) {
            build_random_block(&h, seed);
            ir_dump(&h.ir, stderr);
            ck_abort_msg("seed %llu: optimized block computes something else", (unsigned long long)seed);
        }
    }
    harness_destroy(&h);
}
END_TEST

static Suite *ir_opt_suite(void)
{
    Suite *s = suite_create("ir_opt");
    TCase *tc = tcase_create("passes");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fold_constants);
    tcase_add_test(tc, test_identities);
    tcase_add_test(tc, test_copy_propagation);
    tcase_add_test(tc, test_no_fold_across_label);
    tcase_add_test(tc, test_call_clobbers_globals);
    tcase_add_test(tc, test_dead_code);
    tcase_add_test(tc, test_liveness_bits);
    tcase_add_test(tc, test_verify_and_dump);
    tcase_add_test(tc, test_optimizer_preserves_semantics);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ir_opt_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
