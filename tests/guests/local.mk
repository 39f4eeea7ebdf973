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

# Multiboot test kernels for direct boot (bios/direct_boot.c): the a.out-
# kludge and ELF builds of tests/guests/multiboot-test.asm, nasm only.
EXTRA_DIST += tests/guests/multiboot-test.asm tests/boot/boot-multiboot.sh
$(GUEST_DIR)/multiboot-test.bin: $(srcdir)/tests/guests/multiboot-test.asm
	@$(MKDIR_P) $(GUEST_DIR)
	$(AM_V_GEN)$(NASM) -f bin -w+all -o $@ $<

$(GUEST_DIR)/multiboot-test.elf: $(srcdir)/tests/guests/multiboot-test.asm
	@$(MKDIR_P) $(GUEST_DIR)
	$(AM_V_GEN)$(NASM) -f bin -w+all -DELF -o $@ $<

# Direct Multiboot boot of both builds, interpreter and native backends.
check-multiboot: doppel$(EXEEXT) $(GUEST_DIR)/multiboot-test.bin $(GUEST_DIR)/multiboot-test.elf
	$(SHELL) $(srcdir)/tests/boot/boot-multiboot.sh interp $(GUEST_DIR)/multiboot-test.bin
	$(SHELL) $(srcdir)/tests/boot/boot-multiboot.sh interp $(GUEST_DIR)/multiboot-test.elf
	$(SHELL) $(srcdir)/tests/boot/boot-multiboot.sh native $(GUEST_DIR)/multiboot-test.bin

.PHONY: check-multiboot
check_DATA = $(GUEST_DIR)/multiboot-test.bin $(GUEST_DIR)/multiboot-test.elf
TESTS += tests/boot/multiboot-check.sh
EXTRA_DIST += tests/boot/multiboot-check.sh
