/*
 * Internal interface between the 82540EM register file (e1000.c) and its
 * receive/transmit data path (e1000_rxtx.c). Not for boards.
 */
#ifndef DOPPEL_DEVICES_E1000_INTERNAL_H
#define DOPPEL_DEVICES_E1000_INTERNAL_H

#include "devices/e1000.h"

static inline uint32_t e1000_reg(const E1000 *s, uint32_t off) { return s->regs[off >> 2]; }
static inline void e1000_set_reg(E1000 *s, uint32_t off, uint32_t v) { s->regs[off >> 2] = v; }

/** Raise interrupt causes (ICR |= causes) and update INTA#. */
void e1000_raise(E1000 *s, uint32_t causes);
/** Drive INTA# from ICR & IMS. */
void e1000_update_irq(E1000 *s);
/** Add n to a statistics register (saturating at 2^32 - 1). */
void e1000_stat_add(E1000 *s, uint32_t off, uint32_t n);
/** Add n to a 64-bit low/high statistics pair. */
void e1000_stat_add64(E1000 *s, uint32_t lo, uint64_t n);

/** Process transmit descriptors from TDH up to TDT (on a TDT write). */
void e1000_tx_run(E1000 *s);
/** Forget a half-assembled packet (reset, TCTL.EN cleared). */
void e1000_tx_reset(E1000 *s);
/** NetNicOps of the receive path. */
extern const NetNicOps e1000_nic_ops;

#endif
