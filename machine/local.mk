# machine/ — sources and tests of this folder (included by Makefile.am).
libmachine_a_SOURCES += machine/memory.c machine/clock.c machine/log.c \
	machine/machine.c machine/mainloop.c
# The board registry names every board, so it sits with them in libboards.
libboards_a_SOURCES += machine/boards.c machine/pc.c machine/pc.h

check_PROGRAMS += tests/unit/test_memory tests/unit/test_clock tests/unit/test_log \
	tests/unit/test_machine
UNIT_TESTS += tests/unit/test_memory tests/unit/test_clock tests/unit/test_log \
	tests/unit/test_machine
tests_unit_test_memory_SOURCES = tests/unit/test_memory.c
tests_unit_test_memory_LDADD = $(LIBS_MACHINE) $(CHECK_LIBS)
tests_unit_test_clock_SOURCES = tests/unit/test_clock.c
tests_unit_test_clock_LDADD = $(LIBS_MACHINE) $(CHECK_LIBS)
tests_unit_test_log_SOURCES = tests/unit/test_log.c
tests_unit_test_log_LDADD = $(LIBS_MACHINE) $(CHECK_LIBS)
tests_unit_test_machine_SOURCES = tests/unit/test_machine.c
tests_unit_test_machine_LDADD = $(LIBS_ALL) $(CHECK_LIBS)
