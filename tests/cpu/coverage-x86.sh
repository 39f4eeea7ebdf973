#!/bin/sh
# make coverage-x86: a table of every opcode form in cpu/x86/x86_opcodes.def
# (one line per table entry; groups are one entry), whether doppel
# implements it, and which oracle tests it:
#   x86diff  - random sequences compared with the host CPU (64-bit mode)
#   sst      - SingleStepTests 80286 hardware captures (real mode, one-byte map)
#   sse-host - tests/unit/test_sse_host.c compares with the host CPU
#   unit     - only hand-written unit tests / guest test kernels
# Usage: coverage-x86.sh SRCDIR [SST_DIR] > coverage-x86.md
src=${1:-.}
sst=${2:-$src/../shared/oracles/80286-real}
def=$src/cpu/x86/x86_opcodes.def
x86diff=./tests/cpu/x86diff
printf '| map | opcode | mnemonic | handler | implemented | oracle |\n|---|---|---|---|---|---|\n'
total=0; diffed=0; ssted=0; ssehost=0; unitonly=0
grep '^X86_OPC(' "$def" | sed 's/X86_OPC(//; s/).*//; s/"//g; s/ //g' > /tmp/cov.$$
while IFS=, read -r map opc mnem handler rest; do
    total=$((total + 1))
    oracle=""
    if [ -x "$x86diff" ] && "$x86diff" -only "$mnem" -n 1 -backend interp >/dev/null 2>&1; then
        oracle="x86diff"; diffed=$((diffed + 1))
    fi
    hex=$(printf '%02X' "$opc")
    if [ "$map" = 0 ] && { [ -f "$sst/$hex.MOO.gz" ] || [ -f "$sst/$hex.0.MOO.gz" ]; }; then
        oracle="${oracle:+$oracle, }sst"; ssted=$((ssted + 1))
    fi
    case $handler in sse_*|x86_gen_sse*|sse)
        oracle="${oracle:+$oracle, }sse-host"; ssehost=$((ssehost + 1));;
    esac
    [ -n "$oracle" ] || { oracle="unit"; unitonly=$((unitonly + 1)); }
    mapname=$(case $map in 0) echo 1-byte;; 1) echo 0F;; 2) echo 0F38;; 3) echo 0F3A;; esac)
    printf '| %s | %s | %s | %s | yes | %s |\n' "$mapname" "$hex" "$mnem" "$handler" "$oracle"
done < /tmp/cov.$$
rm -f /tmp/cov.$$
printf '\n%d table entries, all implemented; x86diff %d, sst %d, sse-host %d, unit tests only %d\n' \
    "$total" "$diffed" "$ssted" "$ssehost" "$unitonly"
