import { Dialogue } from './corpus-reader';
import { normalizeText } from './normalize';
import { compareCodePoints } from './vocab';
import { splitWords } from './word-split';

export interface Distribution {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface CorpusStats {
  dialogues: number;
  turns: number;
  /** `word` tokens (NFKC, lower-cased, `\w+|[^\w\s]`), the benchmark's unit. */
  tokens: number;
  /** Distinct `word` tokens. */
  vocabularySize: number;
  /** Share of all tokens that the `topN` most frequent tokens cover (what a vocabulary of topN + 4 specials would not map to `<unk>`). */
  coverage: { topN: number; share: number };
  /** Tokens per utterance. */
  utteranceLength: Distribution;
  turnsPerDialogue: Distribution;
}

/**
 * Counts in one pass. Lengths are kept as histograms (value -> count), so memory grows with the
 * longest utterance, not with the corpus.
 */
export async function computeCorpusStats(dialogues: AsyncIterable<Dialogue>, { topN }: { topN: number }): Promise<CorpusStats> {
  const tokenCounts = new Map<string, number>();
  const lengths = new Map<number, number>();
  const turnCounts = new Map<number, number>();
  let dialogueCount = 0;
  let turnTotal = 0;
  let tokenTotal = 0;
  for await (const { turns } of dialogues) {
    dialogueCount++;
    turnTotal += turns.length;
    increment(turnCounts, turns.length);
    for (const turn of turns) {
      const tokens = splitWords(normalizeText(turn, { lowercase: true }));
      tokenTotal += tokens.length;
      increment(lengths, tokens.length);
      for (const token of tokens) increment(tokenCounts, token);
    }
  }
  const covered = [...tokenCounts]
    .sort(([ta, ca], [tb, cb]) => cb - ca || compareCodePoints(ta, tb))
    .slice(0, topN)
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    dialogues: dialogueCount,
    turns: turnTotal,
    tokens: tokenTotal,
    vocabularySize: tokenCounts.size,
    coverage: { topN, share: tokenTotal === 0 ? 0 : covered / tokenTotal },
    utteranceLength: distribution(lengths),
    turnsPerDialogue: distribution(turnCounts),
  };
}

function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Nearest-rank percentiles (the smallest value with at least p% of the observations at or below it). */
export function distribution(histogram: ReadonlyMap<number, number>): Distribution {
  const values = [...histogram].sort(([a], [b]) => a - b);
  const total = values.reduce((sum, [, count]) => sum + count, 0);
  const percentile = (p: number) => {
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (const [value, count] of values) if ((seen += count) >= rank) return value;
    return 0;
  };
  return { p50: percentile(50), p90: percentile(90), p99: percentile(99), max: values.at(-1)?.[0] ?? 0 };
}
