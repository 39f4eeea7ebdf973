/*
 * VGA rendering: turns the CRTC/sequencer/attribute state and VRAM into a
 * 0x00RRGGBB frame, and text modes into ASCII lines.
 *
 * Geometry comes from the CRT controller (FreeVGA "CRT Controller
 * Registers"): Horizontal Display End (CR01) gives character clocks per
 * line, Vertical Display End (CR12 + CR07 bits 1/6) the scan lines,
 * Maximum Scan Line (CR09 bits 4-0, double scan bit 7) the character
 * height or line repetition, Offset (CR13) the distance between rows
 * (2 * CR13 plane offsets), Start Address (CR0C/0D), Cursor Start/End
 * (CR0A/0B) and Location (CR0E/0F), Line Compare (CR18 + CR07 bit 4 +
 * CR09 bit 6: the address counter restarts at 0 below it). The sequencer's
 * Clocking Mode (SR01 bit 0) picks 8- or 9-dot characters, bit 5 blanks the
 * screen; Character Map Select (SR03) picks the font in plane 2 (32 bytes
 * per glyph). Attribute controller: palette (AR00-0F), Mode Control (AR10:
 * graphics, line graphics enable, blink, P5/P4 select), Color Plane Enable
 * (AR12), Color Select (AR14). Graphics Mode (GR05) bit 6 selects 256-color
 * pixels. VBE modes come from the dispi registers and read VRAM linearly.
 *
 * Every VRAM access is bounds-checked; VGA addresses wrap at 64 KiB per
 * plane like the 16-bit CRTC address counter.
 */
#include "devices/vga.h"

#include <stdlib.h>
#include <string.h>

#define FB_MAX_DIM 4096
/* Smaller VGA timings than this are not a picture (e.g. the all-zero
 * registers before the BIOS programs a mode): nothing to show. */
#define VGA_MIN_WIDTH 64
#define VGA_MIN_HEIGHT 32

/* CP437 -> ASCII look-alikes for 0x00-0x1F and 0x80-0xFF (box drawing to
 * + - | =, shades and blocks to #, accented letters to their base). */
static const char cp437_low[33] = " @@v****#ooo+dd*" "><|!PS_|^v><L-^v";
static const char cp437_high[129] =
    "CueaaaaceeeiiiAA" "EaAooouuyOUcLYPf" "aiounNao?--24!<>" "###|++++++|+++++"
    "++++-++++++++=++" "+++++++++++#####" "aBGpSsutFTOd8fen" "=+><()/~o..Vn2# ";

static char cp437_to_ascii(uint8_t c)
{
    if (c < 0x20)
        return cp437_low[c];
    if (c < 0x7f)
        return (char)c;
    if (c == 0x7f)
        return '^';
    return cp437_high[c - 0x80];
}

/* ---- CRTC geometry ---- */

typedef struct VgaGeom {
    unsigned start;          /* start address (plane offsets) */
    unsigned row_offset;     /* plane offsets between character rows / lines */
    unsigned lines;          /* displayed scan lines (before double scan) */
    unsigned line_compare;
    unsigned max_scan;       /* CR09 bits 4-0 */
    bool double_scan;        /* CR09 bit 7 */
    unsigned clocks;         /* character clocks per line (CR01 + 1) */
} VgaGeom;

static void crtc_geom(const VgaState *s, VgaGeom *g)
{
    const uint8_t *cr = s->cr;
    g->start = (unsigned)cr[0x0c] << 8 | cr[0x0d];
    g->row_offset = (unsigned)cr[0x13] * 2;
    g->lines = ((unsigned)cr[0x12] | (cr[7] & 0x02u) << 7 | (cr[7] & 0x40u) << 3) + 1;
    g->line_compare = (unsigned)cr[0x18] | (cr[7] & 0x10u) << 4 | (cr[9] & 0x40u) << 3;
    g->max_scan = cr[9] & 0x1f;
    g->double_scan = cr[9] & 0x80;
    g->clocks = (unsigned)cr[1] + 1;
}

static bool text_mode(const VgaState *s)
{
    return !vga_vbe_enabled(s) && !(s->gr[6] & 0x01);
}

/* Character cell and screen size of a text mode. False if degenerate. */
static bool text_geom(const VgaState *s, const VgaGeom *g, unsigned *cols, unsigned *rows,
                      unsigned *cw, unsigned *chh)
{
    *cols = g->clocks;
    *cw = (s->sr[1] & 0x01) ? 8 : 9;
    *chh = g->max_scan + 1;
    unsigned lines = g->double_scan ? g->lines / 2 : g->lines;
    *rows = lines / *chh;
    return *cols > 0 && *rows > 0;
}

static uint8_t plane_byte(const VgaState *s, unsigned off, unsigned plane)
{
    size_t i = (size_t)(off & 0xffff) * 4 + plane;
    return i < s->vram_size ? s->vram[i] : 0;
}

static bool fb_resize(VgaState *s, unsigned w, unsigned h)
{
    if (w == 0 || h == 0 || w > FB_MAX_DIM || h > FB_MAX_DIM)
        return false;
    size_t need = (size_t)w * h;
    if (need > s->fb_cap) {
        uint32_t *fb = realloc(s->fb, need * sizeof(*fb));
        if (!fb)
            return false;
        s->fb = fb;
        s->fb_cap = need;
    }
    s->fb_width = (int)w;
    s->fb_height = (int)h;
    return true;
}

/* The 16 attribute palette entries through AR10 bit 7 / AR14 to the DAC. */
static void attr_palette(const VgaState *s, uint32_t pal[16])
{
    for (unsigned c = 0; c < 16; c++) {
        uint8_t v = s->ar[c];
        if (s->ar[0x10] & 0x80)
            v = (uint8_t)((v & 0x0f) | (s->ar[0x14] & 0x03) << 4);
        v = (uint8_t)((v & 0x3f) | (s->ar[0x14] & 0x0c) << 4);
        pal[c] = vga_dac_rgb(s, v);
    }
}

static bool screen_blanked(const VgaState *s)
{
    return !(s->ar_index & 0x20) || (s->sr[1] & 0x20);
}

/* ---- text ---- */

static unsigned font_base(const VgaState *s, bool map_a)
{
    uint8_t sr3 = s->sr[3];
    unsigned v = map_a ? ((sr3 >> 2) & 3) | ((sr3 >> 5) & 1) << 2
                       : (sr3 & 3) | ((sr3 >> 4) & 1) << 2;
    return (v & 3) * 0x4000 + (v >> 2) * 0x2000;
}

static void render_text(VgaState *s, const VgaGeom *g, unsigned cols, unsigned cw,
                        unsigned chh)
{
    uint32_t pal[16];
    attr_palette(s, pal);
    unsigned font_a = font_base(s, true), font_b = font_base(s, false);
    unsigned cursor = (unsigned)s->cr[0x0e] << 8 | s->cr[0x0f];
    unsigned cur_start = s->cr[0x0a] & 0x1f, cur_end = s->cr[0x0b] & 0x1f;
    bool cursor_on = !(s->cr[0x0a] & 0x20) && cur_start <= cur_end;
    bool blink = s->ar[0x10] & 0x08, line_gfx = s->ar[0x10] & 0x04;
    unsigned ma = g->start, scan = 0;
    bool split = false;
    for (int y = 0; y < s->fb_height; y++) {
        unsigned raw = g->double_scan ? (unsigned)y * 2 : (unsigned)y;
        if (!split && raw >= g->line_compare) {
            split = true;
            ma = 0;
            scan = 0;
        }
        uint32_t *row = s->fb + (size_t)y * (unsigned)s->fb_width;
        for (unsigned c = 0; c < cols; c++) {
            unsigned off = ma + c;
            uint8_t ch = plane_byte(s, off, 0), attr = plane_byte(s, off, 1);
            unsigned fg = attr & 0x0f, bg = attr >> 4;
            if (blink)
                bg &= 7;             /* blink shown statically: always on */
            unsigned font = (font_a != font_b && (attr & 0x08)) ? font_a : font_b;
            uint8_t bits = plane_byte(s, font + ch * 32u + scan, 2);
            /* Ninth dot: a copy of the eighth for the line-drawing
             * characters C0h-DFh (AR10 bit 2), else background. */
            bool ninth = cw == 9 && line_gfx && ch >= 0xc0 && ch <= 0xdf && (bits & 1);
            if (cursor_on && (off & 0xffff) == (cursor & 0xffff) && scan >= cur_start &&
                scan <= cur_end) {
                bits = 0xff;         /* cursor scan lines in the foreground color */
                ninth = true;
            }
            uint32_t *px = row + c * cw;
            for (unsigned b = 0; b < 8; b++)
                px[b] = (bits & (0x80 >> b)) ? pal[fg] : pal[bg];
            if (cw == 9)
                px[8] = ninth ? pal[fg] : pal[bg];
        }
        if (++scan >= chh) {
            scan = 0;
            ma += g->row_offset;
        }
    }
}

bool vga_get_text(VgaState *s, char *buf, size_t len)
{
    if (!text_mode(s))
        return false;
    VgaGeom g;
    crtc_geom(s, &g);
    unsigned cols, rows, cw, chh;
    if (!text_geom(s, &g, &cols, &rows, &cw, &chh))
        return false;
    size_t n = 0;
    for (unsigned r = 0; r < rows; r++) {
        unsigned ma = g.start + r * g.row_offset;
        for (unsigned c = 0; c <= cols; c++) {
            if (n + 1 >= len)
                goto done;
            buf[n++] = c == cols ? '\n' : cp437_to_ascii(plane_byte(s, ma + c, 0));
        }
    }
done:
    if (len)
        buf[n] = '\0';
    return true;
}

/* ---- graphics ---- */

/* How output lines map to memory lines. Normally every memory line is
 * shown repeat raw scan lines ((max scan + 1) x double scan). In CGA
 * compatibility addressing (CR17 bit 0 = 0) the row scan counter's bit 0
 * replaces CRTC address bit 13 (MA13), so the max_scan + 1 lines of a row
 * come from different memory: per_row output lines share one row address
 * and cga_bit is the plane-offset bit replaced (bit 13 of the CPU address:
 * plane offset bit 12 in odd/even word mode, 13 in byte mode). */
typedef struct LineMap {
    unsigned repeat;         /* raw scan lines per output line */
    unsigned per_row;        /* output lines per CRTC row */
    int cga_bit;             /* -1: no substitution */
} LineMap;

static LineMap line_map(const VgaState *s, const VgaGeom *g)
{
    LineMap lm = { (g->max_scan + 1) * (g->double_scan ? 2 : 1), 1, -1 };
    if (!(s->cr[0x17] & 0x01)) {
        lm.repeat = g->double_scan ? 2 : 1;
        lm.per_row = g->max_scan + 1;
        lm.cga_bit = (s->cr[0x17] & 0x40) ? 13 : 12;
    }
    return lm;
}

/* Plane offset of the first byte of output line y: rows start at the start
 * address and restart at 0 from the line compare scan line on (split
 * screen). */
static size_t line_address(const VgaGeom *g, const LineMap *lm, unsigned y)
{
    unsigned raw = y * lm->repeat, line = y;
    size_t base = g->start;
    if (raw >= g->line_compare) {
        line = (raw - g->line_compare) / lm->repeat;
        base = 0;
    }
    size_t ma = base + (size_t)(line / lm->per_row) * g->row_offset;
    if (lm->cga_bit >= 0) {
        size_t bit = (size_t)1 << lm->cga_bit;
        ma = (ma & ~bit) | ((line % lm->per_row) & 1 ? bit : 0);
    }
    return ma;
}

/* 16-color pixels from the four planes (bit 7 leftmost), or with the
 * shift register in interleave mode (GR05 bit 5, CGA 4-color modes) two
 * bits per pixel: plane 0 gives pixels 0-3, plane 1 pixels 4-7 (planes
 * 2/3 the upper color bits). Plane offsets wrap at wrap (64K for VGA). */
static void render_planar(VgaState *s, const VgaGeom *g, const LineMap *lm, size_t wrap,
                          bool interleave)
{
    uint32_t pal[16];
    attr_palette(s, pal);
    uint8_t enable = s->ar[0x12] & 0x0f;
    for (int y = 0; y < s->fb_height; y++) {
        size_t ma = line_address(g, lm, (unsigned)y);
        uint32_t *row = s->fb + (size_t)y * (unsigned)s->fb_width;
        for (int x = 0; x < s->fb_width; x += 8) {
            size_t off = (ma + (unsigned)x / 8) % wrap;
            uint8_t p[4];
            for (unsigned pl = 0; pl < 4; pl++) {
                size_t i = off * 4 + pl;
                p[pl] = i < s->vram_size ? s->vram[i] : 0;
            }
            for (int b = 0; b < 8 && x + b < s->fb_width; b++) {
                unsigned c;
                if (interleave) {
                    unsigned sh = 6 - 2 * ((unsigned)b & 3), hi = (unsigned)b >> 2;
                    c = ((p[hi] >> sh) & 3) | ((p[2 + hi] >> sh) & 3) << 2;
                } else {
                    unsigned sh = 7 - (unsigned)b;
                    c = ((p[0] >> sh) & 1) | ((p[1] >> sh) & 1) << 1 |
                        ((p[2] >> sh) & 1) << 2 | ((p[3] >> sh) & 1) << 3;
                }
                row[x + b] = pal[c & enable];
            }
        }
    }
}

/* 256-color pixels: consecutive VRAM bytes (chain-4 layout), 4 per plane
 * offset. The palette registers are bypassed (as QEMU does). */
static void render_256(VgaState *s, const VgaGeom *g, const LineMap *lm)
{
    uint32_t pal[256];
    for (unsigned i = 0; i < 256; i++)
        pal[i] = vga_dac_rgb(s, (uint8_t)i);
    for (int y = 0; y < s->fb_height; y++) {
        size_t base = line_address(g, lm, (unsigned)y);
        uint32_t *row = s->fb + (size_t)y * (unsigned)s->fb_width;
        for (int x = 0; x < s->fb_width; x++)
            row[x] = pal[plane_byte(s, (unsigned)(base + (unsigned)x / 4), (unsigned)x & 3)];
    }
}

static bool render_vbe(VgaState *s)
{
    const uint16_t *r = s->vbe_regs;
    unsigned w = r[VBE_DISPI_INDEX_XRES], h = r[VBE_DISPI_INDEX_YRES];
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    if (!fb_resize(s, w, h))
        return false;
    uint64_t line = s->vbe_line_offset;
    unsigned bits = bpp == 15 ? 16 : bpp;
    uint64_t start = (uint64_t)r[VBE_DISPI_INDEX_Y_OFFSET] * line +
                     (uint64_t)r[VBE_DISPI_INDEX_X_OFFSET] * bits / 8;
    if (bpp == 4) {
        VgaGeom g = { .start = (unsigned)(start / 4), .row_offset = (unsigned)(line / 4),
                      .line_compare = ~0u };
        LineMap lm = { 1, 1, -1 };
        render_planar(s, &g, &lm, s->vram_size / 4, false);
        return true;
    }
    uint32_t pal[256];
    if (bpp == 8)
        for (unsigned i = 0; i < 256; i++)
            pal[i] = vga_dac_rgb(s, (uint8_t)i);
    uint64_t need = (uint64_t)w * bits / 8;
    for (unsigned y = 0; y < h; y++) {
        uint32_t *row = s->fb + (size_t)y * w;
        uint64_t a = start + y * line;
        if (a + need > s->vram_size) {
            memset(row, 0, (size_t)w * sizeof(*row));   /* outside VRAM: black */
            continue;
        }
        const uint8_t *p = s->vram + a;
        for (unsigned x = 0; x < w; x++) {
            uint32_t v;
            switch (bpp) {
            case 8:
                v = pal[p[x]];
                break;
            case 15: {
                unsigned c = p[2 * x] | p[2 * x + 1] << 8;
                unsigned rr = (c >> 10) & 0x1f, gg = (c >> 5) & 0x1f, bb = c & 0x1f;
                v = (rr << 3 | rr >> 2) << 16 | (gg << 3 | gg >> 2) << 8 | (bb << 3 | bb >> 2);
                break;
            }
            case 16: {
                unsigned c = p[2 * x] | p[2 * x + 1] << 8;
                unsigned rr = (c >> 11) & 0x1f, gg = (c >> 5) & 0x3f, bb = c & 0x1f;
                v = (rr << 3 | rr >> 2) << 16 | (gg << 2 | gg >> 4) << 8 | (bb << 3 | bb >> 2);
                break;
            }
            case 24:
                v = (uint32_t)p[3 * x + 2] << 16 | (uint32_t)p[3 * x + 1] << 8 | p[3 * x];
                break;
            default:
                v = ((uint32_t)p[4 * x + 2] << 16 | (uint32_t)p[4 * x + 1] << 8 | p[4 * x]);
                break;
            }
            row[x] = v;
        }
    }
    return true;
}

bool vga_render_frame(VgaState *s, const uint32_t **pixels, int *width, int *height)
{
    bool ok;
    if (vga_vbe_enabled(s)) {
        ok = render_vbe(s);
    } else {
        VgaGeom g;
        crtc_geom(s, &g);
        if (text_mode(s)) {
            unsigned cols, rows, cw, chh;
            ok = text_geom(s, &g, &cols, &rows, &cw, &chh) && cols * cw >= VGA_MIN_WIDTH &&
                 rows * chh >= VGA_MIN_HEIGHT && fb_resize(s, cols * cw, rows * chh);
            if (ok)
                render_text(s, &g, cols, cw, chh);
        } else {
            LineMap lm = line_map(s, &g);
            bool is256 = s->gr[5] & 0x40;
            unsigned w = g.clocks * (is256 ? 4 : 8);
            unsigned h = g.lines / lm.repeat;
            ok = w >= VGA_MIN_WIDTH && h >= VGA_MIN_HEIGHT && fb_resize(s, w, h);
            if (ok && is256)
                render_256(s, &g, &lm);
            else if (ok)
                render_planar(s, &g, &lm, 0x10000, s->gr[5] & 0x20);
        }
        if (ok && screen_blanked(s))
            memset(s->fb, 0, (size_t)s->fb_width * (unsigned)s->fb_height * sizeof(*s->fb));
    }
    if (!ok)
        return false;
    *pixels = s->fb;
    *width = s->fb_width;
    *height = s->fb_height;
    return true;
}
