/*
 * The fake guest CPU of test_ir_random.c: a CpuCommon followed by i64/i32
 * globals, env fields for ld/st, a few RAM pages behind a hand-filled
 * softmmu TLB, and what the engine would provide to generated code
 * (tlb_load_slow, tlb_store_slow, engine_lookup_tb) plus the test helpers
 * blocks call. Faults (unaligned IR_MO_ALIGN access, unmapped or read-only
 * page, a raising helper) are recorded with the guest instruction their
 * retaddr maps to, the way cpu_restore_state does (cpu/exec.c), and leave
 * through siglongjmp like cpu_loop_exit. Every entry point trashes the
 * caller-saved registers so generated code cannot rely on them surviving.
 * Only for x86-64 hosts (inline asm).
 */
#ifndef DOPPEL_TESTS_UNIT_IR_RANDOM_ENV_H
#define DOPPEL_TESTS_UNIT_IR_RANDOM_ENV_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "cpu/host/backend.h"
#include "cpu/ir/ir.h"
#include "cpu/tb.h"
#include "cpu/tlb.h"
#include "tests/unit/ir_random_host.h"

#define NG64 6
#define NG32 5
#define NLOC 3
#define NTMP 4
#define MAX_INSNS 64
#define RAM_PAGES 3
#define RAM_VBASE 0x0000765432100000ull   /* TLB index 0 */
#define ALIAS_OFF 0x100000ull            /* same TLB index, other page */

enum { FAULT_NONE, FAULT_UNALIGNED, FAULT_PAGE, FAULT_HELPER };

typedef struct TestEnv {
    CpuCommon common;
    uint64_t g64[NG64];
    uint32_t g32[NG32];
    uint64_t scratch[8];           /* ld/st targets (not globals) */
    uint64_t helper_acc;
    int fault_kind, fault_insn;
    uint64_t fault_addr;
    TranslationBlock *cur_tb;
    TranslationBlock *lookup_tb;
    int lookups;
    int slow_calls;                /* not compared: backends may differ */
    uint8_t ram[RAM_PAGES * TLB_PAGE_SIZE];
    CpuTlb tlb;
} TestEnv;

/* ---- the guest side the slow paths and helpers see ---- */

static int insn_of_retaddr(TestEnv *t, uintptr_t ra)
{
    TranslationBlock *tb = t->cur_tb;
    if (!tb || !tb->icount) {
        return -1;
    }
    if (ra < (uintptr_t)tb->host_code || ra > (uintptr_t)tb->host_code + tb->host_size) {
        ra = t->common.helper_retaddr;
        if (ra < (uintptr_t)tb->host_code || ra > (uintptr_t)tb->host_code + tb->host_size) {
            return -1;
        }
    }
    uint32_t off = (uint32_t)(ra - (uintptr_t)tb->host_code), i = 0;
    while (i + 1 < tb->icount && off > tb->insn_end[i]) {
        i++;
    }
    return (int)i;
}

/* Trash the caller-saved registers, as a large C function may: generated
 * code must not keep values there across slow paths and calls. */
static void clobber_caller_saved(void)
{
    ir_random_host_clobber();
}

static _Noreturn void test_fault(TestEnv *t, int kind, uint64_t addr, uintptr_t ra)
{
    t->fault_kind = kind;
    t->fault_addr = addr;
    t->fault_insn = insn_of_retaddr(t, ra);
    siglongjmp(t->common.jmp_env, 1);
}

static uint8_t *test_byte(TestEnv *t, uint64_t a, unsigned mmu, bool write, uintptr_t ra)
{
    const TlbEntry *e = &t->tlb.table[mmu & (TLB_MAX_MMU - 1)][tlb_index(a)];
    uint64_t cmp = write ? e->addr_write : e->addr_read;
    if ((cmp & (TLB_PAGE_MASK | TLB_INVALID)) != (a & TLB_PAGE_MASK)) {
        test_fault(t, FAULT_PAGE, a, ra);
    }
    return (uint8_t *)(uintptr_t)(a + e->addend);
}

/* Slow paths (normally cpu/tlb.c): byte by byte through the same TLB. */
uint64_t tlb_load_slow(CpuCommon *cpu, uint64_t vaddr, uint64_t memop, uintptr_t retaddr)
{
    clobber_caller_saved();
    TestEnv *t = (TestEnv *)cpu;
    unsigned size = ir_memop_size((IrMemOp)memop);
    t->slow_calls++;
    if ((memop & IR_MO_ALIGN) && (vaddr & (size - 1))) {
        test_fault(t, FAULT_UNALIGNED, vaddr, retaddr);
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)*test_byte(t, vaddr + i, ir_memop_mmu((IrMemOp)memop), false, retaddr) << (8 * i);
    }
    if ((memop & IR_MO_SIGN) && size < 8 && (v >> (8 * size - 1)) & 1) {
        v |= ~0ull << (8 * size);
    }
    return v;
}

void tlb_store_slow(CpuCommon *cpu, uint64_t vaddr, uint64_t val, uint64_t memop, uintptr_t retaddr)
{
    clobber_caller_saved();
    TestEnv *t = (TestEnv *)cpu;
    unsigned size = ir_memop_size((IrMemOp)memop), mmu = ir_memop_mmu((IrMemOp)memop);
    t->slow_calls++;
    if ((memop & IR_MO_ALIGN) && (vaddr & (size - 1))) {
        test_fault(t, FAULT_UNALIGNED, vaddr, retaddr);
    }
    test_byte(t, vaddr, mmu, true, retaddr);            /* fault before any write */
    test_byte(t, vaddr + size - 1, mmu, true, retaddr);
    for (unsigned i = 0; i < size; i++) {
        *test_byte(t, vaddr + i, mmu, true, retaddr) = (uint8_t)(val >> (8 * i));
    }
}

TranslationBlock *engine_lookup_tb(CpuCommon *cpu)
{
    clobber_caller_saved();
    TestEnv *t = (TestEnv *)cpu;
    t->lookups++;
    if (t->lookup_tb && t->common.insn_budget >= (int32_t)t->lookup_tb->icount) {
        return t->lookup_tb;
    }
    return NULL;
}

static uint64_t h_read(uint64_t env)
{
    clobber_caller_saved();
    TestEnv *t = (TestEnv *)(uintptr_t)env;
    return t->g64[0] ^ ((uint64_t)t->g32[1] << 7) ^ t->helper_acc;
}

static void h_write(uint64_t env, uint64_t v)
{
    clobber_caller_saved();
    TestEnv *t = (TestEnv *)(uintptr_t)env;
    t->g64[2] = v;
    t->g32[0] += 1;
    t->helper_acc += v;
}

static uint64_t h_pure3(uint64_t a, uint64_t b, uint64_t c)
{
    clobber_caller_saved();
    return a * 3 + (b ^ (c >> 3));
}

static void h_void6(uint64_t env, uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    clobber_caller_saved();
    TestEnv *t = (TestEnv *)(uintptr_t)env;
    t->helper_acc = t->helper_acc * 31 + a + 3 * b + 5 * c + 7 * d + 11 * e;
}

static uint64_t h_ret32(uint64_t a)
{
    clobber_caller_saved();
    return 0xdead000000000000ull | (a * 7);   /* i32 result: upper half is junk */
}

static uint64_t h_raise(uint64_t env, uint64_t a)
{
    clobber_caller_saved();
    TestEnv *t = (TestEnv *)(uintptr_t)env;
    if ((a & 15) == 3) {
        test_fault(t, FAULT_HELPER, a, (uintptr_t)__builtin_return_address(0));
    }
    return a + t->g64[1];
}

static const IrHelper helpers[] = {
    { "read", (void *)h_read, 1, true, IR_I64, IR_CALL_NO_WRITE_GLOBALS },
    { "write", (void *)h_write, 2, false, IR_I64, 0 },
    { "pure3", (void *)h_pure3, 3, true, IR_I64,
      IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_PURE },
    { "void6", (void *)h_void6, 6, false, IR_I64, IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS },
    { "ret32", (void *)h_ret32, 1, true, IR_I32,
      IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_PURE },
    { "raise", (void *)h_raise, 2, true, IR_I64, IR_CALL_NO_WRITE_GLOBALS | IR_CALL_MAY_RAISE },
};

#endif
