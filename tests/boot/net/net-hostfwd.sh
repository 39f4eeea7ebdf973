#!/bin/sh
# In-guest test of hostfwd: the guest listens on TCP 8080 with busybox nc;
# doppel forwards 127.0.0.1:HOSTPORT to it; the host connects and must read
# the guest's greeting (read with busybox nc; python3 is not needed).
# Boots Debian's kernel directly with the net initramfs, as net-user.sh.
# Host port: a free one asked from the kernel (python3, when present) or a
# pseudo-random one; doppel refuses to start when it cannot listen on it,
# and then the test retries with another port, so concurrent runs
# (make -j) cannot collide.
# The console echoes what the test types, so the markers the test waits for
# are split by "" in the typed command and only whole in the shell's output.
# Usage: net-hostfwd.sh MODEL [DOPPEL] [INITRD]  (MODEL: e1000 or ne2k_pci; run from the build dir)
set -eu
model=${1:-e1000} doppel=${2:-./doppel} initrd=${3:-guests-cache/net-initramfs.cpio.gz}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
vm=
trap '[ -n "$vm" ] && kill "$vm" 2>/dev/null; rm -rf "$work"' EXIT
kernel=$(sh "$here/../../guests/find-kernel.sh")
[ -r "$initrd" ] || { initrd=$work/initrd.gz; sh "$here/make-net-initramfs.sh" "$kernel" "$initrd"; }
timeout=${BOOT_TIMEOUT:-600}

. "$here/free-port.sh"

greeting="doppel-hostfwd-$$-$(date +%s)"
tries=0
while :; do
    hport=$(free_port)
    : > "$work/console.log"
    "$doppel" -nographic -m 256M -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyS0,115200 panic=-1" \
        -nic "user,model=$model,hostfwd=tcp:127.0.0.1:$hport-:8080" --timeout "$timeout" \
        --expect 'doppel-guest: shell ready' \
        --send 'net-up\n' --expect 'doppel-net: up' \
        --send "echo doppel-net: list\"\"ening; echo $greeting | nc -l -p 8080; echo doppel-net: ser\"\"ved\\n" \
        --expect 'doppel-net: served' \
        --send 'poweroff\n' > "$work/console.log" 2>&1 &
    vm=$!
    # The forward is set up before the guest starts: once the guest kernel
    # prints anything, the port is ours.
    i=0
    while kill -0 "$vm" 2>/dev/null && ! grep -q 'Linux version' "$work/console.log" && [ $i -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -0 "$vm" 2>/dev/null && break
    status=0
    wait "$vm" || status=$?
    vm=
    tries=$((tries + 1))
    if ! grep -q 'cannot listen' "$work/console.log" || [ $tries -ge 10 ]; then
        echo "net-hostfwd ($model): doppel exited $status before the guest ran" >&2
        cat "$work/console.log" >&2
        exit 1
    fi
    echo "net-hostfwd ($model): host port $hport is taken, retrying" >&2
done

got=
i=0
while [ $i -lt "$timeout" ] && kill -0 "$vm" 2>/dev/null; do
    if grep -q 'doppel-net: listening' "$work/console.log"; then
        got=$(busybox nc -w 10 127.0.0.1 "$hport" </dev/null 2>/dev/null | tr -d '\r' | head -n 1 || true)
        [ -n "$got" ] && break
    fi
    sleep 1
    i=$((i + 1))
done
status=0
wait "$vm" || status=$?
vm=
[ "$got" = "$greeting" ] || {
    echo "net-hostfwd ($model): read '$got' from port $hport, want '$greeting'" >&2
    cat "$work/console.log" >&2; exit 1; }
[ "$status" -eq 0 ] || { echo "net-hostfwd ($model): doppel exited $status" >&2; cat "$work/console.log" >&2; exit 1; }
grep -q 'doppel-net: served' "$work/console.log" || {
    echo "net-hostfwd ($model): the guest's nc did not finish" >&2; cat "$work/console.log" >&2; exit 1; }
echo "net-hostfwd ($model): ok (host port $hport)"
