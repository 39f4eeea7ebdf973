#!/bin/sh
# Build the networking initramfs for the in-guest network tests: the busybox
# initramfs of tests/guests/make-initramfs.sh plus a second cpio archive
# (the kernel unpacks concatenated archives in order) holding the NIC
# driver modules of Debian's kernel (e1000, 8390 + ne2k-pci, matching the
# booted kernel version), a udhcpc script (at /etc/udhcpc, where Debian's
# busybox looks, and passed with -s as well) that configures the interface,
# /bin/net-link which loads the drivers and brings eth0 up, and /bin/net-up
# which then runs DHCP on eth0.
# Usage: make-net-initramfs.sh KERNEL OUT.cpio.gz
set -eu
kernel=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
ver=$(basename "$kernel" | sed 's/^vmlinuz-//')
moddir=/lib/modules/$ver/kernel/drivers/net/ethernet
for m in intel/e1000/e1000.ko 8390/8390.ko 8390/ne2k-pci.ko; do
    [ -r "$moddir/$m" ] || [ -r "$moddir/$m.xz" ] || {
        echo "make-net-initramfs: $moddir/$m missing (apt-get install linux-image-$ver)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh "$here/../../guests/make-initramfs.sh" "$work/base.cpio.gz"

root=$work/root
mkdir -p "$root/lib/net" "$root/etc/udhcpc" "$root/bin"
for m in intel/e1000/e1000.ko 8390/8390.ko 8390/ne2k-pci.ko; do
    if [ -r "$moddir/$m" ]; then cp "$moddir/$m" "$root/lib/net/"
    else xz -dc "$moddir/$m.xz" > "$root/lib/net/$(basename "$m")"; fi
done
cat > "$root/etc/udhcpc/default.script" <<'DHCP'
#!/bin/sh
# udhcpc hook: configure the lease (busybox udhcpc passes it in variables).
case "$1" in
deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    echo "doppel-net: lease $ip via $router" ;;
esac
exit 0
DHCP
chmod +x "$root/etc/udhcpc/default.script"
cat > "$root/bin/net-link" <<'LINK'
#!/bin/sh
# Load the NIC drivers and bring lo and eth0 up (no address on eth0).
for m in e1000 8390 ne2k-pci; do insmod /lib/net/$m.ko 2>/dev/null; done
ip link set lo up
i=0
while ! ip link show eth0 >/dev/null 2>&1 && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ip link set eth0 up
LINK
cat > "$root/bin/net-up" <<'UP'
#!/bin/sh
# net-link, then an address for eth0 by DHCP.
net-link
udhcpc -i eth0 -n -q -t 10 -T 2 -s /etc/udhcpc/default.script && echo "doppel-net: up"
UP
chmod +x "$root/bin/net-link" "$root/bin/net-up"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$work/net.cpio.gz"
cat "$work/base.cpio.gz" "$work/net.cpio.gz" > "$out.tmp"
mv "$out.tmp" "$out"
