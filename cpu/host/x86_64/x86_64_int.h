/*
 * Internals of the x86-64 backend shared by its files (not for other
 * parts of doppel): backend state, the per-TB code generation context and
 * the register allocator interface.
 *
 * Host register roles (SysV ABI):
 *   rbp  env (the guest CPU struct) for the whole run of generated code
 *   rsp  16-byte aligned inside TB code; [rsp + 8*i] are spill slots
 *   r11  scratch of the code generator, never allocated
 *   the other 13 registers hold IR values.
 */
#ifndef DOPPEL_CPU_HOST_X86_64_INT_H
#define DOPPEL_CPU_HOST_X86_64_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/host/backend.h"
#include "cpu/host/x86_64/x86_64_asm.h"
#include "cpu/host/x86_64/x86_64_backend.h"
#include "cpu/ir/ir.h"
#include "cpu/tb.h"

#define X64_ENV_REG X64_RBP
#define X64_TMP_REG X64_R11
#define X64_FRAME_SLOTS 512
/* Frame below the pushed registers: slots plus 8 so rsp ends 16-aligned
 * (6 pushes + return address = 56 bytes). */
#define X64_FRAME_SIZE (X64_FRAME_SLOTS * 8 + 8)

#define X64_REG_BIT(r) (1u << (r))
#define X64_RESERVED_REGS (X64_REG_BIT(X64_RSP) | X64_REG_BIT(X64_RBP) | X64_REG_BIT(X64_TMP_REG))
#define X64_CALLER_SAVED                                                                    \
    (X64_REG_BIT(X64_RAX) | X64_REG_BIT(X64_RCX) | X64_REG_BIT(X64_RDX) | X64_REG_BIT(X64_RSI) \
     | X64_REG_BIT(X64_RDI) | X64_REG_BIT(X64_R8) | X64_REG_BIT(X64_R9) | X64_REG_BIT(X64_R10)  \
     | X64_REG_BIT(X64_R11))

/* Where a temp's value is: in a register (reg >= 0) and/or in its memory
 * home (mem_valid: env field for globals, frame slot for locals/normals,
 * the immediate for constants). Neither: no value (dead). */
typedef struct X64TempState {
    int8_t reg;
    bool mem_valid;
    int16_t slot;          /* frame slot, -1 if none */
} X64TempState;

/* An out-of-line softmmu slow path, emitted after the block body. */
typedef struct X64SlowPath {
    bool is_store;
    IrMemOp memop;
    bool w;                /* op type is i64 */
    int8_t addr_reg, data_reg;
    uint16_t save_regs;    /* caller-saved registers to preserve */
    size_t jcc_field;      /* rel32 of the fast path's miss branch */
    size_t ret_pos;        /* where the fast path continues */
} X64SlowPath;

typedef struct X64LabelRef {
    int label;
    size_t field;
} X64LabelRef;

typedef struct X64Backend {
    BackendEnvLayout layout;
    uintptr_t prologue;        /* executable addresses in the code buffer */
    uintptr_t epilogue;
    unsigned features;         /* X64_FEAT_* usable by generated code */

    /* per-TB state, grown on demand and reused */
    X64Asm as;
    IrContext *ir;
    TranslationBlock *tb;
    X64TempState *ts;
    int cap_ts;
    int16_t reg_owner[X64_NB_REGS];   /* temp id, -1 free */
    uint16_t locked;                   /* registers in use by the current op */
    const IrOp *op;                    /* op being translated */
    uint8_t slot_used[X64_FRAME_SLOTS];
    long *label_pos;
    int cap_labels;
    X64LabelRef *label_refs;
    int nlabel_refs, cap_label_refs;
    X64SlowPath *slow;
    int nslow, cap_slow;
    size_t exit_req_field;
    bool error;                        /* ran out of frame slots */
} X64Backend;

/* ---- register allocator (x86_64_regalloc.c) ---- */

/** Prepare the allocator for a new TB (sizes from be->ir). */
bool x64_ra_begin(X64Backend *be);
/** Release the registers locked by the finished op. */
static inline void x64_ra_end_op(X64Backend *be) { be->locked = 0; }
/** Put temp t in a register not in avoid (locked for the op); returns it. */
int x64_ra_load(X64Backend *be, IrTempId t, uint16_t avoid);
/** A free, unlocked register not in avoid, evicting a value if needed;
 *  it is locked and owned by nobody. */
int x64_ra_scratch(X64Backend *be, uint16_t avoid);
/** Make register r free (its value moved or spilled) and lock it. */
void x64_ra_claim(X64Backend *be, int r);
/** Copy t's value into register r (claimed first unless t is there); with
 *  clobber, r is ownerless afterwards so the op may destroy it. */
void x64_ra_load_into(X64Backend *be, IrTempId t, int r, bool clobber);
/** If input arg i of the op dies here, detach it from its register (saving
 *  it first if it must survive) and return that register, still locked,
 *  for use as the output; else -1. */
int x64_ra_take(X64Backend *be, int arg_index, IrTempId t);
/** Temp t now holds a new value in register r. */
void x64_ra_set_out(X64Backend *be, IrTempId t, int r);
/** Store t to its memory home if the register copy is newer. */
void x64_ra_store(X64Backend *be, IrTempId t);
/** Detach t from its register after saving it if it must survive. */
void x64_ra_dead(X64Backend *be, IrTempId t);
/** Store all modified globals (they stay in registers). */
void x64_ra_sync_globals(X64Backend *be);
/** Store modified globals and forget their registers. */
void x64_ra_save_globals(X64Backend *be);
/** Spill every value held in a caller-saved register. */
void x64_ra_free_call_clobbered(X64Backend *be);
/** Basic-block end: store globals and locals, drop everything. */
void x64_ra_bb_end(X64Backend *be);
/** Apply the op's dead/sync bits after it was emitted. */
void x64_ra_after_op(X64Backend *be, const IrOp *op);
/** Registers currently holding a value. */
uint16_t x64_ra_live_regs(const X64Backend *be);
/** Memory home of t (allocating a frame slot if needed). */
void x64_ra_home(X64Backend *be, IrTempId t, int *base, int32_t *disp);
/** Is t a constant temp, and its value. */
bool x64_ra_const(const X64Backend *be, IrTempId t, int64_t *val);

/** Operand i of the op being translated, and whether the op is 64-bit. */
static inline IrTempId x64_arg(const X64Backend *be, int i) { return (IrTempId)be->op->args[i]; }
static inline bool x64_op_w(const X64Backend *be) { return be->op->type == IR_I64; }

/* ---- guest memory (x86_64_mem.c) ---- */

/** gld (is_store false) or gst: TLB fast path inline, slow path recorded. */
void x64_gen_guest_mem(X64Backend *be, bool is_store);
/** Emit the slow paths recorded while generating the body. */
void x64_gen_slow_paths(X64Backend *be);

/* ---- code generation (x86_64_gen.c) ---- */

/** Emit the body of the TB for be->ir at be->as; false on error. */
bool x64_gen_body(X64Backend *be);

#endif
