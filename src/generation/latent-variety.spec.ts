import { useTensorBackend } from '../../test/support/tensor-backend';
import { fit, tinyModel } from '../../test/support/tiny-model';
import { DialogueIds } from '../models/batch';
import { SPECIAL_TOKENS, WordTokenizer } from '../tokenization';
import { rebuildState } from './conversation-state';
import { generateReply } from './decode';

useTensorBackend();

// One context with four equally right replies that differ only in their colour (issue #10's test corpus).
const COLOURS = ['red', 'blue', 'green', 'yellow'];
const tokenizer = new WordTokenizer([...SPECIAL_TOKENS, 'pick', 'a', 'colour', 'i', 'like', '.', ...COLOURS], { lowercase: true });
const ids = (text: string) => tokenizer.encode(text).slice(0, -1); // without eos: buildBatch adds it
const REPLIES = COLOURS.map((c) => `i like ${c} .`);
const CORPUS: DialogueIds[] = REPLIES.map((reply) => [ids('pick a colour'), ids(reply)]);
/** A training reply as the decoder writes it out. */
const WRITTEN = REPLIES.map((reply) => tokenizer.decode(ids(reply)));

async function greedyReplies(kind: 'hred' | 'vhred', fitOptions: Parameters<typeof fit>[2], samples = 30) {
  const model = tinyModel(kind, tokenizer.vocabSize, 3, kind === 'vhred' ? { latentDim: 4, bagOfWords: true } : {});
  const trained = fit(model, CORPUS, fitOptions);
  const state = rebuildState(model, [ids('pick a colour')]);
  const replies: string[] = [];
  for (let seed = 0; seed < samples; seed++) replies.push((await generateReply(model, tokenizer, state, { strategy: 'greedy', latent: 'sample', seed })).text);
  const atMean = new Set<string>();
  for (let seed = 0; seed < 5; seed++) atMean.add((await generateReply(model, tokenizer, state, { strategy: 'greedy', latent: 'mean', seed })).text);
  model.dispose();
  return { replies, distinct: new Set(replies), atMean, trained };
}

test('VHRED with the remedies gives at least three of the four colour replies across z; HRED greedy gives one', async () => {
  // Remedies (see README, "the VHRED latent"): half the decoder inputs dropped, so the colour cannot come from the
  // previous tokens alone; the bag-of-words loss asks z for the reply's words; free bits keep the optimiser from
  // trading that information away for a smaller KL; the KL weight rises from 0.
  const vhred = await greedyReplies('vhred', { maxSteps: 600, target: 0, wordDrop: 0.5, freeBits: 0.5, bowWeight: 1, klWeight: (s: number) => Math.min(1, s / 100) });
  expect(vhred.trained.last.kl / vhred.trained.last.replies).toBeGreaterThan(Math.log(3)); // enough to tell three colours apart
  expect([...vhred.distinct].every((r) => WRITTEN.includes(r))).toBe(true); // varied, and every one a right answer
  expect(vhred.distinct.size).toBeGreaterThanOrEqual(3);
  expect(vhred.atMean.size).toBe(1); // greedy tokens with a fixed z: one reply

  const hred = await greedyReplies('hred', { maxSteps: 300, target: 0.01 }, 5);
  expect(hred.distinct.size).toBe(1);
}, 180_000);
