/*
 * Internals of the AArch64 backend shared by its files (not for other
 * parts of doppel): backend state and register roles.
 *
 * Host register roles (AAPCS64):
 *   x19       env (the guest CPU struct) for the whole run of generated code
 *   x28       env + 32 KiB: guest structs start with CpuCommon, whose jump
 *             cache puts the guest registers beyond the 32 KiB an LDR/STR
 *             immediate reaches from x19 (see a64_env_base)
 *   x16, x17  scratch of the code generator (IP0/IP1), never allocated
 *   x18       never touched (the platform register on Darwin and Windows)
 *   x29, x30  frame pointer and link register of the prologue's frame
 *   sp        16-byte aligned inside TB code; [sp + 8*i] are spill slots,
 *             then a save area for the softmmu slow paths
 *   x0-x15, x20-x27 (24 registers) hold IR values.
 */
#ifndef DOPPEL_CPU_HOST_AARCH64_A64_INT_H
#define DOPPEL_CPU_HOST_AARCH64_A64_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/host/aarch64/a64_asm.h"
#include "cpu/host/aarch64/a64_backend.h"
#include "cpu/host/native_gen.h"
#include "cpu/ir/ir.h"

#define A64_ENV_REG A64_X19
#define A64_TMP0 A64_X16
#define A64_TMP1 A64_X17
#define A64_ENV_HI_REG A64_X28
#define A64_ENV_HI_BIAS 32768
/* Slow paths save caller-saved registers x0-x15 here, at sp + 8*r, above
 * the allocator's spill slots. */
#define A64_SAVE_AREA (RA_FRAME_SLOTS * 8)
#define A64_FRAME_SIZE (A64_SAVE_AREA + 16 * 8)

#define A64_REG_BIT(r) RA_BIT(r)
#define A64_CALLER_SAVED 0x0003ffffu   /* x0-x17 */

typedef struct A64Backend {
    NativeGen gen;             /* first: the HostBackend state is this NativeGen */
    bool force_far_jumps;      /* tests: chain through the literal always */
} A64Backend;
_Static_assert(offsetof(A64Backend, gen) == 0, "the HostBackend state is the NativeGen");

/* Base register for the env field at off: x28 (env + A64_ENV_HI_BIAS) for
 * fields beyond the bias, else x19; *rel gets the offset from it. */
static inline int a64_env_base(int64_t off, int64_t *rel)
{
    if (off >= A64_ENV_HI_BIAS) {
        *rel = off - A64_ENV_HI_BIAS;
        return A64_ENV_HI_REG;
    }
    *rel = off;
    return A64_ENV_REG;
}

/* The interface of the driver (cpu/host/native_gen.h) is implemented in
 * a64_backend.c (calling convention, budget check, exits, goto_tb), a64_gen.c
 * (register file, native_isel_*) and a64_mem.c (gld/gst, slow paths). */

#endif
