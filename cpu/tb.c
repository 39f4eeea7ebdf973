/*
 * The translation-block cache: a hash table keyed by (guest physical pc,
 * virtual pc, cs_base, flags, cflags), per-physical-page TB lists for
 * invalidation when guest code is written, chaining of direct exits with
 * the incoming-jump lists that let invalidation undo chains, and the
 * host-address-ordered TB array used by cpu_restore_state.
 *
 * Invalidation is byte-precise within a page: a write invalidates only the
 * TBs whose guest bytes it overlaps. A page keeps MEM_PAGE_CODE (and so
 * TLB_NOTDIRTY write entries) while at least one TB lives on it.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/engine_int.h"

/* ---- storage ---- */

bool tb_store_init(TbStore *s, size_t arena_size)
{
    memset(s->hash, 0, sizeof(s->hash));
    s->arena = malloc(arena_size);
    s->arena_size = arena_size;
    s->arena_used = 0;
    s->cap_tbs = 1024;
    s->tbs = malloc(s->cap_tbs * sizeof(*s->tbs));
    s->ntbs = 0;
    s->npages_cap = 1024;
    s->pages = malloc(s->npages_cap * sizeof(*s->pages));
    s->npages_used = 0;
    if (!s->arena || !s->tbs || !s->pages)
        return false;
    for (size_t i = 0; i < s->npages_cap; i++)
        s->pages[i] = (CodePage){UINT64_MAX, NULL};
    return true;
}

void tb_store_free(TbStore *s)
{
    free(s->arena);
    free(s->tbs);
    free(s->pages);
    free(s->cpus);
    free(s->disas);
    free(s->disas_save);
}

void *tb_arena_alloc(TbStore *s, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size > s->arena_size - s->arena_used)
        return NULL;
    void *p = s->arena + s->arena_used;
    s->arena_used += size;
    memset(p, 0, size);
    return p;
}

/* ---- code pages ---- */

static size_t page_slot(const TbStore *s, uint64_t page)
{
    uint64_t h = (page >> TLB_PAGE_BITS) * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20) & (s->npages_cap - 1);
}

/* The CodePage of page, or NULL (create: add it). */
static CodePage *page_find(TbStore *s, uint64_t page, bool create)
{
    size_t i = page_slot(s, page);
    while (s->pages[i].page != UINT64_MAX) {
        if (s->pages[i].page == page)
            return &s->pages[i];
        i = (i + 1) & (s->npages_cap - 1);
    }
    if (!create)
        return NULL;
    if ((s->npages_used + 1) * 2 > s->npages_cap) {
        /* Grow and rehash (only from translation, never during a walk). */
        size_t ncap = s->npages_cap * 2;
        CodePage *np = malloc(ncap * sizeof(*np));
        if (!np)
            abort();
        for (size_t k = 0; k < ncap; k++)
            np[k] = (CodePage){UINT64_MAX, NULL};
        CodePage *old = s->pages;
        size_t ocap = s->npages_cap;
        s->pages = np;
        s->npages_cap = ncap;
        for (size_t k = 0; k < ocap; k++) {
            if (old[k].page == UINT64_MAX)
                continue;
            size_t j = page_slot(s, old[k].page);
            while (np[j].page != UINT64_MAX)
                j = (j + 1) & (ncap - 1);
            np[j] = old[k];
        }
        free(old);
        return page_find(s, page, true);
    }
    s->pages[i].page = page;
    s->pages[i].head = NULL;
    s->npages_used++;
    return &s->pages[i];
}

static int tb_page_index(const TranslationBlock *tb, uint64_t page)
{
    return tb->page_addr[0] == page ? 0 : 1;
}

bool tb_page_has_code(Engine *e, uint64_t page)
{
    CodePage *p = page_find(engine_store(e), page, false);
    return p && p->head;
}

static void page_add_tb(Engine *e, TranslationBlock *tb, int n)
{
    TbStore *s = engine_store(e);
    uint64_t page = tb->page_addr[n];
    CodePage *p = page_find(s, page, true);
    bool was_empty = p->head == NULL;
    tb->page_next[n] = p->head;
    p->head = tb;
    if (was_empty || !(as_page_flags(e->mem, page) & MEM_PAGE_CODE)) {
        as_page_flags_set(e->mem, page, MEM_PAGE_CODE);
        tlb_protect_code_page(e, page);
    }
}

static void page_remove_tb(Engine *e, TranslationBlock *tb, int n)
{
    TbStore *s = engine_store(e);
    uint64_t page = tb->page_addr[n];
    CodePage *p = page_find(s, page, false);
    if (!p)
        return;
    TranslationBlock **pp = &p->head;
    while (*pp) {
        TranslationBlock *t = *pp;
        int k = tb_page_index(t, page);
        if (t == tb) {
            *pp = t->page_next[k];
            break;
        }
        pp = &t->page_next[k];
    }
    if (!p->head)
        as_page_flags_clear(e->mem, page, MEM_PAGE_CODE);  /* TLB entries drop NOTDIRTY lazily */
}

/* ---- hash ---- */

static unsigned tb_hash(uint64_t phys_pc, uint64_t cs_base, uint32_t flags)
{
    uint64_t h = phys_pc * 0x9e3779b97f4a7c15ull;
    h ^= (cs_base + flags) * 0xc2b2ae3d27d4eb4full;
    h ^= h >> 29;
    return (unsigned)(h >> 17) & (TB_HASH_SIZE - 1);
}

TranslationBlock *tb_lookup_hash(Engine *e, uint64_t pc, uint64_t phys_pc, uint64_t cs_base,
                                 uint32_t flags, uint32_t cflags)
{
    TbStore *s = engine_store(e);
    for (TranslationBlock *tb = s->hash[tb_hash(phys_pc, cs_base, flags)]; tb; tb = tb->hash_next) {
        if (tb->phys_pc == phys_pc && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags
            && tb->cflags == cflags && !tb->invalid)
            return tb;
    }
    return NULL;
}

void tb_link(Engine *e, TranslationBlock *tb)
{
    TbStore *s = engine_store(e);
    unsigned h = tb_hash(tb->phys_pc, tb->cs_base, tb->flags);
    tb->hash_next = s->hash[h];
    s->hash[h] = tb;
    page_add_tb(e, tb, 0);
    if (tb->page_addr[1] != UINT64_MAX)
        page_add_tb(e, tb, 1);
    if (s->ntbs == s->cap_tbs) {
        size_t ncap = s->cap_tbs * 2;
        TranslationBlock **n = realloc(s->tbs, ncap * sizeof(*n));
        if (!n)
            abort();
        s->tbs = n;
        s->cap_tbs = ncap;
    }
    s->tbs[s->ntbs++] = tb;
}

TranslationBlock *tb_find_by_host(Engine *e, uintptr_t addr)
{
    TbStore *s = engine_store(e);
    uintptr_t lo_code = (uintptr_t)e->code.rx, hi_code = lo_code + e->code.size;
    if (addr < lo_code || addr >= hi_code || s->ntbs == 0)
        return NULL;
    size_t lo = 0, hi = s->ntbs;   /* find the last TB with host_code <= addr */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)s->tbs[mid]->host_code <= addr)
            lo = mid;
        else
            hi = mid;
    }
    TranslationBlock *tb = s->tbs[lo];
    uintptr_t start = (uintptr_t)tb->host_code;
    if (addr < start || addr >= start + tb->host_size)
        return NULL;
    return tb;
}

/* ---- chaining ---- */

void tb_add_jump(Engine *e, TranslationBlock *src, int n, TranslationBlock *dst)
{
    if (src->invalid || dst->invalid || src->jmp_dest[n]
        || src->jmp_insn_offset[n] == TB_NO_JUMP
        || ((src->cflags | dst->cflags) & (TB_CF_NO_CHAIN | TB_CF_SINGLE_INSN | TB_CF_COUNT_MASK)))
        return;
    src->jmp_dest[n] = dst;
    src->jmp_list_next[n] = dst->jmp_list_head;
    dst->jmp_list_head = (uintptr_t)src | (uintptr_t)n;
    e->backend->patch_jump(e->be, &e->code, src, n, dst);
    e->stats.chains++;
}

/* Remove (src, n) from the incoming list of src->jmp_dest[n]. */
static void tb_remove_from_dest(TranslationBlock *src, int n)
{
    TranslationBlock *dst = src->jmp_dest[n];
    uintptr_t *pp = &dst->jmp_list_head;
    uintptr_t me = (uintptr_t)src | (uintptr_t)n;
    while (*pp) {
        TranslationBlock *t = (TranslationBlock *)(*pp & ~(uintptr_t)TB_EXIT_MASK);
        int k = (int)(*pp & TB_EXIT_MASK);
        if (*pp == me) {
            *pp = t->jmp_list_next[k];
            break;
        }
        pp = &t->jmp_list_next[k];
    }
    src->jmp_dest[n] = NULL;
}

/* Unpatch every chain into tb and drop tb's own outgoing links. */
static void tb_unchain(Engine *e, TranslationBlock *tb)
{
    uintptr_t it = tb->jmp_list_head;
    while (it) {
        TranslationBlock *src = (TranslationBlock *)(it & ~(uintptr_t)TB_EXIT_MASK);
        int n = (int)(it & TB_EXIT_MASK);
        it = src->jmp_list_next[n];
        e->backend->patch_jump(e->be, &e->code, src, n, NULL);
        src->jmp_dest[n] = NULL;
    }
    tb->jmp_list_head = 0;
    for (int n = 0; n < 2; n++) {
        if (tb->jmp_dest[n])
            tb_remove_from_dest(tb, n);
    }
}

/* ---- invalidation ---- */

static void tb_phys_invalidate(Engine *e, TranslationBlock *tb)
{
    TbStore *s = engine_store(e);
    tb->invalid = true;
    TranslationBlock **pp = &s->hash[tb_hash(tb->phys_pc, tb->cs_base, tb->flags)];
    while (*pp) {
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
        pp = &(*pp)->hash_next;
    }
    page_remove_tb(e, tb, 0);
    if (tb->page_addr[1] != UINT64_MAX)
        page_remove_tb(e, tb, 1);
    unsigned j = tb_jmp_cache_hash(tb->pc);
    for (int i = 0; i < s->ncpus; i++) {
        if (s->cpus[i]->jmp_cache[j] == tb)
            s->cpus[i]->jmp_cache[j] = NULL;
    }
    tb_unchain(e, tb);
    e->stats.invalidations++;
    log_printf(e->log, LOG_tb, "tb: invalidate pc=0x%llx phys=0x%llx size=%u\n",
               (unsigned long long)tb->pc, (unsigned long long)tb->phys_pc, tb->size);
}

/* Does tb's code on page overlap [start, end)? */
static bool tb_overlaps(const TranslationBlock *tb, uint64_t page, uint64_t start, uint64_t end)
{
    uint64_t first_len = TLB_PAGE_SIZE - (tb->phys_pc & (TLB_PAGE_SIZE - 1));
    uint64_t lo, hi;
    if (tb->page_addr[0] == page) {
        lo = tb->phys_pc;
        hi = lo + (tb->size < first_len ? tb->size : first_len);
    } else {
        lo = page;
        hi = page + (tb->size - first_len);
    }
    if (hi == lo)
        hi = lo + 1;   /* an empty TB still owns its first byte */
    return lo < end && start < hi;
}

TranslationBlock *tb_invalidate_phys_range(Engine *e, uint64_t start, uint64_t end,
                                           uintptr_t cur_retaddr)
{
    TbStore *s = engine_store(e);
    if (end <= start)
        return NULL;
    TranslationBlock *cur = cur_retaddr ? tb_find_by_host(e, cur_retaddr) : NULL;
    TranslationBlock *hit = NULL;
    uint64_t page = start & TLB_PAGE_MASK;
    for (;;) {
        CodePage *p = page_find(s, page, false);
        TranslationBlock *tb = p ? p->head : NULL;
        while (tb) {
            TranslationBlock *next = tb->page_next[tb_page_index(tb, page)];
            if (tb_overlaps(tb, page, start, end)) {
                if (tb == cur && tb->icount > 1)
                    hit = tb;
                tb_phys_invalidate(e, tb);
            }
            tb = next;
        }
        if (!p || !p->head)
            as_page_flags_clear(e->mem, page, MEM_PAGE_CODE);
        uint64_t next_page = page + TLB_PAGE_SIZE;
        if (next_page >= end || next_page < page)
            break;
        page = next_page;
    }
    return hit;
}

void engine_invalidate_phys_range(Engine *e, uint64_t paddr, uint64_t len)
{
    uint64_t end = paddr + len;
    if (end < paddr)
        end = UINT64_MAX;
    tb_invalidate_phys_range(e, paddr, end, 0);
}

void tb_store_reset(Engine *e)
{
    TbStore *s = engine_store(e);
    for (size_t i = 0; i < s->npages_cap; i++) {
        if (s->pages[i].page != UINT64_MAX)
            as_page_flags_clear(e->mem, s->pages[i].page, MEM_PAGE_CODE);
        s->pages[i] = (CodePage){UINT64_MAX, NULL};
    }
    s->npages_used = 0;
    memset(s->hash, 0, sizeof(s->hash));
    s->ntbs = 0;
    s->arena_used = 0;
}
