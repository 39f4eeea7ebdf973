#!/bin/sh
# Build a BIOS-bootable GRUB ISO (grub-mkrescue from Debian's grub-pc-bin,
# grub-common, xorriso, mtools) booting the same kernel and initramfs.
# Usage: make-grub-iso.sh KERNEL INITRD OUT.iso
set -eu
kernel=$1 initrd=$2 out=$3
[ -d /usr/lib/grub/i386-pc ] || { echo "make-grub-iso: grub-pc-bin missing" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/vmlinuz"
cp "$initrd" "$dir/boot/initrd.gz"
cat > "$dir/boot/grub/grub.cfg" <<'CFG'
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "Linux" {
  linux /boot/vmlinuz console=tty0 console=ttyS0,115200 panic=-1
  initrd /boot/initrd.gz
}
CFG
grub-mkrescue -o "$out.tmp" --compress=xz -d /usr/lib/grub/i386-pc "$dir" >/dev/null 2>&1 \
    || grub-mkrescue -o "$out.tmp" -d /usr/lib/grub/i386-pc "$dir"
mv "$out.tmp" "$out"
