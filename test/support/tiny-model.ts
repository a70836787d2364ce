import { DialogueIds, buildBatch } from '../../src/models/batch';
import { DialogueModel } from '../../src/models/dialogue-model';
import { MODEL_PRESETS, ModelKind, parseModelConfig } from '../../src/models/model-config';
import { trainStep, StepResult } from '../../src/training/train-step';
import { SeededRandom } from '../../src/common/random';
import { ScaledAdam } from '../../src/tensor/fused-adam';

export function tinyModel(kind: ModelKind, vocabSize = 16, seed = 3, extra: object = {}): DialogueModel {
  return new DialogueModel(parseModelConfig({ kind, vocabSize, ...MODEL_PRESETS.tiny, ...extra }), seed);
}

/**
 * Two dialogues whose last replies differ only because their first turns do:
 * the middle turn is the same, so only a model that reads context can get both right.
 */
export const CONTEXT_DIALOGUES: DialogueIds[] = [
  [[4, 5, 6], [7], [8, 9]],
  [[10], [7], [11, 12]],
];

/** Full-batch Adam until the mean token NLL falls below `target` or `maxSteps` pass. */
export function fit(
  model: DialogueModel,
  dialogues: DialogueIds[],
  { maxSteps = 400, target = 0.01, lr = 0.01, wordDrop = 0, klWeight = (_step: number): number => 1, freeBits = 0, bowWeight = 0 } = {},
): { steps: number; first: StepResult; last: StepResult } {
  const optimizer = new ScaledAdam(lr);
  const rng = new SeededRandom(11); // word drop repeats from run to run
  let first: StepResult | undefined;
  let last!: StepResult;
  let step = 0;
  for (; step < maxSteps; step++) {
    const batch = buildBatch(dialogues, { maxTurns: 10, maxUtteranceTokens: 30, wordDrop, random: () => rng.nextFloat() });
    last = trainStep(model, optimizer, batch, { klWeight: klWeight(step), freeBits, bowWeight, seed: step }, 1);
    first ??= last;
    if (last.nll / last.targetTokens < target) break;
  }
  optimizer.dispose();
  return { steps: step, first: first!, last };
}
