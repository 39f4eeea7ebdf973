/*
 * The portable interpreter backend: runs the encoded IR of interp.h.
 * It is the reference every native backend is diffed against, so it is
 * written for exactness, not speed: every value op goes through
 * ir_eval_op (the optimizer's constant folder), globals are read and
 * written directly in env memory, temps live in a frame on the stack.
 *
 * Chaining: goto_tb n continues in the TB patch_jump stored in the insn
 * (or falls through to the unchained exit). lookup_and_goto asks the
 * engine for the next TB. Guest memory goes through the softmmu TLB with
 * the same fast-path test native code uses; the slow path gets as retaddr
 * an address inside the current encoded insn, so cpu_restore_state maps
 * it to the guest instruction through insn_end[] like a return address.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/host/backend.h"
#include "cpu/host/interp/interp.h"
#include "cpu/tlb.h"

typedef struct InterpBackend {
    BackendEnvLayout layout;
    InterpScratch scratch;
} InterpBackend;

/* What one running block needs to resolve operand references. */
typedef struct InterpFrame {
    uint64_t *regs;
    const uint64_t *pool;
    uint8_t *env;
} InterpFrame;

static inline uint64_t interp_rd(const InterpFrame *f, uint32_t ref)
{
    uint32_t idx = ref >> INTERP_REF_SHIFT;
    switch (ref & ((1u << INTERP_REF_SHIFT) - 1)) {
    case INTERP_REF_TEMP:
        return f->regs[idx];
    case INTERP_REF_CONST:
        return f->pool[idx];
    case INTERP_REF_G32: {
        uint32_t v;
        memcpy(&v, f->env + idx, sizeof(v));
        return v;
    }
    case INTERP_REF_G64: {
        uint64_t v;
        memcpy(&v, f->env + idx, sizeof(v));
        return v;
    }
    default:
        return (uint64_t)(uintptr_t)f->env;
    }
}

static inline void interp_wr(const InterpFrame *f, uint32_t ref, IrType type, uint64_t v)
{
    uint32_t idx = ref >> INTERP_REF_SHIFT;
    switch (ref & ((1u << INTERP_REF_SHIFT) - 1)) {
    case INTERP_REF_TEMP:
        f->regs[idx] = type == IR_I64 ? v : (v & 0xffffffffu);
        break;
    case INTERP_REF_G32: {
        uint32_t w = (uint32_t)v;
        memcpy(f->env + idx, &w, sizeof(w));
        break;
    }
    case INTERP_REF_G64:
        memcpy(f->env + idx, &v, sizeof(v));
        break;
    default:
        break;   /* consts and env are never outputs (ir_verify) */
    }
}

/* Host-endian access of size bytes (ld/st on host structures). */
static uint64_t interp_load_host(const void *p, unsigned size)
{
    switch (size) {
    case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void interp_store_host(void *p, unsigned size, uint64_t x)
{
    switch (size) {
    case 1: { uint8_t v = (uint8_t)x; memcpy(p, &v, 1); break; }
    case 2: { uint16_t v = (uint16_t)x; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)x; memcpy(p, &v, 4); break; }
    default: memcpy(p, &x, 8); break;
    }
}

/* Guest memory is little-endian. */
static uint64_t interp_load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void interp_store_le(uint8_t *p, unsigned size, uint64_t v)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The TLB entry for a fast-path access, or NULL if it must take the slow path. */
static uint8_t *interp_tlb_host(CpuCommon *cpu, uint64_t addr, IrMemOp mo, bool write)
{
    unsigned size = ir_memop_size(mo), mmu = ir_memop_mmu(mo);
    if (mmu >= TLB_MAX_MMU || !cpu->tlb)
        return NULL;
    const TlbEntry *e = &cpu->tlb->table[mmu][tlb_index(addr)];
    uint64_t cmp = write ? e->addr_write : e->addr_read;
    if ((addr & TLB_PAGE_MASK) != cmp)
        return NULL;
    if ((addr & (TLB_PAGE_SIZE - 1)) + size > TLB_PAGE_SIZE)
        return NULL;
    if ((mo & IR_MO_ALIGN) && (addr & (size - 1)))
        return NULL;
    return (uint8_t *)(uintptr_t)(addr + e->addend);
}

typedef uint64_t (*InterpFn0)(void);
typedef uint64_t (*InterpFn1)(uint64_t);
typedef uint64_t (*InterpFn2)(uint64_t, uint64_t);
typedef uint64_t (*InterpFn3)(uint64_t, uint64_t, uint64_t);
typedef uint64_t (*InterpFn4)(uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*InterpFn5)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef uint64_t (*InterpFn6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef void (*InterpVoid0)(void);
typedef void (*InterpVoid1)(uint64_t);
typedef void (*InterpVoid2)(uint64_t, uint64_t);
typedef void (*InterpVoid3)(uint64_t, uint64_t, uint64_t);
typedef void (*InterpVoid4)(uint64_t, uint64_t, uint64_t, uint64_t);
typedef void (*InterpVoid5)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
typedef void (*InterpVoid6)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* Call a helper by arity (the IR calling convention: uint64_t or pointer
 * arguments, uint64_t or void result). */
static uint64_t interp_call(const IrHelper *h, const uint64_t *a, int n)
{
    if (h->has_ret) {
        switch (n) {
        case 0: return ((InterpFn0)h->fn)();
        case 1: return ((InterpFn1)h->fn)(a[0]);
        case 2: return ((InterpFn2)h->fn)(a[0], a[1]);
        case 3: return ((InterpFn3)h->fn)(a[0], a[1], a[2]);
        case 4: return ((InterpFn4)h->fn)(a[0], a[1], a[2], a[3]);
        case 5: return ((InterpFn5)h->fn)(a[0], a[1], a[2], a[3], a[4]);
        default: return ((InterpFn6)h->fn)(a[0], a[1], a[2], a[3], a[4], a[5]);
        }
    }
    switch (n) {
    case 0: ((InterpVoid0)h->fn)(); break;
    case 1: ((InterpVoid1)h->fn)(a[0]); break;
    case 2: ((InterpVoid2)h->fn)(a[0], a[1]); break;
    case 3: ((InterpVoid3)h->fn)(a[0], a[1], a[2]); break;
    case 4: ((InterpVoid4)h->fn)(a[0], a[1], a[2], a[3]); break;
    case 5: ((InterpVoid5)h->fn)(a[0], a[1], a[2], a[3], a[4]); break;
    default: ((InterpVoid6)h->fn)(a[0], a[1], a[2], a[3], a[4], a[5]); break;
    }
    return 0;
}

static uintptr_t interp_exec(void *be, CpuCommon *cpu, TranslationBlock *tb)
{
    uint64_t regs[INTERP_MAX_SLOTS];
    InterpFrame f = { .regs = regs, .env = (uint8_t *)cpu };
    (void)be;

next_tb:;
    const InterpHeader *h = (const InterpHeader *)tb->host_code;
    const InterpInsn *code = (const InterpInsn *)(tb->host_code + sizeof(InterpHeader));
    f.pool = (const uint64_t *)(tb->host_code + h->pool_offset);
    const InterpInsn *ip = code;

    for (;;) {
        const InterpInsn *in = ip++;
        IrType type = (IrType)in->type;
        switch (in->opc) {
        case INTERP_OP_BUDGET:
            if ((int64_t)cpu->insn_budget < (int64_t)tb->icount)
                return (uintptr_t)tb | TB_EXIT_REQUESTED;
            cpu->insn_budget = (int32_t)((int64_t)cpu->insn_budget - (int64_t)tb->icount);
            break;
        case INTERP_OP_END:
            return TB_EXIT_NOCHAIN;
        case IR_movi:
            interp_wr(&f, in->ref[0], type, (uint64_t)in->c[0]);
            break;
        case IR_mulu2:
        case IR_muls2: {
            uint64_t lo, hi;
            ir_eval_mul2((IrOpcode)in->opc, type, interp_rd(&f, in->ref[2]), interp_rd(&f, in->ref[3]),
                         &lo, &hi);
            interp_wr(&f, in->ref[0], type, lo);
            interp_wr(&f, in->ref[1], type, hi);
            break;
        }
        case IR_movcond: {
            bool c = ir_eval_cond((IrCond)in->c[0], type, interp_rd(&f, in->ref[1]),
                                  interp_rd(&f, in->ref[2]));
            interp_wr(&f, in->ref[0], type, interp_rd(&f, in->ref[c ? 3 : 4]));
            break;
        }
        case IR_brcond:
            if (ir_eval_cond((IrCond)in->c[0], type, interp_rd(&f, in->ref[0]), interp_rd(&f, in->ref[1])))
                ip = code + in->c[1];
            break;
        case IR_br:
            ip = code + in->c[0];
            break;
        case IR_ld: {
            uint8_t *p = (uint8_t *)(uintptr_t)interp_rd(&f, in->ref[1]) + in->c[0];
            IrMemOp mo = (IrMemOp)in->c[1];
            interp_wr(&f, in->ref[0], type, ir_memop_extend(mo, type, interp_load_host(p, ir_memop_size(mo))));
            break;
        }
        case IR_st: {
            uint8_t *p = (uint8_t *)(uintptr_t)interp_rd(&f, in->ref[1]) + in->c[0];
            interp_store_host(p, ir_memop_size((IrMemOp)in->c[1]), interp_rd(&f, in->ref[0]));
            break;
        }
        case IR_gld: {
            IrMemOp mo = (IrMemOp)in->c[0];
            uint64_t addr = interp_rd(&f, in->ref[1]), v;
            uint8_t *p = interp_tlb_host(cpu, addr, mo, false);
            if (p)
                v = interp_load_le(p, ir_memop_size(mo));
            else
                v = tlb_load_slow(cpu, addr, mo, (uintptr_t)in + sizeof(InterpInsn) / 2);
            interp_wr(&f, in->ref[0], type, ir_memop_extend(mo, type, v));
            break;
        }
        case IR_gst: {
            IrMemOp mo = (IrMemOp)in->c[0];
            uint64_t v = interp_rd(&f, in->ref[0]), addr = interp_rd(&f, in->ref[1]);
            uint8_t *p = interp_tlb_host(cpu, addr, mo, true);
            if (p)
                interp_store_le(p, ir_memop_size(mo), v);
            else
                tlb_store_slow(cpu, addr, v, mo, (uintptr_t)in + sizeof(InterpInsn) / 2);
            break;
        }
        case IR_call: {
            const IrHelper *hp = (const IrHelper *)(uintptr_t)in->c[0];
            uint64_t args[IR_MAX_CALL_ARGS] = { 0 };
            int n = in->nin > IR_MAX_CALL_ARGS ? IR_MAX_CALL_ARGS : in->nin;
            for (int i = 0; i < n; i++)
                args[i] = interp_rd(&f, in->ref[in->nout + i]);
            /* A helper's own return address is in this file, not in the
             * code buffer: tell cpu_restore_state where the call is. */
            cpu->helper_retaddr = (uintptr_t)in + sizeof(InterpInsn) / 2;
            uint64_t r = interp_call(hp, args, n);
            cpu->helper_retaddr = 0;
            if (in->nout)
                interp_wr(&f, in->ref[0], type, r);
            break;
        }
        case IR_goto_tb:
            if (in->c[1]) {
                tb = (TranslationBlock *)(uintptr_t)in->c[1];
                goto next_tb;
            }
            break;
        case IR_exit_tb:
            return (uintptr_t)in->c[0];
        case IR_lookup_and_goto: {
            TranslationBlock *next = engine_lookup_tb(cpu);
            if (!next)
                return TB_EXIT_NOCHAIN;
            tb = next;
            goto next_tb;
        }
        default: {
            /* Every remaining op is a pure function of <= 2 inputs. */
            uint64_t a = in->nin > 0 ? interp_rd(&f, in->ref[in->nout]) : 0;
            uint64_t b = in->nin > 1 ? interp_rd(&f, in->ref[in->nout + 1]) : 0;
            if (in->nout)
                interp_wr(&f, in->ref[0], type, ir_eval_op((IrOpcode)in->opc, type, a, b, in->c));
            break;
        }
        }
    }
}

static void *interp_create(CodeBuffer *cb, const BackendEnvLayout *layout)
{
    InterpBackend *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    if (layout)
        b->layout = *layout;
    cb->prologue_size = 0;   /* no prologue: exec is C */
    return b;
}

static void interp_destroy(void *be)
{
    InterpBackend *b = be;
    if (!b)
        return;
    interp_scratch_free(&b->scratch);
    free(b);
}

static bool interp_gen_tb(void *be, CodeBuffer *cb, IrContext *ir, TranslationBlock *tb)
{
    InterpBackend *b = be;
    return interp_encode_tb(&b->scratch, cb, ir, tb);
}

static void interp_patch_jump(void *be, CodeBuffer *cb, TranslationBlock *tb, int n,
                              TranslationBlock *dest)
{
    (void)be;
    if (n < 0 || n > 1 || !tb->host_code)
        return;
    InterpHeader *h = (InterpHeader *)code_rw(cb, tb->host_code);
    if (h->goto_idx[n] == UINT32_MAX)
        return;
    InterpInsn *in = (InterpInsn *)((uint8_t *)h + sizeof(InterpHeader)) + h->goto_idx[n];
    in->c[1] = (int64_t)(uintptr_t)dest;
}

static void interp_dump_ref(uint32_t ref, const uint64_t *pool, FILE *f)
{
    uint32_t idx = ref >> INTERP_REF_SHIFT;
    switch (ref & ((1u << INTERP_REF_SHIFT) - 1)) {
    case INTERP_REF_TEMP: fprintf(f, "r%u", idx); break;
    case INTERP_REF_CONST: fprintf(f, "$0x%llx", (unsigned long long)pool[idx]); break;
    case INTERP_REF_G32: fprintf(f, "env32[0x%x]", idx); break;
    case INTERP_REF_G64: fprintf(f, "env64[0x%x]", idx); break;
    default: fprintf(f, "env"); break;
    }
}

static void interp_dump_code(void *be, const CodeBuffer *cb, const TranslationBlock *tb, FILE *f)
{
    (void)be;
    (void)cb;
    const InterpHeader *h = (const InterpHeader *)tb->host_code;
    const InterpInsn *code = (const InterpInsn *)(tb->host_code + sizeof(InterpHeader));
    const uint64_t *pool = (const uint64_t *)(tb->host_code + h->pool_offset);
    fprintf(f, "interp block: %u insns, %u slots, %u consts\n", h->ninsns, h->nslots, h->nconsts);
    for (uint32_t i = 0; i < h->ninsns; i++) {
        const InterpInsn *in = &code[i];
        size_t off = sizeof(InterpHeader) + i * sizeof(InterpInsn);
        const char *name = in->opc == INTERP_OP_BUDGET ? "budget"
                           : in->opc == INTERP_OP_END ? "end"
                           : in->opc < IR_NB_OPS ? ir_op_defs[in->opc].name : "?";
        fprintf(f, "  %04zx %4u: %s%s", off, i, name,
                in->opc < IR_NB_OPS ? (in->type == IR_I64 ? "_i64" : "_i32") : "");
        for (int a = 0; a < in->nout + in->nin && a < INTERP_MAX_REFS; a++) {
            fputs(a ? ", " : " ", f);
            interp_dump_ref(in->ref[a], pool, f);
        }
        if (in->opc < IR_NB_OPS) {
            for (int c = 0; c < ir_op_defs[in->opc].nconst && c < 2; c++)
                fprintf(f, "%s#0x%llx", in->nout + in->nin + c ? ", " : " ", (unsigned long long)in->c[c]);
        }
        fputc('\n', f);
    }
}

const HostBackend host_backend_interp = {
    .name = "interp",
    .create = interp_create,
    .destroy = interp_destroy,
    .gen_tb = interp_gen_tb,
    .exec = interp_exec,
    .patch_jump = interp_patch_jump,
    .dump_code = interp_dump_code,
};
