import type { DialogueBatch } from '../../models/batch';
import type { LossOptions } from '../../models/loss';

export interface GradientRequest {
  type: 'step';
  /** Transferred; the answer's `grads` is the same array, handed back for the next step. */
  weights: Float32Array;
  batch: DialogueBatch;
  lossOptions: LossOptions;
}

export type GradientResponse =
  /** `ms`: the worker's own time for the part, from the request's arrival to the answer (see DataParallel.step). */
  | { type: 'grads'; grads: Float32Array; loss: number; nll: number; kl: number; bow: number; ms: number }
  | { type: 'error'; message: string };
