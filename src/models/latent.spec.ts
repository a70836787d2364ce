import * as tf from '@tensorflow/tfjs';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { klDiagonal, klPenalty, reparameterize } from './latent';

useTensorBackend();

describe('klDiagonal', () => {
  it('is ½(log σp² − log σq² + (σq² + (μq − μp)²)/σp² − 1) per dimension', () => {
    // q = N(0.5, 1), p = N(0, 4): ½(ln 4 + 1.25/4 − 1) = 0.3493972
    const q = { mean: tf.tensor2d([[0.5]]), logVar: tf.tensor2d([[0]]) };
    const p = { mean: tf.tensor2d([[0]]), logVar: tf.tensor2d([[Math.log(4)]]) };
    expect(klDiagonal(q, p).dataSync()[0]).toBeCloseTo(0.3493972, 6);
  });

  it('is zero for identical Gaussians', () => {
    const g = { mean: tf.tensor2d([[0.3, -1]]), logVar: tf.tensor2d([[0.2, -0.5]]) };
    expect(Array.from(klDiagonal(g, g).dataSync())).toEqual([0, 0]);
  });
});

describe('klPenalty', () => {
  const kl = () =>
    tf.tensor2d([
      [0.1, 2],
      [0.3, 4],
    ]);
  it('sums the KL without free bits', () => {
    expect(klPenalty(kl(), 0).dataSync()[0]).toBeCloseTo(6.4, 5);
  });
  it('floors each dimension’s batch mean at the free bits (then counts every reply)', () => {
    // means [0.2, 3] → floored at 0.5 → [0.5, 3] → 3.5 × 2 replies
    expect(klPenalty(kl(), 0.5).dataSync()[0]).toBeCloseTo(7, 5);
  });
});

describe('reparameterize', () => {
  it('is μ + exp(½ log σ²)·ε', () => {
    const z = reparameterize({ mean: tf.tensor2d([[1]]), logVar: tf.tensor2d([[Math.log(4)]]) }, tf.tensor2d([[0.5]]));
    expect(z.dataSync()[0]).toBeCloseTo(2, 6);
  });
});
