/*
 * pcap dump of a network link (-nic ...,dump=FILE.pcap).
 *
 * Classic libpcap file format: a 24-byte global header (magic 0xa1b2c3d4,
 * version 2.4, snap length, link type 1 = Ethernet) followed by one record
 * per frame: seconds, microseconds, captured length, original length, then
 * the bytes. Written in host byte order, which the magic number tells
 * readers. Timestamps are host wall-clock time, as a capture tool would
 * record them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/net/netdev.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_SNAPLEN 65535u
#define PCAP_LINKTYPE_ETHERNET 1u

struct NetPcap {
    FILE *f;
};

NetPcap *net_pcap_open(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "dump: cannot create '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } hdr = { PCAP_MAGIC, PCAP_VERSION_MAJOR, PCAP_VERSION_MINOR, 0, 0, PCAP_SNAPLEN,
              PCAP_LINKTYPE_ETHERNET };
    NetPcap *p = calloc(1, sizeof(*p));
    if (!p || fwrite(&hdr, sizeof(hdr), 1, f) != 1) {
        snprintf(err, errlen, "dump: cannot write '%s'", path);
        free(p);
        fclose(f);
        return NULL;
    }
    p->f = f;
    return p;
}

void net_pcap_write(NetPcap *p, const uint8_t *frame, size_t len)
{
    if (!p || !p->f)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint32_t caplen = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : (uint32_t)len;
    uint32_t rec[4] = { (uint32_t)ts.tv_sec, (uint32_t)(ts.tv_nsec / 1000), caplen,
                        (uint32_t)len };
    if (fwrite(rec, sizeof(rec), 1, p->f) != 1 || fwrite(frame, 1, caplen, p->f) != caplen) {
        /* Disk full or similar: stop dumping rather than write a torn file. */
        fclose(p->f);
        p->f = NULL;
        return;
    }
    fflush(p->f);
}

void net_pcap_close(NetPcap *p)
{
    if (!p)
        return;
    if (p->f)
        fclose(p->f);
    free(p);
}
