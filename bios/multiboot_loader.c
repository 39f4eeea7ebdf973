/*
 * Multiboot v1 kernels for direct boot (see direct_boot.h), per the
 * Multiboot Specification 0.6.96: §3.1 the OS image header (found 32-bit
 * aligned in the first 8192 bytes; magic + flags + checksum = 0; flags
 * bit 16 selects the a.out-kludge address fields, otherwise the image is
 * ELF), §3.3 the boot information structure, and QEMU's hw/i386/multiboot.c
 * layout so the ROM contract is the same: one blob at the kernel's load
 * address holding the kernel (with bss zeroed), then, page aligned, the
 * module list, every command line and the boot loader name, then each
 * module page aligned; the 88-byte information structure at 0x9500 with
 * the memory map area at 0x9000 for the ROM to fill from E820.
 */
#include "bios/direct_boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bios/firmware.h"
#include "bios/option_roms.h"

#define MB_HEADER_MAGIC 0x1badb002u
#define MB_SEARCH_LIMIT 8192
#define MB_FLAG_AOUT_KLUDGE 0x00010000u
#define MB_FLAG_UNSUPPORTED 0x0000fff8u  /* required features beyond align, mem, video */
#define MB_PAGE 4096u
#define MB_MAX_MODULES 64

/* Information structure fields and flags (§3.3). */
enum {
    MBI_FLAGS = 0,
    MBI_BOOT_DEVICE = 12,
    MBI_CMDLINE = 16,
    MBI_MODS_COUNT = 20,
    MBI_MODS_ADDR = 24,
    MBI_MMAP_ADDR = 48,
    MBI_BOOT_LOADER_NAME = 64,
    MBI_F_MEMORY = 1 << 0,
    MBI_F_BOOT_DEVICE = 1 << 1,
    MBI_F_CMDLINE = 1 << 2,
    MBI_F_MODS = 1 << 3,
    MBI_F_MMAP = 1 << 6,
    MBI_F_LOADER_NAME = 1 << 9,
    MB_MOD_ENTRY = 16,          /* mod_start, mod_end, string, reserved */
};

static const char mb_loader_name[] = "doppel";

static uint32_t rd16(const uint8_t *p)
{
    return (uint32_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t page_align(uint64_t v)
{
    return (v + MB_PAGE - 1) & ~(uint64_t)(MB_PAGE - 1);
}

long multiboot_find_header(const uint8_t *image, size_t len)
{
    size_t limit = len < MB_SEARCH_LIMIT ? len : MB_SEARCH_LIMIT;
    for (size_t off = 0; off + 12 <= limit; off += 4) {
        const uint8_t *h = image + off;
        if (rd32(h) == MB_HEADER_MAGIC && (uint32_t)(rd32(h) + rd32(h + 4) + rd32(h + 8)) == 0)
            return (long)off;
    }
    return -1;
}

/* The loaded kernel: span [load, load + mem_size) with data[] filled. */
typedef struct MbImage {
    uint32_t load, entry;
    uint64_t mem_size;
    uint8_t *data;              /* mem_size bytes */
} MbImage;

/* §3.1.3: header_addr/load_addr/load_end_addr/bss_end_addr/entry_addr. */
/* Refuse (before allocating it) a kernel that cannot fit below ram_end. */
static bool mb_fits(uint32_t load, uint64_t mem_size, uint64_t ram_end, char *err, size_t errlen)
{
    if (load + mem_size <= ram_end)
        return true;
    snprintf(err, errlen, "Multiboot kernel (%llu KiB at %#x) does not fit in RAM",
             (unsigned long long)(mem_size >> 10), load);
    return false;
}

static bool mb_load_aout(const uint8_t *img, size_t len, size_t hoff, uint64_t ram_end,
                         MbImage *out, char *err, size_t errlen)
{
    if (hoff + 32 > len) {
        snprintf(err, errlen, "Multiboot header is truncated");
        return false;
    }
    const uint8_t *h = img + hoff;
    uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
    uint32_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
    if (header_addr < load_addr || header_addr - load_addr > hoff) {
        snprintf(err, errlen, "Multiboot header_addr %#x / load_addr %#x do not match the file",
                 header_addr, load_addr);
        return false;
    }
    uint64_t file_off = hoff - (header_addr - load_addr);
    uint64_t load_size;
    if (load_end) {
        if (load_end < load_addr) {
            snprintf(err, errlen, "Multiboot load_end_addr %#x is below load_addr", load_end);
            return false;
        }
        load_size = load_end - load_addr;
    } else {
        load_size = len - file_off;
    }
    if (file_off + load_size > len) {
        snprintf(err, errlen, "Multiboot kernel is truncated (needs %llu bytes from offset %llu)",
                 (unsigned long long)load_size, (unsigned long long)file_off);
        return false;
    }
    uint64_t mem_size = load_size;
    if (bss_end) {
        if (bss_end < load_addr + load_size) {
            snprintf(err, errlen, "Multiboot bss_end_addr %#x is below the loaded image", bss_end);
            return false;
        }
        mem_size = bss_end - load_addr;
    }
    if (!mb_fits(load_addr, mem_size, ram_end, err, errlen))
        return false;
    out->load = load_addr;
    out->entry = rd32(h + 28);
    out->mem_size = mem_size;
    out->data = calloc(1, mem_size ? mem_size : 1);
    if (!out->data) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    memcpy(out->data, img + file_off, load_size);
    return true;
}

/* ELF32 program headers (System V ABI, ELF "Program Header"): PT_LOAD
 * segments go to p_paddr; bytes past p_filesz are zero. */
static bool mb_load_elf(const uint8_t *img, size_t len, uint64_t ram_end, MbImage *out, char *err,
                        size_t errlen)
{
    if (len < 52 || memcmp(img, "\x7f" "ELF", 4) != 0) {
        snprintf(err, errlen, "Multiboot kernel is neither ELF nor has a.out-kludge addresses");
        return false;
    }
    if (img[4] == 2) {
        snprintf(err, errlen, "Multiboot kernel is a 64-bit ELF; Multiboot needs a 32-bit one");
        return false;
    }
    if (img[4] != 1 || img[5] != 1 || rd16(img + 18) != 3 /* EM_386 */) {
        snprintf(err, errlen, "Multiboot kernel is not a little-endian i386 ELF32 file");
        return false;
    }
    uint32_t phoff = rd32(img + 28), entry = rd32(img + 24);
    uint32_t phentsize = rd16(img + 42), phnum = rd16(img + 44);
    if (phentsize < 32 || phnum == 0 || (uint64_t)phoff + (uint64_t)phentsize * phnum > len) {
        snprintf(err, errlen, "Multiboot ELF kernel has bad program headers");
        return false;
    }
    uint64_t low = UINT64_MAX, high = 0;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (size_t)i * phentsize;
        uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (rd32(ph) != 1 /* PT_LOAD */ || memsz == 0)
            continue;
        if (filesz > memsz || (uint64_t)off + filesz > len || (uint64_t)paddr + memsz > (1ull << 32)) {
            snprintf(err, errlen, "Multiboot ELF segment %u is truncated or out of range", i);
            return false;
        }
        if (paddr < low)
            low = paddr;
        if ((uint64_t)paddr + memsz > high)
            high = (uint64_t)paddr + memsz;
    }
    if (high == 0) {
        snprintf(err, errlen, "Multiboot ELF kernel has nothing to load");
        return false;
    }
    if (!mb_fits((uint32_t)low, high - low, ram_end, err, errlen))
        return false;
    out->load = (uint32_t)low;
    out->mem_size = high - low;
    out->data = calloc(1, out->mem_size);
    if (!out->data) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    /* The entry is a virtual address; map it to physical through the
     * segment containing it when the kernel links high. */
    out->entry = entry;
    bool entry_is_phys = false;
    uint32_t entry_phys = entry;
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = img + phoff + (size_t)i * phentsize;
        uint32_t off = rd32(ph + 4), vaddr = rd32(ph + 8), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (rd32(ph) != 1 || memsz == 0)
            continue;
        memcpy(out->data + (paddr - low), img + off, filesz);
        if (entry >= paddr && entry - paddr < memsz)
            entry_is_phys = true;
        else if (entry >= vaddr && entry - vaddr < memsz)
            entry_phys = paddr + (entry - vaddr);
    }
    if (!entry_is_phys)
        out->entry = entry_phys;
    return true;
}

/* Split "a args,b,,c" at single commas (",," is a literal comma). */
static int mb_split_modules(const char *spec, char **out, int max, char *err, size_t errlen)
{
    int n = 0;
    const char *p = spec;
    for (;;) {
        size_t cap = strlen(p) + 1, k = 0;
        char *s = malloc(cap);
        if (!s) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        while (*p && !(*p == ',' && p[1] != ',')) {
            if (*p == ',')
                p++;            /* ",," */
            s[k++] = *p++;
        }
        s[k] = 0;
        if (k == 0 || s[0] == ' ' || n == max) {
            snprintf(err, errlen, n == max ? "-initrd: more than %d Multiboot modules"
                                           : "-initrd: empty Multiboot module name", max);
            free(s);
            goto fail;
        }
        out[n++] = s;
        if (!*p)
            return n;
        p++;
    }
fail:
    for (int i = 0; i < n; i++)
        free(out[i]);
    return -1;
}

bool multiboot_load(FwCfg *fw, const uint8_t *image, size_t len, const char *kernel_name,
                    const char *modules, const char *cmdline, uint64_t ram_below_4g, char *err,
                    size_t errlen)
{
    long hoff = multiboot_find_header(image, len);
    if (hoff < 0) {
        snprintf(err, errlen, "no Multiboot header in the first 8 KiB");
        return false;
    }
    uint32_t flags = rd32(image + hoff + 4);
    if (flags & MB_FLAG_UNSUPPORTED) {
        snprintf(err, errlen, "Multiboot kernel requires unsupported features (flags %#x)", flags);
        return false;
    }
    uint64_t ram_end = ram_below_4g > DIRECT_BOOT_HIGH_RESERVE
                           ? ram_below_4g - DIRECT_BOOT_HIGH_RESERVE : 0;
    MbImage k = { 0, 0, 0, NULL };
    bool ok = (flags & MB_FLAG_AOUT_KLUDGE)
                  ? mb_load_aout(image, len, (size_t)hoff, ram_end, &k, err, errlen)
                  : mb_load_elf(image, len, ram_end, &k, err, errlen);
    if (!ok)
        return false;

    char *names[MB_MAX_MODULES];
    uint8_t *mod_data[MB_MAX_MODULES];
    size_t mod_size[MB_MAX_MODULES];
    int nmods = 0, nloaded = 0;
    uint8_t *blob = NULL;
    ok = false;
    if (modules) {
        nmods = mb_split_modules(modules, names, MB_MAX_MODULES, err, errlen);
        if (nmods < 0) {
            nmods = 0;
            goto out;
        }
    }
    for (; nloaded < nmods; nloaded++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s", names[nloaded]);
        char *sp = strchr(path, ' ');
        if (sp)
            *sp = 0;
        char ferr[512];
        mod_data[nloaded] = firmware_load(path, ram_below_4g, &mod_size[nloaded], ferr, sizeof(ferr));
        if (!mod_data[nloaded]) {
            snprintf(err, errlen, "-initrd: Multiboot module: %s", ferr);
            goto out;
        }
    }

    /* Lay out the blob. */
    const char *cl = cmdline ? cmdline : "";
    size_t kcl_len = strlen(kernel_name) + 1 + strlen(cl);
    uint64_t off_list = page_align(k.mem_size);
    uint64_t off = off_list + (uint64_t)MB_MOD_ENTRY * nmods;
    uint64_t off_strings = off;
    for (int i = 0; i < nmods; i++)
        off += strlen(names[i]) + 1;
    uint64_t off_kcl = off;
    off += kcl_len + 1;
    uint64_t off_name = off;
    off += sizeof(mb_loader_name);
    uint64_t mod_off[MB_MAX_MODULES];
    for (int i = 0; i < nmods; i++) {
        off = page_align(off);
        mod_off[i] = off;
        off += mod_size[i];
    }
    uint64_t blob_size = page_align(off);
    if (k.load < (1u << 20)) {
        snprintf(err, errlen, "Multiboot kernel loads at %#x, below 1 MiB (not supported)", k.load);
        goto out;
    }
    if (k.load + blob_size > ram_end) {
        snprintf(err, errlen, "Multiboot kernel and modules (%llu KiB at %#x) do not fit in RAM",
                 (unsigned long long)(blob_size >> 10), k.load);
        goto out;
    }
    uint64_t entry_end = k.load + k.mem_size;
    if (k.entry < k.load || k.entry >= entry_end) {
        snprintf(err, errlen, "Multiboot entry point %#x is outside the loaded kernel", k.entry);
        goto out;
    }
    blob = calloc(1, blob_size);
    if (!blob) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    memcpy(blob, k.data, k.mem_size);
    uint64_t s = off_strings;
    for (int i = 0; i < nmods; i++) {
        uint8_t *e = blob + off_list + (size_t)MB_MOD_ENTRY * i;
        wr32(e, (uint32_t)(k.load + mod_off[i]));
        wr32(e + 4, (uint32_t)(k.load + mod_off[i] + mod_size[i]));
        wr32(e + 8, (uint32_t)(k.load + s));
        memcpy(blob + s, names[i], strlen(names[i]) + 1);
        s += strlen(names[i]) + 1;
        memcpy(blob + mod_off[i], mod_data[i], mod_size[i]);
    }
    snprintf((char *)blob + off_kcl, kcl_len + 1, "%s%s%s", kernel_name, *cl ? " " : "", cl);
    memcpy(blob + off_name, mb_loader_name, sizeof(mb_loader_name));

    /* §3.3; mem_lower, mem_upper and the map are the ROM's to fill. */
    uint8_t mbi[MULTIBOOT_INFO_SIZE];
    memset(mbi, 0, sizeof(mbi));
    wr32(mbi + MBI_FLAGS, MBI_F_MEMORY | MBI_F_BOOT_DEVICE | MBI_F_CMDLINE | MBI_F_MODS |
                              MBI_F_MMAP | MBI_F_LOADER_NAME);
    wr32(mbi + MBI_BOOT_DEVICE, 0x8000ffff);        /* first BIOS disk, no partition */
    wr32(mbi + MBI_CMDLINE, (uint32_t)(k.load + off_kcl));
    wr32(mbi + MBI_MODS_COUNT, (uint32_t)nmods);
    wr32(mbi + MBI_MODS_ADDR, (uint32_t)(k.load + off_list));
    wr32(mbi + MBI_MMAP_ADDR, MULTIBOOT_MMAP_ADDR);
    wr32(mbi + MBI_BOOT_LOADER_NAME, (uint32_t)(k.load + off_name));

    ok = fw_cfg_add_i32(fw, FW_CFG_KERNEL_ENTRY, k.entry);
    ok &= fw_cfg_add_i32(fw, FW_CFG_KERNEL_ADDR, k.load);
    ok &= fw_cfg_add_i32(fw, FW_CFG_KERNEL_SIZE, (uint32_t)blob_size);
    ok &= fw_cfg_add_bytes(fw, FW_CFG_KERNEL_DATA, blob, blob_size);
    ok &= fw_cfg_add_i32(fw, FW_CFG_INITRD_ADDR, MULTIBOOT_INFO_ADDR);
    ok &= fw_cfg_add_i32(fw, FW_CFG_INITRD_SIZE, MULTIBOOT_INFO_SIZE);
    ok &= fw_cfg_add_bytes(fw, FW_CFG_INITRD_DATA, mbi, sizeof(mbi));
    ok &= direct_boot_add_rom(fw, "multiboot.bin", multiboot_rom, multiboot_rom_size);
    if (!ok)
        snprintf(err, errlen, "cannot publish the kernel in fw_cfg (out of memory?)");
out:
    for (int i = 0; i < nloaded; i++)
        free(mod_data[i]);
    for (int i = 0; i < nmods; i++)
        free(names[i]);
    free(blob);
    free(k.data);
    return ok;
}
