/*
 * x86-64 instruction encoder (see x86_64_asm.h). Encodings follow the
 * Intel SDM Vol. 2: section 2.1 (prefixes, opcode, ModRM, SIB,
 * displacement, immediate), 2.2.1 (REX) and the instruction pages.
 */
#include "cpu/host/x86_64/x86_64_asm.h"

#include <string.h>

void x64_emit8(X64Asm *a, uint8_t v)
{
    if (a->pos < a->size) {
        a->code[a->pos] = v;
    } else {
        a->overflow = true;
    }
    a->pos++;
}

void x64_emit32(X64Asm *a, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        x64_emit8(a, (uint8_t)(v >> (8 * i)));
    }
}

void x64_emit64(X64Asm *a, uint64_t v)
{
    x64_emit32(a, (uint32_t)v);
    x64_emit32(a, (uint32_t)(v >> 32));
}

void x64_patch32(X64Asm *a, size_t pos, uint32_t v)
{
    if (pos + 4 > a->size) {
        a->overflow = true;
        return;
    }
    for (int i = 0; i < 4; i++) {
        a->code[pos + i] = (uint8_t)(v >> (8 * i));
    }
}

static bool fits_i8(int64_t v) { return v == (int8_t)v; }
static bool fits_i32(int64_t v) { return v == (int32_t)v; }

void x64_opc(X64Asm *a, unsigned opc, int r, int rm, int index)
{
    unsigned rex = 0;

    if (opc & X64_P_66) {
        x64_emit8(a, 0x66);
    }
    if (opc & X64_P_F3) {
        x64_emit8(a, 0xf3);
    }
    if (opc & X64_P_F2) {
        x64_emit8(a, 0xf2);
    }
    if (opc & X64_P_W) {
        rex |= 8;
    }
    if (r >= 8) {
        rex |= 4;
    }
    if (index >= 8) {
        rex |= 2;
    }
    if (rm >= 8) {
        rex |= 1;
    }
    /* SDM 2.2.1.2: without REX, byte registers 4-7 are ah..bh. */
    if (((opc & X64_P_BYTE_R) && r >= 4 && r < 8) || ((opc & X64_P_BYTE_RM) && rm >= 4 && rm < 8)) {
        rex |= 0x40;
    }
    if (rex) {
        x64_emit8(a, (uint8_t)(0x40 | rex));
    }
    if (opc & X64_P_0F) {
        x64_emit8(a, 0x0f);
    }
    x64_emit8(a, (uint8_t)opc);
}

void x64_op_rr(X64Asm *a, unsigned opc, int r, int rm)
{
    x64_opc(a, opc, r, rm, X64_NOREG);
    x64_emit8(a, (uint8_t)(0xc0 | ((r & 7) << 3) | (rm & 7)));
}

void x64_op_mem(X64Asm *a, unsigned opc, int r, int base, int index, int shift, int32_t disp)
{
    int mod;

    x64_opc(a, opc, r, base, index);
    if (base == X64_NOREG) {
        /* SDM table 2-3: mod 00, rm 100, SIB base 101 = disp32 only. */
        x64_emit8(a, (uint8_t)(0x04 | ((r & 7) << 3)));
        x64_emit8(a, (uint8_t)((shift << 6) | ((index == X64_NOREG ? 4 : (index & 7)) << 3) | 5));
        x64_emit32(a, (uint32_t)disp);
        return;
    }
    if (disp == 0 && (base & 7) != 5) {
        mod = 0;             /* rbp/r13 with mod 00 would mean RIP/disp32 */
    } else if (fits_i8(disp)) {
        mod = 1;
    } else {
        mod = 2;
    }
    if (index == X64_NOREG && (base & 7) != 4) {
        x64_emit8(a, (uint8_t)((mod << 6) | ((r & 7) << 3) | (base & 7)));
    } else {
        /* rsp/r12 as base need a SIB byte; index 100 means none. */
        x64_emit8(a, (uint8_t)((mod << 6) | ((r & 7) << 3) | 4));
        x64_emit8(a, (uint8_t)((shift << 6) | ((index == X64_NOREG ? 4 : (index & 7)) << 3) | (base & 7)));
    }
    if (mod == 1) {
        x64_emit8(a, (uint8_t)disp);
    } else if (mod == 2) {
        x64_emit32(a, (uint32_t)disp);
    }
}

void x64_op_rip(X64Asm *a, unsigned opc, int r, uintptr_t target, int imm_bytes)
{
    x64_opc(a, opc, r, X64_NOREG, X64_NOREG);
    x64_emit8(a, (uint8_t)(0x05 | ((r & 7) << 3)));
    uintptr_t next = host_asm_rx_here(a) + 4 + (uintptr_t)imm_bytes;
    x64_emit32(a, (uint32_t)(int32_t)(intptr_t)(target - next));
}

/* ---- moves ---- */

static unsigned wbit(bool w) { return w ? X64_P_W : 0; }

void x64_mov_rr(X64Asm *a, bool w, int d, int s)
{
    if (d != s || !w) {
        x64_op_rr(a, 0x89 | wbit(w), s, d);
    }
}

void x64_movi(X64Asm *a, bool w, int d, uint64_t val, bool keep_flags)
{
    if (!w) {
        val = (uint32_t)val;
    }
    if (val == 0 && !keep_flags) {
        x64_op_rr(a, 0x31, d, d);                       /* xor r32, r32 */
    } else if (val <= 0xffffffffull) {
        x64_opc(a, 0xb8 + (d & 7), 0, d, X64_NOREG);    /* mov r32, imm32 */
        x64_emit32(a, (uint32_t)val);
    } else if (fits_i32((int64_t)val)) {
        x64_op_rr(a, 0xc7 | X64_P_W, 0, d);             /* mov r64, simm32 */
        x64_emit32(a, (uint32_t)val);
    } else {
        x64_opc(a, (0xb8 + (d & 7)) | X64_P_W, 0, d, X64_NOREG);
        x64_emit64(a, val);
    }
}

void x64_load(X64Asm *a, unsigned size_log2, bool sign, bool w, int d, int base, int index, int32_t disp)
{
    unsigned opc;

    switch (size_log2) {
    case 0:
        opc = X64_P_0F | (sign ? 0xbe : 0xb6) | (sign ? wbit(w) : 0);
        break;
    case 1:
        opc = X64_P_0F | (sign ? 0xbf : 0xb7) | (sign ? wbit(w) : 0);
        break;
    case 2:
        opc = (sign && w) ? (0x63 | X64_P_W) : 0x8b;
        break;
    default:
        opc = 0x8b | X64_P_W;
        break;
    }
    x64_op_mem(a, opc, d, base, index, 0, disp);
}

void x64_store(X64Asm *a, unsigned size_log2, int s, int base, int index, int32_t disp)
{
    static const unsigned opc[4] = { 0x88 | X64_P_BYTE_R, 0x89 | X64_P_66, 0x89, 0x89 | X64_P_W };
    x64_op_mem(a, opc[size_log2 & 3], s, base, index, 0, disp);
}

void x64_store_imm(X64Asm *a, unsigned size_log2, int32_t imm, int base, int index, int32_t disp)
{
    switch (size_log2) {
    case 0:
        x64_op_mem(a, 0xc6, 0, base, index, 0, disp);
        x64_emit8(a, (uint8_t)imm);
        break;
    case 1:
        x64_op_mem(a, 0xc7 | X64_P_66, 0, base, index, 0, disp);
        x64_emit8(a, (uint8_t)imm);
        x64_emit8(a, (uint8_t)(imm >> 8));
        break;
    default:
        x64_op_mem(a, 0xc7 | (size_log2 == 3 ? X64_P_W : 0), 0, base, index, 0, disp);
        x64_emit32(a, (uint32_t)imm);
        break;
    }
}

void x64_lea(X64Asm *a, bool w, int d, int base, int index, int shift, int32_t disp)
{
    x64_op_mem(a, 0x8d | wbit(w), d, base, index, shift, disp);
}

void x64_ext(X64Asm *a, unsigned size_log2, bool sign, bool w, int d, int s)
{
    switch (size_log2) {
    case 0:
        x64_op_rr(a, X64_P_0F | X64_P_BYTE_RM | (sign ? 0xbe | wbit(w) : 0xb6), d, s);
        break;
    case 1:
        x64_op_rr(a, X64_P_0F | (sign ? 0xbf | wbit(w) : 0xb7), d, s);
        break;
    default:
        if (sign && w) {
            x64_op_rr(a, 0x63 | X64_P_W, d, s);        /* movsxd */
        } else {
            x64_op_rr(a, 0x89, s, d);                  /* mov r32, r32 */
        }
        break;
    }
}

/* ---- arithmetic ---- */

void x64_alu_rr(X64Asm *a, X64Alu op, bool w, int d, int s)
{
    x64_op_rr(a, (0x01 | (op << 3)) | wbit(w), s, d);
}

void x64_alu_ri(X64Asm *a, X64Alu op, bool w, int d, int32_t imm)
{
    if (fits_i8(imm)) {
        x64_op_rr(a, 0x83 | wbit(w), op, d);
        x64_emit8(a, (uint8_t)imm);
    } else {
        x64_op_rr(a, 0x81 | wbit(w), op, d);
        x64_emit32(a, (uint32_t)imm);
    }
}

void x64_alu_mi(X64Asm *a, X64Alu op, bool w, int base, int32_t disp, int32_t imm)
{
    if (fits_i8(imm)) {
        x64_op_mem(a, 0x83 | wbit(w), op, base, X64_NOREG, 0, disp);
        x64_emit8(a, (uint8_t)imm);
    } else {
        x64_op_mem(a, 0x81 | wbit(w), op, base, X64_NOREG, 0, disp);
        x64_emit32(a, (uint32_t)imm);
    }
}

void x64_test_rr(X64Asm *a, bool w, int d, int s)
{
    x64_op_rr(a, 0x85 | wbit(w), s, d);
}

void x64_test_ri(X64Asm *a, bool w, int d, int32_t imm)
{
    x64_op_rr(a, 0xf7 | wbit(w), 0, d);
    x64_emit32(a, (uint32_t)imm);
}

void x64_shift_ri(X64Asm *a, X64Shift op, bool w, int d, unsigned count)
{
    if (count == 1) {
        x64_op_rr(a, 0xd1 | wbit(w), op, d);
    } else {
        x64_op_rr(a, 0xc1 | wbit(w), op, d);
        x64_emit8(a, (uint8_t)count);
    }
}

void x64_shift_rcl(X64Asm *a, X64Shift op, bool w, int d)
{
    x64_op_rr(a, 0xd3 | wbit(w), op, d);
}

void x64_unary(X64Asm *a, X64Unary op, bool w, int d)
{
    x64_op_rr(a, 0xf7 | wbit(w), op, d);
}

void x64_imul_rr(X64Asm *a, bool w, int d, int s)
{
    x64_op_rr(a, X64_P_0F | 0xaf | wbit(w), d, s);
}

void x64_imul_rri(X64Asm *a, bool w, int d, int s, int32_t imm)
{
    if (fits_i8(imm)) {
        x64_op_rr(a, 0x6b | wbit(w), d, s);
        x64_emit8(a, (uint8_t)imm);
    } else {
        x64_op_rr(a, 0x69 | wbit(w), d, s);
        x64_emit32(a, (uint32_t)imm);
    }
}

void x64_bswap(X64Asm *a, bool w, int d)
{
    x64_opc(a, X64_P_0F | (0xc8 + (d & 7)) | wbit(w), 0, d, X64_NOREG);
}

void x64_cqo(X64Asm *a, bool w)
{
    x64_opc(a, 0x99 | wbit(w), 0, 0, X64_NOREG);
}

/* ---- conditions and control flow ---- */

void x64_setcc(X64Asm *a, X64Cond cc, int d)
{
    x64_op_rr(a, X64_P_0F | X64_P_BYTE_RM | (0x90 + cc), 0, d);
}

void x64_cmov(X64Asm *a, X64Cond cc, bool w, int d, int s)
{
    x64_op_rr(a, X64_P_0F | (0x40 + cc) | wbit(w), d, s);
}

size_t x64_jcc32(X64Asm *a, X64Cond cc)
{
    x64_emit8(a, 0x0f);
    x64_emit8(a, (uint8_t)(0x80 + cc));
    size_t field = a->pos;
    x64_emit32(a, 0);
    return field;
}

size_t x64_jmp32(X64Asm *a)
{
    x64_emit8(a, 0xe9);
    size_t field = a->pos;
    x64_emit32(a, 0);
    return field;
}

size_t x64_call32(X64Asm *a)
{
    x64_emit8(a, 0xe8);
    size_t field = a->pos;
    x64_emit32(a, 0);
    return field;
}

size_t x64_jcc8(X64Asm *a, X64Cond cc)
{
    x64_emit8(a, (uint8_t)(0x70 + cc));
    x64_emit8(a, 0);
    return a->pos - 1;
}

size_t x64_jmp8(X64Asm *a)
{
    x64_emit8(a, 0xeb);
    x64_emit8(a, 0);
    return a->pos - 1;
}

void x64_bind_rel8(X64Asm *a, size_t field_pos)
{
    int64_t rel = (int64_t)a->pos - (int64_t)(field_pos + 1);
    if (field_pos < a->size && rel >= -128 && rel <= 127) {
        a->code[field_pos] = (uint8_t)rel;
    } else {
        a->overflow = true;
    }
}

void x64_set_rel32(X64Asm *a, size_t field_pos, size_t target)
{
    x64_patch32(a, field_pos, (uint32_t)(int32_t)((int64_t)target - (int64_t)(field_pos + 4)));
}

bool x64_rel32_reaches(const X64Asm *a, uintptr_t target, int insn_len)
{
    int64_t disp = (int64_t)(target - (host_asm_rx_here(a) + (uintptr_t)insn_len));
    return fits_i32(disp);
}

static void x64_branch_abs(X64Asm *a, uintptr_t target, int scratch, uint8_t rel_opc, int digit)
{
    if (x64_rel32_reaches(a, target, 5)) {
        x64_emit8(a, rel_opc);
        uintptr_t next = host_asm_rx_here(a) + 4;
        x64_emit32(a, (uint32_t)(int32_t)(intptr_t)(target - next));
    } else {
        x64_movi(a, true, scratch, target, true);
        x64_op_rr(a, 0xff, digit, scratch);
    }
}

void x64_call_abs(X64Asm *a, uintptr_t target, int scratch)
{
    x64_branch_abs(a, target, scratch, 0xe8, 2);
}

void x64_jmp_abs(X64Asm *a, uintptr_t target, int scratch)
{
    x64_branch_abs(a, target, scratch, 0xe9, 4);
}

void x64_push(X64Asm *a, int r)
{
    x64_opc(a, 0x50 + (r & 7), 0, r, X64_NOREG);
}

void x64_pop(X64Asm *a, int r)
{
    x64_opc(a, 0x58 + (r & 7), 0, r, X64_NOREG);
}

void x64_ret(X64Asm *a)
{
    x64_emit8(a, 0xc3);
}

void x64_mfence(X64Asm *a)
{
    x64_emit8(a, 0x0f);
    x64_emit8(a, 0xae);
    x64_emit8(a, 0xf0);
}

void x64_align(X64Asm *a, unsigned align, unsigned want)
{
    /* Recommended multi-byte NOP sequences, SDM Vol. 2B "NOP", table 4-12. */
    static const uint8_t nops[8][8] = {
        { 0x90 },
        { 0x66, 0x90 },
        { 0x0f, 0x1f, 0x00 },
        { 0x0f, 0x1f, 0x40, 0x00 },
        { 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
        { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
    };
    size_t pad = (want - host_asm_rx_here(a)) & (align - 1);

    while (pad > 0) {
        size_t n = pad > 8 ? 8 : pad;
        for (size_t i = 0; i < n; i++) {
            x64_emit8(a, nops[n - 1][i]);
        }
        pad -= n;
    }
}
