/*
 * doppel's intermediate representation: a linear list of typed ops on
 * temporaries, built by a guest front end for one translation block, then
 * optimized and handed to a host backend. Nothing here knows about x86 or
 * ARM; guest registers are "globals" (temps backed by a field of the guest
 * CPU struct at a fixed offset from the env pointer).
 *
 * Temp kinds:
 *   IR_TEMP_GLOBAL  guest state in env memory; backends may keep it in a host
 *                   register inside a block but must write it back before
 *                   helper calls that read/write globals, exits, and ops that
 *                   may raise.
 *   IR_TEMP_ENV     the env pointer itself (one per context, type i64).
 *   IR_TEMP_CONST   a constant (val); front ends get them from ir_const().
 *   IR_TEMP_LOCAL   a scratch value that lives until the end of the block.
 *   IR_TEMP_NORMAL  a scratch value that dies at the end of its basic block
 *                   (at the next label or branch): cheapest for backends.
 *
 * Ops are listed once, in ir_ops.def.
 */
#ifndef DOPPEL_CPU_IR_IR_H
#define DOPPEL_CPU_IR_IR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum IrType { IR_I32, IR_I64 } IrType;

typedef enum IrTempKind {
    IR_TEMP_NORMAL,
    IR_TEMP_LOCAL,
    IR_TEMP_GLOBAL,
    IR_TEMP_ENV,
    IR_TEMP_CONST,
} IrTempKind;

typedef enum IrOpcode {
#define IR_OP(name, nout, nin, nconst, flags) IR_##name,
#include "cpu/ir/ir_ops.def"
#undef IR_OP
    IR_NB_OPS
} IrOpcode;

enum {
    IR_OPF_BB_END = 1u << 0,
    IR_OPF_SIDE_EFFECTS = 1u << 1,
    IR_OPF_MAY_RAISE = 1u << 2,
    IR_OPF_CALL_CLOBBER = 1u << 3,
    IR_OPF_NORETURN = 1u << 4,
};

typedef struct IrOpDef {
    const char *name;
    uint8_t nout, nin, nconst;
    uint8_t flags;
} IrOpDef;

/** Static description of every opcode, indexed by IrOpcode. */
extern const IrOpDef ir_op_defs[IR_NB_OPS];

/* Conditions for setcond/movcond/brcond. */
typedef enum IrCond {
    IR_COND_NEVER, IR_COND_ALWAYS,
    IR_COND_EQ, IR_COND_NE,
    IR_COND_LT, IR_COND_GE, IR_COND_LE, IR_COND_GT,         /* signed */
    IR_COND_LTU, IR_COND_GEU, IR_COND_LEU, IR_COND_GTU,     /* unsigned */
    IR_COND_TSTEQ, IR_COND_TSTNE,                           /* (a & b) == 0, != 0 */
    IR_NB_CONDS
} IrCond;

/* Memory operation descriptor (gld/gst c0, ld/st c1): built with ir_memop(). */
typedef uint32_t IrMemOp;
enum {
    IR_MO_8 = 0, IR_MO_16 = 1, IR_MO_32 = 2, IR_MO_64 = 3,
    IR_MO_SIZE = 3,              /* log2 of the access size */
    IR_MO_SIGN = 1u << 2,        /* sign-extend the loaded value */
    IR_MO_ALIGN = 1u << 3,       /* fault (via the guest's hook) if unaligned */
    IR_MO_MMU_SHIFT = 8,         /* mmu index in bits 8..11 */
    IR_MO_MMU_MASK = 0xfu << 8,
};
static inline IrMemOp ir_memop(unsigned size_log2, bool sign, bool align, unsigned mmu_idx)
{
    return (size_log2 & IR_MO_SIZE) | (sign ? IR_MO_SIGN : 0) | (align ? IR_MO_ALIGN : 0)
           | ((mmu_idx & 0xfu) << IR_MO_MMU_SHIFT);
}
static inline unsigned ir_memop_size(IrMemOp mo) { return 1u << (mo & IR_MO_SIZE); }
static inline unsigned ir_memop_mmu(IrMemOp mo) { return (mo & IR_MO_MMU_MASK) >> IR_MO_MMU_SHIFT; }

/* Helpers: C functions called from generated code. Calling convention for
 * every helper: up to IR_MAX_CALL_ARGS parameters, each a uint64_t (i32
 * values arrive zero-extended) or a pointer; returns uint64_t or void. */
#define IR_MAX_CALL_ARGS 6
enum {
    IR_CALL_NO_READ_GLOBALS = 1u << 0,   /* does not read guest globals from env */
    IR_CALL_NO_WRITE_GLOBALS = 1u << 1,  /* does not write guest globals in env */
    IR_CALL_MAY_RAISE = 1u << 2,         /* may leave through a guest exception */
    IR_CALL_PURE = 1u << 3,              /* no side effects: removable if unused */
};
typedef struct IrHelper {
    const char *name;
    void *fn;
    uint8_t nargs;
    bool has_ret;
    IrType ret_type;
    uint8_t flags;
} IrHelper;

#define IR_MAX_ARGS 12
#define IR_INSN_WORDS 2

typedef int32_t IrTempId;
typedef int32_t IrLabel;

typedef struct IrTemp {
    IrType type;
    IrTempKind kind;
    int32_t env_offset;      /* GLOBAL: offset of the field in env */
    int64_t val;             /* CONST */
    const char *name;        /* GLOBAL (for dumps) */
} IrTemp;

typedef struct IrOp {
    uint16_t opc;            /* IrOpcode */
    uint8_t type;            /* IrType */
    uint8_t nout, nin, nconst;
    uint16_t dead;           /* liveness: bit i set = args[i] is dead after this op */
    uint16_t sync;           /* liveness: bit i set = global args[i] must be stored back after this op */
    int64_t args[IR_MAX_ARGS];
} IrOp;

typedef struct IrContext {
    IrTemp *temps;
    int ntemps, nglobals, cap_temps;   /* temps [0, nglobals) are env + globals, kept across blocks */
    IrOp *ops;
    int nops, cap_ops;
    int nlabels;
    IrTempId env;
    int ninsns;                        /* insn_start markers emitted */
    /* const dedup: open-addressed table of const temp ids (-1 = empty),
     * cleared by ir_reset; private to ir.c */
    IrTempId *const_hash;
    int const_hash_cap, const_hash_used;
} IrContext;

/* ---- context ---- */

/** Initialise a context with its env temp. */
void ir_init(IrContext *ir);
void ir_destroy(IrContext *ir);
/** Drop all ops, labels and non-global temps (start a new block). */
void ir_reset(IrContext *ir);
/** Declare a guest register living at env + offset (before the first block). */
IrTempId ir_global(IrContext *ir, IrType type, int32_t env_offset, const char *name);
/** A new scratch temp valid until the end of the current basic block. */
IrTempId ir_temp(IrContext *ir, IrType type);
/** A new scratch temp valid until the end of the translation block. */
IrTempId ir_temp_local(IrContext *ir, IrType type);
/** A constant temp (deduplicated per block). i32 constants are stored
 *  zero-extended (val = (uint32_t)val), as i32 values are everywhere in
 *  ir_eval_op and the interpreter. */
IrTempId ir_const(IrContext *ir, IrType type, int64_t val);
IrLabel ir_new_label(IrContext *ir);
static inline IrType ir_temp_type(const IrContext *ir, IrTempId t) { return ir->temps[t].type; }

/** Append a raw op (used by the emitters below and by tests/fuzzers). */
IrOp *ir_emit(IrContext *ir, IrOpcode opc, IrType type, const int64_t *args, int nargs);

/* ---- emitters (type taken from the destination temp) ---- */
void ir_mov(IrContext *ir, IrTempId d, IrTempId s);
void ir_movi(IrContext *ir, IrTempId d, int64_t v);
/** d = a OP b for the two-input arithmetic/logic/shift ops. */
void ir_binop(IrContext *ir, IrOpcode opc, IrTempId d, IrTempId a, IrTempId b);
/** d = OP a for neg, not, ext*, bswap*, ctpop and the type conversions. */
void ir_unop(IrContext *ir, IrOpcode opc, IrTempId d, IrTempId a);
static inline void ir_add(IrContext *ir, IrTempId d, IrTempId a, IrTempId b) { ir_binop(ir, IR_add, d, a, b); }
static inline void ir_sub(IrContext *ir, IrTempId d, IrTempId a, IrTempId b) { ir_binop(ir, IR_sub, d, a, b); }
static inline void ir_and(IrContext *ir, IrTempId d, IrTempId a, IrTempId b) { ir_binop(ir, IR_and, d, a, b); }
static inline void ir_or(IrContext *ir, IrTempId d, IrTempId a, IrTempId b) { ir_binop(ir, IR_or, d, a, b); }
static inline void ir_xor(IrContext *ir, IrTempId d, IrTempId a, IrTempId b) { ir_binop(ir, IR_xor, d, a, b); }
/** d = a OP constant (the constant becomes a const temp). */
void ir_binopi(IrContext *ir, IrOpcode opc, IrTempId d, IrTempId a, int64_t imm);
void ir_mul2(IrContext *ir, IrOpcode opc, IrTempId lo, IrTempId hi, IrTempId a, IrTempId b);
void ir_setcond(IrContext *ir, IrCond c, IrTempId d, IrTempId a, IrTempId b);
void ir_movcond(IrContext *ir, IrCond c, IrTempId d, IrTempId a, IrTempId b, IrTempId v1, IrTempId v2);
void ir_brcond(IrContext *ir, IrCond c, IrTempId a, IrTempId b, IrLabel l);
void ir_brcondi(IrContext *ir, IrCond c, IrTempId a, int64_t imm, IrLabel l);
void ir_br(IrContext *ir, IrLabel l);
void ir_set_label(IrContext *ir, IrLabel l);
void ir_extract(IrContext *ir, IrTempId d, IrTempId a, unsigned pos, unsigned len);
void ir_sextract(IrContext *ir, IrTempId d, IrTempId a, unsigned pos, unsigned len);
void ir_deposit(IrContext *ir, IrTempId d, IrTempId a, IrTempId b, unsigned pos, unsigned len);
void ir_clz(IrContext *ir, IrTempId d, IrTempId a, IrTempId if_zero);
void ir_ctz(IrContext *ir, IrTempId d, IrTempId a, IrTempId if_zero);
/** Load/store host memory at base + offset (base is usually ir->env). */
void ir_ld(IrContext *ir, IrTempId d, IrTempId base, int32_t offset, IrMemOp mo);
void ir_st(IrContext *ir, IrTempId v, IrTempId base, int32_t offset, IrMemOp mo);
/** Guest memory load/store (addr is an i64 guest virtual address). */
void ir_gld(IrContext *ir, IrTempId d, IrTempId addr, IrMemOp mo);
void ir_gst(IrContext *ir, IrTempId v, IrTempId addr, IrMemOp mo);
/** Call helper h with nargs inputs; ret may be -1 if none or ignored. */
void ir_call(IrContext *ir, const IrHelper *h, IrTempId ret, const IrTempId *args, int nargs);
void ir_goto_tb(IrContext *ir, int slot);
void ir_exit_tb(IrContext *ir, uintptr_t value);
void ir_lookup_and_goto(IrContext *ir);
void ir_insn_start(IrContext *ir, uint64_t w0, uint64_t w1);
void ir_discard(IrContext *ir, IrTempId t);

/* ---- passes ---- */

/** Constant folding, copy propagation, dead-code removal. */
void ir_optimize(IrContext *ir);
/** Fill IrOp.dead / IrOp.sync (run after ir_optimize, before a backend).
 *  dead bit i: the value of args[i] is not read again (NORMAL temps die at
 *  basic-block ends, LOCAL temps at the end of the TB, globals are needed
 *  in env at every block end). sync bit i (outputs only): global args[i]
 *  must be in env after this op, because a block end, an exit, a helper
 *  that reads or may write globals, or an op that may raise comes before
 *  the next write; the value may stay in a register unless dead is set
 *  too (helpers without IR_CALL_NO_WRITE_GLOBALS make it dead). */
void ir_liveness(IrContext *ir);
/** Print the ops in a readable form (-d op, -d op_opt). */
void ir_dump(const IrContext *ir, FILE *f);
/** Check structural invariants (types, arg counts, labels defined once);
 *  returns false and prints the first problem to f. For tests and debug. */
bool ir_verify(const IrContext *ir, FILE *f);

/* ---- evaluation shared by the optimizer and the interpreter ---- */

/** Result of a side-effect-free one- or two-input op on constants. */
uint64_t ir_eval_op(IrOpcode opc, IrType type, uint64_t a, uint64_t b, const int64_t *consts);
/** Evaluate a condition on two values of the given type. */
bool ir_eval_cond(IrCond c, IrType type, uint64_t a, uint64_t b);
/** Both halves of mulu2/muls2 (opc) on values of the given type. */
void ir_eval_mul2(IrOpcode opc, IrType type, uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi);
/** Sign- or zero-extend a loaded value per memop (size, IR_MO_SIGN) and
 *  truncate it to type. */
uint64_t ir_memop_extend(IrMemOp mo, IrType type, uint64_t v);

#endif
