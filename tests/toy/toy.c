/*
 * The toy guest (see toy.h): decoder, translator to IR, identity MMU with
 * one faulting page, exception delivery, and a small assembler for tests.
 */
#include <stddef.h>
#include <string.h>

#include "cpu/engine.h"
#include "tests/toy/toy.h"

typedef struct ToyDisas {
    DisasBase base;
    IrTempId r[8], pc, flags;
    int mmu_idx;
} ToyDisas;

/* ---- helpers called from generated code ---- */

static void toy_helper_raise(uint64_t env, uint64_t excp)
{
    cpu_raise_exception((CpuCommon *)(uintptr_t)env, (int)excp, CPU_GETPC());
}

static const IrHelper toy_raise_helper = {
    .name = "toy_raise", .fn = (void *)toy_helper_raise, .nargs = 2, .has_ret = false,
    .flags = IR_CALL_MAY_RAISE | IR_CALL_NO_WRITE_GLOBALS,
};

/* ---- GuestArch hooks ---- */

static void toy_init_ir(CpuCommon *cpu, IrContext *ir)
{
    static const char *const names[8] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7" };
    for (int i = 0; i < 8; i++)
        ir_global(ir, IR_I32, (int32_t)offsetof(ToyCpu, r[i]), names[i]);
    ir_global(ir, IR_I32, (int32_t)offsetof(ToyCpu, pc), "pc");
    ir_global(ir, IR_I32, (int32_t)offsetof(ToyCpu, flags), "flags");
}

static void toy_reset(CpuCommon *cpu)
{
    ToyCpu *t = toy_cpu(cpu);
    memset(t->r, 0, sizeof(t->r));
    t->pc = 0;
    t->flags = 0;
    t->mode = 0;
    t->vector = 0;
    t->excp_count = t->last_excp = t->excp_pc = t->fault_addr = 0;
    t->unmapped_page = UINT64_MAX;
}

static void toy_tb_key(CpuCommon *cpu, uint64_t *pc, uint64_t *cs_base, uint32_t *flags, int *mmu_idx)
{
    ToyCpu *t = toy_cpu(cpu);
    *pc = t->pc;
    *cs_base = 0;
    *flags = t->mode & 1;
    *mmu_idx = (int)(t->mode & 1);
}

/* Find the IR temps of the globals declared by toy_init_ir. */
static void toy_tb_start(DisasBase *db)
{
    ToyDisas *d = (ToyDisas *)db;
    IrContext *ir = db->ir;
    for (int t = 0; t < ir->nglobals; t++) {
        if (ir->temps[t].kind != IR_TEMP_GLOBAL)
            continue;
        int32_t off = ir->temps[t].env_offset;
        if (off == (int32_t)offsetof(ToyCpu, pc))
            d->pc = t;
        else if (off == (int32_t)offsetof(ToyCpu, flags))
            d->flags = t;
        else if (off >= (int32_t)offsetof(ToyCpu, r) && off < (int32_t)offsetof(ToyCpu, r[8]))
            d->r[(off - (int32_t)offsetof(ToyCpu, r)) / 4] = t;
    }
    d->mmu_idx = (int)(db->tb->flags & 1);
}

static void toy_insn_start(DisasBase *db)
{
    ir_insn_start(db->ir, db->pc_next, 0);
}

/* Jump to dest: chainable slot if dest is on this TB's page, else lookup. */
static void toy_gen_goto(ToyDisas *d, int slot, uint32_t dest)
{
    DisasBase *db = &d->base;
    IrContext *ir = db->ir;
    if ((dest & TLB_PAGE_MASK) == (db->pc_first & TLB_PAGE_MASK)) {
        ir_goto_tb(ir, slot);
        ir_movi(ir, d->pc, dest);
        ir_exit_tb(ir, (uintptr_t)db->tb | (uintptr_t)slot);
    } else {
        ir_movi(ir, d->pc, dest);
        ir_lookup_and_goto(ir);
    }
}

static void toy_gen_raise(ToyDisas *d, uint32_t pc, int excp)
{
    IrContext *ir = d->base.ir;
    ir_movi(ir, d->pc, pc);
    IrTempId args[2] = { ir->env, ir_const(ir, IR_I64, excp) };
    ir_call(ir, &toy_raise_helper, -1, args, 2);
    ir_exit_tb(ir, 0);
    d->base.is_jmp = DISAS_NORETURN;
}

/* i64 guest address = (i32) ra + imm */
static IrTempId toy_gen_addr(ToyDisas *d, unsigned ra, int32_t imm)
{
    IrContext *ir = d->base.ir;
    IrTempId a32 = ir_temp(ir, IR_I32), a64 = ir_temp(ir, IR_I64);
    ir_binopi(ir, IR_add, a32, d->r[ra], imm);
    ir_unop(ir, IR_extu_i32_i64, a64, a32);
    return a64;
}

static void toy_translate_insn(DisasBase *db)
{
    ToyDisas *d = (ToyDisas *)db;
    IrContext *ir = db->ir;
    uint32_t pc = (uint32_t)db->pc_next;
    uint32_t w = translator_ldl(db, pc);
    unsigned op = w & 0xff, rd = (w >> 8) & 7, ra = (w >> 12) & 7, rb = (w >> 16) & 7;
    int32_t imm16 = (int16_t)(w >> 16);
    uint32_t next = pc + 4;
    static const IrOpcode alu[] = {
        [TOY_ADD] = IR_add, [TOY_SUB] = IR_sub, [TOY_MUL] = IR_mul, [TOY_AND] = IR_and,
        [TOY_OR] = IR_or, [TOY_XOR] = IR_xor, [TOY_SHL] = IR_shl, [TOY_SHR] = IR_shr,
    };

    switch (op) {
    case TOY_NOP:
        break;
    case TOY_MOVI: {
        uint32_t imm = translator_ldl(db, pc + 4);
        next = pc + 8;
        ir_movi(ir, d->r[rd], imm);
        break;
    }
    case TOY_ADD: case TOY_SUB: case TOY_MUL: case TOY_AND:
    case TOY_OR: case TOY_XOR: case TOY_SHL: case TOY_SHR:
        ir_binop(ir, alu[op], d->r[rd], d->r[ra], d->r[rb]);
        break;
    case TOY_ADDI:
        ir_binopi(ir, IR_add, d->r[rd], d->r[ra], imm16);
        break;
    case TOY_LD: case TOY_LDB: case TOY_LDA: {
        IrTempId v = ir_temp(ir, IR_I32);
        unsigned size = op == TOY_LDB ? IR_MO_8 : IR_MO_32;
        ir_gld(ir, v, toy_gen_addr(d, ra, imm16), ir_memop(size, false, op == TOY_LDA, (unsigned)d->mmu_idx));
        ir_mov(ir, d->r[rd], v);
        break;
    }
    case TOY_ST: case TOY_STB:
        ir_gst(ir, d->r[rd], toy_gen_addr(d, ra, imm16),
               ir_memop(op == TOY_STB ? IR_MO_8 : IR_MO_32, false, false, (unsigned)d->mmu_idx));
        break;
    case TOY_CMP: {
        IrTempId t = ir_temp(ir, IR_I32), f = ir_temp(ir, IR_I32);
        ir_setcond(ir, IR_COND_EQ, f, d->r[ra], d->r[rb]);
        ir_setcond(ir, IR_COND_LT, t, d->r[ra], d->r[rb]);
        ir_binopi(ir, IR_shl, t, t, 1);
        ir_or(ir, f, f, t);
        ir_setcond(ir, IR_COND_LTU, t, d->r[ra], d->r[rb]);
        ir_binopi(ir, IR_shl, t, t, 2);
        ir_or(ir, d->flags, f, t);
        break;
    }
    case TOY_BEQ: case TOY_BNE: case TOY_BLT: case TOY_BGE: case TOY_BLTU: case TOY_BGEU: {
        static const uint32_t bit[] = { TOY_FLAG_EQ, TOY_FLAG_EQ, TOY_FLAG_LT, TOY_FLAG_LT,
                                        TOY_FLAG_LTU, TOY_FLAG_LTU };
        unsigned k = op - TOY_BEQ;
        IrCond c = (k & 1) ? IR_COND_TSTEQ : IR_COND_TSTNE;
        uint32_t target = next + (uint32_t)(imm16 * 4);
        IrLabel taken = ir_new_label(ir);
        ir_brcondi(ir, c, d->flags, bit[k], taken);
        toy_gen_goto(d, 0, next);
        ir_set_label(ir, taken);
        toy_gen_goto(d, 1, target);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    case TOY_JMP: case TOY_CALL: {
        int32_t off = (int32_t)w >> 8;
        uint32_t target = next + (uint32_t)(off * 4);
        if (op == TOY_CALL)
            ir_movi(ir, d->r[7], next);
        toy_gen_goto(d, 0, target);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    case TOY_RET: case TOY_JR:
        ir_mov(ir, d->pc, d->r[op == TOY_RET ? 7 : ra]);
        ir_lookup_and_goto(ir);
        db->is_jmp = DISAS_NORETURN;
        break;
    case TOY_FAULT:
        toy_gen_raise(d, pc, TOY_EXCP_FAULT);
        break;
    case TOY_HALT: {
        ir_movi(ir, d->pc, next);
        IrTempId one = ir_const(ir, IR_I32, 1);
        ir_st(ir, one, ir->env, (int32_t)offsetof(CpuCommon, halted), ir_memop(IR_MO_8, false, false, 0));
        ir_exit_tb(ir, 0);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    default:
        toy_gen_raise(d, pc, TOY_EXCP_ILLEGAL);
        break;
    }
    db->pc_next = next;
}

static void toy_tb_stop(DisasBase *db)
{
    ToyDisas *d = (ToyDisas *)db;
    if (db->is_jmp == DISAS_TOO_MANY || db->is_jmp == DISAS_NEXT)
        toy_gen_goto(d, 0, (uint32_t)db->pc_next);
}

static void toy_restore_state(CpuCommon *cpu, const TranslationBlock *tb, const uint64_t *data)
{
    toy_cpu(cpu)->pc = (uint32_t)data[0];
}

static bool toy_tlb_fill(CpuCommon *cpu, uint64_t vaddr, int size, MmuAccess access, int mmu_idx,
                         bool probe, uintptr_t retaddr)
{
    ToyCpu *t = toy_cpu(cpu);
    uint64_t page = vaddr & TLB_PAGE_MASK;
    if (page == t->unmapped_page || vaddr > UINT32_MAX) {
        if (probe)
            return false;
        t->fault_addr = (uint32_t)vaddr;
        cpu_raise_exception(cpu, TOY_EXCP_PAGE, retaddr);
    }
    tlb_set_page(cpu, page, page, PROT_R | PROT_W | PROT_X, mmu_idx);
    return true;
}

static void toy_unaligned(CpuCommon *cpu, uint64_t vaddr, MmuAccess access, int mmu_idx, uintptr_t retaddr)
{
    toy_cpu(cpu)->fault_addr = (uint32_t)vaddr;
    cpu_raise_exception(cpu, TOY_EXCP_ALIGN, retaddr);
}

static void toy_deliver(ToyCpu *t, int excp)
{
    t->excp_count++;
    t->last_excp = (uint32_t)excp;
    t->excp_pc = t->pc;
    if (t->vector) {
        t->r[6] = t->pc;
        t->pc = t->vector;
    } else {
        t->common.halted = true;
    }
}

static bool toy_exec_interrupt(CpuCommon *cpu)
{
    if (!(cpu->interrupt_request & CPU_INTERRUPT_HARD))
        return false;
    cpu_reset_interrupt(cpu, CPU_INTERRUPT_HARD);
    toy_deliver(toy_cpu(cpu), TOY_EXCP_IRQ);
    return true;
}

static void toy_do_interrupt(CpuCommon *cpu)
{
    toy_deliver(toy_cpu(cpu), cpu->exception_index);
}

static bool toy_has_work(CpuCommon *cpu)
{
    return (cpu->interrupt_request & CPU_INTERRUPT_HARD) != 0;
}

static void toy_dump_state(CpuCommon *cpu, FILE *f)
{
    ToyCpu *t = toy_cpu(cpu);
    for (int i = 0; i < 8; i++)
        fprintf(f, "r%d=%08x%c", i, t->r[i], i == 3 || i == 7 ? '\n' : ' ');
    fprintf(f, "pc=%08x flags=%x mode=%x\n", t->pc, t->flags, t->mode);
}

const GuestArch toy_arch = {
    .name = "toy",
    .env_size = sizeof(ToyCpu),
    .tlb_offset = offsetof(ToyCpu, tlb),
    .disas_size = sizeof(ToyDisas),
    .mmu_modes = 2,
    .init_ir = toy_init_ir,
    .reset = toy_reset,
    .tb_key = toy_tb_key,
    .tb_start = toy_tb_start,
    .insn_start = toy_insn_start,
    .translate_insn = toy_translate_insn,
    .tb_stop = toy_tb_stop,
    .restore_state = toy_restore_state,
    .tlb_fill = toy_tlb_fill,
    .unaligned = toy_unaligned,
    .exec_interrupt = toy_exec_interrupt,
    .do_interrupt = toy_do_interrupt,
    .has_work = toy_has_work,
    .dump_state = toy_dump_state,
    .disas_mode = NULL,
};

/* ---- assembler ---- */

uint32_t toy_emit(ToyAsm *a, uint32_t word)
{
    uint32_t at = a->pc;
    uint8_t *p = a->buf + (at - a->base);
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(word >> (8 * i));
    a->pc += 4;
    return at;
}

uint32_t toy_movi(ToyAsm *a, unsigned rd, uint32_t imm)
{
    uint32_t at = toy_emit(a, toy_enc(TOY_MOVI, rd, 0, 0));
    toy_emit(a, imm);
    return at;
}

uint32_t toy_alu(ToyAsm *a, unsigned op, unsigned rd, unsigned ra, unsigned rb)
{
    return toy_emit(a, toy_enc(op, rd, ra, rb));
}

uint32_t toy_addi(ToyAsm *a, unsigned rd, unsigned ra, int32_t imm)
{
    return toy_emit(a, toy_enc(TOY_ADDI, rd, ra, (uint32_t)imm));
}

uint32_t toy_mem(ToyAsm *a, unsigned op, unsigned rd, unsigned ra, int32_t imm)
{
    return toy_emit(a, toy_enc(op, rd, ra, (uint32_t)imm));
}

uint32_t toy_cmp(ToyAsm *a, unsigned ra, unsigned rb)
{
    return toy_emit(a, toy_enc(TOY_CMP, 0, ra, rb));
}

uint32_t toy_simple(ToyAsm *a, unsigned op, unsigned rd, unsigned ra)
{
    return toy_emit(a, toy_enc(op, rd, ra, 0));
}

void toy_patch(ToyAsm *a, uint32_t at, uint32_t target)
{
    uint8_t *p = a->buf + (at - a->base);
    uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    int32_t off = (int32_t)(target - (at + 4)) / 4;
    if ((w & 0xff) == TOY_JMP || (w & 0xff) == TOY_CALL)
        w = (w & 0xff) | ((uint32_t)off & 0xffffff) << 8;
    else
        w = (w & 0xffff) | ((uint32_t)off & 0xffff) << 16;
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(w >> (8 * i));
}

uint32_t toy_branch(ToyAsm *a, unsigned op, uint32_t target)
{
    uint32_t at = toy_emit(a, toy_enc(op, 0, 0, 0));
    toy_patch(a, at, target);
    return at;
}

uint32_t toy_jmp(ToyAsm *a, unsigned op, uint32_t target)
{
    uint32_t at = toy_emit(a, (uint32_t)op);
    toy_patch(a, at, target);
    return at;
}
