import * as tf from '@tensorflow/tfjs';
import { createDense, dense, DenseParams } from './layers/dense';
import { ParamStore } from './layers/params';

/** A diagonal Gaussian as mean and log-variance, both [N, Z]. */
export interface Gaussian {
  mean: tf.Tensor2D;
  logVar: tf.Tensor2D;
}

/**
 * MLP with one tanh hidden layer producing a Gaussian (VHRED's prior and posterior networks). Without a `logVar`
 * head the variance is fixed at 1 (log-variance 0).
 */
export interface GaussianMlpParams {
  hidden: DenseParams;
  mean: DenseParams;
  logVar?: DenseParams;
}

export function createGaussianMlp(store: ParamStore, name: string, inDim: number, hidden: number, latent: number, learnVariance = true): GaussianMlpParams {
  return {
    hidden: createDense(store, `${name}.hidden`, inDim, hidden),
    mean: createDense(store, `${name}.mean`, hidden, latent),
    ...(learnVariance ? { logVar: createDense(store, `${name}.logVar`, hidden, latent) } : {}),
  };
}

export function gaussianMlp(x: tf.Tensor2D, p: GaussianMlpParams): Gaussian {
  const h = tf.tanh(dense(x, p.hidden));
  const mean = dense(h, p.mean);
  return { mean, logVar: p.logVar ? dense(h, p.logVar) : tf.zerosLike(mean) };
}

/** Reparameterised sample z = μ + σ ⊙ ε with ε ~ N(0, I). */
export function reparameterize(g: Gaussian, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.add(g.mean, tf.mul(tf.exp(tf.mul(g.logVar, 0.5)), eps));
}

/**
 * KL(q ‖ p) between diagonal Gaussians, per dimension: [N, Z].
 *   ½ (log σp² − log σq² + (σq² + (μq − μp)²) / σp² − 1)
 */
export function klDiagonal(q: Gaussian, p: Gaussian): tf.Tensor2D {
  const varRatio = tf.exp(tf.sub(q.logVar, p.logVar));
  const meanTerm = tf.div(tf.square(tf.sub(q.mean, p.mean)), tf.exp(p.logVar));
  return tf.mul(tf.sub(tf.add(tf.sub(p.logVar, q.logVar), tf.add(varRatio, meanTerm)), 1), 0.5);
}

/**
 * The KL term added to the loss, summed over replies and dimensions. With `freeBits` > 0 each
 * dimension's batch-mean KL is floored at that many nats ("free bits", Kingma et al. 2016), so the
 * optimiser gains nothing by pushing a dimension's KL below the floor.
 */
export function klPenalty(klPerDim: tf.Tensor2D, freeBits: number): tf.Scalar {
  if (freeBits <= 0) return tf.sum(klPerDim);
  const n = klPerDim.shape[0];
  return tf.mul(tf.sum(tf.maximum(tf.mean(klPerDim, 0), freeBits)), n);
}
