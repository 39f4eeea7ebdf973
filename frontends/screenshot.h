/*
 * Writing the guest display to files: PNG screenshots (libpng) and the VGA
 * text screen as plain text.
 */
#ifndef DOPPEL_FRONTENDS_SCREENSHOT_H
#define DOPPEL_FRONTENDS_SCREENSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/display.h"

/** Write a 0x00RRGGBB framebuffer as an 8-bit RGB PNG. Returns false and
 *  fills err on failure. */
bool png_write_rgb(const char *path, const uint32_t *pixels, int width, int height,
                   char *err, size_t errlen);
/** Render src and write it to path as PNG. */
bool screenshot_write(const DisplaySource *src, const char *path, char *err, size_t errlen);
/** Write src's text screen to path ("(graphics mode)\n" if not in text mode). */
bool screen_text_write(const DisplaySource *src, const char *path, char *err, size_t errlen);

#endif
