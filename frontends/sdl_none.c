/*
 * The window frontend in a build configured --without-sdl (see display.h):
 * there is no window to open, so create always fails and main.c stays
 * headless (or exits 2 if -display sdl asked for one).
 */
#include "frontends/display.h"

#include <stdio.h>

Frontend *display_sdl_create(Machine *m, char *err, size_t errlen)
{
    (void)m;
    snprintf(err, errlen, "doppel: this build has no SDL display (configured --without-sdl)");
    return NULL;
}

void display_sdl_start(Frontend *f)
{
    (void)f;
}

void display_sdl_finish(Frontend *f)
{
    (void)f;
}

void display_sdl_destroy(Frontend *f)
{
    (void)f;
}
