/*
 * Pieces of the SDL2 window frontend that tests reach directly (only in
 * builds with SDL): the SDL scancode -> PS/2 scancode set 2 translation and
 * a read-back of what the window shows.
 */
#ifndef DOPPEL_FRONTENDS_SDL_H
#define DOPPEL_FRONTENDS_SDL_H

#include <stdbool.h>
#include <stdint.h>

#include "frontends/display.h"

/* Longest set-2 sequence one key event produces (Pause: 8 bytes). */
#define SDL_KEYMAP_MAX 8

/* Modifiers that change what PrintScreen and Pause send. */
enum {
    SDL_KEYMAP_MOD_SHIFT = 1u << 0,
    SDL_KEYMAP_MOD_CTRL = 1u << 1,
    SDL_KEYMAP_MOD_ALT = 1u << 2,
};

/** Translate one key event of SDL scancode sc (a USB HID keyboard usage,
 *  SDL_Scancode) into PS/2 scancode set 2 bytes in out: the make code when
 *  down, the break code (F0-prefixed, after E0 for extended keys) when up.
 *  mods (SDL_KEYMAP_MOD_*) are the modifiers held, which select the
 *  PrintScreen/SysRq and Pause/Break variants. Returns the number of bytes
 *  written (0: no PS/2 key, or a key without break code released). */
int sdl_keymap_set2(int sc, bool down, unsigned mods, uint8_t out[SDL_KEYMAP_MAX]);

/** Test hook: draw the current frame and read the window's drawable back
 *  as 0x00RRGGBB pixels (malloc'd, the caller frees; row stride *w).
 *  Returns false if the renderer cannot read pixels. */
bool display_sdl_read_window(Frontend *f, uint32_t **pixels, int *w, int *h);

/** Test hook: true while the mouse is grabbed (relative mode). */
bool display_sdl_grabbed(const Frontend *f);

#endif
