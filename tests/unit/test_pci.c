/*
 * Unit tests of PCI bus 0 (devices/pci.c) driven through configuration
 * mechanism #1 at ports 0xCF8/0xCFC (PCI 3.0 3.2.2.3.2): IDs, unclaimed
 * functions, write masks, BAR sizing (6.2.5.1), BAR mapping controlled by
 * the command register (6.2.2), INTx routing and bus-master DMA checks.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"
#include "machine/memory.h"

typedef struct Fixture {
    AddressSpace mem, io;
    PciBus *bus;
    PciDevice *dev;
    uint8_t regs[16];
    unsigned mmio_reads;
    int pirq_level[4];
    int cf9_val;
    unsigned cfg_writes;
} Fixture;

static uint64_t bar_read(void *opaque, uint64_t off, unsigned size)
{
    Fixture *f = opaque;
    return f->regs[off & 15];
}

static void bar_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Fixture *f = opaque;
    f->regs[off & 15] = (uint8_t)val;
}

static const MemRegionOps bar_ops = { .read = bar_read, .write = bar_write, .min_access = 1, .max_access = 1 };

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    Fixture *f = opaque;
    f->mmio_reads++;
    return 0x12345678;
}
static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size) { }
static const MemRegionOps mmio_ops = { .read = mmio_read, .write = mmio_write, .min_access = 4, .max_access = 4 };

static void pirq_set(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    f->pirq_level[n] = level;
}

static void test_cfg_write(void *opaque, PciDevice *dev, unsigned addr, uint32_t val, unsigned size)
{
    Fixture *f = opaque;
    f->cfg_writes++;
}

static const PciDeviceInfo test_info = {
    .name = "test-dev",
    .vendor_id = 0x1234,
    .device_id = 0xabcd,
    .revision = 0x05,
    .class_code = 0x020000,
    .interrupt_pin = 1,
    .config_write = test_cfg_write,
};

static void cf9_write(void *opaque, uint8_t v)
{
    Fixture *f = opaque;
    f->cf9_val = v;
}
static uint8_t cf9_read(void *opaque)
{
    Fixture *f = opaque;
    return (uint8_t)f->cf9_val;
}

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->mem, "mem", ~0ull);
    as_init(&f->io, "io", ~0ull);
    as_add_ram(&f->mem, "ram", 0, 1 << 20, NULL, 0);
    f->bus = pci_bus_create(&f->mem, &f->io);
    for (int i = 0; i < 4; i++)
        pci_bus_set_pirq_line(f->bus, i, irq_line(pirq_set, f, i));
    /* Slot 3 function 0. */
    f->dev = pci_register_device(f->bus, PCI_DEVFN(3, 0), &test_info, f);
    ck_assert_ptr_nonnull(f->dev);
    ck_assert_ptr_nonnull(pci_register_bar(f->dev, 0, PCI_BAR_IO, 16, &bar_ops, f));
    ck_assert_ptr_nonnull(pci_register_bar(f->dev, 1, PCI_BAR_MEM, 4096, &mmio_ops, f));
    f->cf9_val = -1;
    pci_bus_set_cf9_handler(f->bus, cf9_read, cf9_write, f);
    return f;
}

static void fx_free(Fixture *f)
{
    pci_bus_destroy(f->bus);
    as_destroy(&f->io);
    as_destroy(&f->mem);
    free(f);
}

static uint32_t cfg_addr(int devfn, unsigned reg) { return 0x80000000u | (unsigned)devfn << 8 | (reg & 0xfc); }

static uint32_t cfg_read(Fixture *f, int devfn, unsigned reg, unsigned size)
{
    as_write(&f->io, 0xcf8, cfg_addr(devfn, reg), 4);
    return (uint32_t)as_read(&f->io, 0xcfc + (reg & 3), size);
}

static void cfg_write(Fixture *f, int devfn, unsigned reg, uint32_t val, unsigned size)
{
    as_write(&f->io, 0xcf8, cfg_addr(devfn, reg), 4);
    as_write(&f->io, 0xcfc + (reg & 3), val, size);
}

START_TEST(test_ids)
{
    Fixture *f = fx_new();
    int df = PCI_DEVFN(3, 0);
    ck_assert_uint_eq(cfg_read(f, df, 0, 4), 0xabcd1234);
    ck_assert_uint_eq(cfg_read(f, df, 2, 2), 0xabcd);          /* word at 0xCFE */
    ck_assert_uint_eq(cfg_read(f, df, 1, 1), 0x12);            /* byte at 0xCFD */
    ck_assert_uint_eq(cfg_read(f, df, 8, 4), 0x02000005);      /* class, revision */
    ck_assert_uint_eq(cfg_read(f, df, 0x3d, 1), 1);            /* INTA# */
    /* The address register reads back what was written (dword only). */
    as_write(&f->io, 0xcf8, 0x80001810, 4);
    ck_assert_uint_eq(as_read(&f->io, 0xcf8, 4), 0x80001810);
    /* IDs and class are read-only. */
    cfg_write(f, df, 0, 0xffffffff, 4);
    cfg_write(f, df, 8, 0, 4);
    ck_assert_uint_eq(cfg_read(f, df, 0, 4), 0xabcd1234);
    ck_assert_uint_eq(cfg_read(f, df, 8, 4), 0x02000005);
    /* Interrupt line is read/write, the device hook saw the writes. */
    cfg_write(f, df, 0x3c, 0x0b, 1);
    ck_assert_uint_eq(cfg_read(f, df, 0x3c, 1), 0x0b);
    ck_assert_uint_ge(f->cfg_writes, 3);
    fx_free(f);
}
END_TEST

START_TEST(test_unclaimed)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(cfg_read(f, PCI_DEVFN(4, 0), 0, 4), 0xffffffff);
    ck_assert_uint_eq(cfg_read(f, PCI_DEVFN(4, 0), 0, 2), 0xffff);
    /* Function 1 of a slot whose function 0 is empty does not answer. */
    ck_assert_ptr_nonnull(pci_register_device(f->bus, PCI_DEVFN(5, 1), &test_info, f));
    ck_assert_uint_eq(cfg_read(f, PCI_DEVFN(5, 1), 0, 4), 0xffffffff);
    /* Bus 1 does not exist. */
    as_write(&f->io, 0xcf8, 0x80010000u | PCI_DEVFN(3, 0) << 8, 4);
    ck_assert_uint_eq(as_read(&f->io, 0xcfc, 4), 0xffffffff);
    /* Enable bit clear: no configuration cycle. */
    as_write(&f->io, 0xcf8, (uint32_t)PCI_DEVFN(3, 0) << 8, 4);
    ck_assert_uint_eq(as_read(&f->io, 0xcfc, 4), 0xffffffff);
    /* Registering the same devfn twice fails. */
    ck_assert_ptr_null(pci_register_device(f->bus, PCI_DEVFN(3, 0), &test_info, f));
    fx_free(f);
}
END_TEST

START_TEST(test_bar_sizing)
{
    Fixture *f = fx_new();
    int df = PCI_DEVFN(3, 0);
    ck_assert_uint_eq(cfg_read(f, df, 0x10, 4), 0x00000001);   /* I/O BAR, unset */
    cfg_write(f, df, 0x10, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_read(f, df, 0x10, 4), 0xfffffff1);   /* 16 bytes */
    cfg_write(f, df, 0x14, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_read(f, df, 0x14, 4), 0xfffff000);   /* 4 KiB memory */
    /* Unimplemented BARs read zero even after all ones. */
    cfg_write(f, df, 0x18, 0xffffffff, 4);
    ck_assert_uint_eq(cfg_read(f, df, 0x18, 4), 0);
    /* Low bits below the size are dropped. */
    cfg_write(f, df, 0x10, 0xc00f, 4);
    ck_assert_uint_eq(cfg_read(f, df, 0x10, 4), 0xc001);
    fx_free(f);
}
END_TEST

START_TEST(test_bar_mapping)
{
    Fixture *f = fx_new();
    int df = PCI_DEVFN(3, 0);
    f->regs[4] = 0x42;
    cfg_write(f, df, 0x10, 0xc000, 4);
    /* Command register I/O bit clear: not decoded. */
    ck_assert_uint_eq(as_read(&f->io, 0xc004, 1), 0xff);
    cfg_write(f, df, 0x04, PCI_COMMAND_IO, 2);
    ck_assert_uint_eq(as_read(&f->io, 0xc004, 1), 0x42);
    as_write(&f->io, 0xc00f, 0x99, 1);
    ck_assert_uint_eq(f->regs[15], 0x99);
    /* Reprogramming moves it. */
    cfg_write(f, df, 0x10, 0xd000, 4);
    ck_assert_uint_eq(as_read(&f->io, 0xc004, 1), 0xff);
    ck_assert_uint_eq(as_read(&f->io, 0xd004, 1), 0x42);
    /* Sizing with decode on must not map it at 0xfff0. */
    cfg_write(f, df, 0x10, 0xffffffff, 4);
    ck_assert_uint_eq(as_read(&f->io, 0xfff4, 1), 0xff);
    ck_assert_uint_eq(as_read(&f->io, 0xd004, 1), 0xff);
    cfg_write(f, df, 0x10, 0xd000, 4);
    ck_assert_uint_eq(as_read(&f->io, 0xd004, 1), 0x42);
    /* Clearing the command bit unmaps it. */
    cfg_write(f, df, 0x04, 0, 2);
    ck_assert_uint_eq(as_read(&f->io, 0xd004, 1), 0xff);

    /* Memory BAR: decoded only with the memory bit. */
    cfg_write(f, df, 0x14, 0xfebf0000, 4);
    cfg_write(f, df, 0x04, PCI_COMMAND_IO, 2);
    ck_assert_uint_eq(as_read(&f->mem, 0xfebf0000, 4), 0xffffffff);
    cfg_write(f, df, 0x04, PCI_COMMAND_MEMORY, 2);
    ck_assert_uint_eq(as_read(&f->mem, 0xfebf0000, 4), 0x12345678);
    ck_assert_uint_eq(as_read(&f->io, 0xd004, 1), 0xff);
    ck_assert_uint_eq(pci_bar_address(f->dev, 1), 0xfebf0000);
    /* A bus reset clears the command register and BARs. */
    pci_bus_reset(f->bus);
    ck_assert_uint_eq(cfg_read(f, df, 0x04, 2), 0);
    ck_assert_uint_eq(cfg_read(f, df, 0x14, 4), 0);
    ck_assert_uint_eq(as_read(&f->mem, 0xfebf0000, 4), 0xffffffff);
    fx_free(f);
}
END_TEST

START_TEST(test_status_w1c)
{
    Fixture *f = fx_new();
    int df = PCI_DEVFN(3, 0);
    pci_set_word(f->dev, PCI_STATUS, 0x2000 | 0x0200);   /* master abort + DEVSEL */
    cfg_write(f, df, 0x06, 0x0200, 2);                   /* writing DEVSEL: read-only */
    ck_assert_uint_eq(cfg_read(f, df, 0x06, 2), 0x2200);
    cfg_write(f, df, 0x06, 0x2000, 2);                   /* write 1 clears */
    ck_assert_uint_eq(cfg_read(f, df, 0x06, 2), 0x0200);
    fx_free(f);
}
END_TEST

START_TEST(test_irq_routing)
{
    Fixture *f = fx_new();
    int df = PCI_DEVFN(3, 0);
    /* Slot 3, INTA#: PIRQ (3 + 1 - 2) & 3 = 2 (PIRQC#). */
    pci_set_irq(f->dev, 1);
    ck_assert_int_eq(f->pirq_level[2], 1);
    ck_assert_uint_eq(cfg_read(f, df, 0x06, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
    /* Interrupt disable masks the pin but keeps the status bit. */
    cfg_write(f, df, 0x04, PCI_COMMAND_INTX_DISABLE, 2);
    ck_assert_int_eq(f->pirq_level[2], 0);
    ck_assert_uint_eq(cfg_read(f, df, 0x06, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
    cfg_write(f, df, 0x04, 0, 2);
    ck_assert_int_eq(f->pirq_level[2], 1);
    /* A second device on the same PIRQ: the line stays up until both drop. */
    PciDevice *d2 = pci_register_device(f->bus, PCI_DEVFN(7, 0), &test_info, f); /* (7+1-2)&3 = 2 */
    pci_set_irq(d2, 1);
    pci_set_irq(f->dev, 0);
    ck_assert_int_eq(f->pirq_level[2], 1);
    pci_set_irq(d2, 0);
    ck_assert_int_eq(f->pirq_level[2], 0);
    ck_assert_uint_eq(cfg_read(f, df, 0x06, 2) & PCI_STATUS_INTERRUPT, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_dma)
{
    Fixture *f = fx_new();
    uint8_t buf[16], zero[16] = { 0 };
    memset(buf, 0x77, sizeof(buf));
    /* Bus mastering off: refused. */
    ck_assert(!pci_dma_rw(f->dev, 0x1000, buf, 16, true));
    ck_assert_uint_eq(as_read(&f->mem, 0x1000, 1), 0);
    pci_config_write(f->bus, PCI_DEVFN(3, 0), PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    ck_assert(pci_dma_rw(f->dev, 0x1000, buf, 16, true));
    ck_assert_uint_eq(as_read(&f->mem, 0x100f, 1), 0x77);
    /* Crossing the end of RAM: refused and nothing written. */
    ck_assert(!pci_dma_rw(f->dev, (1 << 20) - 8, buf, 16, true));
    ck_assert_uint_eq(as_read(&f->mem, (1 << 20) - 8, 1), 0);
    /* Far outside, and wrapping the address space. */
    ck_assert(!pci_dma_rw(f->dev, 0xfffffff0ull, buf, 16, false));
    ck_assert(!pci_dma_rw(f->dev, UINT64_MAX - 4, buf, 16, false));
    ck_assert(pci_dma_rw(f->dev, 0x2000, buf, 16, false));
    ck_assert_mem_eq(buf, zero, 16);
    fx_free(f);
}
END_TEST

START_TEST(test_cf9_passthrough)
{
    Fixture *f = fx_new();
    as_write(&f->io, 0xcf8, 0x80001800, 4);
    as_write(&f->io, 0xcf9, 0x06, 1);      /* byte write: reset control, not CONFADD */
    ck_assert_int_eq(f->cf9_val, 6);
    ck_assert_uint_eq(as_read(&f->io, 0xcf9, 1), 6);
    ck_assert_uint_eq(as_read(&f->io, 0xcf8, 4), 0x80001800);
    fx_free(f);
}
END_TEST

static Suite *pci_suite(void)
{
    Suite *s = suite_create("pci");
    TCase *tc = tcase_create("bus");
    tcase_add_test(tc, test_ids);
    tcase_add_test(tc, test_unclaimed);
    tcase_add_test(tc, test_bar_sizing);
    tcase_add_test(tc, test_bar_mapping);
    tcase_add_test(tc, test_status_w1c);
    tcase_add_test(tc, test_irq_routing);
    tcase_add_test(tc, test_dma);
    tcase_add_test(tc, test_cf9_passthrough);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pci_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
