/**
 * The encoder-decoder family, built bottom-up like the papers:
 * embedding → bidirectional GRU utterance encoder → context GRU (HRED, VHRED) →
 * prior/posterior over z (VHRED) → GRU decoder with Luong attention over the answered utterance
 * (layers/attention-decoder.ts, which picks the native kernel or its tfjs reference).
 * What starts the decoder (decoder-condition.ts):
 *   Seq2Seq: the answered utterance's vector alone.
 *   HRED:    the context GRU's state over all utterance vectors so far (Serban et al. 2016).
 *   VHRED:   HRED plus z ~ q(z | context, reply) in training, p(z | context) at generation (Serban et al. 2017).
 * Shapes: N replies, U utterances, L tokens, E embedding, He encoder units, Hc context, Hd decoder, A attention.
 */
import * as tf from '@tensorflow/tfjs';
import { ConditionSources, decoderCondition } from './decoder-condition';
import { AttentionDecoder, DecoderState } from './layers/attention-decoder';
import { createDense, dense, DenseParams } from './layers/dense';
import { Dropout, noDropout } from './layers/dropout';
import { activeRows, createGru, gruInputProjection, gruStep, GruParams, GruSteps, runGru } from './layers/gru';
import { ParamStore } from './layers/params';
import { createGaussianMlp, Gaussian, gaussianMlp, GaussianMlpParams } from './latent';
import { ModelConfig } from './model-config';

export type { DecoderState } from './layers/attention-decoder';

export interface EncodedUtterances {
  /** [U, L, 2He] per-token encoder outputs (attention memory). */
  outputs: tf.Tensor3D;
  /** [U, 2He] utterance vectors: final forward and backward states. */
  vectors: tf.Tensor2D;
}

export class DialogueModel {
  readonly params: ParamStore;
  readonly embedding: tf.Variable;
  readonly encoderForward: GruParams;
  readonly encoderBackward: GruParams;
  readonly context?: GruParams;
  readonly decoderInit: DenseParams;
  private readonly attentionDecoder: AttentionDecoder;
  /** Untied: the [A, V] output layer. Tied (config.tieEmbeddings): the [A, E] projection onto the embedding, and `outputBias`. */
  readonly output: DenseParams;
  readonly outputBias?: tf.Tensor1D;
  readonly prior?: GaussianMlpParams;
  readonly posterior?: GaussianMlpParams;
  readonly bagOfWords?: { hidden: DenseParams; out: DenseParams };

  constructor(
    readonly config: ModelConfig,
    seed = 1,
  ) {
    const c = config;
    const p = (this.params = new ParamStore(seed));
    const encDim = 2 * c.encoderUnits;
    this.embedding = p.uniform('embedding', [c.vocabSize, c.embeddingDim], 0.1);
    this.encoderForward = createGru(p, 'encoder.forward', c.embeddingDim, c.encoderUnits);
    this.encoderBackward = createGru(p, 'encoder.backward', c.embeddingDim, c.encoderUnits);
    if (c.kind !== 'seq2seq') this.context = createGru(p, 'context', encDim, c.contextUnits);
    if (c.kind === 'vhred') {
      this.prior = createGaussianMlp(p, 'prior', c.contextUnits, c.latentHidden, c.latentDim, c.learnedPrior);
      this.posterior = createGaussianMlp(p, 'posterior', c.contextUnits + encDim, c.latentHidden, c.latentDim);
      if (c.bagOfWords) {
        this.bagOfWords = {
          hidden: createDense(p, 'bow.hidden', this.decoderFeatureDim(), c.latentHidden),
          out: createDense(p, 'bow.out', c.latentHidden, c.vocabSize),
        };
      }
    }
    this.decoderInit = createDense(p, 'decoder.init', this.decoderFeatureDim(), c.decoderUnits);
    this.attentionDecoder = AttentionDecoder.create(p, 'decoder', { embeddingDim: c.embeddingDim, memoryDim: encDim, units: c.decoderUnits, attentionUnits: c.attentionUnits });
    if (c.tieEmbeddings) {
      this.output = createDense(p, 'decoder.output.projection', c.attentionUnits, c.embeddingDim);
      this.outputBias = p.zeros('decoder.output.bias', [c.vocabSize]) as tf.Tensor1D;
    } else {
      this.output = createDense(p, 'decoder.output', c.attentionUnits, c.vocabSize);
    }
  }

  /** The decoder's GRU (its input reads [token embedding; previous attention vector]). */
  get decoder(): GruParams {
    return this.attentionDecoder.gru;
  }

  /**
   * Bidirectional GRU over utterances: ids [U, L] int32, mask [U, L] with 1 on real tokens; `lengths`, when the
   * rows are sorted longest first (training batches are), steps only the utterances still running.
   * Runs time-major ([L, U, ·]) so each step's slice is contiguous: unstacking the batch-major
   * layout along its time axis was the costliest op of a training step on WASM. `drop` applies to the embeddings
   * (training only).
   */
  encodeUtterances(ids: tf.Tensor2D, mask: tf.Tensor2D, lengths?: readonly number[], drop: Dropout = noDropout): EncodedUtterances {
    const [U, L] = ids.shape;
    const emb = drop(tf.gather(this.embedding, tf.reshape(tf.transpose(ids), [-1])) as tf.Tensor2D);
    const steps = (x: tf.Tensor2D) => tf.reshape(x, [L, U, -1]) as tf.Tensor3D;
    const which: GruSteps = lengths ? { active: activeRows(lengths, L) } : { mask: tf.transpose(mask) };
    const h0 = tf.zeros([U, this.config.encoderUnits]) as tf.Tensor2D;
    const fw = runGru(steps(gruInputProjection(emb, this.encoderForward)), which, h0, this.encoderForward);
    const bw = runGru(steps(gruInputProjection(emb, this.encoderBackward)), which, h0, this.encoderBackward, true);
    const timeMajor = tf.concat([fw.outputs, bw.outputs], 2);
    return {
      outputs: tf.transpose(timeMajor, [1, 0, 2]) as tf.Tensor3D,
      vectors: tf.concat([fw.final, bw.final], 1),
    };
  }

  /** Context GRU over a [B, T, 2He] sequence of utterance vectors with turn mask [B, T]: states [B, T, Hc]. */
  contextStates(vectors: tf.Tensor3D, turnMask: tf.Tensor2D): tf.Tensor3D {
    const ctx = this.requireContext();
    const [B, T, D] = vectors.shape;
    const timeMajor = tf.reshape(tf.transpose(vectors, [1, 0, 2]), [T * B, D]) as tf.Tensor2D;
    const steps = tf.reshape(gruInputProjection(timeMajor, ctx), [T, B, -1]) as tf.Tensor3D;
    const run = runGru(steps, { mask: tf.transpose(turnMask) }, tf.zeros([B, ctx.units]), ctx);
    return tf.transpose(run.outputs, [1, 0, 2]) as tf.Tensor3D;
  }

  /** One context step: state [N, Hc] after reading utterance vectors [N, 2He]. */
  contextStep(state: tf.Tensor2D, vector: tf.Tensor2D): tf.Tensor2D {
    const ctx = this.requireContext();
    return gruStep(gruInputProjection(vector, ctx), state, ctx);
  }

  priorOf(context: tf.Tensor2D): Gaussian {
    return gaussianMlp(context, this.requireLatent().prior);
  }

  posteriorOf(context: tf.Tensor2D, replyVector: tf.Tensor2D): Gaussian {
    return gaussianMlp(tf.concat([context, replyVector], 1), this.requireLatent().posterior);
  }

  /** Bag-of-words logits [N, V] predicted from [context; z] (Zhao et al. 2017). */
  bagOfWordsLogits(feature: tf.Tensor2D): tf.Tensor2D {
    // Internal invariant: callers (loss.ts) ask only a model whose config built the head.
    if (!this.bagOfWords) throw new Error('model was built without the bag-of-words head');
    return dense(tf.tanh(dense(feature, this.bagOfWords.hidden)), this.bagOfWords.out);
  }

  /** Size of what conditions the decoder (decoderCondition). */
  decoderFeatureDim(): number {
    const c = this.config;
    return decoderCondition(c.kind, { answered: 2 * c.encoderUnits, context: c.contextUnits, z: c.latentDim }).reduce((a, b) => a + b, 0);
  }

  /** What conditions the decoder of each reply [N, decoderFeatureDim], from its parts (decoderCondition). */
  decoderFeature(from: ConditionSources<tf.Tensor2D>): tf.Tensor2D {
    return tf.concat(decoderCondition(this.config.kind, from), 1);
  }

  /** Initial decoder state tanh(W·feature + b) and its attention memory (`forTraining`: for a gradient through it). */
  startDecoder(feature: tf.Tensor2D, memoryValues: tf.Tensor3D, memoryMask: tf.Tensor2D, forTraining = false): DecoderState {
    return this.attentionDecoder.start(tf.tanh(dense(feature, this.decoderInit)), memoryValues, memoryMask, forTraining);
  }

  /** One decoder step from the previous tokens [N]: logits [N, V] and the next state. */
  decoderStep(prevTokens: tf.Tensor1D, state: DecoderState): { logits: tf.Tensor2D; state: DecoderState } {
    const next = this.attentionDecoder.step(tf.gather(this.embedding, prevTokens) as tf.Tensor2D, state);
    return { logits: this.outputLogits(next.attention), state: next };
  }

  /**
   * Teacher-forced decoding of inputs [N, Ld]: the attention vectors of every step, time-major
   * [Ld·N, A] (row j·N + n is reply n's step j). `mask` [N, Ld] (1 on real inputs) lets the native kernel skip
   * replies that have ended; what it returns there is not meant to be read. `drop` applies to the input
   * embeddings (training only).
   */
  decodeTeacherForced(start: DecoderState, inputs: tf.Tensor2D, mask?: tf.Tensor2D, drop: Dropout = noDropout): tf.Tensor2D {
    const [N, Ld] = inputs.shape;
    const emb = drop(tf.gather(this.embedding, tf.reshape(tf.transpose(inputs), [-1])) as tf.Tensor2D);
    return this.attentionDecoder.sequence(emb, start, mask ? tf.transpose(mask) : tf.ones([Ld, N]));
  }

  /** Vocabulary logits [N, V] of attention vectors [N, A]. */
  outputLogits(attentionVectors: tf.Tensor2D): tf.Tensor2D {
    if (!this.outputBias) return dense(attentionVectors, this.output);
    return tf.add(tf.matMul(dense(attentionVectors, this.output), this.embedding, false, true), this.outputBias);
  }

  dispose(): void {
    this.attentionDecoder.dispose();
    this.params.dispose();
  }

  private requireContext(): GruParams {
    // Internal invariant: only the HRED kinds' code paths read the context encoder.
    if (!this.context) throw new Error(`${this.config.kind} has no context encoder`);
    return this.context;
  }

  private requireLatent(): { prior: GaussianMlpParams; posterior: GaussianMlpParams } {
    // Internal invariant: only VHRED's code paths (loss, latent choice, importance sampling) read the latent variable.
    if (!this.prior || !this.posterior) throw new Error(`${this.config.kind} has no latent variable`);
    return { prior: this.prior, posterior: this.posterior };
  }
}
