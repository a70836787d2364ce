import * as path from 'path';
import { tempDir, writeCorpus } from '../../test/support/tiny-corpus';
import { trainInWorker } from './run-in-worker';
import { trainingOptionsSchema } from './training-options';

const options = (dir: string, data: string, maxSteps: number) =>
  trainingOptionsSchema.parse({
    kind: 'hred',
    preset: 'small', // big enough that one step in this thread would stall the timer for a long time
    trainData: data,
    outDir: path.join(dir, 'out'),
    batchSize: 6,
    maxSteps,
    tokenizer: { kind: 'word', vocabSize: 64 },
  });

describe(trainInWorker.name, () => {
  it('trains off the event loop: a 10 ms timer keeps firing on time', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    let last = Date.now();
    let worstLag = 0;
    const timer = setInterval(() => {
      const now = Date.now();
      worstLag = Math.max(worstLag, now - last - 10);
      last = now;
    }, 10);
    const steps: number[] = [];
    const result = await trainInWorker(options(dir, data, 3), {
      backend: 'wasm',
      onProgress: (p) => p.phase === 'training' && steps.push(p.step),
    }).finally(() => clearInterval(timer));
    expect(result.state.step).toBe(3);
    expect(steps.length).toBeGreaterThan(0);
    expect(worstLag).toBeLessThan(100);
  });

  it('stops a run when cancelled', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir);
    const abort = new AbortController();
    const result = await trainInWorker(options(dir, data, 1000), {
      backend: 'wasm',
      signal: abort.signal,
      onProgress: (p) => p.phase === 'training' && abort.abort(),
    });
    expect(result.stoppedBy).toBe('cancelled');
    expect(result.state.step).toBeLessThan(1000);
  });

  it('rejects with the trainer’s error message', async () => {
    const dir = await tempDir();
    await expect(trainInWorker(options(dir, path.join(dir, 'missing.jsonl'), 1), { backend: 'wasm' })).rejects.toThrow(/missing\.jsonl/);
  });
});
