/*
 * Intel 82540EM register file: reset values, CTRL/STATUS, the EEPROM
 * (Microwire bit-bang through EECD and the EERD read shortcut), the PHY
 * behind MDIC, interrupt cause/mask registers, statistics, RCTL/TCTL and
 * ring registers, and the PCI function with its memory and I/O BARs.
 * The receive and transmit rings live in e1000_rxtx.c.
 *
 * Reference: 8254x Software Developer's Manual (SDM): 5 (EEPROM
 * interface, table 5-2 address map, 5.6.1 checksum word 3Fh), 13.3-13.4
 * (register summary and descriptions), 13.5 (PHY registers), 13.7
 * (statistics, cleared on read). Interrupt moderation (ITR, RDTR, RADV,
 * TIDV, TADV) is accepted and ignored: interrupts are never delayed.
 */
#include "devices/e1000_internal.h"

#include <stdlib.h>
#include <string.h>

#define E1000_PHY_ADDR 1            /* the internal PHY's MDIO address */
#define E1000_EE_READ_OPCODE 2      /* Microwire READ: start bit, 10b */
#define E1000_EE_CMD_BITS 9         /* start + 2 opcode + 6 address bits */
#define E1000_EE_IGNORE 0xffffu     /* bits_in value: command not supported */
#define E1000_EE_CHECKSUM_WORD 0x3f
#define E1000_EE_CHECKSUM_SUM 0xbaba

/* PHY reset values (SDM 13.5; M88E1011 semantics for 16/17): link up,
 * auto-negotiation complete at 1000 Mb/s full duplex. */
static const uint16_t e1000_phy_defaults[E1000_PHY_REGS] = {
    [E1000_PHY_CTRL] = 0x1140,          /* AN enable, full duplex, 1000 */
    [E1000_PHY_STATUS] = 0x796d,        /* capabilities, AN complete, link up */
    [E1000_PHY_ID1] = 0x0141,
    [E1000_PHY_ID2] = 0x0c20,           /* M88E1011, revision 0 */
    [E1000_PHY_ANAR] = 0x0de1,
    [E1000_PHY_LPAR] = 0x41e1,          /* partner: ack, 10/100 half/full */
    [E1000_PHY_ANER] = 0x0001,          /* partner can auto-negotiate */
    [E1000_PHY_1000T_CTRL] = 0x0e00,
    [E1000_PHY_1000T_STATUS] = 0x3c00,  /* partner 1000 FD/HD, receivers OK */
    [E1000_PHY_EXT_STATUS] = 0x3000,    /* 1000BASE-T FD/HD capable */
    [E1000_PHY_SPEC_CTRL] = 0x0060,
    [E1000_PHY_SPEC_STATUS] = 0xac00,   /* 1000, full duplex, resolved, link */
};

static bool e1000_phy_reg_readonly(unsigned reg)
{
    switch (reg) {
    case E1000_PHY_STATUS: case E1000_PHY_ID1: case E1000_PHY_ID2: case E1000_PHY_LPAR:
    case E1000_PHY_ANER: case E1000_PHY_1000T_STATUS: case E1000_PHY_EXT_STATUS:
    case E1000_PHY_SPEC_STATUS:
        return true;
    default:
        return false;
    }
}

/* ---- interrupts (SDM 13.4.17-21) ---- */

void e1000_update_irq(E1000 *s)
{
    int level = (e1000_reg(s, E1000_ICR) & e1000_reg(s, E1000_IMS)) != 0;
    if (s->pci)
        pci_set_irq(s->pci, level);
}

void e1000_raise(E1000 *s, uint32_t causes)
{
    e1000_set_reg(s, E1000_ICR, e1000_reg(s, E1000_ICR) | (causes & E1000_ICR_VALID));
    e1000_update_irq(s);
}

void e1000_stat_add(E1000 *s, uint32_t off, uint32_t n)
{
    uint32_t v = e1000_reg(s, off);
    e1000_set_reg(s, off, v + n < v ? UINT32_MAX : v + n);
}

void e1000_stat_add64(E1000 *s, uint32_t lo, uint64_t n)
{
    uint64_t v = (uint64_t)e1000_reg(s, lo) | (uint64_t)e1000_reg(s, lo + 4) << 32;
    v = v + n < v ? UINT64_MAX : v + n;
    e1000_set_reg(s, lo, (uint32_t)v);
    e1000_set_reg(s, lo + 4, (uint32_t)(v >> 32));
}

/* ---- EEPROM (SDM 5) ---- */

static void e1000_eeprom_init(E1000 *s)
{
    uint16_t *w = s->eeprom;
    memset(w, 0, sizeof(s->eeprom));
    for (int i = 0; i < 3; i++)
        w[i] = (uint16_t)(s->mac[2 * i] | s->mac[2 * i + 1] << 8);
    w[0x0a] = 0x4000;           /* init control 1: signature 01b */
    w[0x0b] = 0x001e;           /* subsystem ID */
    w[0x0c] = 0x8086;           /* subsystem vendor ID */
    w[0x0d] = 0x100e;           /* device ID */
    w[0x0e] = 0x8086;           /* vendor ID */
    /* 5.6.1: words 00h-3Fh sum to BABAh. */
    uint16_t sum = 0;
    for (int i = 0; i < E1000_EE_CHECKSUM_WORD; i++)
        sum = (uint16_t)(sum + w[i]);
    w[E1000_EE_CHECKSUM_WORD] = (uint16_t)(E1000_EE_CHECKSUM_SUM - sum);
}

static void e1000_ee_restart(E1000Eeprom *ee)
{
    ee->bits_in = 0;
    ee->val_in = 0;
    ee->reading = false;
    ee->out_pos = 0;
}

/* Microwire (SDM 5.3, 93C46 protocol): while CS is high the EEPROM samples
 * DI on each rising SK edge: a start bit 1, a 2-bit opcode and 6 address
 * bits. For READ it then drives a dummy 0 and, on each further rising
 * edge, the next data bit MSB first, continuing into the next word. */
static void e1000_eecd_write(E1000 *s, uint32_t val)
{
    E1000Eeprom *ee = &s->ee;
    bool cs = val & E1000_EECD_CS, sk = val & E1000_EECD_SK, di = val & E1000_EECD_DI;
    if (!cs || !ee->cs) {
        e1000_ee_restart(ee);
        ee->do_bit = true;
    } else if (sk && !ee->sk) {
        if (ee->reading) {
            unsigned bit = ee->out_pos++;
            unsigned word = (ee->addr + bit / 16) % E1000_EEPROM_WORDS;
            ee->do_bit = (s->eeprom[word] >> (15 - bit % 16)) & 1;
        } else if (ee->bits_in == E1000_EE_IGNORE || (ee->bits_in == 0 && !di)) {
            /* idle before the start bit, or an unsupported command */
        } else {
            ee->val_in = ee->val_in << 1 | di;
            if (++ee->bits_in == E1000_EE_CMD_BITS) {
                if (((ee->val_in >> 6) & 3) == E1000_EE_READ_OPCODE) {
                    ee->reading = true;
                    ee->addr = ee->val_in & 0x3f;
                    ee->out_pos = 0;
                    ee->do_bit = false;     /* the dummy zero */
                } else {
                    /* EWEN/WRITE/ERASE: the EEPROM is read-only here. */
                    log_printf(s->log, LOG_unimp, "e1000: EEPROM command %x ignored\n",
                               ee->val_in);
                    ee->bits_in = E1000_EE_IGNORE;
                }
            }
        }
    }
    ee->cs = cs;
    ee->sk = sk;
    uint32_t keep = E1000_EECD_SK | E1000_EECD_CS | E1000_EECD_DI | E1000_EECD_FWE |
                    E1000_EECD_REQ;
    e1000_set_reg(s, E1000_EECD, val & keep);
}

static uint32_t e1000_eecd_read(E1000 *s)
{
    uint32_t v = e1000_reg(s, E1000_EECD) | E1000_EECD_PRES;
    if (v & E1000_EECD_REQ)
        v |= E1000_EECD_GNT;        /* software always gets the EEPROM */
    if (s->ee.do_bit)
        v |= E1000_EECD_DO;
    return v;
}

/* EERD (SDM 13.4.4, 82540 layout): START bit 0, DONE bit 4, address in
 * bits 15:8, data in 31:16. The read completes at once. */
static void e1000_eerd_write(E1000 *s, uint32_t val)
{
    if (!(val & E1000_EERD_START)) {
        e1000_set_reg(s, E1000_EERD, val & ~E1000_EERD_DONE);
        return;
    }
    unsigned addr = (val >> E1000_EERD_ADDR_SHIFT) & 0xff;
    uint32_t data = addr < E1000_EEPROM_WORDS ? s->eeprom[addr] : 0xffff;
    e1000_set_reg(s, E1000_EERD, E1000_EERD_DONE | addr << E1000_EERD_ADDR_SHIFT |
                                     data << E1000_EERD_DATA_SHIFT);
}

/* ---- PHY through MDIC (SDM 13.4.6, 13.5) ---- */

static void e1000_phy_write(E1000 *s, unsigned reg, uint16_t val)
{
    if (e1000_phy_reg_readonly(reg))
        return;
    if (reg == E1000_PHY_CTRL) {
        if (val & 0x8000)           /* reset: self-clearing, back to defaults */
            memcpy(s->phy, e1000_phy_defaults, sizeof(s->phy));
        /* Restart auto-negotiation (bit 9) completes at once. */
        val &= (uint16_t)~(0x8000 | 0x0200);
    }
    s->phy[reg] = val;
}

static void e1000_mdic_write(E1000 *s, uint32_t val)
{
    unsigned phy = (val >> E1000_MDIC_PHY_SHIFT) & 0x1f;
    unsigned reg = (val >> E1000_MDIC_REG_SHIFT) & 0x1f;
    uint32_t op = val & (3u << 26);
    uint32_t out = val & ~(E1000_MDIC_READY | E1000_MDIC_ERROR);
    if (phy != E1000_PHY_ADDR) {
        out |= E1000_MDIC_ERROR;    /* nobody answers at that address */
    } else if (op == E1000_MDIC_OP_READ) {
        out = (out & ~0xffffu) | s->phy[reg];
    } else if (op == E1000_MDIC_OP_WRITE) {
        e1000_phy_write(s, reg, (uint16_t)val);
    } else {
        out |= E1000_MDIC_ERROR;
    }
    out |= E1000_MDIC_READY;
    e1000_set_reg(s, E1000_MDIC, out);
    if (val & E1000_MDIC_INT_EN)
        e1000_raise(s, E1000_ICR_MDAC);
}

/* ---- register access ---- */

uint32_t e1000_mmio_read(E1000 *s, uint32_t off)
{
    off &= ~3u;
    if (off >= E1000_MMIO_SIZE)
        return 0;
    if (off >= E1000_STATS_START && off < E1000_STATS_END) {
        uint32_t v = e1000_reg(s, off);
        e1000_set_reg(s, off, 0);   /* 13.7: statistics clear on read */
        return v;
    }
    switch (off) {
    case E1000_ICR: {
        uint32_t v = e1000_reg(s, E1000_ICR);
        e1000_set_reg(s, E1000_ICR, 0);   /* read to clear */
        e1000_update_irq(s);
        return v;
    }
    case E1000_EECD:
        return e1000_eecd_read(s);
    case E1000_ICS: case E1000_IMC:
        return 0;                   /* write-only */
    default:
        return e1000_reg(s, off);
    }
}

void e1000_mmio_write(E1000 *s, uint32_t off, uint32_t val)
{
    off &= ~3u;
    if (off >= E1000_MMIO_SIZE)
        return;
    if (off >= E1000_STATS_START && off < E1000_STATS_END)
        return;                     /* read-only counters */
    switch (off) {
    case E1000_CTRL:
        if (val & E1000_CTRL_RST) {
            e1000_reset(s);
            return;
        }
        if (val & E1000_CTRL_PHY_RST)
            memcpy(s->phy, e1000_phy_defaults, sizeof(s->phy));
        e1000_set_reg(s, off, val & ~(E1000_CTRL_RST | E1000_CTRL_PHY_RST));
        return;
    case E1000_STATUS:
        return;                     /* read-only */
    case E1000_EECD:
        e1000_eecd_write(s, val);
        return;
    case E1000_EERD:
        e1000_eerd_write(s, val);
        return;
    case E1000_MDIC:
        e1000_mdic_write(s, val);
        return;
    case E1000_ICR:
        e1000_set_reg(s, off, e1000_reg(s, off) & ~val);   /* write 1 to clear */
        e1000_update_irq(s);
        return;
    case E1000_ICS:
        e1000_raise(s, val);
        return;
    case E1000_IMS:
        e1000_set_reg(s, E1000_IMS, e1000_reg(s, E1000_IMS) | (val & E1000_ICR_VALID));
        e1000_update_irq(s);
        return;
    case E1000_IMC:
        e1000_set_reg(s, E1000_IMS, e1000_reg(s, E1000_IMS) & ~val);
        e1000_update_irq(s);
        return;
    case E1000_RCTL:
        e1000_set_reg(s, off, val);
        if ((val & E1000_RCTL_EN) && s->nd)
            netdev_flush(s->nd);
        return;
    case E1000_RDLEN: case E1000_TDLEN:
        e1000_set_reg(s, off, val & 0x000fff80u);   /* multiple of 128 bytes */
        return;
    case E1000_RDH: case E1000_TDH:
        e1000_set_reg(s, off, val & 0xffffu);
        return;
    case E1000_RDT:
        e1000_set_reg(s, off, val & 0xffffu);
        if (s->nd)
            netdev_flush(s->nd);    /* new buffers: queued frames may go in */
        return;
    case E1000_TDT:
        e1000_set_reg(s, off, val & 0xffffu);
        e1000_tx_run(s);
        return;
    case E1000_TCTL:
        e1000_set_reg(s, off, val);
        if (val & E1000_TCTL_EN)
            e1000_tx_run(s);
        else
            e1000_tx_reset(s);
        return;
    default:
        e1000_set_reg(s, off, val);
        return;
    }
}

static uint64_t e1000_mr_read(void *opaque, uint64_t off, unsigned size)
{
    (void)size;
    return e1000_mmio_read(opaque, (uint32_t)off);
}

static void e1000_mr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    (void)size;
    e1000_mmio_write(opaque, (uint32_t)off, (uint32_t)val);
}

static const MemRegionOps e1000_mmio_ops = {
    .read = e1000_mr_read,
    .write = e1000_mr_write,
    .min_access = 4,
    .max_access = 4,
};

/* I/O BAR (SDM 13.2.1): IOADDR at 0 selects a register, IODATA at 4
 * accesses it. */
static uint64_t e1000_io_read(void *opaque, uint64_t off, unsigned size)
{
    E1000 *s = opaque;
    (void)size;
    if (off == 0)
        return s->ioaddr;
    if (off == 4)
        return e1000_mmio_read(s, s->ioaddr & (E1000_MMIO_SIZE - 1));
    return 0;
}

static void e1000_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    E1000 *s = opaque;
    (void)size;
    if (off == 0)
        s->ioaddr = (uint32_t)val & (E1000_MMIO_SIZE - 4);
    else if (off == 4)
        e1000_mmio_write(s, s->ioaddr, (uint32_t)val);
}

static const MemRegionOps e1000_io_ops = {
    .read = e1000_io_read,
    .write = e1000_io_write,
    .min_access = 4,
    .max_access = 4,
};

/* ---- life cycle ---- */

void e1000_reset(E1000 *s)
{
    memset(s->regs, 0, sizeof(s->regs));
    e1000_set_reg(s, E1000_CTRL, E1000_CTRL_FD | E1000_CTRL_ASDE | E1000_CTRL_SLU |
                                     E1000_CTRL_SPD_1000);
    e1000_set_reg(s, E1000_STATUS, E1000_STATUS_FD | E1000_STATUS_LU |
                                       E1000_STATUS_SPEED_1000 | E1000_STATUS_ASDV_1000);
    e1000_set_reg(s, E1000_PBA, 0x00000030);     /* 48 KiB receive, 16 KiB transmit */
    e1000_set_reg(s, E1000_LEDCTL, 0x07068302);
    e1000_set_reg(s, E1000_TIPG, 0x00000008);
    /* Receive address 0 from EEPROM words 0-2, marked valid (13.4.30). */
    e1000_set_reg(s, E1000_RAL0, (uint32_t)s->mac[0] | (uint32_t)s->mac[1] << 8 |
                                     (uint32_t)s->mac[2] << 16 | (uint32_t)s->mac[3] << 24);
    e1000_set_reg(s, E1000_RAH0, (uint32_t)s->mac[4] | (uint32_t)s->mac[5] << 8 | E1000_RAH_AV);
    memcpy(s->phy, e1000_phy_defaults, sizeof(s->phy));
    e1000_ee_restart(&s->ee);
    s->ee.cs = s->ee.sk = false;
    s->ee.do_bit = true;
    s->ioaddr = 0;
    memset(&s->ctx, 0, sizeof(s->ctx));
    e1000_tx_reset(s);
    e1000_update_irq(s);
}

static void e1000_pci_reset(void *opaque, PciDevice *dev)
{
    (void)dev;
    e1000_reset(opaque);
}

static const PciDeviceInfo e1000_pci_info = {
    .name = "e1000",
    .vendor_id = 0x8086,
    .device_id = 0x100e,
    .revision = 0x03,
    .class_code = 0x020000,      /* network controller, Ethernet */
    .subsystem_vendor_id = 0x8086,
    .subsystem_id = 0x001e,
    .interrupt_pin = 1,
    .reset = e1000_pci_reset,
};

E1000 *e1000_create(PciBus *bus, int devfn, NetDev *nd, const uint8_t mac[NET_MAC_LEN],
                    Log *log)
{
    E1000 *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->nd = nd;
    s->log = log;
    memcpy(s->mac, mac, NET_MAC_LEN);
    e1000_eeprom_init(s);
    s->pci = pci_register_device(bus, devfn, &e1000_pci_info, s);
    if (!s->pci) {
        free(s);
        return NULL;
    }
    pci_register_bar(s->pci, 0, PCI_BAR_MEM, E1000_MMIO_SIZE, &e1000_mmio_ops, s);
    pci_register_bar(s->pci, 1, PCI_BAR_IO, E1000_IO_SIZE, &e1000_io_ops, s);
    e1000_reset(s);
    if (nd)
        netdev_attach_nic(nd, &e1000_nic_ops, s);
    return s;
}

void e1000_destroy(E1000 *s)
{
    if (!s)
        return;
    if (s->nd && s->nd->nic == s)
        netdev_attach_nic(s->nd, NULL, NULL);
    free(s);
}

static void e1000_class_reset(void *dev)
{
    e1000_reset(dev);
}

static void e1000_class_destroy(void *dev)
{
    e1000_destroy(dev);
}

const DeviceClass e1000_class = {
    .name = "e1000",
    .state_size = sizeof(E1000),
    .reset = e1000_class_reset,
    .save = NULL,
    .load = NULL,
    .destroy = e1000_class_destroy,
};
