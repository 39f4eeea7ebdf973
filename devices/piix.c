/*
 * PIIX3 ISA bridge and PIIX4 power management function (see piix.h).
 *
 * PIRQ routing: each PIRQRC register (PIIX3 datasheet 2.2.9) has IRQROUTEN#
 * in bit 7 (1 = not routed) and the ISA IRQ in bits 3:0; IRQs 0-2, 8 and 13
 * are reserved and never driven. Several PIRQs may share one ISA IRQ: the
 * ISA line is the OR of the PIRQs routed to it (PCI interrupts are level,
 * active low on the wire, modelled here as active high).
 *
 * PM timer (PIIX4 datasheet 11.7.3.4, ACPI 1.0 4.7.2.1): a free-running
 * 24-bit counter at 3.579545 MHz derived from the virtual clock, so it is
 * exact in icount mode; TMROF_STS is set whenever bit 23 toggles and, with
 * TMROF_EN, raises the SCI. SUS_EN with SUS_TYP 000b is soft off (S5, the
 * value the board's DSDT puts in \_S5).
 */
#include "devices/piix.h"

#include <stdlib.h>
#include <string.h>

/* ==== PIIX3 ISA bridge ====================================================== */

#define PIIX3_PIRQRC 0x60
#define PORT92 0x92

struct Piix3State {
    Piix3Config cfg;
    PciDevice *dev;
    AddressSpace *io;
    MemRegion *port92_mr;
    int pirq_level[PCI_NUM_PIRQ];
    int isa_level[16];                   /* what the router drives */
    uint8_t port92;
    uint8_t rcr;                         /* CF9h */
};

static bool piix3_irq_routable(int irq)
{
    return irq >= 3 && irq != 8 && irq != 13 && irq < 16;
}

/* ISA IRQ that PIRQ n goes to, or -1. */
static int piix3_route(const Piix3State *s, int n)
{
    uint8_t r = pci_get_byte(s->dev, PIIX3_PIRQRC + (unsigned)n);
    if (r & 0x80)
        return -1;
    int irq = r & 0x0f;
    return piix3_irq_routable(irq) ? irq : -1;
}

static void piix3_update_isa(Piix3State *s)
{
    int level[16] = { 0 };
    for (int n = 0; n < PCI_NUM_PIRQ; n++) {
        int irq = piix3_route(s, n);
        if (irq >= 0 && s->pirq_level[n])
            level[irq] = 1;
    }
    for (int irq = 0; irq < 16; irq++) {
        if (level[irq] != s->isa_level[irq]) {
            s->isa_level[irq] = level[irq];
            irq_set(&s->cfg.isa_irq[irq], level[irq]);
        }
    }
}

static void piix3_pirq_set(void *opaque, int n, int level)
{
    Piix3State *s = opaque;
    if (n < 0 || n >= PCI_NUM_PIRQ)
        return;
    s->pirq_level[n] = level != 0;
    piix3_update_isa(s);
}

static void piix3_config_write(void *opaque, PciDevice *dev, unsigned addr,
                               uint32_t val, unsigned size)
{
    Piix3State *s = opaque;
    (void)dev;
    (void)val;
    if (addr < PIIX3_PIRQRC + PCI_NUM_PIRQ && addr + size > PIIX3_PIRQRC) {
        piix3_update_isa(s);
        if (s->cfg.elcr_set) {
            for (int n = 0; n < PCI_NUM_PIRQ; n++) {
                int irq = piix3_route(s, n);
                if (irq >= 0)
                    s->cfg.elcr_set(s->cfg.opaque, irq, true);
            }
        }
    }
}

/* Power-on values of the function-specific registers (PIIX3 2.2). */
static void piix3_set_defaults(Piix3State *s, PciDevice *dev)
{
    for (unsigned a = 0x40; a < 0x100; a++)
        pci_set_byte(dev, a, 0);
    pci_set_byte(dev, 0x4c, 0x4d);       /* IORT */
    pci_set_word(dev, 0x4e, 0x0003);     /* XBCS */
    for (unsigned n = 0; n < PCI_NUM_PIRQ; n++)
        pci_set_byte(dev, PIIX3_PIRQRC + n, 0x80);
    pci_set_byte(dev, 0x69, 0x02);       /* TOM */
    pci_set_byte(dev, 0x70, 0x80);       /* MBIRQ0 */
    pci_set_byte(dev, 0x76, 0x0c);       /* MBDMA */
    pci_set_byte(dev, 0x77, 0x0c);
    pci_set_byte(dev, 0xa0, 0x08);       /* SMICNTL */
    pci_set_byte(dev, 0xa8, 0x0f);       /* FTMR */
    s->port92 = 0;
    s->rcr = 0;
    piix3_update_isa(s);
}

static void piix3_reset(void *opaque, PciDevice *dev)
{
    piix3_set_defaults(opaque, dev);
}

static const PciDeviceInfo piix3_info = {
    .name = "piix3-isa",
    .vendor_id = 0x8086,
    .device_id = 0x7000,
    .class_code = 0x060100,              /* ISA bridge */
    .header_type = PCI_HEADER_MULTI_FUNCTION,
    .config_write = piix3_config_write,
    .reset = piix3_reset,
};

/* Port 92h (PIIX4 datasheet 4.1.x): bit 0 fast reset on a 0->1 write,
 * bit 1 alternate A20 gate. */
static uint64_t port92_read(void *opaque, uint64_t off, unsigned size)
{
    Piix3State *s = opaque;
    return s->port92;
}

static void port92_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Piix3State *s = opaque;
    uint8_t old = s->port92, v = (uint8_t)val & 0x03;
    s->port92 = v;
    if ((old ^ v) & 2 && s->cfg.set_a20)
        s->cfg.set_a20(s->cfg.opaque, v & 2);
    if (!(old & 1) && (v & 1) && s->cfg.reset_request)
        s->cfg.reset_request(s->cfg.opaque);
}

static const MemRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .min_access = 1,
    .max_access = 1,
};

/* CF9h reset control (PIIX4 4.1.x RC): bit 1 SRST selects a full reset,
 * bit 2 RCPU set by a write starts it. Only bit 1 reads back. */
static uint8_t piix3_rcr_read(void *opaque)
{
    Piix3State *s = opaque;
    return s->rcr;
}

static void piix3_rcr_write(void *opaque, uint8_t v)
{
    Piix3State *s = opaque;
    s->rcr = v & 0x02;
    if ((v & 0x04) && s->cfg.reset_request)
        s->cfg.reset_request(s->cfg.opaque);
}

Piix3State *piix3_create(PciBus *bus, int devfn, AddressSpace *io, const Piix3Config *cfg)
{
    Piix3State *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->io = io;
    s->dev = pci_register_device(bus, devfn, &piix3_info, s);
    if (!s->dev) {
        free(s);
        return NULL;
    }
    PciDevice *dev = s->dev;
    pci_set_word(dev, PCI_COMMAND, 0x0007);
    pci_set_word(dev, PCI_STATUS, 0x0200);   /* medium DEVSEL */
    static const uint8_t rw[] = { 0x4c, 0x4e, 0x4f, 0x69, 0x6a, 0x70, 0x76, 0x77, 0x78, 0x79,
                                  0x80, 0x82, 0xa0, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                                  0xa8, 0xaa, 0xab, 0xac, 0xae };
    for (size_t i = 0; i < sizeof(rw); i++)
        dev->wmask[rw[i]] = 0xff;
    for (unsigned n = 0; n < PCI_NUM_PIRQ; n++)
        dev->wmask[PIIX3_PIRQRC + n] = 0x8f;
    for (int n = 0; n < PCI_NUM_PIRQ; n++)
        pci_bus_set_pirq_line(bus, n, irq_line(piix3_pirq_set, s, n));
    s->port92_mr = as_add_io(io, "port92", PORT92, 1, &port92_ops, s, 0);
    pci_bus_set_cf9_handler(bus, piix3_rcr_read, piix3_rcr_write, s);
    piix3_set_defaults(s, dev);
    return s;
}

void piix3_destroy(Piix3State *s)
{
    if (!s)
        return;
    as_remove(s->io, s->port92_mr);
    free(s);
}

static void piix3_destroy_cb(void *dev) { piix3_destroy(dev); }

const DeviceClass piix3_device_class = {
    .name = "piix3-isa",
    .state_size = sizeof(Piix3State),
    .destroy = piix3_destroy_cb,
};

bool piix3_a20(const Piix3State *s) { return s->port92 & 2; }

/* ==== PIIX4 power management ================================================= */

#define PM_PMBA 0x40
#define PM_DEVACTB 0x58
#define PM_PMREGMISC 0x80
#define PM_IO_SIZE 64
#define APM_CNT 0xb2

/* PM I/O registers (PIIX4 11.7.3) and their bits. */
enum { PMSTS = 0x00, PMEN = 0x02, PMCNTRL = 0x04, PMTMR = 0x08, GPSTS = 0x0c, GPEN = 0x0e };
enum {
    PM1_TMROF = 1u << 0, PM1_GBL = 1u << 5, PM1_PWRBTN = 1u << 8, PM1_RTC = 1u << 10,
    PM1_WAK = 1u << 15,
};
enum { CNT_SCI_EN = 1u << 0, CNT_GBL_RLS = 1u << 2, CNT_SUS_EN = 1u << 13 };
#define PM1_EVENTS (PM1_TMROF | PM1_GBL | PM1_PWRBTN | PM1_RTC)
#define SUS_TYP_SOFT_OFF 0
/* APM_CNT values the FADT names ACPI_ENABLE / ACPI_DISABLE. */
#define ACPI_ENABLE 0xf1
#define ACPI_DISABLE 0xf0

struct PiixPmState {
    PiixPmConfig cfg;
    PciDevice *dev;
    AddressSpace *io;
    MemRegion *pm_mr, *apm_mr;
    bool pm_mapped;
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint16_t gpe_sts, gpe_en;
    uint8_t regs[PM_IO_SIZE];            /* the other registers: plain storage */
    uint8_t apmc, apms;
    uint64_t tmr_epoch;                  /* timer bit-23 epoch last accounted */
    Timer overflow_timer;
    int sci_level;
};

/* PM timer ticks since the clock started: ns * 3579545 / 1e9 without
 * overflowing 64 bits. */
static uint64_t pm_ticks(PiixPmState *s)
{
    int64_t now = clock_now(s->cfg.clock);
    uint64_t ns = now > 0 ? (uint64_t)now : 0;
    uint64_t sec = ns / 1000000000ull, rem = ns % 1000000000ull;
    return sec * PIIX_PM_TIMER_HZ + rem * PIIX_PM_TIMER_HZ / 1000000000ull;
}

/* First ns at which the tick count reaches ticks. */
static int64_t pm_ticks_to_ns(uint64_t ticks)
{
    uint64_t q = ticks / PIIX_PM_TIMER_HZ, r = ticks % PIIX_PM_TIMER_HZ;
    return (int64_t)(q * 1000000000ull + (r * 1000000000ull + PIIX_PM_TIMER_HZ - 1) / PIIX_PM_TIMER_HZ);
}

uint32_t piix_pm_timer(PiixPmState *s) { return (uint32_t)(pm_ticks(s) & 0xffffff); }

static void pm_update_sci(PiixPmState *s)
{
    int level = (s->pm1_sts & s->pm1_en & PM1_EVENTS) || (s->gpe_sts & s->gpe_en);
    if (level != s->sci_level) {
        s->sci_level = level;
        irq_set(&s->cfg.sci, level);
    }
}

/* Account bit-23 toggles of the timer and arm the overflow timer if the
 * guest wants an SCI for the next one. */
static void pm_timer_check(PiixPmState *s)
{
    uint64_t epoch = pm_ticks(s) >> 23;
    if (epoch != s->tmr_epoch) {
        s->tmr_epoch = epoch;
        s->pm1_sts |= PM1_TMROF;
    }
    if (s->pm1_en & PM1_TMROF)
        timer_mod(&s->overflow_timer, pm_ticks_to_ns((epoch + 1) << 23));
    else
        timer_del(&s->overflow_timer);
    pm_update_sci(s);
}

static void pm_overflow_cb(void *opaque) { pm_timer_check(opaque); }

static void pm_cnt_write(PiixPmState *s, uint16_t v)
{
    if (v & CNT_SUS_EN) {
        unsigned typ = (v >> 10) & 7;
        if (typ == SUS_TYP_SOFT_OFF && s->cfg.poweroff)
            s->cfg.poweroff(s->cfg.opaque);
    }
    /* SUS_EN and GBL_RLS are write-only; SCI_EN is set by the chipset only
     * through APM_CNT (ACPI_ENABLE), so it keeps its value here. */
    s->pm1_cnt = (uint16_t)((v & ~(CNT_SUS_EN | CNT_GBL_RLS | CNT_SCI_EN)) |
                            (s->pm1_cnt & CNT_SCI_EN));
}

static uint8_t pm_read_byte(PiixPmState *s, unsigned off)
{
    switch (off) {
    case PMSTS: case PMSTS + 1:
        return (uint8_t)(s->pm1_sts >> (8 * (off - PMSTS)));
    case PMEN: case PMEN + 1:
        return (uint8_t)(s->pm1_en >> (8 * (off - PMEN)));
    case PMCNTRL: case PMCNTRL + 1:
        return (uint8_t)(s->pm1_cnt >> (8 * (off - PMCNTRL)));
    case PMTMR: case PMTMR + 1: case PMTMR + 2:
        return (uint8_t)(piix_pm_timer(s) >> (8 * (off - PMTMR)));
    case PMTMR + 3:
        return 0;
    case GPSTS: case GPSTS + 1:
        return (uint8_t)(s->gpe_sts >> (8 * (off - GPSTS)));
    case GPEN: case GPEN + 1:
        return (uint8_t)(s->gpe_en >> (8 * (off - GPEN)));
    }
    return s->regs[off % PM_IO_SIZE];
}

static uint64_t pm_io_read(void *opaque, uint64_t off, unsigned size)
{
    PiixPmState *s = opaque;
    if (off <= PMSTS + 1)
        pm_timer_check(s);              /* TMROF_STS is current when read */
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < PM_IO_SIZE; i++)
        v |= (uint64_t)pm_read_byte(s, (unsigned)off + i) << (8 * i);
    return v;
}

static void pm_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PiixPmState *s = opaque;
    /* Registers are 16 bits wide; assemble the value, then act once. */
    if (off == PMSTS || off == PMSTS + 1) {
        pm_timer_check(s);
        uint16_t w1c = (uint16_t)(off == PMSTS ? val : val << 8);
        s->pm1_sts &= (uint16_t)~w1c;
        if (size > 2 && off == PMSTS)
            pm_io_write(s, PMEN, val >> 16, size - 2);
    } else if (off == PMEN || off == PMEN + 1) {
        uint16_t v = off == PMEN ? (uint16_t)(size >= 2 ? val : (s->pm1_en & 0xff00) | (val & 0xff))
                                 : (uint16_t)((s->pm1_en & 0x00ff) | (val & 0xff) << 8);
        s->pm1_en = v & (PM1_EVENTS | PM1_WAK);
        pm_timer_check(s);
    } else if (off == PMCNTRL || off == PMCNTRL + 1) {
        uint16_t v = off == PMCNTRL
            ? (uint16_t)(size >= 2 ? val : (s->pm1_cnt & 0xff00) | (val & 0xff))
            : (uint16_t)((s->pm1_cnt & 0x00ff) | (val & 0xff) << 8);
        pm_cnt_write(s, v);
    } else if (off >= PMTMR && off < PMTMR + 4) {
        /* read-only */
    } else if (off == GPSTS || off == GPSTS + 1) {
        s->gpe_sts &= (uint16_t)~(off == GPSTS ? val : val << 8);
        if (size > 2 && off == GPSTS)
            s->gpe_en = (uint16_t)(val >> 16);
    } else if (off == GPEN || off == GPEN + 1) {
        s->gpe_en = off == GPEN ? (uint16_t)(size >= 2 ? val : (s->gpe_en & 0xff00) | (val & 0xff))
                                : (uint16_t)((s->gpe_en & 0x00ff) | (val & 0xff) << 8);
    } else {
        for (unsigned i = 0; i < size && off + i < PM_IO_SIZE; i++)
            s->regs[off + i] = (uint8_t)(val >> (8 * i));
    }
    pm_update_sci(s);
}

static const MemRegionOps pm_io_ops = {
    .read = pm_io_read,
    .write = pm_io_write,
    .min_access = 1,
    .max_access = 4,
};

/* APM_CNT (B2h) / APM_STS (B3h), PIIX4 7.2.x: plain registers here (no
 * SMM); writing ACPI_ENABLE/DISABLE to B2h flips SCI_EN, which is what the
 * SMI handler would do on a real board. */
static uint64_t apm_read(void *opaque, uint64_t off, unsigned size)
{
    PiixPmState *s = opaque;
    return off == 0 ? s->apmc : s->apms;
}

static void apm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PiixPmState *s = opaque;
    if (off == 1) {
        s->apms = (uint8_t)val;
        return;
    }
    s->apmc = (uint8_t)val;
    if (s->apmc == ACPI_ENABLE)
        s->pm1_cnt |= CNT_SCI_EN;
    else if (s->apmc == ACPI_DISABLE)
        s->pm1_cnt &= (uint16_t)~CNT_SCI_EN;
}

static const MemRegionOps apm_ops = {
    .read = apm_read,
    .write = apm_write,
    .min_access = 1,
    .max_access = 1,
};

/* Map the PM block at PMBA when PMIOSE (80h bit 0) is set. */
static void pm_update_mapping(PiixPmState *s)
{
    uint32_t base = pci_get_long(s->dev, PM_PMBA) & 0xffc0;
    bool on = (pci_get_byte(s->dev, PM_PMREGMISC) & 1) && base != 0;
    if (on) {
        if (s->pm_mapped)
            as_region_enable(s->io, s->pm_mr, false);
        as_region_move(s->io, s->pm_mr, base);
        as_region_enable(s->io, s->pm_mr, true);
    } else if (s->pm_mapped) {
        as_region_enable(s->io, s->pm_mr, false);
    }
    s->pm_mapped = on;
}

static void pm_config_write(void *opaque, PciDevice *dev, unsigned addr,
                            uint32_t val, unsigned size)
{
    PiixPmState *s = opaque;
    (void)dev;
    (void)val;
    if ((addr < PM_PMBA + 4 && addr + size > PM_PMBA) ||
        (addr <= PM_PMREGMISC && addr + size > PM_PMREGMISC))
        pm_update_mapping(s);
}

static void pm_set_defaults(PiixPmState *s, PciDevice *dev)
{
    for (unsigned a = 0x40; a < 0x100; a++)
        pci_set_byte(dev, a, 0);
    pci_set_long(dev, PM_PMBA, 1);       /* I/O space indicator */
    pci_set_long(dev, 0x90, 1);          /* SMBBA, I/O space indicator */
    /* doppel has no System Management Mode. DEVACTB bit 25 (APMC_EN) set at
     * reset tells firmware that SMM was already initialised, so SeaBIOS
     * skips its SMI-driven relocation instead of waiting for an SMI handler
     * that never runs (QEMU does the same with -machine smm=off). */
    pci_set_byte(dev, PM_DEVACTB + 3, 0x02);
    s->pm1_sts = s->pm1_en = s->pm1_cnt = 0;
    s->gpe_sts = s->gpe_en = 0;
    memset(s->regs, 0, sizeof(s->regs));
    s->apmc = s->apms = 0;
    timer_del(&s->overflow_timer);
    s->tmr_epoch = pm_ticks(s) >> 23;
    pm_update_mapping(s);
    pm_update_sci(s);
}

static void pm_reset(void *opaque, PciDevice *dev)
{
    pm_set_defaults(opaque, dev);
}

static const PciDeviceInfo piix_pm_info = {
    .name = "piix4-pm",
    .vendor_id = 0x8086,
    .device_id = 0x7113,
    .revision = 0x03,
    .class_code = 0x068000,              /* other bridge */
    .interrupt_pin = 1,
    .config_write = pm_config_write,
    .reset = pm_reset,
};

PiixPmState *piix_pm_create(PciBus *bus, int devfn, AddressSpace *io, const PiixPmConfig *cfg)
{
    if (!cfg->clock)
        return NULL;
    PiixPmState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->io = io;
    s->dev = pci_register_device(bus, devfn, &piix_pm_info, s);
    if (!s->dev) {
        free(s);
        return NULL;
    }
    PciDevice *dev = s->dev;
    pci_set_word(dev, PCI_STATUS, 0x0280);
    dev->wmask[PM_PMBA] = 0xc0;          /* base bits 15:6 */
    dev->wmask[PM_PMBA + 1] = 0xff;
    for (unsigned a = PM_DEVACTB; a < PM_DEVACTB + 8; a++)   /* DEVACTB, DEVRESA-D */
        dev->wmask[a] = 0xff;
    dev->wmask[PM_PMREGMISC] = 0x01;
    dev->wmask[0x90] = 0xf0;             /* SMBus base */
    dev->wmask[0x91] = 0xff;
    dev->wmask[0xd2] = 0x0f;             /* SMBHSTCFG */
    timer_init(&s->overflow_timer, cfg->clock, pm_overflow_cb, s);
    s->pm_mr = as_add_io(io, "piix4-pm", 0, PM_IO_SIZE, &pm_io_ops, s, 0);
    as_region_enable(io, s->pm_mr, false);
    s->apm_mr = as_add_io(io, "apm", APM_CNT, 2, &apm_ops, s, 0);
    pm_set_defaults(s, dev);
    return s;
}

void piix_pm_destroy(PiixPmState *s)
{
    if (!s)
        return;
    timer_del(&s->overflow_timer);
    as_remove(s->io, s->pm_mr);
    as_remove(s->io, s->apm_mr);
    free(s);
}

static void piix_pm_destroy_cb(void *dev) { piix_pm_destroy(dev); }

const DeviceClass piix_pm_device_class = {
    .name = "piix4-pm",
    .state_size = sizeof(PiixPmState),
    .destroy = piix_pm_destroy_cb,
};

void piix_pm_power_button(PiixPmState *s)
{
    s->pm1_sts |= PM1_PWRBTN;
    pm_update_sci(s);
}
