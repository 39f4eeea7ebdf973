/*
 * Guest memory ops of the AArch64 backend (gld/gst): the inline softmmu
 * TLB fast path and the out-of-line slow paths emitted after the block
 * body.
 *
 * Fast path (x16/x17 are the code generator's scratch registers):
 *     ubfx  x16, addr, #TLB_PAGE_BITS, #TLB_BITS      index
 *     add   x16, x19, x16, lsl #5                     env + index * 32
 *     ldr   x17, [x16, #entry + addr_read/addr_write]
 *     and   t, addr, #page_mask     (or add t, addr, #size-1 first)
 *     cmp   t, x17
 *     b.ne  slow
 *     ldr   x16, [x16, #entry + addend]
 *     ldr/str data, [addr, x16]
 * The compared page keeps the low alignment bits for IR_MO_ALIGN, or is
 * the page of the last byte so a page-crossing access misses; any TLB_*
 * flag in the entry makes the compare fail. Slow path: call tlb_load_slow
 * / tlb_store_slow with retaddr = the fast path's continuation (inside the
 * guest instruction's code, for cpu_restore_state), preserving the
 * caller-saved registers that hold values, then branch back.
 *
 * The accesses are plain loads and stores: doppel runs one vCPU per
 * engine, and a single thread sees its own plain accesses in program
 * order, which is all the guest's memory model promises it (x86 TSO only
 * constrains what other CPUs observe).
 */
#include <stddef.h>

#include "cpu/host/aarch64/a64_int.h"
#include "cpu/tlb.h"

_Static_assert(sizeof(TlbEntry) == 32, "the TLB fast path scales the index by 32");

static A64Asm *as(NativeGen *g) { return &g->as; }

void native_isel_guest_mem(NativeGen *g, bool is_store)
{
    A64Asm *a = as(g);
    NativeMemAccess m = native_mem_begin(g, is_store);
    unsigned size = 1u << m.size_log2;
    int64_t entry = m.tlb_table;
    int64_t addend_off = (int64_t)offsetof(TlbEntry, addend);
    int raddr = m.addr, rdata = m.data, t0 = m.tmp;

    a64_bfm(a, 2, true, A64_TMP0, raddr, TLB_PAGE_BITS, TLB_PAGE_BITS + TLB_BITS - 1);
    a64_addsub_rr(a, true, false, false, A64_TMP0, A64_ENV_REG, A64_TMP0, A64_LSL, 5);
    if (entry < 0 || entry + addend_off > 32760) {
        a64_add_const(a, true, A64_TMP0, A64_TMP0, entry, A64_TMP1);
        entry = 0;
    }
    a64_load(a, 3, false, true, A64_TMP1, A64_TMP0, entry + m.cmp_off, A64_TMP1);

    uint64_t page_mask = TLB_PAGE_MASK;
    uint32_t enc;
    if ((m.memop & IR_MO_ALIGN) || size == 1) {
        if (m.memop & IR_MO_ALIGN) {
            page_mask |= size - 1;
        }
        a64_logic_imm(page_mask, true, &enc);
        a64_logic_ri(a, A64_AND, true, t0, raddr, enc);
    } else {
        a64_addsub_ri(a, true, false, false, t0, raddr, size - 1);
        a64_logic_imm(page_mask, true, &enc);
        a64_logic_ri(a, A64_AND, true, t0, t0, enc);
    }
    a64_addsub_rr(a, true, true, true, A64_ZR, t0, A64_TMP1, A64_LSL, 0);
    size_t branch = a64_bcond(a, A64_NE);
    a64_load(a, 3, false, true, A64_TMP0, A64_TMP0, entry + addend_off, A64_TMP1);
    if (is_store) {
        a64_store_rr(a, m.size_log2, rdata, raddr, A64_TMP0);
    } else {
        a64_load_rr(a, m.size_log2, (m.memop & IR_MO_SIGN) != 0, m.w, rdata, raddr, A64_TMP0);
    }
    native_mem_end(g, &m, branch, A64_REG_BIT(A64_TMP0) | A64_REG_BIT(A64_TMP1));
}

void native_host_slow_path(NativeGen *g, const NativeSlowPath *sp)
{
    A64Asm *a = as(g);
    int addr = sp->addr_reg, data = sp->data_reg;

    a64_bind(a, sp->branch, a->pos);
    for (int r = 0; r < 16; r++) {
        if (sp->save_regs & A64_REG_BIT(r)) {
            a64_store(a, 3, r, A64_SP, A64_SAVE_AREA + 8 * r, A64_TMP1);
        }
    }
    if (sp->is_store) {
        /* (env, vaddr, val, memop, retaddr) in x0-x4 */
        a64_mov(a, true, A64_TMP0, addr);
        a64_mov(a, true, A64_X2, data);
        a64_mov(a, true, A64_X1, A64_TMP0);
        a64_movi(a, false, A64_X3, sp->memop);
        a64_bind(a, a64_adr(a, A64_X4), sp->ret_pos);
    } else {
        /* (env, vaddr, memop, retaddr) in x0-x3 */
        a64_mov(a, true, A64_X1, addr);
        a64_movi(a, false, A64_X2, sp->memop);
        a64_bind(a, a64_adr(a, A64_X3), sp->ret_pos);
    }
    a64_mov(a, true, A64_X0, A64_ENV_REG);
    a64_call_abs(a, sp->is_store ? (uintptr_t)tlb_store_slow : (uintptr_t)tlb_load_slow, A64_TMP0);
    if (!sp->is_store) {
        unsigned size_log2 = sp->memop & IR_MO_SIZE;
        bool sign = (sp->memop & IR_MO_SIGN) != 0;
        if (size_log2 == 3 && sp->w) {
            a64_mov(a, true, data, A64_X0);
        } else {
            a64_ext(a, size_log2 > 2 ? 2 : size_log2, sign && size_log2 < 3, sp->w, data, A64_X0);
        }
    }
    for (int r = 0; r < 16; r++) {
        if (sp->save_regs & A64_REG_BIT(r)) {
            a64_load(a, 3, false, true, r, A64_SP, A64_SAVE_AREA + 8 * r, A64_TMP1);
        }
    }
    a64_bind(a, a64_b(a), sp->ret_pos);
}
