/*
 * The IR context: temps, labels, the op list and the emitters front ends
 * use to build a translation block. The static op table ir_op_defs[] is
 * generated from ir_ops.def.
 *
 * Operand layout of every op (IrOp.args): outputs, inputs, constants, in
 * the order ir_ops.def gives. An op's type is its first output's type
 * (for brcond/st/gst: the first input's), so mixed-type ops are only the
 * explicit conversions, ld/st/gld/gst addresses (always i64) and calls.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/ir/ir.h"

const IrOpDef ir_op_defs[IR_NB_OPS] = {
#define IR_OP(name_, nout_, nin_, nconst_, flags_) \
    [IR_##name_] = { .name = #name_, .nout = nout_, .nin = nin_, .nconst = nconst_, .flags = flags_ },
#include "cpu/ir/ir_ops.def"
#undef IR_OP
};

static void *ir_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size);
    if (!q) {
        fprintf(stderr, "doppel: out of memory in the IR builder\n");
        abort();
    }
    return q;
}

static IrTempId ir_new_temp(IrContext *ir, IrType type, IrTempKind kind)
{
    if (ir->ntemps == ir->cap_temps) {
        ir->cap_temps = ir->cap_temps ? ir->cap_temps * 2 : 256;
        ir->temps = ir_xrealloc(ir->temps, (size_t)ir->cap_temps * sizeof(IrTemp));
    }
    IrTemp *t = &ir->temps[ir->ntemps];
    memset(t, 0, sizeof(*t));
    t->type = type;
    t->kind = kind;
    return ir->ntemps++;
}

void ir_init(IrContext *ir)
{
    memset(ir, 0, sizeof(*ir));
    ir->env = ir_new_temp(ir, IR_I64, IR_TEMP_ENV);
    ir->temps[ir->env].name = "env";
    ir->nglobals = ir->ntemps;
    ir->const_hash_cap = 256;
    ir->const_hash = ir_xrealloc(NULL, (size_t)ir->const_hash_cap * sizeof(IrTempId));
    memset(ir->const_hash, 0xff, (size_t)ir->const_hash_cap * sizeof(IrTempId));
}

void ir_destroy(IrContext *ir)
{
    free(ir->temps);
    free(ir->ops);
    free(ir->const_hash);
    memset(ir, 0, sizeof(*ir));
}

void ir_reset(IrContext *ir)
{
    ir->nops = 0;
    ir->nlabels = 0;
    ir->ninsns = 0;
    ir->ntemps = ir->nglobals;
    if (ir->const_hash_used) {
        memset(ir->const_hash, 0xff, (size_t)ir->const_hash_cap * sizeof(IrTempId));
        ir->const_hash_used = 0;
    }
}

IrTempId ir_global(IrContext *ir, IrType type, int32_t env_offset, const char *name)
{
    if (ir->ntemps != ir->nglobals) {
        fprintf(stderr, "doppel: ir_global(%s) after temps were created\n", name);
        abort();
    }
    IrTempId t = ir_new_temp(ir, type, IR_TEMP_GLOBAL);
    ir->temps[t].env_offset = env_offset;
    ir->temps[t].name = name;
    ir->nglobals = ir->ntemps;
    return t;
}

IrTempId ir_temp(IrContext *ir, IrType type)
{
    return ir_new_temp(ir, type, IR_TEMP_NORMAL);
}

IrTempId ir_temp_local(IrContext *ir, IrType type)
{
    return ir_new_temp(ir, type, IR_TEMP_LOCAL);
}

static unsigned ir_const_slot(uint64_t v, IrType type, int cap)
{
    uint64_t h = (v ^ ((uint64_t)type << 63)) * 0x9e3779b97f4a7c15ull;
    return (unsigned)(h >> 40) & (unsigned)(cap - 1);
}

static void ir_const_hash_grow(IrContext *ir)
{
    int cap = ir->const_hash_cap * 2;
    IrTempId *h = ir_xrealloc(NULL, (size_t)cap * sizeof(IrTempId));
    memset(h, 0xff, (size_t)cap * sizeof(IrTempId));
    for (int i = 0; i < ir->const_hash_cap; i++) {
        IrTempId t = ir->const_hash[i];
        if (t < 0 || t >= ir->ntemps)
            continue;
        unsigned s = ir_const_slot((uint64_t)ir->temps[t].val, ir->temps[t].type, cap);
        while (h[s] >= 0)
            s = (s + 1) & (unsigned)(cap - 1);
        h[s] = t;
    }
    free(ir->const_hash);
    ir->const_hash = h;
    ir->const_hash_cap = cap;
}

IrTempId ir_const(IrContext *ir, IrType type, int64_t val)
{
    uint64_t v = (uint64_t)val;
    if (type == IR_I32)
        v &= 0xffffffffu;
    if (2 * (ir->const_hash_used + 1) > ir->const_hash_cap)
        ir_const_hash_grow(ir);
    unsigned mask = (unsigned)(ir->const_hash_cap - 1);
    unsigned s = ir_const_slot(v, type, ir->const_hash_cap);
    for (;;) {
        IrTempId t = ir->const_hash[s];
        if (t < 0)
            break;
        if (t < ir->ntemps && ir->temps[t].kind == IR_TEMP_CONST && ir->temps[t].type == type
            && (uint64_t)ir->temps[t].val == v)
            return t;
        s = (s + 1) & mask;
    }
    IrTempId t = ir_new_temp(ir, type, IR_TEMP_CONST);
    ir->temps[t].val = (int64_t)v;
    ir->const_hash[s] = t;
    ir->const_hash_used++;
    return t;
}

IrLabel ir_new_label(IrContext *ir)
{
    return ir->nlabels++;
}

IrOp *ir_emit(IrContext *ir, IrOpcode opc, IrType type, const int64_t *args, int nargs)
{
    if (ir->nops == ir->cap_ops) {
        ir->cap_ops = ir->cap_ops ? ir->cap_ops * 2 : 512;
        ir->ops = ir_xrealloc(ir->ops, (size_t)ir->cap_ops * sizeof(IrOp));
    }
    IrOp *op = &ir->ops[ir->nops++];
    memset(op, 0, sizeof(*op));
    const IrOpDef *def = &ir_op_defs[opc];
    op->opc = (uint16_t)opc;
    op->type = (uint8_t)type;
    op->nout = def->nout;
    op->nin = def->nin;
    op->nconst = def->nconst;
    if (nargs > IR_MAX_ARGS)
        nargs = IR_MAX_ARGS;
    for (int i = 0; i < nargs; i++)
        op->args[i] = args[i];
    return op;
}

static IrOp *ir_emitv(IrContext *ir, IrOpcode opc, IrType type, int nargs, int64_t a0, int64_t a1,
                      int64_t a2, int64_t a3, int64_t a4, int64_t a5)
{
    const int64_t args[6] = { a0, a1, a2, a3, a4, a5 };
    return ir_emit(ir, opc, type, args, nargs);
}

void ir_mov(IrContext *ir, IrTempId d, IrTempId s)
{
    ir_emitv(ir, IR_mov, ir_temp_type(ir, d), 2, d, s, 0, 0, 0, 0);
}

void ir_movi(IrContext *ir, IrTempId d, int64_t v)
{
    IrType type = ir_temp_type(ir, d);
    if (type == IR_I32)
        v = (int64_t)((uint64_t)v & 0xffffffffu);
    ir_emitv(ir, IR_movi, type, 2, d, v, 0, 0, 0, 0);
}

void ir_binop(IrContext *ir, IrOpcode opc, IrTempId d, IrTempId a, IrTempId b)
{
    ir_emitv(ir, opc, ir_temp_type(ir, d), 3, d, a, b, 0, 0, 0);
}

void ir_unop(IrContext *ir, IrOpcode opc, IrTempId d, IrTempId a)
{
    ir_emitv(ir, opc, ir_temp_type(ir, d), 2, d, a, 0, 0, 0, 0);
}

void ir_binopi(IrContext *ir, IrOpcode opc, IrTempId d, IrTempId a, int64_t imm)
{
    IrTempId c = ir_const(ir, ir_temp_type(ir, a), imm);
    ir_binop(ir, opc, d, a, c);
}

void ir_mul2(IrContext *ir, IrOpcode opc, IrTempId lo, IrTempId hi, IrTempId a, IrTempId b)
{
    ir_emitv(ir, opc, ir_temp_type(ir, lo), 4, lo, hi, a, b, 0, 0);
}

void ir_setcond(IrContext *ir, IrCond c, IrTempId d, IrTempId a, IrTempId b)
{
    ir_emitv(ir, IR_setcond, ir_temp_type(ir, d), 4, d, a, b, c, 0, 0);
}

void ir_movcond(IrContext *ir, IrCond c, IrTempId d, IrTempId a, IrTempId b, IrTempId v1, IrTempId v2)
{
    const int64_t args[6] = { d, a, b, v1, v2, c };
    ir_emit(ir, IR_movcond, ir_temp_type(ir, d), args, 6);
}

void ir_brcond(IrContext *ir, IrCond c, IrTempId a, IrTempId b, IrLabel l)
{
    ir_emitv(ir, IR_brcond, ir_temp_type(ir, a), 4, a, b, c, l, 0, 0);
}

void ir_brcondi(IrContext *ir, IrCond c, IrTempId a, int64_t imm, IrLabel l)
{
    ir_brcond(ir, c, a, ir_const(ir, ir_temp_type(ir, a), imm), l);
}

void ir_br(IrContext *ir, IrLabel l)
{
    ir_emitv(ir, IR_br, IR_I64, 1, l, 0, 0, 0, 0, 0);
}

void ir_set_label(IrContext *ir, IrLabel l)
{
    ir_emitv(ir, IR_set_label, IR_I64, 1, l, 0, 0, 0, 0, 0);
}

void ir_extract(IrContext *ir, IrTempId d, IrTempId a, unsigned pos, unsigned len)
{
    ir_emitv(ir, IR_extract, ir_temp_type(ir, d), 4, d, a, pos, len, 0, 0);
}

void ir_sextract(IrContext *ir, IrTempId d, IrTempId a, unsigned pos, unsigned len)
{
    ir_emitv(ir, IR_sextract, ir_temp_type(ir, d), 4, d, a, pos, len, 0, 0);
}

void ir_deposit(IrContext *ir, IrTempId d, IrTempId a, IrTempId b, unsigned pos, unsigned len)
{
    ir_emitv(ir, IR_deposit, ir_temp_type(ir, d), 5, d, a, b, pos, len, 0);
}

void ir_clz(IrContext *ir, IrTempId d, IrTempId a, IrTempId if_zero)
{
    ir_emitv(ir, IR_clz, ir_temp_type(ir, d), 3, d, a, if_zero, 0, 0, 0);
}

void ir_ctz(IrContext *ir, IrTempId d, IrTempId a, IrTempId if_zero)
{
    ir_emitv(ir, IR_ctz, ir_temp_type(ir, d), 3, d, a, if_zero, 0, 0, 0);
}

void ir_ld(IrContext *ir, IrTempId d, IrTempId base, int32_t offset, IrMemOp mo)
{
    ir_emitv(ir, IR_ld, ir_temp_type(ir, d), 4, d, base, offset, mo, 0, 0);
}

void ir_st(IrContext *ir, IrTempId v, IrTempId base, int32_t offset, IrMemOp mo)
{
    ir_emitv(ir, IR_st, ir_temp_type(ir, v), 4, v, base, offset, mo, 0, 0);
}

void ir_gld(IrContext *ir, IrTempId d, IrTempId addr, IrMemOp mo)
{
    ir_emitv(ir, IR_gld, ir_temp_type(ir, d), 3, d, addr, mo, 0, 0, 0);
}

void ir_gst(IrContext *ir, IrTempId v, IrTempId addr, IrMemOp mo)
{
    ir_emitv(ir, IR_gst, ir_temp_type(ir, v), 3, v, addr, mo, 0, 0, 0);
}

void ir_call(IrContext *ir, const IrHelper *h, IrTempId ret, const IrTempId *args, int nargs)
{
    int64_t a[IR_MAX_ARGS];
    int n = 0;
    if (nargs > IR_MAX_CALL_ARGS)
        nargs = IR_MAX_CALL_ARGS;
    if (ret >= 0)
        a[n++] = ret;
    for (int i = 0; i < nargs; i++)
        a[n++] = args[i];
    a[n++] = (int64_t)(intptr_t)h;
    IrOp *op = ir_emit(ir, IR_call, ret >= 0 ? ir_temp_type(ir, ret) : IR_I64, a, n);
    op->nout = ret >= 0 ? 1 : 0;
    op->nin = (uint8_t)nargs;
    op->nconst = 1;
}

void ir_goto_tb(IrContext *ir, int slot)
{
    ir_emitv(ir, IR_goto_tb, IR_I64, 1, slot, 0, 0, 0, 0, 0);
}

void ir_exit_tb(IrContext *ir, uintptr_t value)
{
    ir_emitv(ir, IR_exit_tb, IR_I64, 1, (int64_t)value, 0, 0, 0, 0, 0);
}

void ir_lookup_and_goto(IrContext *ir)
{
    ir_emit(ir, IR_lookup_and_goto, IR_I64, NULL, 0);
}

void ir_insn_start(IrContext *ir, uint64_t w0, uint64_t w1)
{
    ir_emitv(ir, IR_insn_start, IR_I64, 2, (int64_t)w0, (int64_t)w1, 0, 0, 0, 0);
    ir->ninsns++;
}

void ir_discard(IrContext *ir, IrTempId t)
{
    ir_emitv(ir, IR_discard, ir_temp_type(ir, t), 1, t, 0, 0, 0, 0, 0);
}
