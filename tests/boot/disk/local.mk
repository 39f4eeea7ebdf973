# tests/boot/disk/ — hard-disk tests (included by tests/local.mk): an MBR +
# SYSLINUX + FAT16 disk image built at test time from Debian packages
# (mtools, syslinux, syslinux-common, fdisk), booted from -hda, and a
# write-persistence test on a second disk with and without -snapshot.
DISK_MAKERS = tests/boot/disk/make-hdd-image.sh tests/boot/disk/make-disk-initramfs.sh
DISK_TESTS = tests/boot/disk/disk-boot.sh tests/boot/disk/disk-write.sh
EXTRA_DIST += $(DISK_MAKERS) $(DISK_TESTS)
TESTS += $(DISK_TESTS)
check_DATA += $(GUEST_DIR)/hdd.img

# The busybox initramfs plus the ata_piix/sd_mod modules and /bin/disk-up.
$(GUEST_DIR)/initramfs-disk.cpio.gz: $(srcdir)/tests/boot/disk/make-disk-initramfs.sh \
		$(srcdir)/tests/guests/make-initramfs.sh /bin/busybox $(GUEST_KERNEL)
	@$(MKDIR_P) $(GUEST_DIR)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/boot/disk/make-disk-initramfs.sh \
		"$$($(SHELL) $(srcdir)/tests/guests/find-kernel.sh)" $@

$(GUEST_DIR)/hdd.img: $(srcdir)/tests/boot/disk/make-hdd-image.sh $(GUEST_DIR)/initramfs-disk.cpio.gz $(GUEST_KERNEL)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/boot/disk/make-hdd-image.sh \
		"$$($(SHELL) $(srcdir)/tests/guests/find-kernel.sh)" $(GUEST_DIR)/initramfs-disk.cpio.gz $@

# Just the disk tests: make check-disk
check-disk: doppel$(EXEEXT) $(GUEST_DIR)/hdd.img
	$(SHELL) $(srcdir)/tests/boot/disk/disk-boot.sh
	$(SHELL) $(srcdir)/tests/boot/disk/disk-write.sh

.PHONY: check-disk
