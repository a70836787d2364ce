/*
 * The products the kernels need (sgemm.h), written here instead of linking a BLAS: the kernels then build with
 * nothing but a C compiler, and ship prebuilt with nothing but libc. One kernel per instruction set (AVX-512,
 * AVX2 with FMA, and a portable one on 128-bit vectors: SSE2, NEON), chosen once by the CPU it runs on.
 * Against OpenBLAS 0.3.21 on this model's shapes: README, Benchmarks, item 6 (scripts/bench/sgemm-vs-openblas.c).
 */
#include "sgemm.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Block sizes: a KC × NC block of B fits L2, a panel of MR × KC of A fits L1; at most DIRECT_ROWS rows of A read B in place. */
#define KC 256
#define NC 512
#define MC 960
#define DIRECT_ROWS 48
#ifndef KC_DIRECT
#define KC_DIRECT 64
#endif

#if defined(__x86_64__) || defined(__i386__)
#define ISA avx512
#define TARGET __attribute__((target("avx512f,fma")))
#define VW 16
#define MR 12
#include "sgemm_isa.h"
#undef ISA
#undef TARGET
#undef VW
#undef MR

#define ISA avx2
#define TARGET __attribute__((target("avx2,fma")))
#define VW 8
#define MR 6
#include "sgemm_isa.h"
#undef ISA
#undef TARGET
#undef VW
#undef MR
#endif

#define ISA generic
#define TARGET
#define VW 4
#define MR 6
#include "sgemm_isa.h"
#undef ISA
#undef TARGET
#undef VW
#undef MR

typedef void (*sgemm_fn)(int, int, int64_t, int64_t, int64_t, const float *, int64_t, const float *, int64_t, float, float *, int64_t, float *, float *);
typedef struct {
  const char *name;
  sgemm_fn run;
  int (*supported)(void);
} isa_entry;

static int always(void) { return 1; }
#if defined(__x86_64__) || defined(__i386__)
static int has_avx512(void) { return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"); }
static int has_avx2(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
#endif

/* Fastest first. */
static const isa_entry isas[] = {
#if defined(__x86_64__) || defined(__i386__)
    {"avx512", sgemm_avx512, has_avx512},
    {"avx2", sgemm_avx2, has_avx2},
#endif
    {"generic", sgemm_generic, always},
};

static const isa_entry *_Atomic chosen;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;

static void choose(void) {
  for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
    if (isas[i].supported()) {
      chosen = &isas[i];
      return;
    }
  }
}

static const isa_entry *current(void) {
  pthread_once(&choose_once, choose);
  return chosen;
}

const char *sgemm_isa(void) { return current()->name; }

int sgemm_use_isa(const char *isa) {
  current();
  for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
    if (strcmp(isas[i].name, isa) == 0 && isas[i].supported()) {
      chosen = &isas[i];
      return 1;
    }
  }
  return 0;
}

/*
 * Each thread packs into its own blocks (worker threads train side by side), allocated on its first product and
 * freed when it ends: 2 MB, the largest panels of any instruction set.
 */
#define SCRATCH_A ((MC + 16) * KC)
#define SCRATCH_B (KC * NC)
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free); }

static float *scratch(void) {
  pthread_once(&scratch_once, make_scratch_key);
  float *s = pthread_getspecific(scratch_key);
  if (!s) {
    s = aligned_alloc(64, (SCRATCH_A + SCRATCH_B) * sizeof(float));
    if (s && pthread_setspecific(scratch_key, s) != 0) {
      free(s);
      s = NULL;
    }
  }
  return s;
}

void sgemm(int ta, int tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) { /* an empty sum: c = beta·c */
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  float *s = scratch();
  if (!s) abort(); /* 2 MB could not be had: nothing sensible is left to do */
  current()->run(ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, s, s + SCRATCH_A);
}
