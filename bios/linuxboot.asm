; doppel's Linux direct-boot option ROM. The board (bios/direct_boot.c)
; puts a bzImage's patched real-mode setup, its protected-mode kernel, the
; initrd and the command line into fw_cfg with their load addresses
; (FW_CFG_SETUP_*, KERNEL_*, INITRD_*, CMDLINE_* — the items QEMU's -kernel
; publishes) and adds this ROM as "genroms/linuxboot.bin", first in the
; boot order. SeaBIOS calls its Bootstrap Entry Vector at boot time; the
; ROM copies the four blobs into place with fw_cfg DMA and enters the
; kernel's real-mode setup code as Documentation/x86/boot.rst "Running the
; Kernel" requires: CS = setup segment + 0x20, IP = 0, DS = ES = FS = GS =
; SS = setup segment, SP just below the command line (the top of the heap
; the board reserved), interrupts off.
;
; Assembled with nasm -f bin; the build fixes up the checksum byte.

bits 16
cpu 486
org 0

%include "optionrom.inc"

    OPTION_ROM_HEADER product_name, boot_linux
    FW_CFG_ROUTINES

product_name:
    db 'doppel Linux loader', 0
msg_no_dma:
    db 'linuxboot: fw_cfg has no DMA interface', 13, 10, 0
msg_dma_error:
    db 'linuxboot: fw_cfg DMA transfer failed', 13, 10, 0
msg_layout:
    db 'linuxboot: bad setup/command line addresses', 13, 10, 0

; Bootstrap Entry Vector (far-called by the BIOS; returning means "this
; device did not boot").
boot_linux:
    cld
    call fw_has_dma
    jz .no_dma

    mov bx, FW_CFG_SETUP_DATA
    mov si, FW_CFG_SETUP_ADDR
    mov di, FW_CFG_SETUP_SIZE
    call fw_load_blob
    jc .dma_error
    mov bx, FW_CFG_CMDLINE_DATA
    mov si, FW_CFG_CMDLINE_ADDR
    mov di, FW_CFG_CMDLINE_SIZE
    call fw_load_blob
    jc .dma_error
    mov bx, FW_CFG_INITRD_DATA
    mov si, FW_CFG_INITRD_ADDR
    mov di, FW_CFG_INITRD_SIZE
    call fw_load_blob
    jc .dma_error
    mov bx, FW_CFG_KERNEL_DATA
    mov si, FW_CFG_KERNEL_ADDR
    mov di, FW_CFG_KERNEL_SIZE
    call fw_load_blob
    jc .dma_error

    ; The setup segment and the stack pointer inside it.
    mov bx, FW_CFG_SETUP_ADDR
    call fw_read32
    mov esi, eax
    mov bx, FW_CFG_CMDLINE_ADDR
    call fw_read32
    sub eax, esi
    jbe .layout                 ; the command line must follow the setup code
    sub eax, 16
    cmp eax, 0xfff0
    ja .layout
    test esi, 0xfff0000f        ; a paragraph-aligned address below 1 MiB
    jnz .layout
    mov ecx, eax
    shr esi, 4

    cli
    mov ds, si
    mov es, si
    mov fs, si
    mov gs, si
    mov ss, si
    mov esp, ecx
    add si, 0x20
    push si                     ; CS = setup segment + 0x20
    push word 0                 ; IP = 0
    xor eax, eax
    xor ebx, ebx
    xor ecx, ecx
    xor edx, edx
    xor esi, esi
    xor edi, edi
    xor ebp, ebp
    retf

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

    OPTION_ROM_END
