/*
 * Liveness: one backward pass over a block's ops that tells backends,
 * per operand, whether a value is dead after an op (IrOp.dead) and
 * whether a global written by an op must be stored back to env right
 * after it (IrOp.sync). The same pass, in remove_dead mode, is the
 * optimizer's dead-code removal.
 *
 * State of a temp between two ops (walking backwards = "what later ops
 * need"): DEAD - nobody reads the value again; MEM - (globals) the value
 * must be in env memory. The rules:
 *   - end of the TB (exit_tb, lookup_and_goto, falling off the end):
 *     globals DEAD|MEM, every temp DEAD;
 *   - other basic-block ends (br, brcond, goto_tb, set_label): globals
 *     DEAD|MEM (a backend reloads them in the next block), LOCAL temps
 *     live (they may be read in any later block, loops included), NORMAL
 *     temps dead (even if a later block reads one: that read is invalid);
 *   - a call that may write globals: globals DEAD|MEM before it (values
 *     held in registers are stale after it, and env must be complete for
 *     it); a call that reads globals or may raise, and gld/gst (may
 *     raise): globals gain MEM (env must be up to date for the helper or
 *     for the exception path), registers stay valid;
 *   - an op's outputs: DEAD/MEM after the op give the dead/sync bits;
 *     before the op the output is DEAD (overwritten);
 *   - an op's inputs: DEAD after the op gives the dead bit; before the op
 *     the input is live (MEM unchanged).
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/ir/ir_internal.h"

enum { TS_DEAD = 1, TS_MEM = 2, TS_LISTED = 4 /* NORMAL temp on LiveState.normals */ };

bool ir_op_is_pure(const IrOp *op)
{
    if (op->opc == IR_call) {
        const IrHelper *h = ir_call_helper(op);
        return h && (h->flags & IR_CALL_PURE) && !(h->flags & IR_CALL_MAY_RAISE);
    }
    return !(ir_op_defs[op->opc].flags & (IR_OPF_SIDE_EFFECTS | IR_OPF_BB_END));
}

typedef struct LiveState {
    IrContext *ir;
    uint8_t *st;
    IrTempId *locals;
    int nlocals;
    IrTempId *normals;   /* NORMAL temps made live since the last block end */
    int nnormals;
} LiveState;

static void live_globals(LiveState *ls, uint8_t set, bool replace)
{
    for (int t = 0; t < ls->ir->nglobals; t++) {
        if (ls->ir->temps[t].kind != IR_TEMP_GLOBAL)
            continue;
        ls->st[t] = replace ? set : (uint8_t)(ls->st[t] | set);
    }
}

static void live_bb_end(LiveState *ls, bool tb_end)
{
    live_globals(ls, TS_DEAD | TS_MEM, true);
    for (int i = 0; i < ls->nlocals; i++)
        ls->st[ls->locals[i]] = tb_end ? TS_DEAD : 0;
    for (int i = 0; i < ls->nnormals; i++)
        ls->st[ls->normals[i]] = TS_DEAD;
    ls->nnormals = 0;
}

static bool live_tracked(const IrContext *ir, int64_t t)
{
    IrTempKind k = ir->temps[t].kind;
    return k == IR_TEMP_NORMAL || k == IR_TEMP_LOCAL || k == IR_TEMP_GLOBAL;
}

/* Are all of op's outputs dead (and, for globals, not needed in env)? */
static bool live_outputs_unused(const LiveState *ls, const IrOp *op, int first, int n)
{
    for (int j = first; j < first + n; j++) {
        int64_t t = op->args[j];
        if (!live_tracked(ls->ir, t))
            continue;
        if (!(ls->st[t] & TS_DEAD) || (ls->st[t] & TS_MEM))
            return false;
    }
    return true;
}

int ir_liveness_pass(IrContext *ir, bool remove_dead)
{
    LiveState ls = { .ir = ir };
    ls.st = malloc((size_t)(ir->ntemps ? ir->ntemps : 1));
    ls.locals = malloc((size_t)(ir->ntemps ? ir->ntemps : 1) * sizeof(IrTempId));
    ls.normals = malloc((size_t)(ir->ntemps ? ir->ntemps : 1) * sizeof(IrTempId));
    if (!ls.st || !ls.locals || !ls.normals) {
        fprintf(stderr, "doppel: out of memory in IR liveness\n");
        abort();
    }
    memset(ls.st, TS_DEAD, (size_t)ir->ntemps);
    for (int t = ir->nglobals; t < ir->ntemps; t++) {
        if (ir->temps[t].kind == IR_TEMP_LOCAL)
            ls.locals[ls.nlocals++] = t;
    }
    live_bb_end(&ls, true);

    int removed = 0;
    for (int i = ir->nops - 1; i >= 0; i--) {
        IrOp *op = &ir->ops[i];
        const IrOpDef *def = &ir_op_defs[op->opc];
        switch (op->opc) {
        case IR_exit_tb:
        case IR_lookup_and_goto:
            live_bb_end(&ls, true);
            break;
        case IR_br:
        case IR_brcond:
        case IR_goto_tb:
        case IR_set_label:
            live_bb_end(&ls, false);
            break;
        default:
            break;
        }

        if (remove_dead && op->nout > 0 && ir_op_is_pure(op)) {
            if (live_outputs_unused(&ls, op, 0, op->nout)) {
                op->opc = IR_NB_OPS;   /* deleted; compacted below */
                removed++;
                continue;
            }
            if ((op->opc == IR_mulu2 || op->opc == IR_muls2) && live_outputs_unused(&ls, op, 1, 1)) {
                int64_t lo = op->args[0], a = op->args[2], b = op->args[3];
                op->opc = IR_mul;
                op->nout = 1;
                op->args[0] = lo;
                op->args[1] = a;
                op->args[2] = b;
            }
        }

        uint16_t dead = 0, sync = 0;
        for (int j = 0; j < op->nout; j++) {
            int64_t t = op->args[j];
            if (!live_tracked(ir, t))
                continue;
            if (ls.st[t] & TS_DEAD)
                dead |= (uint16_t)(1u << j);
            if (ir->temps[t].kind == IR_TEMP_GLOBAL && (ls.st[t] & TS_MEM))
                sync |= (uint16_t)(1u << j);
            ls.st[t] = (uint8_t)(TS_DEAD | (ls.st[t] & TS_LISTED));
        }

        if (op->opc == IR_call) {
            const IrHelper *h = ir_call_helper(op);
            unsigned hf = h ? h->flags : 0;
            if (!(hf & IR_CALL_NO_WRITE_GLOBALS))
                live_globals(&ls, TS_DEAD | TS_MEM, true);
            else if (!(hf & IR_CALL_NO_READ_GLOBALS) || (hf & IR_CALL_MAY_RAISE))
                live_globals(&ls, TS_MEM, false);
        } else if (def->flags & IR_OPF_MAY_RAISE) {
            live_globals(&ls, TS_MEM, false);
        }

        for (int j = op->nout; j < op->nout + op->nin; j++) {
            int64_t t = op->args[j];
            if (!live_tracked(ir, t))
                continue;
            if (ls.st[t] & TS_DEAD) {
                dead |= (uint16_t)(1u << j);
                if (ir->temps[t].kind == IR_TEMP_NORMAL && !(ls.st[t] & TS_LISTED)) {
                    ls.normals[ls.nnormals++] = (IrTempId)t;
                    ls.st[t] |= TS_LISTED;
                }
            }
            ls.st[t] &= (uint8_t)~TS_DEAD;
        }
        op->dead = dead;
        op->sync = sync;
    }

    if (removed) {
        int k = 0;
        for (int i = 0; i < ir->nops; i++) {
            if (ir->ops[i].opc != IR_NB_OPS)
                ir->ops[k++] = ir->ops[i];
        }
        ir->nops = k;
    }
    free(ls.st);
    free(ls.locals);
    free(ls.normals);
    return removed;
}

void ir_liveness(IrContext *ir)
{
    ir_liveness_pass(ir, false);
}
