/*
 * VGA registers, the 0xA0000-0xBFFFF memory window and the Bochs VBE dispi
 * interface; PCI function and DisplaySource glue. Rendering is in
 * vga_render.c.
 *
 * Register behaviour follows the IBM VGA Technical Reference and FreeVGA:
 *   - External registers: Miscellaneous Output (3C2 w / 3CC r; bit 0 picks
 *     3Dx or 3Bx for the CRTC and Input Status #1), Feature Control (3xA w,
 *     3CA r), Input Status #1 (3xA r: bit 0 display disabled, bit 3
 *     vertical retrace; reading it resets the attribute flip-flop).
 *   - Sequencer 3C4/3C5 indexes 0-4, Graphics Controller 3CE/3CF indexes
 *     0-8, CRTC 3x4/3x5 indexes 0-18h (CR11 bit 7 protects CR0-CR7 except
 *     CR7 bit 4), Attribute Controller 3C0/3C1 (index/data flip-flop).
 *   - DAC: 3C6 pel mask, 3C7 read index (read: DAC state), 3C8 write index,
 *     3C9 data, three 6-bit components per entry with auto increment.
 *   - Memory: FreeVGA "Graphics Registers" (Set/Reset, Enable Set/Reset,
 *     Color Compare, Data Rotate, Read Map Select, Graphics Mode, Misc
 *     Graphics memory map select, Color Don't Care, Bit Mask) and
 *     "Sequencer Registers" (Map Mask, Memory Mode chain-4 / odd-even).
 * Bochs VBE dispi: index at 0x1CE, 16-bit data at 0x1CF; registers ID,
 * XRES, YRES, BPP, ENABLE, BANK, VIRT_WIDTH/HEIGHT, X/Y_OFFSET,
 * VIDEO_MEMORY_64K, as documented in Bochs' vga.h / "VBE display API" and
 * implemented by QEMU's hw/display/vga.c (which SeaBIOS and Linux's bochs
 * driver are written against). A mode that does not fit VRAM is refused:
 * the ENABLED bit does not stick.
 */
#include "devices/vga.h"

#include <stdlib.h>
#include <string.h>

#define VGA_WINDOW_BASE 0xA0000u
#define VGA_WINDOW_SIZE 0x20000u

/* Writable bits of the sequencer and graphics registers (reserved bits read
 * as 0; IBM VGA Technical Reference register descriptions). */
static const uint8_t sr_mask[8] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0, 0, 0 };
static const uint8_t gr_mask[16] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };

static void vga_log(const VgaState *s, unsigned cat, const char *msg, unsigned val)
{
    if (log_enabled(s->log, cat))
        log_printf(s->log, cat, "vga: %s (0x%x)\n", msg, val);
}

static void mark_vram_dirty(VgaState *s, uint64_t addr, uint64_t len)
{
    if (!s->vram_mr->page_flags || len == 0 || addr >= s->vram_size)
        return;
    if (len > s->vram_size - addr)
        len = s->vram_size - addr;
    for (uint64_t p = addr >> MEM_PAGE_BITS; p <= (addr + len - 1) >> MEM_PAGE_BITS; p++)
        s->vram_mr->page_flags[p] |= MEM_PAGE_DIRTY_VGA;
}

/* ==== DAC ================================================================== */

uint32_t vga_dac_rgb(const VgaState *s, uint8_t idx)
{
    const uint8_t *c = &s->palette[(idx & s->pel_mask) * 3];
    uint32_t rgb[3];
    for (int i = 0; i < 3; i++)
        rgb[i] = s->dac_8bit ? c[i] : (uint32_t)((c[i] & 0x3f) << 2 | (c[i] & 0x3f) >> 4);
    return rgb[0] << 16 | rgb[1] << 8 | rgb[2];
}

/* ==== VGA port registers ===================================================== */

static bool crtc_is_color(const VgaState *s)
{
    return s->misc & 0x01;
}

/* port is 0x3B0..0x3DF. Ports of the inactive CRTC address range
 * (mono 3Bx vs color 3Dx, Misc Output bit 0) are not decoded. */
static bool port_decoded(const VgaState *s, unsigned port)
{
    if (port >= 0x3b0 && port <= 0x3bf)
        return !crtc_is_color(s);
    if (port >= 0x3d0 && port <= 0x3df)
        return crtc_is_color(s);
    return true;
}

static uint8_t vga_port_read(VgaState *s, unsigned port)
{
    if (!port_decoded(s, port))
        return 0xff;
    switch (port) {
    case 0x3c0:
        return s->ar_flip ? 0 : s->ar_index;
    case 0x3c1: {
        unsigned i = s->ar_index & 0x1f;
        return i < sizeof(s->ar) ? s->ar[i] : 0;
    }
    case 0x3c2:
        return 0x00;            /* Input Status #0: no retrace IRQ, switches 0 */
    case 0x3c3:
        return s->vss;
    case 0x3c4:
        return s->sr_index;
    case 0x3c5:
        return s->sr_index < 5 ? s->sr[s->sr_index] : 0;
    case 0x3c6:
        return s->pel_mask;
    case 0x3c7:
        return s->dac_state;
    case 0x3c8:
        return s->dac_write_index;
    case 0x3c9: {
        uint8_t v = s->palette[s->dac_read_index * 3 + s->dac_sub];
        if (++s->dac_sub == 3) {
            s->dac_sub = 0;
            s->dac_read_index++;   /* uint8_t: wraps 255 -> 0 */
        }
        return v;
    }
    case 0x3ca:
        return s->feature;
    case 0x3cc:
        return s->misc;
    case 0x3ce:
        return s->gr_index;
    case 0x3cf:
        return s->gr_index < 9 ? s->gr[s->gr_index] : 0;
    case 0x3b4:
    case 0x3d4:
        return s->cr_index;
    case 0x3b5:
    case 0x3d5:
        return s->cr_index < sizeof(s->cr) ? s->cr[s->cr_index] : 0;
    case 0x3ba:
    case 0x3da:
        /* Input Status #1: toggle "display disabled" and "vertical retrace"
         * on every read so both halves of a wait-for-retrace loop end. */
        s->ar_flip = false;
        s->st01 ^= 0x09;
        return s->st01;
    default:
        return 0xff;
    }
}

static void cr_write(VgaState *s, uint8_t val)
{
    uint8_t i = s->cr_index;
    if (i >= sizeof(s->cr)) {
        vga_log(s, LOG_guest_errors, "CRTC write to bad index", i);
        return;
    }
    /* CR11 bit 7 write-protects CR00-CR07, except CR07 bit 4 (line
     * compare bit 8). */
    if ((s->cr[0x11] & 0x80) && i <= 7) {
        if (i == 7)
            s->cr[7] = (uint8_t)((s->cr[7] & ~0x10) | (val & 0x10));
        return;
    }
    s->cr[i] = val;
}

static void ar_write(VgaState *s, uint8_t val)
{
    if (!s->ar_flip) {
        s->ar_index = val & 0x3f;
        s->ar_flip = true;
        return;
    }
    s->ar_flip = false;
    unsigned i = s->ar_index & 0x1f;
    if (i < 0x10)
        s->ar[i] = val & 0x3f;
    else if (i == 0x10 || i == 0x11)
        s->ar[i] = val;
    else if (i == 0x12)
        s->ar[i] = val & 0x3f;
    else if (i == 0x13 || i == 0x14)
        s->ar[i] = val & 0x0f;
    else
        vga_log(s, LOG_guest_errors, "attribute write to bad index", i);
}

static void vga_port_write(VgaState *s, unsigned port, uint8_t val)
{
    if (!port_decoded(s, port))
        return;
    s->regs_dirty = true;
    switch (port) {
    case 0x3c0:
        ar_write(s, val);
        break;
    case 0x3c2:
        s->misc = val;
        break;
    case 0x3c3:
        s->vss = val & 1;
        break;
    case 0x3c4:
        s->sr_index = val & 0x07;
        break;
    case 0x3c5:
        if (s->sr_index < 5)
            s->sr[s->sr_index] = s->sr_mem[s->sr_index] = val & sr_mask[s->sr_index];
        else
            vga_log(s, LOG_guest_errors, "sequencer write to bad index", s->sr_index);
        break;
    case 0x3c6:
        s->pel_mask = val;
        break;
    case 0x3c7:
        s->dac_read_index = val;
        s->dac_sub = 0;
        s->dac_state = 0x03;
        break;
    case 0x3c8:
        s->dac_write_index = val;
        s->dac_sub = 0;
        s->dac_state = 0x00;
        break;
    case 0x3c9:
        s->dac_buf[s->dac_sub] = s->dac_8bit ? val : (val & 0x3f);
        if (++s->dac_sub == 3) {
            memcpy(&s->palette[s->dac_write_index * 3], s->dac_buf, 3);
            s->dac_sub = 0;
            s->dac_write_index++;  /* uint8_t: wraps 255 -> 0 */
        }
        break;
    case 0x3ce:
        s->gr_index = val & 0x0f;
        break;
    case 0x3cf:
        if (s->gr_index < 9)
            s->gr[s->gr_index] = val & gr_mask[s->gr_index];
        else
            vga_log(s, LOG_guest_errors, "graphics write to bad index", s->gr_index);
        break;
    case 0x3b4:
    case 0x3d4:
        s->cr_index = val;
        break;
    case 0x3b5:
    case 0x3d5:
        cr_write(s, val);
        break;
    case 0x3ba:
    case 0x3da:
        s->feature = val & 0x03;
        break;
    default:
        break;
    }
}

static uint64_t port_read_op(VgaState *s, unsigned base, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)vga_port_read(s, base + (unsigned)off + i) << (8 * i);
    return v;
}

static void port_write_op(VgaState *s, unsigned base, uint64_t off, uint64_t val, unsigned size)
{
    /* A word write to an index port writes the index, then the data
     * (out dx, ax with al = index, ah = value). */
    for (unsigned i = 0; i < size; i++)
        vga_port_write(s, base + (unsigned)off + i, (uint8_t)(val >> (8 * i)));
}

static uint64_t ports_3b0_read(void *o, uint64_t off, unsigned size) { return port_read_op(o, 0x3b0, off, size); }
static uint64_t ports_3c0_read(void *o, uint64_t off, unsigned size) { return port_read_op(o, 0x3c0, off, size); }
static uint64_t ports_3d0_read(void *o, uint64_t off, unsigned size) { return port_read_op(o, 0x3d0, off, size); }
static void ports_3b0_write(void *o, uint64_t off, uint64_t v, unsigned size) { port_write_op(o, 0x3b0, off, v, size); }
static void ports_3c0_write(void *o, uint64_t off, uint64_t v, unsigned size) { port_write_op(o, 0x3c0, off, v, size); }
static void ports_3d0_write(void *o, uint64_t off, uint64_t v, unsigned size) { port_write_op(o, 0x3d0, off, v, size); }

static const MemRegionOps ports_3b0_ops = { ports_3b0_read, ports_3b0_write, 1, 1 };
static const MemRegionOps ports_3c0_ops = { ports_3c0_read, ports_3c0_write, 1, 1 };
static const MemRegionOps ports_3d0_ops = { ports_3d0_read, ports_3d0_write, 1, 1 };

/* ==== Bochs VBE dispi ======================================================== */

static unsigned vbe_bits(unsigned bpp)
{
    return bpp == 15 ? 16 : bpp;
}

static bool vbe_bpp_valid(unsigned bpp)
{
    return bpp == 4 || bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

static uint32_t vbe_line_bytes(unsigned width, unsigned bpp)
{
    return (uint32_t)((width * vbe_bits(bpp) + 7) / 8);
}

/* What enabling does to the VGA side so the 0xA0000 window and VGA
 * register readers agree with the VBE mode (QEMU vbe_update_vgaregs):
 * graphics mode with the 64 KiB window at 0xA0000, no CGA addressing,
 * CRTC width/height/offset of the mode, line compare off, 256-color shift
 * mode; chain-4 and all planes for packed pixels go to the memory-side
 * copy of the sequencer only (the guest reads back its own values). */
static void vbe_update_vgaregs(VgaState *s)
{
    unsigned xres = s->vbe_regs[VBE_DISPI_INDEX_XRES];
    unsigned h = s->vbe_regs[VBE_DISPI_INDEX_YRES] - 1u;
    bool packed = s->vbe_regs[VBE_DISPI_INDEX_BPP] != 4;
    s->gr[6] = (uint8_t)((s->gr[6] & ~0x0c) | 0x05);
    s->cr[0x17] |= 0x03;
    s->cr[0x13] = (uint8_t)(s->vbe_line_offset >> 3);
    s->cr[0x01] = (uint8_t)((xres >> 3) - 1);
    s->cr[0x12] = (uint8_t)h;
    s->cr[0x07] = (uint8_t)((s->cr[0x07] & ~0x42) | ((h >> 7) & 0x02) | ((h >> 3) & 0x40));
    s->cr[0x18] = 0xff;
    s->cr[0x07] |= 0x10;
    s->cr[0x09] = (uint8_t)((s->cr[0x09] | 0x40) & ~0x9f);
    if (packed) {
        s->sr_mem[4] |= 0x08;
        s->sr_mem[2] |= 0x0f;
    } else {
        s->sr_mem[1] &= (uint8_t)~0x08;
    }
    s->gr[5] = (uint8_t)((s->gr[5] & ~0x60) | (packed ? 0x40 : 0x00));
}

static void vbe_enable_write(VgaState *s, uint16_t val)
{
    uint16_t *r = s->vbe_regs;
    bool was = r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
    if ((val & VBE_DISPI_ENABLED) && !was) {
        unsigned bpp = r[VBE_DISPI_INDEX_BPP];
        unsigned xres = r[VBE_DISPI_INDEX_XRES], yres = r[VBE_DISPI_INDEX_YRES];
        uint32_t line = vbe_line_bytes(xres, bpp);
        if (!vbe_bpp_valid(bpp) || xres == 0 || yres == 0 ||
            (uint64_t)line * yres > s->vram_size) {
            vga_log(s, LOG_guest_errors, "VBE mode refused (does not fit VRAM)",
                    xres << 16 | yres);
            val &= (uint16_t)~VBE_DISPI_ENABLED;
        } else {
            r[VBE_DISPI_INDEX_VIRT_WIDTH] = (uint16_t)xres;
            r[VBE_DISPI_INDEX_X_OFFSET] = 0;
            r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
            s->vbe_line_offset = line;
            if (!(val & VBE_DISPI_NOCLEARMEM)) {
                memset(s->vram, 0, (size_t)line * yres);
                mark_vram_dirty(s, 0, (uint64_t)line * yres);
            }
            vbe_update_vgaregs(s);
        }
    }
    if (!(val & VBE_DISPI_ENABLED)) {
        s->bank_offset = 0;
        memcpy(s->sr_mem, s->sr, sizeof(s->sr_mem));
    }
    s->dac_8bit = val & VBE_DISPI_8BIT_DAC;
    r[VBE_DISPI_INDEX_ENABLE] = val;
}

static void vbe_write(VgaState *s, uint16_t val)
{
    uint16_t *r = s->vbe_regs;
    bool enabled = vga_vbe_enabled(s);
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    s->regs_dirty = true;
    switch (s->vbe_index) {
    case VBE_DISPI_INDEX_ID:
        if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5)
            r[VBE_DISPI_INDEX_ID] = val;
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
    case VBE_DISPI_INDEX_BPP: {
        /* Geometry only changes while the interface is disabled (Bochs). */
        unsigned max = s->vbe_index == VBE_DISPI_INDEX_XRES ? VBE_DISPI_MAX_XRES
                       : s->vbe_index == VBE_DISPI_INDEX_YRES ? VBE_DISPI_MAX_YRES : 0;
        bool ok = s->vbe_index == VBE_DISPI_INDEX_BPP ? vbe_bpp_valid(val)
                                                      : (val >= 1 && val <= max);
        if (enabled || !ok) {
            vga_log(s, LOG_guest_errors, "VBE geometry write refused", val);
            break;
        }
        r[s->vbe_index] = val;
        break;
    }
    case VBE_DISPI_INDEX_ENABLE:
        vbe_enable_write(s, val);
        break;
    case VBE_DISPI_INDEX_BANK: {
        /* 64 KiB granularity; banks beyond VRAM are refused. */
        uint32_t banks = s->vram_size >> 16;
        if (val < banks) {
            r[VBE_DISPI_INDEX_BANK] = val;
            s->bank_offset = (uint32_t)val << 16;
        } else {
            vga_log(s, LOG_guest_errors, "VBE bank out of range", val);
        }
        break;
    }
    case VBE_DISPI_INDEX_VIRT_WIDTH: {
        if (!enabled) {
            r[VBE_DISPI_INDEX_VIRT_WIDTH] = val;
            break;
        }
        uint32_t line = vbe_line_bytes(val, bpp);
        if (val < r[VBE_DISPI_INDEX_XRES] ||
            (uint64_t)line * r[VBE_DISPI_INDEX_YRES] > s->vram_size) {
            vga_log(s, LOG_guest_errors, "VBE virtual width refused", val);
            break;
        }
        r[VBE_DISPI_INDEX_VIRT_WIDTH] = val;
        s->vbe_line_offset = line;
        break;
    }
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        /* Any value is kept; the renderer shows lines outside VRAM black. */
        r[s->vbe_index] = val;
        break;
    case VBE_DISPI_INDEX_VIRT_HEIGHT:
    case VBE_DISPI_INDEX_VIDEO_MEMORY_64K:
        break;                  /* computed from VRAM size and line length */
    default:
        vga_log(s, LOG_guest_errors, "VBE write to bad index", s->vbe_index);
        break;
    }
}

static uint16_t vbe_read(VgaState *s)
{
    const uint16_t *r = s->vbe_regs;
    bool caps = r[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS;
    switch (s->vbe_index) {
    case VBE_DISPI_INDEX_XRES:
        return caps ? VBE_DISPI_MAX_XRES : r[VBE_DISPI_INDEX_XRES];
    case VBE_DISPI_INDEX_YRES:
        return caps ? VBE_DISPI_MAX_YRES : r[VBE_DISPI_INDEX_YRES];
    case VBE_DISPI_INDEX_BPP:
        return caps ? VBE_DISPI_MAX_BPP : r[VBE_DISPI_INDEX_BPP];
    case VBE_DISPI_INDEX_VIRT_HEIGHT: {
        uint32_t line = vga_vbe_enabled(s) ? s->vbe_line_offset
                        : vbe_line_bytes(r[VBE_DISPI_INDEX_VIRT_WIDTH], r[VBE_DISPI_INDEX_BPP]);
        uint32_t h = line ? s->vram_size / line : 0;
        return (uint16_t)(h > 0xffff ? 0xffff : h);
    }
    case VBE_DISPI_INDEX_VIDEO_MEMORY_64K:
        return (uint16_t)(s->vram_size >> 16);
    default:
        return s->vbe_index < VBE_DISPI_NUM_REGS ? r[s->vbe_index] : 0;
    }
}

/* Ports 0x1CE (index) and 0x1CF (data), 16 bits wide; the region spans
 * 0x1CE-0x1D0 so a word access at 0x1CF reaches it whole. */
static uint64_t vbe_port_read(void *opaque, uint64_t off, unsigned size)
{
    VgaState *s = opaque;
    uint16_t v = off == 0 ? s->vbe_index : vbe_read(s);
    if (off == 2)
        return v >> 8;           /* high byte of the data port */
    return size == 1 ? (v & 0xff) : v;
}

static void vbe_port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    VgaState *s = opaque;
    (void)size;
    if (off == 0)
        s->vbe_index = (uint16_t)val;
    else if (off == 1)
        vbe_write(s, (uint16_t)val);
}

static const MemRegionOps vbe_port_ops = { vbe_port_read, vbe_port_write, 1, 2 };

/* ==== The 0xA0000-0xBFFFF window (FreeVGA "Graphics Registers") ============== */

/* Window offset -> address within the selected map (GR6 bits 3-2), or -1
 * if the map does not decode it. */
static int64_t window_decode(const VgaState *s, uint64_t off)
{
    switch ((s->gr[6] >> 2) & 3) {
    case 0:
        return (int64_t)off;                       /* A0000-BFFFF, 128K */
    case 1:
        if (off >= 0x10000)
            return -1;
        return (int64_t)(off + s->bank_offset);    /* A0000-AFFFF, 64K (+ VBE bank) */
    case 2:
        return off >= 0x10000 && off < 0x18000 ? (int64_t)(off - 0x10000) : -1;
    default:
        return off >= 0x18000 ? (int64_t)(off - 0x18000) : -1;
    }
}

/* VRAM byte index of plane p at plane offset o, or -1 if outside VRAM. */
static int64_t plane_index(const VgaState *s, uint64_t o, unsigned p)
{
    uint64_t i = o * 4 + p;
    return i < s->vram_size ? (int64_t)i : -1;
}

static void load_latches(VgaState *s, uint64_t o)
{
    for (unsigned p = 0; p < 4; p++) {
        int64_t i = plane_index(s, o, p);
        s->latch[p] = i >= 0 ? s->vram[i] : 0xff;
    }
}

static uint8_t window_read(VgaState *s, uint64_t off)
{
    int64_t a = window_decode(s, off);
    if (a < 0)
        return 0xff;
    if (s->sr_mem[4] & 0x08) {             /* chain-4: planes linear */
        load_latches(s, (uint64_t)a >> 2);
        return (uint64_t)a < s->vram_size ? s->vram[a] : 0xff;
    }
    if (s->gr[5] & 0x10) {                 /* host odd/even read */
        unsigned p = (s->gr[4] & 2) | (a & 1);
        load_latches(s, (uint64_t)a >> 1);
        int64_t i = plane_index(s, (uint64_t)a >> 1, p);
        return i >= 0 ? s->vram[i] : 0xff;
    }
    load_latches(s, (uint64_t)a);
    if (!(s->gr[5] & 0x08))                /* read mode 0: read map select */
        return s->latch[s->gr[4] & 3];
    /* Read mode 1: 1 where every plane not "don't care" matches the color
     * compare value. */
    uint8_t diff = 0;
    for (unsigned p = 0; p < 4; p++) {
        if (!(s->gr[7] & (1u << p)))
            continue;
        uint8_t want = (s->gr[2] & (1u << p)) ? 0xff : 0x00;
        diff |= s->latch[p] ^ want;
    }
    return (uint8_t)~diff;
}

/* Logical function of the Data Rotate register (GR3 bits 4-3). */
static uint8_t alu(const VgaState *s, uint8_t v, uint8_t latch)
{
    switch ((s->gr[3] >> 3) & 3) {
    case 1: return v & latch;
    case 2: return v | latch;
    case 3: return v ^ latch;
    default: return v;
    }
}

static void plane_store(VgaState *s, uint64_t o, unsigned p, uint8_t v)
{
    int64_t i = plane_index(s, o, p);
    if (i < 0)
        return;
    s->vram[i] = v;
    mark_vram_dirty(s, (uint64_t)i, 1);
}

static void window_write(VgaState *s, uint64_t off, uint8_t val)
{
    int64_t a = window_decode(s, off);
    if (a < 0)
        return;
    uint8_t map_mask = s->sr_mem[2] & 0x0f;
    if (s->sr_mem[4] & 0x08) {             /* chain-4 */
        if ((map_mask & (1u << (a & 3))) && (uint64_t)a < s->vram_size) {
            s->vram[a] = val;
            mark_vram_dirty(s, (uint64_t)a, 1);
        }
        return;
    }
    if (!(s->sr_mem[4] & 0x04)) {          /* odd/even: even -> 0/2, odd -> 1/3 */
        for (unsigned p = a & 1; p < 4; p += 2)
            if (map_mask & (1u << p))
                plane_store(s, (uint64_t)a >> 1, p, val);
        return;
    }
    /* Planar write modes 0-3 (GR5 bits 1-0). */
    unsigned rot = s->gr[3] & 7;
    uint8_t rotated = (uint8_t)((val >> rot) | (val << ((8 - rot) & 7)));
    uint8_t bit_mask = s->gr[8];
    unsigned mode = s->gr[5] & 3;
    if (mode == 3) {
        bit_mask &= rotated;
    }
    for (unsigned p = 0; p < 4; p++) {
        if (!(map_mask & (1u << p)))
            continue;
        uint8_t set = (s->gr[0] & (1u << p)) ? 0xff : 0x00;
        uint8_t v;
        switch (mode) {
        case 0:
            v = (s->gr[1] & (1u << p)) ? set : rotated;
            break;
        case 1:
            plane_store(s, (uint64_t)a, p, s->latch[p]);
            continue;
        case 2:
            v = (val & (1u << p)) ? 0xff : 0x00;
            break;
        default:
            v = set;
            break;
        }
        v = alu(s, v, s->latch[p]);
        plane_store(s, (uint64_t)a, p, (uint8_t)((v & bit_mask) | (s->latch[p] & ~bit_mask)));
    }
}

static uint64_t window_read_op(void *opaque, uint64_t off, unsigned size)
{
    (void)size;
    return window_read(opaque, off);
}

static void window_write_op(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    (void)size;
    window_write(opaque, off, (uint8_t)val);
}

static const MemRegionOps window_ops = { window_read_op, window_write_op, 1, 1 };

/* ==== PCI BAR2: MMIO view of the registers (QEMU stdvga layout) ============== */

#define MMIO_VGA 0x400      /* ports 0x3C0-0x3DF */
#define MMIO_DISPI 0x500    /* dispi register n at 0x500 + 2n */
#define MMIO_QEXT 0x600     /* QEMU extended regs: size, endianness */

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    VgaState *s = opaque;
    if (off >= MMIO_VGA && off + size <= MMIO_VGA + 0x20)
        return port_read_op(s, 0x3c0, off - MMIO_VGA, size);
    if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * VBE_DISPI_NUM_REGS) {
        uint16_t saved = s->vbe_index;
        s->vbe_index = (uint16_t)((off - MMIO_DISPI) >> 1);
        uint16_t v = vbe_read(s);
        s->vbe_index = saved;
        return (off & 1) ? v >> 8 : (size == 1 ? (v & 0xff) : v);
    }
    if (off >= MMIO_QEXT && off < MMIO_QEXT + 8) {
        /* 0x600: size of the extended block (8); 0x604: little endian. */
        uint32_t reg = off < MMIO_QEXT + 4 ? 8 : 0x1e1e1e1e;
        return (reg >> (8 * (off & 3))) & (size == 1 ? 0xff : 0xffff);
    }
    return 0xff;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    VgaState *s = opaque;
    if (off >= MMIO_VGA && off + size <= MMIO_VGA + 0x20) {
        port_write_op(s, 0x3c0, off - MMIO_VGA, val, size);
    } else if (off >= MMIO_DISPI && off < MMIO_DISPI + 2 * VBE_DISPI_NUM_REGS) {
        uint16_t saved = s->vbe_index;
        s->vbe_index = (uint16_t)((off - MMIO_DISPI) >> 1);
        if (size == 1) {             /* byte write: merge into the register */
            uint16_t cur = vbe_read(s);
            val = (off & 1) ? (cur & 0x00ff) | (val & 0xff) << 8 : (cur & 0xff00) | (val & 0xff);
        }
        if (size == 1 || !(off & 1))
            vbe_write(s, (uint16_t)val);
        s->vbe_index = saved;
    }
}

static const MemRegionOps mmio_ops = { mmio_read, mmio_write, 1, 2 };

/* ==== Device ================================================================= */

static const PciDeviceInfo vga_pci_info = {
    .name = "vga",
    .vendor_id = VGA_PCI_VENDOR,
    .device_id = VGA_PCI_DEVICE,
    .revision = 2,
    .class_code = 0x030000,          /* display, VGA compatible */
    .subsystem_vendor_id = 0x1af4,
    .subsystem_id = 0x1100,
};

void vga_reset(void *opaque)
{
    VgaState *s = opaque;
    s->misc = 0;
    s->feature = 0;
    s->st01 = 0;
    s->vss = 0;
    s->sr_index = s->gr_index = s->cr_index = 0;
    memset(s->sr, 0, sizeof(s->sr));
    memset(s->sr_mem, 0, sizeof(s->sr_mem));
    memset(s->gr, 0, sizeof(s->gr));
    memset(s->cr, 0, sizeof(s->cr));
    memset(s->ar, 0, sizeof(s->ar));
    s->ar_index = 0;
    s->ar_flip = false;
    s->dac_read_index = s->dac_write_index = s->dac_sub = s->dac_state = 0;
    s->pel_mask = 0xff;
    memset(s->palette, 0, sizeof(s->palette));
    s->dac_8bit = false;
    memset(s->latch, 0, sizeof(s->latch));
    s->vbe_index = 0;
    memset(s->vbe_regs, 0, sizeof(s->vbe_regs));
    s->vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    s->vbe_regs[VBE_DISPI_INDEX_BPP] = 8;
    s->vbe_line_offset = 0;
    s->bank_offset = 0;
    s->regs_dirty = true;
}

static uint32_t vram_size_for(size_t want)
{
    if (want == 0)
        return VGA_DEFAULT_VRAM;
    uint32_t size = 1u << 20;
    while (size < want && size < (256u << 20))
        size <<= 1;
    return size;
}

VgaState *vga_create(AddressSpace *mem, AddressSpace *io, PciBus *bus, size_t vram_size,
                     Log *log)
{
    VgaState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->mem = mem;
    s->io = io;
    s->log = log;
    s->vram_size = vram_size_for(vram_size);
    s->vram_mr = as_add_ram(mem, "vga.vram", VBE_DISPI_LFB_PHYSICAL_ADDRESS, s->vram_size,
                            NULL, PCI_BAR_PRIORITY);
    if (!s->vram_mr) {
        free(s);
        return NULL;
    }
    s->vram = s->vram_mr->host;
    as_region_set_log_vga(mem, s->vram_mr, true);
    if (bus) {
        s->pci = pci_register_device(bus, VGA_PCI_DEVFN, &vga_pci_info, s);
        if (!s->pci || !pci_register_bar_region(s->pci, 0, PCI_BAR_MEM_PREFETCH, s->vram_mr) ||
            !pci_register_bar(s->pci, 2, PCI_BAR_MEM, VGA_MMIO_SIZE, &mmio_ops, s)) {
            as_remove(mem, s->vram_mr);
            free(s);
            return NULL;
        }
    }
    s->window_mr = as_add_io(mem, "vga.window", VGA_WINDOW_BASE, VGA_WINDOW_SIZE, &window_ops, s,
                             VGA_WINDOW_PRIORITY);
    s->port_mr[0] = as_add_io(io, "vga.3b0", 0x3b0, 0x10, &ports_3b0_ops, s, 0);
    s->port_mr[1] = as_add_io(io, "vga.3c0", 0x3c0, 0x10, &ports_3c0_ops, s, 0);
    s->port_mr[2] = as_add_io(io, "vga.3d0", 0x3d0, 0x10, &ports_3d0_ops, s, 0);
    s->port_mr[3] = as_add_io(io, "vga.dispi", VBE_DISPI_IOPORT_INDEX, 3, &vbe_port_ops, s, 0);
    vga_reset(s);
    return s;
}

void vga_destroy(void *opaque)
{
    VgaState *s = opaque;
    if (!s)
        return;
    for (int i = 0; i < 4; i++)
        if (s->port_mr[i])
            as_remove(s->io, s->port_mr[i]);
    if (s->window_mr)
        as_remove(s->mem, s->window_mr);
    as_remove(s->mem, s->vram_mr);
    free(s->fb);
    free(s);
}

uint32_t vga_vram_size(const VgaState *s)
{
    return s->vram_size;
}

/* DisplaySource.changed: VRAM pages written (through the LFB or the
 * window) or registers touched since the last call. */
static bool vga_changed(void *opaque)
{
    VgaState *s = opaque;
    bool dirty = s->regs_dirty;
    s->regs_dirty = false;
    uint8_t *flags = s->vram_mr->page_flags;
    if (flags) {
        for (uint32_t p = 0; p < s->vram_size >> MEM_PAGE_BITS; p++) {
            if (flags[p] & MEM_PAGE_DIRTY_VGA) {
                flags[p] &= (uint8_t)~MEM_PAGE_DIRTY_VGA;
                dirty = true;
            }
        }
    }
    return dirty;
}

static bool vga_get_text_cb(void *opaque, char *buf, size_t len)
{
    return vga_get_text(opaque, buf, len);
}

static bool vga_render_cb(void *opaque, const uint32_t **pixels, int *width, int *height)
{
    return vga_render_frame(opaque, pixels, width, height);
}

void vga_display_source(VgaState *s, DisplaySource *out)
{
    out->opaque = s;
    out->get_text = vga_get_text_cb;
    out->render = vga_render_cb;
    out->changed = vga_changed;
}

const DeviceClass vga_class = {
    .name = "vga",
    .state_size = sizeof(VgaState),
    .reset = vga_reset,
    .destroy = vga_destroy,
};
