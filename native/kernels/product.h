/* The row-major matrix product the sequence kernels take at every step. */
#ifndef NATIVE_KERNELS_PRODUCT_H
#define NATIVE_KERNELS_PRODUCT_H
#include <cblas.h>
#include <stdint.h>

/*
 * c [m, n] = a [m, k] · b [k, n] + beta·c, all contiguous. OpenBLAS's sgemm packs b on every call, which for a few
 * rows costs more than the product (one reply decoded, a three-utterance context): with b 256 × 768 on this machine,
 * 50–60 µs a call against 9 µs a row by sgemv, which wins up to three rows.
 */
static inline void product(int64_t m, int64_t n, int64_t k, const float *a, const float *b, float beta, float *c) {
  if (m < 4) {
    for (int64_t r = 0; r < m; r++) {
      if (beta == 0.0f) /* c may be scratch holding anything, NaN included: it must not leak in */
        for (int64_t j = 0; j < n; j++) c[r * n + j] = 0.0f;
      cblas_sgemv(CblasRowMajor, CblasTrans, (int)k, (int)n, 1.0f, b, (int)n, a + r * k, 1, 1.0f, c + r * n, 1);
    }
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a, (int)k, b, (int)n, beta, c, (int)n);
}
#endif
