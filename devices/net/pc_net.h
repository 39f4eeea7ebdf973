/*
 * Network setup of the PC board: turns the -nic / -netdev / -device
 * options into back-ends (devices/net) and NICs (e1000, RTL8029, ISA
 * NE2000), and publishes the iPXE boot ROMs SeaBIOS needs for PXE.
 */
#ifndef DOPPEL_DEVICES_NET_PC_NET_H
#define DOPPEL_DEVICES_NET_PC_NET_H

#include <stdbool.h>

#include "devices/fw_cfg.h"
#include "devices/pci.h"
#include "machine/irq.h"
#include "machine/machine.h"

/* Where iPXE's PCI option ROMs are looked for (Debian's ipxe-qemu). */
#define PC_NET_ROM_DIR "/usr/lib/ipxe/qemu"

/** Build every NIC and back-end m->cfg asks for:
 *   -nic TYPE,...            one NIC (model= or e1000) on its own back-end;
 *   -netdev TYPE,id=ID,...   a back-end for a -device e1000|ne2k_pci|ne2k_isa
 *                            with netdev=ID (m->cfg->devices entries whose
 *                            driver net_is_nic_driver() accepts; the board
 *                            must skip those in its own -device loop);
 *   nothing at all           one e1000 on user networking if default_nic
 *                            (QEMU's default) and not -nic none.
 * PCI NICs take the first free slots from 00:03.0 on, so call this after
 * the board placed its fixed PCI functions. ISA NE2000s use isa_irq[0..15].
 * If the boot order (m->cfg->boot_order) contains 'n' and fw_cfg is not
 * NULL, each PCI NIC model's iPXE ROM (PC_NET_ROM_DIR/pxe-*.rom) becomes
 * fw_cfg file "pciVVVV,DDDD.rom", which SeaBIOS runs for that device.
 * Everything built is registered with machine_add_device (reset and
 * teardown are automatic). Returns false after printing one error line.
 * Default MACs are 52:54:00:12:34:56, ...:57, ... in NIC order. */
bool pc_net_init(Machine *m, PciBus *pci, const IrqLine isa_irq[16], FwCfg *fw_cfg,
                 bool default_nic);

#endif
