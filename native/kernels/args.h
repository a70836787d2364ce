/* Argument reading shared by the kernels: the WASM heap and integer offsets (in 4-byte units) into it. */
#ifndef NATIVE_KERNELS_ARGS_H
#define NATIVE_KERNELS_ARGS_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* A loop kernel compiled for AVX-512, AVX2 and plain x86-64, chosen at load time by the CPU it runs on (elsewhere: once). */
#if defined(__x86_64__) && defined(__linux__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

typedef struct {
  void *heap;
  int64_t words; /* heap size in 4-byte words */
  int64_t ints[32];
} kernel_args;

/* Reads `heap, int × count` from the call; on a bad call throws a JS error naming `kernel` and returns 0. */
int read_kernel_args(napi_env env, napi_callback_info info, const char *kernel, size_t count, kernel_args *out);

/*
 * 1 when every operand lies inside the heap: operand i starts at word offsets[i] and is sizes[i] words long.
 * Otherwise (a negative size included: a bad shape) throws a RangeError and returns 0.
 */
int operands_in_heap(napi_env env, const kernel_args *a, const char *kernel, const int64_t *offsets, const int64_t *sizes, int count);

napi_value gemm(napi_env env, napi_callback_info info);
napi_value get_config(napi_env env, napi_callback_info info);
napi_value use_isa(napi_env env, napi_callback_info info);
napi_value softmax_xent(napi_env env, napi_callback_info info);
napi_value softmax_xent_grad(napi_env env, napi_callback_info info);
napi_value gru_gates(napi_env env, napi_callback_info info);
napi_value column_sums(napi_env env, napi_callback_info info);
napi_value gru_gates_grad(napi_env env, napi_callback_info info);
napi_value adam(napi_env env, napi_callback_info info);
napi_value gru_sequence(napi_env env, napi_callback_info info);
napi_value gru_sequence_grad(napi_env env, napi_callback_info info);
napi_value attention_decoder(napi_env env, napi_callback_info info);
napi_value attention_decoder_grad(napi_env env, napi_callback_info info);
#endif
