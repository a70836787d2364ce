import * as tf from '@tensorflow/tfjs';
import { DialogueModel } from '../models/dialogue-model';
import { initTensorBackend } from '../tensor/backend';
import { WordTokenizer } from '../tokenization/word-tokenizer';
import { ConversationState, initialState } from './conversation-state';
import { generateReply, generateStream } from './decode';
import { DecodingInput } from './decoding-options';
import { GenerationEvent, TokenEvent } from './generation-events';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';

let tokenizer: WordTokenizer;
let hred: DialogueModel;
let vhred: DialogueModel;
let hredState: ConversationState;
let vhredState: ConversationState;

beforeAll(async () => {
  await initTensorBackend('wasm');
  tokenizer = await tinyTokenizer();
  hred = tinyModel('hred', tokenizer.vocabSize, 3);
  vhred = tinyModel('vhred', tokenizer.vocabSize, 4);
  hredState = stateAfter(hred, tokenizer, TINY_DIALOGUES[0].slice(0, 3));
  vhredState = stateAfter(vhred, tokenizer, TINY_DIALOGUES[0].slice(0, 3));
});
afterAll(() => {
  hred.dispose();
  vhred.dispose();
});

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const all: GenerationEvent[] = [];
  for await (const e of events) all.push(e);
  return all;
}

const reply = (model: DialogueModel, state: ConversationState, settings: DecodingInput) => generateReply(model, tokenizer, state, settings);

describe('decoding', () => {
  test.each([
    ['hred', () => [hred, hredState] as const, {}],
    ['vhred, z = prior mean', () => [vhred, vhredState] as const, { latent: 'mean' as const }],
    ['vhred, z sampled with a seed', () => [vhred, vhredState] as const, { latent: 'sample' as const, seed: 11 }],
  ])('%s: beam width 1 is exactly greedy', async (_, pick, latent) => {
    const [model, state] = pick();
    for (const maxTokens of [3, 12]) {
      const greedy = await reply(model, state, { strategy: 'greedy', maxTokens, ...latent });
      const beam = await reply(model, state, { strategy: 'beam', beamWidth: 1, maxTokens, ...latent });
      expect(beam.ids).toEqual(greedy.ids);
      expect(beam.finishReason).toBe(greedy.finishReason);
    }
  });

  test('beam search returns nBest hypotheses ranked by length-penalised score', async () => {
    const end = await reply(hred, hredState, { strategy: 'beam', beamWidth: 4, nBest: 3, maxTokens: 6 });
    expect(end.hypotheses).toHaveLength(3);
    const scores = end.hypotheses!.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(end.ids).toEqual(end.hypotheses![0].ids);
  });

  test('the same seed repeats a sampled reply; z is sampled once per reply and follows the seed', async () => {
    const settings = { strategy: 'sample' as const, temperature: 1.5, maxTokens: 12, ignoreEos: true };
    const a = await reply(vhred, vhredState, { ...settings, seed: 5 });
    const b = await reply(vhred, vhredState, { ...settings, seed: 5 });
    const c = await reply(vhred, vhredState, { ...settings, seed: 6 });
    expect(b.ids).toEqual(a.ids);
    expect(c.ids).not.toEqual(a.ids);
    expect(a.seed).toBe(5);
  });

  test('variety from z alone: greedy tokens with z sampled vary with the seed, with z = mean they do not', async () => {
    const greedy = { strategy: 'greedy' as const, maxTokens: 12, ignoreEos: true };
    const sampledZ = await Promise.all([1, 2, 3, 4].map((seed) => reply(vhred, vhredState, { ...greedy, latent: 'sample', seed })));
    const meanZ = await Promise.all([1, 2].map((seed) => reply(vhred, vhredState, { ...greedy, latent: 'mean', seed })));
    expect(new Set(sampledZ.map((r) => r.ids.join())).size).toBeGreaterThan(1);
    expect(meanZ[1].ids).toEqual(meanZ[0].ids);
    expect((await reply(vhred, vhredState, { ...greedy, latent: 'sample', seed: 2 })).ids).toEqual(sampledZ[1].ids);
  });

  test.each([1, 4, 9])('maxTokens %i is respected (finish reason length)', async (maxTokens) => {
    const events = await collect(generateStream(hred, tokenizer, hredState, { strategy: 'sample', maxTokens, ignoreEos: true, seed: 1 }));
    expect(events.filter((e) => e.type === 'token')).toHaveLength(maxTokens);
    expect(events.at(-1)).toMatchObject({ type: 'end', finishReason: 'length' });
  });

  test('streamed text equals tokenizer.decode of the ids, and each event extends the previous text', async () => {
    const events = await collect(generateStream(hred, tokenizer, hredState, { strategy: 'sample', maxTokens: 12, seed: 3 }));
    const tokens = events.filter((e): e is TokenEvent => e.type === 'token');
    const end = events.at(-1)!;
    if (end.type !== 'end') throw new Error('no end event');
    expect(end.ids).toEqual(tokens.map((t) => t.id));
    expect(end.text).toBe(tokenizer.decode(end.ids));
    expect(tokens.at(-1)?.text ?? '').toBe(end.text);
    tokens.forEach((t, i) => {
      expect(t.index).toBe(i);
      expect(t.token).toBe(tokenizer.idToToken(t.id));
      expect(t.text).toBe((tokens[i - 1]?.text ?? '') + t.delta);
    });
  });

  test('an abort mid-reply stops at the next step with finish reason cancelled', async () => {
    const controller = new AbortController();
    const events: GenerationEvent[] = [];
    for await (const e of generateStream(hred, tokenizer, hredState, { maxTokens: 12, ignoreEos: true }, controller.signal)) {
      events.push(e);
      if (e.type === 'token' && e.index === 2) controller.abort();
    }
    expect(events.filter((e) => e.type === 'token')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'end', finishReason: 'cancelled' });
  });

  test('beam search can be cancelled too', async () => {
    const controller = new AbortController();
    controller.abort();
    const end = await generateReply(hred, tokenizer, hredState, { strategy: 'beam', beamWidth: 3 }, controller.signal);
    expect(end.finishReason).toBe('cancelled');
  });

  test('other work runs between decoder steps', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const events = await collect(generateStream(hred, tokenizer, hredState, { maxTokens: 12, ignoreEos: true }));
    clearInterval(timer);
    expect(events).toHaveLength(13);
    expect(ticks).toBeGreaterThan(0);
  });

  test('a state with no turn is refused', async () => {
    await expect(reply(hred, initialState(hred), {})).rejects.toThrow(/nothing to reply to/);
  });

  test('tensor count stays flat over 100 replies of every kind, including abandoned streams', async () => {
    const settings: DecodingInput[] = [
      { strategy: 'greedy', maxTokens: 5 },
      { strategy: 'sample', topK: 5, topP: 0.9, maxTokens: 5 },
      { strategy: 'beam', beamWidth: 3, nBest: 2, maxTokens: 5 },
      { strategy: 'greedy', latent: 'sample', maxTokens: 5 },
    ];
    await reply(vhred, vhredState, settings[0]); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const model = i % 2 ? vhred : hred;
      const state = i % 2 ? vhredState : hredState;
      if (i % 10 === 9) {
        for await (const e of generateStream(model, tokenizer, state, { maxTokens: 5, ignoreEos: true })) if (e.type === 'token') break;
      } else {
        await reply(model, state, settings[i % 4]);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
