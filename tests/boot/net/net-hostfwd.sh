#!/bin/sh
# In-guest test of hostfwd: the guest listens on TCP 8080 with busybox nc;
# doppel forwards 127.0.0.1:HOSTPORT to it; the host connects and must read
# the guest's greeting. Not part of `make check` until the x86 CPU boots
# Linux.
# Usage: net-hostfwd.sh MODEL DOPPEL
set -eu
model=${1:-e1000} doppel=${2:-./doppel}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
vm=
trap '[ -n "$vm" ] && kill "$vm" 2>/dev/null; rm -rf "$work"' EXIT
kernel=$(sh "$here/../../guests/find-kernel.sh")
sh "$here/make-net-initramfs.sh" "$kernel" "$work/initrd.gz"
sh "$here/../../guests/make-isolinux-iso.sh" "$kernel" "$work/initrd.gz" "$work/net.iso"

hport=$((20000 + $$ % 20000))
greeting="doppel-hostfwd-$$"
"$doppel" -nographic -m 256M -cdrom "$work/net.iso" \
    -nic "user,model=$model,hostfwd=tcp:127.0.0.1:$hport-:8080" --timeout "${BOOT_TIMEOUT:-900}" \
    --expect 'doppel-guest: shell ready' \
    --send 'net-up\n' --expect 'doppel-net: up' \
    --send "echo doppel-net: listening; echo $greeting | nc -l -p 8080; echo doppel-net: served\\n" \
    --expect 'doppel-net: served' \
    --send 'poweroff\n' > "$work/console.log" 2>&1 &
vm=$!
got=
i=0
while [ $i -lt "${BOOT_TIMEOUT:-900}" ] && kill -0 "$vm" 2>/dev/null; do
    if grep -q 'doppel-net: listening' "$work/console.log"; then
        got=$(python3 -c "
import socket, sys
s = socket.create_connection(('127.0.0.1', $hport), timeout=10)
print(s.recv(256).decode(errors='replace').strip())" 2>/dev/null || true)
        [ -n "$got" ] && break
    fi
    sleep 1
    i=$((i + 1))
done
wait "$vm"
status=$?
vm=
[ "$got" = "$greeting" ] || { echo "net-hostfwd: read '$got', want '$greeting'" >&2; exit 1; }
[ "$status" -eq 0 ] || { echo "net-hostfwd: doppel exited $status" >&2; cat "$work/console.log" >&2; exit 1; }
echo "net-hostfwd ($model): ok"
