/*
 * A CpuDriver (machine/machine.h) for any guest run by the engine: the
 * machine's main loop drives cpu_exec through it without knowing the ISA.
 */
#ifndef DOPPEL_CPU_CPU_DRIVER_H
#define DOPPEL_CPU_CPU_DRIVER_H

#include <stddef.h>

#include "cpu/engine.h"
#include "machine/machine.h"

/** The driver; its void *cpu is a CpuCommon * created by engine_cpu_create.
 *  destroy frees the CPU and, with its last CPU, the engine. */
extern const CpuDriver engine_cpu_driver;

/** Create an engine for arch (backend NULL: native if any, else interp;
 *  code_size 0: a default) and one CPU on m's memory and port spaces, and
 *  install it as m->cpu / m->cpu_driver. Returns the CPU, or NULL after
 *  printing one error line. */
CpuCommon *engine_machine_attach(Machine *m, const GuestArch *arch, const HostBackend *backend,
                                 size_t code_size);

#endif
