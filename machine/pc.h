/*
 * The PC board (-M pc): i440FX host bridge + PIIX3/PIIX4 functions, the ISA
 * devices SeaBIOS and Linux expect, IDE, VGA, and one x86 CPU.
 */
#ifndef DOPPEL_MACHINE_PC_H
#define DOPPEL_MACHINE_PC_H

#include "machine/machine.h"

extern const BoardClass board_pc;

#endif
