/*
 * Condition codes of the x86 translator against the Intel SDM: for every
 * ALU operation (ADD ADC SUB SBB AND OR XOR CMP TEST INC DEC NEG) and size
 * (8/16/32/64), edge and pseudo-random operands with carry in 0 and 1, the
 * result and EFLAGS must match a reference written here from the SDM Vol. 2
 * "Flags Affected" sections, and all 16 conditions (Vol. 1 Table B-1) must
 * agree in four forms: SETcc right after the operation (lazy fast path),
 * SETcc after a block boundary (flags from env), Jcc and CMOVcc. Runs on
 * every backend of this host (rig: x86_rig.h).
 */
#include "tests/unit/x86_rig.h"

/* ---- reference flags (SDM Vol. 2 "Flags Affected"; Vol. 1 Appendix B) ---- */

enum { OP_ADD, OP_ADC, OP_SUB, OP_SBB, OP_AND, OP_OR, OP_XOR, OP_CMP, OP_TEST, OP_INC, OP_DEC, OP_NEG, NB_OPS };

typedef struct Ref {
    uint64_t res, flags, defined;
} Ref;

static Ref ref_alu(int op, int bits, uint64_t a, uint64_t b, int cin)
{
    uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1, sign = 1ull << (bits - 1);
    unsigned __int128 w;
    Ref o = { 0, 0, X86_ARITH_FLAGS };
    uint64_t r = 0, f = 0;
    a &= m;
    b &= m;
    switch (op) {
    case OP_ADD: case OP_ADC: {
        int c = op == OP_ADC ? cin : 0;
        w = (unsigned __int128)a + b + (unsigned)c;
        r = (uint64_t)w & m;
        if ((w >> bits) & 1)
            f |= X86_CF;
        if ((a ^ r) & (b ^ r) & sign)
            f |= X86_OF;
        if ((a ^ b ^ r) & 0x10)
            f |= X86_AF;
        break;
    }
    case OP_SUB: case OP_SBB: case OP_CMP: {
        int c = op == OP_SBB ? cin : 0;
        r = (a - b - (uint64_t)c) & m;
        if ((unsigned __int128)b + (unsigned)c > a)
            f |= X86_CF;
        if ((a ^ b) & (a ^ r) & sign)
            f |= X86_OF;
        if ((a ^ b ^ r) & 0x10)
            f |= X86_AF;
        break;
    }
    case OP_AND: case OP_TEST: r = a & b; o.defined &= ~(uint64_t)X86_AF; break;
    case OP_OR: r = a | b; o.defined &= ~(uint64_t)X86_AF; break;
    case OP_XOR: r = a ^ b; o.defined &= ~(uint64_t)X86_AF; break;
    case OP_INC:
        r = (a + 1) & m;
        f |= cin ? X86_CF : 0;
        f |= r == sign ? X86_OF : 0;
        f |= ((a ^ 1 ^ r) & 0x10) ? X86_AF : 0;
        break;
    case OP_DEC:
        r = (a - 1) & m;
        f |= cin ? X86_CF : 0;
        f |= a == sign ? X86_OF : 0;
        f |= ((a ^ 1 ^ r) & 0x10) ? X86_AF : 0;
        break;
    case OP_NEG:
        r = (0 - a) & m;
        f |= a ? X86_CF : 0;
        f |= a == sign ? X86_OF : 0;
        f |= ((a ^ r) & 0x10) ? X86_AF : 0;
        break;
    }
    if (r == 0)
        f |= X86_ZF;
    if (r & sign)
        f |= X86_SF;
    if (!(__builtin_popcount((unsigned)(r & 0xff)) & 1))
        f |= X86_PF;
    o.res = op == OP_CMP || op == OP_TEST ? a : r;
    o.flags = f;
    return o;
}

/* Jcc/SETcc/CMOVcc condition cc on flags f (SDM Vol. 1 Table B-1). */
static int ref_cond(int cc, uint64_t f)
{
    int cf = !!(f & X86_CF), zf = !!(f & X86_ZF), sf = !!(f & X86_SF), of = !!(f & X86_OF), pf = !!(f & X86_PF);
    int v;
    switch (cc >> 1) {
    case 0: v = of; break;
    case 1: v = cf; break;
    case 2: v = zf; break;
    case 3: v = cf || zf; break;
    case 4: v = sf; break;
    case 5: v = pf; break;
    case 6: v = sf != of; break;
    default: v = zf || sf != of; break;
    }
    return (cc & 1) ? !v : v;
}

/* ---- program builder for the condition tests ---- */

typedef struct Asm {
    uint8_t buf[65536];
    size_t n;
} Asm;

static void b1(Asm *a, unsigned v) { a->buf[a->n++] = (uint8_t)v; }
static void b4(Asm *a, uint64_t v) { for (int i = 0; i < 4; i++) b1(a, (unsigned)(v >> (8 * i)) & 0xff); }
static void b8(Asm *a, uint64_t v) { b4(a, v); b4(a, v >> 32); }

/* mov eax/rax, va; mov ebx/rbx, vb; stc or clc */
static void emit_operands(Asm *a, int bits, uint64_t va, uint64_t vb, int cin)
{
    if (bits == 64) {
        b1(a, 0x48); b1(a, 0xb8); b8(a, va);          /* mov rax, imm64 */
        b1(a, 0x48); b1(a, 0xbb); b8(a, vb);          /* mov rbx, imm64 */
    } else {
        b1(a, 0xb8); b4(a, va);                        /* mov eax, imm32 */
        b1(a, 0xbb); b4(a, vb);                        /* mov ebx, imm32 */
    }
    b1(a, cin ? 0xf9 : 0xf8);
}

/* the operation on (e/r)ax, (e/r)bx or al, bl / ax, bx */
static void emit_op(Asm *a, int op, int bits)
{
    static const uint8_t alu[] = { [OP_ADD] = 0x01, [OP_ADC] = 0x11, [OP_SUB] = 0x29, [OP_SBB] = 0x19,
                                   [OP_AND] = 0x21, [OP_OR] = 0x09, [OP_XOR] = 0x31, [OP_CMP] = 0x39,
                                   [OP_TEST] = 0x85 };
    unsigned byte = bits == 8 ? 1 : 0;
    if (bits == 16)
        b1(a, 0x66);
    if (bits == 64)
        b1(a, 0x48);
    switch (op) {
    case OP_INC: b1(a, 0xff - byte); b1(a, 0xc0); break;   /* inc eax (FF /0) / inc al (FE /0) */
    case OP_DEC: b1(a, 0xff - byte); b1(a, 0xc8); break;   /* dec */
    case OP_NEG: b1(a, 0xf7 - byte); b1(a, 0xd8); break;   /* neg eax (F7 /3) */
    default: b1(a, alu[op] - byte); b1(a, 0xd8); break;    /* op eax, ebx (modrm C0|ebx<<3) */
    }
}

/* setcc byte [disp32] (ModRM 04, SIB 25: no base, no index) */
static void emit_setcc(Asm *a, int cc, uint32_t addr)
{
    b1(a, 0x0f); b1(a, 0x90 + cc); b1(a, 0x04); b1(a, 0x25); b4(a, addr);
}

#define COND_DATA 0x40000u
#define COND_STRIDE 0x100u
#define COND_STACK 0x38000u

/* One section per operand pair: results at COND_DATA + k * COND_STRIDE:
 *  +0x00 setcc x16 right after the op (lazy fast path)
 *  +0x10 setcc x16 after a block boundary (cc_op from env: helper path)
 *  +0x20 1 if jcc NOT taken, x16
 *  +0x40 cmovcc result dword x16 (1 if moved)
 *  +0x80 result register, +0x88 EFLAGS after the op */
static void emit_cond_section(Asm *a, int op, int bits, uint64_t va, uint64_t vb, int cin, uint32_t base)
{
    emit_operands(a, bits, va, vb, cin);
    emit_op(a, op, bits);
    for (int cc = 0; cc < 16; cc++)
        emit_setcc(a, cc, base + (uint32_t)cc);
    if (bits == 64)
        b1(a, 0x48);
    b1(a, 0x89); b1(a, 0x04); b1(a, 0x25); b4(a, base + 0x80);    /* mov [base+0x80], eax/rax */
    b1(a, 0x9c);                                                   /* pushf */
    b1(a, 0x8f); b1(a, 0x04); b1(a, 0x25); b4(a, base + 0x88);    /* pop [base+0x88] */
    b1(a, 0xeb); b1(a, 0x00);                                      /* jmp $+2: new block */
    emit_operands(a, bits, va, vb, cin);
    emit_op(a, op, bits);
    b1(a, 0xeb); b1(a, 0x00);
    for (int cc = 0; cc < 16; cc++)
        emit_setcc(a, cc, base + 0x10 + (uint32_t)cc);
    for (int cc = 0; cc < 16; cc++) {
        emit_operands(a, bits, va, vb, cin);
        emit_op(a, op, bits);
        b1(a, 0x70 + cc); b1(a, 8);                                /* jcc over the next insn */
        b1(a, 0xc6); b1(a, 0x04); b1(a, 0x25); b4(a, base + 0x20 + (uint32_t)cc); b1(a, 1);
    }
    for (int cc = 0; cc < 16; cc++) {
        emit_operands(a, bits, va, vb, cin);
        emit_op(a, op, bits);
        b1(a, 0xb9); b4(a, 0);                                     /* mov ecx, 0 */
        b1(a, 0xba); b4(a, 1);                                     /* mov edx, 1 */
        b1(a, 0x0f); b1(a, 0x40 + cc); b1(a, 0xca);                /* cmovcc ecx, edx */
        b1(a, 0x89); b1(a, 0x0c); b1(a, 0x25); b4(a, base + 0x40 + 4 * (uint32_t)cc);
    }
}

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s ^ (*s >> 29);
}

/* For every op and size: edge and random operand pairs, carry in 0 and 1. */
START_TEST(conditions_match_sdm)
{
    static const int sizes[4] = { 8, 16, 32, 64 };
    Asm *a = malloc(sizeof(Asm));
    ck_assert_ptr_nonnull(a);
    uint64_t seed = 0x1234567;
    for (int op = 0; op < NB_OPS; op++) {
        for (int si = 0; si < 4; si++) {
            int bits = sizes[si];
            uint64_t m = bits == 64 ? ~0ull : (1ull << bits) - 1, sign = 1ull << (bits - 1);
            const uint64_t edge[8] = { 0, 1, sign - 1, sign, m, m - 1, 0x10, 0xf };
            enum { NPAIRS = 20 };
            uint64_t va[NPAIRS], vb[NPAIRS];
            int cin[NPAIRS];
            for (int k = 0; k < NPAIRS; k++) {
                va[k] = k < 8 ? edge[k] : lcg(&seed) & m;
                vb[k] = k < 8 ? edge[(k * 3 + 1) % 8] : lcg(&seed) & m;
                if (k % 5 == 4)
                    vb[k] = va[k];
                cin[k] = (int)(lcg(&seed) & 1);
            }
            a->n = 0;
            for (int k = 0; k < NPAIRS; k++)
                emit_cond_section(a, op, bits, va[k], vb[k], cin[k], COND_DATA + (uint32_t)k * COND_STRIDE);
            b1(a, 0xf4);
            Rig r;
            rig_init(&r, _i, bits == 64 ? M64 : M32);
            ck_assert_uint_lt(CODE + a->n, COND_STACK - 0x100);
            rig_load(&r, CODE, a->buf, a->n);
            r.env->regs[R_ESP] = COND_STACK;    /* above the (long) program */
            rig_run(&r);
            for (int k = 0; k < NPAIRS; k++) {
                uint64_t base = COND_DATA + (uint64_t)k * COND_STRIDE;
                Ref ref = ref_alu(op, bits, va[k], vb[k], cin[k]);
                int rbytes = bits == 64 ? 8 : 4;
                uint64_t res = rd(&r, base + 0x80, rbytes) & m;
                uint64_t fl = rd(&r, base + 0x88, 4);
                if (res != ref.res || (fl & ref.defined) != (ref.flags & ref.defined))
                    ck_abort_msg("op %d bits %d a=%#llx b=%#llx c=%d: res %#llx flags %#llx, want %#llx %#llx",
                                 op, bits, (unsigned long long)va[k], (unsigned long long)vb[k], cin[k],
                                 (unsigned long long)res, (unsigned long long)fl,
                                 (unsigned long long)ref.res, (unsigned long long)ref.flags);
                for (int cc = 0; cc < 16; cc++) {
                    int want = ref_cond(cc, ref.flags);
                    int got[4] = { (int)rd(&r, base + (uint64_t)cc, 1), (int)rd(&r, base + 0x10 + (uint64_t)cc, 1),
                                   !rd(&r, base + 0x20 + (uint64_t)cc, 1), (int)rd(&r, base + 0x40 + 4 * (uint64_t)cc, 4) };
                    for (int w = 0; w < 4; w++)
                        if (got[w] != want)
                            ck_abort_msg("op %d bits %d a=%#llx b=%#llx c=%d: cc %d form %d got %d want %d",
                                         op, bits, (unsigned long long)va[k], (unsigned long long)vb[k], cin[k],
                                         cc, w, got[w], want);
                }
            }
            rig_free(&r);
        }
    }
    free(a);
}
END_TEST


static Suite *x86_cond_suite(void)
{
    Suite *s = suite_create("x86_cond");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, conditions_match_sdm, 0, nbackends());
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_cond_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
