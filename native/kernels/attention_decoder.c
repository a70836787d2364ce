/*
 * The attention decoder over a whole teacher-forced batch of replies, each way in one call: every step is a GRU
 * step with input feeding (the previous attention vector is part of its input), Luong "general" attention over the
 * answered utterance, and the attention vector tanh(Wc·[h; context] + bc). In tfjs ops a step was a dozen kernels
 * forward and twice as many backward; here it is three sgemms and one pass over the memory each way
 * (src/models/layers/attention.ts and DialogueModel.decoderStep are the same step in tfjs ops).
 *
 * Layout, time-major: embProj [T, N, 3H] (the embedding part of the GRU's input projection, plus bx), mask [T, N]
 * (1 where a row decodes; on 0 the row's state and attention vector are carried unchanged, so a reply that has
 * ended costs nothing), keys [N, L, H] (memory·Wa), values [N, L, E], bias [N, L] (0, or −1e9 on the memory's
 * padding), Wc [H + E, A]. Outputs att [T, N, A] and hs [T, N, H]; for the gradient, gates and hproj [R, 3H], cat
 * [R, H + E] (= [h; context]) and alpha [R, L] keep only the R rows that decoded, step after step.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "gru_gates.h"
#include "product.h"

typedef struct {
  int64_t T, N, H, L, E, A;
} dims;

/* The rows that decode at one step (their indices in idx), and how many. */
static int64_t active_rows(const float *mask_t, int64_t N, int64_t *idx) {
  int64_t k = 0;
  for (int64_t n = 0; n < N; n++)
    if (mask_t[n] != 0.0f) idx[k++] = n;
  return k;
}

static void gather_rows(float *restrict dst, const float *restrict src, const int64_t *idx, int64_t k, int64_t width) {
  for (int64_t i = 0; i < k; i++) memcpy(dst + i * width, src + idx[i] * width, (size_t)width * sizeof(float));
}

static inline float dot(const float *restrict a, const float *restrict b, int64_t n) {
  float s = 0.0f;
  for (int64_t j = 0; j < n; j++) s += a[j] * b[j];
  return s;
}

static inline void axpy(float a, const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t j = 0; j < n; j++) y[j] += a * x[j];
}

/* One row's attention: alpha [L] = softmax(keys·h + bias), context [E] = Σ_l alpha_l·values_l. */
CLONES static void attend_row(const float *restrict keys, const float *restrict values, const float *restrict bias, const float *restrict h,
                              int64_t L, int64_t H, int64_t E, float *restrict alpha, float *restrict context) {
  float max = 0.0f, sum = 0.0f;
  for (int64_t l = 0; l < L; l++) {
    alpha[l] = dot(keys + l * H, h, H) + bias[l];
    if (l == 0 || alpha[l] > max) max = alpha[l];
  }
  for (int64_t l = 0; l < L; l++) sum += (alpha[l] = expf(alpha[l] - max));
  memset(context, 0, (size_t)E * sizeof(float));
  for (int64_t l = 0; l < L; l++) axpy(alpha[l] /= sum, values + l * E, context, E);
}

/*
 * One row's attention backward, given dcontext [E]: adds ∂L/∂h to dh [H] and this step's part of ∂L/∂keys [L, H]
 * and ∂L/∂values [L, E]. ds [L] is scratch.
 */
CLONES static void attend_row_backward(const float *restrict keys, const float *restrict values, const float *restrict alpha, const float *restrict h,
                                       const float *restrict dcontext, int64_t L, int64_t H, int64_t E, float *restrict dh, float *restrict dkeys,
                                       float *restrict dvalues, float *restrict ds) {
  float s = 0.0f;
  for (int64_t l = 0; l < L; l++) s += alpha[l] * (ds[l] = dot(dcontext, values + l * E, E));
  for (int64_t l = 0; l < L; l++) {
    const float dscore = alpha[l] * (ds[l] - s); /* through the softmax */
    axpy(dscore, keys + l * H, dh, H);
    axpy(dscore, h, dkeys + l * H, H);
    axpy(alpha[l], dcontext, dvalues + l * E, E);
  }
}

typedef struct {
  const float *emb_proj, *mask, *h0, *a0, *wxa, *wh, *bh, *keys, *values, *bias, *wc, *bc;
  float *att, *hs, *gates, *hproj, *cat, *alpha;
} forward_args;

/* scratch: idx [N] and xp [N, 3H], aprev [N, A], hprev [N, H], hnew [N, H], u [N, A] */
static void decoder_forward(dims d, const forward_args *f, int64_t *idx, float *xp, float *aprev, float *hprev, float *hnew, float *u) {
  const int64_t N = d.N, H = d.H, L = d.L, E = d.E, A = d.A, C = H + E;
  int64_t r = 0; /* rows decoded so far */
  for (int64_t t = 0; t < d.T; t++) {
    const float *h_before = t ? f->hs + (t - 1) * N * H : f->h0, *a_before = t ? f->att + (t - 1) * N * A : f->a0;
    float *h_t = f->hs + t * N * H, *a_t = f->att + t * N * A;
    memcpy(h_t, h_before, (size_t)(N * H) * sizeof(float)); /* carried where a row does not decode */
    memcpy(a_t, a_before, (size_t)(N * A) * sizeof(float));
    const int64_t k = active_rows(f->mask + t * N, N, idx);
    if (k == 0) continue;
    float *hp = f->hproj + r * 3 * H, *cat = f->cat + r * C, *alpha = f->alpha + r * L;
    gather_rows(xp, f->emb_proj + t * N * 3 * H, idx, k, 3 * H);
    gather_rows(aprev, a_before, idx, k, A);
    gather_rows(hprev, h_before, idx, k, H);
    product(k, 3 * H, A, aprev, f->wxa, 1.0f, xp); /* input feeding: xProj += a_{t−1}·Wx[E:] */
    fill_rows(hp, f->bh, k, 3 * H);
    product(k, 3 * H, H, hprev, f->wh, 1.0f, hp);
    gru_gates_forward(xp, hp, hprev, hnew, f->gates + r * 3 * H, k, H);
    for (int64_t i = 0; i < k; i++) {
      const int64_t n = idx[i];
      memcpy(cat + i * C, hnew + i * H, (size_t)H * sizeof(float));
      memcpy(h_t + n * H, hnew + i * H, (size_t)H * sizeof(float));
      attend_row(f->keys + n * L * H, f->values + n * L * E, f->bias + n * L, hnew + i * H, L, H, E, alpha + i * L, cat + i * C + H);
    }
    fill_rows(u, f->bc, k, A);
    product(k, A, C, cat, f->wc, 1.0f, u);
    for (int64_t i = 0; i < k; i++)
      for (int64_t j = 0; j < A; j++) a_t[idx[i] * A + j] = tanhf(u[i * A + j]);
    r += k;
  }
}

typedef struct {
  const float *mask, *h0, *a0, *wxa, *wh, *keys, *values, *wc, *att, *hs, *gates, *hproj, *cat, *alpha, *datt;
  float *demb, *dh0, *da0, *dwxa, *dwh, *dbh, *dkeys, *dvalues, *dwc, *dbc;
} backward_args;

/* What the gradient needs besides its operands: per-step row lists, carried gradients, rows gathered over all steps. */
typedef struct {
  int64_t *idx, *offset;                          /* [N], [T] */
  float *dh, *da, *dcat, *g, *dhz, *tmp, *ds;     /* [N, H], [N, A], [N, C], [N, H], [N, H], [N, max(H, A)], [L] */
  float *du, *hprev, *aprev, *dxp, *dhp;          /* [R, A], [R, H], [R, A], [R, 3H], [R, 3H] */
  float *wct, *wht, *wxat;                        /* [A, C], [3H, H], [3H, A] */
} backward_scratch;

static void decoder_backward(dims d, const backward_args *b, backward_scratch *s) {
  const int64_t T = d.T, N = d.N, H = d.H, L = d.L, E = d.E, A = d.A, C = H + E;
  int64_t R = 0;
  for (int64_t t = 0; t < T; t++) R += active_rows(b->mask + t * N, N, s->idx), s->offset[t] = R;
  transpose(b->wc, C, A, s->wct);
  transpose(b->wh, H, 3 * H, s->wht);
  transpose(b->wxa, A, 3 * H, s->wxat);
  memset(b->dkeys, 0, (size_t)(N * L * H) * sizeof(float));
  memset(b->dvalues, 0, (size_t)(N * L * E) * sizeof(float));
  memset(s->dh, 0, (size_t)(N * H) * sizeof(float)); /* ∂L/∂(state after step t) from later steps */
  memset(s->da, 0, (size_t)(N * A) * sizeof(float)); /* the same for the attention vector */
  for (int64_t t = T - 1; t >= 0; t--) {
    const float *h_before = t ? b->hs + (t - 1) * N * H : b->h0, *a_before = t ? b->att + (t - 1) * N * A : b->a0;
    const float *h_t = b->hs + t * N * H, *a_t = b->att + t * N * A;
    float *demb = b->demb + t * N * 3 * H;
    memset(demb, 0, (size_t)(N * 3 * H) * sizeof(float));
    for (int64_t j = 0; j < N * A; j++) s->da[j] += b->datt[t * N * A + j]; /* a carried row passes it on as it is */
    const int64_t k = active_rows(b->mask + t * N, N, s->idx);
    if (k == 0) continue;
    const int64_t r = s->offset[t] - k;
    float *du = s->du + r * A, *dxp = s->dxp + r * 3 * H, *dhp = s->dhp + r * 3 * H;
    for (int64_t i = 0; i < k; i++)
      for (int64_t j = 0; j < A; j++) {
        const float a = a_t[s->idx[i] * A + j];
        du[i * A + j] = s->da[s->idx[i] * A + j] * (1.0f - a * a); /* through tanh */
      }
    product(k, C, A, du, s->wct, 0.0f, s->dcat);
    for (int64_t i = 0; i < k; i++) {
      const int64_t n = s->idx[i];
      float *g = s->g + i * H;
      for (int64_t j = 0; j < H; j++) g[j] = s->dcat[i * C + j] + s->dh[n * H + j];
      attend_row_backward(b->keys + n * L * H, b->values + n * L * E, b->alpha + (r + i) * L, h_t + n * H, s->dcat + i * C + H, L, H, E, g,
                          b->dkeys + n * L * H, b->dvalues + n * L * E, s->ds);
    }
    gather_rows(s->hprev + r * H, h_before, s->idx, k, H);
    gather_rows(s->aprev + r * A, a_before, s->idx, k, A);
    gru_gates_backward(b->gates + r * 3 * H, b->hproj + r * 3 * H, s->hprev + r * H, s->g, dxp, dhp, s->dhz, k, H);
    product(k, H, 3 * H, dhp, s->wht, 0.0f, s->tmp); /* ∂L/∂h_{t−1} = direct part + dhProj·Whᵀ */
    for (int64_t i = 0; i < k; i++)
      for (int64_t j = 0; j < H; j++) s->dh[s->idx[i] * H + j] = s->dhz[i * H + j] + s->tmp[i * H + j];
    product(k, A, 3 * H, dxp, s->wxat, 0.0f, s->tmp); /* ∂L/∂a_{t−1} through input feeding */
    for (int64_t i = 0; i < k; i++) {
      memcpy(s->da + s->idx[i] * A, s->tmp + i * A, (size_t)A * sizeof(float));
      memcpy(demb + s->idx[i] * 3 * H, dxp + i * 3 * H, (size_t)(3 * H) * sizeof(float));
    }
  }
  memcpy(b->dh0, s->dh, (size_t)(N * H) * sizeof(float));
  memcpy(b->da0, s->da, (size_t)(N * A) * sizeof(float));
  /* each weight's gradient as one product over every decoded row of every step */
  product_tn(R, C, A, b->cat, s->du, b->dwc);
  sum_columns(s->du, R, A, b->dbc);
  product_tn(R, H, 3 * H, s->hprev, s->dhp, b->dwh);
  sum_columns(s->dhp, R, 3 * H, b->dbh);
  product_tn(R, A, 3 * H, s->aprev, s->dxp, b->dwxa);
}

static int dims_ok(napi_env env, const char *kernel, dims d) {
  const int64_t big = (int64_t)1 << 31;
  const int64_t TN = d.T * d.N, C = d.H + d.E, wide = (3 * d.H > C ? 3 * d.H : C) + d.A;
  if (d.T >= 1 && d.N >= 1 && d.H >= 1 && d.L >= 1 && d.E >= 1 && d.A >= 1 && d.T < big && d.N < big && d.H < big && d.A < big && d.E < big &&
      d.L < big && TN * wide < big && d.N * d.L * C < big && TN * d.L < big && C * d.A < big && 3 * d.H * (d.H + d.A) < big)
    return 1;
  napi_throw_range_error(env, NULL, kernel);
  return 0;
}

static dims read_dims(const kernel_args *a) { return (dims){a->ints[0], a->ints[1], a->ints[2], a->ints[3], a->ints[4], a->ints[5]}; }

/*
 * attentionDecoder(heap, T, N, H, L, E, A, embProj, mask, h0, a0, wxa, wh, bh, keys, values, bias, wc, bc, att, hs, gates, hproj,
 * cat, alpha): wxa [A, 3H] is the attention-vector part of the GRU's input weight.
 */
napi_value attention_decoder(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "attentionDecoder", 24, &a)) return NULL;
  const dims d = read_dims(&a);
  if (!dims_ok(env, "attentionDecoder: bad dimensions", d)) return NULL;
  const int64_t T = d.T, N = d.N, H = d.H, L = d.L, E = d.E, A = d.A, TN = T * N;
  const int64_t sizes[18] = {TN * 3 * H, TN, N * H,      N * A,      A * 3 * H,       H * 3 * H,  3 * H,  N * L * H, N * L * E,
                             N * L,      (H + E) * A, A, TN * A, TN * H, TN * 3 * H, TN * 3 * H, TN * (H + E), TN * L};
  if (!operands_in_heap(env, &a, "attentionDecoder", a.ints + 6, sizes, 18)) return NULL;
  const int64_t scratch_words = N * (3 * H + 2 * A + 2 * H); /* xp, aprev, hprev, hnew, u */
  int64_t *idx = malloc((size_t)N * sizeof(int64_t));
  float *scratch = malloc((size_t)scratch_words * sizeof(float));
  if (!idx || !scratch) {
    free(idx), free(scratch);
    napi_throw_error(env, NULL, "attentionDecoder: out of memory");
    return NULL;
  }
  float *heap = (float *)a.heap;
  const int64_t *o = a.ints + 6;
  const forward_args f = {heap + o[0],  heap + o[1],  heap + o[2],  heap + o[3],  heap + o[4],  heap + o[5],
                          heap + o[6],  heap + o[7],  heap + o[8],  heap + o[9],  heap + o[10], heap + o[11],
                          heap + o[12], heap + o[13], heap + o[14], heap + o[15], heap + o[16], heap + o[17]};
  float *xp = scratch, *aprev = xp + N * 3 * H, *hprev = aprev + N * A, *hnew = hprev + N * H, *u = hnew + N * H;
  decoder_forward(d, &f, idx, xp, aprev, hprev, hnew, u);
  free(idx), free(scratch);
  return NULL;
}

/*
 * attentionDecoderGrad(heap, T, N, H, L, E, A, mask, h0, a0, wxa, wh, keys, values, wc, att, hs, gates, hproj, cat, alpha, dAtt,
 * dEmbProj, dh0, da0, dWxa, dWh, dbh, dKeys, dValues, dWc, dbc).
 */
napi_value attention_decoder_grad(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "attentionDecoderGrad", 31, &a)) return NULL;
  const dims d = read_dims(&a);
  if (!dims_ok(env, "attentionDecoderGrad: bad dimensions", d)) return NULL;
  const int64_t T = d.T, N = d.N, H = d.H, L = d.L, E = d.E, A = d.A, C = H + E, TN = T * N;
  const int64_t sizes[25] = {TN,         N * H,      N * A, A * 3 * H, H * 3 * H, N * L * H, N * L * E, C * A,     TN * A,
                             TN * H,     TN * 3 * H, TN * 3 * H, TN * C, TN * L, TN * A,    TN * 3 * H, N * H, N * A,
                             A * 3 * H, H * 3 * H, 3 * H, N * L * H, N * L * E, C * A, A};
  if (!operands_in_heap(env, &a, "attentionDecoderGrad", a.ints + 6, sizes, 25)) return NULL;
  const int64_t per_row = 3 * H + A + C + (H > A ? H : A), per_decoded = A + H + A + 6 * H; /* see backward_scratch */
  const int64_t words = N * per_row + L + TN * per_decoded + A * C + 3 * H * H + 3 * H * A;
  int64_t *ints = malloc((size_t)(N + T) * sizeof(int64_t));
  float *w = malloc((size_t)words * sizeof(float));
  if (!ints || !w) {
    free(ints), free(w);
    napi_throw_error(env, NULL, "attentionDecoderGrad: out of memory");
    return NULL;
  }
  backward_scratch s = {.idx = ints, .offset = ints + N};
  float *p = w;
  s.dh = p, p += N * H;
  s.da = p, p += N * A;
  s.dcat = p, p += N * C;
  s.g = p, p += N * H;
  s.dhz = p, p += N * H;
  s.tmp = p, p += N * (H > A ? H : A);
  s.ds = p, p += L;
  s.du = p, p += TN * A;
  s.hprev = p, p += TN * H;
  s.aprev = p, p += TN * A;
  s.dxp = p, p += TN * 3 * H;
  s.dhp = p, p += TN * 3 * H;
  s.wct = p, p += A * C;
  s.wht = p, p += 3 * H * H;
  s.wxat = p;
  float *heap = (float *)a.heap;
  const int64_t *o = a.ints + 6;
  const backward_args b = {heap + o[0],  heap + o[1],  heap + o[2],  heap + o[3],  heap + o[4],  heap + o[5],  heap + o[6],
                           heap + o[7],  heap + o[8],  heap + o[9],  heap + o[10], heap + o[11], heap + o[12], heap + o[13],
                           heap + o[14], heap + o[15], heap + o[16], heap + o[17], heap + o[18], heap + o[19], heap + o[20],
                           heap + o[21], heap + o[22], heap + o[23], heap + o[24]};
  decoder_backward(d, &b, &s);
  free(ints), free(w);
  return NULL;
}
