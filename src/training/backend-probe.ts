/**
 * What TF_BACKEND=auto times when more than one fast backend loads (src/tensor/backend.ts): training steps of a
 * `small` HRED on made-up dialogues, the heaviest work the service does. Four dialogues of three 16-token turns weigh
 * the products, the GRUs and the output layer as training does, in about a second a backend on two loaded cores.
 */
import { DialogueIds } from '../models/batch';
import { DialogueModel } from '../models/dialogue-model';
import { ModelConfigInput, parseModelConfig } from '../models/model-config';
import { ScaledAdam } from '../tensor/fused-adam';
import { stepOnDialogues } from './parallel/data-parallel';

export interface ProbeShape {
  dialogues: number;
  turns: number;
  tokens: number;
  steps: number;
}

const SMALL_HRED: ModelConfigInput = { kind: 'hred', vocabSize: 8000 };
const SHAPE: ProbeShape = { dialogues: 4, turns: 3, tokens: 16, steps: 2 };

/** Training steps per second on the active backend, after one warm-up step (kernels set up, Adam's moments made). */
export async function probeTrainingStep(config: ModelConfigInput = SMALL_HRED, shape: ProbeShape = SHAPE): Promise<number> {
  const model = new DialogueModel(parseModelConfig(config), 1);
  const optimizer = new ScaledAdam(1e-3);
  const vocab = model.config.vocabSize;
  // ids past the four specials, spread over the vocabulary (no randomness: each backend gets the same work)
  const dialogues: DialogueIds[] = Array.from({ length: shape.dialogues }, (_, d) =>
    Array.from({ length: shape.turns }, (_, t) => Array.from({ length: shape.tokens }, (_, i) => 4 + ((d * 7919 + t * 104729 + i * 31) % (vocab - 4)))),
  );
  const layout = { maxTurns: shape.turns, maxUtteranceTokens: shape.tokens };
  const step = (seed: number) => stepOnDialogues(model, optimizer, dialogues, layout, { klWeight: 0, freeBits: 0, bowWeight: 0, seed }, 1);
  try {
    await step(0);
    const start = performance.now();
    for (let s = 1; s <= shape.steps; s++) await step(s);
    return shape.steps / ((performance.now() - start) / 1000);
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
