#!/bin/sh
# A build configured --without-sdl: -display sdl is one clear error line
# and exit 2; the default display quietly stays headless.
doppel=${DOPPEL:-./doppel}
[ -x "$doppel" ] || { echo "no-sdl: $doppel not built"; exit 77; }
err=$("$doppel" -display sdl -m 16 2>&1 >/dev/null </dev/null)
rc=$?
want="doppel: this build has no SDL display (configured --without-sdl)"
if [ "$rc" -ne 2 ] || [ "$err" != "$want" ]; then
    echo "FAIL: doppel -display sdl: exit $rc, stderr '$err'"
    exit 1
fi
echo "ok - doppel -display sdl -> 2: $err"
