#!/bin/sh
# The command line's contract with scripts and CI: bad input exits 2 with
# exactly one line on stderr; -h and -version exit 0. Runs ./doppel from the
# build directory (set DOPPEL to test another binary).
doppel=${DOPPEL:-./doppel}
if [ ! -x "$doppel" ]; then
    echo "cli-exit-codes: $doppel not built" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/doppel-cli.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
head -c 1000 /dev/zero > "$tmp/trunc.iso"
: > "$tmp/empty.img"

fails=0
n=0

# expect_status WANT_STATUS WANT_STDERR_LINES ARGS...
# (WANT_STDERR_LINES of -1 means "don't care".)
expect_status() {
    want=$1 lines=$2
    shift 2
    n=$((n + 1))
    "$doppel" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
    got=$?
    got_lines=$(wc -l < "$tmp/err")
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: doppel $*: exit $got, want $want" >&2
        sed 's/^/  stderr: /' "$tmp/err" >&2
        fails=$((fails + 1))
    elif [ "$lines" -ge 0 ] && [ "$got_lines" -ne "$lines" ]; then
        echo "FAIL: doppel $*: $got_lines stderr lines, want $lines" >&2
        sed 's/^/  stderr: /' "$tmp/err" >&2
        fails=$((fails + 1))
    elif [ "$lines" -gt 0 ] && ! grep -q '^doppel: ' "$tmp/err"; then
        echo "FAIL: doppel $*: stderr does not start with 'doppel: '" >&2
        fails=$((fails + 1))
    else
        echo "ok $n - doppel $* -> $got"
    fi
}

# Bad input: status 2, one line.
expect_status 2 1 -foo
expect_status 2 1 -m abc
expect_status 2 1 -m 0
expect_status 2 1 -m 65G
expect_status 2 1 -m
expect_status 2 1 -cdrom "$tmp/missing.iso"
expect_status 2 1 -cdrom "$tmp/trunc.iso"
expect_status 2 1 -cdrom "$tmp"
expect_status 2 1 -hda "$tmp/empty.img"
expect_status 2 1 -drive "fmt=raw,file=$tmp/trunc.iso"
expect_status 2 1 -boot order=z
expect_status 2 1 -icount 11
expect_status 2 1 -device virtio-net-pci
expect_status 2 1 --send 'bad\q'
expect_status 2 1 --timeout 0
expect_status 2 1 -serial tcp::4444
expect_status 2 1 -M no-such-board
expect_status 2 1 "$tmp/missing.img"

# Information: status 0, nothing on stderr, something on stdout.
expect_status 0 0 -h
expect_status 0 0 --help
expect_status 0 0 -version
grep -q '^doppel [0-9]' "$tmp/out" || { echo "FAIL: -version prints '$(cat "$tmp/out")'" >&2; fails=$((fails + 1)); }
expect_status 0 0 -d help
expect_status 0 0 -M help

echo "$((n - fails)) of $n passed"
[ "$fails" -eq 0 ]
