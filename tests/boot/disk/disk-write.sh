#!/bin/sh
# make check: guest disk writes reach the image file, and -snapshot keeps
# them in memory. Boots guests-cache/hdd.img with a second raw disk (-hdb,
# 8 MiB of zeros); the guest writes "doppel-was-here\n" to that disk (found
# by its size: Linux's asynchronous SCSI scan may name either disk sda) at
# sector 3 (byte 1536), syncs, drops its page cache and reads the sector
# back through the IDE driver, then powers off. Without -snapshot the file
# must then equal zeros plus the pattern at offset 1536; with -snapshot the
# guest must still read its write back but the file must stay all zeros.
set -u
work=$(mktemp -d guests-cache/disk-write.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT
pattern='doppel-was-here'

run() {  # run [-snapshot]: boot, write the pattern, read it back, power off
    ./doppel -nographic -m 256M -accel tcg,backend="${DOPPEL_BACKEND:-native}" "$@" \
        -hda guests-cache/hdd.img -hdb "$work/data.img" --timeout "${BOOT_TIMEOUT:-600}" \
        --expect 'doppel-guest: shell ready' \
        --send 'disk-up sda sdb\n' --expect 'doppel-disk: up' \
        --send 'd=; for b in /sys/block/sd*; do [ "$(cat $b/size)" = 16384 ] && d=/dev/${b##*/}; done; echo "data d""isk: [$d]"\n' \
        --expect 'data disk: [/dev/sd' \
        --send "echo $pattern | dd of=\$d bs=512 seek=3 conv=notrunc 2>/dev/null; sync; echo 3 > /proc/sys/vm/drop_caches; echo \"back:\$(dd if=\$d bs=512 skip=3 count=1 2>/dev/null | head -c 15):\"\\n" \
        --expect "back:$pattern:" \
        --send 'poweroff\n'
}

zeros() {  # zeros FILE: 8 MiB of zero bytes
    dd if=/dev/zero of="$1" bs=1M count=8 2>/dev/null
}

# Expected image after the write: zeros with the pattern and its newline
# at byte 1536 (sector 3).
zeros "$work/expect.img"
printf '%s\n' "$pattern" | dd of="$work/expect.img" bs=1 seek=1536 conv=notrunc 2>/dev/null

zeros "$work/data.img"
run || { echo "disk-write: guest run failed" >&2; exit 1; }
cmp "$work/data.img" "$work/expect.img" || { echo "disk-write: write did not reach the image" >&2; exit 1; }

zeros "$work/data.img"
zeros "$work/zero.img"
run -snapshot || { echo "disk-write: -snapshot guest run failed" >&2; exit 1; }
cmp "$work/data.img" "$work/zero.img" || { echo "disk-write: -snapshot changed the image" >&2; exit 1; }
echo "disk-write: ok"
