/*
 * 16550A UART (National Semiconductor PC16550D), the PC's COM ports.
 *
 * Eight byte-wide registers at base..base+7 on the port I/O space, one
 * IRQ line, 16-byte receive FIFO with trigger levels, the character
 * timeout interrupt (a Timer of four character times), loopback mode, and
 * the four interrupt sources in datasheet priority order. Transmission is
 * immediate: a byte written to THR goes straight to the CharDev (or, in
 * loopback, to the receive FIFO), so THR is empty again at once.
 */
#ifndef DOPPEL_DEVICES_UART16550_H
#define DOPPEL_DEVICES_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/chardev.h"
#include "machine/clock.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define UART_FIFO_SIZE 16

/* Register offsets (PC16550D Table II). */
enum {
    UART_RBR = 0, UART_THR = 0, UART_DLL = 0,
    UART_IER = 1, UART_DLM = 1,
    UART_IIR = 2, UART_FCR = 2,
    UART_LCR = 3, UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};

/* IER bits */
enum { UART_IER_RDI = 0x01, UART_IER_THRI = 0x02, UART_IER_RLSI = 0x04, UART_IER_MSI = 0x08 };
/* IIR values (bits 3..0) and the FIFO-enabled bits 7..6 */
enum {
    UART_IIR_NO_INT = 0x01, UART_IIR_MSI = 0x00, UART_IIR_THRI = 0x02,
    UART_IIR_RDI = 0x04, UART_IIR_RLSI = 0x06, UART_IIR_CTI = 0x0C,
    UART_IIR_FIFO = 0xC0,
};
/* FCR bits */
enum { UART_FCR_ENABLE = 0x01, UART_FCR_CLEAR_RX = 0x02, UART_FCR_CLEAR_TX = 0x04,
       UART_FCR_DMA = 0x08, UART_FCR_TRIGGER = 0xC0 };
/* LCR, MCR bits */
enum { UART_LCR_DLAB = 0x80 };
enum { UART_MCR_DTR = 0x01, UART_MCR_RTS = 0x02, UART_MCR_OUT1 = 0x04,
       UART_MCR_OUT2 = 0x08, UART_MCR_LOOP = 0x10 };
/* LSR bits */
enum { UART_LSR_DR = 0x01, UART_LSR_OE = 0x02, UART_LSR_PE = 0x04, UART_LSR_FE = 0x08,
       UART_LSR_BI = 0x10, UART_LSR_THRE = 0x20, UART_LSR_TEMT = 0x40,
       UART_LSR_FIFOE = 0x80 };
/* MSR bits */
enum { UART_MSR_DCTS = 0x01, UART_MSR_DDSR = 0x02, UART_MSR_TERI = 0x04,
       UART_MSR_DDCD = 0x08, UART_MSR_CTS = 0x10, UART_MSR_DSR = 0x20,
       UART_MSR_RI = 0x40, UART_MSR_DCD = 0x80 };

typedef struct Uart {
    /* wiring */
    AddressSpace *io;
    MemRegion *region;
    uint16_t base;
    IrqLine irq;
    CharDev *chr;
    VirtClock *clock;
    Log *log;
    Timer timeout_timer;
    /* registers */
    uint16_t divisor;
    uint8_t ier, fcr, lcr, mcr, lsr, msr, scr;
    /* receive FIFO (ring); capacity 1 when FIFOs are disabled */
    uint8_t rx_fifo[UART_FIFO_SIZE];
    unsigned rx_head, rx_count;
    /* pending-interrupt latches */
    bool thr_ipending;      /* THRE interrupt latched, cleared by IIR read / THR write */
    bool timeout_ipending;  /* character timeout indication */
    int irq_level;          /* last level driven on irq */
} Uart;

extern const DeviceClass uart_class;

/** Build a 16550A at port base on the io space, driving irq, talking to chr
 *  (may be NULL: output discarded, no input). clock (may be NULL: no
 *  character-timeout interrupt) paces the receive timeout; log may be NULL. */
Uart *uart_create(AddressSpace *io, uint16_t base, IrqLine irq, CharDev *chr,
                  VirtClock *clock, Log *log);
/** Power-on/master reset (PC16550D Table IV reset states). */
void uart_reset(Uart *s);
/** Stop the timer, detach from the CharDev and free. Call it only when the
 *  io space is going away too (it keeps the port region); the CharDev stays
 *  the caller's. */
void uart_destroy(Uart *s);

/** Deliver bytes received on the serial line. Bytes that find the FIFO full
 *  set the overrun error (LSR bit 1) and are lost, as on the chip. */
void uart_receive(Uart *s, const uint8_t *buf, size_t len);
/** True if at least one more byte fits in the receive FIFO (false in
 *  loopback mode, where the serial input is disconnected). */
bool uart_can_receive(Uart *s);
/** Bytes the receive FIFO can take now (0 in loopback mode). */
size_t uart_rx_room(Uart *s);

/** Register access by offset 0..7 (what the port handlers call; tests use it). */
uint8_t uart_read(Uart *s, unsigned off);
void uart_write(Uart *s, unsigned off, uint8_t val);

#endif
