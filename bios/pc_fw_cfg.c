/*
 * PC firmware tables (see pc_fw_cfg.h).
 */
#include "bios/pc_fw_cfg.h"

#include <string.h>

enum { E820_RAM = 1, E820_RESERVED = 2 };
#define PC_MAX_BELOW_4G (0xe0000000ull)   /* PCI hole from 3.5 GiB, as QEMU's pc */

PcMemLayout pc_mem_layout(uint64_t ram_size)
{
    PcMemLayout l;
    l.below_4g = ram_size < PC_MAX_BELOW_4G ? ram_size : PC_MAX_BELOW_4G;
    l.above_4g = ram_size - l.below_4g;
    return l;
}

static size_t put_e820(uint8_t *buf, size_t len, size_t off, uint64_t addr, uint64_t size,
                       uint32_t type)
{
    if (off + 20 > len)
        return off;
    for (int i = 0; i < 8; i++) {
        buf[off + i] = (uint8_t)(addr >> (8 * i));
        buf[off + 8 + i] = (uint8_t)(size >> (8 * i));
    }
    for (int i = 0; i < 4; i++)
        buf[off + 16 + i] = (uint8_t)(type >> (8 * i));
    return off + 20;
}

size_t pc_e820_table(const PcMemLayout *l, uint8_t *buf, size_t len)
{
    /* SeaBIOS carves the low 1 MiB itself; QEMU lists the RAM ranges only. */
    size_t off = put_e820(buf, len, 0, 0, l->below_4g, E820_RAM);
    if (l->above_4g)
        off = put_e820(buf, len, off, 1ull << 32, l->above_4g, E820_RAM);
    return off;
}

static uint8_t boot_code(char c)
{
    switch (c) {
    case 'a': return 1;
    case 'c': return 2;
    case 'd': return 3;
    case 'n': return 4;
    default: return 0;
    }
}

bool pc_fw_cfg_populate(FwCfg *fw, const PcMemLayout *l, int ncpus, const char *boot_order)
{
    uint8_t e820[3 * 20];
    size_t n = pc_e820_table(l, e820, sizeof(e820));
    bool ok = fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, l->below_4g + l->above_4g);
    ok &= fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, (uint16_t)ncpus);
    ok &= fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, (uint16_t)ncpus);
    ok &= fw_cfg_add_i16(fw, FW_CFG_BOOT_DEVICE, (uint16_t)(boot_order[0] ? boot_order[0] : 'c'));
    ok &= fw_cfg_add_file(fw, "etc/e820", e820, n);
    return ok;
}

void pc_cmos_init(RtcState *rtc, const PcMemLayout *l, int ncpus, const char *boot_order,
                  bool have_hd0, bool have_hd1)
{
    /* Base memory 640 KiB (0x15/0x16); extended memory in KiB above 1 MiB,
     * capped at 0xFFFF (0x17/0x18 and 0x30/0x31); memory above 16 MiB in
     * 64 KiB units (0x34/0x35); above 4 GiB in 64 KiB units (0x5B-0x5D). */
    rtc_cmos_set(rtc, 0x15, 0x80);
    rtc_cmos_set(rtc, 0x16, 0x02);
    uint64_t ext = l->below_4g > (1u << 20) ? (l->below_4g - (1u << 20)) >> 10 : 0;
    if (ext > 0xffff)
        ext = 0xffff;
    rtc_cmos_set(rtc, 0x17, (uint8_t)ext);
    rtc_cmos_set(rtc, 0x18, (uint8_t)(ext >> 8));
    rtc_cmos_set(rtc, 0x30, (uint8_t)ext);
    rtc_cmos_set(rtc, 0x31, (uint8_t)(ext >> 8));
    uint64_t above16 = l->below_4g > (16u << 20) ? (l->below_4g - (16u << 20)) >> 16 : 0;
    if (above16 > 0xffff)
        above16 = 0xffff;
    rtc_cmos_set(rtc, 0x34, (uint8_t)above16);
    rtc_cmos_set(rtc, 0x35, (uint8_t)(above16 >> 8));
    uint64_t above4g = l->above_4g >> 16;
    rtc_cmos_set(rtc, 0x5b, (uint8_t)above4g);
    rtc_cmos_set(rtc, 0x5c, (uint8_t)(above4g >> 8));
    rtc_cmos_set(rtc, 0x5d, (uint8_t)(above4g >> 16));
    rtc_cmos_set(rtc, 0x5f, (uint8_t)(ncpus - 1));
    /* Equipment byte: no floppy, VGA (bits 4-5 = 00: EGA/VGA), FPU present
     * is left clear until the x87 exists. */
    rtc_cmos_set(rtc, 0x14, 0x00);
    rtc_cmos_set(rtc, 0x10, 0x00);
    rtc_cmos_set(rtc, 0x12, (uint8_t)((have_hd0 ? 0xf0 : 0) | (have_hd1 ? 0x0f : 0)));
    /* Boot order: first two devices in 0x3D, third in 0x38 bits 4-7;
     * 0x38 bit 0 = 1 skips the floppy boot-signature check. */
    const char *order = boot_order[0] ? boot_order : "cd";
    uint8_t b[3] = { 0, 0, 0 };
    for (int i = 0; i < 3 && order[i]; i++)
        b[i] = boot_code(order[i]);
    rtc_cmos_set(rtc, 0x3d, (uint8_t)(b[0] | (b[1] << 4)));
    rtc_cmos_set(rtc, 0x38, (uint8_t)((b[2] << 4) | 1));
}
