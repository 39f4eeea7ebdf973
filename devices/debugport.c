/*
 * Debug console (port 0xE9 / 0x402), POST code port 0x80 and
 * isa-debug-exit. None of these is real hardware with a datasheet; they
 * follow the de-facto contracts of Bochs ("port E9 hack": write = print a
 * character, read = 0xE9), the IBM PC POST card convention (port 80h
 * latches the last code written), and QEMU's isa-debug-exit (a write of V
 * exits with status (V << 1) | 1).
 */
#include "devices/debugport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- isa-debugcon ---- */

static uint64_t debugcon_io_read(void *opaque, uint64_t off, unsigned size)
{
    return DEBUGCON_READBACK;
}

static void debugcon_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    DebugCon *d = opaque;
    uint8_t b = (uint8_t)val;
    chardev_write(d->chr, &b, 1);
}

static const MemRegionOps debugcon_io_ops = {
    .read = debugcon_io_read,
    .write = debugcon_io_write,
    .min_access = 1,
    .max_access = 1,
};

static void debugcon_class_destroy(void *dev)
{
    debugcon_destroy(dev);
}

const DeviceClass debugcon_class = {
    .name = "isa-debugcon",
    .state_size = sizeof(DebugCon),
    .reset = NULL,
    .destroy = debugcon_class_destroy,
};

DebugCon *debugcon_create(AddressSpace *io, uint16_t iobase, CharDev *chr, Log *log)
{
    DebugCon *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->chr = chr;
    d->log = log;
    d->iobase = iobase;
    if (io)
        d->region = as_add_io(io, "isa-debugcon", iobase, 1, &debugcon_io_ops, d, 0);
    return d;
}

void debugcon_destroy(DebugCon *d)
{
    free(d);
}

/* ---- POST port ---- */

static uint64_t post_io_read(void *opaque, uint64_t off, unsigned size)
{
    PostPort *p = opaque;
    return p->last;
}

static void post_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PostPort *p = opaque;
    p->last = (uint8_t)val;
    log_printf(p->log, LOG_ioport, "POST %#04x\n", p->last);
}

static const MemRegionOps post_io_ops = {
    .read = post_io_read,
    .write = post_io_write,
    .min_access = 1,
    .max_access = 1,
};

static void post_class_reset(void *dev)
{
    PostPort *p = dev;
    p->last = 0;
}

static void post_class_destroy(void *dev)
{
    post_port_destroy(dev);
}

const DeviceClass post_port_class = {
    .name = "post-port",
    .state_size = sizeof(PostPort),
    .reset = post_class_reset,
    .destroy = post_class_destroy,
};

PostPort *post_port_create(AddressSpace *io, uint16_t port, Log *log)
{
    PostPort *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->log = log;
    p->port = port;
    if (io)
        p->region = as_add_io(io, "post", port, 1, &post_io_ops, p, 0);
    return p;
}

uint8_t post_port_last(const PostPort *p)
{
    return p->last;
}

void post_port_destroy(PostPort *p)
{
    free(p);
}

/* ---- isa-debug-exit ---- */

int debug_exit_status(uint32_t val)
{
    return (int)(((val & 0x3FFFFFFFu) << 1) | 1u);
}

static uint64_t debug_exit_io_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void debug_exit_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    DebugExit *d = opaque;
    int status = debug_exit_status((uint32_t)val);
    log_printf(d->log, LOG_ioport, "isa-debug-exit: write %#llx -> exit status %d\n",
               (unsigned long long)val, status);
    if (d->exit_cb)
        d->exit_cb(d->cb_opaque, status);
}

static const MemRegionOps debug_exit_io_ops = {
    .read = debug_exit_io_read,
    .write = debug_exit_io_write,
    .min_access = 1,
    .max_access = 4,
};

static void debug_exit_class_destroy(void *dev)
{
    debug_exit_destroy(dev);
}

const DeviceClass debug_exit_class = {
    .name = "isa-debug-exit",
    .state_size = sizeof(DebugExit),
    .reset = NULL,
    .destroy = debug_exit_class_destroy,
};

DebugExit *debug_exit_create(AddressSpace *io, uint16_t iobase, uint16_t iosize,
                             DebugExitCb exit_cb, void *cb_opaque, Log *log)
{
    if (iosize == 0 || iosize > 4)
        iosize = iosize == 0 ? 1 : 4;
    DebugExit *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->exit_cb = exit_cb;
    d->cb_opaque = cb_opaque;
    d->log = log;
    d->iobase = iobase;
    d->iosize = iosize;
    if (io)
        d->region = as_add_io(io, "isa-debug-exit", iobase, iosize, &debug_exit_io_ops, d, 0);
    return d;
}

void debug_exit_destroy(DebugExit *d)
{
    free(d);
}

/* ---- -device property strings ---- */

static bool parse_u16(const char *s, size_t n, uint16_t *out)
{
    char buf[32];
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    unsigned long v = strtoul(buf, &end, 0);
    if (errno || *end || v > 0xFFFF || buf[0] == '-')
        return false;
    *out = (uint16_t)v;
    return true;
}

bool debugport_parse_props(const char *props, DebugPortProps *out, char *err, size_t errlen)
{
    const char *p = props ? props : "";
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (len > 0) {
            if (!eq) {
                snprintf(err, errlen, "property '%.*s' needs a value", (int)len, p);
                return false;
            }
            size_t klen = (size_t)(eq - p);
            const char *val = eq + 1;
            size_t vlen = len - klen - 1;
            uint16_t *dst = NULL;
            if (klen == 6 && !strncmp(p, "iobase", 6))
                dst = &out->iobase;
            else if (klen == 6 && !strncmp(p, "iosize", 6))
                dst = &out->iosize;
            if (!dst) {
                snprintf(err, errlen, "unknown property '%.*s'", (int)klen, p);
                return false;
            }
            if (!parse_u16(val, vlen, dst)) {
                snprintf(err, errlen, "bad value '%.*s' for %.*s", (int)vlen, val, (int)klen, p);
                return false;
            }
        }
        if (!end)
            break;
        p = end + 1;
    }
    return true;
}
