#!/bin/sh
# make check: direct Linux boot with -kernel/-initrd/-append through fw_cfg
# and doppel's own linuxboot option ROM.
k=$(sh "$(dirname "$0")/../guests/find-kernel.sh") || exit 1
exec sh "$(dirname "$0")/boot-linux.sh" native -kernel "$k" -initrd guests-cache/initramfs.cpio.gz \
    -append "console=ttyS0,115200 panic=-1"
