/*
 * Value parsers of the command line, free of any option knowledge: QEMU
 * key=value lists, sizes with K/M/G suffixes, on/off, bounded integers,
 * backslash escapes of scripted-console text, and the checks a file
 * argument must pass. frontends/options.c adds the option name to errors.
 */
#ifndef DOPPEL_FRONTENDS_OPTVALUE_H
#define DOPPEL_FRONTENDS_OPTVALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OPTV_MAX_PROPS 32

/* A comma-separated list split into items ("file=a.img,readonly=on").
 * As in QEMU, ",," stands for a literal comma inside an item. */
typedef struct OptProps {
    char *buf;                     /* owns every key and val */
    char *key[OPTV_MAX_PROPS];
    char *val[OPTV_MAX_PROPS];     /* NULL: the item had no '=' */
    int n;
} OptProps;

/** Split s into pl (an empty s gives one empty item). Returns false with a
 *  reason in why when there are more than OPTV_MAX_PROPS items. Free the
 *  result with optv_props_free in every case. */
bool optv_split(const char *s, OptProps *pl, char *why, size_t whylen);
/** Release what optv_split allocated. */
void optv_props_free(OptProps *pl);

/** QEMU boolean: 1 for on/yes/true, 0 for off/no/false, -1 otherwise
 *  (val may be NULL). */
int optv_onoff(const char *val);

/** Decimal integer in [lo, hi] with nothing around it. */
bool optv_int(const char *s, long lo, long hi, long *out);

/** A size: decimal digits, then optionally K, M, G or T (binary units;
 *  "B" or "iB" may follow) or B for bytes. A plain number counts in
 *  default_unit. Returns 0, -1 if malformed, -2 if it overflows 64 bits. */
int optv_size(const char *s, uint64_t default_unit, uint64_t *out);

/** Decode \n \r \t \e \\ and \xHH (two hex digits, not 00) into a new
 *  string *out. Returns false with a reason in why on an unknown escape,
 *  a bad \x or a trailing backslash. */
bool optv_decode_escapes(const char *in, char **out, char *why, size_t whylen);

typedef enum OptFileKind {
    OPTV_FILE_ANY,       /* a readable regular file, may be empty (-initrd) */
    OPTV_FILE_NONEMPTY,  /* -bios, -kernel */
    OPTV_FILE_ISO,       /* CD-ROM image: a non-empty multiple of 2048 bytes */
    OPTV_FILE_DISK,      /* disk image: non-empty */
} OptFileKind;

/** Check that path is an existing, readable regular file fit for kind, and
 *  writable if need_write. Returns false with a reason naming the file in
 *  why ("cannot open 'x.iso': No such file or directory", "truncated ISO
 *  ..."). */
bool optv_check_file(const char *path, OptFileKind kind, bool need_write,
                     char *why, size_t whylen);

#endif
