/*
 * The window frontend as main.c sees it: an SDL2 window showing the board's
 * DisplaySource and feeding host keyboard/mouse input to the board's input
 * hooks. A build configured --without-sdl links frontends/sdl_none.c, whose
 * create always fails, so main.c needs no conditionals.
 *
 * Lifecycle (beside the headless console, which still owns serial,
 * scripts and screenshots): display_sdl_create before board->init,
 * display_sdl_start after it, display_sdl_finish after the main loop,
 * display_sdl_destroy after machine_destroy.
 */
#ifndef DOPPEL_FRONTENDS_DISPLAY_H
#define DOPPEL_FRONTENDS_DISPLAY_H

#include <stddef.h>

#include "machine/machine.h"

typedef struct Frontend Frontend;

/** Before board->init: initialise SDL video and open the window (showing
 *  black until start). Returns NULL and fills err with one line
 *  ("doppel: -display sdl: ...") if there is no SDL in this build or no
 *  display can be opened. */
Frontend *display_sdl_create(Machine *m, char *err, size_t errlen);
/** After board->init: start the periodic timer on m->clock that polls SDL
 *  events (~every 10 ms of host time) and redraws when the board's display
 *  changed (at most 60 frames per second). */
void display_sdl_start(Frontend *f);
/** After the main loop: stop the timer, release any input grab and hide the
 *  window. */
void display_sdl_finish(Frontend *f);
/** Close the window and shut SDL video down; NULL is a no-op. */
void display_sdl_destroy(Frontend *f);

#endif
