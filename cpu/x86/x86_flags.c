/*
 * Lazy x86 condition codes: the C computation of the six arithmetic flags
 * from (cc_op, cc_dst, cc_src, cc_src2) (SDM Vol. 1 3.4.3.1 and the
 * "Flags Affected" of ADD/ADC/SUB/SBB/AND/INC/DEC/SHL/SAR/MUL), EFLAGS
 * assembly, and the IR side: keeping the static cc_op, computing CF or all
 * flags, and evaluating Jcc/SETcc/CMOVcc conditions directly from the lazy
 * state when the last flag writer is known at translation time.
 */
#include "cpu/x86/x86_flags.h"

#include "cpu/x86/x86_helper.h"
#include "cpu/x86/x86_translate.h"

/* ---- C side ---- */

static uint64_t parity_flag(uint64_t v)
{
    return (__builtin_popcount((unsigned)(v & 0xff)) & 1) ? 0 : X86_PF;
}

/* PF, ZF, SF of a result of nbits bits (masked). */
static uint64_t szp_flags(uint64_t r, int nbits)
{
    uint64_t f = parity_flag(r);
    if (r == 0)
        f |= X86_ZF;
    if ((r >> (nbits - 1)) & 1)
        f |= X86_SF;
    return f;
}

uint64_t x86_cc_compute_all(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    if (cc_op >= CC_OP_NB)
        return 0;
    if (cc_op == CC_OP_EFLAGS)
        return src & X86_ARITH_FLAGS;
    if (cc_op == CC_OP_DYNAMIC)
        return 0;
    int size = x86_cc_op_size((X86CcOp)cc_op);
    int nbits = 8 * size;
    uint64_t m = size >= 8 ? ~0ull : (1ull << nbits) - 1;
    uint64_t sign = 1ull << (nbits - 1);
    uint64_t d = dst & m, b = src & m, c = src2 & 1, a;
    uint64_t f = szp_flags(d, nbits);
    switch (x86_cc_op_group((X86CcOp)cc_op)) {
    case CC_OP_ADDB:
        a = (d - b) & m;
        f |= d < a ? X86_CF : 0;
        f |= ((a ^ b ^ d) & 0x10) ? X86_AF : 0;
        f |= ((~(a ^ b) & (a ^ d)) & sign) ? X86_OF : 0;
        break;
    case CC_OP_ADCB:
        a = (d - b - c) & m;
        f |= (c ? d <= a : d < a) ? X86_CF : 0;
        f |= ((a ^ b ^ d) & 0x10) ? X86_AF : 0;
        f |= ((~(a ^ b) & (a ^ d)) & sign) ? X86_OF : 0;
        break;
    case CC_OP_SUBB:
        a = (d + b) & m;
        f |= a < b ? X86_CF : 0;
        f |= ((a ^ b ^ d) & 0x10) ? X86_AF : 0;
        f |= (((a ^ b) & (a ^ d)) & sign) ? X86_OF : 0;
        break;
    case CC_OP_SBBB:
        a = (d + b + c) & m;
        f |= (c ? a <= b : a < b) ? X86_CF : 0;
        f |= ((a ^ b ^ d) & 0x10) ? X86_AF : 0;
        f |= (((a ^ b) & (a ^ d)) & sign) ? X86_OF : 0;
        break;
    case CC_OP_LOGICB:
        break;
    case CC_OP_INCB:
        a = (d - 1) & m;
        f |= (src & 1) ? X86_CF : 0;
        f |= ((a ^ 1 ^ d) & 0x10) ? X86_AF : 0;
        f |= d == sign ? X86_OF : 0;
        break;
    case CC_OP_DECB:
        a = (d + 1) & m;
        f |= (src & 1) ? X86_CF : 0;
        f |= ((a ^ 1 ^ d) & 0x10) ? X86_AF : 0;
        f |= d == sign - 1 ? X86_OF : 0;
        break;
    case CC_OP_SHLB: {
        uint64_t cf = (b >> (nbits - 1)) & 1;
        f |= cf ? X86_CF : 0;
        f |= (cf ^ ((d >> (nbits - 1)) & 1)) ? X86_OF : 0;
        break;
    }
    case CC_OP_SARB:
        f |= (b & 1) ? X86_CF : 0;
        f |= ((b ^ d) & sign) ? X86_OF : 0;
        break;
    case CC_OP_MULB:
        f |= src ? (X86_CF | X86_OF) : 0;
        break;
    default:
        return 0;
    }
    return f;
}

uint64_t x86_cc_compute_cf(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    return x86_cc_compute_all(cc_op, dst, src, src2) & X86_CF;
}

uint64_t x86_get_eflags(const X86Cpu *env)
{
    uint64_t f = env->eflags & ~(uint64_t)(X86_ARITH_FLAGS | X86_DF);
    f |= x86_cc_compute_all(env->cc_op, env->cc_dst, env->cc_src, env->cc_src2);
    if (env->df < 0)
        f |= X86_DF;
    return f | 2;
}

void x86_set_eflags(X86Cpu *env, uint64_t val, uint64_t mask)
{
    uint64_t cur = x86_get_eflags(env);
    uint64_t v = (cur & ~mask) | (val & mask);
    env->cc_src = v & X86_ARITH_FLAGS;
    env->cc_op = CC_OP_EFLAGS;
    env->df = (v & X86_DF) ? -1 : 1;
    env->eflags = (v & ~(uint64_t)(X86_ARITH_FLAGS | X86_DF)) | 2;
    env->hflags = (env->hflags & ~(uint32_t)(HF_TF | HF_IOPL_MASK))
                  | ((v & X86_TF) ? HF_TF : 0)
                  | (uint32_t)(((v >> 12) & 3) << HF_IOPL_SHIFT);
}

uint64_t x86_helper_cc_compute_all(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    return x86_cc_compute_all((uint32_t)cc_op, dst, src, src2);
}

uint64_t x86_helper_cc_compute_cf(uint64_t cc_op, uint64_t dst, uint64_t src, uint64_t src2)
{
    return x86_cc_compute_cf((uint32_t)cc_op, dst, src, src2) ? 1 : 0;
}

const IrHelper x86_helper_cc_compute_all_def = {
    "cc_compute_all", (void *)x86_helper_cc_compute_all, 4, true, IR_I64,
    IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_PURE,
};
const IrHelper x86_helper_cc_compute_cf_def = {
    "cc_compute_cf", (void *)x86_helper_cc_compute_cf, 4, true, IR_I64,
    IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_PURE,
};

/* ---- IR side ---- */

void x86_set_cc_op(DisasX86 *s, X86CcOp op)
{
    if (op == s->cc_op)
        return;
    s->cc_op = op;
    s->cc_op_dirty = op != CC_OP_DYNAMIC;
}

void x86_gen_sync_cc_op(DisasX86 *s)
{
    if (s->cc_op_dirty && s->cc_op != CC_OP_DYNAMIC)
        ir_movi(s->ir, s->cpu_cc_op, s->cc_op);
    s->cc_op_dirty = false;
}

void x86_gen_set_cc(DisasX86 *s, X86CcOp op, IrTempId dst, IrTempId src, IrTempId src2)
{
    if (dst >= 0)
        ir_mov(s->ir, s->cpu_cc_dst, dst);
    if (src >= 0)
        ir_mov(s->ir, s->cpu_cc_src, src);
    if (src2 >= 0)
        ir_mov(s->ir, s->cpu_cc_src2, src2);
    x86_set_cc_op(s, op);
}

/* The cc_op as a helper argument. */
static IrTempId cc_op_arg(DisasX86 *s)
{
    if (s->cc_op == CC_OP_DYNAMIC) {
        IrTempId t = x86_tmp(s);
        ir_unop(s->ir, IR_extu_i32_i64, t, s->cpu_cc_op);
        return t;
    }
    return x86_const(s, s->cc_op);
}

IrTempId x86_gen_compute_eflags(DisasX86 *s)
{
    IrTempId t = x86_tmp(s);
    if (s->cc_op == CC_OP_EFLAGS) {
        ir_mov(s->ir, t, s->cpu_cc_src);
        return t;
    }
    IrTempId args[4] = { cc_op_arg(s), s->cpu_cc_dst, s->cpu_cc_src, s->cpu_cc_src2 };
    ir_call(s->ir, &x86_helper_cc_compute_all_def, t, args, 4);
    return t;
}

void x86_gen_materialize_eflags(DisasX86 *s)
{
    if (s->cc_op == CC_OP_EFLAGS)
        return;
    IrTempId f = x86_gen_compute_eflags(s);
    x86_gen_set_cc(s, CC_OP_EFLAGS, -1, f, -1);
}

/* t = v masked to size bytes, into a new temp (v itself if size 8). */
static IrTempId masked(DisasX86 *s, IrTempId v, int size, bool sign)
{
    if (size == 8 && !sign)
        return v;
    IrTempId t = x86_tmp(s);
    x86_gen_ext(s, t, v, size, sign);
    return t;
}

IrTempId x86_gen_compute_cf(DisasX86 *s)
{
    X86CcOp g = x86_cc_op_group(s->cc_op);
    int size = x86_cc_op_size(s->cc_op);
    IrTempId t = x86_tmp(s);
    switch (g) {
    case CC_OP_SUBB: {      /* CF = (dst + src) <u src */
        IrTempId a = x86_tmp(s);
        ir_add(s->ir, a, s->cpu_cc_dst, s->cpu_cc_src);
        ir_setcond(s->ir, IR_COND_LTU, t, masked(s, a, size, false), masked(s, s->cpu_cc_src, size, false));
        return t;
    }
    case CC_OP_ADDB:        /* CF = dst <u src */
        ir_setcond(s->ir, IR_COND_LTU, t, masked(s, s->cpu_cc_dst, size, false),
                   masked(s, s->cpu_cc_src, size, false));
        return t;
    case CC_OP_LOGICB:
        ir_movi(s->ir, t, 0);
        return t;
    case CC_OP_INCB:
    case CC_OP_DECB:
        ir_mov(s->ir, t, s->cpu_cc_src);
        return t;
    case CC_OP_EFLAGS:
        ir_binopi(s->ir, IR_and, t, s->cpu_cc_src, X86_CF);
        return t;
    default: {
        IrTempId args[4] = { cc_op_arg(s), s->cpu_cc_dst, s->cpu_cc_src, s->cpu_cc_src2 };
        ir_call(s->ir, &x86_helper_cc_compute_cf_def, t, args, 4);
        return t;
    }
    }
}

static IrCond invert_cond(IrCond c)
{
    switch (c) {
    case IR_COND_NEVER: return IR_COND_ALWAYS;
    case IR_COND_ALWAYS: return IR_COND_NEVER;
    case IR_COND_EQ: return IR_COND_NE;
    case IR_COND_NE: return IR_COND_EQ;
    case IR_COND_LT: return IR_COND_GE;
    case IR_COND_GE: return IR_COND_LT;
    case IR_COND_LE: return IR_COND_GT;
    case IR_COND_GT: return IR_COND_LE;
    case IR_COND_LTU: return IR_COND_GEU;
    case IR_COND_GEU: return IR_COND_LTU;
    case IR_COND_LEU: return IR_COND_GTU;
    case IR_COND_GTU: return IR_COND_LEU;
    case IR_COND_TSTEQ: return IR_COND_TSTNE;
    case IR_COND_TSTNE: return IR_COND_TSTEQ;
    default: return c;
    }
}

static X86CondExpr cond(IrCond c, IrTempId a, IrTempId b)
{
    X86CondExpr e = { c, a, b };
    return e;
}

/* Condition base (cc >> 1) evaluated on materialized flags f. */
static X86CondExpr cond_from_flags(DisasX86 *s, IrTempId f, int base)
{
    static const uint64_t bits[8] = { X86_OF, X86_CF, X86_ZF, X86_CF | X86_ZF, X86_SF, X86_PF, 0, 0 };
    if (base < 6)
        return cond(IR_COND_TSTNE, f, x86_const(s, (int64_t)bits[base]));
    /* L: SF != OF; LE: ZF or SF != OF. OF (bit 11) >> 4 lines up with SF (bit 7). */
    IrTempId t = x86_tmp(s);
    ir_binopi(s->ir, IR_shr, t, f, 4);
    ir_xor(s->ir, t, t, f);
    ir_binopi(s->ir, IR_and, t, t, X86_SF);
    if (base == 7) {
        IrTempId z = x86_tmp(s);
        ir_binopi(s->ir, IR_and, z, f, X86_ZF);
        ir_or(s->ir, t, t, z);
    }
    return cond(IR_COND_NE, t, x86_const(s, 0));
}

/* Fast paths; returns false if this (cc_op, condition) has none. */
static bool cond_fast(DisasX86 *s, int base, X86CondExpr *out)
{
    X86CcOp g = x86_cc_op_group(s->cc_op);
    int size = x86_cc_op_size(s->cc_op);
    IrTempId dst = s->cpu_cc_dst, src = s->cpu_cc_src;
    IrTempId zero = x86_const(s, 0);
    /* size is 0 for CC_OP_EFLAGS / DYNAMIC: sign is then unused */
    int64_t sign = size ? (int64_t)(1ull << (8 * size - 1)) : 0;
    int64_t mask = (int64_t)x86_size_mask(size);

    if (g == CC_OP_SUBB) {
        IrTempId a = x86_tmp(s);
        switch (base) {
        case 1: case 3: case 6: case 7:
            ir_add(s->ir, a, dst, src);     /* a = the first operand of the CMP */
            break;
        default:
            break;
        }
        switch (base) {
        case 1: *out = cond(IR_COND_LTU, masked(s, a, size, false), masked(s, src, size, false)); return true;
        case 3: *out = cond(IR_COND_LEU, masked(s, a, size, false), masked(s, src, size, false)); return true;
        case 6: *out = cond(IR_COND_LT, masked(s, a, size, true), masked(s, src, size, true)); return true;
        case 7: *out = cond(IR_COND_LE, masked(s, a, size, true), masked(s, src, size, true)); return true;
        default: break;
        }
    }
    if (g >= CC_OP_ADDB && g <= CC_OP_DECB && g != CC_OP_ADCB && g != CC_OP_SBBB) {
        /* ZF and SF come straight from dst for these */
        if (base == 2) {
            *out = cond(IR_COND_TSTEQ, dst, x86_const(s, mask));
            return true;
        }
        if (base == 4) {
            *out = cond(IR_COND_TSTNE, dst, x86_const(s, sign));
            return true;
        }
    }
    switch (g) {
    case CC_OP_ADDB:
        if (base == 1) {
            *out = cond(IR_COND_LTU, masked(s, dst, size, false), masked(s, src, size, false));
            return true;
        }
        return false;
    case CC_OP_LOGICB:      /* CF = OF = 0 */
        switch (base) {
        case 0: case 1: *out = cond(IR_COND_NEVER, zero, zero); return true;
        case 3: *out = cond(IR_COND_TSTEQ, dst, x86_const(s, mask)); return true;
        case 6: *out = cond(IR_COND_LT, masked(s, dst, size, true), zero); return true;
        case 7: *out = cond(IR_COND_LE, masked(s, dst, size, true), zero); return true;
        default: return false;
        }
    case CC_OP_INCB:
    case CC_OP_DECB:
        if (base == 1) {
            *out = cond(IR_COND_NE, src, zero);
            return true;
        }
        return false;
    case CC_OP_EFLAGS:
        *out = cond_from_flags(s, src, base);
        return true;
    default:
        return false;
    }
}

X86CondExpr x86_gen_prepare_cc(DisasX86 *s, int cc)
{
    int base = (cc >> 1) & 7;
    X86CondExpr e;
    if (!cond_fast(s, base, &e))
        e = cond_from_flags(s, x86_gen_compute_eflags(s), base);
    if (cc & 1)
        e.cond = invert_cond(e.cond);
    return e;
}
