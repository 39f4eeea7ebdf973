/*
 * Address spaces: the physical memory map and the x86 port I/O space.
 *
 * An AddressSpace holds MemRegions (RAM, ROM or I/O callbacks) that may
 * overlap; where they do, the higher priority wins (ties: the one added
 * last). The regions are flattened into a sorted array of disjoint ranges
 * that is binary-searched on every access, and rebuilt whenever a region is
 * added, removed, moved or enabled/disabled (PCI BARs, PAM shadowing).
 *
 * RAM keeps per-page flags: MEM_PAGE_CODE marks pages that hold translated
 * code (a write there must invalidate those translations first), and
 * MEM_PAGE_DIRTY_VGA records pages written since the display last looked.
 */
#ifndef DOPPEL_MACHINE_MEMORY_H
#define DOPPEL_MACHINE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_PAGE_BITS 12
#define MEM_PAGE_SIZE (1u << MEM_PAGE_BITS)

/* Callbacks of an I/O region. off is relative to the region base; size is
 * 1, 2, 4 or 8. Accesses outside [min_access, max_access] are split or
 * widened by the address space (0 means 1 and 8 respectively): a wider
 * access becomes several max_access ones (lowest address first); a
 * narrower read reads the aligned min_access unit(s) and shifts, a narrower
 * write is a read-modify-write of the aligned unit(s). A NULL read returns
 * the unassigned value; a NULL write drops the data. */
typedef struct MemRegionOps {
    uint64_t (*read)(void *opaque, uint64_t off, unsigned size);
    void (*write)(void *opaque, uint64_t off, uint64_t val, unsigned size);
    unsigned min_access;
    unsigned max_access;
} MemRegionOps;

typedef enum MemRegionKind { MR_RAM, MR_ROM, MR_IO } MemRegionKind;

/* Page flags of RAM/ROM backing (one byte per 4 KiB page). */
enum {
    MEM_PAGE_CODE = 1u << 0,      /* holds translated code */
    MEM_PAGE_DIRTY_VGA = 1u << 1, /* written since the display last cleared it */
};

typedef struct MemRegion {
    const char *name;
    MemRegionKind kind;
    uint64_t base;
    uint64_t size;
    int priority;
    bool enabled;
    uint8_t *host;            /* RAM/ROM: backing memory, size bytes */
    uint8_t *page_flags;      /* RAM/ROM: size / MEM_PAGE_SIZE bytes */
    bool log_vga;             /* mark MEM_PAGE_DIRTY_VGA on writes */
    const MemRegionOps *ops;  /* MR_IO */
    void *opaque;             /* MR_IO */
    unsigned seq;             /* insertion order, for ties */
    bool own_host;            /* host was allocated by the address space */
    bool host_mmapped;        /* ... with mmap (else calloc) */
} MemRegion;

/* One disjoint range of the flattened view. */
typedef struct MemFlatRange {
    uint64_t start, end;      /* [start, end) */
    MemRegion *region;
} MemFlatRange;

/* Called before a write lands on a page flagged MEM_PAGE_CODE (the engine
 * installs it to invalidate translations). addr is the guest physical
 * address of the first byte written. */
typedef void (*MemCodeWriteHook)(void *opaque, uint64_t addr, uint64_t len);

typedef struct AddressSpace {
    const char *name;
    uint64_t unassigned_value; /* what reads of unclaimed addresses return (all ones for ports) */
    MemRegion **regions;
    int nregions, cap_regions;
    MemFlatRange *flat;
    int nflat;
    unsigned next_seq;
    unsigned generation;       /* bumped on every map change (TLBs flush on change) */
    MemCodeWriteHook code_write_hook;
    void *code_write_opaque;
} AddressSpace;

/** Initialise an empty address space; unassigned reads return unassigned_value
 *  (truncated to the access size). */
void as_init(AddressSpace *as, const char *name, uint64_t unassigned_value);
/** Free every region and the flat view. RAM backing allocated by as_add_ram is freed. */
void as_destroy(AddressSpace *as);

/** Add RAM of size bytes at base; allocates zeroed backing (host may be NULL)
 *  or uses the caller's host buffer. Returns the region, or NULL if the
 *  backing could not be allocated. A region reaching past 2^64 - 1 is
 *  clipped there. */
MemRegion *as_add_ram(AddressSpace *as, const char *name, uint64_t base, uint64_t size,
                      uint8_t *host, int priority);
/** Add ROM: reads come from host, writes are ignored. host may be NULL
 *  (zeroed backing is allocated; fill it through mr->host). NULL on
 *  allocation failure. */
MemRegion *as_add_rom(AddressSpace *as, const char *name, uint64_t base, uint64_t size,
                      uint8_t *host, int priority);
/** Add an I/O region served by ops/opaque. */
MemRegion *as_add_io(AddressSpace *as, const char *name, uint64_t base, uint64_t size,
                     const MemRegionOps *ops, void *opaque, int priority);
/** Remove and free a region (backing it allocated is freed too). */
void as_remove(AddressSpace *as, MemRegion *mr);
/** Move a region to a new base (PCI BAR programming). */
void as_region_move(AddressSpace *as, MemRegion *mr, uint64_t new_base);
/** Enable or disable a region without removing it. */
void as_region_enable(AddressSpace *as, MemRegion *mr, bool enabled);
/** Switch a RAM/ROM region between read-write and read-only (PAM shadowing). */
void as_region_set_readonly(AddressSpace *as, MemRegion *mr, bool readonly);
/** Turn MEM_PAGE_DIRTY_VGA tracking of a RAM region on or off (bumps the
 *  generation so TLBs stop writing it behind the address space's back). */
void as_region_set_log_vga(AddressSpace *as, MemRegion *mr, bool log_vga);

/** The region that serves addr, or NULL if unclaimed. *off gets addr - base. */
MemRegion *as_lookup(AddressSpace *as, uint64_t addr, uint64_t *off);
/** Bytes from addr to the end of the flat range containing it (0 if unclaimed). */
uint64_t as_range_remaining(AddressSpace *as, uint64_t addr);

/** Read size (1/2/4/8) bytes, little-endian. Unclaimed: unassigned_value. */
uint64_t as_read(AddressSpace *as, uint64_t addr, unsigned size);
/** Write size (1/2/4/8) bytes, little-endian. Unclaimed or ROM: ignored. */
void as_write(AddressSpace *as, uint64_t addr, uint64_t val, unsigned size);
/** Copy len bytes to/from guest physical memory (device DMA). Crosses
 *  regions; unclaimed bytes read as unassigned_value and writes to them are
 *  dropped. Returns false if any byte was unclaimed. */
bool as_rw(AddressSpace *as, uint64_t addr, void *buf, uint64_t len, bool is_write);

/** Host pointer to RAM/ROM at addr if the whole [addr, addr+len) lies in one
 *  RAM/ROM region, else NULL. Used by TLB fills; the caller must honour
 *  page flags and ROM read-only-ness itself. */
uint8_t *as_host_ptr(AddressSpace *as, uint64_t addr, uint64_t len, MemRegion **mr);

/** The RAM/ROM flat range holding addr: sets [*start, *end) and returns
 *  the host address of *start, or NULL if addr is MMIO or unclaimed. For
 *  reads only; valid until as->generation changes. */
const uint8_t *as_ram_range(AddressSpace *as, uint64_t addr, uint64_t *start, uint64_t *end);

/** Install the hook called before writes to MEM_PAGE_CODE pages. */
void as_set_code_write_hook(AddressSpace *as, MemCodeWriteHook hook, void *opaque);
/** Set or clear flags on the RAM page holding addr (no-op if not RAM/ROM). */
void as_page_flags_set(AddressSpace *as, uint64_t addr, uint8_t flags);
void as_page_flags_clear(AddressSpace *as, uint64_t addr, uint8_t flags);
/** Flags of the page holding addr (0 if not RAM/ROM). */
uint8_t as_page_flags(AddressSpace *as, uint64_t addr);
/** Note a write of len bytes at addr made behind the address space's back
 *  (e.g. by translated code through a host pointer): runs the code-write
 *  hook for code pages and marks VGA-dirty pages. */
void as_notify_write(AddressSpace *as, uint64_t addr, uint64_t len);

#endif
