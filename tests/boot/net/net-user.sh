#!/bin/sh
# In-guest test of user networking: the guest loads its NIC driver, gets
# 10.0.2.15 by DHCP from libslirp and fetches a file over HTTP from a
# server on the host, reached through the host alias 10.0.2.2. Also writes
# a pcap dump and checks it holds frames. Not part of `make check` until
# the x86 CPU boots Linux.
# Usage: net-user.sh MODEL DOPPEL   (MODEL: e1000 or ne2k_pci; run from the build dir)
set -eu
model=${1:-e1000} doppel=${2:-./doppel}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
kernel=$(sh "$here/../../guests/find-kernel.sh")
sh "$here/make-net-initramfs.sh" "$kernel" "$work/initrd.gz"
sh "$here/../../guests/make-isolinux-iso.sh" "$kernel" "$work/initrd.gz" "$work/net.iso"

mkdir "$work/www"
token="doppel-http-$$-$(date +%s)"
echo "$token" > "$work/www/hello.txt"
port=$((20000 + $$ % 20000))
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
sleep 1

"$doppel" -nographic -m 256M -cdrom "$work/net.iso" \
    -nic "user,model=$model,dump=$work/net.pcap" --timeout "${BOOT_TIMEOUT:-900}" \
    --expect 'doppel-guest: shell ready' \
    --send 'net-up\n' --expect 'doppel-net: up' \
    --send "wget -q -O - http://10.0.2.2:$port/hello.txt\\n" --expect "$token" \
    --send 'poweroff\n'
# 24-byte header plus at least the DHCP exchange.
size=$(wc -c < "$work/net.pcap")
[ "$size" -gt 600 ] || { echo "net-user: pcap dump has only $size bytes" >&2; exit 1; }
echo "net-user ($model): ok"
