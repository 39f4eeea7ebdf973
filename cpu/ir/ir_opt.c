/*
 * The IR optimizer: one forward pass of constant folding, algebraic
 * simplification and copy propagation, then dead-code removal (the
 * liveness pass in remove_dead mode).
 *
 * What the forward pass knows about a temp (its "info") is valid only in
 * the current extended basic block:
 *   - a set_label is a merge point: everything known is forgotten (so
 *     nothing about globals or LOCAL temps crosses a label);
 *   - other block ends (brcond, goto_tb) keep constants, but drop copies
 *     whose source is a NORMAL temp, which is dead past the block end;
 *   - helpers that may write globals, and host stores through env, make
 *     every global unknown.
 * A copy "d = s" is remembered with s's write version, so it silently
 * expires when s is written again. Labels no branch refers to any more
 * are deleted (no merge there), and code after br/exit_tb/lookup up to
 * the next label is unreachable and deleted (insn_start markers stay).
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/ir/ir_internal.h"

typedef struct OptInfo {
    uint32_t epoch;       /* info valid iff == Opt.epoch */
    uint32_t version;     /* bumped at every write of the temp */
    bool is_const;
    uint64_t val;
    IrTempId copy_of;     /* -1: none */
    uint32_t copy_version;
    uint32_t copy_nepoch; /* Opt.nepoch when recorded (NORMAL sources) */
} OptInfo;

typedef struct Opt {
    IrContext *ir;
    OptInfo *info;
    int cap;
    uint32_t epoch, nepoch;
    IrOp *out;
    int nout, cap_out;
    int *label_refs;
} Opt;

static bool opt_reserve(Opt *o)
{
    if (o->ir->ntemps <= o->cap)
        return true;
    int cap = o->ir->ntemps * 2 + 64;
    OptInfo *n = realloc(o->info, (size_t)cap * sizeof(OptInfo));
    if (!n) {
        fprintf(stderr, "doppel: out of memory in the IR optimizer\n");
        abort();
    }
    memset(n + o->cap, 0, (size_t)(cap - o->cap) * sizeof(OptInfo));
    for (int i = o->cap; i < cap; i++)
        n[i].copy_of = -1;
    o->info = n;
    o->cap = cap;
    return true;
}

static IrType opt_type(const Opt *o, int64_t t)
{
    return o->ir->temps[t].type;
}

static bool opt_is_const(const Opt *o, int64_t t, uint64_t *v)
{
    const IrTemp *tp = &o->ir->temps[t];
    if (tp->kind != IR_TEMP_CONST)
        return false;
    if (v)
        *v = (uint64_t)tp->val;
    return true;
}

static bool opt_is_const_val(const Opt *o, int64_t t, uint64_t want)
{
    uint64_t v;
    return opt_is_const(o, t, &v) && v == want;
}

static uint64_t opt_ones(IrType type)
{
    return type == IR_I64 ? ~0ull : 0xffffffffull;
}

/* Best equivalent of input t: a const temp, the source of a live copy, or t. */
static int64_t opt_resolve(Opt *o, int64_t t)
{
    IrTempKind k = o->ir->temps[t].kind;
    if (k == IR_TEMP_CONST || k == IR_TEMP_ENV || t >= o->cap)
        return t;
    const OptInfo *i = &o->info[t];
    if (i->epoch != o->epoch)
        return t;
    if (i->is_const) {
        IrTempId c = ir_const(o->ir, opt_type(o, t), (int64_t)i->val);
        opt_reserve(o);
        return c;
    }
    if (i->copy_of >= 0) {
        const OptInfo *s = &o->info[i->copy_of];
        bool normal = o->ir->temps[i->copy_of].kind == IR_TEMP_NORMAL;
        if (s->version == i->copy_version && (!normal || i->copy_nepoch == o->nepoch))
            return i->copy_of;
    }
    return t;
}

/* t is being written: forget what was known. */
static void opt_written(Opt *o, int64_t t)
{
    if (t >= o->cap)
        return;
    OptInfo *i = &o->info[t];
    i->version++;
    i->epoch = o->epoch;
    i->is_const = false;
    i->copy_of = -1;
}

static void opt_forget_globals(Opt *o)
{
    for (int t = 0; t < o->ir->nglobals; t++) {
        if (o->ir->temps[t].kind == IR_TEMP_GLOBAL)
            opt_written(o, t);
    }
}

static IrOp *opt_push(Opt *o, const IrOp *op)
{
    if (o->nout == o->cap_out) {
        int cap = o->cap_out * 2 + 16;
        IrOp *n = realloc(o->out, (size_t)cap * sizeof(IrOp));
        if (!n) {
            fprintf(stderr, "doppel: out of memory in the IR optimizer\n");
            abort();
        }
        o->out = n;
        o->cap_out = cap;
    }
    o->out[o->nout] = *op;
    return &o->out[o->nout++];
}

static void opt_emit_movi(Opt *o, int64_t d, uint64_t v)
{
    IrOp op;
    memset(&op, 0, sizeof(op));
    op.opc = IR_movi;
    op.type = (uint8_t)opt_type(o, d);
    op.nout = 1;
    op.nconst = 1;
    op.args[0] = d;
    op.args[1] = (int64_t)(op.type == IR_I32 ? (v & 0xffffffffu) : v);
    opt_written(o, d);
    o->info[d].is_const = true;
    o->info[d].val = (uint64_t)op.args[1];
    opt_push(o, &op);
}

static void opt_emit_mov(Opt *o, int64_t d, int64_t s)
{
    uint64_t v;
    if (opt_is_const(o, s, &v)) {
        opt_emit_movi(o, d, v);
        return;
    }
    if (d == s)
        return;   /* mov x, x: nothing to do */
    IrOp op;
    memset(&op, 0, sizeof(op));
    op.opc = IR_mov;
    op.type = (uint8_t)opt_type(o, d);
    op.nout = 1;
    op.nin = 1;
    op.args[0] = d;
    op.args[1] = s;
    opt_written(o, d);
    if (s < o->cap && o->ir->temps[s].kind != IR_TEMP_ENV) {
        OptInfo *i = &o->info[d];
        i->copy_of = (IrTempId)s;
        i->copy_version = o->info[s].version;
        i->copy_nepoch = o->nepoch;
    }
    opt_push(o, &op);
}

/* Result of setcond/brcond when both operands are the same value, or -1. */
static int opt_cond_same(IrCond c)
{
    switch (c) {
    case IR_COND_EQ: case IR_COND_GE: case IR_COND_LE: case IR_COND_GEU: case IR_COND_LEU:
    case IR_COND_ALWAYS:
        return 1;
    case IR_COND_NE: case IR_COND_LT: case IR_COND_GT: case IR_COND_LTU: case IR_COND_GTU:
    case IR_COND_NEVER:
        return 0;
    default:
        return -1;
    }
}

/* Constant value of cond(a, b) if known, else -1. */
static int opt_cond_value(const Opt *o, IrCond c, IrType type, int64_t a, int64_t b)
{
    uint64_t va, vb;
    if (c == IR_COND_ALWAYS)
        return 1;
    if (c == IR_COND_NEVER)
        return 0;
    if (opt_is_const(o, a, &va) && opt_is_const(o, b, &vb))
        return ir_eval_cond(c, type, va, vb);
    if (a == b)
        return opt_cond_same(c);
    return -1;
}

static bool opt_foldable(IrOpcode opc)
{
    switch (opc) {
    case IR_add: case IR_sub: case IR_mul: case IR_divu: case IR_divs: case IR_remu: case IR_rems:
    case IR_and: case IR_or: case IR_xor: case IR_andc: case IR_neg: case IR_not:
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr: case IR_setcond:
    case IR_ext8s: case IR_ext8u: case IR_ext16s: case IR_ext16u: case IR_ext32s: case IR_ext32u:
    case IR_extu_i32_i64: case IR_exts_i32_i64: case IR_extrl_i64_i32: case IR_extrh_i64_i32:
    case IR_extract: case IR_sextract: case IR_deposit:
    case IR_bswap16: case IR_bswap32: case IR_bswap64: case IR_clz: case IR_ctz: case IR_ctpop:
        return true;
    default:
        return false;
    }
}

/* Algebraic identities of two-input ops. Returns true if handled. */
static bool opt_simplify(Opt *o, const IrOp *op)
{
    IrType type = (IrType)op->type;
    int64_t d = op->args[0], a = op->args[1], b = op->args[2];
    unsigned w = type == IR_I64 ? 64 : 32;
    uint64_t vb = 0;
    bool cb = opt_is_const(o, b, &vb);
    uint64_t ones = opt_ones(type);
    switch (op->opc) {
    case IR_add:
    case IR_or:
    case IR_xor:
        if (opt_is_const_val(o, b, 0)) { opt_emit_mov(o, d, a); return true; }
        if (opt_is_const_val(o, a, 0)) { opt_emit_mov(o, d, b); return true; }
        if (op->opc == IR_xor && a == b) { opt_emit_movi(o, d, 0); return true; }
        if (op->opc == IR_or && a == b) { opt_emit_mov(o, d, a); return true; }
        if (op->opc == IR_or && (opt_is_const_val(o, a, ones) || opt_is_const_val(o, b, ones))) {
            opt_emit_movi(o, d, ones);
            return true;
        }
        return false;
    case IR_sub:
        if (opt_is_const_val(o, b, 0)) { opt_emit_mov(o, d, a); return true; }
        if (a == b) { opt_emit_movi(o, d, 0); return true; }
        return false;
    case IR_mul:
        if (opt_is_const_val(o, a, 0) || opt_is_const_val(o, b, 0)) { opt_emit_movi(o, d, 0); return true; }
        if (opt_is_const_val(o, b, 1)) { opt_emit_mov(o, d, a); return true; }
        if (opt_is_const_val(o, a, 1)) { opt_emit_mov(o, d, b); return true; }
        return false;
    case IR_and:
        if (opt_is_const_val(o, a, 0) || opt_is_const_val(o, b, 0)) { opt_emit_movi(o, d, 0); return true; }
        if (opt_is_const_val(o, b, ones) || a == b) { opt_emit_mov(o, d, a); return true; }
        if (opt_is_const_val(o, a, ones)) { opt_emit_mov(o, d, b); return true; }
        return false;
    case IR_andc:
        if (opt_is_const_val(o, b, 0)) { opt_emit_mov(o, d, a); return true; }
        if (opt_is_const_val(o, a, 0) || a == b) { opt_emit_movi(o, d, 0); return true; }
        return false;
    case IR_shl:
    case IR_shr:
    case IR_sar:
    case IR_rotl:
    case IR_rotr:
        if (cb && (vb & (w - 1)) == 0) { opt_emit_mov(o, d, a); return true; }
        if (opt_is_const_val(o, a, 0)) { opt_emit_movi(o, d, 0); return true; }
        return false;
    case IR_divu:
    case IR_divs:
        if (opt_is_const_val(o, b, 1)) { opt_emit_mov(o, d, a); return true; }
        return false;
    case IR_setcond: {
        int r = opt_cond_value(o, (IrCond)op->args[3], type, a, b);
        if (r >= 0) { opt_emit_movi(o, d, (uint64_t)r); return true; }
        return false;
    }
    default:
        return false;
    }
}

static void opt_drop_label_ref(Opt *o, const IrOp *op)
{
    int64_t l = op->opc == IR_br ? op->args[0] : op->args[3];
    if (l >= 0 && l < o->ir->nlabels && o->label_refs[l] > 0)
        o->label_refs[l]--;
}

static void opt_forward(Opt *o)
{
    IrContext *ir = o->ir;
    bool unreachable = false;
    for (int i = 0; i < ir->nops; i++) {
        IrOp op = ir->ops[i];
        const IrOpDef *def = &ir_op_defs[op.opc];
        opt_reserve(o);

        if (op.opc == IR_set_label) {
            int64_t l = op.args[0];
            if (l >= 0 && l < ir->nlabels && o->label_refs[l] == 0)
                continue;   /* nothing branches here: not a merge point */
            unreachable = false;
            o->epoch++;
            o->nepoch++;
            opt_push(o, &op);
            continue;
        }
        if (unreachable) {
            if (op.opc == IR_insn_start)
                opt_push(o, &op);
            else if (op.opc == IR_br || op.opc == IR_brcond)
                opt_drop_label_ref(o, &op);
            continue;
        }

        for (int j = op.nout; j < op.nout + op.nin; j++)
            op.args[j] = opt_resolve(o, op.args[j]);

        int n = op.nout + op.nin;
        bool all_const = op.nin > 0;
        for (int j = op.nout; j < n; j++)
            all_const = all_const && opt_is_const(o, op.args[j], NULL);
        IrType type = (IrType)op.type;

        switch (op.opc) {
        case IR_mov:
            opt_emit_mov(o, op.args[0], op.args[1]);
            continue;
        case IR_movi:
            opt_emit_movi(o, op.args[0], (uint64_t)op.args[1]);
            continue;
        case IR_mulu2:
        case IR_muls2:
            if (all_const) {
                uint64_t lo, hi;
                ir_eval_mul2((IrOpcode)op.opc, type, (uint64_t)ir->temps[op.args[2]].val,
                             (uint64_t)ir->temps[op.args[3]].val, &lo, &hi);
                opt_emit_movi(o, op.args[0], lo);
                opt_emit_movi(o, op.args[1], hi);
                continue;
            }
            break;
        case IR_movcond: {
            int r = opt_cond_value(o, (IrCond)op.args[5], type, op.args[1], op.args[2]);
            if (r >= 0) {
                opt_emit_mov(o, op.args[0], op.args[r ? 3 : 4]);
                continue;
            }
            if (op.args[3] == op.args[4]) {
                opt_emit_mov(o, op.args[0], op.args[3]);
                continue;
            }
            break;
        }
        case IR_brcond: {
            int r = opt_cond_value(o, (IrCond)op.args[2], type, op.args[0], op.args[1]);
            if (r == 0) {
                opt_drop_label_ref(o, &op);
                continue;
            }
            if (r == 1) {
                IrOp br;
                memset(&br, 0, sizeof(br));
                br.opc = IR_br;
                br.type = IR_I64;
                br.nconst = 1;
                br.args[0] = op.args[3];
                opt_push(o, &br);
                unreachable = true;
                continue;
            }
            break;
        }
        default:
            if (opt_foldable((IrOpcode)op.opc) && all_const) {
                uint64_t a = (uint64_t)ir->temps[op.args[1]].val;
                uint64_t b = op.nin > 1 ? (uint64_t)ir->temps[op.args[2]].val : 0;
                opt_emit_movi(o, op.args[0], ir_eval_op((IrOpcode)op.opc, type, a, b, &op.args[n]));
                continue;
            }
            if (op.nin == 2 && op.nout == 1 && opt_simplify(o, &op))
                continue;
            break;
        }

        /* Emitted as is: update what we know. */
        for (int j = 0; j < op.nout; j++)
            opt_written(o, op.args[j]);
        if (op.opc == IR_call) {
            const IrHelper *h = ir_call_helper(&op);
            if (!h || !(h->flags & IR_CALL_NO_WRITE_GLOBALS))
                opt_forget_globals(o);
        } else if (op.opc == IR_st && ir->temps[op.args[1]].kind == IR_TEMP_ENV) {
            opt_forget_globals(o);
        }
        opt_push(o, &op);
        if (def->flags & IR_OPF_NORETURN)
            unreachable = true;
        else if (def->flags & IR_OPF_BB_END)
            o->nepoch++;
    }
}

void ir_optimize(IrContext *ir)
{
    Opt o;
    memset(&o, 0, sizeof(o));
    o.ir = ir;
    o.epoch = 1;
    o.label_refs = calloc((size_t)(ir->nlabels ? ir->nlabels : 1), sizeof(int));
    o.cap_out = ir->nops + 16;
    o.out = malloc((size_t)o.cap_out * sizeof(IrOp));
    if (!o.label_refs || !o.out || !opt_reserve(&o)) {
        free(o.label_refs);
        free(o.out);
        free(o.info);
        return;
    }
    for (int i = 0; i < ir->nops; i++) {
        const IrOp *op = &ir->ops[i];
        if (op->opc == IR_br || op->opc == IR_brcond) {
            int64_t l = op->opc == IR_br ? op->args[0] : op->args[3];
            if (l >= 0 && l < ir->nlabels)
                o.label_refs[l]++;
        }
    }
    opt_forward(&o);

    free(ir->ops);
    ir->ops = o.out;
    ir->nops = o.nout;
    ir->cap_ops = o.cap_out;
    free(o.info);
    free(o.label_refs);

    ir_liveness_pass(ir, true);
}
