/*
 * The x86 translator: decoded instructions (x86_decode.h) to IR (cpu/ir).
 *
 * One DisasX86 lives for the translation of one block. Each opcode of
 * x86_opcodes.def names a handler `void x86_gen_xxx(DisasX86 *s, X86Insn *in)`
 * (prototypes below, generated from the .def); handlers are spread over
 * x86_gen_*.c files by topic. A handler emits IR for one instruction using
 * the operand, address, flag and control-flow helpers declared here.
 *
 * Conventions for handlers:
 *  - All guest integer values are handled in IR_I64 temps. Sizes are in
 *    bytes (1, 2, 4, 8) like X86Insn.opsize.
 *  - Do every access that may fault (memory, helpers that raise) before
 *    writing guest registers or the cc_* globals, so a fault leaves the
 *    instruction undone (restore_state puts back rip and cc_op).
 *  - Set flags with x86_gen_set_cc (lazy); read them with x86_gen_prepare_cc,
 *    x86_gen_compute_cf or x86_gen_compute_eflags.
 *  - Temps from ir_temp die at the next label or branch; values that must
 *    survive one use ir_temp_local.
 *  - An instruction that leaves the block sets s->base.is_jmp to
 *    DISAS_NORETURN after emitting its exit (x86_gen_jmp_to /
 *    x86_gen_jmp_indirect / x86_gen_exception do this), or asks for the
 *    block to end after it with X86_DISAS_EOB_NEXT (state changed that the
 *    block key or interrupt check depends on: rip is stored, then the block
 *    returns to the engine).
 */
#ifndef DOPPEL_CPU_X86_X86_TRANSLATE_H
#define DOPPEL_CPU_X86_X86_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/guest.h"
#include "cpu/ir/ir.h"
#include "cpu/x86/x86_cpu.h"
#include "cpu/x86/x86_decode.h"
#include "cpu/x86/x86_flags.h"

/* Guest-specific is_jmp values. */
enum {
    X86_DISAS_EOB_NEXT = DISAS_GUEST,   /* end the block after this insn, return to the engine */
};

/* A linear-address temp made by x86_gen_seg_addr for a segment that needs
 * checks, remembered for the rest of the instruction (x86_seglimit.c). */
typedef struct X86SegAddr {
    IrTempId addr, off;         /* the linear address and its offset in the segment */
    int8_t seg;
    uint8_t checked;            /* largest access size already checked (0: none) */
    bool checked_write;         /* that check also covered writing */
} X86SegAddr;
enum { X86_SEGADDR_MAX = 16 };

typedef struct DisasX86 {
    DisasBase base;             /* must be first */
    IrContext *ir;

    /* mode of this block (from tb->flags = hflags) */
    uint32_t flags;
    uint64_t cs_base;
    X86CodeMode code_mode;      /* default operand/address size of CS */
    int mmu_idx;                /* X86_MMU_* for data accesses */
    int stack_size;             /* 2, 4 or 8: SP width */
    bool pe, vm86, lma, code64, addseg;
    int cpl;

    /* the instruction being translated */
    uint64_t eip;               /* its offset in CS (rip) */
    uint64_t next_eip;          /* offset of the next insn */

    /* lazy flags known at translation time */
    X86CcOp cc_op;              /* CC_OP_DYNAMIC: only env->cc_op knows */
    bool cc_op_dirty;           /* cc_op differs from env->cc_op: store before leaving/helpers */

    /* end-of-block bookkeeping */
    bool inhibit_irq_at_entry;  /* block started in an STI/MOV SS shadow */
    bool set_inhibit_irq;       /* this insn starts an interrupt shadow (with X86_DISAS_EOB_NEXT) */
    bool no_chain;              /* exits return to the engine (shadow, single-step) */
    int popl_esp_hack;          /* added to disp when ESP is the base (POP Ev) */
    X86SegAddr segaddr[X86_SEGADDR_MAX];    /* ring of checked addresses of this insn */
    int nsegaddr;

    /* IR globals (declared by x86_guest.init_ir) */
    IrTempId cpu_regs[16];
    IrTempId cpu_rip;
    IrTempId cpu_cc_dst, cpu_cc_src, cpu_cc_src2;
    IrTempId cpu_cc_op;         /* i32 */
} DisasX86;

/* ---- handler prototypes (one per distinct handler in the .def) ---- */
#define X86_OPC(map, opc, mnem, handler, a, b, c, fl) void handler(DisasX86 *s, X86Insn *in);
#include "cpu/x86/x86_opcodes.def"
#undef X86_OPC
/** Group 3 /4../7 (MUL, IMUL, DIV, IDIV of F6/F7): called by x86_gen_grp3. */
void x86_gen_muldiv(DisasX86 *s, X86Insn *in);

/* ---- small utilities ---- */

/** A fresh i64 temp (dies at the next label/branch) / living to block end. */
IrTempId x86_tmp(DisasX86 *s);
IrTempId x86_tmp_local(DisasX86 *s);
/** An i64 constant temp. */
IrTempId x86_const(DisasX86 *s, int64_t v);
/** Mask with the low size bytes set (size 8 = all ones). */
static inline uint64_t x86_size_mask(int size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}
/** d = a zero-/sign-extended from size bytes (d may equal a). */
void x86_gen_ext(DisasX86 *s, IrTempId d, IrTempId a, int size, bool sign);

/* ---- registers ---- */

/** A new temp holding register reg (0..15) of the given size, zero-extended.
 *  For size 1 without REX, reg 4..7 means AH, CH, DH, BH. */
IrTempId x86_gen_get_reg(DisasX86 *s, X86Insn *in, int size, int reg);
/** Write val to register reg with the x86 size rules: 4-byte writes
 *  zero-extend to 64 bits, 1- and 2-byte writes merge into the old value
 *  (AH..BH for size 1 without REX, reg 4..7), 8-byte writes replace. */
void x86_gen_set_reg(DisasX86 *s, X86Insn *in, int size, int reg, IrTempId val);

/* ---- addresses and memory ---- */

/** Offset part of the ModRM memory operand (base + index*scale + disp, or
 *  RIP-relative), truncated to the address size. What LEA computes. */
IrTempId x86_gen_ea_offset(DisasX86 *s, X86Insn *in);
/** Linear address of offset in segment seg (R_ES..R_GS): adds the segment
 *  base when the mode needs it (always for FS/GS and overrides; DS/ES/SS
 *  only with HF_ADDSEG; never for ES/CS/SS/DS in 64-bit mode) and
 *  truncates to 32 bits outside 64-bit mode. offset must already be
 *  truncated to its address size. */
IrTempId x86_gen_seg_addr(DisasX86 *s, int seg, IrTempId offset);
/** Linear address of the ModRM memory operand (segment override honoured). */
IrTempId x86_gen_ea(DisasX86 *s, X86Insn *in);
/** The segment a data access of in uses for default segment def_seg. */
static inline int x86_insn_seg(const X86Insn *in, int def_seg)
{
    return in->seg != X86_SEG_NONE ? in->seg : def_seg;
}
/** True if data accesses through seg need limit/type checks in this block
 *  (hflags HF_SEGCHK_*; CS in protected mode always, it is not writable). */
bool x86_seg_needs_check(const DisasX86 *s, int seg);
/** Remember that linear-address temp addr is seg:off (x86_gen_seg_addr
 *  does this for checked segments; off is copied). */
void x86_seg_note_addr(DisasX86 *s, IrTempId addr, int seg, IrTempId off);
/** The address to use for an access of size bytes at addr: addr itself,
 *  or (for a checked segment) one that faults with #GP(0)/#SS(0) when the
 *  access is outside the segment limit or not allowed by its type (SDM
 *  Vol. 3A 5.3, 5.4). x86_gen_ld/x86_gen_st call it; handlers that pass an
 *  address to a C helper call it themselves. */
IrTempId x86_gen_check_addr(DisasX86 *s, IrTempId addr, int size, bool write);
/** Linear address n bytes after addr in the same segment (the later part
 *  of one memory operand: far pointer selector, BOUND's upper bound); the
 *  offset is not wrapped, so the operand crossing the limit faults. */
IrTempId x86_gen_addr_add(DisasX86 *s, IrTempId addr, int64_t n);
/** Guest memory load of size bytes (zero-extended, or sign-extended) at
 *  linear address addr with this block's MMU index. */
IrTempId x86_gen_ld(DisasX86 *s, int size, IrTempId addr, bool sign);
/** Guest memory store of the low size bytes of val at linear addr. */
void x86_gen_st(DisasX86 *s, int size, IrTempId val, IrTempId addr);

/** Value of the ModRM r/m operand (register or memory) of size bytes,
 *  zero-extended. If it is memory and addr_out is not NULL, *addr_out gets
 *  the linear address (a plain temp: valid for x86_gen_store_rm in the same
 *  basic block);
 *  for a register, *addr_out = -1. */
IrTempId x86_gen_load_rm(DisasX86 *s, X86Insn *in, int size, IrTempId *addr_out);
/** Write the ModRM r/m operand: register, or memory at addr (from
 *  x86_gen_load_rm; pass -1 to compute the address here). */
void x86_gen_store_rm(DisasX86 *s, X86Insn *in, int size, IrTempId val, IrTempId addr);

/* ---- stack (SS, with the stack width of the block) ---- */

/** Push val (size bytes): stores at SS:(SP - size), then updates SP. */
void x86_gen_push_val(DisasX86 *s, X86Insn *in, int size, IrTempId val);
/** Load the value on top of the stack (size bytes) without changing SP. */
IrTempId x86_gen_pop_peek(DisasX86 *s, X86Insn *in, int size);
/** SP += n (wrapping at the stack width). */
void x86_gen_sp_add(DisasX86 *s, X86Insn *in, int64_t n);
/** Linear address of SS:(SP + off) (stack width applied). */
IrTempId x86_gen_stack_addr(DisasX86 *s, X86Insn *in, IrTempId sp, int64_t off);

/* ---- lazy flags ---- */

/** Record the static cc_op (the global is written lazily). */
void x86_set_cc_op(DisasX86 *s, X86CcOp op);
/** Store a pending static cc_op into the cc_op global (before helpers that
 *  read EFLAGS, and at block exits). */
void x86_gen_sync_cc_op(DisasX86 *s);
/** Set the lazy flag state: cc_dst = dst, cc_src = src, cc_src2 = src2
 *  (pass -1 to leave one unchanged) and cc_op = op. */
void x86_gen_set_cc(DisasX86 *s, X86CcOp op, IrTempId dst, IrTempId src, IrTempId src2);
/** A temp holding the six arithmetic flags in EFLAGS positions. */
IrTempId x86_gen_compute_eflags(DisasX86 *s);
/** A temp holding CF (0 or 1). */
IrTempId x86_gen_compute_cf(DisasX86 *s);
/** Switch the lazy state to CC_OP_EFLAGS (cc_src = the six flags). */
void x86_gen_materialize_eflags(DisasX86 *s);

/** A condition as IR compare operands: true iff (a cond b). */
typedef struct X86CondExpr {
    IrCond cond;
    IrTempId a, b;              /* i64 temps (may be constants) */
} X86CondExpr;
/** The condition of Jcc/SETcc/CMOVcc code cc (0..15, SDM Vol. 1 B.1:
 *  O NO B AE E NE BE A S NS P NP L GE LE G), computed in IR directly from
 *  the lazy state when cc_op is known (SUB/CMP, ADD, LOGIC, INC/DEC,
 *  EFLAGS), else from the flags helper. */
X86CondExpr x86_gen_prepare_cc(DisasX86 *s, int cc);

/* ---- control flow and exceptions ---- */

/** Store eip (an offset in CS) into the rip global. */
void x86_gen_set_rip(DisasX86 *s, uint64_t eip);
/** Jump to the constant eip: goto_tb chaining through slot 0 or 1 when the
 *  target is on the block's page, else via the jump cache. Ends the
 *  instruction's control flow (sets DISAS_NORETURN). */
void x86_gen_jmp_to(DisasX86 *s, uint64_t eip, int slot);
/** Jump to the eip in the temp (already truncated to the operand size). */
void x86_gen_jmp_indirect(DisasX86 *s, IrTempId eip);
/** Leave the block after a helper stored rip (and maybe CS) itself: through
 *  the jump cache, or back to the engine if to_engine (interrupt flag or
 *  mode may have changed). */
void x86_gen_eob_dynamic(DisasX86 *s, bool to_engine);
/** Load segment register seg with the selector in sel (low 16 bits):
 *  inline in real mode, else through x86_helper_load_seg. The caller ends
 *  the block if the mode bits may change (protected mode, SS). */
void x86_gen_load_seg(DisasX86 *s, int seg, IrTempId sel);
/** Raise exception excp (X86_EXCP_*) at the current instruction (rip = its
 *  start) and end the block. error_code < 0: none. */
void x86_gen_exception(DisasX86 *s, int excp, int error_code);
/** Call a helper with cc_op synced first (the helper may read EFLAGS or
 *  raise). ret may be -1. */
void x86_gen_helper_call(DisasX86 *s, const IrHelper *h, IrTempId ret, const IrTempId *args, int nargs);
/** The env pointer temp (first argument of most helpers). */
static inline IrTempId x86_env(DisasX86 *s) { return s->ir->env; }

/** #UD if in->mod == 3 (operand must be memory); returns false then. */
bool x86_require_mem(DisasX86 *s, X86Insn *in);

/* ---- the GuestArch translation hooks (x86_guest in x86_cpu.c) ---- */
void x86_tr_tb_start(DisasBase *db);
void x86_tr_insn_start(DisasBase *db);
void x86_tr_translate_insn(DisasBase *db);
void x86_tr_tb_stop(DisasBase *db);

#endif
