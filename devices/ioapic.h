/*
 * Intel 82093AA I/O APIC as on QEMU's pc machine: 24 input pins, MMIO at
 * 0xFEC00000 (IOREGSEL at +0x00, IOWIN at +0x10), version 0x11.
 *
 * Inputs are logical levels (1 = asserted; the polarity bit of an entry
 * is stored but, as in QEMU, does not invert the pin). A pin whose entry
 * is unmasked sends an ApicMsg through the deliver callback (the board
 * passes apic_deliver_msg and the local APIC); level-triggered pins set
 * remote IRR until the local APIC's EOI for their vector reaches
 * ioapic_eoi. On the PC the board fans ISA IRQ n to both the 8259 and
 * pin n, except IRQ0 which goes to pin 2 (the MADT's interrupt source
 * override, fw_cfg "etc/irq0-override").
 */
#ifndef DOPPEL_DEVICES_IOAPIC_H
#define DOPPEL_DEVICES_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/apic.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define IOAPIC_DEFAULT_BASE 0xFEC00000u
#define IOAPIC_MMIO_SIZE 0x1000u
#define IOAPIC_NUM_PINS 24
#define IOAPIC_VERSION 0x00170011u   /* max redirection entry 23, version 0x11 */

typedef void (*IoapicDeliver)(void *opaque, const ApicMsg *msg);

typedef struct IoapicState {
    uint8_t regsel;                  /* IOREGSEL */
    uint8_t id;                      /* IOAPICID bits 27:24 */
    uint64_t redir[IOAPIC_NUM_PINS]; /* redirection table entries */
    uint32_t pin_level;              /* current input levels, bit per pin */
    IoapicDeliver deliver;
    void *deliver_opaque;
    AddressSpace *mem;
    MemRegion *region;
    Log *log;
} IoapicState;

/** Create the IO-APIC at base in mem (may be NULL for tests) delivering its
 *  messages through deliver(deliver_opaque, msg). log may be NULL. */
IoapicState *ioapic_create(AddressSpace *mem, uint64_t base, IoapicDeliver deliver,
                           void *deliver_opaque, Log *log);

/** Set input pin (0..23) to level (0 or nonzero). Matches IrqHandler;
 *  out-of-range pins are ignored. */
void ioapic_set_irq(void *ioapic, int pin, int level);

/** The IrqLine of input pin (0..23). */
IrqLine ioapic_irq_line(IoapicState *s, int pin);

/** EOI broadcast from a local APIC for vector: clears remote IRR of every
 *  level-triggered entry with that vector, and redelivers those whose pin
 *  is still asserted. Matches ApicEoiHandler. */
void ioapic_eoi(void *ioapic, uint8_t vector);

/** Reset: ID 0, every entry masked and otherwise 0, IOREGSEL 0 (82093AA
 *  datasheet 3.0). Pin levels are kept: they belong to the devices. */
void ioapic_reset(void *ioapic);

/** Unmap and free. */
void ioapic_destroy(void *ioapic);

extern const DeviceClass ioapic_class;

#endif
