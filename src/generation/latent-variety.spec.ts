import { useTensorBackend } from '../../test/support/tensor-backend';
import { fit, tinyModel } from '../../test/support/tiny-model';
import { DialogueIds } from '../models/batch';
import { SPECIAL_TOKENS, WordTokenizer } from '../tokenization';
import { rebuildState } from './conversation-state';
import { generateReply } from './decode';

useTensorBackend();

test('a VHRED whose z carries the reply gives different greedy replies for different z', async () => {
  // One context, four equally likely replies whose tokens all follow from the first (see dialogue-model.spec):
  // with half the decoder inputs dropped, the reply's identity has to travel through z; free bits keep the
  // optimiser from trading that information away for a smaller KL.
  const corpus: DialogueIds[] = [5, 6, 7, 8].map((w) => [[4], [w, w + 4, w + 8]]);
  const tokenizer = new WordTokenizer([...SPECIAL_TOKENS, ...Array.from({ length: 16 }, (_, i) => `w${i + 4}`)], { lowercase: true });
  const model = tinyModel('vhred', tokenizer.vocabSize, 3, { latentDim: 4 });
  const { last } = fit(model, corpus, { maxSteps: 200, target: 0, wordDrop: 0.5, freeBits: 0.5, klWeight: (s: number) => Math.min(1, s / 100) });
  expect(last.kl / last.replies).toBeGreaterThan(0.5);

  const state = rebuildState(model, [[4]]);
  const replies = new Set<string>();
  for (let seed = 0; seed < 20; seed++) {
    replies.add((await generateReply(model, tokenizer, state, { strategy: 'greedy', latent: 'sample', seed })).text);
  }
  expect(replies.size).toBeGreaterThanOrEqual(2);
  const atMean = new Set<string>();
  for (let seed = 0; seed < 5; seed++) atMean.add((await generateReply(model, tokenizer, state, { strategy: 'greedy', latent: 'mean', seed })).text);
  expect(atMean.size).toBe(1); // greedy tokens with a fixed z: one reply
  model.dispose();
}, 180_000);
