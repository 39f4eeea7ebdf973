/*
 * fw_cfg device model, after QEMU's docs/specs/fw_cfg.rst ("Guest-side
 * Hardware Interface" and "Guest-side DMA Interface").
 *
 * Traditional interface: a 16-bit selector write picks an item and resets
 * the data offset to 0; each data-port read returns the next byte, and 0
 * once past the end. Data-port writes are ignored (as in QEMU 2.4+).
 *
 * DMA interface: the guest writes the physical address of a big-endian
 * FWCfgDmaAccess {u32 control; u32 length; u64 address} to the DMA
 * register; the device performs select/read/skip/write and writes control
 * back as 0 (done) or with the error bit. Every guest address is checked:
 * the destination or source of a transfer must lie wholly in RAM, else the
 * error bit is set and nothing is copied. Reading beyond the end of an
 * item fills the rest of the buffer with zeros (what QEMU does).
 */
#include "devices/fw_cfg.h"

#include <stdlib.h>
#include <string.h>

#define FW_CFG_DIR_ENTRY_SIZE 64

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_be64(const uint8_t *p)
{
    return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* The entry a key names, or NULL if the key is outside the slot range. */
static FwCfgEntry *fw_cfg_entry(FwCfg *s, uint16_t key)
{
    unsigned idx = key & 0x3FFF;
    if (idx >= FW_CFG_KEY_SLOTS)
        return NULL;
    return &s->entries[(key & FW_CFG_ARCH_LOCAL) ? 1 : 0][idx];
}

static const FwCfgEntry *fw_cfg_entry_const(const FwCfg *s, uint16_t key)
{
    return fw_cfg_entry((FwCfg *)s, key);
}

static void fw_cfg_entry_free(FwCfgEntry *e)
{
    free(e->data);
    memset(e, 0, sizeof(*e));
}

static bool fw_cfg_set_entry(FwCfgEntry *e, const void *data, size_t len)
{
    if (len > UINT32_MAX)
        return false;
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return false;
        memcpy(copy, data, len);
    }
    free(e->data);
    e->data = copy;
    e->len = (uint32_t)len;
    e->present = true;
    return true;
}

bool fw_cfg_add_bytes(FwCfg *s, uint16_t key, const void *data, size_t len)
{
    FwCfgEntry *e = fw_cfg_entry(s, key);
    if (!e) {
        log_printf(s->log, LOG_guest_errors, "fw_cfg: key %#x out of range\n", key);
        return false;
    }
    return fw_cfg_set_entry(e, data, len);
}

bool fw_cfg_add_i16(FwCfg *s, uint16_t key, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

bool fw_cfg_add_i32(FwCfg *s, uint16_t key, uint32_t v)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

bool fw_cfg_add_i64(FwCfg *s, uint16_t key, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    return fw_cfg_add_bytes(s, key, b, sizeof(b));
}

bool fw_cfg_add_string(FwCfg *s, uint16_t key, const char *str)
{
    return fw_cfg_add_bytes(s, key, str, strlen(str) + 1);
}

/* Rebuild item 0x0019: be32 count, then per file {be32 size, be16 select,
 * be16 reserved, char name[56]} (fw_cfg.rst "File Directory"). */
static void fw_cfg_rebuild_dir(FwCfg *s)
{
    size_t len = 4 + (size_t)s->nfiles * FW_CFG_DIR_ENTRY_SIZE;
    uint8_t *dir = calloc(1, len);
    if (!dir)
        return;
    put_be32(dir, (uint32_t)s->nfiles);
    for (int i = 0; i < s->nfiles; i++) {
        uint8_t *ent = dir + 4 + (size_t)i * FW_CFG_DIR_ENTRY_SIZE;
        const FwCfgEntry *e = &s->entries[0][FW_CFG_FILE_FIRST + i];
        put_be32(ent, e->len);
        put_be16(ent + 4, (uint16_t)(FW_CFG_FILE_FIRST + i));
        memcpy(ent + 8, s->files[i].name, FW_CFG_FILE_NAME_MAX);
    }
    FwCfgEntry *d = &s->entries[0][FW_CFG_FILE_DIR];
    free(d->data);
    d->data = dir;
    d->len = (uint32_t)len;
    d->present = true;
}

static int fw_cfg_find_file(const FwCfg *s, const char *name)
{
    for (int i = 0; i < s->nfiles; i++)
        if (!strcmp(s->files[i].name, name))
            return i;
    return -1;
}

static bool fw_cfg_add_file_common(FwCfg *s, const char *name, const void *data, size_t len,
                                   bool writable, FwCfgWriteCb cb, void *opaque)
{
    size_t nlen = name ? strlen(name) : 0;
    if (nlen == 0 || nlen >= FW_CFG_FILE_NAME_MAX)
        return false;
    int idx = fw_cfg_find_file(s, name);
    if (idx < 0) {
        if (s->nfiles >= FW_CFG_MAX_FILES)
            return false;
        /* Insert sorted by name; files after it move up one key, as QEMU
         * keeps file keys in directory order. */
        idx = 0;
        while (idx < s->nfiles && strcmp(s->files[idx].name, name) < 0)
            idx++;
        for (int i = s->nfiles; i > idx; i--) {
            s->files[i] = s->files[i - 1];
            s->entries[0][FW_CFG_FILE_FIRST + i] = s->entries[0][FW_CFG_FILE_FIRST + i - 1];
        }
        memset(&s->entries[0][FW_CFG_FILE_FIRST + idx], 0, sizeof(FwCfgEntry));
        memset(&s->files[idx], 0, sizeof(s->files[idx]));
        memcpy(s->files[idx].name, name, nlen);
        s->nfiles++;
    }
    FwCfgEntry *e = &s->entries[0][FW_CFG_FILE_FIRST + idx];
    if (!fw_cfg_set_entry(e, data, len)) {
        if (!e->present) {
            /* undo the insertion */
            for (int i = idx; i < s->nfiles - 1; i++) {
                s->files[i] = s->files[i + 1];
                s->entries[0][FW_CFG_FILE_FIRST + i] = s->entries[0][FW_CFG_FILE_FIRST + i + 1];
            }
            s->nfiles--;
            memset(&s->entries[0][FW_CFG_FILE_FIRST + s->nfiles], 0, sizeof(FwCfgEntry));
        }
        fw_cfg_rebuild_dir(s);
        return false;
    }
    e->writable = writable;
    e->write_cb = cb;
    e->cb_opaque = opaque;
    fw_cfg_rebuild_dir(s);
    return true;
}

bool fw_cfg_add_file_writable(FwCfg *s, const char *name, const void *data, size_t len,
                              FwCfgWriteCb cb, void *opaque)
{
    return fw_cfg_add_file_common(s, name, data, len, true, cb, opaque);
}

bool fw_cfg_add_file(FwCfg *s, const char *name, const void *data, size_t len)
{
    return fw_cfg_add_file_common(s, name, data, len, false, NULL, NULL);
}

int fw_cfg_file_key(const FwCfg *s, const char *name)
{
    int idx = fw_cfg_find_file(s, name);
    return idx < 0 ? -1 : FW_CFG_FILE_FIRST + idx;
}

const uint8_t *fw_cfg_item(const FwCfg *s, uint16_t key, uint32_t *len)
{
    const FwCfgEntry *e = fw_cfg_entry_const(s, key);
    if (!e || !e->present) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = e->len;
    return e->data;
}

void fw_cfg_select(FwCfg *s, uint16_t key)
{
    s->cur_key = key;
    s->cur_offset = 0;
    log_printf(s->log, LOG_ioport, "fw_cfg: select %#06x\n", key);
}

uint8_t fw_cfg_read_data(FwCfg *s)
{
    const FwCfgEntry *e = fw_cfg_entry(s, s->cur_key);
    if (!e || !e->present || s->cur_offset >= e->len)
        return 0;   /* past the end (or no item): 0x00 */
    return e->data[s->cur_offset++];
}

/* ---- DMA ---- */

/* True if [addr, addr + len) lies wholly in RAM regions of the memory space. */
static bool fw_cfg_dma_range_ok(FwCfg *s, uint64_t addr, uint64_t len)
{
    if (len == 0)
        return true;
    if (addr + len < addr)
        return false;   /* wraps */
    while (len > 0) {
        uint64_t off;
        MemRegion *mr = as_lookup(s->mem, addr, &off);
        if (!mr || mr->kind != MR_RAM)
            return false;
        uint64_t run = as_range_remaining(s->mem, addr);
        if (run == 0)
            return false;
        if (run >= len)
            break;
        addr += run;
        len -= run;
    }
    return true;
}

static bool fw_cfg_dma_zero(FwCfg *s, uint64_t addr, uint64_t len)
{
    static const uint8_t zeros[4096];
    while (len > 0) {
        uint64_t n = len < sizeof(zeros) ? len : sizeof(zeros);
        if (!as_rw(s->mem, addr, (void *)zeros, n, true))
            return false;
        addr += n;
        len -= n;
    }
    return true;
}

/* One read/skip/write of length bytes at the current selector and offset.
 * Returns false on error. */
static bool fw_cfg_dma_transfer(FwCfg *s, uint32_t control, uint32_t length, uint64_t address)
{
    FwCfgEntry *e = fw_cfg_entry(s, s->cur_key);
    uint32_t avail = 0;
    if (e && e->present && s->cur_offset < e->len)
        avail = e->len - s->cur_offset;

    if (control & FW_CFG_DMA_CTL_READ) {
        if (!fw_cfg_dma_range_ok(s, address, length))
            return false;
        uint32_t n = length < avail ? length : avail;
        if (n && !as_rw(s->mem, address, e->data + s->cur_offset, n, true))
            return false;
        s->cur_offset += n;
        /* beyond the end of the item: zero-fill the rest */
        return fw_cfg_dma_zero(s, address + n, length - n);
    }
    if (control & FW_CFG_DMA_CTL_WRITE) {
        /* The item cannot be resized: a write that would start or end past
         * its end is dropped entirely, as are writes to read-only items. */
        if (length == 0)
            return true;
        if (!e || !e->present || !e->writable || length > avail)
            return false;
        if (!fw_cfg_dma_range_ok(s, address, length))
            return false;
        uint32_t off = s->cur_offset;
        if (!as_rw(s->mem, address, e->data + off, length, false))
            return false;
        s->cur_offset += length;
        if (e->write_cb)
            e->write_cb(e->cb_opaque, e->data, off, length);
        return true;
    }
    if (control & FW_CFG_DMA_CTL_SKIP) {
        s->cur_offset += length < avail ? length : avail;
        return true;
    }
    return true;
}

void fw_cfg_dma_run(FwCfg *s, uint64_t addr)
{
    uint8_t desc[16];
    if (!s->mem)
        return;
    if (!fw_cfg_dma_range_ok(s, addr, sizeof(desc))) {
        log_printf(s->log, LOG_guest_errors,
                   "fw_cfg: DMA descriptor at %#llx is not in RAM\n", (unsigned long long)addr);
        return;
    }
    as_rw(s->mem, addr, desc, sizeof(desc), false);
    uint32_t control = get_be32(desc);
    uint32_t length = get_be32(desc + 4);
    uint64_t address = get_be64(desc + 8);

    if (control & FW_CFG_DMA_CTL_SELECT)
        fw_cfg_select(s, (uint16_t)(control >> 16));

    bool ok = fw_cfg_dma_transfer(s, control, length, address);
    if (!ok)
        log_printf(s->log, LOG_guest_errors,
                   "fw_cfg: DMA control %#x len %#x addr %#llx failed (key %#x)\n",
                   control, length, (unsigned long long)address, s->cur_key);

    /* Completion: control reads 0, or has the error bit set. */
    uint8_t status[4];
    put_be32(status, ok ? 0 : FW_CFG_DMA_CTL_ERROR);
    as_rw(s->mem, addr, status, sizeof(status), true);
}

/* ---- port handlers ---- */

/* 0x510 (offset 0): selector, 16-bit write. 0x511 (offset 1): data port. */
static uint64_t fw_cfg_port_read(void *opaque, uint64_t off, unsigned size)
{
    FwCfg *s = opaque;
    if (off == 0)
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++)
        v |= (uint64_t)fw_cfg_read_data(s) << (8 * i);
    return v;
}

static void fw_cfg_port_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    FwCfg *s = opaque;
    if (off == 0)
        fw_cfg_select(s, (uint16_t)val);
    else
        log_printf(s->log, LOG_guest_errors, "fw_cfg: data port write ignored\n");
}

static const MemRegionOps fw_cfg_port_ops = {
    .read = fw_cfg_port_read,
    .write = fw_cfg_port_write,
    .min_access = 1,
    .max_access = 2,
};

/* 0x514..0x51b: the DMA address register, big-endian. Reads give the
 * "QEMU CFG" signature; a write to the low half (offset 4) or a 64-bit
 * write triggers the transfer and the register returns to 0. */
static uint64_t fw_cfg_dma_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < 8; i++) {
        uint8_t byte = (uint8_t)(FW_CFG_DMA_SIGNATURE >> (8 * (7 - (off + i))));
        v |= (uint64_t)byte << (8 * i);
    }
    return v;
}

static uint32_t bswap32_u(uint32_t v)
{
    return (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24);
}

static void fw_cfg_dma_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    FwCfg *s = opaque;
    if (size == 8 && off == 0) {
        s->dma_addr = (uint64_t)bswap32_u((uint32_t)val) << 32 | bswap32_u((uint32_t)(val >> 32));
    } else if (size == 4 && off == 0) {
        s->dma_addr = (s->dma_addr & 0xFFFFFFFFull) | (uint64_t)bswap32_u((uint32_t)val) << 32;
        return;
    } else if (size == 4 && off == 4) {
        s->dma_addr = (s->dma_addr & ~0xFFFFFFFFull) | bswap32_u((uint32_t)val);
    } else {
        log_printf(s->log, LOG_guest_errors, "fw_cfg: DMA register write of size %u at +%llu ignored\n",
                   size, (unsigned long long)off);
        return;
    }
    uint64_t addr = s->dma_addr;
    s->dma_addr = 0;
    fw_cfg_dma_run(s, addr);
}

static const MemRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_read,
    .write = fw_cfg_dma_write,
    .min_access = 1,
    .max_access = 8,
};

/* ---- life cycle ---- */

void fw_cfg_reset(FwCfg *s)
{
    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr = 0;
}

static void fw_cfg_class_reset(void *dev)
{
    fw_cfg_reset(dev);
}

void fw_cfg_destroy(FwCfg *s)
{
    if (!s)
        return;
    for (int a = 0; a < 2; a++)
        for (int i = 0; i < FW_CFG_KEY_SLOTS; i++)
            fw_cfg_entry_free(&s->entries[a][i]);
    free(s);
}

static void fw_cfg_class_destroy(void *dev)
{
    fw_cfg_destroy(dev);
}

const DeviceClass fw_cfg_class = {
    .name = "fw_cfg",
    .state_size = sizeof(FwCfg),
    .reset = fw_cfg_class_reset,
    .destroy = fw_cfg_class_destroy,
};

FwCfg *fw_cfg_create(AddressSpace *io, AddressSpace *mem, Log *log)
{
    FwCfg *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->io = io;
    s->mem = mem;
    s->log = log;
    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | (mem ? FW_CFG_VERSION_DMA : 0));
    fw_cfg_rebuild_dir(s);
    fw_cfg_reset(s);
    if (io) {
        s->port_region = as_add_io(io, "fw_cfg", FW_CFG_IO_BASE, 2, &fw_cfg_port_ops, s, 0);
        if (mem)
            s->dma_region = as_add_io(io, "fw_cfg-dma", FW_CFG_IO_DMA, 8, &fw_cfg_dma_ops, s, 0);
    }
    return s;
}
