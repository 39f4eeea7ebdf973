/*
 * A small JSON reader for metadata.json (objects, arrays, strings,
 * numbers, true/false/null), enough for the SingleStepTests metadata.
 */
#include "tests/cpu/sst_meta.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Parser { const char *p, *end; SstMeta *m; bool ok; } Parser;

static void skip_ws(Parser *ps)
{
    while (ps->p < ps->end && isspace((unsigned char)*ps->p))
        ps->p++;
}

static char *parse_string(Parser *ps)
{
    if (ps->p >= ps->end || *ps->p != '"') {
        ps->ok = false;
        return NULL;
    }
    const char *s = ++ps->p;
    while (ps->p < ps->end && *ps->p != '"')
        ps->p += (*ps->p == '\\' && ps->p + 1 < ps->end) ? 2 : 1;
    if (ps->p >= ps->end) {
        ps->ok = false;
        return NULL;
    }
    char *out = strndup(s, (size_t)(ps->p - s));
    ps->p++;
    return out;
}

static void add(Parser *ps, const char *path, char *value)
{
    SstMeta *m = ps->m;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 256;
        SstMetaEntry *e = realloc(m->e, cap * sizeof(*e));
        if (!e) {
            ps->ok = false;
            free(value);
            return;
        }
        m->e = e;
        m->cap = cap;
    }
    m->e[m->n].path = strdup(path);
    m->e[m->n].value = value;
    m->n++;
}

static void parse_value(Parser *ps, const char *path, int depth);

static void child_path(char *buf, size_t len, const char *path, const char *key)
{
    snprintf(buf, len, "%s%s%s", path, path[0] ? "." : "", key);
}

static void parse_value(Parser *ps, const char *path, int depth)
{
    skip_ws(ps);
    if (!ps->ok || ps->p >= ps->end || depth > 32) {
        ps->ok = false;
        return;
    }
    char sub[512];
    if (*ps->p == '{' || *ps->p == '[') {
        bool obj = *ps->p == '{';
        char close = obj ? '}' : ']';
        ps->p++;
        for (int i = 0; ps->ok; i++) {
            skip_ws(ps);
            if (ps->p < ps->end && *ps->p == close) {
                ps->p++;
                return;
            }
            if (i > 0) {
                if (ps->p >= ps->end || *ps->p != ',') {
                    ps->ok = false;
                    return;
                }
                ps->p++;
                skip_ws(ps);
            }
            if (obj) {
                char *key = parse_string(ps);
                skip_ws(ps);
                if (!key || ps->p >= ps->end || *ps->p != ':') {
                    free(key);
                    ps->ok = false;
                    return;
                }
                ps->p++;
                child_path(sub, sizeof(sub), path, key);
                free(key);
            } else {
                char idx[16];
                snprintf(idx, sizeof(idx), "%d", i);
                child_path(sub, sizeof(sub), path, idx);
            }
            parse_value(ps, sub, depth + 1);
        }
        return;
    }
    if (*ps->p == '"') {
        char *s = parse_string(ps);
        if (s)
            add(ps, path, s);
        return;
    }
    const char *s = ps->p;
    while (ps->p < ps->end && (isalnum((unsigned char)*ps->p) || strchr("+-.", *ps->p)))
        ps->p++;
    if (ps->p == s) {
        ps->ok = false;
        return;
    }
    add(ps, path, strndup(s, (size_t)(ps->p - s)));
}

bool sst_meta_load(SstMeta *m, const char *path, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s'", path);
        return false;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = size > 0 ? malloc((size_t)size) : NULL;
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(buf);
        snprintf(err, errlen, "cannot read '%s'", path);
        return false;
    }
    fclose(f);
    Parser ps = { buf, buf + size, m, true };
    parse_value(&ps, "", 0);
    free(buf);
    if (!ps.ok) {
        snprintf(err, errlen, "'%s' is not valid JSON", path);
        sst_meta_free(m);
        return false;
    }
    return true;
}

void sst_meta_free(SstMeta *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->e[i].path);
        free(m->e[i].value);
    }
    free(m->e);
    memset(m, 0, sizeof(*m));
}

const char *sst_meta_get(const SstMeta *m, const char *path)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->e[i].path, path))
            return m->e[i].value;
    return NULL;
}
