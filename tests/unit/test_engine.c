/*
 * Unit tests of the guest-neutral engine (cpu/exec.c, tb.c, tlb.c,
 * translate.c, engine.c) driven by the toy guest (tests/toy). Every test
 * runs on every backend of this host: the interpreter, and the native one
 * if there is one (Check loop index = backend).
 *
 * The expected results follow from the toy ISA definition in toy.h; the
 * engine rules checked are its documented contract: precise exceptions
 * leave the state of the previous instruction and count only retired
 * instructions, stores to translated code (from the guest or a device)
 * take effect before the next execution of that code, and cpu_exec retires
 * exactly the instructions it was asked to.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu_driver.h"
#include "cpu/engine.h"
#include "tests/toy/toy.h"

#define RAM_SIZE 0x10000u
#define PROG 0x1000u
#define DATA 0x6000u
#define BAD_PAGE 0x7000u
#define MMIO_BASE 0x20000u

static const HostBackend *backend_at(int i)
{
    return i == 0 ? &host_backend_interp : host_backend_native();
}

static int nbackends(void)
{
    return host_backend_native() ? 2 : 1;
}

typedef struct Rig {
    AddressSpace as;
    Engine *e;
    CpuCommon *cpu;
    ToyCpu *t;
    uint8_t *ram;
    ToyAsm a;
    int mmio_writes;
    bool kick_on_write;
} Rig;

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Rig *r = opaque;
    r->mmio_writes++;
    if (r->kick_on_write)
        cpu_kick(r->cpu);
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    return 0x1234 + off;
}

static const MemRegionOps mmio_ops = { .read = mmio_read, .write = mmio_write, .min_access = 1, .max_access = 4 };

static void rig_init(Rig *r, int backend, size_t code_size)
{
    memset(r, 0, sizeof(*r));
    as_init(&r->as, "mem", 0);
    MemRegion *mr = as_add_ram(&r->as, "ram", 0, RAM_SIZE, NULL, 0);
    ck_assert_ptr_nonnull(mr);
    r->ram = mr->host;
    as_add_io(&r->as, "mmio", MMIO_BASE, 0x1000, &mmio_ops, r, 0);
    r->e = engine_create(&toy_arch, backend_at(backend), code_size, &r->as, NULL);
    ck_assert_ptr_nonnull(r->e);
    r->cpu = engine_cpu_create(r->e, NULL, NULL);
    ck_assert_ptr_nonnull(r->cpu);
    r->t = toy_cpu(r->cpu);
    r->t->pc = PROG;
    toy_asm_init(&r->a, r->ram, 0, PROG);
}

static void rig_free(Rig *r)
{
    engine_destroy(r->e);
    as_destroy(&r->as);
}

static int run(Rig *r, int64_t max, int64_t *executed)
{
    int64_t n = -1;
    int ret = cpu_exec(r->cpu, max, &n);
    if (executed)
        *executed = n;
    return ret;
}

static uint32_t rd32(Rig *r, uint32_t addr)
{
    return (uint32_t)r->ram[addr] | (uint32_t)r->ram[addr + 1] << 8 | (uint32_t)r->ram[addr + 2] << 16
           | (uint32_t)r->ram[addr + 3] << 24;
}

/* ---- plain programs ---- */

START_TEST(test_arith_loop)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    toy_movi(a, 1, 0);
    toy_movi(a, 2, 1);
    toy_movi(a, 3, 101);
    uint32_t loop = toy_alu(a, TOY_ADD, 1, 1, 2);
    toy_addi(a, 2, 2, 1);
    toy_cmp(a, 2, 3);
    toy_branch(a, TOY_BLT, loop);
    /* r4 = ((r1 * 3) - 50) ^ 0xff, r5 = (r4 << 4) | 1, r6 = (r5 >> 2) & 0xf0f */
    toy_movi(a, 6, 3);
    toy_alu(a, TOY_MUL, 4, 1, 6);
    toy_movi(a, 6, 50);
    toy_alu(a, TOY_SUB, 4, 4, 6);
    toy_movi(a, 6, 0xff);
    toy_alu(a, TOY_XOR, 4, 4, 6);
    toy_movi(a, 6, 4);
    toy_alu(a, TOY_SHL, 5, 4, 6);
    toy_movi(a, 6, 1);
    toy_alu(a, TOY_OR, 5, 5, 6);
    toy_movi(a, 6, 2);
    toy_alu(a, TOY_SHR, 6, 5, 6);
    toy_movi(a, 0, 0xf0f);
    toy_alu(a, TOY_AND, 6, 6, 0);
    toy_simple(a, TOY_HALT, 0, 0);

    int64_t n;
    ck_assert_int_eq(run(&r, 1000000, &n), 1);
    ck_assert_uint_eq(r.t->r[1], 5050);
    ck_assert_uint_eq(r.t->r[2], 101);
    uint32_t r4 = (5050u * 3 - 50) ^ 0xff, r5 = (r4 << 4) | 1, r6 = (r5 >> 2) & 0xf0f;
    ck_assert_uint_eq(r.t->r[4], r4);
    ck_assert_uint_eq(r.t->r[5], r5);
    ck_assert_uint_eq(r.t->r[6], r6);
    ck_assert_int_eq(n, 3 + 100 * 4 + 14 + 1);
    ck_assert_uint_eq(r.t->pc, a->pc);
    /* halted: a second run retires nothing */
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 0);
    rig_free(&r);
}
END_TEST

START_TEST(test_calls_and_memory)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    /* r5 = stack pointer; fact(n) recursive: r1 = n, result in r2 */
    toy_movi(a, 5, DATA + 0x800);
    toy_movi(a, 1, 10);
    uint32_t call = toy_jmp(a, TOY_CALL, 0);
    toy_mem(a, TOY_ST, 2, 0, DATA);           /* [DATA] = 10! */
    toy_movi(a, 3, 0xa5);
    toy_mem(a, TOY_STB, 3, 0, DATA + 5);
    toy_mem(a, TOY_LDB, 4, 0, DATA + 5);
    toy_mem(a, TOY_LD, 6, 0, DATA + 4);       /* bytes 4..7 = 00 a5 00 00 */
    toy_simple(a, TOY_HALT, 0, 0);
    uint32_t fact = a->pc;
    toy_patch(a, call, fact);
    /* if n == 0 return 1 */
    toy_movi(a, 2, 1);
    toy_movi(a, 0, 0);
    toy_cmp(a, 1, 0);
    uint32_t ret_now = toy_branch(a, TOY_BEQ, 0);
    toy_addi(a, 5, 5, -8);
    toy_mem(a, TOY_ST, 7, 5, 0);
    toy_mem(a, TOY_ST, 1, 5, 4);
    toy_addi(a, 1, 1, -1);
    toy_jmp(a, TOY_CALL, fact);
    toy_mem(a, TOY_LD, 1, 5, 4);
    toy_mem(a, TOY_LD, 7, 5, 0);
    toy_addi(a, 5, 5, 8);
    toy_alu(a, TOY_MUL, 2, 2, 1);
    toy_patch(a, ret_now, a->pc);
    toy_simple(a, TOY_RET, 0, 0);

    ck_assert_int_eq(run(&r, 1000000, NULL), 1);
    ck_assert_uint_eq(r.t->r[2], 3628800);
    ck_assert_uint_eq(rd32(&r, DATA), 3628800);
    ck_assert_uint_eq(r.t->r[4], 0xa5);
    ck_assert_uint_eq(r.t->r[6], 0xa500);
    ck_assert_uint_eq(r.t->r[5], DATA + 0x800);
    rig_free(&r);
}
END_TEST

START_TEST(test_indirect_jumps)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    /* for i in 0..299: r1 += table[i % 3]() via JR; handlers add 1, 10, 100 */
    toy_movi(a, 2, 0);                       /* i */
    toy_movi(a, 3, 300);
    uint32_t loop = toy_movi(a, 4, 3);
    /* r4 = i % 3 = i - (i / 3) * 3 computed by repeated subtraction in r0 */
    toy_alu(a, TOY_ADD, 0, 2, 6 /* r6 = 0 */);
    uint32_t mod = toy_cmp(a, 0, 4);
    uint32_t done = toy_branch(a, TOY_BLTU, 0);
    toy_alu(a, TOY_SUB, 0, 0, 4);
    toy_jmp(a, TOY_JMP, mod);
    toy_patch(a, done, a->pc);
    toy_movi(a, 4, 4);
    toy_alu(a, TOY_MUL, 0, 0, 4);
    toy_mem(a, TOY_LD, 0, 0, DATA);          /* handler address */
    toy_jmp(a, TOY_CALL, 0);                 /* patched below: call trampoline */
    uint32_t tramp_call = a->pc - 4;
    toy_addi(a, 2, 2, 1);
    toy_cmp(a, 2, 3);
    toy_branch(a, TOY_BLT, loop);
    toy_simple(a, TOY_HALT, 0, 0);
    uint32_t tramp = toy_simple(a, TOY_JR, 0, 0);
    toy_patch(a, tramp_call, tramp);
    static const int32_t adds[3] = { 1, 10, 100 };
    for (int k = 0; k < 3; k++) {
        /* put each handler on its own page so some jumps leave the page */
        a->pc = 0x3000 + 0x1000 * (uint32_t)k;
        uint32_t h = toy_addi(a, 1, 1, adds[k]);
        toy_simple(a, TOY_RET, 0, 0);
        for (int b = 0; b < 4; b++)
            r.ram[DATA + 4 * k + b] = (uint8_t)(h >> (8 * b));
    }
    ck_assert_int_eq(run(&r, 10000000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 100 * (1 + 10 + 100));
    rig_free(&r);
}
END_TEST

/* ---- self-modifying code and device writes ---- */

START_TEST(test_smc_other_block)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    uint32_t call1 = toy_jmp(a, TOY_CALL, 0);
    toy_alu(a, TOY_ADD, 2, 1, 0);            /* r2 = first result (r0 = 0) */
    toy_movi(a, 3, 2);
    uint32_t st = toy_mem(a, TOY_ST, 3, 0, 0);  /* patched: store over the callee's imm */
    uint32_t call2 = toy_jmp(a, TOY_CALL, 0);
    toy_simple(a, TOY_HALT, 0, 0);
    uint32_t f = toy_movi(a, 1, 1);
    toy_simple(a, TOY_RET, 0, 0);
    toy_patch(a, call1, f);
    toy_patch(a, call2, f);
    r.ram[st + 2] = (uint8_t)(f + 4);
    r.ram[st + 3] = (uint8_t)((f + 4) >> 8);
    ck_assert_int_eq(run(&r, 100000, NULL), 1);
    ck_assert_uint_eq(r.t->r[2], 1);
    ck_assert_uint_eq(r.t->r[1], 2);
    ck_assert_uint_ge(r.e->stats.invalidations, 1);
    rig_free(&r);
}
END_TEST

START_TEST(test_smc_current_block)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    /* One straight-line block stores 'addi r1, r1, 100' over a later insn
     * of the same block: the new instruction must run. */
    toy_movi(a, 2, toy_enc(TOY_ADDI, 1, 1, 100));
    toy_movi(a, 1, 5);
    uint32_t st = toy_mem(a, TOY_ST, 2, 0, 0);
    toy_addi(a, 4, 4, 1);
    uint32_t victim = toy_addi(a, 1, 1, 1);
    toy_addi(a, 4, 4, 1);
    toy_simple(a, TOY_HALT, 0, 0);
    r.ram[st + 2] = (uint8_t)victim;
    r.ram[st + 3] = (uint8_t)(victim >> 8);
    int64_t n;
    ck_assert_int_eq(run(&r, 100000, &n), 1);
    ck_assert_uint_eq(r.t->r[1], 105);
    ck_assert_uint_eq(r.t->r[4], 2);
    ck_assert_int_eq(n, 7);                  /* the store is retired once */
    ck_assert_uint_eq(rd32(&r, victim), toy_enc(TOY_ADDI, 1, 1, 100));
    rig_free(&r);
}
END_TEST

START_TEST(test_dma_write_invalidates)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    uint32_t ins = toy_addi(a, 1, 1, 1);
    toy_simple(a, TOY_HALT, 0, 0);
    ck_assert_int_eq(run(&r, 1000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 1);
    ck_assert(as_page_flags(&r.as, PROG) & MEM_PAGE_CODE);

    /* a device writes new code through the address space (DMA) */
    uint32_t w = toy_enc(TOY_ADDI, 1, 1, 40);
    uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16), (uint8_t)(w >> 24) };
    ck_assert(as_rw(&r.as, ins, b, 4, true));
    ck_assert_uint_ge(r.e->stats.invalidations, 1);
    r.cpu->halted = false;
    r.t->pc = PROG;
    ck_assert_int_eq(run(&r, 1000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 41);

    /* and a single as_write */
    as_write(&r.as, ins, toy_enc(TOY_ADDI, 1, 1, 500), 4);
    r.cpu->halted = false;
    r.t->pc = PROG;
    ck_assert_int_eq(run(&r, 1000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 541);

    /* a data write elsewhere on the page does not drop the code */
    uint64_t inv = r.e->stats.invalidations;
    as_write(&r.as, PROG + 0x800, 7, 4);
    ck_assert_uint_eq(r.e->stats.invalidations, inv);
    rig_free(&r);
}
END_TEST

START_TEST(test_chaining_and_unchain)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    toy_movi(a, 3, 1001);
    uint32_t loop = toy_jmp(a, TOY_JMP, 0);
    toy_emit(a, toy_enc(TOY_NOP, 0, 0, 0));
    uint32_t m = toy_addi(a, 1, 1, 1);
    toy_cmp(a, 1, 3);
    toy_branch(a, TOY_BLT, loop);
    toy_simple(a, TOY_HALT, 0, 0);
    toy_patch(a, loop, m);
    ck_assert_int_eq(run(&r, 1000000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 1001);
    uint64_t chains = r.e->stats.chains;
    ck_assert_uint_ge(chains, 2);            /* jmp -> m and blt -> loop */
    uint64_t translated = r.e->stats.tbs_translated;
    ck_assert_uint_le(translated, 6);        /* the loop was not retranslated */

    /* replace the chained-to instruction: the chain must be undone */
    as_write(&r.as, m, toy_enc(TOY_ADDI, 1, 1, 2), 4);
    r.cpu->halted = false;
    r.t->pc = PROG;
    r.t->r[1] = 0;
    ck_assert_int_eq(run(&r, 1000000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 1002);
    ck_assert_uint_gt(r.e->stats.chains, chains);
    rig_free(&r);
}
END_TEST

/* The physical map changes under running code (PAM shadowing, BAR moves):
 * a device write that enables an overlay must be seen by the very next
 * load, and code from the overlay must replace translations of the RAM
 * beneath it. */
typedef struct Remapper {
    AddressSpace *as;
    MemRegion *overlay;
} Remapper;

static void remap_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Remapper *rm = opaque;
    as_region_enable(rm->as, rm->overlay, val != 0);
}

static const MemRegionOps remap_ops = { .write = remap_write, .min_access = 1, .max_access = 4 };

START_TEST(test_memory_map_change)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    Remapper rm = { &r.as, as_add_rom(&r.as, "overlay", 0x4000, 0x1000, NULL, 1) };
    ck_assert_ptr_nonnull(rm.overlay);
    as_add_io(&r.as, "remap", MMIO_BASE + 0x1000, 0x100, &remap_ops, &rm, 0);
    as_region_enable(&r.as, rm.overlay, false);
    /* RAM at 0x4000: 'movi r1, 1; halt'; overlay: 0x55 words, 'movi r1, 2; halt' at +0x10 */
    ToyAsm ram_code, rom_code;
    toy_asm_init(&ram_code, r.ram, 0, 0x4010);
    toy_movi(&ram_code, 1, 1);
    toy_simple(&ram_code, TOY_HALT, 0, 0);
    toy_asm_init(&rom_code, rm.overlay->host, 0x4000, 0x4010);
    toy_movi(&rom_code, 1, 2);
    toy_simple(&rom_code, TOY_HALT, 0, 0);
    r.ram[0x4000] = 0x11;
    rm.overlay->host[0] = 0x55;

    toy_movi(a, 5, 0x4000);
    toy_movi(a, 6, MMIO_BASE + 0x1000);
    toy_movi(a, 4, 1);
    uint32_t loop = toy_mem(a, TOY_LDB, 2, 5, 0);
    toy_mem(a, TOY_ST, 4, 6, 0);             /* enable the overlay */
    toy_mem(a, TOY_LDB, 3, 5, 0);
    toy_branch(a, TOY_BEQ, loop);            /* flags are clear: never taken */
    toy_simple(a, TOY_HALT, 0, 0);
    ck_assert_int_eq(run(&r, 1000, NULL), 1);
    ck_assert_uint_eq(r.t->r[2], 0x11);
    ck_assert_uint_eq(r.t->r[3], 0x55);

    as_region_enable(&r.as, rm.overlay, false);
    r.cpu->halted = false;
    r.t->pc = 0x4010;
    ck_assert_int_eq(run(&r, 1000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 1);
    as_region_enable(&r.as, rm.overlay, true);
    r.cpu->halted = false;
    r.t->pc = 0x4010;
    ck_assert_int_eq(run(&r, 1000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 2);
    /* writes to the ROM overlay are ignored */
    as_write(&r.as, 0x4000, 0x99, 1);
    ck_assert_uint_eq(rm.overlay->host[0], 0x55);
    rig_free(&r);
}
END_TEST

/* ---- precise exceptions ---- */

START_TEST(test_fault_restore)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    toy_movi(a, 1, 5);
    toy_movi(a, 2, 7);
    toy_alu(a, TOY_ADD, 3, 1, 2);
    uint32_t f = toy_simple(a, TOY_FAULT, 0, 0);
    toy_addi(a, 3, 3, 1);
    toy_movi(a, 4, 9);
    toy_simple(a, TOY_HALT, 0, 0);
    int64_t n;
    ck_assert_int_eq(run(&r, 1000, &n), 1);   /* no vector: halts */
    ck_assert_int_eq(n, 3);
    ck_assert_uint_eq(r.t->last_excp, TOY_EXCP_FAULT);
    ck_assert_uint_eq(r.t->excp_pc, f);
    ck_assert_uint_eq(r.t->pc, f);
    ck_assert_uint_eq(r.t->r[3], 12);
    ck_assert_uint_eq(r.t->r[4], 0);

    /* with a vector the handler runs and can resume after the fault */
    rig_free(&r);
    rig_init(&r, _i, 1 << 20);
    a = &r.a;
    toy_movi(a, 1, 5);
    f = toy_simple(a, TOY_FAULT, 0, 0);
    toy_addi(a, 1, 1, 1);
    toy_simple(a, TOY_HALT, 0, 0);
    uint32_t handler = toy_addi(a, 6, 6, 4);  /* skip the faulting insn */
    toy_addi(a, 2, 2, 1);
    toy_simple(a, TOY_JR, 0, 6);
    r.t->vector = handler;
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 1 + 3 + 1 + 1);       /* movi, handler x3, addi, halt */
    ck_assert_uint_eq(r.t->r[1], 6);
    ck_assert_uint_eq(r.t->r[2], 1);
    ck_assert_uint_eq(r.t->excp_count, 1);
    rig_free(&r);
}
END_TEST

START_TEST(test_page_fault_load_store)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    r.t->unmapped_page = BAD_PAGE;
    toy_movi(a, 5, BAD_PAGE - 8);
    toy_movi(a, 1, 77);
    toy_mem(a, TOY_ST, 1, 5, 0);              /* mapped: lands */
    toy_addi(a, 2, 2, 3);
    uint32_t ld = toy_mem(a, TOY_LD, 3, 5, 8);  /* BAD_PAGE: faults */
    toy_addi(a, 2, 2, 3);
    toy_simple(a, TOY_HALT, 0, 0);
    int64_t n;
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 4);
    ck_assert_uint_eq(r.t->last_excp, TOY_EXCP_PAGE);
    ck_assert_uint_eq(r.t->fault_addr, BAD_PAGE);
    ck_assert_uint_eq(r.t->pc, ld);
    ck_assert_uint_eq(r.t->r[2], 3);
    ck_assert_uint_eq(rd32(&r, BAD_PAGE - 8), 77);

    /* a word store straddling into the bad page writes no byte */
    rig_free(&r);
    rig_init(&r, _i, 1 << 20);
    a = &r.a;
    r.t->unmapped_page = BAD_PAGE;
    toy_movi(a, 5, BAD_PAGE - 2);
    toy_movi(a, 1, 0xdeadbeef);
    uint32_t st = toy_mem(a, TOY_ST, 1, 5, 0);
    toy_simple(a, TOY_HALT, 0, 0);
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(r.t->pc, st);
    ck_assert_uint_eq(r.t->fault_addr, BAD_PAGE);
    ck_assert_uint_eq(r.ram[BAD_PAGE - 2], 0);
    ck_assert_uint_eq(r.ram[BAD_PAGE - 1], 0);

    /* an aligned-only load of an odd address raises the alignment fault */
    rig_free(&r);
    rig_init(&r, _i, 1 << 20);
    a = &r.a;
    toy_movi(a, 5, DATA + 1);
    uint32_t lda = toy_mem(a, TOY_LDA, 3, 5, 0);
    toy_simple(a, TOY_HALT, 0, 0);
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(r.t->last_excp, TOY_EXCP_ALIGN);
    ck_assert_uint_eq(r.t->pc, lda);
    ck_assert_uint_eq(r.t->fault_addr, DATA + 1);
    rig_free(&r);
}
END_TEST

START_TEST(test_fetch_fault_and_page_cross)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    r.t->unmapped_page = BAD_PAGE;
    /* two insns, then a MOVI whose immediate lies on the bad page */
    r.t->pc = BAD_PAGE - 12;
    a->pc = BAD_PAGE - 12;
    toy_addi(a, 1, 1, 1);
    toy_addi(a, 1, 1, 1);
    uint32_t mv = toy_movi(a, 2, 0);          /* spans BAD_PAGE - 4 .. BAD_PAGE + 3 */
    int64_t n;
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(r.t->r[1], 2);
    ck_assert_uint_eq(r.t->last_excp, TOY_EXCP_PAGE);
    ck_assert_uint_eq(r.t->pc, mv);
    ck_assert_uint_eq(r.t->fault_addr, BAD_PAGE);

    /* a straddling MOVI on mapped pages runs; rewriting its second page
     * (by DMA) invalidates the block */
    rig_free(&r);
    rig_init(&r, _i, 1 << 20);
    a = &r.a;
    r.t->pc = 0x3000 - 12;
    a->pc = 0x3000 - 12;
    toy_addi(a, 1, 1, 1);
    toy_addi(a, 1, 1, 1);
    mv = toy_movi(a, 2, 0x11223344);
    toy_simple(a, TOY_HALT, 0, 0);
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 4);
    ck_assert_uint_eq(r.t->r[2], 0x11223344);
    ck_assert(as_page_flags(&r.as, 0x3000) & MEM_PAGE_CODE);
    uint8_t nb[4] = { 0x88, 0x77, 0x66, 0x55 };
    ck_assert(as_rw(&r.as, 0x3000, nb, 4, true));
    r.cpu->halted = false;
    r.t->pc = mv;
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_uint_eq(r.t->r[2], 0x55667788);

    /* jumping to an unmapped page faults at the target */
    rig_free(&r);
    rig_init(&r, _i, 1 << 20);
    a = &r.a;
    r.t->unmapped_page = BAD_PAGE;
    toy_movi(a, 1, BAD_PAGE + 0x10);
    toy_simple(a, TOY_JR, 0, 1);
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 2);
    ck_assert_uint_eq(r.t->pc, BAD_PAGE + 0x10);
    ck_assert_uint_eq(r.t->fault_addr, BAD_PAGE + 0x10);
    rig_free(&r);
}
END_TEST

/* ---- code cache, budget, kicks ---- */

START_TEST(test_code_cache_full)
{
    Rig r;
    rig_init(&r, _i, 16 * 1024);
    ToyAsm *a = &r.a;
    /* 600 blocks (addi + jmp each) in a chain, run 3 times */
    toy_movi(a, 3, 3);
    uint32_t top = a->pc;
    for (int k = 0; k < 600; k++) {
        toy_addi(a, 1, 1, 1);
        toy_jmp(a, TOY_JMP, a->pc + 4);
    }
    toy_addi(a, 2, 2, 1);
    toy_cmp(a, 2, 3);
    toy_branch(a, TOY_BLT, top);
    toy_simple(a, TOY_HALT, 0, 0);
    ck_assert_uint_lt(a->pc, BAD_PAGE);
    ck_assert_int_eq(run(&r, 10000000, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 1800);
    ck_assert_uint_eq(r.t->r[2], 3);
    ck_assert_uint_ge(r.e->stats.flushes, 1);
    rig_free(&r);
}
END_TEST

START_TEST(test_icount_exact)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    /* 100 x addi r1 then jmp back: after N insns r1 = N - N / 101 */
    for (int k = 0; k < 100; k++)
        toy_addi(a, 1, 1, 1);
    toy_jmp(a, TOY_JMP, PROG);
    static const int64_t slices[] = { 1, 7, 100, 101, 1000, 12345, 3, 512, 513, 99999 };
    int64_t total = 0;
    for (unsigned k = 0; k < sizeof(slices) / sizeof(slices[0]); k++) {
        int64_t n;
        ck_assert_int_eq(run(&r, slices[k], &n), 0);
        ck_assert_int_eq(n, slices[k]);
        total += n;
        ck_assert_uint_eq(r.t->r[1], (uint32_t)(total - total / 101));
        uint32_t idx = (uint32_t)(total % 101);
        ck_assert_uint_eq(r.t->pc, PROG + 4 * idx);
    }
    int64_t n;
    ck_assert_int_eq(run(&r, 0, &n), 0);
    ck_assert_int_eq(n, 0);
    rig_free(&r);
}
END_TEST

START_TEST(test_kick_and_interrupt)
{
    Rig r;
    rig_init(&r, _i, 1 << 20);
    ToyAsm *a = &r.a;
    toy_movi(a, 3, 50);
    toy_movi(a, 5, MMIO_BASE);
    uint32_t loop = toy_addi(a, 1, 1, 1);
    toy_cmp(a, 1, 3);
    uint32_t skip = toy_branch(a, TOY_BNE, 0);
    toy_mem(a, TOY_ST, 1, 5, 0);              /* the device kicks the CPU */
    toy_patch(a, skip, a->pc);
    toy_jmp(a, TOY_JMP, loop);
    r.kick_on_write = true;
    int64_t n;
    ck_assert_int_eq(run(&r, 100000000, &n), 2);
    ck_assert_int_eq(r.mmio_writes, 1);
    ck_assert_uint_eq(r.t->r[1], 50);
    ck_assert_int_eq(n, 2 + 4 * 49 + 5);     /* stopped at the next block boundary */
    ck_assert_uint_eq(r.t->pc, loop);

    /* a kick while stopped makes the next run return at once */
    cpu_kick(r.cpu);
    ck_assert_int_eq(run(&r, 1000, &n), 2);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(run(&r, 400, &n), 0);
    ck_assert_int_eq(n, 400);
    ck_assert_uint_eq(r.t->r[1], 150);

    /* an interrupt is taken at a block boundary and goes to the vector */
    uint32_t handler = a->pc;
    toy_simple(a, TOY_HALT, 0, 0);
    r.t->vector = handler;
    cpu_interrupt(r.cpu, CPU_INTERRUPT_HARD);
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_uint_eq(r.t->last_excp, TOY_EXCP_IRQ);
    ck_assert_int_eq(n, 1);
    /* halted, no work: idle; an interrupt wakes it */
    ck_assert_int_eq(run(&r, 1000, &n), 1);
    ck_assert_int_eq(n, 0);
    r.t->vector = loop;
    cpu_interrupt(r.cpu, CPU_INTERRUPT_HARD);
    ck_assert_int_eq(run(&r, 40, &n), 0);
    ck_assert_int_eq(n, 40);
    ck_assert_uint_eq(r.t->excp_count, 2);
    rig_free(&r);
}
END_TEST

START_TEST(test_debug_log)
{
    Rig r;
    memset(&r, 0, sizeof(r));
    as_init(&r.as, "mem", 0);
    MemRegion *mr = as_add_ram(&r.as, "ram", 0, RAM_SIZE, NULL, 0);
    r.ram = mr->host;
    Log log = { .mask = LOG_in_asm | LOG_op | LOG_op_opt | LOG_out_asm | LOG_exec | LOG_tb, .out = tmpfile() };
    ck_assert_ptr_nonnull(log.out);
    r.e = engine_create(&toy_arch, backend_at(_i), 1 << 20, &r.as, &log);
    r.cpu = engine_cpu_create(r.e, NULL, NULL);
    r.t = toy_cpu(r.cpu);
    r.t->pc = PROG;
    toy_asm_init(&r.a, r.ram, 0, PROG);
    toy_addi(&r.a, 1, 1, 3);
    toy_simple(&r.a, TOY_HALT, 0, 0);
    ck_assert_int_eq(run(&r, 100, NULL), 1);
    ck_assert_uint_eq(r.t->r[1], 3);
    fflush(log.out);
    long len = ftell(log.out);
    ck_assert_int_gt(len, 0);
    char *buf = calloc(1, (size_t)len + 1);
    rewind(log.out);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, log.out), (size_t)len);
    ck_assert_ptr_nonnull(strstr(buf, "IN: pc=0x1000"));
    ck_assert_ptr_nonnull(strstr(buf, "OP:"));
    ck_assert_ptr_nonnull(strstr(buf, "OP after optimization:"));
    ck_assert_ptr_nonnull(strstr(buf, "OUT:"));
    ck_assert_ptr_nonnull(strstr(buf, "exec: tb pc=0x1000"));
    free(buf);
    fclose(log.out);
    rig_free(&r);
}
END_TEST

/* The generic CpuDriver the machine's main loop uses (machine/machine.h). */
START_TEST(test_cpu_driver)
{
    Machine *m = calloc(1, sizeof(*m));
    ck_assert_ptr_nonnull(m);
    as_init(&m->mem, "mem", 0);
    as_init(&m->io, "io", UINT64_MAX);
    MemRegion *mr = as_add_ram(&m->mem, "ram", 0, RAM_SIZE, NULL, 0);
    CpuCommon *cpu = engine_machine_attach(m, &toy_arch, backend_at(_i), 1 << 20);
    ck_assert_ptr_nonnull(cpu);
    ck_assert_ptr_eq(m->cpu, cpu);
    ck_assert_ptr_eq(m->cpu_driver, &engine_cpu_driver);
    ToyAsm a;
    toy_asm_init(&a, mr->host, 0, PROG);
    uint32_t loop = toy_addi(&a, 1, 1, 1);
    toy_cmp(&a, 1, 2);
    toy_branch(&a, TOY_BNE, loop);
    toy_simple(&a, TOY_HALT, 0, 0);
    toy_cpu(cpu)->pc = PROG;
    toy_cpu(cpu)->r[2] = 1000;
    const CpuDriver *d = m->cpu_driver;
    int64_t n;
    ck_assert_int_eq(d->run(cpu, 30, &n), CPU_RUN_BUDGET);
    ck_assert_int_eq(n, 30);
    ck_assert(!d->idle(cpu));
    d->kick(cpu);
    ck_assert_int_eq(d->run(cpu, 30, &n), CPU_RUN_EXIT);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(d->run(cpu, 1000000, &n), CPU_RUN_HALTED);
    ck_assert_int_eq(n, 3000 - 30 + 1);
    ck_assert(d->idle(cpu));
    d->reset(cpu);
    ck_assert(!d->idle(cpu));
    ck_assert_uint_eq(toy_cpu(cpu)->r[1], 0);
    d->destroy(cpu);
    as_destroy(&m->mem);
    as_destroy(&m->io);
    free(m);
}
END_TEST

static Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("toy");
    tcase_set_timeout(tc, 60);
    int nb = nbackends();
    tcase_add_loop_test(tc, test_arith_loop, 0, nb);
    tcase_add_loop_test(tc, test_calls_and_memory, 0, nb);
    tcase_add_loop_test(tc, test_indirect_jumps, 0, nb);
    tcase_add_loop_test(tc, test_smc_other_block, 0, nb);
    tcase_add_loop_test(tc, test_smc_current_block, 0, nb);
    tcase_add_loop_test(tc, test_dma_write_invalidates, 0, nb);
    tcase_add_loop_test(tc, test_chaining_and_unchain, 0, nb);
    tcase_add_loop_test(tc, test_memory_map_change, 0, nb);
    tcase_add_loop_test(tc, test_fault_restore, 0, nb);
    tcase_add_loop_test(tc, test_page_fault_load_store, 0, nb);
    tcase_add_loop_test(tc, test_fetch_fault_and_page_cross, 0, nb);
    tcase_add_loop_test(tc, test_code_cache_full, 0, nb);
    tcase_add_loop_test(tc, test_icount_exact, 0, nb);
    tcase_add_loop_test(tc, test_kick_and_interrupt, 0, nb);
    tcase_add_loop_test(tc, test_debug_log, 0, nb);
    tcase_add_loop_test(tc, test_cpu_driver, 0, nb);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(engine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
