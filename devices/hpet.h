/*
 * High Precision Event Timer block as QEMU's pc machine has it: MMIO at
 * 0xFED00000, a 64-bit main counter at 100 MHz, 3 comparators (periodic
 * capable, 64-bit), legacy replacement routing, capabilities 0x8086A201
 * (the event timer block ID SeaBIOS puts in its ACPI HPET table).
 *
 * Wiring: the PIT's channel-0 output and the RTC's IRQ go through the HPET
 * (hpet_pit_line / hpet_rtc_line) to ISA IRQ0 and IRQ8: while legacy
 * replacement is on, timer 0 drives IRQ0 and timer 1 drives IRQ8 instead
 * (HPET spec 2.3.9.1). Otherwise timer n drives gsi[INT_ROUTE_CNF].
 */
#ifndef DOPPEL_DEVICES_HPET_H
#define DOPPEL_DEVICES_HPET_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/clock.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define HPET_DEFAULT_BASE 0xFED00000u
#define HPET_MMIO_SIZE 0x400u
#define HPET_NUM_TIMERS 3
#define HPET_PERIOD_NS 10            /* 100 MHz: counter period 10^7 fs */
#define HPET_NUM_GSI 24

typedef struct HpetTimer {
    uint64_t config;                 /* Tn_CONF_CAP writable part */
    uint64_t cmp;                    /* comparator */
    uint64_t period;                 /* periodic increment */
    bool level;                      /* line currently raised (level mode) */
    Timer timer;
    struct HpetState *hpet;
    int index;
} HpetTimer;

typedef struct HpetConfig {
    AddressSpace *mem;               /* may be NULL (tests) */
    VirtClock *clock;
    IrqLine irq0, irq8;              /* ISA IRQ0 and IRQ8 (the board's fan-out) */
    IrqLine gsi[HPET_NUM_GSI];       /* IO-APIC pins for non-legacy routes */
    uint32_t route_cap;              /* Tn_INT_ROUTE_CAP (QEMU pc: 1 << 2) */
    Log *log;                        /* may be NULL */
} HpetConfig;

typedef struct HpetState {
    HpetConfig cfg;
    uint64_t config;                 /* general configuration: ENABLE, LEG_RT */
    uint64_t isr;                    /* general interrupt status */
    uint64_t counter;                /* main counter while halted / at base_ns */
    int64_t base_ns;                 /* virtual time when counting (re)started */
    bool pit_level, rtc_level;       /* inputs passed through outside legacy mode */
    HpetTimer t[HPET_NUM_TIMERS];
    MemRegion *region;
} HpetState;

/** Create the HPET described by cfg at 0xFED00000 and reset it. NULL on
 *  allocation failure. */
HpetState *hpet_create(const HpetConfig *cfg);

/** Reset (HPET spec 2.3): halted, counter 0, legacy routing off, every
 *  timer disabled with comparator and period all ones. */
void hpet_reset(void *hpet);

/** Unmap, stop the timers and free. */
void hpet_destroy(void *hpet);

/** Input for the PIT's channel-0 output (n ignored): passed to IRQ0 unless
 *  legacy replacement is on. Matches IrqHandler. */
void hpet_pit_in(void *hpet, int n, int level);
/** Input for the RTC's IRQ (n ignored): passed to IRQ8 likewise. */
void hpet_rtc_in(void *hpet, int n, int level);

IrqLine hpet_pit_line(HpetState *s);
IrqLine hpet_rtc_line(HpetState *s);

/** Main counter value now. */
uint64_t hpet_counter(const HpetState *s);

extern const DeviceClass hpet_class;

#endif
