/*
 * x86diff layout: places a sequence's units at DIFF_CODE_BASE, resolves
 * jump and RIP-relative fixups, and runs the undefined-flag analysis: a
 * forward pass over the units (jumps only go forward, so every jump into a
 * unit is seen before it) keeping the set of flags that may be undefined,
 * as the union over all paths reaching each instruction. An instruction's
 * flag effect (x86diff_flags.c) clears the flags it defines and adds the
 * ones it leaves undefined; reading a possibly undefined flag is flagged.
 */
#include <string.h>

#include "tests/cpu/x86diff_gen.h"

bool diff_seq_layout(const DiffSeq *seq, DiffLayout *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t unit_start[DIFF_MAX_UNITS + 1];
    size_t off = 0;
    int k = 0;
    for (int u = 0; u < seq->nunits; u++) {
        unit_start[u] = (uint32_t)off;
        for (int i = 0; i < seq->unit[u].ninsns; i++) {
            const DiffInsn *in = &seq->unit[u].insn[i];
            if (off + in->len > DIFF_CODE_MAX)
                return false;
            memcpy(&out->code[off], in->bytes, in->len);
            out->insn_off[k++] = (uint16_t)off;
            off += in->len;
        }
    }
    unit_start[seq->nunits] = (uint32_t)off;
    out->len = off;
    out->ninsns = k;

    /* Fixups. */
    k = 0;
    for (int u = 0; u < seq->nunits; u++) {
        for (int i = 0; i < seq->unit[u].ninsns; i++, k++) {
            const DiffInsn *in = &seq->unit[u].insn[i];
            uint8_t *p = &out->code[out->insn_off[k] + in->fix_at];
            int64_t next = (int64_t)out->insn_off[k] + in->len;
            if (in->fix == FIX_REL8 || in->fix == FIX_REL32) {
                int t = in->target_unit < seq->nunits ? in->target_unit : seq->nunits;
                int64_t rel = (int64_t)unit_start[t] - next;
                if (in->fix == FIX_REL8) {
                    if (rel < -128 || rel > 127)
                        return false;
                    p[0] = (uint8_t)rel;
                } else {
                    for (int b = 0; b < 4; b++)
                        p[b] = (uint8_t)((uint64_t)rel >> (8 * b));
                }
            } else if (in->fix == FIX_RIPREL) {
                int64_t rel = (int64_t)(in->rip_target - (DIFF_CODE_BASE + (uint64_t)next));
                for (int b = 0; b < 4; b++)
                    p[b] = (uint8_t)((uint64_t)rel >> (8 * b));
            }
        }
    }

    /* Undefined flags, forward over units; jumps only go forward. */
    uint32_t pending[DIFF_MAX_UNITS + 1] = { 0 };
    bool pending_any[DIFF_MAX_UNITS + 1] = { false };
    uint32_t state = 0;
    bool reachable = true;
    k = 0;
    for (int u = 0; u < seq->nunits; u++) {
        if (pending_any[u]) {
            state = reachable ? state | pending[u] : pending[u];
            reachable = true;
        }
        for (int i = 0; i < seq->unit[u].ninsns; i++, k++) {
            const DiffInsn *in = &seq->unit[u].insn[i];
            out->insn_undef[k] = reachable ? state : 0;
            if (!reachable)
                continue;
            if (in->fx.read & state)
                out->reads_undefined = true;
            state = (state & ~in->fx.def) | in->fx.undef;
            if (in->fix == FIX_REL8 || in->fix == FIX_REL32) {
                int t = in->target_unit < seq->nunits ? in->target_unit : seq->nunits;
                pending[t] |= state;
                pending_any[t] = true;
                if (in->uncond)
                    reachable = false;
            }
        }
    }
    out->final_undef = (reachable ? state : 0) | pending[seq->nunits];
    return true;
}

void diff_seq_remove(DiffSeq *seq, int idx)
{
    if (idx < 0 || idx >= seq->nunits)
        return;
    for (int u = 0; u < seq->nunits; u++)
        for (int i = 0; i < seq->unit[u].ninsns; i++) {
            DiffInsn *in = &seq->unit[u].insn[i];
            if ((in->fix == FIX_REL8 || in->fix == FIX_REL32) && in->target_unit > idx
                && in->target_unit < DIFF_MAX_UNITS)
                in->target_unit--;
        }
    memmove(&seq->unit[idx], &seq->unit[idx + 1], (size_t)(seq->nunits - idx - 1) * sizeof(DiffUnit));
    seq->nunits--;
}
