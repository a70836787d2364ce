/**
 * From both models' outputs to the report: every reply and reference as word tokens, the DialogWAE
 * figures of each protocol, corpus figures, the temperature sweep, chart data and examples, each
 * A − B with its bootstrap interval. Pure: no model is touched here.
 */
import type { DialogWaeFigures, ProtocolResult } from '../dialogwae-protocol';
import type { PairedBootstrapOptions } from '../metrics/bootstrap';
import type { EmbeddingLookup } from '../metrics/embedding';
import { tokenizeWords } from '../../tokenization/word-tokens';
import type { ComparisonReport, LatentExample, ModelDescription, Pair, ReplyExample } from './comparison-report';
import { corpusDifferences, corpusFigures, type CorpusInputs } from './corpus-figures';
import { BEAM_WIDTH, CORPUS_DECODINGS, PROTOCOL_MODE_LABELS, PROTOCOL_MODES } from './decoding-modes';
import type { ModelOutputs } from './model-outputs';
import { byPosition, evaluateReplies, lengthCounts, protocolDifferences, type TokenizedReplies } from './protocol-figures';
import { reportNotes } from './report-notes';
import { contextTurns, type TestSet } from './test-contexts';

export interface ReportInputs {
  readonly data: string;
  readonly set: TestSet;
  readonly pair: Pair<ModelOutputs>;
  readonly samples: number;
  readonly seed: number;
  readonly importanceSamples: number;
  readonly bootstrap: Required<PairedBootstrapOptions>;
  readonly vectors?: string;
  readonly embeddings?: EmbeddingLookup;
}

const EXAMPLES = 8;
const LATENT_EXAMPLES = 5;

const words = (replies: string[][]): TokenizedReplies => replies.map((r) => r.map(tokenizeWords));
const both = <T>(pair: Pair<ModelOutputs>, f: (o: ModelOutputs) => T): Pair<T> => [f(pair[0]), f(pair[1])];

/** The report without its timings, which the caller knows. */
export function buildReport(input: ReportInputs): Omit<ComparisonReport, 'timings'> {
  const { set, pair, bootstrap } = input;
  const references = set.contexts.map((c) => tokenizeWords(c.reference));
  const protocols = PROTOCOL_MODES.map((mode) => {
    const results: Pair<ProtocolResult> = both(pair, (o) => evaluateReplies(references, words(o.protocols[mode]), input.embeddings));
    const figures: Pair<DialogWaeFigures> = [results[0].figures, results[1].figures];
    return { results, section: { mode, label: PROTOCOL_MODE_LABELS[mode], figures, differences: protocolDifferences(results, bootstrap) } };
  });
  const corpus: Pair<CorpusInputs> = both(pair, (o) => ({
    scores: o.scores,
    latentDim: o.config.kind === 'vhred' ? o.config.latentDim : undefined,
    replies: Object.fromEntries(CORPUS_DECODINGS.map((d) => [d, o.corpus[d].map(tokenizeWords)])) as CorpusInputs['replies'],
  }));
  return {
    version: 1,
    createdAt: new Date().toISOString(),
    settings: {
      data: input.data,
      contexts: set.contexts.length,
      dialogues: set.dialogues.length,
      samples: input.samples,
      temperatures: pair[0].temperatures.map((t) => t.temperature),
      seed: input.seed,
      importanceSamples: input.importanceSamples,
      resamples: bootstrap.resamples,
      confidence: bootstrap.confidence,
      beamWidth: BEAM_WIDTH,
      ...(input.vectors && { vectors: input.vectors }),
    },
    models: both(pair, describe),
    protocols: protocols.map((p) => p.section),
    corpus: { figures: [corpusFigures(corpus[0]), corpusFigures(corpus[1])], differences: corpusDifferences(corpus, bootstrap) },
    temperatures: pair[0].temperatures.map(({ temperature }, t) => ({
      temperature,
      figures: both(pair, (o) => evaluateReplies(references, words(o.temperatures[t].replies)).figures),
    })),
    lengthHistogram: { counts: both(pair, (o) => lengthCounts(words(o.protocols.sample))) },
    byPosition: byPosition(
      set.contexts.map((c) => c.position),
      protocols[0].results,
    ),
    examples: examples(set, pair),
    latentExamples: latentExamples(set, pair, Math.min(LATENT_EXAMPLES, input.samples)),
    notes: reportNotes(input),
  };
}

function describe(o: ModelOutputs): ModelDescription {
  return { label: o.label, dir: o.dir, kind: o.config.kind, config: { ...o.config } };
}

function examples(set: TestSet, pair: Pair<ModelOutputs>): ReplyExample[] {
  return set.contexts.slice(0, EXAMPLES).map((c, i) => ({
    context: contextTurns(set, c),
    reference: c.reference,
    replies: both(pair, (o) => ({ sample: o.protocols.sample[i].slice(0, 3), greedy: o.corpus.greedy[i], beam: o.corpus.beam[i] })),
  }));
}

function latentExamples(set: TestSet, pair: Pair<ModelOutputs>, count: number): LatentExample[] {
  return set.contexts.slice(0, LATENT_EXAMPLES).map((c, i) => ({
    context: contextTurns(set, c),
    reference: c.reference,
    replies: both(pair, (o) => o.protocols['greedy-z'][i].slice(0, count)),
  }));
}
