/*
 * x86diff native runner on hosts that are not x86-64: there is no host CPU
 * to compare with, so only -replay of a corpus recorded on an x86-64 host
 * works (see x86diff_corpus.h).
 */
#include <stdio.h>

#include "tests/cpu/x86diff_native.h"

NativeRunner *native_runner_create(void)
{
    fprintf(stderr, "x86diff: this host cannot run x86 code natively; use -replay FILE "
                    "with a corpus recorded on an x86-64 host (-record FILE)\n");
    return NULL;
}

void native_runner_destroy(NativeRunner *nr)
{
    (void)nr;
}

void native_run(NativeRunner *nr, const uint8_t *code, size_t len, const DiffState *init, DiffState *out)
{
    (void)nr;
    (void)code;
    (void)len;
    *out = *init;
    out->exception = DIFF_EXC_CRASH;
}
