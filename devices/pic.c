/*
 * Intel 8259A programmable interrupt controller pair (PC/AT wiring) plus
 * the PIIX ELCR edge/level registers.
 *
 * References: Intel 8259A Programmable Interrupt Controller datasheet
 * (order 231468), sections "Interrupt Sequence", "Programming the 8259A"
 * (ICW1-ICW4, OCW1-OCW3), "End of Interrupt", "Automatic Rotation",
 * "Specific Rotation", "Special Mask Mode", "Poll Command", "Reading the
 * 8259A Status", "Edge and Level Triggered Modes", "Special Fully Nested
 * Mode", "Cascade Mode"; Intel 82371AB PIIX4 datasheet section 4.1.x
 * "ELCR1/ELCR2 - Edge/Level Control Registers".
 *
 * Model notes:
 *  - The slave's INT output feeds the master's IR2 as a level: the master's
 *    IRR bit 2 simply follows it, so a slave request is never lost however
 *    the master's own edge detector would have seen it.
 *  - In edge mode a request stays latched in IRR after its input falls
 *    again (until acknowledged or re-initialised), which is what guests
 *    expect from a short pulse.
 */
#include "devices/pic.h"

#include <stdlib.h>

static void pic_log(PicState *s, unsigned cat, const char *msg, unsigned val)
{
    if (log_enabled(s->log, cat))
        log_printf(s->log, cat, "pic: %s (0x%02x)\n", msg, val);
}

/* Trigger mode of each line: ICW1 LTIM forces all lines to level mode,
 * otherwise the ELCR decides (datasheet "Edge and Level Triggered Modes"). */
static uint8_t chip_level_lines(const PicChip *c)
{
    return c->ltim ? 0xff : c->elcr;
}

/* Priority level of a line: 0 is the highest. The line after `lowest`
 * has the highest priority ("Automatic Rotation", "Specific Rotation"). */
static int chip_prio(const PicChip *c, int line)
{
    return (line - c->lowest - 1) & 7;
}

/* The highest-priority line set in bits, or -1. */
static int chip_highest(const PicChip *c, uint8_t bits)
{
    for (int p = 0; p < 8; p++) {
        int line = (c->lowest + 1 + p) & 7;
        if (bits & (1u << line))
            return line;
    }
    return -1;
}

/* The line that would be delivered now by the priority resolver, or -1.
 * Fully nested mode: a request is blocked by any in-service level of equal
 * or higher priority. Special fully nested mode (master only): the cascade
 * line is not blocked by its own in-service bit. Special mask mode: the ISR
 * no longer inhibits other levels, only a level's own in-service bit and the
 * IMR do. */
static int chip_deliverable(const PicChip *c)
{
    uint8_t req = c->irr & ~c->imr;
    if (!req)
        return -1;
    if (c->special_mask) {
        req &= ~c->isr;
        return req ? chip_highest(c, req) : -1;
    }
    int line = chip_highest(c, req);
    int blocker = chip_highest(c, c->isr);
    if (blocker >= 0) {
        int pb = chip_prio(c, blocker), pr = chip_prio(c, line);
        if (pb < pr)
            return -1;
        if (pb == pr && !(c->is_master && c->sfnm && line == 2))
            return -1;
    }
    return line;
}

/* Recompute the slave output, the master's cascade input and the master's
 * INT output; drive the CPU line when it changes. */
static void pic_update(PicState *s)
{
    PicChip *m = &s->chip[0], *sl = &s->chip[1];
    sl->int_out = chip_deliverable(sl) >= 0;
    if (sl->int_out)
        m->irr |= 1u << 2;
    else
        m->irr &= ~(1u << 2);
    m->int_out = chip_deliverable(m) >= 0;
    if (m->int_out != s->cpu_level) {
        s->cpu_level = m->int_out;
        irq_set(&s->cpu_intr, s->cpu_level);
    }
}

/* Interrupt acknowledge on one chip for line: set the IS bit (unless
 * automatic EOI, where the second INTA pulse clears it again) and clear the
 * edge-triggered request ("Interrupt Sequence" steps 4-6, "AEOI Mode"). */
static void chip_ack(PicChip *c, int line)
{
    uint8_t bit = 1u << line;
    if (c->auto_eoi) {
        if (c->rotate_aeoi)
            c->lowest = line;
    } else {
        c->isr |= bit;
    }
    if (!(chip_level_lines(c) & bit) && !(c->is_master && line == 2))
        c->irr &= ~bit;
}

/* ICW1: start the initialisation sequence ("Initialization Command Words";
 * ICW1 clears the IMR, resets the edge sense circuit, assigns IR7 the lowest
 * priority, clears special mask mode and selects IRR for status reads; with
 * IC4 = 0 every ICW4 function is zero). */
static void chip_icw1(PicState *s, PicChip *c, uint8_t val)
{
    c->need_icw4 = val & 0x01;
    c->single = val & 0x02;
    c->ltim = val & 0x08;
    if (val & 0x04)
        pic_log(s, LOG_unimp, "ICW1 call address interval 4 (MCS-80 only) ignored", val);
    c->init_step = 2;
    c->imr = 0;
    c->isr = 0;
    c->lowest = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->auto_eoi = false;
    c->sfnm = false;
    c->rotate_aeoi = false;
    /* After ICW1 an edge input must go low then high again to request. */
    uint8_t level = chip_level_lines(c);
    c->edge_seen = c->pins;
    c->irr = c->pins & level;
}

/* OCW2: EOI, rotation and priority commands ("Operation Command Words",
 * Figure "OCW2"; "End of Interrupt"; "Automatic Rotation"). */
static void chip_ocw2(PicState *s, PicChip *c, uint8_t val)
{
    int level = val & 7;
    int cmd = val >> 5;
    int line;
    switch (cmd) {
    case 0: /* clear rotate in AEOI mode */
        c->rotate_aeoi = false;
        break;
    case 4: /* set rotate in AEOI mode */
        c->rotate_aeoi = true;
        break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */
        /* In special mask mode an IS bit masked in the IMR is not reset by
         * a non-specific EOI ("Special Mask Mode"). */
        line = chip_highest(c, c->isr & ~(c->special_mask ? c->imr : 0));
        if (line < 0)
            break;
        c->isr &= ~(1u << line);
        if (cmd == 5)
            c->lowest = line;
        break;
    case 3: /* specific EOI */
        c->isr &= ~(1u << level);
        break;
    case 7: /* rotate on specific EOI */
        c->isr &= ~(1u << level);
        c->lowest = level;
        break;
    case 6: /* set priority */
        c->lowest = level;
        break;
    case 2: /* no operation */
    default:
        pic_log(s, LOG_guest_errors, "OCW2 no-op command", val);
        break;
    }
}

static void chip_write(PicState *s, PicChip *c, unsigned port, uint8_t val)
{
    if (port == 0) {
        if (val & 0x10) {
            chip_icw1(s, c, val);
        } else if (val & 0x08) {
            /* OCW3 */
            if (val & 0x04)
                c->poll = true;
            if (val & 0x02)
                c->read_isr = val & 0x01;
            if (val & 0x40)
                c->special_mask = (val >> 5) & 1;
        } else {
            chip_ocw2(s, c, val);
        }
        pic_update(s);
        return;
    }
    switch (c->init_step) {
    case 2: /* ICW2: T7-T3 of the vector */
        c->vector_base = val & 0xf8;
        c->init_step = !c->single ? 3 : (c->need_icw4 ? 4 : 0);
        break;
    case 3: /* ICW3: the PC wiring is fixed (slave on IR2, ID 2) */
        c->icw3 = val;
        if (val != (c->is_master ? 0x04 : 0x02))
            pic_log(s, LOG_unimp, "ICW3 cascade wiring other than IR2 ignored", val);
        c->init_step = c->need_icw4 ? 4 : 0;
        break;
    case 4: /* ICW4 */
        if (!(val & 0x01))
            pic_log(s, LOG_unimp, "ICW4 MCS-80/85 mode not supported", val);
        c->auto_eoi = val & 0x02;
        c->sfnm = val & 0x10;
        c->init_step = 0;
        break;
    default: /* OCW1 */
        c->imr = val;
        break;
    }
    pic_update(s);
}

/* Poll command: the read is treated as an interrupt acknowledge and returns
 * I (bit 7) and the highest requesting level W2-W0 ("Poll Command"). */
static uint8_t chip_poll(PicState *s, PicChip *c)
{
    c->poll = false;
    int line = chip_deliverable(c);
    if (line < 0)
        return 0;
    chip_ack(c, line);
    pic_update(s);
    return 0x80 | line;
}

static uint8_t chip_read(PicState *s, PicChip *c, unsigned port)
{
    if (port == 1)
        return c->imr;
    if (c->poll)
        return chip_poll(s, c);
    return c->read_isr ? c->isr : c->irr;
}

static uint64_t pic_master_read(void *opaque, uint64_t off, unsigned size)
{
    PicState *s = opaque;
    return chip_read(s, &s->chip[0], off & 1);
}

static void pic_master_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PicState *s = opaque;
    chip_write(s, &s->chip[0], off & 1, (uint8_t)val);
}

static uint64_t pic_slave_read(void *opaque, uint64_t off, unsigned size)
{
    PicState *s = opaque;
    return chip_read(s, &s->chip[1], off & 1);
}

static void pic_slave_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PicState *s = opaque;
    chip_write(s, &s->chip[1], off & 1, (uint8_t)val);
}

/* Change a chip's ELCR: lines turning level take IRR from the input;
 * lines turning edge need a fresh rising edge. */
static void chip_set_elcr(PicChip *c, uint8_t elcr)
{
    uint8_t old_level = chip_level_lines(c);
    c->elcr = elcr & c->elcr_mask;
    uint8_t level = chip_level_lines(c);
    uint8_t to_level = level & ~old_level, to_edge = old_level & ~level;
    c->irr = (c->irr & ~to_level) | (c->pins & to_level);
    c->edge_seen = (c->edge_seen & ~to_edge) | (c->pins & to_edge);
}

static uint64_t pic_elcr_read(void *opaque, uint64_t off, unsigned size)
{
    PicState *s = opaque;
    return s->chip[off & 1].elcr;
}

static void pic_elcr_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PicState *s = opaque;
    chip_set_elcr(&s->chip[off & 1], (uint8_t)val);
    pic_update(s);
}

static const MemRegionOps pic_master_ops = {
    .read = pic_master_read, .write = pic_master_write, .min_access = 1, .max_access = 1,
};
static const MemRegionOps pic_slave_ops = {
    .read = pic_slave_read, .write = pic_slave_write, .min_access = 1, .max_access = 1,
};
static const MemRegionOps pic_elcr_ops = {
    .read = pic_elcr_read, .write = pic_elcr_write, .min_access = 1, .max_access = 1,
};

void pic_set_irq(void *opaque, int irq, int level)
{
    PicState *s = opaque;
    if (irq < 0 || irq >= PIC_NUM_IRQS)
        return;
    PicChip *c = &s->chip[irq >> 3];
    uint8_t bit = 1u << (irq & 7);
    if (level)
        c->pins |= bit;
    else
        c->pins &= ~bit;
    if (c->is_master && bit == (1u << 2))
        return; /* IR2 of the master is the cascade input */
    if (chip_level_lines(c) & bit) {
        if (level)
            c->irr |= bit;
        else
            c->irr &= ~bit;
    } else if (level && !(c->edge_seen & bit)) {
        c->irr |= bit;
    }
    if (level)
        c->edge_seen |= bit;
    else
        c->edge_seen &= ~bit;
    pic_update(s);
}

IrqLine pic_irq_line(PicState *pic, int irq)
{
    return irq_line(pic_set_irq, pic, irq);
}

int pic_read_irq(PicState *s)
{
    PicChip *m = &s->chip[0], *sl = &s->chip[1];
    int vector;
    int line = chip_deliverable(m);
    if (line < 0) {
        /* Request withdrawn before INTA: spurious IR7, no IS bit set. */
        vector = m->vector_base | 7;
    } else if (line == 2) {
        chip_ack(m, 2);
        int sline = chip_deliverable(sl);
        if (sline < 0) {
            vector = sl->vector_base | 7;   /* spurious IRQ15 */
        } else {
            chip_ack(sl, sline);
            vector = sl->vector_base | sline;
        }
    } else {
        chip_ack(m, line);
        vector = m->vector_base | line;
    }
    pic_update(s);
    return vector;
}

bool pic_output(const PicState *s)
{
    return s->cpu_level;
}

void pic_set_elcr(PicState *s, int irq, bool level)
{
    if (irq < 0 || irq >= PIC_NUM_IRQS)
        return;
    PicChip *c = &s->chip[irq >> 3];
    uint8_t bit = 1u << (irq & 7);
    chip_set_elcr(c, level ? (c->elcr | bit) : (c->elcr & ~bit));
    pic_update(s);
}

static void chip_reset(PicChip *c, bool master)
{
    uint8_t pins = c->pins;
    *c = (PicChip){ 0 };
    c->pins = pins;
    c->edge_seen = pins;
    c->is_master = master;
    c->lowest = 7;
    /* PIIX: IRQ0, 1, 2, 8 and 13 must stay edge triggered. */
    c->elcr_mask = master ? 0xf8 : 0xde;
}

void pic_reset(void *opaque)
{
    PicState *s = opaque;
    chip_reset(&s->chip[0], true);
    chip_reset(&s->chip[1], false);
    pic_update(s);
}

PicState *pic_create(AddressSpace *io, IrqLine cpu_intr, Log *log)
{
    PicState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->cpu_intr = cpu_intr;
    s->log = log;
    s->io = io;
    pic_reset(s);
    if (io) {
        s->regions[0] = as_add_io(io, "pic-master", PIC_MASTER_BASE, 2, &pic_master_ops, s, 0);
        s->regions[1] = as_add_io(io, "pic-slave", PIC_SLAVE_BASE, 2, &pic_slave_ops, s, 0);
        s->regions[2] = as_add_io(io, "pic-elcr", PIC_ELCR_BASE, 2, &pic_elcr_ops, s, 0);
    }
    return s;
}

void pic_destroy(void *opaque)
{
    PicState *s = opaque;
    if (!s)
        return;
    for (int i = 0; i < 3; i++)
        if (s->io && s->regions[i])
            as_remove(s->io, s->regions[i]);
    free(s);
}

const DeviceClass pic_class = {
    .name = "i8259",
    .state_size = sizeof(PicState),
    .reset = pic_reset,
    .save = NULL,
    .load = NULL,
    .destroy = pic_destroy,
};
