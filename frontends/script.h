/*
 * The scripted console: --expect / --expect-screen / --send steps run in
 * order against the guest's serial output and VGA text screen, under an
 * overall --timeout. This is the logic only; frontends/console.c feeds it
 * output and time and carries out its sends.
 */
#ifndef DOPPEL_FRONTENDS_SCRIPT_H
#define DOPPEL_FRONTENDS_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "machine/config.h"

#define SCRIPT_WINDOW_MAX (256 * 1024)  /* serial output kept for matching */
#define SCRIPT_TAIL_SIZE (16 * 1024)    /* raw output kept for failure reports */

typedef enum ScriptState {
    SCRIPT_RUNNING,
    SCRIPT_WAIT_POWEROFF,   /* all steps done, the last was a send: the guest should power off */
    SCRIPT_DONE,
    SCRIPT_FAILED,
} ScriptState;

typedef struct Script {
    const ScriptStep *steps;
    int nsteps;
    int cur;
    ScriptState state;
    int64_t deadline_ns;            /* host ns; INT64_MAX: no timeout */
    char *window;                   /* output since the current expect began */
    size_t wlen;
    char tail[SCRIPT_TAIL_SIZE];    /* ring of the latest raw output */
    size_t tail_pos, tail_len;
    /* What the script does to the VM (set by the frontend). */
    void (*send)(void *opaque, const char *text, size_t len);
    bool (*screen_text)(void *opaque, char *buf, size_t len);
    void *opaque;
} Script;

/** Start a script of n steps at host time now_ns with timeout_s seconds (0: none). */
void script_init(Script *s, const ScriptStep *steps, int n, double timeout_s, int64_t now_ns);
void script_destroy(Script *s);
/** Feed guest serial output. Advances through expects it satisfies. */
void script_output(Script *s, const uint8_t *buf, size_t len);
/** Check the screen, the timeout and pending sends; returns the state. */
ScriptState script_poll(Script *s, int64_t now_ns);
/** Describe the failure: the step waited for, the last 40 output lines and
 *  the screen text. */
void script_report_failure(const Script *s, FILE *f);
/** The last n lines of output (for reports and tests) into buf. */
void script_tail_lines(const Script *s, int n, char *buf, size_t len);

#endif
