/*
 * Softmax cross-entropy against integer labels, fused: one pass for the row maximum, one that writes
 * exp(x − max) and sums it, one that normalises. tfjs's WASM Exp is scalar; here the compiler vectorises
 * expf through glibc's libmvec (AVX-512, AVX2 or SSE clones, chosen at load time).
 */
#include <math.h>
#include "args.h"

CLONES static void softmax_rows(const float *x, float *p, float *nll, const int32_t *labels, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; i++) {
    const float *xi = x + i * cols;
    float *pi = p + i * cols;
    float max = xi[0];
    for (int64_t j = 1; j < cols; j++) max = xi[j] > max ? xi[j] : max;
    float sum = 0.0f;
    for (int64_t j = 0; j < cols; j++) {
      pi[j] = expf(xi[j] - max);
      sum += pi[j];
    }
    const float inv = 1.0f / sum;
    for (int64_t j = 0; j < cols; j++) pi[j] *= inv;
    nll[i] = logf(sum) + max - xi[labels[i]];
  }
}

CLONES static void xent_grad_rows(const float *p, const int32_t *labels, const float *dy, float *dx, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; i++) {
    const float *pi = p + i * cols;
    float *dxi = dx + i * cols;
    const float d = dy[i];
    for (int64_t j = 0; j < cols; j++) dxi[j] = d * pi[j];
    dxi[labels[i]] -= d;
  }
}

static int labels_in_range(napi_env env, const int32_t *labels, int64_t rows, int64_t cols) {
  for (int64_t i = 0; i < rows; i++) {
    if (labels[i] < 0 || labels[i] >= cols) {
      napi_throw_range_error(env, NULL, "softmaxXent: a label is outside [0, columns)");
      return 0;
    }
  }
  return 1;
}

/* softmaxXent(heap, rows, cols, logits, labels, nll, probs): nll[i] = −log softmax(logits[i])[labels[i]]. */
napi_value softmax_xent(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "softmaxXent", 6, &a)) return NULL;
  const int64_t rows = a.ints[0], cols = a.ints[1];
  const int64_t sizes[4] = {rows >= 0 && cols >= 1 ? rows * cols : -1, rows, rows, rows * cols}; /* logits, labels, nll, probs */
  if (!operands_in_heap(env, &a, "softmaxXent", a.ints + 2, sizes, 4)) return NULL;
  float *heap = (float *)a.heap;
  const int32_t *labels = (const int32_t *)a.heap + a.ints[3];
  if (!labels_in_range(env, labels, rows, cols)) return NULL;
  softmax_rows(heap + a.ints[2], heap + a.ints[5], heap + a.ints[4], labels, rows, cols);
  return NULL;
}

/* softmaxXentGrad(heap, rows, cols, probs, labels, dy, dx): dx[i] = dy[i]·(probs[i] − onehot(labels[i])). */
napi_value softmax_xent_grad(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "softmaxXentGrad", 6, &a)) return NULL;
  const int64_t rows = a.ints[0], cols = a.ints[1];
  const int64_t sizes[4] = {rows >= 0 && cols >= 1 ? rows * cols : -1, rows, rows, rows * cols}; /* probs, labels, dy, dx */
  if (!operands_in_heap(env, &a, "softmaxXentGrad", a.ints + 2, sizes, 4)) return NULL;
  float *heap = (float *)a.heap;
  const int32_t *labels = (const int32_t *)a.heap + a.ints[3];
  if (!labels_in_range(env, labels, rows, cols)) return NULL;
  xent_grad_rows(heap + a.ints[2], labels, heap + a.ints[4], heap + a.ints[5], rows, cols);
  return NULL;
}
