# tests/boot/net/ — in-guest network tests (included by tests/local.mk):
# Debian's kernel boots directly with the busybox initramfs plus NIC
# modules (make-net-initramfs.sh), gets DHCP from libslirp and fetches a
# file from busybox httpd on the host, and serves a TCP connection from the
# host through hostfwd, once per NIC model; and SeaBIOS + iPXE PXE-boot
# the Debian installer's kernel over TFTP (net-pxe.sh).
$(GUEST_DIR)/net-initramfs.cpio.gz: $(srcdir)/tests/boot/net/make-net-initramfs.sh \
		$(srcdir)/tests/guests/make-initramfs.sh /bin/busybox $(GUEST_KERNEL)
	@$(MKDIR_P) $(GUEST_DIR)
	$(AM_V_GEN)$(SHELL) $(srcdir)/tests/boot/net/make-net-initramfs.sh \
		"$$($(SHELL) $(srcdir)/tests/guests/find-kernel.sh)" $@
check_DATA += $(GUEST_DIR)/net-initramfs.cpio.gz
NET_TESTS = tests/boot/net/net-user-e1000.sh tests/boot/net/net-user-ne2k.sh \
	tests/boot/net/net-hostfwd-e1000.sh tests/boot/net/net-hostfwd-ne2k.sh \
	tests/boot/net/net-pxe-e1000.sh tests/boot/net/net-pxe-ne2k.sh tests/boot/net/net-socket.sh
TESTS += $(NET_TESTS)
EXTRA_DIST += $(NET_TESTS) tests/boot/net/net-user.sh tests/boot/net/make-net-initramfs.sh \
	tests/boot/net/net-hostfwd.sh tests/boot/net/net-pxe.sh tests/boot/net/free-port.sh tests/boot/net/net-throughput.sh
