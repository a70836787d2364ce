/**
 * Adam with the clipping scale folded in, one native kernel per parameter on the WASM backend
 * (the native op `adam`, native-ops.ts). tfjs's Adam runs about ten elementwise ops per parameter, each a pass over
 * the weights and a fresh allocation; the kernel reads each element once. Without the native kernels
 * it is tfjs's own Adam. The moments stay tfjs variables of the same names, so checkpoints are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeOpOutputs, nativeOpReady } from './native-op-runtime';

type Moment = { originalName: string; variable: tf.Variable };
type OptimizerGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** The state tfjs's AdamOptimizer keeps private: the fused step reads and writes it, so getWeights and setWeights (checkpoints) see one state. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
}

export class ScaledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  /** One Adam step on `scale` × each gradient (scale < 1: global-norm clipping). */
  applyScaledGradients(grads: tf.NamedTensorMap, scale: number): void {
    if (!nativeOpReady('adam')) {
      tf.tidy(() => super.applyGradients(Object.entries(grads).map(([name, g]) => ({ name, tensor: scale === 1 ? g : tf.mul(g, scale) }))));
      return;
    }
    const state = this.state();
    const [acc1, acc2] = [state.accBeta1.dataSync()[0], state.accBeta2.dataSync()[0]];
    tf.tidy(() => {
      const hyper = tf.tensor1d([this.learningRate, this.beta1, this.beta2, this.epsilon, 1 - acc1, 1 - acc2, scale]);
      Object.entries(grads).forEach(([name, grad], i) => {
        const value = tf.engine().registeredVariables[name];
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const [m, v] = [state.accumulatedFirstMoment[i].variable, state.accumulatedSecondMoment[i].variable];
        const next = nativeOpOutputs('adam', { value, m, v, grad, hyper });
        value.assign(next.valueOut);
        m.assign(next.mOut);
        v.assign(next.vOut);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /** tfjs declares this state private; element access reaches it by name, typed by AdamState. */
  private state(): AdamState {
    return { accBeta1: this['accBeta1'], accBeta2: this['accBeta2'], accumulatedFirstMoment: this['accumulatedFirstMoment'], accumulatedSecondMoment: this['accumulatedSecondMoment'] };
  }

  override applyGradients(grads: OptimizerGradients): void {
    this.applyScaledGradients(Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads, 1);
  }
}
