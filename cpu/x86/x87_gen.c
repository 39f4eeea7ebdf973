/*
 * Translation of the x87 escape opcodes D8-DF and FWAIT (SDM Vol. 2
 * Appendix A.4 "Escape opcode instructions", Tables ): memory
 * forms are selected by ModRM.reg, register forms by the whole ModRM byte.
 * Each instruction form becomes one helper call (x87_helper.h), preceded
 * by x87_helper_prepare for the waiting instructions. CR0.EM or CR0.TS
 * raise #NM, and FWAIT raises #NM with TS and MP (Vol. 3A 2.5, Table 2-2);
 * these bits are part of the block key (hflags), so they are decided here.
 */
#include "cpu/x86/x86_translate.h"
#include "cpu/x86/x87_helper.h"

static void call(DisasX86 *s, const IrHelper *h, IrTempId a1, IrTempId a2, IrTempId a3)
{
    IrTempId args[4] = { x86_env(s), a1, a2, a3 };
    x86_gen_helper_call(s, h, -1, args, h->nargs);
}

static IrTempId c(DisasX86 *s, int64_t v) { return x86_const(s, v); }

/* The 11-bit FOP: low 3 bits of the first opcode byte and the ModRM. */
static int fop_of(const X86Insn *in) { return ((in->opcode & 7) << 8) | in->modrm; }

/* Pending-exception check and pointer update for a waiting instruction.
 * ea_off < 0: no memory operand; ptrs: a non-control instruction. */
static void prepare(DisasX86 *s, X86Insn *in, bool ptrs, IrTempId ea_off)
{
    uint64_t info = (uint64_t)fop_of(in);
    if (ptrs)
        info |= X87_PREP_PTRS;
    if (ptrs && ea_off >= 0)
        info |= X87_PREP_MEM | (uint64_t)x86_insn_seg(in, in->default_seg) << X87_PREP_SEG_SHIFT;
    call(s, &x87_helper_prepare_def, c(s, (int64_t)info), c(s, (int64_t)s->eip), ea_off >= 0 ? ea_off : c(s, 0));
}

static void gen_mem(DisasX86 *s, X86Insn *in, int esc, int reg)
{
    IrTempId off = x86_gen_ea_offset(s, in);
    IrTempId addr = x86_gen_seg_addr(s, x86_insn_seg(in, in->default_seg), off);
    bool size32 = in->opsize != 2;
    /* non-waiting control forms first */
    if (esc == 1 && reg == 7) {                      /* FNSTCW m16 */
        IrTempId t = x86_tmp(s);
        IrTempId args[1] = { x86_env(s) };
        x86_gen_helper_call(s, &x87_helper_fnstcw_def, t, args, 1);
        x86_gen_st(s, 2, t, addr);
        return;
    }
    if (esc == 5 && reg == 7) {                      /* FNSTSW m16 */
        IrTempId t = x86_tmp(s);
        IrTempId args[1] = { x86_env(s) };
        x86_gen_helper_call(s, &x87_helper_fnstsw_def, t, args, 1);
        x86_gen_st(s, 2, t, addr);
        return;
    }
    int env_size = size32 ? 28 : 14;
    if (esc == 1 && reg == 6) {                      /* FNSTENV */
        addr = x86_gen_check_addr(s, addr, env_size, true);
        call(s, &x87_helper_fnstenv_def, addr, c(s, size32), -1);
        return;
    }
    if (esc == 5 && reg == 6) {                      /* FNSAVE */
        addr = x86_gen_check_addr(s, addr, env_size + 80, true);
        call(s, &x87_helper_fnsave_def, addr, c(s, size32), -1);
        return;
    }
    if (esc == 1 && reg == 5) {                      /* FLDCW m16 */
        IrTempId v = x86_gen_ld(s, 2, addr, false);
        call(s, &x87_helper_fldcw_def, v, -1, -1);
        return;
    }
    if (esc == 1 && reg == 4) {                      /* FLDENV */
        addr = x86_gen_check_addr(s, addr, env_size, false);
        call(s, &x87_helper_fldenv_def, addr, c(s, size32), -1);
        return;
    }
    if (esc == 5 && reg == 4) {                      /* FRSTOR */
        addr = x86_gen_check_addr(s, addr, env_size + 80, false);
        call(s, &x87_helper_frstor_def, addr, c(s, size32), -1);
        return;
    }
    if ((esc == 1 && reg == 1) || (esc == 3 && (reg == 4 || reg == 6)) || (esc == 5 && reg == 5)) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return;
    }
    prepare(s, in, true, off);
    static const int arith_kind[4] = { X87_M32FP, X87_M32INT, X87_M64FP, X87_M16INT };
    /* operand size in bytes, and whether the helper writes it (limit checks) */
    static const uint8_t arith_size[4] = { 4, 4, 8, 2 }, ldst_size[4] = { 4, 4, 8, 2 };
    int size = (esc & 1) ? ldst_size[esc >> 1] : arith_size[esc >> 1];
    if ((esc & 1) && reg == 1)
        size = esc == 5 ? 8 : esc == 3 ? 4 : 2;      /* FISTTP */
    if ((esc & 1) && reg >= 4)
        size = (esc == 7 && (reg == 5 || reg == 7)) ? 8 : 10;
    addr = x86_gen_check_addr(s, addr, size, (esc & 1) && reg != 0 && reg != 4 && reg != 5);
    switch (esc) {
    case 0: case 2: case 4: case 6:                  /* arithmetic with a memory operand */
        call(s, &x87_helper_arith_mem_def, c(s, reg), addr, c(s, arith_kind[esc >> 1]));
        return;
    default:
        break;
    }
    /* D9, DB, DD, DF: loads and stores */
    static const int8_t ld_kind[8] = { X87_M32FP, X87_M32INT, X87_M64FP, X87_M16INT };
    static const int8_t st_kind[8] = { X87_M32FP, X87_M32INT, X87_M64FP, X87_M16INT };
    int k = esc >> 1;
    switch (reg) {
    case 0:                                          /* FLD / FILD */
        call(s, &x87_helper_fld_mem_def, addr, c(s, ld_kind[k]), -1);
        break;
    case 1:                                          /* FISTTP (DB, DD, DF) */
        call(s, &x87_helper_fst_mem_def, addr, c(s, esc == 5 ? X87_M64INT : esc == 3 ? X87_M32INT : X87_M16INT),
             c(s, X87_ST_POP | X87_ST_TRUNC));
        break;
    case 2: case 3:                                  /* FST(P) / FIST(P) */
        call(s, &x87_helper_fst_mem_def, addr, c(s, st_kind[k]), c(s, reg == 3 ? X87_ST_POP : 0));
        break;
    case 4:                                          /* DF /4 FBLD */
        call(s, &x87_helper_fld_mem_def, addr, c(s, X87_M80BCD), -1);
        break;
    case 5:                                          /* DB /5 FLD m80, DF /5 FILD m64 */
        call(s, &x87_helper_fld_mem_def, addr, c(s, esc == 3 ? X87_M80FP : X87_M64INT), -1);
        break;
    case 6:                                          /* DF /6 FBSTP */
        call(s, &x87_helper_fst_mem_def, addr, c(s, X87_M80BCD), c(s, X87_ST_POP));
        break;
    default:                                         /* DB /7 FSTP m80, DF /7 FISTP m64 */
        call(s, &x87_helper_fst_mem_def, addr, c(s, esc == 3 ? X87_M80FP : X87_M64INT), c(s, X87_ST_POP));
        break;
    }
}

/* FCMOVcc: DA C0-DF (B, E, BE, U) and DB C0-DF (the negations). */
static void gen_fcmov(DisasX86 *s, X86Insn *in, int esc, int reg, int i)
{
    static const int cc[4] = { 2, 4, 6, 10 };        /* B, E, BE, P (Jcc codes) */
    prepare(s, in, true, -1);
    X86CondExpr ce = x86_gen_prepare_cc(s, cc[reg] ^ (esc == 3));
    IrTempId t = x86_tmp(s);
    ir_setcond(s->ir, ce.cond, t, ce.a, ce.b);
    call(s, &x87_helper_fcmov_def, c(s, i), t, -1);
}

static void gen_reg(DisasX86 *s, X86Insn *in, int esc, int reg, int i)
{
    int m = in->modrm;
    switch (esc) {
    case 0:                                          /* D8: ST0 = ST0 op ST(i) */
        prepare(s, in, true, -1);
        call(s, &x87_helper_arith_reg_def, c(s, reg), c(s, i), c(s, X87_AR_ST0));
        return;
    case 4: case 6: {                                /* DC / DE: ST(i) = ST(i) op ST0 */
        if (reg == 2 || reg == 3) {                  /* FCOM/FCOMP aliases, DE D9 FCOMPP */
            if (esc == 6 && reg == 3 && i != 1)
                break;
            prepare(s, in, true, -1);
            int pops = esc == 6 ? (reg == 3 ? 2 : 1) : reg == 3;
            call(s, &x87_helper_fcom_reg_def, c(s, i), c(s, 0), c(s, pops));
            return;
        }
        static const int swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };
        prepare(s, in, true, -1);
        call(s, &x87_helper_arith_reg_def, c(s, swap[reg]), c(s, i), c(s, esc == 6 ? X87_AR_STI_POP : X87_AR_STI));
        return;
    }
    case 1:
        switch (reg) {
        case 0:                                      /* FLD ST(i) */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fld_sti_def, c(s, i), -1, -1);
            return;
        case 1:                                      /* FXCH */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fxch_def, c(s, i), -1, -1);
            return;
        case 2:
            if (i != 0)
                break;
            prepare(s, in, false, -1);               /* FNOP */
            return;
        case 3:                                      /* FSTP1 alias */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fst_sti_def, c(s, i), c(s, 1), -1);
            return;
        default:
            if (m == 0xe2 || m == 0xe3 || m == 0xe6 || m == 0xe7 || m == 0xef)
                break;
            prepare(s, in, m != 0xf6 && m != 0xf7, -1);
            call(s, &x87_helper_misc_def, c(s, m), -1, -1);
            return;
        }
        break;
    case 2:
        if (reg < 4) {
            gen_fcmov(s, in, esc, reg, i);
            return;
        }
        if (m == 0xe9) {                             /* FUCOMPP */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fcom_reg_def, c(s, 1), c(s, 1), c(s, 2));
            return;
        }
        break;
    case 3:
        if (reg < 4) {
            gen_fcmov(s, in, esc, reg, i);
            return;
        }
        if (m == 0xe2) {                             /* FNCLEX */
            call(s, &x87_helper_fnclex_def, -1, -1, -1);
            return;
        }
        if (m == 0xe3) {                             /* FNINIT */
            call(s, &x87_helper_fninit_def, -1, -1, -1);
            return;
        }
        if (m == 0xe0 || m == 0xe1 || m == 0xe4)     /* FENI, FDISI, FSETPM: no-ops since the 387 */
            return;
        if (reg == 5 || reg == 6) {                  /* FUCOMI, FCOMI */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fcomi_def, c(s, i), c(s, reg == 5), c(s, 0));
            return;
        }
        break;
    case 5:
        switch (reg) {
        case 0:                                      /* FFREE */
            prepare(s, in, false, -1);
            call(s, &x87_helper_ffree_def, c(s, i), c(s, 0), -1);
            return;
        case 1:                                      /* FXCH4 alias */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fxch_def, c(s, i), -1, -1);
            return;
        case 2: case 3:                              /* FST / FSTP ST(i) */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fst_sti_def, c(s, i), c(s, reg == 3), -1);
            return;
        case 4: case 5:                              /* FUCOM / FUCOMP */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fcom_reg_def, c(s, i), c(s, 1), c(s, reg == 5));
            return;
        default:
            break;
        }
        break;
    default:                                         /* DF */
        switch (reg) {
        case 0:                                      /* FFREEP */
            prepare(s, in, false, -1);
            call(s, &x87_helper_ffree_def, c(s, i), c(s, 1), -1);
            return;
        case 1:                                      /* FXCH7 alias */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fxch_def, c(s, i), -1, -1);
            return;
        case 2: case 3:                              /* FSTP8/9 aliases */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fst_sti_def, c(s, i), c(s, 1), -1);
            return;
        case 4:
            if (i == 0) {                            /* FNSTSW AX */
                IrTempId t = x86_tmp(s);
                IrTempId args[1] = { x86_env(s) };
                x86_gen_helper_call(s, &x87_helper_fnstsw_def, t, args, 1);
                x86_gen_set_reg(s, in, 2, R_EAX, t);
                return;
            }
            break;
        case 5: case 6:                              /* FUCOMIP, FCOMIP */
            prepare(s, in, true, -1);
            call(s, &x87_helper_fcomi_def, c(s, i), c(s, reg == 5), c(s, 1));
            return;
        default:
            break;
        }
        break;
    }
    x86_gen_exception(s, X86_EXCP_UD, -1);
}

void x86_gen_x87(DisasX86 *s, X86Insn *in)
{
    if (s->flags & (HF_EM | HF_TS)) {
        x86_gen_exception(s, X86_EXCP_NM, -1);
        return;
    }
    int esc = in->opcode & 7, reg = (in->modrm >> 3) & 7;
    if (in->mod != 3)
        gen_mem(s, in, esc, reg);
    else
        gen_reg(s, in, esc, reg, in->modrm & 7);
}

void x86_gen_fwait(DisasX86 *s, X86Insn *in)
{
    (void)in;
    if ((s->flags & (HF_TS | HF_MP)) == (HF_TS | HF_MP)) {
        x86_gen_exception(s, X86_EXCP_NM, -1);
        return;
    }
    IrTempId args[1] = { x86_env(s) };
    x86_gen_helper_call(s, &x87_helper_fwait_def, -1, args, 1);
}
