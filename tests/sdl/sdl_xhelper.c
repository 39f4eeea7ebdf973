/*
 * Test helper for tests/sdl/sdl-guest.sh: drives doppel's SDL window from
 * outside, as a user at the X server would (xdotool/xwd are not needed):
 *
 *   sdl_xhelper type TEXT      focus the window titled "doppel..." and type
 *                              TEXT through the XTEST extension (real X key
 *                              events; "\n" is Return, uppercase and shifted
 *                              symbols press Shift)
 *   sdl_xhelper capture OUT.png  write what the window shows (XGetImage)
 *   sdl_xhelper info A.png     print "W H NONBLACK" (pixels that are not black)
 *   sdl_xhelper compare A.png B.png MAX_PERMILLE
 *                              same size and at most MAX_PERMILLE per mille
 *                              of pixels differing (a blinking cursor may
 *                              differ); exit 1 otherwise
 *
 * libXtst is opened with dlopen so only libX11's headers are needed to
 * build (Debian ships libXtst.so.6 with Xvfb, its headers only in
 * libxtst-dev). Exit status: 0 ok, 1 check failed, 2 usage or X error.
 */
#include <X11/XKBlib.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/keysym.h>
#include <dlfcn.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int (*FakeKeyFn)(Display *, unsigned int, Bool, unsigned long);

static void xh_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* The viewable top-level window whose WM_NAME starts with "doppel". */
static Window xh_find_window(Display *d)
{
    Window root = DefaultRootWindow(d), r, p, *kids = NULL, found = None;
    unsigned n = 0;
    if (!XQueryTree(d, root, &r, &p, &kids, &n))
        return None;
    for (unsigned i = 0; i < n && found == None; i++) {
        XWindowAttributes wa;
        if (!XGetWindowAttributes(d, kids[i], &wa) || wa.map_state != IsViewable)
            continue;
        char *name = NULL;
        if (XFetchName(d, kids[i], &name) && name) {
            if (!strncmp(name, "doppel", 6))
                found = kids[i];
            XFree(name);
        }
    }
    if (kids)
        XFree(kids);
    return found;
}

static Display *xh_open(Window *w)
{
    Display *d = XOpenDisplay(NULL);
    if (!d) {
        fprintf(stderr, "sdl_xhelper: cannot open display\n");
        return NULL;
    }
    *w = xh_find_window(d);
    if (*w == None) {
        fprintf(stderr, "sdl_xhelper: no window titled doppel*\n");
        XCloseDisplay(d);
        return NULL;
    }
    return d;
}

static KeySym xh_keysym(char c)
{
    switch (c) {
    case '\n': return XK_Return;
    case '\t': return XK_Tab;
    case ' ': return XK_space;
    default: return (KeySym)(unsigned char)c;   /* Latin-1: keysym = code */
    }
}

/* The lowest keycode giving ks, unshifted or shifted (*shifted = 1).
 * Lowest: the main block, not duplicates such as Xvfb's unshifted '('
 * on keycode 187 (SDL: keypad '('), which have no PS/2 key. */
static KeyCode xh_keycode(Display *d, KeySym ks, int *shifted)
{
    int lo, hi;
    XDisplayKeycodes(d, &lo, &hi);
    for (int kc = lo; kc <= hi; kc++) {
        for (int level = 0; level < 2; level++) {
            if (XkbKeycodeToKeysym(d, (KeyCode)kc, 0, (unsigned)level) == ks) {
                *shifted = level;
                return (KeyCode)kc;
            }
        }
    }
    return 0;
}

static void xh_key(Display *d, FakeKeyFn fake, KeyCode kc, Bool down)
{
    fake(d, kc, down, 0);
    XSync(d, False);
    xh_sleep_ms(25);   /* let doppel's 10 ms event poll see each one */
}

static int xh_type(const char *text)
{
    void *lib = dlopen("libXtst.so.6", RTLD_NOW);
    FakeKeyFn fake = lib ? (FakeKeyFn)(void (*)(void))dlsym(lib, "XTestFakeKeyEvent") : NULL;
    if (!fake) {
        fprintf(stderr, "sdl_xhelper: no XTestFakeKeyEvent in libXtst.so.6 (apt-get install libxtst6)\n");
        return 2;
    }
    Window w;
    Display *d = xh_open(&w);
    if (!d)
        return 2;
    int ev, er, op;
    if (!XQueryExtension(d, "XTEST", &op, &ev, &er)) {
        fprintf(stderr, "sdl_xhelper: X server without XTEST\n");
        XCloseDisplay(d);
        return 2;
    }
    XRaiseWindow(d, w);
    XSetInputFocus(d, w, RevertToParent, CurrentTime);
    XSync(d, False);
    xh_sleep_ms(200);   /* FocusIn reaches SDL: it then takes keys */
    KeyCode shift = XKeysymToKeycode(d, XK_Shift_L);
    int rc = 0;
    for (const char *s = text; *s; s++) {
        KeySym ks = xh_keysym(*s);
        int shifted = 0;
        KeyCode kc = xh_keycode(d, ks, &shifted);
        if (!kc) {
            fprintf(stderr, "sdl_xhelper: no key for '%c'\n", *s);
            rc = 2;
            break;
        }
        if (shifted)
            xh_key(d, fake, shift, True);
        xh_key(d, fake, kc, True);
        xh_key(d, fake, kc, False);
        if (shifted)
            xh_key(d, fake, shift, False);
    }
    XCloseDisplay(d);
    return rc;
}

static int xh_capture(const char *out)
{
    Window w;
    Display *d = xh_open(&w);
    if (!d)
        return 2;
    XWindowAttributes wa;
    XGetWindowAttributes(d, w, &wa);
    XImage *img = XGetImage(d, w, 0, 0, (unsigned)wa.width, (unsigned)wa.height,
                            AllPlanes, ZPixmap);
    if (!img) {
        fprintf(stderr, "sdl_xhelper: XGetImage failed\n");
        XCloseDisplay(d);
        return 2;
    }
    size_t n = (size_t)wa.width * (size_t)wa.height;
    unsigned char *rgb = malloc(n * 3);
    if (!rgb) {
        XDestroyImage(img);
        XCloseDisplay(d);
        return 2;
    }
    /* Shift each channel mask down to 8 bits (TrueColor visuals). */
    unsigned long masks[3] = { img->red_mask, img->green_mask, img->blue_mask };
    for (int y = 0; y < wa.height; y++) {
        for (int x = 0; x < wa.width; x++) {
            unsigned long px = XGetPixel(img, x, y);
            for (int c = 0; c < 3; c++) {
                unsigned long m = masks[c], v = px & m;
                while (m && !(m & 1)) {
                    m >>= 1;
                    v >>= 1;
                }
                while (m > 0xff) {
                    m >>= 1;
                    v >>= 1;
                }
                rgb[((size_t)y * (size_t)wa.width + (size_t)x) * 3 + (size_t)c] =
                    (unsigned char)(m ? v * 255 / m : 0);
            }
        }
    }
    XDestroyImage(img);
    XCloseDisplay(d);
    png_image pi;
    memset(&pi, 0, sizeof(pi));
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)wa.width;
    pi.height = (png_uint_32)wa.height;
    pi.format = PNG_FORMAT_RGB;
    int ok = png_image_write_to_file(&pi, out, 0, rgb, 0, NULL);
    free(rgb);
    if (!ok) {
        fprintf(stderr, "sdl_xhelper: cannot write %s\n", out);
        return 2;
    }
    return 0;
}

/* Load path as packed RGB; NULL (after a message) on error. */
static unsigned char *xh_load(const char *path, int *w, int *h)
{
    png_image pi;
    memset(&pi, 0, sizeof(pi));
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path)) {
        fprintf(stderr, "sdl_xhelper: %s: %s\n", path, pi.message);
        return NULL;
    }
    pi.format = PNG_FORMAT_RGB;
    unsigned char *buf = malloc(PNG_IMAGE_SIZE(pi));
    if (!buf || !png_image_finish_read(&pi, NULL, buf, 0, NULL)) {
        fprintf(stderr, "sdl_xhelper: %s: cannot decode\n", path);
        free(buf);
        png_image_free(&pi);
        return NULL;
    }
    *w = (int)pi.width;
    *h = (int)pi.height;
    return buf;
}

static int xh_info(const char *path)
{
    int w, h;
    unsigned char *p = xh_load(path, &w, &h);
    if (!p)
        return 2;
    size_t nonblack = 0, n = (size_t)w * (size_t)h;
    for (size_t i = 0; i < n; i++)
        nonblack += (p[i * 3] | p[i * 3 + 1] | p[i * 3 + 2]) != 0;
    printf("%d %d %zu\n", w, h, nonblack);
    free(p);
    return 0;
}

static int xh_compare(const char *a, const char *b, long max_permille)
{
    int wa, ha, wb, hb;
    unsigned char *pa = xh_load(a, &wa, &ha), *pb = xh_load(b, &wb, &hb);
    int rc = 2;
    if (pa && pb) {
        if (wa != wb || ha != hb) {
            printf("size differs: %dx%d vs %dx%d\n", wa, ha, wb, hb);
            rc = 1;
        } else {
            size_t n = (size_t)wa * (size_t)ha, diff = 0;
            for (size_t i = 0; i < n; i++)
                diff += memcmp(pa + i * 3, pb + i * 3, 3) != 0;
            printf("%dx%d, %zu of %zu pixels differ\n", wa, ha, diff, n);
            rc = diff * 1000 <= (size_t)max_permille * n ? 0 : 1;
        }
    }
    free(pa);
    free(pb);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "type"))
        return xh_type(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "capture"))
        return xh_capture(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "info"))
        return xh_info(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "compare"))
        return xh_compare(argv[2], argv[3], strtol(argv[4], NULL, 10));
    fprintf(stderr, "usage: sdl_xhelper type TEXT | capture OUT.png | info A.png | "
                    "compare A.png B.png MAX_PERMILLE\n");
    return 2;
}
