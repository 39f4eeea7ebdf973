/*
 * Differential test of the native backend (host_backend_native(): x86-64
 * or AArch64, host specifics in ir_random_host_<host>.c) against the IR
 * interpreter (the
 * reference, DESIGN.md "cpu/host"): a generator builds random blocks using
 * every kind of op (arithmetic, comparisons, branches and bounded loops,
 * calls to test helpers with every global-access flag, host loads/stores
 * to env fields, guest loads/stores through a hand-filled TLB over a few
 * RAM pages, LOCAL/NORMAL temps, globals, goto_tb/lookup_and_goto exits),
 * runs each block on both backends from identical states and compares
 * every global, env field, RAM byte, the budget, the exit value and, when
 * a guest fault leaves the block, the fault and the instruction it is
 * attributed to (precise exceptions, cpu/cpu.h cpu_restore_state rules).
 *
 * Usage: test_ir_random [-n COUNT] [-seed N] [-stats]
 * Blocks are numbered; block number = its seed. A run checks COUNT blocks
 * from N (both rounded to batches of 100); a mismatch prints the block's
 * seed, its IR, both states and the host code (-seed S -n 1 repeats the
 * batch holding block S). -stats prints generated code size per IR op
 * (single ops, then the average over 2000 random blocks).
 */
#include <check.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu.h"
#include "cpu/host/backend.h"
#include "cpu/ir/ir.h"
#include "cpu/tb.h"
#include "cpu/tlb.h"

#include "tests/unit/ir_random_env.h"
#include "tests/unit/ir_random_host.h"

/* ---- random numbers ---- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static unsigned rnd_n(uint64_t *s, unsigned n) { return (unsigned)(rnd(s) % n); }

static uint64_t rnd_value(uint64_t *s)
{
    static const uint64_t special[] = {
        0, 1, 2, 3, 7, 8, 31, 32, 33, 63, 64, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
        0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
        0x8000000000000000ull, ~0ull, ~1ull, 0xfffffffffffff000ull,
    };
    switch (rnd_n(s, 4)) {
    case 0: return special[rnd_n(s, sizeof(special) / sizeof(special[0]))];
    case 1: return rnd(s) & 0xff;
    case 2: return (uint64_t)-(int64_t)(rnd(s) & 0xff);
    default: return rnd(s);
    }
}

/* ---- the block generator ---- */

typedef struct Gen {
    uint64_t s;
    IrContext *ir;
    IrTempId g[2][NG64];           /* [IR_I32] / [IR_I64] globals */
    int ng[2];
    IrTempId loc[2][NLOC], tmp[2][NTMP];
    bool valid[2][NTMP];
    IrLabel pending[16];
    int npending;
    IrTempId loop_ctr;
    bool in_loop;
    unsigned slots_used;           /* goto_tb slots (each once per block) */
} Gen;

static void gen_bb_end(Gen *g)
{
    memset(g->valid, 0, sizeof(g->valid));
}

static IrType rnd_type(Gen *g) { return rnd_n(&g->s, 2) ? IR_I64 : IR_I32; }

static IrTempId pick_src(Gen *g, IrType ty)
{
    for (;;) {
        unsigned k = rnd_n(&g->s, 20);
        if (k < 8) {
            return g->g[ty][rnd_n(&g->s, (unsigned)g->ng[ty])];
        } else if (k < 11) {
            return g->loc[ty][rnd_n(&g->s, NLOC)];
        } else if (k < 16) {
            unsigned i = rnd_n(&g->s, NTMP);
            if (g->valid[ty][i]) {
                return g->tmp[ty][i];
            }
        } else {
            return ir_const(g->ir, ty, (int64_t)rnd_value(&g->s));
        }
    }
}

static IrTempId pick_dst(Gen *g, IrType ty)
{
    unsigned k = rnd_n(&g->s, 20);
    if (k < 7) {
        return g->g[ty][rnd_n(&g->s, (unsigned)g->ng[ty])];
    } else if (k < 11) {
        return g->loc[ty][rnd_n(&g->s, NLOC)];
    }
    unsigned i = rnd_n(&g->s, NTMP);
    g->valid[ty][i] = true;
    return g->tmp[ty][i];
}

static IrLabel new_pending(Gen *g)
{
    if (g->npending > 0 && (g->npending == 16 || rnd_n(&g->s, 2))) {
        return g->pending[rnd_n(&g->s, (unsigned)g->npending)];
    }
    IrLabel l = ir_new_label(g->ir);
    g->pending[g->npending++] = l;
    return l;
}

static void place_label(Gen *g, int i)
{
    ir_set_label(g->ir, g->pending[i]);
    g->pending[i] = g->pending[--g->npending];
    gen_bb_end(g);
}

/* i64 guest address within (or near) the RAM pages. */
static IrTempId gen_addr(Gen *g, unsigned size, bool aligned)
{
    IrContext *ir = g->ir;
    IrTempId a = ir_temp(ir, IR_I64);
    uint64_t mask = (2 * TLB_PAGE_SIZE - 1) & ~(uint64_t)(aligned ? size - 1 : 0);
    uint64_t base = RAM_VBASE + (rnd_n(&g->s, 100) == 0 ? ALIAS_OFF : 0);
    if (rnd_n(&g->s, 4) == 0) {
        /* near the end of page 0 or 1: page-crossing accesses */
        mask = 7 & ~(uint64_t)(aligned ? size - 1 : 0);
        base += (rnd_n(&g->s, 2) + 1) * TLB_PAGE_SIZE - 8;
    }
    ir_binopi(ir, IR_and, a, pick_src(g, IR_I64), (int64_t)mask);
    ir_binopi(ir, IR_add, a, a, (int64_t)base);
    return a;
}

static void gen_op(Gen *g)
{
    IrContext *ir = g->ir;
    IrType ty = rnd_type(g);
    int w = ty == IR_I64 ? 64 : 32;
    static const IrOpcode binops[] = {
        IR_add, IR_sub, IR_mul, IR_and, IR_or, IR_xor, IR_andc, IR_shl, IR_shr, IR_sar,
        IR_rotl, IR_rotr, IR_divu, IR_divs, IR_remu, IR_rems,
    };
    static const IrOpcode unops[] = {
        IR_neg, IR_not, IR_ext8s, IR_ext8u, IR_ext16s, IR_ext16u, IR_bswap16, IR_bswap32,
        IR_ctpop, IR_ext32s, IR_ext32u, IR_bswap64,
    };

    switch (rnd_n(&g->s, 24)) {
    case 0: {
        /* the source first: pick_dst marks its temp valid (and argument
         * evaluation order differs between compilers and hosts) */
        IrTempId src = pick_src(g, ty);
        ir_mov(ir, pick_dst(g, ty), src);
        break;
    }
    case 1:
        ir_movi(ir, pick_dst(g, ty), (int64_t)rnd_value(&g->s));
        break;
    case 2: case 3: case 4: case 5: {
        IrTempId a = pick_src(g, ty), b = pick_src(g, ty);
        ir_binop(ir, binops[rnd_n(&g->s, sizeof(binops) / sizeof(binops[0]))], pick_dst(g, ty), a, b);
        break;
    }
    case 6: {
        unsigned n = ty == IR_I64 ? 12 : 9;
        IrTempId a = pick_src(g, ty);
        ir_unop(ir, unops[rnd_n(&g->s, n)], pick_dst(g, ty), a);
        break;
    }
    case 7: {
        static const IrOpcode conv[] = { IR_extu_i32_i64, IR_exts_i32_i64, IR_extrl_i64_i32, IR_extrh_i64_i32 };
        unsigned k = rnd_n(&g->s, 4);
        IrType in = k < 2 ? IR_I32 : IR_I64, out = k < 2 ? IR_I64 : IR_I32;
        IrTempId a = pick_src(g, in);
        ir_unop(ir, conv[k], pick_dst(g, out), a);
        break;
    }
    case 8: {
        IrTempId a = pick_src(g, ty), b = pick_src(g, ty), lo, hi;
        bool saved[2][NTMP];
        memcpy(saved, g->valid, sizeof(saved));
        for (;;) {
            lo = pick_dst(g, ty);
            hi = pick_dst(g, ty);
            if (lo != hi) {
                break;
            }
            memcpy(g->valid, saved, sizeof(saved));   /* neither is written */
        }
        ir_mul2(ir, rnd_n(&g->s, 2) ? IR_mulu2 : IR_muls2, lo, hi, a, b);
        break;
    }
    case 9: {
        IrType ct = rnd_type(g);
        IrTempId a = pick_src(g, ct), b = pick_src(g, ct);
        ir_setcond(ir, (IrCond)rnd_n(&g->s, IR_NB_CONDS), pick_dst(g, ct), a, b);
        break;
    }
    case 10: {
        IrTempId a = pick_src(g, ty), b = pick_src(g, ty), v1 = pick_src(g, ty), v2 = pick_src(g, ty);
        ir_movcond(ir, (IrCond)rnd_n(&g->s, IR_NB_CONDS), pick_dst(g, ty), a, b, v1, v2);
        break;
    }
    case 11: {
        unsigned pos = rnd_n(&g->s, 4) ? rnd_n(&g->s, (unsigned)w) : 0;
        unsigned len = 1 + rnd_n(&g->s, (unsigned)w - pos);
        IrTempId a = pick_src(g, ty);
        unsigned k = rnd_n(&g->s, 3);
        if (k == 0) {
            ir_extract(ir, pick_dst(g, ty), a, pos, len);
        } else if (k == 1) {
            ir_sextract(ir, pick_dst(g, ty), a, pos, len);
        } else {
            IrTempId b = pick_src(g, ty);
            ir_deposit(ir, pick_dst(g, ty), a, b, pos, len);
        }
        break;
    }
    case 12: {
        IrTempId a = pick_src(g, ty);
        IrTempId z = rnd_n(&g->s, 2) ? ir_const(ir, ty, w) : pick_src(g, ty);
        if (rnd_n(&g->s, 2)) {
            ir_clz(ir, pick_dst(g, ty), a, z);
        } else {
            ir_ctz(ir, pick_dst(g, ty), a, z);
        }
        break;
    }
    case 13: {      /* host memory: env->scratch */
        unsigned size = rnd_n(&g->s, ty == IR_I64 ? 4 : 3);
        int32_t off = (int32_t)(offsetof(TestEnv, scratch) + rnd_n(&g->s, 8) * 8
                                + rnd_n(&g->s, 8 >> size) * (1u << size));
        if (rnd_n(&g->s, 2)) {
            ir_ld(ir, pick_dst(g, ty), ir->env, off, ir_memop(size, rnd_n(&g->s, 2), false, 0));
        } else {
            ir_st(ir, pick_src(g, ty), ir->env, off, ir_memop(size, false, false, 0));
        }
        break;
    }
    case 14: case 15: case 16: {   /* guest memory */
        unsigned size_log2 = rnd_n(&g->s, ty == IR_I64 ? 4 : 3);
        bool align = rnd_n(&g->s, 8) == 0;
        IrTempId a = gen_addr(g, 1u << size_log2, align ? rnd_n(&g->s, 5) != 0 : rnd_n(&g->s, 2) != 0);
        IrMemOp mo = ir_memop(size_log2, rnd_n(&g->s, 2), align, rnd_n(&g->s, 8) == 0);
        if (rnd_n(&g->s, 2)) {
            ir_gld(ir, pick_dst(g, ty), a, mo);
        } else {
            ir_gst(ir, pick_src(g, ty), a, mo & ~(IrMemOp)IR_MO_SIGN);
        }
        break;
    }
    case 17: {
        const IrHelper *h = &helpers[rnd_n(&g->s, sizeof(helpers) / sizeof(helpers[0]))];
        IrTempId args[6];
        for (int i = 0; i < h->nargs; i++) {
            args[i] = (i == 0 && h->fn != (void *)h_pure3 && h->fn != (void *)h_ret32)
                          ? ir->env : pick_src(g, rnd_type(g));
        }
        IrTempId ret = h->has_ret && rnd_n(&g->s, 4) ? pick_dst(g, h->ret_type) : -1;
        ir_call(ir, h, ret, args, h->nargs);
        break;
    }
    case 18: {
        IrType ct = rnd_type(g);
        IrTempId a = pick_src(g, ct), b = pick_src(g, ct);
        ir_brcond(ir, (IrCond)rnd_n(&g->s, IR_NB_CONDS), a, b, new_pending(g));
        gen_bb_end(g);
        break;
    }
    case 19:
        if (g->npending) {
            place_label(g, (int)rnd_n(&g->s, (unsigned)g->npending));
        } else if (rnd_n(&g->s, 4) == 0) {
            ir_br(ir, new_pending(g));
            gen_bb_end(g);
        }
        break;
    case 20:
        if (ir->ninsns < MAX_INSNS - 4) {
            ir_insn_start(ir, 0x1000 + (uint64_t)ir->ninsns * 4, (uint64_t)ir->ninsns);
        }
        break;
    case 21: {
        unsigned i = rnd_n(&g->s, NTMP);
        if (g->valid[ty][i] && rnd_n(&g->s, 3) == 0) {
            ir_discard(ir, g->tmp[ty][i]);
            g->valid[ty][i] = false;
        }
        break;
    }
    default: {      /* unary/binary with a constant operand: immediate forms */
        IrTempId a = pick_src(g, ty);
        ir_binopi(ir, binops[rnd_n(&g->s, 12)], pick_dst(g, ty), a, (int64_t)rnd_value(&g->s));
        break;
    }
    }
}

static void gen_loop(Gen *g)
{
    IrContext *ir = g->ir;
    while (g->npending) {
        place_label(g, 0);
    }
    ir_movi(ir, g->loop_ctr, 1 + rnd_n(&g->s, 4));
    IrLabel top = ir_new_label(ir);
    ir_set_label(ir, top);
    gen_bb_end(g);
    g->in_loop = true;
    for (int n = 2 + (int)rnd_n(&g->s, 8); n > 0; n--) {
        gen_op(g);
    }
    g->in_loop = false;
    ir_binopi(ir, IR_sub, g->loop_ctr, g->loop_ctr, 1);
    ir_brcondi(ir, IR_COND_NE, g->loop_ctr, 0, top);
    gen_bb_end(g);
}

static void gen_exit(Gen *g)
{
    IrContext *ir = g->ir;
    switch (rnd_n(&g->s, 4)) {
    case 0:
    case 1: {
        int n = (int)rnd_n(&g->s, 2);
        if (g->slots_used & (1u << n)) {
            n ^= 1;
        }
        if (g->slots_used & (1u << n)) {
            ir_exit_tb(ir, 0x4560);
            break;
        }
        g->slots_used |= 1u << n;
        ir_goto_tb(ir, n);
        ir_exit_tb(ir, 0x1230 | (unsigned)n);
        break;
    }
    case 2:
        ir_lookup_and_goto(ir);
        break;
    default:
        ir_exit_tb(ir, 0x4560 + rnd_n(&g->s, 16) * 4);
        break;
    }
    gen_bb_end(g);
}

static void gen_block(Gen *g, IrContext *ir, const IrTempId *g64, const IrTempId *g32)
{
    g->ir = ir;
    g->npending = 0;
    g->slots_used = 0;
    g->ng[IR_I64] = NG64;
    g->ng[IR_I32] = NG32;
    memcpy(g->g[IR_I64], g64, sizeof(IrTempId) * NG64);
    memcpy(g->g[IR_I32], g32, sizeof(IrTempId) * NG32);
    ir_reset(ir);
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < NLOC; i++) {
            g->loc[t][i] = ir_temp_local(ir, (IrType)t);
        }
        for (int i = 0; i < NTMP; i++) {
            g->tmp[t][i] = ir_temp(ir, (IrType)t);
        }
    }
    g->loop_ctr = ir_temp_local(ir, IR_I32);
    gen_bb_end(g);
    ir_insn_start(ir, 0x1000, 0);
    for (int t = 0; t < 2; t++) {
        for (int i = 0; i < NLOC; i++) {
            if (rnd_n(&g->s, 2)) {
                ir_mov(ir, g->loc[t][i], g->g[t][rnd_n(&g->s, (unsigned)g->ng[t])]);
            } else {
                ir_movi(ir, g->loc[t][i], (int64_t)rnd_value(&g->s));
            }
        }
    }
    int nops = 5 + (int)rnd_n(&g->s, 60);
    for (int i = 0; i < nops; i++) {
        if (rnd_n(&g->s, 40) == 0) {
            gen_loop(g);
        } else {
            gen_op(g);
        }
    }
    gen_exit(g);
    while (g->npending) {
        place_label(g, (int)rnd_n(&g->s, (unsigned)g->npending));
        for (int n = (int)rnd_n(&g->s, 4); n > 0; n--) {
            gen_op(g);
        }
        gen_exit(g);
    }
}

/* ---- running a block on one backend ---- */

typedef struct Side {
    const HostBackend *hb;
    void *be;
    CodeBuffer cb;
    TestEnv *env;
    TranslationBlock tb, landing;
    uint32_t insn_end[MAX_INSNS], landing_end[1];
    uint64_t insn_data[MAX_INSNS * IR_INSN_WORDS], landing_data[IR_INSN_WORDS];
    size_t code_mark;
    uintptr_t ret;
    bool faulted;
} Side;

typedef struct World {
    IrContext ir;
    IrTempId g64[NG64], g32[NG32];
    Side side[2];
} World;

static const char *const g64_names[NG64] = { "q0", "q1", "q2", "q3", "q4", "q5" };
static const char *const g32_names[NG32] = { "d0", "d1", "d2", "d3", "d4" };

static void fill_tlb(TestEnv *t)
{
    for (int m = 0; m < TLB_MAX_MMU; m++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            TlbEntry *e = &t->tlb.table[m][i];
            e->addr_read = e->addr_write = e->addr_code = TLB_INVALID;
        }
        if (m > 1) {
            continue;
        }
        for (unsigned p = 0; p < RAM_PAGES; p++) {
            uint64_t va = RAM_VBASE + p * TLB_PAGE_SIZE;
            TlbEntry *e = &t->tlb.table[m][tlb_index(va)];
            e->addr_read = e->addr_code = va;
            /* mmu 1: the middle page is read-only (writes go slow and fault) */
            e->addr_write = (m == 1 && p == 1) ? (va | TLB_INVALID) : va;
            /* guest pages are not adjacent in host memory: an access
             * crossing a page must not be done as one host access */
            unsigned hp = (p + 2) % RAM_PAGES;
            e->addend = (uintptr_t)(t->ram + hp * TLB_PAGE_SIZE) - (uintptr_t)va;
        }
    }
}

/* Translate ir into tb on side s (at its code mark). */
static void side_gen(Side *s, IrContext *ir, TranslationBlock *tb, uint32_t *insn_end, uint64_t *insn_data)
{
    memset(tb, 0, sizeof(*tb));
    tb->pc = 0x1000;
    tb->icount = (uint32_t)(ir->ninsns ? ir->ninsns : 1);
    tb->insn_end = insn_end;
    tb->insn_data = insn_data;
    tb->page_addr[1] = ~0ull;
    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_offset[n] = tb->jmp_reset_offset[n] = TB_NO_JUMP;
    }
    ck_assert(s->hb->gen_tb(s->be, &s->cb, ir, tb));
}

static void world_init(World *wd)
{
    memset(wd, 0, sizeof(*wd));
    ir_init(&wd->ir);
    for (int i = 0; i < NG64; i++) {
        wd->g64[i] = ir_global(&wd->ir, IR_I64, (int32_t)(offsetof(TestEnv, g64) + 8 * (size_t)i), g64_names[i]);
    }
    for (int i = 0; i < NG32; i++) {
        wd->g32[i] = ir_global(&wd->ir, IR_I32, (int32_t)(offsetof(TestEnv, g32) + 4 * (size_t)i), g32_names[i]);
    }
    const HostBackend *hbs[2] = { &host_backend_interp, host_backend_native() };
    BackendEnvLayout layout = {
        .budget_offset = (int32_t)offsetof(CpuCommon, insn_budget),
        .tlb_offset = (int32_t)offsetof(TestEnv, tlb),
        .jmp_cache_offset = (int32_t)offsetof(CpuCommon, jmp_cache),
    };
    for (int k = 0; k < 2; k++) {
        Side *s = &wd->side[k];
        s->hb = hbs[k];
        ck_assert(code_buffer_init(&s->cb, 1u << 20, k == 1));
        s->be = s->hb->create(&s->cb, &layout);
        ck_assert_ptr_nonnull(s->be);
        s->env = aligned_alloc(64, sizeof(TestEnv));
        ck_assert_ptr_nonnull(s->env);
        memset(s->env, 0, sizeof(TestEnv));
        s->env->common.tlb = &s->env->tlb;
        /* landing TB for chained goto_tb and lookup_and_goto:
         * q5 += 0x111; exit 0x7770 */
        ir_reset(&wd->ir);
        ir_insn_start(&wd->ir, 0x2000, 0);
        ir_binopi(&wd->ir, IR_add, wd->g64[5], wd->g64[5], 0x111);
        ir_exit_tb(&wd->ir, 0x7770);
        ir_liveness(&wd->ir);
        side_gen(s, &wd->ir, &s->landing, s->landing_end, s->landing_data);
        s->code_mark = s->cb.used;
    }
}

static void world_destroy(World *wd)
{
    for (int k = 0; k < 2; k++) {
        Side *s = &wd->side[k];
        s->hb->destroy(s->be);
        code_buffer_destroy(&s->cb);
        free(s->env);
    }
    ir_destroy(&wd->ir);
}

/* Identical initial state for both sides from seed. */
static void init_state(World *wd, uint64_t seed, int32_t budget, int lookup, int chain)
{
    for (int k = 0; k < 2; k++) {
        Side *s = &wd->side[k];
        TestEnv *t = s->env;
        uint64_t st = seed * 0x9e3779b97f4a7c15ull + 12345;
        for (int i = 0; i < NG64; i++) {
            t->g64[i] = rnd_value(&st);
        }
        for (int i = 0; i < NG32; i++) {
            t->g32[i] = (uint32_t)rnd_value(&st);
        }
        for (int i = 0; i < 8; i++) {
            t->scratch[i] = rnd(&st);
        }
        for (size_t i = 0; i < sizeof(t->ram); i += 8) {
            uint64_t v = rnd(&st);
            memcpy(&t->ram[i], &v, 8);
        }
        t->helper_acc = 0;
        t->fault_kind = FAULT_NONE;
        t->fault_insn = -1;
        t->fault_addr = 0;
        t->lookups = 0;
        t->slow_calls = 0;
        t->common.insn_budget = budget;
        t->common.helper_retaddr = 0;
        t->lookup_tb = lookup ? &s->landing : NULL;
        fill_tlb(t);
        for (int n = 0; n < 2; n++) {
            if (s->tb.jmp_insn_offset[n] != TB_NO_JUMP) {
                s->hb->patch_jump(s->be, &s->cb, &s->tb, n, (chain >> n) & 1 ? &s->landing : NULL);
            }
        }
    }
}

static void side_run(Side *s)
{
    TestEnv *t = s->env;
    t->cur_tb = &s->tb;
    s->faulted = false;
    s->ret = 0;
    if (sigsetjmp(t->common.jmp_env, 0) == 0) {
        s->ret = s->hb->exec(s->be, &t->common, &s->tb);
    } else {
        s->faulted = true;
    }
}

/* Exit values are compared with each side's own TB pointers replaced. */
static uint64_t norm_ret(const Side *s)
{
    uintptr_t p = s->ret & ~(uintptr_t)TB_EXIT_MASK, tag = s->ret & TB_EXIT_MASK;
    if (p && p == (uintptr_t)&s->tb) {
        return 0x1000000 | tag;
    }
    if (p && p == (uintptr_t)&s->landing) {
        return 0x2000000 | tag;
    }
    return s->ret;
}

static void print_side(const Side *s, FILE *f)
{
    const TestEnv *t = s->env;
    fprintf(f, "[%s] ret=0x%" PRIx64 " fault=%d insn=%d addr=0x%" PRIx64 " budget=%d lookups=%d acc=0x%" PRIx64 "\n",
            s->hb->name, norm_ret(s), s->faulted ? t->fault_kind : 0, t->fault_insn, t->fault_addr,
            t->common.insn_budget, t->lookups, t->helper_acc);
    for (int i = 0; i < NG64; i++) {
        fprintf(f, "  %s=0x%016" PRIx64 "%s", g64_names[i], t->g64[i], i % 3 == 2 ? "\n" : "");
    }
    for (int i = 0; i < NG32; i++) {
        fprintf(f, "  %s=0x%08" PRIx32 "%s", g32_names[i], t->g32[i], i % 5 == 4 ? "\n" : "");
    }
    for (int i = 0; i < 8; i++) {
        fprintf(f, "  s%d=0x%016" PRIx64 "%s", i, t->scratch[i], i % 3 == 2 ? "\n" : "");
    }
    fputc('\n', f);
}

/* Compare the two sides; on a difference print everything and fail. */
static void compare(World *wd, uint64_t seed, const char *what)
{
    const Side *a = &wd->side[0], *b = &wd->side[1];
    const TestEnv *ta = a->env, *tb = b->env;
    bool same = a->faulted == b->faulted && memcmp(ta->g64, tb->g64, sizeof(ta->g64)) == 0
                && memcmp(ta->g32, tb->g32, sizeof(ta->g32)) == 0
                && memcmp(ta->scratch, tb->scratch, sizeof(ta->scratch)) == 0
                && memcmp(ta->ram, tb->ram, sizeof(ta->ram)) == 0
                && ta->helper_acc == tb->helper_acc && ta->lookups == tb->lookups;
    if (same && a->faulted) {
        same = ta->fault_kind == tb->fault_kind && ta->fault_addr == tb->fault_addr
               && (ta->fault_insn < 0 || ta->fault_insn == tb->fault_insn);
    } else if (same) {
        same = norm_ret(a) == norm_ret(b) && ta->common.insn_budget == tb->common.insn_budget;
    }
    if (same && !getenv("IR_RANDOM_SHOW")) {
        return;
    }
    fprintf(stderr, "MISMATCH (%s) seed %" PRIu64 "\n", what, seed);
    ir_dump(&wd->ir, stderr);
    print_side(a, stderr);
    print_side(b, stderr);
    for (size_t i = 0; i < sizeof(ta->ram); i++) {
        if (ta->ram[i] != tb->ram[i]) {
            fprintf(stderr, "  ram[0x%zx]: %02x vs %02x\n", i, ta->ram[i], tb->ram[i]);
        }
    }
    if (b->hb->dump_code) {
        b->hb->dump_code(b->be, &b->cb, &b->tb, stderr);
    }
    ck_abort_msg("%s and interp disagree for seed %" PRIu64 " (%s)", b->hb->name, seed, what);
}

/* Generate block `seed`, run it under a few entry conditions, compare. */
static void check_block(World *wd, uint64_t seed, size_t *host_bytes, size_t *ir_ops)
{
    Gen g = { .s = seed * 0x2545f4914f6cdd1dull + 0x1234567 };
    gen_block(&g, &wd->ir, wd->g64, wd->g32);
    if (!ir_verify(&wd->ir, stderr)) {
        ir_dump(&wd->ir, stderr);
        ck_abort_msg("generator produced bad IR (seed %" PRIu64 ")", seed);
    }
    if (getenv("IR_RANDOM_DUMP")) {
        ir_dump(&wd->ir, stderr);
    }
    if (seed & 1) {
        ir_optimize(&wd->ir);
    }
    ir_liveness(&wd->ir);
    ck_assert_int_le(wd->ir.ninsns, MAX_INSNS);
    for (int k = 0; k < 2; k++) {
        Side *s = &wd->side[k];
        if (k == 1 && seed % 4 == 2) {
            /* The native allocator must be correct without liveness
             * hints too (it then saves conservatively). */
            for (int i = 0; i < wd->ir.nops; i++) {
                wd->ir.ops[i].dead = wd->ir.ops[i].sync = 0;
            }
        }
        s->cb.used = s->code_mark;
        side_gen(s, &wd->ir, &s->tb, s->insn_end, s->insn_data);
    }
    if (host_bytes) {
        *host_bytes += wd->side[1].tb.host_size;
        *ir_ops += (size_t)wd->ir.nops;
    }
    uint64_t v = seed;
    int chain = (int)rnd_n(&v, 4), lookup = (int)rnd_n(&v, 2);
    init_state(wd, seed, 100000, lookup, chain);
    side_run(&wd->side[0]);
    side_run(&wd->side[1]);
    compare(wd, seed, "run");
    if (getenv("IR_RANDOM_TRACE")) {
        fprintf(stderr, "seed %" PRIu64 ": ops %d insns %d fault %d ret 0x%" PRIx64 " budget %d slow %d\n",
                seed, wd->ir.nops, wd->ir.ninsns, wd->side[1].faulted ? wd->side[1].env->fault_kind : 0,
                norm_ret(&wd->side[1]), wd->side[1].env->common.insn_budget, wd->side[1].env->slow_calls);
    }
    /* Not enough budget: the block must not run at all. */
    init_state(wd, seed, (int32_t)wd->side[0].tb.icount - 1, 0, 0);
    side_run(&wd->side[0]);
    side_run(&wd->side[1]);
    compare(wd, seed, "budget");
    ck_assert_uint_eq(wd->side[1].ret & TB_EXIT_MASK, TB_EXIT_REQUESTED);
    ck_assert_ptr_eq((void *)(wd->side[1].ret & ~(uintptr_t)TB_EXIT_MASK), &wd->side[1].tb);
}

/* ---- test cases ---- */

#define BATCH 100

/* Batch _i: blocks _i*BATCH .. _i*BATCH+BATCH-1 (seed = block number). */
START_TEST(test_random_blocks)
{
    World wd;
    world_init(&wd);
    for (uint64_t b = (uint64_t)_i * BATCH; b < (uint64_t)(_i + 1) * BATCH; b++) {
        ir_random_host_vary(wd.side[1].be, b);
        check_block(&wd, b, NULL, NULL);
    }
    world_destroy(&wd);
}
END_TEST

/* goto_tb: unchained it falls through to its exit; patch_jump chains it to
 * another TB (which then runs, budget charged for both) and unchains it. */
START_TEST(test_chain_and_unchain)
{
    World wd;
    world_init(&wd);
    Side *s = &wd.side[1];
    IrContext *ir = &wd.ir;
    ir_reset(ir);
    ir_insn_start(ir, 0x1000, 0);
    ir_binopi(ir, IR_add, wd.g64[4], wd.g64[4], 1);
    ir_goto_tb(ir, 1);
    ir_exit_tb(ir, 0x1231);
    ir_liveness(ir);
    s->cb.used = s->code_mark;
    side_gen(s, ir, &s->tb, s->insn_end, s->insn_data);
    ck_assert_uint_ne(s->tb.jmp_insn_offset[1], TB_NO_JUMP);
    ck_assert_uint_eq(s->tb.jmp_insn_offset[0], TB_NO_JUMP);
    /* the patched fields are aligned for atomic stores */
    ck_assert(ir_random_host_jump_atomic(&s->tb, 1));

    /* rounds 3..5 again with the host's alternative chaining (far jumps) */
    for (int round = 0; round < 6; round++) {
        ir_random_host_vary(s->be, round >= 3);
        TestEnv *t = s->env;
        t->g64[4] = 10;
        t->g64[5] = 0;
        t->common.insn_budget = 10;
        s->hb->patch_jump(s->be, &s->cb, &s->tb, 1, round % 3 == 1 ? &s->landing : NULL);
        side_run(s);
        ck_assert(!s->faulted);
        ck_assert_uint_eq(t->g64[4], 11);
        if (round % 3 == 1) {
            ck_assert_uint_eq(s->ret, 0x7770);
            ck_assert_uint_eq(t->g64[5], 0x111);
            ck_assert_int_eq(t->common.insn_budget, 8);
        } else {
            ck_assert_uint_eq(s->ret, 0x1231);
            ck_assert_uint_eq(t->g64[5], 0);
            ck_assert_int_eq(t->common.insn_budget, 9);
        }
    }
    world_destroy(&wd);
}
END_TEST

/* lookup_and_goto: a hit jumps to the TB's code, a miss returns NOCHAIN. */
START_TEST(test_lookup_and_goto)
{
    World wd;
    world_init(&wd);
    Side *s = &wd.side[1];
    IrContext *ir = &wd.ir;
    ir_reset(ir);
    ir_insn_start(ir, 0x1000, 0);
    ir_movi(ir, wd.g64[3], 0x55);
    ir_lookup_and_goto(ir);
    ir_liveness(ir);
    s->cb.used = s->code_mark;
    side_gen(s, ir, &s->tb, s->insn_end, s->insn_data);
    TestEnv *t = s->env;
    t->common.insn_budget = 5;
    t->lookup_tb = NULL;
    side_run(s);
    ck_assert_uint_eq(s->ret, TB_EXIT_NOCHAIN);
    ck_assert_uint_eq(t->g64[3], 0x55);      /* globals stored before the lookup */
    ck_assert_int_eq(t->lookups, 1);
    t->lookup_tb = &s->landing;
    t->g64[5] = 1;
    side_run(s);
    ck_assert_uint_eq(s->ret, 0x7770);
    ck_assert_uint_eq(t->g64[5], 0x112);
    world_destroy(&wd);
}
END_TEST

/* A guest fault in the middle of a block: globals are in env, and the
 * retaddr handed to the slow path maps to the faulting instruction. */
START_TEST(test_precise_fault)
{
    World wd;
    world_init(&wd);
    Side *s = &wd.side[1];
    IrContext *ir = &wd.ir;
    ir_reset(ir);
    ir_insn_start(ir, 0x1000, 0);
    ir_binopi(ir, IR_add, wd.g64[0], wd.g64[0], 5);
    ir_insn_start(ir, 0x1004, 1);
    ir_movi(ir, wd.g32[2], 0x77);
    IrTempId a = ir_const(ir, IR_I64, (int64_t)(RAM_VBASE + 0x101));
    ir_gld(ir, wd.g64[1], a, ir_memop(IR_MO_32, false, true, 0));   /* unaligned: faults */
    ir_insn_start(ir, 0x1008, 2);
    ir_movi(ir, wd.g64[2], 0x99);
    ir_exit_tb(ir, 0);
    ir_liveness(ir);
    s->cb.used = s->code_mark;
    side_gen(s, ir, &s->tb, s->insn_end, s->insn_data);
    init_state(&wd, 7, 100, 0, 0);
    TestEnv *t = s->env;
    uint64_t q0 = t->g64[0], q2 = t->g64[2];
    side_run(s);
    ck_assert(s->faulted);
    ck_assert_int_eq(t->fault_kind, FAULT_UNALIGNED);
    ck_assert_int_eq(t->fault_insn, 1);
    ck_assert_uint_eq(t->g64[0], q0 + 5);
    ck_assert_uint_eq(t->g32[2], 0x77);
    ck_assert_uint_eq(t->g64[2], q2);
    world_destroy(&wd);
}
END_TEST

/* -d out_asm: capstone listing of a TB starts with the budget check. */
START_TEST(test_dump_code)
{
    World wd;
    world_init(&wd);
    Side *s = &wd.side[1];
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    s->hb->dump_code(s->be, &s->cb, &s->landing, f);
    fclose(f);
    for (int i = 0; ir_random_host_dump_markers[i]; i++) {
        ck_assert_ptr_nonnull(strstr(buf, ir_random_host_dump_markers[i]));
    }
    ck_assert_ptr_null(strstr(buf, "not decoded"));
    free(buf);
    world_destroy(&wd);
}
END_TEST

/* ---- -stats: code size ---- */

static size_t op_size(World *wd, void (*emit)(World *, IrContext *))
{
    Side *s = &wd->side[1];
    IrContext *ir = &wd->ir;
    ir_reset(ir);
    ir_insn_start(ir, 0x1000, 0);
    if (emit) {
        emit(wd, ir);
    }
    ir_exit_tb(ir, 0);
    ir_liveness(ir);
    s->cb.used = s->code_mark;
    side_gen(s, ir, &s->tb, s->insn_end, s->insn_data);
    return s->tb.host_size;
}

#define OPSZ(name, body) static void sz_##name(World *wd, IrContext *ir) { (void)wd; body; }
OPSZ(add_rr, ir_add(ir, wd->g64[0], wd->g64[0], wd->g64[1]))
OPSZ(add_ri, ir_binopi(ir, IR_add, wd->g64[0], wd->g64[0], 12))
OPSZ(add32_rr, ir_add(ir, wd->g32[0], wd->g32[0], wd->g32[1]))
OPSZ(mul, ir_binop(ir, IR_mul, wd->g64[0], wd->g64[1], wd->g64[2]))
OPSZ(shl_var, ir_binop(ir, IR_shl, wd->g64[0], wd->g64[1], wd->g64[2]))
OPSZ(shl_imm, ir_binopi(ir, IR_shl, wd->g64[0], wd->g64[1], 3))
OPSZ(divu, ir_binop(ir, IR_divu, wd->g64[0], wd->g64[1], wd->g64[2]))
OPSZ(rems, ir_binop(ir, IR_rems, wd->g64[0], wd->g64[1], wd->g64[2]))
OPSZ(mulu2, ir_mul2(ir, IR_mulu2, wd->g64[0], wd->g64[1], wd->g64[2], wd->g64[3]))
OPSZ(setcond, ir_setcond(ir, IR_COND_LTU, wd->g64[0], wd->g64[1], wd->g64[2]))
OPSZ(movcond, ir_movcond(ir, IR_COND_EQ, wd->g64[0], wd->g64[1], wd->g64[2], wd->g64[3], wd->g64[4]))
OPSZ(ext8s, ir_unop(ir, IR_ext8s, wd->g64[0], wd->g64[1]))
OPSZ(extract, ir_extract(ir, wd->g64[0], wd->g64[1], 5, 9))
OPSZ(deposit, ir_deposit(ir, wd->g64[0], wd->g64[1], wd->g64[2], 8, 8))
OPSZ(bswap32, ir_unop(ir, IR_bswap32, wd->g32[0], wd->g32[1]))
OPSZ(clz, ir_clz(ir, wd->g64[0], wd->g64[1], ir_const(ir, IR_I64, 64)))
OPSZ(ctpop, ir_unop(ir, IR_ctpop, wd->g64[0], wd->g64[1]))
OPSZ(ld, ir_ld(ir, wd->g64[0], ir->env, (int32_t)offsetof(TestEnv, scratch), ir_memop(3, false, false, 0)))
OPSZ(gld32, ir_gld(ir, wd->g32[0], wd->g64[1], ir_memop(IR_MO_32, false, false, 0)))
OPSZ(gst64, ir_gst(ir, wd->g64[0], wd->g64[1], ir_memop(IR_MO_64, false, false, 0)))
OPSZ(call2, ir_call(ir, &helpers[1], -1, (IrTempId[]){ ir->env, wd->g64[1] }, 2))
OPSZ(goto_tb, ir_goto_tb(ir, 0))

static void print_stats(uint64_t seed, int count)
{
    static const struct { const char *name; void (*emit)(World *, IrContext *); } ops[] = {
        { "add r,r (i64)", sz_add_rr }, { "add r,imm", sz_add_ri }, { "add r,r (i32)", sz_add32_rr },
        { "mul", sz_mul }, { "shl var", sz_shl_var }, { "shl imm", sz_shl_imm },
        { "divu", sz_divu }, { "rems", sz_rems }, { "mulu2", sz_mulu2 },
        { "setcond", sz_setcond }, { "movcond", sz_movcond }, { "ext8s", sz_ext8s },
        { "extract", sz_extract }, { "deposit", sz_deposit }, { "bswap32", sz_bswap32 },
        { "clz", sz_clz }, { "ctpop", sz_ctpop }, { "ld env", sz_ld },
        { "gld i32 (+slow path)", sz_gld32 }, { "gst i64 (+slow path)", sz_gst64 },
        { "call (2 args)", sz_call2 }, { "goto_tb", sz_goto_tb },
    };
    World wd;
    world_init(&wd);
    size_t base = op_size(&wd, NULL);
    printf("%s code size, one op on globals (loads/stores of the globals included),\n"
           "beyond an empty block of %zu bytes (budget check + exit):\n", wd.side[1].hb->name, base);
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        printf("  %-22s %4zu bytes\n", ops[i].name, op_size(&wd, ops[i].emit) - base);
    }
    size_t bytes = 0, nops = 0;
    for (int i = 0; i < count; i++) {
        check_block(&wd, seed + (uint64_t)i, &bytes, &nops);
    }
    printf("random blocks: %d blocks, %zu IR ops, %zu host bytes: %.1f bytes per IR op\n",
           count, nops, bytes, nops ? (double)bytes / (double)nops : 0.0);
    world_destroy(&wd);
}

/* -stats, run as a test so the checks inside work: sizes for block _i.. */
START_TEST(test_stats)
{
    print_stats((uint64_t)_i, 2000);
}
END_TEST

int main(int argc, char **argv)
{
    long count = 5000, seed = -1;
    bool stats = false;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n") && i + 1 < argc) {
            count = atol(argv[++i]);
        } else if (!strcmp(argv[i], "-seed") && i + 1 < argc) {
            seed = atol(argv[++i]);
        } else if (!strcmp(argv[i], "-stats")) {
            stats = true;
        } else {
            fprintf(stderr, "usage: %s [-n COUNT] [-seed N] [-stats]\n", argv[0]);
            return 2;
        }
    }
    if (count < 1 || count > 100000000L) {
        fprintf(stderr, "%s: -n must be 1..100000000\n", argv[0]);
        return 2;
    }
    /* Blocks are numbered; a run covers whole batches of BATCH blocks from
     * block `seed` (rounded down to a batch). */
    long nbatches = (count + BATCH - 1) / BATCH;
    if (seed < 0 || seed / BATCH > 0x7fffffffL - nbatches) {
        seed = (long)(((uint64_t)time(NULL) * 2654435761u) % 1000000000u);
    }
    long first = seed / BATCH;
    printf("test_ir_random: seed %ld, %ld blocks (-seed %ld -n %ld to repeat)\n", first * BATCH,
           nbatches * BATCH, first * BATCH, nbatches * BATCH);
    fflush(stdout);

    Suite *su = suite_create("ir_random");
    TCase *tc = tcase_create("native_vs_interp");
    tcase_set_timeout(tc, 60);
    if (stats) {
        tcase_add_loop_test(tc, test_stats, (int)first, (int)first + 1);
    } else {
        tcase_add_test(tc, test_chain_and_unchain);
        tcase_add_test(tc, test_lookup_and_goto);
        tcase_add_test(tc, test_precise_fault);
        tcase_add_test(tc, test_dump_code);
        tcase_add_loop_test(tc, test_random_blocks, (int)first, (int)(first + nbatches));
    }
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
