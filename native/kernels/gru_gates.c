/*
 * The GRU's gate arithmetic after its two matrix products, fused (PyTorch's formulation, gates r | z | n):
 *   r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r ⊙ hn), h' = n + z ⊙ (h − n).
 * On tfjs these are a dozen small kernels a step, and as many slice gradients (zero pads) and adds backward.
 */
#include <math.h>
#include "args.h"
#include "gru_gates.h"

static inline float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
/* Through expf, which glibc vectorises (its tanhf has no vector variant): absolute error ~1e-7. */
static inline float tanh_(float x) { return 2.0f * sigmoid(2.0f * x) - 1.0f; }

/* restrict (outputs are fresh tensors): without it GCC gives up on the alias checks and both loops stay scalar. */
CLONES void gru_gates_forward(const float *restrict xp, const float *restrict hp, const float *restrict h, float *restrict out,
                             float *restrict gates, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; b++) {
    const float *restrict x = xp + b * 3 * H, *restrict hh = hp + b * 3 * H, *restrict h0 = h + b * H;
    float *restrict g = gates + b * 3 * H, *restrict o = out + b * H;
    for (int64_t j = 0; j < H; j++) {
      const float r = sigmoid(x[j] + hh[j]);
      const float z = sigmoid(x[H + j] + hh[H + j]);
      const float n = tanh_(x[2 * H + j] + r * hh[2 * H + j]);
      g[j] = r;
      g[H + j] = z;
      g[2 * H + j] = n;
      o[j] = n + z * (h0[j] - n);
    }
  }
}

CLONES void gru_gates_backward(const float *restrict gates, const float *restrict hp, const float *restrict h, const float *restrict dy,
                              float *restrict dxp, float *restrict dhp, float *restrict dh, int64_t B, int64_t H) {
  for (int64_t b = 0; b < B; b++) {
    const float *restrict g = gates + b * 3 * H, *restrict hh = hp + b * 3 * H, *restrict h0 = h + b * H, *restrict d = dy + b * H;
    float *restrict dx = dxp + b * 3 * H, *restrict dhh = dhp + b * 3 * H, *restrict dh0 = dh + b * H;
    for (int64_t j = 0; j < H; j++) {
      const float r = g[j], z = g[H + j], n = g[2 * H + j];
      const float dn = d[j] * (1.0f - z) * (1.0f - n * n); /* through tanh */
      const float dz = d[j] * (h0[j] - n) * z * (1.0f - z);
      const float dr = dn * hh[2 * H + j] * r * (1.0f - r);
      dx[j] = dr;
      dx[H + j] = dz;
      dx[2 * H + j] = dn;
      dhh[j] = dr;
      dhh[H + j] = dz;
      dhh[2 * H + j] = dn * r;
      dh0[j] = d[j] * z;
    }
  }
}

/* gruGates(heap, B, H, xProj, hProj, h, out, gates): out [B, H]; gates [B, 3H] keeps r | z | n for the gradient. */
napi_value gru_gates(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "gruGates", 7, &a)) return NULL;
  const int64_t B = a.ints[0], H = a.ints[1];
  const int64_t sizes[5] = {B >= 0 && H >= 1 ? B * 3 * H : -1, B * 3 * H, B * H, B * H, B * 3 * H}; /* xProj, hProj, h, out, gates */
  if (!operands_in_heap(env, &a, "gruGates", a.ints + 2, sizes, 5)) return NULL;
  float *heap = (float *)a.heap;
  gru_gates_forward(heap + a.ints[2], heap + a.ints[3], heap + a.ints[4], heap + a.ints[5], heap + a.ints[6], B, H);
  return NULL;
}

/* gruGatesGrad(heap, B, H, gates, hProj, h, dy, dxProj, dhProj, dh): the gradients of gruGates' three inputs. */
napi_value gru_gates_grad(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "gruGatesGrad", 9, &a)) return NULL;
  const int64_t B = a.ints[0], H = a.ints[1];
  /* gates, hProj, h, dy, dxProj, dhProj, dh */
  const int64_t sizes[7] = {B >= 0 && H >= 1 ? B * 3 * H : -1, B * 3 * H, B * H, B * H, B * 3 * H, B * 3 * H, B * H};
  if (!operands_in_heap(env, &a, "gruGatesGrad", a.ints + 2, sizes, 7)) return NULL;
  float *heap = (float *)a.heap;
  gru_gates_backward(heap + a.ints[2], heap + a.ints[3], heap + a.ints[4], heap + a.ints[5], heap + a.ints[6], heap + a.ints[7],
                 heap + a.ints[8], B, H);
  return NULL;
}
