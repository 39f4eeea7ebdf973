/*
 * Register allocator of the native backends (interface and scheme in
 * regalloc.h). The liveness bits are treated as hints in the safe
 * direction: a global or local whose value dies is still stored if dirty,
 * so a conservative liveness pass can only cost speed, never correctness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/host/regalloc.h"

static const IrTemp *temp(const RegAlloc *ra, IrTempId t) { return &ra->ir->temps[t]; }

void ra_init(RegAlloc *ra, const RegAllocHost *host, HostAsm *as)
{
    ra->host = host;
    ra->as = as;
}

void ra_destroy(RegAlloc *ra)
{
    free(ra->ts);
    ra->ts = NULL;
    ra->cap_ts = 0;
}

bool ra_begin(RegAlloc *ra, IrContext *ir)
{
    ra->ir = ir;
    if (ir->ntemps > ra->cap_ts) {
        int cap = ir->ntemps + 256;
        RaTemp *ts = realloc(ra->ts, (size_t)cap * sizeof(*ts));
        if (!ts) {
            return false;
        }
        ra->ts = ts;
        ra->cap_ts = cap;
    }
    for (int t = 0; t < ir->ntemps; t++) {
        RaTemp *s = &ra->ts[t];
        IrTempKind k = ir->temps[t].kind;
        s->reg = (int8_t)(k == IR_TEMP_ENV ? ra->host->env_reg : -1);
        s->mem_valid = k == IR_TEMP_GLOBAL || k == IR_TEMP_CONST || k == IR_TEMP_ENV;
        s->slot = -1;
    }
    for (int r = 0; r < RA_MAX_REGS; r++) {
        ra->reg_owner[r] = -1;
    }
    memset(ra->slot_used, 0, sizeof(ra->slot_used));
    ra->locked = 0;
    ra->error = false;
    return true;
}

bool ra_const(const RegAlloc *ra, IrTempId t, int64_t *val)
{
    if (temp(ra, t)->kind != IR_TEMP_CONST) {
        return false;
    }
    *val = temp(ra, t)->val;
    return true;
}

/* Memory home of t: env + offset for globals, a frame slot (allocated on
 * first use) for locals and spilled normals. */
static void home(RegAlloc *ra, IrTempId t, int *base, int32_t *disp)
{
    const IrTemp *it = temp(ra, t);
    RaTemp *s = &ra->ts[t];

    if (it->kind == IR_TEMP_GLOBAL) {
        *base = ra->host->env_reg;
        *disp = it->env_offset;
        return;
    }
    if (s->slot < 0) {
        for (int i = 0; i < RA_FRAME_SLOTS; i++) {
            if (!ra->slot_used[i]) {
                ra->slot_used[i] = 1;
                s->slot = (int16_t)i;
                break;
            }
        }
        if (s->slot < 0) {
            ra->error = true;     /* frame exhausted: gen_tb fails */
            s->slot = 0;
        }
    }
    *base = ra->host->frame_reg;
    *disp = s->slot * 8;
}

static void free_slot(RegAlloc *ra, IrTempId t)
{
    RaTemp *s = &ra->ts[t];
    if (s->slot >= 0 && temp(ra, t)->kind == IR_TEMP_NORMAL) {
        ra->slot_used[s->slot] = 0;
        s->slot = -1;
    }
}

/* Emit a load of t's home into register r (no bookkeeping). */
static void emit_load_home(RegAlloc *ra, IrTempId t, int r)
{
    const IrTemp *it = temp(ra, t);
    bool w = it->type == IR_I64;

    if (it->kind == IR_TEMP_CONST) {
        ra_host_movi(ra->as, w, r, (uint64_t)it->val);
        return;
    }
    int base;
    int32_t disp;
    home(ra, t, &base, &disp);
    ra_host_load(ra->as, w, r, base, disp);
}

void ra_store(RegAlloc *ra, IrTempId t)
{
    RaTemp *s = &ra->ts[t];
    IrTempKind k = temp(ra, t)->kind;

    if (s->mem_valid || s->reg < 0 || k == IR_TEMP_CONST || k == IR_TEMP_ENV) {
        return;
    }
    int base;
    int32_t disp;
    home(ra, t, &base, &disp);
    ra_host_store(ra->as, temp(ra, t)->type == IR_I64, s->reg, base, disp);
    s->mem_valid = true;
}

static void detach(RegAlloc *ra, IrTempId t)
{
    RaTemp *s = &ra->ts[t];
    if (s->reg >= 0 && temp(ra, t)->kind != IR_TEMP_ENV) {
        ra->reg_owner[s->reg] = -1;
        s->reg = -1;
    }
}

/* Take register r away from its owner, keeping the owner's value. */
static void evict(RegAlloc *ra, int r, RegMask avoid)
{
    IrTempId t = ra->reg_owner[r];
    if (t < 0) {
        return;
    }
    RaTemp *s = &ra->ts[t];
    if (!s->mem_valid) {
        /* Prefer moving to a free register over a store. */
        RegMask busy = ra->locked | avoid | RA_BIT(r);
        for (const int8_t *o = ra->host->order; *o >= 0; o++) {
            int n = *o;
            if (!(busy & RA_BIT(n)) && ra->reg_owner[n] < 0) {
                ra_host_mov(ra->as, true, n, r);
                ra->reg_owner[r] = -1;
                ra->reg_owner[n] = (int16_t)t;
                s->reg = (int8_t)n;
                return;
            }
        }
        ra_store(ra, t);
    }
    detach(ra, t);
}

static int pick(RegAlloc *ra, RegMask avoid)
{
    RegMask busy = ra->locked | avoid;
    int victim = -1;

    for (const int8_t *o = ra->host->order; *o >= 0; o++) {
        int r = *o;
        if (busy & RA_BIT(r)) {
            continue;
        }
        if (ra->reg_owner[r] < 0) {
            return r;
        }
        /* Cheapest victim: one whose home is already up to date. */
        if (victim < 0 || (ra->ts[ra->reg_owner[r]].mem_valid
                           && !ra->ts[ra->reg_owner[victim]].mem_valid)) {
            victim = r;
        }
    }
    if (victim < 0) {
        fprintf(stderr, "doppel: %s backend out of registers\n", ra->host->name);
        abort();
    }
    IrTempId t = ra->reg_owner[victim];
    ra_store(ra, t);
    detach(ra, t);
    return victim;
}

int ra_scratch(RegAlloc *ra, RegMask avoid)
{
    int r = pick(ra, avoid);
    ra->locked |= RA_BIT(r);
    return r;
}

int ra_load(RegAlloc *ra, IrTempId t, RegMask avoid)
{
    RaTemp *s = &ra->ts[t];

    if (s->reg >= 0 && !(avoid & RA_BIT(s->reg))) {
        ra->locked |= RA_BIT(s->reg);
        return s->reg;
    }
    int r = pick(ra, avoid);
    if (s->reg >= 0) {
        /* In the wrong register: move it (keeping the old copy intact
         * for a use earlier in this op). */
        ra_host_mov(ra->as, true, r, s->reg);
        ra->reg_owner[s->reg] = -1;
    } else {
        emit_load_home(ra, t, r);
    }
    s->reg = (int8_t)r;
    ra->reg_owner[r] = (int16_t)t;
    ra->locked |= RA_BIT(r);
    return r;
}

void ra_claim(RegAlloc *ra, int r)
{
    evict(ra, r, 0);
    ra->locked |= RA_BIT(r);
}

void ra_load_into(RegAlloc *ra, IrTempId t, int r, bool clobber)
{
    RaTemp *s = &ra->ts[t];

    if (s->reg == r) {
        if (clobber) {
            evict(ra, r, 0);     /* t moves out; r keeps a copy to destroy */
        }
        ra->locked |= RA_BIT(r);
        return;
    }
    ra_claim(ra, r);
    if (s->reg >= 0) {
        ra_host_mov(ra->as, true, r, s->reg);
    } else {
        emit_load_home(ra, t, r);
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

int ra_take(RegAlloc *ra, const IrOp *op, int i)
{
    IrTempId t = (IrTempId)op->args[i];
    RaTemp *s = &ra->ts[t];
    IrTempKind k = temp(ra, t)->kind;

    if (!(op->dead & (1u << i)) || k == IR_TEMP_ENV || s->reg < 0) {
        return -1;
    }
    /* The same temp may appear twice as an input: only one may be taken. */
    for (int j = op->nout; j < op->nout + op->nin; j++) {
        if (j != i && op->args[j] == t && !(op->dead & (1u << j))) {
            return -1;
        }
    }
    if ((k == IR_TEMP_GLOBAL || k == IR_TEMP_LOCAL) && !is_output(op, t)) {
        ra_store(ra, t);
    }
    int r = s->reg;
    ra->reg_owner[r] = -1;
    s->reg = -1;
    if (k == IR_TEMP_NORMAL) {
        s->mem_valid = false;
        free_slot(ra, t);
    }
    ra->locked |= RA_BIT(r);
    return r;
}

void ra_set_out(RegAlloc *ra, IrTempId t, int r)
{
    RaTemp *s = &ra->ts[t];

    if (s->reg >= 0 && s->reg != r) {
        ra->reg_owner[s->reg] = -1;
    }
    if (ra->reg_owner[r] >= 0 && ra->reg_owner[r] != t) {
        /* r was scratch-claimed or taken; any other owner is a bug. */
        ra->ts[ra->reg_owner[r]].reg = -1;
    }
    ra->reg_owner[r] = (int16_t)t;
    s->reg = (int8_t)r;
    s->mem_valid = false;
    ra->locked |= RA_BIT(r);
}

void ra_dead(RegAlloc *ra, IrTempId t)
{
    RaTemp *s = &ra->ts[t];

    switch (temp(ra, t)->kind) {
    case IR_TEMP_ENV:
        return;
    case IR_TEMP_GLOBAL:
    case IR_TEMP_LOCAL:
        ra_store(ra, t);
        detach(ra, t);
        return;
    case IR_TEMP_CONST:
        detach(ra, t);
        return;
    case IR_TEMP_NORMAL:
        detach(ra, t);
        s->mem_valid = false;
        free_slot(ra, t);
        return;
    }
}

void ra_sync_globals(RegAlloc *ra)
{
    for (int r = 0; r < RA_MAX_REGS; r++) {
        IrTempId t = ra->reg_owner[r];
        if (t >= 0 && temp(ra, t)->kind == IR_TEMP_GLOBAL) {
            ra_store(ra, t);
        }
    }
}

void ra_save_globals(RegAlloc *ra)
{
    for (int r = 0; r < RA_MAX_REGS; r++) {
        IrTempId t = ra->reg_owner[r];
        if (t >= 0 && temp(ra, t)->kind == IR_TEMP_GLOBAL) {
            ra_store(ra, t);
            detach(ra, t);
        }
    }
}

void ra_free_call_clobbered(RegAlloc *ra)
{
    for (int r = 0; r < RA_MAX_REGS; r++) {
        IrTempId t = ra->reg_owner[r];
        if (t >= 0 && (ra->host->caller_saved & RA_BIT(r))) {
            ra_store(ra, t);
            detach(ra, t);
        }
    }
}

void ra_bb_end(RegAlloc *ra)
{
    for (int t = 0; t < ra->ir->ntemps; t++) {
        RaTemp *s = &ra->ts[t];
        switch (temp(ra, t)->kind) {
        case IR_TEMP_GLOBAL:
        case IR_TEMP_LOCAL:
            ra_store(ra, t);
            detach(ra, t);
            break;
        case IR_TEMP_NORMAL:
            if (s->reg >= 0 || s->mem_valid || s->slot >= 0) {
                detach(ra, t);
                s->mem_valid = false;
                free_slot(ra, t);
            }
            break;
        case IR_TEMP_CONST:
            detach(ra, t);
            break;
        case IR_TEMP_ENV:
            break;
        }
    }
}

void ra_after_op(RegAlloc *ra, const IrOp *op)
{
    int n = op->nout + op->nin;

    for (int i = op->nout; i < n; i++) {
        if ((op->dead & (1u << i)) && !is_output(op, (IrTempId)op->args[i])) {
            ra_dead(ra, (IrTempId)op->args[i]);
        }
    }
    for (int i = 0; i < n; i++) {
        IrTempId t = (IrTempId)op->args[i];
        if ((op->sync & (1u << i)) && temp(ra, t)->kind == IR_TEMP_GLOBAL) {
            ra_store(ra, t);
        }
        if (i < op->nout && (op->dead & (1u << i))) {
            ra_dead(ra, t);
        }
    }
}

RegMask ra_live_regs(const RegAlloc *ra)
{
    RegMask m = 0;
    for (int r = 0; r < RA_MAX_REGS; r++) {
        if (ra->reg_owner[r] >= 0) {
            m |= RA_BIT(r);
        }
    }
    return m;
}
