import * as tf from '@tensorflow/tfjs';
import { DialogueModel } from '../models/dialogue-model';
import { initTensorBackend } from '../tensor/backend';
import { WordTokenizer } from '../tokenization/word-tokenizer';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';
import { ConversationState, initialState } from './conversation-state';
import { DecodeDriver } from './decode-driver';
import { DecodeRequest } from './decode-request';
import { DecodingInput, parseDecoding } from './decoding-options';
import { EndEvent, GenerationEvent } from './generation-events';
import { candidateSeed } from './sample-and-rank';
import { meanLogLikelihood } from './sampling';

let tokenizer: WordTokenizer;
let vhred: DialogueModel;
let hred: DialogueModel;
/** Replies to conversations of different lengths, so the answered utterances (attention memories) differ in length. */
let vStates: ConversationState[];
let hState: ConversationState;

beforeAll(async () => {
  await initTensorBackend('wasm');
  tokenizer = await tinyTokenizer();
  vhred = tinyModel('vhred', tokenizer.vocabSize, 9);
  hred = tinyModel('hred', tokenizer.vocabSize, 3);
  vStates = TINY_DIALOGUES.flatMap((d) => [stateAfter(vhred, tokenizer, d.slice(0, 2)), stateAfter(vhred, tokenizer, d.slice(0, 3))]);
  hState = stateAfter(hred, tokenizer, TINY_DIALOGUES[0].slice(0, 3));
});
afterAll(() => {
  vhred.dispose();
  hred.dispose();
});

const request = (model: DialogueModel, state: ConversationState, settings: DecodingInput) => {
  const decoding = parseDecoding(settings);
  return new DecodeRequest(tokenizer, state, decoding, decoding.maxTokens ?? model.config.maxUtteranceTokens);
};

/** Every event of each request, in order. */
class Recorder {
  readonly events = new Map<DecodeRequest, GenerationEvent[]>();

  take(steps: { request: DecodeRequest; event: GenerationEvent }[]): void {
    for (const { request, event } of steps) this.events.set(request, [...(this.events.get(request) ?? []), event]);
  }

  of(request: DecodeRequest): GenerationEvent[] {
    return this.events.get(request) ?? [];
  }

  end(request: DecodeRequest): EndEvent {
    const end = this.of(request).at(-1);
    if (end?.type !== 'end') throw new Error('the request has not ended');
    return end;
  }
}

function runToEnd(driver: DecodeDriver, recorder: Recorder): void {
  while (driver.rowCount > 0) recorder.take(driver.step());
}

/** One reply decoded on a driver of its own: its events and its request. */
function decodedAlone(model: DialogueModel, state: ConversationState, settings: DecodingInput): { events: GenerationEvent[]; request: DecodeRequest } {
  const driver = new DecodeDriver(model);
  const recorder = new Recorder();
  const only = request(model, state, settings);
  driver.join([only]);
  runToEnd(driver, recorder);
  driver.dispose();
  return { events: recorder.of(only), request: only };
}

const alone = (model: DialogueModel, state: ConversationState, settings: DecodingInput) => decodedAlone(model, state, settings).events;

describe(DecodeDriver.name, () => {
  // every token rule, with and without eos, z drawn or its mean (seeds given, so the end events compare whole)
  const SETTINGS: DecodingInput[] = [
    { strategy: 'greedy', latent: 'mean', seed: 0, maxTokens: 9, ignoreEos: true },
    { strategy: 'sample', temperature: 1.3, topK: 10, seed: 1, maxTokens: 10, ignoreEos: true },
    { strategy: 'greedy', latent: 'sample', seed: 2, maxTokens: 8 },
    { strategy: 'sample', topP: 0.8, noRepeatNgram: 2, seed: 3, maxTokens: 11, ignoreEos: true },
    { strategy: 'greedy', noRepeatNgram: 2, latent: 'sample', seed: 4, maxTokens: 12, ignoreEos: true },
    { strategy: 'sample', temperature: 0.7, seed: 5 },
  ];

  test('rows joining mid-way give the events and likelihoods they give decoded alone', () => {
    const solo = SETTINGS.map((s, i) => decodedAlone(vhred, vStates[i], s));
    const driver = new DecodeDriver(vhred);
    const recorder = new Recorder();
    const requests = SETTINGS.map((s, i) => request(vhred, vStates[i], s));
    // two join at the start, then one at step 2, two at step 3, the last at step 6
    const joinAt = new Map([[0, requests.slice(0, 2)], [2, requests.slice(2, 3)], [3, requests.slice(3, 5)], [6, requests.slice(5)]]);
    for (let step = 0; step < 7 || driver.rowCount > 0; step++) {
      driver.join(joinAt.get(step) ?? []);
      recorder.take(driver.step());
    }
    driver.dispose();
    expect(solo.some(({ events }) => events.length >= 10)).toBe(true);
    expect(requests.map((r) => recorder.of(r))).toEqual(solo.map(({ events }) => events));
    // a row that reads its logits scores what it chose: the same numbers, so the same inputs at every step
    // (greedy rows read only the argmax and score nothing)
    requests.forEach((r, i) => expect(r.rows[0].logLikelihood).toBeCloseTo(solo[i].request.rows[0].logLikelihood, 4));
    expect(requests.filter((r) => r.rows[0].scoredTokens > 0)).toHaveLength(4);
  });

  test('a row leaving (cancelled, or finished early) does not change the others', () => {
    const long = { strategy: 'sample' as const, topK: 8, seed: 7, maxTokens: 12, ignoreEos: true };
    const expected = decodedAlone(vhred, vStates[1], long);
    const driver = new DecodeDriver(vhred);
    const recorder = new Recorder();
    const [stays, cancelled, short] = [request(vhred, vStates[1], long), request(vhred, vStates[2], long), request(vhred, vStates[3], { ...long, maxTokens: 2 })];
    driver.join([cancelled, stays, short]);
    for (let step = 0; step < 3; step++) recorder.take(driver.step());
    expect(recorder.end(short)).toMatchObject({ finishReason: 'length' });
    expect(driver.rowCount).toBe(2);

    const end = cancelled.cancel();
    expect(end).toMatchObject({ type: 'end', finishReason: 'cancelled', ids: recorder.of(cancelled).map((e) => (e.type === 'token' ? e.id : -1)) });
    expect(end?.ids).toHaveLength(3);
    expect(cancelled.cancel()).toBeUndefined(); // a second cancel is no error, and no second end
    expect(driver.requests).toEqual([stays]);
    runToEnd(driver, recorder);
    driver.dispose();
    expect(recorder.of(cancelled)).toHaveLength(3); // nothing after the cancel
    expect(recorder.of(stays)).toEqual(expected.events);
    expect(stays.rows[0].logLikelihood).toBeCloseTo(expected.request.rows[0].logLikelihood, 4);
  });

  test("a sample-and-rank request's candidates rank as each decoded alone, by log-likelihood per token", () => {
    const settings = { strategy: 'sample' as const, temperature: 1.5, seed: 5, candidates: 4 };
    // each candidate alone: candidate i is the reply of seed candidateSeed(5, i), scored by its own row
    const solo = Array.from({ length: 4 }, (_, i) => {
      const driver = new DecodeDriver(hred);
      const recorder = new Recorder();
      const one = request(hred, hState, { ...settings, seed: candidateSeed(5, i), candidates: 1 });
      driver.join([one]);
      runToEnd(driver, recorder);
      driver.dispose();
      const [row] = one.rows;
      return { ids: recorder.end(one).ids, score: meanLogLikelihood(row.logLikelihood, row.scoredTokens) };
    });
    const order = [0, 1, 2, 3].sort((a, b) => solo[b].score - solo[a].score || a - b);

    const driver = new DecodeDriver(hred);
    const recorder = new Recorder();
    const other = request(hred, hState, { strategy: 'greedy', maxTokens: 12, ignoreEos: true });
    const ranked = request(hred, hState, settings);
    driver.join([other]);
    recorder.take(driver.step());
    driver.join([ranked]); // joins a running batch
    expect(driver.rowCount).toBe(5);
    const rowsLeft: number[] = [];
    while (!ranked.done) {
      recorder.take(driver.step());
      if (!ranked.done) expect(recorder.of(ranked)).toEqual([]); // nothing streams before the last candidate ends
      rowsLeft.push(driver.rowCount);
    }
    runToEnd(driver, recorder);
    driver.dispose();

    const end = recorder.end(ranked);
    expect(new Set(solo.map((s) => s.ids.join())).size).toBeGreaterThan(1);
    expect(end.candidates!.map((c) => c.ids)).toEqual(order.map((i) => solo[i].ids));
    end.candidates!.forEach((c, k) => expect(c.score).toBeCloseTo(solo[order[k]].score, 4));
    expect(end).toMatchObject({ seed: 5, ids: solo[order[0]].ids });
    expect(recorder.of(ranked).slice(0, -1).map((e) => (e.type === 'token' ? e.id : -1))).toEqual(end.ids);
    expect(Math.min(...rowsLeft)).toBeLessThan(5); // candidates leave as they end
  });

  test('a join that fails joins nothing and the running rows go on; a request joins once', () => {
    const settings = { strategy: 'greedy' as const, latent: 'mean' as const, seed: 0, maxTokens: 6, ignoreEos: true };
    const expected = alone(vhred, vStates[0], settings);
    const driver = new DecodeDriver(vhred);
    const recorder = new Recorder();
    const running = request(vhred, vStates[0], settings);
    driver.join([running]);
    recorder.take(driver.step());
    expect(() => driver.join([request(vhred, vStates[1], settings), request(vhred, initialState(vhred), settings)])).toThrow(/nothing to reply to/);
    expect(() => driver.join([running])).toThrow(/joins a decode driver once/);
    expect(driver.rowCount).toBe(1);
    runToEnd(driver, recorder);
    expect(() => driver.join([running])).toThrow(/has ended/);
    driver.dispose();
    expect(recorder.of(running)).toEqual(expected);
  });

  test('a step allocates no lasting tensor, and every tensor is freed once the rows have left', () => {
    const before = tf.memory().numTensors;
    const driver = new DecodeDriver(vhred);
    const requests = SETTINGS.slice(0, 4).map((s, i) => request(vhred, vStates[i], { ...s, maxTokens: 12, ignoreEos: true }));
    driver.join(requests);
    const during = tf.memory().numTensors;
    for (let step = 0; step < 5; step++) {
      driver.step();
      expect(tf.memory().numTensors).toBe(during);
    }
    requests[0].cancel();
    while (driver.rowCount > 0) driver.step();
    driver.step(); // the last rows leave
    expect(tf.memory().numTensors).toBe(before);
    driver.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
