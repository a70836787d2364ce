/* Batched single-precision matrix products (sgemm.c), row-major, as tfjs's BatchMatMul defines them. */
#include <stdio.h>
#include "args.h"
#include "sgemm.h"

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
  const int64_t lda = transA ? m : k, ldb = transB ? k : n;
  for (int64_t i = 0; i < batch; i++)
    sgemm(transA, transB, m, n, k, heap + aOff + i * aStride, lda, heap + bOff + i * bStride, ldb, 0.0f, heap + cOff + i * m * n, n);
  return NULL;
}

/* config(): the instruction set the products run on, e.g. "sgemm avx512". */
napi_value get_config(napi_env env, napi_callback_info info) {
  char text[64];
  snprintf(text, sizeof text, "sgemm %s", sgemm_isa());
  napi_value out;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out);
  return out;
}

/* useIsa(name): runs the products on that instruction set from now on (tests compare each path); false if this CPU lacks it. */
napi_value use_isa(napi_env env, napi_callback_info info) {
  size_t argc = 1, len = 0;
  napi_value argv[1], out;
  char name[32];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_get_value_string_utf8(env, argv[0], name, sizeof name, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "useIsa takes one string");
    return NULL;
  }
  napi_get_boolean(env, sgemm_use_isa(name), &out);
  return out;
}
