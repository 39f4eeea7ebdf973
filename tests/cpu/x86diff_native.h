/*
 * x86diff native runner: executes a laid-out sequence on the host CPU
 * (x86-64 only) in 64-bit mode, in a forked child, and returns the final
 * state or the exception it raised.
 */
#ifndef DOPPEL_TESTS_CPU_X86DIFF_NATIVE_H
#define DOPPEL_TESTS_CPU_X86DIFF_NATIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "tests/cpu/x86diff_gen.h"

typedef struct NativeRunner NativeRunner;

/** Map the data page at DIFF_DATA_BASE and the code page at DIFF_CODE_BASE
 *  (MAP_FIXED_NOREPLACE). NULL after printing one error line. */
NativeRunner *native_runner_create(void);
/** Stop the worker process and unmap the pages (NULL is fine). */
void native_runner_destroy(NativeRunner *nr);
/** Run code[0..len) from init; *out gets the final registers, RFLAGS, RIP
 *  (DIFF_CODE_BASE + len when the sequence ran to its end, else the
 *  faulting instruction), the exception vector (REG_TRAPNO of the signal)
 *  and the data page. */
void native_run(NativeRunner *nr, const uint8_t *code, size_t len, const DiffState *init, DiffState *out);

#endif
