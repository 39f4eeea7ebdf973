/*
 * Segment limit and type checks (Intel SDM Vol. 3A 5.3, 5.4; real mode:
 * Vol. 3A 20.1 and the "Real-Address Mode Exceptions" of each instruction:
 * #GP(0) outside the CS/DS/ES limit, #SS(0) outside the SS limit), the CS
 * limit on instruction fetch, BOUND (#BR) and the single-step trap (Vol. 3A
 * 17.3.1.4), run through the engine on every backend of this host.
 */
#include "tests/unit/x86_rig.h"

#include "cpu/x86/x86_util.h"

/* Real-mode exception handler at CS:0x40: pop the pushed IP into DI,
 * BL = vector (patched in), halt. */
static void rm_handler(Rig *r, int vector, uint16_t off)
{
    const uint8_t h[] = { 0x5f, 0xb3, (uint8_t)vector, 0xf4 };   /* pop di; mov bl, vec; hlt */
    rig_load(r, CODE + off, h, sizeof(h));
    set_ivt(r, vector, 0x0100, off);
}

static void rm_handlers(Rig *r)
{
    rm_handler(r, X86_EXCP_BR, 0x40);
    rm_handler(r, X86_EXCP_SS, 0x48);
    rm_handler(r, X86_EXCP_GP, 0x50);
}

/* A byte at DS:FFFF is fine; a word there is #GP(0) before anything is
 * written; the handler sees the faulting IP. */
static const uint8_t prog_word_ffff[] = {
    0xb8, 0x34, 0x12,           /* 00 mov ax, 0x1234 */
    0xa0, 0xff, 0xff,           /* 03 mov al, [0xffff] */
    0x8b, 0x0e, 0xff, 0xff,     /* 06 mov cx, [0xffff]: #GP */
    0xf4,
};

START_TEST(real_word_at_ffff_gp)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_word_ffff, sizeof(prog_word_ffff));
    rm_handlers(&r);
    r.ram[0xffff] = 0x77;
    rig_run(&r);
    ck_assert_uint_eq(R(R_EAX) & 0xffff, 0x1277);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_GP);
    ck_assert_uint_eq(R(R_EDI) & 0xffff, 0x0006);
    ck_assert_uint_eq(R(R_ECX) & 0xffff, 0);
    rig_free(&r);
}
END_TEST

/* SS-relative overruns are #SS(0): a BP-based word at FFFF, and POP with
 * SP = FFFF (SP is left as it was). */
static const uint8_t prog_ss_fault[] = {
    0xbd, 0xff, 0xff,           /* 00 mov bp, 0xffff */
    0x8b, 0x46, 0x00,           /* 03 mov ax, [bp+0]: #SS */
    0xf4,
};
static const uint8_t prog_pop_ffff[] = {
    0xbc, 0xff, 0xff,           /* 00 mov sp, 0xffff */
    0x58,                       /* 03 pop ax: #SS */
    0xf4,
};

START_TEST(real_ss_overrun)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_ss_fault, sizeof(prog_ss_fault));
    rm_handlers(&r);
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_SS);
    ck_assert_uint_eq(R(R_EDI) & 0xffff, 0x0003);
    rig_free(&r);

    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_pop_ffff, sizeof(prog_pop_ffff));
    rm_handlers(&r);
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_SS);
    ck_assert_uint_eq(R(R_EDI) & 0xffff, 0x0003);
    ck_assert_uint_eq(R(R_ESP) & 0xffff, 0xfffb);   /* frame at FFFD..FFF9, DI popped */
    rig_free(&r);
}
END_TEST

/* PUSH with SP = 1 writes a word at SS:FFFF: #SS, whose frame cannot be
 * pushed either: shutdown (SDM Vol. 2 PUSH, IA-32 compatibility note). */
static const uint8_t prog_push_sp1[] = {
    0xbc, 0x01, 0x00,           /* 00 mov sp, 1 */
    0x50,                       /* 03 push ax */
    0xf4,
};

START_TEST(real_push_sp1_shuts_down)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_push_sp1, sizeof(prog_push_sp1));
    rm_handlers(&r);
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX) & 0xff, 0);          /* no handler ran */
    ck_assert_uint_eq(R(R_ESP) & 0xffff, 1);
    rig_free(&r);
}
END_TEST

/* LES with the pointer at FFFE: the offset fits, the selector at 10000h
 * does not: #GP and neither ES nor the register changes. */
static const uint8_t prog_les_cross[] = {
    0xbb, 0xfe, 0xff,           /* 00 mov bx, 0xfffe */
    0xc4, 0x37,                 /* 03 les si, [bx]: #GP */
    0xf4,
};

START_TEST(real_far_pointer_crossing_limit)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_les_cross, sizeof(prog_les_cross));
    rm_handlers(&r);
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_GP);
    ck_assert_uint_eq(R(R_EDI) & 0xffff, 0x0003);
    ck_assert_uint_eq(R(R_ESI), 0);
    ck_assert_uint_eq(r.env->segs[R_ES].selector, 0);
    rig_free(&r);
}
END_TEST

/* An instruction running past the CS limit (IP FFFE, 3 bytes) is #GP(0)
 * with IP pointing at it. */
START_TEST(real_fetch_past_cs_limit)
{
    Rig r;
    rig_init(&r, _i, M16);
    const uint8_t insn[] = { 0xb8, 0x34, 0x12, 0xf4 };     /* mov ax, 0x1234 */
    rig_load(&r, CODE + 0xfffe, insn, sizeof(insn));
    rm_handlers(&r);
    r.env->rip = 0xfffe;
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_GP);
    ck_assert_uint_eq(R(R_EDI) & 0xffff, 0xfffe);
    ck_assert_uint_eq(R(R_EAX), 0);
    rig_free(&r);
}
END_TEST

/* BOUND: signed bounds; in range nothing happens, out of range #BR with
 * the BOUND's own IP (a fault). */
static const uint8_t prog_bound[] = {
    0xbb, 0x00, 0x05,           /* 00 mov bx, 0x500 */
    0xb8, 0x05, 0x00,           /* 03 mov ax, 5 */
    0x62, 0x07,                 /* 06 bound ax, [bx]       1..10: ok */
    0xb8, 0xfe, 0xff,           /* 08 mov ax, -2 */
    0x62, 0x47, 0x04,           /* 0b bound ax, [bx+4]     -5..-1: ok */
    0xb8, 0x0b, 0x00,           /* 0e mov ax, 11 */
    0x62, 0x07,                 /* 11 bound ax, [bx]: #BR */
    0xf4,
};

START_TEST(real_bound)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_bound, sizeof(prog_bound));
    rm_handlers(&r);
    wr(&r, 0x500, 1, 2);
    wr(&r, 0x502, 10, 2);
    wr(&r, 0x504, 0xfffb, 2);
    wr(&r, 0x506, 0xffff, 2);
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_BR);
    ck_assert_uint_eq(R(R_EDI) & 0xffff, 0x0011);
    ck_assert_uint_eq(R(R_EAX) & 0xffff, 11);
    rig_free(&r);
}
END_TEST

/* Single step (SDM Vol. 3A 17.3.1.4): no trap after the POPF that sets
 * TF, one after every instruction while TF is set (the POPF clearing it
 * included), none right after MOV SS (its shadow delays the trap past the
 * next instruction), one per REP iteration. The INT 1 handler counts in
 * [0x600] and returns with IRET, which restores TF. */
static const uint8_t prog_tf[] = {
    0x9c,                       /* 00 pushf */
    0x58,                       /* 01 pop ax */
    0x89, 0xc3,                 /* 02 mov bx, ax */
    0x80, 0xcc, 0x01,           /* 04 or ah, 1 */
    0x53,                       /* 07 push bx */
    0x50,                       /* 08 push ax */
    0x9d,                       /* 09 popf: TF = 1 (no trap) */
    0x90,                       /* 0a nop: trap 1 */
    0x8c, 0xd1,                 /* 0b mov cx, ss: trap 2 */
    0x8e, 0xd1,                 /* 0d mov ss, cx: shadow */
    0x90,                       /* 0f nop: trap 3 */
    0xb9, 0x03, 0x00,           /* 10 mov cx, 3: trap 4 */
    0xbf, 0x00, 0x07,           /* 13 mov di, 0x700: trap 5 */
    0xf3, 0xaa,                 /* 16 rep stosb: traps 6, 7, 8 */
    0x9d,                       /* 18 popf: TF = 0, trap 9 */
    0x90,                       /* 19 nop */
    0xf4,                       /* 1a hlt */
};

START_TEST(real_single_step)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_tf, sizeof(prog_tf));
    const uint8_t handler[] = { 0xff, 0x06, 0x00, 0x06, 0xcf };   /* inc word [0x600]; iret */
    rig_load(&r, CODE + 0x60, handler, sizeof(handler));
    set_ivt(&r, X86_EXCP_DB, 0x0100, 0x60);
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, 0x600, 2), 9);
    ck_assert_uint_eq(R(R_ECX) & 0xffff, 0);
    ck_assert_uint_eq(R(R_EDI) & 0xffff, 0x703);
    ck_assert_uint_eq(x86_get_eflags(r.env) & X86_TF, 0);
    ck_assert(r.env->dr[6] & (1u << 14));                       /* DR6.BS */
    rig_free(&r);
}
END_TEST

/* ---- protected mode ---- */

/* Flat GDT (null, code 08, data 10) at 0x500 and an IDT at 0x600 whose
 * #SS and #GP gates lead to handlers that pop the error code into EAX and
 * the EIP into ESI, put the vector in BL and halt. */
static void pm_tables(Rig *r)
{
    wr(r, 0x508, 0x00cf9b000000ffffull, 8);
    wr(r, 0x510, 0x00cf93000000ffffull, 8);
    r->env->gdt.base = 0x500;
    r->env->gdt.limit = 0x17;
    static const int vecs[2] = { X86_EXCP_SS, X86_EXCP_GP };
    for (int i = 0; i < 2; i++) {
        uint32_t h = 0x2000 + 0x10 * (uint32_t)i;
        const uint8_t code[] = { 0x58, 0x5e, 0xb3, (uint8_t)vecs[i], 0xf4 };  /* pop eax; pop esi; mov bl, v; hlt */
        rig_load(r, h, code, sizeof(code));
        uint64_t gate = (h & 0xffff) | (0x08ull << 16) | (0x8eull << 40) | ((uint64_t)(h >> 16) << 48);
        wr(r, 0x600 + 8 * (uint64_t)vecs[i], gate, 8);
    }
    r->env->idt.base = 0x600;
    r->env->idt.limit = 0xff;
}

static void pm_run(Rig *r, const uint8_t *prog, size_t len)
{
    rig_load(r, CODE, prog, len);
    x86_update_hflags(r->env);
    rig_run(r);
}

/* Flat 32-bit and 64-bit code get no checks at all (the cost model). */
START_TEST(flat_modes_unchecked)
{
    Rig r;
    rig_init(&r, _i, M32);
    ck_assert_uint_eq(r.env->hflags & (HF_SEGCHK_MASK | HF_SEGCHK_SLOW), 0);
    rig_free(&r);
    rig_init(&r, _i, M64);
    r.env->segs[R_DS].limit = 0xfff;
    x86_update_hflags(r.env);
    ck_assert_uint_eq(r.env->hflags & (HF_SEGCHK_MASK | HF_SEGCHK_SLOW), 0);
    rig_free(&r);
    rig_init(&r, _i, M16);
    ck_assert_uint_eq(r.env->hflags & HF_SEGCHK_MASK, HF_SEGCHK_MASK);  /* real mode: 64 KiB limits */
    ck_assert_uint_eq(r.env->hflags & HF_SEGCHK_SLOW, 0);
    rig_free(&r);
}
END_TEST

/* DS limit 0xfff: the last byte is fine, a dword at 0xffe is #GP(0). */
static const uint8_t prog_pm_limit[] = {
    0xa0, 0xff, 0x0f, 0x00, 0x00,           /* 00 mov al, [0xfff] */
    0xa1, 0xfe, 0x0f, 0x00, 0x00,           /* 05 mov eax, [0xffe]: #GP(0) */
    0xf4,
};

START_TEST(pm_limit_inline)
{
    Rig r;
    rig_init(&r, _i, M32);
    pm_tables(&r);
    r.env->segs[R_DS].limit = 0xfff;
    pm_run(&r, prog_pm_limit, sizeof(prog_pm_limit));
    ck_assert_uint_eq(r.env->hflags & HF_SEGCHK_SLOW, 0);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_GP);
    ck_assert_uint_eq(R(R_ESI), CODE + 5);
    ck_assert_uint_eq(R(R_EAX), 0);                     /* error code 0 */
    rig_free(&r);
}
END_TEST

/* Expand-down DS (type 7, B = 1, limit 0xfff): valid offsets are
 * 0x1000..0xffffffff, so [0x3000] reads and a dword at 0xffe faults. A
 * read-only ES (type 1) reads but refuses a write. A null FS refuses
 * everything. A write through CS is #GP. (SDM Vol. 3A 5.3, 5.4, 5.4.1) */
static const uint8_t prog_pm_expdown[] = {
    0x8b, 0x0d, 0x00, 0x30, 0x00, 0x00,     /* 00 mov ecx, [0x3000] */
    0xa1, 0xfe, 0x0f, 0x00, 0x00,           /* 06 mov eax, [0xffe]: #GP */
    0xf4,
};
static const uint8_t prog_pm_readonly[] = {
    0x26, 0x8b, 0x0d, 0x00, 0x30, 0x00, 0x00,   /* 00 mov ecx, es:[0x3000] */
    0x26, 0x89, 0x0d, 0x00, 0x30, 0x00, 0x00,   /* 07 mov es:[0x3000], ecx: #GP */
    0xf4,
};
static const uint8_t prog_pm_null[] = {
    0x64, 0x8b, 0x0d, 0x00, 0x30, 0x00, 0x00,   /* 00 mov ecx, fs:[0x3000]: #GP */
    0xf4,
};
static const uint8_t prog_pm_cs_write[] = {
    0x2e, 0x8b, 0x0d, 0x00, 0x30, 0x00, 0x00,   /* 00 mov ecx, cs:[0x3000] */
    0x2e, 0x89, 0x0d, 0x00, 0x30, 0x00, 0x00,   /* 07 mov cs:[0x3000], ecx: #GP */
    0xf4,
};

START_TEST(pm_types_and_expand_down)
{
    Rig r;
    rig_init(&r, _i, M32);
    pm_tables(&r);
    wr(&r, 0x3000, 0x11223344, 4);
    r.env->segs[R_DS].attr = (r.env->segs[R_DS].attr & ~(uint32_t)SEG_ATTR_TYPE_MASK) | (0x7u << 8);
    r.env->segs[R_DS].limit = 0xfff;
    pm_run(&r, prog_pm_expdown, sizeof(prog_pm_expdown));
    ck_assert(r.env->hflags & HF_SEGCHK_SLOW);
    ck_assert_uint_eq(R(R_ECX), 0x11223344);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_GP);
    ck_assert_uint_eq(R(R_ESI), CODE + 6);
    rig_free(&r);

    rig_init(&r, _i, M32);
    pm_tables(&r);
    wr(&r, 0x3000, 0x55667788, 4);
    r.env->segs[R_ES].attr = (r.env->segs[R_ES].attr & ~(uint32_t)SEG_ATTR_TYPE_MASK) | (0x1u << 8);
    pm_run(&r, prog_pm_readonly, sizeof(prog_pm_readonly));
    ck_assert_uint_eq(R(R_ECX), 0x55667788);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_GP);
    ck_assert_uint_eq(R(R_ESI), CODE + 7);
    rig_free(&r);

    rig_init(&r, _i, M32);
    pm_tables(&r);
    r.env->segs[R_FS].attr = 0;
    r.env->segs[R_FS].selector = 0;
    pm_run(&r, prog_pm_null, sizeof(prog_pm_null));
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_GP);
    ck_assert_uint_eq(R(R_ESI), CODE);
    rig_free(&r);

    rig_init(&r, _i, M32);
    pm_tables(&r);
    wr(&r, 0x3000, 0x99aabbcc, 4);
    pm_run(&r, prog_pm_cs_write, sizeof(prog_pm_cs_write));
    ck_assert_uint_eq(R(R_ECX), 0x99aabbcc);
    ck_assert_uint_eq(R(R_EBX) & 0xff, X86_EXCP_GP);
    ck_assert_uint_eq(R(R_ESI), CODE + 7);
    ck_assert_uint_eq(rd(&r, 0x3000, 4), 0x99aabbcc);
    rig_free(&r);
}
END_TEST

/* The C-side check the helpers use, on edge cases (SDM Vol. 3A 5.3). */
START_TEST(c_side_check)
{
    Rig r;
    rig_init(&r, _i, M16);
    X86Cpu *env = r.env;
    ck_assert_int_eq(x86_seg_check(env, R_DS, 0xffff, 1, false), -1);
    ck_assert_int_eq(x86_seg_check(env, R_DS, 0xffff, 2, false), X86_EXCP_GP);
    ck_assert_int_eq(x86_seg_check(env, R_SS, 0xfffe, 2, true), -1);
    ck_assert_int_eq(x86_seg_check(env, R_SS, 0xffff, 2, true), X86_EXCP_SS);
    /* 16-bit expand-down (B = 0): offsets limit+1 .. FFFF */
    env->segs[R_ES].attr = (env->segs[R_ES].attr & ~(uint32_t)(SEG_ATTR_TYPE_MASK | SEG_ATTR_DB)) | (0x7u << 8);
    env->segs[R_ES].limit = 0x0fff;
    ck_assert_int_eq(x86_seg_check(env, R_ES, 0x0fff, 1, true), X86_EXCP_GP);
    ck_assert_int_eq(x86_seg_check(env, R_ES, 0x1000, 2, true), -1);
    ck_assert_int_eq(x86_seg_check(env, R_ES, 0xfffe, 2, true), -1);
    ck_assert_int_eq(x86_seg_check(env, R_ES, 0xffff, 2, true), X86_EXCP_GP);
    rig_free(&r);
}
END_TEST

static Suite *x86_seglimit_suite(void)
{
    Suite *s = suite_create("x86_seglimit");
    TCase *tc = tcase_create("core");
    int nb = nbackends();
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, real_word_at_ffff_gp, 0, nb);
    tcase_add_loop_test(tc, real_ss_overrun, 0, nb);
    tcase_add_loop_test(tc, real_push_sp1_shuts_down, 0, nb);
    tcase_add_loop_test(tc, real_far_pointer_crossing_limit, 0, nb);
    tcase_add_loop_test(tc, real_fetch_past_cs_limit, 0, nb);
    tcase_add_loop_test(tc, real_bound, 0, nb);
    tcase_add_loop_test(tc, real_single_step, 0, nb);
    tcase_add_loop_test(tc, flat_modes_unchecked, 0, nb);
    tcase_add_loop_test(tc, pm_limit_inline, 0, nb);
    tcase_add_loop_test(tc, pm_types_and_expand_down, 0, nb);
    tcase_add_loop_test(tc, c_side_check, 0, nb);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_seglimit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
