; v86.asm - virtual-8086 mode (Intel SDM Vol. 3A ch. 20): entering it
; with IRETD (EFLAGS.VM in the image), real-mode style addressing, and a
; monitor: with IOPL < 3, INT n, CLI and I/O denied by the TSS bitmap
; raise #GP(0) to the ring-0 #GP handler, which emulates them (20.2.7,
; 20.3.1); the interrupt frame from v86 carries ES/DS/FS/GS and the data
; segment registers are null inside the handler (20.3.1.1). With IOPL = 3
; INT n goes straight through a DPL-3 IDT gate, CLI/PUSHF work, and the
; I/O bitmap still applies (20.2.8.1).
%include "systest.inc"

V86_CS          equ 0x0800              ; linear 0x8000 = the image: IP = label - 0x8000
V86_DS          equ 0x1000
V86_ES          equ 0x2000
V86_SS          equ 0x0700
V86_SP          equ 0x0F00
V86_DATA        equ V86_DS << 4

mon_count       equ scratch
mon_ec          equ scratch + 4
mon_eflags      equ scratch + 8
mon_cs          equ scratch + 12
mon_v86_ds      equ scratch + 16
mon_entry_ds    equ scratch + 20
mon_lin         equ scratch + 24
mon_cli         equ scratch + 28
mon_out         equ scratch + 32
pm_eflags       equ scratch + 36
pm_cs           equ scratch + 40
pm_v86_ds       equ scratch + 44
pm_entry_ds     equ scratch + 48
pm_runs         equ scratch + 52

main:
    PRINT "systest v86: virtual-8086 mode and its monitor"
    ENTER_PM32
    call tss_init32
    or byte [TSS32_IOMAP + 0x80 / 8], 1 << (0x80 & 7)      ; deny port 80h
    mov eax, 13
    mov ebx, v86_monitor
    mov cl, 0x8E
    call set_gate32
    mov eax, 0x21
    mov ebx, v86_int21_pm
    mov cl, 0xEE                        ; DPL 3: reachable from v86 with IOPL 3
    call set_gate32

    ; ---- IOPL 0: the monitor emulates ----
    mov eax, v86_prog1 - IMAGE_BASE
    mov edx, 0x20002                    ; VM, IOPL 0, IF 0
    call enter_v86
    movzx eax, word [V86_DATA + 0]
    CHECK "v86: CS = 0800h inside", V86_CS, eax
    movzx eax, word [V86_DATA + 2]
    CHECK "v86: SS = 0700h inside", V86_SS, eax
    movzx eax, word [(V86_ES << 4) + 4]
    CHECK "v86: ES:4 is linear 20004h", 0xBEEF, eax
    movzx eax, word [V86_DATA + 6]
    CHECK "v86: INT 21h emulated by the monitor (AX)", 0x4D4F, eax
    movzx eax, word [V86_DATA + 8]
    CHECK "v86: program ran to the end", 0x600D, eax
    CHECK "monitor: #GP count (INT 21h, CLI, OUT 80h, INT 30h)", 4, [mon_count]
    CHECK "monitor: CLI trapped with IOPL 0", 1, [mon_cli]
    CHECK "monitor: OUT 80h trapped (bitmap), OUT E9h not", 1, [mon_out]
    CHECK "monitor: #GP error code 0", 0, [mon_ec]
    mov eax, [mon_eflags]
    and eax, 0x23000
    CHECK "monitor: saved EFLAGS has VM, IOPL 0", 0x20000, eax
    CHECK "monitor: saved CS is the v86 CS", V86_CS, [mon_cs]
    CHECK "monitor: frame holds the v86 DS", V86_DS, [mon_v86_ds]
    CHECK "monitor: DS is null on entry from v86", 0, [mon_entry_ds]
    CHECK "monitor: saved CS:IP points at INT 30h", v86_prog1.int30, [mon_lin]

    ; ---- IOPL 3: INT n through the IDT ----
    mov eax, v86_prog2 - IMAGE_BASE
    mov edx, 0x23002                    ; VM, IOPL 3
    call enter_v86
    movzx eax, word [V86_DATA + 0x10]
    and eax, 0x3200
    CHECK "v86 IOPL 3: CLI and PUSHF run (IOPL 3, IF 0)", 0x3000, eax
    movzx eax, word [V86_DATA + 0x12]
    CHECK "v86 IOPL 3: INT 21h through a DPL-3 gate", 0x5A5A, eax
    CHECK "v86 IOPL 3: the gate's handler ran once", 1, [pm_runs]
    mov eax, [pm_eflags]
    and eax, 0x20000
    CHECK "v86 IOPL 3: handler frame EFLAGS has VM", 0x20000, eax
    CHECK "v86 IOPL 3: handler frame CS", V86_CS, [pm_cs]
    CHECK "v86 IOPL 3: handler frame DS", V86_DS, [pm_v86_ds]
    CHECK "v86 IOPL 3: DS null inside the handler", 0, [pm_entry_ds]
    CHECK "v86 IOPL 3: OUT 80h still checked against the bitmap", 2, [mon_out]
    CHECK "v86 IOPL 3: only the OUT reached the monitor", 5, [mon_count]
    FINISH "v86"

; enter_v86: run IP = EAX at V86_CS with EFLAGS = EDX until INT 30h
; (through the monitor or the DPL-3 IDT gate); all registers preserved.
enter_v86:
    pushad
    mov [saved_esp0], esp
    push dword 0                        ; GS
    push dword 0                        ; FS
    push dword V86_DS
    push dword V86_ES
    push dword V86_SS
    push dword V86_SP
    push edx
    push dword V86_CS
    push eax
    iretd

; #GP handler: the v86 monitor (other #GPs go to the reporting stub).
v86_monitor:
    test dword [esp + 12], 0x20000
    jz exc_stubs32 + 13 * 16
    mov [ss:mon_entry_ds], ds
    pushad
    mov ax, SEL_DATA32
    mov ds, ax
    mov es, ax
    inc dword [mon_count]
    mov eax, [esp + 32]
    mov [mon_ec], eax
    mov eax, [esp + 44]
    mov [mon_eflags], eax
    mov eax, [esp + 40]
    mov [mon_cs], eax
    mov eax, [esp + 60]
    mov [mon_v86_ds], eax
    movzx ebx, word [esp + 40]
    shl ebx, 4
    add ebx, [esp + 36]
    mov [mon_lin], ebx
    mov al, [ebx]
    cmp al, 0xCD
    je .int
    cmp al, 0xFA
    je .cli
    cmp al, 0xE6
    je .out
    PRINT "FAIL v86 monitor: unexpected #GP"
    inc dword [v_fail]
    mov esp, STACK0_TOP
    FINISH "v86"
.int:
    cmp byte [ebx + 1], 0x30
    je .exit
    mov word [esp + 28], 0x4D4F         ; the emulated INT 21h: AX
    add dword [esp + 36], 2
    jmp .ret
.cli:
    inc dword [mon_cli]
    inc dword [esp + 36]
    jmp .ret
.out:
    inc dword [mon_out]
    add dword [esp + 36], 2
.ret:
    popad
    add esp, 4
    iretd
.exit:
    mov esp, [saved_esp0]
    popad
    ret

; INT 21h from v86 with IOPL 3 (DPL-3 interrupt gate): frame EIP, CS,
; EFLAGS, ESP, SS, ES, DS, FS, GS.
v86_int21_pm:
    mov [ss:pm_entry_ds], ds
    push eax
    mov eax, [esp + 12]
    mov [ss:pm_eflags], eax
    mov eax, [esp + 8]
    mov [ss:pm_cs], eax
    mov eax, [esp + 28]
    mov [ss:pm_v86_ds], eax
    inc dword [ss:pm_runs]
    pop eax
    mov ax, 0x5A5A
    iretd

bits 16
v86_prog1:
    mov ax, cs
    mov [0], ax
    mov ax, ss
    mov [2], ax
    mov word [es:4], 0xBEEF
    mov ax, 0x1234
    int 0x21
    mov [6], ax
    cli
    out 0x80, al
    mov al, 'v'
    out 0xE9, al
    mov al, 10
    out 0xE9, al
    mov word [8], 0x600D
.int30:
    int 0x30

v86_prog2:
    cli
    pushf
    pop ax
    mov [0x10], ax
    int 0x21
    mov [0x12], ax
    out 0x80, al
    int 0x30

%include "systest_lib.inc"
