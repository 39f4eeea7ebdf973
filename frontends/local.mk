# frontends/ — sources and tests of this folder (included by Makefile.am).

libfrontends_a_SOURCES += frontends/options.c frontends/options.h \
	frontends/optvalue.c frontends/optvalue.h

check_PROGRAMS += tests/unit/test_options
UNIT_TESTS += tests/unit/test_options
tests_unit_test_options_SOURCES = tests/unit/test_options.c
tests_unit_test_options_LDADD = $(LIBS_ALL) $(CHECK_LIBS)

# The command line's exit codes, checked on the real binary.
UNIT_TESTS += tests/unit/cli-exit-codes.sh
EXTRA_DIST += tests/unit/cli-exit-codes.sh

# Headless console: serial on the terminal, the expect/send script, screenshots.
libfrontends_a_SOURCES += frontends/console.c frontends/console.h \
	frontends/script.c frontends/script.h \
	frontends/screenshot.c frontends/screenshot.h
check_PROGRAMS += tests/unit/test_script
UNIT_TESTS += tests/unit/test_script
tests_unit_test_script_SOURCES = tests/unit/test_script.c
tests_unit_test_script_LDADD = $(LIBS_ALL) $(CHECK_LIBS)

# The SDL2 window (frontends/display.h); sdl_none.c when configured --without-sdl.
if HAVE_SDL
libfrontends_a_SOURCES += frontends/display.h frontends/sdl.h \
	frontends/sdl.c frontends/sdl_keymap.c
else
libfrontends_a_SOURCES += frontends/display.h frontends/sdl_none.c
endif
