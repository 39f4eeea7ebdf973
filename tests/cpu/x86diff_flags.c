/*
 * x86diff: which arithmetic flags each tested instruction defines, leaves
 * undefined, and reads. Every rule below is the "Flags Affected" section of
 * the instruction in the Intel SDM Vol. 2 (order 325383); section names are
 * cited per case. An undefined flag is not compared unless a later
 * instruction writes it with a defined value (the analysis in
 * x86diff_gen.c), and the generator never lets an instruction read a flag
 * that may be undefined.
 */
#include <string.h>

#include "tests/cpu/x86diff_gen.h"

#define ALL DF_ARITH
#define SZP (DF_SF | DF_ZF | DF_PF)

static bool is(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

/* Flags a condition code reads (SDM Vol. 2 Jcc, Table B-1 in Vol. 1). */
static uint32_t cond_reads(int cond)
{
    switch ((cond & 15) >> 1) {
    case 0: return DF_OF;                      /* O, NO */
    case 1: return DF_CF;                      /* B, AE */
    case 2: return DF_ZF;                      /* E, NE */
    case 3: return DF_CF | DF_ZF;              /* BE, A */
    case 4: return DF_SF;                      /* S, NS */
    case 5: return DF_PF;                      /* P, NP */
    case 6: return DF_SF | DF_OF;              /* L, GE */
    default: return DF_ZF | DF_SF | DF_OF;     /* LE, G */
    }
}

/* SAL/SAR/SHL/SHR "Flags Affected": count 0 affects nothing; CF is the
 * last bit out, undefined for SHL/SHR when count >= operand width; OF only
 * for 1-bit shifts, else undefined; SF ZF PF from the result; AF
 * undefined for a non-zero count. count is masked to 5 bits (6 with
 * REX.W). Unknown count: any of these may happen. */
static DiffFlagEffect shift_effect(bool logical, int bits, int count)
{
    DiffFlagEffect fx = { 0, 0, 0 };
    if (count < 0) {
        fx.undef = DF_OF | DF_AF | ((logical && bits < 32) ? DF_CF : 0);
        return fx;
    }
    int c = count & (bits == 64 ? 63 : 31);
    if (c == 0)
        return fx;
    fx.def = DF_CF | SZP | DF_OF;
    fx.undef = DF_AF;
    if (c > 1)
        fx.undef |= DF_OF;
    if (logical && c >= bits)
        fx.undef |= DF_CF;
    fx.def &= ~fx.undef;
    return fx;
}

/* RCL/RCR/ROL/ROR "Flags Affected": CF is affected only for a non-zero
 * (masked) count and OF only for 1-bit rotates (undefined otherwise); SF
 * ZF AF PF are unaffected. RCL/RCR rotate through CF (Operation: the
 * count is taken modulo 9 or 17 for 8/16-bit operands and CF changes only
 * while the remaining count is non-zero). */
static DiffFlagEffect rotate_effect(bool through_carry, int bits, int count)
{
    DiffFlagEffect fx = { 0, 0, 0 };
    if (count < 0) {
        fx.undef = DF_OF;
        fx.read = through_carry ? DF_CF : 0;
        return fx;
    }
    int c = count & (bits == 64 ? 63 : 31);
    if (c == 0)
        return fx;
    int eff = through_carry ? (bits < 32 ? c % (bits + 1) : c) : c;
    if (eff != 0 || !through_carry)
        fx.def |= DF_CF;
    if (through_carry && eff != 0)
        fx.read |= DF_CF;
    if (c == 1)
        fx.def |= DF_OF;
    else
        fx.undef |= DF_OF;
    return fx;
}

/* SHLD/SHRD "Flags Affected": count 0 affects nothing; CF last bit out,
 * SF ZF PF from the result; OF for 1-bit shifts, undefined above; AF
 * undefined; all flags undefined when count > operand size. */
static DiffFlagEffect double_shift_effect(int bits, int count)
{
    DiffFlagEffect fx = { 0, 0, 0 };
    if (count < 0) {
        fx.undef = ALL;
        return fx;
    }
    int c = count & (bits == 64 ? 63 : 31);
    if (c == 0)
        return fx;
    if (c > bits) {
        fx.undef = ALL;
        return fx;
    }
    fx.def = DF_CF | SZP | (c == 1 ? DF_OF : 0);
    fx.undef = DF_AF | (c == 1 ? 0 : DF_OF);
    return fx;
}

DiffFlagEffect diff_flag_effect(const char *name, int opsize, int count, int cond, int rep_count)
{
    DiffFlagEffect fx = { 0, 0, 0 };
    int bits = opsize * 8;

    /* ADD, SUB, CMP, NEG, XADD, CMPXCHG: "The OF, SF, ZF, AF, CF, and PF
     * flags are set according to the result." ADC/SBB also read CF. */
    if (is(name, "add") || is(name, "sub") || is(name, "cmp") || is(name, "neg") || is(name, "xadd")
        || is(name, "cmpxchg")) {
        fx.def = ALL;
    } else if (is(name, "adc") || is(name, "sbb")) {
        fx.def = ALL;
        fx.read = DF_CF;
    /* AND, OR, XOR, TEST: "OF and CF cleared; SF, ZF, PF set according to
     * the result. The state of the AF flag is undefined." */
    } else if (is(name, "and") || is(name, "or") || is(name, "xor") || is(name, "test")) {
        fx.def = DF_CF | DF_OF | SZP;
        fx.undef = DF_AF;
    /* INC, DEC: "The CF flag is not affected. The OF, SF, ZF, AF, and PF
     * flags are set according to the result." */
    } else if (is(name, "inc") || is(name, "dec")) {
        fx.def = ALL & ~DF_CF;
    /* MUL, IMUL: "CF and OF ... SF, ZF, AF, and PF flags are undefined." */
    } else if (is(name, "mul") || is(name, "imul")) {
        fx.def = DF_CF | DF_OF;
        fx.undef = SZP | DF_AF;
    /* DIV, IDIV: "The CF, OF, SF, ZF, AF, and PF flags are undefined." */
    } else if (is(name, "div") || is(name, "idiv")) {
        fx.undef = ALL;
    } else if (is(name, "shl") || is(name, "sal") || is(name, "shr")) {
        fx = shift_effect(true, bits, count);
    } else if (is(name, "sar")) {
        fx = shift_effect(false, bits, count);
    } else if (is(name, "rol") || is(name, "ror")) {
        fx = rotate_effect(false, bits, count);
    } else if (is(name, "rcl") || is(name, "rcr")) {
        fx = rotate_effect(true, bits, count);
    } else if (is(name, "shld") || is(name, "shrd")) {
        fx = double_shift_effect(bits, count);
    /* BT, BTS, BTR, BTC: "The CF flag contains the value of the selected
     * bit. The ZF flag is unaffected. The OF, SF, AF, and PF flags are
     * undefined." */
    } else if (is(name, "bt") || is(name, "bts") || is(name, "btr") || is(name, "btc")) {
        fx.def = DF_CF;
        fx.undef = DF_OF | DF_SF | DF_AF | DF_PF;
    /* BSF, BSR: "The ZF flag is set to 1 if the source operand is 0;
     * otherwise, the ZF flag is cleared. The CF, OF, SF, AF, and PF flags
     * are undefined." */
    } else if (is(name, "bsf") || is(name, "bsr")) {
        fx.def = DF_ZF;
        fx.undef = DF_CF | DF_OF | DF_SF | DF_AF | DF_PF;
    /* POPCNT: "OF, SF, ZF, AF, CF, PF are all cleared. ZF is set if
     * SRC = 0, otherwise ZF is cleared." */
    } else if (is(name, "popcnt")) {
        fx.def = ALL;
    /* SAHF: "The SF, ZF, AF, PF, and CF flags are loaded with values from
     * the AH register." LAHF reads the same five. */
    } else if (is(name, "sahf")) {
        fx.def = SZP | DF_AF | DF_CF;
    } else if (is(name, "lahf")) {
        fx.read = SZP | DF_AF | DF_CF;
    /* CLC, STC: "The CF flag is cleared/set." CMC: "complemented". CLD,
     * STD: DF (always defined, tracked as a compared bit). */
    } else if (is(name, "clc") || is(name, "stc")) {
        fx.def = DF_CF;
    } else if (is(name, "cmc")) {
        fx.def = DF_CF;
        fx.read = DF_CF;
    } else if (is(name, "cld") || is(name, "std")) {
        fx.def = DF_DF;
    /* CMPS, SCAS: "The CF, OF, SF, ZF, AF, and PF flags are set according
     * to the temporary result of the comparison." With a REP prefix and
     * RCX = 0 nothing is compared (REP "Operation"). */
    } else if (is(name, "cmps") || is(name, "scas")) {
        if (rep_count != 0)
            fx.def = ALL;
        if (rep_count > 0)
            fx.read = 0;       /* REPE/REPNE test ZF of their own compare */
    /* CMPXCHG8B/16B: "The ZF flag is set if the destination operand and
     * EDX:EAX are equal; otherwise it is cleared. The CF, PF, AF, SF, and
     * OF flags are unaffected." POPF loads all of them from the stack. */
    } else if (is(name, "cmpxchg8b")) {
        fx.def = DF_ZF;
    } else if (is(name, "popf")) {
        fx.def = ALL | DF_DF;
    /* Jcc, SETcc, CMOVcc read the flags of their condition; LOOPE/LOOPNE
     * read ZF. */
    } else if (is(name, "jcc") || is(name, "setcc") || is(name, "cmovcc")) {
        fx.read = cond_reads(cond);
    } else if (is(name, "loope") || is(name, "loopne")) {
        fx.read = DF_ZF;
    }
    /* Everything else the generator emits (MOV, LEA, XCHG, NOT, MOVZX,
     * MOVSX, MOVSXD, CBW..CQO, BSWAP, PUSH, POP, MOVS, STOS, LODS, JMP,
     * LOOP, JRCXZ, XLAT): "Flags Affected: None." */
    return fx;
}
