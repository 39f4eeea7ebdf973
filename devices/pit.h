/*
 * Intel 8254 programmable interval timer (ports 0x40-0x43) and the PC/AT
 * system control port B (0x61) bits that belong to it: channel 2's gate,
 * the speaker data enable, the refresh toggle and channel 2's output.
 *
 * Counters are not ticked: each channel remembers when its count was loaded
 * and computes its counter and OUT from the elapsed virtual time at the
 * 1.193182 MHz input clock. Channel 0's OUT drives IRQ0; a Timer is armed
 * for its next edge only when one is due.
 */
#ifndef DOPPEL_DEVICES_PIT_H
#define DOPPEL_DEVICES_PIT_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/clock.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define PIT_BASE 0x40
#define PIT_PORT_B 0x61
#define PIT_FREQ_HZ 1193182

typedef struct PitChannel {
    uint8_t mode;           /* 0..5 */
    uint8_t rw;             /* access: 1 LSB, 2 MSB, 3 LSB then MSB */
    uint8_t ctrl;           /* D5-D0 of the last control word (status) */
    bool bcd;
    bool gate;              /* GATE input level */
    bool loaded;            /* a count has been loaded and counting began
                               (modes 1/5: triggered) */
    bool counting;          /* elapsed ticks advance (not held by GATE) */
    bool null_count;        /* status NULL COUNT */
    uint32_t initial;       /* N: count loaded, 1..65536 (BCD 1..10000) */
    uint32_t cr;            /* count register: last count written (0 = max) */
    bool cr_valid;          /* a count was written since the control word */
    bool cr_pending;        /* modes 2/3: cr written during counting */
    int64_t switch_at;      /* cr_pending: elapsed ticks when CR loads */
    bool write_msb_next;    /* rw 3: next write is the MSB */
    uint8_t write_lsb;      /* rw 3: LSB waiting for its MSB */
    bool read_msb_next;     /* rw 3: next unlatched read is the MSB */
    int latch_bytes;        /* count latch: bytes left to read (0 none) */
    uint16_t latch_value;
    bool latch_msb_next;
    bool status_latched;
    uint8_t status;
    int64_t start_tick;     /* CLK count at which ticks_offset applied */
    int64_t ticks_offset;   /* elapsed ticks at start_ns */
    bool frozen_out_low;    /* mode 0 first byte written: OUT low, stopped */
} PitChannel;

typedef struct PitState {
    PitChannel ch[3];
    VirtClock *clock;
    Timer timer;            /* next edge of channel 0's OUT */
    IrqLine irq0;
    bool irq_level;
    uint8_t port_b;         /* 0x61 bits 0-3 as written */
    Log *log;
    AddressSpace *io;
    MemRegion *regions[2];
} PitState;

/** Create the PIT on io at 0x40-0x43 and port 0x61, counting on clock and
 *  driving irq0 from channel 0's OUT. log may be NULL. */
PitState *pit_create(AddressSpace *io, VirtClock *clock, IrqLine irq0, Log *log);

/** Set the GATE input of channel ch (0..2). On the PC the board leaves
 *  channels 0 and 1 high; channel 2 follows port 0x61 bit 0. */
void pit_set_gate(PitState *pit, int ch, bool level);

/** Current OUT level of channel ch (0..2); 0 for a bad channel. */
bool pit_get_out(PitState *pit, int ch);

/** True when the PC speaker sounds: channel 2 gated on and port 0x61 bit 1
 *  set (the speaker then follows channel 2's OUT). */
bool pit_speaker_enabled(const PitState *pit);

/** Return every channel to the state before programming (no count, OUT low,
 *  no timer) and clear port 0x61. */
void pit_reset(void *pit);

/** Unregister the ports, stop the timer and free the state. */
void pit_destroy(void *pit);

extern const DeviceClass pit_class;

#endif
