import { DialogueModel } from '../models/dialogue-model';
import { initTensorBackend } from '../tensor/backend';
import { WordTokenizer } from '../tokenization/word-tokenizer';
import { ReplyBatcher } from './batcher';
import { ConversationState } from './conversation-state';
import { lastEvent, resolveDecoding } from './decode';
import { DecoderPool } from './decoder-pool';
import { DecodingInput } from './decoding-options';
import { EndEvent, GenerationEvent } from './generation-events';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';

let tokenizer: WordTokenizer;
let model: DialogueModel;
let states: ConversationState[];
let pool: DecoderPool;
const exits: string[] = [];

beforeAll(async () => {
  await initTensorBackend('wasm');
  tokenizer = await tinyTokenizer();
  model = tinyModel('vhred', tokenizer.vocabSize, 9);
  states = TINY_DIALOGUES.flatMap((d) => [stateAfter(model, tokenizer, d.slice(0, 2)), stateAfter(model, tokenizer, d.slice(0, 3))]);
  pool = new DecoderPool({ threads: 2, maxBatchSize: 4, backend: 'wasm', onThreadExit: (m) => exits.push(m) });
  pool.addModel(model, tokenizer);
});
afterAll(async () => {
  await pool.close();
  model.dispose();
});

const pooled = (state: ConversationState, settings: DecodingInput, signal?: AbortSignal) => {
  const { decoding, maxTokens } = resolveDecoding(model, settings);
  return pool.submit(model, tokenizer, state, decoding, maxTokens, signal);
};
const inThread = new ReplyBatcher({ maxBatchSize: 4 });
const local = (state: ConversationState, settings: DecodingInput) => collect(inThread.submit(model, tokenizer, state, settings));

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** Waits (real time: the threads run on their own) until `condition` holds, at most 20 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 20_000) throw new Error('condition not met within 20 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The end event with candidate scores left out (compared to 4 places apart: the batches differ). */
function withoutScores(events: GenerationEvent[]): GenerationEvent[] {
  return events.map((e) => (e.type === 'end' && e.candidates ? { ...e, candidates: e.candidates.map((c) => ({ ...c, score: 0, logProb: 0 })) } : e));
}

describe(DecoderPool.name, () => {
  const LONG = { strategy: 'greedy' as const, latent: 'mean' as const, maxTokens: 400, ignoreEos: true, seed: 1 };

  test('greedy, sampled, sample-and-rank and beam replies stream what they stream decoded in this thread', async () => {
    const settings: DecodingInput[] = [
      { strategy: 'greedy', latent: 'sample', seed: 1, maxTokens: 10 },
      { strategy: 'sample', temperature: 1.3, topK: 10, seed: 2, maxTokens: 10, ignoreEos: true },
      { strategy: 'sample', topP: 0.9, seed: 3, candidates: 4, maxTokens: 8 },
      { strategy: 'greedy', latent: 'sample', seed: 4, candidates: 3, noRepeatNgram: 2, maxTokens: 10, ignoreEos: true },
      { strategy: 'beam', beamWidth: 3, nBest: 2, latent: 'mean', seed: 5, maxTokens: 8 },
      { strategy: 'sample', seed: 6, maxTokens: 10 },
    ];
    const expected = await Promise.all(states.map((s, i) => local(s, settings[i])));
    const got = await Promise.all(states.map((s, i) => collect(pooled(s, settings[i])))); // spread over both threads
    expect(got.map(withoutScores)).toEqual(expected.map(withoutScores));
    got.forEach((events, i) => {
      const end = events.at(-1) as EndEvent;
      const want = expected[i].at(-1) as EndEvent;
      (end.candidates ?? []).forEach((c, k) => expect(c.score).toBeCloseTo(want.candidates![k].score, 4));
    });
    expect(got.some((events) => events.filter((e) => e.type === 'token').length >= 3)).toBe(true);
    expect(pool.load()).toEqual({ active: 0, waiting: 0 });
  });

  test('an aborted signal and a consumer leaving its loop reach the thread: the row stops, the others go on', async () => {
    const posted = pool.workers.map((w) => jest.spyOn(w, 'postMessage'));
    const controller = new AbortController();
    const aborted: GenerationEvent[] = [];
    const abort = (async () => {
      for await (const e of pooled(states[0], LONG, controller.signal)) {
        aborted.push(e);
        if (e.type === 'token' && e.index === 1) controller.abort();
      }
    })();
    const leave = (async () => {
      for await (const e of pooled(states[1], LONG)) if (e.type === 'token') break;
    })();
    const others = [2, 3].map((i) => lastEvent(pooled(states[i], { ...LONG, maxTokens: 12 })));
    await Promise.all([abort, leave]);
    expect(aborted.at(-1)).toMatchObject({ type: 'end', finishReason: 'cancelled' });
    expect(aborted.filter((e) => e.type === 'token').length).toBeLessThan(LONG.maxTokens);
    const expected = await Promise.all([2, 3].map((i) => lastEvent(inThread.submit(model, tokenizer, states[i], { ...LONG, maxTokens: 12 }))));
    expect((await Promise.all(others)).map((e) => e.ids)).toEqual(expected.map((e) => e.ids));
    // both asked their thread to stop them (the aborted row's events show that the thread does)
    const cancels = posted.flatMap((spy) => spy.mock.calls.flatMap(([batch]) => (batch as { type: string }[]).filter((m) => m.type === 'cancel')));
    expect(cancels).toHaveLength(2);
    posted.forEach((spy) => spy.mockRestore());
    await until(() => pool.load().active + pool.load().waiting === 0);
  });

  test('a thread that dies fails only its replies, naming it, and a new thread with the models takes its place', async () => {
    const [first, second] = [states[0], states[1]].map((s) => pooled(s, LONG)[Symbol.asyncIterator]());
    await Promise.all([first.next(), second.next()]); // one reply on each thread (the least busy takes the next)
    const [dying, surviving] = pool.workers;
    dying.postMessage([{ type: 'no such message' }]); // a message the thread cannot read ends it
    const failure = (async () => {
      for (let r = await first.next(); !r.done; r = await first.next());
    })();
    await expect(failure).rejects.toMatchObject({ code: 'DECODER_THREAD_EXITED', message: expect.stringMatching(/^decoder thread 0 stopped \(.*unknown message.*\): its replies were lost$/) });
    let end: GenerationEvent | undefined;
    for (let r = await second.next(); !r.done; r = await second.next()) end = r.value;
    expect(end).toMatchObject({ type: 'end', finishReason: 'length' });
    expect(exits).toEqual([expect.stringMatching(/^decoder thread 0 stopped .*; a new thread takes its place$/)]);
    expect(pool.workers).toHaveLength(2);
    expect(pool.workers[0]).toBe(surviving);
    // both threads serve the model, the new one from the copy it was given
    const settings = { ...LONG, maxTokens: 6 };
    const replies = await Promise.all(states.slice(0, 4).map((s) => collect(pooled(s, settings))));
    expect(replies).toEqual(await Promise.all(states.slice(0, 4).map((s) => local(s, settings))));
  });

  test('a model added later reaches every thread; close stops the threads and fails the replies in flight', async () => {
    const other = tinyModel('hred', tokenizer.vocabSize, 4);
    const otherState = stateAfter(other, tokenizer, TINY_DIALOGUES[1]);
    const settings = { ...LONG, maxTokens: 6 };
    pool.addModel(other, tokenizer);
    const { decoding, maxTokens } = resolveDecoding(other, settings);
    const expected = await lastEvent(inThread.submit(other, tokenizer, otherState, settings));
    const both = await Promise.all([0, 1].map(() => lastEvent(pool.submit(other, tokenizer, otherState, decoding, maxTokens))));
    expect(both.map((e) => e.ids)).toEqual([expected.ids, expected.ids]);
    pool.removeModel(other);
    other.dispose();

    const workers = [...pool.workers];
    const running = lastEvent(pooled(states[0], LONG)).catch((error: unknown) => error);
    await pool.close();
    expect(await running).toMatchObject({ code: 'DECODER_THREAD_EXITED', message: 'the decoder pool was closed: its replies were lost' });
    expect(workers.map((w) => w.threadId)).toEqual([-1, -1]); // exited
    expect(pool.workers).toEqual([]);
    expect(() => pooled(states[0], LONG)).toThrow('the decoder pool is closed');
  });
});
