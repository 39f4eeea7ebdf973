/*
 * Raw image back-end (see blockdev.h).
 *
 * The snapshot overlay is a two-level table of 4 KiB chunks: an L1 array
 * with one pointer per 1024 chunks (4 MiB of image), each pointing to an
 * L2 array of chunk pointers allocated on the first write in its range.
 * A chunk is filled from the file on its first write, so a partial write
 * keeps the rest of the chunk's old contents.
 */
#include "devices/block/blockdev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK_BITS 12
#define CHUNK_SIZE (1u << CHUNK_BITS)
#define L2_BITS 10
#define L2_SIZE (1u << L2_BITS)

struct BlockDev {
    char *path;
    int fd;
    uint64_t size;
    bool readonly;      /* guest writes refused */
    bool snapshot;      /* guest writes go to the overlay */
    uint8_t ***l1;      /* snapshot overlay; NULL entries: nothing written */
    uint64_t l1_len;
};

static bool pread_full(int fd, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

static bool pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

BlockDev *blk_open(const char *path, bool readonly, bool snapshot,
                   char *err, size_t errlen)
{
    int fd = open(path, (readonly || snapshot) ? O_RDONLY : O_RDWR);
    if (fd < 0) {
        snprintf(err, errlen, "could not open disk image '%s': %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "disk image '%s' is not a file", path);
        close(fd);
        return NULL;
    }
    off_t end = lseek(fd, 0, SEEK_END);   /* works for block devices too */
    if (end < 0) {
        snprintf(err, errlen, "could not get the size of '%s': %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    BlockDev *blk = calloc(1, sizeof(*blk));
    char *p = strdup(path);
    if (!blk || !p) {
        snprintf(err, errlen, "out of memory opening '%s'", path);
        free(blk);
        free(p);
        close(fd);
        return NULL;
    }
    blk->path = p;
    blk->fd = fd;
    blk->size = (uint64_t)end;
    blk->readonly = readonly && !snapshot;
    blk->snapshot = snapshot;
    if (snapshot) {
        uint64_t nchunks = (blk->size + CHUNK_SIZE - 1) >> CHUNK_BITS;
        blk->l1_len = (nchunks + L2_SIZE - 1) >> L2_BITS;
        blk->l1 = calloc(blk->l1_len ? blk->l1_len : 1, sizeof(*blk->l1));
        if (!blk->l1) {
            snprintf(err, errlen, "out of memory for the snapshot of '%s'", path);
            blk_close(blk);
            return NULL;
        }
    }
    return blk;
}

void blk_close(BlockDev *blk)
{
    if (!blk)
        return;
    blk_flush(blk);
    if (blk->l1) {
        for (uint64_t i = 0; i < blk->l1_len; i++) {
            if (!blk->l1[i])
                continue;
            for (unsigned j = 0; j < L2_SIZE; j++)
                free(blk->l1[i][j]);
            free(blk->l1[i]);
        }
        free(blk->l1);
    }
    close(blk->fd);
    free(blk->path);
    free(blk);
}

uint64_t blk_size(const BlockDev *blk) { return blk->size; }
uint64_t blk_nsectors(const BlockDev *blk) { return blk->size / BLK_SECTOR_SIZE; }
bool blk_is_readonly(const BlockDev *blk) { return blk->readonly; }
const char *blk_path(const BlockDev *blk) { return blk->path; }

static bool range_ok(const BlockDev *blk, uint64_t offset, size_t len)
{
    return offset <= blk->size && len <= blk->size - offset;
}

/* The overlay chunk holding chunk index c, or NULL if never written. */
static uint8_t *overlay_chunk(const BlockDev *blk, uint64_t c)
{
    uint8_t **l2 = blk->l1[c >> L2_BITS];
    return l2 ? l2[c & (L2_SIZE - 1)] : NULL;
}

/* The overlay chunk for c, created (filled from the file) if needed. */
static uint8_t *overlay_chunk_alloc(BlockDev *blk, uint64_t c)
{
    uint8_t ***slot = &blk->l1[c >> L2_BITS];
    if (!*slot) {
        *slot = calloc(L2_SIZE, sizeof(**slot));
        if (!*slot)
            return NULL;
    }
    uint8_t **chunk = &(*slot)[c & (L2_SIZE - 1)];
    if (!*chunk) {
        uint8_t *data = calloc(1, CHUNK_SIZE);
        if (!data)
            return NULL;
        uint64_t off = c << CHUNK_BITS;
        uint64_t n = blk->size - off < CHUNK_SIZE ? blk->size - off : CHUNK_SIZE;
        if (!pread_full(blk->fd, data, (size_t)n, off)) {
            free(data);
            return NULL;
        }
        *chunk = data;
    }
    return *chunk;
}

bool blk_read(BlockDev *blk, uint64_t offset, void *buf, size_t len)
{
    if (!range_ok(blk, offset, len))
        return false;
    if (!blk->snapshot)
        return pread_full(blk->fd, buf, len, offset);
    uint8_t *p = buf;
    while (len) {
        uint64_t c = offset >> CHUNK_BITS;
        size_t in = (size_t)(offset & (CHUNK_SIZE - 1));
        size_t n = CHUNK_SIZE - in < len ? CHUNK_SIZE - in : len;
        const uint8_t *chunk = overlay_chunk(blk, c);
        if (chunk)
            memcpy(p, chunk + in, n);
        else if (!pread_full(blk->fd, p, n, offset))
            return false;
        p += n;
        offset += n;
        len -= n;
    }
    return true;
}

bool blk_write(BlockDev *blk, uint64_t offset, const void *buf, size_t len)
{
    if (blk->readonly || !range_ok(blk, offset, len))
        return false;
    if (!blk->snapshot)
        return pwrite_full(blk->fd, buf, len, offset);
    const uint8_t *p = buf;
    while (len) {
        uint64_t c = offset >> CHUNK_BITS;
        size_t in = (size_t)(offset & (CHUNK_SIZE - 1));
        size_t n = CHUNK_SIZE - in < len ? CHUNK_SIZE - in : len;
        uint8_t *chunk = overlay_chunk_alloc(blk, c);
        if (!chunk)
            return false;
        memcpy(chunk + in, p, n);
        p += n;
        offset += n;
        len -= n;
    }
    return true;
}

bool blk_read_sectors(BlockDev *blk, uint64_t lba, void *buf, uint32_t count)
{
    if (lba > UINT64_MAX / BLK_SECTOR_SIZE)
        return false;
    return blk_read(blk, lba * BLK_SECTOR_SIZE, buf, (size_t)count * BLK_SECTOR_SIZE);
}

bool blk_write_sectors(BlockDev *blk, uint64_t lba, const void *buf, uint32_t count)
{
    if (lba > UINT64_MAX / BLK_SECTOR_SIZE)
        return false;
    return blk_write(blk, lba * BLK_SECTOR_SIZE, buf, (size_t)count * BLK_SECTOR_SIZE);
}

bool blk_flush(BlockDev *blk)
{
    if (blk->readonly || blk->snapshot)
        return true;
    return fdatasync(blk->fd) == 0;
}
