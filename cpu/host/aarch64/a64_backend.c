/*
 * host_backend_aarch64: the HostBackend for AArch64 hosts (AAPCS64).
 *
 * create() emits a shared prologue/epilogue at the start of the code
 * buffer. exec() calls the prologue as a C function (env, host code): it
 * pushes a frame record and the callee-saved x19-x28, puts env in x19
 * (and env + 32 KiB in x28, a second base for the guest registers),
 * reserves the spill frame (sp stays 16-byte aligned for helper calls)
 * and branches to the TB; exits load the return value into x0 and branch
 * to the epilogue. gen_tb() emits one TB: budget check, body (a64_gen.c),
 * softmmu slow paths (a64_mem.c), the exit-request stub.
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
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "cpu/host/aarch64/a64_int.h"

#define A64_SAVED_BYTES 96    /* x29, x30, x19-x28 */

bool a64_backend_force_far_jumps(void *opaque, bool on)
{
    A64Backend *be = opaque;
    bool old = be->force_far_jumps;
    be->force_far_jumps = on;
    return old;
}

static void *a64_create(CodeBuffer *cb, const BackendEnvLayout *layout)
{
    A64Backend *be = calloc(1, sizeof(*be));
    if (!be) {
        return NULL;
    }
    be->layout = *layout;

    A64Asm *a = &be->as;
    code_buffer_write_begin(cb);
    a64_asm_init(a, cb->rw + cb->used, cb->rx + cb->used, cb->size - cb->used);
    be->prologue = a64_rx_here(a);
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
    be->epilogue = a64_rx_here(a);
    a64_add_const(a, true, A64_SP, A64_SP, A64_FRAME_SIZE, A64_TMP0);
    for (int i = 4; i >= 0; i--) {
        a64_ldp(a, A64_X19 + 2 * i, A64_X20 + 2 * i, A64_SP, 16 + 16 * i, 0);
    }
    a64_ldp(a, A64_X29, A64_X30, A64_SP, A64_SAVED_BYTES, 2);
    a64_ret(a);
    code_buffer_write_end(cb);
    if (a->overflow) {
        free(be);
        return NULL;
    }
    code_buffer_sync(cb, a->rx, a->pos);
    cb->used += (a->pos + 15) & ~(size_t)15;
    if (cb->used > cb->size) {
        cb->used = cb->size;
    }
    cb->prologue_size = cb->used;
    return be;
}

static void a64_destroy(void *opaque)
{
    A64Backend *be = opaque;
    if (!be) {
        return;
    }
    free(be->ts);
    free(be->label_pos);
    free(be->label_refs);
    free(be->slow);
    free(be);
}

static bool prepare_labels(A64Backend *be, int nlabels)
{
    if (nlabels > be->cap_labels) {
        long *p = realloc(be->label_pos, (size_t)nlabels * sizeof(*p));
        if (!p) {
            return false;
        }
        be->label_pos = p;
        be->cap_labels = nlabels;
    }
    for (int i = 0; i < nlabels; i++) {
        be->label_pos[i] = -1;
    }
    be->nlabel_refs = 0;
    return true;
}

static bool resolve_labels(A64Backend *be)
{
    for (int i = 0; i < be->nlabel_refs; i++) {
        const A64LabelRef *r = &be->label_refs[i];
        if (r->label < 0 || r->label >= be->ir->nlabels || be->label_pos[r->label] < 0) {
            fprintf(stderr, "doppel: aarch64 backend: branch to undefined label %d\n", r->label);
            return false;
        }
        a64_bind(&be->as, r->pos, (size_t)be->label_pos[r->label]);
    }
    return true;
}

static bool a64_gen_tb(void *opaque, CodeBuffer *cb, IrContext *ir, TranslationBlock *tb)
{
    A64Backend *be = opaque;
    size_t start = (cb->used + 15) & ~(size_t)15;
    A64Asm *a = &be->as;

    if (start >= cb->size) {
        return false;
    }
    be->ir = ir;
    be->tb = tb;
    be->nslow = 0;
    if (!a64_ra_begin(be) || !prepare_labels(be, ir->nlabels)) {
        return false;
    }
    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_offset[n] = TB_NO_JUMP;
        tb->jmp_reset_offset[n] = TB_NO_JUMP;
    }
    code_buffer_write_begin(cb);
    a64_asm_init(a, cb->rw + start, cb->rx + start, cb->size - start);

    bool ok = a64_gen_body(be);
    a64_gen_slow_paths(be);
    a64_bind(a, be->exit_req_pos, a->pos);
    a64_movi(a, true, A64_X0, (uintptr_t)tb | TB_EXIT_REQUESTED);
    a64_jump_abs(a, be->epilogue, A64_TMP0);
    ok = ok && resolve_labels(be) && !be->error;
    code_buffer_write_end(cb);

    /* a buffer overflow means "flush and retry" */
    if (!ok || a->overflow || a->pos > UINT32_MAX) {
        return false;
    }
    tb->host_code = cb->rx + start;
    tb->host_size = (uint32_t)a->pos;
    cb->used = start + a->pos;
    code_buffer_sync(cb, tb->host_code, tb->host_size);
    return true;
}

typedef uintptr_t (*A64Entry)(void *env, const void *code);

static uintptr_t a64_exec(void *opaque, struct CpuCommon *cpu, TranslationBlock *tb)
{
    A64Backend *be = opaque;
    A64Entry entry = (A64Entry)be->prologue;
    return entry(cpu, tb->host_code);
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

static void a64_dump_code(void *opaque, const CodeBuffer *cb, const TranslationBlock *tb, FILE *f)
{
    csh handle;
    cs_insn *insn;
    (void)opaque;
    (void)cb;

    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle) != CS_ERR_OK) {
        fprintf(f, "  (capstone unavailable)\n");
        return;
    }
    uint64_t base = (uint64_t)(uintptr_t)tb->host_code;
    size_t done = 0;
    /* capstone stops at data (goto_tb literals): skip a word and go on */
    while (done + 4 <= tb->host_size) {
        size_t n = cs_disasm(handle, tb->host_code + done, tb->host_size - done, base + done, 0, &insn);
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "  0x%04" PRIx64 ":  %-7s %s\n", insn[i].address - base, insn[i].mnemonic, insn[i].op_str);
        }
        if (n) {
            done = insn[n - 1].address + insn[n - 1].size - base;
            cs_free(insn, n);
        }
        if (done + 4 <= tb->host_size) {
            uint32_t w;
            memcpy(&w, tb->host_code + done, 4);
            fprintf(f, "  0x%04zx:  .word   0x%08" PRIx32 "\n", done, w);
            done += 4;
        }
    }
    cs_close(&handle);
}

const HostBackend host_backend_aarch64 = {
    .name = "aarch64",
    .create = a64_create,
    .destroy = a64_destroy,
    .gen_tb = a64_gen_tb,
    .exec = a64_exec,
    .patch_jump = a64_patch_jump,
    .dump_code = a64_dump_code,
};
