/*
 * IRQ lines: how devices signal interrupt controllers and controllers
 * signal CPUs. A line is a handler plus its state pointer and a pin
 * number; raising it calls the handler with level 1.
 */
#ifndef DOPPEL_MACHINE_IRQ_H
#define DOPPEL_MACHINE_IRQ_H

typedef void (*IrqHandler)(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler set;   /* NULL: a line connected to nothing */
    void *opaque;
    int n;
} IrqLine;

/** A line that calls set(opaque, n, level). */
static inline IrqLine irq_line(IrqHandler set, void *opaque, int n)
{
    IrqLine l = { set, opaque, n };
    return l;
}

/** Drive the line to level (0 or 1). Safe on an unconnected line. */
static inline void irq_set(const IrqLine *l, int level)
{
    if (l && l->set)
        l->set(l->opaque, l->n, level);
}
static inline void irq_raise(const IrqLine *l) { irq_set(l, 1); }
static inline void irq_lower(const IrqLine *l) { irq_set(l, 0); }
/** Edge: raise then lower. */
static inline void irq_pulse(const IrqLine *l) { irq_set(l, 1); irq_set(l, 0); }

#endif
