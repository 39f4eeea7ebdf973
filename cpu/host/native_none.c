/*
 * host_backend_native() on hosts without a native code generator: none,
 * so the engine uses the interpreter.
 */
#include <stddef.h>

#include "cpu/host/backend.h"

const HostBackend *host_backend_native(void)
{
    return NULL;
}
