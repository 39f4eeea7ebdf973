/*
 * x86 protected-mode segmentation (Intel SDM Vol. 3A ch. 3, 5, 7): reading
 * descriptors from the GDT/LDT, filling the hidden descriptor caches,
 * privilege checks of segment loads, the TSS stack pointers and I/O
 * permission bitmap, and the supervisor-mode ("implicit") memory accesses
 * descriptor-table code makes. The far transfers (JMP/CALL/RET/IRET) and
 * segment loads behind the x86_system.h hooks live in x86_seg.c and
 * x86_far.c; interrupt delivery is x86_excp.c.
 */
#ifndef DOPPEL_CPU_X86_X86_SEG_H
#define DOPPEL_CPU_X86_X86_SEG_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/x86/x86_cpu.h"

/* Descriptor type field values (SDM Vol. 3A Table 3-2 system types). */
enum {
    X86_DESC_TSS16_AVAIL = 1, X86_DESC_LDT = 2, X86_DESC_TSS16_BUSY = 3, X86_DESC_CALL16 = 4,
    X86_DESC_TASK_GATE = 5, X86_DESC_INT16 = 6, X86_DESC_TRAP16 = 7, X86_DESC_TSS32_AVAIL = 9,
    X86_DESC_TSS32_BUSY = 11, X86_DESC_CALL32 = 12, X86_DESC_INT32 = 14, X86_DESC_TRAP32 = 15,
};

/* Raw descriptor high-dword fields. */
static inline int x86_desc_type(uint32_t hi) { return (int)((hi >> 8) & 0xf); }
static inline bool x86_desc_s(uint32_t hi) { return hi & (1u << 12); }
static inline int x86_desc_dpl(uint32_t hi) { return (int)((hi >> 13) & 3); }
static inline bool x86_desc_p(uint32_t hi) { return hi & (1u << 15); }
/** Code segment (S = 1, type bit 3). */
static inline bool x86_desc_is_code(uint32_t hi) { return x86_desc_s(hi) && (hi & (1u << 11)); }
/** Conforming code segment. */
static inline bool x86_desc_conforming(uint32_t hi) { return x86_desc_is_code(hi) && (hi & (1u << 10)); }

/** Current privilege level. */
static inline int x86_cpl(const X86Cpu *env) { return (int)(env->hflags & HF_CPL_MASK); }

/** Supervisor-mode loads/stores of size 1/2/4/8 bytes at a linear address
 *  (descriptor tables, TSS, stacks of a privilege switch): MMU index
 *  mmu (X86_MMU_KERNEL for implicit accesses). Faults raise through
 *  retaddr (0: the state is already that of the faulting instruction). */
uint64_t x86_ld_mmu(X86Cpu *env, uint64_t lin, int size, int mmu, uintptr_t retaddr);
void x86_st_mmu(X86Cpu *env, uint64_t lin, int size, uint64_t val, int mmu, uintptr_t retaddr);

/** Read the 8-byte descriptor sel names (GDT or LDT by TI). Returns false if
 *  the selector lies beyond the table limit (or the LDT is unusable). */
bool x86_read_desc(X86Cpu *env, uint16_t sel, uint32_t *lo, uint32_t *hi, uintptr_t retaddr);
/** The upper 8 bytes of a 16-byte long-mode system descriptor; false if
 *  beyond the table limit. */
bool x86_read_desc_upper(X86Cpu *env, uint16_t sel, uint32_t *w2, uint32_t *w3, uintptr_t retaddr);
/** Linear address of sel's descriptor. */
uint64_t x86_desc_addr(const X86Cpu *env, uint16_t sel);
/** Fill a hidden segment cache from a descriptor (limit scaled by G). */
void x86_seg_cache_from_desc(X86Seg *s, uint16_t sel, uint32_t lo, uint32_t hi);
/** Set the accessed bit of sel's descriptor in memory if hi lacks it. */
void x86_set_desc_accessed(X86Cpu *env, uint16_t sel, uint32_t hi, uintptr_t retaddr);
/** Set the CPL (hflags bits 0..1); call x86_update_hflags afterwards. */
void x86_set_cpl(X86Cpu *env, int cpl);
/** Load a null selector into a data segment register (base/limit 0, not
 *  usable). In 64-bit mode SS keeps a usable DPL = RPL cache. */
void x86_load_null_seg(X86Cpu *env, int seg, uint16_t sel);

/** Stack of privilege level dpl from the current TSS (SDM Vol. 3A 7.2.1,
 *  7.7 for the 64-bit TSS: then *ss = 0). ext is the EXT bit for the #TS
 *  error code. */
void x86_tss_stack(X86Cpu *env, int dpl, uint16_t *ss, uint64_t *sp, int ext, uintptr_t retaddr);
/** RSP of IST slot ist (1..7) of the 64-bit TSS. */
uint64_t x86_tss_ist(X86Cpu *env, int ist, int ext, uintptr_t retaddr);
/** Validate a stack segment selector for a privilege switch to dpl and
 *  return its descriptor (#TS(ss) / #SS(ss) per SDM Vol. 3A 6.12.1). */
void x86_check_new_ss(X86Cpu *env, uint16_t ss, int dpl, uint32_t *lo, uint32_t *hi, int ext,
                      uintptr_t retaddr);
/** After a return to an outer level: null DS/ES/FS/GS whose descriptor
 *  DPL < the new CPL (data or non-conforming code), SDM RET/IRET. */
void x86_validate_data_segs(X86Cpu *env);

/** Port I/O permission (SDM Vol. 1 19.5): with PE and (CPL > IOPL or v86),
 *  every bit of ports port..port+size-1 in the TSS I/O bitmap must be 0,
 *  else #GP(0). */
void x86_check_io(X86Cpu *env, uint16_t port, int size, uintptr_t retaddr);
/** True if I/O at the current mode needs the bitmap check. */
bool x86_io_needs_check(const X86Cpu *env);

/** LLDT (SDM Vol. 2 LLDT): #GP(sel) unless an LDT descriptor; #NP if not present. */
void x86_load_ldt(X86Cpu *env, uint16_t sel, uintptr_t retaddr);
/** LTR: load TR from an available TSS descriptor and mark it busy. */
void x86_load_tr(X86Cpu *env, uint16_t sel, uintptr_t retaddr);

/** Hardware task switch (SDM Vol. 3A 7.3) to the TSS named by tss_sel
 *  (descriptor lo/hi) for a JMP (source 0), CALL/interrupt (1, nests:
 *  sets NT and the back link) or IRET (2). next_eip is saved in the old TSS. */
enum { X86_TASK_JMP, X86_TASK_CALL, X86_TASK_IRET };
void x86_task_switch(X86Cpu *env, uint16_t tss_sel, uint32_t lo, uint32_t hi, int source, uint64_t next_eip,
                     uintptr_t retaddr);

/** A stack being pushed to or popped from by C code: linear address =
 *  base + (sp & mask) (wrapping at 4 GiB unless mask is all ones). */
typedef struct X86Stack {
    uint64_t base, sp, mask;
    int mmu;
} X86Stack;
/** The current SS:rSP. */
void x86_stack_current(const X86Cpu *env, X86Stack *st);
/** A stack in segment cache ss (or flat 64-bit if long64) for privilege cpl. */
void x86_stack_of(X86Stack *st, const X86Seg *ss, uint64_t sp, bool long64, int cpl);
void x86_stk_push(X86Cpu *env, X86Stack *st, int size, uint64_t val, uintptr_t retaddr);
uint64_t x86_stk_pop(X86Cpu *env, X86Stack *st, int size, uintptr_t retaddr);
/** Write st->sp into rSP, keeping the bits above the stack width. */
void x86_stk_commit(X86Cpu *env, const X86Stack *st);

/** Raise excp with error code ec through retaddr (x86_util.h shorthand). */
_Noreturn void x86_seg_raise(X86Cpu *env, int excp, int ec, uintptr_t retaddr);

#endif
