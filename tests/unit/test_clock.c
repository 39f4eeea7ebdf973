/*
 * Unit tests of machine/clock.c: the timer queue (ordering, FIFO for equal
 * expiries, deletion, re-arming from callbacks) and the two clock modes.
 * icount follows QEMU's -icount shift=N definition: each retired
 * instruction advances virtual time by 2^N ns.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "machine/clock.h"

typedef struct Order {
    int seq[16];
    int n;
} Order;

typedef struct Tagged {
    Order *order;
    int tag;
    Timer t;
    Timer *other;          /* for callbacks that touch another timer */
    int64_t rearm_delta;   /* re-arm self at expire + delta (if != 0 or self_now) */
    bool rearm;
    int runs;
} Tagged;

static void tagged_cb(void *opaque)
{
    Tagged *x = opaque;
    x->runs++;
    if (x->order->n < 16)
        x->order->seq[x->order->n++] = x->tag;
    if (x->rearm)
        timer_mod(&x->t, x->t.expire + x->rearm_delta);
}

static void tagged_init(Tagged *x, VirtClock *c, Order *o, int tag)
{
    x->order = o;
    x->tag = tag;
    x->other = NULL;
    x->rearm = false;
    x->rearm_delta = 0;
    x->runs = 0;
    timer_init(&x->t, c, tagged_cb, x);
}

START_TEST(test_order_out_of_order_insert)
{
    VirtClock c;
    clock_init(&c, CLOCK_ICOUNT, 0);
    Order o = { .n = 0 };
    Tagged a, b, d;
    tagged_init(&a, &c, &o, 1);
    tagged_init(&b, &c, &o, 2);
    tagged_init(&d, &c, &o, 3);
    ck_assert_int_eq(clock_next_deadline(&c), INT64_MAX);
    timer_mod(&a.t, 300);
    timer_mod(&b.t, 100);
    timer_mod(&d.t, 200);
    ck_assert(timer_pending(&a.t));
    ck_assert_int_eq(clock_next_deadline(&c), 100);

    /* Nothing due yet. */
    ck_assert_int_eq(clock_run_timers(&c), 0);
    clock_warp_to(&c, 200);
    ck_assert_int_eq(clock_run_timers(&c), 2);
    ck_assert_int_eq(o.n, 2);
    ck_assert_int_eq(o.seq[0], 2);
    ck_assert_int_eq(o.seq[1], 3);
    ck_assert(!timer_pending(&b.t));
    ck_assert_int_eq(clock_next_deadline(&c), 300);
    clock_warp_to(&c, 1000);
    ck_assert_int_eq(clock_run_timers(&c), 1);
    ck_assert_int_eq(o.seq[2], 1);
    ck_assert_int_eq(clock_next_deadline(&c), INT64_MAX);
}
END_TEST

START_TEST(test_equal_expiry_fifo)
{
    VirtClock c;
    clock_init(&c, CLOCK_ICOUNT, 0);
    Order o = { .n = 0 };
    Tagged t[4];
    for (int i = 0; i < 4; i++)
        tagged_init(&t[i], &c, &o, i);
    timer_mod(&t[0].t, 50);
    timer_mod(&t[1].t, 50);
    timer_mod(&t[2].t, 50);
    timer_mod(&t[3].t, 10);
    timer_mod(&t[0].t, 50); /* re-arming moves it behind the others */
    clock_warp_to(&c, 50);
    ck_assert_int_eq(clock_run_timers(&c), 4);
    ck_assert_int_eq(o.seq[0], 3);
    ck_assert_int_eq(o.seq[1], 1);
    ck_assert_int_eq(o.seq[2], 2);
    ck_assert_int_eq(o.seq[3], 0);
}
END_TEST

START_TEST(test_timer_del)
{
    VirtClock c;
    clock_init(&c, CLOCK_ICOUNT, 0);
    Order o = { .n = 0 };
    Tagged a, b, d;
    tagged_init(&a, &c, &o, 1);
    tagged_init(&b, &c, &o, 2);
    tagged_init(&d, &c, &o, 3);
    timer_mod(&a.t, 10);
    timer_mod(&b.t, 20);
    timer_mod(&d.t, 30);
    timer_del(&b.t);
    ck_assert(!timer_pending(&b.t));
    timer_del(&b.t); /* not pending: no-op */
    timer_del(&a.t);
    ck_assert_int_eq(clock_next_deadline(&c), 30);
    clock_warp_to(&c, 100);
    ck_assert_int_eq(clock_run_timers(&c), 1);
    ck_assert_int_eq(o.seq[0], 3);
    ck_assert_int_eq(a.runs + b.runs, 0);
}
END_TEST

/* A periodic timer behind schedule re-arms itself for a time already past:
 * one run per call, never an endless loop. */
START_TEST(test_rearm_in_callback)
{
    VirtClock c;
    clock_init(&c, CLOCK_ICOUNT, 0);
    Order o = { .n = 0 };
    Tagged p;
    tagged_init(&p, &c, &o, 7);
    p.rearm = true;
    p.rearm_delta = 100;
    timer_mod(&p.t, 100);
    clock_warp_to(&c, 250);
    ck_assert_int_eq(clock_run_timers(&c), 1);
    ck_assert(timer_pending(&p.t));
    ck_assert_int_eq(clock_next_deadline(&c), 200);
    ck_assert_int_eq(clock_run_timers(&c), 1);
    ck_assert_int_eq(clock_next_deadline(&c), 300);
    ck_assert_int_eq(clock_run_timers(&c), 0);

    /* Re-arming for exactly now (delta 0) also terminates. */
    p.rearm_delta = 0;
    clock_warp_to(&c, 300);
    ck_assert_int_eq(clock_run_timers(&c), 1);
    ck_assert_int_eq(clock_next_deadline(&c), 300);
    ck_assert_int_eq(p.runs, 3);
}
END_TEST

static void del_other_cb(void *opaque)
{
    Tagged *x = opaque;
    x->runs++;
    timer_del(x->other);
}

static void arm_other_cb(void *opaque)
{
    Tagged *x = opaque;
    x->runs++;
    timer_mod(x->other, 5);
}

START_TEST(test_callback_touches_other_timers)
{
    VirtClock c;
    clock_init(&c, CLOCK_ICOUNT, 0);
    Order o = { .n = 0 };
    Tagged a, b, d;
    tagged_init(&a, &c, &o, 1);
    tagged_init(&b, &c, &o, 2);
    tagged_init(&d, &c, &o, 3);
    /* a (due) deletes b (also due): b must not run. */
    timer_init(&a.t, &c, del_other_cb, &a);
    a.other = &b.t;
    timer_mod(&a.t, 10);
    timer_mod(&b.t, 20);
    clock_warp_to(&c, 50);
    ck_assert_int_eq(clock_run_timers(&c), 1);
    ck_assert_int_eq(b.runs, 0);
    ck_assert(!timer_pending(&b.t));

    /* a arms d for a time already past: d is due and runs in the same call. */
    timer_init(&a.t, &c, arm_other_cb, &a);
    a.other = &d.t;
    timer_mod(&a.t, 40);
    ck_assert_int_eq(clock_run_timers(&c), 2);
    ck_assert_int_eq(d.runs, 1);
}
END_TEST

START_TEST(test_icount_advance_and_warp)
{
    VirtClock c;
    clock_init(&c, CLOCK_ICOUNT, 3);
    ck_assert_int_eq(clock_now(&c), 0);
    clock_icount_advance(&c, 5);
    ck_assert_int_eq(clock_now(&c), 40);
    clock_icount_advance(&c, 0);
    ck_assert_int_eq(clock_now(&c), 40);
    clock_warp_to(&c, 1000);
    ck_assert_int_eq(clock_now(&c), 1000);
    clock_warp_to(&c, 500); /* time never goes back */
    ck_assert_int_eq(clock_now(&c), 1000);
    clock_icount_advance(&c, 1);
    ck_assert_int_eq(clock_now(&c), 1008);
}
END_TEST

START_TEST(test_host_mode)
{
    VirtClock c;
    clock_init(&c, CLOCK_HOST, 0);
    int64_t t0 = clock_now(&c);
    ck_assert_int_ge(t0, 0);
    ck_assert_int_lt(t0, 1000000000); /* just started */
    clock_icount_advance(&c, 1000000000); /* ignored outside icount */
    clock_warp_to(&c, INT64_MAX / 2);
    int64_t t1 = clock_now(&c);
    ck_assert_int_ge(t1, t0);
    ck_assert_int_lt(t1, 1000000000);
    int64_t h0 = host_clock_ns();
    int64_t h1 = host_clock_ns();
    ck_assert_int_ge(h1, h0);

    /* A timer in the past is due immediately in host mode too. */
    Order o = { .n = 0 };
    Tagged a;
    tagged_init(&a, &c, &o, 1);
    timer_mod(&a.t, 0);
    ck_assert_int_eq(clock_run_timers(&c), 1);
}
END_TEST

static Suite *clock_suite(void)
{
    Suite *s = suite_create("clock");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_order_out_of_order_insert);
    tcase_add_test(tc, test_equal_expiry_fifo);
    tcase_add_test(tc, test_timer_del);
    tcase_add_test(tc, test_rearm_in_callback);
    tcase_add_test(tc, test_callback_touches_other_timers);
    tcase_add_test(tc, test_icount_advance_and_warp);
    tcase_add_test(tc, test_host_mode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(clock_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
