/**
 * The DialogWAE evaluation protocol (Gu et al. 2019, "DialogWAE: Multimodal Response
 * Generation with Conditional Wasserstein Auto-Encoder", ICLR, Table 2; after Zhao et al.
 * 2017): for each test context N replies are sampled and scored against the one reference.
 *
 * Per context c with samples s_1..s_N and reference r:
 * - BLEU recall_c = max_k BLEU(r, s_k), BLEU precision_c = mean_k BLEU(r, s_k)
 *   (NLTK sentence BLEU, weights ⅓·3, smoothing method7);
 * - embedding A/E/G_c = max_k of each score separately (best of N);
 * - intra-dist-n_c = mean_k distinct-n(s_k); inter-dist-n_c = distinct-n pooled over s_1..s_N;
 * - length_c = mean_k |s_k|.
 * Each figure is the mean over contexts; BLEU F1 = 2PR / (P + R) of the two means (0 if both 0).
 */
import { DIALOGWAE_BLEU, sentenceBleu, type SentenceBleuOptions } from './metrics/bleu';
import { interDistinct, intraDistinct, meanLength } from './metrics/distinct';
import { embeddingAverage, embeddingExtrema, greedyMatching, type EmbeddingLookup } from './metrics/embedding';
import { mean } from './statistics';

export interface ProtocolContext {
  /** The reference reply, as tokens. */
  readonly reference: readonly string[];
  /** The N sampled replies for this context, as tokens (N ≥ 1). */
  readonly samples: readonly (readonly string[])[];
}

export interface ProtocolOptions {
  /** Word vectors for the embedding scores; without it those figures are omitted. */
  readonly embeddings?: EmbeddingLookup;
  /** BLEU settings; default DialogWAE's (⅓·3 weights, method7, current NLTK method4). */
  readonly bleu?: SentenceBleuOptions;
}

/** One value per context, in input order, for paired bootstrap comparisons. */
export interface PerContextScores {
  readonly bleuRecall: number[];
  readonly bleuPrecision: number[];
  readonly intraDist1: number[];
  readonly intraDist2: number[];
  readonly interDist1: number[];
  readonly interDist2: number[];
  readonly length: number[];
  readonly embeddingAverage?: number[];
  readonly embeddingExtrema?: number[];
  readonly embeddingGreedy?: number[];
}

export interface DialogWaeFigures {
  readonly contexts: number;
  readonly bleuRecall: number;
  readonly bleuPrecision: number;
  readonly bleuF1: number;
  readonly intraDist1: number;
  readonly intraDist2: number;
  readonly interDist1: number;
  readonly interDist2: number;
  readonly meanLength: number;
  readonly embeddingAverage?: number;
  readonly embeddingExtrema?: number;
  readonly embeddingGreedy?: number;
}

export interface ProtocolResult {
  readonly figures: DialogWaeFigures;
  readonly perContext: PerContextScores;
}

/** F1 = 2PR / (P + R); 0 when P + R = 0. */
export function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/**
 * Computes the DialogWAE Table-2 figures and the per-context scores behind them.
 * @throws RangeError when a context has no samples.
 */
export function evaluateDialogWae(contexts: readonly ProtocolContext[], options: ProtocolOptions = {}): ProtocolResult {
  const bleuOptions = options.bleu ?? DIALOGWAE_BLEU;
  const lookup = options.embeddings;
  const perContext = {
    bleuRecall: [] as number[],
    bleuPrecision: [] as number[],
    intraDist1: [] as number[],
    intraDist2: [] as number[],
    interDist1: [] as number[],
    interDist2: [] as number[],
    length: [] as number[],
  };
  const embedding = lookup && { average: [] as number[], extrema: [] as number[], greedy: [] as number[] };
  contexts.forEach(({ reference, samples }, index) => {
    if (samples.length === 0) throw new RangeError(`context ${index} has no sampled replies`);
    const bleu = samples.map((sample) => sentenceBleu([reference], sample, bleuOptions));
    perContext.bleuRecall.push(Math.max(...bleu));
    perContext.bleuPrecision.push(mean(bleu));
    perContext.intraDist1.push(intraDistinct(samples, 1));
    perContext.intraDist2.push(intraDistinct(samples, 2));
    perContext.interDist1.push(interDistinct(samples, 1));
    perContext.interDist2.push(interDistinct(samples, 2));
    perContext.length.push(meanLength(samples));
    if (lookup && embedding) {
      embedding.average.push(Math.max(...samples.map((s) => embeddingAverage(s, reference, lookup))));
      embedding.extrema.push(Math.max(...samples.map((s) => embeddingExtrema(s, reference, lookup))));
      embedding.greedy.push(Math.max(...samples.map((s) => greedyMatching(s, reference, lookup))));
    }
  });

  const bleuRecall = mean(perContext.bleuRecall);
  const bleuPrecision = mean(perContext.bleuPrecision);
  const figures: DialogWaeFigures = {
    contexts: contexts.length,
    bleuRecall,
    bleuPrecision,
    bleuF1: f1(bleuPrecision, bleuRecall),
    intraDist1: mean(perContext.intraDist1),
    intraDist2: mean(perContext.intraDist2),
    interDist1: mean(perContext.interDist1),
    interDist2: mean(perContext.interDist2),
    meanLength: mean(perContext.length),
    ...(embedding && {
      embeddingAverage: mean(embedding.average),
      embeddingExtrema: mean(embedding.extrema),
      embeddingGreedy: mean(embedding.greedy),
    }),
  };
  return {
    figures,
    perContext: {
      ...perContext,
      ...(embedding && { embeddingAverage: embedding.average, embeddingExtrema: embedding.extrema, embeddingGreedy: embedding.greedy }),
    },
  };
}
