/**
 * Diagnostics of a VHRED latent space: Gaussian KL and the mutual information between input and code (active units,
 * which training reports too, are in src/models/active-units.ts). A diagonal Gaussian is given by its mean and
 * log-variance vectors.
 */
import { SeededRandom } from '../../common/random';
import { logSumExp, mean } from '../statistics';

// Bound once, as in random.ts: global `Math` lookups are slow inside jest's sandbox.
const { exp, log, PI } = Math;
const LOG_2PI = log(2 * PI);

export interface DiagonalGaussian {
  readonly mean: ArrayLike<number>;
  readonly logVariance: ArrayLike<number>;
}

/**
 * KL(q ‖ p) per dimension for diagonal Gaussians, in nats:
 * KL_d = ½ · [ log σ²_p − log σ²_q + (σ²_q + (μ_q − μ_p)²) / σ²_p − 1 ].
 */
export function gaussianKlPerDimension(q: DiagonalGaussian, p: DiagonalGaussian): number[] {
  const dim = q.mean.length;
  if (q.logVariance.length !== dim || p.mean.length !== dim || p.logVariance.length !== dim) {
    throw new RangeError('posterior and prior must have the same dimension');
  }
  const kl: number[] = [];
  for (let d = 0; d < dim; d++) {
    const varianceRatio = exp(q.logVariance[d] - p.logVariance[d]);
    const meanTerm = (q.mean[d] - p.mean[d]) ** 2 / exp(p.logVariance[d]);
    kl.push(0.5 * (p.logVariance[d] - q.logVariance[d] + varianceRatio + meanTerm - 1));
  }
  return kl;
}

/** KL(q ‖ p) of one reply: the sum over dimensions of {@link gaussianKlPerDimension}. */
export function gaussianKl(q: DiagonalGaussian, p: DiagonalGaussian): number {
  return gaussianKlPerDimension(q, p).reduce((sum, value) => sum + value, 0);
}

/** Mean over replies of the per-dimension KL (which dimensions carry information); [] for no replies. */
export function meanKlPerDimension(posteriors: readonly DiagonalGaussian[], priors: readonly DiagonalGaussian[]): number[] {
  if (posteriors.length !== priors.length) throw new RangeError('need one prior per posterior');
  if (posteriors.length === 0) return [];
  const perReply = posteriors.map((q, i) => gaussianKlPerDimension(q, priors[i]));
  return perReply[0].map((_, d) => mean(perReply.map((row) => row[d])));
}

/** log N(z; μ, diag σ²) = −½ Σ_d [ log 2π + log σ²_d + (z_d − μ_d)² / σ²_d ]. */
export function gaussianLogDensity(z: ArrayLike<number>, gaussian: DiagonalGaussian): number {
  let sum = 0;
  for (let d = 0; d < z.length; d++) {
    sum += LOG_2PI + gaussian.logVariance[d] + (z[d] - gaussian.mean[d]) ** 2 / exp(gaussian.logVariance[d]);
  }
  return -0.5 * sum;
}

/**
 * Monte Carlo estimate of I(x; z) under q(x, z) = p_data(x) q(z|x), as He et al. 2019
 * ("Lagging Inference Networks and Posterior Collapse in VAEs", ICLR, `calc_mi`):
 * I ≈ (1/N) Σ_i ( −H[q(z|x_i)] − log q̂(z_i) ), with z_i ~ q(z|x_i) (one draw each),
 * −H[q(z|x)] = −½ Σ_d (log 2π + 1 + log σ²_d) and the aggregate posterior approximated by the
 * mixture of the N given posteriors, q̂(z) = (1/N) Σ_j q(z|x_j).
 * In nats. The true value under the mixture is at most log N; the one-draw estimate
 * fluctuates around it (each term has sd ≈ √(d/2) when posteriors do not overlap), so use
 * a large N. Seeded.
 */
export function mutualInformation(posteriors: readonly DiagonalGaussian[], seed = 0): number {
  const n = posteriors.length;
  if (n === 0) return 0;
  const random = new SeededRandom(seed);
  let total = 0;
  const logDensities = new Float64Array(n);
  for (const q of posteriors) {
    let negativeEntropy = 0;
    const z = new Float64Array(q.mean.length);
    for (let d = 0; d < z.length; d++) {
      negativeEntropy -= 0.5 * (LOG_2PI + 1 + q.logVariance[d]);
      z[d] = q.mean[d] + exp(0.5 * q.logVariance[d]) * random.nextGaussian();
    }
    for (let j = 0; j < n; j++) logDensities[j] = gaussianLogDensity(z, posteriors[j]);
    total += negativeEntropy - (logSumExp(logDensities) - log(n));
  }
  return total / n;
}
