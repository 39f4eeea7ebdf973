/*
 * Reader for MOO files (SingleStepTests CPU captures, format spec:
 * dbalsom/moo doc/moo_format_v1.md): gzip-compressed chunk streams with
 * per-test instruction bytes, initial and final register/RAM state, an
 * optional exception record and a SHA-1 hash.
 */
#ifndef DOPPEL_TESTS_CPU_MOO_H
#define DOPPEL_TESTS_CPU_MOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register order of REGS chunks (bit i of the mask). */
enum { MOO_AX, MOO_BX, MOO_CX, MOO_DX, MOO_CS, MOO_SS, MOO_DS, MOO_ES,
       MOO_SP, MOO_BP, MOO_SI, MOO_DI, MOO_IP, MOO_FLAGS, MOO_NREGS };

typedef struct MooRam { uint32_t addr; uint8_t val; } MooRam;

typedef struct MooState {
    uint16_t mask;             /* registers present */
    uint16_t regs[MOO_NREGS];
    MooRam *ram;
    uint32_t nram;
} MooState;

typedef struct MooTest {
    uint32_t index;
    char name[128];
    uint8_t bytes[16];
    uint32_t nbytes;
    MooState init, fina;
    bool has_excp;
    uint8_t excp_num;
    uint32_t excp_flag_addr;
    char hash[41];             /* hex SHA-1 */
} MooTest;

typedef struct MooFile {
    uint8_t *data;             /* decompressed file */
    size_t size;
    size_t pos;                /* next TEST chunk */
    uint32_t count;
    char cpu[5];
} MooFile;

/** Read and decompress path. Returns false with err filled. */
bool moo_open(MooFile *f, const char *path, char *err, size_t errlen);
void moo_close(MooFile *f);
/** Parse the next test into t (its RAM arrays are freed by moo_test_free).
 *  Returns 1 on success, 0 at the end, -1 on a malformed file (err filled). */
int moo_next(MooFile *f, MooTest *t, char *err, size_t errlen);
void moo_test_free(MooTest *t);

#endif
