/*
 * x86 decoder: prefixes, opcode maps, ModRM/SIB/displacement, immediates.
 * Intel SDM Vol. 2, ch. 2 (instruction format), 2.2.1 (REX), Table 2-1/2-2
 * (16- and 32-bit ModRM), Table 2-3 (SIB), A.2-A.4 (opcode maps).
 */
#include "cpu/x86/x86_decode.h"

#include <string.h>

#include "cpu/x86/x86_cpu.h"

#define X86_OPC(map, opc, mnem, handler, a, b, c, fl) \
    [(map) * 256 + (opc)] = { mnem, { a, b, c }, fl },
static const X86OpcodeInfo opcode_table[4 * 256] = {
#include "cpu/x86/x86_opcodes.def"
};
#undef X86_OPC

const X86OpcodeInfo *x86_opcode_info(int map, uint8_t opcode)
{
    if (map < 0 || map > 3)
        return NULL;
    const X86OpcodeInfo *t = &opcode_table[map * 256];
    if (t[opcode].mnemonic)
        return &t[opcode];
    if (t[opcode & ~7].mnemonic && (t[opcode & ~7].flags & X86F_ROW8))
        return &t[opcode & ~7];
    if (t[opcode & ~15].mnemonic && (t[opcode & ~15].flags & X86F_ROW16))
        return &t[opcode & ~15];
    return NULL;
}

/* Byte stream with the 15-byte limit (SDM Vol. 2 2.3.11). */
typedef struct Reader {
    X86Insn *in;
    X86FetchFn fetch;
    void *opaque;
    bool too_long;
} Reader;

static uint8_t next_byte(Reader *r)
{
    X86Insn *in = r->in;
    if (in->len >= 15) {
        r->too_long = true;
        return 0;
    }
    uint8_t b = r->fetch(r->opaque, in->pc + in->len);
    in->bytes[in->len++] = b;
    return b;
}

/* Little-endian immediate of n bytes, zero-extended. */
static uint64_t next_uint(Reader *r, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)next_byte(r) << (8 * i);
    return v;
}

static int64_t next_sint(Reader *r, int n)
{
    uint64_t v = next_uint(r, n);
    int shift = 64 - 8 * n;
    return (int64_t)(v << shift) >> shift;
}

static bool operand_uses_modrm(X86Operand op)
{
    switch (op) {
    case Eb: case Ev: case Ew: case Ed: case Gb: case Gv: case Sw:
    case Cd: case Dd: case Rd: case M: case Mp:
        return true;
    default:
        return false;
    }
}

/* 16-bit addressing forms (SDM Vol. 2 Table 2-1). */
static void decode_mem16(Reader *r, X86Insn *in)
{
    static const int8_t base16[8] = { R_EBX, R_EBX, R_EBP, R_EBP, R_ESI, R_EDI, R_EBP, R_EBX };
    static const int8_t index16[8] = { R_ESI, R_EDI, R_ESI, R_EDI, -1, -1, -1, -1 };
    int rm = in->modrm & 7;
    in->base = base16[rm];
    in->index = index16[rm];
    in->scale = 0;
    if (in->mod == 0 && rm == 6) {
        in->base = -1;
        in->disp = next_sint(r, 2);
    } else if (in->mod == 1) {
        in->disp = next_sint(r, 1);
    } else if (in->mod == 2) {
        in->disp = next_sint(r, 2);
    }
    in->default_seg = (in->base == R_EBP) ? R_SS : R_DS;
}

/* 32/64-bit addressing forms (SDM Vol. 2 Tables 2-2, 2-3; 2.2.1.6 RIP-relative). */
static void decode_mem32(Reader *r, X86Insn *in)
{
    int rex_b = (in->rex & 1) ? 8 : 0;
    int rex_x = (in->rex & 2) ? 8 : 0;
    int rm = in->modrm & 7;
    in->index = -1;
    in->scale = 0;
    if (rm == 4) {
        uint8_t sib = next_byte(r);
        int base = sib & 7;
        int index = ((sib >> 3) & 7) | rex_x;
        in->scale = sib >> 6;
        in->index = (index == 4) ? -1 : index;
        if (base == 5 && in->mod == 0) {
            in->base = -1;
            in->disp = next_sint(r, 4);
        } else {
            in->base = base | rex_b;
        }
    } else if (rm == 5 && in->mod == 0) {
        in->base = -1;
        in->disp = next_sint(r, 4);
        in->rip_relative = (in->mode == X86_MODE64);
    } else {
        in->base = rm | rex_b;
    }
    if (in->mod == 1)
        in->disp = next_sint(r, 1);
    else if (in->mod == 2)
        in->disp = next_sint(r, 4);
    in->default_seg = (in->base == R_ESP || in->base == R_EBP) ? R_SS : R_DS;
}

static void decode_modrm(Reader *r, X86Insn *in, bool force_reg)
{
    in->has_modrm = true;
    in->modrm = next_byte(r);
    in->mod = in->modrm >> 6;
    in->reg = ((in->modrm >> 3) & 7) | ((in->rex & 4) ? 8 : 0);
    in->rm = (in->modrm & 7) | ((in->rex & 1) ? 8 : 0);
    in->base = in->index = -1;
    in->default_seg = R_DS;
    if (force_reg)              /* MOV CRn/DRn: mod is ignored (SDM MOV-to/from-CR) */
        in->mod = 3;
    if (in->mod == 3)
        return;
    if (in->addrsize == 2)
        decode_mem16(r, in);
    else
        decode_mem32(r, in);
}

/* Size of an immediate operand kind in bytes (0: not an immediate). */
static int imm_size(const X86Insn *in, X86Operand op)
{
    switch (op) {
    case Ib: case Ibs: case Jb: return 1;
    case Iw: return 2;
    case Iz: return in->opsize == 2 ? 2 : 4;
    case Iv: return in->opsize;
    case Jz: return in->opsize == 2 ? 2 : 4;
    case Ob: case Ov: return in->addrsize;
    case Ap: return (in->opsize == 2 ? 2 : 4) + 2;
    default: return 0;
    }
}

static int64_t read_imm(Reader *r, const X86Insn *in, X86Operand op)
{
    int n = imm_size(in, op);
    switch (op) {
    case Ibs: case Jb: case Jz: return next_sint(r, n);
    case Iz: return in->opsize == 2 ? (int64_t)next_uint(r, 2) : next_sint(r, 4);
    default: return (int64_t)next_uint(r, n);
    }
}

static void set_sizes(X86Insn *in, uint16_t flags)
{
    bool rex_w = in->rex & 8;
    switch (in->mode) {
    case X86_MODE16:
        in->opsize = in->opsize_prefix ? 4 : 2;
        in->addrsize = in->addrsize_prefix ? 4 : 2;
        break;
    case X86_MODE32:
        in->opsize = in->opsize_prefix ? 2 : 4;
        in->addrsize = in->addrsize_prefix ? 2 : 4;
        break;
    case X86_MODE64:
        in->addrsize = in->addrsize_prefix ? 4 : 8;
        if (rex_w || (flags & X86F_F64))
            in->opsize = 8;
        else if (in->opsize_prefix)
            in->opsize = 2;
        else
            in->opsize = (flags & X86F_D64) ? 8 : 4;
        break;
    }
}

X86DecodeStatus x86_decode(X86Insn *in, X86CodeMode mode, uint64_t pc, X86FetchFn fetch,
                           void *opaque)
{
    memset(in, 0, sizeof(*in));
    in->pc = pc;
    in->mode = mode;
    in->seg = X86_SEG_NONE;
    in->base = in->index = -1;
    Reader r = { in, fetch, opaque, false };

    /* Legacy prefixes, then (64-bit mode) REX immediately before the opcode:
     * a REX followed by another prefix is ignored (SDM Vol. 2 2.2.1). */
    uint8_t b;
    for (;;) {
        b = next_byte(&r);
        if (r.too_long)
            return X86_DECODE_TOO_LONG;
        switch (b) {
        case 0xf0: in->lock = true; in->rex = 0; continue;
        case 0xf2: case 0xf3: in->rep = b; in->rex = 0; continue;
        case 0x26: in->seg = R_ES; in->rex = 0; continue;
        case 0x2e: in->seg = R_CS; in->rex = 0; continue;
        case 0x36: in->seg = R_SS; in->rex = 0; continue;
        case 0x3e: in->seg = R_DS; in->rex = 0; continue;
        case 0x64: in->seg = R_FS; in->rex = 0; continue;
        case 0x65: in->seg = R_GS; in->rex = 0; continue;
        case 0x66: in->opsize_prefix = true; in->rex = 0; continue;
        case 0x67: in->addrsize_prefix = true; in->rex = 0; continue;
        default: break;
        }
        if (mode == X86_MODE64 && (b & 0xf0) == 0x40) {
            in->rex = b;
            continue;
        }
        break;
    }
    in->map = 0;
    if (b == 0x0f) {
        in->map = 1;
        b = next_byte(&r);
        if (b == 0x38 || b == 0x3a) {        /* three-byte maps 0F 38 / 0F 3A (SDM Vol. 2 A.2.1) */
            in->map = b == 0x38 ? 2 : 3;
            b = next_byte(&r);
        }
    }
    in->opcode = b;
    if (r.too_long)
        return X86_DECODE_TOO_LONG;

    const X86OpcodeInfo *info = x86_opcode_info(in->map, b);
    in->info = info;
    if (!info)
        return X86_DECODE_UD;
    if ((info->flags & X86F_I64) && mode == X86_MODE64)
        return X86_DECODE_UD;

    set_sizes(in, info->flags);

    bool modrm = info->flags & X86F_MODRM;
    bool force_reg = false;
    for (int i = 0; i < 3; i++) {
        modrm |= operand_uses_modrm(info->op[i]);
        force_reg |= (info->op[i] == Rd);
    }
    if (modrm) {
        decode_modrm(&r, in, force_reg);
        if (r.too_long)
            return X86_DECODE_TOO_LONG;
        if ((info->flags & X86F_GRP5) && mode == X86_MODE64) {
            int op = (in->modrm >> 3) & 7;
            if (op == 2 || op == 4)
                in->opsize = 8;                       /* near CALL/JMP: forced 64 */
            else if (op == 6 && !in->opsize_prefix)
                in->opsize = 8;                       /* PUSH: default 64 */
        }
        if ((info->flags & X86F_REG0) && ((in->modrm >> 3) & 7) != 0)
            return X86_DECODE_UD;
    }
    for (int i = 0; i < 3; i++) {
        X86Operand op = info->op[i];
        if (op == Zb || op == Zv)
            in->rm = (b & 7) | ((in->rex & 1) ? 8 : 0);
    }

    /* Immediates follow ModRM/SIB/displacement. */
    int nimm = 0;
    for (int i = 0; i < 3; i++) {
        X86Operand op = info->op[i];
        if (!imm_size(in, op))
            continue;
        if (op == Ap) {
            in->imm = (int64_t)next_uint(&r, in->opsize == 2 ? 2 : 4);
            in->imm2 = (int64_t)next_uint(&r, 2);
        } else if (nimm++ == 0) {
            in->imm = read_imm(&r, in, op);
        } else {
            in->imm2 = read_imm(&r, in, op);
        }
    }
    if ((info->flags & X86F_GRP3) && ((in->modrm >> 3) & 7) < 2)
        in->imm = read_imm(&r, in, (info->flags & X86F_BYTE) || b == 0xf6 ? Ib : Iz);
    if (r.too_long)
        return X86_DECODE_TOO_LONG;

    /* LOCK needs a lockable opcode with a memory destination (SDM Vol. 2 LOCK). */
    if (in->lock && (!(info->flags & X86F_LOCK) || !in->has_modrm || in->mod == 3))
        return X86_DECODE_UD;
    return X86_DECODE_OK;
}
