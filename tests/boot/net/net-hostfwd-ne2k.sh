#!/bin/sh
# make check: net-hostfwd.sh with the ne2k_pci NIC.
exec sh "$(dirname "$0")/net-hostfwd.sh" ne2k_pci
