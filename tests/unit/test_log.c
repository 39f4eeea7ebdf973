/*
 * Unit tests of machine/log.c: -d list parsing (every category of the
 * LOG_CATEGORIES X-macro, errors naming the bad entry) and -D output.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/log.h"

START_TEST(test_parse_good)
{
    unsigned mask = 0;
    char err[128] = "";
    ck_assert(log_parse_mask("in_asm", &mask, err, sizeof(err)));
    ck_assert_uint_eq(mask, LOG_in_asm);
    ck_assert(log_parse_mask("int,guest_errors,unimp", &mask, err, sizeof(err)));
    ck_assert_uint_eq(mask, LOG_int | LOG_guest_errors | LOG_unimp);
    ck_assert(log_parse_mask("op,op_opt", &mask, err, sizeof(err)));
    ck_assert_uint_eq(mask, LOG_op | LOG_op_opt); /* op is not a prefix match of op_opt */
    ck_assert(log_parse_mask("tb,tb", &mask, err, sizeof(err)));
    ck_assert_uint_eq(mask, LOG_tb);
    /* Every category in the table parses to its own bit. */
#define TRY(name, bit, help) \
    ck_assert(log_parse_mask(#name, &mask, err, sizeof(err))); \
    ck_assert_uint_eq(mask, 1u << (bit));
    LOG_CATEGORIES(TRY)
#undef TRY
}
END_TEST

START_TEST(test_parse_bad)
{
    unsigned mask = 0x5a5a;
    char err[128] = "";
    ck_assert(!log_parse_mask("bogus", &mask, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "'bogus'"));
    ck_assert_uint_eq(mask, 0x5a5a); /* untouched on error */
    ck_assert(!log_parse_mask("in_asm,nope,op", &mask, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "'nope'"));
    ck_assert(!log_parse_mask("in_as", &mask, err, sizeof(err)));
    ck_assert_ptr_nonnull(strstr(err, "'in_as'"));
    ck_assert(!log_parse_mask("in_asm,", &mask, err, sizeof(err)));
    ck_assert(!log_parse_mask("", &mask, err, sizeof(err)));
    ck_assert(!log_parse_mask("IN_ASM", &mask, err, sizeof(err)));
    /* A tiny error buffer is truncated, not overrun. */
    char tiny[4] = { 'x', 'x', 'x', 'x' };
    ck_assert(!log_parse_mask("bogus", &mask, tiny, 3));
    ck_assert_int_eq(tiny[2], '\0');
    ck_assert_int_eq(tiny[3], 'x');
    ck_assert_uint_eq(mask, 0x5a5a);
}
END_TEST

START_TEST(test_log_file)
{
    char path[] = "/tmp/doppel-test-log-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    Log log;
    ck_assert(log_open(&log, LOG_int | LOG_mmio, path));
    ck_assert(log_enabled(&log, LOG_int));
    ck_assert(!log_enabled(&log, LOG_exec));
    ck_assert(!log_enabled(NULL, LOG_int));
    log_printf(&log, LOG_int, "irq %d\n", 8);
    log_printf(&log, LOG_exec, "not me\n");
    log_printf(&log, LOG_mmio, "mmio %s\n", "ok");
    ck_assert_ptr_ne(log_stream(&log), stderr);
    log_close(&log);

    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char buf[128] = "";
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(path);
    ck_assert_str_eq(buf, "irq 8\nmmio ok\n");

    ck_assert(!log_open(&log, 0, "/nonexistent-dir/doppel.log"));
    ck_assert(log_open(&log, LOG_cpu, NULL));
    ck_assert_ptr_eq(log_stream(&log), stderr);
    log_close(&log);
}
END_TEST

START_TEST(test_help_lists_all)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    log_print_help(f);
    fclose(f);
#define HAS(name, bit, help) ck_assert_ptr_nonnull(strstr(text, #name));
    LOG_CATEGORIES(HAS)
#undef HAS
    ck_assert_ptr_nonnull(strstr(text, "guest misuse of devices"));
    free(text);
}
END_TEST

static Suite *log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_good);
    tcase_add_test(tc, test_parse_bad);
    tcase_add_test(tc, test_log_file);
    tcase_add_test(tc, test_help_lists_all);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(log_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
