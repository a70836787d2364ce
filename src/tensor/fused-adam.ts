/**
 * Adam (Kingma & Ba, 2015) with the clipping scale folded in, each parameter's moments kept by its variable's name.
 * On the WASM backend a parameter's step is one native kernel (the native op `adam`, native-ops.ts): tfjs's Adam
 * runs about ten elementwise ops per parameter, each a pass over the weights and a fresh allocation; the kernel reads
 * each element once. Without the native kernels the step is `referenceStep`, tf.AdamOptimizer's own ops in its
 * order. getWeights and setWeights keep tfjs's layout (the step count, every `<variable>/m`, then every
 * `<variable>/v`), so checkpoints are unchanged; setWeights takes each moment by its name.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOpOutputs, nativeOpReady } from './native-op-runtime';

type Moments = { m: tf.Variable; v: tf.Variable };
/** tfjs's NamedTensor (not exported by @tensorflow/tfjs): an optimizer weight. */
type NamedTensor = { name: string; tensor: tf.Tensor };

export class ScaledAdam extends tf.Optimizer {
  static get className(): string {
    return 'ScaledAdam';
  }

  readonly beta1 = 0.9;
  readonly beta2 = 0.999;
  readonly epsilon = tf.backend().epsilon();
  /** β₁ᵗ⁺¹ and β₂ᵗ⁺¹ after t steps, as running products: a checkpoint restores them exactly (see checkpoint.ts). */
  readonly accBeta1: tf.Variable;
  readonly accBeta2: tf.Variable;
  /** Each parameter's first and second moments, by its variable's name, in the order they were made. */
  private moments = new Map<string, Moments>();

  /** `learningRate` may change between steps (the trainer's schedule sets it). */
  constructor(public learningRate: number) {
    super();
    [this.accBeta1, this.accBeta2] = tf.tidy(() => [tf.scalar(this.beta1).variable(false), tf.scalar(this.beta2).variable(false)]);
  }

  /** One Adam step on `scale` × each gradient (scale < 1: global-norm clipping); `grads` by variable name. */
  applyScaledGradients(grads: tf.NamedTensorMap, scale: number): void {
    tf.tidy(() => {
      const hyper = nativeOpReady('adam') ? this.kernelHyperparameters(scale) : undefined;
      for (const [name, grad] of Object.entries(grads)) {
        const value = tf.engine().registeredVariables[name];
        // Internal invariant, not user input: the trainer passes its own model's variables by name.
        if (!value) throw new Error(`ScaledAdam: no variable named ${name}`);
        const { m, v } = this.momentsOf(name, value);
        if (!hyper) {
          this.referenceStep(value, m, v, scale === 1 ? grad : tf.mul(grad, scale));
          continue;
        }
        const next = nativeOpOutputs('adam', { value, m, v, grad, hyper });
        value.assign(next.valueOut);
        m.assign(next.mOut);
        v.assign(next.vOut);
      }
      this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
      this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  override applyGradients(grads: tf.NamedTensorMap | NamedTensor[]): void {
    this.applyScaledGradients(Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads, 1);
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const moments = [...this.moments];
    return [
      await this.saveIterations(),
      ...moments.map(([name, { m }]) => ({ name: `${name}/m`, tensor: m })),
      ...moments.map(([name, { v }]) => ({ name: `${name}/v`, tensor: v })),
    ];
  }

  /** The step count, then moments named `<variable>/m` and `<variable>/v`, in any order: each goes to its variable. */
  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const named = await this.extractIterations(weights);
    tf.tidy(() => {
      this.accBeta1.assign(tf.pow(this.beta1, this.iterations_ + 1));
      this.accBeta2.assign(tf.pow(this.beta2, this.iterations_ + 1));
    });
    const halves = new Map<string, Partial<Moments>>();
    for (const { name, tensor } of named) {
      const [, variable, moment] = /^(.+)\/([mv])$/.exec(name) ?? [];
      // Internal invariant: checkpoint.ts checks the saved names against the model's parameters before this.
      if (!variable) throw new Error(`ScaledAdam.setWeights: ${name} is not a <variable>/m or <variable>/v moment`);
      halves.set(variable, { ...halves.get(variable), [moment]: tensor });
    }
    const moments = new Map<string, Moments>();
    for (const [variable, { m, v }] of halves) {
      if (!m || !v) throw new Error(`ScaledAdam.setWeights: ${variable} has only one of its two moments`);
      moments.set(variable, { m: m.variable(false), v: v.variable(false) });
    }
    this.disposeMoments();
    this.moments = moments;
  }

  override dispose(): void {
    this.accBeta1.dispose();
    this.accBeta2.dispose();
    this.disposeMoments();
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }

  private momentsOf(name: string, value: tf.Variable): Moments {
    let moments = this.moments.get(name);
    if (!moments) this.moments.set(name, (moments = tf.tidy(() => ({ m: tf.zerosLike(value).variable(false), v: tf.zerosLike(value).variable(false) }))));
    return moments;
  }

  /** The native kernel's hyperparameters: lr, β₁, β₂, ε, the bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ, the gradient scale. */
  private kernelHyperparameters(scale: number): tf.Tensor1D {
    const [acc1, acc2] = [this.accBeta1.dataSync()[0], this.accBeta2.dataSync()[0]];
    return tf.tensor1d([this.learningRate, this.beta1, this.beta2, this.epsilon, 1 - acc1, 1 - acc2, scale]);
  }

  /** One parameter's step in tfjs ops, exactly as tf.AdamOptimizer takes it: the path without the native kernel. */
  private referenceStep(value: tf.Variable, m: tf.Variable, v: tf.Variable, gradient: tf.Tensor): void {
    const nextM = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1));
    const nextV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
    const mHat = tf.div(nextM, tf.sub(1, this.accBeta1));
    const vHat = tf.div(nextV, tf.sub(1, this.accBeta2));
    m.assign(nextM);
    v.assign(nextV);
    value.assign(tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate), value));
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
