/*
 * Unit tests of the x86 translator core and basic integer instructions
 * (cpu/x86/x86_translate.c, x86_flags.c, x86_gen_*.c, x86_cpu.c): small
 * hand-assembled programs (bytes below, with their source in comments) run
 * through the engine on every backend of this host (Check loop index) in
 * real mode, 32-bit protected mode and 64-bit mode (rig: x86_rig.h). The
 * expected values are derived from the Intel SDM Vol. 2 instruction pages
 * ("Operation", "Flags Affected"), Vol. 1 3.4.3 (EFLAGS) and Vol. 3A 20.1.4
 * (real-mode interrupts).
 */
#include "tests/unit/x86_rig.h"
/*
   mov cx, 0x200
   mov ds, cx
   mov ax, 0x1234
   mov bh, ah
   mov bl, al
   add ah, al
   mov sp, 0
   push ax
   mov si, 0xffff
   mov byte [si+2], 0x5a
   hlt
 */
static const uint8_t prog_rm_bytes[] = {
    0xb9, 0x00, 0x02, 0x8e, 0xd9, 0xb8, 0x34, 0x12, 0x88, 0xe7, 0x88, 0xc3,
    0x00, 0xc4, 0xbc, 0x00, 0x00, 0x50, 0xbe, 0xff, 0xff, 0xc6, 0x44, 0x02,
    0x5a, 0xf4,
};

/*
   mov cx, 5
   xor ax, ax
   l: add ax, cx
   loop l
   call f
   jcxz done
   mov dx, 0xdead
   done: hlt
   f: mov bx, 0x77
   ret
 */
static const uint8_t prog_rm_callloop[] = {
    0xb9, 0x05, 0x00, 0x31, 0xc0, 0x01, 0xc8, 0xe2, 0xfc, 0xe8, 0x06, 0x00,
    0xe3, 0x03, 0xba, 0xad, 0xde, 0xf4, 0xbb, 0x77, 0x00, 0xc3,
};

/*
   sti
   mov ax, 0x1111
   stc
   int 0x21
   mov dx, sp
   hlt
   handler: mov cx, 0x5555
   pushf
   pop si
   clc
   iret
 */
static const uint8_t prog_rm_int[] = {
    0xfb, 0xb8, 0x11, 0x11, 0xf9, 0xcd, 0x21, 0x89, 0xe2, 0xf4, 0xb9, 0x55,
    0x55, 0x9c, 0x5e, 0xf8, 0xcf,
};

/*
   mov ax, 5
   mov bx, 7
   cmp ax, bx
   nop
   ud2
   hlt
   handler: pop di
   pushf
   pop dx
   hlt
 */
static const uint8_t prog_rm_ud[] = {
    0xb8, 0x05, 0x00, 0xbb, 0x07, 0x00, 0x39, 0xd8, 0x90, 0x0f, 0x0b, 0xf4,
    0x5f, 0x9c, 0x5a, 0xf4,
};

/*
   call 0x0200:0x0020
   jmp 0x0200:0x0010
 */
static const uint8_t prog_rm_far[] = {
    0x9a, 0x20, 0x00, 0x00, 0x02, 0xea, 0x10, 0x00, 0x00, 0x02,
};

/*
   mov ax, cs
   hlt
 */
static const uint8_t prog_rm_far_at_2010[] = {
    0x8c, 0xc8, 0xf4,
};

/*
   mov bx, 0x99
   retf
 */
static const uint8_t prog_rm_far_at_2020[] = {
    0xbb, 0x99, 0x00, 0xcb,
};

/*
   mov ax, 1
   mov cx, 2
   mov dx, 3
   mov bx, 4
   mov bp, 6
   mov si, 7
   mov di, 8
   pusha
   xor ax, ax
   xor cx, cx
   xor dx, dx
   xor bx, bx
   xor bp, bp
   xor si, si
   xor di, di
   popa
   hlt
 */
static const uint8_t prog_rm_pusha[] = {
    0xb8, 0x01, 0x00, 0xb9, 0x02, 0x00, 0xba, 0x03, 0x00, 0xbb, 0x04, 0x00,
    0xbd, 0x06, 0x00, 0xbe, 0x07, 0x00, 0xbf, 0x08, 0x00, 0x60, 0x31, 0xc0,
    0x31, 0xc9, 0x31, 0xd2, 0x31, 0xdb, 0x31, 0xed, 0x31, 0xf6, 0x31, 0xff,
    0x61, 0xf4,
};

/*
   mov ax, 0x300
   mov ss, ax
   mov ax, 0x200
   mov ds, ax
   mov bx, 0x10
   mov si, 0x20
   mov word [bx+si+0x30], 0xbeef
   mov bp, 0x10
   mov byte [bp], 0x42
   mov di, 4
   lea ax, [bp+di-2]
   mov dx, [ds:bp+0x50]
   hlt
 */
static const uint8_t prog_rm_addr[] = {
    0xb8, 0x00, 0x03, 0x8e, 0xd0, 0xb8, 0x00, 0x02, 0x8e, 0xd8, 0xbb, 0x10,
    0x00, 0xbe, 0x20, 0x00, 0xc7, 0x40, 0x30, 0xef, 0xbe, 0xbd, 0x10, 0x00,
    0xc6, 0x46, 0x00, 0x42, 0xbf, 0x04, 0x00, 0x8d, 0x43, 0xfe, 0x3e, 0x8b,
    0x56, 0x50, 0xf4,
};

/*
   mov al, 0x42
   out 0x80, al
   mov dx, 0x81
   in al, dx
   mov bl, al
   mov ax, 0x1234
   out dx, ax
   in ax, 0x84
   hlt
 */
static const uint8_t prog_rm_io[] = {
    0xb0, 0x42, 0xe6, 0x80, 0xba, 0x81, 0x00, 0xec, 0x88, 0xc3, 0xb8, 0x34,
    0x12, 0xef, 0xe5, 0x84, 0xf4,
};

/*
   mov ax, 0xd500
   sahf
   lahf
   mov bl, ah
   cmc
   pushf
   pop cx
   std
   pushf
   pop dx
   cld
   mov ax, 0x0001
   push ax
   popf
   pushf
   pop si
   hlt
 */
static const uint8_t prog_rm_flags[] = {
    0xb8, 0x00, 0xd5, 0x9e, 0x9f, 0x88, 0xe3, 0xf5, 0x9c, 0x59, 0xfd, 0x9c,
    0x5a, 0xfc, 0xb8, 0x01, 0x00, 0x50, 0x9d, 0x9c, 0x5e, 0xf4,
};

/*
   cli
   mov cx, 1
   sti
   mov dx, 2
   mov bx, 3
   hlt
   mov cx, 9
   hlt
   handler: mov si, bx
   mov di, dx
   iret
 */
static const uint8_t prog_rm_irq[] = {
    0xfa, 0xb9, 0x01, 0x00, 0xfb, 0xba, 0x02, 0x00, 0xbb, 0x03, 0x00, 0xf4,
    0xb9, 0x09, 0x00, 0xf4, 0x89, 0xde, 0x89, 0xd7, 0xcf,
};

/*
   mov ebp, 0x1111
   enter 8, 0
   mov eax, ebp
   mov ebx, esp
   leave
   mov ecx, ebp
   mov edx, esp
   mov ebp, 0x5000
   enter 4, 2
   mov esi, ebp
   mov edi, esp
   hlt
 */
static const uint8_t prog_pm_enter[] = {
    0xbd, 0x11, 0x11, 0x00, 0x00, 0xc8, 0x08, 0x00, 0x00, 0x89, 0xe8, 0x89,
    0xe3, 0xc9, 0x89, 0xe9, 0x89, 0xe2, 0xbd, 0x00, 0x50, 0x00, 0x00, 0xc8,
    0x04, 0x00, 0x02, 0x89, 0xee, 0x89, 0xe7, 0xf4,
};

/*
   mov eax, 0xff80
   movsx ebx, al
   movzx ecx, al
   mov dx, 0x8000
   movsx esi, dx
   cwde
   cdq
   mov edi, 0x12345678
   xchg edi, esi
   mov ax, 0x80
   cbw
   hlt
 */
static const uint8_t prog_pm_movx[] = {
    0xb8, 0x80, 0xff, 0x00, 0x00, 0x0f, 0xbe, 0xd8, 0x0f, 0xb6, 0xc8, 0x66,
    0xba, 0x00, 0x80, 0x0f, 0xbf, 0xf2, 0x98, 0x99, 0xbf, 0x78, 0x56, 0x34,
    0x12, 0x87, 0xfe, 0x66, 0xb8, 0x80, 0x00, 0x66, 0x98, 0xf4,
};

/*
   push -2
   pop dword [0x3000]
   push dword [0x3000]
   pop eax
   push 0x11
   push 0x22
   pop dword [esp]
   mov ebx, esp
   mov ecx, target
   call ecx
   push 1
   push 2
   call f
   mov esi, esp
   jmp [0x3004]
   target: mov edx, 0x77
   ret
   f: ret 8
 */
static const uint8_t prog_pm_stack[] = {
    0x6a, 0xfe, 0x8f, 0x05, 0x00, 0x30, 0x00, 0x00, 0xff, 0x35, 0x00, 0x30,
    0x00, 0x00, 0x58, 0x6a, 0x11, 0x6a, 0x22, 0x8f, 0x04, 0x24, 0x89, 0xe3,
    0xb9, 0x30, 0x10, 0x00, 0x00, 0xff, 0xd1, 0x6a, 0x01, 0x6a, 0x02, 0xe8,
    0x0e, 0x00, 0x00, 0x00, 0x89, 0xe6, 0xff, 0x25, 0x04, 0x30, 0x00, 0x00,
    0xba, 0x77, 0x00, 0x00, 0x00, 0xc3, 0xc2, 0x08, 0x00,
};

/*
   mov ebx, 0x3000
   mov al, 5
   xlat
   mov ecx, eax
   mov eax, [0x3010]
   mov [0x3014], al
   lea esi, [ebx+ecx*4+0x10]
   mov edx, 3
   l: dec edx
   jnz l
   xor edi, edi
   jecxz skip
   mov edi, 1
   skip: hlt
 */
static const uint8_t prog_pm_misc[] = {
    0xbb, 0x00, 0x30, 0x00, 0x00, 0xb0, 0x05, 0xd7, 0x89, 0xc1, 0xa1, 0x10,
    0x30, 0x00, 0x00, 0xa2, 0x14, 0x30, 0x00, 0x00, 0x8d, 0x74, 0x8b, 0x10,
    0xba, 0x03, 0x00, 0x00, 0x00, 0x4a, 0x75, 0xfd, 0x31, 0xff, 0xe3, 0x05,
    0xbf, 0x01, 0x00, 0x00, 0x00, 0xf4,
};

/*
   mov rax, -1
   mov eax, 1
   mov rbx, -1
   mov bx, 0x1234
   mov rcx, -1
   mov cl, 0x12
   mov rdx, -1
   add edx, 0
   mov rsi, 0
   mov sil, 0x55
   mov rdi, -1
   xchg edi, edi
   mov r8, 0x123456789abcdef0
   mov r9d, r8d
   mov r10, -1
   add r10b, 1
   mov r11, -1
   nop
   mov r12, 0
   mov ah, 0x66
   mov r12b, 0x44
   hlt
 */
static const uint8_t prog_lm_regs[] = {
    0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, 0xb8, 0x01, 0x00, 0x00, 0x00,
    0x48, 0xc7, 0xc3, 0xff, 0xff, 0xff, 0xff, 0x66, 0xbb, 0x34, 0x12, 0x48,
    0xc7, 0xc1, 0xff, 0xff, 0xff, 0xff, 0xb1, 0x12, 0x48, 0xc7, 0xc2, 0xff,
    0xff, 0xff, 0xff, 0x83, 0xc2, 0x00, 0xbe, 0x00, 0x00, 0x00, 0x00, 0x40,
    0xb6, 0x55, 0x48, 0xc7, 0xc7, 0xff, 0xff, 0xff, 0xff, 0x87, 0xff, 0x49,
    0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x45, 0x89, 0xc1,
    0x49, 0xc7, 0xc2, 0xff, 0xff, 0xff, 0xff, 0x41, 0x80, 0xc2, 0x01, 0x49,
    0xc7, 0xc3, 0xff, 0xff, 0xff, 0xff, 0x90, 0x41, 0xbc, 0x00, 0x00, 0x00,
    0x00, 0xb4, 0x66, 0x41, 0xb4, 0x44, 0xf4,
};

/*
   here: lea rax, [rel here]
   mov rbx, [rel data]
   push -1
   pop r10
   call f
   mov esi, 0x80000000
   movsxd rdi, esi
   mov eax, 0x80000000
   cdqe
   cqo
   mov r15, rdx
   mov r14, rsp
   mov rcx, 0x100000000
   loop l1
   mov r13, 1
   l1: mov r12, rcx
   mov rcx, 0x100000005
   a32 loop l2
   l2: mov r11, rcx
   hlt
   f: mov rbp, 0x42
   ret
   align 8
   data: dq 0x1122334455667788
 */
static const uint8_t prog_lm_ctrl[] = {
    0x48, 0x8d, 0x05, 0xf9, 0xff, 0xff, 0xff, 0x48, 0x8b, 0x1d, 0x52, 0x00,
    0x00, 0x00, 0x6a, 0xff, 0x41, 0x5a, 0xe8, 0x3d, 0x00, 0x00, 0x00, 0xbe,
    0x00, 0x00, 0x00, 0x80, 0x48, 0x63, 0xfe, 0xb8, 0x00, 0x00, 0x00, 0x80,
    0x48, 0x98, 0x48, 0x99, 0x49, 0x89, 0xd7, 0x49, 0x89, 0xe6, 0x48, 0xb9,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xe2, 0x06, 0x41, 0xbd,
    0x01, 0x00, 0x00, 0x00, 0x49, 0x89, 0xcc, 0x48, 0xb9, 0x05, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x00, 0x67, 0xe2, 0x00, 0x49, 0x89, 0xcb, 0xf4,
    0xbd, 0x42, 0x00, 0x00, 0x00, 0xc3, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
    0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
};
/* ---- fixed flag cases (32-bit mode), values worked out from the SDM ---- */

typedef struct FlagCase {
    const char *name;
    uint8_t code[24];
    size_t len;
    uint64_t eax, flags;
} FlagCase;

static const FlagCase flag_cases[] = {
    /* mov eax,0x7fffffff; add eax,1: signed overflow, AF from bit 3, low byte 00 */
    { "add-of", { 0xb8, 0xff, 0xff, 0xff, 0x7f, 0x83, 0xc0, 0x01, 0xf4 }, 9,
      0x80000000, X86_OF | X86_SF | X86_AF | X86_PF },
    /* mov eax,1; sub eax,2: borrow */
    { "sub-cf", { 0xb8, 0x01, 0, 0, 0, 0x83, 0xe8, 0x02, 0xf4 }, 9, 0xffffffff, X86_CF | X86_SF | X86_AF | X86_PF },
    /* mov eax,5; cmp eax,5 */
    { "cmp-eq", { 0xb8, 0x05, 0, 0, 0, 0x83, 0xf8, 0x05, 0xf4 }, 9, 5, X86_ZF | X86_PF },
    /* mov al,0xff; add al,1 (eax upper bits untouched: 0) */
    { "add8-carry", { 0xb0, 0xff, 0x04, 0x01, 0xf4 }, 5, 0, X86_CF | X86_ZF | X86_AF | X86_PF },
    /* stc; mov eax,-1; inc eax: CF kept */
    { "inc-keeps-cf", { 0xf9, 0xb8, 0xff, 0xff, 0xff, 0xff, 0x40, 0xf4 }, 8, 0, X86_CF | X86_ZF | X86_AF | X86_PF },
    /* clc; mov eax,0x80000000; dec eax */
    { "dec-of", { 0xf8, 0xb8, 0, 0, 0, 0x80, 0x48, 0xf4 }, 8, 0x7fffffff, X86_OF | X86_AF | X86_PF },
    /* stc; mov eax,1; adc eax,-1: 1 + ffffffff + 1 */
    { "adc", { 0xf9, 0xb8, 0x01, 0, 0, 0, 0x83, 0xd0, 0xff, 0xf4 }, 10, 1, X86_CF | X86_AF },
    /* stc; mov eax,0; sbb eax,0 */
    { "sbb", { 0xf9, 0xb8, 0, 0, 0, 0, 0x83, 0xd8, 0x00, 0xf4 }, 10, 0xffffffff,
      X86_CF | X86_SF | X86_AF | X86_PF },
    /* mov eax,5; neg eax */
    { "neg", { 0xb8, 0x05, 0, 0, 0, 0xf7, 0xd8, 0xf4 }, 8, 0xfffffffb, X86_CF | X86_SF | X86_AF },
    /* mov eax,0x80000000; neg eax */
    { "neg-min", { 0xb8, 0, 0, 0, 0x80, 0xf7, 0xd8, 0xf4 }, 8, 0x80000000, X86_CF | X86_OF | X86_SF | X86_PF },
    /* mov ax,0x7fff; add ax,1 (operand-size prefix) */
    { "add16-of", { 0x66, 0xb8, 0xff, 0x7f, 0x66, 0x83, 0xc0, 0x01, 0xf4 }, 9, 0x8000,
      X86_OF | X86_SF | X86_AF | X86_PF },
    /* mov eax,0x80; test al,0x80: AF undefined, 0 here like every CPU doppel models */
    { "test8", { 0xb8, 0x80, 0, 0, 0, 0xa8, 0x80, 0xf4 }, 8, 0x80, X86_SF },
    /* stc; mov eax,-1; not eax: NOT leaves the flags alone */
    { "not", { 0xf9, 0xb8, 0xff, 0xff, 0xff, 0xff, 0xf7, 0xd0, 0xf4 }, 9, 0, X86_CF },
};

START_TEST(flag_results)
{
    for (size_t i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
        const FlagCase *c = &flag_cases[i];
        Rig r;
        rig_init(&r, _i, M32);
        rig_load(&r, CODE, c->code, c->len);
        rig_run(&r);
        uint64_t fl = arith(&r);
        if (R(R_EAX) != c->eax || fl != c->flags)
            ck_abort_msg("%s: eax %#llx flags %#llx, want %#llx %#llx", c->name, (unsigned long long)R(R_EAX),
                         (unsigned long long)fl, (unsigned long long)c->eax, (unsigned long long)c->flags);
        rig_free(&r);
    }
}
END_TEST

/* ---- real mode ---- */

START_TEST(real_byte_regs_and_wraparound)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_bytes, sizeof(prog_rm_bytes));
    R(R_ESP) = 0x12348000;                 /* upper half survives 16-bit stack ops */
    rig_run(&r);
    ck_assert_uint_eq(R(R_EAX), 0x4634);   /* AH += AL */
    ck_assert_uint_eq(R(R_EBX), 0x1234);   /* BH = AH, BL = AL */
    ck_assert_uint_eq(R(R_ESP), 0x1234fffe);   /* SP 0 - 2 wraps to FFFE */
    ck_assert_uint_eq(rd(&r, 0xfffe, 2), 0x4634);
    ck_assert_uint_eq(rd(&r, 0x2001, 1), 0x5a);   /* DS:(FFFF+2) wraps to DS:0001 */
    ck_assert_uint_eq(rd(&r, 0x12001, 1), 0);
    ck_assert_uint_eq(r.env->rip, sizeof(prog_rm_bytes));
    rig_free(&r);
}
END_TEST

START_TEST(real_call_loop_jcxz)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_callloop, sizeof(prog_rm_callloop));
    rig_run(&r);
    ck_assert_uint_eq(R(R_EAX), 15);       /* 5+4+3+2+1 */
    ck_assert_uint_eq(R(R_ECX), 0);
    ck_assert_uint_eq(R(R_EBX), 0x77);
    ck_assert_uint_eq(R(R_EDX), 0x663);    /* JCXZ taken: DX keeps its reset value (the CPU signature) */
    ck_assert_uint_eq(R(R_ESP), STACK_TOP);
    rig_free(&r);
}
END_TEST

START_TEST(real_int_iret)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_int, sizeof(prog_rm_int));
    set_ivt(&r, 0x21, 0x0100, 0x0a);
    rig_run(&r);
    ck_assert_uint_eq(R(R_ECX), 0x5555);
    ck_assert_uint_eq(R(R_ESI), 0x0003);   /* in the handler: IF clear, CF as pushed */
    ck_assert_uint_eq(R(R_EDX), STACK_TOP);
    ck_assert_uint_eq(x86_get_eflags(r.env), 0x203);   /* IRET restored IF and CF */
    ck_assert_uint_eq(rd(&r, STACK_TOP - 2, 2), 0x203);   /* FLAGS, CS, IP pushed by INT */
    ck_assert_uint_eq(rd(&r, STACK_TOP - 4, 2), 0x0100);
    ck_assert_uint_eq(rd(&r, STACK_TOP - 6, 2), 0x0007);
    rig_free(&r);
}
END_TEST

/* #UD pushes the address of the faulting instruction; the flags of the
 * CMP before it (lazy, not yet stored when the fault hit) must be exact. */
START_TEST(real_ud_exception_precise)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_ud, sizeof(prog_rm_ud));
    set_ivt(&r, X86_EXCP_UD, 0x0100, 0x0c);
    rig_run(&r);
    ck_assert_uint_eq(R(R_EDI), 0x0009);   /* IP of UD2 */
    ck_assert_uint_eq(R(R_EDX), 0x0093);   /* 5 - 7: CF SF AF, bit 1 */
    ck_assert_uint_eq(R(R_ESP), STACK_TOP - 4);
    rig_free(&r);
}
END_TEST

START_TEST(real_far_call_jmp)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_far, sizeof(prog_rm_far));
    rig_load(&r, 0x2010, prog_rm_far_at_2010, sizeof(prog_rm_far_at_2010));
    rig_load(&r, 0x2020, prog_rm_far_at_2020, sizeof(prog_rm_far_at_2020));
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX), 0x99);
    ck_assert_uint_eq(R(R_EAX), 0x0200);
    ck_assert_uint_eq(r.env->segs[R_CS].selector, 0x0200);
    ck_assert_uint_eq(r.env->segs[R_CS].base, 0x2000);
    ck_assert_uint_eq(r.env->rip, 0x13);
    ck_assert_uint_eq(R(R_ESP), STACK_TOP);
    ck_assert_uint_eq(rd(&r, STACK_TOP - 2, 2), 0x0100);   /* CALLF pushed CS, then IP */
    ck_assert_uint_eq(rd(&r, STACK_TOP - 4, 2), 0x0005);
    rig_free(&r);
}
END_TEST

START_TEST(real_pusha_popa)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_pusha, sizeof(prog_rm_pusha));
    rig_run(&r);
    static const uint64_t want[8] = { 1, 2, 3, 4, STACK_TOP, 6, 7, 8 };
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(rd(&r, STACK_TOP - 2 * (uint64_t)(i + 1), 2), want[i]);
        ck_assert_uint_eq(R(i), want[i]);
    }
    rig_free(&r);
}
END_TEST

START_TEST(real_addressing)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_addr, sizeof(prog_rm_addr));
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, 0x2060, 2), 0xbeef);  /* DS:[BX+SI+30h] */
    ck_assert_uint_eq(rd(&r, 0x3010, 1), 0x42);    /* [BP] defaults to SS */
    ck_assert_uint_eq(R(R_EAX), 0x12);            /* LEA [BP+DI-2] */
    ck_assert_uint_eq(R(R_EDX), 0xbeef);           /* DS: override on [BP+50h] */
    rig_free(&r);
}
END_TEST

START_TEST(real_port_io)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_io, sizeof(prog_rm_io));
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX) & 0xff, 0xa1);      /* IN AL, DX from port 81h */
    ck_assert_uint_eq(R(R_EAX), 0xb004);           /* IN AX, 84h */
    ck_assert_int_eq(r.nwrites, 2);
    ck_assert_uint_eq(r.writes[0].port, 0x80);
    ck_assert_uint_eq(r.writes[0].val, 0x42);
    ck_assert_uint_eq(r.writes[0].size, 1);
    ck_assert_uint_eq(r.writes[1].port, 0x81);
    ck_assert_uint_eq(r.writes[1].val, 0x1234);
    ck_assert_uint_eq(r.writes[1].size, 2);
    rig_free(&r);
}
END_TEST

START_TEST(real_flag_instructions)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_flags, sizeof(prog_rm_flags));
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX) & 0xff, 0xd7);      /* LAHF after SAHF 0xd5 (bit 1 reads 1) */
    ck_assert_uint_eq(R(R_ECX), 0xd6);             /* CMC cleared CF */
    ck_assert_uint_eq(R(R_EDX), 0x4d6);            /* STD */
    ck_assert_uint_eq(R(R_ESI), 0x0003);           /* POPF 1, PUSHF */
    ck_assert_int_eq(r.env->df, 1);
    rig_free(&r);
}
END_TEST

/* The maskable interrupt line: HLT sleeps, the interrupt wakes it; STI
 * delays recognition by one instruction (SDM STI). */
START_TEST(real_irq_and_sti_shadow)
{
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, prog_rm_irq, sizeof(prog_rm_irq));
    set_ivt(&r, 0x30, 0x0100, 0x10);
    r.irq_vector = 0x30;
    cpu_interrupt(r.cpu, CPU_INTERRUPT_HARD);      /* pending while IF = 0 */
    rig_run(&r);
    ck_assert_uint_eq(R(R_EDI), 2);                /* MOV DX,2 ran after STI ... */
    ck_assert_uint_eq(R(R_ESI), 0);                /* ... MOV BX,3 had not */
    ck_assert_uint_eq(R(R_EBX), 3);
    ck_assert_uint_eq(r.env->rip, 0x0c);           /* halted after the first HLT */
    ck_assert_uint_eq(R(R_ECX), 1);
    rig_run(&r);                                   /* nothing pending: stays halted */
    ck_assert_uint_eq(r.env->rip, 0x0c);
    cpu_interrupt(r.cpu, CPU_INTERRUPT_HARD);
    rig_run(&r);
    ck_assert_uint_eq(R(R_ECX), 9);
    ck_assert_uint_eq(r.env->rip, 0x10);
    ck_assert_uint_eq(R(R_ESI), 3);
    rig_free(&r);
}
END_TEST

/* ---- 32-bit protected mode ---- */

START_TEST(pm_enter_leave)
{
    Rig r;
    rig_init(&r, _i, M32);
    rig_load(&r, CODE, prog_pm_enter, sizeof(prog_pm_enter));
    wr(&r, 0x4ffc, 0xaabbccdd, 4);
    rig_run(&r);
    ck_assert_uint_eq(R(R_EAX), 0x7ffc);
    ck_assert_uint_eq(R(R_EBX), 0x7ff4);
    ck_assert_uint_eq(R(R_ECX), 0x1111);
    ck_assert_uint_eq(R(R_EDX), STACK_TOP);
    /* ENTER 4, 2: push EBP, copy one outer frame pointer, push the new frame */
    ck_assert_uint_eq(R(R_ESI), 0x7ffc);
    ck_assert_uint_eq(R(R_EDI), 0x7ff0);
    ck_assert_uint_eq(rd(&r, 0x7ffc, 4), 0x5000);
    ck_assert_uint_eq(rd(&r, 0x7ff8, 4), 0xaabbccdd);
    ck_assert_uint_eq(rd(&r, 0x7ff4, 4), 0x7ffc);
    rig_free(&r);
}
END_TEST

START_TEST(pm_extend_convert_xchg)
{
    Rig r;
    rig_init(&r, _i, M32);
    rig_load(&r, CODE, prog_pm_movx, sizeof(prog_pm_movx));
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX), 0xffffff80);   /* MOVSX */
    ck_assert_uint_eq(R(R_ECX), 0x80);         /* MOVZX */
    ck_assert_uint_eq(R(R_EDX), 0xffffffff);   /* CDQ after CWDE */
    ck_assert_uint_eq(R(R_EDI), 0xffff8000);   /* MOVSX r32, r16, then XCHG */
    ck_assert_uint_eq(R(R_ESI), 0x12345678);
    ck_assert_uint_eq(R(R_EAX), 0xffffff80);   /* MOV AX,80h; CBW merges into EAX */
    rig_free(&r);
}
END_TEST

START_TEST(pm_stack_ops)
{
    Rig r;
    rig_init(&r, _i, M32);
    rig_load(&r, CODE, prog_pm_stack, sizeof(prog_pm_stack));
    wr(&r, 0x3004, 0x1100, 4);
    r.ram[0x1100] = 0xf4;
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, 0x3000, 4), 0xfffffffe);  /* PUSH imm8 sign-extends */
    ck_assert_uint_eq(R(R_EAX), 0xfffffffe);
    ck_assert_uint_eq(R(R_EBX), 0x7ffc);               /* POP [ESP]: ESP incremented first */
    ck_assert_uint_eq(rd(&r, 0x7ffc, 4), 0x22);
    ck_assert_uint_eq(R(R_EDX), 0x77);                 /* CALL ECX */
    ck_assert_uint_eq(R(R_ESI), 0x7ffc);               /* RET 8 */
    ck_assert_uint_eq(r.env->rip, 0x1101);             /* JMP [mem] */
    rig_free(&r);
}
END_TEST

START_TEST(pm_misc)
{
    Rig r;
    rig_init(&r, _i, M32);
    rig_load(&r, CODE, prog_pm_misc, sizeof(prog_pm_misc));
    r.ram[0x3005] = 0x77;
    wr(&r, 0x3010, 0xcafebabe, 4);
    rig_run(&r);
    ck_assert_uint_eq(R(R_ECX), 0x77);                 /* XLAT */
    ck_assert_uint_eq(R(R_EAX), 0xcafebabe);           /* MOV EAX, moffs32 */
    ck_assert_uint_eq(r.ram[0x3014], 0xbe);            /* MOV moffs8, AL */
    ck_assert_uint_eq(R(R_ESI), 0x3000 + 0x77 * 4 + 0x10);  /* LEA with SIB */
    ck_assert_uint_eq(R(R_EDX), 0);
    ck_assert_uint_eq(R(R_EDI), 1);                    /* JECXZ not taken */
    rig_free(&r);
}
END_TEST

/* ---- 64-bit mode ---- */

START_TEST(lm_register_writes)
{
    Rig r;
    rig_init(&r, _i, M64);
    rig_load(&r, CODE, prog_lm_regs, sizeof(prog_lm_regs));
    rig_run(&r);
    ck_assert_uint_eq(R(R_EAX), 0x6601);                   /* 32-bit write zero-extends; then AH */
    ck_assert_uint_eq(R(R_EBX), 0xffffffffffff1234ull);    /* 16-bit write merges */
    ck_assert_uint_eq(R(R_ECX), 0xffffffffffffff12ull);    /* 8-bit write merges */
    ck_assert_uint_eq(R(R_EDX), 0x00000000ffffffffull);    /* ADD r32 zero-extends */
    ck_assert_uint_eq(R(R_ESI), 0x55);                     /* REX: SIL, not DH */
    ck_assert_uint_eq(R(R_EDX) >> 32, 0);
    ck_assert_uint_eq(R(R_EDI), 0xffffffffull);            /* XCHG EDI,EDI zero-extends */
    ck_assert_uint_eq(R(R_R8), 0x123456789abcdef0ull);
    ck_assert_uint_eq(R(R_R9), 0x9abcdef0ull);
    ck_assert_uint_eq(R(R_R10), 0xffffffffffffff00ull);
    ck_assert_uint_eq(R(R_R11), ~0ull);                    /* NOP (90) is not XCHG EAX,EAX */
    ck_assert_uint_eq(R(R_R12), 0x44);
    rig_free(&r);
}
END_TEST

START_TEST(lm_control_and_extend)
{
    Rig r;
    rig_init(&r, _i, M64);
    rig_load(&r, CODE, prog_lm_ctrl, sizeof(prog_lm_ctrl));
    rig_run(&r);
    ck_assert_uint_eq(R(R_EBX), 0x1122334455667788ull);   /* RIP-relative load */
    ck_assert_uint_eq(R(R_EBP), 0x42);                     /* CALL/RET */
    ck_assert_uint_eq(R(R_EDI), 0xffffffff80000000ull);    /* MOVSXD */
    ck_assert_uint_eq(R(R_EAX), 0xffffffff80000000ull);    /* CDQE (after LEA RAX,[RIP-7] = CODE) */
    ck_assert_uint_eq(R(R_R15), ~0ull);                    /* CQO */
    ck_assert_uint_eq(R(R_R14), STACK_TOP);
    ck_assert_uint_eq(R(R_R13), 0);                        /* LOOP on RCX taken */
    ck_assert_uint_eq(R(R_R12), 0xffffffffull);
    ck_assert_uint_eq(R(R_R11), 4);                        /* a32 LOOP: ECX, zero-extended */
    ck_assert_uint_eq(R(R_R10), ~0ull);                    /* PUSH -1 / POP: 8 bytes */
    rig_free(&r);
}
END_TEST

/* Undefined opcodes, over-long instructions: #UD / #GP through the IVT. */
START_TEST(real_decode_faults)
{
    /* 0: 0F 38 FF (undefined in the three-byte map) -> #UD; then 16 x 66 + NOP -> #GP */
    static const uint8_t code[] = { 0x0f, 0x38, 0xff, 0xc0, 0xf4 };
    static const uint8_t handler_ud[] = { 0x5f, 0xbe, 0x06, 0x00, 0xf4 };   /* pop di; mov si,6; hlt */
    Rig r;
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, code, sizeof(code));
    rig_load(&r, CODE + 0x100, handler_ud, sizeof(handler_ud));
    set_ivt(&r, X86_EXCP_UD, 0x0100, 0x100);
    rig_run(&r);
    ck_assert_uint_eq(R(R_ESI), 6);
    ck_assert_uint_eq(R(R_EDI), 0);
    rig_free(&r);

    uint8_t longi[20];
    memset(longi, 0x66, 16);
    longi[16] = 0x90;
    static const uint8_t handler_gp[] = { 0x5f, 0xbe, 0x0d, 0x00, 0xf4 };   /* pop di; mov si,13; hlt */
    rig_init(&r, _i, M16);
    rig_load(&r, CODE, longi, 17);
    rig_load(&r, CODE + 0x100, handler_gp, sizeof(handler_gp));
    set_ivt(&r, X86_EXCP_GP, 0x0100, 0x100);
    rig_run(&r);
    ck_assert_uint_eq(R(R_ESI), 13);
    ck_assert_uint_eq(R(R_EDI), 0);
    rig_free(&r);
}
END_TEST

static Suite *x86_basic_suite(void)
{
    Suite *s = suite_create("x86_basic");
    TCase *tc = tcase_create("core");
    int nb = nbackends();
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, flag_results, 0, nb);
    tcase_add_loop_test(tc, real_byte_regs_and_wraparound, 0, nb);
    tcase_add_loop_test(tc, real_call_loop_jcxz, 0, nb);
    tcase_add_loop_test(tc, real_int_iret, 0, nb);
    tcase_add_loop_test(tc, real_ud_exception_precise, 0, nb);
    tcase_add_loop_test(tc, real_far_call_jmp, 0, nb);
    tcase_add_loop_test(tc, real_pusha_popa, 0, nb);
    tcase_add_loop_test(tc, real_addressing, 0, nb);
    tcase_add_loop_test(tc, real_port_io, 0, nb);
    tcase_add_loop_test(tc, real_flag_instructions, 0, nb);
    tcase_add_loop_test(tc, real_irq_and_sti_shadow, 0, nb);
    tcase_add_loop_test(tc, real_decode_faults, 0, nb);
    tcase_add_loop_test(tc, pm_enter_leave, 0, nb);
    tcase_add_loop_test(tc, pm_extend_convert_xchg, 0, nb);
    tcase_add_loop_test(tc, pm_stack_ops, 0, nb);
    tcase_add_loop_test(tc, pm_misc, 0, nb);
    tcase_add_loop_test(tc, lm_register_writes, 0, nb);
    tcase_add_loop_test(tc, lm_control_and_extend, 0, nb);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_basic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
