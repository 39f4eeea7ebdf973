/*
 * Translation of the x86 system instructions (Intel SDM Vol. 2): group 6
 * (SLDT, STR, LLDT, LTR, VERR, VERW), group 7 (SGDT, SIDT, LGDT, LIDT,
 * SMSW, LMSW, INVLPG, SWAPGS, RDTSCP), LAR/LSL, CLTS, INVD/WBINVD, MOV
 * to/from CRn and DRn, RDMSR/WRMSR, SYSCALL/SYSRET, SYSENTER/SYSEXIT, and
 * the I/O permission check IN/OUT/INS/OUTS emit. Privilege checks that
 * depend only on the block's mode (CPL, PE, VM, IOPL are TB flags) are
 * decided here; the rest is in x86_helper_system.c.
 */
#include <stddef.h>

#include "cpu/x86/x86_gen_system.h"
#include "cpu/x86/x86_helper_system.h"
#include "cpu/x86/x86_translate.h"

/* #GP(0) unless CPL 0 (real mode counts as CPL 0). */
static bool require_cpl0(DisasX86 *s)
{
    if (s->pe && s->cpl != 0) {
        x86_gen_exception(s, X86_EXCP_GP, 0);
        return false;
    }
    return true;
}

/* #UD in real-address and virtual-8086 mode. */
static bool require_protected(DisasX86 *s)
{
    if (!s->pe || s->vm86) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return false;
    }
    return true;
}

static IrTempId env_ld(DisasX86 *s, size_t off, int log2)
{
    IrTempId t = x86_tmp(s);
    ir_ld(s->ir, t, x86_env(s), (int32_t)off, ir_memop((unsigned)log2, false, false, 0));
    return t;
}

static void env_st(DisasX86 *s, IrTempId v, size_t off, int log2)
{
    ir_st(s->ir, v, x86_env(s), (int32_t)off, ir_memop((unsigned)log2, false, false, 0));
}

static void call(DisasX86 *s, const IrHelper *h, IrTempId ret, int nargs, IrTempId a1, IrTempId a2)
{
    IrTempId args[3] = { x86_env(s), a1, a2 };
    x86_gen_helper_call(s, h, ret, args, nargs);
}

/* Address a + n, wrapped like the operand's address. */
static IrTempId addr_plus(DisasX86 *s, IrTempId a, int n)
{
    IrTempId t = x86_tmp(s);
    ir_binopi(s->ir, IR_add, t, a, n);
    if (!s->code64)
        ir_unop(s->ir, IR_ext32u, t, t);
    return t;
}

void x86_gen_check_io(DisasX86 *s, IrTempId port, int size)
{
    int iopl = (int)((s->flags & HF_IOPL_MASK) >> HF_IOPL_SHIFT);
    if (!s->pe || (!s->vm86 && s->cpl <= iopl))
        return;
    call(s, &x86_helper_check_io_def, -1, 3, port, x86_const(s, size));
}

/* 0F 00: group 6 */
void x86_gen_grp6(DisasX86 *s, X86Insn *in)
{
    int op = (in->modrm >> 3) & 7;
    if (!require_protected(s))
        return;
    switch (op) {
    case 0: case 1: {   /* SLDT, STR: a register destination gets the zero-extended selector */
        IrTempId v = env_ld(s, op == 0 ? offsetof(X86Cpu, ldt.selector) : offsetof(X86Cpu, tr.selector), 1);
        if (in->mod == 3)
            x86_gen_set_reg(s, in, in->opsize, in->rm, v);
        else
            x86_gen_st(s, 2, v, x86_gen_ea(s, in));
        break;
    }
    case 2: case 3:     /* LLDT, LTR */
        if (!require_cpl0(s))
            return;
        call(s, op == 2 ? &x86_helper_lldt_def : &x86_helper_ltr_def, -1, 2, x86_gen_load_rm(s, in, 2, NULL), -1);
        break;
    case 4: case 5:     /* VERR, VERW */
        call(s, &x86_helper_verr_verw_def, -1, 3, x86_gen_load_rm(s, in, 2, NULL), x86_const(s, op == 5));
        x86_set_cc_op(s, CC_OP_DYNAMIC);
        break;
    default:
        x86_gen_exception(s, X86_EXCP_UD, -1);
        break;
    }
}

/* LGDT/LIDT (SDM LGDT): limit, then a 24-bit (16-bit operand size), 32-bit
 * or (64-bit mode) 64-bit base. */
static void gen_load_table(DisasX86 *s, X86Insn *in, size_t off)
{
    IrTempId a = x86_gen_ea(s, in);
    IrTempId limit = x86_gen_ld(s, 2, a, false);
    IrTempId base = x86_gen_ld(s, s->code64 ? 8 : 4, addr_plus(s, a, 2), false);
    if (!s->code64 && in->opsize == 2)
        ir_binopi(s->ir, IR_and, base, base, 0xffffff);
    env_st(s, base, off + offsetof(X86Table, base), 3);
    env_st(s, limit, off + offsetof(X86Table, limit), 2);
}

static void gen_store_table(DisasX86 *s, X86Insn *in, size_t off)
{
    IrTempId a = x86_gen_ea(s, in);
    x86_gen_st(s, 2, env_ld(s, off + offsetof(X86Table, limit), 2), a);
    x86_gen_st(s, s->code64 ? 8 : 4, env_ld(s, off + offsetof(X86Table, base), 3), addr_plus(s, a, 2));
}

/* 0F 01: group 7 */
void x86_gen_grp7(DisasX86 *s, X86Insn *in)
{
    int op = (in->modrm >> 3) & 7;
    if (in->mod == 3) {
        int rm = in->modrm & 7;
        if (op == 4) {                              /* SMSW r */
            x86_gen_set_reg(s, in, in->opsize, in->rm, env_ld(s, offsetof(X86Cpu, cr[0]), 3));
        } else if (op == 6) {                       /* LMSW r */
            if (!require_cpl0(s))
                return;
            call(s, &x86_helper_lmsw_def, -1, 2, x86_gen_load_rm(s, in, 2, NULL), -1);
            s->base.is_jmp = X86_DISAS_EOB_NEXT;
        } else if (op == 7 && rm == 0 && s->code64) { /* SWAPGS: 64-bit mode only */
            if (!require_cpl0(s))
                return;
            call(s, &x86_helper_swapgs_def, -1, 1, -1, -1);
        } else if (op == 7 && rm == 1) {            /* RDTSCP */
            call(s, &x86_helper_rdtscp_def, -1, 1, -1, -1);
        } else {                                    /* VMX, MONITOR/MWAIT, XGETBV, ...: not present */
            x86_gen_exception(s, X86_EXCP_UD, -1);
        }
        return;
    }
    switch (op) {
    case 0:
        gen_store_table(s, in, offsetof(X86Cpu, gdt));
        break;
    case 1:
        gen_store_table(s, in, offsetof(X86Cpu, idt));
        break;
    case 2: case 3:
        if (!require_cpl0(s))
            return;
        gen_load_table(s, in, op == 2 ? offsetof(X86Cpu, gdt) : offsetof(X86Cpu, idt));
        break;
    case 4:                                         /* SMSW m16 */
        x86_gen_st(s, 2, env_ld(s, offsetof(X86Cpu, cr[0]), 3), x86_gen_ea(s, in));
        break;
    case 6:                                         /* LMSW m16 */
        if (!require_cpl0(s))
            return;
        call(s, &x86_helper_lmsw_def, -1, 2, x86_gen_load_rm(s, in, 2, NULL), -1);
        s->base.is_jmp = X86_DISAS_EOB_NEXT;
        break;
    case 7:                                         /* INVLPG m: the block's own page may change */
        if (!require_cpl0(s))
            return;
        call(s, &x86_helper_invlpg_def, -1, 2, x86_gen_ea(s, in), -1);
        s->base.is_jmp = X86_DISAS_EOB_NEXT;
        break;
    default:
        x86_gen_exception(s, X86_EXCP_UD, -1);
        break;
    }
}

/* 0F 02 LAR, 0F 03 LSL: the destination is written only when ZF = 1. */
void x86_gen_lar_lsl(DisasX86 *s, X86Insn *in)
{
    if (!require_protected(s))
        return;
    IrTempId v = x86_tmp_local(s);
    call(s, &x86_helper_lar_lsl_def, v, 3, x86_gen_load_rm(s, in, 2, NULL), x86_const(s, in->opcode == 3));
    x86_set_cc_op(s, CC_OP_DYNAMIC);
    IrLabel skip = ir_new_label(s->ir);
    ir_brcond(s->ir, IR_COND_EQ, v, x86_const(s, -1), skip);
    x86_gen_set_reg(s, in, in->opsize, in->reg, v);
    ir_set_label(s->ir, skip);
}

/* 0F 06 CLTS */
void x86_gen_clts(DisasX86 *s, X86Insn *in)
{
    (void)in;
    if (!require_cpl0(s))
        return;
    call(s, &x86_helper_clts_def, -1, 1, -1, -1);
    s->base.is_jmp = X86_DISAS_EOB_NEXT;        /* HF_TS */
}

/* 0F 08 INVD, 0F 09 WBINVD: no caches to write back. */
void x86_gen_cache(DisasX86 *s, X86Insn *in)
{
    (void)in;
    require_cpl0(s);
}

/* 0F 20 / 0F 22: MOV r, CRn / MOV CRn, r */
void x86_gen_mov_cr(DisasX86 *s, X86Insn *in)
{
    int n = in->reg;
    if (n != 0 && n != 2 && n != 3 && n != 4 && n != 8) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    if (!require_cpl0(s))
        return;
    int size = s->code64 ? 8 : 4;
    if (in->opcode == 0x22) {
        call(s, &x86_helper_write_cr_def, -1, 3, x86_const(s, n), x86_gen_get_reg(s, in, size, in->rm));
        s->base.is_jmp = X86_DISAS_EOB_NEXT;    /* mode, paging or TLB may have changed */
    } else {
        IrTempId v = x86_tmp(s);
        call(s, &x86_helper_read_cr_def, v, 2, x86_const(s, n), -1);
        x86_gen_set_reg(s, in, size, in->rm, v);
    }
}

/* 0F 21 / 0F 23: MOV r, DRn / MOV DRn, r */
void x86_gen_mov_dr(DisasX86 *s, X86Insn *in)
{
    if (in->reg > 7) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    if (!require_cpl0(s))
        return;
    int size = s->code64 ? 8 : 4;
    if (in->opcode == 0x23) {
        call(s, &x86_helper_write_dr_def, -1, 3, x86_const(s, in->reg), x86_gen_get_reg(s, in, size, in->rm));
    } else {
        IrTempId v = x86_tmp(s);
        call(s, &x86_helper_read_dr_def, v, 2, x86_const(s, in->reg), -1);
        x86_gen_set_reg(s, in, size, in->rm, v);
    }
}

/* 0F 30 WRMSR, 0F 32 RDMSR */
void x86_gen_msr(DisasX86 *s, X86Insn *in)
{
    if (!require_cpl0(s))
        return;
    if (in->opcode == 0x30) {
        call(s, &x86_helper_wrmsr_def, -1, 1, -1, -1);
        s->base.is_jmp = X86_DISAS_EOB_NEXT;    /* EFER, FS/GS base */
    } else {
        call(s, &x86_helper_rdmsr_def, -1, 1, -1, -1);
    }
}

/* A helper that loaded CS:rIP itself: leave to the engine (new mode). */
static void gen_far_helper(DisasX86 *s, const IrHelper *h, int nargs, IrTempId a1)
{
    call(s, h, -1, nargs, a1, -1);
    x86_set_cc_op(s, CC_OP_DYNAMIC);
    x86_gen_eob_dynamic(s, true);
}

/* 0F 05 SYSCALL */
void x86_gen_syscall(DisasX86 *s, X86Insn *in)
{
    (void)in;
    gen_far_helper(s, &x86_helper_syscall_def, 2, x86_const(s, (int64_t)s->next_eip));
}

/* 0F 07 SYSRET */
void x86_gen_sysret(DisasX86 *s, X86Insn *in)
{
    gen_far_helper(s, &x86_helper_sysret_def, 2, x86_const(s, in->opsize));
}

/* 0F 34 SYSENTER */
void x86_gen_sysenter(DisasX86 *s, X86Insn *in)
{
    (void)in;
    gen_far_helper(s, &x86_helper_sysenter_def, 1, -1);
}

/* 0F 35 SYSEXIT */
void x86_gen_sysexit(DisasX86 *s, X86Insn *in)
{
    gen_far_helper(s, &x86_helper_sysexit_def, 2, x86_const(s, in->opsize));
}
