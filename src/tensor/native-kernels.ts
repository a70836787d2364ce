/**
 * The native kernels (native/kernels: matrix products of our own, a fused softmax cross-entropy, fused GRU gates
 * and sequences, the attention decoder, Adam, computed on the WASM heap). `npm install` compiles them where a C
 * compiler is; elsewhere on Linux x64 (glibc) the prebuilt binary in native/prebuilt serves. Neither runs unless it
 * was built from the sources beside it. Absent, tfjs's own WASM kernels serve.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../common/errors';
import { NATIVE_OP_NAMES, type NativeOpName } from './native-ops';

/** A native op's function (native-ops.ts): the heap, then the integers its entry's `call` lists. */
export type NativeOpFunction = (heap: ArrayBufferLike, ...args: number[]) => void;

/** The addon's functions; offsets and strides count 4-byte words of the heap. */
export interface NativeKernels extends Record<NativeOpName, NativeOpFunction> {
  gemm(
    heap: ArrayBufferLike,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    aOffset: number,
    aBatchStride: number,
    bOffset: number,
    bBatchStride: number,
    cOffset: number,
  ): void;
  columnSums(heap: ArrayBufferLike, rows: number, cols: number, x: number, out: number): void;
  /** The instruction set of the products, e.g. "sgemm avx512". */
  config(): string;
  /** Runs the products on "avx512", "avx2" or "generic" from now on, for the whole process; false if this CPU lacks it. */
  useIsa(isa: string): boolean;
}

export type NativeChoice = 'auto' | 'off';

/** src/tensor and dist/tensor both sit two levels below the project root. */
const ROOT = path.resolve(__dirname, '../..');
export const KERNELS_SOURCES = path.join(ROOT, 'native/kernels');
/** Where `npm install` compiles the kernels (scripts/build-native.js). */
export const NATIVE_KERNELS_PATH = path.join(KERNELS_SOURCES, 'build/Release/native_kernels.node');
/** Compiled by `npm run build:native -- --prebuilt` and committed, for Linux x64 machines without a C compiler. */
export const PREBUILT_KERNELS_PATH = path.join(ROOT, 'native/prebuilt/linux-x64-glibc/native_kernels.node');

/** TF_NATIVE: `auto` uses the native kernels when they are built, `off` never does. */
export function parseNativeChoice(value: string | undefined): NativeChoice {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'off') return 'off';
  // Read here, not only by config.ts: the CLI and worker threads start the backend without the service's config.
  throw new AppError('CONFIG_INVALID', `Invalid configuration: TF_NATIVE must be auto or off (got ${JSON.stringify(value)})`, { setting: 'TF_NATIVE' });
}

const FUNCTIONS: readonly (keyof NativeKernels)[] = [...NATIVE_OP_NAMES, 'gemm', 'columnSums', 'config', 'useIsa'];

/** One binary the kernels may load from, and why not, when it cannot serve on this machine. */
export interface KernelsBinary {
  from: 'build' | 'prebuilt';
  file: string;
  unsupported?: string;
}

/** The machine a binary must suit: `glibc` is the C library's version, absent for another libc (musl). */
export interface Machine {
  platform: string;
  arch: string;
  glibc?: string;
}

function thisMachine(): Machine {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return { platform: process.platform, arch: process.arch, glibc: header?.glibcVersionRuntime };
}

/** The compiled build first, then the prebuilt one where the machine can run it (Linux x64, glibc). */
export function kernelsBinaries(machine: Machine = thisMachine()): KernelsBinary[] {
  const target = `${machine.platform}-${machine.arch}`;
  const unsupported = target !== 'linux-x64' ? `none for ${target}` : machine.glibc === undefined ? 'none for a libc other than glibc' : undefined;
  return [
    { from: 'build', file: NATIVE_KERNELS_PATH },
    { from: 'prebuilt', file: PREBUILT_KERNELS_PATH, ...(unsupported ? { unsupported } : {}) },
  ];
}

const SOURCE_TAG = 'native-kernels-source-hash:';

/** The source hash a binary carries (module.c's source_tag), read from its bytes without loading it. */
export function builtSourceHash(file: string): string | undefined {
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf(SOURCE_TAG, 0, 'latin1');
  return at < 0 ? undefined : bytes.toString('latin1', at + SOURCE_TAG.length, at + SOURCE_TAG.length + 64);
}

/** The hash of the kernels' sources, by the script binding.gyp builds into each binary. */
export function kernelsSourceHash(dir: string = KERNELS_SOURCES): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { kernelsSourceHash: hash } = require(path.join(KERNELS_SOURCES, 'source-hash.js')) as { kernelsSourceHash(dir: string): string };
  return hash(dir);
}

export type LoadedKernels = { kernels: NativeKernels; from: KernelsBinary['from'] } | { error: string };

/**
 * Loads the first binary that was built from the sources beside it, or says in one line why none was. A binary
 * built from other sources (the code changed, no rebuild) is refused before it is loaded: it never runs. Each
 * worker thread loads its own copy.
 */
export function loadNativeKernels(
  binaries: KernelsBinary[] = kernelsBinaries(),
  sourceHash: () => string = () => kernelsSourceHash(),
  load: (file: string) => unknown = require,
): LoadedKernels {
  let expected: string;
  try {
    expected = sourceHash();
  } catch (err) {
    return { error: `the kernel sources to check a binary against are missing (${(err as Error).message.split('\n')[0]})` };
  }
  const refusals: string[] = [];
  for (const binary of binaries) {
    const why = refusal(binary, expected, load);
    if (typeof why !== 'string') return { kernels: why, from: binary.from };
    refusals.push(`${binary.from === 'build' ? 'compiled' : 'prebuilt'}: ${why}`);
  }
  return { error: refusals.join('; ') };
}

/** The loaded kernels, or why this binary cannot serve. */
function refusal(binary: KernelsBinary, expected: string, load: (file: string) => unknown): NativeKernels | string {
  if (binary.unsupported) return binary.unsupported;
  if (!fs.existsSync(binary.file)) return binary.from === 'build' ? 'not built (npm install found no C compiler, or its build failed)' : 'absent';
  const built = builtSourceHash(binary.file);
  if (built !== expected) return `built from other sources (${built?.slice(0, 12) ?? 'no hash'}, sources ${expected.slice(0, 12)}): ${binary.from === 'build' ? 'run npm run build:native' : 'run npm run build:native -- --prebuilt'}`;
  let kernels: Partial<NativeKernels>;
  try {
    kernels = load(binary.file) as Partial<NativeKernels>;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
  const missing = FUNCTIONS.filter((f) => typeof kernels[f] !== 'function');
  if (missing.length) return `lacks ${missing.join(', ')}`;
  return kernels as NativeKernels;
}
