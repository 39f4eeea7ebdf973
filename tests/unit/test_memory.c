/*
 * Unit tests of machine/memory.c: the flattened address space, access-size
 * adaptation for I/O regions, DMA (as_rw), page flags and the port space.
 *
 * Byte order follows the Intel SDM Vol. 1 §1.3.1 ("Bit and Byte Order"):
 * x86 is little-endian, the lowest-addressed byte is the least significant.
 * Unclaimed I/O ports read as all ones because nothing drives the ISA data
 * bus and its pull-ups win (the behaviour every PC BIOS probes for).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "machine/memory.h"

/* ---- a recording MMIO device ---- */

#define REC_MAX 32

typedef struct RecAccess {
    bool write;
    uint64_t off;
    uint64_t val;
    unsigned size;
} RecAccess;

typedef struct RecDev {
    uint8_t regs[64];
    RecAccess log[REC_MAX];
    int n;
} RecDev;

static uint64_t rec_read(void *opaque, uint64_t off, unsigned size)
{
    RecDev *d = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)d->regs[(off + i) % sizeof(d->regs)] << (8 * i);
    if (d->n < REC_MAX)
        d->log[d->n++] = (RecAccess){ false, off, v, size };
    return v;
}

static void rec_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    RecDev *d = opaque;
    for (unsigned i = 0; i < size; i++)
        d->regs[(off + i) % sizeof(d->regs)] = (uint8_t)(val >> (8 * i));
    if (d->n < REC_MAX)
        d->log[d->n++] = (RecAccess){ true, off, val, size };
}

static void rec_init(RecDev *d)
{
    memset(d, 0, sizeof(*d));
    for (unsigned i = 0; i < sizeof(d->regs); i++)
        d->regs[i] = (uint8_t)(0x10 + i);
}

static const MemRegionOps ops_any = { rec_read, rec_write, 0, 0 };
static const MemRegionOps ops_byte = { rec_read, rec_write, 1, 1 };
static const MemRegionOps ops_word = { rec_read, rec_write, 1, 2 };
static const MemRegionOps ops_dword_only = { rec_read, rec_write, 4, 4 };
static const MemRegionOps ops_noread = { NULL, rec_write, 0, 0 };

static void check_access(const RecDev *d, int i, bool write, uint64_t off, unsigned size,
                         uint64_t val)
{
    ck_assert_int_lt(i, d->n);
    ck_assert_int_eq(d->log[i].write, write);
    ck_assert_uint_eq(d->log[i].off, off);
    ck_assert_uint_eq(d->log[i].size, size);
    ck_assert_uint_eq(d->log[i].val, val);
}

/* ---- overlap and priority ---- */

START_TEST(test_priority_overlap)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *a = as_add_ram(&as, "a", 0, 0x10000, NULL, 0);
    memset(a->host, 0xaa, 0x10000);
    MemRegion *b = as_add_ram(&as, "b", 0x4000, 0x2000, NULL, 1);
    memset(b->host, 0xbb, 0x2000);
    ck_assert_uint_eq(as_read(&as, 0x3fff, 1), 0xaa);
    ck_assert_uint_eq(as_read(&as, 0x4000, 1), 0xbb);
    ck_assert_uint_eq(as_read(&as, 0x5fff, 1), 0xbb);
    ck_assert_uint_eq(as_read(&as, 0x6000, 1), 0xaa);

    /* Equal priority: the one added later wins. */
    MemRegion *c = as_add_ram(&as, "c", 0x5000, 0x2000, NULL, 1);
    memset(c->host, 0xcc, 0x2000);
    ck_assert_uint_eq(as_read(&as, 0x4fff, 1), 0xbb);
    ck_assert_uint_eq(as_read(&as, 0x5000, 1), 0xcc);
    ck_assert_uint_eq(as_read(&as, 0x6fff, 1), 0xcc);
    ck_assert_uint_eq(as_read(&as, 0x7000, 1), 0xaa);
    MemRegion *d = as_add_ram(&as, "d", 0x8000, 0x1000, NULL, 0);
    memset(d->host, 0xdd, 0x1000);
    ck_assert_uint_eq(as_read(&as, 0x8000, 1), 0xdd);
    /* Lower priority added later still loses. */
    MemRegion *e = as_add_ram(&as, "e", 0x9000, 0x1000, NULL, -1);
    memset(e->host, 0xee, 0x1000);
    ck_assert_uint_eq(as_read(&as, 0x9000, 1), 0xaa);

    uint64_t off = 0;
    ck_assert_ptr_eq(as_lookup(&as, 0x5123, &off), c);
    ck_assert_uint_eq(off, 0x123);
    ck_assert_uint_eq(as_range_remaining(&as, 0x5123), 0x7000 - 0x5123);

    /* The flat view is sorted and disjoint. */
    for (int i = 0; i < as.nflat; i++) {
        ck_assert_uint_lt(as.flat[i].start, as.flat[i].end);
        if (i)
            ck_assert_uint_le(as.flat[i - 1].end, as.flat[i].start);
    }

    /* Removing the top region re-exposes the one below. */
    unsigned gen = as.generation;
    as_remove(&as, c);
    ck_assert_uint_ne(as.generation, gen);
    ck_assert_uint_eq(as_read(&as, 0x5000, 1), 0xbb);
    ck_assert_uint_eq(as_read(&as, 0x6000, 1), 0xaa);
    as_remove(&as, b);
    ck_assert_uint_eq(as_read(&as, 0x4000, 1), 0xaa);
    as_destroy(&as);
}
END_TEST

START_TEST(test_move_and_disable)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *a = as_add_ram(&as, "a", 0, 0x10000, NULL, 0);
    memset(a->host, 0xaa, 0x10000);
    MemRegion *b = as_add_ram(&as, "b", 0x4000, 0x1000, NULL, 1);
    memset(b->host, 0xbb, 0x1000);

    unsigned gen = as.generation;
    as_region_move(&as, b, 0x20000);
    ck_assert_uint_ne(as.generation, gen);
    ck_assert_uint_eq(as_read(&as, 0x4000, 1), 0xaa);
    ck_assert_uint_eq(as_read(&as, 0x20000, 1), 0xbb);
    ck_assert_uint_eq(as_read(&as, 0x1ffff, 1), 0);

    gen = as.generation;
    as_region_enable(&as, a, false);
    ck_assert_uint_ne(as.generation, gen);
    ck_assert_uint_eq(as_read(&as, 0x100, 1), 0);
    ck_assert_ptr_null(as_lookup(&as, 0x100, NULL));
    as_write(&as, 0x100, 0x55, 1);
    ck_assert_uint_eq(a->host[0x100], 0xaa);
    as_region_enable(&as, a, true);
    ck_assert_uint_eq(as_read(&as, 0x100, 1), 0xaa);

    /* A region moved so that it would run past 2^64 (a guest sizing a
     * 64-bit BAR writes all ones) is clipped, not wrapped to 0. */
    as_region_move(&as, b, 0xfffffffffffff800ull);
    ck_assert_uint_eq(as_read(&as, 0xfffffffffffff800ull, 1), 0xbb);
    ck_assert_uint_eq(as_read(&as, 0xfffffffffffffffeull, 1), 0xbb);
    ck_assert_uint_eq(as_read(&as, 0, 1), 0xaa);
    ck_assert_uint_eq(as_read(&as, 0x7ff, 1), 0xaa);
    as_destroy(&as);
}
END_TEST

/* ---- access sizes and byte order ---- */

START_TEST(test_ram_sizes_little_endian)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *r = as_add_ram(&as, "ram", 0x1000, 0x1000, NULL, 0);
    for (int i = 0; i < 0x1000; i++)
        ck_assert_uint_eq(r->host[i], 0); /* zeroed backing */

    as_write(&as, 0x1100, 0x0807060504030201ull, 8);
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(r->host[0x100 + i], i + 1);
    ck_assert_uint_eq(as_read(&as, 0x1100, 1), 0x01);
    ck_assert_uint_eq(as_read(&as, 0x1101, 2), 0x0302);
    ck_assert_uint_eq(as_read(&as, 0x1102, 4), 0x06050403);
    ck_assert_uint_eq(as_read(&as, 0x1100, 8), 0x0807060504030201ull);

    as_write(&as, 0x1104, 0xbeef, 2);
    ck_assert_uint_eq(r->host[0x104], 0xef);
    ck_assert_uint_eq(r->host[0x105], 0xbe);
    as_write(&as, 0x1100, 0xdeadbeefcafe1234ull, 1); /* value truncated to size */
    ck_assert_uint_eq(as_read(&as, 0x1100, 8), 0x0807beef04030234ull);
    as_write(&as, 0x1200, 0x11223344, 4);
    ck_assert_uint_eq(as_read(&as, 0x1200, 8), 0x11223344);
    as_destroy(&as);
}
END_TEST

START_TEST(test_split_across_regions)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *r1 = as_add_ram(&as, "r1", 0, 0x1000, NULL, 0);
    MemRegion *r2 = as_add_ram(&as, "r2", 0x1000, 0x1000, NULL, 0);
    RecDev dev;
    rec_init(&dev);
    as_add_io(&as, "dev", 0x2000, 0x40, &ops_any, &dev, 0);

    as_write(&as, 0xffe, 0x44332211, 4);
    ck_assert_uint_eq(r1->host[0xffe], 0x11);
    ck_assert_uint_eq(r1->host[0xfff], 0x22);
    ck_assert_uint_eq(r2->host[0], 0x33);
    ck_assert_uint_eq(r2->host[1], 0x44);
    ck_assert_uint_eq(as_read(&as, 0xffe, 4), 0x44332211);
    ck_assert_uint_eq(as_read(&as, 0xffc, 8), 0x0000443322110000ull);

    /* RAM followed by MMIO: the device sees the bytes that hit it. */
    r2->host[0xffe] = 0xaa;
    r2->host[0xfff] = 0xbb;
    ck_assert_uint_eq(as_read(&as, 0x1ffe, 4), 0x1110bbaa);
    ck_assert_int_eq(dev.n, 2);
    check_access(&dev, 0, false, 0, 1, 0x10);
    check_access(&dev, 1, false, 1, 1, 0x11);

    /* Straddling the end of the device into unclaimed space. */
    ck_assert_uint_eq(as_read(&as, 0x203e, 4), 0x00004f4e);
    as_destroy(&as);

    AddressSpace ones;
    as_init(&ones, "ones", ~(uint64_t)0);
    MemRegion *r = as_add_ram(&ones, "r", 0, 0x1000, NULL, 0);
    r->host[0xfff] = 0x5a;
    ck_assert_uint_eq(as_read(&ones, 0xfff, 2), 0xff5a);
    ck_assert_uint_eq(as_read(&ones, 0xffd, 8), 0xffffffffff5a0000ull);
    /* An access running past 2^64 reads the missing bytes as unassigned. */
    ck_assert_uint_eq(as_read(&ones, 0xffffffffffffffffull, 4), 0xffffffff);
    as_write(&ones, 0xfffffffffffffffeull, 0x1234, 4); /* must not wrap to 0 */
    ck_assert_uint_eq(r->host[0], 0);
    as_destroy(&ones);
}
END_TEST

/* ---- I/O access-size adaptation ---- */

START_TEST(test_io_max_access_split)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    RecDev d;
    rec_init(&d);
    as_add_io(&as, "bytes", 0x1000, 0x40, &ops_byte, &d, 0);
    /* A dword read of a byte-wide device: four byte reads, lowest first. */
    ck_assert_uint_eq(as_read(&as, 0x1004, 4), 0x17161514);
    ck_assert_int_eq(d.n, 4);
    for (int i = 0; i < 4; i++)
        check_access(&d, i, false, 4 + i, 1, 0x14 + i);

    RecDev w;
    rec_init(&w);
    as_add_io(&as, "words", 0x2000, 0x40, &ops_word, &w, 0);
    as_write(&as, 0x2008, 0x8877665544332211ull, 8);
    ck_assert_int_eq(w.n, 4);
    check_access(&w, 0, true, 8, 2, 0x2211);
    check_access(&w, 1, true, 10, 2, 0x4433);
    check_access(&w, 2, true, 12, 2, 0x6655);
    check_access(&w, 3, true, 14, 2, 0x8877);
    /* Within limits: passed through unchanged. */
    w.n = 0;
    ck_assert_uint_eq(as_read(&as, 0x2009, 1), 0x22);
    ck_assert_uint_eq(as_read(&as, 0x2008, 2), 0x2211);
    ck_assert_int_eq(w.n, 2);
    check_access(&w, 0, false, 9, 1, 0x22);
    check_access(&w, 1, false, 8, 2, 0x2211);
    as_destroy(&as);
}
END_TEST

START_TEST(test_io_min_access_widen)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    RecDev d;
    rec_init(&d);
    as_add_io(&as, "dw", 0x1000, 0x40, &ops_dword_only, &d, 0);
    /* Byte read at offset 5: one dword read at 4, byte 1 of it. */
    ck_assert_uint_eq(as_read(&as, 0x1005, 1), 0x15);
    ck_assert_int_eq(d.n, 1);
    check_access(&d, 0, false, 4, 4, 0x17161514);
    /* Word read straddling two dwords: both are read. */
    d.n = 0;
    ck_assert_uint_eq(as_read(&as, 0x1003, 2), 0x1413);
    ck_assert_int_eq(d.n, 2);
    check_access(&d, 0, false, 0, 4, 0x13121110);
    check_access(&d, 1, false, 4, 4, 0x17161514);
    /* Byte write: read-modify-write of the containing dword. */
    d.n = 0;
    as_write(&as, 0x1006, 0xab, 1);
    ck_assert_int_eq(d.n, 2);
    check_access(&d, 0, false, 4, 4, 0x17161514);
    check_access(&d, 1, true, 4, 4, 0x17ab1514);
    /* A qword access of a dword-only device is split. */
    d.n = 0;
    as_write(&as, 0x1008, 0x0102030405060708ull, 8);
    ck_assert_int_eq(d.n, 2);
    check_access(&d, 0, true, 8, 4, 0x05060708);
    check_access(&d, 1, true, 12, 4, 0x01020304);

    /* A device without a read callback reads as unassigned. */
    RecDev n;
    rec_init(&n);
    as_add_io(&as, "wo", 0x2000, 0x10, &ops_noread, &n, 0);
    ck_assert_uint_eq(as_read(&as, 0x2000, 4), 0);
    as_write(&as, 0x2000, 0x99, 1);
    check_access(&n, 0, true, 0, 1, 0x99);
    as_destroy(&as);
}
END_TEST

/* ---- unclaimed space and ROM ---- */

START_TEST(test_unassigned)
{
    AddressSpace ones, zeros;
    as_init(&ones, "ones", ~(uint64_t)0);
    as_init(&zeros, "zeros", 0);
    ck_assert_uint_eq(as_read(&ones, 0x1234, 1), 0xff);
    ck_assert_uint_eq(as_read(&ones, 0x1234, 2), 0xffff);
    ck_assert_uint_eq(as_read(&ones, 0x1234, 4), 0xffffffff);
    ck_assert_uint_eq(as_read(&ones, 0x1234, 8), ~(uint64_t)0);
    ck_assert_uint_eq(as_read(&zeros, 0x1234, 8), 0);
    ck_assert_uint_eq(as_read(&zeros, 0x1234, 1), 0);
    as_write(&ones, 0x1234, 0x55, 4);
    ck_assert_uint_eq(as_read(&ones, 0x1234, 4), 0xffffffff);
    ck_assert_ptr_null(as_lookup(&ones, 0x1234, NULL));
    ck_assert_uint_eq(as_range_remaining(&ones, 0x1234), 0);
    ck_assert_ptr_null(as_host_ptr(&ones, 0x1234, 1, NULL));
    as_destroy(&ones);
    as_destroy(&zeros);
}
END_TEST

START_TEST(test_rom_ignores_writes)
{
    AddressSpace as;
    as_init(&as, "mem", ~(uint64_t)0);
    uint8_t img[0x1000];
    for (int i = 0; i < 0x1000; i++)
        img[i] = (uint8_t)i;
    MemRegion *rom = as_add_rom(&as, "bios", 0xf0000, sizeof(img), img, 0);
    ck_assert_ptr_eq(rom->host, img);
    ck_assert_uint_eq(as_read(&as, 0xf0010, 4), 0x13121110);
    as_write(&as, 0xf0010, 0xdeadbeef, 4);
    ck_assert_uint_eq(as_read(&as, 0xf0010, 4), 0x13121110);
    uint8_t buf[4] = { 1, 2, 3, 4 };
    ck_assert(as_rw(&as, 0xf0020, buf, 4, true)); /* claimed, but dropped */
    ck_assert_uint_eq(img[0x20], 0x20);

    /* PAM-style read-only switching of RAM. */
    MemRegion *ram = as_add_ram(&as, "shadow", 0, 0x1000, NULL, 0);
    as_write(&as, 0x10, 0x77, 1);
    unsigned gen = as.generation;
    as_region_set_readonly(&as, ram, true);
    ck_assert_uint_ne(as.generation, gen);
    as_write(&as, 0x10, 0x88, 1);
    ck_assert_uint_eq(as_read(&as, 0x10, 1), 0x77);
    as_region_set_readonly(&as, ram, false);
    as_write(&as, 0x10, 0x88, 1);
    ck_assert_uint_eq(as_read(&as, 0x10, 1), 0x88);
    as_destroy(&as);
}
END_TEST

/* ---- DMA ---- */

START_TEST(test_rw_across_regions)
{
    AddressSpace as;
    as_init(&as, "mem", ~(uint64_t)0);
    MemRegion *r1 = as_add_ram(&as, "r1", 0, 0x1000, NULL, 0);
    MemRegion *r2 = as_add_ram(&as, "r2", 0x1000, 0x1000, NULL, 0);
    RecDev d;
    rec_init(&d);
    as_add_io(&as, "dev", 0x3000, 0x10, &ops_any, &d, 0);

    uint8_t buf[0x20];
    for (int i = 0; i < 0x20; i++)
        buf[i] = (uint8_t)(0x80 + i);
    ck_assert(as_rw(&as, 0xff0, buf, sizeof(buf), true));
    ck_assert_uint_eq(r1->host[0xff0], 0x80);
    ck_assert_uint_eq(r1->host[0xfff], 0x8f);
    ck_assert_uint_eq(r2->host[0], 0x90);
    ck_assert_uint_eq(r2->host[0xf], 0x9f);
    uint8_t back[0x20];
    ck_assert(as_rw(&as, 0xff0, back, sizeof(back), false));
    ck_assert_mem_eq(back, buf, sizeof(buf));

    /* Into the hole between 0x2000 and 0x3000 and on into the device. */
    uint8_t rd[0x14];
    memset(rd, 0, sizeof(rd));
    ck_assert(!as_rw(&as, 0x2ffc, rd, sizeof(rd), false));
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(rd[i], 0xff);
    for (int i = 0; i < 0x10; i++)
        ck_assert_uint_eq(rd[4 + i], 0x10 + i);
    /* Naturally aligned device accesses: two qwords. */
    ck_assert_int_eq(d.n, 2);
    check_access(&d, 0, false, 0, 8, 0x1716151413121110ull);

    /* Past the end of RAM. */
    ck_assert(!as_rw(&as, 0x1ff8, back, 0x10, false));
    ck_assert_uint_eq(back[7], r2->host[0xfff]);
    ck_assert_uint_eq(back[8], 0xff);
    as_destroy(&as);
}
END_TEST

START_TEST(test_rw_overflow)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *low = as_add_ram(&as, "low", 0, 0x1000, NULL, 0);
    MemRegion *top = as_add_ram(&as, "top", 0xfffffffffffff000ull, 0x1000, NULL, 0);
    uint8_t buf[16];
    memset(buf, 0x5a, sizeof(buf));
    /* addr + len wraps: the bytes past 2^64 are unclaimed, RAM at 0 untouched. */
    ck_assert(!as_rw(&as, 0xfffffffffffffff8ull, buf, sizeof(buf), true));
    ck_assert_uint_eq(top->host[0xff8], 0x5a);
    ck_assert_uint_eq(top->host[0xffe], 0x5a);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(low->host[i], 0);
    memset(buf, 0xee, sizeof(buf));
    ck_assert(!as_rw(&as, 0xfffffffffffffff8ull, buf, sizeof(buf), false));
    ck_assert_uint_eq(buf[0], 0x5a);
    ck_assert_uint_eq(buf[12], 0);
    /* A zero length succeeds; unclaimed space fails. */
    ck_assert(as_rw(&as, 0x10, buf, 0, true));
    ck_assert(!as_rw(&as, 0x2000, buf, sizeof(buf), false));
    /* as_host_ptr refuses ranges that leave the region or wrap. */
    ck_assert_ptr_null(as_host_ptr(&as, 0xfff, 2, NULL));
    ck_assert_ptr_null(as_host_ptr(&as, 0xfffffffffffffff0ull, 0x20, NULL));
    ck_assert_ptr_null(as_host_ptr(&as, 0x10, UINT64_MAX, NULL));
    MemRegion *mr = NULL;
    ck_assert_ptr_eq(as_host_ptr(&as, 0x10, 0x10, &mr), low->host + 0x10);
    ck_assert_ptr_eq(mr, low);
    as_destroy(&as);
}
END_TEST

START_TEST(test_host_ptr)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *ram = as_add_ram(&as, "ram", 0, 0x10000, NULL, 0);
    RecDev d;
    rec_init(&d);
    as_add_io(&as, "hole", 0x8000, 0x1000, &ops_any, &d, 1);
    ck_assert_ptr_eq(as_host_ptr(&as, 0x7000, 0x1000, NULL), ram->host + 0x7000);
    ck_assert_ptr_null(as_host_ptr(&as, 0x7000, 0x1001, NULL)); /* runs into MMIO */
    ck_assert_ptr_null(as_host_ptr(&as, 0x8000, 1, NULL));
    ck_assert_ptr_eq(as_host_ptr(&as, 0x9000, 0x7000, NULL), ram->host + 0x9000);
    /* as_ram_range: the flat RAM stretch around addr, cut by the MMIO hole */
    uint64_t start = 1, end = 1;
    ck_assert_ptr_eq(as_ram_range(&as, 0x7ff8, &start, &end), ram->host);
    ck_assert_uint_eq(start, 0);
    ck_assert_uint_eq(end, 0x8000);
    ck_assert_ptr_eq(as_ram_range(&as, 0x9000, &start, &end), ram->host + 0x9000);
    ck_assert_uint_eq(start, 0x9000);
    ck_assert_uint_eq(end, 0x10000);
    ck_assert_ptr_null(as_ram_range(&as, 0x8800, &start, &end));   /* MMIO */
    ck_assert_ptr_null(as_ram_range(&as, 0x10000, &start, &end));  /* unclaimed */
    unsigned gen = as.generation;
    as_region_enable(&as, ram, false);
    ck_assert_uint_ne(as.generation, gen);                         /* cached ranges go stale */
    ck_assert_ptr_null(as_host_ptr(&as, 0x1000, 1, NULL));
    ck_assert_ptr_null(as_ram_range(&as, 0x1000, &start, &end));
    as_destroy(&as);
}
END_TEST

/* ---- page flags ---- */

typedef struct HookLog {
    AddressSpace *as;
    int calls;
    uint64_t addr[8], len[8];
    uint64_t seen; /* byte at addr when the hook ran */
} HookLog;

static void code_hook(void *opaque, uint64_t addr, uint64_t len)
{
    HookLog *h = opaque;
    if (h->calls < 8) {
        h->addr[h->calls] = addr;
        h->len[h->calls] = len;
    }
    h->calls++;
    h->seen = as_read(h->as, addr, 1);
}

START_TEST(test_code_write_hook)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *ram = as_add_ram(&as, "ram", 0x10000, 0x4000, NULL, 0);
    HookLog h = { .as = &as };
    as_set_code_write_hook(&as, code_hook, &h);
    ram->host[0x1010] = 0x42;
    as_page_flags_set(&as, 0x11000, MEM_PAGE_CODE);
    ck_assert_uint_eq(as_page_flags(&as, 0x11fff), MEM_PAGE_CODE);
    ck_assert_uint_eq(as_page_flags(&as, 0x10fff), 0);

    as_write(&as, 0x10010, 0x99, 4); /* data page */
    ck_assert_int_eq(h.calls, 0);
    as_write(&as, 0x11010, 0x99, 1); /* code page: hook runs before the write */
    ck_assert_int_eq(h.calls, 1);
    ck_assert_uint_eq(h.addr[0], 0x11010);
    ck_assert_uint_eq(h.len[0], 1);
    ck_assert_uint_eq(h.seen, 0x42);
    ck_assert_uint_eq(ram->host[0x1010], 0x99);

    /* DMA over pages 0..2: one call, for the code page's part only. */
    static uint8_t big[0x2800];
    ck_assert(as_rw(&as, 0x10800, big, sizeof(big), true));
    ck_assert_int_eq(h.calls, 2);
    ck_assert_uint_eq(h.addr[1], 0x11000);
    ck_assert_uint_eq(h.len[1], 0x1000);

    /* Writes the engine made through a host pointer. */
    as_notify_write(&as, 0x10ffe, 4);
    ck_assert_int_eq(h.calls, 3);
    ck_assert_uint_eq(h.addr[2], 0x11000);
    ck_assert_uint_eq(h.len[2], 2);

    as_page_flags_clear(&as, 0x11000, MEM_PAGE_CODE);
    as_write(&as, 0x11010, 0x98, 1);
    ck_assert_int_eq(h.calls, 3);
    /* Flags of unclaimed addresses: no-ops, read as 0. */
    as_page_flags_set(&as, 0x90000, MEM_PAGE_CODE);
    ck_assert_uint_eq(as_page_flags(&as, 0x90000), 0);

    /* ROM writes are dropped without invalidating anything. */
    uint8_t img[0x1000] = { 0 };
    as_add_rom(&as, "rom", 0x20000, sizeof(img), img, 0);
    as_page_flags_set(&as, 0x20000, MEM_PAGE_CODE);
    as_write(&as, 0x20000, 1, 1);
    ck_assert_int_eq(h.calls, 3);
    as_destroy(&as);
}
END_TEST

START_TEST(test_vga_dirty)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *vram = as_add_ram(&as, "vram", 0xa0000, 0x20000, NULL, 1);
    MemRegion *ram = as_add_ram(&as, "ram", 0, 0x10000, NULL, 0);
    unsigned gen = as.generation;
    as_region_set_log_vga(&as, vram, true);
    ck_assert_uint_ne(as.generation, gen);

    as_write(&as, 0xa1004, 0x0741, 2);
    ck_assert_uint_eq(as_page_flags(&as, 0xa1000), MEM_PAGE_DIRTY_VGA);
    ck_assert_uint_eq(as_page_flags(&as, 0xa0000), 0);
    ck_assert_uint_eq(as_page_flags(&as, 0xa2000), 0);
    as_page_flags_clear(&as, 0xa1000, MEM_PAGE_DIRTY_VGA);
    ck_assert_uint_eq(as_page_flags(&as, 0xa1000), 0);
    /* Reads do not dirty. */
    (void)as_read(&as, 0xa1004, 4);
    ck_assert_uint_eq(as_page_flags(&as, 0xa1000), 0);

    uint8_t buf[0x1800] = { 0 };
    ck_assert(as_rw(&as, 0xa3800, buf, sizeof(buf), true));
    ck_assert_uint_eq(as_page_flags(&as, 0xa3000), MEM_PAGE_DIRTY_VGA);
    ck_assert_uint_eq(as_page_flags(&as, 0xa4000), MEM_PAGE_DIRTY_VGA);
    ck_assert_uint_eq(as_page_flags(&as, 0xa5000), 0);
    as_notify_write(&as, 0xa7000, 1);
    ck_assert_uint_eq(as_page_flags(&as, 0xa7000), MEM_PAGE_DIRTY_VGA);

    as_write(&as, 0x1000, 1, 1);
    ck_assert_uint_eq(as_page_flags(&as, 0x1000), 0);
    ck_assert_uint_eq(ram->page_flags[1], 0);
    as_destroy(&as);
}
END_TEST

START_TEST(test_big_ram)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    uint64_t size = 64ull << 20;
    MemRegion *r = as_add_ram(&as, "ram", 0, size, NULL, 0);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(as_read(&as, size - 8, 8), 0);
    as_write(&as, size - 8, 0x0123456789abcdefull, 8);
    ck_assert_uint_eq(as_read(&as, size - 8, 8), 0x0123456789abcdefull);
    ck_assert_uint_eq(as_read(&as, size - 4, 8), 0x01234567);
    as_destroy(&as);
    ck_assert_int_eq(as.nregions, 0);
}
END_TEST

/* ---- the port space ---- */

START_TEST(test_port_space)
{
    AddressSpace io;
    as_init(&io, "io", ~(uint64_t)0);
    RecDev kbd, ide, vga, crtc;
    rec_init(&kbd);
    rec_init(&ide);
    rec_init(&vga);
    rec_init(&crtc);
    as_add_io(&io, "kbd", 0x60, 1, &ops_byte, &kbd, 0);
    as_add_io(&io, "ide", 0x1f0, 8, &ops_word, &ide, 0);
    as_add_io(&io, "vga", 0x3c0, 0x20, &ops_byte, &vga, 0);
    as_add_io(&io, "crtc", 0x3d4, 2, &ops_byte, &crtc, 1);

    /* inw 0x60: the keyboard answers the low byte, port 0x61 floats high. */
    ck_assert_uint_eq(as_read(&io, 0x60, 2), 0xff10);
    ck_assert_int_eq(kbd.n, 1);
    check_access(&kbd, 0, false, 0, 1, 0x10);
    /* inl 0x1f0 of a 16-bit data port: two word reads. */
    ck_assert_uint_eq(as_read(&io, 0x1f0, 4), 0x13121110);
    ck_assert_int_eq(ide.n, 2);
    check_access(&ide, 0, false, 0, 2, 0x1110);
    check_access(&ide, 1, false, 2, 2, 0x1312);
    /* outw 0x3d4: index then data, the overlay wins over the VGA block. */
    as_write(&io, 0x3d4, 0x0e0f, 2);
    ck_assert_int_eq(crtc.n, 2);
    check_access(&crtc, 0, true, 0, 1, 0x0f);
    check_access(&crtc, 1, true, 1, 1, 0x0e);
    ck_assert_int_eq(vga.n, 0);
    ck_assert_uint_eq(as_read(&io, 0x3d6, 1), 0x26);
    ck_assert_int_eq(vga.n, 1);
    check_access(&vga, 0, false, 0x16, 1, 0x26);
    /* Nothing at 0x80: all ones, writes vanish. */
    as_write(&io, 0x80, 0x12, 1);
    ck_assert_uint_eq(as_read(&io, 0x80, 1), 0xff);
    ck_assert_uint_eq(as_read(&io, 0xffff, 4), 0xffffffff);
    as_destroy(&io);
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_priority_overlap);
    tcase_add_test(tc, test_move_and_disable);
    tcase_add_test(tc, test_ram_sizes_little_endian);
    tcase_add_test(tc, test_split_across_regions);
    tcase_add_test(tc, test_io_max_access_split);
    tcase_add_test(tc, test_io_min_access_widen);
    tcase_add_test(tc, test_unassigned);
    tcase_add_test(tc, test_rom_ignores_writes);
    tcase_add_test(tc, test_rw_across_regions);
    tcase_add_test(tc, test_rw_overflow);
    tcase_add_test(tc, test_host_ptr);
    tcase_add_test(tc, test_code_write_hook);
    tcase_add_test(tc, test_vga_dirty);
    tcase_add_test(tc, test_big_ram);
    tcase_add_test(tc, test_port_space);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(memory_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
