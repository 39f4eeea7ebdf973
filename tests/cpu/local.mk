# tests/cpu/ — differential tests of the CPU models (included by tests/local.mk).
# x86diff runs random integer instruction sequences natively and in doppel
# and compares the results; running natively needs an x86-64 host. Other
# hosts build it to -replay a corpus recorded on x86-64 (-record; see
# tests/aarch64.mk, make check-aarch64).
check_PROGRAMS += tests/cpu/x86diff
tests_cpu_x86diff_SOURCES = tests/cpu/x86diff.c tests/cpu/x86diff_gen.c tests/cpu/x86diff_gen.h \
	tests/cpu/x86diff_native.h tests/cpu/x86diff_doppel.c \
	tests/cpu/x86diff_doppel.h tests/cpu/x86diff_flags.c tests/cpu/x86diff_layout.c \
	tests/cpu/x86diff_fpgen.c tests/cpu/x86diff_corpus.c tests/cpu/x86diff_corpus.h
tests_cpu_x86diff_LDADD = $(LIBS_CPU)
if HOST_X86_64
tests_cpu_x86diff_SOURCES += tests/cpu/x86diff_native.c
else
tests_cpu_x86diff_SOURCES += tests/cpu/x86diff_native_none.c
endif
EXTRA_DIST += tests/cpu/x86diff-check.sh
if HOST_X86_64
TESTS += tests/cpu/x86diff-check.sh
endif
