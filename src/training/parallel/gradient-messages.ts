import type { DialogueBatch } from '../../models/batch';
import type { LossOptions } from '../../models/loss';

export interface GradientRequest {
  type: 'step';
  weights: Float32Array;
  batch: DialogueBatch;
  lossOptions: LossOptions;
}

export type GradientResponse = { type: 'grads'; grads: Float32Array; loss: number; nll: number; kl: number; bow: number } | { type: 'error'; message: string };
