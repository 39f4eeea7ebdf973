/*
 * SDL scancode -> PS/2 scancode set 2 (see sdl.h).
 *
 * SDL scancodes are USB HID keyboard usages (HID Usage Tables, page 0x07,
 * plus SDL's own numbers for consumer keys), so this is the translation in
 * Microsoft's "Keyboard Scan Code Specification" (rev. 1.3a), Appendix C,
 * column "Scan Code Set 2": a make code is one byte, or E0 and one byte for
 * the keys added by the 101/104-key layouts; the break code is F0 before
 * the last byte. PrintScreen and Pause are sequences of their own whose
 * bytes depend on the modifiers held (same spec, notes 1 and 2 of
 * Appendix C); Hangul and Hanja have no break code.
 */
#include "frontends/sdl.h"

#include <SDL.h>

/* Table entries: the set-2 code in the low byte, plus these flags. */
#define KM_E0 0x100      /* E0-prefixed (extended) key */
#define KM_NOBREAK 0x200 /* make code only */

static const uint16_t sdl_keymap_table[SDL_NUM_SCANCODES] = {
    [SDL_SCANCODE_A] = 0x1C, [SDL_SCANCODE_B] = 0x32, [SDL_SCANCODE_C] = 0x21,
    [SDL_SCANCODE_D] = 0x23, [SDL_SCANCODE_E] = 0x24, [SDL_SCANCODE_F] = 0x2B,
    [SDL_SCANCODE_G] = 0x34, [SDL_SCANCODE_H] = 0x33, [SDL_SCANCODE_I] = 0x43,
    [SDL_SCANCODE_J] = 0x3B, [SDL_SCANCODE_K] = 0x42, [SDL_SCANCODE_L] = 0x4B,
    [SDL_SCANCODE_M] = 0x3A, [SDL_SCANCODE_N] = 0x31, [SDL_SCANCODE_O] = 0x44,
    [SDL_SCANCODE_P] = 0x4D, [SDL_SCANCODE_Q] = 0x15, [SDL_SCANCODE_R] = 0x2D,
    [SDL_SCANCODE_S] = 0x1B, [SDL_SCANCODE_T] = 0x2C, [SDL_SCANCODE_U] = 0x3C,
    [SDL_SCANCODE_V] = 0x2A, [SDL_SCANCODE_W] = 0x1D, [SDL_SCANCODE_X] = 0x22,
    [SDL_SCANCODE_Y] = 0x35, [SDL_SCANCODE_Z] = 0x1A,

    [SDL_SCANCODE_1] = 0x16, [SDL_SCANCODE_2] = 0x1E, [SDL_SCANCODE_3] = 0x26,
    [SDL_SCANCODE_4] = 0x25, [SDL_SCANCODE_5] = 0x2E, [SDL_SCANCODE_6] = 0x36,
    [SDL_SCANCODE_7] = 0x3D, [SDL_SCANCODE_8] = 0x3E, [SDL_SCANCODE_9] = 0x46,
    [SDL_SCANCODE_0] = 0x45,

    [SDL_SCANCODE_RETURN] = 0x5A, [SDL_SCANCODE_ESCAPE] = 0x76,
    [SDL_SCANCODE_BACKSPACE] = 0x66, [SDL_SCANCODE_TAB] = 0x0D,
    [SDL_SCANCODE_SPACE] = 0x29, [SDL_SCANCODE_MINUS] = 0x4E,
    [SDL_SCANCODE_EQUALS] = 0x55, [SDL_SCANCODE_LEFTBRACKET] = 0x54,
    [SDL_SCANCODE_RIGHTBRACKET] = 0x5B, [SDL_SCANCODE_BACKSLASH] = 0x5D,
    [SDL_SCANCODE_NONUSHASH] = 0x5D,        /* ISO key left of Enter */
    [SDL_SCANCODE_SEMICOLON] = 0x4C, [SDL_SCANCODE_APOSTROPHE] = 0x52,
    [SDL_SCANCODE_GRAVE] = 0x0E, [SDL_SCANCODE_COMMA] = 0x41,
    [SDL_SCANCODE_PERIOD] = 0x49, [SDL_SCANCODE_SLASH] = 0x4A,
    [SDL_SCANCODE_CAPSLOCK] = 0x58,
    [SDL_SCANCODE_NONUSBACKSLASH] = 0x61,   /* ISO 105th key, right of LShift */

    [SDL_SCANCODE_F1] = 0x05, [SDL_SCANCODE_F2] = 0x06, [SDL_SCANCODE_F3] = 0x04,
    [SDL_SCANCODE_F4] = 0x0C, [SDL_SCANCODE_F5] = 0x03, [SDL_SCANCODE_F6] = 0x0B,
    [SDL_SCANCODE_F7] = 0x83, [SDL_SCANCODE_F8] = 0x0A, [SDL_SCANCODE_F9] = 0x01,
    [SDL_SCANCODE_F10] = 0x09, [SDL_SCANCODE_F11] = 0x78, [SDL_SCANCODE_F12] = 0x07,
    [SDL_SCANCODE_F13] = 0x08, [SDL_SCANCODE_F14] = 0x10, [SDL_SCANCODE_F15] = 0x18,
    [SDL_SCANCODE_F16] = 0x20, [SDL_SCANCODE_F17] = 0x28, [SDL_SCANCODE_F18] = 0x30,
    [SDL_SCANCODE_F19] = 0x38, [SDL_SCANCODE_F20] = 0x40, [SDL_SCANCODE_F21] = 0x48,
    [SDL_SCANCODE_F22] = 0x50, [SDL_SCANCODE_F23] = 0x57, [SDL_SCANCODE_F24] = 0x5F,

    [SDL_SCANCODE_SCROLLLOCK] = 0x7E, [SDL_SCANCODE_SYSREQ] = 0x84,
    [SDL_SCANCODE_INSERT] = KM_E0 | 0x70, [SDL_SCANCODE_HOME] = KM_E0 | 0x6C,
    [SDL_SCANCODE_PAGEUP] = KM_E0 | 0x7D, [SDL_SCANCODE_DELETE] = KM_E0 | 0x71,
    [SDL_SCANCODE_END] = KM_E0 | 0x69, [SDL_SCANCODE_PAGEDOWN] = KM_E0 | 0x7A,
    [SDL_SCANCODE_RIGHT] = KM_E0 | 0x74, [SDL_SCANCODE_LEFT] = KM_E0 | 0x6B,
    [SDL_SCANCODE_DOWN] = KM_E0 | 0x72, [SDL_SCANCODE_UP] = KM_E0 | 0x75,

    [SDL_SCANCODE_NUMLOCKCLEAR] = 0x77, [SDL_SCANCODE_KP_DIVIDE] = KM_E0 | 0x4A,
    [SDL_SCANCODE_KP_MULTIPLY] = 0x7C, [SDL_SCANCODE_KP_MINUS] = 0x7B,
    [SDL_SCANCODE_KP_PLUS] = 0x79, [SDL_SCANCODE_KP_ENTER] = KM_E0 | 0x5A,
    [SDL_SCANCODE_KP_1] = 0x69, [SDL_SCANCODE_KP_2] = 0x72, [SDL_SCANCODE_KP_3] = 0x7A,
    [SDL_SCANCODE_KP_4] = 0x6B, [SDL_SCANCODE_KP_5] = 0x73, [SDL_SCANCODE_KP_6] = 0x74,
    [SDL_SCANCODE_KP_7] = 0x6C, [SDL_SCANCODE_KP_8] = 0x75, [SDL_SCANCODE_KP_9] = 0x7D,
    [SDL_SCANCODE_KP_0] = 0x70, [SDL_SCANCODE_KP_PERIOD] = 0x71,
    [SDL_SCANCODE_KP_EQUALS] = 0x0F, [SDL_SCANCODE_KP_COMMA] = 0x6D,

    [SDL_SCANCODE_LCTRL] = 0x14, [SDL_SCANCODE_LSHIFT] = 0x12,
    [SDL_SCANCODE_LALT] = 0x11, [SDL_SCANCODE_LGUI] = KM_E0 | 0x1F,
    [SDL_SCANCODE_RCTRL] = KM_E0 | 0x14, [SDL_SCANCODE_RSHIFT] = 0x59,
    [SDL_SCANCODE_RALT] = KM_E0 | 0x11, [SDL_SCANCODE_RGUI] = KM_E0 | 0x27,
    [SDL_SCANCODE_APPLICATION] = KM_E0 | 0x2F,

    /* Japanese, Brazilian and Korean keys. */
    [SDL_SCANCODE_INTERNATIONAL1] = 0x51,   /* Ro */
    [SDL_SCANCODE_INTERNATIONAL2] = 0x13,   /* Katakana/Hiragana */
    [SDL_SCANCODE_INTERNATIONAL3] = 0x6A,   /* Yen */
    [SDL_SCANCODE_INTERNATIONAL4] = 0x64,   /* Henkan */
    [SDL_SCANCODE_INTERNATIONAL5] = 0x67,   /* Muhenkan */
    [SDL_SCANCODE_LANG1] = KM_NOBREAK | 0xF2, /* Hangul */
    [SDL_SCANCODE_LANG2] = KM_NOBREAK | 0xF1, /* Hanja */

    /* ACPI and multimedia keys. */
    [SDL_SCANCODE_POWER] = KM_E0 | 0x37, [SDL_SCANCODE_SLEEP] = KM_E0 | 0x3F,
    [SDL_SCANCODE_MUTE] = KM_E0 | 0x23, [SDL_SCANCODE_AUDIOMUTE] = KM_E0 | 0x23,
    [SDL_SCANCODE_VOLUMEUP] = KM_E0 | 0x32, [SDL_SCANCODE_VOLUMEDOWN] = KM_E0 | 0x21,
    [SDL_SCANCODE_AUDIONEXT] = KM_E0 | 0x4D, [SDL_SCANCODE_AUDIOPREV] = KM_E0 | 0x15,
    [SDL_SCANCODE_AUDIOSTOP] = KM_E0 | 0x3B, [SDL_SCANCODE_AUDIOPLAY] = KM_E0 | 0x34,
    [SDL_SCANCODE_MEDIASELECT] = KM_E0 | 0x50, [SDL_SCANCODE_MAIL] = KM_E0 | 0x48,
    [SDL_SCANCODE_CALCULATOR] = KM_E0 | 0x2B, [SDL_SCANCODE_COMPUTER] = KM_E0 | 0x40,
    [SDL_SCANCODE_AC_SEARCH] = KM_E0 | 0x10, [SDL_SCANCODE_AC_HOME] = KM_E0 | 0x3A,
    [SDL_SCANCODE_AC_BACK] = KM_E0 | 0x38, [SDL_SCANCODE_AC_FORWARD] = KM_E0 | 0x30,
    [SDL_SCANCODE_AC_STOP] = KM_E0 | 0x28, [SDL_SCANCODE_AC_REFRESH] = KM_E0 | 0x20,
    [SDL_SCANCODE_AC_BOOKMARKS] = KM_E0 | 0x18,
};

/* PrintScreen: alone it is sent with a "fake" E0 12 (LShift) around it;
 * with Shift or Ctrl held just E0 7C; with Alt it is SysRq (84). */
static int sdl_keymap_printscreen(bool down, unsigned mods, uint8_t *out)
{
    int n = 0;
    if (mods & SDL_KEYMAP_MOD_ALT) {
        if (!down)
            out[n++] = 0xF0;
        out[n++] = 0x84;
        return n;
    }
    bool plain = !(mods & (SDL_KEYMAP_MOD_SHIFT | SDL_KEYMAP_MOD_CTRL));
    if (down) {
        if (plain) {
            out[n++] = 0xE0;
            out[n++] = 0x12;
        }
        out[n++] = 0xE0;
        out[n++] = 0x7C;
    } else {
        out[n++] = 0xE0;
        out[n++] = 0xF0;
        out[n++] = 0x7C;
        if (plain) {
            out[n++] = 0xE0;
            out[n++] = 0xF0;
            out[n++] = 0x12;
        }
    }
    return n;
}

/* Pause sends make and break at once on press and nothing on release;
 * Ctrl+Pause is Break (E0 7E E0 F0 7E). */
static int sdl_keymap_pause(bool down, unsigned mods, uint8_t *out)
{
    static const uint8_t pause_seq[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 };
    static const uint8_t break_seq[] = { 0xE0, 0x7E, 0xE0, 0xF0, 0x7E };
    if (!down)
        return 0;
    const uint8_t *seq = (mods & SDL_KEYMAP_MOD_CTRL) ? break_seq : pause_seq;
    int n = (mods & SDL_KEYMAP_MOD_CTRL) ? (int)sizeof(break_seq) : (int)sizeof(pause_seq);
    for (int i = 0; i < n; i++)
        out[i] = seq[i];
    return n;
}

int sdl_keymap_set2(int sc, bool down, unsigned mods, uint8_t out[SDL_KEYMAP_MAX])
{
    if (sc <= SDL_SCANCODE_UNKNOWN || sc >= SDL_NUM_SCANCODES)
        return 0;
    if (sc == SDL_SCANCODE_PRINTSCREEN)
        return sdl_keymap_printscreen(down, mods, out);
    if (sc == SDL_SCANCODE_PAUSE)
        return sdl_keymap_pause(down, mods, out);
    uint16_t e = sdl_keymap_table[sc];
    if (!e)
        return 0;
    if (!down && (e & KM_NOBREAK))
        return 0;
    int n = 0;
    if (e & KM_E0)
        out[n++] = 0xE0;
    if (!down)
        out[n++] = 0xF0;
    out[n++] = (uint8_t)(e & 0xFF);
    return n;
}
