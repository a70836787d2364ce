import { promises as fs } from 'fs';
import * as path from 'path';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { tempDir, TINY_DIALOGUES, writeCorpus } from '../../test/support/tiny-corpus';
import { writeWord2VecText } from '../word2vec/text-format';
import { loadModel } from '../models/model-files';
import { train } from './trainer';
import { TrainingOptionsInput, trainingOptionsSchema } from './training-options';

useTensorBackend();

const options = (dir: string, data: string, extra: Partial<TrainingOptionsInput> = {}) =>
  trainingOptionsSchema.parse({
    kind: 'vhred',
    preset: 'tiny',
    trainData: data,
    outDir: path.join(dir, 'out'),
    batchSize: 2,
    learningRate: 0.01,
    checkpointEverySteps: 1000,
    tokenizer: { kind: 'word', vocabSize: 64 },
    ...extra,
  });

describe('train', () => {
  it('resumes from its checkpoint exactly where an uninterrupted run would be', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    const straight = await train(options(path.join(dir, 'a'), data, { maxSteps: 4 }));
    expect(straight.stoppedBy).toBe('max-steps');
    await train(options(path.join(dir, 'b'), data, { maxSteps: 2 }));
    const resumed = await train(options(path.join(dir, 'b'), data, { maxSteps: 4 }));
    expect(resumed.state.step).toBe(4);
    const a = await fs.readFile(path.join(dir, 'a', 'out', 'weights.bin'));
    const b = await fs.readFile(path.join(dir, 'b', 'out', 'weights.bin'));
    expect(b.equals(a)).toBe(true);
  });

  it('runs epochs with validation, keeps the best model and reports progress', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    const phases = new Set<string>();
    const result = await train(options(dir, data, { kind: 'hred', maxEpochs: 3 }), { onProgress: (p) => phases.add(p.phase), reportEvery: 1 });
    expect(result.state.history).toHaveLength(3);
    expect(result.state.history[2].validationPerplexity).toBeLessThan(result.state.history[0].validationPerplexity);
    expect([...phases]).toEqual(['preparing', 'training', 'validating', 'done']);
    const saved = await loadModel(path.join(dir, 'out'));
    expect(saved.summary.bestValidationPerplexity).toBeCloseTo(result.best!.validationPerplexity, 6);
    saved.model.dispose();
  });

  it("keeps the last epoch's weights with keep: 'last', the best epoch's by default", async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    // past the first epoch validation cannot improve at this learning rate: best = epoch 1, last = epoch 3
    const run = (sub: string, keep: 'best' | 'last') => train(options(path.join(dir, sub), data, { kind: 'hred', maxEpochs: 3, patience: 5, learningRate: 1e-12, keep }));
    await run('best', 'best');
    await run('last', 'last');
    const epochsOf = async (sub: string) => {
      const saved = await loadModel(path.join(dir, sub, 'out'));
      saved.model.dispose();
      return saved.summary.epochs;
    };
    expect(await epochsOf('best')).toBe(1);
    expect(await epochsOf('last')).toBe(3);
  });

  it('stops early when validation perplexity stops improving', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    // at a learning rate this small the weights do not move, so validation perplexity cannot improve
    const result = await train(options(dir, data, { kind: 'seq2seq', maxEpochs: 10, patience: 2, learningRate: 1e-12 }));
    expect(result.stoppedBy).toBe('early-stopping');
    expect(result.state.history.length).toBeLessThan(10);
  });

  it('fine-tuning counts only epochs that beat the base model; a run that never does leaves the base as its result', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    await train(options(path.join(dir, 'base'), data, { kind: 'hred', maxEpochs: 2 }));
    const baseModelDir = path.join(dir, 'base', 'out');
    // a learning rate far too large: every epoch is worse than the base model (perplexity in the hundreds)
    const worse = await train(options(path.join(dir, 'worse'), data, { kind: 'hred', baseModelDir, maxEpochs: 5, patience: 2, learningRate: 0.5 }));
    expect(worse.stoppedBy).toBe('early-stopping');
    expect(worse.state.history).toHaveLength(2);
    expect(worse.best).toBeUndefined();
    const base = worse.state.baseValidationPerplexity!;
    // worse than the base, or not a number at all: at this rate some runs overflow (none may beat the base)
    expect(worse.state.history.every((m) => !(m.validationPerplexity <= base))).toBe(true);
    const kept = await loadModel(path.join(dir, 'worse', 'out'));
    kept.model.dispose();
    expect(kept.summary).toMatchObject({ trainedSteps: 0, bestValidationPerplexity: base, baseValidationPerplexity: base });
    const weights = (sub: string) => fs.readFile(path.join(dir, sub, 'out', 'weights.bin'));
    expect((await weights('worse')).equals(await weights('base'))).toBe(true);

    // stopped by max-steps before an epoch was validated: the base stays the run's model
    await train(options(path.join(dir, 'cut'), data, { kind: 'hred', baseModelDir, maxSteps: 1, learningRate: 0.5 }));
    expect((await weights('cut')).equals(await weights('base'))).toBe(true);

    // at the usual rate the tiny corpus is learnt further: the epochs that beat the base count
    const better = await train(options(path.join(dir, 'better'), data, { kind: 'hred', baseModelDir, maxEpochs: 2 }));
    expect(better.best!.validationPerplexity).toBeLessThan(better.state.baseValidationPerplexity!);
  });

  it('judges fine-tuning on every validation set: an epoch that forgets the base corpus does not count; replay mixes it in', async () => {
    const dir = await tempDir();
    const corpus = await writeCorpus(dir);
    await train(options(path.join(dir, 'base'), corpus, { kind: 'hred', maxEpochs: 2 }));
    const baseModelDir = path.join(dir, 'base', 'out');
    // The corpus' words, every question answered "sure .": learning these unlearns the corpus' answers.
    const chats = await writeCorpus(dir, TINY_DIALOGUES.map((d) => [d[0], 'sure .']), 'chats.jsonl');
    const tune = (sub: string, extra: Partial<TrainingOptionsInput> = {}) =>
      train(options(path.join(dir, sub), chats, { kind: 'hred', baseModelDir, validationData: chats, alsoValidate: { corpus }, maxEpochs: 2, patience: 5, learningRate: 0.03, ...extra }), {
        onProgress: (p) => p.message && messages.push(p.message),
      });
    const messages: string[] = [];

    const forgetful = await tune('forgetful');
    const base = forgetful.state;
    expect(base.baseValidationSets).toEqual({ corpus: expect.any(Number) });
    expect(forgetful.state.history.every((m) => m.validationSets!.corpus > base.baseValidationSets!.corpus)).toBe(true);
    // the criterion alone would have taken it: the corpus is what refuses it
    expect(forgetful.state.history.some((m) => m.validationPerplexity < base.baseValidationPerplexity!)).toBe(true);
    expect(forgetful.best).toBeUndefined();
    const weights = (sub: string) => fs.readFile(path.join(dir, sub, 'out', 'weights.bin'));
    expect((await weights('forgetful')).equals(await weights('base'))).toBe(true);

    const replayed = await tune('replayed', { replay: { data: corpus, ratio: 1 }, maxEpochs: 1 });
    expect(messages).toContain('replaying 6 of 6 corpus dialogues each epoch');
    expect(replayed.state.step).toBe(6); // 6 chats + 6 corpus dialogues in batches of 2; without replay 3
  });

  it('starts the embeddings of a new model from word2vec vectors, for the words the file has', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    const E = 16; // the tiny preset's embeddingDim
    const hello = Float32Array.from({ length: E }, (_, i) => i / 10);
    const thanks = Float32Array.from({ length: E }, (_, i) => -i / 10);
    const vectors = path.join(dir, 'vectors.txt');
    await writeWord2VecText(vectors, ['hello', 'thanks', 'not-in-the-corpus'], E, Float32Array.from([...hello, ...thanks, ...hello]));
    // one step at a learning rate too small to move a weight: the saved embeddings are the initial ones
    await train(options(dir, data, { kind: 'hred', maxSteps: 1, learningRate: 1e-12, embeddingsFrom: vectors }));
    const { model, tokenizer } = await loadModel(path.join(dir, 'out'));
    const table = model.embedding.dataSync();
    const row = (word: string) => Array.from(table.subarray(tokenizer.encode(word)[0] * E, (tokenizer.encode(word)[0] + 1) * E));
    row('hello').forEach((x, i) => expect(x).toBeCloseTo(hello[i], 5));
    row('thanks').forEach((x, i) => expect(x).toBeCloseTo(thanks[i], 5));
    expect(row('fine').some((x, i) => Math.abs(x - hello[i]) > 1e-3)).toBe(true); // not in the file: its random start
    model.dispose();

    const wrongSize = path.join(dir, 'wrong.txt');
    await writeWord2VecText(wrongSize, ['hello'], 4, new Float32Array(4));
    await expect(train(options(path.join(dir, 'x'), data, { kind: 'hred', maxSteps: 1, embeddingsFrom: wrongSize }))).rejects.toThrow(/4-dimensional vectors, the model's embeddings have 16/);
  });
});
