/*
 * Unit tests of the 82093AA IO-APIC (devices/ioapic.c) through its MMIO
 * window (IOREGSEL/IOWIN), its input pins and the EOI path, first with a
 * recording message sink and then wired to the local APIC as on the PC.
 * Section numbers refer to the 82093AA datasheet (290566-001).
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "devices/apic.h"
#include "devices/ioapic.h"
#include "machine/clock.h"
#include "machine/memory.h"

#define BASE IOAPIC_DEFAULT_BASE
#define MAXMSG 16

typedef struct Fixture {
    AddressSpace mem;
    VirtClock clock;
    IoapicState *io;
    ApicState *apic;            /* only in the wired fixture */
    ApicMsg msgs[MAXMSG];
    int nmsg;
    int intr;
} Fixture;

static void sink(void *o, const ApicMsg *m)
{
    Fixture *f = o;
    if (f->nmsg < MAXMSG)
        f->msgs[f->nmsg] = *m;
    f->nmsg++;
}

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->mem, "mem", ~0ull);
    clock_init(&f->clock, CLOCK_ICOUNT, 0);
    f->io = ioapic_create(&f->mem, BASE, sink, f, NULL);
    return f;
}

static void cpu_intr(void *o, int n, int level) { (void)n; ((Fixture *)o)->intr = level; }

/* The PC wiring: IO-APIC messages to the local APIC, its EOIs back. */
static Fixture *fx_new_wired(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->mem, "mem", ~0ull);
    clock_init(&f->clock, CLOCK_ICOUNT, 0);
    ApicConfig c = { .mem = &f->mem, .clock = &f->clock, .bsp = true,
                     .intr = irq_line(cpu_intr, f, 0) };
    f->apic = apic_create(&c);
    f->io = ioapic_create(&f->mem, BASE, apic_deliver_msg, f->apic, NULL);
    apic_set_eoi_handler(f->apic, ioapic_eoi, f->io);
    as_write(&f->mem, APIC_DEFAULT_BASE + 0xf0, 0x1ff, 4);   /* APIC software enable */
    return f;
}

static void fx_free(Fixture *f)
{
    ioapic_destroy(f->io);
    apic_destroy(f->apic);
    as_destroy(&f->mem);
    free(f);
}

static uint32_t reg_rd(Fixture *f, uint8_t idx)
{
    as_write(&f->mem, BASE, idx, 4);
    return (uint32_t)as_read(&f->mem, BASE + 0x10, 4);
}

static void reg_wr(Fixture *f, uint8_t idx, uint32_t v)
{
    as_write(&f->mem, BASE, idx, 4);
    as_write(&f->mem, BASE + 0x10, v, 4);
}

static void rte_wr(Fixture *f, int pin, uint64_t e)
{
    reg_wr(f, (uint8_t)(0x10 + 2 * pin + 1), (uint32_t)(e >> 32));
    reg_wr(f, (uint8_t)(0x10 + 2 * pin), (uint32_t)e);
}

static uint64_t rte_rd(Fixture *f, int pin)
{
    return reg_rd(f, (uint8_t)(0x10 + 2 * pin)) |
           (uint64_t)reg_rd(f, (uint8_t)(0x10 + 2 * pin + 1)) << 32;
}

#define RTE_LEVEL (1ull << 15)
#define RTE_MASK (1ull << 16)
#define RTE_RIRR (1ull << 14)

/* 3.2.1-3.2.4: ID, version, arbitration, reset redirection entries. */
START_TEST(test_registers)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(reg_rd(f, 0x01), 0x00170011);
    ck_assert_uint_eq(reg_rd(f, 0x00), 0);
    reg_wr(f, 0x00, 0xffffffff);
    ck_assert_uint_eq(reg_rd(f, 0x00), 0x0f000000);  /* ID is bits 27:24 */
    ck_assert_uint_eq(reg_rd(f, 0x02), 0x0f000000);
    reg_wr(f, 0x01, 0);                              /* version is read-only */
    ck_assert_uint_eq(reg_rd(f, 0x01), 0x00170011);
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++)
        ck_assert_uint_eq(rte_rd(f, pin), RTE_MASK);
    /* IOREGSEL reads back. */
    as_write(&f->mem, BASE, 0x2b, 4);
    ck_assert_uint_eq((uint32_t)as_read(&f->mem, BASE, 4), 0x2b);
    /* Delivery status (12) and remote IRR (14) are read-only. */
    rte_wr(f, 3, 0xff000000ull << 32 | RTE_MASK | (1u << 14) | (1u << 12) | 0xa55);
    ck_assert_uint_eq(rte_rd(f, 3), 0xff00000000000000ull | RTE_MASK | 0xa55);
    ioapic_reset(f->io);
    ck_assert_uint_eq(rte_rd(f, 3), RTE_MASK);
    ck_assert_uint_eq(reg_rd(f, 0x00), 0);
    fx_free(f);
}
END_TEST

/* Edge-triggered pins deliver once per rising edge; masked edges are lost
 * (3.2.4, Interrupt Mask). */
START_TEST(test_edge)
{
    Fixture *f = fx_new();
    rte_wr(f, 4, 0x34);                              /* fixed, physical dest 0, edge */
    ioapic_set_irq(f->io, 4, 1);
    ioapic_set_irq(f->io, 4, 1);
    ck_assert_int_eq(f->nmsg, 1);
    ck_assert_int_eq(f->msgs[0].vector, 0x34);
    ck_assert_int_eq(f->msgs[0].delivery_mode, APIC_DM_FIXED);
    ck_assert(!f->msgs[0].level);
    ioapic_set_irq(f->io, 4, 0);
    ioapic_set_irq(f->io, 4, 1);
    ck_assert_int_eq(f->nmsg, 2);
    ioapic_set_irq(f->io, 4, 0);
    rte_wr(f, 4, RTE_MASK | 0x34);
    ioapic_set_irq(f->io, 4, 1);
    ioapic_set_irq(f->io, 4, 0);
    rte_wr(f, 4, 0x34);
    ck_assert_int_eq(f->nmsg, 2);
    ck_assert_uint_eq(rte_rd(f, 4) & RTE_RIRR, 0);   /* edge never sets remote IRR */
    fx_free(f);
}
END_TEST

/* Level-triggered pins: remote IRR set on delivery, cleared by the EOI for
 * its vector; a still-asserted pin is delivered again. */
START_TEST(test_level)
{
    Fixture *f = fx_new();
    rte_wr(f, 9, RTE_LEVEL | 0x39);
    ioapic_set_irq(f->io, 9, 1);
    ck_assert_int_eq(f->nmsg, 1);
    ck_assert(f->msgs[0].level);
    ck_assert(rte_rd(f, 9) & RTE_RIRR);
    ioapic_set_irq(f->io, 9, 1);
    ck_assert_int_eq(f->nmsg, 1);
    ioapic_eoi(f->io, 0x38);                         /* other vector: nothing */
    ck_assert(rte_rd(f, 9) & RTE_RIRR);
    ioapic_eoi(f->io, 0x39);
    ck_assert_int_eq(f->nmsg, 2);                    /* still asserted: again */
    ck_assert(rte_rd(f, 9) & RTE_RIRR);
    ioapic_set_irq(f->io, 9, 0);
    ioapic_eoi(f->io, 0x39);
    ck_assert_int_eq(f->nmsg, 2);
    ck_assert_uint_eq(rte_rd(f, 9) & RTE_RIRR, 0);
    /* Asserted while masked: delivered on unmask. */
    rte_wr(f, 9, RTE_LEVEL | RTE_MASK | 0x39);
    ioapic_set_irq(f->io, 9, 1);
    ck_assert_int_eq(f->nmsg, 2);
    rte_wr(f, 9, RTE_LEVEL | 0x39);
    ck_assert_int_eq(f->nmsg, 3);
    /* Switching to edge clears a stuck remote IRR. */
    rte_wr(f, 9, 0x39);
    ck_assert_uint_eq(rte_rd(f, 9) & RTE_RIRR, 0);
    fx_free(f);
}
END_TEST

/* Message fields come from the entry (3.2.4, Table 4). */
START_TEST(test_message_fields)
{
    Fixture *f = fx_new();
    rte_wr(f, 12, 0x03ull << 56 | (1u << 11) | (APIC_DM_LOWEST << 8) | 0x5c);
    ioapic_set_irq(f->io, 12, 1);
    ck_assert_int_eq(f->nmsg, 1);
    ck_assert_int_eq(f->msgs[0].dest, 3);
    ck_assert(f->msgs[0].dest_logical);
    ck_assert_int_eq(f->msgs[0].delivery_mode, APIC_DM_LOWEST);
    ck_assert_int_eq(f->msgs[0].vector, 0x5c);
    /* NMI through a level entry does not wait for an EOI. */
    rte_wr(f, 13, RTE_LEVEL | (APIC_DM_NMI << 8));
    ioapic_set_irq(f->io, 13, 1);
    ck_assert_int_eq(f->nmsg, 2);
    ck_assert_int_eq(f->msgs[1].delivery_mode, APIC_DM_NMI);
    ck_assert_uint_eq(rte_rd(f, 13) & RTE_RIRR, 0);
    fx_free(f);
}
END_TEST

/* Bad register indexes, pins and odd accesses are harmless. */
START_TEST(test_bad_input)
{
    Fixture *f = fx_new();
    ck_assert_uint_eq(reg_rd(f, 0x03), 0);
    ck_assert_uint_eq(reg_rd(f, 0x40), 0);           /* past entry 23 */
    ck_assert_uint_eq(reg_rd(f, 0xff), 0);
    reg_wr(f, 0x40, 0xffffffff);
    reg_wr(f, 0xff, 0xffffffff);
    reg_wr(f, 0x02, 0xffffffff);                     /* arbitration ID: read-only */
    ck_assert_uint_eq(reg_rd(f, 0x02), 0);
    ioapic_set_irq(f->io, 24, 1);
    ioapic_set_irq(f->io, -1, 1);
    ioapic_set_irq(f->io, 1000, 1);
    as_write(&f->mem, BASE, 0x10, 4);
    as_write(&f->mem, BASE + 0x12, 0, 2);            /* partial IOWIN write: dropped */
    as_write(&f->mem, BASE + 0x10, 0, 1);
    ck_assert_uint_eq(rte_rd(f, 0), RTE_MASK);
    ck_assert_uint_eq((uint32_t)as_read(&f->mem, BASE + 0x20, 4), 0);
    ck_assert_uint_eq((uint32_t)as_read(&f->mem, BASE + 0xffc, 4), 0);
    as_write(&f->mem, BASE + 0x40, 0xffffffff, 4);   /* no EOI register in version 0x11 */
    as_write(&f->mem, BASE + 0xffe, 0xffff, 2);
    (void)as_read(&f->mem, BASE + 0xffc, 8);
    ck_assert_int_eq(f->nmsg, 0);
    fx_free(f);
}
END_TEST

/* The PC path: pin -> IO-APIC -> local APIC -> CPU, EOI back to the
 * IO-APIC (SDM Vol. 3A 10.8.5). */
START_TEST(test_wired_to_apic)
{
    Fixture *f = fx_new_wired();
    rte_wr(f, 2, 0x30);                              /* IRQ0 override: edge */
    rte_wr(f, 11, RTE_LEVEL | 0x3b);                 /* PCI link: level */
    ioapic_set_irq(f->io, 11, 1);
    ioapic_set_irq(f->io, 2, 1);
    ck_assert_int_eq(f->intr, 1);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x3b);
    ck_assert_int_eq(apic_get_interrupt(f->apic), -1);   /* 0x30: same class */
    ck_assert(rte_rd(f, 11) & RTE_RIRR);
    ioapic_set_irq(f->io, 11, 0);                    /* the device is serviced */
    as_write(&f->mem, APIC_DEFAULT_BASE + 0xb0, 0, 4);   /* EOI */
    ck_assert_uint_eq(rte_rd(f, 11) & RTE_RIRR, 0);
    ck_assert_int_eq(apic_get_interrupt(f->apic), 0x30);
    as_write(&f->mem, APIC_DEFAULT_BASE + 0xb0, 0, 4);
    ck_assert_int_eq(f->intr, 0);
    /* Messages to another APIC ID are not accepted. */
    rte_wr(f, 5, 0x01ull << 56 | 0x45);
    ioapic_set_irq(f->io, 5, 1);
    ck_assert_int_eq(f->intr, 0);
    fx_free(f);
}
END_TEST

static Suite *ioapic_suite(void)
{
    Suite *s = suite_create("ioapic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_registers);
    tcase_add_test(tc, test_edge);
    tcase_add_test(tc, test_level);
    tcase_add_test(tc, test_message_fields);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_wired_to_apic);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(ioapic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
