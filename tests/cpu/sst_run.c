/*
 * sst-run: run the SingleStepTests 80286 real-mode captures (hardware
 * oracles, ../shared/oracles/80286-real) through doppel's x86 CPU and
 * compare registers and RAM with what the real chip did, masking only the
 * flags the metadata marks undefined for each opcode.
 *
 *   sst-run [-backend interp|native] [-meta metadata.json] [-v] FILE.MOO.gz...
 *
 * Prints one line per opcode file with mismatches and a last line
 * "N passed, M failed". Genuine 286-vs-modern-CPU differences are skipped
 * only through the table below, each with its reason.
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

/* Where a modern x86 (which doppel models) legitimately differs from the
 * 80286 the captures come from. Matched on the file's opcode key. */
static const struct { const char *key; const char *reason; } sst_differences[] = {
    { "D8", "x87 escape: the capture board had no 80287; doppel models an x87-less CPU only until the FPU exists, and then executes it" },
    { "D9", "x87 escape (as D8)" }, { "DA", "x87 escape (as D8)" }, { "DB", "x87 escape (as D8)" },
    { "DC", "x87 escape (as D8)" }, { "DD", "x87 escape (as D8)" }, { "DE", "x87 escape (as D8)" },
    { "DF", "x87 escape (as D8)" },
    { "0F", "0F is a two-byte escape with different opcodes after the 286" },
    { "9B", "FWAIT without a coprocessor: behaviour depends on the 287 being absent" },
};

static const char *difference_reason(const char *key)
{
    for (size_t i = 0; i < sizeof(sst_differences) / sizeof(sst_differences[0]); i++)
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

static void load_state(Runner *r, const MooTest *t)
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

/* Run one test; returns true if doppel's result matches the capture. */
static bool run_test(Runner *r, const MooTest *t, uint16_t flags_mask, char *why, size_t len)
{
    load_state(r, t);
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
    /* FLAGS bits 12-15 are 0 on a 286 in real mode; bit 1 reads 1 on both. */
    uint16_t fmask = flags_mask & 0x0fff;
    for (int i = 0; i < MOO_NREGS; i++) {
        uint16_t exp = (t->fina.mask & (1u << i)) ? t->fina.regs[i] : t->init.regs[i];
        uint16_t act = actual_reg(r, i);
        if (i == MOO_FLAGS) {
            exp &= fmask;
            act &= fmask;
        }
        if (exp != act) {
            snprintf(why, len, "%s = %04x, hardware %04x", moo_reg_names[i], act, exp);
            return false;
        }
    }
    for (uint32_t i = 0; i < t->fina.nram; i++) {
        uint32_t addr = t->fina.ram[i].addr;
        uint8_t exp = t->fina.ram[i].val;
        uint8_t act = (uint8_t)as_read(&r->mem, addr & (SST_RAM_SIZE - 1), 1);
        if (t->has_excp && addr == t->excp_flag_addr) {
            exp &= (uint8_t)fmask;
            act &= (uint8_t)fmask;
        } else if (t->has_excp && addr == t->excp_flag_addr + 1) {
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

static void usage(void)
{
    fprintf(stderr, "usage: sst-run [-backend interp|native] [-meta metadata.json] [-v] FILE.MOO.gz...\n");
}

int main(int argc, char **argv)
{
    Runner r;
    memset(&r, 0, sizeof(r));
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
        } else if (!strcmp(argv[first], "-v")) {
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
    for (int a = first; a < argc; a++) {
        char key[32];
        int reg;
        file_key(argv[a], key, sizeof(key), &reg);
        const char *status = meta_field(&r, key, reg, "status");
        const char *reason = difference_reason(key);
        if (status && (!strcmp(status, "prefix") || !strcmp(status, "fpu")))
            reason = reason ? reason : "prefix or x87 entry: no standalone tests";
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
            if (is_revoked(&r, t.hash) || lock_difference(&t)) {
                skipped++;
                moo_test_free(&t);
                continue;
            }
            char why[256];
            if (run_test(&r, &t, flags_mask, why, sizeof(why))) {
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
        char label[40];
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
