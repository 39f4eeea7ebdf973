#!/bin/sh
# Boot test: direct Multiboot boot (-kernel/-initrd/-append through
# SeaBIOS and doppel's multiboot option ROM) of a kernel built from
# tests/guests/multiboot-test.asm, with two modules (one with arguments and
# an escaped ",," comma). The kernel prints "MULTIBOOT OK ..." on the debug
# console and exits through isa-debug-exit with 0x10 (status 33).
# Usage: boot-multiboot.sh BACKEND KERNEL
set -u
backend=$1
kernel=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 'doppel module 1\n' > "$dir/mod1"
printf 'module two\n' > "$dir/mod2"
# A time limit from coreutils if there is one (--timeout belongs to
# --expect scripts, and this test has none: the kernel's exit ends it).
limit=
command -v timeout > /dev/null && limit="timeout ${BOOT_TIMEOUT:-120}"
$limit ./doppel -nographic -m 128M -accel tcg,backend="$backend" -kernel "$kernel" \
    -initrd "$dir/mod1 first,,arg,$dir/mod2" -append "mb-test x=1" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -debugcon "file:$dir/out" \
    < /dev/null > "$dir/log" 2>&1
status=$?
out=$(cat "$dir/out" 2>/dev/null)
echo "$out"
fail() {
    echo "boot-multiboot: FAIL ($1; doppel exit status $status)" >&2
    tail -n 20 "$dir/log" >&2
    exit 1
}
[ "$status" -eq 33 ] || fail "isa-debug-exit status is not 33"
case "$out" in *"MULTIBOOT OK "*) ;; *) fail "no MULTIBOOT OK line" ;; esac
case "$out" in *"mods=2 cmdline='$kernel mb-test x=1'"*) ;; *) fail "modules/command line" ;; esac
case "$out" in *"mod0='doppel module 1' cmd='$dir/mod1 first,arg'"*) ;; *) fail "module 0" ;; esac
case "$out" in *"mod1='module two' cmd='$dir/mod2'"*) ;; *) fail "module 1" ;; esac
echo "boot-multiboot: PASS"
