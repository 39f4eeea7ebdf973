/*
 * Code buffers: memory for generated host code with separate writable and
 * executable views, so W^X hosts never see a page both writable and
 * executable. On Linux the two views are two mappings of one memfd. The
 * interpreter's buffer is plain memory (rw == rx). (macOS:
 * code_buffer_macos.c.)
 *
 * DOPPEL_CODE_SYNC=mprotect in the environment makes code_buffer_sync
 * also flip the executable pages to read-write and back. That is for
 * user-mode emulators that only notice modified code through page
 * protection changes and miss writes through the other view of a double
 * mapping (qemu-aarch64 before 8.1, which ignores IC IVAU); real hardware
 * needs only the cache maintenance.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cpu/host/backend.h"

static bool code_buffer_map_memfd(CodeBuffer *cb, size_t size)
{
    int fd = memfd_create("doppel-code", MFD_CLOEXEC);
    if (fd < 0)
        return false;
    if (ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return false;
    }
    void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (rw == MAP_FAILED) {
        close(fd);
        return false;
    }
    void *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd);   /* the mappings keep the memory alive */
    if (rx == MAP_FAILED) {
        munmap(rw, size);
        return false;
    }
    cb->rw = rw;
    cb->rx = rx;
    return true;
}

bool code_buffer_init(CodeBuffer *cb, size_t size, bool executable)
{
    memset(cb, 0, sizeof(*cb));
    if (size == 0)
        return false;
    if (!executable) {
        cb->rw = calloc(1, size);
        if (!cb->rw)
            return false;
        cb->rx = cb->rw;
        cb->size = size;
        return true;
    }
    long page = sysconf(_SC_PAGESIZE);
    if (page > 0)
        size = (size + (size_t)page - 1) & ~((size_t)page - 1);
    if (!code_buffer_map_memfd(cb, size))
        return false;
    cb->mapped = true;
    cb->size = size;
    const char *sync = getenv("DOPPEL_CODE_SYNC");
    cb->sync_remap = sync && !strcmp(sync, "mprotect");
    return true;
}

void code_buffer_destroy(CodeBuffer *cb)
{
    if (cb->mapped) {
        munmap(cb->rw, cb->size);
        if (cb->rx != cb->rw)
            munmap(cb->rx, cb->size);
    } else {
        free(cb->rw);
    }
    memset(cb, 0, sizeof(*cb));
}

void code_buffer_sync(const CodeBuffer *cb, const uint8_t *rx, size_t len)
{
    __builtin___clear_cache((char *)(uintptr_t)rx, (char *)(uintptr_t)(rx + len));
    if (cb->sync_remap && len) {
        uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
        uintptr_t lo = (uintptr_t)rx & ~(page - 1);
        uintptr_t hi = ((uintptr_t)rx + len + page - 1) & ~(page - 1);
        mprotect((void *)lo, hi - lo, PROT_READ | PROT_WRITE);
        mprotect((void *)lo, hi - lo, PROT_READ | PROT_EXEC);
    }
}

void code_buffer_write_begin(const CodeBuffer *cb)
{
    (void)cb;
}

void code_buffer_write_end(const CodeBuffer *cb)
{
    (void)cb;
}
