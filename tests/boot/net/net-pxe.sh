#!/bin/sh
# In-guest PXE boot of the Debian installer: SeaBIOS runs the NIC's iPXE
# option ROM (Debian's ipxe-qemu, published by doppel as fw_cfg file
# "pciVVVV,DDDD.rom" because the boot order is 'n'), iPXE gets an address
# and the boot file name by DHCP from libslirp and TFTP-boots pxelinux.0
# from Debian's debian-installer-12-netboot-amd64 netboot directory;
# pxelinux loads the installer's kernel and initrd over TFTP (through iPXE's
# PXE API) and boots it.
# The package's own menu talks to the VGA screen only, so the test serves a
# temporary TFTP root that links the package's files and adds its own
# pxelinux.cfg/default: serial console, no menu, the installer's kernel
# with console=ttyS0. pxelinux's banner and "Loading" lines show on COM1. It checks that the kernel which boots is the
# installer's (its version string, read from the bzImage header, must
# appear in the "Linux version" line) and that the installer's initrd runs
# (its /lib/debian-installer-startup.d/S10syslog prints "Starting system log
# daemon: syslogd, klogd."). Skips (77) without the ROM or the package.
# Usage: net-pxe.sh MODEL [DOPPEL]  (MODEL: e1000 or ne2k_pci; run from the build dir)
set -eu
model=${1:-e1000} doppel=${2:-./doppel}
[ -r "/usr/lib/ipxe/qemu/pxe-$model.rom" ] || [ -r "/usr/lib/ipxe/qemu/efi-$model.rom" ] || {
    echo "net-pxe: SKIP: no iPXE ROM for $model in /usr/lib/ipxe/qemu (apt-get install ipxe-qemu)" >&2
    exit 77; }
netboot=${NETBOOT_DIR:-}
if [ -z "$netboot" ]; then
    pxe=$(dpkg -L debian-installer-12-netboot-amd64 2>/dev/null | grep '/text/pxelinux\.0$' | head -n 1 || true)
    netboot=${pxe%/pxelinux.0}
    [ -n "$netboot" ] || netboot=/usr/lib/debian-installer/images/12/amd64/text
fi
di=$netboot/debian-installer/amd64
for f in pxelinux.0 ldlinux.c32 debian-installer/amd64/linux debian-installer/amd64/initrd.gz; do
    [ -r "$netboot/$f" ] || {
        echo "net-pxe: SKIP: no $netboot/$f (apt-get install debian-installer-12-netboot-amd64)" >&2
        exit 77; }
done

# The kernel's version string (boot protocol header: 16-bit pointer at
# 0x20e, relative to 0x200; Documentation/x86/boot.rst "kernel_version").
vptr=$(od -An -j 526 -N 2 -tu2 "$di/linux" | tr -d ' ')
kver=$(dd if="$di/linux" bs=1 skip=$((vptr + 512)) count=200 2>/dev/null | tr '\000' '\n' | head -n 1)
release=${kver%% *}
build=${kver#* (*) }    # "#1 SMP PREEMPT_DYNAMIC Debian ..."
case $release in 6.1.*) ;; *)
    echo "net-pxe: cannot read the kernel version of $di/linux (got '$kver')" >&2; exit 1 ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tftp=$work/tftp
mkdir -p "$tftp/pxelinux.cfg"
ln -s "$netboot/pxelinux.0" "$netboot/ldlinux.c32" "$tftp/"
ln -s "$netboot/debian-installer" "$tftp/debian-installer"
cat > "$tftp/pxelinux.cfg/default" <<'CFG'
serial 0 115200
default install
prompt 0
timeout 0
label install
  kernel debian-installer/amd64/linux
  append initrd=debian-installer/amd64/initrd.gz console=ttyS0,115200 panic=-1
CFG

status=0
"$doppel" -nographic -m 512M -boot n \
    -nic "user,model=$model,tftp=$tftp,bootfile=pxelinux.0" --timeout "${BOOT_TIMEOUT:-600}" \
    --expect 'PXELINUX ' --expect 'Loading debian-installer/amd64/initrd.gz' \
    --expect "Linux version $release (" \
    --expect 'Starting system log daemon: syslogd, klogd.' > "$work/console.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    echo "net-pxe ($model): doppel exited $status" >&2; cat "$work/console.log" >&2; exit 1
fi
grep "Linux version $release (" "$work/console.log" | grep -qF "$build" || {
    echo "net-pxe ($model): the booted kernel is not $kver" >&2; cat "$work/console.log" >&2; exit 1; }
echo "net-pxe ($model): ok, booted $release ($build)"
