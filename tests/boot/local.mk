# tests/boot/ — boot tests of real guests built from Debian packages
# (included by tests/local.mk). Images come from tests/guests/local.mk.
check_DATA += $(GUEST_DIR)/demo.iso $(GUEST_DIR)/grub.iso $(GUEST_DIR)/memtest.iso \
	$(GUEST_DIR)/initramfs.cpio.gz
BOOT_TESTS = tests/boot/linux-isolinux.sh tests/boot/linux-grub.sh tests/boot/linux-kernel.sh \
	tests/boot/memtest.sh
TESTS += $(BOOT_TESTS)
EXTRA_DIST += $(BOOT_TESTS) tests/boot/boot-linux.sh tests/boot/boot-memtest.sh
