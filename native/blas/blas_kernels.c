/*
 * Single-precision matrix products for tfjs's WASM backend, computed by OpenBLAS straight on the
 * WASM heap. tfjs on WASM is single-threaded in Node and its matrix kernels reach a quarter of what
 * OpenBLAS does on the same core; no npm package binds a BLAS to Node without copying, so this is
 * the smallest binding that does: one call, one loop over the batch, no allocation.
 */
#include <cblas.h>
#include <node_api.h>
#include <stdint.h>

#define CHECK(call)                                                        \
  if ((call) != napi_ok) {                                                 \
    napi_throw_error(env, NULL, "blas_kernels: bad arguments to " #call); \
    return NULL;                                                           \
  }

static int64_t int_arg(napi_env env, napi_value v, napi_status *status) {
  int64_t out = 0;
  *status = napi_get_value_int64(env, v, &out);
  return out;
}

/*
 * gemm(heap, batch, m, n, k, transA, transB, aOffset, aBatchStride, bOffset, bBatchStride, cOffset)
 * heap: the WASM memory's ArrayBuffer; offsets and strides count floats. Row-major, C = op(A)·op(B),
 * C[i] = op(A[i])·op(B[i]) for each batch entry i (stride 0 broadcasts an operand).
 */
static napi_value gemm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 12) {
    napi_throw_type_error(env, NULL, "blas_kernels.gemm takes 12 arguments");
    return NULL;
  }
  void *data = NULL;
  size_t byteLength = 0;
  CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &byteLength));
  napi_status st = napi_ok;
  int64_t a[11];
  for (int i = 0; i < 11; i++) {
    a[i] = int_arg(env, argv[i + 1], &st);
    if (st != napi_ok) {
      napi_throw_type_error(env, NULL, "blas_kernels.gemm: numeric arguments expected");
      return NULL;
    }
  }
  const int64_t batch = a[0], m = a[1], n = a[2], k = a[3];
  const int transA = (int)a[4], transB = (int)a[5];
  const int64_t aOff = a[6], aStride = a[7], bOff = a[8], bStride = a[9], cOff = a[10];
  const int64_t floats = (int64_t)(byteLength / sizeof(float));
  /* Every operand must lie inside the heap: a wrong offset would write outside it. */
  const int64_t aEnd = aOff + (batch - 1) * aStride + m * k, bEnd = bOff + (batch - 1) * bStride + k * n;
  const int64_t cEnd = cOff + batch * m * n;
  if (batch < 1 || m < 0 || n < 0 || k < 0 || aOff < 0 || bOff < 0 || cOff < 0 || aStride < 0 || bStride < 0 ||
      aEnd > floats || bEnd > floats || cEnd > floats) {
    napi_throw_range_error(env, NULL, "blas_kernels.gemm: operand outside the heap");
    return NULL;
  }
  float *heap = (float *)data;
  const int lda = transA ? (int)m : (int)k, ldb = transB ? (int)k : (int)n;
  for (int64_t i = 0; i < batch; i++) {
    float *A = heap + aOff + i * aStride, *B = heap + bOff + i * bStride, *C = heap + cOff + i * m * n;
    if (m == 1) {
      /* A row vector times a matrix (one reply decoded at a time): sgemv is several times faster than sgemm. */
      if (transB) cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)k, 1.0f, B, (int)k, A, 1, 0.0f, C, 1);
      else cblas_sgemv(CblasRowMajor, CblasTrans, (int)k, (int)n, 1.0f, B, (int)n, A, 1, 0.0f, C, 1);
      continue;
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, (int)m, (int)n,
                (int)k, 1.0f, A, lda, B, ldb, 0.0f, C, (int)n);
  }
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t n = 1;
  CHECK(napi_get_value_int32(env, argv[0], &n));
  openblas_set_num_threads(n < 1 ? 1 : n);
  return NULL;
}

static napi_value get_threads(napi_env env, napi_callback_info info) {
  napi_value out;
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value get_config(napi_env env, napi_callback_info info) {
  napi_value out;
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out));
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"threads", NULL, get_threads, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, get_config, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
