/*
 * Unit tests of devices/ps2.c through ports 0x60/0x64. Expected values
 * follow the IBM PS/2 Hardware Interface Technical Reference (8042
 * status register, command byte, controller commands AAh/ABh/A9h/20h/60h/
 * ADh/AEh/D0h/D1h/D4h/FEh; keyboard commands FFh/F2h/F0h/EDh/EEh; mouse
 * commands and the 3-byte packet), the PC/AT scan code translation (set 2
 * -> set 1, 0xF0 prefix -> bit 7) and Microsoft's IntelliMouse detection
 * (sample rates 200, 100, 80 -> device ID 3, 4-byte packets).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ps2.h"
#include "machine/memory.h"

typedef struct Fixture {
    AddressSpace io;
    Ps2 *ps2;
    int irq1, irq12;
    int a20_calls, a20;
    int resets;
} Fixture;

static void irq_cb(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    if (n == 1)
        f->irq1 = level;
    else
        f->irq12 = level;
}

static void a20_cb(void *opaque, bool on)
{
    Fixture *f = opaque;
    f->a20_calls++;
    f->a20 = on;
}

static void reset_cb(void *opaque)
{
    Fixture *f = opaque;
    f->resets++;
}

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->io, "io", ~0ull);
    Ps2Hooks hooks = { a20_cb, reset_cb, f };
    f->ps2 = ps2_create(&f->io, irq_line(irq_cb, f, 1), irq_line(irq_cb, f, 12), &hooks, NULL);
    ck_assert_ptr_nonnull(f->ps2);
    return f;
}

static void fx_free(Fixture *f)
{
    ps2_destroy(f->ps2);
    as_destroy(&f->io);
    free(f);
}

static uint8_t status(Fixture *f)
{
    return (uint8_t)as_read(&f->io, 0x64, 1);
}

static void cmd(Fixture *f, uint8_t v)
{
    as_write(&f->io, 0x64, v, 1);
}

static void data(Fixture *f, uint8_t v)
{
    as_write(&f->io, 0x60, v, 1);
}

/* Read one byte that must be waiting in the output buffer. */
static uint8_t rd(Fixture *f)
{
    ck_assert_msg(status(f) & PS2_STAT_OBF, "output buffer empty");
    return (uint8_t)as_read(&f->io, 0x60, 1);
}

static void expect(Fixture *f, const uint8_t *bytes, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t b = rd(f);
        ck_assert_msg(b == bytes[i], "byte %d: got %#x want %#x", i, b, bytes[i]);
    }
    ck_assert_msg(!(status(f) & PS2_STAT_OBF), "unexpected extra byte");
}

static void set_mode(Fixture *f, uint8_t mode)
{
    cmd(f, 0x60);
    data(f, mode);
}

START_TEST(test_self_test_and_interfaces)
{
    Fixture *f = fx_new();
    ck_assert(!(status(f) & PS2_STAT_SYS));   /* 0 after power-on */
    cmd(f, 0xAA);
    ck_assert(status(f) & PS2_STAT_CMD);      /* last write was a command */
    ck_assert_uint_eq(rd(f), 0x55);
    ck_assert(status(f) & PS2_STAT_SYS);
    cmd(f, 0xAB);                             /* keyboard interface test */
    ck_assert_uint_eq(rd(f), 0x00);
    cmd(f, 0xA9);                             /* auxiliary interface test */
    ck_assert_uint_eq(rd(f), 0x00);
    ck_assert(status(f) & PS2_STAT_UNLOCKED);
    ck_assert(!(status(f) & PS2_STAT_OBF));
    fx_free(f);
}
END_TEST

START_TEST(test_command_byte)
{
    Fixture *f = fx_new();
    cmd(f, 0x20);
    ck_assert_uint_eq(rd(f), PS2_MODE_KBD_INT | PS2_MODE_AUX_INT);
    set_mode(f, 0x47);
    ck_assert(!(status(f) & PS2_STAT_CMD));   /* last write was data */
    cmd(f, 0x20);
    ck_assert_uint_eq(rd(f), 0x47);
    ck_assert(status(f) & PS2_STAT_SYS);      /* follows command byte bit 2 */
    set_mode(f, 0x00);
    ck_assert(!(status(f) & PS2_STAT_SYS));
    /* controller RAM 0x61.. / 0x21.. */
    cmd(f, 0x65);
    data(f, 0x9C);
    cmd(f, 0x25);
    ck_assert_uint_eq(rd(f), 0x9C);
    /* command-byte replies interrupt on IRQ1 only when bit 0 is set */
    set_mode(f, PS2_MODE_KBD_INT);
    cmd(f, 0x20);
    ck_assert_int_eq(f->irq1, 1);
    ck_assert_int_eq(f->irq12, 0);
    ck_assert_uint_eq(rd(f), PS2_MODE_KBD_INT);
    ck_assert_int_eq(f->irq1, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_keyboard_reset_and_id)
{
    Fixture *f = fx_new();
    set_mode(f, PS2_MODE_KBD_INT);             /* no translation */
    data(f, 0xFF);
    ck_assert_int_eq(f->irq1, 1);
    expect(f, (const uint8_t[]){ 0xFA, 0xAA }, 2);
    ck_assert_int_eq(f->irq1, 0);
    data(f, 0xF2);                             /* identify: MF2 keyboard */
    expect(f, (const uint8_t[]){ 0xFA, 0xAB, 0x83 }, 3);
    data(f, 0xEE);                             /* echo */
    expect(f, (const uint8_t[]){ 0xEE }, 1);
    data(f, 0xED);                             /* LEDs */
    data(f, 0x05);
    expect(f, (const uint8_t[]){ 0xFA, 0xFA }, 2);
    ck_assert_uint_eq(ps2_kbd_leds(f->ps2), 5);
    data(f, 0xF3);                             /* typematic */
    data(f, 0x20);
    expect(f, (const uint8_t[]){ 0xFA, 0xFA }, 2);
    data(f, 0xF0);                             /* get scancode set: ACK, ACK, set */
    data(f, 0x00);
    expect(f, (const uint8_t[]){ 0xFA, 0xFA, 0x02 }, 3);
    data(f, 0xF0);                             /* bad set number */
    data(f, 0x07);
    expect(f, (const uint8_t[]){ 0xFA, 0xFE }, 2);
    data(f, 0x42);                             /* not a command: resend */
    expect(f, (const uint8_t[]){ 0xFE }, 1);
    /* with translation on, the ID's second byte goes through the table */
    set_mode(f, PS2_MODE_KBD_INT | PS2_MODE_XLATE);
    data(f, 0xF2);
    expect(f, (const uint8_t[]){ 0xFA, 0xAB, 0x41 }, 3);
    fx_free(f);
}
END_TEST

START_TEST(test_translation)
{
    Fixture *f = fx_new();
    set_mode(f, PS2_MODE_KBD_INT | PS2_MODE_XLATE);
    /* 'A': set-2 make 1C -> set-1 1E; break F0 1C -> 9E */
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0x1C }, 1);
    ck_assert_int_eq(f->irq1, 1);
    expect(f, (const uint8_t[]){ 0x1E }, 1);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0xF0, 0x1C }, 2);
    expect(f, (const uint8_t[]){ 0x9E }, 1);
    /* extended: up arrow release E0 F0 75 -> E0 C8; Esc 76 -> 01; F7 83 -> 41 */
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0xE0, 0xF0, 0x75 }, 3);
    expect(f, (const uint8_t[]){ 0xE0, 0xC8 }, 2);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0x76 }, 1);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0x83 }, 1);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0x5A }, 1);   /* Enter */
    expect(f, (const uint8_t[]){ 0x01, 0x41, 0x1C }, 3);
    /* without translation the set-2 bytes pass unchanged */
    set_mode(f, PS2_MODE_KBD_INT);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0xF0, 0x1C }, 2);
    expect(f, (const uint8_t[]){ 0xF0, 0x1C }, 2);
    /* a keyboard switched to set 1 sends set-1 codes itself */
    data(f, 0xF0);
    data(f, 0x01);
    expect(f, (const uint8_t[]){ 0xFA, 0xFA }, 2);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0xF0, 0x1C }, 2);
    expect(f, (const uint8_t[]){ 0x9E }, 1);
    fx_free(f);
}
END_TEST

START_TEST(test_keyboard_disable)
{
    Fixture *f = fx_new();
    set_mode(f, PS2_MODE_KBD_INT);
    /* 0xAD: the controller holds keyboard bytes back */
    cmd(f, 0xAD);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0x1C }, 1);
    ck_assert(!(status(f) & PS2_STAT_OBF));
    ck_assert_int_eq(f->irq1, 0);
    cmd(f, 0x20);
    ck_assert_uint_eq(rd(f) & PS2_MODE_DISABLE_KBD, PS2_MODE_DISABLE_KBD);
    cmd(f, 0xAE);
    expect(f, (const uint8_t[]){ 0x1C }, 1);
    /* 0xF5: the keyboard stops scanning (keys are lost) */
    data(f, 0xF5);
    expect(f, (const uint8_t[]){ 0xFA }, 1);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0x1C }, 1);
    ck_assert(!(status(f) & PS2_STAT_OBF));
    data(f, 0xF4);
    expect(f, (const uint8_t[]){ 0xFA }, 1);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0x1B }, 1);
    expect(f, (const uint8_t[]){ 0x1B }, 1);
    fx_free(f);
}
END_TEST

START_TEST(test_mouse_packets)
{
    Fixture *f = fx_new();
    set_mode(f, PS2_MODE_KBD_INT | PS2_MODE_AUX_INT);
    cmd(f, 0xD4);
    data(f, 0xFF);                             /* reset: ACK, BAT, ID 0 */
    ck_assert_int_eq(f->irq12, 1);
    ck_assert_int_eq(f->irq1, 0);
    ck_assert(status(f) & PS2_STAT_AUX_OBF);
    expect(f, (const uint8_t[]){ 0xFA, 0xAA, 0x00 }, 3);
    ck_assert_int_eq(f->irq12, 0);
    /* no packets before reporting is enabled */
    ps2_mouse_event(f->ps2, 3, 3, 0, 0);
    ck_assert(!(status(f) & PS2_STAT_OBF));
    cmd(f, 0xD4);
    data(f, 0xF4);
    expect(f, (const uint8_t[]){ 0xFA }, 1);
    /* right 5, up 3, left button: bit3 always set, Y positive is up */
    ps2_mouse_event(f->ps2, 5, -3, 0, 1);
    expect(f, (const uint8_t[]){ 0x09, 0x05, 0x03 }, 3);
    /* left 10, down 2, no buttons: X and Y sign bits (4, 5) */
    ps2_mouse_event(f->ps2, -10, 2, 0, 0);
    expect(f, (const uint8_t[]){ 0x38, 0xF6, 0xFE }, 3);
    /* middle + right buttons only */
    ps2_mouse_event(f->ps2, 0, 0, 0, 6);
    expect(f, (const uint8_t[]){ 0x0E, 0x00, 0x00 }, 3);
    /* a big move is split into in-range packets, no overflow bits */
    ps2_mouse_event(f->ps2, 300, 0, 0, 6);
    expect(f, (const uint8_t[]){ 0x0E, 0xFF, 0x00, 0x0E, 45, 0x00 }, 6);
    /* status request: stream mode, enabled, 1:1, right+middle, res 2, rate 100 */
    cmd(f, 0xD4);
    data(f, 0xE9);
    expect(f, (const uint8_t[]){ 0xFA, 0x20 | 0x02 | 0x01, 0x02, 100 }, 4);
    /* resolution and scaling */
    cmd(f, 0xD4);
    data(f, 0xE8);
    cmd(f, 0xD4);
    data(f, 0x03);
    cmd(f, 0xD4);
    data(f, 0xE7);
    cmd(f, 0xD4);
    data(f, 0xE9);
    expect(f, (const uint8_t[]){ 0xFA, 0xFA, 0xFA, 0xFA, 0x20 | 0x10 | 0x03, 0x03, 100 }, 7);
    /* 2:1 scaling maps 4 -> 6 in stream mode */
    ps2_mouse_event(f->ps2, 4, 0, 0, 0);
    expect(f, (const uint8_t[]){ 0x08, 0x06, 0x00 }, 3);
    fx_free(f);
}
END_TEST

START_TEST(test_mouse_remote_overflow)
{
    Fixture *f = fx_new();
    cmd(f, 0xD4);
    data(f, 0xF0);                             /* remote mode */
    expect(f, (const uint8_t[]){ 0xFA }, 1);
    ps2_mouse_event(f->ps2, 300, 0, 0, 0);
    ps2_mouse_event(f->ps2, 100, -20, 0, 0);
    ck_assert(!(status(f) & PS2_STAT_OBF));    /* remote: nothing unasked */
    cmd(f, 0xD4);
    data(f, 0xEB);                             /* read data */
    /* X = 400 overflows: bit 6 set, value clamped; Y up 20 */
    expect(f, (const uint8_t[]){ 0xFA, 0x48, 0xFF, 0x14 }, 4);
    cmd(f, 0xD4);
    data(f, 0xEB);                             /* counters were reset */
    expect(f, (const uint8_t[]){ 0xFA, 0x08, 0x00, 0x00 }, 4);
    /* wrap mode echoes until EC */
    cmd(f, 0xD4);
    data(f, 0xEE);
    cmd(f, 0xD4);
    data(f, 0x5A);
    cmd(f, 0xD4);
    data(f, 0xEC);
    expect(f, (const uint8_t[]){ 0xFA, 0x5A, 0xFA }, 3);
    fx_free(f);
}
END_TEST

static void mouse_rate(Fixture *f, uint8_t rate)
{
    cmd(f, 0xD4);
    data(f, 0xF3);
    cmd(f, 0xD4);
    data(f, rate);
    expect(f, (const uint8_t[]){ 0xFA, 0xFA }, 2);
}

START_TEST(test_intellimouse)
{
    Fixture *f = fx_new();
    cmd(f, 0xD4);
    data(f, 0xF2);
    expect(f, (const uint8_t[]){ 0xFA, 0x00 }, 2);
    /* a different sequence does not switch */
    mouse_rate(f, 200);
    mouse_rate(f, 80);
    mouse_rate(f, 100);
    cmd(f, 0xD4);
    data(f, 0xF2);
    expect(f, (const uint8_t[]){ 0xFA, 0x00 }, 2);
    /* 200, 100, 80 -> IntelliMouse, ID 3 */
    mouse_rate(f, 200);
    mouse_rate(f, 100);
    mouse_rate(f, 80);
    cmd(f, 0xD4);
    data(f, 0xF2);
    expect(f, (const uint8_t[]){ 0xFA, 0x03 }, 2);
    cmd(f, 0xD4);
    data(f, 0xF4);
    expect(f, (const uint8_t[]){ 0xFA }, 1);
    /* 4-byte packets, 4th byte the wheel (two's complement) */
    ps2_mouse_event(f->ps2, 1, 0, -2, 0);
    expect(f, (const uint8_t[]){ 0x08, 0x01, 0x00, 0xFE }, 4);
    /* 200, 200, 80 afterwards -> ID 4, buttons 4/5 in the 4th byte */
    mouse_rate(f, 200);
    mouse_rate(f, 200);
    mouse_rate(f, 80);
    cmd(f, 0xD4);
    data(f, 0xF2);
    expect(f, (const uint8_t[]){ 0xFA, 0x04 }, 2);
    ps2_mouse_event(f->ps2, 0, 0, 1, 0x08);
    expect(f, (const uint8_t[]){ 0x08, 0x00, 0x00, 0x11 }, 4);
    /* reset returns to the standard mouse */
    cmd(f, 0xD4);
    data(f, 0xFF);
    expect(f, (const uint8_t[]){ 0xFA, 0xAA, 0x00 }, 3);
    cmd(f, 0xD4);
    data(f, 0xF2);
    expect(f, (const uint8_t[]){ 0xFA, 0x00 }, 2);
    fx_free(f);
}
END_TEST

START_TEST(test_output_port_a20_reset)
{
    Fixture *f = fx_new();
    cmd(f, 0xD0);
    uint8_t op = rd(f);
    ck_assert_uint_eq(op & (PS2_OUT_RESET | PS2_OUT_A20), PS2_OUT_RESET | PS2_OUT_A20);
    /* D1 with bit 1 clear: A20 off */
    cmd(f, 0xD1);
    data(f, 0xDD);
    ck_assert_int_eq(f->a20_calls, 1);
    ck_assert_int_eq(f->a20, 0);
    cmd(f, 0xD0);
    ck_assert_uint_eq(rd(f) & PS2_OUT_A20, 0);
    /* D1 0xDF: A20 on (what SeaBIOS and Linux write) */
    cmd(f, 0xD1);
    data(f, 0xDF);
    ck_assert_int_eq(f->a20_calls, 2);
    ck_assert_int_eq(f->a20, 1);
    /* rewriting the same state does not call back */
    cmd(f, 0xD1);
    data(f, 0xDF);
    ck_assert_int_eq(f->a20_calls, 2);
    ck_assert_int_eq(f->resets, 0);
    /* pulse output port bit 0 low: CPU reset */
    cmd(f, 0xFE);
    ck_assert_int_eq(f->resets, 1);
    cmd(f, 0xFF);                              /* pulses nothing */
    ck_assert_int_eq(f->resets, 1);
    /* writing the output port with bit 0 low also resets */
    cmd(f, 0xD1);
    data(f, 0x02);
    ck_assert_int_eq(f->resets, 2);
    /* D2/D3 place a byte as if from keyboard / mouse */
    cmd(f, 0xD3);
    data(f, 0x77);
    ck_assert(status(f) & PS2_STAT_AUX_OBF);
    ck_assert_uint_eq(rd(f), 0x77);
    fx_free(f);
}
END_TEST

START_TEST(test_queue_overflow)
{
    Fixture *f = fx_new();
    set_mode(f, PS2_MODE_KBD_INT | PS2_MODE_AUX_INT | PS2_MODE_XLATE);
    cmd(f, 0xD4);
    data(f, 0xF4);
    (void)rd(f);
    for (int i = 0; i < 5000; i++) {
        ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 0xF0, (uint8_t)(i & 0x7F) }, 2);
        ps2_mouse_event(f->ps2, i, -i, i, (unsigned)i);
    }
    ps2_kbd_put_scancode(f->ps2, NULL, 0);
    ps2_kbd_put_scancode(f->ps2, (const uint8_t[]){ 1 }, -5);
    ck_assert_uint_le(f->ps2->kbd.q.count, PS2_QUEUE_SIZE);
    ck_assert_uint_le(f->ps2->mouse.q.count, PS2_QUEUE_SIZE);
    /* drain: bounded number of bytes, then empty */
    int n = 0;
    while ((status(f) & PS2_STAT_OBF) && n < 100000) {
        (void)as_read(&f->io, 0x60, 1);
        n++;
    }
    ck_assert_int_lt(n, 100000);
    ck_assert(!(status(f) & PS2_STAT_OBF));
    /* commands still answer after the flood */
    data(f, 0xEE);
    expect(f, (const uint8_t[]){ 0xEE }, 1);
    /* random controller traffic must not crash */
    unsigned seed = 7;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint8_t v = (uint8_t)(seed >> 16);
        if ((seed >> 8) & 1) {
            if (v == 0xFE || (v >= 0xF0 && !(v & 1)) || v == 0xD1)
                continue;
            cmd(f, v);
        } else if ((seed >> 9) & 1) {
            data(f, v);
        } else {
            (void)as_read(&f->io, 0x60, 1);
        }
    }
    fx_free(f);
}
END_TEST

static Suite *ps2_suite(void)
{
    Suite *s = suite_create("ps2");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_self_test_and_interfaces);
    tcase_add_test(tc, test_command_byte);
    tcase_add_test(tc, test_keyboard_reset_and_id);
    tcase_add_test(tc, test_translation);
    tcase_add_test(tc, test_keyboard_disable);
    tcase_add_test(tc, test_mouse_packets);
    tcase_add_test(tc, test_mouse_remote_overflow);
    tcase_add_test(tc, test_intellimouse);
    tcase_add_test(tc, test_output_port_a20_reset);
    tcase_add_test(tc, test_queue_overflow);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ps2_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
