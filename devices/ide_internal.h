/*
 * IDE controller internals shared by ide.c (channels, ATA commands, PIO),
 * atapi.c (the PACKET command set) and ide_bmdma.c (bus-master DMA and the
 * PIIX IDE PCI function). Not for use outside these files.
 */
#ifndef DOPPEL_DEVICES_IDE_INTERNAL_H
#define DOPPEL_DEVICES_IDE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/ide.h"

#define IDE_SECTOR_SIZE 512u
#define ATAPI_SECTOR_SIZE 2048u
#define IDE_BUF_SIZE (256u * IDE_SECTOR_SIZE)   /* 128 KiB: a full LBA28 count */
#define IDE_MAX_MULT 16

/* Status register bits (ATA-6 7.15.6). */
enum {
    ST_ERR = 0x01, ST_DRQ = 0x08, ST_DSC = 0x10, ST_DF = 0x20, ST_DRDY = 0x40, ST_BSY = 0x80,
};
/* Error register bits (ATA-6 7.9). */
enum { ERR_ABRT = 0x04, ERR_IDNF = 0x10, ERR_UNC = 0x40 };
/* Device control bits (ATA-6 7.8). */
enum { DC_NIEN = 0x02, DC_SRST = 0x04, DC_HOB = 0x80 };
/* ATAPI interrupt reason in the sector count register (ATA-6 7.15.3). */
enum { IR_COD = 0x01, IR_IO = 0x02 };
/* Bus master registers (PIIX3 datasheet 2.7.x). */
enum { BM_CMD_START = 0x01, BM_CMD_READ = 0x08 };
enum { BM_ST_ACTIVE = 0x01, BM_ST_ERROR = 0x02, BM_ST_INT = 0x04, BM_ST_DMA_CAP = 0x60 };

typedef enum IdeKind { IDE_KIND_NONE, IDE_KIND_DISK, IDE_KIND_CDROM } IdeKind;

/* What happens when the host has moved the current PIO block. */
typedef enum IdeEnd {
    END_NONE,
    END_PIO_IN_LAST,     /* last data-in block: command complete */
    END_READ,            /* READ SECTORS/MULTIPLE: next block or done */
    END_WRITE,           /* WRITE SECTORS/MULTIPLE: commit block, next or done */
    END_ATAPI_PACKET,    /* 12-byte command received: execute it */
    END_ATAPI_DATA,      /* ATAPI data-in block consumed: next or done */
} IdeEnd;

/* MMC GET EVENT STATUS NOTIFICATION media event codes. */
enum { MEDIA_EVENT_NONE = 0, MEDIA_EVENT_NEW = 2, MEDIA_EVENT_REMOVAL = 3 };

typedef struct IdeChannel IdeChannel;

typedef struct IdeDrive {
    IdeChannel *ch;
    int unit;                 /* 0 master, 1 slave */
    IdeKind kind;
    BlockDev *blk;            /* NULL: absent or empty CD drive */
    uint64_t nsectors;        /* disk: 512-byte sectors; CD: 2048-byte */
    uint8_t *io_buf;          /* IDE_BUF_SIZE bytes */

    /* Geometry: default (IDENTIFY words 1/3/6) and current translation. */
    uint16_t cyls, heads, spt;
    uint16_t cur_cyls, cur_heads, cur_spt;
    unsigned mult_sectors;    /* 0: READ/WRITE MULTIPLE disabled */
    bool write_cache;
    uint8_t pio_mode, mwdma_mode, udma_mode; /* selected; 0xff none */

    /* Task file as latched by this device, with the HOB copies. */
    uint8_t feature, nsector, sector, lcyl, hcyl, select;
    uint8_t hob_feature, hob_nsector, hob_sector, hob_lcyl, hob_hcyl;
    uint8_t status, error;
    bool irq_pending;

    /* PIO transfer. */
    IdeEnd end;
    uint32_t data_pos, data_end;

    /* Current ATA data command. */
    uint8_t cmd;
    bool lba48;
    uint64_t xfer_lba;        /* next sector to move */
    uint64_t xfer_left;       /* sectors still to move */
    uint32_t block_sectors;   /* per DRQ block */
    bool dma_pending;         /* waiting for the bus master to start */
    bool dma_to_mem;          /* device -> memory (a read command) */

    /* ATAPI. */
    uint8_t packet[12];
    uint8_t sense_key, asc, ascq;
    bool unit_attention;      /* medium changed: next command fails once */
    int media_event;          /* pending GET EVENT STATUS media event */
    bool locked;              /* PREVENT MEDIUM REMOVAL */
    uint32_t atapi_limit;     /* PIO byte count limit, even, non-zero */
    bool atapi_dma;           /* PACKET feature bit 0 */
    uint32_t buf_pos, buf_len;        /* undelivered bytes in io_buf */
    uint64_t atapi_lba;               /* next sector to load */
    uint64_t atapi_sectors_left;      /* sectors not yet loaded */
} IdeDrive;

struct IdeChannel {
    IdeController *ide;
    int index;
    IdeDrive drives[2];
    int cur;                  /* selected unit (DEV bit) */
    uint8_t devctl;
    IrqLine irq;
    int irq_level;
    MemRegion *mr_cmd, *mr_ctl;
    /* Bus master (PIIX3 BMICOM/BMISTA/BMIDTP). */
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    uint64_t prd_next;        /* address of the next PRD entry */
    uint64_t prd_addr;        /* current entry: where the next byte goes */
    uint32_t prd_left;        /* bytes left in the current entry */
    bool prd_eot;             /* the current entry is the last */
    unsigned prd_count;       /* entries fetched since start */
};

struct IdeController {
    IdeChannel ch[2];
    AddressSpace *io;
    PciDevice *pci;
    MemRegion *bm_mr;
    const Log *log;
};

/* Result of moving bytes through the PRD table. */
typedef enum BmResult { BM_OK, BM_SHORT, BM_ERROR } BmResult;

/* ide.c */
void ide_raise_irq(IdeDrive *d);
void ide_update_irq(IdeChannel *ch);
void ide_abort(IdeDrive *d);
void ide_set_signature(IdeDrive *d);
void ide_start_pio(IdeDrive *d, uint32_t pos, uint32_t len, IdeEnd end);
void ide_put_string(uint16_t *words, int first, int nwords, const char *s);
void ide_identify_common(IdeDrive *d, uint16_t *id);
void ide_disk_dma_run(IdeDrive *d);

/* ide_bmdma.c */
/** Rewind the PRD walker to the table start (bus master start). */
void ide_bm_rewind(IdeChannel *ch);
/** Move len bytes between buf and the PRD buffers. */
BmResult ide_bm_transfer(IdeChannel *ch, void *buf, uint32_t len, bool to_mem);
/** DMA command done without error: interrupt, BM status per PIIX rules. */
void ide_bm_complete(IdeChannel *ch);
/** Mark a bus-master error (bad PRD/buffer): error bit, engine stops. */
void ide_bm_fail(IdeChannel *ch);
/** Run the pending DMA of the selected drive if the engine is started. */
void ide_bm_kick(IdeChannel *ch);

/* atapi.c */
void atapi_reset(IdeDrive *d);
void atapi_identify(IdeDrive *d);
void atapi_cmd_packet(IdeDrive *d);
void atapi_packet_received(IdeDrive *d);
void atapi_data_next(IdeDrive *d);
void atapi_dma_run(IdeDrive *d);

#endif
