/*
 * The x86 GuestArch: CPU reset (SDM Vol. 3A 9.1.1, Table 9-1), the TB key,
 * precise-state restore, the TLB fill without paging (A20 gate; the page
 * walk is a hook of x86_system.h), real-mode interrupt delivery through the
 * IVT (SDM Vol. 3A 20.1.4) for exceptions, INT n and the maskable interrupt
 * line, and the register dump.
 */
#include "cpu/x86/x86_cpu.h"
#include "cpu/x86/x87_helper.h"

#include <capstone/capstone.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "cpu/guest.h"
#include "cpu/x86/x86_excp.h"
#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x86_system.h"
#include "cpu/x86/x86_translate.h"
#include "cpu/x86/x86_util.h"
#include "machine/machine.h"

#define X86_DEFAULT_SIGNATURE 0x00000663u   /* family 6, model 6, stepping 3 */

/* ---- mode bits ---- */

void x86_update_hflags(X86Cpu *env)
{
    uint32_t h = env->hflags & (HF_CPL_MASK | HF_INHIBIT_IRQ);
    bool pe = env->cr[0] & X86_CR0_PE;
    bool vm = pe && (env->eflags & X86_VM);
    bool lma = env->efer & X86_EFER_LMA;
    if (!pe)
        h &= ~(uint32_t)HF_CPL_MASK;
    else if (vm)
        h |= 3;
    if (pe)
        h |= HF_PE;
    if (vm)
        h |= HF_VM;
    if (lma)
        h |= HF_LMA;
    bool cs64 = lma && !vm && (env->segs[R_CS].attr & SEG_ATTR_L);
    if (cs64) {
        h |= HF_CS64 | HF_CS32 | HF_SS32;
    } else if (!vm) {
        if (env->segs[R_CS].attr & SEG_ATTR_DB)
            h |= HF_CS32;
        if (env->segs[R_SS].attr & SEG_ATTR_DB)
            h |= HF_SS32;
    }
    if (!cs64 && (!pe || vm || (env->segs[R_DS].base | env->segs[R_ES].base | env->segs[R_SS].base) != 0))
        h |= HF_ADDSEG;
    if (env->eflags & X86_TF)
        h |= HF_TF;
    h |= x86_segchk_hflags(env, h);
    h |= (uint32_t)((env->eflags >> 12) & 3) << HF_IOPL_SHIFT;
    if (env->cr[4] & X86_CR4_OSFXSR)
        h |= HF_OSFXSR;
    if (env->cr[0] & X86_CR0_EM)
        h |= HF_EM;
    if (env->cr[0] & X86_CR0_TS)
        h |= HF_TS;
    if (env->cr[0] & X86_CR0_MP)
        h |= HF_MP;
    env->hflags = h;
}

void x86_set_a20(X86Cpu *env, bool enabled)
{
    if (env->a20_enabled == enabled)
        return;
    env->a20_enabled = enabled;
    tlb_flush(&env->common);
}

/* ---- GuestArch hooks ---- */

static void x86_init_ir(CpuCommon *cpu, IrContext *ir)
{
    static const char *const names[16] = {
        "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
    };
    (void)cpu;
    for (int i = 0; i < 16; i++)
        ir_global(ir, IR_I64, (int32_t)(offsetof(X86Cpu, regs) + 8 * (size_t)i), names[i]);
    ir_global(ir, IR_I64, (int32_t)offsetof(X86Cpu, rip), "rip");
    ir_global(ir, IR_I64, (int32_t)offsetof(X86Cpu, cc_dst), "cc_dst");
    ir_global(ir, IR_I64, (int32_t)offsetof(X86Cpu, cc_src), "cc_src");
    ir_global(ir, IR_I64, (int32_t)offsetof(X86Cpu, cc_src2), "cc_src2");
    ir_global(ir, IR_I32, (int32_t)offsetof(X86Cpu, cc_op), "cc_op");
}

static void set_seg(X86Seg *s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t attr)
{
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->attr = attr;
}

/* Power-on / RESET state, SDM Vol. 3A 9.1.1 Table 9-1. */
static void x86_reset(CpuCommon *cpu)
{
    X86Cpu *env = x86_cpu(cpu);
    int (*get_vec)(void *) = env->get_intr_vector;
    void *intr_opaque = env->intr_opaque;
    uint32_t sig = env->cpuid_signature ? env->cpuid_signature : X86_DEFAULT_SIGNATURE;
    memset((char *)env + sizeof(CpuCommon), 0, offsetof(X86Cpu, tlb) - sizeof(CpuCommon));
    env->get_intr_vector = get_vec;
    env->intr_opaque = intr_opaque;
    env->cpuid_signature = sig;

    env->regs[R_EDX] = sig;
    env->rip = 0xfff0;
    env->eflags = 2;
    env->cc_op = CC_OP_EFLAGS;
    env->df = 1;
    env->cr[0] = 0x60000010;           /* CD, NW, ET */
    const uint32_t data = SEG_ATTR_P | SEG_ATTR_S | (0x3u << 8);   /* present, R/W, accessed */
    set_seg(&env->segs[R_CS], 0xf000, 0xffff0000u, 0xffff, SEG_ATTR_P | SEG_ATTR_S | (0xbu << 8));
    for (int i = 0; i < X86_NB_SEGS; i++)
        if (i != R_CS)
            set_seg(&env->segs[i], 0, 0, 0xffff, data);
    set_seg(&env->ldt, 0, 0, 0xffff, SEG_ATTR_P | (0x2u << 8));
    set_seg(&env->tr, 0, 0, 0xffff, SEG_ATTR_P | (0xbu << 8));
    env->gdt.limit = env->idt.limit = 0xffff;
    env->dr[6] = 0xffff0ff0;
    env->dr[7] = 0x400;
    env->pat = 0x0007040600070406ull;
    env->mxcsr = 0x1f80;               /* SSE: all exceptions masked, round to nearest */
    env->apic_base = 0xfee00000u | 0x800 | 0x100;   /* enabled, BSP */
    env->a20_enabled = true;
    env->old_exception = -1;
    x87_reset(env);                    /* FNINIT state: FCW 037Fh, all tags empty */
    x86_update_hflags(env);

    cpu->halted = false;
    cpu->exception_index = -1;
    cpu->interrupt_request &= ~(uint32_t)(CPU_INTERRUPT_HARD | CPU_INTERRUPT_NMI);
    tlb_flush(cpu);
}

static void x86_tb_key(CpuCommon *cpu, uint64_t *pc, uint64_t *cs_base, uint32_t *flags, int *mmu_idx)
{
    X86Cpu *env = x86_cpu(cpu);
    *cs_base = env->segs[R_CS].base;
    *pc = *cs_base + env->rip;
    if (!(env->hflags & HF_CS64))
        *pc &= 0xffffffffu;
    *flags = env->hflags;
    *mmu_idx = x86_data_mmu_idx(env);
}

static void x86_restore_state(CpuCommon *cpu, const TranslationBlock *tb, const uint64_t *data)
{
    X86Cpu *env = x86_cpu(cpu);
    (void)tb;
    env->rip = data[0];
    if (data[1] != CC_OP_DYNAMIC)
        env->cc_op = (uint32_t)data[1];
}

static bool x86_tlb_fill(CpuCommon *cpu, uint64_t vaddr, int size, MmuAccess access, int mmu_idx, bool probe,
                         uintptr_t retaddr)
{
    X86Cpu *env = x86_cpu(cpu);
    if (x86_is_seg_fault_addr(vaddr)) {
        /* A data access that failed its segment check (x86_seglimit.c). */
        if (probe)
            return false;
        x86_helper_raise_exception_ra(env, (vaddr & X86_SEG_FAULT_SS) ? X86_EXCP_SS : X86_EXCP_GP, 0, retaddr);
    }
    if (env->cr[0] & X86_CR0_PG)
        return x86_tlb_fill_paging(env, vaddr, size, (int)access, mmu_idx, probe, retaddr);
    /* No paging: linear = physical, 32 bits wide (SDM Vol. 3A 4.1.1), with
     * the A20 gate applied. */
    uint64_t paddr = vaddr & 0xffffffffu;
    if (!env->a20_enabled)
        paddr &= ~(1ull << 20);
    tlb_set_page(cpu, vaddr & TLB_PAGE_MASK, paddr & TLB_PAGE_MASK, PROT_R | PROT_W | PROT_X, mmu_idx);
    return true;
}

static void x86_unaligned(CpuCommon *cpu, uint64_t vaddr, MmuAccess access, int mmu_idx, uintptr_t retaddr)
{
    /* x86 translated code never asks for alignment checks (AC is not
     * implemented): nothing to raise. */
    (void)cpu; (void)vaddr; (void)access; (void)mmu_idx; (void)retaddr;
}

/* ---- interrupts ---- */

static void triple_fault(X86Cpu *env)
{
    log_printf(env->common.log, LOG_int | LOG_guest_errors, "x86: triple fault, resetting\n");
    if (env->common.machine)
        machine_request_stop(env->common.machine, STOP_RESET, 0);
    env->common.halted = true;
    env->eflags &= ~(uint64_t)X86_IF;
    cpu_loop_exit(&env->common);
}

/* Real-address mode: IVT entry, push FLAGS, CS, IP (SDM Vol. 3A 20.1.4). */
static void deliver_real(X86Cpu *env, int vector, bool is_sw, uint64_t next_eip)
{
    for (int tries = 0; (uint64_t)vector * 4 + 3 > env->idt.limit; tries++) {
        if (tries == 2)
            triple_fault(env);
        vector = tries == 0 ? X86_EXCP_GP : X86_EXCP_DF;
        is_sw = false;
    }
    int mmu = x86_data_mmu_idx(env);
    uint64_t ivt = (env->idt.base + (uint64_t)vector * 4) & 0xffffffffu;
    uint64_t ip = cpu_ld(&env->common, ivt, ir_memop(1, false, false, (unsigned)mmu), 0);
    uint64_t cs = cpu_ld(&env->common, ivt + 2, ir_memop(1, false, false, (unsigned)mmu), 0);
    uint64_t ret = is_sw ? next_eip : env->rip;
    uint64_t sp = env->regs[R_ESP];
    /* A frame outside the SS limit raises #SS, which cannot be delivered
     * either: the processor shuts down (SDM Vol. 2 PUSH, "IA-32
     * Architecture Compatibility"; Vol. 3A 6.15 #DF). */
    uint64_t sp_mask = (env->hflags & HF_SS32) ? 0xffffffffu : 0xffffu;
    for (int i = 1; i <= 3; i++)
        if (x86_seg_check(env, R_SS, (sp - 2u * (unsigned)i) & sp_mask, 2, true) >= 0)
            triple_fault(env);
    sp = x86_stack_push(env, sp, 2, x86_get_eflags(env), 0);
    sp = x86_stack_push(env, sp, 2, env->segs[R_CS].selector, 0);
    sp = x86_stack_push(env, sp, 2, ret, 0);
    x86_set_sp(env, sp);
    x86_load_seg_real(env, R_CS, (uint16_t)cs);
    env->rip = ip;
    x86_set_eflags(env, 0, X86_IF | X86_TF | X86_AC | X86_RF);
    x86_update_hflags(env);
}

void x86_deliver_interrupt(X86Cpu *env, int vector, bool is_sw, int error_code, bool has_error_code,
                           uint64_t next_eip)
{
    log_printf(env->common.log, LOG_int, "x86: %s 0x%02x at %04x:%08" PRIx64 "\n",
               is_sw ? "int" : "vector", vector, env->segs[R_CS].selector, env->rip);
    env->common.halted = false;
    env->hflags &= ~(uint32_t)HF_INHIBIT_IRQ;
    if (!(env->hflags & HF_PE))
        deliver_real(env, vector, is_sw, next_eip);
    else
        x86_do_interrupt_protected(env, vector, is_sw, error_code, has_error_code, next_eip);
}

static void x86_do_interrupt(CpuCommon *cpu)
{
    X86Cpu *env = x86_cpu(cpu);
    int excp = cpu->exception_index;
    cpu->exception_index = -1;
    if (excp == X86_EXCP_HLT) {
        cpu->halted = true;
        return;
    }
    bool ec = env->has_error_code;
    env->has_error_code = false;
    if (excp == X86_EXCP_SWINT)
        x86_deliver_interrupt(env, env->exception_vector, true, 0, false, env->next_rip);
    else if (excp >= 0 && excp < 32) {
        int code = env->error_code;
        if (env->hflags & HF_PE)        /* #DF / triple-fault rules (x86_excp.c) */
            excp = x86_excp_check_nested(env, excp, &code, &ec);
        x86_deliver_interrupt(env, excp, false, code, ec, env->rip);
        env->old_exception = -1;
    } else
        log_printf(cpu->log, LOG_guest_errors, "x86: unknown exception index %d\n", excp);
}

static bool x86_exec_interrupt(CpuCommon *cpu)
{
    X86Cpu *env = x86_cpu(cpu);
    if (env->hflags & HF_INHIBIT_IRQ)
        return false;
    if ((cpu->interrupt_request & CPU_INTERRUPT_NMI) && !env->nmi_blocked) {
        cpu_reset_interrupt(cpu, CPU_INTERRUPT_NMI);
        env->nmi_blocked = true;
        x86_deliver_interrupt(env, X86_EXCP_NMI, false, 0, false, 0);
        return true;
    }
    if ((cpu->interrupt_request & CPU_INTERRUPT_HARD) && (env->eflags & X86_IF)) {
        int v = env->get_intr_vector ? env->get_intr_vector(env->intr_opaque) : -1;
        if (v < 0 || v > 255)
            return false;
        x86_deliver_interrupt(env, v, false, 0, false, 0);
        return true;
    }
    return false;
}

static bool x86_has_work(CpuCommon *cpu)
{
    X86Cpu *env = x86_cpu(cpu);
    return ((cpu->interrupt_request & CPU_INTERRUPT_HARD) && (env->eflags & X86_IF))
           || ((cpu->interrupt_request & CPU_INTERRUPT_NMI) && !env->nmi_blocked);
}

/* ---- debugging ---- */

static const char *cc_op_name(uint32_t op)
{
    static const char *const groups[] = { "ADD", "ADC", "SUB", "SBB", "LOGIC", "INC", "DEC", "SHL", "SAR", "MUL" };
    if (op == CC_OP_DYNAMIC)
        return "DYNAMIC";
    if (op == CC_OP_EFLAGS)
        return "EFLAGS";
    unsigned k = (op - CC_OP_ADDB) / 4;
    return op < CC_OP_NB && k < sizeof(groups) / sizeof(groups[0]) ? groups[k] : "?";
}

static void dump_seg(FILE *f, const char *name, const X86Seg *s)
{
    fprintf(f, "%-3s=%04x %016" PRIx64 " %08x %08x\n", name, s->selector, s->base, s->limit, s->attr);
}

static void x86_dump_state(CpuCommon *cpu, FILE *f)
{
    static const char *const seg_names[X86_NB_SEGS] = { "ES", "CS", "SS", "DS", "FS", "GS" };
    X86Cpu *env = x86_cpu(cpu);
    uint64_t fl = x86_get_eflags(env);
    if (env->hflags & HF_LMA) {
        static const char *const r64[16] = { "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                             "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15" };
        for (int i = 0; i < 16; i++)
            fprintf(f, "%-3s=%016" PRIx64 "%s", r64[i], env->regs[i], (i % 4 == 3) ? "\n" : " ");
        fprintf(f, "RIP=%016" PRIx64 " RFL=%08" PRIx64, env->rip, fl);
    } else {
        fprintf(f, "EAX=%08" PRIx64 " EBX=%08" PRIx64 " ECX=%08" PRIx64 " EDX=%08" PRIx64 "\n",
                env->regs[R_EAX] & 0xffffffffu, env->regs[R_EBX] & 0xffffffffu,
                env->regs[R_ECX] & 0xffffffffu, env->regs[R_EDX] & 0xffffffffu);
        fprintf(f, "ESI=%08" PRIx64 " EDI=%08" PRIx64 " EBP=%08" PRIx64 " ESP=%08" PRIx64 "\n",
                env->regs[R_ESI] & 0xffffffffu, env->regs[R_EDI] & 0xffffffffu,
                env->regs[R_EBP] & 0xffffffffu, env->regs[R_ESP] & 0xffffffffu);
        fprintf(f, "EIP=%08" PRIx64 " EFL=%08" PRIx64, env->rip & 0xffffffffu, fl);
    }
    fprintf(f, " [%c%c%c%c%c%c%c] CPL=%u II=%d A20=%d HLT=%d\n",
            (fl & X86_DF) ? 'D' : '-', (fl & X86_OF) ? 'O' : '-', (fl & X86_SF) ? 'S' : '-',
            (fl & X86_ZF) ? 'Z' : '-', (fl & X86_AF) ? 'A' : '-', (fl & X86_PF) ? 'P' : '-',
            (fl & X86_CF) ? 'C' : '-', env->hflags & HF_CPL_MASK, !!(env->hflags & HF_INHIBIT_IRQ),
            env->a20_enabled, cpu->halted);
    for (int i = 0; i < X86_NB_SEGS; i++)
        dump_seg(f, seg_names[i], &env->segs[i]);
    dump_seg(f, "LDT", &env->ldt);
    dump_seg(f, "TR", &env->tr);
    fprintf(f, "GDT=     %016" PRIx64 " %08x\n", env->gdt.base, env->gdt.limit);
    fprintf(f, "IDT=     %016" PRIx64 " %08x\n", env->idt.base, env->idt.limit);
    fprintf(f, "CR0=%08" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08" PRIx64 "\n",
            env->cr[0], env->cr[2], env->cr[3], env->cr[4]);
    fprintf(f, "DR6=%016" PRIx64 " DR7=%016" PRIx64 "\n", env->dr[6], env->dr[7]);
    uint32_t op = env->cc_op;
    int sz = op < CC_OP_NB ? x86_cc_op_size((X86CcOp)op) : 0;
    fprintf(f, "CCS=%016" PRIx64 " CCD=%016" PRIx64 " CCO=%s%s\n", env->cc_src, env->cc_dst, cc_op_name(op),
            sz == 1 ? "B" : sz == 2 ? "W" : sz == 4 ? "L" : sz == 8 ? "Q" : "");
    fprintf(f, "EFER=%016" PRIx64 "\n", env->efer);
}

static void x86_disas_mode(uint32_t flags, int *cs_arch, int *cs_mode)
{
    *cs_arch = CS_ARCH_X86;
    *cs_mode = (flags & HF_CS64) ? CS_MODE_64 : (flags & HF_CS32) ? CS_MODE_32 : CS_MODE_16;
}

const GuestArch x86_guest = {
    .name = "x86",
    .env_size = sizeof(X86Cpu),
    .tlb_offset = offsetof(X86Cpu, tlb),
    .disas_size = sizeof(DisasX86),
    .mmu_modes = X86_MMU_MODES,
    .init_ir = x86_init_ir,
    .reset = x86_reset,
    .tb_key = x86_tb_key,
    .tb_start = x86_tr_tb_start,
    .insn_start = x86_tr_insn_start,
    .translate_insn = x86_tr_translate_insn,
    .tb_stop = x86_tr_tb_stop,
    .restore_state = x86_restore_state,
    .tlb_fill = x86_tlb_fill,
    .unaligned = x86_unaligned,
    .exec_interrupt = x86_exec_interrupt,
    .do_interrupt = x86_do_interrupt,
    .has_work = x86_has_work,
    .dump_state = x86_dump_state,
    .disas_mode = x86_disas_mode,
};
