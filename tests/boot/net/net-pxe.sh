#!/bin/sh
# In-guest PXE boot: SeaBIOS runs the NIC's iPXE ROM (Debian's ipxe-qemu,
# published by doppel as fw_cfg "pciVVVV,DDDD.rom" when the boot order has
# 'n'), iPXE gets DHCP from libslirp with the boot file name, loads an iPXE
# script, kernel and initramfs over TFTP from the host directory, and the
# busybox shell must come up. Not part of `make check` until the x86 CPU
# boots Linux.
# Usage: net-pxe.sh MODEL DOPPEL
set -eu
model=${1:-e1000} doppel=${2:-./doppel}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -r "/usr/lib/ipxe/qemu/pxe-$model.rom" ] || [ -r "/usr/lib/ipxe/qemu/efi-$model.rom" ] || {
    echo "net-pxe: no iPXE ROM for $model (apt-get install ipxe-qemu)" >&2; exit 1; }
kernel=$(sh "$here/../../guests/find-kernel.sh")
mkdir "$work/tftp"
cp "$kernel" "$work/tftp/vmlinuz"
sh "$here/../../guests/make-initramfs.sh" "$work/tftp/initrd.gz"
cat > "$work/tftp/boot.ipxe" <<'IPXE'
#!ipxe
echo doppel-pxe: script loaded
kernel vmlinuz console=ttyS0,115200 panic=-1
initrd initrd.gz
boot
IPXE
"$doppel" -nographic -m 256M -boot n \
    -nic "user,model=$model,tftp=$work/tftp,bootfile=boot.ipxe" --timeout "${BOOT_TIMEOUT:-900}" \
    --expect 'doppel-guest: shell ready' \
    --send 'poweroff\n'
echo "net-pxe ($model): ok"
