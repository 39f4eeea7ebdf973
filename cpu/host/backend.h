/*
 * HostBackend: how the engine turns optimized IR into something the host
 * runs. One per host: x86_64 and aarch64 emit machine code; interp encodes
 * the IR into a compact form it interprets (the portable reference every
 * native backend is tested against).
 *
 * Code lives in a CodeBuffer with separate writable and executable views of
 * the same memory (W^X): backends write through rw and jump through rx.
 */
#ifndef DOPPEL_CPU_HOST_BACKEND_H
#define DOPPEL_CPU_HOST_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/ir/ir.h"
#include "cpu/tb.h"

struct CpuCommon;

typedef struct CodeBuffer {
    uint8_t *rw;        /* writable view */
    uint8_t *rx;        /* executable view (== rw for the interpreter) */
    size_t size;
    size_t used;        /* bytes handed out, prologue included */
    size_t prologue_size;
    bool mapped;        /* rw/rx are mmap()ed views (else rw is calloc()ed) */
    bool sync_remap;    /* code_buffer_sync also re-protects the rx pages
                         * (DOPPEL_CODE_SYNC=mprotect, see code_buffer.c) */
} CodeBuffer;

/** Map a code buffer of size bytes with separate RW and RX views (memfd /
 *  shm on Linux; MAP_JIT elsewhere). executable=false gives plain memory. */
bool code_buffer_init(CodeBuffer *cb, size_t size, bool executable);
void code_buffer_destroy(CodeBuffer *cb);
/** Executable address of a writable pointer into the buffer and back. */
static inline uint8_t *code_rx(const CodeBuffer *cb, const uint8_t *rw) { return cb->rx + (rw - cb->rw); }
static inline uint8_t *code_rw(const CodeBuffer *cb, const uint8_t *rx) { return cb->rw + (rx - cb->rx); }
/** Make [rx, rx+len) coherent for execution (icache flush; no-op on x86). */
void code_buffer_sync(const CodeBuffer *cb, const uint8_t *rx, size_t len);
/** Bracket writes through cb->rw on the calling thread: needed where the
 *  two views are one MAP_JIT mapping whose write permission is toggled
 *  per thread (macOS on Apple silicon); no-ops with separate views. */
void code_buffer_write_begin(const CodeBuffer *cb);
void code_buffer_write_end(const CodeBuffer *cb);

/* What a backend needs to know about the guest's CPU struct layout. */
typedef struct BackendEnvLayout {
    int32_t budget_offset;      /* int32 insn budget, see CpuCommon */
    int32_t tlb_offset;         /* CpuTlb in env */
    int32_t jmp_cache_offset;   /* unused by backends today */
} BackendEnvLayout;

typedef struct HostBackend {
    const char *name;
    /** Create backend state and emit the prologue/epilogue into cb. */
    void *(*create)(CodeBuffer *cb, const BackendEnvLayout *layout);
    void (*destroy)(void *be);
    /** Emit code for the optimized, liveness-annotated IR of tb at cb->used.
     *  Fills tb->host_code, host_size, jmp_* offsets and insn_end[]. Returns
     *  false (emitting nothing) if the buffer has too little room. The code
     *  starts with the budget check: if env budget < tb->icount, return
     *  tb | TB_EXIT_REQUESTED, else subtract tb->icount. */
    bool (*gen_tb)(void *be, CodeBuffer *cb, IrContext *ir, TranslationBlock *tb);
    /** Run from tb until an exit; returns a tagged TB pointer (TB_EXIT_*).
     *  Retaddrs handed to tlb_*_slow and seen by helpers (CPU_GETPC) must
     *  lie inside the code of the guest insn making the call, i.e. in
     *  (insn_end[i-1], insn_end[i]] relative to host_code. A backend whose
     *  helpers are called from C (interp) sets cpu->helper_retaddr to such
     *  an address around every IR_call and clears it afterwards. */
    uintptr_t (*exec)(void *be, struct CpuCommon *cpu, TranslationBlock *tb);
    /** Make goto_tb slot n of tb jump straight to dest (NULL: back to its exit). */
    void (*patch_jump)(void *be, CodeBuffer *cb, TranslationBlock *tb, int n, TranslationBlock *dest);
    /** Print host code for -d out_asm (may be NULL). */
    void (*dump_code)(void *be, const CodeBuffer *cb, const TranslationBlock *tb, FILE *f);
} HostBackend;

extern const HostBackend host_backend_interp;
extern const HostBackend host_backend_x86_64;   /* only on x86-64 hosts */
extern const HostBackend host_backend_aarch64;  /* only on AArch64 hosts */

/** The native backend of this host, or NULL if there is none. */
const HostBackend *host_backend_native(void);

/** Lookup used by lookup_and_goto: the TB for the cpu's current state (from
 *  the jump cache or the hash table), or NULL to return to the engine.
 *  Implemented by the engine; backends call it. */
TranslationBlock *engine_lookup_tb(struct CpuCommon *cpu);

#endif
