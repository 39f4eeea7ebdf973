/*
 * Internals shared by the IR passes (the files of cpu/ir only).
 */
#ifndef DOPPEL_CPU_IR_IR_INTERNAL_H
#define DOPPEL_CPU_IR_IR_INTERNAL_H

#include "cpu/ir/ir.h"

/** The backward liveness pass. Fills IrOp.dead/sync; with remove_dead it
 *  also deletes ops without side effects whose outputs are all dead (and
 *  turns mulu2/muls2 with a dead high half into mul). Returns the number
 *  of ops removed. */
int ir_liveness_pass(IrContext *ir, bool remove_dead);

/** True if op has no effect besides writing its outputs. */
bool ir_op_is_pure(const IrOp *op);

/** The helper of a call op. */
static inline const IrHelper *ir_call_helper(const IrOp *op)
{
    return (const IrHelper *)(intptr_t)op->args[op->nout + op->nin];
}

#endif
