/*
 * Unit tests of the 82540EM model (devices/e1000.c, e1000_rxtx.c), driven
 * through its BARs and descriptor rings in a 1 MiB guest RAM, as the
 * Linux e1000 driver would. Section numbers refer to Intel's 8254x
 * Software Developer's Manual: 3.2 (receive descriptors and ring), 3.3
 * (transmit descriptors), 3.5 (TCP segmentation), 5 (EEPROM), 13.4
 * (registers), 13.5 (PHY), 13.7 (statistics).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/e1000.h"
#include "devices/net/netdev.h"
#include "devices/pci.h"
#include "machine/memory.h"

#define RAM_SIZE (1u << 20)
#define MMIO 0xfebc0000u
#define IOBASE 0xc000
#define DEVFN PCI_DEVFN(3, 0)
#define RX_RING 0x10000
#define TX_RING 0x20000
#define RX_BUFS 0x40000
#define TX_BUFS 0x80000
#define NDESC 8

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

typedef struct Fixture {
    AddressSpace mem, io;
    PciBus *bus;
    NetDev *nd;
    E1000 *s;
    bool loop;                      /* sent frames come back */
    int nsent;
    uint8_t sent[8][2048];
    size_t sent_len[8];
    uint8_t *ram;
} Fixture;

static void rec_send(void *be, const uint8_t *frame, size_t len)
{
    Fixture *f = be;
    if (f->nsent < 8) {
        memcpy(f->sent[f->nsent], frame, len < 2048 ? len : 2048);
        f->sent_len[f->nsent] = len;
    }
    f->nsent++;
    if (f->loop)
        netdev_receive(f->nd, frame, len);
}

static const NetBackendOps rec_ops = { "rec", rec_send, NULL };

static uint32_t rd(Fixture *f, uint32_t off) { return (uint32_t)as_read(&f->mem, MMIO + off, 4); }
static void wr(Fixture *f, uint32_t off, uint32_t v) { as_write(&f->mem, MMIO + off, v, 4); }

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->mem, "mem", 0);
    as_init(&f->io, "io", ~0ull);
    MemRegion *ram = as_add_ram(&f->mem, "ram", 0, RAM_SIZE, NULL, 0);
    f->ram = ram->host;
    f->bus = pci_bus_create(&f->mem, &f->io);
    f->nd = netdev_new("t");
    netdev_set_backend(f->nd, &rec_ops, f);
    f->s = e1000_create(f->bus, DEVFN, f->nd, MAC, NULL);
    ck_assert_ptr_nonnull(f->s);
    pci_config_write(f->bus, DEVFN, PCI_BASE_ADDRESS_0, MMIO, 4);
    pci_config_write(f->bus, DEVFN, PCI_BASE_ADDRESS_0 + 4, IOBASE, 4);
    pci_config_write(f->bus, DEVFN, PCI_COMMAND,
                     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    return f;
}

static void fx_free(Fixture *f)
{
    e1000_destroy(f->s);
    netdev_set_backend(f->nd, NULL, NULL);
    netdev_free(f->nd);
    pci_bus_destroy(f->bus);
    as_destroy(&f->io);
    as_destroy(&f->mem);
    free(f);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* RX ring of NDESC descriptors, buffer i at RX_BUFS + i * 0x4000; the
 * driver hands all but one to hardware (RDT = NDESC - 1). */
static void rx_setup(Fixture *f, uint32_t rctl_extra)
{
    for (int i = 0; i < NDESC; i++) {
        memset(f->ram + RX_RING + i * 16, 0, 16);
        put64(f->ram + RX_RING + i * 16, RX_BUFS + (uint64_t)i * 0x4000);
    }
    wr(f, E1000_RDBAL, RX_RING);
    wr(f, E1000_RDBAH, 0);
    wr(f, E1000_RDLEN, NDESC * 16);
    wr(f, E1000_RDH, 0);
    wr(f, E1000_RDT, NDESC - 1);
    wr(f, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_BAM | rctl_extra);
}

static void tx_setup(Fixture *f)
{
    memset(f->ram + TX_RING, 0, NDESC * 16);
    wr(f, E1000_TDBAL, TX_RING);
    wr(f, E1000_TDBAH, 0);
    wr(f, E1000_TDLEN, NDESC * 16);
    wr(f, E1000_TDH, 0);
    wr(f, E1000_TDT, 0);
    wr(f, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
}

/* Write a legacy TX descriptor i (SDM 3.3.3). */
static void tx_legacy(Fixture *f, int i, uint64_t addr, uint16_t len, uint8_t cmd)
{
    uint8_t *d = f->ram + TX_RING + i * 16;
    memset(d, 0, 16);
    put64(d, addr);
    d[8] = (uint8_t)len;
    d[9] = (uint8_t)(len >> 8);
    d[11] = cmd;
}

static void make_frame(uint8_t *fr, const uint8_t *dst, unsigned len, uint8_t seed)
{
    memcpy(fr, dst, 6);
    memcpy(fr + 6, MAC, 6);
    fr[12] = 0x88;
    fr[13] = 0xb5;
    for (unsigned i = 14; i < len; i++)
        fr[i] = (uint8_t)(seed + i);
}

/* Reflected CRC-32, the Ethernet FCS (IEEE 802.3 3.2.9). */
static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ ((c & 1) ? 0xedb88320u : 0);
    }
    return ~c;
}

START_TEST(test_pci_and_reset)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(pci_config_read(f->bus, DEVFN, PCI_VENDOR_ID, 2), 0x8086);
    ck_assert_uint_eq(pci_config_read(f->bus, DEVFN, PCI_DEVICE_ID, 2), 0x100e);
    ck_assert_uint_eq(pci_config_read(f->bus, DEVFN, PCI_CLASS_DEVICE, 2), 0x0200);
    /* BAR sizing: 128 KiB memory, 64 I/O ports. */
    pci_config_write(f->bus, DEVFN, PCI_COMMAND, 0, 2);
    pci_config_write(f->bus, DEVFN, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    ck_assert_uint_eq(pci_config_read(f->bus, DEVFN, PCI_BASE_ADDRESS_0, 4), 0xfffe0000u);
    pci_config_write(f->bus, DEVFN, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    ck_assert_uint_eq(pci_config_read(f->bus, DEVFN, PCI_BASE_ADDRESS_0 + 4, 4), 0xffffffc1u);
    fx_free(f);

    f = fx_new();
    /* Link up, full duplex, 1000 Mb/s (13.4.2). */
    uint32_t st = rd(f, E1000_STATUS);
    ck_assert_uint_eq(st & (E1000_STATUS_LU | E1000_STATUS_FD), E1000_STATUS_LU | E1000_STATUS_FD);
    ck_assert_uint_eq(st & (3u << 6), E1000_STATUS_SPEED_1000);
    /* RAL0/RAH0 from the EEPROM with AV (13.4.30). */
    ck_assert_uint_eq(rd(f, E1000_RAL0), 0x12005452u);
    ck_assert_uint_eq(rd(f, E1000_RAH0), 0x80005634u);
    /* CTRL.RST self-clears and resets registers. */
    wr(f, E1000_IMS, 0xff);
    wr(f, E1000_CTRL, rd(f, E1000_CTRL) | E1000_CTRL_RST);
    ck_assert_uint_eq(rd(f, E1000_CTRL) & E1000_CTRL_RST, 0);
    ck_assert_uint_eq(rd(f, E1000_IMS), 0);
    /* The I/O window: IOADDR then IODATA (13.2.1). */
    as_write(&f->io, IOBASE, E1000_STATUS, 4);
    ck_assert_uint_eq(as_read(&f->io, IOBASE + 4, 4), st);
    as_write(&f->io, IOBASE, E1000_RAH0 + 0x20000 * 3, 4);  /* out of range wraps */
    as_read(&f->io, IOBASE + 4, 4);
    fx_free(f);
}
END_TEST

START_TEST(test_eeprom_eerd)
{
    Fixture *f = fx_new();
    uint16_t w[64];
    uint16_t sum = 0;
    for (unsigned a = 0; a < 64; a++) {
        wr(f, E1000_EERD, a << 8 | E1000_EERD_START);
        uint32_t v = rd(f, E1000_EERD);
        ck_assert_uint_eq(v & E1000_EERD_DONE, E1000_EERD_DONE);
        w[a] = (uint16_t)(v >> 16);
        sum = (uint16_t)(sum + w[a]);
    }
    /* Words 0-2: the MAC; 0Dh/0Eh: device/vendor ID; 5.6.1: sum BABAh. */
    ck_assert_uint_eq(w[0], 0x5452);
    ck_assert_uint_eq(w[1], 0x1200);
    ck_assert_uint_eq(w[2], 0x5634);
    ck_assert_uint_eq(w[0x0d], 0x100e);
    ck_assert_uint_eq(w[0x0e], 0x8086);
    ck_assert_uint_eq(sum, 0xbaba);
    fx_free(f);
}
END_TEST

/* Microwire read the way Linux e1000 does it for the 82540 (EECD bit-bang,
 * opcode 110b, 6 address bits, 16 data bits on rising SK). */
static void ee_out(Fixture *f, uint32_t *eecd, unsigned data, int bits)
{
    for (int i = bits - 1; i >= 0; i--) {
        *eecd = (data >> i) & 1 ? (*eecd | E1000_EECD_DI) : (*eecd & ~E1000_EECD_DI);
        wr(f, E1000_EECD, *eecd);
        wr(f, E1000_EECD, *eecd | E1000_EECD_SK);
        wr(f, E1000_EECD, *eecd);
    }
}

static uint16_t ee_read_word(Fixture *f, unsigned addr)
{
    uint32_t eecd = rd(f, E1000_EECD) | E1000_EECD_REQ;
    wr(f, E1000_EECD, eecd);
    ck_assert_uint_eq(rd(f, E1000_EECD) & E1000_EECD_GNT, E1000_EECD_GNT);
    ck_assert_uint_eq(rd(f, E1000_EECD) & E1000_EECD_PRES, E1000_EECD_PRES);
    eecd &= ~(E1000_EECD_DI | E1000_EECD_SK);
    wr(f, E1000_EECD, eecd);
    eecd |= E1000_EECD_CS;
    wr(f, E1000_EECD, eecd);
    ee_out(f, &eecd, 0x6, 3);
    ee_out(f, &eecd, addr, 6);
    uint16_t v = 0;
    eecd &= ~E1000_EECD_DI;
    for (int i = 0; i < 16; i++) {
        wr(f, E1000_EECD, eecd | E1000_EECD_SK);
        v = (uint16_t)(v << 1 | ((rd(f, E1000_EECD) & E1000_EECD_DO) ? 1 : 0));
        wr(f, E1000_EECD, eecd);
    }
    wr(f, E1000_EECD, eecd & ~(E1000_EECD_CS | E1000_EECD_REQ));
    return v;
}

START_TEST(test_eeprom_bitbang)
{
    Fixture *f = fx_new();
    for (unsigned a = 0; a < 64; a += 7) {
        wr(f, E1000_EERD, a << 8 | E1000_EERD_START);
        uint16_t want = (uint16_t)(rd(f, E1000_EERD) >> 16);
        ck_assert_uint_eq(ee_read_word(f, a), want);
    }
    ck_assert_uint_eq(ee_read_word(f, 0), 0x5452);
    ck_assert_uint_eq(ee_read_word(f, 63), ee_read_word(f, 63));
    /* A write command (EWEN 10011xxxx) is ignored; reads still work. */
    uint32_t eecd = E1000_EECD_CS;
    wr(f, E1000_EECD, eecd);
    ee_out(f, &eecd, 0x4, 3);
    ee_out(f, &eecd, 0x30, 6);
    wr(f, E1000_EECD, 0);
    ck_assert_uint_eq(ee_read_word(f, 1), 0x1200);
    fx_free(f);
}
END_TEST

static uint32_t mdic(Fixture *f, uint32_t v)
{
    wr(f, E1000_MDIC, v);
    uint32_t r = rd(f, E1000_MDIC);
    ck_assert_uint_eq(r & E1000_MDIC_READY, E1000_MDIC_READY);
    return r;
}

START_TEST(test_phy)
{
    Fixture *f = fx_new();
    uint32_t rdop = E1000_MDIC_OP_READ | 1u << E1000_MDIC_PHY_SHIFT;
    /* M88E1011 PHY ID 0141:0C20 is what Linux matches for the 82540. */
    ck_assert_uint_eq(mdic(f, rdop | E1000_PHY_ID1 << 16) & 0xffff, 0x0141);
    ck_assert_uint_eq(mdic(f, rdop | E1000_PHY_ID2 << 16) & 0xfff0, 0x0c20);
    uint32_t pst = mdic(f, rdop | E1000_PHY_STATUS << 16) & 0xffff;
    ck_assert_uint_eq(pst & 0x24, 0x24);        /* link up, AN complete */
    /* Write ANAR and read it back; status is read-only. */
    mdic(f, E1000_MDIC_OP_WRITE | 1u << E1000_MDIC_PHY_SHIFT | E1000_PHY_ANAR << 16 | 0x01e1);
    ck_assert_uint_eq(mdic(f, rdop | E1000_PHY_ANAR << 16) & 0xffff, 0x01e1);
    mdic(f, E1000_MDIC_OP_WRITE | 1u << E1000_MDIC_PHY_SHIFT | E1000_PHY_STATUS << 16);
    ck_assert_uint_eq(mdic(f, rdop | E1000_PHY_STATUS << 16) & 0xffff, pst);
    /* Restart auto-negotiation self-clears. */
    mdic(f, E1000_MDIC_OP_WRITE | 1u << E1000_MDIC_PHY_SHIFT | 0x1340);
    ck_assert_uint_eq(mdic(f, rdop) & 0x0200, 0);
    /* Another PHY address: error bit. */
    ck_assert_uint_eq(mdic(f, E1000_MDIC_OP_READ | 2u << E1000_MDIC_PHY_SHIFT) & E1000_MDIC_ERROR,
                      E1000_MDIC_ERROR);
    /* MDIC.I raises ICR.MDAC. */
    mdic(f, rdop | E1000_MDIC_INT_EN);
    ck_assert_uint_eq(rd(f, E1000_ICR) & E1000_ICR_MDAC, E1000_ICR_MDAC);
    fx_free(f);
}
END_TEST

static int intx(Fixture *f)
{
    return (pci_config_read(f->bus, DEVFN, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT) != 0;
}

START_TEST(test_interrupt_registers)
{
    Fixture *f = fx_new();
    /* ICS sets causes; nothing is signalled until IMS enables one. */
    wr(f, E1000_ICS, E1000_ICR_LSC);
    ck_assert_int_eq(intx(f), 0);
    wr(f, E1000_IMS, E1000_ICR_LSC | E1000_ICR_RXT0);
    ck_assert_uint_eq(rd(f, E1000_IMS), E1000_ICR_LSC | E1000_ICR_RXT0);
    ck_assert_int_eq(intx(f), 1);
    /* ICR is cleared by reading it (13.4.17), lowering INTA#. */
    ck_assert_uint_eq(rd(f, E1000_ICR), E1000_ICR_LSC);
    ck_assert_uint_eq(rd(f, E1000_ICR), 0);
    ck_assert_int_eq(intx(f), 0);
    /* IMC masks. */
    wr(f, E1000_IMC, E1000_ICR_LSC);
    ck_assert_uint_eq(rd(f, E1000_IMS), E1000_ICR_RXT0);
    wr(f, E1000_ICS, E1000_ICR_LSC);
    ck_assert_int_eq(intx(f), 0);
    /* Writing 1 to an ICR bit clears it. */
    wr(f, E1000_ICR, E1000_ICR_LSC);
    ck_assert_uint_eq(rd(f, E1000_ICR), 0);
    fx_free(f);
}
END_TEST

/* A legacy transmit through the loopback into the receive ring. */
START_TEST(test_tx_rx_legacy)
{
    Fixture *f = fx_new();
    f->loop = true;
    rx_setup(f, 0);
    tx_setup(f);
    wr(f, E1000_IMS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
    uint8_t fr[200];
    make_frame(fr, MAC, 200, 3);
    memcpy(f->ram + TX_BUFS, fr, 120);
    memcpy(f->ram + TX_BUFS + 0x1000, fr + 120, 80);
    tx_legacy(f, 0, TX_BUFS, 120, E1000_TXD_IFCS);
    tx_legacy(f, 1, TX_BUFS + 0x1000, 80, E1000_TXD_EOP | E1000_TXD_IFCS | E1000_TXD_RS);
    wr(f, E1000_TDT, 2);
    ck_assert_int_eq(f->nsent, 1);
    ck_assert_uint_eq(f->sent_len[0], 200);
    ck_assert_mem_eq(f->sent[0], fr, 200);
    ck_assert_uint_eq(rd(f, E1000_TDH), 2);
    /* DD written back only where RS was set (3.3.3.2). */
    ck_assert_uint_eq(f->ram[TX_RING + 12] & 1, 0);
    ck_assert_uint_eq(f->ram[TX_RING + 16 + 12] & 1, 1);
    /* Received: length includes the FCS (RCTL.SECRC = 0), DD|EOP. */
    uint8_t *d = f->ram + RX_RING;
    ck_assert_uint_eq(get16(d + 8), 204);
    ck_assert_uint_eq(d[12] & (E1000_RXD_DD | E1000_RXD_EOP), E1000_RXD_DD | E1000_RXD_EOP);
    ck_assert_mem_eq(f->ram + RX_BUFS, fr, 200);
    uint32_t fcs = crc32_ref(fr, 200);
    ck_assert_uint_eq(f->ram[RX_BUFS + 200] | f->ram[RX_BUFS + 201] << 8 |
                      f->ram[RX_BUFS + 202] << 16 | (uint32_t)f->ram[RX_BUFS + 203] << 24, fcs);
    ck_assert_uint_eq(rd(f, E1000_RDH), 1);
    ck_assert_int_eq(intx(f), 1);
    uint32_t icr = rd(f, E1000_ICR);
    ck_assert_uint_eq(icr & (E1000_ICR_RXT0 | E1000_ICR_TXDW), E1000_ICR_RXT0 | E1000_ICR_TXDW);
    /* Statistics count and clear on read (13.7). */
    ck_assert_uint_eq(rd(f, E1000_GPTC), 1);
    ck_assert_uint_eq(rd(f, E1000_GPTC), 0);
    ck_assert_uint_eq(rd(f, E1000_GPRC), 1);
    ck_assert_uint_eq(rd(f, E1000_GORCL), 204);
    ck_assert_uint_eq(rd(f, E1000_GORCL), 0);
    /* With SECRC the FCS is stripped; a short frame is padded to 60. */
    wr(f, E1000_RCTL, rd(f, E1000_RCTL) | E1000_RCTL_SECRC);
    make_frame(fr, MAC, 30, 4);
    memcpy(f->ram + TX_BUFS, fr, 30);
    wr(f, E1000_TCTL, E1000_TCTL_EN);         /* no padding on transmit */
    tx_legacy(f, 2, TX_BUFS, 30, E1000_TXD_EOP);
    wr(f, E1000_TDT, 3);
    ck_assert_uint_eq(f->sent_len[1], 30);
    ck_assert_uint_eq(get16(f->ram + RX_RING + 16 + 8), 60);
    fx_free(f);
}
END_TEST

START_TEST(test_rx_bufsize_and_wrap)
{
    Fixture *f = fx_new();
    /* BSIZE = 11b, BSEX = 0: 256-byte buffers (3.2.2). */
    rx_setup(f, 3u << E1000_RCTL_BSIZE_SHIFT | E1000_RCTL_SECRC);
    wr(f, E1000_RDH, 6);
    wr(f, E1000_RDT, 5);                      /* 7 free: 6, 7, 0, ... 4 */
    uint8_t fr[600];
    make_frame(fr, MAC, 600, 1);
    netdev_receive(f->nd, fr, 600);
    /* 600 bytes = 3 descriptors: 6, 7 and (wrapped) 0; EOP on the last. */
    for (int i = 0; i < 3; i++) {
        int idx = (6 + i) % NDESC;
        uint8_t *d = f->ram + RX_RING + idx * 16;
        ck_assert_uint_eq(get16(d + 8), i < 2 ? 256 : 88);
        ck_assert_uint_eq(d[12] & E1000_RXD_DD, E1000_RXD_DD);
        ck_assert_uint_eq(d[12] & E1000_RXD_EOP, i == 2 ? E1000_RXD_EOP : 0);
        ck_assert_mem_eq(f->ram + RX_BUFS + idx * 0x4000, fr + i * 256, i < 2 ? 256 : 88);
    }
    ck_assert_uint_eq(rd(f, E1000_RDH), 1);
    /* BSEX: BSIZE 01b = 16384 bytes; the frame fits one descriptor. */
    wr(f, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC | E1000_RCTL_BSEX |
                          1u << E1000_RCTL_BSIZE_SHIFT);
    netdev_receive(f->nd, fr, 600);
    ck_assert_uint_eq(get16(f->ram + RX_RING + 16 + 8), 600);
    ck_assert_uint_eq(rd(f, E1000_RDH), 2);
    fx_free(f);
}
END_TEST

START_TEST(test_rx_no_room_and_long)
{
    Fixture *f = fx_new();
    rx_setup(f, 0);
    wr(f, E1000_IMS, E1000_ICR_RXO);
    /* RDH == RDT: no descriptor is hardware's; the frame waits in the link. */
    wr(f, E1000_RDT, 0);
    uint8_t fr[2000];
    make_frame(fr, MAC, 100, 2);
    netdev_receive(f->nd, fr, 100);
    ck_assert_uint_eq(netdev_queued(f->nd), 1);
    /* Giving buffers (RDT write) lets it in. */
    wr(f, E1000_RDT, 4);
    ck_assert_uint_eq(netdev_queued(f->nd), 0);
    ck_assert_uint_eq(rd(f, E1000_RDH), 1);
    /* Delivered directly without room: missed, RXO (13.4.17). */
    wr(f, E1000_RDT, 1);
    f->nd->nic_ops->receive(f->s, fr, 100);
    ck_assert_uint_eq(rd(f, E1000_ICR) & E1000_ICR_RXO, E1000_ICR_RXO);
    ck_assert_uint_eq(rd(f, E1000_MPC), 1);
    /* Long packets: dropped unless RCTL.LPE (13.4.22). */
    wr(f, E1000_RDT, 7);
    make_frame(fr, MAC, 2000, 5);
    f->nd->nic_ops->receive(f->s, fr, 2000);
    ck_assert_uint_eq(rd(f, E1000_RDH), 1);
    ck_assert_uint_eq(rd(f, E1000_ROC), 1);
    f->nd->nic_ops->receive(f->s, fr, 1518);       /* 1522 with FCS: fits */
    ck_assert_uint_eq(rd(f, E1000_RDH), 2);
    wr(f, E1000_RCTL, rd(f, E1000_RCTL) | E1000_RCTL_LPE | E1000_RCTL_SECRC);
    f->nd->nic_ops->receive(f->s, fr, 2000);      /* 2048-byte buffer: one descriptor */
    ck_assert_uint_eq(rd(f, E1000_RDH), 3);
    ck_assert_uint_eq(get16(f->ram + RX_RING + 2 * 16 + 8), 2000);
    fx_free(f);
}
END_TEST

START_TEST(test_rx_filter)
{
    Fixture *f = fx_new();
    rx_setup(f, E1000_RCTL_SECRC);
    wr(f, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SECRC);   /* BAM off */
    static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x99, 0x99, 0x99 };
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
    uint8_t fr[64];
    uint32_t want = 0;
#define DELIVER(dst, ok) do { make_frame(fr, dst, 64, 0); f->nd->nic_ops->receive(f->s, fr, 64); \
        want += (ok) ? 1 : 0; ck_assert_uint_eq(rd(f, E1000_RDH), want); } while (0)
    DELIVER(other, false);
    DELIVER(MAC, true);
    DELIVER(bcast, false);
    wr(f, E1000_RCTL, rd(f, E1000_RCTL) | E1000_RCTL_BAM);
    DELIVER(bcast, true);
    /* Multicast hash with MO = 00b: bits 47:36 of the address. */
    DELIVER(mcast, false);
    uint32_t idx = ((mcast[4] >> 4) | (uint32_t)mcast[5] << 4) & 0xfff;
    wr(f, E1000_MTA + (idx >> 5) * 4, 1u << (idx & 31));
    DELIVER(mcast, true);
    wr(f, E1000_MTA + (idx >> 5) * 4, 0);
    wr(f, E1000_RCTL, rd(f, E1000_RCTL) | E1000_RCTL_MPE);
    DELIVER(mcast, true);
    /* A second receive address (RAL1/RAH1 with AV). */
    wr(f, E1000_RAL0 + 8, 0x99005452u);
    wr(f, E1000_RAH0 + 8, 0x9999u);
    DELIVER(other, false);
    wr(f, E1000_RAH0 + 8, 0x9999u | E1000_RAH_AV);
    DELIVER(other, true);
    wr(f, E1000_RAH0 + 8, 0);
    wr(f, E1000_RCTL, rd(f, E1000_RCTL) | E1000_RCTL_UPE);
    DELIVER(other, true);
#undef DELIVER
    fx_free(f);
}
END_TEST

START_TEST(test_bad_descriptors)
{
    Fixture *f = fx_new();
    uint8_t fr[100];
    make_frame(fr, MAC, 100, 1);
    /* Receive ring beyond RAM: missed, nothing written, no crash. */
    rx_setup(f, 0);
    wr(f, E1000_RDBAL, 0xfff00000u);
    f->nd->nic_ops->receive(f->s, fr, 100);
    ck_assert_uint_eq(rd(f, E1000_MPC), 1);
    ck_assert_uint_eq(rd(f, E1000_RDH), 0);
    /* A buffer outside RAM: descriptor done with an error, RDH moves on. */
    wr(f, E1000_RDBAL, RX_RING);
    put64(f->ram + RX_RING, 0x7fff0000ull);
    f->nd->nic_ops->receive(f->s, fr, 100);
    ck_assert_uint_eq(rd(f, E1000_RDH), 1);
    ck_assert_uint_eq(f->ram[RX_RING + 13], 0x80);
    /* RDH/RDT outside the ring, or no ring at all: not receiving. */
    wr(f, E1000_RDH, 200);
    ck_assert(!f->nd->nic_ops->can_receive(f->s));
    f->nd->nic_ops->receive(f->s, fr, 100);
    wr(f, E1000_RDH, 0);
    wr(f, E1000_RDLEN, 0);
    ck_assert(!f->nd->nic_ops->can_receive(f->s));
    f->nd->nic_ops->receive(f->s, fr, 100);
    /* Bus mastering off: no DMA at all. */
    wr(f, E1000_RDLEN, NDESC * 16);
    pci_config_write(f->bus, DEVFN, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    ck_assert(!f->nd->nic_ops->can_receive(f->s));
    pci_config_write(f->bus, DEVFN, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);

    /* Transmit: a buffer outside RAM drops the packet, the ring moves on. */
    tx_setup(f);
    tx_legacy(f, 0, 0x7fff0000ull, 100, E1000_TXD_EOP | E1000_TXD_RS);
    memcpy(f->ram + TX_BUFS, fr, 100);
    tx_legacy(f, 1, TX_BUFS, 100, E1000_TXD_EOP | E1000_TXD_RS);
    wr(f, E1000_TDT, 2);
    ck_assert_int_eq(f->nsent, 1);
    ck_assert_uint_eq(rd(f, E1000_TDH), 2);
    /* A 0xffff-byte legacy descriptor chain past the buffer: dropped. */
    for (int i = 2; i < 7; i++)
        tx_legacy(f, i, 0, 0xffff, 0);
    tx_legacy(f, 7, 0, 0xffff, E1000_TXD_EOP);
    wr(f, E1000_TDT, 0);
    ck_assert_int_eq(f->nsent, 1);
    ck_assert_uint_eq(rd(f, E1000_TDH), 0);
    /* TDT beyond the ring, descriptors beyond RAM: ignored. */
    wr(f, E1000_TDT, 100);
    ck_assert_uint_eq(rd(f, E1000_TDH), 0);
    wr(f, E1000_TDBAL, 0xfff00000u);
    wr(f, E1000_TDT, 3);
    ck_assert_uint_eq(rd(f, E1000_TDH), 0);
    /* TSO with a nonsense context (MSS 0) is dropped. */
    wr(f, E1000_TDBAL, TX_RING);
    wr(f, E1000_TDH, 0);
    wr(f, E1000_TDT, 0);
    uint8_t *d = f->ram + TX_RING;
    memset(d, 0, 32);
    d[11] = E1000_TXD_DEXT | E1000_TUCMD_TSE | E1000_TUCMD_TCP | E1000_TUCMD_IP;
    d[13] = 54;                                      /* hdrlen, MSS 0 */
    put64(d + 16, TX_BUFS);
    d[16 + 8] = 100;
    d[16 + 10] = 0x10;                               /* DTYP data */
    d[16 + 11] = E1000_TXD_DEXT | E1000_TXD_TSE | E1000_TXD_EOP;
    wr(f, E1000_TDT, 2);
    ck_assert_int_eq(f->nsent, 1);
    fx_free(f);
}
END_TEST

/* ---- TCP segmentation and checksum offload (3.5, 3.3.7) ---- */

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Ethernet + IPv4 (20) + TCP (20) header: 54 bytes. */
static void make_tcp_header(uint8_t *h, unsigned total_payload)
{
    memset(h, 0, 54);
    memcpy(h, MAC, 6);
    memcpy(h + 6, MAC, 6);
    h[12] = 0x08;
    h[14] = 0x45;
    h[16] = (uint8_t)((40 + total_payload) >> 8);
    h[17] = (uint8_t)(40 + total_payload);
    h[18] = 0x12;                   /* IP ID 0x1234 */
    h[19] = 0x34;
    h[22] = 64;
    h[23] = 6;
    uint8_t ips[8] = { 10, 0, 2, 15, 10, 0, 2, 2 };
    memcpy(h + 26, ips, 8);
    h[34] = 0x04; h[35] = 0x00;     /* ports */
    h[36] = 0x00; h[37] = 0x50;
    h[38] = 0x00; h[39] = 0x00; h[40] = 0x10; h[41] = 0x00;   /* seq 0x1000 */
    h[46] = 0x50;                   /* data offset 5 */
    h[47] = 0x19;                   /* FIN PSH ACK */
    /* Linux TSO preloads the pseudo-header sum without the length. */
    uint32_t ph = (10 << 8 | 0) + (2 << 8 | 15) + (10 << 8 | 0) + (2 << 8 | 2) + 6;
    while (ph >> 16)
        ph = (ph & 0xffff) + (ph >> 16);
    h[50] = (uint8_t)(ph >> 8);
    h[51] = (uint8_t)ph;
}

static bool tcp_csum_ok(const uint8_t *fr, size_t len)
{
    size_t tcplen = len - 34;
    uint32_t ph = (10 << 8) + (2 << 8 | 15) + (10 << 8) + (2 << 8 | 2) + 6 + (uint32_t)tcplen;
    return csum(fr + 34, tcplen, ph) == 0;
}

START_TEST(test_tso)
{
    Fixture *f = fx_new();
    tx_setup(f);
    const unsigned payload = 2500, mss = 1000;
    uint8_t *buf = f->ram + TX_BUFS;
    make_tcp_header(buf, payload);
    for (unsigned i = 0; i < payload; i++)
        buf[54 + i] = (uint8_t)(i * 13);
    /* Context descriptor (3.3.5). */
    uint8_t *d = f->ram + TX_RING;
    memset(d, 0, 48);
    d[0] = 14; d[1] = 24; d[2] = 33; d[3] = 0;      /* IPCSS, IPCSO, IPCSE */
    d[4] = 34; d[5] = 50;                           /* TUCSS, TUCSO, TUCSE 0 */
    d[8] = (uint8_t)payload; d[9] = (uint8_t)(payload >> 8);
    d[11] = E1000_TXD_DEXT | E1000_TUCMD_TSE | E1000_TUCMD_TCP | E1000_TUCMD_IP;
    d[13] = 54;
    d[14] = (uint8_t)mss; d[15] = (uint8_t)(mss >> 8);
    /* Two data descriptors: header + 1000 bytes, then the rest. */
    put64(d + 16, TX_BUFS);
    d[16 + 8] = (uint8_t)(54 + 1000); d[16 + 9] = (uint8_t)((54 + 1000) >> 8);
    d[16 + 10] = 0x10;
    d[16 + 11] = E1000_TXD_DEXT | E1000_TXD_TSE;
    d[16 + 13] = E1000_POPTS_IXSM | E1000_POPTS_TXSM;
    put64(d + 32, TX_BUFS + 54 + 1000);
    d[32 + 8] = (uint8_t)(payload - 1000); d[32 + 9] = (uint8_t)((payload - 1000) >> 8);
    d[32 + 10] = 0x10;
    d[32 + 11] = E1000_TXD_DEXT | E1000_TXD_TSE | E1000_TXD_EOP | E1000_TXD_RS;
    wr(f, E1000_TDT, 3);
    ck_assert_int_eq(f->nsent, 3);
    for (int i = 0; i < 3; i++) {
        const uint8_t *fr = f->sent[i];
        unsigned seg = i < 2 ? mss : payload - 2 * mss;
        ck_assert_uint_eq(f->sent_len[i], 54 + seg);
        ck_assert_uint_eq(fr[16] << 8 | fr[17], 40 + seg);          /* IP total length */
        ck_assert_uint_eq(fr[18] << 8 | fr[19], 0x1234 + i);        /* IP ID */
        ck_assert_uint_eq(csum(fr + 14, 20, 0), 0);                 /* IP header checksum */
        uint32_t seq = (uint32_t)fr[38] << 24 | fr[39] << 16 | fr[40] << 8 | fr[41];
        ck_assert_uint_eq(seq, 0x1000 + i * mss);
        ck_assert_uint_eq(fr[47], i < 2 ? 0x10 : 0x19);             /* FIN/PSH on the last */
        ck_assert_msg(tcp_csum_ok(fr, f->sent_len[i]), "segment %d TCP checksum", i);
        ck_assert_mem_eq(fr + 54, buf + 54 + i * mss, seg);
    }
    ck_assert_uint_eq(f->ram[TX_RING + 32 + 12] & 1, 1);
    fx_free(f);
}
END_TEST

START_TEST(test_checksum_offload)
{
    Fixture *f = fx_new();
    tx_setup(f);
    uint8_t *buf = f->ram + TX_BUFS;
    make_tcp_header(buf, 100);
    for (unsigned i = 0; i < 100; i++)
        buf[54 + i] = (uint8_t)(i + 1);
    /* Without TSO the driver's seed includes the length. */
    uint32_t ph = (buf[50] << 8 | buf[51]) + 120;
    while (ph >> 16)
        ph = (ph & 0xffff) + (ph >> 16);
    buf[50] = (uint8_t)(ph >> 8);
    buf[51] = (uint8_t)ph;
    uint8_t *d = f->ram + TX_RING;
    memset(d, 0, 32);
    d[0] = 14; d[1] = 24; d[2] = 33;
    d[4] = 34; d[5] = 50;
    d[11] = E1000_TXD_DEXT | E1000_TUCMD_TCP | E1000_TUCMD_IP;
    put64(d + 16, TX_BUFS);
    d[16 + 8] = 154;
    d[16 + 10] = 0x10;
    d[16 + 11] = E1000_TXD_DEXT | E1000_TXD_EOP;
    d[16 + 13] = E1000_POPTS_IXSM | E1000_POPTS_TXSM;
    wr(f, E1000_TDT, 2);
    ck_assert_int_eq(f->nsent, 1);
    ck_assert_uint_eq(csum(f->sent[0] + 14, 20, 0), 0);
    ck_assert(tcp_csum_ok(f->sent[0], 154));
    /* Legacy IC: checksum from CSS to the end stored at CSO (3.3.3). */
    memset(buf, 0xab, 64);
    buf[40] = buf[41] = 0;
    tx_legacy(f, 2, TX_BUFS, 64, E1000_TXD_EOP | E1000_TXD_IC);
    f->ram[TX_RING + 2 * 16 + 10] = 40;         /* CSO */
    f->ram[TX_RING + 2 * 16 + 13] = 20;         /* CSS */
    wr(f, E1000_TDT, 3);
    ck_assert_int_eq(f->nsent, 2);
    ck_assert_uint_eq(csum(f->sent[1] + 20, 44, 0), 0);
    fx_free(f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("e1000");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_pci_and_reset);
    tcase_add_test(tc, test_eeprom_eerd);
    tcase_add_test(tc, test_eeprom_bitbang);
    tcase_add_test(tc, test_phy);
    tcase_add_test(tc, test_interrupt_registers);
    tcase_add_test(tc, test_tx_rx_legacy);
    tcase_add_test(tc, test_rx_bufsize_and_wrap);
    tcase_add_test(tc, test_rx_no_room_and_long);
    tcase_add_test(tc, test_rx_filter);
    tcase_add_test(tc, test_bad_descriptors);
    tcase_add_test(tc, test_tso);
    tcase_add_test(tc, test_checksum_offload);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
