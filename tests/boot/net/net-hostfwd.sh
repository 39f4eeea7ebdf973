#!/bin/sh
# In-guest test of hostfwd: the guest listens on TCP 8080 with busybox nc;
# doppel forwards 127.0.0.1:HOSTPORT to it; the host connects and must read
# the guest's greeting (read with busybox nc; python3 is not needed).
# Boots Debian's kernel directly; acpiphp.disable=1 as in net-user.sh.
# Usage: net-hostfwd.sh MODEL DOPPEL
set -eu
model=${1:-e1000} doppel=${2:-./doppel}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
vm=
trap '[ -n "$vm" ] && kill "$vm" 2>/dev/null; rm -rf "$work"' EXIT
kernel=$(sh "$here/../../guests/find-kernel.sh")
sh "$here/make-net-initramfs.sh" "$kernel" "$work/initrd.gz"

hport=$((20000 + $$ % 20000))
greeting="doppel-hostfwd-$$"
"$doppel" -nographic -m 256M -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=ttyS0,115200 panic=-1 acpiphp.disable=1" \
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
        got=$(busybox nc -w 10 127.0.0.1 "$hport" </dev/null 2>/dev/null | tr -d '\r' | head -n 1 || true)
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
