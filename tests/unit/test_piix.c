/*
 * Unit tests of the PC chipset functions: i440FX PAM shadowing and SMRAM
 * (82441FX datasheet 3.2), the PIIX3 ISA bridge (PIRQ routing 60h-63h,
 * port 92h, reset control CF9h) and the PIIX4 power management function
 * (PM timer, SUS_EN soft off, APM control). Driven through configuration
 * mechanism #1 and port I/O; time comes from an icount clock.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/i440fx.h"
#include "devices/pci.h"
#include "devices/piix.h"
#include "machine/clock.h"
#include "machine/memory.h"

#define RAM_SIZE (2u << 20)
#define PM_BASE 0xb000

typedef struct Fixture {
    AddressSpace mem, io;
    VirtClock clock;
    PciBus *bus;
    I440fxState *nb;
    Piix3State *isa;
    PiixPmState *pm;
    MemRegion *ram, *rom;
    uint8_t rom_data[0x20000];
    int isa_level[16];
    int a20;
    int resets;
    int poweroffs;
    int sci;
} Fixture;

static void isa_irq(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    f->isa_level[n] = level;
}
static void set_a20(void *opaque, bool on)
{
    Fixture *f = opaque;
    f->a20 = on;
}
static void reset_req(void *opaque)
{
    Fixture *f = opaque;
    f->resets++;
}
static void poweroff(void *opaque)
{
    Fixture *f = opaque;
    f->poweroffs++;
}
static void sci_irq(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    f->sci = level;
}

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->mem, "mem", ~0ull);
    as_init(&f->io, "io", ~0ull);
    clock_init(&f->clock, CLOCK_ICOUNT, 0);       /* 1 ns per instruction */
    f->ram = as_add_ram(&f->mem, "ram", 0, RAM_SIZE, NULL, 0);
    for (unsigned i = 0; i < sizeof(f->rom_data); i++)
        f->rom_data[i] = (uint8_t)(0x80 | (i >> 12));
    f->rom = as_add_rom(&f->mem, "bios", 0xe0000, sizeof(f->rom_data), f->rom_data, 1);
    f->bus = pci_bus_create(&f->mem, &f->io);
    I440fxConfig nc = { .mem = &f->mem, .ram = f->ram, .roms = { f->rom }, .nroms = 1, .priority = 2 };
    f->nb = i440fx_create(f->bus, &nc);
    ck_assert_ptr_nonnull(f->nb);
    Piix3Config ic = { .set_a20 = set_a20, .reset_request = reset_req, .opaque = f };
    for (int i = 0; i < 16; i++)
        ic.isa_irq[i] = irq_line(isa_irq, f, i);
    f->isa = piix3_create(f->bus, PCI_DEVFN(1, 0), &f->io, &ic);
    ck_assert_ptr_nonnull(f->isa);
    PiixPmConfig pc = { .clock = &f->clock, .sci = irq_line(sci_irq, f, 9),
                        .poweroff = poweroff, .opaque = f };
    f->pm = piix_pm_create(f->bus, PCI_DEVFN(1, 3), &f->io, &pc);
    ck_assert_ptr_nonnull(f->pm);
    return f;
}

static void fx_free(Fixture *f)
{
    piix_pm_destroy(f->pm);
    piix3_destroy(f->isa);
    i440fx_destroy(f->nb);
    pci_bus_destroy(f->bus);
    as_destroy(&f->io);
    as_destroy(&f->mem);
    free(f);
}

static uint32_t cfg_read(Fixture *f, int devfn, unsigned reg, unsigned size)
{
    as_write(&f->io, 0xcf8, 0x80000000u | (unsigned)devfn << 8 | (reg & 0xfc), 4);
    return (uint32_t)as_read(&f->io, 0xcfc + (reg & 3), size);
}

static void cfg_write(Fixture *f, int devfn, unsigned reg, uint32_t val, unsigned size)
{
    as_write(&f->io, 0xcf8, 0x80000000u | (unsigned)devfn << 8 | (reg & 0xfc), 4);
    as_write(&f->io, 0xcfc + (reg & 3), val, size);
}

static uint8_t rd8(Fixture *f, uint64_t a) { return (uint8_t)as_read(&f->mem, a, 1); }
static void wr8(Fixture *f, uint64_t a, uint8_t v) { as_write(&f->mem, a, v, 1); }

/* ---- i440FX ---------------------------------------------------------------- */

START_TEST(test_ids)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(cfg_read(f, 0, 0, 4), 0x12378086);
    ck_assert_uint_eq(cfg_read(f, 0, 0x0a, 2), 0x0600);
    ck_assert_uint_eq(cfg_read(f, PCI_DEVFN(1, 0), 0, 4), 0x70008086);
    ck_assert_uint_eq(cfg_read(f, PCI_DEVFN(1, 0), 0x0e, 1) & 0x80, 0x80);  /* multi-function */
    ck_assert_uint_eq(cfg_read(f, PCI_DEVFN(1, 3), 0, 4), 0x71138086);
    ck_assert_uint_eq(cfg_read(f, PCI_DEVFN(1, 2), 0, 4), 0xffffffff);      /* no USB */
    ck_assert_uint_eq(cfg_read(f, 0, 0x72, 1), 0x02);                       /* SMRAM closed */
    fx_free(f);
}
END_TEST

START_TEST(test_pam)
{
    Fixture *f = fx_new();
    f->ram->host[0xf0000] = 0x11;
    f->ram->host[0xd0000] = 0x22;
    /* After reset every segment goes to PCI: the ROM, or nothing. */
    ck_assert_uint_eq(rd8(f, 0xf0000), 0x80 | 0x10);
    ck_assert_uint_eq(rd8(f, 0xd0000), 0xff);
    wr8(f, 0xd0000, 0x33);
    wr8(f, 0xf0000, 0x33);
    ck_assert_uint_eq(f->ram->host[0xd0000], 0x22);
    ck_assert_uint_eq(f->ram->host[0xf0000], 0x11);
    /* PAM0 = 30h: 0xF0000 read/write DRAM (the SeaBIOS copy step). */
    cfg_write(f, 0, 0x59, 0x30, 1);
    ck_assert_uint_eq(rd8(f, 0xf0000), 0x11);
    wr8(f, 0xf0000, 0x44);
    ck_assert_uint_eq(rd8(f, 0xf0000), 0x44);
    ck_assert_uint_eq(rd8(f, 0xe0000), 0x80);     /* other segments unchanged */
    /* 10h: read-only DRAM (SeaBIOS write-protects itself). */
    cfg_write(f, 0, 0x59, 0x10, 1);
    wr8(f, 0xf0000, 0x55);
    ck_assert_uint_eq(rd8(f, 0xf0000), 0x44);
    /* 20h: reads from ROM, writes to DRAM. */
    cfg_write(f, 0, 0x59, 0x20, 1);
    ck_assert_uint_eq(rd8(f, 0xf0000), 0x90);
    wr8(f, 0xf0000, 0x66);
    ck_assert_uint_eq(rd8(f, 0xf0000), 0x90);
    cfg_write(f, 0, 0x59, 0x30, 1);
    ck_assert_uint_eq(rd8(f, 0xf0000), 0x66);
    /* Reserved PAM0 bits read as zero. */
    cfg_write(f, 0, 0x59, 0xff, 1);
    ck_assert_uint_eq(cfg_read(f, 0, 0x59, 1), 0x30);
    /* PAM1 = 33h opens 0xC0000-0xC7FFF only; a dword write covers PAM4-PAM6. */
    cfg_write(f, 0, 0x5a, 0x33, 1);
    wr8(f, 0xc4000, 0x77);
    ck_assert_uint_eq(rd8(f, 0xc4000), 0x77);
    ck_assert_uint_eq(rd8(f, 0xc8000), 0xff);
    cfg_write(f, 0, 0x5c, 0x33330000, 4);         /* 5Eh = PAM5, 5Fh = PAM6 */
    ck_assert_uint_eq(rd8(f, 0xe0000), 0x00);     /* DRAM now, ROM hidden */
    ck_assert_uint_eq(rd8(f, 0xd0000), 0xff);
    /* Reset returns everything to PCI. */
    pci_bus_reset(f->bus);
    ck_assert_uint_eq(rd8(f, 0xf0000), 0x90);
    ck_assert_uint_eq(rd8(f, 0xc4000), 0xff);
    ck_assert_uint_eq(cfg_read(f, 0, 0x58, 4) & 0xffffff00u, 0);   /* PAM0-PAM2 */
    ck_assert_uint_eq(cfg_read(f, 0, 0x5c, 4), 0);                 /* PAM3-PAM6 */
    fx_free(f);
}
END_TEST

START_TEST(test_smram_lock)
{
    Fixture *f = fx_new();
    cfg_write(f, 0, 0x72, 0x4a, 1);               /* D_OPEN | G_SMRAME */
    ck_assert_uint_eq(cfg_read(f, 0, 0x72, 1), 0x4a);
    cfg_write(f, 0, 0x72, 0x5a, 1);               /* D_LCK: D_OPEN cleared */
    ck_assert_uint_eq(cfg_read(f, 0, 0x72, 1) & 0x50, 0x10);
    cfg_write(f, 0, 0x72, 0x4a, 1);               /* locked: cannot reopen */
    ck_assert_uint_eq(cfg_read(f, 0, 0x72, 1) & 0x50, 0x10);
    fx_free(f);
}
END_TEST

/* ---- PIIX3 ------------------------------------------------------------------ */

static const PciDeviceInfo nic_info = { .name = "nic", .vendor_id = 0x10ec, .device_id = 0x8139,
                                        .class_code = 0x020000, .interrupt_pin = 1 };

START_TEST(test_pirq_routing)
{
    Fixture *f = fx_new();
    int isa = PCI_DEVFN(1, 0);
    ck_assert_uint_eq(cfg_read(f, isa, 0x60, 4), 0x80808080);   /* all disabled */
    PciDevice *nic = pci_register_device(f->bus, PCI_DEVFN(3, 0), &nic_info, NULL); /* PIRQC */
    PciDevice *nic2 = pci_register_device(f->bus, PCI_DEVFN(4, 0), &nic_info, NULL); /* PIRQD */
    pci_set_irq(nic, 1);
    for (int i = 0; i < 16; i++)
        ck_assert_int_eq(f->isa_level[i], 0);                  /* not routed */
    cfg_write(f, isa, 0x62, 0x0b, 1);                          /* PIRQC -> IRQ 11 */
    ck_assert_int_eq(f->isa_level[11], 1);
    cfg_write(f, isa, 0x63, 0x0b, 1);                          /* PIRQD shares IRQ 11 */
    pci_set_irq(nic2, 1);
    pci_set_irq(nic, 0);
    ck_assert_int_eq(f->isa_level[11], 1);
    pci_set_irq(nic2, 0);
    ck_assert_int_eq(f->isa_level[11], 0);
    /* Re-routing moves an asserted line. */
    pci_set_irq(nic, 1);
    cfg_write(f, isa, 0x62, 0x0a, 1);
    ck_assert_int_eq(f->isa_level[11], 0);
    ck_assert_int_eq(f->isa_level[10], 1);
    /* Reserved IRQ 2 is never driven; bit 7 disables. */
    cfg_write(f, isa, 0x62, 0x02, 1);
    ck_assert_int_eq(f->isa_level[10], 0);
    ck_assert_int_eq(f->isa_level[2], 0);
    cfg_write(f, isa, 0x62, 0x8a, 1);
    ck_assert_int_eq(f->isa_level[10], 0);
    /* Bits 6:4 are reserved. */
    cfg_write(f, isa, 0x60, 0xff, 1);
    ck_assert_uint_eq(cfg_read(f, isa, 0x60, 1), 0x8f);
    fx_free(f);
}
END_TEST

START_TEST(test_port92_and_cf9)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(as_read(&f->io, 0x92, 1), 0);
    as_write(&f->io, 0x92, 0x02, 1);
    ck_assert_int_eq(f->a20, 1);
    ck_assert(piix3_a20(f->isa));
    ck_assert_uint_eq(as_read(&f->io, 0x92, 1), 0x02);
    ck_assert_int_eq(f->resets, 0);
    as_write(&f->io, 0x92, 0x03, 1);                           /* 0->1 on bit 0: reset */
    ck_assert_int_eq(f->resets, 1);
    as_write(&f->io, 0x92, 0x03, 1);                           /* no edge, no reset */
    ck_assert_int_eq(f->resets, 1);
    as_write(&f->io, 0x92, 0x00, 1);
    ck_assert_int_eq(f->a20, 0);
    /* CF9h: SRST alone only latches; RCPU resets. */
    as_write(&f->io, 0xcf9, 0x02, 1);
    ck_assert_int_eq(f->resets, 1);
    ck_assert_uint_eq(as_read(&f->io, 0xcf9, 1), 0x02);
    as_write(&f->io, 0xcf9, 0x06, 1);
    ck_assert_int_eq(f->resets, 2);
    fx_free(f);
}
END_TEST

/* ---- PIIX4 PM ------------------------------------------------------------------ */

static void pm_enable(Fixture *f)
{
    int pm = PCI_DEVFN(1, 3);
    cfg_write(f, pm, 0x40, PM_BASE | 1, 4);
    ck_assert_uint_eq(as_read(&f->io, PM_BASE + 8, 4), 0xffffffff);  /* PMIOSE still off */
    cfg_write(f, pm, 0x80, 0x01, 1);
}

START_TEST(test_pm_timer)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(cfg_read(f, PCI_DEVFN(1, 3), 0x40, 4), 1);     /* I/O indicator */
    pm_enable(f);
    clock_icount_advance(&f->clock, 123456789);
    uint32_t t0 = (uint32_t)as_read(&f->io, PM_BASE + 8, 4);
    ck_assert_uint_eq(t0 >> 24, 0);                                  /* 24-bit counter */
    clock_icount_advance(&f->clock, 1000000000);                     /* one second */
    uint32_t t1 = (uint32_t)as_read(&f->io, PM_BASE + 8, 4);
    uint32_t delta = (t1 - t0) & 0xffffff;
    ck_assert_uint_ge(delta, 3579544);
    ck_assert_uint_le(delta, 3579546);
    /* Writes are ignored. */
    as_write(&f->io, PM_BASE + 8, 0, 4);
    ck_assert_uint_eq(as_read(&f->io, PM_BASE + 8, 4), t1);
    /* Disabling PMIOSE unmaps the block. */
    cfg_write(f, PCI_DEVFN(1, 3), 0x80, 0, 1);
    ck_assert_uint_eq(as_read(&f->io, PM_BASE + 8, 4), 0xffffffff);
    fx_free(f);
}
END_TEST

START_TEST(test_pm_overflow_sci)
{
    Fixture *f = fx_new();
    pm_enable(f);
    as_write(&f->io, PM_BASE + 0, 0xffff, 2);                        /* clear status */
    as_write(&f->io, PM_BASE + 2, 0x0001, 2);                        /* TMROF_EN */
    ck_assert_int_eq(f->sci, 0);
    /* Bit 23 toggles after 2^23 ticks = 2.343 s. */
    clock_icount_advance(&f->clock, 2300000000ll);
    clock_run_timers(&f->clock);
    ck_assert_int_eq(f->sci, 0);
    clock_icount_advance(&f->clock, 100000000ll);
    clock_run_timers(&f->clock);
    ck_assert_int_eq(f->sci, 1);
    ck_assert_uint_eq(as_read(&f->io, PM_BASE, 2) & 1, 1);
    as_write(&f->io, PM_BASE, 0x0001, 2);                            /* write 1 clears */
    ck_assert_uint_eq(as_read(&f->io, PM_BASE, 2) & 1, 0);
    ck_assert_int_eq(f->sci, 0);
    /* Power button with PWRBTN_EN. */
    as_write(&f->io, PM_BASE + 2, 0x0100, 2);
    piix_pm_power_button(f->pm);
    ck_assert_int_eq(f->sci, 1);
    ck_assert_uint_eq(as_read(&f->io, PM_BASE, 2) & 0x100, 0x100);
    fx_free(f);
}
END_TEST

START_TEST(test_pm_sleep)
{
    Fixture *f = fx_new();
    pm_enable(f);
    /* ACPI enable through APM_CNT sets SCI_EN; APM_STS is plain storage. */
    as_write(&f->io, 0xb3, 0x00, 1);
    ck_assert_uint_eq(as_read(&f->io, 0xb3, 1), 0x00);
    as_write(&f->io, 0xb2, 0xf1, 1);
    ck_assert_uint_eq(as_read(&f->io, PM_BASE + 4, 2) & 1, 1);
    /* SUS_TYP 1 (not soft off) with SUS_EN: no power off. */
    as_write(&f->io, PM_BASE + 4, 0x2401, 2);
    ck_assert_int_eq(f->poweroffs, 0);
    /* SUS_TYP without SUS_EN: nothing either; SUS_EN is write-only. */
    as_write(&f->io, PM_BASE + 4, 0x0001, 2);
    ck_assert_int_eq(f->poweroffs, 0);
    ck_assert_uint_eq(as_read(&f->io, PM_BASE + 4, 2) & 0x2000, 0);
    /* SUS_TYP 0 + SUS_EN: soft off (S5). */
    as_write(&f->io, PM_BASE + 4, 0x2001, 2);
    ck_assert_int_eq(f->poweroffs, 1);
    fx_free(f);
}
END_TEST

static Suite *piix_suite(void)
{
    Suite *s = suite_create("piix");
    TCase *nb = tcase_create("i440fx");
    tcase_add_test(nb, test_ids);
    tcase_add_test(nb, test_pam);
    tcase_add_test(nb, test_smram_lock);
    suite_add_tcase(s, nb);
    TCase *isa = tcase_create("piix3");
    tcase_add_test(isa, test_pirq_routing);
    tcase_add_test(isa, test_port92_and_cf9);
    suite_add_tcase(s, isa);
    TCase *pm = tcase_create("pm");
    tcase_add_test(pm, test_pm_timer);
    tcase_add_test(pm, test_pm_overflow_sci);
    tcase_add_test(pm, test_pm_sleep);
    suite_add_tcase(s, pm);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(piix_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
