; paging.asm - the three paging modes (Intel SDM Vol. 3A ch. 4): 32-bit
; paging with 4 KiB and 4 MiB (PSE) pages (4.3), PAE with 4 KiB and 2 MiB
; pages and execute-disable (4.4, 4.6), 4-level IA-32e paging in long
; mode (4.5, 9.8.5) with 64-bit code, a 64-bit IDT and an IST stack
; (6.14), back to compatibility mode and out of long mode; accessed and
; dirty bits (4.8), CR0.WP (4.6.1), INVLPG and CR3 reloads (4.10.4).
%include "systest.inc"

; 32-bit paging
PD32            equ 0x100000
PT32            equ 0x101000            ; 0..4 MiB identity
PT32B           equ 0x102000            ; 8 MiB.. test aliases
; PAE
PAE_PDPT        equ 0x110000
PAE_PDA         equ 0x111000            ; 0..4 MiB identity, 2 MiB pages
PAE_PDB         equ 0x112000            ; 1 GiB..
PAE_PTB         equ 0x113000
; IA-32e
PML4            equ 0x120000
L_PDPT          equ 0x121000
L_PD            equ 0x122000            ; 0..8 MiB identity, 2 MiB pages
H_PDPT          equ 0x123000            ; FFFF8000_00000000..
H_PD            equ 0x124000
H_PT            equ 0x125000
HIGH_BASE       equ 0xFFFF800000000000

main:
    PRINT "systest paging: 32-bit 4K/4M, PAE + NX, 4-level long mode"
    ENTER_PM32
    mov dword [0x200000], 0x11111111
    mov dword [0x201000], 0x22222222
    mov dword [0x203000], 0x33333333
    mov dword [0x204000], 0xC3C3C3C3    ; RET RET RET RET
    mov dword [0x600], 0x66666666

    ; ---- 32-bit paging ----
    mov edi, PD32
    mov ecx, 3 * 1024
    xor eax, eax
    rep stosd
    mov dword [PD32], PT32 | 7
    mov dword [PD32 + 1 * 4], 0x400000 | 0x87      ; 4 MiB identity
    mov dword [PD32 + 2 * 4], PT32B | 7            ; 8 MiB: aliases
    mov dword [PD32 + 3 * 4], 0x400000 | 0x87      ; 12 MiB -> 4 MiB (4 MiB page)
    xor ecx, ecx
.id32:
    mov eax, ecx
    shl eax, 12
    or eax, 7
    mov [PT32 + ecx * 4], eax
    inc ecx
    cmp ecx, 1024
    jb .id32
    mov dword [PT32B + 0 * 4], 0x200000 | 7        ; 0x800000
    mov dword [PT32B + 1 * 4], 0x201000 | 7        ; 0x801000
    mov dword [PT32B + 2 * 4], 0x202000 | 1        ; 0x802000 read-only
    mov eax, cr4
    or eax, 1 << 4                                 ; PSE
    mov cr4, eax
    mov eax, PD32
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov eax, cr0
    shr eax, 31
    CHECK "32-bit: CR0.PG set, code runs identity mapped", 1, eax
    CHECK "32-bit: 4 KiB alias 0x800000 -> 0x200000", 0x11111111, [0x800000]
    mov eax, [PT32B + 1 * 4]
    and eax, 0x60
    CHECK "32-bit: PTE A/D clear before any access", 0, eax
    mov eax, [0x801000]
    mov eax, [PT32B + 1 * 4]
    and eax, 0x60
    CHECK "32-bit: a read sets A only", 0x20, eax
    mov dword [0x801004], 5
    mov eax, [PT32B + 1 * 4]
    and eax, 0x60
    CHECK "32-bit: a write sets D", 0x60, eax
    mov eax, [PD32 + 2 * 4]
    and eax, 0x60
    CHECK "32-bit: PDE gets A, never D", 0x20, eax
    mov dword [0x400010], 0x44444444
    CHECK "32-bit: 4 MiB page 0xC00000 -> 0x400000", 0x44444444, [0xC00010]
    mov dword [0xC00020], 1
    mov eax, [PD32 + 3 * 4]
    and eax, 0x60
    CHECK "32-bit: write sets D in a 4 MiB PDE", 0x60, eax
    mov dword [0x802000], 0x77                      ; CR0.WP = 0: allowed
    CHECK "32-bit: supervisor write to a read-only page with WP = 0", 0x77, [0x202000]
    mov eax, cr0
    or eax, 1 << 16
    mov cr0, eax
    EXPECT_EXC .wp_done
.wp:
    mov dword [0x802004], 0x88
.wp_done:
    CHECK_EXC "32-bit: #PF supervisor write, read-only, WP = 1", 14, 3, .wp
    CHECK "32-bit: #PF WP: CR2", 0x802004, [exc_cr2]
    CHECK "32-bit: the faulting write did not happen", 0, [0x202004]
    EXPECT_EXC .np_done
.np:
    mov eax, [0x803008]
.np_done:
    CHECK_EXC "32-bit: #PF not present", 14, 0, .np
    CHECK "32-bit: #PF not present: CR2", 0x803008, [exc_cr2]
    mov eax, [0x800000]                            ; cached in the TLB
    mov dword [PT32B], 0x203000 | 7
    invlpg [0x800000]
    CHECK "32-bit: INVLPG: the new 4 KiB mapping is used", 0x33333333, [0x800000]
    mov eax, [0xC00600]
    mov dword [PD32 + 3 * 4], 0x000000 | 0x87
    invlpg [0xC00000]
    CHECK "32-bit: INVLPG of a 4 MiB page", 0x66666666, [0xC00600]
    mov dword [PT32B], 0x201000 | 7
    mov eax, cr3
    mov cr3, eax
    CHECK "32-bit: CR3 reload flushes the TLB", 0x22222222, [0x800000]
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax

    ; ---- PAE ----
    mov edi, PAE_PDPT
    mov ecx, 4 * 1024
    xor eax, eax
    rep stosd
    mov dword [PAE_PDPT], PAE_PDA | 1
    mov dword [PAE_PDPT + 8], PAE_PDB | 1
    mov dword [PAE_PDA], 0x000000 | 0x87
    mov dword [PAE_PDA + 8], 0x200000 | 0x87
    mov dword [PAE_PDB], PAE_PTB | 7               ; 0x40000000: 4 KiB pages
    mov dword [PAE_PDB + 8], 0x200000 | 0x87       ; 0x40200000: 2 MiB page
    mov dword [PAE_PTB], 0x200000 | 7
    mov dword [PAE_PTB + 8], 0x204000 | 7          ; 0x40001000: NX
    mov dword [PAE_PTB + 8 + 4], 0x80000000
    mov ecx, 0xC0000080
    rdmsr
    or eax, 1 << 11                                ; EFER.NXE
    wrmsr
    mov eax, cr4
    or eax, 1 << 5
    mov cr4, eax
    mov eax, PAE_PDPT
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    CHECK "PAE: 4 KiB page 0x40000000 -> 0x200000", 0x11111111, [0x40000000]
    CHECK "PAE: 2 MiB page 0x40200000 -> 0x200000", 0x11111111, [0x40200000]
    mov dword [0x40000008], 9
    mov eax, [PAE_PTB]
    and eax, 0x60
    CHECK "PAE: write sets A and D in the 8-byte PTE", 0x60, eax
    CHECK "PAE: NX page is readable", 0xC3C3C3C3, [0x40001000]
    EXPECT_EXC .nx_done
    mov eax, 0x40001000
    call eax
.nx_done:
    add esp, 4                                     ; CALL's return address
    CHECK_EXC "PAE: #PF fetch from an NX page (ec P|I)", 14, 0x11, 0x40001000
    CHECK "PAE: #PF NX: CR2", 0x40001000, [exc_cr2]
    mov ecx, 0xC0000080
    rdmsr
    and eax, ~(1 << 11)                            ; NXE off: bit 63 is reserved
    wrmsr
    EXPECT_EXC .rs_done
.rs:
    mov eax, [0x40001000]
.rs_done:
    CHECK_EXC "PAE: XD set with EFER.NXE = 0 is reserved (ec P|RSVD)", 14, 9, .rs
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax

    ; ---- IA-32e: 4-level paging, long mode ----
    mov edi, PML4
    mov ecx, 6 * 1024
    xor eax, eax
    rep stosd
    mov dword [PML4], L_PDPT | 7
    mov dword [PML4 + 256 * 8], H_PDPT | 7
    mov dword [L_PDPT], L_PD | 7
    mov dword [L_PD], 0x000000 | 0x87
    mov dword [L_PD + 8], 0x200000 | 0x87
    mov dword [L_PD + 16], 0x400000 | 0x87
    mov dword [L_PD + 24], 0x600000 | 0x87
    mov dword [H_PDPT], H_PD | 7
    mov dword [H_PD], H_PT | 7
    mov dword [H_PT], 0x200000 | 7
    mov eax, PML4
    mov cr3, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, (1 << 8) | (1 << 11)                   ; LME, NXE
    wrmsr
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov ecx, 0xC0000080
    rdmsr
    and eax, 1 << 10
    CHECK "long: CR0.PG with EFER.LME sets EFER.LMA (compatibility mode)", 1 << 10, eax
    jmp SEL_CODE64:lm64

bits 64
lm64:
    mov ax, SEL_DATA64
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, STACK0_TOP
    call idt_init64
    call tss_init64
    mov eax, cs
    CHECK "long: CS = 64-bit code selector", SEL_CODE64, rax
    mov rax, 0x123456789ABCDEF0
    mov rbx, rax
    ror rax, 32
    rol rax, 32
    CHECK "long: 64-bit registers", rbx, rax
    lea rax, [rel lm64]
    mov rbx, lm64
    CHECK "long: RIP-relative addressing", rbx, rax
    mov rax, HIGH_BASE
    mov eax, [rax]
    CHECK "long: 4-level walk FFFF8000_00000000 -> 0x200000", 0x11111111, rax
    mov eax, [PML4 + 256 * 8]
    and eax, 0x20
    CHECK "long: PML4E accessed bit", 0x20, rax
    mov rax, HIGH_BASE + 0x10
    mov dword [rax], 0xABCD
    mov eax, [H_PT]
    and eax, 0x60
    CHECK "long: write sets A and D in the PTE", 0x60, rax
    mov eax, [0x200010]
    CHECK "long: the write reached 0x200010", 0xABCD, rax
    mov rbx, 0x0000700000000000 + 0x18
    EXPECT_EXC .pf_done
.pf:
    mov rax, [rbx]
.pf_done:
    CHECK_EXC "long: #PF not present", 14, 0, .pf
    CHECK "long: #PF CR2 holds all 64 bits", rbx, [exc_cr2]
    mov rbx, 0x8000000000000000
    EXPECT_EXC .gp_done
.gp:
    mov rax, [rbx]
.gp_done:
    CHECK_EXC "long: #GP(0) non-canonical address", 13, 0, .gp
    ; IST: #UD on IST1
    mov eax, 6
    mov rbx, exc_stubs64 + 6 * 16
    mov ecx, 0x018E                                ; IST 1, interrupt gate
    call set_gate64
    EXPECT_EXC .ist_done
.ist:
    ud2
.ist_done:
    CHECK_EXC "long: #UD through an IST gate", 6, -1, .ist
    CHECK "long: IST1 stack used (RIP slot at IST1_TOP - 40)", IST1_TOP - 40, [exc_rsp]
    mov rax, rsp
    CHECK "long: back on the old stack after IRETQ", STACK0_TOP, rax
    ; no IST: RSP aligned down to 16 before the push
    sub rsp, 8
    mov rbx, rsp
    and rbx, ~15
    sub rbx, 40
    EXPECT_EXC .al_done
    int3
.al:
.al_done:
    add rsp, 8
    CHECK_EXC "long: #BP INT3 in 64-bit mode", 3, -1, .al
    CHECK "long: interrupt frame aligned to 16 bytes", rbx, [exc_rsp]
    CHECK "long: saved RSP (old stack, misaligned)", STACK0_TOP - 8, [exc_frame + 24]
    CHECK "long: saved SS", SEL_DATA64, [exc_frame + 32]
    ; NX in long mode
    mov dword [L_PD + 8 + 4], 0x80000000           ; 2..4 MiB: XD
    invlpg [0x204000]
    EXPECT_EXC .nx_done
    mov rax, 0x204000
    call rax
.nx_done:
    add rsp, 8
    CHECK_EXC "long: #PF fetch from an NX 2 MiB page", 14, 0x11, 0x204000
    mov dword [L_PD + 8 + 4], 0
    invlpg [0x204000]
    ; back to compatibility mode
    jmp far dword [rel compat_ptr]

bits 32
compat:
    mov eax, cs
    CHECK "compat: CS = 32-bit code in long mode", SEL_CODE32, eax
    mov ecx, 0xC0000080
    rdmsr
    and eax, 1 << 10
    CHECK "compat: EFER.LMA still set", 1 << 10, eax
    EXPECT_EXC .bp_done
    int3
.bp:
.bp_done:
    CHECK_EXC "compat: INT3 through the 64-bit IDT", 3, -1, .bp
    CHECK "compat: saved CS", SEL_CODE32, [exc_cs]
    mov eax, cr0
    and eax, 0x7FFFFFFF
    mov cr0, eax
    mov ecx, 0xC0000080
    rdmsr
    and eax, 1 << 10
    CHECK "legacy: CR0.PG = 0 clears EFER.LMA", 0, eax
    mov ax, SEL_DATA32
    mov ds, ax
    mov es, ax
    mov ss, ax
    lidt [idtr32]
    EXPECT_EXC .ud_done
.ud:
    ud2
.ud_done:
    CHECK_EXC "legacy: #UD through the 32-bit IDT again", 6, -1, .ud
    FINISH "paging"

compat_ptr:
    dd compat
    dw SEL_CODE32

%include "systest_lib.inc"
