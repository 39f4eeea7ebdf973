/*
 * The scripted console engine (see script.h). Output since the current
 * expect began is kept in a window and searched with memmem, so a match
 * split across two writes is found; text after a match stays in the window
 * for the next expect.
 */
#include "frontends/script.h"

#include <stdlib.h>
#include <string.h>

static const char *step_kind(ScriptStepKind k)
{
    switch (k) {
    case STEP_EXPECT: return "--expect";
    case STEP_EXPECT_SCREEN: return "--expect-screen";
    case STEP_SEND: return "--send";
    }
    return "?";
}

void script_init(Script *s, const ScriptStep *steps, int n, double timeout_s, int64_t now_ns)
{
    memset(s, 0, sizeof(*s));
    s->steps = steps;
    s->nsteps = n;
    s->state = SCRIPT_RUNNING;
    s->deadline_ns = timeout_s > 0 ? now_ns + (int64_t)(timeout_s * 1e9) : INT64_MAX;
    s->window = malloc(SCRIPT_WINDOW_MAX);
}

void script_destroy(Script *s)
{
    free(s->window);
    s->window = NULL;
}

/* Drop the window up to (and including) the end of a match at off+len. */
static void window_consume(Script *s, size_t upto)
{
    memmove(s->window, s->window + upto, s->wlen - upto);
    s->wlen -= upto;
}

/* Run sends and serial expects that can complete now. */
static void advance(Script *s)
{
    while (s->state == SCRIPT_RUNNING && s->cur < s->nsteps) {
        const ScriptStep *st = &s->steps[s->cur];
        if (st->kind == STEP_SEND) {
            if (s->send)
                s->send(s->opaque, st->text, strlen(st->text));
        } else if (st->kind == STEP_EXPECT) {
            size_t tl = strlen(st->text);
            const char *hit = s->window ? memmem(s->window, s->wlen, st->text, tl) : NULL;
            if (!hit)
                return;
            window_consume(s, (size_t)(hit - s->window) + tl);
        } else {
            return;               /* screen expects complete in script_poll */
        }
        s->cur++;
    }
    /* A script with no steps (just --timeout) never completes by itself:
     * the guest ends the run, or the timeout does. */
    if (s->state == SCRIPT_RUNNING && s->nsteps > 0 && s->cur >= s->nsteps) {
        bool last_is_send = s->nsteps > 0 && s->steps[s->nsteps - 1].kind == STEP_SEND;
        s->state = last_is_send ? SCRIPT_WAIT_POWEROFF : SCRIPT_DONE;
    }
}

void script_output(Script *s, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        s->tail[s->tail_pos] = (char)buf[i];
        s->tail_pos = (s->tail_pos + 1) % SCRIPT_TAIL_SIZE;
        if (s->tail_len < SCRIPT_TAIL_SIZE)
            s->tail_len++;
    }
    if (!s->window || s->state != SCRIPT_RUNNING)
        return;
    if (len >= SCRIPT_WINDOW_MAX) {
        buf += len - SCRIPT_WINDOW_MAX / 2;
        len = SCRIPT_WINDOW_MAX / 2;
    }
    if (s->wlen + len > SCRIPT_WINDOW_MAX) {   /* keep the newest half */
        size_t keep = SCRIPT_WINDOW_MAX / 2 - len;
        if (s->wlen > keep)
            window_consume(s, s->wlen - keep);
    }
    memcpy(s->window + s->wlen, buf, len);
    s->wlen += len;
    advance(s);
}

ScriptState script_poll(Script *s, int64_t now_ns)
{
    advance(s);
    if (s->state == SCRIPT_RUNNING && s->cur < s->nsteps &&
        s->steps[s->cur].kind == STEP_EXPECT_SCREEN && s->screen_text) {
        static const size_t cap = 64 * 1024;
        char *screen = malloc(cap);
        if (screen && s->screen_text(s->opaque, screen, cap) &&
            strstr(screen, s->steps[s->cur].text)) {
            s->cur++;
            advance(s);
        }
        free(screen);
    }
    if ((s->state == SCRIPT_RUNNING || s->state == SCRIPT_WAIT_POWEROFF) && now_ns >= s->deadline_ns)
        s->state = SCRIPT_FAILED;
    return s->state;
}

void script_tail_lines(const Script *s, int n, char *buf, size_t len)
{
    if (len == 0)
        return;
    /* Walk back from the newest byte counting newlines. */
    size_t start = s->tail_len, lines = 0;
    for (size_t i = 0; i < s->tail_len; i++) {
        size_t back = s->tail_len - 1 - i;
        char c = s->tail[(s->tail_pos + SCRIPT_TAIL_SIZE - s->tail_len + back) % SCRIPT_TAIL_SIZE];
        if (c == '\n' && i > 0 && ++lines >= (size_t)n)
            break;
        start = back;
    }
    size_t out = 0;
    for (size_t i = start; i < s->tail_len && out + 1 < len; i++) {
        char c = s->tail[(s->tail_pos + SCRIPT_TAIL_SIZE - s->tail_len + i) % SCRIPT_TAIL_SIZE];
        if (c != '\r' && c != '\0')
            buf[out++] = c;
    }
    buf[out] = 0;
}

void script_report_failure(const Script *s, FILE *f)
{
    if (s->cur < s->nsteps)
        fprintf(f, "doppel: script timed out at step %d/%d: %s '%s'\n", s->cur + 1, s->nsteps,
                step_kind(s->steps[s->cur].kind), s->steps[s->cur].text);
    else
        fprintf(f, "doppel: script timed out waiting for the guest to power off\n");
    size_t cap = SCRIPT_TAIL_SIZE + 1 > 64 * 1024 ? SCRIPT_TAIL_SIZE + 1 : 64 * 1024;
    char *buf = malloc(cap);
    if (!buf)
        return;
    script_tail_lines(s, 40, buf, cap);
    fprintf(f, "---- last 40 lines of serial output ----\n%s\n", buf);
    if (s->screen_text && s->screen_text(s->opaque, buf, cap))
        fprintf(f, "---- screen ----\n%s", buf);
    else
        fprintf(f, "---- screen: none or graphics mode ----\n");
    free(buf);
}
