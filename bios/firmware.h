/*
 * Firmware images: finding Debian's SeaBIOS (or the -bios override) at run
 * time, loading an image with its size checks, and mapping a PC BIOS the
 * way QEMU does (the whole image just below 4 GiB, its last 128 KiB also
 * just below 1 MiB), so bare-metal test ROMs that rely on it work.
 */
#ifndef DOPPEL_BIOS_FIRMWARE_H
#define DOPPEL_BIOS_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/memory.h"

#define PC_BIOS_MAX_SIZE (16u << 20)
#define PC_ISA_BIOS_SIZE (128u << 10)

/* Where Debian's seabios and qemu packages install their images. */
extern const char *const seabios_paths[];
extern const char *const vgabios_stdvga_paths[];

/** First readable path of the NULL-terminated list, or NULL. */
const char *firmware_search(const char *const *paths);
/** Read the whole file at path (max bytes at most; must not be empty).
 *  Returns a malloc'd buffer and its size, or NULL with err filled. */
uint8_t *firmware_load(const char *path, size_t max, size_t *size, char *err, size_t errlen);

typedef struct PcBiosMapping {
    MemRegion *high;      /* the image ending at 4 GiB */
    MemRegion *isa;       /* its last 128 KiB (or all of a smaller image) ending at 1 MiB */
} PcBiosMapping;

/** Map a BIOS image (size a multiple of 64 KiB, at most 16 MiB, checked by
 *  the caller with pc_bios_size_ok) into mem as ROM at priority prio. The
 *  image stays owned by the caller and must outlive the regions. */
PcBiosMapping pc_bios_map(AddressSpace *mem, uint8_t *image, size_t size, int prio);
/** True if size is acceptable for a PC BIOS; else fills err. */
bool pc_bios_size_ok(size_t size, char *err, size_t errlen);

#endif
