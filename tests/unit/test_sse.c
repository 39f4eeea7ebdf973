/*
 * Translator-level tests of MMX/SSE (cpu/x86/sse_gen*.c and helpers):
 * small real-mode programs (GNU as .code16 source in the comments) run
 * through the engine on every backend of this host, with CR4.OSFXSR set.
 * Expected values follow the Intel SDM Vol. 2 instruction pages; the
 * exception cases follow Vol. 1 11.5 and 11.6 and Vol. 3A 6.15
 * (#GP for misaligned 16-byte operands, #NM with CR0.TS, #UD without
 * CR4.OSFXSR, #XM vs #UD for unmasked SIMD FP exceptions, #GP for a
 * reserved MXCSR bit), FXSAVE layout Vol. 1 Table 10-2, and the MMX
 * state transition Vol. 1 9.5.1.
 */
#include "tests/unit/x86_rig.h"

enum { CR4_OSFXSR = 1u << 9, CR4_OSXMMEXCPT = 1u << 10 };

/* Exception handlers at 0200:0000: each writes its vector to port 0x80
 * and halts. #UD at +0, #NM at +5, #GP at +10, #XM at +15. */
static const uint8_t handlers[] = {
    0xb0, 0x06, 0xe6, 0x80, 0xf4, 0xb0, 0x07, 0xe6, 0x80, 0xf4,
    0xb0, 0x0d, 0xe6, 0x80, 0xf4, 0xb0, 0x13, 0xe6, 0x80, 0xf4,
};

static void setup(Rig *r, int backend, const uint8_t *code, size_t len, uint64_t cr4)
{
    rig_init(r, backend, M16);
    rig_load(r, CODE, code, len);
    rig_load(r, 0x2000, handlers, sizeof(handlers));
    set_ivt(r, X86_EXCP_UD, 0x200, 0);
    set_ivt(r, X86_EXCP_NM, 0x200, 5);
    set_ivt(r, X86_EXCP_GP, 0x200, 10);
    set_ivt(r, X86_EXCP_XM, 0x200, 15);
    r->env->cr[4] = cr4;
    x86_update_hflags(r->env);
}

/* The vector the handlers reported, or -1. */
static int reported(const Rig *r)
{
    return r->nwrites ? (int)r->writes[0].val : -1;
}

/*
    movaps 0x3000, %xmm0
    movups 0x3011, %xmm1
    paddd %xmm1, %xmm0
    movdqa %xmm0, 0x3100
    pxor %xmm2, %xmm2
    movq %xmm0, %xmm3
    mov $7, %eax
    cvtsi2sd %eax, %xmm4
    addsd %xmm4, %xmm4
    movsd 0x3040, %xmm5
    comisd %xmm5, %xmm4
    setb %bl
    seta %bh
    pshufb %xmm2, %xmm0
    movd %xmm0, %ecx
    pextrd $2, %xmm1, %edx
    mov $0x11223344, %esi
    crc32l %esi, %edi
    stmxcsr 0x3200
    movsd %xmm4, 0x3208
    movhps %xmm1, 0x3210
    hlt
 */
static const uint8_t prog_mix[] = {
    0x0f, 0x28, 0x06, 0x00, 0x30, 0x0f, 0x10, 0x0e, 0x11, 0x30, 0x66, 0x0f, 0xfe, 0xc1, 0x66, 0x0f,
    0x7f, 0x06, 0x00, 0x31, 0x66, 0x0f, 0xef, 0xd2, 0xf3, 0x0f, 0x7e, 0xd8, 0x66, 0xb8, 0x07, 0x00,
    0x00, 0x00, 0xf2, 0x0f, 0x2a, 0xe0, 0xf2, 0x0f, 0x58, 0xe4, 0xf2, 0x0f, 0x10, 0x2e, 0x40, 0x30,
    0x66, 0x0f, 0x2f, 0xe5, 0x0f, 0x92, 0xc3, 0x0f, 0x97, 0xc7, 0x66, 0x0f, 0x38, 0x00, 0xc2, 0x66,
    0x0f, 0x7e, 0xc1, 0x66, 0x0f, 0x3a, 0x16, 0xca, 0x02, 0x66, 0xbe, 0x44, 0x33, 0x22, 0x11, 0x66,
    0xf2, 0x0f, 0x38, 0xf1, 0xfe, 0x0f, 0xae, 0x1e, 0x00, 0x32, 0xf2, 0x0f, 0x11, 0x26, 0x08, 0x32,
    0x0f, 0x17, 0x0e, 0x10, 0x32, 0xf4,
};

START_TEST(mix_of_moves_int_float)
{
    Rig r;
    setup(&r, _i, prog_mix, sizeof(prog_mix), CR4_OSFXSR);
    uint32_t a[4] = { 1, 0xffffffffu, 0x7fffffffu, 0x12345678u };
    uint32_t b[4] = { 2, 1, 1, 0x11111111u };
    for (int i = 0; i < 4; i++) {
        wr(&r, 0x3000 + 4 * (uint64_t)i, a[i], 4);
        wr(&r, 0x3011 + 4 * (uint64_t)i, b[i], 4);
    }
    wr(&r, 0x3040, 0x4034000000000000ull, 8);        /* 20.0 */
    rig_run(&r);
    ck_assert_int_eq(reported(&r), -1);
    /* PADDD wraps per dword */
    ck_assert_uint_eq(rd(&r, 0x3100, 4), 3);
    ck_assert_uint_eq(rd(&r, 0x3104, 4), 0);
    ck_assert_uint_eq(rd(&r, 0x3108, 4), 0x80000000u);
    ck_assert_uint_eq(rd(&r, 0x310c, 4), 0x23456789u);
    /* MOVQ xmm, xmm clears the high half */
    ck_assert_uint_eq(r.env->xmm[3].q[0], 0x0000000000000003ull);
    ck_assert_uint_eq(r.env->xmm[3].q[1], 0);
    /* 7.0 + 7.0 = 14.0 < 20.0: COMISD sets CF only */
    ck_assert_uint_eq(rd(&r, 0x3208, 8), 0x402c000000000000ull);
    ck_assert_uint_eq(R(R_EBX) & 0xffff, 0x0001);
    /* PSHUFB with an all-zero control broadcasts byte 0 */
    ck_assert_uint_eq(R(R_ECX) & 0xffffffffu, 0x03030303u);
    ck_assert_uint_eq(R(R_EDX) & 0xffffffffu, 1);
    /* CRC32C of 44 33 22 11 from 0 (SDM CRC32, polynomial 11EDC6F41h) */
    ck_assert_uint_eq(R(R_EDI) & 0xffffffffu, 0x11b7bf79u);
    ck_assert_uint_eq(rd(&r, 0x3200, 4), 0x1f80);    /* reset MXCSR (SDM Vol. 3A Table 9-1) */
    ck_assert_uint_eq(rd(&r, 0x3210, 8), (uint64_t)b[3] << 32 | b[2]);
    rig_free(&r);
}
END_TEST

/* movaps 0x3008, %xmm0 ; hlt  - misaligned 16-byte operand: #GP(0) */
static const uint8_t prog_misaligned[] = { 0x0f, 0x28, 0x06, 0x08, 0x30, 0xf4 };

START_TEST(misaligned_movaps_gp)
{
    Rig r;
    setup(&r, _i, prog_misaligned, sizeof(prog_misaligned), CR4_OSFXSR);
    r.env->xmm[0].q[0] = 0x1111;
    rig_run(&r);
    ck_assert_int_eq(reported(&r), X86_EXCP_GP);
    ck_assert_uint_eq(r.env->xmm[0].q[0], 0x1111);
    rig_free(&r);
}
END_TEST

/* ldmxcsr 0x3020 ; divss 0x3030, %xmm0 ; hlt */
static const uint8_t prog_divzero[] = {
    0x0f, 0xae, 0x16, 0x20, 0x30, 0xf3, 0x0f, 0x5e, 0x06, 0x30, 0x30, 0xf4,
};

START_TEST(unmasked_exception_xm_or_ud)
{
    for (int with_xm = 0; with_xm < 2; with_xm++) {
        Rig r;
        setup(&r, _i, prog_divzero, sizeof(prog_divzero), CR4_OSFXSR | (with_xm ? CR4_OSXMMEXCPT : 0));
        wr(&r, 0x3020, 0x1f80 & ~0x200u, 4);          /* ZM clear */
        wr(&r, 0x3030, 0, 4);                          /* 0.0 */
        r.env->xmm[0].l[0] = 0x3f800000u;              /* 1.0 */
        rig_run(&r);
        ck_assert_int_eq(reported(&r), with_xm ? X86_EXCP_XM : X86_EXCP_UD);
        ck_assert_uint_eq(r.env->xmm[0].l[0], 0x3f800000u);   /* destination unchanged */
        ck_assert_uint_eq(r.env->mxcsr, (0x1f80 & ~0x200u) | 0x4);   /* ZE recorded */
        rig_free(&r);
    }
    /* a reserved MXCSR bit: #GP(0), MXCSR unchanged */
    Rig r;
    setup(&r, _i, prog_divzero, sizeof(prog_divzero), CR4_OSFXSR);
    wr(&r, 0x3020, 0x10000, 4);
    rig_run(&r);
    ck_assert_int_eq(reported(&r), X86_EXCP_GP);
    ck_assert_uint_eq(r.env->mxcsr, 0x1f80);
    rig_free(&r);
}
END_TEST

/* addps %xmm1, %xmm0 ; hlt */
static const uint8_t prog_addps[] = { 0x0f, 0x58, 0xc1, 0xf4 };

START_TEST(availability_faults)
{
    Rig r;
    setup(&r, _i, prog_addps, sizeof(prog_addps), 0);         /* CR4.OSFXSR = 0 */
    rig_run(&r);
    ck_assert_int_eq(reported(&r), X86_EXCP_UD);
    rig_free(&r);

    setup(&r, _i, prog_addps, sizeof(prog_addps), CR4_OSFXSR);
    r.env->cr[0] |= X86_CR0_TS;
    x86_update_hflags(r.env);
    rig_run(&r);
    ck_assert_int_eq(reported(&r), X86_EXCP_NM);
    rig_free(&r);

    setup(&r, _i, prog_addps, sizeof(prog_addps), CR4_OSFXSR);
    r.env->cr[0] |= X86_CR0_EM;
    x86_update_hflags(r.env);
    rig_run(&r);
    ck_assert_int_eq(reported(&r), X86_EXCP_UD);
    rig_free(&r);

    setup(&r, _i, prog_addps, sizeof(prog_addps), CR4_OSFXSR);
    r.env->xmm[0].l[0] = 0x3f800000u;
    r.env->xmm[1].l[0] = 0x40000000u;
    rig_run(&r);
    ck_assert_int_eq(reported(&r), -1);
    ck_assert_uint_eq(r.env->xmm[0].l[0], 0x40400000u);       /* 1 + 2 = 3 */
    rig_free(&r);
}
END_TEST

/*
    fxsave 0x4000
    pxor %xmm7, %xmm7
    pcmpeqb %xmm1, %xmm1
    ldmxcsr 0x3020
    fxrstor 0x4000
    hlt
 */
static const uint8_t prog_fxsave[] = {
    0x0f, 0xae, 0x06, 0x00, 0x40, 0x66, 0x0f, 0xef, 0xff, 0x66, 0x0f, 0x74, 0xc9, 0x0f, 0xae,
    0x16, 0x20, 0x30, 0x0f, 0xae, 0x0e, 0x00, 0x40, 0xf4,
};

START_TEST(fxsave_fxrstor_roundtrip)
{
    Rig r;
    setup(&r, _i, prog_fxsave, sizeof(prog_fxsave), CR4_OSFXSR);
    X86Cpu *env = r.env;
    for (int i = 0; i < 8; i++) {
        env->xmm[i].q[0] = 0x0101010101010101ull * (uint64_t)(i + 1);
        env->xmm[i].q[1] = ~env->xmm[i].q[0];
    }
    env->mxcsr = 0x1f80 | 0x6000;         /* round toward zero */
    env->fpuc = 0x037f;
    env->fptop = 3;
    env->fptags = 0xffff & ~(3u << 6);      /* physical register 3 = ST0 valid */
    env->fpregs[3].mant = 0x8000000000000000ull;
    env->fpregs[3].sign_exp = 0x3fff;      /* 1.0 */
    wr(&r, 0x3020, 0x1f80, 4);
    rig_run(&r);
    ck_assert_int_eq(reported(&r), -1);
    ck_assert_uint_eq(rd(&r, 0x4000, 2), 0x037f);                   /* FCW */
    ck_assert_uint_eq(rd(&r, 0x4002, 2) >> 11 & 7, 3);              /* FSW.TOP */
    ck_assert_uint_eq(rd(&r, 0x4004, 1), 0x08);                     /* abridged FTW */
    ck_assert_uint_eq(rd(&r, 0x4018, 4), 0x7f80);                   /* MXCSR */
    ck_assert_uint_eq(rd(&r, 0x401c, 4), 0xffff);                   /* MXCSR_MASK */
    ck_assert_uint_eq(rd(&r, 0x4020, 8), 0x8000000000000000ull);    /* ST0 */
    ck_assert_uint_eq(rd(&r, 0x4028, 2), 0x3fff);
    ck_assert_uint_eq(rd(&r, 0x40a0 + 16 * 7, 8), 0x0808080808080808ull);
    /* restored: the XMM registers, MXCSR and the tags */
    ck_assert_uint_eq(env->xmm[7].q[0], 0x0808080808080808ull);
    ck_assert_uint_eq(env->xmm[1].q[1], ~0x0202020202020202ull);
    ck_assert_uint_eq(env->mxcsr, 0x7f80);
    ck_assert_uint_eq(env->fptags, 0xffff & ~(3u << 6));
    rig_free(&r);
}
END_TEST

/*
    movq 0x3000, %mm0
    paddb 0x3010, %mm0
    movq %mm0, 0x3100
    hlt
 */
static const uint8_t prog_mmx[] = {
    0x0f, 0x6f, 0x06, 0x00, 0x30, 0x0f, 0xfc, 0x06, 0x10, 0x30, 0x0f, 0x7f, 0x06, 0x00, 0x31, 0xf4,
};
/* emms ; hlt */
static const uint8_t prog_emms[] = { 0x0f, 0x77, 0xf4 };

START_TEST(mmx_and_x87_state)
{
    Rig r;
    setup(&r, _i, prog_mmx, sizeof(prog_mmx), 0);            /* MMX needs no OSFXSR */
    r.env->fptop = 5;
    r.env->fptags = 0xffff;
    wr(&r, 0x3000, 0x80ff7f0001020304ull, 8);
    wr(&r, 0x3010, 0x8001010101010101ull, 8);
    rig_run(&r);
    ck_assert_int_eq(reported(&r), -1);
    ck_assert_uint_eq(rd(&r, 0x3100, 8), 0x0000800102030405ull);   /* PADDB wraps per byte */
    ck_assert_uint_eq(r.env->fptop, 0);
    ck_assert_uint_eq(r.env->fptags, 0);
    ck_assert_uint_eq(r.env->fpregs[0].sign_exp, 0xffff);
    rig_free(&r);

    setup(&r, _i, prog_emms, sizeof(prog_emms), 0);
    r.env->fptags = 0;
    rig_run(&r);
    ck_assert_uint_eq(r.env->fptags, 0xffff);
    rig_free(&r);
}
END_TEST

static Suite *sse_suite(void)
{
    Suite *s = suite_create("sse");
    TCase *tc = tcase_create("translate");
    int nb = nbackends();
    tcase_add_loop_test(tc, mix_of_moves_int_float, 0, nb);
    tcase_add_loop_test(tc, misaligned_movaps_gp, 0, nb);
    tcase_add_loop_test(tc, unmasked_exception_xm_or_ud, 0, nb);
    tcase_add_loop_test(tc, availability_faults, 0, nb);
    tcase_add_loop_test(tc, fxsave_fxrstor_roundtrip, 0, nb);
    tcase_add_loop_test(tc, mmx_and_x87_state, 0, nb);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sse_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
