/*
 * The x86 translator core: the GuestArch translation hooks, dispatch of a
 * decoded instruction to its handler (table built from x86_opcodes.def),
 * and the building blocks every handler uses: register operands with the
 * x86 partial-register rules, effective addresses (SDM Vol. 1 3.7.5, Vol. 2
 * 2.1.5, 2.2.1.6) with segment bases (Vol. 3A 3.4), guest memory, the
 * stack, and block exits (chained, through the jump cache, or back to the
 * engine).
 */
#include "cpu/x86/x86_translate.h"

#include <stddef.h>

#include "cpu/x86/x86_helper.h"

typedef void (*X86GenFn)(DisasX86 *s, X86Insn *in);

#define X86_OPC(map, opc, mnem, handler, a, b, c, fl) [(map) * 256 + (opc)] = handler,
static const X86GenFn gen_table[4 * 256] = {     /* maps 0F, 0F 38, 0F 3A too */
#include "cpu/x86/x86_opcodes.def"
};
#undef X86_OPC

/* ---- small utilities ---- */

IrTempId x86_tmp(DisasX86 *s) { return ir_temp(s->ir, IR_I64); }
IrTempId x86_tmp_local(DisasX86 *s) { return ir_temp_local(s->ir, IR_I64); }
IrTempId x86_const(DisasX86 *s, int64_t v) { return ir_const(s->ir, IR_I64, v); }

void x86_gen_ext(DisasX86 *s, IrTempId d, IrTempId a, int size, bool sign)
{
    static const IrOpcode zext[4] = { IR_ext8u, IR_ext16u, IR_ext32u, IR_mov };
    static const IrOpcode sext[4] = { IR_ext8s, IR_ext16s, IR_ext32s, IR_mov };
    int l = x86_size_log2(size);
    if (l == 3)
        ir_mov(s->ir, d, a);
    else
        ir_unop(s->ir, sign ? sext[l] : zext[l], d, a);
}

/* ---- registers ---- */

IrTempId x86_gen_get_reg(DisasX86 *s, X86Insn *in, int size, int reg)
{
    IrTempId t = x86_tmp(s);
    if (size == 1 && x86_byte_reg_is_high(in, reg))
        ir_extract(s->ir, t, s->cpu_regs[reg - 4], 8, 8);
    else
        x86_gen_ext(s, t, s->cpu_regs[reg & 15], size, false);
    return t;
}

void x86_gen_set_reg(DisasX86 *s, X86Insn *in, int size, int reg, IrTempId val)
{
    switch (size) {
    case 1:
        if (x86_byte_reg_is_high(in, reg))
            ir_deposit(s->ir, s->cpu_regs[reg - 4], s->cpu_regs[reg - 4], val, 8, 8);
        else
            ir_deposit(s->ir, s->cpu_regs[reg & 15], s->cpu_regs[reg & 15], val, 0, 8);
        break;
    case 2:
        ir_deposit(s->ir, s->cpu_regs[reg & 15], s->cpu_regs[reg & 15], val, 0, 16);
        break;
    case 4:
        ir_unop(s->ir, IR_ext32u, s->cpu_regs[reg & 15], val);
        break;
    default:
        ir_mov(s->ir, s->cpu_regs[reg & 15], val);
        break;
    }
}

/* ---- addresses ---- */

IrTempId x86_gen_ea_offset(DisasX86 *s, X86Insn *in)
{
    IrTempId t = x86_tmp(s);
    if (in->rip_relative) {
        ir_movi(s->ir, t, (int64_t)(s->next_eip + (uint64_t)in->disp));
    } else {
        int64_t disp = in->disp;
        if (in->base == R_ESP)
            disp += s->popl_esp_hack;
        if (in->base >= 0 && in->index >= 0) {
            IrTempId idx = x86_tmp(s);
            ir_binopi(s->ir, IR_shl, idx, s->cpu_regs[in->index], in->scale);
            ir_add(s->ir, t, s->cpu_regs[in->base], idx);
            if (disp)
                ir_binopi(s->ir, IR_add, t, t, disp);
        } else if (in->base >= 0) {
            ir_binopi(s->ir, IR_add, t, s->cpu_regs[in->base], disp);
        } else if (in->index >= 0) {
            ir_binopi(s->ir, IR_shl, t, s->cpu_regs[in->index], in->scale);
            ir_binopi(s->ir, IR_add, t, t, disp);
        } else {
            ir_movi(s->ir, t, disp);
        }
    }
    if (in->addrsize < 8)
        x86_gen_ext(s, t, t, in->addrsize, false);
    return t;
}

IrTempId x86_gen_seg_addr(DisasX86 *s, int seg, IrTempId offset)
{
    bool add;
    if (s->code64)
        add = seg == R_FS || seg == R_GS;
    else
        add = s->addseg || seg == R_FS || seg == R_GS || seg == R_CS;
    bool check = x86_seg_needs_check(s, seg);
    if (!add && !check)
        return offset;
    IrTempId t = x86_tmp(s);
    if (add) {
        IrTempId base = x86_tmp(s);
        ir_ld(s->ir, base, s->ir->env, (int32_t)offsetof(X86Cpu, segs[seg].base), ir_memop(3, false, false, 0));
        ir_add(s->ir, t, offset, base);
        if (!s->code64)
            ir_unop(s->ir, IR_ext32u, t, t);
    } else {
        ir_mov(s->ir, t, offset);   /* a temp of its own for the check record */
    }
    if (check)
        x86_seg_note_addr(s, t, seg, offset);
    return t;
}

IrTempId x86_gen_ea(DisasX86 *s, X86Insn *in)
{
    return x86_gen_seg_addr(s, x86_insn_seg(in, in->default_seg), x86_gen_ea_offset(s, in));
}

IrTempId x86_gen_ld(DisasX86 *s, int size, IrTempId addr, bool sign)
{
    IrTempId t = x86_tmp(s);
    addr = x86_gen_check_addr(s, addr, size, false);
    ir_gld(s->ir, t, addr, ir_memop((unsigned)x86_size_log2(size), sign, false, (unsigned)s->mmu_idx));
    return t;
}

void x86_gen_st(DisasX86 *s, int size, IrTempId val, IrTempId addr)
{
    addr = x86_gen_check_addr(s, addr, size, true);
    ir_gst(s->ir, val, addr, ir_memop((unsigned)x86_size_log2(size), false, false, (unsigned)s->mmu_idx));
}

IrTempId x86_gen_load_rm(DisasX86 *s, X86Insn *in, int size, IrTempId *addr_out)
{
    if (in->mod == 3) {
        if (addr_out)
            *addr_out = -1;
        return x86_gen_get_reg(s, in, size, in->rm);
    }
    IrTempId addr = x86_gen_ea(s, in);
    if (addr_out)
        *addr_out = addr;
    return x86_gen_ld(s, size, addr, false);
}

void x86_gen_store_rm(DisasX86 *s, X86Insn *in, int size, IrTempId val, IrTempId addr)
{
    if (in->mod == 3) {
        x86_gen_set_reg(s, in, size, in->rm, val);
        return;
    }
    if (addr < 0)
        addr = x86_gen_ea(s, in);
    x86_gen_st(s, size, val, addr);
}

bool x86_require_mem(DisasX86 *s, X86Insn *in)
{
    if (in->mod == 3) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return false;
    }
    return true;
}

/* ---- stack ---- */

/* Write a new stack pointer value with the stack width's merge rules. */
static void set_sp(DisasX86 *s, IrTempId v)
{
    IrTempId sp = s->cpu_regs[R_ESP];
    switch (s->stack_size) {
    case 2: ir_deposit(s->ir, sp, sp, v, 0, 16); break;
    case 4: ir_unop(s->ir, IR_ext32u, sp, v); break;
    default: ir_mov(s->ir, sp, v); break;
    }
}

IrTempId x86_gen_stack_addr(DisasX86 *s, X86Insn *in, IrTempId sp, int64_t off)
{
    (void)in;
    IrTempId t = x86_tmp(s);
    ir_binopi(s->ir, IR_add, t, sp, off);
    if (s->stack_size < 8)
        x86_gen_ext(s, t, t, s->stack_size, false);
    return x86_gen_seg_addr(s, R_SS, t);
}

void x86_gen_push_val(DisasX86 *s, X86Insn *in, int size, IrTempId val)
{
    IrTempId nsp = x86_tmp(s);
    ir_binopi(s->ir, IR_sub, nsp, s->cpu_regs[R_ESP], size);
    x86_gen_st(s, size, val, x86_gen_stack_addr(s, in, nsp, 0));
    set_sp(s, nsp);
}

IrTempId x86_gen_pop_peek(DisasX86 *s, X86Insn *in, int size)
{
    return x86_gen_ld(s, size, x86_gen_stack_addr(s, in, s->cpu_regs[R_ESP], 0), false);
}

void x86_gen_sp_add(DisasX86 *s, X86Insn *in, int64_t n)
{
    (void)in;
    IrTempId t = x86_tmp(s);
    ir_binopi(s->ir, IR_add, t, s->cpu_regs[R_ESP], n);
    set_sp(s, t);
}

/* ---- control flow ---- */

void x86_gen_set_rip(DisasX86 *s, uint64_t eip)
{
    ir_movi(s->ir, s->cpu_rip, (int64_t)eip);
}

/* A block run with EFLAGS.TF = 1 holds one instruction; when it completes
 * (rip stored), the single-step trap is raised instead of leaving (SDM
 * Vol. 3A 17.3.1.4). Not after MOV SS/POP SS: their shadow delays the trap
 * to the end of the next instruction. Returns true if it emitted the trap. */
static bool gen_single_step(DisasX86 *s)
{
    if (!(s->flags & HF_TF) || s->set_inhibit_irq)
        return false;
    IrTempId args[1] = { x86_env(s) };
    x86_gen_helper_call(s, &x86_helper_single_step_def, -1, args, 1);
    ir_exit_tb(s->ir, 0);   /* not reached */
    return true;
}

/* Leave the block with rip already stored. */
static void gen_exit_dynamic(DisasX86 *s)
{
    if (gen_single_step(s))
        return;
    if (s->no_chain)
        ir_exit_tb(s->ir, 0);
    else
        ir_lookup_and_goto(s->ir);
}

void x86_gen_eob_dynamic(DisasX86 *s, bool to_engine)
{
    x86_gen_sync_cc_op(s);
    if (gen_single_step(s))
        ;
    else if (to_engine)
        ir_exit_tb(s->ir, 0);
    else
        gen_exit_dynamic(s);
    s->base.is_jmp = DISAS_NORETURN;
}

void x86_gen_load_seg(DisasX86 *s, int seg, IrTempId sel)
{
    if (!s->pe) {
        IrTempId base = x86_tmp(s);
        ir_binopi(s->ir, IR_and, base, sel, 0xffff);
        ir_st(s->ir, base, s->ir->env, (int32_t)offsetof(X86Cpu, segs[seg].selector), ir_memop(1, false, false, 0));
        ir_binopi(s->ir, IR_shl, base, base, 4);
        ir_st(s->ir, base, s->ir->env, (int32_t)offsetof(X86Cpu, segs[seg].base), ir_memop(3, false, false, 0));
        return;
    }
    IrTempId args[3] = { x86_env(s), x86_const(s, seg), sel };
    x86_gen_helper_call(s, &x86_helper_load_seg_def, -1, args, 3);
}

void x86_gen_jmp_to(DisasX86 *s, uint64_t eip, int slot)
{
    uint64_t target = s->cs_base + eip;
    if (!s->code64)
        target &= 0xffffffffu;
    x86_gen_sync_cc_op(s);
    /* rip is stored before the chainable jump: a chained TB that finds its
     * budget exhausted returns without running, and the engine then
     * resumes from the CPU state, which must be that TB's start. */
    x86_gen_set_rip(s, eip);
    if (gen_single_step(s))
        ;
    else if (!s->no_chain && (target & TLB_PAGE_MASK) == (s->base.pc_first & TLB_PAGE_MASK)) {
        ir_goto_tb(s->ir, slot);
        ir_exit_tb(s->ir, (uintptr_t)s->base.tb | (uintptr_t)slot);
    } else {
        gen_exit_dynamic(s);
    }
    s->base.is_jmp = DISAS_NORETURN;
}

void x86_gen_jmp_indirect(DisasX86 *s, IrTempId eip)
{
    x86_gen_sync_cc_op(s);
    ir_mov(s->ir, s->cpu_rip, eip);
    gen_exit_dynamic(s);
    s->base.is_jmp = DISAS_NORETURN;
}

void x86_gen_helper_call(DisasX86 *s, const IrHelper *h, IrTempId ret, const IrTempId *args, int nargs)
{
    x86_gen_sync_cc_op(s);
    ir_call(s->ir, h, ret, args, nargs);
}

void x86_gen_exception(DisasX86 *s, int excp, int error_code)
{
    IrTempId args[3] = { x86_env(s), x86_const(s, excp), x86_const(s, error_code) };
    x86_gen_helper_call(s, &x86_helper_raise_exception_def, -1, args, 3);
    ir_exit_tb(s->ir, 0);   /* not reached */
    s->base.is_jmp = DISAS_NORETURN;
}

/* ---- the GuestArch translation hooks ---- */

/* Find the IR ids of the globals init_ir declared, by env offset. */
static IrTempId find_global(IrContext *ir, size_t offset)
{
    for (int i = 0; i < ir->nglobals; i++)
        if (ir->temps[i].kind == IR_TEMP_GLOBAL && ir->temps[i].env_offset == (int32_t)offset)
            return i;
    return -1;
}

void x86_tr_tb_start(DisasBase *db)
{
    DisasX86 *s = (DisasX86 *)db;
    IrContext *ir = db->ir;
    s->ir = ir;
    for (int i = 0; i < 16; i++)
        s->cpu_regs[i] = find_global(ir, offsetof(X86Cpu, regs) + 8 * (size_t)i);
    s->cpu_rip = find_global(ir, offsetof(X86Cpu, rip));
    s->cpu_cc_dst = find_global(ir, offsetof(X86Cpu, cc_dst));
    s->cpu_cc_src = find_global(ir, offsetof(X86Cpu, cc_src));
    s->cpu_cc_src2 = find_global(ir, offsetof(X86Cpu, cc_src2));
    s->cpu_cc_op = find_global(ir, offsetof(X86Cpu, cc_op));

    uint32_t f = db->tb->flags;
    s->flags = f;
    s->cs_base = db->tb->cs_base;
    s->pe = f & HF_PE;
    s->vm86 = f & HF_VM;
    s->lma = f & HF_LMA;
    s->code64 = f & HF_CS64;
    s->addseg = f & HF_ADDSEG;
    s->cpl = (int)(f & HF_CPL_MASK);
    s->code_mode = s->code64 ? X86_MODE64 : (f & HF_CS32) ? X86_MODE32 : X86_MODE16;
    s->stack_size = s->code64 ? 8 : (f & HF_SS32) ? 4 : 2;
    s->mmu_idx = s->cpl == 3 ? X86_MMU_USER : X86_MMU_KERNEL;
    s->cc_op = CC_OP_DYNAMIC;
    s->cc_op_dirty = false;
    s->inhibit_irq_at_entry = f & HF_INHIBIT_IRQ;
    s->no_chain = s->inhibit_irq_at_entry || (f & HF_TF) || (db->tb->cflags & TB_CF_NO_CHAIN);
    if (s->inhibit_irq_at_entry || (f & HF_TF))
        db->max_insns = 1;     /* the shadow covers one instruction; TF traps after each */
}

void x86_tr_insn_start(DisasBase *db)
{
    DisasX86 *s = (DisasX86 *)db;
    uint64_t eip = db->pc_next - s->cs_base;
    if (!s->code64)
        eip &= 0xffffffffu;
    s->eip = eip;
    ir_insn_start(s->ir, eip, (uint64_t)s->cc_op);
}

static uint8_t fetch_code(void *opaque, uint64_t addr)
{
    DisasX86 *s = opaque;
    uint64_t lin = s->cs_base + addr;
    if (!s->code64)
        lin &= 0xffffffffu;
    return translator_ldub(&s->base, lin);
}

/* Clear the interrupt shadow in env->hflags (the block ran its one insn). */
static void gen_clear_inhibit(DisasX86 *s)
{
    IrTempId t = ir_temp(s->ir, IR_I32);
    ir_ld(s->ir, t, s->ir->env, (int32_t)offsetof(X86Cpu, hflags), ir_memop(2, false, false, 0));
    ir_binopi(s->ir, IR_and, t, t, ~(int64_t)HF_INHIBIT_IRQ & 0xffffffff);
    ir_st(s->ir, t, s->ir->env, (int32_t)offsetof(X86Cpu, hflags), ir_memop(2, false, false, 0));
}

void x86_tr_translate_insn(DisasBase *db)
{
    DisasX86 *s = (DisasX86 *)db;
    X86Insn insn;
    X86DecodeStatus st = x86_decode(&insn, s->code_mode, s->eip, fetch_code, s);
    uint64_t len = st == X86_DECODE_OK ? insn.len : (insn.len ? insn.len : 1);
    db->pc_next += len;
    s->next_eip = s->eip + len;
    if (!s->code64)
        s->next_eip &= 0xffffffffu;
    s->popl_esp_hack = 0;
    s->nsegaddr = 0;

    /* An interrupt shadow ends after this instruction, faulting or not. */
    if (s->inhibit_irq_at_entry)
        gen_clear_inhibit(s);

    /* Every byte of the instruction must lie within the CS limit (SDM Vol.
     * 3A 5.3; real mode: #GP(0) "if ... beyond the end of the segment").
     * The limit is read at translation time: blocks are keyed by CS base
     * and mode, and CS loads that change the limit end the block. */
    if (!s->code64 && s->eip + len - 1 > x86_cpu(s->base.cpu)->segs[R_CS].limit) {
        x86_gen_exception(s, X86_EXCP_GP, 0);
        return;
    }

    if (st == X86_DECODE_UD) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    if (st == X86_DECODE_TOO_LONG) {
        x86_gen_exception(s, X86_EXCP_GP, 0);
        return;
    }
    int idx = insn.map * 256 + insn.opcode;
    X86GenFn fn = gen_table[idx];
    if (!fn)
        fn = gen_table[(insn.info->flags & X86F_ROW8) ? idx & ~7 : idx & ~15];
    if (!fn) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    fn(s, &insn);
}

void x86_tr_tb_stop(DisasBase *db)
{
    DisasX86 *s = (DisasX86 *)db;
    uint64_t next = db->pc_next - s->cs_base;
    if (!s->code64)
        next &= 0xffffffffu;
    switch (db->is_jmp) {
    case DISAS_NORETURN:
        break;
    case X86_DISAS_EOB_NEXT:
        x86_gen_sync_cc_op(s);
        x86_gen_set_rip(s, next);
        if (s->set_inhibit_irq) {
            IrTempId t = ir_temp(s->ir, IR_I32);
            ir_ld(s->ir, t, s->ir->env, (int32_t)offsetof(X86Cpu, hflags), ir_memop(2, false, false, 0));
            ir_binopi(s->ir, IR_or, t, t, HF_INHIBIT_IRQ);
            ir_st(s->ir, t, s->ir->env, (int32_t)offsetof(X86Cpu, hflags), ir_memop(2, false, false, 0));
        }
        if (!gen_single_step(s))
            ir_exit_tb(s->ir, 0);
        break;
    default:    /* DISAS_NEXT, DISAS_TOO_MANY: fall through to the next insn */
        x86_gen_jmp_to(s, next, 0);
        break;
    }
}
