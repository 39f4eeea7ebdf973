/*
 * test_ir_random on AArch64 hosts: every other block chains its goto_tb
 * exits through the literal + BR far path (as for a destination beyond the
 * +-128 MiB of a B); the B is 4-byte and the literal 8-byte aligned; TBs
 * start with the budget load from env (x19) and a compare.
 */
#include "cpu/host/aarch64/a64_backend.h"
#include "tests/unit/ir_random_host.h"

void ir_random_host_vary(void *be, uint64_t block)
{
    a64_backend_force_far_jumps(be, block & 1);
}

bool ir_random_host_jump_atomic(const TranslationBlock *tb, int n)
{
    uintptr_t insn = (uintptr_t)tb->host_code + tb->jmp_insn_offset[n];
    return (insn & 3) == 0 && ((insn + 12) & 7) == 0;
}

const char *const ir_random_host_dump_markers[] = { "cmp", "[x19", NULL };

void ir_random_host_clobber(void)
{
    __asm__ volatile("mov x1, #0xbad1\n\tmov x2, #0xbad2\n\tmov x3, #0xbad3\n\tmov x4, #0xbad4\n\t"
                     "mov x5, #0xbad5\n\tmov x6, #0xbad6\n\tmov x7, #0xbad7\n\tmov x8, #0xbad8\n\t"
                     "mov x9, #0xbad9\n\tmov x10, #0xbada\n\tmov x11, #0xbadb\n\tmov x12, #0xbadc\n\t"
                     "mov x13, #0xbadd\n\tmov x14, #0xbade\n\tmov x15, #0xbadf\n\tmov x16, #0xbae0\n\t"
                     "mov x17, #0xbae1\n\tmovi v0.16b, #0xa5"
                     ::: "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
                         "x13", "x14", "x15", "x16", "x17", "v0", "memory");
}
