#!/bin/sh
# Print the path of Debian's stock amd64 kernel (package linux-image-amd64).
k=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1)
[ -n "$k" ] || { echo "find-kernel: no /boot/vmlinuz-*-amd64 (apt-get install linux-image-amd64)" >&2; exit 1; }
echo "$k"
