/**
 * Adam with the clipping scale folded in, one native kernel per parameter on the WASM backend
 * (native/kernels/adam.c). tfjs's Adam runs about ten elementwise ops per parameter, each a pass over
 * the weights and a fresh allocation; the kernel reads each element once. Without the native kernels
 * it is tfjs's own Adam. The moments stay tfjs variables of the same names, so checkpoints are unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { heapWord, type NativeKernels, type WasmHeapBackend } from './native-kernels';

const KERNEL = 'NativeAdam';

export function registerNativeAdam(native: NativeKernels): void {
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const { value, m, v, grad, hyper } = inputs as Record<'value' | 'm' | 'v' | 'grad' | 'hyper', tf.TensorInfo>;
      const wasm = backend as unknown as WasmHeapBackend;
      const outs = [value, m, v].map((t) => wasm.makeOutput(t.shape, 'float32'));
      const n = tf.util.sizeFromShape(value.shape);
      const words = [value, m, v, grad, ...outs].map((t) => heapWord(wasm, t));
      native.adam(wasm.typedArrayFromHeap(outs[0]).buffer, n, ...(words as [number, number, number, number, number, number, number]), heapWord(wasm, hyper));
      return outs;
    },
  });
}

type Moment = { originalName: string; variable: tf.Variable };
type OptimizerGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/** tfjs's AdamOptimizer, whose fields the fused step reads and writes (same names, same meaning). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Moment[];
  accumulatedSecondMoment: Moment[];
  incrementIterations(): void;
}

export class ScaledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  /** One Adam step on `scale` × each gradient (scale < 1: global-norm clipping). */
  applyScaledGradients(grads: tf.NamedTensorMap, scale: number): void {
    if (tf.getBackend() !== 'wasm' || !tf.getKernel(KERNEL, 'wasm')) {
      const scaled = (): tf.NamedTensorMap => (scale === 1 ? grads : Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])));
      tf.tidy(() => super.applyGradients(scaled() as unknown as OptimizerGradients));
      return;
    }
    const self = this as unknown as AdamInternals;
    const [acc1, acc2] = [self.accBeta1.dataSync()[0], self.accBeta2.dataSync()[0]];
    tf.tidy(() => {
      const hyper = tf.tensor1d([self.learningRate, self.beta1, self.beta2, self.epsilon, 1 - acc1, 1 - acc2, scale]);
      Object.entries(grads).forEach(([name, grad], i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const [m, v] = [self.accumulatedFirstMoment[i].variable, self.accumulatedSecondMoment[i].variable];
        const [newValue, newM, newV] = tf.engine().runKernel(KERNEL, { value, m, v, grad, hyper }, {}) as tf.Tensor[];
        value.assign(newValue);
        m.assign(newM);
        v.assign(newV);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }

  override applyGradients(grads: OptimizerGradients): void {
    this.applyScaledGradients(Array.isArray(grads) ? Object.fromEntries(grads.map((g) => [g.name, g.tensor])) : grads, 1);
  }
}
