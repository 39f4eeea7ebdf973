#!/bin/sh
# Build an El Torito ISO that boots Debian's stock kernel with the busybox
# initramfs through ISOLINUX (Debian packages isolinux, syslinux-common,
# xorriso). The command line puts the console on both the serial port and
# the screen.
# Usage: make-isolinux-iso.sh KERNEL INITRD OUT.iso [EXTRA_APPEND]
set -eu
kernel=$1 initrd=$2 out=$3 extra=${4:-}
isolinux=/usr/lib/ISOLINUX/isolinux.bin
modules=/usr/lib/syslinux/modules/bios
for f in "$kernel" "$initrd" "$isolinux" "$modules/ldlinux.c32"; do
    [ -r "$f" ] || { echo "make-isolinux-iso: cannot read $f" >&2; exit 1; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/isolinux"
cp "$isolinux" "$modules/ldlinux.c32" "$dir/isolinux/"
cp "$kernel" "$dir/vmlinuz"
cp "$initrd" "$dir/initrd.gz"
cat > "$dir/isolinux/isolinux.cfg" <<CFG
SERIAL 0 115200
PROMPT 0
TIMEOUT 1
DEFAULT linux
LABEL linux
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=tty0 console=ttyS0,115200 panic=-1 $extra
CFG
xorriso -as mkisofs -quiet -o "$out.tmp" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table -V DOPPEL "$dir" 2>/dev/null
mv "$out.tmp" "$out"
