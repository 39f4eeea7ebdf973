/*
 * User-mode networking back-end (-nic user / -netdev user) on libslirp.
 *
 * libslirp is a TCP/IP stack in a library: it answers the guest's DHCP,
 * DNS (forwarded to the host's resolver) and TFTP, NATs the guest's TCP
 * and UDP to host sockets, and forwards host ports into the guest
 * (hostfwd). The guest network is 10.0.2.0/24 by default with the host
 * (gateway) at .2, DNS at .3 and the guest at .15.
 *
 * Integration with doppel's single-threaded main loop:
 *  - frames: guest -> slirp_input(); slirp -> send_packet -> netdev_receive;
 *  - time: clock_get_ns and timers run on the machine's virtual clock
 *    (timer_mod gets milliseconds);
 *  - sockets: a MachinePoller; before every poll() slirp_pollfds_fill adds
 *    its sockets with read/write events and shortens the timeout for its
 *    TCP timers; after it slirp_pollfds_poll reads the results.
 * IPv6 is off (the guest gets IPv4 by DHCP, as the boot tests expect).
 */
#include <arpa/inet.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <slirp/libslirp.h>

#include "devices/net/netdev.h"
#include "machine/machine.h"

typedef struct NetSlirp {
    NetDev *nd;
    Machine *m;
    Slirp *slirp;
    /* The pollfd slice of the current fill/dispatch. */
    struct pollfd *pfd;
    int npfd, maxpfd;
} NetSlirp;

typedef struct NetSlirpTimer {
    Timer t;
    SlirpTimerCb cb;
    void *cb_opaque;
} NetSlirpTimer;

/* ---- callbacks from libslirp ---- */

static ssize_t net_slirp_send_packet(const void *buf, size_t len, void *opaque)
{
    NetSlirp *s = opaque;
    /* A NIC without room drops; slirp's TCP retransmits (libslirp.h). */
    netdev_receive(s->nd, buf, len);
    return (ssize_t)len;
}

static void net_slirp_guest_error(const char *msg, void *opaque)
{
    NetSlirp *s = opaque;
    log_printf(&s->m->log, LOG_guest_errors, "slirp: %s\n", msg);
}

static int64_t net_slirp_clock_get_ns(void *opaque)
{
    NetSlirp *s = opaque;
    return clock_now(&s->m->clock);
}

static void net_slirp_timer_fire(void *opaque)
{
    NetSlirpTimer *t = opaque;
    t->cb(t->cb_opaque);
}

static void *net_slirp_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    NetSlirp *s = opaque;
    NetSlirpTimer *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    timer_init(&t->t, &s->m->clock, net_slirp_timer_fire, t);
    return t;
}

static void net_slirp_timer_free(void *timer, void *opaque)
{
    (void)opaque;
    NetSlirpTimer *t = timer;
    if (!t)
        return;
    timer_del(&t->t);
    free(t);
}

static void net_slirp_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    NetSlirpTimer *t = timer;
    if (t)
        timer_mod(&t->t, expire_ms > INT64_MAX / 1000000 ? INT64_MAX : expire_ms * 1000000);
}

/* Sockets are polled through the MachinePoller, so there is nothing to do
 * when slirp opens or closes one. */
static void net_slirp_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void net_slirp_notify(void *opaque)
{
    (void)opaque;
}

static const SlirpCb net_slirp_callbacks = {
    .send_packet = net_slirp_send_packet,
    .guest_error = net_slirp_guest_error,
    .clock_get_ns = net_slirp_clock_get_ns,
    .timer_new = net_slirp_timer_new,
    .timer_free = net_slirp_timer_free,
    .timer_mod = net_slirp_timer_mod,
    .register_poll_fd = net_slirp_register_poll_fd,
    .unregister_poll_fd = net_slirp_register_poll_fd,
    .notify = net_slirp_notify,
};

/* ---- the main loop's poll ---- */

static int net_slirp_add_poll(int fd, int events, void *opaque)
{
    NetSlirp *s = opaque;
    if (s->npfd >= s->maxpfd)
        return -1; /* no room this round: the socket waits for the next */
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    s->pfd[s->npfd].fd = fd;
    s->pfd[s->npfd].events = ev;
    s->pfd[s->npfd].revents = 0;
    return s->npfd++;
}

static int net_slirp_get_revents(int idx, void *opaque)
{
    NetSlirp *s = opaque;
    if (idx < 0 || idx >= s->npfd)
        return 0;
    short r = s->pfd[idx].revents;
    int ev = 0;
    if (r & POLLIN)
        ev |= SLIRP_POLL_IN;
    if (r & POLLOUT)
        ev |= SLIRP_POLL_OUT;
    if (r & POLLPRI)
        ev |= SLIRP_POLL_PRI;
    if (r & (POLLERR | POLLNVAL))
        ev |= SLIRP_POLL_ERR;
    if (r & POLLHUP)
        ev |= SLIRP_POLL_HUP;
    return ev;
}

static int net_slirp_fill(void *opaque, struct pollfd *pfd, int max, int *timeout_ms)
{
    NetSlirp *s = opaque;
    uint32_t to = UINT32_MAX;
    s->pfd = pfd;
    s->npfd = 0;
    s->maxpfd = max;
    slirp_pollfds_fill(s->slirp, &to, net_slirp_add_poll, s);
    if (to != UINT32_MAX)
        *timeout_ms = to > INT_MAX ? INT_MAX : (int)to;
    return s->npfd;
}

static void net_slirp_dispatch(void *opaque, struct pollfd *pfd, int n, bool error)
{
    NetSlirp *s = opaque;
    s->pfd = pfd;
    s->npfd = n;
    slirp_pollfds_poll(s->slirp, error ? 1 : 0, net_slirp_get_revents, s);
    s->npfd = 0;
}

/* ---- the back-end ---- */

static void net_slirp_send(void *be, const uint8_t *frame, size_t len)
{
    NetSlirp *s = be;
    if (len <= INT_MAX)
        slirp_input(s->slirp, frame, (int)len);
}

static void net_slirp_destroy(void *be)
{
    NetSlirp *s = be;
    machine_remove_poller(s->m, s);
    if (s->slirp)
        slirp_cleanup(s->slirp);
    free(s);
}

static const NetBackendOps net_slirp_ops = {
    .name = "user",
    .send = net_slirp_send,
    .destroy = net_slirp_destroy,
};

static struct in_addr net_slirp_addr(uint32_t host_order)
{
    struct in_addr a = { .s_addr = htonl(host_order) };
    return a;
}

bool net_slirp_attach(NetDev *nd, Machine *m, const NetUserOptions *u, char *err, size_t errlen)
{
    struct stat st;
    if (u->tftp && (stat(u->tftp, &st) != 0 || !S_ISDIR(st.st_mode))) {
        snprintf(err, errlen, "tftp: '%s' is not a directory", u->tftp);
        return false;
    }
    NetSlirp *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    s->nd = nd;
    s->m = m;

    SlirpConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.version = 1;
    cfg.restricted = u->restricted;
    cfg.in_enabled = true;
    cfg.vnetwork = net_slirp_addr(u->net);
    cfg.vnetmask = net_slirp_addr(u->mask);
    cfg.vhost = net_slirp_addr(u->host);
    cfg.in6_enabled = false;
    cfg.vhostname = u->hostname;
    cfg.tftp_path = u->tftp;
    cfg.bootfile = u->bootfile;
    cfg.vdhcp_start = net_slirp_addr(u->dhcp_start);
    cfg.vnameserver = net_slirp_addr(u->dns);
    s->slirp = slirp_new(&cfg, &net_slirp_callbacks, s);
    if (!s->slirp) {
        snprintf(err, errlen, "user networking: libslirp could not start");
        free(s);
        return false;
    }
    for (int i = 0; i < u->nhostfwd; i++) {
        const NetHostFwd *f = &u->hostfwd[i];
        uint32_t guest = f->guest_addr ? f->guest_addr : u->dhcp_start;
        if (slirp_add_hostfwd(s->slirp, f->udp, net_slirp_addr(f->host_addr), f->host_port,
                              net_slirp_addr(guest), f->guest_port) < 0) {
            snprintf(err, errlen, "hostfwd: cannot listen on host %s port %u (in use?)",
                     f->udp ? "UDP" : "TCP", f->host_port);
            slirp_cleanup(s->slirp);
            free(s);
            return false;
        }
    }
    MachinePoller p = { net_slirp_fill, net_slirp_dispatch, s };
    if (!machine_add_poller(m, &p)) {
        snprintf(err, errlen, "user networking: too many network back-ends");
        slirp_cleanup(s->slirp);
        free(s);
        return false;
    }
    netdev_set_backend(nd, &net_slirp_ops, s);
    return true;
}
