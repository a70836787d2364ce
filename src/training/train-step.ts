import * as tf from '@tensorflow/tfjs';
import { DialogueBatch } from '../models/batch';
import { DialogueModel } from '../models/dialogue-model';
import { batchLoss, LossOptions } from '../models/loss';
import { ScaledAdam } from '../tensor/fused-adam';

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

/** The gradients of one batch's loss, one per parameter in the model's order, and the loss terms. */
export interface BatchGradients {
  grads: tf.Tensor[];
  loss: number;
  nll: number;
  kl: number;
  bow: number;
}

/** Scale factor of global-norm clipping (tfjs optimizers take no clipnorm option). */
export function clipScale(globalNorm: number, maxNorm: number): number {
  return maxNorm / Math.max(globalNorm, maxNorm);
}

/**
 * Forward and backward of one batch: the gradients of its mean token loss. The caller disposes `grads`.
 * Every parameter gets one: a model makes only the parameters its loss reads (a head whose loss weight is 0 still
 * reads them, times 0), so a parameter without a gradient is a bug in the model, refused here by name rather than
 * left for the clipping to stumble on.
 */
export function batchGradients(model: DialogueModel, batch: DialogueBatch, lossOptions: LossOptions): BatchGradients {
  const params = [...model.params.vars];
  const vars = params.map(([, v]) => v);
  let kept: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const terms = batchLoss(model, batch, lossOptions);
    kept = [terms.nll, terms.kl, terms.bow].map((t) => tf.keep(t));
    return terms.loss;
  }, vars);
  const [loss] = value.dataSync();
  const [nll, kl, bow] = kept.map((t) => t.dataSync()[0]);
  tf.dispose([value, ...kept]);
  const unused = params.filter(([, v]) => !grads[v.name]).map(([name]) => name);
  if (unused.length > 0) {
    tf.dispose(Object.values(grads));
    throw new Error(`the ${model.config.kind} loss does not read the parameters ${unused.join(', ')}: the model should not have made them`);
  }
  return { grads: vars.map((v) => grads[v.name]), loss, nll, kl, bow };
}

/**
 * Global-norm clipping and one optimizer step on gradients in the model's parameter order; returns the norm.
 * The optimizer gets them by variable name, every parameter every step. A non-finite gradient would poison every
 * weight through Adam's moments: the update is skipped then.
 */
export function applyGradients(model: DialogueModel, optimizer: ScaledAdam, grads: readonly tf.Tensor[], maxGradNorm: number): number {
  const vars = [...model.params.vars.values()];
  if (grads.length !== vars.length) throw new RangeError(`${grads.length} gradients for the model's ${vars.length} parameters`);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))));
  const [gradNorm] = norm.dataSync();
  norm.dispose();
  const scale = clipScale(gradNorm, maxGradNorm);
  if (Number.isFinite(gradNorm)) optimizer.applyScaledGradients(Object.fromEntries(vars.map((v, i) => [v.name, grads[i]])), scale);
  return gradNorm;
}

/** One update: forward, backward, global-norm clip, optimizer step. Leaves no tensors behind. */
export function trainStep(model: DialogueModel, optimizer: ScaledAdam, batch: DialogueBatch, lossOptions: LossOptions, maxGradNorm: number): StepResult {
  const { grads, ...terms } = batchGradients(model, batch, lossOptions);
  const gradNorm = applyGradients(model, optimizer, grads, maxGradNorm);
  tf.dispose(grads);
  return { ...terms, gradNorm, targetTokens: batch.targetTokens, replies: batch.targets };
}
