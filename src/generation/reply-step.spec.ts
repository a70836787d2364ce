import * as tf from '@tensorflow/tfjs';
import { DialogueModel } from '../models/dialogue-model';
import { initTensorBackend } from '../tensor/backend';
import { BOS_ID, PAD_ID, UNK_ID } from '../tokenization/tokenizer';
import { WordTokenizer } from '../tokenization/word-tokenizer';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';
import { generateReply } from './decode';

let tokenizer: WordTokenizer;
let model: DialogueModel;

beforeAll(async () => {
  await initTensorBackend('wasm');
  tokenizer = await tinyTokenizer();
  model = tinyModel('hred', tokenizer.vocabSize, 3);
  // Make <unk>, <pad> and <bos> by far the most likely next tokens, as an undertrained model's <unk> can be.
  const bias = model.params.vars.get('decoder.output.b')!;
  const boosted = bias.dataSync().slice();
  for (const id of [PAD_ID, UNK_ID, BOS_ID]) boosted[id] += 100;
  bias.assign(tf.tensor1d(boosted));
});
afterAll(() => model.dispose());

describe('reply decoding never emits <pad>, <unk> or <bos>', () => {
  test.each([
    ['greedy', { strategy: 'greedy' }],
    ['sampling', { strategy: 'sample', seed: 5 }],
    ['beam', { strategy: 'beam', beamWidth: 3 }],
  ] as const)('%s', async (_, decoding) => {
    const state = stateAfter(model, tokenizer, TINY_DIALOGUES[0].slice(0, 2));
    const reply = await generateReply(model, tokenizer, state, { ...decoding, maxTokens: 8 });
    expect(reply.ids.length).toBeGreaterThan(0);
    for (const id of reply.ids) expect([PAD_ID, UNK_ID, BOS_ID]).not.toContain(id);
  });
});
