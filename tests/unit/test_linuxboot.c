/*
 * Direct kernel boot (bios/direct_boot.c, linux_loader.c,
 * multiboot_loader.c) and the boot option ROMs built from bios/linuxboot.asm and multiboot.asm.
 *
 * Linux: what the board publishes in fw_cfg for a real Debian bzImage (if
 * /boot has one) and for synthetic images of older protocols, checked
 * against Documentation/x86/boot.rst (header offsets, type_of_loader,
 * CAN_USE_HEAP and heap_end_ptr, cmd_line_ptr or the pre-2.02 0xA33F
 * magic, ramdisk_image/size within initrd_addr_max and RAM, vid_mode) and
 * QEMU's load addresses. Multiboot: the blob and information structure for
 * a.out-kludge and ELF kernels (Multiboot Specification 0.6.96 §3.1, §3.3).
 * ROMs: PCI Firmware Specification 3.0 §5.1 header and checksum, PnP BIOS
 * Specification 1.0A "$PnP" expansion header with a BEV.
 */
#include <check.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bios/direct_boot.h"
#include "bios/firmware.h"
#include "bios/option_roms.h"
#include "devices/fw_cfg.h"
#include "machine/memory.h"

#define MiB (1u << 20)

typedef struct Fixture {
    AddressSpace io;
    FwCfg *fw;
} Fixture;

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->io, "io", ~0ull);
    f->fw = fw_cfg_create(&f->io, NULL, NULL);
    ck_assert_ptr_nonnull(f->fw);
    return f;
}

static void fx_free(Fixture *f)
{
    fw_cfg_destroy(f->fw);
    as_destroy(&f->io);
    free(f);
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A numeric fw_cfg item (little-endian 32-bit). */
static uint32_t item32(Fixture *f, uint16_t key)
{
    uint32_t len = 0;
    const uint8_t *p = fw_cfg_item(f->fw, key, &len);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(len, 4);
    return le32(p);
}

static const uint8_t *item(Fixture *f, uint16_t key, uint32_t *len)
{
    const uint8_t *p = fw_cfg_item(f->fw, key, len);
    ck_assert_ptr_nonnull(p);
    return p;
}

static const uint8_t *file(Fixture *f, const char *name, uint32_t *len)
{
    int key = fw_cfg_file_key(f->fw, name);
    ck_assert_int_ge(key, 0);
    return item(f, (uint16_t)key, len);
}

static char *write_temp(const void *data, size_t len)
{
    char *path = strdup("/tmp/doppel-test-linuxboot-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

/* ---- option ROM images ---- */

static void check_rom(const uint8_t *rom, size_t size, const char *product)
{
    /* PCI Firmware Spec 3.0 §5.1: 0x55 0xAA, length in 512-byte units,
     * all bytes sum to 0 (mod 256). */
    ck_assert_uint_eq(rom[0], 0x55);
    ck_assert_uint_eq(rom[1], 0xaa);
    ck_assert_uint_gt(size, 0);
    ck_assert_uint_eq(size % 512, 0);
    ck_assert_uint_eq((size_t)rom[2] * 512, size);
    uint8_t sum = 0;
    for (size_t i = 0; i < size; i++)
        sum = (uint8_t)(sum + rom[i]);
    ck_assert_uint_eq(sum, 0);
    ck_assert_uint_eq(rom[3], 0xcb);            /* init entry: RETF */
    /* PnP header (PnP BIOS Spec 1.0A §3.2): at the offset in 0x1A. */
    uint32_t pnp = le16(rom + 0x1a);
    ck_assert_uint_eq(pnp % 16, 0);
    ck_assert_uint_lt(pnp + 32, size);
    ck_assert_mem_eq(rom + pnp, "$PnP", 4);
    ck_assert_uint_eq(rom[pnp + 4], 1);         /* revision */
    ck_assert_uint_eq(rom[pnp + 5], 2);         /* 2 x 16 bytes */
    sum = 0;
    for (int i = 0; i < 32; i++)
        sum = (uint8_t)(sum + rom[pnp + i]);
    ck_assert_uint_eq(sum, 0);
    uint32_t name = le16(rom + pnp + 0x10);
    ck_assert_uint_gt(name, pnp);
    ck_assert_str_eq((const char *)rom + name, product);
    uint32_t bev = le16(rom + pnp + 0x1a);
    ck_assert_uint_gt(bev, pnp + 32);           /* real code after the header */
    ck_assert_uint_lt(bev, size);
    ck_assert_uint_eq(le16(rom + pnp + 0x16), 0); /* no BCV: a boot entry, not a disk */
}

START_TEST(test_rom_images)
{
    check_rom(linuxboot_rom, linuxboot_rom_size, "doppel Linux loader");
    check_rom(multiboot_rom, multiboot_rom_size, "doppel Multiboot loader");
}
END_TEST

/* ---- Linux ---- */

/* A synthetic kernel image: 4 setup sectors + the boot sector, then the
 * protected-mode part of psize bytes. */
static uint8_t *fake_kernel(uint16_t protocol, uint8_t loadflags, uint32_t psize, size_t *len)
{
    size_t setup = 5 * 512;
    *len = setup + psize;
    uint8_t *k = calloc(1, *len);
    k[0x1f1] = 4;
    put32(k + 0x1f4, psize / 16);
    put16(k + 0x1fe, 0xaa55);
    memcpy(k + 0x202, "HdrS", 4);
    put16(k + 0x206, protocol);
    k[0x211] = loadflags;
    put32(k + 0x22c, 0x7fffffff);
    put32(k + 0x238, 2047);
    for (uint32_t i = 0; i < psize; i++)
        k[setup + i] = (uint8_t)(i * 7 + 3);
    return k;
}

static char *find_vmlinuz(void)
{
    glob_t g;
    char *path = NULL;
    if (glob("/boot/vmlinuz-*", 0, NULL, &g) == 0 && g.gl_pathc > 0)
        path = strdup(g.gl_pathv[g.gl_pathc - 1]);
    globfree(&g);
    return path;
}

START_TEST(test_real_bzimage)
{
    char *path = find_vmlinuz();
    if (!path || access(path, R_OK) != 0) {
        free(path);
        return;     /* no kernel installed: nothing to check */
    }
    char ferr[256];
    size_t klen;
    uint8_t *k = firmware_load(path, 256u * MiB, &klen, ferr, sizeof(ferr));
    ck_assert_msg(k != NULL, "%s", ferr);
    ck_assert(linux_boot_is_kernel(k, klen));
    uint16_t protocol = (uint16_t)le16(k + 0x206);
    ck_assert_uint_ge(protocol, 0x20a);         /* any modern x86-64 kernel */

    Fixture *f = fx_new();
    size_t ilen = 3 * MiB + 123;
    uint8_t *initrd = malloc(ilen);
    for (size_t i = 0; i < ilen; i++)
        initrd[i] = (uint8_t)(i ^ (i >> 9));
    const char *cl = "console=ttyS0 vga=normal quiet";
    uint64_t ram = 128ull * MiB;
    LinuxBootInfo li;
    char err[256] = "";
    ck_assert_msg(linux_boot_load(f->fw, k, klen, initrd, ilen, cl, ram, &li, err, sizeof(err)),
                  "%s", err);

    uint32_t setup_size = ((k[0x1f1] ? k[0x1f1] : 4) + 1) * 512;
    ck_assert_uint_eq(li.protocol, protocol);
    /* QEMU's addresses for protocol >= 2.02 loaded high. */
    ck_assert_uint_eq(item32(f, FW_CFG_SETUP_ADDR), 0x10000);
    ck_assert_uint_eq(item32(f, FW_CFG_SETUP_SIZE), setup_size);
    ck_assert_uint_eq(item32(f, FW_CFG_KERNEL_ADDR), 0x100000);
    ck_assert_uint_eq(item32(f, FW_CFG_KERNEL_SIZE), klen - setup_size);
    ck_assert_uint_eq(item32(f, FW_CFG_CMDLINE_ADDR), 0x20000);
    ck_assert_uint_eq(item32(f, FW_CFG_CMDLINE_SIZE), strlen(cl) + 1);
    uint32_t len;
    const uint8_t *p = item(f, FW_CFG_CMDLINE_DATA, &len);
    ck_assert_uint_eq(len, strlen(cl) + 1);
    ck_assert_str_eq((const char *)p, cl);
    p = item(f, FW_CFG_KERNEL_DATA, &len);
    ck_assert_uint_eq(len, klen - setup_size);
    ck_assert(memcmp(p, k + setup_size, len) == 0);

    /* The initrd: 4 KiB aligned, wholly below initrd_addr_max + 1 and the
     * RAM SeaBIOS leaves, above the kernel. */
    uint32_t ia = item32(f, FW_CFG_INITRD_ADDR);
    ck_assert_uint_eq(item32(f, FW_CFG_INITRD_SIZE), ilen);
    ck_assert_uint_eq(ia % 4096, 0);
    ck_assert_uint_le((uint64_t)ia + ilen, (uint64_t)le32(k + 0x22c) + 1);
    ck_assert_uint_le((uint64_t)ia + ilen, ram - DIRECT_BOOT_HIGH_RESERVE);
    ck_assert_uint_ge(ia, 0x100000 + klen - setup_size);
    ck_assert_uint_gt((uint64_t)ia + ilen + 8192, ram - DIRECT_BOOT_HIGH_RESERVE); /* as high as it goes */
    p = item(f, FW_CFG_INITRD_DATA, &len);
    ck_assert_uint_eq(len, ilen);
    ck_assert(memcmp(p, initrd, ilen) == 0);

    /* The patched header (boot.rst "Details of Header Fields"). */
    const uint8_t *s = item(f, FW_CFG_SETUP_DATA, &len);
    ck_assert_uint_eq(len, setup_size);
    ck_assert_uint_eq(s[0x210], 0xb0);                  /* type_of_loader */
    ck_assert_uint_eq(s[0x211], k[0x211] | 0x80);       /* CAN_USE_HEAP */
    ck_assert_uint_eq(le16(s + 0x224), 0x20000 - 0x10000 - 0x200);   /* heap_end_ptr */
    ck_assert_uint_eq(le32(s + 0x228), 0x20000);        /* cmd_line_ptr */
    ck_assert_uint_eq(le32(s + 0x218), ia);             /* ramdisk_image */
    ck_assert_uint_eq(le32(s + 0x21c), ilen);           /* ramdisk_size */
    ck_assert_uint_eq(le16(s + 0x1fa), 0xffff);         /* vid_mode: vga=normal */
    static const int patched[] = { 0x1fa, 0x1fb, 0x210, 0x211, 0x218, 0x219, 0x21a, 0x21b,
                                   0x21c, 0x21d, 0x21e, 0x21f, 0x224, 0x225, 0x228, 0x229,
                                   0x22a, 0x22b };
    for (uint32_t i = 0; i < setup_size; i++) {
        bool is_patched = false;
        for (size_t j = 0; j < sizeof(patched) / sizeof(patched[0]); j++)
            is_patched |= (int)i == patched[j];
        if (!is_patched)
            ck_assert_msg(s[i] == k[i], "setup byte %#x changed", i);
    }

    /* The ROM, first in the boot order. */
    p = file(f, "genroms/linuxboot.bin", &len);
    ck_assert_uint_eq(len, linuxboot_rom_size);
    ck_assert(memcmp(p, linuxboot_rom, len) == 0);
    p = file(f, "bootorder", &len);
    ck_assert(strncmp((const char *)p, "/rom@genroms/linuxboot.bin\n", 27) == 0);

    /* A cut-off kernel is refused with one line. */
    Fixture *g = fx_new();
    ck_assert(!linux_boot_load(g->fw, k, klen / 2, NULL, 0, NULL, ram, NULL, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
    ck_assert_ptr_null(strchr(err, '\n'));
    /* Not enough RAM for this initrd above the kernel. */
    ck_assert(!linux_boot_load(g->fw, k, klen, initrd, ilen, NULL, 12 * MiB, NULL, err,
                               sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "-initrd"));
    fx_free(g);

    free(initrd);
    free(k);
    free(path);
    fx_free(f);
}
END_TEST

START_TEST(test_initrd_limits)
{
    size_t klen;
    uint8_t *k = fake_kernel(0x20f, 0x01, 64 * 1024, &klen);
    put32(k + 0x22c, 0x01ffffff);               /* initrd_addr_max: 32 MiB */
    uint8_t initrd[5000];
    memset(initrd, 0x5a, sizeof(initrd));
    char err[256];
    LinuxBootInfo li;

    /* initrd_addr_max below the RAM end decides. */
    Fixture *f = fx_new();
    ck_assert(linux_boot_load(f->fw, k, klen, initrd, sizeof(initrd), "", 256ull * MiB, &li, err,
                              sizeof(err)));
    ck_assert_uint_eq(li.initrd_max, 0x01ffffff);
    ck_assert_uint_eq(li.initrd_addr, (0x01ffffff - sizeof(initrd)) & ~0xfffu);
    ck_assert_uint_le(li.initrd_addr + sizeof(initrd), 0x02000000);
    fx_free(f);

    /* A RAM end below initrd_addr_max decides (less SeaBIOS's tables). */
    f = fx_new();
    ck_assert(linux_boot_load(f->fw, k, klen, initrd, sizeof(initrd), "", 16ull * MiB, &li, err,
                              sizeof(err)));
    ck_assert_uint_eq(li.initrd_max, 16 * MiB - DIRECT_BOOT_HIGH_RESERVE - 1);
    ck_assert_uint_le(li.initrd_addr + sizeof(initrd), 16 * MiB - DIRECT_BOOT_HIGH_RESERVE);
    fx_free(f);

    /* Before protocol 2.03 the limit is 0x37FFFFFF whatever the header says. */
    uint8_t *k2 = fake_kernel(0x202, 0x01, 64 * 1024, &klen);
    put32(k2 + 0x22c, 0x01ffffff);
    f = fx_new();
    ck_assert(linux_boot_load(f->fw, k2, klen, initrd, sizeof(initrd), "", 2048ull * MiB, &li,
                              err, sizeof(err)));
    ck_assert_uint_eq(li.initrd_max, 0x37ffffff);
    ck_assert_uint_eq(le32(item(f, FW_CFG_SETUP_DATA, &(uint32_t){ 0 }) + 0x218), li.initrd_addr);
    fx_free(f);
    free(k2);
    free(k);
}
END_TEST

START_TEST(test_old_protocols)
{
    char err[256];
    LinuxBootInfo li;
    size_t klen;
    uint32_t len;

    /* 2.01 loaded high: setup at 0x90000, the old command line protocol. */
    uint8_t *k = fake_kernel(0x201, 0x01, 32 * 1024, &klen);
    Fixture *f = fx_new();
    const char *cl = "root=/dev/hda1";
    ck_assert(linux_boot_load(f->fw, k, klen, NULL, 0, cl, 64ull * MiB, &li, err, sizeof(err)));
    ck_assert_uint_eq(li.setup_addr, 0x90000);
    ck_assert_uint_eq(li.kernel_addr, 0x100000);
    ck_assert_uint_lt(li.cmdline_addr + strlen(cl), 0x9a000);
    ck_assert_uint_ge(li.cmdline_addr, 0x90000 + li.setup_size + 0x200);
    const uint8_t *s = item(f, FW_CFG_SETUP_DATA, &len);
    ck_assert_uint_eq(le16(s + 0x20), 0xa33f);                      /* cl_magic */
    ck_assert_uint_eq(le16(s + 0x22), li.cmdline_addr - 0x90000);   /* cl_offset */
    ck_assert_uint_eq(le32(s + 0x228), 0);                          /* no cmd_line_ptr */
    ck_assert_uint_eq(le16(s + 0x224), li.cmdline_addr - 0x90000 - 0x200);
    ck_assert_uint_eq(s[0x211], 0x81);
    ck_assert_uint_eq(item32(f, FW_CFG_SETUP_ADDR), 0x90000);
    ck_assert_int_lt(fw_cfg_file_key(f->fw, "genroms/multiboot.bin"), 0);
    fx_free(f);
    free(k);

    /* A zImage (not LOADED_HIGH) goes to 0x10000; too big a one is refused. */
    k = fake_kernel(0x200, 0x00, 32 * 1024, &klen);
    f = fx_new();
    ck_assert(linux_boot_load(f->fw, k, klen, NULL, 0, NULL, 64ull * MiB, &li, err, sizeof(err)));
    ck_assert_uint_eq(li.kernel_addr, 0x10000);
    ck_assert_uint_eq(item32(f, FW_CFG_KERNEL_ADDR), 0x10000);
    s = item(f, FW_CFG_SETUP_DATA, &len);
    ck_assert_uint_eq(s[0x211], 0x00);          /* 2.00: no heap flag */
    fx_free(f);
    free(k);
    k = fake_kernel(0x200, 0x00, 1024 * 1024, &klen);
    f = fx_new();
    ck_assert(!linux_boot_load(f->fw, k, klen, NULL, 0, NULL, 64ull * MiB, &li, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "zImage"));
    fx_free(f);
    free(k);
}
END_TEST

START_TEST(test_linux_bad_input)
{
    char err[256];
    size_t klen;
    uint8_t *k = fake_kernel(0x20f, 0x01, 64 * 1024, &klen);
    Fixture *f = fx_new();

    /* Command line longer than cmdline_size. */
    put32(k + 0x238, 10);
    ck_assert(!linux_boot_load(f->fw, k, klen, NULL, 0, "console=ttyS0,115200", 64ull * MiB,
                               NULL, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "command line"));
    put32(k + 0x238, 2047);
    /* syssize says more than the file has. */
    put32(k + 0x1f4, 64 * 1024 / 16 + 1);
    ck_assert(!linux_boot_load(f->fw, k, klen, NULL, 0, NULL, 64ull * MiB, NULL, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
    put32(k + 0x1f4, 64 * 1024 / 16);
    /* Shorter than the setup sectors. */
    ck_assert(!linux_boot_load(f->fw, k, 1500, NULL, 0, NULL, 64ull * MiB, NULL, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
    /* Too little RAM. */
    ck_assert(!linux_boot_load(f->fw, k, klen, NULL, 0, NULL, 1 * MiB, NULL, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "RAM"));
    /* No header signature. */
    memcpy(k + 0x202, "HdrX", 4);
    ck_assert(!linux_boot_is_kernel(k, klen));
    ck_assert(!linux_boot_load(f->fw, k, klen, NULL, 0, NULL, 64ull * MiB, NULL, err, sizeof(err)));
    /* Nothing was published by the failed attempts. */
    ck_assert_ptr_null(fw_cfg_item(f->fw, FW_CFG_KERNEL_DATA, &(uint32_t){ 0 }));
    ck_assert_int_lt(fw_cfg_file_key(f->fw, "bootorder"), 0);
    fx_free(f);
    free(k);
}
END_TEST

/* ---- the board entry point ---- */

START_TEST(test_setup_entry_point)
{
    VmConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    char err[256] = "";
    Fixture *f = fx_new();

    /* No -kernel: nothing to do. */
    ck_assert(pc_direct_boot_setup(f->fw, &cfg, 128ull * MiB, err, sizeof(err)));
    ck_assert_ptr_null(fw_cfg_item(f->fw, FW_CFG_KERNEL_SIZE, &(uint32_t){ 0 }));

    /* Garbage: one clear line naming the file. */
    uint8_t junk[4096];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (uint8_t)(i * 13 + 1);
    cfg.kernel = write_temp(junk, sizeof(junk));
    ck_assert(!pc_direct_boot_setup(f->fw, &cfg, 128ull * MiB, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "-kernel: '"));
    ck_assert_ptr_nonnull(strstr(err, "not a Linux bzImage or Multiboot kernel"));
    ck_assert_ptr_null(strchr(err, '\n'));
    unlink(cfg.kernel);
    free(cfg.kernel);

    /* A missing file. */
    cfg.kernel = strdup("/nonexistent/doppel-kernel");
    ck_assert(!pc_direct_boot_setup(f->fw, &cfg, 128ull * MiB, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "-kernel: cannot open"));
    free(cfg.kernel);

    /* A good kernel with a missing initrd. */
    size_t klen;
    uint8_t *k = fake_kernel(0x20f, 0x01, 16 * 1024, &klen);
    cfg.kernel = write_temp(k, klen);
    cfg.initrd = strdup("/nonexistent/initrd");
    ck_assert(!pc_direct_boot_setup(f->fw, &cfg, 128ull * MiB, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "-initrd: cannot open"));
    free(cfg.initrd);

    /* ... and with one; an existing boot order is kept after the ROM. */
    const char order[] = "/pci@i0cf8/*@1,1/drive@0/disk@0\n";
    fw_cfg_add_file(f->fw, "bootorder", order, sizeof(order));
    uint8_t rd[100] = { 1, 2, 3 };
    cfg.initrd = write_temp(rd, sizeof(rd));
    cfg.append = strdup("console=ttyS0");
    ck_assert_msg(pc_direct_boot_setup(f->fw, &cfg, 128ull * MiB, err, sizeof(err)), "%s", err);
    ck_assert_uint_eq(item32(f, FW_CFG_INITRD_SIZE), sizeof(rd));
    uint32_t len;
    ck_assert_str_eq((const char *)item(f, FW_CFG_CMDLINE_DATA, &len), "console=ttyS0");
    ck_assert_str_eq((const char *)file(f, "bootorder", &len),
                     "/rom@genroms/linuxboot.bin\n/pci@i0cf8/*@1,1/drive@0/disk@0\n");
    unlink(cfg.kernel);
    unlink(cfg.initrd);
    free(cfg.kernel);
    free(cfg.initrd);
    free(cfg.append);
    free(k);
    fx_free(f);
}
END_TEST

/* ---- Multiboot ---- */

#define MB_MAGIC 0x1badb002u

static void mb_header(uint8_t *h, uint32_t flags)
{
    put32(h, MB_MAGIC);
    put32(h + 4, flags);
    put32(h + 8, (uint32_t)-(MB_MAGIC + flags));
}

START_TEST(test_multiboot_aout)
{
    /* Header at file offset 64; the file loads at 2 MiB; 8 KiB of bss. */
    uint8_t img[1000];
    for (size_t i = 0; i < sizeof(img); i++)
        img[i] = (uint8_t)(i + 1);
    uint32_t load = 2 * MiB;
    mb_header(img + 64, 0x00010003);
    put32(img + 76, load + 64);                 /* header_addr */
    put32(img + 80, load);                      /* load_addr */
    put32(img + 84, 0);                         /* load_end: the whole file */
    put32(img + 88, load + sizeof(img) + 8192); /* bss_end */
    put32(img + 92, load + 96);                 /* entry */
    ck_assert_int_eq(multiboot_find_header(img, sizeof(img)), 64);

    const char m1[] = "first module\n", m2[] = "second";
    char *p1 = write_temp(m1, sizeof(m1) - 1), *p2 = write_temp(m2, sizeof(m2) - 1);
    char spec[256];
    snprintf(spec, sizeof(spec), "%s a=1,,2 b,%s", p1, p2);
    Fixture *f = fx_new();
    char err[256] = "";
    ck_assert_msg(multiboot_load(f->fw, img, sizeof(img), "/k/kernel", spec, "debug", 64ull * MiB,
                                 err, sizeof(err)), "%s", err);
    ck_assert_uint_eq(item32(f, FW_CFG_KERNEL_ADDR), load);
    ck_assert_uint_eq(item32(f, FW_CFG_KERNEL_ENTRY), load + 96);
    uint32_t blen;
    const uint8_t *blob = item(f, FW_CFG_KERNEL_DATA, &blen);
    ck_assert_uint_eq(item32(f, FW_CFG_KERNEL_SIZE), blen);
    ck_assert_uint_eq(blen % 4096, 0);
    ck_assert(memcmp(blob, img, sizeof(img)) == 0);
    for (size_t i = sizeof(img); i < sizeof(img) + 8192; i++)
        ck_assert_msg(blob[i] == 0, "bss byte %zu not zero", i);

    /* The information structure (§3.3). */
    ck_assert_uint_eq(item32(f, FW_CFG_INITRD_ADDR), MULTIBOOT_INFO_ADDR);
    ck_assert_uint_eq(item32(f, FW_CFG_INITRD_SIZE), MULTIBOOT_INFO_SIZE);
    uint32_t len;
    const uint8_t *mbi = item(f, FW_CFG_INITRD_DATA, &len);
    ck_assert_uint_eq(len, 88);
    ck_assert_uint_eq(le32(mbi), 0x24f);        /* mem, boot dev, cmdline, mods, mmap, name */
    ck_assert_uint_eq(le32(mbi + 48), MULTIBOOT_MMAP_ADDR);
    ck_assert_uint_eq(MULTIBOOT_MMAP_ADDR + MULTIBOOT_MMAP_AREA, MULTIBOOT_INFO_ADDR);
    ck_assert_uint_eq(le32(mbi + 20), 2);
#define AT(addr) (blob + ((addr) - load))
    ck_assert_str_eq((const char *)AT(le32(mbi + 16)), "/k/kernel debug");
    ck_assert_str_eq((const char *)AT(le32(mbi + 64)), "doppel");
    const uint8_t *mods = AT(le32(mbi + 24));
    ck_assert_uint_ge(le32(mbi + 24), load + sizeof(img) + 8192);   /* after the bss */
    char want[256];
    snprintf(want, sizeof(want), "%s a=1,2 b", p1);
    ck_assert_str_eq((const char *)AT(le32(mods + 8)), want);
    ck_assert_str_eq((const char *)AT(le32(mods + 16 + 8)), p2);
    for (int i = 0; i < 2; i++) {
        uint32_t start = le32(mods + 16 * i), end = le32(mods + 16 * i + 4);
        ck_assert_uint_eq(start % 4096, 0);     /* flags bit 0: page aligned */
        ck_assert_uint_le(end, load + blen);
        const char *want_data = i ? m2 : m1;
        ck_assert_uint_eq(end - start, strlen(want_data));
        ck_assert(memcmp(AT(start), want_data, end - start) == 0);
    }
#undef AT
    const uint8_t *rom = file(f, "genroms/multiboot.bin", &len);
    ck_assert_uint_eq(len, multiboot_rom_size);
    ck_assert(memcmp(rom, multiboot_rom, len) == 0);
    ck_assert_str_eq((const char *)file(f, "bootorder", &len), "/rom@genroms/multiboot.bin\n");
    fx_free(f);

    /* A missing module, an empty module name. */
    f = fx_new();
    ck_assert(!multiboot_load(f->fw, img, sizeof(img), "k", "/nonexistent/mod", NULL, 64ull * MiB,
                              err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "-initrd: Multiboot module: cannot open"));
    ck_assert(!multiboot_load(f->fw, img, sizeof(img), "k", "a,,b,", NULL, 64ull * MiB, err,
                              sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "empty"));
    fx_free(f);
    unlink(p1);
    unlink(p2);
    free(p1);
    free(p2);
}
END_TEST

/* An ELF32 kernel linked at 0xC0100000, loaded at 1 MiB (paddr). */
static size_t fake_elf(uint8_t *e, size_t cap, uint8_t elf_class)
{
    memset(e, 0, cap);
    memcpy(e, "\x7f" "ELF", 4);
    e[4] = elf_class;
    e[5] = 1;
    e[6] = 1;
    put16(e + 16, 2);                           /* ET_EXEC */
    put16(e + 18, 3);                           /* EM_386 */
    put32(e + 24, 0xc0100010);                  /* e_entry (virtual) */
    put32(e + 28, 52);                          /* e_phoff */
    put16(e + 42, 32);
    put16(e + 44, 2);
    uint8_t *ph = e + 52;
    /* text: file 0x100..0x300 -> 1 MiB */
    put32(ph, 1);
    put32(ph + 4, 0x100);
    put32(ph + 8, 0xc0100000);
    put32(ph + 12, 0x100000);
    put32(ph + 16, 0x200);
    put32(ph + 20, 0x200);
    /* data + bss: file 0x300..0x340 -> 1 MiB + 0x1000, 0x1000 in memory */
    ph += 32;
    put32(ph, 1);
    put32(ph + 4, 0x300);
    put32(ph + 8, 0xc0101000);
    put32(ph + 12, 0x101000);
    put32(ph + 16, 0x40);
    put32(ph + 20, 0x1000);
    for (int i = 0x100; i < 0x340; i++)
        e[i] = (uint8_t)(0x80 | i);
    mb_header(e + 0x100, 0x00000003);
    return 0x340;
}

START_TEST(test_multiboot_elf)
{
    uint8_t e[0x400];
    size_t n = fake_elf(e, sizeof(e), 1);
    ck_assert_int_eq(multiboot_find_header(e, n), 0x100);
    Fixture *f = fx_new();
    char err[256] = "";
    ck_assert_msg(multiboot_load(f->fw, e, n, "elfk", NULL, NULL, 64ull * MiB, err, sizeof(err)),
                  "%s", err);
    ck_assert_uint_eq(item32(f, FW_CFG_KERNEL_ADDR), 0x100000);
    ck_assert_uint_eq(item32(f, FW_CFG_KERNEL_ENTRY), 0x100010);    /* virtual -> physical */
    uint32_t len;
    const uint8_t *blob = item(f, FW_CFG_KERNEL_DATA, &len);
    ck_assert(memcmp(blob, e + 0x100, 0x200) == 0);
    for (int i = 0x200; i < 0x1000; i++)
        ck_assert_uint_eq(blob[i], 0);          /* the gap between the segments */
    ck_assert(memcmp(blob + 0x1000, e + 0x300, 0x40) == 0);
    for (int i = 0x1040; i < 0x2000; i++)
        ck_assert_uint_eq(blob[i], 0);          /* bss */
    const uint8_t *mbi = item(f, FW_CFG_INITRD_DATA, &len);
    ck_assert_uint_eq(le32(mbi + 20), 0);       /* no modules */
    ck_assert_str_eq((const char *)blob + (le32(mbi + 16) - 0x100000), "elfk");
    fx_free(f);

    /* 64-bit ELF, a header with an unsupported required feature, a bad
     * checksum, a segment past the end of the file, a kernel below 1 MiB,
     * and a kernel too big for the RAM. */
    f = fx_new();
    n = fake_elf(e, sizeof(e), 2);
    ck_assert(!multiboot_load(f->fw, e, n, "k", NULL, NULL, 64ull * MiB, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "64-bit"));
    n = fake_elf(e, sizeof(e), 1);
    mb_header(e + 0x100, 0x00000010);
    ck_assert(!multiboot_load(f->fw, e, n, "k", NULL, NULL, 64ull * MiB, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "unsupported"));
    put32(e + 0x108, 0);
    ck_assert_int_eq(multiboot_find_header(e, n), -1);
    n = fake_elf(e, sizeof(e), 1);
    ck_assert(!multiboot_load(f->fw, e, 0x320, "k", NULL, NULL, 64ull * MiB, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
    put32(e + 52 + 12, 0x8000);
    put32(e + 52 + 32 + 12, 0x9000);
    ck_assert(!multiboot_load(f->fw, e, n, "k", NULL, NULL, 64ull * MiB, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "below 1 MiB"));
    n = fake_elf(e, sizeof(e), 1);
    put32(e + 52 + 32 + 20, 0x7fff0000);        /* a 2 GiB bss */
    ck_assert(!multiboot_load(f->fw, e, n, "k", NULL, NULL, 64ull * MiB, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "fit in RAM"));
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_ptr_null(fw_cfg_item(f->fw, FW_CFG_KERNEL_DATA, &(uint32_t){ 0 }));
    fx_free(f);
}
END_TEST

static Suite *linuxboot_suite(void)
{
    Suite *s = suite_create("linuxboot");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_rom_images);
    tcase_add_test(tc, test_real_bzimage);
    tcase_add_test(tc, test_initrd_limits);
    tcase_add_test(tc, test_old_protocols);
    tcase_add_test(tc, test_linux_bad_input);
    tcase_add_test(tc, test_setup_entry_point);
    tcase_add_test(tc, test_multiboot_aout);
    tcase_add_test(tc, test_multiboot_elf);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(linuxboot_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
