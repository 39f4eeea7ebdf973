/*
 * Linux kernel images for direct boot (see direct_boot.h). Follows the
 * x86 boot protocol, Linux Documentation/x86/boot.rst: "The Real-Mode
 * Kernel Header" for the fields read and written, "Memory Layout" and
 * "Loading The Rest of The Kernel" for where the pieces go. The addresses
 * are the ones QEMU's x86_load_linux uses, so guests see the same layout:
 *   protocol >= 2.02, loaded high: setup 0x10000, command line 0x20000,
 *                                  kernel 0x100000
 *   protocol 2.00/2.01, high:      setup 0x90000, command line below
 *                                  0x9a000, kernel 0x100000
 *   zImage (not loaded high):      setup 0x90000, kernel 0x10000
 * and the initrd as high as initrd_addr_max and the RAM allow, 4 KiB
 * aligned.
 */
#include "bios/direct_boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bios/option_roms.h"

/* Real-mode header offsets (boot.rst, "The Real-Mode Kernel Header"). */
enum {
    HDR_SETUP_SECTS = 0x1f1,
    HDR_SYSSIZE = 0x1f4,
    HDR_VID_MODE = 0x1fa,
    HDR_BOOT_FLAG = 0x1fe,
    HDR_HEADER = 0x202,
    HDR_VERSION = 0x206,
    HDR_TYPE_OF_LOADER = 0x210,
    HDR_LOADFLAGS = 0x211,
    HDR_RAMDISK_IMAGE = 0x218,
    HDR_RAMDISK_SIZE = 0x21c,
    HDR_HEAP_END_PTR = 0x224,
    HDR_CMD_LINE_PTR = 0x228,
    HDR_INITRD_ADDR_MAX = 0x22c,
    HDR_CMDLINE_SIZE = 0x238,
    HDR_END = 0x268,            /* past the last field of protocol 2.15 */
    /* The pre-2.02 command line protocol, in the zero page. */
    OLD_CL_MAGIC = 0x20,
    OLD_CL_OFFSET = 0x22,
};

#define HDRS_MAGIC 0x53726448u          /* "HdrS" */
#define LOADED_HIGH 0x01
#define CAN_USE_HEAP 0x80
#define LOADER_TYPE_QEMU 0xb0           /* boot.rst: 0x13 assigned to QEMU, hence 0xB0 */
#define OLD_CL_MAGIC_VALUE 0xa33f
#define HEAP_TOP_GAP 0x200              /* boot.rst: heap_end_ptr = cmdline - setup - 0x200 */
#define LOW_KERNEL_LIMIT 0x90000u        /* a zImage must end below the setup at 0x90000 */

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

bool linux_boot_is_kernel(const uint8_t *image, size_t len)
{
    return len >= HDR_VERSION + 2 && rd32(image + HDR_HEADER) == HDRS_MAGIC;
}

/* vga=normal|ext|ask|<number> sets vid_mode, as a boot loader does
 * (boot.rst "vid_mode" and Documentation/admin-guide/svga.rst). */
static bool linux_vga_mode(const char *cmdline, uint16_t *mode)
{
    const char *p = cmdline;
    while ((p = strstr(p, "vga=")) != NULL) {
        if (p == cmdline || p[-1] == ' ')
            break;
        p += 4;
    }
    if (!p)
        return false;
    p += 4;
    if (!strncmp(p, "normal", 6))
        *mode = 0xffff;
    else if (!strncmp(p, "ext", 3))
        *mode = 0xfffe;
    else if (!strncmp(p, "ask", 3))
        *mode = 0xfffd;
    else
        *mode = (uint16_t)strtoul(p, NULL, 0);
    return true;
}

bool linux_boot_load(FwCfg *fw, const uint8_t *kernel, size_t kernel_len, const uint8_t *initrd,
                     size_t initrd_len, const char *cmdline, uint64_t ram_below_4g,
                     LinuxBootInfo *info, char *err, size_t errlen)
{
    LinuxBootInfo li;
    memset(&li, 0, sizeof(li));
    if (!cmdline)
        cmdline = "";
    if (!linux_boot_is_kernel(kernel, kernel_len)) {
        snprintf(err, errlen, "not a Linux kernel image (no \"HdrS\" boot header)");
        return false;
    }
    li.protocol = rd16(kernel + HDR_VERSION);
    if (li.protocol < 0x200) {
        snprintf(err, errlen, "Linux boot protocol %u.%02u is too old", li.protocol >> 8,
                 li.protocol & 0xff);
        return false;
    }
    unsigned sects = kernel[HDR_SETUP_SECTS] ? kernel[HDR_SETUP_SECTS] : 4;
    li.setup_size = (sects + 1) * 512;
    if (kernel_len <= li.setup_size || kernel_len < HDR_END) {
        snprintf(err, errlen, "Linux kernel image is truncated (%zu bytes, setup alone is %u)",
                 kernel_len, li.setup_size);
        return false;
    }
    if (kernel_len - li.setup_size > 0xffffffffu) {
        snprintf(err, errlen, "Linux kernel image is too large");
        return false;
    }
    li.kernel_size = (uint32_t)(kernel_len - li.setup_size);
    /* syssize (32 bits from protocol 2.04) is the protected-mode part in
     * 16-byte paragraphs: a shorter file was cut off. */
    uint64_t syssize = li.protocol >= 0x204 ? rd32(kernel + HDR_SYSSIZE) : rd16(kernel + HDR_SYSSIZE);
    if (syssize * 16 > li.kernel_size) {
        snprintf(err, errlen,
                 "Linux kernel image is truncated (%u bytes after the setup code, header says %llu)",
                 li.kernel_size, (unsigned long long)(syssize * 16));
        return false;
    }

    size_t cl_len = strlen(cmdline);
    uint32_t cl_max = li.protocol >= 0x206 ? rd32(kernel + HDR_CMDLINE_SIZE) : 255;
    if (cl_len > cl_max) {
        snprintf(err, errlen, "kernel command line is %zu bytes, this kernel takes at most %u",
                 cl_len, cl_max);
        return false;
    }
    li.cmdline_size = (uint32_t)cl_len + 1;
    uint32_t cl_room = (uint32_t)((cl_len + 16) & ~(size_t)15);

    uint8_t loadflags = kernel[HDR_LOADFLAGS];
    if (!(loadflags & LOADED_HIGH)) {
        li.setup_addr = 0x90000;
        li.cmdline_addr = 0x9a000 - cl_room;
        li.kernel_addr = 0x10000;
    } else if (li.protocol < 0x202) {
        li.setup_addr = 0x90000;
        li.cmdline_addr = 0x9a000 - cl_room;
        li.kernel_addr = 0x100000;
    } else {
        li.setup_addr = 0x10000;
        li.cmdline_addr = 0x20000;
        li.kernel_addr = 0x100000;
    }
    if (li.setup_size + HEAP_TOP_GAP > li.cmdline_addr - li.setup_addr) {
        snprintf(err, errlen, "Linux setup code (%u bytes) leaves no room for the command line",
                 li.setup_size);
        return false;
    }
    if (li.kernel_addr == 0x10000 && li.kernel_addr + (uint64_t)li.kernel_size > LOW_KERNEL_LIMIT) {
        snprintf(err, errlen, "zImage kernel is too large (%u bytes; use a bzImage)", li.kernel_size);
        return false;
    }
    uint64_t kernel_end = (uint64_t)li.kernel_addr + li.kernel_size;
    if (ram_below_4g < kernel_end + DIRECT_BOOT_HIGH_RESERVE || ram_below_4g < (2u << 20)) {
        snprintf(err, errlen, "not enough RAM for a %u KiB kernel", li.kernel_size >> 10);
        return false;
    }

    /* The patched real-mode part (boot.rst "Details of Header Fields"). */
    uint8_t *setup = malloc(li.setup_size);
    if (!setup) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    memcpy(setup, kernel, li.setup_size);
    setup[HDR_TYPE_OF_LOADER] = LOADER_TYPE_QEMU;
    if (li.protocol >= 0x202) {
        wr32(setup + HDR_CMD_LINE_PTR, li.cmdline_addr);
    } else {
        wr16(setup + OLD_CL_MAGIC, OLD_CL_MAGIC_VALUE);
        wr16(setup + OLD_CL_OFFSET, (uint16_t)(li.cmdline_addr - li.setup_addr));
    }
    if (li.protocol >= 0x201) {
        wr16(setup + HDR_HEAP_END_PTR, (uint16_t)(li.cmdline_addr - li.setup_addr - HEAP_TOP_GAP));
        setup[HDR_LOADFLAGS] |= CAN_USE_HEAP;
    }
    uint16_t vga;
    if (linux_vga_mode(cmdline, &vga))
        wr16(setup + HDR_VID_MODE, vga);

    /* The initrd: as high as initrd_addr_max (inclusive; 0x37FFFFFF before
     * protocol 2.03) and the RAM SeaBIOS leaves free allow. */
    li.initrd_max = li.protocol >= 0x203 ? rd32(kernel + HDR_INITRD_ADDR_MAX) : 0x37ffffff;
    uint64_t ram_max = ram_below_4g - DIRECT_BOOT_HIGH_RESERVE - 1;
    if (li.initrd_max > ram_max)
        li.initrd_max = (uint32_t)ram_max;
    if (initrd) {
        if (initrd_len >= li.initrd_max ||
            ((li.initrd_max - initrd_len) & ~0xfffull) < kernel_end) {
            snprintf(err, errlen,
                     "-initrd: %zu KiB does not fit in RAM below %#x after the kernel (try more -m)",
                     initrd_len >> 10, li.initrd_max + 1);
            free(setup);
            return false;
        }
        li.initrd_size = (uint32_t)initrd_len;
        li.initrd_addr = (uint32_t)((li.initrd_max - initrd_len) & ~0xfffull);
        wr32(setup + HDR_RAMDISK_IMAGE, li.initrd_addr);
        wr32(setup + HDR_RAMDISK_SIZE, li.initrd_size);
    }

    bool ok = fw_cfg_add_i32(fw, FW_CFG_SETUP_ADDR, li.setup_addr);
    ok &= fw_cfg_add_i32(fw, FW_CFG_SETUP_SIZE, li.setup_size);
    ok &= fw_cfg_add_bytes(fw, FW_CFG_SETUP_DATA, setup, li.setup_size);
    free(setup);
    ok &= fw_cfg_add_i32(fw, FW_CFG_KERNEL_ADDR, li.kernel_addr);
    ok &= fw_cfg_add_i32(fw, FW_CFG_KERNEL_SIZE, li.kernel_size);
    ok &= fw_cfg_add_bytes(fw, FW_CFG_KERNEL_DATA, kernel + li.setup_size, li.kernel_size);
    ok &= fw_cfg_add_i32(fw, FW_CFG_CMDLINE_ADDR, li.cmdline_addr);
    ok &= fw_cfg_add_i32(fw, FW_CFG_CMDLINE_SIZE, li.cmdline_size);
    ok &= fw_cfg_add_string(fw, FW_CFG_CMDLINE_DATA, cmdline);
    if (initrd) {
        ok &= fw_cfg_add_i32(fw, FW_CFG_INITRD_ADDR, li.initrd_addr);
        ok &= fw_cfg_add_i32(fw, FW_CFG_INITRD_SIZE, li.initrd_size);
        ok &= fw_cfg_add_bytes(fw, FW_CFG_INITRD_DATA, initrd, li.initrd_size);
    }
    ok &= direct_boot_add_rom(fw, "linuxboot.bin", linuxboot_rom, linuxboot_rom_size);
    if (!ok) {
        snprintf(err, errlen, "cannot publish the kernel in fw_cfg (out of memory?)");
        return false;
    }
    if (info)
        *info = li;
    return true;
}
