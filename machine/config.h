/*
 * VmConfig: everything the command line says about the VM to build. Filled
 * by frontends/options.c, read by boards and frontends.
 */
#ifndef DOPPEL_MACHINE_CONFIG_H
#define DOPPEL_MACHINE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define VM_MAX_DRIVES 8
#define VM_MAX_SCRIPT 64
#define VM_MAX_DEVICES 16
#define VM_MAX_NICS 4

typedef enum DriveMedia { MEDIA_DISK, MEDIA_CDROM } DriveMedia;

typedef struct DriveConfig {
    char *file;
    DriveMedia media;
    int index;          /* IDE: 0 = primary master, 1 = primary slave, 2, 3 */
    bool readonly;
    bool snapshot;
} DriveConfig;

/* -serial / -debugcon destinations */
typedef enum CharDevKind { CHR_NONE, CHR_STDIO, CHR_FILE, CHR_NULL } CharDevKind;
typedef struct CharDevConfig {
    CharDevKind kind;
    char *path;         /* CHR_FILE */
} CharDevConfig;

typedef enum ScriptStepKind { STEP_EXPECT, STEP_EXPECT_SCREEN, STEP_SEND } ScriptStepKind;
typedef struct ScriptStep {
    ScriptStepKind kind;
    char *text;         /* escapes already decoded */
} ScriptStep;

typedef struct DeviceConfig {
    char *driver;       /* e.g. "isa-debug-exit" */
    char *props;        /* the rest: "iobase=0xf4,iosize=0x04" */
} DeviceConfig;

typedef struct NicConfig {
    char *spec;         /* the -nic / -netdev argument, parsed by devices/net */
    bool netdev;        /* true: from -netdev (a back-end for a -device NIC); false: -nic */
} NicConfig;

typedef struct VmConfig {
    char *machine;          /* "pc" */
    uint64_t ram_size;      /* bytes */
    char *bios;             /* NULL: search the standard locations */
    DriveConfig drives[VM_MAX_DRIVES];
    int ndrives;
    char boot_order[8];     /* "cdn" etc; empty = board default */
    char *kernel, *initrd, *append;
    bool nographic;
    enum { DISPLAY_DEFAULT, DISPLAY_NONE, DISPLAY_SDL } display;
    CharDevConfig serial;   /* COM1 */
    CharDevConfig debugcon; /* port 0xE9 */
    bool no_reboot;
    bool snapshot;
    unsigned log_mask;
    char *log_file;
    enum { BACKEND_DEFAULT, BACKEND_INTERP, BACKEND_NATIVE } backend;
    int icount_shift;       /* -1: host clock */
    /* Scripted console (built-in expect/send). */
    ScriptStep script[VM_MAX_SCRIPT];
    int nscript;
    double timeout;         /* seconds; 0 = none */
    char *screenshot;       /* PNG written at exit and on failure */
    char *screen_text;      /* VGA text written at exit */
    DeviceConfig devices[VM_MAX_DEVICES];
    int ndevices;
    NicConfig nics[VM_MAX_NICS];
    int nnics;
    bool nic_none;
} VmConfig;

/* Exit codes of the command line. */
enum { EXIT_OK = 0, EXIT_FAILURE_GUEST = 1, EXIT_USAGE = 2 };

#endif
