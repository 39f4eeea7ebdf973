/*
 * x86diff native runner. The code page (RWX, shared with the forked child)
 * holds, from DIFF_CODE_BASE:
 *   +0x000  the sequence, followed by the epilogue
 *   +0x800  the prologue
 *   +0xc00  the state block (initial registers and RFLAGS, results)
 *   +0xff0  top of a private stack for PUSHFQ/POPFQ
 * All of it is emitted as bytes here; every access to the state block is
 * RIP-relative, so no guest register is needed to find it.
 *
 * Prologue: save the callee-saved registers and RSP of the C caller, load
 * RFLAGS (PUSH m64 / POPFQ on the private stack), load the 16 GPRs, JMP to
 * the sequence. Epilogue: store the 16 GPRs, PUSHFQ/POP RAX on the private
 * stack, store RFLAGS, restore the caller's RSP and registers, CLD, RET.
 *
 * The x87/MMX/SSE state: the prologue saves the caller's with FXSAVE64 and
 * loads the test's initial image with FXRSTOR64; the epilogue stores the
 * final state with FXSAVE64 first and restores the caller's last. The
 * three 512-byte images live in a second shared page (+0x1000); on a fault
 * the handler copies the image the kernel saved in the signal frame.
 *
 * Sequences run in a worker process (forked once, and again whenever it
 * dies; forking per sequence costs milliseconds in some sandboxes), which
 * shares the two pages with the harness and runs the sequence on each byte
 * received over a socket. It has handlers for SIGSEGV/SIGBUS/SIGFPE/SIGILL/
 * SIGTRAP on an alternate stack (the guest RSP points into the data page);
 * a handler copies the interrupted registers, RIP, RFLAGS and REG_TRAPNO
 * (the exception vector) from the ucontext into the state block and
 * siglongjmps back to the worker loop. A sequence that does not answer in
 * time, or kills the worker, is reported as a timeout or crash and the
 * worker is replaced.
 */
#include "tests/cpu/x86diff_native.h"

#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum {
    OFF_PROLOGUE = 0x800,
    OFF_INIT_REGS = 0xc00,
    OFF_INIT_RFLAGS = 0xc80,
    OFF_SAVED_RSP = 0xc88,
    OFF_OUT_REGS = 0xc90,
    OFF_OUT_RFLAGS = 0xd10,
    OFF_STATUS = 0xd18,
    OFF_TRAPNO = 0xd20,
    OFF_FAULT_RIP = 0xd28,
    OFF_JMPBUF = 0xd30,            /* worker: address of its sigjmp_buf */
    OFF_STACK_TOP = 0xff0,
    OFF_FX_INIT = 0x1000,          /* in the FX page that follows the code page */
    OFF_FX_OUT = 0x1200,
    OFF_FX_HOST = 0x1400,
    CODE_PAGE = 4096,
};

enum { STATUS_RUNNING = 0, STATUS_DONE = 1, STATUS_FAULT = 2 };

#define ALT_STACK_SIZE (64 * 1024)
#define TIMEOUT_MS 2000

struct NativeRunner {
    uint8_t *code;      /* DIFF_CODE_BASE */
    uint8_t *data;      /* DIFF_DATA_BASE */
    uint8_t *fx;        /* DIFF_CODE_BASE + OFF_FX_INIT: the FXSAVE images */
    void *alt_stack;
    pid_t pid;          /* worker process, 0 if none */
    int fd;             /* socket to the worker */
};

typedef struct Emit {
    uint8_t *page;
    size_t pos;
} Emit;

static void emit1(Emit *e, uint8_t b)
{
    e->page[e->pos++] = b;
}

static void emit32(Emit *e, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        emit1(e, (uint8_t)(v >> (8 * i)));
}

/* disp32 of a RIP-relative operand at page offset target, for an insn
 * whose disp32 is its last field. */
static void emit_riprel(Emit *e, size_t target)
{
    emit32(e, (uint32_t)((int64_t)target - (int64_t)(e->pos + 4)));
}

/* MOV [rip+target], reg (store) or MOV reg, [rip+target] (load). */
static void emit_mov_rip(Emit *e, int reg, size_t target, bool store)
{
    emit1(e, (uint8_t)(0x48 | (reg >= 8 ? 4 : 0)));
    emit1(e, store ? 0x89 : 0x8b);
    emit1(e, (uint8_t)(((reg & 7) << 3) | 5));
    emit_riprel(e, target);
}

/* FXSAVE64 [rip+target] (digit 0) or FXRSTOR64 (digit 1): REX.W 0F AE /d. */
static void emit_fx(Emit *e, int digit, size_t target)
{
    emit1(e, 0x48), emit1(e, 0x0f), emit1(e, 0xae);
    emit1(e, (uint8_t)((digit << 3) | 5));
    emit_riprel(e, target);
}

static void emit_prologue(uint8_t *page)
{
    Emit e = { page, OFF_PROLOGUE };
    static const uint8_t save[] = { 0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57 };
    for (size_t i = 0; i < sizeof(save); i++)
        emit1(&e, save[i]);
    emit_mov_rip(&e, 4, OFF_SAVED_RSP, true);             /* mov [saved_rsp], rsp */
    emit_fx(&e, 0, OFF_FX_HOST);
    emit_fx(&e, 1, OFF_FX_INIT);
    emit1(&e, 0x48), emit1(&e, 0x8d), emit1(&e, 0x25);   /* lea rsp, [stack_top] */
    emit_riprel(&e, OFF_STACK_TOP);
    emit1(&e, 0xff), emit1(&e, 0x35);                     /* push qword [init_rflags] */
    emit_riprel(&e, OFF_INIT_RFLAGS);
    emit1(&e, 0x9d);                                      /* popfq */
    for (int r = 0; r < 16; r++)
        emit_mov_rip(&e, r, OFF_INIT_REGS + 8 * (size_t)r, false);
    emit1(&e, 0xe9);                                      /* jmp sequence */
    emit32(&e, (uint32_t)(0 - (int64_t)(e.pos + 4)));
}

static void emit_epilogue(uint8_t *page, size_t at)
{
    Emit e = { page, at };
    emit_fx(&e, 0, OFF_FX_OUT);
    for (int r = 0; r < 16; r++)
        emit_mov_rip(&e, r, OFF_OUT_REGS + 8 * (size_t)r, true);
    emit1(&e, 0x48), emit1(&e, 0x8d), emit1(&e, 0x25);   /* lea rsp, [stack_top] */
    emit_riprel(&e, OFF_STACK_TOP);
    emit1(&e, 0x9c);                                      /* pushfq */
    emit1(&e, 0x58);                                      /* pop rax */
    emit_mov_rip(&e, 0, OFF_OUT_RFLAGS, true);
    emit_mov_rip(&e, 4, OFF_SAVED_RSP, false);            /* mov rsp, [saved_rsp] */
    emit1(&e, 0xfc);                                      /* cld */
    emit_fx(&e, 1, OFF_FX_HOST);
    static const uint8_t restore[] = { 0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b, 0xc3 };
    for (size_t i = 0; i < sizeof(restore); i++)
        emit1(&e, restore[i]);
}

static void stop_worker(NativeRunner *nr);

static void *map_fixed(uint64_t addr, int prot)
{
    void *p = mmap((void *)(uintptr_t)addr, CODE_PAGE, prot, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p == MAP_FAILED || p != (void *)(uintptr_t)addr) {
        fprintf(stderr, "x86diff: cannot map a page at %#llx: %s\n", (unsigned long long)addr,
                p == MAP_FAILED ? strerror(errno) : "placed elsewhere");
        if (p != MAP_FAILED)
            munmap(p, CODE_PAGE);
        return NULL;
    }
    return p;
}

NativeRunner *native_runner_create(void)
{
    NativeRunner *nr = calloc(1, sizeof(*nr));
    if (!nr)
        return NULL;
    nr->fd = -1;
    nr->data = map_fixed(DIFF_DATA_BASE, PROT_READ | PROT_WRITE);
    nr->code = map_fixed(DIFF_CODE_BASE, PROT_READ | PROT_WRITE | PROT_EXEC);
    nr->fx = map_fixed(DIFF_CODE_BASE + OFF_FX_INIT, PROT_READ | PROT_WRITE);
    nr->alt_stack = malloc(ALT_STACK_SIZE);
    if (!nr->data || !nr->code || !nr->fx || !nr->alt_stack) {
        native_runner_destroy(nr);
        return NULL;
    }
    emit_prologue(nr->code);
    return nr;
}

void native_runner_destroy(NativeRunner *nr)
{
    if (!nr)
        return;
    stop_worker(nr);
    if (nr->data)
        munmap(nr->data, CODE_PAGE);
    if (nr->code)
        munmap(nr->code, CODE_PAGE);
    if (nr->fx)
        munmap(nr->fx, CODE_PAGE);
    free(nr->alt_stack);
    free(nr);
}

static uint64_t *slot(uint64_t off)
{
    return (uint64_t *)(uintptr_t)(DIFF_CODE_BASE + off);
}

/* ucontext greg index of each GPR in x86 encoding order. */
static const int greg_of[16] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/* Worker only: the sequence raised an exception. Record the interrupted
 * state and go back to the worker loop (its sigjmp_buf is found through
 * the state block: the handler has no other way to reach it). */
static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    const ucontext_t *uc = ctx;
    for (int r = 0; r < 16; r++)
        slot(OFF_OUT_REGS)[r] = (uint64_t)uc->uc_mcontext.gregs[greg_of[r]];
    *slot(OFF_OUT_RFLAGS) = (uint64_t)uc->uc_mcontext.gregs[REG_EFL];
    *slot(OFF_FAULT_RIP) = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    *slot(OFF_TRAPNO) = (uint64_t)uc->uc_mcontext.gregs[REG_TRAPNO];
    if (uc->uc_mcontext.fpregs)            /* struct _libc_fpstate has the FXSAVE layout */
        memcpy((void *)(uintptr_t)(DIFF_CODE_BASE + OFF_FX_OUT), uc->uc_mcontext.fpregs, FX_SIZE);
    *slot(OFF_STATUS) = STATUS_FAULT;
    siglongjmp(*(sigjmp_buf *)(uintptr_t)*slot(OFF_JMPBUF), 1);
}

/* The worker process: run the sequence in the code page on each request. */
static _Noreturn void worker(NativeRunner *nr, int fd)
{
    stack_t ss = { .ss_sp = nr->alt_stack, .ss_size = ALT_STACK_SIZE, .ss_flags = 0 };
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    sigjmp_buf jb;
    *slot(OFF_JMPBUF) = (uint64_t)(uintptr_t)&jb;
    void (*entry)(void) = (void (*)(void))(uintptr_t)(DIFF_CODE_BASE + OFF_PROLOGUE);
    for (;;) {
        char c;
        if (read(fd, &c, 1) != 1)
            _exit(0);
        if (sigsetjmp(jb, 1) == 0) {
            entry();
            *slot(OFF_STATUS) = STATUS_DONE;
        }
        if (send(fd, &c, 1, MSG_NOSIGNAL) != 1)
            _exit(0);
    }
}

static void stop_worker(NativeRunner *nr)
{
    if (nr->pid > 0) {
        kill(nr->pid, SIGKILL);
        waitpid(nr->pid, NULL, 0);
    }
    if (nr->fd >= 0)
        close(nr->fd);
    nr->pid = 0;
    nr->fd = -1;
}

static bool start_worker(NativeRunner *nr)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return false;
    }
    if (pid == 0) {
        close(sv[0]);
        worker(nr, sv[1]);
    }
    close(sv[1]);
    nr->pid = pid;
    nr->fd = sv[0];
    return true;
}

void native_run(NativeRunner *nr, const uint8_t *code, size_t len, const DiffState *init, DiffState *out)
{
    memset(out, 0, sizeof(*out));
    out->exception = DIFF_EXC_CRASH;
    if (len > DIFF_CODE_MAX || (nr->pid <= 0 && !start_worker(nr)))
        return;
    memcpy(nr->code, code, len);
    emit_epilogue(nr->code, len);
    memcpy(slot(OFF_INIT_REGS), init->regs, sizeof(init->regs));
    *slot(OFF_INIT_RFLAGS) = init->rflags;
    *slot(OFF_STATUS) = STATUS_RUNNING;
    memcpy(nr->data, init->data, DIFF_DATA_SIZE);
    memcpy(nr->fx, init->fx, FX_SIZE);
    __builtin___clear_cache((char *)nr->code, (char *)nr->code + CODE_PAGE);

    char c = 1;
    struct pollfd pfd = { .fd = nr->fd, .events = POLLIN };
    if (send(nr->fd, &c, 1, MSG_NOSIGNAL) != 1 || poll(&pfd, 1, TIMEOUT_MS) != 1
        || read(nr->fd, &c, 1) != 1) {
        bool timeout = *slot(OFF_STATUS) == STATUS_RUNNING && waitpid(nr->pid, NULL, WNOHANG) == 0;
        stop_worker(nr);
        out->exception = timeout ? DIFF_EXC_TIMEOUT : DIFF_EXC_CRASH;
        return;
    }
    memcpy(out->regs, slot(OFF_OUT_REGS), sizeof(out->regs));
    out->rflags = *slot(OFF_OUT_RFLAGS);
    memcpy(out->data, nr->data, DIFF_DATA_SIZE);
    memcpy(out->fx, nr->fx + (OFF_FX_OUT - OFF_FX_INIT), FX_SIZE);
    uint64_t st = *slot(OFF_STATUS);
    if (st == STATUS_DONE) {
        out->rip = DIFF_CODE_BASE + len;
        out->exception = DIFF_EXC_NONE;
    } else if (st == STATUS_FAULT) {
        out->rip = *slot(OFF_FAULT_RIP);
        out->exception = (int)*slot(OFF_TRAPNO);
    }
}
