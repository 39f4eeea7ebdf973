#!/bin/sh
# The SDL window tests need a display: run them under a virtual X server
# (xvfb-run from Debian's xvfb). Skips (77) only if xvfb-run is missing.
# Also checks doppel's own contract: -display sdl without any desktop
# exits 2 with one error line, and a window doppel is killed with SIGTERM
# under powers off cleanly (exit 0), as closing it does.
if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "sdl-window: xvfb-run not installed (apt-get install xvfb): skipped"
    exit 77
fi
# In sanitizer builds: libX11, D-Bus and the GL driver SDL loads leak a
# little at exit and LeakSanitizer cannot name the unloaded GL module to
# suppress it, so leak checking is off here (memory errors still abort).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS
doppel=${DOPPEL:-./doppel}
test=./tests/sdl/test_sdl_window
screen="-screen 0 1280x1024x24"
fails=0

# Same environment as the tests' own: no desktop at all.
if [ -x "$doppel" ]; then
    err=$(env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER \
          "$doppel" -M none -display sdl -m 16 2>&1 >/dev/null </dev/null)
    rc=$?
    lines=$(printf '%s\n' "$err" | wc -l)
    if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ]; then
        echo "FAIL: doppel -display sdl without a desktop: exit $rc, $lines lines: $err"
        fails=$((fails + 1))
    else
        echo "ok - doppel -display sdl without a desktop -> 2: $err"
    fi
    # A window doppel on the empty board (no guest CPU needed): SDL turns
    # SIGTERM into a quit event -> poweroff -> 0 (a headless doppel would
    # die of the signal instead).
    xvfb-run -a -s "$screen" sh -c '
        "$1" -M none -display sdl -m 16 </dev/null >/dev/null &
        p=$!
        sleep 2
        kill -TERM $p
        wait $p' sh "$doppel"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: doppel -display sdl under Xvfb, SIGTERM: exit $rc, want 0"
        fails=$((fails + 1))
    else
        echo "ok - doppel -display sdl under Xvfb quits with 0"
    fi
    # The default display is the window when a desktop is there: the empty
    # board then keeps running (its window stays open) until closed, while
    # with -display none or -nographic it has nothing to do and exits.
    xvfb-run -a -s "$screen" sh -c '
        "$1" -M none -m 16 </dev/null >/dev/null &
        p=$!
        sleep 1
        kill -0 $p || exit 10
        kill -TERM $p
        wait $p || exit 11
        "$1" -M none -m 16 -display none </dev/null >/dev/null || exit 12
        "$1" -M none -m 16 -nographic </dev/null >/dev/null || exit 13' sh "$doppel"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: default display selection under Xvfb (step $rc)"
        fails=$((fails + 1))
    else
        echo "ok - default display: a window under Xvfb, none with -display none/-nographic"
    fi
fi

xvfb-run -a -s "$screen" env -u WAYLAND_DISPLAY "$test" || fails=$((fails + 1))
[ "$fails" -eq 0 ]
