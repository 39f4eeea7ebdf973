/*
 * The Machine (see machine/machine.h): setup, device registry, watched
 * fds, stop requests, reset and teardown. The main loop is in mainloop.c.
 */
#include "machine/machine.h"

#include <stdlib.h>
#include <string.h>

bool machine_init(Machine *m, const VmConfig *cfg, const BoardClass *board)
{
    memset(m, 0, sizeof(*m));
    m->cfg = cfg;
    m->board = board;
    if (!log_open(&m->log, cfg->log_mask, cfg->log_file))
        return false;
    as_init(&m->mem, "memory", 0);
    as_init(&m->io, "io", ~(uint64_t)0);
    if (cfg->icount_shift >= 0)
        clock_init(&m->clock, CLOCK_ICOUNT, cfg->icount_shift);
    else
        clock_init(&m->clock, CLOCK_HOST, 0);
    return true;
}

void machine_add_device(Machine *m, const DeviceClass *cls, void *state)
{
    if (m->ndevices >= MACHINE_MAX_DEVICES) {
        fprintf(stderr, "doppel: too many devices (max %d) adding %s\n",
                MACHINE_MAX_DEVICES, cls->name);
        abort();
    }
    m->devices[m->ndevices].cls = cls;
    m->devices[m->ndevices].state = state;
    m->ndevices++;
}

bool machine_add_fd(Machine *m, int fd, FdHandler cb, void *opaque)
{
    if (m->nfds >= MACHINE_MAX_FDS || fd < 0 || !cb)
        return false;
    m->fds[m->nfds].fd = fd;
    m->fds[m->nfds].cb = cb;
    m->fds[m->nfds].opaque = opaque;
    m->nfds++;
    return true;
}

void machine_remove_fd(Machine *m, int fd)
{
    for (int i = 0; i < m->nfds; i++) {
        if (m->fds[i].fd != fd)
            continue;
        memmove(&m->fds[i], &m->fds[i + 1], sizeof(m->fds[0]) * (size_t)(m->nfds - i - 1));
        m->nfds--;
        return;
    }
}

bool machine_add_poller(Machine *m, const MachinePoller *p)
{
    if (m->npollers >= MACHINE_MAX_POLLERS || !p || !p->fill || !p->dispatch)
        return false;
    m->pollers[m->npollers++] = *p;
    return true;
}

void machine_remove_poller(Machine *m, void *opaque)
{
    for (int i = 0; i < m->npollers;) {
        if (m->pollers[i].opaque != opaque) {
            i++;
            continue;
        }
        memmove(&m->pollers[i], &m->pollers[i + 1],
                sizeof(m->pollers[0]) * (size_t)(m->npollers - i - 1));
        m->npollers--;
    }
}

void machine_request_stop(Machine *m, MachineStop why, int exit_code)
{
    if (why == STOP_NONE)
        return;
    if (m->stop == STOP_NONE || m->stop == STOP_RESET) {
        m->stop = why;
        m->exit_code = exit_code;
    }
    if (m->cpu && m->cpu_driver && m->cpu_driver->kick)
        m->cpu_driver->kick(m->cpu);
}

void machine_reset(Machine *m)
{
    for (int i = 0; i < m->ndevices; i++) {
        const DeviceClass *cls = m->devices[i].cls;
        if (cls && cls->reset)
            cls->reset(m->devices[i].state);
    }
    if (m->board && m->board->reset)
        m->board->reset(m);
    if (m->cpu && m->cpu_driver && m->cpu_driver->reset)
        m->cpu_driver->reset(m->cpu);
}

void machine_destroy(Machine *m)
{
    if (m->cpu && m->cpu_driver && m->cpu_driver->destroy)
        m->cpu_driver->destroy(m->cpu);
    m->cpu = NULL;
    m->cpu_driver = NULL;
    for (int i = m->ndevices - 1; i >= 0; i--) {
        const DeviceClass *cls = m->devices[i].cls;
        if (cls && cls->destroy)
            cls->destroy(m->devices[i].state);
    }
    m->ndevices = 0;
    if (m->board && m->board->destroy)
        m->board->destroy(m);
    else
        free(m->board_state);
    m->board_state = NULL;
    /* Timers lived in the devices just freed. */
    m->clock.head = NULL;
    as_destroy(&m->mem);
    as_destroy(&m->io);
    m->nfds = 0;
    log_close(&m->log);
}
