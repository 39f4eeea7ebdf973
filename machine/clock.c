/*
 * The virtual clock and its timer queue (see machine/clock.h).
 *
 * The queue is a singly-linked list sorted by expiry: a machine has a
 * handful of timers (PIT, RTC, APIC, console), so insertion by linear scan
 * is cheaper than any heap. Host mode reads CLOCK_MONOTONIC; icount mode
 * only moves when the main loop accounts retired instructions or warps an
 * idle CPU to the next deadline.
 */
#include "machine/clock.h"

#include <stddef.h>
#include <time.h>

int64_t host_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void clock_init(VirtClock *c, ClockMode mode, int icount_shift)
{
    c->mode = mode;
    c->icount_shift = icount_shift < 0 ? 0 : icount_shift > 30 ? 30 : icount_shift;
    c->host_start = host_clock_ns();
    c->icount_ns = 0;
    c->head = NULL;
    c->run_pass = 0;
}

int64_t clock_now(VirtClock *c)
{
    if (c->mode == CLOCK_ICOUNT)
        return c->icount_ns;
    return host_clock_ns() - c->host_start;
}

void clock_icount_advance(VirtClock *c, int64_t ninsns)
{
    if (c->mode == CLOCK_ICOUNT && ninsns > 0)
        c->icount_ns += ninsns << c->icount_shift;
}

void clock_warp_to(VirtClock *c, int64_t t)
{
    if (c->mode == CLOCK_ICOUNT && t > c->icount_ns)
        c->icount_ns = t;
}

int64_t clock_next_deadline(VirtClock *c)
{
    return c->head ? c->head->expire : INT64_MAX;
}

void timer_init(Timer *t, VirtClock *c, TimerCb cb, void *opaque)
{
    t->clock = c;
    t->cb = cb;
    t->opaque = opaque;
    t->expire = 0;
    t->pending = false;
    t->next = NULL;
    t->ran_in = 0;
}

void timer_del(Timer *t)
{
    if (!t->pending)
        return;
    for (Timer **pp = &t->clock->head; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->pending = false;
}

void timer_mod(Timer *t, int64_t expire_ns)
{
    timer_del(t);
    Timer **pp = &t->clock->head;
    while (*pp && (*pp)->expire <= expire_ns)
        pp = &(*pp)->next;
    t->expire = expire_ns;
    t->next = *pp;
    *pp = t;
    t->pending = true;
}

int clock_run_timers(VirtClock *c)
{
    int64_t now = clock_now(c);
    if (++c->run_pass == 0)
        c->run_pass = 1; /* 0 is what timer_init leaves in ran_in */
    unsigned pass = c->run_pass;
    int ran = 0;
    for (;;) {
        /* The earliest due timer that has not run in this pass. Timers
         * re-armed for <= now by a callback are skipped until next call. */
        Timer **pp = &c->head;
        while (*pp && (*pp)->expire <= now && (*pp)->ran_in == pass)
            pp = &(*pp)->next;
        Timer *t = *pp;
        if (!t || t->expire > now)
            return ran;
        *pp = t->next;
        t->next = NULL;
        t->pending = false;
        t->ran_in = pass;
        t->cb(t->opaque);
        ran++;
    }
}
