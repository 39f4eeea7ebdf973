/*
 * The main loop (see machine_main_loop in machine/machine.h).
 *
 * One thread does everything: run due timers, act on stop requests, then
 * either give the CPU a slice of instructions that ends at the next timer
 * deadline, or - when the CPU is idle - move time to that deadline (icount:
 * warp the clock; host: sleep in poll() on the watched fds). Watched fds
 * are also polled without blocking every MAINLOOP_FD_POLL_NS of host time
 * while the CPU runs, so console input is never starved. Pollers (libslirp)
 * add their own fds and timeouts to every poll.
 */
#include "machine/machine.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>

/* Host mode: a slice is ~1 ms of guest work at ~100M instructions/s. */
#define MAINLOOP_HOST_NS_PER_INSN 10
#define MAINLOOP_HOST_SLICE_INSNS 100000
/* icount mode: longest slice, so fds get polled even with no timer armed. */
#define MAINLOOP_ICOUNT_MAX_SLICE 1000000
#define MAINLOOP_FD_POLL_NS 10000000
/* Room for the fds of pollers (machine_add_poller), all of them together. */
#define MAINLOOP_POLLER_FDS 256

/* Instructions the CPU may run before the next deadline (at least 1). */
static int64_t mainloop_budget(const VirtClock *c, int64_t now, int64_t deadline)
{
    int64_t budget;
    if (c->mode == CLOCK_ICOUNT) {
        budget = MAINLOOP_ICOUNT_MAX_SLICE;
        if (deadline != INT64_MAX) {
            int64_t until = deadline > now ? (deadline - now) >> c->icount_shift : 0;
            if (until < budget)
                budget = until;
        }
    } else {
        budget = MAINLOOP_HOST_SLICE_INSNS;
        if (deadline != INT64_MAX) {
            int64_t until = deadline > now ? (deadline - now) / MAINLOOP_HOST_NS_PER_INSN : 0;
            if (until < budget)
                budget = until;
        }
    }
    return budget < 1 ? 1 : budget;
}

/* Wait up to timeout_ms (-1: forever) for input on the watched fds (and
 * whatever the pollers ask for) and run the handlers of those that are
 * ready; pollers dispatch after every poll. Returns how many handlers ran
 * (a poller counts if any of its fds had events). */
static int mainloop_poll_fds(Machine *m, int timeout_ms)
{
    struct pollfd pfd[MACHINE_MAX_FDS + MAINLOOP_POLLER_FDS];
    int pstart[MACHINE_MAX_POLLERS], pcount[MACHINE_MAX_POLLERS];
    int n = m->nfds, npollers = m->npollers;
    for (int i = 0; i < n; i++) {
        pfd[i].fd = m->fds[i].fd;
        pfd[i].events = POLLIN;
        pfd[i].revents = 0;
    }
    int total = n;
    for (int p = 0; p < npollers; p++) {
        int to = -1;
        pstart[p] = total;
        pcount[p] = m->pollers[p].fill(m->pollers[p].opaque, &pfd[total],
                                       MACHINE_MAX_FDS + MAINLOOP_POLLER_FDS - total, &to);
        if (pcount[p] < 0)
            pcount[p] = 0;
        for (int k = total; k < total + pcount[p]; k++)
            pfd[k].revents = 0;
        total += pcount[p];
        if (to >= 0 && (timeout_ms < 0 || to < timeout_ms))
            timeout_ms = to;
    }
    int rc = poll(pfd, (nfds_t)total, timeout_ms);
    int ran = 0;
    for (int p = 0; p < npollers && p < m->npollers; p++) {
        for (int k = pstart[p]; k < pstart[p] + pcount[p]; k++) {
            if (pfd[k].revents) {
                ran++;
                break;
            }
        }
        m->pollers[p].dispatch(m->pollers[p].opaque, &pfd[pstart[p]], pcount[p],
                               rc < 0 && errno != EINTR);
    }
    if (rc <= 0)
        return ran; /* timeout, or EINTR: the loop just goes round */
    for (int i = 0; i < n; i++) {
        if (!pfd[i].revents)
            continue;
        if (pfd[i].revents & POLLNVAL) {
            /* Closed behind our back: stop watching instead of spinning. */
            machine_remove_fd(m, pfd[i].fd);
            continue;
        }
        /* Earlier handlers may have removed or added fds: look it up again. */
        for (int k = 0; k < m->nfds; k++) {
            if (m->fds[k].fd == pfd[i].fd) {
                m->fds[k].cb(m->fds[k].opaque, pfd[i].fd);
                ran++;
                break;
            }
        }
    }
    return ran;
}

/* Host mode: poll timeout in ms until deadline, rounded up (-1: none). */
static int mainloop_timeout_ms(int64_t now, int64_t deadline)
{
    if (deadline == INT64_MAX)
        return -1;
    if (deadline <= now)
        return 0;
    int64_t ms = (deadline - now + 999999) / 1000000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

int machine_main_loop(Machine *m)
{
    VirtClock *c = &m->clock;
    bool icount = c->mode == CLOCK_ICOUNT;
    bool halted = false; /* last run() said HALTED (drivers without idle()) */
    int64_t last_poll = host_clock_ns();

    for (;;) {
        if (clock_run_timers(c) > 0)
            halted = false;

        if (m->stop != STOP_NONE) {
            MachineStop why = m->stop;
            m->stop = STOP_NONE;
            if (why != STOP_RESET) {
                m->ended_by = why;        /* frontends read why the VM ended */
                return m->exit_code;
            }
            if (m->cfg && m->cfg->no_reboot)
                return EXIT_OK;
            machine_reset(m);
            halted = false;
            continue;
        }

        const CpuDriver *drv = m->cpu ? m->cpu_driver : NULL;
        bool has_cpu = drv && drv->run;
        int64_t now = clock_now(c), deadline = clock_next_deadline(c);
        bool idle = !has_cpu || (drv->idle ? drv->idle(m->cpu) : halted);

        if (!idle) {
            int64_t executed = 0;
            CpuRunResult res = drv->run(m->cpu, mainloop_budget(c, now, deadline), &executed);
            if (icount)
                clock_icount_advance(c, executed);
            halted = res == CPU_RUN_HALTED;
            if ((m->nfds || m->npollers) && host_clock_ns() - last_poll >= MAINLOOP_FD_POLL_NS) {
                if (mainloop_poll_fds(m, 0))
                    halted = false;
                last_poll = host_clock_ns();
            }
            continue;
        }

        if (deadline == INT64_MAX && m->nfds == 0 && m->npollers == 0) {
            /* No timer, no input, nothing running: nothing can ever happen. */
            if (!has_cpu)
                return EXIT_OK;
            fprintf(stderr, "doppel: the guest CPU halted and nothing can wake it\n");
            return EXIT_FAILURE_GUEST;
        }

        if (icount && deadline != INT64_MAX) {
            /* Idle in icount mode: time jumps to the next timer. */
            clock_warp_to(c, deadline);
            if ((m->nfds || m->npollers) && host_clock_ns() - last_poll >= MAINLOOP_FD_POLL_NS) {
                if (mainloop_poll_fds(m, 0))
                    halted = false;
                last_poll = host_clock_ns();
            }
            continue;
        }

        /* Sleep until the deadline (host mode) or until input arrives. */
        int timeout = icount ? -1 : mainloop_timeout_ms(now, deadline);
        if (mainloop_poll_fds(m, timeout))
            halted = false;
        last_poll = host_clock_ns();
    }
}
