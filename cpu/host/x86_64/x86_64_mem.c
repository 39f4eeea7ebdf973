/*
 * Guest memory ops of the x86-64 backend (gld/gst): the inline softmmu TLB
 * fast path and the out-of-line slow paths emitted after the block body.
 *
 * Fast path: index the CpuTlb row of the memop's MMU with the page number,
 * compare the page of the access (keeping the low alignment bits for
 * IR_MO_ALIGN, or taking the page of the last byte so a page-crossing
 * access misses) with addr_read/addr_write (any TLB_* flag makes it
 * differ), and on a hit access [addr + addend]. Slow path: call
 * tlb_load_slow/tlb_store_slow with retaddr = the fast path's continuation
 * (inside the guest instruction's code, for cpu_restore_state), preserving
 * the caller-saved registers that hold values, then jump back.
 */
#include <stddef.h>

#include "cpu/host/x86_64/x86_64_int.h"
#include "cpu/tlb.h"

_Static_assert(sizeof(TlbEntry) == 32, "the TLB fast path scales the index by 32");

static X64Asm *as(NativeGen *g) { return &g->as; }

void native_isel_guest_mem(NativeGen *g, bool is_store)
{
    X64Asm *a = as(g);
    NativeMemAccess m = native_mem_begin(g, is_store);
    unsigned size = 1u << m.size_log2;
    int32_t entry = (int32_t)m.tlb_table;
    int raddr = m.addr, rdata = m.data, t0 = m.tmp;

    /* t0 = &table[mmu][index] - env - entry, i.e. index * 32 */
    x64_mov_rr(a, true, t0, raddr);
    x64_shift_ri(a, X64_SHR, true, t0, TLB_PAGE_BITS - 5);
    x64_alu_ri(a, X64_AND, false, t0, (int32_t)((TLB_SIZE - 1) << 5));
    /* r11 = the page to compare: alignment bits kept for IR_MO_ALIGN, the
     * last byte's page for unaligned multi-byte accesses (page crossing) */
    int32_t page_mask = (int32_t)TLB_PAGE_MASK;
    if ((m.memop & IR_MO_ALIGN) || size == 1) {
        x64_mov_rr(a, true, X64_TMP_REG, raddr);
        if (m.memop & IR_MO_ALIGN) {
            page_mask |= (int32_t)(size - 1);
        }
    } else {
        x64_lea(a, true, X64_TMP_REG, raddr, X64_NOREG, 0, (int32_t)(size - 1));
    }
    x64_alu_ri(a, X64_AND, true, X64_TMP_REG, page_mask);
    x64_op_mem(a, 0x3b | X64_P_W, X64_TMP_REG, X64_ENV_REG, t0, 0, entry + (int32_t)m.cmp_off);
    size_t jcc = x64_jcc32(a, X64_CC_NE);
    x64_load(a, 3, false, true, t0, X64_ENV_REG, t0, entry + (int32_t)offsetof(TlbEntry, addend));
    if (is_store) {
        x64_store(a, m.size_log2, rdata, raddr, t0, 0);
    } else {
        x64_load(a, m.size_log2, (m.memop & IR_MO_SIGN) != 0, m.w, rdata, raddr, t0, 0);
    }
    native_mem_end(g, &m, jcc, X64_REG_BIT(X64_TMP_REG));
}

void native_host_slow_path(NativeGen *g, const NativeSlowPath *sp)
{
    X64Asm *a = as(g);
    int nsaved = 0;

    x64_set_rel32(a, sp->branch, a->pos);
    for (int r = 0; r < X64_NB_REGS; r++) {
        if (sp->save_regs & X64_REG_BIT(r)) {
            x64_push(a, r);
            nsaved++;
        }
    }
    if (nsaved & 1) {
        x64_alu_ri(a, X64_SUB, true, X64_RSP, 8);   /* keep rsp 16-byte aligned */
    }
    int addr = sp->addr_reg, data = sp->data_reg;
    uintptr_t ret_rx = (uintptr_t)a->rx + sp->ret_pos;
    if (sp->is_store) {
        /* (env, vaddr, val, memop, retaddr) in rdi, rsi, rdx, rcx, r8 */
        if (addr == X64_RDX && data == X64_RSI) {
            x64_op_rr(a, 0x87 | X64_P_W, X64_RSI, X64_RDX);     /* xchg */
        } else if (data == X64_RSI) {
            x64_mov_rr(a, true, X64_RDX, data);
            x64_mov_rr(a, true, X64_RSI, addr);
        } else {
            x64_mov_rr(a, true, X64_RSI, addr);
            x64_mov_rr(a, true, X64_RDX, data);
        }
        x64_movi(a, false, X64_RCX, sp->memop, false);
        x64_op_rip(a, 0x8d | X64_P_W, X64_R8, ret_rx, 0);
    } else {
        /* (env, vaddr, memop, retaddr) in rdi, rsi, rdx, rcx */
        x64_mov_rr(a, true, X64_RSI, addr);
        x64_movi(a, false, X64_RDX, sp->memop, false);
        x64_op_rip(a, 0x8d | X64_P_W, X64_RCX, ret_rx, 0);
    }
    x64_mov_rr(a, true, X64_RDI, X64_ENV_REG);
    x64_call_abs(a, sp->is_store ? (uintptr_t)tlb_store_slow : (uintptr_t)tlb_load_slow, X64_TMP_REG);
    if (!sp->is_store) {
        unsigned size_log2 = sp->memop & IR_MO_SIZE;
        bool sign = (sp->memop & IR_MO_SIGN) != 0;
        if (size_log2 == 3 && sp->w) {
            x64_mov_rr(a, true, data, X64_RAX);
        } else {
            x64_ext(a, size_log2 > 2 ? 2 : size_log2, sign, sp->w, data, X64_RAX);
        }
    }
    if (nsaved & 1) {
        x64_alu_ri(a, X64_ADD, true, X64_RSP, 8);
    }
    for (int r = X64_NB_REGS - 1; r >= 0; r--) {
        if (sp->save_regs & X64_REG_BIT(r)) {
            x64_pop(a, r);
        }
    }
    x64_set_rel32(a, x64_jmp32(a), sp->ret_pos);
}
