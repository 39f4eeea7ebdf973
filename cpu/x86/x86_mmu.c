/*
 * x86 paging (Intel SDM Vol. 3A ch. 4): the walks of 32-bit paging (4.3,
 * 4 MiB pages with CR4.PSE), PAE paging (4.4) and 4-level IA-32e paging
 * (4.5); access rights (4.6: U/S, R/W with CR0.WP, XD with EFER.NXE);
 * accessed and dirty bits (4.8), written back to guest memory; page-fault
 * error codes and CR2 (4.7); INVLPG (4.10.4.1).
 *
 * The softmmu TLB holds 4 KiB pages, so a large page is entered 4 KiB at a
 * time; INVLPG inside a large page then flushes everything (a range of all
 * large pages mapped since the last flush is kept to know). A page whose
 * dirty bit is clear is entered read-only even if writable, so the first
 * write comes back here and sets D. PDPTEs of PAE paging are read during
 * the walk rather than cached at CR3 load (AMD behaviour; Intel caches
 * them, which only matters to guests that modify live PDPTEs without
 * reloading CR3).
 */
#include "cpu/x86/x86_mmu.h"

#include "cpu/tlb.h"
#include "cpu/x86/x86_system.h"
#include "cpu/x86/x86_util.h"
#include "machine/memory.h"

#define PHYS_BITS 40                                   /* CPUID 0x80000008 */
#define ADDR_MASK (((1ull << PHYS_BITS) - 1) & ~0xfffull)
#define PAE_RSVD_HIGH (((1ull << 52) - 1) & ~((1ull << PHYS_BITS) - 1))

enum {
    PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 0x20, PTE_D = 0x40, PTE_PS = 0x80,
    CR0_WP = 1u << 16, CR4_PSE = 1u << 4, CR4_PAE = 1u << 5, EFER_NXE = 1u << 11,
};

typedef struct Walk {
    AddressSpace *as;
    X86Cpu *env;
    uint64_t a20;
    int esz;                   /* entry size 4 or 8 */
    int n;
    uint64_t addr[4], val[4];  /* entries used, for the A/D update */
    bool rw, us, nx;
} Walk;

static uint64_t read_entry(Walk *w, uint64_t addr)
{
    addr &= w->a20;
    unsigned size = (unsigned)w->esz;
    X86PteRamCache *c = &w->env->pte_ram;
    if (!c->host || c->generation != w->as->generation || addr < c->start || addr + size > c->end
        || addr + size < addr) {
        c->generation = w->as->generation;
        c->host = as_ram_range(w->as, addr, &c->start, &c->end);
        if (!c->host || addr + size > c->end || addr + size < addr) {
            c->host = NULL;
            return as_read(w->as, addr, size);      /* MMIO, unclaimed, or straddling */
        }
    }
    const uint8_t *p = c->host + (addr - c->start);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);             /* guest memory is little-endian */
    return v;
}

static void use_entry(Walk *w, uint64_t addr, uint64_t e, bool nxe)
{
    w->addr[w->n] = addr & w->a20;
    w->val[w->n++] = e;
    w->rw &= (e & PTE_RW) != 0;
    w->us &= (e & PTE_US) != 0;
    if (nxe && (e >> 63))
        w->nx = true;
}

int x86_mmu_translate(X86Cpu *env, uint64_t va, int access, bool user, bool update_ad, X86Translation *t)
{
    bool is_write = access == MMU_WRITE, is_fetch = access == MMU_FETCH;
    bool pae = env->cr[4] & CR4_PAE, lma = env->efer & X86_EFER_LMA;
    bool nxe = pae && (env->efer & EFER_NXE);
    Walk w = { .as = env->common.mem, .env = env, .a20 = env->a20_enabled ? ~0ull : ~(1ull << 20), .esz = pae ? 8 : 4,
               .rw = true, .us = true };
    int err = (is_write ? X86_PF_W : 0) | (user ? X86_PF_U : 0) | (is_fetch && nxe ? X86_PF_I : 0);
    uint64_t rsvd = PAE_RSVD_HIGH | (nxe ? 0 : 1ull << 63);
    uint64_t paddr, page_size;

    if (!w.as)
        return err;
    if (pae) {
        uint64_t table;
        int level;
        if (lma) {
            table = env->cr[3] & ADDR_MASK;
            level = 4;
        } else {
            uint64_t e = read_entry(&w, (env->cr[3] & 0xffffffe0u) + ((va >> 30) & 3) * 8);
            if (!(e & PTE_P))
                return err;
            if (e & (PAE_RSVD_HIGH | (1ull << 63) | 0x1e6))
                return err | X86_PF_P | X86_PF_RSVD;
            table = e & ADDR_MASK;
            level = 2;
        }
        for (;; level--) {
            int shift = 12 + 9 * (level - 1);
            uint64_t ea = table + ((va >> shift) & 511) * 8;
            uint64_t e = read_entry(&w, ea);
            if (!(e & PTE_P))
                return err;
            uint64_t rs = rsvd;
            if (level >= 3)
                rs |= PTE_PS;          /* no 1 GiB pages (CPUID lacks PDPE1GB) */
            else if (level == 2 && (e & PTE_PS))
                rs |= 0x1fe000;        /* bits 20:13 of a 2 MiB PDE */
            if (e & rs)
                return err | X86_PF_P | X86_PF_RSVD;
            use_entry(&w, ea, e, nxe);
            if (level == 2 && (e & PTE_PS)) {
                page_size = 2ull << 20;
                paddr = (e & ADDR_MASK & ~(page_size - 1)) | (va & (page_size - 1));
                break;
            }
            if (level == 1) {
                page_size = 4096;
                paddr = (e & ADDR_MASK) | (va & 0xfff);
                break;
            }
            table = e & ADDR_MASK;
        }
    } else {
        uint64_t pde_addr = (env->cr[3] & 0xfffff000u) + ((va >> 22) & 1023) * 4;
        uint64_t pde = read_entry(&w, pde_addr);
        if (!(pde & PTE_P))
            return err;
        use_entry(&w, pde_addr, pde, false);
        if ((pde & PTE_PS) && (env->cr[4] & CR4_PSE)) {
            page_size = 4ull << 20;
            paddr = (pde & 0xffc00000u) | (va & 0x3fffff);
        } else {
            uint64_t pte_addr = (pde & 0xfffff000u) + ((va >> 12) & 1023) * 4;
            uint64_t pte = read_entry(&w, pte_addr);
            if (!(pte & PTE_P))
                return err;
            use_entry(&w, pte_addr, pte, false);
            page_size = 4096;
            paddr = (pte & 0xfffff000u) | (va & 0xfff);
        }
    }

    /* Access rights (SDM Vol. 3A 4.6.1): user accesses need U/S set at
     * every level, writes need R/W (supervisor writes only with CR0.WP),
     * fetches need XD clear. */
    bool wp = env->cr[0] & CR0_WP;
    if (user && !w.us)
        return err | X86_PF_P;
    if (is_write && !w.rw && (user || wp))
        return err | X86_PF_P;
    if (is_fetch && w.nx)
        return err | X86_PF_P;

    uint64_t leaf = w.val[w.n - 1];
    if (update_ad) {
        for (int i = 0; i < w.n; i++) {
            uint64_t nv = w.val[i] | PTE_A;
            if (i == w.n - 1 && is_write)
                nv |= PTE_D;
            if (nv != w.val[i])
                as_write(w.as, w.addr[i], nv & 0xffffffffu, 4);   /* A and D live in the low dword */
        }
        if (is_write)
            leaf |= PTE_D;
    }
    unsigned prot = PROT_R;
    if ((w.rw || (!user && !wp)) && (leaf & PTE_D))
        prot |= PROT_W;
    if (!w.nx)
        prot |= PROT_X;
    t->paddr = paddr & w.a20;
    t->page_size = page_size;
    t->prot = prot;
    return -1;
}

static bool canonical(uint64_t a)
{
    return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

bool x86_tlb_fill_paging(X86Cpu *env, uint64_t vaddr, int size, int access, int mmu_idx, bool probe,
                         uintptr_t retaddr)
{
    (void)size;
    if (mmu_idx == X86_MMU_PHYS) {
        uint64_t pa = env->a20_enabled ? vaddr : vaddr & ~(1ull << 20);
        tlb_set_page(&env->common, vaddr & TLB_PAGE_MASK, pa & TLB_PAGE_MASK, PROT_R | PROT_W | PROT_X, mmu_idx);
        return true;
    }
    if ((env->efer & X86_EFER_LMA) && !canonical(vaddr)) {
        if (probe)
            return false;
        x86_helper_raise_exception_ra(env, X86_EXCP_GP, 0, retaddr);
    }
    X86Translation t;
    int err = x86_mmu_translate(env, vaddr, access, mmu_idx == X86_MMU_USER, true, &t);
    if (err >= 0) {
        if (probe)
            return false;
        env->cr[2] = vaddr;
        x86_helper_raise_exception_ra(env, X86_EXCP_PF, err, retaddr);
    }
    if (t.page_size > TLB_PAGE_SIZE) {
        uint64_t m = ~(t.page_size - 1);
        if (!env->tlb_lp_valid) {
            env->tlb_lp_valid = true;
            env->tlb_lp_addr = vaddr & m;
            env->tlb_lp_mask = m;
        } else {
            m &= env->tlb_lp_mask;
            while ((env->tlb_lp_addr ^ vaddr) & m)
                m <<= 1;
            env->tlb_lp_mask = m;
            env->tlb_lp_addr &= m;
        }
    }
    tlb_set_page(&env->common, vaddr & TLB_PAGE_MASK, t.paddr & TLB_PAGE_MASK, t.prot, mmu_idx);
    return true;
}

void x86_mmu_flush(X86Cpu *env)
{
    env->tlb_lp_valid = false;
    tlb_flush(&env->common);
}

void x86_mmu_invlpg(X86Cpu *env, uint64_t vaddr)
{
    if (env->tlb_lp_valid && (vaddr & env->tlb_lp_mask) == env->tlb_lp_addr)
        x86_mmu_flush(env);
    else
        tlb_flush_page(&env->common, vaddr);
}
