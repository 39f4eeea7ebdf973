/*
 * Debug logging (see machine/log.h): the -d category parser built from the
 * LOG_CATEGORIES X-macro, the -D output file and log_printf.
 */
#include "machine/log.h"

#include <stdarg.h>
#include <string.h>

typedef struct LogCategory {
    const char *name;
    unsigned bit;
    const char *help;
} LogCategory;

static const LogCategory log_categories[] = {
#define LOG_ROW(name, bit, help) { #name, 1u << (bit), help },
    LOG_CATEGORIES(LOG_ROW)
#undef LOG_ROW
};

#define LOG_NCATEGORIES (sizeof(log_categories) / sizeof(log_categories[0]))

bool log_parse_mask(const char *list, unsigned *mask, char *err, size_t errlen)
{
    unsigned m = 0;
    const char *p = list ? list : "";
    for (;;) {
        size_t n = strcspn(p, ",");
        bool found = false;
        for (size_t i = 0; i < LOG_NCATEGORIES; i++) {
            if (strlen(log_categories[i].name) == n && strncmp(log_categories[i].name, p, n) == 0) {
                m |= log_categories[i].bit;
                found = true;
                break;
            }
        }
        if (!found) {
            if (err && errlen)
                snprintf(err, errlen, "unknown log category '%.*s' (try -d help)", (int)n, p);
            return false;
        }
        if (p[n] == '\0')
            break;
        p += n + 1;
    }
    *mask = m;
    return true;
}

bool log_open(Log *log, unsigned mask, const char *path)
{
    log->mask = mask;
    log->out = NULL;
    log->own_out = false;
    if (!path)
        return true;
    log->out = fopen(path, "w");
    if (!log->out)
        return false;
    log->own_out = true;
    return true;
}

void log_close(Log *log)
{
    if (log->own_out && log->out)
        fclose(log->out);
    else if (log->out || log->mask)
        fflush(log_stream(log));
    log->out = NULL;
    log->own_out = false;
    log->mask = 0;
}

FILE *log_stream(const Log *log)
{
    return log && log->out ? log->out : stderr;
}

void log_printf(const Log *log, unsigned cat, const char *fmt, ...)
{
    if (!log_enabled(log, cat))
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_stream(log), fmt, ap);
    va_end(ap);
}

void log_print_help(FILE *f)
{
    fprintf(f, "Log categories for -d (comma-separated):\n");
    for (size_t i = 0; i < LOG_NCATEGORIES; i++)
        fprintf(f, "  %-14s %s\n", log_categories[i].name, log_categories[i].help);
}
