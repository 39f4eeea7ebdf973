/*
 * Tests of the SDL2 window frontend (frontends/sdl.c), run under Xvfb by
 * tests/sdl/sdl-window.sh. A Machine with a fake DisplaySource (a test
 * pattern, a 720x400 text screen, a 1024x768 mode) and fake input hooks
 * runs its real main loop with the window attached; the tests read the
 * window back (SDL_RenderReadPixels) and compare it with the source, and
 * inject host input with SDL_PushEvent.
 *
 * Expected key bytes are PS/2 scan code set 2 as in Microsoft's "Keyboard
 * Scan Code Specification" rev. 1.3a, Appendix C (e.g. A = 1C / F0 1C,
 * Right Ctrl = E0 14 / E0 F0 14, Pause = E1 14 77 E1 F0 14 F0 77 with no
 * break, PrintScreen = E0 12 E0 7C / E0 F0 7C E0 F0 12). Mouse events
 * follow devices/ps2.h: dy down positive, dz positive towards the user,
 * buttons bit0 left, bit1 right, bit2 middle.
 */
#include <SDL.h>
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/ps2.h"
#include "frontends/display.h"
#include "frontends/sdl.h"
#include "machine/machine.h"

/* ---- the fake board */

typedef struct MouseEv { int dx, dy, dz; unsigned buttons; } MouseEv;

typedef struct Fake {
    uint32_t *fb;
    int w, h;
    bool blank;            /* render() reports nothing to show */
    bool dirty;            /* what changed() answers (then clears) */
    bool always_dirty;
    int renders, changed_calls;
    uint8_t keys[1024];
    int nkeys;
    MouseEv mouse[256];
    int nmouse;
} Fake;

static bool fake_render(void *opaque, const uint32_t **px, int *w, int *h)
{
    Fake *f = opaque;
    f->renders++;
    if (f->blank)
        return false;
    *px = f->fb;
    *w = f->w;
    *h = f->h;
    return true;
}

static bool fake_changed(void *opaque)
{
    Fake *f = opaque;
    f->changed_calls++;
    bool d = f->dirty || f->always_dirty;
    f->dirty = false;
    return d;
}

static bool fake_text(void *opaque, char *buf, size_t len)
{
    (void)opaque;
    snprintf(buf, len, "fake\n");
    return true;
}

static void fake_keys(void *opaque, const uint8_t *set2, int n)
{
    Fake *f = opaque;
    for (int i = 0; i < n && f->nkeys < (int)sizeof(f->keys); i++)
        f->keys[f->nkeys++] = set2[i];
}

static void fake_mouse(void *opaque, int dx, int dy, int dz, unsigned buttons)
{
    Fake *f = opaque;
    if (f->nmouse < 256)
        f->mouse[f->nmouse++] = (MouseEv){ dx, dy, dz, buttons };
}

/* A pattern of 4x4 solid blocks of distinct colours, each outlined by
 * one-pixel white lines, so both exact and scaled comparisons are easy. */
static uint32_t pattern_block_colour(int bx, int by)
{
    static const uint32_t pal[16] = {
        0x000080, 0x008000, 0x008080, 0x800000, 0x800080, 0x808000, 0xC0C0C0, 0x808080,
        0x0000FF, 0x00FF00, 0x00FFFF, 0xFF0000, 0xFF00FF, 0xFFFF00, 0x204060, 0x604020,
    };
    return pal[(by * 4 + bx) & 15];
}

static void fake_set_mode(Fake *f, int w, int h, bool text)
{
    free(f->fb);
    f->fb = malloc((size_t)w * (size_t)h * sizeof(uint32_t));
    ck_assert_ptr_nonnull(f->fb);
    f->w = w;
    f->h = h;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint32_t c;
            if (text) {
                /* 80x25 cells of 9x16: light grey "glyph" bars on blue. */
                int cx = x % 9, cy = y % 16, col = x / 9, row = y / 16;
                bool ink = cy >= 3 && cy < 13 && cx < 7 && ((col + row + cx + cy) % 3 == 0);
                c = ink ? 0xAAAAAA : 0x0000AA;
            } else {
                int bw = w / 4, bh = h / 4;
                c = (x % bw == 0 || y % bh == 0) ? 0xFFFFFF : pattern_block_colour(x / bw, y / bh);
            }
            f->fb[y * w + x] = c;
        }
    }
    f->dirty = true;
}

typedef struct Rig {
    VmConfig cfg;
    Machine m;
    Fake fake;
    Frontend *fe;
    Timer stop_timer;
} Rig;

static const BoardClass fake_board = { .name = "pc", .desc = "fake PC for the window tests" };

static void rig_stop(void *opaque)
{
    Rig *r = opaque;
    machine_request_stop(&r->m, STOP_EXIT, 42);
}

static Rig *rig_new(int w, int h)
{
    Rig *r = calloc(1, sizeof(*r));
    ck_assert_ptr_nonnull(r);
    r->cfg.icount_shift = -1;
    r->cfg.display = DISPLAY_SDL;
    ck_assert(machine_init(&r->m, &r->cfg, &fake_board));
    char err[256] = "";
    r->fe = display_sdl_create(&r->m, err, sizeof(err));
    ck_assert_msg(r->fe != NULL, "display_sdl_create: %s", err);
    /* What the board's init does. */
    fake_set_mode(&r->fake, w, h, false);
    r->m.display = (DisplaySource){ &r->fake, fake_text, fake_render, fake_changed };
    r->m.kbd_put_scancodes = fake_keys;
    r->m.mouse_event = fake_mouse;
    r->m.input_opaque = &r->fake;
    display_sdl_start(r->fe);
    timer_init(&r->stop_timer, &r->m.clock, rig_stop, r);
    return r;
}

static void rig_free(Rig *r)
{
    display_sdl_finish(r->fe);
    timer_del(&r->stop_timer);
    machine_destroy(&r->m);
    display_sdl_destroy(r->fe);
    free(r->fake.fb);
    free(r);
}

/* Run the real main loop for ms of (host-clock) virtual time; returns
 * 42 if nothing else stopped the machine first. */
static int rig_run(Rig *r, int ms)
{
    timer_mod(&r->stop_timer, clock_now(&r->m.clock) + (int64_t)ms * 1000000);
    int code = machine_main_loop(&r->m);
    timer_del(&r->stop_timer);
    return code;
}

static SDL_Window *rig_window(void)
{
    for (Uint32 id = 0; id < 16; id++) {
        SDL_Window *w = SDL_GetWindowFromID(id);
        if (w)
            return w;
    }
    ck_abort_msg("no SDL window");
    return NULL;
}

/* Read the window back; w/h are its drawable size. */
static uint32_t *rig_read(Rig *r, int *w, int *h)
{
    uint32_t *px = NULL;
    ck_assert(display_sdl_read_window(r->fe, &px, w, h));
    return px;
}

static void push_key(SDL_Scancode sc, bool down, bool repeat)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = down ? SDL_KEYDOWN : SDL_KEYUP;
    ev.key.state = down ? SDL_PRESSED : SDL_RELEASED;
    ev.key.repeat = repeat;
    ev.key.keysym.scancode = sc;
    ck_assert_int_eq(SDL_PushEvent(&ev), 1);
}

static void push_button(Uint8 button, bool down)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = down ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP;
    ev.button.button = button;
    ev.button.state = down ? SDL_PRESSED : SDL_RELEASED;
    ev.button.clicks = 1;
    ck_assert_int_eq(SDL_PushEvent(&ev), 1);
}

static void push_motion(int xrel, int yrel)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_MOUSEMOTION;
    ev.motion.xrel = xrel;
    ev.motion.yrel = yrel;
    ck_assert_int_eq(SDL_PushEvent(&ev), 1);
}

static void push_simple(Uint32 type)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = type;
    ck_assert_int_eq(SDL_PushEvent(&ev), 1);
}

static void push_window_event(Uint8 what)
{
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_WINDOWEVENT;
    ev.window.event = what;
    ck_assert_int_eq(SDL_PushEvent(&ev), 1);
}

static void assert_bytes(const Fake *f, const uint8_t *want, int n)
{
    ck_assert_int_eq(f->nkeys, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(f->keys[i] == want[i], "byte %d: got %02X, want %02X",
                      i, f->keys[i], want[i]);
}

/* ---- the keymap on its own */

static int keymap(int sc, bool down, unsigned mods, uint8_t *out)
{
    return sdl_keymap_set2(sc, down, mods, out);
}

static void assert_map(int sc, bool down, unsigned mods, const uint8_t *want, int n)
{
    uint8_t out[SDL_KEYMAP_MAX];
    memset(out, 0xAA, sizeof(out));
    int got = keymap(sc, down, mods, out);
    ck_assert_msg(got == n, "scancode %d %s: %d bytes, want %d", sc, down ? "down" : "up", got, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(out[i] == want[i], "scancode %d %s byte %d: %02X, want %02X",
                      sc, down ? "down" : "up", i, out[i], want[i]);
}

START_TEST(test_keymap_basic_and_extended)
{
    assert_map(SDL_SCANCODE_A, true, 0, (const uint8_t[]){ 0x1C }, 1);
    assert_map(SDL_SCANCODE_A, false, 0, (const uint8_t[]){ 0xF0, 0x1C }, 2);
    assert_map(SDL_SCANCODE_RCTRL, true, 0, (const uint8_t[]){ 0xE0, 0x14 }, 2);
    assert_map(SDL_SCANCODE_RCTRL, false, 0, (const uint8_t[]){ 0xE0, 0xF0, 0x14 }, 3);
    assert_map(SDL_SCANCODE_LCTRL, true, 0, (const uint8_t[]){ 0x14 }, 1);
    assert_map(SDL_SCANCODE_RALT, true, 0, (const uint8_t[]){ 0xE0, 0x11 }, 2);
    assert_map(SDL_SCANCODE_KP_ENTER, true, 0, (const uint8_t[]){ 0xE0, 0x5A }, 2);
    assert_map(SDL_SCANCODE_RETURN, true, 0, (const uint8_t[]){ 0x5A }, 1);
    assert_map(SDL_SCANCODE_KP_DIVIDE, false, 0, (const uint8_t[]){ 0xE0, 0xF0, 0x4A }, 3);
    assert_map(SDL_SCANCODE_UP, true, 0, (const uint8_t[]){ 0xE0, 0x75 }, 2);
    assert_map(SDL_SCANCODE_KP_8, true, 0, (const uint8_t[]){ 0x75 }, 1);
    assert_map(SDL_SCANCODE_F7, true, 0, (const uint8_t[]){ 0x83 }, 1);
    assert_map(SDL_SCANCODE_F7, false, 0, (const uint8_t[]){ 0xF0, 0x83 }, 2);
    assert_map(SDL_SCANCODE_LGUI, true, 0, (const uint8_t[]){ 0xE0, 0x1F }, 2);
    assert_map(SDL_SCANCODE_APPLICATION, true, 0, (const uint8_t[]){ 0xE0, 0x2F }, 2);
    assert_map(SDL_SCANCODE_NONUSBACKSLASH, true, 0, (const uint8_t[]){ 0x61 }, 1);
    /* Hangul: make only. */
    assert_map(SDL_SCANCODE_LANG1, true, 0, (const uint8_t[]){ 0xF2 }, 1);
    assert_map(SDL_SCANCODE_LANG1, false, 0, NULL, 0);
}
END_TEST

START_TEST(test_keymap_pause_printscreen)
{
    static const uint8_t pause[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 };
    assert_map(SDL_SCANCODE_PAUSE, true, 0, pause, 8);
    assert_map(SDL_SCANCODE_PAUSE, false, 0, NULL, 0);
    assert_map(SDL_SCANCODE_PAUSE, true, SDL_KEYMAP_MOD_CTRL,
               (const uint8_t[]){ 0xE0, 0x7E, 0xE0, 0xF0, 0x7E }, 5);
    assert_map(SDL_SCANCODE_PRINTSCREEN, true, 0, (const uint8_t[]){ 0xE0, 0x12, 0xE0, 0x7C }, 4);
    assert_map(SDL_SCANCODE_PRINTSCREEN, false, 0,
               (const uint8_t[]){ 0xE0, 0xF0, 0x7C, 0xE0, 0xF0, 0x12 }, 6);
    assert_map(SDL_SCANCODE_PRINTSCREEN, true, SDL_KEYMAP_MOD_SHIFT,
               (const uint8_t[]){ 0xE0, 0x7C }, 2);
    assert_map(SDL_SCANCODE_PRINTSCREEN, true, SDL_KEYMAP_MOD_ALT, (const uint8_t[]){ 0x84 }, 1);
    assert_map(SDL_SCANCODE_PRINTSCREEN, false, SDL_KEYMAP_MOD_ALT,
               (const uint8_t[]){ 0xF0, 0x84 }, 2);
}
END_TEST

START_TEST(test_keymap_bad_scancodes)
{
    uint8_t out[SDL_KEYMAP_MAX];
    ck_assert_int_eq(keymap(SDL_SCANCODE_UNKNOWN, true, 0, out), 0);
    ck_assert_int_eq(keymap(-1, true, 0, out), 0);
    ck_assert_int_eq(keymap(SDL_NUM_SCANCODES, true, 0, out), 0);
    ck_assert_int_eq(keymap(100000, false, 0, out), 0);
    ck_assert_int_eq(keymap(SDL_SCANCODE_KBDILLUMUP, true, 0, out), 0);
}
END_TEST

/* Every key of the 104/105-key layout has a make code, and no two keys
 * share one (except the ISO '#' key, which is the ANSI '\' key position,
 * and SDL's two mute scancodes). */
START_TEST(test_keymap_full_layout_distinct)
{
    static const int layout[] = {
        SDL_SCANCODE_ESCAPE, SDL_SCANCODE_F1, SDL_SCANCODE_F2, SDL_SCANCODE_F3,
        SDL_SCANCODE_F4, SDL_SCANCODE_F5, SDL_SCANCODE_F6, SDL_SCANCODE_F7, SDL_SCANCODE_F8,
        SDL_SCANCODE_F9, SDL_SCANCODE_F10, SDL_SCANCODE_F11, SDL_SCANCODE_F12,
        SDL_SCANCODE_PRINTSCREEN, SDL_SCANCODE_SCROLLLOCK, SDL_SCANCODE_PAUSE,
        SDL_SCANCODE_GRAVE, SDL_SCANCODE_1, SDL_SCANCODE_2, SDL_SCANCODE_3, SDL_SCANCODE_4,
        SDL_SCANCODE_5, SDL_SCANCODE_6, SDL_SCANCODE_7, SDL_SCANCODE_8, SDL_SCANCODE_9,
        SDL_SCANCODE_0, SDL_SCANCODE_MINUS, SDL_SCANCODE_EQUALS, SDL_SCANCODE_BACKSPACE,
        SDL_SCANCODE_INSERT, SDL_SCANCODE_HOME, SDL_SCANCODE_PAGEUP, SDL_SCANCODE_NUMLOCKCLEAR,
        SDL_SCANCODE_KP_DIVIDE, SDL_SCANCODE_KP_MULTIPLY, SDL_SCANCODE_KP_MINUS,
        SDL_SCANCODE_TAB, SDL_SCANCODE_Q, SDL_SCANCODE_W, SDL_SCANCODE_E, SDL_SCANCODE_R,
        SDL_SCANCODE_T, SDL_SCANCODE_Y, SDL_SCANCODE_U, SDL_SCANCODE_I, SDL_SCANCODE_O,
        SDL_SCANCODE_P, SDL_SCANCODE_LEFTBRACKET, SDL_SCANCODE_RIGHTBRACKET,
        SDL_SCANCODE_BACKSLASH, SDL_SCANCODE_DELETE, SDL_SCANCODE_END, SDL_SCANCODE_PAGEDOWN,
        SDL_SCANCODE_KP_7, SDL_SCANCODE_KP_8, SDL_SCANCODE_KP_9, SDL_SCANCODE_KP_PLUS,
        SDL_SCANCODE_CAPSLOCK, SDL_SCANCODE_A, SDL_SCANCODE_S, SDL_SCANCODE_D, SDL_SCANCODE_F,
        SDL_SCANCODE_G, SDL_SCANCODE_H, SDL_SCANCODE_J, SDL_SCANCODE_K, SDL_SCANCODE_L,
        SDL_SCANCODE_SEMICOLON, SDL_SCANCODE_APOSTROPHE, SDL_SCANCODE_RETURN,
        SDL_SCANCODE_KP_4, SDL_SCANCODE_KP_5, SDL_SCANCODE_KP_6,
        SDL_SCANCODE_LSHIFT, SDL_SCANCODE_NONUSBACKSLASH, SDL_SCANCODE_Z, SDL_SCANCODE_X,
        SDL_SCANCODE_C, SDL_SCANCODE_V, SDL_SCANCODE_B, SDL_SCANCODE_N, SDL_SCANCODE_M,
        SDL_SCANCODE_COMMA, SDL_SCANCODE_PERIOD, SDL_SCANCODE_SLASH, SDL_SCANCODE_RSHIFT,
        SDL_SCANCODE_UP, SDL_SCANCODE_KP_1, SDL_SCANCODE_KP_2, SDL_SCANCODE_KP_3,
        SDL_SCANCODE_KP_ENTER, SDL_SCANCODE_LCTRL, SDL_SCANCODE_LGUI, SDL_SCANCODE_LALT,
        SDL_SCANCODE_SPACE, SDL_SCANCODE_RALT, SDL_SCANCODE_RGUI, SDL_SCANCODE_APPLICATION,
        SDL_SCANCODE_RCTRL, SDL_SCANCODE_LEFT, SDL_SCANCODE_DOWN, SDL_SCANCODE_RIGHT,
        SDL_SCANCODE_KP_0, SDL_SCANCODE_KP_PERIOD,
    };
    ck_assert_int_eq((int)(sizeof(layout) / sizeof(layout[0])), 105);
    for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++) {
        uint8_t a[SDL_KEYMAP_MAX], brk[SDL_KEYMAP_MAX];
        int na = keymap(layout[i], true, 0, a);
        ck_assert_msg(na > 0, "scancode %d has no make code", layout[i]);
        int nb = keymap(layout[i], false, 0, brk);
        if (layout[i] != SDL_SCANCODE_PAUSE) {
            /* break = make with F0 before the last byte */
            ck_assert_msg(nb == na + 1 || layout[i] == SDL_SCANCODE_PRINTSCREEN,
                          "scancode %d: break of %d bytes", layout[i], nb);
            if (layout[i] != SDL_SCANCODE_PRINTSCREEN) {
                ck_assert_int_eq(brk[nb - 2], 0xF0);
                ck_assert_int_eq(brk[nb - 1], a[na - 1]);
            }
        }
        for (size_t j = 0; j < i; j++) {
            uint8_t b[SDL_KEYMAP_MAX];
            int nbj = keymap(layout[j], true, 0, b);
            bool same = na == nbj && !memcmp(a, b, (size_t)na);
            ck_assert_msg(!same, "scancodes %d and %d share a make code", layout[i], layout[j]);
        }
    }
}
END_TEST

/* ---- the window */

static void assert_window_title(const char *want)
{
    ck_assert_str_eq(SDL_GetWindowTitle(rig_window()), want);
}

START_TEST(test_window_shows_pattern)
{
    Rig *r = rig_new(640, 480);
    ck_assert_int_eq(rig_run(r, 300), 42);
    assert_window_title("doppel \xe2\x80\x94 pc");
    int ww, wh;
    SDL_GetWindowSize(rig_window(), &ww, &wh);
    ck_assert_int_eq(ww, 640);
    ck_assert_int_eq(wh, 480);
    int w, h;
    uint32_t *px = rig_read(r, &w, &h);
    ck_assert_int_eq(w, 640);
    ck_assert_int_eq(h, 480);
    for (int i = 0; i < w * h; i++)
        ck_assert_msg((px[i] & 0xFFFFFF) == r->fake.fb[i], "pixel (%d,%d): %06X, want %06X",
                      i % w, i / w, px[i] & 0xFFFFFF, r->fake.fb[i]);
    free(px);
    rig_free(r);
}
END_TEST

START_TEST(test_window_redraws_only_on_change)
{
    Rig *r = rig_new(320, 200);
    ck_assert_int_eq(rig_run(r, 200), 42);
    int renders = r->fake.renders;
    ck_assert_int_ge(renders, 1);
    ck_assert_int_ge(r->fake.changed_calls, 1);
    /* Nothing changed: changed() is asked, render() is not. */
    int asked = r->fake.changed_calls;
    ck_assert_int_eq(rig_run(r, 300), 42);
    ck_assert_int_eq(r->fake.renders, renders);
    ck_assert_int_gt(r->fake.changed_calls, asked);
    /* One change: one new frame. */
    r->fake.fb[0] = 0x123456;
    r->fake.dirty = true;
    ck_assert_int_eq(rig_run(r, 200), 42);
    ck_assert_int_eq(r->fake.renders, renders + 1);
    int w, h;
    uint32_t *px = rig_read(r, &w, &h);
    ck_assert_uint_eq(px[0] & 0xFFFFFF, 0x123456);
    free(px);
    /* Always changing: capped at 60 frames a second (plus slack for the
     * first frame), yet not starved either. */
    r->fake.always_dirty = true;
    renders = r->fake.renders;
    int64_t t0 = host_clock_ns();
    ck_assert_int_eq(rig_run(r, 500), 42);
    double secs = (double)(host_clock_ns() - t0) / 1e9;
    int frames = r->fake.renders - renders;
    ck_assert_msg(frames <= (int)(secs * 60) + 2, "%d frames in %.3f s", frames, secs);
    ck_assert_msg(frames >= 10, "only %d frames in %.3f s", frames, secs);
    rig_free(r);
}
END_TEST

START_TEST(test_window_text_then_mode_change)
{
    Rig *r = rig_new(640, 480);
    ck_assert_int_eq(rig_run(r, 200), 42);
    /* The guest switches to an 80x25 text screen (9x16 cells). */
    fake_set_mode(&r->fake, 720, 400, true);
    ck_assert_int_eq(rig_run(r, 300), 42);
    int ww, wh, w, h;
    SDL_GetWindowSize(rig_window(), &ww, &wh);
    ck_assert_int_eq(ww, 720);
    ck_assert_int_eq(wh, 400);
    uint32_t *px = rig_read(r, &w, &h);
    ck_assert_int_eq(w, 720);
    ck_assert_int_eq(h, 400);
    for (int i = 0; i < w * h; i++)
        ck_assert_msg((px[i] & 0xFFFFFF) == r->fake.fb[i], "text pixel (%d,%d)", i % w, i / w);
    free(px);
    /* Then to 1024x768 graphics. */
    fake_set_mode(&r->fake, 1024, 768, false);
    ck_assert_int_eq(rig_run(r, 300), 42);
    SDL_GetWindowSize(rig_window(), &ww, &wh);
    ck_assert_int_eq(ww, 1024);
    ck_assert_int_eq(wh, 768);
    px = rig_read(r, &w, &h);
    ck_assert_int_eq(w, 1024);
    ck_assert_int_eq(h, 768);
    for (int i = 0; i < w * h; i++)
        ck_assert_msg((px[i] & 0xFFFFFF) == r->fake.fb[i], "1024x768 pixel (%d,%d)", i % w, i / w);
    free(px);
    rig_free(r);
}
END_TEST

/* A window of another shape: the picture is scaled to fit, aspect kept,
 * centred between black bars. */
START_TEST(test_window_scaled_to_fit)
{
    Rig *r = rig_new(640, 480);
    ck_assert_int_eq(rig_run(r, 200), 42);
    SDL_SetWindowSize(rig_window(), 1000, 500);
    ck_assert_int_eq(rig_run(r, 300), 42);
    int w, h;
    uint32_t *px = rig_read(r, &w, &h);
    ck_assert_int_eq(w, 1000);
    ck_assert_int_eq(h, 500);
    /* 640x480 -> 667x500 at x = 166. */
    int dw = (500 * 640 + 240) / 480, x0 = (1000 - dw) / 2;
    ck_assert_int_eq(dw, 667);
    for (int y = 0; y < h; y += 7) {
        ck_assert_uint_eq(px[y * w + 0] & 0xFFFFFF, 0);
        ck_assert_uint_eq(px[y * w + x0 - 2] & 0xFFFFFF, 0);
        ck_assert_uint_eq(px[y * w + x0 + dw + 1] & 0xFFFFFF, 0);
        ck_assert_uint_eq(px[y * w + w - 1] & 0xFFFFFF, 0);
    }
    for (int by = 0; by < 4; by++) {
        for (int bx = 0; bx < 4; bx++) {
            int cx = x0 + (bx * 2 + 1) * dw / 8, cy = (by * 2 + 1) * 500 / 8;
            ck_assert_msg((px[cy * w + cx] & 0xFFFFFF) == pattern_block_colour(bx, by),
                          "block %d,%d at (%d,%d): %06X", bx, by, cx, cy, px[cy * w + cx] & 0xFFFFFF);
        }
    }
    free(px);
    rig_free(r);
}
END_TEST

/* DOPPEL_SDL_SCALE=integer: whole multiples only, nearest-neighbour, so a
 * 2x window shows every source pixel as an exact 2x2 square. */
START_TEST(test_window_integer_scale)
{
    setenv("DOPPEL_SDL_SCALE", "integer", 1);
    Rig *r = rig_new(320, 240);
    ck_assert_int_eq(rig_run(r, 200), 42);
    SDL_SetWindowSize(rig_window(), 700, 500);
    ck_assert_int_eq(rig_run(r, 300), 42);
    int w, h;
    uint32_t *px = rig_read(r, &w, &h);
    ck_assert_int_eq(w, 700);
    ck_assert_int_eq(h, 500);
    int x0 = (700 - 640) / 2, y0 = (500 - 480) / 2;
    for (int y = 0; y < 480; y++) {
        for (int x = 0; x < 640; x++) {
            uint32_t got = px[(y0 + y) * w + x0 + x] & 0xFFFFFF;
            uint32_t want = r->fake.fb[(y / 2) * 320 + x / 2];
            ck_assert_msg(got == want, "(%d,%d): %06X, want %06X", x, y, got, want);
        }
    }
    ck_assert_uint_eq(px[(y0 - 1) * w + x0] & 0xFFFFFF, 0);
    ck_assert_uint_eq(px[y0 * w + x0 - 1] & 0xFFFFFF, 0);
    free(px);
    /* 1.5x of room: still 1x, centred. */
    SDL_SetWindowSize(rig_window(), 480, 360);
    ck_assert_int_eq(rig_run(r, 300), 42);
    px = rig_read(r, &w, &h);
    ck_assert_int_eq(w, 480);
    x0 = (480 - 320) / 2;
    y0 = (360 - 240) / 2;
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 320; x++)
            ck_assert_uint_eq(px[(y0 + y) * w + x0 + x] & 0xFFFFFF, r->fake.fb[y * 320 + x]);
    free(px);
    rig_free(r);
    unsetenv("DOPPEL_SDL_SCALE");
}
END_TEST

/* A source with nothing to show, or with a size no display has, leaves
 * the window black (and doppel running). */
START_TEST(test_window_blank_and_bad_sizes)
{
    Rig *r = rig_new(64, 48);
    ck_assert_int_eq(rig_run(r, 200), 42);
    r->fake.blank = true;
    r->fake.dirty = true;
    ck_assert_int_eq(rig_run(r, 200), 42);
    int w, h;
    uint32_t *px = rig_read(r, &w, &h);
    for (int i = 0; i < w * h; i++)
        ck_assert_uint_eq(px[i] & 0xFFFFFF, 0);
    free(px);
    r->fake.blank = false;
    r->fake.w = 100000;   /* what a confused device might claim */
    r->fake.dirty = true;
    ck_assert_int_eq(rig_run(r, 200), 42);
    r->fake.w = 0;
    r->fake.dirty = true;
    ck_assert_int_eq(rig_run(r, 200), 42);
    px = rig_read(r, &w, &h);
    for (int i = 0; i < w * h; i++)
        ck_assert_uint_eq(px[i] & 0xFFFFFF, 0);
    free(px);
    rig_free(r);
}
END_TEST

START_TEST(test_window_keyboard)
{
    Rig *r = rig_new(320, 200);
    ck_assert_int_eq(rig_run(r, 100), 42);
    r->fake.nkeys = 0;
    push_key(SDL_SCANCODE_A, true, false);
    push_key(SDL_SCANCODE_A, true, true);      /* SDL's auto-repeat: dropped */
    push_key(SDL_SCANCODE_A, false, false);
    push_key(SDL_SCANCODE_RCTRL, true, false);
    push_key(SDL_SCANCODE_RCTRL, false, false);
    push_key(SDL_SCANCODE_PAUSE, true, false);
    push_key(SDL_SCANCODE_PAUSE, false, false);
    push_key(SDL_SCANCODE_B, false, false);    /* never pressed here: dropped */
    ck_assert_int_eq(rig_run(r, 100), 42);
    static const uint8_t want[] = {
        0x1C, 0xF0, 0x1C,
        0xE0, 0x14, 0xE0, 0xF0, 0x14,
        0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77,
    };
    assert_bytes(&r->fake, want, (int)sizeof(want));

    /* Focus lost with a key held: the guest gets its break. */
    r->fake.nkeys = 0;
    push_key(SDL_SCANCODE_LEFT, true, false);
    push_window_event(SDL_WINDOWEVENT_FOCUS_LOST);
    push_key(SDL_SCANCODE_LEFT, false, false); /* already released: dropped */
    ck_assert_int_eq(rig_run(r, 100), 42);
    assert_bytes(&r->fake, (const uint8_t[]){ 0xE0, 0x6B, 0xE0, 0xF0, 0x6B }, 5);
    rig_free(r);
}
END_TEST

START_TEST(test_window_grab_hotkeys)
{
    static const char *grabbed_title = "doppel \xe2\x80\x94 pc \xe2\x80\x94 Press Ctrl+Alt+G to release";
    Rig *r = rig_new(320, 200);
    ck_assert_int_eq(rig_run(r, 100), 42);
    ck_assert(!display_sdl_grabbed(r->fe));
    r->fake.nkeys = 0;
    push_key(SDL_SCANCODE_LCTRL, true, false);
    push_key(SDL_SCANCODE_LALT, true, false);
    push_key(SDL_SCANCODE_G, true, false);
    push_key(SDL_SCANCODE_G, false, false);
    ck_assert_int_eq(rig_run(r, 100), 42);
    ck_assert(display_sdl_grabbed(r->fe));
    assert_window_title(grabbed_title);
    /* The guest saw Ctrl and Alt go down, never the G. */
    assert_bytes(&r->fake, (const uint8_t[]){ 0x14, 0x11 }, 2);
    push_key(SDL_SCANCODE_G, true, false);
    push_key(SDL_SCANCODE_G, false, false);
    push_key(SDL_SCANCODE_LALT, false, false);
    push_key(SDL_SCANCODE_LCTRL, false, false);
    ck_assert_int_eq(rig_run(r, 100), 42);
    ck_assert(!display_sdl_grabbed(r->fe));
    assert_window_title("doppel \xe2\x80\x94 pc");
    assert_bytes(&r->fake, (const uint8_t[]){ 0x14, 0x11, 0xF0, 0x11, 0xF0, 0x14 }, 6);
    /* Ctrl+Alt+F: fullscreen and back, the F never reaching the guest. */
    r->fake.nkeys = 0;
    push_key(SDL_SCANCODE_RCTRL, true, false);
    push_key(SDL_SCANCODE_RALT, true, false);
    push_key(SDL_SCANCODE_F, true, false);
    push_key(SDL_SCANCODE_F, false, false);
    ck_assert_int_eq(rig_run(r, 200), 42);
    ck_assert(SDL_GetWindowFlags(rig_window()) & SDL_WINDOW_FULLSCREEN_DESKTOP);
    push_key(SDL_SCANCODE_F, true, false);
    push_key(SDL_SCANCODE_F, false, false);
    push_key(SDL_SCANCODE_RALT, false, false);
    push_key(SDL_SCANCODE_RCTRL, false, false);
    ck_assert_int_eq(rig_run(r, 200), 42);
    ck_assert(!(SDL_GetWindowFlags(rig_window()) & SDL_WINDOW_FULLSCREEN));
    assert_bytes(&r->fake, (const uint8_t[]){ 0xE0, 0x14, 0xE0, 0x11,
                                              0xE0, 0xF0, 0x11, 0xE0, 0xF0, 0x14 }, 10);
    rig_free(r);
}
END_TEST

START_TEST(test_window_mouse)
{
    Rig *r = rig_new(320, 200);
    ck_assert_int_eq(rig_run(r, 100), 42);
    /* Not grabbed: the guest gets no motion. */
    push_motion(3, 4);
    ck_assert_int_eq(rig_run(r, 50), 42);
    ck_assert_int_eq(r->fake.nmouse, 0);
    /* A click grabs; the click itself is not the guest's. */
    push_button(SDL_BUTTON_LEFT, true);
    push_button(SDL_BUTTON_LEFT, false);
    ck_assert_int_eq(rig_run(r, 100), 42);
    ck_assert(display_sdl_grabbed(r->fe));
    ck_assert_int_eq(r->fake.nmouse, 0);
    /* Motion of one poll pass arrives as one event; then buttons, wheel. */
    r->fake.nmouse = 0;
    push_motion(5, -3);
    push_motion(5, -3);
    push_button(SDL_BUTTON_RIGHT, true);
    push_motion(-1, 2);
    push_button(SDL_BUTTON_MIDDLE, true);
    push_button(SDL_BUTTON_RIGHT, false);
    SDL_Event ev;
    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_MOUSEWHEEL;
    ev.wheel.y = 1;                 /* away from the user */
    ev.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
    ck_assert_int_eq(SDL_PushEvent(&ev), 1);
    ck_assert_int_eq(rig_run(r, 100), 42);
    static const MouseEv want[] = {
        { 10, -6, 0, 0 }, { 0, 0, 0, 2 }, { -1, 2, 0, 2 }, { 0, 0, 0, 6 }, { 0, 0, 0, 4 },
        { 0, 0, -1, 4 },
    };
    ck_assert_int_eq(r->fake.nmouse, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(!memcmp(&r->fake.mouse[i], &want[i], sizeof(MouseEv)),
                      "event %d: %d %d %d %u", i, r->fake.mouse[i].dx, r->fake.mouse[i].dy,
                      r->fake.mouse[i].dz, r->fake.mouse[i].buttons);
    /* Releasing the grab with the middle button held lets go of it. */
    r->fake.nmouse = 0;
    push_key(SDL_SCANCODE_LCTRL, true, false);
    push_key(SDL_SCANCODE_LALT, true, false);
    push_key(SDL_SCANCODE_G, true, false);
    ck_assert_int_eq(rig_run(r, 100), 42);
    ck_assert(!display_sdl_grabbed(r->fe));
    ck_assert_int_eq(r->fake.nmouse, 1);
    ck_assert_uint_eq(r->fake.mouse[0].buttons, 0);
    rig_free(r);
}
END_TEST

static void ps2_keys_hook(void *opaque, const uint8_t *set2, int n)
{
    ps2_kbd_put_scancode(opaque, set2, n);
}

static void irq_ignore(void *opaque, int n, int level)
{
    (void)opaque;
    (void)n;
    (void)level;
}

/* End to end with the real 8042: with translation on (command byte bit 6,
 * as every PC BIOS leaves it) the guest reads set 1 at port 0x60:
 * A = 1E 9E, Right Ctrl = E0 1D E0 9D, Pause = E1 1D 45 E1 9D C5. */
START_TEST(test_window_to_ps2)
{
    Rig *r = rig_new(320, 200);
    AddressSpace io;
    as_init(&io, "io", ~0ull);
    Ps2 *ps2 = ps2_create(&io, irq_line(irq_ignore, NULL, 1), irq_line(irq_ignore, NULL, 12),
                          NULL, NULL);
    ck_assert_ptr_nonnull(ps2);
    ps2_write(ps2, PS2_CMD_PORT, 0x60);
    ps2_write(ps2, PS2_DATA_PORT, PS2_MODE_KBD_INT | PS2_MODE_SYS | PS2_MODE_XLATE);
    r->m.kbd_put_scancodes = ps2_keys_hook;
    r->m.input_opaque = ps2;
    push_key(SDL_SCANCODE_A, true, false);
    push_key(SDL_SCANCODE_A, false, false);
    push_key(SDL_SCANCODE_RCTRL, true, false);
    push_key(SDL_SCANCODE_RCTRL, false, false);
    push_key(SDL_SCANCODE_PAUSE, true, false);
    push_key(SDL_SCANCODE_PAUSE, false, false);
    ck_assert_int_eq(rig_run(r, 100), 42);
    static const uint8_t want[] = { 0x1E, 0x9E, 0xE0, 0x1D, 0xE0, 0x9D,
                                    0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5 };
    uint8_t got[32];
    int n = 0;
    while (n < 32 && (ps2_read(ps2, PS2_CMD_PORT) & PS2_STAT_OBF))
        got[n++] = ps2_read(ps2, PS2_DATA_PORT);
    ck_assert_int_eq(n, (int)sizeof(want));
    for (int i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "byte %d: %02X, want %02X", i, got[i], want[i]);
    r->m.kbd_put_scancodes = NULL;
    rig_free(r);
    ps2_destroy(ps2);
    as_destroy(&io);
}
END_TEST

/* Closing the window (SDL_QUIT: the last window closed, or SIGINT/SIGTERM
 * caught by SDL) powers the VM off: the main loop returns 0. */
START_TEST(test_window_quit_powers_off)
{
    Rig *r = rig_new(320, 200);
    ck_assert_int_eq(rig_run(r, 100), 42);
    push_simple(SDL_QUIT);
    ck_assert_int_eq(rig_run(r, 2000), 0);
    ck_assert_int_eq(r->m.exit_code, 0);
    rig_free(r);
}
END_TEST

START_TEST(test_window_close_powers_off)
{
    Rig *r = rig_new(320, 200);
    ck_assert_int_eq(rig_run(r, 100), 42);
    push_window_event(SDL_WINDOWEVENT_CLOSE);
    ck_assert_int_eq(rig_run(r, 2000), 0);
    rig_free(r);
}
END_TEST

/* icount: virtual time runs at the guest's pace; events are still polled. */
START_TEST(test_window_icount)
{
    Rig *r = calloc(1, sizeof(*r));
    r->cfg.icount_shift = 3;
    r->cfg.display = DISPLAY_SDL;
    ck_assert(machine_init(&r->m, &r->cfg, &fake_board));
    char err[256];
    r->fe = display_sdl_create(&r->m, err, sizeof(err));
    ck_assert_msg(r->fe != NULL, "%s", err);
    r->m.kbd_put_scancodes = fake_keys;
    r->m.input_opaque = &r->fake;
    display_sdl_start(r->fe);
    timer_init(&r->stop_timer, &r->m.clock, rig_stop, r);
    push_key(SDL_SCANCODE_ESCAPE, true, false);
    push_simple(SDL_QUIT);
    /* With no CPU, icount warps straight from timer to timer. */
    ck_assert_int_eq(rig_run(r, 60 * 1000), 0);
    assert_bytes(&r->fake, (const uint8_t[]){ 0x76 }, 1);
    rig_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sdl_window");
    TCase *tk = tcase_create("keymap");
    tcase_add_test(tk, test_keymap_basic_and_extended);
    tcase_add_test(tk, test_keymap_pause_printscreen);
    tcase_add_test(tk, test_keymap_bad_scancodes);
    tcase_add_test(tk, test_keymap_full_layout_distinct);
    suite_add_tcase(s, tk);
    TCase *tw = tcase_create("window");
    tcase_set_timeout(tw, 60);
    tcase_add_test(tw, test_window_shows_pattern);
    tcase_add_test(tw, test_window_redraws_only_on_change);
    tcase_add_test(tw, test_window_text_then_mode_change);
    tcase_add_test(tw, test_window_scaled_to_fit);
    tcase_add_test(tw, test_window_integer_scale);
    tcase_add_test(tw, test_window_blank_and_bad_sizes);
    tcase_add_test(tw, test_window_keyboard);
    tcase_add_test(tw, test_window_grab_hotkeys);
    tcase_add_test(tw, test_window_mouse);
    tcase_add_test(tw, test_window_to_ps2);
    tcase_add_test(tw, test_window_quit_powers_off);
    tcase_add_test(tw, test_window_close_powers_off);
    tcase_add_test(tw, test_window_icount);
    suite_add_tcase(s, tw);
    SRunner *sr = srunner_create(s);
    /* Each test in its own process: SDL 2's X11 driver cannot always be
     * initialised again in a process that shut it down. */
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
