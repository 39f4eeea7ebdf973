/*
 * Motorola MC146818A real-time clock plus RAM (PC/AT CMOS).
 *
 * References: Motorola MC146818A datasheet: "Address Map", "Time, Calendar
 * and Alarm Locations" (Table 3, BCD/binary and 12/24-hour encodings),
 * "Register A" (UIP, DV2-DV0, RS3-RS0 and Table 4 periodic rates),
 * "Register B" (SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE), "Register C"
 * (IRQF, PF, AF, UF), "Register D" (VRT), "Update Cycle" (UIP timing:
 * tBUC = 244 us before an update cycle of 1984 us at 32.768 kHz),
 * "Interrupts", "Divider Stages" (first update 500 ms after the divider
 * leaves reset), "RESET". IBM PC/AT Technical Reference: port 0x70 bit 7
 * masks NMI; CMOS 0x32 is the century byte.
 *
 * Time model: update cycles end at div_start + 0.5 s + k seconds while the
 * divider runs (DV = 010) and periodic ticks fall every P cycles of the
 * 32.768 kHz time base counted from div_start. Nothing is ticked: sync()
 * counts the events between the last sync and now, advances the calendar
 * and sets the flags they would have set. The calendar changes at the end
 * of an update cycle, so it is stable whenever UIP reads 0.
 */
#include "devices/rtc.h"

#include <stdlib.h>

#define NS_PER_S 1000000000LL
#define RTC_BASE_HZ 32768
#define UIP_WINDOW_NS 2228000LL     /* tBUC 244 us + update cycle 1984 us */
#define FIRST_UPDATE_NS 500000000LL /* after the divider leaves reset */
#define ALARM_DONT_CARE 0xc0
#define SECS_PER_DAY 86400

static void rtc_log(RtcState *s, unsigned cat, const char *msg, unsigned val)
{
    if (log_enabled(s->log, cat))
        log_printf(s->log, cat, "rtc: %s (0x%02x)\n", msg, val);
}

/* ---- calendar arithmetic ------------------------------------------------ */

static int days_in_month(int mon, int full_year)
{
    static const uint8_t dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (mon < 1 || mon > 12)
        return 31;
    if (mon == 2 && ((full_year % 4 == 0 && full_year % 100 != 0) || full_year % 400 == 0))
        return 29;
    return dim[mon - 1];
}

/* One day of calendar carry. Out-of-range fields roll over at their limit
 * so a guest's garbage settles into a valid date. */
static void tm_next_day(RtcTime *t)
{
    t->dow = (t->dow >= 7 || t->dow < 1) ? 1 : t->dow + 1;
    if (++t->mday <= days_in_month(t->mon, t->century * 100 + t->year))
        return;
    t->mday = 1;
    if (++t->mon <= 12 && t->mon >= 1)
        return;
    t->mon = 1;
    if (++t->year <= 99 && t->year >= 0)
        return;
    t->year = 0;
    t->century = (t->century >= 99 || t->century < 0) ? 0 : t->century + 1;
}

/* Advance the calendar by n seconds. */
static void tm_add_seconds(RtcTime *t, int64_t n)
{
    /* Step singly until the time of day is valid, then jump. */
    while (n > 0 && (t->sec < 0 || t->sec > 59 || t->min < 0 || t->min > 59 ||
                     t->hour < 0 || t->hour > 23)) {
        n--;
        if (++t->sec < 60 && t->sec >= 0)
            continue;
        t->sec = 0;
        if (++t->min < 60 && t->min >= 0)
            continue;
        t->min = 0;
        if (++t->hour < 24 && t->hour >= 0)
            continue;
        t->hour = 0;
        tm_next_day(t);
    }
    if (n <= 0)
        return;
    int64_t total = t->sec + 60 * t->min + 3600 * t->hour + n;
    int64_t days = total / SECS_PER_DAY, rem = total % SECS_PER_DAY;
    t->hour = (int)(rem / 3600);
    t->min = (int)(rem / 60 % 60);
    t->sec = (int)(rem % 60);
    while (days-- > 0)
        tm_next_day(t);
}

/* Seconds since 1970-01-01 UTC to a calendar (proleptic Gregorian). */
static void tm_from_unix(RtcTime *t, int64_t secs)
{
    int64_t days = secs / SECS_PER_DAY, rem = secs % SECS_PER_DAY;
    if (rem < 0) {
        rem += SECS_PER_DAY;
        days--;
    }
    t->hour = (int)(rem / 3600);
    t->min = (int)(rem / 60 % 60);
    t->sec = (int)(rem % 60);
    t->dow = (int)(((days % 7) + 7 + 4) % 7) + 1;   /* 1970-01-01: Thursday */
    /* Civil date from a day count, shifting the year to start in March. */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t y = yoe + era * 400;
    t->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    t->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (t->mon <= 2)
        y++;
    if (y < 0)
        y = 0;
    t->year = (int)(y % 100);
    t->century = (int)(y / 100 % 100);
}

/* ---- register encodings (datasheet Table 3) ----------------------------- */

static bool rtc_binary(const RtcState *s)
{
    return s->cmos[RTC_REG_B] & RTC_B_DM;
}

static uint8_t rtc_enc(const RtcState *s, int v)
{
    unsigned u = (unsigned)v & 0xff;
    if (rtc_binary(s))
        return (uint8_t)u;
    return (uint8_t)(((u / 10 % 10) << 4) | (u % 10));
}

static int rtc_dec(const RtcState *s, uint8_t v)
{
    if (rtc_binary(s))
        return v;
    return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t rtc_enc_hour(const RtcState *s, int hour)
{
    if (s->cmos[RTC_REG_B] & RTC_B_24H)
        return rtc_enc(s, hour);
    int h12 = hour % 12 == 0 ? 12 : hour % 12;
    return rtc_enc(s, h12) | (hour >= 12 ? 0x80 : 0);
}

static int rtc_dec_hour(const RtcState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & RTC_B_24H)
        return rtc_dec(s, v);
    return rtc_dec(s, v & 0x7f) % 12 + ((v & 0x80) ? 12 : 0);
}

/* ---- time base ---------------------------------------------------------- */

/* floor(ns * 32768 / 1e9), ns >= 0. */
static int64_t ns_to_cycles(int64_t ns)
{
    if (ns < 0)
        return 0;
    return (ns / NS_PER_S) * RTC_BASE_HZ + (ns % NS_PER_S) * RTC_BASE_HZ / NS_PER_S;
}

/* ceil(c * 1e9 / 32768). */
static int64_t cycles_to_ns(int64_t c)
{
    return (c / RTC_BASE_HZ) * NS_PER_S +
           ((c % RTC_BASE_HZ) * NS_PER_S + RTC_BASE_HZ - 1) / RTC_BASE_HZ;
}

/* Periodic interrupt period in 32.768 kHz cycles (Table 4), 0 for none. */
static int64_t rtc_period_cycles(const RtcState *s)
{
    int rs = s->cmos[RTC_REG_A] & 0x0f;
    if (rs == 0)
        return 0;
    if (rs <= 2)
        return 1LL << (rs + 6);   /* 0001, 0010 repeat 1000, 1001 */
    return 1LL << (rs - 1);
}

static int64_t rtc_first_update(const RtcState *s)
{
    return s->div_start_ns + FIRST_UPDATE_NS;
}

/* Update cycles ended in (div_start, t]. */
static int64_t rtc_updates_by(const RtcState *s, int64_t t)
{
    int64_t first = rtc_first_update(s);
    return t >= first ? (t - first) / NS_PER_S + 1 : 0;
}

/* Periodic ticks in (div_start, t] for period p. */
static int64_t rtc_ticks_by(const RtcState *s, int64_t t, int64_t p)
{
    return ns_to_cycles(t - s->div_start_ns) / p;
}

/* Does the updated time match the alarm bytes? ("Interrupts": a byte of
 * binary 11xxxxxx is a don't-care code.) */
static bool rtc_alarm_match(const RtcState *s)
{
    static const struct { uint8_t alarm; uint8_t reg; } pairs[3] = {
        { RTC_SECONDS_ALARM, RTC_SECONDS },
        { RTC_MINUTES_ALARM, RTC_MINUTES },
        { RTC_HOURS_ALARM, RTC_HOURS },
    };
    for (int i = 0; i < 3; i++) {
        uint8_t a = s->cmos[pairs[i].alarm];
        if ((a & ALARM_DONT_CARE) == ALARM_DONT_CARE)
            continue;
        uint8_t cur;
        if (pairs[i].reg == RTC_SECONDS)
            cur = rtc_enc(s, s->tm.sec);
        else if (pairs[i].reg == RTC_MINUTES)
            cur = rtc_enc(s, s->tm.min);
        else
            cur = rtc_enc_hour(s, s->tm.hour);
        if (a != cur)
            return false;
    }
    return true;
}

/* n update cycles completed: advance the calendar, check the alarm at
 * each one (only while AF is clear; a day's worth covers every match). */
static void rtc_do_updates(RtcState *s, int64_t n)
{
    if (!(s->flags & RTC_C_AF)) {
        int64_t skip = n > SECS_PER_DAY ? n - SECS_PER_DAY : 0;
        tm_add_seconds(&s->tm, skip);
        n -= skip;
        while (n > 0) {
            tm_add_seconds(&s->tm, 1);
            n--;
            if (rtc_alarm_match(s)) {
                s->flags |= RTC_C_AF;
                break;
            }
        }
    }
    tm_add_seconds(&s->tm, n);
    s->flags |= RTC_C_UF;
}

/* Account for every update cycle and periodic tick up to now. */
static void rtc_sync(RtcState *s, int64_t now)
{
    if (now <= s->last_sync_ns)
        return;
    if (s->div_running) {
        int64_t n = rtc_updates_by(s, now) - rtc_updates_by(s, s->last_sync_ns);
        if (n > 0 && !(s->cmos[RTC_REG_B] & RTC_B_SET))
            rtc_do_updates(s, n);
        int64_t p = rtc_period_cycles(s);
        if (p && rtc_ticks_by(s, now, p) > rtc_ticks_by(s, s->last_sync_ns, p))
            s->flags |= RTC_C_PF;
    }
    s->last_sync_ns = now;
}

static bool rtc_irqf(const RtcState *s)
{
    /* PF/AF/UF sit at the same bit positions as PIE/AIE/UIE. */
    return s->flags & s->cmos[RTC_REG_B] & (RTC_C_PF | RTC_C_AF | RTC_C_UF);
}

/* Drive IRQ8 from IRQF and arm the timer for the next event that could
 * raise it; none while IRQF is already set (only a register C read can
 * lower it). */
static void rtc_update_irq(RtcState *s, int64_t now)
{
    bool level = rtc_irqf(s);
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
    int64_t next = INT64_MAX;
    uint8_t b = s->cmos[RTC_REG_B];
    if (!level && s->div_running) {
        int64_t p = rtc_period_cycles(s);
        if ((b & RTC_B_PIE) && p) {
            int64_t k = rtc_ticks_by(s, now, p) + 1;
            next = s->div_start_ns + cycles_to_ns(k * p);
        }
        if ((b & (RTC_B_UIE | RTC_B_AIE)) && !(b & RTC_B_SET)) {
            int64_t t = rtc_first_update(s) + rtc_updates_by(s, now) * NS_PER_S;
            if (t < next)
                next = t;
        }
    }
    if (next == INT64_MAX)
        timer_del(&s->timer);
    else
        timer_mod(&s->timer, next);
}

static void rtc_timer_cb(void *opaque)
{
    RtcState *s = opaque;
    int64_t now = clock_now(s->clock);
    rtc_sync(s, now);
    rtc_update_irq(s, now);
}

/* UIP: set from tBUC before an update cycle until it ends; never while SET
 * inhibits updates or the divider is stopped. */
static bool rtc_uip(const RtcState *s, int64_t now)
{
    if (!s->div_running || (s->cmos[RTC_REG_B] & RTC_B_SET))
        return false;
    int64_t next = rtc_first_update(s) + rtc_updates_by(s, now) * NS_PER_S;
    return next - now <= UIP_WINDOW_NS;
}

/* ---- register access ---------------------------------------------------- */

static uint8_t rtc_read_reg(RtcState *s, unsigned idx, bool clear_c)
{
    int64_t now = clock_now(s->clock);
    rtc_sync(s, now);
    switch (idx) {
    case RTC_SECONDS:      return rtc_enc(s, s->tm.sec);
    case RTC_MINUTES:      return rtc_enc(s, s->tm.min);
    case RTC_HOURS:        return rtc_enc_hour(s, s->tm.hour);
    case RTC_DAY_OF_WEEK:  return rtc_enc(s, s->tm.dow);
    case RTC_DAY_OF_MONTH: return rtc_enc(s, s->tm.mday);
    case RTC_MONTH:        return rtc_enc(s, s->tm.mon);
    case RTC_YEAR:         return rtc_enc(s, s->tm.year);
    case RTC_CENTURY:      return rtc_enc(s, s->tm.century);
    case RTC_REG_A:
        return (s->cmos[RTC_REG_A] & 0x7f) | (rtc_uip(s, now) ? RTC_A_UIP : 0);
    case RTC_REG_C: {
        uint8_t v = s->flags | (rtc_irqf(s) ? RTC_C_IRQF : 0);
        if (clear_c) {
            /* Reading C clears every flag and releases IRQ. */
            s->flags = 0;
            rtc_update_irq(s, now);
        }
        return v;
    }
    case RTC_REG_D:
        return RTC_D_VRT;
    default:
        return s->cmos[idx & 0x7f];
    }
}

static void rtc_write_reg_a(RtcState *s, uint8_t val, int64_t now)
{
    int dv = (val >> 4) & 7;
    bool run = dv == 2;
    if (dv < 2 || (dv > 2 && dv < 6))
        rtc_log(s, LOG_unimp, "divider other than 32.768 kHz or reset", val);
    if (run && !s->div_running)
        s->div_start_ns = now;   /* first update cycle 500 ms later */
    s->div_running = run;
    s->cmos[RTC_REG_A] = val & 0x7f;   /* UIP is read-only */
}

static void rtc_write_reg(RtcState *s, unsigned idx, uint8_t val)
{
    int64_t now = clock_now(s->clock);
    rtc_sync(s, now);
    switch (idx) {
    case RTC_SECONDS:      s->tm.sec = rtc_dec(s, val); break;
    case RTC_MINUTES:      s->tm.min = rtc_dec(s, val); break;
    case RTC_HOURS:        s->tm.hour = rtc_dec_hour(s, val); break;
    case RTC_DAY_OF_WEEK:  s->tm.dow = rtc_dec(s, val); break;
    case RTC_DAY_OF_MONTH: s->tm.mday = rtc_dec(s, val); break;
    case RTC_MONTH:        s->tm.mon = rtc_dec(s, val); break;
    case RTC_YEAR:         s->tm.year = rtc_dec(s, val); break;
    case RTC_CENTURY:      s->tm.century = rtc_dec(s, val); break;
    case RTC_REG_A:
        rtc_write_reg_a(s, val, now);
        break;
    case RTC_REG_B:
        /* SET going high aborts updates and clears UIE. */
        if (val & RTC_B_SET)
            val &= ~RTC_B_UIE;
        s->cmos[RTC_REG_B] = val;
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        rtc_log(s, LOG_guest_errors, "write to read-only register", idx);
        break;
    default:
        s->cmos[idx & 0x7f] = val;
        break;
    }
    rtc_update_irq(s, now);
}

static uint64_t rtc_io_read(void *opaque, uint64_t off, unsigned size)
{
    RtcState *s = opaque;
    if (off == 0)
        return 0xff;   /* the index register is write-only */
    return rtc_read_reg(s, s->index, true);
}

static void rtc_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    RtcState *s = opaque;
    if (off == 0) {
        s->index = val & 0x7f;
        s->nmi_masked = val & 0x80;
        return;
    }
    rtc_write_reg(s, s->index, (uint8_t)val);
}

static const MemRegionOps rtc_io_ops = {
    .read = rtc_io_read, .write = rtc_io_write, .min_access = 1, .max_access = 1,
};

void rtc_cmos_set(RtcState *s, int index, uint8_t val)
{
    if (index < 0 || index >= RTC_CMOS_SIZE)
        return;
    rtc_write_reg(s, (unsigned)index, val);
}

uint8_t rtc_cmos_get(RtcState *s, int index)
{
    if (index < 0 || index >= RTC_CMOS_SIZE)
        return 0xff;
    return rtc_read_reg(s, (unsigned)index, false);
}

bool rtc_nmi_masked(const RtcState *s)
{
    return s->nmi_masked;
}

void rtc_reset(void *opaque)
{
    RtcState *s = opaque;
    int64_t now = clock_now(s->clock);
    rtc_sync(s, now);
    s->cmos[RTC_REG_B] &= ~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
    s->flags = 0;
    rtc_update_irq(s, now);
}

RtcState *rtc_create(AddressSpace *io, VirtClock *clock, IrqLine irq8,
                     int64_t host_time_base_seconds, Log *log)
{
    RtcState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->clock = clock;
    s->irq = irq8;
    s->log = log;
    s->io = io;
    timer_init(&s->timer, clock, rtc_timer_cb, s);
    int64_t now = clock_now(clock);
    tm_from_unix(&s->tm, host_time_base_seconds);
    /* Battery-backed defaults: 32.768 kHz divider, 1024 Hz rate, BCD,
     * 24-hour. The next update cycle ends one second from now. */
    s->cmos[RTC_REG_A] = 0x26;
    s->cmos[RTC_REG_B] = RTC_B_24H;
    s->div_running = true;
    s->div_start_ns = now - FIRST_UPDATE_NS;
    s->last_sync_ns = now;
    if (io)
        s->region = as_add_io(io, "rtc", RTC_BASE, 2, &rtc_io_ops, s, 0);
    return s;
}

void rtc_destroy(void *opaque)
{
    RtcState *s = opaque;
    if (!s)
        return;
    timer_del(&s->timer);
    if (s->io && s->region)
        as_remove(s->io, s->region);
    free(s);
}

const DeviceClass rtc_class = {
    .name = "mc146818",
    .state_size = sizeof(RtcState),
    .reset = rtc_reset,
    .save = NULL,
    .load = NULL,
    .destroy = rtc_destroy,
};
