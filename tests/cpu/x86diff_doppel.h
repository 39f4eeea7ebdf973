/*
 * x86diff doppel runner: executes a laid-out sequence in doppel's x86 CPU
 * (64-bit mode entered by setting the CPU state directly) on one backend,
 * and returns the final state in the same form as the native runner.
 */
#ifndef DOPPEL_TESTS_CPU_X86DIFF_DOPPEL_H
#define DOPPEL_TESTS_CPU_X86DIFF_DOPPEL_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/host/backend.h"
#include "tests/cpu/x86diff_gen.h"

typedef struct DoppelRunner DoppelRunner;

/** An engine for the x86 guest on backend be, with RAM pages at
 *  DIFF_DATA_BASE and DIFF_CODE_BASE. NULL after printing one error line. */
DoppelRunner *doppel_runner_create(const HostBackend *be);
/** Free the CPU, engine and guest RAM (NULL is fine). */
void doppel_runner_destroy(DoppelRunner *dr);
/** Run code[0..len) (followed by HLT) from init in 64-bit mode; *out as
 *  native_run: RIP is DIFF_CODE_BASE + len when the sequence ended, else
 *  the faulting instruction with the exception vector. */
void doppel_run(DoppelRunner *dr, const uint8_t *code, size_t len, const DiffState *init, DiffState *out);

#endif
