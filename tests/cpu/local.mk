# tests/cpu/ — differential tests of the CPU models (included by tests/local.mk).
# x86diff runs random integer instruction sequences natively and in doppel
# and compares the results; it needs an x86-64 host.
if HOST_X86_64
check_PROGRAMS += tests/cpu/x86diff
tests_cpu_x86diff_SOURCES = tests/cpu/x86diff.c tests/cpu/x86diff_gen.c tests/cpu/x86diff_gen.h \
	tests/cpu/x86diff_native.c tests/cpu/x86diff_native.h tests/cpu/x86diff_doppel.c \
	tests/cpu/x86diff_doppel.h tests/cpu/x86diff_flags.c tests/cpu/x86diff_layout.c
tests_cpu_x86diff_LDADD = $(LIBS_CPU)
endif
EXTRA_DIST += tests/cpu/x86diff-check.sh
if HOST_X86_64
TESTS += tests/cpu/x86diff-check.sh
endif
