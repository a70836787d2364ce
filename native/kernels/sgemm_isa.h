/*
 * The matrix product for one instruction set. sgemm.c includes this file once per instruction set, having defined
 * ISA (a name suffix), TARGET (the functions' target attribute), VW (floats in one vector) and MR (rows of a tile).
 *
 * The layout is the one of BLIS and OpenBLAS (Goto's): op(B) is packed in blocks of KC × NC that stay in L2, op(A)
 * in panels of MR rows × KC that stay in L1 while a tile kernel runs along the B block, each kernel keeping an
 * MR × NR block of C in registers (NR = two vectors). With few rows of A (a decoding step, a sequence's one step),
 * packing B costs as much as the product, so B is read where it lies instead (unless transposed).
 */
#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, ISA)
#define VEC FN(vec)
#define NR (2 * VW)

/* Unaligned, may alias the floats it is loaded from: the WASM heap gives no alignment beyond 4 bytes. */
typedef float VEC __attribute__((vector_size(VW * sizeof(float)), aligned(4), may_alias));

/*
 * c [R, nr] (row stride ldc) = a · b + beta·c over kc, a packed (a[p·MR + r]), b rows at stride rsb (NR floats each,
 * read whole even when nr < NR: the caller packs an edge panel). R is a constant where inlined, so the
 * accumulators live in registers.
 */
static inline __attribute__((always_inline)) TARGET void FN(tile)(const int R, int64_t kc, const float *restrict a, const float *restrict b,
                                                                  int64_t rsb, float *restrict c, int64_t ldc, int64_t nr, float beta) {
  /* With few rows, S independent sums over alternate p keep the FMA units busy instead of waiting on one sum's latency. */
  const int S = MR / R >= 4 ? 4 : MR / R;
  VEC acc[MR][2];
  for (int r = 0; r < S * R; r++) acc[r][0] = acc[r][1] = (VEC){0};
  int64_t p = 0;
  for (; p + S <= kc; p += S) {
    for (int s = 0; s < S; s++) {
      const VEC b0 = *(const VEC *)(b + (p + s) * rsb), b1 = *(const VEC *)(b + (p + s) * rsb + VW);
      for (int r = 0; r < R; r++) {
        const VEC ar = (VEC){0} + a[(p + s) * MR + r];
        acc[s * R + r][0] += ar * b0;
        acc[s * R + r][1] += ar * b1;
      }
    }
  }
  for (; p < kc; p++) {
    const VEC b0 = *(const VEC *)(b + p * rsb), b1 = *(const VEC *)(b + p * rsb + VW);
    for (int r = 0; r < R; r++) {
      const VEC ar = (VEC){0} + a[p * MR + r];
      acc[r][0] += ar * b0;
      acc[r][1] += ar * b1;
    }
  }
  for (int s = 1; s < S; s++) {
    for (int r = 0; r < R; r++) {
      acc[r][0] += acc[s * R + r][0];
      acc[r][1] += acc[s * R + r][1];
    }
  }
  for (int r = 0; r < R; r++) {
    float *cr = c + r * ldc;
    if (nr == NR) {
      VEC *c0 = (VEC *)cr, *c1 = (VEC *)(cr + VW);
      if (beta == 0.0f) { /* c may hold anything, NaN included: it must not leak in (0·NaN is NaN) */
        *c0 = acc[r][0];
        *c1 = acc[r][1];
      } else if (beta == 1.0f) {
        *c0 += acc[r][0];
        *c1 += acc[r][1];
      } else {
        *c0 = beta * *c0 + acc[r][0];
        *c1 = beta * *c1 + acc[r][1];
      }
    } else {
      float t[NR];
      *(VEC *)t = acc[r][0];
      *(VEC *)(t + VW) = acc[r][1];
      for (int64_t j = 0; j < nr; j++) cr[j] = beta == 0.0f ? t[j] : beta * cr[j] + t[j];
    }
  }
}

/* One R-row tile, R known at compile time in each case (a row count the switch misses cannot occur: R ≤ MR). */
static TARGET void FN(tile_rows)(int R, int64_t kc, const float *a, const float *b, int64_t rsb, float *c, int64_t ldc, int64_t nr, float beta) {
#define TILE_CASE(n) \
  case n: FN(tile)(n, kc, a, b, rsb, c, ldc, nr, beta); return;
  switch (R) {
    TILE_CASE(MR)
    TILE_CASE(1)
    TILE_CASE(2)
    TILE_CASE(3)
#if MR > 4
    TILE_CASE(4)
#endif
#if MR > 5
    TILE_CASE(5)
#endif
#if MR > 6
    TILE_CASE(6)
#endif
#if MR > 7
    TILE_CASE(7)
#endif
#if MR > 8
    TILE_CASE(8)
#endif
#if MR > 9
    TILE_CASE(9)
#endif
#if MR > 10
    TILE_CASE(10)
#endif
#if MR > 11
    TILE_CASE(11)
#endif
  }
#undef TILE_CASE
}

/* op(A) rows [i0, i0 + mc) × columns [p0, p0 + kc) into panels of MR rows (p-major in each), the last one padded with zeros. */
static TARGET void FN(pack_a)(int ta, const float *a, int64_t lda, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float *restrict out) {
  for (int64_t q = 0; q < mc; q += MR, out += MR * kc) {
    const int64_t rows = mc - q < MR ? mc - q : MR;
    if (ta) { /* op(A)(i, p) = a[p·lda + i]: each p is MR contiguous floats */
      for (int64_t p = 0; p < kc; p++) {
        const float *src = a + (p0 + p) * lda + i0 + q;
        for (int64_t r = 0; r < MR; r++) out[p * MR + r] = r < rows ? src[r] : 0.0f;
      }
    } else { /* MR rows of a side by side, written in order */
      const float *src[MR];
      for (int64_t r = 0; r < MR; r++) src[r] = a + (i0 + q + (r < rows ? r : 0)) * lda + p0;
      for (int64_t p = 0; p < kc; p++)
        for (int64_t r = 0; r < MR; r++) out[p * MR + r] = r < rows ? src[r][p] : 0.0f;
    }
  }
}

/* op(B) rows [p0, p0 + kc) × columns [j0, j0 + nc) into panels of NR columns (p-major in each), the last one padded with zeros. */
static TARGET void FN(pack_b)(int tb, const float *b, int64_t ldb, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float *restrict out) {
  for (int64_t q = 0; q < nc; q += NR, out += NR * kc) {
    const int64_t cols = nc - q < NR ? nc - q : NR;
    if (tb) { /* op(B)(p, j) = b[j·ldb + p]: NR rows of b side by side, written in order */
      const float *src[NR];
      for (int64_t j = 0; j < NR; j++) src[j] = b + (j0 + q + (j < cols ? j : 0)) * ldb + p0;
      for (int64_t p = 0; p < kc; p++)
        for (int64_t j = 0; j < NR; j++) out[p * NR + j] = j < cols ? src[j][p] : 0.0f;
    } else {
      for (int64_t p = 0; p < kc; p++) {
        const float *src = b + (p0 + p) * ldb + j0 + q;
        for (int64_t j = 0; j < NR; j++) out[p * NR + j] = j < cols ? src[j] : 0.0f;
      }
    }
  }
}

/*
 * c [R, n] = op(a) · b + beta·c for R = 1 or 2 rows (one reply decoded): b streamed row by row, PB rows at once, the
 * form of a BLAS's gemv. Tiles would read b down its columns, which the prefetcher follows badly: half the speed.
 */
static inline __attribute__((always_inline)) TARGET void FN(few_rows)(const int R, int ta, int64_t n, int64_t k, const float *a, int64_t lda,
                                                                      const float *b, int64_t ldb, float beta, float *c, int64_t ldc) {
  enum { PB = VW >= 16 ? 8 : 4 };
  if (beta != 1.0f)
    for (int r = 0; r < R; r++)
      for (int64_t j = 0; j < n; j++) c[r * ldc + j] = beta == 0.0f ? 0.0f : beta * c[r * ldc + j];
  for (int64_t p0 = 0; p0 < k; p0 += PB) {
    const int64_t pb = k - p0 < PB ? k - p0 : PB;
    VEC av[2][PB];
    for (int r = 0; r < R; r++)
      for (int q = 0; q < PB; q++) av[r][q] = (VEC){0} + (q < pb ? (ta ? a[(p0 + q) * lda + r] : a[r * lda + p0 + q]) : 0.0f);
    int64_t j = 0;
    if (pb == PB) {
      for (; j + VW <= n; j += VW) {
        VEC y[2];
        for (int r = 0; r < R; r++) y[r] = *(const VEC *)(c + r * ldc + j);
        for (int q = 0; q < PB; q++) {
          const VEC bq = *(const VEC *)(b + (p0 + q) * ldb + j);
          for (int r = 0; r < R; r++) y[r] += av[r][q] * bq;
        }
        for (int r = 0; r < R; r++) *(VEC *)(c + r * ldc + j) = y[r];
      }
    }
    for (; j < n; j++)
      for (int r = 0; r < R; r++)
        for (int q = 0; q < pb; q++) c[r * ldc + j] += av[r][q][0] * b[(p0 + q) * ldb + j];
  }
}

/* c [1, n] = a · bᵀ + beta·c, a one contiguous row: each entry a dot product along a row of b (b read once, in order). */
static TARGET void FN(dot_row)(int64_t n, int64_t k, const float *a, const float *b, int64_t ldb, float beta, float *c) {
  for (int64_t j = 0; j < n; j++) {
    const float *bj = b + j * ldb;
    VEC acc[4] = {{0}, {0}, {0}, {0}}; /* four sums: one would wait on each FMA's latency */
    int64_t p = 0;
    for (; p + 4 * VW <= k; p += 4 * VW)
      for (int s = 0; s < 4; s++) acc[s] += *(const VEC *)(a + p + s * VW) * *(const VEC *)(bj + p + s * VW);
    const VEC v = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    float sum = 0.0f;
    for (int i = 0; i < VW; i++) sum += v[i];
    for (; p < k; p++) sum += a[p] * bj[p];
    c[j] = beta == 0.0f ? sum : beta * c[j] + sum;
  }
}

/* c [m, n] = op(a) · op(b) + beta·c, row-major; the scratch holds one packed block of each operand. */
static TARGET void FN(sgemm)(int ta, int tb, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                             float beta, float *c, int64_t ldc, float *pa, float *pb) {
  if (tb && m == 1 && (!ta || lda == 1)) { /* a's one row is contiguous */
    FN(dot_row)(n, k, a, b, ldb, beta, c);
    return;
  }
  if (!tb && m <= 2) {
    if (m == 1) FN(few_rows)(1, ta, n, k, a, lda, b, ldb, beta, c, ldc);
    else FN(few_rows)(2, ta, n, k, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (!tb && m <= DIRECT_ROWS) {
    /* A few rows: each panel of B (KC × NR, read in place) serves every row of A while it is in L1. */
    for (int64_t p0 = 0; p0 < k; p0 += KC_DIRECT) {
      const int64_t kc = k - p0 < KC_DIRECT ? k - p0 : KC_DIRECT;
      const float bp = p0 == 0 ? beta : 1.0f;
      FN(pack_a)(ta, a, lda, 0, m, p0, kc, pa);
      for (int64_t j = 0; j < n; j += NR) {
        const int64_t nr = n - j < NR ? n - j : NR;
        const float *panel = b + p0 * ldb + j;
        int64_t rsb = ldb;
        if (nr < NR) { /* reading a whole NR past the end of b could leave the heap */
          FN(pack_b)(0, b, ldb, p0, kc, j, nr, pb);
          panel = pb;
          rsb = NR;
        }
        for (int64_t i = 0; i < m; i += MR)
          FN(tile_rows)(m - i < MR ? (int)(m - i) : MR, kc, pa + i * kc, panel, rsb, c + i * ldc + j, ldc, nr, bp);
      }
    }
    return;
  }
  for (int64_t j0 = 0; j0 < n; j0 += NC) {
    const int64_t nc = n - j0 < NC ? n - j0 : NC;
    for (int64_t p0 = 0; p0 < k; p0 += KC) {
      const int64_t kc = k - p0 < KC ? k - p0 : KC;
      const float bp = p0 == 0 ? beta : 1.0f;
      FN(pack_b)(tb, b, ldb, p0, kc, j0, nc, pb);
      for (int64_t i0 = 0; i0 < m; i0 += MC) {
        const int64_t mc = m - i0 < MC ? m - i0 : MC;
        FN(pack_a)(ta, a, lda, i0, mc, p0, kc, pa);
        for (int64_t i = 0; i < mc; i += MR) {
          const int rows = mc - i < MR ? (int)(mc - i) : MR;
          for (int64_t j = 0; j < nc; j += NR)
            FN(tile_rows)(rows, kc, pa + i * kc, pb + j * kc, NR, c + (i0 + i) * ldc + j0 + j, ldc, nc - j < NR ? nc - j : NR, bp);
        }
      }
    }
  }
}

#undef VEC
#undef NR
#undef FN
#undef CAT
#undef CAT_
