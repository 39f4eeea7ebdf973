# bios/ — sources and tests of this folder (included by Makefile.am).
libbios_a_SOURCES += bios/firmware.c bios/firmware.h bios/pc_fw_cfg.c bios/pc_fw_cfg.h
check_PROGRAMS += tests/unit/test_pc_fw_cfg
UNIT_TESTS += tests/unit/test_pc_fw_cfg
tests_unit_test_pc_fw_cfg_SOURCES = tests/unit/test_pc_fw_cfg.c
tests_unit_test_pc_fw_cfg_LDADD = libbios.a $(LIBS_DEVICES) $(CHECK_LIBS)

# Direct kernel boot (-kernel/-initrd/-append): the loaders, and our own boot
# option ROMs. Each ROM is assembled with nasm, its last byte set so the
# whole image sums to 0 (PCI Firmware Specification 3.0 §5.1), and compiled
# in as a byte array (the generated bios/option_roms.c). No binary is kept
# in the source tree.
libbios_a_SOURCES += bios/direct_boot.c bios/direct_boot.h bios/linux_loader.c \
	bios/multiboot_loader.c bios/option_roms.h
nodist_libbios_a_SOURCES = bios/option_roms.c
BIOS_ROMS = bios/linuxboot.bin bios/multiboot.bin
EXTRA_DIST += bios/linuxboot.asm bios/multiboot.asm bios/optionrom.inc
CLEANFILES += $(BIOS_ROMS) bios/option_roms.c

bios/%.bin: $(srcdir)/bios/%.asm $(srcdir)/bios/optionrom.inc
	@$(MKDIR_P) bios
	$(AM_V_GEN)$(NASM) -f bin -w+all -I$(srcdir)/bios/ -o $@.tmp $< && \
	sum=`od -An -v -tu1 $@.tmp | $(AWK) '{ for (i = 1; i <= NF; i++) s += $$i } END { print (256 - s % 256) % 256 }'` && \
	size=`wc -c < $@.tmp` && \
	printf "\\$$(printf %03o $$sum)" | dd of=$@.tmp bs=1 seek=$$((size - 1)) conv=notrunc 2>/dev/null && \
	mv -f $@.tmp $@

bios/option_roms.c: $(BIOS_ROMS)
	$(AM_V_GEN){ echo '/* Generated from bios/linuxboot.asm and multiboot.asm by bios/local.mk: do not edit. */'; \
	  echo '#include "bios/option_roms.h"'; \
	  for rom in linuxboot multiboot; do \
	    echo "const uint8_t $${rom}_rom[] = {"; \
	    od -An -v -tx1 bios/$$rom.bin | $(AWK) '{ s = ""; for (i = 1; i <= NF; i++) s = s "0x" $$i ","; print "    " s }'; \
	    echo '};'; \
	    echo "const size_t $${rom}_rom_size = sizeof($${rom}_rom);"; \
	  done; } > $@.tmp && mv -f $@.tmp $@

check_PROGRAMS += tests/unit/test_linuxboot
UNIT_TESTS += tests/unit/test_linuxboot
tests_unit_test_linuxboot_SOURCES = tests/unit/test_linuxboot.c
tests_unit_test_linuxboot_LDADD = libbios.a $(LIBS_DEVICES) $(CHECK_LIBS)
