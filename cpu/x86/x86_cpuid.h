/*
 * CPUID and the time-stamp counter of doppel's one x86 CPU model
 * ("doppel", vendor GenuineIntel): x86_cpuid.c.
 */
#ifndef DOPPEL_CPU_X86_X86_CPUID_H
#define DOPPEL_CPU_X86_X86_CPUID_H

#include <stdint.h>

#include "cpu/x86/x86_cpu.h"

/** CPUID leaf/subleaf as the model answers: out = EAX, EBX, ECX, EDX
 *  (Intel SDM Vol. 2 CPUID). Only features doppel implements are set. */
void x86_cpuid(const X86Cpu *env, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/** Value of the read-only IA32_ARCH_CAPABILITIES MSR (advertised by CPUID
 *  leaf 7 EDX bit 29): the "not affected" bits of the vulnerabilities a
 *  non-speculative CPU cannot have. */
uint64_t x86_arch_capabilities(void);

/** The current TSC: virtual clock ns at a fixed 1 GHz (one tick per ns),
 *  or instructions executed when no machine is attached; plus tsc_offset. */
uint64_t x86_tsc_read(const X86Cpu *env);

#endif
