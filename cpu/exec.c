/*
 * The run loop shared by every guest: take interrupts at block boundaries,
 * find or translate the TB for the current state, chain the previous TB to
 * it, run it through the backend, and account retired instructions.
 *
 * Budget: generated code runs a TB only while cpu->insn_budget >= its
 * icount and subtracts the icount on entry. cpu_exec hands the budget out
 * in pieces of at most INT32_MAX/2 and counts retired instructions as the
 * difference (chained TBs never return, so this is the only exact count).
 * A TB that exits with TB_EXIT_REQUESTED did not run. When the budget left
 * is smaller than the next TB, a TB limited to that many instructions is
 * translated (cflags count), so -icount runs stop exactly on the
 * instruction. cpu_kick subtracts a bias of INT32_MAX/2+1 (remembered in
 * budget_kicked, applied once) so the next TB entry fails; the loop adds it
 * back. A precise exception inside a TB gives back the instructions from
 * the faulting one on (cpu_restore_state records how many).
 *
 * Chaining: a TB's direct exit is patched to the next TB only when that TB
 * starts on a virtual page the source TB covers. Those pages were
 * translated through the current TLB mapping when the source was looked
 * up, so a chain can never bypass a page-table change; any other
 * transition goes through the loop (or lookup_and_goto), which re-checks
 * the mapping. Invalidation undoes chains through the incoming lists.
 */
#include <inttypes.h>
#include <string.h>

#include "cpu/engine_int.h"

#define BUDGET_CHUNK (INT32_MAX / 2)
#define KICK_BIAS (INT32_MAX / 2 + 1)

void cpu_jmp_cache_clear(CpuCommon *cpu)
{
    memset(cpu->jmp_cache, 0, sizeof(cpu->jmp_cache));
}

/* Fold what ran since the last call into insns_executed. */
static void budget_account(CpuCommon *cpu)
{
    int64_t avail = (int64_t)cpu->insn_budget + cpu->budget_kicked;
    cpu->insns_executed += cpu->budget_handed - avail;
    cpu->budget_handed = avail;
}

static void budget_refill(CpuCommon *cpu)
{
    if (cpu->insn_budget >= BUDGET_CHUNK / 2 || cpu->budget_left <= 0)
        return;
    int64_t take = BUDGET_CHUNK - cpu->insn_budget;
    if (take > cpu->budget_left)
        take = cpu->budget_left;
    cpu->budget_left -= take;
    cpu->insn_budget += (int32_t)take;
    cpu->budget_handed += take;
}

void cpu_budget_kick(CpuCommon *cpu)
{
    if (!cpu->budget_kicked) {
        cpu->budget_kicked = KICK_BIAS;
        cpu->insn_budget -= KICK_BIAS;
    }
}

static bool tb_matches(const TranslationBlock *tb, uint64_t pc, uint64_t cs_base, uint32_t flags)
{
    return tb && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags && tb->cflags == 0
           && !tb->invalid;
}

/* A TB spanning two pages is only valid while its second virtual page
 * still maps to the same physical page. */
static bool tb_second_page_ok(CpuCommon *cpu, const TranslationBlock *tb, int mmu_idx, bool probe)
{
    if (tb->page_addr[1] == UINT64_MAX)
        return true;
    uint64_t v2 = (tb->pc & TLB_PAGE_MASK) + TLB_PAGE_SIZE, phys;
    if (probe) {
        if (!tlb_probe_code(cpu, v2, mmu_idx, &phys))
            return false;
    } else {
        phys = cpu_code_phys(cpu, v2, mmu_idx);
    }
    return (phys & TLB_PAGE_MASK) == tb->page_addr[1];
}

/* The TB for the key, translating it if needed (may raise a fetch fault). */
static TranslationBlock *tb_find(CpuCommon *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                                 int mmu_idx, uint32_t cflags)
{
    Engine *e = cpu->engine;
    unsigned h = tb_jmp_cache_hash(pc);
    if (cflags == 0 && tb_matches(cpu->jmp_cache[h], pc, cs_base, flags))
        return cpu->jmp_cache[h];
    uint64_t phys = cpu_code_phys(cpu, pc, mmu_idx);
    TranslationBlock *tb = tb_lookup_hash(e, pc, phys, cs_base, flags, cflags);
    if (tb && !tb_second_page_ok(cpu, tb, mmu_idx, false))
        tb = NULL;
    if (!tb)
        tb = tb_gen_code(cpu, pc, cs_base, flags, cflags, phys);
    if (cflags == 0)
        cpu->jmp_cache[h] = tb;
    return tb;
}

TranslationBlock *engine_lookup_tb(CpuCommon *cpu)
{
    Engine *e = cpu->engine;
    if (cpu->cflags_next_tb || log_enabled(e->log, LOG_exec | LOG_cpu)
        || (cpu->mem && (cpu->mem->generation != cpu->mem_generation
                         || cpu->mem->generation != engine_store(e)->mem_generation)))
        return NULL;
    uint64_t pc, cs_base;
    uint32_t flags;
    int mmu_idx = 0;
    cpu->arch->tb_key(cpu, &pc, &cs_base, &flags, &mmu_idx);
    unsigned h = tb_jmp_cache_hash(pc);
    TranslationBlock *tb = cpu->jmp_cache[h];
    if (!tb_matches(tb, pc, cs_base, flags)) {
        uint64_t phys;
        if (!tlb_probe_code(cpu, pc, mmu_idx, &phys))
            return NULL;
        tb = tb_lookup_hash(e, pc, phys, cs_base, flags, 0);
        if (!tb || !tb_second_page_ok(cpu, tb, mmu_idx, true))
            return NULL;
        cpu->jmp_cache[h] = tb;
    }
    if (cpu->insn_budget < (int32_t)tb->icount)
        return NULL;
    return tb;
}

/* May src's exit jump straight to dst? (see the overview) */
static bool chain_allowed(const TranslationBlock *src, const TranslationBlock *dst)
{
    uint64_t page = dst->pc & TLB_PAGE_MASK;
    uint64_t last = src->size ? src->pc + src->size - 1 : src->pc;
    return page == (src->pc & TLB_PAGE_MASK) || page == (last & TLB_PAGE_MASK);
}

int cpu_exec(CpuCommon *cpu, int64_t max_insns, int64_t *executed)
{
    Engine *e = cpu->engine;
    TbStore *s = engine_store(e);
    const GuestArch *arch = cpu->arch;
    int ret;
    /* Written after sigsetjmp and read after a siglongjmp: volatile. */
    TranslationBlock *volatile last_tb = NULL;
    volatile int last_slot = 0;
    volatile uint64_t last_flush = 0;

    cpu->insns_executed = 0;
    cpu->budget_left = max_insns > 0 ? max_insns : 0;
    cpu->budget_handed = (int64_t)cpu->insn_budget + cpu->budget_kicked;
    cpu->restore_unretired = 0;

    if (sigsetjmp(cpu->jmp_env, 0)) {
        /* Back from cpu_loop_exit: give back what the TB did not retire. */
        cpu->insn_budget += cpu->restore_unretired;
        cpu->restore_unretired = 0;
        cpu->current_tb = NULL;
        cpu->helper_retaddr = 0;
        last_tb = NULL;
        if (cpu->exception_index >= 0) {
            log_printf(cpu->log, LOG_int, "exception %d\n", cpu->exception_index);
            if (arch->do_interrupt)
                arch->do_interrupt(cpu);
            cpu->exception_index = -1;
        }
    }

    for (;;) {
        budget_account(cpu);
        if (cpu->budget_kicked) {
            cpu->insn_budget += cpu->budget_kicked;
            cpu->budget_kicked = 0;
        }
        if (cpu->interrupt_request & CPU_INTERRUPT_EXIT) {
            cpu->interrupt_request &= ~(uint32_t)CPU_INTERRUPT_EXIT;
            ret = 2;
            break;
        }
        if (cpu->halted) {
            if (!(arch->has_work && arch->has_work(cpu))) {
                ret = 1;
                break;
            }
            cpu->halted = false;
        }
        if (cpu->interrupt_request && arch->exec_interrupt && !cpu->cflags_next_tb) {
            if (arch->exec_interrupt(cpu))
                last_tb = NULL;
            if (cpu->halted)
                continue;
        }
        if (cpu->mem && cpu->mem->generation != s->mem_generation) {
            /* The physical map changed (PAM, BARs): drop the TBs, whose
             * bytes may now come from a different region. */
            s->mem_generation = cpu->mem->generation;
            engine_flush(e);
            last_tb = NULL;
        }
        if (cpu->mem && cpu->mem->generation != cpu->mem_generation) {
            cpu->mem_generation = cpu->mem->generation;
            tlb_flush(cpu);
        }
        budget_refill(cpu);
        if (cpu->insn_budget <= 0) {
            ret = 0;
            break;
        }

        uint64_t pc, cs_base;
        uint32_t flags;
        int mmu_idx = 0;
        arch->tb_key(cpu, &pc, &cs_base, &flags, &mmu_idx);
        uint32_t cflags = cpu->cflags_next_tb;
        cpu->cflags_next_tb = 0;
        TranslationBlock *tb = tb_find(cpu, pc, cs_base, flags, mmu_idx, cflags);
        if (tb->icount > (uint32_t)cpu->insn_budget) {
            /* Fewer instructions left than the TB holds: stop exactly. */
            last_tb = NULL;
            tb = tb_find(cpu, pc, cs_base, flags, mmu_idx, (uint32_t)cpu->insn_budget);
        }
        if (last_tb && last_flush == s->flush_count && chain_allowed(last_tb, tb)
            && !log_enabled(e->log, LOG_exec | LOG_cpu))
            tb_add_jump(e, last_tb, last_slot, tb);
        last_tb = NULL;
        if (log_enabled(cpu->log, LOG_cpu) && arch->dump_state)
            arch->dump_state(cpu, log_stream(cpu->log));
        log_printf(cpu->log, LOG_exec, "exec: tb pc=0x%" PRIx64 " phys=0x%" PRIx64 " insns=%u\n",
                   tb->pc, tb->phys_pc, tb->icount);

        cpu->current_tb = tb;
        uintptr_t r = e->backend->exec(e->be, cpu, tb);
        cpu->current_tb = NULL;
        cpu->restore_unretired = 0;
        TranslationBlock *rtb = (TranslationBlock *)(r & ~(uintptr_t)TB_EXIT_MASK);
        int tag = (int)(r & TB_EXIT_MASK);
        if (rtb && (tag == TB_EXIT_SLOT0 || tag == TB_EXIT_SLOT1)) {
            last_tb = rtb;
            last_slot = tag;
            last_flush = s->flush_count;
        }
    }

    /* Take back the budget this call did not use. */
    budget_account(cpu);
    cpu->insn_budget -= (int32_t)cpu->budget_handed;
    cpu->budget_handed = 0;
    cpu->budget_left = 0;
    if (executed)
        *executed = cpu->insns_executed;
    return ret;
}

_Noreturn void cpu_loop_exit(CpuCommon *cpu)
{
    siglongjmp(cpu->jmp_env, 1);
}

uintptr_t cpu_effective_retaddr(CpuCommon *cpu, uintptr_t retaddr)
{
    if (retaddr && cpu->helper_retaddr && !tb_find_by_host(cpu->engine, retaddr))
        return cpu->helper_retaddr;   /* a helper run by the interpreter */
    return retaddr;
}

bool cpu_restore_state(CpuCommon *cpu, uintptr_t retaddr)
{
    retaddr = cpu_effective_retaddr(cpu, retaddr);
    TranslationBlock *tb = tb_find_by_host(cpu->engine, retaddr);
    if (!tb || tb->icount == 0)
        return false;
    /* retaddr follows a call inside insn i's code: insn_end[i-1] < off <= insn_end[i]. */
    uint32_t off = (uint32_t)(retaddr - (uintptr_t)tb->host_code);
    uint32_t i = 0;
    while (i + 1 < tb->icount && off > tb->insn_end[i])
        i++;
    cpu->arch->restore_state(cpu, tb, &tb->insn_data[(size_t)i * IR_INSN_WORDS]);
    cpu->restore_unretired = (int32_t)(tb->icount - i);
    return true;
}

_Noreturn void cpu_loop_exit_restore(CpuCommon *cpu, uintptr_t retaddr)
{
    if (retaddr)
        cpu_restore_state(cpu, retaddr);
    cpu_loop_exit(cpu);
}

_Noreturn void cpu_raise_exception(CpuCommon *cpu, int excp, uintptr_t retaddr)
{
    cpu->exception_index = excp;
    cpu_loop_exit_restore(cpu, retaddr);
}

void cpu_kick(CpuCommon *cpu)
{
    cpu->interrupt_request |= CPU_INTERRUPT_EXIT;
    cpu_budget_kick(cpu);
}

void cpu_interrupt(CpuCommon *cpu, uint32_t mask)
{
    cpu->interrupt_request |= mask;
    cpu_budget_kick(cpu);
}

void cpu_reset_interrupt(CpuCommon *cpu, uint32_t mask)
{
    cpu->interrupt_request &= ~mask;
}
