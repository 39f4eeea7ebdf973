/*
 * Intel 82540EM Gigabit Ethernet controller (PCI 8086:100e), the "e1000"
 * every PC guest has a driver for. BAR0: 128 KiB of memory-mapped
 * registers; BAR1: 64 I/O ports with the IOADDR/IODATA window onto them;
 * INTA#. Behind it: a 64-word Microwire EEPROM (MAC address, IDs,
 * checksum 0xBABA), an M88E1011-style PHY on MDIO address 1 with the link
 * always up at 1000/full, and DMA rings for receive and transmit.
 *
 * Reference: Intel "PCI/PCI-X Family of Gigabit Ethernet Controllers
 * Software Developer's Manual" (8254x SDM, rev. 4.0): ch. 3 (descriptors,
 * rings, TCP segmentation), ch. 5 (EEPROM), ch. 13 (registers, PHY
 * registers, statistics).
 */
#ifndef DOPPEL_DEVICES_E1000_H
#define DOPPEL_DEVICES_E1000_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/net/netdev.h"
#include "devices/pci.h"
#include "machine/device.h"
#include "machine/log.h"

#define E1000_MMIO_SIZE 0x20000
#define E1000_IO_SIZE 0x40
#define E1000_EEPROM_WORDS 64
#define E1000_PHY_REGS 32
#define E1000_TX_BUF (65536 + 256)

/* Register offsets (SDM 13.3, table 13-2). */
enum {
    E1000_CTRL = 0x0000, E1000_STATUS = 0x0008, E1000_EECD = 0x0010, E1000_EERD = 0x0014,
    E1000_CTRL_EXT = 0x0018, E1000_MDIC = 0x0020, E1000_ICR = 0x00c0, E1000_ITR = 0x00c4,
    E1000_ICS = 0x00c8, E1000_IMS = 0x00d0, E1000_IMC = 0x00d8, E1000_RCTL = 0x0100,
    E1000_TCTL = 0x0400, E1000_TIPG = 0x0410, E1000_LEDCTL = 0x0e00, E1000_PBA = 0x1000,
    E1000_RDBAL = 0x2800, E1000_RDBAH = 0x2804, E1000_RDLEN = 0x2808, E1000_RDH = 0x2810,
    E1000_RDT = 0x2818, E1000_RDTR = 0x2820,
    E1000_TDBAL = 0x3800, E1000_TDBAH = 0x3804, E1000_TDLEN = 0x3808, E1000_TDH = 0x3810,
    E1000_TDT = 0x3818,
    E1000_STATS_START = 0x4000, E1000_STATS_END = 0x4100,
    E1000_MTA = 0x5200,          /* 128 dwords */
    E1000_RAL0 = 0x5400, E1000_RAH0 = 0x5404, /* 16 pairs */
};

/* Statistics (SDM 13.7), all clear on read. */
enum {
    E1000_MPC = 0x4010, E1000_GPRC = 0x4074, E1000_BPRC = 0x4078, E1000_MPRC = 0x407c,
    E1000_GPTC = 0x4080, E1000_GORCL = 0x4088, E1000_GORCH = 0x408c, E1000_GOTCL = 0x4090,
    E1000_GOTCH = 0x4094, E1000_RNBC = 0x40a0, E1000_ROC = 0x40ac, E1000_TORL = 0x40c0,
    E1000_TORH = 0x40c4, E1000_TOTL = 0x40c8, E1000_TOTH = 0x40cc, E1000_TPR = 0x40d0,
    E1000_TPT = 0x40d4, E1000_MPTC = 0x40f0, E1000_BPTC = 0x40f4, E1000_TSCTC = 0x40f8,
};

/* CTRL / STATUS bits */
enum {
    E1000_CTRL_FD = 1u << 0, E1000_CTRL_ASDE = 1u << 5, E1000_CTRL_SLU = 1u << 6,
    E1000_CTRL_SPD_1000 = 2u << 8, E1000_CTRL_RST = 1u << 26, E1000_CTRL_PHY_RST = 1u << 31,
};
enum {
    E1000_STATUS_FD = 1u << 0, E1000_STATUS_LU = 1u << 1, E1000_STATUS_SPEED_1000 = 2u << 6,
    E1000_STATUS_ASDV_1000 = 2u << 8,
};
/* EECD bits (SDM 13.4.3) */
enum {
    E1000_EECD_SK = 1u << 0, E1000_EECD_CS = 1u << 1, E1000_EECD_DI = 1u << 2,
    E1000_EECD_DO = 1u << 3, E1000_EECD_FWE = 3u << 4, E1000_EECD_REQ = 1u << 6,
    E1000_EECD_GNT = 1u << 7, E1000_EECD_PRES = 1u << 8,
};
/* EERD bits on the 82540 (SDM 13.4.4) */
enum { E1000_EERD_START = 1u << 0, E1000_EERD_DONE = 1u << 4, E1000_EERD_ADDR_SHIFT = 8,
       E1000_EERD_DATA_SHIFT = 16 };
/* MDIC bits (SDM 13.4.6) */
enum {
    E1000_MDIC_REG_SHIFT = 16, E1000_MDIC_PHY_SHIFT = 21, E1000_MDIC_OP_WRITE = 1u << 26,
    E1000_MDIC_OP_READ = 2u << 26, E1000_MDIC_READY = 1u << 28, E1000_MDIC_INT_EN = 1u << 29,
    E1000_MDIC_ERROR = 1u << 30,
};
/* Interrupt causes: ICR/ICS/IMS/IMC (SDM 13.4.17-21) */
enum {
    E1000_ICR_TXDW = 1u << 0, E1000_ICR_TXQE = 1u << 1, E1000_ICR_LSC = 1u << 2,
    E1000_ICR_RXDMT0 = 1u << 4, E1000_ICR_RXO = 1u << 6, E1000_ICR_RXT0 = 1u << 7,
    E1000_ICR_MDAC = 1u << 9, E1000_ICR_TXD_LOW = 1u << 15,
    E1000_ICR_VALID = 0x0001f6dfu,
};
/* RCTL bits (SDM 13.4.22) */
enum {
    E1000_RCTL_EN = 1u << 1, E1000_RCTL_SBP = 1u << 2, E1000_RCTL_UPE = 1u << 3,
    E1000_RCTL_MPE = 1u << 4, E1000_RCTL_LPE = 1u << 5, E1000_RCTL_RDMTS_SHIFT = 8,
    E1000_RCTL_MO_SHIFT = 12, E1000_RCTL_BAM = 1u << 15, E1000_RCTL_BSIZE_SHIFT = 16,
    E1000_RCTL_BSEX = 1u << 25, E1000_RCTL_SECRC = 1u << 26,
};
/* TCTL bits (SDM 13.4.33) */
enum { E1000_TCTL_EN = 1u << 1, E1000_TCTL_PSP = 1u << 3 };
/* RAH: address valid (SDM 13.4.30) */
#define E1000_RAH_AV (1u << 31)

/* Receive descriptor status (SDM 3.2.3.1) */
enum { E1000_RXD_DD = 1u << 0, E1000_RXD_EOP = 1u << 1, E1000_RXD_IXSM = 1u << 2 };
/* Transmit descriptor command (legacy CMD / extended DCMD >> 24, SDM 3.3.3.1, 3.3.7.1) */
enum {
    E1000_TXD_EOP = 1u << 0, E1000_TXD_IFCS = 1u << 1, E1000_TXD_IC = 1u << 2,
    E1000_TXD_RS = 1u << 3, E1000_TXD_TSE = 1u << 2, E1000_TXD_DEXT = 1u << 5,
    E1000_TXD_VLE = 1u << 6,
};
/* Context TUCMD (SDM 3.3.6): IP = IPv4, TCP = TCP (else UDP), TSE */
enum { E1000_TUCMD_TCP = 1u << 0, E1000_TUCMD_IP = 1u << 1, E1000_TUCMD_TSE = 1u << 2 };
/* Data descriptor POPTS (SDM 3.3.7.3) */
enum { E1000_POPTS_IXSM = 1u << 0, E1000_POPTS_TXSM = 1u << 1 };
#define E1000_TXD_STAT_DD 0x01

/* PHY registers (SDM 13.5.x; M88E1011 on the 82540EM). */
enum {
    E1000_PHY_CTRL = 0, E1000_PHY_STATUS = 1, E1000_PHY_ID1 = 2, E1000_PHY_ID2 = 3,
    E1000_PHY_ANAR = 4, E1000_PHY_LPAR = 5, E1000_PHY_ANER = 6, E1000_PHY_1000T_CTRL = 9,
    E1000_PHY_1000T_STATUS = 10, E1000_PHY_EXT_STATUS = 15, E1000_PHY_SPEC_CTRL = 16,
    E1000_PHY_SPEC_STATUS = 17,
};

/* The offload context of the last context descriptor (SDM 3.3.6). */
typedef struct E1000TxContext {
    uint8_t ipcss, ipcso, tucss, tucso;
    uint16_t ipcse, tucse;
    uint32_t paylen;
    uint8_t hdrlen;
    uint16_t mss;
    uint8_t tucmd;
} E1000TxContext;

/* The packet being assembled from transmit descriptors. */
typedef struct E1000TxPacket {
    uint8_t buf[E1000_TX_BUF];
    uint32_t size;
    bool started;            /* first descriptor seen */
    bool tse;                /* TCP segmentation of this packet */
    uint8_t popts;           /* IXSM/TXSM of the first data descriptor */
    bool legacy_ic;          /* legacy insert-checksum */
    uint8_t legacy_cso, legacy_css;
    bool overflow;           /* more data than fits: drop at EOP */
    /* TSO: per-segment state (original header fields) */
    unsigned seg;
    uint32_t payload_sent;
    uint16_t ip_id0, tcp_csum0;
    uint32_t tcp_seq0;
    uint8_t tcp_flags0;
} E1000TxPacket;

typedef struct E1000Eeprom {
    bool cs, sk, do_bit;
    unsigned bits_in;        /* bits shifted in since the start bit */
    uint32_t val_in;
    bool reading;
    unsigned out_pos;        /* data bit position while reading */
    unsigned addr;
} E1000Eeprom;

typedef struct E1000 {
    PciDevice *pci;
    NetDev *nd;
    Log *log;
    uint8_t mac[NET_MAC_LEN];
    uint32_t regs[E1000_MMIO_SIZE / 4];
    uint16_t eeprom[E1000_EEPROM_WORDS];
    uint16_t phy[E1000_PHY_REGS];
    E1000Eeprom ee;
    uint32_t ioaddr;         /* I/O BAR: IOADDR */
    E1000TxContext ctx;
    E1000TxPacket tx;
    bool tx_running;
} E1000;

extern const DeviceClass e1000_class;

/** An 82540EM at devfn on bus, attached to nd (NULL: no cable) with
 *  station address mac. NULL if devfn is taken. log may be NULL. */
E1000 *e1000_create(PciBus *bus, int devfn, NetDev *nd, const uint8_t mac[NET_MAC_LEN],
                    Log *log);
/** Hardware reset (CTRL.RST, SDM 13.4.1): registers to their defaults,
 *  receive address 0 reloaded from the EEPROM. */
void e1000_reset(E1000 *s);
/** Detach from the NetDev and free (the BARs go with the PCI bus). */
void e1000_destroy(E1000 *s);

/** Register access by BAR0 offset (32-bit; what the MMIO region calls). */
uint32_t e1000_mmio_read(E1000 *s, uint32_t off);
void e1000_mmio_write(E1000 *s, uint32_t off, uint32_t val);

#endif
