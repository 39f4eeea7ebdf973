/*
 * Unit tests of devices/uart16550.c, driven through the port I/O space as
 * a guest would. Expected values come from the National Semiconductor
 * PC16550D datasheet: register map (Table II), reset states and interrupt
 * priorities (Table IV), FCR trigger levels (Table III / 8.5), LSR (8.6),
 * loopback (MCR bit 4, 8.7) and the divisor latch (8.10).
 */
#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/chardev.h"
#include "devices/uart16550.h"
#include "machine/clock.h"
#include "machine/memory.h"

#define BASE 0x3F8

typedef struct IrqRec {
    int level;
    int raises;
} IrqRec;

static void irq_rec(void *opaque, int n, int level)
{
    IrqRec *r = opaque;
    if (level && !r->level)
        r->raises++;
    r->level = level;
}

typedef struct Fixture {
    AddressSpace io;
    VirtClock clock;
    IrqRec irq;
    int pipefd[2];
    CharDev *chr;
    Uart *uart;
} Fixture;

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->io, "io", ~0ull);
    clock_init(&f->clock, CLOCK_ICOUNT, 0);
    ck_assert_int_eq(pipe(f->pipefd), 0);
    fcntl(f->pipefd[0], F_SETFL, O_NONBLOCK);
    f->chr = chardev_fd_new(-1, f->pipefd[1], true);
    f->uart = uart_create(&f->io, BASE, irq_line(irq_rec, &f->irq, 4), f->chr, &f->clock, NULL);
    ck_assert_ptr_nonnull(f->uart);
    return f;
}

static void fx_free(Fixture *f)
{
    uart_destroy(f->uart);
    chardev_close(f->chr);
    close(f->pipefd[0]);
    as_destroy(&f->io);
    free(f);
}

static uint8_t in(Fixture *f, unsigned reg)
{
    return (uint8_t)as_read(&f->io, BASE + reg, 1);
}

static void out(Fixture *f, unsigned reg, uint8_t v)
{
    as_write(&f->io, BASE + reg, v, 1);
}

/* Bytes the UART sent to the host so far. */
static ssize_t host_got(Fixture *f, uint8_t *buf, size_t cap)
{
    ssize_t n = read(f->pipefd[0], buf, cap);
    return n < 0 ? 0 : n;
}

START_TEST(test_reset_state)
{
    Fixture *f = fx_new();
    /* Table IV: IER 0, IIR 0x01 (no interrupt), LCR 0, MCR 0, LSR 0x60. */
    ck_assert_uint_eq(in(f, UART_IER), 0x00);
    ck_assert_uint_eq(in(f, UART_IIR), 0x01);
    ck_assert_uint_eq(in(f, UART_LCR), 0x00);
    ck_assert_uint_eq(in(f, UART_MCR), 0x00);
    ck_assert_uint_eq(in(f, UART_LSR), 0x60);
    ck_assert_int_eq(f->irq.level, 0);
    /* Scratch register holds what is written (8.11). */
    out(f, UART_SCR, 0x5A);
    ck_assert_uint_eq(in(f, UART_SCR), 0x5A);
    fx_free(f);
}
END_TEST

START_TEST(test_transmit_reaches_chardev)
{
    Fixture *f = fx_new();
    const char *msg = "hi!\n";
    for (const char *p = msg; *p; p++) {
        ck_assert(in(f, UART_LSR) & UART_LSR_THRE);
        out(f, UART_THR, (uint8_t)*p);
    }
    uint8_t buf[16];
    ck_assert_int_eq(host_got(f, buf, sizeof(buf)), 4);
    ck_assert(memcmp(buf, msg, 4) == 0);
    fx_free(f);
}
END_TEST

START_TEST(test_loopback_echo)
{
    Fixture *f = fx_new();
    /* MCR bit 4: transmitter looped to receiver, modem outputs to inputs. */
    out(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_DTR);
    uint8_t msr = in(f, UART_MSR);
    ck_assert(msr & UART_MSR_CTS);   /* RTS -> CTS */
    ck_assert(msr & UART_MSR_DSR);   /* DTR -> DSR */
    ck_assert(!(msr & UART_MSR_RI)); /* OUT1 low -> RI low */
    ck_assert(!(msr & UART_MSR_DCD));
    out(f, UART_THR, 0xA5);
    ck_assert(in(f, UART_LSR) & UART_LSR_DR);
    ck_assert_uint_eq(in(f, UART_RBR), 0xA5);
    ck_assert(!(in(f, UART_LSR) & UART_LSR_DR));
    /* nothing left the chip */
    uint8_t buf[4];
    ck_assert_int_eq(host_got(f, buf, sizeof(buf)), 0);
    /* the serial input is disconnected in loopback */
    ck_assert(!uart_can_receive(f->uart));
    uint8_t x = 0x11;
    uart_receive(f->uart, &x, 1);
    ck_assert(!(in(f, UART_LSR) & UART_LSR_DR));
    fx_free(f);
}
END_TEST

START_TEST(test_fifo_trigger_level)
{
    Fixture *f = fx_new();
    /* FIFO on, receiver trigger level 8 (FCR bits 7-6 = 10). */
    out(f, UART_FCR, UART_FCR_ENABLE | 0x80);
    out(f, UART_IER, UART_IER_RDI);
    ck_assert_uint_eq(in(f, UART_IIR), 0xC1);   /* FIFOs enabled, no interrupt */
    uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uart_receive(f->uart, data, 7);
    ck_assert_int_eq(f->irq.level, 0);          /* 7 < 8 */
    ck_assert_uint_eq(in(f, UART_IIR), 0xC1);
    uart_receive(f->uart, data + 7, 1);
    ck_assert_int_eq(f->irq.level, 1);          /* trigger level reached */
    ck_assert_uint_eq(in(f, UART_IIR), 0xC4);
    ck_assert_uint_eq(in(f, UART_RBR), 1);      /* FIFO order */
    ck_assert_int_eq(f->irq.level, 0);          /* dropped below the level */
    ck_assert(in(f, UART_LSR) & UART_LSR_DR);
    fx_free(f);
}
END_TEST

START_TEST(test_character_timeout)
{
    Fixture *f = fx_new();
    /* 8N1 at divisor 1: a character is 10 bits at 115200 baud. */
    out(f, UART_LCR, UART_LCR_DLAB);
    out(f, UART_DLL, 1);
    out(f, UART_DLM, 0);
    out(f, UART_LCR, 0x03);
    out(f, UART_FCR, UART_FCR_ENABLE | 0xC0);   /* trigger 14 */
    out(f, UART_IER, UART_IER_RDI);
    uint8_t data[3] = { 'a', 'b', 'c' };
    uart_receive(f->uart, data, 3);
    ck_assert_int_eq(f->irq.level, 0);
    int64_t char_ns = 10LL * 1000000000LL / 115200;
    /* not yet: three character times */
    clock_warp_to(&f->clock, 3 * char_ns);
    clock_run_timers(&f->clock);
    ck_assert_int_eq(f->irq.level, 0);
    /* 8.6.1: four character times without FIFO activity -> timeout (IIR 0xC) */
    clock_warp_to(&f->clock, 5 * char_ns);
    clock_run_timers(&f->clock);
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_uint_eq(in(f, UART_IIR), 0xCC);
    /* reading RBR clears the timeout indication */
    ck_assert_uint_eq(in(f, UART_RBR), 'a');
    ck_assert_int_eq(f->irq.level, 0);
    ck_assert_uint_eq(in(f, UART_IIR), 0xC1);
    fx_free(f);
}
END_TEST

START_TEST(test_iir_priority_order)
{
    Fixture *f = fx_new();
    /* Loopback with RTS raised: the modem inputs change, MSR deltas pend. */
    out(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
    out(f, UART_FCR, UART_FCR_ENABLE);          /* trigger level 1 */
    out(f, UART_IER, 0x0F);                     /* all four sources */
    /* 17 characters into a 16-byte FIFO: overrun. */
    for (int i = 0; i < 17; i++)
        out(f, UART_THR, (uint8_t)i);
    ck_assert_int_eq(f->irq.level, 1);
    /* Table IV: receiver line status first */
    ck_assert_uint_eq(in(f, UART_IIR), 0xC6);
    uint8_t lsr = in(f, UART_LSR);
    ck_assert(lsr & UART_LSR_OE);
    ck_assert(lsr & UART_LSR_DR);
    ck_assert(!(in(f, UART_LSR) & UART_LSR_OE)); /* cleared by the LSR read */
    /* then received data available */
    ck_assert_uint_eq(in(f, UART_IIR), 0xC4);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(in(f, UART_RBR), (unsigned)i);   /* the 17th was lost */
    ck_assert(!(in(f, UART_LSR) & UART_LSR_DR));
    /* then transmitter holding register empty; reading IIR clears it */
    ck_assert_uint_eq(in(f, UART_IIR), 0xC2);
    /* then modem status */
    ck_assert_uint_eq(in(f, UART_IIR), 0xC0);
    /* Outside loopback the model reports a ready peer (CTS, DSR, DCD);
     * entering loopback with only RTS set keeps CTS and drops DSR and DCD,
     * so the delta bits DDSR and DDCD are set. */
    ck_assert_uint_eq(in(f, UART_MSR), UART_MSR_CTS | UART_MSR_DDSR | UART_MSR_DDCD);
    ck_assert_uint_eq(in(f, UART_IIR), 0xC1);   /* MSR read cleared the deltas */
    ck_assert_int_eq(f->irq.level, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_thre_interrupt)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(in(f, UART_IIR), 0x01);
    /* Enabling ETBEI while THR is empty raises the THRE interrupt at once. */
    out(f, UART_IER, UART_IER_THRI);
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_uint_eq(in(f, UART_IIR), 0x02);
    /* ...and the IIR read that reported it cleared it. */
    ck_assert_int_eq(f->irq.level, 0);
    ck_assert_uint_eq(in(f, UART_IIR), 0x01);
    /* A THR write clears it; when the character has gone (at once here) THR
     * is empty again and THRE is raised again. */
    int raises = f->irq.raises;
    out(f, UART_THR, 'x');
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_int_eq(f->irq.raises, raises + 1);
    /* Disabling ETBEI drops the line. */
    out(f, UART_IER, 0);
    ck_assert_int_eq(f->irq.level, 0);
    ck_assert_uint_eq(in(f, UART_IIR), 0x01);
    fx_free(f);
}
END_TEST

START_TEST(test_dlab_divisor_latch)
{
    Fixture *f = fx_new();
    out(f, UART_IER, 0x05);
    /* DLAB=1: offsets 0/1 are the divisor latch (8.10). */
    out(f, UART_LCR, UART_LCR_DLAB | 0x03);
    out(f, UART_DLL, 0x34);
    out(f, UART_DLM, 0x12);
    ck_assert_uint_eq(in(f, UART_DLL), 0x34);
    ck_assert_uint_eq(in(f, UART_DLM), 0x12);
    ck_assert_uint_eq(f->uart->divisor, 0x1234);
    /* a write at offset 0 with DLAB set sends nothing */
    uint8_t buf[4];
    ck_assert_int_eq(host_got(f, buf, sizeof(buf)), 0);
    out(f, UART_LCR, 0x03);
    /* DLAB=0: IER is back and kept its value */
    ck_assert_uint_eq(in(f, UART_IER), 0x05);
    ck_assert_uint_eq(in(f, UART_LCR), 0x03);
    /* IER bits 7-4 are always 0 */
    out(f, UART_IER, 0xFF);
    ck_assert_uint_eq(in(f, UART_IER), 0x0F);
    fx_free(f);
}
END_TEST

START_TEST(test_overrun_16450_mode)
{
    Fixture *f = fx_new();
    out(f, UART_IER, UART_IER_RLSI);
    uint8_t a = 'A', b = 'B';
    ck_assert(uart_can_receive(f->uart));
    uart_receive(f->uart, &a, 1);
    ck_assert(!uart_can_receive(f->uart));      /* one-byte RBR is full */
    uart_receive(f->uart, &b, 1);
    /* 8.6.3: overrun; without FIFO the new character overwrites RBR */
    ck_assert_int_eq(f->irq.level, 1);
    ck_assert_uint_eq(in(f, UART_IIR), 0x06);
    ck_assert(in(f, UART_LSR) & UART_LSR_OE);
    ck_assert_int_eq(f->irq.level, 0);
    ck_assert_uint_eq(in(f, UART_RBR), 'B');
    ck_assert(!(in(f, UART_LSR) & (UART_LSR_OE | UART_LSR_DR)));
    fx_free(f);
}
END_TEST

START_TEST(test_chardev_input_flow)
{
    Fixture *f = fx_new();
    out(f, UART_FCR, UART_FCR_ENABLE);
    uint8_t data[20];
    for (int i = 0; i < 20; i++)
        data[i] = (uint8_t)(0x40 + i);
    /* the back-end only hands over what fits: no overrun */
    ck_assert_uint_eq(chardev_feed(f->chr, data, 20), 20);
    ck_assert_uint_eq(chardev_pending_input(f->chr), 4);
    ck_assert(!(in(f, UART_LSR) & UART_LSR_OE));
    for (int i = 0; i < 20; i++) {
        ck_assert(in(f, UART_LSR) & UART_LSR_DR);
        ck_assert_uint_eq(in(f, UART_RBR), 0x40 + i);
    }
    ck_assert_uint_eq(chardev_pending_input(f->chr), 0);
    ck_assert(!(in(f, UART_LSR) & UART_LSR_DR));
    fx_free(f);
}
END_TEST

START_TEST(test_chardev_fd_input)
{
    Fixture *f = fx_new();
    int in[2];
    ck_assert_int_eq(pipe(in), 0);
    CharDev *chr = chardev_fd_new(in[0], -1, true);
    Uart *u = uart_create(NULL, 0, irq_line(NULL, NULL, 0), chr, NULL, NULL);
    ck_assert_int_eq(write(in[1], "xyz", 3), 3);
    chardev_fd_readable(chr, in[0]);
    /* 16450 mode: one byte in RBR, the rest wait in the back-end */
    ck_assert_uint_eq(uart_read(u, UART_RBR), 'x');
    ck_assert_uint_eq(uart_read(u, UART_RBR), 'y');
    ck_assert_uint_eq(uart_read(u, UART_RBR), 'z');
    ck_assert(!(uart_read(u, UART_LSR) & UART_LSR_DR));
    ck_assert(!chr->in_eof);
    close(in[1]);
    chardev_fd_readable(chr, in[0]);
    ck_assert(chr->in_eof);
    uart_destroy(u);
    chardev_close(chr);
    fx_free(f);
}
END_TEST

START_TEST(test_fifo_disable_clears)
{
    Fixture *f = fx_new();
    out(f, UART_FCR, UART_FCR_ENABLE);
    uint8_t data[4] = { 1, 2, 3, 4 };
    uart_receive(f->uart, data, 4);
    /* FCR bit 1 clears the receive FIFO */
    out(f, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
    ck_assert(!(in(f, UART_LSR) & UART_LSR_DR));
    uart_receive(f->uart, data, 4);
    /* changing FCR0 clears both FIFOs; IIR bits 7-6 follow FCR0 */
    out(f, UART_FCR, 0);
    ck_assert(!(in(f, UART_LSR) & UART_LSR_DR));
    ck_assert_uint_eq(in(f, UART_IIR) & 0xC0, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_garbage_guest)
{
    Fixture *f = fx_new();
    /* divisor 0 must not divide by zero; random traffic must not crash */
    out(f, UART_LCR, UART_LCR_DLAB);
    out(f, UART_DLL, 0);
    out(f, UART_DLM, 0);
    out(f, UART_LCR, 0x1F);
    unsigned seed = 12345;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned reg = (seed >> 16) & 7;
        uint8_t val = (uint8_t)(seed >> 8);
        if (seed & 0x80000000u)
            out(f, reg, val);
        else
            (void)in(f, reg);
        if ((i & 63) == 0) {
            uint8_t b = val;
            uart_receive(f->uart, &b, 1);
            clock_warp_to(&f->clock, clock_now(&f->clock) + 100000000);
            clock_run_timers(&f->clock);
        }
    }
    ck_assert(f->uart->rx_count <= UART_FIFO_SIZE);
    /* 16-bit and 32-bit accesses are split into byte accesses */
    (void)as_read(&f->io, BASE, 4);
    as_write(&f->io, BASE + 6, 0xFFFF, 2);
    fx_free(f);
}
END_TEST

static Suite *uart_suite(void)
{
    Suite *s = suite_create("uart16550");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reset_state);
    tcase_add_test(tc, test_transmit_reaches_chardev);
    tcase_add_test(tc, test_loopback_echo);
    tcase_add_test(tc, test_fifo_trigger_level);
    tcase_add_test(tc, test_character_timeout);
    tcase_add_test(tc, test_iir_priority_order);
    tcase_add_test(tc, test_thre_interrupt);
    tcase_add_test(tc, test_dlab_divisor_latch);
    tcase_add_test(tc, test_overrun_16450_mode);
    tcase_add_test(tc, test_chardev_input_flow);
    tcase_add_test(tc, test_chardev_fd_input);
    tcase_add_test(tc, test_fifo_disable_clears);
    tcase_add_test(tc, test_garbage_guest);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(uart_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
