/*
 * C helpers called from x86 translated code (x86_helper.c, x86_flags.c),
 * each with the IrHelper descriptor handlers pass to x86_gen_helper_call. Helpers
 * that may raise take the env first and find their guest instruction
 * through CPU_GETPC() (cpu/cpu.h).
 */
#ifndef DOPPEL_CPU_X86_X86_HELPER_H
#define DOPPEL_CPU_X86_X86_HELPER_H

#include <stdint.h>

#include "cpu/ir/ir.h"
#include "cpu/x86/x86_cpu.h"

/** Raise exception excp (X86_EXCP_*), with error_code if >= 0. */
_Noreturn void x86_helper_raise_exception(X86Cpu *env, uint64_t excp, uint64_t error_code);
/** INT n / INT3 / INTO / ICEBP: software interrupt vector of kind
 *  (X86_SWINT_*); next_eip is the return address. */
_Noreturn void x86_helper_raise_interrupt(X86Cpu *env, uint64_t vector, uint64_t kind, uint64_t next_eip);
/** HLT: rip = next_eip, halt until an interrupt. */
_Noreturn void x86_helper_hlt(X86Cpu *env, uint64_t next_eip);
/** Load segment register seg with selector sel (real/v86: base = sel << 4;
 *  protected mode: the descriptor hook of x86_system.h). */
void x86_helper_load_seg(X86Cpu *env, uint64_t seg, uint64_t sel);
/** JMP ptr16:16/32 (and FF /5): sets CS and rip. */
void x86_helper_far_jmp(X86Cpu *env, uint64_t sel, uint64_t off, uint64_t next_eip);
/** CALL ptr (and FF /3): pushes CS and next_eip with opsize bytes each. */
void x86_helper_far_call(X86Cpu *env, uint64_t sel, uint64_t off, uint64_t opsize, uint64_t next_eip);
/** RETF [imm16]. */
void x86_helper_far_ret(X86Cpu *env, uint64_t opsize, uint64_t imm);
/** IRET/IRETD/IRETQ. */
void x86_helper_iret(X86Cpu *env, uint64_t opsize, uint64_t next_eip);
/** IN: size bytes from port (cpu->io). */
uint64_t x86_helper_in(X86Cpu *env, uint64_t port, uint64_t size);
/** OUT: size bytes of val to port. */
void x86_helper_out(X86Cpu *env, uint64_t port, uint64_t val, uint64_t size);
/** The architectural EFLAGS (PUSHF). */
uint64_t x86_helper_read_eflags(X86Cpu *env);
/** Replace the EFLAGS bits in mask by val's (POPF, IRET). */
void x86_helper_write_eflags(X86Cpu *env, uint64_t val, uint64_t mask);
/** Exact segment check of a data access (x86_seglimit.c): seg_write =
 *  segment | 0x100 for a write; raises #GP(0)/#SS(0). */
void x86_helper_seg_check(X86Cpu *env, uint64_t seg_write, uint64_t off, uint64_t size);
/** Single-step trap after an instruction run with EFLAGS.TF = 1 (SDM Vol.
 *  3A 17.3.1.4): DR6.BS = 1, #DB with rip already at the next insn. */
_Noreturn void x86_helper_single_step(X86Cpu *env);
/** Pure flag computation (x86_flags.c). */
uint64_t x86_helper_cc_compute_all(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);
uint64_t x86_helper_cc_compute_cf(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);

extern const IrHelper x86_helper_raise_exception_def;
extern const IrHelper x86_helper_raise_interrupt_def;
extern const IrHelper x86_helper_hlt_def;
extern const IrHelper x86_helper_load_seg_def;
extern const IrHelper x86_helper_far_jmp_def;
extern const IrHelper x86_helper_far_call_def;
extern const IrHelper x86_helper_far_ret_def;
extern const IrHelper x86_helper_iret_def;
extern const IrHelper x86_helper_in_def;
extern const IrHelper x86_helper_out_def;
extern const IrHelper x86_helper_read_eflags_def;
extern const IrHelper x86_helper_write_eflags_def;
extern const IrHelper x86_helper_seg_check_def;
extern const IrHelper x86_helper_single_step_def;
extern const IrHelper x86_helper_cc_compute_all_def;
extern const IrHelper x86_helper_cc_compute_cf_def;

#endif
