# tests/guests/ — guest images built at test time from Debian packages,
# cached in the build tree (guests-cache/) and rebuilt when a script, the
# kernel or busybox changes. Nothing here is committed as a binary.
GUEST_DIR = guests-cache
GUEST_KERNEL = $(lastword $(sort $(wildcard /boot/vmlinuz-*-amd64)))
GUEST_MAKERS = tests/guests/make-initramfs.sh tests/guests/make-isolinux-iso.sh \
	tests/guests/make-grub-iso.sh tests/guests/find-kernel.sh tests/guests/make-memtest-iso.sh
EXTRA_DIST += $(GUEST_MAKERS)

$(GUEST_DIR)/initramfs.cpio.gz: $(srcdir)/tests/guests/make-initramfs.sh /bin/busybox
	@$(MKDIR_P) $(GUEST_DIR)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/guests/make-initramfs.sh $@

$(GUEST_DIR)/demo.iso: $(srcdir)/tests/guests/make-isolinux-iso.sh $(GUEST_DIR)/initramfs.cpio.gz $(GUEST_KERNEL)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/guests/make-isolinux-iso.sh \
		"$$($(SHELL) $(srcdir)/tests/guests/find-kernel.sh)" $(GUEST_DIR)/initramfs.cpio.gz $@

$(GUEST_DIR)/bench.iso: $(srcdir)/tests/guests/make-isolinux-iso.sh $(GUEST_DIR)/initramfs.cpio.gz $(GUEST_KERNEL)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/guests/make-isolinux-iso.sh \
		"$$($(SHELL) $(srcdir)/tests/guests/find-kernel.sh)" $(GUEST_DIR)/initramfs.cpio.gz $@ "quiet doppel.bench"

$(GUEST_DIR)/grub.iso: $(srcdir)/tests/guests/make-grub-iso.sh $(GUEST_DIR)/initramfs.cpio.gz $(GUEST_KERNEL)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/guests/make-grub-iso.sh \
		"$$($(SHELL) $(srcdir)/tests/guests/find-kernel.sh)" $(GUEST_DIR)/initramfs.cpio.gz $@

$(GUEST_DIR)/memtest.iso: $(srcdir)/tests/guests/make-memtest-iso.sh /boot/memtest86+x64.bin
	@$(MKDIR_P) $(GUEST_DIR)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/guests/make-memtest-iso.sh $@

guests: $(GUEST_DIR)/demo.iso $(GUEST_DIR)/grub.iso $(GUEST_DIR)/bench.iso $(GUEST_DIR)/memtest.iso

clean-local: clean-guests
clean-guests:
	rm -rf $(GUEST_DIR)

.PHONY: guests clean-guests
