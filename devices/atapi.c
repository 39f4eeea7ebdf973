/*
 * ATAPI CD-ROM: the PACKET protocol of ATA/ATAPI-6 (8.21 PACKET, 9.8 the
 * PACKET PIO data-in protocol, 9.9 PACKET DMA) and the MMC-3 / SPC-2
 * commands a BIOS or an OS driver issues to a read-only CD drive.
 *
 * A command builds its whole response (small commands) or streams 2048-byte
 * sectors (READ 10/12) through the drive's 128 KiB buffer. PIO data goes
 * out in DRQ blocks of at most the byte count limit the host put in the
 * cylinder registers (even except for the last block), each announced by
 * an interrupt with interrupt reason I/O=1 C/D=0; completion has I/O=1
 * C/D=1. Errors set CHECK CONDITION: ERR in status, the sense key in the
 * error register's high nibble, and sense data for REQUEST SENSE.
 */
#include "devices/ide_internal.h"

#include <string.h>

/* SCSI sense keys (SPC-2 table 107) and additional sense codes. */
enum {
    SENSE_NONE = 0, SENSE_NOT_READY = 2, SENSE_MEDIUM_ERROR = 3,
    SENSE_ILLEGAL_REQUEST = 5, SENSE_UNIT_ATTENTION = 6,
};
enum {
    ASC_UNRECOVERED_READ = 0x11, ASC_INVALID_OPCODE = 0x20, ASC_LBA_OUT_OF_RANGE = 0x21,
    ASC_INVALID_FIELD = 0x24, ASC_MEDIUM_CHANGED = 0x28, ASC_SAVING_NOT_SUPPORTED = 0x39,
    ASC_MEDIUM_NOT_PRESENT = 0x3a, ASC_REMOVAL_PREVENTED = 0x53,
};

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put_be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put_be32(uint8_t *p, uint32_t v)
{
    put_be16(p, v >> 16);
    put_be16(p + 2, v);
}

static void atapi_set_sense(IdeDrive *d, uint8_t key, uint8_t asc, uint8_t ascq)
{
    d->sense_key = key;
    d->asc = asc;
    d->ascq = ascq;
}

void atapi_reset(IdeDrive *d)
{
    atapi_set_sense(d, SENSE_NONE, 0, 0);
    d->locked = false;
    d->buf_pos = d->buf_len = 0;
    d->atapi_sectors_left = 0;
}

/* ATA-6 8.16 IDENTIFY PACKET DEVICE. */
void atapi_identify(IdeDrive *d)
{
    uint16_t id[256];
    memset(id, 0, sizeof(id));
    /* ATAPI, CD-ROM (05h), removable, DRQ within 50 us, 12-byte packets. */
    id[0] = 0x85c0;
    ide_put_string(id, 27, 20, "DOPPEL DVD-ROM");
    ide_identify_common(d, id);
    id[49] = 0x0f00;                      /* IORDY, LBA, DMA */
    id[82] = 0x4210;                      /* NOP, DEVICE RESET, PACKET */
    id[83] = 0x4000;
    id[84] = 0x4000;
    id[85] = 0x4210;
    id[87] = 0x4000;
    for (int i = 0; i < 256; i++) {
        d->io_buf[2 * i] = (uint8_t)id[i];
        d->io_buf[2 * i + 1] = (uint8_t)(id[i] >> 8);
    }
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    ide_start_pio(d, 0, IDE_SECTOR_SIZE, END_PIO_IN_LAST);
    ide_raise_irq(d);
}

/* ---- completion ------------------------------------------------------------ */

static void atapi_cmd_ok(IdeDrive *d)
{
    atapi_set_sense(d, SENSE_NONE, 0, 0);
    d->status = ST_DRDY | ST_DSC;
    d->error = 0;
    d->nsector = IR_IO | IR_COD;
    d->end = END_NONE;
    d->dma_pending = false;
    ide_raise_irq(d);
}

static void atapi_cmd_error(IdeDrive *d, uint8_t key, uint8_t asc, uint8_t ascq)
{
    atapi_set_sense(d, key, asc, ascq);
    d->status = ST_DRDY | ST_ERR;
    d->error = (uint8_t)(key << 4);
    d->nsector = IR_IO | IR_COD;
    d->end = END_NONE;
    d->dma_pending = false;
    d->buf_pos = d->buf_len = 0;
    d->atapi_sectors_left = 0;
    ide_raise_irq(d);
}

/* ---- data phase ------------------------------------------------------------- */

static uint64_t atapi_bytes_left(const IdeDrive *d)
{
    return (uint64_t)(d->buf_len - d->buf_pos) + d->atapi_sectors_left * ATAPI_SECTOR_SIZE;
}

/* Make at least want bytes (or all that is left) available in io_buf. */
static bool atapi_fill(IdeDrive *d, uint32_t want)
{
    uint32_t have = d->buf_len - d->buf_pos;
    if (have >= want || !d->atapi_sectors_left)
        return true;
    memmove(d->io_buf, d->io_buf + d->buf_pos, have);
    d->buf_pos = 0;
    d->buf_len = have;
    uint64_t room = (IDE_BUF_SIZE - have) / ATAPI_SECTOR_SIZE;
    uint64_t n = d->atapi_sectors_left < room ? d->atapi_sectors_left : room;
    if (!d->blk || !blk_read(d->blk, d->atapi_lba * ATAPI_SECTOR_SIZE, d->io_buf + have,
                             (size_t)n * ATAPI_SECTOR_SIZE))
        return false;
    d->buf_len += (uint32_t)n * ATAPI_SECTOR_SIZE;
    d->atapi_lba += n;
    d->atapi_sectors_left -= n;
    return true;
}

/* Announce the next PIO DRQ block, or complete the command. */
void atapi_data_next(IdeDrive *d)
{
    d->buf_pos = d->data_end;            /* the block just read */
    uint64_t left = atapi_bytes_left(d);
    if (left == 0) {
        atapi_cmd_ok(d);
        return;
    }
    uint32_t n = left < d->atapi_limit ? (uint32_t)left : d->atapi_limit;
    if (!atapi_fill(d, n)) {
        atapi_cmd_error(d, SENSE_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
        return;
    }
    if (n > d->buf_len - d->buf_pos)
        n = d->buf_len - d->buf_pos;
    d->lcyl = (uint8_t)n;
    d->hcyl = (uint8_t)(n >> 8);
    d->nsector = IR_IO;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    ide_start_pio(d, d->buf_pos, n, END_ATAPI_DATA);
    ide_raise_irq(d);
}

void atapi_dma_run(IdeDrive *d)
{
    IdeChannel *ch = d->ch;
    d->dma_pending = false;
    while (atapi_bytes_left(d)) {
        if (!atapi_fill(d, IDE_BUF_SIZE)) {
            atapi_cmd_error(d, SENSE_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
            return;
        }
        uint32_t n = d->buf_len - d->buf_pos;
        BmResult r = ide_bm_transfer(ch, d->io_buf + d->buf_pos, n, true);
        if (r == BM_ERROR) {
            ide_bm_fail(ch);
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        if (r == BM_SHORT) {
            d->status = ST_DRDY | ST_DSC;
            d->buf_pos = d->buf_len = 0;
            d->atapi_sectors_left = 0;
            return;
        }
        d->buf_pos += n;
    }
    ide_bm_complete(ch);
    atapi_cmd_ok(d);
}

/* Send len bytes already in io_buf (a short response), or READ's sectors. */
static void atapi_start_data(IdeDrive *d, uint32_t len)
{
    d->buf_pos = 0;
    d->buf_len = len;
    if (atapi_bytes_left(d) == 0) {
        atapi_cmd_ok(d);
        return;
    }
    if (d->atapi_dma) {
        d->dma_pending = true;
        d->dma_to_mem = true;
        d->status = ST_DRDY | ST_DSC | ST_DRQ;
        d->nsector = IR_IO;
        ide_bm_kick(d->ch);
        return;
    }
    d->data_end = 0;
    atapi_data_next(d);
}

static void atapi_reply(IdeDrive *d, uint32_t len, uint32_t alloc)
{
    d->atapi_sectors_left = 0;
    atapi_start_data(d, len < alloc ? len : alloc);
}

/* ---- commands ---------------------------------------------------------------- */

static void lba_to_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;                          /* 2-second pregap */
    p[0] = 0;
    p[1] = (uint8_t)(lba / (60 * 75));
    p[2] = (uint8_t)((lba / 75) % 60);
    p[3] = (uint8_t)(lba % 75);
}

static void put_addr(uint8_t *p, uint32_t lba, bool msf)
{
    if (msf)
        lba_to_msf(p, lba);
    else
        put_be32(p, lba);
}

/* MMC-3 5.2.15 READ TOC/PMA/ATIP, formats 0 (TOC) and 1 (session info). */
static void atapi_read_toc(IdeDrive *d, const uint8_t *cdb)
{
    bool msf = cdb[1] & 2;
    unsigned format = cdb[2] & 0x0f;
    unsigned track = cdb[6];
    uint32_t alloc = be16(cdb + 7);
    uint8_t *b = d->io_buf;
    uint32_t len;
    if (format == 0 && (cdb[9] >> 6))
        format = cdb[9] >> 6;            /* SFF-8020 placement of the format */
    memset(b, 0, 64);
    if (format == 0) {
        if (track > 1 && track != 0xaa) {
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            return;
        }
        len = 4;
        b[2] = 1;                        /* first track */
        b[3] = 1;                        /* last track */
        if (track <= 1) {
            b[len + 1] = 0x14;           /* ADR 1, data track */
            b[len + 2] = 1;
            put_addr(b + len + 4, 0, msf);
            len += 8;
        }
        b[len + 1] = 0x14;
        b[len + 2] = 0xaa;               /* lead-out */
        put_addr(b + len + 4, (uint32_t)d->nsectors, msf);
        len += 8;
    } else if (format == 1) {
        len = 12;
        b[2] = 1;                        /* first session */
        b[3] = 1;                        /* last session */
        b[5] = 0x14;
        b[6] = 1;                        /* first track of the last session */
        put_addr(b + 8, 0, msf);
    } else {
        atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    put_be16(b, len - 2);
    atapi_reply(d, len, alloc);
}

/* MMC-3 5.5.10 capabilities page 2Ah (20 bytes). */
static uint32_t atapi_page_2a(IdeDrive *d, uint8_t *p)
{
    memset(p, 0, 22);
    p[0] = 0x2a;
    p[1] = 0x14;
    p[2] = 0x03;                         /* reads CD-R, CD-RW */
    p[4] = 0x71;                         /* multi-session, mode 2 form 1/2, audio */
    p[5] = 0x00;
    p[6] = (uint8_t)(0x29 | (d->locked ? 0x02 : 0)); /* tray, eject, lock (+state) */
    put_be16(p + 8, 2816);               /* max read speed, KB/s (16x) */
    put_be16(p + 10, 256);               /* volume levels */
    put_be16(p + 12, 512);               /* buffer, KB */
    put_be16(p + 14, 2816);              /* current read speed */
    return 22;
}

/* SPC-2 / MMC-3 MODE SENSE(10), pages 01h and 2Ah. */
static void atapi_mode_sense(IdeDrive *d, const uint8_t *cdb)
{
    unsigned pc = cdb[2] >> 6, page = cdb[2] & 0x3f;
    uint32_t alloc = be16(cdb + 7);
    uint8_t *b = d->io_buf;
    if (pc == 3) {
        atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED, 0);
        return;
    }
    if (page != 0x01 && page != 0x2a && page != 0x3f) {
        atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(b, 0, 8);
    uint32_t len = 8;                    /* header, no block descriptors */
    if (page == 0x01 || page == 0x3f) {
        memset(b + len, 0, 8);
        b[len] = 0x01;                   /* read/write error recovery */
        b[len + 1] = 0x06;
        b[len + 3] = 5;                  /* read retry count */
        len += 8;
    }
    if (page == 0x2a || page == 0x3f)
        len += atapi_page_2a(d, b + len);
    put_be16(b, len - 2);
    b[2] = d->blk ? 0x01 : 0x70;         /* medium type: 120 mm data / door closed, no disc */
    atapi_reply(d, len, alloc);
}

/* MMC-3 5.2.4 GET CONFIGURATION: profile list, core, removable medium. */
static void atapi_get_configuration(IdeDrive *d, const uint8_t *cdb)
{
    unsigned rt = cdb[1] & 3, start = be16(cdb + 2);
    uint32_t alloc = be16(cdb + 7);
    uint8_t *b = d->io_buf;
    bool media = d->blk != NULL;
    uint8_t feat[3][12];
    static const uint8_t lens[3] = { 8, 12, 8 };
    static const uint16_t codes[3] = { 0x0000, 0x0001, 0x0003 };
    if (rt == 3) {
        atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(feat, 0, sizeof(feat));
    /* 0000h Profile List: CD-ROM (0008h). */
    feat[0][2] = 0x03;                   /* persistent, current */
    feat[0][3] = 4;
    put_be16(feat[0] + 4, 0x0008);
    feat[0][6] = media ? 1 : 0;          /* current profile */
    /* 0001h Core: ATAPI physical interface, DBE. */
    feat[1][2] = 0x0b;                   /* version 2, persistent, current */
    feat[1][3] = 8;
    put_be32(feat[1] + 4, 2);
    feat[1][8] = 0x01;
    /* 0003h Removable Medium: tray, eject, lock. */
    feat[2][2] = 0x03;
    feat[2][3] = 4;
    feat[2][4] = (uint8_t)(0x29 | (d->locked ? 0x04 : 0));
    memset(b, 0, 8);
    uint32_t len = 8;
    for (int i = 0; i < 3; i++) {
        bool take = rt == 2 ? codes[i] == start : codes[i] >= start;
        if (!take)
            continue;
        put_be16(feat[i], codes[i]);
        memcpy(b + len, feat[i], lens[i]);
        len += lens[i];
    }
    put_be32(b, len - 4);
    put_be16(b + 6, media ? 0x0008 : 0x0000);
    atapi_reply(d, len, alloc);
}

/* MMC-3 5.2.6 GET EVENT STATUS NOTIFICATION (polled, media class only). */
static void atapi_get_event_status(IdeDrive *d, const uint8_t *cdb)
{
    uint32_t alloc = be16(cdb + 7);
    uint8_t *b = d->io_buf;
    if (!(cdb[1] & 1)) {                 /* asynchronous mode unsupported */
        atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        return;
    }
    memset(b, 0, 8);
    b[3] = 0x10;                         /* supported classes: media */
    uint32_t len;
    if (cdb[4] & 0x10) {
        b[2] = 4;                        /* media class */
        b[4] = (uint8_t)d->media_event;
        b[5] = d->blk ? 0x02 : 0x00;     /* media present / door closed */
        d->media_event = MEDIA_EVENT_NONE;
        len = 8;
    } else {
        b[2] = 0x80;                     /* NEA: no event of a requested class */
        len = 4;
    }
    put_be16(b, len - 2);
    atapi_reply(d, len, alloc);
}

static void atapi_read(IdeDrive *d, uint64_t lba, uint64_t count)
{
    if (lba > d->nsectors || count > d->nsectors - lba) {
        atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return;
    }
    d->atapi_lba = lba;
    d->atapi_sectors_left = count;
    atapi_start_data(d, 0);
}

static bool atapi_needs_medium(uint8_t op)
{
    switch (op) {
    case 0x25: case 0x28: case 0xa8: case 0x43: case 0x51: case 0x2b:
        return true;
    }
    return false;
}

/* Execute the 12-byte command in d->packet. */
void atapi_packet_received(IdeDrive *d)
{
    const uint8_t *cdb = d->packet;
    uint8_t *b = d->io_buf;
    memcpy(d->packet, d->io_buf, 12);
    uint8_t op = cdb[0];
    d->buf_pos = d->buf_len = 0;
    d->atapi_sectors_left = 0;

    /* A pending unit attention fails the next command, except those that
     * report status (SPC-2 5.6.5, MMC-3 4.1.6.1). */
    if (d->unit_attention && op != 0x12 && op != 0x03 && op != 0x46 && op != 0x4a) {
        d->unit_attention = false;
        atapi_cmd_error(d, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
        return;
    }
    if (atapi_needs_medium(op) && !d->blk) {
        atapi_cmd_error(d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT, 0);
        return;
    }
    switch (op) {
    case 0x00:                           /* TEST UNIT READY */
        if (!d->blk)
            atapi_cmd_error(d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT, 0);
        else
            atapi_cmd_ok(d);
        break;
    case 0x03: {                         /* REQUEST SENSE, fixed format */
        memset(b, 0, 18);
        b[0] = 0x70;
        if (d->unit_attention) {
            d->unit_attention = false;
            atapi_set_sense(d, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
        }
        b[2] = d->sense_key;
        b[7] = 10;
        b[12] = d->asc;
        b[13] = d->ascq;
        atapi_set_sense(d, SENSE_NONE, 0, 0);
        atapi_reply(d, 18, cdb[4]);
        break;
    }
    case 0x12:                           /* INQUIRY (SPC-2 7.3) */
        if (cdb[1] & 1) {                /* no vital product data pages */
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            break;
        }
        memset(b, 0, 36);
        b[0] = 0x05;                     /* CD/DVD device */
        b[1] = 0x80;                     /* removable */
        b[3] = 0x21;                     /* ATAPI, response format 1 */
        b[4] = 31;
        memcpy(b + 8, "DOPPEL  ", 8);
        memcpy(b + 16, "DVD-ROM         ", 16);
        memcpy(b + 32, "1.0 ", 4);
        atapi_reply(d, 36, be16(cdb + 3));
        break;
    case 0x25:                           /* READ CAPACITY (MMC-3 5.2.13) */
        put_be32(b, d->nsectors ? (uint32_t)(d->nsectors - 1) : 0);
        put_be32(b + 4, ATAPI_SECTOR_SIZE);
        atapi_reply(d, 8, 8);
        break;
    case 0x28:                           /* READ(10) */
        atapi_read(d, be32(cdb + 2), be16(cdb + 7));
        break;
    case 0xa8:                           /* READ(12) */
        atapi_read(d, be32(cdb + 2), be32(cdb + 6));
        break;
    case 0x2b:                           /* SEEK(10) */
        if (be32(cdb + 2) >= d->nsectors)
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        else
            atapi_cmd_ok(d);
        break;
    case 0x43:
        atapi_read_toc(d, cdb);
        break;
    case 0x5a:
        atapi_mode_sense(d, cdb);
        break;
    case 0x46:
        atapi_get_configuration(d, cdb);
        break;
    case 0x4a:
        atapi_get_event_status(d, cdb);
        break;
    case 0x1b: {                         /* START STOP UNIT (MMC-3 5.2.x) */
        bool loej = cdb[4] & 2, start = cdb[4] & 1;
        if (loej && !start) {
            if (d->locked) {
                atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 0x02);
                break;
            }
            if (d->blk) {                /* eject: the image is released */
                blk_close(d->blk);
                d->blk = NULL;
                d->nsectors = 0;
                d->media_event = MEDIA_EVENT_REMOVAL;
            }
        }
        atapi_cmd_ok(d);
        break;
    }
    case 0x1e:                           /* PREVENT ALLOW MEDIUM REMOVAL */
        d->locked = cdb[4] & 1;
        atapi_cmd_ok(d);
        break;
    case 0x51: {                         /* READ DISC INFORMATION (MMC-3 5.2.11) */
        if (cdb[1] & 7) {
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
            break;
        }
        memset(b, 0, 34);
        put_be16(b, 32);
        b[2] = 0x0e;                     /* complete disc, last session complete */
        b[3] = 1;                        /* first track */
        b[4] = 1;                        /* sessions */
        b[5] = 1;                        /* first track of last session */
        b[6] = 1;                        /* last track of last session */
        memset(b + 16, 0xff, 8);         /* no lead-in/lead-out times */
        atapi_reply(d, 34, be16(cdb + 7));
        break;
    }
    case 0xbb:                           /* SET CD SPEED: accepted */
        atapi_cmd_ok(d);
        break;
    default:
        log_printf(d->ch->ide->log, LOG_unimp, "atapi: unsupported command 0x%02x\n", op);
        atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
        break;
    }
}

/* ATA-6 8.21 PACKET: wait for the 12 command bytes (no interrupt: the
 * drive reports "DRQ within 50 us" in IDENTIFY PACKET word 0). */
void atapi_cmd_packet(IdeDrive *d)
{
    uint32_t limit = (uint32_t)d->hcyl << 8 | d->lcyl;
    if (limit == 0 || limit == 0xffff)
        limit = 0xfffe;
    limit &= ~1u;                        /* blocks stay even but the last */
    if (limit == 0)
        limit = 2;
    d->atapi_limit = limit;
    d->atapi_dma = d->feature & 1;
    d->nsector = IR_COD;
    d->status = ST_DRDY | ST_DSC | ST_DRQ;
    ide_start_pio(d, 0, 12, END_ATAPI_PACKET);
}
