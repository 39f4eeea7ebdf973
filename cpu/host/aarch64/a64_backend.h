/*
 * The AArch64 native backend (host_backend_aarch64, declared in
 * cpu/host/backend.h). This header adds what tests need to steer it.
 */
#ifndef DOPPEL_CPU_HOST_AARCH64_A64_BACKEND_H
#define DOPPEL_CPU_HOST_AARCH64_A64_BACKEND_H

#include <stdbool.h>

/** Make patch_jump chain every goto_tb through its literal + BR path, as
 *  it does when the destination is beyond the +-128 MiB of a B (tests use
 *  this to exercise the far path); returns the previous setting. */
bool a64_backend_force_far_jumps(void *be, bool on);

#endif
