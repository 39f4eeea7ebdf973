/*
 * IDE channels, the ATA command set and PIO data transfer.
 *
 * Implements ATA/ATAPI-6 (INCITS 361-2002): the command block registers
 * with their 48-bit "previous content" (HOB) copies (7.1-7.16), the
 * device control register with nIEN and SRST (7.8, 9.2 software reset and
 * signatures 9.12), and the PIO data-in / data-out / non-data protocols
 * (9.5-9.7): a data-in command interrupts once per DRQ block before the
 * host reads it; a data-out command interrupts after each block the host
 * wrote, the last one included. Every access is checked against the image
 * size before it reaches the block device (IDNF past the end).
 *
 * Everything completes synchronously inside the register access that
 * triggers it; the ATAPI packet commands live in atapi.c and bus-master
 * DMA in ide_bmdma.c.
 */
#include "devices/ide_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static IdeDrive *cur_drive(IdeChannel *ch) { return &ch->drives[ch->cur]; }

/* ---- interrupts ----------------------------------------------------------- */

void ide_update_irq(IdeChannel *ch)
{
    /* Only the selected device drives INTRQ; nIEN releases it (ATA-6 7.8). */
    int level = cur_drive(ch)->irq_pending && !(ch->devctl & DC_NIEN);
    if (level != ch->irq_level) {
        ch->irq_level = level;
        irq_set(&ch->irq, level);
    }
}

void ide_raise_irq(IdeDrive *d)
{
    d->irq_pending = true;
    d->ch->bm_status |= BM_ST_INT;   /* PIIX3 BMISTA bit 2: IDE interrupt seen */
    ide_update_irq(d->ch);
}

static void ide_error(IdeDrive *d, uint8_t err)
{
    d->status = ST_DRDY | ST_DSC | ST_ERR;
    d->error = err;
    d->end = END_NONE;
    d->dma_pending = false;
    ide_raise_irq(d);
}

void ide_abort(IdeDrive *d) { ide_error(d, ERR_ABRT); }

static void ide_ok(IdeDrive *d)
{
    d->status = ST_DRDY | ST_DSC;
    d->error = 0;
    d->end = END_NONE;
    ide_raise_irq(d);
}

/* ATA-6 9.12: the signature a device leaves after reset or diagnostics. */
void ide_set_signature(IdeDrive *d)
{
    d->nsector = d->sector = 1;
    d->hob_nsector = d->hob_sector = 0;
    d->hob_lcyl = d->hob_hcyl = d->hob_feature = 0;
    if (d->kind == IDE_KIND_CDROM) {
        d->lcyl = 0x14;
        d->hcyl = 0xeb;
    } else {
        d->lcyl = d->hcyl = 0;
    }
    d->select = 0;
}

void ide_start_pio(IdeDrive *d, uint32_t pos, uint32_t len, IdeEnd end)
{
    d->data_pos = pos;
    d->data_end = pos + len;
    d->end = end;
}

/* ---- IDENTIFY ------------------------------------------------------------- */

/* ATA strings: two characters per word, the first in the high byte, padded
 * with spaces (ATA-6 3.2.9). */
void ide_put_string(uint16_t *words, int first, int nwords, const char *s)
{
    size_t len = strlen(s);
    for (int i = 0; i < nwords * 2; i++) {
        uint8_t c = (size_t)i < len ? (uint8_t)s[i] : ' ';
        uint16_t *w = &words[first + i / 2];
        *w = (i & 1) ? (uint16_t)((*w & 0xff00) | c) : (uint16_t)((*w & 0x00ff) | c << 8);
    }
}

/* Words shared by IDENTIFY DEVICE and IDENTIFY PACKET DEVICE. */
void ide_identify_common(IdeDrive *d, uint16_t *id)
{
    char serial[21];
    snprintf(serial, sizeof(serial), "DOPPEL%02d%06d", d->ch->index * 2 + d->unit, 4242);
    ide_put_string(id, 10, 10, serial);
    ide_put_string(id, 23, 4, "1.0");
    id[53] = 0x0006;                      /* words 64-70 and 88 valid */
    id[63] = 0x0007;                      /* multiword DMA 0-2 supported */
    if (d->mwdma_mode <= 2)
        id[63] |= (uint16_t)(0x100 << d->mwdma_mode);
    id[64] = 0x0003;                      /* PIO modes 3 and 4 */
    id[65] = id[66] = id[67] = id[68] = 120;
    id[80] = 0x007e;                      /* ATA-1..ATA-6 */
    id[88] = 0x003f;                      /* UDMA 0-5 supported */
    if (d->udma_mode <= 5)
        id[88] |= (uint16_t)(0x100 << d->udma_mode);
    /* Word 93: hardware reset result, 80-conductor cable detected. */
    id[93] = d->unit ? 0x6100 : 0x600b;
}

/* Integrity word 255 (ATA-6 8.15.62): 0xA5 signature, checksum so the 512
 * bytes sum to zero. */
static void ide_identify_checksum(uint16_t *id)
{
    uint8_t sum = 0xa5;
    id[255] = 0x00a5;
    for (int i = 0; i < 255; i++)
        sum = (uint8_t)(sum + (id[i] & 0xff) + (id[i] >> 8));
    id[255] |= (uint16_t)((uint8_t)-sum) << 8;
}

static void ide_store_words(IdeDrive *d, const uint16_t *id)
{
    for (int i = 0; i < 256; i++) {
        d->io_buf[2 * i] = (uint8_t)id[i];
        d->io_buf[2 * i + 1] = (uint8_t)(id[i] >> 8);
    }
}

/* ATA-6 8.15 IDENTIFY DEVICE, table 27. */
static void ide_identify(IdeDrive *d)
{
    uint16_t id[256];
    memset(id, 0, sizeof(id));
    id[0] = 0x0040;                       /* fixed device */
    id[1] = d->cyls;
    id[3] = d->heads;
    id[6] = d->spt;
    ide_put_string(id, 27, 20, "DOPPEL HARDDISK");
    ide_identify_common(d, id);
    id[47] = 0x8000 | IDE_MAX_MULT;
    id[49] = 0x0f00;                      /* IORDY, LBA, DMA */
    id[50] = 0x4000;
    id[51] = id[52] = 0x0200;
    id[53] |= 0x0001;                     /* words 54-58 valid */
    id[54] = d->cur_cyls;
    id[55] = d->cur_heads;
    id[56] = d->cur_spt;
    uint32_t chs = (uint32_t)d->cur_cyls * d->cur_heads * d->cur_spt;
    id[57] = (uint16_t)chs;
    id[58] = (uint16_t)(chs >> 16);
    if (d->mult_sectors)
        id[59] = (uint16_t)(0x100 | d->mult_sectors);
    uint64_t lba28 = d->nsectors < 0x0fffffff ? d->nsectors : 0x0fffffff;
    id[60] = (uint16_t)lba28;
    id[61] = (uint16_t)(lba28 >> 16);
    id[82] = 0x4020;                      /* NOP, write cache */
    id[83] = 0x7400;                      /* FLUSH CACHE (EXT), 48-bit */
    id[84] = 0x4000;
    id[85] = (uint16_t)(0x4000 | (d->write_cache ? 0x20 : 0));
    id[86] = 0x3400;
    id[87] = 0x4000;
    for (int i = 0; i < 4; i++)
        id[100 + i] = (uint16_t)(d->nsectors >> (16 * i));
    ide_identify_checksum(id);
    ide_store_words(d, id);
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    ide_start_pio(d, 0, IDE_SECTOR_SIZE, END_PIO_IN_LAST);
    ide_raise_irq(d);
}

/* ---- addressing ------------------------------------------------------------ */

/* The starting sector of a command: 48-bit, 28-bit LBA or CHS through the
 * current translation (ATA-6 6.2). False for an invalid CHS address. */
static bool ide_get_lba(IdeDrive *d, bool lba48, uint64_t *lba)
{
    if (lba48) {
        *lba = (uint64_t)d->hob_hcyl << 40 | (uint64_t)d->hob_lcyl << 32 |
               (uint64_t)d->hob_sector << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sector;
        return true;
    }
    if (d->select & 0x40) {
        *lba = (uint64_t)(d->select & 0x0f) << 24 | (uint64_t)d->hcyl << 16 |
               (uint64_t)d->lcyl << 8 | d->sector;
        return true;
    }
    unsigned cyl = (unsigned)d->hcyl << 8 | d->lcyl, head = d->select & 0x0f;
    if (d->sector == 0 || d->sector > d->cur_spt || head >= d->cur_heads || cyl >= d->cur_cyls)
        return false;
    *lba = ((uint64_t)cyl * d->cur_heads + head) * d->cur_spt + d->sector - 1u;
    return true;
}

/* Sector count: 0 means 256 (28-bit) or 65536 (48-bit), ATA-6 7.14. */
static uint32_t ide_get_count(IdeDrive *d, bool lba48)
{
    if (lba48) {
        uint32_t n = (uint32_t)d->hob_nsector << 8 | d->nsector;
        return n ? n : 65536;
    }
    return d->nsector ? d->nsector : 256;
}

/* Decode and range-check a transfer; on failure the command has already
 * completed with IDNF. */
static bool ide_setup_xfer(IdeDrive *d, bool lba48)
{
    uint64_t lba;
    uint32_t count = ide_get_count(d, lba48);
    if (!ide_get_lba(d, lba48, &lba) || lba >= d->nsectors || count > d->nsectors - lba) {
        ide_error(d, ERR_IDNF);
        return false;
    }
    d->lba48 = lba48;
    d->xfer_lba = lba;
    d->xfer_left = count;
    return true;
}

/* ---- PIO data commands ----------------------------------------------------- */

static uint32_t ide_block_len(IdeDrive *d)
{
    return d->xfer_left < d->block_sectors ? (uint32_t)d->xfer_left : d->block_sectors;
}

static void ide_read_block(IdeDrive *d)
{
    uint32_t n = ide_block_len(d);
    if (!blk_read_sectors(d->blk, d->xfer_lba, d->io_buf, n)) {
        ide_error(d, ERR_UNC);
        return;
    }
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    ide_start_pio(d, 0, n * IDE_SECTOR_SIZE, END_READ);
    ide_raise_irq(d);
}

static void ide_cmd_read_pio(IdeDrive *d, bool lba48, bool multiple)
{
    if (multiple && !d->mult_sectors) {
        ide_abort(d);
        return;
    }
    if (!ide_setup_xfer(d, lba48))
        return;
    d->block_sectors = multiple ? d->mult_sectors : 1;
    ide_read_block(d);
}

static void ide_cmd_write_pio(IdeDrive *d, bool lba48, bool multiple)
{
    if ((multiple && !d->mult_sectors) || blk_is_readonly(d->blk)) {
        ide_abort(d);
        return;
    }
    if (!ide_setup_xfer(d, lba48))
        return;
    d->block_sectors = multiple ? d->mult_sectors : 1;
    /* Data-out: DRQ for the first block without an interrupt (ATA-6 9.7). */
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    ide_start_pio(d, 0, ide_block_len(d) * IDE_SECTOR_SIZE, END_WRITE);
}

static void ide_cmd_dma(IdeDrive *d, bool lba48, bool to_mem)
{
    if (!to_mem && blk_is_readonly(d->blk)) {
        ide_abort(d);
        return;
    }
    if (!ide_setup_xfer(d, lba48))
        return;
    d->dma_pending = true;
    d->dma_to_mem = to_mem;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    ide_bm_kick(d->ch);
}

void ide_disk_dma_run(IdeDrive *d)
{
    IdeChannel *ch = d->ch;
    d->dma_pending = false;
    while (d->xfer_left) {
        uint32_t n = d->xfer_left < IDE_BUF_SIZE / IDE_SECTOR_SIZE
                         ? (uint32_t)d->xfer_left : IDE_BUF_SIZE / IDE_SECTOR_SIZE;
        uint32_t bytes = n * IDE_SECTOR_SIZE;
        BmResult r;
        if (d->dma_to_mem) {
            if (!blk_read_sectors(d->blk, d->xfer_lba, d->io_buf, n)) {
                ide_error(d, ERR_UNC);
                return;
            }
            r = ide_bm_transfer(ch, d->io_buf, bytes, true);
        } else {
            r = ide_bm_transfer(ch, d->io_buf, bytes, false);
            if (r == BM_OK && !blk_write_sectors(d->blk, d->xfer_lba, d->io_buf, n)) {
                ide_abort(d);
                return;
            }
        }
        if (r == BM_ERROR) {
            ide_bm_fail(ch);
            ide_abort(d);
            return;
        }
        if (r == BM_SHORT) {
            /* PRD table shorter than the command: the engine stops without
             * an interrupt and the driver times out, as on the PIIX. */
            d->status = ST_DRDY | ST_DSC;
            return;
        }
        d->xfer_lba += n;
        d->xfer_left -= n;
    }
    d->status = ST_DRDY | ST_DSC;
    d->error = 0;
    ide_bm_complete(ch);
    ide_raise_irq(d);
}

/* The host moved the whole current PIO block. */
static void ide_block_done(IdeDrive *d)
{
    IdeEnd end = d->end;
    d->end = END_NONE;
    switch (end) {
    case END_NONE:
        break;
    case END_PIO_IN_LAST:
        d->status = ST_DRDY | ST_DSC;
        break;
    case END_READ: {
        uint32_t n = ide_block_len(d);
        d->xfer_lba += n;
        d->xfer_left -= n;
        if (d->xfer_left)
            ide_read_block(d);
        else
            d->status = ST_DRDY | ST_DSC;   /* no interrupt after the last block */
        break;
    }
    case END_WRITE: {
        uint32_t n = ide_block_len(d);
        if (!blk_write_sectors(d->blk, d->xfer_lba, d->io_buf, n)) {
            ide_abort(d);
            break;
        }
        d->xfer_lba += n;
        d->xfer_left -= n;
        if (d->xfer_left) {
            d->status = ST_DRDY | ST_DSC | ST_DRQ;
            ide_start_pio(d, 0, ide_block_len(d) * IDE_SECTOR_SIZE, END_WRITE);
            ide_raise_irq(d);
        } else {
            ide_ok(d);
        }
        break;
    }
    case END_ATAPI_PACKET:
        atapi_packet_received(d);
        break;
    case END_ATAPI_DATA:
        atapi_data_next(d);
        break;
    }
}

static bool ide_data_in(const IdeDrive *d)
{
    return d->end == END_PIO_IN_LAST || d->end == END_READ || d->end == END_ATAPI_DATA;
}

static uint32_t ide_data_read(IdeChannel *ch, unsigned size)
{
    IdeDrive *d = cur_drive(ch);
    if (d->kind == IDE_KIND_NONE || !(d->status & ST_DRQ) || !ide_data_in(d))
        return 0;
    uint32_t v = 0;
    for (unsigned i = 0; i < size && d->data_pos < d->data_end; i++)
        v |= (uint32_t)d->io_buf[d->data_pos++] << (8 * i);
    if (d->data_pos >= d->data_end)
        ide_block_done(d);
    return v;
}

static void ide_data_write(IdeChannel *ch, uint32_t v, unsigned size)
{
    IdeDrive *d = cur_drive(ch);
    if (d->kind == IDE_KIND_NONE || !(d->status & ST_DRQ) ||
        (d->end != END_WRITE && d->end != END_ATAPI_PACKET))
        return;
    for (unsigned i = 0; i < size && d->data_pos < d->data_end; i++)
        d->io_buf[d->data_pos++] = (uint8_t)(v >> (8 * i));
    if (d->data_pos >= d->data_end)
        ide_block_done(d);
}

/* ---- other ATA commands ------------------------------------------------------ */

static void ide_diagnostic(IdeChannel *ch, IdeDrive *issuer)
{
    /* ATA-6 8.11: both devices run diagnostics and leave their signature;
     * the error register holds the result, 01h = passed. */
    for (int u = 0; u < 2; u++) {
        IdeDrive *x = &ch->drives[u];
        if (x->kind == IDE_KIND_NONE)
            continue;
        ide_set_signature(x);
        x->error = 0x01;
        x->status = x->kind == IDE_KIND_DISK ? ST_DRDY | ST_DSC : 0;
        x->end = END_NONE;
        x->dma_pending = false;
    }
    IdeDrive *d0 = &ch->drives[0];
    if (d0->kind != IDE_KIND_NONE) {
        ch->cur = 0;
        issuer = d0;
    }
    ide_raise_irq(issuer);
}

/* ATA-6 8.37 SET FEATURES. */
static void ide_set_features(IdeDrive *d)
{
    switch (d->feature) {
    case 0x03: {                          /* set transfer mode */
        unsigned mode = d->nsector & 7;
        switch (d->nsector >> 3) {
        case 0:                           /* PIO default */
        case 1:                           /* PIO flow control mode n */
            if (mode > 4)
                goto bad;
            d->pio_mode = (uint8_t)mode;
            break;
        case 4:                           /* multiword DMA mode n */
            if (mode > 2)
                goto bad;
            d->mwdma_mode = (uint8_t)mode;
            d->udma_mode = 0xff;
            break;
        case 8:                           /* Ultra DMA mode n */
            if (mode > 5)
                goto bad;
            d->udma_mode = (uint8_t)mode;
            d->mwdma_mode = 0xff;
            break;
        default:
            goto bad;
        }
        break;
    }
    case 0x02:
        d->write_cache = true;
        break;
    case 0x82:
        d->write_cache = false;
        break;
    case 0x55: case 0xaa:                 /* read look-ahead off/on */
    case 0x66: case 0xcc:                 /* revert to power-on defaults off/on */
        break;
    default:
        goto bad;
    }
    ide_ok(d);
    return;
bad:
    ide_abort(d);
}

static void ide_exec_disk(IdeDrive *d, uint8_t cmd)
{
    switch (cmd) {
    case 0xec: ide_identify(d); break;
    case 0x20: case 0x21: ide_cmd_read_pio(d, false, false); break;
    case 0x24: ide_cmd_read_pio(d, true, false); break;
    case 0xc4: ide_cmd_read_pio(d, false, true); break;
    case 0x29: ide_cmd_read_pio(d, true, true); break;
    case 0x30: case 0x31: ide_cmd_write_pio(d, false, false); break;
    case 0x34: ide_cmd_write_pio(d, true, false); break;
    case 0xc5: ide_cmd_write_pio(d, false, true); break;
    case 0x39: ide_cmd_write_pio(d, true, true); break;
    case 0xc8: case 0xc9: ide_cmd_dma(d, false, true); break;
    case 0x25: ide_cmd_dma(d, true, true); break;
    case 0xca: case 0xcb: ide_cmd_dma(d, false, false); break;
    case 0x35: ide_cmd_dma(d, true, false); break;
    case 0x40: case 0x41:                 /* READ VERIFY SECTORS */
    case 0x42:                            /* READ VERIFY SECTORS EXT */
        if (ide_setup_xfer(d, cmd == 0x42))
            ide_ok(d);
        break;
    case 0xe7: case 0xea:                 /* FLUSH CACHE (EXT) */
        if (blk_flush(d->blk))
            ide_ok(d);
        else
            ide_abort(d);
        break;
    case 0x91: {                          /* INITIALIZE DEVICE PARAMETERS */
        unsigned heads = (d->select & 0x0f) + 1u, spt = d->nsector;
        if (spt == 0) {
            ide_abort(d);
            break;
        }
        uint64_t cyls = d->nsectors / (heads * spt);
        d->cur_heads = (uint16_t)heads;
        d->cur_spt = (uint16_t)spt;
        d->cur_cyls = (uint16_t)(cyls > 65535 ? 65535 : cyls);
        ide_ok(d);
        break;
    }
    case 0xc6:                            /* SET MULTIPLE MODE (ATA-6 8.39) */
        if (d->nsector > IDE_MAX_MULT || (d->nsector & (d->nsector - 1))) {
            ide_abort(d);
            break;
        }
        d->mult_sectors = d->nsector;
        ide_ok(d);
        break;
    case 0x70:                            /* SEEK */
    case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: case 0x15: case 0x16: case 0x17:
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
        ide_ok(d);                        /* RECALIBRATE (obsolete, harmless) */
        break;
    default:
        log_printf(d->ch->ide->log, LOG_unimp, "ide: unsupported ATA command 0x%02x\n", cmd);
        ide_abort(d);
        break;
    }
}

static void ide_exec_cdrom(IdeDrive *d, uint8_t cmd)
{
    switch (cmd) {
    case 0xa0: atapi_cmd_packet(d); break;
    case 0xa1: atapi_identify(d); break;
    case 0x08:                            /* DEVICE RESET: no interrupt (9.11) */
        atapi_reset(d);
        ide_set_signature(d);
        d->status = 0;
        d->error = 0x01;
        d->end = END_NONE;
        d->dma_pending = false;
        break;
    default:
        /* ATA-6 8.15.7: IDENTIFY DEVICE and the read commands abort with the
         * PACKET signature so the host knows to use IDENTIFY PACKET. */
        ide_set_signature(d);
        ide_abort(d);
        break;
    }
}

static void ide_exec_cmd(IdeChannel *ch, uint8_t cmd)
{
    IdeDrive *d = cur_drive(ch);
    if (d->kind == IDE_KIND_NONE)
        return;
    if ((d->status & ST_BSY) && cmd != 0x08)
        return;                           /* ignored while busy (7.15) */
    d->irq_pending = false;               /* writing the command clears INTRQ */
    ide_update_irq(ch);
    d->cmd = cmd;
    d->end = END_NONE;
    d->dma_pending = false;
    switch (cmd) {
    case 0x90:
        ide_diagnostic(ch, d);
        return;
    case 0xe5: case 0x98:                 /* CHECK POWER MODE: active/idle */
        d->nsector = 0xff;
        ide_ok(d);
        return;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3: case 0xe6:
    case 0x94: case 0x95: case 0x96: case 0x97: case 0x99:
        ide_ok(d);                        /* STANDBY/IDLE/SLEEP: always awake */
        return;
    case 0xef:
        ide_set_features(d);
        return;
    case 0x00:                            /* NOP aborts by definition (8.22) */
        ide_abort(d);
        return;
    }
    if (d->kind == IDE_KIND_CDROM)
        ide_exec_cdrom(d, cmd);
    else
        ide_exec_disk(d, cmd);
}

/* ---- register interface ------------------------------------------------------ */

static uint8_t ide_reg_read(IdeChannel *ch, unsigned reg)
{
    IdeDrive *d = cur_drive(ch);
    bool empty = ch->drives[0].kind == IDE_KIND_NONE && ch->drives[1].kind == IDE_KIND_NONE;
    bool absent = d->kind == IDE_KIND_NONE;
    bool hob = ch->devctl & DC_HOB;
    if (empty)
        return 0;
    switch (reg) {
    case 1: return absent ? 0 : d->error;
    case 2: return hob ? d->hob_nsector : d->nsector;
    case 3: return hob ? d->hob_sector : d->sector;
    case 4: return hob ? d->hob_lcyl : d->lcyl;
    case 5: return hob ? d->hob_hcyl : d->hcyl;
    case 6: return d->select;
    case 7:
        if (absent)
            return 0;
        d->irq_pending = false;           /* reading Status acknowledges INTRQ */
        ide_update_irq(ch);
        return d->status;
    }
    return 0xff;
}

static void ide_reg_write(IdeChannel *ch, unsigned reg, uint8_t v)
{
    ch->devctl &= (uint8_t)~DC_HOB;      /* 7.8: cleared by any command block write */
    if (reg == 7) {
        ide_exec_cmd(ch, v);
        return;
    }
    for (int u = 0; u < 2; u++) {
        IdeDrive *d = &ch->drives[u];
        switch (reg) {
        case 1: d->hob_feature = d->feature; d->feature = v; break;
        case 2: d->hob_nsector = d->nsector; d->nsector = v; break;
        case 3: d->hob_sector = d->sector; d->sector = v; break;
        case 4: d->hob_lcyl = d->lcyl; d->lcyl = v; break;
        case 5: d->hob_hcyl = d->hcyl; d->hcyl = v; break;
        case 6: d->select = v; break;
        }
    }
    if (reg == 6) {
        ch->cur = (v >> 4) & 1;
        ide_update_irq(ch);
    }
}

static uint64_t ide_cmd_read(void *opaque, uint64_t off, unsigned size)
{
    IdeChannel *ch = opaque;
    if (off == 0)
        return ide_data_read(ch, size);
    uint64_t v = 0;
    for (unsigned i = 0; i < size && off + i < 8; i++)
        v |= (uint64_t)ide_reg_read(ch, (unsigned)off + i) << (8 * i);
    return v;
}

static void ide_cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    IdeChannel *ch = opaque;
    if (off == 0) {
        ide_data_write(ch, (uint32_t)val, size);
        return;
    }
    for (unsigned i = 0; i < size && off + i < 8; i++)
        ide_reg_write(ch, (unsigned)off + i, (uint8_t)(val >> (8 * i)));
}

static const MemRegionOps ide_cmd_ops = {
    .read = ide_cmd_read,
    .write = ide_cmd_write,
    .min_access = 1,
    .max_access = 4,
};

/* Alternate status (no INTRQ side effect) / device control. */
static uint64_t ide_ctl_read(void *opaque, uint64_t off, unsigned size)
{
    IdeChannel *ch = opaque;
    IdeDrive *d = cur_drive(ch);
    bool empty = ch->drives[0].kind == IDE_KIND_NONE && ch->drives[1].kind == IDE_KIND_NONE;
    if (empty || d->kind == IDE_KIND_NONE)
        return 0;
    return d->status;
}

static void ide_drive_soft_reset(IdeDrive *d)
{
    ide_set_signature(d);
    d->error = 0x01;
    d->status = d->kind == IDE_KIND_DISK ? ST_DRDY | ST_DSC : 0;
    d->end = END_NONE;
    d->dma_pending = false;
    d->irq_pending = false;
    if (d->kind == IDE_KIND_CDROM)
        atapi_reset(d);
}

static void ide_ctl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    IdeChannel *ch = opaque;
    uint8_t old = ch->devctl, v = (uint8_t)val;
    ch->devctl = v;
    if (!(old & DC_SRST) && (v & DC_SRST)) {
        /* SRST asserted: both devices busy until it is released (9.2). */
        for (int u = 0; u < 2; u++) {
            IdeDrive *d = &ch->drives[u];
            if (d->kind == IDE_KIND_NONE)
                continue;
            d->status = ST_BSY | ST_DSC;
            d->end = END_NONE;
            d->dma_pending = false;
            d->irq_pending = false;
        }
    } else if ((old & DC_SRST) && !(v & DC_SRST)) {
        for (int u = 0; u < 2; u++)
            if (ch->drives[u].kind != IDE_KIND_NONE)
                ide_drive_soft_reset(&ch->drives[u]);
        ch->cur = 0;
    }
    ide_update_irq(ch);
}

static const MemRegionOps ide_ctl_ops = {
    .read = ide_ctl_read,
    .write = ide_ctl_write,
    .min_access = 1,
    .max_access = 1,
};

/* ---- life cycle -------------------------------------------------------------- */

static void ide_drive_hard_reset(IdeDrive *d)
{
    d->feature = d->hob_feature = 0;
    d->cur_cyls = d->cyls;
    d->cur_heads = d->heads;
    d->cur_spt = d->spt;
    d->mult_sectors = IDE_MAX_MULT;
    d->write_cache = true;
    d->pio_mode = 4;
    d->mwdma_mode = 0xff;
    d->udma_mode = 5;
    ide_drive_soft_reset(d);
}

void ide_reset(IdeController *ide)
{
    for (int c = 0; c < 2; c++) {
        IdeChannel *ch = &ide->ch[c];
        ch->devctl = 0;
        ch->cur = 0;
        ch->bm_cmd = 0;
        ch->bm_status = 0;
        ch->bm_prd = 0;
        for (int u = 0; u < 2; u++) {
            IdeDrive *d = &ch->drives[u];
            if (d->kind == IDE_KIND_NONE)
                continue;
            ide_drive_hard_reset(d);
            ch->bm_status |= (uint8_t)(0x20 << u);   /* drive DMA capable */
        }
        ide_update_irq(ch);
    }
}

static void ide_reset_cb(void *dev) { ide_reset(dev); }
static void ide_destroy_cb(void *dev) { ide_destroy(dev); }

const DeviceClass ide_device_class = {
    .name = "ide",
    .state_size = sizeof(IdeController),
    .reset = ide_reset_cb,
    .destroy = ide_destroy_cb,
};

IdeController *ide_create(AddressSpace *io, IrqLine irq14, IrqLine irq15, const Log *log)
{
    static const uint16_t cmd_base[2] = { 0x1f0, 0x170 };
    static const uint16_t ctl_base[2] = { 0x3f6, 0x376 };
    static const char *const cmd_name[2] = { "ide0", "ide1" };
    static const char *const ctl_name[2] = { "ide0-ctl", "ide1-ctl" };
    IdeController *ide = calloc(1, sizeof(*ide));
    if (!ide)
        return NULL;
    ide->io = io;
    ide->log = log;
    for (int c = 0; c < 2; c++) {
        IdeChannel *ch = &ide->ch[c];
        ch->ide = ide;
        ch->index = c;
        ch->irq = c ? irq15 : irq14;
        for (int u = 0; u < 2; u++) {
            ch->drives[u].ch = ch;
            ch->drives[u].unit = u;
        }
        ch->mr_cmd = as_add_io(io, cmd_name[c], cmd_base[c], 8, &ide_cmd_ops, ch, 0);
        ch->mr_ctl = as_add_io(io, ctl_name[c], ctl_base[c], 1, &ide_ctl_ops, ch, 0);
    }
    return ide;
}

void ide_destroy(IdeController *ide)
{
    if (!ide)
        return;
    for (int c = 0; c < 2; c++) {
        IdeChannel *ch = &ide->ch[c];
        as_remove(ide->io, ch->mr_cmd);
        as_remove(ide->io, ch->mr_ctl);
        for (int u = 0; u < 2; u++) {
            blk_close(ch->drives[u].blk);
            free(ch->drives[u].io_buf);
        }
    }
    free(ide);
}

static IdeDrive *ide_slot(IdeController *ide, int index)
{
    if (index < 0 || index > 3)
        return NULL;
    IdeDrive *d = &ide->ch[index >> 1].drives[index & 1];
    if (d->kind != IDE_KIND_NONE)
        return NULL;
    d->io_buf = calloc(1, IDE_BUF_SIZE);
    return d->io_buf ? d : NULL;
}

bool ide_attach_disk(IdeController *ide, int index, BlockDev *blk)
{
    IdeDrive *d = blk ? ide_slot(ide, index) : NULL;
    if (!d)
        return false;
    d->kind = IDE_KIND_DISK;
    d->blk = blk;
    d->nsectors = blk_nsectors(blk);
    /* Default CHS translation: 16 heads, 63 sectors, at most 16383 cylinders. */
    uint64_t cyls = d->nsectors / (16 * 63);
    d->heads = 16;
    d->spt = 63;
    d->cyls = (uint16_t)(cyls > 16383 ? 16383 : cyls < 1 ? 1 : cyls);
    ide_drive_hard_reset(d);
    d->ch->bm_status |= (uint8_t)(0x20 << d->unit);
    return true;
}

bool ide_attach_cdrom(IdeController *ide, int index, BlockDev *blk)
{
    IdeDrive *d = ide_slot(ide, index);
    if (!d)
        return false;
    d->kind = IDE_KIND_CDROM;
    d->blk = blk;
    d->nsectors = blk ? blk_size(blk) / ATAPI_SECTOR_SIZE : 0;
    ide_drive_hard_reset(d);
    d->ch->bm_status |= (uint8_t)(0x20 << d->unit);
    return true;
}

bool ide_cdrom_change_media(IdeController *ide, int index, BlockDev *blk)
{
    if (index < 0 || index > 3)
        return false;
    IdeDrive *d = &ide->ch[index >> 1].drives[index & 1];
    if (d->kind != IDE_KIND_CDROM)
        return false;
    blk_close(d->blk);
    d->blk = blk;
    d->nsectors = blk ? blk_size(blk) / ATAPI_SECTOR_SIZE : 0;
    d->locked = false;
    if (blk) {
        d->unit_attention = true;         /* MMC: NOT READY TO READY CHANGE */
        d->media_event = MEDIA_EVENT_NEW;
    } else {
        d->media_event = MEDIA_EVENT_REMOVAL;
    }
    return true;
}
