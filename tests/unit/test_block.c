/*
 * Unit tests of the raw image back-end (devices/block/blockdev.c):
 * read/write/flush round trips on a temporary file, read-only refusal,
 * -snapshot keeping every write in memory, range checks and open errors.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/block/blockdev.h"

#define IMG_SECTORS 64   /* 32 KiB: several 4 KiB overlay chunks */

static char img_path[64];

/* A temp image whose sector s is filled with the byte (s & 0xff). */
static void make_image(void)
{
    strcpy(img_path, "/tmp/doppel-test-blk-XXXXXX");
    int fd = mkstemp(img_path);
    ck_assert_int_ge(fd, 0);
    uint8_t sec[512];
    for (int s = 0; s < IMG_SECTORS; s++) {
        memset(sec, s & 0xff, sizeof(sec));
        ck_assert_int_eq(write(fd, sec, sizeof(sec)), 512);
    }
    close(fd);
}

static void remove_image(void) { unlink(img_path); }

/* Read the file directly, not through the back-end. */
static void file_read(uint64_t off, void *buf, size_t len)
{
    int fd = open(img_path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
    close(fd);
}

START_TEST(test_size_and_read)
{
    char err[256];
    BlockDev *b = blk_open(img_path, false, false, err, sizeof(err));
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(blk_size(b), IMG_SECTORS * 512);
    ck_assert_uint_eq(blk_nsectors(b), IMG_SECTORS);
    uint8_t buf[1024];
    ck_assert(blk_read_sectors(b, 5, buf, 2));
    ck_assert_uint_eq(buf[0], 5);
    ck_assert_uint_eq(buf[511], 5);
    ck_assert_uint_eq(buf[512], 6);
    /* Byte granularity across a sector boundary. */
    ck_assert(blk_read(b, 3 * 512 + 510, buf, 4));
    ck_assert_uint_eq(buf[1], 3);
    ck_assert_uint_eq(buf[2], 4);
    blk_close(b);
}
END_TEST

START_TEST(test_write_roundtrip)
{
    char err[256];
    BlockDev *b = blk_open(img_path, false, false, err, sizeof(err));
    ck_assert_ptr_nonnull(b);
    uint8_t w[1024], r[1024];
    for (int i = 0; i < 1024; i++)
        w[i] = (uint8_t)(i * 7 + 1);
    ck_assert(blk_write_sectors(b, 10, w, 2));
    ck_assert(blk_flush(b));
    ck_assert(blk_read_sectors(b, 10, r, 2));
    ck_assert_mem_eq(r, w, 1024);
    blk_close(b);
    /* The file itself holds the data after close. */
    file_read(10 * 512, r, 1024);
    ck_assert_mem_eq(r, w, 1024);
    /* Neighbours untouched. */
    file_read(9 * 512, r, 512);
    ck_assert_uint_eq(r[0], 9);
    ck_assert_uint_eq(r[511], 9);
}
END_TEST

START_TEST(test_out_of_range)
{
    char err[256];
    BlockDev *b = blk_open(img_path, false, false, err, sizeof(err));
    uint8_t buf[1024];
    memset(buf, 0xee, sizeof(buf));
    ck_assert(!blk_read_sectors(b, IMG_SECTORS, buf, 1));
    ck_assert(!blk_read_sectors(b, IMG_SECTORS - 1, buf, 2));
    ck_assert(!blk_write_sectors(b, IMG_SECTORS - 1, buf, 2));
    ck_assert(!blk_read(b, UINT64_MAX - 10, buf, 20));       /* offset + len wraps */
    ck_assert(!blk_read_sectors(b, UINT64_MAX / 512 + 1, buf, 1));
    ck_assert(blk_read_sectors(b, IMG_SECTORS - 1, buf, 1)); /* the last one is fine */
    blk_close(b);
    /* The failed write did not grow or change the file. */
    file_read((IMG_SECTORS - 1) * 512, buf, 512);
    ck_assert_uint_eq(buf[0], (IMG_SECTORS - 1) & 0xff);
    int fd = open(img_path, O_RDONLY);
    ck_assert_int_eq(lseek(fd, 0, SEEK_END), IMG_SECTORS * 512);
    close(fd);
}
END_TEST

START_TEST(test_readonly)
{
    char err[256];
    BlockDev *b = blk_open(img_path, true, false, err, sizeof(err));
    ck_assert_ptr_nonnull(b);
    ck_assert(blk_is_readonly(b));
    uint8_t buf[512];
    memset(buf, 0x5a, sizeof(buf));
    ck_assert(!blk_write_sectors(b, 1, buf, 1));
    ck_assert(blk_read_sectors(b, 1, buf, 1));
    ck_assert_uint_eq(buf[0], 1);
    blk_close(b);
}
END_TEST

START_TEST(test_snapshot)
{
    char err[256];
    BlockDev *b = blk_open(img_path, false, true, err, sizeof(err));
    ck_assert_ptr_nonnull(b);
    ck_assert(!blk_is_readonly(b));
    /* A write straddling a 4 KiB chunk boundary (sectors 7 and 8). */
    uint8_t w[1024], r[2048];
    memset(w, 0xab, sizeof(w));
    ck_assert(blk_write_sectors(b, 7, w, 2));
    /* A partial-chunk byte write keeps the rest of the chunk. */
    ck_assert(blk_write(b, 20 * 512 + 100, "xyz", 3));
    ck_assert(blk_read_sectors(b, 6, r, 4));
    ck_assert_uint_eq(r[0], 6);
    ck_assert_uint_eq(r[511], 6);
    ck_assert_uint_eq(r[512], 0xab);
    ck_assert_uint_eq(r[1535], 0xab);
    ck_assert_uint_eq(r[1536], 9);
    ck_assert(blk_read_sectors(b, 20, r, 1));
    ck_assert_uint_eq(r[99], 20);
    ck_assert_mem_eq(r + 100, "xyz", 3);
    ck_assert_uint_eq(r[103], 20);
    ck_assert(blk_flush(b));
    blk_close(b);
    /* The file never changed. */
    file_read(7 * 512, r, 1024);
    ck_assert_uint_eq(r[0], 7);
    ck_assert_uint_eq(r[1023], 8);
    file_read(20 * 512 + 100, r, 3);
    ck_assert_uint_eq(r[0], 20);
}
END_TEST

START_TEST(test_open_errors)
{
    char err[256] = "";
    ck_assert_ptr_null(blk_open("/nonexistent/doppel.img", false, false, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/doppel.img"));
    err[0] = 0;
    ck_assert_ptr_null(blk_open("/tmp", true, false, err, sizeof(err)));
    ck_assert_int_gt(strlen(err), 0);
    blk_close(NULL);   /* harmless */
}
END_TEST

static Suite *block_suite(void)
{
    Suite *s = suite_create("block");
    TCase *tc = tcase_create("raw");
    tcase_add_checked_fixture(tc, make_image, remove_image);
    tcase_add_test(tc, test_size_and_read);
    tcase_add_test(tc, test_write_roundtrip);
    tcase_add_test(tc, test_out_of_range);
    tcase_add_test(tc, test_readonly);
    tcase_add_test(tc, test_snapshot);
    tcase_add_test(tc, test_open_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(block_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
