/*
 * Translators for CMPXCHG, XADD, CMPXCHG8B/CMPXCHG16B (group 9 /1) and
 * BSWAP (Intel SDM Vol. 2 instruction pages).
 *
 * doppel runs one guest CPU per thread and nothing else writes guest RAM
 * while a block runs, so LOCK needs no host atomics: a read-modify-write
 * in one instruction is already indivisible for the guest. Every form
 * writes its memory operand (also on a failed compare, as the SDM says the
 * processor does), so a read-only page faults either way.
 *
 * Register results follow the AMD host (checked with the differential
 * probe of tests/unit/test_x86_helpers.c): CMPXCHG r32 writes only the
 * destination on success and only EAX on failure, each zero-extended.
 */
#include <stddef.h>

#include "cpu/x86/x86_translate.h"
#include "cpu/x86/x86_util.h"

/* CMPXCHG Eb/Ev, Gb/Gv (0F B0/B1) */
void x86_gen_cmpxchg(DisasX86 *s, X86Insn *in)
{
    IrContext *ir = s->ir;
    int size = in->info->op[0] == Eb ? 1 : in->opsize;
    IrTempId addr, dst = x86_gen_load_rm(s, in, size, &addr);
    IrTempId acc = x86_gen_get_reg(s, in, size, R_EAX);
    IrTempId src = x86_gen_get_reg(s, in, size, in->reg);
    IrTempId diff = x86_tmp(s);
    ir_sub(ir, diff, acc, dst);                 /* flags of CMP accumulator, dst */

    if (in->mod != 3) {
        IrTempId nv = x86_tmp(s);
        ir_movcond(ir, IR_COND_EQ, nv, acc, dst, src, dst);
        x86_gen_st(s, size, nv, addr);
        /* EAX = dst on failure; on success it is dst too (== acc) */
        if (size == 4) {
            /* a 32-bit accumulator is written (zero-extended) only on failure */
            IrTempId na = x86_tmp(s);
            ir_movcond(ir, IR_COND_EQ, na, acc, dst, s->cpu_regs[R_EAX], dst);
            ir_mov(ir, s->cpu_regs[R_EAX], na);
        } else {
            x86_gen_set_reg(s, in, size, R_EAX, dst);
        }
    } else if (size >= 4) {
        /* full 64-bit registers: pick old or new whole values */
        IrTempId nd = x86_tmp(s), na = x86_tmp(s), rm = s->cpu_regs[in->rm & 15];
        ir_movcond(ir, IR_COND_EQ, nd, acc, dst, src, rm);
        ir_movcond(ir, IR_COND_EQ, na, acc, dst, s->cpu_regs[R_EAX], dst);
        /* accumulator first: if rm is the accumulator, the destination write wins */
        ir_mov(ir, s->cpu_regs[R_EAX], na);
        ir_mov(ir, rm, nd);
    } else {
        IrTempId nd = x86_tmp(s);
        ir_movcond(ir, IR_COND_EQ, nd, acc, dst, src, dst);
        /* accumulator first: if rm is the accumulator, the destination write wins */
        x86_gen_set_reg(s, in, size, R_EAX, dst);
        x86_gen_set_reg(s, in, size, in->rm, nd);
    }
    x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_SUBB, size), diff, dst, -1);
}

/* XADD Eb/Ev, Gb/Gv (0F C0/C1): TEMP = SRC + DEST; SRC = DEST; DEST = TEMP. */
void x86_gen_xadd(DisasX86 *s, X86Insn *in)
{
    IrContext *ir = s->ir;
    int size = in->info->op[0] == Eb ? 1 : in->opsize;
    IrTempId addr, dst = x86_gen_load_rm(s, in, size, &addr);
    IrTempId src = x86_gen_get_reg(s, in, size, in->reg);
    IrTempId sum = x86_tmp(s);
    ir_add(ir, sum, dst, src);
    if (in->mod != 3) {
        x86_gen_st(s, size, sum, addr);
        x86_gen_set_reg(s, in, size, in->reg, dst);
    } else {
        x86_gen_set_reg(s, in, size, in->reg, dst);
        x86_gen_set_reg(s, in, size, in->rm, sum);
    }
    x86_gen_set_cc(s, x86_cc_op_sized(CC_OP_ADDB, size), sum, src, -1);
}

/* ---- CMPXCHG8B / CMPXCHG16B ---- */

/* packed: bit 0 = 16B, bits 8.. = mmu index. Compares rDX:rAX with the
 * operand; equal: ZF = 1 and rCX:rBX is stored; else ZF = 0 and the
 * operand is written back and loaded into rDX:rAX (SDM CMPXCHG8B). */
static void helper_cmpxchg8b16b(X86Cpu *env, uint64_t addr, uint64_t packed)
{
    uintptr_t ra = CPU_GETPC();
    bool wide = packed & 1;
    unsigned mmu = (unsigned)(packed >> 8) & 0xf;
    uint32_t mo = ir_memop(wide ? 3 : 2, false, false, mmu);
    unsigned step = wide ? 8 : 4;
    uint64_t m = wide ? ~0ull : 0xffffffffull;

    if (wide && (addr & 15)) {
        x86_helper_raise_exception_ra(env, X86_EXCP_GP, 0, ra);  /* SDM: #GP(0) if not 16-byte aligned */
    }
    uint64_t lo = cpu_ld(&env->common, addr, mo, ra);
    uint64_t hi = cpu_ld(&env->common, addr + step, mo, ra);
    bool eq = lo == (env->regs[R_EAX] & m) && hi == (env->regs[R_EDX] & m);
    uint64_t nlo = eq ? env->regs[R_EBX] & m : lo, nhi = eq ? env->regs[R_ECX] & m : hi;
    cpu_st(&env->common, addr, nlo, mo, ra);
    cpu_st(&env->common, addr + step, nhi, mo, ra);
    uint64_t f = x86_get_eflags(env) & X86_ARITH_FLAGS & ~(uint64_t)X86_ZF;
    if (eq) {
        f |= X86_ZF;
    } else {
        env->regs[R_EAX] = lo;
        env->regs[R_EDX] = hi;
    }
    env->cc_src = f;
    env->cc_op = CC_OP_EFLAGS;
}

static const IrHelper helper_cmpxchg8b16b_def = {
    "x86_cmpxchg8b16b", (void *)helper_cmpxchg8b16b, 3, false, IR_I64, IR_CALL_MAY_RAISE,
};

/* Group 9 (0F C7): only /1 (CMPXCHG8B m64 / CMPXCHG16B m128 with REX.W)
 * is implemented; RDRAND/RDSEED/VMX forms are not advertised: #UD. */
void x86_gen_grp9(DisasX86 *s, X86Insn *in)
{
    if ((in->reg & 7) != 1 || in->mod == 3) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    IrTempId addr = x86_gen_check_addr(s, x86_gen_ea(s, in), in->opsize == 8 ? 16 : 8, true);
    IrTempId args[3] = { x86_env(s), addr,
                         x86_const(s, (in->opsize == 8 ? 1 : 0) | (int64_t)s->mmu_idx << 8) };
    x86_gen_sync_cc_op(s);
    ir_call(s->ir, &helper_cmpxchg8b16b_def, -1, args, 3);
    s->cc_op = CC_OP_EFLAGS;
    s->cc_op_dirty = false;
}

/* BSWAP r32/r64 (0F C8+r). With a 16-bit operand the SDM leaves the result
 * undefined; the AMD host writes zero to the low word (measured by
 * test_x86_helpers), and so does doppel. */
void x86_gen_bswap(DisasX86 *s, X86Insn *in)
{
    IrTempId t = x86_tmp(s);
    switch (in->opsize) {
    case 2:
        ir_movi(s->ir, t, 0);
        break;
    case 4:
        ir_unop(s->ir, IR_bswap32, t, s->cpu_regs[in->rm & 15]);
        break;
    default:
        ir_unop(s->ir, IR_bswap64, t, s->cpu_regs[in->rm & 15]);
        break;
    }
    x86_gen_set_reg(s, in, in->opsize, in->rm, t);
}
