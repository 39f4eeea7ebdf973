/*
 * Intel 440FX host bridge, PCI function 00:00.0 (8086:1237): the PAM
 * registers that shadow 0xC0000-0xFFFFF between ROM (PCI) and DRAM, and
 * the SMRAM control register (kept closed: no SMM).
 *
 * Reference: Intel 440FX PCIset 82441FX PMC datasheet, 3.2 (PAM0-PAM6,
 * 59h-5Fh; SMRAM, 72h).
 */
#ifndef DOPPEL_DEVICES_I440FX_H
#define DOPPEL_DEVICES_I440FX_H

#include "devices/pci.h"
#include "machine/device.h"
#include "machine/memory.h"

#define I440FX_MAX_ROMS 4

typedef struct I440fxConfig {
    AddressSpace *mem;
    /* Guest RAM, based at 0 and at least 1 MiB long: the shadow DRAM. */
    MemRegion *ram;
    /* ROMs that answer where PAM routes 0xC0000-0xFFFFF to PCI (e.g. the
     * BIOS at 0xE0000-0xFFFFF). They must have a higher priority than ram. */
    MemRegion *roms[I440FX_MAX_ROMS];
    int nroms;
    /* Priority of the shadow regions; must be above ram's and the ROMs'. */
    int priority;
} I440fxConfig;

typedef struct I440fxState I440fxState;

/** Plug the host bridge in at devfn 0 of bus and build its 13 shadow
 *  segments in cfg->mem (all routed to PCI/ROM, as after reset). NULL if
 *  devfn 0 is taken or ram is too small. */
I440fxState *i440fx_create(PciBus *bus, const I440fxConfig *cfg);
/** Remove the shadow regions and free (the PCI function stays on the bus
 *  until pci_bus_destroy; no config access may happen in between). */
void i440fx_destroy(I440fxState *s);
/** DeviceClass (state: the I440fxState): destroy only, the PCI bus reset
 *  resets the registers. */
extern const DeviceClass i440fx_device_class;

#endif
