/*
 * host_backend_x86_64: the HostBackend for x86-64 hosts (SysV ABI).
 *
 * create() emits a shared prologue/epilogue at the start of the code
 * buffer. exec() calls the prologue as a C function (env, host code): it
 * saves the callee-saved registers, puts env in rbp, reserves the spill
 * frame (keeping rsp 16-byte aligned for helper calls) and jumps to the
 * TB; exits load the return value into rax and jump to the epilogue.
 * gen_tb() is the host-neutral driver (cpu/host/native_gen.c); this file
 * gives it the calling convention, the TB's budget check and exits
 * (native_host_*), x86_64_gen.c and x86_64_mem.c the instruction
 * selection. Chaining rewrites the 4-byte aligned rel32 of a goto_tb jump
 * with one atomic store through the writable view.
 */
#include <cpuid.h>
#include <stddef.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "cpu/host/x86_64/x86_64_int.h"

static const int8_t saved_regs[] = { X64_RBP, X64_RBX, X64_R12, X64_R13, X64_R14, X64_R15 };

/* SysV: helper arguments in rdi, rsi, rdx, rcx, r8, r9, the result in rax */
const int8_t native_host_call_args[IR_MAX_CALL_ARGS] = { X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9 };
const int8_t native_host_call_ret = X64_RAX;

/* Helper calls and the branches of the driver (native_gen.h). */
void native_host_call(HostAsm *a, uintptr_t fn) { x64_call_abs(a, fn, X64_TMP_REG); }
size_t native_host_branch(HostAsm *a) { return x64_jmp32(a); }
void native_host_bind(HostAsm *a, size_t branch, size_t target) { x64_set_rel32(a, branch, target); }

static unsigned detect_features(void)
{
    unsigned a, b, c, d, f = 0;

    if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 23))) {
        f |= X64_FEAT_POPCNT;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 3))) {
        f |= X64_FEAT_BMI1;
    }
    if (__get_cpuid(0x80000001u, &a, &b, &c, &d) && (c & (1u << 5))) {
        f |= X64_FEAT_LZCNT;
    }
    return f;
}

unsigned x86_64_backend_features(const void *opaque)
{
    return ((const X64Backend *)opaque)->features;
}

unsigned x86_64_backend_limit_features(void *opaque, unsigned mask)
{
    X64Backend *be = opaque;
    unsigned old = be->features;
    be->features = detect_features() & mask;
    return old;
}

/* ---- HostBackend ---- */

/* ---- TB entry and exits ---- */

size_t native_host_budget_check(NativeGen *g, uint32_t icount)
{
    X64Asm *a = &g->as;

    x64_alu_mi(a, X64_CMP, false, X64_ENV_REG, g->layout.budget_offset, (int32_t)icount);
    size_t exit_req = x64_jcc32(a, X64_CC_L);
    if (icount) {
        x64_alu_mi(a, X64_SUB, false, X64_ENV_REG, g->layout.budget_offset, (int32_t)icount);
    }
    return exit_req;
}

void native_host_exit(NativeGen *g, uint64_t value)
{
    x64_movi(&g->as, true, X64_RAX, value, false);
    x64_jmp_abs(&g->as, g->epilogue, X64_TMP_REG);
}

void native_host_goto_tb(NativeGen *g, int n)
{
    X64Asm *a = &g->as;

    /* The rel32 must be 4-byte aligned so patch_jump rewrites it with one
     * atomic store while other threads may be executing it. */
    x64_align(a, 4, 3);
    if (a->pos + 5 >= TB_NO_JUMP) {
        g->error = true;      /* offsets are 16-bit in TranslationBlock */
    }
    g->tb->jmp_insn_offset[n] = (uint16_t)a->pos;
    x64_jmp32(a);      /* rel32 0: falls through to the unchained exit */
    g->tb->jmp_reset_offset[n] = (uint16_t)a->pos;
}

void native_host_lookup_and_goto(NativeGen *g)
{
    X64Asm *a = &g->as;

    x64_mov_rr(a, true, X64_RDI, X64_ENV_REG);
    x64_call_abs(a, (uintptr_t)engine_lookup_tb, X64_TMP_REG);
    x64_test_rr(a, true, X64_RAX, X64_RAX);
    size_t miss = x64_jcc8(a, X64_CC_E);
    x64_op_mem(a, 0xff, 4, X64_RAX, X64_NOREG, 0, (int32_t)offsetof(TranslationBlock, host_code));
    x64_bind_rel8(a, miss);
    native_host_exit(g, TB_EXIT_NOCHAIN);
}

static void *x64_create(CodeBuffer *cb, const BackendEnvLayout *layout)
{
    X64Backend *be = calloc(1, sizeof(*be));
    if (!be) {
        return NULL;
    }
    be->features = detect_features();
    native_gen_init(&be->gen, cb, layout);
    be->gen.disasm_arch = CS_ARCH_X86;
    be->gen.disasm_mode = CS_MODE_64;

    X64Asm *a = &be->gen.as;
    for (size_t i = 0; i < sizeof(saved_regs); i++) {
        x64_push(a, saved_regs[i]);
    }
    x64_mov_rr(a, true, X64_ENV_REG, X64_RDI);
    x64_alu_ri(a, X64_SUB, true, X64_RSP, X64_FRAME_SIZE);
    x64_op_rr(a, 0xff, 4, X64_RSI);            /* jmp rsi */

    x64_align(a, 16, 0);
    be->gen.epilogue = host_asm_rx_here(a);
    x64_alu_ri(a, X64_ADD, true, X64_RSP, X64_FRAME_SIZE);
    for (size_t i = sizeof(saved_regs); i-- > 0;) {
        x64_pop(a, saved_regs[i]);
    }
    x64_ret(a);
    if (!native_gen_end_prologue(&be->gen, cb)) {
        free(be);
        return NULL;
    }
    return be;
}

static void x64_patch_jump(void *opaque, CodeBuffer *cb, TranslationBlock *tb, int n,
                           TranslationBlock *dest)
{
    (void)opaque;
    if (n < 0 || n > 1 || tb->jmp_insn_offset[n] == TB_NO_JUMP) {
        return;
    }
    uint8_t *insn = tb->host_code + tb->jmp_insn_offset[n];
    uint8_t *target = dest ? dest->host_code : tb->host_code + tb->jmp_reset_offset[n];
    int32_t disp = (int32_t)(target - (insn + 5));
    uint32_t *field = (uint32_t *)(void *)code_rw(cb, insn + 1);
    __atomic_store_n(field, (uint32_t)disp, __ATOMIC_RELEASE);
    code_buffer_sync(cb, insn + 1, 4);
}

const HostBackend host_backend_x86_64 = {
    .name = "x86_64",
    .create = x64_create,
    .destroy = native_gen_destroy,
    .gen_tb = native_gen_tb,
    .exec = native_exec,
    .patch_jump = x64_patch_jump,
    .dump_code = native_dump_code,
};
