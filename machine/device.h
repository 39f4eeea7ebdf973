/*
 * DeviceClass: the one interface every device model shares. Each device
 * also has a typed constructor (pit_create(...)) that a board calls to
 * build it and wire it to the buses and IRQ lines; the class covers what
 * is common afterwards: reset and state save/load.
 */
#ifndef DOPPEL_MACHINE_DEVICE_H
#define DOPPEL_MACHINE_DEVICE_H

#include <stddef.h>
#include <stdio.h>

typedef struct DeviceClass {
    const char *name;
    size_t state_size;
    void (*reset)(void *dev);
    /* Save/load: NULL when the device has no migratable state yet. */
    int (*save)(void *dev, FILE *f);
    int (*load)(void *dev, FILE *f);
    void (*destroy)(void *dev);  /* free what the constructor allocated */
} DeviceClass;

/* A device instance registered with a machine. */
typedef struct Device {
    const DeviceClass *cls;
    void *state;
} Device;

#endif
