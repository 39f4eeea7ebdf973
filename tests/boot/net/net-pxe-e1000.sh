#!/bin/sh
# make check: net-pxe.sh with the e1000 NIC.
exec sh "$(dirname "$0")/net-pxe.sh" e1000
