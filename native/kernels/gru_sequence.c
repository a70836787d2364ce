/*
 * A GRU over a whole sequence, each way in one call (as PyTorch's and cuDNN's RNN kernels are). Step by step
 * on tfjs, every time step costs a dozen kernels forward and as many backward, each with its own dispatch
 * and allocation; here a step is one sgemm and one pass of gate arithmetic, and the recurrent weight's
 * gradient is one sgemm over all steps instead of one product and one add per step.
 *
 * Layout, time-major: xProj [T, B, 3H] (x·Wx + bx of every step), mask [T, B] (1 on real tokens, 0 on padding:
 * there the state is carried unchanged), out [T, B, H] (the state after each step). A step computes only rows
 * up to its last unmasked one, so a packed batch (rows sorted longest first) skips its finished rows.
 * `reverse` runs from t = T − 1 down to 0.
 */
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "gru_gates.h"
#include "product.h"

/* Rows a step computes: up to and including its last unmasked row. */
static int64_t step_rows(const float *mask_t, int64_t B) {
  int64_t k = B;
  while (k > 0 && mask_t[k - 1] == 0.0f) k--;
  return k;
}

/* The state before step t: h0 for the first step of the direction, else the neighbouring output. */
static const float *state_before(const float *h0, const float *out, int64_t t, int64_t T, int64_t BH, int reverse) {
  if (reverse) return t == T - 1 ? h0 : out + (t + 1) * BH;
  return t == 0 ? h0 : out + (t - 1) * BH;
}

static void sequence_forward(int64_t T, int64_t B, int64_t H, int reverse, const float *xp, const float *mask, const float *h0,
                             const float *wh, const float *bh, float *out, float *gates, float *hproj, float *hnew) {
  const int64_t BH = B * H, B3H = B * 3 * H;
  /* gates and hproj are left unwritten past a step's computed rows: the gradient reads only those */
  for (int64_t i = 0; i < T; i++) {
    const int64_t t = reverse ? T - 1 - i : i;
    const float *h = state_before(h0, out, t, T, BH, reverse), *m = mask + t * B;
    float *hp = hproj + t * B3H, *o = out + t * BH;
    const int64_t k = step_rows(m, B);
    if (k > 0) {
      fill_rows(hp, bh, k, 3 * H);
      product(k, 3 * H, H, h, wh, 1.0f, hp);
      gru_gates_forward(xp + t * B3H, hp, h, hnew, gates + t * B3H, k, H);
    }
    for (int64_t b = 0; b < B; b++) memcpy(o + b * H, b < k && m[b] != 0.0f ? hnew + b * H : h + b * H, (size_t)H * sizeof(float));
  }
}

/*
 * dhp and hprev collect, step after step, only the rows each step computed (rows × 3H and rows × H), so the
 * weight gradient's product skips what a packed batch never ran.
 */
static void sequence_backward(int64_t T, int64_t B, int64_t H, int reverse, const float *mask, const float *h0, const float *wh,
                              const float *out, const float *gates, const float *hproj, const float *dout, float *dxp, float *dh0,
                              float *dwh, float *dbh, float *dhp, float *dh, float *g, float *dhz, float *hprev, float *wht) {
  const int64_t BH = B * H, B3H = B * 3 * H;
  int64_t rows = 0;
  /* Whᵀ once, for every step's product below (product.h: transposed operands run slower) */
  transpose(wh, H, 3 * H, wht);
  memset(dh, 0, (size_t)BH * sizeof(float));
  for (int64_t i = T - 1; i >= 0; i--) {
    const int64_t t = reverse ? T - 1 - i : i;
    const float *h = state_before(h0, out, t, T, BH, reverse), *m = mask + t * B;
    for (int64_t j = 0; j < BH; j++) g[j] = dout[t * BH + j] + dh[j]; /* ∂L/∂(state after step t) */
    const int64_t k = step_rows(m, B);
    float *dx = dxp + t * B3H, *dhp_t = dhp + rows * 3 * H;
    memset(dx + k * 3 * H, 0, (size_t)((B - k) * 3 * H) * sizeof(float));
    memcpy(hprev + rows * H, h, (size_t)(k * H) * sizeof(float));
    if (k > 0) gru_gates_backward(gates + t * B3H, hproj + t * B3H, h, g, dx, dhp_t, dhz, k, H);
    for (int64_t b = 0; b < B; b++) {
      if (b < k && m[b] != 0.0f) {
        memcpy(dh + b * H, dhz + b * H, (size_t)H * sizeof(float));
      } else { /* carried: the gradient passes through, the step's products get none */
        memcpy(dh + b * H, g + b * H, (size_t)H * sizeof(float));
        if (b < k) {
          memset(dx + b * 3 * H, 0, (size_t)(3 * H) * sizeof(float));
          memset(dhp_t + b * 3 * H, 0, (size_t)(3 * H) * sizeof(float));
        }
      }
    }
    if (k > 0) /* dh[:k] += dhProj · Whᵀ */
      product(k, H, 3 * H, dhp_t, wht, 1.0f, dh);
    rows += k;
  }
  memcpy(dh0, dh, (size_t)BH * sizeof(float));
  /* dWh = Σ_t h_{t−1}ᵀ · dhProj_t as one product over the computed rows; dbh = Σ dhProj */
  product_tn(rows, H, 3 * H, hprev, dhp, dwh);
  sum_columns(dhp, rows, 3 * H, dbh);
}

static int dims_ok(napi_env env, const char *kernel, int64_t T, int64_t B, int64_t H) {
  if (T >= 1 && B >= 1 && H >= 1 && T * B * 3 * H < (int64_t)1 << 31) return 1;
  napi_throw_range_error(env, NULL, kernel);
  return 0;
}

/* gruSequence(heap, T, B, H, reverse, xProj, mask, h0, wh, bh, out, gates, hProj): gates and hProj [T, B, 3H] are kept for the gradient. */
napi_value gru_sequence(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "gruSequence", 12, &a)) return NULL;
  const int64_t T = a.ints[0], B = a.ints[1], H = a.ints[2];
  if (!dims_ok(env, "gruSequence: bad dimensions", T, B, H)) return NULL;
  /* xProj, mask, h0, wh, bh, out, gates, hProj */
  const int64_t sizes[8] = {T * B * 3 * H, T * B, B * H, H * 3 * H, 3 * H, T * B * H, T * B * 3 * H, T * B * 3 * H};
  if (!operands_in_heap(env, &a, "gruSequence", a.ints + 4, sizes, 8)) return NULL;
  float *heap = (float *)a.heap, *hnew = malloc((size_t)(B * H) * sizeof(float));
  if (!hnew) {
    napi_throw_error(env, NULL, "gruSequence: out of memory");
    return NULL;
  }
  const int64_t *o = a.ints + 4;
  sequence_forward(T, B, H, a.ints[3] != 0, heap + o[0], heap + o[1], heap + o[2], heap + o[3], heap + o[4], heap + o[5], heap + o[6],
                   heap + o[7], hnew);
  free(hnew);
  return NULL;
}

/* gruSequenceGrad(heap, T, B, H, reverse, mask, h0, wh, out, gates, hProj, dOut, dxProj, dh0, dWh, dbh). */
napi_value gru_sequence_grad(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "gruSequenceGrad", 15, &a)) return NULL;
  const int64_t T = a.ints[0], B = a.ints[1], H = a.ints[2];
  if (!dims_ok(env, "gruSequenceGrad: bad dimensions", T, B, H)) return NULL;
  /* mask, h0, wh, out, gates, hProj, dOut, dxProj, dh0, dWh, dbh */
  const int64_t sizes[11] = {T * B, B * H, H * 3 * H, T * B * H, T * B * 3 * H, T * B * 3 * H, T * B * H, T * B * 3 * H, B * H, H * 3 * H, 3 * H};
  if (!operands_in_heap(env, &a, "gruSequenceGrad", a.ints + 4, sizes, 11)) return NULL;
  const int64_t BH = B * H;
  float *dhp = malloc((size_t)(T * B * 3 * H) * sizeof(float)), *hprev = malloc((size_t)(T * BH) * sizeof(float));
  float *scratch = malloc((size_t)(3 * BH + 3 * H * H) * sizeof(float));
  if (!dhp || !hprev || !scratch) {
    free(dhp), free(hprev), free(scratch);
    napi_throw_error(env, NULL, "gruSequenceGrad: out of memory");
    return NULL;
  }
  float *heap = (float *)a.heap;
  const int64_t *o = a.ints + 4;
  sequence_backward(T, B, H, a.ints[3] != 0, heap + o[0], heap + o[1], heap + o[2], heap + o[3], heap + o[4], heap + o[5], heap + o[6],
                    heap + o[7], heap + o[8], heap + o[9], heap + o[10], dhp, scratch, scratch + BH, scratch + 2 * BH, hprev, scratch + 3 * BH);
  free(dhp), free(hprev), free(scratch);
  return NULL;
}
