/*
 * doppel's entry point: parse the command line into a VmConfig
 * (frontends/options.c), build the Machine the chosen board describes, run
 * its main loop and exit with the code the VM stopped with.
 *
 * Exit codes (machine/config.h): 0 guest powered off / script passed,
 * 1 guest or script failure, 2 bad command line or a VM that cannot be built.
 */
#include <stdio.h>
#include <string.h>

#include "frontends/console.h"
#include "frontends/display.h"
#include "frontends/options.h"
#include "machine/machine.h"

/* The window: -display sdl must open one (false after one error line if it
 * cannot); by default one opens if SDL can reach a desktop, unless
 * -nographic or -display none asked for none. *win stays NULL headless. */
static bool open_window(Machine *m, Frontend **win)
{
    const VmConfig *cfg = m->cfg;
    if (cfg->display == DISPLAY_NONE || cfg->nographic)
        return true;
    char err[512];
    *win = display_sdl_create(m, err, sizeof(err));
    if (!*win && cfg->display == DISPLAY_SDL) {
        fprintf(stderr, "%s\n", err);
        return false;
    }
    return true;
}

/* Build the machine for cfg on board and run it; returns the exit code. */
static int run_vm(const VmConfig *cfg, const BoardClass *board)
{
    Machine m;
    if (!machine_init(&m, cfg, board)) {
        fprintf(stderr, "doppel: -D: cannot open log file '%s'\n",
                cfg->log_file ? cfg->log_file : "(stderr)");
        return EXIT_USAGE;
    }
    char err[512];
    Console *con = console_create(&m, err, sizeof(err));
    if (!con) {
        fprintf(stderr, "%s\n", err);
        machine_destroy(&m);
        return EXIT_USAGE;
    }
    Frontend *win = NULL;
    if (!open_window(&m, &win)) {
        machine_destroy(&m);
        console_destroy(con);
        return EXIT_USAGE;
    }
    if (!board->init(&m)) {
        /* The board already printed its one error line. */
        machine_destroy(&m);
        display_sdl_destroy(win);
        console_destroy(con);
        return EXIT_USAGE;
    }
    console_start(con);
    if (win)
        display_sdl_start(win);
    int code = machine_main_loop(&m);
    if (win)
        display_sdl_finish(win);
    code = console_finish(con, code);
    machine_destroy(&m);
    display_sdl_destroy(win);
    console_destroy(con);
    return code;
}

int main(int argc, char **argv)
{
    VmConfig cfg;
    char err[512];

    int r = options_parse(&cfg, argc, argv, err, sizeof(err));
    if (r != 0) {
        if (r < 0)
            fprintf(stderr, "%s\n", err);
        options_free(&cfg);
        return r > 0 ? EXIT_OK : EXIT_USAGE;
    }

    const BoardClass *board = board_find(cfg.machine);
    if (!board) {
        fprintf(stderr, "doppel: machine '%s' is not available in this build\n",
                cfg.machine);
        options_free(&cfg);
        return EXIT_USAGE;
    }

    int code = run_vm(&cfg, board);
    options_free(&cfg);
    return code;
}
