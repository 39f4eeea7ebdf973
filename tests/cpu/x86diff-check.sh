#!/bin/sh
# x86diff-check: the differential x86 CPU test as part of "make check".
# Runs a fixed set of random integer instruction sequences natively and in
# doppel on both backends (the interpreter and the native code generator),
# first mixed, then every mnemonic on its own, then x87/MMX/SSE sequences
# (-fp, comparing the FXSAVE state too); fails on any mismatch.
# Each failure is printed with a command line that reproduces it alone.
set -e
x86diff=./tests/cpu/x86diff
test -x "$x86diff" || { echo "x86diff-check: $x86diff not built" >&2; exit 1; }
"$x86diff" -n 3000 -seed 1 -backend both -reports 3
"$x86diff" -each -n 40 -seed 1 -backend both -reports 3
"$x86diff" -fp -n 5000 -seed 1 -backend both -reports 3
