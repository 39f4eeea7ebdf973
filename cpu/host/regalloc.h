/*
 * The register allocator of the native backends (x86_64/, aarch64/): a
 * single forward pass over a TB's op list, driven by native_gen.c and the
 * backends' instruction selection. It is host-neutral: a backend
 * describes its register file in a RegAllocHost and provides the four
 * instructions the allocator emits (register move, constant, load and
 * store of a temp's home) as the ra_host_* functions at the end.
 *
 * Every temp has a memory home (its env field for globals, an 8-byte
 * frame slot for locals and spilled normals, the immediate for constants)
 * and may also sit in a host register; mem_valid says whether the home is
 * up to date. Globals are loaded lazily and written back only when
 * modified: at basic-block ends, before ops that may raise and around
 * helper calls. The liveness bits (IrOp.dead/sync from ir_liveness) free
 * registers early.
 *
 * Within one op, the registers handed out (loaded inputs, scratch
 * registers, outputs) are locked: nothing else evicts them until
 * ra_end_op.
 */
#ifndef DOPPEL_CPU_HOST_REGALLOC_H
#define DOPPEL_CPU_HOST_REGALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/host/host_asm.h"
#include "cpu/ir/ir.h"

/* A set of host registers: bit r stands for register number r. */
typedef uint32_t RegMask;
#define RA_BIT(r) ((RegMask)1 << (r))
#define RA_MAX_REGS 32
/* 8-byte spill slots at [frame_reg + 8 * i] (the backends' frames hold them). */
#define RA_FRAME_SLOTS 512

/* The register file of a host as the allocator sees it. */
typedef struct RegAllocHost {
    const char *name;              /* for the "out of registers" abort */
    int8_t order[RA_MAX_REGS + 1]; /* the allocatable registers, preferred first;
                                    * -1 ends (the others are never handed out) */
    RegMask caller_saved;          /* clobbered by a helper call */
    int env_reg;                   /* holds env: IR_TEMP_ENV, base of globals' homes */
    int frame_reg;                 /* base of the spill slots */
} RegAllocHost;

/* Where a temp's value is: in a register (reg >= 0) and/or in its memory
 * home (mem_valid). Neither: no value (dead). */
typedef struct RaTemp {
    int8_t reg;
    bool mem_valid;
    int16_t slot;          /* frame slot, -1 if none */
} RaTemp;

typedef struct RegAlloc {
    const RegAllocHost *host;
    HostAsm *as;                        /* where spills and reloads go */
    IrContext *ir;                      /* the TB being translated */
    RaTemp *ts;                         /* per temp, grown on demand */
    int cap_ts;
    int16_t reg_owner[RA_MAX_REGS];     /* temp id, -1 free */
    RegMask locked;                     /* registers in use by the current op */
    uint8_t slot_used[RA_FRAME_SLOTS];
    bool error;                         /* ran out of frame slots */
} RegAlloc;

/** Tie the allocator to a host description and an output buffer. */
void ra_init(RegAlloc *ra, const RegAllocHost *host, HostAsm *as);
/** Free what the allocator allocated. */
void ra_destroy(RegAlloc *ra);
/** Prepare for a new TB: every temp in its home, no register used.
 *  False if out of memory. */
bool ra_begin(RegAlloc *ra, IrContext *ir);
/** Release the registers locked by the finished op. */
static inline void ra_end_op(RegAlloc *ra) { ra->locked = 0; }
/** Lock the registers in mask for the current op (they are not evicted). */
static inline void ra_lock(RegAlloc *ra, RegMask mask) { ra->locked |= mask; }

/** Is t a constant temp, and its value. */
bool ra_const(const RegAlloc *ra, IrTempId t, int64_t *val);
/** The register holding t, or -1. */
static inline int ra_reg_of(const RegAlloc *ra, IrTempId t) { return ra->ts[t].reg; }
/** Registers currently holding a value. */
RegMask ra_live_regs(const RegAlloc *ra);

/** Put temp t in a register not in avoid (locked for the op); returns it. */
int ra_load(RegAlloc *ra, IrTempId t, RegMask avoid);
/** A free, unlocked register not in avoid, evicting a value if needed;
 *  it is locked and owned by nobody. */
int ra_scratch(RegAlloc *ra, RegMask avoid);
/** Make register r free (its value moved or spilled) and lock it. */
void ra_claim(RegAlloc *ra, int r);
/** Copy t's value into register r (claimed first unless t is there); with
 *  clobber, r is ownerless afterwards so the op may destroy it. */
void ra_load_into(RegAlloc *ra, IrTempId t, int r, bool clobber);
/** If input args[i] of op dies at op, detach it from its register (saving
 *  it first if it must survive) and return that register, still locked,
 *  for use as the output; else -1. */
int ra_take(RegAlloc *ra, const IrOp *op, int i);
/** Temp t now holds a new value in register r. */
void ra_set_out(RegAlloc *ra, IrTempId t, int r);

/** Store t to its memory home if the register copy is newer. */
void ra_store(RegAlloc *ra, IrTempId t);
/** Detach t from its register after saving it if it must survive. */
void ra_dead(RegAlloc *ra, IrTempId t);
/** Store all modified globals (they stay in registers). */
void ra_sync_globals(RegAlloc *ra);
/** Store modified globals and forget their registers. */
void ra_save_globals(RegAlloc *ra);
/** Spill every value held in a caller-saved register. */
void ra_free_call_clobbered(RegAlloc *ra);
/** Basic-block end: store globals and locals, drop everything. Emits
 *  stores only, so registers loaded for the op stay valid. */
void ra_bb_end(RegAlloc *ra);
/** Apply op's dead/sync bits after it was emitted. */
void ra_after_op(RegAlloc *ra, const IrOp *op);

/* ---- provided by the backend (one per build) ---- */

/** Emit dst = src, 64 bits (w) or 32 bits zero-extended. */
void ra_host_mov(HostAsm *a, bool w, int dst, int src);
/** Emit r = val (w: 64-bit, else 32-bit zero-extended). */
void ra_host_movi(HostAsm *a, bool w, int r, uint64_t val);
/** Emit a load of 8 (w) or 4 bytes from [base + disp] into r, or a store
 *  of r there; base is the env_reg or the frame_reg of the RegAllocHost. */
void ra_host_load(HostAsm *a, bool w, int r, int base, int32_t disp);
void ra_host_store(HostAsm *a, bool w, int r, int base, int32_t disp);

#endif
