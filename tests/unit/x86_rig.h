/*
 * Test rig shared by the x86 translator tests (test_x86_basic.c,
 * test_x86_cond.c): flat RAM, a test port device at 0x80-0x8f, an engine
 * with the x86 guest on a chosen backend (0 = interpreter, 1 = native), and
 * the CPU put in real mode, 32-bit flat protected mode or 64-bit mode by
 * setting its segment caches and control bits directly (no descriptor
 * tables; 64-bit mode without CR0.PG, which the CPU model tolerates): the
 * system instructions are not what these tests exercise.
 */
#ifndef DOPPEL_TESTS_UNIT_X86_RIG_H
#define DOPPEL_TESTS_UNIT_X86_RIG_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine.h"
#include "cpu/x86/x86_cpu.h"
#include "cpu/x86/x86_flags.h"

#define RAM_SIZE 0x100000u
#define CODE 0x1000u
#define DATA 0x3000u
#define STACK_TOP 0x8000u

enum { M16, M32, M64 };

typedef struct PortLog { uint64_t port, val; unsigned size; } PortLog;

typedef struct Rig {
    AddressSpace as, io;
    Engine *e;
    CpuCommon *cpu;
    X86Cpu *env;
    uint8_t *ram;
    PortLog writes[8];
    int nwrites;
    int irq_vector;
} Rig;

static inline const HostBackend *backend_at(int i)
{
    return i == 0 ? &host_backend_interp : host_backend_native();
}

static inline int nbackends(void)
{
    return host_backend_native() ? 2 : 1;
}

/* Test ports 0x80-0x8f: reads return 0xa0 + offset (byte) or 0xb000 +
 * offset (word); writes are logged. */
static inline uint64_t port_read(void *opaque, uint64_t off, unsigned size)
{
    (void)opaque;
    return size == 1 ? 0xa0 + off : 0xb000 + off;
}

static inline void port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Rig *r = opaque;
    if (r->nwrites < 8)
        r->writes[r->nwrites++] = (PortLog){ 0x80 + off, val, size };
}

static const MemRegionOps port_ops = { .read = port_read, .write = port_write, .min_access = 1, .max_access = 2 };

/* PIC stand-in: hand out the vector once and drop the line (INTA). */
static inline int intr_vector(void *opaque)
{
    Rig *r = opaque;
    cpu_reset_interrupt(r->cpu, CPU_INTERRUPT_HARD);
    return r->irq_vector;
}

static inline void set_seg(X86Seg *s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t attr)
{
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->attr = attr;
}

static inline void rig_init(Rig *r, int backend, int mode)
{
    memset(r, 0, sizeof(*r));
    as_init(&r->as, "mem", 0);
    MemRegion *mr = as_add_ram(&r->as, "ram", 0, RAM_SIZE, NULL, 0);
    ck_assert_ptr_nonnull(mr);
    r->ram = mr->host;
    as_init(&r->io, "io", ~0ull);
    as_add_io(&r->io, "test-ports", 0x80, 0x10, &port_ops, r, 0);
    r->e = engine_create(&x86_guest, backend_at(backend), 4u << 20, &r->as, NULL);
    ck_assert_ptr_nonnull(r->e);
    r->cpu = engine_cpu_create(r->e, NULL, &r->io);
    ck_assert_ptr_nonnull(r->cpu);
    X86Cpu *env = r->env = x86_cpu(r->cpu);
    env->get_intr_vector = intr_vector;
    env->intr_opaque = r;
    if (mode == M16) {
        /* real mode: CS = 0x0100 (base 0x1000), IP = 0 */
        set_seg(&env->segs[R_CS], 0x0100, 0x1000, 0xffff, env->segs[R_CS].attr);
        env->rip = 0;
    } else {
        const uint32_t code = SEG_ATTR_P | SEG_ATTR_S | (0xbu << 8) | SEG_ATTR_G;
        const uint32_t data = SEG_ATTR_P | SEG_ATTR_S | (0x3u << 8) | SEG_ATTR_G | SEG_ATTR_DB;
        env->cr[0] |= X86_CR0_PE;
        set_seg(&env->segs[R_CS], 0x08, 0, 0xffffffff, code | (mode == M64 ? SEG_ATTR_L : SEG_ATTR_DB));
        for (int i = 0; i < X86_NB_SEGS; i++)
            if (i != R_CS)
                set_seg(&env->segs[i], 0x10, 0, 0xffffffff, data);
        if (mode == M64)
            env->efer = X86_EFER_LME | X86_EFER_LMA;
        env->rip = CODE;
    }
    env->regs[R_ESP] = STACK_TOP;
    x86_update_hflags(env);
}

static inline void rig_load(Rig *r, uint64_t addr, const uint8_t *bytes, size_t len)
{
    ck_assert_uint_le(addr + len, RAM_SIZE);
    memcpy(r->ram + addr, bytes, len);
}

static inline void rig_free(Rig *r)
{
    engine_cpu_destroy(r->cpu);
    engine_destroy(r->e);
    as_destroy(&r->as);
    as_destroy(&r->io);
}

/* Run until the guest halts (cpu_exec returns 1). */
static inline void rig_run(Rig *r)
{
    int64_t n = 0;
    int rc = cpu_exec(r->cpu, 1000000, &n);
    ck_assert_int_eq(rc, 1);
    ck_assert(r->cpu->halted);
}

static inline uint64_t rd(const Rig *r, uint64_t addr, int size)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint64_t)r->ram[addr + i] << (8 * i);
    return v;
}

static inline void wr(Rig *r, uint64_t addr, uint64_t v, int size)
{
    for (int i = 0; i < size; i++)
        r->ram[addr + i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t arith(const Rig *r)
{
    return x86_get_eflags(r->env) & X86_ARITH_FLAGS;
}

/* Real-mode IVT entry (SDM Vol. 3A 20.1.4): offset, then segment. */
static inline void set_ivt(Rig *r, int vector, uint16_t seg, uint16_t off)
{
    wr(r, (uint64_t)vector * 4, off, 2);
    wr(r, (uint64_t)vector * 4 + 2, seg, 2);
}

#define R(n) (r.env->regs[n])

#endif
