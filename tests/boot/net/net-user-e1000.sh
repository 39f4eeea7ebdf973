#!/bin/sh
# make check: net-user.sh with the e1000 NIC.
exec sh "$(dirname "$0")/net-user.sh" e1000
