/*
 * x86diff corpus files: test cases recorded on an x86-64 host (the laid-out
 * code, its undefined-flag analysis, the initial state and the state the
 * host CPU left) so that hosts which cannot run x86 code natively can check
 * doppel against the same expectations (x86diff -record FILE / -replay FILE,
 * make check-aarch64). The format is a header line followed by records of
 * little-endian fields; it is private to x86diff and versioned by the
 * header.
 */
#ifndef DOPPEL_TESTS_CPU_X86DIFF_CORPUS_H
#define DOPPEL_TESTS_CPU_X86DIFF_CORPUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tests/cpu/x86diff_gen.h"

/* One recorded test. */
typedef struct DiffRecord {
    uint64_t index;            /* test number in the recording run */
    bool fp;                   /* recorded with -fp: compare x87/SSE state too */
    DiffLayout lay;
    DiffState init, expect;    /* expect: the host CPU's final state */
} DiffRecord;

/** Open FILE for writing and write the header; NULL after one error line. */
FILE *diff_corpus_create(const char *path);
/** Append one record; false on a write error. */
bool diff_corpus_write(FILE *f, const DiffRecord *r);
/** Open FILE for reading and check the header; NULL after one error line. */
FILE *diff_corpus_open(const char *path);
/** Read the next record: 1 read, 0 end of file, -1 malformed (one error
 *  line printed). Every count and offset in the file is bounds-checked. */
int diff_corpus_read(FILE *f, DiffRecord *r);

#endif
