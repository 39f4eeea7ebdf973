/*
 * Unit tests of the NE2000 / RTL8029 model (devices/ne2000.c), driven
 * through its ports as a driver would. Section numbers refer to the
 * DP8390D datasheet: 7.0 reception (ring, storage format, address
 * recognition), 8.0 transmission, 9.0 remote DMA, 10.0 registers.
 * Frames go out through a loopback back-end and come back in, so transmit
 * and receive are checked end to end.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ne2000.h"
#include "devices/net/netdev.h"
#include "devices/pci.h"
#include "machine/memory.h"

#define BASE 0x300
#define PSTART 0x46
#define PSTOP 0x80
#define TXPAGE 0x40

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

typedef struct Fixture {
    AddressSpace io, mem;
    NetDev *nd;
    Ne2000 *s;
    int irq;
} Fixture;

static void irq_cb(void *opaque, int n, int level)
{
    ((Fixture *)opaque)->irq = level;
}

static uint8_t rd(Fixture *f, unsigned r) { return (uint8_t)as_read(&f->io, BASE + r, 1); }
static void wr(Fixture *f, unsigned r, uint8_t v) { as_write(&f->io, BASE + r, v, 1); }

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->io, "io", ~0ull);
    f->nd = netdev_new("t");
    net_loopback_attach(f->nd);
    f->s = ne2000_create_isa(&f->io, BASE, irq_line(irq_cb, f, 0), f->nd, MAC, NULL);
    ck_assert_ptr_nonnull(f->s);
    return f;
}

static void fx_free(Fixture *f)
{
    ne2000_destroy(f->s);
    netdev_free(f->nd);
    as_destroy(&f->io);
    free(f);
}

/* The Linux 8390 init sequence: word mode, ring PSTART..PSTOP with BNRY =
 * PSTART and CURR = PSTART + 1, station address, all interrupts on. */
static void nic_init(Fixture *f, uint8_t rcr)
{
    wr(f, NE2K_CR, 0x21);              /* page 0, stop, abort DMA */
    wr(f, NE2K_DCR, 0x49);             /* word-wide, FIFO threshold */
    wr(f, NE2K_RBCR0, 0);
    wr(f, NE2K_RBCR1, 0);
    wr(f, NE2K_RCR, rcr);
    wr(f, NE2K_TCR, 0);
    wr(f, NE2K_TPSR, TXPAGE);
    wr(f, NE2K_PSTART, PSTART);
    wr(f, NE2K_BNRY, PSTART);
    wr(f, NE2K_PSTOP, PSTOP);
    wr(f, NE2K_ISR, 0xff);
    wr(f, NE2K_IMR, 0x7f);
    wr(f, NE2K_CR, 0x61);              /* page 1 */
    for (int i = 0; i < 6; i++)
        wr(f, NE2K_PAR0 + i, MAC[i]);
    wr(f, NE2K_CURR, PSTART + 1);
    wr(f, NE2K_CR, 0x22);              /* page 0, start */
}

static void dma_setup(Fixture *f, uint16_t addr, uint16_t count, uint8_t cmd)
{
    wr(f, NE2K_RSAR0, (uint8_t)addr);
    wr(f, NE2K_RSAR1, (uint8_t)(addr >> 8));
    wr(f, NE2K_RBCR0, (uint8_t)count);
    wr(f, NE2K_RBCR1, (uint8_t)(count >> 8));
    wr(f, NE2K_CR, cmd);
}

/* Remote-write len bytes at addr in word mode (count rounded up to even). */
static void dma_write(Fixture *f, uint16_t addr, const uint8_t *buf, unsigned len)
{
    unsigned even = (len + 1) & ~1u;
    dma_setup(f, addr, (uint16_t)even, 0x12);
    for (unsigned i = 0; i < even; i += 2) {
        uint16_t w = (uint16_t)(buf[i] | (i + 1 < len ? buf[i + 1] << 8 : 0));
        as_write(&f->io, BASE + NE2K_DATA_PORT, w, 2);
    }
}

static void dma_read(Fixture *f, uint16_t addr, uint8_t *buf, unsigned len)
{
    unsigned even = (len + 1) & ~1u;
    dma_setup(f, addr, (uint16_t)even, 0x0a);
    for (unsigned i = 0; i < even; i += 2) {
        uint16_t w = (uint16_t)as_read(&f->io, BASE + NE2K_DATA_PORT, 2);
        buf[i] = (uint8_t)w;
        if (i + 1 < len)
            buf[i + 1] = (uint8_t)(w >> 8);
    }
}

static void transmit(Fixture *f, const uint8_t *frame, unsigned len)
{
    dma_write(f, TXPAGE * 256, frame, len);
    wr(f, NE2K_TBCR0, (uint8_t)len);
    wr(f, NE2K_TBCR1, (uint8_t)(len >> 8));
    wr(f, NE2K_CR, 0x26);              /* start + transmit */
}

static void make_frame(uint8_t *fr, const uint8_t *dst, unsigned len, uint8_t seed)
{
    memcpy(fr, dst, 6);
    memcpy(fr + 6, MAC, 6);
    fr[12] = 0x08;
    fr[13] = 0x00;
    for (unsigned i = 14; i < len; i++)
        fr[i] = (uint8_t)(seed + i);
}

START_TEST(test_reset_state)
{
    Fixture *f = fx_new();
    /* 10.0: after reset CR = STP + abort remote DMA, ISR.RST set. */
    ck_assert_uint_eq(rd(f, NE2K_CR), 0x21);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_RST, NE2K_ISR_RST);
    nic_init(f, NE2K_RCR_AB);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_RST, 0);
    /* Reading the NE2000 reset port resets the card. */
    rd(f, NE2K_RESET_PORT);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_RST, NE2K_ISR_RST);
    ck_assert_uint_eq(rd(f, NE2K_CR) & NE2K_CR_STP, NE2K_CR_STP);
    /* ISR.RST is not cleared by writing 1 (it follows STP). */
    wr(f, NE2K_ISR, 0xff);
    ck_assert_uint_eq(rd(f, NE2K_ISR), NE2K_ISR_RST);
    fx_free(f);
}
END_TEST

START_TEST(test_prom)
{
    Fixture *f = fx_new();
    /* Byte mode: 32 PROM bytes, each station-address byte doubled, 'W' 'W'
     * at PROM 14-15 (what Linux ne.c probes). */
    wr(f, NE2K_DCR, 0x48);
    dma_setup(f, 0, 32, 0x0a);
    uint8_t p[32];
    for (int i = 0; i < 32; i++)
        p[i] = (uint8_t)as_read(&f->io, BASE + NE2K_DATA_PORT, 1);
    for (int i = 0; i < 6; i++) {
        ck_assert_uint_eq(p[2 * i], MAC[i]);
        ck_assert_uint_eq(p[2 * i + 1], MAC[i]);
    }
    ck_assert_uint_eq(p[28], 0x57);
    ck_assert_uint_eq(p[31], 0x57);
    /* The byte count reached 0: remote DMA complete (9.0). */
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_RDC, NE2K_ISR_RDC);
    /* Word mode: one word per PROM byte. */
    wr(f, NE2K_DCR, 0x49);
    dma_setup(f, 0, 12, 0x0a);
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(as_read(&f->io, BASE + NE2K_DATA_PORT, 2), MAC[i] * 0x101u);
    /* The PROM is read-only. */
    dma_setup(f, 0, 2, 0x12);
    as_write(&f->io, BASE + NE2K_DATA_PORT, 0xabcd, 2);
    dma_setup(f, 0, 2, 0x0a);
    ck_assert_uint_eq(as_read(&f->io, BASE + NE2K_DATA_PORT, 2), MAC[0] * 0x101u);
    fx_free(f);
}
END_TEST

START_TEST(test_remote_dma_and_irq)
{
    Fixture *f = fx_new();
    nic_init(f, NE2K_RCR_AB);
    uint8_t buf[100], back[100];
    for (int i = 0; i < 100; i++)
        buf[i] = (uint8_t)(i * 7);
    wr(f, NE2K_ISR, 0xff);
    dma_write(f, 0x5000, buf, 100);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_RDC, NE2K_ISR_RDC);
    ck_assert_int_eq(f->irq, 1);              /* IMR.RDC enabled */
    wr(f, NE2K_ISR, NE2K_ISR_RDC);            /* write 1 to clear */
    ck_assert_int_eq(f->irq, 0);
    dma_read(f, 0x5000, back, 100);
    ck_assert_mem_eq(back, buf, 100);
    /* CRDA follows the remote address. */
    ck_assert_uint_eq(rd(f, NE2K_CRDA0) | rd(f, NE2K_CRDA1) << 8, 0x5000 + 100);
    /* 32-bit data-port access moves four bytes. */
    dma_setup(f, 0x5000, 4, 0x0a);
    ck_assert_uint_eq(as_read(&f->io, BASE + NE2K_DATA_PORT, 4),
                      buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24);
    /* With IMR cleared the line stays low. */
    wr(f, NE2K_IMR, 0);
    dma_write(f, 0x5000, buf, 2);
    ck_assert_int_eq(f->irq, 0);
    /* Outside RAM: reads 0xff, writes vanish, the address wraps at 64K. */
    dma_setup(f, 0x8000, 4, 0x0a);
    ck_assert_uint_eq(as_read(&f->io, BASE + NE2K_DATA_PORT, 4), 0xffffffffu);
    dma_setup(f, 0xfffe, 4, 0x0a);
    ck_assert_uint_eq(as_read(&f->io, BASE + NE2K_DATA_PORT, 4),
                      0xffffu | (uint32_t)MAC[0] << 16 | (uint32_t)MAC[0] << 24);
    dma_setup(f, 0x9000, 2, 0x12);
    as_write(&f->io, BASE + NE2K_DATA_PORT, 0x1234, 2);
    fx_free(f);
}
END_TEST

/* Transmit a frame to ourselves; check the ring header (7.0 storage
 * format: status, next page, byte count incl. the header), the data,
 * CURR, ISR.PTX/PRX and TSR. */
START_TEST(test_tx_rx_loopback)
{
    Fixture *f = fx_new();
    nic_init(f, NE2K_RCR_AB);
    uint8_t fr[300], back[300];
    make_frame(fr, MAC, 300, 1);
    wr(f, NE2K_ISR, 0xff);
    transmit(f, fr, 300);
    uint8_t isr = rd(f, NE2K_ISR);
    ck_assert_uint_eq(isr & (NE2K_ISR_PTX | NE2K_ISR_PRX), NE2K_ISR_PTX | NE2K_ISR_PRX);
    ck_assert_uint_eq(rd(f, NE2K_TSR) & NE2K_TSR_PTX, NE2K_TSR_PTX);
    ck_assert_uint_eq(rd(f, NE2K_CR) & NE2K_CR_TXP, 0);
    ck_assert_int_eq(f->irq, 1);
    uint8_t hdr[4];
    dma_read(f, (PSTART + 1) * 256, hdr, 4);
    ck_assert_uint_eq(hdr[0] & NE2K_RSR_PRX, NE2K_RSR_PRX);
    ck_assert_uint_eq(hdr[2] | hdr[3] << 8, 304);
    ck_assert_uint_eq(hdr[1], PSTART + 1 + 2);      /* 304 bytes = 2 pages */
    wr(f, NE2K_CR, 0x62);
    ck_assert_uint_eq(rd(f, NE2K_CURR), PSTART + 3);
    wr(f, NE2K_CR, 0x22);
    dma_read(f, (PSTART + 1) * 256 + 4, back, 300);
    ck_assert_mem_eq(back, fr, 300);
    ck_assert_uint_eq(f->nd->tx_frames, 1);

    /* A short frame is padded to 60 bytes (count 64). */
    make_frame(fr, MAC, 20, 2);
    transmit(f, fr, 20);
    dma_read(f, (PSTART + 3) * 256, hdr, 4);
    ck_assert_uint_eq(hdr[2] | hdr[3] << 8, 64);
    fx_free(f);
}
END_TEST

START_TEST(test_ring_wrap)
{
    Fixture *f = fx_new();
    nic_init(f, NE2K_RCR_AB);
    /* Put CURR on the last page of the ring and BNRY just behind it. */
    wr(f, NE2K_BNRY, PSTOP - 2);
    wr(f, NE2K_CR, 0x62);
    wr(f, NE2K_CURR, PSTOP - 1);
    wr(f, NE2K_CR, 0x22);
    uint8_t fr[600], back[600];
    make_frame(fr, MAC, 600, 9);
    transmit(f, fr, 600);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, NE2K_ISR_PRX);
    uint8_t hdr[4];
    dma_read(f, (PSTOP - 1) * 256, hdr, 4);
    /* 604 bytes = 3 pages from PSTOP-1: PSTOP-1, PSTART, PSTART+1. */
    ck_assert_uint_eq(hdr[1], PSTART + 2);
    ck_assert_uint_eq(hdr[2] | hdr[3] << 8, 604);
    /* The first 252 data bytes fill the last page; the rest continue at
     * PSTART (the remote DMA wraps at PSTOP like the local DMA). */
    dma_read(f, (PSTOP - 1) * 256 + 4, back, 600);
    ck_assert_mem_eq(back, fr, 600);
    uint8_t tail[8];
    dma_read(f, PSTART * 256, tail, 8);
    ck_assert_mem_eq(tail, fr + 252, 8);
    fx_free(f);
}
END_TEST

START_TEST(test_overflow)
{
    Fixture *f = fx_new();
    nic_init(f, NE2K_RCR_AB);
    /* BNRY one page ahead of CURR: no room at all. */
    wr(f, NE2K_BNRY, PSTART + 2);
    uint8_t fr[100];
    make_frame(fr, MAC, 100, 3);
    wr(f, NE2K_ISR, 0xff);
    ck_assert(!f->s->nd->nic_ops->can_receive(f->s));
    /* Deliver directly (the link would otherwise queue it). */
    f->s->nd->nic_ops->receive(f->s, fr, 100);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & (NE2K_ISR_OVW | NE2K_ISR_PRX), NE2K_ISR_OVW);
    ck_assert_uint_eq(rd(f, NE2K_CNTR2), 1);
    ck_assert_uint_eq(rd(f, NE2K_CNTR2), 0);       /* cleared by the read */
    wr(f, NE2K_CR, 0x62);
    ck_assert_uint_eq(rd(f, NE2K_CURR), PSTART + 1);
    wr(f, NE2K_CR, 0x22);
    /* Through the link the frame waits; moving BNRY lets it in. */
    netdev_receive(f->nd, fr, 100);
    ck_assert_uint_eq(netdev_queued(f->nd), 1);
    wr(f, NE2K_BNRY, PSTART);
    ck_assert_uint_eq(netdev_queued(f->nd), 0);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, NE2K_ISR_PRX);
    fx_free(f);
}
END_TEST

/* BNRY outside the ring never matches the page being written, so it does
 * not stop reception (7.0: overflow is "the next page equals BNRY").
 * Linux's driver writes BNRY = next frame - 1, i.e. PSTART - 1 once its
 * read pointer has wrapped to PSTART: the ring is then empty. */
START_TEST(test_bnry_before_pstart)
{
    Fixture *f = fx_new();
    nic_init(f, NE2K_RCR_AB);
    wr(f, NE2K_CR, 0x62);
    wr(f, NE2K_CURR, PSTART);
    wr(f, NE2K_CR, 0x22);
    wr(f, NE2K_BNRY, PSTART - 1);
    wr(f, NE2K_ISR, 0xff);
    ck_assert(f->s->nd->nic_ops->can_receive(f->s));
    uint8_t fr[1500];
    make_frame(fr, MAC, 1500, 4);
    ck_assert(netdev_receive(f->nd, fr, 1500));
    ck_assert_uint_eq(netdev_queued(f->nd), 0);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & (NE2K_ISR_PRX | NE2K_ISR_OVW), NE2K_ISR_PRX);
    uint8_t hdr[4];
    dma_read(f, PSTART * 256, hdr, 4);
    ck_assert_uint_eq(hdr[1], PSTART + 6);             /* 1504 bytes: 6 pages */
    fx_free(f);
}
END_TEST

/* Frames the link held back for lack of ring room come in only once the
 * driver has acknowledged PRX: stored while PRX is still set, the
 * driver's acknowledge at the end of its receive loop would hide them. */
START_TEST(test_held_frames_wait_for_prx_ack)
{
    Fixture *f = fx_new();
    nic_init(f, NE2K_RCR_AB);
    uint8_t fr[200];
    make_frame(fr, MAC, 200, 5);
    wr(f, NE2K_ISR, 0xff);
    ck_assert(netdev_receive(f->nd, fr, 200));         /* frame A: PRX */
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, NE2K_ISR_PRX);
    /* The ring fills up (BNRY just ahead of CURR): frame B waits. */
    wr(f, NE2K_BNRY, PSTART + 3);
    make_frame(fr, MAC, 200, 6);
    ck_assert(netdev_receive(f->nd, fr, 200));
    ck_assert_uint_eq(netdev_queued(f->nd), 1);
    /* The driver reads A and moves BNRY: PRX is still set, B waits. */
    wr(f, NE2K_BNRY, PSTART + 1);
    ck_assert_uint_eq(netdev_queued(f->nd), 1);
    /* The acknowledge lets B in, and PRX rises again for it. */
    wr(f, NE2K_ISR, NE2K_ISR_PRX);
    ck_assert_uint_eq(netdev_queued(f->nd), 0);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, NE2K_ISR_PRX);
    ck_assert_int_eq(f->irq, 1);
    fx_free(f);
}
END_TEST

/* The driver acknowledged PRX but left the ring full (Linux reads at most
 * 9 frames per interrupt): the waiting frame must not wait forever, it
 * arrives and overflows the ring (7.0: ISR.OVW, missed-packet tally), so
 * the driver's overflow handling empties the ring. */
START_TEST(test_full_ring_after_ack_overflows)
{
    Fixture *f = fx_new();
    nic_init(f, NE2K_RCR_AB);
    wr(f, NE2K_BNRY, PSTART + 2);                      /* no room at all */
    wr(f, NE2K_ISR, 0xff);
    uint8_t fr[200];
    make_frame(fr, MAC, 200, 7);
    ck_assert(netdev_receive(f->nd, fr, 200));
    ck_assert_uint_eq(netdev_queued(f->nd), 1);
    ck_assert_int_eq(f->irq, 0);
    wr(f, NE2K_ISR, NE2K_ISR_PRX | NE2K_ISR_RXE);      /* end of the driver's loop */
    ck_assert_uint_eq(netdev_queued(f->nd), 0);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & (NE2K_ISR_OVW | NE2K_ISR_PRX), NE2K_ISR_OVW);
    ck_assert_uint_eq(rd(f, NE2K_CNTR2), 1);
    ck_assert_int_eq(f->irq, 1);
    fx_free(f);
}
END_TEST

START_TEST(test_address_filter)
{
    Fixture *f = fx_new();
    nic_init(f, 0);
    static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    uint8_t fr[64];
    const NetNicOps *ops = f->nd->nic_ops;
#define DELIVER(dst) do { make_frame(fr, dst, 64, 0); wr(f, NE2K_ISR, 0xff); \
        ops->receive(f->s, fr, 64); } while (0)
#define GOT() ((rd(f, NE2K_ISR) & NE2K_ISR_PRX) != 0)
    DELIVER(other);
    ck_assert(!GOT());
    DELIVER(MAC);
    ck_assert(GOT());
    DELIVER(bcast);                            /* RCR.AB clear */
    ck_assert(!GOT());
    wr(f, NE2K_RCR, NE2K_RCR_AB);
    DELIVER(bcast);
    ck_assert(GOT());
    /* Multicast: RCR.AM and the MAR bit the CRC's top 6 bits select. */
    unsigned idx = ne2000_mcast_crc(mcast) >> 26;
    wr(f, NE2K_RCR, NE2K_RCR_AM);
    DELIVER(mcast);
    ck_assert(!GOT());
    wr(f, NE2K_CR, 0x62);
    wr(f, NE2K_MAR0 + (idx >> 3), (uint8_t)(1u << (idx & 7)));
    wr(f, NE2K_CR, 0x22);
    DELIVER(mcast);
    ck_assert(GOT());
    ck_assert_uint_eq(rd(f, NE2K_RSR) & NE2K_RSR_PHY, NE2K_RSR_PHY);
    /* Promiscuous takes everything. */
    wr(f, NE2K_RCR, NE2K_RCR_PRO);
    DELIVER(other);
    ck_assert(GOT());
    /* Stopped: nothing is received. */
    wr(f, NE2K_CR, 0x21);
    DELIVER(MAC);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, 0);
#undef DELIVER
#undef GOT
    fx_free(f);
}
END_TEST

/* The hash CRC is the IEEE 802.3 CRC-32 register before the final
 * inversion, MSB first: bit-reverse(~crc32(data)) where crc32 is the usual
 * reflected CRC (zlib: crc32("123456") = 0x0972d361). The all-hosts group
 * 01:00:5e:00:00:01 lands in bucket 0x1f, i.e. MAR3 bit 7. */
START_TEST(test_mcast_crc)
{
    ck_assert_uint_eq(ne2000_mcast_crc((const uint8_t *)"123456"), 0x7934b16fu);
    static const uint8_t allhosts[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
    ck_assert_uint_eq(ne2000_mcast_crc(allhosts) >> 26, 0x1f);
    static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    ck_assert_uint_eq(ne2000_mcast_crc(bc) >> 26, 0x3f);
}
END_TEST

START_TEST(test_bad_guest_values)
{
    Fixture *f = fx_new();
    nic_init(f, NE2K_RCR_PRO);
    uint8_t fr[100];
    make_frame(fr, MAC, 100, 5);
    const NetNicOps *ops = f->nd->nic_ops;
    /* PSTOP beyond RAM, PSTART >= PSTOP, CURR outside: frames dropped. */
    wr(f, NE2K_CR, 0x21);
    wr(f, NE2K_PSTOP, 0xff);
    wr(f, NE2K_CR, 0x22);
    wr(f, NE2K_ISR, 0xff);
    ops->receive(f->s, fr, 100);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, 0);
    wr(f, NE2K_PSTART, 0x70);
    wr(f, NE2K_PSTOP, 0x50);
    ops->receive(f->s, fr, 100);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, 0);
    wr(f, NE2K_PSTART, 0x00);
    wr(f, NE2K_PSTOP, 0x80);
    ops->receive(f->s, fr, 100);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, 0);
    /* An oversized frame is dropped. */
    wr(f, NE2K_PSTART, PSTART);
    static uint8_t big[2000];
    memcpy(big, MAC, 6);
    ops->receive(f->s, big, sizeof(big));
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_PRX, 0);
    /* Transmit from outside RAM or too long: TXE, nothing sent. */
    wr(f, NE2K_TPSR, 0x7f);
    wr(f, NE2K_TBCR0, 0x00);
    wr(f, NE2K_TBCR1, 0x08);                    /* 2048 bytes past 0x7f00 */
    wr(f, NE2K_CR, 0x26);
    ck_assert_uint_eq(rd(f, NE2K_ISR) & NE2K_ISR_TXE, NE2K_ISR_TXE);
    ck_assert_uint_eq(f->nd->tx_frames, 0);
    wr(f, NE2K_TPSR, 0x00);                     /* PROM page */
    wr(f, NE2K_TBCR0, 60);
    wr(f, NE2K_TBCR1, 0);
    wr(f, NE2K_CR, 0x26);
    ck_assert_uint_eq(f->nd->tx_frames, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_pci_variant)
{
    AddressSpace mem, io;
    as_init(&mem, "mem", 0);
    as_init(&io, "io", ~0ull);
    PciBus *bus = pci_bus_create(&mem, &io);
    Ne2000 *s = ne2000_create_pci(bus, PCI_DEVFN(3, 0), NULL, MAC, NULL);
    ck_assert_ptr_nonnull(s);
    int devfn = PCI_DEVFN(3, 0);
    ck_assert_uint_eq(pci_config_read(bus, devfn, PCI_VENDOR_ID, 2), 0x10ec);
    ck_assert_uint_eq(pci_config_read(bus, devfn, PCI_DEVICE_ID, 2), 0x8029);
    ck_assert_uint_eq(pci_config_read(bus, devfn, PCI_CLASS_DEVICE, 2), 0x0200);
    ck_assert_uint_eq(pci_config_read(bus, devfn, PCI_INTERRUPT_PIN, 1), 1);
    /* BAR0: 32 I/O ports (size probe reads back ~31 with the I/O bit). */
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    ck_assert_uint_eq(pci_config_read(bus, devfn, PCI_BASE_ADDRESS_0, 4), 0xffffffe1u);
    pci_config_write(bus, devfn, PCI_BASE_ADDRESS_0, 0xc100, 4);
    pci_config_write(bus, devfn, PCI_COMMAND, PCI_COMMAND_IO, 2);
    ck_assert_uint_eq(as_read(&io, 0xc100 + NE2K_CR, 1), 0x21);
    /* RTL8029 ID in page 0 registers 0x0a/0x0b: 'P' 'C'. */
    ck_assert_uint_eq(as_read(&io, 0xc100 + 0x0a, 1), 0x50);
    ck_assert_uint_eq(as_read(&io, 0xc100 + 0x0b, 1), 0x43);
    /* A remote-DMA interrupt reaches INTx (status bit 3). */
    as_write(&io, 0xc100 + NE2K_IMR, NE2K_ISR_RDC, 1);
    as_write(&io, 0xc100 + NE2K_CR, 0x0a, 1);   /* remote read, count 0 */
    ck_assert_uint_eq(pci_config_read(bus, devfn, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
                      PCI_STATUS_INTERRUPT);
    ne2000_destroy(s);
    pci_bus_destroy(bus);
    as_destroy(&io);
    as_destroy(&mem);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("ne2000");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reset_state);
    tcase_add_test(tc, test_prom);
    tcase_add_test(tc, test_remote_dma_and_irq);
    tcase_add_test(tc, test_tx_rx_loopback);
    tcase_add_test(tc, test_ring_wrap);
    tcase_add_test(tc, test_overflow);
    tcase_add_test(tc, test_bnry_before_pstart);
    tcase_add_test(tc, test_held_frames_wait_for_prx_ack);
    tcase_add_test(tc, test_full_ring_after_ack_overflows);
    tcase_add_test(tc, test_address_filter);
    tcase_add_test(tc, test_mcast_crc);
    tcase_add_test(tc, test_bad_guest_values);
    tcase_add_test(tc, test_pci_variant);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
