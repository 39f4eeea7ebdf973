/*
 * Interpreter backend, encoder: turns optimized IR into the fixed-size
 * InterpInsn array described in interp.h. Temps get frame slots (NORMAL
 * temps share slots once their last appearance is past; LOCAL temps keep
 * one for the whole block), constants go to a per-block pool, labels
 * become insn indexes. insn_end[] records, like a native backend, the
 * offset (from host_code) where each guest instruction's encoding ends.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/host/interp/interp.h"

static bool interp_op_encoded(const IrOp *op)
{
    switch (op->opc) {
    case IR_set_label:
    case IR_insn_start:
    case IR_discard:
    case IR_mb:
        return false;
    default:
        return true;
    }
}

static bool interp_grow(int32_t **p, int n)
{
    int32_t *q = realloc(*p, (size_t)(n ? n : 1) * sizeof(int32_t));
    if (!q)
        return false;
    *p = q;
    return true;
}

static bool interp_scratch_reserve(InterpScratch *s, int ntemps, int nlabels)
{
    if (ntemps > s->cap_temps) {
        int cap = ntemps + ntemps / 2 + 64;
        if (!interp_grow(&s->slot, cap) || !interp_grow(&s->last, cap)
            || !interp_grow(&s->pool_idx, cap) || !interp_grow(&s->free_slots, cap))
            return false;
        s->cap_temps = cap;
    }
    if (nlabels > s->cap_labels) {
        int cap = nlabels + nlabels / 2 + 16;
        if (!interp_grow(&s->label_idx, cap))
            return false;
        s->cap_labels = cap;
    }
    return true;
}

void interp_scratch_free(InterpScratch *s)
{
    free(s->slot);
    free(s->last);
    free(s->pool_idx);
    free(s->label_idx);
    free(s->free_slots);
    memset(s, 0, sizeof(*s));
}

static bool interp_is_slot_temp(const IrContext *ir, int64_t t)
{
    IrTempKind k = ir->temps[t].kind;
    return k == IR_TEMP_NORMAL || k == IR_TEMP_LOCAL;
}

/* Assign frame slots; returns the number used, or -1 if over the limit. */
static int interp_assign_slots(InterpScratch *s, const IrContext *ir)
{
    for (int t = 0; t < ir->ntemps; t++) {
        s->slot[t] = -1;
        s->last[t] = -1;
    }
    for (int i = 0; i < ir->nops; i++) {
        const IrOp *op = &ir->ops[i];
        for (int a = 0; a < op->nout + op->nin; a++)
            s->last[op->args[a]] = i;
    }
    int nslots = 0, nfree = 0;
    for (int i = 0; i < ir->nops; i++) {
        const IrOp *op = &ir->ops[i];
        int n = op->nout + op->nin;
        for (int a = 0; a < n; a++) {
            int64_t t = op->args[a];
            if (!interp_is_slot_temp(ir, t) || s->slot[t] >= 0)
                continue;
            s->slot[t] = nfree ? s->free_slots[--nfree] : nslots++;
        }
        for (int a = 0; a < n; a++) {
            int64_t t = op->args[a];
            if (ir->temps[t].kind == IR_TEMP_NORMAL && s->last[t] == i) {
                s->free_slots[nfree++] = s->slot[t];
                s->last[t] = -1;   /* freed once even if it appears twice */
            }
        }
    }
    return nslots > INTERP_MAX_SLOTS ? -1 : nslots;
}

static uint32_t interp_ref(const InterpScratch *s, const IrContext *ir, int64_t t)
{
    const IrTemp *tp = &ir->temps[t];
    switch (tp->kind) {
    case IR_TEMP_GLOBAL:
        return ((uint32_t)tp->env_offset << INTERP_REF_SHIFT)
               | (tp->type == IR_I64 ? INTERP_REF_G64 : INTERP_REF_G32);
    case IR_TEMP_ENV:
        return INTERP_REF_ENV;
    case IR_TEMP_CONST:
        return ((uint32_t)s->pool_idx[t] << INTERP_REF_SHIFT) | INTERP_REF_CONST;
    default:
        return ((uint32_t)s->slot[t] << INTERP_REF_SHIFT) | INTERP_REF_TEMP;
    }
}

bool interp_encode_tb(InterpScratch *s, CodeBuffer *cb, IrContext *ir, TranslationBlock *tb)
{
    if (!interp_scratch_reserve(s, ir->ntemps, ir->nlabels))
        return false;

    /* Insn indexes of labels, and the number of insns / constants. */
    uint32_t nenc = 1;   /* budget check */
    uint32_t nconsts = 0;
    for (int l = 0; l < ir->nlabels; l++)
        s->label_idx[l] = -1;
    for (int t = 0; t < ir->ntemps; t++)
        s->pool_idx[t] = -1;
    for (int i = 0; i < ir->nops; i++) {
        const IrOp *op = &ir->ops[i];
        if (op->opc == IR_set_label && op->args[0] >= 0 && op->args[0] < ir->nlabels)
            s->label_idx[op->args[0]] = (int32_t)nenc;
        if (interp_op_encoded(op))
            nenc++;
        for (int a = 0; a < op->nout + op->nin; a++) {
            int64_t t = op->args[a];
            if (ir->temps[t].kind == IR_TEMP_CONST && s->pool_idx[t] < 0)
                s->pool_idx[t] = (int32_t)nconsts++;
        }
    }
    uint32_t end_idx = nenc++;
    int nslots = interp_assign_slots(s, ir);
    if (nslots < 0)
        return false;

    size_t start = (cb->used + 15) & ~(size_t)15;
    size_t pool_off = sizeof(InterpHeader) + (size_t)nenc * sizeof(InterpInsn);
    size_t size = pool_off + (size_t)nconsts * sizeof(uint64_t);
    if (start > cb->size || cb->size - start < size || size > UINT32_MAX)
        return false;

    uint8_t *base = cb->rw + start;
    InterpHeader *h = (InterpHeader *)base;
    InterpInsn *insns = (InterpInsn *)(base + sizeof(InterpHeader));
    uint64_t *pool = (uint64_t *)(base + pool_off);
    memset(base, 0, size);
    h->ninsns = nenc;
    h->nslots = (uint32_t)nslots;
    h->nconsts = nconsts;
    h->pool_offset = (uint32_t)pool_off;
    h->goto_idx[0] = h->goto_idx[1] = UINT32_MAX;
    for (int t = 0; t < ir->ntemps; t++) {
        if (ir->temps[t].kind == IR_TEMP_CONST && s->pool_idx[t] >= 0)
            pool[s->pool_idx[t]] = (uint64_t)ir->temps[t].val;
    }

    for (int n = 0; n < 2; n++) {
        tb->jmp_insn_offset[n] = TB_NO_JUMP;
        tb->jmp_reset_offset[n] = TB_NO_JUMP;
        tb->jmp_dest[n] = NULL;
    }

    insns[0].opc = INTERP_OP_BUDGET;
    uint32_t k = 1;
    int insn_no = 0;
    for (int i = 0; i < ir->nops; i++) {
        const IrOp *op = &ir->ops[i];
        if (op->opc == IR_insn_start) {
            if (insn_no > 0 && insn_no <= ir->ninsns && tb->insn_end)
                tb->insn_end[insn_no - 1] = (uint32_t)(sizeof(InterpHeader) + k * sizeof(InterpInsn));
            if (insn_no < ir->ninsns && tb->insn_data) {
                tb->insn_data[insn_no * IR_INSN_WORDS] = (uint64_t)op->args[0];
                tb->insn_data[insn_no * IR_INSN_WORDS + 1] = (uint64_t)op->args[1];
            }
            insn_no++;
            continue;
        }
        if (!interp_op_encoded(op))
            continue;
        InterpInsn *in = &insns[k];
        in->opc = op->opc;
        in->type = op->type;
        in->nout = op->nout;
        in->nin = op->nin;
        int nref = op->nout + op->nin;
        for (int a = 0; a < nref && a < INTERP_MAX_REFS; a++)
            in->ref[a] = interp_ref(s, ir, op->args[a]);
        for (int c = 0; c < op->nconst && c < 2; c++)
            in->c[c] = op->args[nref + c];
        switch (op->opc) {
        case IR_br:
        case IR_brcond: {
            int ci = op->opc == IR_br ? 0 : 1;
            int64_t l = in->c[ci];
            int32_t target = (l >= 0 && l < ir->nlabels) ? s->label_idx[l] : -1;
            in->c[ci] = target >= 0 ? target : (int64_t)end_idx;
            break;
        }
        case IR_goto_tb: {
            int n = (int)(in->c[0] & 1);
            size_t off = sizeof(InterpHeader) + (size_t)k * sizeof(InterpInsn);
            h->goto_idx[n] = k;
            /* The interp finds the jump through goto_idx; the 16-bit offsets
             * only tell the engine that slot n is chainable. */
            tb->jmp_insn_offset[n] = (uint16_t)(off < TB_NO_JUMP ? off : TB_NO_JUMP - 1);
            off += sizeof(InterpInsn);
            tb->jmp_reset_offset[n] = (uint16_t)(off < TB_NO_JUMP ? off : TB_NO_JUMP - 1);
            in->c[1] = 0;
            break;
        }
        default:
            break;
        }
        k++;
    }
    insns[end_idx].opc = INTERP_OP_END;
    if (insn_no > 0 && insn_no <= ir->ninsns && tb->insn_end)
        tb->insn_end[insn_no - 1] = (uint32_t)(sizeof(InterpHeader) + end_idx * sizeof(InterpInsn));

    tb->host_code = code_rx(cb, base);
    tb->host_size = (uint32_t)size;
    cb->used = start + size;
    return true;
}
