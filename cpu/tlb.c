/*
 * The softmmu TLB: fills from the guest's page walk, flushes, and the slow
 * paths generated code calls on a miss or a flagged entry.
 *
 * Entry kinds made by tlb_set_page (by what backs the guest physical page):
 *   RAM            read/code/write direct (host = vaddr + addend); the write
 *                  entry carries TLB_NOTDIRTY while the page holds TBs
 *   RAM, VGA-logged read/code direct, write TLB_MMIO (as_write marks dirty)
 *   ROM            read/code direct, write TLB_MMIO (as_write ignores it)
 *   anything else  TLB_MMIO for every kind: as_read/as_write
 * A page not granted an access kind (prot) gets TLB_INVALID for that kind,
 * so the access misses and the guest's tlb_fill decides (usually a fault).
 *
 * Self-modifying code: a store that hits a TLB_NOTDIRTY entry first
 * invalidates the TBs its bytes overlap. If one of them is the TB doing the
 * store (found from retaddr) and it has more than one instruction, the rest
 * of that TB may be stale, so the store is NOT performed: the state is
 * restored to the storing instruction and the engine re-executes it alone
 * in a one-instruction TB (TB_CF_SINGLE_INSN), which completes the store and
 * ends; the next TB is translated from the new bytes. This relies on the
 * rule that precise faults already impose on front ends: an instruction
 * writes its guest registers only after its last memory access that may
 * fault. (An MMIO read earlier in the same instruction would be repeated.)
 */
#include <string.h>

#include "cpu/engine_int.h"

static inline TlbEntry *tlb_entry(CpuCommon *cpu, int mmu_idx, uint64_t vaddr)
{
    return &cpu->tlb->table[mmu_idx][tlb_index(vaddr)];
}

static inline TlbFull *tlb_full(CpuCommon *cpu, int mmu_idx, uint64_t vaddr)
{
    return &cpu->tlb->full[mmu_idx][tlb_index(vaddr)];
}

static void tlb_entry_clear(TlbEntry *te)
{
    te->addr_read = te->addr_write = te->addr_code = TLB_INVALID;
    te->addend = 0;
}

void tlb_flush_mmu_mask(CpuCommon *cpu, unsigned mmu_mask)
{
    for (int m = 0; m < TLB_MAX_MMU; m++) {
        if (!(mmu_mask & (1u << m)))
            continue;
        for (unsigned i = 0; i < TLB_SIZE; i++)
            tlb_entry_clear(&cpu->tlb->table[m][i]);
    }
    /* The jump cache maps virtual pcs without checking the mapping. */
    cpu_jmp_cache_clear(cpu);
}

void tlb_flush(CpuCommon *cpu)
{
    tlb_flush_mmu_mask(cpu, (1u << TLB_MAX_MMU) - 1);
}

static bool entry_maps_page(const TlbEntry *te, uint64_t page)
{
    return (te->addr_read & ~(uint64_t)TLB_FLAGS_MASK) == page
           || (te->addr_write & ~(uint64_t)TLB_FLAGS_MASK) == page
           || (te->addr_code & ~(uint64_t)TLB_FLAGS_MASK) == page;
}

void tlb_flush_page(CpuCommon *cpu, uint64_t vaddr)
{
    uint64_t page = vaddr & TLB_PAGE_MASK;
    for (int m = 0; m < TLB_MAX_MMU; m++) {
        TlbEntry *te = tlb_entry(cpu, m, page);
        if (entry_maps_page(te, page))
            tlb_entry_clear(te);
    }
    /* TBs starting on this page or the previous one (which may spill into it). */
    unsigned a = tb_jmp_cache_hash(page) & ~0x3fu;
    unsigned b = tb_jmp_cache_hash(page - TLB_PAGE_SIZE) & ~0x3fu;
    for (unsigned i = 0; i < 64; i++) {
        cpu->jmp_cache[a + i] = NULL;
        cpu->jmp_cache[b + i] = NULL;
    }
}

void tlb_set_page(CpuCommon *cpu, uint64_t vaddr, uint64_t paddr, unsigned prot, int mmu_idx)
{
    if (mmu_idx < 0 || mmu_idx >= TLB_MAX_MMU)
        return;
    uint64_t vpage = vaddr & TLB_PAGE_MASK, ppage = paddr & TLB_PAGE_MASK;
    MemRegion *mr = NULL;
    uint8_t *host = cpu->mem ? as_host_ptr(cpu->mem, ppage, TLB_PAGE_SIZE, &mr) : NULL;
    uint64_t rflags = TLB_MMIO, wflags = TLB_MMIO;
    if (host) {
        rflags = 0;
        if (mr->kind == MR_RAM && !mr->log_vga)
            wflags = (as_page_flags(cpu->mem, ppage) & MEM_PAGE_CODE) ? TLB_NOTDIRTY : 0;
    }
    TlbEntry *te = tlb_entry(cpu, mmu_idx, vpage);
    te->addr_read = (prot & PROT_R) ? (vpage | rflags) : TLB_INVALID;
    te->addr_code = (prot & PROT_X) ? (vpage | rflags) : TLB_INVALID;
    te->addr_write = (prot & PROT_W) ? (vpage | wflags) : TLB_INVALID;
    te->addend = host ? (uintptr_t)host - (uintptr_t)vpage : 0;
    TlbFull *tf = tlb_full(cpu, mmu_idx, vpage);
    tf->phys = ppage;
    tf->attrs = prot;
}

void tlb_protect_code_page(Engine *e, uint64_t page)
{
    TbStore *s = engine_store(e);
    for (int c = 0; c < s->ncpus; c++) {
        CpuTlb *tlb = s->cpus[c]->tlb;
        for (int m = 0; m < TLB_MAX_MMU; m++) {
            for (unsigned i = 0; i < TLB_SIZE; i++) {
                TlbEntry *te = &tlb->table[m][i];
                if (!(te->addr_write & (TLB_INVALID | TLB_MMIO)) && tlb->full[m][i].phys == page)
                    te->addr_write |= TLB_NOTDIRTY;
            }
        }
    }
}

/* ---- slow paths ---- */

static uint64_t tlb_addr_of(const TlbEntry *te, MmuAccess access)
{
    return access == MMU_READ ? te->addr_read : access == MMU_WRITE ? te->addr_write : te->addr_code;
}

static bool tlb_hit(uint64_t tlb_addr, uint64_t vaddr)
{
    return (tlb_addr & (TLB_PAGE_MASK | TLB_INVALID)) == (vaddr & TLB_PAGE_MASK);
}

/* Make sure the entry for vaddr allows access (refilling through the
 * guest, which raises on a fault unless probe). Returns the entry, or NULL
 * when a probe found no mapping. */
static TlbEntry *tlb_lookup(CpuCommon *cpu, uint64_t vaddr, int size, MmuAccess access,
                            int mmu_idx, bool probe, uintptr_t retaddr)
{
    TlbEntry *te = tlb_entry(cpu, mmu_idx, vaddr);
    if (tlb_hit(tlb_addr_of(te, access), vaddr))
        return te;
    if (!cpu->arch->tlb_fill(cpu, vaddr, size, access, mmu_idx, probe, retaddr))
        return NULL;
    te = tlb_entry(cpu, mmu_idx, vaddr);
    if (!tlb_hit(tlb_addr_of(te, access), vaddr)) {
        /* The guest mapped the page without granting this access: treat it
         * as an uncached MMIO-style access to the physical page it chose. */
        te->addr_read = te->addr_write = te->addr_code = (vaddr & TLB_PAGE_MASK) | TLB_MMIO;
        te->addend = 0;
    }
    return te;
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t sign_extend(uint64_t v, uint32_t memop)
{
    unsigned bits = 8u << (memop & IR_MO_SIZE);
    if (bits < 64) {
        v &= (1ull << bits) - 1;
        if ((memop & IR_MO_SIGN) && (v >> (bits - 1)) & 1)
            v |= ~0ull << bits;
    }
    return v;
}

/* A physical-memory view change (map edit, PAM, BAR move) since the TLB
 * was filled: drop every entry so nothing bypasses the new map. */
static void tlb_check_generation(CpuCommon *cpu)
{
    if (cpu->mem && cpu->mem->generation != cpu->mem_generation) {
        cpu->mem_generation = cpu->mem->generation;
        tlb_flush(cpu);
        /* Chained TBs would not notice; the loop also drops TBs. */
        cpu_budget_kick(cpu);
    }
}

/* One access that stays within a page. */
static uint64_t load_one(CpuCommon *cpu, uint64_t vaddr, unsigned size, int mmu_idx,
                         uintptr_t retaddr)
{
    TlbEntry *te = tlb_lookup(cpu, vaddr, (int)size, MMU_READ, mmu_idx, false, retaddr);
    if (te->addr_read & TLB_MMIO) {
        uint64_t phys = tlb_full(cpu, mmu_idx, vaddr)->phys | (vaddr & ~TLB_PAGE_MASK);
        uint64_t v = as_read(cpu->mem, phys, size);
        tlb_check_generation(cpu);   /* a device may have remapped memory */
        return v;
    }
    return load_le((const uint8_t *)(uintptr_t)(vaddr + te->addend), size);
}

static void store_one(CpuCommon *cpu, uint64_t vaddr, uint64_t val, unsigned size, int mmu_idx,
                      uintptr_t retaddr)
{
    TlbEntry *te = tlb_lookup(cpu, vaddr, (int)size, MMU_WRITE, mmu_idx, false, retaddr);
    uint64_t phys = tlb_full(cpu, mmu_idx, vaddr)->phys | (vaddr & ~TLB_PAGE_MASK);
    if (te->addr_write & TLB_MMIO) {
        as_write(cpu->mem, phys, val, size);
        tlb_check_generation(cpu);   /* a device may have remapped memory */
        return;
    }
    if (te->addr_write & TLB_NOTDIRTY) {
        Engine *e = cpu->engine;
        if (tb_invalidate_phys_range(e, phys, phys + size, cpu_effective_retaddr(cpu, retaddr))) {
            /* The running TB overwrote itself: re-run this insn alone. */
            cpu_restore_state(cpu, retaddr);
            cpu->cflags_next_tb = TB_CF_SINGLE_INSN | 1;
            cpu_loop_exit(cpu);
        }
        te = tlb_entry(cpu, mmu_idx, vaddr);
        if (!tb_page_has_code(e, phys & TLB_PAGE_MASK))
            te->addr_write &= ~(uint64_t)TLB_NOTDIRTY;
    }
    store_le((uint8_t *)(uintptr_t)(vaddr + te->addend), val, size);
}

static void check_align(CpuCommon *cpu, uint64_t vaddr, uint32_t memop, MmuAccess access,
                        uintptr_t retaddr)
{
    unsigned size = ir_memop_size(memop);
    if ((memop & IR_MO_ALIGN) && (vaddr & (size - 1)) && cpu->arch->unaligned)
        cpu->arch->unaligned(cpu, vaddr, access, (int)ir_memop_mmu(memop), retaddr);
}

static bool crosses_page(uint64_t vaddr, unsigned size)
{
    return (vaddr & ~TLB_PAGE_MASK) + size > TLB_PAGE_SIZE;
}

uint64_t tlb_load_slow(CpuCommon *cpu, uint64_t vaddr, uint64_t memop, uintptr_t retaddr)
{
    unsigned size = ir_memop_size((IrMemOp)memop);
    int mmu_idx = (int)ir_memop_mmu((IrMemOp)memop);
    tlb_check_generation(cpu);
    check_align(cpu, vaddr, (uint32_t)memop, MMU_READ, retaddr);
    uint64_t v;
    if (crosses_page(vaddr, size)) {
        v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= load_one(cpu, vaddr + i, 1, mmu_idx, retaddr) << (8 * i);
    } else {
        v = load_one(cpu, vaddr, size, mmu_idx, retaddr);
    }
    return sign_extend(v, (uint32_t)memop);
}

void tlb_store_slow(CpuCommon *cpu, uint64_t vaddr, uint64_t val, uint64_t memop, uintptr_t retaddr)
{
    unsigned size = ir_memop_size((IrMemOp)memop);
    int mmu_idx = (int)ir_memop_mmu((IrMemOp)memop);
    tlb_check_generation(cpu);
    check_align(cpu, vaddr, (uint32_t)memop, MMU_WRITE, retaddr);
    if (!crosses_page(vaddr, size)) {
        store_one(cpu, vaddr, val, size, mmu_idx, retaddr);
        return;
    }
    /* Fault on either page before writing any byte. */
    uint64_t second = (vaddr + size - 1) & TLB_PAGE_MASK;
    tlb_lookup(cpu, vaddr, 1, MMU_WRITE, mmu_idx, false, retaddr);
    tlb_lookup(cpu, second, 1, MMU_WRITE, mmu_idx, false, retaddr);
    for (unsigned i = 0; i < size; i++)
        store_one(cpu, vaddr + i, (val >> (8 * i)) & 0xff, 1, mmu_idx, retaddr);
}

/* Fast path for C helpers (same as the generated inline path). */
uint64_t cpu_ld(CpuCommon *cpu, uint64_t vaddr, uint32_t memop, uintptr_t retaddr)
{
    unsigned size = ir_memop_size(memop);
    TlbEntry *te = tlb_entry(cpu, (int)ir_memop_mmu(memop), vaddr);
    if (!(memop & IR_MO_ALIGN) || !(vaddr & (size - 1))) {
        if (!crosses_page(vaddr, size) && te->addr_read == (vaddr & TLB_PAGE_MASK)
            && cpu->mem_generation == (cpu->mem ? cpu->mem->generation : 0))
            return sign_extend(load_le((const uint8_t *)(uintptr_t)(vaddr + te->addend), size),
                               memop);
    }
    return tlb_load_slow(cpu, vaddr, memop, retaddr);
}

void cpu_st(CpuCommon *cpu, uint64_t vaddr, uint64_t val, uint32_t memop, uintptr_t retaddr)
{
    unsigned size = ir_memop_size(memop);
    TlbEntry *te = tlb_entry(cpu, (int)ir_memop_mmu(memop), vaddr);
    if (!(memop & IR_MO_ALIGN) || !(vaddr & (size - 1))) {
        if (!crosses_page(vaddr, size) && te->addr_write == (vaddr & TLB_PAGE_MASK)
            && cpu->mem_generation == (cpu->mem ? cpu->mem->generation : 0)) {
            store_le((uint8_t *)(uintptr_t)(vaddr + te->addend), val, size);
            return;
        }
    }
    tlb_store_slow(cpu, vaddr, val, memop, retaddr);
}

uint64_t cpu_code_phys(CpuCommon *cpu, uint64_t vaddr, int mmu_idx)
{
    tlb_check_generation(cpu);
    tlb_lookup(cpu, vaddr, 1, MMU_FETCH, mmu_idx, false, 0);
    return tlb_full(cpu, mmu_idx, vaddr)->phys | (vaddr & ~TLB_PAGE_MASK);
}

bool tlb_probe_code(CpuCommon *cpu, uint64_t vaddr, int mmu_idx, uint64_t *phys)
{
    if (!tlb_lookup(cpu, vaddr, 1, MMU_FETCH, mmu_idx, true, 0))
        return false;
    *phys = tlb_full(cpu, mmu_idx, vaddr)->phys | (vaddr & ~TLB_PAGE_MASK);
    return true;
}
