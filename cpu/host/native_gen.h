/*
 * The host-neutral half of the native code generators (x86_64/ and
 * aarch64/). native_gen.c drives the translation of a TB: the frame
 * around the body (budget check, out-of-line softmmu slow paths, the
 * exit-request stub), the op loop with the register allocator
 * (regalloc.h), labels, and the IR ops whose logic is the same on every
 * host: labels and branches, block exits' bookkeeping, insn_start, helper
 * calls, the operand handling of guest memory ops. It also provides the
 * HostBackend entry points gen_tb, exec, destroy and dump_code.
 *
 * A backend (one per build: x86_64/ or aarch64/) provides what the last
 * part of this header declares: its register file and calling convention,
 * emitters for the TB's frame and exits (native_host_*), and its
 * instruction selection for the data ops (native_isel_*). Its state
 * struct starts with a NativeGen, and the HostBackend state pointer is
 * that NativeGen.
 */
#ifndef DOPPEL_CPU_HOST_NATIVE_GEN_H
#define DOPPEL_CPU_HOST_NATIVE_GEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/host/backend.h"
#include "cpu/host/host_asm.h"
#include "cpu/host/regalloc.h"
#include "cpu/ir/ir.h"
#include "cpu/tb.h"

typedef struct NativeGen NativeGen;

/* An out-of-line softmmu slow path, emitted after the block body
 * (native_host_slow_path). */
typedef struct NativeSlowPath {
    bool is_store;
    IrMemOp memop;
    bool w;                /* op type is i64 */
    int8_t addr_reg, data_reg;
    RegMask save_regs;     /* caller-saved registers to preserve */
    size_t branch;         /* the fast path's miss branch (for native_host_bind) */
    size_t ret_pos;        /* where the fast path continues */
} NativeSlowPath;

/* A branch to an IR label, bound once the label's position is known. */
typedef struct NativeLabelRef {
    int label;
    size_t branch;
} NativeLabelRef;

struct NativeGen {
    BackendEnvLayout layout;
    uintptr_t prologue;        /* executable addresses in the code buffer */
    uintptr_t epilogue;
    int disasm_arch, disasm_mode;  /* capstone cs_arch and cs_mode of the host */
    HostAsm as;
    RegAlloc ra;

    /* per-TB state, grown on demand and reused */
    IrContext *ir;
    TranslationBlock *tb;
    const IrOp *op;            /* op being translated */
    long *label_pos;
    int cap_labels;
    NativeLabelRef *label_refs;
    int nlabel_refs, cap_label_refs;
    NativeSlowPath *slow;
    int nslow, cap_slow;
    size_t exit_req_branch;
    bool error;                /* out of memory or range: gen_tb fails */
};

/** Operand i of the op being translated, and whether the op is 64-bit. */
static inline IrTempId native_arg(const NativeGen *g, int i) { return (IrTempId)g->op->args[i]; }
static inline bool native_op_w(const NativeGen *g) { return g->op->type == IR_I64; }
/** ra_take for input i of the op being translated. */
static inline int native_take(NativeGen *g, int i) { return ra_take(&g->ra, g->op, i); }

/* ---- backend life cycle ---- */

/** create(), first half: set g up and start the prologue at cb->used
 *  (g->prologue); the backend then emits its prologue and epilogue
 *  (setting g->epilogue) through g->as. */
void native_gen_init(NativeGen *g, CodeBuffer *cb, const BackendEnvLayout *layout);
/** create(), second half: reserve what was emitted in cb. False if it did
 *  not fit. */
bool native_gen_end_prologue(NativeGen *g, CodeBuffer *cb);
/** HostBackend.destroy: frees g's buffers, then g (allocated with malloc
 *  as the start of the backend's state). */
void native_gen_destroy(void *g);
/** HostBackend.gen_tb for a NativeGen. */
bool native_gen_tb(void *g, CodeBuffer *cb, IrContext *ir, TranslationBlock *tb);
/** HostBackend.exec: calls the prologue as uintptr_t (*)(env, host code). */
uintptr_t native_exec(void *g, struct CpuCommon *cpu, TranslationBlock *tb);
/** HostBackend.dump_code: disassemble tb's code with capstone
 *  (g->disasm_arch and disasm_mode); words capstone cannot decode
 *  (goto_tb literals) are printed as data. */
void native_dump_code(void *g, const CodeBuffer *cb, const TranslationBlock *tb, FILE *f);

/* ---- helpers for the backends' emitters ---- */

/** Branch emitted at branch goes to label (bound at the end of the TB). */
void native_label_ref(NativeGen *g, int label, size_t branch);
/** The comparison with its operands swapped (a < b  ==  b > a). */
IrCond native_cond_swap(IrCond c);

/* A guest memory op (gld/gst) with its operands in registers, ready for
 * the backend's inline TLB fast path. */
typedef struct NativeMemAccess {
    bool is_store;
    bool w;                /* op type is i64 */
    IrMemOp memop;
    unsigned size_log2;    /* of the access (at most 2 for an i32 op) */
    int64_t tlb_table;     /* env offset of the TLB table of the memop's MMU */
    int64_t cmp_off;       /* offset of addr_read / addr_write in a TlbEntry */
    int addr, data, tmp;   /* guest address, value (the output of a load),
                            * a scratch register; all locked */
} NativeMemAccess;

/** Start translating the gld/gst g->op: store modified globals (a fault
 *  in the slow path must see them) and load the operands. */
NativeMemAccess native_mem_begin(NativeGen *g, bool is_store);
/** The fast path, ending here, has been emitted; miss is its branch to
 *  the slow path. Sets a load's output and records the slow path, which
 *  preserves the caller-saved registers holding values except those in
 *  scratch (the backend's own scratch registers). */
void native_mem_end(NativeGen *g, const NativeMemAccess *m, size_t miss, RegMask scratch);

/* ---- provided by the backend (x86_64/ or aarch64/: *_backend.c, *_gen.c, *_mem.c) ----
 * "Branch" values are a backend's handles on branches it emitted (a
 * position in the buffer), for native_host_bind. */

/** The register file, for the allocator. Its name names the backend. */
extern const RegAllocHost native_host_regs;
/** Helper call ABI: argument registers in order, the result register. */
extern const int8_t native_host_call_args[IR_MAX_CALL_ARGS];
extern const int8_t native_host_call_ret;

/** Emit a call of the function at fn. */
void native_host_call(HostAsm *a, uintptr_t fn);
/** Emit an unconditional branch whose target is bound later. */
size_t native_host_branch(HostAsm *a);
/** Point branch to buffer position target. */
void native_host_bind(HostAsm *a, size_t branch, size_t target);
/** Emit the TB's first code: if env's budget (layout.budget_offset) is
 *  below icount, take the returned branch (to the exit-request stub),
 *  else subtract icount from it. */
size_t native_host_budget_check(NativeGen *g, uint32_t icount);
/** Emit a return of value to the engine (through the epilogue). */
void native_host_exit(NativeGen *g, uint64_t value);
/** Emit goto_tb slot n (the basic block is already ended) and set
 *  tb->jmp_insn_offset[n] / jmp_reset_offset[n]. */
void native_host_goto_tb(NativeGen *g, int n);
/** Emit lookup_and_goto (the basic block is already ended): jump to the
 *  host code of engine_lookup_tb(env), or exit with TB_EXIT_NOCHAIN. */
void native_host_lookup_and_goto(NativeGen *g);
/** Emit a slow path recorded by native_mem_end. */
void native_host_slow_path(NativeGen *g, const NativeSlowPath *sp);

/* Instruction selection: one emitter per family of data ops. Each emits
 * the op g->op, whose operands are native_arg(g, i); the other parameters
 * are what the driver decoded from the op. */

/** d = v: movi, setcond on never/always, mov of a constant. */
void native_isel_movi(NativeGen *g, IrTempId d, int64_t v);
/** add sub and or xor andc */
void native_isel_alu(NativeGen *g, IrOpcode opc);
/** neg not */
void native_isel_unary(NativeGen *g, IrOpcode opc);
/** shl shr sar rotl rotr */
void native_isel_shift(NativeGen *g, IrOpcode opc);
void native_isel_mul(NativeGen *g);
/** mulu2 muls2 */
void native_isel_mul2(NativeGen *g, bool sign);
/** divu divs remu rems */
void native_isel_divrem(NativeGen *g, bool sign, bool rem);
/** setcond, movcond, brcond on a real condition; brcond ends the basic
 *  block (ra_bb_end) after loading its operands. */
void native_isel_setcond(NativeGen *g, IrCond cond);
void native_isel_movcond(NativeGen *g, IrCond cond);
void native_isel_brcond(NativeGen *g, IrCond cond, int label);
/** ext8s/u ext16s/u ext32s/u, extu/exts_i32_i64, extrl_i64_i32: extend
 *  the low 1 << size_log2 bytes to 64 (w) or 32 bits. */
void native_isel_ext(NativeGen *g, unsigned size_log2, bool sign, bool w);
/** extrh_i64_i32 */
void native_isel_extrh(NativeGen *g);
/** extract sextract with 0 < len, pos + len <= width. */
void native_isel_extract(NativeGen *g, bool sign, unsigned pos, unsigned len);
/** deposit with 0 < len < width, pos + len <= width. */
void native_isel_deposit(NativeGen *g, unsigned pos, unsigned len);
/** bswap16 bswap32 bswap64 */
void native_isel_bswap(NativeGen *g, unsigned size_log2);
/** clz ctz */
void native_isel_count_zeros(NativeGen *g, bool leading);
void native_isel_ctpop(NativeGen *g);
/** ld st: host memory [args[1] + off], size_log2 at most 2 for i32 ops. */
void native_isel_ld(NativeGen *g, unsigned size_log2, bool sign, int32_t off);
void native_isel_st(NativeGen *g, unsigned size_log2, int32_t off);
/** gld gst: the TLB fast path inline (native_mem_begin/end), the slow
 *  path recorded. */
void native_isel_guest_mem(NativeGen *g, bool is_store);
void native_isel_mb(NativeGen *g);

#endif
