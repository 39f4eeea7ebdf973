/*
 * Value parsers of the command line (see optvalue.h). Errors are reasons
 * without the option name; options.c prefixes "doppel: -opt: ".
 */
#include "frontends/optvalue.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KIB ((uint64_t)1 << 10)
#define MIB ((uint64_t)1 << 20)
#define GIB ((uint64_t)1 << 30)
#define TIB ((uint64_t)1 << 40)
/* ISO 9660 (ECMA-119 6.1.2): a logical sector is 2048 bytes. */
#define ISO_SECTOR 2048

bool optv_split(const char *s, OptProps *pl, char *why, size_t whylen)
{
    memset(pl, 0, sizeof(*pl));
    pl->buf = strdup(s);
    if (!pl->buf) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    char *out = pl->buf, *item = pl->buf;
    for (const char *c = s;; c++) {
        if (*c == ',' && c[1] == ',') {
            *out++ = ',';
            c++;
            continue;
        }
        if (*c != ',' && *c != '\0') {
            *out++ = *c;
            continue;
        }
        *out++ = '\0';
        if (pl->n == OPTV_MAX_PROPS) {
            snprintf(why, whylen, "too many comma-separated items (at most %d)",
                     OPTV_MAX_PROPS);
            return false;
        }
        char *eq = strchr(item, '=');
        if (eq)
            *eq = '\0';
        pl->key[pl->n] = item;
        pl->val[pl->n] = eq ? eq + 1 : NULL;
        pl->n++;
        item = out;
        if (*c == '\0')
            break;
    }
    return true;
}

void optv_props_free(OptProps *pl)
{
    free(pl->buf);
    memset(pl, 0, sizeof(*pl));
}

int optv_onoff(const char *val)
{
    if (!val)
        return -1;
    if (!strcmp(val, "on") || !strcmp(val, "yes") || !strcmp(val, "true"))
        return 1;
    if (!strcmp(val, "off") || !strcmp(val, "no") || !strcmp(val, "false"))
        return 0;
    return -1;
}

bool optv_int(const char *s, long lo, long hi, long *out)
{
    if (!s || !isdigit((unsigned char)s[0]))
        return false;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int optv_size(const char *s, uint64_t default_unit, uint64_t *out)
{
    /* strtoull alone would take leading blanks and signs. */
    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno == ERANGE)
        return -2;
    uint64_t unit = default_unit;
    if (*end) {
        switch (toupper((unsigned char)*end)) {
        case 'B': unit = 1; break;
        case 'K': unit = KIB; break;
        case 'M': unit = MIB; break;
        case 'G': unit = GIB; break;
        case 'T': unit = TIB; break;
        default: return -1;
        }
        end++;
        if (unit != 1 && (!strcmp(end, "B") || !strcmp(end, "iB")))
            end += strlen(end);
        if (*end)
            return -1;
    }
    if (v > UINT64_MAX / unit)
        return -2;
    *out = (uint64_t)v * unit;
    return 0;
}

bool optv_decode_escapes(const char *in, char **out, char *why, size_t whylen)
{
    char *buf = malloc(strlen(in) + 1), *o = buf;
    if (!buf) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    for (const char *c = in; *c; c++) {
        if (*c != '\\') {
            *o++ = *c;
            continue;
        }
        c++;
        switch (*c) {
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'e': *o++ = 0x1b; break;
        case '\\': *o++ = '\\'; break;
        case 'x': {
            if (!isxdigit((unsigned char)c[1]) || !isxdigit((unsigned char)c[2])) {
                snprintf(why, whylen, "\\x needs two hex digits");
                goto bad;
            }
            char hex[3] = { c[1], c[2], 0 };
            long v = strtol(hex, NULL, 16);
            if (v == 0) {
                /* The text is a C string: a NUL would silently cut it. */
                snprintf(why, whylen, "\\x00 is not allowed");
                goto bad;
            }
            *o++ = (char)v;
            c += 2;
            break;
        }
        case '\0':
            snprintf(why, whylen, "trailing backslash");
            goto bad;
        default:
            if (isprint((unsigned char)*c))
                snprintf(why, whylen, "unknown escape '\\%c'", *c);
            else
                snprintf(why, whylen, "unknown escape '\\' + byte 0x%02x", (unsigned char)*c);
            goto bad;
        }
    }
    *o = '\0';
    *out = buf;
    return true;
bad:
    free(buf);
    return false;
}

bool optv_check_file(const char *path, OptFileKind kind, bool need_write,
                     char *why, size_t whylen)
{
    struct stat st;
    /* stat before open: opening a FIFO for reading would block. */
    if (stat(path, &st) != 0) {
        snprintf(why, whylen, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "cannot open '%s': %s", path, strerror(EISDIR));
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, whylen, "'%s' is not a regular file", path);
        return false;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    close(fd);

    long long size = (long long)st.st_size;
    if (size == 0 && kind == OPTV_FILE_NONEMPTY) {
        snprintf(why, whylen, "'%s' is empty", path);
        return false;
    }
    if (size == 0 && kind == OPTV_FILE_DISK) {
        snprintf(why, whylen, "disk image '%s' is empty", path);
        return false;
    }
    if (kind == OPTV_FILE_ISO && size == 0) {
        snprintf(why, whylen, "truncated ISO '%s' (empty file)", path);
        return false;
    }
    if (kind == OPTV_FILE_ISO && size % ISO_SECTOR) {
        snprintf(why, whylen, "truncated ISO '%s' (%lld bytes is not a multiple of %d)",
                 path, size, ISO_SECTOR);
        return false;
    }
    if (need_write && access(path, W_OK) != 0) {
        snprintf(why, whylen, "cannot open '%s' for writing: %s (use readonly=on or -snapshot)",
                 path, strerror(errno));
        return false;
    }
    return true;
}
