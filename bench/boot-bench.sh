#!/bin/sh
# Boot-and-compute benchmark, doppel vs qemu-system-x86_64 -accel tcg, side
# by side on the same ISO (guests-cache/bench.iso: Debian's kernel and a
# busybox /init that runs a fixed 200,000-iteration shell loop and powers
# off). Runs alternate between the two emulators; every figure is measured
# on the host by timestamping the guest's marker lines on the serial console.
# Prints medians and the doppel/QEMU ratios, plus the same loop run natively.
# Usage: bench/boot-bench.sh [RUNS] [DOPPEL] [ISO]
set -eu
runs=${1:-3}
doppel=${2:-./doppel}
iso=${3:-guests-cache/bench.iso}
qemu=$(command -v qemu-system-x86_64 || true)
[ -x "$doppel" ] || { echo "boot-bench: $doppel not built" >&2; exit 2; }
[ -r "$iso" ] || { echo "boot-bench: $iso missing (make guests-cache/bench.iso)" >&2; exit 2; }
[ -n "$qemu" ] || { echo "boot-bench: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)" >&2; exit 2; }

now() { date +%s.%N; }

# run_one NAME CMD...: prints "total userspace loop" in seconds
run_one() {
    name=$1; shift
    log=$(mktemp)
    t0=$(now)
    "$@" 2>/dev/null </dev/null | while IFS= read -r line; do
        printf '%s %s\n' "$(now)" "$line"
    done > "$log"
    t1=$(now)
    awk -v t0="$t0" -v t1="$t1" -v name="$name" '
        /doppel-bench: userspace/ && !u { u = $1 }
        /doppel-bench: loop sum=/ { l = $1 }
        END {
            if (!u || !l) { printf "boot-bench: %s did not finish the workload\n", name > "/dev/stderr"; exit 1 }
            printf "%.3f %.3f %.3f\n", t1 - t0, u - t0, l - u
        }' "$log"
    rm -f "$log"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

d=$(mktemp); q=$(mktemp)
trap 'rm -f "$d" "$q"' EXIT
i=0
while [ $i -lt "$runs" ]; do
    run_one doppel "$doppel" -nographic -m 256M -cdrom "$iso" >> "$d"
    run_one qemu "$qemu" -accel tcg -nographic -m 256M -cdrom "$iso" -no-reboot >> "$q"
    i=$((i + 1))
done

# The same loop natively, with the same busybox.
n0=$(now)
busybox sh -c 'i=0; s=0; while [ $i -lt 200000 ]; do s=$((s + i * 3 % 7)); i=$((i + 1)); done; echo $s' >/dev/null
n1=$(now)
native=$(awk -v a="$n0" -v b="$n1" 'BEGIN { printf "%.3f", b - a }')

printf '%-22s %10s %10s %10s\n' "median of $runs runs (s)" doppel qemu-tcg ratio
for col in 1 2 3; do
    case $col in 1) label="total wall time";; 2) label="time to userspace";; 3) label="shell loop";; esac
    dv=$(cut -d' ' -f$col "$d" | median)
    qv=$(cut -d' ' -f$col "$q" | median)
    printf '%-22s %10s %10s %10s\n' "$label" "$dv" "$qv" "$(awk -v a="$dv" -v b="$qv" 'BEGIN { printf "%.2f", a / b }')"
done
dl=$(cut -d' ' -f3 "$d" | median)
printf '%-22s %10s   (doppel/native loop ratio %s)\n' "native loop" "$native" \
    "$(awk -v a="$dl" -v b="$native" 'BEGIN { printf "%.1f", a / b }')"
