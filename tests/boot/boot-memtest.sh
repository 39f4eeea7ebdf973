#!/bin/sh
# Boot test: memtest86+ from Debian's package shows its banner on the VGA
# screen and starts testing.
# Usage: boot-memtest.sh BACKEND ISO
set -u
exec ./doppel -display none -m 256M -accel tcg,backend="$1" -cdrom "$2" --timeout "${BOOT_TIMEOUT:-300}" \
    --expect-screen 'Memtest86+' --expect-screen 'Status: Testing'
