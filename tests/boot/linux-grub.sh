#!/bin/sh
# make check: SeaBIOS -> GRUB (grub-mkrescue ISO) -> Debian's kernel -> busybox.
exec sh "$(dirname "$0")/boot-linux.sh" native -cdrom guests-cache/grub.iso
