# cpu/ — sources and tests of this folder (included by Makefile.am).
# IR (cpu/ir) and the host backends' shared parts (cpu/host).
libcpu_a_SOURCES += cpu/ir/ir.c cpu/ir/ir_eval.c
EXTRA_DIST += cpu/ir/ir_ops.def
libcpu_a_SOURCES += cpu/host/code_buffer.c \
	cpu/host/interp/interp.c cpu/host/interp/interp_encode.c
libcpu_a_SOURCES += cpu/ir/ir_opt.c cpu/ir/ir_liveness.c cpu/ir/ir_dump.c cpu/ir/ir_verify.c \
	cpu/ir/ir_internal.h cpu/host/interp/interp.h
# The engine shared by every guest: run loop, TB cache, TLB, translator.
libcpu_a_SOURCES += cpu/engine.c cpu/tb.c cpu/tlb.c cpu/translate.c cpu/exec.c \
	cpu/cpu_driver.c cpu/engine_int.h cpu/cpu_driver.h
check_PROGRAMS += tests/unit/test_engine
UNIT_TESTS += tests/unit/test_engine
tests_unit_test_engine_SOURCES = tests/unit/test_engine.c tests/toy/toy.c tests/toy/toy.h
tests_unit_test_engine_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
noinst_PROGRAMS += bench/engine
bench_engine_SOURCES = bench/engine.c tests/toy/toy.c tests/toy/toy.h
bench_engine_LDADD = $(LIBS_CPU)

check_PROGRAMS += tests/unit/test_ir_ops tests/unit/test_ir_opt
UNIT_TESTS += tests/unit/test_ir_ops tests/unit/test_ir_opt
tests_unit_test_ir_ops_SOURCES = tests/unit/test_ir_ops.c tests/unit/ir_harness.h
tests_unit_test_ir_ops_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
tests_unit_test_ir_opt_SOURCES = tests/unit/test_ir_opt.c tests/unit/ir_harness.h
tests_unit_test_ir_opt_LDADD = $(LIBS_CPU) $(CHECK_LIBS)

# Native x86-64 host backend: built, and tested against the interpreter,
# only on x86-64 hosts.
# host_backend_native(): native_x86_64.c there, native_none.c elsewhere.
if HOST_X86_64
libcpu_a_SOURCES += cpu/host/native_x86_64.c cpu/host/x86_64/x86_64_asm.c cpu/host/x86_64/x86_64_regalloc.c \
	cpu/host/x86_64/x86_64_gen.c cpu/host/x86_64/x86_64_mem.c cpu/host/x86_64/x86_64_backend.c \
	cpu/host/x86_64/x86_64_asm.h cpu/host/x86_64/x86_64_int.h cpu/host/x86_64/x86_64_backend.h
check_PROGRAMS += tests/unit/test_ir_random
UNIT_TESTS += tests/unit/test_ir_random
tests_unit_test_ir_random_SOURCES = tests/unit/test_ir_random.c tests/unit/ir_random_env.h
tests_unit_test_ir_random_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
else
libcpu_a_SOURCES += cpu/host/native_none.c
endif
