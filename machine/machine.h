/*
 * The Machine: the one struct that holds a VM — its memory map, port I/O
 * space, clock, devices, CPU and log. There is no other global state.
 *
 * A board (BoardClass) populates a Machine from a VmConfig. A CPU plugs in
 * through CpuDriver so the machine core never sees a guest ISA.
 */
#ifndef DOPPEL_MACHINE_MACHINE_H
#define DOPPEL_MACHINE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/clock.h"
#include "machine/config.h"
#include "machine/device.h"
#include "machine/display.h"
#include "machine/log.h"
#include "machine/memory.h"

#define MACHINE_MAX_DEVICES 64
#define MACHINE_MAX_FDS 8

typedef struct Machine Machine;

/* How the main loop drives a CPU. */
typedef enum CpuRunResult {
    CPU_RUN_BUDGET,   /* used its slice */
    CPU_RUN_HALTED,   /* HLT with nothing pending: sleep until an event */
    CPU_RUN_EXIT,     /* an exit/kick request (device, shutdown) */
} CpuRunResult;

typedef struct CpuDriver {
    const char *name;
    /** Run guest code for at most max_insns instructions (and stop early on
     *  a kick). Returns why it stopped; *executed gets the count retired. */
    CpuRunResult (*run)(void *cpu, int64_t max_insns, int64_t *executed);
    void (*reset)(void *cpu);
    /** Ask run() to return at the next block boundary. */
    void (*kick)(void *cpu);
    /** True if halted and no interrupt can wake it yet. */
    bool (*idle)(void *cpu);
    void (*dump_state)(void *cpu, FILE *f);
    void (*destroy)(void *cpu);
} CpuDriver;

/* Why the VM stops. */
typedef enum MachineStop {
    STOP_NONE,
    STOP_POWEROFF,    /* ACPI S5, closed window, Ctrl-A X: exit_code */
    STOP_RESET,       /* reset request; the loop resets and goes on unless -no-reboot */
    STOP_EXIT,        /* isa-debug-exit, script done/failed: exit_code */
} MachineStop;

typedef void (*FdHandler)(void *opaque, int fd);

struct pollfd;
#define MACHINE_MAX_POLLERS 4
/* A participant in the main loop's poll() with its own, changing set of
 * fds and events (read and write: libslirp's sockets). */
typedef struct MachinePoller {
    /** Append at most max entries to pfd (fd, events); may lower
     *  *timeout_ms (-1: none). Returns how many it added. */
    int (*fill)(void *opaque, struct pollfd *pfd, int max, int *timeout_ms);
    /** After every poll, timeouts included: the entries fill added, with
     *  revents; error is true if poll() itself failed. */
    void (*dispatch)(void *opaque, struct pollfd *pfd, int n, bool error);
    void *opaque;
} MachinePoller;

typedef struct BoardClass {
    const char *name;
    const char *desc;
    uint64_t default_ram;
    /** Build devices and memory map from m->cfg. Returns false after
     *  printing one error line if the configuration can't be built. */
    bool (*init)(Machine *m);
    void (*reset)(Machine *m);
    /** Free m->board_state and what init allocated outside devices and
     *  address spaces. NULL: machine_destroy free()s board_state. */
    void (*destroy)(Machine *m);
} BoardClass;

struct Machine {
    const VmConfig *cfg;
    const BoardClass *board;
    Log log;
    AddressSpace mem;        /* physical memory */
    AddressSpace io;         /* x86 port I/O (unclaimed ports read all ones) */
    VirtClock clock;
    Device devices[MACHINE_MAX_DEVICES];
    int ndevices;
    void *cpu;
    const CpuDriver *cpu_driver;
    struct { int fd; FdHandler cb; void *opaque; } fds[MACHINE_MAX_FDS];
    int nfds;
    MachineStop stop;        /* pending stop request */
    MachineStop ended_by;    /* why machine_main_loop last returned (STOP_NONE: not by a stop) */
    int exit_code;
    void *board_state;       /* the board's own struct */
    void *frontend;          /* console/display state of the frontend */
    /* Host-side endpoints the frontend makes before board->init and the
     * board wires to its devices (NULL: not connected). */
    struct CharDev *serial_chr;    /* COM1 */
    struct CharDev *debugcon_chr;  /* port 0xE9 debug console */
    /* Filled by the board's init if it has a display. */
    DisplaySource display;
    /* Keyboard/mouse input from frontends, filled by the board (may be NULL). */
    void (*kbd_put_scancodes)(void *opaque, const uint8_t *set2, int n);
    void (*mouse_event)(void *opaque, int dx, int dy, int dz, unsigned buttons);
    void *input_opaque;
    /* Pollers (machine_add_poller). */
    MachinePoller pollers[MACHINE_MAX_POLLERS];
    int npollers;
};

/** Prepare m for board->init(m): zero it, set cfg and board, open the log
 *  (cfg->log_mask, cfg->log_file), create the memory (unassigned reads 0)
 *  and port (all ones) address spaces and start the clock (icount when
 *  cfg->icount_shift >= 0). Returns false, with nothing to destroy, if the
 *  log file cannot be opened. */
bool machine_init(Machine *m, const VmConfig *cfg, const BoardClass *board);
/** Register a device so machine_reset and teardown reach it. Aborts if
 *  MACHINE_MAX_DEVICES is exceeded (a board bug, not a user error). */
void machine_add_device(Machine *m, const DeviceClass *cls, void *state);
/** Watch a host fd for input; cb runs from the main loop when readable (or
 *  at EOF/hang-up: cb must then remove the fd, or the loop keeps calling
 *  it). Returns false if MACHINE_MAX_FDS are already watched. */
bool machine_add_fd(Machine *m, int fd, FdHandler cb, void *opaque);
/** Stop watching fd (no-op if not watched). Safe from inside a handler. */
void machine_remove_fd(Machine *m, int fd);
/** Add a poller the main loop consults every time it polls its fds.
 *  Returns false if MACHINE_MAX_POLLERS are already registered. */
bool machine_add_poller(Machine *m, const MachinePoller *p);
/** Remove the poller(s) with this opaque (no-op if none). */
void machine_remove_poller(Machine *m, void *opaque);
/** Request a stop (from a device or frontend); kicks the CPU. A pending
 *  POWEROFF/EXIT is not replaced by a later request; a pending RESET is. */
void machine_request_stop(Machine *m, MachineStop why, int exit_code);
/** Reset every device, then the board, then the CPU. */
void machine_reset(Machine *m);
/** Free the CPU, devices (last added first), board state, address spaces
 *  and log, and empty the timer queue. */
void machine_destroy(Machine *m);

/** Look up a board by name; NULL if unknown. */
const BoardClass *board_find(const char *name);
/** List boards (for -M help). */
void board_list(FILE *f);

/** The main loop: run timers, fds and CPU slices until a stop that ends
 *  the VM. Returns the process exit code: exit_code of a POWEROFF/EXIT
 *  stop, 0 for a RESET under -no-reboot or when there is no CPU, no timer
 *  and no fd (nothing can happen), EXIT_FAILURE_GUEST (with a message)
 *  when the CPU is idle and nothing can ever wake it. */
int machine_main_loop(Machine *m);

#endif
