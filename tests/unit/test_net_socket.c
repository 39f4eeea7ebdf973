/*
 * Unit tests of the socket network back-end (devices/net/socket.c):
 * QEMU's stream framing (each frame preceded by its length as a 4-byte
 * big-endian integer, QEMU net/socket.c) between two back-ends and
 * against raw test sockets, reassembly of frames split across writes,
 * a peer that sends a bad length (closed, then the next peer is taken), a
 * second peer refused while one is connected, UDP (one frame per
 * datagram), and one clear error line for each bad option.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/net/netdev.h"
#include "machine/machine.h"

#define MAX_FRAMES 16

typedef struct TestNic {
    int frames;
    size_t len[MAX_FRAMES];
    uint8_t data[MAX_FRAMES][NET_MAX_FRAME];
} TestNic;

static bool nic_can_receive(void *opaque)
{
    (void)opaque;
    return true;
}

static void nic_receive(void *opaque, const uint8_t *frame, size_t len)
{
    TestNic *n = opaque;
    ck_assert_int_lt(n->frames, MAX_FRAMES);
    ck_assert_uint_le(len, NET_MAX_FRAME);
    n->len[n->frames] = len;
    memcpy(n->data[n->frames], frame, len);
    n->frames++;
}

static const NetNicOps nic_ops = { nic_can_receive, nic_receive };

/* One round of the main loop's poll over every poller of m. */
static void pump(Machine *m, int timeout_ms)
{
    struct pollfd pfd[32];
    int start[MACHINE_MAX_POLLERS], cnt[MACHINE_MAX_POLLERS], total = 0;
    int np = m->npollers;
    for (int p = 0; p < np; p++) {
        int to = -1;
        start[p] = total;
        cnt[p] = m->pollers[p].fill(m->pollers[p].opaque, &pfd[total], 32 - total, &to);
        total += cnt[p];
    }
    int rc = poll(pfd, (nfds_t)total, timeout_ms);
    for (int p = 0; p < np && p < m->npollers; p++)
        m->pollers[p].dispatch(m->pollers[p].opaque, &pfd[start[p]], cnt[p], rc < 0);
}

#define PUMP_UNTIL(m, cond) \
    for (int pump_i_ = 0; pump_i_ < 300 && !(cond); pump_i_++) \
        pump(m, 10)

static Machine *machine_new(void)
{
    static const VmConfig cfg_zero = { .icount_shift = -1 };
    VmConfig *cfg = calloc(1, sizeof(*cfg));
    *cfg = cfg_zero;
    Machine *m = calloc(1, sizeof(*m));
    ck_assert(machine_init(m, cfg, NULL));
    return m;
}

static void machine_free(Machine *m)
{
    const VmConfig *cfg = m->cfg;
    machine_destroy(m);
    free((void *)cfg);
    free(m);
}

/* Create a socket NetDev from spec; fails the test with err on error. */
static NetDev *make(Machine *m, const char *spec, bool netdev)
{
    NetOptions o;
    char err[256] = "";
    ck_assert_msg(net_parse_spec(spec, netdev, &o, err, sizeof(err)), "%s: %s", spec, err);
    ck_assert_int_eq(o.kind, NET_BACKEND_SOCKET);
    NetDev *nd = netdev_create(&o, m, err, sizeof(err));
    ck_assert_msg(nd, "%s: %s", spec, err);
    net_options_free(&o);
    return nd;
}

static NetDev *make_listener(Machine *m, uint16_t *port)
{
    NetDev *nd = make(m, "socket,id=srv,listen=127.0.0.1:0", true);
    *port = net_socket_local_port(nd);
    ck_assert_uint_ne(*port, 0);
    return nd;
}

static int raw_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static void fill_frame(uint8_t *f, size_t len, uint8_t seed)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(seed + i * 7);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Read exactly n bytes from a blocking socket (with a poll timeout). */
static void read_exact(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        ck_assert_int_eq(poll(&p, 1, 3000), 1);
        ssize_t r = recv(fd, buf + got, n - got, 0);
        ck_assert_int_gt(r, 0);
        got += (size_t)r;
    }
}

/* True if the peer closed fd (EOF or reset) within a while. */
static bool peer_closed(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, 3000) != 1)
        return false;
    uint8_t b;
    ssize_t r = recv(fd, &b, 1, 0);
    return r == 0 || (r < 0 && errno == ECONNRESET);
}

/* (1) Two back-ends in one process: listen and connect; frames of
 * different sizes go both ways and arrive intact and in order. */
START_TEST(test_stream_pair)
{
    Machine *m = machine_new();
    uint16_t port;
    NetDev *a = make_listener(m, &port);
    char spec[64];
    snprintf(spec, sizeof(spec), "socket,id=cli,connect=127.0.0.1:%u", port);
    NetDev *b = make(m, spec, true);
    ck_assert(net_socket_has_peer(b));
    ck_assert_int_eq(m->npollers, 2);
    TestNic *na = calloc(1, sizeof(*na)), *nb = calloc(1, sizeof(*nb));
    netdev_attach_nic(a, &nic_ops, na);
    netdev_attach_nic(b, &nic_ops, nb);
    PUMP_UNTIL(m, net_socket_has_peer(a));
    ck_assert(net_socket_has_peer(a));

    static const size_t sizes[3] = { 60, 1514, NET_MAX_FRAME };
    static uint8_t f[NET_MAX_FRAME];
    for (int i = 0; i < 3; i++) {
        fill_frame(f, sizes[i], (uint8_t)(0x10 + i));
        netdev_send(a, f, sizes[i]);
        fill_frame(f, sizes[i], (uint8_t)(0x80 + i));
        netdev_send(b, f, sizes[i]);
    }
    PUMP_UNTIL(m, na->frames == 3 && nb->frames == 3);
    ck_assert_int_eq(na->frames, 3);
    ck_assert_int_eq(nb->frames, 3);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(nb->len[i], sizes[i]);
        fill_frame(f, sizes[i], (uint8_t)(0x10 + i));
        ck_assert_mem_eq(nb->data[i], f, sizes[i]);
        ck_assert_uint_eq(na->len[i], sizes[i]);
        fill_frame(f, sizes[i], (uint8_t)(0x80 + i));
        ck_assert_mem_eq(na->data[i], f, sizes[i]);
    }
    /* The client goes away: the listener notices and waits for another. */
    netdev_free(b);
    ck_assert_int_eq(m->npollers, 1);
    PUMP_UNTIL(m, !net_socket_has_peer(a));
    ck_assert(!net_socket_has_peer(a));
    netdev_send(a, f, 60);          /* no peer: dropped, no crash */
    b = make(m, spec, true);
    PUMP_UNTIL(m, net_socket_has_peer(a));
    ck_assert(net_socket_has_peer(a));
    netdev_free(b);
    netdev_free(a);
    ck_assert_int_eq(m->npollers, 0);
    free(na);
    free(nb);
    machine_free(m);
}
END_TEST

/* (2) The stream framing split into 1-byte writes reassembles; frames
 * above NET_MAX_FRAME (but within the 65536 limit) are dropped without
 * losing sync; what the back-end sends is length (big-endian) + frame. */
START_TEST(test_stream_split)
{
    Machine *m = machine_new();
    uint16_t port;
    NetDev *a = make_listener(m, &port);
    TestNic *na = calloc(1, sizeof(*na));
    netdev_attach_nic(a, &nic_ops, na);
    int fd = raw_connect(port);
    PUMP_UNTIL(m, net_socket_has_peer(a));
    ck_assert(net_socket_has_peer(a));

    static uint8_t wire[2 * (4 + 1514)];
    fill_frame(wire + 4, 60, 0x33);
    put_be32(wire, 60);
    fill_frame(wire + 4 + 60 + 4, 1514, 0x44);
    put_be32(wire + 4 + 60, 1514);
    size_t total = 4 + 60 + 4 + 1514;
    for (size_t i = 0; i < total; i++) {
        ck_assert_int_eq(send(fd, wire + i, 1, 0), 1);
        if (i % 50 == 0 || i + 1 == total)
            pump(m, 5);
        if (i < 4 + 60 - 1)
            ck_assert_int_eq(na->frames, 0);    /* nothing before the frame is whole */
    }
    PUMP_UNTIL(m, na->frames == 2);
    ck_assert_int_eq(na->frames, 2);
    ck_assert_uint_eq(na->len[0], 60);
    ck_assert_mem_eq(na->data[0], wire + 4, 60);
    ck_assert_uint_eq(na->len[1], 1514);
    ck_assert_mem_eq(na->data[1], wire + 4 + 60 + 4, 1514);

    /* A 20000-byte frame is too big for a NIC: dropped; the next is fine. */
    size_t big = 20000;
    uint8_t *buf = calloc(1, 4 + big + 4 + 64);
    put_be32(buf, (uint32_t)big);
    put_be32(buf + 4 + big, 64);
    fill_frame(buf + 4 + big + 4, 64, 0x55);
    ck_assert_int_eq(send(fd, buf, 4 + big + 4 + 64, 0), (ssize_t)(4 + big + 4 + 64));
    PUMP_UNTIL(m, na->frames == 3);
    ck_assert_int_eq(na->frames, 3);
    ck_assert_uint_eq(na->len[2], 64);
    ck_assert_mem_eq(na->data[2], buf + 4 + big + 4, 64);
    ck_assert_uint_eq(a->rx_dropped, 1);
    ck_assert(net_socket_has_peer(a));

    /* Guest -> peer: 4-byte big-endian length, then the frame. */
    uint8_t out[4 + 100], want[100];
    fill_frame(want, 100, 0x66);
    netdev_send(a, want, 100);
    read_exact(fd, out, sizeof(out));
    ck_assert_uint_eq(out[0], 0);
    ck_assert_uint_eq(out[1], 0);
    ck_assert_uint_eq(out[2], 0);
    ck_assert_uint_eq(out[3], 100);
    ck_assert_mem_eq(out + 4, want, 100);
    free(buf);
    close(fd);
    netdev_free(a);
    free(na);
    machine_free(m);
}
END_TEST

/* Connect a raw peer, send bad_len as the frame length, and check the
 * back-end hangs up on it. */
static void bad_length_peer(Machine *m, NetDev *a, uint16_t port, uint32_t bad_len)
{
    int fd = raw_connect(port);
    PUMP_UNTIL(m, net_socket_has_peer(a));
    ck_assert(net_socket_has_peer(a));
    uint8_t hdr[4];
    put_be32(hdr, bad_len);
    ck_assert_int_eq(send(fd, hdr, 4, 0), 4);
    PUMP_UNTIL(m, !net_socket_has_peer(a));
    ck_assert_msg(!net_socket_has_peer(a), "length 0x%x accepted", bad_len);
    ck_assert(peer_closed(fd));
    close(fd);
}

/* (3) A length of 0x7fffffff (or 0, or 65537) is a protocol error: the
 * connection is closed, doppel goes on, and the listener accepts a new
 * peer. A second peer while one is connected is refused. */
START_TEST(test_bad_length)
{
    Machine *m = machine_new();
    uint16_t port;
    NetDev *a = make_listener(m, &port);
    TestNic *na = calloc(1, sizeof(*na));
    netdev_attach_nic(a, &nic_ops, na);
    bad_length_peer(m, a, port, 0x7fffffffu);
    bad_length_peer(m, a, port, 0);
    bad_length_peer(m, a, port, 65537);
    ck_assert_int_eq(na->frames, 0);

    /* 65536 is the largest length allowed: read (and dropped: too big for
     * a NIC), the connection stays. */
    int fd = raw_connect(port);
    PUMP_UNTIL(m, net_socket_has_peer(a));
    uint8_t *buf = calloc(1, 4 + 65536 + 4 + 60);
    put_be32(buf, 65536);
    put_be32(buf + 4 + 65536, 60);
    fill_frame(buf + 4 + 65536 + 4, 60, 0x77);
    size_t n = 4 + 65536 + 4 + 60, off = 0;
    while (off < n) {
        ssize_t r = send(fd, buf + off, n - off, MSG_DONTWAIT);
        if (r > 0)
            off += (size_t)r;
        pump(m, 5);
    }
    PUMP_UNTIL(m, na->frames == 1);
    ck_assert_int_eq(na->frames, 1);
    ck_assert_uint_eq(na->len[0], 60);
    ck_assert_mem_eq(na->data[0], buf + 4 + 65536 + 4, 60);
    ck_assert(net_socket_has_peer(a));

    /* A second peer meanwhile is refused; the first keeps working. */
    int fd2 = raw_connect(port);
    ck_assert(peer_closed(fd2) || (pump(m, 50), peer_closed(fd2)));
    close(fd2);
    put_be32(buf, 60);
    ck_assert_int_eq(send(fd, buf, 64, 0), 64);
    PUMP_UNTIL(m, na->frames == 2);
    ck_assert_int_eq(na->frames, 2);
    ck_assert(net_socket_has_peer(a));
    free(buf);
    close(fd);
    netdev_free(a);
    free(na);
    machine_free(m);
}
END_TEST

/* (4) UDP: one frame per datagram, both ways, with a raw UDP peer. */
START_TEST(test_udp)
{
    Machine *m = machine_new();
    int peer = socket(AF_INET, SOCK_DGRAM, 0);
    ck_assert_int_ge(peer, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(peer, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(getsockname(peer, (struct sockaddr *)&sa, &sl), 0);
    char spec[96];
    snprintf(spec, sizeof(spec), "socket,id=u,udp=127.0.0.1:%u,localaddr=127.0.0.1:0",
             ntohs(sa.sin_port));
    NetDev *u = make(m, spec, true);
    uint16_t lport = net_socket_local_port(u);
    ck_assert_uint_ne(lport, 0);
    ck_assert(!net_socket_has_peer(u));
    TestNic *nu = calloc(1, sizeof(*nu));
    netdev_attach_nic(u, &nic_ops, nu);

    uint8_t f[1514], g[1600];
    fill_frame(f, sizeof(f), 0x21);
    netdev_send(u, f, sizeof(f));
    struct pollfd p = { .fd = peer, .events = POLLIN };
    ck_assert_int_eq(poll(&p, 1, 3000), 1);
    ck_assert_int_eq(recv(peer, g, sizeof(g), 0), (ssize_t)sizeof(f));   /* no length prefix */
    ck_assert_mem_eq(g, f, sizeof(f));

    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(lport) };
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fill_frame(f, 60, 0x31);
    ck_assert_int_eq(sendto(peer, f, 60, 0, (struct sockaddr *)&to, sizeof(to)), 60);
    fill_frame(f + 60, 100, 0x41);
    ck_assert_int_eq(sendto(peer, f + 60, 100, 0, (struct sockaddr *)&to, sizeof(to)), 100);
    PUMP_UNTIL(m, nu->frames == 2);
    ck_assert_int_eq(nu->frames, 2);
    ck_assert_uint_eq(nu->len[0], 60);
    ck_assert_mem_eq(nu->data[0], f, 60);
    ck_assert_uint_eq(nu->len[1], 100);
    ck_assert_mem_eq(nu->data[1], f + 60, 100);
    close(peer);
    netdev_free(u);
    free(nu);
    machine_free(m);
}
END_TEST

/* (5) Option parsing: good forms, and one error line for each bad one. */
START_TEST(test_parse)
{
    NetOptions o;
    char err[256] = "";
    ck_assert_msg(net_parse_spec("socket,id=n0,listen=:1234", true, &o, err, sizeof(err)), "%s",
                  err);
    ck_assert_int_eq(o.sock.mode, NET_SOCKET_LISTEN);
    ck_assert_uint_eq(o.sock.addr.addr, 0);
    ck_assert_uint_eq(o.sock.addr.port, 1234);
    net_options_free(&o);
    ck_assert_msg(net_parse_spec("socket,connect=127.0.0.1:5555,model=ne2k_pci", false, &o, err,
                                 sizeof(err)), "%s", err);
    ck_assert_int_eq(o.kind, NET_BACKEND_SOCKET);
    ck_assert_int_eq(o.model, NET_NIC_NE2K_PCI);
    ck_assert_int_eq(o.sock.mode, NET_SOCKET_CONNECT);
    ck_assert_uint_eq(o.sock.addr.addr, 0x7f000001u);
    ck_assert_uint_eq(o.sock.addr.port, 5555);
    net_options_free(&o);
    ck_assert_msg(net_parse_spec("socket,id=u,udp=10.1.2.3:7,localaddr=:8", true, &o, err,
                                 sizeof(err)), "%s", err);
    ck_assert_int_eq(o.sock.mode, NET_SOCKET_UDP);
    ck_assert_uint_eq(o.sock.addr.addr, 0x0a010203u);
    ck_assert(o.sock.has_local);
    ck_assert_uint_eq(o.sock.local.port, 8);
    net_options_free(&o);

    static const struct { const char *spec; bool netdev; const char *want; } bad[] = {
        { "socket,id=n0,listen=1234", true, "listen: '1234' has no port" },
        { "socket,id=n0,listen=127.0.0.1:", true, "listen: bad port ''" },
        { "socket,id=n0,connect=127.0.0.1:0", true, "connect: bad port '0'" },
        { "socket,id=n0,connect=127.0.0.1:65536", true, "connect: bad port '65536'" },
        { "socket,id=n0,connect=:80", true, "connect: ':80' has no host" },
        { "socket,id=n0,connect=bad!host:80", true, "connect: bad host 'bad!host'" },
        { "socket,id=n0,listen=:1,connect=127.0.0.1:2", true, "only one of listen=, connect=" },
        { "socket,id=n0", true, "socket: needs listen=" },
        { "socket,id=n0,udp=127.0.0.1:9", true, "udp= needs localaddr=" },
        { "socket,id=n0,connect=127.0.0.1:9,localaddr=:5", true, "localaddr= only goes with udp=" },
        { "socket,id=n0,listen=:1,mcast=230.0.0.1:1234", true,
          "unknown option 'mcast' for -netdev back-end 'socket'" },
        { "socket,listen=:1", true, "-netdev socket needs id=NAME" },
        { "socket,listen=:1,mac=01:00:00:00:00:01", false, "multicast" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        ck_assert_msg(!net_parse_spec(bad[i].spec, bad[i].netdev, &o, err, sizeof(err)),
                      "'%s' was accepted", bad[i].spec);
        ck_assert_msg(strstr(err, bad[i].want), "'%s': error '%s' lacks '%s'", bad[i].spec, err,
                      bad[i].want);
        ck_assert_msg(!strchr(err, '\n'), "error is one line");
        net_options_free(&o);
    }
}
END_TEST

/* Start-up failures are one line and no back-end: connection refused, and
 * a listen port already taken. */
START_TEST(test_start_errors)
{
    Machine *m = machine_new();
    /* A port nobody listens on: bound but not listening refuses SYNs. */
    int hold = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(bind(hold, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(getsockname(hold, (struct sockaddr *)&sa, &sl), 0);
    char spec[96], err[256] = "";
    snprintf(spec, sizeof(spec), "socket,id=c,connect=127.0.0.1:%u", ntohs(sa.sin_port));
    NetOptions o;
    ck_assert(net_parse_spec(spec, true, &o, err, sizeof(err)));
    ck_assert(!netdev_create(&o, m, err, sizeof(err)));
    ck_assert_msg(strstr(err, "cannot connect to 127.0.0.1:") && strstr(err, "refused"), "%s",
                  err);
    ck_assert(!strchr(err, '\n'));
    ck_assert_int_eq(m->npollers, 0);
    net_options_free(&o);
    close(hold);

    uint16_t port;
    NetDev *a = make_listener(m, &port);
    snprintf(spec, sizeof(spec), "socket,id=l2,listen=127.0.0.1:%u", port);
    ck_assert(net_parse_spec(spec, true, &o, err, sizeof(err)));
    ck_assert(!netdev_create(&o, m, err, sizeof(err)));
    ck_assert_msg(strstr(err, "cannot bind listen 127.0.0.1:"), "%s", err);
    ck_assert_int_eq(m->npollers, 1);
    net_options_free(&o);
    netdev_free(a);
    ck_assert_uint_eq(net_socket_local_port(NULL), 0);
    machine_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("net_socket");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_stream_pair);
    tcase_add_test(tc, test_stream_split);
    tcase_add_test(tc, test_bad_length);
    tcase_add_test(tc, test_udp);
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_start_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
