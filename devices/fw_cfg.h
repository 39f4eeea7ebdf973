/*
 * QEMU firmware configuration interface (fw_cfg), as SeaBIOS and Linux use
 * it on a PC: selector port 0x510 (16-bit), data port 0x511 (8-bit) and the
 * DMA address register at 0x514 (64-bit big-endian, written as two 32-bit
 * halves; writing the low half at 0x518 starts the transfer).
 *
 * Items are blobs addressed by a 16-bit key: 0x0000 the "QEMU" signature,
 * 0x0001 the feature bitmap, 0x0019 the file directory, 0x0020.. named
 * files (directory sorted by name, keys in directory order as QEMU assigns
 * them), 0x8000.. architecture-specific items. Spec: QEMU
 * docs/specs/fw_cfg.rst.
 */
#ifndef DOPPEL_DEVICES_FW_CFG_H
#define DOPPEL_DEVICES_FW_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/device.h"
#include "machine/log.h"
#include "machine/memory.h"

#define FW_CFG_IO_BASE 0x510          /* selector; data at +1 */
#define FW_CFG_IO_DMA 0x514           /* DMA address, high half; low at +4 */

/* Well-known keys (fw_cfg.rst "Firmware Configuration Items" and QEMU's
 * fw_cfg_keys.h). */
enum {
    FW_CFG_SIGNATURE = 0x0000,
    FW_CFG_ID = 0x0001,
    FW_CFG_UUID = 0x0002,
    FW_CFG_RAM_SIZE = 0x0003,
    FW_CFG_NOGRAPHIC = 0x0004,
    FW_CFG_NB_CPUS = 0x0005,
    FW_CFG_MACHINE_ID = 0x0006,
    FW_CFG_KERNEL_ADDR = 0x0007,
    FW_CFG_KERNEL_SIZE = 0x0008,
    FW_CFG_KERNEL_CMDLINE = 0x0009,
    FW_CFG_INITRD_ADDR = 0x000a,
    FW_CFG_INITRD_SIZE = 0x000b,
    FW_CFG_BOOT_DEVICE = 0x000c,
    FW_CFG_NUMA = 0x000d,
    FW_CFG_BOOT_MENU = 0x000e,
    FW_CFG_MAX_CPUS = 0x000f,
    FW_CFG_KERNEL_ENTRY = 0x0010,
    FW_CFG_KERNEL_DATA = 0x0011,
    FW_CFG_INITRD_DATA = 0x0012,
    FW_CFG_CMDLINE_ADDR = 0x0013,
    FW_CFG_CMDLINE_SIZE = 0x0014,
    FW_CFG_CMDLINE_DATA = 0x0015,
    FW_CFG_SETUP_ADDR = 0x0016,
    FW_CFG_SETUP_SIZE = 0x0017,
    FW_CFG_SETUP_DATA = 0x0018,
    FW_CFG_FILE_DIR = 0x0019,
    FW_CFG_FILE_FIRST = 0x0020,
    FW_CFG_WRITE_CHANNEL = 0x4000,
    FW_CFG_ARCH_LOCAL = 0x8000,
    FW_CFG_ACPI_TABLES = 0x8000,
    FW_CFG_SMBIOS_ENTRIES = 0x8001,
    FW_CFG_IRQ0_OVERRIDE = 0x8002,
    FW_CFG_E820_TABLE = 0x8003,
    FW_CFG_HPET = 0x8004,
};

/* Feature bitmap bits (key 0x0001). */
enum { FW_CFG_VERSION = 0x01, FW_CFG_VERSION_DMA = 0x02 };

/* FWCfgDmaAccess.control bits. */
enum {
    FW_CFG_DMA_CTL_ERROR = 0x01,
    FW_CFG_DMA_CTL_READ = 0x02,
    FW_CFG_DMA_CTL_SKIP = 0x04,
    FW_CFG_DMA_CTL_SELECT = 0x08,
    FW_CFG_DMA_CTL_WRITE = 0x10,
};

#define FW_CFG_DMA_SIGNATURE 0x51454d5520434647ULL   /* "QEMU CFG", big-endian */
#define FW_CFG_MAX_FILES 256
#define FW_CFG_FILE_NAME_MAX 56                     /* including the NUL */
#define FW_CFG_KEY_SLOTS (FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES)

/** Called after a guest DMA write landed in a writable item: bytes
 *  [offset, offset + len) of data changed. */
typedef void (*FwCfgWriteCb)(void *opaque, const uint8_t *data, uint32_t offset, uint32_t len);

typedef struct FwCfgEntry {
    uint8_t *data;          /* owned copy; NULL: no item */
    uint32_t len;
    bool present;
    bool writable;          /* DMA writes allowed */
    FwCfgWriteCb write_cb;
    void *cb_opaque;
} FwCfgEntry;

typedef struct FwCfgFileName {
    char name[FW_CFG_FILE_NAME_MAX];
} FwCfgFileName;

typedef struct FwCfg {
    AddressSpace *io, *mem;
    Log *log;
    FwCfgEntry entries[2][FW_CFG_KEY_SLOTS];   /* [arch][key & 0x3fff] */
    FwCfgFileName files[FW_CFG_MAX_FILES];     /* names, sorted; file i has key 0x20 + i */
    int nfiles;
    uint16_t cur_key;
    uint32_t cur_offset;
    uint64_t dma_addr;
    MemRegion *port_region, *dma_region;
} FwCfg;

extern const DeviceClass fw_cfg_class;

/** Map fw_cfg at 0x510/0x511 (and the DMA register at 0x514 if mem is not
 *  NULL) and publish the signature, feature bitmap and an empty directory. */
FwCfg *fw_cfg_create(AddressSpace *io, AddressSpace *mem, Log *log);
/** Select key 0 and clear the DMA address (device reset). */
void fw_cfg_reset(FwCfg *s);
/** Free every item and the state (regions stay with the address spaces). */
void fw_cfg_destroy(FwCfg *s);

/** Set item key to a copy of len bytes (replaces an existing item).
 *  Returns false if the key is out of range. */
bool fw_cfg_add_bytes(FwCfg *s, uint16_t key, const void *data, size_t len);
/** Numeric items, stored little-endian as QEMU stores them. */
bool fw_cfg_add_i16(FwCfg *s, uint16_t key, uint16_t v);
bool fw_cfg_add_i32(FwCfg *s, uint16_t key, uint32_t v);
bool fw_cfg_add_i64(FwCfg *s, uint16_t key, uint64_t v);
/** A NUL-terminated string item (the NUL is part of the item). */
bool fw_cfg_add_string(FwCfg *s, uint16_t key, const char *str);

/** Add (or replace the contents of) the named file; the directory stays
 *  sorted by name and file keys follow directory order. Returns false if
 *  the name is empty or too long (55 chars max) or the directory is full. */
bool fw_cfg_add_file(FwCfg *s, const char *name, const void *data, size_t len);
/** Like fw_cfg_add_file, but the guest may overwrite it through DMA writes
 *  (never resize it); cb (may be NULL) runs after each write. */
bool fw_cfg_add_file_writable(FwCfg *s, const char *name, const void *data, size_t len,
                              FwCfgWriteCb cb, void *opaque);
/** The current key of a named file, or -1. */
int fw_cfg_file_key(const FwCfg *s, const char *name);
/** The current contents of item key (NULL if none); *len gets its size. */
const uint8_t *fw_cfg_item(const FwCfg *s, uint16_t key, uint32_t *len);

/** Register-level access (what the port handlers call; tests use them). */
void fw_cfg_select(FwCfg *s, uint16_t key);
uint8_t fw_cfg_read_data(FwCfg *s);
/** Run the DMA transfer described by the FWCfgDmaAccess at guest physical addr. */
void fw_cfg_dma_run(FwCfg *s, uint64_t addr);

#endif
