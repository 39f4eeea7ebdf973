# tests/guests/systest.mk — the x86 system-architecture test kernels
# (tests/guests/systest/*.asm), assembled with nasm at build time into
# guests-cache/systest/*.bin (64 KiB -bios images, never committed) and run
# on the PC board with both backends by tests/boot/systest.sh.
SYSTEST_KERNELS = modes exceptions paging privilege task v86
SYSTEST_INCS = tests/guests/systest/systest.inc tests/guests/systest/systest_lib.inc
SYSTEST_IMAGES = $(SYSTEST_KERNELS:%=$(GUEST_DIR)/systest/%.bin)
EXTRA_DIST += $(SYSTEST_INCS) $(SYSTEST_KERNELS:%=tests/guests/systest/%.asm) tests/boot/systest.sh

$(GUEST_DIR)/systest/%.bin: $(srcdir)/tests/guests/systest/%.asm $(SYSTEST_INCS:%=$(srcdir)/%)
	@$(MKDIR_P) $(GUEST_DIR)/systest
	$(AM_V_GEN)$(NASM) -f bin -w+all -I$(srcdir)/tests/guests/systest/ -o $@ $<

systest-images: $(SYSTEST_IMAGES)

# The images are built before the tests run (make check builds check_DATA).
check_DATA += $(SYSTEST_IMAGES)

# Just these kernels: make check-systest
check-systest: doppel$(EXEEXT) $(SYSTEST_IMAGES)
	$(SHELL) $(srcdir)/tests/boot/systest.sh $(SYSTEST_IMAGES)

.PHONY: systest-images check-systest

# Passes on both backends (interp and native): part of make check.
TESTS += tests/boot/systest.sh
