import { buildBatch } from '../models/batch';
import { initTensorBackend } from '../tensor/backend';
import { trainStep } from '../training/train-step';
import { generateReply } from './decode';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';
import { ScaledAdam } from '../tensor/fused-adam';

// Each reply follows from the utterance it answers: a tiny model reproduces all three after ~50 steps
// (probe: loss 0.17 at 50, 0.02 at 100). A step takes ~0.2 s on the loaded wasm machine, so 100 steps.
const STEPS = 100;

test.each(['seq2seq', 'hred', 'vhred'] as const)('greedy decoding of a tiny %s trained on three dialogues reproduces the training replies', async (kind) => {
  await initTensorBackend('wasm');
  const tokenizer = await tinyTokenizer();
  const model = tinyModel(kind, tokenizer.vocabSize, 1);
  const optimizer = new ScaledAdam(0.01);
  const ids = TINY_DIALOGUES.map((d) => d.map((t) => tokenizer.encode(t)));
  const batch = buildBatch(ids, { maxTurns: 10, maxUtteranceTokens: model.config.maxUtteranceTokens });
  let loss = Infinity;
  // Full KL weight: VHRED's posterior stays near its prior, so decoding at the prior's mean z reproduces too.
  for (let step = 0; step < STEPS; step++) ({ loss } = trainStep(model, optimizer, batch, { klWeight: 1, freeBits: 0, bowWeight: 0, seed: step }, 5));
  expect(loss).toBeLessThan(0.1);

  for (const dialogue of TINY_DIALOGUES) {
    const context = dialogue.slice(0, -1);
    const end = await generateReply(model, tokenizer, stateAfter(model, tokenizer, context), { strategy: 'greedy', latent: 'mean' });
    expect(end).toMatchObject({ text: tokenizer.decode(tokenizer.encode(dialogue.at(-1)!)), finishReason: 'eos' });
    const beam = await generateReply(model, tokenizer, stateAfter(model, tokenizer, context), { strategy: 'beam', beamWidth: 3, latent: 'mean' });
    expect(beam.ids).toEqual(end.ids);
  }
  optimizer.dispose();
  model.dispose();
}, 120_000);
