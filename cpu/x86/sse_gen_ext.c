/*
 * Group 15 (0F AE: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR, CLFLUSH, LFENCE,
 * MFENCE, SFENCE) and the three-byte maps 0F 38 and 0F 3A (SSSE3, SSE4.1,
 * SSE4.2, PCLMULQDQ; SDM Vol. 2 Appendix A, Tables ).
 */
#include "cpu/x86/sse_gen.h"

#define E_(k, o, sh, m) { (k), (o), (sh), (m) }
#define UD_ E_(SK_UD, 0, 0, 0)
#define SP_ E_(SK_SPECIAL, 0, 0, 0)
#define INT2(o) { E_(SK_MMX, o, 0, 8), E_(SK_XMM, o, 0, 0), UD_, UD_ }
#define X66(o) { UD_, E_(SK_XMM, o, 0, 0), UD_, UD_ }
#define X66M(o, m) { UD_, E_(SK_XMM, o, 0, m), UD_, UD_ }
#define FP66(o, sh, m) { UD_, E_(SK_FP, o, sh, m), UD_, UD_ }

static const SseDesc table_0f38[256][4] = {
    [0x00] = INT2(SI_PSHUFB), [0x01] = INT2(SI_PHADDW), [0x02] = INT2(SI_PHADDD),
    [0x03] = INT2(SI_PHADDSW), [0x04] = INT2(SI_PMADDUBSW), [0x05] = INT2(SI_PHSUBW),
    [0x06] = INT2(SI_PHSUBD), [0x07] = INT2(SI_PHSUBSW), [0x08] = INT2(SI_PSIGNB),
    [0x09] = INT2(SI_PSIGNW), [0x0a] = INT2(SI_PSIGND), [0x0b] = INT2(SI_PMULHRSW),
    [0x10] = X66(SI_PBLENDVB), [0x14] = X66(SI_BLENDVPS), [0x15] = X66(SI_BLENDVPD),
    [0x17] = { UD_, SP_, UD_, UD_ },
    [0x1c] = INT2(SI_PABSB), [0x1d] = INT2(SI_PABSW), [0x1e] = INT2(SI_PABSD),
    [0x20] = X66M(SI_PMOVSXBW, 8), [0x21] = X66M(SI_PMOVSXBD, 4), [0x22] = X66M(SI_PMOVSXBQ, 2),
    [0x23] = X66M(SI_PMOVSXWD, 8), [0x24] = X66M(SI_PMOVSXWQ, 4), [0x25] = X66M(SI_PMOVSXDQ, 8),
    [0x28] = X66(SI_PMULDQ), [0x29] = X66(SI_PCMPEQQ), [0x2a] = { UD_, SP_, UD_, UD_ },
    [0x2b] = X66(SI_PACKUSDW),
    [0x30] = X66M(SI_PMOVZXBW, 8), [0x31] = X66M(SI_PMOVZXBD, 4), [0x32] = X66M(SI_PMOVZXBQ, 2),
    [0x33] = X66M(SI_PMOVZXWD, 8), [0x34] = X66M(SI_PMOVZXWQ, 4), [0x35] = X66M(SI_PMOVZXDQ, 8),
    [0x37] = X66(SI_PCMPGTQ),
    [0x38] = X66(SI_PMINSB), [0x39] = X66(SI_PMINSD), [0x3a] = X66(SI_PMINUW), [0x3b] = X66(SI_PMINUD),
    [0x3c] = X66(SI_PMAXSB), [0x3d] = X66(SI_PMAXSD), [0x3e] = X66(SI_PMAXUW), [0x3f] = X66(SI_PMAXUD),
    [0x40] = X66(SI_PMULLD), [0x41] = X66(SI_PHMINPOSUW),
    [0xf0] = { UD_, UD_, UD_, SP_ }, [0xf1] = { UD_, UD_, UD_, SP_ },
};

static const SseDesc table_0f3a[256][4] = {
    [0x08] = FP66(SF_ROUND, SH_PS, 0), [0x09] = FP66(SF_ROUND, SH_PD, 0),
    [0x0a] = FP66(SF_ROUND, SH_SS, 4), [0x0b] = FP66(SF_ROUND, SH_SD, 8),
    [0x0c] = X66(SI_BLENDPS), [0x0d] = X66(SI_BLENDPD), [0x0e] = X66(SI_PBLENDW),
    [0x0f] = INT2(SI_PALIGNR),
    [0x14] = { UD_, SP_, UD_, UD_ }, [0x15] = { UD_, SP_, UD_, UD_ },
    [0x16] = { UD_, SP_, UD_, UD_ }, [0x17] = { UD_, SP_, UD_, UD_ },
    [0x20] = { UD_, SP_, UD_, UD_ }, [0x21] = { UD_, SP_, UD_, UD_ }, [0x22] = { UD_, SP_, UD_, UD_ },
    [0x40] = FP66(SF_DP, SH_PS, 0), [0x41] = FP66(SF_DP, SH_PD, 0), [0x42] = X66(SI_MPSADBW),
    [0x44] = X66(SI_PCLMULQDQ),
    [0x60] = { UD_, SP_, UD_, UD_ }, [0x61] = { UD_, SP_, UD_, UD_ },
    [0x62] = { UD_, SP_, UD_, UD_ }, [0x63] = { UD_, SP_, UD_, UD_ },
};

static void ud(DisasX86 *s) { x86_gen_exception(s, X86_EXCP_UD, -1); }

static IrTempId call_int(DisasX86 *s, size_t d, size_t src, int op, int imm)
{
    IrTempId ret = x86_tmp(s);
    IrTempId args[6] = { x86_env(s), sse_ptr(s, d), sse_ptr(s, src), x86_const(s, op), x86_const(s, 16),
                         x86_const(s, imm) };
    ir_call(s->ir, &sse_helper_int_def, ret, args, 6);
    return ret;
}

/* Source operand offset: register rm, or memory (size msize) in sse_tmp. */
static size_t src_off(DisasX86 *s, X86Insn *in, int msize)
{
    if (in->mod == 3)
        return sse_xmm_off(in->rm);
    sse_load_tmp(s, in, msize);
    return sse_tmp_off();
}

/* PTEST: ZF/CF from the helper, the other four flags cleared (SDM PTEST). */
static void gen_ptest(DisasX86 *s, X86Insn *in)
{
    if (!sse_check(s))
        return;
    size_t so = src_off(s, in, 0);
    IrTempId f = call_int(s, sse_xmm_off(in->reg), so, SI_PTEST, 0);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

/* CRC32 r32/r64, r/m8 (F0) or r/m16/32/64 (F1). */
static void gen_crc32(DisasX86 *s, X86Insn *in)
{
    int size = in->opcode == 0xf0 ? 1 : in->opsize;
    IrTempId v = x86_gen_load_rm(s, in, size, NULL);
    IrTempId crc = x86_gen_get_reg(s, in, 4, in->reg);
    IrTempId ret = x86_tmp(s);
    IrTempId args[3] = { crc, v, x86_const(s, size) };
    ir_call(s->ir, &sse_helper_crc32_def, ret, args, 3);
    x86_gen_set_reg(s, in, (in->rex & 8) ? 8 : 4, in->reg, ret);
}

void x86_gen_sse_0f38(DisasX86 *s, X86Insn *in)
{
    int p = sse_prefix(in);
    const SseDesc *d = &table_0f38[in->opcode][p];
    if (d->kind == SK_UD) {
        ud(s);
    } else if (d->kind != SK_SPECIAL) {
        sse_gen_desc(s, in, d);
    } else if (in->opcode == 0x17) {
        gen_ptest(s, in);
    } else if (in->opcode == 0x2a) {        /* MOVNTDQA: aligned load */
        if (in->mod == 3) {
            ud(s);
        } else if (sse_check(s)) {
            sse_load_tmp(s, in, 0);
            sse_copy_env(s, sse_xmm_off(in->reg), sse_tmp_off(), 16);
        }
    } else {
        gen_crc32(s, in);
    }
}

/* PEXTRB/PEXTRW/PEXTRD/PEXTRQ/EXTRACTPS: lane of reg to r/m. */
static void gen_extract(DisasX86 *s, X86Insn *in)
{
    if (!sse_check(s))
        return;
    static const int8_t ops[4] = { SI_PEXTRB, SI_PEXTRW, SI_PEXTRD, SI_EXTRACTPS };
    static const int8_t sizes[4] = { 1, 2, 4, 4 };
    int k = in->opcode - 0x14;
    int op = ops[k], size = sizes[k];
    if (k == 2 && (in->rex & 8)) {
        op = SI_PEXTRQ;
        size = 8;
    }
    IrTempId v = call_int(s, sse_tmp_off(), sse_xmm_off(in->reg), op, (int)(in->imm & 0xff));
    if (in->mod == 3)
        x86_gen_set_reg(s, in, size == 8 ? 8 : 4, in->rm, v);   /* zero-extended */
    else
        x86_gen_st(s, size, v, x86_gen_ea(s, in));
}

/* PINSRB/INSERTPS/PINSRD/PINSRQ. */
static void gen_insert(DisasX86 *s, X86Insn *in)
{
    if (!sse_check(s))
        return;
    int k = in->opcode - 0x20, imm = (int)(in->imm & 0xff);
    int op = k == 0 ? SI_PINSRB : k == 1 ? SI_INSERTPS : (in->rex & 8) ? SI_PINSRQ : SI_PINSRD;
    size_t so;
    if (k == 1) {
        if (in->mod == 3) {
            so = sse_xmm_off(in->rm);
        } else {
            sse_load_tmp(s, in, 4);
            so = sse_tmp_off();
            imm &= 0x3f;        /* memory: the dword is lane 0 */
        }
    } else {
        int size = k == 0 ? 1 : op == SI_PINSRQ ? 8 : 4;
        IrTempId v = x86_gen_load_rm(s, in, size, NULL);
        sse_st_env(s, v, sse_tmp_off(), 8);
        so = sse_tmp_off();
    }
    call_int(s, sse_xmm_off(in->reg), so, op, imm);
}

/* PCMPESTRM/PCMPESTRI/PCMPISTRM/PCMPISTRI: flags and ECX from the helper. */
static void gen_pcmpstr(DisasX86 *s, X86Insn *in)
{
    if (!sse_check(s))
        return;
    static const uint8_t modes[4] = { SI_PCMPESTRM, SI_PCMPESTRI, SI_PCMPISTRM, SI_PCMPISTRI };  /* > 127: not int8_t */
    int mode = modes[in->opcode - 0x60] | ((in->rex & 8) ? 0x100 : 0);
    size_t so = src_off(s, in, SSE_M16U);
    IrTempId ret = x86_tmp(s);
    IrTempId args[5] = { x86_env(s), sse_ptr(s, sse_xmm_off(in->reg)), sse_ptr(s, so),
                         x86_const(s, in->imm & 0xff), x86_const(s, mode) };
    x86_gen_helper_call(s, &sse_helper_pcmpstr_def, ret, args, 5);
    if (in->opcode & 1) {
        IrTempId idx = x86_tmp(s);
        ir_binopi(s->ir, IR_shr, idx, ret, 32);
        x86_gen_set_reg(s, in, 4, R_ECX, idx);
    }
    IrTempId f = x86_tmp(s);
    ir_binopi(s->ir, IR_and, f, ret, X86_ARITH_FLAGS);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

void x86_gen_sse_0f3a(DisasX86 *s, X86Insn *in)
{
    int p = sse_prefix(in);
    const SseDesc *d = &table_0f3a[in->opcode][p];
    if (d->kind == SK_UD)
        ud(s);
    else if (d->kind != SK_SPECIAL)
        sse_gen_desc(s, in, d);
    else if (in->opcode >= 0x60)
        gen_pcmpstr(s, in);
    else if (in->opcode >= 0x20)
        gen_insert(s, in);
    else
        gen_extract(s, in);
}

/* ---- group 15 ---- */

static bool fx_check(DisasX86 *s)
{
    if (s->flags & HF_EM) {
        ud(s);
        return false;
    }
    if (s->flags & HF_TS) {
        x86_gen_exception(s, X86_EXCP_NM, -1);
        return false;
    }
    return true;
}

void x86_gen_grp15(DisasX86 *s, X86Insn *in)
{
    int op = (in->modrm >> 3) & 7;
    int p = sse_prefix(in);
    if (in->mod == 3) {
        /* LFENCE / MFENCE / SFENCE: one CPU, in-order memory: nothing to
         * do. F3 forms (RDFSBASE...) are not implemented (not in CPUID). */
        if (p != SSE_P_NONE || op < 5)
            ud(s);
        return;
    }
    if (p != SSE_P_NONE) {      /* CLFLUSHOPT, CLWB, PTWRITE...: not advertised */
        ud(s);
        return;
    }
    switch (op) {
    case 0: case 1:
        if (fx_check(s)) {
            IrTempId args[3] = { x86_env(s), x86_gen_ea(s, in), x86_const(s, (in->rex & 8) != 0) };
            x86_gen_helper_call(s, op == 0 ? &sse_helper_fxsave_def : &sse_helper_fxrstor_def, -1, args, 3);
        }
        break;
    case 2:                     /* LDMXCSR */
        if (sse_check(s)) {
            IrTempId v = x86_gen_ld(s, 4, x86_gen_ea(s, in), false);
            IrTempId args[2] = { x86_env(s), v };
            x86_gen_helper_call(s, &sse_helper_ldmxcsr_def, -1, args, 2);
        }
        break;
    case 3:                     /* STMXCSR */
        if (sse_check(s))
            x86_gen_st(s, 4, sse_ld_env(s, offsetof(X86Cpu, mxcsr), 4), x86_gen_ea(s, in));
        break;
    case 7: {                   /* CLFLUSH: no caches; faults like a byte load */
        x86_gen_ld(s, 1, x86_gen_ea(s, in), false);
        break;
    }
    default:                    /* XSAVE family: not advertised */
        ud(s);
        break;
    }
}
