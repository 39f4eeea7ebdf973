#!/bin/sh
# Build the initramfs for the disk tests: the busybox initramfs of
# tests/guests/make-initramfs.sh plus a second cpio archive (the kernel
# unpacks concatenated archives in order) holding the IDE/SCSI disk driver
# modules of Debian's kernel (ata_piix and sd_mod are modules there, not
# built in) with their dependencies from modules.dep in load order, and
# /bin/disk-up which loads them and waits for the disks to appear.
# Usage: make-disk-initramfs.sh KERNEL OUT.cpio.gz
set -eu
kernel=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
ver=$(basename "$kernel" | sed 's/^vmlinuz-//')
moddir=/lib/modules/$ver
[ -r "$moddir/modules.dep" ] || {
    echo "make-disk-initramfs: $moddir/modules.dep missing (apt-get install linux-image-$ver)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh "$here/../../guests/make-initramfs.sh" "$work/base.cpio.gz"

# Load order: for each wanted module, its dependencies (modules.dep lists
# them so that the last one must be loaded first), then the module itself.
order=
for want in ata_piix sd_mod; do
    line=$(grep -E "(^|/)$want\\.ko(\\.xz)?:" "$moddir/modules.dep") || {
        echo "make-disk-initramfs: $want not in $moddir/modules.dep" >&2; exit 1; }
    deps=
    for d in ${line#*:}; do deps="$d $deps"; done
    for m in $deps ${line%%:*}; do
        case " $order " in *" $m "*) ;; *) order="$order $m" ;; esac
    done
done

root=$work/root
mkdir -p "$root/lib/disk" "$root/bin"
names=
for m in $order; do
    name=$(basename "$m" | sed 's/\.xz$//')
    case "$m" in
    *.xz) xz -dc "$moddir/$m" > "$root/lib/disk/$name" ;;
    *) cp "$moddir/$m" "$root/lib/disk/$name" ;;
    esac
    names="$names $name"
done
cat > "$root/bin/disk-up" <<UP
#!/bin/sh
# Load the disk drivers (dependencies first), then wait for the named
# disks (default: sda) to appear under /dev.
for m in$names; do insmod /lib/disk/\$m || echo "disk-up: insmod \$m failed"; done
# The IDE function must have been found by the boot-time PCI scan (it
# once went missing when doppel answered ACPI's PCI hotplug registers
# wrongly; devices/acpi_hotplug.c): no rescan to paper over a regression.
if [ ! -e /sys/bus/pci/devices/0000:00:01.1 ]; then
    echo "doppel-disk: FAIL: PCI 00:01.1 (IDE) not registered at boot"
    exit 1
fi
for d in \${*:-sda}; do
    i=0
    while [ ! -b /dev/\$d ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
    [ -b /dev/\$d ] || { echo "doppel-disk: no /dev/\$d"; exit 1; }
done
echo "doppel-disk: up"
UP
chmod +x "$root/bin/disk-up"
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -9n > "$work/disk.cpio.gz"
cat "$work/base.cpio.gz" "$work/disk.cpio.gz" > "$out.tmp"
mv "$out.tmp" "$out"
