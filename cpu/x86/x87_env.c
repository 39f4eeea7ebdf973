/*
 * The x87 environment and state images (SDM Vol. 1 8.1.10 Figures 8-9 to
 * 8-12: FLDENV/FNSTENV in the 14- and 28-byte real-mode and protected-mode
 * layouts; 8.1.11 FNSAVE/FRSTOR = environment + ST(0)..ST(7); 10.5.1
 * Table 10-2: the x87 part of the FXSAVE area for the SSE code).
 *
 * Tags: only empty / non-empty is state; the two-bit tag stored in an
 * image is recomputed from the register contents (valid, zero, special),
 * and a loaded non-empty tag is likewise recomputed (8.1.7).
 */
#include "cpu/x86/x87_helper.h"

#include <string.h>

#include "cpu/x86/x86_helper_system.h"
#include "cpu/x86/x86_util.h"
#include "cpu/x86/x87_float.h"

static uint64_t addr_add(const X86Cpu *env, uint64_t a, uint64_t off)
{
    a += off;
    return (env->hflags & HF_CS64) ? a : (uint32_t)a;
}

static unsigned mmu(const X86Cpu *env) { return (unsigned)x86_data_mmu_idx(env); }

static void read_bytes(X86Cpu *env, uint64_t addr, uint8_t *buf, int n, uintptr_t ra)
{
    for (int i = 0; i < n; i++)
        buf[i] = (uint8_t)cpu_ld(&env->common, addr_add(env, addr, (uint64_t)i), ir_memop(0, false, false, mmu(env)), ra);
}

static void write_bytes(X86Cpu *env, uint64_t addr, const uint8_t *buf, int n, uintptr_t ra)
{
    /* probe the last byte first so a fault there leaves memory unchanged */
    cpu_st(&env->common, addr_add(env, addr, (uint64_t)n - 1), buf[n - 1], ir_memop(0, false, false, mmu(env)), ra);
    for (int i = 0; i < n; i++)
        cpu_st(&env->common, addr_add(env, addr, (uint64_t)i), buf[i], ir_memop(0, false, false, mmu(env)), ra);
}

static void put16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v); put16(p + 2, v >> 16); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const uint8_t *p) { return get16(p) | get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* The full tag word, recomputed from the contents of non-empty registers. */
static uint16_t full_tags(const X86Cpu *env)
{
    uint16_t t = 0;
    for (int p = 0; p < 8; p++) {
        unsigned tag = ((env->fptags >> (2 * p)) & 3) == 3 ? 3u : (unsigned)x87_tag_of(env->fpregs[p]);
        t |= (uint16_t)(tag << (2 * p));
    }
    return t;
}

/* Tags from an image: 11 stays empty, anything else is recomputed. */
static void load_tags(X86Cpu *env, uint16_t tw)
{
    uint16_t t = 0;
    for (int p = 0; p < 8; p++) {
        unsigned tag = ((tw >> (2 * p)) & 3) == 3 ? 3u : (unsigned)x87_tag_of(env->fpregs[p]);
        t |= (uint16_t)(tag << (2 * p));
    }
    env->fptags = t;
}

/* Build the 14/28-byte environment image. Returns its size. */
static int env_image(const X86Cpu *env, bool size32, uint8_t *b)
{
    bool real = x86_real_or_vm86(env);
    uint32_t fip = (uint32_t)env->fpip, fdp = (uint32_t)env->fpdp;
    if (real) {
        fip += (uint32_t)env->fpcs << 4;
        fdp += (uint32_t)env->fpds << 4;
    }
    uint16_t fsw = x87_get_fsw(env), ftw = full_tags(env);
    if (size32) {
        put32(b + 0, 0xffff0000u | env->fpuc);
        put32(b + 4, 0xffff0000u | fsw);
        put32(b + 8, 0xffff0000u | ftw);
        if (real) {
            put32(b + 12, 0xffff0000u | (fip & 0xffff));
            put32(b + 16, ((fip >> 16) << 12) | (env->fpop & 0x7ffu));
            put32(b + 20, 0xffff0000u | (fdp & 0xffff));
            put32(b + 24, (fdp >> 16) << 12);
        } else {
            put32(b + 12, fip);
            put32(b + 16, env->fpcs | (uint32_t)(env->fpop & 0x7ffu) << 16);
            put32(b + 20, fdp);
            put32(b + 24, 0xffff0000u | env->fpds);
        }
        return 28;
    }
    put16(b + 0, env->fpuc);
    put16(b + 2, fsw);
    put16(b + 4, ftw);
    if (real) {
        put16(b + 6, fip & 0xffff);
        put16(b + 8, ((fip >> 16) & 0xf) << 12 | (env->fpop & 0x7ffu));
        put16(b + 10, fdp & 0xffff);
        put16(b + 12, ((fdp >> 16) & 0xf) << 12);
    } else {
        put16(b + 6, fip & 0xffff);
        put16(b + 8, env->fpcs);
        put16(b + 10, fdp & 0xffff);
        put16(b + 12, env->fpds);
    }
    return 14;
}

/* Load an environment image (registers must already be in place for the
 * tag recomputation). */
static void env_load(X86Cpu *env, bool size32, const uint8_t *b)
{
    bool real = x86_real_or_vm86(env);
    uint16_t fsw;
    uint16_t ftw;
    if (size32) {
        env->fpuc = (uint16_t)((get16(b) & 0x1f3f) | 0x40);
        fsw = (uint16_t)get16(b + 4);
        ftw = (uint16_t)get16(b + 8);
        if (real) {
            env->fpip = (get16(b + 12) | ((get32(b + 16) >> 12) & 0xffff) << 16);
            env->fpop = (uint16_t)(get32(b + 16) & 0x7ff);
            env->fpdp = (get16(b + 20) | ((get32(b + 24) >> 12) & 0xffff) << 16);
            env->fpcs = env->fpds = 0;
        } else {
            env->fpip = get32(b + 12);
            env->fpcs = (uint16_t)get16(b + 16);
            env->fpop = (uint16_t)((get32(b + 16) >> 16) & 0x7ff);
            env->fpdp = get32(b + 20);
            env->fpds = (uint16_t)get16(b + 24);
        }
    } else {
        env->fpuc = (uint16_t)((get16(b) & 0x1f3f) | 0x40);
        fsw = (uint16_t)get16(b + 2);
        ftw = (uint16_t)get16(b + 4);
        if (real) {
            env->fpip = get16(b + 6) | (get16(b + 8) >> 12) << 16;
            env->fpop = (uint16_t)(get16(b + 8) & 0x7ff);
            env->fpdp = get16(b + 10) | (get16(b + 12) >> 12) << 16;
            env->fpcs = env->fpds = 0;
        } else {
            env->fpip = get16(b + 6);
            env->fpcs = (uint16_t)get16(b + 8);
            env->fpdp = get16(b + 10);
            env->fpds = (uint16_t)get16(b + 12);
        }
    }
    env->fptop = (fsw >> 11) & 7;
    env->fpus = fsw & (uint16_t)~0x3800u;
    load_tags(env, ftw);
    /* ES (and B) follow the loaded flags and masks */
    env->fpus |= X87_ES;
    x87_update_es(env);
}

void x87_helper_fldenv(X86Cpu *env, uint64_t addr, uint64_t size32)
{
    uintptr_t ra = CPU_GETPC();
    uint8_t b[28];
    x87_check_pending(env, ra);
    read_bytes(env, addr, b, size32 ? 28 : 14, ra);
    env_load(env, size32, b);
}

void x87_helper_fnstenv(X86Cpu *env, uint64_t addr, uint64_t size32)
{
    uintptr_t ra = CPU_GETPC();
    uint8_t b[28];
    int n = env_image(env, size32, b);
    write_bytes(env, addr, b, n, ra);
    env->fpuc |= X87_EXC_MASK;             /* FNSTENV masks all exceptions */
}

void x87_helper_frstor(X86Cpu *env, uint64_t addr, uint64_t size32)
{
    uintptr_t ra = CPU_GETPC();
    uint8_t b[108];
    int n = size32 ? 28 : 14;
    x87_check_pending(env, ra);
    read_bytes(env, addr, b, n + 80, ra);
    int top = (get16(b + (size32 ? 4 : 2)) >> 11) & 7;
    for (int i = 0; i < 8; i++) {
        const uint8_t *r = b + n + 10 * i;
        X86Float80 *v = &env->fpregs[(top + i) & 7];
        v->mant = get64(r);
        v->sign_exp = (uint16_t)get16(r + 8);
    }
    env_load(env, size32, b);
}

void x87_helper_fnsave(X86Cpu *env, uint64_t addr, uint64_t size32)
{
    uintptr_t ra = CPU_GETPC();
    uint8_t b[108];
    int n = env_image(env, size32, b);
    for (int i = 0; i < 8; i++) {
        const X86Float80 *v = &env->fpregs[(env->fptop + i) & 7];
        put64(b + n + 10 * i, v->mant);
        put16(b + n + 10 * i + 8, v->sign_exp);
    }
    write_bytes(env, addr, b, n + 80, ra);
    x87_helper_fninit(env);
}

void x87_fxsave_state(X86Cpu *env, uint8_t *area)
{
    uint8_t ftw = 0;
    for (int p = 0; p < 8; p++)
        if (((env->fptags >> (2 * p)) & 3) != 3)
            ftw |= (uint8_t)(1u << p);
    put16(area + 0, env->fpuc);
    put16(area + 2, x87_get_fsw(env));
    area[4] = ftw;
    area[5] = 0;
    put16(area + 6, env->fpop & 0x7ffu);
    if (env->hflags & HF_CS64) {
        put64(area + 8, env->fpip);
        put64(area + 16, env->fpdp);
    } else {
        put32(area + 8, (uint32_t)env->fpip);
        put32(area + 12, env->fpcs);
        put32(area + 16, (uint32_t)env->fpdp);
        put32(area + 20, env->fpds);
    }
    for (int i = 0; i < 8; i++) {
        uint8_t *r = area + 32 + 16 * i;
        const X86Float80 *v = &env->fpregs[(env->fptop + i) & 7];
        memset(r, 0, 16);
        put64(r, v->mant);
        put16(r + 8, v->sign_exp);
    }
}

void x87_fxrstor_state(X86Cpu *env, const uint8_t *area)
{
    uint16_t fsw = (uint16_t)get16(area + 2);
    env->fpuc = (uint16_t)((get16(area) & 0x1f3f) | 0x40);
    env->fptop = (fsw >> 11) & 7;
    env->fpus = fsw & (uint16_t)~0x3800u;
    env->fpop = (uint16_t)(get16(area + 6) & 0x7ff);
    if (env->hflags & HF_CS64) {
        env->fpip = get64(area + 8);
        env->fpdp = get64(area + 16);
    } else {
        env->fpip = get32(area + 8);
        env->fpcs = (uint16_t)get16(area + 12);
        env->fpdp = get32(area + 16);
        env->fpds = (uint16_t)get16(area + 20);
    }
    for (int i = 0; i < 8; i++) {
        const uint8_t *r = area + 32 + 16 * i;
        X86Float80 *v = &env->fpregs[(env->fptop + i) & 7];
        v->mant = get64(r);
        v->sign_exp = (uint16_t)get16(r + 8);
    }
    uint16_t tw = 0;
    for (int p = 0; p < 8; p++)
        if (!((area[4] >> p) & 1))
            tw |= (uint16_t)(3u << (2 * p));
    load_tags(env, tw);
    env->fpus |= X87_ES;
    x87_update_es(env);
}
