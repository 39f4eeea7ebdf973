/*
 * x86diff: differential tester of doppel's x86 CPU against the host CPU.
 *
 *   tests/cpu/x86diff [-n COUNT] [-seed N] [-first I] [-backend interp|native|both]
 *                     [-only MNEMONIC] [-each] [-reports N] [-v] [-show] [-fp]
 *                     [-record FILE | -replay FILE]
 *
 * -record FILE also writes every test the host ran (code, initial state,
 * the host's final state) to a corpus file; -replay FILE runs the tests of
 * such a corpus in doppel only and compares them with the recorded host
 * states (with the x87/SSE state if recorded with -fp). That is how hosts
 * that cannot run x86 code (AArch64: make check-aarch64) are held to the
 * same expectations (x86diff_corpus.h).
 *
 * -fp generates x87, MMX and SSE..SSE4.2 instructions instead
 * (x86diff_fpgen.c) and also compares the x87/SSE state as FXSAVE images:
 * FCW, FSW (TOP, sticky exception flags, and the condition codes C0-C3
 * except those the SDM leaves undefined at that point), the abridged tag
 * word, ST0-7 (80 bits each), MXCSR and XMM0-15. FOP, FIP and FDP are not
 * compared: doppel keeps them (SDM Vol. 1 8.1.8) but the native pointers
 * are host addresses of the worker and legitimately differ. The last line
 * is preceded by the number of failures per differing state class.
 *
 * Each test draws a random initial state and a random sequence of 1-8
 * integer instructions (x86diff_gen.c), runs it natively in a forked child
 * (x86diff_native.c) and in doppel (x86diff_doppel.c) on the chosen
 * backends, and compares the 16 GPRs, the end RIP (or the faulting
 * instruction and the exception vector), the data page, and RFLAGS (CF PF
 * AF ZF SF OF DF) except flags the SDM leaves undefined at that point
 * (x86diff_flags.c). A mismatch is shrunk by dropping units while it still
 * fails, then printed with its bytes, disassembly, initial state and both
 * final states. Test I of seed S is reproducible alone with
 * "-seed S -first I -n 1" (plus the same -only). -each runs COUNT tests
 * per mnemonic and prints a table (mnemonics as in x86_opcodes.def, with
 * groups split: "rcl", "bts", "cmpxchg8b", plus "invalid" for opcodes that
 * must raise #UD in 64-bit mode); -v reports every failure (default: the
 * first -reports N), -show prints passing tests in full too. The last line is "N passed, M failed";
 * the exit status is 1 if anything failed.
 *
 * Only 64-bit mode is run natively; 16- and 32-bit operand and address
 * sizes come from 66h/67h prefixes. (Compatibility mode through a far jump
 * to the 32-bit user code selector 0x23 would also cover the opcodes that
 * are invalid in 64-bit mode, but kernels without IA-32 emulation, like
 * the one this was written on, do not provide that segment.)
 */
#include <capstone/capstone.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/cpu/x86diff_corpus.h"
#include "tests/cpu/x86diff_doppel.h"
#include "tests/cpu/x86diff_gen.h"
#include "tests/cpu/x86diff_native.h"

static const char *const reg_names[16] = {
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};

typedef struct Options {
    long count;
    uint64_t seed;
    long first;
    bool interp, native;
    const char *only;
    bool each;
    long reports;
    bool verbose;
    bool show;
    bool fp;
    const char *record, *replay;
} Options;

typedef struct Tester {
    Options opt;
    DiffGen *gen;
    NativeRunner *nat;
    DoppelRunner *dop[2];          /* interp, native backend */
    const char *dop_name[2];
    csh cs;
    bool cs_ok;
    long reported;
    long class_fail[8];            /* failures per differing class (CLASS_*) */
    FILE *rec;                     /* -record corpus, or NULL */
} Tester;

enum { CLASS_GPR, CLASS_RFLAGS, CLASS_RIP_EXC, CLASS_DATA, CLASS_X87_CTL, CLASS_ST, CLASS_XMM, CLASS_MXCSR };
static const char *const class_names[8] = { "gpr", "rflags", "rip/exception", "data", "fcw/fsw/ftw", "st", "xmm",
                                            "mxcsr" };

/* What differs between two final states. */
typedef struct Diff {
    uint32_t regs;                 /* bit per GPR */
    bool rip, exception;
    uint32_t flags;                /* differing compared flags */
    int data_first, data_last;     /* differing data bytes, -1 none */
    uint32_t fpctl;                /* bit 0 FCW, 1 FSW, 2 FTW, 3 MXCSR */
    uint32_t st, xmm;              /* bit per ST(i) / XMMi */
} Diff;

static bool diff_any(const Diff *d)
{
    return d->regs || d->rip || d->exception || d->flags || d->data_first >= 0 || d->fpctl || d->st || d->xmm;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Flags that may be undefined where the native run stopped. */
static uint32_t undef_at(const DiffLayout *lay, const DiffState *nat)
{
    if (nat->exception == DIFF_EXC_NONE)
        return lay->final_undef;
    for (int k = 0; k < lay->ninsns; k++)
        if (DIFF_CODE_BASE + lay->insn_off[k] == nat->rip)
            return lay->insn_undef[k];
    return DF_ARITH;
}

/* FSW bits of the x87 condition codes in DF_FC* order (SDM Vol. 1 8.1.3). */
static uint16_t fsw_cc_mask(uint32_t undef)
{
    uint16_t m = 0;
    if (undef & DF_FC0)
        m |= 1u << 8;
    if (undef & DF_FC1)
        m |= 1u << 9;
    if (undef & DF_FC2)
        m |= 1u << 10;
    if (undef & DF_FC3)
        m |= 1u << 14;
    return m;
}

static void compare_fp(const DiffLayout *lay, const DiffState *nat, const DiffState *dop, Diff *d)
{
    const uint8_t *a = nat->fx, *b = dop->fx;
    uint16_t fsw_mask = (uint16_t)~fsw_cc_mask(undef_at(lay, nat));
    if (get16(a + FX_FCW) != get16(b + FX_FCW))
        d->fpctl |= 1;
    if ((get16(a + FX_FSW) ^ get16(b + FX_FSW)) & fsw_mask)
        d->fpctl |= 2;
    if (a[FX_FTW] != b[FX_FTW])
        d->fpctl |= 4;
    if (memcmp(a + FX_MXCSR, b + FX_MXCSR, 4))
        d->fpctl |= 8;
    for (int i = 0; i < 8; i++)
        if (memcmp(a + FX_ST + 16 * i, b + FX_ST + 16 * i, 10))
            d->st |= 1u << i;
    for (int i = 0; i < 16; i++)
        if (memcmp(a + FX_XMM + 16 * i, b + FX_XMM + 16 * i, 16))
            d->xmm |= 1u << i;
}

static Diff compare(const DiffLayout *lay, const DiffState *nat, const DiffState *dop, bool fp)
{
    Diff d = { 0, false, false, 0, -1, -1, 0, 0, 0 };
    if (fp)
        compare_fp(lay, nat, dop, &d);
    for (int r = 0; r < 16; r++)
        if (nat->regs[r] != dop->regs[r])
            d.regs |= 1u << r;
    d.rip = nat->rip != dop->rip;
    d.exception = nat->exception != dop->exception;
    uint32_t mask = DF_COMPARED & ~undef_at(lay, nat);
    d.flags = (uint32_t)((nat->rflags ^ dop->rflags) & mask);
    for (int i = 0; i < (int)DIFF_DATA_SIZE; i++)
        if (nat->data[i] != dop->data[i]) {
            if (d.data_first < 0)
                d.data_first = i;
            d.data_last = i;
        }
    return d;
}

/* ---- printing ---- */

static void flag_string(uint64_t f, char *buf)
{
    static const struct { uint32_t bit; char c; } fl[] = {
        { DF_OF, 'O' }, { DF_DF, 'D' }, { DF_SF, 'S' }, { DF_ZF, 'Z' }, { DF_AF, 'A' }, { DF_PF, 'P' }, { DF_CF, 'C' },
    };
    for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++)
        buf[i] = (f & fl[i].bit) ? fl[i].c : '-';
    buf[sizeof(fl) / sizeof(fl[0])] = 0;
}

static const char *exc_name(int e, char *buf, size_t n)
{
    static const char *const names[32] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?9",
                                           "#TS", "#NP", "#SS", "#GP", "#PF" };
    if (e == DIFF_EXC_NONE)
        return "none";
    if (e == DIFF_EXC_CRASH)
        return "crash";
    if (e == DIFF_EXC_TIMEOUT)
        return "did not finish";
    snprintf(buf, n, "exception %d%s%s", e, e >= 0 && e < 32 && names[e] ? " " : "",
             e >= 0 && e < 32 && names[e] ? names[e] : "");
    return buf;
}

static void print_state(const char *title, const DiffState *s, const Diff *d, FILE *f)
{
    char fb[16], eb[32];
    flag_string(s->rflags, fb);
    fprintf(f, "  %s: rip=+%#" PRIx64 " rflags=%#06" PRIx64 " [%s] %s\n", title, (uint64_t)(s->rip - DIFF_CODE_BASE),
            (uint64_t)(s->rflags & DF_COMPARED), fb, exc_name(s->exception, eb, sizeof(eb)));
    for (int r = 0; r < 16; r++)
        fprintf(f, "    %-3s=%016" PRIx64 "%s%s", reg_names[r], s->regs[r], d && (d->regs >> r & 1) ? "*" : " ",
                (r % 4 == 3) ? "\n" : "");
}

static void print_fp_state(const char *title, const DiffState *s, FILE *f)
{
    const uint8_t *x = s->fx;
    uint32_t mxcsr;
    memcpy(&mxcsr, x + FX_MXCSR, 4);
    fprintf(f, "    %s fcw=%04x fsw=%04x ftw=%02x mxcsr=%08x\n", title, get16(x + FX_FCW), get16(x + FX_FSW),
            x[FX_FTW], mxcsr);
    for (int i = 0; i < 8; i++)
        fprintf(f, "    st%d=%04x:%016" PRIx64 "%s", i, get16(x + FX_ST + 16 * i + 8),
                (uint64_t)x[FX_ST + 16 * i] | (uint64_t)get16(x + FX_ST + 16 * i + 1) << 8
                    | (uint64_t)get16(x + FX_ST + 16 * i + 3) << 24 | (uint64_t)get16(x + FX_ST + 16 * i + 5) << 40
                    | (uint64_t)x[FX_ST + 16 * i + 7] << 56,
                i % 4 == 3 ? "\n" : "");
    for (int i = 0; i < 16; i++) {
        uint64_t lo, hi;
        memcpy(&lo, x + FX_XMM + 16 * i, 8);
        memcpy(&hi, x + FX_XMM + 16 * i + 8, 8);
        fprintf(f, "    xmm%-2d=%016" PRIx64 "%016" PRIx64 "%s", i, hi, lo, i % 2 == 1 ? "\n" : "");
    }
}

static void print_case(Tester *t, const char *backend, const DiffSeq *seq, const DiffLayout *lay,
                       const DiffState *init, const DiffState *nat, const DiffState *dop, const Diff *d,
                       const char *focus, long index)
{
    FILE *f = stdout;
    fprintf(f, "%s #%ld on %s: reproduce with -seed %" PRIu64 " -first %ld -n 1%s%s -backend %s -v\n", diff_any(d) ? "FAIL" : "PASS", index,
            backend, t->opt.seed, index, focus ? " -only " : "", focus ? focus : "", backend);
    fprintf(f, "  code (%zu bytes):", lay->len);
    for (size_t i = 0; i < lay->len; i++)
        fprintf(f, " %02x", lay->code[i]);
    fprintf(f, "\n");
    int k = 0;
    for (int u = 0; u < seq->nunits; u++) {
        for (int i = 0; i < seq->unit[u].ninsns; i++, k++) {
            const DiffInsn *in = &seq->unit[u].insn[i];
            uint16_t off = lay->insn_off[k];
            char hex[64] = "", asmtxt[160] = "?";
            for (int b = 0; b < in->len; b++)
                snprintf(hex + 3 * b, sizeof(hex) - 3 * (size_t)b, "%02x ", lay->code[off + b]);
            if (t->cs_ok) {
                cs_insn *ci;
                size_t n = cs_disasm(t->cs, &lay->code[off], in->len, DIFF_CODE_BASE + off, 1, &ci);
                if (n > 0) {
                    snprintf(asmtxt, sizeof(asmtxt), "%.31s %.120s", ci[0].mnemonic, ci[0].op_str);
                    cs_free(ci, n);
                }
            }
            char ub[16];
            flag_string(lay->insn_undef[k], ub);
            fprintf(f, "    %c +%03x: %-36s %-40s undef-before [%s]\n", i == seq->unit[u].ninsns - 1 ? '>' : ' ',
                    off, hex, asmtxt, ub);
        }
    }
    char ub[16];
    flag_string(undef_at(lay, nat), ub);
    fprintf(f, "  flags not compared: [%s]\n", ub);
    print_state("initial", init, NULL, f);
    print_state("native ", nat, NULL, f);
    print_state("doppel ", dop, d, f);
    if (t->opt.fp) {
        fprintf(f, "  x87/SSE (FSW condition codes not compared: %04x):\n", fsw_cc_mask(undef_at(lay, nat)));
        print_fp_state("initial", init, f);
        print_fp_state("native ", nat, f);
        print_fp_state("doppel ", dop, f);
    }
    fprintf(f, "  differs:");
    for (int r = 0; r < 16; r++)
        if (d->regs >> r & 1)
            fprintf(f, " %s", reg_names[r]);
    if (d->rip)
        fprintf(f, " rip");
    if (d->exception)
        fprintf(f, " exception");
    if (d->flags) {
        char fb[16];
        flag_string(d->flags, fb);
        fprintf(f, " rflags[%s]", fb);
    }
    static const char *const ctl[4] = { "fcw", "fsw", "ftw", "mxcsr" };
    for (int i = 0; i < 4; i++)
        if (d->fpctl >> i & 1)
            fprintf(f, " %s", ctl[i]);
    for (int i = 0; i < 8; i++)
        if (d->st >> i & 1)
            fprintf(f, " st%d", i);
    for (int i = 0; i < 16; i++)
        if (d->xmm >> i & 1)
            fprintf(f, " xmm%d", i);
    if (d->data_first >= 0) {
        fprintf(f, " data[%#x..%#x]:", d->data_first, d->data_last);
        for (int i = d->data_first; i <= d->data_last && i < d->data_first + 16; i++)
            if (nat->data[i] != dop->data[i])
                fprintf(f, " +%#x native %02x doppel %02x;", i, nat->data[i], dop->data[i]);
    }
    fprintf(f, "\n");
}

/* ---- running ---- */

static bool run_pair(Tester *t, int b, const DiffLayout *lay, const DiffState *init, DiffState *nat,
                     DiffState *dop, Diff *d)
{
    native_run(t->nat, lay->code, lay->len, init, nat);
    doppel_run(t->dop[b], lay->code, lay->len, init, dop);
    *d = compare(lay, nat, dop, t->opt.fp);
    return !diff_any(d);
}

/* Drop units while the sequence still fails on backend b. */
static void minimize(Tester *t, int b, DiffSeq *seq, const DiffState *init)
{
    DiffState nat, dop;
    bool changed = true;
    while (changed && seq->nunits > 1) {
        changed = false;
        for (int u = 0; u < seq->nunits && seq->nunits > 1; u++) {
            DiffSeq trial = *seq;
            diff_seq_remove(&trial, u);
            DiffLayout lay;
            if (!diff_seq_layout(&trial, &lay) || lay.reads_undefined)
                continue;
            Diff d;
            if (run_pair(t, b, &lay, init, &nat, &dop, &d))
                continue;
            if (nat.exception < DIFF_EXC_NONE)
                continue;                  /* harness trouble, not a doppel failure */
            *seq = trial;
            changed = true;
            u--;
        }
    }
}

typedef struct Counts {
    long passed, failed, skipped;
} Counts;

/* Run test index on every selected backend; true if all passed. */
static bool run_one(Tester *t, long index, const char *focus, Counts *c)
{
    DiffState init, nat, dop;
    DiffSeq seq;
    DiffLayout lay;
    uint64_t rng = t->opt.seed * 0x9e3779b97f4a7c15ull + (uint64_t)index * 0xbf58476d1ce4e5b9ull + 1;
    diff_rand(&rng);
    diff_gen_state(t->gen, &rng, &init);
    diff_gen_sequence(t->gen, &rng, &seq);
    if (seq.nunits == 0 || !diff_seq_layout(&seq, &lay)) {
        c->skipped++;
        return true;
    }
    if (t->rec) {
        static DiffRecord r;
        r = (DiffRecord){ .index = (uint64_t)index, .fp = t->opt.fp, .lay = lay, .init = init };
        native_run(t->nat, lay.code, lay.len, &init, &r.expect);
        if (r.expect.exception >= DIFF_EXC_NONE && !diff_corpus_write(t->rec, &r)) {
            fprintf(stderr, "x86diff: cannot write %s\n", t->opt.record);
            exit(2);
        }
    }
    bool all_ok = true;
    for (int b = 0; b < 2; b++) {
        if (!t->dop[b])
            continue;
        Diff d;
        bool ok = run_pair(t, b, &lay, &init, &nat, &dop, &d);
        if (ok) {
            c->passed++;
            if (t->opt.show)
                print_case(t, t->dop_name[b], &seq, &lay, &init, &nat, &dop, &d, focus ? focus : t->opt.only, index);
            continue;
        }
        c->failed++;
        all_ok = false;
        if (d.regs)
            t->class_fail[CLASS_GPR]++;
        if (d.flags)
            t->class_fail[CLASS_RFLAGS]++;
        if (d.rip || d.exception)
            t->class_fail[CLASS_RIP_EXC]++;
        if (d.data_first >= 0)
            t->class_fail[CLASS_DATA]++;
        if (d.fpctl & 7)
            t->class_fail[CLASS_X87_CTL]++;
        if (d.st)
            t->class_fail[CLASS_ST]++;
        if (d.xmm)
            t->class_fail[CLASS_XMM]++;
        if (d.fpctl & 8)
            t->class_fail[CLASS_MXCSR]++;
        if (t->reported >= t->opt.reports)
            continue;
        t->reported++;
        DiffSeq small = seq;
        if (nat.exception >= DIFF_EXC_NONE)
            minimize(t, b, &small, &init);
        DiffLayout slay;
        diff_seq_layout(&small, &slay);
        run_pair(t, b, &slay, &init, &nat, &dop, &d);
        if (!diff_any(&d)) {           /* shrinking lost it: show the original */
            small = seq;
            slay = lay;
            run_pair(t, b, &slay, &init, &nat, &dop, &d);
        }
        print_case(t, t->dop_name[b], &small, &slay, &init, &nat, &dop, &d, focus ? focus : t->opt.only, index);
    }
    return all_ok;
}

/* -replay: run every corpus record on the selected backends. */
static int replay(Tester *t, Counts *c)
{
    FILE *f = diff_corpus_open(t->opt.replay);
    if (!f)
        return -1;
    static DiffRecord r;
    static DiffState dop;
    int st;
    while ((st = diff_corpus_read(f, &r)) == 1) {
        for (int b = 0; b < 2; b++) {
            if (!t->dop[b])
                continue;
            doppel_run(t->dop[b], r.lay.code, r.lay.len, &r.init, &dop);
            Diff d = compare(&r.lay, &r.expect, &dop, r.fp);
            if (!diff_any(&d)) {
                c->passed++;
                continue;
            }
            c->failed++;
            if (t->reported++ >= t->opt.reports)
                continue;
            printf("FAIL corpus test %" PRIu64 " on %s\n  code (%zu bytes):", r.index, t->dop_name[b], r.lay.len);
            for (size_t i = 0; i < r.lay.len; i++)
                printf(" %02x", r.lay.code[i]);
            printf("\n");
            print_state("initial", &r.init, NULL, stdout);
            print_state("native ", &r.expect, NULL, stdout);
            print_state("doppel ", &dop, &d, stdout);
        }
    }
    fclose(f);
    return st < 0 ? -1 : 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: x86diff [-n COUNT] [-seed N] [-first I] [-backend interp|native|both]\n"
                    "               [-only MNEMONIC] [-each] [-reports N] [-v] [-show] [-fp]\n"
                    "               [-record FILE | -replay FILE]\n");
}

static bool parse_long(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 0);
    if (!*s || *end || v < 0)
        return false;
    *out = v;
    return true;
}

static bool parse_args(int argc, char **argv, Options *o)
{
    *o = (Options){ .count = 1000, .seed = 1, .first = 0, .interp = true, .native = true, .reports = 5 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "-v")) {
            o->verbose = true;
        } else if (!strcmp(a, "-show")) {
            o->show = true;
        } else if (!strcmp(a, "-fp")) {
            o->fp = true;
        } else if (!strcmp(a, "-each")) {
            o->each = true;
        } else if (v && !strcmp(a, "-n") && parse_long(v, &n)) {
            o->count = n;
            i++;
        } else if (v && !strcmp(a, "-seed") && parse_long(v, &n)) {
            o->seed = (uint64_t)n;
            i++;
        } else if (v && !strcmp(a, "-first") && parse_long(v, &n)) {
            o->first = n;
            i++;
        } else if (v && !strcmp(a, "-reports") && parse_long(v, &n)) {
            o->reports = n;
            i++;
        } else if (v && !strcmp(a, "-record")) {
            o->record = v;
            i++;
        } else if (v && !strcmp(a, "-replay")) {
            o->replay = v;
            i++;
        } else if (v && !strcmp(a, "-only")) {
            o->only = v;
            i++;
        } else if (v && !strcmp(a, "-backend")) {
            o->interp = !strcmp(v, "interp") || !strcmp(v, "both");
            o->native = !strcmp(v, "native") || !strcmp(v, "both");
            if (!o->interp && !o->native) {
                fprintf(stderr, "x86diff: unknown backend '%s' (interp, native or both)\n", v);
                return false;
            }
            i++;
        } else {
            fprintf(stderr, "x86diff: bad argument '%s'\n", a);
            usage();
            return false;
        }
    }
    if (o->verbose && o->reports == 5)
        o->reports = 1000000;
    return true;
}

int main(int argc, char **argv)
{
    Tester t;
    memset(&t, 0, sizeof(t));
    if (!parse_args(argc, argv, &t.opt))
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    t.gen = diff_gen_create(t.opt.only);
    if (!t.gen) {
        fprintf(stderr, "x86diff: no instruction form matches '%s'\n", t.opt.only);
        return 2;
    }
    diff_gen_set_fp(t.gen, t.opt.fp);
    if (!t.opt.replay) {
        t.nat = native_runner_create();
        if (!t.nat)
            return 2;
    }
    if (t.opt.record && !(t.rec = diff_corpus_create(t.opt.record)))
        return 2;
    if (t.opt.interp) {
        t.dop[0] = doppel_runner_create(&host_backend_interp);
        t.dop_name[0] = "interp";
    }
    if (t.opt.native) {
        const HostBackend *be = host_backend_native();
        if (!be) {
            fprintf(stderr, "x86diff: this host has no native backend\n");
            return 2;
        }
        t.dop[1] = doppel_runner_create(be);
        t.dop_name[1] = "native";
    }
    if ((t.opt.interp && !t.dop[0]) || (t.opt.native && !t.dop[1]))
        return 2;
    t.cs_ok = cs_open(CS_ARCH_X86, CS_MODE_64, &t.cs) == CS_ERR_OK;

    Counts total = { 0, 0, 0 };
    if (t.opt.replay) {
        if (replay(&t, &total) < 0)
            return 2;
    } else if (t.opt.each) {
        int nm = diff_gen_mnemonic_count(t.gen);
        printf("%-10s %8s %8s\n", "mnemonic", "passed", "failed");
        for (int m = 0; m < nm; m++) {
            const char *name = diff_gen_mnemonic(t.gen, m);
            diff_gen_focus(t.gen, name);
            Counts c = { 0, 0, 0 };
            for (long i = 0; i < t.opt.count; i++)
                run_one(&t, t.opt.first + i, name, &c);
            printf("%-10s %8ld %8ld\n", name, c.passed, c.failed);
            total.passed += c.passed;
            total.failed += c.failed;
            total.skipped += c.skipped;
        }
    } else {
        for (long i = 0; i < t.opt.count; i++)
            run_one(&t, t.opt.first + i, NULL, &total);
    }
    if (total.skipped)
        printf("%ld tests skipped (no sequence could be generated)\n", total.skipped);
    if (total.failed) {
        printf("failures by differing class:");
        for (int i = 0; i < 8; i++)
            if (t.class_fail[i])
                printf(" %s %ld", class_names[i], t.class_fail[i]);
        printf("\n");
    }
    printf("%ld passed, %ld failed\n", total.passed, total.failed);

    if (t.rec && fclose(t.rec) != 0) {
        fprintf(stderr, "x86diff: cannot write %s\n", t.opt.record);
        return 2;
    }
    if (t.cs_ok)
        cs_close(&t.cs);
    doppel_runner_destroy(t.dop[0]);
    doppel_runner_destroy(t.dop[1]);
    native_runner_destroy(t.nat);
    diff_gen_destroy(t.gen);
    return total.failed ? 1 : 0;
}
