#!/bin/sh
# make check: SeaBIOS -> ISOLINUX -> Debian's kernel -> busybox shell on the
# native backend, then on the interpreter (DOPPEL_SKIP_INTERP_BOOT=1 skips
# the slow interpreter run for quick local iterations).
set -e
here=$(dirname "$0")
sh "$here/boot-linux.sh" native -cdrom guests-cache/demo.iso
[ -n "${DOPPEL_SKIP_INTERP_BOOT:-}" ] || BOOT_TIMEOUT=1500 sh "$here/boot-linux.sh" interp -cdrom guests-cache/demo.iso
