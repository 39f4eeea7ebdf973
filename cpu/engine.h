/*
 * The engine: code cache, TB hash table, per-page TB lists, translation
 * driver, and the glue between a GuestArch, a HostBackend and a CPU.
 * One Engine per machine (shared by its CPUs).
 */
#ifndef DOPPEL_CPU_ENGINE_H
#define DOPPEL_CPU_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "cpu/guest.h"
#include "cpu/host/backend.h"
#include "cpu/ir/ir.h"
#include "cpu/tb.h"

typedef struct EngineStats {
    uint64_t tbs_translated;
    uint64_t guest_insns;   /* guest instructions in translated blocks */
    uint64_t ir_ops;        /* IR ops handed to the backend (no insn_start) */
    uint64_t host_bytes;    /* host code generated */
    uint64_t flushes;
    uint64_t invalidations;
    uint64_t chains;
} EngineStats;

typedef struct Engine {
    const GuestArch *arch;
    const HostBackend *backend;
    void *be;                      /* backend state */
    CodeBuffer code;
    IrContext ir;
    Log *log;
    AddressSpace *mem;
    /* TB storage and lookup (layout is the engine's business) */
    void *tb_store;
    EngineStats stats;
} Engine;

/** Create an engine for guest arch on backend be (NULL: native if any,
 *  else interp) with a code cache of code_size bytes. */
Engine *engine_create(const GuestArch *arch, const HostBackend *backend, size_t code_size,
                      AddressSpace *mem, Log *log);
void engine_destroy(Engine *e);
/** Allocate and reset a guest CPU (arch->env_size bytes) bound to e. */
CpuCommon *engine_cpu_create(Engine *e, struct Machine *m, AddressSpace *io);
void engine_cpu_destroy(CpuCommon *cpu);
/** Throw away every TB (code cache full, or on request). */
void engine_flush(Engine *e);
/** Invalidate TBs on guest physical pages touched by [paddr, paddr+len). */
void engine_invalidate_phys_range(Engine *e, uint64_t paddr, uint64_t len);

#endif
