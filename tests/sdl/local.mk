# tests/sdl/ — the SDL2 window frontend (frontends/sdl.c), under Xvfb.
if HAVE_SDL
check_PROGRAMS += tests/sdl/test_sdl_window
tests_sdl_test_sdl_window_SOURCES = tests/sdl/test_sdl_window.c
tests_sdl_test_sdl_window_LDADD = $(LIBS_ALL) $(CHECK_LIBS)
TESTS += tests/sdl/sdl-window.sh
else
TESTS += tests/sdl/no-sdl.sh
endif
EXTRA_DIST += tests/sdl/sdl-window.sh tests/sdl/no-sdl.sh
