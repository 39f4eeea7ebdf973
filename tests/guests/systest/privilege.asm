; privilege.asm - protection rings (Intel SDM Vol. 3A ch. 5): ring 3
; entered with IRET, privileged instructions from ring 3 (#GP(0)), INT n
; against the gate DPL (6.12.1.1), a call gate to ring 0 with a parameter
; and RETF back (5.8.5-5.8.6, including nulling of DPL-0 data selectors),
; SYSENTER/SYSEXIT (Vol. 2), the TSS I/O permission bitmap and IOPL (Vol.
; 1 19.5), and in long mode SYSCALL/SYSRET to 64-bit and compatibility
; mode ring 3 (Vol. 2 SYSCALL, SYSRET), SWAPGS.
%include "systest.inc"

SEL_GATE3       equ SEL_FREE            ; 78: call gate DPL3 -> code32:gate_target, 1 param
SEL_GATE0       equ SEL_FREE + 8        ; 80: call gate DPL0
SYSENTER_STACK  equ 0x6400

PML4            equ 0x120000
L_PDPT          equ 0x121000
L_PD            equ 0x122000

g_cs            equ scratch             ; values seen by ring-0 entry points
g_ss            equ scratch + 4
g_esp           equ scratch + 8
g_ret_cs        equ scratch + 12
g_param         equ scratch + 16
g_user_ss       equ scratch + 20
g_rcx           equ scratch + 24        ; 8 bytes
g_r11           equ scratch + 32        ; 8 bytes

main:
    PRINT "systest privilege: rings, gates, SYSENTER, SYSCALL, I/O bitmap"
    ENTER_PM32
    call tss_init32
    or byte [TSS32_IOMAP + 0x80 / 8], 1 << (0x80 & 7)      ; deny port 80h
    or byte [TSS32_IOMAP + 0xE8 / 8], 1 << (0xE8 & 7)      ; deny port E8h (E9h allowed)
    ; call gates (SDM Vol. 3A Figure 5-8)
    mov eax, gate_target
    and eax, 0xFFFF
    or eax, SEL_CODE32 << 16
    mov [gdt + SEL_GATE3], eax
    mov [gdt + SEL_GATE0], eax
    mov eax, gate_target
    and eax, 0xFFFF0000
    or eax, 0xEC01                      ; P, DPL3, 32-bit call gate, 1 parameter
    mov [gdt + SEL_GATE3 + 4], eax
    and eax, 0xFFFF0000
    or eax, 0x8C01                      ; DPL0
    mov [gdt + SEL_GATE0 + 4], eax
    ; SYSENTER MSRs
    mov ecx, 0x174
    mov eax, SEL_CODE32
    xor edx, edx
    wrmsr
    mov ecx, 0x175
    mov eax, SYSENTER_STACK
    wrmsr
    mov ecx, 0x176
    mov eax, sysenter_entry
    wrmsr

    mov eax, ring3_main
    mov edx, 0x002                      ; IOPL 0, IF 0
    call ring3_call32
    CHECK "ring 3 returned through INT 30h", 0x600D, [r3_eax]

    mov eax, ring3_iopl3
    mov edx, 0x3002                     ; IOPL 3
    call ring3_call32
    CHECK "ring 3, IOPL 3: port 80h and CLI allowed", 0, [r3_eax]

    call long_mode_part                 ; does not return (FINISH)

bits 32
; ---- ring 3, IOPL 0 ----
ring3_main:
    mov eax, cs
    CHECK "ring 3: CS = code32 DPL3 | RPL 3", SEL_CODE32_R3 | 3, eax
    mov eax, ss
    CHECK "ring 3: SS = data32 DPL3 | RPL 3", SEL_DATA32_R3 | 3, eax
    EXPECT_EXC .p1_done
.p1:
    cli
.p1_done:
    CHECK_EXC "ring 3: CLI with IOPL 0 is #GP(0)", 13, 0, .p1
    CHECK "ring 3: #GP saved CS is the ring-3 CS", SEL_CODE32_R3 | 3, [exc_cs]
    CHECK "ring 3: #GP frame has the ring-3 SS", SEL_DATA32_R3 | 3, [exc_frame + 16]
    EXPECT_EXC .p2_done
.p2:
    hlt
.p2_done:
    CHECK_EXC "ring 3: HLT is #GP(0)", 13, 0, .p2
    EXPECT_EXC .p3_done
.p3:
    mov eax, cr0
.p3_done:
    CHECK_EXC "ring 3: MOV EAX, CR0 is #GP(0)", 13, 0, .p3
    EXPECT_EXC .p4_done
.p4:
    lgdt [gdtr]
.p4_done:
    CHECK_EXC "ring 3: LGDT is #GP(0)", 13, 0, .p4
    EXPECT_EXC .p5_done
.p5:
    wrmsr
.p5_done:
    CHECK_EXC "ring 3: WRMSR is #GP(0)", 13, 0, .p5
    EXPECT_EXC .p6_done
.p6:
    sysexit
.p6_done:
    CHECK_EXC "ring 3: SYSEXIT is #GP(0)", 13, 0, .p6
    EXPECT_EXC .i1_done
.i1:
    int 0x20                            ; gate DPL 0
.i1_done:
    CHECK_EXC "ring 3: INT 20h through a DPL-0 gate is #GP(vec*8+2)", 13, 0x20 * 8 + 2, .i1
    EXPECT_EXC .i2_done
    int3                                ; gate DPL 3
.i2:
.i2_done:
    CHECK_EXC "ring 3: INT3 through a DPL-3 gate", 3, -1, .i2
    CHECK "ring 3: INT3 frame: saved SS", SEL_DATA32_R3 | 3, [exc_frame + 16]
    CHECK "ring 3: INT3 frame: saved ESP", STACK3_TOP, [exc_frame + 12]
    ; I/O permission bitmap
    mov dword [exc_count], 0
    mov al, '.'
    out 0xE9, al                        ; bit clear: allowed
    mov al, 10
    out 0xE9, al
    CHECK "ring 3: OUT E9h allowed by the I/O bitmap", 0, [exc_count]
    EXPECT_EXC .io1_done
.io1:
    out 0x80, al
.io1_done:
    CHECK_EXC "ring 3: OUT 80h denied by the I/O bitmap", 13, 0, .io1
    EXPECT_EXC .io2_done
.io2:
    in al, 0x80
.io2_done:
    CHECK_EXC "ring 3: IN 80h denied by the I/O bitmap", 13, 0, .io2
    EXPECT_EXC .io3_done
.io3:
    out 0xE8, ax                        ; ports E8h (denied) and E9h
.io3_done:
    CHECK_EXC "ring 3: OUT E8h word (one port denied)", 13, 0, .io3
    mov dx, 0x400
    EXPECT_EXC .io4_done
.io4:
    out dx, al                          ; beyond the TSS limit
.io4_done:
    CHECK_EXC "ring 3: OUT 400h beyond the bitmap", 13, 0, .io4
    ; call gates
    mov ax, SEL_DATA32_R3 | 3
    mov es, ax
    mov ebp, esp
    push dword 0x12345678
    call SEL_GATE3 | 3:0
.cg_ret:
    mov eax, cs
    CHECK "call gate: back in ring 3 after RETF", SEL_CODE32_R3 | 3, eax
    mov eax, esp
    CHECK "call gate: RETF 4 released the parameter", ebp, eax
    mov eax, es
    CHECK "call gate: RETF nulls ES holding a DPL-0 selector", 0, eax
    CHECK "call gate: ring-0 CS", SEL_CODE32, [g_cs]
    CHECK "call gate: SS from TSS SS0", SEL_DATA32, [g_ss]
    CHECK "call gate: ESP = ESP0 - 20 (SS, ESP, param, CS, EIP)", STACK0_INT - 20, [g_esp]
    CHECK "call gate: pushed CS", SEL_CODE32_R3 | 3, [g_ret_cs]
    CHECK "call gate: parameter copied", 0x12345678, [g_param]
    CHECK "call gate: pushed SS", SEL_DATA32_R3 | 3, [g_user_ss]
    EXPECT_EXC .cg0_done
.cg0:
    call SEL_GATE0 | 3:0
.cg0_done:
    CHECK_EXC "call gate DPL 0 from ring 3 is #GP(gate)", 13, SEL_GATE0, .cg0
    ; SYSENTER / SYSEXIT
    mov ebp, esp
    mov edx, .se_ret
    mov ecx, esp
    sysenter
.se_ret:
    mov eax, cs
    CHECK "SYSEXIT: CS = SYSENTER_CS + 16 | 3", SEL_CODE32_R3 | 3, eax
    mov eax, ss
    CHECK "SYSEXIT: SS = SYSENTER_CS + 24 | 3", SEL_DATA32_R3 | 3, eax
    mov eax, esp
    CHECK "SYSEXIT: ESP = ECX", ebp, eax
    CHECK "SYSENTER: CS = SYSENTER_CS", SEL_CODE32, [g_cs]
    CHECK "SYSENTER: SS = SYSENTER_CS + 8", SEL_DATA32, [g_ss]
    CHECK "SYSENTER: ESP = SYSENTER_ESP", SYSENTER_STACK, [g_esp]
    mov eax, 0x600D
    int 0x30

; ---- ring 3, IOPL 3 ----
ring3_iopl3:
    mov dword [exc_count], 0
    out 0x80, al
    cli
    sti
    cli
    mov eax, [exc_count]
    int 0x30

; ---- ring-0 entry points ----
gate_target:
    mov [g_esp], esp
    mov eax, cs
    mov [g_cs], eax
    mov eax, ss
    mov [g_ss], eax
    mov eax, [esp + 4]
    mov [g_ret_cs], eax
    mov eax, [esp + 8]
    mov [g_param], eax
    mov eax, [esp + 16]
    mov [g_user_ss], eax
    mov ax, SEL_DATA32
    mov es, ax
    retf 4

sysenter_entry:
    mov [g_esp], esp
    mov eax, cs
    mov [g_cs], eax
    mov eax, ss
    mov [g_ss], eax
    sysexit

; ---- long mode: SYSCALL / SYSRET, SWAPGS ----
long_mode_part:
    mov edi, PML4
    mov ecx, 3 * 1024
    xor eax, eax
    rep stosd
    mov dword [PML4], L_PDPT | 7
    mov dword [L_PDPT], L_PD | 7
    mov dword [L_PD], 0x87
    mov eax, cr4
    or eax, 1 << 5
    mov cr4, eax
    mov eax, PML4
    mov cr3, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, (1 << 8) | 1                ; LME, SCE
    wrmsr
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp SEL_CODE64:.lm
bits 64
.lm:
    mov ax, SEL_DATA64
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, STACK0_TOP
    call idt_init64
    call tss_init64
    mov eax, 0x30
    mov rbx, ring3_return64
    mov ecx, 0xEE
    call set_gate64
    ; SWAPGS
    mov ecx, 0xC0000101                 ; GS_BASE
    mov eax, 0x1111
    xor edx, edx
    wrmsr
    mov ecx, 0xC0000102                 ; KERNEL_GS_BASE
    mov eax, 0x2222
    wrmsr
    swapgs
    mov ecx, 0xC0000101
    rdmsr
    CHECK "SWAPGS exchanges GS base and KERNEL_GS_BASE", 0x2222, rax
    ; STAR: SYSCALL CS = 28h (SS 30h), SYSRET base 38h (CS 3Bh / 4Bh, SS 43h)
    mov ecx, 0xC0000081
    xor eax, eax
    mov edx, (SEL_CODE32C_R3 << 16) | SEL_CODE64
    wrmsr
    mov ecx, 0xC0000082
    mov rax, syscall_entry
    xor edx, edx
    wrmsr
    mov ecx, 0xC0000084                 ; FMASK: clear DF and IF
    mov eax, 0x600
    wrmsr
    mov [saved_esp0], rsp
    mov rcx, user64
    mov r11, 0x3002                     ; IOPL 3 (ring-3 checks print), IF 0
    o64 sysret

ring3_return64:                         ; INT 30h from ring 3 (DPL-3 gate)
    mov rsp, [saved_esp0]
    mov eax, cs
    CHECK "INT 30h from compatibility-mode ring 3 reaches 64-bit ring 0", SEL_CODE64, rax
    FINISH "privilege"

syscall_entry:
    mov [g_rcx], rcx
    mov [g_r11], r11
    mov eax, cs
    mov [g_cs], eax
    mov eax, ss
    mov [g_ss], eax
    pushfq
    pop rax
    mov [g_esp], eax                    ; RFLAGS inside
    mov rsp, [saved_esp0]
    cmp ebx, 2
    je .to_compat
    mov rcx, [g_rcx]
    mov r11, [g_r11]
    o64 sysret
.to_compat:
    mov rcx, user32
    mov r11, 0x3002
    sysret                              ; 32-bit form: compatibility mode

user64:
    mov eax, cs
    CHECK "SYSRET (64): CS = STAR[63:48] + 16 | 3", SEL_CODE64_R3 | 3, rax
    mov eax, ss
    CHECK "SYSRET (64): SS = STAR[63:48] + 8 | 3", SEL_DATA64_R3 | 3, rax
    pushfq
    pop rax
    CHECK "SYSRET (64): RFLAGS = R11", 0x3002, rax
    EXPECT_EXC .sr_done
.sr:
    o64 sysret                          ; CPL 3: #GP(0)
.sr_done:
    CHECK_EXC "SYSRET at CPL 3 is #GP(0)", 13, 0, .sr
    mov eax, ds
    CHECK "IRETQ to ring 3 nulled DS (a DPL-0 selector)", 0, rax
    std
    mov ebx, 1
    syscall
.sc_ret:
    cld
    mov eax, cs
    CHECK "SYSRET back to 64-bit ring 3", SEL_CODE64_R3 | 3, rax
    mov rax, .sc_ret
    CHECK "SYSCALL: RCX = the next RIP", rax, [g_rcx]
    mov rax, [g_r11]
    and eax, 0x3702
    CHECK "SYSCALL: R11 = RFLAGS (IOPL 3, DF)", 0x3402, rax
    mov eax, [g_cs]
    CHECK "SYSCALL: CS = STAR[47:32]", SEL_CODE64, rax
    mov eax, [g_ss]
    CHECK "SYSCALL: SS = STAR[47:32] + 8", SEL_DATA64, rax
    mov eax, [g_esp]
    and eax, 0x600
    CHECK "SYSCALL: FMASK cleared DF and IF", 0, rax
    mov ebx, 2
    syscall

bits 32
user32:
    mov ax, SEL_DATA64_R3 | 3           ; the IRETQ to ring 3 above nulled DS (DPL 0)
    mov ds, ax
    mov eax, cs
    CHECK "SYSRET (32): CS = STAR[63:48] | 3, compatibility mode", SEL_CODE32C_R3 | 3, eax
    mov eax, ss
    CHECK "SYSRET (32): SS = STAR[63:48] + 8 | 3", SEL_DATA64_R3 | 3, eax
    EXPECT_EXC .ud_done
.ud:
    syscall                             ; Intel: #UD outside 64-bit mode
.ud_done:
    CHECK_EXC "SYSCALL in compatibility mode is #UD", 6, -1, .ud
    CHECK "the #UD frame holds the compatibility-mode CS", SEL_CODE32C_R3 | 3, [exc_cs]
    int 0x30

%include "systest_lib.inc"
