import { Test } from '@nestjs/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../config';
import { HEALTH_CONTRIBUTORS, HealthContributor, HealthModule } from '../health';
import { saveModel } from '../models/model-files';
import { initTensorBackend } from '../tensor/backend';
import { WordTokenizer } from '../tokenization/word-tokenizer';
import { ConversationState, rebuildState, utteranceIds } from './conversation-state';
import { generateReply, lastEvent } from './decode';
import { GenerationError } from './generation-errors';
import { GenerationModule } from './generation.module';
import { GenerationService, REBUILD_CHUNK_TURNS } from './generation.service';
import { stateAfter, tinyModel, tinyTokenizer, TINY_DIALOGUES } from '../../test/support/generation-kit';
import { tinyModel as tinyModelWith } from '../../test/support/tiny-model';

let tokenizer: WordTokenizer;
let sut: GenerationService;
let contributors: HealthContributor[];

const loaded = (kind: 'hred' | 'vhred', seed: number) => ({ model: tinyModel(kind, tokenizer.vocabSize, seed), tokenizer, summary: {}, dir: 'memory', verified: true });
const history = { id: 'c1', turns: TINY_DIALOGUES[0].slice(0, 3) };
const greedy = { strategy: 'greedy' as const, latent: 'mean' as const, maxTokens: 6, ignoreEos: true };

beforeAll(async () => {
  await initTensorBackend('wasm');
  tokenizer = await tinyTokenizer();
  const moduleRef = await Test.createTestingModule({ imports: [HealthModule, GenerationModule] }).compile();
  await moduleRef.init();
  sut = moduleRef.get(GenerationService);
  contributors = moduleRef.get(HEALTH_CONTRIBUTORS);
});
afterAll(() => sut.onModuleDestroy());

function expectClose(a: ConversationState, b: ConversationState): void {
  expect(a.turns).toBe(b.turns);
  a.context.forEach((x, i) => expect(x).toBeCloseTo(b.context[i], 5));
  a.lastOutputs.forEach((x, i) => expect(x).toBeCloseTo(b.lastOutputs[i], 5));
}

describe(GenerationService.name, () => {
  test('replies to a stored history with the model named by version or by kind', async () => {
    const entry = loaded('hred', 2);
    sut.registerModel('v1', entry);
    const expected = await generateReply(entry.model, tokenizer, stateAfter(entry.model, tokenizer, history.turns), greedy);
    expect((await lastEvent(sut.reply('v1', history, greedy))).ids).toEqual(expected.ids);
    expect((await lastEvent(sut.reply({ kind: 'hred' }, history, greedy))).ids).toEqual(expected.ids);
  });

  test('an unknown model is a MODEL_NOT_LOADED error', async () => {
    await expect(lastEvent(sut.reply('nope', history, greedy))).rejects.toMatchObject({ code: 'MODEL_NOT_LOADED' });
    await expect(sut.stateFor({ kind: 'vhred' }, history)).rejects.toThrow(GenerationError);
  });

  test('states are cached per conversation and turn count; later turns advance the longest cached prefix', async () => {
    sut.registerModel('v2', loaded('hred', 3));
    const twoTurns = { id: 'c2', turns: TINY_DIALOGUES[0].slice(0, 2) };
    const first = await sut.stateFor('v2', twoTurns);
    expect(await sut.stateFor('v2', { ...twoTurns })).toBe(first);
    const fourTurns = { id: 'c2', turns: TINY_DIALOGUES[0] }; // a bot reply and a user turn later
    const next = await sut.stateFor('v2', fourTurns);
    expect(next.turns).toBe(4);
    const { model } = loaded('hred', 3);
    const rebuilt = rebuildState(model, fourTurns.turns.map((t) => utteranceIds(tokenizer, t, model.config)));
    expectClose(next, rebuilt);
    model.dispose();
  });

  test('without an id, states are found by the turns themselves: a growing conversation encodes only its new turns', async () => {
    const entry = loaded('hred', 7);
    sut.registerModel('v8', entry);
    const encode = jest.spyOn(entry.model, 'encodeUtterances'); // calls through
    const encoded = () => encode.mock.calls.map(([ids]) => ids.shape[0]); // utterances per encoder call
    const tokensOf = (turns: string[]) => turns.reduce((n, t) => n + utteranceIds(tokenizer, t, entry.model.config).length + 1, 0);
    const [a, b, c, d] = TINY_DIALOGUES[0];

    const first = await sut.read('v8', { turns: [a, b] });
    expect(first).toMatchObject({ tokens: tokensOf([a, b]), cachedTokens: 0, encodedTurns: 2 });
    const grown = await sut.read('v8', { turns: [a, b, c, d] }); // the client resends everything, plus a reply and a turn
    expect(grown).toMatchObject({ tokens: tokensOf([a, b, c, d]), cachedTokens: tokensOf([a, b]), encodedTurns: 2 });
    expect(encoded()).toEqual([2, 2]); // one call for the first two turns, one for the two new ones
    const again = await sut.read('v8', { turns: [a, b, c, d] });
    expect(again).toMatchObject({ state: grown.state, cachedTokens: tokensOf([a, b, c, d]), encodedTurns: 0 });
    const otherBranch = await sut.read('v8', { turns: [a, 'something else', c] }); // only the first turn is shared
    expect(otherBranch).toMatchObject({ cachedTokens: 0, encodedTurns: 3 }); // [a] alone was never a whole request
    expect(encoded()).toEqual([2, 2, 3]);
    encode.mockRestore();
    expectClose(grown.state, stateAfter(entry.model, tokenizer, [a, b, c, d]));
  });

  test('without an id, past maxTurns: the window slides and only the turns new to it are encoded', async () => {
    const entry = loaded('hred', 9);
    sut.registerModel('v9', entry);
    const encode = jest.spyOn(entry.model, 'encodeUtterances');
    const turns = Array.from({ length: 14 }, (_, i) => `turn ${i} : ${TINY_DIALOGUES[i % 3][0]}`); // distinct texts
    const tokensOf = (ts: string[]) => ts.reduce((n, t) => n + utteranceIds(tokenizer, t, entry.model.config).length + 1, 0);
    const first = await sut.read('v9', { turns: turns.slice(0, 12) }); // reads turns 2..11
    expect(first).toMatchObject({ tokens: tokensOf(turns.slice(2, 12)), cachedTokens: 0, encodedTurns: 10 });
    const second = await sut.read('v9', { turns }); // reads turns 4..13: 4..11 were encoded by the first read
    expect(second).toMatchObject({ tokens: tokensOf(turns.slice(4, 14)), cachedTokens: tokensOf(turns.slice(4, 12)), encodedTurns: 2 });
    expect(encode.mock.calls.slice(-2).map(([ids]) => ids.shape[0])).toEqual([1, 1]); // turn 12, then turn 13 (the last, read in full)
    encode.mockRestore();
    expectClose(second.state, rebuildState(entry.model, turns.slice(4).map((t) => utteranceIds(tokenizer, t, entry.model.config))));
  });

  test('a long stored history is rebuilt in chunks with the event loop free between them, to the same state', async () => {
    // A model that reads many turns (maxTurns 200): the default 10 would read no more than one chunk.
    const longReader = () => tinyModelWith('hred', tokenizer.vocabSize, 6, { maxUtteranceTokens: 12, maxTurns: 200 });
    sut.registerModel('v6', { model: longReader(), tokenizer, summary: {}, dir: 'memory', verified: true });
    const turns = Array.from({ length: 3 * REBUILD_CHUNK_TURNS + 5 }, (_, i) => TINY_DIALOGUES[i % TINY_DIALOGUES.length][i % 2]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const state = await sut.stateFor('v6', { id: 'long', turns });
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(3); // the timer ran between the four chunks
    const model = longReader();
    expectClose(state, rebuildState(model, turns.map((t) => utteranceIds(tokenizer, t, model.config))));
    model.dispose();
  });

  // Issue 22: the context grew with the conversation (3,500 turns were read at every reply after a restart).
  test('a model reads only the last maxTurns turns: the state is that of the window, whether or not the caller cut it', async () => {
    sut.registerModel('v7', loaded('hred', 7));
    const turns = Array.from({ length: 25 }, (_, i) => TINY_DIALOGUES[i % TINY_DIALOGUES.length][i % 3]);
    const { model } = loaded('hred', 7);
    expect(sut.contextTurns('v7')).toBe(model.config.maxTurns);
    const window = turns.slice(-model.config.maxTurns);
    const expected = rebuildState(model, window.map((t) => utteranceIds(tokenizer, t, model.config)));
    expect(expected.turns).toBe(10);
    expectClose(await sut.stateFor('v7', { id: 'w1', turns }), expected);
    expectClose(await sut.stateFor('v7', { id: 'w2', turns: turns.slice(-12), truncated: true }), expected);
    // A tail that the caller cut short of maxTurns is still a tail: it is not mistaken for the conversation's start.
    const short = turns.slice(-4);
    expectClose(await sut.stateFor('v7', { id: 'w3', turns: short, truncated: true }), rebuildState(model, short.map((t) => utteranceIds(tokenizer, t, model.config))));
    model.dispose();
  });

  test('a hot swap leaves replies in flight on their model, which is disposed when they end', async () => {
    const old = loaded('hred', 4);
    sut.registerModel('v3', old);
    const expected = await generateReply(old.model, tokenizer, stateAfter(old.model, tokenizer, history.turns), greedy);
    const stream = sut.reply('v3', history, greedy);
    const ids: number[] = [];
    for await (const e of stream) {
      if (e.type !== 'token') continue;
      ids.push(e.id);
      if (e.index === 0) {
        sut.registerModel('v3', loaded('hred', 5));
        expect(old.model.params.vars.size).toBeGreaterThan(0); // still in use
        expect(sut.models().filter((m) => m.versionId === 'v3')).toMatchObject([{ retired: false }, { retired: true, inFlight: 1 }]);
      }
    }
    expect(ids).toEqual(expected.ids);
    expect(old.model.params.vars.size).toBe(0);
    expect(sut.models().filter((m) => m.versionId === 'v3')).toHaveLength(1);
  });

  test('loads a saved model directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gen-'));
    try {
      const { model } = loaded('vhred', 6);
      await saveModel(dir, model, {});
      await tokenizer.save(dir);
      model.dispose();
      const info = await sut.loadModel('v4', dir);
      expect(info).toMatchObject({ versionId: 'v4', kind: 'vhred', dir, inFlight: 0 });
      expect((await lastEvent(sut.reply('v4', history, { ...greedy, seed: 1 }))).ids).toHaveLength(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('reports backend and models to GET /health', async () => {
    const health = contributors.find((c) => c.name === 'generation');
    expect(health).toBeDefined();
    const section = await health!.check();
    expect(section).toMatchObject({ ok: true, backend: { name: 'wasm' } });
    expect((section.models as unknown[]).length).toBeGreaterThan(0);
  });
});

describe('GenerationService with decoder threads', () => {
  let pooled: GenerationService;

  beforeAll(async () => {
    pooled = new GenerationService(parseConfig({ TF_BACKEND: 'wasm', DECODER_THREADS: '2' }));
    await pooled.onModuleInit();
  });
  afterAll(() => pooled.onModuleDestroy());

  test('a hot swap reaches every thread: the reply in flight ends on the old model, the next ones on both threads use the new', async () => {
    const [old, next] = [loaded('hred', 4), loaded('hred', 5)];
    const expected = await Promise.all([old, next].map((e) => generateReply(e.model, tokenizer, stateAfter(e.model, tokenizer, history.turns), greedy)));
    expect(expected[0].ids).not.toEqual(expected[1].ids);
    pooled.registerModel('p1', old);
    const ids: number[] = [];
    for await (const e of pooled.reply('p1', history, greedy)) {
      if (e.type !== 'token') continue;
      ids.push(e.id);
      if (e.index === 0) pooled.registerModel('p1', next);
    }
    expect(ids).toEqual(expected[0].ids);
    expect(old.model.params.vars.size).toBe(0); // disposed here once its reply ended (and its copies on the threads)
    const after = await Promise.all([1, 2, 3].map((i) => lastEvent(pooled.reply('p1', { ...history, id: `p1-${i}` }, greedy))));
    expect(after.map((e) => e.ids)).toEqual([1, 2, 3].map(() => expected[1].ids));
    expect(pooled.load()).toEqual({ active: 0, waiting: 0 });
  });
});
