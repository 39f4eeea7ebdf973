#!/bin/sh
# Manual benchmark (not in make check): guest-timed HTTP download through
# libslirp. Debian's kernel boots directly with the net initramfs, gets an
# address by DHCP, and busybox wget fetches a SIZE-MiB file from busybox
# httpd on the host (reached as 10.0.2.2) into /dev/null; the guest reads
# /proc/uptime before and after, and the host prints MiB/s. The console
# echoes the typed command, so the result markers are split by "" in the
# command and only whole in the shell's output.
# Usage: net-throughput.sh [MODEL...]  (default: e1000 ne2k_pci; run from the build dir)
# Environment: DOPPEL (./doppel), SIZE_MIB (64), BOOT_TIMEOUT (1200),
# DOPPEL_ARGS (extra options, e.g. "-accel tcg,backend=interp").
set -eu
[ $# -gt 0 ] || set -- e1000 ne2k_pci
doppel=${DOPPEL:-./doppel} size=${SIZE_MIB:-64} initrd=guests-cache/net-initramfs.cpio.gz
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
kernel=$(sh "$here/../../guests/find-kernel.sh")
[ -r "$initrd" ] || { initrd=$work/initrd.gz; sh "$here/make-net-initramfs.sh" "$kernel" "$initrd"; }

mkdir "$work/www"
head -c $((size * 1048576)) /dev/urandom > "$work/www/big.bin"
tries=0
while :; do
    port=$((20000 + ($$ * 7 + tries * 131) % 30000))
    busybox httpd -f -p "127.0.0.1:$port" -h "$work/www" 2>/dev/null &
    server=$!
    sleep 0.3
    kill -0 "$server" 2>/dev/null && break
    server=
    tries=$((tries + 1))
    [ $tries -lt 20 ] || { echo "net-throughput: cannot start busybox httpd" >&2; exit 1; }
done

for model; do
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$doppel" -nographic -m 256M -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyS0,115200 panic=-1 quiet" ${DOPPEL_ARGS:-} \
        -nic "user,model=$model" --timeout "${BOOT_TIMEOUT:-1200}" \
        --expect 'doppel-guest: shell ready' \
        --send 'net-up\n' --expect 'doppel-net: up' \
        --send "t0=\$(cut -d' ' -f1 /proc/uptime); wget -q -O /dev/null http://10.0.2.2:$port/big.bin; r=\$?; t1=\$(cut -d' ' -f1 /proc/uptime); echo RES\"\"ULT=\$r \$t0 \$t1 RES\"\"ULT-END\\n" \
        --expect 'RESULT-END' \
        --send 'poweroff\n' > "$work/console.log" 2>&1 || {
        echo "net-throughput ($model): doppel failed" >&2; tail -n 30 "$work/console.log" >&2; continue; }
    res=$(tr -d '\r' < "$work/console.log" |
          sed -n 's/^.*RESULT=\([0-9]*\) \([0-9.]*\) \([0-9.]*\) RESULT-END.*$/\1 \2 \3/p' | head -n 1)
    rc=${res%% *}
    if [ -z "$res" ] || [ "$rc" != 0 ]; then
        echo "net-throughput ($model): wget failed ('$res')" >&2; tail -n 20 "$work/console.log" >&2; continue
    fi
    echo "net-throughput ($model): $(echo "$res" | awk -v n="$size" \
        '{ printf "%d MiB in %.2f s guest time: %.2f MiB/s", n, $3 - $2, n / ($3 - $2) }')" \
        "($(( $(date +%s) - start )) s wall incl. boot; load $(cut -d' ' -f1-3 /proc/loadavg))"
done
