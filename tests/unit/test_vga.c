/*
 * Unit tests of the VGA + Bochs VBE dispi adapter, driven only through its
 * I/O ports, the 0xA0000 window, PCI configuration cycles and the LFB, as a
 * VGA BIOS or driver would. Register tables for modes 03h, 12h and 13h are
 * the standard IBM VGA values (IBM VGA Technical Reference, "BIOS video
 * mode register values"; also listed in FreeVGA). Memory behaviour follows
 * FreeVGA "Graphics Registers" (write modes 0-3, read modes 0-1, set/reset,
 * bit mask, logical function, latches); VBE follows the Bochs dispi API.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "devices/pci.h"
#include "devices/vga.h"
#include "machine/memory.h"

#define LFB 0xE0000000u

typedef struct Fixture {
    AddressSpace mem, io;
    PciBus *bus;
    VgaState *vga;
    DisplaySource ds;
} Fixture;

static Fixture *fx_new(bool pci, size_t vram)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->mem, "mem", ~0ull);
    as_init(&f->io, "io", ~0ull);
    ck_assert_ptr_nonnull(as_add_ram(&f->mem, "ram", 0, 1u << 20, NULL, 0));
    if (pci)
        f->bus = pci_bus_create(&f->mem, &f->io);
    f->vga = vga_create(&f->mem, &f->io, f->bus, vram, NULL);
    ck_assert_ptr_nonnull(f->vga);
    vga_display_source(f->vga, &f->ds);
    return f;
}

static void fx_free(Fixture *f)
{
    vga_destroy(f->vga);
    if (f->bus)
        pci_bus_destroy(f->bus);
    as_destroy(&f->io);
    as_destroy(&f->mem);
    free(f);
}

static void outb(Fixture *f, unsigned port, uint8_t v) { as_write(&f->io, port, v, 1); }
static void outw(Fixture *f, unsigned port, uint16_t v) { as_write(&f->io, port, v, 2); }
static uint8_t inb(Fixture *f, unsigned port) { return (uint8_t)as_read(&f->io, port, 1); }
static uint16_t inw(Fixture *f, unsigned port) { return (uint16_t)as_read(&f->io, port, 2); }
static void wr8(Fixture *f, uint64_t a, uint8_t v) { as_write(&f->mem, a, v, 1); }
static uint8_t rd8(Fixture *f, uint64_t a) { return (uint8_t)as_read(&f->mem, a, 1); }

static void dispi_write(Fixture *f, uint16_t idx, uint16_t val)
{
    outw(f, VBE_DISPI_IOPORT_INDEX, idx);
    outw(f, VBE_DISPI_IOPORT_DATA, val);
}

static uint16_t dispi_read(Fixture *f, uint16_t idx)
{
    outw(f, VBE_DISPI_IOPORT_INDEX, idx);
    return inw(f, VBE_DISPI_IOPORT_DATA);
}

static void sr_write(Fixture *f, uint8_t i, uint8_t v) { outb(f, 0x3c4, i); outb(f, 0x3c5, v); }
static void gr_write(Fixture *f, uint8_t i, uint8_t v) { outb(f, 0x3ce, i); outb(f, 0x3cf, v); }
static uint8_t gr_read(Fixture *f, uint8_t i) { outb(f, 0x3ce, i); return inb(f, 0x3cf); }
static void cr_write(Fixture *f, uint8_t i, uint8_t v) { outb(f, 0x3d4, i); outb(f, 0x3d5, v); }
static uint8_t cr_read(Fixture *f, uint8_t i) { outb(f, 0x3d4, i); return inb(f, 0x3d5); }

static void dac_set(Fixture *f, uint8_t idx, uint8_t r, uint8_t g, uint8_t b)
{
    outb(f, 0x3c8, idx);
    outb(f, 0x3c9, r);
    outb(f, 0x3c9, g);
    outb(f, 0x3c9, b);
}

typedef struct VgaModeRegs {
    uint8_t misc;
    uint8_t sr[5];
    uint8_t cr[25];
    uint8_t ar[21];
    uint8_t gr[9];
} VgaModeRegs;

/* Mode 03h: 80x25 text, 9x16 cells, 720x400. */
static const VgaModeRegs mode03 = {
    0x67,
    { 0x03, 0x00, 0x03, 0x00, 0x02 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
      0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff },
};

/* Mode 12h: 640x480, 16 colors, planar. */
static const VgaModeRegs mode12 = {
    0xe3,
    { 0x03, 0x01, 0x0f, 0x00, 0x06 },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
      0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff },
};

/* Mode 13h: 320x200, 256 colors, chain-4. */
static const VgaModeRegs mode13 = {
    0x63,
    { 0x03, 0x01, 0x0f, 0x00, 0x0e },
    { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff },
    { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
      0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff },
};

/* Mode 04h: 320x200, 4 colors, CGA-compatible interleaved scan lines. */
static const VgaModeRegs mode04 = {
    0x63,
    { 0x03, 0x09, 0x03, 0x00, 0x02 },
    { 0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x00, 0x96, 0xb9, 0xa2, 0xff },
    { 0x00, 0x13, 0x15, 0x17, 0x02, 0x04, 0x06, 0x07, 0x10, 0x11, 0x12,
      0x13, 0x14, 0x15, 0x16, 0x17, 0x01, 0x00, 0x03, 0x00, 0x00 },
    { 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x0f, 0x00, 0xff },
};

/* Program a mode the way a VGA BIOS does: blank (PAS = 0), misc, sequencer
 * (in reset), CRTC with the protect bit cleared first, attribute
 * controller through the flip-flop, graphics controller, then unblank. */
static void set_mode(Fixture *f, const VgaModeRegs *m)
{
    inb(f, 0x3da);
    outb(f, 0x3c0, 0x00);
    outb(f, 0x3c2, m->misc);
    sr_write(f, 0, 0x01);
    for (uint8_t i = 1; i < 5; i++)
        sr_write(f, i, m->sr[i]);
    sr_write(f, 0, m->sr[0]);
    cr_write(f, 0x11, cr_read(f, 0x11) & 0x7f);
    for (uint8_t i = 0; i < 25; i++)
        cr_write(f, i, m->cr[i]);
    inb(f, 0x3da);
    for (uint8_t i = 0; i < 21; i++) {
        outb(f, 0x3c0, i);
        outb(f, 0x3c0, m->ar[i]);
    }
    for (uint8_t i = 0; i < 9; i++)
        gr_write(f, i, m->gr[i]);
    inb(f, 0x3da);
    outb(f, 0x3c0, 0x20);
}

static uint32_t pixel(Fixture *f, int x, int y, int *w, int *h)
{
    const uint32_t *px;
    ck_assert(f->ds.render(f->ds.opaque, &px, w, h));
    ck_assert_int_lt(x, *w);
    ck_assert_int_lt(y, *h);
    return px[(size_t)y * (unsigned)*w + (unsigned)x];
}

/* Load glyphs into plane 2 like the BIOS: sequential planar access to plane
 * 2 only, 32 bytes per character at 0xA0000. */
static void load_glyph(Fixture *f, uint8_t ch, const uint8_t rows[16])
{
    sr_write(f, 2, 0x04);
    sr_write(f, 4, 0x07);
    gr_write(f, 4, 0x02);
    gr_write(f, 5, 0x00);
    gr_write(f, 6, 0x04);
    for (unsigned r = 0; r < 16; r++)
        wr8(f, 0xa0000 + ch * 32u + r, rows[r]);
    sr_write(f, 2, 0x03);
    sr_write(f, 4, 0x02);
    gr_write(f, 4, 0x00);
    gr_write(f, 5, 0x10);
    gr_write(f, 6, 0x0e);
}

/* ---- text mode ------------------------------------------------------------ */

START_TEST(test_text_mode03)
{
    Fixture *f = fx_new(false, 0);
    const uint32_t *px;
    int w, h;
    /* Power-on registers (all zero) describe no picture yet. */
    ck_assert(!f->ds.render(f->ds.opaque, &px, &w, &h));
    set_mode(f, &mode03);
    dac_set(f, 0x00, 0, 0, 0);
    dac_set(f, 0x01, 0, 0, 0x2a);          /* blue */
    dac_set(f, 0x07, 0x2a, 0x2a, 0x2a);    /* light grey */
    dac_set(f, 0x3f, 0x3f, 0x3f, 0x3f);    /* white (attribute 0Fh -> AR0F = 3Fh) */
    static const uint8_t glyph_a[16] = { 0, 0, 0, 0x81, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t glyph_hline[16] = { 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 0, 0, 0, 0, 0, 0, 0 };
    load_glyph(f, 'A', glyph_a);
    load_glyph(f, 0xc4, glyph_hline);

    const char *msg = "Hello, VGA";
    for (unsigned i = 0; msg[i]; i++) {
        wr8(f, 0xb8000 + 2 * i, (uint8_t)msg[i]);
        wr8(f, 0xb8000 + 2 * i + 1, 0x07);
    }
    /* Row 1, column 2: 'A' grey on blue; column 3: a box-drawing line. */
    wr8(f, 0xb8000 + (80 + 2) * 2, 'A');
    wr8(f, 0xb8000 + (80 + 2) * 2 + 1, 0x17);
    wr8(f, 0xb8000 + (80 + 3) * 2, 0xc4);
    wr8(f, 0xb8000 + (80 + 3) * 2 + 1, 0x0f);
    /* Odd/even: the bytes read back from the CPU side as written. */
    ck_assert_uint_eq(rd8(f, 0xb8000), 'H');
    ck_assert_uint_eq(rd8(f, 0xb8001), 0x07);

    char buf[80 * 25 + 25 + 1];
    ck_assert(f->ds.get_text(f->ds.opaque, buf, sizeof(buf)));
    ck_assert_uint_eq(strlen(buf), 81 * 25);
    ck_assert(strncmp(buf, "Hello, VGA ", 11) == 0);
    ck_assert_int_eq(buf[80], '\n');
    ck_assert_int_eq(buf[81 + 2], 'A');
    ck_assert_int_eq(buf[81 + 3], '-');     /* CP437 C4h, box drawing */

    /* 'A' cell: x 18..26, y 16..31. Glyph row 3 = 81h: dots 0 and 7. */
    ck_assert_uint_eq(pixel(f, 18, 19, &w, &h), 0xaaaaaa);
    ck_assert_int_eq(w, 720);
    ck_assert_int_eq(h, 400);
    ck_assert_uint_eq(pixel(f, 19, 19, &w, &h), 0x0000aa);
    ck_assert_uint_eq(pixel(f, 25, 19, &w, &h), 0xaaaaaa);
    ck_assert_uint_eq(pixel(f, 26, 19, &w, &h), 0x0000aa);  /* 9th dot: background */
    ck_assert_uint_eq(pixel(f, 19, 20, &w, &h), 0xaaaaaa);  /* row 4 = 42h: dot 1 */
    /* C4h with line graphics enabled (AR10 bit 2): 9th dot repeats the 8th. */
    ck_assert_uint_eq(pixel(f, 27 + 8, 16 + 7, &w, &h), 0xffffff);
    ck_assert_uint_eq(pixel(f, 27 + 8, 16 + 6, &w, &h), 0x000000);

    /* Cursor at row 2 column 0, scan lines 0Dh-0Eh of the cell. */
    wr8(f, 0xb8000 + 160 * 2 + 1, 0x07);
    cr_write(f, 0x0e, 0);
    cr_write(f, 0x0f, 160);
    ck_assert_uint_eq(pixel(f, 0, 32 + 13, &w, &h), 0xaaaaaa);
    ck_assert_uint_eq(pixel(f, 8, 32 + 14, &w, &h), 0xaaaaaa);
    ck_assert_uint_eq(pixel(f, 0, 32 + 12, &w, &h), 0x000000);
    cr_write(f, 0x0a, 0x2d);                                 /* cursor disable */
    ck_assert_uint_eq(pixel(f, 0, 32 + 13, &w, &h), 0x000000);
    fx_free(f);
}
END_TEST

START_TEST(test_text_geometry)
{
    Fixture *f = fx_new(false, 0);
    set_mode(f, &mode03);
    /* CR11 bit 7 (set by mode 3) protects CR00-07: this write is ignored. */
    cr_write(f, 0x01, 0x27);
    ck_assert_uint_eq(cr_read(f, 0x01), 0x4f);
    /* ... but CR07 bit 4 stays writable. */
    cr_write(f, 0x07, 0x00);
    ck_assert_uint_eq(cr_read(f, 0x07), 0x0f);

    /* 80x50: 8-line characters (CR09 = 47h). */
    cr_write(f, 0x09, 0x47);
    char buf[4096];
    ck_assert(f->ds.get_text(f->ds.opaque, buf, sizeof(buf)));
    ck_assert_uint_eq(strlen(buf), 81 * 50);
    int w, h;
    pixel(f, 0, 0, &w, &h);
    ck_assert_int_eq(w, 720);
    ck_assert_int_eq(h, 400);

    /* 40x25 with 8-dot characters: unlock, CR01 = 27h, CR13 = 14h. */
    cr_write(f, 0x09, 0x4f);
    cr_write(f, 0x11, 0x0e);
    cr_write(f, 0x01, 0x27);
    cr_write(f, 0x13, 0x14);
    sr_write(f, 1, 0x09);
    wr8(f, 0xb8000 + 40 * 2, 0xc9);        /* row 1 col 0: box corner */
    wr8(f, 0xb8000 + 41 * 2, 0xcd);
    wr8(f, 0xb8000 + 42 * 2, 0xbb);
    wr8(f, 0xb8000 + 43 * 2, 0xb3);
    wr8(f, 0xb8000 + 44 * 2, 0x82);        /* e acute */
    ck_assert(f->ds.get_text(f->ds.opaque, buf, sizeof(buf)));
    ck_assert_uint_eq(strlen(buf), 41 * 25);
    ck_assert(strncmp(buf + 41, "+=+|e", 5) == 0);
    pixel(f, 0, 0, &w, &h);
    ck_assert_int_eq(w, 320);

    /* A short buffer is filled and NUL-terminated, never overrun. */
    memset(buf, 'x', sizeof(buf));
    ck_assert(f->ds.get_text(f->ds.opaque, buf, 10));
    ck_assert_uint_eq(strlen(buf), 9);
    ck_assert_int_eq(buf[10], 'x');

    /* Graphics mode: no text. */
    set_mode(f, &mode13);
    ck_assert(!f->ds.get_text(f->ds.opaque, buf, sizeof(buf)));
    fx_free(f);
}
END_TEST

/* ---- mode 13h ------------------------------------------------------------- */

START_TEST(test_mode13)
{
    Fixture *f = fx_new(false, 0);
    set_mode(f, &mode13);
    dac_set(f, 5, 0x3f, 0, 0);
    dac_set(f, 200, 0, 0x3f, 0x20);
    wr8(f, 0xa0000 + 20 * 320 + 10, 5);
    wr8(f, 0xa0000 + 199 * 320 + 319, 200);
    ck_assert_uint_eq(rd8(f, 0xa0000 + 20 * 320 + 10), 5);
    int w, h;
    ck_assert_uint_eq(pixel(f, 10, 20, &w, &h), 0xff0000);
    ck_assert_int_eq(w, 320);
    ck_assert_int_eq(h, 200);
    /* 6-bit 20h expands to 8-bit 82h (bits 5-4 replicated below). */
    ck_assert_uint_eq(pixel(f, 319, 199, &w, &h), 0x00ff82);
    ck_assert_uint_eq(pixel(f, 11, 20, &w, &h), 0x000000);
    /* Pel mask 0: every pixel shows DAC entry 0. */
    outb(f, 0x3c6, 0x00);
    ck_assert_uint_eq(pixel(f, 10, 20, &w, &h), 0x000000);
    outb(f, 0x3c6, 0xff);
    /* Start address moves the picture: CRTC counts 4-pixel units. */
    cr_write(f, 0x0c, 0);
    cr_write(f, 0x0d, 80);                  /* one line (320 bytes) down */
    ck_assert_uint_eq(pixel(f, 10, 19, &w, &h), 0xff0000);
    /* Blanking via the attribute PAS bit. */
    inb(f, 0x3da);
    outb(f, 0x3c0, 0x00);
    ck_assert_uint_eq(pixel(f, 10, 19, &w, &h), 0x000000);
    fx_free(f);
}
END_TEST

START_TEST(test_mode04_cga)
{
    Fixture *f = fx_new(false, 0);
    set_mode(f, &mode04);
    dac_set(f, 0x13, 0x3f, 0, 0);
    dac_set(f, 0x15, 0, 0x3f, 0);
    dac_set(f, 0x17, 0, 0, 0x3f);
    /* CGA layout: 2 bits per pixel, bit 7-6 leftmost; even scan lines at
     * B8000h, odd ones at BA000h, 80 bytes per line. */
    wr8(f, 0xb8000, 0xe4);                  /* pixels 3, 2, 1, 0 */
    wr8(f, 0xb8001, 0x1b);                  /* pixels 0, 1, 2, 3 */
    wr8(f, 0xba000, 0x40);                  /* line 1: pixel 1 */
    wr8(f, 0xb8000 + 80, 0xc0);             /* line 2: pixel 3 */
    int w, h;
    ck_assert_uint_eq(pixel(f, 0, 0, &w, &h), 0x0000ff);
    ck_assert_int_eq(w, 320);
    ck_assert_int_eq(h, 200);
    ck_assert_uint_eq(pixel(f, 1, 0, &w, &h), 0x00ff00);
    ck_assert_uint_eq(pixel(f, 2, 0, &w, &h), 0xff0000);
    ck_assert_uint_eq(pixel(f, 3, 0, &w, &h), 0x000000);
    ck_assert_uint_eq(pixel(f, 5, 0, &w, &h), 0xff0000);
    ck_assert_uint_eq(pixel(f, 7, 0, &w, &h), 0x0000ff);
    ck_assert_uint_eq(pixel(f, 0, 1, &w, &h), 0xff0000);
    ck_assert_uint_eq(pixel(f, 0, 2, &w, &h), 0x0000ff);
    ck_assert_uint_eq(pixel(f, 0, 3, &w, &h), 0x000000);
    fx_free(f);
}
END_TEST

/* ---- planar write/read modes ---------------------------------------------- */

static uint8_t read_plane(Fixture *f, uint64_t addr, uint8_t plane)
{
    gr_write(f, 5, 0x00);
    gr_write(f, 4, plane);
    return rd8(f, addr);
}

START_TEST(test_planar_write_mode0)
{
    Fixture *f = fx_new(false, 0);
    set_mode(f, &mode12);
    /* Clear offset 0 of all planes, then load zero latches. */
    wr8(f, 0xa0000, 0x00);
    rd8(f, 0xa0000);
    /* Set/reset on all planes, value 0101b, bit mask F0h: the upper four
     * pixels get color 5, the lower four keep the latched 0. */
    gr_write(f, 1, 0x0f);
    gr_write(f, 0, 0x05);
    gr_write(f, 8, 0xf0);
    wr8(f, 0xa0000, 0x12);                  /* CPU data ignored: all planes set/reset */
    ck_assert_uint_eq(read_plane(f, 0xa0000, 0), 0xf0);
    ck_assert_uint_eq(read_plane(f, 0xa0000, 1), 0x00);
    ck_assert_uint_eq(read_plane(f, 0xa0000, 2), 0xf0);
    ck_assert_uint_eq(read_plane(f, 0xa0000, 3), 0x00);

    dac_set(f, 5, 0x2a, 0, 0x2a);           /* AR05 = 05h -> DAC 5, magenta */
    int w, h;
    ck_assert_uint_eq(pixel(f, 0, 0, &w, &h), 0xaa00aa);
    ck_assert_int_eq(w, 640);
    ck_assert_int_eq(h, 480);
    ck_assert_uint_eq(pixel(f, 4, 0, &w, &h), 0x000000);

    /* Rotate 4 with set/reset on plane 0 only: plane 1 gets the rotated
     * CPU byte (ABh -> BAh), plane 0 all ones; map mask limits to 0/1. */
    sr_write(f, 2, 0x03);
    gr_write(f, 1, 0x01);
    gr_write(f, 0, 0x01);
    gr_write(f, 8, 0xff);
    gr_write(f, 3, 0x04);
    wr8(f, 0xa0001, 0xab);
    gr_write(f, 3, 0x00);
    ck_assert_uint_eq(read_plane(f, 0xa0001, 0), 0xff);
    ck_assert_uint_eq(read_plane(f, 0xa0001, 1), 0xba);
    ck_assert_uint_eq(read_plane(f, 0xa0001, 2), 0x00);

    /* Logical function XOR (GR3 = 18h) with the latches. */
    sr_write(f, 2, 0x0f);
    gr_write(f, 1, 0x00);
    rd8(f, 0xa0001);                        /* latches: ff ba 00 00 */
    gr_write(f, 3, 0x18);
    wr8(f, 0xa0001, 0x0f);
    gr_write(f, 3, 0x00);
    ck_assert_uint_eq(read_plane(f, 0xa0001, 0), 0xf0);
    ck_assert_uint_eq(read_plane(f, 0xa0001, 1), 0xb5);
    ck_assert_uint_eq(read_plane(f, 0xa0001, 3), 0x0f);

    /* Write mode 2: CPU bits 3-0 are the color, bit mask selects pixels. */
    rd8(f, 0xa0002);
    gr_write(f, 5, 0x02);
    gr_write(f, 8, 0x81);
    wr8(f, 0xa0002, 0x09);
    gr_write(f, 8, 0xff);
    ck_assert_uint_eq(read_plane(f, 0xa0002, 0), 0x81);
    ck_assert_uint_eq(read_plane(f, 0xa0002, 1), 0x00);
    ck_assert_uint_eq(read_plane(f, 0xa0002, 3), 0x81);

    /* Write mode 3: set/reset color, mask = bit mask AND CPU data. */
    rd8(f, 0xa0003);
    gr_write(f, 5, 0x03);
    gr_write(f, 0, 0x02);
    gr_write(f, 8, 0x3c);
    wr8(f, 0xa0003, 0x0f);
    gr_write(f, 8, 0xff);
    ck_assert_uint_eq(read_plane(f, 0xa0003, 1), 0x0c);
    ck_assert_uint_eq(read_plane(f, 0xa0003, 0), 0x00);
    fx_free(f);
}
END_TEST

START_TEST(test_latches_write_mode1_read_mode1)
{
    Fixture *f = fx_new(false, 0);
    set_mode(f, &mode12);
    static const uint8_t vals[4] = { 0x11, 0x22, 0x44, 0x88 };
    for (uint8_t p = 0; p < 4; p++) {
        sr_write(f, 2, (uint8_t)(1u << p));
        wr8(f, 0xa0000 + 100, vals[p]);
    }
    sr_write(f, 2, 0x0f);
    /* Read loads all four latches; write mode 1 stores them elsewhere,
     * whatever the CPU byte. */
    rd8(f, 0xa0000 + 100);
    gr_write(f, 5, 0x01);
    wr8(f, 0xa0000 + 200, 0x00);
    for (uint8_t p = 0; p < 4; p++)
        ck_assert_uint_eq(read_plane(f, 0xa0000 + 200, p), vals[p]);

    /* Read mode 1: compare every pixel with color 0011b. Planes hold
     * 11h/22h/44h/88h, so pixel bit 0 has planes (1,0,0,0) etc.: none is 3. */
    gr_write(f, 5, 0x08);
    gr_write(f, 2, 0x03);
    gr_write(f, 7, 0x0f);
    ck_assert_uint_eq(rd8(f, 0xa0000 + 100), 0x00);
    /* Only plane 0 cared about: color bit 0 = 1 matches pixels 0 and 4. */
    gr_write(f, 7, 0x01);
    ck_assert_uint_eq(rd8(f, 0xa0000 + 100), 0x11);
    /* Nothing cared about: all ones. */
    gr_write(f, 7, 0x00);
    ck_assert_uint_eq(rd8(f, 0xa0000 + 100), 0xff);
    ck_assert_uint_eq(gr_read(f, 5), 0x08);
    fx_free(f);
}
END_TEST

/* ---- Bochs VBE dispi through PCI ------------------------------------------ */

static uint32_t cfg_read(Fixture *f, unsigned reg)
{
    as_write(&f->io, 0xcf8, 0x80000000u | VGA_PCI_DEVFN << 8 | reg, 4);
    return (uint32_t)as_read(&f->io, 0xcfc, 4);
}

static void cfg_write(Fixture *f, unsigned reg, uint32_t v)
{
    as_write(&f->io, 0xcf8, 0x80000000u | VGA_PCI_DEVFN << 8 | reg, 4);
    as_write(&f->io, 0xcfc, v, 4);
}

START_TEST(test_vbe_pci)
{
    Fixture *f = fx_new(true, 16u << 20);
    ck_assert_uint_eq(cfg_read(f, 0x00), 0x11111234);
    ck_assert_uint_eq(cfg_read(f, 0x08) >> 8, 0x030000);
    /* BAR0: 16 MiB prefetchable memory. */
    cfg_write(f, 0x10, 0xffffffff);
    ck_assert_uint_eq(cfg_read(f, 0x10), 0xff000008);
    cfg_write(f, 0x10, LFB);
    cfg_write(f, 0x18, 0xfebf0000);
    cfg_write(f, 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);

    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_ID), VBE_DISPI_ID5);
    dispi_write(f, VBE_DISPI_INDEX_ID, VBE_DISPI_ID0);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_ID), VBE_DISPI_ID0);
    dispi_write(f, VBE_DISPI_INDEX_ID, 0x1234);             /* not an ID: ignored */
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_ID), VBE_DISPI_ID0);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 256);
    /* GETCAPS: XRES/YRES/BPP read the maxima while the bit is set. */
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_XRES), 2560);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_YRES), 1600);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_BPP), 32);
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, 0);

    dispi_write(f, VBE_DISPI_INDEX_BPP, 32);
    dispi_write(f, VBE_DISPI_INDEX_XRES, 1024);
    dispi_write(f, VBE_DISPI_INDEX_YRES, 768);
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_ENABLE) & VBE_DISPI_ENABLED, 1);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_VIRT_WIDTH), 1024);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_VIRT_HEIGHT), (16u << 20) / 4096);
    /* Geometry is frozen while enabled. */
    dispi_write(f, VBE_DISPI_INDEX_XRES, 800);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_XRES), 1024);

    ck_assert(f->ds.changed(f->ds.opaque));
    ck_assert(!f->ds.changed(f->ds.opaque));
    as_write(&f->mem, LFB + (100u * 1024 + 200) * 4, 0x00123456, 4);
    as_write(&f->mem, LFB + (767u * 1024 + 1023) * 4, 0x00fedcba, 4);
    ck_assert(f->ds.changed(f->ds.opaque));
    ck_assert(!f->ds.changed(f->ds.opaque));
    int w, h;
    ck_assert_uint_eq(pixel(f, 200, 100, &w, &h), 0x123456);
    ck_assert_int_eq(w, 1024);
    ck_assert_int_eq(h, 768);
    ck_assert_uint_eq(pixel(f, 1023, 767, &w, &h), 0xfedcba);
    ck_assert_uint_eq(pixel(f, 201, 100, &w, &h), 0);
    ck_assert(!f->ds.get_text(f->ds.opaque, (char[8]){ 0 }, 8));

    /* Panning: Y_OFFSET 1 shows line 101 at 100. */
    dispi_write(f, VBE_DISPI_INDEX_Y_OFFSET, 1);
    ck_assert_uint_eq(pixel(f, 200, 99, &w, &h), 0x123456);
    dispi_write(f, VBE_DISPI_INDEX_Y_OFFSET, 0);

    /* Banked window: bank 1 of 64 KiB at 0xA0000 (chain-4 after enable). */
    dispi_write(f, VBE_DISPI_INDEX_BANK, 1);
    wr8(f, 0xa0010, 0x77);
    ck_assert_uint_eq(as_read(&f->mem, LFB + 0x10010, 1), 0x77);
    ck_assert_uint_eq(rd8(f, 0xa0010), 0x77);
    dispi_write(f, VBE_DISPI_INDEX_BANK, 256);               /* past VRAM: refused */
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_BANK), 1);

    /* The same registers through BAR2 MMIO (0x500 + 2 * index). */
    ck_assert_uint_eq(as_read(&f->mem, 0xfebf0000 + 0x500 + 2 * VBE_DISPI_INDEX_XRES, 2), 1024);
    ck_assert_uint_eq(as_read(&f->mem, 0xfebf0000 + 0x600, 4), 8);

    /* 16 bpp: 565 white-ish and NOCLEARMEM keeps the VRAM. */
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, 0);
    dispi_write(f, VBE_DISPI_INDEX_BPP, 16);
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_NOCLEARMEM);
    as_write(&f->mem, LFB + 2 * 5, 0xf800, 2);               /* pure red */
    ck_assert_uint_eq(pixel(f, 5, 0, &w, &h), 0xff0000);
    /* Enabling without NOCLEARMEM clears the frame. */
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, 0);
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    ck_assert_uint_eq(pixel(f, 5, 0, &w, &h), 0x000000);

    /* 8 bpp with the 8-bit DAC (ENABLE bit 5): full-byte palette entries. */
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, 0);
    dispi_write(f, VBE_DISPI_INDEX_BPP, 8);
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_8BIT_DAC);
    dac_set(f, 1, 0xff, 0x80, 0x01);
    as_write(&f->mem, LFB + 1023, 1, 1);
    ck_assert_uint_eq(pixel(f, 1023, 0, &w, &h), 0xff8001);
    fx_free(f);
}
END_TEST

START_TEST(test_vbe_refused)
{
    /* 4 MiB VRAM, no PCI: 1920x1080x32 (7.9 MiB) does not fit. */
    Fixture *f = fx_new(false, 4u << 20);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), 64);
    set_mode(f, &mode13);
    dispi_write(f, VBE_DISPI_INDEX_BPP, 32);
    dispi_write(f, VBE_DISPI_INDEX_XRES, 1920);
    dispi_write(f, VBE_DISPI_INDEX_YRES, 1080);
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_ENABLE) & VBE_DISPI_ENABLED, 0);
    int w, h;
    pixel(f, 0, 0, &w, &h);
    ck_assert_int_eq(w, 320);                                 /* still mode 13h */
    /* Beyond the capabilities: ignored. */
    dispi_write(f, VBE_DISPI_INDEX_XRES, 4096);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_XRES), 1920);
    dispi_write(f, VBE_DISPI_INDEX_BPP, 12);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_BPP), 32);

    /* 1024x1024x32 fills VRAM exactly: accepted, LFB at the ISA address. */
    dispi_write(f, VBE_DISPI_INDEX_XRES, 1024);
    dispi_write(f, VBE_DISPI_INDEX_YRES, 1024);
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_ENABLE) & VBE_DISPI_ENABLED, 1);
    as_write(&f->mem, LFB + (4u << 20) - 4, 0x00abcdef, 4);
    ck_assert_uint_eq(pixel(f, 1023, 1023, &w, &h), 0xabcdef);
    /* A virtual width that would not fit is refused. */
    dispi_write(f, VBE_DISPI_INDEX_VIRT_WIDTH, 2048);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_VIRT_WIDTH), 1024);
    /* Offsets past VRAM: render stays in bounds, those lines are black. */
    dispi_write(f, VBE_DISPI_INDEX_Y_OFFSET, 0xffff);
    dispi_write(f, VBE_DISPI_INDEX_X_OFFSET, 0xffff);
    ck_assert_uint_eq(pixel(f, 1023, 1023, &w, &h), 0);
    dispi_write(f, VBE_DISPI_INDEX_X_OFFSET, 0);
    dispi_write(f, VBE_DISPI_INDEX_Y_OFFSET, 1);
    ck_assert_uint_eq(pixel(f, 1023, 1022, &w, &h), 0xabcdef);
    ck_assert_uint_eq(pixel(f, 1023, 1023, &w, &h), 0);       /* past the end */
    fx_free(f);
}
END_TEST

/* ---- misbehaving guests ---------------------------------------------------- */

START_TEST(test_bad_indexes)
{
    Fixture *f = fx_new(false, 0);
    set_mode(f, &mode03);
    /* DAC write index 255 auto-increments to 0 after three components. */
    outb(f, 0x3c8, 255);
    for (int i = 0; i < 6; i++)
        outb(f, 0x3c9, (uint8_t)(0x10 + i));
    ck_assert_uint_eq(inb(f, 0x3c8), 1);
    outb(f, 0x3c7, 255);
    ck_assert_uint_eq(inb(f, 0x3c7), 0x03);                  /* DAC state: read mode */
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(inb(f, 0x3c9), 0x10 + i);
    /* 6-bit DAC: upper bits dropped. */
    dac_set(f, 9, 0xff, 0x40, 0x3f);
    outb(f, 0x3c7, 9);
    ck_assert_uint_eq(inb(f, 0x3c9), 0x3f);
    ck_assert_uint_eq(inb(f, 0x3c9), 0x00);

    /* Sequencer index past 4, CRTC index FFh, GR index past 8, AR index
     * past 14h: writes go nowhere, reads give 0, nothing else changes. */
    for (unsigned i = 5; i < 256; i++) {
        if ((i & 7) < 5)
            continue;                       /* 3-bit index: i & 7 aliases SR0-4 */
        sr_write(f, (uint8_t)i, 0xaa);
        outb(f, 0x3c4, (uint8_t)i);
        ck_assert_uint_eq(inb(f, 0x3c5), 0);
    }
    for (uint8_t i = 1; i < 5; i++) {
        outb(f, 0x3c4, i);
        ck_assert_uint_eq(inb(f, 0x3c5), mode03.sr[i]);
    }
    cr_write(f, 0xff, 0x55);
    ck_assert_uint_eq(cr_read(f, 0xff), 0);
    gr_write(f, 0x0f, 0x55);
    ck_assert_uint_eq(gr_read(f, 0x0f), 0);
    inb(f, 0x3da);
    outb(f, 0x3c0, 0x3f);
    outb(f, 0x3c0, 0x55);
    outb(f, 0x3c0, 0x20);
    ck_assert_uint_eq(cr_read(f, 0x01), 0x4f);
    outw(f, VBE_DISPI_IOPORT_INDEX, 0xffff);
    outw(f, VBE_DISPI_IOPORT_DATA, 0x1234);
    ck_assert_uint_eq(inw(f, VBE_DISPI_IOPORT_DATA), 0);

    /* Mono CRTC ports are not decoded in color mode. */
    outb(f, 0x3b4, 0x01);
    ck_assert_uint_eq(inb(f, 0x3b5), 0xff);
    /* Input status 1: vertical retrace toggles, so polling loops end;
     * reading it resets the attribute flip-flop to "index". */
    uint8_t a = inb(f, 0x3da), b = inb(f, 0x3da);
    ck_assert_uint_eq((a ^ b) & 0x08, 0x08);
    outb(f, 0x3c0, 0x10);
    inb(f, 0x3da);
    outb(f, 0x3c0, 0x31);                                     /* index 11h + PAS */
    outb(f, 0x3c0, 0x07);                                     /* overscan = 7 */
    outb(f, 0x3c0, 0x31);
    ck_assert_uint_eq(inb(f, 0x3c1), 0x07);
    fx_free(f);
}
END_TEST

START_TEST(test_render_extremes_in_bounds)
{
    /* The smallest VRAM and every CRTC field at its maximum: text and
     * graphics rendering stay inside VRAM and the frame buffer. */
    Fixture *f = fx_new(false, 1u << 20);
    set_mode(f, &mode03);
    cr_write(f, 0x11, 0x00);
    static const uint8_t big[] = { 0x01, 0x07, 0x09, 0x0c, 0x0d, 0x0e, 0x0f, 0x12, 0x13 };
    for (size_t i = 0; i < sizeof(big); i++)
        cr_write(f, big[i], 0xff);
    sr_write(f, 3, 0x3f);
    char buf[128];
    int w, h;
    ck_assert(f->ds.get_text(f->ds.opaque, buf, sizeof(buf)));
    pixel(f, 0, 0, &w, &h);
    ck_assert_int_eq(w, 256 * 9);
    set_mode(f, &mode13);
    cr_write(f, 0x11, 0x00);
    for (size_t i = 0; i < sizeof(big); i++)
        cr_write(f, big[i], 0xff);
    cr_write(f, 0x09, 0x00);
    pixel(f, 0, 0, &w, &h);
    ck_assert_int_eq(w, 256 * 4);
    set_mode(f, &mode12);
    cr_write(f, 0x11, 0x00);
    for (size_t i = 0; i < sizeof(big); i++)
        cr_write(f, big[i], 0xff);
    cr_write(f, 0x09, 0x00);
    pixel(f, 0, 0, &w, &h);
    ck_assert_int_eq(w, 256 * 8);
    ck_assert_int_eq(h, 1024);
    /* VBE 4 bpp planar with huge offsets: plane addresses wrap in VRAM. */
    dispi_write(f, VBE_DISPI_INDEX_BPP, 4);
    dispi_write(f, VBE_DISPI_INDEX_XRES, 1280);
    dispi_write(f, VBE_DISPI_INDEX_YRES, 800);
    dispi_write(f, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_ENABLE) & 1, 1);
    dispi_write(f, VBE_DISPI_INDEX_Y_OFFSET, 0xffff);
    pixel(f, 1279, 799, &w, &h);
    /* The last bank of VRAM through the 64 KiB window, in chain-4, planar
     * (plane offsets 4x past VRAM: dropped) and odd/even addressing. */
    dispi_write(f, VBE_DISPI_INDEX_BANK, 15);
    ck_assert_uint_eq(dispi_read(f, VBE_DISPI_INDEX_BANK), 15);
    static const uint8_t sr4[3] = { 0x0e, 0x06, 0x02 };
    for (int m = 0; m < 3; m++) {
        sr_write(f, 4, sr4[m]);
        sr_write(f, 2, 0x0f);
        gr_write(f, 5, m == 2 ? 0x10 : 0x00);
        gr_write(f, 6, 0x05);
        for (uint32_t a = 0xa0000; a < 0xc0000; a += 0x1001)
            wr8(f, a, (uint8_t)(rd8(f, a) + 1));
    }
    /* Odd/even address 3FFFFh (bank 3): plane 1, plane offset 1FFFFh. */
    dispi_write(f, VBE_DISPI_INDEX_BANK, 3);
    wr8(f, 0xa0000 + 0xffff, 0x42);
    ck_assert_uint_eq(rd8(f, 0xa0000 + 0xffff), 0x42);
    ck_assert_uint_eq(as_read(&f->mem, LFB + 0x1ffffu * 4 + 1, 1), 0x42);
    fx_free(f);
}
END_TEST

static Suite *vga_suite(void)
{
    Suite *s = suite_create("vga");
    TCase *t = tcase_create("text");
    tcase_add_test(t, test_text_mode03);
    tcase_add_test(t, test_text_geometry);
    suite_add_tcase(s, t);
    TCase *g = tcase_create("graphics");
    tcase_add_test(g, test_mode13);
    tcase_add_test(g, test_mode04_cga);
    tcase_add_test(g, test_planar_write_mode0);
    tcase_add_test(g, test_latches_write_mode1_read_mode1);
    suite_add_tcase(s, g);
    TCase *v = tcase_create("vbe");
    tcase_add_test(v, test_vbe_pci);
    tcase_add_test(v, test_vbe_refused);
    suite_add_tcase(s, v);
    TCase *b = tcase_create("robustness");
    tcase_add_test(b, test_bad_indexes);
    tcase_add_test(b, test_render_extremes_in_bounds);
    suite_add_tcase(s, b);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(vga_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
