/*
 * Block devices: a raw disk or ISO image file behind a byte/sector API.
 *
 * Modes: read-write (writes go straight to the file with pwrite; flush
 * runs fdatasync), read-only (writes fail), and snapshot (-snapshot): the
 * file is opened read-only and every guest write lands in an in-memory
 * overlay of 4 KiB chunks, so reads see the guest's writes while the file
 * is never touched. Closing flushes.
 */
#ifndef DOPPEL_DEVICES_BLOCK_BLOCKDEV_H
#define DOPPEL_DEVICES_BLOCK_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLK_SECTOR_SIZE 512u

typedef struct BlockDev BlockDev;

/** Open the image at path. readonly: refuse writes. snapshot: keep writes
 *  in memory and never modify the file (implies opening it read-only).
 *  Returns NULL and writes one line of explanation to err on failure. */
BlockDev *blk_open(const char *path, bool readonly, bool snapshot,
                   char *err, size_t errlen);
/** Flush and close; NULL is fine. */
void blk_close(BlockDev *blk);

/** Image size in bytes. */
uint64_t blk_size(const BlockDev *blk);
/** Size in whole 512-byte sectors (a trailing partial sector is ignored). */
uint64_t blk_nsectors(const BlockDev *blk);
/** True if guest writes are refused (read-only without snapshot). */
bool blk_is_readonly(const BlockDev *blk);
/** The path the image was opened from. */
const char *blk_path(const BlockDev *blk);

/** Read len bytes at offset. False if the range leaves the image or the
 *  host read fails (buf is then unspecified). */
bool blk_read(BlockDev *blk, uint64_t offset, void *buf, size_t len);
/** Write len bytes at offset. False if read-only, out of range or the host
 *  write fails. */
bool blk_write(BlockDev *blk, uint64_t offset, const void *buf, size_t len);
/** Sector helpers: count 512-byte sectors starting at lba. */
bool blk_read_sectors(BlockDev *blk, uint64_t lba, void *buf, uint32_t count);
bool blk_write_sectors(BlockDev *blk, uint64_t lba, const void *buf, uint32_t count);
/** Make written data durable (fdatasync; a no-op for snapshot/read-only). */
bool blk_flush(BlockDev *blk);

#endif
