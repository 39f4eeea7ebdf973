/*
 * Differential test of the pure x86 arithmetic helpers (x86_helper_arith.c)
 * against the host CPU. Each instruction under test is assembled into a
 * small executable stub (load RAX/RCX/RDX/RBX and RFLAGS, run the
 * instruction, store them back) and run on random and edge operands with
 * random input flags; results and EFLAGS must agree except for the flags
 * the Intel SDM Vol. 2 documents as undefined for that instruction (cited
 * at each masking). Undefined flags are compared too, but only reported
 * (they may legitimately differ on another host CPU than the AMD one
 * doppel models).
 *
 * BCD instructions are #UD in 64-bit mode, so they are checked against an
 * independent transcription of the SDM "Operation" pseudo-code instead.
 *
 * Built only on x86-64 hosts (tests/unit, HOST_X86_64 in cpu/x86/local.mk).
 */
#include <check.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cpu/x86/x86_cpu.h"
#include "cpu/x86/x86_cpuid.h"
#include "cpu/x86/x86_helper_arith.h"
#include "cpu/x86/x86_helper_system.h"

typedef struct HostRegs { uint64_t rax, rcx, rdx, rbx, flags, rsi; } HostRegs;

enum { STUB_INSN_OFF = 24, STUB_INSN_MAX = 16 };

static uint8_t *stub;
static uint8_t cur_insn[STUB_INSN_MAX];
static int cur_len = -1;
static sigjmp_buf fpe_jmp;

static void on_sigfpe(int sig)
{
    (void)sig;
    siglongjmp(fpe_jmp, 1);
}

/* The stub: push rbx; push rdi; load rax,rcx,rdx,rbx,rsi from *rdi; push
 * [rdi+32]; popfq; <insn padded with NOPs>; pushfq; reload rdi; pop
 * [rdi+32]; store rax,rcx,rdx,rbx; pop rdi; pop rbx; ret. */
static void stub_build(void)
{
    static const uint8_t head[] = {
        0x53, 0x57, 0x48, 0x8b, 0x07, 0x48, 0x8b, 0x4f, 0x08, 0x48, 0x8b, 0x57, 0x10,
        0x48, 0x8b, 0x5f, 0x18, 0x48, 0x8b, 0x77, 0x28, 0xff, 0x77, 0x20, /* 24 bytes */
    };
    static const uint8_t tail[] = {
        0x9d,                                   /* popfq (before the insn) */
    };
    static const uint8_t tail2[] = {
        0x9c, 0x48, 0x8b, 0x7c, 0x24, 0x08, 0x8f, 0x47, 0x20, 0x48, 0x89, 0x07,
        0x48, 0x89, 0x4f, 0x08, 0x48, 0x89, 0x57, 0x10, 0x48, 0x89, 0x5f, 0x18,
        0x5f, 0x5b, 0xc3,
    };
    stub = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(stub, MAP_FAILED);
    memcpy(stub, head, sizeof(head));
    memcpy(stub + STUB_INSN_OFF, tail, sizeof(tail));
    memset(stub + STUB_INSN_OFF + 1, 0x90, STUB_INSN_MAX);
    memcpy(stub + STUB_INSN_OFF + 1 + STUB_INSN_MAX, tail2, sizeof(tail2));
    cur_len = -1;
}

/* Run insn (len bytes) on the host with regs; false if it raised #DE. */
static bool host_run(const uint8_t *insn, int len, HostRegs *r)
{
    if (len != cur_len || memcmp(insn, cur_insn, (size_t)len) != 0) {
        memset(stub + STUB_INSN_OFF + 1, 0x90, STUB_INSN_MAX);
        memcpy(stub + STUB_INSN_OFF + 1, insn, (size_t)len);
        memcpy(cur_insn, insn, (size_t)len);
        cur_len = len;
    }
    r->flags = (r->flags & X86_ARITH_FLAGS) | 0x202;
    void (*fn)(HostRegs *) = (void (*)(HostRegs *))(uintptr_t)stub;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigfpe;
    sa.sa_flags = SA_NODEFER;
    sigaction(SIGFPE, &sa, &old);
    volatile bool ok = true;
    if (sigsetjmp(fpe_jmp, 1) == 0) {
        fn(r);
    } else {
        ok = false;
    }
    sigaction(SIGFPE, &old, NULL);
    r->flags &= X86_ARITH_FLAGS;
    return ok;
}

/* ---- operands ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Edge values (0, 1, -1, MIN, MAX, ...) for the first few iterations, then
 * random values with a random number of significant bits. */
static uint64_t operand(int i, unsigned size)
{
    uint64_t m = x86_arith_mask(size), sign = (m >> 1) + 1;
    const uint64_t edges[] = { 0, 1, m, sign, sign - 1, 2, m - 1, sign + 1, 0x80, 0x7f, 0xff, 0x100 };
    int ne = (int)(sizeof(edges) / sizeof(edges[0]));
    if (i < ne) {
        return edges[i] & m;
    }
    uint64_t v = rnd();
    switch (rnd() % 4) {
    case 0: v >>= rnd() % 64; break;
    case 1: v = (uint64_t)((int64_t)v >> (rnd() % 64)); break;
    default: break;
    }
    return v & m;
}

static uint64_t count_operand(int i, unsigned size)
{
    const uint64_t edges[] = { 0, 1, 8 * size - 1, 8 * size, 8 * size + 1, 31, 32, 63, 64, 255,
                               9, 16, 17, 2, 33 };
    int ne = (int)(sizeof(edges) / sizeof(edges[0]));
    return i < ne ? edges[i] : rnd() & 0xff;
}

static uint32_t rnd_flags(void) { return (uint32_t)rnd() & X86_ARITH_FLAGS; }

/* Encode prefix + opcode + ModRM for operand size. */
static int enc(uint8_t *b, unsigned size, bool f3, const uint8_t *op, int oplen, uint8_t modrm)
{
    int n = 0;
    if (size == 2) {
        b[n++] = 0x66;
    }
    if (f3) {
        b[n++] = 0xf3;
    }
    if (size == 8) {
        b[n++] = 0x48;
    }
    memcpy(b + n, op, (size_t)oplen);
    n += oplen;
    b[n++] = modrm;
    return n;
}

/* ---- comparison bookkeeping ---- */

typedef struct Tally {
    const char *name;
    long compared, mismatches, undef_compared, undef_diff;
    uint32_t undef_diff_bits;
} Tally;

static void check_one(Tally *t, unsigned size, uint64_t in1, uint64_t in2, uint64_t extra,
                      bool ok_h, bool ok_d, const uint64_t *hv, const uint64_t *dv, int nv,
                      uint32_t hf, uint32_t df, uint32_t undef)
{
    bool bad = ok_h != ok_d;
    t->compared++;
    if (!bad && ok_h) {
        for (int i = 0; i < nv; i++) {
            bad |= hv[i] != dv[i];
        }
        bad |= (hf & ~undef) != (df & ~undef);
        if (undef) {
            t->undef_compared++;
            if ((hf & undef) != (df & undef)) {
                t->undef_diff++;
                t->undef_diff_bits |= (hf ^ df) & undef;
                if (t->undef_diff <= 3) {
                    fprintf(stderr, "  (undefined flags) %s size %u in %#llx %#llx %#llx: host f=%#x"
                            " doppel f=%#x\n", t->name, size, (unsigned long long)in1,
                            (unsigned long long)in2, (unsigned long long)extra, hf, df);
                }
            }
        }
    }
    if (bad && t->mismatches++ < 8) {
        fprintf(stderr, "%s size %u in %#llx %#llx %#llx: host ok=%d v0=%#llx v1=%#llx f=%#x;"
                " doppel ok=%d v0=%#llx v1=%#llx f=%#x (undef %#x)\n",
                t->name, size, (unsigned long long)in1, (unsigned long long)in2,
                (unsigned long long)extra, ok_h, (unsigned long long)hv[0],
                (unsigned long long)(nv > 1 ? hv[1] : 0), hf, ok_d, (unsigned long long)dv[0],
                (unsigned long long)(nv > 1 ? dv[1] : 0), df, undef);
    }
}

static void report(const Tally *t)
{
    fprintf(stderr, "%-8s compared %6ld, mismatches %ld; undefined flags differ in %ld of %ld"
            " (bits %#x)\n", t->name, t->compared, t->mismatches, t->undef_diff,
            t->undef_compared, t->undef_diff_bits);
}

static const unsigned sizes[4] = { 1, 2, 4, 8 };
enum { N_RANDOM = 3000 };

/* ---- MUL / IMUL / DIV / IDIV (F6/F7 /4../7 with BL/BX/EBX/RBX) ---- */

static void run_grp3(Tally *t, unsigned reg)
{
    for (int s = 0; s < 4; s++) {
        unsigned size = sizes[s];
        uint64_t m = x86_arith_mask(size);
        uint8_t op = size == 1 ? 0xf6 : 0xf7, b[16];
        int n = enc(b, size, false, &op, 1, (uint8_t)(0xc0 | reg << 3 | 3));
        for (int i = 0; i < N_RANDOM; i++) {
            HostRegs r = { .rax = rnd(), .rcx = 0, .rdx = rnd(), .rbx = rnd(), .flags = rnd_flags() };
            r.rax = (r.rax & ~m) | operand(i % 40, size);
            r.rbx = (r.rbx & ~m) | operand(i / 40 % 40 + (i >= 1600 ? 100 : 0), size);
            if (size > 1) {
                r.rdx = (r.rdx & ~m) | operand((i + 7) % 50, size);
            }
            HostRegs in = r;
            uint32_t df = in.flags;
            uint64_t dv[2] = { 0, 0 }, hv[2], hi = 0, lo;
            bool ok_d = true;
            uint64_t a = size == 1 ? in.rax & 0xff : in.rax & m;
            uint64_t d = size == 1 ? (in.rax >> 8) & 0xff : in.rdx & m;
            if (reg == 4) {
                dv[0] = x86_arith_mul(size, a, in.rbx, &dv[1], &df);
            } else if (reg == 5) {
                dv[0] = x86_arith_imul(size, a, in.rbx, &dv[1], &df);
            } else if (reg == 6) {
                ok_d = x86_arith_div(size, d, a, in.rbx, &dv[0], &dv[1], &df);
            } else {
                ok_d = x86_arith_idiv(size, d, a, in.rbx, &dv[0], &dv[1], &df);
            }
            bool ok_h = host_run(b, n, &r);
            lo = size == 1 ? r.rax & 0xff : r.rax & m;
            hi = size == 1 ? (r.rax >> 8) & 0xff : r.rdx & m;
            hv[0] = lo;
            hv[1] = hi;
            /* SDM MUL/IMUL: SF, ZF, AF, PF undefined; DIV/IDIV: all six undefined */
            uint32_t undef = reg < 6 ? (X86_SF | X86_ZF | X86_AF | X86_PF) : X86_ARITH_FLAGS;
            if (!ok_h) {
                r.flags = df;
            }
            check_one(t, size, in.rax, in.rbx, in.rdx, ok_h, ok_d, hv, dv, 2, (uint32_t)r.flags, df, undef);
        }
    }
}

START_TEST(mul_imul_div_idiv)
{
    Tally t[4] = { { .name = "mul" }, { .name = "imul1" }, { .name = "div" }, { .name = "idiv" } };
    for (unsigned reg = 4; reg < 8; reg++) {
        run_grp3(&t[reg - 4], reg);
        report(&t[reg - 4]);
    }
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(t[i].mismatches, 0);
    }
}
END_TEST

/* IMUL r, r/m (0F AF) and IMUL r, r/m, imm (69 / 6B). */
START_TEST(imul_2_3)
{
    Tally t2 = { .name = "imul2" }, t3 = { .name = "imul3" };
    for (int s = 1; s < 4; s++) {
        unsigned size = sizes[s];
        uint64_t m = x86_arith_mask(size);
        for (int i = 0; i < N_RANDOM; i++) {
            uint8_t b[16];
            int n;
            int form = i % 3;               /* 0: 0F AF, 1: 69 iz, 2: 6B ib */
            uint64_t imm = 0;
            if (form == 0) {
                const uint8_t op[2] = { 0x0f, 0xaf };
                n = enc(b, size, false, op, 2, 0xc3);       /* imul rax, rbx */
            } else if (form == 1) {
                const uint8_t op = 0x69;
                n = enc(b, size, false, &op, 1, 0xc3);
                uint32_t v = (uint32_t)operand(i / 3 % 60, 4);
                imm = size == 2 ? (v & 0xffff) : (uint64_t)(int64_t)(int32_t)v;
                memcpy(b + n, &v, size == 2 ? 2 : 4);
                n += size == 2 ? 2 : 4;
            } else {
                const uint8_t op = 0x6b;
                n = enc(b, size, false, &op, 1, 0xc3);
                uint8_t v = (uint8_t)operand(i / 3 % 60, 1);
                imm = (uint64_t)(int64_t)(int8_t)v;
                b[n++] = v;
            }
            HostRegs r = { .rax = rnd(), .rbx = rnd(), .flags = rnd_flags() };
            r.rbx = (r.rbx & ~m) | operand(i % 70, size);
            HostRegs in = r;
            uint32_t df = in.flags;
            uint64_t hi, dv[1], hv[1];
            dv[0] = x86_arith_imul(size, in.rbx, form == 0 ? in.rax : imm, &hi, &df);
            if (size == 4) {
                /* 32-bit destination zero-extends into RAX (SDM 3.4.1.1) */
            } else if (size == 2) {
                dv[0] |= in.rax & ~m;
            }
            host_run(b, n, &r);
            hv[0] = r.rax;
            /* SDM IMUL: SF, ZF, AF, PF undefined */
            check_one(form == 0 ? &t2 : &t3, size, in.rax, in.rbx, imm, true, true, hv, dv, 1,
                      (uint32_t)r.flags, df, X86_SF | X86_ZF | X86_AF | X86_PF);
        }
    }
    report(&t2);
    report(&t3);
    ck_assert_int_eq(t2.mismatches, 0);
    ck_assert_int_eq(t3.mismatches, 0);
}
END_TEST

/* ---- group 2: D2/D3 /op with CL ---- */

/* The documented-undefined flags of a group 2 op (SDM SAL/SAR/SHL/SHR and
 * RCL/RCR/ROL/ROR "Flags Affected"). */
static uint32_t shift_undef(unsigned op, unsigned size, uint64_t count)
{
    unsigned c = (unsigned)(count & (size == 8 ? 0x3f : 0x1f));
    uint32_t u = 0;
    if (c == 0) {
        return 0;                   /* count 0: no flag is affected */
    }
    if (c != 1) {
        u |= X86_OF;                /* OF defined only for 1-bit shifts/rotates */
    }
    if (op >= X86_SH_SHL) {
        u |= X86_AF;                /* shifts: AF undefined for a non-zero count */
        if (op != X86_SH_SAR && c >= 8 * size) {
            u |= X86_CF;            /* SHL/SHR: CF undefined when count >= operand size */
        }
    }
    return u;
}

START_TEST(shifts_rotates)
{
    static const char *names[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };
    for (unsigned op = 0; op < 8; op++) {
        Tally t = { .name = names[op] };
        for (int s = 0; s < 4; s++) {
            unsigned size = sizes[s];
            uint64_t m = x86_arith_mask(size);
            uint8_t opc = size == 1 ? 0xd2 : 0xd3, b[16];
            int n = enc(b, size, false, &opc, 1, (uint8_t)(0xc0 | op << 3));
            for (int i = 0; i < N_RANDOM; i++) {
                HostRegs r = { .rax = rnd(), .rcx = count_operand(i % 40, size), .flags = rnd_flags() };
                r.rax = (r.rax & ~m) | operand(i / 40 + (i % 3 ? 20 : 0), size);
                HostRegs in = r;
                uint32_t df = in.flags;
                uint64_t dv[1], hv[1];
                dv[0] = x86_arith_shift((X86ShiftOp)op, size, in.rax, in.rcx, &df);
                if (size < 4) {
                    dv[0] |= in.rax & ~m;
                } else if (size == 4 && (in.rcx & 0x1f) == 0) {
                    dv[0] = in.rax & m;     /* count 0 still zero-extends a 32-bit register */
                }
                host_run(b, n, &r);
                hv[0] = r.rax;
                check_one(&t, size, in.rax, in.rcx, 0, true, true, hv, dv, 1, (uint32_t)r.flags,
                          df, shift_undef(op, size, in.rcx));
            }
        }
        report(&t);
        ck_assert_int_eq(t.mismatches, 0);
    }
}
END_TEST

/* ---- SHLD/SHRD r/m, r, CL (0F A5 / 0F AD) ---- */

START_TEST(double_shifts)
{
    for (int right = 0; right < 2; right++) {
        Tally t = { .name = right ? "shrd" : "shld" };
        Tally big = { .name = right ? "shrd>16" : "shld>16" };
        for (int s = 1; s < 4; s++) {
            unsigned size = sizes[s];
            uint64_t m = x86_arith_mask(size);
            const uint8_t op[2] = { 0x0f, right ? 0xad : 0xa5 };
            uint8_t b[16];
            int n = enc(b, size, false, op, 2, 0xd8);       /* shxd rax, rbx, cl */
            for (int i = 0; i < N_RANDOM; i++) {
                HostRegs r = { .rax = rnd(), .rbx = rnd(), .rcx = count_operand(i % 40, size),
                               .flags = rnd_flags() };
                r.rax = (r.rax & ~m) | operand(i / 40 + (i % 3 ? 20 : 0), size);
                HostRegs in = r;
                uint32_t df = in.flags;
                uint64_t dv[1], hv[1];
                unsigned c = (unsigned)(in.rcx & (size == 8 ? 0x3f : 0x1f));
                dv[0] = x86_arith_shd(right, size, in.rax, in.rbx, in.rcx, &df);
                if (size == 2) {
                    dv[0] |= in.rax & ~m;
                } else if (size == 4 && c == 0) {
                    dv[0] = in.rax & m;
                }
                host_run(b, n, &r);
                hv[0] = r.rax;
                /* SDM SHLD/SHRD: AF undefined for a non-zero count, OF for count != 1;
                 * count > operand size: result and all flags undefined */
                uint32_t undef = c == 0 ? 0 : (X86_AF | (c != 1 ? X86_OF : 0));
                if (c > 8 * size) {
                    check_one(&big, size, in.rax, in.rbx, in.rcx, true, true, hv, dv, 1,
                              (uint32_t)r.flags, df, undef);
                } else {
                    check_one(&t, size, in.rax, in.rbx, in.rcx, true, true, hv, dv, 1,
                              (uint32_t)r.flags, df, undef);
                }
            }
        }
        report(&t);
        report(&big);
        ck_assert_int_eq(t.mismatches, 0);
    }
}
END_TEST

/* ---- BT/BTS/BTR/BTC r/m, r (0F A3/AB/B3/BB) and r/m, imm8 (0F BA /4../7) ---- */

START_TEST(bit_tests)
{
    static const uint8_t opcodes[4] = { 0xa3, 0xab, 0xb3, 0xbb };
    static const char *names[4] = { "bt", "bts", "btr", "btc" };
    for (unsigned op = 0; op < 4; op++) {
        Tally t = { .name = names[op] };
        for (int s = 1; s < 4; s++) {
            unsigned size = sizes[s];
            uint64_t m = x86_arith_mask(size);
            for (int i = 0; i < N_RANDOM; i++) {
                uint8_t b[16];
                int n;
                uint64_t bit;
                HostRegs r = { .rax = rnd(), .rbx = rnd(), .flags = rnd_flags() };
                if (i % 2) {
                    const uint8_t opc[2] = { 0x0f, opcodes[op] };
                    n = enc(b, size, false, opc, 2, 0xd8);   /* bt rax, rbx */
                    bit = r.rbx;
                } else {
                    const uint8_t opc[2] = { 0x0f, 0xba };
                    n = enc(b, size, false, opc, 2, (uint8_t)(0xe0 | op << 3));
                    bit = rnd() & 0xff;
                    b[n++] = (uint8_t)bit;
                }
                HostRegs in = r;
                uint32_t df = in.flags;
                uint64_t dv[1], hv[1];
                /* register and immediate offsets are taken modulo the operand size (SDM BT) */
                dv[0] = x86_arith_bt((X86BitOp)op, size, in.rax, (unsigned)(bit & (8 * size - 1)), &df);
                if (size == 2 || op == X86_BT) {
                    dv[0] |= in.rax & ~m;
                }
                if (op == X86_BT) {
                    dv[0] = in.rax;         /* BT writes nothing */
                }
                host_run(b, n, &r);
                hv[0] = r.rax;
                /* SDM BT*: OF, SF, AF, PF undefined; ZF unaffected */
                check_one(&t, size, in.rax, bit, 0, true, true, hv, dv, 1, (uint32_t)r.flags, df,
                          X86_OF | X86_SF | X86_AF | X86_PF);
            }
        }
        report(&t);
        ck_assert_int_eq(t.mismatches, 0);
    }
}
END_TEST

/* ---- BSF/BSR (0F BC/BD), POPCNT (F3 0F B8) ---- */

START_TEST(bit_scans_popcnt)
{
    static const char *names[3] = { "bsf", "bsr", "popcnt" };
    for (int k = 0; k < 3; k++) {
        Tally t = { .name = names[k] };
        for (int s = 1; s < 4; s++) {
            unsigned size = sizes[s];
            uint64_t m = x86_arith_mask(size);
            const uint8_t opc[2] = { 0x0f, k == 0 ? 0xbc : k == 1 ? 0xbd : 0xb8 };
            uint8_t b[16];
            int n = enc(b, size, k == 2, opc, 2, 0xc3);        /* op rax, rbx */
            for (int i = 0; i < N_RANDOM; i++) {
                HostRegs r = { .rax = rnd(), .rbx = rnd(), .flags = rnd_flags() };
                r.rbx = (r.rbx & ~m) | (i % 5 == 0 ? 0 : operand(i % 100, size));
                HostRegs in = r;
                uint32_t df = in.flags;
                uint64_t dv[1], hv[1];
                if (k < 2) {
                    dv[0] = x86_arith_bsf_bsr(k == 1, size, in.rax & m, in.rbx, &df);
                } else {
                    dv[0] = x86_arith_popcnt(size, in.rbx, &df);
                }
                if (size == 2) {
                    dv[0] |= in.rax & ~m;
                }
                if (k < 2 && (in.rbx & m) == 0) {
                    dv[0] = in.rax;     /* zero source: the whole register is left alone */
                }
                host_run(b, n, &r);
                hv[0] = r.rax;
                /* SDM BSF/BSR: CF, OF, SF, AF, PF undefined (destination
                 * undefined for a zero source on Intel; AMD documents it as
                 * unchanged and that is compared). POPCNT: all defined. */
                uint32_t undef = k < 2 ? (X86_CF | X86_OF | X86_SF | X86_AF | X86_PF) : 0;
                check_one(&t, size, in.rax, in.rbx, 0, true, true, hv, dv, 1, (uint32_t)r.flags,
                          df, undef);
            }
        }
        report(&t);
        ck_assert_int_eq(t.mismatches, 0);
    }
}
END_TEST

/* ---- BCD: an independent transcription of the SDM pseudo-code ---- */

static bool ref_parity(uint8_t v)
{
    int n = 0;
    for (int i = 0; i < 8; i++) {
        n += (v >> i) & 1;
    }
    return n % 2 == 0;
}

/* SDM Vol. 2 DAA/DAS/AAA/AAS/AAM/AAD "Operation". Returns AX, *f the
 * defined flags, *undef the undefined ones. */
static bool ref_bcd(X86BcdOp op, uint16_t ax, uint8_t imm, uint32_t *f, uint32_t *undef,
                    uint16_t *out)
{
    unsigned al = ax & 0xff, ah = ax >> 8;
    bool cf = *f & X86_CF, af = *f & X86_AF, szp = true;
    switch (op) {
    case X86_DAA: {
        unsigned old_al = al;
        bool old_cf = cf;
        cf = false;
        if ((al & 0xf) > 9 || af) {
            unsigned t = al + 6;
            al = t & 0xff;
            cf = old_cf || t > 0xff;
            af = true;
        } else {
            af = false;
        }
        if (old_al > 0x99 || old_cf) {
            al = (al + 0x60) & 0xff;
            cf = true;
        } else {
            cf = false;
        }
        *undef = X86_OF;
        break;
    }
    case X86_DAS: {
        unsigned old_al = al;
        bool old_cf = cf;
        cf = false;
        if ((al & 0xf) > 9 || af) {
            cf = old_cf || al < 6;
            al = (al - 6) & 0xff;
            af = true;
        } else {
            af = false;
        }
        if (old_al > 0x99 || old_cf) {
            al = (al - 0x60) & 0xff;
            cf = true;
        }
        *undef = X86_OF;
        break;
    }
    case X86_AAA:
    case X86_AAS:
        if ((al & 0xf) > 9 || af) {
            unsigned v = (ah << 8 | al);
            v = op == X86_AAA ? v + 0x106 : v - 6 - 0x100;
            al = v & 0xff;
            ah = (v >> 8) & 0xff;
            af = cf = true;
        } else {
            af = cf = false;
        }
        al &= 0xf;
        *undef = X86_OF | X86_SF | X86_ZF | X86_PF;
        szp = false;
        break;
    case X86_AAM:
        if (imm == 0) {
            return false;
        }
        ah = al / imm;
        al = al % imm;
        *undef = X86_OF | X86_AF | X86_CF;
        break;
    default:
        al = (al + ah * imm) & 0xff;
        ah = 0;
        *undef = X86_OF | X86_AF | X86_CF;
        break;
    }
    uint32_t nf = (cf ? X86_CF : 0) | (af ? X86_AF : 0);
    if (szp) {
        nf |= (al == 0 ? X86_ZF : 0) | (al & 0x80 ? X86_SF : 0) | (ref_parity((uint8_t)al) ? X86_PF : 0);
    }
    *f = nf;
    *out = (uint16_t)(ah << 8 | al);
    return true;
}

START_TEST(bcd_against_sdm)
{
    static const char *names[6] = { "daa", "das", "aaa", "aas", "aam", "aad" };
    for (int op = 0; op < 6; op++) {
        long compared = 0;
        for (uint32_t ax = 0; ax < 0x10000; ax += (op >= 4 ? 1 : 0x0101 - 0x100)) {
            for (uint32_t fl = 0; fl < 4; fl++) {
                uint32_t flags = ((fl & 1) ? X86_CF : 0) | ((fl & 2) ? X86_AF : 0) | X86_OF | X86_SF;
                uint8_t imm = op >= 4 ? (uint8_t)(ax % 3 == 0 ? 10 : (ax * 7) >> 3) : 10;
                uint32_t rf = flags, df = flags, undef = 0;
                uint16_t rax = 0, dax = 0;
                bool rok = ref_bcd((X86BcdOp)op, (uint16_t)ax, imm, &rf, &undef, &rax);
                bool dok = x86_arith_bcd((X86BcdOp)op, (uint16_t)ax, imm, &dax, &df);
                ck_assert_msg(rok == dok, "%s ax %#x imm %u: #DE mismatch", names[op], ax, imm);
                if (rok) {
                    ck_assert_msg(rax == dax && (rf & ~undef) == (df & ~undef),
                                  "%s ax %#x fl %#x imm %u: sdm %#x/%#x doppel %#x/%#x", names[op],
                                  ax, flags, imm, rax, rf, dax, df);
                }
                compared++;
            }
        }
        fprintf(stderr, "%-8s compared %6ld against the SDM pseudo-code\n", names[op], compared);
    }
    /* worked example of SDM DAS: AL=EEH, CF=AF=1 after SUB -> AL=88H, CF=AF=1 */
    uint16_t out;
    uint32_t f = X86_CF | X86_AF;
    ck_assert(x86_arith_bcd(X86_DAS, 0xee, 0, &out, &f));
    ck_assert_uint_eq(out & 0xff, 0x88);
    ck_assert_uint_eq(f & (X86_CF | X86_AF | X86_ZF | X86_SF), X86_CF | X86_AF | X86_SF);
    /* AAM with a zero immediate is #DE (SDM AAM) */
    f = 0;
    ck_assert(!x86_arith_bcd(X86_AAM, 0x1234, 0, &out, &f));
}
END_TEST

/* BSWAP r16 (66 0F C8): undefined per the SDM; the AMD host gives zero,
 * which is what doppel's translator emits (x86_gen_atomic.c). */
START_TEST(bswap16_host_behaviour)
{
    const uint8_t b[3] = { 0x66, 0x0f, 0xc8 };
    HostRegs r = { .rax = 0x1122334455667788ull };
    host_run(b, 3, &r);
    fprintf(stderr, "bswap ax on the host: rax %#llx\n", (unsigned long long)r.rax);
    ck_assert_uint_eq(r.rax >> 16, 0x112233445566ull);
}
END_TEST

/* CPUID of the doppel model: exactly the implemented features (table in
 * cpu/x86/x86_cpuid.c), Intel leaf conventions (SDM Vol. 2 CPUID). */
START_TEST(cpuid_model)
{
    X86Cpu *env = calloc(1, sizeof(*env));
    ck_assert_ptr_nonnull(env);
    env->cpuid_signature = 0x663;
    uint32_t r[4], r7[4];
    char vendor[13];
    x86_cpuid(env, 0, 0, r);
    ck_assert_uint_eq(r[0], 7);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    ck_assert_str_eq(vendor, "GenuineIntel");
    x86_cpuid(env, 1, 0, r);
    ck_assert_uint_eq(r[0], 0x663);
    /* TSC, CX8, CMOV; DE, PSE, MSR, PAE, SEP, MTRR, PGE, PAT, APIC (system helper); FPU (x87);
     * CLFSH, MMX, FXSR, SSE, SSE2 (SSE helper) */
    ck_assert_uint_eq(r[3], (1u << 4) | (1u << 8) | (1u << 15) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 6)
                                | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 16) | (1u << 9) | (1u << 0)
                                | (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26));
    /* CX16, POPCNT; SSE3, PCLMULQDQ, SSSE3, SSE4.1, SSE4.2 */
    ck_assert_uint_eq(r[2], (1u << 13) | (1u << 23) | (1u << 0) | (1u << 1) | (1u << 9) | (1u << 19) | (1u << 20));
    x86_cpuid(env, 7, 0, r7);
    ck_assert(r7[0] == 0 && r7[1] == 0 && r7[2] == 0);               /* no BMI1: F3 0F BC is BSF */
    ck_assert_uint_eq(r7[3], 1u << 29);                              /* IA32_ARCH_CAPABILITIES only */
    /* RDCL_NO, SSB_NO, MDS_NO, IF_PSCHANGE_MC_NO, TAA_NO, SBDR_SSDP_NO, FBSDP_NO, PSDP_NO, GDS_NO,
     * RFDS_NO: the not-affected bits; nothing that claims a mitigation control */
    ck_assert_uint_eq(x86_arch_capabilities(), 0x0c00e171u);
    uint64_t cap = 0;
    ck_assert(x86_msr_read(env, 0x10a, &cap));
    ck_assert_uint_eq(cap, 0x0c00e171u);
    ck_assert(!x86_msr_write(env, 0x10a, cap));                      /* read-only: WRMSR #GP */
    x86_cpuid(env, 0x20, 0, r);                                      /* above max: leaf 7's data */
    ck_assert_mem_eq(r, r7, sizeof(r));
    x86_cpuid(env, 0x80000000u, 0, r);
    ck_assert_uint_eq(r[0], 0x80000008u);
    x86_cpuid(env, 0x80000001u, 0, r);
    ck_assert_uint_eq(r[3], (1u << 29) | (1u << 11) | (1u << 20) | (1u << 27));   /* LM, SYSCALL, NX, RDTSCP */
    ck_assert_uint_eq(r[2], 1u);                                     /* LAHF/SAHF; no ABM (LZCNT) */
    char brand[49];
    for (uint32_t l = 0; l < 3; l++) {
        x86_cpuid(env, 0x80000002u + l, 0, r);
        memcpy(brand + 16 * l, r, 16);
    }
    brand[48] = 0;
    ck_assert_str_eq(brand, "doppel virtual CPU");
    x86_cpuid(env, 0x80000008u, 0, r);
    ck_assert_uint_eq(r[0] & 0xff, 40);
    ck_assert_uint_eq((r[0] >> 8) & 0xff, 48);
    /* without a machine the TSC counts instructions, plus IA32_TSC's offset */
    env->common.insns_executed = 1000;
    env->tsc_offset = 5;
    ck_assert_uint_eq(x86_tsc_read(env), 1005);
    free(env);
}
END_TEST

static Suite *x86_helpers_suite(void)
{
    Suite *s = suite_create("x86_helpers");
    TCase *tc = tcase_create("differential");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, stub_build, NULL);
    tcase_add_test(tc, mul_imul_div_idiv);
    tcase_add_test(tc, imul_2_3);
    tcase_add_test(tc, shifts_rotates);
    tcase_add_test(tc, double_shifts);
    tcase_add_test(tc, bit_tests);
    tcase_add_test(tc, bit_scans_popcnt);
    tcase_add_test(tc, bcd_against_sdm);
    tcase_add_test(tc, bswap16_host_behaviour);
    tcase_add_test(tc, cpuid_model);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_helpers_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
