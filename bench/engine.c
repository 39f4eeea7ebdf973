/*
 * bench/engine: speed of the engine on a toy-guest loop, interpreter vs
 * native backend. The loop mixes arithmetic, a load and a store per
 * iteration and a compare-and-branch back edge; it runs N guest
 * instructions (default 100M, or argv[1]) on each backend and prints
 * instructions per second and the native/interp ratio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cpu/engine.h"
#include "tests/toy/toy.h"

#define RAM_SIZE 0x10000u
#define PROG 0x1000u
#define DATA 0x8000u

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Fill ram with the loop; returns the instructions per iteration. */
static int build_loop(uint8_t *ram)
{
    ToyAsm a;
    toy_asm_init(&a, ram, 0, PROG);
    toy_movi(&a, 5, DATA);
    toy_movi(&a, 3, 0xffffffffu);            /* never reached: runs on budget */
    uint32_t loop = toy_mem(&a, TOY_LD, 1, 5, 0);
    toy_alu(&a, TOY_ADD, 1, 1, 2);
    toy_alu(&a, TOY_XOR, 4, 1, 2);
    toy_addi(&a, 2, 2, 3);
    toy_alu(&a, TOY_SHL, 6, 4, 0);
    toy_alu(&a, TOY_SUB, 6, 6, 2);
    toy_mem(&a, TOY_ST, 6, 5, 4);
    toy_mem(&a, TOY_ST, 1, 5, 0);
    toy_alu(&a, TOY_AND, 0, 2, 2);
    toy_cmp(&a, 2, 3);
    toy_branch(&a, TOY_BLTU, loop);
    toy_simple(&a, TOY_HALT, 0, 0);
    return 11;
}

/* Run n instructions on backend be; returns insns per second (0: failure). */
static double bench_backend(const HostBackend *be, int64_t n, uint32_t *checksum)
{
    AddressSpace as;
    as_init(&as, "mem", 0);
    MemRegion *mr = as_add_ram(&as, "ram", 0, RAM_SIZE, NULL, 0);
    if (!mr)
        return 0;
    build_loop(mr->host);
    Engine *e = engine_create(&toy_arch, be, 16u << 20, &as, NULL);
    if (!e) {
        as_destroy(&as);
        return 0;
    }
    CpuCommon *cpu = engine_cpu_create(e, NULL, NULL);
    toy_cpu(cpu)->pc = PROG;
    int64_t done = 0;
    double t0 = now_s();
    while (done < n) {
        int64_t step;
        if (cpu_exec(cpu, n - done, &step) != 0 || step <= 0)
            break;
        done += step;
    }
    double dt = now_s() - t0;
    *checksum = toy_cpu(cpu)->r[1] ^ toy_cpu(cpu)->r[6];
    engine_destroy(e);
    as_destroy(&as);
    return done == n && dt > 0 ? (double)n / dt : 0;
}

int main(int argc, char **argv)
{
    int64_t n = argc > 1 ? strtoll(argv[1], NULL, 0) : 100000000;
    if (n <= 0) {
        fprintf(stderr, "usage: %s [instructions]\n", argv[0]);
        return 2;
    }
    uint32_t ck_i = 0, ck_n = 0;
    double interp = bench_backend(&host_backend_interp, n, &ck_i);
    printf("interp: %.1f M insns/s\n", interp / 1e6);
    const HostBackend *native = host_backend_native();
    if (!native) {
        printf("native: none on this host\n");
        return interp > 0 ? 0 : 1;
    }
    double nat = bench_backend(native, n, &ck_n);
    printf("%s: %.1f M insns/s\n", native->name, nat / 1e6);
    if (ck_i != ck_n) {
        printf("MISMATCH: interp and %s end in different states (%08x vs %08x)\n", native->name,
               ck_i, ck_n);
        return 1;
    }
    if (interp > 0 && nat > 0)
        printf("ratio %s/interp: %.1fx\n", native->name, nat / interp);
    return interp > 0 && nat > 0 ? 0 : 1;
}
