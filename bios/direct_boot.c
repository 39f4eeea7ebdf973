/*
 * Direct kernel boot: pick the loader for -kernel's image and publish the
 * boot ROM first in SeaBIOS's boot order (see direct_boot.h). SeaBIOS runs
 * every "genroms/" fw_cfg file as an option ROM and adds a boot entry for
 * each PnP Bootstrap Entry Vector; its priority comes from the "bootorder"
 * file, where the ROM is named "/rom@genroms/<name>" (SeaBIOS src/boot.c,
 * bootprio_find_named_rom; QEMU gives its linuxboot ROM bootindex 0 the
 * same way).
 */
#include "bios/direct_boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bios/firmware.h"

bool direct_boot_add_rom(FwCfg *fw, const char *name, const uint8_t *rom, size_t len)
{
    char file[FW_CFG_FILE_NAME_MAX], line[FW_CFG_FILE_NAME_MAX + 8];
    snprintf(file, sizeof(file), "genroms/%s", name);
    int n = snprintf(line, sizeof(line), "/rom@%s\n", file);
    if (!fw_cfg_add_file(fw, file, rom, len))
        return false;
    uint32_t old_len = 0;
    const uint8_t *old = NULL;
    int key = fw_cfg_file_key(fw, "bootorder");
    if (key >= 0)
        old = fw_cfg_item(fw, (uint16_t)key, &old_len);
    /* Items may carry a trailing NUL; keep the list NUL-terminated. */
    while (old_len > 0 && old[old_len - 1] == 0)
        old_len--;
    size_t total = (size_t)n + old_len + 1;
    char *order = malloc(total);
    if (!order)
        return false;
    memcpy(order, line, (size_t)n);
    if (old_len)
        memcpy(order + n, old, old_len);
    order[n + old_len] = 0;
    bool ok = fw_cfg_add_file(fw, "bootorder", order, total);
    free(order);
    return ok;
}

bool pc_direct_boot_setup(FwCfg *fw, const VmConfig *cfg, uint64_t ram_below_4g, char *err,
                          size_t errlen)
{
    if (!cfg->kernel)
        return true;
    char ferr[512], lerr[512];
    size_t klen;
    uint8_t *kernel = firmware_load(cfg->kernel, ram_below_4g, &klen, ferr, sizeof(ferr));
    if (!kernel) {
        snprintf(err, errlen, "-kernel: %s", ferr);
        return false;
    }
    bool ok;
    if (linux_boot_is_kernel(kernel, klen)) {
        uint8_t *initrd = NULL;
        size_t ilen = 0;
        if (cfg->initrd) {
            initrd = firmware_load(cfg->initrd, ram_below_4g, &ilen, ferr, sizeof(ferr));
            if (!initrd) {
                snprintf(err, errlen, "-initrd: %s", ferr);
                free(kernel);
                return false;
            }
        }
        ok = linux_boot_load(fw, kernel, klen, initrd, ilen, cfg->append, ram_below_4g, NULL, lerr,
                             sizeof(lerr));
        free(initrd);
    } else if (multiboot_find_header(kernel, klen) >= 0) {
        ok = multiboot_load(fw, kernel, klen, cfg->kernel, cfg->initrd, cfg->append, ram_below_4g,
                            lerr, sizeof(lerr));
    } else {
        snprintf(lerr, sizeof(lerr), "not a Linux bzImage or Multiboot kernel");
        ok = false;
    }
    free(kernel);
    if (!ok) {
        /* Loader messages about the initrd already name the option. */
        if (!strncmp(lerr, "-initrd: ", 9))
            snprintf(err, errlen, "%s", lerr);
        else
            snprintf(err, errlen, "-kernel: '%s': %s", cfg->kernel, lerr);
    }
    return ok;
}
