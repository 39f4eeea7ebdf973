/*
 * The irregular forms of the 0F map (SDM Vol. 2, each mnemonic's page):
 * MOVUPS/MOVAPS/MOVSS/MOVSD and their PD forms, MOVLPS/MOVHPS/MOVHLPS/
 * MOVLHPS, MOVD/MOVQ (GPR, MMX, XMM), MOVDQA/MOVDQU/LDDQU, MOVQ2DQ/
 * MOVDQ2Q, the non-temporal stores, MASKMOVQ/MASKMOVDQU, MOVMSKPS/PD,
 * PMOVMSKB, PINSRW/PEXTRW, CVTSI2SS/SD and CVT(T)SS/SD2SI, the shift
 * groups 12-14 and EMMS. Plain moves are inline IR on 64-bit halves.
 */
#include "cpu/x86/sse_gen.h"

static void ud(DisasX86 *s) { x86_gen_exception(s, X86_EXCP_UD, -1); }

/* GPR operand size of MOVD/MOVQ, CVTSI2SS, PEXTR*: REX.W selects 64. */
static int gpr_size(const X86Insn *in) { return (in->rex & 8) ? 8 : 4; }


/* Full-width XMM move: load form (dir 0: reg <- rm) or store form. */
static void gen_movx(DisasX86 *s, X86Insn *in, bool store, bool aligned)
{
    if (!sse_check(s))
        return;
    if (in->mod == 3) {
        if (store)
            sse_copy_env(s, sse_xmm_off(in->rm), sse_xmm_off(in->reg), 16);
        else
            sse_copy_env(s, sse_xmm_off(in->reg), sse_xmm_off(in->rm), 16);
        return;
    }
    IrTempId a = sse_addr(s, in, aligned);
    if (store) {
        sse_store_mem(s, a, sse_xmm_off(in->reg), 16);
    } else {
        /* both halves are loaded before the register is written */
        sse_load_mem(s, a, sse_tmp_off(), 16);
        sse_copy_env(s, sse_xmm_off(in->reg), sse_tmp_off(), 16);
    }
}

/* MOVSS / MOVSD (size 4 or 8). */
static void gen_movs(DisasX86 *s, X86Insn *in, bool store, int size)
{
    if (!sse_check(s))
        return;
    if (in->mod == 3) {
        int d = store ? in->rm : in->reg, src = store ? in->reg : in->rm;
        sse_copy_env(s, sse_xmm_off(d), sse_xmm_off(src), size);
        return;
    }
    IrTempId a = sse_addr(s, in, false);
    if (store) {
        sse_store_mem(s, a, sse_xmm_off(in->reg), size);
        return;
    }
    IrTempId v = x86_gen_ld(s, size, a, false);
    sse_st_env(s, v, sse_xmm_off(in->reg), 8);
    sse_st_env(s, x86_const(s, 0), sse_xmm_off(in->reg) + 8, 8);
}

/* 64-bit half moves: MOVLPS/MOVLPD/MOVHPS/MOVHPD (memory), MOVHLPS/MOVLHPS. */
static void gen_movhl(DisasX86 *s, X86Insn *in, int p, bool high, bool store)
{
    if (!sse_check(s))
        return;
    size_t half = high ? 8 : 0;
    if (in->mod == 3) {
        if (store || p != SSE_P_NONE) {
            ud(s);
            return;
        }
        /* MOVHLPS: low <- src high; MOVLHPS: high <- src low */
        sse_copy_env(s, sse_xmm_off(in->reg) + half, sse_xmm_off(in->rm) + (high ? 0 : 8), 8);
        return;
    }
    IrTempId a = sse_addr(s, in, false);
    if (store) {
        sse_store_mem(s, a, sse_xmm_off(in->reg) + half, 8);
    } else {
        IrTempId v = x86_gen_ld(s, 8, a, false);
        sse_st_env(s, v, sse_xmm_off(in->reg) + half, 8);
    }
}

/* 0F 6E / 7E (none, 66): MOVD/MOVQ between a GPR or memory and MMX/XMM. */
static void gen_movd(DisasX86 *s, X86Insn *in, bool mmx, bool to_gpr)
{
    if (mmx ? !sse_mmx_check(s) : !sse_check(s))
        return;
    int size = gpr_size(in);
    size_t off = mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
    if (to_gpr) {
        IrTempId v = sse_ld_env(s, off, size);
        x86_gen_store_rm(s, in, size, v, -1);
        return;
    }
    IrTempId v = x86_gen_load_rm(s, in, size, NULL);
    sse_st_env(s, v, off, 8);
    if (mmx)
        sse_mmx_written(s, in->reg);
    else
        sse_st_env(s, x86_const(s, 0), off + 8, 8);
}

/* MOVQ mm, mm/m64 (0F 6F) and MOVQ mm/m64, mm (0F 7F). */
static void gen_movq_mmx(DisasX86 *s, X86Insn *in, bool store)
{
    if (!sse_mmx_check(s))
        return;
    if (in->mod == 3) {
        int d = store ? in->rm : in->reg, src = store ? in->reg : in->rm;
        sse_copy_env(s, sse_mmx_off(d), sse_mmx_off(src), 8);
        sse_mmx_written(s, d);
        return;
    }
    IrTempId a = sse_addr(s, in, false);
    if (store) {
        sse_store_mem(s, a, sse_mmx_off(in->reg), 8);
        return;
    }
    sse_st_env(s, x86_gen_ld(s, 8, a, false), sse_mmx_off(in->reg), 8);
    sse_mmx_written(s, in->reg);
}

/* MOVQ xmm, xmm/m64 (F3 0F 7E) and MOVQ xmm/m64, xmm (66 0F D6): the
 * destination register's high half is cleared. */
static void gen_movq_xmm(DisasX86 *s, X86Insn *in, bool store)
{
    if (!sse_check(s))
        return;
    int d = store ? in->rm : in->reg, src = store ? in->reg : in->rm;
    if (in->mod == 3) {
        sse_copy_env(s, sse_xmm_off(d), sse_xmm_off(src), 8);
        sse_st_env(s, x86_const(s, 0), sse_xmm_off(d) + 8, 8);
        return;
    }
    IrTempId a = sse_addr(s, in, false);
    if (store) {
        sse_store_mem(s, a, sse_xmm_off(in->reg), 8);
        return;
    }
    sse_st_env(s, x86_gen_ld(s, 8, a, false), sse_xmm_off(in->reg), 8);
    sse_st_env(s, x86_const(s, 0), sse_xmm_off(in->reg) + 8, 8);
}

/* Non-temporal stores: MOVNTPS/PD/DQ (16, aligned), MOVNTQ (8), MOVNTI. */
static void gen_movnt(DisasX86 *s, X86Insn *in, size_t off, int size, bool mmx)
{
    if (in->mod == 3) {
        ud(s);
        return;
    }
    if (mmx ? !sse_mmx_check(s) : !sse_check(s))
        return;
    IrTempId a = sse_addr(s, in, size == 16);
    sse_store_mem(s, a, off, size);
}

/* MOVMSKPS/PD, PMOVMSKB, PEXTRW: a scalar from a register into a GPR. */
static void gen_to_gpr(DisasX86 *s, X86Insn *in, bool mmx, int op)
{
    if (in->mod != 3) {
        ud(s);
        return;
    }
    if (mmx ? !sse_mmx_check(s) : !sse_check(s))
        return;
    size_t src = mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    IrTempId ret = x86_tmp(s);
    IrTempId args[6] = { x86_env(s), sse_ptr(s, sse_tmp_off()), sse_ptr(s, src), x86_const(s, op),
                         x86_const(s, mmx ? 8 : 16), x86_const(s, in->imm & 0xff) };
    ir_call(s->ir, &sse_helper_int_def, ret, args, 6);
    x86_gen_set_reg(s, in, gpr_size(in), in->reg, ret);
}

/* PINSRW mm/xmm, r32/m16, imm8. */
static void gen_pinsrw(DisasX86 *s, X86Insn *in, bool mmx)
{
    if (mmx ? !sse_mmx_check(s) : !sse_check(s))
        return;
    IrTempId v = x86_gen_load_rm(s, in, 2, NULL);
    sse_st_env(s, v, sse_tmp_off(), 8);
    size_t d = mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
    IrTempId args[6] = { x86_env(s), sse_ptr(s, d), sse_ptr(s, sse_tmp_off()), x86_const(s, SI_PINSRW),
                         x86_const(s, mmx ? 8 : 16), x86_const(s, in->imm & 0xff) };
    ir_call(s->ir, &sse_helper_int_def, -1, args, 6);
    if (mmx)
        sse_mmx_written(s, in->reg);
}

/* CVTSI2SS/SD (to_int false) and CVT(T)SS/SD2SI. */
static void gen_cvt_gpr(DisasX86 *s, X86Insn *in, bool sd, int op)
{
    if (!sse_check(s))
        return;
    int isize = gpr_size(in);
    unsigned shape = (sd ? SH_SD : SH_SS) | (isize == 8 ? SH_INT64 : 0);
    size_t soff;
    if (op == SF_CVT_SI2F) {
        IrTempId v = x86_gen_load_rm(s, in, isize, NULL);
        sse_st_env(s, v, sse_tmp_off(), 8);
        soff = sse_tmp_off();
    } else if (in->mod == 3) {
        soff = sse_xmm_off(in->rm);
    } else {
        sse_load_tmp(s, in, sd ? 8 : 4);
        soff = sse_tmp_off();
    }
    size_t doff = op == SF_CVT_SI2F ? sse_xmm_off(in->reg) : sse_tmp_off();
    IrTempId ret = x86_tmp(s);
    IrTempId args[6] = { x86_env(s), sse_ptr(s, doff), sse_ptr(s, soff), x86_const(s, op), x86_const(s, shape),
                         x86_const(s, 0) };
    x86_gen_helper_call(s, &sse_helper_fp_def, ret, args, 6);
    if (op != SF_CVT_SI2F)
        x86_gen_set_reg(s, in, isize, in->reg, ret);
}

/* Groups 12-14 (0F 71-73): shifts of rm by imm8. */
static void gen_shift_imm(DisasX86 *s, X86Insn *in, int p)
{
    static const int8_t ops[3][8] = {
        { -1, -1, SI_PSRLW, -1, SI_PSRAW, -1, SI_PSLLW, -1 },
        { -1, -1, SI_PSRLD, -1, SI_PSRAD, -1, SI_PSLLD, -1 },
        { -1, -1, SI_PSRLQ, SI_PSRLDQ, -1, -1, SI_PSLLQ, SI_PSLLDQ },
    };
    int op = ops[in->opcode - 0x71][(in->modrm >> 3) & 7];
    bool mmx = p == SSE_P_NONE;
    if (in->mod != 3 || op < 0 || (p != SSE_P_NONE && p != SSE_P_66)
        || (mmx && (op == SI_PSRLDQ || op == SI_PSLLDQ))) {
        ud(s);
        return;
    }
    if (mmx ? !sse_mmx_check(s) : !sse_check(s))
        return;
    sse_st_env(s, x86_const(s, in->imm & 0xff), sse_tmp_off(), 8);
    size_t d = mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    IrTempId args[6] = { x86_env(s), sse_ptr(s, d), sse_ptr(s, sse_tmp_off()), x86_const(s, op),
                         x86_const(s, mmx ? 8 : 16), x86_const(s, in->imm & 0xff) };
    ir_call(s->ir, &sse_helper_int_def, -1, args, 6);
    if (mmx)
        sse_mmx_written(s, in->rm);
}

/* MASKMOVQ / MASKMOVDQU: bytes of reg whose mask byte (rm) has bit 7 set
 * go to DS:rDI (segment override allowed). */
static void gen_maskmov(DisasX86 *s, X86Insn *in, bool mmx)
{
    if (in->mod != 3) {
        ud(s);
        return;
    }
    if (mmx ? !sse_mmx_check(s) : !sse_check(s))
        return;
    int len = mmx ? 8 : 16;
    size_t data = mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
    size_t mask = mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    IrTempId off = x86_tmp(s);
    x86_gen_ext(s, off, s->cpu_regs[R_EDI], in->addrsize, false);
    IrTempId base = x86_tmp_local(s);
    ir_mov(s->ir, base, x86_gen_seg_addr(s, x86_insn_seg(in, R_DS), off));
    for (int i = 0; i < len; i++) {
        IrLabel skip = ir_new_label(s->ir);
        IrTempId m = sse_ld_env(s, mask + (size_t)i, 1);
        ir_brcondi(s->ir, IR_COND_TSTEQ, m, 0x80, skip);
        IrTempId b = sse_ld_env(s, data + (size_t)i, 1);
        x86_gen_st(s, 1, b, sse_addr_plus(s, base, i));
        ir_set_label(s->ir, skip);
    }
}

void sse_gen_special(DisasX86 *s, X86Insn *in, int p)
{
    bool mmx = p == SSE_P_NONE;
    switch (in->opcode) {
    case 0x10: case 0x11:
        if (p == SSE_P_F3 || p == SSE_P_F2)
            gen_movs(s, in, in->opcode == 0x11, p == SSE_P_F3 ? 4 : 8);
        else
            gen_movx(s, in, in->opcode == 0x11, false);
        break;
    case 0x12: case 0x16:
        if (p == SSE_P_F3) {
            SseDesc d = { SK_XMM, in->opcode == 0x12 ? SI_MOVSLDUP : SI_MOVSHDUP, 0, 0 };
            sse_gen_desc(s, in, &d);
        } else if (p == SSE_P_F2) {
            SseDesc d = { SK_XMM, SI_MOVDDUP, 0, 8 };
            if (in->opcode == 0x16)
                ud(s);
            else
                sse_gen_desc(s, in, &d);
        } else {
            gen_movhl(s, in, p, in->opcode == 0x16, false);
        }
        break;
    case 0x13: case 0x17:
        if (p >= SSE_P_F3 || in->mod == 3)
            ud(s);
        else
            gen_movhl(s, in, p, in->opcode == 0x17, true);
        break;
    case 0x28: case 0x29:
        if (p >= SSE_P_F3)
            ud(s);
        else
            gen_movx(s, in, in->opcode == 0x29, true);
        break;
    case 0x2a:
        gen_cvt_gpr(s, in, p == SSE_P_F2, SF_CVT_SI2F);
        break;
    case 0x2b:
        if (p >= SSE_P_F3)
            ud(s);
        else if (sse_check(s))
            gen_movnt(s, in, sse_xmm_off(in->reg), 16, false);
        break;
    case 0x2c: case 0x2d:
        gen_cvt_gpr(s, in, p == SSE_P_F2, in->opcode == 0x2c ? SF_CVTT_F2SI : SF_CVT_F2SI);
        break;
    case 0x50:
        gen_to_gpr(s, in, false, p == SSE_P_66 ? SI_MOVMSKPD : SI_MOVMSKPS);
        break;
    case 0x6e:
        if (p >= SSE_P_F3)
            ud(s);
        else
            gen_movd(s, in, mmx, false);
        break;
    case 0x7e:
        if (p == SSE_P_F3)
            gen_movq_xmm(s, in, false);
        else if (p == SSE_P_F2)
            ud(s);
        else
            gen_movd(s, in, mmx, true);
        break;
    case 0x6f: case 0x7f:
        if (p == SSE_P_NONE)
            gen_movq_mmx(s, in, in->opcode == 0x7f);
        else if (p == SSE_P_F2)
            ud(s);
        else
            gen_movx(s, in, in->opcode == 0x7f, p == SSE_P_66);
        break;
    case 0x71: case 0x72: case 0x73:
        gen_shift_imm(s, in, p);
        break;
    case 0x77:                  /* EMMS: all x87 tags empty (SDM EMMS) */
        if (p != SSE_P_NONE) {
            ud(s);
        } else if (s->flags & HF_EM) {
            ud(s);
        } else if (s->flags & HF_TS) {
            x86_gen_exception(s, X86_EXCP_NM, -1);
        } else {
            sse_st_env(s, x86_const(s, 0xffff), offsetof(X86Cpu, fptags), 2);
            /* TOP is reset too: Intel hardware does (x86diff -fp), though
             * the SDM pseudo-code for EMMS only sets the tag word. */
            sse_st_env(s, x86_const(s, 0), offsetof(X86Cpu, fptop), 1);
        }
        break;
    case 0xc3:                  /* MOVNTI m32/m64, r */
        if (p != SSE_P_NONE || in->mod == 3) {
            ud(s);
        } else {
            int size = gpr_size(in);
            x86_gen_st(s, size, x86_gen_get_reg(s, in, size, in->reg), x86_gen_ea(s, in));
        }
        break;
    case 0xc4:
        if (p >= SSE_P_F3)
            ud(s);
        else
            gen_pinsrw(s, in, mmx);
        break;
    case 0xc5:
        if (p >= SSE_P_F3)
            ud(s);
        else
            gen_to_gpr(s, in, mmx, SI_PEXTRW);
        break;
    case 0xd6:
        if (p == SSE_P_66) {
            gen_movq_xmm(s, in, true);
        } else if ((p == SSE_P_F3 || p == SSE_P_F2) && in->mod == 3) {
            /* MOVQ2DQ xmm, mm / MOVDQ2Q mm, xmm */
            if (!sse_check(s) || !sse_mmx_check(s))
                return;
            if (p == SSE_P_F3) {
                sse_copy_env(s, sse_xmm_off(in->reg), sse_mmx_off(in->rm), 8);
                sse_st_env(s, x86_const(s, 0), sse_xmm_off(in->reg) + 8, 8);
            } else {
                sse_copy_env(s, sse_mmx_off(in->reg), sse_xmm_off(in->rm), 8);
                sse_mmx_written(s, in->reg);
            }
        } else {
            ud(s);
        }
        break;
    case 0xd7:
        if (p >= SSE_P_F3)
            ud(s);
        else
            gen_to_gpr(s, in, mmx, SI_PMOVMSKB);
        break;
    case 0xe7:
        if (p == SSE_P_NONE)
            gen_movnt(s, in, sse_mmx_off(in->reg), 8, true);
        else if (p == SSE_P_66 && (in->mod == 3 || sse_check(s)))
            gen_movnt(s, in, sse_xmm_off(in->reg), 16, false);
        else if (p != SSE_P_66)
            ud(s);
        break;
    case 0xf0:                  /* LDDQU (SSE3): unaligned load */
        if (p != SSE_P_F2 || in->mod == 3)
            ud(s);
        else
            gen_movx(s, in, false, false);
        break;
    case 0xf7:
        if (p >= SSE_P_F3)
            ud(s);
        else
            gen_maskmov(s, in, mmx);
        break;
    default:
        ud(s);
        break;
    }
}
