# cpu/x86/ — the x86 guest (included by Makefile.am).
libcpu_a_SOURCES += cpu/x86/x86_decode.c
EXTRA_DIST += cpu/x86/x86_opcodes.def

check_PROGRAMS += tests/unit/test_x86_decode
UNIT_TESTS += tests/unit/test_x86_decode
tests_unit_test_x86_decode_SOURCES = tests/unit/test_x86_decode.c
tests_unit_test_x86_decode_LDADD = $(LIBS_CPU) $(CHECK_LIBS)

# x86 arithmetic/bit/string/atomic instructions and CPUID (helper "x86 arith")
libcpu_a_SOURCES += cpu/x86/x86_helper_arith.c
if HOST_X86_64
check_PROGRAMS += tests/unit/test_x86_helpers
UNIT_TESTS += tests/unit/test_x86_helpers
tests_unit_test_x86_helpers_SOURCES = tests/unit/test_x86_helpers.c
tests_unit_test_x86_helpers_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
endif

# x86 translator core and the basic integer instructions (helper "x86 basic")
libcpu_a_SOURCES += cpu/x86/x86_cpu.c cpu/x86/x86_translate.c cpu/x86/x86_flags.c \
	cpu/x86/x86_helper.c cpu/x86/x86_util.c \
	cpu/x86/x86_gen_basic.c cpu/x86/x86_gen_ctrl.c cpu/x86/x86_gen_stack.c \
	cpu/x86/x86_translate.h cpu/x86/x86_flags.h cpu/x86/x86_helper.h cpu/x86/x86_util.h \
	cpu/x86/x86_system.h

# helper "x86 arith": multiply/divide, shifts, bits, BCD, strings, atomics, CPUID/RDTSC
libcpu_a_SOURCES += cpu/x86/x86_gen_arith.c cpu/x86/x86_gen_string.c cpu/x86/x86_gen_atomic.c \
	cpu/x86/x86_cpuid.c cpu/x86/x86_helper_arith.h cpu/x86/x86_cpuid.h
check_PROGRAMS += tests/unit/test_x86_basic
UNIT_TESTS += tests/unit/test_x86_basic
tests_unit_test_x86_basic_SOURCES = tests/unit/test_x86_basic.c tests/unit/x86_rig.h
tests_unit_test_x86_basic_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_x86_cond
UNIT_TESTS += tests/unit/test_x86_cond
tests_unit_test_x86_cond_SOURCES = tests/unit/test_x86_cond.c tests/unit/x86_rig.h
tests_unit_test_x86_cond_LDADD = $(LIBS_CPU) $(CHECK_LIBS)

# helper "x86 system": segmentation, far transfers, tasks, IDT delivery, paging, system insns
libcpu_a_SOURCES += cpu/x86/x86_seg.c cpu/x86/x86_far.c cpu/x86/x86_task.c cpu/x86/x86_excp.c \
	cpu/x86/x86_mmu.c cpu/x86/x86_helper_system.c cpu/x86/x86_gen_system.c \
	cpu/x86/x86_seg.h cpu/x86/x86_excp.h cpu/x86/x86_mmu.h cpu/x86/x86_helper_system.h \
	cpu/x86/x86_gen_system.h
check_PROGRAMS += tests/unit/test_x86_system
UNIT_TESTS += tests/unit/test_x86_system
tests_unit_test_x86_system_SOURCES = tests/unit/test_x86_system.c tests/unit/x86_system_progs.h
tests_unit_test_x86_system_LDADD = $(LIBS_CPU) $(CHECK_LIBS)

# helper "x87": the x87 FPU in software (80-bit extended precision)
libcpu_a_SOURCES += cpu/x86/x87_float.c cpu/x86/x87_trans.c cpu/x86/x87_helper.c cpu/x86/x87_env.c \
	cpu/x86/x87_gen.c cpu/x86/x87_float.h cpu/x86/x87_trans.h cpu/x86/x87_helper.h
if HOST_X86_64
check_PROGRAMS += tests/unit/test_x87
UNIT_TESTS += tests/unit/test_x87
tests_unit_test_x87_SOURCES = tests/unit/test_x87.c tests/unit/x86_rig.h
tests_unit_test_x87_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
endif

# segment limit/type checks on data accesses (helper "sst oracle")
libcpu_a_SOURCES += cpu/x86/x86_seglimit.c

# helper "SSE": MMX, SSE..SSE4.2, FXSAVE/FXRSTOR, MXCSR (software float in sse_float.c)
libcpu_a_SOURCES += cpu/x86/sse_gen.c cpu/x86/sse_gen_move.c cpu/x86/sse_gen_ext.c \
	cpu/x86/sse_helper.c cpu/x86/sse_helper_fp.c cpu/x86/sse_helper_state.c cpu/x86/sse_helper_str.c \
	cpu/x86/sse_float.c cpu/x86/sse_gen.h cpu/x86/sse_helper.h cpu/x86/sse_float.h
if HOST_X86_64
check_PROGRAMS += tests/unit/test_sse_host
UNIT_TESTS += tests/unit/test_sse_host
tests_unit_test_sse_host_SOURCES = tests/unit/test_sse_host.c
tests_unit_test_sse_host_LDADD = $(LIBS_CPU) $(CHECK_LIBS) -lm
endif
check_PROGRAMS += tests/unit/test_sse
UNIT_TESTS += tests/unit/test_sse
tests_unit_test_sse_SOURCES = tests/unit/test_sse.c tests/unit/x86_rig.h
tests_unit_test_sse_LDADD = $(LIBS_CPU) $(CHECK_LIBS)

# segment checks, BOUND, single step (helper "sst oracle")
check_PROGRAMS += tests/unit/test_x86_seglimit
UNIT_TESTS += tests/unit/test_x86_seglimit
tests_unit_test_x86_seglimit_SOURCES = tests/unit/test_x86_seglimit.c tests/unit/x86_rig.h
tests_unit_test_x86_seglimit_LDADD = $(LIBS_CPU) $(CHECK_LIBS)
