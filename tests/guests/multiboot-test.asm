; A tiny Multiboot v1 test kernel for direct boot (-kernel). It checks the
; machine state the Multiboot Specification 0.6.96 §3.2 promises (EAX =
; 0x2BADB002, protected mode without paging, interrupts off, bss zeroed) and
; the information structure of §3.3 (memory fields, memory map, command
; line, modules), then prints one line to the debug console (port 0xE9) and
; COM1:
;   MULTIBOOT OK mem_lower=639 mem_upper=261120 mmap=6 mods=2 cmdline='...'
;     mod0='<first bytes>' cmd='...' mod1=...
; or "MULTIBOOT FAIL <reason>", and writes isa-debug-exit at 0xF4: 0x10 when
; everything holds (exit status 33), 0x11 on failure (exit status 35).
;
; Assembled at test time with nasm alone (no linker, so any host can build
; it): `nasm -f bin` gives the a.out-kludge image (flags bit 16, the file
; loads at 1 MiB); `nasm -f bin -DELF` gives an ELF32 executable with one
; PT_LOAD segment at 1 MiB (ELF header written out by hand below, per the
; System V ABI "ELF Header" and "Program Header"), which exercises the
; loader's ELF path.

%define MB_MAGIC 0x1badb002
%define MB_BOOT_MAGIC 0x2badb002
%define EXIT_PASS 0x10
%define EXIT_FAIL 0x11

bits 32
    org 0x100000
file_start:
%ifdef ELF
%define MB_FLAGS 0x00000003             ; page-align modules, memory info
    db 0x7f, 'ELF', 1, 1, 1, 0          ; ELFCLASS32, little-endian, version 1
    times 8 db 0
    dw 2                                ; e_type: ET_EXEC
    dw 3                                ; e_machine: EM_386
    dd 1                                ; e_version
    dd start                            ; e_entry
    dd program_header - file_start      ; e_phoff
    dd 0                                ; e_shoff
    dd 0                                ; e_flags
    dw 52                               ; e_ehsize
    dw 32                               ; e_phentsize
    dw 1                                ; e_phnum
    dw 0, 0, 0                          ; no section headers
program_header:
    dd 1                                ; PT_LOAD
    dd 0                                ; p_offset: the whole file ...
    dd file_start                       ; p_vaddr
    dd file_start                       ; p_paddr: ... at 1 MiB
    dd load_end - file_start            ; p_filesz
    dd bss_end - file_start             ; p_memsz: plus the bss
    dd 7                                ; p_flags: RWX
    dd 0x1000                           ; p_align
%else
%define MB_FLAGS 0x00010003             ; ... and the a.out-kludge addresses
%endif

    align 4, db 0
mb_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
%ifndef ELF
    dd mb_header                        ; header_addr
    dd file_start                       ; load_addr: the file starts here
    dd load_end                         ; load_end_addr
    dd bss_end                          ; bss_end_addr
    dd start                            ; entry_addr
%endif

start:
    mov esp, stack_top
    mov edi, eax                        ; keep the boot registers
    mov esi, ebx
    pushfd
    pop eax
    test eax, 0x200
    mov ebx, why_if
    jnz fail
    mov eax, cr0
    test eax, 1
    mov ebx, why_pe
    jz fail
    test eax, 0x80000000
    mov ebx, why_pg
    jnz fail
    cmp edi, MB_BOOT_MAGIC
    mov ebx, why_magic
    jne fail
    ; bss must be zero
    mov ecx, bss_words
    mov edx, bss_start
.bss:
    cmp dword [edx], 0
    mov ebx, why_bss
    jne fail
    add edx, 4
    loop .bss
    ; flags: memory (0), command line (2), modules (3), map (6)
    mov eax, [esi]
    and eax, 0x4d
    cmp eax, 0x4d
    mov ebx, why_flags
    jne fail
    cmp dword [esi + 8], 0
    mov ebx, why_upper
    je fail
    cmp dword [esi + 44], 0
    mov ebx, why_mmap
    je fail

    mov ebx, msg_ok
    call puts
    mov eax, [esi + 4]
    call putdec
    mov ebx, msg_upper
    call puts
    mov eax, [esi + 8]
    call putdec
    mov ebx, msg_mmap
    call puts
    mov eax, [esi + 44]
    xor edx, edx
    mov ecx, 24
    div ecx
    call putdec
    mov ebx, msg_mods
    call puts
    mov eax, [esi + 20]
    call putdec
    mov ebx, msg_cmdline
    call puts
    mov ebx, [esi + 16]
    call puts
    mov al, "'"
    call putc

    ; each module: its first bytes and its command line
    mov ebp, [esi + 24]
    xor edi, edi
.mod:
    cmp edi, [esi + 20]
    jae .done
    mov ebx, msg_mod
    call puts
    mov eax, edi
    call putdec
    mov al, '='
    call putc
    mov al, "'"
    call putc
    mov ebx, [ebp]                      ; mod_start
    mov ecx, [ebp + 4]
    sub ecx, ebx                        ; length
    cmp ecx, 16
    jbe .short
    mov ecx, 16
.short:
    jecxz .bytes_done
.bytes:
    mov al, [ebx]
    cmp al, 0x20
    jb .bytes_done                      ; stop at a newline
    call putc
    inc ebx
    loop .bytes
.bytes_done:
    mov ebx, msg_modcmd
    call puts
    mov ebx, [ebp + 8]
    call puts
    mov al, "'"
    call putc
    add ebp, 16
    inc edi
    jmp .mod
.done:
    mov al, 10
    call putc
    mov al, EXIT_PASS
    out 0xf4, al
    hlt
    jmp $

fail:
    push ebx
    mov ebx, msg_fail
    call puts
    pop ebx
    call puts
    mov al, 10
    call putc
    mov al, EXIT_FAIL
    out 0xf4, al
    hlt
    jmp $

; putc: AL to port 0xE9 and COM1.
putc:
    out 0xe9, al
    push edx
    mov dx, 0x3f8
    out dx, al
    pop edx
    ret

; puts: the NUL-terminated string at EBX (at most 200 characters).
puts:
    push ecx
    mov ecx, 200
.next:
    mov al, [ebx]
    test al, al
    jz .end
    call putc
    inc ebx
    loop .next
.end:
    pop ecx
    ret

; putdec: EAX in decimal.
putdec:
    push ebx
    push ecx
    push edx
    mov ebx, 10
    xor ecx, ecx
.div:
    xor edx, edx
    div ebx
    push edx
    inc ecx
    test eax, eax
    jnz .div
.out:
    pop eax
    add al, '0'
    call putc
    loop .out
    pop edx
    pop ecx
    pop ebx
    ret

msg_ok:      db 'MULTIBOOT OK mem_lower=', 0
msg_upper:   db ' mem_upper=', 0
msg_mmap:    db ' mmap=', 0
msg_mods:    db ' mods=', 0
msg_cmdline: db " cmdline='", 0
msg_mod:     db ' mod', 0
msg_modcmd:  db "' cmd='", 0
msg_fail:    db 'MULTIBOOT FAIL ', 0
why_if:      db 'interrupts enabled', 0
why_pe:      db 'not in protected mode', 0
why_pg:      db 'paging enabled', 0
why_magic:   db 'EAX is not 0x2BADB002', 0
why_bss:     db 'bss not zeroed', 0
why_flags:   db 'info flags miss memory/cmdline/modules/mmap', 0
why_upper:   db 'mem_upper is 0', 0
why_mmap:    db 'memory map is empty', 0

    align 16, db 0
load_end:
bss_start equ load_end
bss_words equ 1024
bss_end equ load_end + 4 * bss_words + 4096
stack_top equ bss_end
