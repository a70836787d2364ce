/*
 * One Adam update of a parameter in a single pass. tfjs's Adam runs about ten elementwise ops per
 * parameter, each a pass over the 5 M weights of the `small` model and a fresh allocation; here
 * each element is read once and its new value and moments written once.
 */
#include <math.h>
#include "args.h"

typedef struct {
  float lr, beta1, beta2, epsilon, correction1, correction2, scale;
} adam_hyper;

/* restrict: the outputs are fresh tensors; without it seven pointers are too many for GCC's alias checks and the loop stays scalar. */
CLONES static void adam_pass(const float *restrict value, const float *restrict m, const float *restrict v, const float *restrict grad,
                             float *restrict value_out, float *restrict m_out, float *restrict v_out, int64_t n, adam_hyper h) {
  for (int64_t i = 0; i < n; i++) {
    const float g = grad[i] * h.scale;
    const float m1 = h.beta1 * m[i] + (1.0f - h.beta1) * g;
    const float v1 = h.beta2 * v[i] + (1.0f - h.beta2) * (g * g);
    m_out[i] = m1;
    v_out[i] = v1;
    value_out[i] = value[i] - h.lr * (m1 / h.correction1) / (sqrtf(v1 / h.correction2) + h.epsilon);
  }
}

/*
 * adam(heap, n, value, m, v, grad, valueOut, mOut, vOut, hyper): hyper is 7 floats in the heap: learning rate,
 * β1, β2, ε, 1 − β1^t, 1 − β2^t and the gradient's scale (global-norm clipping). Same formula as tfjs's Adam.
 */
napi_value adam(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "adam", 9, &a)) return NULL;
  const int64_t n = a.ints[0];
  const int64_t sizes[8] = {n, n, n, n, n, n, n, 7};
  if (!operands_in_heap(env, &a, "adam", a.ints + 1, sizes, 8)) return NULL;
  const float *heap = (const float *)a.heap;
  const float *p = heap + a.ints[8];
  const adam_hyper h = {p[0], p[1], p[2], p[3], p[4], p[5], p[6]};
  float *out = (float *)a.heap;
  adam_pass(heap + a.ints[1], heap + a.ints[2], heap + a.ints[3], heap + a.ints[4], out + a.ints[5], out + a.ints[6], out + a.ints[7], n, h);
  return NULL;
}
