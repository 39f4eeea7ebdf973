/*
 * doppel's own boot option ROMs, assembled from bios/linuxboot.asm and
 * bios/multiboot.asm with nasm at build time, checksummed, and compiled in
 * as byte arrays (the generated
 * $(builddir)/bios/option_roms.c; see bios/local.mk).
 */
#ifndef DOPPEL_BIOS_OPTION_ROMS_H
#define DOPPEL_BIOS_OPTION_ROMS_H

#include <stddef.h>
#include <stdint.h>

/** Linux direct boot (bios/linuxboot.asm). */
extern const uint8_t linuxboot_rom[];
extern const size_t linuxboot_rom_size;
/** Multiboot v1 direct boot (bios/multiboot.asm). */
extern const uint8_t multiboot_rom[];
extern const size_t multiboot_rom_size;

#endif
