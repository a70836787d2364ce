/**
 * The DialogWAE protocol figures of both models under one decoding, their differences with paired
 * bootstrap intervals over contexts, and the views the HTML charts need (by turn position, lengths).
 */
import { evaluateDialogWae, f1, type PerContextScores, type ProtocolResult } from '../dialogwae-protocol';
import { pairedBootstrap, pairedBootstrapStatistic, type PairedBootstrapOptions } from '../metrics/bootstrap';
import type { EmbeddingLookup } from '../metrics/embedding';
import { mean } from '../statistics';
import type { Difference, Pair, PositionRow } from './comparison-report';

/** Word tokens of the replies: [context][sample]. */
export type TokenizedReplies = string[][][];

export function evaluateReplies(references: string[][], replies: TokenizedReplies, embeddings?: EmbeddingLookup): ProtocolResult {
  return evaluateDialogWae(
    references.map((reference, c) => ({ reference, samples: replies[c] })),
    { embeddings },
  );
}

/** A − B for every per-context score both results have, and for BLEU F1 (an F1 of two means, resampled as such). */
export function protocolDifferences(results: Pair<ProtocolResult>, options: PairedBootstrapOptions): Record<string, Difference> {
  const [a, b] = results.map((r) => r.perContext);
  const differences: Record<string, Difference> = {};
  for (const key of Object.keys(a) as (keyof PerContextScores)[]) {
    const x = a[key];
    const y = b[key];
    if (x && y) differences[perContextToFigure(key)] = pairedBootstrap(x, y, options);
  }
  const resampledF1 = (scores: PerContextScores, indices: Int32Array) => {
    let precision = 0;
    let recall = 0;
    for (const i of indices) {
      precision += scores.bleuPrecision[i];
      recall += scores.bleuRecall[i];
    }
    return f1(precision / indices.length, recall / indices.length);
  };
  differences.bleuF1 = pairedBootstrapStatistic(a.bleuRecall.length, (indices) => resampledF1(a, indices) - resampledF1(b, indices), options);
  return differences;
}

/** Per-context arrays and the figures they average into share names, except length → meanLength. */
function perContextToFigure(key: keyof PerContextScores): string {
  return key === 'length' ? 'meanLength' : key;
}

const LAST_POSITION = 10;

/** Figures by number of context turns (10 and more pooled), for each model. */
export function byPosition(positions: readonly number[], results: Pair<ProtocolResult>): PositionRow[] {
  const groups = new Map<number, number[]>();
  positions.forEach((p, i) => {
    const key = Math.min(p, LAST_POSITION);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return [...groups.keys()]
    .sort((x, y) => x - y)
    .map((key) => {
      const rows = groups.get(key)!;
      const pick = (values: number[]) => mean(rows.map((i) => values[i]));
      const models = results.map(({ perContext: s }) => ({
        bleuF1: f1(pick(s.bleuPrecision), pick(s.bleuRecall)),
        interDist2: pick(s.interDist2),
        meanLength: pick(s.length),
      })) as PositionRow['models'];
      return { position: key === LAST_POSITION ? `${LAST_POSITION}+` : String(key), contexts: rows.length, models };
    });
}

/** counts[len] = replies with `len` tokens, over every sample of every context. */
export function lengthCounts(replies: TokenizedReplies): number[] {
  const counts: number[] = [];
  for (const samples of replies) for (const reply of samples) counts[reply.length] = (counts[reply.length] ?? 0) + 1;
  return Array.from(counts, (count) => count ?? 0);
}
