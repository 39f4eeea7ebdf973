#!/bin/sh
# make check: direct Multiboot boot (-kernel with modules) through SeaBIOS
# and doppel's own option ROM, both image formats, both backends.
set -e
dir=guests-cache
here=$(dirname "$0")
sh "$here/boot-multiboot.sh" interp "$dir/multiboot-test.bin"
sh "$here/boot-multiboot.sh" interp "$dir/multiboot-test.elf"
sh "$here/boot-multiboot.sh" native "$dir/multiboot-test.bin"
sh "$here/boot-multiboot.sh" native "$dir/multiboot-test.elf"
