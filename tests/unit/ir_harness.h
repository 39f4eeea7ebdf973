/*
 * Test harness shared by test_ir_ops.c and test_ir_opt.c: builds IR for a
 * fake guest CPU (CpuCommon followed by test registers, a TLB and a small
 * memory), runs it on a host backend without any engine, and provides the
 * engine entry points a backend calls (engine_lookup_tb, tlb_*_slow) as
 * recording stubs that keep their state in the fake CPU.
 */
#ifndef DOPPEL_TESTS_UNIT_IR_HARNESS_H
#define DOPPEL_TESTS_UNIT_IR_HARNESS_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/host/backend.h"
#include "cpu/ir/ir.h"
#include "cpu/tb.h"
#include "cpu/tlb.h"

#define TEST_NREGS 8
#define TEST_MAX_INSNS 16

typedef struct TestCpu {
    CpuCommon common;
    uint64_t r[TEST_NREGS];          /* i64 globals g_r0.. */
    uint32_t w[TEST_NREGS];          /* i32 globals g_w0.. */
    uint8_t mem[256];                /* host memory for ld/st */
    /* recorded by the stubs below */
    int slow_loads, slow_stores;
    uint64_t slow_addr, slow_val, slow_memop, slow_ret;
    uintptr_t slow_retaddr;
    TranslationBlock *lookup_result;
    int lookups;
    CpuTlb tlb;
} TestCpu;

typedef struct Harness {
    const HostBackend *be;
    void *bs;
    CodeBuffer cb;
    IrContext ir;
    TestCpu *cpu;
    IrTempId r[TEST_NREGS], w[TEST_NREGS];
    TranslationBlock tb;
    uint32_t insn_end[TEST_MAX_INSNS];
    uint64_t insn_data[TEST_MAX_INSNS * IR_INSN_WORDS];
} Harness;

static const char *const harness_reg_names[TEST_NREGS][2] = {
    { "r0", "w0" }, { "r1", "w1" }, { "r2", "w2" }, { "r3", "w3" },
    { "r4", "w4" }, { "r5", "w5" }, { "r6", "w6" }, { "r7", "w7" },
};

static inline void harness_init(Harness *h, const HostBackend *be)
{
    memset(h, 0, sizeof(*h));
    h->be = be;
    bool native = strcmp(be->name, "interp") != 0;
    ck_assert(code_buffer_init(&h->cb, 4u << 20, native));
    BackendEnvLayout layout = {
        .budget_offset = (int32_t)offsetof(CpuCommon, insn_budget),
        .tlb_offset = (int32_t)offsetof(TestCpu, tlb),
        .jmp_cache_offset = (int32_t)offsetof(CpuCommon, jmp_cache),
    };
    h->bs = be->create(&h->cb, &layout);
    ck_assert_ptr_nonnull(h->bs);
    h->cb.used = h->cb.prologue_size;
    ir_init(&h->ir);
    for (int i = 0; i < TEST_NREGS; i++) {
        h->r[i] = ir_global(&h->ir, IR_I64, (int32_t)offsetof(TestCpu, r[i]), harness_reg_names[i][0]);
        h->w[i] = ir_global(&h->ir, IR_I32, (int32_t)offsetof(TestCpu, w[i]), harness_reg_names[i][1]);
    }
    h->cpu = calloc(1, sizeof(TestCpu));
    ck_assert_ptr_nonnull(h->cpu);
    h->cpu->common.tlb = &h->cpu->tlb;
    for (int m = 0; m < TLB_MAX_MMU; m++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            TlbEntry *e = &h->cpu->tlb.table[m][i];
            e->addr_read = e->addr_write = e->addr_code = TLB_INVALID;
        }
    }
    ir_reset(&h->ir);
}

static inline void harness_destroy(Harness *h)
{
    h->be->destroy(h->bs);
    code_buffer_destroy(&h->cb);
    ir_destroy(&h->ir);
    free(h->cpu);
}

/* Start a new block (one guest insn already started). */
static inline void harness_begin(Harness *h)
{
    ir_reset(&h->ir);
    ir_insn_start(&h->ir, 0x1000, 0);
}

/* Optimize (if asked), run liveness, verify and translate into tb (at the
 * start of the code buffer unless keep_code). */
static inline void harness_gen(Harness *h, TranslationBlock *tb, uint32_t *insn_end,
                               uint64_t *insn_data, bool optimize, bool keep_code)
{
    if (optimize)
        ir_optimize(&h->ir);
    ir_liveness(&h->ir);
    if (!ir_verify(&h->ir, stderr)) {
        ir_dump(&h->ir, stderr);
        ck_abort_msg("IR does not verify");
    }
    ck_assert_int_le(h->ir.ninsns, TEST_MAX_INSNS);
    memset(tb, 0, sizeof(*tb));
    tb->pc = 0x1000;
    tb->icount = (uint32_t)(h->ir.ninsns ? h->ir.ninsns : 1);
    tb->insn_end = insn_end;
    tb->insn_data = insn_data;
    tb->page_addr[1] = ~0ull;
    if (!keep_code)
        h->cb.used = h->cb.prologue_size;
    ck_assert(h->be->gen_tb(h->bs, &h->cb, &h->ir, tb));
}

static inline uintptr_t harness_exec(Harness *h, TranslationBlock *tb)
{
    return h->be->exec(h->bs, &h->cpu->common, tb);
}

/* Translate the current IR into h->tb and run it with a large budget. */
static inline uintptr_t harness_run(Harness *h, bool optimize)
{
    harness_gen(h, &h->tb, h->insn_end, h->insn_data, optimize, false);
    h->cpu->common.insn_budget = 1000000;
    return harness_exec(h, &h->tb);
}

/* ---- engine entry points the backends call, as recording stubs ---- */

TranslationBlock *engine_lookup_tb(CpuCommon *cpu)
{
    TestCpu *t = (TestCpu *)cpu;
    t->lookups++;
    return t->lookup_result;
}

uint64_t tlb_load_slow(CpuCommon *cpu, uint64_t vaddr, uint64_t memop, uintptr_t retaddr)
{
    TestCpu *t = (TestCpu *)cpu;
    t->slow_loads++;
    t->slow_addr = vaddr;
    t->slow_memop = memop;
    t->slow_retaddr = retaddr;
    return t->slow_ret;
}

void tlb_store_slow(CpuCommon *cpu, uint64_t vaddr, uint64_t val, uint64_t memop, uintptr_t retaddr)
{
    TestCpu *t = (TestCpu *)cpu;
    t->slow_stores++;
    t->slow_addr = vaddr;
    t->slow_val = val;
    t->slow_memop = memop;
    t->slow_retaddr = retaddr;
}

#endif
