/*
 * The SingleStepTests metadata.json, flattened: every scalar is stored
 * under its dotted path ("opcodes.F6.reg.4.flags-mask" -> "65323").
 */
#ifndef DOPPEL_TESTS_CPU_SST_META_H
#define DOPPEL_TESTS_CPU_SST_META_H

#include <stdbool.h>
#include <stddef.h>

typedef struct SstMetaEntry { char *path; char *value; } SstMetaEntry;
typedef struct SstMeta { SstMetaEntry *e; size_t n, cap; } SstMeta;

/** Parse the JSON file at path. Returns false with err filled. */
bool sst_meta_load(SstMeta *m, const char *path, char *err, size_t errlen);
void sst_meta_free(SstMeta *m);
/** The scalar at path, or NULL. */
const char *sst_meta_get(const SstMeta *m, const char *path);

#endif
