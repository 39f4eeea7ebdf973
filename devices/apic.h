/*
 * Local APIC (xAPIC mode) of the one x86 CPU of the PC board: the MMIO
 * register page at IA32_APIC_BASE (0xFEE00000 after reset), interrupt
 * acceptance and priority, EOI (forwarded to the IO-APIC for
 * level-triggered vectors), the local vector table, the APIC timer
 * (one-shot, periodic, TSC-deadline), self IPIs, and the LINT0/LINT1 pins.
 *
 * Wiring: the 8259's INT output drives LINT0 (apic_lint_line(apic, 0));
 * while LINT0 is an unmasked ExtINT entry (virtual wire mode) or the APIC
 * is disabled in IA32_APIC_BASE, the PIC's request passes straight through
 * to the CPU and apic_get_interrupt acknowledges it at the PIC. The APIC
 * drives the CPU's INTR through ApicConfig.intr and NMI through
 * ApicConfig.nmi (pulsed high then low on each NMI).
 *
 * The timer counts APIC bus clocks of 1 ns (1 GHz, as QEMU) of virtual
 * time divided by the divide configuration; the TSC is taken to count one
 * tick per ns of virtual time (cpu/x86/x86_cpuid.c x86_tsc_read).
 */
#ifndef DOPPEL_DEVICES_APIC_H
#define DOPPEL_DEVICES_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/clock.h"
#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define APIC_DEFAULT_BASE 0xFEE00000u
#define APIC_MMIO_SIZE 0x1000u
#define APIC_VERSION 0x00050014u     /* version 0x14, max LVT entry 5 (QEMU) */
#define APIC_BUS_NS 1                /* ns per APIC bus clock (timer input) */

/* IA32_APIC_BASE MSR (SDM Vol. 3A 10.4.4, Figure 10-5). */
enum {
    APIC_BASE_BSP = 1u << 8,
    APIC_BASE_EXTD = 1u << 10,       /* x2APIC: not supported */
    APIC_BASE_ENABLE = 1u << 11,
};
#define APIC_BASE_ADDR_MASK 0xFFFFFFF000ull  /* base bits 12..39 (MAXPHYADDR 40) */

/* Delivery modes of LVT entries, ICR and IO-APIC messages (SDM 10.5.1, 10.6.1). */
enum {
    APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
    APIC_DM_INIT = 5, APIC_DM_STARTUP = 6, APIC_DM_EXTINT = 7,
};

/* Local vector table entries, in register order 0x320..0x370. */
enum {
    APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF, APIC_LVT_LINT0, APIC_LVT_LINT1,
    APIC_LVT_ERROR, APIC_LVT_NB,
};

/* An interrupt message on the APIC bus (from the IO-APIC or an IPI). */
typedef struct ApicMsg {
    uint8_t vector;
    uint8_t delivery_mode;           /* APIC_DM_* */
    uint8_t dest;                    /* APIC ID (physical) or MDA (logical) */
    bool dest_logical;
    bool level;                      /* level-triggered (TMR set, EOI broadcast) */
} ApicMsg;

/* Called on EOI of a level-triggered vector (the IO-APIC's ioapic_eoi). */
typedef void (*ApicEoiHandler)(void *opaque, uint8_t vector);

typedef struct ApicConfig {
    AddressSpace *mem;               /* where the MMIO page is mapped (may be NULL) */
    VirtClock *clock;
    uint8_t id;                      /* initial APIC ID */
    bool bsp;                        /* bootstrap processor: IA32_APIC_BASE.BSP, LINT0 ExtINT */
    IrqLine intr;                    /* the CPU's INTR (CPU_INTERRUPT_HARD) */
    IrqLine nmi;                     /* the CPU's NMI: pulsed once per NMI */
    IrqLine init;                    /* INIT to this CPU: pulsed (may be unconnected) */
    int (*pic_ack)(void *opaque);    /* ExtINT acknowledge: pic_read_irq */
    void *pic_opaque;
    Log *log;                        /* may be NULL */
} ApicConfig;

typedef struct ApicState {
    ApicConfig cfg;
    uint64_t base_msr;               /* IA32_APIC_BASE as the APIC sees it */
    uint8_t id;
    uint8_t tpr;
    uint32_t ldr, dfr;
    uint32_t svr;
    uint32_t isr[8], tmr[8], irr[8]; /* 256-bit registers, bit v of word v / 32 */
    uint32_t esr;                    /* visible ESR (latched by the last write) */
    uint32_t esr_pending;            /* errors since the last ESR write */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[APIC_LVT_NB];
    uint32_t divide_conf;
    uint32_t initial_count;
    /* Timer: elapsed bus clocks / divisor = ticks_base + (now - base_ns) >> shift. */
    int64_t ticks_base;
    int64_t base_ns;
    bool timer_running;              /* one-shot/periodic countdown in progress */
    uint64_t tsc_deadline;           /* IA32_TSC_DEADLINE, 0 = disarmed */
    Timer timer;
    bool lint_level[2];              /* LINT0/LINT1 input levels */
    bool intr_level;                 /* last level driven on cfg.intr */
    ApicEoiHandler eoi_fn;           /* level-triggered EOI broadcast (IO-APIC) */
    void *eoi_opaque;
    MemRegion *region;
} ApicState;

/** Create the local APIC described by cfg, map its page at 0xFEE00000 in
 *  cfg->mem and reset it. NULL on allocation failure. */
ApicState *apic_create(const ApicConfig *cfg);

/** Power-on / RESET state (SDM Vol. 3A 10.4.7.1): IA32_APIC_BASE
 *  0xFEE00000 | enable | BSP, SVR 0xFF (software disabled), every LVT
 *  masked, TPR/ISR/IRR 0. As QEMU did and KVM still does by default, the
 *  BSP's LINT0 starts as unmasked ExtINT so the 8259 works from reset. */
void apic_reset(void *apic);

/** Unmap the page, stop the timer, free the state. */
void apic_destroy(void *apic);

/** The CPU's interrupt-acknowledge: the vector to deliver, or -1 if
 *  nothing is deliverable. A fixed interrupt above the processor priority
 *  moves from IRR to ISR (SDM 10.8.4); otherwise, when LINT0 passes the
 *  8259 through (ExtINT, or the APIC disabled), the PIC is acknowledged
 *  (cfg.pic_ack) and its vector returned. */
int apic_get_interrupt(ApicState *s);

/** True when the APIC asks the CPU for a maskable interrupt (the level it
 *  drives on cfg.intr). */
bool apic_has_interrupt(const ApicState *s);

/** Drive LINT pin n (0 or 1) to level. Matches IrqHandler; the 8259's INT
 *  output goes to LINT0. */
void apic_set_lint(void *apic, int n, int level);

/** The IrqLine of LINT pin n (0 or 1). */
IrqLine apic_lint_line(ApicState *s, int n);

/** Accept an interrupt message from the APIC bus (IO-APIC, MSI): delivered
 *  if its destination matches this APIC (apic_match_dest) or it is a
 *  broadcast; fixed/lowest-priority set IRR (and TMR when level), NMI and
 *  INIT pulse the CPU lines, ExtINT and SMI are not supported (logged).
 *  Takes the APIC as void * so an IO-APIC can hold it as an opaque. */
void apic_deliver_msg(void *apic, const ApicMsg *msg);

/** Whether a message with destination dest (physical APIC ID, or logical
 *  MDA in the flat/cluster model of DFR, SDM 10.6.2) targets this APIC. */
bool apic_match_dest(const ApicState *s, uint8_t dest, bool logical);

/** Set the handler called with the vector on EOI of a level-triggered
 *  interrupt (SDM 10.8.5): the board points it at ioapic_eoi. */
void apic_set_eoi_handler(ApicState *s, ApicEoiHandler fn, void *opaque);

/* ---- the CPU side: MSRs and CR8 (for cpu/x86's RDMSR/WRMSR/MOV CR8) ---- */

/** TPR (SDM 10.8.3.1), 8 bits. */
uint8_t apic_get_tpr(void *apic);
void apic_set_tpr(void *apic, uint8_t tpr);
/** CR8 reads TPR[7:4]; writing CR8 sets TPR = val << 4 (SDM 10.8.6.1). */
uint64_t apic_cr8_read(void *apic);
void apic_cr8_write(void *apic, uint64_t val);

/** IA32_APIC_BASE (MSR 0x1B) as the APIC holds it. */
uint64_t apic_msr_base_read(void *apic);
/** WRMSR IA32_APIC_BASE: returns false (the CPU raises #GP) for reserved
 *  bits or x2APIC enable. Moves the MMIO page; clearing the enable bit
 *  disables the APIC globally (SDM 10.4.3: LINT0/LINT1 then act as the
 *  CPU's INTR/NMI pins), re-enabling starts it in its reset state with the
 *  APIC ID kept. BSP is read-only. */
bool apic_msr_base_write(void *apic, uint64_t val);

/** RDMSR IA32_TSC_DEADLINE (0x6E0). */
uint64_t apic_tsc_deadline_read(void *apic);
/** WRMSR IA32_TSC_DEADLINE: tsc_now is the CPU's current TSC. Arms the
 *  timer when the LVT timer is in TSC-deadline mode (else the write is
 *  ignored, SDM 10.5.4.1); 0 disarms; a deadline already passed fires at
 *  once. */
void apic_tsc_deadline_write(void *apic, uint64_t deadline, uint64_t tsc_now);

extern const DeviceClass apic_class;

#endif
