import { promises as fs } from 'fs';
import * as path from 'path';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { tempDir, writeCorpus } from '../../test/support/tiny-corpus';
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

  it('stops early when validation perplexity stops improving', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    // at a learning rate this small the weights do not move, so validation perplexity cannot improve
    const result = await train(options(dir, data, { kind: 'seq2seq', maxEpochs: 10, patience: 2, learningRate: 1e-12 }));
    expect(result.stoppedBy).toBe('early-stopping');
    expect(result.state.history.length).toBeLessThan(10);
  });
});
