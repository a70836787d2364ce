/** How many of a VHRED's latent dimensions its posterior uses: reported by training's validation and by comparisons. */

export interface ActiveUnitsResult {
  /** Number of active dimensions. */
  readonly count: number;
  /** Indices of the active dimensions, ascending. */
  readonly activeDimensions: number[];
  /** Per-dimension variance across data points of the posterior mean. */
  readonly variances: number[];
}

/**
 * Active units (Burda et al. 2016, "Importance Weighted Autoencoders", ICLR):
 * A_d = Var_x(E_{q(z|x)}[z_d]); dimension d is active when A_d > threshold (default 0.01).
 * `posteriorMeans[i]` is the posterior mean of data point i. The variance is the unbiased
 * sample variance (÷ (n − 1)), as He et al.'s `calc_au`; their code tests `>=`, Burda's text `>`,
 * which only differ at exact equality. Fewer than two points give variances of 0.
 */
export function activeUnits(posteriorMeans: readonly ArrayLike<number>[], threshold = 0.01): ActiveUnitsResult {
  const n = posteriorMeans.length;
  const dim = n === 0 ? 0 : posteriorMeans[0].length;
  const variances: number[] = [];
  for (let d = 0; d < dim; d++) {
    let sum = 0;
    for (const row of posteriorMeans) sum += row[d];
    const centre = sum / n;
    let squares = 0;
    for (const row of posteriorMeans) squares += (row[d] - centre) ** 2;
    variances.push(n < 2 ? 0 : squares / (n - 1));
  }
  const activeDimensions = variances.flatMap((v, d) => (v > threshold ? [d] : []));
  return { count: activeDimensions.length, activeDimensions, variances };
}
