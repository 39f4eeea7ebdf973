/*
 * Unit tests of the 8259A pair (devices/pic.c), driven through the port
 * I/O address space, the input lines and the INTA cycle. Section names
 * refer to the Intel 8259A datasheet.
 */
#include <check.h>
#include <stdlib.h>

#include "devices/pic.h"
#include "machine/memory.h"

typedef struct Fixture {
    AddressSpace io;
    PicState *pic;
    int cpu_level;
    int cpu_changes;
} Fixture;

static void cpu_intr(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    f->cpu_level = level;
    f->cpu_changes++;
}

static Fixture *fx_new(void)
{
    Fixture *f = calloc(1, sizeof(*f));
    as_init(&f->io, "io", ~0ull);
    f->pic = pic_create(&f->io, irq_line(cpu_intr, f, 0), NULL);
    return f;
}

static void fx_free(Fixture *f)
{
    pic_destroy(f->pic);
    as_destroy(&f->io);
    free(f);
}

static void outb(Fixture *f, uint16_t port, uint8_t v) { as_write(&f->io, port, v, 1); }
static uint8_t inb(Fixture *f, uint16_t port) { return (uint8_t)as_read(&f->io, port, 1); }

/* The BIOS/Linux sequence: edge, cascade, ICW4 8086 mode; master vectors
 * 0x08, slave 0x70. icw4 lets a test add AEOI (0x02) or SFNM (0x10). */
static void pic_init(Fixture *f, uint8_t master_icw4, uint8_t slave_icw4)
{
    outb(f, 0x20, 0x11);
    outb(f, 0x21, 0x08);
    outb(f, 0x21, 0x04);
    outb(f, 0x21, master_icw4);
    outb(f, 0xa0, 0x11);
    outb(f, 0xa1, 0x70);
    outb(f, 0xa1, 0x02);
    outb(f, 0xa1, slave_icw4);
}

static uint8_t read_isr(Fixture *f, uint16_t base)
{
    outb(f, base, 0x0b);   /* OCW3: read ISR */
    return inb(f, base);
}

static uint8_t read_irr(Fixture *f, uint16_t base)
{
    outb(f, base, 0x0a);   /* OCW3: read IRR */
    return inb(f, base);
}

START_TEST(test_init_sequence)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    /* ICW1 clears the IMR. */
    ck_assert_uint_eq(inb(f, 0x21), 0x00);
    ck_assert_uint_eq(inb(f, 0xa1), 0x00);
    /* OCW1 reads back. */
    outb(f, 0x21, 0xb8);
    ck_assert_uint_eq(inb(f, 0x21), 0xb8);
    outb(f, 0x21, 0x00);
    ck_assert_int_eq(f->cpu_level, 0);
    pic_set_irq(f->pic, 1, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_uint_eq(read_irr(f, 0x20), 0x02);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x09);
    ck_assert_int_eq(f->cpu_level, 0);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x02);
    /* Edge mode: the acknowledged request leaves IRR. */
    ck_assert_uint_eq(read_irr(f, 0x20), 0x00);
    outb(f, 0x20, 0x20);   /* non-specific EOI */
    ck_assert_uint_eq(read_isr(f, 0x20), 0x00);
    /* ICW1 resets the edge sense circuit: a line already high must go
     * low and high again before it requests. */
    pic_set_irq(f->pic, 5, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0d);
    pic_init(f, 0x01, 0x01);
    pic_set_irq(f->pic, 5, 1);
    ck_assert_int_eq(f->cpu_level, 0);
    pic_set_irq(f->pic, 5, 0);
    pic_set_irq(f->pic, 5, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    /* Re-initialising mid-service clears ISR and IMR again. */
    outb(f, 0x21, 0xff);
    pic_init(f, 0x01, 0x01);
    ck_assert_uint_eq(inb(f, 0x21), 0x00);
    fx_free(f);
}
END_TEST

START_TEST(test_priority_and_nesting)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    pic_set_irq(f->pic, 5, 1);
    pic_set_irq(f->pic, 3, 1);
    /* Fully nested mode: IR0 highest ... IR7 lowest. */
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0b);
    /* IR5 is lower than the in-service IR3: no INT. */
    ck_assert_int_eq(f->cpu_level, 0);
    /* IR1 is higher: it nests. */
    pic_set_irq(f->pic, 1, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x09);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x0a);
    /* Non-specific EOI resets the highest-priority IS bit (IR1). */
    outb(f, 0x20, 0x20);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x08);
    ck_assert_int_eq(f->cpu_level, 0);
    outb(f, 0x20, 0x20);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0d);
    fx_free(f);
}
END_TEST

START_TEST(test_masking)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    outb(f, 0x21, 0x08);   /* mask IR3 */
    pic_set_irq(f->pic, 3, 1);
    ck_assert_int_eq(f->cpu_level, 0);
    /* The request is still latched in IRR. */
    ck_assert_uint_eq(read_irr(f, 0x20), 0x08);
    outb(f, 0x21, 0x00);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0b);
    /* Masking the cascade line hides slave requests. */
    outb(f, 0x20, 0x20);
    outb(f, 0x21, 0x04);
    pic_set_irq(f->pic, 14, 1);
    ck_assert_int_eq(f->cpu_level, 0);
    ck_assert_uint_eq(read_irr(f, 0xa0), 0x40);
    outb(f, 0x21, 0x00);
    ck_assert_int_eq(f->cpu_level, 1);
    fx_free(f);
}
END_TEST

START_TEST(test_eoi_forms_and_rotation)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    pic_set_irq(f->pic, 6, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0e);
    pic_set_irq(f->pic, 2 + 1, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0b);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x48);
    /* Specific EOI for IR6 (OCW2 011 L=6) leaves IR3 in service. */
    outb(f, 0x20, 0x66);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x08);
    /* Rotate on non-specific EOI: IR3 becomes the lowest priority. */
    outb(f, 0x20, 0xa0);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x00);
    pic_set_irq(f->pic, 3, 0);
    pic_set_irq(f->pic, 3, 1);
    pic_set_irq(f->pic, 4, 1);
    pic_set_irq(f->pic, 0, 1);
    /* Order now IR4 > IR5 > IR6 > IR7 > IR0 > ... > IR3. */
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0c);
    /* Rotate on specific EOI (111, L=4): IR4 lowest, so IR5.. IR0 first. */
    outb(f, 0x20, 0xe4);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x08);
    outb(f, 0x20, 0x60);   /* specific EOI IR0 */
    /* Set priority (110, L=7): back to IR0 highest; IR3 is next. */
    outb(f, 0x20, 0xc7);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0b);
    /* Specific EOI of a level not in service changes nothing. */
    outb(f, 0x20, 0x65);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x08);
    fx_free(f);
}
END_TEST

START_TEST(test_level_vs_edge)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    /* ELCR2 bit 2 = IRQ10 level triggered. */
    outb(f, 0x4d1, 0x04);
    ck_assert_uint_eq(inb(f, 0x4d1), 0x04);
    pic_set_irq(f->pic, 10, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x72);
    outb(f, 0xa0, 0x20);
    outb(f, 0x20, 0x20);
    /* Still asserted: a level line interrupts again after EOI. */
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x72);
    outb(f, 0xa0, 0x20);
    outb(f, 0x20, 0x20);
    /* Deasserting removes the request from IRR. */
    pic_set_irq(f->pic, 10, 0);
    ck_assert_int_eq(f->cpu_level, 0);
    ck_assert_uint_eq(read_irr(f, 0xa0), 0x00);

    /* Edge line held high: one interrupt only. */
    pic_set_irq(f->pic, 4, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0c);
    outb(f, 0x20, 0x20);
    ck_assert_int_eq(f->cpu_level, 0);
    pic_set_irq(f->pic, 4, 1);   /* no new edge */
    ck_assert_int_eq(f->cpu_level, 0);
    pic_set_irq(f->pic, 4, 0);
    pic_set_irq(f->pic, 4, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0c);
    outb(f, 0x20, 0x20);

    /* A short edge pulse stays latched until acknowledged. */
    pic_set_irq(f->pic, 5, 1);
    pic_set_irq(f->pic, 5, 0);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0d);
    outb(f, 0x20, 0x20);

    /* ICW1 LTIM makes every line of that chip level triggered. */
    pic_set_irq(f->pic, 4, 0);
    outb(f, 0x20, 0x19);
    outb(f, 0x21, 0x08);
    outb(f, 0x21, 0x04);
    outb(f, 0x21, 0x01);
    pic_set_irq(f->pic, 6, 1);
    pic_set_irq(f->pic, 6, 0);
    ck_assert_int_eq(f->cpu_level, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_elcr_reserved_bits)
{
    Fixture *f = fx_new();
    /* PIIX: IRQ0-2 and IRQ8, IRQ13 cannot be level triggered. */
    outb(f, 0x4d0, 0xff);
    outb(f, 0x4d1, 0xff);
    ck_assert_uint_eq(inb(f, 0x4d0), 0xf8);
    ck_assert_uint_eq(inb(f, 0x4d1), 0xde);
    pic_set_elcr(f->pic, 9, false);
    ck_assert_uint_eq(inb(f, 0x4d1), 0xdc);
    pic_set_elcr(f->pic, 0, true);
    ck_assert_uint_eq(inb(f, 0x4d0), 0xf8);
    pic_set_elcr(f->pic, 99, true);   /* out of range: ignored */
    fx_free(f);
}
END_TEST

START_TEST(test_cascade_vector)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    pic_set_irq(f->pic, 12, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    /* The master sees the slave on IR2; the slave supplies the vector. */
    ck_assert_uint_eq(read_irr(f, 0x20), 0x04);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x74);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x04);
    ck_assert_uint_eq(read_isr(f, 0xa0), 0x10);
    /* Fully nested: a slave request blocks lower master lines (IR3+)... */
    pic_set_irq(f->pic, 3, 1);
    ck_assert_int_eq(f->cpu_level, 0);
    /* ...and without SFNM even a higher slave line (IRQ9). */
    pic_set_irq(f->pic, 9, 1);
    ck_assert_int_eq(f->cpu_level, 0);
    /* IR0 and IR1 still nest. */
    pic_set_irq(f->pic, 0, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x08);
    outb(f, 0x20, 0x20);   /* EOI IR0 */
    outb(f, 0xa0, 0x20);   /* slave EOI for IRQ12 */
    outb(f, 0x20, 0x20);   /* master EOI for IR2 */
    /* Now IRQ9 (via IR2) beats IR3. */
    ck_assert_int_eq(pic_read_irq(f->pic), 0x71);
    fx_free(f);
}
END_TEST

START_TEST(test_special_fully_nested)
{
    Fixture *f = fx_new();
    pic_init(f, 0x11, 0x01);   /* master ICW4 SFNM */
    pic_set_irq(f->pic, 12, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x74);
    /* A higher-priority slave request nests through the in-service IR2. */
    pic_set_irq(f->pic, 9, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x71);
    /* Lower master lines stay blocked. */
    pic_set_irq(f->pic, 5, 1);
    ck_assert_int_eq(f->cpu_level, 0);
    fx_free(f);
}
END_TEST

START_TEST(test_spurious_irq7)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    outb(f, 0x4d0, 0x10);   /* IRQ4 level */
    pic_set_irq(f->pic, 4, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    pic_set_irq(f->pic, 4, 0);   /* withdrawn before INTA */
    /* INTA with nothing pending: IR7's vector, no IS bit. */
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0f);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x00);
    /* Same on the slave side through IR2: the master answers IR7 since
     * its cascade input dropped with the slave's output. */
    outb(f, 0x4d1, 0x08);   /* IRQ11 level */
    pic_set_irq(f->pic, 11, 1);
    pic_set_irq(f->pic, 11, 0);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0f);
    ck_assert_uint_eq(read_isr(f, 0xa0), 0x00);
    fx_free(f);
}
END_TEST

START_TEST(test_auto_eoi)
{
    Fixture *f = fx_new();
    pic_init(f, 0x03, 0x01);   /* master AEOI */
    pic_set_irq(f->pic, 0, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x08);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x00);
    /* No in-service bit: a lower request follows at once. */
    pic_set_irq(f->pic, 6, 1);
    ck_assert_int_eq(f->cpu_level, 1);
    /* Rotate in AEOI mode (OCW2 100): the served line becomes lowest. */
    outb(f, 0x20, 0x80);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0e);
    pic_set_irq(f->pic, 0, 0);
    pic_set_irq(f->pic, 0, 1);
    pic_set_irq(f->pic, 7, 1);
    /* Order now IR7, IR0, IR1, ..., IR6: IR7 wins over IR0. */
    ck_assert_uint_eq(read_irr(f, 0x20), 0x81);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0f);
    ck_assert_uint_eq(read_irr(f, 0x20), 0x01);
    outb(f, 0x20, 0x00);   /* clear rotate in AEOI */
    ck_assert_int_eq(pic_read_irq(f->pic), 0x08);
    fx_free(f);
}
END_TEST

START_TEST(test_poll_mode)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    outb(f, 0x20, 0x0c);   /* OCW3 P=1 */
    ck_assert_uint_eq(inb(f, 0x20), 0x00);   /* nothing pending */
    pic_set_irq(f->pic, 5, 1);
    pic_set_irq(f->pic, 6, 1);
    outb(f, 0x20, 0x0c);
    /* I=1, W=5; the read acts as INTA and sets IS5. */
    ck_assert_uint_eq(inb(f, 0x20), 0x85);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x20);
    /* The poll is one-shot: the next read is a status read again (ISR). */
    ck_assert_uint_eq(inb(f, 0x20), 0x20);
    fx_free(f);
}
END_TEST

START_TEST(test_special_mask_mode)
{
    Fixture *f = fx_new();
    pic_init(f, 0x01, 0x01);
    pic_set_irq(f->pic, 3, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0b);
    pic_set_irq(f->pic, 5, 1);
    ck_assert_int_eq(f->cpu_level, 0);
    /* Mask own level and enter special mask mode: lower IR5 is enabled. */
    outb(f, 0x21, 0x08);
    outb(f, 0x20, 0x68);
    ck_assert_int_eq(f->cpu_level, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x0d);
    /* A non-specific EOI does not reset the masked IS3 in SMM. */
    outb(f, 0x20, 0x20);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x08);
    /* Reset special mask mode. */
    outb(f, 0x20, 0x48);
    outb(f, 0x20, 0x20);
    ck_assert_uint_eq(read_isr(f, 0x20), 0x00);
    fx_free(f);
}
END_TEST

START_TEST(test_bad_guest_input)
{
    Fixture *f = fx_new();
    /* 8080 mode ICW4, odd cascade wiring, MCS-80 ICW1: logged, no crash. */
    outb(f, 0x20, 0x17);
    outb(f, 0x21, 0xff);
    outb(f, 0x21, 0x80);
    outb(f, 0x21, 0x00);
    /* OCW2 no-op and EOIs with nothing in service. */
    outb(f, 0x20, 0x40);
    outb(f, 0x20, 0x20);
    outb(f, 0x20, 0xa0);
    /* Wide accesses are split into bytes. */
    as_write(&f->io, 0x20, 0xffffffff, 4);
    (void)as_read(&f->io, 0x20, 4);
    pic_set_irq(f->pic, -1, 1);
    pic_set_irq(f->pic, 16, 1);
    pic_set_irq(f->pic, 1 << 30, 1);
    /* The vector base keeps T7-T3 only; reset restores power-on state. */
    pic_class.reset(f->pic);
    ck_assert_int_eq(f->cpu_level, 0);
    outb(f, 0x20, 0x13);   /* single, ICW4 */
    outb(f, 0x21, 0x0f);
    outb(f, 0x21, 0x01);
    pic_set_irq(f->pic, 2, 1);   /* the master's IR2 is the cascade input */
    ck_assert_int_eq(f->cpu_level, 0);
    pic_set_irq(f->pic, 1, 1);
    ck_assert_int_eq(pic_read_irq(f->pic), 0x09);
    ck_assert_str_eq(pic_class.name, "i8259");
    fx_free(f);
}
END_TEST

static Suite *pic_suite(void)
{
    Suite *s = suite_create("pic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_init_sequence);
    tcase_add_test(tc, test_priority_and_nesting);
    tcase_add_test(tc, test_masking);
    tcase_add_test(tc, test_eoi_forms_and_rotation);
    tcase_add_test(tc, test_level_vs_edge);
    tcase_add_test(tc, test_elcr_reserved_bits);
    tcase_add_test(tc, test_cascade_vector);
    tcase_add_test(tc, test_special_fully_nested);
    tcase_add_test(tc, test_spurious_irq7);
    tcase_add_test(tc, test_auto_eoi);
    tcase_add_test(tc, test_poll_mode);
    tcase_add_test(tc, test_special_mask_mode);
    tcase_add_test(tc, test_bad_guest_input);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
