import * as tf from '@tensorflow/tfjs';
import { MODEL_PRESETS } from '../models/model-config';
import { probeTrainingStep } from '../training/backend-probe';
import { useTensorBackend } from '../../test/support/tensor-backend';
import { BackendInfo, describeBackend, fastestOf } from './backend';

describe('describeBackend (the start-up log line)', () => {
  it('names the native kernels and where they came from', () => {
    expect(describeBackend({ name: 'wasm', threads: 1, nativeKernels: true, nativeKernelsFrom: 'build', blas: 'sgemm avx512' }).line).toBe(
      'tensor backend wasm, 1 thread(s), native kernels compiled at install (sgemm avx512)',
    );
    const info: BackendInfo = { name: 'wasm', threads: 1, nativeKernels: true, nativeKernelsFrom: 'prebuilt', blas: 'sgemm avx2', chosenBy: 'auto: the native kernels loaded, tfjs-node did not' };
    expect(describeBackend(info)).toEqual({
      level: 'log',
      line: 'tensor backend wasm, 1 thread(s), native kernels prebuilt (sgemm avx2) (auto: the native kernels loaded, tfjs-node did not)',
    });
  });

  it('warns without them, with the reason and what to install', () => {
    const note = 'Native kernels unavailable (compiled: not built; prebuilt: none for darwin-arm64). To compile them: a C compiler …';
    const { level, line } = describeBackend({ name: 'wasm', threads: 1, nativeKernels: false, nativeKernelsNote: note });
    expect(level).toBe('warn');
    expect(line).toBe(`tensor backend wasm, 1 thread(s) WITHOUT the native kernels: training runs about 6× slower. ${note}`);
  });

  it('only notes a choice: TF_NATIVE=off, or another backend', () => {
    expect(describeBackend({ name: 'wasm', threads: 1, nativeKernels: false, nativeKernelsNote: 'TF_NATIVE=off' })).toEqual({ level: 'log', line: 'tensor backend wasm, 1 thread(s), TF_NATIVE=off' });
    expect(describeBackend({ name: 'node', threads: 2, nativeKernels: false, chosenBy: 'auto: tfjs-node loaded, the native kernels did not' }).line).toBe(
      'tensor backend node, 2 thread(s) (auto: tfjs-node loaded, the native kernels did not)',
    );
  });
});

describe('fastestOf (TF_BACKEND=auto with more than one fast path)', () => {
  useTensorBackend();
  afterAll(() => tf.setBackend('wasm'));

  it('times a training step on each backend and keeps the fastest active', async () => {
    // wasm against the pure-JS CPU backend stands in for tfjs-node, which cannot install offline
    const wasm: BackendInfo = { name: 'wasm', threads: 1, nativeKernels: true };
    const cpu: BackendInfo = { name: 'cpu', threads: 1, nativeKernels: false };
    const probe = () => probeTrainingStep({ kind: 'hred', vocabSize: 20, ...MODEL_PRESETS.tiny }, { dialogues: 2, turns: 2, tokens: 4, steps: 1 });
    const chosen = await fastestOf([cpu, wasm], probe);
    expect(chosen).toMatchObject({ name: 'wasm', chosenBy: expect.stringMatching(/^auto: fastest training step \(steps\/s: cpu \d+\.\d\d, wasm\+native \d+\.\d\d\)$/) });
    expect(tf.getBackend()).toBe('wasm');
    const [cpuRate, wasmRate] = chosen.chosenBy!.match(/\d+\.\d\d/g)!.map(Number);
    expect(wasmRate).toBeGreaterThan(cpuRate);
  });
});

describe('initTensorBackend', () => {
  it('answers a TF_BACKEND that cannot start here with BACKEND_UNAVAILABLE, naming it and the setting that works', async () => {
    let backend!: typeof import('./backend');
    // A fresh module (the backend starts once per process), on a machine where tfjs-node's binding does not load.
    await jest.isolateModulesAsync(async () => {
      jest.doMock('@tensorflow/tfjs-node', () => {
        throw new Error('libtensorflow.so.2: cannot open shared object file');
      }, { virtual: true });
      backend = await import('./backend');
    });
    const refused = backend.initTensorBackend('node');
    await expect(refused).rejects.toBeInstanceOf(backend.TensorBackendError);
    await expect(refused).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', meta: { backend: 'node', errors: [expect.stringContaining('libtensorflow')] } });
    await expect(refused).rejects.toThrow(/TF_BACKEND=node: .*TF_BACKEND=auto/);
  });
});
