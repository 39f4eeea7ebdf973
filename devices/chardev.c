/*
 * Character back-ends: stdio, file, null and raw fds, plus the bounded
 * input queue between the host and the device that owns the CharDev.
 * See chardev.h for the model.
 */
#include "devices/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write everything to fd, retrying short writes; stops at the first error. */
static size_t fd_write_all(int fd, const uint8_t *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return done;
}

static size_t fd_backend_write(CharDev *chr, const uint8_t *buf, size_t len)
{
    if (chr->out_fd < 0)
        return len;
    return fd_write_all(chr->out_fd, buf, len);
}

static void fd_backend_close(CharDev *chr)
{
    if (chr->own_in && chr->in_fd >= 0)
        close(chr->in_fd);
    if (chr->own_out && chr->out_fd >= 0 && chr->out_fd != chr->in_fd)
        close(chr->out_fd);
    chr->in_fd = chr->out_fd = -1;
}

static const CharDevOps fd_backend_ops = {
    .name = "fd",
    .write = fd_backend_write,
    .close = fd_backend_close,
};

static const CharDevOps stdio_backend_ops = {
    .name = "stdio",
    .write = fd_backend_write,
    .close = fd_backend_close,
};

static const CharDevOps file_backend_ops = {
    .name = "file",
    .write = fd_backend_write,
    .close = fd_backend_close,
};

static size_t null_backend_write(CharDev *chr, const uint8_t *buf, size_t len)
{
    return len;
}

static const CharDevOps null_backend_ops = {
    .name = "null",
    .write = null_backend_write,
    .close = NULL,
};

static CharDev *chardev_alloc(const CharDevOps *ops, int in_fd, int out_fd,
                              bool own_in, bool own_out)
{
    CharDev *chr = calloc(1, sizeof(*chr));
    if (!chr)
        return NULL;
    chr->ops = ops;
    chr->in_fd = in_fd;
    chr->out_fd = out_fd;
    chr->own_in = own_in;
    chr->own_out = own_out;
    return chr;
}

CharDev *chardev_stdio_new(void)
{
    return chardev_alloc(&stdio_backend_ops, STDIN_FILENO, STDOUT_FILENO, false, false);
}

CharDev *chardev_file_new(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (err && errlen)
            snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    CharDev *chr = chardev_alloc(&file_backend_ops, -1, fd, false, true);
    if (!chr) {
        close(fd);
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
    }
    return chr;
}

CharDev *chardev_null_new(void)
{
    return chardev_alloc(&null_backend_ops, -1, -1, false, false);
}

CharDev *chardev_fd_new(int in_fd, int out_fd, bool own)
{
    return chardev_alloc(&fd_backend_ops, in_fd, out_fd, own, own);
}

CharDev *chardev_from_config(const CharDevConfig *cfg, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    switch (cfg ? cfg->kind : CHR_NONE) {
    case CHR_NONE:
        return NULL;
    case CHR_STDIO:
        return chardev_stdio_new();
    case CHR_NULL:
        return chardev_null_new();
    case CHR_FILE:
        if (!cfg->path) {
            if (err && errlen)
                snprintf(err, errlen, "file: back-end needs a path");
            return NULL;
        }
        return chardev_file_new(cfg->path, err, errlen);
    }
    if (err && errlen)
        snprintf(err, errlen, "unknown character back-end");
    return NULL;
}

void chardev_close(CharDev *chr)
{
    if (!chr)
        return;
    if (chr->ops && chr->ops->close)
        chr->ops->close(chr);
    free(chr);
}

size_t chardev_write(CharDev *chr, const void *buf, size_t len)
{
    if (!chr || len == 0)
        return len;
    if (chr->tap)
        chr->tap(chr->tap_opaque, buf, len);
    return chr->ops->write(chr, buf, len);
}

void chardev_set_handlers(CharDev *chr, CharDevCanReceive can_receive,
                          CharDevReceive receive, void *opaque)
{
    if (!chr)
        return;
    chr->can_receive = can_receive;
    chr->receive = receive;
    chr->fe_opaque = opaque;
}

void chardev_set_tap(CharDev *chr, CharDevTap tap, void *opaque)
{
    if (!chr)
        return;
    chr->tap = tap;
    chr->tap_opaque = opaque;
}

void chardev_pump(CharDev *chr)
{
    if (!chr || !chr->receive)
        return;
    while (chr->in_count > 0) {
        size_t room = chr->can_receive ? chr->can_receive(chr->fe_opaque) : chr->in_count;
        if (room == 0)
            break;
        /* deliver the contiguous run at the head of the ring */
        size_t run = CHARDEV_INBUF_SIZE - chr->in_head;
        if (run > chr->in_count)
            run = chr->in_count;
        if (run > room)
            run = room;
        const uint8_t *p = chr->inbuf + chr->in_head;
        chr->in_head = (chr->in_head + run) % CHARDEV_INBUF_SIZE;
        chr->in_count -= run;
        chr->receive(chr->fe_opaque, p, run);
    }
}

size_t chardev_feed(CharDev *chr, const uint8_t *buf, size_t len)
{
    if (!chr)
        return 0;
    size_t room = CHARDEV_INBUF_SIZE - chr->in_count;
    if (len > room)
        len = room;
    for (size_t i = 0; i < len; i++) {
        size_t tail = (chr->in_head + chr->in_count) % CHARDEV_INBUF_SIZE;
        chr->inbuf[tail] = buf[i];
        chr->in_count++;
    }
    chardev_pump(chr);
    return len;
}

size_t chardev_pending_input(const CharDev *chr)
{
    return chr ? chr->in_count : 0;
}

void chardev_fd_readable(void *opaque, int fd)
{
    CharDev *chr = opaque;
    uint8_t tmp[512];
    size_t room = CHARDEV_INBUF_SIZE - chr->in_count;
    if (room == 0) {
        chardev_pump(chr);
        return;
    }
    if (room > sizeof(tmp))
        room = sizeof(tmp);
    ssize_t n = read(fd, tmp, room);
    if (n > 0) {
        chardev_feed(chr, tmp, (size_t)n);
        return;
    }
    if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
        chr->in_eof = true;
    chardev_pump(chr);
}
