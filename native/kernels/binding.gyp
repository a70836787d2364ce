{
  "targets": [
    {
      "target_name": "native_kernels",
      "sources": ["module.c", "gemm.c", "softmax_xent.c", "gru_gates.c", "column_sums.c", "adam.c", "gru_sequence.c", "attention_decoder.c"],
      "cflags": ["-O3", "-ffast-math"],
      "libraries": ["-lopenblas", "-lm"]
    }
  ]
}
