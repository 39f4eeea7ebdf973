/*
 * Intel 8254 programmable interval timer and PC/AT port 0x61.
 *
 * References: Intel 82C54 CHMOS Programmable Interval Timer datasheet
 * (order 231244): "Control Word Format", "Write Operations", "Read
 * Operations" (simple read, Counter Latch Command, Read-Back Command,
 * Status Byte), "Mode Definitions" (modes 0-5), Table "Gate Pin
 * Operations Summary", Figure "Minimum and Maximum Initial Counts".
 * IBM PC/AT Technical Reference, "System Control Port B" (port 0x61).
 *
 * Time model: a channel's counting element is described by the number of
 * input clocks d elapsed since its count N was loaded. CLK is free running:
 * clock k falls at ceil(k * 1e9 / 1.193182 MHz) ns of virtual time, and d
 * counts those edges since the load (frozen while GATE holds the count). Counter value and OUT are pure functions of
 * (mode, N, d). Simplifications: the count is taken to load at the CLK
 * edge before the write rather than the next one (838 ns early), and in mode 3 a
 * count written during counting takes effect at the end of the current full
 * period instead of the current half-cycle.
 */
#include "devices/pit.h"

#include <stdlib.h>

#define NS_PER_S 1000000000LL
#define REFRESH_TICKS 18    /* BIOS-programmed channel 1 divisor: 15.08 us */

static void pit_log(PitState *s, unsigned cat, const char *msg, unsigned val)
{
    if (log_enabled(s->log, cat))
        log_printf(s->log, cat, "pit: %s (0x%x)\n", msg, val);
}

/* floor(ns * F / 1e9) without overflow, ns >= 0. */
static int64_t ns_to_ticks(int64_t ns)
{
    return (ns / NS_PER_S) * PIT_FREQ_HZ + (ns % NS_PER_S) * PIT_FREQ_HZ / NS_PER_S;
}

/* ceil(t * 1e9 / F): the first ns at which t ticks have elapsed. */
static int64_t ticks_to_ns(int64_t t)
{
    return (t / PIT_FREQ_HZ) * NS_PER_S +
           ((t % PIT_FREQ_HZ) * NS_PER_S + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;
}

static uint32_t ch_modulus(const PitChannel *c)
{
    return c->bcd ? 10000 : 65536;
}

/* Input clocks since time 0: CLK is free running, so every channel's
 * events fall on the same grid. */
static int64_t clk_ticks(int64_t now)
{
    return now > 0 ? ns_to_ticks(now) : 0;
}

static int64_t ch_ticks(const PitChannel *c, int64_t now)
{
    if (!c->counting)
        return c->ticks_offset;
    int64_t t = clk_ticks(now);
    return c->ticks_offset + (t > c->start_tick ? t - c->start_tick : 0);
}

/* Stop the elapsed-tick count (GATE low in modes 0, 2, 3, 4). */
static void ch_freeze(PitChannel *c, int64_t now)
{
    c->ticks_offset = ch_ticks(c, now);
    c->counting = false;
}

/* Resume counting where it stopped. */
static void ch_resume(PitChannel *c, int64_t now)
{
    if (c->counting)
        return;
    c->start_tick = clk_ticks(now);
    c->counting = true;
}

/* Transfer CR to the counting element and begin a new cycle. */
static void ch_start(PitChannel *c, int64_t now, bool running)
{
    c->initial = c->cr ? c->cr : ch_modulus(c);
    c->ticks_offset = 0;
    c->start_tick = clk_ticks(now);
    c->loaded = true;
    c->counting = running;
    c->null_count = false;
    c->cr_pending = false;
    c->frozen_out_low = false;
}

/* Modes 2 and 3: a count written while counting is loaded at the end of
 * the current period (datasheet mode 2 / mode 3 "new count" behaviour). */
static void ch_sync(PitChannel *c, int64_t now)
{
    if (!c->cr_pending || !c->loaded)
        return;
    int64_t d = ch_ticks(c, now);
    if (d < c->switch_at)
        return;
    c->ticks_offset -= c->switch_at;
    c->initial = c->cr ? c->cr : ch_modulus(c);
    c->cr_pending = false;
    c->null_count = false;
}

/* OUT as a function of the elapsed ticks d ("Mode Definitions"). */
static bool ch_out(const PitChannel *c, int64_t d)
{
    int64_t n = c->initial;
    if (c->frozen_out_low)
        return false;
    switch (c->mode) {
    case 0:
        return c->loaded && d >= n;
    case 1:
        return !c->loaded || d >= n;
    case 2:
        if (!c->loaded || !c->gate || n < 2)
            return true;
        return d % n != n - 1;
    case 3:
        if (!c->loaded || !c->gate || n < 2)
            return true;
        return d % n < (n + 1) / 2;
    default: /* 4, 5: one-clock low strobe at terminal count */
        return !c->loaded || d != n;
    }
}

/* The counting element's value (binary, 0..modulus-1). */
static uint32_t ch_counter(const PitChannel *c, int64_t d)
{
    int64_t m = ch_modulus(c), n = c->initial, v;
    if (!c->loaded)
        return c->cr % m;
    switch (c->mode) {
    case 2:
        v = n < 2 ? n : n - d % n;
        break;
    case 3: {
        if (n < 2) {
            v = n;
            break;
        }
        /* Decrements by two; odd counts spend one extra clock high
         * (datasheet mode 3 description). */
        int64_t p = d % n, hi = (n + 1) / 2;
        if (!(n & 1))
            v = p < hi ? n - 2 * p : n - 2 * (p - hi);
        else if (p < hi)
            v = p == 0 ? n : n + 1 - 2 * p;
        else
            v = p == hi ? n : n - 1 - 2 * (p - hi);
        break;
    }
    default: /* 0, 1, 4, 5: count down and wrap */
        v = (n - d) % m;
        if (v < 0)
            v += m;
        break;
    }
    return (uint32_t)(v % m);
}

/* Elapsed-tick value of the next OUT transition after d, or -1 if OUT
 * cannot change without a new write or GATE edge. */
static int64_t ch_next_edge(const PitChannel *c, int64_t d)
{
    int64_t n = c->initial;
    if (!c->loaded || !c->counting || c->frozen_out_low)
        return -1;
    switch (c->mode) {
    case 0:
    case 1:
        return d < n ? n : -1;
    case 2:
    case 3: {
        if (!c->gate || n < 2)
            return -1;
        int64_t p = d % n, base = d - p;
        int64_t fall = c->mode == 2 ? n - 1 : (n + 1) / 2;
        return p < fall ? base + fall : base + n;
    }
    default:
        if (d < n)
            return n;
        return d == n ? n + 1 : -1;
    }
}

static uint16_t to_bcd(uint32_t v)
{
    return (uint16_t)((v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) |
                      ((v / 1000 % 10) << 12));
}

/* IRQ0 follows channel 0's OUT; only changes reach the line. */
static void pit_drive_irq0(PitState *s, bool out)
{
    if (out != s->irq_level) {
        s->irq_level = out;
        irq_set(&s->irq0, out);
    }
}

/* Drive IRQ0 from channel 0's OUT and arm the timer for its next edge. */
static void pit_update_irq(PitState *s)
{
    int64_t now = clock_now(s->clock);
    PitChannel *c = &s->ch[0];
    ch_sync(c, now);
    int64_t d = ch_ticks(c, now);
    pit_drive_irq0(s, ch_out(c, d));
    int64_t next = ch_next_edge(c, d);
    if (next < 0)
        timer_del(&s->timer);
    else
        timer_mod(&s->timer, ticks_to_ns(c->start_tick + next - c->ticks_offset));
}

/* The edge the timer was armed for is due. The callback usually runs
 * after it (timers are polled between CPU slices): by then a mode 2 OUT
 * pulse, low for one input clock (838 ns), is long over, and sampling OUT
 * only now would miss the falling and rising edge, so the PIC would never
 * see another IRQ0 ("Mode 2: Rate Generator"). OUT is therefore driven
 * first as it was at the armed edge, then as it is now. */
static void pit_timer_cb(void *opaque)
{
    PitState *s = opaque;
    PitChannel *c = &s->ch[0];
    int64_t due = s->timer.expire;
    if (due < clock_now(s->clock)) {
        ch_sync(c, due);
        pit_drive_irq0(s, ch_out(c, ch_ticks(c, due)));
    }
    pit_update_irq(s);
}

static void ch_latch_count(PitChannel *c, int64_t now)
{
    if (c->latch_bytes)
        return; /* a latched count not yet read is kept */
    ch_sync(c, now);
    uint32_t v = ch_counter(c, ch_ticks(c, now));
    c->latch_value = c->bcd ? to_bcd(v) : (uint16_t)v;
    c->latch_bytes = c->rw == 3 ? 2 : 1;
    c->latch_msb_next = c->rw == 2;
}

static void ch_latch_status(PitChannel *c, uint8_t ctrl, int64_t now)
{
    if (c->status_latched)
        return;
    ch_sync(c, now);
    bool out = ch_out(c, ch_ticks(c, now));
    c->status = (uint8_t)((out ? 0x80 : 0) | (c->null_count ? 0x40 : 0) | (ctrl & 0x3f));
    c->status_latched = true;
}

static void pit_write_control(PitState *s, uint8_t val, int64_t now)
{
    int sc = val >> 6;
    if (sc == 3) {
        /* Read-back command: D5 = !COUNT, D4 = !STATUS, D3..D1 = CNT2..0. */
        for (int i = 0; i < 3; i++) {
            if (!(val & (2u << i)))
                continue;
            PitChannel *c = &s->ch[i];
            if (!(val & 0x10))
                ch_latch_status(c, c->ctrl, now);
            if (!(val & 0x20))
                ch_latch_count(c, now);
        }
        return;
    }
    PitChannel *c = &s->ch[sc];
    int rw = (val >> 4) & 3;
    if (rw == 0) {
        ch_latch_count(c, now);
        return;
    }
    c->ctrl = val & 0x3f;
    c->rw = (uint8_t)rw;
    c->mode = (val >> 1) & 7;
    if (c->mode >= 6)
        c->mode -= 4;   /* X10 = mode 2, X11 = mode 3 */
    c->bcd = val & 1;
    c->loaded = false;
    c->counting = false;
    c->cr_valid = false;
    c->cr_pending = false;
    c->null_count = true;
    c->ticks_offset = 0;
    c->write_msb_next = false;
    c->read_msb_next = false;
    c->latch_bytes = 0;
    c->status_latched = false;
    c->frozen_out_low = false;
    if (sc == 0)
        pit_update_irq(s);
}

/* A complete count was written to CR ("Write Operations"; each mode's
 * description says when CR is transferred to the counting element). */
static void ch_load(PitState *s, PitChannel *c, uint16_t raw, int64_t now)
{
    uint32_t v = raw;
    if (c->bcd) {
        uint32_t d[4] = { raw & 0xf, (raw >> 4) & 0xf, (raw >> 8) & 0xf, raw >> 12 };
        if (d[0] > 9 || d[1] > 9 || d[2] > 9 || d[3] > 9)
            pit_log(s, LOG_guest_errors, "invalid BCD count", raw);
        v = (d[0] + d[1] * 10 + d[2] * 100 + d[3] * 1000) % 10000;
    }
    c->cr = v;
    c->cr_valid = true;
    c->null_count = true;
    c->frozen_out_low = false;
    if ((c->mode == 2 || c->mode == 3) && v == 1)
        pit_log(s, LOG_guest_errors, "count of 1 is illegal in modes 2 and 3", v);
    switch (c->mode) {
    case 0:
    case 4:
        ch_start(c, now, c->gate);
        break;
    case 1:
    case 5:
        break;  /* loaded by the next GATE trigger */
    default:
        ch_sync(c, now);
        if (!c->loaded || !c->counting) {
            ch_start(c, now, c->gate);
        } else {
            int64_t d = ch_ticks(c, now), n = c->initial;
            c->switch_at = (d / n + 1) * n;
            c->cr_pending = true;
        }
        break;
    }
}

static void pit_write_data(PitState *s, int i, uint8_t val, int64_t now)
{
    PitChannel *c = &s->ch[i];
    switch (c->rw) {
    case 1:
        ch_load(s, c, val, now);
        break;
    case 2:
        ch_load(s, c, (uint16_t)(val << 8), now);
        break;
    default:
        if (!c->write_msb_next) {
            c->write_lsb = val;
            c->write_msb_next = true;
            if (c->mode == 0) {
                /* Mode 0: writing the first byte stops counting and sets
                 * OUT low immediately. */
                ch_freeze(c, now);
                c->frozen_out_low = true;
            }
        } else {
            c->write_msb_next = false;
            ch_load(s, c, (uint16_t)(c->write_lsb | (val << 8)), now);
        }
        break;
    }
    if (i == 0)
        pit_update_irq(s);
}

static uint8_t pit_read_data(PitState *s, int i, int64_t now)
{
    PitChannel *c = &s->ch[i];
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->latch_bytes) {
        uint8_t b = c->latch_msb_next ? c->latch_value >> 8 : c->latch_value & 0xff;
        c->latch_msb_next = !c->latch_msb_next;
        c->latch_bytes--;
        return b;
    }
    ch_sync(c, now);
    uint32_t v = ch_counter(c, ch_ticks(c, now));
    uint16_t w = c->bcd ? to_bcd(v) : (uint16_t)v;
    switch (c->rw) {
    case 1:
        return w & 0xff;
    case 2:
        return w >> 8;
    default:
        c->read_msb_next = !c->read_msb_next;
        return c->read_msb_next ? (w & 0xff) : (w >> 8);
    }
}

static uint64_t pit_io_read(void *opaque, uint64_t off, unsigned size)
{
    PitState *s = opaque;
    if (off >= 3)
        return 0xff;  /* the control word register cannot be read */
    return pit_read_data(s, (int)off, clock_now(s->clock));
}

static void pit_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PitState *s = opaque;
    int64_t now = clock_now(s->clock);
    if (off >= 3)
        pit_write_control(s, (uint8_t)val, now);
    else
        pit_write_data(s, (int)off, (uint8_t)val, now);
}

void pit_set_gate(PitState *s, int i, bool level)
{
    if (i < 0 || i > 2)
        return;
    PitChannel *c = &s->ch[i];
    int64_t now = clock_now(s->clock);
    ch_sync(c, now);
    if (c->gate == level)
        return;
    c->gate = level;
    /* Table "Gate Pin Operations Summary". */
    switch (c->mode) {
    case 0:
    case 4:
        if (c->loaded) {
            if (level)
                ch_resume(c, now);
            else
                ch_freeze(c, now);
        }
        break;
    case 1:
    case 5:
        if (level && c->cr_valid)
            ch_start(c, now, true);   /* (re)trigger */
        break;
    default:
        if (level && c->cr_valid)
            ch_start(c, now, true);   /* rising edge reloads */
        else if (!level && c->loaded)
            ch_freeze(c, now);        /* OUT forced high, count held */
        break;
    }
    if (i == 0)
        pit_update_irq(s);
}

bool pit_get_out(PitState *s, int i)
{
    if (i < 0 || i > 2)
        return false;
    PitChannel *c = &s->ch[i];
    int64_t now = clock_now(s->clock);
    ch_sync(c, now);
    return ch_out(c, ch_ticks(c, now));
}

bool pit_speaker_enabled(const PitState *s)
{
    return (s->port_b & 3) == 3;
}

/* Port 0x61 (PC/AT "System Control Port B"): bits 0-3 read back as
 * written; bit 4 toggles with each DRAM refresh request (channel 1, every
 * 15.08 us on the PC); bit 5 is channel 2's OUT; bits 6-7 (IOCHK, parity
 * error) never assert. */
static uint64_t pit_port_b_read(void *opaque, uint64_t off, unsigned size)
{
    PitState *s = opaque;
    int64_t now = clock_now(s->clock);
    uint8_t v = s->port_b & 0x0f;
    if ((clk_ticks(now) / REFRESH_TICKS) & 1)
        v |= 0x10;
    if (pit_get_out(s, 2))
        v |= 0x20;
    return v;
}

static void pit_port_b_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PitState *s = opaque;
    s->port_b = val & 0x0f;
    pit_set_gate(s, 2, val & 1);
}

static const MemRegionOps pit_io_ops = {
    .read = pit_io_read, .write = pit_io_write, .min_access = 1, .max_access = 1,
};
static const MemRegionOps pit_port_b_ops = {
    .read = pit_port_b_read, .write = pit_port_b_write, .min_access = 1, .max_access = 1,
};

void pit_reset(void *opaque)
{
    PitState *s = opaque;
    for (int i = 0; i < 3; i++) {
        PitChannel *c = &s->ch[i];
        *c = (PitChannel){ 0 };
        c->rw = 3;
        c->gate = i != 2;   /* PC: channels 0 and 1 gated on, 2 from 0x61 */
    }
    s->port_b = 0;
    pit_update_irq(s);
}

PitState *pit_create(AddressSpace *io, VirtClock *clock, IrqLine irq0, Log *log)
{
    PitState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->clock = clock;
    s->irq0 = irq0;
    s->log = log;
    s->io = io;
    timer_init(&s->timer, clock, pit_timer_cb, s);
    pit_reset(s);
    if (io) {
        s->regions[0] = as_add_io(io, "pit", PIT_BASE, 4, &pit_io_ops, s, 0);
        s->regions[1] = as_add_io(io, "port-b", PIT_PORT_B, 1, &pit_port_b_ops, s, 0);
    }
    return s;
}

void pit_destroy(void *opaque)
{
    PitState *s = opaque;
    if (!s)
        return;
    timer_del(&s->timer);
    for (int i = 0; i < 2; i++)
        if (s->io && s->regions[i])
            as_remove(s->io, s->regions[i]);
    free(s);
}

const DeviceClass pit_class = {
    .name = "i8254",
    .state_size = sizeof(PitState),
    .reset = pit_reset,
    .save = NULL,
    .load = NULL,
    .destroy = pit_destroy,
};
