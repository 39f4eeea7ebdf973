/*
 * Engine internals shared by cpu/engine.c, cpu/tb.c, cpu/translate.c,
 * cpu/tlb.c and cpu/exec.c (not for guests or backends).
 *
 * Storage: TB structs and their insn_end/insn_data arrays come from one
 * bump arena; host code from the CodeBuffer. Both are emptied together by
 * engine_flush, so TBs are created in host-address order and a plain array
 * of them (tbs[]) is sorted for cpu_restore_state's binary search.
 */
#ifndef DOPPEL_CPU_ENGINE_INT_H
#define DOPPEL_CPU_ENGINE_INT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/engine.h"

#define TB_HASH_BITS 15
#define TB_HASH_SIZE (1u << TB_HASH_BITS)
#define TB_MAX_INSNS 512
#define TB_MAX_BYTES (2 * TLB_PAGE_SIZE)

/* Guest physical page holding translated code: its TBs are chained through
 * TranslationBlock.page_next[n], n being the index with page_addr[n] == page. */
typedef struct CodePage {
    uint64_t page;            /* guest physical page address; UINT64_MAX = empty slot */
    TranslationBlock *head;
} CodePage;

typedef struct TbStore {
    /* arena for TranslationBlock + per-insn arrays */
    uint8_t *arena;
    size_t arena_size, arena_used;
    /* TBs in creation order == host code order */
    TranslationBlock **tbs;
    size_t ntbs, cap_tbs;
    /* (phys_pc, cs_base, flags, pc, cflags) hash */
    TranslationBlock *hash[TB_HASH_SIZE];
    /* open-addressed table of code pages */
    CodePage *pages;
    size_t npages_cap, npages_used;
    /* CPUs bound to the engine (their TLBs and jump caches) */
    CpuCommon **cpus;
    int ncpus, cap_cpus;
    bool ir_ready;            /* arch->init_ir ran */
    /* translation in progress */
    void *disas;              /* arch->disas_size bytes */
    void *disas_save;         /* snapshot before each insn */
    sigjmp_buf abort_insn;    /* translator_ld* jumps here to drop a page-crossing insn */
    bool can_abort;
    int fetch_mmu_idx;        /* MMU index for instruction fetch of this TB */
    uint8_t code_bytes[TB_MAX_BYTES + 16];  /* guest bytes of the TB (for -d in_asm) */
    uint32_t ncode_bytes;
    uint64_t flush_count;     /* bumped by engine_flush: TB pointers held across it are stale */
    unsigned mem_generation;  /* mem->generation the TBs were translated under */
} TbStore;

static inline TbStore *engine_store(Engine *e) { return (TbStore *)e->tb_store; }

/* ---- tb.c ---- */
/** Set up / free the store (hash, page table, arena of arena_size bytes). */
bool tb_store_init(TbStore *s, size_t arena_size);
void tb_store_free(TbStore *s);
/** Bump-allocate zeroed, 16-byte aligned metadata; NULL if the arena is full. */
void *tb_arena_alloc(TbStore *s, size_t size);
/** Forget every TB (hash, pages with their MEM_PAGE_CODE flags, arena). */
void tb_store_reset(Engine *e);
/** Publish a freshly generated TB: hash, page lists (marking code pages and
 *  write-protecting them in every CPU's TLB), host-order array. */
void tb_link(Engine *e, TranslationBlock *tb);
/** Find a valid TB by its full key; NULL if none. */
TranslationBlock *tb_lookup_hash(Engine *e, uint64_t pc, uint64_t phys_pc, uint64_t cs_base,
                                 uint32_t flags, uint32_t cflags);
/** The TB whose host code contains host address addr (NULL: none). */
TranslationBlock *tb_find_by_host(Engine *e, uintptr_t addr);
/** Chain src's exit slot n to dst (no-op if not chainable). */
void tb_add_jump(Engine *e, TranslationBlock *src, int n, TranslationBlock *dst);
/** Invalidate TBs overlapping guest physical [start, end). If cur_retaddr
 *  lies inside one of them (and it is not a one-insn TB), returns it so the
 *  caller can re-execute the store in a one-insn TB; else NULL. */
TranslationBlock *tb_invalidate_phys_range(Engine *e, uint64_t start, uint64_t end,
                                           uintptr_t cur_retaddr);
/** Does guest physical page (page address) hold any TB? */
bool tb_page_has_code(Engine *e, uint64_t page);
/** Jump-cache slot of virtual pc (a page's entries share a 64-slot run). */
static inline unsigned tb_jmp_cache_hash(uint64_t pc)
{
    unsigned page = (unsigned)(pc >> TLB_PAGE_BITS) & 0x3f;
    unsigned off = (unsigned)((pc ^ (pc >> 6)) & 0x3f);
    return (page << 6) | off;
}

/* ---- translate.c ---- */
/** Translate a TB for the cpu's current state; handles a full code cache by
 *  flushing. May leave through the guest's fault path (fetch fault). */
TranslationBlock *tb_gen_code(CpuCommon *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                              uint32_t cflags, uint64_t phys_pc);

/* ---- tlb.c ---- */
/** Code-TLB probe: guest physical address of vaddr's code without raising;
 *  false if the page is not mapped for execution. */
bool tlb_probe_code(CpuCommon *cpu, uint64_t vaddr, int mmu_idx, uint64_t *phys);
/** Add TLB_NOTDIRTY to every write entry of every engine CPU mapping page. */
void tlb_protect_code_page(Engine *e, uint64_t page);

/* ---- exec.c ---- */
/** Clear every entry of cpu's jump cache. */
void cpu_jmp_cache_clear(CpuCommon *cpu);
/** Make the next TB entry return to the loop (no exit request). */
void cpu_budget_kick(CpuCommon *cpu);
/** retaddr if it is in translated code, else the interpreter's
 *  helper_retaddr (a C helper's CPU_GETPC), else retaddr. */
uintptr_t cpu_effective_retaddr(CpuCommon *cpu, uintptr_t retaddr);

#endif
