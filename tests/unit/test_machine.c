/*
 * Unit tests of machine/machine.c, machine/mainloop.c and the board
 * registry: a fake CpuDriver checks that run budgets end at timer
 * deadlines in icount mode (2^shift ns per instruction), that an idle CPU
 * makes the clock warp to the next timer, and how stop requests end or
 * restart the loop.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "machine/machine.h"

typedef struct FakeCpu {
    Machine *m;
    int64_t budgets[32];
    int64_t start_time[32];
    int nruns;
    bool idle;
    bool use_idle_cb;     /* else report idleness through CPU_RUN_HALTED */
    int resets, kicks, destroyed;
    int64_t exec_limit;   /* retire min(budget, exec_limit) when > 0 */
    bool host_paced;      /* take 10 ns of host time per instruction */
} FakeCpu;

static CpuRunResult fake_run(void *cpu, int64_t max_insns, int64_t *executed)
{
    FakeCpu *f = cpu;
    if (f->nruns < 32) {
        f->budgets[f->nruns] = max_insns;
        f->start_time[f->nruns] = clock_now(&f->m->clock);
    }
    f->nruns++;
    ck_assert_int_ge(max_insns, 1);
    ck_assert_int_lt(f->nruns, 10000); /* a runaway loop fails the test */
    if (!f->use_idle_cb && f->idle) {
        *executed = 1;
        return CPU_RUN_HALTED;
    }
    *executed = f->exec_limit > 0 && f->exec_limit < max_insns ? f->exec_limit : max_insns;
    if (f->host_paced) {
        struct timespec ts = { 0, (long)(*executed * 10) };
        nanosleep(&ts, NULL);
    }
    return CPU_RUN_BUDGET;
}

static void fake_reset(void *cpu) { ((FakeCpu *)cpu)->resets++; }
static void fake_kick(void *cpu) { ((FakeCpu *)cpu)->kicks++; }
static bool fake_idle(void *cpu) { return ((FakeCpu *)cpu)->idle; }
static void fake_destroy(void *cpu) { ((FakeCpu *)cpu)->destroyed++; }

static const CpuDriver fake_driver = {
    .name = "fake", .run = fake_run, .reset = fake_reset, .kick = fake_kick,
    .idle = fake_idle, .destroy = fake_destroy,
};
static const CpuDriver fake_driver_noidle = {
    .name = "fake-noidle", .run = fake_run, .reset = fake_reset, .kick = fake_kick,
    .destroy = fake_destroy,
};

typedef struct Rig {
    VmConfig cfg;
    Machine m;
    FakeCpu cpu;
} Rig;

static void rig_init(Rig *r, int icount_shift, bool with_cpu)
{
    memset(&r->cfg, 0, sizeof(r->cfg));
    r->cfg.icount_shift = icount_shift;
    ck_assert(machine_init(&r->m, &r->cfg, NULL));
    memset(&r->cpu, 0, sizeof(r->cpu));
    r->cpu.m = &r->m;
    r->cpu.use_idle_cb = true;
    if (with_cpu) {
        r->m.cpu = &r->cpu;
        r->m.cpu_driver = &fake_driver;
    }
}

/* A timer that requests a stop when it fires. */
typedef struct StopTimer {
    Machine *m;
    Timer t;
    MachineStop why;
    int code;
    int fired;
} StopTimer;

static void stop_cb(void *opaque)
{
    StopTimer *s = opaque;
    s->fired++;
    machine_request_stop(s->m, s->why, s->code);
}

static void stop_timer_arm(StopTimer *s, Machine *m, int64_t when, MachineStop why, int code)
{
    s->m = m;
    s->why = why;
    s->code = code;
    s->fired = 0;
    timer_init(&s->t, &m->clock, stop_cb, s);
    timer_mod(&s->t, when);
}

static void count_cb(void *opaque) { (*(int *)opaque)++; }

START_TEST(test_budget_follows_deadlines)
{
    Rig r;
    rig_init(&r, 0, true);
    int hits = 0;
    Timer t1;
    timer_init(&t1, &r.m.clock, count_cb, &hits);
    timer_mod(&t1, 1000);
    StopTimer st;
    stop_timer_arm(&st, &r.m, 2500, STOP_POWEROFF, 3);

    ck_assert_int_eq(machine_main_loop(&r.m), 3);
    ck_assert_int_eq(hits, 1);
    ck_assert_int_eq(st.fired, 1);
    ck_assert_int_eq(r.cpu.nruns, 2);
    ck_assert_int_eq(r.cpu.budgets[0], 1000);
    ck_assert_int_eq(r.cpu.budgets[1], 1500);
    ck_assert_int_eq(r.cpu.start_time[1], 1000);
    ck_assert_int_eq(clock_now(&r.m.clock), 2500);
    ck_assert_int_ge(r.cpu.kicks, 1); /* the stop request kicked the CPU */
    machine_destroy(&r.m);
    ck_assert_int_eq(r.cpu.destroyed, 1);
}
END_TEST

START_TEST(test_budget_with_shift)
{
    Rig r;
    rig_init(&r, 2, true); /* 4 ns per instruction */
    r.cpu.exec_limit = 100; /* the CPU stops early (e.g. an I/O exit) */
    StopTimer st;
    stop_timer_arm(&st, &r.m, 1000, STOP_EXIT, 9);
    ck_assert_int_eq(machine_main_loop(&r.m), 9);
    /* 1000 ns = 250 insns; then 150 left after 100 ran, then 50. */
    ck_assert_int_eq(r.cpu.nruns, 3);
    ck_assert_int_eq(r.cpu.budgets[0], 250);
    ck_assert_int_eq(r.cpu.budgets[1], 150);
    ck_assert_int_eq(r.cpu.budgets[2], 50);
    ck_assert_int_eq(clock_now(&r.m.clock), 1000);
    machine_destroy(&r.m);
}
END_TEST

/* An interrupt-like wake-up: the timer makes the CPU runnable again. */
typedef struct Wake {
    FakeCpu *cpu;
    Timer t;
} Wake;

static void wake_cb(void *opaque)
{
    Wake *w = opaque;
    w->cpu->idle = false;
}

START_TEST(test_idle_cpu_warps)
{
    Rig r;
    rig_init(&r, 0, true);
    r.cpu.idle = true;
    Wake w = { .cpu = &r.cpu };
    timer_init(&w.t, &r.m.clock, wake_cb, &w);
    timer_mod(&w.t, 5000);
    StopTimer st;
    stop_timer_arm(&st, &r.m, 5400, STOP_POWEROFF, 0);
    ck_assert_int_eq(machine_main_loop(&r.m), 0);
    /* No instruction ran while idle: the clock jumped to 5000. */
    ck_assert_int_eq(r.cpu.nruns, 1);
    ck_assert_int_eq(r.cpu.start_time[0], 5000);
    ck_assert_int_eq(r.cpu.budgets[0], 400);
    ck_assert_int_eq(clock_now(&r.m.clock), 5400);
    machine_destroy(&r.m);
}
END_TEST

START_TEST(test_halted_result_without_idle_cb)
{
    Rig r;
    rig_init(&r, 0, true);
    r.m.cpu_driver = &fake_driver_noidle;
    r.cpu.use_idle_cb = false;
    r.cpu.idle = true;
    Wake w = { .cpu = &r.cpu };
    timer_init(&w.t, &r.m.clock, wake_cb, &w);
    timer_mod(&w.t, 7000);
    StopTimer st;
    stop_timer_arm(&st, &r.m, 7100, STOP_EXIT, 4);
    ck_assert_int_eq(machine_main_loop(&r.m), 4);
    /* One run that reports HALT, a warp to 7000, then a 100-insn slice. */
    ck_assert_int_eq(r.cpu.nruns, 2);
    ck_assert_int_eq(r.cpu.start_time[1], 7000);
    ck_assert_int_eq(r.cpu.budgets[1], 100);
    machine_destroy(&r.m);
}
END_TEST

START_TEST(test_reset_no_reboot)
{
    Rig r;
    rig_init(&r, 0, true);
    r.cfg.no_reboot = true;
    StopTimer st;
    stop_timer_arm(&st, &r.m, 100, STOP_RESET, 5);
    ck_assert_int_eq(machine_main_loop(&r.m), 0);
    ck_assert_int_eq(r.cpu.resets, 0);
    machine_destroy(&r.m);
}
END_TEST

static void dev_reset(void *dev) { (*(int *)dev) += 1; }
static void dev_destroy(void *dev) { (*(int *)dev) += 100; }
static const DeviceClass counting_dev = {
    .name = "counter", .state_size = sizeof(int), .reset = dev_reset, .destroy = dev_destroy,
};

/* The rig board counts resets in its board_state. */
static void rig_board_reset(Machine *m) { (*(int *)m->board_state)++; }
static void rig_board_destroy(Machine *m) { (*(int *)m->board_state) += 100; }
static const BoardClass rig_board = {
    .name = "rig", .reset = rig_board_reset, .destroy = rig_board_destroy,
};

START_TEST(test_reset_reboots)
{
    Rig r;
    rig_init(&r, 0, true);
    int board_resets = 0;
    r.m.board = &rig_board;
    r.m.board_state = &board_resets;
    int devstate = 0;
    machine_add_device(&r.m, &counting_dev, &devstate);
    StopTimer st;
    stop_timer_arm(&st, &r.m, 100, STOP_RESET, 0);
    StopTimer off;
    stop_timer_arm(&off, &r.m, 300, STOP_POWEROFF, 6);
    ck_assert_int_eq(machine_main_loop(&r.m), 6);
    ck_assert_int_eq(devstate, 1);
    ck_assert_int_eq(board_resets, 1);
    ck_assert_int_eq(r.cpu.resets, 1);
    /* The loop went on after the reset: the CPU ran up to 300. */
    ck_assert_int_eq(clock_now(&r.m.clock), 300);
    machine_destroy(&r.m);
    ck_assert_int_eq(devstate, 101);
    ck_assert_int_eq(board_resets, 101);
}
END_TEST

START_TEST(test_stop_priority)
{
    Rig r;
    rig_init(&r, 0, true);
    machine_request_stop(&r.m, STOP_RESET, 0);
    machine_request_stop(&r.m, STOP_POWEROFF, 3);
    machine_request_stop(&r.m, STOP_RESET, 0);
    machine_request_stop(&r.m, STOP_EXIT, 1);
    ck_assert_int_eq(r.m.stop, STOP_POWEROFF);
    ck_assert_int_eq(r.m.exit_code, 3);
    ck_assert_int_eq(r.cpu.kicks, 4);
    ck_assert_int_eq(machine_main_loop(&r.m), 3);
    ck_assert_int_eq(r.cpu.nruns, 0);
    machine_destroy(&r.m);
}
END_TEST

START_TEST(test_nothing_to_do)
{
    Rig r;
    rig_init(&r, -1, false);
    ck_assert_int_eq(machine_main_loop(&r.m), 0);
    machine_destroy(&r.m);

    /* An idle CPU with no timer and no input can never wake. */
    rig_init(&r, 0, true);
    r.cpu.idle = true;
    ck_assert_int_eq(machine_main_loop(&r.m), EXIT_FAILURE_GUEST);
    machine_destroy(&r.m);
}
END_TEST

typedef struct FdRig {
    Machine *m;
    int reads;
    char last;
} FdRig;

static void fd_cb(void *opaque, int fd)
{
    FdRig *f = opaque;
    char c;
    if (read(fd, &c, 1) == 1) {
        f->reads++;
        f->last = c;
        if (c == 'q')
            machine_request_stop(f->m, STOP_EXIT, 5);
    } else {
        machine_remove_fd(f->m, fd);
    }
}

START_TEST(test_fd_input)
{
    Rig r;
    rig_init(&r, -1, false);
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    FdRig f = { .m = &r.m };
    ck_assert(machine_add_fd(&r.m, p[0], fd_cb, &f));
    ck_assert_int_eq(write(p[1], "aq", 2), 2);
    ck_assert_int_eq(machine_main_loop(&r.m), 5);
    ck_assert_int_eq(f.reads, 2);
    ck_assert_int_eq(f.last, 'q');
    machine_remove_fd(&r.m, p[0]);
    ck_assert_int_eq(r.m.nfds, 0);
    machine_remove_fd(&r.m, p[0]); /* not watched: no-op */
    for (int i = 0; i < MACHINE_MAX_FDS; i++)
        ck_assert(machine_add_fd(&r.m, p[0], fd_cb, &f));
    ck_assert(!machine_add_fd(&r.m, p[0], fd_cb, &f));
    close(p[0]);
    close(p[1]);
    machine_destroy(&r.m);
}
END_TEST

/* Host mode, no CPU: the loop sleeps until the timer instead of returning
 * early or spinning. */
START_TEST(test_host_sleep_until_timer)
{
    Rig r;
    rig_init(&r, -1, false);
    int64_t t0 = host_clock_ns();
    StopTimer st;
    stop_timer_arm(&st, &r.m, clock_now(&r.m.clock) + 20000000, STOP_POWEROFF, 2);
    ck_assert_int_eq(machine_main_loop(&r.m), 2);
    int64_t dt = host_clock_ns() - t0;
    ck_assert_int_ge(dt, 20000000);
    ck_assert_int_lt(dt, 2000000000);
    machine_destroy(&r.m);
}
END_TEST

START_TEST(test_host_budget_capped)
{
    Rig r;
    rig_init(&r, -1, true);
    r.cpu.host_paced = true;
    StopTimer st;
    stop_timer_arm(&st, &r.m, clock_now(&r.m.clock) + 5000000, STOP_POWEROFF, 0);
    ck_assert_int_eq(machine_main_loop(&r.m), 0);
    ck_assert_int_ge(r.cpu.nruns, 1);
    /* Host mode slices are short (about 1 ms of guest work at most). */
    for (int i = 0; i < r.cpu.nruns && i < 32; i++)
        ck_assert_int_le(r.cpu.budgets[i], 100000);
    machine_destroy(&r.m);
}
END_TEST

/* A CPU that never idles must not starve console input. */
START_TEST(test_fd_polled_while_running)
{
    Rig r;
    rig_init(&r, -1, true);
    r.cpu.host_paced = true;
    int p[2];
    ck_assert_int_eq(pipe(p), 0);
    FdRig f = { .m = &r.m };
    ck_assert(machine_add_fd(&r.m, p[0], fd_cb, &f));
    ck_assert_int_eq(write(p[1], "q", 1), 1);
    int64_t t0 = host_clock_ns();
    ck_assert_int_eq(machine_main_loop(&r.m), 5);
    ck_assert_int_lt(host_clock_ns() - t0, 1000000000);
    ck_assert_int_ge(r.cpu.nruns, 1);
    close(p[0]);
    close(p[1]);
    machine_destroy(&r.m);
}
END_TEST

START_TEST(test_board_none)
{
    ck_assert_ptr_null(board_find("no-such-board"));
    ck_assert_ptr_null(board_find(NULL));
    const BoardClass *b = board_find("none");
    ck_assert_ptr_nonnull(b);
    VmConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.icount_shift = -1;
    cfg.ram_size = 1 << 20;
    Machine m;
    ck_assert(machine_init(&m, &cfg, b));
    ck_assert(b->init(&m));
    as_write(&m.mem, 0xffffc, 0xcafef00d, 4);
    ck_assert_uint_eq(as_read(&m.mem, 0xffffc, 4), 0xcafef00d);
    ck_assert_uint_eq(as_read(&m.mem, 0x100000, 4), 0); /* past RAM */
    ck_assert_uint_eq(as_read(&m.io, 0x60, 1), 0xff);   /* empty port space */
    ck_assert_int_eq(machine_main_loop(&m), 0);         /* nothing can happen */
    machine_destroy(&m);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    board_list(f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "none"));
    free(text);
}
END_TEST

static Suite *machine_suite(void)
{
    Suite *s = suite_create("machine");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_budget_follows_deadlines);
    tcase_add_test(tc, test_budget_with_shift);
    tcase_add_test(tc, test_idle_cpu_warps);
    tcase_add_test(tc, test_halted_result_without_idle_cb);
    tcase_add_test(tc, test_reset_no_reboot);
    tcase_add_test(tc, test_reset_reboots);
    tcase_add_test(tc, test_stop_priority);
    tcase_add_test(tc, test_nothing_to_do);
    tcase_add_test(tc, test_fd_input);
    tcase_add_test(tc, test_host_sleep_until_timer);
    tcase_add_test(tc, test_host_budget_capped);
    tcase_add_test(tc, test_fd_polled_while_running);
    tcase_add_test(tc, test_board_none);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(machine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
