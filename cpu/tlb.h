/*
 * The softmmu TLB: one direct-mapped table per MMU index (privilege/mode),
 * filled from the guest's page walk (GuestArch.tlb_fill). On a hit, host
 * address = guest virtual address + addend. The low bits of addr_read/
 * addr_write/addr_code carry TLB_* flags; any set flag makes the inline
 * compare in generated code fail and sends the access to the slow path.
 */
#ifndef DOPPEL_CPU_TLB_H
#define DOPPEL_CPU_TLB_H

#include <stdbool.h>
#include <stdint.h>

#define TLB_PAGE_BITS 12
#define TLB_PAGE_SIZE (1ull << TLB_PAGE_BITS)
#define TLB_PAGE_MASK (~(TLB_PAGE_SIZE - 1))
#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_MAX_MMU 8

enum {
    TLB_INVALID = 1u << 11,   /* entry empty, or this access kind not allowed */
    TLB_MMIO = 1u << 10,      /* not RAM: go through the AddressSpace */
    TLB_NOTDIRTY = 1u << 9,   /* RAM page holding code: writes invalidate TBs */
    TLB_FLAGS_MASK = TLB_INVALID | TLB_MMIO | TLB_NOTDIRTY,
};

typedef struct TlbEntry {
    uint64_t addr_read;       /* page vaddr | flags, or TLB_INVALID */
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;         /* host - guest virtual, valid for RAM */
} TlbEntry;

/* Extra, slow-path-only data per entry. */
typedef struct TlbFull {
    uint64_t phys;            /* guest physical page address */
    uint32_t attrs;
} TlbFull;

typedef struct CpuTlb {
    TlbEntry table[TLB_MAX_MMU][TLB_SIZE];
    TlbFull full[TLB_MAX_MMU][TLB_SIZE];
} CpuTlb;

typedef enum MmuAccess { MMU_READ = 0, MMU_WRITE = 1, MMU_FETCH = 2 } MmuAccess;

struct CpuCommon;

static inline unsigned tlb_index(uint64_t vaddr) { return (vaddr >> TLB_PAGE_BITS) & (TLB_SIZE - 1); }

/** Invalidate every entry of every MMU index. */
void tlb_flush(struct CpuCommon *cpu);
/** Invalidate the entries mapping the page of vaddr in every MMU index. */
void tlb_flush_page(struct CpuCommon *cpu, uint64_t vaddr);
/** Invalidate every entry of one MMU index (bit mask of indexes). */
void tlb_flush_mmu_mask(struct CpuCommon *cpu, unsigned mmu_mask);
/** Called by GuestArch.tlb_fill: map the page of vaddr to guest physical
 *  paddr with the given permissions (prot: bit0 read, bit1 write, bit2 exec). */
void tlb_set_page(struct CpuCommon *cpu, uint64_t vaddr, uint64_t paddr, unsigned prot, int mmu_idx);
enum { PROT_R = 1, PROT_W = 2, PROT_X = 4 };

/** Slow paths called by generated code on a TLB miss or a flagged entry.
 *  memop is an IrMemOp (size, sign, alignment, mmu index); retaddr locates
 *  the guest instruction for precise exceptions. */
uint64_t tlb_load_slow(struct CpuCommon *cpu, uint64_t vaddr, uint64_t memop, uintptr_t retaddr);
void tlb_store_slow(struct CpuCommon *cpu, uint64_t vaddr, uint64_t val, uint64_t memop, uintptr_t retaddr);

/** Guest loads/stores from C helpers (same semantics as generated code). */
uint64_t cpu_ld(struct CpuCommon *cpu, uint64_t vaddr, uint32_t memop, uintptr_t retaddr);
void cpu_st(struct CpuCommon *cpu, uint64_t vaddr, uint64_t val, uint32_t memop, uintptr_t retaddr);
/** Guest physical address of the code at vaddr (fills the TLB; raises on fault). */
uint64_t cpu_code_phys(struct CpuCommon *cpu, uint64_t vaddr, int mmu_idx);

#endif
