#!/bin/sh
# make check-aarch64 (tests/aarch64/local.mk): test the native AArch64
# backend on an x86-64 machine with Debian's cross toolchain and qemu-user.
#  1. configure (once) and build a cross tree in $builddir/build-aarch64,
#     out of tree from $srcdir (from a clean copy of the sources when
#     $srcdir itself is configured in place: configure refuses to share it,
#     and VPATH would pick up its x86-64 objects);
#  2. run its unit tests under qemu-aarch64 (test_ir_random among them:
#     the AArch64 backend against the interpreter), plus a longer
#     test_ir_random run;
#  3. record x86diff sequences with their final states natively on this
#     x86-64 host and replay them in the cross build on the interpreter and
#     the AArch64 backend: every final state must match;
#  4. boot the demo ISO (SeaBIOS -> ISOLINUX -> Debian's kernel -> busybox,
#     tests/boot/boot-linux.sh) with the AArch64 doppel on its native
#     backend (about 2 minutes here).
# Skips (exit 0, with a message) when aarch64-linux-gnu-gcc or qemu-aarch64
# is missing. Environment: srcdir, builddir (absolute), MAKE.
# qemu-aarch64 before 8.1 misses writes to double-mapped code (it ignores
# IC IVAU), hence DOPPEL_CODE_SYNC=mprotect (cpu/host/code_buffer.c); Check
# runs without fork (CK_FORK=no): its fork mode hangs under qemu-user 7.2.
set -e
: "${srcdir:?}" "${builddir:?}" "${MAKE:=make}"
host=aarch64-linux-gnu
sysroot=/usr/$host
if ! command -v $host-gcc >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
    echo "check-aarch64: skipped: $host-gcc or qemu-aarch64 not installed (see ./bootstrap)"
    exit 0
fi
# The cross tree is a separate build: keep the calling make's variables
# (TESTS=..., -j jobserver) out of it.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
start=$(date +%s)
step() { echo "check-aarch64: [$(( $(date +%s) - start ))s] $*"; }

out=$builddir/build-aarch64
mkdir -p "$out"
src=$srcdir
if [ -f "$srcdir/config.status" ]; then
    # Clean copy of the sources: tracked and untracked-but-not-ignored
    # files (no ELF binaries) plus the generated autotools files.
    src=$out/src
    step "copying the sources to $src"
    mkdir -p "$src"
    (cd "$srcdir" && {
        if git rev-parse --git-dir >/dev/null 2>&1; then
            git ls-files -co --exclude-standard
        else
            find . \( -path './build*' -o -name .deps -o -name autom4te.cache -o -name .git \
                -o -path ./guests-cache \) -prune -o -type f ! -name '*.[oa]' ! -name Makefile \
                ! -path ./config.status ! -path ./config.log ! -path ./config.h ! -path ./stamp-h1 \
                ! -name '*.log' ! -name '*.trs' -print | sed 's|^\./||'
        fi
        ls configure aclocal.m4 config.h.in 2>/dev/null
        find build-aux m4 -type f 2>/dev/null
        find . -name Makefile.in -not -path './build*' | sed 's|^\./||'
    } | sort -u | while read -r f; do
        [ -f "$f" ] && ! head -c 4 "$f" | grep -q ELF && printf '%s\n' "$f"
    done | tar -cf - -T - | (cd "$src" && tar -xf -))
fi
tree=$out/tree
mkdir -p "$tree"
if [ ! -f "$tree/Makefile" ] || [ "$src/configure" -nt "$tree/config.status" ]; then
    step "configuring $tree (--host=$host --without-sdl)"
    (cd "$tree" && PKG_CONFIG_LIBDIR=/usr/lib/$host/pkgconfig:/usr/share/pkgconfig \
        "$src/configure" -q --host=$host --without-sdl)
fi
step "building the cross tree"
$MAKE -C "$tree" -s -j2 check TESTS= DOPPEL_NO_CHECK_AARCH64=1 >"$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }

export DOPPEL_CODE_SYNC=mprotect CK_FORK=no QEMU_AARCH64=qemu-aarch64 AARCH64_SYSROOT=$sysroot
qemu="qemu-aarch64 -L $sysroot"
step "unit tests under qemu-aarch64"
$MAKE -C "$tree" -s check-unit LOG_COMPILER="$srcdir/tests/aarch64/run-under-qemu.sh" \
    || { cat "$tree"/tests/unit/*.log | grep -v '^PASS' | tail -40; exit 1; }

step "test_ir_random: AArch64 backend vs the interpreter, 30000 blocks"
$qemu "$tree/tests/unit/test_ir_random" -n 30000 -seed 1000000

corpus=$out/x86diff.corpus
step "x86diff: recording on this host"
record() {
    "$builddir/tests/cpu/x86diff" "$@" -backend native -reports 3 >"$out/record.log" \
        || { tail -30 "$out/record.log"; exit 1; }
    tail -1 "$out/record.log"
}
record -n 5000 -seed 7 -record "$corpus.mixed"
record -each -n 40 -seed 7 -record "$corpus.each"
step "x86diff: replaying in the AArch64 build (interpreter and AArch64 backend)"
$qemu "$tree/tests/cpu/x86diff" -replay "$corpus.mixed" -backend both -reports 3
$qemu "$tree/tests/cpu/x86diff" -replay "$corpus.each" -backend both -reports 3
step "ISO boot: SeaBIOS -> ISOLINUX -> Linux -> busybox in the AArch64 build"
printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$qemu" "$tree/doppel" >"$out/doppel-aarch64"
chmod +x "$out/doppel-aarch64"
boot_start=$(date +%s)
(cd "$builddir" && DOPPEL="$out/doppel-aarch64" BOOT_TIMEOUT=1200 \
    sh "$srcdir/tests/boot/boot-linux.sh" native -cdrom guests-cache/demo.iso) >"$out/boot.log" 2>&1 \
    || { tail -40 "$out/boot.log"; echo "check-aarch64: the ISO boot failed (log: $out/boot.log)"; exit 1; }
step "ISO boot passed in $(( $(date +%s) - boot_start )) s; done"
