/*
 * x86diff: random x86-64 integer instruction sequences for the differential
 * tester (tests/cpu/x86diff.c), the machine state they run on, and the
 * undefined-flag analysis that says which RFLAGS bits may be compared.
 *
 * A sequence is a list of units; a unit is one instruction under test plus
 * the setup instructions it needs (a MOV that makes a shift count known, an
 * LEA that points RSI/RDI into the data page, a CMP that defines flags a
 * flag reader is about to read). Jumps only go forward, to the start of a
 * later unit or to the end, so a unit always runs whole or not at all.
 * Units are kept symbolic (bytes plus fixups) so that the sequence can be
 * re-laid out after units are removed when a failure is minimised.
 */
#ifndef DOPPEL_TESTS_CPU_X86DIFF_GEN_H
#define DOPPEL_TESTS_CPU_X86DIFF_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed guest/host addresses (the same natively and in doppel). */
#define DIFF_DATA_BASE 0x10000000ull   /* 4 KiB data page (memory operands, stack) */
#define DIFF_DATA_SIZE 4096u
#define DIFF_CODE_BASE 0x10002000ull   /* code page: the sequence starts here */
#define DIFF_CODE_MAX 0x700u           /* longest laid-out sequence */

/* RFLAGS bits the tester compares (SDM Vol. 1 3.4.3). */
enum {
    DF_CF = 1u << 0, DF_PF = 1u << 2, DF_AF = 1u << 4, DF_ZF = 1u << 6,
    DF_SF = 1u << 7, DF_DF = 1u << 10, DF_OF = 1u << 11,
    DF_ARITH = DF_CF | DF_PF | DF_AF | DF_ZF | DF_SF | DF_OF,
    DF_COMPARED = DF_ARITH | DF_DF,
    /* Pseudo flags (not in RFLAGS): the x87 condition codes C0-C3 of the
     * status word, tracked by the same undefined-flag analysis. */
    DF_FC0 = 1u << 24, DF_FC1 = 1u << 25, DF_FC2 = 1u << 26, DF_FC3 = 1u << 27,
    DF_FCC = DF_FC0 | DF_FC1 | DF_FC2 | DF_FC3,
};

/* FXSAVE (64-bit layout, SDM Vol. 1 10.5.1 Table 10-2) offsets used here. */
enum {
    FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_MXCSR = 24, FX_ST = 32, FX_XMM = 160, FX_SIZE = 512,
};

/* Exception field of a final state. */
enum { DIFF_EXC_NONE = -1, DIFF_EXC_CRASH = -2, DIFF_EXC_TIMEOUT = -3 };

/* A machine state: the initial one, or what a run left. */
typedef struct DiffState {
    uint64_t regs[16];             /* RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15 */
    uint64_t rip;
    uint64_t rflags;
    int exception;                 /* DIFF_EXC_NONE, vector 0..31, or DIFF_EXC_CRASH/TIMEOUT */
    uint8_t data[DIFF_DATA_SIZE];  /* the data page */
    uint8_t fx[FX_SIZE];           /* x87/MMX/SSE state as an FXSAVE image */
} DiffState;

/* What one instruction does to the arithmetic flags (x86diff_flags.c). */
typedef struct DiffFlagEffect {
    uint32_t def;     /* written with a defined value */
    uint32_t undef;   /* written with an undefined value */
    uint32_t read;    /* read (its result depends on them) */
} DiffFlagEffect;

/** The flag effect of instruction name (a fine mnemonic such as "rcl") at
 *  operand size opsize (bytes). count: the shift/rotate count as encoded
 *  (-1 unknown), cond: the condition code 0..15 of jcc/setcc/cmovcc,
 *  rep_count: the RCX count of a REP string op (-1: no REP). Cites the SDM
 *  Vol. 2 "Flags Affected" of each instruction. */
DiffFlagEffect diff_flag_effect(const char *name, int opsize, int count, int cond, int rep_count);

/* Fixups applied at layout time. */
enum { FIX_NONE, FIX_REL8, FIX_REL32, FIX_RIPREL };

typedef struct DiffInsn {
    uint8_t bytes[15];
    uint8_t len;
    uint8_t fix;          /* FIX_* */
    uint8_t fix_at;       /* offset of the rel/disp field in bytes */
    int target_unit;      /* REL8/REL32: unit index to jump to (== nunits: the end) */
    uint64_t rip_target;  /* RIPREL: absolute address the operand refers to */
    bool uncond;          /* REL8/REL32: JMP (no fall-through) */
    const char *name;     /* fine mnemonic (for reports) */
    DiffFlagEffect fx;
} DiffInsn;

#define DIFF_UNIT_INSNS 5
#define DIFF_MAX_UNITS 8

typedef struct DiffUnit {
    DiffInsn insn[DIFF_UNIT_INSNS];
    int ninsns;
    const char *name;     /* the instruction under test */
} DiffUnit;

typedef struct DiffSeq {
    DiffUnit unit[DIFF_MAX_UNITS];
    int nunits;
} DiffSeq;

/* A sequence laid out at DIFF_CODE_BASE with its flag analysis. */
typedef struct DiffLayout {
    uint8_t code[DIFF_CODE_MAX];
    size_t len;
    int ninsns;
    uint16_t insn_off[DIFF_MAX_UNITS * DIFF_UNIT_INSNS];
    uint32_t insn_undef[DIFF_MAX_UNITS * DIFF_UNIT_INSNS]; /* flags possibly undefined before each insn */
    uint32_t final_undef;          /* ... at the end */
    bool reads_undefined;          /* some insn reads a possibly undefined flag */
} DiffLayout;

/* One encodable form of x86_opcodes.def (groups expanded by ModRM.reg). */
typedef struct DiffForm {
    const char *name;              /* fine mnemonic: "add", "rcl", "jcc", "movsxd" */
    const char *table_name;        /* mnemonic in x86_opcodes.def: "grp2" */
    uint8_t map, opcode;
    int8_t reg;                    /* ModRM.reg of a group member, else -1 */
    uint8_t op[3];                 /* X86Operand */
    uint16_t tflags;               /* X86F_* */
} DiffForm;

typedef struct DiffGen DiffGen;

/** Build the form list from x86_opcodes.def, keeping the integer forms
 *  valid in 64-bit mode whose fine or table mnemonic is only (NULL: all).
 *  Returns NULL (with nothing allocated) if only matches nothing. */
DiffGen *diff_gen_create(const char *only);
/** Free a generator from diff_gen_create (NULL is fine). */
void diff_gen_destroy(DiffGen *g);
/** Number of distinct fine mnemonics selected, and the i-th one. */
int diff_gen_mnemonic_count(const DiffGen *g);
const char *diff_gen_mnemonic(const DiffGen *g, int i);
/** Restrict further generation to fine mnemonic name (NULL: all selected). */
void diff_gen_focus(DiffGen *g, const char *name);

/** Generate x87/MMX/SSE sequences (and FP initial states) instead of
 *  integer ones (x86diff -fp). */
void diff_gen_set_fp(DiffGen *g, bool on);

/** One random x87/MMX/SSE instruction (x86diff_fpgen.c) whose memory
 *  operand, if any, is [base_reg + disp32] inside the data page
 *  (base_reg = DIFF_DATA_BASE + base_off); GPR destinations are only
 *  RAX, RCX, RDX, RSI, RDI. Sets bytes, len, name and fx (flag effects,
 *  including the DF_FC* pseudo flags). */
void diff_fp_insn(uint64_t *rng, int base_reg, uint64_t base_off, DiffInsn *out);
/** Random x87/MMX/SSE initial state in st->fx and FP-flavoured data-page
 *  values (x86diff_fpgen.c). */
void diff_fp_state(uint64_t *rng, DiffState *st);
/** The default FXSAVE image (FNINIT state, MXCSR 1F80h). */
void diff_fp_default(uint8_t *fx);

/** A random initial state (registers, flags, data page) from *rng; also
 *  picks the data-page base register the sequence may not write. */
void diff_gen_state(DiffGen *g, uint64_t *rng, DiffState *st);
/** A random sequence of 1..8 units for the state diff_gen_state made last
 *  (0 units if the selected forms cannot be generated for that state). */
void diff_gen_sequence(DiffGen *g, uint64_t *rng, DiffSeq *seq);

/** Lay seq out at DIFF_CODE_BASE (fixups, flag analysis). False if it does
 *  not fit (too long, a rel8 jump out of range). */
bool diff_seq_layout(const DiffSeq *seq, DiffLayout *out);
/** Remove unit i. */
void diff_seq_remove(DiffSeq *seq, int i);

/** xorshift64* step. */
uint64_t diff_rand(uint64_t *rng);

#endif
