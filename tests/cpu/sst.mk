# sst-run: the SingleStepTests 80286 real-mode hardware captures.
noinst_PROGRAMS += tests/cpu/sst-run
tests_cpu_sst_run_SOURCES = tests/cpu/sst_run.c tests/cpu/moo.c tests/cpu/moo.h \
	tests/cpu/sst_meta.c tests/cpu/sst_meta.h
tests_cpu_sst_run_LDADD = $(LIBS_CPU) $(ZLIB_LIBS)
EXTRA_DIST += tests/cpu/sst-check.sh
TESTS += tests/cpu/sst-check.sh

# The opcode coverage table (issue: coverage of every opcode form).
EXTRA_DIST += tests/cpu/coverage-x86.sh
coverage-x86: tests/cpu/x86diff$(EXEEXT)
	$(SHELL) $(srcdir)/tests/cpu/coverage-x86.sh $(abs_top_srcdir) > coverage-x86.md
	@tail -n 1 coverage-x86.md
.PHONY: coverage-x86
