/*
 * Internals of the AArch64 backend shared by its files (not for other
 * parts of doppel): backend state, the per-TB code generation context and
 * the register allocator interface.
 *
 * Host register roles (AAPCS64):
 *   x19       env (the guest CPU struct) for the whole run of generated code
 *   x28       env + 32 KiB: guest structs start with CpuCommon, whose jump
 *             cache puts the guest registers beyond the 32 KiB an LDR/STR
 *             immediate reaches from x19 (see a64_env_base)
 *   x16, x17  scratch of the code generator (IP0/IP1), never allocated
 *   x18       never touched (the platform register on Darwin and Windows)
 *   x29, x30  frame pointer and link register of the prologue's frame
 *   sp        16-byte aligned inside TB code; [sp + 8*i] are spill slots,
 *             then a save area for the softmmu slow paths
 *   x0-x15, x20-x27 (24 registers) hold IR values.
 */
#ifndef DOPPEL_CPU_HOST_AARCH64_A64_INT_H
#define DOPPEL_CPU_HOST_AARCH64_A64_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/host/aarch64/a64_asm.h"
#include "cpu/host/aarch64/a64_backend.h"
#include "cpu/host/backend.h"
#include "cpu/ir/ir.h"
#include "cpu/tb.h"

#define A64_ENV_REG A64_X19
#define A64_TMP0 A64_X16
#define A64_TMP1 A64_X17
#define A64_ENV_HI_REG A64_X28
#define A64_ENV_HI_BIAS 32768
#define A64_FRAME_SLOTS 512
/* Slow paths save caller-saved registers x0-x15 here, at sp + 8*r. */
#define A64_SAVE_AREA (A64_FRAME_SLOTS * 8)
#define A64_FRAME_SIZE (A64_SAVE_AREA + 16 * 8)

#define A64_REG_BIT(r) (1u << (r))
#define A64_RESERVED_REGS                                                                   \
    (A64_REG_BIT(A64_TMP0) | A64_REG_BIT(A64_TMP1) | A64_REG_BIT(A64_X18) | A64_REG_BIT(A64_X19) | A64_REG_BIT(A64_ENV_HI_REG) \
     | A64_REG_BIT(A64_X29) | A64_REG_BIT(A64_X30) | A64_REG_BIT(31))
#define A64_CALLER_SAVED 0x0003ffffu   /* x0-x17 */

/* Where a temp's value is: in a register (reg >= 0) and/or in its memory
 * home (mem_valid: env field for globals, frame slot for locals/normals,
 * the immediate for constants). Neither: no value (dead). */
typedef struct A64TempState {
    int8_t reg;
    bool mem_valid;
    int16_t slot;          /* frame slot, -1 if none */
} A64TempState;

/* An out-of-line softmmu slow path, emitted after the block body. */
typedef struct A64SlowPath {
    bool is_store;
    IrMemOp memop;
    bool w;                /* op type is i64 */
    int8_t addr_reg, data_reg;
    uint32_t save_regs;    /* caller-saved registers to preserve */
    size_t branch_pos;     /* the fast path's B.NE to the slow path */
    size_t ret_pos;        /* where the fast path continues */
} A64SlowPath;

typedef struct A64LabelRef {
    int label;
    size_t pos;
} A64LabelRef;

typedef struct A64Backend {
    BackendEnvLayout layout;
    uintptr_t prologue;        /* executable addresses in the code buffer */
    uintptr_t epilogue;
    bool force_far_jumps;      /* tests: chain through the literal always */

    /* per-TB state, grown on demand and reused */
    A64Asm as;
    IrContext *ir;
    TranslationBlock *tb;
    A64TempState *ts;
    int cap_ts;
    int16_t reg_owner[A64_NB_REGS];   /* temp id, -1 free */
    uint32_t locked;                   /* registers in use by the current op */
    const IrOp *op;                    /* op being translated */
    uint8_t slot_used[A64_FRAME_SLOTS];
    long *label_pos;
    int cap_labels;
    A64LabelRef *label_refs;
    int nlabel_refs, cap_label_refs;
    A64SlowPath *slow;
    int nslow, cap_slow;
    size_t exit_req_pos;
    bool error;                        /* ran out of frame slots, memory, range */
} A64Backend;

/* Base register for the env field at off: x28 (env + A64_ENV_HI_BIAS) for
 * fields beyond the bias, else x19; *rel gets the offset from it. */
static inline int a64_env_base(int64_t off, int64_t *rel)
{
    if (off >= A64_ENV_HI_BIAS) {
        *rel = off - A64_ENV_HI_BIAS;
        return A64_ENV_HI_REG;
    }
    *rel = off;
    return A64_ENV_REG;
}

/* ---- register allocator (a64_regalloc.c) ---- */

/** Prepare the allocator for a new TB (sizes from be->ir). */
bool a64_ra_begin(A64Backend *be);
/** Release the registers locked by the finished op. */
static inline void a64_ra_end_op(A64Backend *be) { be->locked = 0; }
/** Put temp t in a register not in avoid (locked for the op); returns it. */
int a64_ra_load(A64Backend *be, IrTempId t, uint32_t avoid);
/** A free, unlocked register not in avoid, evicting a value if needed;
 *  it is locked and owned by nobody. */
int a64_ra_scratch(A64Backend *be, uint32_t avoid);
/** Copy t's value into register r (freeing r first unless t is there). */
void a64_ra_load_into(A64Backend *be, IrTempId t, int r);
/** If input arg i of the op dies here, detach it from its register (saving
 *  it first if it must survive) and return that register, still locked,
 *  for use as the output; else -1. */
int a64_ra_take(A64Backend *be, int arg_index, IrTempId t);
/** Temp t now holds a new value in register r. */
void a64_ra_set_out(A64Backend *be, IrTempId t, int r);
/** Store t to its memory home if the register copy is newer. */
void a64_ra_store(A64Backend *be, IrTempId t);
/** Detach t from its register after saving it if it must survive. */
void a64_ra_dead(A64Backend *be, IrTempId t);
/** Store all modified globals (they stay in registers). */
void a64_ra_sync_globals(A64Backend *be);
/** Store modified globals and forget their registers. */
void a64_ra_save_globals(A64Backend *be);
/** Spill every value held in a caller-saved register. */
void a64_ra_free_call_clobbered(A64Backend *be);
/** Basic-block end: store globals and locals, drop everything. */
void a64_ra_bb_end(A64Backend *be);
/** Apply the op's dead/sync bits after it was emitted. */
void a64_ra_after_op(A64Backend *be, const IrOp *op);
/** Registers currently holding a value. */
uint32_t a64_ra_live_regs(const A64Backend *be);
/** Is t a constant temp, and its value. */
bool a64_ra_const(const A64Backend *be, IrTempId t, int64_t *val);

/** Operand i of the op being translated, and whether the op is 64-bit. */
static inline IrTempId a64_arg(const A64Backend *be, int i) { return (IrTempId)be->op->args[i]; }
static inline bool a64_op_w(const A64Backend *be) { return be->op->type == IR_I64; }

/* ---- guest memory (a64_mem.c) ---- */

/** gld (is_store false) or gst: TLB fast path inline, slow path recorded. */
void a64_gen_guest_mem(A64Backend *be, bool is_store);
/** Emit the slow paths recorded while generating the body. */
void a64_gen_slow_paths(A64Backend *be);

/* ---- code generation (a64_gen.c) ---- */

/** Emit the body of the TB for be->ir at be->as; false on error. */
bool a64_gen_body(A64Backend *be);

#endif
