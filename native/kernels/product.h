/* Row-major matrix helpers of the sequence kernels (GRU sequence, attention decoder). */
#ifndef NATIVE_KERNELS_PRODUCT_H
#define NATIVE_KERNELS_PRODUCT_H
#include <stdint.h>
#include <string.h>
#include "sgemm.h"

/* c [m, n] = a [m, k] · b [k, n] + beta·c, all contiguous (with beta 0, c may be scratch holding anything). */
static inline void product(int64_t m, int64_t n, int64_t k, const float *a, const float *b, float beta, float *c) {
  sgemm(0, 0, m, n, k, a, k, b, n, beta, c, n);
}

/* c [m, n] = aᵀ · b over `rows` rows (a [rows, m], b [rows, n]): a weight's gradient summed over every step. */
static inline void product_tn(int64_t rows, int64_t m, int64_t n, const float *a, const float *b, float *c) {
  sgemm(1, 0, m, n, rows, a, m, b, n, 0.0f, c, n);
}

/* Each of the first k rows (width floats) of dst = row: a bias before a product adds to it. */
static inline void fill_rows(float *dst, const float *row, int64_t k, int64_t width) {
  for (int64_t i = 0; i < k; i++) memcpy(dst + i * width, row, (size_t)width * sizeof(float));
}

/* at [cols, rows] = aᵀ, once per call: with a few rows a step, sgemm reads an untransposed b in place but packs a transposed one. */
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
