/*
 * Firmware lookup, loading and the PC BIOS mapping (see firmware.h).
 */
#include "bios/firmware.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const seabios_paths[] = {
    "/usr/share/seabios/bios-256k.bin",   /* Debian package seabios */
    "/usr/share/seabios/bios.bin",
    "/usr/share/qemu/bios-256k.bin",
    NULL,
};

const char *const vgabios_stdvga_paths[] = {
    "/usr/share/seabios/vgabios-stdvga.bin",
    "/usr/share/qemu/vgabios-stdvga.bin",
    NULL,
};

const char *firmware_search(const char *const *paths)
{
    for (int i = 0; paths[i]; i++)
        if (access(paths[i], R_OK) == 0)
            return paths[i];
    return NULL;
}

uint8_t *firmware_load(const char *path, size_t max, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "'%s' is not a regular file", path);
        fclose(f);
        return NULL;
    }
    if (st.st_size <= 0 || (uint64_t)st.st_size > max) {
        snprintf(err, errlen, "'%s' has an unusable size (%lld bytes; at most %zu)", path,
                 (long long)st.st_size, max);
        fclose(f);
        return NULL;
    }
    uint8_t *buf = malloc((size_t)st.st_size);
    if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        snprintf(err, errlen, "cannot read '%s'", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (size_t)st.st_size;
    return buf;
}

bool pc_bios_size_ok(size_t size, char *err, size_t errlen)
{
    if (size == 0 || size > PC_BIOS_MAX_SIZE || size % (64u << 10) != 0) {
        snprintf(err, errlen, "BIOS image size %zu is not a multiple of 64 KiB up to 16 MiB", size);
        return false;
    }
    return true;
}

PcBiosMapping pc_bios_map(AddressSpace *mem, uint8_t *image, size_t size, int prio)
{
    PcBiosMapping map;
    size_t isa = size < PC_ISA_BIOS_SIZE ? size : PC_ISA_BIOS_SIZE;
    map.high = as_add_rom(mem, "bios", (1ull << 32) - size, size, image, prio);
    map.isa = as_add_rom(mem, "isa-bios", 0x100000 - isa, isa, image + size - isa, prio);
    return map;
}
