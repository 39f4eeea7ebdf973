/*
 * The headless console: the guest's serial port on the terminal (raw mode,
 * Ctrl-A X to quit as with QEMU's -nographic), the -debugcon back-end, and
 * the built-in expect/send script with its timeout, screenshot and
 * screen-text outputs.
 */
#ifndef DOPPEL_FRONTENDS_CONSOLE_H
#define DOPPEL_FRONTENDS_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include "machine/machine.h"

typedef struct Console Console;

/** Before board->init: build the serial and debugcon back-ends the config
 *  asks for and hang them on m (m->serial_chr, m->debugcon_chr). Returns
 *  NULL and fills err (one line) on failure. */
Console *console_create(Machine *m, char *err, size_t errlen);
/** After board->init: watch stdin, tap serial output, start the script. */
void console_start(Console *c);
/** After the main loop: settle the exit code (a script that did not finish
 *  fails with 1 and a report), write --screenshot/--screen-text, restore the
 *  terminal. Returns the process exit code. */
int console_finish(Console *c, int exit_code);
/** Free the console and close its back-ends (after machine_destroy). */
void console_destroy(Console *c);

#endif
