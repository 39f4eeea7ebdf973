#!/bin/sh
# make check: hard-disk boot. SeaBIOS loads the MBR of guests-cache/hdd.img
# (-hda), which chains to SYSLINUX in the active FAT16 partition, which loads
# Debian's kernel and the busybox initramfs from that filesystem. In the
# guest, the ata_piix/sd_mod drivers must find the disk and read back the
# MBR boot signature 55 AA at byte 510 (the same bytes BIOS checked), then
# `poweroff` must end doppel with status 0.
set -u
exec ./doppel -nographic -m 256M -accel tcg,backend="${DOPPEL_BACKEND:-native}" \
    -hda guests-cache/hdd.img --timeout "${BOOT_TIMEOUT:-600}" \
    --expect 'SYSLINUX 6' \
    --expect 'doppel-guest: shell ready' \
    --send 'uname -r\n' --expect '6.' \
    --send 'disk-up sda\n' --expect 'doppel-disk: up' \
    --send 'echo "sig $(dd if=/dev/sda bs=1 skip=510 count=2 2>/dev/null | od -An -tx1)"\n' \
    --expect 'sig  55 aa' \
    --send 'poweroff\n'
