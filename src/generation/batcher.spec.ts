import * as tf from '@tensorflow/tfjs';
import { DialogueModel } from '../models/dialogue-model';
import { initTensorBackend } from '../tensor/backend';
import { WordTokenizer } from '../tokenization/word-tokenizer';
import { ReplyBatcher } from './batcher';
import { ConversationState } from './conversation-state';
import { generateReply, lastEvent } from './decode';
import { DecodingInput } from './decoding-options';
import { EndEvent, GenerationEvent } from './generation-events';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';

let tokenizer: WordTokenizer;
let model: DialogueModel;
let states: ConversationState[];

beforeAll(async () => {
  await initTensorBackend('wasm');
  tokenizer = await tinyTokenizer();
  model = tinyModel('vhred', tokenizer.vocabSize, 9);
  // 6 conversations of different lengths, so answered utterances (attention memories) differ in length
  states = TINY_DIALOGUES.flatMap((d) => [stateAfter(model, tokenizer, d.slice(0, 2)), stateAfter(model, tokenizer, d.slice(0, 3))]);
});
afterAll(() => model.dispose());

const alone = (state: ConversationState, settings: DecodingInput) => generateReply(model, tokenizer, state, settings);

describe(ReplyBatcher.name, () => {
  test('concurrent greedy requests give the same tokens as each decoded alone', async () => {
    const settings = { strategy: 'greedy' as const, latent: 'mean' as const, maxTokens: 8 };
    const expected = await Promise.all(states.map((s) => alone(s, settings)));
    const batcher = new ReplyBatcher();
    const replies = Promise.all(states.map((s) => lastEvent(batcher.submit(model, tokenizer, s, settings))));
    await new Promise((r) => setImmediate(r));
    expect(batcher.load()).toEqual({ active: states.length, waiting: 0 }); // one batch, not one after another
    const together = await replies;
    expect(expected.some((e) => e.ids.length >= 3)).toBe(true);
    expect(together.map((e) => e.ids)).toEqual(expected.map((e) => e.ids));
    expect(together.map((e) => e.finishReason)).toEqual(expected.map((e) => e.finishReason));
  });

  test('mixed greedy and seeded sampling rows, joining a running batch at different steps, match their solo replies', async () => {
    const settings: DecodingInput[] = states.map((_, i) =>
      i % 2 ? { strategy: 'sample', temperature: 1.3, topK: 10, seed: i, maxTokens: 10, ignoreEos: true } : { strategy: 'greedy', latent: 'sample', seed: i, maxTokens: 10 },
    );
    const expected = await Promise.all(states.map((s, i) => alone(s, settings[i])));
    const batcher = new ReplyBatcher({ maxBatchSize: 4 });
    const pending: Promise<EndEvent>[] = [];
    const first = batcher.submit(model, tokenizer, states[0], settings[0]);
    pending.push(lastEvent(first));
    for (let i = 1; i < states.length; i++) {
      await new Promise((r) => setImmediate(r)); // arrive while the batch is running
      pending.push(lastEvent(batcher.submit(model, tokenizer, states[i], settings[i])));
    }
    const together = await Promise.all(pending);
    expect(together.map((e) => e.ids)).toEqual(expected.map((e) => e.ids));
  });

  test('cancelling one request ends it with cancelled and leaves the others alone', async () => {
    const settings = { strategy: 'greedy' as const, latent: 'mean' as const, maxTokens: 8, ignoreEos: true };
    const expected = await alone(states[1], settings);
    const batcher = new ReplyBatcher();
    const controller = new AbortController();
    const cancelled: GenerationEvent[] = [];
    const consume = async () => {
      for await (const e of batcher.submit(model, tokenizer, states[0], settings, controller.signal)) {
        cancelled.push(e);
        if (e.type === 'token' && e.index === 1) controller.abort();
      }
    };
    const [, other] = await Promise.all([consume(), lastEvent(batcher.submit(model, tokenizer, states[1], settings))]);
    expect(cancelled.filter((e) => e.type === 'token').length).toBeLessThan(8);
    expect(cancelled.at(-1)).toMatchObject({ type: 'end', finishReason: 'cancelled' });
    expect(other.ids).toEqual(expected.ids);
  });

  test('a consumer leaving its loop cancels its row; no tensors are left once the batch drains', async () => {
    const batcher = new ReplyBatcher();
    const before = tf.memory().numTensors;
    const leaver = (async () => {
      for await (const e of batcher.submit(model, tokenizer, states[2], { maxTokens: 8, ignoreEos: true })) if (e.type === 'token') break;
    })();
    const stayer = lastEvent(batcher.submit(model, tokenizer, states[3], { maxTokens: 8, ignoreEos: true }));
    await Promise.all([leaver, stayer]);
    await new Promise((r) => setImmediate(r));
    expect(batcher.load()).toEqual({ active: 0, waiting: 0 });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('beam requests run alone through the same interface', async () => {
    const settings = { strategy: 'beam' as const, beamWidth: 1, latent: 'mean' as const, maxTokens: 6 };
    const batcher = new ReplyBatcher();
    const beam = await lastEvent(batcher.submit(model, tokenizer, states[0], settings));
    const greedy = await alone(states[0], { ...settings, strategy: 'greedy' });
    expect(beam.ids).toEqual(greedy.ids);
  });
});
