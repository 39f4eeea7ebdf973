/*
 * PCI bus 0 and configuration mechanism #1 (see pci.h).
 *
 * Config writes go through a per-byte write mask (read-only IDs and class
 * codes, BAR size masks) and a write-1-to-clear mask (status error bits),
 * PCI 3.0 6.2. After a write that touches the command register or a BAR,
 * every BAR is re-evaluated: it is mapped (as_region_move +
 * as_region_enable) when its space is enabled in the command register and
 * its address is valid, and unmapped otherwise (PCI 3.0 6.2.5.1: writing
 * all ones makes the BAR read back its size mask).
 */
#include "devices/pci.h"

#include <stdlib.h>
#include <string.h>

#define PCI_CONF_ADDR_PORT 0xcf8
#define PCI_CONF_ENABLE 0x80000000u

struct PciBus {
    AddressSpace *mem, *io;
    MemRegion *conf_mr;
    uint32_t conf_addr;             /* CONFADD (i440FX 3.1.1) */
    PciDevice *devs[256];
    IrqLine pirq[PCI_NUM_PIRQ];
    int pirq_count[PCI_NUM_PIRQ];   /* asserted INTx wired to each PIRQ */
    PciMapIrq map_irq;
    void *map_irq_opaque;
    uint8_t (*cf9_read)(void *opaque);
    void (*cf9_write)(void *opaque, uint8_t val);
    void *cf9_opaque;
};

/* Default swizzle of the PC board: slot s, pin p (1..4) -> PIRQ (s + p - 2) & 3. */
static int pci_default_map_irq(void *opaque, int devfn, int pin)
{
    (void)opaque;
    return (PCI_SLOT(devfn) + pin - 2) & 3;
}

/* ---- configuration ports ------------------------------------------------ */

static PciDevice *pci_claimed(PciBus *bus, int devfn)
{
    /* A multi-function device answers functions 1..7 only if function 0
     * exists (PCI 3.0 6.2.1). */
    if (PCI_FUNC(devfn) && !bus->devs[devfn & ~7])
        return NULL;
    return bus->devs[devfn];
}

static uint64_t pci_conf_read(void *opaque, uint64_t off, unsigned size)
{
    PciBus *bus = opaque;
    if (off < 4) {
        if (off == 0 && size == 4)
            return bus->conf_addr;
        if (off == 1 && size == 1 && bus->cf9_read)
            return bus->cf9_read(bus->cf9_opaque);
        return (1ull << (size * 8)) - 1;
    }
    unsigned doff = (unsigned)off - 4;
    uint64_t ones = size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
    if (!(bus->conf_addr & PCI_CONF_ENABLE) || ((bus->conf_addr >> 16) & 0xff) != 0)
        return ones;
    if (doff + size > 4)
        return ones;
    int devfn = (bus->conf_addr >> 8) & 0xff;
    unsigned reg = (bus->conf_addr & 0xfc) + doff;
    return pci_config_read(bus, devfn, reg, size);
}

static void pci_conf_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PciBus *bus = opaque;
    if (off < 4) {
        if (off == 0 && size == 4)
            bus->conf_addr = (uint32_t)val & 0x80fffffcu;  /* bits 30:24, 1:0 reserved */
        else if (off == 1 && size == 1 && bus->cf9_write)
            bus->cf9_write(bus->cf9_opaque, (uint8_t)val);
        return;
    }
    unsigned doff = (unsigned)off - 4;
    if (!(bus->conf_addr & PCI_CONF_ENABLE) || ((bus->conf_addr >> 16) & 0xff) != 0)
        return;
    if (doff + size > 4)
        return;
    int devfn = (bus->conf_addr >> 8) & 0xff;
    unsigned reg = (bus->conf_addr & 0xfc) + doff;
    pci_config_write(bus, devfn, reg, (uint32_t)val, size);
}

static const MemRegionOps pci_conf_ops = {
    .read = pci_conf_read,
    .write = pci_conf_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- bus ------------------------------------------------------------------ */

PciBus *pci_bus_create(AddressSpace *mem, AddressSpace *io)
{
    PciBus *bus = calloc(1, sizeof(*bus));
    if (!bus)
        return NULL;
    bus->mem = mem;
    bus->io = io;
    bus->map_irq = pci_default_map_irq;
    bus->conf_mr = as_add_io(io, "pci-conf", PCI_CONF_ADDR_PORT, 8, &pci_conf_ops, bus, 0);
    return bus;
}

static void pci_unregister_bars(PciDevice *d)
{
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        PciBar *b = &d->bars[i];
        if (b->mr && b->own_mr)
            as_remove(b->type == PCI_BAR_IO ? d->bus->io : d->bus->mem, b->mr);
        b->mr = NULL;
    }
}

void pci_bus_destroy(PciBus *bus)
{
    if (!bus)
        return;
    for (int i = 0; i < 256; i++) {
        if (bus->devs[i]) {
            pci_unregister_bars(bus->devs[i]);
            free(bus->devs[i]);
        }
    }
    if (bus->conf_mr)
        as_remove(bus->io, bus->conf_mr);
    free(bus);
}

static void pci_bus_reset_cb(void *dev) { pci_bus_reset(dev); }
static void pci_bus_destroy_cb(void *dev) { pci_bus_destroy(dev); }

const DeviceClass pci_bus_device_class = {
    .name = "pci-bus",
    .state_size = sizeof(PciBus),
    .reset = pci_bus_reset_cb,
    .destroy = pci_bus_destroy_cb,
};

void pci_bus_set_pirq_line(PciBus *bus, int n, IrqLine line)
{
    if (n >= 0 && n < PCI_NUM_PIRQ)
        bus->pirq[n] = line;
}

void pci_bus_set_map_irq(PciBus *bus, PciMapIrq map, void *opaque)
{
    bus->map_irq = map ? map : pci_default_map_irq;
    bus->map_irq_opaque = opaque;
}

void pci_bus_set_cf9_handler(PciBus *bus, uint8_t (*read)(void *opaque),
                             void (*write)(void *opaque, uint8_t val), void *opaque)
{
    bus->cf9_read = read;
    bus->cf9_write = write;
    bus->cf9_opaque = opaque;
}

PciDevice *pci_find_device(PciBus *bus, int devfn)
{
    return devfn >= 0 && devfn < 256 ? bus->devs[devfn] : NULL;
}

/* ---- interrupts ----------------------------------------------------------- */

static void pci_update_irq(PciDevice *d)
{
    int asserted = d->irq_level && !(pci_get_word(d, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
    uint16_t st = pci_get_word(d, PCI_STATUS);
    st = d->irq_level ? (st | PCI_STATUS_INTERRUPT) : (st & ~PCI_STATUS_INTERRUPT);
    pci_set_word(d, PCI_STATUS, st);
    if (asserted == d->irq_asserted)
        return;
    d->irq_asserted = asserted;
    int pin = d->info->interrupt_pin;
    if (pin < 1 || pin > 4)
        return;
    PciBus *bus = d->bus;
    int pirq = bus->map_irq(bus->map_irq_opaque, d->devfn, pin) & 3;
    bus->pirq_count[pirq] += asserted ? 1 : -1;
    irq_set(&bus->pirq[pirq], bus->pirq_count[pirq] > 0);
}

void pci_set_irq(PciDevice *dev, int level)
{
    dev->irq_level = level != 0;
    pci_update_irq(dev);
}

/* ---- BARs ----------------------------------------------------------------- */

uint32_t pci_bar_address(const PciDevice *dev, int idx)
{
    if (idx < 0 || idx >= PCI_NUM_BARS)
        return 0;
    uint32_t v = pci_get_long(dev, PCI_BASE_ADDRESS_0 + 4 * idx);
    return dev->bars[idx].type == PCI_BAR_IO ? v & ~3u : v & ~15u;
}

/* Map or unmap every BAR according to the command register and BAR values. */
static void pci_update_mappings(PciDevice *d)
{
    uint16_t cmd = pci_get_word(d, PCI_COMMAND);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        PciBar *b = &d->bars[i];
        if (!b->mr)
            continue;
        bool io = b->type == PCI_BAR_IO;
        uint64_t addr = pci_bar_address(d, i);
        uint64_t last = addr + b->size - 1;
        bool valid = addr != 0 && (io ? last < 0x10000 : last < 0xffffffffull);
        bool on = valid && (cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY));
        AddressSpace *as = io ? d->bus->io : d->bus->mem;
        if (on && (!b->mapped || b->mapped_at != addr)) {
            if (b->mapped)
                as_region_enable(as, b->mr, false);
            as_region_move(as, b->mr, addr);
            as_region_enable(as, b->mr, true);
            b->mapped = true;
            b->mapped_at = addr;
        } else if (!on && b->mapped) {
            as_region_enable(as, b->mr, false);
            b->mapped = false;
        }
    }
}

static bool pci_bar_args_ok(PciDevice *dev, int idx, PciBarType type, uint64_t size)
{
    if (idx < 0 || idx >= PCI_NUM_BARS || dev->bars[idx].mr)
        return false;
    if (size == 0 || (size & (size - 1)) || size > 0x80000000u)
        return false;
    return type == PCI_BAR_IO ? (size >= 4 && size <= 0x10000) : size >= 16;
}

static void pci_bar_setup(PciDevice *dev, int idx, PciBarType type, uint32_t size)
{
    PciBar *b = &dev->bars[idx];
    b->type = type;
    b->size = size;
    unsigned off = PCI_BASE_ADDRESS_0 + 4 * idx;
    uint32_t lowbits = type == PCI_BAR_IO ? 1u : type == PCI_BAR_MEM_PREFETCH ? 8u : 0u;
    uint32_t mask = ~(size - 1) & (type == PCI_BAR_IO ? ~3u : ~15u);
    pci_set_long(dev, off, lowbits);
    for (int i = 0; i < 4; i++)
        dev->wmask[off + i] = (uint8_t)(mask >> (8 * i));
}

MemRegion *pci_register_bar(PciDevice *dev, int idx, PciBarType type, uint32_t size,
                            const MemRegionOps *ops, void *opaque)
{
    if (!pci_bar_args_ok(dev, idx, type, size))
        return NULL;
    AddressSpace *as = type == PCI_BAR_IO ? dev->bus->io : dev->bus->mem;
    const char *name = dev->info->name ? dev->info->name : "pci-bar";
    MemRegion *mr = as_add_io(as, name, 0, size, ops, opaque, PCI_BAR_PRIORITY);
    if (!mr)
        return NULL;
    as_region_enable(as, mr, false);
    pci_bar_setup(dev, idx, type, size);
    dev->bars[idx].mr = mr;
    dev->bars[idx].own_mr = true;
    return mr;
}

bool pci_register_bar_region(PciDevice *dev, int idx, PciBarType type, MemRegion *mr)
{
    if (!mr || !pci_bar_args_ok(dev, idx, type, mr->size))
        return false;
    AddressSpace *as = type == PCI_BAR_IO ? dev->bus->io : dev->bus->mem;
    as_region_enable(as, mr, false);
    pci_bar_setup(dev, idx, type, (uint32_t)mr->size);
    dev->bars[idx].mr = mr;
    dev->bars[idx].own_mr = false;
    return true;
}

/* ---- devices -------------------------------------------------------------- */

/* Header registers a type-0 function lets software write (PCI 3.0 6.2). */
static void pci_set_default_masks(PciDevice *d)
{
    memset(d->wmask, 0, sizeof(d->wmask));
    memset(d->w1cmask, 0, sizeof(d->w1cmask));
    /* Command: I/O, memory, bus master, parity, SERR, interrupt disable. */
    d->wmask[PCI_COMMAND] = 0x47;
    d->wmask[PCI_COMMAND + 1] = 0x05;
    /* Status: master/target abort, SERR, parity error are write-1-to-clear. */
    d->w1cmask[PCI_STATUS + 1] = 0xf9;
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

PciDevice *pci_register_device(PciBus *bus, int devfn, const PciDeviceInfo *info,
                               void *opaque)
{
    if (devfn < 0 || devfn > 255 || bus->devs[devfn] || !info)
        return NULL;
    PciDevice *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->bus = bus;
    d->devfn = devfn;
    d->info = info;
    d->opaque = opaque;
    pci_set_word(d, PCI_VENDOR_ID, info->vendor_id);
    pci_set_word(d, PCI_DEVICE_ID, info->device_id);
    pci_set_byte(d, PCI_REVISION_ID, info->revision);
    pci_set_byte(d, PCI_CLASS_PROG, (uint8_t)info->class_code);
    pci_set_word(d, PCI_CLASS_DEVICE, (uint16_t)(info->class_code >> 8));
    pci_set_byte(d, PCI_HEADER_TYPE, info->header_type);
    pci_set_word(d, PCI_SUBSYSTEM_VENDOR_ID, info->subsystem_vendor_id);
    pci_set_word(d, PCI_SUBSYSTEM_ID, info->subsystem_id);
    pci_set_byte(d, PCI_INTERRUPT_PIN, info->interrupt_pin);
    pci_set_default_masks(d);
    bus->devs[devfn] = d;
    return d;
}

static void pci_device_reset(PciDevice *d)
{
    pci_set_word(d, PCI_COMMAND, 0);
    uint16_t st = pci_get_word(d, PCI_STATUS);
    st &= (uint16_t)~((d->w1cmask[PCI_STATUS + 1] << 8) | d->w1cmask[PCI_STATUS]);
    pci_set_word(d, PCI_STATUS, st);
    pci_set_byte(d, PCI_CACHE_LINE_SIZE, 0);
    pci_set_byte(d, PCI_LATENCY_TIMER, 0);
    pci_set_byte(d, PCI_INTERRUPT_LINE, 0);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        if (d->bars[i].mr) {
            PciBarType t = d->bars[i].type;
            pci_set_long(d, PCI_BASE_ADDRESS_0 + 4 * i,
                         t == PCI_BAR_IO ? 1u : t == PCI_BAR_MEM_PREFETCH ? 8u : 0u);
        }
    }
    pci_update_mappings(d);
    d->irq_level = 0;
    pci_update_irq(d);
    if (d->info->reset)
        d->info->reset(d->opaque, d);
}

void pci_bus_reset(PciBus *bus)
{
    bus->conf_addr = 0;
    for (int i = 0; i < 256; i++)
        if (bus->devs[i])
            pci_device_reset(bus->devs[i]);
}

uint32_t pci_config_read(PciBus *bus, int devfn, unsigned addr, unsigned size)
{
    uint32_t ones = size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
    if (devfn < 0 || devfn > 255 || size == 0 || size > 4 || addr + size > PCI_CONFIG_SIZE)
        return ones;
    PciDevice *d = pci_claimed(bus, devfn);
    if (!d)
        return ones;
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    if (d->info->config_read)
        v = d->info->config_read(d->opaque, d, addr, size, v) & ones;
    return v;
}

void pci_config_write(PciBus *bus, int devfn, unsigned addr, uint32_t val, unsigned size)
{
    if (devfn < 0 || devfn > 255 || size == 0 || size > 4 || addr + size > PCI_CONFIG_SIZE)
        return;
    PciDevice *d = pci_claimed(bus, devfn);
    if (!d)
        return;
    for (unsigned i = 0; i < size; i++) {
        unsigned a = addr + i;
        uint8_t b = (uint8_t)(val >> (8 * i));
        d->config[a] = (uint8_t)((d->config[a] & ~d->wmask[a]) | (b & d->wmask[a]));
        d->config[a] &= (uint8_t)~(b & d->w1cmask[a]);
    }
    bool cmd = addr < PCI_COMMAND + 2 && addr + size > PCI_COMMAND;
    bool bars = addr < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS && addr + size > PCI_BASE_ADDRESS_0;
    if (cmd || bars)
        pci_update_mappings(d);
    if (cmd)
        pci_update_irq(d);
    if (d->info->config_write)
        d->info->config_write(d->opaque, d, addr, val, size);
}

/* ---- DMA ------------------------------------------------------------------ */

bool pci_dma_rw(PciDevice *dev, uint64_t addr, void *buf, uint64_t len, bool is_write)
{
    if (!(pci_get_word(dev, PCI_COMMAND) & PCI_COMMAND_MASTER))
        return false;
    if (len == 0)
        return true;
    if (addr + len < addr)
        return false;
    AddressSpace *as = dev->bus->mem;
    /* Check the whole range first so a bad buffer leaves memory untouched. */
    for (uint64_t a = addr, left = len; left;) {
        uint64_t off;
        MemRegion *mr = as_lookup(as, a, &off);
        if (!mr || !(mr->kind == MR_RAM || (!is_write && mr->kind == MR_ROM)))
            return false;
        uint64_t n = as_range_remaining(as, a);
        if (n == 0)
            return false;
        if (n > left)
            n = left;
        a += n;
        left -= n;
    }
    return as_rw(as, addr, buf, len, is_write);
}
