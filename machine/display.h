/*
 * DisplaySource: how a board shows its screen to frontends (SDL window,
 * headless screenshots, --expect-screen) without either side knowing the
 * other. The board fills it from its display device (VGA); every callback
 * takes the device's state pointer.
 */
#ifndef DOPPEL_MACHINE_DISPLAY_H
#define DOPPEL_MACHINE_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DisplaySource {
    void *opaque;             /* NULL: the board has no display */
    /** The screen as text if it is in a text mode: rows of cols characters
     *  (CP437 mapped to ASCII/UTF-8 where possible), each row ending in
     *  '\n'. Returns false if the display is in a graphics mode. */
    bool (*get_text)(void *opaque, char *buf, size_t len);
    /** Render the current screen into a 0x00RRGGBB framebuffer the source
     *  owns; sets width/height. Returns false if there is nothing to show. */
    bool (*render)(void *opaque, const uint32_t **pixels, int *width, int *height);
    /** Dirty tracking for windowed frontends: true if anything changed since
     *  the last call (clears the flag). May be NULL (always redraw). */
    bool (*changed)(void *opaque);
} DisplaySource;

#endif
