/*
 * PCI bus 0 of a PC: configuration mechanism #1 (ports 0xCF8/0xCFC), one
 * bus of 32 slots x 8 functions with a type-0 header each, BARs mapped
 * into the memory and I/O address spaces, INTx lines routed to the four
 * PIRQ lines of the board (the PIIX routes those to ISA IRQs).
 *
 * References: PCI Local Bus Specification 3.0, ch. 6 (configuration
 * space), 3.2.2.3.2 (configuration mechanism #1); Intel 440FX PMC
 * datasheet 3.1 (CONFADD/CONFDATA).
 */
#ifndef DOPPEL_DEVICES_PCI_H
#define DOPPEL_DEVICES_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/device.h"
#include "machine/irq.h"
#include "machine/memory.h"

#define PCI_DEVFN(slot, fn) (((slot) << 3) | (fn))
#define PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn) ((devfn) & 7)
#define PCI_NUM_BARS 6
#define PCI_NUM_PIRQ 4
#define PCI_CONFIG_SIZE 256

/* Standard header offsets (PCI 3.0 6.1). */
enum {
    PCI_VENDOR_ID = 0x00,
    PCI_DEVICE_ID = 0x02,
    PCI_COMMAND = 0x04,
    PCI_STATUS = 0x06,
    PCI_REVISION_ID = 0x08,
    PCI_CLASS_PROG = 0x09,
    PCI_CLASS_DEVICE = 0x0a,
    PCI_CACHE_LINE_SIZE = 0x0c,
    PCI_LATENCY_TIMER = 0x0d,
    PCI_HEADER_TYPE = 0x0e,
    PCI_BASE_ADDRESS_0 = 0x10,
    PCI_SUBSYSTEM_VENDOR_ID = 0x2c,
    PCI_SUBSYSTEM_ID = 0x2e,
    PCI_INTERRUPT_LINE = 0x3c,
    PCI_INTERRUPT_PIN = 0x3d,
};

/* Command register bits (PCI 3.0 6.2.2). */
enum {
    PCI_COMMAND_IO = 1u << 0,
    PCI_COMMAND_MEMORY = 1u << 1,
    PCI_COMMAND_MASTER = 1u << 2,
    PCI_COMMAND_INTX_DISABLE = 1u << 10,
};
#define PCI_STATUS_INTERRUPT (1u << 3)
#define PCI_HEADER_MULTI_FUNCTION 0x80

/* Priority of BAR regions in their address space: below the board's RAM
 * and legacy devices (priority 0), as on real chipsets. */
#define PCI_BAR_PRIORITY (-1)

typedef enum PciBarType {
    PCI_BAR_IO,             /* I/O space, bit 0 = 1 */
    PCI_BAR_MEM,            /* 32-bit memory, non-prefetchable */
    PCI_BAR_MEM_PREFETCH,   /* 32-bit memory, prefetchable (bit 3) */
} PciBarType;

typedef struct PciBus PciBus;
typedef struct PciDevice PciDevice;

/* What a device model tells the bus about one function. */
typedef struct PciDeviceInfo {
    const char *name;
    uint16_t vendor_id, device_id;
    uint8_t revision;
    uint32_t class_code;        /* class << 16 | subclass << 8 | prog-if */
    uint8_t header_type;        /* 0, or PCI_HEADER_MULTI_FUNCTION on fn 0 */
    uint16_t subsystem_vendor_id, subsystem_id;
    uint8_t interrupt_pin;      /* 0 = none, 1..4 = INTA#..INTD# */
    /* Optional: called after the generic code stored a config write (with
     * the write mask applied), for device-specific registers. */
    void (*config_write)(void *opaque, PciDevice *dev, unsigned addr,
                         uint32_t val, unsigned size);
    /* Optional: may replace value, the generic result of a config read. */
    uint32_t (*config_read)(void *opaque, PciDevice *dev, unsigned addr,
                            unsigned size, uint32_t value);
    /* Optional: device-specific part of a bus reset (after the generic
     * header registers went back to their defaults). */
    void (*reset)(void *opaque, PciDevice *dev);
} PciDeviceInfo;

typedef struct PciBar {
    PciBarType type;
    uint32_t size;              /* 0: BAR not implemented */
    MemRegion *mr;              /* in the bus's io or mem space */
    bool own_mr;                /* created by pci_register_bar */
    uint64_t mapped_at;         /* valid while mapped */
    bool mapped;
} PciBar;

struct PciDevice {
    PciBus *bus;
    int devfn;
    const PciDeviceInfo *info;
    void *opaque;
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];   /* bits the guest may write */
    uint8_t w1cmask[PCI_CONFIG_SIZE]; /* bits a guest 1 clears */
    PciBar bars[PCI_NUM_BARS];
    int irq_level;                    /* INTx as driven by the device */
    int irq_asserted;                 /* as seen by the PIRQ (after INTx disable) */
};

/* Board hook mapping a device's INTx pin (1..4) to PIRQ 0..3. */
typedef int (*PciMapIrq)(void *opaque, int devfn, int pin);

/** Create bus 0 with its config ports at 0xCF8-0xCFF in io. BARs map into
 *  mem and io; DMA goes to mem. */
PciBus *pci_bus_create(AddressSpace *mem, AddressSpace *io);
/** Remove the ports and every device's BAR regions; free the bus. */
void pci_bus_destroy(PciBus *bus);
/** Reset every function (header registers to defaults, BARs unmapped,
 *  interrupts deasserted) and call each device's reset hook. */
void pci_bus_reset(PciBus *bus);
/** Connect PIRQ n (0..3, PIRQA#..PIRQD#) to line (the PIIX router). */
void pci_bus_set_pirq_line(PciBus *bus, int n, IrqLine line);
/** Replace the INTx -> PIRQ mapping. The default is the i440FX/PIIX board
 *  swizzle PIRQ = (slot + pin - 2) & 3, which SeaBIOS assumes. */
void pci_bus_set_map_irq(PciBus *bus, PciMapIrq map, void *opaque);
/** Byte accesses to 0xCF9 are not configuration cycles (only dword
 *  accesses to 0xCF8 are, i440FX 3.1.1); they go to the PIIX reset control
 *  register through these hooks. */
void pci_bus_set_cf9_handler(PciBus *bus, uint8_t (*read)(void *opaque),
                             void (*write)(void *opaque, uint8_t val), void *opaque);

/** DeviceClass for machine_add_device (state: the PciBus): reset is
 *  pci_bus_reset, destroy pci_bus_destroy. Register it before the
 *  functions on the bus so it is destroyed after them. */
extern const DeviceClass pci_bus_device_class;

/** Plug a function at devfn (0..255). Fills the header from info: IDs,
 *  class, header type, interrupt pin; sets the standard write masks.
 *  Returns NULL if devfn is taken or out of range. */
PciDevice *pci_register_device(PciBus *bus, int devfn, const PciDeviceInfo *info,
                               void *opaque);
/** The function at devfn, or NULL. */
PciDevice *pci_find_device(PciBus *bus, int devfn);

/** Give dev a BAR idx (0..5) of size bytes (a power of two; at least 4 for
 *  I/O, 16 for memory) served by ops/opaque. The region is mapped while
 *  the command register enables its space and the BAR holds a valid
 *  address. Returns the region, or NULL on a bad argument. */
MemRegion *pci_register_bar(PciDevice *dev, int idx, PciBarType type, uint32_t size,
                            const MemRegionOps *ops, void *opaque);
/** Same with a region the device created itself (e.g. RAM for a
 *  framebuffer) in the bus's mem (or io) space; mr->size is the BAR size. */
bool pci_register_bar_region(PciDevice *dev, int idx, PciBarType type, MemRegion *mr);
/** The base address programmed in BAR idx (type bits removed). */
uint32_t pci_bar_address(const PciDevice *dev, int idx);

/** Drive the function's INTx pin (0 or 1). Honours the command register's
 *  interrupt-disable bit and reflects the level in the status register. */
void pci_set_irq(PciDevice *dev, int level);
/** Bus-master DMA: copy len bytes between guest physical addr and buf.
 *  Fails (nothing or only part copied) unless bus mastering is enabled and
 *  every byte lies in RAM (device writes) or RAM/ROM (device reads). */
bool pci_dma_rw(PciDevice *dev, uint64_t addr, void *buf, uint64_t len, bool is_write);

/** Configuration cycle as the host bridge issues it (addr 0..255, size
 *  1/2/4, not crossing a dword). Unclaimed functions read all ones. */
uint32_t pci_config_read(PciBus *bus, int devfn, unsigned addr, unsigned size);
void pci_config_write(PciBus *bus, int devfn, unsigned addr, uint32_t val, unsigned size);

/** Generic config-space accessors on the stored bytes (little-endian). */
static inline uint8_t pci_get_byte(const PciDevice *d, unsigned a) { return d->config[a & 0xff]; }
static inline uint16_t pci_get_word(const PciDevice *d, unsigned a)
{
    return (uint16_t)(pci_get_byte(d, a) | pci_get_byte(d, a + 1) << 8);
}
static inline uint32_t pci_get_long(const PciDevice *d, unsigned a)
{
    return (uint32_t)pci_get_word(d, a) | (uint32_t)pci_get_word(d, a + 2) << 16;
}
static inline void pci_set_byte(PciDevice *d, unsigned a, uint8_t v) { d->config[a & 0xff] = v; }
static inline void pci_set_word(PciDevice *d, unsigned a, uint16_t v)
{
    pci_set_byte(d, a, (uint8_t)v);
    pci_set_byte(d, a + 1, (uint8_t)(v >> 8));
}
static inline void pci_set_long(PciDevice *d, unsigned a, uint32_t v)
{
    pci_set_word(d, a, (uint16_t)v);
    pci_set_word(d, a + 2, (uint16_t)(v >> 16));
}

#endif
