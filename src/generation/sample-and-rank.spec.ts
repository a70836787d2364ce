import { DialogueModel } from '../models/dialogue-model';
import { initTensorBackend } from '../tensor/backend';
import { EOS_ID } from '../tokenization/tokenizer';
import { WordTokenizer } from '../tokenization/word-tokenizer';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';
import { ReplyBatcher } from './batcher';
import { ConversationState } from './conversation-state';
import { generateReply } from './decode';
import { DecodingInput, parseDecoding } from './decoding-options';
import { ReplyRow } from './reply-row';
import { candidateSeed, rankCandidates } from './sample-and-rank';
import { blockRepeatedNgrams, logProbability, meanLogLikelihood } from './sampling';
import { lastEvent } from './decode';

describe('sample-and-rank, by hand', () => {
  it('scores a token by log softmax of the unfiltered logits', () => {
    // softmax([0, ln 3]) = [1/4, 3/4]
    expect(logProbability([0, Math.log(3)], 1)).toBeCloseTo(Math.log(0.75), 12);
    expect(logProbability([0, Math.log(3)], 0)).toBeCloseTo(Math.log(0.25), 12);
  });

  it('a row adds up the log-likelihood of what it chose, also under n-gram blocking', async () => {
    const tokenizer = await tinyTokenizer();
    const V = tokenizer.vocabSize;
    const row = new ReplyRow(tokenizer, parseDecoding({ strategy: 'greedy', noRepeatNgram: 2 }), 10);
    const logits = new Float32Array(V).fill(0);
    logits[5] = 3;
    logits[6] = 2;
    // step 1: 5; step 2: 5 again would not repeat a bigram yet; step 3: "5 5" exists, so 5 is blocked after 5 → 6
    const chosen = [1, 2, 3].map(() => {
      const id = row.choose(undefined, logits, 0, V);
      row.accept(id);
      return id;
    });
    expect(chosen).toEqual([5, 5, 6]);
    expect(row.scoredTokens).toBe(3);
    expect(row.logLikelihood).toBeCloseTo(2 * logProbability(logits, 5) + logProbability(logits, 6), 6);
  });

  it('blocks exactly the tokens that would complete an n-gram already said', () => {
    const logits = new Float32Array(10);
    // ids 1 2 3 1 2: the trigram "1 2 3" exists, so after "1 2" token 3 is blocked and nothing else
    const blocked = blockRepeatedNgrams(logits, [1, 2, 3, 1, 2], 3);
    expect([...blocked].map((x, i) => (x === -Infinity ? i : -1)).filter((i) => i >= 0)).toEqual([3]);
    expect(logits[3]).toBe(0); // a copy
    expect([...blockRepeatedNgrams(logits, [1, 2], 3)]).toEqual([...logits]);
    expect([...blockRepeatedNgrams(logits, [4, 4, 4], 0)]).toEqual([...logits]);
  });

  it('ranks by log-likelihood per token, best first, ties in decoding order', () => {
    const c = (text: string, logProb: number, tokens: number) => ({ ids: [], text, logProb, score: meanLogLikelihood(logProb, tokens), finishReason: 'eos' as const });
    // "a": −6 over 3 tokens = −2; "b": −3 over 1 token = −3; "c": −10 over 5 = −2 (tie with a, decoded later)
    expect(rankCandidates([c('b', -3, 1), c('a', -6, 3), c('c', -10, 5)]).map((x) => x.text)).toEqual(['a', 'c', 'b']);
    expect(meanLogLikelihood(0, 0)).toBe(-Infinity);
  });

  it('derives candidate seeds from the reply seed: the first is the seed itself', () => {
    expect(candidateSeed(42, 0)).toBe(42);
    const seeds = new Set(Array.from({ length: 20 }, (_, i) => candidateSeed(42, i)));
    expect(seeds.size).toBe(20);
  });

  it('refuses candidates with beam search', () => {
    expect(() => parseDecoding({ strategy: 'beam', candidates: 4 })).toThrow(/beam search ranks its own/);
    expect(() => parseDecoding({ candidates: 33 })).toThrow();
  });
});

describe('sample-and-rank decoding', () => {
  let tokenizer: WordTokenizer;
  let vhred: DialogueModel;
  let hred: DialogueModel;
  let vState: ConversationState;
  let hState: ConversationState;

  beforeAll(async () => {
    await initTensorBackend('wasm');
    tokenizer = await tinyTokenizer();
    vhred = tinyModel('vhred', tokenizer.vocabSize, 4);
    hred = tinyModel('hred', tokenizer.vocabSize, 3);
    vState = stateAfter(vhred, tokenizer, TINY_DIALOGUES[0].slice(0, 3));
    hState = stateAfter(hred, tokenizer, TINY_DIALOGUES[0].slice(0, 3));
  });
  afterAll(() => {
    vhred.dispose();
    hred.dispose();
  });

  it('with N = 1 is plain decoding', async () => {
    const plain = await generateReply(hred, tokenizer, hState, { strategy: 'sample', seed: 9 });
    const ranked = await generateReply(hred, tokenizer, hState, { strategy: 'sample', seed: 9, candidates: 1 });
    expect(ranked).toEqual(plain);
  });

  it.each<[string, DecodingInput]>([
    ['VHRED, greedy tokens, a z per candidate', { strategy: 'greedy', latent: 'sample' }],
    ['HRED, sampled tokens', { strategy: 'sample', temperature: 1.5 }],
  ])('%s: replies with the candidate of best log-likelihood per token, each candidate as decoded alone', async (_, decoding) => {
    const [model, state] = decoding.strategy === 'greedy' ? [vhred, vState] : [hred, hState];
    const reply = await generateReply(model, tokenizer, state, { ...decoding, seed: 5, candidates: 6 });
    const candidates = reply.candidates!;
    expect(candidates).toHaveLength(6);
    expect(reply.text).toBe(candidates[0].text);
    expect(reply.seed).toBe(5);
    for (let i = 1; i < candidates.length; i++) expect(candidates[i - 1].score).toBeGreaterThanOrEqual(candidates[i].score);
    // the candidates are the replies of seeds candidateSeed(5, i) decoded alone, scored by the model
    const alone = await Promise.all(Array.from({ length: 6 }, (__, i) => generateReply(model, tokenizer, state, { ...decoding, seed: candidateSeed(5, i), maxTokens: undefined })));
    expect(new Set(candidates.map((c) => c.text))).toEqual(new Set(alone.map((a) => a.text)));
    expect(new Set(candidates.map((c) => c.text)).size).toBeGreaterThan(1);
    const best = candidates[0];
    expect(best.score).toBeCloseTo(best.logProb / (best.ids.length + (best.finishReason === 'eos' ? 1 : 0)), 6);
    // the same seed repeats the whole set
    expect(await generateReply(model, tokenizer, state, { ...decoding, seed: 5, candidates: 6 })).toEqual(reply);
  });

  it('the batcher gives what decoding alone gives, beside other replies, and counts a ranked reply once', async () => {
    const batcher = new ReplyBatcher({ maxBatchSize: 8 });
    const settings: DecodingInput = { strategy: 'greedy', latent: 'sample', seed: 11, candidates: 5 };
    const alone = await generateReply(vhred, tokenizer, vState, settings);
    const ranked = lastEvent(batcher.submit(vhred, tokenizer, vState, settings));
    const plain = lastEvent(batcher.submit(vhred, tokenizer, vState, { seed: 3, maxTokens: 6, ignoreEos: true }));
    await new Promise((r) => setImmediate(r));
    expect(batcher.load().active).toBe(2);
    // the same replies; scores within float rounding (a batch of other rows sums its products in another order)
    const got = await ranked;
    expect({ ...got, candidates: undefined }).toEqual({ ...alone, candidates: undefined });
    expect(got.candidates!.map((c) => c.text)).toEqual(alone.candidates!.map((c) => c.text));
    got.candidates!.forEach((c, i) => expect(c.score).toBeCloseTo(alone.candidates![i].score, 4));
    expect((await plain).ids).toHaveLength(6);
    expect(alone.ids.includes(EOS_ID)).toBe(false);
  });

  it('streams the chosen reply token by token, and a cancel ends it', async () => {
    const batcher = new ReplyBatcher();
    const events = [];
    for await (const e of batcher.submit(vhred, tokenizer, vState, { latent: 'sample', seed: 2, candidates: 4 })) events.push(e);
    const end = events.at(-1)!;
    expect(end.type).toBe('end');
    expect(events.filter((e) => e.type === 'token').map((e) => (e.type === 'token' ? e.id : -1))).toEqual(end.type === 'end' ? end.ids : []);
    const controller = new AbortController();
    controller.abort();
    const cancelled = await lastEvent(batcher.submit(vhred, tokenizer, vState, { latent: 'sample', candidates: 4 }, controller.signal));
    expect(cancelled.finishReason).toBe('cancelled');
  });
});
