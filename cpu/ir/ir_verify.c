/*
 * Structural checks of a block's IR, for tests, fuzzers and debug builds:
 * operand counts match ir_ops.def (calls: their helper), temps exist,
 * outputs are writable, operand types match the op's type (conversions,
 * addresses and call arguments excepted), constants are in range (conds,
 * bit fields, memops, goto_tb slots) and every label is set exactly once
 * and every branch target is set. The first problem is printed to f.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cpu/ir/ir_internal.h"

static bool ir_fail(FILE *f, int i, const char *fmt, ...)
{
    if (f) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(f, "ir_verify: op %d: ", i);
        vfprintf(f, fmt, ap);
        fputc('\n', f);
        va_end(ap);
    }
    return false;
}

/* Type an input/output operand must have, or -1 for "any". */
static int ir_operand_type(const IrOp *op, int j)
{
    IrType t = (IrType)op->type;
    bool in = j >= op->nout;
    switch (op->opc) {
    case IR_extu_i32_i64:
    case IR_exts_i32_i64:
        return in ? IR_I32 : IR_I64;
    case IR_extrl_i64_i32:
    case IR_extrh_i64_i32:
        return in ? IR_I64 : IR_I32;
    case IR_ld:
        return in ? IR_I64 : (int)t;
    case IR_st:
        return j == 1 ? IR_I64 : (int)t;
    case IR_gld:
        return in ? IR_I64 : (int)t;
    case IR_gst:
        return j == 1 ? IR_I64 : (int)t;
    case IR_call:
        return in ? -1 : (int)t;
    default:
        return (int)t;
    }
}

static bool ir_verify_memop(const IrOp *op, uint64_t mo, int i, FILE *f)
{
    if (mo & ~(uint64_t)(IR_MO_SIZE | IR_MO_SIGN | IR_MO_ALIGN | IR_MO_MMU_MASK))
        return ir_fail(f, i, "bad memop bits 0x%" PRIx64, mo);
    if (op->type == IR_I32 && (mo & IR_MO_SIZE) == IR_MO_64)
        return ir_fail(f, i, "64-bit access on an i32 value");
    return true;
}

static bool ir_verify_op(const IrContext *ir, const IrOp *op, int i, uint8_t *label_set,
                         uint8_t *slots, FILE *f)
{
    if (op->opc >= IR_NB_OPS)
        return ir_fail(f, i, "bad opcode %u", op->opc);
    const IrOpDef *def = &ir_op_defs[op->opc];
    if (op->type != IR_I32 && op->type != IR_I64)
        return ir_fail(f, i, "%s: bad type %u", def->name, op->type);
    if (op->opc == IR_call) {
        const IrHelper *h = ir_call_helper(op);
        if (op->nconst != 1 || op->nout > 1 || op->nin > IR_MAX_CALL_ARGS || !h || !h->fn)
            return ir_fail(f, i, "call: bad shape");
        if (op->nin != h->nargs)
            return ir_fail(f, i, "call %s: %u args, helper takes %u", h->name, op->nin, h->nargs);
        if (op->nout && !h->has_ret)
            return ir_fail(f, i, "call %s: result of a void helper", h->name);
        if (op->nout && h->ret_type != op->type)
            return ir_fail(f, i, "call %s: result type", h->name);
    } else if (op->nout != def->nout || op->nin != def->nin || op->nconst != def->nconst) {
        return ir_fail(f, i, "%s: operand counts %u/%u/%u", def->name, op->nout, op->nin, op->nconst);
    }
    if (op->nout + op->nin + op->nconst > IR_MAX_ARGS)
        return ir_fail(f, i, "%s: too many operands", def->name);

    for (int j = 0; j < op->nout + op->nin; j++) {
        int64_t t = op->args[j];
        if (t < 0 || t >= ir->ntemps)
            return ir_fail(f, i, "%s: operand %d: no temp %" PRId64, def->name, j, t);
        const IrTemp *tp = &ir->temps[t];
        if (j < op->nout && (tp->kind == IR_TEMP_CONST || tp->kind == IR_TEMP_ENV))
            return ir_fail(f, i, "%s: writes a constant or env", def->name);
        int want = ir_operand_type(op, j);
        if (want >= 0 && (int)tp->type != want)
            return ir_fail(f, i, "%s: operand %d has the wrong type", def->name, j);
    }

    const int64_t *c = &op->args[op->nout + op->nin];
    unsigned width = op->type == IR_I64 ? 64 : 32;
    switch (op->opc) {
    case IR_setcond:
    case IR_movcond:
    case IR_brcond:
        if (c[0] < 0 || c[0] >= IR_NB_CONDS)
            return ir_fail(f, i, "%s: bad condition %" PRId64, def->name, c[0]);
        if (op->opc == IR_brcond && (c[1] < 0 || c[1] >= ir->nlabels))
            return ir_fail(f, i, "branch to unknown label %" PRId64, c[1]);
        break;
    case IR_br:
        if (c[0] < 0 || c[0] >= ir->nlabels)
            return ir_fail(f, i, "branch to unknown label %" PRId64, c[0]);
        break;
    case IR_set_label:
        if (c[0] < 0 || c[0] >= ir->nlabels)
            return ir_fail(f, i, "set_label of unknown label %" PRId64, c[0]);
        if (label_set[c[0]])
            return ir_fail(f, i, "label %" PRId64 " set twice", c[0]);
        label_set[c[0]] = 1;
        break;
    case IR_extract:
    case IR_sextract:
    case IR_deposit:
        if (c[1] < 1 || c[0] < 0 || c[0] + c[1] > (int64_t)width)
            return ir_fail(f, i, "%s: bad field pos %" PRId64 " len %" PRId64, def->name, c[0], c[1]);
        break;
    case IR_ext32s:
    case IR_ext32u:
    case IR_bswap64:
        if (op->type != IR_I64)
            return ir_fail(f, i, "%s is i64 only", def->name);
        break;
    case IR_extu_i32_i64:
    case IR_exts_i32_i64:
        if (op->type != IR_I64)
            return ir_fail(f, i, "%s: op type must be i64", def->name);
        break;
    case IR_extrl_i64_i32:
    case IR_extrh_i64_i32:
        if (op->type != IR_I32)
            return ir_fail(f, i, "%s: op type must be i32", def->name);
        break;
    case IR_ld:
    case IR_st:
        if (c[0] < INT32_MIN || c[0] > INT32_MAX)
            return ir_fail(f, i, "%s: offset out of range", def->name);
        return ir_verify_memop(op, (uint64_t)c[1], i, f);
    case IR_gld:
    case IR_gst:
        return ir_verify_memop(op, (uint64_t)c[0], i, f);
    case IR_goto_tb:
        if (c[0] != 0 && c[0] != 1)
            return ir_fail(f, i, "goto_tb slot %" PRId64, c[0]);
        if (slots[c[0]])
            return ir_fail(f, i, "goto_tb slot %" PRId64 " used twice", c[0]);
        slots[c[0]] = 1;
        break;
    default:
        break;
    }
    return true;
}

bool ir_verify(const IrContext *ir, FILE *f)
{
    uint8_t *label_set = calloc((size_t)(ir->nlabels ? ir->nlabels : 1), 1);
    if (!label_set)
        return ir_fail(f, -1, "out of memory");
    uint8_t slots[2] = { 0, 0 };
    int ninsns = 0;
    bool ok = true;
    for (int i = 0; i < ir->nops && ok; i++) {
        ok = ir_verify_op(ir, &ir->ops[i], i, label_set, slots, f);
        if (ir->ops[i].opc == IR_insn_start)
            ninsns++;
    }
    for (int i = 0; i < ir->nops && ok; i++) {
        const IrOp *op = &ir->ops[i];
        if (op->opc == IR_br && !label_set[op->args[0]])
            ok = ir_fail(f, i, "branch to label %" PRId64 " that is never set", op->args[0]);
        else if (op->opc == IR_brcond && !label_set[op->args[3]])
            ok = ir_fail(f, i, "branch to label %" PRId64 " that is never set", op->args[3]);
    }
    if (ok && ninsns != ir->ninsns)
        ok = ir_fail(f, -1, "%d insn_start ops, ninsns = %d", ninsns, ir->ninsns);
    free(label_set);
    return ok;
}
