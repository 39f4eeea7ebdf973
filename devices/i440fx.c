/*
 * i440FX host bridge (see i440fx.h).
 *
 * PAM (82441FX datasheet 3.2.18): 0xF0000-0xFFFFF is controlled by PAM0
 * bits 5:4, and 0xC0000-0xEFFFF by twelve 16 KiB segments, two per
 * register PAM1..PAM6 (low nibble, then high nibble). Per segment bit 0
 * (RE) sends reads to DRAM and bit 1 (WE) sends writes to DRAM; a cleared
 * bit sends the access to PCI, i.e. to whatever ROM the board mapped there
 * (or nothing). SeaBIOS sets every segment to 11b, copies itself from the
 * ROM alias below 4 GiB into the RAM, then sets the code segments to 01b
 * (read-only DRAM).
 *
 * Each segment has two regions above RAM and ROM:
 *   - an alias of the RAM backing (RE=1): read-write for 11b, read-only
 *     for 01b;
 *   - a "PCI" region of callbacks (RE=0) that reads the ROM bytes (or all
 *     ones) and drops writes (00b) or sends them to DRAM (10b). For 00b on
 *     a segment fully covered by a ROM it stays off so the ROM itself shows
 *     and code runs from it directly.
 */
#include "devices/i440fx.h"

#include <stdlib.h>
#include <string.h>

#define PAM_NSEG 13
#define I440FX_PAM0 0x59
#define I440FX_SMRAM 0x72
#define SMRAM_D_OPEN 0x40
#define SMRAM_D_LCK 0x10

typedef struct PamSegment {
    struct I440fxState *s;
    uint64_t base, size;
    MemRegion *alias;   /* RAM view */
    MemRegion *pci;     /* ROM/unassigned reads, dropped or DRAM writes */
    int mode;           /* current 2-bit PAM value */
    bool rom_covered;
} PamSegment;

struct I440fxState {
    I440fxConfig cfg;
    PciDevice *dev;
    PamSegment seg[PAM_NSEG];
};

/* Segment i: 0 = 0xF0000 (PAM0 high nibble), 1..12 = 0xC0000 + 16 KiB steps. */
static void pam_seg_reg(int i, unsigned *reg, unsigned *shift)
{
    if (i == 0) {
        *reg = I440FX_PAM0;
        *shift = 4;
    } else {
        *reg = I440FX_PAM0 + 1 + (unsigned)(i - 1) / 2;
        *shift = ((unsigned)(i - 1) & 1) * 4;
    }
}

static const MemRegion *pam_rom_at(const I440fxState *s, uint64_t addr)
{
    for (int i = 0; i < s->cfg.nroms; i++) {
        const MemRegion *r = s->cfg.roms[i];
        if (r && r->host && addr >= r->base && addr - r->base < r->size)
            return r;
    }
    return NULL;
}

static uint64_t pam_pci_read(void *opaque, uint64_t off, unsigned size)
{
    PamSegment *g = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = g->base + off + i;
        const MemRegion *r = pam_rom_at(g->s, a);
        uint8_t b = r ? r->host[a - r->base] : 0xff;
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void pam_pci_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PamSegment *g = opaque;
    if (!(g->mode & 2))
        return;                           /* WE=0: the write goes to PCI, i.e. nowhere */
    MemRegion *ram = g->s->cfg.ram;
    for (unsigned i = 0; i < size && off + i < g->size; i++)
        ram->host[g->base + off + i] = (uint8_t)(val >> (8 * i));
}

static const MemRegionOps pam_pci_ops = {
    .read = pam_pci_read,
    .write = pam_pci_write,
    .min_access = 1,
    .max_access = 8,
};

static void pam_apply(I440fxState *s, PamSegment *g, int mode)
{
    AddressSpace *as = s->cfg.mem;
    g->mode = mode;
    bool ram_view = mode & 1;
    if (ram_view)
        as_region_set_readonly(as, g->alias, !(mode & 2));
    as_region_enable(as, g->alias, ram_view);
    as_region_enable(as, g->pci, !ram_view && (mode == 2 || !g->rom_covered));
}

static void pam_update(I440fxState *s)
{
    for (int i = 0; i < PAM_NSEG; i++) {
        unsigned reg, shift;
        pam_seg_reg(i, &reg, &shift);
        int mode = (pci_get_byte(s->dev, reg) >> shift) & 3;
        if (mode != s->seg[i].mode)
            pam_apply(s, &s->seg[i], mode);
    }
}

static void i440fx_config_write(void *opaque, PciDevice *dev, unsigned addr,
                                uint32_t val, unsigned size)
{
    I440fxState *s = opaque;
    (void)val;
    if (addr < I440FX_PAM0 + 7 && addr + size > I440FX_PAM0)
        pam_update(s);
    if (addr <= I440FX_SMRAM && addr + size > I440FX_SMRAM) {
        /* D_LCK makes D_OPEN zero and read-only until reset (3.2.24). */
        if (pci_get_byte(dev, I440FX_SMRAM) & SMRAM_D_LCK) {
            pci_set_byte(dev, I440FX_SMRAM,
                         (uint8_t)(pci_get_byte(dev, I440FX_SMRAM) & ~SMRAM_D_OPEN));
            dev->wmask[I440FX_SMRAM] &= (uint8_t)~(SMRAM_D_OPEN | SMRAM_D_LCK);
        }
    }
}

static void i440fx_set_defaults(I440fxState *s, PciDevice *dev)
{
    for (unsigned a = 0x50; a < 0x80; a++)
        pci_set_byte(dev, a, 0);
    pci_set_byte(dev, I440FX_SMRAM, 0x02);
    dev->wmask[I440FX_SMRAM] = 0x78;     /* D_OPEN, D_CLS, D_LCK, G_SMRAME */
    for (int i = 0; i < PAM_NSEG; i++)
        s->seg[i].mode = -1;
    pam_update(s);
}

static void i440fx_reset(void *opaque, PciDevice *dev)
{
    i440fx_set_defaults(opaque, dev);
}

static const PciDeviceInfo i440fx_info = {
    .name = "i440fx",
    .vendor_id = 0x8086,
    .device_id = 0x1237,
    .revision = 0x02,
    .class_code = 0x060000,              /* host bridge */
    .config_write = i440fx_config_write,
    .reset = i440fx_reset,
};

I440fxState *i440fx_create(PciBus *bus, const I440fxConfig *cfg)
{
    if (!cfg->ram || !cfg->ram->host || cfg->ram->base != 0 || cfg->ram->size < 0x100000 ||
        cfg->nroms < 0 || cfg->nroms > I440FX_MAX_ROMS)
        return NULL;
    I440fxState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cfg = *cfg;
    s->dev = pci_register_device(bus, 0, &i440fx_info, s);
    if (!s->dev) {
        free(s);
        return NULL;
    }
    PciDevice *dev = s->dev;
    pci_set_word(dev, PCI_STATUS, 0x0280);
    /* Configuration registers the BIOS may program (DRAM timing, DRB...). */
    for (unsigned a = 0x50; a < 0x80; a++)
        dev->wmask[a] = 0xff;
    dev->wmask[I440FX_PAM0] = 0x30;
    for (unsigned a = I440FX_PAM0 + 1; a < I440FX_PAM0 + 7; a++)
        dev->wmask[a] = 0x33;
    for (int i = 0; i < PAM_NSEG; i++) {
        PamSegment *g = &s->seg[i];
        g->s = s;
        g->base = i == 0 ? 0xf0000 : 0xc0000 + (uint64_t)(i - 1) * 0x4000;
        g->size = i == 0 ? 0x10000 : 0x4000;
        const MemRegion *r = pam_rom_at(s, g->base);
        g->rom_covered = r && g->base + g->size <= r->base + r->size;
        g->alias = as_add_ram(cfg->mem, "pam-ram", g->base, g->size,
                              cfg->ram->host + g->base, cfg->priority);
        g->pci = as_add_io(cfg->mem, "pam-pci", g->base, g->size, &pam_pci_ops, g,
                           cfg->priority);
        as_region_enable(cfg->mem, g->alias, false);
        as_region_enable(cfg->mem, g->pci, false);
    }
    i440fx_set_defaults(s, dev);
    return s;
}

static void i440fx_destroy_cb(void *dev) { i440fx_destroy(dev); }

const DeviceClass i440fx_device_class = {
    .name = "i440fx",
    .state_size = sizeof(I440fxState),
    .destroy = i440fx_destroy_cb,
};

void i440fx_destroy(I440fxState *s)
{
    if (!s)
        return;
    for (int i = 0; i < PAM_NSEG; i++) {
        as_remove(s->cfg.mem, s->seg[i].alias);
        as_remove(s->cfg.mem, s->seg[i].pci);
    }
    free(s);
}
