/*
 * Network back-ends and the link between a NIC model and its back-end.
 *
 * A NetDev joins one NIC (e1000, NE2000) to one back-end (libslirp user
 * networking, loopback, or none). Frames go two ways:
 *   guest -> host: the NIC calls netdev_send(); the back-end's send() gets
 *                  the frame (and the pcap dump, if any, records it);
 *   host -> guest: the back-end calls netdev_receive(); the frame goes to
 *                  the NIC's receive() when its can_receive() says there is
 *                  room, else into a small queue that netdev_flush() (called
 *                  by the NIC when the guest gives it buffers again) drains.
 *
 * The command line forms parsed here:
 *   -nic user,model=e1000|ne2k_pci|ne2k_isa,mac=52:54:00:12:34:56,
 *        hostfwd=tcp::2222-:22,tftp=DIR,bootfile=FILE,dump=FILE.pcap
 *   -nic none            (handled by frontends/options.c: nic_none)
 *   -netdev user,id=n0,...   with   -device e1000,netdev=n0,mac=...
 *   -netdev socket,id=n0,listen=[HOST]:PORT | connect=HOST:PORT |
 *           udp=HOST:PORT,localaddr=[HOST]:PORT   (also as -nic socket,...)
 * Every bad value gets one error line in err.
 */
#ifndef DOPPEL_DEVICES_NET_NETDEV_H
#define DOPPEL_DEVICES_NET_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_MAX_HOSTFWD 8
#define NET_ID_MAX 32
#define NET_MAC_LEN 6
/* Largest frame a back-end hands over (jumbo frames are not supported). */
#define NET_MAX_FRAME 16384
/* Frames held for a NIC that has no receive room; more are dropped (the
 * back-end's TCP retransmits, as on a real wire). */
#define NETDEV_QUEUE_LEN 64

struct Machine;

typedef enum NetBackendKind {
    NET_BACKEND_USER,       /* libslirp user-mode NAT */
    NET_BACKEND_LOOPBACK,   /* every frame the guest sends comes back to it */
    NET_BACKEND_NONE,       /* a NIC with the cable unplugged: frames vanish */
    NET_BACKEND_SOCKET,     /* QEMU's socket back-end: TCP stream or UDP */
} NetBackendKind;

typedef enum NetNicModel {
    NET_NIC_DEFAULT,        /* the board's choice (e1000 on the PC) */
    NET_NIC_E1000,          /* Intel 82540EM, PCI 8086:100e */
    NET_NIC_NE2K_PCI,       /* Realtek RTL8029, PCI 10ec:8029 */
    NET_NIC_NE2K_ISA,       /* NE2000 at an ISA port (default 0x300, IRQ 9) */
} NetNicModel;

/* hostfwd=[tcp|udp]:[haddr]:hport-[gaddr]:gport. Addresses in host byte
 * order; 0 means "any" (host) or "the first DHCP address" (guest). */
typedef struct NetHostFwd {
    bool udp;
    uint32_t host_addr;
    uint16_t host_port;
    uint32_t guest_addr;
    uint16_t guest_port;
} NetHostFwd;

/* Options of the user (slirp) back-end. Addresses in host byte order. */
typedef struct NetUserOptions {
    bool restricted;        /* restrict=on: the guest cannot reach outside */
    uint32_t net, mask;     /* net=10.0.2.0/24 */
    uint32_t host;          /* host=10.0.2.2: the gateway / host alias */
    uint32_t dns;           /* dns=10.0.2.3 */
    uint32_t dhcp_start;    /* dhcpstart=10.0.2.15 */
    char *hostname;         /* DHCP host name, or NULL */
    char *tftp;             /* TFTP root directory, or NULL */
    char *bootfile;         /* DHCP boot file name (PXE), or NULL */
    NetHostFwd hostfwd[NET_MAX_HOSTFWD];
    int nhostfwd;
} NetUserOptions;

/* How the socket back-end reaches its peer. */
typedef enum NetSocketMode {
    NET_SOCKET_UNSET,
    NET_SOCKET_LISTEN,      /* listen=[HOST]:PORT: TCP server, one peer */
    NET_SOCKET_CONNECT,     /* connect=HOST:PORT: TCP client */
    NET_SOCKET_UDP,         /* udp=HOST:PORT,localaddr=[HOST]:PORT */
} NetSocketMode;

/* An IPv4 address and port, both in host byte order (addr 0: any). */
typedef struct NetSocketAddr {
    uint32_t addr;
    uint16_t port;
} NetSocketAddr;

/* Options of the socket back-end. */
typedef struct NetSocketOptions {
    NetSocketMode mode;
    NetSocketAddr addr;     /* listen: where to listen (port 0: any free
                             * one); connect/udp: the peer */
    NetSocketAddr local;    /* udp: localaddr (port 0: any free one) */
    bool has_local;
} NetSocketOptions;

/* One parsed -nic or -netdev argument. */
typedef struct NetOptions {
    NetBackendKind kind;
    bool netdev;            /* from -netdev (needs an id, takes no model/mac) */
    char id[NET_ID_MAX];    /* -netdev id (empty for -nic) */
    NetNicModel model;      /* -nic only */
    bool has_mac;
    uint8_t mac[NET_MAC_LEN];
    char *dump;             /* dump=FILE.pcap, or NULL */
    NetUserOptions user;
    NetSocketOptions sock;  /* kind NET_BACKEND_SOCKET */
} NetOptions;

/* One parsed -device e1000|ne2k_pci|ne2k_isa,... */
typedef struct NetNicProps {
    NetNicModel model;
    char netdev[NET_ID_MAX]; /* the -netdev id it plugs into (empty: none) */
    bool has_mac;
    uint8_t mac[NET_MAC_LEN];
    uint16_t iobase;         /* ne2k_isa: port (default 0x300) */
    int irq;                 /* ne2k_isa: ISA IRQ (default 9) */
} NetNicProps;

/** Format one error line into err (if err and errlen); returns false, so
 *  parsers and back-ends can `return net_fail(...)`. */
bool net_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** Parse "aa:bb:cc:dd:ee:ff" (hex, ':' or '-'). False if malformed. */
bool net_parse_mac(const char *s, uint8_t mac[NET_MAC_LEN]);
/** Name of a model as the command line spells it ("e1000", ...). */
const char *net_nic_model_name(NetNicModel model);
/** True if driver names a NIC model -device accepts. */
bool net_is_nic_driver(const char *driver);

/** Parse a -nic (is_netdev false) or -netdev spec into o (zeroed first;
 *  free with net_options_free even on failure). Returns false and one line
 *  in err ("hostfwd: bad port 'x'") on a bad value. */
bool net_parse_spec(const char *spec, bool is_netdev, NetOptions *o, char *err, size_t errlen);
/** Free the strings a parse allocated (safe on a zeroed struct). */
void net_options_free(NetOptions *o);
/** Parse the properties of a -device NIC (driver "e1000", "ne2k_pci",
 *  "ne2k_isa"; props "netdev=n0,mac=...", may be NULL). */
bool net_parse_device(const char *driver, const char *props, NetNicProps *p,
                      char *err, size_t errlen);

/* ---- the link between a NIC and a back-end ---- */

/* What a back-end does. */
typedef struct NetBackendOps {
    const char *name;
    /** A frame from the guest. The back-end copies what it keeps. */
    void (*send)(void *be, const uint8_t *frame, size_t len);
    /** Free the back-end (close sockets, stop timers). */
    void (*destroy)(void *be);
} NetBackendOps;

/* What a NIC model gives the link. */
typedef struct NetNicOps {
    /** True if the NIC can take a frame now (receiver on, buffers free). */
    bool (*can_receive)(void *nic);
    /** Take one frame (the NIC filters by address and may drop it). */
    void (*receive)(void *nic, const uint8_t *frame, size_t len);
} NetNicOps;

typedef struct NetPcap NetPcap;

typedef struct NetDev {
    char id[NET_ID_MAX];
    const NetBackendOps *be_ops;
    void *be;
    const NetNicOps *nic_ops;
    void *nic;
    NetPcap *pcap;
    struct { uint8_t *data; size_t len; } queue[NETDEV_QUEUE_LEN];
    unsigned q_head, q_count;
    bool in_send;           /* inside the back-end's send (loopback re-entry) */
    bool flushing;
    uint64_t tx_frames, rx_frames, rx_dropped;
} NetDev;

/** An unconnected link (no back-end: sent frames vanish; no NIC: received
 *  frames are dropped). NULL on allocation failure. */
NetDev *netdev_new(const char *id);
/** Build the link and back-end o asks for, in machine m (slirp polls its
 *  sockets from m's main loop). NULL with one line in err on failure. */
NetDev *netdev_create(const NetOptions *o, struct Machine *m, char *err, size_t errlen);
/** Destroy the back-end, close the dump, drop queued frames, free. */
void netdev_free(NetDev *nd);
/** Install the back-end (the NetDev owns it afterwards). */
void netdev_set_backend(NetDev *nd, const NetBackendOps *ops, void *be);
/** Connect the NIC. */
void netdev_attach_nic(NetDev *nd, const NetNicOps *ops, void *nic);
/** Record every frame, both ways, in a pcap file at path. */
bool netdev_open_dump(NetDev *nd, const char *path, char *err, size_t errlen);

/** NIC -> host: transmit one frame. */
void netdev_send(NetDev *nd, const uint8_t *frame, size_t len);
/** Host -> NIC: deliver one frame now, or queue it while the NIC has no
 *  room. Returns false if it was dropped (queue full, oversized). */
bool netdev_receive(NetDev *nd, const uint8_t *frame, size_t len);
/** The NIC has receive room again: deliver queued frames while it lasts. */
void netdev_flush(NetDev *nd);
/** The wire cannot hold the oldest queued frame back any longer: hand it
 *  to the NIC although the NIC reports no room (a real NIC then drops it
 *  and signals a receive overflow). For a NIC whose driver would otherwise
 *  never free room. False if nothing was queued. */
bool netdev_deliver_head(NetDev *nd);
/** Frames waiting in the queue. */
static inline unsigned netdev_queued(const NetDev *nd) { return nd->q_count; }

/* ---- back-ends (loopback.c, slirp.c) ---- */

/** Loopback: frames the guest sends are received again (for tests). */
void net_loopback_attach(NetDev *nd);
/** libslirp user networking (devices/net/slirp.c). False with one line in
 *  err if slirp cannot start or a hostfwd cannot be set up. */
bool net_slirp_attach(NetDev *nd, struct Machine *m, const NetUserOptions *u,
                      char *err, size_t errlen);

/** QEMU's socket back-end (devices/net/socket.c), polled from m's main
 *  loop. Stream modes frame each Ethernet frame with its length as a
 *  4-byte big-endian integer; UDP sends one frame per datagram. Connect
 *  mode connects at once: false with one line in err if that (or bind,
 *  listen) fails. */
bool net_socket_attach(NetDev *nd, struct Machine *m, const NetSocketOptions *so,
                       char *err, size_t errlen);
/** The local port a socket back-end is bound to (listen, udp; useful with
 *  port 0), or 0 if nd has no socket back-end or no bound socket. */
uint16_t net_socket_local_port(const NetDev *nd);
/** True if a stream socket back-end has a connected peer now. */
bool net_socket_has_peer(const NetDev *nd);

/* ---- pcap dump (devices/net/pcap.c) ---- */

/** Create path and write the pcap header (link type Ethernet). */
NetPcap *net_pcap_open(const char *path, char *err, size_t errlen);
/** Append one frame with the current host time. */
void net_pcap_write(NetPcap *p, const uint8_t *frame, size_t len);
void net_pcap_close(NetPcap *p);

#endif
