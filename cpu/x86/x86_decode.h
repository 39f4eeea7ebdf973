/*
 * x86 instruction decoder (Intel SDM Vol. 2, ch. 2 "Instruction Format").
 * Turns bytes into an X86Insn: prefixes, opcode, ModRM/SIB/displacement,
 * immediates and effective operand/address sizes, from the table in
 * x86_opcodes.def. It knows nothing about the IR; the translator does.
 * Bytes come through a fetch callback, so the decoder is testable on a
 * plain buffer and the translator can fetch through the code TLB.
 */
#ifndef DOPPEL_CPU_X86_X86_DECODE_H
#define DOPPEL_CPU_X86_X86_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* Operand kinds of the opcode table (SDM Vol. 2 A.2 notation). */
typedef enum X86Operand {
    __ = 0,
    Eb, Ev, Ew, Ed,           /* ModRM r/m: byte, operand size, word, dword (MOVSXD/ARPL) */
    Gb, Gv,                   /* ModRM reg */
    Sw,                       /* ModRM reg: segment register */
    Cd, Dd, Rd,               /* control/debug register in reg, GPR in r/m (mod must be 3) */
    M, Mp,                    /* memory only (checked by the translator), far pointer */
    Ib, Ibs, Iw, Iz, Iv,      /* imm8, imm8 sign-extended, imm16, imm16/32, imm16/32/64 */
    Jb, Jz,                   /* relative branch targets */
    Ob, Ov,                   /* moffs: address-size immediate offset */
    Ap,                       /* direct far pointer: offset then selector */
    AL, rAX, eAX, CL, DX, One,/* fixed registers / constant 1 */
    Zb, Zv,                   /* register in the opcode's low 3 bits (+REX.B) */
    X86_NB_OPERANDS
} X86Operand;

/* Opcode flags. */
enum {
    X86F_LOCK = 1u << 0,      /* LOCK allowed (with a memory destination) */
    X86F_I64 = 1u << 1,       /* invalid in 64-bit mode */
    X86F_D64 = 1u << 2,       /* default operand size 64 in 64-bit mode */
    X86F_F64 = 1u << 3,       /* operand size forced to 64 in 64-bit mode */
    X86F_ROW8 = 1u << 4,      /* entry covers opcode..opcode+7 */
    X86F_ROW16 = 1u << 5,     /* entry covers opcode..opcode+15 */
    X86F_BYTE = 1u << 6,      /* byte-sized string op */
    X86F_REP = 1u << 7,       /* REP/REPE/REPNE prefixes are meaningful */
    X86F_MODRM = 1u << 8,     /* has ModRM even if no operand says so */
    X86F_GRP3 = 1u << 9,      /* F6/F7: /0 and /1 take an immediate */
    X86F_GRP5 = 1u << 10,     /* FF: /2 /4 forced 64, /6 default 64 in 64-bit mode */
    X86F_REG0 = 1u << 11,     /* only ModRM.reg == 0 is valid */
};

typedef struct X86OpcodeInfo {
    const char *mnemonic;     /* NULL: no instruction (#UD) */
    uint8_t op[3];            /* X86Operand */
    uint16_t flags;
} X86OpcodeInfo;

/** The decode table entry of (map, opcode): map 0 = one-byte, 1 = 0F,
 *  2 = 0F 38, 3 = 0F 3A. */
const X86OpcodeInfo *x86_opcode_info(int map, uint8_t opcode);

typedef enum X86DecodeStatus {
    X86_DECODE_OK,
    X86_DECODE_UD,            /* undefined / invalid in this mode -> #UD */
    X86_DECODE_TOO_LONG,      /* more than 15 bytes -> #GP(0) */
} X86DecodeStatus;

/* Decoding mode: the code segment's default size. */
typedef enum X86CodeMode { X86_MODE16, X86_MODE32, X86_MODE64 } X86CodeMode;

enum { X86_SEG_NONE = -1 };

typedef struct X86Insn {
    uint64_t pc;              /* address of the first byte (offset within CS) */
    uint8_t len;
    uint8_t bytes[15];
    X86CodeMode mode;
    int map;
    uint8_t opcode;
    const X86OpcodeInfo *info;

    /* prefixes */
    int seg;                  /* segment override R_ES..R_GS, or X86_SEG_NONE */
    bool lock;
    uint8_t rep;              /* 0, 0xF3 (REP/REPE) or 0xF2 (REPNE): the last one seen */
    bool opsize_prefix;       /* 66 */
    bool addrsize_prefix;     /* 67 */
    uint8_t rex;              /* 0 if none; 0x40..0x4F */

    uint8_t opsize;           /* effective operand size in bytes: 2, 4 or 8 */
    uint8_t addrsize;         /* effective address size: 2, 4 or 8 */

    /* ModRM */
    bool has_modrm;
    uint8_t modrm;
    uint8_t mod;              /* 0..3 */
    uint8_t reg;              /* with REX.R: 0..15 */
    uint8_t rm;               /* with REX.B when mod == 3 or no SIB: 0..15 */
    /* memory operand (mod != 3) */
    int base;                 /* GPR index or -1 */
    int index;                /* GPR index or -1 */
    uint8_t scale;            /* 0..3 (shift) */
    int64_t disp;
    bool rip_relative;        /* 64-bit mode: disp is relative to the next insn */
    int default_seg;          /* R_DS, or R_SS for rBP/rSP based addressing */

    int64_t imm;              /* first immediate, sign- or zero-extended as the operand kind says */
    int64_t imm2;             /* second (ENTER's Ib, far pointer selector) */
} X86Insn;

typedef uint8_t (*X86FetchFn)(void *opaque, uint64_t addr);

/** Decode one instruction at pc in the given mode. Returns the status; on
 *  OK, insn is filled. Fetch faults are the fetch callback's business. */
X86DecodeStatus x86_decode(X86Insn *insn, X86CodeMode mode, uint64_t pc, X86FetchFn fetch,
                           void *opaque);

/** True if the operand kind is a register byte operand whose index 4..7
 *  means AH..BH (no REX prefix present). */
static inline bool x86_byte_reg_is_high(const X86Insn *in, int reg)
{
    return in->rex == 0 && reg >= 4 && reg < 8;
}

#endif
