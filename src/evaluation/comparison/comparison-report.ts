/**
 * The comparison report: everything the JSON, Markdown and HTML outputs show. Pairs are always
 * [model A, model B] in the order given, and every difference is A − B with its paired bootstrap
 * interval over test contexts (or over scored replies, for perplexities).
 */
import type { DialogWaeFigures } from '../dialogwae-protocol';
import type { PairedBootstrapResult } from '../metrics/bootstrap';
import type { WinRateResult } from '../metrics/win-rate';
import type { ModelKind } from '../../models/model-config';
import type { CorpusDecoding, ProtocolMode } from './decoding-modes';

export type Pair<T> = [T, T];

export type Difference = PairedBootstrapResult;

export interface ModelDescription {
  readonly label: string;
  readonly dir: string;
  readonly kind: ModelKind;
  readonly config: Record<string, unknown>;
}

export interface DiversityFigures {
  readonly distinct1: number;
  readonly distinct2: number;
  /** Unigram entropy, bits. */
  readonly entropy: number;
  readonly meanLength: number;
}

export interface CorpusFigures {
  /** Scored replies and their target tokens (eos included), in this model's tokenization. */
  readonly replies: number;
  readonly tokens: number;
  /** Importance-sampled estimate (VHRED, K posterior samples) or exact teacher-forced perplexity (HRED). */
  readonly perplexity: number;
  /** The ELBO bound, exp(−ELBO / tokens); the same as `perplexity` without z. */
  readonly elboPerplexity: number;
  readonly importanceSamples: number;
  /** VHRED: mean KL(q ‖ p) per reply (nats), active units (Burda et al. 2016) of latentDim. */
  readonly klPerReply?: number;
  readonly activeUnits?: number;
  readonly latentDim?: number;
  /** Li et al. 2016 over one reply per context. */
  readonly decodings: Record<CorpusDecoding, DiversityFigures>;
}

export interface ProtocolSection {
  readonly mode: ProtocolMode;
  readonly label: string;
  readonly figures: Pair<DialogWaeFigures>;
  /** By DialogWaeFigures key (bleuF1 included). */
  readonly differences: Record<string, Difference>;
}

export interface PositionRow {
  /** Context turns before the reference ("1", "2", … or "10+"). */
  readonly position: string;
  readonly contexts: number;
  readonly models: Pair<{ bleuF1: number; interDist2: number; meanLength: number }>;
}

export interface ReplyExample {
  readonly context: string[];
  readonly reference: string;
  readonly replies: Pair<{ sample: string[]; greedy: string; beam: string }>;
}

export interface LatentExample {
  readonly context: string[];
  readonly reference: string;
  /** Greedy replies under z_1 … z_k ~ p(z|c) (greedy-z samples 1 … k). */
  readonly replies: Pair<string[]>;
}

export interface ComparisonReport {
  readonly version: 1;
  readonly createdAt: string;
  readonly settings: {
    readonly data: string;
    readonly contexts: number;
    readonly dialogues: number;
    readonly samples: number;
    readonly temperatures: number[];
    readonly seed: number;
    readonly importanceSamples: number;
    readonly resamples: number;
    readonly confidence: number;
    readonly beamWidth: number;
    /** Word vectors of the embedding metrics; absent: those figures are left out. */
    readonly vectors?: string;
  };
  readonly models: Pair<ModelDescription>;
  readonly protocols: ProtocolSection[];
  readonly corpus: { readonly figures: Pair<CorpusFigures>; readonly differences: Record<string, Difference> };
  readonly temperatures: { temperature: number; figures: Pair<DialogWaeFigures> }[];
  /** counts[m][len] = sampled replies (protocol `sample`) of model m with `len` word tokens. */
  readonly lengthHistogram: { readonly counts: Pair<number[]> };
  readonly byPosition: PositionRow[];
  readonly examples: ReplyExample[];
  readonly latentExamples: LatentExample[];
  /** Compare-mode chat preferences (admin API runs on model versions only). */
  preferences?: { readonly versions: Pair<string>; readonly winRate: WinRateResult };
  readonly timings: { totalSeconds: number; metricsSeconds: number; models: Pair<Record<string, number>> };
  readonly notes: string[];
}
