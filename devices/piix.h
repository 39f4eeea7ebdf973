/*
 * The PIIX south bridge functions other than IDE:
 *
 * - PIIX3 PCI-to-ISA bridge, 00:01.0 (8086:7000): PIRQ[A-D] route control
 *   (config 60h-63h) steering PCI interrupts to ISA IRQs, the fast A20 /
 *   fast reset port 92h and the reset control register CF9h.
 *   Reference: Intel 82371SB (PIIX3) datasheet 2.2 (PIRQRC), 82371AB
 *   (PIIX4) datasheet 4.1.x (port 92h, RC register CF9h).
 * - PIIX4 power management function, 00:01.3 (8086:7113): PM base (40h)
 *   and I/O enable (80h), PM1 status/enable/control with SUS_TYP/SUS_EN
 *   sleep (soft off = S5), the 24-bit 3.579545 MHz ACPI PM timer, the SCI
 *   (ISA IRQ 9), and the APM control/status ports B2h/B3h.
 *   Reference: Intel 82371AB (PIIX4) datasheet 7.x / 11.x (power
 *   management registers), ACPI 1.0 4.7 (PM timer).
 */
#ifndef DOPPEL_DEVICES_PIIX_H
#define DOPPEL_DEVICES_PIIX_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"
#include "machine/clock.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/memory.h"

/* ---- PIIX3 ISA bridge ------------------------------------------------------ */

typedef struct Piix3Config {
    IrqLine isa_irq[16];                   /* PIC inputs the PIRQs can reach */
    /* Port 92h bit 1 (alternate A20 gate) changed. */
    void (*set_a20)(void *opaque, bool enabled);
    /* Port 92h bit 0 rising edge or CF9h RCPU: reset the system. */
    void (*reset_request)(void *opaque);
    /* Optional: a PIRQ was routed to irq (the ELCR must make it level
     * triggered). SeaBIOS programs the ELCR itself; this hands the
     * information over for boards started without firmware. */
    void (*elcr_set)(void *opaque, int irq, bool level);
    void *opaque;
} Piix3Config;

typedef struct Piix3State Piix3State;

/** Plug the ISA bridge in at devfn (function 0, multi-function header),
 *  connect the bus's four PIRQ lines to the router, claim port 92h in io
 *  and the CF9h reset register. NULL on failure. */
Piix3State *piix3_create(PciBus *bus, int devfn, AddressSpace *io, const Piix3Config *cfg);
/** Release port 92h and free. The PCI function, its PIRQ lines and the
 *  CF9h hook stay on the bus until pci_bus_destroy; no I/O may happen in
 *  between. */
void piix3_destroy(Piix3State *s);
/** DeviceClass (state: the Piix3State): destroy only; the PCI bus reset
 *  resets the registers. */
extern const DeviceClass piix3_device_class;
/** Current state of the alternate A20 gate (port 92h bit 1). */
bool piix3_a20(const Piix3State *s);

/* ---- PIIX4 power management --------------------------------------------------- */

#define PIIX_PM_TIMER_HZ 3579545ull

typedef struct PiixPmConfig {
    VirtClock *clock;                      /* drives the PM timer */
    IrqLine sci;                           /* ISA IRQ 9 */
    /* SUS_EN written with SUS_TYP = soft off: the guest powered down. */
    void (*poweroff)(void *opaque);
    void *opaque;
} PiixPmConfig;

typedef struct PiixPmState PiixPmState;

/** Plug the PM function in at devfn and claim APM ports B2h/B3h; the PM
 *  register block appears at the PM base once the guest enables it. */
PiixPmState *piix_pm_create(PciBus *bus, int devfn, AddressSpace *io, const PiixPmConfig *cfg);
/** Release the ports and the timer; free (same caveat as piix3_destroy). */
void piix_pm_destroy(PiixPmState *s);
/** DeviceClass (state: the PiixPmState): destroy only. */
extern const DeviceClass piix_pm_device_class;
/** Press the power button: PWRBTN_STS, SCI if enabled (ACPI shutdown). */
void piix_pm_power_button(PiixPmState *s);
/** Current PM timer count (24 bits). */
uint32_t piix_pm_timer(PiixPmState *s);

#endif
