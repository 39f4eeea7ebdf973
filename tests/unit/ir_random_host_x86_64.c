/*
 * test_ir_random on x86-64 hosts: every third block runs without
 * lzcnt/tzcnt/popcnt (the fallback sequences must give the same results);
 * goto_tb's rel32 is 4-byte aligned; TBs start with cmp dword [rbp+...].
 */
#include "cpu/host/x86_64/x86_64_backend.h"
#include "tests/unit/ir_random_host.h"

void ir_random_host_vary(void *be, uint64_t block)
{
    x86_64_backend_limit_features(be, block % 3 == 0 ? 0 : ~0u);
}

bool ir_random_host_jump_atomic(const TranslationBlock *tb, int n)
{
    return (((uintptr_t)tb->host_code + tb->jmp_insn_offset[n] + 1) & 3) == 0;
}

const char *const ir_random_host_dump_markers[] = { "cmp", "dword ptr [rbp", NULL };

void ir_random_host_clobber(void)
{
    __asm__ volatile("mov $0xbad1, %%ecx\n\tmov $0xbad2, %%edx\n\tmov $0xbad3, %%esi\n\t"
                     "mov $0xbad4, %%edi\n\tmov $0xbad5, %%r8d\n\tmov $0xbad6, %%r9d\n\t"
                     "mov $0xbad7, %%r10d\n\tmov $0xbad8, %%r11d"
                     ::: "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory");
}
