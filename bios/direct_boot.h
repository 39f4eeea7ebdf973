/*
 * Direct kernel boot for the PC (-kernel, -initrd, -append), the way QEMU
 * does it: the host parses the kernel, publishes its pieces and their load
 * addresses in fw_cfg, and adds a boot option ROM of our own
 * (bios/linuxboot.asm, bios/multiboot.asm, compiled into doppel) that
 * SeaBIOS boots first; the ROM copies the pieces into guest memory with
 * fw_cfg DMA and enters the kernel.
 *
 *  - Linux bzImage/zImage (Documentation/x86/boot.rst): real-mode setup,
 *    protected-mode kernel, initrd and command line as FW_CFG_SETUP_*,
 *    KERNEL_*, INITRD_*, CMDLINE_*; ROM "genroms/linuxboot.bin".
 *  - Multiboot v1 kernels (Multiboot Specification 0.6.96), ELF32 or with
 *    the a.out kludge; `-initrd "mod1 args,mod2"` gives the modules. ROM
 *    "genroms/multiboot.bin".
 */
#ifndef DOPPEL_BIOS_DIRECT_BOOT_H
#define DOPPEL_BIOS_DIRECT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/fw_cfg.h"
#include "machine/config.h"

/* SeaBIOS keeps its tables (ACPI, SMBIOS...) in up to 256 KiB at the top
 * of RAM below 4 GiB (BUILD_MAX_HIGHTABLE); nothing is loaded there. */
#define DIRECT_BOOT_HIGH_RESERVE (256u << 10)

/* Where the Multiboot information structure and its memory map go (QEMU's
 * layout, hw/i386/multiboot.c: map at 0x9000, 0x500 bytes, info after). */
#define MULTIBOOT_MMAP_ADDR 0x9000u
#define MULTIBOOT_MMAP_AREA 0x500u
#define MULTIBOOT_INFO_ADDR (MULTIBOOT_MMAP_ADDR + MULTIBOOT_MMAP_AREA)
#define MULTIBOOT_INFO_SIZE 88u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u

/** If cfg->kernel is set, load it (and cfg->initrd, cfg->append) and
 *  publish everything the boot ROM needs in fw; RAM is ram_below_4g bytes
 *  from address 0. Does nothing and returns true without -kernel. On bad
 *  input returns false with one line in err ("-kernel: ..."). */
bool pc_direct_boot_setup(FwCfg *fw, const VmConfig *cfg, uint64_t ram_below_4g, char *err,
                          size_t errlen);

/** What linux_boot_load placed where (for tests and logs). */
typedef struct LinuxBootInfo {
    uint16_t protocol;          /* boot protocol version, e.g. 0x20f */
    uint32_t setup_addr, setup_size;
    uint32_t kernel_addr, kernel_size;
    uint32_t cmdline_addr, cmdline_size;    /* size includes the NUL */
    uint32_t initrd_addr, initrd_size;
    uint32_t initrd_max;        /* highest byte address the initrd may use */
} LinuxBootInfo;

/** Parse a Linux kernel image, patch its real-mode header (type_of_loader,
 *  heap, command line, initrd, vid_mode) and publish setup, kernel, initrd
 *  (if initrd is not NULL) and command line (cmdline may be NULL) in fw,
 *  plus the Linux boot ROM. Returns false with err filled for anything
 *  that is not a usable bzImage/zImage or does not fit in RAM. */
bool linux_boot_load(FwCfg *fw, const uint8_t *kernel, size_t kernel_len, const uint8_t *initrd,
                     size_t initrd_len, const char *cmdline, uint64_t ram_below_4g,
                     LinuxBootInfo *info, char *err, size_t errlen);

/** True if image looks like a Linux kernel (the "HdrS" signature). */
bool linux_boot_is_kernel(const uint8_t *image, size_t len);

/** Offset of a valid Multiboot v1 header in the image's first 8 KiB, or -1. */
long multiboot_find_header(const uint8_t *image, size_t len);

/** Load a Multiboot kernel: its image (ELF32 or a.out kludge), the modules
 *  named in modules ("file args,file2" with ",," for a literal comma; may
 *  be NULL), the command line "kernel_name cmdline", and publish the blob,
 *  entry point and information structure plus the Multiboot boot ROM.
 *  Returns false with err filled on bad input. */
bool multiboot_load(FwCfg *fw, const uint8_t *image, size_t len, const char *kernel_name,
                    const char *modules, const char *cmdline, uint64_t ram_below_4g, char *err,
                    size_t errlen);

/** Add rom as "genroms/<name>" and put it first in fw's "bootorder" file
 *  (keeping any existing entries after it), so SeaBIOS boots it first. */
bool direct_boot_add_rom(FwCfg *fw, const char *name, const uint8_t *rom, size_t len);

#endif
