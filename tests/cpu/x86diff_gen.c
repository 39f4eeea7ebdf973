/*
 * x86diff generator: random sequences of x86-64 integer instructions drawn
 * from the forms of cpu/x86/x86_opcodes.def, encoded by hand (Intel SDM
 * Vol. 2 ch. 2: legacy prefixes, REX, opcode, ModRM, SIB, displacement,
 * immediate). Layout and the flag analysis are in x86diff_layout.c.
 *
 * Rules that keep a sequence deterministic and inside its sandbox:
 *  - one base register B (RBX, RBP or R8..R15) holds an address in the data
 *    page and is never written; RSP points into the data page and changes
 *    only by PUSH/POP; neither is ever a destination;
 *  - memory operands address the data page: [B+disp], [B+I*s+disp] with
 *    I set by a MOV in the same unit, [RSP+disp], [RIP+disp], [disp32],
 *    optionally with a 67h prefix (32-bit addressing);
 *  - string ops get RSI/RDI (LEA from B) and, under REP, RCX set first;
 *  - shift counts in CL are usually set by a MOV first, so their flag
 *    effects are known; divisions are usually set up not to fault (else
 *    the #DE is compared);
 *  - jumps go forward to a later unit or to the end;
 *  - a flag reader whose flags may be undefined gets a CMP before it;
 *  - ENTER/LEAVE get RBP pointed next to RSP, POPF pops a value pushed
 *    just before it (never TF or AC), CMPXCHG8B/16B sometimes first load
 *    RDX:RAX from their operand so the exchange happens;
 *  - opcodes invalid in 64-bit mode (X86F_I64) appear as "invalid": #UD.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/x86_decode.h"
#include "tests/cpu/x86diff_gen.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* The opcode table, with handler names (to leave out segment moves). */
typedef struct DefEntry {
    const char *mnem, *handler;
    uint8_t map, opc, a, b, c;
    uint16_t flags;
} DefEntry;

static const DefEntry def_table[] = {
#define X86_OPC(map, opc, mnem, handler, a, b, c, fl) { mnem, #handler, map, opc, a, b, c, fl },
#include "cpu/x86/x86_opcodes.def"
#undef X86_OPC
};

static const char *const grp1_names[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp" };
static const char *const grp2_names[8] = { "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar" };
static const char *const grp3_names[8] = { "test", "test", "not", "neg", "mul", "imul", "div", "idiv" };
static const char *const grp4_names[8] = { "inc", "dec", NULL, NULL, NULL, NULL, NULL, NULL };
static const char *const grp5_names[8] = { "inc", "dec", NULL, NULL, NULL, NULL, "push", NULL };
static const char *const grp8_names[8] = { NULL, NULL, NULL, NULL, "bt", "bts", "btr", "btc" };
static const char *const grp9_names[8] = { NULL, "cmpxchg8b", NULL, NULL, NULL, NULL, NULL, NULL };

/* Non-group table mnemonics the generator covers (fine name if renamed). */
static const char *const plain_names[][2] = {
    { "add", 0 }, { "or", 0 }, { "adc", 0 }, { "sbb", 0 }, { "and", 0 }, { "sub", 0 },
    { "xor", 0 }, { "cmp", 0 }, { "push", 0 }, { "pop", 0 }, { "imul", 0 }, { "test", 0 },
    { "xchg", 0 }, { "mov", 0 }, { "lea", 0 }, { "cbw", 0 }, { "cwd", 0 }, { "sahf", 0 },
    { "lahf", 0 }, { "movsb", "movs" }, { "movs", 0 }, { "cmpsb", "cmps" }, { "cmps", 0 },
    { "stosb", "stos" }, { "stos", 0 }, { "lodsb", "lods" }, { "lods", 0 }, { "scasb", "scas" },
    { "scas", 0 }, { "loopne", 0 }, { "loope", 0 }, { "loop", 0 }, { "jrcxz", 0 }, { "jmp", 0 },
    { "jcc", 0 }, { "cmc", 0 }, { "clc", 0 }, { "stc", 0 }, { "cld", 0 }, { "std", 0 },
    { "cmovcc", 0 }, { "setcc", 0 }, { "bt", 0 }, { "shld", 0 }, { "shrd", 0 }, { "bts", 0 },
    { "btr", 0 }, { "btc", 0 }, { "cmpxchg", 0 }, { "movzx", 0 }, { "movsx", 0 },
    { "popcnt", 0 }, { "bsf", 0 }, { "bsr", 0 }, { "xadd", 0 }, { "bswap", 0 },
    { "arpl", "movsxd" }, { "xlat", 0 }, { "popf", 0 }, { "hint_nop", "nop" }, { "enter", 0 },
    { "leave", 0 },
};

#define MAX_FORMS 256
#define MAX_NAMES 96

struct DiffGen {
    DiffForm forms[MAX_FORMS];
    int nforms;
    const char *names[MAX_NAMES];
    int nnames;
    const char *focus;
    /* the current state's sandbox */
    int base_reg;            /* B */
    uint64_t base_off;       /* B - DIFF_DATA_BASE */
    int64_t rsp_off;         /* RSP - DIFF_DATA_BASE as the generator tracks it */
    bool fp;                 /* x87/MMX/SSE mode (x86diff_fpgen.c) */
};

void diff_gen_set_fp(DiffGen *g, bool on)
{
    g->fp = on;
}

uint64_t diff_rand(uint64_t *rng)
{
    uint64_t x = *rng ? *rng : 0x9e3779b97f4a7c15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *rng = x;
    return x * 0x2545f4914f6cdd1dull;
}

static unsigned rnd(uint64_t *rng, unsigned n)
{
    return (unsigned)(diff_rand(rng) % n);
}

static bool streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* ---- form list ---- */

static void add_form(DiffGen *g, const char *only, const DefEntry *d, const char *name, int reg)
{
    if (!name || g->nforms == MAX_FORMS)
        return;
    if (only && !streq(only, name) && !streq(only, d->mnem))
        return;
    DiffForm *f = &g->forms[g->nforms++];
    f->name = name;
    f->table_name = d->mnem;
    f->map = d->map;
    f->opcode = d->opc;
    f->reg = (int8_t)reg;
    f->op[0] = d->a;
    f->op[1] = d->b;
    f->op[2] = d->c;
    f->tflags = d->flags;
    for (int i = 0; i < g->nnames; i++)
        if (streq(g->names[i], name))
            return;
    if (g->nnames < MAX_NAMES)
        g->names[g->nnames++] = name;
}

static bool excluded_handler(const char *h)
{
    static const char *const no[] = { "x86_gen_push_seg", "x86_gen_pop_seg", "x86_gen_mov_from_seg",
                                      "x86_gen_mov_to_seg", "x86_gen_mov_cr", "x86_gen_mov_dr" };
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (streq(h, no[i]))
            return true;
    return false;
}

DiffGen *diff_gen_create(const char *only)
{
    DiffGen *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    for (size_t i = 0; i < sizeof(def_table) / sizeof(def_table[0]); i++) {
        const DefEntry *d = &def_table[i];
        if (d->flags & X86F_I64) {
            /* Invalid in 64-bit mode: expect #UD. Not 62h, C4h, C5h (EVEX
             * and VEX prefixes in 64-bit mode) or 40h-4Fh (REX). */
            if (d->map == 0 && d->opc != 0x62 && d->opc != 0xc4 && d->opc != 0xc5 && (d->opc & 0xf0) != 0x40)
                add_form(g, only, d, "invalid", -1);
            continue;
        }
        if (excluded_handler(d->handler) || (streq(d->mnem, "hint_nop") && d->opc != 0x18))
            continue;
        const char *const *grp = NULL;
        if (streq(d->mnem, "grp1"))
            grp = grp1_names;
        else if (streq(d->mnem, "grp2"))
            grp = grp2_names;
        else if (streq(d->mnem, "grp3"))
            grp = grp3_names;
        else if (streq(d->mnem, "grp4"))
            grp = grp4_names;
        else if (streq(d->mnem, "grp5"))
            grp = grp5_names;
        else if (streq(d->mnem, "grp8"))
            grp = grp8_names;
        else if (streq(d->mnem, "grp9"))
            grp = grp9_names;
        if (grp) {
            for (int r = 0; r < 8; r++)
                add_form(g, only, d, grp[r], r);
            continue;
        }
        for (size_t k = 0; k < sizeof(plain_names) / sizeof(plain_names[0]); k++)
            if (streq(d->mnem, plain_names[k][0]))
                add_form(g, only, d, plain_names[k][1] ? plain_names[k][1] : d->mnem,
                         (d->flags & X86F_REG0) ? 0 : -1);
    }
    if (g->nforms == 0) {
        free(g);
        return NULL;
    }
    return g;
}

void diff_gen_destroy(DiffGen *g)
{
    free(g);
}

int diff_gen_mnemonic_count(const DiffGen *g)
{
    return g->nnames;
}

const char *diff_gen_mnemonic(const DiffGen *g, int i)
{
    return i >= 0 && i < g->nnames ? g->names[i] : NULL;
}

void diff_gen_focus(DiffGen *g, const char *name)
{
    g->focus = name;
}

/* ---- values ---- */

static uint64_t interesting(uint64_t *rng)
{
    static const uint64_t special[] = {
        0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000u, 0xffffffffu,
        0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, 0xff00ff00ff00ff00ull,
    };
    switch (rnd(rng, 10)) {
    case 0: return 0;
    case 1: return rnd(rng, 17);
    case 2: return (uint64_t)-(int64_t)rnd(rng, 17);
    case 3: return 1ull << rnd(rng, 64);
    case 4: return (1ull << rnd(rng, 64)) - 1;
    case 5: return special[rnd(rng, sizeof(special) / sizeof(special[0]))];
    default: return diff_rand(rng);
    }
}

void diff_gen_state(DiffGen *g, uint64_t *rng, DiffState *st)
{
    static const int bases[] = { RBX, RBX, RBX, RBP, R8, R9, R10, R11, R12, R13, R14, R15 };
    memset(st, 0, sizeof(*st));
    for (int i = 0; i < 16; i++)
        st->regs[i] = interesting(rng);
    g->base_reg = bases[rnd(rng, sizeof(bases) / sizeof(bases[0]))];
    g->base_off = 0x100 + rnd(rng, 0xd00);
    st->regs[g->base_reg] = DIFF_DATA_BASE + g->base_off;
    g->rsp_off = 0x7c0 + 8 * (int64_t)rnd(rng, 16);
    st->regs[RSP] = DIFF_DATA_BASE + (uint64_t)g->rsp_off;
    st->rflags = 2 | (diff_rand(rng) & DF_ARITH) | (rnd(rng, 8) == 0 ? DF_DF : 0);
    st->rip = DIFF_CODE_BASE;
    st->exception = DIFF_EXC_NONE;
    for (size_t i = 0; i < DIFF_DATA_SIZE; i += 8) {
        uint64_t v = rnd(rng, 4) == 0 ? interesting(rng) : diff_rand(rng);
        memcpy(&st->data[i], &v, 8);
    }
    diff_fp_default(st->fx);
    if (g->fp)
        diff_fp_state(rng, st);
}

/* ---- encoder ---- */

typedef struct Enc {
    uint8_t pfx[4];
    int npfx;
    bool w, r, x, b, rex_force, no_rex;
    int map;
    uint8_t opc;
    bool modrm;
    uint8_t mod, reg, rm;
    bool sib;
    uint8_t ss, idx, base;
    int disp_size;
    int32_t disp;
    bool riprel;
    uint64_t rip_target;
    int imm_size;
    uint64_t imm;
    int rel_size;              /* jumps: 1 or 4 */
    int target_unit;
    bool uncond;
} Enc;

static void enc_prefix(Enc *e, uint8_t p)
{
    if (e->npfx < 4)
        e->pfx[e->npfx++] = p;
}

static void put(DiffInsn *in, uint64_t v, int n)
{
    for (int i = 0; i < n && in->len < 15; i++)
        in->bytes[in->len++] = (uint8_t)(v >> (8 * i));
}

static bool enc_emit(const Enc *e, DiffInsn *in)
{
    in->len = 0;
    in->fix = FIX_NONE;
    int total = e->npfx + (e->map ? 2 : 1) + (e->modrm ? 1 : 0) + (e->sib ? 1 : 0) + e->disp_size
                + e->imm_size + e->rel_size
                + ((e->w || e->r || e->x || e->b || e->rex_force) ? 1 : 0);
    if (total > 15)
        return false;
    for (int i = 0; i < e->npfx; i++)
        put(in, e->pfx[i], 1);
    if (e->w || e->r || e->x || e->b || e->rex_force)
        put(in, 0x40u | (e->w ? 8 : 0) | (e->r ? 4 : 0) | (e->x ? 2 : 0) | (e->b ? 1 : 0), 1);
    if (e->map)
        put(in, 0x0f, 1);
    put(in, e->opc, 1);
    if (e->modrm)
        put(in, (unsigned)(e->mod << 6) | (unsigned)((e->reg & 7) << 3) | (e->rm & 7), 1);
    if (e->sib)
        put(in, (unsigned)(e->ss << 6) | (unsigned)((e->idx & 7) << 3) | (e->base & 7), 1);
    if (e->disp_size) {
        if (e->riprel) {
            in->fix = FIX_RIPREL;
            in->fix_at = in->len;
            in->rip_target = e->rip_target;
        }
        put(in, (uint64_t)(int64_t)e->disp, e->disp_size);
    }
    if (e->rel_size) {
        in->fix = e->rel_size == 1 ? FIX_REL8 : FIX_REL32;
        in->fix_at = in->len;
        in->target_unit = e->target_unit;
        in->uncond = e->uncond;
        put(in, 0, e->rel_size);
    }
    put(in, e->imm, e->imm_size);
    return true;
}

/* ---- unit building ---- */

typedef struct Build {
    DiffGen *g;
    uint64_t *rng;
    int uidx;
    DiffInsn pre[DIFF_UNIT_INSNS];   /* setup instructions, emitted before the main one */
    int npre;
    int index_reg;                   /* index register of the memory operand, or -1 */
    bool force_disp32;               /* memory operand with a disp32 (so disp+n is encodable) */
} Build;

static bool add_pre(Build *bd, const Enc *e, const char *name)
{
    if (bd->npre >= DIFF_UNIT_INSNS - 2)
        return false;
    DiffInsn *in = &bd->pre[bd->npre];
    memset(in, 0, sizeof(*in));
    if (!enc_emit(e, in))
        return false;
    in->name = name;
    bd->npre++;
    return true;
}

/* MOV r32, imm32 (B8+r; zero-extends). */
static bool pre_mov32(Build *bd, int reg, uint32_t imm)
{
    Enc e = { .opc = (uint8_t)(0xb8 + (reg & 7)), .b = reg >= 8, .imm_size = 4, .imm = imm };
    return add_pre(bd, &e, "mov");
}

/* MOV r64, simm32 (REX.W C7 /0). */
static bool pre_mov64s(Build *bd, int reg, int32_t imm)
{
    Enc e = { .w = true, .opc = 0xc7, .modrm = true, .mod = 3, .rm = (uint8_t)(reg & 7), .b = reg >= 8,
              .imm_size = 4, .imm = (uint32_t)imm };
    return add_pre(bd, &e, "mov");
}

/* LEA r64, [B + disp32] with the effective address DIFF_DATA_BASE + off. */
static bool pre_lea(Build *bd, int reg, int64_t off)
{
    int b = bd->g->base_reg;
    Enc e = { .w = true, .opc = 0x8d, .modrm = true, .mod = 2, .reg = (uint8_t)(reg & 7), .r = reg >= 8,
              .rm = (uint8_t)(b & 7), .b = b >= 8, .disp_size = 4,
              .disp = (int32_t)(off - (int64_t)bd->g->base_off) };
    if ((b & 7) == 4) {
        e.sib = true;
        e.idx = 4;
        e.base = 4;
    }
    return add_pre(bd, &e, "lea");
}

static bool reserved(const DiffGen *g, int phys)
{
    return phys == RSP || phys == g->base_reg;
}

/* The GPR a register operand code touches: without REX, byte codes 4..7
 * are AH, CH, DH, BH (SDM Vol. 2 3.1.1.1), parts of RAX..RBX. */
static int phys_of(int code, int size, bool rex)
{
    return (size == 1 && !rex && code >= 4 && code < 8) ? code - 4 : code;
}

static bool has_rex(const Enc *e)
{
    return e->w || e->r || e->x || e->b || e->rex_force;
}

static int64_t pick_offset(uint64_t *rng, int64_t lo, int64_t hi)
{
    return lo + (int64_t)rnd(rng, (unsigned)(hi - lo));
}

/* Encode a memory operand that accesses DIFF_DATA_BASE + target (mod/rm,
 * SIB, displacement; may add a setup MOV for an index register). access:
 * false for LEA (any address will do, the index may hold anything). */
static bool mem_operand(Build *bd, Enc *e, int64_t target, bool access)
{
    DiffGen *g = bd->g;
    uint64_t *rng = bd->rng;
    e->modrm = true;
    unsigned variant = rnd(rng, 10);
    if (variant == 0) {                      /* RIP-relative (EIP-relative with 67h) */
        e->mod = 0;
        e->rm = 5;
        e->disp_size = 4;
        e->riprel = true;
        e->rip_target = DIFF_DATA_BASE + (uint64_t)target;
        return true;
    }
    if (variant == 1) {                      /* [disp32] through a SIB without base */
        e->mod = 0;
        e->rm = 4;
        e->sib = true;
        e->idx = 4;
        e->base = 5;
        e->ss = (uint8_t)rnd(rng, 4);
        e->disp_size = 4;
        e->disp = (int32_t)(DIFF_DATA_BASE + (uint64_t)target);
        return true;
    }
    int base = variant == 2 ? RSP : g->base_reg;
    if (variant == 2) {                      /* RSP is only an estimate: keep well inside */
        if (target < 0x180)
            target += 0x100;
        else if (target > 0xe80)
            target -= 0x100;
    }
    int64_t disp = target - (variant == 2 ? g->rsp_off : (int64_t)g->base_off);
    int index = -1;
    if (variant >= 7) {                      /* [base + index*scale + disp] */
        /* Not a register any instruction writes implicitly or a setup
         * MOV of the same unit might change after this one. */
        static const int idx_ok[] = { RBX, RBP, R8, R9, R10, R11, R12, R13, R14, R15 };
        int idx;
        do
            idx = access ? idx_ok[rnd(rng, 10)] : (int)rnd(rng, 16);
        while (idx == RSP || (access && reserved(g, idx)));
        e->ss = (uint8_t)rnd(rng, 4);
        if (access) {
            uint32_t v = rnd(rng, 32);
            if (!pre_mov32(bd, idx, v))
                return false;
            disp -= (int64_t)v << e->ss;
        }
        index = idx;
        bd->index_reg = idx;
    }
    e->b = base >= 8;
    if (index >= 0 || (base & 7) == 4) {
        e->sib = true;
        e->rm = 4;
        e->base = (uint8_t)(base & 7);
        e->idx = index >= 0 ? (uint8_t)(index & 7) : 4;
        e->x = index >= 8;
        if (index < 0)
            e->ss = (uint8_t)rnd(rng, 4);    /* no index: the scale is ignored */
    } else {
        e->rm = (uint8_t)(base & 7);
    }
    if (bd->force_disp32) {
        e->mod = 2;
        e->disp_size = 4;
        e->disp = (int32_t)disp;
    } else if (disp == 0 && (base & 7) != 5 && rnd(rng, 2)) {
        e->mod = 0;
    } else if (disp >= -128 && disp < 128 && rnd(rng, 4)) {
        e->mod = 1;
        e->disp_size = 1;
        e->disp = (int32_t)disp;
    } else {
        e->mod = 2;
        e->disp_size = 4;
        e->disp = (int32_t)disp;
    }
    return true;
}

static uint64_t imm_value(uint64_t *rng, int size)
{
    uint64_t v = interesting(rng);
    return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

static bool is_string(const char *n)
{
    return streq(n, "movs") || streq(n, "cmps") || streq(n, "stos") || streq(n, "lods") || streq(n, "scas");
}

static bool is_one_of(const char *n, const char *const *list)
{
    for (; *list; list++)
        if (streq(n, *list))
            return true;
    return false;
}

/* Is operand i of f written? */
static bool op_written(const DiffForm *f, int i)
{
    static const char *const readers[] = { "cmp", "test", "bt", "push", "mul", "div", "idiv", "nop", NULL };
    const char *n = f->name;
    if (i == 0)
        return !is_one_of(n, readers) && !(streq(n, "imul") && f->map == 0 && f->opcode >= 0xf6);
    return i == 1 && (streq(n, "xchg") || streq(n, "xadd"));
}

/* A shift/rotate count with the interesting cases weighted up. */
static int pick_count(uint64_t *rng, int bits)
{
    static const int cands[] = { 0, 1, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63 };
    int c = rnd(rng, 3) ? cands[rnd(rng, sizeof(cands) / sizeof(cands[0]))] : (int)rnd(rng, 64);
    if (bits < 64)
        c &= 31;
    if (rnd(rng, 4) == 0)
        c |= (int)(rnd(rng, 4) << 6);   /* high bits the CPU masks off */
    return c & 0xff;
}

typedef struct MainInfo {
    int opsize;
    int count;       /* shift count (-1 unknown) */
    int cond;
    int rep_count;   /* -1: no REP */
} MainInfo;

static bool build_jump(Build *bd, const DiffForm *f, DiffInsn *main, MainInfo *mi)
{
    const char *n = f->name;
    Enc j = { .map = f->map, .opc = f->opcode };
    if (streq(n, "jcc")) {
        mi->cond = (int)rnd(bd->rng, 16);
        j.opc = (uint8_t)(f->opcode + mi->cond);
    }
    /* LOOP/JRCXZ count in ECX with 67h. No 66h on branches: AMD and
     * Intel disagree about it in 64-bit mode. */
    if (!streq(n, "jcc") && !streq(n, "jmp") && rnd(bd->rng, 4) == 0)
        enc_prefix(&j, 0x67);
    j.rel_size = f->op[0] == Jz ? 4 : 1;
    j.uncond = streq(n, "jmp");
    /* Skip one or two units, sometimes none, or jump to the end. */
    unsigned k = rnd(bd->rng, 8);
    j.target_unit = k < 4 ? bd->uidx + 2 + (int)(k & 1) : k < 6 ? bd->uidx + 1 : DIFF_MAX_UNITS;
    mi->opsize = 8;
    return enc_emit(&j, main);
}

static bool build_string(Build *bd, const DiffForm *f, DiffInsn *main, MainInfo *mi)
{
    const char *n = f->name;
    uint64_t *rng = bd->rng;
    Enc s = { .opc = f->opcode };
    int opsize = (f->tflags & X86F_BYTE) ? 1 : (int[]){ 2, 4, 8 }[rnd(rng, 3)];
    mi->opsize = opsize;
    if (opsize == 2)
        enc_prefix(&s, 0x66);
    if (rnd(rng, 6) == 0)
        enc_prefix(&s, 0x67);
    s.w = opsize == 8;
    if (rnd(rng, 3)) {
        bool cmp = streq(n, "cmps") || streq(n, "scas");
        enc_prefix(&s, cmp && rnd(rng, 2) ? 0xf2 : 0xf3);
        mi->rep_count = (int)rnd(rng, 9);
        if (!pre_mov32(bd, RCX, (uint32_t)mi->rep_count))
            return false;
    }
    if ((streq(n, "movs") || streq(n, "cmps") || streq(n, "lods"))
        && !pre_lea(bd, RSI, pick_offset(rng, 0x100, 0xf00)))
        return false;
    if (!streq(n, "lods") && !pre_lea(bd, RDI, pick_offset(rng, 0x100, 0xf00)))
        return false;
    return enc_emit(&s, main);
}

/* Division setup so it does not fault: a non-zero divisor, and RDX (AH)
 * zero for DIV or the sign extension of RAX (AL) for IDIV. */
static bool setup_division(Build *bd, const Enc *e, const char *n, int opsize)
{
    Enc m = *e;
    m.map = 0;
    m.opc = opsize == 1 ? 0xc6 : 0xc7;      /* MOV r/m, imm */
    m.reg = 0;
    m.imm_size = opsize == 1 ? 1 : opsize == 2 ? 2 : 4;
    uint64_t d = imm_value(bd->rng, m.imm_size);
    if (d == 0)
        d = 1 + rnd(bd->rng, 200);
    m.imm = d;
    if (!add_pre(bd, &m, "mov"))
        return false;
    if (streq(n, "div")) {
        if (opsize == 1) {
            Enc z = { .opc = 0xb4, .imm_size = 1, .imm = 0 };      /* MOV AH, 0 */
            return add_pre(bd, &z, "mov");
        }
        return pre_mov32(bd, RDX, 0);
    }
    Enc x = { .opc = opsize == 1 ? 0x98 : 0x99, .w = opsize == 8 };   /* CBW, CWD, CDQ, CQO */
    if (opsize <= 2)
        enc_prefix(&x, 0x66);
    return add_pre(bd, &x, opsize == 1 ? "cbw" : "cwd");
}

/* Operand e displaced by n bytes (needs a disp32 or RIP-relative form). */
static Enc enc_plus(const Enc *e, int n)
{
    Enc o = *e;
    if (o.riprel)
        o.rip_target += (uint64_t)n;
    else
        o.disp += n;
    return o;
}

/* CMPXCHG8B/CMPXCHG16B m (0F C7 /1): EDX:EAX (RDX:RAX) against memory.
 * Half the time RDX:RAX is loaded from the operand first so the exchange
 * happens. CMPXCHG16B needs a 16-byte aligned operand, else #GP(0) (SDM
 * Vol. 2 CMPXCHG8B/CMPXCHG16B): mostly aligned, sometimes not. */
static bool build_cmpxchg8b(Build *bd, const DiffForm *f, DiffInsn *main, MainInfo *mi)
{
    uint64_t *rng = bd->rng;
    bool wide = rnd(rng, 2);
    Enc e = { .map = f->map, .opc = f->opcode, .modrm = true, .reg = 1, .w = wide };
    mi->opsize = wide ? 16 : 8;
    int64_t t = pick_offset(rng, 0x40, 0xf00) & ~(int64_t)15;
    if (rnd(rng, 8) == 0)
        t += 8;                            /* misaligned for CMPXCHG16B */
    bd->force_disp32 = true;
    if (!mem_operand(bd, &e, t, true))
        return false;
    if (rnd(rng, 2)) {
        int half = wide ? 8 : 4;
        Enc lo = e, hi = enc_plus(&e, half);
        lo.map = hi.map = 0;
        lo.opc = hi.opc = 0x8b;            /* MOV rAX, m; MOV rDX, m+half */
        lo.reg = 0;
        hi.reg = 2;
        if (!add_pre(bd, &lo, "mov") || !add_pre(bd, &hi, "mov"))
            return false;
    }
    if (rnd(rng, 4) == 0 && e.npfx < 4)
        enc_prefix(&e, 0xf0);
    return enc_emit(&e, main);
}

/* POPF/POPFQ of a value pushed just before (PUSH imm): random arithmetic
 * flags and DF, never TF or AC (a trap, alignment checks natively). */
static bool build_popf(Build *bd, const DiffForm *f, DiffInsn *main, MainInfo *mi)
{
    uint64_t *rng = bd->rng;
    bool narrow = rnd(rng, 4) == 0;
    uint64_t v = 2 | (diff_rand(rng) & DF_COMPARED);
    Enc push = { .opc = 0x68, .imm_size = narrow ? 2 : 4, .imm = v };
    Enc pop = { .opc = f->opcode };
    if (narrow) {
        enc_prefix(&push, 0x66);
        enc_prefix(&pop, 0x66);
    }
    mi->opsize = narrow ? 2 : 8;
    return add_pre(bd, &push, "push") && enc_emit(&pop, main);
}

/* ENTER imm16, imm8 / LEAVE, with RBP first pointed near RSP (LEA RBP,
 * [RSP+d]) so the frame stays in the data page. Not when B is RBP. */
static bool build_enter_leave(Build *bd, const DiffForm *f, DiffInsn *main, MainInfo *mi)
{
    DiffGen *g = bd->g;
    uint64_t *rng = bd->rng;
    if (g->base_reg == RBP)
        return false;
    int d = (int)rnd(rng, 97) - 48;
    Enc lea = { .w = true, .opc = 0x8d, .modrm = true, .mod = 1, .reg = RBP, .rm = 4, .sib = true,
                .idx = 4, .base = RSP, .disp_size = 1, .disp = d };
    if (!add_pre(bd, &lea, "lea"))
        return false;
    int opsize = rnd(rng, 4) == 0 ? 2 : 8;
    mi->opsize = opsize;
    Enc e = { .opc = f->opcode };
    if (opsize == 2)
        enc_prefix(&e, 0x66);
    if (streq(f->name, "leave")) {
        if (!enc_emit(&e, main))
            return false;
        g->rsp_off += d + opsize;          /* RSP = RBP, then pop */
        return true;
    }
    int alloc = (int)rnd(rng, 33);
    int level = rnd(rng, 3) ? (int)rnd(rng, 2) : (int)rnd(rng, 5);
    if (rnd(rng, 8) == 0)
        level |= 32;                        /* masked to 5 bits (SDM Vol. 2 ENTER) */
    e.imm_size = 3;
    e.imm = (uint64_t)alloc | (uint64_t)level << 16;
    if (!enc_emit(&e, main))
        return false;
    int lv = level & 31;
    g->rsp_off -= (int64_t)(lv ? lv + 1 : 1) * opsize + alloc;
    return true;
}

/* An opcode that is invalid in 64-bit mode (X86F_I64): #UD. A few bytes
 * follow so a CPU that decodes it anyway has something to chew on. */
static bool build_invalid(Build *bd, const DiffForm *f, DiffInsn *main)
{
    Enc e = { .opc = f->opcode, .imm_size = 2, .imm = 0xc0 | rnd(bd->rng, 0x40) | (rnd(bd->rng, 256) << 8) };
    return enc_emit(&e, main);
}

/* Build the main instruction of unit bd for form f into *main. */
static bool build_main(Build *bd, const DiffForm *f, DiffInsn *main, MainInfo *mi)
{
    static const char *const bare[] = { "cbw", "cwd", "sahf", "lahf", "cmc", "clc", "stc", "cld", "std", NULL };
    static const char *const lockable[] = { "add", "adc", "and", "btc", "btr", "bts", "cmpxchg", "dec",
                                            "inc", "neg", "not", "or", "sbb", "sub", "xor", "xadd", NULL };
    DiffGen *g = bd->g;
    uint64_t *rng = bd->rng;
    const char *n = f->name;
    mi->count = -1;
    mi->cond = 0;
    mi->rep_count = -1;
    mi->opsize = 4;

    if (f->op[0] == Jb || f->op[0] == Jz)
        return build_jump(bd, f, main, mi);
    if (streq(n, "cmpxchg8b"))
        return build_cmpxchg8b(bd, f, main, mi);
    if (streq(n, "popf"))
        return build_popf(bd, f, main, mi);
    if (streq(n, "invalid"))
        return build_invalid(bd, f, main);
    if (streq(n, "enter") || streq(n, "leave"))
        return build_enter_leave(bd, f, main, mi);
    if (is_string(n))
        return build_string(bd, f, main, mi);

    Enc e = { .map = f->map, .opc = f->opcode };
    if (streq(n, "xlat")) {                  /* AL = [RBX + AL] */
        if (g->base_reg != RBX && !pre_lea(bd, RBX, pick_offset(rng, 0x40, 0xe00)))
            return false;
        if (rnd(rng, 4) == 0)
            enc_prefix(&e, 0x67);
        e.w = rnd(rng, 2);
        return enc_emit(&e, main);
    }
    if (is_one_of(n, bare) && !streq(n, "cbw") && !streq(n, "cwd"))
        return enc_emit(&e, main);           /* no prefixes: they would be reserved */

    /* ---- operand size ---- */
    int k0 = f->op[0];
    bool push_pop = streq(n, "push") || streq(n, "pop");
    int opsize;
    if (k0 == Eb || k0 == Gb || k0 == AL || k0 == Zb || k0 == Ob)
        opsize = 1;
    else if (push_pop)
        opsize = rnd(rng, 4) == 0 ? 2 : 8;
    else if (streq(n, "bswap"))
        opsize = rnd(rng, 2) ? 4 : 8;        /* 16-bit BSWAP is undefined */
    else
        opsize = (int[]){ 2, 4, 4, 8, 8 }[rnd(rng, 5)];
    mi->opsize = opsize;
    if (opsize == 2)
        enc_prefix(&e, 0x66);
    else if (opsize == 8)
        e.w = !push_pop || rnd(rng, 2);      /* PUSH/POP default to 64 bits */
    if (rnd(rng, 8) == 0)
        enc_prefix(&e, 0x67);
    if (streq(n, "popcnt"))
        enc_prefix(&e, 0xf3);                /* mandatory prefix (last: capstone wants it so) */
    if (rnd(rng, 5) == 0)
        e.rex_force = true;
    if (f->reg >= 0) {
        e.modrm = true;
        e.reg = (uint8_t)f->reg;
    }
    bool nop = streq(n, "nop");
    if (nop) {                               /* 0F 1F /0: NOP Ev, the operand is not accessed */
        e.opc = 0x1f;
        e.modrm = true;
        e.reg = 0;
    }
    if (streq(n, "cbw") || streq(n, "cwd"))
        return enc_emit(&e, main);
    if (streq(n, "cmovcc") || streq(n, "setcc")) {
        mi->cond = (int)rnd(rng, 16);
        e.opc = (uint8_t)(f->opcode + mi->cond);
    }

    bool div = streq(n, "div") || streq(n, "idiv");
    bool safe_div = div && rnd(rng, 8) != 0;
    bool is_bt = streq(n, "bt") || streq(n, "bts") || streq(n, "btr") || streq(n, "btc");
    int64_t lo = is_bt ? 0x100 : 0x40, hi = is_bt ? 0xe00 : 0xf70;

    /* ---- operands ---- */
    int code[3] = { -1, -1, -1 }, size[3] = { 0, 0, 0 };
    bool wr[3] = { false, false, false };
    bool mem = false;
    for (int i = 0; i < 3; i++) {
        int k = f->op[i];
        wr[i] = op_written(f, i) || (safe_div && i == 0);
        size[i] = (k == Eb || k == Gb || k == Zb) ? 1 : k == Ew ? 2 : k == Ed ? 4 : opsize;
        switch (k) {
        case Eb: case Ev: case Ew: case Ed: case M:
            if (k == M || rnd(rng, 10) < 3) {
                mem = true;
                if (!mem_operand(bd, &e, pick_offset(rng, lo, hi), k != M && !nop))
                    return false;
            } else {
                code[i] = (int)rnd(rng, 16);
                e.mod = 3;
                e.modrm = true;
                e.rm = (uint8_t)(code[i] & 7);
                e.b = code[i] >= 8;
            }
            break;
        case Gb: case Gv:
            do
                code[i] = (int)rnd(rng, 16);
            while (code[i] == bd->index_reg);
            e.modrm = true;
            e.reg = (uint8_t)(code[i] & 7);
            e.r = code[i] >= 8;
            break;
        case Zb: case Zv:
            code[i] = (int)rnd(rng, 16);
            e.opc = (uint8_t)(e.opc + (code[i] & 7));
            e.b = code[i] >= 8;
            break;
        case Ib: case Ibs:
            e.imm_size = 1;
            e.imm = imm_value(rng, 1);
            break;
        case Iw:
            e.imm_size = 2;
            e.imm = imm_value(rng, 2);
            break;
        case Iz:
            e.imm_size = opsize == 2 ? 2 : 4;
            e.imm = imm_value(rng, e.imm_size);
            break;
        case Iv:
            e.imm_size = opsize;
            e.imm = imm_value(rng, opsize);
            break;
        case Ob: case Ov: {
            bool a32 = e.npfx && e.pfx[e.npfx - 1] == 0x67;
            e.imm_size = a32 ? 4 : 8;
            e.imm = DIFF_DATA_BASE + (uint64_t)pick_offset(rng, 0x40, 0xf80);
            break;
        }
        default:
            break;
        }
    }
    /* Group 3 TEST (F6/F7 /0 /1) takes an immediate. */
    if ((f->tflags & X86F_GRP3) && f->reg <= 1) {
        e.imm_size = opsize == 1 ? 1 : opsize == 2 ? 2 : 4;
        e.imm = imm_value(rng, e.imm_size);
    }
    /* Written registers must not be B or RSP (with the final REX known). */
    for (int i = 0; i < 3; i++)
        if (code[i] >= 0 && wr[i] && reserved(g, phys_of(code[i], size[i], has_rex(&e))))
            return false;
    if (safe_div && code[0] >= 0) {
        int p = phys_of(code[0], opsize, has_rex(&e));
        if (p == RAX || p == RDX || (opsize == 1 && !has_rex(&e) && code[0] >= 4 && code[0] < 8))
            return false;
    }

    /* ---- shift and rotate counts ---- */
    bool shift = f->map == 0 && (f->opcode == 0xc0 || f->opcode == 0xc1 || (f->opcode >= 0xd0 && f->opcode <= 0xd3));
    bool shd = streq(n, "shld") || streq(n, "shrd");
    if (shift || shd) {
        int bits = opsize * 8;
        if (f->op[1] == One) {
            mi->count = 1;
        } else {
            int c = pick_count(rng, bits);
            if (shd && bits == 16)           /* counts above 16 leave the result undefined */
                c = (int)rnd(rng, 17) | (rnd(rng, 4) == 0 ? 0x20 : 0);
            if (f->op[1] == CL || f->op[2] == CL) {
                if (rnd(rng, 10) == 0 && !(shd && bits == 16)) {
                    mi->count = -1;          /* whatever CL holds */
                } else {
                    if (!pre_mov32(bd, RCX, (uint32_t)c))
                        return false;
                    mi->count = c;
                }
            } else {
                e.imm_size = 1;
                e.imm = (uint64_t)c;
                mi->count = c;
            }
        }
    }

    /* ---- bit tests: a register bit offset reaches outside the operand ---- */
    if (is_bt && f->opcode != 0xba && mem) {
        if (reserved(g, code[1]))
            return false;
        if (!pre_mov64s(bd, code[1], (int32_t)rnd(rng, 384) - 128))
            return false;
    }

    if (safe_div && !setup_division(bd, &e, n, opsize))
        return false;

    /* LOCK only with a memory destination (else #UD, SDM Vol. 2 LOCK). */
    bool mem_dest = mem && (k0 == Eb || k0 == Ev);
    if (is_one_of(n, lockable) && mem_dest && rnd(rng, 4) == 0 && e.npfx < 4) {
        memmove(&e.pfx[1], &e.pfx[0], (size_t)e.npfx);
        e.pfx[0] = 0xf0;
        e.npfx++;
    }
    if (rnd(rng, 16) == 0 && e.npfx < 4) {  /* ES/CS/SS/DS overrides are ignored in 64-bit mode */
        static const uint8_t segs[] = { 0x26, 0x2e, 0x36, 0x3e };
        memmove(&e.pfx[1], &e.pfx[0], (size_t)e.npfx);
        e.pfx[0] = segs[rnd(rng, 4)];
        e.npfx++;
    }

    if (!enc_emit(&e, main))
        return false;
    if (streq(n, "push"))
        g->rsp_off -= opsize;
    else if (streq(n, "pop"))
        g->rsp_off += opsize;
    return true;
}

/* CMP r/m, imm8 (83 /7): defines all six arithmetic flags. */
static void definer(Build *bd, DiffInsn *in)
{
    Enc e = { .opc = 0x83, .modrm = true, .mod = 3, .reg = 7, .w = rnd(bd->rng, 2) };
    int code = (int)rnd(bd->rng, 16);
    e.rm = (uint8_t)(code & 7);
    e.b = code >= 8;
    e.imm_size = 1;
    e.imm = imm_value(bd->rng, 1);
    memset(in, 0, sizeof(*in));
    enc_emit(&e, in);
    in->name = "cmp";
    in->fx = diff_flag_effect("cmp", 8, -1, 0, -1);
}

static const DiffForm *pick_form(DiffGen *g, uint64_t *rng)
{
    /* Draw the name even when focused, so -only NAME and a focus on NAME
     * produce the same sequences from the same seed. */
    const char *name = g->names[rnd(rng, (unsigned)g->nnames)];
    if (g->focus)
        name = g->focus;
    int n = 0;
    for (int i = 0; i < g->nforms; i++)
        n += streq(g->forms[i].name, name);
    if (n == 0)
        return &g->forms[rnd(rng, (unsigned)g->nforms)];
    int k = (int)rnd(rng, (unsigned)n);
    for (int i = 0; i < g->nforms; i++)
        if (streq(g->forms[i].name, name) && k-- == 0)
            return &g->forms[i];
    return &g->forms[0];
}

static bool build_unit(DiffGen *g, uint64_t *rng, DiffSeq *seq, int uidx)
{
    int64_t rsp_saved = g->rsp_off;
    for (int tries = 0; tries < 50; tries++) {
        g->rsp_off = rsp_saved;
        const DiffForm *f = pick_form(g, rng);
        Build bd = { .g = g, .rng = rng, .uidx = uidx, .index_reg = -1 };
        DiffInsn main;
        memset(&main, 0, sizeof(main));
        MainInfo mi;
        if (g->fp) {
            diff_fp_insn(rng, g->base_reg, g->base_off, &main);
        } else {
            if (!build_main(&bd, f, &main, &mi))
                continue;
            main.name = f->name;
            main.fx = diff_flag_effect(f->name, mi.opsize, mi.count, mi.cond, mi.rep_count);
        }

        /* Flags possibly undefined where this unit starts. */
        seq->nunits = uidx;
        DiffLayout lay;
        if (!diff_seq_layout(seq, &lay))
            return false;
        DiffUnit *u = &seq->unit[uidx];
        memset(u, 0, sizeof(*u));
        if (main.fx.read & lay.final_undef)
            definer(&bd, &u->insn[u->ninsns++]);
        for (int i = 0; i < bd.npre; i++)
            u->insn[u->ninsns++] = bd.pre[i];
        u->insn[u->ninsns++] = main;
        u->name = main.name;
        seq->nunits = uidx + 1;
        return true;
    }
    return false;
}

void diff_gen_sequence(DiffGen *g, uint64_t *rng, DiffSeq *seq)
{
    int64_t rsp0 = g->rsp_off;
    for (int attempt = 0; attempt < 20; attempt++) {
        g->rsp_off = rsp0;
        memset(seq, 0, sizeof(*seq));
        int n = 1 + (int)rnd(rng, DIFF_MAX_UNITS);
        for (int i = 0; i < n; i++)
            if (!build_unit(g, rng, seq, i))
                break;                     /* keep the units built so far */
        DiffLayout lay;
        if (seq->nunits > 0 && diff_seq_layout(seq, &lay) && !lay.reads_undefined)
            break;
        seq->nunits = 0;
    }
    g->rsp_off = rsp0;
}
