/**
 * A whole HRED-vs-VHRED comparison (issue #7, with issue #10's decoding split): test contexts → each
 * model's replies and teacher-forced scores (model-outputs.ts) → figures of both and A − B differences
 * with bootstrap intervals → one ComparisonReport. Used by `npm run compare` and the admin API's worker.
 */
import * as path from 'node:path';
import { loadModel, readModelFile } from '../../models/model-files';
import { Word2Vec } from '../word2vec/word2vec';
import { tokenizeWords } from '../word-tokens';
import type { ComparisonReport, LatentExample, ModelDescription, Pair, ReplyExample } from './comparison-report';
import { corpusDifferences, corpusFigures, type CorpusInputs } from './corpus-figures';
import { BEAM_WIDTH, CORPUS_DECODINGS, PROTOCOL_MODE_LABELS, PROTOCOL_MODES } from './decoding-modes';
import { produceOutputs, type ComparisonProgress, type ModelOutputs } from './model-outputs';
import { byPosition, evaluateReplies, lengthCounts, protocolDifferences, type TokenizedReplies } from './protocol-figures';
import { contextTurns, readTestContexts, type TestSet } from './test-contexts';

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

const EXAMPLES = 8;
const LATENT_EXAMPLES = 5;

export async function runComparison(settings: ComparisonSettings, hooks: ComparisonHooks = {}): Promise<ComparisonResult> {
  const started = performance.now();
  const samples = settings.samples ?? 10;
  const temperatures = [...(settings.temperatures ?? [0.5, 1, 1.5])];
  const seed = settings.seed ?? 1;
  const importanceSamples = settings.importanceSamples ?? 10;
  const bootstrap = { resamples: settings.resamples ?? 1000, confidence: settings.confidence ?? 0.95, seed };
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be a positive integer, got ${samples}`);

  const set = await readTestContexts(settings.data, settings.limit);
  const lookup = settings.vectors ? (await Word2Vec.load(settings.vectors)).asLookup() : undefined;
  const outputs: ModelOutputs[] = [];
  const files = await Promise.all(settings.models.map(({ dir }) => readModelFile(dir)));
  const scoringTurns = Math.min(...files.map((f) => f.config.maxTurns));
  const labels = settings.models.map(({ dir, label }, i) => label ?? `${files[i].config.kind}:${path.basename(dir)}`);
  if (labels[0] === labels[1]) labels[1] += ' (B)';
  for (const [i, { dir }] of settings.models.entries()) {
    const loaded = await loadModel(dir);
    try {
      const options = { samples, temperatures, seed, importanceSamples, scoringTurns, maxRows: settings.maxRows, ...hooks };
      outputs.push(await produceOutputs(labels[i], loaded, set, options));
    } finally {
      loaded.model.dispose(); // one model in memory at a time
    }
  }
  const pair = outputs as Pair<ModelOutputs>;

  const metricsStarted = performance.now();
  hooks.onProgress?.({ phase: 'metrics', done: 0, total: 1 });
  const references = set.contexts.map((c) => tokenizeWords(c.reference));
  const words = (replies: string[][]): TokenizedReplies => replies.map((r) => r.map(tokenizeWords));
  const protocols = PROTOCOL_MODES.map((mode) => {
    const results = pair.map((o) => evaluateReplies(references, words(o.protocols[mode]), lookup)) as Pair<ReturnType<typeof evaluateReplies>>;
    return { mode, results, section: { mode, label: PROTOCOL_MODE_LABELS[mode], figures: results.map((r) => r.figures) as Pair<(typeof results)[0]['figures']>, differences: protocolDifferences(results, bootstrap) } };
  });
  const main = protocols[0];
  const corpusInputs = pair.map(
    (o): CorpusInputs => ({
      scores: o.scores,
      latentDim: o.config.kind === 'vhred' ? o.config.latentDim : undefined,
      replies: Object.fromEntries(CORPUS_DECODINGS.map((d) => [d, o.corpus[d].map(tokenizeWords)])) as CorpusInputs['replies'],
    }),
  ) as Pair<CorpusInputs>;

  const report: ComparisonReport = {
    version: 1,
    createdAt: new Date().toISOString(),
    settings: {
      data: settings.data,
      contexts: set.contexts.length,
      dialogues: set.dialogues.length,
      samples,
      temperatures,
      seed,
      importanceSamples,
      resamples: bootstrap.resamples,
      confidence: bootstrap.confidence,
      beamWidth: BEAM_WIDTH,
      ...(settings.vectors && { vectors: settings.vectors }),
    },
    models: pair.map(describe) as Pair<ModelDescription>,
    protocols: protocols.map((p) => p.section),
    corpus: { figures: corpusInputs.map(corpusFigures) as Pair<ReturnType<typeof corpusFigures>>, differences: corpusDifferences(corpusInputs, bootstrap) },
    temperatures: temperatures.map((temperature, t) => ({
      temperature,
      figures: pair.map((o) => evaluateReplies(references, words(o.temperatures[t].replies)).figures) as Pair<ReturnType<typeof evaluateReplies>['figures']>,
    })),
    lengthHistogram: { counts: pair.map((o) => lengthCounts(words(o.protocols.sample))) as Pair<number[]> },
    byPosition: byPosition(set.contexts.map((c) => c.position), main.results),
    examples: examples(set, pair),
    latentExamples: latentExamples(set, pair, Math.min(LATENT_EXAMPLES, samples)),
    timings: {
      totalSeconds: 0,
      metricsSeconds: 0,
      models: pair.map((o): Record<string, number> => ({ ...o.seconds })) as Pair<Record<string, number>>,
    },
    notes: notes(set, pair, samples, importanceSamples, settings.vectors),
  };
  report.timings.metricsSeconds = (performance.now() - metricsStarted) / 1000;
  report.timings.totalSeconds = (performance.now() - started) / 1000;
  hooks.onProgress?.({ phase: 'metrics', done: 1, total: 1 });
  const replies = set.contexts.map((c, i) => ({
    dialogueId: c.dialogueId,
    position: c.position,
    reference: c.reference,
    replies: pair.map((o) => o.protocols.sample[i]) as Pair<string[]>,
  }));
  return { report, replies };
}

function describe(o: ModelOutputs): ModelDescription {
  return { label: o.label, dir: o.dir, kind: o.config.kind, config: { ...o.config } };
}

function examples(set: TestSet, pair: Pair<ModelOutputs>): ReplyExample[] {
  return set.contexts.slice(0, EXAMPLES).map((c, i) => ({
    context: contextTurns(set, c),
    reference: c.reference,
    replies: pair.map((o) => ({ sample: o.protocols.sample[i].slice(0, 3), greedy: o.corpus.greedy[i], beam: o.corpus.beam[i] })) as ReplyExample['replies'],
  }));
}

function latentExamples(set: TestSet, pair: Pair<ModelOutputs>, count: number): LatentExample[] {
  return set.contexts.slice(0, LATENT_EXAMPLES).map((c, i) => ({
    context: contextTurns(set, c),
    reference: c.reference,
    replies: pair.map((o) => o.protocols['greedy-z'][i].slice(0, count)) as Pair<string[]>,
  }));
}

function notes(set: TestSet, pair: Pair<ModelOutputs>, samples: number, importanceSamples: number, vectors?: string): string[] {
  const list = [
    `Contexts: every turn after the first of each test dialogue is a reference, with all earlier turns as its context (DialogWAE); ${set.contexts.length} contexts from ${set.dialogues.length} dialogues.`,
    `Tokens: lower-cased word-and-punctuation tokens (NFKC, \\w+|[^\\w\\s]) of the decoded text and of the reference. BLEU: NLTK sentence BLEU, weights 1/3 to 3-grams, smoothing method7; recall = best of ${samples}, precision = mean of ${samples}.`,
    vectors
      ? `Embedding metrics use word2vec vectors trained on the training split (${path.basename(vectors)}); the published DialogWAE figures used GloVe Twitter vectors, not available here, so only the comparison between the two models is meaningful.`
      : 'Embedding metrics are left out: no vectors given (train them with `npm run word2vec -- train --data <train.jsonl> --out <file>` and pass --vectors).',
    `Perplexity: teacher forcing over every reply of those dialogues (up to the smaller maxTurns of the two models), eos counted, each model in its own tokenization. For VHRED "perplexity" is the importance-sampled estimate (K = ${importanceSamples} posterior samples) and "ELBO perplexity" the bound; for HRED both are exact and equal.`,
    'Corpus distinct-n (Li et al. 2016): one reply per context; greedy and beam use z = prior mean, "sample" is the first sampled reply (T = 1, z ~ prior).',
    'Temperature sweep: token sampling with z ~ prior; embedding metrics are not computed for it.',
    'Differences are A − B with paired bootstrap percentile intervals (contexts resampled; replies for perplexities).',
  ];
  for (const o of pair) {
    if (o.config.kind !== 'vhred') {
      list.push(`${o.label} has no latent z: under "greedy tokens, z ~ prior" it gives one reply per context, repeated ${samples} times, so its inter-distinct collapses to that of a single reply; "z = prior mean" is the same as plain sampling.`);
    }
  }
  if (pair[0].config.vocabSize !== pair[1].config.vocabSize) {
    list.push(`The vocabularies differ (${pair[0].config.vocabSize} vs ${pair[1].config.vocabSize} entries), so the perplexities are not on the same token set.`);
  }
  return list;
}
