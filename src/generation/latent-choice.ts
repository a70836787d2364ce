/**
 * VHRED's z for a reply: drawn once per reply from the prior p(z | context), or the prior's mean.
 * ε comes from the reply's own seeded generator, so z repeats with the seed and never depends on the
 * token strategy (the two sources of variety stay separate).
 */
import * as tf from '@tensorflow/tfjs';
import { DialogueModel } from '../models/dialogue-model';
import { SeededRandom } from '../common/random';
import { ConversationState } from './conversation-state';
import { tidyValue } from './tidy-value';

export type LatentMode = 'sample' | 'mean';

/** z = μ (mode mean) or μ + exp(½ log σ²) ⊙ ε with ε ~ N(0, I) drawn from `gaussian`. */
export function chooseLatent(mean: Float32Array, logVar: Float32Array, mode: LatentMode, gaussian: () => number): Float32Array {
  if (mode === 'mean') return mean.slice();
  return mean.map((m, i) => m + Math.exp(0.5 * logVar[i]) * gaussian());
}

/** One z per reply (undefined for models without a latent), the prior evaluated for all rows at once. */
export function latentsFor(
  model: DialogueModel,
  states: readonly ConversationState[],
  choices: readonly { mode: LatentMode; random: SeededRandom }[],
): (Float32Array | undefined)[] {
  if (model.config.kind !== 'vhred') return states.map(() => undefined);
  const Z = model.config.latentDim;
  const Hc = model.config.contextUnits;
  const context = new Float32Array(states.length * Hc);
  states.forEach((s, i) => context.set(s.context, i * Hc));
  const { mean, logVar } = tidyValue(() => {
    const prior = model.priorOf(tf.tensor2d(context, [states.length, Hc]));
    return { mean: prior.mean.dataSync() as Float32Array, logVar: prior.logVar.dataSync() as Float32Array };
  });
  return choices.map((c, i) =>
    chooseLatent(mean.subarray(i * Z, (i + 1) * Z), logVar.subarray(i * Z, (i + 1) * Z), c.mode, () => c.random.nextGaussian()),
  );
}
