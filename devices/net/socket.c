/*
 * Socket back-end (-netdev socket / -nic socket), compatible with QEMU's:
 * two VMs, or a VM and a test program, share one Ethernet segment without
 * root rights.
 *
 *   listen=[HOST]:PORT   TCP server. One peer at a time: a connection that
 *                        arrives while a peer is connected is accepted and
 *                        closed at once (refused). When the peer leaves, the
 *                        back-end accepts the next one.
 *   connect=HOST:PORT    TCP client. Connects at start (a failure stops the
 *                        VM from starting); when the peer leaves it stays
 *                        unconnected and frames from the guest vanish.
 *   udp=HOST:PORT,localaddr=[HOST]:PORT
 *                        One frame per datagram, sent to udp=, received on
 *                        localaddr= from anyone (as QEMU does).
 *
 * Stream framing (QEMU net/socket.c, "stream" mode): every frame is preceded
 * by its length as a 4-byte big-endian integer. A length of 0 or above
 * NET_SOCKET_MAX_LEN is a protocol error and closes the connection; frames
 * larger than NET_MAX_FRAME are read and dropped. Frames from the guest
 * wait in a bounded transmit buffer while the socket is full; a frame that
 * does not fit is dropped (as on a congested wire), never half-written.
 *
 * All sockets are non-blocking and polled through a MachinePoller, so the
 * machine's single thread never waits on the network.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/net/netdev.h"
#include "machine/machine.h"

/* Largest frame length the stream framing accepts from a peer. */
#define NET_SOCKET_MAX_LEN 65536u
#define NET_SOCKET_HDR 4u
/* Bytes from the guest waiting for the socket (about 170 full frames). */
#define NET_SOCKET_TX_CAP (256u * 1024u)
/* Work per poll, so a flooding peer cannot starve the guest. */
#define NET_SOCKET_RX_BUDGET (256u * 1024u)
#define NET_SOCKET_UDP_BUDGET 64
#define NET_SOCKET_STAGE 16384u
#define NET_SOCKET_CONNECT_TIMEOUT_MS 5000

typedef struct NetSocket {
    NetDev *nd;
    Machine *m;
    NetSocketMode mode;
    char name[NET_ID_MAX + 24];     /* for messages: "-netdev socket 'n0'" */
    int listen_fd;                  /* listen mode, else -1 */
    int fd;                         /* the peer's stream, or the UDP socket; -1: none */
    struct sockaddr_in udp_dst;
    uint16_t local_port;
    /* Stream receive: the length header, then the frame. */
    uint8_t hdr[NET_SOCKET_HDR];
    size_t hdr_got;
    uint32_t frame_len;
    size_t frame_got;
    uint8_t *rx;                    /* NET_SOCKET_MAX_LEN bytes */
    /* Stream transmit: pending bytes are tx[tx_head .. tx_head + tx_len). */
    uint8_t *tx;
    size_t tx_head, tx_len;
    uint64_t tx_dropped;
    /* Which entries this poller added in the last fill (-1: none). */
    int pfd_conn, pfd_listen;
} NetSocket;

static const NetBackendOps net_socket_ops;

static struct sockaddr_in net_socket_sin(const NetSocketAddr *a)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(a->port);
    sin.sin_addr.s_addr = htonl(a->addr);
    return sin;
}

/* "10.0.0.1:1234" */
static const char *net_socket_fmt(const NetSocketAddr *a, char *buf, size_t len)
{
    struct in_addr in = { .s_addr = htonl(a->addr) };
    char ip[INET_ADDRSTRLEN];
    if (!inet_ntop(AF_INET, &in, ip, sizeof(ip)))
        snprintf(ip, sizeof(ip), "?");
    snprintf(buf, len, "%s:%u", ip, a->port);
    return buf;
}

static void net_socket_reset_stream(NetSocket *s)
{
    s->hdr_got = 0;
    s->frame_len = 0;
    s->frame_got = 0;
    s->tx_head = s->tx_len = 0;
}

/* Close the connection to the peer. Listen mode waits for the next one. */
static void net_socket_drop_peer(NetSocket *s, const char *why)
{
    if (s->fd < 0)
        return;
    close(s->fd);
    s->fd = -1;
    net_socket_reset_stream(s);
    fprintf(stderr, "doppel: %s: %s; %s\n", s->name, why,
            s->mode == NET_SOCKET_LISTEN ? "waiting for a new peer" : "not reconnecting");
}

/* ---- stream transmit ---- */

/* Write what the socket takes now; the rest waits for POLLOUT. */
static void net_socket_flush_tx(NetSocket *s)
{
    while (s->fd >= 0 && s->tx_len) {
        ssize_t r = send(s->fd, s->tx + s->tx_head, s->tx_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r > 0) {
            s->tx_head += (size_t)r;
            s->tx_len -= (size_t)r;
        } else if (r < 0 && errno == EINTR) {
            continue;
        } else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            net_socket_drop_peer(s, "cannot write to the peer");
            return;
        }
    }
    if (!s->tx_len)
        s->tx_head = 0;
}

static void net_socket_send_stream(NetSocket *s, const uint8_t *frame, size_t len)
{
    if (s->fd < 0 || len == 0 || len > NET_SOCKET_MAX_LEN) {
        s->tx_dropped++;
        return;
    }
    size_t need = NET_SOCKET_HDR + len;
    if (need > NET_SOCKET_TX_CAP - s->tx_len) {
        s->tx_dropped++;    /* the peer does not keep up: drop the whole frame */
        return;
    }
    if (s->tx_head + s->tx_len + need > NET_SOCKET_TX_CAP) {
        memmove(s->tx, s->tx + s->tx_head, s->tx_len);
        s->tx_head = 0;
    }
    uint8_t *p = s->tx + s->tx_head + s->tx_len;
    p[0] = (uint8_t)(len >> 24);
    p[1] = (uint8_t)(len >> 16);
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    memcpy(p + NET_SOCKET_HDR, frame, len);
    s->tx_len += need;
    net_socket_flush_tx(s);
}

static void net_socket_send(void *be, const uint8_t *frame, size_t len)
{
    NetSocket *s = be;
    if (s->mode != NET_SOCKET_UDP) {
        net_socket_send_stream(s, frame, len);
        return;
    }
    if (s->fd < 0)
        return;
    /* A datagram that does not fit the socket buffer now is lost, as on a
     * congested wire. */
    if (sendto(s->fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&s->udp_dst,
               sizeof(s->udp_dst)) < 0)
        s->tx_dropped++;
}

/* ---- stream receive ---- */

/* Feed n bytes of the stream. False on a protocol error (the caller drops
 * the peer) or if the connection went away while a frame was delivered. */
static bool net_socket_stream_input(NetSocket *s, int fd, const uint8_t *buf, size_t n)
{
    while (n) {
        if (s->hdr_got < NET_SOCKET_HDR) {
            size_t k = NET_SOCKET_HDR - s->hdr_got;
            if (k > n)
                k = n;
            memcpy(s->hdr + s->hdr_got, buf, k);
            s->hdr_got += k;
            buf += k;
            n -= k;
            if (s->hdr_got < NET_SOCKET_HDR)
                break;
            uint32_t len = (uint32_t)s->hdr[0] << 24 | (uint32_t)s->hdr[1] << 16 |
                           (uint32_t)s->hdr[2] << 8 | s->hdr[3];
            if (len == 0 || len > NET_SOCKET_MAX_LEN) {
                char why[64];
                snprintf(why, sizeof(why), "bad frame length %u from the peer", (unsigned)len);
                net_socket_drop_peer(s, why);
                return false;
            }
            s->frame_len = len;
            s->frame_got = 0;
            continue;
        }
        size_t k = s->frame_len - s->frame_got;
        if (k > n)
            k = n;
        memcpy(s->rx + s->frame_got, buf, k);
        s->frame_got += k;
        buf += k;
        n -= k;
        if (s->frame_got == s->frame_len) {
            size_t len = s->frame_len;
            s->hdr_got = 0;
            s->frame_len = 0;
            s->frame_got = 0;
            /* Oversized frames (> NET_MAX_FRAME) are counted and dropped. */
            netdev_receive(s->nd, s->rx, len);
            if (s->fd != fd)
                return false;   /* the NIC's reaction closed the connection */
        }
    }
    return true;
}

static void net_socket_read_stream(NetSocket *s)
{
    uint8_t stage[NET_SOCKET_STAGE];
    int fd = s->fd;
    size_t total = 0;
    while (s->fd == fd && total < NET_SOCKET_RX_BUDGET) {
        ssize_t r = recv(fd, stage, sizeof(stage), MSG_DONTWAIT);
        if (r > 0) {
            total += (size_t)r;
            if (!net_socket_stream_input(s, fd, stage, (size_t)r))
                return;
        } else if (r == 0) {
            net_socket_drop_peer(s, "the peer closed the connection");
            return;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else {
            char why[96];
            snprintf(why, sizeof(why), "connection lost (%s)", strerror(errno));
            net_socket_drop_peer(s, why);
            return;
        }
    }
}

static void net_socket_read_udp(NetSocket *s)
{
    for (int i = 0; i < NET_SOCKET_UDP_BUDGET && s->fd >= 0; i++) {
        ssize_t r = recv(s->fd, s->rx, NET_SOCKET_MAX_LEN, MSG_DONTWAIT | MSG_TRUNC);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return;     /* EAGAIN, or an ICMP error from an earlier send */
        }
        if ((size_t)r > NET_SOCKET_MAX_LEN) {
            s->nd->rx_dropped++;   /* truncated: not a frame we could pass on */
            continue;
        }
        netdev_receive(s->nd, s->rx, (size_t)r);   /* drops 0 and oversized */
    }
}

/* Accept waiting connections: the first becomes the peer, later ones are
 * refused while a peer is connected. */
static void net_socket_accept(NetSocket *s)
{
    for (int i = 0; i < 8; i++) {
        struct sockaddr_in from;
        socklen_t fl = sizeof(from);
        int fd = accept4(s->listen_fd, (struct sockaddr *)&from, &fl,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        NetSocketAddr pa = { ntohl(from.sin_addr.s_addr), ntohs(from.sin_port) };
        char buf[32];
        if (s->fd >= 0) {
            fprintf(stderr, "doppel: %s: refused %s (a peer is already connected)\n", s->name,
                    net_socket_fmt(&pa, buf, sizeof(buf)));
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        s->fd = fd;
        net_socket_reset_stream(s);
    }
}

/* ---- the main loop's poll ---- */

static int net_socket_fill(void *opaque, struct pollfd *pfd, int max, int *timeout_ms)
{
    (void)timeout_ms;
    NetSocket *s = opaque;
    int n = 0;
    s->pfd_conn = s->pfd_listen = -1;
    if (s->fd >= 0 && n < max) {
        pfd[n].fd = s->fd;
        pfd[n].events = (short)(POLLIN | (s->tx_len ? POLLOUT : 0));
        pfd[n].revents = 0;
        s->pfd_conn = n++;
    }
    if (s->listen_fd >= 0 && n < max) {
        pfd[n].fd = s->listen_fd;
        pfd[n].events = POLLIN;
        pfd[n].revents = 0;
        s->pfd_listen = n++;
    }
    return n;
}

static void net_socket_dispatch(void *opaque, struct pollfd *pfd, int n, bool error)
{
    NetSocket *s = opaque;
    if (error)
        return;
    /* The connection first: a peer that left frees the place before the
     * listening socket accepts the next one in the same round. */
    int c = s->pfd_conn, l = s->pfd_listen;
    if (c >= 0 && c < n && s->fd >= 0 && pfd[c].fd == s->fd) {
        short r = pfd[c].revents;
        if (r & POLLNVAL)
            net_socket_drop_peer(s, "socket closed");
        if (r & (POLLIN | POLLHUP | POLLERR)) {
            if (s->mode == NET_SOCKET_UDP)
                net_socket_read_udp(s);
            else
                net_socket_read_stream(s);
        }
        if ((r & POLLOUT) && s->mode != NET_SOCKET_UDP)
            net_socket_flush_tx(s);
    }
    if (l >= 0 && l < n && pfd[l].fd == s->listen_fd && (pfd[l].revents & POLLIN))
        net_socket_accept(s);
    s->pfd_conn = s->pfd_listen = -1;
}

/* ---- set-up ---- */

static void net_socket_destroy(void *be)
{
    NetSocket *s = be;
    if (!s)
        return;
    if (s->m)
        machine_remove_poller(s->m, s);
    if (s->fd >= 0)
        close(s->fd);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    free(s->rx);
    free(s->tx);
    free(s);
}

static const NetBackendOps net_socket_ops = {
    .name = "socket",
    .send = net_socket_send,
    .destroy = net_socket_destroy,
};

static uint16_t net_socket_bound_port(int fd)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    if (getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
        return 0;
    return ntohs(sin.sin_port);
}

/* A socket bound to a (SO_REUSEADDR, as QEMU sets it); -1 with err. */
static int net_socket_bound(int type, const NetSocketAddr *a, const char *what,
                            char *err, size_t errlen)
{
    int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        net_fail(err, errlen, "socket: cannot create a socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sin = net_socket_sin(a);
    if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
        char buf[32];
        net_fail(err, errlen, "socket: cannot bind %s %s: %s", what,
                        net_socket_fmt(a, buf, sizeof(buf)), strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* Connect now, waiting at most NET_SOCKET_CONNECT_TIMEOUT_MS. */
static int net_socket_connect(const NetSocketAddr *a, char *err, size_t errlen)
{
    char buf[32];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        net_fail(err, errlen, "socket: cannot create a socket: %s", strerror(errno));
        return -1;
    }
    struct sockaddr_in sin = net_socket_sin(a);
    int e = 0;
    if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
        e = errno;
        if (e == EINPROGRESS) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int rc;
            do {
                rc = poll(&p, 1, NET_SOCKET_CONNECT_TIMEOUT_MS);
            } while (rc < 0 && errno == EINTR);
            socklen_t el = sizeof(e);
            if (rc == 0)
                e = ETIMEDOUT;
            else if (rc < 0)
                e = errno;
            else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
                e = errno;
        }
    }
    if (e) {
        net_fail(err, errlen, "socket: cannot connect to %s: %s",
                        net_socket_fmt(a, buf, sizeof(buf)), strerror(e));
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

bool net_socket_attach(NetDev *nd, Machine *m, const NetSocketOptions *so,
                       char *err, size_t errlen)
{
    if (!m || so->mode == NET_SOCKET_UNSET)
        return net_fail(err, errlen, "socket: no machine or no mode");
    NetSocket *s = calloc(1, sizeof(*s));
    if (s) {
        s->rx = malloc(NET_SOCKET_MAX_LEN);
        s->tx = so->mode == NET_SOCKET_UDP ? NULL : malloc(NET_SOCKET_TX_CAP);
    }
    if (!s || !s->rx || (so->mode != NET_SOCKET_UDP && !s->tx)) {
        if (s) {
            free(s->rx);
            free(s->tx);
            free(s);
        }
        return net_fail(err, errlen, "out of memory");
    }
    s->nd = nd;
    s->mode = so->mode;
    s->fd = s->listen_fd = -1;
    s->pfd_conn = s->pfd_listen = -1;
    snprintf(s->name, sizeof(s->name), nd->id[0] ? "-netdev socket '%s'" : "-nic socket%s",
             nd->id);
    switch (so->mode) {
    case NET_SOCKET_LISTEN:
        s->listen_fd = net_socket_bound(SOCK_STREAM, &so->addr, "listen", err, errlen);
        if (s->listen_fd < 0)
            goto fail;
        if (listen(s->listen_fd, 1) != 0) {
            net_fail(err, errlen, "socket: cannot listen: %s", strerror(errno));
            goto fail;
        }
        s->local_port = net_socket_bound_port(s->listen_fd);
        break;
    case NET_SOCKET_CONNECT:
        s->fd = net_socket_connect(&so->addr, err, errlen);
        if (s->fd < 0)
            goto fail;
        break;
    case NET_SOCKET_UDP:
        s->fd = net_socket_bound(SOCK_DGRAM, &so->local, "localaddr", err, errlen);
        if (s->fd < 0)
            goto fail;
        s->udp_dst = net_socket_sin(&so->addr);
        s->local_port = net_socket_bound_port(s->fd);
        break;
    case NET_SOCKET_UNSET:
        break;
    }
    MachinePoller p = { net_socket_fill, net_socket_dispatch, s };
    if (!machine_add_poller(m, &p)) {
        net_fail(err, errlen, "socket: too many network back-ends");
        goto fail;
    }
    s->m = m;
    netdev_set_backend(nd, &net_socket_ops, s);
    return true;
fail:
    net_socket_destroy(s);
    return false;
}

uint16_t net_socket_local_port(const NetDev *nd)
{
    if (!nd || nd->be_ops != &net_socket_ops)
        return 0;
    const NetSocket *s = nd->be;
    return s->local_port;
}

bool net_socket_has_peer(const NetDev *nd)
{
    if (!nd || nd->be_ops != &net_socket_ops)
        return false;
    const NetSocket *s = nd->be;
    return s->mode != NET_SOCKET_UDP && s->fd >= 0;
}
