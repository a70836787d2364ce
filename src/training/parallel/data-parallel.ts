/**
 * Data-parallel training on several threads, each with its own tensor backend (WASM runs one thread per backend
 * in Node, so this is how a step uses more than one core). The batch's dialogues are split into parts of about
 * equal target tokens; this thread computes the first part's gradients while each worker computes another's,
 * from the same weights; their token-weighted mean is the gradient of the whole batch's mean loss, so one step
 * updates the weights as a single-thread step on the whole batch would (free bits apply per part). The parts'
 * sizes follow each thread's measured speed (shares.ts), so two-thread runs are not bit-for-bit repeatable.
 */
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { workerEntry } from '../../common/run-in-worker';
import { BatchOptions, buildBatch, DialogueBatch, TrainingDialogue } from '../../models/batch';
import { DialogueModel } from '../../models/dialogue-model';
import { LossOptions } from '../../models/loss';
import { BackendChoice } from '../../tensor/backend';
import { ScaledAdam } from '../../tensor/fused-adam';
import { applyGradients, batchGradients, StepResult, trainStep } from '../train-step';
import type { GradientRequest, GradientResponse } from './gradient-messages';
import { rebalanceShares, splitDialogues } from './shares';
import { flatten, unflatten } from './weights';

/** Each part draws its own ε (VHRED): seeds far apart from the step seeds of the main part. */
const PART_SEED_STRIDE = 1_000_003;

export class DataParallel {
  /** Each thread's fraction of a batch's reply tokens (this thread first). */
  private shares: number[];
  /** Per worker, the array that carries weights there and gradients back, reused every step. */
  private readonly buffers: (Float32Array | undefined)[];

  private constructor(
    private readonly model: DialogueModel,
    private readonly workers: Worker[],
  ) {
    this.shares = Array.from({ length: workers.length + 1 }, () => 1 / (workers.length + 1));
    this.buffers = workers.map(() => undefined);
  }

  /** `threads` in all: this one and threads − 1 workers holding replicas of `model`. */
  static start(model: DialogueModel, threads: number, backend: BackendChoice): DataParallel {
    const entry = workerEntry(__dirname, 'gradient.worker');
    const workers = Array.from({ length: threads - 1 }, () => new Worker(entry.file, { workerData: { config: model.config, backend }, execArgv: entry.execArgv }));
    return new DataParallel(model, workers);
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** The batch's dialogues in parts sized to the threads' current shares. */
  split(dialogues: readonly TrainingDialogue[]): TrainingDialogue[][] {
    return splitDialogues(dialogues, this.shares);
  }

  /** One update from the parts of a batch (parts[0] here, parts[i] on worker i − 1). Leaves no tensors behind. */
  async step(optimizer: ScaledAdam, parts: DialogueBatch[], lossOptions: LossOptions, maxGradNorm: number): Promise<StepResult> {
    if (parts.length !== this.threads) throw new RangeError(`${parts.length} parts for ${this.threads} threads`);
    const vars = [...this.model.params.vars.values()];
    const remote = this.workers.map((worker, i) => {
      const weights = flatten(vars, this.buffers[i]);
      this.buffers[i] = undefined; // transferred: it comes back with the answer, or a failed step leaves a new one to make
      return this.ask(worker, { type: 'step', weights, batch: parts[i + 1], lossOptions: partLoss(lossOptions, i + 1) });
    });
    const start = performance.now();
    const local = batchGradients(this.model, parts[0], lossOptions); // meanwhile, the workers compute theirs
    const localMs = performance.now() - start;
    let answers: Awaited<(typeof remote)[number]>[];
    try {
      answers = await Promise.all(remote);
    } catch (error) {
      tf.dispose(local.grads);
      throw error;
    }
    const tokens = parts.map((p) => p.targetTokens);
    // Each worker times its own part: an answer is read here only once this thread's part is done, so timing it
    // here would make every worker look as slow as this thread and shift ever more of the batch onto this one.
    this.shares = rebalanceShares(this.shares, tokens, [localMs, ...answers.map((a) => a.ms)]);
    const total = tokens.reduce((a, b) => a + b, 0);
    const grads = tf.tidy(() => {
      const all = [local.grads, ...answers.map((a) => unflatten(a.grads, vars))];
      return vars.map((_, k) => tf.addN(all.map((g, part) => tf.mul(g[k], tokens[part] / total))));
    });
    answers.forEach((a, i) => (this.buffers[i] = a.grads));
    tf.dispose(local.grads);
    const gradNorm = applyGradients(this.model, optimizer, grads, maxGradNorm);
    tf.dispose(grads);
    const terms = [local, ...answers];
    return {
      loss: terms.reduce((sum, t, part) => sum + (t.loss * tokens[part]) / total, 0),
      nll: terms.reduce((sum, t) => sum + t.nll, 0),
      kl: terms.reduce((sum, t) => sum + t.kl, 0),
      bow: terms.reduce((sum, t) => sum + t.bow, 0),
      gradNorm,
      targetTokens: total,
      replies: parts.reduce((n, p) => n + p.targets, 0),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private ask(worker: Worker, request: GradientRequest): Promise<Extract<GradientResponse, { type: 'grads' }>> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => settle(() => reject(error));
      // The worker's own error, relayed as the text it posted (a class does not cross postMessage): a bug or an outage there.
      const onMessage = (m: GradientResponse) => settle(() => (m.type === 'grads' ? resolve(m) : reject(new Error(`gradient worker: ${m.message}`))));
      const settle = (fn: () => void) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        fn();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage(request, [request.weights.buffer as ArrayBuffer]);
    });
  }
}

function partLoss(options: LossOptions, part: number): LossOptions {
  return { ...options, seed: options.seed === undefined ? undefined : options.seed + part * PART_SEED_STRIDE };
}

/** One update on these dialogues: split over `parallel`'s threads when there is a dialogue for each, else here. */
export function stepOnDialogues(
  model: DialogueModel,
  optimizer: ScaledAdam,
  dialogues: readonly TrainingDialogue[],
  layout: BatchOptions,
  lossOptions: LossOptions,
  maxGradNorm: number,
  parallel?: DataParallel,
): Promise<StepResult> {
  if (parallel && dialogues.length >= parallel.threads) {
    return parallel.step(optimizer, parallel.split(dialogues).map((part) => buildBatch(part, layout)), lossOptions, maxGradNorm);
  }
  return Promise.resolve(trainStep(model, optimizer, buildBatch([...dialogues], layout), lossOptions, maxGradNorm));
}
