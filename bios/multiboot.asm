; doppel's Multiboot (v1) option ROM. The board (bios/multiboot_loader.c)
; publishes, as QEMU's -kernel does for a Multiboot image: the kernel image
; with its modules, their command lines and the module list (one blob,
; FW_CFG_KERNEL_ADDR/SIZE/DATA), the entry point (FW_CFG_KERNEL_ENTRY) and
; the Multiboot information structure (FW_CFG_INITRD_ADDR/SIZE/DATA, below
; 1 MiB, its mmap_addr field pointing at a 0x500-byte area for the memory
; map). At boot time this ROM copies both into place with fw_cfg DMA, fills
; mem_lower (INT 12h), the memory map (INT 15h E820) and mem_upper (RAM
; contiguous from 1 MiB), enables A20 and enters the kernel in the machine
; state of the Multiboot Specification 0.6.96 §3.2: EAX = 0x2BADB002,
; EBX = the information structure, CS/DS/ES/FS/GS/SS flat 4 GiB 32-bit
; segments, CR0.PE = 1, paging and interrupts off.
;
; Assembled with nasm -f bin; the build fixes up the checksum byte.

bits 16
cpu 486
org 0

%include "optionrom.inc"

%define MB_MAGIC        0x2badb002
%define MBI_FLAGS       0
%define MBI_MEM_LOWER   4
%define MBI_MEM_UPPER   8
%define MBI_MMAP_LENGTH 44
%define MBI_MMAP_ADDR   48
%define MBI_SIZE        88
%define MBI_FLAG_MMAP   0x40
%define MMAP_AREA_SIZE  0x500       ; the room the board leaves for the map
%define MMAP_ENTRY_SIZE 24          ; u32 size (= 20), u64 base, u64 length, u32 type
%define E820_SMAP       0x534d4150

    OPTION_ROM_HEADER product_name, boot_multiboot
    FW_CFG_ROUTINES

product_name:
    db 'doppel Multiboot loader', 0
msg_no_dma:
    db 'multiboot: fw_cfg has no DMA interface', 13, 10, 0
msg_dma_error:
    db 'multiboot: fw_cfg DMA transfer failed', 13, 10, 0
msg_layout:
    db 'multiboot: information structure not below 1 MiB', 13, 10, 0

; Bootstrap Entry Vector.
boot_multiboot:
    cld
    call fw_has_dma
    jz .no_dma

    ; The information structure, then FS:SI -> it.
    mov bx, FW_CFG_INITRD_DATA
    mov si, FW_CFG_INITRD_ADDR
    mov di, FW_CFG_INITRD_SIZE
    call fw_load_blob
    jc .dma_error
    mov bx, FW_CFG_INITRD_ADDR
    call fw_read32
    cmp eax, 0x100000 - MBI_SIZE
    ja .layout
    mov edx, eax
    shr edx, 4
    mov fs, dx
    and ax, 15
    mov si, ax

    ; mem_lower: conventional memory in KiB (the EBDA excluded).
    int 0x12
    movzx eax, ax
    mov [fs:si + MBI_MEM_LOWER], eax

    ; The memory map, ES:BP = its start, ES:DI = the next entry.
    mov eax, [fs:si + MBI_MMAP_ADDR]
    cmp eax, 0x100000 - MMAP_AREA_SIZE
    ja .layout
    mov edx, eax
    shr edx, 4
    mov es, dx
    and ax, 15
    mov di, ax
    mov bp, ax
    push si
    xor ebx, ebx
.e820:
    lea ax, [bp + MMAP_AREA_SIZE - MMAP_ENTRY_SIZE]
    cmp di, ax
    ja .e820_done               ; the area is full
    add di, 4                   ; the BIOS fills base, length, type
    mov eax, 0xe820
    mov edx, E820_SMAP
    mov ecx, 20
    int 0x15
    jc .e820_undo
    cmp eax, E820_SMAP
    jne .e820_undo
    mov dword [es:di - 4], 20
    add di, 20
    test ebx, ebx
    jnz .e820
    jmp .e820_done
.e820_undo:
    sub di, 4
.e820_done:
    pop si
    mov cx, di                  ; CX = end of the map
    mov ax, di
    sub ax, bp
    movzx eax, ax
    mov [fs:si + MBI_MMAP_LENGTH], eax
    test eax, eax
    jnz .have_map
    and dword [fs:si + MBI_FLAGS], ~MBI_FLAG_MMAP
.have_map:

    ; mem_upper: KiB of RAM contiguous from 1 MiB. The map need not be
    ; sorted, so rescan after every extension.
    mov edx, 0x100000
.rescan:
    mov di, bp
.scan:
    cmp di, cx
    jae .scan_done
    cmp dword [es:di + 20], 1   ; type: usable RAM
    jne .next
    cmp dword [es:di + 8], 0    ; starts below 4 GiB
    jne .next
    mov eax, [es:di + 4]
    cmp edx, eax
    jb .next                    ; starts beyond what we have
    mov ebx, [es:di + 16]
    add eax, [es:di + 12]
    adc ebx, 0
    jz .no_cap
    mov eax, 0xfffff000         ; reaches past 4 GiB
.no_cap:
    cmp edx, eax
    jae .next                   ; ends within what we have
    mov edx, eax
    jmp .rescan
.next:
    add di, MMAP_ENTRY_SIZE
    jmp .scan
.scan_done:
    sub edx, 0x100000
    shr edx, 10
    mov [fs:si + MBI_MEM_UPPER], edx

    ; A20 on through port 92h (fast A20, PIIX3 datasheet §4.1.7).
    in al, 0x92
    or al, 2
    and al, 0xfe
    out 0x92, al

    ; The kernel image and modules.
    mov bx, FW_CFG_KERNEL_DATA
    mov si, FW_CFG_KERNEL_ADDR
    mov di, FW_CFG_KERNEL_SIZE
    call fw_load_blob
    jc .dma_error
    mov bx, FW_CFG_KERNEL_ENTRY
    call fw_read32
    mov esi, eax
    mov bx, FW_CFG_INITRD_ADDR
    call fw_read32
    mov edi, eax                ; moved to EBX in 32-bit code

    ; Protected mode: GDTR built on the stack (the ROM's linear address is
    ; only known now), then a far return into the 32-bit code below.
    cli
    xor ecx, ecx
    mov cx, cs
    shl ecx, 4                  ; ECX = linear address of the ROM
    mov eax, ecx
    add eax, gdt
    push eax
    push word gdt_end - gdt - 1
    mov bp, sp
    o32 lgdt [bp]
    add sp, 6
    xor edx, edx                ; EDX = the same stack as a flat pointer
    mov dx, ss
    shl edx, 4
    movzx eax, sp
    add edx, eax
    push dword 0x08
    mov eax, ecx
    add eax, protected_entry
    push eax
    mov eax, cr0
    or al, 1
    mov cr0, eax
    o32 retf

.no_dma:
    mov si, msg_no_dma
    jmp .fail
.dma_error:
    mov si, msg_dma_error
    jmp .fail
.layout:
    mov si, msg_layout
.fail:
    call print
    retf

bits 32
protected_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, edx
    mov ebx, edi
    mov eax, MB_MAGIC
    jmp esi

    align 8, db 0
gdt:
    dq 0                        ; null
    dq 0x00cf9a000000ffff       ; 0x08: code, base 0, limit 4 GiB, 32-bit
    dq 0x00cf92000000ffff       ; 0x10: data, base 0, limit 4 GiB, 32-bit
gdt_end:

    OPTION_ROM_END
