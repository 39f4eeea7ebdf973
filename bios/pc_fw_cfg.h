/*
 * What the PC board publishes to SeaBIOS through fw_cfg and CMOS: memory
 * sizes and the e820 map, CPU count, boot order, the VGA option ROM.
 * (QEMU's conventions, which SeaBIOS's CONFIG_QEMU build expects:
 * docs/specs/fw_cfg.rst and SeaBIOS src/fw/paravirt.c.)
 */
#ifndef DOPPEL_BIOS_PC_FW_CFG_H
#define DOPPEL_BIOS_PC_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/fw_cfg.h"
#include "devices/rtc.h"

typedef struct PcMemLayout {
    uint64_t below_4g;    /* RAM from 0 (includes the 640K-1M hole in e820 terms) */
    uint64_t above_4g;    /* RAM from 4 GiB */
} PcMemLayout;

/** Split ram_size the way the i440FX board does: up to 3.5 GiB below 4 GiB
 *  (the rest from 4 GiB up). */
PcMemLayout pc_mem_layout(uint64_t ram_size);
/** Build the "etc/e820" table into buf (20-byte entries); returns bytes used. */
size_t pc_e820_table(const PcMemLayout *l, uint8_t *buf, size_t len);
/** Publish RAM size, CPU count, e820, boot device to fw. */
bool pc_fw_cfg_populate(FwCfg *fw, const PcMemLayout *l, int ncpus, const char *boot_order);
/** Fill CMOS memory sizes, equipment and boot order bytes (SeaBIOS reads
 *  boot order from CMOS 0x3D/0x38: 1 floppy, 2 hard disk, 3 CD-ROM, 4 network). */
void pc_cmos_init(RtcState *rtc, const PcMemLayout *l, int ncpus, const char *boot_order,
                  bool have_hd0, bool have_hd1);

#endif
