/*
 * The virtual clock and its timer queue.
 *
 * Time is in nanoseconds since the machine started. In host mode it follows
 * CLOCK_MONOTONIC; in icount mode (-icount shift=N) it advances by 2^N ns per
 * retired guest instruction, so a run is reproducible bit for bit, and it
 * warps to the next deadline while the CPU is halted.
 */
#ifndef DOPPEL_MACHINE_CLOCK_H
#define DOPPEL_MACHINE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

typedef enum ClockMode { CLOCK_HOST, CLOCK_ICOUNT } ClockMode;

typedef void (*TimerCb)(void *opaque);

typedef struct VirtClock VirtClock;

typedef struct Timer {
    VirtClock *clock;
    TimerCb cb;
    void *opaque;
    int64_t expire;        /* ns, valid while pending */
    bool pending;
    struct Timer *next;    /* in the clock's queue, sorted by expire */
    unsigned ran_in;       /* clock->run_pass when it last ran */
} Timer;

struct VirtClock {
    ClockMode mode;
    int icount_shift;      /* icount: ns per instruction = 1 << shift */
    int64_t host_start;    /* host ns at clock_init */
    int64_t icount_ns;     /* icount: current time */
    Timer *head;           /* earliest first */
    unsigned run_pass;     /* counts clock_run_timers calls */
};

/** Start a clock at time 0 (icount_shift is clamped to 0..30). */
void clock_init(VirtClock *c, ClockMode mode, int icount_shift);
/** Current virtual time in ns. */
int64_t clock_now(VirtClock *c);
/** icount mode: account for n retired instructions. */
void clock_icount_advance(VirtClock *c, int64_t ninsns);
/** icount mode: jump forward to t (idle CPU waiting for a timer). */
void clock_warp_to(VirtClock *c, int64_t t);
/** Expiry of the earliest pending timer, or INT64_MAX. */
int64_t clock_next_deadline(VirtClock *c);
/** Run (and dequeue) every timer whose expiry is <= now, earliest first
 *  (equal expiries in arming order); returns how many ran. A callback may
 *  re-arm its own or other timers; each timer runs at most once per call,
 *  so one re-armed for a time <= now runs on the next call. */
int clock_run_timers(VirtClock *c);

/** Prepare a timer (not pending). */
void timer_init(Timer *t, VirtClock *c, TimerCb cb, void *opaque);
/** (Re)arm t to fire at absolute time expire_ns (removing it first if
 *  pending). Timers with equal expiry fire in the order they were armed. */
void timer_mod(Timer *t, int64_t expire_ns);
/** Disarm t (no-op if not pending). */
void timer_del(Timer *t);
static inline bool timer_pending(const Timer *t) { return t->pending; }

/** Host monotonic time in ns. */
int64_t host_clock_ns(void);

#endif
