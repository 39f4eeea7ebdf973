; modes.asm - operating-mode switches (Intel SDM Vol. 3A 9.9 "Mode
; switching", 3.4.3 hidden descriptor caches, 20.1 real-address mode):
; real mode -> 16-bit protected mode -> 32-bit protected mode -> 16-bit
; protected mode -> real mode, where the 4 GiB limits loaded in protected
; mode survive ("unreal" / big real mode), even across real-mode reloads
; of the selector, which change only selector and base.
%include "systest.inc"

main:
    PRINT "systest modes: real -> pm16 -> pm32 -> pm16 -> real (unreal)"
    ; ---- real mode after reset ----
    xor eax, eax
    smsw ax
    and eax, 1
    CHECK "real: CR0.PE clear after reset", 0, eax
    xor eax, eax
    mov ax, cs
    CHECK "real: CS = 0 after the far jump", 0, eax
    mov ax, 0x1000
    mov es, ax
    mov dword [es:0x10], 0x11223344
    mov ax, 0x1001
    mov fs, ax
    mov eax, [fs:0]
    CHECK "real: linear = selector * 16 + offset", 0x11223344, eax
    mov word [0x40 * 4], rm_int40
    mov word [0x40 * 4 + 2], 0
    xor eax, eax
    int 0x40
    CHECK "real: INT 40h through the IVT", 0x4040, eax
    mov word [13 * 4], rm_gp
    mov word [13 * 4 + 2], 0
    EXPECT_EXC .rgp_done
.rgp:
    mov eax, [dword 0x10000]            ; beyond DS's 64 KiB real-mode limit
.rgp_done:
    CHECK "real: offset beyond the 64 KiB limit is #GP (IVT 13)", 13, [exc_vector]
    CHECK "real: #GP saved IP", .rgp, [exc_eip]
    mov dword [0x600], 0xAAAA
    mov ax, 0xFFFF
    mov gs, ax
    mov dword [gs:0x610], 0x5555        ; linear 0x100600 with A20 on
    mov eax, [0x600]
    CHECK "real: A20 on (FFFF:0610 is not 0000:0600)", 0xAAAA, eax
    mov ax, 0x0800                      ; far jump into another code segment
    push ax
    push word rm_seg800 - 0x8000
    retf
rm_seg800_back:
    CHECK "real: far jump to 0800:xxxx ran with CS = 0800", 0x0800, ebx

    ; ---- 16-bit protected mode ----
    cli
    lgdt [gdtr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp SEL_CODE16:pm16a
pm16a:
    mov ax, SEL_DATA16
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, STACK0_TOP
    mov eax, cr0
    and eax, 1
    CHECK "pm16: CR0.PE set", 1, eax
    xor eax, eax
    mov ax, cs
    CHECK "pm16: CS = code16 selector", SEL_CODE16, eax
    mov ebx, esp
    push word 1                         ; 16-bit default operand size
    sub ebx, esp
    add sp, 2
    CHECK "pm16: PUSH imm moves SP by 2", 2, ebx
    mov cx, cs
    lar eax, cx
    CHECK "pm16: LAR of CS (present, DPL0, code, accessed)", 0x9B00, eax
    lsl eax, cx
    CHECK "pm16: LSL of CS = FFFF", 0xFFFF, eax
    jmp SEL_CODE32:pm32

bits 32
pm32:
    mov ax, SEL_DATA32
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, STACK0_TOP
    call idt_init32
    mov eax, cs
    CHECK "pm32: CS = code32 selector", SEL_CODE32, eax
    mov ebx, esp
    push dword 1
    sub ebx, esp
    add esp, 4
    CHECK "pm32: PUSH imm moves ESP by 4", 4, ebx
    sgdt [scratch]
    movzx eax, word [scratch]
    CHECK "pm32: SGDT limit", gdt_end - gdt - 1, eax
    CHECK "pm32: SGDT base", gdt, [scratch + 2]
    mov dword [0x200000], 0xCAFEBABE
    mov dword [0x300000], 0x600DF00D
    mov dword [0x400000], 0
    CHECK "pm32: memory above 1 MiB", 0xCAFEBABE, [0x200000]
    mov ax, SEL_DATA32
    lsl eax, ax
    CHECK "pm32: LSL of data32 = FFFFFFFF", 0xFFFFFFFF, eax
    mov ax, 0x1F8                       ; beyond the GDT limit
    EXPECT_EXC .gp1_done
.gp1:
    mov ds, ax
.gp1_done:
    CHECK_EXC "pm32: #GP(sel) loading DS beyond the GDT limit", 13, 0x1F8, .gp1
    mov ax, SEL_DATA32
    mov ds, ax
    mov eax, cr0
    and al, ~1
    lmsw ax                             ; LMSW cannot clear PE
    mov eax, cr0
    and eax, 1
    CHECK "pm32: LMSW does not clear CR0.PE", 1, eax
    jmp SEL_CODE16:pm16b

bits 16
pm16b:
    mov ax, SEL_DATA16
    mov ds, ax
    mov ss, ax
    EXPECT_EXC .gp2_done
.gp2:
    mov eax, [0xFFFE]                   ; bytes FFFE..10001: beyond the limit
.gp2_done:
    CHECK_EXC "pm16: #GP(0) dword at DS:FFFE, limit FFFF", 13, 0, .gp2
    mov ebp, 0xFFFD
    EXPECT_EXC .ss_done
.ss:
    mov ax, [bp + 2]                    ; SS:FFFF, a word: beyond the limit
.ss_done:
    CHECK_EXC "pm16: #SS(0) word at SS:FFFF, limit FFFF", 12, 0, .ss
    ; big segments for real mode: DS/ES/FS/GS 4 GiB, SS and CS 64 KiB
    mov ax, SEL_DATA32
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ax, SEL_DATA16
    mov ss, ax
    mov eax, cr0
    and al, ~1
    mov cr0, eax
    jmp 0:real2

real2:
    xor ax, ax
    mov ss, ax
    mov ds, ax
    mov es, ax
    lidt [ivt_ptr]
    xor eax, eax
    smsw ax
    and eax, 1
    CHECK "real again: CR0.PE clear", 0, eax
    xor eax, eax
    mov ax, cs
    CHECK "real again: CS = 0", 0, eax
    mov eax, [dword 0x200000]
    CHECK "unreal: DS reloaded in real mode keeps its 4 GiB limit", 0xCAFEBABE, eax
    mov dword [exc_vector], -1
    mov eax, [dword 0x10000]
    CHECK "unreal: DS:10000 no longer faults", -1, [exc_vector]
    mov eax, [fs:dword 0x300000]
    CHECK "unreal: FS (not reloaded) reads above 1 MiB", 0x600DF00D, eax
    mov dword [es:dword 0x400000], 0x13572468
    mov eax, [dword 0x400000]
    CHECK "unreal: ES writes above 1 MiB", 0x13572468, eax
    mov ax, 0x1000                      ; selector change: base 0x10000, limit kept
    mov es, ax
    mov eax, [es:dword 0x1F0000]
    CHECK "unreal: ES = 1000h reaches 0x200000 (base = sel * 16)", 0xCAFEBABE, eax
    xor eax, eax
    int 0x40
    CHECK "real again: INT 40h through the IVT", 0x4040, eax
    FINISH "modes"

rm_int40:
    mov eax, 0x4040
    iret

; real-mode #GP (vector 13 through the IVT, no error code): record, resume
rm_gp:
    push bp
    mov bp, sp
    push eax
    movzx eax, word [bp + 2]
    mov [ss:exc_eip], eax
    mov dword [ss:exc_vector], 13
    mov ax, [ss:exc_resume]
    mov [bp + 2], ax
    pop eax
    pop bp
    iret

ivt_ptr:
    dw 0x3FF
    dd 0

; executed as 0800:xxxx in real mode
rm_seg800:
    xor ebx, ebx
    mov bx, cs
    jmp 0:rm_seg800_back

%include "systest_lib.inc"
