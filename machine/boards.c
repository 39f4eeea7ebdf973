/*
 * The board registry: every BoardClass doppel can build, for -M.
 *
 * "none" is a bare machine - RAM at 0 of cfg->ram_size bytes in m->mem, an
 * empty port space in m->io, no CPU - used by tests of the machine core.
 */
#include "machine/machine.h"
#include "machine/pc.h"

#include <string.h>

static bool board_none_init(Machine *m)
{
    uint64_t size = m->cfg->ram_size;
    if (size && !as_add_ram(&m->mem, "ram", 0, size, NULL, 0)) {
        fprintf(stderr, "doppel: cannot allocate %llu bytes of guest RAM\n",
                (unsigned long long)size);
        return false;
    }
    return true;
}

static const BoardClass board_none = {
    .name = "none",
    .desc = "empty machine: RAM and an empty port space, no CPU (tests)",
    .default_ram = 1u << 20,
    .init = board_none_init,
};

static const BoardClass *const board_table[] = {
    &board_pc,
    &board_none,
};

#define BOARD_COUNT (sizeof(board_table) / sizeof(board_table[0]))

const BoardClass *board_find(const char *name)
{
    for (size_t i = 0; i < BOARD_COUNT; i++)
        if (name && strcmp(board_table[i]->name, name) == 0)
            return board_table[i];
    return NULL;
}

void board_list(FILE *f)
{
    fprintf(f, "Supported machines:\n");
    for (size_t i = 0; i < BOARD_COUNT; i++)
        fprintf(f, "  %-10s %s\n", board_table[i]->name, board_table[i]->desc);
}
