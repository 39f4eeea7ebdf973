/*
 * Hooks for the protected-mode / long-mode / paging half of the x86 CPU
 * (the "system" work): descriptor-checked segment loads, far transfers and
 * IRET through descriptors, IDT delivery, and the page walk. The basic
 * translator calls these only outside real and virtual-8086 mode (or with
 * CR0.PG = 1 for the walk). Implemented by x86_seg.c (segment loads),
 * x86_far.c (far transfers, IRET), x86_excp.c (IDT delivery) and
 * x86_mmu.c (paging).
 */
#ifndef DOPPEL_CPU_X86_X86_SYSTEM_H
#define DOPPEL_CPU_X86_X86_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/x86/x86_cpu.h"

/** MOV/POP Sreg, LxS in protected or long mode (SDM Vol. 3A 3.4.3, 5.4.1).
 *  May raise #GP/#NP/#SS via retaddr. */
void x86_load_seg_protected(X86Cpu *env, int seg, uint16_t sel, uintptr_t retaddr);
/** Far JMP through a descriptor (SDM Vol. 2 JMP, Vol. 3A 5.8). */
void x86_far_jmp_protected(X86Cpu *env, uint16_t sel, uint64_t off, uint64_t next_eip, uintptr_t retaddr);
/** Far CALL through a descriptor. */
void x86_far_call_protected(X86Cpu *env, uint16_t sel, uint64_t off, int opsize, uint64_t next_eip,
                            uintptr_t retaddr);
/** Far RET in protected mode (SDM Vol. 2 RET). */
void x86_far_ret_protected(X86Cpu *env, int opsize, int imm, uintptr_t retaddr);
/** IRET in protected/long mode (SDM Vol. 2 IRET). next_eip (the address
 *  after the IRET) is what a task return (NT = 1) saves in the old TSS. */
void x86_iret_protected(X86Cpu *env, int opsize, uint64_t next_eip, uintptr_t retaddr);
/** Deliver vector through the IDT (SDM Vol. 3A 6.12). is_sw: INT n/INT3/
 *  INTO (privilege-checked, returns to next_eip). */
void x86_do_interrupt_protected(X86Cpu *env, int vector, bool is_sw, int error_code, bool has_error_code,
                                uint64_t next_eip);
/** Page walk with CR0.PG = 1 (SDM Vol. 3A ch. 4): tlb_set_page and true,
 *  or false when probing, or raise #PF. */
bool x86_tlb_fill_paging(X86Cpu *env, uint64_t vaddr, int size, int access, int mmu_idx, bool probe,
                         uintptr_t retaddr);

#endif
