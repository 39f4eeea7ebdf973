/*
 * High Precision Event Timer.
 *
 * References: IA-PC HPET (High Precision Event Timers) Specification 1.0a
 * (Intel, 2004): 2.3 "Register Descriptions" (Table 3 memory map, 2.3.4
 * General Capabilities and ID, 2.3.5 General Configuration with
 * LEG_RT_CNF, 2.3.6 General Interrupt Status, 2.3.7 Main Counter, 2.3.8
 * Timer N Configuration and Capability, 2.3.9 Timer N Comparator), 2.3.9.1
 * (legacy replacement routing), 2.3.9.2 (periodic mode and TN_VAL_SET_CNF).
 * QEMU's hpet is the model a PC guest meets: 100 MHz, 3 timers, all
 * 64-bit and periodic capable.
 *
 * Counter model: while enabled, counter = counter_at_base + (now -
 * base_ns) / 10 ns. A comparator in the past (by less than half the
 * counter range) fires at once, as in QEMU; the 32-bit one-shot
 * wrap-around interrupt and FSB (MSI) delivery are not implemented.
 */
#include "devices/hpet.h"

#include <stdlib.h>

#define HPET_CAP (0x8086A001ull | (uint64_t)(HPET_NUM_TIMERS - 1) << 8 | \
                  (uint64_t)(HPET_PERIOD_NS * 1000000ull) << 32)

enum { CFG_ENABLE = 1u << 0, CFG_LEGACY = 1u << 1 };

/* Tn_CONF_CAP bits (2.3.8). */
enum {
    TN_LEVEL = 1u << 1, TN_ENABLE = 1u << 2, TN_PERIODIC = 1u << 3, TN_PER_CAP = 1u << 4,
    TN_SIZE_CAP = 1u << 5, TN_SETVAL = 1u << 6, TN_32BIT = 1u << 8,
    TN_ROUTE_SHIFT = 9, TN_ROUTE_MASK = 0x1fu << 9,
};
#define TN_WRITABLE (TN_LEVEL | TN_ENABLE | TN_PERIODIC | TN_SETVAL | TN_32BIT | TN_ROUTE_MASK)

/* Shortest periodic interval honoured, so a tiny period cannot make the
 * host spin on timer callbacks. */
#define HPET_MIN_PERIOD_NS 10000

static void hpet_log(const HpetState *s, unsigned cat, const char *msg, uint64_t v)
{
    if (log_enabled(s->cfg.log, cat))
        log_printf(s->cfg.log, cat, "hpet: %s (0x%llx)\n", msg, (unsigned long long)v);
}

static bool hpet_enabled(const HpetState *s) { return s->config & CFG_ENABLE; }
static bool hpet_legacy(const HpetState *s) { return s->config & CFG_LEGACY; }

uint64_t hpet_counter(const HpetState *s)
{
    if (!hpet_enabled(s))
        return s->counter;
    int64_t d = clock_now(s->cfg.clock) - s->base_ns;
    return s->counter + (uint64_t)(d > 0 ? d / HPET_PERIOD_NS : 0);
}

/* The line timer t drives: IRQ0/IRQ8 for timers 0/1 in legacy mode
 * (2.3.9.1), else the IO-APIC pin in INT_ROUTE_CNF. */
static const IrqLine *timer_line(HpetTimer *t)
{
    HpetState *s = t->hpet;
    if (hpet_legacy(s) && t->index == 0)
        return &s->cfg.irq0;
    if (hpet_legacy(s) && t->index == 1)
        return &s->cfg.irq8;
    unsigned route = (unsigned)((t->config & TN_ROUTE_MASK) >> TN_ROUTE_SHIFT);
    return route < HPET_NUM_GSI ? &s->cfg.gsi[route] : NULL;
}

static void timer_lower(HpetTimer *t)
{
    HpetState *s = t->hpet;
    s->isr &= ~(1ull << t->index);
    if (t->level) {
        t->level = false;
        irq_lower(timer_line(t));
    }
}

/* Comparator match: level mode raises the line and sets the status bit
 * until software clears it; edge mode pulses (2.3.6). */
static void timer_interrupt(HpetTimer *t)
{
    HpetState *s = t->hpet;
    if (!(t->config & TN_ENABLE))
        return;
    const IrqLine *l = timer_line(t);
    if (t->config & TN_LEVEL) {
        s->isr |= 1ull << t->index;
        t->level = true;
        irq_raise(l);
    } else {
        irq_pulse(l);
    }
}

/* Signed distance from the counter to the comparator in the timer's width. */
static int64_t timer_distance(const HpetTimer *t, uint64_t cur)
{
    if (t->config & TN_32BIT)
        return (int32_t)((uint32_t)t->cmp - (uint32_t)cur);
    return (int64_t)(t->cmp - cur);
}

/* Schedule the next comparator match. A comparator at or behind the
 * counter matches only after a wrap (never, in practice), except right
 * after a comparator write, where it fires at once as in QEMU so a
 * deadline programmed late is not lost. */
static void timer_arm(HpetTimer *t, bool just_written)
{
    HpetState *s = t->hpet;
    if (!hpet_enabled(s)) {
        timer_del(&t->timer);
        return;
    }
    uint64_t cur = hpet_counter(s);
    int64_t d = timer_distance(t, cur);
    if (d <= 0) {
        if (!just_written) {
            timer_del(&t->timer);
            return;
        }
        d = 1;
    }
    int64_t now = clock_now(s->cfg.clock);
    /* First instant the counter reads cur + d. */
    uint64_t ticks = cur + (uint64_t)d - s->counter;
    if (ticks > (uint64_t)(INT64_MAX - s->base_ns) / HPET_PERIOD_NS) {
        timer_del(&t->timer);               /* centuries away */
        return;
    }
    int64_t ns = s->base_ns + (int64_t)ticks * HPET_PERIOD_NS;
    timer_mod(&t->timer, ns > now ? ns : now);
}

static void hpet_timer_cb(void *opaque)
{
    HpetTimer *t = opaque;
    HpetState *s = t->hpet;
    if (!hpet_enabled(s))
        return;
    uint64_t cur = hpet_counter(s);
    if ((t->config & TN_PERIODIC) && t->period) {
        uint64_t width = (t->config & TN_32BIT) ? 0xffffffffull : ~0ull;
        uint64_t period = t->period & width;
        uint64_t min = HPET_MIN_PERIOD_NS / HPET_PERIOD_NS;
        int64_t dist = timer_distance(t, cur);
        uint64_t behind = dist < 0 ? (uint64_t)-dist : 0;
        /* Next match after now (missed periods coalesce), at least min
         * ticks ahead when the period is shorter than that. */
        uint64_t k = (behind + (period < min ? min : 0)) / period + 1;
        t->cmp = (t->cmp + k * period) & width;
        timer_arm(t, false);
    }
    timer_interrupt(t);
}

/* ---- PIT / RTC pass-through ---- */

void hpet_pit_in(void *opaque, int n, int level)
{
    HpetState *s = opaque;
    (void)n;
    s->pit_level = level != 0;
    if (!hpet_legacy(s))
        irq_set(&s->cfg.irq0, s->pit_level);
}

void hpet_rtc_in(void *opaque, int n, int level)
{
    HpetState *s = opaque;
    (void)n;
    s->rtc_level = level != 0;
    if (!hpet_legacy(s))
        irq_set(&s->cfg.irq8, s->rtc_level);
}

IrqLine hpet_pit_line(HpetState *s) { return irq_line(hpet_pit_in, s, 0); }
IrqLine hpet_rtc_line(HpetState *s) { return irq_line(hpet_rtc_in, s, 0); }

/* ---- registers ---- */

static void general_config_write(HpetState *s, uint64_t val)
{
    uint64_t old = s->config;
    for (int i = 0; i < HPET_NUM_TIMERS; i++)
        if ((old ^ val) & CFG_LEGACY)
            timer_lower(&s->t[i]);         /* the line it drives changes */
    if ((old & CFG_ENABLE) && !(val & CFG_ENABLE))
        s->counter = hpet_counter(s);       /* halt: freeze the count */
    s->config = val & (CFG_ENABLE | CFG_LEGACY);
    if (!(old & CFG_ENABLE) && (val & CFG_ENABLE))
        s->base_ns = clock_now(s->cfg.clock);
    if ((old ^ val) & CFG_LEGACY) {
        /* Legacy replacement takes IRQ0/IRQ8 from the PIT and RTC. */
        irq_set(&s->cfg.irq0, hpet_legacy(s) ? 0 : s->pit_level);
        irq_set(&s->cfg.irq8, hpet_legacy(s) ? 0 : s->rtc_level);
    }
    for (int i = 0; i < HPET_NUM_TIMERS; i++)
        timer_arm(&s->t[i], false);
}

static void timer_config_write(HpetTimer *t, uint64_t val)
{
    uint64_t old = t->config;
    uint64_t nv = (old & ~(uint64_t)TN_WRITABLE) | (val & TN_WRITABLE);
    if (!(nv & TN_PER_CAP))
        nv &= ~(uint64_t)TN_PERIODIC;
    if ((old & TN_LEVEL) && (!(nv & TN_LEVEL) || !(nv & TN_ENABLE)))
        timer_lower(t);
    if (((old ^ nv) & TN_ROUTE_MASK))
        timer_lower(t);
    t->config = nv;
    if (nv & TN_32BIT) {
        t->cmp = (uint32_t)t->cmp;
        t->period = (uint32_t)t->period;
    }
    timer_arm(t, false);
}

/* Comparator write (2.3.9.2): in periodic mode the value is the period,
 * and also the comparator when TN_VAL_SET_CNF was set. mask selects the
 * bits written (a 32-bit access writes one half). */
static void timer_cmp_write(HpetTimer *t, uint64_t val, uint64_t mask)
{
    if (t->config & TN_32BIT)
        mask &= 0xffffffffull;
    bool periodic = t->config & TN_PERIODIC;
    if (!periodic || (t->config & TN_SETVAL))
        t->cmp = (t->cmp & ~mask) | (val & mask);
    if (periodic)
        t->period = (t->period & ~mask) | (val & mask);
    t->config &= ~(uint64_t)TN_SETVAL;
    timer_arm(t, true);
}

static uint64_t hpet_reg_read(HpetState *s, uint64_t reg)
{
    if (reg >= 0x100 && reg < 0x100 + 0x20 * HPET_NUM_TIMERS) {
        HpetTimer *t = &s->t[(reg - 0x100) / 0x20];
        switch (reg & 0x1f) {
        case 0x00: return t->config | (uint64_t)s->cfg.route_cap << 32;
        case 0x08: return t->cmp;
        default: return 0;                  /* FSB route: no FSB delivery */
        }
    }
    switch (reg) {
    case 0x000: return HPET_CAP;
    case 0x010: return s->config;
    case 0x020: return s->isr;
    case 0x0f0: return hpet_counter(s);
    default: return 0;
    }
}

static void hpet_reg_write(HpetState *s, uint64_t reg, uint64_t val, uint64_t mask)
{
    if (reg >= 0x100 && reg < 0x100 + 0x20 * HPET_NUM_TIMERS) {
        HpetTimer *t = &s->t[(reg - 0x100) / 0x20];
        if ((reg & 0x1f) == 0x00)
            timer_config_write(t, (t->config & ~mask) | (val & mask));
        else if ((reg & 0x1f) == 0x08)
            timer_cmp_write(t, val, mask);
        return;
    }
    switch (reg) {
    case 0x010:
        general_config_write(s, (s->config & ~mask) | (val & mask));
        break;
    case 0x020:                             /* write 1 to clear (level timers) */
        for (int i = 0; i < HPET_NUM_TIMERS; i++)
            if ((val & mask) & (1ull << i))
                timer_lower(&s->t[i]);
        break;
    case 0x0f0:
        if (hpet_enabled(s)) {
            hpet_log(s, LOG_guest_errors, "main counter written while enabled", val);
            break;
        }
        s->counter = (s->counter & ~mask) | (val & mask);
        break;
    default:
        hpet_log(s, LOG_guest_errors, "write to a read-only or reserved register", reg);
        break;
    }
}

/* 64-bit registers, accessed as aligned dwords or qwords (2.3). */
static uint64_t hpet_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    HpetState *s = opaque;
    uint64_t v = hpet_reg_read(s, off & ~7ull);
    if (size == 8)
        return v;
    return (v >> ((off & 4) * 8)) & 0xffffffffull;
}

static void hpet_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    HpetState *s = opaque;
    if (size == 8) {
        hpet_reg_write(s, off & ~7ull, val, ~0ull);
        return;
    }
    unsigned shift = (unsigned)(off & 4) * 8;
    hpet_reg_write(s, off & ~7ull, (val & 0xffffffffull) << shift, 0xffffffffull << shift);
}

static const MemRegionOps hpet_mmio_ops = {
    .read = hpet_mmio_read, .write = hpet_mmio_write, .min_access = 4, .max_access = 8,
};

/* ---- life cycle ---- */

void hpet_reset(void *opaque)
{
    HpetState *s = opaque;
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        HpetTimer *t = &s->t[i];
        timer_lower(t);
        timer_del(&t->timer);
        t->config = TN_PER_CAP | TN_SIZE_CAP;
        t->cmp = ~0ull;
        t->period = 0;
    }
    s->config = 0;
    s->isr = 0;
    s->counter = 0;
    s->base_ns = 0;
    irq_set(&s->cfg.irq0, s->pit_level);
    irq_set(&s->cfg.irq8, s->rtc_level);
}

HpetState *hpet_create(const HpetConfig *cfg)
{
    HpetState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cfg = *cfg;
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        s->t[i].hpet = s;
        s->t[i].index = i;
        timer_init(&s->t[i].timer, cfg->clock, hpet_timer_cb, &s->t[i]);
    }
    if (cfg->mem) {
        s->region = as_add_io(cfg->mem, "hpet", HPET_DEFAULT_BASE, HPET_MMIO_SIZE,
                              &hpet_mmio_ops, s, 10);
        if (!s->region) {
            free(s);
            return NULL;
        }
    }
    hpet_reset(s);
    return s;
}

void hpet_destroy(void *opaque)
{
    HpetState *s = opaque;
    if (!s)
        return;
    for (int i = 0; i < HPET_NUM_TIMERS; i++)
        timer_del(&s->t[i].timer);
    if (s->region && s->cfg.mem)
        as_remove(s->cfg.mem, s->region);
    free(s);
}

const DeviceClass hpet_class = {
    .name = "hpet",
    .state_size = sizeof(HpetState),
    .reset = hpet_reset,
    .save = NULL,
    .load = NULL,
    .destroy = hpet_destroy,
};
