/*
 * host_backend_native() on AArch64 hosts: the AArch64 code generator.
 */
#include "cpu/host/backend.h"

const HostBackend *host_backend_native(void)
{
    return &host_backend_aarch64;
}
