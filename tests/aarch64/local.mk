# tests/aarch64/ — make check-aarch64: the AArch64 host backend, cross-built
# and run under qemu-aarch64 from an x86-64 build (check-aarch64.sh says
# how). "make check" runs it too; it skips itself without the cross tools.
EXTRA_DIST += tests/aarch64/check-aarch64.sh tests/aarch64/run-under-qemu.sh
if HOST_X86_64
check-aarch64: tests/cpu/x86diff$(EXEEXT) doppel$(EXEEXT) $(GUEST_DIR)/demo.iso
	srcdir="$(abs_top_srcdir)" builddir="$(abs_top_builddir)" MAKE="$(MAKE)" \
	  $(SHELL) $(srcdir)/tests/aarch64/check-aarch64.sh
else
check-aarch64:
	@echo "check-aarch64: not needed here: this build is not an x86-64 one (on an AArch64 host make check already tests the AArch64 backend natively)"
endif
# make check runs it after the tests; make check-unit (which sets
# DOPPEL_NO_CHECK_AARCH64) does not.
check-local:
	@if [ -z "$(DOPPEL_NO_CHECK_AARCH64)" ]; then $(MAKE) $(AM_MAKEFLAGS) check-aarch64; fi
.PHONY: check-aarch64
