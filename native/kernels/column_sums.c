/*
 * Sums over the leading axis of a row-major [rows, cols] matrix: the gradient of a broadcast bias add.
 * tfjs's WASM Sum reduces only the last axis, so for this it first transposes the whole matrix
 * ([1,400, 8,000] at the vocabulary output); summing rows in place reads it once.
 */
#include "args.h"

CLONES static void add_rows(const float *x, float *out, int64_t rows, int64_t cols) {
  for (int64_t j = 0; j < cols; j++) out[j] = 0.0f;
  for (int64_t i = 0; i < rows; i++) {
    const float *xi = x + i * cols;
    for (int64_t j = 0; j < cols; j++) out[j] += xi[j];
  }
}

/* columnSums(heap, rows, cols, x, out): out[j] = Σ_i x[i, j]. */
napi_value column_sums(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "columnSums", 4, &a)) return NULL;
  const int64_t rows = a.ints[0], cols = a.ints[1];
  const int64_t sizes[2] = {rows >= 0 && cols >= 0 ? rows * cols : -1, cols}; /* x, out */
  if (!operands_in_heap(env, &a, "columnSums", a.ints + 2, sizes, 2)) return NULL;
  float *heap = (float *)a.heap;
  add_rows(heap + a.ints[2], heap + a.ints[3], rows, cols);
  return NULL;
}
