/*
 * Unit tests of devices/fw_cfg.c, driven through ports 0x510/0x511/0x514
 * and guest RAM as SeaBIOS drives it. Expected behaviour is QEMU's
 * docs/specs/fw_cfg.rst: selector/data registers (reads past the end give
 * 0x00), signature "QEMU" at key 0, feature bitmap (le32) at key 1, the
 * file directory at 0x19 (be32 count; 64-byte entries of be32 size, be16
 * select, be16 reserved, name[56]), and the DMA interface (big-endian
 * FWCfgDmaAccess; control 0 on success, bit 0 on error).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/fw_cfg.h"
#include "machine/memory.h"

#define RAM_SIZE (1u << 20)
#define DESC 0x1000
#define BUF 0x2000

typedef struct Fixture {
    AddressSpace io, mem;
    FwCfg *fw;
} Fixture;

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->io, "io", ~0ull);
    as_init(&f->mem, "mem", ~0ull);
    as_add_ram(&f->mem, "ram", 0, RAM_SIZE, NULL, 0);
    f->fw = fw_cfg_create(&f->io, &f->mem, NULL);
    ck_assert_ptr_nonnull(f->fw);
    return f;
}

static void fx_free(Fixture *f)
{
    fw_cfg_destroy(f->fw);
    as_destroy(&f->io);
    as_destroy(&f->mem);
    free(f);
}

static uint32_t bswap32(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

static void select_key(Fixture *f, uint16_t key)
{
    as_write(&f->io, 0x510, key, 2);   /* outw, as SeaBIOS does */
}

static void read_data(Fixture *f, void *buf, size_t n)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)as_read(&f->io, 0x511, 1);
}

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void ram_put(Fixture *f, uint64_t addr, const void *buf, size_t n)
{
    ck_assert(as_rw(&f->mem, addr, (void *)buf, n, true));
}

static void ram_get(Fixture *f, uint64_t addr, void *buf, size_t n)
{
    ck_assert(as_rw(&f->mem, addr, buf, n, false));
}

/* Write an FWCfgDmaAccess at desc and start it with one 32-bit write of the
 * low half (the address fits in 32 bits). Returns the control word after. */
static uint32_t dma(Fixture *f, uint64_t desc, uint32_t control, uint32_t length, uint64_t address)
{
    uint8_t d[16];
    uint32_t w[4] = { control, length, (uint32_t)(address >> 32), (uint32_t)address };
    for (int i = 0; i < 4; i++) {
        d[4 * i] = (uint8_t)(w[i] >> 24);
        d[4 * i + 1] = (uint8_t)(w[i] >> 16);
        d[4 * i + 2] = (uint8_t)(w[i] >> 8);
        d[4 * i + 3] = (uint8_t)w[i];
    }
    if (desc + 16 <= RAM_SIZE)
        ram_put(f, desc, d, sizeof(d));
    /* outl(0x514, be32(high)); outl(0x518, be32(low)) */
    as_write(&f->io, 0x514, bswap32((uint32_t)(desc >> 32)), 4);
    as_write(&f->io, 0x518, bswap32((uint32_t)desc), 4);
    if (desc + 16 > RAM_SIZE)
        return 0xDEADBEEF;
    uint8_t c[4];
    ram_get(f, desc, c, 4);
    return be32_at(c);
}

START_TEST(test_signature_ports)
{
    Fixture *f = fx_new();
    char sig[5] = { 0 };
    select_key(f, FW_CFG_SIGNATURE);
    read_data(f, sig, 4);
    ck_assert_str_eq(sig, "QEMU");
    /* past the end of the item: 0x00 */
    ck_assert_uint_eq(as_read(&f->io, 0x511, 1), 0);
    /* selecting again restarts at offset 0 */
    select_key(f, FW_CFG_SIGNATURE);
    ck_assert_uint_eq(as_read(&f->io, 0x511, 1), 'Q');
    /* feature bitmap: le32, traditional (bit 0) and DMA (bit 1) */
    uint8_t id[4];
    select_key(f, FW_CFG_ID);
    read_data(f, id, 4);
    ck_assert_uint_eq(id[0], FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    ck_assert_uint_eq(id[1] | id[2] | id[3], 0);
    /* the DMA address register reads "QEMU CFG" big-endian */
    ck_assert_uint_eq(bswap32((uint32_t)as_read(&f->io, 0x514, 4)), 0x51454d55); /* "QEMU" */
    ck_assert_uint_eq(bswap32((uint32_t)as_read(&f->io, 0x518, 4)), 0x20434647); /* " CFG" */
    fx_free(f);
}
END_TEST

START_TEST(test_numeric_items_little_endian)
{
    Fixture *f = fx_new();
    fw_cfg_add_i16(f->fw, FW_CFG_NB_CPUS, 0x0102);
    fw_cfg_add_i32(f->fw, FW_CFG_RAM_SIZE, 0x01020304);
    fw_cfg_add_i64(f->fw, FW_CFG_ARCH_LOCAL + 4, 0x0102030405060708ull);
    uint8_t b[8];
    select_key(f, FW_CFG_NB_CPUS);
    read_data(f, b, 2);
    ck_assert_uint_eq(b[0], 0x02);
    ck_assert_uint_eq(b[1], 0x01);
    select_key(f, FW_CFG_RAM_SIZE);
    read_data(f, b, 4);
    ck_assert_uint_eq(b[0], 0x04);
    ck_assert_uint_eq(b[3], 0x01);
    /* arch-local keys (0x8000 range) are a separate space */
    select_key(f, FW_CFG_ARCH_LOCAL + 4);
    read_data(f, b, 8);
    ck_assert_uint_eq(b[0], 0x08);
    ck_assert_uint_eq(b[7], 0x01);
    select_key(f, 4);
    ck_assert_uint_eq(as_read(&f->io, 0x511, 1), 0);
    fx_free(f);
}
END_TEST

START_TEST(test_directory_sorted)
{
    Fixture *f = fx_new();
    ck_assert(fw_cfg_add_file(f->fw, "etc/zeta", "zzz", 3));
    ck_assert(fw_cfg_add_file(f->fw, "etc/alpha", "aaaaa", 5));
    uint8_t dir[4 + 2 * 64];
    select_key(f, FW_CFG_FILE_DIR);
    read_data(f, dir, sizeof(dir));
    ck_assert_uint_eq(be32_at(dir), 2);
    const uint8_t *e0 = dir + 4, *e1 = dir + 4 + 64;
    /* sorted by name, keys from 0x20 in directory order */
    ck_assert_str_eq((const char *)e0 + 8, "etc/alpha");
    ck_assert_uint_eq(be32_at(e0), 5);
    ck_assert_uint_eq((e0[4] << 8) | e0[5], 0x20);
    ck_assert_uint_eq((e0[6] << 8) | e0[7], 0);
    ck_assert_str_eq((const char *)e1 + 8, "etc/zeta");
    ck_assert_uint_eq(be32_at(e1), 3);
    ck_assert_uint_eq((e1[4] << 8) | e1[5], 0x21);
    /* contents through the data port, by the key the directory names */
    char buf[6] = { 0 };
    select_key(f, (uint16_t)((e1[4] << 8) | e1[5]));
    read_data(f, buf, 3);
    ck_assert_str_eq(buf, "zzz");
    select_key(f, 0x20);
    read_data(f, buf, 5);
    ck_assert(memcmp(buf, "aaaaa", 5) == 0);
    ck_assert_int_eq(fw_cfg_file_key(f->fw, "etc/zeta"), 0x21);
    ck_assert_int_eq(fw_cfg_file_key(f->fw, "etc/none"), -1);
    /* names must fit name[56] with the NUL */
    char longname[80];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[79] = 0;
    ck_assert(!fw_cfg_add_file(f->fw, longname, "x", 1));
    ck_assert(!fw_cfg_add_file(f->fw, "", "x", 1));
    fx_free(f);
}
END_TEST

START_TEST(test_dma_read_file)
{
    Fixture *f = fx_new();
    fw_cfg_add_file(f->fw, "etc/b", "0123456789", 10);
    fw_cfg_add_file(f->fw, "etc/a", "hello", 5);
    uint16_t key = (uint16_t)fw_cfg_file_key(f->fw, "etc/b");
    ck_assert_uint_eq(key, 0x21);

    uint8_t pre[16];
    memset(pre, 0xAA, sizeof(pre));
    ram_put(f, BUF, pre, sizeof(pre));
    /* select + read 4 bytes */
    uint32_t ctl = dma(f, DESC, (uint32_t)key << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
                       4, BUF);
    ck_assert_uint_eq(ctl, 0);   /* all bits cleared: done */
    uint8_t got[16];
    ram_get(f, BUF, got, sizeof(got));
    ck_assert(memcmp(got, "0123", 4) == 0);
    ck_assert_uint_eq(got[4], 0xAA);
    /* skip 2, then read continues from offset 6 */
    ck_assert_uint_eq(dma(f, DESC, FW_CFG_DMA_CTL_SKIP, 2, 0), 0);
    ck_assert_uint_eq(dma(f, DESC, FW_CFG_DMA_CTL_READ, 2, BUF + 8), 0);
    ram_get(f, BUF, got, sizeof(got));
    ck_assert(memcmp(got + 8, "67", 2) == 0);
    /* reading past the end fills the rest with zeros */
    ck_assert_uint_eq(dma(f, DESC, FW_CFG_DMA_CTL_READ, 6, BUF + 8), 0);
    ram_get(f, BUF, got, sizeof(got));
    ck_assert(memcmp(got + 8, "89\0\0\0\0", 6) == 0);
    ck_assert_uint_eq(got[14], 0xAA);
    /* the port interface sees the same offset: past the end */
    ck_assert_uint_eq(as_read(&f->io, 0x511, 1), 0);
    /* The address register is two big-endian halves, low half triggers,
     * and it returns to 0 after an operation: a descriptor at 4 GiB + DESC
     * (outside RAM) does nothing, then a lone low-half write uses high 0. */
    uint8_t d[16] = { 0 };
    d[2] = 0;
    d[3] = FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ;   /* key 0: "QEMU" */
    d[7] = 4;                                           /* length 4 */
    d[14] = (BUF >> 8) & 0xFF;                          /* address BUF */
    ram_put(f, DESC, d, sizeof(d));
    as_write(&f->io, 0x514, bswap32(1), 4);
    as_write(&f->io, 0x518, bswap32(DESC), 4);
    ram_get(f, DESC, got, 4);
    ck_assert_uint_eq(be32_at(got), FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ);  /* untouched */
    as_write(&f->io, 0x518, bswap32(DESC), 4);
    ram_get(f, DESC, got, 4);
    ck_assert_uint_eq(be32_at(got), 0);
    ram_get(f, BUF, got, 4);
    ck_assert(memcmp(got, "QEMU", 4) == 0);
    fx_free(f);
}
END_TEST

START_TEST(test_dma_outside_ram)
{
    Fixture *f = fx_new();
    fw_cfg_add_file(f->fw, "etc/x", "ABCDEFGH", 8);
    uint16_t key = (uint16_t)fw_cfg_file_key(f->fw, "etc/x");
    uint8_t tail_before[8], tail_after[8];
    memset(tail_before, 0x5C, sizeof(tail_before));
    ram_put(f, RAM_SIZE - 8, tail_before, 8);

    /* destination wholly outside RAM: error bit, nothing copied */
    uint32_t ctl = dma(f, DESC, (uint32_t)key << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
                       8, 0x80000000u);
    ck_assert_uint_eq(ctl, FW_CFG_DMA_CTL_ERROR);
    /* destination straddling the end of RAM: error, RAM untouched */
    ctl = dma(f, DESC, (uint32_t)key << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
              8, RAM_SIZE - 4);
    ck_assert_uint_eq(ctl, FW_CFG_DMA_CTL_ERROR);
    ram_get(f, RAM_SIZE - 8, tail_after, 8);
    ck_assert(memcmp(tail_before, tail_after, 8) == 0);
    /* an address that wraps around 2^64 */
    ctl = dma(f, DESC, (uint32_t)key << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
              0xFFFFFFFFu, 0xFFFFFFFFFFFFFFF0ull);
    ck_assert_uint_eq(ctl, FW_CFG_DMA_CTL_ERROR);
    /* a huge length from inside RAM runs past its end: error, no zero-fill */
    ctl = dma(f, DESC, (uint32_t)key << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
              0xFFFFFFFFu, RAM_SIZE - 8);
    ck_assert_uint_eq(ctl, FW_CFG_DMA_CTL_ERROR);
    ram_get(f, RAM_SIZE - 8, tail_after, 8);
    ck_assert(memcmp(tail_before, tail_after, 8) == 0);
    /* the descriptor itself outside RAM: ignored, no crash */
    dma(f, 0xF0000000u, FW_CFG_DMA_CTL_READ, 8, BUF);
    dma(f, RAM_SIZE - 8, FW_CFG_DMA_CTL_READ, 8, BUF);
    fx_free(f);
}
END_TEST

START_TEST(test_nonexistent_key_reads_zero)
{
    Fixture *f = fx_new();
    static const uint16_t keys[] = { 0x0005, 0x0123, 0x3FFF, 0x7FFF, 0x8123, 0xFFFF };
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        select_key(f, keys[k]);
        for (int i = 0; i < 8; i++)
            ck_assert_uint_eq(as_read(&f->io, 0x511, 1), 0);
    }
    /* data port writes are ignored (QEMU 2.4+) */
    select_key(f, FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL);
    as_write(&f->io, 0x511, 'X', 1);
    select_key(f, FW_CFG_SIGNATURE);
    ck_assert_uint_eq(as_read(&f->io, 0x511, 1), 'Q');
    /* DMA read of a missing key: zeros, no error */
    uint8_t pre[4] = { 1, 2, 3, 4 }, got[4];
    ram_put(f, BUF, pre, 4);
    ck_assert_uint_eq(dma(f, DESC, 0x0123u << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_READ,
                          4, BUF), 0);
    ram_get(f, BUF, got, 4);
    ck_assert_uint_eq(got[0] | got[1] | got[2] | got[3], 0);
    fx_free(f);
}
END_TEST

typedef struct WriteRec {
    int calls;
    uint32_t off, len;
} WriteRec;

static void write_cb(void *opaque, const uint8_t *data, uint32_t off, uint32_t len)
{
    WriteRec *r = opaque;
    r->calls++;
    r->off = off;
    r->len = len;
}

START_TEST(test_dma_write)
{
    Fixture *f = fx_new();
    WriteRec rec = { 0, 0, 0 };
    fw_cfg_add_file(f->fw, "etc/ro", "read-only", 9);
    fw_cfg_add_file_writable(f->fw, "etc/rw", "........", 8, write_cb, &rec);
    uint16_t ro = (uint16_t)fw_cfg_file_key(f->fw, "etc/ro");
    uint16_t rw = (uint16_t)fw_cfg_file_key(f->fw, "etc/rw");
    ram_put(f, BUF, "WXYZ", 4);
    /* read-only items reject writes */
    ck_assert_uint_eq(dma(f, DESC, (uint32_t)ro << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_WRITE,
                          4, BUF), FW_CFG_DMA_CTL_ERROR);
    uint32_t len;
    ck_assert(memcmp(fw_cfg_item(f->fw, ro, &len), "read-only", 9) == 0);
    /* writable: skip 2 then write 4 */
    ck_assert_uint_eq(dma(f, DESC, (uint32_t)rw << 16 | FW_CFG_DMA_CTL_SELECT | FW_CFG_DMA_CTL_SKIP,
                          2, 0), 0);
    ck_assert_uint_eq(dma(f, DESC, FW_CFG_DMA_CTL_WRITE, 4, BUF), 0);
    ck_assert(memcmp(fw_cfg_item(f->fw, rw, &len), "..WXYZ..", 8) == 0);
    ck_assert_int_eq(rec.calls, 1);
    ck_assert_uint_eq(rec.off, 2);
    ck_assert_uint_eq(rec.len, 4);
    /* a write that would run past the end is dropped entirely */
    ck_assert_uint_eq(dma(f, DESC, FW_CFG_DMA_CTL_WRITE, 4, BUF), FW_CFG_DMA_CTL_ERROR);
    ck_assert(memcmp(fw_cfg_item(f->fw, rw, &len), "..WXYZ..", 8) == 0);
    ck_assert_uint_eq(len, 8);
    ck_assert_int_eq(rec.calls, 1);
    fx_free(f);
}
END_TEST

START_TEST(test_dma_garbage)
{
    Fixture *f = fx_new();
    fw_cfg_add_file(f->fw, "etc/x", "ABCDEFGH", 8);
    unsigned seed = 99;
    for (int i = 0; i < 5000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t control = seed;
        seed = seed * 1103515245u + 12345u;
        uint32_t length = seed & 0xFFFF;
        seed = seed * 1103515245u + 12345u;
        uint64_t addr = (seed & 1) ? (seed & (RAM_SIZE - 1)) : (uint64_t)seed << 20;
        if ((addr & ~0xFFFull) == DESC)
            addr += 0x1000;
        dma(f, DESC, control, length, addr);
    }
    /* odd-sized accesses to the DMA register do not start anything */
    as_write(&f->io, 0x515, 0x12, 1);
    as_write(&f->io, 0x514, 0x1234, 2);
    fx_free(f);
}
END_TEST

static Suite *fw_cfg_suite(void)
{
    Suite *s = suite_create("fw_cfg");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_signature_ports);
    tcase_add_test(tc, test_numeric_items_little_endian);
    tcase_add_test(tc, test_directory_sorted);
    tcase_add_test(tc, test_dma_read_file);
    tcase_add_test(tc, test_dma_outside_ram);
    tcase_add_test(tc, test_nonexistent_key_reads_zero);
    tcase_add_test(tc, test_dma_write);
    tcase_add_test(tc, test_dma_garbage);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(fw_cfg_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
