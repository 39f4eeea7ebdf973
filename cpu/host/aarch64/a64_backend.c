/*
 * host_backend_aarch64: the HostBackend for AArch64 hosts (AAPCS64).
 *
 * create() emits a shared prologue/epilogue at the start of the code
 * buffer. exec() calls the prologue as a C function (env, host code): it
 * pushes a frame record and the callee-saved x19-x28, puts env in x19
 * (and env + 32 KiB in x28, a second base for the guest registers),
 * reserves the spill frame (sp stays 16-byte aligned for helper calls)
 * and branches to the TB; exits load the return value into x0 and branch
 * to the epilogue. gen_tb() is the host-neutral driver
 * (cpu/host/native_gen.c); this file gives it the calling convention, the
 * TB's budget check and exits (native_host_*), a64_gen.c and a64_mem.c
 * the instruction selection.
 *
 * Code is written through the code buffer's writable view and run from
 * its executable view (never a page both writable and executable: a
 * double-mapped memfd on Linux, MAP_JIT with per-thread write protection
 * on macOS, see code_buffer*.c); every write is followed by
 * code_buffer_sync() on the executable addresses (DC CVAU + IC IVAU + ISB
 * through __builtin___clear_cache), as the A64 instruction stream is not
 * coherent with data stores (DDI 0487 B2.4.4).
 *
 * Chaining: a goto_tb is a B (patched with one aligned 32-bit store, so a
 * concurrent reader sees the old or the new branch, never a mix) when the
 * destination is within +-128 MiB, else a 64-bit literal (also one atomic
 * store) read by LDR + BR behind the B, which is then turned into a NOP.
 *
 * Memory ordering: guest loads and stores are plain accesses. doppel runs
 * one vCPU per engine, so program order on one host thread is all the
 * guest can observe; IR_mb still emits DMB ISH. A multi-vCPU engine would
 * need acquire/release or barriers for x86 TSO on this weaker host.
 */
#include <stddef.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "cpu/host/aarch64/a64_int.h"

#define A64_SAVED_BYTES 96    /* x29, x30, x19-x28 */

/* AAPCS64: helper arguments in x0-x5, the result in x0 */
const int8_t native_host_call_args[IR_MAX_CALL_ARGS] = { A64_X0, A64_X1, A64_X2, A64_X3, A64_X4, A64_X5 };
const int8_t native_host_call_ret = A64_X0;

/* Helper calls and the branches of the driver (native_gen.h). */
void native_host_call(HostAsm *a, uintptr_t fn) { a64_call_abs(a, fn, A64_TMP0); }
size_t native_host_branch(HostAsm *a) { return a64_b(a); }
void native_host_bind(HostAsm *a, size_t branch, size_t target) { a64_bind(a, branch, target); }

bool a64_backend_force_far_jumps(void *opaque, bool on)
{
    A64Backend *be = opaque;
    bool old = be->force_far_jumps;
    be->force_far_jumps = on;
    return old;
}

/* ---- TB entry and exits ---- */

size_t native_host_budget_check(NativeGen *g, uint32_t icount)
{
    A64Asm *a = &g->as;

    /* run only if insn_budget >= icount (signed), then charge it */
    a64_load(a, 2, false, false, A64_TMP0, A64_ENV_REG, g->layout.budget_offset, A64_TMP1);
    if (a64_addsub_imm_ok(icount)) {
        a64_addsub_ri(a, false, true, true, A64_ZR, A64_TMP0, icount);
    } else {
        a64_movi(a, false, A64_TMP1, icount);
        a64_addsub_rr(a, false, true, true, A64_ZR, A64_TMP0, A64_TMP1, A64_LSL, 0);
    }
    size_t exit_req = a64_bcond(a, A64_LT);
    if (icount) {
        if (a64_addsub_imm_ok(icount)) {
            a64_addsub_ri(a, false, true, false, A64_TMP0, A64_TMP0, icount);
        } else {
            a64_addsub_rr(a, false, true, false, A64_TMP0, A64_TMP0, A64_TMP1, A64_LSL, 0);
        }
        a64_store(a, 2, A64_TMP0, A64_ENV_REG, g->layout.budget_offset, A64_TMP1);
    }
    return exit_req;
}

void native_host_exit(NativeGen *g, uint64_t value)
{
    a64_movi(&g->as, true, A64_X0, value);
    a64_jump_abs(&g->as, g->epilogue, A64_TMP0);
}

/* goto_tb: a B that patch_jump rewrites with one aligned 32-bit store,
 * then a far path for destinations a B cannot reach:
 *     jmp:    B reset           (chained: B dest, or NOP to use the far path)
 *             LDR x16, lit
 *             BR x16
 *     lit:    .quad dest        (8-byte aligned, also one atomic store)
 *     reset:  exit to the engine with tb | slot */
void native_host_goto_tb(NativeGen *g, int n)
{
    A64Asm *a = &g->as;

    while (a->pos % 8 != 4 && !a->overflow) {
        a64_nop(a);
    }
    size_t jmp = a->pos;
    if (jmp + 20 >= TB_NO_JUMP) {
        g->error = true;      /* offsets are 16-bit in TranslationBlock */
    }
    size_t b = a64_b(a);
    size_t ldr = a64_ldr_lit(a, A64_TMP0);
    a64_br(a, A64_TMP0);
    size_t lit = a->pos;
    size_t reset = lit + 8;
    a64_emit64(a, (uint64_t)((uintptr_t)a->rx + reset));
    a64_bind(a, b, reset);
    a64_bind(a, ldr, lit);
    g->tb->jmp_insn_offset[n] = (uint16_t)jmp;
    g->tb->jmp_reset_offset[n] = (uint16_t)reset;
}

void native_host_lookup_and_goto(NativeGen *g)
{
    A64Asm *a = &g->as;

    a64_mov(a, true, A64_X0, A64_ENV_REG);
    a64_call_abs(a, (uintptr_t)engine_lookup_tb, A64_TMP0);
    size_t miss = a64_cbz(a, true, false, A64_X0);
    a64_load(a, 3, false, true, A64_TMP0, A64_X0, (int64_t)offsetof(TranslationBlock, host_code), A64_TMP1);
    a64_br(a, A64_TMP0);
    a64_bind(a, miss, a->pos);
    native_host_exit(g, TB_EXIT_NOCHAIN);
}

static void *a64_create(CodeBuffer *cb, const BackendEnvLayout *layout)
{
    A64Backend *be = calloc(1, sizeof(*be));
    if (!be) {
        return NULL;
    }
    native_gen_init(&be->gen, cb, layout);
    be->gen.disasm_arch = CS_ARCH_ARM64;
    be->gen.disasm_mode = CS_MODE_ARM;

    A64Asm *a = &be->gen.as;
    a64_stp(a, A64_X29, A64_X30, A64_SP, -A64_SAVED_BYTES, 1);
    a64_addsub_ri(a, true, false, false, A64_X29, A64_SP, 0);          /* mov x29, sp */
    for (int i = 0; i < 5; i++) {
        a64_stp(a, A64_X19 + 2 * i, A64_X20 + 2 * i, A64_SP, 16 + 16 * i, 0);
    }
    a64_add_const(a, true, A64_SP, A64_SP, -(int64_t)A64_FRAME_SIZE, A64_TMP0);
    a64_mov(a, true, A64_ENV_REG, A64_X0);
    a64_addsub_ri(a, true, false, false, A64_ENV_HI_REG, A64_X0, A64_ENV_HI_BIAS);
    a64_br(a, A64_X1);

    while (a->pos % 16 && !a->overflow) {
        a64_nop(a);
    }
    be->gen.epilogue = host_asm_rx_here(a);
    a64_add_const(a, true, A64_SP, A64_SP, A64_FRAME_SIZE, A64_TMP0);
    for (int i = 4; i >= 0; i--) {
        a64_ldp(a, A64_X19 + 2 * i, A64_X20 + 2 * i, A64_SP, 16 + 16 * i, 0);
    }
    a64_ldp(a, A64_X29, A64_X30, A64_SP, A64_SAVED_BYTES, 2);
    a64_ret(a);
    if (!native_gen_end_prologue(&be->gen, cb)) {
        free(be);
        return NULL;
    }
    return be;
}

static void a64_patch_jump(void *opaque, CodeBuffer *cb, TranslationBlock *tb, int n, TranslationBlock *dest)
{
    A64Backend *be = opaque;
    if (n < 0 || n > 1 || tb->jmp_insn_offset[n] == TB_NO_JUMP) {
        return;
    }
    uint8_t *insn = tb->host_code + tb->jmp_insn_offset[n];
    uint8_t *lit = insn + 12;
    uint8_t *target = dest ? dest->host_code : tb->host_code + tb->jmp_reset_offset[n];
    uint32_t *insn_rw = (uint32_t *)(void *)code_rw(cb, insn);
    uint32_t b;

    code_buffer_write_begin(cb);
    if (a64_b_reaches((uintptr_t)insn, (uintptr_t)target) && !(be->force_far_jumps && dest)) {
        b = a64_b_insn((uintptr_t)insn, (uintptr_t)target);
    } else {
        /* literal first, so the LDR never sees a stale target once the
         * branch stops skipping it */
        uint64_t *lit_rw = (uint64_t *)(void *)code_rw(cb, lit);
        __atomic_store_n(lit_rw, (uint64_t)(uintptr_t)target, __ATOMIC_RELEASE);
        b = 0xd503201f;   /* NOP: fall into LDR x16, lit; BR x16 */
    }
    __atomic_store_n(insn_rw, b, __ATOMIC_RELEASE);
    code_buffer_write_end(cb);
    code_buffer_sync(cb, insn, 20);
}

const HostBackend host_backend_aarch64 = {
    .name = "aarch64",
    .create = a64_create,
    .destroy = native_gen_destroy,
    .gen_tb = native_gen_tb,
    .exec = native_exec,
    .patch_jump = a64_patch_jump,
    .dump_code = native_dump_code,
};
