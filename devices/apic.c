/*
 * Local APIC, xAPIC mode, one CPU.
 *
 * References: Intel SDM Vol. 3A chapter 10 "Advanced Programmable
 * Interrupt Controller (APIC)": 10.4.1 (register page, Table 10-1),
 * 10.4.3-10.4.4 (global enable, IA32_APIC_BASE), 10.4.6 (ID), 10.4.7
 * (reset/INIT/software-disable states), 10.4.8 (version), 10.5.1 (LVT,
 * Figure 10-8), 10.5.3 (ESR), 10.5.4 (timer, divide configuration
 * Figure 10-10, TSC-deadline mode 10.5.4.1), 10.6.1-10.6.2 (ICR,
 * destinations: physical, logical flat/cluster), 10.8.3 (TPR/PPR/APR),
 * 10.8.4 (IRR/ISR/TMR acceptance), 10.8.5 (EOI), 10.8.6.1 (CR8), 10.9
 * (spurious vector register).
 *
 * Delivery is instantaneous (the ICR delivery-status bit always reads
 * idle); with one CPU, IPIs to other APICs are dropped. x2APIC, SMI and
 * focus-processor checking are not implemented.
 */
#include "devices/apic.h"

#include <stdlib.h>

#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_REMOTE_IRR (1u << 14)
#define APIC_LVT_LEVEL (1u << 15)
#define APIC_LVT_POLARITY_LOW (1u << 13)
#define APIC_SVR_ENABLE (1u << 8)

/* Timer modes, LVT timer bits 18:17 (SDM Table 10-2). */
enum { TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };

/* ESR bits (SDM 10.5.3, Figure 10-9). */
enum {
    ESR_SEND_ILLEGAL_VECTOR = 1u << 5,
    ESR_RECV_ILLEGAL_VECTOR = 1u << 6,
    ESR_ILLEGAL_REGISTER = 1u << 7,
};

/* Periodic timer: shortest period honoured, so a guest programming a
 * period of a few ns cannot make the host spin on timer callbacks (KVM
 * clamps too). */
#define APIC_MIN_PERIOD_NS 10000

/* Writable bits of each LVT entry (Figure 10-8; delivery status RO). */
static const uint32_t lvt_writable[APIC_LVT_NB] = {
    [APIC_LVT_TIMER] = 0x700FF,     /* vector, mask, timer mode */
    [APIC_LVT_THERMAL] = 0x107FF,   /* vector, delivery mode, mask */
    [APIC_LVT_PERF] = 0x107FF,
    [APIC_LVT_LINT0] = 0x1A7FF,     /* + polarity, trigger (remote IRR RO) */
    [APIC_LVT_LINT1] = 0x1A7FF,
    [APIC_LVT_ERROR] = 0x100FF,     /* vector, mask */
};

static void apic_log(const ApicState *s, unsigned cat, const char *msg, uint64_t val)
{
    if (log_enabled(s->cfg.log, cat))
        log_printf(s->cfg.log, cat, "apic: %s (0x%llx)\n", msg, (unsigned long long)val);
}

/* ---- 256-bit vector registers ---- */

static void vec_set(uint32_t *r, int v) { r[v >> 5] |= 1u << (v & 31); }
static void vec_clear(uint32_t *r, int v) { r[v >> 5] &= ~(1u << (v & 31)); }
static bool vec_test(const uint32_t *r, int v) { return (r[v >> 5] >> (v & 31)) & 1; }

/* Highest set vector, -1 if none. */
static int vec_highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--)
        if (r[i])
            return i * 32 + 31 - __builtin_clz(r[i]);
    return -1;
}

/* ---- state predicates ---- */

static bool hw_enabled(const ApicState *s) { return s->base_msr & APIC_BASE_ENABLE; }
static bool sw_enabled(const ApicState *s) { return s->svr & APIC_SVR_ENABLE; }
static unsigned lvt_mode(uint32_t lvt) { return (lvt >> 8) & 7; }
static unsigned timer_mode(const ApicState *s) { return (s->lvt[APIC_LVT_TIMER] >> 17) & 3; }

/* PPR (SDM 10.8.3.1): the TPR if its class is at least the class of the
 * highest in-service vector, else that class. */
static uint8_t apic_ppr(const ApicState *s)
{
    int isrv = vec_highest(s->isr);
    if (isrv < 0)
        isrv = 0;
    if ((s->tpr & 0xf0) >= (isrv & 0xf0))
        return s->tpr;
    return (uint8_t)(isrv & 0xf0);
}

/* APR (SDM 10.8.3.1, P6 family): arbitration priority. */
static uint8_t apic_apr(const ApicState *s)
{
    int isrv = vec_highest(s->isr), irrv = vec_highest(s->irr);
    unsigned tc = s->tpr >> 4, sc = isrv < 0 ? 0 : (unsigned)isrv >> 4;
    unsigned rc = irrv < 0 ? 0 : (unsigned)irrv >> 4;
    if (tc >= rc && tc > sc)
        return s->tpr;
    unsigned m = tc > sc ? tc : sc;
    return (uint8_t)((m > rc ? m : rc) << 4);
}

/* The highest IRR vector the CPU may take now, or -1 (SDM 10.8.3.1: only a
 * priority class above the PPR's is delivered). */
static int apic_deliverable(const ApicState *s)
{
    if (!hw_enabled(s) || !sw_enabled(s))
        return -1;
    int v = vec_highest(s->irr);
    if (v < 0 || (v & 0xf0) <= (apic_ppr(s) & 0xf0))
        return -1;
    return v;
}

/* Whether the 8259's request passes to INTR: LINT0 acts as the CPU's INTR
 * pin when the APIC is globally disabled (10.4.3), or as virtual wire when
 * it is an unmasked ExtINT entry. */
static bool apic_extint_active(const ApicState *s)
{
    if (!s->lint_level[0])
        return false;
    if (!hw_enabled(s))
        return true;
    uint32_t lvt = s->lvt[APIC_LVT_LINT0];
    return !(lvt & APIC_LVT_MASKED) && lvt_mode(lvt) == APIC_DM_EXTINT;
}

bool apic_has_interrupt(const ApicState *s)
{
    return apic_deliverable(s) >= 0 || apic_extint_active(s);
}

static void apic_update_irq(ApicState *s)
{
    bool level = apic_has_interrupt(s);
    if (level != s->intr_level) {
        s->intr_level = level;
        irq_set(&s->cfg.intr, level);
    }
}

/* ---- acceptance ---- */

static void apic_accept(ApicState *s, int vector, bool level);

/* Record errors; the error LVT interrupts when unmasked (10.5.3). */
static void apic_error(ApicState *s, uint32_t bits)
{
    s->esr_pending |= bits;
    uint32_t lvt = s->lvt[APIC_LVT_ERROR];
    int v = lvt & 0xff;
    if (lvt & APIC_LVT_MASKED)
        return;
    if (v < 16)
        s->esr_pending |= ESR_RECV_ILLEGAL_VECTOR;   /* no recursion through apic_accept */
    else
        apic_accept(s, v, false);
}

/* A fixed interrupt arrives: IRR set, TMR tells its trigger mode (10.8.4).
 * Vectors 0..15 are illegal (10.5.2). */
static void apic_accept(ApicState *s, int vector, bool level)
{
    if (vector < 16) {
        apic_error(s, ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    vec_set(s->irr, vector);
    if (level)
        vec_set(s->tmr, vector);
    else
        vec_clear(s->tmr, vector);
    apic_update_irq(s);
}

static void apic_init_state(ApicState *s);

/* Deliver an interrupt of the given mode to this APIC. */
static void apic_deliver_local(ApicState *s, unsigned mode, int vector, bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        apic_accept(s, vector, level);
        break;
    case APIC_DM_NMI:
        irq_pulse(&s->cfg.nmi);
        break;
    case APIC_DM_INIT:
        /* INIT resets the APIC except its ID and base (10.4.7.3) and the CPU. */
        apic_init_state(s);
        irq_pulse(&s->cfg.init);
        break;
    case APIC_DM_STARTUP:
        break;          /* only an AP waiting for SIPI responds */
    default:
        apic_log(s, LOG_unimp, "delivery mode not supported", mode);
        break;
    }
}

/* An LVT source fires: deliver per its entry (10.5.1). Timer and error
 * entries have no delivery-mode field: always fixed. */
static void apic_lvt_fire(ApicState *s, int idx)
{
    uint32_t lvt = s->lvt[idx];
    if (lvt & APIC_LVT_MASKED)
        return;
    unsigned mode = (idx == APIC_LVT_TIMER || idx == APIC_LVT_ERROR) ? APIC_DM_FIXED
                                                                     : lvt_mode(lvt);
    if (mode == APIC_DM_EXTINT)
        return;         /* ExtINT follows the input level: apic_update_irq */
    apic_deliver_local(s, mode, lvt & 0xff, false);
}

/* ---- LINT0/LINT1 ---- */

static bool lint_asserted(const ApicState *s, int n)
{
    return s->lint_level[n] ^ !!(s->lvt[APIC_LVT_LINT0 + n] & APIC_LVT_POLARITY_LOW);
}

/* Level-triggered fixed LINT0 (10.5.1): while asserted and remote IRR is
 * clear, the vector is accepted and remote IRR set until the EOI. */
static void lint_level_check(ApicState *s, int n)
{
    uint32_t *lvt = &s->lvt[APIC_LVT_LINT0 + n];
    if (n != 0 || !hw_enabled(s) || (*lvt & APIC_LVT_MASKED) || lvt_mode(*lvt) != APIC_DM_FIXED ||
        !(*lvt & APIC_LVT_LEVEL))
        return;
    if (lint_asserted(s, n) && !(*lvt & APIC_LVT_REMOTE_IRR)) {
        *lvt |= APIC_LVT_REMOTE_IRR;
        apic_accept(s, *lvt & 0xff, true);
    }
}

void apic_set_lint(void *opaque, int n, int level)
{
    ApicState *s = opaque;
    if (n < 0 || n > 1)
        return;
    bool was = lint_asserted(s, n);
    s->lint_level[n] = level != 0;
    bool now = lint_asserted(s, n);
    if (!hw_enabled(s)) {
        /* Globally disabled: LINT0 is INTR, LINT1 is NMI (10.4.3). */
        if (n == 1 && level && !was)
            irq_pulse(&s->cfg.nmi);
        apic_update_irq(s);
        return;
    }
    uint32_t lvt = s->lvt[APIC_LVT_LINT0 + n];
    unsigned mode = lvt_mode(lvt);
    if (!(lvt & APIC_LVT_MASKED) && mode != APIC_DM_EXTINT) {
        bool level_trig = n == 0 && mode == APIC_DM_FIXED && (lvt & APIC_LVT_LEVEL);
        if (level_trig)
            lint_level_check(s, n);
        else if (now && !was)
            apic_lvt_fire(s, APIC_LVT_LINT0 + n);
    }
    apic_update_irq(s);
}

IrqLine apic_lint_line(ApicState *s, int n)
{
    return irq_line(apic_set_lint, s, n);
}

/* ---- EOI ---- */

/* EOI (10.8.5): retire the highest in-service vector; a level-triggered
 * one is broadcast to the IO-APIC and clears a LINT remote IRR. */
static void apic_eoi(ApicState *s)
{
    int v = vec_highest(s->isr);
    if (v < 0)
        return;
    vec_clear(s->isr, v);
    if (vec_test(s->tmr, v)) {
        uint32_t *lvt = &s->lvt[APIC_LVT_LINT0];
        if ((*lvt & APIC_LVT_REMOTE_IRR) && (*lvt & 0xff) == (uint32_t)v) {
            *lvt &= ~APIC_LVT_REMOTE_IRR;
            lint_level_check(s, 0);
        }
        if (s->eoi_fn)
            s->eoi_fn(s->eoi_opaque, (uint8_t)v);
    }
    apic_update_irq(s);
}

/* ---- timer ---- */

/* Divide configuration (Figure 10-10): bits 3,1,0; 111b = divide by 1. */
static int timer_shift(const ApicState *s)
{
    unsigned v = ((s->divide_conf >> 1) & 4) | (s->divide_conf & 3);
    return (int)((v + 1) & 7);
}

/* Timer ticks (bus clocks / divisor) since the countdown started. */
static int64_t timer_elapsed(const ApicState *s, int64_t now)
{
    int64_t d = now > s->base_ns ? (now - s->base_ns) / APIC_BUS_NS : 0;
    return s->ticks_base + (d >> timer_shift(s));
}

static int64_t timer_tick_ns(const ApicState *s, int64_t tick)
{
    return s->base_ns + ((tick - s->ticks_base) << timer_shift(s)) * APIC_BUS_NS;
}

static void timer_arm_next(ApicState *s, int64_t now)
{
    if (!s->timer_running || !s->initial_count) {
        timer_del(&s->timer);
        return;
    }
    int64_t d = timer_elapsed(s, now), ic = s->initial_count, tick;
    if (timer_mode(s) == TIMER_PERIODIC) {
        tick = (d / ic + 1) * ic;
    } else {
        tick = ic;
        if (d >= ic) {          /* already expired: fire now */
            timer_mod(&s->timer, now);
            return;
        }
    }
    int64_t t = timer_tick_ns(s, tick);
    if (timer_mode(s) == TIMER_PERIODIC && t < now + APIC_MIN_PERIOD_NS &&
        (ic << timer_shift(s)) * APIC_BUS_NS < APIC_MIN_PERIOD_NS)
        t = now + APIC_MIN_PERIOD_NS;
    timer_mod(&s->timer, t);
}

static void timer_start(ApicState *s, int64_t now)
{
    s->ticks_base = 0;
    s->base_ns = now;
    s->timer_running = s->initial_count != 0;
    timer_arm_next(s, now);
}

static void timer_stop(ApicState *s)
{
    s->timer_running = false;
    s->tsc_deadline = 0;
    timer_del(&s->timer);
}

static uint32_t timer_current_count(const ApicState *s)
{
    if (!s->timer_running || !s->initial_count || timer_mode(s) == TIMER_TSC_DEADLINE)
        return 0;
    int64_t d = timer_elapsed(s, clock_now(s->cfg.clock)), ic = s->initial_count;
    if (timer_mode(s) == TIMER_PERIODIC)
        return (uint32_t)(ic - d % ic);
    return d >= ic ? 0 : (uint32_t)(ic - d);
}

static void apic_timer_cb(void *opaque)
{
    ApicState *s = opaque;
    int64_t now = clock_now(s->cfg.clock);
    if (timer_mode(s) == TIMER_TSC_DEADLINE) {
        if (!s->tsc_deadline)
            return;
        s->tsc_deadline = 0;    /* fires once, then reads 0 (10.5.4.1) */
    } else if (!s->timer_running) {
        return;
    } else if (timer_mode(s) == TIMER_PERIODIC) {
        timer_arm_next(s, now);
    } else {
        s->timer_running = false;
    }
    apic_lvt_fire(s, APIC_LVT_TIMER);
}

uint64_t apic_tsc_deadline_read(void *opaque)
{
    ApicState *s = opaque;
    return timer_mode(s) == TIMER_TSC_DEADLINE ? s->tsc_deadline : 0;
}

void apic_tsc_deadline_write(void *opaque, uint64_t deadline, uint64_t tsc_now)
{
    ApicState *s = opaque;
    if (timer_mode(s) != TIMER_TSC_DEADLINE || !hw_enabled(s))
        return;
    s->tsc_deadline = deadline;
    if (!deadline) {
        timer_del(&s->timer);
        return;
    }
    int64_t now = clock_now(s->cfg.clock);
    uint64_t delta = deadline > tsc_now ? deadline - tsc_now : 0;   /* 1 TSC tick = 1 ns */
    if (delta > (uint64_t)(INT64_MAX - now))
        delta = (uint64_t)(INT64_MAX - now);
    timer_mod(&s->timer, now + (int64_t)delta);
}

/* ---- IPIs (10.6.1) ---- */

bool apic_match_dest(const ApicState *s, uint8_t dest, bool logical)
{
    if (!logical)
        return dest == 0xff || dest == s->id;
    uint8_t ldr = (uint8_t)(s->ldr >> 24);
    if (dest == 0xff)
        return true;
    if ((s->dfr >> 28) == 0xf)                       /* flat model */
        return (dest & ldr) != 0;
    return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf) != 0;   /* cluster model */
}

static void apic_send_ipi(ApicState *s)
{
    unsigned vector = s->icr_lo & 0xff, mode = (s->icr_lo >> 8) & 7;
    unsigned shorthand = (s->icr_lo >> 18) & 3;
    bool logical = s->icr_lo & (1u << 11), assert_ = s->icr_lo & (1u << 14);
    bool level_trig = s->icr_lo & (1u << 15);
    uint8_t dest = (uint8_t)(s->icr_hi >> 24);

    if (mode == APIC_DM_INIT && level_trig && !assert_)
        return;         /* INIT level de-assert: no effect on P6 and later */
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16) {
        apic_error(s, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    bool to_self;
    switch (shorthand) {
    case 1:                                          /* self: fixed only */
        to_self = mode == APIC_DM_FIXED;
        if (!to_self)
            apic_log(s, LOG_guest_errors, "self IPI with a non-fixed delivery mode", mode);
        break;
    case 2: to_self = true; break;                   /* all including self */
    case 3: to_self = false; break;                  /* all excluding self: nobody */
    default: to_self = apic_match_dest(s, dest, logical); break;
    }
    if (to_self)
        apic_deliver_local(s, mode, (int)vector, false);
}

void apic_deliver_msg(void *opaque, const ApicMsg *msg)
{
    ApicState *s = opaque;
    if (!hw_enabled(s) || !apic_match_dest(s, msg->dest, msg->dest_logical))
        return;
    if (msg->delivery_mode == APIC_DM_EXTINT) {
        apic_log(s, LOG_unimp, "ExtINT message from the IO-APIC", msg->vector);
        return;
    }
    apic_deliver_local(s, msg->delivery_mode, msg->vector, msg->level);
}

void apic_set_eoi_handler(ApicState *s, ApicEoiHandler fn, void *opaque)
{
    s->eoi_fn = fn;
    s->eoi_opaque = opaque;
}

/* ---- CPU interface ---- */

int apic_get_interrupt(ApicState *s)
{
    int v = apic_deliverable(s);
    if (v >= 0) {
        vec_clear(s->irr, v);
        vec_set(s->isr, v);
        apic_update_irq(s);
        return v;
    }
    if (apic_extint_active(s) && s->cfg.pic_ack) {
        v = s->cfg.pic_ack(s->cfg.pic_opaque);
        apic_update_irq(s);
        return v;
    }
    apic_update_irq(s);
    return -1;
}

uint8_t apic_get_tpr(void *opaque)
{
    return ((ApicState *)opaque)->tpr;
}

void apic_set_tpr(void *opaque, uint8_t tpr)
{
    ApicState *s = opaque;
    s->tpr = tpr;
    apic_update_irq(s);
}

uint64_t apic_cr8_read(void *opaque)
{
    return apic_get_tpr(opaque) >> 4;
}

void apic_cr8_write(void *opaque, uint64_t val)
{
    apic_set_tpr(opaque, (uint8_t)((val & 0xf) << 4));
}

uint64_t apic_msr_base_read(void *opaque)
{
    return ((ApicState *)opaque)->base_msr;
}

bool apic_msr_base_write(void *opaque, uint64_t val)
{
    ApicState *s = opaque;
    if (val & ~(APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE | APIC_BASE_BSP))
        return false;   /* reserved bits, or x2APIC (EXTD) which is not implemented */
    bool was = hw_enabled(s);
    s->base_msr = (val & (APIC_BASE_ADDR_MASK | APIC_BASE_ENABLE)) | (s->base_msr & APIC_BASE_BSP);
    if (s->region && s->cfg.mem) {
        uint64_t base = s->base_msr & APIC_BASE_ADDR_MASK;
        if (s->region->base != base)
            as_region_move(s->cfg.mem, s->region, base);
        as_region_enable(s->cfg.mem, s->region, hw_enabled(s));
    }
    if (was && !hw_enabled(s))
        apic_init_state(s);         /* enabling again finds the reset state */
    apic_update_irq(s);
    return true;
}

/* ---- registers ---- */

static void lvt_write(ApicState *s, int idx, uint32_t val)
{
    uint32_t old = s->lvt[idx];
    uint32_t v = (val & lvt_writable[idx]) | (old & APIC_LVT_REMOTE_IRR);
    if (!sw_enabled(s))
        v |= APIC_LVT_MASKED;       /* masks stick while software disabled (10.4.7.2) */
    if (idx == APIC_LVT_TIMER && ((v >> 17) & 3) == 3)
        v &= ~(3u << 17);           /* reserved mode: one-shot */
    s->lvt[idx] = v;
    if (idx == APIC_LVT_TIMER && ((old ^ v) & (3u << 17)))
        timer_stop(s);              /* a mode change disarms the timer (10.5.4.1) */
    if (idx == APIC_LVT_LINT0 && !(v & APIC_LVT_LEVEL))
        s->lvt[idx] &= ~APIC_LVT_REMOTE_IRR;
    if (idx == APIC_LVT_LINT0)
        lint_level_check(s, 0);
    apic_update_irq(s);
}

static void svr_write(ApicState *s, uint32_t val)
{
    s->svr = val & 0x3ff;           /* vector, APIC enable, focus checking */
    if (!sw_enabled(s))
        for (int i = 0; i < APIC_LVT_NB; i++)
            s->lvt[i] |= APIC_LVT_MASKED;
    apic_update_irq(s);
}

static uint32_t apic_reg_read(ApicState *s, unsigned idx)
{
    switch (idx) {
    case 0x02: return (uint32_t)s->id << 24;
    case 0x03: return APIC_VERSION;
    case 0x08: return s->tpr;
    case 0x09: return apic_apr(s);
    case 0x0a: return apic_ppr(s);
    case 0x0b: return 0;            /* EOI is write-only */
    case 0x0c: return 0;            /* remote read: not supported */
    case 0x0d: return s->ldr;
    case 0x0e: return s->dfr;
    case 0x0f: return s->svr;
    case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: case 0x15: case 0x16: case 0x17:
        return s->isr[idx - 0x10];
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
        return s->tmr[idx - 0x18];
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0x27:
        return s->irr[idx - 0x20];
    case 0x28: return s->esr;
    case 0x30: return s->icr_lo;
    case 0x31: return s->icr_hi;
    case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
        return s->lvt[idx - 0x32];
    case 0x38: return s->initial_count;
    case 0x39: return timer_current_count(s);
    case 0x3e: return s->divide_conf;
    default:
        apic_error(s, ESR_ILLEGAL_REGISTER);
        return 0;
    }
}

static void apic_reg_write(ApicState *s, unsigned idx, uint32_t val)
{
    int64_t now;
    switch (idx) {
    case 0x02: s->id = (uint8_t)(val >> 24); break;
    case 0x08: apic_set_tpr(s, (uint8_t)val); break;
    case 0x0b: apic_eoi(s); break;
    case 0x0d: s->ldr = val & 0xff000000u; break;
    case 0x0e: s->dfr = val | 0x0fffffffu; break;
    case 0x0f: svr_write(s, val); break;
    case 0x28:                      /* a write latches the errors since the last one */
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case 0x30:
        s->icr_lo = val & ~(1u << 12);   /* delivery status: always idle */
        apic_send_ipi(s);
        break;
    case 0x31: s->icr_hi = val & 0xff000000u; break;
    case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
        lvt_write(s, (int)(idx - 0x32), val);
        break;
    case 0x38:
        if (timer_mode(s) == TIMER_TSC_DEADLINE)
            break;                  /* ignored in TSC-deadline mode (10.5.4.1) */
        s->initial_count = val;
        timer_start(s, clock_now(s->cfg.clock));
        break;
    case 0x3e:
        now = clock_now(s->cfg.clock);
        s->ticks_base = timer_elapsed(s, now);   /* keep the count, change the rate */
        s->base_ns = now;
        s->divide_conf = val & 0xb;
        timer_arm_next(s, now);
        break;
    case 0x03: case 0x09: case 0x0a: case 0x0c: case 0x39:
        break;                      /* read-only */
    default:
        if (idx >= 0x10 && idx <= 0x27)
            break;                  /* ISR/TMR/IRR: read-only */
        apic_error(s, ESR_ILLEGAL_REGISTER);
        break;
    }
}

/* Registers are 32 bits at 16-byte aligned offsets (10.4.1); narrower
 * reads see the bytes of the register, reads of bytes 4..15 of a slot
 * return 0, and writes other than aligned dwords are dropped. */
static uint64_t apic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    ApicState *s = opaque;
    unsigned within = off & 0xf;
    if (within + size > 4) {
        if (within >= 4)
            return 0;
        size = 4 - within;
    }
    uint32_t v = apic_reg_read(s, (unsigned)(off >> 4) & 0xff) >> (within * 8);
    return size == 4 ? v : v & ((1u << (size * 8)) - 1);
}

static void apic_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    ApicState *s = opaque;
    if (size != 4 || (off & 0xf)) {
        apic_log(s, LOG_guest_errors, "non-dword register write dropped", off);
        return;
    }
    apic_reg_write(s, (unsigned)(off >> 4) & 0xff, (uint32_t)val);
}

static const MemRegionOps apic_mmio_ops = {
    .read = apic_mmio_read, .write = apic_mmio_write, .min_access = 1, .max_access = 4,
};

/* ---- life cycle ---- */

/* The state INIT leaves (10.4.7.3): as reset, but the APIC ID and
 * IA32_APIC_BASE are kept. */
static void apic_init_state(ApicState *s)
{
    timer_del(&s->timer);
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    for (int i = 0; i < 8; i++)
        s->isr[i] = s->tmr[i] = s->irr[i] = 0;
    s->esr = s->esr_pending = 0;
    s->icr_lo = s->icr_hi = 0;
    for (int i = 0; i < APIC_LVT_NB; i++)
        s->lvt[i] = APIC_LVT_MASKED;
    s->divide_conf = 0;
    s->initial_count = 0;
    s->ticks_base = s->base_ns = 0;
    s->timer_running = false;
    s->tsc_deadline = 0;
    apic_update_irq(s);
}

void apic_reset(void *opaque)
{
    ApicState *s = opaque;
    s->id = s->cfg.id;
    s->base_msr = APIC_DEFAULT_BASE | APIC_BASE_ENABLE | (s->cfg.bsp ? APIC_BASE_BSP : 0);
    if (s->region && s->cfg.mem) {
        if (s->region->base != APIC_DEFAULT_BASE)
            as_region_move(s->cfg.mem, s->region, APIC_DEFAULT_BASE);
        as_region_enable(s->cfg.mem, s->region, true);
    }
    apic_init_state(s);
    if (s->cfg.bsp)
        s->lvt[APIC_LVT_LINT0] = APIC_DM_EXTINT << 8;   /* virtual wire from reset */
    s->intr_level = false;
    irq_set(&s->cfg.intr, 0);
    apic_update_irq(s);
}

ApicState *apic_create(const ApicConfig *cfg)
{
    ApicState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cfg = *cfg;
    timer_init(&s->timer, cfg->clock, apic_timer_cb, s);
    if (cfg->mem) {
        /* Above RAM and ROM: the APIC page wins wherever the MSR moves it. */
        s->region = as_add_io(cfg->mem, "apic", APIC_DEFAULT_BASE, APIC_MMIO_SIZE,
                              &apic_mmio_ops, s, 10);
        if (!s->region) {
            free(s);
            return NULL;
        }
    }
    apic_reset(s);
    return s;
}

void apic_destroy(void *opaque)
{
    ApicState *s = opaque;
    if (!s)
        return;
    timer_del(&s->timer);
    if (s->region && s->cfg.mem)
        as_remove(s->cfg.mem, s->region);
    free(s);
}

const DeviceClass apic_class = {
    .name = "apic",
    .state_size = sizeof(ApicState),
    .reset = apic_reset,
    .save = NULL,
    .load = NULL,
    .destroy = apic_destroy,
};
