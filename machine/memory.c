/*
 * Address spaces (see machine/memory.h): region bookkeeping, the flattened
 * view and the slow-path accessors used by MMIO, port I/O, device DMA and
 * TLB misses.
 *
 * The flat view is rebuilt from scratch on every map change: collect the
 * start and end of every enabled region, sort them, and give each
 * elementary interval to the region that wins there (highest priority,
 * then latest added). Adjacent intervals won by the same region are
 * merged. Map changes are rare (boot, PCI BAR programming, PAM), so the
 * simple quadratic rebuild is fine; lookups are a binary search.
 *
 * All multi-byte accesses are little-endian regardless of the host: values
 * are composed byte by byte (compilers turn that into one load/store).
 */
#include "machine/memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Backing at least this big is mmap'ed (page-aligned, lazily zeroed). */
#define MEM_MMAP_THRESHOLD ((uint64_t)1 << 20)

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "doppel: out of memory\n");
        abort();
    }
    return q;
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~(uint64_t)0 : (((uint64_t)1 << (size * 8)) - 1);
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le(uint8_t *p, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Exclusive end of a region, clipped at 2^64 - 1 when base + size wraps
 * (a guest sizing a 64-bit BAR writes all ones to it). */
static uint64_t region_end(const MemRegion *mr)
{
    uint64_t end = mr->base + mr->size;
    return end < mr->base ? UINT64_MAX : end;
}

static bool region_is_memory(const MemRegion *mr)
{
    return mr->kind == MR_RAM || mr->kind == MR_ROM;
}

/* Does a beat b where both cover the same address? */
static bool region_wins(const MemRegion *a, const MemRegion *b)
{
    if (!b)
        return true;
    if (a->priority != b->priority)
        return a->priority > b->priority;
    return a->seq > b->seq;
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return (a > b) - (a < b);
}

static void as_rebuild(AddressSpace *as)
{
    uint64_t *pts = xrealloc(NULL, sizeof(*pts) * 2 * (size_t)as->nregions);
    int npts = 0;
    for (int i = 0; i < as->nregions; i++) {
        const MemRegion *mr = as->regions[i];
        uint64_t end = region_end(mr);
        if (!mr->enabled || end <= mr->base)
            continue;
        pts[npts++] = mr->base;
        pts[npts++] = end;
    }
    qsort(pts, (size_t)npts, sizeof(*pts), cmp_u64);
    int nu = 0;
    for (int i = 0; i < npts; i++)
        if (nu == 0 || pts[nu - 1] != pts[i])
            pts[nu++] = pts[i];

    as->flat = xrealloc(as->flat, sizeof(*as->flat) * (size_t)(nu > 1 ? nu - 1 : 1));
    as->nflat = 0;
    for (int i = 0; i + 1 < nu; i++) {
        uint64_t lo = pts[i], hi = pts[i + 1];
        MemRegion *best = NULL;
        for (int j = 0; j < as->nregions; j++) {
            MemRegion *mr = as->regions[j];
            if (mr->enabled && mr->base <= lo && lo < region_end(mr) && region_wins(mr, best))
                best = mr;
        }
        if (!best)
            continue;
        MemFlatRange *last = as->nflat ? &as->flat[as->nflat - 1] : NULL;
        if (last && last->region == best && last->end == lo) {
            last->end = hi;
        } else {
            MemFlatRange *fr = &as->flat[as->nflat++];
            fr->start = lo;
            fr->end = hi;
            fr->region = best;
        }
    }
    free(pts);
    as->generation++;
}

/* Binary search: the flat range containing addr, or NULL. *next gets the
 * index of the first range ending after addr (the next one on a miss). */
static const MemFlatRange *flat_find(const AddressSpace *as, uint64_t addr, int *next)
{
    int lo = 0, hi = as->nflat;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (as->flat[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (next)
        *next = lo;
    if (lo < as->nflat && as->flat[lo].start <= addr)
        return &as->flat[lo];
    return NULL;
}

void as_init(AddressSpace *as, const char *name, uint64_t unassigned_value)
{
    memset(as, 0, sizeof(*as));
    as->name = name;
    as->unassigned_value = unassigned_value;
}

static void region_free(MemRegion *mr)
{
    if (mr->own_host) {
        if (mr->host_mmapped)
            munmap(mr->host, (size_t)mr->size);
        else
            free(mr->host);
    }
    free(mr->page_flags);
    free(mr);
}

void as_destroy(AddressSpace *as)
{
    for (int i = 0; i < as->nregions; i++)
        region_free(as->regions[i]);
    free(as->regions);
    free(as->flat);
    as->regions = NULL;
    as->nregions = as->cap_regions = 0;
    as->flat = NULL;
    as->nflat = 0;
    as->generation++;
}

static MemRegion *region_new(AddressSpace *as, const char *name, MemRegionKind kind,
                             uint64_t base, uint64_t size, int priority)
{
    MemRegion *mr = calloc(1, sizeof(*mr));
    if (!mr)
        return NULL;
    mr->name = name;
    mr->kind = kind;
    mr->base = base;
    mr->size = size;
    mr->priority = priority;
    mr->enabled = true;
    mr->seq = as->next_seq++;
    return mr;
}

static void region_insert(AddressSpace *as, MemRegion *mr)
{
    if (as->nregions == as->cap_regions) {
        as->cap_regions = as->cap_regions ? as->cap_regions * 2 : 16;
        as->regions = xrealloc(as->regions, sizeof(*as->regions) * (size_t)as->cap_regions);
    }
    as->regions[as->nregions++] = mr;
    as_rebuild(as);
}

/* Backing and page flags of a RAM/ROM region; false if out of memory. */
static bool region_alloc_backing(MemRegion *mr, uint8_t *host)
{
    if (mr->size > SIZE_MAX - MEM_PAGE_SIZE)
        return false;
    size_t npages = (size_t)((mr->size + MEM_PAGE_SIZE - 1) >> MEM_PAGE_BITS);
    mr->page_flags = calloc(npages ? npages : 1, 1);
    if (!mr->page_flags)
        return false;
    if (host) {
        mr->host = host;
        return true;
    }
    if (mr->size >= MEM_MMAP_THRESHOLD) {
        void *p = mmap(NULL, (size_t)mr->size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return false;
        mr->host = p;
        mr->host_mmapped = true;
    } else {
        mr->host = calloc(1, mr->size ? (size_t)mr->size : 1);
        if (!mr->host)
            return false;
    }
    mr->own_host = true;
    return true;
}

static MemRegion *as_add_memory(AddressSpace *as, const char *name, MemRegionKind kind,
                                uint64_t base, uint64_t size, uint8_t *host, int priority)
{
    MemRegion *mr = region_new(as, name, kind, base, size, priority);
    if (!mr)
        return NULL;
    if (!region_alloc_backing(mr, host)) {
        region_free(mr);
        return NULL;
    }
    region_insert(as, mr);
    return mr;
}

MemRegion *as_add_ram(AddressSpace *as, const char *name, uint64_t base, uint64_t size,
                      uint8_t *host, int priority)
{
    return as_add_memory(as, name, MR_RAM, base, size, host, priority);
}

MemRegion *as_add_rom(AddressSpace *as, const char *name, uint64_t base, uint64_t size,
                      uint8_t *host, int priority)
{
    return as_add_memory(as, name, MR_ROM, base, size, host, priority);
}

MemRegion *as_add_io(AddressSpace *as, const char *name, uint64_t base, uint64_t size,
                     const MemRegionOps *ops, void *opaque, int priority)
{
    MemRegion *mr = region_new(as, name, MR_IO, base, size, priority);
    if (!mr)
        return NULL;
    mr->ops = ops;
    mr->opaque = opaque;
    region_insert(as, mr);
    return mr;
}

void as_remove(AddressSpace *as, MemRegion *mr)
{
    for (int i = 0; i < as->nregions; i++) {
        if (as->regions[i] != mr)
            continue;
        memmove(&as->regions[i], &as->regions[i + 1],
                sizeof(*as->regions) * (size_t)(as->nregions - i - 1));
        as->nregions--;
        region_free(mr);
        as_rebuild(as);
        return;
    }
}

void as_region_move(AddressSpace *as, MemRegion *mr, uint64_t new_base)
{
    mr->base = new_base;
    as_rebuild(as);
}

void as_region_enable(AddressSpace *as, MemRegion *mr, bool enabled)
{
    if (mr->enabled == enabled)
        return;
    mr->enabled = enabled;
    as_rebuild(as);
}

void as_region_set_readonly(AddressSpace *as, MemRegion *mr, bool readonly)
{
    if (!region_is_memory(mr))
        return;
    MemRegionKind kind = readonly ? MR_ROM : MR_RAM;
    if (mr->kind != kind) {
        mr->kind = kind;
        as->generation++;
    }
}

void as_region_set_log_vga(AddressSpace *as, MemRegion *mr, bool log_vga)
{
    if (mr->log_vga != log_vga) {
        mr->log_vga = log_vga;
        as->generation++;
    }
}

MemRegion *as_lookup(AddressSpace *as, uint64_t addr, uint64_t *off)
{
    const MemFlatRange *r = flat_find(as, addr, NULL);
    if (!r)
        return NULL;
    if (off)
        *off = addr - r->region->base;
    return r->region;
}

uint64_t as_range_remaining(AddressSpace *as, uint64_t addr)
{
    const MemFlatRange *r = flat_find(as, addr, NULL);
    return r ? r->end - addr : 0;
}

/* ---- I/O regions: access-size adaptation ---- */

static unsigned valid_access(unsigned v, unsigned dflt)
{
    return (v == 1 || v == 2 || v == 4 || v == 8) ? v : dflt;
}

static void io_limits(const MemRegionOps *ops, unsigned *min, unsigned *max)
{
    *min = valid_access(ops->min_access, 1);
    *max = valid_access(ops->max_access, 8);
    if (*min > *max)
        *min = *max;
}

static uint64_t io_read(AddressSpace *as, MemRegion *mr, uint64_t off, unsigned size)
{
    const MemRegionOps *ops = mr->ops;
    if (!ops || !ops->read)
        return as->unassigned_value & size_mask(size);
    unsigned min, max;
    io_limits(ops, &min, &max);
    if (size > max) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i += max)
            v |= (ops->read(mr->opaque, off + i, max) & size_mask(max)) << (8 * i);
        return v;
    }
    if (size < min) {
        /* Read the aligned unit(s) covering [off, off + size) and pick bytes. */
        uint64_t v = 0;
        for (uint64_t u = off & ~(uint64_t)(min - 1); u < off + size; u += min) {
            uint64_t w = ops->read(mr->opaque, u, min);
            for (unsigned j = 0; j < min; j++) {
                uint64_t b = u + j;
                if (b >= off && b < off + size)
                    v |= ((w >> (8 * j)) & 0xff) << (8 * (b - off));
            }
        }
        return v;
    }
    return ops->read(mr->opaque, off, size) & size_mask(size);
}

static void io_write(MemRegion *mr, uint64_t off, uint64_t val, unsigned size)
{
    const MemRegionOps *ops = mr->ops;
    if (!ops || !ops->write)
        return;
    unsigned min, max;
    io_limits(ops, &min, &max);
    if (size > max) {
        for (unsigned i = 0; i < size; i += max)
            ops->write(mr->opaque, off + i, (val >> (8 * i)) & size_mask(max), max);
        return;
    }
    if (size < min) {
        /* Read-modify-write of the aligned unit(s): keeps the other bytes. */
        for (uint64_t u = off & ~(uint64_t)(min - 1); u < off + size; u += min) {
            uint64_t w = ops->read ? ops->read(mr->opaque, u, min) & size_mask(min) : 0;
            for (unsigned j = 0; j < min; j++) {
                uint64_t b = u + j;
                if (b >= off && b < off + size) {
                    w &= ~((uint64_t)0xff << (8 * j));
                    w |= ((val >> (8 * (b - off))) & 0xff) << (8 * j);
                }
            }
            ops->write(mr->opaque, u, w, min);
        }
        return;
    }
    ops->write(mr->opaque, off, val & size_mask(size), size);
}

/* ---- RAM write side effects ---- */

/* Before len bytes at region offset off of a RAM region are written: run the
 * code-write hook once per code page touched, and mark VGA pages dirty. */
static void ram_before_write(AddressSpace *as, MemRegion *mr, uint64_t off, uint64_t len)
{
    if (len == 0 || !mr->page_flags)
        return;
    uint64_t first = off >> MEM_PAGE_BITS, last = (off + len - 1) >> MEM_PAGE_BITS;
    for (uint64_t p = first; p <= last; p++) {
        if ((mr->page_flags[p] & MEM_PAGE_CODE) && as->code_write_hook) {
            uint64_t s = p << MEM_PAGE_BITS, e = s + MEM_PAGE_SIZE;
            if (s < off)
                s = off;
            if (e > off + len)
                e = off + len;
            as->code_write_hook(as->code_write_opaque, mr->base + s, e - s);
        }
        if (mr->log_vga)
            mr->page_flags[p] |= MEM_PAGE_DIRTY_VGA;
    }
}

/* ---- single accesses ---- */

static uint64_t region_read(AddressSpace *as, MemRegion *mr, uint64_t off, unsigned size)
{
    if (region_is_memory(mr))
        return load_le(mr->host + off, size);
    return io_read(as, mr, off, size);
}

static void region_write(AddressSpace *as, MemRegion *mr, uint64_t off, uint64_t val,
                         unsigned size)
{
    switch (mr->kind) {
    case MR_RAM:
        ram_before_write(as, mr, off, size);
        store_le(mr->host + off, val, size);
        break;
    case MR_ROM:
        break;
    case MR_IO:
        io_write(mr, off, val, size);
        break;
    }
}

static bool is_pow2_size(unsigned size)
{
    return size >= 1 && size <= 8 && (size & (size - 1)) == 0;
}

/* Does [addr, addr + size) lie in one flat range (r != NULL) or in one gap
 * (r == NULL, next = index of the following range)? */
static bool access_fits(const AddressSpace *as, const MemFlatRange *r, int next,
                        uint64_t addr, unsigned size)
{
    uint64_t last = addr + size - 1;
    if (last < addr)
        return false;
    if (r)
        return last < r->end;
    return next >= as->nflat || as->flat[next].start > last;
}

uint64_t as_read(AddressSpace *as, uint64_t addr, unsigned size)
{
    if (size == 0)
        return 0;
    if (size > 8)
        size = 8;
    int next;
    const MemFlatRange *r = flat_find(as, addr, &next);
    if (is_pow2_size(size) && access_fits(as, r, next, addr, size)) {
        if (!r)
            return as->unassigned_value & size_mask(size);
        return region_read(as, r->region, addr - r->region->base, size);
    }
    /* Straddles ranges (or has an odd size): go byte by byte. Bytes past
     * the top of the address space read as unassigned. */
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = addr + i, b = (as->unassigned_value >> (8 * i)) & 0xff;
        if (a >= addr) {
            const MemFlatRange *rb = flat_find(as, a, NULL);
            if (rb)
                b = region_read(as, rb->region, a - rb->region->base, 1) & 0xff;
        }
        v |= b << (8 * i);
    }
    return v;
}

void as_write(AddressSpace *as, uint64_t addr, uint64_t val, unsigned size)
{
    if (size == 0)
        return;
    if (size > 8)
        size = 8;
    int next;
    const MemFlatRange *r = flat_find(as, addr, &next);
    if (is_pow2_size(size) && access_fits(as, r, next, addr, size)) {
        if (r)
            region_write(as, r->region, addr - r->region->base, val, size);
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = addr + i;
        if (a < addr)
            break;
        const MemFlatRange *rb = flat_find(as, a, NULL);
        if (rb)
            region_write(as, rb->region, a - rb->region->base, (val >> (8 * i)) & 0xff, 1);
    }
}

/* DMA to or from an I/O region: the largest naturally aligned accesses. */
static void io_rw_chunk(AddressSpace *as, MemRegion *mr, uint64_t off, uint8_t *p,
                        uint64_t n, bool is_write)
{
    while (n) {
        unsigned s = 8;
        while (s > n || (off & (s - 1)))
            s >>= 1;
        if (is_write)
            io_write(mr, off, load_le(p, s), s);
        else
            store_le(p, io_read(as, mr, off, s), s);
        off += s;
        p += s;
        n -= s;
    }
}

bool as_rw(AddressSpace *as, uint64_t addr, void *buf, uint64_t len, bool is_write)
{
    uint8_t *p = buf;
    uint64_t done = 0;
    bool ok = true;
    while (done < len) {
        uint64_t cur = addr + done, want = len - done, chunk;
        if (cur < addr) {
            /* Wrapped past 2^64 - 1: nothing lives there. */
            if (!is_write)
                memset(p + done, (uint8_t)as->unassigned_value, (size_t)want);
            return false;
        }
        uint64_t room = (uint64_t)0 - cur; /* bytes up to 2^64; 0 means all */
        if (room && want > room)
            want = room;
        int next;
        const MemFlatRange *r = flat_find(as, cur, &next);
        if (!r) {
            chunk = want;
            if (next < as->nflat && as->flat[next].start - cur < chunk)
                chunk = as->flat[next].start - cur;
            if (!is_write)
                memset(p + done, (uint8_t)as->unassigned_value, (size_t)chunk);
            ok = false;
            done += chunk;
            continue;
        }
        chunk = r->end - cur < want ? r->end - cur : want;
        MemRegion *mr = r->region;
        uint64_t off = cur - mr->base;
        switch (mr->kind) {
        case MR_RAM:
            if (is_write) {
                ram_before_write(as, mr, off, chunk);
                memcpy(mr->host + off, p + done, (size_t)chunk);
            } else {
                memcpy(p + done, mr->host + off, (size_t)chunk);
            }
            break;
        case MR_ROM:
            if (!is_write)
                memcpy(p + done, mr->host + off, (size_t)chunk);
            break;
        case MR_IO:
            io_rw_chunk(as, mr, off, p + done, chunk, is_write);
            break;
        }
        done += chunk;
    }
    return ok;
}

uint8_t *as_host_ptr(AddressSpace *as, uint64_t addr, uint64_t len, MemRegion **mr)
{
    const MemFlatRange *r = flat_find(as, addr, NULL);
    if (!r || !region_is_memory(r->region) || len > r->end - addr)
        return NULL;
    if (mr)
        *mr = r->region;
    return r->region->host + (addr - r->region->base);
}

const uint8_t *as_ram_range(AddressSpace *as, uint64_t addr, uint64_t *start, uint64_t *end)
{
    const MemFlatRange *r = flat_find(as, addr, NULL);
    if (!r || !region_is_memory(r->region))
        return NULL;
    *start = r->start;
    *end = r->end;
    return r->region->host + (r->start - r->region->base);
}

void as_set_code_write_hook(AddressSpace *as, MemCodeWriteHook hook, void *opaque)
{
    as->code_write_hook = hook;
    as->code_write_opaque = opaque;
}

/* Page-flag byte of the RAM/ROM page holding addr, or NULL. */
static uint8_t *page_flag_ptr(AddressSpace *as, uint64_t addr)
{
    const MemFlatRange *r = flat_find(as, addr, NULL);
    if (!r || !region_is_memory(r->region) || !r->region->page_flags)
        return NULL;
    return &r->region->page_flags[(addr - r->region->base) >> MEM_PAGE_BITS];
}

void as_page_flags_set(AddressSpace *as, uint64_t addr, uint8_t flags)
{
    uint8_t *f = page_flag_ptr(as, addr);
    if (f)
        *f |= flags;
}

void as_page_flags_clear(AddressSpace *as, uint64_t addr, uint8_t flags)
{
    uint8_t *f = page_flag_ptr(as, addr);
    if (f)
        *f &= (uint8_t)~flags;
}

uint8_t as_page_flags(AddressSpace *as, uint64_t addr)
{
    uint8_t *f = page_flag_ptr(as, addr);
    return f ? *f : 0;
}

void as_notify_write(AddressSpace *as, uint64_t addr, uint64_t len)
{
    uint64_t done = 0;
    while (done < len) {
        uint64_t cur = addr + done, want = len - done;
        if (cur < addr)
            return;
        uint64_t room = (uint64_t)0 - cur;
        if (room && want > room)
            want = room;
        int next;
        const MemFlatRange *r = flat_find(as, cur, &next);
        if (!r) {
            if (next >= as->nflat)
                return;
            uint64_t gap = as->flat[next].start - cur;
            done += gap < want ? gap : want;
            continue;
        }
        uint64_t chunk = r->end - cur < want ? r->end - cur : want;
        if (r->region->kind == MR_RAM)
            ram_before_write(as, r->region, cur - r->region->base, chunk);
        done += chunk;
    }
}
