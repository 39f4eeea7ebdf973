/*
 * Unit tests of devices/debugport.c and the file/null character back-ends.
 *
 * Contracts tested: the Bochs "port E9 hack" (a byte written is printed; a
 * read returns 0xE9), QEMU's isa-debugcon (same at a configurable iobase,
 * 0x402 for SeaBIOS), QEMU's isa-debug-exit (a write of V ends the VM with
 * status (V << 1) | 1 within [iobase, iobase + iosize)), and the POST card
 * convention (port 80h latches the last byte written).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/chardev.h"
#include "devices/debugport.h"
#include "machine/memory.h"

static char *read_file_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    char *buf = calloc(1, 4096);
    *len = fread(buf, 1, 4095, fp);
    fclose(fp);
    return buf;
}

START_TEST(test_debugcon_to_file)
{
    char path[] = "/tmp/doppel-debugcon-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char err[128];
    CharDev *chr = chardev_file_new(path, err, sizeof(err));
    ck_assert_ptr_nonnull(chr);

    AddressSpace io;
    as_init(&io, "io", ~0ull);
    DebugCon *e9 = debugcon_create(&io, 0xE9, chr, NULL);
    DebugCon *sea = debugcon_create(&io, 0x402, chr, NULL);
    ck_assert_ptr_nonnull(e9);
    ck_assert_ptr_nonnull(sea);

    const char *a = "SeaBIOS ", *b = "ok\n";
    for (const char *p = a; *p; p++)
        as_write(&io, 0x402, (uint8_t)*p, 1);
    for (const char *p = b; *p; p++)
        as_write(&io, 0xE9, (uint8_t)*p, 1);
    /* port E9 hack: reads return 0xE9 so software can detect the console */
    ck_assert_uint_eq(as_read(&io, 0xE9, 1), 0xE9);
    ck_assert_uint_eq(as_read(&io, 0x402, 1), 0xE9);
    /* the neighbouring port is not claimed */
    ck_assert_uint_eq(as_read(&io, 0xEA, 1), 0xFF);

    chardev_close(chr);
    size_t len;
    char *got = read_file_all(path, &len);
    ck_assert_uint_eq(len, strlen("SeaBIOS ok\n"));
    ck_assert_str_eq(got, "SeaBIOS ok\n");
    free(got);
    unlink(path);
    debugcon_destroy(e9);
    debugcon_destroy(sea);
    as_destroy(&io);
}
END_TEST

START_TEST(test_chardev_file_error_and_null)
{
    char err[128];
    CharDev *bad = chardev_file_new("/nonexistent-dir/x/y", err, sizeof(err));
    ck_assert_ptr_null(bad);
    ck_assert(strstr(err, "/nonexistent-dir/x/y") != NULL);
    /* null back-end and a missing CharDev swallow output */
    CharDev *null = chardev_null_new();
    ck_assert_uint_eq(chardev_write(null, "abc", 3), 3);
    chardev_close(null);
    AddressSpace io;
    as_init(&io, "io", ~0ull);
    DebugCon *d = debugcon_create(&io, 0xE9, NULL, NULL);
    as_write(&io, 0xE9, 'x', 1);
    debugcon_destroy(d);
    as_destroy(&io);
    /* config: CHR_NONE means no device, with an empty error */
    CharDevConfig none = { CHR_NONE, NULL };
    err[0] = 'x';
    ck_assert_ptr_null(chardev_from_config(&none, err, sizeof(err)));
    ck_assert_str_eq(err, "");
}
END_TEST

typedef struct ExitRec {
    int calls;
    int status;
} ExitRec;

static void exit_cb(void *opaque, int status)
{
    ExitRec *r = opaque;
    r->calls++;
    r->status = status;
}

START_TEST(test_debug_exit_status)
{
    AddressSpace io;
    as_init(&io, "io", ~0ull);
    ExitRec rec = { 0, -1 };
    DebugExit *d = debug_exit_create(&io, 0xF4, 4, exit_cb, &rec, NULL);
    ck_assert_ptr_nonnull(d);

    /* status = (V << 1) | 1: a guest can never fake success (0) */
    as_write(&io, 0xF4, 0x00, 1);
    ck_assert_int_eq(rec.calls, 1);
    ck_assert_int_eq(rec.status, 1);
    as_write(&io, 0xF4, 0x10, 1);
    ck_assert_int_eq(rec.status, 0x21);
    as_write(&io, 0xF4, 0x31, 1);
    ck_assert_int_eq(rec.status, 0x63);
    /* 16- and 32-bit writes carry the whole value */
    as_write(&io, 0xF4, 0x0102, 2);
    ck_assert_int_eq(rec.status, 0x0205);
    as_write(&io, 0xF4, 0x00012345, 4);
    ck_assert_int_eq(rec.status, 0x2468B);
    /* every port inside iosize counts; the one after does not */
    as_write(&io, 0xF7, 0x02, 1);
    ck_assert_int_eq(rec.status, 5);
    int calls = rec.calls;
    as_write(&io, 0xF8, 0x02, 1);
    ck_assert_int_eq(rec.calls, calls);
    /* the status stays a positive int for any 32-bit value */
    ck_assert_int_eq(debug_exit_status(0xFFFFFFFFu), 0x7FFFFFFF);
    ck_assert_int_eq(debug_exit_status(3), 7);
    debug_exit_destroy(d);
    as_destroy(&io);
}
END_TEST

START_TEST(test_debug_exit_props)
{
    char err[128];
    DebugPortProps p = { DEBUG_EXIT_DEFAULT_IOBASE, DEBUG_EXIT_DEFAULT_IOSIZE };
    ck_assert(debugport_parse_props("iobase=0xf4,iosize=0x04", &p, err, sizeof(err)));
    ck_assert_uint_eq(p.iobase, 0xF4);
    ck_assert_uint_eq(p.iosize, 4);
    p.iobase = 1;
    ck_assert(debugport_parse_props("", &p, err, sizeof(err)));
    ck_assert_uint_eq(p.iobase, 1);
    ck_assert(debugport_parse_props("iosize=2", &p, err, sizeof(err)));
    ck_assert_uint_eq(p.iosize, 2);
    /* bad input from the user: one clear error */
    ck_assert(!debugport_parse_props("iobase=zz", &p, err, sizeof(err)));
    ck_assert(strstr(err, "zz") != NULL);
    ck_assert(!debugport_parse_props("iobase=0x10000", &p, err, sizeof(err)));
    ck_assert(!debugport_parse_props("iobase=-1", &p, err, sizeof(err)));
    ck_assert(!debugport_parse_props("color=red", &p, err, sizeof(err)));
    ck_assert(strstr(err, "color") != NULL);
    ck_assert(!debugport_parse_props("iobase", &p, err, sizeof(err)));
    ck_assert(!debugport_parse_props("iobase=", &p, err, sizeof(err)));
}
END_TEST

START_TEST(test_post_latch)
{
    AddressSpace io;
    as_init(&io, "io", ~0ull);
    PostPort *p = post_port_create(&io, POST_PORT_DEFAULT, NULL);
    ck_assert_uint_eq(post_port_last(p), 0);
    as_write(&io, 0x80, 0x12, 1);
    as_write(&io, 0x80, 0x34, 1);
    /* the latch holds the last code written */
    ck_assert_uint_eq(post_port_last(p), 0x34);
    ck_assert_uint_eq(as_read(&io, 0x80, 1), 0x34);
    post_port_class.reset(p);
    ck_assert_uint_eq(post_port_last(p), 0);
    post_port_destroy(p);
    as_destroy(&io);
}
END_TEST

static Suite *debugport_suite(void)
{
    Suite *s = suite_create("debugport");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_debugcon_to_file);
    tcase_add_test(tc, test_chardev_file_error_and_null);
    tcase_add_test(tc, test_debug_exit_status);
    tcase_add_test(tc, test_debug_exit_props);
    tcase_add_test(tc, test_post_latch);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(debugport_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
