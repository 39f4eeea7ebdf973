#!/bin/sh
# Build the busybox initramfs used by the demo and the boot tests, from
# Debian's busybox-static. /init mounts proc, sys and dev, prints a banner
# and the time to userspace, then busybox init gives a root shell on the
# console; `poweroff` powers the machine off through the kernel (ACPI S5).
# Usage: make-initramfs.sh OUT.cpio.gz
set -eu
out=$1
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "make-initramfs: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
file "$busybox" 2>/dev/null | grep -q 'statically linked' || ldd "$busybox" 2>&1 | grep -q 'not a dynamic' \
    || { echo "make-initramfs: $busybox is not static (install busybox-static)" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/etc/init.d" "$root/proc" "$root/sys" "$root/dev" \
         "$root/tmp" "$root/root" "$root/usr/bin" "$root/usr/sbin"
cp "$busybox" "$root/bin/busybox"
for app in $("$busybox" --list); do
    [ "$app" = busybox ] || ln -sf /bin/busybox "$root/bin/$app"
done

cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || mdev -s
echo
echo "doppel-guest: userspace up after $(cut -d' ' -f1 /proc/uptime) s"
exec /bin/init
INIT
chmod +x "$root/init"

cat > "$root/etc/inittab" <<'TAB'
::sysinit:/etc/init.d/rcS
::respawn:-/bin/cttyhack /bin/sh -l
::shutdown:/bin/sync
TAB
cat > "$root/etc/init.d/rcS" <<'RCS'
#!/bin/sh
hostname doppel
RUN=/proc/cmdline
# The benchmark image runs a fixed workload and powers off (bench/).
if grep -q 'doppel.bench' $RUN && [ -x /bench.sh ]; then /bench.sh; poweroff -f; fi
RCS
chmod +x "$root/etc/init.d/rcS"
cat > "$root/etc/profile" <<'PROF'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PS1='doppel:\w# '
echo "doppel-guest: shell ready"
PROF
cat > "$root/bench.sh" <<'BENCH'
#!/bin/sh
start=$(cut -d' ' -f1 /proc/uptime)
echo "doppel-bench: userspace $start"
i=0; s=0
while [ $i -lt 200000 ]; do s=$((s + i * 3 % 7)); i=$((i + 1)); done
end=$(cut -d' ' -f1 /proc/uptime)
echo "doppel-bench: loop sum=$s start=$start end=$end"
BENCH
chmod +x "$root/bench.sh"

tmp="$out.tmp"
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -9n > "$tmp"
mv "$tmp" "$out"
