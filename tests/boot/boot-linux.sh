#!/bin/sh
# Boot test: SeaBIOS -> boot loader -> Debian's kernel -> busybox, on one
# backend. Runs `uname -a` and an arithmetic loop, checks their output, then
# `poweroff` must end doppel with status 0.
# Usage: boot-linux.sh BACKEND MEDIA...   (e.g. native -cdrom guests-cache/demo.iso)
# DOPPEL names the program to run (default ./doppel; check-aarch64 passes a
# wrapper that runs the AArch64 build under qemu-aarch64).
set -u
backend=$1; shift
exec "${DOPPEL:-./doppel}" -nographic -m 256M -accel tcg,backend="$backend" "$@" --timeout "${BOOT_TIMEOUT:-600}" \
    --expect 'doppel-guest: shell ready' \
    --send 'uname -a\n' --expect 'Linux doppel 6.' \
    --send 'i=0; s=0; while [ $i -lt 2000 ]; do s=$((s + i)); i=$((i + 1)); done; echo "sum is $s"\n' \
    --expect 'sum is 1999000' \
    --send 'poweroff\n'
