/*
 * Engine lifetime: the code cache (a CodeBuffer from the backend's
 * code_buffer_init), the TB store, the backend state, the CPUs bound to the
 * engine, and whole-cache flushes. The engine installs itself as the memory
 * AddressSpace's code-write hook so device writes (as_write, as_rw DMA) to
 * pages holding translated code invalidate those translations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine_int.h"

/* Writes by devices or C code through the AddressSpace land here. */
static void engine_code_write_hook(void *opaque, uint64_t addr, uint64_t len)
{
    engine_invalidate_phys_range(opaque, addr, len);
}

Engine *engine_create(const GuestArch *arch, const HostBackend *backend, size_t code_size,
                      AddressSpace *mem, Log *log)
{
    if (!backend)
        backend = host_backend_native();
    if (!backend)
        backend = &host_backend_interp;
    Engine *e = calloc(1, sizeof(*e));
    TbStore *s = calloc(1, sizeof(*s));
    if (!e || !s)
        goto fail;
    e->arch = arch;
    e->backend = backend;
    e->log = log;
    e->mem = mem;
    e->tb_store = s;
    size_t arena = code_size / 2;
    if (arena < (1u << 20))
        arena = 1u << 20;
    if (!tb_store_init(s, arena))
        goto fail;
    s->disas = calloc(1, arch->disas_size);
    s->disas_save = calloc(1, arch->disas_size);
    if (!s->disas || !s->disas_save)
        goto fail;
    if (!code_buffer_init(&e->code, code_size, backend != &host_backend_interp))
        goto fail;
    BackendEnvLayout layout = {
        .budget_offset = (int32_t)offsetof(CpuCommon, insn_budget),
        .tlb_offset = (int32_t)arch->tlb_offset,
        .jmp_cache_offset = (int32_t)offsetof(CpuCommon, jmp_cache),
    };
    e->be = backend->create(&e->code, &layout);
    if (!e->be) {
        code_buffer_destroy(&e->code);
        goto fail;
    }
    ir_init(&e->ir);
    if (mem) {
        as_set_code_write_hook(mem, engine_code_write_hook, e);
        s->mem_generation = mem->generation;
    }
    return e;
fail:
    if (s)
        tb_store_free(s);
    free(s);
    free(e);
    return NULL;
}

/* -d stats: what translation produced over the whole run. */
static void engine_log_stats(const Engine *e)
{
    const EngineStats *st = &e->stats;
    double insns = st->guest_insns ? (double)st->guest_insns : 1;
    double ops = st->ir_ops ? (double)st->ir_ops : 1;
    log_printf(e->log, LOG_stats,
               "engine stats (%s backend): %llu blocks, %llu guest insns, %llu IR ops, "
               "%llu host bytes; %.2f IR ops/insn, %.1f bytes/insn, %.1f bytes/IR op; "
               "%llu chains, %llu invalidations, %llu flushes\n",
               e->backend->name, (unsigned long long)st->tbs_translated,
               (unsigned long long)st->guest_insns, (unsigned long long)st->ir_ops,
               (unsigned long long)st->host_bytes, (double)st->ir_ops / insns,
               (double)st->host_bytes / insns, (double)st->host_bytes / ops,
               (unsigned long long)st->chains, (unsigned long long)st->invalidations,
               (unsigned long long)st->flushes);
}

void engine_destroy(Engine *e)
{
    if (!e)
        return;
    if (log_enabled(e->log, LOG_stats))
        engine_log_stats(e);
    TbStore *s = engine_store(e);
    if (e->mem) {
        tb_store_reset(e);   /* drop MEM_PAGE_CODE marks */
        if (e->mem->code_write_opaque == e)
            as_set_code_write_hook(e->mem, NULL, NULL);
    }
    while (s->ncpus > 0)
        engine_cpu_destroy(s->cpus[s->ncpus - 1]);
    e->backend->destroy(e->be);
    code_buffer_destroy(&e->code);
    ir_destroy(&e->ir);
    tb_store_free(s);
    free(s);
    free(e);
}

CpuCommon *engine_cpu_create(Engine *e, struct Machine *m, AddressSpace *io)
{
    TbStore *s = engine_store(e);
    const GuestArch *arch = e->arch;
    size_t size = (arch->env_size + 63) & ~(size_t)63;
    CpuCommon *cpu = aligned_alloc(64, size);
    if (!cpu)
        return NULL;
    memset(cpu, 0, size);
    if (s->ncpus == s->cap_cpus) {
        int ncap = s->cap_cpus ? s->cap_cpus * 2 : 4;
        CpuCommon **n = realloc(s->cpus, (size_t)ncap * sizeof(*n));
        if (!n) {
            free(cpu);
            return NULL;
        }
        s->cpus = n;
        s->cap_cpus = ncap;
    }
    s->cpus[s->ncpus++] = cpu;
    cpu->arch = arch;
    cpu->engine = e;
    cpu->machine = m;
    cpu->mem = e->mem;
    cpu->io = io;
    cpu->log = e->log;
    cpu->tlb = (CpuTlb *)((char *)cpu + arch->tlb_offset);
    cpu->exception_index = -1;
    cpu->can_do_io = true;
    cpu->mem_generation = e->mem ? e->mem->generation : 0;
    tlb_flush(cpu);
    if (!s->ir_ready) {
        arch->init_ir(cpu, &e->ir);
        s->ir_ready = true;
    }
    if (arch->reset)
        arch->reset(cpu);
    return cpu;
}

void engine_cpu_destroy(CpuCommon *cpu)
{
    if (!cpu)
        return;
    TbStore *s = engine_store(cpu->engine);
    for (int i = 0; i < s->ncpus; i++) {
        if (s->cpus[i] == cpu) {
            s->cpus[i] = s->cpus[--s->ncpus];
            break;
        }
    }
    free(cpu);
}

void engine_flush(Engine *e)
{
    TbStore *s = engine_store(e);
    log_printf(e->log, LOG_tb, "tb: flush (%zu TBs, %zu code bytes)\n", s->ntbs, e->code.used);
    tb_store_reset(e);
    e->code.used = e->code.prologue_size;
    for (int i = 0; i < s->ncpus; i++)
        cpu_jmp_cache_clear(s->cpus[i]);
    s->flush_count++;
    e->stats.flushes++;
}
