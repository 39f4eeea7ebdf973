/*
 * Unit tests of the IDE controller (devices/ide.c, atapi.c, ide_bmdma.c)
 * driven through its ports, with a temporary disk image and a generated
 * ISO. Section numbers refer to ATA/ATAPI-6 (INCITS 361-2002), MMC-3 and
 * the Intel 82371SB (PIIX3) datasheet for bus-master IDE.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/ide.h"
#include "devices/pci.h"
#include "machine/memory.h"

#define DISK_SECTORS 300
#define ISO_SECTORS 20
#define BM_BASE 0xc000
#define RAM_SIZE (1u << 20)

enum { ST_ERR = 0x01, ST_DRQ = 0x08, ST_DSC = 0x10, ST_DRDY = 0x40, ST_BSY = 0x80 };

typedef struct Fixture {
    AddressSpace mem, io;
    PciBus *bus;
    IdeController *ide;
    PciDevice *pci;
    int irq_level[2];
    int irq_edges[2];
    char disk_path[64];
    char iso_path[64];
} Fixture;

static void irq_cb(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    if (level && !f->irq_level[n])
        f->irq_edges[n]++;
    f->irq_level[n] = level;
}

/* Disk sector s holds bytes (s * 3 + i) & 0xff; ISO sector s (2048 bytes)
 * holds (s + i / 16) & 0xff. */
static uint8_t disk_byte(uint64_t s, unsigned i) { return (uint8_t)(s * 3 + i); }
static uint8_t iso_byte(uint64_t s, unsigned i) { return (uint8_t)(s + i / 16); }

static void make_file(char *path, const char *tmpl, unsigned nsec, unsigned secsize,
                      uint8_t (*byte)(uint64_t, unsigned))
{
    strcpy(path, tmpl);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    uint8_t *sec = malloc(secsize);
    for (unsigned s = 0; s < nsec; s++) {
        for (unsigned i = 0; i < secsize; i++)
            sec[i] = byte(s, i);
        ck_assert_int_eq(write(fd, sec, secsize), (ssize_t)secsize);
    }
    free(sec);
    close(fd);
}

static const PciDeviceInfo isa_info = {
    .name = "isa", .vendor_id = 0x8086, .device_id = 0x7000, .class_code = 0x060100,
    .header_type = PCI_HEADER_MULTI_FUNCTION,
};

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    char err[256];
    as_init(&f->mem, "mem", ~0ull);
    as_init(&f->io, "io", ~0ull);
    as_add_ram(&f->mem, "ram", 0, RAM_SIZE, NULL, 0);
    f->bus = pci_bus_create(&f->mem, &f->io);
    /* Function 0 of slot 1 must exist for function 1 to answer. */
    ck_assert_ptr_nonnull(pci_register_device(f->bus, PCI_DEVFN(1, 0), &isa_info, NULL));
    f->ide = ide_create(&f->io, irq_line(irq_cb, f, 0), irq_line(irq_cb, f, 1), NULL);
    f->pci = piix_ide_create(f->ide, f->bus, PCI_DEVFN(1, 1));
    ck_assert_ptr_nonnull(f->pci);
    make_file(f->disk_path, "/tmp/doppel-ide-disk-XXXXXX", DISK_SECTORS, 512, disk_byte);
    make_file(f->iso_path, "/tmp/doppel-ide-iso-XXXXXX", ISO_SECTORS, 2048, iso_byte);
    BlockDev *disk = blk_open(f->disk_path, false, false, err, sizeof(err));
    BlockDev *iso = blk_open(f->iso_path, true, false, err, sizeof(err));
    ck_assert(ide_attach_disk(f->ide, 0, disk));
    ck_assert(ide_attach_cdrom(f->ide, 2, iso));      /* secondary master */
    /* BAR4 at BM_BASE, I/O decode and bus mastering on. */
    pci_config_write(f->bus, PCI_DEVFN(1, 1), 0x20, BM_BASE, 4);
    pci_config_write(f->bus, PCI_DEVFN(1, 1), PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    return f;
}

static void fx_free(Fixture *f)
{
    ide_destroy(f->ide);
    pci_bus_destroy(f->bus);
    as_destroy(&f->io);
    as_destroy(&f->mem);
    unlink(f->disk_path);
    unlink(f->iso_path);
    free(f);
}

static void outb(Fixture *f, uint16_t p, uint8_t v) { as_write(&f->io, p, v, 1); }
static void outw(Fixture *f, uint16_t p, uint16_t v) { as_write(&f->io, p, v, 2); }
static void outl(Fixture *f, uint16_t p, uint32_t v) { as_write(&f->io, p, v, 4); }
static uint8_t inb(Fixture *f, uint16_t p) { return (uint8_t)as_read(&f->io, p, 1); }
static uint16_t inw(Fixture *f, uint16_t p) { return (uint16_t)as_read(&f->io, p, 2); }
static uint32_t inl(Fixture *f, uint16_t p) { return (uint32_t)as_read(&f->io, p, 4); }

/* Primary channel ports. */
enum { DATA = 0x1f0, FEAT = 0x1f1, NSEC = 0x1f2, SECT = 0x1f3, LCYL = 0x1f4, HCYL = 0x1f5,
       DEV = 0x1f6, CMD = 0x1f7, CTL = 0x3f6 };
/* Secondary channel is 0x80 below. */
#define SEC(p) ((uint16_t)((p) == CTL ? 0x376 : (p) - 0x80))

static void lba28_cmd(Fixture *f, uint32_t lba, uint8_t count, uint8_t cmd)
{
    outb(f, DEV, (uint8_t)(0xe0 | ((lba >> 24) & 0x0f)));
    outb(f, NSEC, count);
    outb(f, SECT, (uint8_t)lba);
    outb(f, LCYL, (uint8_t)(lba >> 8));
    outb(f, HCYL, (uint8_t)(lba >> 16));
    outb(f, CMD, cmd);
}

static void lba48_cmd(Fixture *f, uint64_t lba, uint16_t count, uint8_t cmd)
{
    outb(f, DEV, 0x40);
    /* Previous-content (HOB) bytes first, then the current ones (ATA-6 6.2.1). */
    outb(f, NSEC, (uint8_t)(count >> 8));
    outb(f, SECT, (uint8_t)(lba >> 24));
    outb(f, LCYL, (uint8_t)(lba >> 32));
    outb(f, HCYL, (uint8_t)(lba >> 40));
    outb(f, NSEC, (uint8_t)count);
    outb(f, SECT, (uint8_t)lba);
    outb(f, LCYL, (uint8_t)(lba >> 8));
    outb(f, HCYL, (uint8_t)(lba >> 16));
    outb(f, CMD, cmd);
}

static void read_words(Fixture *f, uint16_t port, uint8_t *buf, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i += 2) {
        uint16_t w = inw(f, port);
        buf[i] = (uint8_t)w;
        buf[i + 1] = (uint8_t)(w >> 8);
    }
}

static void file_read(const char *path, uint64_t off, void *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
    close(fd);
}

/* ---- ATA ------------------------------------------------------------------ */

START_TEST(test_identify)
{
    Fixture *f = fx_new();
    outb(f, DEV, 0xa0);
    outb(f, CMD, 0xec);
    ck_assert_int_eq(f->irq_level[0], 1);
    ck_assert_uint_eq(inb(f, CTL), ST_DRDY | ST_DSC | ST_DRQ);   /* alt status: IRQ stays */
    ck_assert_int_eq(f->irq_level[0], 1);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_DRQ);   /* status: acknowledges */
    ck_assert_int_eq(f->irq_level[0], 0);
    uint16_t id[256];
    uint8_t sum = 0;
    for (int i = 0; i < 256; i++) {
        id[i] = inw(f, DATA);
        sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
    }
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC);            /* DRQ gone, no new IRQ */
    ck_assert_int_eq(f->irq_edges[0], 1);
    ck_assert_uint_eq(id[0] & 0x8000, 0);                        /* ATA device */
    ck_assert_uint_eq(id[49] & 0x0300, 0x0300);                  /* LBA and DMA */
    ck_assert_uint_eq(id[60] | (uint32_t)id[61] << 16, DISK_SECTORS);
    ck_assert_uint_eq(id[83] & (1u << 10), 1u << 10);            /* 48-bit supported */
    ck_assert_uint_eq(id[86] & (1u << 10), 1u << 10);            /* and enabled */
    uint64_t lba48 = id[100] | (uint64_t)id[101] << 16 | (uint64_t)id[102] << 32 |
                     (uint64_t)id[103] << 48;
    ck_assert_uint_eq(lba48, DISK_SECTORS);
    ck_assert_uint_eq(id[63] & 0x07, 0x07);                      /* MWDMA 0-2 */
    ck_assert_uint_eq(id[88] & 0x3f, 0x3f);                      /* UDMA 0-5 */
    /* Model string, first character in the high byte (ATA-6 3.2.9). */
    ck_assert_uint_eq(id[27], 'D' << 8 | 'O');
    ck_assert_uint_eq(id[33], 'I' << 8 | 'S');
    ck_assert_uint_eq(id[34], 'K' << 8 | ' ');                   /* padded with spaces */
    ck_assert_uint_eq(id[10] >> 8, 'D');                         /* serial */
    ck_assert_uint_eq(id[255] & 0xff, 0xa5);                     /* integrity word */
    ck_assert_uint_eq(sum, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_pio_read)
{
    Fixture *f = fx_new();
    uint8_t buf[512];
    lba28_cmd(f, 5, 2, 0x20);
    for (int s = 0; s < 2; s++) {
        /* Data-in: an interrupt per DRQ block, before it is read (9.5). */
        ck_assert_int_eq(f->irq_edges[0], s + 1);
        ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_DRQ);
        /* Mix 32-bit and 16-bit data port accesses. */
        for (int i = 0; i < 256; i += 2) {
            uint32_t v = inl(f, DATA);
            memcpy(buf + 2 * i, &v, 4);
        }
        for (int i = 0; i < 512; i++)
            ck_assert_uint_eq(buf[i], disk_byte(5 + (unsigned)s, (unsigned)i));
    }
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC);
    ck_assert_int_eq(f->irq_edges[0], 2);                         /* none after the last */
    fx_free(f);
}
END_TEST

START_TEST(test_pio_write)
{
    Fixture *f = fx_new();
    lba28_cmd(f, 7, 2, 0x30);
    /* Data-out: DRQ for the first block without an interrupt (9.7). */
    ck_assert_int_eq(f->irq_edges[0], 0);
    ck_assert_uint_eq(inb(f, CTL), ST_DRDY | ST_DSC | ST_DRQ);
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 256; i++)
            outw(f, DATA, (uint16_t)(0xa000 + s * 256 + i));
        ck_assert_int_eq(f->irq_edges[0], s + 1);                 /* after each block */
        inb(f, CMD);
    }
    ck_assert_uint_eq(inb(f, CTL), ST_DRDY | ST_DSC);
    uint8_t buf[1024];
    file_read(f->disk_path, 7 * 512, buf, 1024);
    ck_assert_uint_eq(buf[0] | buf[1] << 8, 0xa000);
    ck_assert_uint_eq(buf[1022] | buf[1023] << 8, 0xa000 + 511);
    file_read(f->disk_path, 9 * 512, buf, 1);
    ck_assert_uint_eq(buf[0], disk_byte(9, 0));                   /* neighbour intact */
    fx_free(f);
}
END_TEST

START_TEST(test_multiple_and_count_zero)
{
    Fixture *f = fx_new();
    /* READ MULTIPLE before SET MULTIPLE MODE 0: aborted (8.27). */
    outb(f, NSEC, 0);
    outb(f, CMD, 0xc6);
    inb(f, CMD);
    lba28_cmd(f, 0, 4, 0xc4);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_ERR);
    ck_assert_uint_eq(inb(f, FEAT), 0x04);
    /* Not a power of two: aborted. */
    outb(f, NSEC, 3);
    outb(f, CMD, 0xc6);
    ck_assert_uint_eq(inb(f, CMD) & ST_ERR, ST_ERR);
    outb(f, NSEC, 4);
    outb(f, CMD, 0xc6);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC);
    /* 10 sectors in blocks of 4: 4 + 4 + 2, one interrupt each. */
    int before = f->irq_edges[0];
    lba28_cmd(f, 20, 10, 0xc4);
    uint8_t buf[4 * 512];
    unsigned got = 0;
    while (inb(f, CMD) & ST_DRQ) {
        unsigned n = 10 - got < 4 ? 10 - got : 4;
        read_words(f, DATA, buf, n * 512);
        ck_assert_uint_eq(buf[0], disk_byte(20 + got, 0));
        ck_assert_uint_eq(buf[n * 512 - 1], disk_byte(20 + got + n - 1, 511));
        got += n;
    }
    ck_assert_uint_eq(got, 10);
    ck_assert_int_eq(f->irq_edges[0] - before, 3);
    /* Sector count 0 means 256 (7.14). */
    before = f->irq_edges[0];
    lba28_cmd(f, 1, 0, 0x20);
    unsigned sectors = 0;
    while (inb(f, CMD) & ST_DRQ) {
        read_words(f, DATA, buf, 512);
        ck_assert_uint_eq(buf[0], disk_byte(1 + sectors, 0));
        sectors++;
    }
    ck_assert_uint_eq(sectors, 256);
    ck_assert_int_eq(f->irq_edges[0] - before, 256);
    fx_free(f);
}
END_TEST

START_TEST(test_lba48)
{
    Fixture *f = fx_new();
    uint8_t buf[512];
    lba48_cmd(f, 270, 2, 0x24);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_DRQ);
    read_words(f, DATA, buf, 512);
    ck_assert_uint_eq(buf[7], disk_byte(270, 7));
    read_words(f, DATA, buf, 512);
    ck_assert_uint_eq(buf[7], disk_byte(271, 7));
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC);
    /* HOB bit in device control reads the previous contents (7.8). */
    outb(f, NSEC, 0x12);
    outb(f, NSEC, 0x34);
    outb(f, CTL, 0x80);
    ck_assert_uint_eq(inb(f, NSEC), 0x12);
    outb(f, CTL, 0x00);
    ck_assert_uint_eq(inb(f, NSEC), 0x34);
    /* A 48-bit address whose only bit set is above 32: beyond the disk. */
    lba48_cmd(f, (1ull << 32) + 5, 1, 0x24);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_ERR);
    ck_assert_uint_eq(inb(f, FEAT), 0x10);                       /* IDNF */
    /* Count 0 in 48-bit means 65536 sectors: beyond this disk. */
    lba48_cmd(f, 0, 0, 0x24);
    ck_assert_uint_eq(inb(f, FEAT), 0x10);
    fx_free(f);
}
END_TEST

START_TEST(test_out_of_range)
{
    Fixture *f = fx_new();
    lba28_cmd(f, DISK_SECTORS, 1, 0x20);
    ck_assert_int_eq(f->irq_level[0], 1);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_ERR);
    ck_assert_uint_eq(inb(f, FEAT), 0x10);
    /* Straddling the end: refused before any data moves. */
    lba28_cmd(f, DISK_SECTORS - 1, 2, 0x30);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_ERR);
    ck_assert_uint_eq(inb(f, FEAT), 0x10);
    for (int i = 0; i < 512; i++)
        outw(f, DATA, 0xdead);                                   /* ignored: no DRQ */
    uint8_t b;
    file_read(f->disk_path, (DISK_SECTORS - 1) * 512, &b, 1);
    ck_assert_uint_eq(b, disk_byte(DISK_SECTORS - 1, 0));
    /* LBA28 with the top nibble in the device register. */
    lba28_cmd(f, 0x0f000000, 1, 0x20);
    ck_assert_uint_eq(inb(f, FEAT), 0x10);
    /* Verify is range checked too. */
    lba28_cmd(f, DISK_SECTORS - 2, 2, 0x40);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC);
    lba28_cmd(f, DISK_SECTORS - 2, 3, 0x40);
    ck_assert_uint_eq(inb(f, CMD) & ST_ERR, ST_ERR);
    /* Unknown command: ABRT. */
    outb(f, CMD, 0xfe);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_ERR);
    ck_assert_uint_eq(inb(f, FEAT), 0x04);
    fx_free(f);
}
END_TEST

START_TEST(test_chs)
{
    Fixture *f = fx_new();
    /* Default translation: 16 heads, 63 sectors/track. C/H/S 0/1/2 is LBA 64. */
    outb(f, DEV, 0xa1);
    outb(f, NSEC, 1);
    outb(f, SECT, 2);
    outb(f, LCYL, 0);
    outb(f, HCYL, 0);
    outb(f, CMD, 0x20);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC | ST_DRQ);
    uint8_t buf[512];
    read_words(f, DATA, buf, 512);
    ck_assert_uint_eq(buf[0], disk_byte(64, 0));
    /* Sector 0 does not exist in CHS addressing. */
    outb(f, SECT, 0);
    outb(f, CMD, 0x20);
    ck_assert_uint_eq(inb(f, FEAT), 0x10);
    fx_free(f);
}
END_TEST

START_TEST(test_soft_reset_signatures)
{
    Fixture *f = fx_new();
    outb(f, CTL, 0x04);                                          /* SRST */
    ck_assert_uint_eq(inb(f, CTL) & ST_BSY, ST_BSY);
    outb(f, CTL, 0x00);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC);
    ck_assert_uint_eq(inb(f, NSEC), 1);
    ck_assert_uint_eq(inb(f, SECT), 1);
    ck_assert_uint_eq(inb(f, LCYL), 0);
    ck_assert_uint_eq(inb(f, HCYL), 0);
    ck_assert_uint_eq(inb(f, FEAT), 0x01);                       /* diagnostic: passed */
    ck_assert_int_eq(f->irq_edges[0], 0);                        /* no interrupt */
    /* ATAPI signature 14h/EBh on the secondary (9.12). */
    outb(f, SEC(CTL), 0x04);
    outb(f, SEC(CTL), 0x00);
    ck_assert_uint_eq(inb(f, SEC(LCYL)), 0x14);
    ck_assert_uint_eq(inb(f, SEC(HCYL)), 0xeb);
    /* An absent slave reads status 0; nIEN masks INTRQ. */
    outb(f, DEV, 0xb0);
    ck_assert_uint_eq(inb(f, CMD), 0);
    outb(f, DEV, 0xa0);
    outb(f, CTL, 0x02);
    outb(f, CMD, 0xe5);                                          /* CHECK POWER MODE */
    ck_assert_int_eq(f->irq_level[0], 0);
    ck_assert_uint_eq(inb(f, NSEC), 0xff);
    fx_free(f);
}
END_TEST

/* ---- bus-master DMA ------------------------------------------------------------- */

static void put_prd(Fixture *f, uint32_t at, uint32_t addr, uint32_t count, bool eot)
{
    as_write(&f->mem, at, addr, 4);
    as_write(&f->mem, at + 4, (count & 0xffff) | (eot ? 0x80000000u : 0), 4);
}

START_TEST(test_dma_read)
{
    Fixture *f = fx_new();
    put_prd(f, 0x8000, 0x10000, 512, false);
    put_prd(f, 0x8008, 0x20000, 1024, true);
    outl(f, BM_BASE + 4, 0x8000);
    outb(f, BM_BASE, 0x08);                                      /* direction: to memory */
    lba28_cmd(f, 3, 3, 0xc8);
    ck_assert_int_eq(f->irq_edges[0], 0);                        /* waits for the engine */
    outb(f, BM_BASE, 0x09);                                      /* start */
    ck_assert_int_eq(f->irq_edges[0], 1);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x07, 0x04);         /* INT, not active, no error */
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC);
    ck_assert_uint_eq(as_read(&f->mem, 0x10000, 1), disk_byte(3, 0));
    ck_assert_uint_eq(as_read(&f->mem, 0x101ff, 1), disk_byte(3, 511));
    ck_assert_uint_eq(as_read(&f->mem, 0x20000, 1), disk_byte(4, 0));
    ck_assert_uint_eq(as_read(&f->mem, 0x203ff, 1), disk_byte(5, 511));
    outb(f, BM_BASE + 2, 0x04);                                  /* write 1 clears INT */
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x04, 0);
    outb(f, BM_BASE, 0x00);
    /* A PRD table longer than the transfer: interrupt, active stays set. */
    put_prd(f, 0x8000, 0x30000, 0, true);                        /* count 0 = 64 KiB */
    outb(f, BM_BASE, 0x08);
    lba28_cmd(f, 10, 1, 0xc8);
    outb(f, BM_BASE, 0x09);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x07, 0x05);
    ck_assert_uint_eq(as_read(&f->mem, 0x30000, 1), disk_byte(10, 0));
    outb(f, BM_BASE, 0x00);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x01, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_dma_write)
{
    Fixture *f = fx_new();
    for (uint32_t i = 0; i < 1024; i++)
        as_write(&f->mem, 0x40000 + i, (uint8_t)(i ^ 0x5a), 1);
    put_prd(f, 0x9000, 0x40000, 1024, true);
    outl(f, BM_BASE + 4, 0x9000);
    outb(f, BM_BASE, 0x01);                                      /* start first, then command */
    lba48_cmd(f, 40, 2, 0x35);
    ck_assert_int_eq(f->irq_edges[0], 1);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x07, 0x04);
    ck_assert_uint_eq(inb(f, CMD), ST_DRDY | ST_DSC);
    uint8_t buf[1024];
    file_read(f->disk_path, 40 * 512, buf, 1024);
    for (int i = 0; i < 1024; i++)
        ck_assert_uint_eq(buf[i], (uint8_t)(i ^ 0x5a));
    fx_free(f);
}
END_TEST

START_TEST(test_dma_bad_prd)
{
    Fixture *f = fx_new();
    /* Buffer outside RAM. */
    put_prd(f, 0x8000, 0xf0000000u, 512, true);
    outl(f, BM_BASE + 4, 0x8000);
    outb(f, BM_BASE, 0x09);
    lba28_cmd(f, 0, 1, 0xc8);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x03, 0x02);         /* error, not active */
    ck_assert_uint_eq(inb(f, CMD) & ST_ERR, ST_ERR);
    ck_assert_int_eq(f->irq_edges[0], 1);
    outb(f, BM_BASE + 2, 0x06);
    outb(f, BM_BASE, 0x00);
    /* Buffer straddling the end of RAM, on a write: the disk is untouched. */
    put_prd(f, 0x8000, RAM_SIZE - 256, 512, true);
    outb(f, BM_BASE, 0x01);
    lba28_cmd(f, 50, 1, 0xca);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x02, 0x02);
    uint8_t b;
    file_read(f->disk_path, 50 * 512, &b, 1);
    ck_assert_uint_eq(b, disk_byte(50, 0));
    outb(f, BM_BASE + 2, 0x06);
    outb(f, BM_BASE, 0x00);
    /* The descriptor table itself outside RAM. */
    outl(f, BM_BASE + 4, 0xfffffff0u);
    outb(f, BM_BASE, 0x09);
    lba28_cmd(f, 0, 1, 0xc8);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x02, 0x02);
    outb(f, BM_BASE + 2, 0x06);
    outb(f, BM_BASE, 0x00);
    /* Bus mastering disabled in the PCI command register. */
    outl(f, BM_BASE + 4, 0x8000);
    put_prd(f, 0x8000, 0x10000, 512, true);
    pci_config_write(f->bus, PCI_DEVFN(1, 1), PCI_COMMAND, PCI_COMMAND_IO, 2);
    as_write(&f->mem, 0x10000, 0xcc, 1);
    outb(f, BM_BASE, 0x09);
    lba28_cmd(f, 0, 1, 0xc8);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x02, 0x02);
    ck_assert_uint_eq(as_read(&f->mem, 0x10000, 1), 0xcc);
    /* A table shorter than the transfer: engine stops, no interrupt. */
    pci_config_write(f->bus, PCI_DEVFN(1, 1), PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    outb(f, BM_BASE + 2, 0x06);
    outb(f, BM_BASE, 0x00);
    inb(f, CMD);
    int before = f->irq_edges[0];
    outb(f, BM_BASE, 0x09);
    lba28_cmd(f, 0, 2, 0xc8);
    ck_assert_int_eq(f->irq_edges[0], before);
    ck_assert_uint_eq(inb(f, BM_BASE + 2) & 0x07, 0x00);
    fx_free(f);
}
END_TEST

/* ---- ATAPI -------------------------------------------------------------------- */

/* Send a 12-byte packet to the secondary master with a byte count limit. */
static void atapi_send(Fixture *f, const uint8_t *cdb, uint16_t limit, bool dma)
{
    outb(f, SEC(DEV), 0xa0);
    outb(f, SEC(FEAT), dma ? 1 : 0);
    outb(f, SEC(LCYL), (uint8_t)limit);
    outb(f, SEC(HCYL), (uint8_t)(limit >> 8));
    outb(f, SEC(CMD), 0xa0);
    ck_assert_uint_eq(inb(f, SEC(CTL)) & ST_DRQ, ST_DRQ);
    ck_assert_uint_eq(inb(f, SEC(NSEC)) & 3, 1);                  /* C/D=1, I/O=0 */
    for (int i = 0; i < 12; i += 2)
        outw(f, SEC(DATA), (uint16_t)(cdb[i] | cdb[i + 1] << 8));
}

/* PIO data-in phase: read every DRQ block into buf; returns bytes read. */
static unsigned atapi_read_data(Fixture *f, uint8_t *buf, unsigned max, unsigned *blocks)
{
    unsigned got = 0;
    *blocks = 0;
    while (inb(f, SEC(CMD)) & ST_DRQ) {
        ck_assert_uint_eq(inb(f, SEC(NSEC)) & 3, 2);              /* I/O=1, C/D=0 */
        unsigned n = inb(f, SEC(LCYL)) | inb(f, SEC(HCYL)) << 8;
        ck_assert_uint_le(got + n, max);
        read_words(f, SEC(DATA), buf + got, n);
        got += n;
        (*blocks)++;
    }
    return got;
}

static uint8_t atapi_status_done(Fixture *f)
{
    ck_assert_uint_eq(inb(f, SEC(NSEC)) & 3, 3);                  /* completion */
    return inb(f, SEC(CMD));
}

START_TEST(test_atapi_identify)
{
    Fixture *f = fx_new();
    outb(f, SEC(DEV), 0xa0);
    outb(f, SEC(CMD), 0xec);                                      /* IDENTIFY DEVICE: abort */
    ck_assert_uint_eq(inb(f, SEC(CMD)) & ST_ERR, ST_ERR);
    ck_assert_uint_eq(inb(f, SEC(FEAT)), 0x04);
    ck_assert_uint_eq(inb(f, SEC(LCYL)), 0x14);
    ck_assert_uint_eq(inb(f, SEC(HCYL)), 0xeb);
    outb(f, SEC(CMD), 0xa1);
    ck_assert_uint_eq(inb(f, SEC(CMD)) & ST_DRQ, ST_DRQ);
    uint16_t id[256];
    for (int i = 0; i < 256; i++)
        id[i] = inw(f, SEC(DATA));
    ck_assert_uint_eq(id[0] >> 14, 2);                            /* ATAPI */
    ck_assert_uint_eq((id[0] >> 8) & 0x1f, 5);                    /* CD-ROM */
    ck_assert_uint_eq(id[0] & 3, 0);                              /* 12-byte packets */
    fx_free(f);
}
END_TEST

START_TEST(test_atapi_inquiry_capacity)
{
    Fixture *f = fx_new();
    uint8_t buf[4096];
    unsigned blocks;
    uint8_t inq[12] = { 0x12, 0, 0, 0, 36, 0 };
    atapi_send(f, inq, 0xfffe, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 36);
    ck_assert_uint_eq(buf[0] & 0x1f, 5);                          /* CD/DVD */
    ck_assert_uint_eq(buf[1], 0x80);                              /* removable */
    ck_assert_mem_eq(buf + 8, "DOPPEL", 6);
    ck_assert_uint_eq(atapi_status_done(f), ST_DRDY | ST_DSC);
    /* Allocation length truncates. */
    inq[4] = 8;
    atapi_send(f, inq, 0xfffe, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 8);
    uint8_t cap[12] = { 0x25 };
    atapi_send(f, cap, 0xfffe, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 8);
    ck_assert_uint_eq((unsigned)(buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]), ISO_SECTORS - 1);
    ck_assert_uint_eq((unsigned)(buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7]), 2048);
    fx_free(f);
}
END_TEST

START_TEST(test_atapi_read10)
{
    Fixture *f = fx_new();
    static uint8_t buf[3 * 2048];
    unsigned blocks;
    /* READ(10) LBA 3, 3 sectors, byte count limit 2048: three DRQ blocks. */
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 3, 0, 0, 3 };
    int before = f->irq_edges[1];
    atapi_send(f, rd, 2048, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 3 * 2048);
    ck_assert_uint_eq(blocks, 3);
    ck_assert_int_eq(f->irq_edges[1] - before, 4);                /* 3 blocks + completion */
    for (unsigned i = 0; i < sizeof(buf); i++)
        ck_assert_uint_eq(buf[i], iso_byte(3 + i / 2048, i % 2048));
    ck_assert_uint_eq(atapi_status_done(f), ST_DRDY | ST_DSC);
    /* An odd limit is rounded down to even for all but the last block. */
    rd[8] = 1;
    atapi_send(f, rd, 1001, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 2048);
    ck_assert_uint_eq(blocks, 3);                                  /* 1000 + 1000 + 48 */
    ck_assert_uint_eq(buf[2047], iso_byte(3, 2047));
    /* READ(12) beyond the end: ILLEGAL REQUEST / LBA out of range. */
    uint8_t rd12[12] = { 0xa8, 0, 0, 0, 0, ISO_SECTORS - 1, 0, 0, 0, 2 };
    atapi_send(f, rd12, 0xfffe, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 0);
    uint8_t st = atapi_status_done(f);
    ck_assert_uint_eq(st & ST_ERR, ST_ERR);
    ck_assert_uint_eq(inb(f, SEC(FEAT)) >> 4, 5);
    uint8_t rs[12] = { 0x03, 0, 0, 0, 18 };
    atapi_send(f, rs, 0xfffe, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 18);
    ck_assert_uint_eq(buf[0], 0x70);
    ck_assert_uint_eq(buf[2] & 0x0f, 5);
    ck_assert_uint_eq(buf[12], 0x21);
    fx_free(f);
}
END_TEST

START_TEST(test_atapi_dma_read)
{
    Fixture *f = fx_new();
    put_prd(f, 0x8000, 0x50000, 4096, true);
    outl(f, BM_BASE + 8 + 4, 0x8000);                             /* secondary channel */
    outb(f, BM_BASE + 8, 0x08);
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 7, 0, 0, 2 };
    atapi_send(f, rd, 0xfffe, true);
    outb(f, BM_BASE + 8, 0x09);
    ck_assert_uint_eq(inb(f, BM_BASE + 8 + 2) & 0x07, 0x04);
    ck_assert_uint_eq(atapi_status_done(f), ST_DRDY | ST_DSC);
    for (unsigned i = 0; i < 4096; i += 511)
        ck_assert_uint_eq(as_read(&f->mem, 0x50000 + i, 1), iso_byte(7 + i / 2048, i % 2048));
    fx_free(f);
}
END_TEST

START_TEST(test_atapi_toc_and_modes)
{
    Fixture *f = fx_new();
    uint8_t buf[256];
    unsigned blocks;
    /* READ TOC format 0, LBA: track 1 at 0, lead-out at ISO_SECTORS. */
    uint8_t toc[12] = { 0x43, 0, 0, 0, 0, 0, 0, 0, 100 };
    atapi_send(f, toc, 0xfffe, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 20);
    ck_assert_uint_eq(buf[0] << 8 | buf[1], 18);
    ck_assert_uint_eq(buf[2], 1);
    ck_assert_uint_eq(buf[6], 1);
    ck_assert_uint_eq(buf[14], 0xaa);
    ck_assert_uint_eq(buf[19], ISO_SECTORS);
    /* MSF: lead-out LBA 20 + 150 = 170 frames = 00:02:20. */
    toc[1] = 2;
    atapi_send(f, toc, 0xfffe, false);
    atapi_read_data(f, buf, sizeof(buf), &blocks);
    ck_assert_uint_eq(buf[9], 0);
    ck_assert_uint_eq(buf[10], 2);                                 /* track 1 at 00:02:00 */
    ck_assert_uint_eq(buf[11], 0);
    ck_assert_uint_eq(buf[17], 0);
    ck_assert_uint_eq(buf[18], 2);
    ck_assert_uint_eq(buf[19], 20);
    /* Format 1: session info. */
    uint8_t toc1[12] = { 0x43, 0, 1, 0, 0, 0, 0, 0, 12 };
    atapi_send(f, toc1, 0xfffe, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 12);
    ck_assert_uint_eq(buf[1], 10);
    /* MODE SENSE(10) page 2Ah. */
    uint8_t ms[12] = { 0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 128 };
    atapi_send(f, ms, 0xfffe, false);
    unsigned n = atapi_read_data(f, buf, sizeof(buf), &blocks);
    ck_assert_uint_eq(n, 8 + 22);
    ck_assert_uint_eq(buf[8], 0x2a);
    /* Unknown page: ILLEGAL REQUEST. */
    ms[2] = 0x05;
    atapi_send(f, ms, 0xfffe, false);
    atapi_read_data(f, buf, sizeof(buf), &blocks);
    ck_assert_uint_eq(atapi_status_done(f) & ST_ERR, ST_ERR);
    /* GET CONFIGURATION: current profile CD-ROM. */
    uint8_t gc[12] = { 0x46, 0, 0, 0, 0, 0, 0, 0, 64 };
    atapi_send(f, gc, 0xfffe, false);
    atapi_read_data(f, buf, sizeof(buf), &blocks);
    ck_assert_uint_eq(buf[6] << 8 | buf[7], 0x0008);
    /* Unknown opcode: ILLEGAL REQUEST, invalid command operation code. */
    uint8_t bad[12] = { 0xff };
    atapi_send(f, bad, 0xfffe, false);
    ck_assert_uint_eq(atapi_status_done(f) & ST_ERR, ST_ERR);
    ck_assert_uint_eq(inb(f, SEC(FEAT)) >> 4, 5);
    fx_free(f);
}
END_TEST

START_TEST(test_atapi_media_change)
{
    Fixture *f = fx_new();
    uint8_t buf[64];
    unsigned blocks;
    uint8_t tur[12] = { 0x00 };
    atapi_send(f, tur, 0, false);
    ck_assert_uint_eq(atapi_status_done(f), ST_DRDY | ST_DSC);
    /* Eject and insert a new disc. */
    char err[256];
    ck_assert(ide_cdrom_change_media(f->ide, 2, NULL));
    atapi_send(f, tur, 0, false);
    ck_assert_uint_eq(atapi_status_done(f) & ST_ERR, ST_ERR);
    ck_assert_uint_eq(inb(f, SEC(FEAT)) >> 4, 2);                 /* NOT READY */
    BlockDev *iso = blk_open(f->iso_path, true, false, err, sizeof(err));
    ck_assert(ide_cdrom_change_media(f->ide, 2, iso));
    /* GET EVENT STATUS NOTIFICATION reports the new medium, once. */
    uint8_t gesn[12] = { 0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8 };
    atapi_send(f, gesn, 0xfffe, false);
    ck_assert_uint_eq(atapi_read_data(f, buf, sizeof(buf), &blocks), 8);
    ck_assert_uint_eq(buf[4] & 0x0f, 2);                          /* NewMedia */
    ck_assert_uint_eq(buf[5] & 0x02, 0x02);                       /* present */
    atapi_send(f, gesn, 0xfffe, false);
    atapi_read_data(f, buf, sizeof(buf), &blocks);
    ck_assert_uint_eq(buf[4] & 0x0f, 0);
    /* First TUR: UNIT ATTENTION, medium may have changed. */
    atapi_send(f, tur, 0, false);
    ck_assert_uint_eq(atapi_status_done(f) & ST_ERR, ST_ERR);
    ck_assert_uint_eq(inb(f, SEC(FEAT)) >> 4, 6);
    uint8_t rs[12] = { 0x03, 0, 0, 0, 18 };
    atapi_send(f, rs, 0xfffe, false);
    atapi_read_data(f, buf, sizeof(buf), &blocks);
    ck_assert_uint_eq(buf[2] & 0x0f, 6);
    ck_assert_uint_eq(buf[12], 0x28);
    /* Then ready. */
    atapi_send(f, tur, 0, false);
    ck_assert_uint_eq(atapi_status_done(f), ST_DRDY | ST_DSC);
    /* A locked tray refuses eject. */
    uint8_t lock[12] = { 0x1e, 0, 0, 0, 1 };
    atapi_send(f, lock, 0, false);
    atapi_status_done(f);
    uint8_t eject[12] = { 0x1b, 0, 0, 0, 0x02 };
    atapi_send(f, eject, 0, false);
    ck_assert_uint_eq(atapi_status_done(f) & ST_ERR, ST_ERR);
    fx_free(f);
}
END_TEST

static Suite *ide_suite(void)
{
    Suite *s = suite_create("ide");
    TCase *ata = tcase_create("ata");
    tcase_add_test(ata, test_identify);
    tcase_add_test(ata, test_pio_read);
    tcase_add_test(ata, test_pio_write);
    tcase_add_test(ata, test_multiple_and_count_zero);
    tcase_add_test(ata, test_lba48);
    tcase_add_test(ata, test_out_of_range);
    tcase_add_test(ata, test_chs);
    tcase_add_test(ata, test_soft_reset_signatures);
    suite_add_tcase(s, ata);
    TCase *dma = tcase_create("bmdma");
    tcase_add_test(dma, test_dma_read);
    tcase_add_test(dma, test_dma_write);
    tcase_add_test(dma, test_dma_bad_prd);
    suite_add_tcase(s, dma);
    TCase *atapi = tcase_create("atapi");
    tcase_add_test(atapi, test_atapi_identify);
    tcase_add_test(atapi, test_atapi_inquiry_capacity);
    tcase_add_test(atapi, test_atapi_read10);
    tcase_add_test(atapi, test_atapi_dma_read);
    tcase_add_test(atapi, test_atapi_toc_and_modes);
    tcase_add_test(atapi, test_atapi_media_change);
    suite_add_tcase(s, atapi);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ide_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
