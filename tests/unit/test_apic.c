/*
 * Unit tests of the local APIC (devices/apic.c), driven through its MMIO
 * page in a memory address space, its LINT pins and the CPU-side calls,
 * with an icount-mode virtual clock so timer values are exact. Section
 * numbers refer to Intel SDM Vol. 3A chapter 10.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "devices/apic.h"
#include "machine/clock.h"
#include "machine/memory.h"

#define BASE APIC_DEFAULT_BASE

enum {
    R_ID = 0x20, R_VER = 0x30, R_TPR = 0x80, R_APR = 0x90, R_PPR = 0xa0, R_EOI = 0xb0,
    R_LDR = 0xd0, R_DFR = 0xe0, R_SVR = 0xf0, R_ISR = 0x100, R_TMR = 0x180, R_IRR = 0x200,
    R_ESR = 0x280, R_ICR_LO = 0x300, R_ICR_HI = 0x310, R_LVT_TIMER = 0x320, R_LVT_LINT0 = 0x350,
    R_LVT_LINT1 = 0x360, R_LVT_ERROR = 0x370, R_TMICT = 0x380, R_TMCCT = 0x390, R_TDCR = 0x3e0,
};

typedef struct Fixture {
    AddressSpace mem;
    VirtClock clock;
    ApicState *apic;
    int intr;                   /* level on the CPU's INTR */
    int nmis, inits;
    int pic_acks;
    int pic_vector;
    int eois[8], neoi;
} Fixture;

static void cpu_intr(void *o, int n, int level) { (void)n; ((Fixture *)o)->intr = level; }
static void cpu_nmi(void *o, int n, int level) { (void)n; if (level) ((Fixture *)o)->nmis++; }
static void cpu_init(void *o, int n, int level) { (void)n; if (level) ((Fixture *)o)->inits++; }

/* The 8259's INTA: returns its vector and drops its INT output. */
static int pic_ack(void *o)
{
    Fixture *f = o;
    f->pic_acks++;
    apic_set_lint(f->apic, 0, 0);
    return f->pic_vector;
}

static void eoi_cb(void *o, uint8_t v)
{
    Fixture *f = o;
    if (f->neoi < 8)
        f->eois[f->neoi++] = v;
}

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->mem, "mem", ~0ull);
    clock_init(&f->clock, CLOCK_ICOUNT, 0);
    ApicConfig c = {
        .mem = &f->mem, .clock = &f->clock, .id = 0, .bsp = true,
        .intr = irq_line(cpu_intr, f, 0), .nmi = irq_line(cpu_nmi, f, 0),
        .init = irq_line(cpu_init, f, 0), .pic_ack = pic_ack, .pic_opaque = f,
    };
    f->apic = apic_create(&c);
    apic_set_eoi_handler(f->apic, eoi_cb, f);
    f->pic_vector = 0x08;
    return f;
}

static void fx_free(Fixture *f)
{
    apic_destroy(f->apic);
    as_destroy(&f->mem);
    free(f);
}

static uint32_t rd(Fixture *f, uint32_t off) { return (uint32_t)as_read(&f->mem, BASE + off, 4); }
static void wr(Fixture *f, uint32_t off, uint32_t v) { as_write(&f->mem, BASE + off, v, 4); }
static bool vec_bit(Fixture *f, uint32_t reg, int v) { return (rd(f, reg + (v / 32) * 0x10) >> (v % 32)) & 1; }

static void enable(Fixture *f) { wr(f, R_SVR, 0x1ff); }

static void fixed(Fixture *f, int vector, bool level)
{
    ApicMsg m = { .vector = (uint8_t)vector, .delivery_mode = APIC_DM_FIXED, .dest = 0, .level = level };
    apic_deliver_msg(f->apic, &m);
}

static void advance_to(Fixture *f, int64_t t)
{
    while (clock_next_deadline(&f->clock) <= t) {
        clock_warp_to(&f->clock, clock_next_deadline(&f->clock));
        clock_run_timers(&f->clock);
    }
    clock_warp_to(&f->clock, t);
    clock_run_timers(&f->clock);
}

/* 10.4.7.1 power-up state; 10.4.8 version register. */
START_TEST(test_reset_state)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(rd(f, R_ID), 0);
    ck_assert_uint_eq(rd(f, R_VER), 0x00050014);
    ck_assert_uint_eq(rd(f, R_SVR), 0xff);
    ck_assert_uint_eq(rd(f, R_DFR), 0xffffffff);
    ck_assert_uint_eq(rd(f, R_TPR), 0);
    ck_assert_uint_eq(rd(f, R_LVT_TIMER), 0x10000);
    ck_assert_uint_eq(rd(f, R_LVT_LINT1), 0x10000);
    ck_assert_uint_eq(rd(f, R_LVT_ERROR), 0x10000);
    ck_assert_uint_eq(rd(f, R_LVT_LINT0), 0x700);    /* BSP virtual wire */
    ck_assert_uint_eq(apic_msr_base_read(f->apic), 0xfee00900);
    ck_assert_int_eq(f->intr, 0);
    /* ID is read/write in bits 31:24 (10.4.6). */
    wr(f, R_ID, 0x05000000);
    ck_assert_uint_eq(rd(f, R_ID), 0x05000000);
    fx_free(f);
}
END_TEST

/* 10.4.7.2: software disabled, LVT mask bits are set and stay set. */
START_TEST(test_software_disable)
{
    Fixture *f = fx_new();
    wr(f, R_LVT_TIMER, 0x20);
    ck_assert_uint_eq(rd(f, R_LVT_TIMER), 0x10020);
    enable(f);
    wr(f, R_LVT_TIMER, 0x20);
    ck_assert_uint_eq(rd(f, R_LVT_TIMER), 0x20);
    wr(f, R_LVT_LINT1, 0x400);
    wr(f, R_SVR, 0xff);
    ck_assert_uint_eq(rd(f, R_LVT_TIMER), 0x10020);
    ck_assert_uint_eq(rd(f, R_LVT_LINT1), 0x10400);
    /* Pending fixed interrupts are held, not delivered, while disabled. */
    fixed(f, 0x40, false);
    ck_assert(vec_bit(f, R_IRR, 0x40));
    ck_assert_int_eq(f->intr, 0);
    ck_assert_int_eq(apic_get_interrupt(f->apic), -1);
    enable(f);
    ck_assert_int_eq(f->intr, 1);
    fx_free(f);
}
END_TEST

/* 10.8.3.1 / 10.8.4: the highest IRR class above the PPR is delivered and
 * moves to ISR; PPR follows ISR; EOI (10.8.5) retires the highest ISR. */
START_TEST(test_priority_and_eoi)
{
    Fixture *f = fx_new();
    enable(f);
    fixed(f, 0x31, false);
    fixed(f, 0x45, false);
    ck_assert_int_eq(f->intr, 1);
    ck_assert(vec_bit(f, R_IRR, 0x31) && vec_bit(f, R_IRR, 0x45));
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x45);
    ck_assert(vec_bit(f, R_ISR, 0x45) && !vec_bit(f, R_IRR, 0x45));
    ck_assert_uint_eq(rd(f, R_PPR), 0x40);
    ck_assert_int_eq(f->intr, 0);                    /* 0x31 is below the PPR */
    ck_assert_int_eq(apic_get_interrupt(f->apic), -1);
    /* A higher class nests. */
    fixed(f, 0x52, false);
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x52);
    ck_assert_uint_eq(rd(f, R_PPR), 0x50);
    wr(f, R_EOI, 0);
    ck_assert(!vec_bit(f, R_ISR, 0x52) && vec_bit(f, R_ISR, 0x45));
    ck_assert_int_eq(f->intr, 0);
    wr(f, R_EOI, 0);
    ck_assert_uint_eq(rd(f, R_PPR), 0);
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x31);
    wr(f, R_EOI, 0);
    ck_assert_int_eq(f->neoi, 0);                    /* edge: no EOI broadcast */
    wr(f, R_EOI, 0);                                 /* EOI with nothing in service */
    ck_assert_int_eq(f->intr, 0);
    fx_free(f);
}
END_TEST

/* 10.8.3.1: TPR masks classes <= its own; CR8 is TPR[7:4] (10.8.6.1). */
START_TEST(test_tpr_and_cr8)
{
    Fixture *f = fx_new();
    enable(f);
    wr(f, R_TPR, 0x50);
    ck_assert_uint_eq(rd(f, R_PPR), 0x50);
    fixed(f, 0x45, false);
    fixed(f, 0x55, false);
    ck_assert_int_eq(f->intr, 0);
    ck_assert_int_eq(apic_get_interrupt(f->apic), -1);
    fixed(f, 0x61, false);
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x61);
    ck_assert_uint_eq(rd(f, R_PPR), 0x60);
    ck_assert_uint_eq(rd(f, R_APR), 0x60);           /* max(TPR, ISRV, IRRV) class */
    wr(f, R_EOI, 0);
    apic_cr8_write(f->apic, 3);
    ck_assert_uint_eq(rd(f, R_TPR), 0x30);
    ck_assert_uint_eq(apic_cr8_read(f->apic), 3);
    ck_assert_int_eq(f->intr, 1);                    /* 0x55 now above */
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x55);
    apic_set_tpr(f->apic, 0xff);
    ck_assert_uint_eq(apic_get_tpr(f->apic), 0xff);
    ck_assert_int_eq(f->intr, 0);
    fx_free(f);
}
END_TEST

/* 10.8.4 / 10.8.5: level-triggered vectors set TMR; their EOI is
 * broadcast to the IO-APIC. */
START_TEST(test_level_eoi_broadcast)
{
    Fixture *f = fx_new();
    enable(f);
    fixed(f, 0x40, true);
    ck_assert(vec_bit(f, R_TMR, 0x40));
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x40);
    wr(f, R_EOI, 0);
    ck_assert_int_eq(f->neoi, 1);
    ck_assert_int_eq(f->eois[0], 0x40);
    fixed(f, 0x40, false);                           /* edge again: TMR cleared */
    ck_assert(!vec_bit(f, R_TMR, 0x40));
    fx_free(f);
}
END_TEST

/* 10.5.3: illegal vectors and register addresses, ESR latched by a write. */
START_TEST(test_esr)
{
    Fixture *f = fx_new();
    enable(f);
    fixed(f, 5, false);                              /* receive illegal vector */
    ck_assert(!vec_bit(f, R_IRR, 5));
    ck_assert_uint_eq(rd(f, R_ESR), 0);              /* not latched yet */
    wr(f, R_ESR, 0);
    ck_assert_uint_eq(rd(f, R_ESR), 0x40);
    wr(f, R_ICR_LO, 0x00040003);                     /* self IPI, vector 3 */
    wr(f, R_ESR, 0);
    ck_assert_uint_eq(rd(f, R_ESR), 0x20);           /* send illegal vector */
    (void)rd(f, 0x2f0);                              /* no CMCI LVT: max LVT is 5 */
    (void)rd(f, 0x000);
    wr(f, R_ESR, 0);
    ck_assert_uint_eq(rd(f, R_ESR), 0x80);           /* illegal register address */
    wr(f, R_ESR, 0);
    ck_assert_uint_eq(rd(f, R_ESR), 0);
    /* Unmasked error LVT raises its vector. */
    wr(f, R_LVT_ERROR, 0xee);
    fixed(f, 1, false);
    ck_assert(vec_bit(f, R_IRR, 0xee));
    fx_free(f);
}
END_TEST

/* 10.6.1: ICR self IPIs, destination matching; others dropped. */
START_TEST(test_ipi)
{
    Fixture *f = fx_new();
    enable(f);
    wr(f, R_ICR_LO, 0x00040050);                     /* shorthand self, fixed 0x50 */
    ck_assert(vec_bit(f, R_IRR, 0x50));
    ck_assert_uint_eq(rd(f, R_ICR_LO) & (1u << 12), 0);   /* delivery status idle */
    wr(f, R_ICR_HI, 0x01000000);                     /* physical APIC 1: absent */
    wr(f, R_ICR_LO, 0x00000060);
    ck_assert(!vec_bit(f, R_IRR, 0x60));
    wr(f, R_ICR_LO, 0x000C0061);                     /* all excluding self */
    ck_assert(!vec_bit(f, R_IRR, 0x61));
    wr(f, R_ICR_LO, 0x00080062);                     /* all including self */
    ck_assert(vec_bit(f, R_IRR, 0x62));
    wr(f, R_ICR_HI, 0x00000000);                     /* physical APIC 0: us */
    wr(f, R_ICR_LO, 0x00000063);
    ck_assert(vec_bit(f, R_IRR, 0x63));
    wr(f, R_ICR_LO, 0x00000400);                     /* NMI to us */
    ck_assert_int_eq(f->nmis, 1);
    wr(f, R_ICR_LO, 0x00040400);                     /* NMI with self shorthand: invalid */
    ck_assert_int_eq(f->nmis, 1);
    wr(f, R_ICR_LO, 0x000C4500);                     /* SeaBIOS: INIT to all others */
    ck_assert_int_eq(f->inits, 0);
    wr(f, R_ICR_LO, 0x00008500);                     /* INIT level de-assert: no effect */
    ck_assert_int_eq(f->inits, 0);
    /* INIT to self: APIC back to its INIT state, ID kept (10.4.7.3). */
    wr(f, R_ID, 0x00000000);
    wr(f, R_ICR_LO, 0x00004500);
    ck_assert_int_eq(f->inits, 1);
    ck_assert_uint_eq(rd(f, R_SVR), 0xff);
    ck_assert(!vec_bit(f, R_IRR, 0x50));
    fx_free(f);
}
END_TEST

/* 10.6.2: logical destinations in the flat and cluster models. */
START_TEST(test_logical_destination)
{
    Fixture *f = fx_new();
    enable(f);
    ck_assert(!apic_match_dest(f->apic, 0x01, true));   /* LDR 0 matches nothing */
    wr(f, R_LDR, 0x01000000);
    ck_assert(apic_match_dest(f->apic, 0x01, true));
    ck_assert(apic_match_dest(f->apic, 0x03, true));
    ck_assert(!apic_match_dest(f->apic, 0x02, true));
    ck_assert(apic_match_dest(f->apic, 0xff, true));
    wr(f, R_DFR, 0x0fffffff);                        /* cluster model */
    ck_assert_uint_eq(rd(f, R_DFR), 0x0fffffff);
    wr(f, R_LDR, 0x12000000);
    ck_assert(apic_match_dest(f->apic, 0x13, true));
    ck_assert(!apic_match_dest(f->apic, 0x22, true));
    ck_assert(!apic_match_dest(f->apic, 0x11, true));
    ck_assert(apic_match_dest(f->apic, 0x00, false));
    ck_assert(apic_match_dest(f->apic, 0xff, false));
    ck_assert(!apic_match_dest(f->apic, 0x01, false));
    ApicMsg m = { .vector = 0x70, .delivery_mode = APIC_DM_LOWEST, .dest = 0x22, .dest_logical = true };
    apic_deliver_msg(f->apic, &m);
    ck_assert(!vec_bit(f, R_IRR, 0x70));
    m.dest = 0x12;
    apic_deliver_msg(f->apic, &m);
    ck_assert(vec_bit(f, R_IRR, 0x70));
    fx_free(f);
}
END_TEST

/* 10.5.4: one-shot countdown at bus clock / divisor, interrupt at zero. */
START_TEST(test_timer_oneshot)
{
    Fixture *f = fx_new();
    enable(f);
    wr(f, R_TDCR, 0xb);                              /* divide by 1 */
    wr(f, R_LVT_TIMER, 0x40);
    wr(f, R_TMICT, 1000);
    ck_assert_uint_eq(rd(f, R_TMCCT), 1000);
    advance_to(f, 400);
    ck_assert_uint_eq(rd(f, R_TMCCT), 600);
    ck_assert(!vec_bit(f, R_IRR, 0x40));
    advance_to(f, 999);
    ck_assert(!vec_bit(f, R_IRR, 0x40));
    advance_to(f, 1000);
    ck_assert(vec_bit(f, R_IRR, 0x40));
    ck_assert_uint_eq(rd(f, R_TMCCT), 0);
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    /* Divide by 2 (0000b): half the rate. */
    wr(f, R_TDCR, 0x0);
    wr(f, R_TMICT, 100);
    advance_to(f, 1000 + 60);
    ck_assert_uint_eq(rd(f, R_TMCCT), 70);
    /* Changing the divisor keeps the count and changes the rate. */
    wr(f, R_TDCR, 0x3);                              /* divide by 16 */
    ck_assert_uint_eq(rd(f, R_TMCCT), 70);
    advance_to(f, 1060 + 16 * 10);
    ck_assert_uint_eq(rd(f, R_TMCCT), 60);
    /* Writing 0 stops the timer. */
    wr(f, R_TMICT, 0);
    ck_assert_uint_eq(rd(f, R_TMCCT), 0);
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    fx_free(f);
}
END_TEST

/* 10.5.4: periodic mode reloads; a masked timer counts but does not interrupt. */
START_TEST(test_timer_periodic)
{
    Fixture *f = fx_new();
    enable(f);
    wr(f, R_TDCR, 0x3);                              /* divide by 16 */
    wr(f, R_LVT_TIMER, 0x20000 | 0x41);
    wr(f, R_TMICT, 1000);                            /* period 16000 ns */
    int fired = 0;
    for (int k = 1; k <= 3; k++) {
        advance_to(f, 16000 * k - 1);
        ck_assert(!vec_bit(f, R_IRR, 0x41));
        advance_to(f, 16000 * k);
        ck_assert(vec_bit(f, R_IRR, 0x41));
        ck_assert_int_eq(apic_get_interrupt(f->apic), 0x41);
        wr(f, R_EOI, 0);
        fired++;
    }
    ck_assert_int_eq(fired, 3);
    advance_to(f, 48000 + 16 * 250);
    ck_assert_uint_eq(rd(f, R_TMCCT), 750);
    wr(f, R_LVT_TIMER, 0x30041);                     /* masked, still periodic */
    advance_to(f, 16000 * 6);
    ck_assert(!vec_bit(f, R_IRR, 0x41));
    ck_assert_uint_eq(rd(f, R_TMCCT), 1000);
    /* Changing the mode disarms the timer (10.5.4.1). */
    wr(f, R_LVT_TIMER, 0x00041);
    ck_assert_uint_eq(rd(f, R_TMCCT), 0);
    advance_to(f, 16000 * 9);
    ck_assert(!vec_bit(f, R_IRR, 0x41));
    fx_free(f);
}
END_TEST

/* 10.5.4.1: TSC-deadline mode through IA32_TSC_DEADLINE. */
START_TEST(test_timer_tsc_deadline)
{
    Fixture *f = fx_new();
    enable(f);
    wr(f, R_LVT_TIMER, 0x42);                        /* one-shot: MSR writes ignored */
    apic_tsc_deadline_write(f->apic, 5000, 0);
    ck_assert_uint_eq(apic_tsc_deadline_read(f->apic), 0);
    ck_assert_int_eq(clock_next_deadline(&f->clock), INT64_MAX);
    wr(f, R_LVT_TIMER, 0x40042);                     /* TSC-deadline */
    wr(f, R_TMICT, 1234);                            /* ignored in this mode */
    ck_assert_uint_eq(rd(f, R_TMICT), 0);
    ck_assert_uint_eq(rd(f, R_TMCCT), 0);
    advance_to(f, 100);
    apic_tsc_deadline_write(f->apic, 10500, 10100);  /* 400 TSC ticks from now */
    ck_assert_uint_eq(apic_tsc_deadline_read(f->apic), 10500);
    advance_to(f, 499);
    ck_assert(!vec_bit(f, R_IRR, 0x42));
    advance_to(f, 500);
    ck_assert(vec_bit(f, R_IRR, 0x42));
    ck_assert_uint_eq(apic_tsc_deadline_read(f->apic), 0);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x42);
    wr(f, R_EOI, 0);
    /* A deadline in the past fires at once; 0 disarms. */
    apic_tsc_deadline_write(f->apic, 1, 10600);
    advance_to(f, 500);
    ck_assert(vec_bit(f, R_IRR, 0x42));
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x42);
    wr(f, R_EOI, 0);
    apic_tsc_deadline_write(f->apic, 20000, 10600);
    apic_tsc_deadline_write(f->apic, 0, 10600);
    advance_to(f, 20000);
    ck_assert(!vec_bit(f, R_IRR, 0x42));
    fx_free(f);
}
END_TEST

/* 10.5.1 / MP spec virtual wire: LINT0 ExtINT passes the 8259 through. */
START_TEST(test_lint0_extint)
{
    Fixture *f = fx_new();
    /* From reset (LINT0 = ExtINT, software disabled) the PIC gets through. */
    apic_set_lint(f->apic, 0, 1);
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x08);
    ck_assert_int_eq(f->pic_acks, 1);
    ck_assert_int_eq(f->intr, 0);
    /* SeaBIOS: enable, LINT0 = 0x8700. */
    enable(f);
    wr(f, R_LVT_LINT0, 0x8700);
    f->pic_vector = 0x70;
    apic_set_lint(f->apic, 0, 1);
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x70);
    ck_assert(!vec_bit(f, R_ISR, 0x70));             /* ExtINT bypasses ISR */
    /* A fixed APIC interrupt is taken before the PIC's. */
    apic_set_lint(f->apic, 0, 1);
    fixed(f, 0x90, false);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x90);
    ck_assert_int_eq(f->intr, 1);                    /* the PIC still asks */
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x70);
    /* Masked LINT0 blocks the PIC. */
    wr(f, R_LVT_LINT0, 0x18700);
    apic_set_lint(f->apic, 0, 1);
    ck_assert_int_eq(f->intr, 0);
    ck_assert_int_eq(apic_get_interrupt(f->apic), -1);
    /* Unmasking while the PIC still asks raises INTR. */
    wr(f, R_LVT_LINT0, 0x8700);
    ck_assert_int_eq(f->intr, 1);
    fx_free(f);
}
END_TEST

/* 10.4.3: globally disabled, LINT0/LINT1 are the CPU's INTR/NMI and the
 * MMIO page is gone; re-enabling finds the reset state. */
START_TEST(test_global_disable)
{
    Fixture *f = fx_new();
    enable(f);
    wr(f, R_LVT_LINT0, 0x10700);                     /* masked */
    ck_assert(!apic_msr_base_write(f->apic, 0xfee00000ull | 0x800 | 0x400));   /* x2APIC */
    ck_assert(!apic_msr_base_write(f->apic, 0xfee00000ull | 0x800 | 0x1));     /* reserved */
    ck_assert(apic_msr_base_write(f->apic, 0xfee00000ull));
    ck_assert_uint_eq(apic_msr_base_read(f->apic), 0xfee00100);   /* BSP is read-only */
    ck_assert_uint_eq(rd(f, R_VER), 0xffffffff);     /* page unmapped */
    apic_set_lint(f->apic, 0, 1);
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x08);
    apic_set_lint(f->apic, 1, 1);
    ck_assert_int_eq(f->nmis, 1);
    apic_set_lint(f->apic, 1, 0);
    fixed(f, 0x40, false);                           /* not accepted while disabled */
    ck_assert(apic_msr_base_write(f->apic, 0xfee00800ull));
    ck_assert_uint_eq(rd(f, R_SVR), 0xff);
    ck_assert(!vec_bit(f, R_IRR, 0x40));
    ck_assert_uint_eq(rd(f, R_LVT_LINT0), 0x10000);
    /* Relocation: the page follows the base. */
    ck_assert(apic_msr_base_write(f->apic, 0x80000000ull | 0x800));
    ck_assert_uint_eq((uint32_t)as_read(&f->mem, 0x80000030, 4), 0x00050014);
    ck_assert_uint_eq(rd(f, R_VER), 0xffffffff);
    fx_free(f);
}
END_TEST

/* 10.5.1: LINT1 as NMI (edge), LINT0 as level-triggered fixed with remote IRR. */
START_TEST(test_lint_fixed_and_nmi)
{
    Fixture *f = fx_new();
    enable(f);
    wr(f, R_LVT_LINT1, 0x8400);                      /* SeaBIOS's NMI entry */
    apic_set_lint(f->apic, 1, 1);
    apic_set_lint(f->apic, 1, 1);
    ck_assert_int_eq(f->nmis, 1);
    apic_set_lint(f->apic, 1, 0);
    apic_set_lint(f->apic, 1, 1);
    ck_assert_int_eq(f->nmis, 2);
    wr(f, R_LVT_LINT0, 0x8030);                      /* fixed, level, vector 0x30 */
    apic_set_lint(f->apic, 0, 1);
    ck_assert(vec_bit(f, R_IRR, 0x30) && vec_bit(f, R_TMR, 0x30));
    ck_assert_uint_eq(rd(f, R_LVT_LINT0), 0xC030);   /* remote IRR */
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x30);
    wr(f, R_EOI, 0);                                 /* still asserted: taken again */
    ck_assert(vec_bit(f, R_IRR, 0x30));
    ck_assert_uint_eq(rd(f, R_LVT_LINT0), 0xC030);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x30);
    apic_set_lint(f->apic, 0, 0);
    wr(f, R_EOI, 0);
    ck_assert_uint_eq(rd(f, R_LVT_LINT0), 0x8030);
    ck_assert(!vec_bit(f, R_IRR, 0x30));
    /* Edge-triggered fixed on LINT0 with active-low polarity. */
    wr(f, R_LVT_LINT0, 0x2031);
    apic_set_lint(f->apic, 0, 1);
    ck_assert(!vec_bit(f, R_IRR, 0x31));
    apic_set_lint(f->apic, 0, 0);
    ck_assert(vec_bit(f, R_IRR, 0x31));
    fx_free(f);
}
END_TEST

/* 10.4.1: only aligned 32-bit accesses reach registers; odd accesses and
 * out-of-range indexes do not crash. */
START_TEST(test_bad_accesses)
{
    Fixture *f = fx_new();
    enable(f);
    wr(f, R_ID, 0x0a000000);
    ck_assert_uint_eq((uint32_t)as_read(&f->mem, BASE + R_ID + 3, 1), 0x0a);
    ck_assert_uint_eq((uint32_t)as_read(&f->mem, BASE + R_VER, 2), 0x0014);
    ck_assert_uint_eq((uint32_t)as_read(&f->mem, BASE + R_VER + 4, 4), 0);
    ck_assert_uint_eq(as_read(&f->mem, BASE + R_VER, 8), 0x00050014);
    as_write(&f->mem, BASE + R_TPR, 0x40, 1);       /* byte write: dropped */
    as_write(&f->mem, BASE + R_TPR + 4, 0x40, 4);   /* misaligned: dropped */
    as_write(&f->mem, BASE + R_TPR + 2, 0x40, 4);
    ck_assert_uint_eq(rd(f, R_TPR), 0);
    for (uint32_t off = 0; off < APIC_MMIO_SIZE; off += 4) {
        if (off == R_EOI || off == R_ICR_LO || off == R_ID || off == R_SVR)
            continue;
        (void)rd(f, off);
        wr(f, off, 0xffffffff);
    }
    as_write(&f->mem, BASE + 0xffe, 0xffff, 2);
    (void)as_read(&f->mem, BASE + 0xffc, 8);
    /* Writes to read-only registers are ignored. */
    ck_assert_uint_eq(rd(f, R_VER), 0x00050014);
    apic_set_lint(f->apic, 2, 1);                   /* no such pin */
    apic_set_lint(f->apic, -1, 1);
    fx_free(f);
}
END_TEST

static Suite *apic_suite(void)
{
    Suite *s = suite_create("apic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_reset_state);
    tcase_add_test(tc, test_software_disable);
    tcase_add_test(tc, test_priority_and_eoi);
    tcase_add_test(tc, test_tpr_and_cr8);
    tcase_add_test(tc, test_level_eoi_broadcast);
    tcase_add_test(tc, test_esr);
    tcase_add_test(tc, test_ipi);
    tcase_add_test(tc, test_logical_destination);
    tcase_add_test(tc, test_timer_oneshot);
    tcase_add_test(tc, test_timer_periodic);
    tcase_add_test(tc, test_timer_tsc_deadline);
    tcase_add_test(tc, test_lint0_extint);
    tcase_add_test(tc, test_global_disable);
    tcase_add_test(tc, test_lint_fixed_and_nmi);
    tcase_add_test(tc, test_bad_accesses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(apic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
