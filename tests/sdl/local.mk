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
# Real-guest window tests (tests/sdl/sdl-guest.sh; images from check_DATA,
# see tests/boot/local.mk). Its X helper links libX11 directly (libx11-dev
# comes with libsdl2-dev).
if HAVE_SDL
TESTS += tests/sdl/sdl-guest.sh
check_PROGRAMS += tests/sdl/sdl_xhelper
tests_sdl_sdl_xhelper_SOURCES = tests/sdl/sdl_xhelper.c
tests_sdl_sdl_xhelper_CFLAGS = $(AM_CFLAGS) $(PNG_CFLAGS)
tests_sdl_sdl_xhelper_LDADD = $(PNG_LIBS) -lX11 -ldl
endif
EXTRA_DIST += tests/sdl/sdl-guest.sh
