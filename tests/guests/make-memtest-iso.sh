#!/bin/sh
# Build an ISOLINUX ISO that boots memtest86+ exactly as Debian's memtest86+
# package ships it (/boot/memtest86+x64.bin speaks the Linux boot protocol).
# Usage: make-memtest-iso.sh OUT.iso
set -eu
out=$1
bin=/boot/memtest86+x64.bin
isolinux=/usr/lib/ISOLINUX/isolinux.bin
modules=/usr/lib/syslinux/modules/bios
for f in "$bin" "$isolinux" "$modules/ldlinux.c32"; do
    [ -r "$f" ] || { echo "make-memtest-iso: cannot read $f (apt-get install memtest86+ isolinux syslinux-common)" >&2; exit 1; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/isolinux"
cp "$isolinux" "$modules/ldlinux.c32" "$dir/isolinux/"
cp "$bin" "$dir/memtest"
cat > "$dir/isolinux/isolinux.cfg" <<CFG
PROMPT 0
TIMEOUT 1
DEFAULT memtest
LABEL memtest
  KERNEL /memtest
CFG
xorriso -as mkisofs -quiet -o "$out.tmp" -b isolinux/isolinux.bin -c isolinux/boot.cat \
    -no-emul-boot -boot-load-size 4 -boot-info-table -V MEMTEST "$dir" 2>/dev/null
mv "$out.tmp" "$out"
