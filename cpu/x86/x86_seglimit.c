/*
 * Segment limit and type checks on data accesses (Intel SDM Vol. 3A 5.3
 * "Limit Checking", 5.4 "Type Checking", 5.4.1 null selectors; real-address
 * mode: Vol. 3A 20.1 and the "Real-Address Mode Exceptions" of every
 * instruction page: #GP(0) for an operand outside the CS/DS/ES/FS/GS limit,
 * #SS(0) outside the SS limit, e.g. a word at offset FFFFh).
 *
 * Cost model. x86_update_hflags asks x86_segchk_hflags which segments need
 * checks at all: none in 64-bit mode, none for a flat (limit 4 GiB - 1)
 * expand-up read/write data segment, so flat 32-bit code pays nothing.
 * Those bits are part of the TB key. For a checked segment the translator
 * emits, per access, "end = offset + size - 1; addr = end > limit ?
 * X86_SEG_FAULT_ADDR : addr": a load of the cached limit and a movcond, no
 * branch. The substituted address is not canonical and never mapped, so
 * the access misses the TLB and x86_tlb_fill raises #GP(0) or #SS(0) at the
 * faulting instruction (precise, like a page fault). When a checked segment
 * is expand-down, unusable (null) or not writable data, HF_SEGCHK_SLOW
 * sends checked accesses to x86_helper_seg_check, the exact C check.
 *
 * The translator remembers, per instruction, which linear-address temps
 * x86_gen_seg_addr made for checked segments (with their segment and
 * offset), so x86_gen_ld/x86_gen_st check any address built the usual way
 * without the handlers knowing; x86_gen_addr_add derives the address of a
 * later part of the same operand (far pointers, BOUND, descriptor tables).
 */
#include <stddef.h>

#include "cpu/x86/x86_helper.h"
#include "cpu/x86/x86_translate.h"
#include "cpu/x86/x86_util.h"

/* ---- segment classification ---- */

static unsigned seg_type(const X86Seg *sg) { return (sg->attr >> 8) & 0xf; }
static bool seg_is_code(const X86Seg *sg) { return seg_type(sg) & 8; }
static bool seg_expand_down(const X86Seg *sg) { return !seg_is_code(sg) && (seg_type(sg) & 4); }

uint32_t x86_segchk_hflags(const X86Cpu *env, uint32_t hflags)
{
    if (hflags & HF_CS64)
        return 0;
    bool prot = (hflags & HF_PE) && !(hflags & HF_VM);
    uint32_t bits = 0;
    for (int seg = 0; seg < X86_NB_SEGS; seg++) {
        const X86Seg *sg = &env->segs[seg];
        bool plain;
        if (!prot) {
            /* Real and v86 mode: no type checks, the cached limit applies. */
            plain = !seg_expand_down(sg);
        } else if (seg == R_CS) {
            /* CS always holds a code segment; writes through CS are refused
             * by the translator, reads need a readable one. */
            plain = seg_type(sg) & 2;
        } else {
            plain = (sg->attr & SEG_ATTR_P) && (sg->attr & SEG_ATTR_S) && !seg_is_code(sg)
                    && (seg_type(sg) & 2) && !seg_expand_down(sg);
        }
        if (!plain || sg->limit != 0xffffffffu)
            bits |= 1u << (HF_SEGCHK_SHIFT + seg);
        if (!plain)
            bits |= HF_SEGCHK_SLOW;
    }
    return bits;
}

int x86_seg_check(const X86Cpu *env, int seg, uint64_t off, int size, bool write)
{
    if ((env->hflags & HF_CS64) || seg < 0 || seg >= X86_NB_SEGS)
        return -1;
    const X86Seg *sg = &env->segs[seg];
    int fault = seg == R_SS ? X86_EXCP_SS : X86_EXCP_GP;
    bool prot = (env->hflags & HF_PE) && !(env->hflags & HF_VM);
    if (prot) {
        if (seg != R_CS && !(sg->attr & SEG_ATTR_P))
            return fault;                       /* null or unusable */
        if (seg_is_code(sg) ? (write || !(seg_type(sg) & 2)) : (write && !(seg_type(sg) & 2)))
            return fault;                       /* SDM Vol. 3A 5.4 */
    }
    uint64_t end = off + (uint64_t)(size > 0 ? size - 1 : 0);
    if (seg_expand_down(sg)) {
        /* valid offsets: limit + 1 .. FFFFh or FFFFFFFFh (the B flag) */
        uint64_t upper = (sg->attr & SEG_ATTR_DB) ? 0xffffffffu : 0xffffu;
        return off > sg->limit && end <= upper ? -1 : fault;
    }
    return end <= sg->limit ? -1 : fault;
}

void x86_seg_check_ra(X86Cpu *env, int seg, uint64_t off, int size, bool write, uintptr_t retaddr)
{
    int v = x86_seg_check(env, seg, off, size, write);
    if (v >= 0)
        x86_helper_raise_exception_ra(env, v, 0, retaddr);
}

void x86_helper_seg_check(X86Cpu *env, uint64_t seg_write, uint64_t off, uint64_t size)
{
    x86_seg_check_ra(env, (int)(seg_write & 0xff), off, (int)size, (seg_write >> 8) & 1, CPU_GETPC());
}

const IrHelper x86_helper_seg_check_def = {
    "seg_check", (void *)x86_helper_seg_check, 4, false, IR_I64,
    IR_CALL_NO_READ_GLOBALS | IR_CALL_NO_WRITE_GLOBALS | IR_CALL_MAY_RAISE,
};

/* ---- translator side ---- */

bool x86_seg_needs_check(const DisasX86 *s, int seg)
{
    if (s->code64 || seg < 0 || seg >= X86_NB_SEGS)
        return false;
    return ((s->flags >> (HF_SEGCHK_SHIFT + seg)) & 1) || (seg == R_CS && s->pe && !s->vm86);
}

static X86SegAddr *find_addr(DisasX86 *s, IrTempId addr)
{
    int n = s->nsegaddr < X86_SEGADDR_MAX ? s->nsegaddr : X86_SEGADDR_MAX;
    for (int i = 1; i <= n; i++) {
        X86SegAddr *e = &s->segaddr[(s->nsegaddr - i) % X86_SEGADDR_MAX];
        if (e->addr == addr)
            return e;
    }
    return NULL;
}

void x86_seg_note_addr(DisasX86 *s, IrTempId addr, int seg, IrTempId off)
{
    /* A private copy: the caller may reuse its offset temp. */
    IrTempId o = x86_tmp(s);
    ir_mov(s->ir, o, off);
    X86SegAddr *e = &s->segaddr[s->nsegaddr++ % X86_SEGADDR_MAX];
    e->addr = addr;
    e->off = o;
    e->seg = (int8_t)seg;
    e->checked = 0;
    e->checked_write = false;
}

/* The address that makes the access fault with the segment's exception. */
static IrTempId fault_addr(DisasX86 *s, int seg)
{
    return x86_const(s, (int64_t)(X86_SEG_FAULT_ADDR | (seg == R_SS ? X86_SEG_FAULT_SS : 0)));
}

IrTempId x86_gen_check_addr(DisasX86 *s, IrTempId addr, int size, bool write)
{
    X86SegAddr *e = find_addr(s, addr);
    if (!e)
        return addr;
    if (write && e->seg == R_CS && s->pe && !s->vm86)
        return fault_addr(s, R_CS);             /* code segments are never writable */
    if (!((s->flags >> (HF_SEGCHK_SHIFT + e->seg)) & 1))
        return addr;
    if (e->checked >= size && (e->checked_write || !write))
        return addr;                            /* an earlier access of this insn passed */
    IrTempId res = addr;
    if (s->flags & HF_SEGCHK_SLOW) {
        IrTempId args[4] = { x86_env(s), x86_const(s, e->seg | (write ? 0x100 : 0)), e->off, x86_const(s, size) };
        x86_gen_helper_call(s, &x86_helper_seg_check_def, -1, args, 4);
        e->checked_write = write;
    } else {
        IrTempId lim = x86_tmp(s), end = e->off;
        ir_ld(s->ir, lim, s->ir->env, (int32_t)offsetof(X86Cpu, segs[e->seg].limit), ir_memop(2, false, false, 0));
        if (size > 1) {
            end = x86_tmp(s);
            ir_binopi(s->ir, IR_add, end, e->off, size - 1);
        }
        res = x86_tmp(s);
        ir_movcond(s->ir, IR_COND_GTU, res, end, lim, fault_addr(s, e->seg), addr);
        e->checked_write = true;                /* plain segments are writable */
    }
    if (size > e->checked)
        e->checked = (uint8_t)size;
    return res;
}

IrTempId x86_gen_addr_add(DisasX86 *s, IrTempId addr, int64_t n)
{
    X86SegAddr *e = find_addr(s, addr);
    IrTempId t = x86_tmp(s);
    ir_binopi(s->ir, IR_add, t, addr, n);
    if (!s->code64)
        ir_unop(s->ir, IR_ext32u, t, t);
    if (e) {
        /* The offset is not wrapped: the later part lies past the end of
         * the operand, so crossing the limit faults (SDM Vol. 3A 5.3). */
        IrTempId off = x86_tmp(s);
        ir_binopi(s->ir, IR_add, off, e->off, n);
        x86_seg_note_addr(s, t, e->seg, off);
    }
    return t;
}
