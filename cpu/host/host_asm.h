/*
 * HostAsm: the output cursor of the native encoders (x86_64/x86_64_asm.c
 * as X64Asm, aarch64/a64_asm.c as A64Asm) and of the host-neutral code
 * generation driver (native_gen.c). It covers a stretch of the writable
 * view of a CodeBuffer; positions are byte offsets from its start. A write
 * past the end sets `overflow` and is dropped, so callers check once at
 * the end.
 */
#ifndef DOPPEL_CPU_HOST_HOST_ASM_H
#define DOPPEL_CPU_HOST_HOST_ASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct HostAsm {
    uint8_t *code;      /* writable view of the area being filled */
    uint8_t *rx;        /* executable address of code[0] */
    size_t size;        /* bytes available at code */
    size_t pos;         /* next byte to write */
    bool overflow;      /* a write did not fit */
} HostAsm;

/** Start assembling into [code, code+size) which executes at rx. */
static inline void host_asm_init(HostAsm *a, uint8_t *code, uint8_t *rx, size_t size)
{
    a->code = code;
    a->rx = rx;
    a->size = size;
    a->pos = 0;
    a->overflow = false;
}

/** Executable address of the current position. */
static inline uintptr_t host_asm_rx_here(const HostAsm *a) { return (uintptr_t)a->rx + a->pos; }

#endif
