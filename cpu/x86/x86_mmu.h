/*
 * x86 paging (Intel SDM Vol. 3A ch. 4): 32-bit paging with 4 MiB PSE
 * pages, PAE paging and 4-level IA-32e paging, their access rights and
 * accessed/dirty bits, page faults, and INVLPG. x86_mmu.c also implements
 * the x86_tlb_fill_paging hook of x86_system.h.
 */
#ifndef DOPPEL_CPU_X86_X86_MMU_H
#define DOPPEL_CPU_X86_X86_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/x86/x86_cpu.h"

/* Page-fault error code bits (SDM Vol. 3A 4.7). */
enum { X86_PF_P = 1, X86_PF_W = 2, X86_PF_U = 4, X86_PF_RSVD = 8, X86_PF_I = 16 };

/* Result of a translation. */
typedef struct X86Translation {
    uint64_t paddr;            /* physical address of vaddr */
    uint64_t page_size;        /* 4 KiB, 2 MiB or 4 MiB */
    unsigned prot;             /* PROT_R/W/X the TLB may grant */
} X86Translation;

/** Walk the page tables for vaddr (CR0.PG = 1). access is MMU_READ/WRITE/
 *  FETCH, user selects user-mode rights. Returns -1 and fills *t on
 *  success (setting accessed/dirty bits in guest memory when update_ad),
 *  else the #PF error code (nothing is written). */
int x86_mmu_translate(X86Cpu *env, uint64_t vaddr, int access, bool user, bool update_ad, X86Translation *t);

/** INVLPG vaddr: drop its TLB entries (all of them if vaddr lies in a
 *  large page mapped since the last full flush). */
void x86_mmu_invlpg(X86Cpu *env, uint64_t vaddr);
/** Flush the whole TLB (CR3 write, paging mode change). Global pages are
 *  flushed too: doppel does not keep them across CR3 loads (correct, only
 *  slower than hardware may be). */
void x86_mmu_flush(X86Cpu *env);

#endif
