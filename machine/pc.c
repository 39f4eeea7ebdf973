/*
 * The PC board: memory map, chipset, ISA devices, IDE, the CPU and how they
 * are wired. Layout follows QEMU's "pc" (i440FX + PIIX) machine, which is
 * what Debian's SeaBIOS build expects:
 *   RAM 0 .. min(ram, 3.5 GiB), the rest from 4 GiB; BIOS ROM below 4 GiB
 *   and its last 128 KiB shadowed at 0xE0000 through the i440FX PAMs;
 *   00:00.0 i440FX, 00:01.0 PIIX3 ISA, 00:01.1 IDE, 00:01.3 PM, 00:02.0 VGA;
 *   PIC pair, PIT on IRQ0, 8042 on IRQ1/12, COM1 on IRQ4, RTC on IRQ8,
 *   ACPI SCI on IRQ9, IDE on IRQ14/15; fw_cfg at 0x510.
 */
#include "machine/pc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bios/direct_boot.h"
#include "bios/firmware.h"
#include "bios/pc_fw_cfg.h"
#include "cpu/cpu_driver.h"
#include "cpu/host/backend.h"
#include "cpu/x86/x86_cpu.h"
#include "devices/block/blockdev.h"
#include "devices/acpi_hotplug.h"
#include "devices/apic.h"
#include "devices/chardev.h"
#include "devices/debugport.h"
#include "devices/fw_cfg.h"
#include "devices/hpet.h"
#include "devices/i440fx.h"
#include "devices/ide.h"
#include "devices/ioapic.h"
#include "devices/net/netdev.h"
#include "devices/net/pc_net.h"
#include "devices/pci.h"
#include "devices/pic.h"
#include "devices/piix.h"
#include "devices/pit.h"
#include "devices/ps2.h"
#include "devices/rtc.h"
#include "devices/uart16550.h"
#include "devices/vga.h"

#define PC_MAX_DRIVES 4
#define PC_MAX_DEBUG_DEVS 4
#define PC_CODE_CACHE_SIZE (64u << 20)

typedef struct PcBoard {
    Machine *m;
    uint8_t *bios;
    size_t bios_size;
    uint8_t *vgabios;
    MemRegion *ram_low, *ram_high;
    PcBiosMapping bios_map;
    PicState *pic;
    ApicState *apic;
    IoapicState *ioapic;
    HpetState *hpet;
    PitState *pit;
    RtcState *rtc;
    Uart *com1;
    Ps2 *ps2;
    FwCfg *fw_cfg;
    PostPort *post;
    DebugCon *debugcon[PC_MAX_DEBUG_DEVS];
    DebugExit *debug_exit[PC_MAX_DEBUG_DEVS];
    int ndebugcon, ndebug_exit;
    PciBus *pci;
    I440fxState *i440fx;
    Piix3State *piix3;
    PiixPmState *pm;
    IdeController *ide;
    VgaState *vga;
    BlockDev *drives[PC_MAX_DRIVES];
    CpuCommon *cpu;
    bool a20_kbd, a20_port92;
} PcBoard;

/* ---- events from devices to the machine ---- */

static void pc_request_reset(void *opaque)
{
    PcBoard *b = opaque;
    machine_request_stop(b->m, STOP_RESET, 0);
}

static void pc_poweroff(void *opaque)
{
    PcBoard *b = opaque;
    machine_request_stop(b->m, STOP_POWEROFF, EXIT_OK);
}

static void pc_debug_exit(void *opaque, int status)
{
    PcBoard *b = opaque;
    machine_request_stop(b->m, STOP_EXIT, status);
}

/* A20 is the OR of the 8042 output port and port 92h (PIIX3 datasheet
 * 4.1.7 "Port 92h"); the CPU masks physical address bit 20 when it is off. */
static void pc_update_a20(PcBoard *b)
{
    if (!b->cpu)
        return;
    X86Cpu *x = x86_cpu(b->cpu);
    bool on = b->a20_kbd || b->a20_port92;
    if (x->a20_enabled != on) {
        x->a20_enabled = on;
        tlb_flush(b->cpu);
    }
}

static void pc_a20_kbd(void *opaque, bool on)
{
    PcBoard *b = opaque;
    b->a20_kbd = on;
    pc_update_a20(b);
}

static void pc_a20_port92(void *opaque, bool on)
{
    PcBoard *b = opaque;
    b->a20_port92 = on;
    pc_update_a20(b);
}

static void pc_elcr_set(void *opaque, int irq, bool level)
{
    PcBoard *b = opaque;
    pic_set_elcr(b->pic, irq, level);
}

/* The PIC's INT output drives the CPU's INTR pin. */
static void pc_cpu_intr(void *opaque, int n, int level)
{
    PcBoard *b = opaque;
    if (!b->cpu)
        return;
    if (level)
        cpu_interrupt(b->cpu, CPU_INTERRUPT_HARD);
    else
        cpu_reset_interrupt(b->cpu, CPU_INTERRUPT_HARD);
}

static int pc_intr_vector(void *opaque)
{
    PcBoard *b = opaque;
    return apic_get_interrupt(b->apic);
}

/* The local APIC's NMI output (LINT1 as NMI, NMI IPIs): pulsed. */
static void pc_cpu_nmi(void *opaque, int n, int level)
{
    PcBoard *b = opaque;
    (void)n;
    if (b->cpu && level)
        cpu_interrupt(b->cpu, CPU_INTERRUPT_NMI);
}

/* INTA for ExtINT through LINT0 (virtual wire): the 8259 answers. */
static int pc_pic_ack(void *opaque)
{
    PcBoard *b = opaque;
    return pic_read_irq(b->pic);
}

/* ISA IRQ n drives 8259 input n and IO-APIC pin n, except IRQ0 which is
 * IO-APIC pin 2 (the MADT interrupt source override, fw_cfg
 * "etc/irq0-override"), as on QEMU's pc machine. */
static void pc_isa_irq(void *opaque, int n, int level)
{
    PcBoard *b = opaque;
    pic_set_irq(b->pic, n, level);
    ioapic_set_irq(b->ioapic, n == 0 ? 2 : n, level);
}

static IrqLine pc_isa_line(PcBoard *b, int n)
{
    return irq_line(pc_isa_irq, b, n);
}

/* Keyboard and mouse input from frontends (SDL window) to the 8042. */
static void pc_kbd_input(void *opaque, const uint8_t *set2, int n)
{
    PcBoard *b = opaque;
    ps2_kbd_put_scancode(b->ps2, set2, n);
}

static void pc_mouse_input(void *opaque, int dx, int dy, int dz, unsigned buttons)
{
    PcBoard *b = opaque;
    ps2_mouse_event(b->ps2, dx, dy, dz, buttons);
}

/* ---- building ---- */

static bool pc_load_bios(PcBoard *b)
{
    const VmConfig *cfg = b->m->cfg;
    const char *path = cfg->bios ? cfg->bios : firmware_search(seabios_paths);
    char err[512];
    if (!path) {
        fprintf(stderr, "doppel: no BIOS found (install Debian's seabios package or use -bios FILE)\n");
        return false;
    }
    b->bios = firmware_load(path, PC_BIOS_MAX_SIZE, &b->bios_size, err, sizeof(err));
    if (!b->bios) {
        fprintf(stderr, "doppel: -bios: %s\n", err);
        return false;
    }
    if (!pc_bios_size_ok(b->bios_size, err, sizeof(err))) {
        fprintf(stderr, "doppel: -bios: '%s': %s\n", path, err);
        return false;
    }
    b->bios_map = pc_bios_map(&b->m->mem, b->bios, b->bios_size, 1);
    return b->bios_map.high && b->bios_map.isa;
}

static bool pc_add_drives(PcBoard *b)
{
    const VmConfig *cfg = b->m->cfg;
    char err[512];
    for (int i = 0; i < cfg->ndrives; i++) {
        const DriveConfig *d = &cfg->drives[i];
        if (d->index < 0 || d->index >= PC_MAX_DRIVES) {
            fprintf(stderr, "doppel: -drive: index %d is out of range 0..3\n", d->index);
            return false;
        }
        BlockDev *blk = NULL;
        if (d->file) {
            bool ro = d->readonly || d->media == MEDIA_CDROM;
            blk = blk_open(d->file, ro, d->snapshot || cfg->snapshot, err, sizeof(err));
            if (!blk) {
                fprintf(stderr, "doppel: %s\n", err);
                return false;
            }
        }
        /* The IDE controller owns attached images: it flushes and closes
         * them when it is destroyed, so nothing the guest wrote is lost. */
        bool ok = d->media == MEDIA_CDROM ? ide_attach_cdrom(b->ide, d->index, blk)
                                          : ide_attach_disk(b->ide, d->index, blk);
        if (!ok) {
            blk_close(blk);
            fprintf(stderr, "doppel: cannot attach drive %d\n", d->index);
            return false;
        }
        b->drives[d->index] = blk;
    }
    return true;
}

static bool pc_add_user_devices(PcBoard *b)
{
    const VmConfig *cfg = b->m->cfg;
    char err[256];
    for (int i = 0; i < cfg->ndevices; i++) {
        const DeviceConfig *dc = &cfg->devices[i];
        DebugPortProps p = { 0, 0 };
        if (!strcmp(dc->driver, "isa-debug-exit")) {
            p.iobase = 0x501;
            p.iosize = 2;
            if (!debugport_parse_props(dc->props, &p, err, sizeof(err)) ||
                b->ndebug_exit == PC_MAX_DEBUG_DEVS) {
                fprintf(stderr, "doppel: -device isa-debug-exit: %s\n", err);
                return false;
            }
            b->debug_exit[b->ndebug_exit++] =
                debug_exit_create(&b->m->io, p.iobase, p.iosize, pc_debug_exit, b, &b->m->log);
        } else if (!strcmp(dc->driver, "isa-debugcon")) {
            p.iobase = 0xe9;
            if (!debugport_parse_props(dc->props, &p, err, sizeof(err)) ||
                b->ndebugcon == PC_MAX_DEBUG_DEVS) {
                fprintf(stderr, "doppel: -device isa-debugcon: %s\n", err);
                return false;
            }
            b->debugcon[b->ndebugcon++] =
                debugcon_create(&b->m->io, p.iobase, b->m->debugcon_chr, &b->m->log);
        } else if (net_is_nic_driver(dc->driver)) {
            continue;           /* NICs are built by pc_net_init */
        } else {
            fprintf(stderr, "doppel: -device %s: not available on this board yet\n", dc->driver);
            return false;
        }
    }
    return true;
}

/* Standard VGA with Bochs VBE at 00:02.0; SeaBIOS runs the VGA BIOS it
 * finds in fw_cfg under the device's "pciVVVV,DDDD.rom" name, so the ROM
 * is bound to the device and finds its framebuffer in BAR0. */
static bool pc_add_vga(PcBoard *b)
{
    Machine *m = b->m;
    b->vga = vga_create(&m->mem, &m->io, b->pci, 0, &m->log);
    if (!b->vga) {
        fprintf(stderr, "doppel: cannot create the VGA adapter\n");
        return false;
    }
    machine_add_device(m, &vga_class, b->vga);
    vga_display_source(b->vga, &m->display);
    const char *path = firmware_search(vgabios_stdvga_paths);
    if (!path)
        return true;    /* no VGA BIOS: the guest runs without INT 10h video */
    char err[512];
    size_t size;
    b->vgabios = firmware_load(path, 256u << 10, &size, err, sizeof(err));
    if (!b->vgabios) {
        fprintf(stderr, "doppel: VGA BIOS: %s\n", err);
        return false;
    }
    return fw_cfg_add_file(b->fw_cfg, "pci1234,1111.rom", b->vgabios, size);
}

static bool pc_add_cpu(PcBoard *b)
{
    Machine *m = b->m;
    const HostBackend *be = NULL;
    if (m->cfg->backend == BACKEND_INTERP)
        be = &host_backend_interp;
    else if (m->cfg->backend == BACKEND_NATIVE && !host_backend_native()) {
        fprintf(stderr, "doppel: -accel: no native backend on this host (use backend=interp)\n");
        return false;
    }
    b->cpu = engine_machine_attach(m, &x86_guest, be, PC_CODE_CACHE_SIZE);
    if (!b->cpu)
        return false;
    X86Cpu *x = x86_cpu(b->cpu);
    x->get_intr_vector = pc_intr_vector;
    x->intr_opaque = b;
    pc_update_a20(b);
    return true;
}

static bool pc_init(Machine *m)
{
    const VmConfig *cfg = m->cfg;
    PcBoard *b = calloc(1, sizeof(*b));
    if (!b) {
        fprintf(stderr, "doppel: out of memory\n");
        return false;
    }
    m->board_state = b;
    b->m = m;
    b->a20_kbd = true;

    PcMemLayout layout = pc_mem_layout(cfg->ram_size);
    b->ram_low = as_add_ram(&m->mem, "ram", 0, layout.below_4g, NULL, 0);
    if (layout.above_4g)
        b->ram_high = as_add_ram(&m->mem, "ram-high", 1ull << 32, layout.above_4g, NULL, 0);
    if (!b->ram_low || (layout.above_4g && !b->ram_high)) {
        fprintf(stderr, "doppel: -m: cannot allocate %llu MiB of guest RAM\n",
                (unsigned long long)(cfg->ram_size >> 20));
        return false;
    }
    if (!pc_load_bios(b))
        return false;

    ApicConfig ac = { .mem = &m->mem, .clock = &m->clock, .id = 0, .bsp = true,
                      .intr = irq_line(pc_cpu_intr, b, 0), .nmi = irq_line(pc_cpu_nmi, b, 0),
                      .pic_ack = pc_pic_ack, .pic_opaque = b, .log = &m->log };
    b->apic = apic_create(&ac);
    b->ioapic = b->apic ? ioapic_create(&m->mem, IOAPIC_DEFAULT_BASE, apic_deliver_msg, b->apic,
                                        &m->log) : NULL;
    if (!b->apic || !b->ioapic) {
        fprintf(stderr, "doppel: cannot create the local APIC and IO-APIC\n");
        return false;
    }
    apic_set_eoi_handler(b->apic, ioapic_eoi, b->ioapic);
    machine_add_device(m, &apic_class, b->apic);
    machine_add_device(m, &ioapic_class, b->ioapic);
    b->pic = pic_create(&m->io, apic_lint_line(b->apic, 0), &m->log);
    machine_add_device(m, &pic_class, b->pic);
    HpetConfig hc = { .mem = &m->mem, .clock = &m->clock, .irq0 = pc_isa_line(b, 0),
                      .irq8 = pc_isa_line(b, 8), .route_cap = 1u << 2, .log = &m->log };
    for (int i = 0; i < HPET_NUM_GSI; i++)
        hc.gsi[i] = ioapic_irq_line(b->ioapic, i);
    b->hpet = hpet_create(&hc);
    if (!b->hpet)
        return false;
    machine_add_device(m, &hpet_class, b->hpet);
    b->pit = pit_create(&m->io, &m->clock, hpet_pit_line(b->hpet), &m->log);
    machine_add_device(m, &pit_class, b->pit);
    b->rtc = rtc_create(&m->io, &m->clock, hpet_rtc_line(b->hpet), (int64_t)time(NULL), &m->log);
    machine_add_device(m, &rtc_class, b->rtc);
    Ps2Hooks hooks = { pc_a20_kbd, pc_request_reset, b };
    b->ps2 = ps2_create(&m->io, pc_isa_line(b, 1), pc_isa_line(b, 12), &hooks, &m->log);
    machine_add_device(m, &ps2_class, b->ps2);
    m->kbd_put_scancodes = pc_kbd_input;
    m->mouse_event = pc_mouse_input;
    m->input_opaque = b;
    if (m->serial_chr) {
        b->com1 = uart_create(&m->io, 0x3f8, pc_isa_line(b, 4), m->serial_chr, &m->clock,
                              &m->log);
        machine_add_device(m, &uart_class, b->com1);
    }
    b->post = post_port_create(&m->io, 0x80, &m->log);
    machine_add_device(m, &post_port_class, b->post);
    if (m->debugcon_chr)
        b->debugcon[b->ndebugcon++] = debugcon_create(&m->io, 0xe9, m->debugcon_chr, &m->log);

    b->pci = pci_bus_create(&m->mem, &m->io);
    I440fxConfig ic = { .mem = &m->mem, .ram = b->ram_low, .nroms = 1, .priority = 2 };
    ic.roms[0] = b->bios_map.isa;
    b->i440fx = i440fx_create(b->pci, &ic);
    Piix3Config pc3 = { .set_a20 = pc_a20_port92, .reset_request = pc_request_reset,
                        .elcr_set = pc_elcr_set, .opaque = b };
    for (int i = 0; i < 16; i++)
        pc3.isa_irq[i] = pc_isa_line(b, i);
    b->piix3 = piix3_create(b->pci, PCI_DEVFN(1, 0), &m->io, &pc3);
    b->ide = ide_create(&m->io, pc_isa_line(b, 14), pc_isa_line(b, 15), &m->log);
    machine_add_device(m, &ide_device_class, b->ide);
    piix_ide_create(b->ide, b->pci, PCI_DEVFN(1, 1));
    PiixPmConfig pmc = { .clock = &m->clock, .sci = pc_isa_line(b, 9),
                         .poweroff = pc_poweroff, .opaque = b };
    b->pm = piix_pm_create(b->pci, PCI_DEVFN(1, 3), &m->io, &pmc);
    AcpiHotplug *hp = acpi_hotplug_create(&m->io, 1, &m->log);
    if (hp)
        machine_add_device(m, &acpi_hotplug_class, hp);
    if (!b->i440fx || !b->piix3 || !b->pm || !hp) {
        fprintf(stderr, "doppel: cannot build the i440FX/PIIX chipset\n");
        return false;
    }
    if (!pc_add_drives(b) || !pc_add_user_devices(b))
        return false;

    b->fw_cfg = fw_cfg_create(&m->io, &m->mem, &m->log);
    machine_add_device(m, &fw_cfg_class, b->fw_cfg);
    pc_fw_cfg_populate(b->fw_cfg, &layout, 1, cfg->boot_order);
    fw_cfg_add_i32(b->fw_cfg, 0x8002, 1);   /* FW_CFG_IRQ0_OVERRIDE: ISA IRQ0 is GSI 2 */
    pc_cmos_init(b->rtc, &layout, 1, cfg->boot_order, b->drives[0] != NULL, b->drives[1] != NULL);
    /* -kernel: Linux bzImage or Multiboot through fw_cfg and our own option
     * ROM, booted first by SeaBIOS (no-op without -kernel). */
    char derr[512];
    if (!pc_direct_boot_setup(b->fw_cfg, cfg, layout.below_4g, derr, sizeof(derr))) {
        fprintf(stderr, "doppel: %s\n", derr);
        return false;
    }
    if (!pc_add_vga(b))
        return false;
    /* NICs from -nic/-netdev/-device, or QEMU's default e1000 on user-mode
     * networking; PCI cards take slots from 00:03.0. */
    IrqLine isa[16];
    for (int i = 0; i < 16; i++)
        isa[i] = pc_isa_line(b, i);
    if (!pc_net_init(m, b->pci, isa, b->fw_cfg, true))
        return false;
    return pc_add_cpu(b);
}

static void pc_reset(Machine *m)
{
    PcBoard *b = m->board_state;
    b->a20_kbd = true;
    b->a20_port92 = false;
    pci_bus_reset(b->pci);
    pc_update_a20(b);
}

static void pc_destroy(Machine *m)
{
    PcBoard *b = m->board_state;
    if (!b)
        return;
    if (b->pm)
        piix_pm_destroy(b->pm);
    if (b->piix3)
        piix3_destroy(b->piix3);
    if (b->i440fx)
        i440fx_destroy(b->i440fx);
    if (b->pci)
        pci_bus_destroy(b->pci);
    for (int i = 0; i < b->ndebugcon; i++)
        debugcon_destroy(b->debugcon[i]);
    for (int i = 0; i < b->ndebug_exit; i++)
        debug_exit_destroy(b->debug_exit[i]);
    free(b->bios);
    free(b->vgabios);
    free(b);
    m->board_state = NULL;
}

const BoardClass board_pc = {
    .name = "pc",
    .desc = "Standard PC (i440FX + PIIX, 1996)",
    .default_ram = 128ull << 20,
    .init = pc_init,
    .reset = pc_reset,
    .destroy = pc_destroy,
};
