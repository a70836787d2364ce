/**
 * Per-reply log-likelihood of a test set by teacher forcing, with VHRED's intractable
 * log p(x | c) estimated by importance sampling from the posterior (Burda et al. 2016,
 * "Importance Weighted Autoencoders", ICLR; the estimate Serban et al. 2017 use for VHRED):
 *
 *   log p(x|c) ≈ log (1/K) Σ_k exp(w_k),  w_k = log p(x|z_k,c) + log p(z_k|c) − log q(z_k|x,c),  z_k ~ q(z|x,c).
 *
 * In expectation the estimate lies between the ELBO and the true log p(x|c) and approaches the latter
 * as K grows, so its perplexity is the tighter figure; the ELBO (E_q log p(x|z) − KL(q‖p), the
 * reconstruction averaged over the same K draws) is returned beside it. HRED and Seq2Seq have no z:
 * both are the exact log p(x|c), computed once. Replies are laid out as in training (buildBatch:
 * the model's maxTurns and maxUtteranceTokens; eos counts as a token).
 */
import * as tf from '@tensorflow/tfjs';
import { buildBatch, type DialogueIds } from '../models/batch';
import type { DialogueModel } from '../models/dialogue-model';
import { klDiagonal, reparameterize, type Gaussian } from '../models/latent';
import { replyLogLikelihoods, teacherForcedInputs } from '../models/loss';
import { logSumExp } from './statistics';
import { tfSeed } from '../tensor/seed';

const LOG_2PI = Math.log(2 * Math.PI);

export interface ImportanceSamplingOptions {
  /** K, posterior samples per reply (default 10). */
  readonly samples?: number;
  /** Dialogues per forward pass (default 16). */
  readonly batchSize?: number;
  readonly seed?: number;
}

/** One entry per reply, in corpus order (dialogue by dialogue, turn by turn). */
export interface ReplyScores {
  /** Target tokens of the reply, eos included. */
  readonly tokens: number[];
  /** The importance-sampled estimate of log p(x|c), nats (exact for models without z). */
  readonly logLikelihood: number[];
  /** ELBO per reply, nats (equals logLikelihood for models without z). */
  readonly elbo: number[];
  /** KL(q(z|x,c) ‖ p(z|c)) per reply, nats; 0 without z. */
  readonly kl: number[];
  /** Posterior means per reply (VHRED), for active units. */
  readonly posteriorMeans: Float32Array[];
  readonly samples: number;
}

/** exp(−Σ log p / Σ tokens) over the given replies (all by default). */
export function perplexityOf(logLikelihood: readonly number[], tokens: readonly number[], indices?: ArrayLike<number>): number {
  let logSum = 0;
  let tokenSum = 0;
  const count = indices ? indices.length : logLikelihood.length;
  for (let j = 0; j < count; j++) {
    const i = indices ? indices[j] : j;
    logSum += logLikelihood[i];
    tokenSum += tokens[i];
  }
  return Math.exp(-logSum / Math.max(1, tokenSum));
}

/** log N(z; μ, diag σ²) per row, [N]. */
function logDensity(z: tf.Tensor2D, g: Gaussian): tf.Tensor1D {
  const squared = tf.div(tf.square(tf.sub(z, g.mean)), tf.exp(g.logVar));
  return tf.mul(tf.sum(tf.add(tf.add(squared, g.logVar), LOG_2PI), 1), -0.5) as tf.Tensor1D;
}

/** Scores every reply of `dialogues` (token ids per turn) under `model`; see the file comment. */
export function scoreReplies(model: DialogueModel, dialogues: DialogueIds[], options: ImportanceSamplingOptions = {}): ReplyScores {
  const K = model.config.kind === 'vhred' ? (options.samples ?? 10) : 1;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`importance samples must be a positive integer, got ${K}`);
  const batchSize = options.batchSize ?? 16;
  const seed = options.seed ?? 7;
  const out: ReplyScores = { tokens: [], logLikelihood: [], elbo: [], kl: [], posteriorMeans: [], samples: K };
  const c = model.config;
  for (let start = 0; start < dialogues.length; start += batchSize) {
    const batch = buildBatch(dialogues.slice(start, start + batchSize), { maxTurns: c.maxTurns, maxUtteranceTokens: c.maxUtteranceTokens });
    const N = batch.targets;
    for (let n = 0; n < N; n++) {
      let count = 0;
      for (let j = 0; j < batch.decLength; j++) count += batch.decMask[n * batch.decLength + j];
      out.tokens.push(count);
    }
    tf.tidy(() => {
      const inputs = teacherForcedInputs(model, batch);
      if (c.kind !== 'vhred') {
        const ll = replyLogLikelihoods(model, batch, inputs).dataSync();
        for (const value of ll) {
          out.logLikelihood.push(value);
          out.elbo.push(value);
          out.kl.push(0);
        }
        return;
      }
      const context = inputs.context!;
      const q = model.posteriorOf(context, inputs.reply!);
      const p = model.priorOf(context);
      const weights: Float32Array[] = []; // [K][N]
      const reconstruction = new Float64Array(N);
      for (let k = 0; k < K; k++) {
        // A tidy per sample: each decoding's [tokens, vocabulary] intermediates go before the next one's, or K of
        // them at once outgrow the WASM heap on a batch of real dialogues ("memory access out of bounds").
        tf.tidy(() => {
          const eps = tf.randomNormal(q.mean.shape, 0, 1, 'float32', tfSeed(seed + start * K + k)) as tf.Tensor2D;
          const z = reparameterize(q, eps);
          const ll = replyLogLikelihoods(model, batch, inputs, z);
          ll.dataSync().forEach((value, n) => (reconstruction[n] += value / K));
          weights.push(tf.sub(tf.add(ll, logDensity(z, p)), logDensity(z, q)).dataSync() as Float32Array);
        });
      }
      const kl = tf.sum(klDiagonal(q, p), 1).dataSync();
      const means = q.mean.dataSync() as Float32Array;
      const Z = c.latentDim;
      for (let n = 0; n < N; n++) {
        out.logLikelihood.push(logSumExp(weights.map((w) => w[n])) - Math.log(K));
        out.elbo.push(reconstruction[n] - kl[n]);
        out.kl.push(kl[n]);
        out.posteriorMeans.push(means.slice(n * Z, (n + 1) * Z));
      }
    });
  }
  return out;
}
