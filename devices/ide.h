/*
 * IDE controller of the PIIX3: two ATA channels at the legacy ports
 * (primary 0x1F0-0x1F7/0x3F6 on IRQ 14, secondary 0x170-0x177/0x376 on
 * IRQ 15), each with a master and a slave that is a hard disk (ATA) or a
 * CD-ROM (ATAPI), plus the bus-master DMA engine behind BAR4 of PCI
 * function 00:01.1 (8086:7010).
 *
 * References: ATA/ATAPI-6 (INCITS 361-2002), MMC-3 for the CD commands,
 * Intel 82371SB (PIIX3) datasheet ch. 2.7 / 3.x (bus master IDE).
 */
#ifndef DOPPEL_DEVICES_IDE_H
#define DOPPEL_DEVICES_IDE_H

#include <stdbool.h>

#include "devices/block/blockdev.h"
#include "devices/pci.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

typedef struct IdeController IdeController;

/** Create the controller and claim the legacy ports of both channels in io.
 *  irq14/irq15 are the ISA lines of the primary/secondary channel. log may
 *  be NULL. */
IdeController *ide_create(AddressSpace *io, IrqLine irq14, IrqLine irq15, const Log *log);
/** Release the ports, close every attached image (flushing it) and free. */
void ide_destroy(IdeController *ide);
/** Hardware reset of both channels (the PCI reset line). */
void ide_reset(IdeController *ide);
/** DeviceClass for machine_add_device (state: the IdeController). */
extern const DeviceClass ide_device_class;

/** Attach a hard disk image as drive index (0 primary master, 1 primary
 *  slave, 2 secondary master, 3 secondary slave). The controller owns blk
 *  from now on. False if the slot is taken or index is bad. */
bool ide_attach_disk(IdeController *ide, int index, BlockDev *blk);
/** Attach a CD-ROM drive, with blk (an ISO, 2048-byte sectors) inserted,
 *  or empty if blk is NULL. The controller owns blk. */
bool ide_attach_cdrom(IdeController *ide, int index, BlockDev *blk);
/** Change the medium in a CD-ROM drive (NULL ejects). The old medium is
 *  closed; a new one raises a UNIT ATTENTION and a media event. */
bool ide_cdrom_change_media(IdeController *ide, int index, BlockDev *blk);

/** Create PCI function devfn (00:01.1 on the PC) for the controller:
 *  8086:7010, class 0x010180 (IDE, legacy mode, bus master), BAR4 = the
 *  16 bus-master registers. DMA goes through the function, so it needs
 *  the command register's bus-master bit. */
PciDevice *piix_ide_create(IdeController *ide, PciBus *bus, int devfn);

#endif
