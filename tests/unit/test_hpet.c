/*
 * Unit tests of the HPET (devices/hpet.c) through its MMIO registers with
 * an icount-mode virtual clock. Section numbers refer to the IA-PC HPET
 * Specification 1.0a.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "devices/hpet.h"
#include "machine/clock.h"
#include "machine/memory.h"

#define BASE HPET_DEFAULT_BASE
enum { CAP = 0x000, CONF = 0x010, STS = 0x020, CNT = 0x0f0 };
#define TCONF(n) (0x100 + 0x20 * (n))
#define TCMP(n) (0x108 + 0x20 * (n))
enum { TN_LEVEL = 2, TN_ENABLE = 4, TN_PERIODIC = 8, TN_SETVAL = 0x40, TN_32BIT = 0x100 };

typedef struct Fixture {
    AddressSpace mem;
    VirtClock clock;
    HpetState *hpet;
    int level[3];               /* 0: IRQ0, 1: IRQ8, 2: GSI 2 */
    int rises[3];
} Fixture;

static void line(void *o, int n, int level)
{
    Fixture *f = o;
    if (level && !f->level[n])
        f->rises[n]++;
    f->level[n] = level;
}

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->mem, "mem", ~0ull);
    clock_init(&f->clock, CLOCK_ICOUNT, 0);
    HpetConfig c = { .mem = &f->mem, .clock = &f->clock, .irq0 = irq_line(line, f, 0),
                     .irq8 = irq_line(line, f, 1), .route_cap = 1u << 2 };
    c.gsi[2] = irq_line(line, f, 2);
    f->hpet = hpet_create(&c);
    return f;
}

static void fx_free(Fixture *f)
{
    hpet_destroy(f->hpet);
    as_destroy(&f->mem);
    free(f);
}

static uint32_t rd32(Fixture *f, uint32_t off) { return (uint32_t)as_read(&f->mem, BASE + off, 4); }
static uint64_t rd64(Fixture *f, uint32_t off) { return as_read(&f->mem, BASE + off, 8); }
static void wr32(Fixture *f, uint32_t off, uint32_t v) { as_write(&f->mem, BASE + off, v, 4); }
static void wr64(Fixture *f, uint32_t off, uint64_t v) { as_write(&f->mem, BASE + off, v, 8); }

static void advance_to(Fixture *f, int64_t t)
{
    while (clock_next_deadline(&f->clock) <= t) {
        clock_warp_to(&f->clock, clock_next_deadline(&f->clock));
        clock_run_timers(&f->clock);
    }
    clock_warp_to(&f->clock, t);
    clock_run_timers(&f->clock);
}

/* 2.3.4 / 2.3.8: capabilities (QEMU's block ID 0x8086A201, 10^7 fs) and
 * the reset state of the timers. */
START_TEST(test_capabilities)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(rd32(f, CAP), 0x8086a201);
    ck_assert_uint_eq(rd32(f, CAP + 4), 10000000);
    ck_assert_uint_eq(rd64(f, CAP), 0x009896808086a201ull);
    for (int n = 0; n < 3; n++) {
        ck_assert_uint_eq(rd64(f, TCONF(n)), 0x0000000400000030ull);
        ck_assert_uint_eq(rd64(f, TCMP(n)), ~0ull);
    }
    wr64(f, CAP, 0);                                 /* read-only */
    ck_assert_uint_eq(rd32(f, CAP), 0x8086a201);
    ck_assert_uint_eq(rd32(f, CONF), 0);
    fx_free(f);
}
END_TEST

/* 2.3.5 / 2.3.7: the main counter runs at 100 MHz only while enabled and
 * may be written while halted. */
START_TEST(test_main_counter)
{
    Fixture *f = fx_new();
    advance_to(f, 5000);
    ck_assert_uint_eq(rd64(f, CNT), 0);
    wr32(f, CONF, 1);
    advance_to(f, 6000);
    ck_assert_uint_eq(rd64(f, CNT), 100);
    wr64(f, CNT, 12345);                             /* ignored while running */
    ck_assert_uint_eq(rd32(f, CNT), 100);
    wr32(f, CONF, 0);
    advance_to(f, 9000);
    ck_assert_uint_eq(rd64(f, CNT), 100);
    wr32(f, CNT + 4, 1);                             /* high half */
    wr32(f, CNT, 7);
    ck_assert_uint_eq(rd64(f, CNT), 0x100000007ull);
    ck_assert_uint_eq(rd32(f, CNT + 4), 1);
    wr32(f, CONF, 1);
    advance_to(f, 9010);
    ck_assert_uint_eq(rd64(f, CNT), 0x100000008ull);
    fx_free(f);
}
END_TEST

/* 2.3.9.1: legacy replacement: timer 0 drives IRQ0 instead of the PIT,
 * timer 1 IRQ8 instead of the RTC. One-shot comparator, 32-bit mode as
 * Linux programs it. */
START_TEST(test_legacy_oneshot)
{
    Fixture *f = fx_new();
    hpet_pit_in(f->hpet, 0, 1);
    ck_assert_int_eq(f->level[0], 1);                /* PIT passes through */
    hpet_pit_in(f->hpet, 0, 0);
    wr32(f, CONF, 3);                                /* enable + legacy */
    hpet_pit_in(f->hpet, 0, 1);
    hpet_rtc_in(f->hpet, 0, 1);
    ck_assert_int_eq(f->rises[0], 1);                /* blocked now */
    ck_assert_int_eq(f->rises[1], 0);
    wr32(f, TCONF(0), TN_ENABLE | TN_32BIT);
    ck_assert_uint_eq(rd32(f, TCMP(0) + 4), 0);      /* 32-bit mode truncates */
    wr32(f, TCMP(0), rd32(f, CNT) + 50);
    advance_to(f, 499);
    ck_assert_int_eq(f->rises[0], 1);
    advance_to(f, 500);
    ck_assert_int_eq(f->rises[0], 2);
    ck_assert_int_eq(f->level[0], 0);                /* edge: a pulse */
    ck_assert_uint_eq(rd32(f, STS), 0);              /* no status for edge */
    /* Rewriting the config after the match does not fire again. */
    wr32(f, TCONF(0), TN_ENABLE | TN_32BIT);
    advance_to(f, 100000);
    ck_assert_int_eq(f->rises[0], 2);
    /* A comparator written in the past fires at once. */
    wr32(f, TCMP(0), rd32(f, CNT) - 5);
    advance_to(f, 100010);
    ck_assert_int_eq(f->rises[0], 3);
    /* Timer 1 drives IRQ8. */
    wr32(f, TCONF(1), TN_ENABLE | TN_32BIT);
    wr32(f, TCMP(1), rd32(f, CNT) + 10);
    advance_to(f, 100200);
    ck_assert_int_eq(f->rises[1], 1);
    /* Leaving legacy mode gives IRQ0/IRQ8 back to the PIT and RTC. */
    wr32(f, CONF, 1);
    ck_assert_int_eq(f->level[0], 1);
    ck_assert_int_eq(f->level[1], 1);
    fx_free(f);
}
END_TEST

/* 2.3.9.2: periodic mode with TN_VAL_SET_CNF: first write sets the
 * comparator, the next one the period. */
START_TEST(test_periodic)
{
    Fixture *f = fx_new();
    wr32(f, CONF, 2);                                /* legacy, halted */
    wr32(f, TCONF(0), TN_ENABLE | TN_PERIODIC | TN_SETVAL | TN_32BIT);
    wr32(f, TCMP(0), 2000);
    wr32(f, TCMP(0), 2000);                          /* period: 20 us */
    ck_assert_uint_eq(rd32(f, TCMP(0)), 2000);
    ck_assert_uint_eq(rd32(f, TCONF(0)) & TN_SETVAL, 0);
    wr32(f, CONF, 3);
    for (int k = 1; k <= 4; k++) {
        advance_to(f, 20000 * k - 10);
        ck_assert_int_eq(f->rises[0], k - 1);
        advance_to(f, 20000 * k);
        ck_assert_int_eq(f->rises[0], k);
        ck_assert_uint_eq(rd32(f, TCMP(0)), 2000u * (k + 1));
    }
    /* Disabling the timer's interrupt stops the pulses, not the comparator. */
    wr32(f, TCONF(0), TN_PERIODIC | TN_32BIT);
    advance_to(f, 200000);
    ck_assert_int_eq(f->rises[0], 4);
    ck_assert_uint_eq(rd32(f, TCMP(0)), 22000);
    fx_free(f);
}
END_TEST

/* 2.3.6 / 2.3.8: level-triggered timer on an IO-APIC route sets its status
 * bit and holds the line until software writes 1 to the bit. */
START_TEST(test_level_route_status)
{
    Fixture *f = fx_new();
    wr32(f, CONF, 1);
    wr32(f, TCONF(2), TN_ENABLE | TN_LEVEL | (2u << 9));
    wr64(f, TCMP(2), 30);
    advance_to(f, 300);
    ck_assert_int_eq(f->level[2], 1);
    ck_assert_uint_eq(rd32(f, STS), 4);
    wr32(f, STS, 3);                                 /* other bits: no effect */
    ck_assert_int_eq(f->level[2], 1);
    wr32(f, STS, 4);
    ck_assert_int_eq(f->level[2], 0);
    ck_assert_uint_eq(rd32(f, STS), 0);
    ck_assert_uint_eq(rd32(f, TCONF(2)) >> 9 & 0x1f, 2);
    fx_free(f);
}
END_TEST

/* Reserved registers, odd sizes and offsets: no crash, no effect. */
START_TEST(test_bad_accesses)
{
    Fixture *f = fx_new();
    for (uint32_t off = 0; off < HPET_MMIO_SIZE; off += 4) {
        if (off == CONF || off == CNT || off == CNT + 4 || (off >= 0x100 && off < 0x160))
            continue;
        (void)rd32(f, off);
        wr32(f, off, 0xffffffff);
    }
    ck_assert_uint_eq(rd32(f, CONF), 0);
    ck_assert_uint_eq(rd32(f, 0x180), 0);            /* no timer 3 */
    (void)as_read(&f->mem, BASE + 0x3, 1);
    as_write(&f->mem, BASE + 0x11, 0xff, 1);
    as_write(&f->mem, BASE + 0x3fe, 0xffff, 2);
    (void)as_read(&f->mem, BASE + 0x3fc, 8);
    wr32(f, TCONF(0), 0xffffffff);                   /* read-only caps stay */
    ck_assert_uint_eq(rd32(f, TCONF(0)) & 0x30, 0x30);
    ck_assert_uint_eq(rd32(f, TCONF(0) + 4), 4);
    ck_assert_uint_eq(rd32(f, TCONF(0) + 8 + 8), 0); /* FSB route reads 0 */
    hpet_reset(f->hpet);
    ck_assert_uint_eq(rd32(f, TCONF(0)), 0x30);
    fx_free(f);
}
END_TEST

static Suite *hpet_suite(void)
{
    Suite *s = suite_create("hpet");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_capabilities);
    tcase_add_test(tc, test_main_counter);
    tcase_add_test(tc, test_legacy_oneshot);
    tcase_add_test(tc, test_periodic);
    tcase_add_test(tc, test_level_route_status);
    tcase_add_test(tc, test_bad_accesses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(hpet_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
