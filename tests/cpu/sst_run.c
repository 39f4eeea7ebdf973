/*
 * sst-run: run the SingleStepTests 80286 real-mode captures (hardware
 * oracles, ../shared/oracles/80286-real) through doppel's x86 CPU and
 * compare registers and RAM with what the real chip did, masking only the
 * flags the metadata marks undefined for each opcode.
 *
 *   sst-run [-backend interp|native] [-meta metadata.json] [-v] [-all] [-t N] [-d LOG] FILE.MOO.gz...
 *
 * -t N runs only test N of each file and prints its state, -d the -d log
 * categories of doppel (debugging); -all ignores the per-opcode table.
 * Prints one line per opcode file with mismatches and a last line
 * "N passed, M failed". Genuine 286-vs-modern-CPU differences are skipped
 * or normalised only through the two tables below (whole opcode files,
 * single tests), each entry with its reason; the per-test counts are
 * printed (-v: with the reasons).
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/engine.h"
#include "cpu/x86/x86_cpu.h"
#include "cpu/x86/x86_decode.h"
#include "cpu/x86/x86_flags.h"
#include "cpu/x86/x86_util.h"
#include "tests/cpu/moo.h"
#include "tests/cpu/sst_meta.h"

#define SST_RAM_SIZE (16u << 20)
#define SST_MAX_INSNS 4096

/* Whole opcode files where a modern x86 (which doppel models) differs from
 * the 80286 the captures come from, matched on the file's opcode key. None
 * of the shipped files needs one today: the x87 escape (D8) and FWAIT (9B)
 * files pass now that doppel has an FPU, since their tests only read
 * memory. A D9-DF capture (stores, FSTENV) would need an entry: the
 * capture board had no 80287. Per-test differences are the table below. */
static const struct { const char *key; const char *reason; } sst_differences[] = {
    { NULL, NULL },
};

static const char *difference_reason(const char *key)
{
    for (size_t i = 0; sst_differences[i].key; i++)
        if (!strcmp(sst_differences[i].key, key))
            return sst_differences[i].reason;
    return NULL;
}

/* The 286 ignores a LOCK prefix it cannot honour; P6 and later raise #UD
 * (SDM Vol. 2, LOCK: "#UD if the LOCK prefix is used with an instruction
 * not listed"), which doppel implements. Such tests are skipped when the
 * decoder rejects the bytes with LOCK but accepts them without it. */
typedef struct ByteBuf { const uint8_t *b; uint32_t n; } ByteBuf;

static uint8_t bytebuf_fetch(void *opaque, uint64_t addr)
{
    const ByteBuf *bb = opaque;
    return addr < bb->n ? bb->b[addr] : 0xf4;
}

/* Per-test differences: found by decoding the test's bytes (and the
 * exception the 286 raised); each is either skipped or, when the rest of
 * the test still says something, normalised and compared. */
typedef enum SstDiff {
    DIFF_LOCK, DIFF_SREG, DIFF_LENGTH, DIFF_SS_VECTOR, DIFF_STRING_INDEX, DIFF_NB
} SstDiff;
static const struct { const char *name; const char *reason; } sst_test_differences[DIFF_NB] = {
    [DIFF_LOCK] = { "lock", "LOCK on a non-lockable form: the 286 ignores it; since the P6 it is #UD (SDM Vol. 2 "
                            "LOCK: \"#UD if the LOCK prefix is used with an instruction not listed\"). Skipped." },
    [DIFF_SREG] = { "sreg-fs-gs", "MOV to/from Sreg 4/5 (8C/8E with ModRM.reg 4 or 5): the 286 has no FS/GS and "
                                  "raises #UD; since the 386 they are FS and GS (SDM Vol. 2 MOV). Skipped." },
    [DIFF_LENGTH] = { "insn-length", "instruction longer than 10 bytes (redundant prefixes): the 286 raises #GP "
                                     "(iAPX 286 PRM, instruction length limit 10); since the 386 the limit is 15 "
                                     "bytes (SDM Vol. 2 2.3.11) and it executes. Skipped." },
    [DIFF_SS_VECTOR] = { "ss-vector", "SS-relative access beyond the SS limit (e.g. a word at SS:FFFFh): the 286 in "
                                      "real mode reports every segment overrun as interrupt 13; the SDM (Vol. 3A "
                                      "20.1, each instruction's \"Real-Address Mode Exceptions\": #SS for the SS "
                                      "segment limit) raises #SS (12). Compared with IVT[12] = IVT[13]." },
    [DIFF_STRING_INDEX] = { "string-index", "string instruction faulting on a word at offset FFFFh: the 286 has "
                                            "already stepped SI or DI once more (and, under REP, CX by one or "
                                            "two more) when it raises interrupt 13; on later CPUs a fault leaves "
                                            "the registers as they were before the faulting iteration (SDM Vol. "
                                            "3A 6.5 \"Faults\"; Vol. 2 REP: restartable). Compared with those "
                                            "registers as doppel leaves them." },
};

static bool lock_difference(const MooTest *t)
{
    uint8_t nolock[16];
    uint32_t n = 0;
    bool had_lock = false;
    for (uint32_t i = 0; i < t->nbytes; i++) {
        if (t->bytes[i] == 0xf0 && !had_lock) {
            had_lock = true;
            continue;
        }
        nolock[n++] = t->bytes[i];
    }
    if (!had_lock)
        return false;
    X86Insn in;
    ByteBuf with = { t->bytes, t->nbytes }, without = { nolock, n };
    return x86_decode(&in, X86_MODE16, 0, bytebuf_fetch, &with) == X86_DECODE_UD &&
           x86_decode(&in, X86_MODE16, 0, bytebuf_fetch, &without) == X86_DECODE_OK;
}

/* Decode the test's instruction as doppel does (16-bit code). */
static bool decode_test(const MooTest *t, X86Insn *in)
{
    ByteBuf bb = { t->bytes, t->nbytes };
    return x86_decode(in, X86_MODE16, 0, bytebuf_fetch, &bb) == X86_DECODE_OK;
}

/* 8C/8E with ModRM.reg 4 or 5 (FS, GS). */
static bool sreg_difference(const MooTest *t)
{
    X86Insn in;
    return decode_test(t, &in) && in.map == 0 && (in.opcode == 0x8c || in.opcode == 0x8e)
           && ((in.modrm >> 3) & 7) >= 4 && ((in.modrm >> 3) & 7) <= 5;
}

/* The 286 raised #GP for an instruction of more than 10 bytes. */
static bool length_difference(const MooTest *t)
{
    X86Insn in;
    return t->has_excp && t->excp_num == 13 && decode_test(t, &in) && in.len > 10;
}

/* A string instruction (MOVS CMPS STOS LODS SCAS INS OUTS)? Returns its
 * element size (| 0x100 with a REP prefix), else 0. */
static int string_size(const MooTest *t)
{
    X86Insn in;
    if (!decode_test(t, &in) || in.map != 0)
        return 0;
    uint8_t o = in.opcode;
    if ((o >= 0x6c && o <= 0x6f) || (o >= 0xa4 && o <= 0xa7) || (o >= 0xaa && o <= 0xaf))
        return ((o & 1) ? in.opsize : 1) | (in.rep ? 0x100 : 0);
    return 0;
}

/* Does the instruction access memory through SS (a ModRM operand in SS, or
 * the stack)? */
static bool accesses_ss(const MooTest *t)
{
    X86Insn in;
    if (!decode_test(t, &in) || in.map != 0)
        return false;
    if (in.has_modrm && in.mod != 3 && (in.seg != X86_SEG_NONE ? in.seg : in.default_seg) == R_SS)
        return true;
    uint8_t o = in.opcode;
    bool string_src = (o >= 0xa4 && o <= 0xa7) || o == 0xac || o == 0xad || o == 0x6e || o == 0x6f;
    if (string_src && in.seg == R_SS)           /* the source of MOVS/CMPS/LODS/OUTS */
        return true;
    switch (in.opcode) {
    case 0x06: case 0x07: case 0x0e: case 0x16: case 0x17: case 0x1e: case 0x1f:
    case 0x60: case 0x61: case 0x68: case 0x6a: case 0x8f: case 0x9a: case 0x9c: case 0x9d:
    case 0xc2: case 0xc3: case 0xc8: case 0xc9: case 0xca: case 0xcb: case 0xcc: case 0xcd:
    case 0xce: case 0xcf: case 0xe8:
        return true;
    case 0xff:
        return ((in.modrm >> 3) & 7) == 2 || ((in.modrm >> 3) & 7) == 3 || ((in.modrm >> 3) & 7) == 6;
    default:
        return in.opcode >= 0x50 && in.opcode <= 0x5f;
    }
}

typedef struct Runner {
    AddressSpace mem, io;
    Log log;
    Engine *engine;
    CpuCommon *cpu;
    SstMeta meta;
    bool have_meta;
    char **revoked;
    int nrevoked;
    bool verbose;
    long only;                 /* -t N: run only test N of each file and print it */
    bool no_table;             /* -all: ignore sst_differences[] (to re-check it) */
} Runner;

static bool is_revoked(const Runner *r, const char *hash)
{
    for (int i = 0; i < r->nrevoked; i++)
        if (!strcmp(r->revoked[i], hash))
            return true;
    return false;
}

static void load_revocations(Runner *r, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/revocation_list.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n \t")] = 0;
        if (!line[0] || line[0] == '#')
            continue;
        char **v = realloc(r->revoked, (size_t)(r->nrevoked + 1) * sizeof(*v));
        if (!v)
            break;
        r->revoked = v;
        r->revoked[r->nrevoked++] = strdup(line);
    }
    fclose(f);
}

/* File name "F6.4.MOO.gz" -> key "F6", reg 4 (or -1). */
static void file_key(const char *path, char *key, size_t len, int *reg)
{
    char *copy = strdup(path);
    const char *base = basename(copy);
    snprintf(key, len, "%s", base);
    char *dot = strchr(key, '.');
    *reg = -1;
    if (dot) {
        *dot = 0;
        if (dot[1] >= '0' && dot[1] <= '7' && dot[2] == '.')
            *reg = dot[1] - '0';
    }
    free(copy);
}

static const char *meta_field(const Runner *r, const char *key, int reg, const char *field)
{
    if (!r->have_meta)
        return NULL;
    char path[128];
    if (reg >= 0)
        snprintf(path, sizeof(path), "opcodes.%s.reg.%d.%s", key, reg, field);
    else
        snprintf(path, sizeof(path), "opcodes.%s.%s", key, field);
    return sst_meta_get(&r->meta, path);
}

static const int seg_of_moo[] = { [MOO_CS] = R_CS, [MOO_SS] = R_SS, [MOO_DS] = R_DS, [MOO_ES] = R_ES };
static const int gpr_of_moo[] = { [MOO_AX] = R_EAX, [MOO_BX] = R_EBX, [MOO_CX] = R_ECX,
                                  [MOO_DX] = R_EDX, [MOO_SP] = R_ESP, [MOO_BP] = R_EBP,
                                  [MOO_SI] = R_ESI, [MOO_DI] = R_EDI };

static bool is_seg(int r) { return r == MOO_CS || r == MOO_SS || r == MOO_DS || r == MOO_ES; }

static void load_state(Runner *r, const MooTest *t, unsigned norm)
{
    X86Cpu *x = x86_cpu(r->cpu);
    r->cpu->arch->reset(r->cpu);
    x->a20_enabled = true;          /* a 286 drives 24 address lines: no wrap at 1 MiB */
    for (int i = 0; i < MOO_NREGS; i++) {
        uint16_t v = t->init.regs[i];
        if (is_seg(i))
            x86_load_seg_real(x, seg_of_moo[i], v);
        else if (i == MOO_IP)
            x->rip = v;
        else if (i == MOO_FLAGS)
            x86_set_eflags(x, (v & 0x0fffu) | 0x2u, ~0ull);   /* bits 12-15 read 0 on a 286 */
        else
            x->regs[gpr_of_moo[i]] = v;
    }
    for (uint32_t i = 0; i < t->init.nram; i++)
        as_write(&r->mem, t->init.ram[i].addr & (SST_RAM_SIZE - 1), t->init.ram[i].val, 1);
    if (norm & (1u << DIFF_SS_VECTOR))          /* IVT[12] = IVT[13] */
        as_write(&r->mem, 12 * 4, as_read(&r->mem, 13 * 4, 4), 4);
    tlb_flush(r->cpu);
}

static uint16_t actual_reg(Runner *r, int i)
{
    X86Cpu *x = x86_cpu(r->cpu);
    if (is_seg(i))
        return x->segs[seg_of_moo[i]].selector;
    if (i == MOO_IP)
        return (uint16_t)x->rip;
    if (i == MOO_FLAGS)
        return (uint16_t)x86_get_eflags(x);
    return (uint16_t)x->regs[gpr_of_moo[i]];
}

static const char *const moo_reg_names[MOO_NREGS] = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags" };

/* Where the FLAGS image of the capture's exception frame lies. The EXCP
 * chunk gives the (even) bus address of the word; with an odd SP the image
 * starts one byte later: FLAGS is at SS:(final SP + 4). */
static uint32_t flag_image_addr(const MooTest *t)
{
    uint16_t ss = (t->fina.mask & (1u << MOO_SS)) ? t->fina.regs[MOO_SS] : t->init.regs[MOO_SS];
    uint16_t sp = (t->fina.mask & (1u << MOO_SP)) ? t->fina.regs[MOO_SP] : t->init.regs[MOO_SP];
    uint32_t a = ((uint32_t)ss * 16 + (uint16_t)(sp + 4)) & 0xffffff;
    return (a & ~1u) == (t->excp_flag_addr & ~1u) ? a : t->excp_flag_addr;
}

/* Expected value of register i given doppel's value act, with the
 * string-index normalisation: the 286 has stepped SI/DI once more (in the
 * DF direction) and, under REP, CX by one or two more than a CPU that
 * leaves a faulting iteration undone. */
static uint16_t expected_reg(const MooTest *t, int i, unsigned norm, uint16_t act)
{
    uint16_t init = t->init.regs[i];
    uint16_t exp = (t->fina.mask & (1u << i)) ? t->fina.regs[i] : init;
    if (!(norm & (1u << DIFF_STRING_INDEX)))
        return exp;
    int size = (int)((norm >> 16) & 0xff);
    bool rep = (norm >> 24) & 1;
    int step = (t->init.regs[MOO_FLAGS] & 0x400) ? -size : size;
    if ((i == MOO_SI || i == MOO_DI) && exp == (uint16_t)(act + step))
        return act;
    if (i == MOO_CX && rep && (exp == (uint16_t)(act - 1) || exp == (uint16_t)(act - 2)))
        return act;
    return exp;
}

/* Run one test; returns true if doppel's result matches the capture.
 * norm: bits 1 << DIFF_* of the normalisations to apply (string-index
 * takes the element size in bits 16..). */
static bool run_test(Runner *r, const MooTest *t, uint16_t flags_mask, unsigned norm, char *why, size_t len)
{
    load_state(r, t, norm);
    int64_t total = 0;
    while (!r->cpu->halted && total < SST_MAX_INSNS) {
        int64_t n = 0;
        cpu_exec(r->cpu, SST_MAX_INSNS - total, &n);
        total += n;
        if (n == 0 && !r->cpu->halted)
            break;
    }
    if (!r->cpu->halted) {
        snprintf(why, len, "did not reach the HLT after %lld instructions", (long long)total);
        return false;
    }
    if ((norm & (1u << DIFF_SS_VECTOR)) && x86_cpu(r->cpu)->exception_vector != X86_EXCP_SS) {
        snprintf(why, len, "ss-vector normalisation, but doppel did not raise #SS");
        return false;
    }
    /* FLAGS bits 12-15 are 0 on a 286 in real mode; bit 1 reads 1 on both. */
    uint16_t fmask = flags_mask & 0x0fff;
    for (int i = 0; i < MOO_NREGS; i++) {
        uint16_t act = actual_reg(r, i);
        uint16_t exp = expected_reg(t, i, norm, act);
        if (i == MOO_FLAGS) {
            exp &= fmask;
            act &= fmask;
        }
        if (exp != act) {
            snprintf(why, len, "%s = %04x, hardware %04x", moo_reg_names[i], act, exp);
            return false;
        }
    }
    uint32_t flag_addr = t->has_excp ? flag_image_addr(t) : 0;
    for (uint32_t i = 0; i < t->fina.nram; i++) {
        uint32_t addr = t->fina.ram[i].addr;
        uint8_t exp = t->fina.ram[i].val;
        uint8_t act = (uint8_t)as_read(&r->mem, addr & (SST_RAM_SIZE - 1), 1);
        if (t->has_excp && addr == flag_addr) {
            exp &= (uint8_t)fmask;
            act &= (uint8_t)fmask;
        } else if (t->has_excp && addr == flag_addr + 1) {
            exp &= (uint8_t)(fmask >> 8);
            act &= (uint8_t)(fmask >> 8);
        }
        if (exp != act) {
            snprintf(why, len, "RAM[%05x] = %02x, hardware %02x", addr, act, exp);
            return false;
        }
    }
    return true;
}

/* -t: the test's bytes, initial state, the capture's final state and doppel's. */
static void dump_test(Runner *r, const MooTest *t)
{
    printf("test %u (%s) bytes", t->index, t->name);
    for (uint32_t i = 0; i < t->nbytes; i++)
        printf(" %02x", t->bytes[i]);
    printf("\n");
    for (int i = 0; i < MOO_NREGS; i++) {
        uint16_t exp = (t->fina.mask & (1u << i)) ? t->fina.regs[i] : t->init.regs[i];
        printf("  %-5s init %04x hw %04x doppel %04x%s\n", moo_reg_names[i], t->init.regs[i], exp,
               actual_reg(r, i), exp != actual_reg(r, i) ? "  <--" : "");
    }
    for (uint32_t i = 0; i < t->init.nram; i++)
        printf("  ram[%05x] init %02x\n", t->init.ram[i].addr, t->init.ram[i].val);
    for (uint32_t i = 0; i < t->fina.nram; i++) {
        uint32_t a = t->fina.ram[i].addr;
        printf("  ram[%05x] hw %02x doppel %02x\n", a, t->fina.ram[i].val,
               (unsigned)as_read(&r->mem, a & (SST_RAM_SIZE - 1), 1));
    }
    if (t->has_excp)
        printf("  exception %u, flags pushed at %05x\n", t->excp_num, t->excp_flag_addr);
}

static void usage(void)
{
    fprintf(stderr, "usage: sst-run [-backend interp|native] [-meta metadata.json] [-v] [-all] [-t N] [-d LOG] FILE.MOO.gz...\n");
}

int main(int argc, char **argv)
{
    Runner r;
    memset(&r, 0, sizeof(r));
    r.only = -1;
    const HostBackend *backend = &host_backend_interp;
    const char *meta_path = NULL;
    int first = 1;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "-backend") && first + 1 < argc) {
            const char *b = argv[++first];
            if (!strcmp(b, "interp"))
                backend = &host_backend_interp;
            else if (!strcmp(b, "native") && host_backend_native())
                backend = host_backend_native();
            else {
                fprintf(stderr, "sst-run: unknown or unavailable backend '%s'\n", b);
                return 2;
            }
        } else if (!strcmp(argv[first], "-meta") && first + 1 < argc) {
            meta_path = argv[++first];
        } else if (!strcmp(argv[first], "-all")) {
            r.no_table = true;
        } else if (!strcmp(argv[first], "-v")) {
            r.verbose = true;
        } else if (!strcmp(argv[first], "-d") && first + 1 < argc) {
            char e[128];
            if (!log_parse_mask(argv[++first], &r.log.mask, e, sizeof(e))) {
                fprintf(stderr, "sst-run: %s\n", e);
                return 2;
            }
        } else if (!strcmp(argv[first], "-t") && first + 1 < argc) {
            r.only = strtol(argv[++first], NULL, 10);
            r.verbose = true;
        } else {
            usage();
            return 2;
        }
    }
    if (first >= argc) {
        usage();
        return 2;
    }
    char err[512];
    char *dir_copy = strdup(argv[first]);
    char *dir = dirname(dir_copy);
    char default_meta[4096];
    snprintf(default_meta, sizeof(default_meta), "%s/metadata.json", dir);
    if (!meta_path)
        meta_path = default_meta;
    r.have_meta = sst_meta_load(&r.meta, meta_path, err, sizeof(err));
    if (!r.have_meta) {
        fprintf(stderr, "sst-run: %s\n", err);
        return 2;
    }
    load_revocations(&r, dir);
    free(dir_copy);

    as_init(&r.mem, "sst-ram", 0);
    as_init(&r.io, "sst-io", ~0ull);   /* I/O reads return all ones, as in the captures */
    as_add_ram(&r.mem, "ram", 0, SST_RAM_SIZE, NULL, 0);
    r.engine = engine_create(&x86_guest, backend, 32u << 20, &r.mem, &r.log);
    r.cpu = r.engine ? engine_cpu_create(r.engine, NULL, &r.io) : NULL;
    if (!r.cpu) {
        fprintf(stderr, "sst-run: cannot create the x86 CPU\n");
        return 2;
    }

    long passed = 0, failed = 0, skipped = 0;
    long diff_count[DIFF_NB] = { 0 };
    for (int a = first; a < argc; a++) {
        char key[32];
        int reg;
        file_key(argv[a], key, sizeof(key), &reg);
        const char *status = meta_field(&r, key, reg, "status");
        const char *reason = r.no_table ? NULL : difference_reason(key);
        if (!r.no_table && status && !strcmp(status, "prefix"))
            reason = reason ? reason : "prefix entry: no standalone tests";
        MooFile f;
        if (!moo_open(&f, argv[a], err, sizeof(err))) {
            fprintf(stderr, "sst-run: %s\n", err);
            return 2;
        }
        if (reason) {
            if (r.verbose)
                printf("%s: skipped (%s)\n", key, reason);
            skipped += f.count;
            moo_close(&f);
            continue;
        }
        const char *fm = meta_field(&r, key, reg, "flags-mask");
        uint16_t flags_mask = fm ? (uint16_t)strtoul(fm, NULL, 10) : 0xffff;
        long file_pass = 0, file_fail = 0;
        char first_why[512] = "";
        MooTest t;
        int rc;
        while ((rc = moo_next(&f, &t, err, sizeof(err))) == 1) {
            if (r.only >= 0 && t.index != (uint32_t)r.only) {
                moo_test_free(&t);
                continue;
            }
            int skip_diff = lock_difference(&t) ? DIFF_LOCK : sreg_difference(&t) ? DIFF_SREG
                            : length_difference(&t) ? DIFF_LENGTH : -1;
            if (is_revoked(&r, t.hash) || skip_diff >= 0) {
                if (skip_diff >= 0)
                    diff_count[skip_diff]++;
                skipped++;
                moo_test_free(&t);
                continue;
            }
            char why[256];
            bool ok = run_test(&r, &t, flags_mask, 0, why, sizeof(why));
            if (!ok && t.has_excp && t.excp_num == 13) {
                /* Retry with the documented normalisations that apply,
                 * each alone, then both. */
                int ssize = string_size(&t);
                unsigned cand[3] = {
                    ssize ? 1u << DIFF_STRING_INDEX | (unsigned)ssize << 16 : 0,
                    accesses_ss(&t) ? 1u << DIFF_SS_VECTOR : 0, 0 };
                if (cand[0] && cand[1])
                    cand[2] = cand[0] | cand[1];
                for (int c = 0; c < 3 && !ok; c++) {
                    char why2[256];
                    if (cand[c] && run_test(&r, &t, flags_mask, cand[c], why2, sizeof(why2))) {
                        ok = true;
                        for (int d = 0; d < DIFF_NB; d++)
                            if (cand[c] & (1u << d))
                                diff_count[d]++;
                    }
                }
            }
            if (r.only >= 0)
                dump_test(&r, &t);
            if (ok) {
                file_pass++;
            } else {
                if (!file_fail)
                    snprintf(first_why, sizeof(first_why), "test %u (%s): %s", t.index, t.name, why);
                file_fail++;
            }
            moo_test_free(&t);
        }
        moo_close(&f);
        if (rc < 0) {
            fprintf(stderr, "sst-run: %s: %s\n", argv[a], err);
            return 2;
        }
        char label[48];
        if (reg >= 0)
            snprintf(label, sizeof(label), "%s/%d", key, reg);
        else
            snprintf(label, sizeof(label), "%s", key);
        if (file_fail)
            printf("%s: %ld/%ld failed, first: %s\n", label, file_fail, file_fail + file_pass,
                   first_why);
        else if (r.verbose)
            printf("%s: %ld passed\n", label, file_pass);
        passed += file_pass;
        failed += file_fail;
    }
    if (skipped)
        printf("%ld skipped (documented differences, LOCK on non-lockable forms, revoked tests)\n", skipped);
    for (int d = 0; d < DIFF_NB; d++)
        if (diff_count[d])
            printf("difference %s: %ld tests%s\n", sst_test_differences[d].name, diff_count[d],
                   r.verbose ? "" : " (-v for the reason)");
    if (r.verbose)
        for (int d = 0; d < DIFF_NB; d++)
            if (diff_count[d])
                printf("  %s: %s\n", sst_test_differences[d].name, sst_test_differences[d].reason);
    printf("%ld passed, %ld failed\n", passed, failed);
    engine_cpu_destroy(r.cpu);
    engine_destroy(r.engine);
    as_destroy(&r.mem);
    as_destroy(&r.io);
    sst_meta_free(&r.meta);
    for (int i = 0; i < r.nrevoked; i++)
        free(r.revoked[i]);
    free(r.revoked);
    return failed ? 1 : 0;
}
