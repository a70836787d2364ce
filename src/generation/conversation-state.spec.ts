import * as tf from '@tensorflow/tfjs';
import { buildBatch } from '../models/batch';
import { initTensorBackend } from '../tensor/backend';
import { EOS_ID } from '../tokenization/tokenizer';
import { WordTokenizer } from '../tokenization/word-tokenizer';
import { ConversationState, initialState, observeUtterances, rebuildState, rebuildStates, utteranceIds, utteranceVectors, windowState } from './conversation-state';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';

let tokenizer: WordTokenizer;
beforeAll(async () => {
  await initTensorBackend('wasm');
  tokenizer = await tinyTokenizer();
});

function expectSameState(a: ConversationState, b: ConversationState, digits = 6): void {
  expect({ ...a, context: 0, lastOutputs: 0, lastVector: 0 }).toEqual({ ...b, context: 0, lastOutputs: 0, lastVector: 0 });
  for (const k of ['context', 'lastOutputs', 'lastVector'] as const) {
    expect(a[k].length).toBe(b[k].length);
    a[k].forEach((x, i) => expect(x).toBeCloseTo(b[k][i], digits));
  }
}

describe('conversation state', () => {
  // The fast path of a sliding window (issue 22): the earlier utterances' vectors come from a cache, only the last
  // is encoded, the context GRU reads them all. Its plain reference: rebuilding the window from its texts.
  test.each(['seq2seq', 'hred', 'vhred'] as const)('%s: a window from cached utterance vectors equals rebuilding it', (kind) => {
    const model = tinyModel(kind, tokenizer.vocabSize);
    const ids = [...TINY_DIALOGUES[0], ...TINY_DIALOGUES[1]].map((t) => utteranceIds(tokenizer, t, model.config));
    const vectors = utteranceVectors(model, ids.slice(0, -1));
    expect(vectors).toHaveLength(ids.length - 1);
    expect(vectors[0]).toHaveLength(2 * model.config.encoderUnits);
    expectSameState(windowState(model, vectors, ids.at(-1)!), rebuildState(model, ids), 5);
    expectSameState(windowState(model, [], ids[0]), rebuildState(model, ids.slice(0, 1)), 5);
    model.dispose();
  });

  test('encoder ids are the training ids: encode, truncate, eos (as buildBatch)', () => {
    const model = tinyModel('hred', tokenizer.vocabSize);
    const long = 'hi , how are you ? fine thanks , and you ? good . hello';
    const ids = utteranceIds(tokenizer, long, model.config);
    expect(ids).toHaveLength(model.config.maxUtteranceTokens);
    const batch = buildBatch([[tokenizer.encode(long), [5]]], { maxTurns: 10, maxUtteranceTokens: model.config.maxUtteranceTokens });
    expect(Array.from(batch.encIds.slice(0, batch.encLength))).toEqual([...ids, EOS_ID]);
    model.dispose();
  });

  test.each(['seq2seq', 'hred', 'vhred'] as const)('%s: rebuilding from stored turns equals incremental updates', (kind) => {
    const model = tinyModel(kind, tokenizer.vocabSize);
    const turns = TINY_DIALOGUES[0];
    const incremental = stateAfter(model, tokenizer, turns);
    const rebuilt = rebuildState(model, turns.map((t) => utteranceIds(tokenizer, t, model.config)));
    // the same function; not bit for bit: a few rows' products go through sgemv, more rows' through sgemm (product.h)
    expectSameState(rebuilt, incremental);
    expect(incremental.turns).toBe(turns.length);
    expect(incremental.lastLength).toBe(utteranceIds(tokenizer, turns[3], model.config).length + 1);
    model.dispose();
  });

  test('rebuilding many conversations at once equals rebuilding each alone (different turn counts)', () => {
    const model = tinyModel('vhred', tokenizer.vocabSize);
    const conversations = [TINY_DIALOGUES[0], [], TINY_DIALOGUES[1].slice(0, 1), TINY_DIALOGUES[2]];
    const ids = conversations.map((turns) => turns.map((t) => utteranceIds(tokenizer, t, model.config)));
    const together = rebuildStates(model, ids);
    together.forEach((s, i) => expectSameState(s, stateAfter(model, tokenizer, conversations[i])));
    model.dispose();
  });

  test('continuing from an earlier state (a history read in chunks) equals reading it whole', () => {
    const model = tinyModel('vhred', tokenizer.vocabSize);
    const turns = [...TINY_DIALOGUES[0], ...TINY_DIALOGUES[1], ...TINY_DIALOGUES[2]];
    const ids = turns.map((t) => utteranceIds(tokenizer, t, model.config));
    let state = initialState(model);
    for (let k = 0; k < ids.length; k += 3) [state] = rebuildStates(model, [ids.slice(k, k + 3)], [state]);
    expectSameState(state, rebuildState(model, ids));
    expect(state.turns).toBe(turns.length);
    const [unchanged] = rebuildStates(model, [[]], [state]);
    expect(unchanged).toBe(state);
    model.dispose();
  });

  test('batched observe over conversations of different lengths equals observing each alone', () => {
    const model = tinyModel('hred', tokenizer.vocabSize);
    const [a, b] = [TINY_DIALOGUES[0], TINY_DIALOGUES[1]];
    let states = [initialState(model), initialState(model)];
    for (let t = 0; t < 3; t++) {
      states = observeUtterances(model, states, [a[t], b[t]].map((x) => utteranceIds(tokenizer, x, model.config)));
    }
    expectSameState(states[0], stateAfter(model, tokenizer, a.slice(0, 3)));
    expectSameState(states[1], stateAfter(model, tokenizer, b.slice(0, 3)));
    model.dispose();
  });

  test('the context state equals the training path (contextStates over all turns)', () => {
    const model = tinyModel('hred', tokenizer.vocabSize);
    const turns = TINY_DIALOGUES[2];
    const state = stateAfter(model, tokenizer, turns);
    const expected = tf.tidy(() => {
      const batch = buildBatch([turns.map((t) => tokenizer.encode(t))], { maxTurns: 10, maxUtteranceTokens: 12 });
      const enc = model.encodeUtterances(
        tf.tensor2d(batch.encIds, [batch.utterances, batch.encLength], 'int32'),
        tf.tensor2d(batch.encMask, [batch.utterances, batch.encLength]),
        batch.encLengths,
      );
      // the batch's encoder rows are longest first; its slots give them back in turn order
      const vectors = tf.gather(enc.vectors, tf.tensor1d(batch.slotUtterance, 'int32'));
      const states = model.contextStates(tf.expandDims(vectors, 0) as tf.Tensor3D, tf.ones([1, turns.length]));
      return tf.slice(states, [0, turns.length - 1, 0], [1, 1, -1]).dataSync() as Float32Array;
    });
    state.context.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 5));
    model.dispose();
  });

  test('observing leaves no tensors behind and does not change its inputs', () => {
    const model = tinyModel('vhred', tokenizer.vocabSize);
    const before = tf.memory().numTensors;
    const s0 = initialState(model);
    const [s1] = observeUtterances(model, [s0], [[4, 5, 6]]);
    expect(tf.memory().numTensors).toBe(before);
    expect(s0.turns).toBe(0);
    expect(s1.turns).toBe(1);
    model.dispose();
  });

  test('a state from another kind of model is refused', () => {
    const hred = tinyModel('hred', tokenizer.vocabSize);
    const seq = tinyModel('seq2seq', tokenizer.vocabSize);
    expect(() => observeUtterances(seq, [initialState(hred)], [[4]])).toThrow(/does not fit/);
    hred.dispose();
    seq.dispose();
  });
});
