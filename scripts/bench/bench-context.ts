import { resolve } from 'node:path';
import { BackendInfo } from '../../src/tensor/backend';
import { buildWordTokenizer } from '../../src/tokenization/build-word-tokenizer';
import { readDialogues, readTurns } from '../../src/tokenization/corpus-reader';
import { Tokenizer } from '../../src/tokenization/tokenizer';

/** What every benchmark section shares: the corpus, the benchmark's word tokenizer, the reporter. */
export interface BenchContext {
  quick: boolean;
  backend: BackendInfo;
  corpusDir: string;
  trainTurns: string[];
  tokenizer: Tokenizer;
  /** Prints one JSON line in the form of shared/bench/SPEC.md. */
  report(fields: { model?: string; metric: string; value: number; [extra: string]: unknown }): void;
  testDialogues(limit: number, minTurns: number): Promise<string[][]>;
}

export async function createBenchContext(quick: boolean, backend: BackendInfo): Promise<BenchContext> {
  const corpusDir = resolve(process.env.CORPUS_DIR ?? '../shared/data', 'dailydialog');
  const trainTurns: string[] = [];
  for await (const turn of readTurns(resolve(corpusDir, 'train.jsonl'))) trainTurns.push(turn);
  // SPEC: the 7,996 most frequent train tokens + 4 specials
  const tokenizer = await buildWordTokenizer(trainTurns, { maxSize: 8000 });
  return {
    quick,
    backend,
    corpusDir,
    trainTurns,
    tokenizer,
    report: ({ value, ...fields }) =>
      console.log(JSON.stringify({ impl: 'project', backend: backend.name, threads: backend.threads, ...fields, value: Number(value.toFixed(3)) })),
    async testDialogues(limit, minTurns) {
      const out: string[][] = [];
      for await (const d of readDialogues(resolve(corpusDir, 'test.jsonl'))) {
        if (d.turns.length >= minTurns) out.push(d.turns);
        if (out.length === limit) break;
      }
      return out;
    },
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The p-th percentile of ascending `sorted` values, by the nearest rank at or above p% (p95 of 250 values: the 238th). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const now = (): number => performance.now();
