/*
 * Network links and option parsing (see netdev.h).
 *
 * The option syntax follows QEMU's -nic/-netdev/-device so existing
 * command lines and scripts work: a back-end type first, then key=value
 * pairs separated by commas. The user back-end's addresses default to
 * QEMU's slirp network: 10.0.2.0/24, host 10.0.2.2, DNS 10.0.2.3, first
 * DHCP address 10.0.2.15.
 */
#include "devices/net/netdev.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"

#define NET_DEFAULT_NET 0x0a000200u   /* 10.0.2.0 */
#define NET_DEFAULT_MASK 0xffffff00u
#define NET_HOST_SUFFIX 2u
#define NET_DNS_SUFFIX 3u
#define NET_DHCP_SUFFIX 15u
#define NET_NE2K_ISA_IOBASE 0x300
#define NET_NE2K_ISA_IRQ 9

static const struct {
    const char *name;
    NetNicModel model;
} net_models[] = {
    { "e1000", NET_NIC_E1000 },
    { "e1000-82540em", NET_NIC_E1000 },
    { "ne2k_pci", NET_NIC_NE2K_PCI },
    { "ne2k_isa", NET_NIC_NE2K_ISA },
};

bool net_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool net_parse_mac(const char *s, uint8_t mac[NET_MAC_LEN])
{
    if (!s)
        return false;
    for (int i = 0; i < NET_MAC_LEN; i++) {
        int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);
        if (hi < 0 || lo < 0)
            return false;
        mac[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i < NET_MAC_LEN - 1) {
            if (*s != ':' && *s != '-')
                return false;
            s++;
        }
    }
    return *s == '\0';
}

const char *net_nic_model_name(NetNicModel model)
{
    switch (model) {
    case NET_NIC_E1000: return "e1000";
    case NET_NIC_NE2K_PCI: return "ne2k_pci";
    case NET_NIC_NE2K_ISA: return "ne2k_isa";
    case NET_NIC_DEFAULT: break;
    }
    return "default";
}

static bool net_find_model(const char *name, NetNicModel *model)
{
    for (size_t i = 0; i < sizeof(net_models) / sizeof(net_models[0]); i++) {
        if (!strcmp(net_models[i].name, name)) {
            *model = net_models[i].model;
            return true;
        }
    }
    return false;
}

bool net_is_nic_driver(const char *driver)
{
    NetNicModel m;
    return driver && net_find_model(driver, &m);
}

/* Decimal number in [lo, hi], the whole string. */
static bool net_parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (!*s || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Dotted IPv4 address to host byte order. */
static bool net_parse_ipv4(const char *s, uint32_t *out)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return false;
    *out = ntohl(a.s_addr);
    return true;
}

/* net=ADDR[/BITS|/MASK] */
static bool net_parse_subnet(const char *s, uint32_t *net, uint32_t *mask)
{
    char buf[64];
    if (strlen(s) >= sizeof(buf))
        return false;
    strcpy(buf, s);
    char *slash = strchr(buf, '/');
    *mask = NET_DEFAULT_MASK;
    if (slash) {
        *slash++ = '\0';
        unsigned long bits;
        if (strchr(slash, '.')) {
            if (!net_parse_ipv4(slash, mask))
                return false;
            /* A mask is ones then zeros. */
            uint32_t inv = ~*mask;
            if (inv & (inv + 1))
                return false;
        } else if (net_parse_uint(slash, 1, 30, &bits)) {
            *mask = ~0u << (32 - bits);
        } else {
            return false;
        }
    }
    if (!net_parse_ipv4(buf, net))
        return false;
    *net &= *mask;
    return true;
}

/* One side of a hostfwd: "[addr]:port". */
static bool net_parse_fwd_side(char *s, uint32_t *addr, uint16_t *port)
{
    char *colon = strrchr(s, ':');
    if (!colon)
        return false;
    *colon = '\0';
    *addr = 0;
    if (*s && !net_parse_ipv4(s, addr))
        return false;
    unsigned long p;
    if (!net_parse_uint(colon + 1, 1, 65535, &p))
        return false;
    *port = (uint16_t)p;
    return true;
}

/* hostfwd=[tcp|udp]:[haddr]:hport-[gaddr]:gport */
static bool net_parse_hostfwd(const char *val, NetHostFwd *f, char *err, size_t errlen)
{
    char buf[128];
    if (strlen(val) >= sizeof(buf))
        return net_fail(err, errlen, "hostfwd: '%s' is too long", val);
    strcpy(buf, val);
    char *colon = strchr(buf, ':');
    if (!colon)
        return net_fail(err, errlen,
                        "hostfwd: '%s' is not [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport",
                        val);
    *colon = '\0';
    memset(f, 0, sizeof(*f));
    if (!strcmp(buf, "udp"))
        f->udp = true;
    else if (*buf && strcmp(buf, "tcp"))
        return net_fail(err, errlen, "hostfwd: unknown protocol '%s' (tcp or udp)", buf);
    char *host = colon + 1, *dash = strchr(host, '-');
    if (!dash)
        return net_fail(err, errlen, "hostfwd: '%s' has no '-' between host and guest side", val);
    *dash = '\0';
    if (!net_parse_fwd_side(host, &f->host_addr, &f->host_port))
        return net_fail(err, errlen, "hostfwd: bad host side in '%s' ([addr]:port, port 1..65535)",
                        val);
    if (!net_parse_fwd_side(dash + 1, &f->guest_addr, &f->guest_port))
        return net_fail(err, errlen,
                        "hostfwd: bad guest side in '%s' ([addr]:port, port 1..65535)", val);
    return true;
}

static bool net_set_string(char **dst, const char *key, const char *val, char *err, size_t errlen)
{
    if (!*val)
        return net_fail(err, errlen, "%s: empty value", key);
    free(*dst);
    *dst = strdup(val);
    if (!*dst)
        return net_fail(err, errlen, "out of memory");
    return true;
}

static bool net_set_id(char dst[NET_ID_MAX], const char *val, char *err, size_t errlen)
{
    if (!*val || strlen(val) >= NET_ID_MAX)
        return net_fail(err, errlen, "id: '%s' must be 1..%d characters", val, NET_ID_MAX - 1);
    for (const char *c = val; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
            return net_fail(err, errlen, "id: '%s' may only hold letters, digits, '-', '_', '.'",
                            val);
    }
    strcpy(dst, val);
    return true;
}

/* Key/value of the user back-end. Returns 1 if handled, 0 if not a user
 * key, -1 on error (err filled). */
static int net_parse_user_key(NetUserOptions *u, const char *key, const char *val,
                              bool *set_host, bool *set_dns, bool *set_dhcp,
                              char *err, size_t errlen)
{
    if (!strcmp(key, "hostfwd")) {
        if (u->nhostfwd == NET_MAX_HOSTFWD) {
            net_fail(err, errlen, "hostfwd: at most %d forwards", NET_MAX_HOSTFWD);
            return -1;
        }
        if (!net_parse_hostfwd(val, &u->hostfwd[u->nhostfwd], err, errlen))
            return -1;
        u->nhostfwd++;
        return 1;
    }
    if (!strcmp(key, "tftp"))
        return net_set_string(&u->tftp, key, val, err, errlen) ? 1 : -1;
    if (!strcmp(key, "bootfile"))
        return net_set_string(&u->bootfile, key, val, err, errlen) ? 1 : -1;
    if (!strcmp(key, "hostname"))
        return net_set_string(&u->hostname, key, val, err, errlen) ? 1 : -1;
    if (!strcmp(key, "restrict")) {
        if (!strcmp(val, "on") || !strcmp(val, "yes"))
            u->restricted = true;
        else if (!strcmp(val, "off") || !strcmp(val, "no"))
            u->restricted = false;
        else {
            net_fail(err, errlen, "restrict: '%s' is not on or off", val);
            return -1;
        }
        return 1;
    }
    if (!strcmp(key, "net")) {
        if (!net_parse_subnet(val, &u->net, &u->mask)) {
            net_fail(err, errlen, "net: '%s' is not an IPv4 network (e.g. 10.0.2.0/24)", val);
            return -1;
        }
        return 1;
    }
    uint32_t *addr = NULL;
    if (!strcmp(key, "host")) {
        addr = &u->host;
        *set_host = true;
    } else if (!strcmp(key, "dns")) {
        addr = &u->dns;
        *set_dns = true;
    } else if (!strcmp(key, "dhcpstart")) {
        addr = &u->dhcp_start;
        *set_dhcp = true;
    }
    if (!addr)
        return 0;
    if (!net_parse_ipv4(val, addr)) {
        net_fail(err, errlen, "%s: '%s' is not an IPv4 address", key, val);
        return -1;
    }
    return 1;
}

/* Defaults relative to the network, and checks that the addresses given
 * lie inside it (libslirp would refuse otherwise). */
static bool net_user_finish(NetUserOptions *u, bool set_host, bool set_dns, bool set_dhcp,
                            char *err, size_t errlen)
{
    if (!set_host)
        u->host = u->net | NET_HOST_SUFFIX;
    if (!set_dns)
        u->dns = u->net | NET_DNS_SUFFIX;
    if (!set_dhcp)
        u->dhcp_start = u->net | NET_DHCP_SUFFIX;
    const struct { const char *key; uint32_t addr; } chk[] = {
        { "host", u->host }, { "dns", u->dns }, { "dhcpstart", u->dhcp_start },
    };
    for (size_t i = 0; i < sizeof(chk) / sizeof(chk[0]); i++) {
        if ((chk[i].addr & u->mask) != u->net)
            return net_fail(err, errlen, "%s: address is outside the guest network", chk[i].key);
    }
    for (int i = 0; i < u->nhostfwd; i++) {
        uint32_t g = u->hostfwd[i].guest_addr;
        if (g && (g & u->mask) != u->net)
            return net_fail(err, errlen, "hostfwd: guest address is outside the guest network");
    }
    return true;
}

/* ---- socket back-end options ---- */

/* A host name: letters, digits, '-' and '.', as DNS allows (RFC 1123). */
static bool net_is_hostname(const char *s)
{
    if (!*s)
        return false;
    for (const char *c = s; *c; c++) {
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.')
            return false;
    }
    return true;
}

/* "[HOST]:PORT" into a (host byte order). An empty host means any (only
 * where empty_host); HOST is dotted IPv4 or a name resolved to IPv4. */
static bool net_parse_hostport(const char *key, const char *val, bool empty_host,
                               unsigned long min_port, NetSocketAddr *a, char *err, size_t errlen)
{
    char buf[256];
    if (strlen(val) >= sizeof(buf))
        return net_fail(err, errlen, "%s: '%s' is too long", key, val);
    strcpy(buf, val);
    char *colon = strrchr(buf, ':');
    if (!colon)
        return net_fail(err, errlen, "%s: '%s' has no port (%sHOST:PORT)", key, val,
                        empty_host ? "[HOST]:PORT, not " : "");
    *colon = '\0';
    unsigned long port;
    if (!net_parse_uint(colon + 1, min_port, 65535, &port))
        return net_fail(err, errlen, "%s: bad port '%s' (%lu..65535)", key, colon + 1, min_port);
    a->port = (uint16_t)port;
    a->addr = 0;
    if (!*buf) {
        if (!empty_host)
            return net_fail(err, errlen, "%s: '%s' has no host (HOST:PORT)", key, val);
        return true;
    }
    if (net_parse_ipv4(buf, &a->addr))
        return true;
    if (!net_is_hostname(buf))
        return net_fail(err, errlen, "%s: bad host '%s' (an IPv4 address or a host name)", key,
                        buf);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(buf, NULL, &hints, &res) != 0 || !res)
        return net_fail(err, errlen, "%s: host '%s' not found", key, buf);
    a->addr = ntohl(((const struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr);
    freeaddrinfo(res);
    return true;
}

/* Key/value of the socket back-end: 1 handled, 0 not a socket key, -1
 * error (err filled). */
static int net_parse_socket_key(NetSocketOptions *so, const char *key, const char *val,
                                char *err, size_t errlen)
{
    NetSocketMode mode;
    if (!strcmp(key, "listen"))
        mode = NET_SOCKET_LISTEN;
    else if (!strcmp(key, "connect"))
        mode = NET_SOCKET_CONNECT;
    else if (!strcmp(key, "udp"))
        mode = NET_SOCKET_UDP;
    else if (!strcmp(key, "localaddr")) {
        if (!net_parse_hostport(key, val, true, 0, &so->local, err, errlen))
            return -1;
        so->has_local = true;
        return 1;
    } else
        return 0;
    if (so->mode != NET_SOCKET_UNSET) {
        net_fail(err, errlen, "socket: only one of listen=, connect= and udp= may be given");
        return -1;
    }
    so->mode = mode;
    /* Only a listening socket may take port 0 (the kernel picks one). */
    if (!net_parse_hostport(key, val, mode == NET_SOCKET_LISTEN,
                            mode == NET_SOCKET_LISTEN ? 0 : 1, &so->addr, err, errlen))
        return -1;
    return 1;
}

static bool net_socket_finish(const NetSocketOptions *so, char *err, size_t errlen)
{
    if (so->mode == NET_SOCKET_UNSET)
        return net_fail(err, errlen, "socket: needs listen=[HOST]:PORT, connect=HOST:PORT "
                        "or udp=HOST:PORT");
    if (so->mode == NET_SOCKET_UDP && !so->has_local)
        return net_fail(err, errlen, "socket: udp= needs localaddr=[HOST]:PORT");
    if (so->mode != NET_SOCKET_UDP && so->has_local)
        return net_fail(err, errlen, "socket: localaddr= only goes with udp=");
    return true;
}

bool net_parse_spec(const char *spec, bool is_netdev, NetOptions *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->netdev = is_netdev;
    o->user.net = NET_DEFAULT_NET;
    o->user.mask = NET_DEFAULT_MASK;
    if (!spec || !*spec)
        return net_fail(err, errlen, "empty network specification");
    char *copy = strdup(spec);
    if (!copy)
        return net_fail(err, errlen, "out of memory");

    bool ok = false, set_host = false, set_dns = false, set_dhcp = false;
    char *save = NULL, *type = strtok_r(copy, ",", &save);
    if (!type) {
        net_fail(err, errlen, "empty network specification");
        goto out;
    }
    if (!strcmp(type, "user")) {
        o->kind = NET_BACKEND_USER;
    } else if (!strcmp(type, "loopback")) {
        o->kind = NET_BACKEND_LOOPBACK;
    } else if (!strcmp(type, "socket")) {
        o->kind = NET_BACKEND_SOCKET;
    } else if (!strcmp(type, "none") && !is_netdev) {
        o->kind = NET_BACKEND_NONE;
    } else {
        net_fail(err, errlen, "unknown network back-end '%s' (user, socket, loopback%s)", type,
                 is_netdev ? "" : ", none");
        goto out;
    }
    for (char *kv; (kv = strtok_r(NULL, ",", &save)) != NULL;) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            net_fail(err, errlen, "'%s' is not KEY=VALUE", kv);
            goto out;
        }
        *eq = '\0';
        const char *key = kv, *val = eq + 1;
        if (!strcmp(key, "id")) {
            if (!net_set_id(o->id, val, err, errlen))
                goto out;
        } else if (!strcmp(key, "model") && !is_netdev) {
            if (!net_find_model(val, &o->model)) {
                net_fail(err, errlen, "model: unknown NIC '%s' (e1000, ne2k_pci, ne2k_isa)", val);
                goto out;
            }
        } else if (!strcmp(key, "mac") && !is_netdev) {
            if (!net_parse_mac(val, o->mac)) {
                net_fail(err, errlen, "mac: '%s' is not a MAC address like 52:54:00:12:34:56",
                         val);
                goto out;
            }
            if (o->mac[0] & 1) {
                net_fail(err, errlen, "mac: '%s' is a multicast address", val);
                goto out;
            }
            o->has_mac = true;
        } else if (!strcmp(key, "dump")) {
            if (!net_set_string(&o->dump, key, val, err, errlen))
                goto out;
        } else {
            int r = 0;
            if (o->kind == NET_BACKEND_USER)
                r = net_parse_user_key(&o->user, key, val, &set_host, &set_dns, &set_dhcp, err,
                                       errlen);
            else if (o->kind == NET_BACKEND_SOCKET)
                r = net_parse_socket_key(&o->sock, key, val, err, errlen);
            if (r < 0)
                goto out;
            if (r == 0) {
                net_fail(err, errlen, "unknown option '%s' for %s back-end '%s'", key,
                         is_netdev ? "-netdev" : "-nic", type);
                goto out;
            }
        }
    }
    if (is_netdev && !o->id[0]) {
        net_fail(err, errlen, "-netdev %s needs id=NAME", type);
        goto out;
    }
    if (o->kind == NET_BACKEND_USER &&
        !net_user_finish(&o->user, set_host, set_dns, set_dhcp, err, errlen))
        goto out;
    if (o->kind == NET_BACKEND_SOCKET && !net_socket_finish(&o->sock, err, errlen))
        goto out;
    ok = true;
out:
    free(copy);
    return ok;
}

void net_options_free(NetOptions *o)
{
    if (!o)
        return;
    free(o->dump);
    free(o->user.hostname);
    free(o->user.tftp);
    free(o->user.bootfile);
    o->dump = o->user.hostname = o->user.tftp = o->user.bootfile = NULL;
}

bool net_parse_device(const char *driver, const char *props, NetNicProps *p,
                      char *err, size_t errlen)
{
    memset(p, 0, sizeof(*p));
    if (!driver || !net_find_model(driver, &p->model))
        return net_fail(err, errlen, "'%s' is not a network card (e1000, ne2k_pci, ne2k_isa)",
                        driver ? driver : "");
    p->iobase = NET_NE2K_ISA_IOBASE;
    p->irq = NET_NE2K_ISA_IRQ;
    if (!props || !*props)
        return true;
    char *copy = strdup(props), *save = NULL;
    if (!copy)
        return net_fail(err, errlen, "out of memory");
    bool ok = false, isa = p->model == NET_NIC_NE2K_ISA;
    for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            net_fail(err, errlen, "'%s' is not KEY=VALUE", kv);
            goto out;
        }
        *eq = '\0';
        const char *key = kv, *val = eq + 1;
        unsigned long v;
        if (!strcmp(key, "netdev")) {
            if (!net_set_id(p->netdev, val, err, errlen))
                goto out;
        } else if (!strcmp(key, "mac")) {
            if (!net_parse_mac(val, p->mac) || (p->mac[0] & 1)) {
                net_fail(err, errlen, "mac: '%s' is not a unicast MAC address like "
                         "52:54:00:12:34:56", val);
                goto out;
            }
            p->has_mac = true;
        } else if (isa && !strcmp(key, "iobase")) {
            /* 32 ports, inside the ISA I/O range (NE2000: base..base+0x1f). */
            if (!net_parse_uint(val, 0x100, 0x3e0, &v) || (v & 0x1f)) {
                net_fail(err, errlen, "iobase: '%s' must be a multiple of 0x20 in 0x100..0x3e0",
                         val);
                goto out;
            }
            p->iobase = (uint16_t)v;
        } else if (isa && !strcmp(key, "irq")) {
            if (!net_parse_uint(val, 3, 15, &v) || v == 8) {
                net_fail(err, errlen, "irq: '%s' must be an ISA IRQ 3..15 (not 8)", val);
                goto out;
            }
            p->irq = (int)v;
        } else {
            net_fail(err, errlen, "unknown property '%s' of %s", key, driver);
            goto out;
        }
    }
    ok = true;
out:
    free(copy);
    return ok;
}

/* ---- the link ---- */

NetDev *netdev_new(const char *id)
{
    NetDev *nd = calloc(1, sizeof(*nd));
    if (nd && id)
        snprintf(nd->id, sizeof(nd->id), "%s", id);
    return nd;
}

void netdev_set_backend(NetDev *nd, const NetBackendOps *ops, void *be)
{
    nd->be_ops = ops;
    nd->be = be;
}

void netdev_attach_nic(NetDev *nd, const NetNicOps *ops, void *nic)
{
    nd->nic_ops = ops;
    nd->nic = nic;
}

bool netdev_open_dump(NetDev *nd, const char *path, char *err, size_t errlen)
{
    NetPcap *p = net_pcap_open(path, err, errlen);
    if (!p)
        return false;
    if (nd->pcap)
        net_pcap_close(nd->pcap);
    nd->pcap = p;
    return true;
}

NetDev *netdev_create(const NetOptions *o, Machine *m, char *err, size_t errlen)
{
    NetDev *nd = netdev_new(o->id);
    if (!nd) {
        net_fail(err, errlen, "out of memory");
        return NULL;
    }
    if (o->dump && !netdev_open_dump(nd, o->dump, err, errlen)) {
        netdev_free(nd);
        return NULL;
    }
    switch (o->kind) {
    case NET_BACKEND_USER:
        if (!net_slirp_attach(nd, m, &o->user, err, errlen)) {
            netdev_free(nd);
            return NULL;
        }
        break;
    case NET_BACKEND_LOOPBACK:
        net_loopback_attach(nd);
        break;
    case NET_BACKEND_SOCKET:
        if (!net_socket_attach(nd, m, &o->sock, err, errlen)) {
            netdev_free(nd);
            return NULL;
        }
        break;
    case NET_BACKEND_NONE:
        break;
    }
    return nd;
}

static void netdev_queue_clear(NetDev *nd)
{
    while (nd->q_count) {
        free(nd->queue[nd->q_head].data);
        nd->q_head = (nd->q_head + 1) % NETDEV_QUEUE_LEN;
        nd->q_count--;
    }
}

void netdev_free(NetDev *nd)
{
    if (!nd)
        return;
    if (nd->be_ops && nd->be_ops->destroy)
        nd->be_ops->destroy(nd->be);
    netdev_queue_clear(nd);
    if (nd->pcap)
        net_pcap_close(nd->pcap);
    free(nd);
}

static bool netdev_nic_ready(NetDev *nd)
{
    return nd->nic_ops && (!nd->nic_ops->can_receive || nd->nic_ops->can_receive(nd->nic));
}

/* Hand the oldest queued frame to the NIC (the caller checked there is
 * one and set flushing against re-entry). */
static void netdev_deliver_queued(NetDev *nd)
{
    uint8_t *data = nd->queue[nd->q_head].data;
    size_t len = nd->queue[nd->q_head].len;
    nd->q_head = (nd->q_head + 1) % NETDEV_QUEUE_LEN;
    nd->q_count--;
    nd->rx_frames++;
    nd->nic_ops->receive(nd->nic, data, len);
    free(data);
}

void netdev_flush(NetDev *nd)
{
    if (nd->flushing || nd->in_send)
        return;
    nd->flushing = true;
    while (nd->q_count && netdev_nic_ready(nd))
        netdev_deliver_queued(nd);
    nd->flushing = false;
}

bool netdev_deliver_head(NetDev *nd)
{
    if (!nd || !nd->q_count || !nd->nic_ops || nd->flushing || nd->in_send)
        return false;
    nd->flushing = true;
    netdev_deliver_queued(nd);
    nd->flushing = false;
    return true;
}

bool netdev_receive(NetDev *nd, const uint8_t *frame, size_t len)
{
    if (!nd || len == 0 || len > NET_MAX_FRAME || !nd->nic_ops) {
        if (nd)
            nd->rx_dropped++;
        return false;
    }
    if (nd->pcap)
        net_pcap_write(nd->pcap, frame, len);
    /* Deliver at once unless older frames wait or the NIC is busy sending
     * (a loopback frame must not re-enter the NIC's transmit path). */
    if (!nd->q_count && !nd->in_send && !nd->flushing && netdev_nic_ready(nd)) {
        nd->rx_frames++;
        nd->nic_ops->receive(nd->nic, frame, len);
        return true;
    }
    if (nd->q_count == NETDEV_QUEUE_LEN) {
        nd->rx_dropped++;
        return false;
    }
    uint8_t *copy = malloc(len);
    if (!copy) {
        nd->rx_dropped++;
        return false;
    }
    memcpy(copy, frame, len);
    unsigned tail = (nd->q_head + nd->q_count) % NETDEV_QUEUE_LEN;
    nd->queue[tail].data = copy;
    nd->queue[tail].len = len;
    nd->q_count++;
    return true;
}

void netdev_send(NetDev *nd, const uint8_t *frame, size_t len)
{
    if (!nd || len == 0)
        return;
    nd->tx_frames++;
    if (nd->pcap)
        net_pcap_write(nd->pcap, frame, len);
    if (!nd->be_ops || !nd->be_ops->send)
        return;
    nd->in_send = true;
    nd->be_ops->send(nd->be, frame, len);
    nd->in_send = false;
    if (nd->q_count)
        netdev_flush(nd);
}
