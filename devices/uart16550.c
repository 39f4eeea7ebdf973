/*
 * 16550A UART model, after the National Semiconductor PC16550D datasheet
 * ("PC16550D Universal Asynchronous Receiver/Transmitter with FIFOs",
 * June 1995). Section numbers below refer to its "Registers" chapter
 * (8.x) and Table IV (reset states, interrupt control functions).
 *
 * Transmission is instantaneous (the host is never slower than the line);
 * reception goes through a 16-byte FIFO with the trigger levels of FCR
 * bits 7-6 and a character-timeout timer of four character times.
 *
 * One board-level choice, as in QEMU: the interrupt output is not gated by
 * MCR.OUT2 (PC boards wire OUT2 as an IRQ enable; guests that never set it
 * still expect interrupts under emulators).
 */
#include "devices/uart16550.h"

#include <stdlib.h>
#include <string.h>

/* Receive FIFO trigger levels selected by FCR bits 7-6 (Table III). */
static const unsigned uart_trigger_levels[4] = { 1, 4, 8, 14 };

static bool uart_fifo_enabled(const Uart *s)
{
    return s->fcr & UART_FCR_ENABLE;
}

static unsigned uart_rx_capacity(const Uart *s)
{
    return uart_fifo_enabled(s) ? UART_FIFO_SIZE : 1;
}

/* Nanoseconds one character takes on the line: start bit + 5..8 data bits +
 * optional parity + 1 or 2 stop bits, at 115200 / divisor baud (8.10). */
static int64_t uart_char_ns(const Uart *s)
{
    unsigned bits = 1 + 5 + (s->lcr & 0x03) + ((s->lcr & 0x08) ? 1 : 0) + ((s->lcr & 0x04) ? 2 : 1);
    unsigned div = s->divisor ? s->divisor : 0x10000;
    return (int64_t)bits * div * 1000000000LL / 115200;
}

/* Interrupt identification in priority order (Table IV):
 * receiver line status > received data available / character timeout >
 * transmitter holding register empty > modem status. */
static uint8_t uart_iir_id(const Uart *s)
{
    if ((s->ier & UART_IER_RLSI) &&
        (s->lsr & (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)))
        return UART_IIR_RLSI;
    if (s->ier & UART_IER_RDI) {
        bool level_reached = uart_fifo_enabled(s)
            ? s->rx_count >= uart_trigger_levels[s->fcr >> 6]
            : s->rx_count > 0;
        if (level_reached)
            return UART_IIR_RDI;
        if (s->timeout_ipending)
            return UART_IIR_CTI;
    }
    if ((s->ier & UART_IER_THRI) && s->thr_ipending)
        return UART_IIR_THRI;
    if ((s->ier & UART_IER_MSI) && (s->msr & 0x0F))
        return UART_IIR_MSI;
    return UART_IIR_NO_INT;
}

static void uart_update_irq(Uart *s)
{
    int level = uart_iir_id(s) != UART_IIR_NO_INT;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(&s->irq, level);
    }
}

static void uart_rearm_timeout(Uart *s)
{
    if (!s->clock)
        return;
    if (uart_fifo_enabled(s) && s->rx_count > 0)
        timer_mod(&s->timeout_timer, clock_now(s->clock) + 4 * uart_char_ns(s));
    else
        timer_del(&s->timeout_timer);
}

/* Character timeout (8.6.1): a character sits in the FIFO, none was
 * received or read for four character times. */
static void uart_timeout_cb(void *opaque)
{
    Uart *s = opaque;
    if (uart_fifo_enabled(s) && s->rx_count > 0) {
        s->timeout_ipending = true;
        uart_update_irq(s);
    }
}

static void uart_rx_clear(Uart *s)
{
    s->rx_head = s->rx_count = 0;
    s->lsr &= ~UART_LSR_DR;
    s->timeout_ipending = false;
    if (s->clock)
        timer_del(&s->timeout_timer);
}

/* One character arrives at the receiver shift register. */
static void uart_rx_byte(Uart *s, uint8_t b)
{
    if (s->rx_count >= uart_rx_capacity(s)) {
        /* Overrun (8.6.3, LSR bit 1). In FIFO mode the FIFO keeps its
         * contents and the new character is lost; in 16450 mode the new
         * character overwrites RBR. */
        s->lsr |= UART_LSR_OE;
        if (!uart_fifo_enabled(s))
            s->rx_fifo[s->rx_head] = b;
        return;
    }
    s->rx_fifo[(s->rx_head + s->rx_count) % UART_FIFO_SIZE] = b;
    s->rx_count++;
    s->lsr |= UART_LSR_DR;
}

static uint8_t uart_rx_pop(Uart *s)
{
    if (s->rx_count == 0)
        return 0;
    uint8_t b = s->rx_fifo[s->rx_head];
    s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
    s->rx_count--;
    if (s->rx_count == 0)
        s->lsr &= ~UART_LSR_DR;
    return b;
}

/* Modem status inputs: in loopback the outputs drive them (8.7, MCR bit 4:
 * RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD); otherwise report a connected,
 * ready peer (CTS, DSR, DCD asserted). Delta bits record changes. */
static void uart_update_msr(Uart *s)
{
    uint8_t in;
    if (s->mcr & UART_MCR_LOOP) {
        in = 0;
        if (s->mcr & UART_MCR_RTS)
            in |= UART_MSR_CTS;
        if (s->mcr & UART_MCR_DTR)
            in |= UART_MSR_DSR;
        if (s->mcr & UART_MCR_OUT1)
            in |= UART_MSR_RI;
        if (s->mcr & UART_MCR_OUT2)
            in |= UART_MSR_DCD;
    } else {
        in = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    }
    uint8_t old = s->msr & 0xF0;
    uint8_t delta = s->msr & 0x0F;
    if ((old ^ in) & UART_MSR_CTS)
        delta |= UART_MSR_DCTS;
    if ((old ^ in) & UART_MSR_DSR)
        delta |= UART_MSR_DDSR;
    if ((old & UART_MSR_RI) && !(in & UART_MSR_RI))
        delta |= UART_MSR_TERI;   /* trailing edge of RI */
    if ((old ^ in) & UART_MSR_DCD)
        delta |= UART_MSR_DDCD;
    s->msr = in | delta;
}

static void uart_transmit(Uart *s, uint8_t b)
{
    if (s->mcr & UART_MCR_LOOP) {
        /* Loopback (8.7): the transmitter output is looped to the receiver. */
        uart_rx_byte(s, b);
        uart_rearm_timeout(s);
    } else {
        chardev_write(s->chr, &b, 1);
    }
    /* The byte left THR at once: THR and the shift register are empty. */
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
}

uint8_t uart_read(Uart *s, unsigned off)
{
    uint8_t val = 0;
    switch (off & 7) {
    case UART_RBR:
        if (s->lcr & UART_LCR_DLAB) {
            val = s->divisor & 0xFF;
            break;
        }
        val = uart_rx_pop(s);
        s->timeout_ipending = false;
        uart_rearm_timeout(s);
        uart_update_irq(s);
        chardev_pump(s->chr);   /* room appeared: let queued input in */
        break;
    case UART_IER:
        val = (s->lcr & UART_LCR_DLAB) ? s->divisor >> 8 : s->ier;
        break;
    case UART_IIR: {
        uint8_t id = uart_iir_id(s);
        val = id | (uart_fifo_enabled(s) ? UART_IIR_FIFO : 0);
        /* Reading IIR when THRE is the source clears it (Table IV). */
        if (id == UART_IIR_THRI) {
            s->thr_ipending = false;
            uart_update_irq(s);
        }
        break;
    }
    case UART_LCR:
        val = s->lcr;
        break;
    case UART_MCR:
        val = s->mcr;
        break;
    case UART_LSR:
        val = s->lsr;
        /* Reading LSR clears the error bits (8.6.3). */
        s->lsr &= ~(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI | UART_LSR_FIFOE);
        uart_update_irq(s);
        break;
    case UART_MSR:
        val = s->msr;
        s->msr &= 0xF0;   /* reading MSR clears the delta bits */
        uart_update_irq(s);
        break;
    case UART_SCR:
        val = s->scr;
        break;
    }
    log_printf(s->log, LOG_ioport, "uart %#x: read [%u] -> %#04x\n", s->base, off & 7, val);
    return val;
}

static void uart_write_fcr(Uart *s, uint8_t val)
{
    bool was_enabled = uart_fifo_enabled(s);
    bool enable = val & UART_FCR_ENABLE;
    if (enable != was_enabled) {
        /* Changing FCR0 clears both FIFOs (8.5). */
        uart_rx_clear(s);
    }
    if (!enable) {
        /* FCR0 must be 1 for the other bits to be programmed. */
        s->fcr = 0;
    } else {
        if (val & UART_FCR_CLEAR_RX)
            uart_rx_clear(s);
        /* The transmit FIFO is always empty here (instant transmission). */
        s->fcr = val & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER);
    }
    uart_update_irq(s);
}

void uart_write(Uart *s, unsigned off, uint8_t val)
{
    log_printf(s->log, LOG_ioport, "uart %#x: write [%u] <- %#04x\n", s->base, off & 7, val);
    switch (off & 7) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0xFF00) | val;
            break;
        }
        /* Writing THR clears the THRE interrupt (Table IV); the byte then
         * goes out at once and THR is empty again. */
        s->thr_ipending = false;
        s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
        uart_transmit(s, val);
        uart_update_irq(s);
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (uint16_t)((s->divisor & 0x00FF) | (val << 8));
            break;
        } else {
            uint8_t old = s->ier;
            s->ier = val & 0x0F;
            /* Enabling ETBEI with THR empty raises THRE at once; disabling
             * it drops the latch. */
            if (!(old & UART_IER_THRI) && (s->ier & UART_IER_THRI) && (s->lsr & UART_LSR_THRE))
                s->thr_ipending = true;
            if (!(s->ier & UART_IER_THRI))
                s->thr_ipending = false;
            uart_update_irq(s);
        }
        break;
    case UART_FCR:
        uart_write_fcr(s, val);
        break;
    case UART_LCR:
        if (val & 0x40)
            log_printf(s->log, LOG_unimp, "uart %#x: break not modelled\n", s->base);
        s->lcr = val;
        break;
    case UART_MCR: {
        bool was_loop = s->mcr & UART_MCR_LOOP;
        s->mcr = val & 0x1F;
        uart_update_msr(s);
        uart_update_irq(s);
        if (was_loop && !(s->mcr & UART_MCR_LOOP))
            chardev_pump(s->chr);   /* serial input reconnected */
        break;
    }
    case UART_LSR:
        /* LSR is read-only in practice (factory test use); ignore. */
        log_printf(s->log, LOG_guest_errors, "uart %#x: write to LSR ignored\n", s->base);
        break;
    case UART_MSR:
        break;
    case UART_SCR:
        s->scr = val;
        break;
    }
}

static uint64_t uart_io_read(void *opaque, uint64_t off, unsigned size)
{
    return uart_read(opaque, (unsigned)off);
}

static void uart_io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    uart_write(opaque, (unsigned)off, (uint8_t)val);
}

static const MemRegionOps uart_io_ops = {
    .read = uart_io_read,
    .write = uart_io_write,
    .min_access = 1,
    .max_access = 1,
};

size_t uart_rx_room(Uart *s)
{
    if (s->mcr & UART_MCR_LOOP)
        return 0;
    return uart_rx_capacity(s) - s->rx_count;
}

bool uart_can_receive(Uart *s)
{
    return uart_rx_room(s) > 0;
}

void uart_receive(Uart *s, const uint8_t *buf, size_t len)
{
    if (s->mcr & UART_MCR_LOOP)
        return;   /* serial input disconnected in loopback (8.7) */
    for (size_t i = 0; i < len; i++)
        uart_rx_byte(s, buf[i]);
    if (len) {
        s->timeout_ipending = false;
        uart_rearm_timeout(s);
    }
    uart_update_irq(s);
}

static size_t uart_chr_can_receive(void *opaque)
{
    return uart_rx_room(opaque);
}

static void uart_chr_receive(void *opaque, const uint8_t *buf, size_t len)
{
    uart_receive(opaque, buf, len);
}

void uart_reset(Uart *s)
{
    /* Table IV: master reset states. The divisor latch is not affected by
     * reset; start it at 12 (9600 baud) as PC firmware leaves it. */
    s->ier = 0;
    s->fcr = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = 0;
    s->scr = 0;
    if (s->divisor == 0)
        s->divisor = 12;
    s->thr_ipending = false;
    uart_rx_clear(s);
    uart_update_msr(s);
    s->msr &= 0xF0;   /* no deltas right after reset */
    if (s->irq_level) {
        s->irq_level = 0;
        irq_lower(&s->irq);
    }
}

static void uart_class_reset(void *dev)
{
    uart_reset(dev);
}

void uart_destroy(Uart *s)
{
    if (!s)
        return;
    if (s->clock)
        timer_del(&s->timeout_timer);
    chardev_set_handlers(s->chr, NULL, NULL, NULL);
    /* The port region belongs to the address space, which frees it in
     * as_destroy; machine teardown may already have done so. */
    free(s);
}

static void uart_class_destroy(void *dev)
{
    uart_destroy(dev);
}

const DeviceClass uart_class = {
    .name = "uart16550a",
    .state_size = sizeof(Uart),
    .reset = uart_class_reset,
    .save = NULL,
    .load = NULL,
    .destroy = uart_class_destroy,
};

Uart *uart_create(AddressSpace *io, uint16_t base, IrqLine irq, CharDev *chr,
                  VirtClock *clock, Log *log)
{
    Uart *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->io = io;
    s->base = base;
    s->irq = irq;
    s->chr = chr;
    s->clock = clock;
    s->log = log;
    if (clock)
        timer_init(&s->timeout_timer, clock, uart_timeout_cb, s);
    uart_reset(s);
    if (io)
        s->region = as_add_io(io, "uart16550a", base, 8, &uart_io_ops, s, 0);
    chardev_set_handlers(chr, uart_chr_can_receive, uart_chr_receive, s);
    return s;
}
