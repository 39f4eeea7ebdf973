#!/bin/sh
# make check: every shipped 80286 real-mode capture on both backends.
# The captures live beside the checkout (../shared/oracles/80286-real) or
# where SST_DIR points; without them the test is skipped (exit 77).
dir=${SST_DIR:-${abs_top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/../shared/oracles/80286-real}
if [ ! -r "$dir/metadata.json" ]; then
    echo "sst-check: no captures at $dir (set SST_DIR); skipping"
    exit 77
fi
status=0
for backend in interp native; do
    echo "== backend $backend"
    ./tests/cpu/sst-run -backend "$backend" "$dir"/*.MOO.gz || status=1
done
exit $status
