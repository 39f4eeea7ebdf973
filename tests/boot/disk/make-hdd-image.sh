#!/bin/sh
# Build a bootable raw hard-disk image for the disk boot test: an MBR
# (syslinux-common's mbr.bin) with one active FAT16 partition at LBA 2048
# holding SYSLINUX (installed by `syslinux --install`, which works on an
# image file without mounting), Debian's kernel and an initramfs. mtools
# (mformat/mcopy) builds the filesystem, sfdisk writes the partition table.
# Usage: make-hdd-image.sh KERNEL INITRAMFS OUT.img [APPEND]
set -eu
kernel=$1 initrd=$2 out=$3 append=${4:-}
PATH=$PATH:/sbin:/usr/sbin
mbr=/usr/lib/syslinux/mbr/mbr.bin
for t in mformat mcopy syslinux sfdisk; do
    command -v $t >/dev/null 2>&1 || {
        echo "make-hdd-image: $t missing (apt-get install mtools syslinux fdisk)" >&2; exit 1; }
done
[ -r "$mbr" ] || { echo "make-hdd-image: $mbr missing (apt-get install syslinux-common)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=2048                      # first partition LBA (1 MiB aligned)
total=$((64 * 2048))            # 64 MiB disk
psize=$((total - start))
# The FAT16 filesystem, built on its own and then placed into the partition.
# -H records the partition offset in the BPB's hidden-sectors field.
part=$work/part.img
dd if=/dev/zero of="$part" bs=512 count=0 seek=$psize 2>/dev/null
mformat -i "$part" -T $psize -h 16 -s 63 -H $start -v DOPPEL ::
cat > "$work/syslinux.cfg" <<CFG
SERIAL 0 115200
PROMPT 0
TIMEOUT 1
DEFAULT linux
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=tty0 console=ttyS0,115200 panic=-1 $append
CFG
mcopy -i "$part" "$kernel" ::/vmlinuz
mcopy -i "$part" "$initrd" ::/initrd.gz
mcopy -i "$part" "$work/syslinux.cfg" ::/syslinux.cfg
syslinux --install "$part"

img=$work/disk.img
dd if=/dev/zero of="$img" bs=512 count=0 seek=$total 2>/dev/null
printf 'label: dos\nlabel-id: 0x646f7070\nstart=%s, size=%s, type=6, bootable\n' $start $psize | sfdisk -q "$img" >/dev/null
dd if="$mbr" of="$img" bs=440 count=1 conv=notrunc 2>/dev/null
dd if="$part" of="$img" bs=512 seek=$start conv=notrunc 2>/dev/null
mv "$img" "$out"
