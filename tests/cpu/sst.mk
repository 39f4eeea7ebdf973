# sst-run: the SingleStepTests 80286 real-mode hardware captures.
noinst_PROGRAMS += tests/cpu/sst-run
tests_cpu_sst_run_SOURCES = tests/cpu/sst_run.c tests/cpu/moo.c tests/cpu/moo.h \
	tests/cpu/sst_meta.c tests/cpu/sst_meta.h
tests_cpu_sst_run_LDADD = $(LIBS_CPU) $(ZLIB_LIBS)
EXTRA_DIST += tests/cpu/sst-check.sh
