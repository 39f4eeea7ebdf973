/*
 * The generic CpuDriver: maps the main loop's run/kick/idle/reset onto
 * cpu_exec and the GuestArch hooks.
 */
#include <stdio.h>

#include "cpu/cpu_driver.h"
#include "cpu/engine_int.h"

#define ENGINE_DEFAULT_CODE_SIZE (64u << 20)

static CpuRunResult driver_run(void *opaque, int64_t max_insns, int64_t *executed)
{
    switch (cpu_exec(opaque, max_insns, executed)) {
    case 1:
        return CPU_RUN_HALTED;
    case 2:
        return CPU_RUN_EXIT;
    default:
        return CPU_RUN_BUDGET;
    }
}

static void driver_reset(void *opaque)
{
    CpuCommon *cpu = opaque;
    cpu->interrupt_request = 0;
    cpu->exception_index = -1;
    cpu->halted = false;
    cpu->cflags_next_tb = 0;
    tlb_flush(cpu);
    if (cpu->arch->reset)
        cpu->arch->reset(cpu);
}

static void driver_kick(void *opaque)
{
    cpu_kick(opaque);
}

static bool driver_idle(void *opaque)
{
    CpuCommon *cpu = opaque;
    return cpu->halted && !(cpu->arch->has_work && cpu->arch->has_work(cpu));
}

static void driver_dump_state(void *opaque, FILE *f)
{
    CpuCommon *cpu = opaque;
    if (cpu->arch->dump_state)
        cpu->arch->dump_state(cpu, f);
}

static void driver_destroy(void *opaque)
{
    CpuCommon *cpu = opaque;
    Engine *e = cpu->engine;
    engine_cpu_destroy(cpu);
    if (engine_store(e)->ncpus == 0)
        engine_destroy(e);
}

const CpuDriver engine_cpu_driver = {
    .name = "engine",
    .run = driver_run,
    .reset = driver_reset,
    .kick = driver_kick,
    .idle = driver_idle,
    .dump_state = driver_dump_state,
    .destroy = driver_destroy,
};

CpuCommon *engine_machine_attach(Machine *m, const GuestArch *arch, const HostBackend *backend,
                                 size_t code_size)
{
    Engine *e = engine_create(arch, backend, code_size ? code_size : ENGINE_DEFAULT_CODE_SIZE,
                              &m->mem, &m->log);
    if (!e) {
        fprintf(stderr, "doppel: cannot create the %s translation engine\n", arch->name);
        return NULL;
    }
    CpuCommon *cpu = engine_cpu_create(e, m, &m->io);
    if (!cpu) {
        engine_destroy(e);
        fprintf(stderr, "doppel: cannot allocate the %s CPU\n", arch->name);
        return NULL;
    }
    m->cpu = cpu;
    m->cpu_driver = &engine_cpu_driver;
    return cpu;
}
