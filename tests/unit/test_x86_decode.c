/*
 * x86 decoder against capstone (an independent decoder): for random byte
 * strings that both consider valid instructions, the lengths must agree,
 * except for the documented differences listed in known_difference().
 * Plus hand-checked forms from the Intel SDM Vol. 2 (ModRM/SIB tables,
 * REX rules, the 15-byte limit, LOCK validity).
 */
#include <capstone/capstone.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/x86_cpu.h"
#include "cpu/x86/x86_decode.h"

typedef struct Buf { uint8_t b[32]; } Buf;

static uint8_t fetch(void *opaque, uint64_t addr)
{
    Buf *buf = opaque;
    return addr < sizeof(buf->b) ? buf->b[addr] : 0x90;
}

static X86DecodeStatus dec(X86Insn *in, X86CodeMode mode, const char *hex)
{
    Buf buf;
    memset(&buf, 0x90, sizeof(buf));
    for (int i = 0; hex[2 * i] && i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        buf.b[i] = (uint8_t)v;
    }
    return x86_decode(in, mode, 0, fetch, &buf);
}

/* Where capstone and the Intel SDM (which doppel follows) disagree, or where
 * doppel decodes an encoding only to raise #UD:
 *  - VEX (C4/C5) and XOP (8F) prefixes: AVX/XOP are not advertised in CPUID,
 *    so these are #UD (or LES/LDS/POP with a register operand, also #UD);
 *  - 66-prefixed near CALL/JMP/Jcc in 64-bit mode: Intel ignores 66 there
 *    (rel32), AMD and capstone use rel16;
 *  - 0F B9 (UD1) has a ModRM byte per the SDM; capstone decodes it without. */
static bool known_difference(const X86Insn *in)
{
    if (in->map == 0 && (in->opcode == 0xc4 || in->opcode == 0xc5 || in->opcode == 0x8f))
        return true;
    if (in->mode == X86_MODE64 && in->opsize_prefix &&
        ((in->map == 0 && (in->opcode == 0xe8 || in->opcode == 0xe9)) ||
         (in->map == 1 && (in->opcode & 0xf0) == 0x80)))
        return true;
    return in->map == 1 && in->opcode == 0xb9;
}

START_TEST(lengths_match_capstone)
{
    static const cs_mode modes[3] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };
    csh h[3];
    for (int m = 0; m < 3; m++)
        ck_assert_int_eq(cs_open(CS_ARCH_X86, modes[m], &h[m]), CS_ERR_OK);
    unsigned seed = 12345;
    int compared = 0, mismatches = 0;
    Buf buf;
    for (int it = 0; it < 60000; it++) {
        X86CodeMode mode = (X86CodeMode)(it % 3);
        for (int i = 0; i < 32; i++)
            buf.b[i] = (uint8_t)(rand_r(&seed) >> 7);
        X86Insn in;
        if (x86_decode(&in, mode, 0, fetch, &buf) != X86_DECODE_OK)
            continue;
        cs_insn *ci;
        size_t n = cs_disasm(h[mode], buf.b, sizeof(buf.b), 0, 1, &ci);
        if (n == 0)
            continue;
        if (!known_difference(&in)) {
            compared++;
            if (ci[0].size != in.len && mismatches++ < 10)
                fprintf(stderr, "mode %d: doppel %d bytes, capstone %d (%s %s) opcode %d:%02x\n",
                        mode, in.len, ci[0].size, ci[0].mnemonic, ci[0].op_str, in.map, in.opcode);
        }
        cs_free(ci, n);
    }
    for (int m = 0; m < 3; m++)
        cs_close(&h[m]);
    ck_assert_int_gt(compared, 40000);
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(modrm_sib_forms)
{
    X86Insn in;
    /* 8B 44 8D 10: mov eax, [rbp + rcx*4 + 0x10] (SIB, disp8; SS default) */
    ck_assert_int_eq(dec(&in, X86_MODE64, "8b448d10"), X86_DECODE_OK);
    ck_assert_int_eq(in.len, 4);
    ck_assert_int_eq(in.base, R_EBP);
    ck_assert_int_eq(in.index, R_ECX);
    ck_assert_int_eq(in.scale, 2);
    ck_assert_int_eq(in.disp, 0x10);
    ck_assert_int_eq(in.default_seg, R_SS);
    /* 8B 05 disp32 in 64-bit mode is RIP-relative; in 32-bit mode absolute. */
    ck_assert_int_eq(dec(&in, X86_MODE64, "8b05f0ffffff"), X86_DECODE_OK);
    ck_assert(in.rip_relative);
    ck_assert_int_eq(in.disp, -16);
    ck_assert_int_eq(dec(&in, X86_MODE32, "8b05f0ffffff"), X86_DECODE_OK);
    ck_assert(!in.rip_relative);
    ck_assert_int_eq(in.base, -1);
    /* SIB with index 100b and REX.X: r12 is a valid index. */
    ck_assert_int_eq(dec(&in, X86_MODE64, "428b0424"), X86_DECODE_OK);
    ck_assert_int_eq(in.index, R_R12);
    ck_assert_int_eq(in.base, R_ESP);
    /* 16-bit: 8B 46 FE = mov ax, [bp-2]: base BP, SS default */
    ck_assert_int_eq(dec(&in, X86_MODE16, "8b46fe"), X86_DECODE_OK);
    ck_assert_int_eq(in.opsize, 2);
    ck_assert_int_eq(in.base, R_EBP);
    ck_assert_int_eq(in.disp, -2);
    ck_assert_int_eq(in.default_seg, R_SS);
    /* 16-bit mod 0 rm 6 = disp16 only */
    ck_assert_int_eq(dec(&in, X86_MODE16, "8b063412"), X86_DECODE_OK);
    ck_assert_int_eq(in.base, -1);
    ck_assert_int_eq(in.disp, 0x1234);
}
END_TEST

START_TEST(prefix_rules)
{
    X86Insn in;
    /* REX.W B8 imm64 */
    ck_assert_int_eq(dec(&in, X86_MODE64, "48b88877665544332211"), X86_DECODE_OK);
    ck_assert_int_eq(in.len, 10);
    ck_assert_int_eq(in.opsize, 8);
    ck_assert_int_eq((uint64_t)in.imm, 0x1122334455667788ull);
    /* REX followed by a legacy prefix is ignored: 48 66 B8 iw -> 16-bit mov */
    ck_assert_int_eq(dec(&in, X86_MODE64, "4866b83412"), X86_DECODE_OK);
    ck_assert_int_eq(in.rex, 0);
    ck_assert_int_eq(in.opsize, 2);
    ck_assert_int_eq(in.len, 5);
    /* PUSH r64 defaults to 64-bit; 66 makes it 16-bit */
    ck_assert_int_eq(dec(&in, X86_MODE64, "50"), X86_DECODE_OK);
    ck_assert_int_eq(in.opsize, 8);
    ck_assert_int_eq(dec(&in, X86_MODE64, "6650"), X86_DECODE_OK);
    ck_assert_int_eq(in.opsize, 2);
    /* 41 50 = push r8 */
    ck_assert_int_eq(dec(&in, X86_MODE64, "4150"), X86_DECODE_OK);
    ck_assert_int_eq(in.rm, R_R8);
    /* Invalid in 64-bit mode: PUSH ES, AAA, INC r32 is REX there */
    ck_assert_int_eq(dec(&in, X86_MODE64, "06"), X86_DECODE_UD);
    ck_assert_int_eq(dec(&in, X86_MODE64, "37"), X86_DECODE_UD);
    ck_assert_int_eq(dec(&in, X86_MODE32, "37"), X86_DECODE_OK);
    /* LOCK: only lockable opcodes with a memory destination */
    ck_assert_int_eq(dec(&in, X86_MODE64, "f00118"), X86_DECODE_OK);   /* lock add [rax], ebx */
    ck_assert_int_eq(dec(&in, X86_MODE64, "f001d8"), X86_DECODE_UD);   /* lock add eax, ebx */
    ck_assert_int_eq(dec(&in, X86_MODE64, "f08b00"), X86_DECODE_UD);   /* lock mov */
    /* 15-byte limit: 14 prefixes + opcode is fine, 15 prefixes + opcode is not */
    ck_assert_int_eq(dec(&in, X86_MODE32, "6666666666666666666666666666" "90"), X86_DECODE_OK);
    ck_assert_int_eq(dec(&in, X86_MODE32, "666666666666666666666666666666" "90"), X86_DECODE_TOO_LONG);
    /* Segment override and REP bookkeeping: last REP wins */
    ck_assert_int_eq(dec(&in, X86_MODE32, "64f2f3a4"), X86_DECODE_OK);
    ck_assert_int_eq(in.seg, R_FS);
    ck_assert_int_eq(in.rep, 0xf3);
    /* F6 /0 has an imm8, F6 /2 (NOT) has none; F7 /0 imm32 */
    ck_assert_int_eq(dec(&in, X86_MODE32, "f6c07f"), X86_DECODE_OK);
    ck_assert_int_eq(in.len, 3);
    ck_assert_int_eq(dec(&in, X86_MODE32, "f6d0"), X86_DECODE_OK);
    ck_assert_int_eq(in.len, 2);
    ck_assert_int_eq(dec(&in, X86_MODE32, "f7c078563412"), X86_DECODE_OK);
    ck_assert_int_eq(in.imm, 0x12345678);
    /* FF /2 (call near) is 64-bit in long mode even without REX.W */
    ck_assert_int_eq(dec(&in, X86_MODE64, "ffd0"), X86_DECODE_OK);
    ck_assert_int_eq(in.opsize, 8);
    /* MOV CR: mod is ignored, always registers */
    ck_assert_int_eq(dec(&in, X86_MODE32, "0f2000"), X86_DECODE_OK);
    ck_assert_int_eq(in.mod, 3);
    ck_assert_int_eq(in.len, 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("x86_decode");
    TCase *tc = tcase_create("decode");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, lengths_match_capstone);
    tcase_add_test(tc, modrm_sib_forms);
    tcase_add_test(tc, prefix_rules);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
