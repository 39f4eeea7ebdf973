/*
 * PC firmware tables: the memory split and e820 map, CMOS memory-size and
 * boot-order bytes (values as SeaBIOS reads them: src/fw/paravirt.c,
 * src/boot.c), and the QEMU-style BIOS mapping below 4 GiB and 1 MiB.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bios/firmware.h"
#include "bios/pc_fw_cfg.h"
#include "machine/clock.h"

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

START_TEST(layout_and_e820)
{
    PcMemLayout l = pc_mem_layout(128ull << 20);
    ck_assert_uint_eq(l.below_4g, 128ull << 20);
    ck_assert_uint_eq(l.above_4g, 0);
    uint8_t t[60];
    ck_assert_uint_eq(pc_e820_table(&l, t, sizeof(t)), 20);
    ck_assert_uint_eq(le(t, 8), 0);
    ck_assert_uint_eq(le(t + 8, 8), 128ull << 20);
    ck_assert_uint_eq(le(t + 16, 4), 1);

    l = pc_mem_layout(6ull << 30);
    ck_assert_uint_eq(l.below_4g, 0xe0000000ull);
    ck_assert_uint_eq(l.above_4g, (6ull << 30) - 0xe0000000ull);
    ck_assert_uint_eq(pc_e820_table(&l, t, sizeof(t)), 40);
    ck_assert_uint_eq(le(t + 20, 8), 1ull << 32);
    ck_assert_uint_eq(le(t + 28, 8), l.above_4g);
    /* too small a buffer: entries that don't fit are left out */
    ck_assert_uint_eq(pc_e820_table(&l, t, 25), 20);
}
END_TEST

START_TEST(cmos_bytes)
{
    AddressSpace io;
    as_init(&io, "io", ~0ull);
    VirtClock clk;
    clock_init(&clk, CLOCK_ICOUNT, 0);
    RtcState *rtc = rtc_create(&io, &clk, (IrqLine){ 0 }, 0, NULL);
    PcMemLayout l = pc_mem_layout(128ull << 20);
    pc_cmos_init(rtc, &l, 1, "dc", true, false);
    ck_assert_uint_eq(rtc_cmos_get(rtc, 0x15) | rtc_cmos_get(rtc, 0x16) << 8, 640);
    ck_assert_uint_eq(rtc_cmos_get(rtc, 0x17) | rtc_cmos_get(rtc, 0x18) << 8, 0xffff);
    /* (128 - 16) MiB in 64 KiB units */
    ck_assert_uint_eq(rtc_cmos_get(rtc, 0x34) | rtc_cmos_get(rtc, 0x35) << 8, 1792);
    ck_assert_uint_eq(rtc_cmos_get(rtc, 0x3d), 0x23);   /* CD-ROM, then hard disk */
    ck_assert_uint_eq(rtc_cmos_get(rtc, 0x38) & 1, 1);
    ck_assert_uint_eq(rtc_cmos_get(rtc, 0x12), 0xf0);
    ck_assert_uint_eq(rtc_cmos_get(rtc, 0x5f), 0);
    rtc_class.destroy(rtc);
    as_destroy(&io);
}
END_TEST

START_TEST(bios_mapping)
{
    char err[128];
    ck_assert(!pc_bios_size_ok(1000, err, sizeof(err)));
    ck_assert(!pc_bios_size_ok(32u << 20, err, sizeof(err)));
    ck_assert(pc_bios_size_ok(256u << 10, err, sizeof(err)));
    AddressSpace mem;
    as_init(&mem, "mem", 0);
    size_t size = 256u << 10;
    uint8_t *img = calloc(1, size);
    img[size - 16] = 0xea;            /* reset vector */
    img[size - (128u << 10)] = 0x55;  /* first byte of the last 128 KiB */
    PcBiosMapping map = pc_bios_map(&mem, img, size, 1);
    ck_assert_ptr_nonnull(map.high);
    ck_assert_ptr_nonnull(map.isa);
    ck_assert_uint_eq(as_read(&mem, 0xfffffff0, 1), 0xea);
    ck_assert_uint_eq(as_read(&mem, 0xffff0, 1), 0xea);
    ck_assert_uint_eq(as_read(&mem, 0xe0000, 1), 0x55);
    as_write(&mem, 0xffff0, 0, 1);                       /* ROM: ignored */
    ck_assert_uint_eq(as_read(&mem, 0xffff0, 1), 0xea);
    as_destroy(&mem);
    free(img);
}
END_TEST

START_TEST(firmware_load_errors)
{
    char err[256];
    size_t size;
    ck_assert_ptr_null(firmware_load("/nonexistent/bios.bin", 1 << 20, &size, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/bios.bin"));
    ck_assert_ptr_null(firmware_load("/tmp", 1 << 20, &size, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pc_fw_cfg");
    TCase *tc = tcase_create("pc_fw_cfg");
    tcase_add_test(tc, layout_and_e820);
    tcase_add_test(tc, cmos_bytes);
    tcase_add_test(tc, bios_mapping);
    tcase_add_test(tc, firmware_load_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
