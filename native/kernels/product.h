/* Row-major matrix helpers of the sequence kernels (GRU sequence, attention decoder). */
#ifndef NATIVE_KERNELS_PRODUCT_H
#define NATIVE_KERNELS_PRODUCT_H
#include <cblas.h>
#include <stdint.h>
#include <string.h>

/*
 * c [m, n] = a [m, k] · b [k, n] + beta·c, all contiguous. OpenBLAS's sgemm packs b on every call, which for a few
 * rows costs more than the product (one reply decoded, a three-utterance context): with b 256 × 768 on this machine,
 * 50–60 µs a call against 9 µs a row by sgemv, which wins up to three rows.
 */
static inline void product(int64_t m, int64_t n, int64_t k, const float *a, const float *b, float beta, float *c) {
  if (m < 4) {
    /* c may be scratch holding anything, NaN included: with beta 0 it must not leak in (0·NaN is NaN) */
    if (beta == 0.0f) memset(c, 0, (size_t)(m * n) * sizeof(float));
    for (int64_t r = 0; r < m; r++)
      cblas_sgemv(CblasRowMajor, CblasTrans, (int)k, (int)n, 1.0f, b, (int)n, a + r * k, 1, beta == 0.0f ? 1.0f : beta, c + r * n, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, a, (int)k, b, (int)n, beta, c, (int)n);
}

/* c [m, n] = aᵀ · b over `rows` rows (a [rows, m], b [rows, n]): a weight's gradient summed over every step. */
static inline void product_tn(int64_t rows, int64_t m, int64_t n, const float *a, const float *b, float *c) {
  if (rows == 0) {
    memset(c, 0, (size_t)(m * n) * sizeof(float));
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)m, (int)n, (int)rows, 1.0f, a, (int)m, b, (int)n, 0.0f, c, (int)n);
}

/* Each of the first k rows (width floats) of dst = row: a bias before a product adds to it. */
static inline void fill_rows(float *dst, const float *row, int64_t k, int64_t width) {
  for (int64_t i = 0; i < k; i++) memcpy(dst + i * width, row, (size_t)width * sizeof(float));
}

/* at [cols, rows] = aᵀ: OpenBLAS's products with a transposed operand ran at a third of the plain speed. */
static inline void transpose(const float *restrict a, int64_t rows, int64_t cols, float *restrict at) {
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) at[j * rows + i] = a[i * cols + j];
}

/* out [cols] = Σ over rows of x [rows, cols]: a bias's gradient. */
static inline void sum_columns(const float *restrict x, int64_t rows, int64_t cols, float *restrict out) {
  memset(out, 0, (size_t)cols * sizeof(float));
  for (int64_t r = 0; r < rows; r++)
    for (int64_t j = 0; j < cols; j++) out[j] += x[r * cols + j];
}
#endif
