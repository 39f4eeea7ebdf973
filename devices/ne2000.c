/*
 * NE2000 / RTL8029 Ethernet model: the DP8390D NIC core after National
 * Semiconductor's "DP8390D/NS32490D NIC Network Interface Controller"
 * datasheet (July 1995). Sections: 7.0 packet reception (buffer ring,
 * storage format, address recognition), 8.0 packet transmission, 9.0
 * remote DMA, 10.0 internal registers (register map per page, CR, ISR,
 * IMR, DCR, TCR, TSR, RCR, RSR).
 *
 * Memory the remote DMA sees (a 16-bit NE2000 in 16 KiB mode):
 *   0x0000-0x001f  station address PROM, every byte doubled (the 8-bit
 *                  PROM sits on a 16-bit bus): MAC[0..5], ..., 'W' 'W'
 *                  at PROM bytes 14-15 (the NE2000 signature drivers test);
 *   0x4000-0x7fff  buffer RAM (pages 0x40-0x7f); anything else reads 0xff
 *                  and ignores writes.
 * As in QEMU, received frames are padded to 60 bytes and stored without
 * the 4 CRC bytes; the receive byte count includes the 4-byte header.
 * Transmission is immediate, so TXP clears at once.
 */
#include "devices/ne2000.h"

#include <stdlib.h>
#include <string.h>

#define NE2K_MIN_FRAME 60        /* without CRC */
#define NE2K_MAX_FRAME 1518
#define NE2K_PAGE 256

static void ne2k_update_irq(Ne2000 *s)
{
    /* ISR.RST does not interrupt (10.0, ISR bit 7). */
    int level = (s->isr & s->imr & 0x7f) != 0;
    if (s->pci)
        pci_set_irq(s->pci, level);
    else if (level != s->irq_level)
        irq_set(&s->irq, level);
    s->irq_level = level;
}

static uint8_t ne2k_mem_readb(const Ne2000 *s, uint32_t addr)
{
    if (addr < NE2K_PROM_SIZE)
        return s->prom[addr];
    if (addr >= NE2K_RAM_START && addr < NE2K_MEM_SIZE)
        return s->mem[addr];
    return 0xff;
}

static void ne2k_mem_writeb(Ne2000 *s, uint32_t addr, uint8_t v)
{
    if (addr >= NE2K_RAM_START && addr < NE2K_MEM_SIZE)
        s->mem[addr] = v;
}

/* The ring is usable if PSTART < PSTOP and both lie in buffer RAM, and
 * CURR is inside it (7.0 "initialization of the buffer ring"). */
static bool ne2k_ring_valid(const Ne2000 *s)
{
    return s->pstart >= NE2K_RAM_START / NE2K_PAGE && s->pstop <= NE2K_MEM_SIZE / NE2K_PAGE &&
           s->pstart < s->pstop && s->curr >= s->pstart && s->curr < s->pstop;
}

/* Free pages between CURR and BNRY (the ring is empty when CURR catches
 * BNRY from behind; a write may never reach the BNRY page). The chip only
 * compares the next page against BNRY, so a BNRY outside the ring never
 * stops reception; drivers rely on that: Linux's 8390 driver writes
 * BNRY = next frame - 1, which is PSTART - 1 when the next frame is at
 * PSTART. Such a BNRY counts as the page before PSTART in ring order,
 * PSTOP - 1. */
static unsigned ne2k_ring_free_pages(const Ne2000 *s)
{
    unsigned size = (unsigned)(s->pstop - s->pstart);
    unsigned bnry = s->bnry;
    if (bnry < s->pstart || bnry >= s->pstop)
        bnry = s->pstop - 1u;
    if (bnry <= s->curr)
        return size - (unsigned)(s->curr - bnry);
    return bnry - (unsigned)s->curr;
}

/* ---- reception (7.0) ---- */

uint32_t ne2000_mcast_crc(const uint8_t *addr)
{
    /* IEEE 802.3 CRC-32, bits fed LSB first into an MSB-first register. */
    uint32_t crc = 0xffffffffu;
    for (int i = 0; i < NET_MAC_LEN; i++) {
        uint8_t b = addr[i];
        for (int bit = 0; bit < 8; bit++, b >>= 1) {
            uint32_t top = crc >> 31;
            crc <<= 1;
            if (top ^ (b & 1))
                crc ^= 0x04c11db7u;
        }
    }
    return crc;
}

/* Address recognition (7.0): physical match against PAR0-5, broadcast if
 * RCR.AB, multicast if RCR.AM and the hash bit in MAR0-7 is set,
 * everything in promiscuous mode (RCR.PRO). */
static bool ne2k_accept(const Ne2000 *s, const uint8_t *dst)
{
    static const uint8_t bcast[NET_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (s->rcr & NE2K_RCR_PRO)
        return true;
    if (!memcmp(dst, bcast, NET_MAC_LEN))
        return (s->rcr & NE2K_RCR_AB) != 0;
    if (dst[0] & 1) {
        if (!(s->rcr & NE2K_RCR_AM))
            return false;
        unsigned idx = ne2000_mcast_crc(dst) >> 26;
        return (s->mar[idx >> 3] >> (idx & 7)) & 1;
    }
    return !memcmp(dst, s->par, NET_MAC_LEN);
}

static bool ne2k_can_receive(void *opaque)
{
    Ne2000 *s = opaque;
    /* Stopped: frames are dropped, not queued. */
    if (s->cr & NE2K_CR_STP)
        return true;
    if (!ne2k_ring_valid(s))
        return true;
    unsigned need = (NE2K_MAX_FRAME + 4 + NE2K_PAGE - 1) / NE2K_PAGE;
    return ne2k_ring_free_pages(s) > need;
}

static void ne2k_receive(void *opaque, const uint8_t *frame, size_t len)
{
    Ne2000 *s = opaque;
    if ((s->cr & NE2K_CR_STP) || len < NET_MAC_LEN)
        return;
    if (len > NE2K_MAX_FRAME) {
        log_printf(s->log, LOG_guest_errors, "ne2000: dropping %zu-byte frame\n", len);
        return;
    }
    if (!ne2k_accept(s, frame))
        return;
    if (!ne2k_ring_valid(s)) {
        log_printf(s->log, LOG_guest_errors,
                   "ne2000: bad receive ring PSTART=%02x PSTOP=%02x CURR=%02x\n", s->pstart,
                   s->pstop, s->curr);
        s->cntr[2]++;
        return;
    }
    size_t data_len = len < NE2K_MIN_FRAME ? NE2K_MIN_FRAME : len;
    unsigned total = (unsigned)data_len + 4;
    unsigned pages = (total + NE2K_PAGE - 1) / NE2K_PAGE;
    if (pages >= ne2k_ring_free_pages(s)) {
        /* Ring overflow (7.0): the frame is lost, counted as missed. */
        s->isr |= NE2K_ISR_OVW;
        s->rsr |= NE2K_RSR_MPA;
        s->cntr[2]++;
        ne2k_update_irq(s);
        return;
    }
    unsigned next = s->curr + pages;
    if (next >= s->pstop)
        next -= (unsigned)(s->pstop - s->pstart);
    uint8_t rsr = NE2K_RSR_PRX | ((frame[0] & 1) ? NE2K_RSR_PHY : 0);
    /* Storage format (7.0): status, next page, byte count low/high. */
    uint8_t hdr[4] = { rsr, (uint8_t)next, (uint8_t)total, (uint8_t)(total >> 8) };
    uint32_t addr = (uint32_t)s->curr * NE2K_PAGE;
    uint32_t ring_end = (uint32_t)s->pstop * NE2K_PAGE;
    uint32_t ring_start = (uint32_t)s->pstart * NE2K_PAGE;
    for (unsigned i = 0; i < total; i++) {
        uint8_t b = i < 4 ? hdr[i] : (i - 4 < len ? frame[i - 4] : 0);
        ne2k_mem_writeb(s, addr, b);
        if (++addr >= ring_end)
            addr = ring_start;
    }
    s->curr = (uint8_t)next;
    s->rsr = rsr;
    s->isr |= NE2K_ISR_PRX;
    ne2k_update_irq(s);
}

/* Take the frames the link held back while the ring had no room, once
 * the driver has seen every frame it was told about (ISR.PRX clear) and
 * the NIC runs. Frames stored while PRX is still set can be hidden by the
 * driver's acknowledge: Linux's 8390 driver reads at most 9 frames per
 * interrupt, then clears PRX, and with a full ring no later frame would
 * raise PRX again. If the ring still has no room then, the next frame on
 * the wire arrives anyway and overflows it (7.0 "Buffer Ring Overflow":
 * ISR.OVW, the frame is lost), which makes the driver empty the ring. */
static void ne2k_take_queued(Ne2000 *s)
{
    if (!s->nd || (s->isr & NE2K_ISR_PRX) || (s->cr & NE2K_CR_STP))
        return;
    netdev_flush(s->nd);
    if (netdev_queued(s->nd) && !(s->isr & (NE2K_ISR_PRX | NE2K_ISR_OVW)) && ne2k_ring_valid(s) &&
        !ne2k_can_receive(s))
        netdev_deliver_head(s->nd);
}

static const NetNicOps ne2k_nic_ops = {
    .can_receive = ne2k_can_receive,
    .receive = ne2k_receive,
};

/* ---- transmission (8.0) ---- */

static void ne2k_transmit(Ne2000 *s)
{
    uint32_t start = (uint32_t)s->tpsr * NE2K_PAGE;
    unsigned len = s->tbcr;
    if (start < NE2K_RAM_START || start + len > NE2K_MEM_SIZE || len == 0 ||
        len > NE2K_MAX_FRAME) {
        log_printf(s->log, LOG_guest_errors, "ne2000: bad transmit TPSR=%02x TBCR=%u\n", s->tpsr,
                   len);
        s->tsr = 0;
        s->isr |= NE2K_ISR_TXE;
        ne2k_update_irq(s);
        return;
    }
    uint8_t frame[NE2K_MAX_FRAME];
    memcpy(frame, &s->mem[start], len);
    s->tsr = NE2K_TSR_PTX;
    s->isr |= NE2K_ISR_PTX;
    s->cr &= (uint8_t)~NE2K_CR_TXP;
    if (s->tcr & NE2K_TCR_LB_MASK) {
        /* Loopback modes (12.0): the frame comes back to the receiver. */
        ne2k_receive(s, frame, len);
    } else if (s->nd) {
        netdev_send(s->nd, frame, len);
    }
    ne2k_update_irq(s);
}

/* ---- remote DMA (9.0) ---- */

static void ne2k_dma_advance(Ne2000 *s, unsigned n)
{
    s->rsar = (uint16_t)(s->rsar + n);
    /* Remote reads of received packets wrap at the ring end like the
     * local DMA does. */
    if (s->pstop > s->pstart && s->rsar == (uint16_t)(s->pstop * NE2K_PAGE))
        s->rsar = (uint16_t)(s->pstart * NE2K_PAGE);
    if (s->rbcr <= n) {
        if (s->rbcr)
            s->isr |= NE2K_ISR_RDC;
        s->rbcr = 0;
    } else {
        s->rbcr = (uint16_t)(s->rbcr - n);
    }
    ne2k_update_irq(s);
}

/* One data-port transfer of size bytes: a byte in byte mode (DCR.WTS=0),
 * a word in word mode; a 32-bit access moves two words. */
static uint32_t ne2k_data_read(Ne2000 *s, unsigned size)
{
    uint32_t v = 0;
    unsigned n = size == 4 ? 4 : (s->dcr & NE2K_DCR_WTS) ? 2 : 1;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)ne2k_mem_readb(s, (uint16_t)(s->rsar + i)) << (8 * i);
    ne2k_dma_advance(s, n);
    return v;
}

static void ne2k_data_write(Ne2000 *s, uint32_t v, unsigned size)
{
    unsigned n = size == 4 ? 4 : (s->dcr & NE2K_DCR_WTS) ? 2 : 1;
    for (unsigned i = 0; i < n; i++)
        ne2k_mem_writeb(s, (uint16_t)(s->rsar + i), (uint8_t)(v >> (8 * i)));
    ne2k_dma_advance(s, n);
}

/* ---- registers (10.0) ---- */

static void ne2k_write_cr(Ne2000 *s, uint8_t v)
{
    if (v & NE2K_CR_STP) {
        s->isr |= NE2K_ISR_RST;
    } else if (v & NE2K_CR_STA) {
        s->isr &= (uint8_t)~NE2K_ISR_RST;
        /* Remote read/write with a zero byte count completes at once. */
        unsigned rd = v & NE2K_CR_RD_MASK;
        if ((rd == NE2K_CR_RD_READ || rd == NE2K_CR_RD_WRITE) && s->rbcr == 0)
            s->isr |= NE2K_ISR_RDC;
        if (rd == NE2K_CR_RD_SEND)
            log_printf(s->log, LOG_unimp, "ne2000: Send Packet command\n");
    }
    /* Transmission is immediate, so TXP never reads back as set. */
    bool was_stopped = s->cr & NE2K_CR_STP;
    s->cr = (uint8_t)(v & ~NE2K_CR_TXP);
    if ((v & NE2K_CR_TXP) && !(s->cr & NE2K_CR_STP))
        ne2k_transmit(s);
    ne2k_update_irq(s);
    if (was_stopped && !(s->cr & NE2K_CR_STP))
        ne2k_take_queued(s);
}

static uint8_t ne2k_reg_read(Ne2000 *s, unsigned r)
{
    unsigned page = s->cr >> 6;
    if (r == NE2K_CR)
        return s->cr;
    if (page == 0) {
        switch (r) {
        case NE2K_BNRY: return s->bnry;
        case NE2K_TSR: return s->tsr;
        case NE2K_ISR: return s->isr;
        case NE2K_CRDA0: return (uint8_t)s->rsar;
        case NE2K_CRDA1: return (uint8_t)(s->rsar >> 8);
        /* RTL8029 ID bytes in place of the reserved registers 0x0a/0x0b. */
        case NE2K_RBCR0: return s->pci ? 0x50 : 0xff;
        case NE2K_RBCR1: return s->pci ? 0x43 : 0xff;
        case NE2K_RSR: return s->rsr;
        case NE2K_CNTR0: case NE2K_CNTR1: case NE2K_CNTR2: {
            /* Tally counters clear when read (10.0). */
            uint8_t v = s->cntr[r - NE2K_CNTR0];
            s->cntr[r - NE2K_CNTR0] = 0;
            return v;
        }
        default: return 0;
        }
    }
    if (page == 1) {
        if (r >= NE2K_PAR0 && r < NE2K_PAR0 + NET_MAC_LEN)
            return s->par[r - NE2K_PAR0];
        if (r == NE2K_CURR)
            return s->curr;
        return s->mar[r - NE2K_MAR0];
    }
    if (page == 2) {
        switch (r) {
        case NE2K_PSTART: return s->pstart;
        case NE2K_PSTOP: return s->pstop;
        case NE2K_TPSR: return s->tpsr;
        case NE2K_RCR: return s->rcr;
        case NE2K_TCR: return s->tcr;
        case NE2K_DCR: return s->dcr;
        case NE2K_IMR: return s->imr;
        default: return 0;
        }
    }
    return 0; /* page 3: RTL8029 configuration, nothing to configure */
}

static void ne2k_reg_write(Ne2000 *s, unsigned r, uint8_t v)
{
    unsigned page = s->cr >> 6;
    if (r == NE2K_CR) {
        ne2k_write_cr(s, v);
        return;
    }
    if (page == 0) {
        switch (r) {
        case NE2K_PSTART: s->pstart = v; break;
        case NE2K_PSTOP: s->pstop = v; break;
        case NE2K_BNRY:
            s->bnry = v;
            ne2k_take_queued(s);       /* the host freed ring pages */
            break;
        case NE2K_TPSR: s->tpsr = v; break;
        case NE2K_TBCR0: s->tbcr = (uint16_t)((s->tbcr & 0xff00) | v); break;
        case NE2K_TBCR1: s->tbcr = (uint16_t)((s->tbcr & 0x00ff) | v << 8); break;
        case NE2K_ISR:
            s->isr &= (uint8_t)~(v & 0x7f); /* write 1 to clear; RST is read-only */
            ne2k_update_irq(s);
            ne2k_take_queued(s);
            break;
        case NE2K_RSAR0: s->rsar = (uint16_t)((s->rsar & 0xff00) | v); break;
        case NE2K_RSAR1: s->rsar = (uint16_t)((s->rsar & 0x00ff) | v << 8); break;
        case NE2K_RBCR0: s->rbcr = (uint16_t)((s->rbcr & 0xff00) | v); break;
        case NE2K_RBCR1: s->rbcr = (uint16_t)((s->rbcr & 0x00ff) | v << 8); break;
        case NE2K_RCR: s->rcr = v & 0x3f; break;
        case NE2K_TCR: s->tcr = v & 0x1f; break;
        case NE2K_DCR: s->dcr = v & 0x7f; break;
        case NE2K_IMR:
            s->imr = v & 0x7f;
            ne2k_update_irq(s);
            break;
        }
        return;
    }
    if (page == 1) {
        if (r >= NE2K_PAR0 && r < NE2K_PAR0 + NET_MAC_LEN)
            s->par[r - NE2K_PAR0] = v;
        else if (r == NE2K_CURR)
            s->curr = v;
        else
            s->mar[r - NE2K_MAR0] = v;
        return;
    }
    /* Pages 2 and 3 are read-only diagnostics / RTL8029 config here. */
    log_printf(s->log, LOG_unimp, "ne2000: write %02x to page %u register %x\n", v, page, r);
}

uint32_t ne2000_io_read(Ne2000 *s, unsigned off, unsigned size)
{
    off &= NE2K_IO_SIZE - 1;
    if (off >= NE2K_DATA_PORT && off < NE2K_RESET_PORT)
        return ne2k_data_read(s, size);
    if (off == NE2K_RESET_PORT) {
        /* Reading the reset port resets the card (NE2000 ASIC). */
        ne2000_reset(s);
        return 0;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size && off + i < NE2K_DATA_PORT; i++)
        v |= (uint32_t)ne2k_reg_read(s, off + i) << (8 * i);
    return v;
}

void ne2000_io_write(Ne2000 *s, unsigned off, uint32_t val, unsigned size)
{
    off &= NE2K_IO_SIZE - 1;
    if (off >= NE2K_DATA_PORT && off < NE2K_RESET_PORT) {
        ne2k_data_write(s, val, size);
        return;
    }
    if (off == NE2K_RESET_PORT)
        return;
    for (unsigned i = 0; i < size && off + i < NE2K_DATA_PORT; i++)
        ne2k_reg_write(s, off + i, (uint8_t)(val >> (8 * i)));
}

static uint64_t ne2k_mr_read(void *opaque, uint64_t off, unsigned size)
{
    return ne2000_io_read(opaque, (unsigned)off, size);
}

static void ne2k_mr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    ne2000_io_write(opaque, (unsigned)off, (uint32_t)val, size);
}

static const MemRegionOps ne2k_ops = {
    .read = ne2k_mr_read,
    .write = ne2k_mr_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- life cycle ---- */

void ne2000_reset(Ne2000 *s)
{
    /* 10.0: after reset the NIC is stopped (CR = STP, remote DMA aborted)
     * and ISR.RST is set; interrupts are masked. */
    s->cr = NE2K_CR_STP | NE2K_CR_RD_ABORT;
    s->isr = NE2K_ISR_RST;
    s->imr = 0;
    s->dcr = 0;
    s->tcr = 0;
    s->rcr = 0;
    s->rbcr = 0;
    ne2k_update_irq(s);
}

static Ne2000 *ne2k_new(NetDev *nd, const uint8_t mac[NET_MAC_LEN], Log *log)
{
    Ne2000 *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->nd = nd;
    s->log = log;
    /* PROM bytes 0-5: station address; 14-15: 0x57 ('W'), each doubled. */
    uint8_t prom[NE2K_PROM_SIZE / 2] = { 0 };
    memcpy(prom, mac, NET_MAC_LEN);
    prom[14] = prom[15] = 0x57;
    for (int i = 0; i < NE2K_PROM_SIZE / 2; i++)
        s->prom[2 * i] = s->prom[2 * i + 1] = prom[i];
    memcpy(s->par, mac, NET_MAC_LEN);
    if (nd)
        netdev_attach_nic(nd, &ne2k_nic_ops, s);
    return s;
}

Ne2000 *ne2000_create_isa(AddressSpace *io, uint16_t base, IrqLine irq, NetDev *nd,
                          const uint8_t mac[NET_MAC_LEN], Log *log)
{
    Ne2000 *s = ne2k_new(nd, mac, log);
    if (!s)
        return NULL;
    s->irq = irq;
    s->region = as_add_io(io, "ne2000", base, NE2K_IO_SIZE, &ne2k_ops, s, 0);
    ne2000_reset(s);
    return s;
}

static void ne2k_pci_reset(void *opaque, PciDevice *dev)
{
    (void)dev;
    ne2000_reset(opaque);
}

static const PciDeviceInfo ne2k_pci_info = {
    .name = "ne2k_pci",
    .vendor_id = 0x10ec,
    .device_id = 0x8029,
    .class_code = 0x020000,      /* network controller, Ethernet */
    .interrupt_pin = 1,
    .reset = ne2k_pci_reset,
};

Ne2000 *ne2000_create_pci(PciBus *bus, int devfn, NetDev *nd, const uint8_t mac[NET_MAC_LEN],
                          Log *log)
{
    Ne2000 *s = ne2k_new(nd, mac, log);
    if (!s)
        return NULL;
    s->pci = pci_register_device(bus, devfn, &ne2k_pci_info, s);
    if (!s->pci || !pci_register_bar(s->pci, 0, PCI_BAR_IO, NE2K_IO_SIZE, &ne2k_ops, s)) {
        if (nd)
            netdev_attach_nic(nd, NULL, NULL);
        free(s);
        return NULL;
    }
    ne2000_reset(s);
    return s;
}

void ne2000_destroy(Ne2000 *s)
{
    if (!s)
        return;
    if (s->nd && s->nd->nic == s)
        netdev_attach_nic(s->nd, NULL, NULL);
    free(s);
}

static void ne2k_class_reset(void *dev)
{
    ne2000_reset(dev);
}

static void ne2k_class_destroy(void *dev)
{
    ne2000_destroy(dev);
}

const DeviceClass ne2000_class = {
    .name = "ne2000",
    .state_size = sizeof(Ne2000),
    .reset = ne2k_class_reset,
    .save = NULL,
    .load = NULL,
    .destroy = ne2k_class_destroy,
};
