#!/bin/sh
# x86 system-architecture test kernels (tests/guests/systest/*.asm) on the
# real PC board, headless, with each translator backend. A kernel is a
# 64 KiB -bios image entered at the reset vector; it prints PASS/FAIL lines
# on the debug port 0xE9 and ends by writing V to isa-debug-exit (port
# 0xF4): V = 0 when every check passed, so doppel exits with status
# (0 << 1) | 1 = 1; V = 1 (status 3) when a check failed. A run passes when
# the status is 1 AND the debug log's last line is "ALL PASS" (status 1
# alone is ambiguous: --timeout also exits with 1).
#
# Usage: systest.sh [IMAGE...]   (default: guests-cache/systest/*.bin)
# Environment: SYSTEST_BACKENDS (default "interp native"), DOPPEL
# (default ./doppel), SYSTEST_TIMEOUT (seconds, default 20).
set -u
doppel=${DOPPEL:-./doppel}
backends=${SYSTEST_BACKENDS:-interp native}
limit=${SYSTEST_TIMEOUT:-20}
if [ $# -eq 0 ]; then
    set -- guests-cache/systest/*.bin
fi
[ -e "$1" ] || { echo "systest: no images ($1); run 'make systest-images'" >&2; exit 1; }
[ -x "$doppel" ] || { echo "systest: $doppel not found" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

runs=0
bad=0
for img in "$@"; do
    name=$(basename "$img" .bin)
    for b in $backends; do
        runs=$((runs + 1))
        log="$dir/$name-$b.log"
        "$doppel" -M pc -bios "$img" -display none -debugcon "file:$log" \
            -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot \
            --timeout "$limit" -accel tcg,backend="$b" < /dev/null > "$dir/stderr" 2>&1
        status=$?
        last=$(tail -n 1 "$log" 2>/dev/null)
        npass=$(grep -c '^PASS ' "$log" 2>/dev/null)
        nfail=$(grep -c '^FAIL ' "$log" 2>/dev/null)
        if [ "$status" -eq 1 ] && [ "$last" = "ALL PASS" ] && [ "$nfail" -eq 0 ]; then
            echo "PASS: $name ($b): $npass checks"
        else
            bad=$((bad + 1))
            echo "FAIL: $name ($b): exit status $status (want 1), last line '$last', $npass passed, $nfail failed"
            grep '^FAIL ' "$log" | sed 's/^/    /'
            sed 's/^/    doppel: /' "$dir/stderr" | tail -n 5
        fi
    done
done
echo "systest: $((runs - bad)) passed, $bad failed"
[ "$bad" -eq 0 ]
