/**
 * A model on disk: `<dir>/model.json` (format version, config, weight manifest, training summary),
 * `<dir>/weights.bin` and `<dir>/tokenizer.json`. Raw-variable models cannot use tfjs's file:// handlers
 * without tfjs-node, so weights go through tf.io.encodeWeights-compatible manifests written by hand.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'fs';
import * as path from 'path';
import { loadTokenizer, Tokenizer } from '../tokenization';
import { DialogueModel } from './dialogue-model';
import { ModelConfig, parseModelConfig } from './model-config';

export const MODEL_FORMAT_VERSION = 1;
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
  summary: ModelSummary;
}

export type ModelFileErrorCode = 'MODEL_FILE_MISSING' | 'MODEL_FILE_CORRUPT' | 'MODEL_FORMAT_UNSUPPORTED';

export class ModelFileError extends Error {
  constructor(
    readonly code: ModelFileErrorCode,
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'ModelFileError';
  }
}

export interface LoadedModel {
  model: DialogueModel;
  tokenizer: Tokenizer;
  summary: ModelSummary;
  dir: string;
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
  const file: ModelFile = { formatVersion: MODEL_FORMAT_VERSION, config: model.config, weights: entries, summary };
  // weights first, then model.json, so a reader never sees a manifest without its weights
  await writeAtomic(path.join(dir, WEIGHTS_FILE), Buffer.concat(chunks));
  await writeAtomic(path.join(dir, MODEL_FILE), JSON.stringify(file, null, 2));
}

/** Loads a model and its tokenizer. Throws ModelFileError (or TokenizerFileError) with the file named. */
export async function loadModel(dir: string): Promise<LoadedModel> {
  const file = await readModelFile(dir);
  const weightsPath = path.join(dir, WEIGHTS_FILE);
  const buffer = await fs.readFile(weightsPath).catch(() => {
    throw new ModelFileError('MODEL_FILE_MISSING', weightsPath, 'weights file not found');
  });
  let tensors: tf.NamedTensorMap;
  try {
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    tensors = tf.io.decodeWeights(data, file.weights);
  } catch (err) {
    throw new ModelFileError('MODEL_FILE_CORRUPT', weightsPath, `weights do not match the manifest (${(err as Error).message})`);
  }
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
  return { model, tokenizer, summary: file.summary, dir };
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
  if (parsed?.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelFileError(
      'MODEL_FORMAT_UNSUPPORTED',
      file,
      `format version ${String(parsed?.formatVersion)} is not supported (expected ${MODEL_FORMAT_VERSION})`,
    );
  }
  try {
    parsed.config = parseModelConfig(parsed.config);
  } catch (err) {
    throw new ModelFileError('MODEL_FILE_CORRUPT', file, `invalid config (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed.weights)) throw new ModelFileError('MODEL_FILE_CORRUPT', file, 'no weight manifest');
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
