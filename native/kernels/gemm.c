/* Batched single-precision matrix products by OpenBLAS, row-major, as tfjs's BatchMatMul defines them. */
#include <cblas.h>
#include "args.h"

/*
 * gemm(heap, batch, m, n, k, transA, transB, aOffset, aBatchStride, bOffset, bBatchStride, cOffset):
 * C[i] = op(A[i])·op(B[i]) for each batch entry i; a batch stride of 0 broadcasts that operand.
 */
napi_value gemm(napi_env env, napi_callback_info info) {
  kernel_args a;
  if (!read_kernel_args(env, info, "gemm", 11, &a)) return NULL;
  const int64_t batch = a.ints[0], m = a.ints[1], n = a.ints[2], k = a.ints[3];
  const int transA = (int)a.ints[4], transB = (int)a.ints[5];
  const int64_t aOff = a.ints[6], aStride = a.ints[7], bOff = a.ints[8], bStride = a.ints[9], cOff = a.ints[10];
  const int shapeOk = batch >= 1 && m >= 0 && n >= 0 && k >= 0 && aStride >= 0 && bStride >= 0;
  const int64_t offsets[3] = {aOff, bOff, cOff};
  const int64_t sizes[3] = {shapeOk ? (batch - 1) * aStride + m * k : -1, (batch - 1) * bStride + k * n, batch * m * n};
  if (!operands_in_heap(env, &a, "gemm", offsets, sizes, 3)) return NULL;
  float *heap = (float *)a.heap;
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

napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok) {
    napi_throw_type_error(env, NULL, "setThreads takes one integer");
    return NULL;
  }
  openblas_set_num_threads(n < 1 ? 1 : n);
  return NULL;
}

napi_value get_threads(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
  return out;
}

napi_value get_config(napi_env env, napi_callback_info info) {
  napi_value out;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out);
  return out;
}
