/*
 * Debug ports that emulators provide and firmware/test guests use:
 *
 *  - isa-debugcon: the Bochs "port 0xE9 hack" console (SeaBIOS logs to
 *    port 0x402 under QEMU). Every byte written goes to a CharDev; a read
 *    returns 0xE9 so software can detect the port.
 *  - the POST diagnostic port 0x80: latches the last byte written (BIOS
 *    progress codes, Linux's I/O delay) and logs it under LOG_ioport.
 *  - isa-debug-exit: a write of V asks the board to end the VM with exit
 *    status (V << 1) | 1, as QEMU's device does (so no guest can fake 0).
 *    The device never touches the machine: the board passes a callback.
 */
#ifndef DOPPEL_DEVICES_DEBUGPORT_H
#define DOPPEL_DEVICES_DEBUGPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/chardev.h"
#include "machine/device.h"
#include "machine/log.h"
#include "machine/memory.h"

#define DEBUGCON_DEFAULT_IOBASE 0xE9
#define DEBUGCON_READBACK 0xE9
#define POST_PORT_DEFAULT 0x80
#define DEBUG_EXIT_DEFAULT_IOBASE 0x501
#define DEBUG_EXIT_DEFAULT_IOSIZE 0x02

typedef struct DebugCon {
    CharDev *chr;
    Log *log;
    uint16_t iobase;
    MemRegion *region;
} DebugCon;

typedef struct PostPort {
    Log *log;
    uint16_t port;
    uint8_t last;       /* latched POST code */
    MemRegion *region;
} PostPort;

/** Called by isa-debug-exit with the exit status the guest asked for. */
typedef void (*DebugExitCb)(void *opaque, int status);

typedef struct DebugExit {
    DebugExitCb exit_cb;
    void *cb_opaque;
    Log *log;
    uint16_t iobase, iosize;
    MemRegion *region;
} DebugExit;

/* Properties of -device isa-debugcon / isa-debug-exit. */
typedef struct DebugPortProps {
    uint16_t iobase;
    uint16_t iosize;
} DebugPortProps;

extern const DeviceClass debugcon_class;
extern const DeviceClass post_port_class;
extern const DeviceClass debug_exit_class;

/** Map an isa-debugcon at iobase (one port) writing to chr (may be NULL:
 *  bytes are dropped). */
DebugCon *debugcon_create(AddressSpace *io, uint16_t iobase, CharDev *chr, Log *log);
/** Free the state (the region stays with the address space). */
void debugcon_destroy(DebugCon *d);

/** Map the POST code latch at port (normally 0x80). */
PostPort *post_port_create(AddressSpace *io, uint16_t port, Log *log);
/** The last byte written to the POST port (0 after reset). */
uint8_t post_port_last(const PostPort *p);
/** Free the state (the region stays with the address space). */
void post_port_destroy(PostPort *p);

/** Map isa-debug-exit at [iobase, iobase + iosize) (iosize 1..4); a write
 *  of V calls exit_cb(cb_opaque, (V << 1) | 1). */
DebugExit *debug_exit_create(AddressSpace *io, uint16_t iobase, uint16_t iosize,
                             DebugExitCb exit_cb, void *cb_opaque, Log *log);
/** The status a write of val requests: (val << 1) | 1, val truncated to 30
 *  bits so the status stays a positive int (the OS keeps 8 bits anyway). */
int debug_exit_status(uint32_t val);
/** Free the state (the region stays with the address space). */
void debug_exit_destroy(DebugExit *d);

/** Parse "iobase=0xf4,iosize=0x04" (decimal or 0x hex, any order, either
 *  key optional) into props, which the caller pre-fills with defaults.
 *  Returns false with a message in err on a bad key or value. */
bool debugport_parse_props(const char *props, DebugPortProps *out, char *err, size_t errlen);

#endif
