/*
 * host_backend_native() on x86-64 hosts: the x86-64 code generator.
 */
#include "cpu/host/backend.h"

const HostBackend *host_backend_native(void)
{
    return &host_backend_x86_64;
}
