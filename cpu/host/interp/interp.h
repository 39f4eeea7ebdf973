/*
 * Encoded form of a translation block for the portable interpreter
 * backend (cpu/host/interp). Private to interp.c / interp_encode.c.
 *
 * Layout at tb->host_code (16-byte aligned, inside the CodeBuffer):
 *   InterpHeader
 *   InterpInsn insns[ninsns]   insn 0 = budget check, last = INTERP_OP_END
 *   uint64_t pool[nconsts]     constant operands
 * Branch targets are insn indexes; goto_tb insns hold their chained
 * destination TB in c[1] (written by patch_jump).
 */
#ifndef DOPPEL_CPU_HOST_INTERP_INTERP_H
#define DOPPEL_CPU_HOST_INTERP_INTERP_H

#include <stdint.h>

#include "cpu/host/backend.h"
#include "cpu/ir/ir.h"

/* Operand reference: kind in the low 3 bits, index/offset above. */
enum {
    INTERP_REF_TEMP = 0,    /* index = slot in the frame's temp array */
    INTERP_REF_CONST = 1,   /* index = pool entry */
    INTERP_REF_G32 = 2,     /* index = env offset of an i32 global */
    INTERP_REF_G64 = 3,     /* index = env offset of an i64 global */
    INTERP_REF_ENV = 4,     /* the env pointer */
    INTERP_REF_SHIFT = 3,
};

/* Pseudo-ops beyond the IR's own opcodes. */
enum {
    INTERP_OP_BUDGET = IR_NB_OPS,   /* entry: budget check */
    INTERP_OP_END,                  /* fell off the end: TB_EXIT_NOCHAIN */
};

/* Temps a block may use at once (the frame lives on exec's stack). */
#define INTERP_MAX_SLOTS 2048
#define INTERP_MAX_REFS 8

typedef struct InterpInsn {
    uint16_t opc;                   /* IrOpcode or INTERP_OP_* */
    uint8_t type;                   /* IrType */
    uint8_t nout, nin;
    uint8_t pad[3];
    uint32_t ref[INTERP_MAX_REFS];  /* outputs, then inputs */
    int64_t c[2];                   /* the op's constants (labels -> insn index) */
} InterpInsn;

typedef struct InterpHeader {
    uint32_t ninsns;
    uint32_t nslots;
    uint32_t nconsts;
    uint32_t pool_offset;           /* from the header */
    uint32_t goto_idx[2];           /* insn index of goto_tb n, UINT32_MAX: none */
    uint32_t pad[2];
} InterpHeader;

/** Encode ir for tb at cb->used (see HostBackend.gen_tb). scratch is the
 *  backend's reusable work memory. */
typedef struct InterpScratch {
    int32_t *slot, *last, *pool_idx, *label_idx, *free_slots;
    int cap_temps, cap_labels;
} InterpScratch;

bool interp_encode_tb(InterpScratch *s, CodeBuffer *cb, IrContext *ir, TranslationBlock *tb);
void interp_scratch_free(InterpScratch *s);

#endif
