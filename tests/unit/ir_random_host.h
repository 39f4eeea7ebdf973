/*
 * The host-specific parts of test_ir_random (the randomized test of the
 * native backend against the interpreter): one ir_random_host_<host>.c per
 * native backend, picked by cpu/local.mk.
 */
#ifndef DOPPEL_TESTS_UNIT_IR_RANDOM_HOST_H
#define DOPPEL_TESTS_UNIT_IR_RANDOM_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/host/backend.h"
#include "cpu/tb.h"

/** Vary the native backend's code generation options for block number
 *  block (host feature fallbacks, far chaining jumps), so that every
 *  variant is exercised by the same random blocks. */
void ir_random_host_vary(void *be, uint64_t block);
/** True if goto_tb slot n of tb can be patched with single atomic stores
 *  (the patched field is naturally aligned). */
bool ir_random_host_jump_atomic(const TranslationBlock *tb, int n);
/** Overwrite every caller-saved register of the host ABI but the return
 *  value register with junk (test helpers call it). */
void ir_random_host_clobber(void);
/** Strings that the disassembly of any TB must contain (NULL-terminated). */
extern const char *const ir_random_host_dump_markers[];

#endif
