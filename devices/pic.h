/*
 * Intel 8259A programmable interrupt controller, as a PC/AT pair: the master
 * at ports 0x20/0x21, the slave at 0xA0/0xA1 cascaded on the master's IR2,
 * plus the PIIX edge/level control registers (ELCR) at 0x4D0/0x4D1.
 *
 * Devices drive input lines 0..15 through pic_set_irq (build IrqLines with
 * irq_line(pic_set_irq, pic, n) or pic_irq_line); the master's INT output
 * drives the CPU line given to pic_create whenever it changes, and the CPU
 * runs the interrupt-acknowledge cycle with pic_read_irq.
 */
#ifndef DOPPEL_DEVICES_PIC_H
#define DOPPEL_DEVICES_PIC_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/device.h"
#include "machine/irq.h"
#include "machine/log.h"
#include "machine/memory.h"

#define PIC_MASTER_BASE 0x20
#define PIC_SLAVE_BASE 0xA0
#define PIC_ELCR_BASE 0x4D0
#define PIC_NUM_IRQS 16

/* One 8259A. */
typedef struct PicChip {
    uint8_t irr;            /* interrupt request register */
    uint8_t isr;            /* in-service register */
    uint8_t imr;            /* interrupt mask register (OCW1) */
    uint8_t pins;           /* current level of the IR inputs */
    uint8_t edge_seen;      /* edge detector: input was high at last look */
    uint8_t elcr;           /* level-triggered lines (ELCR) */
    uint8_t elcr_mask;      /* ELCR bits that may be set */
    uint8_t vector_base;    /* ICW2, T7..T3 */
    uint8_t icw3;           /* cascade configuration as written */
    uint8_t lowest;         /* line with the lowest priority (rotation) */
    uint8_t init_step;      /* 0: operational; 2..4: expecting ICW2..ICW4 */
    bool ltim;              /* ICW1 LTIM: every line level triggered */
    bool single;            /* ICW1 SNGL */
    bool need_icw4;         /* ICW1 IC4 */
    bool auto_eoi;          /* ICW4 AEOI */
    bool sfnm;              /* ICW4 special fully nested mode */
    bool rotate_aeoi;       /* OCW2 rotate in automatic EOI mode */
    bool special_mask;      /* OCW3 special mask mode */
    bool read_isr;          /* OCW3 RIS: command port reads ISR, else IRR */
    bool poll;              /* OCW3 P: next command port read is a poll */
    bool is_master;
    bool int_out;           /* INT output level */
} PicChip;

typedef struct PicState {
    PicChip chip[2];        /* [0] master, [1] slave */
    IrqLine cpu_intr;
    bool cpu_level;         /* last level driven on cpu_intr */
    Log *log;
    AddressSpace *io;
    MemRegion *regions[3];
} PicState;

/** Create the master/slave pair, register its ports (0x20-0x21, 0xA0-0xA1,
 *  0x4D0-0x4D1) on io, and drive cpu_intr with the master's INT output.
 *  log may be NULL. */
PicState *pic_create(AddressSpace *io, IrqLine cpu_intr, Log *log);

/** Set input line irq (0..15) to level (0 or nonzero). Matches IrqHandler,
 *  so a line is irq_line(pic_set_irq, pic, irq). Out-of-range irqs are
 *  ignored. */
void pic_set_irq(void *pic, int irq, int level);

/** The IrqLine for input irq (0..15). */
IrqLine pic_irq_line(PicState *pic, int irq);

/** The CPU's interrupt-acknowledge cycle: returns the vector of the
 *  highest-priority pending request and marks it in service (8259A
 *  datasheet, "Interrupt Sequence"). With no request left it returns the
 *  spurious vector for IR7 of the chip concerned (IRQ7, or IRQ15 after a
 *  cascade acknowledge) without setting an in-service bit. */
int pic_read_irq(PicState *pic);

/** True while the master's INT output is high. */
bool pic_output(const PicState *pic);

/** Chipset control of trigger mode: line irq (0..15) level triggered if
 *  level is true, edge triggered otherwise (the ELCR bit). Lines whose ELCR
 *  bit is reserved (IRQ0-2, 8, 13) stay edge triggered. */
void pic_set_elcr(PicState *pic, int irq, bool level);

/** Reset both chips to their power-on state (ELCR cleared). */
void pic_reset(void *pic);

/** Unregister the ports and free the state. */
void pic_destroy(void *pic);

extern const DeviceClass pic_class;

#endif
