/*
 * Headless console (see console.h). Host stdin goes to the serial port
 * through an escape filter: Ctrl-A X quits, Ctrl-A H prints help, Ctrl-A
 * Ctrl-A sends one Ctrl-A. The script engine (script.c) watches serial
 * output through the chardev tap and is polled by a timer on the virtual
 * clock.
 */
#include "frontends/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "devices/chardev.h"
#include "frontends/screenshot.h"
#include "frontends/script.h"

#define CONSOLE_POLL_NS (20 * 1000 * 1000)   /* script/timeout check period */
#define CTRL_A 0x01

struct Console {
    Machine *m;
    bool stdio_serial;
    bool raw_tty;
    struct termios saved_tty;
    bool escape;
    bool scripted;
    Script script;
    Timer poll_timer;
};

static void console_send(void *opaque, const char *text, size_t len)
{
    Console *c = opaque;
    chardev_feed(c->m->serial_chr, (const uint8_t *)text, len);
}

static bool console_screen_text(void *opaque, char *buf, size_t len)
{
    Console *c = opaque;
    const DisplaySource *d = &c->m->display;
    return d->opaque && d->get_text && d->get_text(d->opaque, buf, len);
}

static void console_serial_tap(void *opaque, const uint8_t *buf, size_t len)
{
    Console *c = opaque;
    script_output(&c->script, buf, len);
    if (c->script.state == SCRIPT_DONE)
        machine_request_stop(c->m, STOP_EXIT, EXIT_OK);
}

static void console_poll(void *opaque)
{
    Console *c = opaque;
    ScriptState st = script_poll(&c->script, host_clock_ns());
    if (st == SCRIPT_DONE) {
        machine_request_stop(c->m, STOP_EXIT, EXIT_OK);
        return;
    }
    if (st == SCRIPT_FAILED) {
        machine_request_stop(c->m, STOP_EXIT, EXIT_FAILURE_GUEST);
        return;
    }
    timer_mod(&c->poll_timer, clock_now(&c->m->clock) + CONSOLE_POLL_NS);
}

static void console_stdin(void *opaque, int fd)
{
    Console *c = opaque;
    uint8_t in[256], out[256];
    ssize_t n = read(fd, in, sizeof(in));
    if (n <= 0) {
        machine_remove_fd(c->m, fd);
        return;
    }
    size_t nout = 0;
    for (ssize_t i = 0; i < n; i++) {
        uint8_t b = in[i];
        if (c->escape) {
            c->escape = false;
            if (b == 'x' || b == 'X') {
                fprintf(stderr, "\r\ndoppel: terminated by Ctrl-A X\r\n");
                machine_request_stop(c->m, STOP_POWEROFF, EXIT_OK);
                return;
            }
            if (b == 'h' || b == 'H') {
                fprintf(stderr, "\r\nC-a x  exit doppel\r\nC-a h  this help\r\nC-a C-a  send C-a\r\n");
                continue;
            }
            if (b != CTRL_A)
                continue;
        } else if (b == CTRL_A) {
            c->escape = true;
            continue;
        }
        out[nout++] = b;
    }
    if (nout)
        chardev_feed(c->m->serial_chr, out, nout);
}

Console *console_create(Machine *m, char *err, size_t errlen)
{
    const VmConfig *cfg = m->cfg;
    Console *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "doppel: out of memory");
        return NULL;
    }
    c->m = m;
    char why[256] = "";
    if (cfg->serial.kind != CHR_NONE) {
        m->serial_chr = chardev_from_config(&cfg->serial, why, sizeof(why));
        if (!m->serial_chr) {
            snprintf(err, errlen, "doppel: -serial: %s", why);
            free(c);
            return NULL;
        }
        c->stdio_serial = cfg->serial.kind == CHR_STDIO;
    }
    if (cfg->debugcon.kind != CHR_NONE) {
        m->debugcon_chr = chardev_from_config(&cfg->debugcon, why, sizeof(why));
        if (!m->debugcon_chr) {
            snprintf(err, errlen, "doppel: -debugcon: %s", why);
            chardev_close(m->serial_chr);
            m->serial_chr = NULL;
            free(c);
            return NULL;
        }
    }
    return c;
}

void console_start(Console *c)
{
    Machine *m = c->m;
    const VmConfig *cfg = m->cfg;
    if (c->stdio_serial) {
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved_tty) == 0) {
            struct termios raw = c->saved_tty;
            raw.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | ICRNL | INLCR | IXON | ISTRIP);
            raw.c_lflag &= ~(unsigned)(ICANON | ECHO | ECHONL | ISIG | IEXTEN);
            raw.c_cc[VMIN] = 1;
            raw.c_cc[VTIME] = 0;
            c->raw_tty = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        }
        machine_add_fd(m, STDIN_FILENO, console_stdin, c);
    }
    c->scripted = cfg->nscript > 0 || cfg->timeout > 0;
    script_init(&c->script, cfg->script, cfg->nscript, cfg->timeout, host_clock_ns());
    c->script.send = console_send;
    c->script.screen_text = console_screen_text;
    c->script.opaque = c;
    if (c->scripted) {
        if (m->serial_chr)
            chardev_set_tap(m->serial_chr, console_serial_tap, c);
        timer_init(&c->poll_timer, &m->clock, console_poll, c);
        timer_mod(&c->poll_timer, clock_now(&m->clock));
    }
}

int console_finish(Console *c, int exit_code)
{
    Machine *m = c->m;
    const VmConfig *cfg = m->cfg;
    if (c->raw_tty)
        tcsetattr(STDIN_FILENO, TCSANOW, &c->saved_tty);
    if (c->scripted) {
        timer_del(&c->poll_timer);
        ScriptState st = c->script.state;
        bool powered_off = m->ended_by == STOP_POWEROFF;
        if (c->script.nsteps == 0 && st != SCRIPT_FAILED) {
            /* --timeout alone: the guest's own exit status stands. */
        } else if (st == SCRIPT_DONE || (st == SCRIPT_WAIT_POWEROFF && powered_off)) {
            exit_code = EXIT_OK;
        } else {
            if (st != SCRIPT_FAILED)
                fprintf(stderr, "doppel: the guest stopped before the script finished\n");
            script_report_failure(&c->script, stderr);
            exit_code = EXIT_FAILURE_GUEST;
        }
    }
    char err[512];
    if (cfg->screenshot && !screenshot_write(&m->display, cfg->screenshot, err, sizeof(err)))
        fprintf(stderr, "doppel: --screenshot: %s\n", err);
    if (cfg->screen_text && !screen_text_write(&m->display, cfg->screen_text, err, sizeof(err)))
        fprintf(stderr, "doppel: --screen-text: %s\n", err);
    return exit_code;
}

void console_destroy(Console *c)
{
    if (!c)
        return;
    script_destroy(&c->script);
    chardev_close(c->m->serial_chr);
    chardev_close(c->m->debugcon_chr);
    c->m->serial_chr = c->m->debugcon_chr = NULL;
    free(c);
}
