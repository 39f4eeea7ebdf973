/*
 * The PC keyboard controller (Intel 8042 as programmed by IBM PC/AT
 * firmware) with a PS/2 keyboard on its first port and a PS/2 mouse
 * (IntelliMouse-capable) on its auxiliary port.
 *
 * Ports: 0x60 data (read: output buffer; write: data for the keyboard or
 * the argument of a pending controller command), 0x64 (read: status;
 * write: controller command). IRQ1 signals a keyboard byte, IRQ12 a mouse
 * byte. The controller's output port drives the A20 gate and the CPU
 * reset line; the board receives those through callbacks, never the other
 * way round.
 *
 * Each device keeps its own bounded byte queue; the controller moves one
 * byte at a time into its output buffer (translating keyboard bytes from
 * scancode set 2 to set 1 when the command byte says so).
 */
#ifndef DOPPEL_DEVICES_PS2_H
#define DOPPEL_DEVICES_PS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define PS2_DATA_PORT 0x60
#define PS2_CMD_PORT 0x64
#define PS2_QUEUE_SIZE 256
/* Input events (keys, mouse motion) leave this much room for command replies. */
#define PS2_QUEUE_RESERVE 16
#define PS2_CTRL_QUEUE_SIZE 8

/* Status register (port 0x64 read). */
enum {
    PS2_STAT_OBF = 0x01,       /* output buffer full */
    PS2_STAT_IBF = 0x02,       /* input buffer full (never: writes act at once) */
    PS2_STAT_SYS = 0x04,       /* system flag (self test passed) */
    PS2_STAT_CMD = 0x08,       /* last write was to 0x64 */
    PS2_STAT_UNLOCKED = 0x10,  /* keyboard not inhibited by the key lock */
    PS2_STAT_AUX_OBF = 0x20,   /* output buffer holds a mouse byte */
};

/* Controller command byte (read 0x20 / write 0x60). */
enum {
    PS2_MODE_KBD_INT = 0x01,
    PS2_MODE_AUX_INT = 0x02,
    PS2_MODE_SYS = 0x04,
    PS2_MODE_DISABLE_KBD = 0x10,
    PS2_MODE_DISABLE_AUX = 0x20,
    PS2_MODE_XLATE = 0x40,
};

/* Output port (read 0xD0 / write 0xD1). */
enum {
    PS2_OUT_RESET = 0x01,      /* low = CPU held in reset */
    PS2_OUT_A20 = 0x02,
    PS2_OUT_KBD_OBF = 0x10,
    PS2_OUT_AUX_OBF = 0x20,
};

/* Board hooks: the output port's A20 gate and reset line. */
typedef struct Ps2Hooks {
    void (*a20_cb)(void *opaque, bool enabled);
    void (*reset_cb)(void *opaque);
    void *opaque;
} Ps2Hooks;

typedef struct Ps2Queue {
    uint8_t data[PS2_QUEUE_SIZE];
    unsigned head, count;
} Ps2Queue;

typedef struct Ps2Kbd {
    Ps2Queue q;
    bool scan_enabled;
    uint8_t scancode_set;   /* 1, 2 or 3 */
    uint8_t leds;
    uint8_t typematic;
    uint8_t pending_cmd;    /* command waiting for its argument, 0: none */
    uint8_t last_sent;      /* for 0xFE resend */
} Ps2Kbd;

typedef struct Ps2Mouse {
    Ps2Queue q;
    bool enabled;           /* data reporting (0xF4) */
    bool remote;            /* remote mode (0xF0) instead of stream */
    bool wrap;              /* wrap (echo) mode (0xEE) */
    bool scaling_2to1;
    uint8_t sample_rate;
    uint8_t resolution;
    uint8_t id;             /* 0 standard, 3 IntelliMouse, 4 IntelliMouse Explorer */
    uint8_t rate_hist[3];   /* last three sample rates, newest last */
    uint8_t pending_cmd;
    uint8_t last_sent;
    unsigned buttons;       /* bit0 left, bit1 right, bit2 middle, bit3/4 side */
    unsigned sent_buttons;  /* buttons of the last packet sent */
    int dx, dy, dz;         /* motion not yet reported (dy: up positive) */
} Ps2Mouse;

typedef struct Ps2 {
    AddressSpace *io;
    MemRegion *data_region, *cmd_region;
    IrqLine irq_kbd, irq_mouse;
    Ps2Hooks hooks;
    Log *log;
    /* controller */
    uint8_t mode;           /* command byte */
    uint8_t status;
    uint8_t outport;
    uint8_t ram[32];        /* controller RAM 0x01..0x1f (0x00 is the command byte) */
    uint8_t pending;        /* controller command waiting for a data byte, 0: none */
    uint8_t out_byte;
    bool obf, out_aux;
    bool xlate_f0;          /* a set-2 break prefix waits for its code */
    struct { uint8_t byte; bool aux; } ctrl_q[PS2_CTRL_QUEUE_SIZE];
    unsigned ctrl_head, ctrl_count;
    int level_kbd, level_mouse;
    Ps2Kbd kbd;
    Ps2Mouse mouse;
} Ps2;

extern const DeviceClass ps2_class;

/** Build the 8042 at ports 0x60/0x64 with keyboard (irq_kbd, IRQ1) and
 *  mouse (irq_mouse, IRQ12). hooks may be NULL (A20/reset requests are
 *  then only logged). Output port starts with A20 enabled. */
Ps2 *ps2_create(AddressSpace *io, IrqLine irq_kbd, IrqLine irq_mouse,
                const Ps2Hooks *hooks, Log *log);
/** Reset controller, keyboard and mouse to power-on state. */
void ps2_reset(Ps2 *s);
/** Free the state (the port regions stay with the address space). */
void ps2_destroy(Ps2 *s);

/** Register access: port 0x60 or 0x64 (what the handlers call; tests use it). */
uint8_t ps2_read(Ps2 *s, uint16_t port);
void ps2_write(Ps2 *s, uint16_t port, uint8_t val);

/** Frontend input: n bytes of one key event in scancode set 2 (e.g. 0x1C,
 *  or 0xF0 0x1C, or 0xE0 0xF0 0x75). Dropped whole if the keyboard is not
 *  scanning or its queue lacks room. */
void ps2_kbd_put_scancode(Ps2 *s, const uint8_t *bytes, int n);
/** Frontend input: relative motion (dx right, dy down, as on screen),
 *  wheel dz (positive: towards the user), buttons (bit0 left, bit1 right,
 *  bit2 middle, bit3 side, bit4 extra). */
void ps2_mouse_event(Ps2 *s, int dx, int dy, int dz, unsigned buttons);
/** Keyboard LED state set by the guest (bit0 scroll, bit1 num, bit2 caps). */
unsigned ps2_kbd_leds(const Ps2 *s);

#endif
