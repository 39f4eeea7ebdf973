/*
 * QEMU-compatible ACPI hotplug/GPE registers (see acpi_hotplug.h).
 * GPE0 block (ACPI spec 6.5, 4.8.1.1): 2 status bytes (write 1 to clear)
 * then 2 enable bytes. PCI hotplug: PCIU (up) and PCID (down) bitmaps,
 * B0EJ eject; nothing is ever hot-plugged, so they read 0. CPU present
 * bitmap: one bit per CPU.
 */
#include "devices/acpi_hotplug.h"

#include <stdlib.h>
#include <string.h>

struct AcpiHotplug {
    Log *log;
    int ncpus;
    uint8_t gpe_sts[2], gpe_en[2];
};

static uint64_t pcihp_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;   /* PCIU, PCID, B0EJ, RMV, SEL: no slot ever changes */
}

static void pcihp_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    AcpiHotplug *s = opaque;
    if (off >= 8 && off < 12 && val)
        log_printf(s->log, LOG_guest_errors, "acpi: eject request %#llx ignored (no hotplug)\n",
                   (unsigned long long)val);
}

static const MemRegionOps pcihp_ops = { pcihp_read, pcihp_write, 1, 4 };

static uint64_t cpuhp_read(void *opaque, uint64_t off, unsigned size)
{
    AcpiHotplug *s = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned byte = (unsigned)off + i;
        uint8_t b = 0;
        for (int bit = 0; bit < 8; bit++)
            if ((int)(byte * 8 + bit) < s->ncpus)
                b |= (uint8_t)(1u << bit);
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void cpuhp_write(void *opaque, uint64_t off, uint64_t val, unsigned size) {}

static const MemRegionOps cpuhp_ops = { cpuhp_read, cpuhp_write, 1, 4 };

static uint64_t gpe_read(void *opaque, uint64_t off, unsigned size)
{
    AcpiHotplug *s = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < 4; i++) {
        unsigned o = (unsigned)off + i;
        uint8_t b = o < 2 ? s->gpe_sts[o] : s->gpe_en[o - 2];
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void gpe_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    AcpiHotplug *s = opaque;
    for (unsigned i = 0; i < size && off + i < 4; i++) {
        unsigned o = (unsigned)off + i;
        uint8_t b = (uint8_t)(val >> (8 * i));
        if (o < 2)
            s->gpe_sts[o] &= (uint8_t)~b;   /* write 1 to clear */
        else
            s->gpe_en[o - 2] = b;
    }
}

static const MemRegionOps gpe_ops = { gpe_read, gpe_write, 1, 4 };

AcpiHotplug *acpi_hotplug_create(AddressSpace *io, int ncpus, Log *log)
{
    AcpiHotplug *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->log = log;
    s->ncpus = ncpus;
    as_add_io(io, "acpi-pcihp", ACPI_PCIHP_BASE, 0x14, &pcihp_ops, s, 0);
    as_add_io(io, "acpi-cpuhp", ACPI_CPUHP_BASE, 0x20, &cpuhp_ops, s, 0);
    as_add_io(io, "acpi-gpe0", ACPI_GPE0_BASE, 4, &gpe_ops, s, 0);
    return s;
}

unsigned acpi_hotplug_gpe_status(const AcpiHotplug *s)
{
    return s->gpe_sts[0] | (unsigned)s->gpe_sts[1] << 8;
}

static void acpi_hotplug_reset(void *dev)
{
    AcpiHotplug *s = dev;
    memset(s->gpe_sts, 0, sizeof(s->gpe_sts));
    memset(s->gpe_en, 0, sizeof(s->gpe_en));
}

static void acpi_hotplug_destroy(void *dev)
{
    free(dev);   /* the port regions stay with the address space */
}

const DeviceClass acpi_hotplug_class = {
    .name = "acpi-hotplug",
    .state_size = sizeof(AcpiHotplug),
    .reset = acpi_hotplug_reset,
    .destroy = acpi_hotplug_destroy,
};
