/*
 * "toy": a tiny made-up 32-bit ISA used to test the guest-neutral engine
 * end to end (tests/unit/test_engine.c, bench/engine.c).
 *
 * State: r0..r7 (r7 is the link register of CALL/RET), pc, flags (set by
 * CMP: bit0 equal, bit1 signed less, bit2 unsigned less), mode (bit0 =
 * MMU index and TB flag).
 *
 * Encoding: little-endian 32-bit words, byte 0 = opcode, byte 1 = rd (low
 * nibble) and ra (high nibble), bytes 2..3 = rb (low nibble of byte 2) or a
 * 16-bit immediate. MOVI is followed by a second word holding imm32 (an
 * 8-byte instruction, so instructions can straddle pages). JMP/CALL hold a
 * signed 24-bit word offset in bytes 1..3; branch offsets are signed 16-bit
 * word counts; both are relative to the next instruction. Register fields
 * use their low 3 bits.
 *
 * Memory: virtual == physical (identity tlb_fill), except one configurable
 * unmapped page (ToyCpu.unmapped_page) whose accesses page-fault.
 * Exceptions go to ToyCpu.vector if non-zero (r6 = faulting pc), else the
 * CPU halts; either way excp_count/last_excp/excp_pc/fault_addr record it.
 */
#ifndef DOPPEL_TESTS_TOY_TOY_H
#define DOPPEL_TESTS_TOY_TOY_H

#include <stdint.h>

#include "cpu/cpu.h"
#include "cpu/guest.h"

enum ToyOpcode {
    TOY_NOP = 0, TOY_MOVI, TOY_ADD, TOY_SUB, TOY_MUL, TOY_AND, TOY_OR, TOY_XOR, TOY_SHL, TOY_SHR,
    TOY_ADDI,                 /* rd = ra + simm16 */
    TOY_LD, TOY_ST,           /* rd <-> word at ra + simm16 */
    TOY_LDB, TOY_STB,         /* byte, zero-extended */
    TOY_LDA,                  /* word load that faults (TOY_EXCP_ALIGN) if unaligned */
    TOY_CMP,                  /* flags = compare(ra, rb) */
    TOY_BEQ, TOY_BNE, TOY_BLT, TOY_BGE, TOY_BLTU, TOY_BGEU,
    TOY_JMP, TOY_CALL, TOY_RET,
    TOY_JR,                   /* pc = ra (indirect) */
    TOY_FAULT,                /* raise TOY_EXCP_FAULT */
    TOY_HALT,
    TOY_NB_OPS
};

enum {
    TOY_EXCP_FAULT = 1,
    TOY_EXCP_PAGE = 2,
    TOY_EXCP_ALIGN = 3,
    TOY_EXCP_ILLEGAL = 4,
    TOY_EXCP_IRQ = 5,
};

enum { TOY_FLAG_EQ = 1, TOY_FLAG_LT = 2, TOY_FLAG_LTU = 4 };

typedef struct ToyCpu {
    CpuCommon common;
    uint32_t r[8];
    uint32_t pc;
    uint32_t flags;
    uint32_t mode;
    uint32_t vector;          /* exception entry, 0: halt on exceptions */
    uint32_t excp_count, last_excp, excp_pc, fault_addr;
    uint64_t unmapped_page;   /* page address that faults; UINT64_MAX: none */
    CpuTlb tlb;
} ToyCpu;

/** The toy GuestArch. */
extern const GuestArch toy_arch;

static inline ToyCpu *toy_cpu(CpuCommon *c) { return (ToyCpu *)c; }

/* ---- a minimal assembler for tests ---- */

typedef struct ToyAsm {
    uint8_t *buf;             /* host memory holding guest address base */
    uint32_t base;
    uint32_t pc;              /* next guest address */
} ToyAsm;

/** Start assembling into buf, which holds guest address base, at pc. */
static inline void toy_asm_init(ToyAsm *a, uint8_t *buf, uint32_t base, uint32_t pc)
{
    a->buf = buf;
    a->base = base;
    a->pc = pc;
}
/** Encode a plain word. */
static inline uint32_t toy_enc(unsigned op, unsigned rd, unsigned ra, uint32_t imm16)
{
    return (op & 0xff) | (rd & 0xf) << 8 | (ra & 0xf) << 12 | (imm16 & 0xffff) << 16;
}
/** Append one word; returns its address. */
uint32_t toy_emit(ToyAsm *a, uint32_t word);
uint32_t toy_movi(ToyAsm *a, unsigned rd, uint32_t imm);
uint32_t toy_alu(ToyAsm *a, unsigned op, unsigned rd, unsigned ra, unsigned rb);
uint32_t toy_addi(ToyAsm *a, unsigned rd, unsigned ra, int32_t imm);
uint32_t toy_mem(ToyAsm *a, unsigned op, unsigned rd, unsigned ra, int32_t imm);
uint32_t toy_cmp(ToyAsm *a, unsigned ra, unsigned rb);
/** Conditional branch / JMP / CALL to target (patch later with toy_patch). */
uint32_t toy_branch(ToyAsm *a, unsigned op, uint32_t target);
uint32_t toy_jmp(ToyAsm *a, unsigned op, uint32_t target);
/** Re-point the branch/JMP/CALL at address at to target. */
void toy_patch(ToyAsm *a, uint32_t at, uint32_t target);
uint32_t toy_simple(ToyAsm *a, unsigned op, unsigned rd, unsigned ra);

#endif
