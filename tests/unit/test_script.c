/*
 * The scripted console engine: expects matched across write boundaries,
 * text after a match kept for the next expect, sends issued in order, the
 * poweroff wait after a final send, screen expects, timeouts, and the
 * failure report's last-40-lines tail.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/script.h"

typedef struct Fake {
    char sent[256];
    char screen[256];
} Fake;

static void fake_send(void *opaque, const char *text, size_t len)
{
    Fake *f = opaque;
    strncat(f->sent, text, len);
}

static bool fake_screen(void *opaque, char *buf, size_t len)
{
    Fake *f = opaque;
    if (!f->screen[0])
        return false;
    snprintf(buf, len, "%s", f->screen);
    return true;
}

static void out(Script *s, const char *text)
{
    script_output(s, (const uint8_t *)text, strlen(text));
}

static ScriptStep step(ScriptStepKind k, const char *t)
{
    ScriptStep st = { k, (char *)t };
    return st;
}

START_TEST(expect_split_across_writes_then_send)
{
    ScriptStep steps[] = { step(STEP_EXPECT, "login:"), step(STEP_SEND, "root\n"),
                           step(STEP_EXPECT, "# ") };
    Fake f = { "", "" };
    Script s;
    script_init(&s, steps, 3, 10, 0);
    s.send = fake_send;
    s.opaque = &f;
    out(&s, "Debian lo");
    ck_assert_int_eq(s.cur, 0);
    ck_assert_str_eq(f.sent, "");
    out(&s, "gin: ");
    ck_assert_str_eq(f.sent, "root\n");
    ck_assert_int_eq(s.cur, 2);
    ck_assert_int_eq(script_poll(&s, 1), SCRIPT_RUNNING);
    out(&s, "~ # ");
    ck_assert_int_eq(s.state, SCRIPT_DONE);
    script_destroy(&s);
}
END_TEST

START_TEST(text_after_match_counts_for_next_expect)
{
    ScriptStep steps[] = { step(STEP_EXPECT, "A"), step(STEP_EXPECT, "B") };
    Script s;
    script_init(&s, steps, 2, 0, 0);
    out(&s, "xxAyyB");
    ck_assert_int_eq(s.state, SCRIPT_DONE);
    script_destroy(&s);
    /* ...but text before the first match does not satisfy the second. */
    ScriptStep steps2[] = { step(STEP_EXPECT, "A"), step(STEP_EXPECT, "B") };
    script_init(&s, steps2, 2, 0, 0);
    out(&s, "BxxA");
    ck_assert_int_eq(s.state, SCRIPT_RUNNING);
    ck_assert_int_eq(s.cur, 1);
    script_destroy(&s);
}
END_TEST

START_TEST(final_send_waits_for_poweroff_then_times_out)
{
    ScriptStep steps[] = { step(STEP_EXPECT, "$ "), step(STEP_SEND, "poweroff\n") };
    Fake f = { "", "" };
    Script s;
    script_init(&s, steps, 2, 2.0, 1000);
    s.send = fake_send;
    s.opaque = &f;
    out(&s, "$ ");
    ck_assert_int_eq(s.state, SCRIPT_WAIT_POWEROFF);
    ck_assert_str_eq(f.sent, "poweroff\n");
    ck_assert_int_eq(script_poll(&s, 1000 + 1999999999LL), SCRIPT_WAIT_POWEROFF);
    ck_assert_int_eq(script_poll(&s, 1000 + 2000000000LL), SCRIPT_FAILED);
    script_destroy(&s);
}
END_TEST

START_TEST(screen_expect)
{
    ScriptStep steps[] = { step(STEP_EXPECT_SCREEN, "Memtest86+") };
    Fake f = { "", "" };
    Script s;
    script_init(&s, steps, 1, 5, 0);
    s.screen_text = fake_screen;
    s.opaque = &f;
    ck_assert_int_eq(script_poll(&s, 1), SCRIPT_RUNNING);   /* graphics / no text */
    strcpy(f.screen, "  Memtest86+ v6.10\n");
    ck_assert_int_eq(script_poll(&s, 2), SCRIPT_DONE);
    script_destroy(&s);
}
END_TEST

START_TEST(tail_keeps_last_lines)
{
    Script s;
    script_init(&s, NULL, 0, 0, 0);
    char line[32];
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof(line), "line %d\r\n", i);
        out(&s, line);
    }
    char buf[4096];
    script_tail_lines(&s, 40, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "line 99\n"));
    ck_assert_ptr_nonnull(strstr(buf, "line 60\n"));
    ck_assert_ptr_null(strstr(buf, "line 59\n"));
    ck_assert_ptr_null(strchr(buf, '\r'));
    script_destroy(&s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("script");
    TCase *tc = tcase_create("script");
    tcase_add_test(tc, expect_split_across_writes_then_send);
    tcase_add_test(tc, text_after_match_counts_for_next_expect);
    tcase_add_test(tc, final_send_waits_for_poweroff_then_times_out);
    tcase_add_test(tc, screen_expect);
    tcase_add_test(tc, tail_keeps_last_lines);
    suite_add_tcase(su, tc);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
