/*
 * Unit tests of the 8254 PIT and port 0x61 (devices/pit.c), driven through
 * the port I/O address space and an icount-mode virtual clock so every
 * timing is exact. Section names refer to the Intel 82C54 datasheet.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "devices/pit.h"
#include "machine/clock.h"
#include "machine/memory.h"

typedef struct Fixture {
    AddressSpace io;
    VirtClock clock;
    PitState *pit;
    int irq_level;
    int rises;
} Fixture;

static void irq0(void *opaque, int n, int level)
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
    f->pit = pit_create(&f->io, &f->clock, irq_line(irq0, f, 0), NULL);
    return f;
}

static void fx_free(Fixture *f)
{
    pit_destroy(f->pit);
    as_destroy(&f->io);
    free(f);
}

static void outb(Fixture *f, uint16_t port, uint8_t v) { as_write(&f->io, port, v, 1); }
static uint8_t inb(Fixture *f, uint16_t port) { return (uint8_t)as_read(&f->io, port, 1); }

/* Run every timer due up to t, in order, then stop the clock at t. */
static void advance_to(Fixture *f, int64_t t)
{
    while (clock_next_deadline(&f->clock) <= t) {
        clock_warp_to(&f->clock, clock_next_deadline(&f->clock));
        clock_run_timers(&f->clock);
    }
    clock_warp_to(&f->clock, t);
    clock_run_timers(&f->clock);
}

/* First ns at which k input clocks (1.193182 MHz) have elapsed. */
static int64_t tick_ns(int64_t k)
{
    return (k * 1000000000LL + PIT_FREQ_HZ - 1) / PIT_FREQ_HZ;
}

static uint16_t latch_read(Fixture *f, int ch)
{
    outb(f, 0x43, (uint8_t)(ch << 6));   /* counter latch command */
    uint8_t lo = inb(f, 0x40 + ch);
    uint8_t hi = inb(f, 0x40 + ch);
    return (uint16_t)(lo | (hi << 8));
}

START_TEST(test_mode0_interrupt_on_terminal_count)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x30);   /* ch0, LSB then MSB, mode 0, binary */
    ck_assert_int_eq(f->irq_level, 0);
    outb(f, 0x40, 100);
    outb(f, 0x40, 0);
    /* A timer is armed for the terminal count. */
    ck_assert_int_eq(clock_next_deadline(&f->clock), tick_ns(100));
    advance_to(f, tick_ns(50));
    ck_assert_uint_eq(latch_read(f, 0), 50);
    advance_to(f, tick_ns(100) - 1);
    ck_assert_int_eq(f->irq_level, 0);
    ck_assert_uint_eq(latch_read(f, 0), 1);
    advance_to(f, tick_ns(100));
    ck_assert_int_eq(f->irq_level, 1);
    ck_assert_int_eq(f->rises, 1);
    /* OUT stays high; the counter wraps to FFFF and keeps counting. */
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    advance_to(f, tick_ns(101));
    ck_assert_uint_eq(latch_read(f, 0), 0xffff);
    ck_assert_int_eq(f->irq_level, 1);
    /* Writing the first byte of a new count sets OUT low and stops it. */
    outb(f, 0x40, 10);
    ck_assert_int_eq(f->irq_level, 0);
    advance_to(f, tick_ns(1000));
    ck_assert_int_eq(f->irq_level, 0);
    outb(f, 0x40, 0);
    advance_to(f, tick_ns(1010));
    ck_assert_int_eq(f->irq_level, 1);
    ck_assert_int_eq(f->rises, 2);
    fx_free(f);
}
END_TEST

START_TEST(test_mode2_rate_generator)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x34);   /* ch0, LSB/MSB, mode 2 */
    outb(f, 0x40, 0xe8);
    outb(f, 0x40, 0x03);   /* N = 1000 */
    f->rises = 0;
    /* OUT goes low for one clock when the count reaches 1. */
    advance_to(f, tick_ns(999) - 1);
    ck_assert_int_eq(f->irq_level, 1);
    advance_to(f, tick_ns(999));
    ck_assert_int_eq(f->irq_level, 0);
    advance_to(f, tick_ns(1000));
    ck_assert_int_eq(f->irq_level, 1);
    ck_assert_uint_eq(latch_read(f, 0), 1000);
    advance_to(f, tick_ns(1250));
    ck_assert_uint_eq(latch_read(f, 0), 750);
    /* One rising edge per period: floor(1193182 / 1000) in a second. */
    advance_to(f, 1000000000LL);
    ck_assert_int_eq(f->rises, 1193);
    fx_free(f);
}
END_TEST

/* Timers run between CPU slices, so the callback for a mode 2 falling
 * edge comes long after the one-clock low pulse ("Mode 2: Rate
 * Generator": OUT low for one CLK pulse). IRQ0 must still see a rising
 * edge per serviced period, or a BIOS tick counter (INT 08h) stops. */
START_TEST(test_mode2_late_timer_still_pulses)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x34);   /* ch0, LSB/MSB, mode 2 */
    outb(f, 0x40, 0);
    outb(f, 0x40, 0);      /* N = 65536: 54.9 ms, as the BIOS programs it */
    f->rises = 0;
    for (int i = 1; i <= 20; i++) {
        clock_warp_to(&f->clock, i * 60000000LL);   /* each step > one period */
        clock_run_timers(&f->clock);
        ck_assert_int_eq(f->rises, i);
        ck_assert_int_eq(f->irq_level, 1);
    }
    fx_free(f);
}
END_TEST

START_TEST(test_mode2_new_count_at_period_end)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x34);
    outb(f, 0x40, 0xe8);
    outb(f, 0x40, 0x03);   /* N = 1000 */
    f->rises = 0;
    advance_to(f, tick_ns(500));
    outb(f, 0x40, 100);
    outb(f, 0x40, 0);
    /* The current period is not disturbed... */
    ck_assert_uint_eq(latch_read(f, 0), 500);
    advance_to(f, tick_ns(1000));
    ck_assert_int_eq(f->rises, 1);
    /* ...the next one uses the new count. */
    advance_to(f, tick_ns(1099) - 1);
    ck_assert_int_eq(f->irq_level, 1);
    advance_to(f, tick_ns(1099));
    ck_assert_int_eq(f->irq_level, 0);
    advance_to(f, tick_ns(1100));
    ck_assert_int_eq(f->rises, 2);
    fx_free(f);
}
END_TEST

START_TEST(test_mode3_square_wave)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x36);   /* ch0, LSB/MSB, mode 3 */
    outb(f, 0x40, 0xe8);
    outb(f, 0x40, 0x03);   /* N = 1000: 500 high, 500 low */
    f->rises = 0;
    advance_to(f, tick_ns(10));
    /* Mode 3 decrements by two. */
    ck_assert_uint_eq(latch_read(f, 0), 980);
    advance_to(f, tick_ns(500) - 1);
    ck_assert_int_eq(f->irq_level, 1);
    advance_to(f, tick_ns(500));
    ck_assert_int_eq(f->irq_level, 0);
    advance_to(f, tick_ns(1000));
    ck_assert_int_eq(f->irq_level, 1);
    ck_assert_int_eq(f->rises, 1);
    advance_to(f, 1000000000LL);
    ck_assert_int_eq(f->rises, 1193);
    fx_free(f);
}
END_TEST

START_TEST(test_mode3_odd_count)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x36);
    outb(f, 0x40, 5);
    outb(f, 0x40, 0);
    /* Odd N: high for (N+1)/2 clocks, low for (N-1)/2. */
    advance_to(f, tick_ns(1));
    ck_assert_uint_eq(latch_read(f, 0), 4);
    advance_to(f, tick_ns(3) - 1);
    ck_assert_int_eq(f->irq_level, 1);
    outb(f, 0x43, 0xe2);   /* read-back status: OUT still high */
    ck_assert_uint_eq(inb(f, 0x40) & 0x80, 0x80);
    advance_to(f, tick_ns(3));
    ck_assert_int_eq(f->irq_level, 0);
    ck_assert_uint_eq(latch_read(f, 0), 5);
    advance_to(f, tick_ns(4));
    ck_assert_uint_eq(latch_read(f, 0), 2);
    advance_to(f, tick_ns(5));
    ck_assert_int_eq(f->irq_level, 1);
    fx_free(f);
}
END_TEST

START_TEST(test_mode4_strobe)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x38);   /* ch0, LSB/MSB, mode 4 */
    outb(f, 0x40, 10);
    outb(f, 0x40, 0);
    ck_assert_int_eq(f->irq_level, 1);
    f->rises = 0;
    advance_to(f, tick_ns(10) - 1);
    ck_assert_int_eq(f->irq_level, 1);
    advance_to(f, tick_ns(10));
    ck_assert_int_eq(f->irq_level, 0);
    advance_to(f, tick_ns(11));
    ck_assert_int_eq(f->irq_level, 1);
    ck_assert_int_eq(f->rises, 1);
    /* One strobe only: nothing left to time. */
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    fx_free(f);
}
END_TEST

START_TEST(test_counter_latch)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x34);
    outb(f, 0x40, 0x00);
    outb(f, 0x40, 0x10);   /* N = 4096 */
    advance_to(f, tick_ns(100));
    outb(f, 0x43, 0x00);   /* latch ch0 */
    advance_to(f, tick_ns(200));
    outb(f, 0x43, 0x00);   /* ignored: previous latch not read yet */
    ck_assert_uint_eq(inb(f, 0x40), (4096 - 100) & 0xff);
    ck_assert_uint_eq(inb(f, 0x40), (4096 - 100) >> 8);
    /* Unlatched reads follow the counter, LSB then MSB. */
    advance_to(f, tick_ns(300));
    ck_assert_uint_eq(inb(f, 0x40), (4096 - 300) & 0xff);
    ck_assert_uint_eq(inb(f, 0x40), (4096 - 300) >> 8);
    fx_free(f);
}
END_TEST

START_TEST(test_read_back)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x34);
    outb(f, 0x40, 0x00);
    outb(f, 0x40, 0x10);   /* N = 4096 */
    advance_to(f, tick_ns(96));
    /* Read-back: latch count and status of counter 0. */
    outb(f, 0x43, 0xc2);
    advance_to(f, tick_ns(200));
    /* Status: OUT=1, NULL COUNT=0, RW=11, mode 010, binary. */
    ck_assert_uint_eq(inb(f, 0x40), 0xb4);
    ck_assert_uint_eq(inb(f, 0x40), 4000 & 0xff);
    ck_assert_uint_eq(inb(f, 0x40), 4000 >> 8);
    /* Counter 1 after a control word only: NULL COUNT set, OUT high. */
    outb(f, 0x43, 0x74);
    outb(f, 0x43, 0xe4);   /* status only, counter 1 */
    outb(f, 0x43, 0xe4);   /* second status latch ignored */
    ck_assert_uint_eq(inb(f, 0x41), 0xf4);
    /* The count is loaded now: NULL COUNT clears. */
    outb(f, 0x41, 0x10);
    outb(f, 0x41, 0x00);
    outb(f, 0x43, 0xe4);
    ck_assert_uint_eq(inb(f, 0x41), 0xb4);
    /* Counter 2 mode 0 before its count: OUT low, null count. */
    outb(f, 0x43, 0xb0);
    outb(f, 0x43, 0xe8);
    ck_assert_uint_eq(inb(f, 0x42), 0x70);
    fx_free(f);
}
END_TEST

START_TEST(test_lsb_msb_access)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x50);   /* ch1, LSB only, mode 0 */
    outb(f, 0x41, 0x20);
    ck_assert_uint_eq(inb(f, 0x41), 0x20);
    ck_assert_uint_eq(inb(f, 0x41), 0x20);   /* no byte toggle */
    advance_to(f, tick_ns(1));
    ck_assert_uint_eq(inb(f, 0x41), 0x1f);
    /* A latch in LSB-only mode holds one byte; then reads are live. */
    outb(f, 0x43, 0x40);
    advance_to(f, tick_ns(3));
    ck_assert_uint_eq(inb(f, 0x41), 0x1f);
    ck_assert_uint_eq(inb(f, 0x41), 0x1d);
    outb(f, 0x43, 0x60);   /* ch1, MSB only */
    outb(f, 0x41, 0x02);   /* count 0x200 */
    ck_assert_uint_eq(inb(f, 0x41), 0x02);
    advance_to(f, tick_ns(4));
    outb(f, 0x43, 0x40);
    ck_assert_uint_eq(inb(f, 0x41), 0x01);   /* 0x1ff: MSB only */
    outb(f, 0x43, 0x70);   /* ch1, LSB then MSB */
    outb(f, 0x41, 0x34);
    outb(f, 0x41, 0x12);
    ck_assert_uint_eq(inb(f, 0x41), 0x34);
    ck_assert_uint_eq(inb(f, 0x41), 0x12);
    fx_free(f);
}
END_TEST

START_TEST(test_bcd_counting)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0x31);   /* ch0, LSB/MSB, mode 0, BCD */
    outb(f, 0x40, 0x00);
    outb(f, 0x40, 0x10);   /* 1000 decimal */
    advance_to(f, tick_ns(1));
    ck_assert_uint_eq(latch_read(f, 0), 0x0999);
    advance_to(f, tick_ns(1000));
    ck_assert_int_eq(f->irq_level, 1);
    /* 0 is the maximum count: 10^4 in BCD. */
    outb(f, 0x43, 0x31);
    outb(f, 0x40, 0x00);
    outb(f, 0x40, 0x00);
    advance_to(f, tick_ns(1001));
    ck_assert_uint_eq(latch_read(f, 0), 0x9999);
    fx_free(f);
}
END_TEST

START_TEST(test_port61_channel2)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0xb0);   /* ch2, LSB/MSB, mode 0 */
    outb(f, 0x42, 100);
    outb(f, 0x42, 0);
    /* GATE2 low (port 0x61 bit 0 clear): counting held. */
    advance_to(f, tick_ns(200));
    ck_assert_uint_eq(inb(f, 0x61) & 0x20, 0);
    ck_assert_uint_eq(latch_read(f, 2), 100);
    outb(f, 0x61, 0x03);   /* gate on, speaker data on */
    ck_assert_uint_eq(inb(f, 0x61) & 0x0f, 0x03);
    ck_assert(pit_speaker_enabled(f->pit));
    advance_to(f, tick_ns(299));
    ck_assert_uint_eq(inb(f, 0x61) & 0x20, 0);
    advance_to(f, tick_ns(300));
    ck_assert_uint_eq(inb(f, 0x61) & 0x20, 0x20);
    /* Gate low in mode 2 forces OUT high. */
    outb(f, 0x61, 0x00);
    outb(f, 0x43, 0xb4);
    outb(f, 0x42, 4);
    outb(f, 0x42, 0);
    ck_assert_uint_eq(inb(f, 0x61) & 0x20, 0x20);
    /* Bit 4 toggles with every refresh request (18 clocks). */
    advance_to(f, tick_ns(18 * 100));
    uint8_t a = inb(f, 0x61) & 0x10;
    advance_to(f, tick_ns(18 * 101));
    uint8_t b = inb(f, 0x61) & 0x10;
    ck_assert_uint_ne(a, b);
    fx_free(f);
}
END_TEST

START_TEST(test_mode1_one_shot)
{
    Fixture *f = fx_new();
    outb(f, 0x43, 0xb2);   /* ch2, LSB/MSB, mode 1 */
    outb(f, 0x42, 10);
    outb(f, 0x42, 0);
    ck_assert_uint_eq(inb(f, 0x61) & 0x20, 0x20);   /* waits for trigger */
    advance_to(f, tick_ns(50));
    outb(f, 0x61, 0x01);   /* GATE rising edge triggers */
    ck_assert_uint_eq(inb(f, 0x61) & 0x20, 0);
    advance_to(f, tick_ns(55));
    /* Retrigger restarts the full count. */
    outb(f, 0x61, 0x00);
    outb(f, 0x61, 0x01);
    advance_to(f, tick_ns(64));
    ck_assert_uint_eq(inb(f, 0x61) & 0x20, 0);
    advance_to(f, tick_ns(65));
    ck_assert_uint_eq(inb(f, 0x61) & 0x20, 0x20);
    fx_free(f);
}
END_TEST

START_TEST(test_bad_guest_input)
{
    Fixture *f = fx_new();
    /* Mode bits 111 act as mode 3; status shows the bits as written. */
    outb(f, 0x43, 0x3e);
    outb(f, 0x40, 0xe8);
    outb(f, 0x40, 0x03);
    outb(f, 0x43, 0xe2);
    ck_assert_uint_eq(inb(f, 0x40), 0xbe);
    advance_to(f, tick_ns(500));
    ck_assert_int_eq(f->irq_level, 0);   /* square wave low half */
    /* A count of 1 in mode 2 is illegal: no timer storm. */
    outb(f, 0x43, 0x34);
    outb(f, 0x40, 1);
    outb(f, 0x40, 0);
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    outb(f, 0x43, 0x36);
    outb(f, 0x40, 1);
    outb(f, 0x40, 0);
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    /* Invalid BCD digits, control register reads, wide accesses. */
    outb(f, 0x43, 0x31);
    outb(f, 0x40, 0xff);
    outb(f, 0x40, 0xff);
    (void)latch_read(f, 0);
    ck_assert_uint_eq(inb(f, 0x43), 0xff);
    as_write(&f->io, 0x40, 0xffffffff, 4);
    (void)as_read(&f->io, 0x40, 4);
    pit_set_gate(f->pit, -1, true);
    pit_set_gate(f->pit, 3, true);
    ck_assert(!pit_get_out(f->pit, 7));
    /* Reset: counters idle, no timer. */
    pit_class.reset(f->pit);
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    ck_assert_int_eq(f->irq_level, 0);
    fx_free(f);
}
END_TEST

static Suite *pit_suite(void)
{
    Suite *s = suite_create("pit");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mode0_interrupt_on_terminal_count);
    tcase_add_test(tc, test_mode2_rate_generator);
    tcase_add_test(tc, test_mode2_late_timer_still_pulses);
    tcase_add_test(tc, test_mode2_new_count_at_period_end);
    tcase_add_test(tc, test_mode3_square_wave);
    tcase_add_test(tc, test_mode3_odd_count);
    tcase_add_test(tc, test_mode4_strobe);
    tcase_add_test(tc, test_counter_latch);
    tcase_add_test(tc, test_read_back);
    tcase_add_test(tc, test_lsb_msb_access);
    tcase_add_test(tc, test_bcd_counting);
    tcase_add_test(tc, test_port61_channel2);
    tcase_add_test(tc, test_mode1_one_shot);
    tcase_add_test(tc, test_bad_guest_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
