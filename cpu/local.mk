# cpu/ — sources and tests of this folder (included by Makefile.am).
# IR (cpu/ir) and the host backends' shared parts (cpu/host).
libcpu_a_SOURCES += cpu/ir/ir.c cpu/ir/ir_eval.c
EXTRA_DIST += cpu/ir/ir_ops.def
libcpu_a_SOURCES += cpu/host/interp/interp.c cpu/host/interp/interp_encode.c
# Code buffers: a double-mapped memfd, or MAP_JIT on macOS (configure picks).
if HOST_DARWIN
libcpu_a_SOURCES += cpu/host/code_buffer_macos.c
EXTRA_DIST += cpu/host/code_buffer.c
else
libcpu_a_SOURCES += cpu/host/code_buffer.c
EXTRA_DIST += cpu/host/code_buffer_macos.c
endif
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

# Native host backends: x86-64 and AArch64, each built and tested against
# the interpreter (tests/unit/test_ir_random) only on its own host.
# host_backend_native(): native_<host>.c, native_none.c elsewhere.
tests_unit_test_ir_random_SOURCES = tests/unit/test_ir_random.c tests/unit/ir_random_env.h \
	tests/unit/ir_random_host.h
tests_unit_test_ir_random_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
# The host-neutral half of both: register allocator and code generation driver.
NATIVE_GEN_SOURCES = cpu/host/regalloc.c cpu/host/native_gen.c cpu/host/regalloc.h \
	cpu/host/native_gen.h cpu/host/host_asm.h
if HOST_X86_64
libcpu_a_SOURCES += $(NATIVE_GEN_SOURCES) cpu/host/native_x86_64.c cpu/host/x86_64/x86_64_asm.c \
	cpu/host/x86_64/x86_64_gen.c cpu/host/x86_64/x86_64_mem.c cpu/host/x86_64/x86_64_backend.c \
	cpu/host/x86_64/x86_64_asm.h cpu/host/x86_64/x86_64_int.h cpu/host/x86_64/x86_64_backend.h
check_PROGRAMS += tests/unit/test_ir_random
UNIT_TESTS += tests/unit/test_ir_random
tests_unit_test_ir_random_SOURCES += tests/unit/ir_random_host_x86_64.c
else
if HOST_AARCH64
libcpu_a_SOURCES += $(NATIVE_GEN_SOURCES) cpu/host/native_aarch64.c cpu/host/aarch64/a64_asm.c \
	cpu/host/aarch64/a64_gen.c cpu/host/aarch64/a64_mem.c cpu/host/aarch64/a64_backend.c \
	cpu/host/aarch64/a64_asm.h cpu/host/aarch64/a64_int.h cpu/host/aarch64/a64_backend.h
check_PROGRAMS += tests/unit/test_ir_random
UNIT_TESTS += tests/unit/test_ir_random
tests_unit_test_ir_random_SOURCES += tests/unit/ir_random_host_aarch64.c
else
libcpu_a_SOURCES += cpu/host/native_none.c
endif
endif
# The A64 encoder is plain C: its unit test runs on every host.
check_PROGRAMS += tests/unit/test_a64_asm
UNIT_TESTS += tests/unit/test_a64_asm
tests_unit_test_a64_asm_SOURCES = tests/unit/test_a64_asm.c cpu/host/aarch64/a64_asm.c cpu/host/aarch64/a64_asm.h \
	cpu/host/host_asm.h
tests_unit_test_a64_asm_LDADD = $(CAPSTONE_LIBS) $(CHECK_LIBS)
