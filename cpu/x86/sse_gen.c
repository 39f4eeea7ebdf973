/*
 * Translation of the MMX, SSE, SSE2 and SSE3 instructions of the 0F map
 * (Intel SDM Vol. 2 Appendix A, Table A-3: the opcode and its mandatory
 * prefix none/66/F3/F2 select the instruction), and the operand plumbing
 * shared by sse_gen_move.c and sse_gen_ext.c.
 *
 * Lane arithmetic runs in C helpers on the X86Cpu (sse_helper*.c); the
 * bitwise logic ops are inline IR on 64-bit halves; data movement is in
 * sse_gen_move.c. Exception checks that depend only on CR0/CR4 bits are
 * TB flags (HF_EM, HF_TS, HF_OSFXSR) and decided here at translation time
 * (SDM Vol. 3A 2.5 CR0.EM/TS, ch. 13 OSFXSR; the exception tables of each
 * instruction in Vol. 2).
 */
#include "cpu/x86/sse_gen.h"

#include "cpu/x86/x86_helper.h"

/* ---- the 0F map ---- */

#define E_(k, o, sh, m) { (k), (o), (sh), (m) }
#define UD_ E_(SK_UD, 0, 0, 0)
#define SP_ E_(SK_SPECIAL, 0, 0, 0)
#define MMX_(o) E_(SK_MMX, o, 0, 8)
#define XMM_(o) E_(SK_XMM, o, 0, 0)
/* float op in its four shapes: PS, PD, SS, SD */
#define FP4(o) { E_(SK_FP, o, SH_PS, 0), E_(SK_FP, o, SH_PD, 0), E_(SK_FP, o, SH_SS, 4), E_(SK_FP, o, SH_SD, 8) }
#define FP2(o) { E_(SK_FP, o, SH_PS, 0), E_(SK_FP, o, SH_PD, 0), UD_, UD_ }
/* integer op: MMX without prefix, XMM with 66 */
#define INT2(o) { MMX_(o), XMM_(o), UD_, UD_ }
#define INT66(o) { UD_, XMM_(o), UD_, UD_ }
#define LOGIC(o) { E_(SK_MLOGIC, o, 0, 8), E_(SK_XLOGIC, o, 0, 0), UD_, UD_ }
#define FLOGIC(o) { E_(SK_XLOGIC, o, 0, 0), E_(SK_XLOGIC, o, 0, 0), UD_, UD_ }
#define SPECIAL4 { SP_, SP_, SP_, SP_ }

static const SseDesc table_0f[256][4] = {
    [0x10] = SPECIAL4, [0x11] = SPECIAL4, [0x12] = SPECIAL4, [0x13] = SPECIAL4,
    [0x14] = { XMM_(SI_UNPCKLPS), XMM_(SI_UNPCKLPD), UD_, UD_ },
    [0x15] = { XMM_(SI_UNPCKHPS), XMM_(SI_UNPCKHPD), UD_, UD_ },
    [0x16] = SPECIAL4, [0x17] = SPECIAL4,
    [0x28] = SPECIAL4, [0x29] = SPECIAL4,
    [0x2a] = { E_(SK_FP, SF_CVT_DQ2F, SH_PS | SH_S64, 8), E_(SK_FP, SF_CVT_DQ2F, SH_PD | SH_S64, 8), SP_, SP_ },
    [0x2b] = SPECIAL4,
    [0x2c] = { E_(SK_FP, SF_CVTT_F2DQ, SH_PS | SH_D64, 8), E_(SK_FP, SF_CVTT_F2DQ, SH_PD | SH_D64, 0), SP_, SP_ },
    [0x2d] = { E_(SK_FP, SF_CVT_F2DQ, SH_PS | SH_D64, 8), E_(SK_FP, SF_CVT_F2DQ, SH_PD | SH_D64, 0), SP_, SP_ },
    [0x2e] = { E_(SK_FP, SF_UCOMI, SH_SS, 4), E_(SK_FP, SF_UCOMI, SH_SD, 8), UD_, UD_ },
    [0x2f] = { E_(SK_FP, SF_COMI, SH_SS, 4), E_(SK_FP, SF_COMI, SH_SD, 8), UD_, UD_ },
    [0x50] = { SP_, SP_, UD_, UD_ },
    [0x51] = FP4(SF_SQRT),
    [0x52] = { E_(SK_FP, SF_RSQRT, SH_PS, 0), UD_, E_(SK_FP, SF_RSQRT, SH_SS, 4), UD_ },
    [0x53] = { E_(SK_FP, SF_RCP, SH_PS, 0), UD_, E_(SK_FP, SF_RCP, SH_SS, 4), UD_ },
    [0x54] = FLOGIC(SSE_AND), [0x55] = FLOGIC(SSE_ANDN), [0x56] = FLOGIC(SSE_OR), [0x57] = FLOGIC(SSE_XOR),
    [0x58] = FP4(SF_ADD), [0x59] = FP4(SF_MUL),
    [0x5a] = { E_(SK_FP, SF_CVT_F2F, SH_PS, 8), E_(SK_FP, SF_CVT_F2F, SH_PD, 0),
               E_(SK_FP, SF_CVT_F2F, SH_SS, 4), E_(SK_FP, SF_CVT_F2F, SH_SD, 8) },
    [0x5b] = { E_(SK_FP, SF_CVT_DQ2F, SH_PS, 0), E_(SK_FP, SF_CVT_F2DQ, SH_PS, 0),
               E_(SK_FP, SF_CVTT_F2DQ, SH_PS, 0), UD_ },
    [0x5c] = FP4(SF_SUB), [0x5d] = FP4(SF_MIN), [0x5e] = FP4(SF_DIV), [0x5f] = FP4(SF_MAX),
    [0x60] = INT2(SI_PUNPCKLBW), [0x61] = INT2(SI_PUNPCKLWD), [0x62] = INT2(SI_PUNPCKLDQ),
    [0x63] = INT2(SI_PACKSSWB), [0x64] = INT2(SI_PCMPGTB), [0x65] = INT2(SI_PCMPGTW),
    [0x66] = INT2(SI_PCMPGTD), [0x67] = INT2(SI_PACKUSWB), [0x68] = INT2(SI_PUNPCKHBW),
    [0x69] = INT2(SI_PUNPCKHWD), [0x6a] = INT2(SI_PUNPCKHDQ), [0x6b] = INT2(SI_PACKSSDW),
    [0x6c] = INT66(SI_PUNPCKLQDQ), [0x6d] = INT66(SI_PUNPCKHQDQ),
    [0x6e] = SPECIAL4, [0x6f] = SPECIAL4,
    [0x70] = { MMX_(SI_PSHUFW), XMM_(SI_PSHUFD), XMM_(SI_PSHUFHW), XMM_(SI_PSHUFLW) },
    [0x71] = SPECIAL4, [0x72] = SPECIAL4, [0x73] = SPECIAL4,
    [0x74] = INT2(SI_PCMPEQB), [0x75] = INT2(SI_PCMPEQW), [0x76] = INT2(SI_PCMPEQD),
    [0x77] = SPECIAL4,
    [0x7c] = { UD_, E_(SK_FP, SF_HADD, SH_PD, 0), UD_, E_(SK_FP, SF_HADD, SH_PS, 0) },
    [0x7d] = { UD_, E_(SK_FP, SF_HSUB, SH_PD, 0), UD_, E_(SK_FP, SF_HSUB, SH_PS, 0) },
    [0x7e] = SPECIAL4, [0x7f] = SPECIAL4,
    [0xc2] = FP4(SF_CMP),
    [0xc3] = SPECIAL4, [0xc4] = SPECIAL4, [0xc5] = SPECIAL4,
    [0xc6] = { XMM_(SI_SHUFPS), XMM_(SI_SHUFPD), UD_, UD_ },
    [0xd0] = { UD_, E_(SK_FP, SF_ADDSUB, SH_PD, 0), UD_, E_(SK_FP, SF_ADDSUB, SH_PS, 0) },
    [0xd1] = INT2(SI_PSRLW), [0xd2] = INT2(SI_PSRLD), [0xd3] = INT2(SI_PSRLQ),
    [0xd4] = INT2(SI_PADDQ), [0xd5] = INT2(SI_PMULLW), [0xd6] = SPECIAL4, [0xd7] = SPECIAL4,
    [0xd8] = INT2(SI_PSUBUSB), [0xd9] = INT2(SI_PSUBUSW), [0xda] = INT2(SI_PMINUB), [0xdb] = LOGIC(SSE_AND),
    [0xdc] = INT2(SI_PADDUSB), [0xdd] = INT2(SI_PADDUSW), [0xde] = INT2(SI_PMAXUB), [0xdf] = LOGIC(SSE_ANDN),
    [0xe0] = INT2(SI_PAVGB), [0xe1] = INT2(SI_PSRAW), [0xe2] = INT2(SI_PSRAD), [0xe3] = INT2(SI_PAVGW),
    [0xe4] = INT2(SI_PMULHUW), [0xe5] = INT2(SI_PMULHW),
    [0xe6] = { UD_, E_(SK_FP, SF_CVTT_F2DQ, SH_PD, 0), E_(SK_FP, SF_CVT_DQ2F, SH_PD, 8),
               E_(SK_FP, SF_CVT_F2DQ, SH_PD, 0) },
    [0xe7] = SPECIAL4,
    [0xe8] = INT2(SI_PSUBSB), [0xe9] = INT2(SI_PSUBSW), [0xea] = INT2(SI_PMINSW), [0xeb] = LOGIC(SSE_OR),
    [0xec] = INT2(SI_PADDSB), [0xed] = INT2(SI_PADDSW), [0xee] = INT2(SI_PMAXSW), [0xef] = LOGIC(SSE_XOR),
    [0xf0] = SPECIAL4,
    [0xf1] = INT2(SI_PSLLW), [0xf2] = INT2(SI_PSLLD), [0xf3] = INT2(SI_PSLLQ), [0xf4] = INT2(SI_PMULUDQ),
    [0xf5] = INT2(SI_PMADDWD), [0xf6] = INT2(SI_PSADBW), [0xf7] = SPECIAL4,
    [0xf8] = INT2(SI_PSUBB), [0xf9] = INT2(SI_PSUBW), [0xfa] = INT2(SI_PSUBD), [0xfb] = INT2(SI_PSUBQ),
    [0xfc] = INT2(SI_PADDB), [0xfd] = INT2(SI_PADDW), [0xfe] = INT2(SI_PADDD),
};

/* ---- operand plumbing ---- */

int sse_prefix(const X86Insn *in)
{
    if (in->rep == 0xf3)
        return SSE_P_F3;
    if (in->rep == 0xf2)
        return SSE_P_F2;
    return in->opsize_prefix ? SSE_P_66 : SSE_P_NONE;
}

bool sse_check(DisasX86 *s)
{
    if ((s->flags & HF_EM) || !(s->flags & HF_OSFXSR)) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return false;
    }
    if (s->flags & HF_TS) {
        x86_gen_exception(s, X86_EXCP_NM, -1);
        return false;
    }
    return true;
}

bool sse_mmx_check(DisasX86 *s)
{
    if (s->flags & HF_EM) {
        x86_gen_exception(s, X86_EXCP_UD, -1);
        return false;
    }
    if (s->flags & HF_TS) {
        x86_gen_exception(s, X86_EXCP_NM, -1);
        return false;
    }
    IrTempId args[1] = { x86_env(s) };
    x86_gen_helper_call(s, &sse_helper_mmx_enter_def, -1, args, 1);
    return true;
}

void sse_mmx_written(DisasX86 *s, int r)
{
    size_t off = offsetof(X86Cpu, fpregs) + sizeof(X86Float80) * (size_t)(r & 7) + offsetof(X86Float80, sign_exp);
    ir_st(s->ir, x86_const(s, 0xffff), x86_env(s), (int32_t)off, ir_memop(1, false, false, 0));
}

IrTempId sse_ptr(DisasX86 *s, size_t off)
{
    IrTempId t = x86_tmp(s);
    ir_binopi(s->ir, IR_add, t, x86_env(s), (int64_t)off);
    return t;
}

static unsigned log2_size(int size) { return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3; }

IrTempId sse_ld_env(DisasX86 *s, size_t off, int size)
{
    IrTempId t = x86_tmp(s);
    ir_ld(s->ir, t, x86_env(s), (int32_t)off, ir_memop(log2_size(size), false, false, 0));
    return t;
}

void sse_st_env(DisasX86 *s, IrTempId v, size_t off, int size)
{
    ir_st(s->ir, v, x86_env(s), (int32_t)off, ir_memop(log2_size(size), false, false, 0));
}

void sse_copy_env(DisasX86 *s, size_t dst, size_t src, int size)
{
    if (size == 4) {
        sse_st_env(s, sse_ld_env(s, src, 4), dst, 4);
        return;
    }
    IrTempId lo = sse_ld_env(s, src, 8);
    IrTempId hi = size == 16 ? sse_ld_env(s, src + 8, 8) : -1;
    sse_st_env(s, lo, dst, 8);
    if (size == 16)
        sse_st_env(s, hi, dst + 8, 8);
}

IrTempId sse_addr(DisasX86 *s, X86Insn *in, bool align16)
{
    IrTempId a = x86_gen_ea(s, in);
    if (!align16)
        return a;
    IrTempId la = x86_tmp_local(s);
    ir_mov(s->ir, la, a);
    /* the fault path must not be the only place cc_op gets stored */
    x86_gen_sync_cc_op(s);
    IrLabel ok = ir_new_label(s->ir);
    ir_brcondi(s->ir, IR_COND_TSTEQ, la, 15, ok);
    IrTempId args[3] = { x86_env(s), x86_const(s, X86_EXCP_GP), x86_const(s, 0) };
    x86_gen_helper_call(s, &x86_helper_raise_exception_def, -1, args, 3);
    ir_set_label(s->ir, ok);
    return la;
}

IrTempId sse_addr_plus(DisasX86 *s, IrTempId addr, int n)
{
    IrTempId t = x86_tmp(s);
    ir_binopi(s->ir, IR_add, t, addr, n);
    if (!s->code64)
        ir_unop(s->ir, IR_ext32u, t, t);
    return t;
}

void sse_load_mem(DisasX86 *s, IrTempId addr, size_t off, int size)
{
    if (size == 16) {
        IrTempId lo = x86_gen_ld(s, 8, addr, false);
        IrTempId hi = x86_gen_ld(s, 8, sse_addr_plus(s, addr, 8), false);
        sse_st_env(s, lo, off, 8);
        sse_st_env(s, hi, off + 8, 8);
        return;
    }
    IrTempId v = x86_gen_ld(s, size, addr, false);
    sse_st_env(s, v, off, size < 8 ? 8 : size);
}

void sse_store_mem(DisasX86 *s, IrTempId addr, size_t off, int size)
{
    if (size == 16) {
        /* both halves read first: a fault on the second store leaves the
         * first written, like a split store (the insn restarts) */
        IrTempId lo = sse_ld_env(s, off, 8), hi = sse_ld_env(s, off + 8, 8);
        IrTempId a2 = sse_addr_plus(s, addr, 8);
        x86_gen_st(s, 8, lo, addr);
        x86_gen_st(s, 8, hi, a2);
        return;
    }
    x86_gen_st(s, size, sse_ld_env(s, off, size), addr);
}

void sse_load_tmp(DisasX86 *s, X86Insn *in, int msize)
{
    bool aligned = msize == 0;
    int size = (msize == 0 || msize == SSE_M16U) ? 16 : msize;
    IrTempId a = sse_addr(s, in, aligned);
    sse_load_mem(s, a, sse_tmp_off(), size);
}

/* Inline AND/ANDN/OR/XOR of size bytes: d = d OP s. */
static void gen_logic(DisasX86 *s, size_t d, size_t src, int op, int size)
{
    for (int half = 0; half < size / 8; half++) {
        IrTempId a = sse_ld_env(s, d + 8 * (size_t)half, 8);
        IrTempId b = sse_ld_env(s, src + 8 * (size_t)half, 8);
        IrTempId r = x86_tmp(s);
        switch (op) {
        case SSE_AND: ir_and(s->ir, r, a, b); break;
        case SSE_ANDN: ir_binop(s->ir, IR_andc, r, b, a); break;
        case SSE_OR: ir_or(s->ir, r, a, b); break;
        default: ir_xor(s->ir, r, a, b); break;
        }
        sse_st_env(s, r, d + 8 * (size_t)half, 8);
    }
}

void sse_gen_desc(DisasX86 *s, X86Insn *in, const SseDesc *d)
{
    bool mmx = d->kind == SK_MMX || d->kind == SK_MLOGIC;
    if (d->kind == SK_FP) {
        mmx = (d->shape & (SH_D64 | SH_S64)) != 0;
        bool mmx_reg = (d->shape & SH_D64) || ((d->shape & SH_S64) && in->mod == 3);
        if (!sse_check(s) || (mmx_reg && !sse_mmx_check(s)))
            return;
    } else if (mmx ? !sse_mmx_check(s) : !sse_check(s)) {
        return;
    }
    size_t doff, soff;
    if (d->kind == SK_FP) {
        doff = (d->shape & SH_D64) ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
        soff = (d->shape & SH_S64) ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    } else {
        doff = mmx ? sse_mmx_off(in->reg) : sse_xmm_off(in->reg);
        soff = mmx ? sse_mmx_off(in->rm) : sse_xmm_off(in->rm);
    }
    if (in->mod != 3) {
        sse_load_tmp(s, in, d->msize);
        soff = sse_tmp_off();
    }
    switch (d->kind) {
    case SK_MLOGIC:
    case SK_XLOGIC:
        gen_logic(s, doff, soff, d->op, mmx ? 8 : 16);
        break;
    case SK_MMX:
    case SK_XMM: {
        IrTempId args[6] = { x86_env(s), sse_ptr(s, doff), sse_ptr(s, soff), x86_const(s, d->op),
                             x86_const(s, mmx ? 8 : 16), x86_const(s, in->imm & 0xff) };
        ir_call(s->ir, &sse_helper_int_def, -1, args, 6);
        break;
    }
    default: {
        IrTempId ret = x86_tmp(s);
        IrTempId args[6] = { x86_env(s), sse_ptr(s, doff), sse_ptr(s, soff), x86_const(s, d->op),
                             x86_const(s, d->shape), x86_const(s, in->imm & 0xff) };
        x86_gen_helper_call(s, &sse_helper_fp_def, ret, args, 6);
        if (d->op == SF_COMI || d->op == SF_UCOMI)
            x86_gen_set_cc(s, CC_OP_EFLAGS, -1, ret, -1);
        break;
    }
    }
    if (mmx && (d->kind != SK_FP || (d->shape & SH_D64)))
        sse_mmx_written(s, in->reg);
}

/* 0F 10-17, 28-2F, 50-7F, C2-C6, D0-FF */
void x86_gen_sse(DisasX86 *s, X86Insn *in)
{
    int p = sse_prefix(in);
    const SseDesc *d = &table_0f[in->opcode][p];
    switch (d->kind) {
    case SK_UD:
        x86_gen_exception(s, X86_EXCP_UD, -1);
        break;
    case SK_SPECIAL:
        sse_gen_special(s, in, p);
        break;
    default:
        sse_gen_desc(s, in, d);
        break;
    }
}
