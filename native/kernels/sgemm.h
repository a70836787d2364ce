/* Single-precision matrix products of our own (sgemm.c), so the kernels need no BLAS library. */
#ifndef NATIVE_KERNELS_SGEMM_H
#define NATIVE_KERNELS_SGEMM_H
#include <stdint.h>

/* c [m, n] = op(a) · op(b) + beta·c, row-major; op transposes when ta / tb is 1. With beta 0, c is only written. */
void sgemm(int ta, int tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

/* The instruction set the products run on ("avx512", "avx2" or "generic"), chosen once by the CPU. */
const char *sgemm_isa(void);

/* Runs the products on `isa` from now on, for every thread (tests compare each path); 0 if this CPU lacks it. */
int sgemm_use_isa(const char *isa);
#endif
