{
  "targets": [
    {
      "target_name": "native_kernels",
      "sources": ["module.c", "sgemm.c", "gemm.c", "softmax_xent.c", "gru_gates.c", "column_sums.c", "adam.c", "gru_sequence.c", "attention_decoder.c"],
      "cflags": ["-O3", "-ffast-math", "-std=gnu11"],
      "defines": ["KERNELS_SOURCE_HASH=<!(node source-hash.js)"],
      "libraries": ["-lm", "-lpthread"]
    }
  ]
}
