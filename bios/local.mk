# bios/ — sources and tests of this folder (included by Makefile.am).
libbios_a_SOURCES += bios/firmware.c bios/firmware.h bios/pc_fw_cfg.c bios/pc_fw_cfg.h
check_PROGRAMS += tests/unit/test_pc_fw_cfg
UNIT_TESTS += tests/unit/test_pc_fw_cfg
tests_unit_test_pc_fw_cfg_SOURCES = tests/unit/test_pc_fw_cfg.c
tests_unit_test_pc_fw_cfg_LDADD = libbios.a $(LIBS_DEVICES) $(CHECK_LIBS)
