/*
 * Readable dump of a block's IR (for -d op / -d op_opt and test failures):
 * one op per line, "name_type outputs, inputs, constants". Temps print as
 * g_<name> (globals), env, tN (NORMAL), lN (LOCAL) and $0x.. (consts);
 * conditions, labels (Ln), memops and helpers are decoded. When liveness
 * has run, "; dead: .. sync: .." lists the operand indexes it marked.
 */
#include <inttypes.h>

#include "cpu/ir/ir_internal.h"

static const char *const ir_cond_names[IR_NB_CONDS] = {
    [IR_COND_NEVER] = "never", [IR_COND_ALWAYS] = "always",
    [IR_COND_EQ] = "eq", [IR_COND_NE] = "ne",
    [IR_COND_LT] = "lt", [IR_COND_GE] = "ge", [IR_COND_LE] = "le", [IR_COND_GT] = "gt",
    [IR_COND_LTU] = "ltu", [IR_COND_GEU] = "geu", [IR_COND_LEU] = "leu", [IR_COND_GTU] = "gtu",
    [IR_COND_TSTEQ] = "tsteq", [IR_COND_TSTNE] = "tstne",
};

static void ir_dump_temp(const IrContext *ir, int64_t t, FILE *f)
{
    if (t < 0 || t >= ir->ntemps) {
        fprintf(f, "<bad temp %" PRId64 ">", t);
        return;
    }
    const IrTemp *tp = &ir->temps[t];
    switch (tp->kind) {
    case IR_TEMP_GLOBAL: fprintf(f, "g_%s", tp->name ? tp->name : "?"); break;
    case IR_TEMP_ENV: fputs("env", f); break;
    case IR_TEMP_CONST: fprintf(f, "$0x%" PRIx64, (uint64_t)tp->val); break;
    case IR_TEMP_LOCAL: fprintf(f, "l%" PRId64, t); break;
    default: fprintf(f, "t%" PRId64, t); break;
    }
}

static void ir_dump_memop(uint64_t mo, FILE *f)
{
    fprintf(f, "%c%u", (mo & IR_MO_SIGN) ? 's' : 'u', 8u << (mo & IR_MO_SIZE));
    if (mo & IR_MO_ALIGN)
        fputs("+al", f);
    fprintf(f, "+mmu%u", ir_memop_mmu((IrMemOp)mo));
}

static void ir_dump_cond(int64_t c, FILE *f)
{
    if (c >= 0 && c < IR_NB_CONDS)
        fputs(ir_cond_names[c], f);
    else
        fprintf(f, "<bad cond %" PRId64 ">", c);
}

static void ir_dump_bits(const char *what, uint16_t bits, FILE *f)
{
    if (!bits)
        return;
    fprintf(f, " %s:", what);
    for (int i = 0; i < 16; i++) {
        if (bits & (1u << i))
            fprintf(f, " %d", i);
    }
}

static void ir_dump_op(const IrContext *ir, const IrOp *op, FILE *f)
{
    if (op->opc >= IR_NB_OPS) {
        fprintf(f, " <bad opcode %u>\n", op->opc);
        return;
    }
    const IrOpDef *def = &ir_op_defs[op->opc];
    const int64_t *c = &op->args[op->nout + op->nin];
    switch (op->opc) {
    case IR_insn_start:
        fprintf(f, " ---- insn 0x%" PRIx64 " 0x%" PRIx64 "\n", (uint64_t)c[0], (uint64_t)c[1]);
        return;
    case IR_set_label:
        fprintf(f, "L%" PRId64 ":\n", c[0]);
        return;
    default:
        break;
    }
    bool typed = op->opc != IR_br && op->opc != IR_goto_tb && op->opc != IR_exit_tb
                 && op->opc != IR_lookup_and_goto && op->opc != IR_mb && op->opc != IR_call;
    fprintf(f, " %s%s", def->name, typed ? (op->type == IR_I64 ? "_i64" : "_i32") : "");
    int n = 0;
    if (op->opc == IR_call) {
        const IrHelper *h = ir_call_helper(op);
        fprintf(f, " %s", h && h->name ? h->name : "?");
        n++;
    }
    for (int i = 0; i < op->nout + op->nin; i++, n++) {
        fputs(n ? ", " : " ", f);
        ir_dump_temp(ir, op->args[i], f);
    }
    for (int i = 0; i < op->nconst && op->opc != IR_call; i++, n++) {
        fputs(n ? ", " : " ", f);
        switch (op->opc) {
        case IR_setcond: case IR_movcond:
            ir_dump_cond(c[i], f);
            break;
        case IR_brcond:
            if (i == 0)
                ir_dump_cond(c[i], f);
            else
                fprintf(f, "L%" PRId64, c[i]);
            break;
        case IR_br:
            fprintf(f, "L%" PRId64, c[i]);
            break;
        case IR_gld: case IR_gst:
            ir_dump_memop((uint64_t)c[i], f);
            break;
        case IR_ld: case IR_st:
            if (i == 1)
                ir_dump_memop((uint64_t)c[i], f);
            else
                fprintf(f, "%+" PRId64, c[i]);
            break;
        case IR_exit_tb:
            fprintf(f, "0x%" PRIx64, (uint64_t)c[i]);
            break;
        default:
            fprintf(f, "%" PRId64, c[i]);
            break;
        }
    }
    if (op->dead || op->sync) {
        fputs("  ;", f);
        ir_dump_bits("dead", op->dead, f);
        ir_dump_bits("sync", op->sync, f);
    }
    fputc('\n', f);
}

void ir_dump(const IrContext *ir, FILE *f)
{
    for (int i = 0; i < ir->nops; i++)
        ir_dump_op(ir, &ir->ops[i], f);
}
