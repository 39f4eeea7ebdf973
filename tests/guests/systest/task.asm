; task.asm - hardware task switching (Intel SDM Vol. 3A ch. 7): INT n
; through an IDT task gate and back with IRET (7.3, 7.4 nesting: NT, back
; link, busy bits), CALL through a GDT task gate, JMP to a TSS (no
; nesting), an exception (#GP with its error code) handled by a task,
; CR0.TS after a switch, and CALL to a busy TSS (#GP).
%include "systest.inc"

TSS_B           equ TSS_AREA + 0x800
TSS_C           equ TSS_AREA + 0xC00
SEL_GATE_B      equ SEL_FREE            ; 78: task gate -> TSS B
SEL_TSS_C       equ SEL_FREE + 0x10     ; 88: TSS C (the #GP task)
STACK_B         equ 0x5800
STACK_C         equ 0x5400

; what task B saw (B runs with flat DS)
b_tr            equ scratch
b_eflags        equ scratch + 4
b_link          equ scratch + 8
b_type_a        equ scratch + 12
b_type_b        equ scratch + 16
b_ebx           equ scratch + 20
b_runs          equ scratch + 24
c_ec            equ scratch + 28
c_esp           equ scratch + 32
c_a_eip         equ scratch + 36
c_link          equ scratch + 40

; TSS_INIT base, eip, esp, ebx
%macro TSS_INIT 4
    mov edi, %1
    mov ecx, 26
    xor eax, eax
    rep stosd
    mov dword [%1 + 32], %2
    mov dword [%1 + 36], 0x2
    mov dword [%1 + 52], %4
    mov dword [%1 + 56], %3
    mov dword [%1 + 72], SEL_DATA32
    mov dword [%1 + 76], SEL_CODE32
    mov dword [%1 + 80], SEL_DATA32
    mov dword [%1 + 84], SEL_DATA32
    mov dword [%1 + 88], SEL_DATA32
    mov dword [%1 + 92], SEL_DATA32
    mov word [%1 + 102], 104
%endmacro

main:
    PRINT "systest task: task gates, IRET to the back link, JMP/CALL to a TSS"
    ENTER_PM32
    call tss_init32                     ; task A = the kernel
    TSS_INIT TSS_B, task_b, STACK_B, 0xB0B0
    TSS_INIT TSS_C, task_c, STACK_C, 0
    mov eax, TSS_B
    mov ebx, 103
    mov cl, 0x89
    mov edx, SEL_TSS2
    call set_sysdesc
    mov eax, TSS_C
    mov edx, SEL_TSS_C
    call set_sysdesc
    mov dword [gdt + SEL_GATE_B], SEL_TSS2 << 16    ; task gate (Figure 7-6)
    mov dword [gdt + SEL_GATE_B + 4], 0x8500
    mov eax, 0x40
    mov ebx, SEL_TSS2
    mov cl, 0x85
    call set_gate32                     ; IDT 40h: task gate -> B

    ; ---- INT 40h through the IDT task gate ----
    mov ebx, 0xA0A0
    clts
    int 0x40
.after_int:
    mov ecx, ebx
    CHECK "INT task gate: B ran", 1, [b_runs]
    CHECK "INT task gate: TR in B", SEL_TSS2, [b_tr]
    mov eax, [b_eflags]
    and eax, 0x4000
    CHECK "INT task gate: NT set in B", 0x4000, eax
    CHECK "INT task gate: back link in B's TSS = A", SEL_TSS, [b_link]
    CHECK "INT task gate: A stays busy while nested", 0x8B, [b_type_a]
    CHECK "INT task gate: B busy", 0x8B, [b_type_b]
    CHECK "INT task gate: B's EBX loaded from its TSS", 0xB0B0, [b_ebx]
    CHECK "IRET: A's EBX restored from its TSS", 0xA0A0, ecx
    str eax
    CHECK "IRET: TR = A again", SEL_TSS, eax
    movzx eax, byte [gdt + SEL_TSS2 + 5]
    CHECK "IRET: B no longer busy", 0x89, eax
    pushfd
    pop eax
    and eax, 0x4000
    CHECK "IRET: NT clear in A", 0, eax
    CHECK "IRET: B's TSS saved the EIP after its IRET", task_b.again, [TSS_B + 32]
    mov eax, cr0
    and eax, 8
    CHECK "task switch sets CR0.TS", 8, eax
    clts

    ; ---- CALL through the GDT task gate ----
    call SEL_GATE_B:0
    CHECK "CALL task gate: B ran again", 2, [b_runs]
    CHECK "CALL task gate: back link = A", SEL_TSS, [b_link]
    CHECK "CALL task gate: A busy while nested", 0x8B, [b_type_a]
    str eax
    CHECK "CALL task gate: IRET back to A", SEL_TSS, eax

    ; ---- JMP to the TSS: no nesting ----
    mov dword [TSS_B], 0                ; clear the old back link
    jmp SEL_TSS2:0
.after_jmp:
    CHECK "JMP TSS: B ran", 3, [b_runs]
    mov eax, [b_eflags]
    and eax, 0x4000
    CHECK "JMP TSS: NT clear in B", 0, eax
    CHECK "JMP TSS: no back link written", 0, [b_link]
    CHECK "JMP TSS: A not busy while B runs", 0x89, [b_type_a]
    str eax
    CHECK "JMP TSS: B jumped back to A", SEL_TSS, eax
    movzx eax, byte [gdt + SEL_TSS + 5]
    CHECK "JMP TSS: A busy again", 0x8B, eax
    movzx eax, byte [gdt + SEL_TSS2 + 5]
    CHECK "JMP TSS: B not busy after the JMP back", 0x89, eax

    ; ---- #GP handled by a task ----
    mov eax, 13
    mov ebx, SEL_TSS_C
    mov cl, 0x85
    call set_gate32
    mov ax, 0x1F8
.gp:
    mov ds, ax                          ; #GP(1F8h) -> task C
.gp_resume:
    CHECK "#GP task: C got the error code on its stack", 0x1F8, [c_ec]
    CHECK "#GP task: error code pushed on C's stack", STACK_C - 4, [c_esp]
    CHECK "#GP task: A's TSS saved the faulting EIP", .gp, [c_a_eip]
    CHECK "#GP task: back link = A", SEL_TSS, [c_link]
    mov eax, 13
    mov ebx, exc_stubs32 + 13 * 16
    mov cl, 0x8E
    call set_gate32

    ; ---- CALL to a busy TSS ----
    EXPECT_EXC .busy_done
.busy:
    call SEL_TSS:0                      ; A itself: busy
.busy_done:
    CHECK_EXC "CALL to a busy TSS is #GP(sel)", 13, SEL_TSS, .busy
    FINISH "task"

; ---- task B: records what it sees, returns by IRET (nested) or JMP ----
task_b:
    inc dword [b_runs]
    str eax
    mov [b_tr], eax
    pushfd
    pop eax
    mov [b_eflags], eax
    movzx eax, word [TSS_B]
    mov [b_link], eax
    movzx eax, byte [gdt + SEL_TSS + 5]
    mov [b_type_a], eax
    movzx eax, byte [gdt + SEL_TSS2 + 5]
    mov [b_type_b], eax
    mov [b_ebx], ebx
    mov ebx, 0xBBBB                     ; saved in B's TSS, not A's
    test dword [b_eflags], 0x4000
    jz .jmp_back
    iretd
.again:
    jmp task_b
.jmp_back:
    jmp SEL_TSS:0
    jmp task_b

; ---- task C: #GP handler task ----
task_c:
    mov eax, [esp]
    mov [c_ec], eax
    mov [c_esp], esp
    mov eax, [TSS_AREA + 32]
    mov [c_a_eip], eax
    movzx eax, word [TSS_C]
    mov [c_link], eax
    mov dword [TSS_AREA + 32], main.gp_resume    ; resume A after the fault
    add esp, 4
    iretd
    jmp task_c

%include "systest_lib.inc"
