import * as tf from '@tensorflow/tfjs';
import { nativeOp, nativeOpReady } from '../../tensor/native-op-runtime';
import { ParamStore } from './params';

/**
 * GRU in PyTorch's formulation, with the three gates fused into one matrix per input
 * so a step costs two matrix products:
 *   r = σ(x·Wr + bxr + h·Ur + bhr),  z = σ(x·Wz + bxz + h·Uz + bhz)
 *   n = tanh(x·Wn + bxn + r ⊙ (h·Un + bhn)),  h' = (1 − z) ⊙ n + z ⊙ h
 * `gruCell` and `gruGates` are the reference in tfjs ops; `gruStep` and `runGru` pick the native ops (gruGates,
 * gruSequence in src/tensor/native-ops.ts) where they are registered, whose specs compare them with the reference.
 */
export interface GruParams {
  units: number;
  /** [in, 3H] columns ordered r | z | n. */
  wx: tf.Tensor2D;
  /** [H, 3H] */
  wh: tf.Tensor2D;
  bx: tf.Tensor1D;
  bh: tf.Tensor1D;
}

export function createGru(store: ParamStore, name: string, inDim: number, units: number): GruParams {
  const limit = 1 / Math.sqrt(units); // PyTorch's GRU initialisation
  return {
    units,
    wx: store.uniform(`${name}.wx`, [inDim, 3 * units], limit) as tf.Tensor2D,
    wh: store.uniform(`${name}.wh`, [units, 3 * units], limit) as tf.Tensor2D,
    bx: store.uniform(`${name}.bx`, [3 * units], limit) as tf.Tensor1D,
    bh: store.uniform(`${name}.bh`, [3 * units], limit) as tf.Tensor1D,
  };
}

/** Input projection x·Wx + bx for many steps at once: [N, in] -> [N, 3H]. */
export function gruInputProjection(x: tf.Tensor2D, p: GruParams): tf.Tensor2D {
  return tf.add(tf.matMul(x, p.wx), p.bx);
}

/** State projection h·Wh + bh: [B, H] -> [B, 3H]. */
function stateProjection(h: tf.Tensor2D, p: GruParams): tf.Tensor2D {
  return tf.add(tf.matMul(h, p.wh), p.bh);
}

/** One step in tfjs ops, given the precomputed input projection xProj [B, 3H] and the state h [B, H]: the reference. */
export function gruCell(xProj: tf.Tensor2D, h: tf.Tensor2D, p: GruParams): tf.Tensor2D {
  return gruGates(xProj, stateProjection(h, p), h);
}

/** gruCell as the layer runs it: the gate arithmetic is one native kernel each way where registered. */
export function gruStep(xProj: tf.Tensor2D, h: tf.Tensor2D, p: GruParams): tf.Tensor2D {
  const hProj = stateProjection(h, p);
  if (nativeOpReady('gruGates') && h.shape[0] > 0) return nativeOp('gruGates', { xProj, hProj, h }) as tf.Tensor2D;
  return gruGates(xProj, hProj, h);
}

/** The gate arithmetic after the two products, in tfjs ops: the reference of the native op gruGates. */
export function gruGates(xProj: tf.Tensor2D, hProj: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D {
  const H = h.shape[1];
  const xRz = tf.slice(xProj, [0, 0], [-1, 2 * H]);
  const hRz = tf.slice(hProj, [0, 0], [-1, 2 * H]);
  const rz = tf.sigmoid(tf.add(xRz, hRz));
  const r = tf.slice(rz, [0, 0], [-1, H]);
  const z = tf.slice(rz, [0, H], [-1, H]);
  const xN = tf.slice(xProj, [0, 2 * H], [-1, H]);
  const hN = tf.slice(hProj, [0, 2 * H], [-1, H]);
  const n = tf.tanh(tf.add(xN, tf.mul(r, hN)));
  return tf.add(n, tf.mul(z, tf.sub(h, n)));
}

/**
 * Which rows a GRU steps over: `mask` [T, B] with 1 on real tokens (any order of rows), or `active[t]`,
 * the number of rows still running at step t when rows are sorted longest first (a packed batch).
 */
export type GruSteps = { mask: tf.Tensor2D } | { active: number[] };

/**
 * Runs a GRU over the time-major input projections xProj [T, B, 3H]. On padding the state is carried unchanged,
 * so the final state is the state after the last real token (in either direction). A packed batch computes only
 * the running rows (a prefix), like PyTorch's packed sequences: on short utterances most of a padded step is
 * padding. With the native kernels the whole sequence is one kernel each way (the native op gruSequence); without
 * them it steps gruCell. Returns the state after every step [T, B, H] (in input order) and the final state.
 */
export function runGru(xProj: tf.Tensor3D, steps: GruSteps, h0: tf.Tensor2D, p: GruParams, reverse = false): { outputs: tf.Tensor3D; final: tf.Tensor2D } {
  const [T, B] = xProj.shape;
  if (!nativeOpReady('gruSequence') || xProj.size === 0) return stepGru(tf.unstack(xProj) as tf.Tensor2D[], steps, h0, p, reverse);
  const mask = 'mask' in steps ? steps.mask : activeMask(steps.active, B);
  const outputs = nativeOp('gruSequence', { xProj, mask, h0, wh: p.wh, bh: p.bh }, { reverse }) as tf.Tensor3D;
  const last = reverse ? 0 : T - 1;
  return { outputs, final: tf.reshape(tf.slice(outputs, [last, 0, 0], [1, B, p.units]), [B, p.units]) };
}

/** runGru step by step in tfjs ops: the reference of the native op gruSequence. */
function stepGru(xProj: tf.Tensor2D[], steps: GruSteps, h0: tf.Tensor2D, p: GruParams, reverse: boolean): { outputs: tf.Tensor3D; final: tf.Tensor2D } {
  const T = xProj.length;
  const outputs = new Array<tf.Tensor2D>(T);
  const maskSteps = 'mask' in steps ? (tf.unstack(tf.expandDims(steps.mask, 2)) as tf.Tensor2D[]) : undefined;
  let h = h0;
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    if (maskSteps) {
      h = tf.add(h, tf.mul(maskSteps[t], tf.sub(gruCell(xProj[t], h, p), h)));
    } else {
      const k = (steps as { active: number[] }).active[t];
      const B = h.shape[0];
      if (k === B) h = gruCell(xProj[t], h, p);
      else if (k > 0) h = tf.concat([gruCell(tf.slice(xProj[t], 0, k), tf.slice(h, 0, k), p), tf.slice(h, k)], 0);
    }
    outputs[t] = h;
  }
  return { outputs: tf.stack(outputs) as tf.Tensor3D, final: h };
}

/** The [T, B] mask of a packed batch: row b runs at step t while b < active[t]. */
function activeMask(active: readonly number[], B: number): tf.Tensor2D {
  const values = new Float32Array(active.length * B);
  active.forEach((k, t) => values.fill(1, t * B, t * B + k));
  return tf.tensor2d(values, [active.length, B]);
}

/** active[t] of a packed batch: rows whose length exceeds t, given lengths sorted longest first. */
export function activeRows(lengths: readonly number[], steps: number): number[] {
  for (let i = 1; i < lengths.length; i++) {
    if (lengths[i] > lengths[i - 1]) throw new RangeError('a packed batch needs its rows sorted longest first');
  }
  return Array.from({ length: steps }, (_, t) => lengths.filter((n) => n > t).length);
}
