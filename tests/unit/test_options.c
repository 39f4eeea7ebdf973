/*
 * Unit tests of the command line (frontends/options.c).
 *
 * Expected meanings follow QEMU's documentation of the same options
 * (qemu-options.hx, "QEMU System Emulator Invocation"): -m takes MiB by
 * default with optional K/M/G suffixes, -cdrom is IDE index 2, -hda..-hdd
 * are indexes 0..3, -nographic moves the serial port to stdio, -boot letters
 * are a/c/d/n, -icount shift is a power of two in ns. CD-ROM images are
 * whole 2048-byte sectors (ECMA-119 6.1.2). Every bad input must give
 * exactly one error line naming the option, and return -1.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "frontends/options.h"
#include "machine/log.h"

/* Test fixture: a temporary directory with image files of known sizes. */
static char dir[64];
static char p_disk[128], p_iso[128], p_trunc[128], p_empty[128], p_kernel[128];
static char p_initrd[128], p_bios[128], p_comma[128], p_ro[128], p_missing[128];

static void make_file(char *path, const char *name, size_t size, mode_t mode)
{
    snprintf(path, 128, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < size; i++)
        fputc((int)(i & 0xff), f);
    fclose(f);
    chmod(path, mode);
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/doppel-opt-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    make_file(p_disk, "disk.img", 8192, 0644);
    make_file(p_iso, "good.iso", 4096, 0644);
    make_file(p_trunc, "trunc.iso", 1000, 0644);
    make_file(p_empty, "empty.img", 0, 0644);
    make_file(p_kernel, "bzImage", 1024, 0644);
    make_file(p_initrd, "initrd", 0, 0644);
    make_file(p_bios, "bios.bin", 65536, 0644);
    make_file(p_comma, "a,b.img", 512, 0644);
    make_file(p_ro, "ro.img", 512, 0444);
    snprintf(p_missing, sizeof(p_missing), "%s/missing.img", dir);
}

static void teardown(void)
{
    const char *files[] = { p_disk, p_iso, p_trunc, p_empty, p_kernel, p_initrd,
                            p_bios, p_comma, p_ro };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        unlink(files[i]);
    rmdir(dir);
}

/* Parse "doppel" + the NULL-terminated args. */
static int parse_list(VmConfig *cfg, char *err, size_t errlen, const char *const *args)
{
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)"doppel";
    for (int i = 0; args[i]; i++)
        argv[argc++] = (char *)args[i];
    argv[argc] = NULL;
    return options_parse(cfg, argc, argv, err, errlen);
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Parse args that must succeed; the caller checks cfg and frees it. */
static void good(VmConfig *cfg, const char *const *args)
{
    char err[512];
    int r = parse_list(cfg, err, sizeof(err), args);
    ck_assert_msg(r == 0, "expected success for '%s ...', got %d: %s", args[0], r, err);
}

/* Args that must fail with one line that names opt and contains needle. */
static void bad_list(const char *opt, const char *needle, const char *const *args)
{
    VmConfig cfg;
    char err[512];
    int r = parse_list(&cfg, err, sizeof(err), args);
    ck_assert_msg(r == -1, "expected -1 for '%s %s', got %d", args[0],
                  args[1] ? args[1] : "", r);
    ck_assert_msg(!strncmp(err, "doppel: ", 8), "error without prefix: %s", err);
    ck_assert_msg(!strchr(err, '\n'), "error has a newline: %s", err);
    ck_assert_msg(strstr(err, opt), "error '%s' does not name '%s'", err, opt);
    ck_assert_msg(strstr(err, needle), "error '%s' lacks '%s'", err, needle);
    options_free(&cfg);
}
#define BAD(opt, needle, ...) bad_list(opt, needle, ARGS(__VA_ARGS__))

/* Run a parse that prints, capturing stdout into out. */
static int parse_capture(const char *const *args, char *out, size_t outlen)
{
    VmConfig cfg;
    char err[512];
    fflush(stdout);
    int saved = dup(1);
    FILE *tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    dup2(fileno(tmp), 1);
    int r = parse_list(&cfg, err, sizeof(err), args);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, outlen - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    options_free(&cfg);
    return r;
}

/* ---- defaults and machine/memory ------------------------------------------ */

START_TEST(test_defaults)
{
    VmConfig cfg;
    good(&cfg, (const char *const[]){ NULL });
    ck_assert_str_eq(cfg.machine, "pc");
    ck_assert_uint_eq(cfg.ram_size, 128u << 20);   /* QEMU's default -m */
    ck_assert_int_eq(cfg.icount_shift, -1);
    ck_assert_int_eq(cfg.serial.kind, CHR_NONE);
    ck_assert_int_eq(cfg.debugcon.kind, CHR_NONE);
    ck_assert_int_eq(cfg.display, DISPLAY_DEFAULT);
    ck_assert_int_eq(cfg.backend, BACKEND_DEFAULT);
    ck_assert_int_eq(cfg.ndrives, 0);
    ck_assert_str_eq(cfg.boot_order, "");
    ck_assert_int_eq(cfg.nscript, 0);
    ck_assert(cfg.timeout == 0);
    ck_assert(!cfg.nographic && !cfg.snapshot && !cfg.no_reboot && !cfg.nic_none);
    options_free(&cfg);
    ck_assert_ptr_null(cfg.machine);
}
END_TEST

START_TEST(test_machine)
{
    static const struct { const char *opt, *arg, *want; } cases[] = {
        { "-M", "pc", "pc" },
        { "-machine", "q35", "q35" },
        { "--machine", "isapc", "isapc" },
        { "--M", "pc", "pc" },
        { "-machine", "pc,accel=tcg,usb=off", "pc" },
        { "-machine", "type=virt,gic-version=3", "virt" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        VmConfig cfg;
        good(&cfg, ARGS(cases[i].opt, cases[i].arg));
        ck_assert_str_eq(cfg.machine, cases[i].want);
        options_free(&cfg);
    }
    BAD("-machine", "no machine type", "-machine", "");
    BAD("-M", "no machine type", "-M", "accel=tcg");
    BAD("-M", "requires an argument", "-M");
}
END_TEST

START_TEST(test_mem_good)
{
    static const struct { const char *arg; uint64_t want; } cases[] = {
        { "512", 512ull << 20 },         /* plain number: MiB, as in QEMU */
        { "1", 1ull << 20 },             /* the minimum */
        { "2G", 2ull << 30 },
        { "2g", 2ull << 30 },
        { "64M", 64ull << 20 },
        { "1024K", 1ull << 20 },
        { "64G", 64ull << 30 },          /* the maximum */
        { "size=2G", 2ull << 30 },
        { "3GiB", 3ull << 30 },
        { "256MB", 256ull << 20 },
        { "1048577B", (1ull << 20) + 8192 },  /* rounded up to 8 KiB as QEMU does */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        VmConfig cfg;
        good(&cfg, ARGS("-m", cases[i].arg));
        ck_assert_msg(cfg.ram_size == cases[i].want, "-m %s gave %llu", cases[i].arg,
                      (unsigned long long)cfg.ram_size);
        options_free(&cfg);
    }
    VmConfig cfg;
    good(&cfg, ARGS("--m", "256", "-m", "300"));   /* the last one wins */
    ck_assert_uint_eq(cfg.ram_size, 300ull << 20);
    options_free(&cfg);
}
END_TEST

START_TEST(test_mem_bad)
{
    BAD("-m", "invalid size 'abc'", "-m", "abc");
    BAD("-m", "out of range", "-m", "0");
    BAD("-m", "out of range", "-m", "0G");
    BAD("-m", "invalid size", "-m", "");
    BAD("-m", "invalid size", "-m", "-5");
    BAD("-m", "invalid size", "-m", "+5");
    BAD("-m", "invalid size", "-m", " 5");
    BAD("-m", "invalid size", "-m", "512X");
    BAD("-m", "invalid size", "-m", "512MX");
    BAD("-m", "invalid size", "-m", "1.5G");
    BAD("-m", "out of range", "-m", "1023K");          /* < 1 MiB */
    BAD("-m", "out of range", "-m", "65G");            /* > 64 GiB */
    BAD("-m", "out of range", "-m", "65537");          /* MiB: > 64 GiB */
    BAD("-m", "out of range", "-m", "99999999999999999999999");  /* strtoull overflow */
    BAD("-m", "out of range", "-m", "17179869184G");   /* 2^34 GiB = 2^64: multiply overflow */
    BAD("-m", "out of range", "-m", "17592186044416");  /* 2^44 MiB = 2^64 */
    BAD("-m", "invalid size", "-m", "size=");
    BAD("-m", "unknown key 'slots'", "-m", "512,slots=2");
    BAD("-m", "requires an argument", "-m");
}
END_TEST

/* ---- files and drives --------------------------------------------------------- */

START_TEST(test_bios_kernel)
{
    VmConfig cfg;
    good(&cfg, ARGS("-bios", p_bios, "-kernel", p_kernel, "-initrd", p_initrd,
                    "-append", "console=ttyS0 quiet"));
    ck_assert_str_eq(cfg.bios, p_bios);
    ck_assert_str_eq(cfg.kernel, p_kernel);
    ck_assert_str_eq(cfg.initrd, p_initrd);
    ck_assert_str_eq(cfg.append, "console=ttyS0 quiet");
    options_free(&cfg);

    BAD("-bios", "No such file or directory", "-bios", p_missing);
    BAD("-bios", "is empty", "-bios", p_empty);
    BAD("-bios", "Is a directory", "-bios", dir);
    BAD("-kernel", "No such file or directory", "-kernel", p_missing);
    BAD("-kernel", "is empty", "-kernel", p_empty);
    BAD("-initrd", "Is a directory", "-kernel", p_kernel, "-initrd", dir);
    BAD("-initrd", "only allowed with -kernel", "-initrd", p_initrd);
    BAD("-append", "only allowed with -kernel", "-append", "quiet");
    BAD("-kernel", "not a regular file", "-kernel", "/dev/null");
}
END_TEST

START_TEST(test_hdx_cdrom)
{
    VmConfig cfg;
    good(&cfg, ARGS("-hda", p_disk, "-hdb", p_comma, "-hdd", p_disk, "-cdrom", p_iso));
    ck_assert_int_eq(cfg.ndrives, 4);
    ck_assert_int_eq(cfg.drives[0].index, 0);
    ck_assert_int_eq(cfg.drives[0].media, MEDIA_DISK);
    ck_assert(!cfg.drives[0].readonly && !cfg.drives[0].snapshot);
    ck_assert_str_eq(cfg.drives[0].file, p_disk);
    ck_assert_int_eq(cfg.drives[1].index, 1);
    ck_assert_int_eq(cfg.drives[2].index, 3);
    ck_assert_int_eq(cfg.drives[3].index, 2);            /* QEMU: -cdrom is index 2 */
    ck_assert_int_eq(cfg.drives[3].media, MEDIA_CDROM);
    ck_assert(cfg.drives[3].readonly);
    options_free(&cfg);

    good(&cfg, ARGS("--hdc", p_disk));
    ck_assert_int_eq(cfg.drives[0].index, 2);
    options_free(&cfg);

    /* A bare file is -hda. */
    good(&cfg, ARGS(p_disk, "-m", "64"));
    ck_assert_int_eq(cfg.ndrives, 1);
    ck_assert_int_eq(cfg.drives[0].index, 0);
    ck_assert_str_eq(cfg.drives[0].file, p_disk);
    options_free(&cfg);

    BAD("-cdrom", "cannot open '", "-cdrom", p_missing);
    BAD("-cdrom", "No such file or directory", "-cdrom", p_missing);
    BAD("-cdrom", "truncated ISO", "-cdrom", p_trunc);   /* 1000 bytes: not whole sectors */
    BAD("-cdrom", "1000 bytes", "-cdrom", p_trunc);
    BAD("-cdrom", "truncated ISO", "-cdrom", p_empty);
    BAD("-cdrom", "Is a directory", "-cdrom", dir);
    BAD("-hda", "is empty", "-hda", p_empty);
    BAD("-hdb", "No such file", "-hdb", p_missing);
    BAD("-hda", "is empty", p_empty);                   /* positional */
    BAD("-hda", "index 0 is already in use", p_disk, "-hda", p_disk);
    BAD("-hdc", "index 2 is already in use", "-cdrom", p_iso, "-hdc", p_disk);
    BAD("-hdd", "requires an argument", "-hdd");
}
END_TEST

START_TEST(test_drive_good)
{
    VmConfig cfg;
    char d1[256], d2[256], d3[256];
    snprintf(d1, sizeof(d1), "file=%s,format=raw,if=ide,media=disk,index=1,readonly=on", p_disk);
    snprintf(d2, sizeof(d2), "media=cdrom,file=%s,index=3", p_iso);
    good(&cfg, ARGS("-drive", d1, "--drive", d2));
    ck_assert_int_eq(cfg.ndrives, 2);
    ck_assert_str_eq(cfg.drives[0].file, p_disk);
    ck_assert_int_eq(cfg.drives[0].index, 1);
    ck_assert_int_eq(cfg.drives[0].media, MEDIA_DISK);
    ck_assert(cfg.drives[0].readonly);
    ck_assert_int_eq(cfg.drives[1].index, 3);
    ck_assert_int_eq(cfg.drives[1].media, MEDIA_CDROM);
    ck_assert(cfg.drives[1].readonly);
    options_free(&cfg);

    /* No index: the first free slot. ",," is a literal comma (QEMU). */
    snprintf(d1, sizeof(d1), "file=%s", p_disk);
    snprintf(d3, sizeof(d3), "file=%s/a,,b.img,readonly=off", dir);
    good(&cfg, ARGS("-hda", p_disk, "-drive", d1, "-drive", d3));
    ck_assert_int_eq(cfg.drives[1].index, 1);
    ck_assert_int_eq(cfg.drives[2].index, 2);
    ck_assert_str_eq(cfg.drives[2].file, p_comma);
    ck_assert(!cfg.drives[2].readonly);
    options_free(&cfg);

    /* An empty CD-ROM drive needs no file; snapshot=on per drive. */
    snprintf(d1, sizeof(d1), "file=%s,snapshot=on", p_disk);
    good(&cfg, ARGS("-drive", "media=cdrom,index=2", "-drive", d1));
    ck_assert_ptr_null(cfg.drives[0].file);
    ck_assert(cfg.drives[1].snapshot);
    options_free(&cfg);
}
END_TEST

START_TEST(test_drive_bad)
{
    char a[256], b[256];
    snprintf(a, sizeof(a), "fmt=raw,file=%s", p_disk);
    BAD("-drive", "unknown key 'fmt'", "-drive", a);
    snprintf(a, sizeof(a), "file=%s,format=qcow2", p_disk);
    BAD("-drive", "format 'qcow2'", "-drive", a);
    snprintf(a, sizeof(a), "file=%s,if=virtio", p_disk);
    BAD("-drive", "interface 'virtio'", "-drive", a);
    snprintf(a, sizeof(a), "file=%s,index=4", p_disk);
    BAD("-drive", "index '4' out of range", "-drive", a);
    snprintf(a, sizeof(a), "file=%s,index=-1", p_disk);
    BAD("-drive", "out of range", "-drive", a);
    snprintf(a, sizeof(a), "file=%s,index=one", p_disk);
    BAD("-drive", "out of range", "-drive", a);
    snprintf(a, sizeof(a), "file=%s,index=1", p_disk);
    snprintf(b, sizeof(b), "file=%s,index=1,readonly=on", p_iso);
    BAD("-drive", "index 1 is already in use", "-drive", a, "-drive", b);
    BAD("-drive", "index 0 is already in use", "-hda", p_disk, "-drive", "media=cdrom,index=0");
    snprintf(a, sizeof(a), "file=%s,media=tape", p_disk);
    BAD("-drive", "media must be disk or cdrom", "-drive", a);
    snprintf(a, sizeof(a), "file=%s,readonly=maybe", p_disk);
    BAD("-drive", "readonly must be on or off", "-drive", a);
    BAD("-drive", "needs file=", "-drive", "format=raw,index=0");
    BAD("-drive", "not key=value", "-drive", p_disk);
    snprintf(a, sizeof(a), "file=%s", p_empty);
    BAD("-drive", "is empty", "-drive", a);
    snprintf(a, sizeof(a), "file=%s,media=cdrom", p_trunc);
    BAD("-drive", "truncated ISO", "-drive", a);
    snprintf(a, sizeof(a), "file=%s", p_missing);
    BAD("-drive", "No such file", "-drive", a);
    BAD("-drive", "no free IDE slot", "-hda", p_disk, "-hdb", p_disk, "-hdc", p_disk,
        "-hdd", p_disk, "-drive", "media=cdrom");
}
END_TEST

/* A read-only image needs readonly=on or -snapshot. Root may write any
 * file, so the refusal is only observable for other users. */
START_TEST(test_drive_write_permission)
{
    char a[256];
    VmConfig cfg;
    snprintf(a, sizeof(a), "file=%s,readonly=on", p_ro);
    good(&cfg, ARGS("-drive", a));
    ck_assert(cfg.drives[0].readonly);
    options_free(&cfg);
    good(&cfg, ARGS("-hda", p_ro, "-snapshot"));   /* -snapshot may come later */
    ck_assert(cfg.snapshot && cfg.drives[0].snapshot);
    options_free(&cfg);
    good(&cfg, ARGS("-cdrom", p_iso));            /* CD-ROMs never need write access */
    options_free(&cfg);
    if (geteuid() != 0)
        BAD("-hda", "for writing", "-hda", p_ro);
}
END_TEST

START_TEST(test_boot)
{
    static const struct { const char *arg, *want; } cases[] = {
        { "order=dc", "dc" }, { "cd", "cd" }, { "n", "n" }, { "once=d", "d" },
        { "menu=on,order=c", "c" }, { "acdn", "acdn" }, { "order=cd,strict=off", "cd" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        VmConfig cfg;
        good(&cfg, ARGS("-boot", cases[i].arg));
        ck_assert_str_eq(cfg.boot_order, cases[i].want);
        options_free(&cfg);
    }
    BAD("-boot", "invalid boot device 'x'", "-boot", "x");
    BAD("-boot", "invalid boot device 'z'", "-boot", "order=cz");
    BAD("-boot", "given twice", "-boot", "cc");
    BAD("-boot", "no boot order", "-boot", "order=");
    BAD("-boot", "no boot order", "-boot", "");
    BAD("-boot", "unknown key 'splash'", "-boot", "order=c,splash=x.bmp");
    BAD("-boot", "menu must be on or off", "-boot", "menu=maybe");
}
END_TEST

/* ---- display, character devices --------------------------------------------- */

START_TEST(test_display_serial)
{
    VmConfig cfg;
    good(&cfg, ARGS("-nographic"));
    ck_assert(cfg.nographic);
    ck_assert_int_eq(cfg.display, DISPLAY_NONE);
    ck_assert_int_eq(cfg.serial.kind, CHR_STDIO);   /* QEMU: -nographic -> serial on stdio */
    options_free(&cfg);

    good(&cfg, ARGS("-nographic", "-serial", "none"));
    ck_assert_int_eq(cfg.serial.kind, CHR_NONE);
    options_free(&cfg);

    good(&cfg, ARGS("-serial", "file:/tmp/com1.log", "-debugcon", "stdio", "-display", "sdl"));
    ck_assert_int_eq(cfg.serial.kind, CHR_FILE);
    ck_assert_str_eq(cfg.serial.path, "/tmp/com1.log");
    ck_assert_int_eq(cfg.debugcon.kind, CHR_STDIO);
    ck_assert_int_eq(cfg.display, DISPLAY_SDL);
    options_free(&cfg);

    good(&cfg, ARGS("-serial", "null", "-debugcon", "file:dbg.txt", "--display", "none"));
    ck_assert_int_eq(cfg.serial.kind, CHR_NULL);
    ck_assert_int_eq(cfg.debugcon.kind, CHR_FILE);
    ck_assert_str_eq(cfg.debugcon.path, "dbg.txt");
    ck_assert_int_eq(cfg.display, DISPLAY_NONE);
    options_free(&cfg);

    good(&cfg, ARGS("-serial", "mon:stdio", "-debugcon", "none"));
    ck_assert_int_eq(cfg.serial.kind, CHR_STDIO);
    ck_assert_int_eq(cfg.debugcon.kind, CHR_NONE);
    options_free(&cfg);

    BAD("-display", "unsupported display 'gtk'", "-display", "gtk");
    BAD("-nographic", "cannot be used with -display", "-nographic", "-display", "sdl");
    BAD("-serial", "unsupported backend 'tcp::4444'", "-serial", "tcp::4444");
    BAD("-serial", "file: needs a path", "-serial", "file:");
    BAD("-serial", "only one serial port", "-serial", "stdio", "-serial", "null");
    BAD("-debugcon", "unsupported backend 'pty'", "-debugcon", "pty");
}
END_TEST

/* ---- run control, logging, engine ------------------------------------------- */

START_TEST(test_flags_log_accel)
{
    VmConfig cfg;
    good(&cfg, ARGS("-no-reboot", "--snapshot", "-d", "in_asm,int", "-D", "/tmp/log.txt",
                    "-accel", "tcg,backend=interp"));
    ck_assert(cfg.no_reboot && cfg.snapshot);
    ck_assert_uint_eq(cfg.log_mask, LOG_in_asm | LOG_int);
    ck_assert_str_eq(cfg.log_file, "/tmp/log.txt");
    ck_assert_int_eq(cfg.backend, BACKEND_INTERP);
    options_free(&cfg);

    good(&cfg, ARGS("-accel", "tcg,backend=native"));
    ck_assert_int_eq(cfg.backend, BACKEND_NATIVE);
    options_free(&cfg);
    good(&cfg, ARGS("-accel", "tcg"));
    ck_assert_int_eq(cfg.backend, BACKEND_DEFAULT);
    options_free(&cfg);

    BAD("-d", "unknown log category 'no_such_category'", "-d", "no_such_category");
    BAD("-D", "empty file name", "-D", "");
    BAD("-accel", "unsupported accelerator 'kvm'", "-accel", "kvm");
    BAD("-accel", "backend must be interp or native", "-accel", "tcg,backend=jit");
    BAD("-accel", "unknown key 'thread'", "-accel", "tcg,thread=multi");
}
END_TEST

START_TEST(test_icount)
{
    static const struct { const char *arg; int want; } cases[] = {
        { "7", 7 }, { "shift=0", 0 }, { "shift=10", 10 }, { "shift=3,sleep=off", 3 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        VmConfig cfg;
        good(&cfg, ARGS("-icount", cases[i].arg));
        ck_assert_int_eq(cfg.icount_shift, cases[i].want);
        options_free(&cfg);
    }
    BAD("-icount", "0 to 10", "-icount", "11");
    BAD("-icount", "0 to 10", "-icount", "-1");
    BAD("-icount", "0 to 10", "-icount", "shift=auto");
    BAD("-icount", "0 to 10", "-icount", "abc");
    BAD("-icount", "0 to 10", "-icount", "");
    BAD("-icount", "unknown key 'align'", "-icount", "shift=1,align=on");
}
END_TEST

/* ---- devices and network ------------------------------------------------------ */

START_TEST(test_device_net)
{
    VmConfig cfg;
    good(&cfg, ARGS("-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-device", "e1000",
                    "-device", "ne2k_isa", "-device", "ne2k_pci", "-device", "isa-debugcon",
                    "-nic", "user,model=e1000", "-netdev", "user,id=n0"));
    ck_assert_int_eq(cfg.ndevices, 5);
    ck_assert_str_eq(cfg.devices[0].driver, "isa-debug-exit");
    ck_assert_str_eq(cfg.devices[0].props, "iobase=0xf4,iosize=0x04");
    ck_assert_str_eq(cfg.devices[1].driver, "e1000");
    ck_assert_str_eq(cfg.devices[1].props, "");
    ck_assert_int_eq(cfg.nnics, 2);
    ck_assert_str_eq(cfg.nics[0].spec, "user,model=e1000");
    ck_assert(!cfg.nics[0].netdev);
    ck_assert_str_eq(cfg.nics[1].spec, "user,id=n0");
    ck_assert(cfg.nics[1].netdev);
    ck_assert(!cfg.nic_none);
    options_free(&cfg);

    good(&cfg, ARGS("-nic", "none"));
    ck_assert(cfg.nic_none);
    ck_assert_int_eq(cfg.nnics, 0);
    options_free(&cfg);

    BAD("-device", "unknown device 'virtio-net-pci'", "-device", "virtio-net-pci,netdev=n0");
    BAD("-device", "unknown device 'e100'", "-device", "e100");
    BAD("-device", "unknown device ''", "-device", "");
    BAD("-nic", "empty network", "-nic", "");
    BAD("-netdev", "empty network", "-netdev", "");
}
END_TEST

/* ---- scripted console ------------------------------------------------------------ */

START_TEST(test_script)
{
    VmConfig cfg;
    good(&cfg, ARGS("--expect", "login:", "--send", "root\\n", "--expect-screen", "Boot",
                    "--send", "\\x41\\e\\t\\r\\\\z", "-timeout", "30", "--screenshot", "out.png",
                    "--screen-text", "screen.txt"));
    ck_assert_int_eq(cfg.nscript, 4);
    ck_assert_int_eq(cfg.script[0].kind, STEP_EXPECT);
    ck_assert_str_eq(cfg.script[0].text, "login:");
    ck_assert_int_eq(cfg.script[1].kind, STEP_SEND);
    ck_assert_str_eq(cfg.script[1].text, "root\n");
    ck_assert_int_eq(cfg.script[2].kind, STEP_EXPECT_SCREEN);
    ck_assert_str_eq(cfg.script[3].text, "A\x1b\t\r\\z");
    ck_assert(cfg.timeout == 30.0);
    ck_assert_str_eq(cfg.screenshot, "out.png");
    ck_assert_str_eq(cfg.screen_text, "screen.txt");
    options_free(&cfg);

    good(&cfg, ARGS("--timeout=0.5", "--send=a,b"));   /* --name=value form */
    ck_assert(cfg.timeout == 0.5);
    ck_assert_str_eq(cfg.script[0].text, "a,b");
    options_free(&cfg);

    BAD("--send", "unknown escape '\\q'", "--send", "a\\q");
    BAD("--send", "two hex digits", "--send", "\\x4");
    BAD("--send", "two hex digits", "--send", "\\xZZ");
    BAD("--send", "trailing backslash", "--send", "abc\\");
    BAD("--send", "\\x00 is not allowed", "--send", "\\x00");
    BAD("--expect", "empty text", "--expect", "");
    BAD("--expect-screen", "unknown escape", "--expect-screen", "\\u1234");
    BAD("--timeout", "invalid timeout", "--timeout", "0");
    BAD("--timeout", "invalid timeout", "--timeout", "-1");
    BAD("--timeout", "invalid timeout", "--timeout", "abc");
    BAD("--timeout", "invalid timeout", "--timeout", "5s");
    BAD("--timeout", "invalid timeout", "--timeout", "inf");
    BAD("--timeout", "invalid timeout", "--timeout", "nan");
    BAD("--timeout", "invalid timeout", "--timeout", "1e999");
    BAD("--timeout", "invalid timeout", "--timeout", "");
    BAD("--screenshot", "ending in .png", "--screenshot", "out.jpg");
    BAD("--screenshot", "ending in .png", "--screenshot", ".png");
    BAD("--screen-text", "empty file name", "--screen-text", "");
}
END_TEST

/* ---- unknown options, formatting of errors ---------------------------------------- */

START_TEST(test_unknown_and_format)
{
    VmConfig cfg;
    char err[512];
    ck_assert_int_eq(parse_list(&cfg, err, sizeof(err), ARGS("-foo")), -1);
    ck_assert_str_eq(err, "doppel: unknown option '-foo'");
    options_free(&cfg);
    ck_assert_int_eq(parse_list(&cfg, err, sizeof(err), ARGS("-m", "abc")), -1);
    ck_assert_str_eq(err, "doppel: -m: invalid size 'abc'");
    options_free(&cfg);
    char path[256];
    snprintf(path, sizeof(path), "%s/x.iso", dir);
    ck_assert_int_eq(parse_list(&cfg, err, sizeof(err), ARGS("-cdrom", path)), -1);
    char want[400];
    snprintf(want, sizeof(want), "doppel: -cdrom: cannot open '%s': No such file or directory",
             path);
    ck_assert_str_eq(err, want);
    options_free(&cfg);

    BAD("unknown option '--'", "", "--");
    BAD("unknown option '-'", "", "-");
    BAD("unknown option '---m'", "", "---m", "64");
    BAD("unknown option '--nographic=1'", "", "--nographic=1");
    BAD("unknown option '-enable-kvm'", "", "-enable-kvm");
    /* User text with a newline cannot split the error line. */
    BAD("-m", "invalid size '1?2'", "-m", "1\n2");

    /* A tiny buffer is truncated, never overrun. */
    char small[12];
    memset(small, 'X', sizeof(small));
    ck_assert_int_eq(parse_list(&cfg, small, 8, ARGS("-m", "abc")), -1);
    ck_assert_uint_eq(strlen(small), 7);
    ck_assert_int_eq(small[8], 'X');
    options_free(&cfg);
}
END_TEST

/* ---- information options ------------------------------------------------------------- */

START_TEST(test_help_version)
{
    static char out[16384];
    ck_assert_int_eq(parse_capture(ARGS("-version"), out, sizeof(out)), 1);
    ck_assert_str_eq(out, "doppel " PACKAGE_VERSION "\n");
    ck_assert_int_eq(parse_capture(ARGS("--version"), out, sizeof(out)), 1);

    const char *helps[] = { "-h", "-help", "--help" };
    for (size_t i = 0; i < 3; i++) {
        ck_assert_int_eq(parse_capture(ARGS(helps[i]), out, sizeof(out)), 1);
        /* Every option is listed, one line each. */
        static const char *const names[] = {
            "-M,", "-machine ", "-m ", "-bios ", "-cdrom ", "-hda ", "-hdb ", "-hdc ",
            "-hdd ", "-drive ", "-boot ", "-kernel ", "-initrd ", "-append ",
            "-nographic ", "-display ", "-serial ", "-debugcon ", "-no-reboot ",
            "-snapshot ", "-d ", "-D ", "-accel ", "-icount ", "-device ", "-nic ",
            "-netdev ", "-version ", "-h,", "-help ", "--expect ", "--expect-screen ",
            "--send ", "--timeout ", "--screenshot ", "--screen-text ",
        };
        for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
            char needle[64];
            snprintf(needle, sizeof(needle), "  %s", names[n]);
            ck_assert_msg(strstr(out, needle) || strstr(out, names[n]),
                          "usage lacks %s", names[n]);
        }
    }
    /* Help stops parsing: what follows is not looked at. */
    ck_assert_int_eq(parse_capture(ARGS("-h", "-bogus"), out, sizeof(out)), 1);

    ck_assert_int_eq(parse_capture(ARGS("-d", "help"), out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, "in_asm"));
    ck_assert_ptr_nonnull(strstr(out, "guest_errors"));
    ck_assert_int_eq(parse_capture(ARGS("-M", "help"), out, sizeof(out)), 1);
    ck_assert_int_eq(parse_capture(ARGS("-accel", "help"), out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, "tcg"));
    ck_assert_int_eq(parse_capture(ARGS("-device", "help"), out, sizeof(out)), 1);
    ck_assert_ptr_nonnull(strstr(out, "isa-debug-exit"));
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("core");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_machine);
    tcase_add_test(tc, test_mem_good);
    tcase_add_test(tc, test_mem_bad);
    tcase_add_test(tc, test_bios_kernel);
    tcase_add_test(tc, test_hdx_cdrom);
    tcase_add_test(tc, test_drive_good);
    tcase_add_test(tc, test_drive_bad);
    tcase_add_test(tc, test_drive_write_permission);
    tcase_add_test(tc, test_boot);
    tcase_add_test(tc, test_display_serial);
    tcase_add_test(tc, test_flags_log_accel);
    tcase_add_test(tc, test_icount);
    tcase_add_test(tc, test_device_net);
    tcase_add_test(tc, test_script);
    tcase_add_test(tc, test_unknown_and_format);
    tcase_add_test(tc, test_help_version);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(options_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
