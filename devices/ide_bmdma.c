/*
 * PIIX3 bus-master IDE (82371SB datasheet 2.7: BMICOM, BMISTA, BMIDTP per
 * channel behind BAR4; 3.x bus master IDE operation) and the PCI function
 * 00:01.1 that carries it.
 *
 * A DMA command waits until the driver sets the start bit, then moves the
 * whole transfer at once through the Physical Region Descriptor table: each
 * 8-byte entry holds a buffer address (bit 0 ignored), a byte count
 * (bits 15:1, 0 = 64 KiB) and EOT in bit 31 of the second dword. Every
 * descriptor fetch and buffer access goes through pci_dma_rw, which fails
 * for anything outside RAM; that sets the error bit and stops the engine.
 * Interrupt/active bits end as the datasheet's BMISTA table says: both
 * cleared-active-and-interrupt when the table ran out exactly, active still
 * set when the table was longer than the transfer, active cleared without
 * interrupt when it was shorter.
 */
#include "devices/ide_internal.h"

#include <stdlib.h>

/* Upper bound on descriptors per transfer: a table may not cross 64 KiB. */
#define PRD_MAX_ENTRIES (65536 / 8)

void ide_bm_rewind(IdeChannel *ch)
{
    ch->prd_next = ch->bm_prd;
    ch->prd_left = 0;
    ch->prd_eot = false;
    ch->prd_count = 0;
}

static bool ide_dma_rw(IdeChannel *ch, uint64_t addr, void *buf, uint32_t len, bool to_mem)
{
    PciDevice *pci = ch->ide->pci;
    return pci && pci_dma_rw(pci, addr, buf, len, to_mem);
}

BmResult ide_bm_transfer(IdeChannel *ch, void *buf, uint32_t len, bool to_mem)
{
    uint8_t *p = buf;
    while (len) {
        if (ch->prd_left == 0) {
            if (ch->prd_eot) {
                ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
                return BM_SHORT;
            }
            uint8_t e[8];
            if (ch->prd_count >= PRD_MAX_ENTRIES || !ide_dma_rw(ch, ch->prd_next, e, 8, false)) {
                log_printf(ch->ide->log, LOG_guest_errors,
                           "ide%d: bad PRD table at 0x%llx\n", ch->index,
                           (unsigned long long)ch->prd_next);
                return BM_ERROR;
            }
            uint32_t addr = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
                            (uint32_t)e[3] << 24;
            uint32_t count = ((uint32_t)e[4] | (uint32_t)e[5] << 8) & 0xfffe;
            ch->prd_addr = addr & ~1u;
            ch->prd_left = count ? count : 0x10000;
            ch->prd_eot = e[7] & 0x80;
            ch->prd_next += 8;
            ch->prd_count++;
        }
        uint32_t n = len < ch->prd_left ? len : ch->prd_left;
        if (!ide_dma_rw(ch, ch->prd_addr, p, n, to_mem)) {
            log_printf(ch->ide->log, LOG_guest_errors,
                       "ide%d: DMA buffer 0x%llx+%u outside RAM\n", ch->index,
                       (unsigned long long)ch->prd_addr, n);
            return BM_ERROR;
        }
        ch->prd_addr += n;
        ch->prd_left -= n;
        p += n;
        len -= n;
    }
    return BM_OK;
}

void ide_bm_complete(IdeChannel *ch)
{
    if (ch->prd_left == 0 && ch->prd_eot)
        ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
}

void ide_bm_fail(IdeChannel *ch)
{
    ch->bm_status |= BM_ST_ERROR;
    ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
}

void ide_bm_kick(IdeChannel *ch)
{
    IdeDrive *d = &ch->drives[ch->cur];
    if (!(ch->bm_cmd & BM_CMD_START) || !d->dma_pending)
        return;
    if (d->kind == IDE_KIND_CDROM)
        atapi_dma_run(d);
    else
        ide_disk_dma_run(d);
}

/* ---- BAR4 registers ---------------------------------------------------------- */

static uint8_t bm_read_byte(IdeController *ide, unsigned off)
{
    IdeChannel *ch = &ide->ch[(off >> 3) & 1];
    switch (off & 7) {
    case 0: return ch->bm_cmd;
    case 2: return ch->bm_status;
    case 4: case 5: case 6: case 7:
        return (uint8_t)(ch->bm_prd >> (8 * ((off & 7) - 4)));
    }
    return 0;
}

static void bm_write_byte(IdeController *ide, unsigned off, uint8_t v)
{
    IdeChannel *ch = &ide->ch[(off >> 3) & 1];
    switch (off & 7) {
    case 0: {
        uint8_t old = ch->bm_cmd;
        ch->bm_cmd = v & (BM_CMD_START | BM_CMD_READ);
        if (!(old & BM_CMD_START) && (v & BM_CMD_START)) {
            ch->bm_status |= BM_ST_ACTIVE;
            ide_bm_rewind(ch);
            ide_bm_kick(ch);
        } else if ((old & BM_CMD_START) && !(v & BM_CMD_START)) {
            ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;   /* stop: transfer abandoned */
        }
        break;
    }
    case 2:
        /* Error and interrupt are write-1-to-clear; DMA-capable bits R/W. */
        ch->bm_status = (uint8_t)((ch->bm_status & ~(v & (BM_ST_ERROR | BM_ST_INT)) &
                                   ~BM_ST_DMA_CAP) | (v & BM_ST_DMA_CAP));
        break;
    case 4: case 5: case 6: case 7: {
        unsigned sh = 8 * ((off & 7) - 4);
        ch->bm_prd = (ch->bm_prd & ~(0xffu << sh)) | (uint32_t)v << sh;
        ch->bm_prd &= ~3u;               /* dword aligned */
        break;
    }
    }
}

static uint64_t bm_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)bm_read_byte(opaque, (unsigned)(off + i) & 15) << (8 * i);
    return v;
}

static void bm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        bm_write_byte(opaque, (unsigned)(off + i) & 15, (uint8_t)(val >> (8 * i)));
}

static const MemRegionOps bm_ops = {
    .read = bm_read,
    .write = bm_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- PCI function 8086:7010 --------------------------------------------------- */

static void piix_ide_pci_reset(void *opaque, PciDevice *dev)
{
    (void)opaque;
    for (unsigned a = 0x40; a < 0x45; a++)   /* IDETIM, SIDETIM */
        pci_set_byte(dev, a, 0);
}

static const PciDeviceInfo piix_ide_info = {
    .name = "piix3-ide",
    .vendor_id = 0x8086,
    .device_id = 0x7010,
    .revision = 0,
    .class_code = 0x010180,              /* IDE, legacy mode, bus master */
    .reset = piix_ide_pci_reset,
};

PciDevice *piix_ide_create(IdeController *ide, PciBus *bus, int devfn)
{
    PciDevice *dev = pci_register_device(bus, devfn, &piix_ide_info, ide);
    if (!dev)
        return NULL;
    for (unsigned a = 0x40; a < 0x45; a++)
        dev->wmask[a] = 0xff;
    pci_set_word(dev, PCI_STATUS, 0x0280); /* fast back-to-back, medium DEVSEL */
    ide->bm_mr = pci_register_bar(dev, 4, PCI_BAR_IO, 16, &bm_ops, ide);
    ide->pci = dev;
    return dev;
}
