/*
 * Internals of the x86-64 backend shared by its files (not for other
 * parts of doppel): backend state and register roles.
 *
 * Host register roles (SysV ABI):
 *   rbp  env (the guest CPU struct) for the whole run of generated code
 *   rsp  16-byte aligned inside TB code; [rsp + 8*i] are spill slots
 *   r11  scratch of the code generator, never allocated
 *   the other 13 registers hold IR values.
 */
#ifndef DOPPEL_CPU_HOST_X86_64_INT_H
#define DOPPEL_CPU_HOST_X86_64_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/host/native_gen.h"
#include "cpu/host/x86_64/x86_64_asm.h"
#include "cpu/host/x86_64/x86_64_backend.h"
#include "cpu/ir/ir.h"

#define X64_ENV_REG X64_RBP
#define X64_TMP_REG X64_R11
/* Frame below the pushed registers: the allocator's spill slots plus 8 so
 * rsp ends 16-aligned (6 pushes + return address = 56 bytes). */
#define X64_FRAME_SIZE (RA_FRAME_SLOTS * 8 + 8)

#define X64_REG_BIT(r) RA_BIT(r)
#define X64_CALLER_SAVED                                                                    \
    (X64_REG_BIT(X64_RAX) | X64_REG_BIT(X64_RCX) | X64_REG_BIT(X64_RDX) | X64_REG_BIT(X64_RSI) \
     | X64_REG_BIT(X64_RDI) | X64_REG_BIT(X64_R8) | X64_REG_BIT(X64_R9) | X64_REG_BIT(X64_R10)  \
     | X64_REG_BIT(X64_R11))

typedef struct X64Backend {
    NativeGen gen;             /* first: the HostBackend state is this NativeGen */
    unsigned features;         /* X64_FEAT_* usable by generated code */
} X64Backend;
_Static_assert(offsetof(X64Backend, gen) == 0, "the HostBackend state is the NativeGen");

/** X64_FEAT_* usable by the code being generated. */
static inline unsigned x64_features(const NativeGen *g) { return ((const X64Backend *)g)->features; }

/* The interface of the driver (cpu/host/native_gen.h) is implemented in
 * x86_64_backend.c (calling convention, budget check, exits, goto_tb), x86_64_gen.c
 * (register file, native_isel_*) and x86_64_mem.c (gld/gst, slow paths). */

#endif
