/*
 * PNG screenshots with libpng and text-screen dumps for --screenshot and
 * --screen-text.
 */
#include "frontends/screenshot.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool png_write_rgb(const char *path, const uint32_t *pixels, int width, int height,
                   char *err, size_t errlen)
{
    if (width <= 0 || height <= 0) {
        snprintf(err, errlen, "empty image");
        return false;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        return false;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    uint8_t *row = malloc((size_t)width * 3);
    bool ok = false;
    if (!png || !info || !row) {
        snprintf(err, errlen, "out of memory writing '%s'", path);
        goto out;
    }
    if (setjmp(png_jmpbuf(png))) {
        snprintf(err, errlen, "libpng failed writing '%s'", path);
        goto out;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++) {
        const uint32_t *src = pixels + (size_t)y * width;
        for (int x = 0; x < width; x++) {
            row[3 * x] = (uint8_t)(src[x] >> 16);
            row[3 * x + 1] = (uint8_t)(src[x] >> 8);
            row[3 * x + 2] = (uint8_t)src[x];
        }
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    ok = true;
out:
    if (png)
        png_destroy_write_struct(&png, info ? &info : NULL);
    free(row);
    if (fclose(f) != 0 && ok) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        ok = false;
    }
    return ok;
}

bool screenshot_write(const DisplaySource *src, const char *path, char *err, size_t errlen)
{
    const uint32_t *pixels;
    int w, h;
    if (!src->opaque || !src->render || !src->render(src->opaque, &pixels, &w, &h)) {
        snprintf(err, errlen, "no display to take a screenshot of");
        return false;
    }
    return png_write_rgb(path, pixels, w, h, err, errlen);
}

bool screen_text_write(const DisplaySource *src, const char *path, char *err, size_t errlen)
{
    static const size_t cap = 64 * 1024;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!src->opaque || !src->get_text || !src->get_text(src->opaque, buf, cap))
        snprintf(buf, cap, "(graphics mode)\n");
    FILE *f = fopen(path, "w");
    bool ok = f && fputs(buf, f) >= 0;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok)
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    free(buf);
    return ok;
}
