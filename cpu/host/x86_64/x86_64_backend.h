/*
 * The x86-64 native backend (host_backend_x86_64, declared in
 * cpu/host/backend.h). This header adds what tests need to steer it.
 */
#ifndef DOPPEL_CPU_HOST_X86_64_BACKEND_H
#define DOPPEL_CPU_HOST_X86_64_BACKEND_H

/* Optional host instructions, detected with CPUID at create time. */
enum {
    X64_FEAT_LZCNT = 1u << 0,    /* CPUID.80000001H:ECX.ABM[bit 5] */
    X64_FEAT_BMI1 = 1u << 1,     /* CPUID.(EAX=07H,ECX=0):EBX.BMI1[bit 3]: tzcnt, andn */
    X64_FEAT_POPCNT = 1u << 2,   /* CPUID.01H:ECX.POPCNT[bit 23] */
};

/** Features the backend state be found on this host. */
unsigned x86_64_backend_features(const void *be);
/** Restrict generated code to the features in mask (tests use this to
 *  exercise the fallback sequences); returns the previous set. */
unsigned x86_64_backend_limit_features(void *be, unsigned mask);

#endif
