/*
 * Code generation driver of the native backends (interface in
 * native_gen.h): a TB is
 *     budget check (host)            -> branch to the exit-request stub
 *     body: one emitter per op, then the allocator's dead/sync bookkeeping
 *     softmmu slow paths (host)
 *     exit-request stub: return tb | TB_EXIT_REQUESTED
 * with branches to labels bound once the whole body is emitted.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "cpu/host/native_gen.h"
#include "cpu/tlb.h"

static bool failed(const NativeGen *g) { return g->error || g->ra.error; }

/* ---- life cycle ---- */

void native_gen_init(NativeGen *g, CodeBuffer *cb, const BackendEnvLayout *layout)
{
    g->layout = *layout;
    ra_init(&g->ra, &native_host_regs, &g->as);
    code_buffer_write_begin(cb);
    host_asm_init(&g->as, cb->rw + cb->used, cb->rx + cb->used, cb->size - cb->used);
    g->prologue = host_asm_rx_here(&g->as);
}

bool native_gen_end_prologue(NativeGen *g, CodeBuffer *cb)
{
    HostAsm *a = &g->as;

    code_buffer_write_end(cb);
    if (a->overflow) {
        return false;
    }
    code_buffer_sync(cb, a->rx, a->pos);
    cb->used += (a->pos + 15) & ~(size_t)15;
    if (cb->used > cb->size) {
        cb->used = cb->size;
    }
    cb->prologue_size = cb->used;
    return true;
}

void native_gen_destroy(void *opaque)
{
    NativeGen *g = opaque;
    if (!g) {
        return;
    }
    ra_destroy(&g->ra);
    free(g->label_pos);
    free(g->label_refs);
    free(g->slow);
    free(g);
}

typedef uintptr_t (*NativeEntry)(void *env, const void *code);

uintptr_t native_exec(void *opaque, struct CpuCommon *cpu, TranslationBlock *tb)
{
    NativeGen *g = opaque;
    NativeEntry entry = (NativeEntry)g->prologue;
    return entry(cpu, tb->host_code);
}

void native_dump_code(void *opaque, const CodeBuffer *cb, const TranslationBlock *tb, FILE *f)
{
    const NativeGen *g = opaque;
    csh handle;
    cs_insn *insn;
    uint64_t base = (uint64_t)(uintptr_t)tb->host_code;
    size_t done = 0;

    (void)cb;
    if (cs_open((cs_arch)g->disasm_arch, (cs_mode)g->disasm_mode, &handle) != CS_ERR_OK) {
        fprintf(f, "  (capstone unavailable)\n");
        return;
    }
    /* capstone stops at data (goto_tb literals): skip a word and go on */
    while (done < tb->host_size) {
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
        } else if (done < tb->host_size) {
            fprintf(f, "  0x%04zx:  (%zu bytes not decoded)\n", done, (size_t)tb->host_size - done);
            break;
        }
    }
    cs_close(&handle);
}

/* ---- labels ---- */

void native_label_ref(NativeGen *g, int label, size_t branch)
{
    if (g->nlabel_refs == g->cap_label_refs) {
        int cap = g->cap_label_refs ? g->cap_label_refs * 2 : 64;
        NativeLabelRef *r = realloc(g->label_refs, (size_t)cap * sizeof(*r));
        if (!r) {
            g->error = true;
            return;
        }
        g->label_refs = r;
        g->cap_label_refs = cap;
    }
    g->label_refs[g->nlabel_refs++] = (NativeLabelRef){ label, branch };
}

static bool prepare_labels(NativeGen *g, int nlabels)
{
    if (nlabels > g->cap_labels) {
        long *p = realloc(g->label_pos, (size_t)nlabels * sizeof(*p));
        if (!p) {
            return false;
        }
        g->label_pos = p;
        g->cap_labels = nlabels;
    }
    for (int i = 0; i < nlabels; i++) {
        g->label_pos[i] = -1;
    }
    g->nlabel_refs = 0;
    return true;
}

static bool resolve_labels(NativeGen *g)
{
    for (int i = 0; i < g->nlabel_refs; i++) {
        const NativeLabelRef *r = &g->label_refs[i];
        if (r->label < 0 || r->label >= g->ir->nlabels || g->label_pos[r->label] < 0) {
            fprintf(stderr, "doppel: %s backend: branch to undefined label %d\n", native_host_regs.name,
                    r->label);
            return false;
        }
        native_host_bind(&g->as, r->branch, (size_t)g->label_pos[r->label]);
    }
    return true;
}

IrCond native_cond_swap(IrCond c)
{
    switch (c) {
    case IR_COND_LT: return IR_COND_GT;
    case IR_COND_GT: return IR_COND_LT;
    case IR_COND_LE: return IR_COND_GE;
    case IR_COND_GE: return IR_COND_LE;
    case IR_COND_LTU: return IR_COND_GTU;
    case IR_COND_GTU: return IR_COND_LTU;
    case IR_COND_LEU: return IR_COND_GEU;
    case IR_COND_GEU: return IR_COND_LEU;
    default: return c;
    }
}

/* ---- guest memory ---- */

NativeMemAccess native_mem_begin(NativeGen *g, bool is_store)
{
    RegAlloc *ra = &g->ra;
    IrMemOp mo = (IrMemOp)g->op->args[2];
    unsigned mmu = ir_memop_mmu(mo) & (TLB_MAX_MMU - 1);
    NativeMemAccess m = {
        .is_store = is_store,
        .w = native_op_w(g),
        .memop = mo,
        .size_log2 = mo & IR_MO_SIZE,
        .tlb_table = g->layout.tlb_offset + (int64_t)(offsetof(CpuTlb, table) + mmu * TLB_SIZE * sizeof(TlbEntry)),
        .cmp_off = (int64_t)(is_store ? offsetof(TlbEntry, addr_write) : offsetof(TlbEntry, addr_read)),
    };

    if (!m.w && m.size_log2 == 3) {
        m.size_log2 = 2;
    }
    ra_sync_globals(ra);
    m.addr = ra_load(ra, native_arg(g, 1), 0);
    m.data = is_store ? ra_load(ra, native_arg(g, 0), 0) : -1;
    m.tmp = ra_scratch(ra, 0);
    if (!is_store) {
        m.data = native_take(g, 1);
        if (m.data < 0) {
            m.data = ra_scratch(ra, 0);
        }
    }
    return m;
}

void native_mem_end(NativeGen *g, const NativeMemAccess *m, size_t miss, RegMask scratch)
{
    if (!m->is_store) {
        ra_set_out(&g->ra, native_arg(g, 0), m->data);
    }
    NativeSlowPath sp = {
        .is_store = m->is_store,
        .memop = m->memop,
        .w = m->w,
        .addr_reg = (int8_t)m->addr,
        .data_reg = (int8_t)m->data,
        .branch = miss,
        .ret_pos = g->as.pos,
    };
    RegMask save = ra_live_regs(&g->ra) & native_host_regs.caller_saved & ~scratch;
    if (!m->is_store) {
        save &= ~RA_BIT(m->data);
    }
    sp.save_regs = save;

    if (g->nslow == g->cap_slow) {
        int cap = g->cap_slow ? g->cap_slow * 2 : 32;
        NativeSlowPath *s = realloc(g->slow, (size_t)cap * sizeof(*s));
        if (!s) {
            g->error = true;
            return;
        }
        g->slow = s;
        g->cap_slow = cap;
    }
    g->slow[g->nslow++] = sp;
}

/* ---- ops with host-neutral logic ---- */

static void gen_call(NativeGen *g, const IrOp *op)
{
    RegAlloc *ra = &g->ra;
    const IrHelper *h = (const IrHelper *)(intptr_t)op->args[op->nout + op->nin];
    int nin = op->nin > IR_MAX_CALL_ARGS ? IR_MAX_CALL_ARGS : op->nin;
    RegMask argmask = 0;

    if (!(h->flags & IR_CALL_NO_WRITE_GLOBALS)) {
        ra_save_globals(ra);
    } else if (!(h->flags & IR_CALL_NO_READ_GLOBALS) || (h->flags & IR_CALL_MAY_RAISE)) {
        ra_sync_globals(ra);
    }
    for (int i = 0; i < nin; i++) {
        argmask |= RA_BIT(native_host_call_args[i]);
    }
    ra_lock(ra, argmask);
    for (int i = 0; i < nin; i++) {
        ra_load_into(ra, native_arg(g, op->nout + i), native_host_call_args[i], false);
    }
    /* Inputs dying here need not survive the call. */
    for (int i = op->nout; i < op->nout + nin; i++) {
        if (op->dead & (1u << i)) {
            ra_dead(ra, native_arg(g, i));
        }
    }
    ra_free_call_clobbered(ra);
    native_host_call(&g->as, (uintptr_t)h->fn);
    if (op->nout) {
        if (g->ir->temps[native_arg(g, 0)].type == IR_I32) {
            ra_host_mov(&g->as, false, native_host_call_ret, native_host_call_ret);   /* zero-extend */
        }
        ra_set_out(ra, native_arg(g, 0), native_host_call_ret);
    }
}

static void gen_insn_start(NativeGen *g, const IrOp *op, int *insn)
{
    TranslationBlock *tb = g->tb;

    if (*insn > 0 && tb->insn_end && (uint32_t)*insn <= tb->icount) {
        tb->insn_end[*insn - 1] = (uint32_t)g->as.pos;
    }
    if (tb->insn_data && (uint32_t)*insn < tb->icount) {
        for (int i = 0; i < IR_INSN_WORDS; i++) {
            tb->insn_data[*insn * IR_INSN_WORDS + i] = (uint64_t)op->args[i];
        }
    }
    (*insn)++;
}

/* d = args[src]: mov; movcond on never/always, full-width deposit. A
 * source that dies here passes its register on. */
static void gen_mov(NativeGen *g, int src)
{
    IrTempId d = native_arg(g, 0), s = native_arg(g, src);
    int64_t v;

    if (ra_const(&g->ra, s, &v)) {
        native_isel_movi(g, d, v);
        return;
    }
    int rs = ra_load(&g->ra, s, 0);
    int rd = native_take(g, src);
    if (rd < 0) {
        rd = ra_scratch(&g->ra, 0);
        ra_host_mov(&g->as, native_op_w(g), rd, rs);
    }
    ra_set_out(&g->ra, d, rd);
}

/* Decode a data op for the backend's instruction selection. */
static void gen_data_op(NativeGen *g, const IrOp *op)
{
    IrOpcode opc = (IrOpcode)op->opc;
    bool w = op->type == IR_I64;
    unsigned width = w ? 64 : 32;

    switch (opc) {
    case IR_mov: gen_mov(g, 1); break;
    case IR_movi: native_isel_movi(g, native_arg(g, 0), op->args[1]); break;
    case IR_add: case IR_sub: case IR_and: case IR_or: case IR_xor: case IR_andc:
        native_isel_alu(g, opc);
        break;
    case IR_neg: case IR_not: native_isel_unary(g, opc); break;
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
        native_isel_shift(g, opc);
        break;
    case IR_mul: native_isel_mul(g); break;
    case IR_mulu2: native_isel_mul2(g, false); break;
    case IR_muls2: native_isel_mul2(g, true); break;
    case IR_divu: native_isel_divrem(g, false, false); break;
    case IR_divs: native_isel_divrem(g, true, false); break;
    case IR_remu: native_isel_divrem(g, false, true); break;
    case IR_rems: native_isel_divrem(g, true, true); break;
    case IR_setcond: {
        IrCond cond = (IrCond)op->args[3];
        if (cond == IR_COND_NEVER || cond == IR_COND_ALWAYS || cond >= IR_NB_CONDS) {
            native_isel_movi(g, native_arg(g, 0), cond == IR_COND_ALWAYS);
        } else {
            native_isel_setcond(g, cond);
        }
        break;
    }
    case IR_movcond: {
        IrCond cond = (IrCond)op->args[5];
        if (cond == IR_COND_ALWAYS) {
            gen_mov(g, 3);
        } else if (cond == IR_COND_NEVER || cond >= IR_NB_CONDS) {
            gen_mov(g, 4);
        } else {
            native_isel_movcond(g, cond);
        }
        break;
    }
    case IR_ext8s: native_isel_ext(g, 0, true, w); break;
    case IR_ext8u: native_isel_ext(g, 0, false, w); break;
    case IR_ext16s: native_isel_ext(g, 1, true, w); break;
    case IR_ext16u: native_isel_ext(g, 1, false, w); break;
    case IR_ext32s: native_isel_ext(g, 2, true, true); break;
    case IR_ext32u: native_isel_ext(g, 2, false, true); break;
    case IR_extu_i32_i64: native_isel_ext(g, 2, false, true); break;
    case IR_exts_i32_i64: native_isel_ext(g, 2, true, true); break;
    case IR_extrl_i64_i32: native_isel_ext(g, 2, false, false); break;
    case IR_extrh_i64_i32: native_isel_extrh(g); break;
    case IR_extract:
    case IR_sextract: {
        unsigned pos = (unsigned)op->args[2] & (width - 1);
        unsigned len = (unsigned)op->args[3];
        if (len == 0 || pos + len > width) {
            len = width - pos;     /* malformed: keep it harmless */
        }
        native_isel_extract(g, opc == IR_sextract, pos, len);
        break;
    }
    case IR_deposit: {
        unsigned pos = (unsigned)op->args[3] & (width - 1);
        unsigned len = (unsigned)op->args[4];
        if (len == 0 || pos + len > width) {
            len = width - pos;
        }
        if (len == width) {
            gen_mov(g, 2);
        } else {
            native_isel_deposit(g, pos, len);
        }
        break;
    }
    case IR_bswap16: native_isel_bswap(g, 1); break;
    case IR_bswap32: native_isel_bswap(g, 2); break;
    case IR_bswap64: native_isel_bswap(g, 3); break;
    case IR_clz: native_isel_count_zeros(g, true); break;
    case IR_ctz: native_isel_count_zeros(g, false); break;
    case IR_ctpop: native_isel_ctpop(g); break;
    case IR_ld:
    case IR_st: {
        IrMemOp mo = (IrMemOp)op->args[3];
        unsigned size_log2 = mo & IR_MO_SIZE;
        if (!w && size_log2 == 3) {
            size_log2 = 2;
        }
        if (opc == IR_ld) {
            native_isel_ld(g, size_log2, (mo & IR_MO_SIGN) != 0, (int32_t)op->args[2]);
        } else {
            native_isel_st(g, size_log2, (int32_t)op->args[2]);
        }
        break;
    }
    case IR_gld: native_isel_guest_mem(g, false); break;
    case IR_gst: native_isel_guest_mem(g, true); break;
    case IR_mb: native_isel_mb(g); break;
    default: break;     /* the control ops: gen_op */
    }
}

static void gen_op(NativeGen *g, const IrOp *op, int *insn)
{
    RegAlloc *ra = &g->ra;

    switch ((IrOpcode)op->opc) {
    case IR_set_label:
        ra_bb_end(ra);
        if (op->args[0] >= 0 && op->args[0] < g->ir->nlabels) {
            g->label_pos[op->args[0]] = (long)g->as.pos;
        }
        break;
    case IR_br:
        ra_bb_end(ra);
        native_label_ref(g, (int)op->args[0], native_host_branch(&g->as));
        break;
    case IR_brcond: {
        IrCond cond = (IrCond)op->args[2];
        if (cond == IR_COND_NEVER || cond >= IR_NB_CONDS) {
            ra_bb_end(ra);
        } else if (cond == IR_COND_ALWAYS) {
            ra_bb_end(ra);
            native_label_ref(g, (int)op->args[3], native_host_branch(&g->as));
        } else {
            native_isel_brcond(g, cond, (int)op->args[3]);
        }
        break;
    }
    case IR_goto_tb:
        ra_bb_end(ra);
        native_host_goto_tb(g, (int)op->args[0] & 1);
        break;
    case IR_exit_tb:
        ra_bb_end(ra);
        native_host_exit(g, (uint64_t)op->args[0]);
        break;
    case IR_lookup_and_goto:
        ra_bb_end(ra);
        native_host_lookup_and_goto(g);
        break;
    case IR_call:
        gen_call(g, op);
        break;
    case IR_insn_start:
        gen_insn_start(g, op, insn);
        break;
    case IR_discard:
        ra_dead(ra, native_arg(g, 0));
        break;
    default:
        gen_data_op(g, op);
        break;
    }
}

static bool gen_body(NativeGen *g)
{
    IrContext *ir = g->ir;
    TranslationBlock *tb = g->tb;
    int insn = 0;
    bool fell_off = true;

    g->exit_req_branch = native_host_budget_check(g, tb->icount);
    for (int i = 0; i < ir->nops && !failed(g); i++) {
        const IrOp *op = &ir->ops[i];
        g->op = op;
        gen_op(g, op, &insn);
        ra_after_op(&g->ra, op);
        ra_end_op(&g->ra);
        fell_off = !(ir_op_defs[op->opc].flags & IR_OPF_NORETURN);
    }
    if (insn > 0 && tb->insn_end && (uint32_t)insn <= tb->icount) {
        tb->insn_end[insn - 1] = (uint32_t)g->as.pos;
    }
    if (fell_off) {
        /* Front ends end every block with an exit; never run into the
         * out-of-line code if one did not. */
        ra_bb_end(&g->ra);
        native_host_exit(g, TB_EXIT_NOCHAIN);
    }
    return !failed(g);
}

bool native_gen_tb(void *opaque, CodeBuffer *cb, IrContext *ir, TranslationBlock *tb)
{
    NativeGen *g = opaque;
    size_t start = (cb->used + 15) & ~(size_t)15;
    HostAsm *a = &g->as;

    if (start >= cb->size) {
        return false;
    }
    g->ir = ir;
    g->tb = tb;
    g->nslow = 0;
    g->error = false;
    if (!ra_begin(&g->ra, ir) || !prepare_labels(g, ir->nlabels)) {
        return false;
    }
    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_offset[n] = TB_NO_JUMP;
        tb->jmp_reset_offset[n] = TB_NO_JUMP;
    }
    code_buffer_write_begin(cb);
    host_asm_init(a, cb->rw + start, cb->rx + start, cb->size - start);

    bool ok = gen_body(g);
    for (int i = 0; i < g->nslow; i++) {
        native_host_slow_path(g, &g->slow[i]);
    }
    native_host_bind(a, g->exit_req_branch, a->pos);
    native_host_exit(g, (uintptr_t)tb | TB_EXIT_REQUESTED);
    ok = ok && resolve_labels(g) && !failed(g);
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
