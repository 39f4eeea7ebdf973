#!/bin/sh
# make check: every shipped 80286 real-mode capture on both backends (the
# interpreter and, where this host has one, the native code generator).
# The captures live beside the checkout (../shared/oracles/80286-real) or
# where SST_DIR points; without them the test is skipped (exit 77).
# Differences between the 286 and the modern CPU doppel models are listed,
# with their reasons, by "sst-run -v" (table in tests/cpu/sst_run.c).
# Also looked for: the workspace's shared folder, for clones made elsewhere.
top=${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
dir=${SST_DIR:-$top/../shared/oracles/80286-real}
[ -r "$dir/metadata.json" ] || [ -n "${SST_DIR:-}" ] || dir=/work/shared/oracles/80286-real
if [ ! -r "$dir/metadata.json" ]; then
    echo "sst-check: no captures at $dir (set SST_DIR); skipping"
    exit 77
fi
sst=./tests/cpu/sst-run
test -x "$sst" || { echo "sst-check: $sst not built" >&2; exit 1; }
status=0
for backend in interp native; do
    echo "== backend $backend"
    out=$("$sst" -backend "$backend" "$dir"/*.MOO.gz 2>&1)
    rc=$?
    echo "$out"
    if [ "$backend" = native ] && [ $rc -eq 2 ] && echo "$out" | grep -q "unavailable backend"; then
        echo "sst-check: no native backend on this host"
        continue
    fi
    [ $rc -eq 0 ] || status=1
done
exit $status
