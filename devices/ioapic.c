/*
 * Intel 82093AA I/O Advanced Programmable Interrupt Controller.
 *
 * References: 82093AA IOAPIC datasheet (order 290566-001): 3.0 "Register
 * Description" (IOREGSEL/IOWIN, Table 2 memory map), 3.2.1 IOAPICID,
 * 3.2.2 IOAPICVER, 3.2.3 IOAPICARB, 3.2.4 IOREDTBL[23:0] (Table 4: vector,
 * delivery mode, destination mode, delivery status, polarity, remote IRR,
 * trigger mode, mask, destination); Intel SDM Vol. 3A 10.8.5 (EOI
 * broadcast to the I/O APICs). QEMU's "ioapic" device (version 0x11,
 * 24 pins) is the model a PC guest meets.
 *
 * Delivery is instantaneous, so the delivery-status bit always reads idle.
 * Masked edge-triggered pins drop their edges (datasheet: "not delivered
 * or held pending"); a level-triggered pin is delivered whenever it is
 * asserted, unmasked and its remote IRR is clear.
 */
#include "devices/ioapic.h"

#include <stdlib.h>

#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_REDTBL 0x10

#define RTE_DELIVERY_STATUS (1ull << 12)
#define RTE_POLARITY (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
/* Writable bits: vector, delivery mode, destination mode, polarity,
 * trigger, mask, destination (Table 4; 12 and 14 are read-only). */
#define RTE_WRITABLE (0xff00000000000000ull | 0x1ull << 16 | 0xafffull)

static void ioapic_log(const IoapicState *s, unsigned cat, const char *msg, unsigned val)
{
    if (log_enabled(s->log, cat))
        log_printf(s->log, cat, "ioapic: %s (0x%x)\n", msg, val);
}

static void ioapic_send(IoapicState *s, int pin)
{
    uint64_t e = s->redir[pin];
    ApicMsg m = {
        .vector = (uint8_t)e,
        .delivery_mode = (uint8_t)((e >> 8) & 7),
        .dest = (uint8_t)(e >> 56),
        .dest_logical = (e >> 11) & 1,
        .level = (e & RTE_LEVEL) != 0,
    };
    if (s->deliver)
        s->deliver(s->deliver_opaque, &m);
}

/* Level-triggered pin: deliver while asserted, unmasked and not awaiting
 * an EOI; remote IRR is set when the local APIC accepts it. */
static void ioapic_service_level(IoapicState *s, int pin)
{
    uint64_t *e = &s->redir[pin];
    if (!(*e & RTE_LEVEL) || (*e & (RTE_MASKED | RTE_REMOTE_IRR)) ||
        !((s->pin_level >> pin) & 1))
        return;
    /* NMI, INIT, SMI and ExtINT messages are edge-like: the local APIC
     * never sends an EOI for them, so remote IRR stays clear. */
    unsigned mode = (*e >> 8) & 7;
    if (mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST)
        *e |= RTE_REMOTE_IRR;
    ioapic_send(s, pin);
}

void ioapic_set_irq(void *opaque, int pin, int level)
{
    IoapicState *s = opaque;
    if (pin < 0 || pin >= IOAPIC_NUM_PINS)
        return;
    uint32_t bit = 1u << pin;
    bool was = s->pin_level & bit;
    if (level)
        s->pin_level |= bit;
    else
        s->pin_level &= ~bit;
    uint64_t e = s->redir[pin];
    if (e & RTE_LEVEL)
        ioapic_service_level(s, pin);
    else if (level && !was && !(e & RTE_MASKED))
        ioapic_send(s, pin);
}

IrqLine ioapic_irq_line(IoapicState *s, int pin)
{
    return irq_line(ioapic_set_irq, s, pin);
}

void ioapic_eoi(void *opaque, uint8_t vector)
{
    IoapicState *s = opaque;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t *e = &s->redir[pin];
        if ((*e & RTE_LEVEL) && (*e & RTE_REMOTE_IRR) && (uint8_t)*e == vector) {
            *e &= ~RTE_REMOTE_IRR;
            ioapic_service_level(s, pin);
        }
    }
}

/* ---- registers ---- */

static uint32_t ioapic_reg_read(IoapicState *s, uint8_t idx)
{
    switch (idx) {
    case IOAPIC_REG_ID:
    case IOAPIC_REG_ARB:            /* arbitration ID follows the ID after reset */
        return (uint32_t)(s->id & 0xf) << 24;
    case IOAPIC_REG_VER:
        return IOAPIC_VERSION;
    default:
        if (idx >= IOAPIC_REG_REDTBL && idx < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
            uint64_t e = s->redir[(idx - IOAPIC_REG_REDTBL) / 2];
            return (idx & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
        }
        ioapic_log(s, LOG_guest_errors, "read of a reserved register", idx);
        return 0;
    }
}

static void ioapic_reg_write(IoapicState *s, uint8_t idx, uint32_t val)
{
    if (idx == IOAPIC_REG_ID) {
        s->id = (val >> 24) & 0xf;
        return;
    }
    if (idx < IOAPIC_REG_REDTBL || idx >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        ioapic_log(s, LOG_guest_errors, "write to a read-only or reserved register", idx);
        return;
    }
    int pin = (idx - IOAPIC_REG_REDTBL) / 2;
    uint64_t *e = &s->redir[pin];
    uint64_t nv = (idx & 1) ? ((uint64_t)val << 32) | (*e & 0xffffffffu)
                            : (*e & 0xffffffff00000000ull) | val;
    nv = (nv & RTE_WRITABLE) | (*e & RTE_REMOTE_IRR);
    /* Remote IRR means nothing for an edge entry; Linux clears a stuck one
     * by switching the entry to edge and back (as QEMU allows). */
    if (!(nv & RTE_LEVEL))
        nv &= ~RTE_REMOTE_IRR;
    *e = nv;
    ioapic_service_level(s, pin);
}

/* IOREGSEL (+0x00) and IOWIN (+0x10) are 32-bit registers (Table 2); a
 * byte write to IOREGSEL is accepted, other offsets read 0 and ignore
 * writes. */
static uint64_t ioapic_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    IoapicState *s = opaque;
    uint32_t v;
    if (off < 4)
        v = s->regsel;
    else if (off >= 0x10 && off < 0x14)
        v = ioapic_reg_read(s, s->regsel);
    else
        return 0;
    unsigned shift = (unsigned)(off & 3) * 8;
    v >>= shift;
    return size >= 4 ? v : v & ((1u << (size * 8)) - 1);
}

static void ioapic_mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    IoapicState *s = opaque;
    if (off == 0) {
        s->regsel = (uint8_t)val;
    } else if (off == 0x10 && size == 4) {
        ioapic_reg_write(s, s->regsel, (uint32_t)val);
    } else {
        ioapic_log(s, LOG_guest_errors, "unsupported register access dropped", (unsigned)off);
    }
}

static const MemRegionOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read, .write = ioapic_mmio_write, .min_access = 1, .max_access = 4,
};

/* ---- life cycle ---- */

void ioapic_reset(void *opaque)
{
    IoapicState *s = opaque;
    s->regsel = 0;
    s->id = 0;
    for (int i = 0; i < IOAPIC_NUM_PINS; i++)
        s->redir[i] = RTE_MASKED;
}

IoapicState *ioapic_create(AddressSpace *mem, uint64_t base, IoapicDeliver deliver,
                           void *deliver_opaque, Log *log)
{
    IoapicState *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->deliver = deliver;
    s->deliver_opaque = deliver_opaque;
    s->log = log;
    s->mem = mem;
    if (mem) {
        s->region = as_add_io(mem, "ioapic", base, IOAPIC_MMIO_SIZE, &ioapic_mmio_ops, s, 10);
        if (!s->region) {
            free(s);
            return NULL;
        }
    }
    ioapic_reset(s);
    return s;
}

void ioapic_destroy(void *opaque)
{
    IoapicState *s = opaque;
    if (!s)
        return;
    if (s->region && s->mem)
        as_remove(s->mem, s->region);
    free(s);
}

const DeviceClass ioapic_class = {
    .name = "ioapic",
    .state_size = sizeof(IoapicState),
    .reset = ioapic_reset,
    .save = NULL,
    .load = NULL,
    .destroy = ioapic_destroy,
};
