/*
 * Character back-ends: where a serial port or debug console sends its
 * bytes and where its input comes from.
 *
 * A CharDev has two sides. The back-end side (stdio, a file, null) is a
 * small vtable: write bytes out, close. The front-end side is the device
 * that owns the CharDev (UART, debugcon): it installs can_receive/receive
 * handlers, and the main loop feeds host input through chardev_feed() or
 * chardev_fd_readable(). Input the device cannot take yet waits in a
 * bounded buffer and is retried by chardev_pump() (the device calls it when
 * room appears, e.g. after the guest read its receive buffer).
 *
 * Raw terminal mode for stdio is the frontend's job; here stdio is just
 * fds 0 and 1. A tap lets the frontend watch output (scripted expect).
 */
#ifndef DOPPEL_DEVICES_CHARDEV_H
#define DOPPEL_DEVICES_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/config.h"

#define CHARDEV_INBUF_SIZE 4096

typedef struct CharDev CharDev;

/* Back-end operations. */
typedef struct CharDevOps {
    const char *name;
    /* Write len bytes to the host; returns bytes accepted (the rest is dropped). */
    size_t (*write)(CharDev *chr, const uint8_t *buf, size_t len);
    /* Release what the back-end owns (fds). */
    void (*close)(CharDev *chr);
} CharDevOps;

/* Front-end (device) handlers. can_receive returns how many bytes the
 * device accepts now; receive gets at most that many. */
typedef size_t (*CharDevCanReceive)(void *opaque);
typedef void (*CharDevReceive)(void *opaque, const uint8_t *buf, size_t len);
/* Observer of every byte written out (the frontend's expect engine). */
typedef void (*CharDevTap)(void *opaque, const uint8_t *buf, size_t len);

struct CharDev {
    const CharDevOps *ops;
    int in_fd;              /* host fd the main loop watches, -1: no input */
    int out_fd;             /* host fd written to, -1: none */
    bool own_in, own_out;   /* close these fds on chardev_close */
    bool in_eof;            /* in_fd reached end of file (or failed) */
    /* front end */
    CharDevCanReceive can_receive;
    CharDevReceive receive;
    void *fe_opaque;
    CharDevTap tap;
    void *tap_opaque;
    /* input waiting for the device: ring buffer */
    uint8_t inbuf[CHARDEV_INBUF_SIZE];
    size_t in_head, in_count;
};

/** A back-end on host stdin (input) and stdout (output). */
CharDev *chardev_stdio_new(void);
/** A back-end writing to (truncating) the file at path; no input.
 *  Returns NULL and fills err on failure. */
CharDev *chardev_file_new(const char *path, char *err, size_t errlen);
/** A back-end that discards output and never has input. */
CharDev *chardev_null_new(void);
/** A back-end on caller-supplied fds (-1 for none); own: close them at the end. */
CharDev *chardev_fd_new(int in_fd, int out_fd, bool own);
/** Build the back-end a -serial/-debugcon option asks for; CHR_NONE gives NULL
 *  with an empty err (no device wanted). Returns NULL and fills err on failure. */
CharDev *chardev_from_config(const CharDevConfig *cfg, char *err, size_t errlen);
/** Close the back-end and free chr (NULL is fine). */
void chardev_close(CharDev *chr);

/** Send bytes from the device to the host. Returns bytes written.
 *  Safe with chr == NULL (bytes go nowhere). */
size_t chardev_write(CharDev *chr, const void *buf, size_t len);

/** Attach the device's input handlers (either may be NULL: no input). */
void chardev_set_handlers(CharDev *chr, CharDevCanReceive can_receive,
                          CharDevReceive receive, void *opaque);
/** Install an output observer (NULL to remove). */
void chardev_set_tap(CharDev *chr, CharDevTap tap, void *opaque);

/** Queue host input for the device and deliver what it can take now.
 *  Returns bytes accepted into the queue (the rest is dropped when full). */
size_t chardev_feed(CharDev *chr, const uint8_t *buf, size_t len);
/** Deliver queued input the device can now accept. */
void chardev_pump(CharDev *chr);
/** Bytes of input still queued. */
size_t chardev_pending_input(const CharDev *chr);
/** FdHandler for the main loop (opaque is the CharDev): read what is
 *  available on in_fd (as much as the queue has room for) and deliver it.
 *  At end of file (or a read error) it sets in_eof; the caller should then
 *  stop watching the fd (machine_remove_fd), or the loop would spin. */
void chardev_fd_readable(void *opaque, int fd);

#endif
