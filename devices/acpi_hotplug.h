/*
 * The ACPI hotplug and GPE registers of QEMU's PIIX4 PC, which the DSDT that
 * SeaBIOS builds for this board reads (SeaBIOS src/fw/acpi-dsdt.dsl: PCST
 * at 0xAE00, SEJ at 0xAE08, PRST at 0xAF00; its FADT's GPE0 block at
 * 0xAFE0). Unclaimed, those ports would read all ones: every GPE pending,
 * every PCI slot "removed" and 256 CPUs "present" — Linux would then eject
 * PCI devices at random. doppel has no hotplug, so they report none.
 */
#ifndef DOPPEL_DEVICES_ACPI_HOTPLUG_H
#define DOPPEL_DEVICES_ACPI_HOTPLUG_H

#include "machine/device.h"
#include "machine/log.h"
#include "machine/memory.h"

#define ACPI_PCIHP_BASE 0xae00
#define ACPI_CPUHP_BASE 0xaf00
#define ACPI_GPE0_BASE 0xafe0

typedef struct AcpiHotplug AcpiHotplug;

/** Claim the PCI hotplug (0xAE00, 20 bytes), CPU present (0xAF00, 32
 *  bytes) and GPE0 (0xAFE0, 4 bytes) ports; ncpus CPUs are present. */
AcpiHotplug *acpi_hotplug_create(AddressSpace *io, int ncpus, Log *log);
/** GPE0 status bits the guest has not cleared yet (for tests). */
unsigned acpi_hotplug_gpe_status(const AcpiHotplug *s);

extern const DeviceClass acpi_hotplug_class;

#endif
