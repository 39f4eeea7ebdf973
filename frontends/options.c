/*
 * The command line: argv -> VmConfig.
 *
 * Options follow QEMU's spelling and meaning where QEMU has them (see
 * qemu-options.hx / "qemu-system-x86_64 -h"), so an existing QEMU command
 * line for a PC guest works unchanged as far as doppel implements it. Each
 * option takes one or two leading dashes; options with an argument also
 * take it as --name=value. A bare argument is a disk image, like -hda.
 *
 * Everything a user can get wrong is caught here, before any VM is built,
 * with one error line naming the option: malformed values, unknown keys in
 * key=value lists, and file arguments that do not exist, are not regular
 * readable files, or cannot be what they claim (an empty disk, an ISO whose
 * size is not a whole number of 2048-byte sectors).
 *
 * The option table below is also the -h text, so the usage listing can
 * never miss an option.
 */
#include "frontends/options.h"
#include "frontends/optvalue.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "machine/log.h"
#include "machine/machine.h"

#define KIB ((uint64_t)1 << 10)
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)

#define RAM_MIN MIB
#define RAM_MAX (64 * GIB)
#define RAM_DEFAULT (128 * MIB)   /* QEMU's default for -M pc */
#define RAM_ALIGN (8 * KIB)       /* QEMU rounds -m up to 8 KiB */
#define IDE_MAX_INDEX 3
#define ICOUNT_MAX_SHIFT 10

/* Parsing state beyond the VmConfig itself. */
typedef struct Parser {
    VmConfig *cfg;
    char *err;
    size_t errlen;
    bool serial_set;
    bool display_set;
    const char *drive_opt[VM_MAX_DRIVES];  /* option that made each drive */
} Parser;

typedef struct OptionDef OptionDef;
/* Returns 0 (go on), 1 (printed something: exit 0) or -1 (error in p->err). */
typedef int (*OptHandler)(Parser *p, const OptionDef *o, const char *label,
                          const char *arg);

struct OptionDef {
    const char *name;     /* canonical spelling with its dashes: "-m", "--send" */
    const char *alias;    /* other spelling or NULL: "-M" for "-machine" */
    const char *metavar;  /* NULL: a flag without argument */
    const char *help;     /* one line for -h */
    OptHandler handler;
};

/* Devices -device knows (QEMU driver names). */
static const char *const known_devices[] = {
    "isa-debug-exit", "isa-debugcon", "ne2k_isa", "ne2k_pci", "e1000",
};

/* ---- errors */

/* Format "doppel: LABEL: message" into p->err, keep it on one line, and
 * return -1. label may be NULL for messages that name no option. */
static int fail(Parser *p, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(Parser *p, const char *label, const char *fmt, ...)
{
    if (!p->err || p->errlen == 0)
        return -1;
    int n = label ? snprintf(p->err, p->errlen, "doppel: %s: ", label)
                  : snprintf(p->err, p->errlen, "doppel: ");
    if (n >= 0 && (size_t)n < p->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    /* User text quoted in the message must not break it into lines. */
    for (char *c = p->err; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    return -1;
}

/* Replace *slot with a copy of s (options given twice: the last one wins). */
static void set_str(char **slot, const char *s)
{
    free(*slot);
    *slot = strdup(s);
    if (!*slot) {
        fputs("doppel: out of memory\n", stderr);
        exit(EXIT_USAGE);
    }
}

static char *xstrdup(const char *s)
{
    char *r = NULL;
    set_str(&r, s);
    return r;
}

/* ---- value parsers with option-named errors */

/* Split arg into key=value items (frontends/optvalue.h). */
static int props_split(Parser *p, const char *label, const char *arg, OptProps *pl)
{
    char why[128];
    if (!optv_split(arg, pl, why, sizeof(why)))
        return fail(p, label, "%s", why);
    return 0;
}

/* A QEMU boolean property value: on/off (also yes/no, true/false). */
static int parse_onoff(Parser *p, const char *label, const char *key,
                       const char *val, bool *out)
{
    int v = optv_onoff(val);
    if (v < 0)
        return fail(p, label, "%s must be on or off, not '%s'", key, val ? val : "");
    *out = v;
    return 0;
}

static int check_file(Parser *p, const char *label, const char *path,
                      OptFileKind kind, bool need_write)
{
    char why[512];
    if (!optv_check_file(path, kind, need_write, why, sizeof(why)))
        return fail(p, label, "%s", why);
    return 0;
}

/* ---- handlers: machine, memory, firmware */

static int opt_machine(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        board_list(stdout);
        return 1;
    }
    OptProps pl;
    if (props_split(p, label, arg, &pl) < 0)
        return -1;
    /* The type comes first ("pc,accel=tcg") or as type=NAME. Further
     * machine properties are QEMU tuning knobs that doppel does not model;
     * they are accepted and ignored so existing command lines keep working. */
    const char *type = NULL;
    if (!pl.val[0])
        type = pl.key[0];
    for (int i = 0; i < pl.n && !type; i++)
        if (!strcmp(pl.key[i], "type"))
            type = pl.val[i];
    if (!type || !*type) {
        optv_props_free(&pl);
        return fail(p, label, "no machine type in '%s'", arg);
    }
    set_str(&p->cfg->machine, type);
    optv_props_free(&pl);
    return 0;
}

static int opt_mem(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    OptProps pl;
    if (props_split(p, label, arg, &pl) < 0)
        return -1;
    const char *size = NULL;
    int r = 0;
    for (int i = 0; i < pl.n && r == 0; i++) {
        if (i == 0 && !pl.val[0])
            size = pl.key[0];
        else if (!strcmp(pl.key[i], "size") && pl.val[i])
            size = pl.val[i];
        else
            r = fail(p, label, "unknown key '%s'", pl.key[i]);
    }
    if (r == 0 && !size)
        r = fail(p, label, "invalid size '%s'", arg);
    uint64_t bytes = 0;
    if (r == 0) {
        int pr = optv_size(size, MIB, &bytes);
        if (pr == -1)
            r = fail(p, label, "invalid size '%s'", size);
        else if (pr == -2 || bytes < RAM_MIN || bytes > RAM_MAX)
            r = fail(p, label, "RAM size '%s' out of range (1 MiB to 64 GiB)", size);
    }
    optv_props_free(&pl);
    if (r == 0)
        p->cfg->ram_size = (bytes + RAM_ALIGN - 1) & ~(RAM_ALIGN - 1);
    return r;
}

static int opt_bios(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (check_file(p, label, arg, OPTV_FILE_NONEMPTY, false) < 0)
        return -1;
    set_str(&p->cfg->bios, arg);
    return 0;
}

/* ---- handlers: drives */

/* Add an IDE drive at index (-1: the first free slot). Files are checked
 * after the whole command line is read, since -snapshot may come later. */
static int drive_add(Parser *p, const char *label, const char *file, DriveMedia media,
                     int index, bool readonly, bool snapshot)
{
    VmConfig *cfg = p->cfg;
    if (index < 0) {
        for (int i = 0; i <= IDE_MAX_INDEX && index < 0; i++) {
            bool used = false;
            for (int d = 0; d < cfg->ndrives; d++)
                used |= cfg->drives[d].index == i;
            if (!used)
                index = i;
        }
        if (index < 0)
            return fail(p, label, "no free IDE slot (at most %d drives)", IDE_MAX_INDEX + 1);
    }
    for (int d = 0; d < cfg->ndrives; d++)
        if (cfg->drives[d].index == index)
            return fail(p, label, "IDE index %d is already in use (by %s)",
                        index, p->drive_opt[d]);
    if (cfg->ndrives == VM_MAX_DRIVES)
        return fail(p, label, "too many drives");
    DriveConfig *dc = &cfg->drives[cfg->ndrives];
    dc->file = file ? xstrdup(file) : NULL;
    dc->media = media;
    dc->index = index;
    dc->readonly = readonly || media == MEDIA_CDROM;
    dc->snapshot = snapshot;
    p->drive_opt[cfg->ndrives] = label;
    cfg->ndrives++;
    return 0;
}

static int opt_hdx(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    /* -hda/-hdb/-hdc/-hdd: IDE index 0..3 (QEMU's mapping). */
    return drive_add(p, o->name, arg, MEDIA_DISK, o->name[3] - 'a', false, false);
}

static int opt_cdrom(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    /* QEMU puts -cdrom at index 2, the secondary master. */
    return drive_add(p, label, arg, MEDIA_CDROM, 2, true, false);
}

static int opt_drive(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    OptProps pl;
    if (props_split(p, label, arg, &pl) < 0)
        return -1;
    const char *file = NULL;
    DriveMedia media = MEDIA_DISK;
    long index = -1;
    bool readonly = false, snapshot = false;
    int r = 0;
    for (int i = 0; i < pl.n && r == 0; i++) {
        const char *k = pl.key[i], *v = pl.val[i];
        if (!v)
            r = fail(p, label, "'%s' is not key=value", k);
        else if (!strcmp(k, "file"))
            file = v;
        else if (!strcmp(k, "format")) {
            if (strcmp(v, "raw"))
                r = fail(p, label, "format '%s' is not supported (only raw)", v);
        } else if (!strcmp(k, "if")) {
            if (strcmp(v, "ide"))
                r = fail(p, label, "interface '%s' is not supported (only ide)", v);
        } else if (!strcmp(k, "media")) {
            if (!strcmp(v, "disk"))
                media = MEDIA_DISK;
            else if (!strcmp(v, "cdrom"))
                media = MEDIA_CDROM;
            else
                r = fail(p, label, "media must be disk or cdrom, not '%s'", v);
        } else if (!strcmp(k, "index")) {
            if (!optv_int(v, 0, IDE_MAX_INDEX, &index))
                r = fail(p, label, "index '%s' out of range (0 to %d)", v, IDE_MAX_INDEX);
        } else if (!strcmp(k, "readonly"))
            r = parse_onoff(p, label, k, v, &readonly);
        else if (!strcmp(k, "snapshot"))
            r = parse_onoff(p, label, k, v, &snapshot);
        else
            r = fail(p, label, "unknown key '%s'", k);
    }
    if (r == 0 && media == MEDIA_DISK && (!file || !*file))
        r = fail(p, label, "a disk needs file=");
    if (r == 0)
        r = drive_add(p, label, file && *file ? file : NULL, media, (int)index,
                      readonly, snapshot);
    optv_props_free(&pl);
    return r;
}

static int opt_boot(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    OptProps pl;
    if (props_split(p, label, arg, &pl) < 0)
        return -1;
    const char *order = NULL;
    bool dummy;
    int r = 0;
    for (int i = 0; i < pl.n && r == 0; i++) {
        const char *k = pl.key[i], *v = pl.val[i];
        if (i == 0 && !v)
            order = k;
        else if (v && (!strcmp(k, "order") || !strcmp(k, "once")))
            order = v;   /* doppel keeps one order for every boot */
        else if (!strcmp(k, "menu") || !strcmp(k, "strict"))
            r = parse_onoff(p, label, k, v, &dummy);   /* SeaBIOS defaults apply */
        else
            r = fail(p, label, "unknown key '%s'", k);
    }
    if (r == 0 && (!order || !*order))
        r = fail(p, label, "no boot order in '%s'", arg);
    for (const char *c = order; r == 0 && *c; c++) {
        /* a floppy, c first disk, d CD-ROM, n network (QEMU's letters). */
        if (!strchr("acdn", *c))
            r = fail(p, label, "invalid boot device '%c' (use a, c, d or n)", *c);
        else if (strchr(order, *c) != c)
            r = fail(p, label, "boot device '%c' given twice", *c);
    }
    if (r == 0)
        snprintf(p->cfg->boot_order, sizeof(p->cfg->boot_order), "%s", order);
    optv_props_free(&pl);
    return r;
}

/* ---- handlers: direct kernel boot */

static int opt_kernel(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (check_file(p, label, arg, OPTV_FILE_NONEMPTY, false) < 0)
        return -1;
    set_str(&p->cfg->kernel, arg);
    return 0;
}

/* -initrd FILE, or for Multiboot kernels a module list "FILE [ARGS],FILE2"
 * (",," is a literal comma, as in QEMU): each module's path must exist. */
static int opt_initrd(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (!strpbrk(arg, ", ")) {
        if (check_file(p, label, arg, OPTV_FILE_ANY, false) < 0)
            return -1;
    } else {
        char path[4096];
        size_t n = 0;
        bool in_args = false;
        for (const char *c = arg;; c++) {
            bool end_item = *c == 0 || (*c == ',' && c[1] != ',');
            if (end_item) {
                path[n] = 0;
                if (n == 0)
                    return fail(p, label, "empty module in '%s'", arg);
                if (check_file(p, label, path, OPTV_FILE_ANY, false) < 0)
                    return -1;
                if (*c == 0)
                    break;
                n = 0;
                in_args = false;
                continue;
            }
            if (*c == ',')          /* ",," -> one literal comma */
                c++;
            if (*c == ' ')
                in_args = true;
            if (!in_args && n + 1 < sizeof(path))
                path[n++] = *c;
        }
    }
    set_str(&p->cfg->initrd, arg);
    return 0;
}

static int opt_append(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    set_str(&p->cfg->append, arg);
    return 0;
}

/* ---- handlers: display and character devices */

static int opt_nographic(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    p->cfg->nographic = true;
    return 0;
}

static int opt_display(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (!strcmp(arg, "none"))
        p->cfg->display = DISPLAY_NONE;
    else if (!strcmp(arg, "sdl"))
        p->cfg->display = DISPLAY_SDL;
    else
        return fail(p, label, "unsupported display '%s' (doppel has: none, sdl)", arg);
    p->display_set = true;
    return 0;
}

static int parse_chardev(Parser *p, const char *label, const char *arg, CharDevConfig *cd)
{
    CharDevKind kind;
    if (!strcmp(arg, "stdio") || !strcmp(arg, "mon:stdio"))
        kind = CHR_STDIO;
    else if (!strcmp(arg, "none"))
        kind = CHR_NONE;
    else if (!strcmp(arg, "null"))
        kind = CHR_NULL;
    else if (!strncmp(arg, "file:", 5)) {
        if (!arg[5])
            return fail(p, label, "file: needs a path");
        kind = CHR_FILE;
    } else
        return fail(p, label, "unsupported backend '%s' (doppel has: stdio, file:PATH, none, null)",
                    arg);
    free(cd->path);
    cd->path = kind == CHR_FILE ? xstrdup(arg + 5) : NULL;
    cd->kind = kind;
    return 0;
}

static int opt_serial(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (p->serial_set)
        return fail(p, label, "only one serial port (COM1) is supported");
    p->serial_set = true;
    return parse_chardev(p, label, arg, &p->cfg->serial);
}

static int opt_debugcon(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    return parse_chardev(p, label, arg, &p->cfg->debugcon);
}

/* ---- handlers: run control, logging, engine */

static int opt_no_reboot(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    p->cfg->no_reboot = true;
    return 0;
}

static int opt_snapshot(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    p->cfg->snapshot = true;
    return 0;
}

static int opt_log_mask(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        log_print_help(stdout);
        return 1;
    }
    char why[256] = "";
    unsigned mask = 0;
    if (!log_parse_mask(arg, &mask, why, sizeof(why)))
        return fail(p, label, "%s", why[0] ? why : "invalid category list");
    p->cfg->log_mask = mask;   /* as in QEMU, the last -d wins */
    return 0;
}

static int opt_log_file(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (!*arg)
        return fail(p, label, "empty file name");
    set_str(&p->cfg->log_file, arg);
    return 0;
}

static int opt_accel(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        printf("Accelerators supported in doppel:\ntcg\n");
        return 1;
    }
    OptProps pl;
    if (props_split(p, label, arg, &pl) < 0)
        return -1;
    int r = 0;
    for (int i = 0; i < pl.n && r == 0; i++) {
        const char *k = pl.key[i], *v = pl.val[i];
        if (i == 0 && !v) {
            if (strcmp(k, "tcg"))
                r = fail(p, label, "unsupported accelerator '%s' (doppel has: tcg)", k);
        } else if (!strcmp(k, "backend") && v) {
            if (!strcmp(v, "interp"))
                p->cfg->backend = BACKEND_INTERP;
            else if (!strcmp(v, "native"))
                p->cfg->backend = BACKEND_NATIVE;
            else
                r = fail(p, label, "backend must be interp or native, not '%s'", v);
        } else
            r = fail(p, label, "unknown key '%s'", k);
    }
    optv_props_free(&pl);
    return r;
}

static int opt_icount(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    OptProps pl;
    if (props_split(p, label, arg, &pl) < 0)
        return -1;
    const char *shift = NULL;
    bool dummy;
    int r = 0;
    for (int i = 0; i < pl.n && r == 0; i++) {
        const char *k = pl.key[i], *v = pl.val[i];
        if (i == 0 && !v)
            shift = k;
        else if (!strcmp(k, "shift") && v)
            shift = v;
        else if (!strcmp(k, "sleep"))
            r = parse_onoff(p, label, k, v, &dummy);  /* an idle CPU always warps */
        else
            r = fail(p, label, "unknown key '%s'", k);
    }
    long n = 0;
    if (r == 0 && !optv_int(shift, 0, ICOUNT_MAX_SHIFT, &n))
        r = fail(p, label, "shift must be a number from 0 to %d, not '%s'",
                 ICOUNT_MAX_SHIFT, shift ? shift : "");
    if (r == 0)
        p->cfg->icount_shift = (int)n;
    optv_props_free(&pl);
    return r;
}

/* ---- handlers: devices and network */

static int opt_device(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    size_t ndev = sizeof(known_devices) / sizeof(known_devices[0]);
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        printf("Devices supported by doppel's -device:\n");
        for (size_t i = 0; i < ndev; i++)
            printf("%s\n", known_devices[i]);
        return 1;
    }
    size_t len = strcspn(arg, ",");
    bool known = false;
    for (size_t i = 0; i < ndev; i++)
        known |= strlen(known_devices[i]) == len && !strncmp(known_devices[i], arg, len);
    if (!known)
        return fail(p, label, "unknown device '%.*s' (try -device help)", (int)len, arg);
    VmConfig *cfg = p->cfg;
    if (cfg->ndevices == VM_MAX_DEVICES)
        return fail(p, label, "too many devices (at most %d)", VM_MAX_DEVICES);
    DeviceConfig *d = &cfg->devices[cfg->ndevices++];
    d->driver = strndup(arg, len);
    d->props = xstrdup(arg[len] ? arg + len + 1 : "");
    if (!d->driver) {
        fputs("doppel: out of memory\n", stderr);
        exit(EXIT_USAGE);
    }
    return 0;
}

static int opt_net(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    bool is_netdev = !strcmp(o->name, "-netdev");
    if (!*arg)
        return fail(p, label, "empty network specification");
    if (!is_netdev && !strcmp(arg, "none")) {
        p->cfg->nic_none = true;
        return 0;
    }
    VmConfig *cfg = p->cfg;
    if (cfg->nnics == VM_MAX_NICS)
        return fail(p, label, "too many network options (at most %d)", VM_MAX_NICS);
    cfg->nics[cfg->nnics].spec = xstrdup(arg);
    cfg->nics[cfg->nnics].netdev = is_netdev;
    cfg->nnics++;
    return 0;
}

/* ---- handlers: information */

static int opt_version(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    printf("doppel %s\n", PACKAGE_VERSION);
    return 1;
}

static int opt_help(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    options_print_usage(stdout);
    return 1;
}

/* ---- handlers: scripted console */

static int script_add(Parser *p, const char *label, const char *arg, ScriptStepKind kind)
{
    VmConfig *cfg = p->cfg;
    if (cfg->nscript == VM_MAX_SCRIPT)
        return fail(p, label, "too many script steps (at most %d)", VM_MAX_SCRIPT);
    char why[128], *text;
    if (!optv_decode_escapes(arg, &text, why, sizeof(why)))
        return fail(p, label, "%s in '%s'", why, arg);
    if (!*text) {
        free(text);
        return fail(p, label, "empty text");
    }
    cfg->script[cfg->nscript].kind = kind;
    cfg->script[cfg->nscript].text = text;
    cfg->nscript++;
    return 0;
}

static int opt_expect(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    return script_add(p, label, arg, STEP_EXPECT);
}

static int opt_expect_screen(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    return script_add(p, label, arg, STEP_EXPECT_SCREEN);
}

static int opt_send(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    return script_add(p, label, arg, STEP_SEND);
}

static int opt_timeout(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    char *end;
    errno = 0;
    double t = strtod(arg, &end);
    if (!isdigit((unsigned char)arg[0]) && arg[0] != '.')
        end = (char *)arg;   /* no sign, no "inf"/"nan" spellings */
    if (end == arg || *end || errno || !isfinite(t) || t <= 0)
        return fail(p, label, "invalid timeout '%s' (a positive number of seconds)", arg);
    p->cfg->timeout = t;
    return 0;
}

static int opt_screenshot(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    size_t n = strlen(arg);
    if (n < 5 || strcasecmp(arg + n - 4, ".png"))
        return fail(p, label, "'%s' must be a file name ending in .png", arg);
    set_str(&p->cfg->screenshot, arg);
    return 0;
}

static int opt_screen_text(Parser *p, const OptionDef *o, const char *label, const char *arg)
{
    if (!*arg)
        return fail(p, label, "empty file name");
    set_str(&p->cfg->screen_text, arg);
    return 0;
}

/* ---- the table */

static const OptionDef option_table[] = {
    { "-machine", "-M", "NAME[,...]", "board to emulate (-M help lists them; default pc)", opt_machine },
    { "-m", NULL, "SIZE", "guest RAM: MiB, or with K/M/G suffix, or size=SIZE (default 128M)", opt_mem },
    { "-bios", NULL, "FILE", "firmware image (default: SeaBIOS from the system)", opt_bios },
    { "-cdrom", NULL, "FILE", "CD-ROM image (ISO) as IDE secondary master", opt_cdrom },
    { "-hda", NULL, "FILE", "disk image as IDE primary master (also: a bare FILE)", opt_hdx },
    { "-hdb", NULL, "FILE", "disk image as IDE primary slave", opt_hdx },
    { "-hdc", NULL, "FILE", "disk image as IDE secondary master", opt_hdx },
    { "-hdd", NULL, "FILE", "disk image as IDE secondary slave", opt_hdx },
    { "-drive", NULL, "file=F[,...]", "drive: format=raw,if=ide,media=disk|cdrom,index=0..3,readonly=on|off",
      opt_drive },
    { "-boot", NULL, "[order=]DRIVES", "boot order: a floppy, c disk, d CD-ROM, n network", opt_boot },
    { "-kernel", NULL, "FILE", "boot this Linux kernel (bzImage) directly", opt_kernel },
    { "-initrd", NULL, "FILE", "initial ramdisk for -kernel", opt_initrd },
    { "-append", NULL, "CMDLINE", "kernel command line for -kernel", opt_append },
    { "-nographic", NULL, NULL, "no window; serial port on the terminal", opt_nographic },
    { "-display", NULL, "none|sdl", "display: none (headless) or sdl (a window)", opt_display },
    { "-serial", NULL, "DEV", "COM1 to stdio, file:PATH, none or null", opt_serial },
    { "-debugcon", NULL, "DEV", "debug console port 0xe9 to stdio, file:PATH or none", opt_debugcon },
    { "-no-reboot", NULL, NULL, "exit instead of rebooting when the guest resets", opt_no_reboot },
    { "-snapshot", NULL, NULL, "write disk changes to memory, never to the images", opt_snapshot },
    { "-d", NULL, "ITEM,...", "enable debug logging (-d help lists the items)", opt_log_mask },
    { "-D", NULL, "FILE", "write the debug log to FILE instead of stderr", opt_log_file },
    { "-accel", NULL, "tcg[,backend=B]", "translator; backend interp or native (-accel help)", opt_accel },
    { "-icount", NULL, "[shift=]N", "virtual clock: 2^N ns per instruction, 0..10 (reproducible runs)",
      opt_icount },
    { "-device", NULL, "DRIVER[,PROP=V...]", "add a device (-device help lists the drivers)", opt_device },
    { "-nic", NULL, "SPEC", "network card and back-end (e.g. user,model=e1000; none: no NIC)", opt_net },
    { "-netdev", NULL, "SPEC", "network back-end for a -device NIC (e.g. user,id=n0)", opt_net },
    { "--expect", NULL, "TEXT", "script: wait until the serial output contains TEXT", opt_expect },
    { "--expect-screen", NULL, "TEXT", "script: wait until the VGA text screen shows TEXT",
      opt_expect_screen },
    { "--send", NULL, "TEXT", "script: type TEXT (escapes \\n \\r \\t \\e \\\\ \\xHH)", opt_send },
    { "--timeout", NULL, "SECONDS", "script: fail (exit 1) if not done after SECONDS", opt_timeout },
    { "--screenshot", NULL, "FILE.png", "write the screen as PNG at exit and on failure", opt_screenshot },
    { "--screen-text", NULL, "FILE", "write the VGA text screen at exit", opt_screen_text },
    { "-version", NULL, NULL, "print the version and exit", opt_version },
    { "-help", "-h", NULL, "print this help and exit", opt_help },
};

#define NOPTIONS (sizeof(option_table) / sizeof(option_table[0]))

void options_print_usage(FILE *f)
{
    fprintf(f, "Usage: doppel [options] [disk-image]\n"
               "Options take one or two leading dashes (-m or --m).\n\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const OptionDef *o = &option_table[i];
        char left[64];
        snprintf(left, sizeof(left), "%s%s%s%s%s", o->alias ? o->alias : "",
                 o->alias ? ", " : "", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        fprintf(f, "  %-30s %s\n", left, o->help);
    }
    fprintf(f, "\nExit status: 0 guest powered off or script passed, 1 guest or script "
               "failure, 2 bad command line.\n");
}

/* Name without its leading dashes. */
static const char *bare(const char *s)
{
    while (*s == '-')
        s++;
    return s;
}

/* Find the option spelled by arg ("-m", "--m", "--timeout=5"). *inline_arg
 * gets the text after '=' for the --name=value form, else NULL. *label gets
 * the spelling to name in errors (the canonical dashes, the name used). */
static const OptionDef *option_lookup(const char *arg, const char **inline_arg,
                                      const char **label)
{
    const char *name = bare(arg);
    size_t dashes = (size_t)(name - arg);
    if (dashes < 1 || dashes > 2 || !*name)
        return NULL;
    size_t len = strcspn(name, "=");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const OptionDef *o = &option_table[i];
        const char *spell[2] = { o->name, o->alias };
        for (int s = 0; s < 2; s++) {
            if (!spell[s] || strlen(bare(spell[s])) != len || strncmp(bare(spell[s]), name, len))
                continue;
            if (name[len] == '=' && !o->metavar)
                return NULL;
            *inline_arg = name[len] == '=' ? name + len + 1 : NULL;
            *label = spell[s];
            return o;
        }
    }
    return NULL;
}

/* After the whole command line: defaults that depend on other options, and
 * the checks that need all of it. */
static int finish(Parser *p)
{
    VmConfig *cfg = p->cfg;
    if (cfg->nographic) {
        if (p->display_set && cfg->display != DISPLAY_NONE)
            return fail(p, "-nographic", "cannot be used with -display sdl");
        cfg->display = DISPLAY_NONE;
        if (!p->serial_set)
            cfg->serial.kind = CHR_STDIO;   /* QEMU: -nographic puts COM1 on stdio */
    }
    if (cfg->initrd && !cfg->kernel)
        return fail(p, "-initrd", "only allowed with -kernel");
    if (cfg->append && !cfg->kernel)
        return fail(p, "-append", "only allowed with -kernel");
    for (int i = 0; i < cfg->ndrives; i++) {
        DriveConfig *d = &cfg->drives[i];
        d->snapshot |= cfg->snapshot;
        if (!d->file)
            continue;   /* an empty CD-ROM tray */
        OptFileKind kind = d->media == MEDIA_CDROM ? OPTV_FILE_ISO : OPTV_FILE_DISK;
        if (check_file(p, p->drive_opt[i], d->file, kind, !d->readonly && !d->snapshot) < 0)
            return -1;
    }
    return 0;
}

int options_parse(VmConfig *cfg, int argc, char **argv, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->machine = xstrdup("pc");
    cfg->ram_size = RAM_DEFAULT;
    cfg->icount_shift = -1;
    cfg->serial.kind = CHR_NONE;     /* QEMU sends it to the display: none yet */
    cfg->debugcon.kind = CHR_NONE;
    if (err && errlen)
        err[0] = '\0';

    Parser p = { .cfg = cfg, .err = err, .errlen = errlen };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            /* A bare file is the first disk, as in QEMU. A lone "-" is not. */
            if (a[0] == '-')
                return fail(&p, NULL, "unknown option '%s'", a);
            int r = drive_add(&p, "-hda", a, MEDIA_DISK, 0, false, false);
            if (r)
                return r;
            continue;
        }
        const char *arg = NULL, *label = NULL;
        const OptionDef *o = option_lookup(a, &arg, &label);
        if (!o)
            return fail(&p, NULL, "unknown option '%s'", a);
        if (o->metavar && !arg) {
            if (i + 1 >= argc)
                return fail(&p, label, "requires an argument (%s)", o->metavar);
            arg = argv[++i];
        }
        int r = o->handler(&p, o, label, arg);
        if (r)
            return r;
    }
    return finish(&p);
}

void options_free(VmConfig *cfg)
{
    free(cfg->machine);
    free(cfg->bios);
    for (int i = 0; i < cfg->ndrives; i++)
        free(cfg->drives[i].file);
    free(cfg->kernel);
    free(cfg->initrd);
    free(cfg->append);
    free(cfg->serial.path);
    free(cfg->debugcon.path);
    free(cfg->log_file);
    for (int i = 0; i < cfg->nscript; i++)
        free(cfg->script[i].text);
    free(cfg->screenshot);
    free(cfg->screen_text);
    for (int i = 0; i < cfg->ndevices; i++) {
        free(cfg->devices[i].driver);
        free(cfg->devices[i].props);
    }
    for (int i = 0; i < cfg->nnics; i++)
        free(cfg->nics[i].spec);
    memset(cfg, 0, sizeof(*cfg));
}
