/*
 * Debug logging, selected with -d CATEGORIES and sent to -D FILE (stderr
 * by default). A Log lives in the Machine; code that logs holds a pointer.
 */
#ifndef DOPPEL_MACHINE_LOG_H
#define DOPPEL_MACHINE_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* X-macro list of categories: name for -d, bit, one-line help. */
#define LOG_CATEGORIES(X) \
    X(in_asm,       0, "guest instructions of each translated block") \
    X(op,           1, "IR of each block before optimization") \
    X(op_opt,       2, "IR after optimization") \
    X(out_asm,      3, "host code of each block") \
    X(exec,         4, "every block executed") \
    X(cpu,          5, "CPU state before each block") \
    X(int,          6, "interrupts and exceptions") \
    X(guest_errors, 7, "guest misuse of devices or the CPU") \
    X(unimp,        8, "unimplemented device or CPU features") \
    X(ioport,       9, "port I/O") \
    X(mmio,        10, "memory-mapped I/O") \
    X(tb,          11, "translation cache events (flush, invalidate)") \
    X(stats,       12, "translation statistics at exit (blocks, guest insns, IR ops, host bytes)")

enum {
#define LOG_ENUM(name, bit, help) LOG_##name = 1u << (bit),
    LOG_CATEGORIES(LOG_ENUM)
#undef LOG_ENUM
};

typedef struct Log {
    unsigned mask;
    FILE *out;      /* NULL: stderr */
    bool own_out;
} Log;

/** Parse a comma-separated category list ("help" is not handled here).
 *  Returns false and names the bad category in err on error. */
bool log_parse_mask(const char *list, unsigned *mask, char *err, size_t errlen);
/** Open path for logging (NULL: stderr). Returns false on failure. */
bool log_open(Log *log, unsigned mask, const char *path);
void log_close(Log *log);
static inline bool log_enabled(const Log *log, unsigned cat)
{
    return log && (log->mask & cat);
}
/** printf to the log if cat is enabled. */
void log_printf(const Log *log, unsigned cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** The log stream (stderr if none). */
FILE *log_stream(const Log *log);
/** Print the category list for -d help. */
void log_print_help(FILE *f);

#endif
