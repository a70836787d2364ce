/**
 * A resumable checkpoint: the model (float32, exact), Adam's moments and the trainer's own state,
 * like nanoGPT's `ckpt.pt` with `iter_num` and `best_val_loss`.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fs } from 'fs';
import * as path from 'path';
import { DialogueModel } from '../models/dialogue-model';
import { ParamStore } from '../models/layers/params';
import { loadModel, saveModel } from '../models/model-files';
import type { ScaledAdam } from '../tensor/fused-adam';
import { Tokenizer } from '../tokenization';
import { EpochMetrics } from './progress';
import { TrainingError } from './training-errors';

export interface TrainerState {
  epoch: number;
  /** Batches of `epoch` already done. */
  batchInEpoch: number;
  step: number;
  bestValidationPerplexity: number;
  /** Fine-tuning (--base) with keep: best: the base model's validation perplexity before any step, the score to beat. */
  baseValidationPerplexity?: number;
  /** Fine-tuning: the base model's perplexity on each `alsoValidate` set, by name. */
  baseValidationSets?: Record<string, number>;
  epochsWithoutImprovement: number;
  learningRate: number;
  history: EpochMetrics[];
}

const STATE_FILE = 'trainer-state.json';
const OPTIMIZER_FILE = 'optimizer.bin';

export async function saveCheckpoint(
  dir: string,
  model: DialogueModel,
  tokenizer: Tokenizer,
  optimizer: ScaledAdam,
  state: TrainerState,
): Promise<void> {
  const tmp = `${dir}.tmp`;
  await fs.rm(tmp, { recursive: true, force: true });
  await saveModel(tmp, model, { checkpoint: true, step: state.step });
  await tokenizer.save(tmp);
  const weights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  await fs.writeFile(path.join(tmp, OPTIMIZER_FILE), Buffer.from(data));
  const powers = { beta1: optimizer.accBeta1.dataSync()[0], beta2: optimizer.accBeta2.dataSync()[0] };
  await fs.writeFile(path.join(tmp, STATE_FILE), JSON.stringify({ state, optimizer: specs, powers }, null, 2));
  // Swap in the complete folder only, keeping the previous one until the new one is in place:
  // an interruption at any point leaves a whole checkpoint at `dir` or at `dir.old`.
  const old = `${dir}.old`;
  await fs.rm(old, { recursive: true, force: true });
  await fs.rename(dir, old).catch(() => undefined);
  await fs.rename(tmp, dir);
  await fs.rm(old, { recursive: true, force: true });
}

/** The checkpoint folder to read: `dir`, or `dir.old` when an interrupted save left only that. */
async function checkpointFolder(dir: string): Promise<string | undefined> {
  for (const candidate of [dir, `${dir}.old`]) {
    if (await fs.access(path.join(candidate, STATE_FILE)).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

export async function hasCheckpoint(dir: string): Promise<boolean> {
  return (await checkpointFolder(dir)) !== undefined;
}

/** Loads model, tokenizer and trainer state; Adam's moments are restored into `optimizer`. */
export async function loadCheckpoint(
  dir: string,
  makeOptimizer: (learningRate: number) => ScaledAdam,
): Promise<{ model: DialogueModel; tokenizer: Tokenizer; optimizer: ScaledAdam; state: TrainerState }> {
  const found = await checkpointFolder(dir);
  if (!found) throw new TrainingError('CHECKPOINT_MISSING', `${dir}: no checkpoint`, { dir });
  dir = found;
  const { model, tokenizer } = await loadModel(dir);
  const saved = JSON.parse(await fs.readFile(path.join(dir, STATE_FILE), 'utf8')) as {
    state: TrainerState;
    optimizer: tf.io.WeightsManifestEntry[];
    powers: { beta1: number; beta2: number };
  };
  // JSON writes Infinity (no epoch validated yet) as null
  saved.state.bestValidationPerplexity ??= Infinity;
  const buffer = await fs.readFile(path.join(dir, OPTIMIZER_FILE));
  const tensors = tf.io.decodeWeights(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength), saved.optimizer);
  const optimizer = makeOptimizer(saved.state.learningRate);
  await optimizer.setWeights(momentsForModel(model, saved.optimizer, dir).map(([saved, name]) => ({ name, tensor: tensors[saved] })));
  tf.dispose(Object.values(tensors));
  // setWeights recomputes β₁ᵗ and β₂ᵗ as pow(β, t+1), which differs in the last bits from the product the optimizer
  // accumulated; restoring the saved values keeps a resumed run bit-identical to an uninterrupted one.
  tf.tidy(() => {
    optimizer.accBeta1.assign(tf.scalar(saved.powers.beta1));
    optimizer.accBeta2.assign(tf.scalar(saved.powers.beta2));
  });
  return { model, tokenizer, optimizer, state: saved.state };
}

/**
 * Each saved optimizer weight with the name it takes in the loaded model: the step count, then every moment under
 * its parameter's variable name there (`<variable>/m`, `<variable>/v`: a loaded model's variables have another
 * prefix than the saved ones). ScaledAdam keeps its moments by name, and the saved names say which parameter each
 * belongs to (ParamStore.parameterOf): a checkpoint whose moments are not exactly the model's parameters is refused.
 * No moments at all: no step was taken.
 */
function momentsForModel(model: DialogueModel, specs: readonly tf.io.WeightsManifestEntry[], dir: string): [saved: string, name: string][] {
  const [iterations, ...moments] = specs.map((s) => s.name);
  if (moments.length === 0) return [[iterations, iterations]];
  const byKey = new Map(moments.map((name) => [ParamStore.parameterOf(name), name]));
  const wanted = ['m', 'v'].flatMap((moment) => [...model.params.vars].map(([parameter, variable]) => ({ key: `${parameter}/${moment}`, name: `${variable.name}/${moment}` })));
  const missing = wanted.filter(({ key }) => !byKey.has(key)).map(({ key }) => key);
  const extra = [...byKey.keys()].filter((key) => !wanted.some((w) => w.key === key));
  if (missing.length > 0 || extra.length > 0 || moments.length !== wanted.length) {
    const message = `${dir}: the optimizer's moments do not match the model's parameters (missing: ${missing.join(', ') || 'none'}; unknown: ${extra.join(', ') || 'none'}): resume with the checkpoint of this model, or start afresh`;
    throw new TrainingError('CHECKPOINT_MISMATCH', message, { dir, missing, unknown: extra });
  }
  return [[iterations, iterations], ...wanted.map(({ key, name }): [string, string] => [byKey.get(key)!, name])];
}

/** The validation metrics of the epochs finished so far ([] before the first checkpoint, or while one is swapped in). */
export async function readCheckpointHistory(dir: string): Promise<EpochMetrics[]> {
  try {
    const saved = JSON.parse(await fs.readFile(path.join(dir, STATE_FILE), 'utf8')) as { state?: Partial<TrainerState> };
    return saved.state?.history ?? [];
  } catch {
    return [];
  }
}
