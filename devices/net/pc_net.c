/*
 * PC network setup (see pc_net.h): option parsing into back-ends and
 * NICs, PCI slot choice, default MAC addresses, and the iPXE ROMs that
 * give SeaBIOS a PXE boot entry (SeaBIOS looks for a fw_cfg file named
 * "pciVVVV,DDDD.rom" for every PCI device before trying its ROM BAR).
 */
#include "devices/net/pc_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/e1000.h"
#include "devices/ne2000.h"
#include "devices/net/netdev.h"

#define PC_NET_MAX_NICS (VM_MAX_NICS + VM_MAX_DEVICES)
#define PC_NET_FIRST_SLOT 3
#define PC_NET_ROM_MAX (1u << 20)

typedef struct PcNet {
    NetDev *netdevs[PC_NET_MAX_NICS];
    bool used[PC_NET_MAX_NICS];        /* a NIC is plugged into netdevs[i] */
    int nnetdevs;
    E1000 *e1000[PC_NET_MAX_NICS];
    int ne1000;
    Ne2000 *ne2k[PC_NET_MAX_NICS];
    bool ne2k_isa[PC_NET_MAX_NICS];
    int nne2k;
    int nnics;                         /* for default MACs */
} PcNet;

static void pc_net_reset(void *opaque)
{
    PcNet *n = opaque;
    /* PCI NICs are reset by the PCI bus; the ISA ones here. */
    for (int i = 0; i < n->nne2k; i++) {
        if (n->ne2k_isa[i])
            ne2000_reset(n->ne2k[i]);
    }
}

static void pc_net_destroy(void *opaque)
{
    PcNet *n = opaque;
    for (int i = 0; i < n->ne1000; i++)
        e1000_destroy(n->e1000[i]);
    for (int i = 0; i < n->nne2k; i++)
        ne2000_destroy(n->ne2k[i]);
    for (int i = 0; i < n->nnetdevs; i++)
        netdev_free(n->netdevs[i]);
    free(n);
}

static const DeviceClass pc_net_class = {
    .name = "pc-net",
    .state_size = sizeof(PcNet),
    .reset = pc_net_reset,
    .save = NULL,
    .load = NULL,
    .destroy = pc_net_destroy,
};

static int pc_net_free_slot(PciBus *pci)
{
    for (int slot = PC_NET_FIRST_SLOT; slot < 32; slot++) {
        if (!pci_find_device(pci, PCI_DEVFN(slot, 0)))
            return PCI_DEVFN(slot, 0);
    }
    return -1;
}

/* Publish the iPXE ROM of a PCI NIC model for SeaBIOS (once per model). */
static void pc_net_add_rom(FwCfg *fw, const char *model, uint16_t vendor, uint16_t device)
{
    char name[32], path[256];
    snprintf(name, sizeof(name), "pci%04x,%04x.rom", vendor, device);
    if (fw_cfg_file_key(fw, name) >= 0)
        return;
    static const char *const prefixes[] = { "pxe", "efi" };
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s-%s.rom", PC_NET_ROM_DIR, prefixes[i], model);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        uint8_t *buf = malloc(PC_NET_ROM_MAX);
        size_t len = buf ? fread(buf, 1, PC_NET_ROM_MAX, f) : 0;
        fclose(f);
        /* A PCI expansion ROM starts with 55 AA (PCI 3.0, 6.3.1). */
        if (len > 2 && buf[0] == 0x55 && buf[1] == 0xaa && len < PC_NET_ROM_MAX)
            fw_cfg_add_file(fw, name, buf, len);
        free(buf);
        return;
    }
    fprintf(stderr, "doppel: warning: no iPXE ROM for %s in %s (install ipxe-qemu): "
                    "no PXE boot from it\n", model, PC_NET_ROM_DIR);
}

static void pc_net_default_mac(PcNet *n, uint8_t mac[NET_MAC_LEN])
{
    static const uint8_t base[NET_MAC_LEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    memcpy(mac, base, NET_MAC_LEN);
    mac[5] = (uint8_t)(mac[5] + n->nnics);
}

/* Build one NIC of the given model on nd. */
static bool pc_net_add_nic(PcNet *n, Machine *m, PciBus *pci, const IrqLine *isa_irq,
                           FwCfg *fw, NetNicModel model, NetDev *nd, const uint8_t *mac_opt,
                           uint16_t iobase, int irq, const char *what)
{
    uint8_t mac[NET_MAC_LEN];
    if (mac_opt)
        memcpy(mac, mac_opt, NET_MAC_LEN);
    else
        pc_net_default_mac(n, mac);
    n->nnics++;
    bool pxe = fw && strchr(m->cfg->boot_order, 'n');
    if (model == NET_NIC_NE2K_ISA) {
        Ne2000 *s = ne2000_create_isa(&m->io, iobase, isa_irq[irq & 15], nd, mac, &m->log);
        if (!s) {
            fprintf(stderr, "doppel: %s: cannot create the NE2000\n", what);
            return false;
        }
        n->ne2k_isa[n->nne2k] = true;
        n->ne2k[n->nne2k++] = s;
        return true;
    }
    int devfn = pc_net_free_slot(pci);
    if (devfn < 0) {
        fprintf(stderr, "doppel: %s: no free PCI slot for the network card\n", what);
        return false;
    }
    if (model == NET_NIC_NE2K_PCI) {
        Ne2000 *s = ne2000_create_pci(pci, devfn, nd, mac, &m->log);
        if (!s) {
            fprintf(stderr, "doppel: %s: cannot create the RTL8029\n", what);
            return false;
        }
        n->ne2k[n->nne2k++] = s;
        if (pxe)
            pc_net_add_rom(fw, "ne2k_pci", 0x10ec, 0x8029);
        return true;
    }
    E1000 *s = e1000_create(pci, devfn, nd, mac, &m->log);
    if (!s) {
        fprintf(stderr, "doppel: %s: cannot create the e1000\n", what);
        return false;
    }
    n->e1000[n->ne1000++] = s;
    if (pxe)
        pc_net_add_rom(fw, "e1000", 0x8086, 0x100e);
    return true;
}

static int pc_net_find_netdev(PcNet *n, const char *id)
{
    for (int i = 0; i < n->nnetdevs; i++) {
        if (n->netdevs[i]->id[0] && !strcmp(n->netdevs[i]->id, id))
            return i;
    }
    return -1;
}

bool pc_net_init(Machine *m, PciBus *pci, const IrqLine isa_irq[16], FwCfg *fw_cfg,
                 bool default_nic)
{
    const VmConfig *cfg = m->cfg;
    PcNet *n = calloc(1, sizeof(*n));
    if (!n) {
        fprintf(stderr, "doppel: out of memory\n");
        return false;
    }
    machine_add_device(m, &pc_net_class, n);
    char err[256];

    /* Back-ends first: -nic ones get their NIC right away. */
    int nic_devices = 0;
    for (int i = 0; i < cfg->ndevices; i++)
        nic_devices += net_is_nic_driver(cfg->devices[i].driver);
    for (int i = 0; i < cfg->nnics; i++) {
        const NicConfig *nc = &cfg->nics[i];
        const char *opt = nc->netdev ? "-netdev" : "-nic";
        NetOptions o;
        if (!net_parse_spec(nc->spec, nc->netdev, &o, err, sizeof(err))) {
            fprintf(stderr, "doppel: %s: %s\n", opt, err);
            net_options_free(&o);
            return false;
        }
        if (o.netdev && pc_net_find_netdev(n, o.id) >= 0) {
            fprintf(stderr, "doppel: -netdev: duplicate id '%s'\n", o.id);
            net_options_free(&o);
            return false;
        }
        NetDev *nd = netdev_create(&o, m, err, sizeof(err));
        if (!nd) {
            fprintf(stderr, "doppel: %s: %s\n", opt, err);
            net_options_free(&o);
            return false;
        }
        int idx = n->nnetdevs++;
        n->netdevs[idx] = nd;
        if (!o.netdev) {
            n->used[idx] = true;
            NetNicModel model = o.model == NET_NIC_DEFAULT ? NET_NIC_E1000 : o.model;
            bool ok = pc_net_add_nic(n, m, pci, isa_irq, fw_cfg, model, nd,
                                     o.has_mac ? o.mac : NULL, 0x300, 9, "-nic");
            if (!ok) {
                net_options_free(&o);
                return false;
            }
        }
        net_options_free(&o);
    }

    /* -device e1000|ne2k_pci|ne2k_isa[,netdev=ID][,mac=...] */
    for (int i = 0; i < cfg->ndevices; i++) {
        const DeviceConfig *dc = &cfg->devices[i];
        if (!net_is_nic_driver(dc->driver))
            continue;
        NetNicProps p;
        if (!net_parse_device(dc->driver, dc->props, &p, err, sizeof(err))) {
            fprintf(stderr, "doppel: -device %s: %s\n", dc->driver, err);
            return false;
        }
        NetDev *nd = NULL;
        if (p.netdev[0]) {
            int idx = pc_net_find_netdev(n, p.netdev);
            if (idx < 0) {
                fprintf(stderr, "doppel: -device %s: no -netdev with id '%s'\n", dc->driver,
                        p.netdev);
                return false;
            }
            if (n->used[idx]) {
                fprintf(stderr, "doppel: -device %s: netdev '%s' is already in use\n",
                        dc->driver, p.netdev);
                return false;
            }
            n->used[idx] = true;
            nd = n->netdevs[idx];
        } else {
            /* No back-end: a NIC with the cable unplugged, as in QEMU. */
            nd = netdev_new(NULL);
            if (!nd) {
                fprintf(stderr, "doppel: out of memory\n");
                return false;
            }
            n->used[n->nnetdevs] = true;
            n->netdevs[n->nnetdevs++] = nd;
        }
        char what[64];
        snprintf(what, sizeof(what), "-device %s", dc->driver);
        if (!pc_net_add_nic(n, m, pci, isa_irq, fw_cfg, p.model, nd, p.has_mac ? p.mac : NULL,
                            p.iobase, p.irq, what))
            return false;
    }
    for (int i = 0; i < n->nnetdevs; i++) {
        if (!n->used[i])
            fprintf(stderr, "doppel: warning: -netdev %s is not used by any -device\n",
                    n->netdevs[i]->id);
    }

    if (cfg->nnics == 0 && nic_devices == 0 && !cfg->nic_none && default_nic) {
        NetOptions o;
        if (!net_parse_spec("user", false, &o, err, sizeof(err)))
            return false;
        NetDev *nd = netdev_create(&o, m, err, sizeof(err));
        net_options_free(&o);
        if (!nd) {
            fprintf(stderr, "doppel: default network: %s\n", err);
            return false;
        }
        n->used[n->nnetdevs] = true;
        n->netdevs[n->nnetdevs++] = nd;
        return pc_net_add_nic(n, m, pci, isa_irq, fw_cfg, NET_NIC_E1000, nd, NULL, 0, 0,
                              "default network");
    }
    return true;
}
