/*
 * The command line: argv -> VmConfig. QEMU-compatible spellings where QEMU
 * has the option (-M, -m, -cdrom, -hda, -drive, -boot, -serial, -d, ...),
 * each accepted with one or two leading dashes, plus doppel's scripted
 * console (--expect, --send, --timeout, --screenshot, --screen-text).
 */
#ifndef DOPPEL_FRONTENDS_OPTIONS_H
#define DOPPEL_FRONTENDS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "machine/config.h"

/** Fill cfg from argv (cfg is initialised here first; any previous content
 *  is overwritten, not freed). File arguments are checked now: they must be
 *  readable regular files, a -cdrom image a non-empty multiple of 2048
 *  bytes, a writable disk image non-empty and writable.
 *  Returns 0 to go on and run the VM; 1 when something was printed to
 *  stdout (-h, -version, -M help, -d help, -accel help) and the program
 *  should exit 0; -1 on a bad command line, with one line (no newline) in
 *  err naming the option and the problem, e.g. "doppel: -m: invalid size
 *  'abc'". In every case call options_free(cfg) afterwards. */
int options_parse(VmConfig *cfg, int argc, char **argv, char *err, size_t errlen);

/** Free every string options_parse allocated in cfg; cfg is left zeroed. */
void options_free(VmConfig *cfg);

/** Print the usage text (every option, one line each) to f. */
void options_print_usage(FILE *f);

#endif
