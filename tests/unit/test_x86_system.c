/*
 * Unit tests of the x86 system architecture (cpu/x86/x86_seg.c, x86_far.c,
 * x86_excp.c, x86_mmu.c, x86_helper_system.c, x86_gen_system.c): small
 * guest programs, hand-assembled (x86_system_progs.h: the nasm source is
 * next to each byte array), run through the engine on every backend of
 * this host (Check loop index = backend: 0 interpreter, 1 native).
 *
 * Every program starts in real mode at 0000:7C00 with a common prologue
 * that loads the GDT and IDT built by the test, sets CR0.PE and far-jumps
 * to a 32-bit code segment (what SeaBIOS and boot loaders do first), then
 * jumps to the test's own code at 0x8000. Exceptions go through 32-bit
 * interrupt gates (or 64-bit ones in long mode) to a stub that records the
 * vector, error code, faulting EIP and CR2 at 0x5000..0x500c and halts.
 * Expected values follow Intel SDM Vol. 3A (sections cited per test).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine.h"
#include "cpu/x86/x86_cpu.h"
#include "cpu/x86/x86_flags.h"
#include "tests/unit/x86_system_progs.h"

#define RAM_SIZE (16u << 20)

/* results written by the guest */
#define RES_VECTOR 0x5000
#define RES_ERRCODE 0x5004
#define RES_CR2 0x5008
#define RES_EIP 0x500c
#define NO_VECTOR 0xdeadbeefu

typedef struct SysRig {
    AddressSpace as;
    Engine *e;
    CpuCommon *cpu;
    X86Cpu *env;
    uint8_t *ram;
} SysRig;

static const HostBackend *backend_at(int i)
{
    return i == 0 ? &host_backend_interp : host_backend_native();
}

static int nbackends(void)
{
    return host_backend_native() ? 2 : 1;
}

static uint64_t rd(const SysRig *r, uint64_t addr, int size)
{
    uint64_t v = 0;
    for (int i = 0; i < size; i++)
        v |= (uint64_t)r->ram[addr + i] << (8 * i);
    return v;
}

static void wr(SysRig *r, uint64_t addr, uint64_t v, int size)
{
    for (int i = 0; i < size; i++)
        r->ram[addr + i] = (uint8_t)(v >> (8 * i));
}

static void load(SysRig *r, uint64_t addr, const uint8_t *bytes, size_t len)
{
    ck_assert_uint_le(addr + len, RAM_SIZE);
    memcpy(r->ram + addr, bytes, len);
}

/* The GDT at 0x1000 (SDM Vol. 3A 3.4.5, Figure 3-8). */
static const uint64_t gdt[] = {
    0,                          /* 0x00 null */
    0x00cf9a000000ffffull,      /* 0x08 code, 32-bit, flat */
    0x00cf92000000ffffull,      /* 0x10 data, flat */
    0x00409a0000000fffull,      /* 0x18 code, 32-bit, limit 0xfff (byte granular) */
    0x00af9a000000ffffull,      /* 0x20 code, 64-bit (L = 1) */
    0x00cf92000000ffffull,      /* 0x28 data, flat */
    0x00cffa000000ffffull,      /* 0x30 code, 32-bit, DPL 3 */
    0x00cff2000000ffffull,      /* 0x38 data, DPL 3 (SYSRET SS = STAR[63:48] + 8) */
    0x00affa000000ffffull,      /* 0x40 code, 64-bit, DPL 3 (SYSRET CS = STAR[63:48] + 16) */
    0x0000890040000088ull,      /* 0x48 32-bit TSS at 0x4000, limit 0x88 (I/O bitmap for ports 0-0xff) */
    0x0000890041000067ull,      /* 0x50 64-bit TSS at 0x4100 (16-byte descriptor, SDM Figure 7-4) */
    0,                          /* 0x58 its upper half: base 63:32 = 0 */
    0x0000ec0100088030ull,      /* 0x60 32-bit call gate, DPL 3, 1 parameter -> 0x08:0x8030 */
    0x0000890042000067ull,      /* 0x68 32-bit TSS of a second task at 0x4200 */
};
#define GDT_LIMIT (sizeof(gdt) - 1)

/* Memory: GDTR at 0x500, 32-bit IDTR at 0x510, 64-bit IDTR at 0x520, an
 * empty IDTR at 0x530, 32-bit TSS at 0x4000,
 * GDT 0x1000, IDT32 0x2000 (vectors 0-31 present), IDT64 0x3000, stubs 0x6000 (32) / 0x7000 (64),
 * prologue 0x7c00, test code 0x8000, stack below 0x9000. */
static void rig_init(SysRig *r, int backend, const uint8_t *code, size_t len)
{
    memset(r, 0, sizeof(*r));
    as_init(&r->as, "mem", 0);
    MemRegion *mr = as_add_ram(&r->as, "ram", 0, RAM_SIZE, NULL, 0);
    ck_assert_ptr_nonnull(mr);
    r->ram = mr->host;
    r->e = engine_create(&x86_guest, backend_at(backend), 4u << 20, &r->as, NULL);
    ck_assert_ptr_nonnull(r->e);
    r->cpu = engine_cpu_create(r->e, NULL, NULL);
    ck_assert_ptr_nonnull(r->cpu);
    r->env = x86_cpu(r->cpu);

    for (size_t i = 0; i < sizeof(gdt) / sizeof(gdt[0]); i++)
        wr(r, 0x1000 + 8 * i, gdt[i], 8);
    wr(r, 0x500, GDT_LIMIT, 2);
    wr(r, 0x502, 0x1000, 4);
    wr(r, 0x510, 256 * 8 - 1, 2);
    wr(r, 0x512, 0x2000, 4);
    wr(r, 0x520, 256 * 16 - 1, 2);
    wr(r, 0x522, 0x3000, 8);
    for (int v = 0; v < 32; v++) {
        /* 32-bit interrupt gate (type 0xE, P, DPL 0) to stub v, SDM Figure 6-2 */
        uint32_t off = 0x6000 + 16 * (uint32_t)v;
        wr(r, 0x2000 + 8 * (uint64_t)v, (0x08u << 16) | (off & 0xffff), 4);
        wr(r, 0x2004 + 8 * (uint64_t)v, (off & 0xffff0000u) | 0x8e00, 4);
        /* stub: mov dword [0x5000], v; jmp 0x6800 */
        uint8_t s32[15] = { 0xc7, 0x05, 0x00, 0x50, 0x00, 0x00, (uint8_t)v, 0, 0, 0, 0xe9 };
        uint32_t rel = 0x6800 - (off + 15);
        memcpy(s32 + 11, &rel, 4);
        load(r, off, s32, sizeof(s32));
        /* 64-bit interrupt gate (SDM Figure 6-8) to the 64-bit stub */
        uint32_t off64 = 0x7000 + 16 * (uint32_t)v;
        wr(r, 0x3000 + 16 * (uint64_t)v, (0x20u << 16) | (off64 & 0xffff), 4);
        wr(r, 0x3004 + 16 * (uint64_t)v, (off64 & 0xffff0000u) | 0x8e00, 4);
        uint8_t s64[16] = { 0xc7, 0x04, 0x25, 0x00, 0x50, 0x00, 0x00, (uint8_t)v, 0, 0, 0, 0xe9 };
        rel = 0x7800 - (off64 + 16);
        memcpy(s64 + 12, &rel, 4);
        load(r, off64, s64, sizeof(s64));
    }
    load(r, 0x6800, code_common32, sizeof(code_common32));
    load(r, 0x7800, code_common64, sizeof(code_common64));
    load(r, 0x7c00, code_prologue, sizeof(code_prologue));
    load(r, 0x8000, code, len);
    wr(r, RES_VECTOR, NO_VECTOR, 4);
    /* TSS (SDM Vol. 3A Figure 7-2): ESP0/SS0, I/O map base 0x68; the bitmap
     * denies port 0x81 only (SDM Vol. 1 19.5.2) */
    wr(r, 0x4004, 0x8f00, 4);
    wr(r, 0x4008, 0x10, 2);
    wr(r, 0x4066, 0x68, 2);
    wr(r, 0x4068 + 0x80 / 8, 0x02, 1);
    /* 64-bit TSS (SDM Vol. 3A Figure 7-11): RSP0 and IST1 */
    wr(r, 0x4104, 0x9f00, 8);
    wr(r, 0x4124, 0xa000, 8);

    /* Start like a boot sector: real mode, CS:IP = 0000:7C00. */
    X86Cpu *env = r->env;
    env->segs[R_CS].selector = 0;
    env->segs[R_CS].base = 0;
    env->rip = 0x7c00;
    x86_update_hflags(env);
}

static void rig_free(SysRig *r)
{
    engine_cpu_destroy(r->cpu);
    engine_destroy(r->e);
    as_destroy(&r->as);
}

/* Run until the guest halts. */
static void rig_run(SysRig *r)
{
    int64_t n = 0;
    int rc = cpu_exec(r->cpu, 100000, &n);
    ck_assert_int_eq(rc, 1);
    ck_assert(r->cpu->halted);
}

static const uint8_t code_hlt[] = { 0xf4 };

/* SDM Vol. 3A 9.9.1: real mode -> protected mode with a GDT and a far JMP;
 * the far JMP loads CS from the GDT (CPL 0, 32-bit default size), MOV to
 * DS/SS loads their descriptors and sets the accessed bit. */
START_TEST(test_pm_switch)
{
    SysRig r;
    rig_init(&r, _i, code_hlt, sizeof(code_hlt));
    rig_run(&r);
    X86Cpu *env = r.env;
    ck_assert_uint_eq(rd(&r, 0x5020, 4), 0x12345678);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert_uint_eq(env->rip, 0x8001);
    ck_assert_uint_eq(env->segs[R_CS].selector, 0x08);
    ck_assert_uint_eq(env->segs[R_CS].limit, 0xffffffffu);
    ck_assert_uint_eq(env->segs[R_DS].selector, 0x10);
    ck_assert_uint_eq(env->segs[R_SS].base, 0);
    ck_assert_uint_eq(env->hflags & (HF_PE | HF_CS32 | HF_SS32 | HF_CPL_MASK), HF_PE | HF_CS32 | HF_SS32);
    ck_assert_uint_eq(env->gdt.base, 0x1000);
    ck_assert_uint_eq(env->gdt.limit, GDT_LIMIT);
    /* the accessed bit (type bit 0) of the data descriptor is now set in memory */
    ck_assert_uint_eq(rd(&r, 0x1010 + 5, 1), 0x93);
    rig_free(&r);
}
END_TEST

/* SDM Vol. 2 MOV "Protected Mode Exceptions": a selector beyond the GDT
 * limit is #GP(selector); the pushed EIP is the MOV's own. */
START_TEST(test_seg_load_gp)
{
    SysRig r;
    rig_init(&r, _i, code_t_segld, sizeof(code_t_segld));
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 13);
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 0x1f8);
    ck_assert_uint_eq(rd(&r, RES_EIP, 4), 0x8004);
    ck_assert_uint_eq(r.env->segs[R_DS].selector, 0x10);     /* not loaded */
    rig_free(&r);
}
END_TEST

/* SDM Vol. 2 JMP: a far JMP to an offset beyond the target code segment's
 * limit is #GP(0), and CS stays unchanged. */
START_TEST(test_seg_limit_gp)
{
    SysRig r;
    rig_init(&r, _i, code_t_limit, sizeof(code_t_limit));
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 13);
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 0);
    ck_assert_uint_eq(rd(&r, RES_EIP, 4), 0x8000);
    ck_assert_uint_eq(r.env->segs[R_CS].selector, 0x08);
    rig_free(&r);
}
END_TEST

/* 32-bit paging tables at 0x10000 (SDM Vol. 3A 4.3, Figures 4-2/4-4):
 *   PDE 0: 4 MiB page at 0 (identity, code/data/stack), supervisor
 *   PDE 1: page table at 0x11000; PTE 0: 0x400000 -> 0x200000,
 *          PTE 1: 0x401000 -> 0x201000 read-only
 *   PDE 2: 4 MiB page 0x800000 -> 0x400000
 *   PDE 3: not present */
static void setup_paging32(SysRig *r, uint32_t target, uint32_t cr0_extra)
{
    wr(r, 0x10000, 0x00000083, 4);
    wr(r, 0x10004, 0x00011007, 4);
    wr(r, 0x10008, 0x00400083, 4);
    wr(r, 0x11000, 0x00200003, 4);
    wr(r, 0x11004, 0x00201001, 4);
    wr(r, 0x400020, 0x55667788, 4);
    wr(r, 0x5104, target, 4);
    wr(r, 0x5108, cr0_extra, 4);
}

/* A 4 KiB and a 4 MiB translation, and the accessed/dirty bits written
 * back (SDM Vol. 3A 4.8): A in every entry used, D only in the entry that
 * maps a written page. */
START_TEST(test_paging32)
{
    SysRig r;
    rig_init(&r, _i, code_t_paging, sizeof(code_t_paging));
    setup_paging32(&r, 0x5200, 0);
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert_uint_eq(rd(&r, 0x200010, 4), 0xaabbccdd);      /* through the 4 KiB page */
    ck_assert_uint_eq(rd(&r, 0x5030, 4), 0x55667788);        /* through the 4 MiB page */
    ck_assert_uint_eq(rd(&r, 0x5200, 4), 1);
    ck_assert_uint_eq(rd(&r, 0x11000, 4), 0x00200063);       /* PTE: A and D */
    ck_assert_uint_eq(rd(&r, 0x10004, 4), 0x00011027);       /* PDE -> table: A only */
    ck_assert_uint_eq(rd(&r, 0x10008, 4), 0x004000a3);       /* 4 MiB page, read: A only */
    ck_assert_uint_eq(rd(&r, 0x10000, 4), 0x000000e3);       /* written: A and D */
    ck_assert_uint_eq(rd(&r, 0x11004, 4), 0x00201001);       /* unused: untouched */
    rig_free(&r);
}
END_TEST

/* #PF for a write to a not-present page: error code W (SDM Vol. 3A 4.7,
 * Figure 4-12), CR2 = the linear address, EIP = the faulting MOV. */
START_TEST(test_page_fault_not_present)
{
    SysRig r;
    rig_init(&r, _i, code_t_paging, sizeof(code_t_paging));
    setup_paging32(&r, 0xc00004, 0);
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 14);
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 2);
    ck_assert_uint_eq(rd(&r, RES_CR2, 4), 0xc00004);
    ck_assert_uint_eq(rd(&r, RES_EIP, 4), 0x803b);
    ck_assert_uint_eq(r.env->cr[2], 0xc00004);
    rig_free(&r);
}
END_TEST

/* A supervisor write to a read-only page faults only with CR0.WP = 1
 * (SDM Vol. 3A 4.6.1): error code P | W. */
START_TEST(test_page_fault_wp)
{
    SysRig r;
    rig_init(&r, _i, code_t_paging, sizeof(code_t_paging));
    setup_paging32(&r, 0x401008, 1u << 16);
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 14);
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 3);
    ck_assert_uint_eq(rd(&r, RES_CR2, 4), 0x401008);
    ck_assert_uint_eq(rd(&r, 0x201008, 4), 0);
    rig_free(&r);

    /* without WP the same write goes through and sets D */
    rig_init(&r, _i, code_t_paging, sizeof(code_t_paging));
    setup_paging32(&r, 0x401008, 0);
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert_uint_eq(rd(&r, 0x201008, 4), 1);
    ck_assert_uint_eq(rd(&r, 0x11004, 4), 0x00201061);
    rig_free(&r);
}
END_TEST

/* WRMSR to an MSR the CPU does not have: #GP(0) (SDM Vol. 2 WRMSR). */
START_TEST(test_wrmsr_unknown_gp)
{
    SysRig r;
    rig_init(&r, _i, code_t_wrmsr, sizeof(code_t_wrmsr));
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 13);
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 0);
    ck_assert_uint_eq(rd(&r, RES_EIP, 4), 0x8005);
    rig_free(&r);
}
END_TEST

/* 4-level paging at 0x20000: PML4[0] -> PDPT 0x21000 -> PD 0x22000 with two
 * 2 MiB user pages identity-mapping 0..4 MiB (SDM Vol. 3A 4.5). */
static void setup_long(SysRig *r)
{
    wr(r, 0x20000, 0x21007, 8);
    wr(r, 0x21000, 0x22007, 8);
    wr(r, 0x22000, 0x000087, 8);
    wr(r, 0x22008, 0x200087, 8);
}

/* Entering IA-32e mode (SDM Vol. 3A 9.8.5: PAE, EFER.LME, CR0.PG, far JMP
 * to a 64-bit CS), INT through a 64-bit IDT gate with the 16-byte stack
 * alignment and IRETQ (6.14.2), then SYSRET to CPL 3 and SYSCALL back
 * (SDM Vol. 2 SYSCALL/SYSRET with STAR/LSTAR/FMASK). */
START_TEST(test_long_mode_syscall)
{
    SysRig r;
    rig_init(&r, _i, code_t_long, sizeof(code_t_long));
    setup_long(&r);
    /* IDT64 vector 0x40 -> handler64 (0x80c0), a 64-bit interrupt gate */
    wr(&r, 0x3000 + 16 * 0x40, (0x20u << 16) | 0x80c0, 4);
    wr(&r, 0x3004 + 16 * 0x40, 0x8e00, 4);
    rig_run(&r);
    X86Cpu *env = r.env;
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert(env->efer & X86_EFER_LMA);
    ck_assert(env->hflags & HF_LMA);
    ck_assert(env->hflags & HF_CS64);
    /* the interrupt: RSP 0x9808 aligned down to 0x9800, five qwords pushed */
    ck_assert_uint_eq(rd(&r, 0x5044, 4), 0x40);
    ck_assert_uint_eq(rd(&r, 0x5048, 8), 0x9800 - 40);
    ck_assert_uint_eq(rd(&r, 0x9800 - 8, 8), 0x28);           /* SS */
    ck_assert_uint_eq(rd(&r, 0x9800 - 16, 8), 0x9808);        /* RSP */
    ck_assert_uint_eq(rd(&r, 0x9800 - 32, 8), 0x20);          /* CS */
    ck_assert_uint_eq(rd(&r, 0x9800 - 40, 8), 0x8048);        /* RIP after INT 0x40 */
    ck_assert_uint_eq(rd(&r, 0x5040, 4), 0xfeedface);         /* IRETQ came back */
    /* SYSCALL from CPL 3: RCX = return RIP, R11 = RFLAGS, CS/SS from STAR */
    ck_assert_uint_eq(rd(&r, 0x5050, 8), 0x8095);
    ck_assert_uint_eq(rd(&r, 0x5058, 8) & 0x202, 0x202);
    ck_assert_uint_eq(rd(&r, 0x5060, 2), 0x20);
    ck_assert_uint_eq(env->segs[R_SS].selector, 0x28);
    ck_assert_uint_eq(env->hflags & HF_CPL_MASK, 0);
    ck_assert_uint_eq(x86_get_eflags(env) & X86_IF, 0);        /* FMASK cleared IF */
    ck_assert_uint_eq(env->regs[R_EBX], 0x77);                /* ran at CPL 3 */
    rig_free(&r);
}
END_TEST

/* Ring transitions through the TSS (SDM Vol. 3A 6.12.1, 5.8.5): IRET to
 * CPL 3, INT 0x80 through a DPL 3 trap gate switches to SS0:ESP0 and pushes
 * SS, ESP, EFLAGS, CS, EIP; IRET back to CPL 3; OUT to a port the I/O
 * bitmap allows works at CPL 3 > IOPL 0, one it denies is #GP(0) (SDM
 * Vol. 1 19.5), delivered on the ring-0 stack. */
START_TEST(test_ring3_tss_iomap)
{
    SysRig r;
    rig_init(&r, _i, code_t_ring3, sizeof(code_t_ring3));
    wr(&r, 0x2000 + 8 * 0x80, (0x08u << 16) | 0x8031, 4);
    wr(&r, 0x2004 + 8 * 0x80, 0xef00, 4);                     /* trap gate, DPL 3 */
    rig_run(&r);
    X86Cpu *env = r.env;
    ck_assert_uint_eq(rd(&r, 0x5070, 4), 0x8800);             /* user ESP */
    ck_assert_uint_eq(rd(&r, 0x5074, 4), 0x8f00 - 20);        /* five dwords on the TSS stack */
    ck_assert_uint_eq(rd(&r, 0x5078, 4), 0x33);               /* pushed CS */
    ck_assert_uint_eq(rd(&r, 0x507c, 2), 0x10);               /* SS0 */
    ck_assert_uint_eq(rd(&r, 0x8f00 - 4, 4), 0x3b);           /* pushed user SS */
    ck_assert_uint_eq(rd(&r, 0x8f00 - 8, 4), 0x8800);         /* pushed user ESP */
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 13);
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 0);
    ck_assert_uint_eq(rd(&r, RES_EIP, 4), 0x8051);
    ck_assert_uint_eq(env->hflags & HF_CPL_MASK, 0);
    ck_assert_uint_eq(env->tr.selector, 0x48);
    ck_assert_uint_eq(rd(&r, 0x1048 + 5, 1), 0x8b);           /* TSS descriptor marked busy by LTR */
    rig_free(&r);
}
END_TEST

/* An exception while delivering a contributory exception is #DF with
 * error code 0 (SDM Vol. 3A 6.15 Table 6-5): #GP whose gate is not
 * present raises #NP, which becomes #DF. */
START_TEST(test_double_fault)
{
    SysRig r;
    rig_init(&r, _i, code_t_segld, sizeof(code_t_segld));
    wr(&r, 0x2004 + 8 * 13, 0x0e00, 4);                       /* #GP gate: P = 0 */
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 8);
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 0);
    ck_assert_int_eq(r.env->old_exception, -1);
    rig_free(&r);
}
END_TEST

/* With an empty IDT, INT3 faults (#GP), the #GP faults again (#DF) and so
 * does the #DF: shutdown (SDM Vol. 3A 6.15 "Interrupt 8"). The CPU stops
 * at the INT3 with no handler run. */
START_TEST(test_triple_fault)
{
    SysRig r;
    rig_init(&r, _i, code_t_tf, sizeof(code_t_tf));
    wr(&r, 0x530, 0, 2);
    wr(&r, 0x532, 0x2000, 4);
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert_uint_eq(r.env->rip, 0x8007);
    ck_assert(r.env->nmi_blocked);
    ck_assert_uint_eq(x86_get_eflags(r.env) & X86_IF, 0);
    rig_free(&r);
}
END_TEST

/* IA-32e interrupts (SDM Vol. 3A 6.14.4-6.14.5): a gate with IST = 1
 * switches to IST1 even without a privilege change; an INT from CPL 3
 * through a DPL 3 gate switches to RSP0, pushes the user SS:RSP and loads
 * SS with a null selector (RPL = the new CPL). */
START_TEST(test_long_mode_ist_ring3)
{
    SysRig r;
    rig_init(&r, _i, code_t_long2, sizeof(code_t_long2));
    setup_long(&r);
    wr(&r, 0x3000 + 16 * 0x41, (0x20u << 16) | 0x8070, 4);
    wr(&r, 0x3004 + 16 * 0x41, 0x8e01, 4);                    /* IST 1 */
    wr(&r, 0x3000 + 16 * 0x42, (0x20u << 16) | 0x8080, 4);
    wr(&r, 0x3004 + 16 * 0x42, 0xee00, 4);                    /* DPL 3 */
    rig_run(&r);
    X86Cpu *env = r.env;
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert_uint_eq(rd(&r, 0x5080, 8), 0xa000 - 40);
    ck_assert_uint_eq(rd(&r, 0xa000 - 16, 8), 0x9808);        /* interrupted RSP */
    ck_assert_uint_eq(rd(&r, 0x5088, 8), 0x9f00 - 40);
    ck_assert_uint_eq(rd(&r, 0x9f00 - 8, 8), 0x3b);           /* user SS */
    ck_assert_uint_eq(rd(&r, 0x9f00 - 16, 8), 0x8800);        /* user RSP */
    ck_assert_uint_eq(rd(&r, 0x9f00 - 32, 8), 0x43);          /* user CS */
    ck_assert_uint_eq(rd(&r, 0x9f00 - 40, 8), 0x806c);        /* after INT 0x42 */
    ck_assert_uint_eq(rd(&r, 0x5090, 2), 0);                  /* SS = null, RPL 0 */
    ck_assert_uint_eq(env->hflags & HF_CPL_MASK, 0);
    ck_assert_uint_eq(env->tr.base, 0x4100);
    rig_free(&r);
}
END_TEST

/* Virtual-8086 mode (SDM Vol. 3A 20.2, 20.3.1): IRET from CPL 0 with VM
 * set in the image enters v86 mode (segments = selector << 4); INT n there
 * with IOPL < 3 is #GP(0), delivered through a 32-bit gate on the TSS
 * stack with GS, FS, DS, ES, SS, ESP pushed and the data segments nulled. */
START_TEST(test_v86_roundtrip)
{
    SysRig r;
    rig_init(&r, _i, code_t_v86a, sizeof(code_t_v86a));
    load(&r, 0x8100, code_t_v86b, sizeof(code_t_v86b));
    load(&r, 0x8200, code_t_v86c, sizeof(code_t_v86c));
    wr(&r, 0x2000 + 8 * 13, (0x08u << 16) | 0x8200, 4);
    rig_run(&r);
    X86Cpu *env = r.env;
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 0);
    ck_assert_uint_eq(rd(&r, RES_EIP, 4), 3);                 /* the INT 0x21 */
    ck_assert_uint_eq(rd(&r, 0x5094, 4), 0x0810);             /* v86 CS */
    ck_assert_uint_eq(rd(&r, 0x5098, 4) & (X86_VM | X86_IOPL), X86_VM);
    ck_assert_uint_eq(rd(&r, 0x509c, 4), 0x1111);             /* v86 ES */
    ck_assert_uint_eq(rd(&r, 0x50a0, 4), 0x8f00 - 36);        /* 9 dwords + error code, code popped */
    ck_assert_uint_eq(env->segs[R_ES].selector, 0);
    ck_assert_uint_eq(env->segs[R_GS].attr & SEG_ATTR_P, 0);
    ck_assert_uint_eq(x86_get_eflags(env) & X86_VM, 0);
    ck_assert_uint_eq(env->hflags & (HF_VM | HF_CPL_MASK), 0);
    rig_free(&r);
}
END_TEST

/* CALL through a call gate to a more privileged level (SDM Vol. 3A 5.8.5,
 * Figure 5-13): the new stack from the TSS gets the caller's SS, ESP, the
 * parameter the gate's count says to copy, CS and EIP; RETF 4 returns to
 * CPL 3 and drops the parameter from the caller's stack (SDM RET). HLT at
 * CPL 3 then is #GP(0). */
START_TEST(test_call_gate)
{
    SysRig r;
    rig_init(&r, _i, code_t_cgate, sizeof(code_t_cgate));
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, 0x50c0, 4), 0x8027);             /* return EIP */
    ck_assert_uint_eq(rd(&r, 0x50c4, 4), 0x33);               /* caller CS */
    ck_assert_uint_eq(rd(&r, 0x50c8, 4), 0x55);               /* copied parameter */
    ck_assert_uint_eq(rd(&r, 0x50cc, 4), 0x87fc);             /* caller ESP */
    ck_assert_uint_eq(rd(&r, 0x50d0, 4), 0x3b);               /* caller SS */
    ck_assert_uint_eq(rd(&r, 0x50d4, 2), 0x08);               /* CS at CPL 0 */
    ck_assert_uint_eq(rd(&r, 0x50b0, 4), 0x8800);             /* after RETF 4 */
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 13);
    ck_assert_uint_eq(rd(&r, RES_EIP, 4), 0x802d);            /* HLT at CPL 3 */
    ck_assert_uint_eq(r.env->segs[R_ES].selector, 0);         /* DPL 0 ES nulled by the return */
    rig_free(&r);
}
END_TEST

/* Hardware task switch (SDM Vol. 3A 7.3, 7.4): CALL to a TSS saves the
 * outgoing state, loads the new task's registers and segments, sets NT and
 * the back link and marks the new TSS busy; IRET with NT = 1 returns to the
 * back-linked task, whose EAX and ESP come back from its TSS. */
START_TEST(test_task_switch)
{
    SysRig r;
    rig_init(&r, _i, code_t_task, sizeof(code_t_task));
    /* TSS B (SDM Figure 7-2): EIP, EFLAGS, EAX, ESP, segment selectors */
    wr(&r, 0x4200 + 32, 0x8020, 4);
    wr(&r, 0x4200 + 36, 0x2, 4);
    wr(&r, 0x4200 + 40, 0xb0b0, 4);
    wr(&r, 0x4200 + 56, 0x8a00, 4);
    for (int i = 0; i < 4; i++)                                /* ES, CS, SS, DS */
        wr(&r, 0x4200 + 72 + 4 * (uint64_t)i, i == 1 ? 0x08 : 0x10, 2);
    rig_run(&r);
    X86Cpu *env = r.env;
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert_uint_eq(rd(&r, 0x50e0, 4), 0xb0b0);             /* task B's EAX */
    ck_assert_uint_eq(rd(&r, 0x50e4, 2), 0x48);               /* back link */
    ck_assert_uint_eq(rd(&r, 0x50e8, 4) & X86_NT, X86_NT);
    ck_assert_uint_eq(rd(&r, 0x50ec, 4), 0xa0a0);             /* task A's EAX restored */
    ck_assert_uint_eq(rd(&r, 0x50f0, 4), 0x9000);
    ck_assert_uint_eq(rd(&r, 0x4000 + 32, 4), 0x8013);        /* A's saved EIP: after the CALL */
    ck_assert_uint_eq(env->tr.selector, 0x48);
    ck_assert_uint_eq(rd(&r, 0x1048 + 5, 1), 0x8b);           /* A busy */
    ck_assert_uint_eq(rd(&r, 0x1068 + 5, 1), 0x89);           /* B available again */
    ck_assert_uint_eq(x86_get_eflags(env) & X86_NT, 0);
    ck_assert(env->cr[0] & X86_CR0_TS);
    rig_free(&r);
}
END_TEST

/* SYSEXIT to CPL 3 and SYSENTER back (SDM Vol. 2 SYSENTER/SYSEXIT): flat
 * CS/SS from IA32_SYSENTER_CS (+16/+24 with RPL 3 for SYSEXIT), ESP/EIP
 * from the MSRs (SYSENTER) or ECX/EDX (SYSEXIT); RDTSCP returns
 * IA32_TSC_AUX in ECX. */
START_TEST(test_sysenter_sysexit)
{
    SysRig r;
    rig_init(&r, _i, code_t_sysenter, sizeof(code_t_sysenter));
    r.env->tsc_aux = 0x1234;
    rig_run(&r);
    X86Cpu *env = r.env;
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert_uint_eq(env->regs[R_EBX], 0x77);
    ck_assert_uint_eq(rd(&r, 0x5140, 2), 0x1b);               /* user CS = SYSENTER_CS + 16, RPL 3 */
    ck_assert_uint_eq(rd(&r, 0x5144, 4), 0x8e00);             /* SYSENTER_ESP */
    ck_assert_uint_eq(rd(&r, 0x5148, 2), 0x08);
    ck_assert_uint_eq(rd(&r, 0x514c, 2), 0x10);               /* SYSENTER_CS + 8 */
    ck_assert_uint_eq(rd(&r, 0x5150, 4), 0x1234);
    ck_assert_uint_eq(env->hflags & HF_CPL_MASK, 0);
    rig_free(&r);
}
END_TEST

/* PAE paging (SDM Vol. 3A 4.4): PDPTE -> PD with a 2 MiB page and a page
 * table; with EFER.NXE an instruction fetch from a page whose XD bit is
 * set is a #PF with error code P | I/D (4.6.1, 4.7). */
START_TEST(test_paging_pae_nx)
{
    SysRig r;
    rig_init(&r, _i, code_t_pae, sizeof(code_t_pae));
    wr(&r, 0x30000, 0x31001, 8);                              /* PDPTE 0 */
    wr(&r, 0x31000, 0x000083, 8);                             /* 0-2 MiB: 2 MiB identity page */
    wr(&r, 0x31010, 0x32003, 8);                              /* 4-6 MiB: page table */
    wr(&r, 0x31018, 0x800083, 8);                             /* 6-8 MiB -> 8 MiB */
    wr(&r, 0x32000, 0x200003, 8);                             /* 0x400000 -> 0x200000 */
    wr(&r, 0x32008, 0x201003 | 1ull << 63, 8);                /* 0x401000: XD */
    wr(&r, 0x800020, 0x55667788, 4);
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, 0x200010, 4), 0xaabbccdd);
    ck_assert_uint_eq(rd(&r, 0x5030, 4), 0x55667788);
    ck_assert_uint_eq(rd(&r, 0x32000, 8), 0x200063);          /* A, D */
    ck_assert_uint_eq(rd(&r, 0x31018, 8), 0x8000a3);          /* read: A */
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), 14);
    ck_assert_uint_eq(rd(&r, RES_ERRCODE, 4), 0x11);
    ck_assert_uint_eq(rd(&r, RES_CR2, 4), 0x401000);
    ck_assert_uint_eq(rd(&r, RES_EIP, 4), 0x401000);
    ck_assert_uint_eq(rd(&r, 0x32008, 8), 0x201003 | 1ull << 63);   /* not accessed */
    rig_free(&r);
}
END_TEST

/* INVLPG (SDM Vol. 2 INVLPG, Vol. 3A 4.10.4.1) drops the translation of
 * the page it names: after rewriting a PDE (4 MiB page) and a PTE, INVLPG
 * of any address in the large page (here another 4 KiB of it) and of the
 * 4 KiB page makes the new mappings visible. */
START_TEST(test_invlpg)
{
    SysRig r;
    rig_init(&r, _i, code_t_invlpg, sizeof(code_t_invlpg));
    setup_paging32(&r, 0, 0);
    wr(&r, 0xc00020, 0x11223344, 4);
    wr(&r, 0x203010, 0x99aabbcc, 4);
    rig_run(&r);
    ck_assert_uint_eq(rd(&r, RES_VECTOR, 4), NO_VECTOR);
    ck_assert_uint_eq(rd(&r, 0x5030, 4), 0x55667788);
    ck_assert_uint_eq(rd(&r, 0x5034, 4), 0x11223344);
    ck_assert_uint_eq(rd(&r, 0x5038, 4), 0x99aabbcc);
    rig_free(&r);
}
END_TEST

static Suite *x86_system_suite(void)
{
    Suite *s = suite_create("x86_system");
    TCase *tc = tcase_create("core");
    int nb = nbackends();
    tcase_add_loop_test(tc, test_pm_switch, 0, nb);
    tcase_add_loop_test(tc, test_seg_load_gp, 0, nb);
    tcase_add_loop_test(tc, test_seg_limit_gp, 0, nb);
    tcase_add_loop_test(tc, test_paging32, 0, nb);
    tcase_add_loop_test(tc, test_page_fault_not_present, 0, nb);
    tcase_add_loop_test(tc, test_page_fault_wp, 0, nb);
    tcase_add_loop_test(tc, test_paging_pae_nx, 0, nb);
    tcase_add_loop_test(tc, test_invlpg, 0, nb);
    tcase_add_loop_test(tc, test_wrmsr_unknown_gp, 0, nb);
    tcase_add_loop_test(tc, test_long_mode_syscall, 0, nb);
    tcase_add_loop_test(tc, test_long_mode_ist_ring3, 0, nb);
    tcase_add_loop_test(tc, test_ring3_tss_iomap, 0, nb);
    tcase_add_loop_test(tc, test_v86_roundtrip, 0, nb);
    tcase_add_loop_test(tc, test_call_gate, 0, nb);
    tcase_add_loop_test(tc, test_task_switch, 0, nb);
    tcase_add_loop_test(tc, test_sysenter_sysexit, 0, nb);
    tcase_add_loop_test(tc, test_double_fault, 0, nb);
    tcase_add_loop_test(tc, test_triple_fault, 0, nb);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(x86_system_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
