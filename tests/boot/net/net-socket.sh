#!/bin/sh
# make check: two doppel VMs on one Ethernet segment through the socket
# back-end, no host network involved: VM A (e1000) listens on a loopback
# TCP port with -netdev socket,listen=, VM B (ne2k_pci) connects to it;
# each guest sets a static address and B must get 3 ping replies from A.
# A listen port that turns out to be taken makes doppel A exit at once
# (one error line); the test then retries with another port.
# Usage: net-socket.sh [DOPPEL] [INITRD]   (run from the build dir)
set -eu
doppel=${1:-./doppel} initrd=${2:-guests-cache/net-initramfs.cpio.gz}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
vm=
trap '[ -n "$vm" ] && kill "$vm" 2>/dev/null; rm -rf "$work"' EXIT
kernel=$(sh "$here/../../guests/find-kernel.sh")
[ -r "$initrd" ] || { initrd=$work/initrd.gz; sh "$here/make-net-initramfs.sh" "$kernel" "$initrd"; }
timeout=${BOOT_TIMEOUT:-600}

. "$here/free-port.sh"
# Load the drivers, bring eth0 up with a static address (no DHCP here).
up() {
    printf '%s' "net-link; ip addr add $1/24 dev eth0"
}

tries=0
while :; do
    port=$(free_port)
    : > "$work/a.log"
    # A stays up until B has pinged it (B powers off first; A's poweroff
    # comes after its sleep, or when the test kills it).
    "$doppel" -nographic -m 256M -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0,115200 panic=-1" \
        -netdev "socket,id=n0,listen=127.0.0.1:$port" -device e1000,netdev=n0,mac=52:54:00:00:77:01 \
        --timeout "$timeout" --expect 'doppel-guest: shell ready' \
        --send "$(up 192.168.77.1); echo doppel-net: A-re\"\"ady\\n" --expect 'doppel-net: A-ready' \
        --send 'sleep 600; poweroff\n' > "$work/a.log" 2>&1 &
    vm=$!
    sleep 1
    if kill -0 "$vm" 2>/dev/null; then
        break
    fi
    wait "$vm" || true
    vm=
    tries=$((tries + 1))
    [ $tries -lt 10 ] || { echo "net-socket: doppel A did not start:" >&2; cat "$work/a.log" >&2; exit 1; }
done

status=0
"$doppel" -nographic -m 256M -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0,115200 panic=-1" \
    -netdev "socket,id=n0,connect=127.0.0.1:$port" -device ne2k_pci,netdev=n0,mac=52:54:00:00:77:02 \
    --timeout "$timeout" --expect 'doppel-guest: shell ready' \
    --send "$(up 192.168.77.2); ping -c 3 -W 5 192.168.77.1; echo doppel-net: ping-st\"\"atus=\$?\\n" \
    --expect 'doppel-net: ping-status=' \
    --send 'poweroff\n' > "$work/b.log" 2>&1 || status=$?
kill "$vm" 2>/dev/null || true
wait "$vm" 2>/dev/null || true
vm=
if [ $status -ne 0 ] || ! grep -q 'doppel-net: ping-status=0' "$work/b.log" \
        || [ "$(grep -c 'bytes from 192.168.77.1' "$work/b.log")" -ne 3 ]; then
    echo "net-socket: VM B (ne2k_pci, connect) did not get 3 replies from VM A (e1000, listen); status $status" >&2
    echo "--- VM B console:" >&2; tail -40 "$work/b.log" >&2
    echo "--- VM A console:" >&2; tail -20 "$work/a.log" >&2
    exit 1
fi
grep 'bytes from\|packet loss' "$work/b.log"
echo "net-socket: ok"
