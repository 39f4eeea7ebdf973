#!/bin/sh
# make check: net-user.sh with the ne2k_pci NIC.
exec sh "$(dirname "$0")/net-user.sh" ne2k_pci
