/*
 * host_backend_x86_64: the HostBackend for x86-64 hosts (SysV ABI).
 *
 * create() emits a shared prologue/epilogue at the start of the code
 * buffer. exec() calls the prologue as a C function (env, host code): it
 * saves the callee-saved registers, puts env in rbp, reserves the spill
 * frame (keeping rsp 16-byte aligned for helper calls) and jumps to the
 * TB; exits load the return value into rax and jump to the epilogue.
 * gen_tb() emits one TB: budget check, body (x86_64_gen.c), softmmu slow
 * paths, the exit-request stub. Chaining rewrites the 4-byte aligned rel32
 * of a goto_tb jump with one atomic store through the writable view.
 */
#include <cpuid.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "cpu/host/x86_64/x86_64_int.h"

static const int8_t saved_regs[] = { X64_RBP, X64_RBX, X64_R12, X64_R13, X64_R14, X64_R15 };

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

static void *x64_create(CodeBuffer *cb, const BackendEnvLayout *layout)
{
    X64Backend *be = calloc(1, sizeof(*be));
    if (!be) {
        return NULL;
    }
    be->layout = *layout;
    be->features = detect_features();

    X64Asm *a = &be->as;
    x64_asm_init(a, cb->rw + cb->used, cb->rx + cb->used, cb->size - cb->used);
    be->prologue = x64_asm_rx_here(a);
    for (size_t i = 0; i < sizeof(saved_regs); i++) {
        x64_push(a, saved_regs[i]);
    }
    x64_mov_rr(a, true, X64_ENV_REG, X64_RDI);
    x64_alu_ri(a, X64_SUB, true, X64_RSP, X64_FRAME_SIZE);
    x64_op_rr(a, 0xff, 4, X64_RSI);            /* jmp rsi */

    x64_align(a, 16, 0);
    be->epilogue = x64_asm_rx_here(a);
    x64_alu_ri(a, X64_ADD, true, X64_RSP, X64_FRAME_SIZE);
    for (size_t i = sizeof(saved_regs); i-- > 0;) {
        x64_pop(a, saved_regs[i]);
    }
    x64_ret(a);
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

static void x64_destroy(void *opaque)
{
    X64Backend *be = opaque;
    if (!be) {
        return;
    }
    free(be->ts);
    free(be->label_pos);
    free(be->label_refs);
    free(be->slow);
    free(be);
}

static bool prepare_labels(X64Backend *be, int nlabels)
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

static bool resolve_labels(X64Backend *be)
{
    for (int i = 0; i < be->nlabel_refs; i++) {
        const X64LabelRef *r = &be->label_refs[i];
        if (r->label < 0 || r->label >= be->ir->nlabels || be->label_pos[r->label] < 0) {
            fprintf(stderr, "doppel: x86_64 backend: branch to undefined label %d\n", r->label);
            return false;
        }
        x64_set_rel32(&be->as, r->field, (size_t)be->label_pos[r->label]);
    }
    return true;
}

static bool x64_gen_tb(void *opaque, CodeBuffer *cb, IrContext *ir, TranslationBlock *tb)
{
    X64Backend *be = opaque;
    size_t start = (cb->used + 15) & ~(size_t)15;
    X64Asm *a = &be->as;

    if (start >= cb->size) {
        return false;
    }
    be->ir = ir;
    be->tb = tb;
    be->nslow = 0;
    if (!x64_ra_begin(be) || !prepare_labels(be, ir->nlabels)) {
        return false;
    }
    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_offset[n] = TB_NO_JUMP;
        tb->jmp_reset_offset[n] = TB_NO_JUMP;
    }
    x64_asm_init(a, cb->rw + start, cb->rx + start, cb->size - start);

    bool ok = x64_gen_body(be);
    x64_gen_slow_paths(be);
    x64_set_rel32(a, be->exit_req_field, a->pos);
    x64_movi(a, true, X64_RAX, (uintptr_t)tb | TB_EXIT_REQUESTED, false);
    x64_jmp_abs(a, be->epilogue, X64_TMP_REG);
    ok = ok && resolve_labels(be) && !be->error;

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

typedef uintptr_t (*X64Entry)(void *env, const void *code);

static uintptr_t x64_exec(void *opaque, struct CpuCommon *cpu, TranslationBlock *tb)
{
    X64Backend *be = opaque;
    X64Entry entry = (X64Entry)be->prologue;
    return entry(cpu, tb->host_code);
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

static void x64_dump_code(void *opaque, const CodeBuffer *cb, const TranslationBlock *tb, FILE *f)
{
    csh handle;
    cs_insn *insn;
    (void)opaque;
    (void)cb;

    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
        fprintf(f, "  (capstone unavailable)\n");
        return;
    }
    size_t n = cs_disasm(handle, tb->host_code, tb->host_size, (uint64_t)(uintptr_t)tb->host_code, 0,
                         &insn);
    size_t done = 0;
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "  0x%04" PRIx64 ":  %-7s %s\n", insn[i].address - (uint64_t)(uintptr_t)tb->host_code,
                insn[i].mnemonic, insn[i].op_str);
        done = insn[i].address + insn[i].size - (uint64_t)(uintptr_t)tb->host_code;
    }
    if (done < tb->host_size) {
        fprintf(f, "  0x%04zx:  (%zu bytes not decoded)\n", done, (size_t)tb->host_size - done);
    }
    if (n) {
        cs_free(insn, n);
    }
    cs_close(&handle);
}

const HostBackend host_backend_x86_64 = {
    .name = "x86_64",
    .create = x64_create,
    .destroy = x64_destroy,
    .gen_tb = x64_gen_tb,
    .exec = x64_exec,
    .patch_jump = x64_patch_jump,
    .dump_code = x64_dump_code,
};
