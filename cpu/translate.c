/*
 * The generic translator: drives a GuestArch's hooks over guest code to
 * build IR for one TB, optimizes it, hands it to the backend, and publishes
 * the TB. Also the -d in_asm / op / op_opt / out_asm dumps.
 *
 * Page rules: a TB covers at most two guest pages. Translation stops before
 * an instruction that starts on a page other than the first one, and before
 * an instruction that would run over into another page unless it is the
 * TB's first instruction (then the TB records the second page). The
 * crossing is noticed by translator_ld* during decode: the partly built
 * instruction is dropped by truncating the IR and restoring a snapshot of
 * the guest's translation context taken before it, and the TB ends there.
 */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine_int.h"

/* ---- code fetch ---- */

static uint8_t code_byte(DisasBase *db, uint64_t vaddr)
{
    CpuCommon *cpu = db->cpu;
    TranslationBlock *tb = db->tb;
    TbStore *s = engine_store(cpu->engine);
    uint64_t page = vaddr & TLB_PAGE_MASK;
    if (page != (db->pc_first & TLB_PAGE_MASK)) {
        if (db->num_insns > 1 && s->can_abort)
            siglongjmp(s->abort_insn, 1);   /* not the first insn: end the TB before it */
    }
    uint64_t phys = cpu_code_phys(cpu, vaddr, s->fetch_mmu_idx);
    if (page != (db->pc_first & TLB_PAGE_MASK))
        tb->page_addr[1] = phys & TLB_PAGE_MASK;
    uint8_t b = (uint8_t)as_read(cpu->mem, phys, 1);
    uint64_t off = vaddr - db->pc_first;
    if (off < TB_MAX_BYTES && off + 1 > s->ncode_bytes) {
        s->code_bytes[off] = b;
        s->ncode_bytes = (uint32_t)off + 1;
    }
    return b;
}

static uint64_t code_le(DisasBase *db, uint64_t vaddr, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)code_byte(db, vaddr + i) << (8 * i);
    return v;
}

uint8_t translator_ldub(DisasBase *db, uint64_t vaddr) { return (uint8_t)code_le(db, vaddr, 1); }
uint16_t translator_lduw(DisasBase *db, uint64_t vaddr) { return (uint16_t)code_le(db, vaddr, 2); }
uint32_t translator_ldl(DisasBase *db, uint64_t vaddr) { return (uint32_t)code_le(db, vaddr, 4); }
uint64_t translator_ldq(DisasBase *db, uint64_t vaddr) { return code_le(db, vaddr, 8); }

/* ---- dumps ---- */

static void dump_in_asm(Engine *e, const TranslationBlock *tb)
{
    TbStore *s = engine_store(e);
    FILE *f = log_stream(e->log);
    fprintf(f, "IN: pc=0x%" PRIx64 " phys=0x%" PRIx64 " flags=0x%x insns=%u\n", tb->pc, tb->phys_pc,
            tb->flags, tb->icount);
    uint32_t len = tb->size < s->ncode_bytes ? tb->size : s->ncode_bytes;
    int arch_id = -1, mode_id = 0;
    if (e->arch->disas_mode)
        e->arch->disas_mode(tb->flags, &arch_id, &mode_id);
    csh h;
    if (arch_id >= 0 && cs_open((cs_arch)arch_id, (cs_mode)mode_id, &h) == CS_ERR_OK) {
        cs_insn *insn;
        size_t n = cs_disasm(h, s->code_bytes, len, tb->pc, 0, &insn);
        size_t done = 0;
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "0x%08" PRIx64 ":  %-10s %s\n", insn[i].address, insn[i].mnemonic, insn[i].op_str);
            done += insn[i].size;
        }
        if (n)
            cs_free(insn, n);
        cs_close(&h);
        if (done < len)
            fprintf(f, "0x%08" PRIx64 ":  (%u bytes capstone cannot decode)\n", tb->pc + done,
                    (unsigned)(len - done));
    } else {
        for (uint32_t i = 0; i < len; i += 16) {
            fprintf(f, "0x%08" PRIx64 ": ", tb->pc + i);
            for (uint32_t j = i; j < len && j < i + 16; j++)
                fprintf(f, " %02x", s->code_bytes[j]);
            fputc('\n', f);
        }
    }
    fputc('\n', f);
}

/* Totals for -d stats: code size per guest instruction and per IR op. */
static void count_translation(Engine *e, const IrContext *ir, const TranslationBlock *tb)
{
    uint64_t ops = 0;
    for (int i = 0; i < ir->nops; i++)
        ops += ir->ops[i].opc != IR_insn_start;
    e->stats.tbs_translated++;
    e->stats.guest_insns += tb->icount;
    e->stats.ir_ops += ops;
    e->stats.host_bytes += tb->host_size;
}

static void dump_ir(Engine *e, const char *title)
{
    FILE *f = log_stream(e->log);
    fprintf(f, "%s:\n", title);
    ir_dump(&e->ir, f);
    fputc('\n', f);
}

/* ---- the translator loop ---- */

/* Copy each insn_start's restore words into tb->insn_data. */
static void collect_insn_data(IrContext *ir, TranslationBlock *tb)
{
    uint32_t i = 0;
    for (int k = 0; k < ir->nops && i < tb->icount; k++) {
        const IrOp *op = &ir->ops[k];
        if (op->opc != IR_insn_start)
            continue;
        for (int w = 0; w < IR_INSN_WORDS; w++)
            tb->insn_data[i * IR_INSN_WORDS + w] = (uint64_t)op->args[w];
        i++;
    }
}

/* Build the IR of one TB into e->ir; fills tb->size/icount/page_addr.
 * insn_limit > 0 caps the guest instructions below what cflags allow. */
static void translate_ir(CpuCommon *cpu, TranslationBlock *tb, int insn_limit)
{
    Engine *e = cpu->engine;
    TbStore *s = engine_store(e);
    const GuestArch *arch = e->arch;
    /* Locals live across sigsetjmp/siglongjmp are volatile (gcc's
     * -Wclobbered warns about ir on AArch64 otherwise). */
    IrContext *volatile ir = &e->ir;
    DisasBase *volatile db = s->disas;

    ir_reset(ir);
    memset(s->disas, 0, arch->disas_size);
    db->tb = tb;
    db->cpu = cpu;
    db->ir = ir;
    db->pc_first = db->pc_next = tb->pc;
    db->num_insns = 0;
    uint32_t count = tb->cflags & TB_CF_COUNT_MASK;
    db->max_insns = (tb->cflags & TB_CF_SINGLE_INSN) ? 1 : count ? (int)count : TB_MAX_INSNS;
    if (insn_limit > 0 && insn_limit < db->max_insns)
        db->max_insns = insn_limit;
    db->is_jmp = DISAS_NEXT;
    s->ncode_bytes = 0;
    s->can_abort = false;
    uint64_t kpc, kcs;
    uint32_t kflags;
    s->fetch_mmu_idx = 0;
    arch->tb_key(cpu, &kpc, &kcs, &kflags, &s->fetch_mmu_idx);

    arch->tb_start(db);
    for (;;) {
        memcpy(s->disas_save, s->disas, arch->disas_size);
        int mark_ops = ir->nops, mark_temps = ir->ntemps, mark_labels = ir->nlabels;
        int mark_insns = ir->ninsns;
        if (sigsetjmp(s->abort_insn, 0)) {
            /* The insn ran into the next page: drop it, end the TB before it. */
            s->can_abort = false;
            memcpy(s->disas, s->disas_save, arch->disas_size);
            ir->nops = mark_ops;
            ir->ntemps = mark_temps;
            ir->nlabels = mark_labels;
            ir->ninsns = mark_insns;
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
        db->num_insns++;
        s->can_abort = db->num_insns > 1;
        arch->insn_start(db);
        arch->translate_insn(db);
        s->can_abort = false;
        if (db->is_jmp != DISAS_NEXT)
            break;
        if (db->num_insns >= db->max_insns
            || (db->pc_next & TLB_PAGE_MASK) != (db->pc_first & TLB_PAGE_MASK)
            || db->pc_next - db->pc_first >= TB_MAX_BYTES - 32) {
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    arch->tb_stop(db);
    tb->size = (uint32_t)(db->pc_next - db->pc_first);
    tb->icount = (uint32_t)db->num_insns;
}

TranslationBlock *tb_gen_code(CpuCommon *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                              uint32_t cflags, uint64_t phys_pc)
{
    Engine *e = cpu->engine;
    TbStore *s = engine_store(e);
    IrContext *ir = &e->ir;
    bool flushed = false;
    int insn_limit = 0;

    for (;;) {
        TranslationBlock *tb = tb_arena_alloc(s, sizeof(*tb));
        if (!tb)
            goto full;
        tb->pc = pc;
        tb->cs_base = cs_base;
        tb->flags = flags;
        tb->cflags = cflags;
        tb->phys_pc = phys_pc;
        tb->page_addr[0] = phys_pc & TLB_PAGE_MASK;
        tb->page_addr[1] = UINT64_MAX;
        for (int n = 0; n < 2; n++)
            tb->jmp_insn_offset[n] = tb->jmp_reset_offset[n] = TB_NO_JUMP;

        translate_ir(cpu, tb, insn_limit);
        if (tb->icount > 0) {
            tb->insn_end = tb_arena_alloc(s, tb->icount * sizeof(uint32_t));
            tb->insn_data = tb_arena_alloc(s, tb->icount * IR_INSN_WORDS * sizeof(uint64_t));
            if (!tb->insn_end || !tb->insn_data)
                goto full;
        }
        collect_insn_data(ir, tb);
        if (log_enabled(e->log, LOG_in_asm))
            dump_in_asm(e, tb);
        if (log_enabled(e->log, LOG_op))
            dump_ir(e, "OP");
        ir_optimize(ir);
        if (log_enabled(e->log, LOG_op_opt))
            dump_ir(e, "OP after optimization");
        ir_liveness(ir);
        if (!e->backend->gen_tb(e->be, &e->code, ir, tb)) {
            /* Too much host code for one block (a backend keeps 16-bit
             * offsets, and guest code can be dense in memory ops), or the
             * buffer is full: retry with half the instructions, under the
             * same cflags so lookups find the block; flush as a last resort. */
            if (tb->icount > 1) {
                insn_limit = (int)tb->icount / 2;
                continue;
            }
            goto full;
        }
        tb_link(e, tb);
        count_translation(e, ir, tb);
        if (log_enabled(e->log, LOG_out_asm) && e->backend->dump_code) {
            FILE *f = log_stream(e->log);
            fprintf(f, "OUT: [size=%u]\n", tb->host_size);
            e->backend->dump_code(e->be, &e->code, tb, f);
            fputc('\n', f);
        }
        return tb;
    full:
        if (flushed) {
            fprintf(stderr, "doppel: code cache too small for one translation block\n");
            abort();
        }
        engine_flush(e);
        flushed = true;
    }
}
