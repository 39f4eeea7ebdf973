# cpu/x86/ — the x86 guest (included by Makefile.am).
libcpu_a_SOURCES += cpu/x86/x86_decode.c
EXTRA_DIST += cpu/x86/x86_opcodes.def

check_PROGRAMS += tests/unit/test_x86_decode
UNIT_TESTS += tests/unit/test_x86_decode
tests_unit_test_x86_decode_SOURCES = tests/unit/test_x86_decode.c
tests_unit_test_x86_decode_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
