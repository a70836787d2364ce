/** What a training run reports, to a callback, a worker's parent, SSE clients and the progress bar. */
export interface TrainingProgress {
  phase: 'preparing' | 'training' | 'validating' | 'done';
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  /** Running means over the last reporting window. */
  loss?: number;
  perplexity?: number;
  /** Mean KL per reply and per target token (VHRED). */
  klPerReply?: number;
  klPerToken?: number;
  tokensPerSecond?: number;
  secondsLeft?: number;
  learningRate?: number;
  message?: string;
}

export interface EpochMetrics {
  epoch: number;
  step: number;
  trainLoss: number;
  trainPerplexity: number;
  /** Teacher-forced perplexity on the validation split; for VHRED the ELBO bound exp((NLL + KL) / tokens). */
  validationPerplexity: number;
  /** Reconstruction-only perplexity exp(NLL / tokens) with z from the posterior (VHRED). */
  validationReconstructionPerplexity: number;
  validationKlPerToken: number;
  /** Perplexity (VHRED: the ELBO bound) on each of the options' `alsoValidate` sets, by name. */
  validationSets?: Record<string, number>;
  /** VHRED: dimensions whose posterior mean varies across validation replies (variance > 0.01). */
  activeUnits?: number;
  learningRate: number;
  seconds: number;
}
