/*
 * The SDL2 window (see display.h): shows the board's DisplaySource and
 * sends host keyboard and mouse input to the board's input hooks, like
 * QEMU's SDL display.
 *
 * Everything runs on the main loop's thread from one periodic Timer on the
 * virtual clock, so the CPU is never blocked: each tick polls SDL events
 * and, at most 60 times a second of host time and only when the source
 * says it changed, renders a frame. In icount mode virtual time runs at
 * its own pace, so the timer period is adapted to keep ~10 ms of host time
 * between ticks.
 *
 * The picture keeps its aspect ratio and is centred on black: scaled to
 * fit (nearest-neighbour when the factor is a whole number, so text stays
 * sharp on HiDPI screens; linear otherwise), or only by whole multiples
 * when DOPPEL_SDL_SCALE=integer. The window follows the guest's mode size.
 *
 * Keyboard: SDL scancodes -> PS/2 set 2 (sdl_keymap.c); SDL's own key
 * repeat is dropped since the guest's keyboard does typematic repeat.
 * Mouse: clicking the window grabs it (relative motion, hidden cursor);
 * Ctrl+Alt+G releases, Ctrl+Alt+F toggles fullscreen. Closing the window
 * powers the VM off (exit status 0 after the board flushes its disks).
 */
#include "frontends/sdl.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SDL_POLL_NS (10 * 1000 * 1000)        /* host ns between event polls */
#define SDL_FRAME_NS (1000 * 1000 * 1000 / 60) /* at most 60 frames a second */
#define SDL_MAX_DIM 16384                     /* largest source size accepted */
#define SDL_DEFAULT_W 640
#define SDL_DEFAULT_H 480
/* icount: bounds of the adapted timer period in virtual ns. */
#define SDL_MIN_PERIOD_NS (100 * 1000)
#define SDL_MAX_PERIOD_NS (100 * 1000 * 1000)

#define SDL_TITLE_SEP " \xe2\x80\x94 "        /* " — " */

struct Frontend {
    Machine *m;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int src_w, src_h;           /* size of the texture (the guest mode) */
    bool have_frame;            /* the texture holds a rendered frame */
    bool dirty;                 /* the window must be redrawn */
    bool integer_scale;
    bool grabbed;
    bool fullscreen;
    bool started;
    Timer timer;
    int64_t last_tick_host, last_tick_virt;
    int64_t last_poll;          /* host ns of the last event poll */
    int64_t last_frame;         /* host ns of the last drawn frame */
    /* Keys whose make code the guest got (their break is still due), and
     * hotkey keys whose release must not reach the guest. */
    bool held[SDL_NUM_SCANCODES];
    bool swallowed[SDL_NUM_SCANCODES];
    unsigned buttons;           /* PS/2 bits: 0 left, 1 right, 2 middle, 3/4 side */
    int motion_dx, motion_dy;   /* relative motion not yet sent */
};

/* ---- input */

static void sdl_send_keys(Frontend *f, const uint8_t *codes, int n)
{
    Machine *m = f->m;
    if (n > 0 && m->kbd_put_scancodes)
        m->kbd_put_scancodes(m->input_opaque, codes, n);
}

static void sdl_send_mouse(Frontend *f, int dx, int dy, int dz)
{
    Machine *m = f->m;
    if (m->mouse_event)
        m->mouse_event(m->input_opaque, dx, dy, dz, f->buttons);
}

/* Send the motion gathered in this poll pass as one event, so a fast mouse
 * does not flood the guest's small PS/2 queue. */
static void sdl_flush_motion(Frontend *f)
{
    if (!f->motion_dx && !f->motion_dy)
        return;
    sdl_send_mouse(f, f->motion_dx, f->motion_dy, 0);
    f->motion_dx = f->motion_dy = 0;
}

static unsigned sdl_mods(const Frontend *f, Uint16 kmod)
{
    unsigned mods = 0;
    if ((kmod & KMOD_SHIFT) || f->held[SDL_SCANCODE_LSHIFT] || f->held[SDL_SCANCODE_RSHIFT])
        mods |= SDL_KEYMAP_MOD_SHIFT;
    if ((kmod & KMOD_CTRL) || f->held[SDL_SCANCODE_LCTRL] || f->held[SDL_SCANCODE_RCTRL])
        mods |= SDL_KEYMAP_MOD_CTRL;
    if ((kmod & KMOD_ALT) || f->held[SDL_SCANCODE_LALT] || f->held[SDL_SCANCODE_RALT])
        mods |= SDL_KEYMAP_MOD_ALT;
    return mods;
}

static void sdl_update_title(Frontend *f)
{
    const char *board = f->m->board && f->m->board->name ? f->m->board->name : "vm";
    char title[128];
    snprintf(title, sizeof(title), "doppel" SDL_TITLE_SEP "%s%s", board,
             f->grabbed ? SDL_TITLE_SEP "Press Ctrl+Alt+G to release" : "");
    SDL_SetWindowTitle(f->win, title);
}

static void sdl_set_grab(Frontend *f, bool on)
{
    if (on == f->grabbed)
        return;
    sdl_flush_motion(f);
    if (!on && f->buttons) {
        /* The guest must not keep a button pressed it never sees released. */
        f->buttons = 0;
        sdl_send_mouse(f, 0, 0, 0);
    }
    /* Relative mode hides the cursor and reports motion beyond the window
     * edge; if the platform lacks it, motion still arrives with xrel/yrel. */
    SDL_SetRelativeMouseMode(on ? SDL_TRUE : SDL_FALSE);
    SDL_SetWindowGrab(f->win, on ? SDL_TRUE : SDL_FALSE);
    f->grabbed = on;
    sdl_update_title(f);
}

/* Focus went elsewhere: the guest gets the breaks of every key it holds. */
static void sdl_release_all(Frontend *f)
{
    Uint16 none = 0;
    for (int sc = 0; sc < SDL_NUM_SCANCODES; sc++) {
        f->swallowed[sc] = false;
        if (!f->held[sc])
            continue;
        f->held[sc] = false;
        uint8_t codes[SDL_KEYMAP_MAX];
        sdl_send_keys(f, codes, sdl_keymap_set2(sc, false, sdl_mods(f, none), codes));
    }
    sdl_set_grab(f, false);
}

static void sdl_toggle_fullscreen(Frontend *f)
{
    f->fullscreen = !f->fullscreen;
    SDL_SetWindowFullscreen(f->win, f->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    f->dirty = true;
}

static void sdl_key(Frontend *f, const SDL_KeyboardEvent *ev)
{
    int sc = ev->keysym.scancode;
    if (sc <= SDL_SCANCODE_UNKNOWN || sc >= SDL_NUM_SCANCODES)
        return;
    bool down = ev->type == SDL_KEYDOWN;
    unsigned mods = sdl_mods(f, ev->keysym.mod);
    if (down) {
        if (ev->repeat)
            return;   /* the guest's keyboard repeats on its own */
        bool hot = (mods & SDL_KEYMAP_MOD_CTRL) && (mods & SDL_KEYMAP_MOD_ALT);
        if (hot && sc == SDL_SCANCODE_G) {
            f->swallowed[sc] = true;
            sdl_set_grab(f, !f->grabbed);
            return;
        }
        if (hot && sc == SDL_SCANCODE_F) {
            f->swallowed[sc] = true;
            sdl_toggle_fullscreen(f);
            return;
        }
        uint8_t codes[SDL_KEYMAP_MAX];
        int n = sdl_keymap_set2(sc, true, mods, codes);
        if (n > 0) {
            f->held[sc] = true;
            sdl_send_keys(f, codes, n);
        }
        return;
    }
    if (f->swallowed[sc]) {
        f->swallowed[sc] = false;
        return;
    }
    if (!f->held[sc])
        return;   /* pressed before we had focus: the guest never saw it */
    f->held[sc] = false;
    uint8_t codes[SDL_KEYMAP_MAX];
    sdl_send_keys(f, codes, sdl_keymap_set2(sc, false, mods, codes));
}

static unsigned sdl_button_bit(Uint8 button)
{
    switch (button) {
    case SDL_BUTTON_LEFT: return 1u << 0;
    case SDL_BUTTON_RIGHT: return 1u << 1;
    case SDL_BUTTON_MIDDLE: return 1u << 2;
    case SDL_BUTTON_X1: return 1u << 3;
    case SDL_BUTTON_X2: return 1u << 4;
    default: return 0;
    }
}

static void sdl_button(Frontend *f, const SDL_MouseButtonEvent *ev)
{
    bool down = ev->type == SDL_MOUSEBUTTONDOWN;
    if (!f->grabbed) {
        /* A click into the window grabs the mouse; the guest does not get
         * this click (nor its release: the bit is not in f->buttons). */
        if (down && ev->button == SDL_BUTTON_LEFT)
            sdl_set_grab(f, true);
        return;
    }
    unsigned bit = sdl_button_bit(ev->button);
    unsigned nb = down ? (f->buttons | bit) : (f->buttons & ~bit);
    if (!bit || nb == f->buttons)
        return;
    sdl_flush_motion(f);
    f->buttons = nb;
    sdl_send_mouse(f, 0, 0, 0);
}

static void sdl_wheel(Frontend *f, const SDL_MouseWheelEvent *ev)
{
    if (!f->grabbed)
        return;
    /* SDL: y > 0 scrolls away from the user; PS/2 dz > 0 is towards. */
    int y = ev->direction == SDL_MOUSEWHEEL_FLIPPED ? -ev->y : ev->y;
    if (!y)
        return;
    sdl_flush_motion(f);
    sdl_send_mouse(f, 0, 0, -y);
}

static void sdl_window_event(Frontend *f, const SDL_WindowEvent *ev)
{
    switch (ev->event) {
    case SDL_WINDOWEVENT_EXPOSED:
    case SDL_WINDOWEVENT_SIZE_CHANGED:
    case SDL_WINDOWEVENT_RESIZED:
    case SDL_WINDOWEVENT_RESTORED:
        f->dirty = true;
        break;
    case SDL_WINDOWEVENT_FOCUS_LOST:
        sdl_release_all(f);
        break;
    case SDL_WINDOWEVENT_CLOSE:
        machine_request_stop(f->m, STOP_POWEROFF, EXIT_OK);
        break;
    default:
        break;
    }
}

static void sdl_poll_events(Frontend *f)
{
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        switch (ev.type) {
        case SDL_QUIT:
            machine_request_stop(f->m, STOP_POWEROFF, EXIT_OK);
            break;
        case SDL_KEYDOWN:
        case SDL_KEYUP:
            sdl_key(f, &ev.key);
            break;
        case SDL_MOUSEMOTION:
            if (f->grabbed) {
                f->motion_dx += ev.motion.xrel;
                f->motion_dy += ev.motion.yrel;
            }
            break;
        case SDL_MOUSEBUTTONDOWN:
        case SDL_MOUSEBUTTONUP:
            sdl_button(f, &ev.button);
            break;
        case SDL_MOUSEWHEEL:
            sdl_wheel(f, &ev.wheel);
            break;
        case SDL_WINDOWEVENT:
            sdl_window_event(f, &ev.window);
            break;
        default:
            break;
        }
    }
    sdl_flush_motion(f);
}

/* ---- output */

/* Where the src_w x src_h picture goes in an out_w x out_h drawable. */
static SDL_Rect sdl_dest_rect(const Frontend *f, int out_w, int out_h)
{
    int64_t w = f->src_w, h = f->src_h, dw, dh;
    int64_t k = out_w / w < out_h / h ? out_w / w : out_h / h;
    if (f->integer_scale && k >= 1) {
        dw = w * k;
        dh = h * k;
    } else if ((int64_t)out_w * h <= (int64_t)out_h * w) {
        dw = out_w;
        dh = (out_w * h + w / 2) / w;
    } else {
        dh = out_h;
        dw = (out_h * w + h / 2) / h;
    }
    SDL_Rect r = { (int)((out_w - dw) / 2), (int)((out_h - dh) / 2), (int)dw, (int)dh };
    return r;
}

/* Clear to black and copy the picture into the renderer's back buffer. */
static void sdl_draw(Frontend *f)
{
    SDL_SetRenderDrawColor(f->ren, 0, 0, 0, 255);
    SDL_RenderClear(f->ren);
    int ow = 0, oh = 0;
    if (!f->have_frame || !f->tex || SDL_GetRendererOutputSize(f->ren, &ow, &oh) != 0 ||
        ow <= 0 || oh <= 0)
        return;
    SDL_Rect dst = sdl_dest_rect(f, ow, oh);
    bool whole = dst.w % f->src_w == 0 && dst.h % f->src_h == 0 &&
                 dst.w / f->src_w == dst.h / f->src_h;
    SDL_SetTextureScaleMode(f->tex, whole ? SDL_ScaleModeNearest : SDL_ScaleModeLinear);
    SDL_RenderCopy(f->ren, f->tex, NULL, &dst);
}

/* New guest mode: size the window to it (shrunk to fit the screen),
 * unless the user chose fullscreen or maximized it. */
static void sdl_fit_window(Frontend *f, int w, int h)
{
    if (f->fullscreen || (SDL_GetWindowFlags(f->win) & SDL_WINDOW_MAXIMIZED))
        return;
    int64_t ww = w, wh = h;
    SDL_Rect usable;
    int disp = SDL_GetWindowDisplayIndex(f->win);
    if (disp >= 0 && SDL_GetDisplayUsableBounds(disp, &usable) == 0 &&
        usable.w > 0 && usable.h > 0 && (ww > usable.w || wh > usable.h)) {
        if (ww * usable.h > wh * usable.w) {
            wh = wh * usable.w / ww;
            ww = usable.w;
        } else {
            ww = ww * usable.h / wh;
            wh = usable.h;
        }
    }
    SDL_SetWindowSize(f->win, ww > 0 ? (int)ww : 1, wh > 0 ? (int)wh : 1);
}

/* Fetch a new frame from the source if it changed; true if it did. */
static bool sdl_fetch_frame(Frontend *f)
{
    const DisplaySource *d = &f->m->display;
    if (!d->opaque || !d->render)
        return false;
    if (f->have_frame && d->changed && !d->changed(d->opaque))
        return false;
    const uint32_t *px = NULL;
    int w = 0, h = 0;
    if (!d->render(d->opaque, &px, &w, &h) || !px ||
        w <= 0 || h <= 0 || w > SDL_MAX_DIM || h > SDL_MAX_DIM) {
        bool had = f->have_frame;
        f->have_frame = false;
        return had;   /* went blank: redraw black once */
    }
    if (!f->tex || w != f->src_w || h != f->src_h) {
        if (f->tex)
            SDL_DestroyTexture(f->tex);
        /* RGB888 is SDL's name for 32-bit 0x00RRGGBB in host order. */
        f->tex = SDL_CreateTexture(f->ren, SDL_PIXELFORMAT_RGB888,
                                   SDL_TEXTUREACCESS_STREAMING, w, h);
        if (!f->tex) {
            f->have_frame = false;
            return true;
        }
        f->src_w = w;
        f->src_h = h;
        sdl_fit_window(f, w, h);
    }
    SDL_UpdateTexture(f->tex, NULL, px, w * (int)sizeof(uint32_t));
    f->have_frame = true;
    return true;
}

static void sdl_refresh(Frontend *f)
{
    if (sdl_fetch_frame(f))
        f->dirty = true;
    if (!f->dirty)
        return;
    sdl_draw(f);
    SDL_RenderPresent(f->ren);
    f->dirty = false;
}

/* ---- the timer */

static void sdl_arm(Frontend *f, int64_t host_now, int64_t virt_now)
{
    int64_t period = SDL_POLL_NS;
    VirtClock *c = &f->m->clock;
    if (c->mode == CLOCK_ICOUNT) {
        /* Scale by how fast virtual time ran against host time lately. */
        int64_t dh = host_now - f->last_tick_host, dv = virt_now - f->last_tick_virt;
        if (dh > 0 && dv > 0) {
            double p = (double)SDL_POLL_NS * (double)dv / (double)dh;
            period = p < SDL_MIN_PERIOD_NS ? SDL_MIN_PERIOD_NS
                   : p > SDL_MAX_PERIOD_NS ? SDL_MAX_PERIOD_NS : (int64_t)p;
        }
    }
    f->last_tick_host = host_now;
    f->last_tick_virt = virt_now;
    timer_mod(&f->timer, virt_now + period);
}

static void sdl_tick(void *opaque)
{
    Frontend *f = opaque;
    int64_t host_now = host_clock_ns(), virt_now = clock_now(&f->m->clock);
    /* icount can run virtual time faster than the host's: skip early ticks. */
    if (host_now - f->last_poll >= SDL_POLL_NS / 2) {
        f->last_poll = host_now;
        sdl_poll_events(f);
        if (host_now - f->last_frame >= SDL_FRAME_NS) {
            sdl_refresh(f);
            f->last_frame = host_now;
        }
    }
    sdl_arm(f, host_now, virt_now);
}

/* ---- lifecycle */

/* Whether video driver name may be tried. SDL falls back to drivers that
 * show nothing (offscreen, dummy) when no desktop is reachable; KMS/DRM
 * takes over a text console, so only -display sdl may pick it; Wayland is
 * tried only in a Wayland session (libwayland complains on stderr
 * otherwise). SDL_VIDEODRIVER from the user overrides all of this. */
static bool sdl_driver_ok(const char *name, bool forced)
{
    if (!SDL_strcasecmp(name, "offscreen") || !SDL_strcasecmp(name, "dummy") ||
        !SDL_strcasecmp(name, "evdev"))
        return false;
    if (!SDL_strcasecmp(name, "KMSDRM"))
        return forced;
    if (!SDL_strcasecmp(name, "wayland"))
        return getenv("WAYLAND_DISPLAY") != NULL;
    return true;
}

/* Initialise SDL video with the first usable driver; on failure, why the
 * first one tried failed goes to why. */
static bool sdl_init_video(bool forced, char *why, size_t whylen)
{
    why[0] = '\0';
    if (getenv("SDL_VIDEODRIVER")) {
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0)
            return true;
        snprintf(why, whylen, "%s", SDL_GetError());
        return false;
    }
    int n = SDL_GetNumVideoDrivers();
    for (int i = 0; i < n; i++) {
        const char *name = SDL_GetVideoDriver(i);
        if (!name || !sdl_driver_ok(name, forced))
            continue;
        SDL_SetHint(SDL_HINT_VIDEODRIVER, name);
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) == 0)
            return true;
        if (!why[0])
            snprintf(why, whylen, "%s: %s", name, SDL_GetError());
    }
    SDL_SetHint(SDL_HINT_VIDEODRIVER, NULL);
    return false;
}

Frontend *display_sdl_create(Machine *m, char *err, size_t errlen)
{
    bool forced = m->cfg && m->cfg->display == DISPLAY_SDL;
    /* Leave the desktop's compositor alone; grab the keyboard with the
     * mouse so Alt+Tab and friends reach the guest while grabbed. */
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    char why[160];
    if (!sdl_init_video(forced, why, sizeof(why))) {
        bool no_desktop = !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY");
        snprintf(err, errlen, "doppel: -display sdl: cannot open a window (%s%s)",
                 why[0] ? why : "no video driver",
                 no_desktop ? "; DISPLAY and WAYLAND_DISPLAY are not set" : "");
        return NULL;
    }
    Frontend *f = calloc(1, sizeof(*f));
    if (!f) {
        SDL_QuitSubSystem(SDL_INIT_VIDEO);
        snprintf(err, errlen, "doppel: out of memory");
        return NULL;
    }
    f->m = m;
    const char *scale = getenv("DOPPEL_SDL_SCALE");
    f->integer_scale = scale && !strcmp(scale, "integer");
    f->win = SDL_CreateWindow("doppel", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                              SDL_DEFAULT_W, SDL_DEFAULT_H,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    /* No vsync: presenting must never block the CPU's thread. */
    f->ren = f->win ? SDL_CreateRenderer(f->win, -1, 0) : NULL;
    if (!f->ren) {
        snprintf(err, errlen, "doppel: -display sdl: cannot open a window: %s", SDL_GetError());
        display_sdl_destroy(f);
        return NULL;
    }
    SDL_StopTextInput();   /* keys only; no IME composition */
    sdl_update_title(f);
    f->dirty = true;
    sdl_refresh(f);
    return f;
}

void display_sdl_start(Frontend *f)
{
    Machine *m = f->m;
    timer_init(&f->timer, &m->clock, sdl_tick, f);
    f->last_tick_host = host_clock_ns() - SDL_POLL_NS;
    f->last_tick_virt = clock_now(&m->clock);
    f->last_poll = f->last_tick_host;
    f->last_frame = f->last_tick_host - SDL_FRAME_NS;
    f->started = true;
    timer_mod(&f->timer, clock_now(&m->clock));
}

void display_sdl_finish(Frontend *f)
{
    if (f->started) {
        timer_del(&f->timer);
        f->started = false;
    }
    sdl_set_grab(f, false);
    SDL_HideWindow(f->win);
}

void display_sdl_destroy(Frontend *f)
{
    if (!f)
        return;
    if (f->started)
        timer_del(&f->timer);
    if (f->tex)
        SDL_DestroyTexture(f->tex);
    if (f->ren)
        SDL_DestroyRenderer(f->ren);
    if (f->win)
        SDL_DestroyWindow(f->win);
    free(f);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    SDL_Quit();
}

bool display_sdl_read_window(Frontend *f, uint32_t **pixels, int *w, int *h)
{
    int ow = 0, oh = 0;
    if (SDL_GetRendererOutputSize(f->ren, &ow, &oh) != 0 || ow <= 0 || oh <= 0)
        return false;
    uint32_t *buf = malloc((size_t)ow * (size_t)oh * sizeof(uint32_t));
    if (!buf)
        return false;
    sdl_draw(f);
    if (SDL_RenderReadPixels(f->ren, NULL, SDL_PIXELFORMAT_RGB888, buf,
                             ow * (int)sizeof(uint32_t)) != 0) {
        free(buf);
        return false;
    }
    SDL_RenderPresent(f->ren);
    *pixels = buf;
    *w = ow;
    *h = oh;
    return true;
}

bool display_sdl_grabbed(const Frontend *f)
{
    return f->grabbed;
}
