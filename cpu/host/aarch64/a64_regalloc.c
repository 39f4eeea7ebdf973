/*
 * Register allocator of the AArch64 backend: a single forward pass over
 * the op list (driven by a64_gen.c), the same scheme as the x86-64
 * backend's. Every temp has a memory home
 * (env field for globals, a frame slot for locals and spilled normals, the
 * immediate for constants) and may also sit in a host register; mem_valid
 * says whether the home is up to date. Globals are loaded lazily and
 * written back only when modified: at basic-block ends, before ops that may
 * raise and around helper calls. The liveness bits (IrOp.dead/sync from
 * ir_liveness) free registers early; they are treated as hints in the safe
 * direction: a global or local whose value dies is still stored if dirty,
 * so a conservative liveness pass can only cost speed, never correctness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/host/aarch64/a64_int.h"

/* Allocation order: callee-saved first (they survive helper calls), then
 * the temporaries x9-x15 and x8, and the argument registers x7..x0 last
 * (calls load their arguments there). */
static const int8_t alloc_order[] = {
    A64_X20, A64_X21, A64_X22, A64_X23, A64_X24, A64_X25, A64_X26, A64_X27,
    A64_X9, A64_X10, A64_X11, A64_X12, A64_X13, A64_X14, A64_X15, A64_X8,
    A64_X7, A64_X6, A64_X5, A64_X4, A64_X3, A64_X2, A64_X1, A64_X0,
};

static const IrTemp *temp(const A64Backend *be, IrTempId t) { return &be->ir->temps[t]; }
static bool is_w(const A64Backend *be, IrTempId t) { return temp(be, t)->type == IR_I64; }

bool a64_ra_begin(A64Backend *be)
{
    IrContext *ir = be->ir;

    if (ir->ntemps > be->cap_ts) {
        int cap = ir->ntemps + 256;
        A64TempState *ts = realloc(be->ts, (size_t)cap * sizeof(*ts));
        if (!ts) {
            return false;
        }
        be->ts = ts;
        be->cap_ts = cap;
    }
    for (int t = 0; t < ir->ntemps; t++) {
        A64TempState *s = &be->ts[t];
        IrTempKind k = ir->temps[t].kind;
        s->reg = k == IR_TEMP_ENV ? A64_ENV_REG : -1;
        s->mem_valid = k == IR_TEMP_GLOBAL || k == IR_TEMP_CONST || k == IR_TEMP_ENV;
        s->slot = -1;
    }
    for (int r = 0; r < A64_NB_REGS; r++) {
        be->reg_owner[r] = -1;
    }
    memset(be->slot_used, 0, sizeof(be->slot_used));
    be->locked = 0;
    be->error = false;
    return true;
}

bool a64_ra_const(const A64Backend *be, IrTempId t, int64_t *val)
{
    if (temp(be, t)->kind != IR_TEMP_CONST) {
        return false;
    }
    *val = temp(be, t)->val;
    return true;
}

/* Memory home of t: env + offset for globals, a frame slot (allocated on
 * first use) for locals and spilled normals. */
static void home(A64Backend *be, IrTempId t, int *base, int32_t *disp)
{
    const IrTemp *it = temp(be, t);
    A64TempState *s = &be->ts[t];

    if (it->kind == IR_TEMP_GLOBAL) {
        int64_t rel;
        *base = a64_env_base(it->env_offset, &rel);
        *disp = (int32_t)rel;
        return;
    }
    if (s->slot < 0) {
        for (int i = 0; i < A64_FRAME_SLOTS; i++) {
            if (!be->slot_used[i]) {
                be->slot_used[i] = 1;
                s->slot = (int16_t)i;
                break;
            }
        }
        if (s->slot < 0) {
            be->error = true;     /* frame exhausted: gen_tb fails */
            s->slot = 0;
        }
    }
    *base = A64_SP;
    *disp = s->slot * 8;
}

static void free_slot(A64Backend *be, IrTempId t)
{
    A64TempState *s = &be->ts[t];
    if (s->slot >= 0 && temp(be, t)->kind == IR_TEMP_NORMAL) {
        be->slot_used[s->slot] = 0;
        s->slot = -1;
    }
}

/* Emit a load of t's home into register r (no bookkeeping). */
static void emit_load_home(A64Backend *be, IrTempId t, int r)
{
    const IrTemp *it = temp(be, t);
    bool w = it->type == IR_I64;

    if (it->kind == IR_TEMP_CONST) {
        a64_movi(&be->as, w, r, (uint64_t)it->val);
        return;
    }
    int base;
    int32_t disp;
    home(be, t, &base, &disp);
    a64_load(&be->as, w ? 3 : 2, false, w, r, base, disp, A64_TMP1);
}

void a64_ra_store(A64Backend *be, IrTempId t)
{
    A64TempState *s = &be->ts[t];
    IrTempKind k = temp(be, t)->kind;

    if (s->mem_valid || s->reg < 0 || k == IR_TEMP_CONST || k == IR_TEMP_ENV) {
        return;
    }
    int base;
    int32_t disp;
    home(be, t, &base, &disp);
    a64_store(&be->as, is_w(be, t) ? 3 : 2, s->reg, base, disp, A64_TMP1);
    s->mem_valid = true;
}

static void detach(A64Backend *be, IrTempId t)
{
    A64TempState *s = &be->ts[t];
    if (s->reg >= 0 && temp(be, t)->kind != IR_TEMP_ENV) {
        be->reg_owner[s->reg] = -1;
        s->reg = -1;
    }
}

/* Take register r away from its owner, keeping the owner's value. */
static void evict(A64Backend *be, int r, uint32_t avoid)
{
    IrTempId t = be->reg_owner[r];
    if (t < 0) {
        return;
    }
    A64TempState *s = &be->ts[t];
    if (!s->mem_valid) {
        /* Prefer moving to a free register over a store. */
        uint32_t busy = A64_RESERVED_REGS | be->locked | avoid | A64_REG_BIT(r);
        for (size_t i = 0; i < sizeof(alloc_order); i++) {
            int n = alloc_order[i];
            if (!(busy & A64_REG_BIT(n)) && be->reg_owner[n] < 0) {
                a64_mov(&be->as, true, n, r);
                be->reg_owner[r] = -1;
                be->reg_owner[n] = (int16_t)t;
                s->reg = (int8_t)n;
                return;
            }
        }
        a64_ra_store(be, t);
    }
    detach(be, t);
}

static int pick(A64Backend *be, uint32_t avoid)
{
    uint32_t busy = A64_RESERVED_REGS | be->locked | avoid;
    int victim = -1;

    for (size_t i = 0; i < sizeof(alloc_order); i++) {
        int r = alloc_order[i];
        if (busy & A64_REG_BIT(r)) {
            continue;
        }
        if (be->reg_owner[r] < 0) {
            return r;
        }
        /* Cheapest victim: one whose home is already up to date. */
        if (victim < 0 || (be->ts[be->reg_owner[r]].mem_valid
                           && !be->ts[be->reg_owner[victim]].mem_valid)) {
            victim = r;
        }
    }
    if (victim < 0) {
        fprintf(stderr, "doppel: aarch64 backend out of registers\n");
        abort();
    }
    IrTempId t = be->reg_owner[victim];
    a64_ra_store(be, t);
    detach(be, t);
    return victim;
}

int a64_ra_scratch(A64Backend *be, uint32_t avoid)
{
    int r = pick(be, avoid);
    be->locked |= A64_REG_BIT(r);
    return r;
}

int a64_ra_load(A64Backend *be, IrTempId t, uint32_t avoid)
{
    A64TempState *s = &be->ts[t];

    if (s->reg >= 0 && !(avoid & A64_REG_BIT(s->reg))) {
        be->locked |= A64_REG_BIT(s->reg);
        return s->reg;
    }
    int r = pick(be, avoid);
    if (s->reg >= 0) {
        /* In the wrong register: move it (keeping the old copy intact
         * for a use earlier in this op). */
        a64_mov(&be->as, true, r, s->reg);
        be->reg_owner[s->reg] = -1;
    } else {
        emit_load_home(be, t, r);
    }
    s->reg = (int8_t)r;
    be->reg_owner[r] = (int16_t)t;
    be->locked |= A64_REG_BIT(r);
    return r;
}

/* Make register r free (its value moved or spilled) and lock it. */
static void claim(A64Backend *be, int r)
{
    evict(be, r, 0);
    be->locked |= A64_REG_BIT(r);
}

void a64_ra_load_into(A64Backend *be, IrTempId t, int r)
{
    A64TempState *s = &be->ts[t];

    if (s->reg == r) {
        be->locked |= A64_REG_BIT(r);
        return;
    }
    claim(be, r);
    if (s->reg >= 0) {
        a64_mov(&be->as, true, r, s->reg);
    } else {
        emit_load_home(be, t, r);
    }
}

static bool is_output(const IrOp *op, IrTempId t)
{
    for (int i = 0; i < op->nout; i++) {
        if (op->args[i] == t) {
            return true;
        }
    }
    return false;
}

int a64_ra_take(A64Backend *be, int arg_index, IrTempId t)
{
    const IrOp *op = be->op;
    A64TempState *s = &be->ts[t];
    IrTempKind k = temp(be, t)->kind;

    if (!(op->dead & (1u << arg_index)) || k == IR_TEMP_ENV || s->reg < 0) {
        return -1;
    }
    /* The same temp may appear twice as an input: only one may be taken. */
    for (int i = op->nout; i < op->nout + op->nin; i++) {
        if (i != arg_index && op->args[i] == t && !(op->dead & (1u << i))) {
            return -1;
        }
    }
    if ((k == IR_TEMP_GLOBAL || k == IR_TEMP_LOCAL) && !is_output(op, t)) {
        a64_ra_store(be, t);
    }
    int r = s->reg;
    be->reg_owner[r] = -1;
    s->reg = -1;
    if (k == IR_TEMP_NORMAL) {
        s->mem_valid = false;
        free_slot(be, t);
    }
    be->locked |= A64_REG_BIT(r);
    return r;
}

void a64_ra_set_out(A64Backend *be, IrTempId t, int r)
{
    A64TempState *s = &be->ts[t];

    if (s->reg >= 0 && s->reg != r) {
        be->reg_owner[s->reg] = -1;
    }
    if (be->reg_owner[r] >= 0 && be->reg_owner[r] != t) {
        /* r was scratch-claimed or taken; any other owner is a bug. */
        be->ts[be->reg_owner[r]].reg = -1;
    }
    be->reg_owner[r] = (int16_t)t;
    s->reg = (int8_t)r;
    s->mem_valid = false;
    be->locked |= A64_REG_BIT(r);
}

void a64_ra_dead(A64Backend *be, IrTempId t)
{
    A64TempState *s = &be->ts[t];

    switch (temp(be, t)->kind) {
    case IR_TEMP_ENV:
        return;
    case IR_TEMP_GLOBAL:
    case IR_TEMP_LOCAL:
        a64_ra_store(be, t);
        detach(be, t);
        return;
    case IR_TEMP_CONST:
        detach(be, t);
        return;
    case IR_TEMP_NORMAL:
        detach(be, t);
        s->mem_valid = false;
        free_slot(be, t);
        return;
    }
}

void a64_ra_sync_globals(A64Backend *be)
{
    for (int r = 0; r < A64_NB_REGS; r++) {
        IrTempId t = be->reg_owner[r];
        if (t >= 0 && temp(be, t)->kind == IR_TEMP_GLOBAL) {
            a64_ra_store(be, t);
        }
    }
}

void a64_ra_save_globals(A64Backend *be)
{
    for (int r = 0; r < A64_NB_REGS; r++) {
        IrTempId t = be->reg_owner[r];
        if (t >= 0 && temp(be, t)->kind == IR_TEMP_GLOBAL) {
            a64_ra_store(be, t);
            detach(be, t);
        }
    }
}

void a64_ra_free_call_clobbered(A64Backend *be)
{
    for (int r = 0; r < A64_NB_REGS; r++) {
        IrTempId t = be->reg_owner[r];
        if (t >= 0 && (A64_CALLER_SAVED & A64_REG_BIT(r))) {
            a64_ra_store(be, t);
            detach(be, t);
        }
    }
}

void a64_ra_bb_end(A64Backend *be)
{
    for (int t = 0; t < be->ir->ntemps; t++) {
        A64TempState *s = &be->ts[t];
        switch (temp(be, t)->kind) {
        case IR_TEMP_GLOBAL:
        case IR_TEMP_LOCAL:
            a64_ra_store(be, t);
            detach(be, t);
            break;
        case IR_TEMP_NORMAL:
            if (s->reg >= 0 || s->mem_valid || s->slot >= 0) {
                detach(be, t);
                s->mem_valid = false;
                free_slot(be, t);
            }
            break;
        case IR_TEMP_CONST:
            detach(be, t);
            break;
        case IR_TEMP_ENV:
            break;
        }
    }
}

void a64_ra_after_op(A64Backend *be, const IrOp *op)
{
    int n = op->nout + op->nin;

    for (int i = op->nout; i < n; i++) {
        if ((op->dead & (1u << i)) && !is_output(op, (IrTempId)op->args[i])) {
            a64_ra_dead(be, (IrTempId)op->args[i]);
        }
    }
    for (int i = 0; i < n; i++) {
        IrTempId t = (IrTempId)op->args[i];
        if ((op->sync & (1u << i)) && temp(be, t)->kind == IR_TEMP_GLOBAL) {
            a64_ra_store(be, t);
        }
        if (i < op->nout && (op->dead & (1u << i))) {
            a64_ra_dead(be, t);
        }
    }
}

uint32_t a64_ra_live_regs(const A64Backend *be)
{
    uint32_t m = 0;
    for (int r = 0; r < A64_NB_REGS; r++) {
        if (be->reg_owner[r] >= 0) {
            m |= A64_REG_BIT(r);
        }
    }
    return m;
}
