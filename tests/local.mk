# tests/ — sources and tests of this folder (included by Makefile.am).
include tests/guests/local.mk
include tests/cpu/sst.mk
include tests/cpu/local.mk
include tests/sdl/local.mk
include tests/guests/systest.mk
include tests/boot/local.mk
include tests/boot/disk/local.mk
include tests/boot/net/local.mk
include tests/aarch64/local.mk
