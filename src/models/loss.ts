import * as tf from '@tensorflow/tfjs';
import { tfSeed } from '../tensor/seed';
import { softmaxCrossEntropyRows } from '../tensor/softmax-xent';
import { DialogueBatch } from './batch';
import { DialogueModel } from './dialogue-model';
import { Dropout, dropoutOf, noDropout } from './layers/dropout';
import { klDiagonal, klPenalty, reparameterize } from './latent';

export interface LossOptions {
  /** Weight of the KL term (annealed by the trainer). */
  klWeight: number;
  /** Per-dimension KL floor in nats ("free bits"); 0 disables it. */
  freeBits: number;
  /** Weight of the bag-of-words loss (models with that head; 0 leaves the head untrained). */
  bowWeight: number;
  /** Seed of ε for the reparameterised sample (a fresh one per step). */
  seed?: number;
  /**
   * Dropout rate (training only) on the token embeddings, the utterance encoder's outputs, the context state and the
   * attention vectors before the output layer. 0 or unset: none (validation and evaluation).
   */
  dropout?: number;
  /**
   * Label smoothing ε (Szegedy et al. 2016): each token's target is (1 − ε) on the reference and ε spread uniformly
   * over the vocabulary. Changes what is minimised only; `nll` stays the plain likelihood (perplexity).
   */
  labelSmoothing?: number;
}

/** Summed terms of one batch; `loss` = (nll + w·KL + bow) / target tokens is what is minimised. */
export interface LossTerms {
  loss: tf.Scalar;
  /** Sum of token negative log-likelihoods over non-padding target positions. */
  nll: tf.Scalar;
  /** Sum of KL(q‖p) over replies (VHRED), without free bits or weight. */
  kl: tf.Scalar;
  bow: tf.Scalar;
  /** [N, Z] posterior means, for active-unit statistics. */
  posteriorMean?: tf.Tensor2D;
}

/** Forward pass of a whole batch with teacher forcing. Call inside tf.tidy / variableGrads. */
export function batchLoss(model: DialogueModel, batch: DialogueBatch, opts: LossOptions): LossTerms {
  const drop = dropoutOf(opts.dropout ?? 0, (opts.seed ?? 0) * 64 + 17);
  const inputs = teacherForcedInputs(model, batch, drop);
  let kl: tf.Scalar = tf.scalar(0);
  let klTerm: tf.Scalar = tf.scalar(0);
  let z: tf.Tensor2D | undefined;
  let posteriorMean: tf.Tensor2D | undefined;
  if (model.config.kind === 'vhred') {
    const q = model.posteriorOf(inputs.context!, inputs.reply!);
    const p = model.priorOf(inputs.context!);
    const eps = tf.randomNormal(q.mean.shape, 0, 1, 'float32', tfSeed(opts.seed)) as tf.Tensor2D;
    const klPerDim = klDiagonal(q, p);
    kl = tf.sum(klPerDim);
    klTerm = klPenalty(klPerDim, opts.freeBits);
    z = reparameterize(q, eps);
    posteriorMean = q.mean;
  }
  const feature = model.decoderFeature({ ...inputs, z });

  const { logits, labels } = targetLogits(model, batch, feature, inputs, true, drop);
  const nll = tf.sum(softmaxCrossEntropyRows(logits, labels)) as tf.Scalar;
  const smoothing = opts.labelSmoothing ?? 0;
  const fitted = smoothing > 0 ? tf.add(tf.mul(nll, 1 - smoothing), tf.mul(uniformCrossEntropy(logits), smoothing)) : nll;

  // The head's term is in the loss whatever its weight: at weight 0 its parameters get a zero gradient, not none.
  const bow = model.bagOfWords ? bagOfWordsNll(model.bagOfWordsLogits(feature), batch, model.config.vocabSize) : tf.scalar(0);

  const total = tf.addN([fitted, tf.mul(klTerm, opts.klWeight), tf.mul(bow, opts.bowWeight)]);
  return { loss: tf.div(total, batch.targetTokens) as tf.Scalar, nll, kl, bow, posteriorMean };
}

/**
 * Σ over rows of the cross-entropy against the uniform distribution, −(1/V)·Σ_v log softmax(l)_v = logsumexp(l) − mean(l):
 * label smoothing's second term.
 */
export function uniformCrossEntropy(logits: tf.Tensor2D): tf.Scalar {
  return tf.sum(tf.sub(tf.logSumExp(logits, 1), tf.mean(logits, 1))) as tf.Scalar;
}

/** −Σ log softmax(bowLogits)[reply token] over every reply's tokens (eos included), order ignored. */
function bagOfWordsNll(logits: tf.Tensor2D, batch: DialogueBatch, vocabSize: number): tf.Scalar {
  const N = batch.targets;
  const counts = new Float32Array(N * vocabSize);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < batch.decLength; j++) {
      const i = n * batch.decLength + j;
      if (batch.decMask[i] > 0) counts[n * vocabSize + batch.decOut[i]] += 1;
    }
  }
  return tf.neg(tf.sum(tf.mul(tf.tensor2d(counts, [N, vocabSize]), tf.logSoftmax(logits)))) as tf.Scalar;
}

/** What conditions each reply of a batch in teacher forcing, as batchLoss wires it (see replyLogLikelihoods). */
export interface TeacherForcedInputs {
  /** [N, 2He] the answered utterance's vector: seq2seq's decoder feature. */
  answered: tf.Tensor2D;
  /** [N, Hc] context state before each reply (hred, vhred). */
  context?: tf.Tensor2D;
  /** [N, 2He] each reply's own encoding, the posterior's input (vhred). */
  reply?: tf.Tensor2D;
  memoryValues: tf.Tensor3D;
  memoryMask: tf.Tensor2D;
}

/**
 * Encoder and context side of batchLoss without any sampling, so an evaluation can draw its own z
 * (importance sampling, src/evaluation). Call inside tf.tidy.
 */
export function teacherForcedInputs(model: DialogueModel, batch: DialogueBatch, drop: Dropout = noDropout): TeacherForcedInputs {
  const U = batch.utterances;
  const encMask = tf.tensor2d(batch.encMask, [U, batch.encLength]);
  const encoded = model.encodeUtterances(tf.tensor2d(batch.encIds, [U, batch.encLength], 'int32'), encMask, batch.encLengths, drop);
  const enc = drop === noDropout ? encoded : { outputs: drop(encoded.outputs), vectors: drop(encoded.vectors) };
  const answeredRows = tf.tensor1d(batch.answeredUtterance, 'int32');
  const inputs: TeacherForcedInputs = {
    answered: tf.gather(enc.vectors, answeredRows) as tf.Tensor2D,
    memoryValues: tf.gather(enc.outputs, answeredRows) as tf.Tensor3D,
    memoryMask: tf.gather(encMask, answeredRows) as tf.Tensor2D,
  };
  if (model.config.kind === 'seq2seq') return inputs;
  const padded = tf.concat([enc.vectors, tf.zeros([1, enc.vectors.shape[1]])], 0);
  const slots = tf.gather(padded, tf.tensor1d(batch.slotUtterance, 'int32'));
  const states = model.contextStates(tf.reshape(slots, [batch.dialogues, batch.turns, -1]) as tf.Tensor3D, tf.tensor2d(batch.slotMask, [batch.dialogues, batch.turns]));
  inputs.context = drop(tf.gather(tf.reshape(states, [batch.dialogues * batch.turns, -1]), tf.tensor1d(batch.contextSlot, 'int32')) as tf.Tensor2D);
  inputs.reply = tf.gather(enc.vectors, tf.tensor1d(batch.targetUtterance, 'int32')) as tf.Tensor2D;
  return inputs;
}

/**
 * log p(reply | context[, z]) per reply, [N]: the sum of log softmax at every real target position (eos
 * included), decoded with teacher forcing from what conditions the decoder (`z` [N, Z] for VHRED).
 * Call inside tf.tidy.
 */
export function replyLogLikelihoods(model: DialogueModel, batch: DialogueBatch, inputs: TeacherForcedInputs, z?: tf.Tensor2D): tf.Tensor1D {
  const { logits, labels, owners } = targetLogits(model, batch, model.decoderFeature({ ...inputs, z }), inputs, false);
  const tokenLogProbs = tf.neg(softmaxCrossEntropyRows(logits, labels));
  // Σ per reply as a product with the one-hot owner matrix: the WASM backend has no UnsortedSegmentSum.
  return tf.sum(tf.mul(tf.expandDims(tokenLogProbs, 1), tf.oneHot(owners, batch.targets)), 0) as tf.Tensor1D;
}

/**
 * Teacher-forced decoding of every reply from `feature`, projected to the vocabulary only at real target
 * positions (the largest product; padding would be wasted work): logits [M, V], their labels and owning reply.
 */
function targetLogits(
  model: DialogueModel,
  batch: DialogueBatch,
  feature: tf.Tensor2D,
  inputs: TeacherForcedInputs,
  forTraining: boolean,
  drop: Dropout = noDropout,
): { logits: tf.Tensor2D; labels: tf.Tensor1D; owners: tf.Tensor1D } {
  const N = batch.targets;
  const start = model.startDecoder(feature, inputs.memoryValues, inputs.memoryMask, forTraining);
  const steps = model.decodeTeacherForced(start, tf.tensor2d(batch.decIn, [N, batch.decLength], 'int32'), tf.tensor2d(batch.decMask, [N, batch.decLength]), drop);
  const positions: number[] = [];
  const labels: number[] = [];
  const owners: number[] = [];
  for (let j = 0; j < batch.decLength; j++) {
    for (let n = 0; n < N; n++) {
      const i = n * batch.decLength + j;
      if (batch.decMask[i] > 0) {
        positions.push(j * N + n); // decodeTeacherForced is time-major
        labels.push(batch.decOut[i]);
        owners.push(n);
      }
    }
  }
  return {
    logits: model.outputLogits(drop(tf.gather(steps, tf.tensor1d(positions, 'int32')) as tf.Tensor2D)),
    labels: tf.tensor1d(labels, 'int32'),
    owners: tf.tensor1d(owners, 'int32'),
  };
}
