# devices/ — sources and tests of this folder (included by Makefile.am).
# Character back-ends and PC devices: UART, debug ports, fw_cfg, 8042/PS2.
libdevices_a_SOURCES += devices/chardev.c devices/uart16550.c devices/debugport.c \
	devices/fw_cfg.c devices/ps2.c
check_PROGRAMS += tests/unit/test_uart
UNIT_TESTS += tests/unit/test_uart
tests_unit_test_uart_SOURCES = tests/unit/test_uart.c
tests_unit_test_uart_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_debugport
UNIT_TESTS += tests/unit/test_debugport
tests_unit_test_debugport_SOURCES = tests/unit/test_debugport.c
tests_unit_test_debugport_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# 8259A PIC pair, 8254 PIT + port 0x61, MC146818 RTC/CMOS.
libdevices_a_SOURCES += devices/pic.c devices/pit.c devices/rtc.c
check_PROGRAMS += tests/unit/test_pic tests/unit/test_pit tests/unit/test_rtc
UNIT_TESTS += tests/unit/test_pic tests/unit/test_pit tests/unit/test_rtc
tests_unit_test_pic_SOURCES = tests/unit/test_pic.c
tests_unit_test_pic_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
tests_unit_test_pit_SOURCES = tests/unit/test_pit.c
tests_unit_test_pit_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
tests_unit_test_rtc_SOURCES = tests/unit/test_rtc.c
tests_unit_test_rtc_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_fw_cfg
UNIT_TESTS += tests/unit/test_fw_cfg
tests_unit_test_fw_cfg_SOURCES = tests/unit/test_fw_cfg.c
tests_unit_test_fw_cfg_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# PCI bus, disk images, IDE/ATAPI with PIIX bus-master DMA.
libdevices_a_SOURCES += devices/pci.c devices/block/blockdev.c devices/ide.c \
	devices/atapi.c devices/ide_bmdma.c
check_PROGRAMS += tests/unit/test_pci tests/unit/test_block
UNIT_TESTS += tests/unit/test_pci tests/unit/test_block
tests_unit_test_pci_SOURCES = tests/unit/test_pci.c
tests_unit_test_pci_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
tests_unit_test_block_SOURCES = tests/unit/test_block.c
tests_unit_test_block_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_ps2
UNIT_TESTS += tests/unit/test_ps2
tests_unit_test_ps2_SOURCES = tests/unit/test_ps2.c
tests_unit_test_ps2_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
check_PROGRAMS += tests/unit/test_ide
UNIT_TESTS += tests/unit/test_ide
tests_unit_test_ide_SOURCES = tests/unit/test_ide.c
tests_unit_test_ide_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# i440FX host bridge (PAM/SMRAM), PIIX3 ISA bridge and PIIX4 power management.
libdevices_a_SOURCES += devices/i440fx.c devices/piix.c
check_PROGRAMS += tests/unit/test_piix
UNIT_TESTS += tests/unit/test_piix
tests_unit_test_piix_SOURCES = tests/unit/test_piix.c
tests_unit_test_piix_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# VGA + Bochs VBE dispi (QEMU "-vga std"), rendering.
libdevices_a_SOURCES += devices/vga.c devices/vga_render.c
check_PROGRAMS += tests/unit/test_vga
UNIT_TESTS += tests/unit/test_vga
tests_unit_test_vga_SOURCES = tests/unit/test_vga.c
tests_unit_test_vga_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# Network: NIC<->back-end links, libslirp user networking, loopback, pcap dumps.
libdevices_a_SOURCES += devices/net/netdev.c devices/net/slirp.c devices/net/loopback.c \
	devices/net/pcap.c
check_PROGRAMS += tests/unit/test_netdev
UNIT_TESTS += tests/unit/test_netdev
tests_unit_test_netdev_SOURCES = tests/unit/test_netdev.c
tests_unit_test_netdev_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# NE2000 (DP8390) NIC: ISA and RTL8029 PCI variants.
libdevices_a_SOURCES += devices/ne2000.c
check_PROGRAMS += tests/unit/test_ne2000
UNIT_TESTS += tests/unit/test_ne2000
tests_unit_test_ne2000_SOURCES = tests/unit/test_ne2000.c
tests_unit_test_ne2000_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# Intel 82540EM (e1000) NIC.
libdevices_a_SOURCES += devices/e1000.c devices/e1000_rxtx.c
check_PROGRAMS += tests/unit/test_e1000
UNIT_TESTS += tests/unit/test_e1000
tests_unit_test_e1000_SOURCES = tests/unit/test_e1000.c
tests_unit_test_e1000_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# The PC board's network setup (pc_net_init).
libdevices_a_SOURCES += devices/net/pc_net.c
# Local APIC (xAPIC, timer incl. TSC-deadline) and the 82093AA IO-APIC.
libdevices_a_SOURCES += devices/apic.c devices/ioapic.c
check_PROGRAMS += tests/unit/test_apic tests/unit/test_ioapic
UNIT_TESTS += tests/unit/test_apic tests/unit/test_ioapic
tests_unit_test_apic_SOURCES = tests/unit/test_apic.c
tests_unit_test_apic_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
tests_unit_test_ioapic_SOURCES = tests/unit/test_ioapic.c
tests_unit_test_ioapic_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# HPET (QEMU-compatible: 100 MHz, 3 timers, legacy replacement routing).
libdevices_a_SOURCES += devices/hpet.c
check_PROGRAMS += tests/unit/test_hpet
UNIT_TESTS += tests/unit/test_hpet
tests_unit_test_hpet_SOURCES = tests/unit/test_hpet.c
tests_unit_test_hpet_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
# QEMU-compatible ACPI hotplug/GPE0 registers read by SeaBIOS's DSDT.
libdevices_a_SOURCES += devices/acpi_hotplug.c devices/acpi_hotplug.h

# QEMU's socket network back-end (-netdev socket,listen=|connect=|udp=).
libdevices_a_SOURCES += devices/net/socket.c
check_PROGRAMS += tests/unit/test_net_socket
UNIT_TESTS += tests/unit/test_net_socket
tests_unit_test_net_socket_SOURCES = tests/unit/test_net_socket.c
tests_unit_test_net_socket_LDADD = $(LIBS_DEVICES) $(CHECK_LIBS)
