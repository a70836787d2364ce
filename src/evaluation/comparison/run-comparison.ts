/**
 * A whole HRED-vs-VHRED comparison (issue #7, with issue #10's decoding split): test contexts → each
 * model's replies and teacher-forced scores (model-outputs.ts) → figures of both and A − B differences
 * with bootstrap intervals → one ComparisonReport. Used by `npm run compare` and the admin API's worker.
 */
import * as path from 'node:path';
import { runInWorker, workerEntry } from '../../common/run-in-worker';
import { loadModel, readModelFile } from '../../models/model-files';
import { backendInfo } from '../../tensor/backend';
import { Word2Vec } from '../../word2vec/word2vec';
import { buildReport } from './build-report';
import type { ComparisonReport, Pair } from './comparison-report';
import { produceOutputs, type ComparisonProgress, type ModelOutputs, type OutputSettings } from './model-outputs';
import { readTestContexts, type TestSet } from './test-contexts';

export interface ComparisonSettings {
  readonly models: Pair<{ dir: string; label?: string }>;
  /** Test dialogues (.jsonl or .txt). */
  readonly data: string;
  /** Replies sampled per context (DialogWAE: 10). */
  readonly samples?: number;
  /** Only the first N contexts. */
  readonly limit?: number;
  readonly temperatures?: readonly number[];
  readonly seed?: number;
  /** word2vec text-format vectors for the embedding metrics. */
  readonly vectors?: string;
  /** K of the importance-sampled perplexity (default 10). */
  readonly importanceSamples?: number;
  /** Bootstrap resamples (default 1000) and confidence (default 0.95). */
  readonly resamples?: number;
  readonly confidence?: number;
  /** Rows decoded together (default 256). */
  readonly maxRows?: number;
  /**
   * Both models at once, each in a worker thread with its own tensor backend (the same figures, in about half
   * the time on two cores). Off by default: the service's comparisons share the cores with chat.
   */
  readonly parallel?: boolean;
}

export interface ComparisonHooks {
  readonly onProgress?: (progress: ComparisonProgress) => void;
  readonly signal?: AbortSignal;
}

/** One line of replies.jsonl: a context and both models' sampled replies. */
export interface ContextReplies {
  readonly dialogueId: string;
  readonly position: number;
  readonly reference: string;
  readonly replies: Pair<string[]>;
}

export interface ComparisonResult {
  readonly report: ComparisonReport;
  readonly replies: ContextReplies[];
}

export async function runComparison(settings: ComparisonSettings, hooks: ComparisonHooks = {}): Promise<ComparisonResult> {
  const started = performance.now();
  const samples = settings.samples ?? 10;
  const temperatures = [...(settings.temperatures ?? [0.5, 1, 1.5])];
  const seed = settings.seed ?? 1;
  const importanceSamples = settings.importanceSamples ?? 10;
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be a positive integer, got ${samples}`);

  const set = await readTestContexts(settings.data, settings.limit);
  const embeddings = settings.vectors ? (await Word2Vec.load(settings.vectors)).asLookup() : undefined;
  const files = await Promise.all(settings.models.map(({ dir }) => readModelFile(dir)));
  // Both models score the same replies by teacher forcing: the dialogues cut to the smaller maxTurns.
  const scoringTurns = Math.min(...files.map((f) => f.config.maxTurns));
  const labels = settings.models.map(({ dir, label }, i) => label ?? `${files[i].config.kind}:${path.basename(dir)}`);
  if (labels[0] === labels[1]) labels[1] += ' (B)';
  const options = { samples, temperatures, seed, importanceSamples, scoringTurns, maxRows: settings.maxRows };
  const dirs = settings.models.map(({ dir }) => dir);
  const outputs = settings.parallel
    ? await outputsInWorkers(labels, dirs, set, options, hooks)
    : [await outputsHere(labels[0], dirs[0], set, options, hooks), await outputsHere(labels[1], dirs[1], set, options, hooks)];
  const pair = outputs as Pair<ModelOutputs>;

  const metricsStarted = performance.now();
  hooks.onProgress?.({ phase: 'metrics', done: 0, total: 1 });
  const bootstrap = { resamples: settings.resamples ?? 1000, confidence: settings.confidence ?? 0.95, seed };
  const built = buildReport({ data: settings.data, set, pair, samples, seed, importanceSamples, bootstrap, vectors: settings.vectors, embeddings });
  hooks.onProgress?.({ phase: 'metrics', done: 1, total: 1 });
  const timings = {
    models: [{ ...pair[0].seconds }, { ...pair[1].seconds }] as Pair<Record<string, number>>,
    metricsSeconds: (performance.now() - metricsStarted) / 1000,
    totalSeconds: (performance.now() - started) / 1000,
  };
  const replies = set.contexts.map((c, i) => ({
    dialogueId: c.dialogueId,
    position: c.position,
    reference: c.reference,
    replies: [pair[0].protocols.sample[i], pair[1].protocols.sample[i]] as Pair<string[]>,
  }));
  return { report: { ...built, timings }, replies };
}

type Options = Omit<OutputSettings, 'signal' | 'onProgress'>;

async function outputsHere(label: string, dir: string, set: TestSet, options: Options, hooks: ComparisonHooks): Promise<ModelOutputs> {
  const loaded = await loadModel(dir);
  try {
    return await produceOutputs(label, loaded, set, { ...options, ...hooks });
  } finally {
    loaded.model.dispose(); // one model in memory at a time
  }
}

/** One worker per model; the first failure (or the caller's abort) cancels the other. */
async function outputsInWorkers(labels: string[], dirs: string[], set: TestSet, options: Options, hooks: ComparisonHooks): Promise<ModelOutputs[]> {
  const cancel = new AbortController();
  const onAbort = () => cancel.abort();
  hooks.signal?.addEventListener('abort', onAbort);
  const entry = workerEntry(__dirname, 'model-outputs.worker');
  const backend = backendInfo()?.name ?? 'auto';
  try {
    return await Promise.all(
      dirs.map((dir, i) =>
        runInWorker<ModelOutputs, ComparisonProgress>(entry, { label: labels[i], dir, set, settings: options, backend }, { onProgress: hooks.onProgress, signal: cancel.signal }).catch(
          (err: Error) => {
            cancel.abort();
            throw err;
          },
        ),
      ),
    );
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}
