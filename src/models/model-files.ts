/**
 * A model on disk: `<dir>/model.json` (format version, config, weight manifest, the sha256 of the weights file,
 * training summary), `<dir>/weights.bin` and `<dir>/tokenizer.json`. Raw-variable models cannot use tfjs's file://
 * handlers without tfjs-node, so weights go through tf.io.encodeWeights-compatible manifests written by hand.
 *
 * Format 2 records the sha256 of weights.bin and loading verifies it: a damaged or swapped file of the right size
 * decodes without complaint and serves noise (issue 22). Format 1 (before checksums) still loads, unverified
 * (LoadedModel.verified false, which the service logs as a warning): refusing it would strand every training run,
 * checkpoint and registered version saved before, and it proves nothing either way. `recordChecksums` (npm run
 * model:checksum) upgrades a format-1 folder in place, weights untouched. A checksum guards against damage and
 * mistakes, not against someone who can write the folder: they could rewrite model.json as well.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'fs';
import * as path from 'path';
import { AppError } from '../common/errors';
import { loadTokenizer, Tokenizer } from '../tokenization';
import { DialogueModel } from './dialogue-model';
import { ModelConfig, parseModelConfig } from './model-config';

export const MODEL_FORMAT_VERSION = 2;
/** Formats loadModel reads: 1 has no checksums. */
const READABLE_FORMATS = [1, 2];
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** How weights are stored: float32 (exact), float16 (half the size), uint8 (affine per tensor, a quarter). */
export type WeightStorage = 'float32' | 'float16' | 'uint8';

export interface ModelSummary {
  /** Free-form training facts: steps, epochs, best validation perplexity, corpus, licence. */
  [key: string]: unknown;
}

interface ModelFile {
  formatVersion: number;
  config: ModelConfig;
  weights: tf.io.WeightsManifestEntry[];
  /** Hex sha256 of each weight file by name (format 2). */
  sha256?: Record<string, string>;
  summary: ModelSummary;
}

export type ModelFileErrorCode = 'MODEL_FILE_MISSING' | 'MODEL_FILE_CORRUPT' | 'MODEL_CHECKSUM_MISMATCH' | 'MODEL_FORMAT_UNSUPPORTED';

export class ModelFileError extends AppError<ModelFileErrorCode> {
  constructor(
    code: ModelFileErrorCode,
    readonly file: string,
    detail: string,
  ) {
    super(code, `${file}: ${detail}`, { file });
  }
}

export interface LoadedModel {
  model: DialogueModel;
  tokenizer: Tokenizer;
  summary: ModelSummary;
  dir: string;
  /** False for a format-1 model: it has no checksums, so its weights were loaded unverified. */
  verified: boolean;
}

/** Writes model.json + weights.bin (the tokenizer is saved by its own `save`). */
export async function saveModel(
  dir: string,
  model: DialogueModel,
  summary: ModelSummary,
  storage: WeightStorage = 'float32',
): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const entries: tf.io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, v] of model.params.vars) {
    const values = v.dataSync() as Float32Array;
    const { bytes, quantization } = encodeValues(values, storage);
    entries.push({ name, shape: v.shape, dtype: 'float32', ...(quantization ? { quantization } : {}) });
    chunks.push(bytes);
  }
  const weights = Buffer.concat(chunks);
  const file: ModelFile = { formatVersion: MODEL_FORMAT_VERSION, config: model.config, weights: entries, sha256: { [WEIGHTS_FILE]: sha256(weights) }, summary };
  // weights first, then model.json, so a reader never sees a manifest without its weights
  await writeAtomic(path.join(dir, WEIGHTS_FILE), weights);
  await writeAtomic(path.join(dir, MODEL_FILE), JSON.stringify(file, null, 2));
}

/** Loads a model and its tokenizer. Throws ModelFileError (or TokenizerFileError) with the file named. */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const file = await readModelFile(dir);
  const weightsPath = path.join(dir, WEIGHTS_FILE);
  const buffer = await readWeights(weightsPath);
  const expected = file.sha256?.[WEIGHTS_FILE];
  const actual = expected === undefined ? undefined : sha256(buffer);
  if (actual !== expected) {
    const detail = `sha256 ${actual!.slice(0, 12)}… does not match ${expected!.slice(0, 12)}… recorded in ${MODEL_FILE}: the file changed or was damaged after it was saved`;
    throw new ModelFileError('MODEL_CHECKSUM_MISMATCH', weightsPath, detail);
  }
  const tensors = decodeWeights(buffer, file, weightsPath);
  // The tokenizer first: a model built before a failing step would leak its weights.
  let tokenizer: Tokenizer;
  try {
    tokenizer = await loadTokenizer(dir);
  } catch (err) {
    tf.dispose(Object.values(tensors));
    throw err;
  }
  if (tokenizer.vocabSize !== file.config.vocabSize) {
    tf.dispose(Object.values(tensors));
    throw new ModelFileError(
      'MODEL_FILE_CORRUPT',
      path.join(dir, 'tokenizer.json'),
      `tokenizer has ${tokenizer.vocabSize} entries but the model expects ${file.config.vocabSize}`,
    );
  }
  const model = new DialogueModel(file.config);
  try {
    assignWeights(model, tensors, weightsPath);
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return { model, tokenizer, summary: file.summary, dir, verified: expected !== undefined };
}

/**
 * Records the sha256 of the weights of a model folder in its model.json (format 2), the weights untouched;
 * refuses weights that do not decode against their manifest, so a damaged file is never blessed.
 * For folders saved before checksums (`npm run model:checksum -- <dir>`).
 */
export async function recordChecksums(dir: string): Promise<{ formatVersion: { from: number; to: number }; sha256: Record<string, string> }> {
  const file = await readModelFile(dir);
  const weightsPath = path.join(dir, WEIGHTS_FILE);
  const buffer = await readWeights(weightsPath);
  tf.dispose(Object.values(decodeWeights(buffer, file, weightsPath)));
  const checksums = { [WEIGHTS_FILE]: sha256(buffer) };
  // The file as it is, not as read (readModelFile fills config defaults): only the version and the checksums change.
  const stored = JSON.parse(await fs.readFile(path.join(dir, MODEL_FILE), 'utf8')) as ModelFile;
  await writeAtomic(path.join(dir, MODEL_FILE), JSON.stringify({ ...stored, formatVersion: MODEL_FORMAT_VERSION, sha256: checksums }, null, 2));
  return { formatVersion: { from: file.formatVersion, to: MODEL_FORMAT_VERSION }, sha256: checksums };
}

function readWeights(weightsPath: string): Promise<Buffer> {
  return fs.readFile(weightsPath).catch(() => {
    throw new ModelFileError('MODEL_FILE_MISSING', weightsPath, 'weights file not found');
  });
}

function decodeWeights(buffer: Buffer, file: ModelFile, weightsPath: string): tf.NamedTensorMap {
  try {
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer; // fs never shares it
    return tf.io.decodeWeights(data, file.weights);
  } catch (err) {
    throw new ModelFileError('MODEL_FILE_CORRUPT', weightsPath, `weights do not match the manifest (${(err as Error).message})`);
  }
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Merges `patch` into the training summary in model.json (weights untouched). */
export async function updateSummary(dir: string, patch: ModelSummary): Promise<void> {
  const file = await readModelFile(dir);
  await writeAtomic(path.join(dir, MODEL_FILE), JSON.stringify({ ...file, summary: { ...file.summary, ...patch } }, null, 2));
}

/** Reads and validates model.json alone (cheap: for listings and config checks). */
export async function readModelFile(dir: string): Promise<ModelFile> {
  const file = path.join(dir, MODEL_FILE);
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch {
    throw new ModelFileError('MODEL_FILE_MISSING', file, 'model file not found');
  }
  let parsed: ModelFile;
  try {
    parsed = JSON.parse(raw) as ModelFile;
  } catch (err) {
    throw new ModelFileError('MODEL_FILE_CORRUPT', file, `not valid JSON (${(err as Error).message})`);
  }
  if (!READABLE_FORMATS.includes(parsed?.formatVersion)) {
    throw new ModelFileError(
      'MODEL_FORMAT_UNSUPPORTED',
      file,
      `format version ${String(parsed?.formatVersion)} is not supported (expected ${READABLE_FORMATS.join(' or ')})`,
    );
  }
  try {
    parsed.config = parseModelConfig(parsed.config);
  } catch (err) {
    throw new ModelFileError('MODEL_FILE_CORRUPT', file, `invalid config (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed.weights)) throw new ModelFileError('MODEL_FILE_CORRUPT', file, 'no weight manifest');
  const recorded = (parsed.sha256 as Record<string, unknown> | undefined)?.[WEIGHTS_FILE];
  if (parsed.formatVersion >= 2 && !(typeof recorded === 'string' && /^[0-9a-f]{64}$/.test(recorded))) {
    throw new ModelFileError('MODEL_FILE_CORRUPT', file, `no sha256 recorded for ${WEIGHTS_FILE} (format ${parsed.formatVersion} requires it)`);
  }
  parsed.summary ??= {};
  return parsed;
}

function assignWeights(model: DialogueModel, tensors: tf.NamedTensorMap, file: string): void {
  for (const [name, v] of model.params.vars) {
    const t = tensors[name];
    if (!t) throw new ModelFileError('MODEL_FILE_CORRUPT', file, `missing weight "${name}"`);
    if (!tf.util.arraysEqual(t.shape, v.shape)) {
      throw new ModelFileError('MODEL_FILE_CORRUPT', file, `weight "${name}" has shape [${t.shape}], expected [${v.shape}]`);
    }
    v.assign(t);
  }
}

function encodeValues(
  values: Float32Array,
  storage: WeightStorage,
): { bytes: Uint8Array; quantization?: tf.io.WeightsManifestEntry['quantization'] } {
  if (storage === 'float32') return { bytes: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
  if (storage === 'float16') {
    const half = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) half[i] = toFloat16Bits(values[i]);
    return { bytes: new Uint8Array(half.buffer), quantization: { dtype: 'float16' } };
  }
  // Affine uint8 as tfjs's converter writes it: v ≈ min + q·scale.
  let min = Infinity;
  let max = -Infinity;
  for (const x of values) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const scale = max > min ? (max - min) / 255 : 1;
  const q = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.round((values[i] - min) / scale);
  return { bytes: q, quantization: { dtype: 'uint8', min, scale } };
}

/** IEEE 754 binary16 bits of a float32 (round to nearest even), as tfjs's float16 dequantizer expects. */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant = (mant | 0x800000) >> (1 - e);
    return sign | ((mant + 0xfff + ((mant >> 13) & 1)) >> 13);
  }
  const rounded = mant + 0xfff + ((mant >> 13) & 1);
  if (rounded & 0x800000) {
    mant = 0;
    e += 1;
    if (e >= 0x1f) return sign | 0x7c00;
  } else {
    mant = rounded;
  }
  return sign | (e << 10) | (mant >> 13);
}

async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}
