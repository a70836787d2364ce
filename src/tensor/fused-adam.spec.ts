import * as tf from '@tensorflow/tfjs';
import { nativeKernelsExpected, useTensorBackend } from '../../test/support/tensor-backend';
import { ScaledAdam } from './fused-adam';

useTensorBackend();

const native = nativeKernelsExpected();

describe('ScaledAdam', () => {
  it('takes the hand-computed steps (g = 2, then g = 0; lr 0.1)', () => {
    const w = tf.variable(tf.tensor1d([1]), true, 'adam_hand');
    const adam = new ScaledAdam(0.1);
    adam.applyScaledGradients({ adam_hand: tf.tensor1d([2]) }, 1);
    // m = 0.2, v = 0.004; bias-corrected 2 and 4: a first step moves by the learning rate
    expect(w.dataSync()[0]).toBeCloseTo(0.9, 5);
    adam.applyScaledGradients({ adam_hand: tf.tensor1d([0]) }, 1);
    // m = 0.18 / (1 − 0.81) = 0.947368, v = 0.003996 / (1 − 0.998001) = 1.998999: 0.9 − 0.1 · 0.947368 / 1.413860
    expect(w.dataSync()[0]).toBeCloseTo(0.832994, 5);
    adam.dispose();
    w.dispose();
  });

  it('equals tfjs Adam on the scaled gradients, moments included, and leaves no tensors behind', async () => {
    const init = [tf.randomNormal([7, 5], 0, 1, 'float32', 1), tf.randomNormal([5], 0, 1, 'float32', 2)];
    const mine = init.map((t, i) => tf.variable(t, true, `adam_mine_${i}`));
    const theirs = init.map((t, i) => tf.variable(t, true, `adam_theirs_${i}`));
    const [ours, reference] = [new ScaledAdam(0.01), tf.train.adam(0.01, 0.9, 0.999)];
    let tensors = 0;
    for (let step = 0; step < 4; step++) {
      const grads = init.map((t, i) => tf.randomNormal(t.shape, 0, 1, 'float32', 10 * step + i));
      const scale = step % 2 ? 0.25 : 1;
      ours.applyScaledGradients(Object.fromEntries(grads.map((g, i) => [`adam_mine_${i}`, g])), scale);
      tf.tidy(() => reference.applyGradients(Object.fromEntries(grads.map((g, i) => [`adam_theirs_${i}`, tf.mul(g, scale)]))));
      tf.dispose(grads);
      if (step === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    mine.forEach((v, i) => v.dataSync().forEach((x, j) => expect(x).toBeCloseTo(theirs[i].dataSync()[j], 5)));
    const [a, b] = [await ours.getWeights(), await reference.getWeights()];
    expect(a.map((w) => w.name)).toEqual(b.map((w) => w.name.replace('theirs', 'mine')));
    a.forEach((w, i) => w.tensor.dataSync().forEach((x, j) => expect(x).toBeCloseTo(b[i].tensor.dataSync()[j], 5)));
    [ours, reference].forEach((o) => o.dispose());
    tf.dispose([...init, ...mine, ...theirs]);
  });

  // Kept by position, as tfjs's Adam keeps them, the moments of two same-shaped parameters would swap silently here.
  it("keeps each parameter's moments by its variable's name, whatever order the gradients come in", () => {
    const init = [tf.tensor1d([1, 2]), tf.tensor1d([-1, 3])];
    const mine = init.map((t, i) => tf.variable(t, true, `adam_order_mine_${i}`));
    const theirs = init.map((t, i) => tf.variable(t, true, `adam_order_theirs_${i}`));
    const ours = new ScaledAdam(0.1);
    const reference = tf.train.adam(0.1, 0.9, 0.999);
    const grads = [tf.tensor1d([3, -1]), tf.tensor1d([0.5, 2])];
    ours.applyScaledGradients({ adam_order_mine_0: grads[0], adam_order_mine_1: grads[1] }, 1);
    ours.applyScaledGradients({ adam_order_mine_1: grads[1], adam_order_mine_0: grads[0] }, 1); // the other order
    for (let step = 0; step < 2; step++) tf.tidy(() => reference.applyGradients(grads.map((tensor, i) => ({ name: `adam_order_theirs_${i}`, tensor }))));
    mine.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(theirs[i].dataSync()).map((x) => expect.closeTo(x, 5))));
    [ours, reference].forEach((o) => o.dispose());
    tf.dispose([...init, ...mine, ...theirs, ...grads]);
  });

  it('takes saved moments back by name, in any order, and goes on as if never interrupted', async () => {
    const [a, b] = [tf.variable(tf.tensor1d([1, 2]), true, 'adam_saved_a'), tf.variable(tf.tensor1d([3, 4]), true, 'adam_saved_b')];
    const grads = { adam_saved_a: tf.tensor1d([1, -2]), adam_saved_b: tf.tensor1d([0.5, 0.25]) };
    const adam = new ScaledAdam(0.1);
    adam.applyScaledGradients(grads, 1);
    const [step, ...moments] = await adam.getWeights();
    expect(moments.map((w) => w.name)).toEqual(['adam_saved_a/m', 'adam_saved_b/m', 'adam_saved_a/v', 'adam_saved_b/v']);
    const resumed = new ScaledAdam(0.1);
    await resumed.setWeights([step, ...moments.slice().reverse()]);
    const [, ...back] = await resumed.getWeights();
    expect(new Map(back.map((w) => [w.name, Array.from(w.tensor.dataSync())]))).toEqual(new Map(moments.map((w) => [w.name, Array.from(w.tensor.dataSync())])));
    const before = [a, b].map((v) => tf.clone(v));
    adam.applyScaledGradients(grads, 1);
    const afterOriginal = [a, b].map((v) => Array.from(v.dataSync()));
    a.assign(before[0]);
    b.assign(before[1]);
    resumed.applyScaledGradients(grads, 1);
    [a, b].forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(afterOriginal[i].map((x) => expect.closeTo(x, 6))));
    [adam, resumed].forEach((o) => o.dispose());
    tf.dispose([a, b, ...before, ...Object.values(grads)]);
  });

  it(native ? 'runs one native kernel per parameter on the WASM backend' : "runs tfjs's elementwise ops without the native kernels (TF_NATIVE=off)", async () => {
    const w = tf.variable(tf.ones([3]), true, 'adam_native');
    const adam = new ScaledAdam(0.1);
    const profile = await tf.profile(() => adam.applyScaledGradients({ adam_native: tf.tensor1d([1, -1, 0]) }, 0.5));
    const kernels = profile.kernels.map((k) => k.name);
    expect([kernels.includes('NativeAdam'), kernels.includes('Sqrt')]).toEqual(native ? [true, false] : [false, true]);
    const digits = native ? 6 : 5; // tfjs's ops round differently in the last place
    expect(Array.from(w.dataSync())).toEqual([expect.closeTo(0.9, digits), expect.closeTo(1.1, digits), 1]);
    adam.dispose();
    w.dispose();
  });
});
