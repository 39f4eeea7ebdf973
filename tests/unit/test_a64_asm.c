/*
 * Unit tests of the A64 encoder of the AArch64 backend (cpu/host/aarch64/
 * a64_asm.c). Built on every host: encoding is plain C, and capstone
 * disassembles A64 anywhere.
 *  - logical (bitmask) immediates: every value a64_logic_imm accepts must
 *    decode back to itself through DecodeBitMasks (Arm ARM DDI 0487,
 *    J1.1.3 "aarch64/instrs/integer/bitmasks"), and every value that
 *    DecodeBitMasks can produce must be accepted;
 *  - MOVZ/MOVN/MOVK/ORR sequences of a64_movi load exactly the value
 *    (checked by simulating those four instructions);
 *  - selected instructions disassemble as intended (capstone).
 */
#include <capstone/capstone.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/host/aarch64/a64_asm.h"

/* DecodeBitMasks(N, imms, immr) for datasize 64 or 32 (wmask only). */
static uint64_t decode_bitmask(uint32_t enc, bool w)
{
    unsigned n = (enc >> 12) & 1, immr = (enc >> 6) & 63, imms = enc & 63;
    unsigned x = (n << 6) | (~imms & 63);
    int len = 31 - __builtin_clz(x);          /* HighestSetBit */
    unsigned esize = 1u << len, levels = esize - 1;
    unsigned s = imms & levels, r = immr & levels;
    uint64_t emask = esize == 64 ? ~0ull : (1ull << esize) - 1;
    uint64_t welem = s + 1 == 64 ? ~0ull : (1ull << (s + 1)) - 1;
    uint64_t rot = r ? ((welem >> r) | (welem << (esize - r))) & emask : welem;
    uint64_t v = 0;
    for (unsigned i = 0; i < 64; i += esize) {
        v |= rot << i;
    }
    return w ? v : v & 0xffffffffu;
}

static bool encodable(uint32_t enc, bool w)
{
    unsigned n = (enc >> 12) & 1, imms = enc & 63;
    unsigned x = (n << 6) | (~imms & 63);
    if (x == 0 || (!w && n)) {
        return false;
    }
    int len = 31 - __builtin_clz(x);
    if (len < 1) {
        return false;
    }
    unsigned levels = (1u << len) - 1;
    return (imms & levels) != levels;      /* all-ones element is reserved */
}

START_TEST(test_logic_imm_round_trip)
{
    int accepted = 0;
    for (int wi = 0; wi < 2; wi++) {
        bool w = wi;
        for (uint32_t enc = 0; enc < (1u << 13); enc++) {
            if (!encodable(enc, w)) {
                continue;
            }
            uint64_t v = decode_bitmask(enc, w);
            uint32_t got;
            ck_assert_msg(a64_logic_imm(v, w, &got), "rejected %#llx (w=%d)", (unsigned long long)v, w);
            ck_assert_uint_eq(decode_bitmask(got, w), v);
            accepted++;
        }
        /* values that are not bitmasks */
        uint32_t e;
        ck_assert(!a64_logic_imm(0, w, &e));
        ck_assert(!a64_logic_imm(w ? ~0ull : 0xffffffffu, w, &e));
        ck_assert(!a64_logic_imm(5, w, &e));               /* 101: two runs */
        ck_assert(!a64_logic_imm(0x12345678, w, &e));
    }
    ck_assert_int_gt(accepted, 5000);
}
END_TEST

/* Simulate the move-wide and ORR-immediate words a64_movi emits. */
static uint64_t run_movi(const uint8_t *code, size_t len)
{
    uint64_t x = 0xdeadbeefdeadbeefull;
    for (size_t p = 0; p < len; p += 4) {
        uint32_t i;
        memcpy(&i, code + p, 4);
        bool w = i >> 31;
        unsigned hw = (i >> 21) & 3;
        uint64_t imm = (uint64_t)((i >> 5) & 0xffff) << (16 * hw);
        switch (i & 0x7f800000) {
        case 0x12800000: x = ~imm; break;                                    /* MOVN */
        case 0x52800000: x = imm; break;                                     /* MOVZ */
        case 0x72800000: x = (x & ~(0xffffull << (16 * hw))) | imm; break;   /* MOVK */
        case 0x32000000: x = decode_bitmask((i >> 10) & 0x1fff, w); break;  /* ORR xzr */
        default: ck_abort_msg("unexpected insn %08x", i);
        }
        if (!w) {
            x &= 0xffffffffu;
        }
    }
    return x;
}

START_TEST(test_movi)
{
    static const uint64_t vals[] = { 0, 1, 0xffff, 0x10000, 0xffffffff, 0x100000000ull, ~0ull, ~1ull,
                                     0x8000000000000000ull, 0x5555555555555555ull, 0x00ff00ff00ff00ffull,
                                     0x123456789abcdef0ull, 0xffff1234ffffffffull, 0xfffffffffffff000ull };
    uint8_t buf[64];
    uint64_t s = 88172645463325252ull;
    for (int k = 0; k < 20000; k++) {
        uint64_t v = k < (int)(sizeof(vals) / sizeof(vals[0])) ? vals[k] : (s ^= s << 13, s ^= s >> 7, s ^= s << 17);
        if (k % 3 == 1) {
            v &= 0xffff0000ffffull;
        } else if (k % 3 == 2) {
            v |= 0xffffffff0000ffffull;
        }
        for (int wi = 0; wi < 2; wi++) {
            A64Asm a;
            a64_asm_init(&a, buf, buf, sizeof(buf));
            a64_movi(&a, wi, 3, v);
            ck_assert(!a.overflow);
            ck_assert_uint_le(a.pos, wi ? 16 : 8);
            ck_assert_uint_eq(run_movi(buf, a.pos), wi ? v : v & 0xffffffffu);
        }
    }
}
END_TEST

START_TEST(test_disassembly)
{
    uint8_t buf[256];
    A64Asm a;
    a64_asm_init(&a, buf, buf, sizeof(buf));
    a64_addsub_ri(&a, true, true, true, A64_ZR, 5, 12);             /* cmp x5, #0xc */
    a64_logic_rr(&a, A64_BIC, false, 1, 2, 3, A64_LSL, 0);         /* bic w1, w2, w3 */
    a64_bfm(&a, 2, true, 16, 7, 12, 19);                           /* ubfx x16, x7, #0xc, #8 */
    a64_load(&a, 2, true, true, 4, A64_SP, 8, 17);                 /* ldrsw x4, [sp, #8] */
    a64_store_rr(&a, 1, 9, 10, 16);                                /* strh w9, [x10, x16] */
    a64_csel(&a, 0, true, A64_LO, 0, 1, 2);                        /* csel x0, x1, x2, lo */
    a64_op2(&a, A64_RORV, false, 6, 7, 8);                         /* ror w6, w7, w8 */
    a64_stp(&a, A64_X29, A64_X30, A64_SP, -96, 1);                 /* stp x29, x30, [sp, #-0x60]! */
    ck_assert(!a.overflow);

    static const char *const want[] = {
        "cmp x5, #0xc", "bic w1, w2, w3", "ubfx x16, x7, #0xc, #8", "ldrsw x4, [sp, #8]",
        "strh w9, [x10, x16]", "csel x0, x1, x2, lo", "ror w6, w7, w8", "stp x29, x30, [sp, #-0x60]!",
    };
    csh h;
    ck_assert_int_eq(cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h), CS_ERR_OK);
    cs_insn *insn;
    size_t n = cs_disasm(h, buf, a.pos, 0, 0, &insn);
    ck_assert_uint_eq(n, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < n; i++) {
        char text[256];
        snprintf(text, sizeof(text), "%s %s", insn[i].mnemonic, insn[i].op_str);
        ck_assert_str_eq(text, want[i]);
    }
    cs_free(insn, n);
    cs_close(&h);
}
END_TEST

START_TEST(test_branches)
{
    uint8_t buf[64];
    A64Asm a;
    a64_asm_init(&a, buf, buf, sizeof(buf));
    size_t b = a64_b(&a);
    size_t bc = a64_bcond(&a, A64_NE);
    size_t cb = a64_cbz(&a, true, true, 3);
    a64_nop(&a);
    a64_bind(&a, b, 12);          /* forward 12 */
    a64_bind(&a, bc, 0);          /* back 4 */
    a64_bind(&a, cb, 12);         /* forward 4 */
    ck_assert_uint_eq(a64_read(&a, b), 0x14000003);
    ck_assert_uint_eq(a64_read(&a, bc), 0x54ffffe1);
    ck_assert_uint_eq(a64_read(&a, cb), 0xb5000023);
    /* B reaches +-128 MiB */
    ck_assert(a64_b_reaches(0x10000000, 0x10000000 + (128u << 20) - 4));
    ck_assert(!a64_b_reaches(0x10000000, 0x10000000 + (128u << 20)));
    ck_assert(a64_b_reaches(0x10000000, 0x10000000 - (128u << 20)));
    ck_assert_uint_eq(a64_b_insn(0x1000, 0x0ffc), 0x17ffffff);
    /* a full buffer sets overflow and never writes past the end */
    a64_asm_init(&a, buf, buf, 8);
    for (int i = 0; i < 4; i++) {
        a64_nop(&a);
    }
    ck_assert(a.overflow);
    ck_assert_uint_eq(a.pos, 8);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("a64_asm");
    TCase *tc = tcase_create("encoder");
    tcase_add_test(tc, test_logic_imm_round_trip);
    tcase_add_test(tc, test_movi);
    tcase_add_test(tc, test_disassembly);
    tcase_add_test(tc, test_branches);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
