/*
 * Standard VGA plus the Bochs VBE "dispi" extension, as QEMU's "-vga std"
 * presents it: PCI 00:02.0, vendor 0x1234 device 0x1111, class 0x0300,
 * BAR0 = linear framebuffer (all of VRAM), BAR2 = 4 KiB MMIO window onto the
 * VGA ports (0x400) and the dispi registers (0x500). SeaBIOS's
 * vgabios-stdvga.bin and Linux's vgacon/bochs-drm drive it.
 *
 * VRAM layout (as QEMU lays it out): byte 4 * o + p is offset o of plane p.
 * Chain-4 CPU address a is VRAM byte a (so chain-4, banked VBE windows and
 * the LFB all see VRAM linearly); odd/even CPU address a is offset a >> 1
 * of plane (a & 1) (| 2 for planes 2/3); planar address a is offset a of
 * every plane. The CRTC start/cursor addresses count plane offsets.
 *
 * References: IBM VGA Technical Reference (Personal System/2 Hardware
 * Interface Technical Reference, "Video Subsystem"); FreeVGA "Hardware
 * Level VGA and SVGA Video Programming Information" (sections Sequencer,
 * Graphics, CRT Controller, Attribute Controller, DAC, External
 * registers); Bochs "VBE display API" (vga.h VBE_DISPI_* in Bochs/QEMU).
 */
#ifndef DOPPEL_DEVICES_VGA_H
#define DOPPEL_DEVICES_VGA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/pci.h"
#include "machine/device.h"
#include "machine/display.h"
#include "machine/log.h"
#include "machine/memory.h"

#define VGA_PCI_VENDOR 0x1234
#define VGA_PCI_DEVICE 0x1111
#define VGA_PCI_DEVFN PCI_DEVFN(2, 0)
#define VGA_DEFAULT_VRAM (16u << 20)
#define VGA_MMIO_SIZE 0x1000

/* Where the LFB lives when there is no PCI bus (Bochs ISA default). */
#define VBE_DISPI_LFB_PHYSICAL_ADDRESS 0xE0000000u
/* Priority of the 0xA0000-0xBFFFF window: above the board's RAM (0),
 * below the i440FX PAM shadow regions (2, which start at 0xC0000). */
#define VGA_WINDOW_PRIORITY 1

/* Bochs VBE dispi registers (index written to 0x1CE, data at 0x1CF). */
enum {
    VBE_DISPI_INDEX_ID = 0,
    VBE_DISPI_INDEX_XRES = 1,
    VBE_DISPI_INDEX_YRES = 2,
    VBE_DISPI_INDEX_BPP = 3,
    VBE_DISPI_INDEX_ENABLE = 4,
    VBE_DISPI_INDEX_BANK = 5,
    VBE_DISPI_INDEX_VIRT_WIDTH = 6,
    VBE_DISPI_INDEX_VIRT_HEIGHT = 7,
    VBE_DISPI_INDEX_X_OFFSET = 8,
    VBE_DISPI_INDEX_Y_OFFSET = 9,
    VBE_DISPI_INDEX_VIDEO_MEMORY_64K = 10,
    VBE_DISPI_NUM_REGS = 11,
};
#define VBE_DISPI_IOPORT_INDEX 0x1CE
#define VBE_DISPI_IOPORT_DATA 0x1CF
#define VBE_DISPI_ID0 0xB0C0
#define VBE_DISPI_ID5 0xB0C5
#define VBE_DISPI_MAX_XRES 2560
#define VBE_DISPI_MAX_YRES 1600
#define VBE_DISPI_MAX_BPP 32
/* ENABLE register bits. */
enum {
    VBE_DISPI_ENABLED = 0x01,
    VBE_DISPI_GETCAPS = 0x02,
    VBE_DISPI_8BIT_DAC = 0x20,
    VBE_DISPI_LFB_ENABLED = 0x40,
    VBE_DISPI_NOCLEARMEM = 0x80,
};

typedef struct VgaState {
    AddressSpace *mem, *io;
    Log *log;
    PciDevice *pci;             /* NULL without a PCI bus */
    uint8_t *vram;              /* backing of vram_mr */
    uint32_t vram_size;         /* power of two, >= 1 MiB */
    MemRegion *vram_mr;         /* LFB: MR_RAM with log_vga */
    MemRegion *window_mr;       /* 0xA0000-0xBFFFF */
    MemRegion *port_mr[4];      /* 0x3B0, 0x3C0, 0x3D0, 0x1CE */

    /* External / general registers (FreeVGA "External Registers"). */
    uint8_t misc;               /* Miscellaneous Output (3C2 w, 3CC r) */
    uint8_t feature;            /* Feature Control (3xA w, 3CA r) */
    uint8_t st01;               /* Input Status #1 retrace bits (toggle) */
    uint8_t vss;                /* 3C3 video subsystem enable */

    uint8_t sr_index, sr[8];    /* Sequencer (3C4/3C5) as the guest wrote it */
    uint8_t sr_mem[8];          /* ... as memory accesses use it: sr, with
                                   chain-4 / all planes forced by a VBE mode */
    uint8_t gr_index, gr[16];   /* Graphics controller (3CE/3CF) */
    uint8_t cr_index, cr[0x19]; /* CRT controller (3x4/3x5) */
    uint8_t ar_index;           /* Attribute address incl. PAS (bit 5) */
    bool ar_flip;               /* false: next 3C0 write is an index */
    uint8_t ar[0x15];           /* Attribute controller */

    /* DAC (FreeVGA "DAC Operation"). */
    uint8_t dac_read_index, dac_write_index, dac_sub, dac_state;
    uint8_t dac_buf[3];
    uint8_t pel_mask;
    uint8_t palette[256 * 3];
    bool dac_8bit;              /* VBE ENABLE bit 5: 8-bit DAC entries */

    uint8_t latch[4];           /* one byte per plane */

    /* Bochs VBE dispi. */
    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_DISPI_NUM_REGS];
    uint32_t vbe_line_offset;   /* bytes per scan line */
    uint32_t bank_offset;       /* VRAM offset of the 64 KiB bank window */

    bool regs_dirty;            /* register change since changed() */

    /* Render target. */
    uint32_t *fb;
    size_t fb_cap;              /* pixels allocated */
    int fb_width, fb_height;
} VgaState;

/** Create the VGA: legacy ports (0x3B0-0x3DF), the dispi ports
 *  (0x1CE/0x1CF) and the 0xA0000 window on io/mem, and vram_size bytes of
 *  VRAM (rounded up to a power of two, at least 1 MiB, at most 256 MiB; 0
 *  means VGA_DEFAULT_VRAM). With a bus, the function is plugged at
 *  VGA_PCI_DEVFN with BAR0 = VRAM (prefetchable) and BAR2 = MMIO; without
 *  one, VRAM is mapped at VBE_DISPI_LFB_PHYSICAL_ADDRESS. Returns NULL on
 *  allocation failure or if the slot is taken. log may be NULL. */
VgaState *vga_create(AddressSpace *mem, AddressSpace *io, PciBus *bus, size_t vram_size,
                     Log *log);

/** Fill out with this VGA's get_text/render/changed callbacks. */
void vga_display_source(VgaState *vga, DisplaySource *out);

/** VRAM size in bytes (what BAR0 and VIDEO_MEMORY_64K report). */
uint32_t vga_vram_size(const VgaState *vga);

/** Power-on register state (VBE off, DAC and registers cleared); VRAM is
 *  kept. */
void vga_reset(void *vga);

/** Remove every region the VGA added and free it. */
void vga_destroy(void *vga);

extern const DeviceClass vga_class;

/* ---- shared between vga.c and vga_render.c ---- */

/** Draw the current screen into vga->fb (see DisplaySource.render). */
bool vga_render_frame(VgaState *vga, const uint32_t **pixels, int *width, int *height);
/** The text screen as rows of ASCII (see DisplaySource.get_text). */
bool vga_get_text(VgaState *vga, char *buf, size_t len);
/** DAC entry idx (after the pel mask) as 0x00RRGGBB. */
uint32_t vga_dac_rgb(const VgaState *vga, uint8_t idx);
/** True while the dispi interface is enabled (VBE mode shown). */
static inline bool vga_vbe_enabled(const VgaState *vga)
{
    return vga->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}

#endif
