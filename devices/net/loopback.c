/*
 * Loopback back-end (-nic loopback / -netdev loopback,id=...): every frame
 * the guest transmits is received again by the same NIC, as with a
 * loopback plug on the port. Used by tests to drive a NIC's transmit and
 * receive paths end to end without a host network.
 */
#include "devices/net/netdev.h"

static void net_loopback_send(void *be, const uint8_t *frame, size_t len)
{
    netdev_receive(be, frame, len);
}

static const NetBackendOps net_loopback_ops = {
    .name = "loopback",
    .send = net_loopback_send,
    .destroy = NULL,
};

void net_loopback_attach(NetDev *nd)
{
    netdev_set_backend(nd, &net_loopback_ops, nd);
}
