import * as tf from '@tensorflow/tfjs';
import { DialogueBatch } from '../models/batch';
import { DialogueModel } from '../models/dialogue-model';
import { batchLoss, LossOptions } from '../models/loss';

export interface StepResult {
  loss: number;
  /** Summed token NLL and KL of the batch; divide by targetTokens / targets for means. */
  nll: number;
  kl: number;
  bow: number;
  targetTokens: number;
  replies: number;
  gradNorm: number;
}

/** Scale factor of global-norm clipping (tfjs optimizers take no clipnorm option). */
export function clipScale(globalNorm: number, maxNorm: number): number {
  return maxNorm / Math.max(globalNorm, maxNorm);
}

/** One update: forward, backward, global-norm clip, optimizer step. Leaves no tensors behind. */
export function trainStep(
  model: DialogueModel,
  optimizer: tf.Optimizer,
  batch: DialogueBatch,
  lossOptions: LossOptions,
  maxGradNorm: number,
): StepResult {
  const vars = [...model.params.vars.values()];
  let kept: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const terms = batchLoss(model, batch, lossOptions);
    kept = [terms.nll, terms.kl, terms.bow].map((t) => tf.keep(t));
    return terms.loss;
  }, vars);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));
  const [gradNorm] = norm.dataSync();
  const scale = clipScale(gradNorm, maxGradNorm);
  const clipped: tf.NamedTensorMap = {};
  for (const [name, g] of Object.entries(grads)) clipped[name] = scale < 1 ? tf.mul(g, scale) : g;
  // A non-finite gradient would poison every weight through Adam's moments: skip the update (reported as NaN loss).
  if (Number.isFinite(gradNorm)) optimizer.applyGradients(clipped);
  const [loss] = value.dataSync();
  const [nll, kl, bow] = kept.map((t) => t.dataSync()[0]);
  tf.dispose([value, norm, ...kept, ...Object.values(grads), ...Object.values(clipped)]);
  return { loss, nll, kl, bow, gradNorm, targetTokens: batch.targetTokens, replies: batch.targets };
}
