/**
 * Picks the tensor backend once per process. `auto` takes the fastest that works: WASM with the native kernels
 * (native/kernels: 5–6× tfjs's own WASM kernels in training), unless tfjs-node loads too, in which case a timed
 * training step on each decides (tfjs-node cannot use the native kernels, which compute on the WASM heap);
 * without the native kernels tfjs-node where it loads, then plain WASM, the pure-JS CPU backend last.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../common/errors';
import { registerBlasMatMul } from './blas-matmul';
import { loadNativeKernels, parseNativeChoice } from './native-kernels';
import { registerNativeColumnSums } from './column-sums';
import { registerNativeOps } from './native-op-runtime';
import { registerWasmKernelFixes } from './wasm-kernels';

export type BackendName = 'node' | 'wasm' | 'cpu';

/** TF_BACKEND's backend cannot start here (an install or machine problem): meta.backend is the choice, meta.errors why. */
export class TensorBackendError extends AppError<'BACKEND_UNAVAILABLE'> {}
export type BackendChoice = BackendName | 'auto';

export interface BackendInfo {
  name: BackendName;
  /** Threads the backend computes with (wasm is single-threaded in Node: tfjs issue #3830). */
  threads: number;
  /** On wasm: native kernels (products, fused softmax cross-entropy, GRU gates and sequences, the attention decoder, Adam) when they load; TF_NATIVE=off declines them. */
  nativeKernels: boolean;
  /** With the native kernels: compiled by `npm install` (`build`) or the committed Linux x64 binary (`prebuilt`). */
  nativeKernelsFrom?: 'build' | 'prebuilt';
  /** Why the native kernels are not in use, and what would bring them. */
  nativeKernelsNote?: string;
  /** With the native kernels: their products' instruction set, e.g. "sgemm avx512". */
  blas?: string;
  /** With TF_BACKEND=auto: why this backend, e.g. the timed steps when more than one fast path loaded. */
  chosenBy?: string;
}

/** Times one training step on the active backend (steps per second); src/training/backend-probe.ts has the real one. */
export type BackendProbe = () => Promise<number>;

let active: BackendInfo | undefined;
let starting: Promise<BackendInfo> | undefined;

/** Initialises the backend once per process, however many callers race to it. `choice` comes from TF_BACKEND. */
export function initTensorBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  starting ??= startBackend(choice).catch((err: Error) => {
    starting = undefined; // let a later call try again
    throw err;
  });
  return starting;
}

async function startBackend(choice: BackendChoice): Promise<BackendInfo> {
  if (choice !== 'auto') {
    const started = await tryBackend(choice).catch((err: Error) => {
      const why = err.message.split('\n')[0];
      throw new TensorBackendError('BACKEND_UNAVAILABLE', `TF_BACKEND=${choice}: the ${choice} backend cannot start (${why}); TF_BACKEND=auto takes one that can`, { backend: choice, errors: [why] }, { cause: err });
    });
    return (active = started);
  }
  const errors: string[] = [];
  const attempt = async (name: BackendName) => tryBackend(name).catch((err: Error) => void errors.push(`${name}: ${err.message.split('\n')[0]}`));
  const wasm = await attempt('wasm');
  const node = await attempt('node');
  if (wasm?.nativeKernels && node) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only here: the probe trains a model, whose modules import this one
    const { probeTrainingStep } = require('../training/backend-probe') as { probeTrainingStep: BackendProbe };
    return (active = await fastestOf([wasm, node], probeTrainingStep));
  }
  const chosen = wasm?.nativeKernels ? wasm : (node ?? wasm ?? (await attempt('cpu')));
  if (!chosen) throw new TensorBackendError('BACKEND_UNAVAILABLE', `No tensor backend could start (${errors.join('; ')})`, { backend: 'auto', errors });
  await setBackend(chosen.name === 'node' ? 'tensorflow' : chosen.name);
  const reason =
    chosen === wasm ? (wasm.nativeKernels ? 'the native kernels loaded, tfjs-node did not' : 'neither the native kernels nor tfjs-node loaded') : chosen === node ? 'tfjs-node loaded, the native kernels did not' : errors.join('; ');
  return (active = { ...chosen, chosenBy: `auto: ${reason}` });
}

/** Times `probe` on each started backend and keeps the fastest active; the figures go into `chosenBy`. */
export async function fastestOf(candidates: BackendInfo[], probe: BackendProbe): Promise<BackendInfo> {
  const rates: number[] = [];
  for (const c of candidates) {
    await setBackend(c.name === 'node' ? 'tensorflow' : c.name);
    rates.push(await probe().catch(() => 0)); // a backend the step fails on is not a candidate
  }
  const best = rates.indexOf(Math.max(...rates));
  await setBackend(candidates[best].name === 'node' ? 'tensorflow' : candidates[best].name);
  const figures = candidates.map((c, i) => `${label(c)} ${rates[i].toFixed(2)}`).join(', ');
  return { ...candidates[best], chosenBy: `auto: fastest training step (steps/s: ${figures})` };
}

const label = (info: BackendInfo) => (info.nativeKernels ? `${info.name}+native` : info.name);

export function backendInfo(): BackendInfo | undefined {
  return active;
}

/** What a worker thread should start: the backend this process chose, so `auto` is not decided twice. */
export function resolvedBackend(choice: BackendChoice): BackendChoice {
  return choice === 'auto' ? (active?.name ?? 'auto') : choice;
}

/** The start-up log line: the backend, and without the native kernels why not and what would bring them. */
export function describeBackend(info: BackendInfo): { level: 'log' | 'warn'; line: string } {
  const head = `tensor backend ${info.name}, ${info.threads} thread(s)`;
  const how = info.chosenBy ? ` (${info.chosenBy})` : '';
  if (info.nativeKernels) return { level: 'log', line: `${head}, native kernels ${info.nativeKernelsFrom === 'build' ? 'compiled at install' : 'prebuilt'} (${info.blas})${how}` };
  if (info.name !== 'wasm' || info.nativeKernelsNote === 'TF_NATIVE=off') return { level: 'log', line: `${head}${info.nativeKernelsNote ? `, ${info.nativeKernelsNote}` : ''}${how}` };
  return { level: 'warn', line: `${head} WITHOUT the native kernels: training runs about 6× slower${how}. ${info.nativeKernelsNote}` };
}

async function tryBackend(name: BackendName): Promise<BackendInfo> {
  if (name === 'node') {
    // Optional dependency: absent or without its native binding on machines that cannot download libtensorflow.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    await setBackend('tensorflow');
    return { name, threads: tf.env().getNumber('TFJS_NODE_THREADS' as never) || 0, nativeKernels: false };
  }
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmKernelFixes();
    await setBackend('wasm');
    return { name, threads: 1, ...useNativeKernels() };
  }
  await setBackend('cpu');
  return { name, threads: 1, nativeKernels: false };
}

/** What the note tells a machine without the native kernels to do. */
const INSTALL_HINT =
  'To compile them: a C compiler and Python 3 (Debian/Ubuntu: apt-get install build-essential python3; macOS: xcode-select --install), then npm run build:native.';

/** The kernels compute on one thread: data-parallel training and the comparison already run one backend per core. */
function useNativeKernels(): Pick<BackendInfo, 'nativeKernels' | 'nativeKernelsFrom' | 'nativeKernelsNote' | 'blas'> {
  if (parseNativeChoice(process.env.TF_NATIVE) === 'off') return { nativeKernels: false, nativeKernelsNote: 'TF_NATIVE=off' };
  const loaded = loadNativeKernels();
  if ('error' in loaded) return { nativeKernels: false, nativeKernelsNote: `Native kernels unavailable (${loaded.error}). ${INSTALL_HINT}` };
  registerBlasMatMul(loaded.kernels);
  registerNativeColumnSums(loaded.kernels);
  registerNativeOps(loaded.kernels);
  return { nativeKernels: true, nativeKernelsFrom: loaded.from, blas: loaded.kernels.config() };
}

async function setBackend(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  // Plain: startBackend reports a backend that cannot start as a TensorBackendError; fastestOf re-selects one that started.
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} failed to initialise`);
  await tf.ready();
}

