#!/bin/sh
# LOG_COMPILER of the AArch64 cross build's tests (make check-aarch64): runs
# an aarch64 program under qemu-aarch64 with the cross sysroot. A script
# test (which starts aarch64 programs itself) runs only where binfmt_misc
# hands aarch64 binaries to qemu; elsewhere it is skipped (exit 77).
prog=$1
if head -c 4 "$prog" 2>/dev/null | grep -q ELF; then
    exec ${QEMU_AARCH64:-qemu-aarch64} -L "${AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}" "$@"
fi
if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    exec "$@"
fi
echo "$prog: a script test; it needs binfmt_misc to start aarch64 programs (skipped)"
exit 77
