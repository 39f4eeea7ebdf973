#!/bin/sh
# make check: net-hostfwd.sh with the e1000 NIC.
exec sh "$(dirname "$0")/net-hostfwd.sh" e1000
