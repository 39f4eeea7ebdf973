/*
 * Translation blocks: a run of guest code translated as a unit, keyed by
 * (guest physical pc, cs_base, flags). Each TB has two direct exits that can
 * be chained to other TBs by patching host code, a list of incoming chains
 * (so invalidation can unchain them), and per-instruction restore data for
 * precise exceptions.
 */
#ifndef DOPPEL_CPU_TB_H
#define DOPPEL_CPU_TB_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/ir/ir.h"

#define TB_NO_JUMP 0xffffu

enum {
    TB_CF_COUNT_MASK = 0x1ff,   /* cflags: max guest insns (0 = default) */
    TB_CF_SINGLE_INSN = 1u << 9,
    TB_CF_NO_CHAIN = 1u << 10,
};

/* Values returned by exec: a TB pointer tagged in its low 2 bits. */
enum {
    TB_EXIT_SLOT0 = 0,          /* left through goto_tb 0 unchained */
    TB_EXIT_SLOT1 = 1,          /* left through goto_tb 1 unchained */
    TB_EXIT_REQUESTED = 2,      /* budget/exit request seen at entry of this TB (not executed) */
    TB_EXIT_NOCHAIN = 3,        /* exit_tb(0) / lookup miss: nothing to chain */
    TB_EXIT_MASK = 3,
};

typedef struct TranslationBlock {
    uint64_t pc;                 /* guest virtual pc */
    uint64_t cs_base;
    uint32_t flags;              /* guest mode bits that change decoding */
    uint32_t cflags;
    uint64_t phys_pc;
    uint64_t page_addr[2];       /* guest physical pages spanned; [1] = -1 if one */
    uint32_t size;               /* guest code bytes */
    uint32_t icount;             /* guest instructions */

    uint8_t *host_code;          /* executable view */
    uint32_t host_size;
    uint16_t jmp_insn_offset[2]; /* backend: where goto_tb n's patchable jump is (TB_NO_JUMP: none) */
    uint16_t jmp_reset_offset[2];/* backend: where the unchained path of slot n starts */
    struct TranslationBlock *jmp_dest[2];  /* chained to (NULL: not) */
    uintptr_t jmp_list_head;     /* incoming: tagged (tb | slot) list */
    uintptr_t jmp_list_next[2];

    uint32_t *insn_end;          /* host code offset where guest insn i's code ends */
    uint64_t *insn_data;         /* IR_INSN_WORDS per guest insn */

    struct TranslationBlock *hash_next;
    struct TranslationBlock *page_next[2];
    bool invalid;
} TranslationBlock;

#endif
