/*
 * Unit tests of devices/net: -nic/-netdev/-device option parsing (good
 * values and one clear error for each bad one), the NIC<->back-end link
 * with its receive queue, the loopback back-end, the pcap dump format
 * (libpcap file format: 24-byte header, magic 0xa1b2c3d4, link type 1),
 * and that the libslirp back-end starts and answers ARP for the gateway.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/fw_cfg.h"
#include "devices/net/netdev.h"
#include "devices/net/pc_net.h"
#include "devices/pci.h"
#include "machine/machine.h"

static bool parse(const char *spec, bool netdev, NetOptions *o, char *err)
{
    return net_parse_spec(spec, netdev, o, err, 256);
}

START_TEST(test_mac_parse)
{
    uint8_t mac[6];
    ck_assert(net_parse_mac("52:54:00:12:34:56", mac));
    ck_assert_int_eq(mac[0], 0x52);
    ck_assert_int_eq(mac[5], 0x56);
    ck_assert(net_parse_mac("AA-bb-CC-dd-EE-0f", mac));
    ck_assert_int_eq(mac[5], 0x0f);
    ck_assert(!net_parse_mac("52:54:00:12:34", mac));
    ck_assert(!net_parse_mac("52:54:00:12:34:56:78", mac));
    ck_assert(!net_parse_mac("52:54:00:12:34:5g", mac));
    ck_assert(!net_parse_mac("5254:00:12:34:56:", mac));
    ck_assert(!net_parse_mac("", mac));
}
END_TEST

START_TEST(test_nic_user_full)
{
    NetOptions o;
    char err[256] = "";
    ck_assert_msg(parse("user,model=ne2k_pci,mac=52:54:00:aa:bb:cc,hostfwd=tcp::2222-:22,"
                        "hostfwd=udp:127.0.0.1:5353-10.0.2.20:53,tftp=/tmp,bootfile=pxelinux.0,"
                        "dump=/tmp/x.pcap", false, &o, err), "%s", err);
    ck_assert_int_eq(o.kind, NET_BACKEND_USER);
    ck_assert_int_eq(o.model, NET_NIC_NE2K_PCI);
    ck_assert(o.has_mac);
    ck_assert_int_eq(o.mac[3], 0xaa);
    ck_assert_int_eq(o.user.nhostfwd, 2);
    ck_assert(!o.user.hostfwd[0].udp);
    ck_assert_uint_eq(o.user.hostfwd[0].host_addr, 0);
    ck_assert_uint_eq(o.user.hostfwd[0].host_port, 2222);
    ck_assert_uint_eq(o.user.hostfwd[0].guest_addr, 0);
    ck_assert_uint_eq(o.user.hostfwd[0].guest_port, 22);
    ck_assert(o.user.hostfwd[1].udp);
    ck_assert_uint_eq(o.user.hostfwd[1].host_addr, 0x7f000001);
    ck_assert_uint_eq(o.user.hostfwd[1].guest_addr, 0x0a000214);
    ck_assert_str_eq(o.user.tftp, "/tmp");
    ck_assert_str_eq(o.user.bootfile, "pxelinux.0");
    ck_assert_str_eq(o.dump, "/tmp/x.pcap");
    /* QEMU's defaults for the slirp network. */
    ck_assert_uint_eq(o.user.net, 0x0a000200);
    ck_assert_uint_eq(o.user.host, 0x0a000202);
    ck_assert_uint_eq(o.user.dns, 0x0a000203);
    ck_assert_uint_eq(o.user.dhcp_start, 0x0a00020f);
    net_options_free(&o);
}
END_TEST

START_TEST(test_user_subnet)
{
    NetOptions o;
    char err[256] = "";
    ck_assert_msg(parse("user,net=192.168.76.0/24,restrict=on,hostname=vm", false, &o, err),
                  "%s", err);
    ck_assert(o.user.restricted);
    ck_assert_uint_eq(o.user.host, 0xc0a84c02);
    ck_assert_uint_eq(o.user.dhcp_start, 0xc0a84c0f);
    ck_assert_str_eq(o.user.hostname, "vm");
    net_options_free(&o);
    ck_assert_msg(parse("user,net=10.1.0.0/255.255.0.0,host=10.1.0.1,dns=10.1.0.53", false, &o,
                        err), "%s", err);
    ck_assert_uint_eq(o.user.mask, 0xffff0000);
    ck_assert_uint_eq(o.user.host, 0x0a010001);
    ck_assert_uint_eq(o.user.dns, 0x0a010035);
    net_options_free(&o);
}
END_TEST

START_TEST(test_netdev_and_device)
{
    NetOptions o;
    char err[256] = "";
    ck_assert_msg(parse("user,id=n0,hostfwd=tcp:127.0.0.1:8080-:80", true, &o, err), "%s", err);
    ck_assert(o.netdev);
    ck_assert_str_eq(o.id, "n0");
    net_options_free(&o);

    NetNicProps p;
    ck_assert_msg(net_parse_device("e1000", "netdev=n0,mac=52:54:00:12:34:57", &p, err, 256),
                  "%s", err);
    ck_assert_int_eq(p.model, NET_NIC_E1000);
    ck_assert_str_eq(p.netdev, "n0");
    ck_assert(p.has_mac);
    ck_assert_int_eq(p.mac[5], 0x57);
    ck_assert(net_parse_device("ne2k_isa", "iobase=0x320,irq=10", &p, err, 256));
    ck_assert_uint_eq(p.iobase, 0x320);
    ck_assert_int_eq(p.irq, 10);
    ck_assert(net_parse_device("ne2k_isa", NULL, &p, err, 256));
    ck_assert_uint_eq(p.iobase, 0x300);
    ck_assert_int_eq(p.irq, 9);
    ck_assert(net_is_nic_driver("ne2k_pci"));
    ck_assert(!net_is_nic_driver("isa-debug-exit"));
}
END_TEST

/* Each bad spec is rejected with a message naming the problem. */
static const struct {
    const char *spec;
    bool netdev;
    const char *want;   /* substring of the error line */
} bad_specs[] = {
    { "", false, "empty" },
    { "tap,ifname=x", false, "unknown network back-end 'tap'" },
    { "user,model=rtl8139", false, "unknown NIC 'rtl8139'" },
    { "user,mac=52:54:00:12:34", false, "mac: '52:54:00:12:34'" },
    { "user,mac=01:00:5e:00:00:01", false, "multicast" },
    { "user,hostfwd=tcp::2222", false, "'-'" },
    { "user,hostfwd=sctp::1-:2", false, "unknown protocol 'sctp'" },
    { "user,hostfwd=tcp::99999-:22", false, "bad host side" },
    { "user,hostfwd=tcp::2222-:0", false, "bad guest side" },
    { "user,hostfwd=tcp:1.2.3:2222-:22", false, "bad host side" },
    { "user,hostfwd=tcp::2222-192.168.0.5:22", false, "outside the guest network" },
    { "user,net=10.0.2.0/33", false, "net:" },
    { "user,dhcpstart=10.9.9.9", false, "dhcpstart: address is outside" },
    { "user,restrict=maybe", false, "restrict: 'maybe'" },
    { "user,tftp=", false, "tftp: empty" },
    { "user,bogus=1", false, "unknown option 'bogus'" },
    { "user,hostfwd", false, "not KEY=VALUE" },
    { "loopback,tftp=/tmp", false, "unknown option 'tftp'" },
    { "user", true, "needs id=" },
    { "user,id=n0,model=e1000", true, "unknown option 'model'" },
    { "user,id=a/b", true, "id: 'a/b'" },
    { "none", true, "unknown network back-end 'none'" },
};

START_TEST(test_bad_specs)
{
    NetOptions o;
    char err[256];
    for (size_t i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++) {
        err[0] = '\0';
        ck_assert_msg(!parse(bad_specs[i].spec, bad_specs[i].netdev, &o, err),
                      "'%s' was accepted", bad_specs[i].spec);
        ck_assert_msg(strstr(err, bad_specs[i].want), "'%s': error '%s' lacks '%s'",
                      bad_specs[i].spec, err, bad_specs[i].want);
        ck_assert_msg(!strchr(err, '\n'), "error is one line");
        net_options_free(&o);
    }
}
END_TEST

START_TEST(test_bad_device_props)
{
    NetNicProps p;
    char err[256];
    ck_assert(!net_parse_device("virtio-net", NULL, &p, err, sizeof(err)));
    ck_assert(strstr(err, "not a network card"));
    ck_assert(!net_parse_device("e1000", "mac=ff:ff:ff:ff:ff:ff", &p, err, sizeof(err)));
    ck_assert(strstr(err, "mac:"));
    ck_assert(!net_parse_device("e1000", "iobase=0x300", &p, err, sizeof(err)));
    ck_assert(strstr(err, "unknown property 'iobase'"));
    ck_assert(!net_parse_device("ne2k_isa", "iobase=0x301", &p, err, sizeof(err)));
    ck_assert(strstr(err, "iobase:"));
    ck_assert(!net_parse_device("ne2k_isa", "irq=8", &p, err, sizeof(err)));
    ck_assert(strstr(err, "irq:"));
    ck_assert(!net_parse_device("ne2k_pci", "netdev", &p, err, sizeof(err)));
    ck_assert(strstr(err, "KEY=VALUE"));
}
END_TEST

/* ---- the link ---- */

typedef struct FakeNic {
    bool room;
    int frames;
    size_t last_len;
    uint8_t last[64];
    NetDev *nd;
    bool send_on_receive;
} FakeNic;

static bool fake_can_receive(void *opaque)
{
    return ((FakeNic *)opaque)->room;
}

static void fake_receive(void *opaque, const uint8_t *frame, size_t len)
{
    FakeNic *n = opaque;
    n->frames++;
    n->last_len = len;
    memcpy(n->last, frame, len < sizeof(n->last) ? len : sizeof(n->last));
}

static const NetNicOps fake_ops = { fake_can_receive, fake_receive };

START_TEST(test_queue)
{
    NetDev *nd = netdev_new("t");
    FakeNic nic = { .room = false };
    netdev_attach_nic(nd, &fake_ops, &nic);
    uint8_t f[60] = { 1 };
    /* No room: frames wait, in order, up to NETDEV_QUEUE_LEN. */
    for (int i = 0; i < NETDEV_QUEUE_LEN; i++) {
        f[0] = (uint8_t)i;
        ck_assert(netdev_receive(nd, f, sizeof(f)));
    }
    ck_assert(!netdev_receive(nd, f, sizeof(f)));
    ck_assert_uint_eq(nd->rx_dropped, 1);
    ck_assert_int_eq(nic.frames, 0);
    ck_assert_uint_eq(netdev_queued(nd), NETDEV_QUEUE_LEN);
    nic.room = true;
    netdev_flush(nd);
    ck_assert_int_eq(nic.frames, NETDEV_QUEUE_LEN);
    ck_assert_int_eq(nic.last[0], NETDEV_QUEUE_LEN - 1);
    ck_assert_uint_eq(netdev_queued(nd), 0);
    /* With room, delivery is immediate. */
    f[0] = 0xee;
    ck_assert(netdev_receive(nd, f, 42));
    ck_assert_int_eq(nic.frames, NETDEV_QUEUE_LEN + 1);
    ck_assert_uint_eq(nic.last_len, 42);
    /* Oversized and empty frames are dropped. */
    static uint8_t big[NET_MAX_FRAME + 1];
    ck_assert(!netdev_receive(nd, big, sizeof(big)));
    ck_assert(!netdev_receive(nd, big, 0));
    netdev_free(nd);
}
END_TEST

START_TEST(test_loopback_and_pcap)
{
    char path[] = "/tmp/doppel-netdev-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[256] = "";
    NetDev *nd = netdev_new("lo");
    ck_assert_msg(netdev_open_dump(nd, path, err, sizeof(err)), "%s", err);
    net_loopback_attach(nd);
    FakeNic nic = { .room = true };
    netdev_attach_nic(nd, &fake_ops, &nic);
    uint8_t f[60];
    for (int i = 0; i < 60; i++)
        f[i] = (uint8_t)(0x80 + i);
    netdev_send(nd, f, sizeof(f));
    ck_assert_int_eq(nic.frames, 1);
    ck_assert_mem_eq(nic.last, f, 60);
    netdev_free(nd);

    /* Two records (out and back in), each 16 + 60 bytes, after the header. */
    FILE *pf = fopen(path, "rb");
    ck_assert_ptr_nonnull(pf);
    uint8_t buf[256];
    size_t n = fread(buf, 1, sizeof(buf), pf);
    fclose(pf);
    unlink(path);
    ck_assert_uint_eq(n, 24 + 2 * (16 + 60));
    uint32_t magic, linktype, caplen, origlen;
    memcpy(&magic, buf, 4);
    memcpy(&linktype, buf + 20, 4);
    memcpy(&caplen, buf + 24 + 8, 4);
    memcpy(&origlen, buf + 24 + 12, 4);
    ck_assert_uint_eq(magic, 0xa1b2c3d4u);
    ck_assert_uint_eq(linktype, 1);
    ck_assert_uint_eq(caplen, 60);
    ck_assert_uint_eq(origlen, 60);
    ck_assert_mem_eq(buf + 24 + 16, f, 60);
}
END_TEST

START_TEST(test_dump_bad_path)
{
    NetDev *nd = netdev_new("x");
    char err[256] = "";
    ck_assert(!netdev_open_dump(nd, "/nonexistent-dir/x.pcap", err, sizeof(err)));
    ck_assert(strstr(err, "dump: cannot create"));
    netdev_free(nd);
}
END_TEST

/* The slirp back-end answers an ARP request for the gateway 10.0.2.2 with
 * its MAC (RFC 826 reply, opcode 2), delivered to the NIC. */
START_TEST(test_slirp_arp)
{
    VmConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.icount_shift = -1;
    Machine m;
    ck_assert(machine_init(&m, &cfg, NULL));
    NetOptions o;
    char err[256] = "";
    ck_assert_msg(parse("user", false, &o, err), "%s", err);
    NetDev *nd = netdev_create(&o, &m, err, sizeof(err));
    ck_assert_msg(nd, "%s", err);
    ck_assert_int_eq(m.npollers, 1);
    FakeNic nic = { .room = true };
    netdev_attach_nic(nd, &fake_ops, &nic);
    static const uint8_t arp[42] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15,
        0, 0, 0, 0, 0, 0, 10, 0, 2, 2,
    };
    netdev_send(nd, arp, sizeof(arp));
    ck_assert_int_ge(nic.frames, 1);
    ck_assert_mem_eq(nic.last, arp + 6, 6);            /* to the guest */
    ck_assert_int_eq(nic.last[12], 0x08);
    ck_assert_int_eq(nic.last[13], 0x06);
    ck_assert_int_eq(nic.last[21], 2);                 /* ARP reply */
    static const uint8_t gw[4] = { 10, 0, 2, 2 };
    ck_assert_mem_eq(nic.last + 28, gw, 4);            /* sender IP */
    netdev_free(nd);
    ck_assert_int_eq(m.npollers, 0);
    net_options_free(&o);

    /* A hostfwd on a port that is already taken fails with one line. */
    ck_assert(parse("user,hostfwd=tcp:127.0.0.1:1-:22", false, &o, err));
    nd = netdev_create(&o, &m, err, sizeof(err));
    if (!nd)
        ck_assert(strstr(err, "hostfwd: cannot listen"));
    else
        netdev_free(nd);    /* running as root: port 1 may be free */
    net_options_free(&o);
    ck_assert(parse("user,tftp=/nonexistent-dir", false, &o, err));
    ck_assert(!netdev_create(&o, &m, err, sizeof(err)));
    ck_assert(strstr(err, "tftp: '/nonexistent-dir' is not a directory"));
    net_options_free(&o);
    machine_destroy(&m);
}
END_TEST

/* DHCP through libslirp (RFC 2131): a DISCOVER from the guest gets an
 * OFFER of 10.0.2.15 from server 10.0.2.2 carrying the PXE boot file
 * name given with bootfile= (BOOTP "file" field, RFC 951). */
static uint16_t ip_csum(const uint8_t *p, int n)
{
    uint32_t sum = 0;
    for (int i = 0; i < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

typedef struct BigNic {
    int frames;
    size_t len;
    uint8_t last[1600];
} BigNic;

static bool big_can_receive(void *opaque) { return true; }
static void big_receive(void *opaque, const uint8_t *frame, size_t len)
{
    BigNic *n = opaque;
    n->frames++;
    n->len = len;
    memcpy(n->last, frame, len < sizeof(n->last) ? len : sizeof(n->last));
}
static const NetNicOps big_ops = { big_can_receive, big_receive };

START_TEST(test_slirp_dhcp)
{
    VmConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.icount_shift = -1;
    Machine m;
    ck_assert(machine_init(&m, &cfg, NULL));
    NetOptions o;
    char err[256] = "";
    ck_assert_msg(parse("user,tftp=/tmp,bootfile=pxelinux.0", false, &o, err), "%s", err);
    NetDev *nd = netdev_create(&o, &m, err, sizeof(err));
    ck_assert_msg(nd, "%s", err);
    BigNic nic = { 0 };
    netdev_attach_nic(nd, &big_ops, &nic);

    uint8_t f[14 + 20 + 8 + 244];
    memset(f, 0, sizeof(f));
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08;
    uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;
    int udp_len = 8 + 244;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + udp_len) >> 8);
    ip[3] = (uint8_t)(20 + udp_len);
    ip[8] = 64;
    ip[9] = 17;
    memset(ip + 16, 0xff, 4);                   /* to 255.255.255.255 */
    uint16_t c = ip_csum(ip, 20);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    udp[1] = 68;
    udp[3] = 67;
    udp[4] = (uint8_t)(udp_len >> 8);
    udp[5] = (uint8_t)udp_len;
    bootp[0] = 1;                               /* BOOTREQUEST */
    bootp[1] = 1;
    bootp[2] = 6;
    bootp[4] = 0x12;                            /* xid */
    memcpy(bootp + 28, mac, 6);                 /* chaddr */
    static const uint8_t opts[] = { 99, 130, 83, 99, 53, 1, 1, 255 };
    memcpy(bootp + 236, opts, sizeof(opts));
    netdev_send(nd, f, sizeof(f));

    ck_assert_int_ge(nic.frames, 1);
    const uint8_t *r = nic.last;
    ck_assert_uint_eq(r[12] << 8 | r[13], 0x0800);
    ck_assert_uint_eq(r[14 + 9], 17);
    ck_assert_uint_eq(r[14 + 20] << 8 | r[14 + 21], 67);    /* from the server port */
    const uint8_t *rb = r + 14 + 20 + 8;
    ck_assert_uint_eq(rb[0], 2);                             /* BOOTREPLY */
    static const uint8_t offered[4] = { 10, 0, 2, 15 }, server[4] = { 10, 0, 2, 2 };
    ck_assert_mem_eq(rb + 16, offered, 4);                   /* yiaddr */
    ck_assert_mem_eq(r + 14 + 12, server, 4);                /* IP source */
    ck_assert_str_eq((const char *)rb + 108, "pxelinux.0");  /* file */
    netdev_free(nd);
    net_options_free(&o);
    machine_destroy(&m);
}
END_TEST

/* hostfwd through the main loop's poller: a host connection to the
 * forwarded port makes slirp talk to the guest (an ARP request for
 * 10.0.2.15 or the TCP SYN), which shows the poll integration works. */
START_TEST(test_slirp_hostfwd_poll)
{
    VmConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.icount_shift = -1;
    Machine m;
    ck_assert(machine_init(&m, &cfg, NULL));
    NetOptions o;
    char err[256] = "", spec[96];
    int port = 20000 + (int)(getpid() % 20000);
    snprintf(spec, sizeof(spec), "user,hostfwd=tcp:127.0.0.1:%d-:22", port);
    ck_assert(parse(spec, false, &o, err));
    NetDev *nd = netdev_create(&o, &m, err, sizeof(err));
    net_options_free(&o);
    if (!nd) {
        machine_destroy(&m);
        return;     /* port taken on this host: nothing to test */
    }
    BigNic nic = { 0 };
    netdev_attach_nic(nd, &big_ops, &nic);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    for (int i = 0; i < 100 && nic.frames == 0; i++) {
        struct pollfd pfd[64];
        int to = 20;
        int n = m.pollers[0].fill(m.pollers[0].opaque, pfd, 64, &to);
        int rc = poll(pfd, (nfds_t)n, 20);
        m.pollers[0].dispatch(m.pollers[0].opaque, pfd, n, rc < 0);
    }
    ck_assert_int_ge(nic.frames, 1);
    uint16_t type = (uint16_t)(nic.last[12] << 8 | nic.last[13]);
    ck_assert(type == 0x0806 || type == 0x0800);
    close(fd);
    netdev_free(nd);
    machine_destroy(&m);
}
END_TEST

/* The main loop consults pollers (machine_add_poller): their fds join the
 * poll, their timeout shortens the sleep, dispatch runs after each poll. */
typedef struct CountPoller {
    int fills, dispatches, ready;
    int fd;
} CountPoller;

static int count_fill(void *opaque, struct pollfd *pfd, int max, int *timeout_ms)
{
    CountPoller *c = opaque;
    c->fills++;
    *timeout_ms = 1;
    if (max < 1)
        return 0;
    pfd[0].fd = c->fd;
    pfd[0].events = POLLOUT;
    return 1;
}

static void count_dispatch(void *opaque, struct pollfd *pfd, int n, bool error)
{
    CountPoller *c = opaque;
    c->dispatches++;
    if (n == 1 && (pfd[0].revents & POLLOUT))
        c->ready++;
}

static void stop_cb(void *opaque)
{
    machine_request_stop(opaque, STOP_EXIT, 7);
}

START_TEST(test_mainloop_poller)
{
    VmConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.icount_shift = -1;
    Machine m;
    ck_assert(machine_init(&m, &cfg, NULL));
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    CountPoller c = { .fd = fds[1] };
    MachinePoller p = { count_fill, count_dispatch, &c };
    ck_assert(machine_add_poller(&m, &p));
    Timer t;
    timer_init(&t, &m.clock, stop_cb, &m);
    timer_mod(&t, clock_now(&m.clock) + 20000000);   /* 20 ms */
    ck_assert_int_eq(machine_main_loop(&m), 7);
    ck_assert_int_ge(c.fills, 1);
    ck_assert_int_eq(c.dispatches, c.fills);
    ck_assert_int_ge(c.ready, 1);                     /* the pipe is writable */
    machine_remove_poller(&m, &c);
    ck_assert_int_eq(m.npollers, 0);
    close(fds[0]);
    close(fds[1]);
    machine_destroy(&m);
}
END_TEST

/* ---- the PC board's network setup ---- */

typedef struct PcFixture {
    VmConfig cfg;
    Machine m;
    PciBus *pci;
    FwCfg *fw;
    IrqLine irqs[16];
} PcFixture;

static void pc_fx_init(PcFixture *p)
{
    ck_assert(machine_init(&p->m, &p->cfg, NULL));
    p->pci = pci_bus_create(&p->m.mem, &p->m.io);
    machine_add_device(&p->m, &pci_bus_device_class, p->pci);
    p->fw = fw_cfg_create(&p->m.io, &p->m.mem, &p->m.log);
    machine_add_device(&p->m, &fw_cfg_class, p->fw);
}

static PcFixture *pc_fx_new(void)
{
    PcFixture *p = calloc(1, sizeof(*p));
    p->cfg.icount_shift = -1;
    return p;
}

static void pc_fx_free(PcFixture *p)
{
    machine_destroy(&p->m);
    free(p);
}

static uint32_t cfg_id(PcFixture *p, int slot)
{
    return pci_config_read(p->pci, PCI_DEVFN(slot, 0), 0, 4);
}

START_TEST(test_pc_net_default_and_none)
{
    PcFixture *p = pc_fx_new();
    pc_fx_init(p);
    ck_assert(pc_net_init(&p->m, p->pci, p->irqs, p->fw, true));
    ck_assert_uint_eq(cfg_id(p, 3), 0x100e8086u);      /* default e1000 at 00:03.0 */
    ck_assert_int_eq(p->m.npollers, 1);                 /* on user networking */
    ck_assert_int_lt(fw_cfg_file_key(p->fw, "pci8086,100e.rom"), 0);   /* no 'n' boot */
    pc_fx_free(p);

    p = pc_fx_new();
    p->cfg.nic_none = true;
    pc_fx_init(p);
    ck_assert(pc_net_init(&p->m, p->pci, p->irqs, p->fw, true));
    ck_assert_uint_eq(cfg_id(p, 3), 0xffffffffu);
    ck_assert_int_eq(p->m.npollers, 0);
    pc_fx_free(p);
}
END_TEST

START_TEST(test_pc_net_netdev_device)
{
    PcFixture *p = pc_fx_new();
    char s1[] = "loopback,id=n0", s2[] = "user,model=ne2k_pci";
    char d1[] = "e1000", d1p[] = "netdev=n0,mac=52:54:00:aa:bb:cc";
    char d2[] = "ne2k_isa", d2p[] = "iobase=0x320,irq=10";
    p->cfg.nics[0].spec = s1;
    p->cfg.nics[0].netdev = true;
    p->cfg.nics[1].spec = s2;
    p->cfg.nnics = 2;
    p->cfg.devices[0].driver = d1;
    p->cfg.devices[0].props = d1p;
    p->cfg.devices[1].driver = d2;
    p->cfg.devices[1].props = d2p;
    p->cfg.ndevices = 2;
    strcpy(p->cfg.boot_order, "n");
    pc_fx_init(p);
    ck_assert(pc_net_init(&p->m, p->pci, p->irqs, p->fw, true));
    /* -nic first (slot 3), then the -device e1000 (slot 4). */
    ck_assert_uint_eq(cfg_id(p, 3), 0x802910ecu);
    ck_assert_uint_eq(cfg_id(p, 4), 0x100e8086u);
    /* The ISA NE2000 answers at 0x320: CR after reset reads 0x21. */
    ck_assert_uint_eq(as_read(&p->m.io, 0x320, 1), 0x21);
    if (access(PC_NET_ROM_DIR "/pxe-e1000.rom", R_OK) == 0)
        ck_assert_int_ge(fw_cfg_file_key(p->fw, "pci8086,100e.rom"), 0);
    if (access(PC_NET_ROM_DIR "/pxe-ne2k_pci.rom", R_OK) == 0)
        ck_assert_int_ge(fw_cfg_file_key(p->fw, "pci10ec,8029.rom"), 0);
    pc_fx_free(p);
}
END_TEST

START_TEST(test_pc_net_errors)
{
    /* Each bad configuration is refused (with one line on stderr). */
    static const struct { const char *spec; bool netdev; const char *drv, *props; } bad[] = {
        { "user,model=bogus", false, NULL, NULL },
        { "user,id=n0", true, "e1000", "netdev=n1" },
        { "loopback,id=n0", true, "e1000", "mac=zz" },
        { "user,tftp=/nonexistent-dir", false, NULL, NULL },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        PcFixture *p = pc_fx_new();
        char spec[64], drv[32], props[64];
        snprintf(spec, sizeof(spec), "%s", bad[i].spec);
        p->cfg.nics[0].spec = spec;
        p->cfg.nics[0].netdev = bad[i].netdev;
        p->cfg.nnics = 1;
        if (bad[i].drv) {
            snprintf(drv, sizeof(drv), "%s", bad[i].drv);
            snprintf(props, sizeof(props), "%s", bad[i].props);
            p->cfg.devices[0].driver = drv;
            p->cfg.devices[0].props = props;
            p->cfg.ndevices = 1;
        }
        pc_fx_init(p);
        ck_assert_msg(!pc_net_init(&p->m, p->pci, p->irqs, p->fw, true), "case %zu", i);
        pc_fx_free(p);
    }
    /* Two -device NICs on one -netdev. */
    PcFixture *p = pc_fx_new();
    char s[] = "loopback,id=n0", d[] = "e1000", dp[] = "netdev=n0";
    p->cfg.nics[0].spec = s;
    p->cfg.nics[0].netdev = true;
    p->cfg.nnics = 1;
    p->cfg.devices[0].driver = p->cfg.devices[1].driver = d;
    p->cfg.devices[0].props = p->cfg.devices[1].props = dp;
    p->cfg.ndevices = 2;
    pc_fx_init(p);
    ck_assert(!pc_net_init(&p->m, p->pci, p->irqs, p->fw, true));
    pc_fx_free(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("netdev");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mac_parse);
    tcase_add_test(tc, test_nic_user_full);
    tcase_add_test(tc, test_user_subnet);
    tcase_add_test(tc, test_netdev_and_device);
    tcase_add_test(tc, test_bad_specs);
    tcase_add_test(tc, test_bad_device_props);
    tcase_add_test(tc, test_queue);
    tcase_add_test(tc, test_loopback_and_pcap);
    tcase_add_test(tc, test_dump_bad_path);
    tcase_add_test(tc, test_slirp_arp);
    tcase_add_test(tc, test_slirp_dhcp);
    tcase_add_test(tc, test_slirp_hostfwd_poll);
    tcase_add_test(tc, test_mainloop_poller);
    tcase_add_test(tc, test_pc_net_default_and_none);
    tcase_add_test(tc, test_pc_net_netdev_device);
    tcase_add_test(tc, test_pc_net_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
