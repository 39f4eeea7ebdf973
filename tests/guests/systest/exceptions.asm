; exceptions.asm - every exception class with its vector, error code and
; saved CS:EIP (Intel SDM Vol. 3A 6.3 Table 6-1, 6.13 error codes, 6.15
; exception reference; 4.7 page-fault error codes), in 32-bit protected
; mode at CPL 0 and, for #PF's U bit, CPL 3. Faults save the EIP of the
; faulting instruction, traps (INT3, INTO, ICEBP, TF single-step) the EIP
; after it.
%include "systest.inc"

SEL_NP_DATA     equ SEL_FREE            ; 78: data, not present
SEL_NP_STACK    equ SEL_FREE + 0x08     ; 80: writable data, not present
SEL_SMALL_SS    equ SEL_FREE + 0x10     ; 88: writable data, limit 7FFF
SEL_XONLY       equ SEL_FREE + 0x18     ; 90: execute-only code
SEL_RODATA      equ SEL_FREE + 0x20     ; 98: read-only data

PDPT            equ 0x100000
PD              equ 0x101000
PT              equ 0x102000
PG_NP           equ 0x1F0000            ; not present
PG_RO_SUP       equ 0x1F1000            ; read-only, supervisor
PG_NX           equ 0x1F2000            ; execute-disable
PG_RSVD         equ 0x1F3000            ; reserved bit 45 set in the PTE

main:
    PRINT "systest exceptions: vectors, error codes, saved CS:EIP"
    ENTER_PM32
    call tss_init32
    mov edx, SEL_NP_DATA
    xor eax, eax
    mov ebx, 0xFFFF
    mov cl, 0x12                        ; data, P = 0
    call set_sysdesc
    mov edx, SEL_NP_STACK
    call set_sysdesc                    ; also P = 0
    mov edx, SEL_SMALL_SS
    mov ebx, 0x7FFF
    mov cl, 0x92
    call set_sysdesc
    mov edx, SEL_XONLY
    mov ebx, 0xFFFF
    mov cl, 0x98
    call set_sysdesc
    mov edx, SEL_RODATA
    mov cl, 0x90
    call set_sysdesc

    ; ---- #DE (fault) ----
    xor ecx, ecx
    mov eax, 1
    xor edx, edx
    EXPECT_EXC .de1_done
.de1:
    div ecx
.de1_done:
    CHECK_EXC "#DE DIV by zero", 0, -1, .de1
    CHECK "#DE saved CS", SEL_CODE32, [exc_cs]
    mov eax, 0x80000000
    mov edx, -1
    mov ecx, -1
    EXPECT_EXC .de2_done
.de2:
    idiv ecx
.de2_done:
    CHECK_EXC "#DE IDIV 80000000h / -1 overflow", 0, -1, .de2
    mov ax, 0x1000
    mov bl, 2
    EXPECT_EXC .de3_done
.de3:
    div bl                              ; quotient 800h does not fit AL
.de3_done:
    CHECK_EXC "#DE DIV r/m8 quotient overflow", 0, -1, .de3

    ; ---- #DB ----
    EXPECT_EXC .db1_done
    icebp                               ; INT1: a trap, saves the next EIP
.db1:
.db1_done:
    CHECK_EXC "#DB ICEBP (trap)", 1, -1, .db1
    EXPECT_EXC .db2_done
    pushfd
    or dword [esp], 0x100
    popfd
    nop                                 ; the trap comes after this one
.db2:
    nop
    nop
.db2_done:
    CHECK_EXC "#DB TF single-step after POPF + 1 insn", 1, -1, .db2
    mov eax, dr6
    and eax, 0x4000
    CHECK "#DB TF single-step sets DR6.BS", 0x4000, eax
    mov eax, [exc_eflags]
    and eax, 0x100
    CHECK "#DB saved EFLAGS has TF", 0x100, eax

    ; ---- #BP (trap) ----
    EXPECT_EXC .bp1_done
    int3
.bp1:
.bp1_done:
    CHECK_EXC "#BP INT3", 3, -1, .bp1
    EXPECT_EXC .bp2_done
    int 3                               ; CD 03: the two-byte form
.bp2:
.bp2_done:
    CHECK_EXC "#BP INT 3 (CD 03)", 3, -1, .bp2

    ; ---- #OF (trap) ----
    mov dword [exc_count], 0
    xor eax, eax                        ; OF = 0: no exception
    into
    CHECK "INTO with OF = 0 raises nothing", 0, [exc_count]
    mov al, 0x7F
    add al, 1                           ; OF = 1
    EXPECT_EXC .of_done
    into
.of:
.of_done:
    CHECK_EXC "#OF INTO with OF = 1", 4, -1, .of

    ; ---- #BR (fault) ----
    mov dword [exc_count], 0
    mov eax, 3
    bound eax, [bounds]
    CHECK "BOUND in range raises nothing", 0, [exc_count]
    mov eax, 10
    EXPECT_EXC .br_done
.br:
    bound eax, [bounds]
.br_done:
    CHECK_EXC "#BR BOUND 10 outside [0, 5]", 5, -1, .br

    ; ---- #UD (fault) ----
    EXPECT_EXC .ud1_done
.ud1:
    ud2
.ud1_done:
    CHECK_EXC "#UD UD2", 6, -1, .ud1
    EXPECT_EXC .ud2_done
.ud2:
    db 0x8E, 0xC8                       ; mov cs, ax
.ud2_done:
    CHECK_EXC "#UD MOV CS, AX", 6, -1, .ud2
    EXPECT_EXC .ud3_done
.ud3:
    db 0xF0, 0x90                       ; lock nop
.ud3_done:
    CHECK_EXC "#UD LOCK on a non-lockable instruction", 6, -1, .ud3

    ; ---- #NP (fault, selector error code) ----
    mov ax, SEL_NP_DATA
    EXPECT_EXC .np1_done
.np1:
    mov ds, ax
.np1_done:
    CHECK_EXC "#NP(sel) MOV DS, not-present data", 11, SEL_NP_DATA, .np1
    mov eax, 0x80
    mov ebx, exc_stubs32
    mov cl, 0x0E                        ; 32-bit interrupt gate, P = 0
    call set_gate32
    EXPECT_EXC .np2_done
.np2:
    int 0x80                            ; gate not present: IDT bit (2) in the code
.np2_done:
    CHECK_EXC "#NP(vec*8+2) INT 80h, gate not present", 11, 0x80 * 8 + 2, .np2

    ; ---- #SS (fault) ----
    mov ax, SEL_NP_STACK
    EXPECT_EXC .ss1_done
.ss1:
    mov ss, ax
.ss1_done:
    CHECK_EXC "#SS(sel) MOV SS, not-present data", 12, SEL_NP_STACK, .ss1
    mov ax, SEL_SMALL_SS
    mov ss, ax
    mov ebp, 0x9000
    EXPECT_EXC .ss2_done
.ss2:
    mov eax, [ebp]                      ; SS-relative, beyond the limit 7FFF
.ss2_done:
    mov ax, SEL_DATA32
    mov ss, ax
    CHECK_EXC "#SS(0) [EBP] beyond the SS limit", 12, 0, .ss2

    ; ---- #GP (fault) ----
    mov ax, 0x1F8
    EXPECT_EXC .gp1_done
.gp1:
    mov ds, ax
.gp1_done:
    CHECK_EXC "#GP(sel) MOV DS, selector beyond the GDT limit", 13, 0x1F8, .gp1
    mov ax, SEL_XONLY
    EXPECT_EXC .gp2_done
.gp2:
    mov ds, ax
.gp2_done:
    CHECK_EXC "#GP(sel) MOV DS, execute-only code", 13, SEL_XONLY, .gp2
    mov ax, SEL_DATA32 | 3
    EXPECT_EXC .gp3_done
.gp3:
    mov es, ax
.gp3_done:
    CHECK_EXC "#GP(sel) MOV ES, RPL 3 > DPL 0", 13, SEL_DATA32, .gp3
    mov ax, SEL_CODE32
    EXPECT_EXC .gp4_done
.gp4:
    mov ss, ax
.gp4_done:
    CHECK_EXC "#GP(sel) MOV SS, code segment", 13, SEL_CODE32, .gp4
    mov ax, SEL_RODATA
    mov es, ax
    EXPECT_EXC .gp5_done
.gp5:
    mov [es:scratch], eax
.gp5_done:
    CHECK_EXC "#GP(0) write to read-only data", 13, 0, .gp5
    xor ax, ax
    mov es, ax
    EXPECT_EXC .gp6_done
.gp6:
    mov eax, [es:scratch]
.gp6_done:
    CHECK_EXC "#GP(0) access through null ES", 13, 0, .gp6
    mov ax, SEL_DATA32
    mov es, ax
    EXPECT_EXC .gp7_done
.gp7:
    jmp SEL_DATA32:0
.gp7_done:
    CHECK_EXC "#GP(sel) far JMP to a data segment", 13, SEL_DATA32, .gp7
    EXPECT_EXC .gp8_done
.gp8:
    jmp SEL_CODE16:0x12345
.gp8_done:
    CHECK_EXC "#GP(0) far JMP beyond the CS limit", 13, 0, .gp8
    lidt [idtr_short]
    EXPECT_EXC .gp9_done
.gp9:
    int 0x50                            ; gate beyond the IDT limit
.gp9_done:
    lidt [idtr32]
    CHECK_EXC "#GP(vec*8+2) INT 50h beyond the IDT limit", 13, 0x50 * 8 + 2, .gp9

    ; ---- #DF: #GP while its own gate is not present (#NP): both contributory ----
    mov eax, 13
    mov ebx, exc_stubs32 + 13 * 16
    mov cl, 0x0E                        ; P = 0
    call set_gate32
    mov ax, 0x1F8
    EXPECT_EXC .df_done
.df:
    mov ds, ax
.df_done:
    mov eax, 13
    mov cl, 0x8E
    call set_gate32
    CHECK_EXC "#DF: #NP while delivering #GP (error code 0)", 8, 0, .df

    ; ---- #PF: PAE paging, NX, identity map ----
    call paging_init
    mov dword [exc_cr2], 0
    EXPECT_EXC .pf1_done
.pf1:
    mov eax, [PG_NP + 0x123]
.pf1_done:
    CHECK_EXC "#PF read, not present (ec 0)", 14, 0, .pf1
    CHECK "#PF read, not present: CR2", PG_NP + 0x123, [exc_cr2]
    EXPECT_EXC .pf2_done
.pf2:
    mov dword [PG_NP + 0x456], 1
.pf2_done:
    CHECK_EXC "#PF write, not present (ec W)", 14, 2, .pf2
    CHECK "#PF write, not present: CR2", PG_NP + 0x456, [exc_cr2]
    EXPECT_EXC .pf3_done
.pf3:
    mov dword [PG_RO_SUP + 8], 1
.pf3_done:
    CHECK_EXC "#PF supervisor write, read-only, CR0.WP = 1 (ec P|W)", 14, 3, .pf3
    CHECK "#PF read-only: CR2", PG_RO_SUP + 8, [exc_cr2]
    EXPECT_EXC .pf4_done
    mov eax, PG_NX
.pf4:
    jmp eax
.pf4_done:
    CHECK_EXC "#PF fetch from an NX page (ec P|I)", 14, 0x11, PG_NX
    CHECK "#PF NX fetch: CR2", PG_NX, [exc_cr2]
    mov eax, [PG_NX]
    CHECK "NX page is readable", 0xC3C3C3C3, eax
    EXPECT_EXC .pf5_done
    mov eax, PG_NP + 0x10
.pf5:
    jmp eax
.pf5_done:
    CHECK_EXC "#PF fetch, not present (ec I)", 14, 0x10, PG_NP + 0x10
    EXPECT_EXC .pf6_done
.pf6:
    mov eax, [PG_RSVD + 4]
.pf6_done:
    CHECK_EXC "#PF reserved PTE bit (ec P|RSVD)", 14, 9, .pf6
    CHECK "#PF reserved bit: CR2", PG_RSVD + 4, [exc_cr2]
    ; user-mode faults
    mov eax, user_pf
    mov edx, 0x002
    call ring3_call32
    CHECK_EXC "#PF user read of a supervisor page (ec P|U)", 14, 5, user_pf.f1
    CHECK "#PF user read: saved CS is ring 3", SEL_CODE32_R3 | 3, [exc_frame + 4]
    CHECK "#PF user read: saved SS is ring 3", SEL_DATA32_R3 | 3, [exc_frame + 16]
    CHECK "#PF user read: saved ESP", STACK3_TOP, [exc_frame + 12]
    CHECK "#PF user read: handler stack = TSS ESP0", STACK0_INT - 20, [exc_rsp]
    CHECK "#PF user read: CR2", PG_RO_SUP + 0x20, [exc_cr2]
    CHECK "#PF user write, not present (ec W|U)", 6, [r3_eax]
    CHECK "#PF user write, read-only user page (ec P|W|U)", 7, [r3_ebx]
    FINISH "exceptions"

bits 32
; Ring 3: three page faults; the error codes of the first two in EAX/EBX,
; the last one's record stays in the exc_* variables.
user_pf:
    EXPECT_EXC .f2_done
.f2:
    mov dword [PG_NP], 1
.f2_done:
    mov ecx, [exc_error]
    EXPECT_EXC .f3_done
.f3:
    mov dword [user_ro_page], 1
.f3_done:
    mov ebx, [exc_error]
    EXPECT_EXC .f1_done
.f1:
    mov eax, [PG_RO_SUP + 0x20]
.f1_done:
    mov eax, ecx
    int 0x30

; PAE paging: PDPT[0] -> PD; PD[0] -> PT (4 KiB pages, 0..2 MiB, user,
; writable, identity), PD[1] = 2 MiB page at 2 MiB; special test pages.
paging_init:
    mov edi, PDPT
    mov ecx, 3 * 1024
    xor eax, eax
    rep stosd
    mov dword [PDPT], PD | 1
    mov dword [PD], PT | 7
    mov dword [PD + 8], 0x200000 | 0x87
    xor ecx, ecx
.l: mov eax, ecx
    shl eax, 12
    or eax, 7
    mov [PT + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .l
    mov dword [PT + (PG_NP >> 12) * 8], 0
    mov dword [PT + (PG_RO_SUP >> 12) * 8], PG_RO_SUP | 1          ; P, R/O, supervisor
    mov dword [PT + (PG_NX >> 12) * 8 + 4], 0x80000000               ; XD
    mov dword [PT + (PG_RSVD >> 12) * 8 + 4], 1 << (45 - 32)         ; above MAXPHYADDR (40)
    mov eax, user_ro_page
    shr eax, 12
    mov dword [PT + eax * 8], user_ro_page + 5                       ; P, R/O, user
    mov edi, PG_NX
    mov ecx, 1024
    mov eax, 0xC3C3C3C3                 ; RET everywhere
    rep stosd
    mov ecx, 0xC0000080                 ; EFER.NXE
    rdmsr
    or eax, 1 << 11
    wrmsr
    mov eax, cr4
    or eax, 1 << 5                      ; PAE
    mov cr4, eax
    mov eax, PDPT
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80010000                  ; PG, WP
    mov cr0, eax
    ret

bounds:
    dd 0, 5
idtr_short:
    dw 0x50 * 8 - 1
    dd IDT_BASE

align 4096
user_ro_page:
    times 4096 db 0

%include "systest_lib.inc"
