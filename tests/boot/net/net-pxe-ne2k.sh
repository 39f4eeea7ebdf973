#!/bin/sh
# make check: net-pxe.sh with the ne2k_pci NIC.
exec sh "$(dirname "$0")/net-pxe.sh" ne2k_pci
