/*
 * Code buffers on macOS (selected by configure for host_os darwin*,
 * replacing code_buffer.c): one MAP_JIT mapping serves as both views
 * (rw == rx). On Apple silicon the kernel and hardware enforce W^X on it
 * per thread: pthread_jit_write_protect_np(0) makes it writable (and not
 * executable) for the calling thread, (1) executable again, so backends
 * bracket every write with code_buffer_write_begin/end. On Intel Macs
 * MAP_JIT pages are plain RWX and the toggle is unsupported (no-op).
 * Instruction cache maintenance uses sys_icache_invalidate.
 *
 * Not built or tested on the Linux CI machines; see the README's macOS
 * section for building it. (A signed app with the hardened runtime also
 * needs the com.apple.security.cs.allow-jit entitlement; a binary built
 * and run from a shell does not.)
 */
#include <libkern/OSCacheControl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu/host/backend.h"

bool code_buffer_init(CodeBuffer *cb, size_t size, bool executable)
{
    memset(cb, 0, sizeof(*cb));
    if (size == 0) {
        return false;
    }
    if (!executable) {
        cb->rw = calloc(1, size);
        if (!cb->rw) {
            return false;
        }
        cb->rx = cb->rw;
        cb->size = size;
        return true;
    }
    long page = sysconf(_SC_PAGESIZE);
    if (page > 0) {
        size = (size + (size_t)page - 1) & ~((size_t)page - 1);
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANON | MAP_JIT, -1, 0);
    if (p == MAP_FAILED) {
        return false;
    }
    cb->rw = p;
    cb->rx = p;
    cb->size = size;
    cb->mapped = true;
    return true;
}

void code_buffer_destroy(CodeBuffer *cb)
{
    if (cb->mapped) {
        munmap(cb->rw, cb->size);
    } else {
        free(cb->rw);
    }
    memset(cb, 0, sizeof(*cb));
}

void code_buffer_sync(const CodeBuffer *cb, const uint8_t *rx, size_t len)
{
    (void)cb;
    sys_icache_invalidate((void *)(uintptr_t)rx, len);
}

void code_buffer_write_begin(const CodeBuffer *cb)
{
    if (cb->mapped && pthread_jit_write_protect_supported_np()) {
        pthread_jit_write_protect_np(0);
    }
}

void code_buffer_write_end(const CodeBuffer *cb)
{
    if (cb->mapped && pthread_jit_write_protect_supported_np()) {
        pthread_jit_write_protect_np(1);
    }
}
