/*
 * Translator utilities of the system instructions (x86_gen_system.c) that
 * other handlers call.
 */
#ifndef DOPPEL_CPU_X86_X86_GEN_SYSTEM_H
#define DOPPEL_CPU_X86_X86_GEN_SYSTEM_H

#include "cpu/x86/x86_translate.h"

/** Before IN/OUT/INS/OUTS: if the block runs with PE and CPL > IOPL (or in
 *  virtual-8086 mode), emit the TSS I/O-bitmap check of ports
 *  port..port+size-1 (#GP(0) on failure, SDM Vol. 1 19.5); else nothing. */
void x86_gen_check_io(DisasX86 *s, IrTempId port, int size);

#endif
