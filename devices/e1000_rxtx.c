/*
 * 82540EM receive and transmit data path: the descriptor rings in guest
 * memory, address filtering, and transmit checksum offload and TCP
 * segmentation.
 *
 * SDM sections: 3.2 receive (3.2.2 buffer sizes from RCTL.BSIZE/BSEX,
 * 3.2.3 legacy receive descriptor, 3.2.6 ring: hardware owns RDH..RDT-1),
 * 3.3 transmit (3.3.3 legacy descriptor, 3.3.5-3.3.6 context descriptor,
 * 3.3.7 data descriptor, 3.4 ring: hardware owns TDH..TDT-1), 3.5-3.6 TCP
 * segmentation, 13.4.22 RCTL (UPE/MPE/BAM/LPE/SECRC/MO), 13.4.29-30 MTA
 * and RAL/RAH filters.
 *
 * Every descriptor and buffer access goes through pci_dma_rw, which fails
 * unless bus mastering is on and the whole range is RAM; ring sizes and
 * indexes from the guest are checked against RDLEN/TDLEN first. A frame
 * that cannot be placed is dropped and counted, never partly trusted.
 */
#include "devices/e1000_internal.h"

#include <string.h>

#define E1000_DESC_SIZE 16
#define E1000_MIN_FRAME 60          /* without FCS */
#define E1000_MAX_STD_FRAME 1522    /* with FCS and a VLAN tag (RCTL.LPE = 0) */
#define E1000_MAX_LONG_FRAME 16384

/* ---- small helpers ---- */

static uint16_t get_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}
static uint64_t get_le64(const uint8_t *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}
static void put_le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static uint16_t get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get_be32(const uint8_t *p) { return (uint32_t)get_be16(p) << 16 | get_be16(p + 2); }
static void put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, (uint16_t)(v >> 16));
    put_be16(p + 2, (uint16_t)v);
}

static bool e1000_bus_master(const E1000 *s)
{
    return s->pci && (pci_get_word(s->pci, PCI_COMMAND) & PCI_COMMAND_MASTER);
}

/* Ethernet FCS: reflected CRC-32 (polynomial 0xEDB88320), appended LSB
 * first when the guest asked for it (RCTL.SECRC = 0). */
static uint32_t e1000_fcs(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

/* One's-complement sum of [start, end) as big-endian 16-bit words. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t start, uint32_t end)
{
    for (uint32_t i = start; i + 1 < end; i += 2)
        sum += get_be16(p + i);
    if ((end - start) & 1)
        sum += (uint32_t)p[end - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Insert the checksum of [css, cse] (cse 0: to the end) at cso, if the
 * offsets lie inside the packet (SDM 3.3.3: ignored otherwise). */
static void e1000_insert_csum(uint8_t *p, uint32_t len, uint32_t css, uint32_t cso,
                              uint32_t cse, uint32_t extra)
{
    uint32_t end = cse ? cse + 1 : len;
    if (end > len)
        end = len;
    if (css >= end || cso + 2 > len)
        return;
    put_be16(p + cso, csum_fold(csum_add(extra, p, css, end)));
}

/* ---- receive ---- */

static uint32_t e1000_rx_bufsize(uint32_t rctl)
{
    static const uint32_t std[4] = { 2048, 1024, 512, 256 };
    static const uint32_t ext[4] = { 2048, 16384, 8192, 4096 };  /* 00b reserved */
    unsigned bs = (rctl >> E1000_RCTL_BSIZE_SHIFT) & 3;
    return (rctl & E1000_RCTL_BSEX) ? ext[bs] : std[bs];
}

/* Descriptors in the ring, or 0 if RDLEN/RDH/RDT make no sense. */
static uint32_t e1000_rx_ring_size(E1000 *s)
{
    uint32_t n = e1000_reg(s, E1000_RDLEN) / E1000_DESC_SIZE;
    if (n == 0 || e1000_reg(s, E1000_RDH) >= n || e1000_reg(s, E1000_RDT) >= n)
        return 0;
    return n;
}

/* Descriptors hardware may fill: RDH up to, not including, RDT. */
static uint32_t e1000_rx_free(E1000 *s, uint32_t n)
{
    uint32_t h = e1000_reg(s, E1000_RDH), t = e1000_reg(s, E1000_RDT);
    return t >= h ? t - h : n - h + t;
}

static bool e1000_can_receive(void *opaque)
{
    E1000 *s = opaque;
    if (!(e1000_reg(s, E1000_RCTL) & E1000_RCTL_EN) || !e1000_bus_master(s))
        return false;
    uint32_t n = e1000_rx_ring_size(s);
    if (!n)
        return false;
    uint32_t bs = e1000_rx_bufsize(e1000_reg(s, E1000_RCTL));
    uint32_t need = (E1000_MAX_STD_FRAME + bs - 1) / bs;
    if (need > n - 1)
        need = n - 1;
    return e1000_rx_free(s, n) >= (need ? need : 1);
}

/* Multicast table index of the address (13.4.22 RCTL.MO, 13.4.29): 12
 * bits of the last two address bytes, starting at bit 36 - MO. */
static uint32_t e1000_mta_index(uint32_t rctl, const uint8_t *a)
{
    static const unsigned shift[4] = { 4, 3, 2, 0 };
    unsigned mo = (rctl >> E1000_RCTL_MO_SHIFT) & 3;
    return ((uint32_t)(a[4] >> shift[mo]) | (uint32_t)a[5] << (8 - shift[mo])) & 0xfff;
}

static bool e1000_rx_accept(E1000 *s, const uint8_t *dst)
{
    uint32_t rctl = e1000_reg(s, E1000_RCTL);
    static const uint8_t bcast[NET_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (!memcmp(dst, bcast, NET_MAC_LEN) && (rctl & E1000_RCTL_BAM))
        return true;
    if (dst[0] & 1) {
        if (rctl & E1000_RCTL_MPE)
            return true;
        uint32_t idx = e1000_mta_index(rctl, dst);
        return (e1000_reg(s, E1000_MTA + (idx >> 5) * 4) >> (idx & 31)) & 1;
    }
    if (rctl & E1000_RCTL_UPE)
        return true;
    for (int i = 0; i < 16; i++) {
        uint32_t rah = e1000_reg(s, E1000_RAH0 + i * 8);
        if (!(rah & E1000_RAH_AV))
            continue;
        uint32_t ral = e1000_reg(s, E1000_RAL0 + i * 8);
        uint8_t ra[NET_MAC_LEN] = { (uint8_t)ral, (uint8_t)(ral >> 8), (uint8_t)(ral >> 16),
                                    (uint8_t)(ral >> 24), (uint8_t)rah, (uint8_t)(rah >> 8) };
        if (!memcmp(dst, ra, NET_MAC_LEN))
            return true;
    }
    return false;
}

static void e1000_rx_missed(E1000 *s)
{
    e1000_stat_add(s, E1000_MPC, 1);
    e1000_stat_add(s, E1000_RNBC, 1);
    e1000_raise(s, E1000_ICR_RXO);
}

static void e1000_receive(void *opaque, const uint8_t *frame, size_t len)
{
    E1000 *s = opaque;
    uint32_t rctl = e1000_reg(s, E1000_RCTL);
    if (!(rctl & E1000_RCTL_EN) || len < 14)
        return;
    /* Long packets (RCTL.LPE, 13.4.22): over 1522 bytes with FCS only with
     * LPE, and never over 16384. */
    size_t limit = (rctl & E1000_RCTL_LPE) ? E1000_MAX_LONG_FRAME : E1000_MAX_STD_FRAME;
    if (len + 4 > limit) {
        e1000_stat_add(s, E1000_ROC, 1);
        return;
    }
    if (!e1000_rx_accept(s, frame))
        return;

    uint8_t buf[E1000_MAX_LONG_FRAME + 4];
    memcpy(buf, frame, len);
    size_t total = len;
    if (total < E1000_MIN_FRAME) {
        memset(buf + total, 0, E1000_MIN_FRAME - total);
        total = E1000_MIN_FRAME;
    }
    if (!(rctl & E1000_RCTL_SECRC)) {
        uint32_t fcs = e1000_fcs(buf, total);
        for (int i = 0; i < 4; i++)
            buf[total++] = (uint8_t)(fcs >> (8 * i));
    }

    uint32_t n = e1000_rx_ring_size(s);
    uint32_t bs = e1000_rx_bufsize(rctl);
    uint32_t need = (uint32_t)((total + bs - 1) / bs);
    if (!n || !e1000_bus_master(s) || e1000_rx_free(s, n) < need) {
        e1000_rx_missed(s);
        return;
    }
    uint64_t base = (uint64_t)e1000_reg(s, E1000_RDBAH) << 32 | e1000_reg(s, E1000_RDBAL);
    uint32_t rdh = e1000_reg(s, E1000_RDH);
    size_t done = 0;
    while (done < total) {
        uint64_t da = base + (uint64_t)rdh * E1000_DESC_SIZE;
        uint8_t d[E1000_DESC_SIZE];
        if (!pci_dma_rw(s->pci, da, d, sizeof(d), false)) {
            log_printf(s->log, LOG_guest_errors,
                       "e1000: receive descriptor at %#llx is not in RAM\n",
                       (unsigned long long)da);
            e1000_rx_missed(s);
            return;
        }
        uint64_t addr = get_le64(d);
        uint32_t chunk = (uint32_t)(total - done < bs ? total - done : bs);
        bool ok = pci_dma_rw(s->pci, addr, buf + done, chunk, true);
        done += chunk;
        memset(d + 8, 0, 8);
        if (ok) {
            put_le16(d + 8, (uint16_t)chunk);
            d[12] = E1000_RXD_DD | E1000_RXD_IXSM | (done == total ? E1000_RXD_EOP : 0);
        } else {
            /* A buffer outside RAM: hand the descriptor back with an error
             * (RX data error, bit 7) so the driver drops the frame. */
            log_printf(s->log, LOG_guest_errors,
                       "e1000: receive buffer at %#llx is not in RAM\n",
                       (unsigned long long)addr);
            d[12] = E1000_RXD_DD | E1000_RXD_EOP;
            d[13] = 0x80;
            done = total;
        }
        if (!pci_dma_rw(s->pci, da + 8, d + 8, 8, true)) {
            e1000_rx_missed(s);
            return;
        }
        rdh = (rdh + 1) % n;
        e1000_set_reg(s, E1000_RDH, rdh);
    }
    e1000_stat_add(s, E1000_GPRC, 1);
    e1000_stat_add(s, E1000_TPR, 1);
    e1000_stat_add64(s, E1000_GORCL, total);
    e1000_stat_add64(s, E1000_TORL, total);
    if (frame[0] & 1) {
        static const uint8_t bcast[NET_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
        e1000_stat_add(s, memcmp(frame, bcast, NET_MAC_LEN) ? E1000_MPRC : E1000_BPRC, 1);
    }
    uint32_t causes = E1000_ICR_RXT0;
    /* Minimum threshold (RCTL.RDMTS): 1/2, 1/4 or 1/8 of the ring left. */
    unsigned rdmts = (rctl >> E1000_RCTL_RDMTS_SHIFT) & 3;
    if (rdmts < 3 && e1000_rx_free(s, n) <= n >> (rdmts + 1))
        causes |= E1000_ICR_RXDMT0;
    e1000_raise(s, causes);
}

const NetNicOps e1000_nic_ops = {
    .can_receive = e1000_can_receive,
    .receive = e1000_receive,
};

/* ---- transmit ---- */

void e1000_tx_reset(E1000 *s)
{
    E1000TxPacket *p = &s->tx;
    p->size = 0;
    p->started = p->tse = p->legacy_ic = p->overflow = false;
    p->popts = 0;
    p->seg = 0;
    p->payload_sent = 0;
}

static void e1000_tx_send(E1000 *s, uint8_t *buf, uint32_t len)
{
    static const uint8_t bcast[NET_MAC_LEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    /* TCTL.PSP pads short packets to 64 bytes with FCS. */
    if (len < E1000_MIN_FRAME && (e1000_reg(s, E1000_TCTL) & E1000_TCTL_PSP)) {
        memset(buf + len, 0, E1000_MIN_FRAME - len);
        len = E1000_MIN_FRAME;
    }
    e1000_stat_add(s, E1000_GPTC, 1);
    e1000_stat_add(s, E1000_TPT, 1);
    e1000_stat_add64(s, E1000_GOTCL, len);
    e1000_stat_add64(s, E1000_TOTL, len);
    if (len >= NET_MAC_LEN && (buf[0] & 1))
        e1000_stat_add(s, memcmp(buf, bcast, NET_MAC_LEN) ? E1000_MPTC : E1000_BPTC, 1);
    if (s->nd)
        netdev_send(s->nd, buf, len);
}

/* Offsets of the context that the TSO header edits must lie in the header. */
static bool e1000_tso_ctx_ok(const E1000TxContext *c)
{
    bool tcp = c->tucmd & E1000_TUCMD_TCP;
    return c->hdrlen && c->mss && (uint32_t)c->hdrlen + c->mss <= E1000_TX_BUF &&
           (uint32_t)c->ipcss + 8 <= c->hdrlen && (uint32_t)c->ipcso + 2 <= c->hdrlen &&
           (uint32_t)c->tucss + (tcp ? 20u : 8u) <= c->hdrlen &&
           (uint32_t)c->tucso + 2 <= c->hdrlen;
}

/* Emit one TCP segmentation frame (SDM 3.5-3.6): the header of the first
 * descriptor with IP total length / IPv6 payload length, IP ID, TCP
 * sequence number and flags (FIN/PSH only on the last) updated, then the
 * checksums. The TCP checksum field holds the pseudo-header sum without
 * the length, which hardware adds per segment. */
static void e1000_tso_emit(E1000 *s, bool last)
{
    E1000TxPacket *p = &s->tx;
    const E1000TxContext *c = &s->ctx;
    uint8_t *b = p->buf;
    uint32_t size = p->size, payload = size - c->hdrlen;
    bool ipv4 = c->tucmd & E1000_TUCMD_IP, tcp = c->tucmd & E1000_TUCMD_TCP;
    if (p->seg == 0) {
        p->ip_id0 = get_be16(b + c->ipcss + 4);
        p->tcp_csum0 = get_be16(b + c->tucso);
        if (tcp) {
            p->tcp_seq0 = get_be32(b + c->tucss + 4);
            p->tcp_flags0 = b[c->tucss + 13];
        }
    }
    if (ipv4) {
        put_be16(b + c->ipcss + 2, (uint16_t)(size - c->ipcss));
        put_be16(b + c->ipcss + 4, (uint16_t)(p->ip_id0 + p->seg));
    } else {
        put_be16(b + c->ipcss + 4, (uint16_t)(size - c->ipcss - 40));
    }
    if (tcp) {
        put_be32(b + c->tucss + 4, p->tcp_seq0 + p->payload_sent);
        b[c->tucss + 13] = last ? p->tcp_flags0 : (uint8_t)(p->tcp_flags0 & ~0x09);
    } else {
        put_be16(b + c->tucss + 4, (uint16_t)(size - c->tucss));
    }
    if (p->popts & E1000_POPTS_IXSM) {
        put_be16(b + c->ipcso, 0);
        e1000_insert_csum(b, size, c->ipcss, c->ipcso, c->ipcse, 0);
    }
    if (p->popts & E1000_POPTS_TXSM) {
        put_be16(b + c->tucso, p->tcp_csum0);
        e1000_insert_csum(b, size, c->tucss, c->tucso, 0, size - c->tucss);
    }
    e1000_tx_send(s, b, size);
    p->seg++;
    p->payload_sent += payload;
    p->size = c->hdrlen;    /* the next segment starts with the same header */
}

/* Gather len bytes at guest address addr into the packet. */
static void e1000_tx_gather(E1000 *s, uint64_t addr, uint32_t len)
{
    E1000TxPacket *p = &s->tx;
    while (len && !p->overflow) {
        uint32_t limit = p->tse ? (uint32_t)s->ctx.hdrlen + s->ctx.mss : E1000_TX_BUF;
        if (p->size >= limit) {
            if (!p->tse) {
                log_printf(s->log, LOG_guest_errors, "e1000: transmit packet too long\n");
                p->overflow = true;
                break;
            }
            e1000_tso_emit(s, false);
            continue;
        }
        uint32_t chunk = limit - p->size < len ? limit - p->size : len;
        if (!pci_dma_rw(s->pci, addr, p->buf + p->size, chunk, false)) {
            log_printf(s->log, LOG_guest_errors,
                       "e1000: transmit buffer at %#llx is not in RAM\n",
                       (unsigned long long)addr);
            p->overflow = true;
            break;
        }
        p->size += chunk;
        addr += chunk;
        len -= chunk;
    }
}

static void e1000_tx_finish(E1000 *s)
{
    E1000TxPacket *p = &s->tx;
    const E1000TxContext *c = &s->ctx;
    if (p->tse && p->size < c->hdrlen && !p->overflow) {
        log_printf(s->log, LOG_guest_errors, "e1000: TSO packet shorter than its header\n");
        p->overflow = true;
    }
    if (!p->overflow && p->size) {
        if (p->tse) {
            if (p->size > c->hdrlen || p->seg == 0)
                e1000_tso_emit(s, true);
        } else {
            if (p->legacy_ic)
                e1000_insert_csum(p->buf, p->size, p->legacy_css, p->legacy_cso, 0, 0);
            if (p->popts & E1000_POPTS_IXSM)
                e1000_insert_csum(p->buf, p->size, c->ipcss, c->ipcso, c->ipcse, 0);
            if (p->popts & E1000_POPTS_TXSM)
                e1000_insert_csum(p->buf, p->size, c->tucss, c->tucso, c->tucse, 0);
            e1000_tx_send(s, p->buf, p->size);
        }
    }
    e1000_tx_reset(s);
}

/* One descriptor (16 bytes as read from the ring). Returns its command
 * byte (RS tells whether to write back DD). */
static uint8_t e1000_tx_descriptor(E1000 *s, const uint8_t *d)
{
    E1000TxPacket *p = &s->tx;
    uint64_t addr = get_le64(d);
    uint32_t dw2 = get_le32(d + 8);
    uint8_t cmd = (uint8_t)(dw2 >> 24);
    if (!(cmd & E1000_TXD_DEXT)) {
        /* Legacy (3.3.3): length 15:0, CSO 23:16, CMD 31:24; CSS byte 13. */
        if (!p->started) {
            p->started = true;
            p->tse = false;
            p->popts = 0;
            p->legacy_ic = cmd & E1000_TXD_IC;
            p->legacy_cso = d[10];
            p->legacy_css = d[13];
        }
        e1000_tx_gather(s, addr, dw2 & 0xffff);
    } else if (((dw2 >> 20) & 0xf) == 0) {
        /* Context (3.3.5): offload offsets for the packets that follow. */
        E1000TxContext *c = &s->ctx;
        c->ipcss = d[0];
        c->ipcso = d[1];
        c->ipcse = get_le16(d + 2);
        c->tucss = d[4];
        c->tucso = d[5];
        c->tucse = get_le16(d + 6);
        c->paylen = dw2 & 0xfffff;
        c->tucmd = cmd;
        c->hdrlen = d[13];
        c->mss = get_le16(d + 14);
        if (cmd & E1000_TUCMD_TSE)
            e1000_stat_add(s, E1000_TSCTC, 1);
        return cmd;
    } else if (((dw2 >> 20) & 0xf) == 1) {
        /* Data (3.3.7): length 19:0, DCMD 31:24, POPTS byte 13. */
        if (!p->started) {
            p->started = true;
            p->legacy_ic = false;
            p->popts = d[13];
            p->tse = (cmd & E1000_TXD_TSE) && (s->ctx.tucmd & E1000_TUCMD_TSE);
            if (p->tse && !e1000_tso_ctx_ok(&s->ctx)) {
                log_printf(s->log, LOG_guest_errors, "e1000: bad TSO context (hdrlen %u mss %u)\n",
                           s->ctx.hdrlen, s->ctx.mss);
                p->overflow = true;
            }
        }
        e1000_tx_gather(s, addr, dw2 & 0xfffff);
    } else {
        log_printf(s->log, LOG_guest_errors, "e1000: transmit descriptor type %u\n",
                   (dw2 >> 20) & 0xf);
        return cmd;
    }
    if (cmd & E1000_TXD_EOP)
        e1000_tx_finish(s);
    return cmd;
}

void e1000_tx_run(E1000 *s)
{
    if (!(e1000_reg(s, E1000_TCTL) & E1000_TCTL_EN) || s->tx_running)
        return;
    uint32_t n = e1000_reg(s, E1000_TDLEN) / E1000_DESC_SIZE;
    uint32_t tdh = e1000_reg(s, E1000_TDH), tdt = e1000_reg(s, E1000_TDT);
    if (tdh == tdt)
        return;
    if (!n || tdh >= n || tdt >= n) {
        log_printf(s->log, LOG_guest_errors,
                   "e1000: bad transmit ring (len %u, head %u, tail %u)\n",
                   e1000_reg(s, E1000_TDLEN), tdh, tdt);
        return;
    }
    uint64_t base = (uint64_t)e1000_reg(s, E1000_TDBAH) << 32 | e1000_reg(s, E1000_TDBAL);
    s->tx_running = true;   /* a loopback receive may write registers */
    bool any = false;
    for (uint32_t guard = 0; tdh != tdt && guard < n; guard++) {
        uint64_t da = base + (uint64_t)tdh * E1000_DESC_SIZE;
        uint8_t d[E1000_DESC_SIZE];
        if (!pci_dma_rw(s->pci, da, d, sizeof(d), false)) {
            log_printf(s->log, LOG_guest_errors,
                       "e1000: transmit descriptor at %#llx is not in RAM\n",
                       (unsigned long long)da);
            break;
        }
        uint8_t cmd = e1000_tx_descriptor(s, d);
        if (cmd & E1000_TXD_RS) {
            uint8_t status = E1000_TXD_STAT_DD;
            pci_dma_rw(s->pci, da + 12, &status, 1, true);
        }
        tdh = (tdh + 1) % n;
        e1000_set_reg(s, E1000_TDH, tdh);
        any = true;
        tdt = e1000_reg(s, E1000_TDT);
        if (tdt >= n)
            break;
    }
    s->tx_running = false;
    if (any)
        e1000_raise(s, E1000_ICR_TXDW | E1000_ICR_TXQE);
}
