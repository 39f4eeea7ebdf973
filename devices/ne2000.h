/*
 * NE2000-compatible Ethernet card: a National Semiconductor DP8390D NIC
 * core with 16 KiB of buffer RAM (pages 0x40..0x7f) and a 16-byte station
 * address PROM, behind an NE2000 "ASIC" that adds the data port (remote
 * DMA, base+0x10) and the reset port (base+0x1f).
 *
 * Two variants: ISA (ne2k_isa, 32 ports at 0x300, IRQ 9) and PCI, the
 * Realtek RTL8029 (10ec:8029) with one 32-byte I/O BAR and INTA#.
 */
#ifndef DOPPEL_DEVICES_NE2000_H
#define DOPPEL_DEVICES_NE2000_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/net/netdev.h"
#include "devices/pci.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define NE2K_IO_SIZE 0x20
#define NE2K_DATA_PORT 0x10
#define NE2K_RESET_PORT 0x1f
#define NE2K_MEM_SIZE 0x8000     /* 16-bit address space used: PROM + RAM */
#define NE2K_RAM_START 0x4000    /* buffer RAM 0x4000..0x7fff */
#define NE2K_PROM_SIZE 32

/* DP8390D registers (datasheet 10.0, register address map), page 0. */
enum {
    NE2K_CR = 0x00,
    NE2K_PSTART = 0x01, NE2K_CLDA0 = 0x01,
    NE2K_PSTOP = 0x02, NE2K_CLDA1 = 0x02,
    NE2K_BNRY = 0x03,
    NE2K_TPSR = 0x04, NE2K_TSR = 0x04,
    NE2K_TBCR0 = 0x05, NE2K_NCR = 0x05,
    NE2K_TBCR1 = 0x06, NE2K_FIFO = 0x06,
    NE2K_ISR = 0x07,
    NE2K_RSAR0 = 0x08, NE2K_CRDA0 = 0x08,
    NE2K_RSAR1 = 0x09, NE2K_CRDA1 = 0x09,
    NE2K_RBCR0 = 0x0a, NE2K_RBCR1 = 0x0b,
    NE2K_RCR = 0x0c, NE2K_RSR = 0x0c,
    NE2K_TCR = 0x0d, NE2K_CNTR0 = 0x0d,
    NE2K_DCR = 0x0e, NE2K_CNTR1 = 0x0e,
    NE2K_IMR = 0x0f, NE2K_CNTR2 = 0x0f,
    /* page 1 */
    NE2K_PAR0 = 0x01, NE2K_CURR = 0x07, NE2K_MAR0 = 0x08,
};

/* CR bits */
enum {
    NE2K_CR_STP = 0x01, NE2K_CR_STA = 0x02, NE2K_CR_TXP = 0x04,
    NE2K_CR_RD_MASK = 0x38, NE2K_CR_RD_READ = 0x08, NE2K_CR_RD_WRITE = 0x10,
    NE2K_CR_RD_SEND = 0x18, NE2K_CR_RD_ABORT = 0x20, NE2K_CR_PS_MASK = 0xc0,
};
/* ISR/IMR bits */
enum {
    NE2K_ISR_PRX = 0x01, NE2K_ISR_PTX = 0x02, NE2K_ISR_RXE = 0x04, NE2K_ISR_TXE = 0x08,
    NE2K_ISR_OVW = 0x10, NE2K_ISR_CNT = 0x20, NE2K_ISR_RDC = 0x40, NE2K_ISR_RST = 0x80,
};
/* RCR bits */
enum { NE2K_RCR_SEP = 0x01, NE2K_RCR_AR = 0x02, NE2K_RCR_AB = 0x04, NE2K_RCR_AM = 0x08,
       NE2K_RCR_PRO = 0x10, NE2K_RCR_MON = 0x20 };
/* RSR bits */
enum { NE2K_RSR_PRX = 0x01, NE2K_RSR_MPA = 0x10, NE2K_RSR_PHY = 0x20 };
/* TSR, TCR, DCR bits */
enum { NE2K_TSR_PTX = 0x01 };
enum { NE2K_TCR_LB_MASK = 0x06 };
enum { NE2K_DCR_WTS = 0x01 };

typedef struct Ne2000 {
    /* wiring */
    NetDev *nd;
    Log *log;
    PciDevice *pci;          /* PCI variant, else NULL */
    IrqLine irq;             /* ISA variant */
    MemRegion *region;       /* ISA ports */
    int irq_level;
    /* DP8390 registers */
    uint8_t cr, pstart, pstop, bnry, tpsr, isr, imr, rcr, tcr, dcr, tsr, rsr, curr;
    uint16_t tbcr, rsar, rbcr;
    uint8_t par[NET_MAC_LEN], mar[8];
    uint8_t cntr[3];         /* tally counters: alignment, CRC, missed */
    /* memory: station address PROM (doubled bytes) and buffer RAM */
    uint8_t prom[NE2K_PROM_SIZE];
    uint8_t mem[NE2K_MEM_SIZE];
} Ne2000;

extern const DeviceClass ne2000_class;

/** An ISA NE2000 at ports base..base+0x1f raising irq, attached to nd
 *  (may be NULL: no cable), station address mac. log may be NULL. */
Ne2000 *ne2000_create_isa(AddressSpace *io, uint16_t base, IrqLine irq, NetDev *nd,
                          const uint8_t mac[NET_MAC_LEN], Log *log);
/** An RTL8029 (10ec:8029) at devfn on bus, BAR0 = 32 I/O ports, INTA#.
 *  NULL if devfn is taken. */
Ne2000 *ne2000_create_pci(PciBus *bus, int devfn, NetDev *nd,
                          const uint8_t mac[NET_MAC_LEN], Log *log);
/** Hardware reset (DP8390D 10.0: ISR.RST set, NIC stopped). */
void ne2000_reset(Ne2000 *s);
/** Detach from the NetDev and free. The port/BAR region is left to the
 *  address space or PCI bus that is going away with it. */
void ne2000_destroy(Ne2000 *s);

/** Port access by offset 0..0x1f and size 1/2/4 (what the bus calls). */
uint32_t ne2000_io_read(Ne2000 *s, unsigned off, unsigned size);
void ne2000_io_write(Ne2000 *s, unsigned off, uint32_t val, unsigned size);

/** The Ethernet CRC-32 of the first 6 bytes (multicast hash: its upper 6
 *  bits select a MAR bit, DP8390D 7.0 "multicast address"). */
uint32_t ne2000_mcast_crc(const uint8_t *addr);

#endif
