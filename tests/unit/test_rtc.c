/*
 * Unit tests of the MC146818A RTC/CMOS (devices/rtc.c), driven through
 * ports 0x70/0x71 and an icount-mode virtual clock so every timing is
 * exact. Section names refer to the Motorola MC146818A datasheet.
 *
 * The clock starts at 2024-02-29 23:59:58 UTC (a Thursday, day 5); the
 * first update cycle ends 1 s after creation, then one every second.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "devices/rtc.h"
#include "machine/clock.h"
#include "machine/memory.h"

#define SEC 1000000000LL
#define BASE_TIME 1709251198LL   /* 2024-02-29 23:59:58 UTC */

typedef struct Fixture {
    AddressSpace io;
    VirtClock clock;
    RtcState *rtc;
    int irq_level;
    int rises;
} Fixture;

static void irq8(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    if (level && !f->irq_level)
        f->rises++;
    f->irq_level = level;
}

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->io, "io", ~0ull);
    clock_init(&f->clock, CLOCK_ICOUNT, 0);
    f->rtc = rtc_create(&f->io, &f->clock, irq_line(irq8, f, 8), BASE_TIME, NULL);
    return f;
}

static void fx_free(Fixture *f)
{
    rtc_destroy(f->rtc);
    as_destroy(&f->io);
    free(f);
}

static uint8_t cmos_read(Fixture *f, uint8_t idx)
{
    as_write(&f->io, 0x70, idx, 1);
    return (uint8_t)as_read(&f->io, 0x71, 1);
}

static void cmos_write(Fixture *f, uint8_t idx, uint8_t val)
{
    as_write(&f->io, 0x70, idx, 1);
    as_write(&f->io, 0x71, val, 1);
}

static void advance_to(Fixture *f, int64_t t)
{
    while (clock_next_deadline(&f->clock) <= t) {
        clock_warp_to(&f->clock, clock_next_deadline(&f->clock));
        clock_run_timers(&f->clock);
    }
    clock_warp_to(&f->clock, t);
    clock_run_timers(&f->clock);
}

/* Run until `until`, acknowledging every interrupt by reading register C
 * as a guest handler does; returns how many interrupts arrived. */
static int count_irqs(Fixture *f, int64_t until, uint8_t expect_flags)
{
    int n = 0;
    for (;;) {
        int64_t d = clock_next_deadline(&f->clock);
        if (d > until)
            break;
        advance_to(f, d);
        if (f->irq_level) {
            uint8_t c = cmos_read(f, RTC_REG_C);
            ck_assert_uint_eq(c & expect_flags, expect_flags);
            ck_assert_int_eq(f->irq_level, 0);
            n++;
        }
    }
    advance_to(f, until);
    return n;
}

START_TEST(test_time_bcd)
{
    Fixture *f = fx_new();
    /* Power-on defaults: 32.768 kHz, rate 6; BCD, 24-hour. */
    ck_assert_uint_eq(cmos_read(f, RTC_REG_A), 0x26);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_B), 0x02);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x58);
    ck_assert_uint_eq(cmos_read(f, RTC_MINUTES), 0x59);
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 0x23);
    ck_assert_uint_eq(cmos_read(f, RTC_DAY_OF_WEEK), 0x05);
    ck_assert_uint_eq(cmos_read(f, RTC_DAY_OF_MONTH), 0x29);
    ck_assert_uint_eq(cmos_read(f, RTC_MONTH), 0x02);
    ck_assert_uint_eq(cmos_read(f, RTC_YEAR), 0x24);
    ck_assert_uint_eq(cmos_read(f, RTC_CENTURY), 0x20);
    advance_to(f, SEC - 1);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x58);
    advance_to(f, SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x59);
    /* Leap day rolls to March 1st, a Friday. */
    advance_to(f, 2 * SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x00);
    ck_assert_uint_eq(cmos_read(f, RTC_MINUTES), 0x00);
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 0x00);
    ck_assert_uint_eq(cmos_read(f, RTC_DAY_OF_WEEK), 0x06);
    ck_assert_uint_eq(cmos_read(f, RTC_DAY_OF_MONTH), 0x01);
    ck_assert_uint_eq(cmos_read(f, RTC_MONTH), 0x03);
    fx_free(f);
}
END_TEST

START_TEST(test_time_binary_and_12h)
{
    Fixture *f = fx_new();
    cmos_write(f, RTC_REG_B, 0x06);   /* binary, 24-hour */
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 58);
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 23);
    ck_assert_uint_eq(cmos_read(f, RTC_YEAR), 24);
    cmos_write(f, RTC_REG_B, 0x04);   /* binary, 12-hour: PM flag in bit 7 */
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 0x80 | 11);
    cmos_write(f, RTC_REG_B, 0x00);   /* BCD, 12-hour */
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 0x91);
    advance_to(f, 2 * SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 0x12);   /* 12 AM */
    cmos_write(f, RTC_HOURS, 0x81);                      /* 1 PM */
    cmos_write(f, RTC_REG_B, 0x02);
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 0x13);
    /* Setting the time with SET: updates are inhibited meanwhile. */
    cmos_write(f, RTC_REG_B, 0x86);
    cmos_write(f, RTC_SECONDS, 30);
    cmos_write(f, RTC_MINUTES, 15);
    cmos_write(f, RTC_HOURS, 10);
    advance_to(f, 5 * SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 30);
    cmos_write(f, RTC_REG_B, 0x06);
    advance_to(f, 6 * SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 31);
    ck_assert_uint_eq(cmos_read(f, RTC_MINUTES), 15);
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 10);
    fx_free(f);
}
END_TEST

START_TEST(test_periodic_rate)
{
    Fixture *f = fx_new();
    /* Rate 6: 1024 Hz (Table 4); PF is the flag, PIE routes it to IRQ. */
    cmos_write(f, RTC_REG_B, 0x42);
    ck_assert_int_eq(count_irqs(f, SEC, RTC_C_IRQF | RTC_C_PF), 1024);
    /* Rate 15: 2 Hz. */
    cmos_write(f, RTC_REG_A, 0x2f);
    ck_assert_int_eq(count_irqs(f, 3 * SEC, RTC_C_IRQF | RTC_C_PF), 4);
    /* Rate 3: 8192 Hz over 10 ms: 81.92 ticks. */
    cmos_write(f, RTC_REG_A, 0x23);
    int n = count_irqs(f, 3 * SEC + SEC / 100, RTC_C_IRQF | RTC_C_PF);
    ck_assert(n == 81 || n == 82);
    /* Rate 0: none. */
    cmos_write(f, RTC_REG_A, 0x20);
    (void)cmos_read(f, RTC_REG_C);
    ck_assert_int_eq(count_irqs(f, 4 * SEC, 0), 0);
    fx_free(f);
}
END_TEST

START_TEST(test_irq_held_until_reg_c_read)
{
    Fixture *f = fx_new();
    cmos_write(f, RTC_REG_B, 0x42);
    advance_to(f, SEC / 10);
    ck_assert_int_eq(f->irq_level, 1);
    ck_assert_int_eq(f->rises, 1);
    /* IRQ stays asserted; no timer while nothing can change. */
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    uint8_t c = cmos_read(f, RTC_REG_C);
    ck_assert_uint_eq(c & 0xc0, 0xc0);
    ck_assert_int_eq(f->irq_level, 0);
    /* Reading C cleared every flag. */
    ck_assert_uint_eq(cmos_read(f, RTC_REG_C), 0x00);
    ck_assert(clock_next_deadline(&f->clock) != INT64_MAX);
    /* A flag already set raises IRQ as soon as its enable is set. */
    cmos_write(f, RTC_REG_B, 0x02);
    advance_to(f, SEC + SEC / 2);
    ck_assert_int_eq(f->irq_level, 0);
    cmos_write(f, RTC_REG_B, 0x12);   /* UIE with UF pending */
    ck_assert_int_eq(f->irq_level, 1);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_C), 0xd0);
    fx_free(f);
}
END_TEST

START_TEST(test_update_ended_interrupt)
{
    Fixture *f = fx_new();
    cmos_write(f, RTC_REG_B, 0x12);   /* UIE */
    advance_to(f, SEC - 1);
    ck_assert_int_eq(f->irq_level, 0);
    advance_to(f, SEC);
    ck_assert_int_eq(f->irq_level, 1);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_C) & 0x90, 0x90);
    /* Once per second. */
    ck_assert_int_eq(count_irqs(f, 6 * SEC, RTC_C_IRQF | RTC_C_UF), 5);
    /* SET going high clears UIE. */
    cmos_write(f, RTC_REG_B, 0x92);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_B), 0x82);
    fx_free(f);
}
END_TEST

START_TEST(test_alarm)
{
    Fixture *f = fx_new();
    /* Alarm at 00:00:01, three updates from now. */
    cmos_write(f, RTC_SECONDS_ALARM, 0x01);
    cmos_write(f, RTC_MINUTES_ALARM, 0x00);
    cmos_write(f, RTC_HOURS_ALARM, 0x00);
    cmos_write(f, RTC_REG_B, 0x22);   /* AIE */
    advance_to(f, 3 * SEC - 1);
    ck_assert_int_eq(f->irq_level, 0);
    advance_to(f, 3 * SEC);
    ck_assert_int_eq(f->irq_level, 1);
    /* PF and UF are set too: flags do not depend on the enables. */
    ck_assert_uint_eq(cmos_read(f, RTC_REG_C), 0xf0);
    ck_assert_int_eq(count_irqs(f, 10 * SEC, RTC_C_AF), 0);
    /* Don't-care codes (11xxxxxx) in every byte: an alarm each second. */
    cmos_write(f, RTC_SECONDS_ALARM, 0xc0);
    cmos_write(f, RTC_MINUTES_ALARM, 0xff);
    cmos_write(f, RTC_HOURS_ALARM, 0xc5);
    ck_assert_int_eq(count_irqs(f, 14 * SEC, RTC_C_IRQF | RTC_C_AF), 4);
    /* An alarm that matched while the guest was not looking is still
     * flagged (AF without AIE, checked lazily over many seconds). */
    cmos_write(f, RTC_REG_B, 0x02);
    cmos_write(f, RTC_SECONDS_ALARM, 0x30);
    cmos_write(f, RTC_MINUTES_ALARM, 0x00);
    cmos_write(f, RTC_HOURS_ALARM, 0x00);
    (void)cmos_read(f, RTC_REG_C);
    advance_to(f, 60 * SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_C) & RTC_C_AF, RTC_C_AF);
    fx_free(f);
}
END_TEST

START_TEST(test_uip)
{
    Fixture *f = fx_new();
    /* UIP rises tBUC (244 us) before the 1984 us update cycle. */
    advance_to(f, SEC - 2228000 - 1);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_A), 0x26);
    advance_to(f, SEC - 2228000);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_A), 0xa6);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x58);
    advance_to(f, SEC - 1);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_A), 0xa6);
    advance_to(f, SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_A), 0x26);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x59);
    /* UIP is read-only. */
    cmos_write(f, RTC_REG_A, 0xa6);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_A), 0x26);
    /* SET inhibits updates: no UIP. */
    cmos_write(f, RTC_REG_B, 0x82);
    advance_to(f, 2 * SEC - 1000);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_A), 0x26);
    fx_free(f);
}
END_TEST

START_TEST(test_divider_reset)
{
    Fixture *f = fx_new();
    cmos_write(f, RTC_REG_A, 0x76);   /* DV = 11x: divider held in reset */
    advance_to(f, 5 * SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x58);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_A), 0x76);
    /* Released: the first update comes 500 ms later. */
    cmos_write(f, RTC_REG_A, 0x26);
    advance_to(f, 5 * SEC + SEC / 2 - 1);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x58);
    advance_to(f, 5 * SEC + SEC / 2);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x59);
    fx_free(f);
}
END_TEST

START_TEST(test_long_run_calendar)
{
    Fixture *f = fx_new();
    /* 3653 days + 2 s: 2034-03-02 00:00:00, a Thursday. */
    advance_to(f, (3653LL * 86400 + 2) * SEC);
    ck_assert_uint_eq(cmos_read(f, RTC_SECONDS), 0x00);
    ck_assert_uint_eq(cmos_read(f, RTC_HOURS), 0x00);
    ck_assert_uint_eq(cmos_read(f, RTC_DAY_OF_MONTH), 0x02);
    ck_assert_uint_eq(cmos_read(f, RTC_MONTH), 0x03);
    ck_assert_uint_eq(cmos_read(f, RTC_YEAR), 0x34);
    ck_assert_uint_eq(cmos_read(f, RTC_DAY_OF_WEEK), 0x05);
    fx_free(f);
}
END_TEST

START_TEST(test_cmos_ram_index_and_nmi)
{
    Fixture *f = fx_new();
    as_write(&f->io, 0x70, 0x8e, 1);   /* NMI off, index 0x0e */
    ck_assert(rtc_nmi_masked(f->rtc));
    as_write(&f->io, 0x71, 0x5a, 1);
    ck_assert_uint_eq(rtc_cmos_get(f->rtc, 0x0e), 0x5a);
    as_write(&f->io, 0x70, 0x0e, 1);
    ck_assert(!rtc_nmi_masked(f->rtc));
    /* The index is 7 bits: 0xff selects byte 0x7f. */
    as_write(&f->io, 0x70, 0xff, 1);
    as_write(&f->io, 0x71, 0xa5, 1);
    ck_assert_uint_eq(rtc_cmos_get(f->rtc, 0x7f), 0xa5);
    /* Board access. */
    rtc_cmos_set(f->rtc, 0x34, 0x80);
    ck_assert_uint_eq(cmos_read(f, 0x34), 0x80);
    rtc_cmos_set(f->rtc, RTC_CENTURY, 0x21);
    ck_assert_uint_eq(cmos_read(f, RTC_CENTURY), 0x21);
    rtc_cmos_set(f->rtc, -1, 0);
    rtc_cmos_set(f->rtc, 128, 0);
    rtc_cmos_set(f->rtc, 1 << 20, 0);
    ck_assert_uint_eq(rtc_cmos_get(f->rtc, 128), 0xff);
    ck_assert_uint_eq(rtc_cmos_get(f->rtc, -5), 0xff);
    /* Register D: VRT set, read-only; port 0x70 is write-only. */
    cmos_write(f, RTC_REG_D, 0x00);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_D), 0x80);
    ck_assert_uint_eq(as_read(&f->io, 0x70, 1), 0xff);
    /* Register C is read-only. */
    cmos_write(f, RTC_REG_C, 0xff);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_C), 0x00);
    /* rtc_cmos_get does not clear register C. */
    advance_to(f, 2 * SEC);
    ck_assert_uint_eq(rtc_cmos_get(f->rtc, RTC_REG_C) & RTC_C_UF, RTC_C_UF);
    ck_assert_uint_eq(rtc_cmos_get(f->rtc, RTC_REG_C) & RTC_C_UF, RTC_C_UF);
    /* RESET clears the enables and flags, keeps the time. */
    cmos_write(f, RTC_REG_B, 0x7a);
    rtc_class.reset(f->rtc);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_B), 0x02);
    ck_assert_uint_eq(cmos_read(f, RTC_REG_C), 0x00);
    ck_assert_uint_eq(cmos_read(f, RTC_MONTH), 0x03);
    fx_free(f);
}
END_TEST

START_TEST(test_bad_guest_values)
{
    Fixture *f = fx_new();
    /* Garbage in every time register, BCD mode. */
    cmos_write(f, RTC_SECONDS, 0xff);
    cmos_write(f, RTC_MINUTES, 0xff);
    cmos_write(f, RTC_HOURS, 0xff);
    cmos_write(f, RTC_DAY_OF_WEEK, 0x00);
    cmos_write(f, RTC_DAY_OF_MONTH, 0x00);
    cmos_write(f, RTC_MONTH, 0x13);
    cmos_write(f, RTC_YEAR, 0xff);
    cmos_write(f, RTC_CENTURY, 0xff);
    (void)cmos_read(f, RTC_SECONDS);
    /* Reserved divider settings and wide accesses do not crash. */
    cmos_write(f, RTC_REG_A, 0x06);
    cmos_write(f, RTC_REG_A, 0x46);
    cmos_write(f, RTC_REG_A, 0x26);
    as_write(&f->io, 0x70, 0xffffffff, 4);
    (void)as_read(&f->io, 0x70, 4);
    /* The rollover logic settles into a valid calendar once the month
     * has run out (like the chip, which only compares for rollover). */
    advance_to(f, 40LL * 86400 * SEC);
    uint8_t sec = cmos_read(f, RTC_SECONDS), min = cmos_read(f, RTC_MINUTES);
    uint8_t hour = cmos_read(f, RTC_HOURS), mon = cmos_read(f, RTC_MONTH);
    uint8_t mday = cmos_read(f, RTC_DAY_OF_MONTH), dow = cmos_read(f, RTC_DAY_OF_WEEK);
    ck_assert_uint_lt(sec, 0x60);
    ck_assert_uint_lt(min, 0x60);
    ck_assert_uint_lt(hour, 0x24);
    ck_assert(mon >= 0x01 && mon <= 0x12);
    ck_assert(mday >= 0x01 && mday <= 0x31);
    ck_assert(dow >= 0x01 && dow <= 0x07);
    fx_free(f);
}
END_TEST

static Suite *rtc_suite(void)
{
    Suite *s = suite_create("rtc");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_time_bcd);
    tcase_add_test(tc, test_time_binary_and_12h);
    tcase_add_test(tc, test_periodic_rate);
    tcase_add_test(tc, test_irq_held_until_reg_c_read);
    tcase_add_test(tc, test_update_ended_interrupt);
    tcase_add_test(tc, test_alarm);
    tcase_add_test(tc, test_uip);
    tcase_add_test(tc, test_divider_reset);
    tcase_add_test(tc, test_long_run_calendar);
    tcase_add_test(tc, test_cmos_ram_index_and_nmi);
    tcase_add_test(tc, test_bad_guest_values);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rtc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
