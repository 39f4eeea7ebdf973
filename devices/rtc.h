/*
 * Motorola MC146818A real-time clock and CMOS RAM at ports 0x70/0x71, as
 * wired in the PC/AT: bit 7 of the index port masks NMI, the periodic,
 * alarm and update-ended interrupts drive IRQ8, and CMOS byte 0x32 holds
 * the century.
 *
 * The calendar starts from a host time given at creation and advances with
 * the virtual clock; every event (second updates, periodic ticks) is
 * computed from elapsed virtual time, and a Timer is armed only while an
 * enabled interrupt can still raise IRQ8.
 */
#ifndef DOPPEL_DEVICES_RTC_H
#define DOPPEL_DEVICES_RTC_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/clock.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define RTC_BASE 0x70
#define RTC_CMOS_SIZE 128

/* Register indexes (MC146818A "Address Map"; 0x32 by PC convention). */
enum {
    RTC_SECONDS = 0x00,
    RTC_SECONDS_ALARM = 0x01,
    RTC_MINUTES = 0x02,
    RTC_MINUTES_ALARM = 0x03,
    RTC_HOURS = 0x04,
    RTC_HOURS_ALARM = 0x05,
    RTC_DAY_OF_WEEK = 0x06,
    RTC_DAY_OF_MONTH = 0x07,
    RTC_MONTH = 0x08,
    RTC_YEAR = 0x09,
    RTC_REG_A = 0x0a,
    RTC_REG_B = 0x0b,
    RTC_REG_C = 0x0c,
    RTC_REG_D = 0x0d,
    RTC_CENTURY = 0x32,
};

/* Register A/B/C/D bits. */
enum {
    RTC_A_UIP = 0x80,
    RTC_B_SET = 0x80, RTC_B_PIE = 0x40, RTC_B_AIE = 0x20, RTC_B_UIE = 0x10,
    RTC_B_SQWE = 0x08, RTC_B_DM = 0x04, RTC_B_24H = 0x02, RTC_B_DSE = 0x01,
    RTC_C_IRQF = 0x80, RTC_C_PF = 0x40, RTC_C_AF = 0x20, RTC_C_UF = 0x10,
    RTC_D_VRT = 0x80,
};

/* The calendar, always binary and 24-hour inside the model; registers
 * encode it per register B. Fields may hold out-of-range values a guest
 * wrote; the update logic then rolls them over like the chip does. */
typedef struct RtcTime {
    int sec, min, hour;     /* hour 0..23 */
    int dow;                /* 1..7, Sunday = 1 */
    int mday, mon;          /* 1..31, 1..12 */
    int year, century;      /* 0..99 each */
} RtcTime;

typedef struct RtcState {
    uint8_t cmos[RTC_CMOS_SIZE]; /* RAM, alarm bytes, registers A and B */
    uint8_t index;
    bool nmi_masked;             /* port 0x70 bit 7 */
    RtcTime tm;
    uint8_t flags;               /* register C PF/AF/UF */
    bool irq_level;
    bool div_running;            /* register A DV = 010 */
    int64_t div_start_ns;        /* when the divider chain left reset */
    int64_t last_sync_ns;        /* events up to here are accounted for */
    VirtClock *clock;
    Timer timer;
    IrqLine irq;
    Log *log;
    AddressSpace *io;
    MemRegion *region;
} RtcState;

/** Create the RTC at ports 0x70-0x71 on io, driving irq8. The calendar
 *  starts at host_time_base_seconds (seconds since 1970-01-01 UTC) at the
 *  clock's current time. log may be NULL. */
RtcState *rtc_create(AddressSpace *io, VirtClock *clock, IrqLine irq8,
                     int64_t host_time_base_seconds, Log *log);

/** Board access to CMOS byte index (0..127) without side effects on index
 *  or flags: time registers take values in the current register B format.
 *  Indexes outside 0..127 are ignored. */
void rtc_cmos_set(RtcState *rtc, int index, uint8_t val);

/** Read CMOS byte index (0..127) as the guest would see it, except that
 *  reading register C here does not clear it. Returns 0xff for a bad index. */
uint8_t rtc_cmos_get(RtcState *rtc, int index);

/** True while the guest has NMIs masked through port 0x70 bit 7. */
bool rtc_nmi_masked(const RtcState *rtc);

/** The chip's RESET input: clears PIE, AIE, UIE, SQWE and the interrupt
 *  flags (MC146818A "RESET"); time, date and RAM are kept. */
void rtc_reset(void *rtc);

/** Unregister the ports, stop the timer and free the state. */
void rtc_destroy(void *rtc);

extern const DeviceClass rtc_class;

#endif
