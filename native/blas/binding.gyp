{
  "targets": [
    {
      "target_name": "blas_kernels",
      "sources": ["blas_kernels.c"],
      "cflags": ["-O2"],
      "libraries": ["-lopenblas"]
    }
  ]
}
