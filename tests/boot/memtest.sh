#!/bin/sh
# make check: memtest86+ (Debian's package) shows its banner on the VGA text
# screen and starts testing, on both backends.
set -e
here=$(dirname "$0")
sh "$here/boot-memtest.sh" native guests-cache/memtest.iso
sh "$here/boot-memtest.sh" interp guests-cache/memtest.iso
