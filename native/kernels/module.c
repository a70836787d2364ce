/*
 * Native kernels for tfjs's WASM backend, computing straight on the WASM heap (no copies). tfjs on WASM
 * is single-threaded in Node and its matrix and exp kernels run far below what the core can do; no npm
 * package binds a BLAS or a vectorised exp to Node without copying, so this is the smallest binding that
 * does. Every kernel checks that its operands lie inside the heap before touching them.
 */
#include <stdio.h>
#include "args.h"

/*
 * The hash of the sources this binary was built from (source-hash.js, passed in by binding.gyp). The loader finds
 * this text in the file's bytes and refuses a binary built from other sources before loading it (`used`: nothing
 * else refers to it, and the compiler must keep it).
 */
#ifndef KERNELS_SOURCE_HASH
#error "build with binding.gyp: it defines KERNELS_SOURCE_HASH"
#endif
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
__attribute__((used)) static const char source_tag[] = "native-kernels-source-hash:" STRINGIFY(KERNELS_SOURCE_HASH);

int read_kernel_args(napi_env env, napi_callback_info info, const char *kernel, size_t count, kernel_args *out) {
  size_t argc = 33;
  napi_value argv[33];
  char msg[128];
  if (count > 32 || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != count + 1) {
    snprintf(msg, sizeof msg, "%s takes the heap and %zu integers", kernel, count);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  size_t bytes = 0;
  if (napi_get_arraybuffer_info(env, argv[0], &out->heap, &bytes) != napi_ok) {
    snprintf(msg, sizeof msg, "%s: the first argument must be the WASM heap's ArrayBuffer", kernel);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  out->words = (int64_t)(bytes / 4);
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_int64(env, argv[i + 1], &out->ints[i]) != napi_ok) {
      snprintf(msg, sizeof msg, "%s: argument %zu must be an integer", kernel, i + 1);
      napi_throw_type_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

int operands_in_heap(napi_env env, const kernel_args *a, const char *kernel, const int64_t *offsets, const int64_t *sizes, int count) {
  for (int i = 0; i < count; i++) {
    const int64_t offset = offsets[i];
    if (offset < 0 || sizes[i] < 0 || offset + sizes[i] > a->words) {
      char msg[128];
      snprintf(msg, sizeof msg, "%s: operand outside the heap", kernel);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, get_config, NULL, NULL, NULL, napi_default, NULL},
      {"useIsa", NULL, use_isa, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxXent", NULL, softmax_xent, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxXentGrad", NULL, softmax_xent_grad, NULL, NULL, NULL, napi_default, NULL},
      {"columnSums", NULL, column_sums, NULL, NULL, NULL, napi_default, NULL},
      {"gruGates", NULL, gru_gates, NULL, NULL, NULL, napi_default, NULL},
      {"gruGatesGrad", NULL, gru_gates_grad, NULL, NULL, NULL, napi_default, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_default, NULL},
      {"gruSequence", NULL, gru_sequence, NULL, NULL, NULL, napi_default, NULL},
      {"gruSequenceGrad", NULL, gru_sequence_grad, NULL, NULL, NULL, napi_default, NULL},
      {"attentionDecoder", NULL, attention_decoder, NULL, NULL, NULL, napi_default, NULL},
      {"attentionDecoderGrad", NULL, attention_decoder_grad, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
