#!/bin/sh
# In-guest test of user networking: Debian's kernel boots directly
# (-kernel/-initrd) with the net initramfs (make-net-initramfs.sh), loads
# the NIC driver, gets 10.0.2.15 by DHCP from libslirp and fetches a file
# over HTTP from busybox httpd on the host, reached through the host alias
# 10.0.2.2. Also writes a pcap dump and checks it holds frames.
# Usage: net-user.sh MODEL [DOPPEL] [INITRD]  (MODEL: e1000 or ne2k_pci; run from the build dir)
set -eu
model=${1:-e1000} doppel=${2:-./doppel} initrd=${3:-guests-cache/net-initramfs.cpio.gz}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
kernel=$(sh "$here/../../guests/find-kernel.sh")
[ -r "$initrd" ] || { initrd=$work/initrd.gz; sh "$here/make-net-initramfs.sh" "$kernel" "$initrd"; }

mkdir "$work/www"
token="doppel-http-$$-$(date +%s)"
echo "$token" > "$work/www/hello.txt"
# busybox httpd on a free port: retry with another port if the bind fails.
tries=0
while :; do
    port=$((20000 + ($$ * 7 + tries * 131) % 30000))
    busybox httpd -f -p "127.0.0.1:$port" -h "$work/www" 2>/dev/null &
    server=$!
    sleep 0.3
    kill -0 "$server" 2>/dev/null && break
    server=
    tries=$((tries + 1))
    [ $tries -lt 20 ] || { echo "net-user: cannot start busybox httpd" >&2; exit 1; }
done

"$doppel" -nographic -m 256M -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0,115200 panic=-1" \
    -nic "user,model=$model,dump=$work/net.pcap" --timeout "${BOOT_TIMEOUT:-600}" \
    --expect 'doppel-guest: shell ready' \
    --send 'net-up\n' --expect 'doppel-net: up' \
    --send "wget -q -O - http://10.0.2.2:$port/hello.txt\\n" --expect "$token" \
    --send 'poweroff\n' > "$work/console.log" 2>&1 || {
    echo "net-user ($model): doppel failed" >&2; cat "$work/console.log" >&2; exit 1; }
# 24-byte header plus at least the DHCP exchange.
size=$(wc -c < "$work/net.pcap")
[ "$size" -gt 600 ] || { echo "net-user: pcap dump has only $size bytes" >&2; exit 1; }
echo "net-user ($model): ok"
